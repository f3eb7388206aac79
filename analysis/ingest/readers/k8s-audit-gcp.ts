/**
 * GKE audit logs as Cloud Logging writes them: a LogEntry whose `protoPayload` is a
 * google.cloud.audit.AuditLog with `serviceName: "k8s.io"`, `methodName`
 * `io.k8s.<group>.<version>.<resource>[.<subresource>].<verb>` and `resourceName`
 * `<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]` (group `core` = "").
 * Mapped to an audit.k8s.io/v1-shaped Event so the normaliser and the Sigma rules see one schema;
 * the request path is rebuilt from resourceName because AuditLog does not carry requestURI.
 */
import { isRecord, str } from './k8s-audit-json-bounds.js';

const AUDIT_LOG_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';
const K8S_METHOD_PREFIX = 'io.k8s.';

export function isGcpK8sAuditEntry(o: Record<string, unknown>): boolean {
  const p = o.protoPayload;
  if (!isRecord(p)) return false;
  const method = p.methodName;
  if (typeof method !== 'string' || !method.startsWith(K8S_METHOD_PREFIX)) return false;
  const type = p['@type'];
  return type === undefined || type === AUDIT_LOG_TYPE;
}

/** google.rpc.Code → the HTTP status the API server answered (google/rpc/code.proto mapping). */
const GRPC_TO_HTTP: readonly number[] = [200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401];

/** The audit.k8s.io/v1-shaped Event for a GKE LogEntry, or why it can not be mapped. */
export function auditEventFromGcpEntry(entry: Record<string, unknown>): { event: Record<string, unknown>; wrapper: Record<string, unknown> } | string {
  const p = entry.protoPayload as Record<string, unknown>;
  const method = p.methodName as string;
  const lastDot = method.lastIndexOf('.');
  const verb = method.slice(lastDot + 1);
  if (lastDot < K8S_METHOD_PREFIX.length || verb.length === 0) return `GCP methodName ${JSON.stringify(method.slice(0, 80))} names no verb`;

  const resourceName = typeof p.resourceName === 'string' && p.resourceName.length <= 4096 ? p.resourceName : '';
  const ref = objectRefFromResourceName(resourceName);
  if (!ref) return `GCP resourceName ${JSON.stringify(resourceName.slice(0, 80))} is not <group>/<version>/…/<resource>`;
  if (!ref.subresource) {
    // `io.k8s.core.v1.pods.exec.create`: the segment before the verb is the subresource when it is not the resource.
    const prevDot = method.lastIndexOf('.', lastDot - 1);
    const segment = method.slice(prevDot + 1, lastDot);
    if (ref.name && segment !== ref.resource && segment.length > 0) ref.subresource = segment;
  }

  const auth = isRecord(p.authenticationInfo) ? p.authenticationInfo : undefined;
  const meta = isRecord(p.requestMetadata) ? p.requestMetadata : undefined;
  const status = isRecord(p.status) ? p.status : undefined;
  const operation = isRecord(entry.operation) ? entry.operation : undefined;
  const callerIp = meta ? str(meta.callerIp) : undefined;
  const grpc = status ? (typeof status.code === 'number' ? status.code : 0) : undefined;
  const timestamp = str(entry.timestamp);

  const event: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    auditID: (operation ? str(operation.id) : undefined) ?? str(entry.insertId),
    stage: 'ResponseComplete',
    requestURI: requestPath(ref),
    verb,
    user: { username: auth ? str(auth.principalEmail) : undefined },
    sourceIPs: callerIp ? [callerIp] : undefined,
    userAgent: meta ? str(meta.callerSuppliedUserAgent) : undefined,
    objectRef: {
      resource: ref.resource,
      namespace: ref.namespace,
      name: ref.name,
      subresource: ref.subresource,
      apiGroup: ref.group || undefined,
      apiVersion: ref.version,
    },
    responseStatus:
      grpc === undefined ? undefined : { code: GRPC_TO_HTTP[grpc] ?? 500, message: status ? str(status.message) : undefined },
    requestObject: p.request,
    responseObject: p.response,
    annotations: isRecord(entry.labels) ? entry.labels : undefined,
    requestReceivedTimestamp: timestamp,
    stageTimestamp: timestamp,
  };
  const resource = isRecord(entry.resource) ? entry.resource : undefined;
  const labels = resource && isRecord(resource.labels) ? resource.labels : undefined;
  const wrapper: Record<string, unknown> = {
    via: 'protoPayload',
    format: 'gcp-auditlog',
    methodName: method,
    resourceName,
    grpcCode: grpc,
    insertId: str(entry.insertId),
    logName: str(entry.logName),
    cluster: labels ? str(labels.cluster_name) : undefined,
    project: labels ? str(labels.project_id) : undefined,
    location: labels ? str(labels.location) : undefined,
  };
  return { event, wrapper };
}

interface GcpObjectRef {
  group: string;
  version: string;
  namespace: string | undefined;
  resource: string;
  name: string | undefined;
  subresource: string | undefined;
}

function objectRefFromResourceName(resourceName: string): GcpObjectRef | null {
  const segs = resourceName.split('/');
  if (segs.length < 3 || segs.length > 8 || segs.some((s) => s.length === 0)) return null;
  const group = segs[0] === 'core' ? '' : segs[0]!;
  const version = segs[1]!;
  let rest = segs.slice(2);
  let namespace: string | undefined;
  // `namespaces/<ns>/<resource>…`; `namespaces/<ns>` alone is the namespace object itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) return null;
  return { group, version, namespace, resource: rest[0]!, name: rest[1], subresource: rest[2] };
}

/** The API server path the request went to (https://kubernetes.io/docs/reference/using-api/api-concepts/). */
function requestPath(ref: GcpObjectRef): string {
  let path = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (ref.namespace) path += `/namespaces/${ref.namespace}`;
  path += `/${ref.resource}`;
  if (ref.name) path += `/${ref.name}`;
  if (ref.subresource) path += `/${ref.subresource}`;
  return path;
}
