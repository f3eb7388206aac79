/**
 * `attrs.exec.restamps`: the files whose times a command sets to a time it chooses rather than
 * now, as `touch <file>`: `touch -r REF F` / `--reference=REF` (another file's times), `touch -d
 * DATE F` / `--date=DATE`, `touch -t STAMP F`. Set back after an edit, a file's times no longer
 * say it was changed: a checkpoint tampered with and given its old modification time passes a
 * check that trusts them (MITRE T1070.006, timestomp). A plain `touch F` (now) and `touch --time=atime F`
 * are none.
 *
 * Files are placed against the script's `cd`s (exec-script-paths.ts `placeFile`); a loop variable
 * stands for what the loop runs over and a find -exec or an xargs hands the command what it lists
 * (`find /mnt/ckpt -name '*.pt' -exec touch -r ref {} +` gives `touch /mnt/ckpt/*.pt`:
 * exec-listed-files.ts). GNU and BusyBox touch read their options with getopt_long. Bounded by
 * MAX_LINES; never throws.
 */
import { addLine, MAX_LINES } from './exec-command-lines.js';
import { operandsOf } from './exec-decode-stage.js';
import { ownWords, runIndex } from './exec-fetched-run.js';
import { expandLoop, loopLists, runnerListing } from './exec-listed-files.js';
import { changedDir, placeFile, type WorkDir } from './exec-script-paths.js';
import { getoptArgs, optionLetters, optionNames } from './option-operands.js';

/** touch's options that take a value: short and long. */
const TOUCH_VALUE_SHORT = optionLetters('drt');
const TOUCH_VALUE_LONG = optionNames('date reference time');
/** The options that choose the time set, by the names getoptArgs gives them. */
const CHOSEN_TIME = ['d', 'r', 't', 'date', 'reference'];

/**
 * The files the commands set to a chosen time, each as `touch <file>`, in order, each once.
 * `pipesOut`: indices of commands whose output the next command reads (an xargs' lister);
 * `positional`: the arguments a shell of the reading was given after its script.
 */
export function restamps(commands: readonly (readonly string[])[], pipesOut: readonly number[], positional: readonly string[] | null = null): string[] {
  const out: string[] = [];
  let loops: Map<string, readonly string[]> | null = null;
  let cwd: WorkDir = '';
  for (let c = 0; c < commands.length && out.length < MAX_LINES; c++) {
    const run = runIndex(commands[c]!);
    const { words, t, tool, chain } = run;
    if (tool === 'cd' || tool === 'pushd') {
      cwd = changedDir(cwd, words, t);
      continue;
    }
    if (tool !== 'touch') continue;
    const { opts, operands } = getoptArgs(operandsOf(ownWords(run), t, false) ?? [], TOUCH_VALUE_SHORT, TOUCH_VALUE_LONG);
    if (!CHOSEN_TIME.some((name) => opts.has(name))) continue;
    const handed = runnerListing(commands, pipesOut, c, words, chain);
    // An xargs without a replace string puts what it reads after the command's own words.
    const appended = handed !== null && handed.mark === undefined ? handed.listed : [];
    for (const operand of [...operands, ...appended]) {
      loops ??= loopLists(commands, pipesOut, positional);
      const files = handed !== null && handed.mark !== undefined && operand.includes(handed.mark) ? handed.listed : expandLoop(operand, loops);
      for (const f of files) addLine(out, `touch ${placeFile(cwd, f)}`);
    }
  }
  return out;
}
