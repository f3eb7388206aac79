/**
 * Writes a state dict the way `torch.save(model.state_dict(), "model.pt")` does (PyTorch ≥ 2.1 zip
 * serialization, version 3): `<top>/data.pkl` (pickle protocol 2), `<top>/byteorder`, one raw
 * little-endian storage per tensor under `<top>/data/<key>`, `<top>/version` = "3\n" and
 * `<top>/.data/serialization_id`, laid out by ./stored-zip.ts like PyTorchStreamWriter.
 *
 * The pickle reproduces CPython's `pickle.Pickler(protocol=2)` byte for byte for this structure:
 * memo numbering (BINPUT after every memoised object, BINGET on repeats of the same global or
 * interned string), `collections.OrderedDict` via REDUCE + SETITEMS, each tensor as
 * `torch._utils._rebuild_tensor_v2(<BINPERSID ('storage', torch.<T>Storage, key, 'cpu', numel)>,
 * offset, size, stride, False, OrderedDict())`, and the `_metadata` attribute set with BUILD.
 * Nothing here executes a pickle; it only writes one.
 */
import { writeStoredZip, type ZipRecord } from './stored-zip.js';

export type TorchDtype = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';

const STORAGE_CLASS: Record<TorchDtype, string> = {
  float32: 'FloatStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
  float64: 'DoubleStorage',
  int64: 'LongStorage',
  int32: 'IntStorage',
  uint8: 'ByteStorage',
  int8: 'CharStorage',
  bool: 'BoolStorage',
};

export const DTYPE_BYTES: Record<TorchDtype, number> = { float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, uint8: 1, int8: 1, bool: 1 };

export interface TorchTensor {
  name: string;
  dtype: TorchDtype;
  shape: number[];
  /** Raw little-endian bytes of the contiguous tensor (numel × element size). */
  data: Uint8Array;
}

export interface TorchZipOptions {
  /** Archive folder name; torch.save uses the file name without extension. */
  topName: string;
  /** Module names for the state dict's `_metadata` (each gets `{'version': 1}`); omitted when absent. */
  metadataModules?: string[];
  /** PyTorch ≥ 2.1 records (`byteorder`, `.data/serialization_id`); false reproduces 1.13 output. */
  modernRecords?: boolean;
}

// Pickle opcodes (CPython Lib/pickle.py).
const PROTO = 0x80, STOP = 0x2e, GLOBAL = 0x63, BINPUT = 0x71, LONG_BINPUT = 0x72, BINGET = 0x68, LONG_BINGET = 0x6a;
const EMPTY_TUPLE = 0x29, EMPTY_DICT = 0x7d, MARK = 0x28, TUPLE = 0x74, TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87;
const REDUCE = 0x52, BUILD = 0x62, SETITEM = 0x73, SETITEMS = 0x75, BINPERSID = 0x51, NEWFALSE = 0x89;
const BININT1 = 0x4b, BININT2 = 0x4d, BININT = 0x4a, LONG1 = 0x8a, BINUNICODE = 0x58;

/** CPython's Pickler memo + output for the objects a state dict needs. */
class Pickler {
  private readonly out: number[] = [];
  private readonly memo = new Map<string, number>();
  private nextMemo = 0;

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  op(...codes: number[]): void {
    for (const c of codes) this.out.push(c);
  }

  private u32(n: number): void {
    this.out.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }

  /** Memoises the object just written under `key` (BINPUT / LONG_BINPUT). */
  put(key: string | null): void {
    const idx = this.nextMemo++;
    if (key !== null) this.memo.set(key, idx);
    if (idx < 256) this.out.push(BINPUT, idx);
    else {
      this.out.push(LONG_BINPUT);
      this.u32(idx);
    }
  }

  /** Writes BINGET for a memoised key; false when not memoised yet. */
  get(key: string): boolean {
    const idx = this.memo.get(key);
    if (idx === undefined) return false;
    if (idx < 256) this.out.push(BINGET, idx);
    else {
      this.out.push(LONG_BINGET);
      this.u32(idx);
    }
    return true;
  }

