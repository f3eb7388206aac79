/**
 * A command's operands: its words that are neither options nor their values, for the readings
 * that find a copy's destination by position (exec-bucket-copies.ts, exec-rclone-copies.ts). Each
 * tool says which options take the next word (`takesNext`); `--` ends the options. And where a
 * command's leading options end (`leadingOptionsEnd`), for tools whose first operand starts what
 * they run (ssh's host, a container CLI's image or container: exec-wrappers.ts). And a walk over a
 * getopt_long tool's words with its option values (`walkOptionWords`), for curl's and wget's readings,
 * and its operands with `--` ending the options (`getoptOperands`: git clone; `getoptArgs` with the
 * options' values, for the data-store clients). And the values of an option wherever it stands
 * (`optionValues`), and the option tables' builders.
 */

/**
 * The operands of `words` (the tool word first). `takesNext(option, next)` says whether `option`
 * (a word starting with `-`, `-` alone excepted) takes `next` as its value; it is asked only when
 * there is a next word.
 */
export function optionOperands(words: readonly string[], takesNext: (option: string, next: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      for (let j = i + 1; j < words.length; j++) out.push(words[j]!);
      break;
    }
    if (w.length < 2 || w.charCodeAt(0) !== 0x2d) {
      out.push(w);
      continue;
    }
    const next = words[i + 1];
    if (next !== undefined && takesNext(w, next)) i++;
  }
  return out;
}

/**
 * The index of the first operand after `from` when options stand before operands (XCU 12.2
 * guideline 9): a word not starting with `-` (or `-` alone), or the word after `--`.
 * `option(w, j)` reads the option word `w` at `j` and says how many words after it the option
 * takes as its value (0 or 1), or -1 to stop: the command runs nothing (`ssh -N`), and so does
 * this return -1. Past the last word: `words.length`.
 */
export function leadingOptionsEnd(words: readonly string[], from: number, option: (w: string, j: number) => number): number {
  let j = from;
  for (; j < words.length; j++) {
    const w = words[j]!;
    if (w === '--') return j + 1;
    if (w.length < 2 || w.charCodeAt(0) !== 0x2d) return j;
    const takes = option(w, j);
    if (takes < 0) return -1;
    j += takes;
  }
  return words.length;
}

/**
 * The short-option cluster `w` (`-` then letters) as getopt reads it, given the letters that take
 * a value: `option(letter, value)` for each letter up to the first that takes a value, whose value
 * is the rest of the word or else `next` (undefined for a switch, or a value missing at the end);
 * true when it took `next`.
 */
export function walkShortCluster(w: string, next: string | undefined, valueShort: ReadonlySet<string>, option: (letter: string, value: string | undefined) => void): boolean {
  for (let i = 1; i < w.length; i++) {
    const f = w[i]!;
    if (!valueShort.has(f)) {
      option(f, undefined);
      continue;
    }
    if (i + 1 < w.length) {
      option(f, w.slice(i + 1));
      return false;
    }
    option(f, next);
    return true;
  }
  return false;
}

/**
 * The words after the tool word at `t`, as a getopt_long tool reads them given the options that
 * take a value (`valueShort` letters, `valueLong` names): `option(name, value, long)` for each
 * option, a long one by its name without the dashes, a short one by its letter (each letter of a
 * cluster up to the first that takes a value), with its value (`--name=value`, the next word, the
 * rest of the cluster; undefined for a switch or a value missing at the end); `operand(w)` for every
 * other word, which stops the walk by returning false.
 */
export function walkOptionWords(
  words: readonly string[],
  t: number,
  valueShort: ReadonlySet<string>,
  valueLong: ReadonlySet<string>,
  option: (name: string, value: string | undefined, long: boolean) => void,
  operand: (w: string) => boolean,
): void {
  for (let k = t + 1; k < words.length; k++) {
    const w = words[k]!;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = w.slice(2, eq < 0 ? undefined : eq);
      option(name, eq < 0 ? (valueLong.has(name) ? words[++k] : undefined) : w.slice(eq + 1), true);
      continue;
    }
    if (w.length > 1 && w[0] === '-') {
      if (walkShortCluster(w, words[k + 1], valueShort, (f, value) => option(f, value, false))) k++;
      continue;
    }
    if (!operand(w)) return;
  }
}

/**
 * Every operand of the getopt_long tool at `t` (`walkOptionWords`: options may stand among the
 * operands, as GNU getopt permutes them), with `option` called for each option; a `--` ends the
 * options, and every word after it is an operand.
 */
export function getoptOperands(
  words: readonly string[],
  t: number,
  valueShort: ReadonlySet<string>,
  valueLong: ReadonlySet<string>,
  option: (name: string, value: string | undefined, long: boolean) => void,
): string[] {
  const operands: string[] = [];
  const dashes = words.indexOf('--', t + 1);
  walkOptionWords(dashes < 0 ? words : words.slice(0, dashes), t, valueShort, valueLong, option, (w) => {
    operands.push(w);
    return true;
  });
  if (dashes >= 0) operands.push(...words.slice(dashes + 1));
  return operands;
}

/**
 * The values given to any of `names` (`-q TEXT`, `--query TEXT`, `--query=TEXT`), wherever they
 * stand: for clients whose other options are not read, where a value that looks like one of the
 * names is rare. In order, `''` for a name with nothing after it.
 */
export function optionValues(args: readonly string[], names: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const w = args[k]!;
    if (names.has(w)) out.push(args[++k] ?? '');
    else if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      if (eq > 0 && names.has(w.slice(0, eq))) out.push(w.slice(eq + 1));
    }
  }
  return out;
}

/** An option table of one-letter names (`optionLetters('hpu')`: -h, -p, -u). */
export const optionLetters = (letters: string): ReadonlySet<string> => new Set(letters.split(''));
/** An option table of names separated by spaces (`optionNames('host port')`). */
export const optionNames = (names: string): ReadonlySet<string> => new Set(names.split(' '));

/**
 * A getopt_long tool's arguments (`args`: the words after its name) read whole
 * (`getoptOperands`): each option's values by name, in order (`''` for an option without one),
 * and the operands.
 */
export function getoptArgs(args: readonly string[], short: ReadonlySet<string>, long: ReadonlySet<string>): { opts: Map<string, string[]>; operands: string[] } {
  const opts = new Map<string, string[]>();
  const operands = getoptOperands(['', ...args], 0, short, long, (name, value) => {
    const values = opts.get(name);
    if (values) values.push(value ?? '');
    else opts.set(name, [value ?? '']);
  });
  return { opts, operands };
}
