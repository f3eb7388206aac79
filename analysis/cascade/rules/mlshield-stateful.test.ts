import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './rule-loader.js';
import { createRuleEngine } from './engine.js';
import type { EngineLimits } from './compiled-rule.js';
import { appEvent, auditEvent, MIN, T0 } from './fixtures.test-support.js';
import type { GpuWindow } from './gpu-window.js';

function engineFor(yaml: string, limits?: EngineLimits) {
  const set = loadRuleSet([{ path: 'r.yaml', text: yaml }]);
  if (set.errors.length) throw new Error(JSON.stringify(set.errors));
  return createRuleEngine(set.rules, limits);
}

const head = (id: string) => `id: ${id}\ntitle: t\nseverity: high\nfamily: weight-exfil\nphase: recon\n`;

function secretGet(ts: number, actor: string, name: string) {
  const e = auditEvent({ verb: 'get', user: { username: actor }, objectRef: { resource: 'secrets', namespace: 'ml', name } });
  return { ...e, ts };
}

describe('window rules', () => {
  it('count: fires from the Nth event inside the window, per key', () => {
    const eng = engineFor(head('MLS-T-001') + 'detection:\n  s: {action: upload}\n  condition: s\nwindow: {by: [job], size: 10m, threshold: {count: 3}}\n');
    const fire = (ts: number, job: string) => eng.evaluate(appEvent(ts, 'upload', { job })).length;
    expect(fire(T0, 'a')).toBe(0);
    expect(fire(T0 + MIN, 'b')).toBe(0);
    expect(fire(T0 + 2 * MIN, 'a')).toBe(0);
    expect(fire(T0 + 3 * MIN, 'a')).toBe(1);
    expect(fire(T0 + 4 * MIN, 'a')).toBe(1);
    expect(fire(T0 + 30 * MIN, 'a')).toBe(0); // the window emptied
    expect(eng.evaluate(appEvent(T0 + 31 * MIN, 'upload', { job: null }))).toEqual([]); // no key, not counted
    const hit = eng.evaluate(appEvent(T0 + 5 * MIN, 'upload', { job: 'b' }));
    expect(hit).toEqual([]);
  });

  it('distinct: ≥ 15 distinct secrets read by one actor in 10 minutes (recon)', () => {
    const eng = engineFor(
      head('MLS-T-002') +
        'detection:\n  s: {action: get, resource: secrets}\n  condition: s\nwindow: {by: [actor], size: 10m, distinct: attrs.objectName, threshold: {distinct: 15}}\n',
    );
    let hits = 0;
    for (let i = 0; i < 14; i++) hits += eng.evaluate(secretGet(T0 + i * 10_000_000, 'mallory', `s${i}`)).length;
    // The same secret again, and another actor: not a 15th distinct one.
    hits += eng.evaluate(secretGet(T0 + 150_000_000, 'mallory', 's3')).length;
    hits += eng.evaluate(secretGet(T0 + 151_000_000, 'bob', 's99')).length;
    expect(hits).toBe(0);
    const h = eng.evaluate(secretGet(T0 + 160_000_000, 'mallory', 's14'));
    expect(h).toHaveLength(1);
    expect(h[0]!.reason).toMatch(/^15 distinct attrs\.objectName in 10m by actor="mallory"; s\(action="get", resource="secrets"\)$/);
  });

  it('sum (rate): bytes per window from attrs.bytes', () => {
    const eng = engineFor(head('MLS-T-003') + 'detection:\n  s: {action: upload}\n  condition: s\nwindow: {by: [job], size: 1h, sum: attrs.bytes, threshold: {sum: 1GiB}}\n');
    const up = (ts: number, bytes: unknown) => eng.evaluate(appEvent(ts, 'upload', { job: 'j' }, { bytes }));
    expect(up(T0, 600 * 2 ** 20)).toEqual([]);
    expect(up(T0 + MIN, 'not a number')).toEqual([]);
    expect(up(T0 + 2 * MIN, -5)).toEqual([]);
    const h = up(T0 + 3 * MIN, 500 * 2 ** 20);
    expect(h).toHaveLength(1);
    expect(h[0]!.reason).toMatch(/^1\.1 GiB of attrs\.bytes in 1h \(threshold 1\.0 GiB\) by job="j"/);
    expect(up(T0 + 2 * 60 * MIN, 1)).toEqual([]);
  });

  it('keys are bounded by maxKeysPerRule (LRU)', () => {
    const eng = engineFor(head('MLS-T-004') + 'detection:\n  s: {action: upload}\n  condition: s\nwindow: {by: [job], size: 1h, threshold: {count: 2}}\n', { maxKeysPerRule: 2, maxJobsPerSpec: 2 });
    eng.evaluate(appEvent(T0, 'upload', { job: 'a' }));
    eng.evaluate(appEvent(T0 + 1, 'upload', { job: 'b' }));
    eng.evaluate(appEvent(T0 + 2, 'upload', { job: 'c' })); // evicts a
    expect(eng.evaluate(appEvent(T0 + 3, 'upload', { job: 'a' }))).toEqual([]); // a starts again at 1
    expect(eng.evaluate(appEvent(T0 + 4, 'upload', { job: 'c' }))).toHaveLength(1);
  });

  it('many keys over a long stream keep memory bounded and never throw', () => {
    const eng = engineFor(head('MLS-T-005') + 'detection:\n  s: {action: upload}\n  condition: s\nwindow: {by: [actor, job], size: 5m, distinct: attrs.path, threshold: {distinct: 50}}\n', { maxKeysPerRule: 100, maxJobsPerSpec: 10 });
    for (let i = 0; i < 50_000; i++) eng.evaluate(appEvent(T0 + i * 1000, 'upload', { actor: `u${i % 997}`, job: `j${i % 13}` }, { path: `/p/${i}` }));
    expect(eng.counts.events).toBe(50_000);
  });
});

