/**
 * How parsed records cross from the parse worker to the thread that owns SQLite, packed so that
 * thread does little more than bind values and step statements:
 * - audit stages are already collapsed (the stage window runs here, store/stage-window.ts);
 * - each batch is two transferred buffers, numbers (`nums`) and UTF-8 bytes (`bytes`: attrs, raw
 *   and auditIDs, bound as blobs and cast to TEXT in SQL), plus the strings first seen in the
 *   batch: short column values (actor, verb, namespace, job, series labels…) repeat, so each
 *   crosses once and later rows name it by number in a table both sides keep (bounded: both
 *   sides clear it together, at a batch boundary, when it grows past its limits);
 * - a line stored as `raw` is copied as the bytes it was read from, not encoded again.
 * Records keep their order: the rows, the quarantine rows and the database merges of stragglers
 * happen exactly as in an in-thread ingest (record-writer.ts), which the tests compare.
 * This module is the format and the receiving side; row-encoder.ts writes batches in the worker.
 */
import type { SourceKind } from '../core/kinds.js';
import type { RecordWriter } from '../store/record-writer.js';
import type { ReaderContext } from './reader-for-kind.js';

/** Op codes of a batch's `nums`. */
export const EVENT = 0;
export const GPU = 1;
export const QUARANTINE = 2;
/**
 * `[EVENT, ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrsAt,
 * attrsLen, rawAt, rawLen, line, offset, auditAt, auditLen, rank, mask, stages, tsMin, tsMax]`:
 * string columns are table indexes (-1: null), byte columns offset and length in `bytes`
 * (length -1: null), rank and mask -1 for null.
 */
export const EVENT_SLOTS = 24;
/** `[GPU, line, n]`, then per sample `[node, gpu, job, field, labels, ts, hasValue, value]`. */
export const SAMPLE_SLOTS = 8;
/** `[QUARANTINE, line, offset, reason, head]`. */
export const QUARANTINE_SLOTS = 5;

/**
 * Main thread → worker. `returned`: buffers of batches already applied, back for reuse
 * (buffer-pool.ts).
 */
export type ToParseWorker = (
  | { t: 'source'; seq: number; kind: SourceKind; ctx: ReaderContext }
  | { t: 'chunk'; seq: number; bytes: Uint8Array }
  /** `quiet`: the stream already failed; errors while ending are not reported. */
  | { t: 'end'; seq: number; quiet: boolean }
) & { returned?: ArrayBuffer[] };

/** One packed batch (see the module comment). */
export interface PackedBatch {
  nums: Float64Array;
  bytes: Uint8Array;
  /** Appended to the receiver's string table, in order, after clearing it when `reset`. */
  strings: string[];
  reset: boolean;
}

/**
 * Worker → main thread. `consumed`: input bytes fully parsed into this and earlier batches;
 * `returned`: input blocks parsed, back for reuse.
 */
export type FromParseWorker =
  | { t: 'ready' }
  | { t: 'rows'; seq: number; batch: PackedBatch; consumed: number; error: string | null; returned: ArrayBuffer[] }
  | { t: 'done'; seq: number; batch: PackedBatch; error: string | null; returned: ArrayBuffer[] };

/** Approximate bytes a batch may hold before it is handed over (bounds the worker's memory). */
export const BATCH_BYTES = 512 << 10;

/** The receiving side's copy of the worker's string table. */
export class StringTable {
  readonly strings: string[] = [];

  /** Takes a batch's new strings; call for every batch, in order, applied or not. */
  update(batch: PackedBatch): void {
    const t = this.strings;
    if (batch.reset) t.length = 0;
    for (const s of batch.strings) t.push(s);
  }
}

/** Replays a batch into the source's writer, in order (after `table.update(batch)`). */
export function applyBatch(writer: RecordWriter, batch: PackedBatch, table: StringTable): void {
  const v = batch.nums;
  const t = table.strings;
  const b = batch.bytes;
  const bytes = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const n = v.length;
  let i = 0;
  while (i < n) {
    const op = v[i];
    if (op === EVENT) {
      const rank = v[i + 19]!;
      const mask = v[i + 20]!;
      writer.collapsedRow(
        v[i + 1]!, t[v[i + 2]!]!, str(t, v[i + 3]!), t[v[i + 4]!]!, str(t, v[i + 5]!), str(t, v[i + 6]!),
        str(t, v[i + 7]!), str(t, v[i + 8]!), str(t, v[i + 9]!), str(t, v[i + 10]!),
        bytes.subarray(v[i + 11]!, v[i + 11]! + v[i + 12]!), slice(bytes, v[i + 13]!, v[i + 14]!),
        v[i + 15]!, v[i + 16]!, slice(bytes, v[i + 17]!, v[i + 18]!), rank < 0 ? null : rank, mask < 0 ? null : mask,
        v[i + 21]!, v[i + 22]!, v[i + 23]!,
      );
      i += EVENT_SLOTS;
    } else if (op === GPU) {
      const line = v[i + 1]!;
      const count = v[i + 2]!;
      i += 3;
      writer.beginGpuRecord();
      for (let k = 0; k < count; k++, i += SAMPLE_SLOTS) {
        writer.gpuSampleRow(
          str(t, v[i]!), str(t, v[i + 1]!), str(t, v[i + 2]!), t[v[i + 3]!]!, t[v[i + 4]!]!, v[i + 5]!,
          v[i + 6] === 0 ? null : v[i + 7]!, line,
        );
      }
      writer.endGpuRecord(count);
    } else if (op === QUARANTINE) {
      writer.quarantine({ line: v[i + 1]!, offset: v[i + 2]!, reason: t[v[i + 3]!]!, head: t[v[i + 4]!]! });
      i += QUARANTINE_SLOTS;
    } else {
      throw new Error(`corrupt row batch: op ${String(op)} at ${i}`);
    }
  }
}

function str(t: string[], ref: number): string | null {
  return ref < 0 ? null : t[ref]!;
}

function slice(bytes: Buffer, at: number, len: number): Buffer | null {
  return len < 0 ? null : bytes.subarray(at, at + len);
}
