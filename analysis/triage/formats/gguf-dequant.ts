/**
 * Dequantisation of ggml block-quantised tensors to float32, block by block, as the reference
 * `dequantize_row_*` functions of ggml/src/ggml-quants.c compute them (block layouts of
 * ggml/src/ggml-common.h, QK_K = 256). Statistics over the output therefore equal what llama.cpp
 * sees when it dequantises the same tensor.
 *
 * Exactness: every scale is an IEEE binary16 value (binary32 for Q8_K) and every product of a scale
 * with a small integer fits a float32 mantissa, so the only rounding in ggml's float arithmetic is
 * the last operation (`d·q − m`, `d·sc·q`). Here that operation runs in float64 and the Float32Array
 * store rounds it once, which gives the float32 result (a double holds more than 2·24+2 bits, so
 * rounding twice cannot differ). A compiler that fuses `d·q − m` into an FMA would differ from the
 * C source by one ulp on some values; we follow the source.
 *
 * Layout of blocks is little-endian; big-endian GGUF files are not decoded here (the caller says so).
 */

/** One ggml quantised type: `blockBytes` stored bytes hold `blockValues` values. */
export interface GgmlBlockDecoder {
  readonly blockValues: number;
  readonly blockBytes: number;
  /** Dequantises the block at `b[at…at+blockBytes)` into `y[o…o+blockValues)`. */
  decodeBlock(b: Uint8Array, at: number, y: Float32Array, o: number): void;
}

let HALF: Float32Array | null = null;

