/**
 * Per-event feature vectors for the Layer-2 sequence model (DESIGN.md "The cascade", Layer 2). Every
 * feature is computed from the event record and the events before it in the same trajectory (plus,
 * for `dest_unfamiliar`, how many jobs of the same case send data to the same place) — never from
 * labels or generator-only fields. The vector layout is EVENT_FEATURES; the ONNX model's `features`
 * input is [batch, SEQUENCE_LENGTH, EVENT_FEATURES.length] windows of these rows.
 */
import type { EventRecord } from '../core/records.js';
import { ACTION_CATEGORIES, ACTOR_KINDS, RESOURCE_CATEGORIES, actionCategory, actorKind, resourceCategory } from './event-categories.js';
import { COMMAND_CATEGORIES, MODEL_FORMATS, commandCategoryBits, modelFormatOf, scanCommand } from './exec-command.js';
import { isPublicIp, parseDestination, type Destination } from './destination.js';

export const EVENT_FEATURES: readonly string[] = [
  'present',
  'src_k8s_audit',
  'src_app',
  ...ACTION_CATEGORIES.map((a) => `act_${a}`),
  ...RESOURCE_CATEGORIES.map((r) => `res_${r}`),
  'out_denied',
  'out_failure',
  ...ACTOR_KINDS.map((k) => `actor_${k}`),
  'actor_new',
  'actor_impersonated',
  'ua_kubectl',
  'src_ip_public',
  'distinct_resources_log',
  'gap_log',
  ...COMMAND_CATEGORIES.map((c) => `cmd_${c}`),
  'cmd_interactive',
  'dest_present',
  'dest_public_host',
  'dest_unfamiliar',
  'bytes_log',
  ...MODEL_FORMATS.map((f) => `fmt_${f}`),
  'hour_sin',
  'hour_cos',
];
export const EVENT_FEATURE_COUNT = EVENT_FEATURES.length;
/** Events per LSTM input window: the scored event and the 15 before it in its trajectory. */
export const SEQUENCE_LENGTH = 16;

const at = (name: string): number => {
  const i = EVENT_FEATURES.indexOf(name);
  if (i < 0) throw new Error(`unknown event feature ${name}`);
  return i;
};
const F_PRESENT = at('present');
const F_SRC_AUDIT = at('src_k8s_audit');
const F_SRC_APP = at('src_app');
const F_ACT0 = at(`act_${ACTION_CATEGORIES[0]}`);
const F_RES0 = at(`res_${RESOURCE_CATEGORIES[0]}`);
const F_DENIED = at('out_denied');
const F_FAILURE = at('out_failure');
const F_ACTOR0 = at(`actor_${ACTOR_KINDS[0]}`);
const F_ACTOR_NEW = at('actor_new');
const F_IMPERSONATED = at('actor_impersonated');
const F_UA_KUBECTL = at('ua_kubectl');
const F_SRC_IP_PUBLIC = at('src_ip_public');
const F_DISTINCT = at('distinct_resources_log');
const F_GAP = at('gap_log');
const F_CMD0 = at(`cmd_${COMMAND_CATEGORIES[0]}`);
const F_CMD_INTERACTIVE = at('cmd_interactive');
const F_DEST = at('dest_present');
const F_DEST_PUBLIC = at('dest_public_host');
const F_DEST_UNFAMILIAR = at('dest_unfamiliar');
const F_BYTES = at('bytes_log');
const F_FMT0 = at(`fmt_${MODEL_FORMATS[0]}`);
const F_HOUR_SIN = at('hour_sin');
const F_HOUR_COS = at('hour_cos');

/** Scales that bring the log features to about [0, 1]. */
const DISTINCT_SCALE = 1 / Math.log1p(256);
const GAP_SCALE = 1 / Math.log1p(86_400);
const BYTES_SCALE = 1 / Math.log1p(1e12);
/** Bounds on per-trajectory memory: a hostile trajectory can not grow these sets without end. */
const MAX_TRACKED = 4096;
/** A destination sent to by fewer distinct jobs of the case than this is unfamiliar. */
export const FAMILIAR_MIN_JOBS = 2;

/** App-event detail fields that name where data went (MLShield seed event `details`). */
const DESTINATION_FIELDS = ['destination', 'dest', 'url', 'target', 'remote', 'upload_url', 'endpoint'] as const;

/**
 * Case-wide context for the features that compare a trajectory to its neighbours: for each
 * destination key, how many distinct jobs of the case send there. Built from events only.
 */
export interface FeatureContext {
  destinationJobs: ReadonlyMap<string, number>;
}

export const EMPTY_FEATURE_CONTEXT: FeatureContext = { destinationJobs: new Map() };

/**
 * Builds the context event by event, so a pass that reads the case anyway (Layer 1's) can build it
 * without another pass. A "job" here is a trajectory as Layer 2 keys it (layer2-scorer.ts
 * trajectoryKey): the job, or for job-less events their actor, so that job-less actors sending to
 * one place count apart (as one job they made any destination look familiar to a second job).
 */
