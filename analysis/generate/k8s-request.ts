/**
 * Builds `AuditRequest`s from a short description of an API call: the request URI the client
 * sends, the objectRef the apiserver derives, RBAC allow reasons and the exact Forbidden / NotFound
 * status texts (k8s.io/apiserver endpoints/handlers/responsewriters `ForbiddenStatusError`,
 * apimachinery `NewForbidden`, `NewNotFound`), latencies, and the audit policy's level and stages.
 */
import type { AuditLevel, AuditRequest, AuditUser } from './k8s-audit-event.js';
import type { Prng } from './prng.js';

/** Who makes a call: identity, where from, with what client. */
export interface Actor {
  user: AuditUser;
  sourceIP: string;
  userAgent: string;
  /** `authorization.k8s.io/reason` on allowed requests. */
  allowReason: string;
}

interface ResourceInfo {
  group: string;
  version: string;
  namespaced: boolean;
}

/** The API resources the generator uses (group, version, scope as served by a v1.30 apiserver). */
const RESOURCES: Record<string, ResourceInfo> = {
  pods: { group: '', version: 'v1', namespaced: true },
  secrets: { group: '', version: 'v1', namespaced: true },
  configmaps: { group: '', version: 'v1', namespaced: true },
  services: { group: '', version: 'v1', namespaced: true },
  endpoints: { group: '', version: 'v1', namespaced: true },
  events: { group: '', version: 'v1', namespaced: true },
  serviceaccounts: { group: '', version: 'v1', namespaced: true },
  persistentvolumeclaims: { group: '', version: 'v1', namespaced: true },
  nodes: { group: '', version: 'v1', namespaced: false },
  namespaces: { group: '', version: 'v1', namespaced: false },
  persistentvolumes: { group: '', version: 'v1', namespaced: false },
  leases: { group: 'coordination.k8s.io', version: 'v1', namespaced: true },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', namespaced: true },
  deployments: { group: 'apps', version: 'v1', namespaced: true },
  replicasets: { group: 'apps', version: 'v1', namespaced: true },
  statefulsets: { group: 'apps', version: 'v1', namespaced: true },
  daemonsets: { group: 'apps', version: 'v1', namespaced: true },
  jobs: { group: 'batch', version: 'v1', namespaced: true },
  cronjobs: { group: 'batch', version: 'v1', namespaced: true },
  pytorchjobs: { group: 'kubeflow.org', version: 'v1', namespaced: true },
  notebooks: { group: 'kubeflow.org', version: 'v1', namespaced: true },
  applications: { group: 'argoproj.io', version: 'v1alpha1', namespaced: true },
  roles: { group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true },
  rolebindings: { group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true },
  clusterroles: { group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false },
  clusterrolebindings: { group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false },
  selfsubjectaccessreviews: { group: 'authorization.k8s.io', version: 'v1', namespaced: false },
  selfsubjectrulesreviews: { group: 'authorization.k8s.io', version: 'v1', namespaced: false },
  tokenreviews: { group: 'authentication.k8s.io', version: 'v1', namespaced: false },
};

export function resourceInfo(resource: string): ResourceInfo {
  return RESOURCES[resource] ?? { group: '', version: 'v1', namespaced: true };
}

/**
 * Go's url.QueryEscape: unreserved `A-Za-z0-9-_.~` kept, space as `+`, every other byte as %XX
 * (upper-case hex). kubectl builds exec/portforward queries with url.Values.Encode (keys sorted).
 */
