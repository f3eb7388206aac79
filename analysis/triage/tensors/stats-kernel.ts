/**
 * The per-tensor statistics kernel: streams a tensor's bytes chunk by chunk and keeps count, sum
 * and sum of squares (float64), min/max (finite values only, so a NaN never masks a maximum),
 * NaN / +Inf / −Inf / zero counts, a 512-bin histogram of the float32 sign+exponent byte, and the
 * SHA-256 of the bytes. Decoding follows IEEE 754 binary16/32/64, bfloat16 (top half of binary32)
 * and OCP FP8 E4M3FN / E5M2 (+ the "fnuz" variants), as c10 lays them out.
 *
 * `createStatsKernel` is deliberately self-contained (no imports, no outer references): the worker
 * pool evaluates its source text inside worker threads, and the inline path calls the very same
 * function, so both produce identical numbers. Keep it that way when editing.
 *
 * Speed: float32 blocks (after decoding, for float16/bfloat16/fp8 too) run through the WebAssembly
 * SIMD loop of stats-wasm.ts when its bytes are given, else a branch-light JavaScript pass. Either
 * way a non-finite element makes the float64 sum non-finite (NaN and ±Inf propagate; float32
 * values cannot overflow a float64 sum), and only then is the block redone element by element.
 * Histograms use four interleaved count tables so equal exponents in a row do not serialise.
 *
 * Given a shared WebAssembly memory (`shared`: the worker pool's, which also holds the scan's ring),
 * the kernel keeps its tables and staging floats in its own `scratch` part of it, and float32
 * bytes that already lie in that memory are read where they are: no copy into the staging block.
 */

export interface KernelHash {
  update(b: Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}
export interface KernelCrypto {
  createHash(algorithm: 'sha256'): KernelHash;
}

/** Slots of the accumulator array a kernel returns (and the ONNX path fills the same way). */
export const ACC = { count: 0, sum: 1, sumSquares: 2, min: 3, max: 4, nan: 5, posInf: 6, negInf: 7, zeros: 8, decoded: 9, partialBytes: 10 } as const;
export const ACC_LENGTH = 11;
/** Raw histogram: index = sign·256 + biased float32 exponent byte. */
export const RAW_BINS = 512;

export interface KernelResult {
  acc: Float64Array;
  hist: Float64Array;
  sha256: string | null;
}

export interface StatsKernel {
  /** Starts tensor `id`. Unknown dtypes are hashed only (acc[decoded] = 0). */
  begin(id: number, dtype: string, littleEndian: boolean, hash: boolean): void;
  chunk(id: number, bytes: Uint8Array): void;
  end(id: number): KernelResult;
  /** Decodes whole elements of `bytes` to float32 (the ONNX path's input); null for dtypes it cannot. */
  decodeF32(dtype: string, littleEndian: boolean, bytes: Uint8Array): Float32Array | null;
}

/** A shared WebAssembly.Memory (typed loosely: the engine's Node typings carry no WebAssembly declarations). */
export interface KernelSharedMemory {
  memory: { readonly buffer: ArrayBufferLike };
  /** Byte offset of this kernel's own WASM_SCRATCH_BYTES (stats-wasm.ts) in it. */
  scratch: number;
}

export function createStatsKernel(crypto: KernelCrypto | null, wasmBytes: Uint8Array | null = null, shared: KernelSharedMemory | null = null): StatsKernel {
  const SUB = 65536;
  const SIZE: Record<string, number> = {
    float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, uint16: 2, uint32: 4,
    uint64: 8, bool: 1, complex32: 2, complex64: 4, complex128: 8, float8_e4m3fn: 1, float8_e5m2: 1, float8_e4m3fnuz: 1,
    float8_e5m2fnuz: 1, qint8: 1, quint8: 1, qint32: 4,
  };
  const WIDE: Record<string, boolean> = { float64: true, int64: true, uint64: true, int32: true, uint32: true, complex128: true, qint32: true };
  let half: Float32Array | null = null;
  const fp8: Record<string, Float32Array> = {};
  // With WebAssembly (stats-wasm.ts layout): tables at base, results at base + 8192, staging floats
  // at base + 16384; base is 0 in the module's own memory, `shared.scratch` in a shared one.
  // F and U view the whole memory; a block's floats start at element `cur` (the staging block, or
  // float32 bytes in place when they already lie in this memory).
  let simd: ((p: number, n: number, h: number, o: number) => void) | null = null;
  let F: Float32Array, U: Uint32Array, h4: Uint32Array, out64: Float64Array, out32: Float32Array;
  let mem: ArrayBufferLike | null = null;
  let base = 0;
  if (wasmBytes) {
    // The Node typings used for the engine build carry no WebAssembly declarations (they live in lib.dom).
    const W = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;
    const inst = new W.Instance(new W.Module(wasmBytes), shared ? { k: { mem: shared.memory } } : {});
    mem = shared ? shared.memory.buffer : (inst.exports['mem'] as { buffer: ArrayBuffer }).buffer;
    base = shared ? shared.scratch : 0;
    simd = inst.exports['stats'] as (p: number, n: number, h: number, o: number) => void;
    F = new Float32Array(mem, 0, Math.floor(mem.byteLength / 4));
    h4 = new Uint32Array(mem, base, 2048);
    out64 = new Float64Array(mem, base + 8192, 2);
    out32 = new Float32Array(mem, base + 8208, 2);
  } else {
    F = new Float32Array(SUB);
    h4 = new Uint32Array(2048); // four interleaved 512-bin tables
    out64 = new Float64Array(2);
    out32 = new Float32Array(2);
  }
  U = new Uint32Array(F.buffer, F.byteOffset, F.length);
  const stage = simd ? (base + 16384) >>> 2 : 0;
  let cur = stage;
  const hAddr = base, oAddr = base + 8192;
  const f64 = new Float64Array(SUB);
  // One float32 for the wide types' histogram bin (the value rounded to float32).
  const one = new Float32Array(1);
  const oneBits = new Uint32Array(one.buffer);
  let aligned = new Uint8Array(1 << 16);

  function halfTable(): Float32Array {
    if (half) return half;
    half = new Float32Array(65536);
    for (let x = 0; x < 65536; x++) {
      const sign = x & 0x8000 ? -1 : 1;
      const e = (x >> 10) & 0x1f;
      const m = x & 0x3ff;
      half[x] = e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
    }
    return half;
  }

  function fp8Table(kind: string): Float32Array {
    const hit = fp8[kind];
    if (hit) return hit;
    const t = new Float32Array(256);
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
      if (fnuz && b === 0x80) v = NaN;
      else if (!fnuz && e4 && e === 15 && m === 7) v = NaN;
      else if (!fnuz && !e4 && e === 31) v = m ? NaN : sign * Infinity;
      else if (e === 0) v = sign * (m / (1 << mBits)) * 2 ** (1 - bias);
      else v = sign * (1 + m / (1 << mBits)) * 2 ** (e - bias);
      t[b] = v;
    }
    fp8[kind] = t;
    return t;
  }

