import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { mulberry32 } from '../../core/mulberry32.js';
import { loadRuleSet } from './rule-loader.js';
import type { RuleHit } from './compiled-rule.js';
import type { GpuWindow } from './gpu-window.js';
import { createSpecSet } from './spec-set.js';
import { namespaceOfJobKey } from './spec-job.js';
import { createRuleEngine } from './engine.js';
import type { SpecProgram } from './spec-program.js';
import { appEvent, auditEvent, MIN, readRuleFiles, T0 } from './fixtures.test-support.js';

// Specs that see the same inputs share one job table. That must be invisible: the hits equal
// those of each spec over its own table, also when jobs are evicted (a tiny table here).
const specs = loadRuleSet(readRuleFiles('specs')).rules.map((r) => r.spec!).filter(Boolean) as SpecProgram[];

function stream(seed: number, n: number): Array<EventRecord | GpuWindow> {
  const r = mulberry32(seed);
  const pick = <T>(l: readonly T[]): T => l[Math.floor(r() * l.length)]!;
  const out: Array<EventRecord | GpuWindow> = [];
  for (let i = 0; i < n; i++) {
    const ts = T0 + i * MIN;
    const job = `job-${Math.floor(r() * 12)}`;
    const ns = pick(['ml-train', 'serving', 'ray', 'default', 'research-x']);
    if (r() < 0.1) {
      out.push({ job, node: 'n1', gpu: '0', start: ts - 5 * MIN, end: ts, fields: { DCGM_FI_DEV_GPU_UTIL: { mean: r() * 100, max: 100, min: 0 }, DCGM_FI_DEV_FB_USED: { mean: 900, max: r() * 3000, min: 0 } } });
    } else if (r() < 0.2) {
      const labels = r() < 0.5 ? { 'ray.io/cluster': 'c1' } : { app: 'x' };
      out.push({ ...auditEvent({ verb: 'create', user: { username: pick(['system:serviceaccount:ray:ray-head', 'mallory']) }, objectRef: { resource: 'pods', namespace: ns }, requestObject: { metadata: { labels } } }), ts, job, namespace: ns });
    } else {
      const attrs: Record<string, unknown> = {};
      if (r() < 0.4) attrs.path = pick(['/data/a', '/etc/shadow', '/mnt/ckpt/1.pt', '/tmp/x.gguf']);
      if (r() < 0.2) attrs.destination = pick(['https://transfer.sh/x', 's3://corp-x/y', '10.1.2.3:9000', 'huggingface.co']);
      if (r() < 0.3) attrs.bytes = Math.floor(r() * 3 * 2 ** 30);
      if (r() < 0.1) attrs.exec = { command: pick([['nvidia-smi'], ['tar', 'cf', '-', '/ckpt']]) };
      out.push(appEvent(ts, pick(['dataset_read', 'checkpoint_save', 'upload', 'model_export', 'train_step']), { job, namespace: ns, actor: pick(['system:serviceaccount:ml-train:trainer', 'alice@corp.example', 'mallory']) }, attrs));
    }
  }
  return out;
}

function run(set: ReturnType<typeof createSpecSet>[], items: Array<EventRecord | GpuWindow>): string[] {
  const lines: string[] = [];
  for (const it of items) {
    const out: RuleHit[] = [];
    for (const s of set) {
      if ('end' in it) for (const g of s.gpu) g?.(it, out);
      else {
        const a = it.attrs.audit;
        s.event(it, { audit: a !== null && typeof a === 'object' ? (a as Record<string, unknown>) : null }, out);
      }
    }
    lines.push(out.map((h) => `${h.ruleId}: ${h.reason}`).join(' | '));
  }
  return lines;
}

describe('spec set', () => {
  it('shares job tables without changing a hit, evictions included', () => {
    expect(specs.length).toBeGreaterThanOrEqual(3);
    for (const maxJobsPerSpec of [3, 4096]) {
      const items = stream(17 + maxJobsPerSpec, 1500);
      const limits = { maxKeysPerRule: 4096, maxJobsPerSpec };
      const shared = run([createSpecSet(specs, limits)], items);
      // GPU evaluators of a shared set run spec by spec, in order, like separate sets.
      const separate = run(specs.map((p) => createSpecSet([p], limits)), items);
      expect(shared).toEqual(separate);
      expect(shared.filter((l) => l.length > 0).length).toBeGreaterThan(50);
    }
  });
});

