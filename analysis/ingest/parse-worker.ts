/**
 * Worker-thread entry that parses record sources for ingestBundle (pipeline.ts): the thread that
 * owns SQLite sends decompressed chunks, this thread splits lines, runs the reader and sends back
 * row batches (parse-worker-rows.ts), so parsing and inserting overlap on two cores. Built to
 * dist/cli/ingest-parse-worker.js, next to the bundles that ingest.
 *
 * Backpressure on this side: after handing over a batch, the thread waits (Atomics.wait, which
 * a worker may do) while more than MAX_BATCHES_IN_FLIGHT batches are not yet applied, so a
 * source that turns a little input into many records can not pile them up in memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FromParseWorker, PackedBatch, ToParseWorker } from './parse-worker-rows.js';
import { RowEncoder } from './row-encoder.js';
import { createSourceParser, type SourceParser } from './parse-worker-source.js';

export interface ParseWorkerData {
  /** Int32Array over a SharedArrayBuffer: [0] = batches the main thread has applied. */
  applied: Int32Array;
}

const MAX_BATCHES_IN_FLIGHT = 16;

function serve(port: NonNullable<typeof parentPort>, applied: Int32Array): void {
  const encoder = new RowEncoder();
  let parser: SourceParser | null = null;
  let seq = 0;
  let consumed = 0;
  let error: string | null = null;
  let sent = 0;

  /** Input blocks parsed, to go back with the next batch. */
  let blocks: ArrayBuffer[] = [];
  const post = (m: Exclude<FromParseWorker, { t: 'ready' }>, batch: PackedBatch): void => {
    m.returned = blocks;
    blocks = [];
    port.postMessage(m, [batch.nums.buffer as ArrayBuffer, batch.bytes.buffer as ArrayBuffer, ...m.returned]);
    sent++;
    // Wait for the main thread to catch up; the timeout only lets termination through.
    for (let done = Atomics.load(applied, 0); sent - done > MAX_BATCHES_IN_FLIGHT; done = Atomics.load(applied, 0)) {
      Atomics.wait(applied, 0, done, 250);
    }
  };
  const flush = (): void => {
    const batch = encoder.take();
    post({ t: 'rows', seq, batch, consumed, error, returned: [] }, batch);
  };

  port.on('message', (m: ToParseWorker) => {
    if (m.returned) for (const buf of m.returned) encoder.recycle(buf);
    if (m.t === 'source') {
      seq = m.seq;
      consumed = 0;
      error = null;
      encoder.startSource();
      try {
        parser = createSourceParser(m.kind, encoder, m.ctx);
      } catch (err) {
        parser = null;
        error = messageOf(err);
        flush();
      }
      return;
    }
    if (m.seq !== seq) {
      if (m.t === 'chunk') blocks.push(m.bytes.buffer as ArrayBuffer);
      return; // a source the main thread gave up on
    }
    if (m.t === 'chunk') {
      if (parser === null || error !== null) {
        consumed += m.bytes.length;
        blocks.push(m.bytes.buffer as ArrayBuffer);
        return;
      }
      // Hand batches over as they fill, not only per chunk: a chunk of tiny lines is many records.
      const bytes = m.bytes;
      const step = 64 << 10;
      try {
        for (let at = 0; at < bytes.length; at += step) {
          parser.push(bytes.subarray(at, Math.min(bytes.length, at + step)));
          if (encoder.full) flush();
        }
      } catch (err) {
        error = messageOf(err);
      }
      // Always answered, records or not: the main thread counts what is still in flight by it.
      consumed += bytes.length;
      blocks.push(bytes.buffer as ArrayBuffer); // parsed: nothing refers to it any more
      flush();
      return;
    }
    let endError: string | null = error;
    if (parser !== null) {
      try {
        parser.end();
      } catch (err) {
        if (!m.quiet && endError === null) endError = messageOf(err);
      }
    }
    parser = null;
    // Rows still in the stage window are stored, whatever ended the source (as in-thread).
    encoder.endSource();
    const batch = encoder.take();
    post({ t: 'done', seq, batch, error: m.quiet ? null : endError, returned: [] }, batch);
  });
  port.postMessage({ t: 'ready' } satisfies FromParseWorker);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

if (parentPort) serve(parentPort, (workerData as ParseWorkerData).applied);
