/**
 * A command's operands: its words that are neither options nor their values, for the readings
 * that find a copy's destination by position (exec-bucket-copies.ts, exec-rclone-copies.ts). Each
 * tool says which options take the next word (`takesNext`); `--` ends the options.
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
