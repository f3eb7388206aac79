/**
 * safetensors reader (huggingface/safetensors format: 8-byte little-endian u64 header length N,
 * N bytes of UTF-8 JSON, then the data section). Validation follows the reference loader
 * (safetensors/src/tensor.rs: MAX_HEADER_SIZE 100 MB, checked shape × dtype arithmetic, offsets
 * covering the data section) but reports each violation as a finding instead of refusing, and adds
 * heuristics on `__metadata__` text. Only the header is read; tensor bytes are never loaded.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import type { TensorInfo } from '../tensor-info.js';
import { ELEMENT_BITS, elementCount, packedByteLength } from './element-types.js';
import { FindingSink } from './finding-sink.js';
import { excerpt, isKnownHostUrl, scanSuspiciousText } from './suspicious-text.js';

/** Reference loader's MAX_HEADER_SIZE. */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** safetensors dtype → canonical TensorInfo dtype (safetensors ≥ 0.6 adds FP4/FP6/E8M0/C64). */
export const SAFETENSORS_DTYPES: Readonly<Record<string, string>> = {
  BOOL: 'bool',
  U8: 'uint8',
  I8: 'int8',
  F8_E5M2: 'float8_e5m2',
  F8_E4M3: 'float8_e4m3fn',
  F8_E8M0: 'float8_e8m0fnu',
  F4: 'float4_e2m1fn',
  F6_E2M3: 'float6_e2m3fn',
  F6_E3M2: 'float6_e3m2fn',
  I16: 'int16',
  U16: 'uint16',
  F16: 'float16',
  BF16: 'bfloat16',
  I32: 'int32',
  U32: 'uint32',
  F32: 'float32',
  F64: 'float64',
  C64: 'complex64',
  I64: 'int64',
  U64: 'uint64',
};

/** One well-formed tensor entry of the header, as written. */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsResult {
  /** N, the declared JSON header length, or null when the file is too short to hold it. */
  headerLength: number | null;
  /** Absolute offset of the data section (8 + N). */
  dataOffset: number;
  /** Well-formed tensor entries by name (malformed ones only produce findings). */
  header: Record<string, SafetensorsEntry>;
  /** `__metadata__` string values (non-string values are reported, not kept); null when absent. */
  metadata: Record<string, string> | null;
  /** Tensors whose entry is well-formed, in bounds and size-consistent; byteOffset is absolute. */
  tensors: TensorInfo[];
  findings: Finding[];
}

