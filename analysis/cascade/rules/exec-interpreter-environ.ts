/**
 * The environment interpreter code sets for what it runs, read as the shell words that set it so
 * `attrs.exec.environment` (exec-environment.ts) holds it as it holds a shell's:
 * - Python's process environment, inherited by every command and library the process loads
 *   later: `os.environ['LD_PRELOAD'] = '/dev/shm/h.so'`, `os.environ.update({…})` /
 *   `os.environ.update(K=V)`, `os.environ.setdefault(K, V)`, `os.putenv(K, V)` → `export K=V
 *   #os.environ` (one run per call, each variable an operand; exec-interpreter-transfer.ts emits it);
 * - the environment one command is given: `subprocess.run(argv, env={'LD_PRELOAD': p})` → `env
 *   LD_PRELOAD=p argv…`, with `shell=True` → `env LD_PRELOAD=p sh -c LINE`; Node's `spawn(file,
 *   args, {env: {…}})` likewise (exec-interpreter-calls.ts).
 * A variable whose name or value is not known before run time is left out (`env={'PATH':
 * os.environ['PATH']}` names nothing a rule could read). At most MAX_ASSIGNMENTS variables per call.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { dottedHead, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { expressionEnd } from './exec-interpreter-bindings.js';
import { HOLE, isOp } from './exec-interpreter-token.js';
import { strVal, V_DICT, V_STR, type Val } from './exec-interpreter-value.js';

const MAX_ASSIGNMENTS = 16;
/** A variable name as a shell takes one (exec-environment.ts reads `NAME=value` words). */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A dict value's keys that name a variable, spelled with a known text value (`{'LD_PRELOAD': '/dev/shm/h.so'}`). */
function knownVariables(env: Val | undefined): Array<[string, Val]> {
  if (env === undefined || env.k !== V_DICT || !env.keys) return [];
  const out: Array<[string, Val]> = [];
  for (const [name, v] of env.keys) {
    if (out.length >= MAX_ASSIGNMENTS) break;
    if (NAME.test(name) && v.k === V_STR && !v.bin && !v.s.includes(HOLE)) out.push([name, v]);
  }
  return out;
}

/** `NAME=value` words of a dict value's known variables (knownVariables), with their INDIRECT_* bits. */
export function assignmentVals(env: Val | undefined): Val[] {
  return knownVariables(env).map(([name, v]) => strVal(`${name}=${v.s}`, v.how));
}

/** The `export` run a Python call sets the process environment by (see the header), or null: `os.putenv`, `os.environ.update` / `.setdefault`. */
export function pythonEnvCall(ctx: TransferContext, c: Chain, call: Step): Transfer | null {
  if (!c.rooted) return null;
  const head = dottedHead(c);
  const a = ctx.args(call);
  const pairs: Array<[Word, Word]> = [];
  if (head === 'os.putenv' || head === 'posix.putenv' || head === 'os.environ.setdefault') {
    pairs.push([ctx.word(a.kw.get('key') ?? a.pos[0]), ctx.word(a.kw.get('value') ?? a.kw.get('default') ?? a.pos[1])]);
  } else if (head === 'os.environ.update') {
    for (const [k, range] of a.kw) pairs.push([[k, 0], ctx.word(range)]);
    const first = a.pos[0];
    if (first !== undefined) for (const [name, v] of knownVariables(ctx.chains.values.value(first[0], first[1]))) pairs.push([[name, 0], [v.s, v.how]]);
  } else return null;
  return exportRun(pairs, head);
}

/**
 * `os.environ[K] = V` at the `[` token `i` (also `environ[K] = V` where `from os import environ`),
 * read as an export, or null for any other subscript.
 */
export function pythonEnvAssignment(ctx: TransferContext, i: number): Transfer | null {
  const { ts, match } = ctx.chains;
  const close = match[i]!;
  if (close <= i || !isOp(ts[close + 1], '=')) return null;
  const start = ctx.chains.calleeStart(i);
  if (start < 0) return null;
  const c = ctx.chains.chain(start, i);
  if (c === null || !c.rooted || dottedHead(c) !== 'os.environ') return null;
  // The key as a value: a string, or a name assigned one once (`k = 'LD_PRELOAD'; os.environ[k] = …`).
  const key = ctx.word([i + 1, close]);
  // The value: the assignment's right-hand side, as the bindings reader reads a name's.
  return exportRun([[key, ctx.word([close + 2, expressionEnd(ts, match, close + 2, 'python')])]], 'os.environ');
}

/** `export K=V … #marker` for the known names of `pairs`. */
function exportRun(pairs: ReadonlyArray<readonly [Word, Word]>, marker: string): Transfer | null {
  const words: Word[] = [['export', 0]];
  for (const [k, v] of pairs.slice(0, MAX_ASSIGNMENTS)) if (NAME.test(k[0]) && !v[0].includes(HOLE)) words.push([`${k[0]}=${v[0]}`, v[1]]);
  if (words.length === 1) return null;
  words.push([`#${marker}`, 0]);
  return { words };
}
