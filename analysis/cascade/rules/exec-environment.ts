/**
 * `attrs.exec.environment` (event-fields.ts): the variables an exec's commands set, as `NAME=value`
 * words, in order, each once. A variable counts where the shell or a wrapper makes it one: an
 * assignment word before a command's tool (`LD_PRELOAD=/tmp/x.so python3 train.py`), one a
 * wrapper takes before the command it runs (`env -u X PYTHONPATH=/tmp/m torchrun …`, past
 * `sudo`, `nohup`, `timeout`…: exec-wrappers.ts), a command that only assigns (`P=/tmp/m; export
 * P`), and the operands of `export`, `declare` / `typeset`, `local` and `readonly` that assign
 * (interpreter code's settings are read as such commands: exec-interpreter-environ.ts; the
 * assignments given to a shell that runs a script, which is no command of the reading, the
 * canonical reading keeps beside: exec-canonical.ts `carryEnv`). A
 * word given to another tool is that tool's data, not the environment: `echo LD_PRELOAD=/tmp/x >>
 * notes`, `grep PYTHONPATH= /etc/environment` give nothing. Bounded by MAX_VARIABLES; never throws.
 */
import { wrapperChain } from './exec-fetched-run.js';
import { baseName } from './exec-canonical.js';
import { isAssignment } from './shell-script.js';
import { DECLARATION_BUILTINS } from './shell-vars.js';

/** Values one reading gives. */
export const MAX_VARIABLES = 16;

/** The `NAME=value` words `commands` (one canonical reading's) set, as the header reads them. */
export function environmentWords(commands: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  const add = (w: string): void => {
    if (out.length < MAX_VARIABLES && !out.includes(w)) out.push(w);
  };
  for (const cmd of commands) {
    const { words, chain, end } = wrapperChain(cmd);
    // The word the command finally runs, past its wrappers (none: the command only assigns).
    const t = chain.length > 0 ? chain[chain.length - 1]! : words.length;
    for (let i = 0; i < t && i < end; i++) if (isAssignment(words[i]!)) add(words[i]!);
    if (t < end && DECLARATION_BUILTINS.has(baseName(words[t]!))) {
      for (let i = t + 1; i < end; i++) if (isAssignment(words[i]!)) add(words[i]!);
    }
    if (out.length >= MAX_VARIABLES) break;
  }
  return out;
}
