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
