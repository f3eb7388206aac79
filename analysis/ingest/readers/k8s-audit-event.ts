/**
 * Normalises one Kubernetes audit event (audit.k8s.io/v1 or v1beta1 `Event`) into an EventRecord.
 * Field names follow https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event.
 * The original event is kept in `attrs.audit` under its own field names, so Sigma-style rules
 * (`objectRef.resource`, `verb`, `user.username`, `requestURI`, `sourceIPs`, `responseStatus.code`)
 * can be evaluated on it later.
 */
import type { EventRecord, ReaderLimits } from '../../core/records.js';
import { describeJson, isRecord, jsonLongerThan, MAX_FIELD_JSON, str } from './k8s-audit-json-bounds.js';
import { rfc3339Micros } from './k8s-audit-time.js';
import { auditJob, auditNode, type AuditSubject } from './k8s-audit-workload.js';

/** `stage` → rank; the store keeps the highest rank of one auditID. */
export function stageRank(stage: unknown): number | undefined {
  switch (stage) {
    case 'RequestReceived':
      return 0;
    case 'ResponseStarted':
      return 1;
    case 'ResponseComplete':
      return 2;
    case 'Panic':
      return 3;
    default:
      return undefined;
  }
}

const AUDIT_API_PREFIX = 'audit.k8s.io/';

/**
 * Why an object is not an audit Event, or null when it is one. `kind`/`apiVersion` must say so
 * when present (a core/v1 `Event` has kind "Event" too, with apiVersion "v1"); Falco's traces omit
 * apiVersion, so an object without either must carry the whole auditID/stage/requestURI/verb set.
 */
export function auditShapeProblem(o: Record<string, unknown>): string | null {
  const kind = o.kind;
  const api = o.apiVersion;
  if (kind !== undefined && kind !== 'Event') return `kind is ${describeJson(kind)}, expected "Event"`;
  if (api !== undefined && !(typeof api === 'string' && api.startsWith(AUDIT_API_PREFIX))) {
    return `apiVersion is ${describeJson(api)}, expected audit.k8s.io/v1`;
  }
  if (typeof o.verb !== 'string' || o.verb.length === 0) return `verb is ${describeJson(o.verb)}`;
  const hasId = typeof o.auditID === 'string';
  const hasStage = typeof o.stage === 'string';
  const hasUri = typeof o.requestURI === 'string';
  if (kind === undefined && api === undefined) {
    if (!hasId || !hasStage || !hasUri) return 'no kind or apiVersion, and not the auditID/stage/requestURI field set';
  } else if (!hasId && !hasStage && !hasUri) {
    return 'no auditID, stage or requestURI';
  }
  return null;
}

/** Extra provenance a wrapper adds (CloudWatch, Azure, fluentd, GCP). */
export interface AuditProvenance {
  line: number;
  offset: number;
  /** Upper bound on the JSON length of requestObject/responseObject (skip measuring below 16 Ki). */
  sizeHint: number;
  item?: number;
  wrapper?: Record<string, unknown>;
  nestingTruncated?: boolean;
}

/**
 * The EventRecord for an object that passed auditShapeProblem, or the quarantine reason.
 * Mutates `ev`: requestObject/responseObject above MAX_FIELD_JSON are dropped (flagged).
 */
export function auditEventRecord(ev: Record<string, unknown>, at: AuditProvenance, limits: ReaderLimits): EventRecord | string {
  const ts = auditTimestamp(ev, limits);
  if (typeof ts === 'string') return ts;

  const ref = isRecord(ev.objectRef) ? ev.objectRef : undefined;
  const user = isRecord(ev.user) ? ev.user : undefined;
  const requestURI = typeof ev.requestURI === 'string' ? ev.requestURI : undefined;
  const resource = ref ? str(ref.resource) : undefined;
  const subresource = ref ? str(ref.subresource) : undefined;
  const subject: AuditSubject = {
    username: user ? str(user.username) : undefined,
    extra: user ? user.extra : undefined,
    resource,
    subresource,
    namespace: ref ? str(ref.namespace) : undefined,
    name: ref ? str(ref.name) : undefined,
    requestObject: ev.requestObject,
    responseObject: ev.responseObject,
  };
  const job = auditJob(subject);
  const node = auditNode(subject);

  // Drop large embedded objects only after job/node took what they need from their metadata.
  if (at.sizeHint > MAX_FIELD_JSON) {
    if (ev.requestObject !== undefined && jsonLongerThan(ev.requestObject, MAX_FIELD_JSON)) {
      delete ev.requestObject;
      ev.requestObjectTruncated = true;
    }
    if (ev.responseObject !== undefined && jsonLongerThan(ev.responseObject, MAX_FIELD_JSON)) {
      delete ev.responseObject;
      ev.responseObjectTruncated = true;
    }
  }

  const status = isRecord(ev.responseStatus) ? ev.responseStatus : undefined;
  const code = status && typeof status.code === 'number' ? status.code : undefined;
  const annotations = isRecord(ev.annotations) ? ev.annotations : undefined;
  const impersonated = isRecord(ev.impersonatedUser) ? str(ev.impersonatedUser.username) : undefined;
  const verb = ev.verb as string;

  let path: string | undefined;
  if (!resource && requestURI) {
    const q = requestURI.indexOf('?');
    path = q < 0 ? requestURI : requestURI.slice(0, q);
  }

  return {
    ts,
    source: 'k8s_audit',
    actor: subject.username ?? null,
    action: verb.toLowerCase(),
    resource: resource ? (subresource ? `${resource}/${subresource}` : resource) : (path ?? null),
    namespace: subject.namespace ?? null,
    job,
    node,
    gpu: null,
    outcome: outcomeOf(code),
    attrs: {
      audit: ev,
      code,
      subresource,
      objectName: subject.name,
      apiGroup: ref ? str(ref.apiGroup) : undefined,
      sourceIPs: Array.isArray(ev.sourceIPs) ? ev.sourceIPs : undefined,
      userAgent: str(ev.userAgent),
      impersonatedUser: impersonated,
      authzDecision: annotations ? str(annotations['authorization.k8s.io/decision']) : undefined,
      exec: (subresource === 'exec' || subresource === 'attach') && requestURI ? execFromRequestUri(requestURI) : undefined,
      item: at.item,
      wrapper: at.wrapper,
      nestingTruncated: at.nestingTruncated || undefined,
    },
    line: at.line,
    offset: at.offset,
    auditId: str(ev.auditID),
    stageRank: stageRank(ev.stage),
  };
}

