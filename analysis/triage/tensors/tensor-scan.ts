/**
 * Streams an artifact once: the SHA-256 of the whole source and, in the same sequential read,
 * every tensor whose bytes lie in it, fed to a statistics engine chunk by chunk. Tensors held in
 * another source (a deflated zip entry, a nested archive) are read after, the same way; strided
 * views are gathered from their storage (bounded). Nothing holds more than a few chunks at once.
 *
 * When the source can read into caller memory (a file: registerReadInto) and the engine takes
 * shared chunks (the worker pool), the read goes into a ring of shared slots that the tensor jobs
 * read in place: no allocation, no copy. The ring is the engine's own shared memory when it lends
 * one (leaseRing: the pool's WebAssembly memory, where its SIMD loop reads the floats without
 * copying them into a staging block), else a SharedArrayBuffer of the same size. The calling
 * thread hashes the whole file while the next chunk's read is in flight on the thread pool, so on
 * two cores the work splits in two near-equal halves: this thread does what the SHA-256 floor does
 * (read + hash), the workers hash each tensor over its own bytes and compute its statistics.
 *
 * A job may carry a block decoding (ggml quant blocks): its stored bytes are hashed here and
 * decoded block by block into values the engine reads, so the tensor's SHA-256 stays over the
 * bytes as stored while its statistics are over the values.
 */
import { createHash } from 'node:crypto';
import type { ByteSource } from '../../core/byte-source.js';
import type { KernelResult } from './stats-kernel.js';
import type { StatsEngine } from './stats-engine.js';

/** Read size: a multiple of every element size (complex128 is 16 bytes). */
export const SCAN_CHUNK = 4 << 20;
/** A strided view's storage is read whole; beyond this it is reported instead. */
export const MAX_GATHER_BYTES = 256 << 20;

export interface ByteSpan {
  source: ByteSource;
  offset: number;
  length: number;
}

export interface GatherSpec extends ByteSpan {
  elementSize: number;
  shape: number[];
  stride: number[];
  /** In elements, from the span's start. */
  storageOffset: number;
}

/** Stored blocks that are not the values themselves, decoded for the engine (with a `span` only). */
export interface BlockDecoding {
  /** dtype of the decoded bytes the engine reads ('float32'). */
  dtype: string;
  blockBytes: number;
  /** Decoded bytes per block. */
  decodedBytes: number;
  /** Decodes the whole blocks of `stored` into `out` (blocks × decodedBytes bytes). */
  decode(stored: Uint8Array, out: Uint8Array): void;
}

export interface TensorJob {
  dtype: string;
  littleEndian: boolean;
  /** The tensor's bytes, contiguous and in logical order. */
  span?: ByteSpan;
  /** A strided view to gather from its storage bytes. */
  gather?: GatherSpec;
  /** The span holds blocks to decode (the SHA-256 stays over the stored bytes). */
  decode?: BlockDecoding;
}

export interface JobOutcome {
  result: KernelResult | null;
  error?: string;
}

export interface ScanOptions {
  /** The top source's reads return fresh buffers nobody else keeps (fs reads): they can be transferred. */
  ownedReads?: boolean;
  maxGatherBytes?: number;
}

/** Sources whose `read` returns a fresh, unshared buffer each time (registered by the fs adapter). */
const OWNED_READS = new WeakSet<ByteSource>();
export function markOwnedReads(src: ByteSource): ByteSource {
  OWNED_READS.add(src);
  return src;
}

/** Reads source bytes at `position` into `target`; returns how many were read (fewer only at the end). */
export type ReadInto = (position: number, target: Uint8Array) => Promise<number>;
const READ_INTO = new WeakMap<ByteSource, ReadInto>();
export function registerReadInto(src: ByteSource, readInto: ReadInto): ByteSource {
  READ_INTO.set(src, readInto);
  return src;
}

/** Ring slots of SCAN_CHUNK bytes for the shared pass (32 MiB in all). */
const RING_SLOTS = 8;
export const SCAN_RING_BYTES = RING_SLOTS * SCAN_CHUNK;

let nextId = 1;

