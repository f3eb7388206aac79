/**
 * Writes one source's records into the case file (DESIGN.md "Data model": events, gpu_samples,
 * quarantine) and counts them: per source `read = stored + quarantined`, always.
 *
 * Audit events reach the `events` table through this writer's stage window (stage-window.ts):
 * records handed to `event`, or the parse worker's, already serialised, to `eventColumns`
 * (ingest/parse-worker-rows.ts). A row whose auditID is already in the case (a straggler stage, a
 * stage repeated in another file) is merged here, by the database.
 */
import type Database from 'better-sqlite3';
import type { EventRecord, GpuSample, QuarantineRecord, RecordSink } from '../core/records.js';
import type { CaseStore } from './case-store.js';
import type { AuditIdTable } from './audit-id-table.js';
import { eventAttrsJson, eventRawText, headOfText, textOf, type ColumnText } from './record-columns.js';
import {
  StageWindow, stageName, type AttrsText, type CollapsedStages, type EventHead, type HeldStages, type RawSource,
} from './stage-window.js';

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
   * `event` for a record already serialised (the parse worker's): its columns but attrs and raw
   * (`head`), its attrs JSON as UTF-8 bytes or text (`attrsUnits`: the JSON's UTF-16 length),
   * its raw record, auditID and stage rank. Goes through the stage window exactly as `event` does.
   */
  eventColumns(
    head: EventHead, attrs: AttrsText, attrsUnits: number, raw: RawSource, line: number, offset: number,
    auditId: string | null, rank: number | null,
  ): void;
  /**
   * While true, rows may wait to share one multi-row INSERT, so the bytes handed to
   * `eventColumns` must stay valid until `flushRows` (the parse worker's batches: the receiving
   * side sets this and flushes before it lets a batch's memory go).
   */
  deferRows: boolean;
  /** Writes the rows `deferRows` kept waiting. */
  flushRows(): void;
  /** `gpuRecord` in three steps, with the series labels already serialised (`seriesLabelsJson`). */
  beginGpuRecord(): void;
  gpuSampleRow(node: string | null, gpu: string | null, job: string | null, field: string, labelsJson: string, ts: number, value: number | null, line: number): void;
  endGpuRecord(samples: number): void;
}

/** The row holding an auditID, with what its stages merged so far. */
interface AuditRow {
  id: number;
  stage_rank: number | null;
  stage_mask: number | null;
}

/** The raw column of a record: its bytes, its text, or null. */
function rawColumn(raw: RawSource): ColumnText | null {
  return raw.bytes !== null ? raw.bytes.subarray(raw.start, raw.end) : raw.text;
}

/**
 * Rows per transaction (unless the store holds one transaction for a whole bulk load, see
 * CaseStore.beginBulkLoad). Each commit writes every page it dirtied, and the auditID index takes
 * random inserts, so a commit rewrites most of that index's leaves: fewer, larger transactions
 * keep that from growing with the square of the input. SQLite spills to the file when a
 * transaction outgrows the page cache, so memory stays bounded by cache_size.
 */
const BATCH = 100_000;
/**
 * Rows per multi-row INSERT during a bulk load (`deferRows`): one statement step, one call into
 * SQLite per this many rows (measured: ~0.6 µs a row less than one row per INSERT; 8 does as
 * well, 32 and 64 a little worse).
 */
const ROWS_PER_INSERT = 16;
/** Parameters of one row of the bulk INSERT (`id` first). */
const ROW_PARAMS = 20;
const INSERT_COLUMNS = `INSERT INTO events(ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw,
  source_id, line, offset, audit_id, stage_rank, stage_mask, stages)`;
const ROW_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, CAST(? AS TEXT), ?, ?, ?)';
const BULK_ROW_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, CAST(? AS TEXT), ?, ?, ?)';
/**
 * The bulk load's INSERTs say OR FAIL. With ABORT, the default, a multi-row INSERT inside a
 * transaction keeps a statement journal so that a failing row can undo the rows before it: every
 * page the statement touches that existed before it (the table's and the load indexes' rightmost
 * leaves, at least) is first copied there, ~0.3 s of the inserting thread per 1M events. No bulk
 * row can fail a constraint (the ids are the store's, the auditIDs checked by its table, the
 * NOT NULL columns always bound), and if one did, its source ends in error either way, with the
 * rows before it kept, as they were counted.
 */
const BULK_INSERT_COLUMNS = INSERT_COLUMNS.replace('INSERT INTO events(', 'INSERT OR FAIL INTO events(id, ');

