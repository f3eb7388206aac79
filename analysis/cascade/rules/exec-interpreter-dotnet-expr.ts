/**
 * The values of .NET call arguments in PowerShell text (exec-interpreter-dotnet.ts), read in
 * expression mode (about_Operators, about_Quoting_Rules): string literals (`'…'`, `"…"` whose
 * `$x` / `$(…)` are holes), `+` joining them (`'cu' + 'rl'`), a `$x` the text assigned once,
 * casts (`[uri]'https://…'`, `[string]`), parentheses, and the calls that make data of a file or of
 * a literal: `[IO.File]::ReadAllBytes('p')` / `ReadAllText` / `ReadAllLines` / `OpenRead`,
 * `(Get-Content p -Raw)` / `gc` / `cat` / `type` (the value's `file`: its content is that file's),
 * `[Text.Encoding]::UTF8.GetBytes(x)` / `GetString(x)` (x's value), `[Convert]::FromBase64String`
 * of a literal (decoded). Anything else is a hole known only at run time. Also the parts of a
 * construction (`[T]::new(args)`, `New-Object T(args)` / `-ArgumentList` / `-Property`): the type
 * and its arguments' spans, for exec-interpreter-dotnet.ts and -dotnet-http.ts.
 *
 * Bounded: MAX_TERMS terms a sum, MAX_EXPR_DEPTH nested parentheses and casts, MAX_ARGS arguments
 * a call, MAX_LIST items a list; never throws.
 */
import { HOLE } from './exec-interpreter-token.js';
import { DOUBLE, fromBase64, groupEnd, isIn, SINGLE, Splitter, W_BARE, W_QUOTED, type Known, type PsWord } from './exec-interpreter-powershell-words.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

const MAX_TERMS = 16;
/** Arguments read of one call; items read of one list. */
const MAX_ARGS = 8;
export const MAX_LIST = 64;
const MAX_EXPR_DEPTH = 4;

export interface Val {
  text: string;
  /** INDIRECT_* bits (0: spelled). */
  how: number;
  /** The file whose content the value is (`[IO.File]::ReadAllBytes('p')`): its path as read. */
  file?: string;
}

export const UNKNOWN: Val = { text: HOLE, how: INDIRECT_RUNTIME };

export type Bound = ReadonlyMap<string, Known | null>;

/** Blanks between PowerShell expression parts (a newline too: inside `(…)` it ends nothing). */
export const isBlank = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** `[from, to)` without blanks at its ends. */
export function trim(s: string, from: number, to: number): [number, number] {
  while (from < to && isBlank(s.charAt(from))) from++;
  while (to > from && isBlank(s.charAt(to - 1))) to--;
  return [from, to];
}

/** The index after the string opening at `i` (`'…'` with `''`; `"…"` with backtick escapes and `""`), `to` when unclosed. */
export function stringEnd(s: string, i: number, to: number): number {
  const set = isIn(SINGLE, s.charAt(i)) ? SINGLE : DOUBLE;
  for (let j = i + 1; j < to; j++) {
    const d = s.charAt(j);
    if (d === '`' && set === DOUBLE) j++;
    else if (isIn(set, d)) {
      if (j + 1 < to && isIn(set, s.charAt(j + 1))) j++;
      else return j + 1;
    }
  }
  return to;
}

/** Spans of `s[from, to)` split at the characters `seps` outside strings and brackets, at most `max`. */
export function splitTop(s: string, from: number, to: number, seps: string, max: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = from;
  for (let i = from; i < to; i++) {
    const c = s.charAt(i);
    if (c === '`') i++;
    else if (isIn(SINGLE, c) || isIn(DOUBLE, c)) i = stringEnd(s, i, to) - 1;
    else if (c === '(' || c === '[' || c === '{') i = Math.min(groupEnd(s, i), to) - 1;
    else if (seps.indexOf(c) >= 0) {
      out.push([start, i]);
      start = i + 1;
      if (out.length >= max) return out;
    }
  }
  out.push([start, to]);
  return out;
}

/** A type literal's name as compared: blanks gone, lower case, `System.` dropped (`[System.Net.WebClient]` → `net.webclient`). */
export function typeName(raw: string): string {
  const t = raw.replace(/\s+/g, '').toLowerCase();
  return t.startsWith('system.') ? t.slice(7) : t;
}

