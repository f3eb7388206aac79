/**
 * Reads tensor elements straight from storage bytes, by dtype, shape, stride and element offset,
 * as torch lays them out (c10 TensorImpl: element at storage_offset + Σ index_d·stride_d). Half,
 * bfloat16 and float8 are decoded by hand (IEEE 754 binary16; bfloat16 = top half of binary32;
 * OCP FP8 E4M3/E5M2 and the "fnuz" variants). Every layout is bounds-checked before reading.
 */
import { ELEMENT_SIZE, type TorchDtype } from './torch-dtypes.js';

export interface DecodeOptions {
  littleEndian?: boolean;
  /** Refuse layouts with more elements than this (default 2^31 − 1). */
  maxElements?: number;
}

export interface TensorStats {
  /** Elements (complex values count their two components separately). */
  count: number;
  finite: number;
  finiteSum: number;
  nan: number;
  posInf: number;
  negInf: number;
  zeros: number;
  /** Over finite values; NaN when there are none. */
  min: number;
  max: number;
  absMax: number;
  mean: number;
}

let halfTable: Float64Array | null = null;
function halfToFloat(h: number): number {
  if (halfTable === null) {
    halfTable = new Float64Array(65536);
    for (let x = 0; x < 65536; x++) {
      const sign = x & 0x8000 ? -1 : 1;
      const e = (x >> 10) & 0x1f;
      const m = x & 0x3ff;
      halfTable[x] = e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
    }
  }
  return halfTable[h] as number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function bf16ToFloat(h: number): number {
  u32[0] = h << 16;
  return f32[0] as number;
}

type Fp8Kind = 'float8_e4m3fn' | 'float8_e5m2' | 'float8_e4m3fnuz' | 'float8_e5m2fnuz';
const fp8Tables = new Map<Fp8Kind, Float64Array>();
function fp8Table(kind: Fp8Kind): Float64Array {
  let t = fp8Tables.get(kind);
  if (t) return t;
  t = new Float64Array(256);
  const e4 = kind === 'float8_e4m3fn' || kind === 'float8_e4m3fnuz';
  const fnuz = kind.endsWith('fnuz');
  const mBits = e4 ? 3 : 2;
  const bias = (e4 ? 7 : 15) + (fnuz ? 1 : 0);
  const eMax = e4 ? 15 : 31;
  for (let b = 0; b < 256; b++) {
    const sign = b & 0x80 ? -1 : 1;
    const e = (b >> mBits) & eMax;
    const m = b & ((1 << mBits) - 1);
    let v: number;
    if (fnuz && b === 0x80) v = NaN; // fnuz: the negative-zero pattern is the only NaN, no infinities
    else if (!fnuz && kind === 'float8_e4m3fn' && e === 15 && m === 7) v = NaN; // E4M3FN: no inf, S.1111.111 = NaN
    else if (!fnuz && kind === 'float8_e5m2' && e === 31) v = m ? NaN : sign * Infinity;
    else if (e === 0) v = sign * (m / (1 << mBits)) * 2 ** (1 - bias);
    else v = sign * (1 + m / (1 << mBits)) * 2 ** (e - bias);
    t[b] = v;
  }
  fp8Tables.set(kind, t);
  return t;
}

/** Reader of element `i` (in dtype units) of a storage; complex dtypes read component `i` (re, im, re, …). */
export function elementReader(bytes: Uint8Array, dtype: TorchDtype, littleEndian = true): (i: number) => number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = littleEndian;
  switch (dtype) {
    case 'float32': return (i) => dv.getFloat32(i * 4, le);
    case 'float64': return (i) => dv.getFloat64(i * 8, le);
    case 'float16': return (i) => halfToFloat(dv.getUint16(i * 2, le));
    case 'bfloat16': return (i) => bf16ToFloat(dv.getUint16(i * 2, le));
    case 'complex32': return (i) => halfToFloat(dv.getUint16(i * 2, le));
    case 'complex64': return (i) => dv.getFloat32(i * 4, le);
    case 'complex128': return (i) => dv.getFloat64(i * 8, le);
    case 'int64': return (i) => Number(dv.getBigInt64(i * 8, le));
    case 'uint64': return (i) => Number(dv.getBigUint64(i * 8, le));
    case 'int32': case 'qint32': return (i) => dv.getInt32(i * 4, le);
    case 'uint32': return (i) => dv.getUint32(i * 4, le);
    case 'int16': return (i) => dv.getInt16(i * 2, le);
    case 'uint16': return (i) => dv.getUint16(i * 2, le);
    case 'int8': case 'qint8': return (i) => dv.getInt8(i);
    case 'uint8': case 'quint8': case 'quint4x2': case 'quint2x4': return (i) => bytes[i] as number;
    case 'bool': return (i) => (bytes[i] !== 0 ? 1 : 0);
    case 'float8_e4m3fn': case 'float8_e5m2': case 'float8_e4m3fnuz': case 'float8_e5m2fnuz': {
      const t = fp8Table(dtype);
      return (i) => t[bytes[i] as number] as number;
    }
  }
}

