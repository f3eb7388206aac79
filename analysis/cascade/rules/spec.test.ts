import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './rule-loader.js';
import { createRuleEngine } from './engine.js';
import type { EventRecord } from '../../core/records.js';
import type { GpuWindow } from './gpu-window.js';
import { appEvent, auditEvent, MIN, readRuleFiles, T0 } from './fixtures.test-support.js';

const SPEC = `kind: BehaviouralSpec
id: SPEC-TEST
title: Test training profile
family: weight-exfil
selector:
  namespaces: ['ml-*']
  jobs: ['train-*']
data:
  paths:
    - {glob: '/data/**', operations: [read, list]}
    - {glob: '/ckpt/**', operations: [read, write]}
gpu:
  utilization: {min: 30, max: 100}
  memory_used_mib: {min: 1000, max: 70000, stat: max}
  fields:
    DCGM_FI_DEV_POWER_USAGE: {max: 500}
egress:
  allow: ['*.svc.cluster.local', '10.0.0.0/8', 's3://corp-ckpt/**', 'huggingface.co']
  deny: ['s3://corp-ckpt/public/**', '169.254.169.254']
  rate: {window: 1h, max_bytes: 1GiB}
checkpoints:
  interval: 30m
  tolerance: 5m
  actors: ['system:serviceaccount:ml-train:trainer']
artifacts:
  formats: [pt, safetensors]
  max_size: 10GiB
actors:
  allow: ['system:node:*']
  service_accounts: ['ml-train:trainer']
exec:
  allow: ['nvidia-smi', 'nvidia-smi *']
overrides:
  checkpoints.interval: {severity: high, decision: alert}
`;

const SA = 'system:serviceaccount:ml-train:trainer';

function engine() {
  const set = loadRuleSet([{ path: 'spec.yaml', text: SPEC }]);
  expect(set.errors).toEqual([]);
  return createRuleEngine(set.rules);
}

function ev(ts: number, action: string, attrs: Record<string, unknown> = {}, fields: Partial<EventRecord> = {}): EventRecord {
  return appEvent(ts, action, { job: 'train-42', namespace: 'ml-train', actor: SA, ...fields }, attrs);
}

function ids(hits: { ruleId: string }[]): string[] {
  return hits.map((h) => h.ruleId).sort();
}

