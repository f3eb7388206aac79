import { describe, expect, it } from 'vitest';
import { decodeTensor, tensorStats } from './tensor-values.js';
import type { TorchDtype } from './torch-dtypes.js';

const u16 = (...xs: number[]): Uint8Array => {
  const b = new Uint8Array(xs.length * 2);
  const dv = new DataView(b.buffer);
  xs.forEach((x, i) => dv.setUint16(i * 2, x, true));
  return b;
};
const values = (bytes: Uint8Array, dtype: TorchDtype, shape: number[], stride?: number[], offset = 0): number[] => {
  const st = stride ?? shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const r = decodeTensor(bytes, dtype, shape, st, offset);
  if ('error' in r) throw new Error(r.error);
  return [...r.values];
};

describe('decodeTensor: element formats decoded by hand', () => {
  it('float16 (IEEE binary16) including subnormals, infinities, NaN and -0', () => {
    const v = values(u16(0x3c00, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x0001, 0x8000, 0xc000), 'float16', [8]);
    expect(v.slice(0, 4)).toEqual([1, 65504, Infinity, -Infinity]);
    expect(v[4]).toBeNaN();
    expect(v[5]).toBe(2 ** -24);
    expect(Object.is(v[6], -0)).toBe(true);
    expect(v[7]).toBe(-2);
  });

  it('bfloat16 (top half of binary32)', () => {
    const v = values(u16(0x3f80, 0xc000, 0x7f80, 0x7fc0, 0x4049), 'bfloat16', [5]);
    expect(v.slice(0, 3)).toEqual([1, -2, Infinity]);
    expect(v[3]).toBeNaN();
    expect(v[4]).toBeCloseTo(3.140625, 6);
  });

  it('float8 E4M3FN / E5M2 and their fnuz variants', () => {
    const e4 = values(new Uint8Array([0x38, 0x7e, 0x7f, 0x01, 0xb8]), 'float8_e4m3fn', [5]);
    expect([e4[0], e4[1], e4[3], e4[4]]).toEqual([1, 448, 2 ** -9, -1]);
    expect(e4[2]).toBeNaN();
    const e5 = values(new Uint8Array([0x3c, 0x7b, 0x7c, 0x7d, 0x01]), 'float8_e5m2', [5]);
    expect([e5[0], e5[1], e5[2], e5[4]]).toEqual([1, 57344, Infinity, 2 ** -16]);
    expect(e5[3]).toBeNaN();
    const e4u = values(new Uint8Array([0x40, 0x7f, 0x80]), 'float8_e4m3fnuz', [3]);
    expect(e4u.slice(0, 2)).toEqual([1, 240]);
    expect(e4u[2]).toBeNaN();
    const e5u = values(new Uint8Array([0x40, 0x7f, 0x80]), 'float8_e5m2fnuz', [3]);
    expect(e5u.slice(0, 2)).toEqual([1, 57344]);
    expect(e5u[2]).toBeNaN();
  });

  it('integers, bool and complex', () => {
    const i64 = new Uint8Array(16);
    new DataView(i64.buffer).setBigInt64(0, -5n, true);
    new DataView(i64.buffer).setBigInt64(8, 2n ** 40n, true);
    expect(values(i64, 'int64', [2])).toEqual([-5, 2 ** 40]);
    expect(values(new Uint8Array([0, 1, 7]), 'bool', [3])).toEqual([0, 1, 1]);
    expect(values(new Uint8Array([0xff, 0x7f]), 'int8', [2])).toEqual([-1, 127]);
    const c = new Float32Array([1, 2, 3, 4]);
    expect(values(new Uint8Array(c.buffer), 'complex64', [2])).toEqual([1, 2, 3, 4]);
  });

  it('follows strides and the storage offset (a transposed view, a strided slice)', () => {
    const f = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);
    expect(values(f, 'float32', [3, 2], [1, 3])).toEqual([0, 3, 1, 4, 2, 5]);
    expect(values(f, 'float32', [2], [2], 1)).toEqual([1, 3]);
    expect(values(f, 'float32', [0, 5], [5, 1])).toEqual([]);
    expect(values(f, 'float32', [2, 2], [0, 1], 4)).toEqual([4, 5, 4, 5]); // expanded (stride 0) view
  });

  it('reads big-endian storages when asked', () => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, 2.5, false);
    const r = decodeTensor(b, 'float32', [1], [1], 0, { littleEndian: false });
    expect('values' in r && r.values[0]).toBe(2.5);
  });

  it('refuses views outside the storage, negative strides and oversized layouts', () => {
    const f = new Uint8Array(24);
    expect(decodeTensor(f, 'float32', [7], [1], 0)).toMatchObject({ error: expect.stringMatching(/reaches element 6/) });
    expect(decodeTensor(f, 'float32', [2], [1], 5)).toHaveProperty('error');
    expect(decodeTensor(f, 'float32', [2], [-1], 1)).toHaveProperty('error');
    expect(decodeTensor(f, 'float32', [2, 2], [1], 0)).toHaveProperty('error');
    expect(decodeTensor(f, 'float32', [2 ** 20, 2 ** 20], [0, 0], 0)).toMatchObject({ error: expect.stringMatching(/decode limit/) });
  });
});

describe('tensorStats', () => {
  it('counts NaN and ±Inf apart and sums the finite values only', () => {
    const f = new Uint8Array(new Float32Array([1, NaN, -Infinity, 2, Infinity, 0]).buffer);
    const s = tensorStats(f, 'float32', [6], [1], 0);
    expect(s).toMatchObject({ count: 6, finite: 3, finiteSum: 3, nan: 1, posInf: 1, negInf: 1, zeros: 1, min: 0, max: 2, absMax: 2, mean: 1 });
  });

  it('reports NaN min/max when nothing is finite', () => {
    const s = tensorStats(u16(0x7e00, 0x7c00), 'float16', [2], [1], 0);
    expect('min' in s && Number.isNaN(s.min) && Number.isNaN(s.mean)).toBe(true);
  });
});
