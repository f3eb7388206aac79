/**
 * Field names for MLShield rules over normalised events (DESIGN.md `events`): source, action,
 * resource, actor, namespace, job, node, gpu, outcome, `attrs.<path>` (any depth, e.g.
 * `attrs.bytes`, `attrs.exec.command`, `attrs.audit.objectRef.subresource`), and `sourceIP`: the
 * first of the audit event's `sourceIPs`, else `attrs.sourceIP` / `source_ip` / `client_addr` (app events);
 * `destinationHost`: the host of `attrs.destination` (else `attrs.url`), lower-case, without port
 * or brackets — so rules test hosts with `cidr` / `endswith` instead of regexes over URLs;
 * `destination`: `attrs.destination`, else `attrs.url` (one field for "where did the bytes go");
 * `actorNamespace`: the namespace of a service-account actor (where its token belongs).
 * GPU-window rules use job, node, gpu, `duration` (seconds) and `<DCGM field>[.mean|.max|.min]`.
 */
import type { EventRecord } from '../../core/records.js';
import { compilePath, pathError } from './field-path.js';
import type { FieldLookup, FieldResolver } from './detection.js';
import type { GpuWindow } from './gpu-window.js';
import { parseDestination } from './egress-match.js';

export const EVENT_FIELDS = ['source', 'action', 'resource', 'actor', 'actorNamespace', 'namespace', 'job', 'node', 'gpu', 'outcome', 'sourceIP', 'destination', 'destinationHost'] as const;

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
/** Namespaces are DNS labels (≤ 63 characters): a longer segment is not one. */
const MAX_NAMESPACE = 63;

/**
 * The namespace of a service-account actor (`system:serviceaccount:<namespace>:<name>`), else
 * null: where a workload's token belongs, to compare with where it is used.
 */
export function actorNamespace(e: EventRecord): string | null {
  const a = e.actor;
  if (typeof a !== 'string' || !a.startsWith(SERVICE_ACCOUNT_PREFIX)) return null;
  const end = a.indexOf(':', SERVICE_ACCOUNT_PREFIX.length);
  if (end <= SERVICE_ACCOUNT_PREFIX.length || end - SERVICE_ACCOUNT_PREFIX.length > MAX_NAMESPACE) return null;
  return a.slice(SERVICE_ACCOUNT_PREFIX.length, end);
}

/** The source IP of an event, if it has one. */
export function eventSourceIp(e: EventRecord): string | null {
  const audit = e.attrs.audit;
  if (audit !== null && typeof audit === 'object') {
    const ips = (audit as Record<string, unknown>).sourceIPs;
    if (Array.isArray(ips) && typeof ips[0] === 'string') return ips[0];
  }
  // App events: the seed's shape has no fixed name; Ray's job API logs `client_addr`.
  const a = e.attrs.sourceIP ?? e.attrs.source_ip ?? e.attrs.client_addr;
  return typeof a === 'string' ? a : null;
}

/** The host an app event sends to or fetches from, if it names one. */
export function eventDestinationHost(e: EventRecord): string | null {
  const d = eventDestination(e);
  return d === null ? null : (parseDestination(d)?.host ?? null);
}

/** Where an app event sends or fetches bytes: `attrs.destination`, else `attrs.url`. */
export function eventDestination(e: EventRecord): string | null {
  const a = e.attrs;
  return typeof a.destination === 'string' ? a.destination : typeof a.url === 'string' ? a.url : null;
}

const TOP: Readonly<Record<string, (e: EventRecord) => unknown>> = {
  source: (e) => e.source,
  action: (e) => e.action,
  resource: (e) => e.resource,
  actor: (e) => e.actor,
  actorNamespace,
  namespace: (e) => e.namespace,
  job: (e) => e.job,
  node: (e) => e.node,
  gpu: (e) => e.gpu,
  outcome: (e) => e.outcome,
  sourceIP: eventSourceIp,
  destination: eventDestination,
  destinationHost: eventDestinationHost,
};

/** Fields computed from others (not an EventRecord property of that name: never fused). */
const DERIVED = new Set(['sourceIP', 'destination', 'destinationHost', 'actorNamespace']);

/** Fields every event has whatever it is about: tested last within a selection (they rarely fail). */
const UNSELECTIVE = new Set(['source', 'outcome']);

export const eventFieldResolver: FieldResolver<EventRecord> = {
  field(name): FieldLookup<EventRecord> {
    const top = Object.prototype.hasOwnProperty.call(TOP, name) ? TOP[name] : undefined;
    // Own EventRecord properties can be fused with their test (detection.ts); derived ones cannot.
    if (top) return { get: top, cost: UNSELECTIVE.has(name) ? 1 : 0, ...(DERIVED.has(name) ? {} : { prop: name }) };
    if (name.startsWith('attrs.')) {
      const rest = name.slice(6);
      const err = pathError(rest);
      if (err) return { error: err };
      const get = compilePath(rest);
      return { get: (e) => get(e.attrs), cost: 1 };
    }
    return { error: `unknown event field '${name}' (known: ${EVENT_FIELDS.join(', ')}, attrs.<path>)` };
  },
  keywords: (e) => [e.action, e.resource, e.actor, e.job, e.attrs],
};

const GPU_TOP: Readonly<Record<string, (w: GpuWindow) => unknown>> = {
  job: (w) => w.job,
  node: (w) => w.node,
  gpu: (w) => w.gpu,
  duration: (w) => (w.end - w.start) / 1e6,
};

export const gpuFieldResolver: FieldResolver<GpuWindow> = {
  field(name): FieldLookup<GpuWindow> {
    const top = Object.prototype.hasOwnProperty.call(GPU_TOP, name) ? GPU_TOP[name] : undefined;
    if (top) return { get: top, cost: 0 };
    const m = /^([A-Z][A-Z0-9_]{1,80})(?:\.(mean|max|min))?$/.exec(name);
    if (!m) return { error: `unknown GPU-window field '${name}' (known: job, node, gpu, duration, <DCGM_FIELD>[.mean|.max|.min])` };
    const field = m[1]!;
    const stat = (m[2] ?? 'mean') as 'mean' | 'max' | 'min';
    return {
      get: (w) => {
        const fields: unknown = w.fields;
        if (fields === null || typeof fields !== 'object') return undefined;
        const f = Object.prototype.hasOwnProperty.call(fields, field) ? (fields as GpuWindow['fields'])[field] : undefined;
        return f !== null && typeof f === 'object' ? f[stat] : undefined;
      },
      cost: 0,
    };
  },
  keywords: null,
};
