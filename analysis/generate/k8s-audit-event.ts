/**
 * Renders one API request as the `audit.k8s.io/v1` Event lines kube-apiserver's log backend writes
 * (k8s.io/apiserver/pkg/apis/audit/v1 `Event`). Keys follow the Go struct order and Go's
 * `encoding/json` rules: struct fields in declaration order with `omitempty`, map keys (annotations,
 * user.extra) sorted. A request yields one line per stage the audit policy keeps:
 * RequestReceived (optional; no status, no authorization annotations, no request body),
 * ResponseStarted (long-running requests only: exec, portforward, watch) and ResponseComplete.
 */
import { isoMicros } from './iso-time.js';

export type AuditLevel = 'Metadata' | 'Request' | 'RequestResponse';

/** authentication.k8s.io/v1 UserInfo. */
export interface AuditUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** audit.k8s.io/v1 ObjectReference. */
export interface AuditObjectRef {
  resource: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** metav1.Status fields the audit log keeps for a failed request. */
export interface AuditFailure {
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string };
}

/** One API request, before rendering. Times are UTC microseconds. */
export interface AuditRequest {
  auditID: string;
  receivedUs: number;
  /** Time to the first response byte (ResponseComplete, or ResponseStarted when long-running). */
  latencyUs: number;
  /** Long-running requests: how long the stream stayed open after ResponseStarted. */
  streamUs?: number;
  level: AuditLevel;
  /** Whether the policy keeps the RequestReceived stage for this request. */
  logRequestReceived: boolean;
  verb: string;
  requestURI: string;
  user: AuditUser;
  sourceIPs: string[];
  userAgent: string;
  objectRef?: AuditObjectRef;
  code: number;
  failure?: AuditFailure;
  decision: 'allow' | 'forbid';
  authzReason: string;
  /** Extra annotations (pod-security admission, etc.). */
  annotations?: Record<string, string>;
  /** The body as sent, for Request/RequestResponse levels on writes. */
  requestObject?: unknown;
}

/** A rendered line with the time the backend wrote it (its stageTimestamp). */
export interface AuditLine {
  stageUs: number;
  /** True for the request's first line: labels point at it. */
  first: boolean;
  text: string;
}

function sortedRecord<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

function userJson(u: AuditUser): Record<string, unknown> {
  const o: Record<string, unknown> = { username: u.username };
  if (u.uid) o.uid = u.uid;
  if (u.groups.length > 0) o.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length > 0) o.extra = sortedRecord(u.extra);
  return o;
}

function objectRefJson(r: AuditObjectRef, includeName: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { resource: r.resource };
  if (r.namespace) o.namespace = r.namespace;
  if (includeName && r.name) o.name = r.name;
  if (includeName && r.uid) o.uid = r.uid;
  if (r.apiGroup) o.apiGroup = r.apiGroup;
  if (r.apiVersion) o.apiVersion = r.apiVersion;
  if (includeName && r.resourceVersion) o.resourceVersion = r.resourceVersion;
  if (r.subresource) o.subresource = r.subresource;
  return o;
}

function responseStatusJson(req: AuditRequest): Record<string, unknown> {
  if (!req.failure) return { metadata: {}, code: req.code };
  const o: Record<string, unknown> = { metadata: {}, status: 'Failure', message: req.failure.message, reason: req.failure.reason };
  if (req.failure.details) {
    const d: Record<string, unknown> = {};
    if (req.failure.details.name) d.name = req.failure.details.name;
    if (req.failure.details.group) d.group = req.failure.details.group;
    if (req.failure.details.kind) d.kind = req.failure.details.kind;
    o.details = d;
  }
  o.code = req.code;
  return o;
}

function stageJson(req: AuditRequest, stage: string, stageUs: number): string {
  const received = stage === 'RequestReceived';
  const e: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: req.level,
    auditID: req.auditID,
    stage,
    requestURI: req.requestURI,
    verb: req.verb,
    user: userJson(req.user),
    sourceIPs: req.sourceIPs,
    userAgent: req.userAgent,
  };
  // On create, the name comes from the decoded body, which RequestReceived has not read yet.
  if (req.objectRef) e.objectRef = objectRefJson(req.objectRef, !(received && req.verb === 'create' && !req.objectRef.subresource));
  if (!received) e.responseStatus = responseStatusJson(req);
  if (!received && req.requestObject !== undefined && req.level !== 'Metadata') e.requestObject = req.requestObject;
  e.requestReceivedTimestamp = isoMicros(req.receivedUs);
  e.stageTimestamp = isoMicros(stageUs);
  // Authorization runs after the audit filter has emitted RequestReceived.
  if (!received) {
    e.annotations = sortedRecord({
      'authorization.k8s.io/decision': req.decision,
      'authorization.k8s.io/reason': req.authzReason,
      ...(req.annotations ?? {}),
    });
  }
  return JSON.stringify(e);
}

/** The stage lines of one request, in the order the backend writes them. */
export function renderAuditStages(req: AuditRequest): AuditLine[] {
  const out: AuditLine[] = [];
  if (req.logRequestReceived) out.push({ stageUs: req.receivedUs, first: true, text: stageJson(req, 'RequestReceived', req.receivedUs) });
  const firstResponseUs = req.receivedUs + req.latencyUs;
  if (req.streamUs !== undefined && req.code < 400) {
    out.push({ stageUs: firstResponseUs, first: out.length === 0, text: stageJson(req, 'ResponseStarted', firstResponseUs) });
    const endUs = firstResponseUs + req.streamUs;
    out.push({ stageUs: endUs, first: false, text: stageJson(req, 'ResponseComplete', endUs) });
  } else {
    out.push({ stageUs: firstResponseUs, first: out.length === 0, text: stageJson(req, 'ResponseComplete', firstResponseUs) });
  }
  return out;
}
