/**
 * Worker-thread entry that parses record sources for ingestBundle (pipeline.ts): the thread that
 * owns SQLite sends the source's bytes (a .gz read straight from the bundle's folder compressed,
 * inflated here: parse-worker-gunzip.ts), this thread splits lines, runs the reader and sends back
 * row batches (parse-worker-rows.ts), so parsing and inserting overlap on two cores. Built to
 * dist/cli/ingest-parse-worker.js, next to the bundles that ingest.
 *
 * Backpressure on this side: after handing over a batch, the thread waits (Atomics.wait, which
 * a worker may do) while more than MAX_BATCHES_IN_FLIGHT batches are not yet applied, so a
 * source that turns a little input into many records can not pile them up in memory, and the
 * shared batch slot it fills next is one the main thread is done with (parse-worker-rows.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { INFLATE_CHUNK_BYTES } from './archive/bounded-inflate.js';
import { BLOCK_BYTES, MAX_BATCHES_IN_FLIGHT, type FromParseWorker, type ParseWorkerMemory, type ToParseWorker } from './parse-worker-rows.js';
import { InflateRegions, SourceInflate } from './parse-worker-gunzip.js';
import { RowEncoder } from './row-encoder.js';
import { createSourceParser, type SourceParser } from './parse-worker-source.js';

export interface ParseWorkerData {
  /** Int32Array over a SharedArrayBuffer: [0] = batches the main thread has applied. */
  applied: Int32Array;
  memory: ParseWorkerMemory;
}

function serve(port: NonNullable<typeof parentPort>, applied: Int32Array, memory: ParseWorkerMemory): void {
  const encoder = new RowEncoder(memory);
  const input = Buffer.from(memory.input);
  let parser: SourceParser | null = null;
  /** The source's inflater when its chunks are a .gz's compressed bytes. */
  let gz: SourceInflate | null = null;
  let seq = 0;
  let consumed = 0;
  /** What stopped the source: the reader, or the inflate (both end it as an in-thread read would). */
  let error: string | null = null;
  let sent = 0;

  /** Shared input blocks parsed, to go back with the next batch. */
  let blocks: number[] = [];
  const post = (m: Exclude<FromParseWorker, { t: 'ready' }>): void => {
    m.returned = blocks;
    blocks = [];
    m.inflated = gz?.inflated ?? 0;
    m.budgetUsed = gz?.budgetUsed ?? null;
    const { nums, bytes } = m.batch;
    const transfer: ArrayBuffer[] = [];
    if (nums !== null) transfer.push(nums.buffer as ArrayBuffer);
    if (bytes !== null) transfer.push(bytes.buffer as ArrayBuffer);
    port.postMessage(m, transfer);
    sent++;
    // Wait for the main thread to catch up; the timeout only lets termination through.
    for (let done = Atomics.load(applied, 0); sent - done > MAX_BATCHES_IN_FLIGHT; done = Atomics.load(applied, 0)) {
      Atomics.wait(applied, 0, done, 250);
    }
  };
  const flush = (): void => {
    post({ t: 'rows', seq, batch: encoder.take(), consumed, error, returned: [], inflated: 0, budgetUsed: null });
  };
  const regions = new InflateRegions(memory.input, INFLATE_CHUNK_BYTES, applied, {
    get sent() {
      return sent;
    },
    flush,
  });
  // Hand batches over as they fill, not only per chunk: a chunk of tiny lines is many records.
  const step = 64 << 10;
  const parse = (bytes: Uint8Array): void => {
    for (let at = 0; at < bytes.length; at += step) {
      parser!.push(bytes.subarray(at, Math.min(bytes.length, at + step)));
      if (encoder.full) flush();
    }
  };

  port.on('message', (m: ToParseWorker) => {
    if (m.t === 'source') {
      gz?.close(); // (a source given up without its end)
      gz = null;
      seq = m.seq;
      consumed = 0;
      error = null;
      encoder.startSource(m.kind);
      try {
        parser = createSourceParser(m.kind, encoder, m.ctx);
        gz = m.gunzip === null ? null : new SourceInflate(m.gunzip, regions);
      } catch (err) {
        parser = null;
        error = messageOf(err);
        flush();
      }
      return;
    }
    if (m.seq !== seq) {
      if (m.t === 'chunk' && m.block >= 0) blocks.push(m.block);
      return; // a source the main thread gave up on
    }
    if (m.t === 'chunk') {
      if (parser === null || error !== null) {
        consumed += m.length;
        if (m.block >= 0) blocks.push(m.block);
        return;
      }
      const bytes = m.bytes ?? input.subarray(m.block * BLOCK_BYTES, m.block * BLOCK_BYTES + m.length);
      try {
        if (gz !== null) gz.push(bytes, parse);
        else parse(bytes);
      } catch (err) {
        error = messageOf(err);
      }
      // Always answered, records or not: the main thread counts what is still in flight by it.
      consumed += bytes.length;
      // Parsed: it goes back with the batch that names its last lines (row-encoder.ts), which
      // the main thread applies before it fills the block again.
      if (m.block >= 0) blocks.push(m.block);
      flush();
      return;
    }
    let endError: string | null = error;
    if (gz !== null && !m.quiet && endError === null) {
      // A .gz cut short: as in-thread, the reader then ends quietly.
      try {
        gz.end();
      } catch (err) {
        endError = messageOf(err);
      }
    }
    if (parser !== null) {
      try {
        parser.end();
      } catch (err) {
        if (!m.quiet && endError === null) endError = messageOf(err);
      }
    }
    parser = null;
    gz?.close(); // its last region goes back after this last batch
    post({ t: 'done', seq, batch: encoder.take(), error: m.quiet ? null : endError, returned: [], inflated: 0, budgetUsed: null });
    gz = null;
  });
  port.postMessage({ t: 'ready' } satisfies FromParseWorker);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

if (parentPort) {
  const data = workerData as ParseWorkerData;
  serve(parentPort, data.applied, data.memory);
}
