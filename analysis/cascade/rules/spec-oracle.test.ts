/**
 * Behavioural specs against an independent reference evaluator (spec-oracle.test-support.ts):
 * the shipped specs and seeded random specs over seeded random streams (jobs in and out of the
 * selected namespaces and labels, labels arriving late or partially patched, hostile paths,
 * destinations, formats, sizes, GPU windows at range edges). Per event and window, the spec
 * fields each side says are violated must be the same (`egress.rate` and `checkpoints.interval`
 * are left to spec-stateful-oracle.test.ts). Then one regression test per defect the oracle found.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { EventRecord } from '../../core/records.js';
import { createRuleEngine } from './engine.js';
import type { GpuWindow } from './gpu-window.js';
import { loadRuleSet, type RuleFile } from './rule-loader.js';
import { pick, prng } from './stateful-oracle.test-support.js';
import { appEvent, auditEvent, MIN, readRuleFiles, T0 } from './fixtures.test-support.js';
import { oracleSpec } from './spec-oracle.test-support.js';

const SKIPPED = /\/(egress\.rate|checkpoints\.interval)$/;

type R = () => number;
const some = <T>(r: R, l: readonly T[], p = 0.4): T[] => l.filter(() => r() < p);

function randomSpec(r: R, n: number): string {
  const doc: Record<string, unknown> = { kind: 'BehaviouralSpec', id: `SPEC-RND-${n}`, title: 'random' };
  const sel: Record<string, unknown> = {};
  if (r() < 0.6) sel.namespaces = some(r, ['ml-*', 'training', 'serving', 'ray', 'ml-?rain'], 0.5);
  if (r() < 0.3) sel.jobs = some(r, ['ml-train/*', '*/a', 'ray/*', '*'], 0.5);
  if (r() < 0.4) sel.labels = r() < 0.5 ? { 'ray.io/cluster': '*' } : { team: 'ml-?', tier: pick(r, ['gpu*', 'Gpu']) };
  if (!Object.values(sel).some((v) => (Array.isArray(v) ? v.length : v))) sel.jobs = ['*'];
  doc.selector = sel;
  const ops = () => { const o = some(r, ['read', 'write', 'list', 'delete'], 0.5); return o.length ? o : ['read']; };
  if (r() < 0.7) {
    const globs = some(r, ['/data/**', '/ckpt/*.pt', '/ckpt/**', 's3://*dataset*/**', 'gs://corp-ml/**', '/tmp/**', '/Data/**', '/workspace/**', '/checkpoints/**',
      'gs://corp-ml/模型/**', 's3://corp-dataset/%7Eteam/*.pt', 's3://corp-dataset/x/*', 'gs://corp-ml/*.onnx', 'https://files.example.com/up/*.pt'], 0.4);
    if (globs.length) doc.data = { paths: globs.map((glob) => ({ glob, operations: ops() })) };
  }
  const egress: Record<string, unknown> = {};
  const hosts = ['*.svc.cluster.local', 'huggingface.co', '*.huggingface.co', 'pypi.org', 'transfer.sh', '*.ngrok.io', 'metadata.google.internal', 'wandb.ai', 'x.svc',
    'ｔｒａｎｓｆｅｒ．ｓｈ', '*.ＮＧＲＯＫ．io', 'bücher.de', 'xn--fa-hia.de', 'paste.ee.'];
  const ips = ['10.0.0.0/8', '172.16.0.0/12', '192.168.1.0/24', '169.254.169.254', 'fd00::/8', '::ffff:0:0/96', '127.0.0.1', '１６９．２５４．１６９．２５４'];
  const urls = ['s3://corp-*', 's3://corp-ckpt/public/**', 'gs://exports/models/**', 's3://*checkpoints*', 'S3://Corp-Ckpt/runs/**', 's3://corp-ckpt/%70ublic/*.pt', 'gs://exports/模型/**', 'https://storage.example.com/exports/*.pt', 's3://*.ｃｋｐｔ/**', 's3://corp-ckpt/public/*.pt', 'gs://exports/models/*'];
  if (r() < 0.6) egress.allow = some(r, [...hosts, ...ips, ...urls], 0.3);
  if (r() < 0.6) egress.deny = some(r, [...hosts, ...ips, ...urls], 0.2);
  if (Object.keys(egress).length) doc.egress = egress;
  if (r() < 0.5) doc.checkpoints = { interval: '1h', tolerance: '30m', ...(r() < 0.5 ? { actions: some(r, ['checkpoint_save', 'CkptWrite', 'SAVE_CKPT'], 0.6).concat('checkpoint_save') } : {}), ...(r() < 0.6 ? { actors: some(r, ['system:serviceaccount:*:trainer', 'alice@corp.example', 'trainer'], 0.6).concat('trainer') } : {}) };
  if (r() < 0.6) {
    const art: Record<string, unknown> = {};
    if (r() < 0.7) art.formats = some(r, ['PT', 'safetensors', '.onnx', 'Bin', 'gguf'], 0.5).concat('pt');
    if (r() < 0.7) art.max_size = pick(r, ['10GiB', 1000, '5GB', '1.5MiB', '0']);
    if (Object.keys(art).length) doc.artifacts = art;
  }
  if (r() < 0.5) doc.actors = { allow: some(r, ['system:node:*', '*@corp.example', 'trainer'], 0.6), service_accounts: some(r, ['ml-train:*', '*:default', 'ray:ray-head'], 0.6) };
  if (r() < 0.4) doc.exec = { allow: some(r, ['nvidia-smi', 'nvidia-smi *', 'ray *', 'ls'], 0.6) };
  if (r() < 0.5) {
    const g: Record<string, unknown> = {};
    if (r() < 0.7) g.utilization = { min: 20, max: 95, ...(r() < 0.5 ? { stat: pick(r, ['mean', 'max', 'min']) } : {}) };
    if (r() < 0.5) g.memory_used_mib = { min: 1024, stat: 'max' };
    if (r() < 0.4) g.fields = { DCGM_FI_DEV_POWER_USAGE: { max: 300, stat: 'min' } };
    if (Object.keys(g).length) doc.gpu = g;
  }
  return stringify(doc);
}

