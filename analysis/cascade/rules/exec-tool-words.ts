/**
 * `attrs.exec.toolWords` (event-fields.ts): each word a command gives the tool it runs, bound to that
 * tool, so a rule can say "curl with -T" of one command. `attrs.exec.command` is one bag of words
 * over every command of the reading: `curl -s URL -o /tmp/x; grep -F foo /tmp/x` holds `curl` and
 * `-F` (grep's fixed strings), which a rule over the bag reads as curl's form upload.
 *
 * For each command (argv's own, and each one a script runs) and each tool along its wrappers
 * (exec-wrappers.ts: `sudo -u x timeout 5 curl -sT f URL` is sudo's words, timeout's, then curl's),
 * with `<tool>` the tool word's base name as the reading holds it:
 * - `<tool> <word>` for each word the tool is given (`curl -sT`, `curl f`, `aws cp`, `git push`);
 * - `<tool> -x` for each letter of a short-flag cluster (`curl -T` of `-sT`), as exec-readings.ts
 *   splits them for `attrs.exec.command`;
 * - `<tool> <option> <next word>` for an option (a word starting with `-`) and the word after it
 *   (`curl -d @/mnt/m.pt`, `tar -f -`), and for a cluster its last letter with the next word
 *   (`curl -d @f` of `-sd @f`), since an option's value is the word after it; a long option
 *   followed by an empty word is `<tool> --option=` (`['--ServerApp.token', '']`: the value empty);
 * - for a tool whose short options are tabled (curl: curl-options.ts), its clusters as the tool
 *   reads them instead: letters up to the first that takes a value, whose value is the rest of the
 *   word or else the next word (`-sTm.pt` gives `curl -s`, `curl -T`, `curl -T m.pt`; `-XGET` is
 *   the method GET, never `-G`, `-E` and an upload `-T`); a cluster with a letter the table does
 *   not know before its value is split letter by letter as for any other tool;
 * - `<tool>` alone when the command's tool is given no words (`printenv`, `env`: a whole dump); a
 *   wrapper is always given the command it runs, so it never stands alone.
 *
 * A wrapper's words end where the command it runs begins; `find … -exec cmd … \;` gives cmd the words
 * up to the `;` or `+`. A long word is kept whole (`lftp -e "put f; <padding>"` is still a put):
 * the values join strings without copying them, and the field tests bound what they read. Bounded
 * by MAX_TOOL_WORDS; never throws.
 *
 * `attrs.exec.toolLine` (toolLines) gives the same segments whole: each tool along each command's
 * wrappers with the words it is given, as one line (`<tool> <word> <word>…`). A word of one
 * value and a word of another may come from two commands; one line is one command, so a rule that
 * must say "this tool with this option and without that one" says it of one line, with lookaheads
 * (`^aria2c (?=(?:.* )?--enable-rpc(?: |$))(?!(?:.* )?--rpc-secret)`): a harmless command beside a
 * harmful one in the same exec hides nothing. Words are kept as written (clusters not split).
 */
import { baseName } from './exec-canonical.js';
import { CURL_SWITCH_SHORT, CURL_VALUE_SHORT } from './curl-options.js';
import { walkShortCluster } from './option-operands.js';
import { MAX_LEAVES } from './field-test.js';
import { wrapperChain } from './exec-fetched-run.js';
import { isFlagCluster, joinWords, SHORT_FLAG } from './exec-readings.js';

/** Values one reading gives `attrs.exec.toolWords`: as many as a field test reads. */
export const MAX_TOOL_WORDS = MAX_LEAVES;
/** A tool's one-letter short options: those that take a value and those that take none. */
interface ShortOptions {
  value: ReadonlySet<string>;
  switches: ReadonlySet<string>;
}

/** Tools whose short options are tabled, by base name: their clusters read as the tool reads them. */
const SHORT_OPTIONS: ReadonlyMap<string, ShortOptions> = new Map([['curl', { value: CURL_VALUE_SHORT, switches: CURL_SWITCH_SHORT }]]);