  /** Little-endian, 8-byte-aligned bytes (copied only when the input is not). */
  function normalise(bytes: Uint8Array, esize: number, le: boolean): Uint8Array {
    if (le && bytes.byteOffset % 8 === 0) return bytes;
    if (aligned.length < bytes.length) aligned = new Uint8Array(Math.max(bytes.length, aligned.length * 2));
    const out = aligned.subarray(0, bytes.length);
    if (le || esize === 1) out.set(bytes);
    else for (let i = 0; i < bytes.length; i += esize) for (let k = 0; k < esize; k++) out[i + k] = bytes[i + esize - 1 - k] as number;
    return out;
  }

  /**
   * Decodes elements [from, from+n) of normalised bytes into F[cur…] (narrow types; cur is the
   * staging block unless float32 bytes already lie in this memory) or f64 (wide ones).
   */
  function decode(dtype: string, b: Uint8Array, from: number, n: number): void {
    const buf = b.buffer;
    const off = b.byteOffset;
    cur = stage;
    const at = stage;
    switch (dtype) {
      case 'float32': case 'complex64':
        if (buf === mem) cur = (off >>> 2) + from; // normalised: 8-byte aligned
        else F.set(new Float32Array(buf, off + from * 4, n), at);
        return;
      case 'float16': case 'complex32': { const t = halfTable(); const s = new Uint16Array(buf, off + from * 2, n); for (let i = 0; i < n; i++) F[at + i] = t[s[i] as number] as number; return; }
      case 'bfloat16': { const s = new Uint16Array(buf, off + from * 2, n); for (let i = 0; i < n; i++) U[at + i] = (s[i] as number) << 16; return; }
      case 'int8': case 'qint8': F.set(new Int8Array(buf, off + from, n), at); return;
      case 'uint8': case 'quint8': F.set(new Uint8Array(buf, off + from, n), at); return;
      case 'bool': { const s = new Uint8Array(buf, off + from, n); for (let i = 0; i < n; i++) F[at + i] = s[i] ? 1 : 0; return; }
      case 'int16': F.set(new Int16Array(buf, off + from * 2, n), at); return;
      case 'uint16': F.set(new Uint16Array(buf, off + from * 2, n), at); return;
      case 'float64': case 'complex128': f64.set(new Float64Array(buf, off + from * 8, n)); return;
      case 'int32': case 'qint32': f64.set(new Int32Array(buf, off + from * 4, n)); return;
      case 'uint32': f64.set(new Uint32Array(buf, off + from * 4, n)); return;
      case 'int64': { const s = new BigInt64Array(buf, off + from * 8, n); for (let i = 0; i < n; i++) f64[i] = Number(s[i]); return; }
      case 'uint64': { const s = new BigUint64Array(buf, off + from * 8, n); for (let i = 0; i < n; i++) f64[i] = Number(s[i]); return; }
      default: { const t = fp8Table(dtype); const s = new Uint8Array(buf, off + from, n); for (let i = 0; i < n; i++) F[at + i] = t[s[i] as number] as number; }
    }
  }

