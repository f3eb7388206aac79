/**
 * A command's operands: its words that are neither options nor their values, for the readings
 * that find a copy's destination by position (exec-bucket-copies.ts, exec-rclone-copies.ts). Each
 * tool says which options take the next word (`takesNext`); `--` ends the options. And where a
 * command's leading options end (`leadingOptionsEnd`), for tools whose first operand starts what
 * they run (ssh's host, a container CLI's image or container: exec-wrappers.ts).
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
