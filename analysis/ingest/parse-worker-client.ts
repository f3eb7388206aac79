/**
 * The ingesting thread's side of the parse worker (parse-worker.ts): starts it, streams a
 * source's decompressed bytes to it in blocks, applies the row batches it sends back to the
 * source's RecordWriter, and bounds what is in flight both ways. When no worker can start, the
 * pipeline parses in its own thread (`inThreadFeed`): the records are the same either way.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SourceKind } from '../core/kinds.js';
import type { RecordWriter } from '../store/case-store.js';
import type { ReaderContext } from './reader-for-kind.js';
import { applyBatch, StringTable, type FromParseWorker, type ToParseWorker } from './parse-worker-rows.js';
import { createSourceParser } from './parse-worker-source.js';
import type { ParseWorkerData } from './parse-worker.js';
import { BufferPool } from './buffer-pool.js';

/** One source being parsed. `push` returns a promise only when the caller must wait (backpressure). */
export interface SourceFeed {
  push(chunk: Uint8Array): Promise<void> | void;
  /** Ends the source; `quiet` (the stream already failed) swallows errors from the reader's end. */
  end(quiet: boolean): Promise<void> | void;
}

/** Bytes sent to the worker per message: few messages, each a transferred buffer. */
const BLOCK_BYTES = 1 << 20;
/** Input bytes sent but not yet parsed and applied before `push` waits. */
const MAX_BYTES_IN_FLIGHT = 8 * BLOCK_BYTES;
/** Input blocks kept for reuse (buffer-pool.ts): the blocks in flight, and one being filled. */
const POOLED_BLOCKS = MAX_BYTES_IN_FLIGHT / BLOCK_BYTES + 2;
/** Applied batches' buffers held for the worker at most (it keeps as many for reuse). */
const MAX_RETURNED = 16;
/**
 * The worker's V8 young generation. Its garbage is short-lived (parse trees; what the stage
 * window keeps lives in an arena), so a smaller nursery than V8's default costs no measurable CPU
 * and keeps ~30 MB off the ingest's peak memory (measured at 1M events).
 */
const WORKER_YOUNG_GENERATION_MB = 16;
/** How long a worker may take to start before the pipeline parses in-thread instead. */
const START_TIMEOUT_MS = 15_000;

/** Where the bundled worker sits: next to the bundle that runs ingestBundle (dist/cli). */
export function defaultParseWorkerUrl(): URL {
  return new URL('./ingest-parse-worker.js', import.meta.url);
}

/** Parses in the calling thread, straight into the writer. */
export function inThreadFeed(kind: SourceKind, ctx: ReaderContext, writer: RecordWriter): SourceFeed {
  const parser = createSourceParser(kind, writer, ctx);
  return {
    push: (chunk) => parser.push(chunk),
    end(quiet) {
      if (!quiet) return parser.end();
      try {
        parser.end();
      } catch {
        /* the reader already reported what it could */
      }
    },
  };
}

export class ParseWorker {
  private seq = 0;
  private failure: Error | null = null;
  private current: WorkerFeed | null = null;
  private readonly table = new StringTable();
  private readonly blocks = new BufferPool(BLOCK_BYTES, POOLED_BLOCKS);
  /** Buffers of applied batches, to go back to the worker with the next message. */
  private returned: ArrayBuffer[] = [];

  private constructor(
    private readonly worker: Worker,
    private readonly applied: Int32Array,
  ) {
    worker.on('message', (m: FromParseWorker) => {
      if (m.t === 'ready') return;
      try {
        // Every batch's strings, also those of a source given up on: the table must stay in step.
        this.table.update(m.batch);
        for (const buf of m.returned) this.blocks.give(buf);
        this.current?.receive(m);
        // Applied (or dropped): nothing refers to the batch's buffers any more.
        if (this.returned.length < MAX_RETURNED) this.returned.push(m.batch.nums.buffer as ArrayBuffer, m.batch.bytes.buffer as ArrayBuffer);
      } finally {
        // Every batch is acknowledged, even one of a source given up on, or the worker would wait forever.
        Atomics.add(applied, 0, 1);
        Atomics.notify(applied, 0);
      }
    });
    const die = (err: Error): void => {
      this.failure ??= err;
      this.current?.fail(this.failure, true);
    };
    worker.on('error', (err) => die(new Error(`the parse worker failed: ${err.message}`)));
    worker.on('exit', (code) => die(new Error(`the parse worker stopped (exit code ${code})`)));
  }

