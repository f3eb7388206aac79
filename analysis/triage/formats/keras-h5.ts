/**
 * Legacy Keras `.h5` models. Full HDF5 parsing (B-trees, heaps, chunked storage) is out of scope:
 * this recognises the HDF5 superblock, then scans a bounded window of the file for the
 * `model_config` / `training_config` attributes Keras writes as JSON text, extracts the JSON by
 * brace matching and runs the same config checks as `.keras` (keras.ts). If the JSON cannot be
 * extracted it falls back to searching the text for Lambda layers. What this cannot see: configs
 * stored compressed or split across heap blocks, and anything past the scanned window.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { FindingSink } from './finding-sink.js';
import { walkKerasConfig, type KerasConfigSummary } from './keras.js';

/** HDF5 format signature; the superblock sits at 0, 512, 1024, 2048, … (after a user block). */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Bytes scanned from the start of the file, and from its end. */
export const H5_HEAD_SCAN = 16 * 1024 * 1024;
export const H5_TAIL_SCAN = 1024 * 1024;
/** Largest JSON attribute extracted. */
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;
/** How far after the attribute name its value may start (datatype + dataspace messages). */
const VALUE_SEARCH = 4096;
const ATTRIBUTES = ['model_config', 'training_config'] as const;
/** Occurrences of an attribute name tried (each may read MAX_CONFIG_BYTES): bounds the work. */
const MAX_ATTEMPTS = 4;

export interface KerasH5Result {
  /** Offset of the HDF5 superblock, or null when the file is not HDF5. */
  superblockOffset: number | null;
  superblockVersion: number | null;
  /** Parsed model_config, when it could be extracted. */
  config: KerasConfigSummary | null;
  findings: Finding[];
}

export async function scanKerasH5(src: ByteSource): Promise<KerasH5Result> {
  const r: KerasH5Result = { superblockOffset: null, superblockVersion: null, config: null, findings: [] };
  const sink = new FindingSink();
  try {
    await scanInto(src, r, sink);
  } catch (e) {
    sink.add('FORMAT_UNREADABLE', `h5: read failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  r.findings = sink.finish();
  return r;
}

async function scanInto(src: ByteSource, r: KerasH5Result, sink: FindingSink): Promise<void> {
  for (let at = 0; at + 9 <= src.size && at <= H5_HEAD_SCAN; at = at === 0 ? 512 : at * 2) {
    const sig = await src.read(at, 9);
    if (HDF5_SIGNATURE.every((b, i) => sig[i] === b)) {
      r.superblockOffset = at;
      r.superblockVersion = sig[8] ?? null;
      break;
    }
  }
  if (r.superblockOffset === null) {
    sink.add('FORMAT_UNREADABLE', 'no HDF5 signature at 0, 512, 1024, … (not an HDF5 file)');
    return;
  }
  sink.add('KERAS_H5_NOT_PARSED', `HDF5 structure not parsed; the first ${H5_HEAD_SCAN >> 20} MB and last ${H5_TAIL_SCAN >> 20} MB were scanned for the Keras config text`);
  const headLength = Math.min(src.size, H5_HEAD_SCAN);
  const windows: [number, Uint8Array][] = [[0, await src.read(0, headLength)]];
  if (src.size > headLength) {
    const tailStart = Math.max(headLength, src.size - H5_TAIL_SCAN);
    windows.push([tailStart, await src.read(tailStart, src.size - tailStart)]);
  }
  let extracted = false;
  for (const attr of ATTRIBUTES) {
    const json = await findAttributeJson(src, windows, new TextEncoder().encode(attr));
    if (json === null) continue;
    const summary = walkKerasConfig(json, attr, sink);
    if (attr === 'model_config') r.config = summary;
    extracted = true;
  }
  if (!extracted) fallbackTextScan(windows, sink);
}

/** The first occurrence of the attribute name followed by a JSON object, parsed. */
async function findAttributeJson(src: ByteSource, windows: [number, Uint8Array][], name: Uint8Array): Promise<unknown> {
  let attempts = 0;
  for (const [base, bytes] of windows) {
    for (let hit = indexOf(bytes, name, 0); hit >= 0 && attempts < MAX_ATTEMPTS; hit = indexOf(bytes, name, hit + 1)) {
      attempts++;
      const json = await extractJson(src, base + hit + name.length);
      if (json !== null) return json;
    }
  }
  return null;
}

/** The JSON object starting within VALUE_SEARCH bytes of `from`, parsed, or null. */
async function extractJson(src: ByteSource, from: number): Promise<unknown> {
  const head = await src.read(from, VALUE_SEARCH);
  const open = head.indexOf(0x7b);
  if (open < 0) return null;
  const start = from + open;
  const window = await src.read(start, Math.min(MAX_CONFIG_BYTES, src.size - start));
  const end = matchBrace(window);
  if (end < 0) return null;
  try {
    const v: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(window.subarray(0, end + 1)));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** Index of the `}` closing the `{` at 0, skipping JSON strings; -1 if it does not close. */
function matchBrace(b: Uint8Array): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return c === 0x7d ? i : -1;
    } else if (c === 0) return -1;
  }
  return -1;
}

/** Config not extractable: look for the class names as text. */
function fallbackTextScan(windows: [number, Uint8Array][], sink: FindingSink): void {
  const patterns: [RegExp, 'KERAS_LAMBDA_LAYER' | 'KERAS_TFOP_LAMBDA'][] = [
    [/"class_name"\s*:\s*"Lambda"/g, 'KERAS_LAMBDA_LAYER'],
    [/"class_name"\s*:\s*"(?:TFOpLambda|SlicingOpLambda)"/g, 'KERAS_TFOP_LAMBDA'],
  ];
  for (const [base, bytes] of windows) {
    const text = new TextDecoder('latin1').decode(bytes);
    for (const [re, kind] of patterns) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        sink.add(kind, `${m[0]} found in the file text (config not extractable as JSON)`, `byte ${base + m.index}`);
      }
    }
  }
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}