const JOBS: Array<[string, string]> = [['ml-train/a', 'ml-train'], ['ml-train/b', 'ml-train'], ['training/t', 'training'], ['serving/s', 'serving'], ['default/d', 'default'], ['ray/r1', 'ray'], ['research-x/q', 'research-x'], ['free-form-job', 'ml-train']];
const PATHS = [
  '/data/x', '/data/../etc/shadow', '/data/./a', '/data//a', '/data/', '/data', '/Data/x', '/data/%2e%2e/etc', '/dаta/x', '/data/x/..', '/data/x/../../etc/passwd',
  '/ckpt/m.pt', '/ckpt/sub/m.pt', '/ckpt/../ckpt/m.pt', '/ckpt/./m.PT', '/tmp/x.gguf', '/tmp/../data/y', '/workspace/../checkpoints/m.pt', '/checkpoints/model.SAFETENSORS',
  '/mnt/ckpt/ü/model.pt', 'relative/x', '/checkpoints/out/', '/checkpoints/m.pt?x=1',
  's3://corp-dataset/a/b', 's3://corp-dataset/../evil/x', 's3://corp-dataset/%2E%2E/x', 's3://corp-dataset/a%2eb', 'S3://corp-dataset/x', 'gs://corp-ml/x/', 'gs://corp-ml/x/../../y', 'gs://corp-ml/m.onnx',
  's3://corp-dataset/a%2Fb', 'gs://corp-ml/x%2F..%2Fm.onnx', 'gs://corp-ml/m%2Eonnx', 'gs://corp-ml/%6D.onnx', '/ckpt/m%2Fx.pt', 's3://corp-dataset//a', 'gs://corp-ml/模型/m.onnx',
  // Readings (path-readings.ts): a decoding server's, the literal key's; globs written with escapes or non-ASCII.
  's3://corp-dataset/x/..%2F..%2Fevil', 's3://corp-dataset/a\\..\\..\\b', 'gs://corp-ml/%E6%A8%A1%E5%9E%8B/m.onnx', 'gs://corp-ml/a%2F..%2F..%2Fx', 's3://corp-dataset/~team/x', 's3://corp-dataset/%7Eteam/a%2Fb.pt',
  '/ckpt/a\\..\\m.pt', 'https://files.example.com/up/..%2Fm.pt',
];
const DESTS = [
  'transfer.sh', 'TRANSFER.SH.', 'https://transfer.sh:443/x', 'https://huggingface.co@evil.com/', 'https://evil.com\\@huggingface.co/', 'https://huggingface.co./x', 'HUGGINGFACE.CO',
  'http://169.254.169.254/latest', 'http://[::ffff:169.254.169.254]/', 'http://[::ffff:a9fe:a9fe]:80/', 'http://2852039166/', 'http://0xA9FEA9FE/', 'http://0251.0376.0251.0376/', 'http://169.254.43518/', 'http://169.254.169.254./',
  '10.255.255.255:9000', '11.0.0.0', '9.255.255.255', '172.15.255.255', '172.31.255.255', '172.32.0.0', '[fd00::1]:443', 'fe80::1', '[FD12::1%25eth0]', 'http://127.0.0.1:8080', 'http://0x7f.1/',
  'http://192.168.1.255', 'http://192.168.2.0', 's3://corp-ckpt/public/m.pt', 's3://corp-ckpt/x/../public/m.pt', 's3://corp-ckpt/x/%2e%2e/public/m.pt', 's3://corp-ckpt/public/../runs/1',
  'S3://CORP-ckpt/runs/1', 's3://Corp-Ckpt/runs/1', 'gs://exports/models/a/b', 'gs://exports/models/../secrets', 'minio.storage.svc.cluster.local:9000/b', 'x.svc', 'evil.svc.cluster.local.evil.com',
  'api.wandb.ai.', 'wandb.ai:443', '', '   ', 'http://', 'pypi.org/simple', 'user:pw@pypi.org', '::', 'a.ngrok.io', 'A.NGROK.IO.', 'metadata.google.internal.', 's3://my-checkpoints/x',
  // Spellings a URL client reads as the names above (egress-normalise.test.ts has one test each).
  'ｔｒａｎｓｆｅｒ．ｓｈ', 'transfer。sh', 'https://%74ransfer%2Esh/x', 'trans\u00ADfer.sh', 'https://tr\u200Dansfer.sh/', 'https:transfer.sh', 'https:///transfer.sh/x', 'https://trans\tfer.sh',
  `https://transfer.sh/${'a'.repeat(4100)}`, `https://tran${'%C2%AD'.repeat(200)}sfer.sh/`, 'x.ＮＧＲＯＫ．ＩＯ', 'http://１６９．２５４．１６９．２５４/', 'http://０ｘＡ９ＦＥＡ９ＦＥ/', 'xn--bcher-kva.de', 'BÜCHER.DE',
  'faß.de', 'fass.de', 'paste.ee', 'ｐａｓｔｅ．ｅｅ．', 'https://ｈｕｇｇｉｎｇｆａｃｅ．ｃｏ/x', 'https://huggingface.co%2F.evil.com/', 's3://corp-ckpt/%70ublic/m.pt', 's3://corp-ckpt/public%2Fm.pt',
  's3://corp-ckpt/public/x%2Fm.pt', 'gs://exports/模型/w', 'gs://exports/%E6%A8%A1%E5%9E%8B/w', 'https://storage.example.com/exports/m.pt?x', 'https://storage.example.com/exports\\m.pt',
  'https://storage.example.com/exports/a%2Fm.pt', 's3://x.ＣＫＰＴ/a', 's3://x.ckpt/a', 'S3://CORP-ckpt/runs/..%2F..%2Fpublic',
  's3://corp-ckpt/x/..%2Fpublic/m.pt', 's3://corp-ckpt/runs/..%5Cpublic/m.pt', 's3://corp-ckpt/runs\\..\\public/m.pt', 'https://storage.example.com/x/..%2Fexports/m.pt', 's3://corp-ckpt/public/a%2Fm.pt',
  'gs://exports/models/a%2Fb', 'gs://exports/models/..%2F..%2Fsecrets', 'https://storage.example.com/exports/a%5Cm.pt', 's3://corp-ckpt/runs/a%2F..%2F..%2Fx',
];
const ACTIONS = ['dataset_read', 'DatasetWrite', 'checkpoint_save', 'CHECKPOINT_SAVE', 'CkptWrite', 'save_ckpt', 'model_export', 'Model_Convert', 'file_access', 'upload', 'download', 'delete_shard', 'list_dir', 'train_step', 'exec', 'quantize_model', 'rm'];
const ACTORS = [null, 'trainer', 'alice@corp.example', 'mallory', 'system:serviceaccount:ml-train:trainer', 'system:serviceaccount:x:default', 'system:node:gpu-1', 'Trainer'];
const SIZES: unknown[] = [1, 5e9, 2 ** 40, '30GiB', '100', ' 5 GB', '1e12', 'abc', -1, Number.NaN, '2000', '11GiB', '1.6 MiB', [5e12], null];
const LABELS = [{ 'ray.io/cluster': 'c1' }, { team: 'ml-1', tier: 'gpu-a' }, { team: 'ml-1', tier: 'Gpu' }, { app: 'x' }, { team: 'web' }];

