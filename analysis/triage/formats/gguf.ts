/**
 * GGUF reader (ggml/docs/gguf.md, versions 1-3, either byte order): header, metadata key/values of
 * every type (arrays summarised, never materialised), tensor infos, alignment and the data section.
 * Validates what ggml's gguf.cpp validates (counts that fit the file, ≤ 4 dims, known types, whole
 * quant blocks, aligned, in-bounds, non-overlapping tensors) and scans chat templates for Jinja
 * sandbox escapes — llama.cpp servers and transformers render them, a known GGUF attack.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import type { TensorInfo } from '../tensor-info.js';
import { ByteCursor, safeNumber } from './byte-cursor.js';
import { elementCount } from './element-types.js';
import { FindingSink } from './finding-sink.js';
import {
  GGML_MAX_DIMS,
  GGML_MAX_NAME,
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_SCALAR_SIZE,
  GGUF_TYPE_ARRAY,
  GGUF_TYPE_STRING,
  GGUF_VALUE_TYPES,
  type GgufValueType,
} from './gguf-types.js';
import { excerpt, scanChatTemplate, scanSuspiciousText } from './suspicious-text.js';

const MAX_KV = 1_000_000;
const MAX_TENSORS = 1_000_000;
const MAX_KEY_BYTES = 65_535;
/** String bytes kept (and scanned) per value; the rest is skipped. */
const MAX_KEPT_STRING = 1 << 20;
const ARRAY_PREVIEW = 16;
const MAX_ARRAY_DEPTH = 4;
/** gguf.cpp reads dims beyond n_dims as 1, but n_dims itself is bounded; past this we stop. */
const MAX_READ_DIMS = 8;

export type GgufScalar = number | string | boolean;

export interface GgufArraySummary {
  itemType: GgufValueType;
  length: number;
  /** The first few items (nested arrays summarised the same way). */
  preview: (GgufScalar | GgufArraySummary)[];
}

export interface GgufValue {
  type: GgufValueType;
  /** 64-bit integers outside the safe range are given as decimal strings. */
  value: GgufScalar | GgufArraySummary;
}

export interface GgufTensorInfo extends TensorInfo {
  ggmlType: number;
  /** Dimensions in ggml order (ne[0] fastest-varying); `shape` is the reverse, row-major. */
  ggmlDims: number[];
  /** Offset relative to the data section, as stored. */
  relativeOffset: number;
}

export interface GgufResult {
  version: number | null;
  littleEndian: boolean;
  tensorCount: number | null;
  kvCount: number | null;
  /** Metadata by key (null prototype: keys are attacker-chosen). */
  metadata: Record<string, GgufValue>;
  alignment: number;
  /** Absolute offset of the tensor data section; null when the header did not parse that far. */
  dataOffset: number | null;
  tensors: GgufTensorInfo[];
  findings: Finding[];
}

/** Unwinds the reader once a fatal finding is recorded. */
class Stop extends Error {}