/** The value of the expression `s[from, to)`. */
export function exprValue(s: string, from: number, to: number, bound: Bound, depth = 0): Val {
  [from, to] = trim(s, from, to);
  if (from >= to) return UNKNOWN;
  const terms = splitTop(s, from, to, '+', MAX_TERMS);
  if (terms.length === 1) return term(s, from, to, bound, depth);
  let text = '';
  let how = 0;
  for (const [a, b] of terms) {
    const v = term(s, a, b, bound, depth);
    text += v.text;
    how |= v.how;
  }
  return { text, how };
}

function term(s: string, from0: number, to0: number, bound: Bound, depth: number): Val {
  const [from, to] = trim(s, from0, to0);
  const c = s.charAt(from);
  if (isIn(SINGLE, c) || isIn(DOUBLE, c)) {
    if (stringEnd(s, from, to) !== to) return UNKNOWN; // `'a'.Replace(…)`: a method of the literal
    const w = new Splitter(s.slice(from, to), []).run().statements[0]?.words;
    return w?.length === 1 && w[0]!.kind === W_QUOTED ? { text: w[0]!.text, how: w[0]!.how } : UNKNOWN;
  }
  if (c === '$') {
    const m = /^\$([A-Za-z0-9_]+)$/.exec(s.slice(from, Math.min(to, from + 128)));
    const k = m !== null && to - from <= 128 ? bound.get(m[1]!.toLowerCase()) : undefined;
    return k ? { text: k.text, how: k.how } : UNKNOWN;
  }
  if (depth >= MAX_EXPR_DEPTH) return UNKNOWN;
  if (c === '(') {
    const end = groupEnd(s, from);
    if (end !== to) return UNKNOWN; // `(…).Member`
    return contentOf(s, from + 1, to - 1, bound) ?? exprValue(s, from + 1, to - 1, bound, depth + 1);
  }
  if (c === '[') {
    const end = Math.min(groupEnd(s, from), to);
    const type = typeName(s.slice(from + 1, end - 1));
    let k = end;
    while (k < to && isBlank(s.charAt(k))) k++;
    if (s.startsWith('::', k)) return staticValue(type, s, from, k + 2, to, bound, depth + 1);
    return k < to ? term(s, k, to, bound, depth + 1) : UNKNOWN; // a cast
  }
  return UNKNOWN;
}

/** `[type]::Member(args)` (`from`: the `[`; `at`: after `::`): the data readers named in the header. */
function staticValue(type: string, s: string, from: number, at: number, to: number, bound: Bound, depth: number): Val {
  const open = s.indexOf('(', at);
  if (open < 0 || open >= to || groupEnd(s, open) !== to) return UNKNOWN;
  const member = s.slice(at, open).replace(/\s+/g, '').toLowerCase();
  const arg = splitTop(s, open + 1, to - 1, ',', 4)[0]!;
  if (type === 'io.file' && /^(readallbytes|readalltext|readalllines|openread)$/.test(member)) {
    const p = exprValue(s, arg[0], arg[1], bound, depth);
    return { text: HOLE, how: INDIRECT_RUNTIME, file: p.text };
  }
  if (type === 'convert' && member === 'frombase64string') return known(fromBase64(s.slice(from, to)));
  if (type === 'text.encoding' && /\.(getstring|getbytes)$/.test(member)) {
    // `[Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('…'))`: decoded as the encoding says.
    const decoded = fromBase64(s.slice(from, to));
    return decoded !== undefined ? known(decoded) : exprValue(s, arg[0], arg[1], bound, depth);
  }
  return UNKNOWN;
}

const known = (k: Known | null | undefined): Val => (k ? { text: k.text, how: k.how } : UNKNOWN);

/** Content readers (Get-Content and its aliases) by name; their parameters that take a value. */
const CONTENT = new Set(['get-content', 'gc', 'cat', 'type']);
const PATH_PARAMS = /^-(path|literalpath|lp|pspath)$/i;
const VALUED = /^-(encoding|readcount|totalcount|tail|delimiter|stream|head|first|last|filter|include|exclude)$/i;