function event(r: R, ts: number): EventRecord | GpuWindow {
  const [job, ns] = pick(r, JOBS);
  const x = r();
  if (x < 0.12) {
    const stat = (v: number) => ({ mean: v, max: v, min: v });
    const edge = () => pick(r, [20, 19.999, 95, 95.001, 50, 0, 100, Number.NaN, 1024, 1023.5, 300, 300.5]);
    const fields: GpuWindow['fields'] = {};
    if (r() < 0.8) fields.DCGM_FI_DEV_GPU_UTIL = { mean: edge(), max: edge(), min: edge() };
    if (r() < 0.6) fields.DCGM_FI_DEV_FB_USED = stat(edge());
    if (r() < 0.5) fields.DCGM_FI_DEV_POWER_USAGE = stat(edge());
    return { job: r() < 0.05 ? null : job, node: 'n', gpu: '0', start: ts - 5 * MIN, end: ts, fields };
  }
  if (x < 0.25) {
    const labels = pick(r, LABELS);
    const patch = r() < 0.4;
    const audit: Record<string, unknown> = { verb: patch ? 'patch' : 'create', user: { username: pick(r, ['system:node:gpu-1', 'mallory', 'system:serviceaccount:ray:ray-head']) }, objectRef: { resource: 'pods', namespace: ns, ...(r() < 0.3 ? { subresource: pick(r, ['exec', 'attach']) } : {}) }, requestObject: { metadata: { labels: patch ? { extra: 'y' } : labels } } };
    if (patch) audit.responseObject = { metadata: { labels: { ...labels, extra: 'y' } } };
    const e = { ...auditEvent(audit), ts, job, namespace: r() < 0.1 ? null : ns };
    if (r() < 0.3) e.attrs.exec = { command: pick(r, [['nvidia-smi'], ['nvidia-smi', '-q'], ['ray', 'status'], ['tar', 'cf', '-', '/ckpt'], 'bash', []]) };
    return e;
  }
  const attrs: Record<string, unknown> = {};
  const fields: Partial<EventRecord> = { job: r() < 0.03 ? null : job, namespace: r() < 0.1 ? null : r() < 0.05 ? 'default' : ns, actor: pick(r, ACTORS) };
  if (r() < 0.5) attrs.path = pick(r, PATHS);
  else if (r() < 0.3) fields.resource = pick(r, [...PATHS, 'pytorchjobs/x', 'model']);
  if (r() < 0.3) attrs.operation = pick(r, ['read', 'WRITE', 'Delete', 'list', 'rename', 7]);
  if (r() < 0.35) attrs[r() < 0.7 ? 'destination' : 'url'] = pick(r, DESTS);
  if (r() < 0.3) attrs.format = pick(r, ['pt', 'PT', '.Safetensors', 'gguf', 'ONNX', '', 'bin', 7]);
  if (r() < 0.3) attrs.size = pick(r, SIZES);
  if (r() < 0.3) attrs.bytes = pick(r, SIZES);
  if (r() < 0.1) attrs.exec = pick(r, [{ command: ['nvidia-smi'] }, { command: ['sh', '-c', 'curl x'] }, {}]);
  if (r() < 0.05) attrs.labels = pick(r, LABELS);
  return appEvent(ts, pick(r, ACTIONS), fields, attrs);
}