// selector.namespaces means the job's own namespace (spec-schema.ts). An audit event's namespace is
// the touched object's: a training job acting in kube-system or inference is still a training job.
describe('spec selection: the job key names the namespace', () => {
  const SA = 'system:serviceaccount:ml-train:whisper-ft-trainer';
  const JOB = 'ml-train/whisper-ft';
  const podToken = { username: SA, extra: { 'authentication.kubernetes.io/pod-name': ['whisper-ft-master-0'] } };
  const engine = () => createRuleEngine(loadRuleSet(readRuleFiles('specs')).rules);
  const ids = (hits: RuleHit[]) => hits.map((h) => h.ruleId).sort();
  const at = (e: EventRecord, ts: number): EventRecord => ({ ...e, ts });

  it('reads the namespace of `<namespace>/<name>` keys only', () => {
    expect(namespaceOfJobKey('ml-train/whisper-ft')).toBe('ml-train');
    expect(namespaceOfJobKey('a/b/c')).toBe('a');
    for (const k of ['whisper-ft', 'gpu-node-01', '/x', 'ml-train/', 'ML-TRAIN/x', 'a b/x', `${'a'.repeat(64)}/x`, '-a/x']) expect(namespaceOfJobKey(k)).toBeNull();
  });

  it("keeps judging a training job's cross-namespace actions by the training spec, not the other namespace's", () => {
    const e = engine();
    const create = auditEvent({ verb: 'create', user: { username: 'system:kube-controller-manager' }, objectRef: { resource: 'pods', namespace: 'ml-train', name: 'whisper-ft-master-0' } }, 1, JOB);
    expect(ids(e.evaluate(at(create, T0)))).toEqual([]);
    // Secrets and pods read in another namespace by the job's own token: the training spec allows
    // its own service account; the inference spec's actor list must not start applying.
    const list = auditEvent({ verb: 'list', user: podToken, objectRef: { resource: 'secrets', namespace: 'inference' } }, 2, JOB);
    expect(ids(e.evaluate(at(list, T0 + MIN)))).toEqual([]);
    const pods = auditEvent({ verb: 'list', user: podToken, objectRef: { resource: 'pods', namespace: 'inference' } }, 3, JOB);
    expect(ids(e.evaluate(at(pods, T0 + 2 * MIN)))).toEqual([]);
    // A secret read through exec into a kube-system pod, and an app-reported secret read there:
    // still violations of the training spec (kube-system itself is selected by no spec).
    const exec = auditEvent({ verb: 'create', user: podToken, objectRef: { resource: 'pods', subresource: 'exec', namespace: 'kube-system', name: 'coredns-0' } }, 4, JOB);
    exec.attrs.exec = { command: ['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'] };
    expect(ids(e.evaluate(at(exec, T0 + 3 * MIN)))).toEqual(['SPEC-TRAINING-DEFAULT/exec']);
    const read = appEvent(T0 + 4 * MIN, 'secret_read', { job: JOB, namespace: 'kube-system', actor: SA }, { path: '/etc/kubernetes/pki/ca.key' });
    expect(ids(e.evaluate(read))).toEqual(['SPEC-TRAINING-DEFAULT/data.paths']);
    // A namespace-like field written in another case does not move the job out of its spec either.
    const upper = appEvent(T0 + 5 * MIN, 'dataset_read', { job: JOB, namespace: 'ML-TRAIN', actor: SA }, { path: '/etc/shadow' });
    expect(ids(e.evaluate(upper))).toEqual(['SPEC-TRAINING-DEFAULT/data.paths']);
  });

  it('judges GPU windows of a namespaced key by its namespace before any event', () => {
    const w: GpuWindow = { job: JOB, node: 'n', gpu: '0', start: T0, end: T0 + 5 * MIN, fields: { DCGM_FI_DEV_GPU_UTIL: { mean: 1, max: 2, min: 0 } } };
    expect(ids(engine().evaluateGpuWindow(w))).toEqual(['SPEC-TRAINING-DEFAULT/gpu.utilization']);
  });

  it('keeps learning the namespace from events for keys without one (app job_id)', () => {
    const e = engine();
    const serve = (ts: number, namespace: string) => appEvent(ts, 'model_read', { job: 'llm-serve', namespace, actor: 'alice@corp.example' }, { path: '/etc/shadow' });
    expect(ids(e.evaluate(serve(T0, 'inference')))).toEqual(['SPEC-INFERENCE-SERVING/data.paths']);
    expect(ids(e.evaluate(serve(T0 + MIN, 'ml-train')))).toEqual(['SPEC-TRAINING-DEFAULT/data.paths']);
  });
});
