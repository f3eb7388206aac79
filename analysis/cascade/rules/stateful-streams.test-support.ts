/**
 * Test-only seeded event streams for the stateful-rule oracle (stateful-oracle.test.ts): bursts
 * and slow drips around a threshold, timestamps exactly one window (± 1 µs) after an earlier
 * event or on a sum bucket's edge, equal timestamps, several keys (absent, empty, numeric,
 * array-wrapped, 300 characters long, containing the key separator), and hostile amounts.
 */
import type { EventRecord } from '../../core/records.js';
import type { GpuWindow } from './gpu-window.js';
import { pick } from './stateful-oracle.test-support.js';

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0) * 1000;

/** What a template puts into an event: the key fields, the distinct value and the amount. */
export interface Knobs {
  actor: string | null;
  job: string | null;
  distinct: unknown;
  amount: unknown;
  k1: unknown;
  k2: unknown;
}

export type Template = (k: Knobs) => EventRecord;

let line = 0;
export function appTemplate(action: string, extra: Record<string, unknown> = {}): Template {
  return (k) => ({
    ts: 0, source: 'app', actor: k.actor, action, namespace: null, job: k.job, node: null, gpu: null, outcome: null, line: ++line, offset: 0,
    resource: typeof k.distinct === 'string' ? (action.includes('get') || action.includes('secret') ? `secrets/${k.distinct}` : k.distinct) : null,
    attrs: { ...extra, path: k.distinct, input_hash: k.distinct, bytes: k.amount, requests: k.amount, v: k.distinct, n: k.amount, k1: k.k1, k2: k.k2 },
  });
}

export function auditTemplate(verb: string, resource: string, code: number, exec?: string[], requestObject?: unknown): Template {
  return (k) => ({
    ts: 0, source: 'k8s_audit', actor: k.actor, action: verb, namespace: 'ml', job: k.job, node: null, gpu: null, outcome: String(code), line: ++line, offset: 0,
    resource: exec ? `${resource}/exec` : resource,
    attrs: {
      objectName: k.distinct, code, ...(exec ? { subresource: 'exec', exec: { command: exec } } : {}),
      audit: {
        verb, user: { username: k.actor }, objectRef: { resource, namespace: 'ml', name: k.distinct, ...(exec ? { subresource: 'exec' } : {}) }, responseStatus: { code },
        ...(requestObject === undefined ? {} : { requestObject }),
      },
    },
  });
}

const LONG = 'L'.repeat(300);
export const ACTORS: ReadonlyArray<string | null> = [
  'alice', 'bob', 'mallory', 'a', 'a\u001fb', 'system:serviceaccount:ml:evil', 'svc-batch', 'system:node:n1', `${LONG}1`, `${LONG}2`, '', null,
];
export const JOBS: ReadonlyArray<string | null> = ['j1', 'j2', 'c', 'b\u001fc', `${LONG}x`, `${LONG}y`, null];
/** Values for attrs keys (any JSON): the first scalar decides, collisions between '1' and 1 are meant. */
export const ODD_VALUES: readonly unknown[] = [
  'p', 'q', 1, '1', true, 'true', ['p'], [[['q']]], [[[[['deep']]]]], [], {}, null, undefined, `${LONG}1`, `${LONG}2`, 'a\u001fb', 'a', '',
];

export function amountPool(typical: number): unknown[] {
  const t = Math.max(1, Math.round(typical));
  return [t, t, t, Math.round(t / 3), 2 * t, String(t), ` ${t} `, `${t}e0`, [t], 0.5, 0, -t, '-5', 'NaN', 'abc', '', NaN, Infinity, 1e308, Number.MAX_VALUE, 1e300, 2 ** 60, '9'.repeat(40), null];
}

export interface StreamShape {
  r: () => number;
  /** Window length or sequence limit, µs. */
  size: number;
  /** How many hot events one window should hold (≈ the threshold). */
  perWindow: number;
  length: number;
  hot: readonly Template[];
  noise: readonly Template[];
  /** Keys most events use; attrs keys k1/k2 random unless given. */
  hotKeys: ReadonlyArray<Pick<Knobs, 'actor' | 'job'> & Partial<Pick<Knobs, 'k1' | 'k2'>>>;
  actors: ReadonlyArray<string | null>;
  jobs: ReadonlyArray<string | null>;
  distinct: readonly unknown[];
  amounts: readonly unknown[];
  odd: readonly unknown[];
  /** Sum rules: bucket width (timestamps also land on bucket edges). */
  bucket?: number;
  /** Out of order: this share of events carries a time up to a tenth of a window in the past. */
  lateShare?: number;
  /** GPU windows mixed in (sequence rules with GPU steps): job → window. */
  gpu?: (job: string | null, end: number, r: () => number) => GpuWindow;
}

export type StreamItem = { kind: 'event'; e: EventRecord } | { kind: 'gpu'; w: GpuWindow };

