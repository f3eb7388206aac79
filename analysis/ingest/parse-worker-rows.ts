/**
 * How parsed records cross from the parse worker to the thread that owns SQLite: one flat array
 * of primitives per batch (structured clone copies it without walking objects), with the event
 * columns already computed (series labels as JSON; attrs and raw as UTF-8 in one transferred
 * buffer, referenced by offset: the bulk of the bytes is neither copied nor turned into strings
 * on the inserting thread, which binds slices of it), so the owning thread only binds values. Records keep their order: the stage collapse and the quarantine rows
 * see exactly what an in-thread ingest sees.
 */
import type { EventRecord, GpuSample, QuarantineRecord } from '../core/records.js';
import type { SourceKind } from '../core/kinds.js';
import { eventAttrsJson, eventRawText, seriesLabelsJson, type RecordWriter } from '../store/case-store.js';
import type { ReaderContext } from './reader-for-kind.js';
import type { LineAwareSink } from './parse-worker-source.js';

/** Op codes of a row batch. */
const EVENT = 0;
const GPU = 1;
const QUARANTINE = 2;

/** A batch: `[EVENT, ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrsAt, attrsLen, rawAt, rawLen (-1: null), line, offset, auditId, stageRank]` (attrs and raw in the batch's text buffer), `[GPU, line, n, n × (node, gpu, job, field, labels, ts, value)]`, `[QUARANTINE, line, offset, reason, head]`, concatenated. */
export type RowBatch = (string | number | null)[];

/** Main thread → worker. */
export type ToParseWorker =
  | { t: 'source'; seq: number; kind: SourceKind; ctx: ReaderContext }
  | { t: 'chunk'; seq: number; bytes: Uint8Array }
  /** `quiet`: the stream already failed; errors while ending are not reported. */
  | { t: 'end'; seq: number; quiet: boolean };

/** Worker → main thread. `consumed`: input bytes fully parsed into this and earlier batches. */
export type FromParseWorker =
  | { t: 'ready' }
  | { t: 'rows'; seq: number; rows: RowBatch; text: Uint8Array; consumed: number; error: string | null }
  | { t: 'done'; seq: number; rows: RowBatch; text: Uint8Array; error: string | null };

/** One batch as handed over: `text.buffer` is transferred. */
export interface EncodedBatch {
  rows: RowBatch;
  text: Uint8Array;
}

/** Approximate bytes a batch may hold before it is handed over (bounds the worker's memory). */
export const BATCH_BYTES = 512 << 10;

/** The worker-side sink: encodes records into the current batch; `full` says it is time to hand it over. */
export class RowEncoder implements LineAwareSink {
  currentRaw: string | null = null;
  currentLine = 0;
  private rows: RowBatch = [];
  private bytes = 0;
  private text: Buffer = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private textLen = 0;
  private readonly labelsJson = new WeakMap<object, string>();

  get full(): boolean {
    return this.bytes >= BATCH_BYTES;
  }

  /** The batch so far; the encoder starts a new one (with a new text buffer: the old one is transferred). */
  take(): EncodedBatch {
    const batch = { rows: this.rows, text: new Uint8Array(this.text.buffer, 0, this.textLen) };
    this.rows = [];
    this.bytes = 0;
    this.text = Buffer.allocUnsafeSlow(BATCH_BYTES);
    this.textLen = 0;
    return batch;
  }

  /** Appends UTF-8 text to the batch's text buffer; returns where it starts. */
  private appendText(s: string): number {
    const at = this.textLen;
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    if (at + 3 * s.length > this.text.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.text.length, at + 3 * s.length));
      this.text.copy(grown, 0, 0, at);
      this.text = grown;
    }
    this.textLen += this.text.write(s, at);
    return at;
  }

  event(e: EventRecord): void {
    const attrs = eventAttrsJson(e.attrs);
    const raw = eventRawText(e.attrs, e.line === this.currentLine ? this.currentRaw : null);
    const attrsAt = this.appendText(attrs);
    const rawAt = raw === null ? -1 : this.appendText(raw);
    this.rows.push(
      EVENT, e.ts, e.source, e.actor, e.action, e.resource, e.namespace, e.job, e.node, e.gpu, e.outcome,
      attrsAt, rawAt === -1 ? this.textLen - attrsAt : rawAt - attrsAt, rawAt, rawAt === -1 ? -1 : this.textLen - rawAt,
      e.line, e.offset, e.auditId ?? null, e.stageRank ?? null,
    );
    this.bytes += 128 + attrs.length + (raw === null ? 0 : raw.length);
  }

  gpuRecord(samples: GpuSample[], line: number): void {
    const rows = this.rows;
    rows.push(GPU, line, samples.length);
    for (const s of samples) rows.push(s.node, s.gpu, s.job, s.field, this.labelsOf(s.labels), s.ts, s.value);
    this.bytes += 32 + 64 * samples.length;
  }

  quarantine(q: QuarantineRecord): void {
    this.rows.push(QUARANTINE, q.line, q.offset, q.reason, q.head);
    this.bytes += 64 + q.reason.length + q.head.length;
  }

  private labelsOf(labels: Record<string, string> | undefined): string {
    if (!labels) return '{}';
    let json = this.labelsJson.get(labels);
    if (json === undefined) {
      json = seriesLabelsJson(labels);
      this.labelsJson.set(labels, json);
    }
    return json;
  }
}

/** Replays a batch into the source's writer, in order. */
export function applyRows(writer: RecordWriter, rows: RowBatch, textBytes: Uint8Array): void {
  const text = Buffer.from(textBytes.buffer, textBytes.byteOffset, textBytes.byteLength);
  const n = rows.length;
  let i = 0;
  while (i < n) {
    const op = rows[i];
    if (op === EVENT) {
      writer.eventRow(
        rows[i + 1] as number, rows[i + 2] as string, rows[i + 3] as string | null, rows[i + 4] as string,
        rows[i + 5] as string | null, rows[i + 6] as string | null, rows[i + 7] as string | null, rows[i + 8] as string | null,
        rows[i + 9] as string | null, rows[i + 10] as string | null,
        text.subarray(rows[i + 11] as number, (rows[i + 11] as number) + (rows[i + 12] as number)),
        rows[i + 14] === -1 ? null : text.subarray(rows[i + 13] as number, (rows[i + 13] as number) + (rows[i + 14] as number)),
        rows[i + 15] as number, rows[i + 16] as number, rows[i + 17] as string | null, rows[i + 18] as number | null,
      );
      i += 19;
    } else if (op === GPU) {
      const line = rows[i + 1] as number;
      const count = rows[i + 2] as number;
      i += 3;
      writer.beginGpuRecord();
      for (let k = 0; k < count; k++, i += 7) {
        writer.gpuSampleRow(
          rows[i] as string | null, rows[i + 1] as string | null, rows[i + 2] as string | null, rows[i + 3] as string,
          rows[i + 4] as string, rows[i + 5] as number, rows[i + 6] as number | null, line,
        );
      }
      writer.endGpuRecord(count);
    } else if (op === QUARANTINE) {
      writer.quarantine({ line: rows[i + 1] as number, offset: rows[i + 2] as number, reason: rows[i + 3] as string, head: rows[i + 4] as string });
      i += 5;
    } else {
      throw new Error(`corrupt row batch: op ${String(op)} at ${i}`);
    }
  }
}