export async function scanArtifact(top: ByteSource, jobs: readonly TensorJob[], engine: StatsEngine, opts: ScanOptions = {}):
  Promise<{ sha256: string; outcomes: JobOutcome[] }> {
  const ids = jobs.map(() => nextId++);
  const errors = new Array<string | undefined>(jobs.length);
  const readInto = READ_INTO.get(top);
  const shared = readInto !== undefined && engine.chunkShared !== undefined;
  const decoders = new Map<number, DecodeFeed>();
  jobs.forEach((j, i) => {
    if (j.decode && j.span) {
      decoders.set(i, new DecodeFeed(j.decode, ids[i]!, engine));
      engine.begin(ids[i]!, j.decode.dtype, true, false, Math.floor(j.span.length / j.decode.blockBytes) * j.decode.decodedBytes);
    } else engine.begin(ids[i]!, j.dtype, j.littleEndian, true, j.span?.length ?? j.gather?.length ?? 0);
  });
  // One entry point per job for the passes: plain jobs go to the engine, decoded ones through their feed.
  const feed: JobFeed = (i, bytes, owned, inRing) => {
    const d = decoders.get(i);
    if (d) return d.push(bytes);
    return inRing ? engine.chunkShared!(ids[i]!, bytes) : engine.chunk(ids[i]!, bytes, owned);
  };
  const inTop: number[] = [];
  const rest: number[] = [];
  jobs.forEach((j, i) => (j.span && j.span.source === top && j.span.length > 0 ? inTop : rest).push(i));

  const owned = opts.ownedReads === true || OWNED_READS.has(top);
  const sha256 = shared
    ? await sharedTopPass(top, readInto, jobs, inTop, engine, feed, errors)
    : await topPass(top, jobs, inTop, owned, feed, errors);
  for (const i of rest) {
    const j = jobs[i]!;
    try {
      if (j.span) await feedSpan(j.span, i, OWNED_READS.has(j.span.source), feed, errors);
      else if (j.gather) await feedGather(j.gather, ids[i]!, engine, opts.maxGatherBytes ?? MAX_GATHER_BYTES);
    } catch (e) {
      errors[i] = e instanceof Error ? e.message : String(e);
    }
  }
  const outcomes: JobOutcome[] = [];
  for (let i = 0; i < jobs.length; i++) {
    try {
      const result = await engine.end(ids[i]!);
      const d = decoders.get(i);
      if (d) {
        result.sha256 = d.sha256();
        if (d.leftover() > 0) errors[i] ??= `${d.leftover()} stored bytes after the last whole ${jobs[i]!.dtype} block`;
      }
      outcomes.push(errors[i] ? { result: null, error: errors[i] } : { result });
    } catch (e) {
      outcomes.push({ result: null, error: errors[i] ?? (e instanceof Error ? e.message : String(e)) });
    }
  }
  return { sha256, outcomes };
}

/** Where the read must stop and restart: every tensor start and end, so each chunk has one fixed set of readers. */
function segments(top: ByteSource, jobs: readonly TensorJob[], inTop: number[], errors: (string | undefined)[]): { cuts: number[]; starts: Map<number, number[]> } {
  const starts = new Map<number, number[]>();
  const points = new Set<number>([0, top.size]);
  for (const i of inTop) {
    const s = jobs[i]!.span!;
    const end = Math.min(top.size, s.offset + s.length);
    if (s.offset + s.length > top.size) errors[i] = `tensor bytes ${s.offset}–${s.offset + s.length} run past the end of the ${top.size}-byte source`;
    if (s.offset >= end) continue;
    points.add(s.offset);
    points.add(end);
    const list = starts.get(s.offset) ?? [];
    list.push(i);
    starts.set(s.offset, list);
  }
  return { cuts: [...points].filter((p) => p >= 0 && p <= top.size).sort((a, b) => a - b), starts };
}

const spanEnd = (top: ByteSource, j: TensorJob): number => Math.min(top.size, j.span!.offset + j.span!.length);

/** Feeds job `i` (by index) the next bytes; `inRing`: a view of the scan's shared ring, valid until the promise settles. */
type JobFeed = (i: number, bytes: Uint8Array, owned: boolean, inRing: boolean) => Promise<void>;

/**
 * Hashes the stored bytes of a block-decoded job and feeds its engine the decoded values, at most
 * about SCAN_CHUNK decoded bytes at a time; a block cut by a chunk boundary waits for the rest.
 */
class DecodeFeed {
  private readonly hash = createHash('sha256');
  private carry: Uint8Array | null = null;
  private readonly piece: number;
  /** Pushes run one after another even when the shared pass does not wait between chunks. */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly d: BlockDecoding, private readonly id: number, private readonly engine: StatsEngine) {
    this.piece = Math.max(1, Math.floor(SCAN_CHUNK / d.decodedBytes));
  }

  push(bytes: Uint8Array): Promise<void> {
    const next = this.tail.then(() => this.consume(bytes));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async consume(bytes: Uint8Array): Promise<void> {
    this.hash.update(bytes);
    const bb = this.d.blockBytes;
    const db = this.d.decodedBytes;
    let carry = this.carry;
    const total = Math.floor(((carry?.length ?? 0) + bytes.length) / bb);
    if (total === 0) {
      const joined = new Uint8Array((carry?.length ?? 0) + bytes.length);
      if (carry) joined.set(carry);
      joined.set(bytes, carry?.length ?? 0);
      this.carry = joined;
      return;
    }
    let pos = 0;
    for (let done = 0; done < total;) {
      const n = Math.min(this.piece, total - done);
      // Fresh memory each time: the engine may take it (owned) to another thread.
      const out = new Uint8Array(n * db);
      let k = 0;
      if (carry) {
        const one = new Uint8Array(bb);
        one.set(carry);
        one.set(bytes.subarray(0, bb - carry.length), carry.length);
        this.d.decode(one, out.subarray(0, db));
        pos = bb - carry.length;
        carry = null;
        k = 1;
      }
      this.d.decode(bytes.subarray(pos, pos + (n - k) * bb), out.subarray(k * db));
      pos += (n - k) * bb;
      done += n;
      await this.engine.chunk(this.id, out, true);
    }
    this.carry = pos < bytes.length ? new Uint8Array(bytes.subarray(pos)) : null;
  }

  sha256(): string {
    return this.hash.digest('hex');
  }

  leftover(): number {
    return this.carry?.length ?? 0;
  }
}

