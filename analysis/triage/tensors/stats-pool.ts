/**
 * A worker_threads pool running the statistics kernel. Each tensor is pinned to one worker (its
 * chunks must be seen in order), chosen by the fewest bytes outstanding. Chunks are transferred,
 * not copied, when the caller owns them; in-flight bytes are bounded so a 1 GB checkpoint never
 * sits in memory. The workers evaluate the kernel's own source text (createStatsKernel is
 * self-contained), so the pool needs no separate worker bundle and gives the inline path's numbers.
 *
 * The workers share one WebAssembly memory (shared: true): each kernel has its scratch part, and the
 * rest is a ring the scan can lease (leaseRing) and read the file into. A chunk in the ring is
 * then named by offset and length only, and the kernels hash it and run the SIMD loop over it in
 * place: the bytes are read from disk into memory once and never copied again (the copy into a
 * kernel's staging block cost ~0.09 CPU s per GiB, v8's relaxed memmove for shared memory).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createStatsKernel, type KernelResult } from './stats-kernel.js';
import { buildF32StatsWasm, WASM_SCRATCH_BYTES } from './stats-wasm.js';
import { isWholeBuffer, type RingLease, type StatsEngine } from './stats-engine.js';
import { SCAN_RING_BYTES } from './tensor-scan.js';

export interface PoolOptions {
  /**
   * Worker threads (default: available parallelism − 1, at least 1, at most 8: the calling thread
   * reads and hashes the file while the workers hash each tensor and compute its statistics).
   */
  workers?: number;
  /** Bytes handed to workers and not yet processed before `chunk` waits (default 48 MiB). */
  maxInFlightBytes?: number;
  /** Bytes of the ring in the shared memory (default: the scan's ring, SCAN_RING_BYTES); 0: no shared memory. */
  ringBytes?: number;
}

type ToWorker =
  | { t: 'b'; id: number; dtype: string; le: boolean; hash: boolean }
  | { t: 'c'; id: number; buf: ArrayBuffer }
  | { t: 's'; id: number; view: Uint8Array; token: number }
  | { t: 'i'; id: number; off: number; len: number; token: number }
  | { t: 'e'; id: number };
