/**
 * The case file: one SQLite database per incident (DESIGN.md "Data model"). This is the SQLite
 * adapter; readers never see it — they talk to the RecordSink that `openRecordWriter` returns.
 */
import Database from 'better-sqlite3';
import { closeSync, fdatasync, openSync } from 'node:fs';
import type { GpuSample } from '../core/records.js';
import type { SourceKind } from '../core/kinds.js';
import { LOAD_INDEXES_SQL, MIGRATIONS, QUERY_INDEXES_SQL } from './migrations.js';
import { claimGpuWindowParts, GpuWindowFolder, partsTable } from './gpu-window-parts.js';
import { SqliteRecordWriter, type RecordWriter, type SourceCounts } from './record-writer.js';
import { LabelsJsonMemo } from './record-columns.js';
import { deleteMeta, readMeta, writeMeta } from './case-meta.js';
import { AuditIdTable } from './audit-id-table.js';
import { boundWarnings, hasWarningsColumn, parseWarnings } from './source-warnings.js';

export type { RecordWriter, SourceCounts } from './record-writer.js';
export { STAGE_NAMES } from './stage-window.js';

export type Db = Database.Database;

export interface SourceInput {
  path: string;
  kind: SourceKind;
  bytes: number;
  sha256: string | null;
  gzipped: boolean;
}

/** Page size of new case files (bytes). */
const PAGE_SIZE = 16384;
/** Rows ANALYZE samples per index after an ingest: planner statistics without a full scan. */
const ANALYSIS_LIMIT = 2000;
/** Series cache entries before the map is cleared (an attacker can mint millions of label sets). */
const MAX_SERIES_CACHE = 200_000;
/**
 * Page cache while loading (KiB), with the auditID index kept row by row (a case that already
 * holds sources). Measured at 1M events: 96 MiB and 64 MiB load at the same speed (the index's
 * random inserts miss the CPU caches either way), 64 MiB peaks ~40 MB lower.
 */
const BULK_CACHE_KIB = 65536;
/**
 * Page cache while a new case file loads without the auditID index (KiB): the table and the
 * indexes kept take their keys in order, so only the pages being filled are hot (measured at 1M
 * events: 8, 16 and 64 MiB load at the same speed).
 */
const APPEND_CACHE_KIB = 16384;
/**
 * Page cache while the indexes are built after a load (KiB); SQLite's sorter also takes it as the
 * size of the runs it sorts in memory before merging them. Measured at 1M events: runs of 2 to
 * 8 MiB, which fit the CPU's caches better, build the (job, ts, actor) and auditID indexes in
 * ~0.9 s and ~0.7 s, against ~1.5 s and ~1.2 s with 64 MiB runs.
 */
const INDEX_BUILD_CACHE_KIB = 4096;
/** Helper threads SQLite's sorter may use while the indexes are built (PRAGMA threads). */
const INDEX_BUILD_THREADS = 2;
/** `meta` key present while a new case file is bulk-loaded without WAL (see `beginBulkLoad`). */
const BULK_LOAD_META = 'bulk_load_unfinished';

