/**
 * The memory of behavioural-spec job tables (spec-job.ts) on the engine's state pool (state-pool.ts):
 * a table charges its jobs' keys, labels, learnt namespaces and egress windows to one account; past
 * it the table forgets its own oldest jobs, never the current event's. Before: only the job limit
 * (4096) bounded it, and one job with 64 labels of 317 + 512 characters holds about 110 KB.
 * Forgetting a job may lose a hit, never invent one (checked against an engine that never forgets).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import type { EventRecord } from '../../core/records.js';
import type { EngineLimits, RuleHit } from './compiled-rule.js';
import { createRuleEngine } from './engine.js';
import type { GpuWindow } from './gpu-window.js';
import { loadRuleSet } from './rule-loader.js';
import { createSpecSet } from './spec-set.js';
import { MAX_LABELS } from './spec-job.js';
import type { SpecProgram } from './spec-program.js';
import { StatePool } from './state-pool.js';
import { SumWindow } from './window-state.js';
import { appEvent, MIN, readRuleFiles, T0 } from './fixtures.test-support.js';

const SPECS = `kind: BehaviouralSpec
id: SPEC-MEM-LABELS
title: label-selected training jobs
selector: {labels: {team: 'ml-*'}}
egress:
  rate: {window: 10m, max_bytes: 1MiB}
checkpoints: {interval: 1h, tolerance: 5m}
---
kind: BehaviouralSpec
id: SPEC-MEM-NS
title: namespace-selected jobs
selector: {namespaces: ['ml-*']}
egress:
  rate: {window: 10m, max_bytes: 1MiB}
data:
  paths:
    - {glob: '/data/**', operations: [read]}
`;

function rules(text: string) {
  const set = loadRuleSet(text.split('---\n').map((t, i) => ({ path: `m${i}.yaml`, text: t })));
  expect(set.errors).toEqual([]);
  return set.rules;
}

/** 64 labels of 300 + 500 characters (`team` first, so it is among the labels kept); distinct per job. */
function hostileLabels(i: number): Record<string, string> {
  const l: Record<string, string> = { team: 'ml-flood' };
  for (let k = 1; k < MAX_LABELS; k++) l[`${String(k).padStart(2, '0')}-${i}-${'k'.repeat(290)}`] = `${i}:${'v'.repeat(490)}`;
  return l;
}

const ids = (hits: readonly RuleHit[]) => hits.map((h) => h.ruleId).sort();

