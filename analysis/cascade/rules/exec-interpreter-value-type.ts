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

/** Values one JSON text visits (names bound once may nest the same dict many times over). */
export const MAX_JSON_NODES = 4096;

/**
 * The JSON text of a dict the code spells (`json.dumps({...})`, `JSON.stringify({...})`, a request's
 * `json={...}`): its strings, booleans, lists and nested dicts (four levels), keys whose value is not
 * known left out; null for a value that is no dict, a dict none of whose values is known, or a text
 * past the bounds (MAX_VALUE_CHARS, MAX_JSON_NODES: a dict bound to a name and nested under many
 * keys, many times, stops there instead of growing without bound).
 */
export function jsonTextOf(v: Val): string | null {
  if (v.k !== V_DICT) return null;
  const w = { parts: [] as string[], chars: 0, nodes: 0 };
  const known = writeJson(v, 0, w);
  if (known === false || w.chars > MAX_VALUE_CHARS || w.nodes > MAX_JSON_NODES) return null;
  const text = w.parts.join('');
  // Nothing the code spells (`{step: 1}`: numbers are not read) is no text known.
  return text === '{}' && (v.keys?.size ?? 0) > 0 ? null : text;
}

interface JsonWriter {
  parts: string[];
  chars: number;
  nodes: number;
}

/** Appends `v`'s JSON to `w`; false when `v` is not known (its key is left out) or the bounds are passed. */
function writeJson(v: Val, depth: number, w: JsonWriter): boolean {
  if (++w.nodes > MAX_JSON_NODES || w.chars > MAX_VALUE_CHARS) return false;
  const put = (t: string): void => {
    w.parts.push(t);
    w.chars += t.length;
  };
  if (v.k === V_STR && !v.bin) put(JSON.stringify(v.s));
  else if (v.k === V_TRUE || v.k === V_FALSE) put(v.k === V_TRUE ? 'true' : 'false');
  else if (depth >= 4) return false;
  else if (v.k === V_LIST) {
    put('[');
    v.items.forEach((x, i) => {
      if (i > 0) put(',');
      if (!writeJson(x, depth + 1, w)) put('null');
    });
    put(']');
  } else if (v.k === V_DICT && v.keys !== null) {
    put('{');
    let first = true;
    for (const [k, x] of v.keys) {
      const mark = w.parts.length;
      const chars = w.chars;
      put(`${first ? '' : ','}${JSON.stringify(k)}:`);
      if (writeJson(x, depth + 1, w)) first = false;
      else {
        w.parts.length = mark;
        w.chars = chars;
      }
    }
    put('}');
  } else return false;
  return w.nodes <= MAX_JSON_NODES && w.chars <= MAX_VALUE_CHARS;
}