/**
 * requestReceivedTimestamp, else stageTimestamp, else v1beta1's `timestamp` (audit2rbac's logs
 * carry only that one). The first field present decides: a corrupt one is not papered over.
 */
function auditTimestamp(ev: Record<string, unknown>, limits: ReaderLimits): number | string {
  let field = 'requestReceivedTimestamp';
  let raw = ev.requestReceivedTimestamp;
  if (raw === undefined || raw === null) {
    field = 'stageTimestamp';
    raw = ev.stageTimestamp;
  }
  if (raw === undefined || raw === null) {
    field = 'timestamp';
    raw = ev.timestamp;
  }
  if (raw === undefined || raw === null) return 'timestamp out of range: no requestReceivedTimestamp, stageTimestamp or timestamp';
  const ts = typeof raw === 'string' && raw.length <= 40 ? rfc3339Micros(raw) : null;
  if (ts === null) return `timestamp out of range: ${field} ${describeJson(raw)} is not an RFC 3339 time`;
  if (ts < limits.minTs || ts > limits.maxTs) return `timestamp out of range: ${field} ${raw} is outside the accepted window`;
  return ts;
}

/**
 * responseStatus.code → outcome. 101 Switching Protocols is how exec/attach/portforward streams
 * succeed, so it counts as success; other non-error codes are kept as text (records.ts).
 */
export function outcomeOf(code: number | undefined): string | null {
  if (code === undefined) return null;
  if ((code >= 200 && code < 300) || code === 101) return 'success';
  if (code === 401 || code === 403) return 'denied';
  if (code >= 400) return 'failure';
  return String(code);
}

export interface ExecRequest {
  command: string[];
  container: string | undefined;
  stdin: boolean;
  tty: boolean;
}

/** Query parameters read per URI; a real exec URI has about ten. */
const MAX_QUERY_PARAMS = 1024;

/**
 * The exec/attach options from the request URI query (PodExecOptions as URL parameters:
 * `command` repeated once per argv element, `container`, `stdin`, `tty`).
 */
export function execFromRequestUri(requestURI: string): ExecRequest {
  const out: ExecRequest = { command: [], container: undefined, stdin: false, tty: false };
  const q = requestURI.indexOf('?');
  if (q < 0) return out;
  let start = q + 1;
  for (let n = 0; n < MAX_QUERY_PARAMS && start <= requestURI.length; n++) {
    let end = requestURI.indexOf('&', start);
    if (end < 0) end = requestURI.length;
    const eq = requestURI.indexOf('=', start);
    const hasValue = eq >= 0 && eq < end;
    const key = requestURI.slice(start, hasValue ? eq : end);
    const value = hasValue ? decodeQueryComponent(requestURI.slice(eq + 1, end)) : '';
    if (key === 'command') out.command.push(value);
    else if (key === 'container' && out.container === undefined) out.container = value;
    else if (key === 'stdin') out.stdin = value === 'true' || value === '1';
    else if (key === 'tty') out.tty = value === 'true' || value === '1';
    start = end + 1;
  }
  return out;
}

/** application/x-www-form-urlencoded decoding (Go's url.QueryEscape writes spaces as `+`). */
function decodeQueryComponent(s: string): string {
  const spaced = s.indexOf('+') >= 0 ? s.replaceAll('+', ' ') : s;
  if (spaced.indexOf('%') < 0) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced; // malformed %-escape: keep the raw text, it is evidence
  }
}
