/**
 * The environment interpreter code sets for what it runs, read as the shell words that set it so
 * `attrs.exec.environment` (exec-environment.ts) holds it as it holds a shell's:
 * - the process environment, inherited by every command and library the process loads later, read
 *   as `export K=V #marker` (one run per statement or call, each variable an operand;
 *   exec-interpreter-transfer.ts emits it): Python `os.environ[K] = V` (`+=`: `K=${K}V`),
 *   `os.environ.update({…})` / `update(K=V)`, `.setdefault`, `.__setitem__`, `os.putenv(K, V)`;
 *   JavaScript `process.env.K = V`, `process.env[K] = V`, `Object.assign(process.env, {…})`; Perl
 *   `$ENV{K} = V` (`.=` appends), `%ENV = (%ENV, K => V)`; Ruby `ENV[K] = V`, `ENV.store(K, V)`, `ENV.update(…)`; PHP
 *   `putenv('K=V')` (the disable_functions bypass: LD_PRELOAD, then `mail()` runs sendmail);
 * - the environment one command is given: `subprocess.run(argv, env={'LD_PRELOAD': p})` → `env
 *   LD_PRELOAD=p argv…`, with `shell=True` → `env LD_PRELOAD=p sh -c LINE`; `os.execve` and the
 *   other `…e` calls, Node's spawn / exec options, Ruby's leading env hash, PHP's proc_open env
 *   likewise (exec-interpreter-calls.ts); the dict may be built first (exec-interpreter-dict-sets.ts).
 * A variable whose name is not known before run time is left out, and so is one no part of whose
 * value is (`env={'PATH': os.environ['PATH']}` names nothing a rule could read); a value with a
 * known part keeps its unknown parts as HOLE (`os.environ.get('LD_LIBRARY_PATH', '') + ':/tmp/x'`
 * → `LD_LIBRARY_PATH=${RUNTIME}:/tmp/x`). At most MAX_ASSIGNMENTS variables per call.
 */
import type { Transfer, TransferContext } from './exec-interpreter-transfer.js';
import { dottedHead, type Chain, type Step, type Word } from './exec-interpreter-transfer-path.js';
import { expressionEnd } from './exec-interpreter-bindings.js';
import { HOLE, isOp, TK_NAME, TK_VAR, type Lang } from './exec-interpreter-token.js';
import { strVal, V_DICT, V_STR, type Val } from './exec-interpreter-value.js';

const MAX_ASSIGNMENTS = 16;
/** A variable name as a shell takes one (exec-environment.ts reads `NAME=value` words). */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a value's text has a part known before run time (HOLE stands for the rest). */
const partlyKnown = (s: string): boolean => s.split(HOLE).join('') !== '';

/** A dict value's keys that name a variable, spelled with a known text value (`{'LD_PRELOAD': '/dev/shm/h.so'}`). */
function knownVariables(env: Val | undefined): Array<[string, Val]> {
  if (env === undefined || env.k !== V_DICT || !env.keys) return [];
  const out: Array<[string, Val]> = [];
  for (const [name, v] of env.keys) {
    if (out.length >= MAX_ASSIGNMENTS) break;
    if (NAME.test(name) && v.k === V_STR && !v.bin && partlyKnown(v.s)) out.push([name, v]);
  }
  return out;
}

/** The words a command given the environment `env` runs under: `env NAME=value…` for the dict's known variables (knownVariables), none without one. */
export function underEnv(env: Val | undefined): Val[] {
  const vars = knownVariables(env);
  return vars.length === 0 ? [] : [strVal('env', 0), ...vars.map(([name, v]) => strVal(`${name}=${v.s}`, v.how))];
}

/** The `export` run a call sets the process environment by (see the header), or null. */
export function envCall(ctx: TransferContext, lang: Lang, c: Chain, call: Step): Transfer | null {
  const head = dottedHead(c);
  const a = ctx.args(call);
  const pairs: Array<[Word, Word]> = [];
  const fromDict = (range: [number, number] | undefined): void => {
    if (range !== undefined) for (const [name, v] of knownVariables(ctx.chains.values.value(range[0], range[1]))) pairs.push([[name, 0], [v.s, v.how]]);
  };
  if (lang === 'python' && c.rooted) {
    if (head === 'os.putenv' || head === 'posix.putenv' || head === 'os.environ.setdefault' || head === 'os.environ.__setitem__') {
      pairs.push([ctx.word(a.kw.get('key') ?? a.pos[0]), ctx.word(a.kw.get('value') ?? a.kw.get('default') ?? a.pos[1])]);
    } else if (head === 'os.environ.update') {
      for (const [k, range] of a.kw) pairs.push([[k, 0], ctx.word(range)]);
      fromDict(a.pos[0]);
    } else return null;
  } else if (lang === 'js' && head === 'Object.assign' && a.pos[0] !== undefined && isEnvironmentAt(ctx, 'js', a.pos[0])) {
    for (const range of a.pos.slice(1)) fromDict(range);
  } else if (lang === 'ruby' && head === 'ENV.store') {
    pairs.push([ctx.word(a.pos[0]), ctx.word(a.pos[1])]);
  } else if (lang === 'ruby' && head === 'ENV.update') {
    for (const range of a.pos) {
      const arrow = rubyPair(ctx, range);
      if (arrow !== null) pairs.push(arrow);
      else fromDict(range);
    }
  } else if (lang === 'php' && head === 'putenv') {
    // putenv("K=V"): one setting, split at its first `=`.
    const [text, how] = ctx.word(a.pos[0]);
    const eq = text.indexOf('=');
    if (eq > 0) pairs.push([[text.slice(0, eq), how], [text.slice(eq + 1), how]]);
  } else return null;
  return exportRun(pairs, head);
}

