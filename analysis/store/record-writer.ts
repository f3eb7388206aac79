/**
 * Writes one source's records into the case file (DESIGN.md "Data model": events, gpu_samples,
 * quarantine) and counts them: per source `read = stored + quarantined`, always.
 *
 * Audit events reach the `events` table through the stage window (stage-window.ts): either this
 * writer's own (records handed to `event`), or the parse worker's, whose finished rows arrive by
 * `collapsedRow` (ingest/parse-worker-rows.ts) so this thread only binds and steps statements.
 * A row whose auditID is already in the case (a straggler stage, a stage repeated in another
 * file) is merged here, by the database.
 */
import type Database from 'better-sqlite3';
import type { EventRecord, GpuSample, QuarantineRecord, RecordSink } from '../core/records.js';
import type { CaseStore } from './case-store.js';
import { StageWindow, stageName, type CollapsedStages, type EventHead, type HeldStages, type RawSource } from './stage-window.js';

/**
 * A text column's value: a string, or its UTF-8 bytes (bound as a blob and cast to TEXT in SQL,
 * which stores the same text without turning the bytes into a JS string and back).
 */
export type ColumnText = string | Uint8Array;

export interface SourceCounts {
  read: number;
  stored: number;
  quarantined: number;
  events: number;
  gpuSamples: number;
  firstTs: number | null;
  lastTs: number | null;
}

export interface RecordWriter extends RecordSink {
  readonly counts: SourceCounts;
  /** The raw text of the record being read, stored with the event (set by the pipeline per line). */
  currentRaw: string | null;
  /** The line number of `currentRaw`: records framed from a multi-line document start elsewhere. */
  currentLine: number;
  /** Writes what the stage window holds and commits (unless a bulk load holds one transaction, CaseStore.beginBulkLoad); call at the end of a source. */
  finish(): SourceCounts;
  /**
   * An event row that already went through a stage window (or needs none: `rank` null), standing
   * for `stages` records read, whose timestamps span `tsMin`..`tsMax`.
   */
  collapsedRow(
    ts: number, source: string, actor: string | null, action: string, resource: string | null, namespace: string | null,
    job: string | null, node: string | null, gpu: string | null, outcome: string | null, attrs: ColumnText, raw: ColumnText | null,
    line: number, offset: number, auditId: ColumnText | null, rank: number | null, mask: number | null, stages: number,
    tsMin: number, tsMax: number,
  ): void;
  /** `gpuRecord` in three steps, with the series labels already serialised (`seriesLabelsJson`). */
  beginGpuRecord(): void;
  gpuSampleRow(node: string | null, gpu: string | null, job: string | null, field: string, labelsJson: string, ts: number, value: number | null, line: number): void;
  endGpuRecord(samples: number): void;
}

/**
 * The `attrs` column of an event: its attrs as JSON, without `attrs.audit` (the audit event
 * itself is the `raw` column). Setting the key to undefined drops it from JSON.stringify at its
 * place, so the text equals that of a copy without the key, and no copy is made per record.
 */
export function eventAttrsJson(attrs: Record<string, unknown>): string {
  const audit = attrs.audit;
  if (audit === undefined) return JSON.stringify(attrs);
  attrs.audit = undefined;
  try {
    return JSON.stringify(attrs);
  } finally {
    attrs.audit = audit;
  }
}

/** Whether an event's `raw` column is the line being read (else `eventRawText` builds it). */
export function rawIsLine(attrs: Record<string, unknown>, currentRaw: string | null): boolean {
  // One line holding an array or EventList carries many records: each keeps its own item as raw.
  return currentRaw !== null && attrs.item === undefined;
}

/** The `raw` column: the record's line as read, else (a record framed from a document) its audit event as JSON. */
export function eventRawText(attrs: Record<string, unknown>, currentRaw: string | null): string | null {
  if (rawIsLine(attrs, currentRaw)) return currentRaw;
  return attrs.audit !== undefined ? JSON.stringify(attrs.audit) : null;
}

/** Series labels as JSON, without `raw` (a NaN/Inf literal is a property of the sample, not the series). */
export function seriesLabelsJson(labels: Record<string, string> | undefined): string {
  if (!labels) return '{}';
  return JSON.stringify('raw' in labels ? { ...labels, raw: undefined } : labels);
}

