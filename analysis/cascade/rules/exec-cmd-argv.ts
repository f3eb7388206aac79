/**
 * A Windows command line and an argv, both ways. Windows hands a program one string; the program
 * splits it itself, most with the C runtime's rules ("Parsing C++ command-line arguments",
 * Microsoft Learn): blanks separate, `"` groups and is removed, `""` inside quotes is a quote,
 * backslashes are literal unless they precede a quote (2n backslashes: n and a quoting `"`; 2n+1:
 * n and a literal `"`). .NET on Linux splits `ProcessStartInfo.Arguments` with the same rules
 * (dotnet/runtime Process.Unix.cs, ParseArgumentsIntoList), so a `'` is an ordinary character
 * there: `Process.Start("sh", "-c 'id'")` runs `sh` with `-c`, `'id'`. POSIX ports on Windows
 * (Cygwin, MSYS) split their command line as a shell would, `'…'` grouping too: `quotedArgv`
 * gives that split, a second reading where the text has a `'`.
 *
 * `windowsLine` is the other way, as runtimes build the line from an argv: a word with a blank,
 * or an empty one, quoted. Bounded by MAX_ARGV words; never throws.
 */

/** Words split from one command line. */
export const MAX_ARGV = 256;

const isBlank = (c: string): boolean => c === ' ' || c === '\t';

/** One word read from `i` (not a blank): its text and where it ended. */
type WordAt = (line: string, i: number) => { w: string; end: number };

/** The words of `line`, blanks between, each read by `word`; at most MAX_ARGV. */
function splitWords(line: string, word: WordAt): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length && out.length < MAX_ARGV) {
    while (i < line.length && isBlank(line.charAt(i))) i++;
    if (i >= line.length) break;
    const r = word(line, i);
    out.push(r.w);
    i = r.end;
  }
  return out;
}

/** A word as the C runtime reads it (see the header). */
const windowsWord: WordAt = (line, i) => {
  let w = '';
  let quoted = false;
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === '\\') {
      let n = 0;
      while (line.charAt(i) === '\\') {
        n++;
        i++;
      }
      if (line.charAt(i) !== '"') w += '\\'.repeat(n);
      else {
        w += '\\'.repeat(n >> 1);
        if (n % 2 === 1) {
          w += '"';
          i++;
        }
      }
    } else if (c === '"') {
      if (quoted && line.charAt(i + 1) === '"') {
        w += '"';
        i++;
      } else quoted = !quoted;
      i++;
    } else if (!quoted && isBlank(c)) break;
    else {
      w += c;
      i++;
    }
  }
  return { w, end: i };
};

/** A word as a shell reads it: `'…'` literal, `"…"` with backslash escapes, `\x` outside quotes. */
const quotedWord: WordAt = (line, i) => {
  let w = '';
  while (i < line.length && !isBlank(line.charAt(i))) {
    const c = line.charAt(i);
    if (c === "'") {
      const k = line.indexOf("'", i + 1);
      const end = k < 0 ? line.length : k;
      w += line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < line.length && line.charAt(i) !== '"') {
        if (line.charAt(i) === '\\' && '"\\$`'.indexOf(line.charAt(i + 1)) >= 0 && i + 1 < line.length) i++;
        w += line.charAt(i++);
      }
      i++;
    } else if (c === '\\' && i + 1 < line.length) {
      w += line.charAt(i + 1);
      i += 2;
    } else {
      w += c;
      i++;
    }
  }
  return { w, end: i };
};

/** The C runtime's split of a Windows command line (see the header). */
export function windowsArgv(line: string): string[] {
  return splitWords(line, windowsWord);
}

/** A shell-like split: blanks separate, `'…'` literal, `"…"` with backslash escapes, `\x` outside quotes. */
export function quotedArgv(line: string): string[] {
  return splitWords(line, quotedWord);
}

/** An argv as one Windows command line: words joined by a space, one with a blank (or empty) quoted. */
export function windowsLine(words: readonly string[], from = 0): string {
  let s = '';
  for (let k = from; k < words.length && k - from < MAX_ARGV; k++) {
    const w = words[k]!;
    const q = w === '' || w.indexOf(' ') >= 0 || w.indexOf('\t') >= 0;
    s += (k > from ? ' ' : '') + (q ? `"${w}"` : w);
  }
  return s;
}
