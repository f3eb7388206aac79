/**
 * Field names for Sigma rules with `logsource: {product: kubernetes, service: audit}`. The subject
 * is the original audit.k8s.io Event object, so any dotted path as Kubernetes writes it works
 * (`verb`, `user.username`, `objectRef.subresource`, `responseStatus.code`, `sourceIPs`,
 * `requestObject.spec.containers.image`, `annotations.authorization.k8s.io/decision`).
 *
 * SigmaHQ's Kubernetes rules also use a few abstract names that no audit Event carries literally;
 * they are derived here from the request body:
 *   apiGroup      → objectRef.apiGroup
 *   capabilities  → securityContext.capabilities.add of every container of the pod spec
 *   hostPath      → volumes[].hostPath.path of the pod spec
 * MLShield adds, in the same spirit: privileged (true per privileged container), hostNetwork,
 * hostPID, hostIPC, image, serviceAccountName. "The pod spec" is any pod-spec-shaped part of
 * `requestObject` a workload kind carries (a Pod's spec, a template's, a CronJob's, a training
 * operator's replica specs, KubeRay's groups…: pod-specs.ts `podSpecsOf`).
 * A JSON Patch body is read, in these and in any `requestObject.<path>`, as what it writes
 * (json-patch-view.ts).
 */
import { compilePath, pathError, MAX_FANOUT } from './field-path.js';
import type { FieldLookup, FieldResolver } from './detection.js';
import { requestObjectGetter } from './json-patch-view.js';
import { containersOf, obj, podSpecsOf } from './pod-specs.js';

export type AuditObject = Record<string, unknown>;

function orUndefined(out: unknown[]): unknown {
  return out.length ? out : undefined;
}

function capabilities(a: AuditObject): unknown {
  const out: unknown[] = [];
  for (const c of containersOf(a)) {
    const add = obj(obj(c.securityContext)?.capabilities)?.add;
    if (Array.isArray(add)) for (const x of add) if (typeof x === 'string' && out.length < MAX_FANOUT) out.push(x);
  }
  return orUndefined(out);
}

function privileged(a: AuditObject): unknown {
  const out: unknown[] = [];
  for (const c of containersOf(a)) {
    const p = obj(c.securityContext)?.privileged;
    if (p !== undefined) out.push(p);
  }
  return orUndefined(out);
}

function images(a: AuditObject): unknown {
  const out: unknown[] = [];
  for (const c of containersOf(a)) if (typeof c.image === 'string') out.push(c.image);
  return orUndefined(out);
}

function hostPaths(a: AuditObject): unknown {
  const out: unknown[] = [];
  for (const spec of podSpecsOf(a)) {
    const vols = spec.volumes;
    if (!Array.isArray(vols)) continue;
    for (const v of vols) {
      const p = obj(obj(v)?.hostPath)?.path;
      if (typeof p === 'string' && out.length < MAX_FANOUT) out.push(p);
    }
  }
  return orUndefined(out);
}

function podSpecField(key: string): (a: AuditObject) => unknown {
  return (a) => {
    const out: unknown[] = [];
    for (const spec of podSpecsOf(a)) if (spec[key] !== undefined) out.push(spec[key]);
    return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
  };
}

const DERIVED: Readonly<Record<string, (a: AuditObject) => unknown>> = {
  capabilities,
  hostPath: hostPaths,
  privileged,
  image: images,
  hostNetwork: podSpecField('hostNetwork'),
  hostPID: podSpecField('hostPID'),
  hostIPC: podSpecField('hostIPC'),
  serviceAccountName: podSpecField('serviceAccountName'),
};

const ALIASES: Readonly<Record<string, string>> = { apiGroup: 'objectRef.apiGroup' };

const BODY = 'requestObject';
const BODY_PREFIX = `${BODY}.`;

/**
 * A path below `requestObject`: on a JSON Patch body, read in what the patch writes
 * (json-patch-view.ts), so `requestObject.rules.verbs` sees a rule a patch adds to a Role.
 */
function requestObjectPath(path: string): (a: unknown) => unknown {
  return requestObjectGetter(compilePath(BODY), compilePath(path), compilePath(path.slice(BODY_PREFIX.length)));
}

export const auditFieldResolver: FieldResolver<AuditObject> = {
  field(name): FieldLookup<AuditObject> {
    // Own properties only: `toString` is not a derived field.
    const derived = Object.prototype.hasOwnProperty.call(DERIVED, name) ? DERIVED[name] : undefined;
    if (derived) return { get: derived, cost: 2 };
    const path = (Object.prototype.hasOwnProperty.call(ALIASES, name) ? ALIASES[name] : undefined) ?? name;
    const err = pathError(path);
    if (err) return { error: err };
    const get = path.startsWith(BODY_PREFIX) ? requestObjectPath(path) : compilePath(path);
    const simple = path.indexOf('.') < 0 && !/^\d+$/.test(path);
    return { get: get as (a: AuditObject) => unknown, cost: simple ? 0 : 1, ...(simple ? { prop: path } : {}) };
  },
  keywords: (a) => a,
  // Sigma keywords search the whole Event, nested values included (user.username, requestObject…).
  keywordsDeep: true,
};