/** Timestamps never go back; a phase (burst, drip, pause) lasts a few dozen events. */
export function makeStream(s: StreamShape): StreamItem[] {
  const { r } = s;
  const out: StreamItem[] = [];
  const times: number[] = [];
  let ts = T0 + Math.floor(r() * 1e6);
  let factor = 1;
  for (let i = 0; i < s.length; i++) {
    // Phases: bursts over the threshold's rate, drips just under it, pauses.
    if (i % Math.max(40, s.perWindow) === 0) factor = pick(r, [0.3, 0.6, 1, 1.4, 1.7, 2.5]);
    const roll = r();
    if (roll < 0.15) {
      // equal timestamp
    } else if (roll < 0.27 && times.length) {
      // The moment the oldest event still in the window leaves it (± 1 µs).
      let lo = 0;
      let hi = times.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (times[mid]! > ts - s.size) hi = mid;
        else lo = mid + 1;
      }
      // (A long jump — a sparse window — only now and then: it would spread the stream thin.)
      const to = lo < times.length ? times[lo]! + s.size + pick(r, [-1, 0, 0, 1]) : ts;
      if (to - ts <= (3 * s.size * factor) / Math.max(1, s.perWindow) || r() * s.perWindow < 0.5) ts = Math.max(ts, to);
    } else if (roll < 0.33 && s.bucket) {
      ts = Math.max(ts, Math.round(Math.ceil(ts / s.bucket) * s.bucket) + pick(r, [-1, 0, 1]));
    } else if (r() * 3 * s.perWindow < 1) {
      ts += s.size * pick(r, [1, 2, 3]);
    } else {
      ts += Math.floor((r() * 2 * s.size * factor) / Math.max(1, s.perWindow));
    }
    times.push(ts);
    // The first hot key carries most of the traffic (so it reaches thresholds); others interleave.
    const hotKey = r() < 0.85;
    const k = hotKey ? (r() < 0.6 ? s.hotKeys[0]! : pick(r, s.hotKeys)) : { actor: pick(r, s.actors), job: pick(r, s.jobs) };
    const knobs: Knobs = { k1: pick(r, s.odd), k2: pick(r, s.odd), ...k, distinct: pick(r, s.distinct), amount: pick(r, s.amounts) };
    if (s.gpu && r() < 0.1) {
      out.push({ kind: 'gpu', w: s.gpu(k.job, ts, r) });
      continue;
    }
    const e = (hotKey && r() < 0.85 ? pick(r, s.hot) : pick(r, s.noise))(knobs);
    const late = s.lateShare && r() < s.lateShare ? Math.floor((r() * s.size) / 10) : 0;
    out.push({ kind: 'event', e: { ...e, ts: ts - late } });
  }
  return out;
}

/** The app/audit vocabulary the shipped rules use (mlshield/README.md), with flag variants. */
export function vocabularyTemplates(): Template[] {
  const actions = [
    'dataset_write', 'data_write', 'dataset_delete', 'dataset_read', 'inference_query', 'model_query', 'predict', 'generate', 'completion',
    'inference_usage', 'train_step', 'step', 'download', 'object_get', 'checkpoint_load', 'checkpoint_read', 'checkpoint_copy',
    'checkpoint_download', 'model_download', 'k8s_get', 'secret_read', 'upload', 'artifact_upload', 'registry_push', 'object_put',
    'file_upload', 'http_post', 'push', 'checkpoint_upload', 'model_export', 'model_convert', 'quantize', 'archive_create', 'encrypt', 'heartbeat',
  ];
  const extras: Array<Record<string, unknown>> = [
    {}, { logprobs: true }, { logprobs: 7 }, { top_logprobs: 10 }, { destination: 'https://drop.example/x' }, { destination: 's3://bucket/x' }, { url: 'http://10.1.2.3/u' },
  ];
  const out: Template[] = [];
  for (const a of actions) for (const x of extras) out.push(appTemplate(a, x));
  for (const code of [200, 401, 403, 404]) {
    out.push(auditTemplate('get', 'secrets', code), auditTemplate('list', 'secrets', code), auditTemplate('get', 'pods', code));
  }
  out.push(
    auditTemplate('create', 'pods', 101, ['tar', 'cf', '-', '/w/model.safetensors']),
    auditTemplate('create', 'pods', 101, ['tar', 'czf', '-', '/data']),
    auditTemplate('create', 'pods', 101, ['ls', '-l']),
    // Services: written with the Ray dashboard port, then made a NodePort (MLS-K8S-014), refused, or with the port in the patch.
    auditTemplate('create', 'services', 201, undefined, { kind: 'Service', spec: { type: 'ClusterIP', ports: [{ name: 'dashboard', port: 8265 }] } }),
    auditTemplate('create', 'services', 403, undefined, { kind: 'Service', spec: { ports: [{ port: 8265 }] } }),
    auditTemplate('patch', 'services', 200, undefined, { spec: { type: 'NodePort' } }),
    auditTemplate('patch', 'services', 403, undefined, { spec: { type: 'NodePort' } }),
    auditTemplate('patch', 'services', 200, undefined, { spec: { type: 'NodePort', ports: [{ port: 8265 }] } }),
  );
  return out;
}