/** Hits per spec field over every comparison (the oracle must not agree vacuously). */
const covered = new Map<string, number>();

function compare(files: RuleFile[], seed: number, n: number): { mismatches: string[]; hits: number } {
  const set = loadRuleSet(files);
  expect(set.errors).toEqual([]);
  const engine = createRuleEngine(set.rules);
  const oracles = files.map((f) => oracleSpec(f.text));
  const r = prng(seed);
  const mismatches: string[] = [];
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const item = event(r, T0 + i * MIN);
    const isWindow = 'end' in item;
    const ours = (isWindow ? engine.evaluateGpuWindow(item) : engine.evaluate(item)).map((h) => h.ruleId).filter((id) => !SKIPPED.test(id));
    const want = oracles.flatMap((o) => (isWindow ? o.gpu(item) : o.event(item)));
    hits += want.length;
    for (const w of want) covered.set(w.slice(w.indexOf('/') + 1), (covered.get(w.slice(w.indexOf('/') + 1)) ?? 0) + 1);
    if (ours.slice().sort().join() !== want.slice().sort().join() && mismatches.length < 8) {
      mismatches.push(`${JSON.stringify(item)}\n  ours ${JSON.stringify(ours.sort())}\n  want ${JSON.stringify(want.sort())}`);
    }
  }
  return { mismatches, hits };
}

