/**
 * The ingesting thread's side of the parse worker (parse-worker.ts): starts it, streams a
 * source's bytes to it in blocks (decompressed, or a .gz's compressed bytes for the worker to
 * inflate), applies the row batches it sends back to the source's RecordWriter, and bounds what
 * is in flight both ways. When no worker can start, the pipeline parses in its own thread
 * (`inThreadFeed`): the records are the same either way.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SourceKind } from '../core/kinds.js';
import type { RecordWriter } from '../store/case-store.js';
import type { ReaderContext } from './reader-for-kind.js';
import type { GunzipOptions } from './archive/gzip.js';
import type { DecompressionBudget } from './archive/limits.js';
import {
  applyBatch, batchViews, BLOCK_BYTES, createParseWorkerMemory, INPUT_BLOCKS, StringTable,
  type FromParseWorker, type ParseWorkerMemory, type ToParseWorker,
} from './parse-worker-rows.js';
import { createSourceParser } from './parse-worker-source.js';
import type { ParseWorkerData } from './parse-worker.js';

/** One source being parsed. `push` returns a promise only when the caller must wait (backpressure). */
export interface SourceFeed {
  push(chunk: Uint8Array): Promise<void> | void;
  /** Ends the source; `quiet` (the stream already failed) swallows errors from the reader's end. */
  end(quiet: boolean): Promise<void> | void;
  /** Decompressed bytes handed to the reader so far (a worker that inflates says how many). */
  readonly bytes: number;
  /**
   * What went wrong with bytes already pushed (the reader, the worker's inflate, inserting their
   * rows), known once the source ended: in-thread it would have been thrown before any later
   * problem of the stream, so it is the one to report. Null in-thread, where it was thrown.
   */
  readonly failure: Error | null;
}

