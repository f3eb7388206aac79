/**
 * TEST-ONLY ggml block packers and a GGUF v3 writer. Each packer lays integer codes and scales out
 * the way ggml's `quantize_row_*_ref` functions store them (ggml-quants.c, ggml-common.h), and
 * returns the values ggml's dequantisation must give back, computed from the formula of the type
 * (not from the decoder under test). Scales are binary16 bit patterns, so every value is exact.
 */

export const halfValue = (bits: number): number => {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  return e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
};

/** Bits of an exactly representable binary16 value (normal, |x| in [2^-14, 65504]). */
export function halfBits(x: number): number {
  if (x === 0) return Object.is(x, -0) ? 0x8000 : 0;
  const sign = x < 0 ? 0x8000 : 0;
  const a = Math.abs(x);
  const e = Math.floor(Math.log2(a));
  const m = a / 2 ** e - 1;
  const bits = sign | ((e + 15) << 10) | Math.round(m * 1024);
  if (halfValue(bits) !== x) throw new Error(`${x} is not an exact binary16 normal`);
  return bits;
}

export interface Packed {
  bytes: Uint8Array;
  /** What dequantisation must produce (float32-rounded). */
  values: Float32Array;
}

const or = (b: Uint8Array, at: number, v: number): void => {
  b[at] = (b[at] ?? 0) | v;
};

const put16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = v & 0xff;
  b[at + 1] = (v >> 8) & 0xff;
};

/** Random source: integers in [lo, hi]. */
export type Ints = (lo: number, hi: number) => number;

/** A binary16 scale 2^e·(1 + k/8) with e in [lo, hi] (few mantissa bits keep products exact). */
export function randomHalf(r: Ints, lo = -6, hi = 2, signed = false): number {
  const v = 2 ** r(lo, hi) * (1 + r(0, 7) / 8);
  return halfBits(signed && r(0, 1) ? -v : v);
}

function block(typeSize: number, n: number): Uint8Array {
  return new Uint8Array(typeSize * n);
}

/** Q8_0 / Q4_0 / Q4_1 / Q5_0 / Q5_1: 32 values per block. */
export function packLegacy(type: 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q8_0', blocks: number, r: Ints): Packed {
  const size = { q4_0: 18, q4_1: 20, q5_0: 22, q5_1: 24, q8_0: 34 }[type];
  const bytes = block(size, blocks);
  const values = new Float32Array(32 * blocks);
  for (let i = 0; i < blocks; i++) {
    const at = i * size;
    const dBits = randomHalf(r, -6, 2, true);
    const d = halfValue(dBits);
    put16(bytes, at, dBits);
    const hasMin = type === 'q4_1' || type === 'q5_1';
    const mBits = hasMin ? randomHalf(r, -6, 2, true) : 0;
    const m = halfValue(mBits);
    if (hasMin) put16(bytes, at + 2, mBits);
    const L = Array.from({ length: 32 }, () => (type === 'q8_0' ? r(-127, 127) : type.startsWith('q5') ? r(0, 31) : r(0, 15)));
    const out = (j: number, code: number): void => {
      const v = type === 'q8_0' ? code * d : type === 'q4_0' ? (code - 8) * d : type === 'q5_0' ? (code - 16) * d : code * d + m;
      values[32 * i + j] = v;
    };
    if (type === 'q8_0') {
      L.forEach((q, j) => { bytes[at + 2 + j] = q & 0xff; out(j, q); });
      continue;
    }
    const qs = at + (type === 'q4_0' ? 2 : type === 'q4_1' ? 4 : type === 'q5_0' ? 6 : 8);
    let qh = 0;
    for (let j = 0; j < 16; j++) {
      const x0 = L[j]!, x1 = L[j + 16]!;
      bytes[qs + j] = (x0 & 0xf) | ((x1 & 0xf) << 4);
      qh |= ((x0 >> 4) & 1) << j;
      qh |= ((x1 >> 4) & 1) << (j + 16);
      out(j, x0);
      out(j + 16, x1);
    }
    if (type.startsWith('q5')) {
      const h = at + (type === 'q5_0' ? 2 : 4);
      for (let k = 0; k < 4; k++) bytes[h + k] = (qh >>> (8 * k)) & 0xff;
    }
  }
  return { bytes, values };
}