export class CaseStore {
  readonly db: Db;
  private readonly seriesCache = new Map<string, number>();
  /** Readers share one labels object per series, so its serialisation is computed once. */
  private readonly labelsJson = new LabelsJsonMemo();
  private memoryJournal = false;
  /** A descriptor of the file, for an early flush of a bulk load (see finalizeIngest); closed with the store. */
  private flushFd: number | null = null;
  /**
   * While a new case file loads without its unique auditID index (see `beginBulkLoad`): the
   * auditIDs stored so far, which writers check instead (audit-id-table.ts). null otherwise.
   */
  auditIds: AuditIdTable | null = null;
  /**
   * Folds the GPU samples writers store into window summaries (gpu-window-parts.ts); null when
   * the case's parts are not current (opened read-only, or made before them: the analysis then
   * summarises the samples again).
   */
  gpuWindows: GpuWindowFolder | null = null;
  /** The id the next event row gets while `auditIds` is in use (writers then name their rows' ids). */
  nextEventId = 1;
  /** The dropped index's own CREATE statement, run again at the end of the load. */
  private auditIndexSql: string | null = null;

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
    if (!opts.readonly) {
      store.migrate();
      if (claimGpuWindowParts(db)) store.gpuWindows = new GpuWindowFolder(partsTable(db));
    }
    else if (store.schemaVersion() === 0) throw new Error(`${path} is not an MLShield case file`);
    if (store.getMeta(BULK_LOAD_META) !== null) {
      db.close();
      throw new Error(`${path} is an unfinished case file (its first ingest is still running, or stopped before the end); delete it and ingest the bundle again`);
    }
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
    writeMeta(this.db, key, value);
  }

  getMeta(key: string): string | null {
    return readMeta(this.db, key);
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

  /**
   * Adds oddities found about a source (CRC mismatch, an entry hidden from a zip's central
   * directory…) to its `warnings` (schema v4), kept within SOURCE_WARNING_LIMITS; returns the
   * source's warnings as stored.
   */
  addSourceWarnings(id: number, warnings: readonly string[]): string[] {
    const row = this.db.prepare('SELECT warnings FROM sources WHERE id = ?').get(id) as { warnings: string | null } | undefined;
    const kept = boundWarnings([...parseWarnings(row?.warnings ?? null), ...warnings]);
    this.db.prepare('UPDATE sources SET warnings = ? WHERE id = ?').run(kept.length > 0 ? JSON.stringify(kept) : null, id);
    return kept;
  }

  /** A source's warnings ([] when none, or in a case file made before schema v4 and opened read-only). */
  sourceWarnings(id: number): string[] {
    if (!hasWarningsColumn(this.db)) return [];
    const row = this.db.prepare('SELECT warnings FROM sources WHERE id = ?').get(id) as { warnings: string | null } | undefined;
    return parseWarnings(row?.warnings ?? null);
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
   * the bundle, which is the evidence; the case file is derived from it) and BULK_CACHE_KIB of
   * page cache. `finalizeIngest` (or `endBulkLoad`) restores durable settings.
   *
   * A case file that holds no source yet (this ingest creates it) is loaded with its rollback
   * journal in memory instead of WAL, in one transaction: each page is written once, to the file,
   * not to the WAL and again by the checkpoint, and no commit stops the inserting thread to flush
   * the cache (SQLite spills pages as the cache fills; pages new to the file need no journal, so
   * the journal stays small). Measured: about a quarter of the inserting thread's time. A crash
   * while loading can leave such a file torn; it is marked until the load ends, so opening it
   * later says so, and the case is rebuilt from the bundle (the evidence). A case that already
   * holds sources, or a file another connection has open (switching out of WAL then fails),
   * keeps WAL and commits every BATCH rows (record-writer.ts).
   */
  beginBulkLoad(): void {
    const db = this.db;
    db.pragma('synchronous = OFF');
    db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
    // Every row's source_id is the id addSource just returned: checking it against `sources`
    // on each insert is a B-tree seek per row for nothing.
    db.pragma('foreign_keys = OFF');
    if (db.prepare('SELECT 1 FROM sources LIMIT 1').get() !== undefined) return;
    this.setMeta(BULK_LOAD_META, new Date().toISOString());
    let mode: unknown = null;
    try {
      mode = db.pragma('journal_mode = MEMORY', { simple: true });
    } catch {
      // SQLITE_BUSY: another connection has the file open; stay in WAL.
    }
    if (mode !== 'memory') this.clearBulkLoadMark();
    else {
      this.memoryJournal = true;
      // Indexes whose keys arrive in order cost less kept row by row than built after (measured:
      // ~0.3 s less per 1M events, and not in the serial tail of the ingest).
      db.exec(LOAD_INDEXES_SQL);
      this.dropAuditIndex();
    }
  }

  /**
   * The unique auditID index takes its keys in random order: kept row by row it cost the
   * inserting thread ~3 s per 1M events, built after the load ~0.7 s. So a new case file loads
   * without it, its writers checking auditIDs in `auditIds` instead, and `finalizeIngest` builds
   * it again (with its own CREATE statement, so the schema stays as the migration made it). A crash
   * meanwhile leaves the file marked unfinished (BULK_LOAD_META), which refuses to open.
   */
  private dropAuditIndex(): void {
    const db = this.db;
    // Only over an empty events table: the table then knows every auditID in the case.
    if (db.prepare('SELECT 1 FROM events LIMIT 1').get() !== undefined) return;
    const row = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'events_audit_id'").get() as { sql: string | null } | undefined;
    if (!row?.sql) return;
    db.exec('DROP INDEX events_audit_id');
    this.auditIndexSql = row.sql;
    this.auditIds = new AuditIdTable();
    // What SQLite gives the first row of an empty table (max(id) + 1).
    this.nextEventId = 1;
    db.pragma(`cache_size = -${APPEND_CACHE_KIB}`);
  }

  /**
   * Builds the auditID index `dropAuditIndex` dropped, if it is not there (the end of a bulk load,
   * or an auditID table that gave up: the writers then use the index). Fails only if two rows
   * share an auditID, which the table exists to prevent.
   */
  restoreAuditIndex(): void {
    const db = this.db;
    const midLoad = this.auditIds !== null && db.inTransaction;
    this.auditIds = null;
    const sql = this.auditIndexSql;
    if (sql === null) return;
    if (db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'events_audit_id'").get() !== undefined) return;
    if (!midLoad) {
      db.exec(sql);
      return;
    }
    // The load goes on with the index taking random inserts: the page cache it was measured with.
    // Its sort spills to files, as after a load (finalizeIngest), not to memory.
    db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
    db.pragma('temp_store = FILE');
    try {
      db.exec(sql);
    } finally {
      db.pragma('temp_store = MEMORY');
    }
  }

  /** True while a bulk load of a new case runs in one transaction (writers then do not commit). */
  get loadTransaction(): boolean {
    return this.memoryJournal;
  }

  /**
   * Builds the auditID index a bulk load went without, and the query indexes (after a bulk load:
   * measured cheaper than keeping them row by row), refreshes planner statistics (sampled),
   * restores durability.
   */
  finalizeIngest(): void {
    this.gpuWindows?.flush(); // (writers flush at the end of each source: nothing is left, normally)
    if (this.db.inTransaction) this.db.exec('COMMIT'); // the bulk load's one transaction
    if (this.memoryJournal) this.startFlush();
    // The bulk cache goes first, and the index builds' sorters spill their runs past cache_size
    // to temporary files, not memory: a sort's memory would grow with the input (measured at 1M
    // events: the (job, ts, actor) build 1.6 s and +65 MB peak with files, 2.0 s and +100 MB in
    // memory). Their runs are sorted by helper threads meanwhile: the parse worker is done, so
    // the second core is free (measured: ~0.3 s off the two index builds).
    this.db.pragma(`cache_size = -${INDEX_BUILD_CACHE_KIB}`);
    this.db.pragma('temp_store = FILE');
    this.db.pragma(`threads = ${INDEX_BUILD_THREADS}`);
    this.restoreAuditIndex();
    this.auditIndexSql = null;
    this.db.exec(QUERY_INDEXES_SQL);
    this.db.pragma('threads = 0');
    this.db.pragma('cache_size = -65536');
    this.db.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
    this.db.exec('ANALYZE');
    this.db.pragma('analysis_limit = 0');
    this.db.pragma('temp_store = MEMORY');
    this.endBulkLoad();
  }

  /**
   * Leaves bulk-load settings without building indexes (an ingest that failed): back to WAL and
   * durable commits. A transaction a failed writer left open is rolled back, as closing would.
   */
  endBulkLoad(): void {
    const db = this.db;
    if (db.inTransaction) {
      db.exec('ROLLBACK');
      // Series created in the load are gone with it: their cached ids would be given to new ones.
      this.seriesCache.clear();
      this.gpuWindows?.clear(); // what it held was folded from rolled-back samples
    }
    // (rolled back with the load if the table had given up and built it meanwhile)
    this.restoreAuditIndex();
    this.auditIndexSql = null;
    db.pragma('cache_size = -65536');
    // Durable from here: what was loaded reaches the disk before the mark of an unfinished load
    // is cleared (leaving the memory journal for WAL syncs the file).
    db.pragma('synchronous = NORMAL');
    if (this.memoryJournal) {
      db.pragma('journal_mode = WAL');
      this.clearBulkLoadMark();
      this.memoryJournal = false;
    }
    db.pragma('foreign_keys = ON');
    db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * Starts writing the loaded pages to disk in the background (a libuv thread) while the index
   * builds run, so leaving the memory journal (which syncs the file) finds little left to write:
   * measured ~0.5 s off the end of a 1M-event ingest. The descriptor stays open until the store
   * closes: closing any descriptor of a file drops the process's POSIX locks on it, SQLite's too.
   */
  private startFlush(): void {
    try {
      this.flushFd ??= openSync(this.db.name, 'r');
      fdatasync(this.flushFd, () => undefined);
    } catch {
      // Only an early start of what the journal switch does anyway.
    }
  }

  private clearBulkLoadMark(): void {
    deleteMeta(this.db, BULK_LOAD_META);
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
    return this.labelsJson.of(labels);
  }

  close(): void {
    this.db.close();
    if (this.flushFd !== null) closeSync(this.flushFd);
    this.flushFd = null;
  }
}