/** `Get-Content p …` inside parentheses: a value whose content is file p; undefined when it is no such command. */
function contentOf(s: string, from: number, to: number, bound: Bound): Val | undefined {
  const sp = new Splitter(s.slice(from, to), []).run();
  const words = sp.statements.length === 1 ? sp.statements[0]!.words : null;
  if (words === null || words[0]?.kind !== W_BARE || !CONTENT.has(words[0].text.toLowerCase())) return undefined;
  let path: string | undefined;
  for (let k = 1; k < words.length && path === undefined; k++) {
    const w = words[k]!;
    const param = w.kind === W_BARE && w.text.length > 1 && w.text.charAt(0) === '-';
    if (param && PATH_PARAMS.test(w.text)) path = words[k + 1]?.text;
    else if (param) k += VALUED.test(w.text) ? 1 : 0;
    else path = w.variable !== null ? (bound.get(w.variable)?.text ?? HOLE) : w.text;
  }
  return path === undefined ? undefined : { text: HOLE, how: INDIRECT_RUNTIME, file: path };
}

/** The argument spans of the call whose `(` is at `open` and whose group ends at `end`. */
export function callArgs(src: string, open: number, end: number): Array<[number, number]> {
  const inner = src.charAt(end - 1) === ')' && end - 1 > open ? end - 1 : end;
  const spans = splitTop(src, open + 1, inner, ',', MAX_ARGS);
  return spans.length === 1 && trim(src, spans[0]![0], spans[0]![1])[0] === trim(src, spans[0]![0], spans[0]![1])[1] ? [] : spans;
}

/** A type and its constructor's argument spans: `[T]::new(args)` at `from` (`end`: after its `)`), else null. */
export function constructorCall(src: string, from: number, to: number): { type: string; ctor: Array<[number, number]>; end: number } | null {
  const m = /^\[([^\]]{1,120})\]\s*::\s*new\s*\(/i.exec(src.slice(from, Math.min(to, from + 160)));
  if (m === null) return null;
  const open = from + m[0].length - 1;
  const end = Math.min(groupEnd(src, open), to);
  return { type: typeName(m[1]!), ctor: callArgs(src, open, end), end };
}

/** The parts of `New-Object` whose parameters start at word `k`: the type (as `typeName` writes it), its constructor's argument spans, the -Property word. */
export function newObjectParts(src: string, words: readonly PsWord[], k0: number): { type: string | undefined; ctor: Array<[number, number]>; props: PsWord | undefined } {
  let type: string | undefined;
  let ctor: Array<[number, number]> = [];
  let props: PsWord | undefined;
  const positional: PsWord[] = [];
  for (let k = k0; k < words.length; k++) {
    const w = words[k]!;
    const p = w.kind === W_BARE && w.text.length > 1 && w.text.charAt(0) === '-' ? w.text.slice(1).toLowerCase() : null;
    if (p === null) positional.push(w);
    else if ('typename'.startsWith(p)) type = words[++k]?.text;
    else if (p === 'args' || 'argumentlist'.startsWith(p)) ctor = listSpans(src, words[++k]);
    else if ('property'.startsWith(p)) props = words[++k];
  }
  if (type === undefined && positional[0] !== undefined) {
    // `New-Object T('file', 'args')`: the parenthesis opens the constructor's arguments.
    const w = positional.shift()!;
    const paren = src.indexOf('(', w.from);
    if (paren > w.from && paren < w.to) {
      type = src.slice(w.from, paren);
      if (ctor.length === 0) ctor = callArgs(src, paren, Math.min(groupEnd(src, paren), w.to));
    } else type = w.text;
  }
  if (ctor.length === 0 && positional[0] !== undefined) ctor = listSpans(src, positional[0]);
  return { type: type === undefined ? undefined : typeName(type), ctor, props };
}

/** The spans of a list argument's values: a comma list's items, `(a, b)` / `@(a, b)`, or one value. */
function listSpans(src: string, w: PsWord | undefined): Array<[number, number]> {
  if (w === undefined) return [];
  if (w.items !== null) return w.items.slice(0, MAX_LIST).map((x) => [x.from, x.to]);
  const at = src.charAt(w.from) === '@' ? w.from + 1 : w.from;
  if (src.charAt(at) === '(' && groupEnd(src, at) === w.to) return callArgs(src, at, w.to);
  return [[w.from, w.to]];
}
