/**
 * Reads a case's events back as EventRecords, in time order, for the cascade. For audit events the
 * original audit.k8s.io object is restored under `attrs.audit` (from the stored raw record), which
 * is where Sigma rules and the model features look for it.
 */
import type { Db } from '../store/case-store.js';
import type { EventRecord } from '../core/records.js';

export interface CaseEvent extends EventRecord {
  id: number;
  sourceId: number;
  /** The input record as written (for the judge and the analyst). */
  raw: string | null;
}

/** An `events` row as the cascade selects it. */
export interface EventRow {
  id: number;
  ts: number;
  source: EventRecord['source'];
  actor: string | null;
  action: string;
  resource: string | null;
  namespace: string | null;
  job: string | null;
  node: string | null;
  gpu: string | null;
  outcome: string | null;
  attrs: string;
  raw: string | null;
  source_id: number;
  line: number;
  offset: number;
  audit_id: string | null;
  stage_rank: number | null;
}

export interface CaseEventOptions {
  /**
   * Restore `attrs.audit` from the raw record (default true). Rules need it; the sequence model's
   * features read only the normalised attrs, and parsing each ~1 KB audit event again is most of
   * the cost of a pass over the case.
   */
  audit?: boolean;
}

/** All events of the case ordered by (ts, id): the order Layer 1's stateful rules need. */
export function* caseEvents(db: Db, opts: CaseEventOptions = {}): Generator<CaseEvent> {
  const audit = opts.audit ?? true;
  const stmt = db.prepare(
    `SELECT id, ts, source, actor, action, resource, namespace, job, node, gpu, outcome, attrs, raw, source_id, line, offset,
            audit_id, stage_rank FROM events ORDER BY ts, id`,
  );
  for (const row of stmt.iterate() as IterableIterator<EventRow>) yield toCaseEvent(row, audit);
}

export function toCaseEvent(row: EventRow, audit = true): CaseEvent {
  const attrs = parseObject(row.attrs);
  if (audit && row.source === 'k8s_audit' && row.raw !== null && attrs.audit === undefined) {
    const audit = parseObject(row.raw);
    attrs.audit = audit;
  }
  const e: CaseEvent = {
    id: row.id,
    sourceId: row.source_id,
    raw: row.raw,
    ts: row.ts,
    source: row.source,
    actor: row.actor,
    action: row.action,
    resource: row.resource,
    namespace: row.namespace,
    job: row.job,
    node: row.node,
    gpu: row.gpu,
    outcome: row.outcome,
    attrs,
    line: row.line,
    offset: row.offset,
  };
  if (row.audit_id !== null) e.auditId = row.audit_id;
  if (row.stage_rank !== null) e.stageRank = row.stage_rank;
  return e;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