describe('sequence rules', () => {
  const seqRule = head('MLS-T-010') + `detection:
  read: {action: checkpoint_read}
  up: {action: upload}
sequence:
  by: [job]
  within: 2h
  steps: [read, up]
`;
  it('A then B by the same job within T', () => {
    const eng = engineFor(seqRule);
    expect(eng.evaluate(appEvent(T0, 'upload', { job: 'j' }))).toEqual([]);
    expect(eng.evaluate(appEvent(T0 + MIN, 'checkpoint_read', { job: 'j' }))).toEqual([]);
    expect(eng.evaluate(appEvent(T0 + 2 * MIN, 'upload', { job: 'other' }))).toEqual([]);
    const h = eng.evaluate(appEvent(T0 + 61 * MIN, 'upload', { job: 'j' }));
    expect(h).toHaveLength(1);
    expect(h[0]!.reason).toBe('sequence read → up by job="j" completed in 1h (limit 2h)');
    // Completed chains reset; a late B does not fire.
    expect(eng.evaluate(appEvent(T0 + 62 * MIN, 'upload', { job: 'j' }))).toEqual([]);
    eng.evaluate(appEvent(T0 + 100 * MIN, 'checkpoint_read', { job: 'j' }));
    expect(eng.evaluate(appEvent(T0 + 300 * MIN, 'upload', { job: 'j' }))).toEqual([]);
  });

  it('reset: an event matching it forgets its key\'s progress, and only its key\'s', () => {
    const eng = engineFor(head('MLS-T-011') + `detection:
  read: {action: checkpoint_read}
  up: {action: upload}
  gone: {action: job_deleted}
sequence:
  by: [job]
  within: 2h
  steps: [read, up]
  reset: gone
`);
    eng.evaluate(appEvent(T0, 'checkpoint_read', { job: 'j' }));
    eng.evaluate(appEvent(T0, 'checkpoint_read', { job: 'k' }));
    // A reset of a key with no progress, and of j: j forgets its read, k keeps its own.
    expect(eng.evaluate(appEvent(T0 + MIN, 'job_deleted', { job: 'none' }))).toEqual([]);
    expect(eng.evaluate(appEvent(T0 + MIN, 'job_deleted', { job: 'j' }))).toEqual([]);
    expect(eng.evaluate(appEvent(T0 + 2 * MIN, 'upload', { job: 'j' }))).toEqual([]);
    expect(eng.evaluate(appEvent(T0 + 2 * MIN, 'upload', { job: 'k' }))).toHaveLength(1);
    // A read after the reset starts the chain again.
    eng.evaluate(appEvent(T0 + 3 * MIN, 'checkpoint_read', { job: 'j' }));
    expect(eng.evaluate(appEvent(T0 + 4 * MIN, 'upload', { job: 'j' }))).toHaveLength(1);
  });

  it('reset: a condition naming no selection, or one on a sequence of GPU steps only, is refused', () => {
    const bad = loadRuleSet([{ path: 'r.yaml', text: seqRule + '  reset: nothing\n' }]);
    expect(bad.errors.map((e) => e.message).join(' ')).toMatch(/nothing/);
    const gpuOnly = head('MLS-T-012') + 'detection:\n  hot: {DCGM_FI_DEV_GPU_UTIL.mean|gte: 90}\n  cold: {DCGM_FI_DEV_GPU_UTIL.mean|lte: 5}\nsequence:\n  by: [node]\n  within: 1h\n  steps: [{condition: hot, input: gpu}, {condition: cold, input: gpu}]\n  reset: cold\n';
    expect(loadRuleSet([{ path: 'r.yaml', text: gpuOnly }]).errors.map((e) => e.message).join(' ')).toMatch(/reset is an event condition/);
  });

  it('steps may be GPU windows (distillation: harvest, then a training GPU profile)', () => {
    const eng = engineFor(head('MLS-T-011') + `detection:
  q: {action: inference_query, attrs.logprobs: true}
  g: {DCGM_FI_DEV_GPU_UTIL.mean|gte: 70}
sequence:
  by: [job]
  within: 1h
  steps: [q, {condition: g, input: gpu}]
`);
    const win = (end: number, util: number): GpuWindow => ({ job: 'student', node: 'n1', gpu: '0', start: end - 5 * MIN, end, fields: { DCGM_FI_DEV_GPU_UTIL: { mean: util, max: util, min: util } } });
    expect(eng.evaluateGpuWindow(win(T0, 99))).toEqual([]);
    eng.evaluate(appEvent(T0 + MIN, 'inference_query', { job: 'student' }, { logprobs: true }));
    expect(eng.evaluateGpuWindow(win(T0 + 10 * MIN, 20))).toEqual([]);
    expect(eng.evaluateGpuWindow(win(T0 + 20 * MIN, 90))).toHaveLength(1);
  });
});

describe('GPU-window rules', () => {
  it('match on DCGM field statistics and window duration', () => {
    const eng = engineFor(head('MLS-T-020') + 'input: gpu\ndetection:\n  s:\n    DCGM_FI_DEV_GPU_UTIL.mean|gte: 95\n    DCGM_FI_DEV_FB_USED.max|lte: 6144\n    duration|gte: 120\n  condition: s\n');
    const w = (util: number, fb: number, secs: number): GpuWindow => ({
      job: 'ray-head', node: 'gpu-node-1', gpu: '3', start: T0, end: T0 + secs * 1e6,
      fields: { DCGM_FI_DEV_GPU_UTIL: { mean: util, max: 100, min: 90 }, DCGM_FI_DEV_FB_USED: { mean: fb, max: fb, min: fb } },
    });
    expect(eng.evaluateGpuWindow(w(99, 2000, 300))).toHaveLength(1);
    expect(eng.evaluateGpuWindow(w(99, 40000, 300))).toEqual([]);
    expect(eng.evaluateGpuWindow(w(99, 2000, 60))).toEqual([]);
    expect(eng.evaluateGpuWindow({ ...w(99, 2000, 300), fields: {} })).toEqual([]);
  });
});