describe('spec job tables charge the engine state pool', () => {
  it('a flood of jobs with 64 long labels each stays within the table limit and the pool', () => {
    const perRule = 2 << 20;
    const total = 4 << 20;
    const pool = new StatePool(total);
    const limits: EngineLimits = { maxKeysPerRule: 4096, maxJobsPerSpec: 4096, maxStateBytesPerRule: perRule, maxStateBytes: total, statePool: pool };
    const programs = rules(SPECS).map((r) => r.spec!) as SpecProgram[];
    const set = createSpecSet(programs, limits);
    expect(pool.rules).toBe(1); // both specs see events only: one shared table, one account
    let maxUsed = 0;
    let maxKeys = 0;
    const jobs = 3000;
    for (let i = 0; i < jobs; i++) {
      const job = `ml-train/flood-${i}`;
      const ts = T0 + i * 1_000_000;
      const out: RuleHit[] = [];
      set.event(appEvent(ts, 'pod_start', { job, namespace: 'ml-train' }, { labels: hostileLabels(i) }), { audit: null }, out);
      set.event(appEvent(ts, 'upload', { job, namespace: 'ml-train' }, { destination: 'https://x.example/u', bytes: 1000 }), { audit: null }, out);
      const size = set.stateSize();
      maxUsed = Math.max(maxUsed, size.used);
      maxKeys = Math.max(maxKeys, size.keys);
      expect(size.used).toBe(pool.used); // the pool holds exactly what the table holds
    }
    const oneJob = 64 * (80 + 2 * 800) + 4096;
    // What the table keeps: its limit (the current job alone may pass it; here 2 MiB holds many jobs).
    expect(maxUsed).toBeLessThanOrEqual(perRule);
    expect(pool.peak).toBeLessThanOrEqual(perRule + oneJob);
    // It did hold jobs at full size (about 110 KB each), and only a handful of them: not 3000.
    expect(maxUsed).toBeGreaterThan(perRule - 2 * oneJob);
    expect(maxKeys).toBeGreaterThan(10);
    expect(maxKeys).toBeLessThan(30);
    expect(set.stateSize()).toMatchObject({ limit: perRule });
  });

  it('a job still held keeps its violations; a forgotten one starts again from nothing', () => {
    const perRule = 1 << 20;
    const pool = new StatePool(8 << 20);
    const engine = createRuleEngine(rules(SPECS), { maxKeysPerRule: 4096, maxJobsPerSpec: 4096, maxStateBytesPerRule: perRule, maxStateBytes: 8 << 20, statePool: pool });
    const first = 'ml-train/victim';
    const at = (k: number) => T0 + k * MIN;
    expect(engine.evaluate(appEvent(at(0), 'pod_start', { job: first, namespace: 'ml-train' }, { labels: { team: 'ml-a' } }))).toEqual([]);
    expect(engine.evaluate(appEvent(at(1), 'checkpoint_save', { job: first, namespace: 'ml-train' }))).toEqual([]);
    // The flood (after `first`): each job over 100 KB, far more of them than 1 MiB holds.
    for (let i = 0; i < 60; i++) engine.evaluate(appEvent(at(2), 'pod_start', { job: `ml-train/flood-${i}`, namespace: 'ml-train' }, { labels: hostileLabels(i) }));
    expect(pool.used).toBeLessThanOrEqual(perRule);
    // `first` was forgotten: its save 10 minutes later has no previous one (a lost hit, not a new one).
    expect(ids(engine.evaluate(appEvent(at(11), 'checkpoint_save', { job: first, namespace: 'ml-train' })))).toEqual([]);
    // The last flood job is held: off-schedule saves, egress over the rate and a data path still fire.
    const last = 'ml-train/flood-59';
    expect(ids(engine.evaluate(appEvent(at(3), 'checkpoint_save', { job: last, namespace: 'ml-train' })))).toEqual([]);
    expect(ids(engine.evaluate(appEvent(at(13), 'checkpoint_save', { job: last, namespace: 'ml-train' })))).toEqual(['SPEC-MEM-LABELS/checkpoints.interval']);
    const up = engine.evaluate(appEvent(at(14), 'upload', { job: last, namespace: 'ml-train' }, { destination: 'https://x.example/u', bytes: 3 << 20, path: '/data/x', operation: 'write' }));
    expect(ids(up)).toEqual(['SPEC-MEM-LABELS/egress.rate', 'SPEC-MEM-NS/data.operations', 'SPEC-MEM-NS/egress.rate']);
    expect(pool.used).toBeLessThanOrEqual(perRule);
  });

  it("never forgets the current event's job, even the oldest one growing past the limit", () => {
    const pool = new StatePool(Infinity);
    const programs = rules(SPECS).map((r) => r.spec!) as SpecProgram[];
    const set = createSpecSet(programs, { maxKeysPerRule: 64, maxJobsPerSpec: 64, maxStateBytesPerRule: 100_000, statePool: pool });
    const ev = (ts: number, job: string, action: string, attrs: Record<string, unknown> = {}) => {
      const out: RuleHit[] = [];
      set.event(appEvent(T0 + ts * MIN, action, { job, namespace: 'ml-train' }, attrs), { audit: null }, out);
      return ids(out);
    };
    for (const j of ['ml-train/a', 'ml-train/b', 'ml-train/c']) ev(0, j, 'pod_start');
    expect(set.stateSize().keys).toBe(3);
    // `a`, the oldest, takes 64 long labels (about 110 KB, over the 100 KB limit): the others go, `a` stays.
    ev(1, 'ml-train/a', 'pod_start', { labels: hostileLabels(0) });
    expect(set.stateSize().keys).toBe(1);
    expect(set.stateSize().used).toBeGreaterThan(100_000);
    // Its labels are kept: the label-selected spec still judges it.
    expect(ev(2, 'ml-train/a', 'checkpoint_save')).toEqual([]);
    expect(ev(3, 'ml-train/a', 'checkpoint_save')).toEqual(['SPEC-MEM-LABELS/checkpoints.interval']);
    // The next job to come in pushes it out (it is no longer the current one).
    ev(4, 'ml-train/e', 'pod_start');
    expect(set.stateSize().keys).toBe(1);
    expect(set.stateSize().used).toBeLessThan(5000);
  });

  it('labels replaced or dropped give their bytes back; forgotten jobs release everything', () => {
    const pool = new StatePool(Infinity);
    const programs = rules(SPECS).map((r) => r.spec!) as SpecProgram[];
    const set = createSpecSet(programs, { maxKeysPerRule: 64, maxJobsPerSpec: 2, statePool: pool });
    const ev = (job: string, labels: Record<string, string> | null, bytes?: number) => {
      const attrs: Record<string, unknown> = {};
      if (labels) attrs.labels = labels;
      if (bytes !== undefined) Object.assign(attrs, { destination: 'x.example', bytes });
      set.event(appEvent(T0, 'pod_start', { job, namespace: 'ml-train' }, attrs), { audit: null }, []);
    };
    ev('ml-train/a', null);
    const bare = pool.used;
    expect(bare).toBeGreaterThan(0);
    ev('ml-train/a', hostileLabels(1));
    const labelled = pool.used;
    expect(labelled - bare).toBeGreaterThan(64 * 1600);
    ev('ml-train/a', { team: 'ml-a' });
    expect(pool.used).toBeLessThan(bare + 400);
    ev('ml-train/a', null, 10);
    // Both specs select it (label and namespace) and count its egress: one window each.
    expect(pool.used - bare).toBeGreaterThanOrEqual(2 * SumWindow.bytes);
    ev('ml-train/b', hostileLabels(2));
    ev('ml-train/c', null);
    ev('ml-train/d', null);
    // Two jobs held (c and d, bare): the labelled ones released all they held.
    expect(set.stateSize().keys).toBe(2);
    expect(pool.used).toBeLessThan(2 * bare + 16);
  });
});