describe('behavioural spec enforcement: each field violated once', () => {
  it('a conforming stream produces no hit', () => {
    const e = engine();
    const stream = [
      ev(T0, 'dataset_read', { path: '/data/shard-0001.tar', bytes: 1000 }),
      ev(T0 + MIN, 'checkpoint_save', { path: '/ckpt/step-100.safetensors', bytes: 2 ** 30, format: 'safetensors' }),
      ev(T0 + 31 * MIN, 'checkpoint_save', { path: '/ckpt/step-200.pt', bytes: 2 ** 30 }),
      ev(T0 + 32 * MIN, 'upload', { destination: 's3://corp-ckpt/runs/42/step-200.pt', bytes: 100 }),
      ev(T0 + 33 * MIN, 'download', { url: 'https://huggingface.co/gpt2/resolve/main/config.json', bytes: 10 }),
    ];
    for (const s of stream) expect(e.evaluate(s)).toEqual([]);
    const exec = auditEvent({ verb: 'create', user: { username: 'system:node:gpu-1' }, objectRef: { resource: 'pods', subresource: 'exec', namespace: 'ml-train', name: 'train-42-0' } }, 1, 'train-42');
    exec.attrs.exec = { command: ['nvidia-smi', '-q'], container: 'trainer' };
    expect(e.evaluate(exec)).toEqual([]);
    const gpu: GpuWindow = { job: 'train-42', node: 'n', gpu: '0', start: T0, end: T0 + 5 * MIN, fields: { DCGM_FI_DEV_GPU_UTIL: { mean: 90, max: 100, min: 70 }, DCGM_FI_DEV_FB_USED: { mean: 60000, max: 65000, min: 50000 }, DCGM_FI_DEV_POWER_USAGE: { mean: 400, max: 450, min: 300 } } };
    expect(e.evaluateGpuWindow(gpu)).toEqual([]);
  });

  it('selector: other namespaces, other jobs and job-less events are not judged', () => {
    const e = engine();
    expect(e.evaluate(ev(T0, 'dataset_read', { path: '/etc/shadow' }, { namespace: 'default' }))).toEqual([]);
    expect(e.evaluate(ev(T0, 'dataset_read', { path: '/etc/shadow' }, { job: 'serve-1' }))).toEqual([]);
    expect(e.evaluate(ev(T0, 'dataset_read', { path: '/etc/shadow' }, { job: null }))).toEqual([]);
  });

  it('data.paths and data.operations', () => {
    const e = engine();
    const h = e.evaluate(ev(T0, 'dataset_read', { path: '/home/alice/.ssh/id_rsa' }));
    expect(ids(h)).toEqual(['SPEC-TEST/data.paths']);
    expect(h[0]!.reason).toBe('data.paths: read of "/home/alice/.ssh/id_rsa" outside the allowed paths');
    const w = e.evaluate(ev(T0, 'dataset_write', { path: '/data/train/labels.csv' }));
    expect(ids(w)).toEqual(['SPEC-TEST/data.operations']);
    expect(w[0]).toMatchObject({ family: 'data-poisoning', phase: 'impact', atlas: ['AML.T0020'] });
    expect(ids(e.evaluate(ev(T0, 'file_access', { path: '/data/x', operation: 'delete' })))).toEqual(['SPEC-TEST/data.operations']);
  });

  it('egress.deny, egress.allow, egress.rate', () => {
    const e = engine();
    const d = e.evaluate(ev(T0, 'upload', { destination: 's3://corp-ckpt/public/model.pt' }));
    expect(ids(d)).toEqual(['SPEC-TEST/egress.deny']);
    expect(d[0]).toMatchObject({ severity: 'critical', decision: 'alert', phase: 'exfiltration' });
    expect(ids(e.evaluate(ev(T0, 'upload', { destination: 'http://169.254.169.254/latest/meta-data/' })))).toEqual(['SPEC-TEST/egress.deny']);
    const a = e.evaluate(ev(T0, 'upload', { destination: 'https://attacker.example:8443/drop' }));
    expect(ids(a)).toEqual(['SPEC-TEST/egress.allow']);
    expect(a[0]!.reason).toBe('egress.allow: destination "https://attacker.example:8443/drop" matches no allow entry');
    expect(e.evaluate(ev(T0, 'upload', { destination: '10.3.4.5:9000' }))).toEqual([]);
    expect(e.evaluate(ev(T0, 'upload', { destination: 'minio.storage.svc.cluster.local/bucket' }))).toEqual([]);
    const e2 = engine();
    expect(e2.evaluate(ev(T0, 'upload', { destination: 's3://corp-ckpt/a', bytes: 600 * 2 ** 20 }))).toEqual([]);
    const r = e2.evaluate(ev(T0 + MIN, 'upload', { destination: 's3://corp-ckpt/b', bytes: 600 * 2 ** 20 }));
    expect(ids(r)).toEqual(['SPEC-TEST/egress.rate']);
    expect(r[0]!.reason).toMatch(/^egress\.rate: 1\.2 GiB sent by job "train-42" in 1h \(max 1\.0 GiB\)$/);
  });

  it('checkpoints.interval and checkpoints.actors', () => {
    const e = engine();
    expect(e.evaluate(ev(T0, 'checkpoint_save', { path: '/ckpt/1.pt' }))).toEqual([]);
    const early = e.evaluate(ev(T0 + 3 * MIN, 'checkpoint_save', { path: '/ckpt/2.pt' }));
    expect(ids(early)).toEqual(['SPEC-TEST/checkpoints.interval']);
    expect(early[0]).toMatchObject({ severity: 'high', decision: 'alert' }); // override applied
    expect(early[0]!.reason).toBe('checkpoints.interval: checkpoint 3m after the previous one (expected 30m ± 5m)');
    expect(e.evaluate(ev(T0 + 33 * MIN, 'checkpoint_save', { path: '/ckpt/3.pt' }))).toEqual([]);
    const late = e.evaluate(ev(T0 + 120 * MIN, 'checkpoint_save', { path: '/ckpt/4.pt' }));
    expect(ids(late)).toEqual(['SPEC-TEST/checkpoints.interval']);
    const who = e.evaluate(ev(T0 + 150 * MIN, 'checkpoint_save', { path: '/ckpt/5.pt' }, { actor: 'system:node:gpu-1' }));
    expect(ids(who)).toEqual(['SPEC-TEST/checkpoints.actors']);
  });

  it('artifacts.formats and artifacts.max_size', () => {
    const e = engine();
    const f = e.evaluate(ev(T0, 'model_export', { path: '/ckpt/model.gguf' }));
    expect(ids(f)).toEqual(['SPEC-TEST/artifacts.formats']);
    expect(f[0]!.reason).toBe('artifacts.formats: format "gguf" not in [pt, safetensors]');
    expect(ids(e.evaluate(ev(T0, 'convert', { path: '/ckpt/m.bin', format: 'ONNX' })))).toEqual(['SPEC-TEST/artifacts.formats']);
    const s = e.evaluate(ev(T0, 'model_export', { path: '/ckpt/huge.safetensors', size: 20 * 2 ** 30 }));
    expect(ids(s)).toEqual(['SPEC-TEST/artifacts.max_size']);
  });

  it('actors', () => {
    const e = engine();
    const h = e.evaluate(ev(T0, 'dataset_read', { path: '/data/x' }, { actor: 'mallory@corp' }));
    expect(ids(h)).toEqual(['SPEC-TEST/actors']);
    expect(h[0]!.reason).toBe('actors: actor "mallory@corp" is not allowed for job "train-42"');
  });

  it('exec: command not allowed, and attach without a command', () => {
    const e = engine();
    const mk = (sub: string, command?: string[]) => {
      const x = auditEvent({ verb: 'create', user: { username: 'system:node:n' }, objectRef: { resource: 'pods', subresource: sub, namespace: 'ml-train', name: 'train-42-0' } }, 1, 'train-42');
      if (command) x.attrs.exec = { command, container: 'c' };
      return x;
    };
    const h = e.evaluate(mk('exec', ['tar', 'cf', '-', '/ckpt']));
    expect(ids(h)).toEqual(['SPEC-TEST/exec']);
    expect(h[0]!.reason).toBe('exec: command "tar cf - /ckpt" is not allowed');
    expect(ids(e.evaluate(mk('attach')))).toEqual(['SPEC-TEST/exec']);
  });

  it('gpu.utilization, gpu.memory_used_mib, gpu.fields.<NAME>', () => {
    const e = engine();
    const win = (util: number, fbMax: number, power: number): GpuWindow => ({
      job: 'train-42', node: 'gpu-1', gpu: '0', start: T0, end: T0 + 5 * MIN,
      fields: { DCGM_FI_DEV_GPU_UTIL: { mean: util, max: util, min: util }, DCGM_FI_DEV_FB_USED: { mean: 100, max: fbMax, min: 100 }, DCGM_FI_DEV_POWER_USAGE: { mean: power, max: power, min: power } },
    });
    // Namespace selector: the GPU window's job must have been seen in an event first.
    expect(e.evaluateGpuWindow(win(5, 50000, 100))).toEqual([]);
    e.evaluate(ev(T0, 'train_step'));
    const u = e.evaluateGpuWindow(win(5, 50000, 100));
    expect(ids(u)).toEqual(['SPEC-TEST/gpu.utilization']);
    expect(u[0]!.reason).toBe('gpu.utilization: DCGM_FI_DEV_GPU_UTIL mean 5 outside 30..100 on gpu-1/0 for job "train-42"');
    expect(ids(e.evaluateGpuWindow(win(50, 80000, 100)))).toEqual(['SPEC-TEST/gpu.memory_used_mib']);
    expect(ids(e.evaluateGpuWindow(win(50, 50000, 700)))).toEqual(['SPEC-TEST/gpu.fields.DCGM_FI_DEV_POWER_USAGE']);
  });

  it('label selectors use labels learned from the job\'s pod create', () => {
    const set = loadRuleSet([{ path: 'ray.yaml', text: "kind: BehaviouralSpec\nid: SPEC-RAY\ntitle: ray\nselector: {labels: {'ray.io/cluster': '*'}}\nexec: {allow: ['ray *']}\n" }]);
    expect(set.errors).toEqual([]);
    const e = createRuleEngine(set.rules);
    const execEv = () => {
      const x = auditEvent({ verb: 'create', objectRef: { resource: 'pods', subresource: 'exec', name: 'raycluster-head-x' } }, 1, 'raycluster');
      x.attrs.exec = { command: ['bash'] };
      return x;
    };
    expect(e.evaluate(execEv())).toEqual([]); // labels not known yet
    const create = auditEvent({ verb: 'create', objectRef: { resource: 'pods' }, requestObject: { metadata: { labels: { 'ray.io/cluster': 'raycluster', '__proto__': 'x' } } } }, 1, 'raycluster');
    expect(e.evaluate(create)).toEqual([]);
    expect(ids(e.evaluate(execEv()))).toEqual(['SPEC-RAY/exec']);
  });
});

