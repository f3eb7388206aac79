/**
 * Files a command changes in place without a source of its own, for the reading of what an exec
 * writes (exec-persistence.ts): a size set (`truncate -s 0 F`: a checkpoint emptied, or cut so the
 * loader reads a torn file), blocks allocated, punched out or zeroed (`fallocate -p -o N -l M F`),
 * a file overwritten with noise (`shred -n1 F`, `wipe`, `srm`). Each is a write of what the pod
 * makes: a checkpoint so written is destroyed or tampered with, as one overwritten by `dd` is.
 */
import { toolArgs } from './exec-decode-stage.js';
import { getoptOperands, optionLetters, optionNames } from './option-operands.js';

/** The options that take a value (`short` letters, `long` names), and how many operands are files (all, or the last). */
interface Overwriter {
  short: ReadonlySet<string>;
  long: ReadonlySet<string>;
  last: boolean;
}

const OVERWRITERS: ReadonlyMap<string, Overwriter> = new Map([
  // GNU truncate(1): -o / -c are switches; --size and --reference take a value.
  ['truncate', { short: optionLetters('rs'), long: optionNames('reference size'), last: false }],
  // util-linux fallocate(1): one file, after its offset and length.
  ['fallocate', { short: optionLetters('lo'), long: optionNames('length offset'), last: true }],
  // GNU shred(1): `--remove[=HOW]` takes its value only attached.
  ['shred', { short: optionLetters('ns'), long: optionNames('iterations random-source size'), last: false }],
  // wipe(1) and secure-delete's srm(1): options are switches, save wipe's -l / -p / -b / -S values (attached or next).
  ['wipe', { short: optionLetters('lpbS'), long: optionNames(''), last: false }],
  ['srm', { short: optionLetters(''), long: optionNames(''), last: false }],
]);

/**
 * The files the command's tool at `t` (`tool`, its base name) changes in place, or null when it is
 * none of these; its redirections are not its operands.
 */
export function overwrittenFiles(words: readonly string[], t: number, tool: string): string[] | null {
  const o = OVERWRITERS.get(tool);
  if (o === undefined) return null;
  const files = getoptOperands(toolArgs(words, t, tool), 0, o.short, o.long, () => {}).filter((w) => w !== '');
  return o.last ? files.slice(-1) : files;
}