export function goQueryEscape(s: string): string {
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  for (const b of bytes) {
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) {
      out += '+';
    } else {
      out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

/** url.Values.Encode: keys sorted, each key's values in order. */
export function goEncodeQuery(params: ReadonlyArray<readonly [string, string]>): string {
  const keys = [...new Set(params.map((p) => p[0]))].sort();
  const parts: string[] = [];
  for (const k of keys) for (const [pk, v] of params) if (pk === k) parts.push(goQueryEscape(k) + '=' + goQueryEscape(v));
  return parts.join('&');
}

/** Path of a resource request: /api/v1/... for the core group, /apis/<group>/<version>/... otherwise. */
export function resourcePath(resource: string, namespace?: string, name?: string, subresource?: string): string {
  const info = resourceInfo(resource);
  let p = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  if (info.namespaced && namespace) p += `/namespaces/${namespace}`;
  p += `/${resource}`;
  if (name) p += `/${name}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** A description of one API call; everything else is derived. */
export interface CallSpec {
  at: number;
  actor: Actor;
  verb: string;
  resource?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Raw query string without `?` (already encoded). */
  query?: string;
  /** Non-resource URL (discovery: `/api`, `/apis`, `/version`). */
  path?: string;
  /** 403 from the authorizer. */
  denied?: boolean;
  /** 404: the named object does not exist. */
  notFound?: boolean;
  /** Success code override (defaults: create 201, exec/attach/portforward 101, else 200). */
  code?: number;
  body?: unknown;
  /** Long-running: seconds the stream stays open after it starts. */
  streamSeconds?: number;
  latencyMs?: number;
  annotations?: Record<string, string>;
}

const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

/**
 * The audit policy the generated cluster runs (modelled on the GKE/GCE default policy, trimmed):
 * writes to workload objects at Request level with the body; secrets and configmaps, heartbeats
 * and everything else at Metadata; RequestReceived kept for interactive subresources, secrets
 * and access reviews (rules without `omitStages: [RequestReceived]`).
 */
export function auditPolicy(spec: CallSpec): { level: AuditLevel; logRequestReceived: boolean } {
  const r = spec.resource ?? '';
  const write = spec.verb === 'create' || spec.verb === 'update' || spec.verb === 'patch';
  const workloadObject = r === 'pods' || r === 'services' || r === 'deployments' || r === 'jobs' || r === 'pytorchjobs' || r === 'statefulsets';
  const level: AuditLevel = write && workloadObject && !spec.subresource ? 'Request' : 'Metadata';
  const interactive = spec.subresource !== undefined && STREAMING_SUBRESOURCES.has(spec.subresource);
  const logRequestReceived = interactive || r === 'secrets' || r === 'selfsubjectaccessreviews' || r === 'selfsubjectrulesreviews';
  return { level, logRequestReceived };
}

function qualifiedResource(resource: string): string {
  const g = resourceInfo(resource).group;
  return g ? `${resource}.${g}` : resource;
}

/** RBAC's Forbidden message (responsewriters.ForbiddenStatusError + apierrors.NewForbidden). */
export function forbiddenMessage(username: string, spec: Pick<CallSpec, 'verb' | 'resource' | 'namespace' | 'name' | 'subresource' | 'path'>): string {
  if (!spec.resource) return `forbidden: User "${username}" cannot ${spec.verb} path "${spec.path ?? '/'}"`;
  const group = resourceInfo(spec.resource).group;
  const res = spec.subresource ? `${spec.resource}/${spec.subresource}` : spec.resource;
  let msg = `User "${username}" cannot ${spec.verb} resource "${res}" in API group "${group}"`;
  msg += spec.namespace && resourceInfo(spec.resource).namespaced ? ` in the namespace "${spec.namespace}"` : ' at the cluster scope';
  const q = qualifiedResource(spec.resource);
  return spec.name ? `${q} "${spec.name}" is forbidden: ${msg}` : `${q} is forbidden: ${msg}`;
}

/** Typical first-byte latency by verb, in microseconds. */
function latencyUs(rng: Prng, spec: CallSpec): number {
  if (spec.latencyMs !== undefined) return Math.round(spec.latencyMs * 1000);
  if (spec.subresource && STREAMING_SUBRESOURCES.has(spec.subresource)) return rng.int(25_000, 180_000);
  switch (spec.verb) {
    case 'list':
      return rng.int(3_000, 60_000);
    case 'watch':
      return rng.int(600, 4_000);
    case 'create':
      return rng.int(4_000, 30_000);
    case 'update':
    case 'patch':
      return rng.int(2_000, 14_000);
    case 'delete':
      return rng.int(5_000, 40_000);
    default:
      return rng.int(700, 8_000);
  }
}

/** Builds one AuditRequest, drawing the auditID and latency from `rng`. */
export function buildRequest(rng: Prng, spec: CallSpec): AuditRequest {
  const policy = auditPolicy(spec);
  const info = spec.resource ? resourceInfo(spec.resource) : null;
  let uri = spec.path ?? resourcePath(spec.resource ?? '', spec.namespace, spec.verb === 'create' && !spec.subresource ? undefined : spec.name, spec.subresource);
  if (spec.query) uri += '?' + spec.query;
  const streaming = spec.subresource !== undefined && STREAMING_SUBRESOURCES.has(spec.subresource);
  const okCode = spec.code ?? (streaming ? 101 : spec.verb === 'create' ? 201 : 200);
  const req: AuditRequest = {
    auditID: rng.uuid(),
    receivedUs: Math.round(spec.at),
    latencyUs: latencyUs(rng, spec),
    level: policy.level,
    logRequestReceived: policy.logRequestReceived,
    verb: spec.verb,
    requestURI: uri,
    user: spec.actor.user,
    sourceIPs: [spec.actor.sourceIP],
    userAgent: spec.actor.userAgent,
    code: okCode,
    decision: spec.denied ? 'forbid' : 'allow',
    authzReason: spec.denied ? '' : spec.actor.allowReason,
  };
  if (spec.resource && info) {
    req.objectRef = { resource: spec.resource };
    if (spec.namespace && info.namespaced) req.objectRef.namespace = spec.namespace;
    if (spec.name) req.objectRef.name = spec.name;
    if (info.group) req.objectRef.apiGroup = info.group;
    req.objectRef.apiVersion = info.version;
    if (spec.subresource) req.objectRef.subresource = spec.subresource;
  }
  if (spec.denied) {
    req.code = 403;
    req.failure = {
      message: forbiddenMessage(spec.actor.user.username, spec),
      reason: 'Forbidden',
      details: spec.resource ? { name: spec.name, group: info?.group || undefined, kind: spec.resource } : undefined,
    };
  } else if (spec.notFound && spec.resource) {
    req.code = 404;
    req.failure = {
      message: `${qualifiedResource(spec.resource)} "${spec.name ?? ''}" not found`,
      reason: 'NotFound',
      details: { name: spec.name, group: info?.group || undefined, kind: spec.resource },
    };
  } else {
    if (spec.streamSeconds !== undefined) req.streamUs = Math.round(spec.streamSeconds * 1_000_000);
    if (spec.body !== undefined) req.requestObject = spec.body;
  }
  if (spec.annotations) req.annotations = spec.annotations;
  return req;
}

/** client-go's watch query: bookmarks, resume version, and the randomised server timeout. */
export function watchQuery(rng: Prng, resourceVersion: number, extra?: string): { query: string; seconds: number } {
  const seconds = rng.int(300, 599);
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  const q = `allowWatchBookmarks=true${extra ? '&' + extra : ''}&resourceVersion=${resourceVersion}&timeout=${m}m${s}s&timeoutSeconds=${seconds}&watch=true`;
  return { query: q, seconds };
}
