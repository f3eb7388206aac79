/**
 * The case file: one SQLite database per incident (DESIGN.md "Data model"). This is the SQLite
 * adapter; readers never see it — they talk to the RecordSink that `openRecordWriter` returns.
 */
import Database from 'better-sqlite3';
import type { EventRecord, GpuSample, QuarantineRecord, RecordSink } from '../core/records.js';
import type { SourceKind } from '../core/kinds.js';
import { MIGRATIONS, QUERY_INDEXES_SQL } from './migrations.js';

export type Db = Database.Database;

/**
 * A text column's value: a string, or its UTF-8 bytes (bound as a blob and cast to TEXT in SQL,
 * which stores the same text without turning the bytes into a JS string and back).
 */
export type ColumnText = string | Uint8Array;

export const STAGE_NAMES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;

export interface SourceInput {
  path: string;
  kind: SourceKind;
  bytes: number;
  sha256: string | null;
  gzipped: boolean;
}

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
  /** Commits what is buffered; call at the end of a source. */
  finish(): SourceCounts;
  /**
   * `event` with the columns already computed (attrs and raw as text, see `eventAttrsJson` /
   * `eventRawText`): how rows parsed in another thread arrive (ingest/parse-worker-rows.ts).
   */
  eventRow(
    ts: number, source: string, actor: string | null, action: string, resource: string | null, namespace: string | null,
    job: string | null, node: string | null, gpu: string | null, outcome: string | null, attrs: ColumnText, raw: ColumnText | null,
    line: number, offset: number, auditId: string | null, stageRank: number | null,
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

/** The `raw` column: the record's line as read, else (a record framed from a document) its audit event as JSON. */
export function eventRawText(attrs: Record<string, unknown>, currentRaw: string | null): string | null {
  // One line holding an array or EventList carries many records: each keeps its own item as raw.
  if (currentRaw !== null && attrs.item === undefined) return currentRaw;
  return attrs.audit !== undefined ? JSON.stringify(attrs.audit) : null;
}

/** Series labels as JSON, without `raw` (a NaN/Inf literal is a property of the sample, not the series). */
export function seriesLabelsJson(labels: Record<string, string> | undefined): string {
  if (!labels) return '{}';
  return JSON.stringify('raw' in labels ? { ...labels, raw: undefined } : labels);
}

/**
 * Records per transaction. Each commit writes every page it dirtied, and the auditID index takes
 * random inserts, so a commit rewrites most of that index's leaves: fewer, larger transactions
 * keep that from growing with the square of the input. SQLite spills to the WAL when a
 * transaction outgrows the page cache, so memory stays bounded by cache_size.
 */
const BATCH = 100_000;
/** Page size of new case files (bytes). */
const PAGE_SIZE = 16384;
/** Rows ANALYZE samples per index after an ingest: planner statistics without a full scan. */
const ANALYSIS_LIMIT = 2000;
/** Series cache entries before the map is cleared (an attacker can mint millions of label sets). */
const MAX_SERIES_CACHE = 200_000;

export class CaseStore {
  readonly db: Db;
  private readonly seriesCache = new Map<string, number>();
  /** Readers share one labels object per series, so its serialisation is computed once. */
  private readonly labelsJson = new WeakMap<object, string>();

  private constructor(db: Db) {
    this.db = db;
  }

  static open(path: string, opts: { readonly?: boolean } = {}): CaseStore {
    const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    if (!opts.readonly) {
      // Only a new, empty file takes it (before WAL writes the header); an existing case keeps its
      // own. Events are ~2 KiB rows: 16 KiB pages hold them with less slack and shallower trees,
      // which makes the bulk load and the index builds after it faster than the 4 KiB default.
      db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    }
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -65536'); // 64 MiB page cache
    const store = new CaseStore(db);
    if (!opts.readonly) store.migrate();
    else if (store.schemaVersion() === 0) throw new Error(`${path} is not an MLShield case file`);
    return store;
  }

  /**
   * A second, read-only connection to the same file. In WAL mode it reads a consistent snapshot
   * while this connection writes — what a long scan that writes results as it goes needs
   * (better-sqlite3 refuses writes on a connection whose iterator is open).
   */
  openReader(): Db {
    const reader = new Database(this.db.name, { readonly: true, fileMustExist: true });
    reader.pragma('temp_store = MEMORY');
    reader.pragma('cache_size = -32768');
    return reader;
  }

  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion();
    const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    if (current > latest) {
      throw new Error(`case file schema v${current} is newer than this tool (v${latest}); upgrade MLShield`);
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.pragma(`user_version = ${m.version}`);
      })();
    }
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  getMeta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  /** The source already ingested with this SHA-256, if any (re-ingesting adds nothing). */
  sourceBySha(sha256: string): { id: number; path: string } | null {
    const row = this.db.prepare("SELECT id, path FROM sources WHERE sha256 = ? AND status = 'ok'").get(sha256) as
      | { id: number; path: string }
      | undefined;
    return row ?? null;
  }

  addSource(src: SourceInput, status: 'ok' | 'error' | 'refused' = 'ok', note: string | null = null): number {
    const r = this.db
      .prepare(
        `INSERT INTO sources(path, kind, bytes, sha256, gzipped, status, note, ingested_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(src.path, src.kind, src.bytes, src.sha256, src.gzipped ? 1 : 0, status, note, new Date().toISOString());
    return Number(r.lastInsertRowid);
  }

  finishSource(id: number, counts: SourceCounts, status: 'ok' | 'error', note: string | null, sha256?: string): void {
    this.db
      .prepare(
        `UPDATE sources SET records_read = ?, records_stored = ?, records_quarantined = ?, first_ts = ?, last_ts = ?,
           status = ?, note = ?, sha256 = COALESCE(?, sha256) WHERE id = ?`,
      )
      .run(counts.read, counts.stored, counts.quarantined, counts.firstTs, counts.lastTs, status, note, sha256 ?? null, id);
  }

  /**
   * Bulk-load settings: no fsync per commit (an ingest interrupted by a power cut is re-run from
   * the bundle, which is the evidence; the case file is derived from it) and a larger page cache
   * for the auditID index (96 MiB: holds that index for ~1.5 M events, and leaves room in the
   * ingest's 400 MB budget for the parse worker and the batches in flight). `finalizeIngest`
   * restores durable settings.
   */
  beginBulkLoad(): void {
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -98304');
    // Every row's source_id is the id addSource just returned: checking it against `sources`
    // on each insert is a B-tree seek per row for nothing.
    this.db.pragma('foreign_keys = OFF');
  }

  /**
   * Builds the query indexes (after a bulk load: measured cheaper than keeping them row by row),
   * refreshes planner statistics (sampled), restores durability.
   */
  finalizeIngest(): void {
    // The bulk cache goes first: the index builds' sorters hold their runs in memory
    // (temp_store = MEMORY) and both together would lift peak memory past the ingest's own.
    this.db.pragma('cache_size = -65536');
    this.db.exec(QUERY_INDEXES_SQL);
    this.db.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
    this.db.exec('ANALYZE');
    this.db.pragma('analysis_limit = 0');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  openRecordWriter(sourceId: number): RecordWriter {
    return new SqliteRecordWriter(this, sourceId);
  }

  /** Series id for a sample's (node, gpu, job, field, labels), created on first sight. */
  seriesId(s: GpuSample): number {
    return this.seriesIdOf(s.node, s.gpu, s.job, s.field, this.labelsJsonOf(s.labels));
  }

  /** `seriesId` for a sample whose labels are already serialised (`seriesLabelsJson`). */
  seriesIdOf(node: string | null, gpu: string | null, job: string | null, field: string, labels: string): number {
    const key = `${node ?? ''}\u0000${gpu ?? ''}\u0000${job ?? ''}\u0000${field}\u0000${labels}`;
    const cached = this.seriesCache.get(key);
    if (cached !== undefined) return cached;
    const db = this.db;
    const found = db.prepare('SELECT id FROM gpu_series WHERE series_key = ?').get(key) as { id: number } | undefined;
    const id =
      found?.id ??
      Number(
        db
          .prepare('INSERT INTO gpu_series(node, gpu, job, field, labels, series_key) VALUES (?, ?, ?, ?, ?, ?)')
          .run(node, gpu, job, field, labels, key).lastInsertRowid,
      );
    if (this.seriesCache.size >= MAX_SERIES_CACHE) this.seriesCache.clear();
    this.seriesCache.set(key, id);
    return id;
  }

  /** `seriesLabelsJson`, computed once per labels object. */
  labelsJsonOf(labels: Record<string, string> | undefined): string {
    if (!labels) return '{}';
    let json = this.labelsJson.get(labels);
    if (json === undefined) {
      json = seriesLabelsJson(labels);
      this.labelsJson.set(labels, json);
    }
    return json;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * An event row waiting in the stage-collapse window (not yet in the database): the 19 parameters
 * of `insertEvent` in order, so it is bound as one array without copying.
 */
type EventParams = [
  ts: number, source: string, actor: string | null, action: string, resource: string | null, namespace: string | null,
  job: string | null, node: string | null, gpu: string | null, outcome: string | null, attrs: ColumnText, raw: ColumnText | null,
  sourceId: number, line: number, offset: number, auditId: string | null, rank: number | null, mask: number | null, stages: number,
];
const P_RAW = 11;
const P_LINE = 13;
const P_OFFSET = 14;
const P_AUDIT = 15;
const P_RANK = 16;
const P_MASK = 17;
const P_STAGES = 18;

/**
 * Stages of one request are written within milliseconds of each other, so the writer merges them
 * in a window of recent auditIDs before they reach SQLite; only stragglers take the slower
 * database merge. The window bounds memory whatever the input size.
 */
const STAGE_WINDOW = 8192;

class SqliteRecordWriter implements RecordWriter {
  readonly counts: SourceCounts = { read: 0, stored: 0, quarantined: 0, events: 0, gpuSamples: 0, firstTs: null, lastTs: null };
  currentRaw: string | null = null;
  currentLine = 0;
  private pending = 0;
  /** The held rows by auditID; `ring` holds the same rows in arrival order (oldest at `ringHead`). */
  private readonly window = new Map<string, EventParams>();
  private readonly ring: (EventParams | undefined)[] = new Array<EventParams | undefined>(STAGE_WINDOW);
  private ringHead = 0;
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
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?)
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
    db.exec('BEGIN');
  }

  event(e: EventRecord): void {
    const attrs = e.attrs;
    this.eventRow(
      e.ts, e.source, e.actor, e.action, e.resource, e.namespace, e.job, e.node, e.gpu, e.outcome,
      eventAttrsJson(attrs), eventRawText(attrs, e.line === this.currentLine ? this.currentRaw : null), e.line, e.offset,
      e.auditId ?? null, e.stageRank ?? null,
    );
  }

  eventRow(
    ts: number, source: string, actor: string | null, action: string, resource: string | null, namespace: string | null,
    job: string | null, node: string | null, gpu: string | null, outcome: string | null, attrs: ColumnText, raw: ColumnText | null,
    line: number, offset: number, auditId: string | null, stageRank: number | null,
  ): void {
    const c = this.counts;
    c.read++;
    if (auditId === null || stageRank === null) {
      this.insertEvent.run(ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, this.sourceId, line, offset, auditId, stageRank, null, 1);
      c.events++;
    } else {
      const bit = 1 << stageRank;
      const held = this.window.get(auditId);
      if (held) {
        const mask = held[P_MASK]!;
        if ((mask & bit) !== 0) {
          this.quarantineRecord({
            line,
            offset,
            reason: `duplicate record: auditID ${auditId} stage ${stageName(stageRank)} already read at line ${held[P_LINE]}`,
            head: headOfText(raw),
          });
          return;
        }
        if (stageRank > held[P_RANK]!) {
          // The more complete stage's content; provenance stays with the first record seen.
          held[0] = ts; held[1] = source; held[2] = actor; held[3] = action; held[4] = resource; held[5] = namespace;
          held[6] = job; held[7] = node; held[8] = gpu; held[9] = outcome; held[10] = attrs; held[P_RAW] = raw;
          held[P_RANK] = stageRank;
        }
        held[P_MASK] = mask | bit;
        held[P_STAGES]++;
      } else {
        const row: EventParams = [ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, this.sourceId, line, offset, auditId, stageRank, bit, 1];
        // A full window writes its oldest row first (a ring, not Map iteration: deleting a Map's
        // first keys leaves holes that every later "first key" lookup walks over).
        const oldest = this.ring[this.ringHead];
        this.ring[this.ringHead] = row;
        this.ringHead = (this.ringHead + 1) % STAGE_WINDOW;
        this.window.set(auditId, row);
        if (oldest !== undefined) {
          this.window.delete(oldest[P_AUDIT]!);
          this.writeHeld(oldest);
        }
      }
    }
    c.stored++;
    this.noteTs(ts);
    this.tick();
  }

  /** Inserts a held row, or merges it into the row an earlier source or window already stored. */
  private writeHeld(p: EventParams): void {
    const r = this.insertEvent.run(p);
    if (r.changes === 1) {
      this.counts.events++;
      return;
    }
    const auditId = p[P_AUDIT]!;
    const rank = p[P_RANK]!;
    const held = p[P_MASK]!;
    const prev = this.findAudit.get(auditId) as { id: number; stage_rank: number | null; stage_mask: number | null };
    const mask = prev.stage_mask ?? 0;
    if ((mask & held) !== 0) {
      // Counted as stored when read; it turns out to repeat a stage already in the case.
      this.counts.stored--;
      this.quarantineRecord({
        line: p[P_LINE],
        offset: p[P_OFFSET],
        reason: `duplicate record: auditID ${auditId} stage ${stageName(rank)} already stored as event #${prev.id}`,
        head: headOfText(p[P_RAW]),
      });
      // Stages it carried that the case lacks are still merged.
      const extra = held & ~mask;
      if (extra !== 0) this.addStage.run(extra, 0, prev.id);
      return;
    }
    if (rank > (prev.stage_rank ?? -1)) {
      this.upgradeStage.run(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[P_RAW], rank, held, p[P_STAGES], prev.id);
    } else this.addStage.run(held, p[P_STAGES], prev.id);
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
    if (++this.pending >= BATCH) {
      this.store.db.exec('COMMIT');
      this.store.db.exec('BEGIN');
      this.pending = 0;
    }
  }

  finish(): SourceCounts {
    for (let k = 0; k < STAGE_WINDOW; k++) {
      const at = (this.ringHead + k) % STAGE_WINDOW;
      const row = this.ring[at];
      if (row === undefined) continue;
      this.ring[at] = undefined;
      this.writeHeld(row);
    }
    this.window.clear();
    if (this.store.db.inTransaction) this.store.db.exec('COMMIT');
    return this.counts;
  }
}

/** The first 200 UTF-16 units of a raw record, for a quarantine row. */
function headOfText(raw: ColumnText | null): string {
  if (raw === null) return '';
  return (typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')).slice(0, 200);
}

function stageName(rank: number): string {
  return STAGE_NAMES[rank] ?? String(rank);
}