  /** Sum, sum of squares, min and max of the block's n floats; false (nothing committed) when a value is not finite. */
  function fastF32(n: number, acc: Float64Array): boolean {
    let s = 0, q = 0, s1 = 0, q1 = 0, mn = acc[3] as number, mx = acc[4] as number;
    const even = cur + (n & ~1), end = cur + n;
    for (let i = cur; i < even; i += 2) {
      const x = F[i] as number, y = F[i + 1] as number;
      s += x; q += x * x; s1 += y; q1 += y * y;
      mn = Math.min(mn, x, y); mx = Math.max(mx, x, y);
    }
    if (even < end) { const x = F[even] as number; s += x; q += x * x; mn = Math.min(mn, x); mx = Math.max(mx, x); }
    s += s1;
    if (s - s !== 0) return false; // NaN or ±Inf somewhere in the block
    acc[1] = (acc[1] as number) + s; acc[2] = (acc[2] as number) + q + q1; acc[3] = mn; acc[4] = mx;
    return true;
  }

  function histF32(n: number): void {
    const even = cur + (n & ~3), end = cur + n;
    for (let i = cur; i < even; i += 4) {
      h4[(U[i] as number) >>> 23] = (h4[(U[i] as number) >>> 23] as number) + 1;
      h4[512 + ((U[i + 1] as number) >>> 23)] = (h4[512 + ((U[i + 1] as number) >>> 23)] as number) + 1;
      h4[1024 + ((U[i + 2] as number) >>> 23)] = (h4[1024 + ((U[i + 2] as number) >>> 23)] as number) + 1;
      h4[1536 + ((U[i + 3] as number) >>> 23)] = (h4[1536 + ((U[i + 3] as number) >>> 23)] as number) + 1;
    }
    for (let i = even; i < end; i++) h4[(U[i] as number) >>> 23] = (h4[(U[i] as number) >>> 23] as number) + 1;
  }

  /** Sum, sum of squares, min, max and histogram of the block's n floats in WebAssembly (whole quads; the tail in JS). */
  function simdF32(n: number, acc: Float64Array): boolean {
    const quads = n & ~3;
    (simd as (p: number, n: number, h: number, o: number) => void)(cur * 4, quads, hAddr, oAddr);
    const s = out64[0] as number;
    if (s - s !== 0) return false;
    acc[1] = (acc[1] as number) + s; acc[2] = (acc[2] as number) + (out64[1] as number);
    acc[3] = Math.min(acc[3] as number, out32[0] as number); acc[4] = Math.max(acc[4] as number, out32[1] as number);
    slowF32(quads, n, acc);
    return true;
  }

  /** Element-by-element path over the block's floats [from..n): classifies NaN/±Inf, accumulates finite values, fills the histogram. */
  function slowF32(from: number, n: number, acc: Float64Array): void {
    let s = 0, q = 0, mn = acc[3] as number, mx = acc[4] as number;
    for (let i = cur + from, end = cur + n; i < end; i++) {
      const bits = U[i] as number;
      if (((bits >>> 23) & 255) === 255) {
        if (bits & 0x7fffff) acc[5] = (acc[5] as number) + 1;
        else if (bits >>> 31) acc[7] = (acc[7] as number) + 1;
        else acc[6] = (acc[6] as number) + 1;
        continue;
      }
      const x = F[i] as number;
      s += x; q += x * x;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
      h4[bits >>> 23] = (h4[bits >>> 23] as number) + 1;
    }
    acc[1] = (acc[1] as number) + s; acc[2] = (acc[2] as number) + q; acc[3] = mn; acc[4] = mx;
  }

  function zerosF32(n: number, acc: Float64Array): void {
    let z = 0;
    for (let i = cur, end = cur + n; i < end; i++) if (((U[i] as number) & 0x7fffffff) === 0) z++;
    acc[8] = (acc[8] as number) + z;
  }