describe('shipped specs', () => {
  const set = loadRuleSet(readRuleFiles('specs'));
  it('load without errors', () => {
    expect(set.errors).toEqual([]);
    expect(set.rules.map((r) => r.meta.id).sort()).toEqual(['SPEC-INFERENCE-SERVING', 'SPEC-RAY-CLUSTER', 'SPEC-TRAINING-DEFAULT']);
  });
  it('training-default flags the seed scenario: staging to /tmp, gguf conversion, upload to a drop site', () => {
    const e = createRuleEngine(set.rules);
    const j = { job: 'train-42', namespace: 'ml-train', actor: 'system:serviceaccount:ml-train:trainer' };
    expect(e.evaluate(appEvent(T0, 'checkpoint_save', j, { path: '/checkpoints/step-1000.safetensors', bytes: 2 ** 30 }))).toEqual([]);
    expect(ids(e.evaluate(appEvent(T0 + MIN, 'checkpoint_copy', j, { path: '/tmp/stage/step-1000.safetensors' })))).toEqual(['SPEC-TRAINING-DEFAULT/data.paths']);
    expect(ids(e.evaluate(appEvent(T0 + 2 * MIN, 'model_convert', j, { path: '/workspace/out/model.gguf', format: 'gguf' })))).toEqual(['SPEC-TRAINING-DEFAULT/artifacts.formats']);
    expect(ids(e.evaluate(appEvent(T0 + 3 * MIN, 'upload', j, { destination: 'https://transfer.sh/abc/model.gguf', bytes: 3 * 2 ** 30 })))).toEqual(['SPEC-TRAINING-DEFAULT/egress.deny', 'SPEC-TRAINING-DEFAULT/egress.rate']);
  });

  it('app events name their file or object in resource: data paths, formats and rate exemptions use it', () => {
    const text = `kind: BehaviouralSpec
id: SPEC-APP
title: app
selector: {namespaces: [ml-train]}
data:
  paths:
    - {glob: '/mnt/ckpt/**', operations: [read, write]}
    - {glob: 's3://corp-ml-datasets/**', operations: [read]}
artifacts: {formats: [pytorch, safetensors]}
egress:
  rate: {window: 1h, max_bytes: 1GiB, exempt: ['s3://corp-ml-checkpoints']}
`;
    const set = loadRuleSet([{ path: 'app.yaml', text }]);
    expect(set.errors).toEqual([]);
    const e = createRuleEngine(set.rules);
    const j = { job: 'ml-train/llama-ft', namespace: 'ml-train', actor: 'alice@corp.example' };
    expect(e.evaluate(appEvent(T0, 'dataset_read', { ...j, resource: 's3://corp-ml-datasets/mix/train-00001.tar' }, { bytes: 1 }))).toEqual([]);
    expect(e.evaluate(appEvent(T0, 'checkpoint_save', { ...j, resource: '/mnt/ckpt/llama-ft/step_500/model.pt' }, { format: 'pytorch' }))).toEqual([]);
    expect(ids(e.evaluate(appEvent(T0, 'model_export', { ...j, resource: '/tmp/.cache/out/model.gguf' }, {})))).toEqual(['SPEC-APP/artifacts.formats', 'SPEC-APP/data.paths']);
    expect(ids(e.evaluate(appEvent(T0, 'dataset_write', { ...j, resource: 's3://corp-ml-datasets/mix/train-00001.tar' }, {})))).toEqual(['SPEC-APP/data.operations']);
    // Train steps name their job object, not a path: not judged as data access.
    expect(e.evaluate(appEvent(T0, 'train_step', { ...j, resource: 'pytorchjobs/llama-ft' }, {}))).toEqual([]);
    // 20 GiB to the exempt checkpoint bucket does not count; 2 GiB elsewhere does.
    expect(e.evaluate(appEvent(T0, 'artifact_upload', j, { destination: 's3://corp-ml-checkpoints/ml-train/llama-ft/step_500/model.pt', bytes: 20 * 2 ** 30 }))).toEqual([]);
    expect(ids(e.evaluate(appEvent(T0 + MIN, 'artifact_upload', j, { destination: 's3://tmp-share-0835/x', bytes: 2 * 2 ** 30 })))).toEqual(['SPEC-APP/egress.rate']);
  });
});