export class FeatureContextBuilder {
  private readonly jobsByKey = new Map<string, Set<string>>();

  add(e: EventRecord): void {
    const dests = eventDestinations(e);
    if (dests.length === 0) return;
    // Tagged as trajectoryKey tags them: no job name can equal an actor's key.
    const job = e.job !== null ? `job:${e.job}` : `actor:${e.actor ?? ''}`;
    for (const d of dests) {
      let jobs = this.jobsByKey.get(d.key);
      if (!jobs) {
        if (this.jobsByKey.size >= 65_536) continue;
        this.jobsByKey.set(d.key, (jobs = new Set()));
      }
      if (jobs.size < 64) jobs.add(job);
    }
  }

  build(): FeatureContext {
    const destinationJobs = new Map<string, number>();
    for (const [k, v] of this.jobsByKey) destinationJobs.set(k, v.size);
    return { destinationJobs };
  }
}

/** The context for one case (or one benchmark incident): every event of every trajectory in it. */
export function buildFeatureContext(events: Iterable<EventRecord>): FeatureContext {
  const b = new FeatureContextBuilder();
  for (const e of events) b.add(e);
  return b.build();
}

function execArgv(attrs: Record<string, unknown>): readonly unknown[] | null {
  const exec = attrs.exec;
  if (exec === null || typeof exec !== 'object') return null;
  const cmd = (exec as { command?: unknown }).command;
  return Array.isArray(cmd) ? cmd : null;
}

/** Where an event sends data: upload destinations of app events, URLs and remotes in exec commands. */
export function eventDestinations(e: EventRecord, tokens?: readonly string[]): Destination[] {
  const out: Destination[] = [];
  const attrs = e.attrs;
  if (e.source === 'app') {
    for (const f of DESTINATION_FIELDS) {
      const v = attrs[f];
      if (typeof v === 'string') {
        const d = parseDestination(v);
        if (d) out.push(d);
      }
    }
    return out;
  }
  const argv = tokens ? null : execArgv(attrs);
  const words = tokens ?? (argv ? scanCommand(argv).tokens : null);
  if (words) {
    for (const t of words) {
      if (t.charCodeAt(0) === 45 /* - */) continue;
      const d = parseDestination(t);
      if (d && out.length < 8) out.push(d);
    }
  }
  return out;
}

/**
 * Feature rows for one trajectory's events, in the order given (time order). Stateful: actor
 * novelty, distinct resources and the gap to the previous event depend on what came before.
 */
export class TrajectoryFeaturizer {
  private readonly actors = new Set<string>();
  private readonly resources = new Set<string>();
  private prevTs: number | null = null;

  constructor(private readonly context: FeatureContext = EMPTY_FEATURE_CONTEXT) {}

