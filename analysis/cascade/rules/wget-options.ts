/**
 * GNU wget's options that take a value (`wget --help`): the common ones and every one naming a file
 * or a request body. One table for the readings of wget's words: the file a fetch writes
 * (exec-fetched-run.ts) and the Ray job it submits (exec-ray-rest.ts).
 */
import { walkOptionWords } from './option-operands.js';

/** Short options that take a value. */
export const WGET_VALUE_SHORT: ReadonlySet<string> = new Set(['O', 'o', 'a', 'P', 'U', 'e', 'i', 'B', 't', 'T', 'w', 'Q', 'l', 'A', 'R', 'D', 'X', 'I']);

/** Long options that take a value (the next word when not given with `=`). */
export const WGET_VALUE_LONG: ReadonlySet<string> = new Set([
  'output-document', 'directory-prefix', 'output-file', 'tries', 'timeout', 'user-agent', 'header', 'post-data', 'post-file',
  'body-data', 'body-file', 'method', 'user', 'password', 'input-file', 'level', 'accept', 'reject', 'domains',
  'exclude-domains', 'include-directories', 'exclude-directories', 'cut-dirs', 'wait', 'limit-rate', 'quota', 'execute', 'referer',
]);

/** wget's words after its tool word at `t`, as wget reads them (option-operands.ts `walkOptionWords`). */
export function walkWgetWords(
  words: readonly string[],
  t: number,
  option: (name: string, value: string | undefined, long: boolean) => void,
  operand: (w: string) => boolean,
): void {
  walkOptionWords(words, t, WGET_VALUE_SHORT, WGET_VALUE_LONG, option, operand);
}