export class SqliteRecordWriter implements RecordWriter {
  readonly counts: SourceCounts = { read: 0, stored: 0, quarantined: 0, events: 0, gpuSamples: 0, firstTs: null, lastTs: null };
  currentRaw: string | null = null;
  currentLine = 0;
  deferRows = false;
  private pending = 0;
  /** Rows waiting for a multi-row INSERT (`deferRows`), ROW_PARAMS values each. */
  private readonly queue: unknown[] = [];
  /** The source's stage window (created on the first audit record). */
  private window: StageWindow | null = null;
  /** The seed of the window's auditID hashes: the auditID table's when the window was made, so the table takes them. */
  private windowSeed: number | null = null;
  /** `event`'s raw record, reused (the window copies what it keeps). */
  private readonly rawText: RawSource = { text: null, bytes: null, start: 0, end: 0 };
  /** INSERT … ON CONFLICT(audit_id) DO NOTHING: needs the unique auditID index (prepared when first used). */
  private insertEvent: Database.Statement | null = null;
  /**
   * Plain INSERTs of one row and of ROWS_PER_INSERT rows, for a bulk load whose auditIDs the
   * store's table checks (CaseStore.auditIds); the ids are the store's (`nextEventId`), so a row
   * waiting in `queue` is known by its id before it is written.
   */
  private insertNew: Database.Statement | null = null;
  private insertMany: Database.Statement | null = null;
  private readonly findAudit: Database.Statement;
  private readonly auditOfRow: Database.Statement;
  private readonly upgradeStage: Database.Statement;
  private readonly addStage: Database.Statement;
  private readonly insertSample: Database.Statement;
  private readonly insertQuarantine: Database.Statement;

  constructor(
    private readonly store: CaseStore,
    private readonly sourceId: number,
  ) {
    const db = store.db;
    this.findAudit = db.prepare('SELECT id, stage_rank, stage_mask FROM events WHERE audit_id = ?');
    // The candidate row of an auditID table probe, if it holds that auditID: compared as the
    // unique index compares (the stored text, BINARY), the value bound as the insert binds it.
    this.auditOfRow = db.prepare('SELECT id, stage_rank, stage_mask FROM events WHERE id = ? AND audit_id = CAST(? AS TEXT)');
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
    const attrsJson = eventAttrsJson(attrs);
    const raw = this.rawText;
    raw.text = eventRawText(attrs, e.line === this.currentLine ? this.currentRaw : null);
    const head: EventHead = [e.ts, e.source, e.actor, e.action, e.resource, e.namespace, e.job, e.node, e.gpu, e.outcome];
    this.eventColumns(head, attrsJson, attrsJson.length, raw, e.line, e.offset, e.auditId ?? null, e.stageRank ?? null);
  }

  eventColumns(
    head: EventHead, attrs: AttrsText, attrsUnits: number, raw: RawSource, line: number, offset: number,
    auditId: string | null, rank: number | null,
  ): void {
    if (auditId === null || rank === null) {
      this.collapsedRow(...head, attrs, rawColumn(raw), line, offset, auditId, undefined, rank, null, 1, head[0], head[0]);
      return;
    }
    this.window ??= this.newWindow();
    this.window.offer(auditId, rank, head, attrs, attrsUnits, raw, line, offset);
  }

  private newWindow(): StageWindow {
    this.windowSeed = this.store.auditIds?.seed ?? null;
    return new StageWindow({
      flushHeld: (row) => this.flushHeld(row),
      write: (row, head, attrs, raw) => this.writeCollapsed(row, head, attrs, raw),
      duplicate: (line, offset, reason, head) => this.quarantine({ line, offset, reason, head }),
      stored: (id, hash) => this.auditStored(id, hash),
    }, this.windowSeed ?? undefined);
  }

  private writeCollapsed(c: CollapsedStages, head: EventHead, attrs: AttrsText, raw: RawSource): void {
    this.collapsedRow(...head, attrs, rawColumn(raw), c.line, c.offset, c.auditId, c.hash, c.rank, c.mask, c.stages, c.tsMin, c.tsMax);
  }

  private flushHeld(h: HeldStages): void {
    // The window's bytes are reused as soon as this returns: the row is written now, not deferred.
    const defer = this.deferRows;
    this.flushRows();
    this.deferRows = false;
    try {
      const attrsEnd = h.at + h.attrsLen;
      this.collapsedRow(
        ...h.head, h.bytes.subarray(h.at, attrsEnd), h.rawLen < 0 ? null : h.bytes.subarray(attrsEnd, attrsEnd + h.rawLen),
        h.line, h.offset, h.auditId, h.hash, h.rank, h.mask, h.stages, h.tsMin, h.tsMax,
      );
    } finally {
      this.deferRows = defer;
    }
  }

