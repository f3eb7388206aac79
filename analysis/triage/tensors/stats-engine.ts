/**
 * Where per-tensor statistics are computed. The scan (tensor-scan.ts) streams each tensor's bytes
 * into an engine: `inline` runs the kernel on the calling thread; `workers` (stats-pool.ts) spreads
 * tensors over worker threads; the ONNX engine (onnx-stats.ts) runs the reductions as an ONNX
 * Runtime graph. All return the same accumulator layout (stats-kernel.ts ACC / RAW_BINS).
 */
import { createHash } from 'node:crypto';
import { createStatsKernel, type KernelResult } from './stats-kernel.js';
import { buildF32StatsWasm } from './stats-wasm.js';

export interface StatsEngine {
  readonly name: string;
  /** `bytes`: how many bytes will follow (for balancing work across threads). */
  begin(id: number, dtype: string, littleEndian: boolean, hash: boolean, bytes?: number): void;
  /**
   * Feeds the next bytes of tensor `id`. `owned`: the caller will not touch `bytes` again, so its
   * buffer may be handed over without a copy. Resolves when the engine can take more.
   */
  chunk(id: number, bytes: Uint8Array, owned: boolean): Promise<void>;
  /**
   * Optional: feeds a view of a SharedArrayBuffer without copying it; resolves once the engine has
   * finished reading it (the caller then reuses that memory).
   */
  chunkShared?(id: number, view: Uint8Array): Promise<void>;
  /**
   * Optional: shared memory of `bytes` that the engine reads in place (the worker pool's WebAssembly
   * memory), for the scan's ring; null when it has none or it is leased already. The scan writes
   * chunks there and passes views of it to chunkShared; it releases the lease once every chunk
   * it passed has resolved.
   */
  leaseRing?(bytes: number): RingLease | null;
  end(id: number): Promise<KernelResult>;
  close(): Promise<void>;
}

export interface RingLease {
  readonly bytes: Uint8Array;
  release(): void;
}

/** The kernel on the calling thread: no start-up cost, used for small artifacts and tests. */
export function inlineEngine(opts: { simd?: boolean } = {}): StatsEngine {
  const kernel = createStatsKernel({ createHash: (a) => createHash(a) }, opts.simd === false ? null : buildF32StatsWasm());
  return {
    name: 'cpu-inline',
    begin: (id, dtype, le, hash) => kernel.begin(id, dtype, le, hash),
    chunk(id, bytes) {
      kernel.chunk(id, bytes);
      return Promise.resolve();
    },
    end: (id) => Promise.resolve(kernel.end(id)),
    close: () => Promise.resolve(),
  };
}

/** True when `bytes` is the whole of a plain ArrayBuffer (so it can be transferred). */
export function isWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
}