const isComplex = (d: TorchDtype): boolean => d === 'complex32' || d === 'complex64' || d === 'complex128';

/**
 * Storage indices of every element in logical (row-major) order, or an error when the view does
 * not fit the storage. Strides and offset are in elements.
 */
function layout(bytes: Uint8Array, dtype: TorchDtype, shape: readonly number[], stride: readonly number[], offset: number, opts: DecodeOptions):
  { count: number; storageIndex: (visit: (idx: number) => void) => void } | { error: string } {
  if (shape.length !== stride.length) return { error: 'shape and stride lengths differ' };
  if (offset < 0 || !Number.isInteger(offset)) return { error: `bad storage offset ${offset}` };
  let count = 1;
  let maxIdx = offset;
  for (let d = 0; d < shape.length; d++) {
    const s = shape[d] as number;
    const st = stride[d] as number;
    if (s < 0 || st < 0 || !Number.isInteger(s) || !Number.isInteger(st)) return { error: 'negative or fractional size/stride' };
    count *= s;
    if (s > 0) maxIdx += (s - 1) * st;
  }
  if (count > (opts.maxElements ?? 2 ** 31 - 1)) return { error: `${count} elements exceed the decode limit` };
  const esize = ELEMENT_SIZE[dtype];
  const storageElems = Math.floor(bytes.length / esize);
  if (count > 0 && maxIdx >= storageElems) return { error: `view reaches element ${maxIdx} of a ${storageElems}-element storage` };
  const rank = shape.length;
  let contiguous = true;
  for (let d = rank - 1, expect = 1; d >= 0; d--) {
    if ((shape[d] as number) !== 1 && (stride[d] as number) !== expect) contiguous = false;
    expect *= shape[d] as number;
  }
  return {
    count,
    storageIndex: (visit) => {
      if (count === 0) return;
      if (contiguous) { for (let i = 0; i < count; i++) visit(offset + i); return; }
      const idx = new Array<number>(rank).fill(0);
      let pos = offset;
      for (let n = 0; n < count; n++) {
        visit(pos);
        for (let d = rank - 1; d >= 0; d--) {
          idx[d] = (idx[d] as number) + 1;
          pos += stride[d] as number;
          if ((idx[d] as number) < (shape[d] as number)) break;
          pos -= (shape[d] as number) * (stride[d] as number);
          idx[d] = 0;
        }
      }
    },
  };
}

/** Element values in logical order (complex: interleaved re/im). Throws nothing; returns an error string. */
export function decodeTensor(bytes: Uint8Array, dtype: TorchDtype, shape: readonly number[], stride: readonly number[], offset: number, opts: DecodeOptions = {}):
  { values: Float64Array } | { error: string } {
  const l = layout(bytes, dtype, shape, stride, offset, opts);
  if ('error' in l) return l;
  const read = elementReader(bytes, dtype, opts.littleEndian ?? true);
  const cx = isComplex(dtype);
  const values = new Float64Array(cx ? l.count * 2 : l.count);
  let o = 0;
  l.storageIndex(cx ? (i) => { values[o++] = read(2 * i); values[o++] = read(2 * i + 1); } : (i) => { values[o++] = read(i); });
  return { values };
}

/** Streaming statistics over a tensor's elements, without materialising them. */
export function tensorStats(bytes: Uint8Array, dtype: TorchDtype, shape: readonly number[], stride: readonly number[], offset: number, opts: DecodeOptions = {}):
  TensorStats | { error: string } {
  const l = layout(bytes, dtype, shape, stride, offset, opts);
  if ('error' in l) return l;
  const read = elementReader(bytes, dtype, opts.littleEndian ?? true);
  const s: TensorStats = { count: 0, finite: 0, finiteSum: 0, nan: 0, posInf: 0, negInf: 0, zeros: 0, min: Infinity, max: -Infinity, absMax: 0, mean: NaN };
  const add = (x: number): void => {
    s.count++;
    if (Number.isNaN(x)) { s.nan++; return; }
    if (x === Infinity) { s.posInf++; return; }
    if (x === -Infinity) { s.negInf++; return; }
    s.finite++;
    s.finiteSum += x;
    if (x === 0) s.zeros++;
    if (x < s.min) s.min = x;
    if (x > s.max) s.max = x;
    const a = Math.abs(x);
    if (a > s.absMax) s.absMax = a;
  };
  l.storageIndex(isComplex(dtype) ? (i) => { add(read(2 * i)); add(read(2 * i + 1)); } : (i) => add(read(i)));
  if (s.finite === 0) { s.min = NaN; s.max = NaN; } else s.mean = s.finiteSum / s.finite;
  return s;
}