/** Whether the expression [a, b) is the process environment (isEnvironment); a start below 0 (no callee found) is none. */
function isEnvironmentAt(ctx: TransferContext, lang: Lang, [a, b]: [number, number]): boolean {
  const c = a >= 0 && a < b ? ctx.chains.chain(a, b) : null;
  return c !== null && isEnvironment(lang, c);
}

/** A Ruby hash argument without braces, `'K' => V` (one pair per argument range), or null. */
function rubyPair(ctx: TransferContext, [a, b]: [number, number]): [Word, Word] | null {
  const ts = ctx.chains.ts;
  const k = isOp(ts[a], ':') ? a + 1 : a;
  return isOp(ts[k + 1], '=>') && k + 2 < b ? [ctx.word([k, k + 1]), ctx.word([k + 2, b])] : null;
}

/**
 * The `export` run an assignment to the process environment at the `=` (or compound `+=` / Perl
 * `.=`) token `i` stands for (see the header), or null for any other assignment.
 */
export function envAssignment(ctx: TransferContext, lang: Lang, i: number): Transfer | null {
  const { ts, match } = ctx.chains;
  const op = ts[i]!.v;
  const appends = op === '+=' || (op === '.=' && lang === 'perl');
  if (op !== '=' && !appends) return null;
  const last = ts[i - 1];
  if (lang === 'perl' && !appends && last?.k === TK_VAR && last.v === '%ENV') return perlEnvList(ctx, i);
  let key: Word | null = null;
  if (isOp(last, ']') || (lang === 'perl' && isOp(last, '}'))) {
    const open = match[i - 1]!;
    if (open < 0 || open >= i - 1) return null;
    if (lang === 'perl') {
      // `$ENV{K}`: a bare key is a string.
      if (!isOp(ts[open], '{') || ts[open - 1]?.k !== TK_VAR || ts[open - 1]!.v !== '$ENV') return null;
      key = open + 2 === i - 1 && ts[open + 1]!.k === TK_NAME ? [ts[open + 1]!.v, 0] : ctx.word([open + 1, i - 1]);
    } else {
      if (!isEnvironmentAt(ctx, lang, [ctx.chains.calleeStart(open), open])) return null;
      key = ctx.word([open + 1, i - 1]);
    }
  } else if (lang === 'js' && last?.k === TK_NAME && isOp(ts[i - 2], '.')) {
    if (!isEnvironmentAt(ctx, lang, [ctx.chains.calleeStart(i), i - 2])) return null;
    key = [last.v, 0];
  }
  if (key === null) return null;
  // The value: the assignment's right-hand side, as the bindings reader reads a name's.
  const [text, how] = ctx.word([i + 1, expressionEnd(ts, match, i + 1, lang)]);
  return exportRun([[key, [appends ? `\${${key[0]}}${text}` : text, how]]], ENV_MARKERS[lang] ?? 'environ');
}

/**
 * Perl's whole environment assigned at the `=` `i` (also `local %ENV = …`): `%ENV = (%ENV, K => V)`
 * or `(K => V, …)`. The list is flat, so its items pair up in order; a hash in it (`%ENV`, `%h`)
 * spreads into whole pairs and is stepped over. Names and values as the other forms read them.
 */
function perlEnvList(ctx: TransferContext, i: number): Transfer | null {
  const { ts, match, values } = ctx.chains;
  if (!isOp(ts[i + 1], '(')) return null;
  const close = match[i + 1]!;
  if (close <= i + 1) return null;
  const items = values.split(i + 2, close);
  const pairs: Array<[Word, Word]> = [];
  for (let k = 0; k + 1 < items.length && pairs.length < MAX_ASSIGNMENTS; ) {
    const [a, b] = items[k]!;
    if (b === a + 1 && ts[a]!.k === TK_VAR && ts[a]!.v.startsWith('%')) {
      k++;
      continue;
    }
    pairs.push([b === a + 1 && ts[a]!.k === TK_NAME ? [ts[a]!.v, 0] : ctx.word(items[k]), ctx.word(items[k + 1])]);
    k += 2;
  }
  return exportRun(pairs, '%ENV');
}

/** The process environment as the language names it (Python's also when imported: `from os import environ`). */
function isEnvironment(lang: Lang, c: Chain): boolean {
  const head = dottedHead(c);
  if (lang === 'python') return c.rooted && head === 'os.environ';
  if (lang === 'js') return c.steps.length === 2 && head === 'process.env';
  return lang === 'ruby' && c.steps.length === 1 && head === 'ENV';
}

const ENV_MARKERS: Partial<Record<Lang, string>> = { python: 'os.environ', js: 'process.env', perl: '%ENV', ruby: 'ENV' };

/** `export K=V … #marker` for the known names of `pairs`. */
function exportRun(pairs: ReadonlyArray<readonly [Word, Word]>, marker: string): Transfer | null {
  const words: Word[] = [['export', 0]];
  for (const [k, v] of pairs.slice(0, MAX_ASSIGNMENTS)) if (NAME.test(k[0]) && partlyKnown(v[0])) words.push([`${k[0]}=${v[0]}`, v[1]]);
  if (words.length === 1) return null;
  words.push([`#${marker}`, 0]);
  return { words };
}