/** The pieces of one sequential read of `top`: at most SCAN_CHUNK bytes, never across a tensor start or end, with the tensors reading them. */
function* topPieces(top: ByteSource, jobs: readonly TensorJob[], inTop: number[], errors: (string | undefined)[]):
  Generator<{ pos: number; len: number; active: readonly number[] }, void, undefined> {
  const { cuts, starts } = segments(top, jobs, inTop, errors);
  let active: number[] = [];
  for (let c = 0; c + 1 < cuts.length; c++) {
    const from = cuts[c]!;
    const to = cuts[c + 1]!;
    active = active.filter((i) => spanEnd(top, jobs[i]!) > from);
    for (const i of starts.get(from) ?? []) active.push(i);
    for (let pos = from; pos < to; pos += SCAN_CHUNK) yield { pos, len: Math.min(SCAN_CHUNK, to - pos), active };
  }
}

const readNothing = (top: ByteSource, pos: number): Error => new Error(`${top.name}: read returned nothing at byte ${pos} of ${top.size}`);

/** One sequential read of `top`: hashes everything, hands each tensor its bytes as they pass. */
async function topPass(top: ByteSource, jobs: readonly TensorJob[], inTop: number[], owned: boolean, feed: JobFeed,
  errors: (string | undefined)[]): Promise<string> {
  const hash = createHash('sha256');
  const { cuts, starts } = segments(top, jobs, inTop, errors);
  let active: number[] = [];
  for (let c = 0; c + 1 < cuts.length; c++) {
    const from = cuts[c]!;
    const to = cuts[c + 1]!;
    active = active.filter((i) => spanEnd(top, jobs[i]!) > from);
    for (const i of starts.get(from) ?? []) active.push(i);
    for (let pos = from; pos < to;) {
      const len = Math.min(SCAN_CHUNK, to - pos);
      const bytes = await top.read(pos, len);
      if (bytes.length === 0) throw new Error(`${top.name}: read returned nothing at byte ${pos} of ${top.size}`);
      hash.update(bytes);
      pos += bytes.length;
      for (let k = 0; k < active.length; k++) {
        // The last reader of an owned chunk may take it without a copy.
        await feed(active[k]!, bytes, owned && k === active.length - 1, false);
      }
    }
  }
  return hash.digest('hex');
}

/**
 * The shared-memory twin of topPass: reads into a ring of shared slots that the workers read in
 * place, and hashes the file here while the next slot is being read (one read ahead).
 */