  /** Starts a worker from `url`; null when there is no such file or it does not start. */
  static async start(url: URL): Promise<ParseWorker | null> {
    if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) return null;
    const applied = new Int32Array(new SharedArrayBuffer(4));
    let worker: Worker;
    try {
      worker = new Worker(url, {
        workerData: { applied } satisfies ParseWorkerData,
        execArgv: workerExecArgv(process.execArgv),
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
    } catch {
      return null;
    }
    let onMessage!: (m: FromParseWorker) => void;
    let onGone!: () => void;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
      timer.unref();
      onMessage = (m) => resolve(m.t === 'ready');
      onGone = () => resolve(false);
      worker.once('message', onMessage);
      worker.once('error', onGone);
      worker.once('exit', onGone);
    });
    // Only our own listeners: the Worker keeps its message port alive through listeners of its own.
    worker.off('message', onMessage).off('error', onGone).off('exit', onGone);
    if (!ready) {
      worker.on('error', () => undefined);
      void worker.terminate();
      return null;
    }
    return new ParseWorker(worker, applied);
  }

  /** False once the worker died: later sources are parsed in-thread. */
  get alive(): boolean {
    return this.failure === null;
  }

  openSource(kind: SourceKind, ctx: ReaderContext, writer: RecordWriter): SourceFeed {
    const seq = ++this.seq;
    const feed = new WorkerFeed(seq, writer, this.table, this.blocks, (m, transfer) => this.post(m, transfer));
    this.current = feed;
    if (this.failure) feed.fail(this.failure, true);
    else this.post({ t: 'source', seq, kind, ctx });
    return feed;
  }

  /** Sends a message to the worker, with the applied batches' buffers for it to reuse. */
  private post(m: ToParseWorker, transfer: ArrayBuffer[] = []): void {
    if (this.returned.length > 0) {
      m.returned = this.returned;
      transfer.push(...this.returned);
      this.returned = [];
    }
    this.worker.postMessage(m, transfer);
  }

  async close(): Promise<void> {
    this.current = null;
    this.failure ??= new Error('the parse worker was closed');
    await this.worker.terminate();
  }
}

/**
 * The parent's Node options minus those about its own entry point: a worker inherits them, and
 * `--input-type` (with `-e`, as `node --input-type=module -e …` runs) makes a file entry fail to
 * start, which would silently leave all parsing to the ingesting thread.
 */
export function workerExecArgv(parent: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i]!;
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print' || arg === '--input-type') {
      i++; // and its value
      continue;
    }
    if (arg.startsWith('--input-type=') || arg.startsWith('--eval=') || arg.startsWith('--print=')) continue;
    out.push(arg);
  }
  return out;
}

class WorkerFeed implements SourceFeed {
  private block: Buffer | null = null;
  private filled = 0;
  private posted = 0;
  private consumed = 0;
  private failure: Error | null = null;
  /** The worker sent 'done' for this source, or died. */
  private finished = false;
  private ended: Promise<void> | null = null;
  /** Settles a waiting push (room in flight) or end (the worker's 'done'). */
  private waiter: { resolve(): void; reject(err: Error): void } | null = null;

  constructor(
    private readonly seq: number,
    private readonly writer: RecordWriter,
    private readonly table: StringTable,
    private readonly blocks: BufferPool,
    private readonly send: (m: ToParseWorker, transfer?: ArrayBuffer[]) => void,
  ) {}

  push(chunk: Uint8Array): Promise<void> | void {
    if (this.failure) throw this.failure;
    let at = 0;
    while (at < chunk.length) {
      if (this.block === null) {
        this.block = Buffer.from(this.blocks.take()); // a whole ArrayBuffer of its own, so it can be transferred
        this.filled = 0;
      }
      const n = Math.min(chunk.length - at, BLOCK_BYTES - this.filled);
      this.block.set(chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === BLOCK_BYTES) this.sendBlock();
    }
    if (this.posted - this.consumed <= MAX_BYTES_IN_FLIGHT) return;
    return new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  end(quiet: boolean): Promise<void> {
    if (!this.ended) {
      this.ended = new Promise<void>((resolve, reject) => {
        if (this.finished) {
          if (this.failure) reject(this.failure);
          else resolve();
          return;
        }
        this.waiter = { resolve, reject };
        this.sendBlock();
        this.send({ t: 'end', seq: this.seq, quiet });
      });
    }
    return quiet ? this.ended.catch(() => undefined) : this.ended;
  }

  receive(m: Exclude<FromParseWorker, { t: 'ready' }>): void {
    if (m.seq !== this.seq || this.finished) return;
    try {
      applyBatch(this.writer, m.batch, this.table);
    } catch (err) {
      // A SQLite error while inserting: the source ends in error, as it would in-thread.
      this.fail(err instanceof Error ? err : new Error(String(err)), false);
    }
    if (m.error !== null) this.fail(new Error(m.error), false);
    if (m.t === 'rows') {
      this.consumed = Math.max(this.consumed, m.consumed);
      if (!this.ended && this.posted - this.consumed <= MAX_BYTES_IN_FLIGHT / 2) this.settle();
      return;
    }
    this.finished = true;
    this.settle();
  }

  /** The reader threw, inserting failed, or (`dead`) the worker is gone: waits end with the error. */
  fail(err: Error, dead: boolean): void {
    this.failure ??= err;
    if (dead) this.finished = true;
    if (dead || !this.ended) this.settle();
  }

  /** Wakes the waiter: with the failure if there is one. */
  private settle(): void {
    const w = this.waiter;
    this.waiter = null;
    if (!w) return;
    if (this.failure) w.reject(this.failure);
    else w.resolve();
  }

  private sendBlock(): void {
    const block = this.block;
    if (block === null || this.filled === 0) return;
    this.block = null;
    const bytes = new Uint8Array(block.buffer, 0, this.filled);
    this.posted += this.filled;
    this.send({ t: 'chunk', seq: this.seq, bytes }, [block.buffer as ArrayBuffer]);
  }
}