  /**
   * An event row that went through the stage window (or needs none: `rank` null), standing for
   * `stages` records read, whose timestamps span `tsMin`..`tsMax`. `auditHash`: the window's hash
   * of `auditId` (CollapsedStages `hash`), if it went through the window.
   */
  private collapsedRow(
    ts: number, source: string, actor: string | null, action: string, resource: string | null, namespace: string | null,
    job: string | null, node: string | null, gpu: string | null, outcome: string | null, attrs: ColumnText, raw: ColumnText | null,
    line: number, offset: number, auditId: ColumnText | null, auditHash: number | undefined, rank: number | null, mask: number | null, stages: number,
    tsMin: number, tsMax: number,
  ): void {
    const c = this.counts;
    c.read += stages;
    c.stored += stages;
    this.noteTs(tsMin);
    if (tsMax !== tsMin) this.noteTs(tsMax);
    const prev = this.storeRow(ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, line, offset, auditId, auditHash, rank, mask, stages);
    if (prev === null) {
      c.events++;
      this.tick();
      return;
    }
    // The auditID is already in the case: merge into that row.
    const id = textOf(auditId!);
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

  /** Whether the case holds a row of `auditId` (during a bulk load the store's auditID table answers, else the unique index). */
  private auditStored(auditId: string, hash: number): boolean {
    const table = this.store.auditIds;
    if (table !== null) {
      const prev = this.tableRow(table, auditId, hash);
      if (!table.overloaded) return prev !== undefined;
      // The table gave up before it could answer: the index answers from here on.
      this.flushRows();
      this.store.restoreAuditIndex();
    }
    return this.findAudit.get(auditId) !== undefined;
  }

  /**
   * The row of `auditId` among the auditID table's candidates, each checked against the case (rows
   * still waiting go in first). A probe that finds none ends where `table.add` records a new row.
   * `hash`: the window's hash of `auditId`, taken when the window hashes under the table's seed.
   */
  private tableRow(table: AuditIdTable, auditId: ColumnText, hash: number | undefined): AuditRow | undefined {
    let row = table.first(auditId, table.seed === this.windowSeed ? hash : undefined);
    if (row !== 0) this.flushRows();
    for (; row !== 0; row = table.next()) {
      const prev = this.auditOfRow.get(row, auditId) as AuditRow | undefined;
      if (prev !== undefined) return prev;
    }
    return undefined;
  }

  /**
   * Inserts the row unless its auditID is already in the case; returns the row holding it then.
   * During a bulk load the store's auditID table answers (CaseStore.auditIds), else the unique
   * index does (the insert does nothing, and the row is looked up).
   */
  private storeRow(
    ts: number, source: string, actor: string | null, action: string, resource: string | null, namespace: string | null,
    job: string | null, node: string | null, gpu: string | null, outcome: string | null, attrs: ColumnText, raw: ColumnText | null,
    line: number, offset: number, auditId: ColumnText | null, auditHash: number | undefined, rank: number | null, mask: number | null, stages: number,
  ): AuditRow | null {
    const store = this.store;
    const table = store.auditIds;
    if (table !== null) {
      const prev = auditId !== null ? this.tableRow(table, auditId, auditHash) : undefined;
      if (!table.overloaded) {
        if (prev !== undefined) return prev;
        const id = store.nextEventId++;
        if (auditId !== null) table.add(id);
        if (this.deferRows) {
          this.queue.push(id, ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, this.sourceId, line, offset, auditId, rank, mask, stages);
          if (this.queue.length === ROWS_PER_INSERT * ROW_PARAMS) this.flushRows();
        } else {
          this.bulkInsert().run(id, ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, this.sourceId, line, offset, auditId, rank, mask, stages);
        }
        if (table.overloaded) {
          this.flushRows();
          store.restoreAuditIndex();
        }
        return null;
      }
      // The table gave up before it could answer: the index answers from here on.
      this.flushRows();
      store.restoreAuditIndex();
    }
    this.insertEvent ??= store.db.prepare(`${INSERT_COLUMNS} VALUES ${ROW_VALUES} ON CONFLICT(audit_id) WHERE audit_id IS NOT NULL DO NOTHING`);
    const r = this.insertEvent.run(ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, this.sourceId, line, offset, auditId, rank, mask, stages);
    if (r.changes === 1) return null;
    return this.findAudit.get(textOf(auditId!)) as AuditRow;
  }

  flushRows(): void {
    const q = this.queue;
    if (q.length === 0) return;
    try {
      if (q.length === ROWS_PER_INSERT * ROW_PARAMS) {
        this.insertMany ??= this.store.db.prepare(`${BULK_INSERT_COLUMNS} VALUES ${new Array<string>(ROWS_PER_INSERT).fill(BULK_ROW_VALUES).join(', ')}`);
        // Spread, not the array: better-sqlite3 reads an array's items one V8 API call each
        // (measured: ~0.4 µs a row more).
        this.insertMany.run(...q);
      } else {
        const one = this.bulkInsert();
        for (let at = 0; at < q.length; at += ROW_PARAMS) one.run(...q.slice(at, at + ROW_PARAMS));
      }
    } finally {
      q.length = 0; // written, or failed with the statement (the source then ends in error)
    }
  }

  private bulkInsert(): Database.Statement {
    return (this.insertNew ??= this.store.db.prepare(`${BULK_INSERT_COLUMNS} VALUES ${BULK_ROW_VALUES}`));
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
    const series = this.store.seriesIdOf(node, gpu, job, field, labelsJson);
    this.insertSample.run(series, ts, value, this.sourceId, line);
    this.store.gpuWindows?.add(series, node, gpu, job, field, ts, value);
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
      this.store.gpuWindows?.flush(); // window summaries commit with their samples
      this.store.db.exec('COMMIT');
      this.store.db.exec('BEGIN');
      this.pending = 0;
    }
  }

  finish(): SourceCounts {
    this.window?.flushAll();
    this.window = null;
    this.flushRows();
    this.store.gpuWindows?.flush();
    if (this.store.db.inTransaction && !this.store.loadTransaction) this.store.db.exec('COMMIT');
    return this.counts;
  }
}