/** Packs 2-bit codes four to a byte, 128 values per 32 bytes (Q2_K and Q3_K `qs`). */
function pack2(bytes: Uint8Array, qs: number, L: number[]): void {
  for (let j = 0; j < 256; j += 128) {
    for (let l = 0; l < 32; l++) bytes[qs + j / 4 + l] = (L[j + l]! & 3) | ((L[j + l + 32]! & 3) << 2) | ((L[j + l + 64]! & 3) << 4) | ((L[j + l + 96]! & 3) << 6);
  }
}

/** The 12 bytes of eight 6-bit scales and mins (Q4_K, Q5_K), as quantize_row_q4_K_ref packs them. */
function packScaleMin(bytes: Uint8Array, at: number, sc: number[], mn: number[]): void {
  for (let j = 0; j < 8; j++) {
    if (j < 4) {
      bytes[at + j] = sc[j]!;
      bytes[at + j + 4] = mn[j]!;
    } else {
      bytes[at + j + 4] = (sc[j]! & 0xf) | ((mn[j]! & 0xf) << 4);
      or(bytes, at + j - 4, (sc[j]! >> 4) << 6);
      or(bytes, at + j, (mn[j]! >> 4) << 6);
    }
  }
}

/** The K-quants: 256 values per block. */
export function packK(type: 'q2_k' | 'q3_k' | 'q4_k' | 'q5_k' | 'q6_k' | 'q8_k', blocks: number, r: Ints): Packed {
  const size = { q2_k: 84, q3_k: 110, q4_k: 144, q5_k: 176, q6_k: 210, q8_k: 292 }[type];
  const bytes = block(size, blocks);
  const values = new Float32Array(256 * blocks);
  for (let i = 0; i < blocks; i++) {
    const at = i * size;
    const y = values.subarray(256 * i);
    const dBits = randomHalf(r, -8, 0);
    const d = halfValue(dBits);
    const mBits = randomHalf(r, -8, 0);
    const dmin = halfValue(mBits);
    switch (type) {
      case 'q2_k': {
        const L = Array.from({ length: 256 }, () => r(0, 3));
        const sc = Array.from({ length: 16 }, () => r(0, 15));
        const mn = Array.from({ length: 16 }, () => r(0, 15));
        sc.forEach((s, j) => { bytes[at + j] = s | (mn[j]! << 4); });
        pack2(bytes, at + 16, L);
        put16(bytes, at + 80, dBits);
        put16(bytes, at + 82, mBits);
        for (let p = 0; p < 256; p++) y[p] = d * sc[p >> 4]! * L[p]! - dmin * mn[p >> 4]!;
        break;
      }
      case 'q3_k': {
        const L = Array.from({ length: 256 }, () => r(0, 7)); // code + 4
        const sc = Array.from({ length: 16 }, () => r(0, 63)); // scale + 32
        for (let p = 0; p < 256; p++) if (L[p]! > 3) or(bytes, at + (p % 32), 1 << (p >> 5));
        pack2(bytes, at + 32, L);
        for (let j = 0; j < 16; j++) {
          const l = sc[j]!;
          if (j < 8) or(bytes, at + 96 + j, l & 0xf);
          else or(bytes, at + 96 + j - 8, (l & 0xf) << 4);
          or(bytes, at + 96 + 8 + (j % 4), (l >> 4) << (2 * Math.floor(j / 4)));
        }
        put16(bytes, at + 108, dBits);
        for (let p = 0; p < 256; p++) y[p] = d * (sc[p >> 4]! - 32) * (L[p]! - 4);
        break;
      }
      case 'q4_k':
      case 'q5_k': {
        const top = type === 'q4_k' ? 15 : 31;
        const L = Array.from({ length: 256 }, () => r(0, top));
        const sc = Array.from({ length: 8 }, () => r(0, 63));
        const mn = Array.from({ length: 8 }, () => r(0, 63));
        put16(bytes, at, dBits);
        put16(bytes, at + 2, mBits);
        packScaleMin(bytes, at + 4, sc, mn);
        const ql = at + (type === 'q4_k' ? 16 : 48);
        for (let n = 0, m1 = 1, m2 = 2; n < 256; n += 64, m1 <<= 2, m2 <<= 2) {
          for (let l = 0; l < 32; l++) {
            const a = L[n + l]!, b = L[n + l + 32]!;
            bytes[ql + n / 2 + l] = (a & 0xf) | ((b & 0xf) << 4);
            if (type === 'q5_k') {
              if (a > 15) or(bytes, at + 16 + l, m1);
              if (b > 15) or(bytes, at + 16 + l, m2);
            }
          }
        }
        for (let p = 0; p < 256; p++) y[p] = d * sc[p >> 5]! * L[p]! - dmin * mn[p >> 5]!;
        break;
      }
      case 'q6_k': {
        const L = Array.from({ length: 256 }, () => r(0, 63)); // code + 32
        const sc = Array.from({ length: 16 }, () => r(-128, 127));
        for (let j = 0; j < 256; j += 128) {
          const ql = at + j / 2;
          const qh = at + 128 + j / 4;
          for (let l = 0; l < 32; l++) {
            bytes[ql + l] = (L[j + l]! & 0xf) | ((L[j + l + 64]! & 0xf) << 4);
            bytes[ql + l + 32] = (L[j + l + 32]! & 0xf) | ((L[j + l + 96]! & 0xf) << 4);
            bytes[qh + l] = (L[j + l]! >> 4) | ((L[j + l + 32]! >> 4) << 2) | ((L[j + l + 64]! >> 4) << 4) | ((L[j + l + 96]! >> 4) << 6);
          }
        }
        sc.forEach((s, j) => { bytes[at + 192 + j] = s & 0xff; });
        put16(bytes, at + 208, dBits);
        for (let p = 0; p < 256; p++) y[p] = d * sc[p >> 4]! * (L[p]! - 32);
        break;
      }
      case 'q8_k': {
        const df = Math.fround(d * 1.1); // a float32 scale with a full mantissa
        new DataView(bytes.buffer).setFloat32(at, df, true);
        for (let p = 0; p < 256; p++) {
          const q = r(-128, 127);
          bytes[at + 4 + p] = q & 0xff;
          y[p] = df * q;
        }
        break;
      }
    }
  }
  return { bytes, values };
}

