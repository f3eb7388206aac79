/**
 * Application event logs in the MLShield seed's event shape, one JSON object per line (a JSON
 * array of them works too): `{"ts" | "timestamp", "action", "resource", "job_id", "user",
 * "details": {...}, …}` (the seed's `POST /api/v1/events` body). Every record ends in exactly one
 * `sink.event` or `sink.quarantine`.
 */
import { qualify } from '../../core/workload.js';
import { recordHead, type EventRecord, type LineReader, type Micros, type ReaderLimits, type RecordSink } from '../../core/records.js';
import { createJsonFraming, deliverRecord, type RecordAt } from './k8s-audit-framing.js';
import { rfc3339Micros } from './k8s-audit-time.js';
import { describeJson, isRecord, jsonLongerThan, MAX_FIELD_JSON, MAX_JSON_DEPTH, pruneDeeperThan, setOwn } from './k8s-audit-json-bounds.js';

/** Fields with a column of their own; everything else goes to attrs. */
const KNOWN_FIELDS = new Set(['ts', 'timestamp', 'action', 'resource', 'job_id', 'user', 'namespace', 'node', 'gpu', 'outcome', 'details']);

export function createAppEventReader(sink: RecordSink, limits: ReaderLimits): LineReader {
  function onValue(value: unknown, at: RecordAt): void {
    if (!Array.isArray(value)) {
      readOne(value, at, undefined);
      return;
    }
    if (value.length === 0) {
      sink.quarantine({ line: at.line, offset: at.offset, reason: 'not an app event (empty JSON array)', head: recordHead(at.text) });
      return;
    }
    for (let i = 0; i < value.length; i++) readOne(value[i], at, i);
  }

  function readOne(value: unknown, at: RecordAt, item: number | undefined): void {
    deliverRecord(sink, appEventRecord(value, at, item, limits), value, at, item);
  }

  return createJsonFraming(sink, limits, onValue);
}

/** The EventRecord for one app event object, or the quarantine reason. */
export function appEventRecord(value: unknown, at: RecordAt, item: number | undefined, limits: ReaderLimits): EventRecord | string {
  if (!isRecord(value)) return `not an app event (JSON ${Array.isArray(value) ? 'array' : describeJson(value)})`;
  const action = value.action;
  if (typeof action !== 'string' || action.trim().length === 0) return `not an app event (action is ${describeJson(action)})`;

  const rawTs = value.ts ?? value.timestamp;
  const ts = appTimestamp(rawTs);
  if (ts === null) return `timestamp out of range: ts ${describeJson(rawTs)} is not an ISO 8601 time or epoch number`;
  if (ts < limits.minTs || ts > limits.maxTs) return `timestamp out of range: ts ${describeJson(rawTs)} is outside the accepted window`;

  const nestingTruncated = at.deep && pruneDeeperThan(value, MAX_JSON_DEPTH);
  const attrs: Record<string, unknown> = {};
  const details = value.details;
  if (isRecord(details)) {
    for (const key of Object.keys(details)) setOwn(attrs, key, details[key]);
  } else if (details !== undefined) {
    attrs.details = details;
  }
  let overridden: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    if (KNOWN_FIELDS.has(key)) continue;
    if (Object.hasOwn(attrs, key)) setOwn((overridden ??= {}), key, value[key]); // details win; keep the loser
    else setOwn(attrs, key, value[key]);
  }
  if (overridden) attrs.overriddenFields = overridden;
  // Column fields that are not scalars are kept, not lost.
  const actor = scalarText(value.user, 'user', attrs);
  const jobId = scalarText(value.job_id, 'job_id', attrs);
  const resource = scalarText(value.resource, 'resource', attrs);
  const namespace = scalarText(value.namespace, 'namespace', attrs);
  // The trajectory key is `namespace/job`, as the audit and DCGM readers derive it, so a job's app
  // events join its API calls and telemetry. A job id that already names its namespace is kept.
  const job = jobId !== null && namespace !== null && !jobId.includes('/') ? qualify(namespace, jobId) : jobId;
  const node = scalarText(value.node, 'node', attrs);
  const gpu = scalarText(value.gpu, 'gpu', attrs);
  const outcome = scalarText(value.outcome, 'outcome', attrs);

  // A line can not hold a field longer than itself, so only long records are measured.
  if (at.sizeHint > MAX_FIELD_JSON) {
    let dropped: string[] | undefined;
    for (const key of Object.keys(attrs)) {
      if (jsonLongerThan(attrs[key], MAX_FIELD_JSON)) {
        delete attrs[key];
        (dropped ??= []).push(key);
      }
    }
    if (dropped) attrs.droppedFields = dropped;
  }
  if (nestingTruncated) attrs.nestingTruncated = true;
  if (item !== undefined) attrs.item = item;

  return {
    ts,
    source: 'app',
    actor,
    action: action.toLowerCase(),
    resource,
    namespace,
    job,
    node,
    gpu,
    outcome,
    attrs,
    line: at.line,
    offset: at.offset,
  };
}

/** A string or number field as text; anything else is moved into attrs under its name. */
function scalarText(v: unknown, name: string, attrs: Record<string, unknown>): string | null {
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (v !== undefined && v !== null) setOwn(attrs, name, v);
  return null;
}

/**
 * ISO 8601 / RFC 3339 text, or epoch time as a number or numeric text, its unit told by magnitude:
 * below 1e11 seconds (to year 5138), below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
 */
export function appTimestamp(raw: unknown): Micros | null {
  if (typeof raw === 'string') {
    if (raw.length === 0 || raw.length > 40) return null;
    const iso = rfc3339Micros(raw);
    if (iso !== null) return iso;
    return isNumericText(raw) ? epochMicros(Number(raw)) : null;
  }
  if (typeof raw === 'number') return epochMicros(raw);
  return null;
}

function epochMicros(n: number): Micros | null {
  if (!Number.isFinite(n) || n <= 0) return null;
  let micros: number;
  if (n < 1e11) micros = n * 1e6;
  else if (n < 1e14) micros = n * 1e3;
  else if (n < 1e17) micros = n;
  else micros = n / 1e3;
  return Math.round(micros);
}

function isNumericText(s: string): boolean {
  let dot = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e && !dot && i > 0) dot = true;
    else if (c < 0x30 || c > 0x39) return false;
  }
  return s.length > 0;
}
