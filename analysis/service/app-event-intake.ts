/**
 * Events posted to the monitoring API (`POST /api/v1/events`, the MLShield seed's shape:
 * `{"action", "resource", "job_id", "user", "ts"}`) stored as `app` events in the open case, under
 * one source row per case so `read = stored + quarantined` keeps holding.
 */
import { z } from 'zod';
import type { CaseStore } from '../store/case-store.js';
import { parseTimestampMicros } from '../core/records.js';
import { indexNewEvent, searchIndexIsFresh } from './search-index.js';

export const API_SOURCE_PATH = 'api:/api/v1/events';
/** A posted event larger than this is refused (hostile clients). */
export const MAX_APP_EVENT_BYTES = 64 * 1024;

const text = z.string().max(1024);
export const seedEventSchema = z
  .object({
    action: z.string().min(1).max(128),
    resource: text.optional(),
    job_id: text.optional(),
    user: text.optional(),
    namespace: text.optional(),
    node: text.optional(),
    gpu: z.union([text, z.number()]).optional(),
    outcome: text.optional(),
    ts: z.union([text, z.number()]).optional(),
    timestamp: z.union([text, z.number()]).optional(),
  })
  .passthrough();
export type SeedEvent = z.infer<typeof seedEventSchema>;

const KNOWN = new Set(['action', 'resource', 'job_id', 'user', 'namespace', 'node', 'gpu', 'outcome', 'ts', 'timestamp']);

/** Seconds (float) or milliseconds since the epoch, or RFC 3339 text → µs; else `now`. */
function eventTime(v: string | number | undefined, now: number): number {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.round(v < 1e11 ? v * 1e6 : v < 1e14 ? v * 1e3 : v);
  if (typeof v === 'string') return parseTimestampMicros(v) ?? now;
  return now;
}

function apiSourceId(store: CaseStore): number {
  const row = store.db.prepare('SELECT id FROM sources WHERE path = ? AND sha256 IS NULL').get(API_SOURCE_PATH) as { id: number } | undefined;
  return row?.id ?? store.addSource({ path: API_SOURCE_PATH, kind: 'app_events', bytes: 0, sha256: null, gzipped: false });
}

/** Stores one posted event and returns its id. */
export function storeSeedEvent(store: CaseStore, e: SeedEvent, nowUs = Date.now() * 1000): { id: number; ts: number } {
  const raw = JSON.stringify(e);
  const ts = eventTime(e.ts ?? e.timestamp, nowUs);
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) if (!KNOWN.has(k)) attrs[k] = v;
  const db = store.db;
  const fresh = searchIndexIsFresh(store);
  return db.transaction(() => {
    const sourceId = apiSourceId(store);
    const line = (db.prepare('SELECT records_read AS n FROM sources WHERE id = ?').get(sourceId) as { n: number }).n + 1;
    const r = db
      .prepare(
        `INSERT INTO events(ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, source_id, line, offset)
         VALUES (?, 'app', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      )
      .run(ts, e.user ?? null, e.action.toLowerCase(), e.resource ?? null, e.namespace ?? null, e.job_id ?? null, e.node ?? null,
        e.gpu === undefined ? null : String(e.gpu), e.outcome ?? null, JSON.stringify(attrs), raw, sourceId, line);
    db.prepare(
      `UPDATE sources SET records_read = records_read + 1, records_stored = records_stored + 1, bytes = bytes + ?,
         first_ts = MIN(COALESCE(first_ts, ?), ?), last_ts = MAX(COALESCE(last_ts, ?), ?) WHERE id = ?`,
    ).run(Buffer.byteLength(raw), ts, ts, ts, ts, sourceId);
    const id = Number(r.lastInsertRowid);
    if (fresh) indexNewEvent(store, id, raw);
    return { id, ts };
  })();
}