  global(module: string, name: string): void {
    const key = `g:${module}\n${name}`;
    if (this.get(key)) return;
    this.out.push(GLOBAL);
    for (const ch of Buffer.from(`${module}\n${name}\n`, 'latin1')) this.out.push(ch);
    this.put(key);
  }

  /** A str; `interned` strings share one object in CPython (literals), so repeats hit the memo. */
  str(s: string, interned = false): void {
    if (interned && this.get(`s:${s}`)) return;
    const b = Buffer.from(s, 'utf8');
    this.out.push(BINUNICODE);
    this.u32(b.length);
    for (const ch of b) this.out.push(ch);
    this.put(interned ? `s:${s}` : null);
  }

  /** save_long for protocol 2. */
  int(n: number): void {
    if (n >= 0 && n <= 0xff) this.out.push(BININT1, n);
    else if (n >= 0 && n <= 0xffff) this.out.push(BININT2, n & 0xff, n >>> 8);
    else if (n >= -0x80000000 && n <= 0x7fffffff) {
      this.out.push(BININT);
      this.u32(n);
    } else {
      // LONG1: little-endian two's complement, minimal length.
      let v = BigInt(n);
      const bytes: number[] = [];
      while (v !== 0n && v !== -1n) {
        bytes.push(Number(v & 0xffn));
        v >>= 8n;
      }
      const last = bytes[bytes.length - 1] ?? 0;
      if (n > 0 && last & 0x80) bytes.push(0);
      if (n < 0 && !(last & 0x80)) bytes.push(0xff);
      this.out.push(LONG1, bytes.length, ...bytes);
    }
  }

  /** A tuple of ints (sizes, strides): TUPLE1/2/3 or MARK…TUPLE, memoised; () is EMPTY_TUPLE. */
  intTuple(items: readonly number[]): void {
    if (items.length === 0) {
      this.out.push(EMPTY_TUPLE);
      return;
    }
    if (items.length > 3) this.out.push(MARK);
    for (const i of items) this.int(i);
    this.out.push(items.length === 1 ? TUPLE1 : items.length === 2 ? TUPLE2 : items.length === 3 ? TUPLE3 : TUPLE);
    this.put(null);
  }

  /** `collections.OrderedDict()` via __reduce__: class, (), REDUCE. */
  emptyOrderedDict(): void {
    this.global('collections', 'OrderedDict');
    this.out.push(EMPTY_TUPLE, REDUCE);
    this.put(null);
  }
}

function contiguousStride(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) stride[i] = stride[i + 1]! * shape[i + 1]!;
  return stride;
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `_batch_setitems`: one item → key value SETITEM; more → MARK … SETITEMS per batch of 1000. */
function batchSetItems<T>(p: Pickler, items: readonly T[], writeItem: (item: T) => void): void {
  for (let i = 0; i < items.length; i += 1000) {
    const batch = items.slice(i, i + 1000);
    if (batch.length === 1) {
      writeItem(batch[0]!);
      p.op(SETITEM);
    } else {
      p.op(MARK);
      for (const it of batch) writeItem(it);
      p.op(SETITEMS);
    }
  }
}

/** The data.pkl bytes for an OrderedDict state dict whose tensor `i` lives in storage key `String(i)`. */
export function stateDictPickle(tensors: readonly TorchTensor[], metadataModules?: readonly string[]): Uint8Array {
  const p = new Pickler();
  p.op(PROTO, 2);
  p.emptyOrderedDict();
  batchSetItems(p, tensors.map((t, i) => ({ t, i })), ({ t, i }) => {
    p.str(t.name);
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.op(MARK);
    // persistent_id(storage) = ('storage', storage_type, key, location, numel)
    p.op(MARK);
    p.str('storage', true);
    p.global('torch', STORAGE_CLASS[t.dtype]);
    p.str(String(i));
    p.str('cpu', true);
    p.int(numel(t.shape));
    p.op(TUPLE);
    p.put(null);
    p.op(BINPERSID);
    p.int(0);
    p.intTuple(t.shape);
    p.intTuple(contiguousStride(t.shape));
    p.op(NEWFALSE);
    p.emptyOrderedDict();
    p.op(TUPLE);
    p.put(null);
    p.op(REDUCE);
    p.put(null);
  });
  if (metadataModules) {
    // state = {'_metadata': OrderedDict((name, {'version': 1}) for each module)}; BUILD sets it.
    p.op(EMPTY_DICT);
    p.put(null);
    p.str('_metadata');
    p.emptyOrderedDict();
    batchSetItems(p, metadataModules, (m) => {
      p.str(m);
      p.op(EMPTY_DICT);
      p.put(null);
      p.str('version', true);
      p.int(1);
      p.op(SETITEM);
    });
    p.op(SETITEM, BUILD);
  }
  p.op(STOP);
  return p.bytes();
}