export async function readSafetensors(src: ByteSource): Promise<SafetensorsResult> {
  const result: SafetensorsResult = {
    headerLength: null,
    dataOffset: 8,
    header: Object.create(null) as Record<string, SafetensorsEntry>,
    metadata: null,
    tensors: [],
    findings: [],
  };
  const sink = new FindingSink();
  try {
    await readInto(src, result, sink);
  } catch (e) {
    sink.add('FORMAT_UNREADABLE', `safetensors: read failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  result.findings = sink.finish();
  return result;
}

async function readInto(src: ByteSource, r: SafetensorsResult, sink: FindingSink): Promise<void> {
  if (src.size < 8) {
    sink.add('FORMAT_UNREADABLE', `safetensors: ${src.size}-byte file cannot hold the 8-byte header length`);
    return;
  }
  const head = await src.read(0, 8);
  const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(SAFETENSORS_MAX_HEADER)) {
    sink.add('SAFETENSORS_HEADER_OVERFLOW', `header length ${n} exceeds the 100 MB limit`, 'byte 0');
    return;
  }
  const headerLength = Number(n);
  r.headerLength = headerLength;
  r.dataOffset = 8 + headerLength;
  if (headerLength > src.size - 8) {
    sink.add(
      'SAFETENSORS_HEADER_OVERFLOW',
      `header length ${headerLength} runs past the end of the ${src.size}-byte file`,
      'byte 0',
    );
    return;
  }
  const bytes = await src.read(8, headerLength);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    sink.add('SAFETENSORS_HEADER_INVALID', 'header is not valid UTF-8', 'byte 8');
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    sink.add('SAFETENSORS_HEADER_INVALID', `header is not JSON: ${e instanceof Error ? e.message : ''}`, 'byte 8');
    return;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    sink.add('SAFETENSORS_HEADER_INVALID', 'header JSON is not an object', 'byte 8');
    return;
  }
  if (text.charCodeAt(0) !== 0x7b) {
    sink.add('SAFETENSORS_HEADER_INVALID', 'header does not start with "{" (newer loaders reject it)', 'byte 8');
  }
  for (const key of duplicateTopLevelKeys(text)) {
    sink.add('SAFETENSORS_DUPLICATE_KEY', `key ${JSON.stringify(excerpt(key))} appears more than once`, key);
  }
  const dataLength = src.size - r.dataOffset;
  const spans: Span[] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      r.metadata = readMetadata(value, sink);
      continue;
    }
    const entry = validateEntry(name, value, dataLength, sink);
    if (entry === null) continue;
    r.header[name] = entry.entry;
    scanName(name, sink);
    const [begin, end] = entry.entry.data_offsets;
    if (end > dataLength) continue;
    spans.push({ name, begin, end });
    if (entry.consistent) {
      r.tensors.push({
        name,
        dtype: entry.dtype,
        shape: entry.entry.shape,
        byteOffset: r.dataOffset + begin,
        byteLength: end - begin,
      });
    }
  }
  checkLayout(spans, dataLength, sink);
}

interface Span {
  name: string;
  begin: number;
  end: number;
}

interface ValidEntry {
  entry: SafetensorsEntry;
  dtype: string;
  /** dtype known and shape × dtype size equals the byte range. */
  consistent: boolean;
}

function validateEntry(name: string, value: unknown, dataLength: number, sink: FindingSink): ValidEntry | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    sink.add('SAFETENSORS_TENSOR_INVALID', `entry ${JSON.stringify(excerpt(name))} is not an object`, name);
    return null;
  }
  const v = value as Record<string, unknown>;
  const dtypeName = v['dtype'];
  const shape = v['shape'];
  const offsets = v['data_offsets'];
  if (typeof dtypeName !== 'string' || !isIndexArray(shape) || !isIndexArray(offsets) || offsets.length !== 2) {
    sink.add(
      'SAFETENSORS_TENSOR_INVALID',
      `tensor ${JSON.stringify(excerpt(name))} needs dtype (string), shape and data_offsets ([begin, end]) of non-negative integers`,
      name,
    );
    return null;
  }
  const begin = offsets[0] as number;
  const end = offsets[1] as number;
  if (end < begin) {
    sink.add('SAFETENSORS_TENSOR_INVALID', `tensor ${JSON.stringify(excerpt(name))} ends (${end}) before it begins (${begin})`, name);
    return null;
  }
  const entry: SafetensorsEntry = { dtype: dtypeName, shape: shape.slice(), data_offsets: [begin, end] };
  if (end > dataLength) {
    sink.add(
      'SAFETENSORS_OFFSET_OUT_OF_BOUNDS',
      `tensor ${JSON.stringify(excerpt(name))} data [${begin}, ${end}) runs past the ${dataLength}-byte data section`,
      name,
    );
  }
  const dtype = SAFETENSORS_DTYPES[dtypeName];
  if (dtype === undefined) {
    sink.add('SAFETENSORS_UNKNOWN_DTYPE', `tensor ${JSON.stringify(excerpt(name))} has unknown dtype ${JSON.stringify(excerpt(dtypeName, 40))}`, name);
    return { entry, dtype: dtypeName, consistent: false };
  }
  const count = elementCount(shape);
  const expected = count === null ? null : packedByteLength(count, ELEMENT_BITS[dtype] ?? 8);
  if (expected === null) {
    sink.add('SAFETENSORS_SIZE_MISMATCH', `tensor ${JSON.stringify(excerpt(name))} shape [${shape.join(', ')}] × ${dtypeName} overflows or is not a whole number of bytes`, name);
    return { entry, dtype, consistent: false };
  }
  if (expected !== end - begin) {
    sink.add(
      'SAFETENSORS_SIZE_MISMATCH',
      `tensor ${JSON.stringify(excerpt(name))} shape [${shape.join(', ')}] × ${dtypeName} needs ${expected} bytes, offsets give ${end - begin}`,
      name,
    );
    return { entry, dtype, consistent: false };
  }
  return { entry, dtype, consistent: true };
}

function isIndexArray(x: unknown): x is number[] {
  if (!Array.isArray(x)) return false;
  for (const d of x) if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return false;
  return true;
}

/** Overlaps (medium), holes (info) and bytes after the last tensor (medium). */
function checkLayout(spans: Span[], dataLength: number, sink: FindingSink): void {
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let maxEnd = 0;
  let maxName = '';
  for (const s of spans) {
    if (s.begin === s.end) continue;
    if (s.begin < maxEnd) {
      sink.add(
        'SAFETENSORS_OVERLAP',
        `tensor ${JSON.stringify(excerpt(s.name))} [${s.begin}, ${s.end}) overlaps ${JSON.stringify(excerpt(maxName))} (ends at ${maxEnd})`,
        s.name,
      );
    } else if (s.begin > maxEnd) {
      sink.add('SAFETENSORS_GAP', `${s.begin - maxEnd} bytes before tensor ${JSON.stringify(excerpt(s.name))} belong to no tensor`, s.name);
    }
    if (s.end > maxEnd) {
      maxEnd = s.end;
      maxName = s.name;
    }
  }
  if (maxEnd < dataLength) {
    sink.add(
      'SAFETENSORS_TRAILING_DATA',
      `${dataLength - maxEnd} bytes after the last tensor belong to no tensor (the reference loader rejects the file)`,
      `data byte ${maxEnd}`,
    );
  }
}

function readMetadata(value: unknown, sink: FindingSink): Record<string, string> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    sink.add('SAFETENSORS_METADATA_NOT_STRING', '__metadata__ is not an object', '__metadata__');
    return null;
  }
  const out = Object.create(null) as Record<string, string>;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const location = `__metadata__.${key}`;
    if (typeof v !== 'string') {
      sink.add('SAFETENSORS_METADATA_NOT_STRING', `__metadata__ value for ${JSON.stringify(excerpt(key))} is not a string`, location);
      continue;
    }
    out[key] = v;
    scanMetadataText(key, v, location, sink);
  }
  return out;
}

function scanMetadataText(key: string, value: string, location: string, sink: FindingSink): void {
  const s = scanSuspiciousText(key + '\n' + value);
  const quoted = JSON.stringify(excerpt(value));
  const where = `__metadata__[${JSON.stringify(excerpt(key, 60))}]`;
  if (s.code.length > 0) sink.add('SAFETENSORS_METADATA_CODE', `${where} reads like Python code (${s.code.join(', ')}): ${quoted}`, location);
  if (s.shell.length > 0) sink.add('SAFETENSORS_METADATA_SHELL', `${where} reads like a shell command (${s.shell.join(', ')}): ${quoted}`, location);
  if (s.script.length > 0) sink.add('SAFETENSORS_METADATA_SCRIPT', `${where} holds browser script (${s.script.join(', ')}): ${quoted}`, location);
  const unknown = s.urls.filter((u) => !isKnownHostUrl(u));
  if (unknown.length > 0) {
    sink.add('SAFETENSORS_METADATA_URL', `${where} holds URL(s) ${unknown.map((u) => excerpt(u, 80)).join(', ')}`, location);
  } else if (s.urls.length > 0) {
    sink.add('SAFETENSORS_METADATA_KNOWN_URL', `${where} links ${s.urls.map((u) => excerpt(u, 80)).join(', ')}`, location);
  }
}

function scanName(name: string, sink: FindingSink): void {
  const s = scanSuspiciousText(name);
  const kinds = [...s.code, ...s.shell, ...s.script];
  if (kinds.length > 0) {
    sink.add('SAFETENSORS_SUSPICIOUS_NAME', `tensor name ${JSON.stringify(excerpt(name))} reads like code or markup (${kinds.join(', ')})`, name);
  }
}

/**
 * Keys that occur more than once at the top level of a JSON object text. JSON.parse keeps the
 * last; other loaders may keep the first, so two tensors can hide behind one name. The text has
 * already parsed as JSON, so every string token is well-formed.
 */
export function duplicateTopLevelKeys(text: string): string[] {
  const seen = new Set<string>();
  const dups: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (seen.has(key)) dups.push(key);
        else seen.add(key);
        expectKey = false;
      }
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      expectKey = depth === 1 && c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c && depth === 1) {
      expectKey = true;
    }
  }
  return dups;
}
