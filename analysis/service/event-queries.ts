/** Read-side queries behind the Events view: pages with totals, detail with provenance, distinct values. */
import type { Db } from '../store/case-store.js';
import type { EventDetail, EventPage, EventPosition, EventRow, DetectionRow, JudgementRow } from '../../contract/types.js';
import type { ParsedArgs } from '../../contract/calls.js';
import { ftsPhrase, likeContains, MIN_FTS_TERM } from './search-index.js';
import { getAnnotation } from './annotations.js';

type EventQueryArgs = ParsedArgs<'events.query'>;
/** eventWhere reads only the filtering fields, which events.position shares with events.query. */
type EventFilterArgs = Omit<EventQueryArgs, 'offset' | 'limit'>;

/** Highest-severity detection of an event, by the shared severity order. */
const SEVERITY_SQL = `(SELECT d.severity FROM detections d WHERE d.event_id = e.id
  ORDER BY CASE d.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END DESC
  LIMIT 1)`;

const ROW_SQL = `SELECT e.id, e.ts, e.source, e.actor, e.action, e.resource, e.namespace, e.job, e.node, e.outcome,
  COALESCE(a.starred, 0) AS starred, ${SEVERITY_SQL} AS severity
  FROM events e LEFT JOIN annotations a ON a.target_kind = 'event' AND a.target_id = e.id`;

interface RawRow extends Omit<EventRow, 'starred'> {
  starred: number;
}

function toRow(r: RawRow): EventRow {
  return { ...r, starred: r.starred === 1 };
}

