/**
 * A value in interpreter code as exec-interpreter-value.ts reads it (see there): its kind, its
 * text or items, and how it came about (INDIRECT_* bits of exec-readings.ts, 0: spelled).
 */
import { MAX_DECODED_BYTES } from './exec-decode.js';
import { INDIRECT_DECODED, INDIRECT_RUNTIME } from './exec-readings.js';

export const V_UNKNOWN = 0;
export const V_STR = 1;
export const V_LIST = 2;
export const V_TRUE = 3;
export const V_FALSE = 4;
export const V_DICT = 5;

export const MAX_VALUE_CHARS = MAX_DECODED_BYTES;
/** Items one list keeps. */
export const MAX_ITEMS = 256;

export interface Val {
  k: number;
  /** V_STR: the text (HOLE where a part is unknown); '' when `bin`. */
  s: string;
  /** V_STR from a decoder: its bytes; `bin` when they are no text. */
  bytes: Uint8Array | null;
  bin: boolean;
  items: readonly Val[];
  keys: ReadonlyMap<string, Val> | null;
  how: number;
}

/** A call's argument: its keyword (`shell=`, `shell:`) or null, and its value. */
export interface Arg {
  name: string | null;
  v: Val;
}

const NONE: readonly Val[] = [];
export const UNKNOWN: Val = Object.freeze({ k: V_UNKNOWN, s: '', bytes: null, bin: false, items: NONE, keys: null, how: INDIRECT_RUNTIME });
/** What a decoder made that no reader can take (binary, a failed decode): run anyway, so decoded. */
export const UNDECODABLE: Val = Object.freeze({ ...UNKNOWN, how: INDIRECT_DECODED });
export const TRUE: Val = Object.freeze({ ...UNKNOWN, k: V_TRUE, how: 0 });
export const FALSE: Val = Object.freeze({ ...UNKNOWN, k: V_FALSE, how: 0 });

export const strVal = (s: string, how: number, bytes: Uint8Array | null = null, bin = false): Val => ({ k: V_STR, s, bytes, bin, items: NONE, keys: null, how });
export function listVal(items: readonly Val[]): Val {
  let how = 0;
  for (const v of items) how |= v.how;
  return { k: V_LIST, s: '', bytes: null, bin: false, items, keys: null, how };
}

/**
 * The JSON text of a dict the code spells (`json.dumps({...})`, `JSON.stringify({...})`, a request's
 * `json={...}`): its strings, booleans, lists and nested dicts, keys whose value is not known left
 * out; null for a value that is no dict, a dict none of whose values is known, or a text over
 * MAX_VALUE_CHARS.
 */
export function jsonTextOf(v: Val): string | null {
  if (v.k !== V_DICT) return null;
  const json = jsonOf(v, 0) as Record<string, unknown>;
  // Nothing the code spells (`{step: 1}`: numbers are not read) is no text known.
  if (Object.keys(json).length === 0 && (v.keys?.size ?? 0) > 0) return null;
  const text = JSON.stringify(json);
  return text.length > MAX_VALUE_CHARS ? null : text;
}

function jsonOf(v: Val, depth: number): unknown {
  if (v.k === V_STR && !v.bin) return v.s;
  if (v.k === V_TRUE || v.k === V_FALSE) return v.k === V_TRUE;
  if (depth >= 4) return undefined;
  if (v.k === V_LIST) return v.items.map((x) => jsonOf(x, depth + 1) ?? null);
  if (v.k !== V_DICT || v.keys === null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, x] of v.keys) {
    const j = jsonOf(x, depth + 1);
    if (j !== undefined) out[k] = j;
  }
  return out;
}