const MASK64 = (1n << 64n) - 1n;

/** libstdc++ `std::_Hash_bytes` (64-bit MurmurHash2 variant, seed 0xc70f6907): what std::hash<std::string> returns on Linux. */
function stdHashString(s: string): bigint {
  const b = Buffer.from(s, 'utf8');
  const mul = (0xc6a4a793n << 32n) + 0x5bd1e995n;
  const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);
  let h = (0xc70f6907n ^ (BigInt(b.length) * mul)) & MASK64;
  const aligned = b.length & ~7;
  for (let i = 0; i < aligned; i += 8) {
    const d = (shiftMix((b.readBigUInt64LE(i) * mul) & MASK64) * mul) & MASK64;
    h = ((h ^ d) * mul) & MASK64;
  }
  if (b.length & 7) {
    let d = 0n;
    for (let i = b.length - 1; i >= aligned; i--) d = (d << 8n) + BigInt(b[i]!);
    h = ((h ^ d) * mul) & MASK64;
  }
  h = (shiftMix(h) * mul) & MASK64;
  return shiftMix(h);
}

/** c10::hash_combine. */
function hashCombine(seed: bigint, value: bigint): bigint {
  return (seed ^ ((value + 0x9e3779b9n + ((seed << 6n) & MASK64) + (seed >> 2n)) & MASK64)) & MASK64;
}

/**
 * PyTorchStreamWriter::writeSerializationId: 20 digits of the combined hash of the record names
 * (std::set order) then 20 digits of the combined CRC-32s in write order.
 */
export function serializationId(records: ReadonlyArray<{ name: string; crc: number }>): string {
  let names = 0n;
  for (const n of records.map((r) => r.name).sort()) names = hashCombine(names, stdHashString(n));
  let crcs = 0n;
  for (const r of records) crcs = hashCombine(crcs, BigInt(r.crc));
  return names.toString().padStart(20, '0') + crcs.toString().padStart(20, '0');
}

/** The bytes of a torch.save() zip file holding `tensors` as an OrderedDict state dict. */
export function writeTorchZip(tensors: readonly TorchTensor[], opts: TorchZipOptions): Uint8Array {
  for (const t of tensors) {
    if (t.data.length !== numel(t.shape) * DTYPE_BYTES[t.dtype]) throw new Error(`tensor ${t.name}: ${t.data.length} bytes for shape [${t.shape.join(',')}] ${t.dtype}`);
  }
  const top = opts.topName;
  const modern = opts.modernRecords ?? true;
  const records: ZipRecord[] = [{ name: 'data.pkl', data: stateDictPickle(tensors, opts.metadataModules) }];
  if (modern) records.push({ name: 'byteorder', data: Buffer.from('little', 'latin1') });
  // torch.save writes storages in sorted(key) order (string sort: '10' before '2').
  const keys = tensors.map((_, i) => String(i)).sort();
  for (const k of keys) records.push({ name: `data/${k}`, data: tensors[Number(k)]!.data });
  records.push({ name: 'version', data: Buffer.from('3\n', 'latin1') });
  if (modern) {
    const { written } = writeStoredZip(records.map((r) => ({ name: r.name, data: r.data })));
    records.push({ name: '.data/serialization_id', data: Buffer.from(serializationId(written), 'latin1') });
  }
  return writeStoredZip(records.map((r) => ({ name: `${top}/${r.name}`, data: r.data }))).bytes;
}