/** WHERE clause and parameters for a query; `ftsFresh` says whether the trigram index may be used. */
export function eventWhere(q: EventFilterArgs, ftsFresh: boolean): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(q.filters)) {
    if (value === undefined || value === '') continue;
    // field is one of EVENT_FILTER_FIELDS (validated by the contract's zod enum), never user text.
    parts.push(`e.${field} = ?`);
    params.push(value);
  }
  if (q.from !== undefined) {
    parts.push('e.ts >= ?');
    params.push(q.from);
  }
  if (q.to !== undefined) {
    parts.push('e.ts <= ?');
    params.push(q.to);
  }
  if (q.starredOnly) parts.push(`EXISTS (SELECT 1 FROM annotations s WHERE s.target_kind = 'event' AND s.target_id = e.id AND s.starred = 1)`);
  const term = q.search.trim();
  if (term !== '') {
    if (ftsFresh && term.length >= MIN_FTS_TERM) {
      parts.push('e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)');
      params.push(ftsPhrase(term));
    } else {
      parts.push(`(e.raw LIKE ? ESCAPE '\\' OR e.action LIKE ? ESCAPE '\\' OR e.resource LIKE ? ESCAPE '\\')`);
      const p = likeContains(term);
      params.push(p, p, p);
    }
  }
  return { sql: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function queryEvents(db: Db, q: EventQueryArgs, ftsFresh: boolean): EventPage {
  const where = eventWhere(q, ftsFresh);
  const dir = q.desc ? 'DESC' : 'ASC';
  // q.sort is one of EVENT_SORT_COLUMNS (zod enum); id breaks ties so paging is stable.
  const rows = db
    .prepare(`${ROW_SQL} ${where.sql} ORDER BY e.${q.sort} ${dir}, e.id ${dir} LIMIT ? OFFSET ?`)
    .all(...where.params, q.limit, q.offset) as RawRow[];
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM events e ${where.sql}`).get(...where.params) as { n: number }).n;
  return { rows: rows.map(toRow), total, offset: q.offset };
}

/**
 * The row index of event `q.id` in queryEvents' order under the same WHERE: the number of matching
 * rows that ORDER BY <sort> <dir>, id <dir> puts before it. The comparisons follow SQLite's ORDER BY
 * (datatypes.html §4.1): NULL sorts below every value, so first ascending and last descending; the
 * key is read by a scalar subquery, so it compares with the column's own affinity and collation.
 * One COUNT, no sort: an index on the sort column serves it, and without one it is a scan, never
 * the O(n log n) of ranking every row.
 */
export function eventPosition(db: Db, q: ParsedArgs<'events.position'>, ftsFresh: boolean): EventPosition {
  const where = eventWhere(q, ftsFresh);
  const and = where.sql === '' ? 'WHERE' : `${where.sql} AND`;
  // q.sort is one of EVENT_SORT_COLUMNS (zod enum), never user text.
  const col = `e.${q.sort}`;
  const target = db.prepare(`SELECT ${col} IS NULL AS keyIsNull FROM events e ${and} e.id = ?`).get(...where.params, q.id) as
    | { keyIsNull: number }
    | undefined;
  if (!target) return { index: null };
  const key = `(SELECT t.${q.sort} FROM events t WHERE t.id = ?)`;
  let before: string;
  let params: unknown[];
  if (target.keyIsNull === 1) {
    // Among the NULLs, id decides; ascending they all come first, descending every value precedes them.
    before = q.desc ? `(${col} IS NOT NULL OR e.id > ?)` : `(${col} IS NULL AND e.id < ?)`;
    params = [q.id];
  } else if (q.desc) {
    before = `(${col} > ${key} OR (${col} = ${key} AND e.id > ?))`;
    params = [q.id, q.id, q.id];
  } else {
    before = `(${col} IS NULL OR ${col} < ${key} OR (${col} = ${key} AND e.id < ?))`;
    params = [q.id, q.id, q.id];
  }
  const n = (db.prepare(`SELECT COUNT(*) AS n FROM events e ${and} ${before}`).get(...where.params, ...params) as { n: number }).n;
  return { index: n };
}

export function distinctValues(db: Db, field: ParsedArgs<'events.distinct'>['field'], limit: number): string[] {
  const rows = db
    .prepare(`SELECT ${field} AS v, COUNT(*) AS n FROM events WHERE ${field} IS NOT NULL GROUP BY ${field} ORDER BY n DESC LIMIT ?`)
    .all(limit) as { v: string }[];
  return rows.map((r) => String(r.v));
}

export class NotFoundError extends Error {}

export function eventDetail(db: Db, id: number): EventDetail {
  const r = db
    .prepare(
      `SELECT e.id, e.ts, e.source, e.actor, e.action, e.resource, e.namespace, e.job, e.node, e.gpu, e.outcome,
         e.attrs, e.raw, e.audit_id AS auditId, e.stages, e.line, e.offset, e.source_id AS sourceId,
         s.path AS sourcePath, s.kind AS sourceKind, ${SEVERITY_SQL} AS severity
       FROM events e JOIN sources s ON s.id = e.source_id WHERE e.id = ?`,
    )
    .get(id) as
    | (Omit<RawRow, 'starred'> & {
        gpu: string | null;
        attrs: string;
        raw: string | null;
        auditId: string | null;
        stages: number;
        line: number;
        offset: number;
        sourceId: number;
        sourcePath: string;
        sourceKind: string;
      })
    | undefined;
  if (!r) throw new NotFoundError(`There is no event #${id} in this case.`);
  const annotation = getAnnotation(db, 'event', id);
  let attrs: Record<string, unknown> = {};
  try {
    attrs = JSON.parse(r.attrs) as Record<string, unknown>;
  } catch {
    attrs = { unparsed: r.attrs };
  }
  const detections = db
    .prepare(
      `SELECT id, event_id AS eventId, ts, layer, rule_id AS ruleId, model, score, decision, phase, severity, family, reasoning
       FROM detections WHERE event_id = ? ORDER BY layer, id`,
    )
    .all(id) as DetectionRow[];
  const judgements = db
    .prepare(
      `SELECT id, verdict, confidence, family, phase, reasoning, prompt, model, input_tokens AS inputTokens,
         output_tokens AS outputTokens, status, created_at AS createdAt
       FROM judgements WHERE event_id = ? ORDER BY id`,
    )
    .all(id) as JudgementRow[];
  return {
    event: {
      id: r.id, ts: r.ts, source: r.source, actor: r.actor, action: r.action, resource: r.resource, namespace: r.namespace,
      job: r.job, node: r.node, gpu: r.gpu, outcome: r.outcome, starred: annotation.starred, severity: r.severity,
      attrs, auditId: r.auditId, stages: r.stages,
    },
    raw: r.raw,
    source: { id: r.sourceId, path: r.sourcePath, kind: r.sourceKind, line: r.line, offset: r.offset },
    detections,
    judgements,
    annotation,
  };
}