async function sharedTopPass(top: ByteSource, readInto: ReadInto, jobs: readonly TensorJob[], inTop: number[],
  engine: StatsEngine, feed: JobFeed, errors: (string | undefined)[]): Promise<string> {
  const hash = createHash('sha256');
  const lease = engine.leaseRing?.(SCAN_RING_BYTES) ?? null;
  const ring = lease?.bytes ?? new Uint8Array(new SharedArrayBuffer(SCAN_RING_BYTES));
  const free = Array.from({ length: RING_SLOTS }, (_, k) => k);
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  const pending = new Set<Promise<void>>();
  const release = (slot: number): void => {
    free.push(slot);
    const w = wake;
    wake = null;
    w?.();
  };
  interface Read { pos: number; len: number; active: readonly number[]; slot: number; view: Uint8Array; n: number }
  // One read at a time is in flight, so one waiter for a free slot at most.
  const startRead = async (piece: { pos: number; len: number; active: readonly number[] }): Promise<Read> => {
    while (free.length === 0) await new Promise<void>((r) => { wake = r; });
    const slot = free.pop()!;
    const view = ring.subarray(slot * SCAN_CHUNK, slot * SCAN_CHUNK + piece.len);
    try {
      return { ...piece, slot, view, n: await readInto(piece.pos, view) };
    } catch (e) {
      release(slot);
      throw e;
    }
  };
  const pieces = topPieces(top, jobs, inTop, errors);
  const first = pieces.next();
  let next: Promise<Read> | null = first.done ? null : startRead(first.value);
  try {
    while (next !== null && failure === null) {
      const cur = await next;
      next = null;
      if (cur.n === 0) {
        release(cur.slot);
        throw readNothing(top, cur.pos);
      }
      const following = cur.n === cur.len ? pieces.next() : null;
      if (following && !following.done) next = startRead(following.value);
      const bytes = cur.view.subarray(0, cur.n);
      const p = Promise.all(cur.active.map((i) => feed(i, bytes, false, true))).then(
        () => release(cur.slot),
        (e: unknown) => { failure = e; release(cur.slot); },
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
      hash.update(bytes); // while the workers read the same slot and the next read is under way
      if (cur.n < cur.len) throw readNothing(top, cur.pos + cur.n);
    }
  } finally {
    // Every chunk handed out, and a read started ahead, are done before the ring is given back.
    if (next !== null) await next.then((r) => release(r.slot), () => undefined);
    await Promise.all(pending);
    lease?.release();
  }
  if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
  return hash.digest('hex');
}

async function feedSpan(span: ByteSpan, i: number, owned: boolean, feed: JobFeed, errors: (string | undefined)[]): Promise<void> {
  const end = span.offset + span.length;
  if (end > span.source.size) errors[i] = `tensor bytes ${span.offset}–${end} run past the end of the ${span.source.size}-byte ${span.source.name}`;
  for (let pos = span.offset; pos < Math.min(end, span.source.size);) {
    const bytes = await span.source.read(pos, Math.min(SCAN_CHUNK, end - pos));
    if (bytes.length === 0) throw new Error(`${span.source.name}: read returned nothing at byte ${pos}`);
    pos += bytes.length;
    await feed(i, bytes, owned, false);
  }
}

async function feedGather(g: GatherSpec, id: number, engine: StatsEngine, maxBytes: number): Promise<void> {
  const out = await gatherBytes(g, maxBytes);
  for (let at = 0; at < out.length; at += SCAN_CHUNK) await engine.chunk(id, out.subarray(at, at + SCAN_CHUNK), false);
}

/** A tensor's bytes in logical order, chunk by chunk (for writing them elsewhere). */
export async function* jobBytes(job: TensorJob, maxGatherBytes = MAX_GATHER_BYTES): AsyncGenerator<Uint8Array, void, undefined> {
  if (job.span) {
    const { source, offset, length } = job.span;
    if (offset + length > source.size) throw new Error(`tensor bytes run past the end of ${source.name}`);
    for (let pos = offset; pos < offset + length;) {
      const b = await source.read(pos, Math.min(SCAN_CHUNK, offset + length - pos));
      if (b.length === 0) throw new Error(`${source.name}: read returned nothing at byte ${pos}`);
      pos += b.length;
      yield b;
    }
  } else if (job.gather) {
    const out = await gatherBytes(job.gather, maxGatherBytes);
    for (let at = 0; at < out.length; at += SCAN_CHUNK) yield out.subarray(at, at + SCAN_CHUNK);
  }
}

/** Elements of a strided view, copied out in row-major order (c10 TensorImpl: offset + Σ index·stride). */
async function gatherBytes(g: GatherSpec, maxBytes: number): Promise<Uint8Array> {
  const rank = g.shape.length;
  if (g.stride.length !== rank) throw new Error('shape and stride lengths differ');
  let count = 1;
  let last = g.storageOffset;
  for (let d = 0; d < rank; d++) {
    const s = g.shape[d]!;
    const st = g.stride[d]!;
    if (!Number.isSafeInteger(s) || !Number.isSafeInteger(st) || s < 0 || st < 0) throw new Error('negative or non-integer size/stride');
    count *= s;
    if (s > 0) last += (s - 1) * st;
  }
  if (count === 0) return new Uint8Array(0);
  const storageElems = Math.floor(g.length / g.elementSize);
  if (last >= storageElems || g.storageOffset < 0) throw new Error(`view reaches element ${last} of a ${storageElems}-element storage`);
  if (g.length > maxBytes || count * g.elementSize > maxBytes) throw new Error(`strided view over ${g.length} bytes exceeds the ${maxBytes}-byte gather bound`);
  const storage = await g.source.read(g.offset, g.length);
  if (storage.length < g.length) throw new Error(`storage is ${storage.length} bytes, ${g.length} expected`);
  const es = g.elementSize;
  const out = new Uint8Array(count * es);
  const idx = new Array<number>(rank).fill(0);
  let pos = g.storageOffset;
  for (let n = 0; n < count; n++) {
    out.set(storage.subarray(pos * es, pos * es + es), n * es);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      pos += g.stride[d]!;
      if (idx[d]! < g.shape[d]!) break;
      pos -= g.shape[d]! * g.stride[d]!;
      idx[d] = 0;
    }
  }
  return out;
}
