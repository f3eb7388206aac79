import { describe, expect, it } from 'vitest';
import { dequantizeBlocks, GGML_DEQUANT_TYPES, ggmlBlockDecoder } from './gguf-dequant.js';
import { GGML_TYPES } from './gguf-types.js';
import { halfBits, halfValue, packK, packLegacy, seededInts, type Packed } from './gguf-quant.test-support.js';

// Blocks are packed the way ggml's quantize_row_*_ref lays them out (gguf-quant.test-support.ts),
// with exactly representable scales, so dequantisation must give back every value bit for bit.

function decode(dtype: string, p: Packed): Float32Array {
  const dec = ggmlBlockDecoder(dtype)!;
  const out = new Float32Array(p.values.length);
  expect(dequantizeBlocks(dec, p.bytes, out)).toBe(p.values.length);
  return out;
}

describe('ggml block dequantisation', () => {
  it('knows the block layout of every type it decodes (ggml-common.h sizes)', () => {
    const byName = new Map(Object.values(GGML_TYPES).map((t) => [t.name, t]));
    expect([...GGML_DEQUANT_TYPES].sort()).toEqual(['q2_k', 'q3_k', 'q4_0', 'q4_1', 'q4_k', 'q5_0', 'q5_1', 'q5_k', 'q6_k', 'q8_0', 'q8_k']);
    for (const name of GGML_DEQUANT_TYPES) {
      const dec = ggmlBlockDecoder(name)!;
      expect([dec.blockValues, dec.blockBytes], name).toEqual([byName.get(name)!.blockSize, byName.get(name)!.typeSize]);
    }
  });

  it('decodes nothing it does not know (IQ, TQ, MXFP4, Q8_1, inherited names)', () => {
    for (const name of ['iq2_xxs', 'iq4_nl', 'tq1_0', 'tq2_0', 'mxfp4', 'q8_1', 'float32', 'toString', '__proto__']) expect(ggmlBlockDecoder(name), name).toBeNull();
  });

  for (const type of ['q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0'] as const) {
    it(`${type}: random codes and scales come back exactly`, () => {
      const p = packLegacy(type, 64, seededInts(7));
      expect(Array.from(decode(type, p))).toEqual(Array.from(p.values));
    });
  }

  for (const type of ['q2_k', 'q3_k', 'q4_k', 'q5_k', 'q6_k', 'q8_k'] as const) {
    it(`${type}: random codes, 6-bit packed scales and mins come back exactly`, () => {
      const p = packK(type, 16, seededInts(11));
      expect(Array.from(decode(type, p))).toEqual(Array.from(p.values));
    });
  }

  it('Q4_K by hand: known scales and mins, including ones above 15 that use the high bits', () => {
    // d = 1, dmin = 0.5; sub-block j has scale sc[j] and min mn[j]; every code is j (mod 16).
    const sc = [1, 2, 3, 4, 17, 33, 50, 63];
    const mn = [0, 1, 2, 3, 20, 40, 60, 63];
    const b = new Uint8Array(144);
    b.set([0x00, 0x3c, 0x00, 0x38]); // binary16 1.0 and 0.5
    // scales[12] as get_scale_min_k4 reads them.
    for (let j = 0; j < 4; j++) {
      b[4 + j] = sc[j]! | ((sc[j + 4]! >> 4) << 6);
      b[8 + j] = mn[j]! | ((mn[j + 4]! >> 4) << 6);
      b[12 + j] = (sc[j + 4]! & 0xf) | ((mn[j + 4]! & 0xf) << 4);
    }
    // qs: group g (64 values) = 32 bytes; low nibbles are sub-block 2g, high nibbles 2g+1.
    for (let g = 0; g < 4; g++) for (let l = 0; l < 32; l++) b[16 + 32 * g + l] = (2 * g) | ((2 * g + 1) << 4);
    const out = new Float32Array(256);
    dequantizeBlocks(ggmlBlockDecoder('q4_k')!, b, out);
    for (let p = 0; p < 256; p++) {
      const j = p >> 5;
      expect(out[p], `value ${p}`).toBe(sc[j]! * j - 0.5 * mn[j]!);
    }
    expect(out[0]).toBe(0);
    expect(out[255]).toBe(63 * 7 - 31.5);
  });

  it('carries NaN and infinite binary16 scales through, as ggml does', () => {
    const b = new Uint8Array(34);
    b.set([0x00, 0x7e]); // NaN
    b[2] = 1;
    const out = new Float32Array(32);
    dequantizeBlocks(ggmlBlockDecoder('q8_0')!, b, out);
    expect(out.every((x) => Number.isNaN(x))).toBe(true);
    b.set([0x00, 0x7c]); // +Inf: 0·Inf is NaN, 1·Inf is Inf
    dequantizeBlocks(ggmlBlockDecoder('q8_0')!, b, out);
    expect(out[0]).toBe(Infinity);
    expect(Number.isNaN(out[1])).toBe(true);
  });

  it('test support: binary16 bits round-trip', () => {
    for (const x of [1, 0.5, -2, 65504, 2 ** -14, 1.875]) expect(halfValue(halfBits(x))).toBe(x);
  });
});
