/**
 * Finds pickles hidden inside a pickle's bytes/str constants: raw, base64 or hex encoded. A
 * candidate only counts when it disassembles cleanly to a STOP, so ordinary binary blobs and text
 * do not trigger. Arguments of known nested loaders (`pickle.loads(b'…')`) are always tried.
 */
import { Buffer } from 'node:buffer';
import type { PickleOp } from './disassemble.js';
import { disassemble } from './disassemble.js';
import { encodeLatin1 } from './arg-text.js';
import { constant, type SymValue } from './sym-value.js';
import { hexDigit } from '../../core/hex-digit.js';

export const NESTED_ENCODINGS = ['raw', 'base64', 'hex'] as const;
export type NestedEncoding = (typeof NESTED_ENCODINGS)[number];

export interface NestedCandidate {
  /** Offset of the opcode (or call) carrying the data in the outer pickle. */
  offset: number;
  encoding: NestedEncoding;
  bytes: Uint8Array;
}

export interface NestedLimits {
  /** Largest candidate decoded or trial-parsed, default 16 MiB. */
  maxCandidateBytes: number;
  /** Most candidates returned, default 64. */
  maxCandidates: number;
}

const DEFAULT_LIMITS: NestedLimits = { maxCandidateBytes: 16 << 20, maxCandidates: 64 };
// No trailing `\s*` after `={0,2}`: with `\s` also in the class that would backtrack quadratically.
const B64 = /^[A-Za-z0-9+/_\-\s]+={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * A clean pickle: disassembles to a STOP with no issue. Protocol 2+ ones start with PROTO; older
 * ones need at least three opcodes (so that `N.` or `].` in a text does not count) unless forced.
 */
export function isCleanPickle(b: Uint8Array, forced = false): boolean {
  if (b.length < 2) return false;
  const strong = b[0] === 0x80 && (b[1] as number) <= 5;
  if (!strong && !forced && b[b.length - 1] !== 0x2e) return false;
  const d = disassemble(b, { maxOps: 200_000, maxTextDecode: 4096 });
  if (d.stopOffset === null || d.issues.length > 0) return false;
  return strong || forced || d.ops.length >= 3;
}

function decodeBase64(s: string): Uint8Array | null {
  const t = s.replace(/\s+/g, '');
  if (t.length < 12 || t.length % 4 === 1) return null;
  const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return b.length > 0 ? new Uint8Array(b.buffer, b.byteOffset, b.length) : null;
}

function decodeHex(s: string): Uint8Array | null {
  if (s.length < 8 || !HEX.test(s)) return null;
  const b = Buffer.from(s, 'hex');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** First bytes of protocol 0/1 pickles: a push or MARK (they end with STOP). */
const PROTO0_FIRST = new Set([...'(c]}IJKLSTUVNX)FGlpdgh'].map((c) => c.charCodeAt(0)));

/** Cheap prefilter before a trial disassembly. `last` < 0 when unknown (base64 tail). */
function plausible(first: number, second: number, last: number): boolean {
  if (first === 0x80) return second >= 0 && second <= 5;
  return PROTO0_FIRST.has(first) && (last < 0 || last === 0x2e);
}

function b64Digit(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x47;
  if (c >= 0x30 && c <= 0x39) return c + 4;
  if (c === 0x2b || c === 0x2d) return 62;
  if (c === 0x2f || c === 0x5f) return 63;
  return -1;
}

const latin1Text = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
};

/**
 * Tries one text/bytes value as raw, hex and base64; pushes what parses. The first bytes each
 * encoding would decode to are checked before anything is allocated, since most strings in a
 * checkpoint are names and most blobs are tensor data.
 */
function tryValue(text: string | null, bytes: Uint8Array | null, offset: number, forced: boolean, limits: NestedLimits, out: NestedCandidate[]): void {
  const len = text !== null ? text.length : bytes !== null ? bytes.length : 0;
  if (len < 2 || len > limits.maxCandidateBytes) return;
  const at = text !== null ? (i: number): number => text.charCodeAt(i) : (i: number): number => (bytes as Uint8Array)[i] as number;
  if (forced || plausible(at(0), at(1), at(len - 1))) {
    const raw = bytes ?? encodeLatin1(text as string) ?? new TextEncoder().encode(text as string);
    if (isCleanPickle(raw, forced)) { out.push({ offset, encoding: 'raw', bytes: raw }); return; }
    if (forced) return;
  }
  if (len < 12) return;
  const hex = (i: number): number => (hexDigit(at(i)) << 4) | hexDigit(at(i + 1));
  if (len % 2 === 0 && hexDigit(at(0)) >= 0 && hexDigit(at(1)) >= 0 && plausible(hex(0), hex(2), hex(len - 2))) {
    const s = text ?? latin1Text(bytes as Uint8Array);
    const h = decodeHex(s);
    if (h && isCleanPickle(h)) { out.push({ offset, encoding: 'hex', bytes: h }); return; }
  }
  const d0 = b64Digit(at(0));
  const d1 = b64Digit(at(1));
  const d2 = b64Digit(at(2));
  if (d0 >= 0 && d1 >= 0 && plausible((d0 << 2) | (d1 >> 4), d2 < 0 ? -1 : ((d1 & 15) << 4) | (d2 >> 2), -1)) {
    const s = text ?? latin1Text(bytes as Uint8Array);
    if (!B64.test(s.trimEnd())) return;
    const d = decodeBase64(s);
    if (d && plausible(d[0] ?? -1, d[1] ?? -1, d[d.length - 1] ?? -1) && isCleanPickle(d)) out.push({ offset, encoding: 'base64', bytes: d });
  }
}

/**
 * Candidates from every bytes/str opcode argument, plus `forced` values (first arguments of
 * nested-loader calls, possibly folded constants such as `_codecs.encode(…)`).
 */
export function findNestedCandidates(
  ops: readonly PickleOp[],
  forced: readonly { offset: number; value: SymValue }[],
  limits: Partial<NestedLimits> = {},
): NestedCandidate[] {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const out: NestedCandidate[] = [];
  const seen = new Set<Uint8Array | string>();
  for (const f of forced) {
    if (out.length >= lim.maxCandidates) break;
    const c = constant(f.value);
    if (c.k === 'bytes') tryValue(null, c.v, f.offset, true, lim, out);
    else if (c.k === 'str') tryValue(c.v, null, f.offset, true, lim, out);
    if (c.k === 'bytes' || c.k === 'str') seen.add(c.v);
  }
  for (const o of ops) {
    if (out.length >= lim.maxCandidates) break;
    const a = o.arg;
    if (seen.has(a as Uint8Array | string)) continue;
    if (a instanceof Uint8Array) {
      if (a.length >= 2) tryValue(null, a, o.offset, false, lim, out);
    } else if (typeof a === 'string' && a.length >= 2 && !o.truncatedText && o.name !== 'PERSID') {
      tryValue(a, null, o.offset, false, lim, out);
    }
  }
  return out;
}