/** IEEE binary16 → value for every bit pattern (GGML_FP16_TO_FP32 is exact). */
function halfTable(): Float32Array {
  if (HALF) return HALF;
  const t = new Float32Array(65536);
  for (let x = 0; x < 65536; x++) {
    const sign = x & 0x8000 ? -1 : 1;
    const e = (x >> 10) & 0x1f;
    const m = x & 0x3ff;
    t[x] = e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
  }
  HALF = t;
  return t;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** Little-endian binary16 at `at`. */
function fp16(b: Uint8Array, at: number, h: Float32Array): number {
  return h[(b[at] as number) | ((b[at + 1] as number) << 8)] as number;
}

/** block_q4_0 {d: f16, qs[16]}: low nibbles are values 0–15, high nibbles 16–31, both minus 8. */
function q4_0(h: Float32Array): GgmlBlockDecoder {
  return {
    blockValues: 32, blockBytes: 18,
    decodeBlock(b, at, y, o) {
      const d = fp16(b, at, h);
      for (let j = 0; j < 16; j++) {
        const q = b[at + 2 + j] as number;
        y[o + j] = ((q & 0xf) - 8) * d;
        y[o + j + 16] = ((q >> 4) - 8) * d;
      }
    },
  };
}

/** block_q4_1 {d, m: f16, qs[16]}: q·d + m. */
function q4_1(h: Float32Array): GgmlBlockDecoder {
  return {
    blockValues: 32, blockBytes: 20,
    decodeBlock(b, at, y, o) {
      const d = fp16(b, at, h);
      const m = fp16(b, at + 2, h);
      for (let j = 0; j < 16; j++) {
        const q = b[at + 4 + j] as number;
        y[o + j] = (q & 0xf) * d + m;
        y[o + j + 16] = (q >> 4) * d + m;
      }
    },
  };
}

/** Bit `k` of the little-endian uint32 qh at `at`, as 0x10 or 0. */
function highBit(b: Uint8Array, at: number, k: number): number {
  return ((b[at + (k >> 3)] as number) >> (k & 7)) & 1 ? 0x10 : 0;
}

/** block_q5_0 {d: f16, qh[4], qs[16]}: fifth bit of value j is qh bit j (j+16 for the high half), minus 16. */
function q5_0(h: Float32Array): GgmlBlockDecoder {
  return {
    blockValues: 32, blockBytes: 22,
    decodeBlock(b, at, y, o) {
      const d = fp16(b, at, h);
      for (let j = 0; j < 16; j++) {
        const q = b[at + 6 + j] as number;
        y[o + j] = (((q & 0xf) | highBit(b, at + 2, j)) - 16) * d;
        y[o + j + 16] = (((q >> 4) | highBit(b, at + 2, j + 16)) - 16) * d;
      }
    },
  };
}

/** block_q5_1 {d, m: f16, qh[4], qs[16]}: q·d + m with the fifth bit from qh. */
function q5_1(h: Float32Array): GgmlBlockDecoder {
  return {
    blockValues: 32, blockBytes: 24,
    decodeBlock(b, at, y, o) {
      const d = fp16(b, at, h);
      const m = fp16(b, at + 2, h);
      for (let j = 0; j < 16; j++) {
        const q = b[at + 8 + j] as number;
        y[o + j] = ((q & 0xf) | highBit(b, at + 4, j)) * d + m;
        y[o + j + 16] = ((q >> 4) | highBit(b, at + 4, j + 16)) * d + m;
      }
    },
  };
}

/** block_q8_0 {d: f16, qs[32]: int8}. */
function q8_0(h: Float32Array): GgmlBlockDecoder {
  return {
    blockValues: 32, blockBytes: 34,
    decodeBlock(b, at, y, o) {
      const d = fp16(b, at, h);
      for (let j = 0; j < 32; j++) y[o + j] = (((b[at + 2 + j] as number) << 24) >> 24) * d;
    },
  };
}

/**
 * block_q2_K {scales[16], qs[64], d, dmin: f16}: sixteen groups of 16, each with a 4-bit scale (low
 * nibble) and 4-bit min (high nibble); 2-bit quants packed four to a byte, shift 0/2/4/6 per group pair.
 */
function q2_K(h: Float32Array): GgmlBlockDecoder {
  return {
    blockValues: 256, blockBytes: 84,
    decodeBlock(b, at, y, o) {
      const d = fp16(b, at + 80, h);
      const min = fp16(b, at + 82, h);
      let is = 0;
      for (let n = 0; n < 2; n++) {
        const q = at + 16 + 32 * n;
        for (let shift = 0; shift < 8; shift += 2) {
          for (let half = 0; half < 2; half++) {
            const sc = b[at + is++] as number;
            const dl = d * (sc & 0xf);
            const ml = min * (sc >> 4);
            for (let l = 0; l < 16; l++) y[o++] = dl * (((b[q + 16 * half + l] as number) >> shift) & 3) - ml;
          }
        }
      }
    },
  };
}

/**
 * 6-bit scale `j` (0–15) of a block_q3_K: low four bits from scales[0..7] (nibble by j < 8), high
 * two bits from scales[8 + j%4] at bit 2·⌊j/4⌋ — ggml's kmask1/kmask2 unpacking, byte by byte.
 */
function q3Scale(b: Uint8Array, s: number, j: number): number {
  const low = j < 8 ? (b[s + j] as number) & 0xf : (b[s + j - 8] as number) >> 4;
  const high = ((b[s + 8 + (j & 3)] as number) >> (2 * (j >> 2))) & 3;
  return (low | (high << 4)) - 32;
}

/** block_q3_K {hmask[32], qs[64], scales[12], d: f16}: 2 low bits in qs, the third (inverted: clear means −4) in hmask. */
function q3_K(h: Float32Array): GgmlBlockDecoder {
  return {
    blockValues: 256, blockBytes: 110,
    decodeBlock(b, at, y, o) {
      const dAll = fp16(b, at + 108, h);
      const hm = at;
      const s = at + 96;
      let is = 0;
      let m = 1;
      for (let n = 0; n < 2; n++) {
        const q = at + 32 + 32 * n;
        for (let shift = 0; shift < 8; shift += 2) {
          for (let half = 0; half < 2; half++) {
            const dl = dAll * q3Scale(b, s, is++);
            for (let l = 0; l < 16; l++) {
              const k = 16 * half + l;
              y[o++] = dl * ((((b[q + k] as number) >> shift) & 3) - ((b[hm + k] as number) & m ? 0 : 4));
            }
          }
          m <<= 1;
        }
      }
    },
  };
}

/** get_scale_min_k4: 6-bit scale and min `j` (0–7) of the 12 packed bytes at `s` (Q4_K, Q5_K). */
function scaleMinK4(b: Uint8Array, s: number, j: number, out: Int32Array): void {
  if (j < 4) {
    out[0] = (b[s + j] as number) & 63;
    out[1] = (b[s + j + 4] as number) & 63;
  } else {
    out[0] = ((b[s + j + 4] as number) & 0xf) | (((b[s + j - 4] as number) >> 6) << 4);
    out[1] = ((b[s + j + 4] as number) >> 4) | (((b[s + j] as number) >> 6) << 4);
  }
}

/** block_q4_K {d, dmin: f16, scales[12], qs[128]}: eight groups of 32, value = d·sc·q − dmin·m. */
function q4_K(h: Float32Array): GgmlBlockDecoder {
  const sm = new Int32Array(2);
  return {
    blockValues: 256, blockBytes: 144,
    decodeBlock(b, at, y, o) {
      const d = fp16(b, at, h);
      const min = fp16(b, at + 2, h);
      for (let g = 0; g < 4; g++) {
        const q = at + 16 + 32 * g;
        scaleMinK4(b, at + 4, 2 * g, sm);
        const d1 = d * (sm[0] as number), m1 = min * (sm[1] as number);
        scaleMinK4(b, at + 4, 2 * g + 1, sm);
        const d2 = d * (sm[0] as number), m2 = min * (sm[1] as number);
        for (let l = 0; l < 32; l++) y[o + l] = d1 * ((b[q + l] as number) & 0xf) - m1;
        for (let l = 0; l < 32; l++) y[o + 32 + l] = d2 * ((b[q + l] as number) >> 4) - m2;
        o += 64;
      }
    },
  };
}

/** block_q5_K {d, dmin: f16, scales[12], qh[32], qs[128]}: Q4_K plus a fifth bit per value from qh. */
function q5_K(h: Float32Array): GgmlBlockDecoder {
  const sm = new Int32Array(2);
  return {
    blockValues: 256, blockBytes: 176,
    decodeBlock(b, at, y, o) {
      const d = fp16(b, at, h);
      const min = fp16(b, at + 2, h);
      const qh = at + 16;
      let u1 = 1, u2 = 2;
      for (let g = 0; g < 4; g++) {
        const ql = at + 48 + 32 * g;
        scaleMinK4(b, at + 4, 2 * g, sm);
        const d1 = d * (sm[0] as number), m1 = min * (sm[1] as number);
        scaleMinK4(b, at + 4, 2 * g + 1, sm);
        const d2 = d * (sm[0] as number), m2 = min * (sm[1] as number);
        for (let l = 0; l < 32; l++) y[o + l] = d1 * (((b[ql + l] as number) & 0xf) + ((b[qh + l] as number) & u1 ? 16 : 0)) - m1;
        for (let l = 0; l < 32; l++) y[o + 32 + l] = d2 * (((b[ql + l] as number) >> 4) + ((b[qh + l] as number) & u2 ? 16 : 0)) - m2;
        o += 64;
        u1 <<= 2;
        u2 <<= 2;
      }
    },
  };
}

/** block_q6_K {ql[128], qh[64], scales[16]: int8, d: f16}: 6-bit quants minus 32, sixteen int8 scales. */
function q6_K(h: Float32Array): GgmlBlockDecoder {
  return {
    blockValues: 256, blockBytes: 210,
    decodeBlock(b, at, y, o) {
      const d = fp16(b, at + 208, h);
      for (let n = 0; n < 2; n++) {
        const ql = at + 64 * n;
        const qh = at + 128 + 32 * n;
        const sc = at + 192 + 8 * n;
        for (let l = 0; l < 32; l++) {
          const is = l >> 4;
          const lo = b[ql + l] as number, hi = b[ql + l + 32] as number, hb = b[qh + l] as number;
          const q1 = ((lo & 0xf) | ((hb & 3) << 4)) - 32;
          const q2 = ((hi & 0xf) | (((hb >> 2) & 3) << 4)) - 32;
          const q3 = ((lo >> 4) | (((hb >> 4) & 3) << 4)) - 32;
          const q4 = ((hi >> 4) | (((hb >> 6) & 3) << 4)) - 32;
          y[o + l] = d * (((b[sc + is] as number) << 24) >> 24) * q1;
          y[o + l + 32] = d * (((b[sc + is + 2] as number) << 24) >> 24) * q2;
          y[o + l + 64] = d * (((b[sc + is + 4] as number) << 24) >> 24) * q3;
          y[o + l + 96] = d * (((b[sc + is + 6] as number) << 24) >> 24) * q4;
        }
        o += 128;
      }
    },
  };
}

/** block_q8_K {d: f32, qs[256]: int8, bsums[16]: int16} (bsums are only for dot products). */
function q8_K(): GgmlBlockDecoder {
  return {
    blockValues: 256, blockBytes: 292,
    decodeBlock(b, at, y, o) {
      U32[0] = ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
      const d = F32[0] as number;
      for (let j = 0; j < 256; j++) y[o + j] = d * (((b[at + 4 + j] as number) << 24) >> 24);
    },
  };
}

const FACTORIES: Readonly<Record<string, (h: Float32Array) => GgmlBlockDecoder>> = {
  q4_0, q4_1, q5_0, q5_1, q8_0, q2_k: q2_K, q3_k: q3_K, q4_k: q4_K, q5_k: q5_K, q6_k: q6_K, q8_k: q8_K,
};

/** Quantised types decoded here (TensorInfo dtype names of gguf-types.ts). */
export const GGML_DEQUANT_TYPES: readonly string[] = Object.keys(FACTORIES);

/** A fresh decoder for `dtype` ('q4_0', 'q6_k', …), or null when the type is not decoded here. */
export function ggmlBlockDecoder(dtype: string): GgmlBlockDecoder | null {
  const make = Object.prototype.hasOwnProperty.call(FACTORIES, dtype) ? FACTORIES[dtype] : undefined;
  return make ? make(halfTable()) : null;
}

/**
 * Dequantises whole blocks of `stored` (its length a multiple of the block size) into `out`,
 * which must hold stored.length / blockBytes · blockValues values. Returns the values written.
 */
export function dequantizeBlocks(dec: GgmlBlockDecoder, stored: Uint8Array, out: Float32Array): number {
  const blocks = Math.floor(stored.length / dec.blockBytes);
  for (let i = 0; i < blocks; i++) dec.decodeBlock(stored, i * dec.blockBytes, out, i * dec.blockValues);
  return blocks * dec.blockValues;
}