  /** Writes the event's EVENT_FEATURE_COUNT values into `out` at `offset` (the slots are overwritten). */
  next(e: EventRecord, out: Float32Array, offset: number): void {
    out.fill(0, offset, offset + EVENT_FEATURE_COUNT);
    const attrs = e.attrs ?? {};
    const subresource = typeof attrs.subresource === 'string' ? attrs.subresource : undefined;
    out[offset + F_PRESENT] = 1;
    out[offset + (e.source === 'app' ? F_SRC_APP : F_SRC_AUDIT)] = 1;
    out[offset + F_ACT0 + ACTION_CATEGORIES.indexOf(actionCategory(e, subresource))] = 1;
    out[offset + F_RES0 + RESOURCE_CATEGORIES.indexOf(resourceCategory(e, subresource))] = 1;

    const outcome = e.outcome;
    if (outcome === 'denied') out[offset + F_DENIED] = 1;
    else if (outcome === 'failure' || (outcome !== null && outcome.length === 3 && outcome >= '400' && outcome <= '599')) out[offset + F_FAILURE] = 1;

    out[offset + F_ACTOR0 + ACTOR_KINDS.indexOf(actorKind(e.actor))] = 1;
    const actor = e.actor ?? '';
    if (!this.actors.has(actor)) {
      out[offset + F_ACTOR_NEW] = 1;
      if (this.actors.size < MAX_TRACKED) this.actors.add(actor);
    }
    if (typeof attrs.impersonatedUser === 'string' && attrs.impersonatedUser.length > 0) out[offset + F_IMPERSONATED] = 1;
    if (typeof attrs.userAgent === 'string' && attrs.userAgent.startsWith('kubectl')) out[offset + F_UA_KUBECTL] = 1;
    const ips = attrs.sourceIPs;
    if (Array.isArray(ips)) {
      for (let i = 0; i < ips.length && i < 8; i++) {
        const ip = ips[i];
        if (typeof ip === 'string' && ip.length <= 64 && isPublicIp(ip)) {
          out[offset + F_SRC_IP_PUBLIC] = 1;
          break;
        }
      }
    }

    const name = typeof attrs.objectName === 'string' ? attrs.objectName : '';
    const resourceKey = `${e.namespace ?? ''}|${e.resource ?? ''}|${name}`;
    if (this.resources.size < MAX_TRACKED && resourceKey.length <= 1024) this.resources.add(resourceKey);
    out[offset + F_DISTINCT] = Math.min(1, Math.log1p(this.resources.size) * DISTINCT_SCALE);

    const ts = Number.isFinite(e.ts) ? e.ts : null;
    if (this.prevTs !== null && ts !== null) {
      const gapSeconds = Math.max(0, (ts - this.prevTs) / 1e6);
      out[offset + F_GAP] = Math.min(1.5, Math.log1p(gapSeconds) * GAP_SCALE);
    }
    if (ts !== null && (this.prevTs === null || ts > this.prevTs)) this.prevTs = ts;

    let formatBits = 0;
    const argv = e.source === 'k8s_audit' ? execArgv(attrs) : null;
    const scanned = argv ? scanCommand(argv) : null;
    if (scanned) {
      const tokens = scanned.tokens;
      const bits = commandCategoryBits(scanned);
      for (let k = 0; k < COMMAND_CATEGORIES.length; k++) if (bits & (1 << k)) out[offset + F_CMD0 + k] = 1;
      const exec = attrs.exec as { tty?: unknown; stdin?: unknown };
      if (exec.tty === true || exec.stdin === true) out[offset + F_CMD_INTERACTIVE] = 1;
      for (const t of tokens) formatBits |= formatBit(t);
    }

    const dests = eventDestinations(e, scanned?.tokens);
    if (dests.length > 0) {
      out[offset + F_DEST] = 1;
      for (const d of dests) {
        if (d.publicHost) out[offset + F_DEST_PUBLIC] = 1;
        if ((this.context.destinationJobs.get(d.key) ?? 0) < FAMILIAR_MIN_JOBS) out[offset + F_DEST_UNFAMILIAR] = 1;
      }
    }

    const bytes = numberOf(attrs.bytes) ?? numberOf(attrs.size_bytes);
    if (bytes !== null && bytes > 0) out[offset + F_BYTES] = Math.min(1.5, Math.log1p(bytes) * BYTES_SCALE);

    if (typeof attrs.format === 'string') formatBits |= formatBit(attrs.format);
    if (typeof attrs.path === 'string') formatBits |= formatBit(attrs.path);
    if (e.source === 'app' && e.resource) formatBits |= formatBit(e.resource);
    for (const f of DESTINATION_FIELDS) {
      const v = attrs[f];
      if (typeof v === 'string') formatBits |= formatBit(v);
    }
    for (let k = 0; k < MODEL_FORMATS.length; k++) if (formatBits & (1 << k)) out[offset + F_FMT0 + k] = 1;

    if (ts !== null) {
      const secondsOfDay = (((ts / 1e6) % 86_400) + 86_400) % 86_400;
      const angle = (2 * Math.PI * secondsOfDay) / 86_400;
      out[offset + F_HOUR_SIN] = Math.sin(angle);
      out[offset + F_HOUR_COS] = Math.cos(angle);
    }
  }
}

function formatBit(text: string): number {
  const f = modelFormatOf(text);
  return f === null ? 0 : 1 << MODEL_FORMATS.indexOf(f);
}

/**
 * A count from a number or a numeric string; null for NaN and non-numbers. +Infinity (a count that
 * overflows a double, e.g. "1e999") is kept: the feature saturates rather than reading it as no bytes.
 */
function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'string' && v.length > 0 && v.length <= 24) {
    const n = Number(v);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}

/** Feature rows (events.length × EVENT_FEATURE_COUNT) for one trajectory's events in time order. */
export function trajectoryFeatureRows(events: readonly EventRecord[], context: FeatureContext = EMPTY_FEATURE_CONTEXT): Float32Array {
  const rows = new Float32Array(events.length * EVENT_FEATURE_COUNT);
  const f = new TrajectoryFeaturizer(context);
  for (let i = 0; i < events.length; i++) f.next(events[i]!, rows, i * EVENT_FEATURE_COUNT);
  return rows;
}

/**
 * Copies the window ending at event `index` (SEQUENCE_LENGTH rows, left-padded with zero rows whose
 * `present` flag is 0) into `out` at `outOffset`.
 */
export function copySequenceWindow(rows: Float32Array, index: number, out: Float32Array, outOffset: number): void {
  const d = EVENT_FEATURE_COUNT;
  const first = index - SEQUENCE_LENGTH + 1;
  for (let s = 0; s < SEQUENCE_LENGTH; s++) {
    const src = first + s;
    const dst = outOffset + s * d;
    if (src < 0) out.fill(0, dst, dst + d);
    else out.set(rows.subarray(src * d, src * d + d), dst);
  }
}

/** Every event's window (events × SEQUENCE_LENGTH × EVENT_FEATURE_COUNT), the LSTM's input for a whole trajectory. */
export function trajectoryWindows(rows: Float32Array): Float32Array {
  const n = rows.length / EVENT_FEATURE_COUNT;
  const stride = SEQUENCE_LENGTH * EVENT_FEATURE_COUNT;
  const out = new Float32Array(n * stride);
  for (let i = 0; i < n; i++) copySequenceWindow(rows, i, out, i * stride);
  return out;
}
