/**
 * Full-text search over raw event records: an FTS5 trigram index (migration 2) rebuilt in one pass
 * after an ingest, and a LIKE fallback for short terms or a stale index. Trigram matching is
 * substring matching, case-insensitive, like the LIKE fallback, so both give the same rows.
 */
import type { CaseStore } from '../store/case-store.js';

const META_KEY = 'fts_signature';

/** Changes whenever events are added or a stage upgrade rewrites a raw record. */
function eventsSignature(store: CaseStore): string {
  const r = store.db.prepare('SELECT COUNT(*) AS n, MAX(id) AS maxId, TOTAL(stages) AS stages FROM events').get() as {
    n: number;
    maxId: number | null;
    stages: number;
  };
  return `${r.n}:${r.maxId ?? 0}:${r.stages}`;
}

/** Rebuilds the index from events.raw (external-content FTS5 'rebuild'). */
export function rebuildSearchIndex(store: CaseStore): void {
  store.db.exec("INSERT INTO events_fts(events_fts) VALUES('rebuild')");
  store.setMeta(META_KEY, eventsSignature(store));
}

/** True when the index covers every event as it is now. */
export function searchIndexIsFresh(store: CaseStore): boolean {
  return store.getMeta(META_KEY) === eventsSignature(store);
}

/** Adds one new event to a fresh index and keeps it fresh (events posted to the monitoring API). */
export function indexNewEvent(store: CaseStore, id: number, raw: string): void {
  store.db.prepare('INSERT INTO events_fts(rowid, raw) VALUES (?, ?)').run(id, raw);
  store.setMeta(META_KEY, eventsSignature(store));
}

/** An FTS5 query matching `term` as one literal phrase (double quotes doubled per the FTS5 grammar). */
export function ftsPhrase(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/** A LIKE pattern matching `term` anywhere, with %, _ and \ taken literally (ESCAPE '\'). */
export function likeContains(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Trigram needs at least three characters to match anything. */
export const MIN_FTS_TERM = 3;
