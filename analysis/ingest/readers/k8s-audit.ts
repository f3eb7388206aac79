/**
 * The Kubernetes audit log reader: audit.k8s.io/v1 and v1beta1 `Event`s as JSON lines, as a JSON
 * array or `EventList` (`items`), as pretty-printed documents, or inside cloud log envelopes
 * (k8s-audit-wrappers.ts). Every record ends in exactly one `sink.event` or `sink.quarantine`.
 */
import { recordHead, type EventRecord, type LineReader, type ReaderLimits, type RecordSink } from '../../core/records.js';
import { auditEventRecord, auditShapeProblem, type AuditProvenance } from './k8s-audit-event.js';
import { createJsonFraming, deliverRecord, type RecordAt } from './k8s-audit-framing.js';
import { describeJson, isRecord, MAX_JSON_DEPTH, pruneDeeperThan } from './k8s-audit-json-bounds.js';
import { unwrapAuditEvent } from './k8s-audit-wrappers.js';

const NOT_AN_EVENT = 'not an audit.k8s.io Event';

export function createAuditReader(sink: RecordSink, limits: ReaderLimits): LineReader {
  /** One framed value: a list of events, or one event (possibly wrapped). */
  function onValue(value: unknown, at: RecordAt): void {
    const items = eventList(value);
    if (items === null) {
      readOne(value, at, undefined);
      return;
    }
    if (items.length === 0) {
      sink.quarantine({ line: at.line, offset: at.offset, reason: `${NOT_AN_EVENT} (empty event list)`, head: recordHead(at.text) });
      return;
    }
    // Items share the list's line and offset; the list's size bound holds for each of them.
    for (let i = 0; i < items.length; i++) readOne(items[i], at, i);
  }

  function readOne(value: unknown, at: RecordAt, item: number | undefined): void {
    deliverRecord(sink, auditRecordOf(value, at, item, limits), value, at, item);
  }

  return createJsonFraming(sink, limits, onValue);
}

/**
 * The events of a list form: a JSON array, an `EventList` (`items`), Azure's diagnostic export
 * (`records`), or null when the value is a single record.
 */
function eventList(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (!isRecord(value)) return null;
  if (Array.isArray(value.items) && (value.kind === 'EventList' || (value.verb === undefined && value.kind === undefined))) return value.items;
  if (Array.isArray(value.records) && value.verb === undefined) return value.records;
  return null;
}

function auditRecordOf(value: unknown, at: RecordAt, item: number | undefined, limits: ReaderLimits): EventRecord | string {
  if (!isRecord(value)) return `${NOT_AN_EVENT} (JSON ${describeKind(value)})`;
  const nestingTruncated = at.deep && pruneDeeperThan(value, MAX_JSON_DEPTH);
  const prov: AuditProvenance = { line: at.line, offset: at.offset, sizeHint: at.sizeHint, item, nestingTruncated };

  const problem = auditShapeProblem(value);
  if (problem === null) return auditEventRecord(value, prov, limits);

  const found = unwrapAuditEvent(value);
  if (found === null) return `${NOT_AN_EVENT} (${problem})`;
  if (typeof found === 'string') return `${NOT_AN_EVENT} (${found})`;
  if (found.deep && pruneDeeperThan(found.event, MAX_JSON_DEPTH)) prov.nestingTruncated = true;
  if (found.innerTextLength !== undefined) prov.sizeHint = Math.min(prov.sizeHint, found.innerTextLength);
  prov.wrapper = found.wrapper;
  return auditEventRecord(found.event, prov, limits);
}

function describeKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return `${typeof value} ${describeJson(value)}`;
}
