/**
 * The float32 inner loop of the statistics kernel as WebAssembly SIMD (WebAssembly core spec 2.0,
 * fixed-width SIMD proposal opcodes), assembled here byte by byte so no toolchain is needed.
 * Four floats per step: float64 sums and sums of squares (promote_low on both halves, four
 * independent accumulators), float32 min/max, and the sign+exponent histogram through four
 * interleaved count tables (lane k counts at byte offset k·2048), so equal exponents in a row do
 * not serialise on one counter.
 *
 * Min/max use the pseudo-minimum `f32x4.pmin`/`pmax` (`b < a ? b : a`: one x86 minps/maxps)
 * rather than `f32x4.min`/`max`, whose NaN and ±0 rules cost V8 about seven instructions each;
 * that made the whole loop ~40% slower (measured: 0.25 → 0.15 CPU s per GiB). The two agree on
 * every block the result is kept from: a NaN or ±Inf makes the sum non-finite and the caller
 * then discards the block's counts and redoes it on its careful path (stats-kernel.ts); they
 * differ only in which zero (+0 or −0) a minimum or maximum of zero keeps, which compares equal.
 *
 * `stats(p, n, h, o)`: n floats (a multiple of 4) at byte address p, the four tables at h
 * (4 × 2048 bytes), results at o (f64 sum, f64 sum of squares, f32 min, f32 max). The memory is
 * the module's own (5 pages: tables at 0, results at 8192, floats at 16384), or, given
 * `sharedPages`, an imported shared memory of exactly that many pages (`k.mem`), which lets the
 * worker pool run the loop in place over the scan's ring (stats-pool.ts).
 *
 * Like createStatsKernel, this function is self-contained: the worker pool evaluates its source.
 */
export const WASM_HIST = 0;
export const WASM_OUT = 8192;
export const WASM_DATA = 16384;
/** Floats per call (256 KiB, L2-sized), so memory is 16 KiB + 256 KiB = 5 pages. */
export const WASM_BLOCK = 65536;
/** Bytes a kernel needs to itself in a shared memory: tables, results and one block of floats. */
export const WASM_SCRATCH_BYTES = WASM_DATA + WASM_BLOCK * 4;

export function buildF32StatsWasm(sharedPages = 0): Uint8Array {
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
  // Locals: params 0 p, 1 n, 2 h, 3 out; 4 end, 5 a (i32); 6.. v128: v lo hi s0 s1 q0 q1 mn mx e hv mask.
  const P = 0, N = 1, H = 2, OUT = 3, END = 4, A = 5, V = 6, LO = 7, HI = 8, S0 = 9, S1 = 10, Q0 = 11, Q1 = 12, MN = 13, MX = 14, E = 15, HV = 16, MASK = 17;
  const get = (i: number): number[] => [0x20, i];
  const set = (i: number): number[] => [0x21, i];
  const tee = (i: number): number[] => [0x22, i];
  const i32c = (x: number): number[] => [0x41, ...sleb(x)];
  // e holds each lane's counter address: h + (sign·256 + exponent)·4; lane k's table is k·2048 further.
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
    ...get(H), ...SIMD(0x11), ...set(HV),
    ...i32c(0x7fc), ...SIMD(0x11), ...set(MASK),
    0x02, 0x40, ...get(P), ...get(END), 0x4f, 0x0d, 0, // block; if p >= end break
    0x03, 0x40, // loop
    ...get(P), ...SIMD(0x00), 4, 0, ...set(V),
    ...get(V), ...SIMD(0x5f), ...set(LO),
    ...get(V), ...get(V), ...SIMD(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15, ...SIMD(0x5f), ...set(HI),
    ...get(S0), ...get(LO), ...SIMD(0xf0), ...set(S0),
    ...get(S1), ...get(HI), ...SIMD(0xf0), ...set(S1),
    ...get(Q0), ...get(LO), ...get(LO), ...SIMD(0xf2), ...SIMD(0xf0), ...set(Q0),
    ...get(Q1), ...get(HI), ...get(HI), ...SIMD(0xf2), ...SIMD(0xf0), ...set(Q1),
    ...get(MN), ...get(V), ...SIMD(0xea), ...set(MN), // f32x4.pmin
    ...get(MX), ...get(V), ...SIMD(0xeb), ...set(MX), // f32x4.pmax
    ...get(V), ...i32c(21), ...SIMD(0xad), ...get(MASK), ...SIMD(0x4e), ...get(HV), ...SIMD(0xae), ...set(E), // h + ((bits >>> 23) << 2)
    ...lane(0), ...lane(1), ...lane(2), ...lane(3),
    ...get(P), ...i32c(16), 0x6a, ...tee(P), ...get(END), 0x49, 0x0d, 0, // p += 16; continue while p < end
    0x0b, 0x0b, // end loop, end block
    ...get(OUT), ...hsum(S0, S1), 0x39, 3, 0,
    ...get(OUT), ...hsum(Q0, Q1), 0x39, 3, 8,
    ...get(OUT), ...hred(MN, 0x96), 0x38, 2, 16,
    ...get(OUT), ...hred(MX, 0x97), 0x38, 2, 20,
    0x0b,
  ];
  const locals = [2, 2, I32, 12, V128]; // 2 local groups: 2 × i32, 12 × v128
  const code = [...locals, ...body];
  out.push(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  section(1, [1, 0x60, 4, I32, I32, I32, I32, 0]); // type 0: (i32 i32 i32 i32) -> ()
  const name = (t: string): number[] => [t.length, ...Array.from(t, (c) => c.charCodeAt(0))];
  if (sharedPages > 0) {
    section(2, [1, ...name('k'), ...name('mem'), 0x02, 0x03, ...uleb(sharedPages), ...uleb(sharedPages)]); // import shared memory (min = max)
    section(3, [1, 0]); // one function of type 0
    section(7, [1, ...name('stats'), 0x00, 0]);
  } else {
    section(3, [1, 0]); // one function of type 0
    section(5, [1, 0x00, 5]); // memory: 5 pages
    section(7, [2, ...name('stats'), 0x00, 0, ...name('mem'), 0x02, 0]);
  }
  section(10, [1, ...uleb(code.length), ...code]);
  return Uint8Array.from(out);
}