describe('behavioural specs agree with the reference evaluator', () => {
  it('shipped specs over seeded streams', () => {
    const files = readRuleFiles('specs');
    for (let seed = 1; seed <= 4; seed++) {
      const { mismatches, hits } = compare(files, seed * 101, 1500);
      expect(mismatches).toEqual([]);
      expect(hits).toBeGreaterThan(300);
    }
  });

  it('seeded random specs over seeded streams', () => {
    let total = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const r = prng(seed * 7919);
      const files = [0, 1, 2].map((k) => ({ path: `rnd-${k}.yaml`, text: randomSpec(r, seed * 10 + k) }));
      const { mismatches, hits } = compare(files, seed, 400);
      expect(mismatches, files.map((f) => f.text).join('---\n')).toEqual([]);
      total += hits;
    }
    expect(total).toBeGreaterThan(2000);
  });

  it('covers every field the oracle models', () => {
    for (const f of ['actors', 'exec', 'data.paths', 'data.operations', 'egress.allow', 'egress.deny', 'checkpoints.actors', 'artifacts.formats', 'artifacts.max_size', 'gpu.utilization', 'gpu.memory_used_mib', 'gpu.fields.DCGM_FI_DEV_POWER_USAGE', 'gpu.fields.DCGM_FI_DEV_FB_USED']) {
      expect(covered.get(f) ?? 0, f).toBeGreaterThan(5);
    }
  });
});