type FromWorker =
  | { t: 'ack'; n: number }
  | { t: 'done'; token: number }
  | { t: 'r'; id: number; acc: Float64Array; hist: Float64Array; sha256: string | null };

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const shared = workerData.memory ? { memory: workerData.memory, scratch: workerData.scratch } : null;
const kernel = (${createStatsKernel.toString()})(crypto, (${buildF32StatsWasm.toString()})(shared ? workerData.pages : 0), shared);
const ring = shared ? shared.memory.buffer : null;
parentPort.on('message', (m) => {
  if (m.t === 'b') kernel.begin(m.id, m.dtype, m.le, m.hash);
  else if (m.t === 'i') { kernel.chunk(m.id, new Uint8Array(ring, m.off, m.len)); parentPort.postMessage({ t: 'done', token: m.token }); }
  else if (m.t === 'c') { kernel.chunk(m.id, new Uint8Array(m.buf)); parentPort.postMessage({ t: 'ack', n: m.buf.byteLength }); }
  else if (m.t === 's') { kernel.chunk(m.id, m.view); parentPort.postMessage({ t: 'done', token: m.token }); }
  else if (m.t === 'e') { const r = kernel.end(m.id); parentPort.postMessage({ t: 'r', id: m.id, acc: r.acc, hist: r.hist, sha256: r.sha256 }, [r.acc.buffer, r.hist.buffer]); }
});
`;

interface Slot {
  worker: Worker;
  /** Bytes posted and not yet processed. */
  outstanding: number;
  /** Weighted bytes of the tensors pinned here and not yet ended (balancing). */
  assigned: number;
  failed: Error | null;
}

/** Hash + statistics of a float32 byte cost about 1.3× a bare SHA-256 (measured); hash-only jobs weigh 1. */
const STATS_WEIGHT = 1.3;

interface SharedMemory {
  memory: { readonly buffer: ArrayBufferLike };
  buffer: ArrayBufferLike;
  pages: number;
  ringOffset: number;
  ringBytes: number;
}

/** One shared WebAssembly memory: `workers` kernel scratch parts, then the ring (null where shared memory is unavailable). */
function sharedMemory(workers: number, ringBytes: number): SharedMemory | null {
  if (ringBytes <= 0) return null;
  const PAGE = 65536;
  const ringOffset = Math.ceil((workers * WASM_SCRATCH_BYTES) / PAGE) * PAGE;
  const pages = Math.ceil((ringOffset + ringBytes) / PAGE);
  // The Node typings of the engine build carry no WebAssembly declarations (they live in lib.dom).
  const W = (globalThis as unknown as { WebAssembly?: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: ArrayBufferLike } } }).WebAssembly;
  try {
    const memory = new W!.Memory({ initial: pages, maximum: pages, shared: true });
    return { memory, buffer: memory.buffer, pages, ringOffset, ringBytes };
  } catch {
    return null;
  }
}

export function workerPoolEngine(opts: PoolOptions = {}): StatsEngine {
  const count = Math.max(1, Math.min(8, opts.workers ?? availableParallelism() - 1));
  const maxInFlight = opts.maxInFlightBytes ?? 48 << 20;
  const shm = sharedMemory(count, opts.ringBytes ?? SCAN_RING_BYTES);
  let leased = false;
  const slots: Slot[] = [];
  const owner = new Map<number, Slot>();
  const weight = new Map<number, number>();
  const shared = new Map<number, { resolve: () => void; reject: (e: Error) => void; slot: Slot }>();
  let nextToken = 1;
  const results = new Map<number, { resolve: (r: KernelResult) => void; reject: (e: Error) => void }>();
  let inFlight = 0;
  let closed = false;
  let waiters: (() => void)[] = [];

  const release = (): void => {
    if (inFlight > maxInFlight) return;
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  const fail = (slot: Slot, err: Error): void => {
    slot.failed = err;
    inFlight -= slot.outstanding;
    slot.outstanding = 0;
    for (const [id, s] of owner) {
      if (s !== slot) continue;
      results.get(id)?.reject(err);
      results.delete(id);
    }
    for (const [token, w] of shared) {
      if (w.slot !== slot) continue;
      w.reject(err);
      shared.delete(token);
    }
    release();
  };

  for (let i = 0; i < count; i++) {
    const workerData = shm ? { memory: shm.memory, pages: shm.pages, scratch: i * WASM_SCRATCH_BYTES } : {};
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    const slot: Slot = { worker, outstanding: 0, assigned: 0, failed: null };
    worker.on('message', (m: FromWorker) => {
      if (m.t === 'ack') {
        slot.outstanding -= m.n;
        inFlight -= m.n;
        release();
      } else if (m.t === 'done') {
        const w = shared.get(m.token);
        shared.delete(m.token);
        w?.resolve();
      } else {
        const p = results.get(m.id);
        results.delete(m.id);
        owner.delete(m.id);
        slot.assigned -= weight.get(m.id) ?? 0;
        weight.delete(m.id);
        p?.resolve({ acc: m.acc, hist: m.hist, sha256: m.sha256 });
      }
    });
    worker.on('error', (e) => fail(slot, e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => { if (!closed && !slot.failed) fail(slot, new Error(`statistics worker exited with code ${code}`)); });
    slots.push(slot);
  }

  const post = (slot: Slot, msg: ToWorker, transfer?: ArrayBuffer[]): void => {
    if (slot.failed) return;
    slot.worker.postMessage(msg, transfer);
  };

  return {
    name: `cpu-workers(${count})`,
    begin(id, dtype, le, hash, bytes = 0) {
      let best = slots[0]!;
      for (const s of slots) if (!s.failed && (best.failed || s.assigned < best.assigned)) best = s;
      const w = bytes * (dtype === 'bytes' ? 1 : STATS_WEIGHT) + 1;
      best.assigned += w;
      weight.set(id, w);
      owner.set(id, best);
      post(best, { t: 'b', id, dtype, le, hash });
    },
    leaseRing(bytes): RingLease | null {
      if (!shm || leased || bytes > shm.ringBytes) return null;
      leased = true;
      let held = true;
      return {
        bytes: new Uint8Array(shm.buffer, shm.ringOffset, bytes),
        release() {
          if (held) leased = false;
          held = false;
        },
      };
    },
    chunkShared(id, view) {
      const slot = owner.get(id);
      if (!slot || slot.failed || view.length === 0) return Promise.resolve();
      const token = nextToken++;
      return new Promise<void>((resolve, reject) => {
        shared.set(token, { resolve, reject, slot });
        // In the pool's own memory the worker already sees the bytes: name them, do not send them.
        if (shm && view.buffer === shm.buffer) post(slot, { t: 'i', id, off: view.byteOffset, len: view.length, token });
        else post(slot, { t: 's', id, view, token });
      });
    },
    async chunk(id, bytes, owned) {
      const slot = owner.get(id);
      if (!slot || slot.failed || bytes.length === 0) return;
      // A copy (Uint8Array.prototype.slice: Buffer#slice would alias the same memory).
      const mine = owned && isWholeBuffer(bytes) ? bytes : new Uint8Array(bytes);
      const buf = mine.buffer as ArrayBuffer;
      slot.outstanding += buf.byteLength;
      inFlight += buf.byteLength;
      post(slot, { t: 'c', id, buf }, [buf]);
      if (inFlight > maxInFlight) await new Promise<void>((r) => waiters.push(r));
    },
    end(id) {
      const slot = owner.get(id);
      if (!slot) return Promise.reject(new Error(`tensor ${id} was never begun`));
      if (slot.failed) return Promise.reject(slot.failed);
      return new Promise<KernelResult>((resolve, reject) => {
        results.set(id, { resolve, reject });
        post(slot, { t: 'e', id });
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
