/**
 * The functions and methods interpreter one-liners unscramble a command with, computed on values
 * the code spells (exec-interpreter-value.ts): decoders by name (`b64decode(…)`, `atob(…)`,
 * `Buffer.from(…, 'base64')`, `codecs.decode(…, 'rot13')`; exec-interpreter-decode.ts), Perl and
 * PHP `pack('H*', …)` / `unpack('m', …)`, Ruby `unpack1('m')` / `pack('H*')`, `chr(n)` and
 * `String.fromCharCode(…)`, `join` / `implode`, `reverse`, `[::-1]`, `replace` / `gsub` / `sub`,
 * `split`, `strip`, `format` / `%` (whose fields are known only at run time: HOLE), and a dict
 * serialized (`json.dumps`, `JSON.stringify`, `json_encode`: its JSON text). Each
 * result made by a transformation is marked decoded: no literal of the code spells it.
 * Environments built for a child are dicts of the keys they spell: Python's `dict(os.environ, K=V)`
 * and `os.environ.copy()`, JavaScript's `Object.assign({}, process.env, {…})`, Ruby's `ENV.to_h`
 * (the inherited variables, unknown here, left out).
 */
import { codecNamed, decoderOf, type Codec } from './exec-interpreter-decode.js';
import { HOLE, type Lang } from './exec-interpreter-token.js';
import { jsonTextOf, listVal, MAX_ITEMS, MAX_VALUE_CHARS, strVal, UNKNOWN, V_DICT, V_LIST, V_STR, type Arg, type Val } from './exec-interpreter-value-type.js';
import { INDIRECT_DECODED, INDIRECT_RUNTIME } from './exec-readings.js';

/** What the functions need of the reader: its decoder (bounded there), its language, its truncation flag. */
export interface ValueContext {
  readonly lang: Lang;
  truncated: boolean;
  decode(codec: Codec, v: Val | undefined): Val;
}

const trimmed = (s: string): string => s.trim();

/** A function call by name (no receiver). */
export function callValue(ctx: ValueContext, name: string, qual: string, args: readonly Arg[]): Val {
  const a0 = args[0]?.v;
  const codec = decoderOf(name, qual);
  if (codec !== null) return ctx.decode(codec, a0);
  if ((name === 'pack' || name === 'unpack') && a0?.k === V_STR) return packed(ctx, name, a0.s, args[1]?.v);
  if (name === 'chr' && a0?.k === V_STR && /^\d{1,7}$/.test(a0.s)) return fromCodes([a0]);
  if ((name === 'join' || name === 'implode') && a0?.k === V_STR) return joined(ctx, args.slice(1).flatMap((x) => (x.v.k === V_LIST ? x.v.items : [x.v])), a0.s);
  if (name === 'reverse' && ctx.lang === 'perl' && a0?.k === V_STR && args.length === 1) return ctx.decode('reverse', a0);
  if ((name === 'str' || name === 'bytes' || name === 'String') && a0?.k === V_STR) return a0;
  if (name === 'json_encode') return serialized(a0);
  if (name === 'dict' && ctx.lang === 'python') return mergedDict(args);
  return UNKNOWN;
}

/** The keys of the dicts and keywords among `args`, later ones over earlier (`dict(os.environ, K=V)`, `Object.assign({}, a, b)`). */
export function mergedDict(args: readonly Arg[]): Val {
  const keys = new Map<string, Val>();
  for (const a of args) {
    if (a.name !== null) keys.set(a.name, a.v);
    else if (a.v.k === V_DICT) for (const [k, v] of a.v.keys ?? []) keys.set(k, v);
  }
  return { ...UNKNOWN, k: V_DICT, keys, how: 0 };
}

/** A dict serialized (Python's json.dumps, JavaScript's JSON.stringify, PHP's json_encode): its JSON text, as spelled. */
function serialized(v: Val | undefined): Val {
  const text = v === undefined ? null : jsonTextOf(v);
  return text === null ? UNKNOWN : strVal(text, v!.how);
}

/** Perl and PHP `pack('H*', hex)`, Perl `unpack('m', b64)`; Ruby's methods come through `method`. */
function packed(ctx: ValueContext, name: string, template: string, v: Val | undefined): Val {
  const tpl = template.replace(/\s/g, '');
  if (name === 'pack' && /^H\*?$/.test(tpl)) return ctx.decode('hex', v);
  if (name === 'unpack' && /^m0?$/.test(tpl)) return ctx.decode('base64', v);
  return UNKNOWN;
}

function fromCodes(codes: readonly Val[]): Val {
  let s = '';
  for (const c of codes) {
    const n = c.k === V_STR ? Number(c.s) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 0x10ffff) return UNKNOWN;
    s += String.fromCodePoint(n);
  }
  return strVal(s, INDIRECT_DECODED);
}