export async function readGguf(src: ByteSource): Promise<GgufResult> {
  const r: GgufResult = {
    version: null,
    littleEndian: true,
    tensorCount: null,
    kvCount: null,
    metadata: Object.create(null) as Record<string, GgufValue>,
    alignment: GGUF_DEFAULT_ALIGNMENT,
    dataOffset: null,
    tensors: [],
    findings: [],
  };
  const sink = new FindingSink();
  const reader = new GgufReader(new ByteCursor(src), sink, r);
  try {
    await reader.read();
  } catch (e) {
    if (!(e instanceof Stop)) sink.add('FORMAT_UNREADABLE', `GGUF: read failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  r.findings = sink.finish();
  return r;
}

class GgufReader {
  private le = true;
  private v1 = false;
  /** Declared length of the last string read (it may be longer than what was kept). */
  private lastStringLength = 0;

  constructor(
    private readonly c: ByteCursor,
    private readonly sink: FindingSink,
    private readonly r: GgufResult,
  ) {}

  private stop(kind: 'FORMAT_UNREADABLE' | 'FORMAT_TRUNCATED' | 'FORMAT_MALFORMED' | 'FORMAT_LIMIT_EXCEEDED' | 'GGUF_VERSION_UNSUPPORTED', message: string): never {
    this.sink.add(kind, message, `byte ${this.c.pos}`);
    throw new Stop();
  }

  private async need(n: number, what: string): Promise<void> {
    if (!this.c.has(n) && !(await this.c.ensure(n))) this.stop('FORMAT_TRUNCATED', `${what} runs past the end of the file`);
  }

  /** A count or length: u32 in GGUF v1, u64 after; null-safe (a u64 over 2^53 is a lie). */
  private async count(what: string): Promise<number> {
    await this.need(this.v1 ? 4 : 8, what);
    if (this.v1) return this.c.u32(this.le);
    const n = safeNumber(this.c.u64(this.le));
    if (n === null) this.stop('FORMAT_MALFORMED', `${what} is larger than any file`);
    return n;
  }

  async read(): Promise<void> {
    const c = this.c;
    if (c.size < 8 || !(await c.ensure(8))) this.stop('FORMAT_UNREADABLE', 'file too short for the GGUF magic and version');
    if (c.u32(true) !== 0x46554747) {
      c.pos = 0;
      this.stop('FORMAT_UNREADABLE', 'no GGUF magic');
    }
    const le = c.u32(true);
    c.pos -= 4;
    const be = c.u32(false);
    if (le >= 1 && le <= 3) this.le = true;
    else if (be >= 1 && be <= 3) {
      this.le = false;
      this.sink.add('GGUF_BIG_ENDIAN', 'big-endian GGUF (written for s390x); tensor bytes are big-endian');
    } else this.stop('GGUF_VERSION_UNSUPPORTED', `GGUF version ${le} is not 1, 2 or 3`);
    const version = this.le ? le : be;
    this.r.version = version;
    this.r.littleEndian = this.le;
    this.v1 = version === 1;

    const tensorCount = await this.count('tensor count');
    const kvCount = await this.count('metadata count');
    this.r.tensorCount = tensorCount;
    this.r.kvCount = kvCount;
    // Every entry takes some bytes: a count the rest of the file cannot hold is a lie.
    const minKv = this.v1 ? 9 : 13;
    const minTensor = this.v1 ? 20 : 24;
    if (kvCount > MAX_KV || tensorCount > MAX_TENSORS) {
      this.stop('FORMAT_LIMIT_EXCEEDED', `${kvCount} metadata entries / ${tensorCount} tensors exceed the analysis bounds (${MAX_KV} / ${MAX_TENSORS})`);
    }
    if (kvCount * minKv + tensorCount * minTensor > c.remaining()) {
      this.stop('FORMAT_TRUNCATED', `${kvCount} metadata entries and ${tensorCount} tensors cannot fit in the ${c.remaining()} bytes left`);
    }
    for (let i = 0; i < kvCount; i++) await this.keyValue(i);
    this.r.alignment = this.alignment();
    const tensors = [];
    for (let i = 0; i < tensorCount; i++) tensors.push(await this.tensorInfo(i));
    const dataOffset = Math.ceil(c.pos / this.r.alignment) * this.r.alignment;
    this.r.dataOffset = dataOffset;
    this.placeTensors(tensors, dataOffset);
  }

  /** A GGUF string; the first `keep` bytes are decoded, longer than `limit` is malformed. */
  private async string(what: string, keep: number, limit = Infinity): Promise<string> {
    const len = await this.count(`${what} length`);
    this.lastStringLength = len;
    if (len > limit) this.stop('FORMAT_MALFORMED', `${what} claims ${len} bytes`);
    if (len > this.c.remaining()) this.stop('FORMAT_TRUNCATED', `${what} of ${len} bytes runs past the end of the file`);
    const n = Math.min(len, keep);
    await this.need(n, what);
    const text = DECODER.decode(this.c.bytes(n));
    this.c.pos += len - n;
    return text;
  }

  private async keyValue(index: number): Promise<void> {
    const key = await this.string(`metadata key ${index}`, MAX_KEY_BYTES, MAX_KEY_BYTES);
    await this.need(4, `type of ${key}`);
    const type = this.c.u32(this.le);
    const value = await this.value(type, key, 0);
    if (Object.prototype.hasOwnProperty.call(this.r.metadata, key)) {
      this.sink.add('GGUF_DUPLICATE_KEY', `metadata key ${JSON.stringify(excerpt(key))} appears more than once (gguf.cpp rejects the file)`, key);
    } else this.r.metadata[key] = value;
    if (typeof value.value === 'string') this.scanString(key, value.value, this.lastStringLength > MAX_KEPT_STRING);
  }

  private async value(type: number, key: string, depth: number): Promise<GgufValue> {
    const c = this.c;
    const name = GGUF_VALUE_TYPES[type];
    if (name === undefined) this.stop('FORMAT_MALFORMED', `metadata ${JSON.stringify(excerpt(key))} has unknown value type ${type}`);
    if (type === GGUF_TYPE_STRING) return { type: name, value: await this.string(`value of ${key}`, MAX_KEPT_STRING) };
    if (type !== GGUF_TYPE_ARRAY) {
      await this.need(GGUF_SCALAR_SIZE[type] ?? 8, `value of ${key}`);
      return { type: name, value: this.scalar(type) };
    }
    if (depth >= MAX_ARRAY_DEPTH) this.stop('FORMAT_LIMIT_EXCEEDED', `arrays nested deeper than ${MAX_ARRAY_DEPTH} in ${JSON.stringify(excerpt(key))}`);
    await this.need(4, `array type of ${key}`);
    const itemType = c.u32(this.le);
    const itemName = GGUF_VALUE_TYPES[itemType];
    if (itemName === undefined) this.stop('FORMAT_MALFORMED', `array ${JSON.stringify(excerpt(key))} has unknown item type ${itemType}`);
    const length = await this.count(`array length of ${key}`);
    const summary: GgufArraySummary = { itemType: itemName, length, preview: [] };
    const size = GGUF_SCALAR_SIZE[itemType];
    if (size !== undefined) {
      if (length * size > c.remaining()) this.stop('FORMAT_TRUNCATED', `array ${JSON.stringify(excerpt(key))} of ${length} items runs past the end of the file`);
      const shown = Math.min(length, ARRAY_PREVIEW);
      await this.need(shown * size, `array ${key}`);
      for (let i = 0; i < shown; i++) summary.preview.push(this.scalar(itemType));
      c.pos += (length - shown) * size;
      return { type: name, value: summary };
    }
    // Strings and nested arrays: at least the length prefix each.
    if (length * (this.v1 ? 4 : 8) > c.remaining()) this.stop('FORMAT_TRUNCATED', `array ${JSON.stringify(excerpt(key))} of ${length} items runs past the end of the file`);
    const shown = Math.min(length, ARRAY_PREVIEW);
    for (let i = 0; i < shown; i++) {
      const item = itemType === GGUF_TYPE_STRING ? await this.string(`item ${i} of ${key}`, 256) : (await this.value(itemType, key, depth + 1)).value;
      summary.preview.push(item);
    }
    if (itemType === GGUF_TYPE_STRING) await this.skipStrings(length - shown, key);
    else for (let i = shown; i < length; i++) await this.value(itemType, key, depth + 1);
    return { type: name, value: summary };
  }

  /** Skips `n` strings (a tokenizer vocabulary: 10^5 of them) awaiting only on window refills. */
  private async skipStrings(n: number, key: string): Promise<void> {
    const c = this.c;
    const lenSize = this.v1 ? 4 : 8;
    for (let i = 0; i < n; i++) {
      if (!c.has(lenSize)) await this.need(lenSize, `string in ${key}`);
      const lo = c.u32(this.le);
      const hi = this.v1 ? 0 : c.u32(this.le);
      const len = this.le ? lo + (this.v1 ? 0 : hi * 2 ** 32) : this.v1 ? lo : hi + lo * 2 ** 32;
      if (len > c.remaining()) this.stop('FORMAT_TRUNCATED', `string in array ${JSON.stringify(excerpt(key))} of ${len} bytes runs past the end of the file`);
      c.pos += len;
    }
  }

  private scalar(type: number): GgufScalar {
    const c = this.c;
    const le = this.le;
    switch (type) {
      case 0: return c.u8();
      case 1: return (c.u8() << 24) >> 24;
      case 2: return c.u16(le);
      case 3: return (c.u16(le) << 16) >> 16;
      case 4: return c.u32(le);
      case 5: return c.i32(le);
      case 6: return c.f32(le);
      case 7: return c.u8() !== 0;
      case 10: { const v = c.u64(le); return safeNumber(v) ?? v.toString(); }
      case 11: { const v = c.i64(le); return safeNumber(v) ?? v.toString(); }
      default: return c.f64(le);
    }
  }

  private scanString(key: string, text: string, cut: boolean): void {
    if (key === 'tokenizer.chat_template' || key.startsWith('tokenizer.chat_template.')) {
      if (cut) this.sink.add('GGUF_CHAT_TEMPLATE_SUSPICIOUS', `chat template longer than ${MAX_KEPT_STRING} bytes; only the start was scanned`, key);
      const s = scanChatTemplate(text);
      if (s.injection.length > 0) {
        this.sink.add('GGUF_CHAT_TEMPLATE_INJECTION', `chat template reaches Python internals (${s.injection.join(', ')}): rendering it can run code`, key);
      } else if (s.suspicious.length > 0) {
        this.sink.add('GGUF_CHAT_TEMPLATE_SUSPICIOUS', `chat template uses SSTI pivots (${s.suspicious.join(', ')})`, key);
      }
      return;
    }
    const s = scanSuspiciousText(text);
    const kinds = [...s.code, ...s.shell, ...s.script];
    if (kinds.length > 0) this.sink.add('GGUF_SUSPICIOUS_METADATA', `${JSON.stringify(excerpt(key, 60))} reads like code or markup (${kinds.join(', ')}): ${JSON.stringify(excerpt(text))}`, key);
  }

  /** general.alignment must be a non-zero power-of-two u32 (gguf.cpp); else the default. */
  private alignment(): number {
    const a = this.r.metadata['general.alignment'];
    if (a === undefined) return GGUF_DEFAULT_ALIGNMENT;
    const v = a.value;
    if (a.type !== 'uint32' || typeof v !== 'number' || v === 0 || (v & (v - 1)) !== 0) {
      this.sink.add('GGUF_BAD_ALIGNMENT', `general.alignment ${JSON.stringify(typeof v === 'object' ? 'array' : v)} (${a.type}) is not a non-zero power-of-two uint32; using ${GGUF_DEFAULT_ALIGNMENT}`, 'general.alignment');
      return GGUF_DEFAULT_ALIGNMENT;
    }
    return v;
  }

  private async tensorInfo(index: number): Promise<GgufTensorInfo & { valid: boolean }> {
    const c = this.c;
    const name = await this.string(`tensor ${index} name`, MAX_KEY_BYTES, MAX_KEY_BYTES);
    const label = `tensor ${JSON.stringify(excerpt(name))}`;
    let valid = true;
    const invalid = (why: string): void => {
      valid = false;
      this.sink.add('GGUF_TENSOR_INVALID', `${label} ${why}`, name);
    };
    if (new TextEncoder().encode(name).length >= GGML_MAX_NAME) invalid(`name is ${name.length} bytes; ggml allows ${GGML_MAX_NAME - 1}`);
    await this.need(4, `${label} n_dims`);
    const nDims = c.u32(this.le);
    if (nDims > MAX_READ_DIMS) this.stop('FORMAT_MALFORMED', `${label} claims ${nDims} dimensions`);
    if (nDims > GGML_MAX_DIMS) invalid(`has ${nDims} dimensions; ggml supports ${GGML_MAX_DIMS}`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(await this.count(`${label} dim ${d}`));
    await this.need(12, `${label} type and offset`);
    const ggmlType = c.u32(this.le);
    const offset = safeNumber(c.u64(this.le));
    if (offset === null) this.stop('FORMAT_MALFORMED', `${label} offset is larger than any file`);
    const type = GGML_TYPES[ggmlType];
    const count = elementCount(dims);
    let byteLength = 0;
    if (type === undefined) {
      valid = false;
      this.sink.add('GGUF_UNKNOWN_TYPE', `${label} has unknown ggml type ${ggmlType}`, name);
    } else if (count === null) invalid(`element count of [${dims.join(', ')}] overflows`);
    else if ((dims[0] ?? 1) % type.blockSize !== 0) invalid(`row of ${dims[0]} elements is not a whole number of ${type.name} blocks (${type.blockSize})`);
    else byteLength = (count / type.blockSize) * type.typeSize;
    return {
      name,
      dtype: type?.name ?? `ggml_type_${ggmlType}`,
      shape: dims.slice().reverse(),
      byteOffset: 0,
      byteLength,
      ggmlType,
      ggmlDims: dims,
      relativeOffset: offset,
      valid,
    };
  }

  /** Alignment, bounds and overlap of every tensor; keeps the valid, in-bounds ones. */
  private placeTensors(tensors: (GgufTensorInfo & { valid: boolean })[], dataOffset: number): void {
    const size = this.c.size;
    const names = new Set<string>();
    const placed: GgufTensorInfo[] = [];
    for (const { valid, ...t } of tensors) {
      const label = `tensor ${JSON.stringify(excerpt(t.name))}`;
      if (names.has(t.name)) this.sink.add('GGUF_DUPLICATE_KEY', `${label} is defined more than once`, t.name);
      names.add(t.name);
      if (t.relativeOffset % this.r.alignment !== 0) {
        this.sink.add('GGUF_TENSOR_MISALIGNED', `${label} offset ${t.relativeOffset} is not a multiple of the alignment ${this.r.alignment}`, t.name);
      }
      t.byteOffset = dataOffset + t.relativeOffset;
      if (t.byteOffset + t.byteLength > size) {
        this.sink.add('GGUF_TENSOR_OUT_OF_BOUNDS', `${label} data [${t.byteOffset}, ${t.byteOffset + t.byteLength}) runs past the end of the ${size}-byte file`, t.name);
        continue;
      }
      if (valid) placed.push(t);
    }
    const byOffset = placed.slice().sort((a, b) => a.byteOffset - b.byteOffset);
    let maxEnd = 0;
    let maxName = '';
    for (const t of byOffset) {
      if (t.byteLength === 0) continue;
      if (t.byteOffset < maxEnd) {
        this.sink.add('GGUF_TENSOR_OVERLAP', `tensor ${JSON.stringify(excerpt(t.name))} overlaps ${JSON.stringify(excerpt(maxName))}`, t.name);
      }
      if (t.byteOffset + t.byteLength > maxEnd) {
        maxEnd = t.byteOffset + t.byteLength;
        maxName = t.name;
      }
    }
    this.r.tensors = placed;
  }
}

const DECODER = new TextDecoder('utf-8');
