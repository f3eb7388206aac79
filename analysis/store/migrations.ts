/**
 * Case-file schema, versioned through SQLite's `PRAGMA user_version`. A migration is appended,
 * never edited, once it has shipped: case files travel with incidents and must open years later.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sources, events, GPU series and samples, quarantine, detections, judgements, triage, annotations',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Every input file. records_read = records_stored + records_quarantined, always (checked in tests).
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  kind TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT,
  gzipped INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('ok','error','refused')),
  note TEXT,
  records_read INTEGER NOT NULL DEFAULT 0,
  records_stored INTEGER NOT NULL DEFAULT 0,
  records_quarantined INTEGER NOT NULL DEFAULT 0,
  first_ts INTEGER,
  last_ts INTEGER,
  ingested_at TEXT NOT NULL
);
CREATE UNIQUE INDEX sources_sha256 ON sources(sha256) WHERE sha256 IS NOT NULL AND status = 'ok';

-- The unified event. ts in UTC microseconds. raw = the input record as written (audit line, app line).
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  source TEXT NOT NULL,
  actor TEXT,
  action TEXT NOT NULL,
  resource TEXT,
  namespace TEXT,
  job TEXT,
  node TEXT,
  gpu TEXT,
  outcome TEXT,
  attrs TEXT NOT NULL,
  raw TEXT,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  audit_id TEXT,
  stage_rank INTEGER,
  stage_mask INTEGER,
  stages INTEGER NOT NULL DEFAULT 1
);
-- Stages of one auditID collapse into one row (the store keeps the most complete stage).
CREATE UNIQUE INDEX events_audit_id ON events(audit_id) WHERE audit_id IS NOT NULL;

-- DCGM telemetry: one row per series (labels stored once), samples reference it.
CREATE TABLE gpu_series (
  id INTEGER PRIMARY KEY,
  node TEXT,
  gpu TEXT,
  job TEXT,
  field TEXT NOT NULL,
  labels TEXT NOT NULL,
  series_key TEXT NOT NULL UNIQUE
);
CREATE TABLE gpu_samples (
  series_id INTEGER NOT NULL REFERENCES gpu_series(id),
  ts INTEGER NOT NULL,
  value REAL,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL
);
CREATE VIEW gpu_samples_view AS
  SELECT s.ts, g.node, g.gpu, g.job, g.field, s.value, s.source_id, s.line
  FROM gpu_samples s JOIN gpu_series g ON g.id = s.series_id;

CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  reason TEXT NOT NULL,
  head TEXT NOT NULL
);
CREATE INDEX quarantine_source ON quarantine(source_id);

CREATE TABLE detections (
  id INTEGER PRIMARY KEY,
  event_id INTEGER REFERENCES events(id),
  job TEXT,
  ts INTEGER NOT NULL,
  layer INTEGER NOT NULL CHECK (layer IN (1,2,3)),
  rule_id TEXT,
  model TEXT,
  score REAL,
  decision TEXT NOT NULL,
  phase TEXT,
  severity TEXT NOT NULL,
  family TEXT,
  reasoning TEXT,
  attrs TEXT NOT NULL DEFAULT '{}',
  run_id INTEGER NOT NULL
);
CREATE INDEX detections_event ON detections(event_id);
CREATE INDEX detections_job_ts ON detections(job, ts);

CREATE TABLE judgements (
  id INTEGER PRIMARY KEY,
  event_id INTEGER REFERENCES events(id),
  prompt_hash TEXT NOT NULL,
  prompt TEXT NOT NULL,
  model TEXT NOT NULL,
  verdict TEXT,
  confidence REAL,
  family TEXT,
  phase TEXT,
  reasoning TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX judgements_prompt_hash ON judgements(prompt_hash);

CREATE TABLE analysis_runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  tool_version TEXT NOT NULL,
  device TEXT,
  summary TEXT
);

CREATE TABLE checkpoints (
  id INTEGER PRIMARY KEY,
  source_id INTEGER REFERENCES sources(id),
  path TEXT NOT NULL,
  format TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  verdict TEXT NOT NULL,
  report TEXT NOT NULL,
  triaged_at TEXT NOT NULL
);
CREATE TABLE tensors (
  checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),
  name TEXT NOT NULL,
  dtype TEXT NOT NULL,
  shape TEXT NOT NULL,
  stats TEXT NOT NULL,
  histogram TEXT,
  sha256 TEXT
);
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  checkpoint_id INTEGER NOT NULL REFERENCES checkpoints(id),
  finding_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  message TEXT NOT NULL,
  location TEXT
);

CREATE TABLE annotations (
  id INTEGER PRIMARY KEY,
  target_kind TEXT NOT NULL CHECK (target_kind IN ('event','checkpoint','detection')),
  target_id INTEGER NOT NULL,
  starred INTEGER NOT NULL DEFAULT 0,
  tags TEXT NOT NULL DEFAULT '[]',
  comment TEXT NOT NULL DEFAULT '',
  author TEXT,
  updated_at TEXT NOT NULL,
  UNIQUE (target_kind, target_id)
);
`,
  },
  {
    version: 2,
    description: 'full-text search index over raw event records (FTS5 trigram: substring search)',
    // External-content table: the text stays in events.raw; the index is (re)built after each
    // ingest by the workbench service ('rebuild'), not row by row, so bulk loads stay fast.
    sql: `
CREATE VIRTUAL TABLE events_fts USING fts5(raw, content='events', content_rowid='id', tokenize='trigram');
`,
  },
  {
    version: 3,
    description: 'GPU window summaries folded at ingest (store/gpu-window-parts.ts)',
    // One row per chunk: some windows of one (job, node, gpu), as the field names they use (JSON)
    // and Float64 numbers (store/gpu-window-parts.ts GpuWindowChunk). Whether the chunks cover
    // every sample is the meta row `gpu_window_parts`: a case migrated with samples has none, and
    // is summarised again from its samples on its first analysis.
    sql: `
CREATE TABLE gpu_window_parts (
  job TEXT,
  node TEXT,
  gpu TEXT,
  names TEXT NOT NULL,
  data BLOB NOT NULL
);
`,
  },
  {
    version: 4,
    description: 'warnings per source (archive oddities: CRC mismatch, hidden or duplicate entries…)',
    // A JSON array of strings, NULL when none; bounded by the store (case-store.ts boundWarnings).
    sql: `
ALTER TABLE sources ADD COLUMN warnings TEXT;
`,
  },
];

/**
 * The query indexes whose keys arrive nearly in order during a load (time, provenance): a new
 * case file keeps them row by row from the start (CaseStore.beginBulkLoad); QUERY_INDEXES_SQL
 * then finds them built.
 */
export const LOAD_INDEXES_SQL = `
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE INDEX IF NOT EXISTS events_source ON events(source_id, line);
`;

/** Indexes built after a bulk load (cheaper than maintaining them row by row during ingest). */
export const QUERY_INDEXES_SQL = `
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
-- (job, ts, actor) covers the per-trajectory summary (counts, first/last, distinct actors) without
-- reading ~1.7 KB rows: 3.8 s → ~20 ms on a 1M-event case (measured by the UI bench).
DROP INDEX IF EXISTS events_job_ts;
CREATE INDEX IF NOT EXISTS events_job_ts_actor ON events(job, ts, actor);
CREATE INDEX IF NOT EXISTS events_source ON events(source_id, line);
CREATE INDEX IF NOT EXISTS gpu_samples_series_ts ON gpu_samples(series_id, ts);
`;