/**
 * Adds the letters of the cluster `w` (`-` and at least two characters) as a tool with the short
 * options `opts` reads them (option-operands.ts `walkShortCluster`), `next` the word after it;
 * false, adding nothing, when a letter before the value is not in the table.
 */
function addTabledCluster(out: string[], name: string, opts: ShortOptions, w: string, next: string): boolean {
  for (let k = 1; k < w.length && !opts.value.has(w[k]!); k++) if (!opts.switches.has(w[k]!)) return false;
  walkShortCluster(w, next, opts.value, (letter, value) => {
    if (out.length < MAX_TOOL_WORDS) out.push(`${name} -${letter}`);
    if (value !== undefined && value !== '' && out.length < MAX_TOOL_WORDS) out.push(`${name} -${letter} ${value}`);
  });
  return true;
}

/** Adds the values of the tool `name` given words[from, to). */
function addSegment(out: string[], name: string, words: readonly string[], from: number, to: number): void {
  const opts = SHORT_OPTIONS.get(name);
  for (let i = from; i < to && out.length < MAX_TOOL_WORDS; i++) {
    const w = words[i]!;
    if (w === '') continue;
    out.push(`${name} ${w}`);
    if (w.length < 2 || w.charCodeAt(0) !== 0x2d) continue;
    const next = i + 1 < to ? words[i + 1]! : '';
    if (next !== '') out.push(`${name} ${w} ${next}`);
    // `--opt ''` (an empty argv element, not the end of the words) is `--opt=`, as getopt_long and traitlets read it.
    else if (i + 1 < to && w.length > 2 && w.charCodeAt(1) === 0x2d && w.indexOf('=') < 0 && out.length < MAX_TOOL_WORDS) out.push(`${name} ${w}=`);
    if (opts !== undefined && w.length > 2 && w.charCodeAt(1) !== 0x2d && addTabledCluster(out, name, opts, w, next)) continue;
    if (!isFlagCluster(w)) continue;
    for (let k = 1; k < w.length; k++) out.push(`${name} ${SHORT_FLAG[w.charCodeAt(k)]!}`);
    if (next !== '') out.push(`${name} ${SHORT_FLAG[w.charCodeAt(w.length - 1)]!} ${next}`);
  }
}

/**
 * Calls `visit` for each tool segment of `commands` (see the header): each tool along each
 * command's wrappers, as its base name, with the words it is given, words[from, to); `last` for the
 * tool the command runs in the end. Stops once `full()` says the field holds its bound.
 */
function eachSegment(
  commands: readonly (readonly string[])[],
  full: () => boolean,
  visit: (name: string, words: readonly string[], from: number, to: number, last: boolean) => void,
): void {
  for (let c = 0; c < commands.length && !full(); c++) {
    const { words, chain, end } = wrapperChain(commands[c]!);
    for (let k = 0; k < chain.length && !full(); k++) {
      const t = chain[k]!;
      // A wrapper's words stop before the command it runs (find's include its `-exec`).
      const to = k + 1 < chain.length ? chain[k + 1]! : end;
      visit(baseName(words[t]!), words, t + 1, to, k + 1 === chain.length);
    }
  }
}

/** The `attrs.exec.toolWords` values of `commands` (see the header), in order, MAX_TOOL_WORDS at most. */
export function toolWords(commands: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  eachSegment(commands, () => out.length >= MAX_TOOL_WORDS, (name, words, from, to, last) => {
    if (last && to <= from) out.push(name);
    else addSegment(out, name, words, from, to);
  });
  // A cluster's letters may have gone past the bound within its word.
  if (out.length > MAX_TOOL_WORDS) out.length = MAX_TOOL_WORDS;
  return out;
}

/** The `attrs.exec.toolLine` values of `commands` (see the header): one line per tool segment, in order, each once, MAX_TOOL_WORDS at most. */
export function toolLines(commands: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  eachSegment(commands, () => out.length >= MAX_TOOL_WORDS, (name, words, from, to) => {
    const rest = joinWords(words.slice(from, to));
    const line = rest === '' ? name : `${name} ${rest}`;
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  });
  return out;
}