function joined(ctx: ValueContext, items: readonly Val[], sep: string): Val {
  let s = '';
  let how = 0;
  for (let k = 0; k < items.length; k++) {
    const it = items[k]!;
    if (it.k !== V_STR || it.bin) return UNKNOWN;
    s += (k > 0 ? sep : '') + it.s;
    how |= it.how;
    if (s.length > MAX_VALUE_CHARS) {
      ctx.truncated = true;
      return UNKNOWN;
    }
  }
  return strVal(s, how);
}


/** A method `name` on `v` (its receiver's name `qual` when it was one). */
export function methodValue(ctx: ValueContext, v: Val, name: string, args: readonly Arg[], qual: string): Val {
  const a0 = args[0]?.v;
  const a1 = args[1]?.v;
  const codec = decoderOf(name, qual);
  if (codec !== null) return ctx.decode(codec, a0);
  if (name === 'from' && qual === 'Buffer') return a1 === undefined ? (a0 ?? UNKNOWN) : a1.k === V_STR && codecNamed(a1.s) !== null ? ctx.decode(codecNamed(a1.s)!, a0) : UNKNOWN;
  if (name === 'decode' && qual === 'codecs') return a1?.k === V_STR && codecNamed(a1.s) !== null ? ctx.decode(codecNamed(a1.s)!, a0) : UNKNOWN;
  if (name === 'fromCharCode' && qual === 'String') return fromCodes(args.map((x) => x.v));
  if ((name === 'dumps' && qual === 'json') || (name === 'stringify' && qual === 'JSON')) return serialized(a0);
  if (name === 'assign' && qual === 'Object') return mergedDict(args);
  if ((name === 'copy' && (v.k === V_DICT || qual === 'environ')) || ((name === 'to_h' || name === 'to_hash') && qual === 'ENV')) return v.k === V_DICT ? v : mergedDict([]);
  if (v.k === V_LIST) return listMethod(ctx, v, name, a0);
  if (v.k !== V_STR) return UNKNOWN;
  switch (name) {
    case 'decode':
    case 'encode':
    case 'toString':
      return a0 === undefined ? v : a0.k === V_STR && codecNamed(a0.s) !== null ? ctx.decode(codecNamed(a0.s)!, v) : UNKNOWN;
    case 'to_s':
    case 'to_str':
    case 'dup':
    case 'freeze':
      return v;
    case 'strip':
    case 'trim':
    case 'chomp':
    case 'rstrip':
    case 'lstrip':
      return v.bin ? v : strVal(trimmed(v.s), v.how);
    case 'unpack1':
    case 'unpack':
      if (a0?.k !== V_STR || !/^m0?$/.test(a0.s)) return UNKNOWN;
      return name === 'unpack' ? listVal([ctx.decode('base64', v)]) : ctx.decode('base64', v);
    case 'reverse':
      return ctx.decode('reverse', v);
    case 'replace':
    case 'replaceAll':
    case 'gsub':
    case 'sub': {
      if (a0?.k !== V_STR || a1?.k !== V_STR || a0.s === '' || v.bin) return UNKNOWN;
      const all = name === 'gsub' || name === 'replaceAll' || (name === 'replace' && ctx.lang === 'python');
      const s = all ? v.s.split(a0.s).join(a1.s) : v.s.replace(a0.s, () => a1.s);
      return s.length > MAX_VALUE_CHARS ? UNKNOWN : strVal(s, v.how | a1.how | INDIRECT_DECODED);
    }
    case 'split':
      if (a0?.k !== V_STR || v.bin || v.s.length > MAX_ITEMS * 16) return UNKNOWN;
      return listVal((a0.s === '' ? Array.from(v.s) : v.s.split(a0.s)).slice(0, MAX_ITEMS * 16).map((x) => strVal(x, v.how)));
    case 'join':
      return a0?.k === V_LIST ? joined(ctx, a0.items, v.s) : UNKNOWN;
    case 'format':
      return strVal(v.s.replace(/\{[^{}]*\}/g, HOLE), v.how | INDIRECT_RUNTIME);
    default:
      return UNKNOWN;
  }
}

function listMethod(ctx: ValueContext, v: Val, name: string, a0: Val | undefined): Val {
  if (name === 'join') return joined(ctx, v.items, a0?.k === V_STR ? a0.s : ctx.lang === 'js' ? ',' : '');
  if (name === 'reverse') return { ...listVal([...v.items].reverse()), how: v.how | INDIRECT_DECODED };
  if (name === 'first') return v.items[0] ?? UNKNOWN;
  if (name === 'pack' && a0?.k === V_STR) return packed(ctx, /^m0?$/.test(a0.s) ? 'unpack' : 'pack', a0.s, v.items[0]);
  return UNKNOWN;
}