/** A seeded stream: monotonic time, namespaced and free-form keys, labels big and small, saves, egress, GPU windows. */
function stream(seed: number, n: number): Array<EventRecord | GpuWindow> {
  const r = mulberry32(seed);
  const pick = <T>(l: readonly T[]): T => l[Math.floor(r() * l.length)]!;
  const out: Array<EventRecord | GpuWindow> = [];
  for (let i = 0; i < n; i++) {
    const ts = T0 + i * 20_000_000;
    const k = Math.floor(r() * r() * 400);
    const job = k % 3 === 0 ? `svc-${k}` : `${pick(['ml-train', 'serving', 'ray'])}/j-${k}`;
    const ns = r() < 0.15 ? null : pick(['ml-train', 'serving', 'ray', 'default']);
    const x = r();
    if (x < 0.08) {
      out.push({ job, node: 'n1', gpu: '0', start: ts - 5 * MIN, end: ts, fields: { DCGM_FI_DEV_GPU_UTIL: { mean: r() * 100, max: 100, min: 0 }, DCGM_FI_DEV_FB_USED: { mean: 900, max: r() * 3000, min: 0 } } });
    } else if (x < 0.3) {
      const labels = r() < 0.5 ? hostileLabels(k) : pick([{ team: 'ml-a' }, { 'ray.io/cluster': 'c1' }, { app: 'x', team: 'web' }]);
      out.push(appEvent(ts, 'pod_start', { job, namespace: ns }, { labels }));
    } else {
      const attrs: Record<string, unknown> = {};
      if (r() < 0.3) attrs.path = pick(['/data/a', '/etc/shadow', '/mnt/ckpt/1.pt']);
      if (r() < 0.5) attrs.destination = pick(['https://transfer.sh/x', 's3://corp-x/y', '10.1.2.3:9000', 'huggingface.co']);
      if (r() < 0.5) attrs.bytes = Math.floor(r() * 600_000);
      out.push(appEvent(ts, pick(['checkpoint_save', 'upload', 'dataset_read', 'model_export']), { job, namespace: ns, actor: pick(['mallory', 'system:serviceaccount:ml-train:trainer']) }, attrs));
    }
  }
  return out;
}

describe('bounded job tables never invent a hit', () => {
  it('every hit of a bounded engine is a hit of one that never forgets, event by event', () => {
    const all = [...rules(SPECS), ...loadRuleSet(readRuleFiles('specs')).rules];
    const never: EngineLimits = { maxKeysPerRule: 1e9, maxJobsPerSpec: 1e9, maxStateBytesPerRule: Infinity, maxStateBytes: Infinity };
    let lost = 0;
    let kept = 0;
    for (const seed of [1, 2, 3]) {
      const pool = new StatePool(3 << 20);
      const bounded = createRuleEngine(all, { maxKeysPerRule: 4096, maxJobsPerSpec: 4096, maxStateBytesPerRule: 1 << 20, maxStateBytes: 3 << 20, statePool: pool });
      const full = createRuleEngine(all, never);
      for (const item of stream(seed, 3000)) {
        const isWindow = 'end' in item;
        const a = ids(isWindow ? bounded.evaluateGpuWindow(item) : bounded.evaluate(item));
        const b = ids(isWindow ? full.evaluateGpuWindow(item) : full.evaluate(item));
        const rest = [...b];
        for (const id of a) {
          const j = rest.indexOf(id);
          expect(j, `${id} invented on ${JSON.stringify(item).slice(0, 300)}`).toBeGreaterThanOrEqual(0);
          rest.splice(j, 1);
        }
        lost += rest.length;
        kept += a.length;
        expect(pool.used).toBeLessThanOrEqual(3 << 20);
      }
    }
    // Forgetting happened (hits were lost), and most hits were kept.
    expect(lost).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(5 * lost);
  });
});
