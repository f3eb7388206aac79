/**
 * The library each JavaScript name a module binding introduces stands for, for the chain reader
 * (exec-interpreter-transfer-path.ts), so a renamed import reads as the library it is:
 * - ES module imports (ECMAScript §16.2.2 ImportDeclaration): `import ky from 'got'` (the default
 *   export: the module itself, as Node's CommonJS interop gives it), `import * as h from
 *   'node:https'` (the namespace), `import { request as r } from 'https'` (r → `https.request`),
 *   `import { default as ky } from 'got'`, and `import X, { … } from 'm'` / `import X, * as Y from 'm'`;
 * - object binding patterns (§14.3.3, one level) of a module or a name: `const { request: r } =
 *   require('https')` (r → `https.request`), `const { get } = https`.
 * Node's `node:` scheme prefix is dropped (`node:https` is `https`). A name bound twice is no
 * library (null). Bounded: MAX_NAMES names, MAX_CLAUSE tokens an import clause; linear in the
 * tokens (each destructured right-hand side is read once, through the caller's bounded chain
 * reader). Never throws.
 */
import { expressionEnd } from './exec-interpreter-bindings.js';
import { isName, isOp, TK_NAME, TK_NL, TK_STR, type Token } from './exec-interpreter-token.js';

const MAX_NAMES = 64;
const MAX_CLAUSE = 96;

/** What a name stands for: the library path (`['https', 'request']`), and whether it starts at a module. */
export interface JsLibraryName {
  path: string[];
  rooted: boolean;
}
/** Local name → what it stands for; null for a name bound twice. */
export type JsLibraryNames = Map<string, JsLibraryName | null>;

/** What the reader needs: the tokens, their bracket matches, comma splitting, and the library path an expression is (null: none). */
export interface JsImportSource {
  readonly ts: readonly Token[];
  readonly match: Int32Array;
  split(a: number, b: number): Array<[number, number]>;
  pathOf(a: number, b: number): JsLibraryName | null;
}

const moduleName = (s: string): string => (s.startsWith('node:') ? s.slice(5) : s);

/**
 * Fills `out` (which the caller may already consult while it fills: a destructured right-hand side
 * sees the names bound before it) with the code's import and destructuring names.
 */
export function readJsLibraryNames(src: JsImportSource, out: JsLibraryNames): void {
  const ts = src.ts;
  const bind = (local: string, path: string[], rooted: boolean): void => {
    if (out.size >= MAX_NAMES && !out.has(local)) return;
    out.set(local, out.has(local) ? null : { path, rooted });
  };
  for (let k = 0; k < ts.length && out.size < MAX_NAMES; k++) {
    const t = ts[k]!;
    if (isName(t, 'import') && !isOp(ts[k - 1], '.') && !isOp(ts[k + 1], '(') && !isOp(ts[k + 1], '.')) k = importClause(src, k + 1, bind);
    else if (isOp(t, '{')) destructure(src, k, bind);
  }
}

/** `import <clause> from 'm'` from token `k`: binds the clause's names; returns the index to go on from. */
function importClause(src: JsImportSource, k: number, bind: (local: string, path: string[], rooted: boolean) => void): number {
  const { ts, match } = src;
  let from = -1;
  for (let j = k; j < ts.length && j < k + MAX_CLAUSE; j++) {
    if (isName(ts[j], 'from') && ts[j + 1]?.k === TK_STR) {
      from = j;
      break;
    }
    if (isOp(ts[j], ';') || ts[j]!.k === TK_NL || ts[j]!.k === TK_STR) return j;
  }
  if (from < 0) return k;
  const mod = moduleName(ts[from + 1]!.v);
  for (let j = k; j < from; j++) {
    const t = ts[j]!;
    if (isOp(t, '*') && isName(ts[j + 1], 'as') && isName(ts[j + 2])) {
      bind(ts[j + 2]!.v, [mod], true);
      j += 2;
    } else if (isOp(t, '{')) {
      const close = Math.min(match[j]! >= j ? match[j]! : from, from);
      for (const [x, y] of src.split(j + 1, close)) {
        const name = ts[x];
        if (name === undefined || (name.k !== TK_NAME && name.k !== TK_STR)) continue;
        const local = y === x + 3 && isName(ts[x + 1], 'as') && isName(ts[x + 2]) ? ts[x + 2]!.v : y === x + 1 && name.k === TK_NAME ? name.v : null;
        if (local !== null) bind(local, name.v === 'default' ? [mod] : [mod, name.v], true);
      }
      j = close;
    } else if (t.k === TK_NAME && t.v !== 'type' && (isName(ts[j + 1], 'from') || isOp(ts[j + 1], ','))) bind(t.v, [mod], true);
  }
  return from + 1;
}

/** `{ a, b: c } = X` at `open` (a declaration or an assignment): c → X's path and `b`, when X is a library path. */
function destructure(src: JsImportSource, open: number, bind: (local: string, path: string[], rooted: boolean) => void): void {
  const { ts, match } = src;
  const close = match[open]!;
  if (close <= open || close >= ts.length || !isOp(ts[close + 1], '=') || isOp(ts[close + 2], '=')) return;
  const lib = src.pathOf(close + 2, expressionEnd(ts, match, close + 2, 'js'));
  if (lib === null) return;
  for (const [x, y] of src.split(open + 1, close)) {
    const key = ts[x];
    if (key === undefined || (key.k !== TK_NAME && key.k !== TK_STR)) continue;
    if (y === x + 1 && key.k === TK_NAME) bind(key.v, [...lib.path, key.v], lib.rooted);
    else if (y === x + 3 && isOp(ts[x + 1], ':') && isName(ts[x + 2])) bind(ts[x + 2]!.v, key.v === 'default' ? lib.path : [...lib.path, key.v], lib.rooted);
  }
}