/** Input bytes sent but not yet parsed and applied before `push` waits (INPUT_BLOCKS keeps two more blocks for filling). */
const MAX_BYTES_IN_FLIGHT = (INPUT_BLOCKS - 2) * BLOCK_BYTES;
/**
 * The worker's V8 young generation. Its garbage is short-lived (parse trees and records, each
 * packed into a batch as soon as it is read), so a smaller nursery than V8's default costs no
 * measurable CPU and keeps ~30 MB off the ingest's peak memory (measured at 1M events).
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
  let bytes = 0;
  return {
    get bytes() {
      return bytes;
    },
    failure: null,
    push(chunk) {
      bytes += chunk.length;
      parser.push(chunk);
    },
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
  /** Shared input blocks free to fill (parse-worker-rows.ts ParseWorkerMemory). */
  private readonly blocks: number[] = [];

  private constructor(
    private readonly worker: Worker,
    private readonly applied: Int32Array,
    private readonly memory: ParseWorkerMemory,
  ) {
    for (let b = INPUT_BLOCKS - 1; b >= 0; b--) this.blocks.push(b);
    worker.on('message', (m: FromParseWorker) => {
      if (m.t === 'ready') return;
      try {
        // Every batch's strings, also those of a source given up on: the table must stay in step.
        this.table.update(m.batch);
        this.current?.receive(m, this.memory);
        // Parsed, and the rows made from them applied (or dropped): free to fill again.
        for (const b of m.returned) this.blocks.push(b);
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
  /** `execArgv`: this process's Node options, which the worker is given less those about the entry point. */
  static async start(url: URL, execArgv: readonly string[] = process.execArgv): Promise<ParseWorker | null> {
    if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) return null;
    const applied = new Int32Array(new SharedArrayBuffer(4));
    const memory = createParseWorkerMemory();
    let worker: Worker;
    try {
      worker = newWorker(url, { applied, memory }, workerExecArgv(execArgv));
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
    return new ParseWorker(worker, applied, memory);
  }

  /** False once the worker died: later sources are parsed in-thread. */
  get alive(): boolean {
    return this.failure === null;
  }

  /**
   * A source to parse. With `gunzip` (BundleFile.gunzip), the bytes pushed are a .gz's compressed
   * bytes, which the worker inflates with those bounds, charging their budget.
   */
  openSource(kind: SourceKind, ctx: ReaderContext, writer: RecordWriter, gunzip: GunzipOptions | null = null): SourceFeed {
    const seq = ++this.seq;
    const budget = gunzip?.budget ?? null;
    const feed = new WorkerFeed(seq, writer, this.table, this.blocks, this.memory.input, gunzip !== null, budget, (m, transfer) => this.worker.postMessage(m, transfer));
    this.current = feed;
    if (this.failure) feed.fail(this.failure, true);
    else {
      const inflate = gunzip && { name: gunzip.name, maxBytes: gunzip.maxBytes, maxRatio: gunzip.maxRatio, budget: budget && { max: budget.max, used: budget.used } };
      this.worker.postMessage({ t: 'source', seq, kind, ctx, gunzip: inflate } satisfies ToParseWorker);
    }
    return feed;
  }

  async close(): Promise<void> {
    this.current = null;
    this.failure ??= new Error('the parse worker was closed');
    await this.worker.terminate();
  }
}

/**
 * A Worker running `url` with the options `execArgv`, less any its constructor refuses: V8 and
 * process-wide options (`--max-old-space-size`, `--perf-basic-prof`, `--stack-size`…) apply to
 * the whole process, so the worker runs under them anyway, but naming them to a Worker throws
 * ERR_WORKER_INVALID_EXEC_ARGV, which would leave all parsing to the ingesting thread (measured:
 * `node --max-old-space-size=… mlshield ingest` of 200k events, 3.9 s → 5.5 s).
 */
function newWorker(url: URL, data: ParseWorkerData, execArgv: readonly string[]): Worker {
  const start = (argv: readonly string[]): Worker => new Worker(url, {
    workerData: data,
    execArgv: [...argv],
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  try {
    return start(execArgv);
  } catch (e) {
    const refused = refusedExecArgv(e);
    if (refused === null) throw e;
    return start(execArgv.filter((a) => !refused.has(a)));
  }
}

/**
 * The options a Worker constructor refused, from its ERR_WORKER_INVALID_EXEC_ARGV error (Node
 * names them only in the message: "…invalid execArgv flags: --a=1, --b"); null for any other error.
 */
export function refusedExecArgv(e: unknown): Set<string> | null {
  if (!(e instanceof Error) || (e as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') return null;
  const at = e.message.indexOf(': ');
  if (at < 0) return null;
  const names = e.message.slice(at + 2).split(', ').filter((a) => a.startsWith('-'));
  return names.length > 0 ? new Set(names) : null;
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
  bytes = 0;
  /** An error the worker reported, or inserting its rows met (not the worker's death). */
  failure: Error | null = null;
  private block: Buffer | null = null;
  /** The shared input block `block` is, or -1 for one of its own (none was free). */
  private blockNo = -1;
  private filled = 0;
  private posted = 0;
  private consumed = 0;
  /** Why the source cannot go on: `failure`, or the worker is gone. */
  private stopped: Error | null = null;
  /** The worker sent 'done' for this source, or died. */
  private finished = false;
  private ended: Promise<void> | null = null;
  /** Settles a waiting push (room in flight) or end (the worker's 'done'). */
  private waiter: { resolve(): void; reject(err: Error): void } | null = null;

  constructor(
    private readonly seq: number,
    private readonly writer: RecordWriter,
    private readonly table: StringTable,
    private readonly blocks: number[],
    private readonly input: SharedArrayBuffer,
    /** The chunks are compressed: the worker inflates them and says how many bytes came out. */
    private readonly inflating: boolean,
    /** The bundle's decompression budget, as the worker charged it. */
    private readonly budget: DecompressionBudget | null,
    private readonly send: (m: ToParseWorker, transfer: ArrayBuffer[]) => void,
  ) {
    this.inputBytes = Buffer.from(input);
  }

  /** The shared input blocks, where rows name their raw lines (parse-worker-rows.ts). */
  private readonly inputBytes: Buffer;

  push(chunk: Uint8Array): Promise<void> | void {
    if (this.stopped) throw this.stopped;
    if (!this.inflating) this.bytes += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      if (this.block === null) {
        // A free shared block; else (a chunk larger than the blocks in flight) one of its own, transferred.
        this.blockNo = this.blocks.pop() ?? -1;
        this.block = this.blockNo >= 0 ? Buffer.from(this.input, this.blockNo * BLOCK_BYTES, BLOCK_BYTES) : Buffer.allocUnsafeSlow(BLOCK_BYTES);
        this.filled = 0;
      }
      const n = Math.min(chunk.length - at, BLOCK_BYTES - this.filled);
      this.block.set(chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === BLOCK_BYTES) this.sendBlock();
    }
    // Compressed chunks go as they came: the inflate sees the chunks an in-thread read sees, so
    // its bounds are checked at the same points.
    if (this.inflating) this.sendBlock();
    if (this.posted - this.consumed <= MAX_BYTES_IN_FLIGHT) return;
    return new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  end(quiet: boolean): Promise<void> {
    if (!this.ended) {
      this.ended = new Promise<void>((resolve, reject) => {
        if (this.finished) {
          if (this.stopped) reject(this.stopped);
          else resolve();
          return;
        }
        this.waiter = { resolve, reject };
        this.sendBlock();
        this.send({ t: 'end', seq: this.seq, quiet }, []);
      });
    }
    return quiet ? this.ended.catch(() => undefined) : this.ended;
  }

  receive(m: Exclude<FromParseWorker, { t: 'ready' }>, memory: ParseWorkerMemory): void {
    if (m.seq !== this.seq || this.finished) return;
    if (this.inflating) this.bytes = m.inflated;
    if (this.budget !== null && m.budgetUsed !== null) this.budget.used = m.budgetUsed;
    try {
      const { nums, bytes } = batchViews(m.batch, memory);
      applyBatch(this.writer, nums, bytes, this.inputBytes, this.table, m.batch.auditIds);
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
    this.stopped ??= err;
    if (!dead) this.failure ??= err;
    if (dead) this.finished = true;
    if (dead || !this.ended) this.settle();
  }

  /** Wakes the waiter: with the failure if there is one. */
  private settle(): void {
    const w = this.waiter;
    this.waiter = null;
    if (!w) return;
    if (this.stopped) w.reject(this.stopped);
    else w.resolve();
  }

  private sendBlock(): void {
    const block = this.block;
    if (block === null || this.filled === 0) return;
    this.block = null;
    this.posted += this.filled;
    if (this.blockNo >= 0) this.send({ t: 'chunk', seq: this.seq, block: this.blockNo, length: this.filled, bytes: null }, []);
    else this.send({ t: 'chunk', seq: this.seq, block: -1, length: this.filled, bytes: block.subarray(0, this.filled) }, [block.buffer as ArrayBuffer]);
  }
}