  /** Wide types: float64 statistics; the histogram bins the value rounded to float32. */
  function wide(n: number, acc: Float64Array): void {
    let s = 0, q = 0, mn = acc[3] as number, mx = acc[4] as number, z = 0;
    for (let i = 0; i < n; i++) {
      const x = f64[i] as number;
      if (x !== x) { acc[5] = (acc[5] as number) + 1; continue; }
      if (x === Infinity) { acc[6] = (acc[6] as number) + 1; continue; }
      if (x === -Infinity) { acc[7] = (acc[7] as number) + 1; continue; }
      s += x; q += x * x;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
      if (x === 0) z++;
      one[0] = x;
      let k = (oneBits[0] as number) >>> 23;
      if ((k & 255) === 255) k -= 1; // finite in float64, beyond float32: the top exponent bin
      h4[k] = (h4[k] as number) + 1;
    }
    acc[1] = (acc[1] as number) + s; acc[2] = (acc[2] as number) + q; acc[3] = mn; acc[4] = mx; acc[8] = (acc[8] as number) + z;
  }

  interface State { dtype: string; esize: number; le: boolean; decoded: boolean; acc: Float64Array; hist: Float64Array; hash: KernelHash | null; carry: Uint8Array | null }
  const states = new Map<number, State>();
  const EMPTY = new Float64Array(0);

  /** Adds the block's four count tables to the tensor's histogram and clears them. */
  function fold(hist: Float64Array): void {
    for (let k = 0; k < 512; k++) {
      const c = (h4[k] as number) + (h4[512 + k] as number) + (h4[1024 + k] as number) + (h4[1536 + k] as number);
      if (c !== 0) hist[k] = (hist[k] as number) + c;
    }
    h4.fill(0);
  }

  function process(st: State, b: Uint8Array): void {
    if (st.hist === EMPTY) st.hist = new Float64Array(512); // allocated on first data: many tensors may be open at once
    const n = Math.floor(b.length / st.esize);
    const isWide = WIDE[st.dtype] === true;
    for (let from = 0; from < n; from += SUB) { // h4 is all zeros here: fold() leaves it so
      const m = Math.min(SUB, n - from);
      decode(st.dtype, b, from, m);
      st.acc[0] = (st.acc[0] as number) + m;
      if (isWide) { wide(m, st.acc); fold(st.hist); continue; }
      const done = simd ? simdF32(m, st.acc) : fastF32(m, st.acc) && (histF32(m), true);
      if (!done) {
        h4.fill(0); // the failed fast pass may have counted part of the block
        slowF32(0, m, st.acc);
      }
      // Zeros and subnormals share exponent 0: count exact zeros only when that bin moved.
      if ((h4[0] as number) + (h4[256] as number) + (h4[512] as number) + (h4[768] as number) + (h4[1024] as number) + (h4[1280] as number) + (h4[1536] as number) + (h4[1792] as number) !== 0) zerosF32(m, st.acc);
      fold(st.hist);
    }
  }

  return {
    begin(id, dtype, littleEndian, hash) {
      const esize = SIZE[dtype] ?? 0;
      const acc = new Float64Array(11);
      acc[3] = Infinity; acc[4] = -Infinity; acc[9] = esize > 0 ? 1 : 0;
      states.set(id, { dtype, esize, le: littleEndian, decoded: esize > 0, acc, hist: EMPTY, hash: hash && crypto ? crypto.createHash('sha256') : null, carry: null });
    },
    chunk(id, bytes) {
      const st = states.get(id);
      if (!st) return;
      if (st.hash) st.hash.update(bytes);
      if (!st.decoded || bytes.length === 0) return;
      let b = bytes;
      if (st.carry) {
        const joined = new Uint8Array(st.carry.length + bytes.length);
        joined.set(st.carry); joined.set(bytes, st.carry.length);
        b = joined; st.carry = null;
      }
      const whole = b.length - (b.length % st.esize);
      if (whole < b.length) st.carry = new Uint8Array(b.subarray(whole)); // a copy, even of a Buffer
      if (whole > 0) process(st, normalise(b.subarray(0, whole), st.esize, st.le));
    },
    end(id) {
      const st = states.get(id);
      states.delete(id);
      if (!st) return { acc: new Float64Array(11), hist: new Float64Array(512), sha256: null };
      if (st.carry) st.acc[10] = st.carry.length;
      return { acc: st.acc, hist: st.hist === EMPTY ? new Float64Array(512) : st.hist, sha256: st.hash ? st.hash.digest('hex') : null };
    },
    decodeF32(dtype, littleEndian, bytes) {
      const esize = SIZE[dtype] ?? 0;
      if (esize === 0 || WIDE[dtype] === true) return null;
      const n = Math.floor(bytes.length / esize);
      const b = normalise(bytes.subarray(0, n * esize), esize, littleEndian);
      const out = new Float32Array(n);
      for (let from = 0; from < n; from += SUB) {
        const m = Math.min(SUB, n - from);
        decode(dtype, b, from, m);
        out.set(F.subarray(cur, cur + m), from);
      }
      return out;
    },
  };
}