/** The first 200 UTF-16 units of a raw record, for a quarantine row. */
export function headOfText(raw: ColumnText | null): string {
  if (raw === null) return '';
  return (typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8', 0, 800)).slice(0, 200);
}

function textOf(value: ColumnText): string {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
}

/**
 * Rows per transaction (unless the store holds one transaction for a whole bulk load, see
 * CaseStore.beginBulkLoad). Each commit writes every page it dirtied, and the auditID index takes
 * random inserts, so a commit rewrites most of that index's leaves: fewer, larger transactions
 * keep that from growing with the square of the input. SQLite spills to the file when a
 * transaction outgrows the page cache, so memory stays bounded by cache_size.
 */
const BATCH = 100_000;

export class SqliteRecordWriter implements RecordWriter {
  readonly counts: SourceCounts = { read: 0, stored: 0, quarantined: 0, events: 0, gpuSamples: 0, firstTs: null, lastTs: null };
  currentRaw: string | null = null;
  currentLine = 0;
  private pending = 0;
  /** This writer's own stage window, for records handed to `event` (created on the first one). */
  private window: StageWindow | null = null;
  private readonly insertEvent: Database.Statement;
  private readonly findAudit: Database.Statement;
  private readonly upgradeStage: Database.Statement;
  private readonly addStage: Database.Statement;
  private readonly insertSample: Database.Statement;
  private readonly insertQuarantine: Database.Statement;

  constructor(
    private readonly store: CaseStore,
    private readonly sourceId: number,
  ) {
    const db = store.db;
    this.insertEvent = db.prepare(
      `INSERT INTO events(ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw,
         source_id, line, offset, audit_id, stage_rank, stage_mask, stages)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, CAST(? AS TEXT), ?, ?, ?)
       ON CONFLICT(audit_id) WHERE audit_id IS NOT NULL DO NOTHING`,
    );
    this.findAudit = db.prepare('SELECT id, stage_rank, stage_mask FROM events WHERE audit_id = ?');
    // A more complete stage replaces the content; provenance (source, line) stays with the first record seen.
    this.upgradeStage = db.prepare(
      `UPDATE events SET ts = ?, source = ?, actor = ?, action = ?, resource = ?, namespace = ?, job = ?, node = ?, gpu = ?,
         outcome = ?, attrs = CAST(? AS TEXT), raw = CAST(? AS TEXT), stage_rank = ?, stage_mask = stage_mask | ?, stages = stages + ? WHERE id = ?`,
    );
    this.addStage = db.prepare('UPDATE events SET stage_mask = stage_mask | ?, stages = stages + ? WHERE id = ?');
    this.insertSample = db.prepare('INSERT INTO gpu_samples(series_id, ts, value, source_id, line) VALUES (?, ?, ?, ?, ?)');
    this.insertQuarantine = db.prepare(
      'INSERT INTO quarantine(source_id, line, offset, reason, head) VALUES (?, ?, ?, ?, ?)',
    );
    if (!db.inTransaction) db.exec('BEGIN');
  }

  event(e: EventRecord): void {
    const attrs = e.attrs;
    const raw = eventRawText(attrs, e.line === this.currentLine ? this.currentRaw : null);
    const head: EventHead = [e.ts, e.source, e.actor, e.action, e.resource, e.namespace, e.job, e.node, e.gpu, e.outcome];
    const attrsJson = eventAttrsJson(attrs);
    const auditId = e.auditId ?? null;
    const rank = e.stageRank ?? null;
    if (auditId === null || rank === null) {
      this.collapsedRow(...head, attrsJson, raw, e.line, e.offset, auditId, rank, null, 1, e.ts, e.ts);
      return;
    }
    this.window ??= new StageWindow({
      flushHeld: (row) => this.flushHeld(row),
      write: (row, head, attrs, raw) => this.writeCollapsed(row, head, attrs, raw),
      duplicate: (line, offset, reason, head) => this.quarantine({ line, offset, reason, head }),
    });
    this.window.offer(auditId, rank, head, attrsJson, { text: raw, bytes: null, start: 0, end: 0 }, e.line, e.offset);
  }

  private writeCollapsed(c: CollapsedStages, head: EventHead, attrs: string, raw: RawSource): void {
    this.collapsedRow(...head, attrs, raw.text, c.line, c.offset, c.auditId, c.rank, c.mask, c.stages, c.tsMin, c.tsMax);
  }

  private flushHeld(h: HeldStages): void {
    const attrsEnd = h.at + h.attrsLen;
    this.collapsedRow(
      ...h.head, h.bytes.subarray(h.at, attrsEnd), h.rawLen < 0 ? null : h.bytes.subarray(attrsEnd, attrsEnd + h.rawLen),
      h.line, h.offset, h.auditId, h.rank, h.mask, h.stages, h.tsMin, h.tsMax,
    );
  }

  collapsedRow(
    ts: number, source: string, actor: string | null, action: string, resource: string | null, namespace: string | null,
    job: string | null, node: string | null, gpu: string | null, outcome: string | null, attrs: ColumnText, raw: ColumnText | null,
    line: number, offset: number, auditId: ColumnText | null, rank: number | null, mask: number | null, stages: number,
    tsMin: number, tsMax: number,
  ): void {
    const c = this.counts;
    c.read += stages;
    c.stored += stages;
    this.noteTs(tsMin);
    if (tsMax !== tsMin) this.noteTs(tsMax);
    const r = this.insertEvent.run(ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, this.sourceId, line, offset, auditId, rank, mask, stages);
    if (r.changes === 1) {
      c.events++;
      this.tick();
      return;
    }
    // The auditID is already in the case: merge into that row.
    const id = textOf(auditId!);
    const prev = this.findAudit.get(id) as { id: number; stage_rank: number | null; stage_mask: number | null };
    const have = prev.stage_mask ?? 0;
    if (rank === null || mask === null || (have & mask) !== 0) {
      // Counted as stored when read; it turns out to repeat a stage already in the case (or to
      // name no stage that could be merged).
      c.stored--;
      this.quarantineRecord({
        line,
        offset,
        reason: rank === null
          ? `duplicate record: auditID ${id} (no known stage) already stored as event #${prev.id}`
          : `duplicate record: auditID ${id} stage ${stageName(rank)} already stored as event #${prev.id}`,
        head: headOfText(raw),
      });
      // Stages it carried that the case lacks are still merged.
      const extra = (mask ?? 0) & ~have;
      if (extra !== 0) this.addStage.run(extra, 0, prev.id);
      return;
    }
    if (rank > (prev.stage_rank ?? -1)) {
      this.upgradeStage.run(ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, rank, mask, stages, prev.id);
    } else this.addStage.run(mask, stages, prev.id);
    this.tick();
  }

  gpuRecord(samples: GpuSample[], line: number): void {
    this.beginGpuRecord();
    const store = this.store;
    for (const s of samples) this.gpuSampleRow(s.node, s.gpu, s.job, s.field, store.labelsJsonOf(s.labels), s.ts, s.value, line);
    this.endGpuRecord(samples.length);
  }

  beginGpuRecord(): void {
    this.counts.read++;
    this.counts.stored++;
  }

  gpuSampleRow(node: string | null, gpu: string | null, job: string | null, field: string, labelsJson: string, ts: number, value: number | null, line: number): void {
    this.insertSample.run(this.store.seriesIdOf(node, gpu, job, field, labelsJson), ts, value, this.sourceId, line);
    this.noteTs(ts);
  }

  endGpuRecord(samples: number): void {
    this.counts.gpuSamples += samples;
    this.tick();
  }

  quarantine(q: QuarantineRecord): void {
    this.counts.read++;
    this.quarantineRecord(q);
  }

  private quarantineRecord(q: QuarantineRecord): void {
    this.counts.quarantined++;
    this.insertQuarantine.run(this.sourceId, q.line, q.offset, q.reason, q.head);
    this.tick();
  }

  private noteTs(ts: number): void {
    const c = this.counts;
    if (c.firstTs === null || ts < c.firstTs) c.firstTs = ts;
    if (c.lastTs === null || ts > c.lastTs) c.lastTs = ts;
  }

  private tick(): void {
    if (++this.pending >= BATCH && !this.store.loadTransaction) {
      this.store.db.exec('COMMIT');
      this.store.db.exec('BEGIN');
      this.pending = 0;
    }
  }

  finish(): SourceCounts {
    this.window?.flushAll();
    this.window = null;
    if (this.store.db.inTransaction && !this.store.loadTransaction) this.store.db.exec('COMMIT');
    return this.counts;
  }
}
