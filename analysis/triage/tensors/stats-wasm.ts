/**
 * The float32 inner loop of the statistics kernel as WebAssembly SIMD (WebAssembly core spec 2.0,
 * fixed-width SIMD proposal opcodes), assembled here byte by byte so no toolchain is needed.
 * Four floats per step: float64 sums and sums of squares (promote_low on both halves, four
 * independent accumulators), float32 min/max, and the sign+exponent histogram through four
 * interleaved count tables (lane k counts at byte offset k·2048), so equal exponents in a row do
 * not serialise on one counter.
 *
 * Memory layout (one module instance per kernel): [0, 8192) four u32[512] histograms,
 * [8192, 8216) results (f64 sum, f64 sum of squares, f32 min, f32 max), [16384, …) the floats.
 * A NaN or ±Inf makes the sum non-finite; the caller then discards the block's counts and redoes
 * it on its careful path (stats-kernel.ts).
 *
 * Like createStatsKernel, this function is self-contained: the worker pool evaluates its source.
 */
export const WASM_HIST = 0;
export const WASM_OUT = 8192;
export const WASM_DATA = 16384;
/** Floats per call (256 KiB, L2-sized), so memory is 16 KiB + 256 KiB = 5 pages. */
export const WASM_BLOCK = 65536;

export function buildF32StatsWasm(): Uint8Array {
  const out: number[] = [];
  const uleb = (n: number): number[] => {
    const b: number[] = [];
    do {
      let byte = n & 0x7f;
      n >>>= 7;
      if (n !== 0) byte |= 0x80;
      b.push(byte);
    } while (n !== 0);
    return b;
  };
  const sleb = (n: number): number[] => {
    const b: number[] = [];
    for (;;) {
      const byte = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) { b.push(byte); return b; }
      b.push(byte | 0x80);
    }
  };
  const f32 = (x: number): number[] => Array.from(new Uint8Array(new Float32Array([x]).buffer));
  const section = (id: number, body: number[]): void => { out.push(id, ...uleb(body.length), ...body); };
  const I32 = 0x7f, V128 = 0x7b;
  const SIMD = (op: number): number[] => [0xfd, ...uleb(op)];
  // Locals: params 0 p, 1 n, 2 h (unused: the tables are at WASM_HIST = 0), 3 out; 4 end (i32), 5 a (i32); 6.. v128: v lo hi s0 s1 q0 q1 mn mx e.
  const P = 0, N = 1, OUT = 3, END = 4, A = 5, V = 6, LO = 7, HI = 8, S0 = 9, S1 = 10, Q0 = 11, Q1 = 12, MN = 13, MX = 14, E = 15;
  const get = (i: number): number[] => [0x20, i];
  const set = (i: number): number[] => [0x21, i];
  const tee = (i: number): number[] => [0x22, i];
  const i32c = (x: number): number[] => [0x41, ...sleb(x)];
  // e holds byte offsets (sign·256 + exponent)·4 of each lane's counter; the tables start at 0.
  const lane = (k: number): number[] => [
    ...get(E), ...SIMD(0x1b), k, ...tee(A),
    ...get(A), 0x28, 2, ...uleb(k * 2048), ...i32c(1), 0x6a, 0x36, 2, ...uleb(k * 2048), // *(a + k·2048) += 1
  ];
  const hsum = (a: number, b: number): number[] => [...get(a), ...SIMD(0x21), 0, ...get(a), ...SIMD(0x21), 1, 0xa0, ...get(b), ...SIMD(0x21), 0, 0xa0, ...get(b), ...SIMD(0x21), 1, 0xa0];
  const hred = (v: number, op: number): number[] => [...get(v), ...SIMD(0x1f), 0, ...get(v), ...SIMD(0x1f), 1, op, ...get(v), ...SIMD(0x1f), 2, op, ...get(v), ...SIMD(0x1f), 3, op];
  const body = [
    ...get(P), ...get(N), ...i32c(2), 0x74, 0x6a, ...set(END),
    0x43, ...f32(Infinity), ...SIMD(0x13), ...set(MN),
    0x43, ...f32(-Infinity), ...SIMD(0x13), ...set(MX),
    0x02, 0x40, ...get(P), ...get(END), 0x4f, 0x0d, 0, // block; if p >= end break
    0x03, 0x40, // loop
    ...get(P), ...SIMD(0x00), 4, 0, ...set(V),
    ...get(V), ...SIMD(0x5f), ...set(LO),
    ...get(V), ...get(V), ...SIMD(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15, ...SIMD(0x5f), ...set(HI),
    ...get(S0), ...get(LO), ...SIMD(0xf0), ...set(S0),
    ...get(S1), ...get(HI), ...SIMD(0xf0), ...set(S1),
    ...get(Q0), ...get(LO), ...get(LO), ...SIMD(0xf2), ...SIMD(0xf0), ...set(Q0),
    ...get(Q1), ...get(HI), ...get(HI), ...SIMD(0xf2), ...SIMD(0xf0), ...set(Q1),
    ...get(MN), ...get(V), ...SIMD(0xe8), ...set(MN),
    ...get(MX), ...get(V), ...SIMD(0xe9), ...set(MX),
    ...get(V), ...i32c(21), ...SIMD(0xad), ...i32c(0x7fc), ...SIMD(0x11), ...SIMD(0x4e), ...set(E), // (bits >>> 23) << 2
    ...lane(0), ...lane(1), ...lane(2), ...lane(3),
    ...get(P), ...i32c(16), 0x6a, ...tee(P), ...get(END), 0x49, 0x0d, 0, // p += 16; continue while p < end
    0x0b, 0x0b, // end loop, end block
    ...get(OUT), ...hsum(S0, S1), 0x39, 3, 0,
    ...get(OUT), ...hsum(Q0, Q1), 0x39, 3, 8,
    ...get(OUT), ...hred(MN, 0x96), 0x38, 2, 16,
    ...get(OUT), ...hred(MX, 0x97), 0x38, 2, 20,
    0x0b,
  ];
  const locals = [2, 2, I32, 10, V128]; // 2 local groups: 2 × i32, 10 × v128
  const code = [...locals, ...body];
  out.push(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  section(1, [1, 0x60, 4, I32, I32, I32, I32, 0]); // type 0: (i32 i32 i32 i32) -> ()
  section(3, [1, 0]); // one function of type 0
  section(5, [1, 0x00, 5]); // memory: 5 pages
  section(7, [2, 5, ...Array.from('stats', (c) => c.charCodeAt(0)), 0x00, 0, 3, ...Array.from('mem', (c) => c.charCodeAt(0)), 0x02, 0]);
  section(10, [1, ...uleb(code.length), ...code]);
  return Uint8Array.from(out);
}