/** Regressions: each a defect the reference evaluator found (ours before the fix in the comment). */
describe('behavioural spec regressions', () => {
  const SPEC = `kind: BehaviouralSpec
id: SPEC-REG
title: regressions
selector: {namespaces: ['ml-*']}
data:
  paths:
    - {glob: '/data/**', operations: [read, list]}
    - {glob: 's3://corp-dataset/**', operations: [read]}
egress:
  allow: ['s3://corp-ckpt/**', 'huggingface.co', '10.0.0.0/8']
  deny: ['s3://corp-ckpt/public/**', '169.254.169.254', 'transfer.sh']
checkpoints: {interval: 1h, tolerance: 59m, actions: [CheckpointSave]}
artifacts: {max_size: 10GiB}
`;
  const RAY = "kind: BehaviouralSpec\nid: SPEC-RAYR\ntitle: ray\nselector: {labels: {'ray.io/cluster': '*'}}\nexec: {allow: ['ray *']}\n";
  const engine = (text = SPEC) => {
    const set = loadRuleSet([{ path: 'r.yaml', text }]);
    expect(set.errors).toEqual([]);
    return createRuleEngine(set.rules);
  };
  const j = { job: 'ml-train/a', namespace: 'ml-train' };
  const fields = (e: ReturnType<typeof engine>, action: string, attrs: Record<string, unknown>, more: Partial<EventRecord> = {}) =>
    e.evaluate(appEvent(T0, action, { ...j, ...more }, attrs)).map((h) => h.ruleId.slice(h.ruleId.indexOf('/') + 1)).sort();

  it('data.paths: dot segments are resolved (was: /data/../etc/shadow allowed as under /data/**)', () => {
    const e = engine();
    expect(fields(e, 'file_read', { path: '/data/../etc/shadow' })).toEqual(['data.paths']);
    expect(fields(e, 'file_read', { path: '/data/x/../../etc/passwd' })).toEqual(['data.paths']);
    expect(fields(e, 'dataset_read', {}, { resource: 's3://corp-dataset/%2E%2E/evil' })).toEqual([]); // clamped at the bucket
    expect(fields(e, 'dataset_read', {}, { resource: 's3://corp-dataset/a/../../../b' })).toEqual([]);
    expect(fields(e, 'file_read', { path: '/data/./a//b/' })).toEqual([]);
    expect(fields(e, 'file_read', { path: '/data/%2e%2e/etc' })).toEqual([]); // a local file named %2e%2e
  });

  it('egress: a URL entry sees the path with dot segments removed (was: public/ reached through x/../)', () => {
    const e = engine();
    expect(fields(e, 'upload', { destination: 's3://corp-ckpt/x/../public/m.pt' })).toEqual(['egress.deny']);
    expect(fields(e, 'upload', { destination: 's3://corp-ckpt/x/%2e%2e/public/m.pt' })).toEqual(['egress.deny']);
    expect(fields(e, 'upload', { destination: 's3://corp-ckpt/public/../runs/m.pt' })).toEqual([]);
  });

  it('egress: host with trailing dot, backslash authority, numeric IPv4 (was: allow instead of deny, or no hit)', () => {
    const e = engine();
    expect(fields(e, 'upload', { destination: 'TRANSFER.SH.' })).toEqual(['egress.deny']);
    expect(fields(e, 'upload', { url: 'http://169.254.169.254./latest' })).toEqual(['egress.deny']);
    expect(fields(e, 'upload', { destination: 'https://evil.example\\@huggingface.co/x' })).toEqual(['egress.allow']);
    for (const ip of ['2852039166', '0xA9FEA9FE', '0251.0376.0251.0376', '169.254.43518']) expect(fields(e, 'upload', { url: `http://${ip}/` }), ip).toEqual(['egress.deny']);
    expect(fields(e, 'upload', { destination: 'http://0x0a.1:9000/' })).toEqual([]); // 10.0.0.1, allowed
    expect(fields(e, 'upload', { destination: 'huggingface.co.:443' })).toEqual([]);
  });

  it('data.operations: a declared operation in any case (was: WRITE read as the action word)', () => {
    const e = engine();
    expect(fields(e, 'file_access', { path: '/data/x', operation: 'WRITE' })).toEqual(['data.operations']);
    expect(fields(e, 'DatasetWrite', { path: '/data/x' })).toEqual(['data.operations']);
    expect(fields(e, 'DELETE_SHARD', { path: '/data/x' })).toEqual(['data.operations']);
  });

  it('checkpoint actions and artifact actions in any case (was: spec actions lower-cased, events not)', () => {
    const e = engine();
    expect(fields(e, 'CheckpointSave', { size: 11 * 2 ** 30 })).toEqual(['artifacts.max_size']);
    expect(fields(e, 'MODEL_EXPORT', { size: 11 * 2 ** 30 })).toEqual(['artifacts.max_size']);
  });

  it('artifacts.max_size: sizes written as text count (was: only numbers)', () => {
    const e = engine();
    expect(fields(e, 'model_export', { size: '30GiB' })).toEqual(['artifacts.max_size']);
    expect(fields(e, 'model_export', { size: '32212254720' })).toEqual(['artifacts.max_size']);
    expect(fields(e, 'model_export', { bytes: ' 11 GB ' })).toEqual(['artifacts.max_size']);
    expect(fields(e, 'model_export', { size: '1GiB', bytes: 5e12 })).toEqual([]);
    expect(fields(e, 'model_export', { size: 'huge', bytes: '-5' })).toEqual([]);
  });

  it("labels: a patch's response holds the pod's labels (was: the patch body's partial labels replaced them)", () => {
    const r = engine(RAY);
    const create = auditEvent({ verb: 'create', objectRef: { resource: 'pods', namespace: 'ray' }, requestObject: { metadata: { labels: { 'ray.io/cluster': 'c1' } } } }, 1, 'ray/c1');
    const patch = auditEvent({ verb: 'patch', objectRef: { resource: 'pods', namespace: 'ray' }, requestObject: { metadata: { labels: { owner: 'x' } } }, responseObject: { metadata: { labels: { 'ray.io/cluster': 'c1', owner: 'x' } } } }, 1, 'ray/c1');
    const exec = auditEvent({ verb: 'create', objectRef: { resource: 'pods', subresource: 'exec', namespace: 'ray' } }, 1, 'ray/c1');
    exec.attrs.exec = { command: ['bash'] };
    for (const x of [create, patch]) expect(r.evaluate(x)).toEqual([]);
    expect(r.evaluate(exec).map((h) => h.ruleId)).toEqual(['SPEC-RAYR/exec']);
  });
});
