/**
 * Perl subroutines called through code references (perlref "Making References", "Using
 * References"; UNIVERSAL::can): `$f->(…)` and `&$f(…)` with `my $f = \&IPC::Open3::open3`,
 * `IPC::Open3->can('open3')->(…)`, `&{"IPC::Open2::open2"}(…)` (a symbolic reference), `&{\&…}(…)`.
 * The reference names a subroutine exec-interpreter-callsite.ts looks up as if called by name. A
 * name known only at run time in a package that runs commands (`IPC::Open3->can($x)`,
 * `&{"IPC::Run::$x"}`) is runtime; one in another package (`$obj->can($m)`) is none.
 */
import { isOp, STR_RUNTIME, TK_NAME, TK_OP, TK_STR, TK_VAR, type Token } from './exec-interpreter-token.js';
import { V_STR, type CodeValues } from './exec-interpreter-value.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

/** The packages whose subroutines run commands (the table's qualified Perl names). */
const COMMAND_PACKAGES = ['IPC::Open2', 'IPC::Open3', 'IPC::Run'];
const commandPackage = (name: string): boolean => COMMAND_PACKAGES.some((p) => name === p || name.startsWith(`${p}::`));

/** A subroutine a code reference names: its full name, or null when known only at run time; with the INDIRECT_* bits of the text that named it. */
export interface CodeRef {
  name: string | null;
  how: number;
}


/**
 * The call of a code reference at `i` (a `->` before `(`, or a `&` before `$f(` / `{…}(`):
 * [the reference, the index of the argument parenthesis], or null when none is called there.
 */
export function codeRefCallAt(ts: readonly Token[], match: Int32Array, values: CodeValues, i: number): [CodeRef, number] | null {
  const t = ts[i]!;
  if (t.v === '->' && isOp(ts[i + 1], '(')) {
    const r = ts[i - 1];
    if (r?.k === TK_VAR) return boundRef(ts, match, values, r.v, i + 1);
    if (!isOp(r, ')')) return null;
    const o = match[i - 1]!;
    // `IPC::Open3->can('open3')->(…)`
    if (o > 2 && ts[o - 1]?.k === TK_NAME && ts[o - 1]!.v === 'can' && isOp(ts[o - 2], '->')) {
      const ref = codeRef(ts, match, values, o - 3, i);
      return ref === null ? null : [ref, i + 1];
    }
    // `(\&IPC::Open3::open3)->(…)`: a parenthesized reference, not a call's arguments (`make(…)->(…)`).
    const before = ts[o - 1];
    const grouped = before === undefined || (before.k === TK_OP && before.v !== ')' && before.v !== ']' && before.v !== '}' && before.v !== '->');
    const ref = o >= 0 && o < i - 1 && grouped ? codeRef(ts, match, values, o + 1, i - 1) : null;
    return ref === null ? null : [ref, i + 1];
  }
  if (t.v !== '&') return null;
  const n = ts[i + 1];
  if (n?.k === TK_VAR && isOp(ts[i + 2], '(')) return boundRef(ts, match, values, n.v, i + 2);
  if (!isOp(n, '{')) return null;
  const close = match[i + 1]!;
  if (close >= ts.length || !isOp(ts[close + 1], '(')) return null;
  const ref = codeRef(ts, match, values, i + 2, close);
  return ref === null ? null : [ref, close + 1];
}

function boundRef(ts: readonly Token[], match: Int32Array, values: CodeValues, name: string, open: number): [CodeRef, number] | null {
  const b = values.bindingOf(name);
  const ref = b === undefined ? null : codeRef(ts, match, values, b[0], b[1]);
  return ref === null ? null : [ref, open];
}

/** The subroutine the expression [a, b) references: `\&NAME`, `PKG->can(NAME)`, or a string naming it; null for none. */
function codeRef(ts: readonly Token[], match: Int32Array, values: CodeValues, a: number, b: number): CodeRef | null {
  const t = ts[a];
  if (t === undefined || a >= b) return null;
  if (isOp(t, '\\') && isOp(ts[a + 1], '&') && ts[a + 2]?.k === TK_NAME && b === a + 3) return { name: ts[a + 2]!.v, how: 0 };
  if ((t.k === TK_NAME || t.k === TK_STR) && isOp(ts[a + 1], '->') && ts[a + 2]?.v === 'can' && isOp(ts[a + 3], '(') && match[a + 3] === b - 1) {
    if (t.k === TK_STR && (t.f & STR_RUNTIME) !== 0) return null;
    const v = values.value(a + 4, b - 1);
    if (v.k === V_STR && !v.bin && (v.how & INDIRECT_RUNTIME) === 0) return { name: `${t.v}::${v.s}`, how: v.how };
    return commandPackage(t.v) ? { name: null, how: v.how | INDIRECT_RUNTIME } : null;
  }
  const v = values.value(a, b);
  if (v.k !== V_STR || v.bin) return null;
  if ((v.how & INDIRECT_RUNTIME) === 0) return { name: v.s.startsWith('&') ? v.s.slice(1) : v.s, how: v.how };
  return commandPackage(v.s) ? { name: null, how: v.how } : null;
}
