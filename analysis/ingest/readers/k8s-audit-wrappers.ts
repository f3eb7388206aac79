/**
 * Finds an audit Event inside the envelopes log shippers put around it, as an embedded object or
 * an escaped JSON string, at most two envelopes deep:
 * - AWS EKS control-plane logs exported from CloudWatch: `{"@timestamp", "@message": "<event JSON>", "@logStream"}`;
 * - Azure AKS diagnostic settings: `{"category": "kube-audit", "properties": {"log": "<event JSON>", "pod"}}`;
 * - fluentd / fluent-bit / Docker json-file: `{"log": "<event JSON>\n", "stream", "time"}` or `message`;
 * - Cloud Logging with the event as `jsonPayload`; generic `event` / `data` / `record` / `body`;
 * - GKE's own format (protoPayload AuditLog), mapped by k8s-audit-gcp.ts.
 */
import { MAX_JSON_DEPTH, mayNestDeeperThan, isRecord, setOwn } from './k8s-audit-json-bounds.js';
import { auditShapeProblem } from './k8s-audit-event.js';
import { auditEventFromGcpEntry, isGcpK8sAuditEntry } from './k8s-audit-gcp.js';

/** Envelope fields that may hold the event, in the order they are tried. */
const WRAPPER_KEYS = ['@message', 'log', 'message', 'jsonPayload', 'properties', 'event', 'data', 'record', 'body'] as const;

/** Envelope depth searched: Azure's `properties.log` is two. */
const MAX_ENVELOPES = 2;

/** Scalar envelope fields copied into attrs.wrapper (cluster, log stream, shipper time…). */
const MAX_WRAPPER_FIELDS = 32;
const MAX_WRAPPER_STRING = 512;

export interface UnwrappedEvent {
  event: Record<string, unknown>;
  /** Envelope fields worth keeping: `via` (the path to the event) and the outer scalars. */
  wrapper: Record<string, unknown>;
  /** Length of the escaped JSON string the event came from, when it came from one. */
  innerTextLength?: number;
  /** An embedded string may nest deeper than MAX_JSON_DEPTH. */
  deep: boolean;
}

/** The audit Event inside an envelope, or null when none of the envelope fields holds one. */
export function unwrapAuditEvent(outer: Record<string, unknown>): UnwrappedEvent | string | null {
  const found = search(outer, MAX_ENVELOPES);
  if (found === null || typeof found === 'string') return found;
  copyScalars(outer, found.wrapper);
  return found;
}

/** The event, or the first reason an envelope field did not hold one, or null when no field could. */
function search(o: Record<string, unknown>, envelopesLeft: number): UnwrappedEvent | string | null {
  if (isGcpK8sAuditEntry(o)) {
    const mapped = auditEventFromGcpEntry(o);
    if (typeof mapped === 'string') return mapped;
    return { event: mapped.event, wrapper: mapped.wrapper, deep: false };
  }
  let problem: string | null = null;
  for (const key of WRAPPER_KEYS) {
    const raw = o[key];
    if (raw === undefined || raw === null) continue;
    let inner: unknown = raw;
    let innerTextLength: number | undefined;
    let deep = false;
    if (typeof raw === 'string') {
      if (!looksLikeJsonObject(raw)) continue;
      try {
        inner = JSON.parse(raw);
      } catch (err) {
        problem ??= `${key} holds invalid JSON: ${err instanceof Error ? err.message.slice(0, 120) : 'parse error'}`;
        continue;
      }
      innerTextLength = raw.length;
      deep = mayNestDeeperThan(raw, MAX_JSON_DEPTH);
    }
    if (!isRecord(inner)) continue;
    const shape = auditShapeProblem(inner);
    if (shape === null) return { event: inner, wrapper: { via: key }, innerTextLength, deep };
    if (envelopesLeft > 1) {
      const nested = search(inner, envelopesLeft - 1);
      if (nested !== null && typeof nested !== 'string') {
        nested.wrapper.via = `${key}.${nested.wrapper.via as string}`;
        if (nested.innerTextLength === undefined) nested.innerTextLength = innerTextLength;
        nested.deep ||= deep;
        return nested;
      }
      if (typeof nested === 'string') problem ??= `${key}: ${nested}`;
    }
    if (typeof raw === 'string') problem ??= `${key} holds JSON that is not an Event: ${shape}`;
  }
  return problem;
}

function looksLikeJsonObject(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7b) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return false;
}

function copyScalars(outer: Record<string, unknown>, into: Record<string, unknown>): void {
  const viaKey = String(into.via).split('.')[0];
  let copied = 0;
  for (const key in outer) {
    if (copied >= MAX_WRAPPER_FIELDS) break;
    if (key === viaKey || key === 'via' || Object.hasOwn(into, key)) continue;
    const v = outer[key];
    if ((typeof v === 'string' && v.length <= MAX_WRAPPER_STRING) || typeof v === 'number' || typeof v === 'boolean') {
      setOwn(into, key, v);
      copied++;
    }
  }
}