export interface GgufTensorSpec {
  name: string;
  /** ggml order: ne[0] (row length) first. */
  dims: number[];
  type: number;
  data: Uint8Array;
}

/** A GGUF v3 file with no metadata, data aligned to 32 bytes (header fields big-endian on request). */
export function writeGguf(tensors: GgufTensorSpec[], bigEndian = false): Uint8Array {
  const head: number[] = [];
  const u32 = (v: number): void => { for (let k = 0; k < 4; k++) head.push((v >>> (8 * (bigEndian ? 3 - k : k))) & 0xff); };
  const u64 = (v: number): void => {
    const [lo, hi] = [v >>> 0, Math.floor(v / 2 ** 32)];
    if (bigEndian) { u32(hi); u32(lo); } else { u32(lo); u32(hi); }
  };
  head.push(0x47, 0x47, 0x55, 0x46);
  u32(3);
  u64(tensors.length);
  u64(0);
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    const name = new TextEncoder().encode(t.name);
    u64(name.length);
    head.push(...name);
    u32(t.dims.length);
    for (const d of t.dims) u64(d);
    u32(t.type);
    u64(offset);
    offsets.push(offset);
    offset += Math.ceil(t.data.length / 32) * 32;
  }
  const dataStart = Math.ceil(head.length / 32) * 32;
  const out = new Uint8Array(dataStart + offset);
  out.set(head);
  tensors.forEach((t, i) => out.set(t.data, dataStart + offsets[i]!));
  return out;
}

/** A seeded integer source (mulberry32). */
export function seededInts(seed: number): Ints {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
}
