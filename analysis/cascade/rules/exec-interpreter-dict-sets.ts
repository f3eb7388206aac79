/**
 * Keys code sets on a dict after binding it to a name, read into the value the name has
 * (exec-interpreter-value.ts): the way an environment for a child is built up before the call
 * that passes it (`env = os.environ.copy(); env['LD_PRELOAD'] = p; subprocess.run(argv, env=env)`).
 * - `NAME[KEY] = V` (Python, JavaScript, Ruby, PHP's `$NAME[KEY] = V`), JavaScript's `NAME.KEY = V`;
 * - `NAME.update({…})` / `NAME.update(K=V)` / `NAME.setdefault(K, V)` / `NAME.__setitem__(K, V)`
 *   (Python), `NAME.store(K, V)` / `NAME.update({…})` (Ruby), `Object.assign(NAME, {…})` (JavaScript).
 * A set through an attribute or another name's subscript (`self.env[K] = …`, `a.env.K = …`) is no
 * set of NAME. As a list a method later mutates reads as first assigned (exec-interpreter-bindings.ts),
 * every set anywhere in the code counts, in text order: one reading of what the dict may hold. At
 * most MAX_SETS per name; linear in the tokens.
 */
import { expressionEnd, MEMBER } from './exec-interpreter-bindings.js';
import { isOp, TK_NAME, TK_OP, TK_VAR, type Lang, type Token } from './exec-interpreter-token.js';

export const MAX_SETS = 16;

/**
 * One set: a key (a token range, or a name spelled as a JavaScript attribute) and its value's range;
 * or a call's arguments [a, b), merged in (`pair`: its first two are a key and its value).
 */
export type DictSet = { key: [number, number] | string; value: [number, number] } | { merge: [number, number]; pair: boolean };

/** The sets of the header on `name`, in text order. */
export function dictSets(ts: readonly Token[], match: Int32Array, lang: Lang, name: string): DictSet[] {
  const out: DictSet[] = [];
  for (let i = 0; i < ts.length && out.length < MAX_SETS; i++) {
    const t = ts[i]!;
    if ((t.k !== TK_NAME && t.k !== TK_VAR) || t.v !== name || (i > 0 && ts[i - 1]!.k === TK_OP && MEMBER.has(ts[i - 1]!.v))) continue;
    const next = ts[i + 1];
    if (isOp(next, '[')) {
      const close = match[i + 1]!;
      if (close > i + 1 && close < ts.length && isOp(ts[close + 1], '=')) {
        out.push({ key: [i + 2, close], value: [close + 2, expressionEnd(ts, match, close + 2, lang)] });
      }
    } else if (isOp(next, '.') && ts[i + 2]?.k === TK_NAME) {
      const m = ts[i + 2]!.v;
      const open = i + 3;
      if (lang === 'js' && isOp(ts[open], '=')) out.push({ key: m, value: [open + 1, expressionEnd(ts, match, open + 1, lang)] });
      else if (isOp(ts[open], '(') && match[open]! > open && (MERGES[lang]?.has(m) === true || PAIRS[lang]?.has(m) === true)) {
        out.push({ merge: [open + 1, match[open]!], pair: PAIRS[lang]?.has(m) === true });
      }
    } else if (lang === 'js' && isOp(next, ',') && isOp(ts[i - 1], '(') && ts[i - 2]?.v === 'assign' && isOp(ts[i - 3], '.') && ts[i - 4]?.v === 'Object') {
      out.push({ merge: [i + 2, match[i - 1]!], pair: false });
    }
  }
  return out;
}

/** Methods that merge their arguments' keys (a dict, keywords). */
const MERGES: Partial<Record<Lang, ReadonlySet<string>>> = { python: new Set(['update']), ruby: new Set(['update']) };
/** Methods that set one key: `(K, V)`. */
const PAIRS: Partial<Record<Lang, ReadonlySet<string>>> = { python: new Set(['setdefault', '__setitem__']), ruby: new Set(['store']) };
