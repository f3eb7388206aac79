/**
 * Seeded randomized comparison of cascadeMetrics against the brute-force oracle
 * (metrics-oracle.test-support.ts): random trajectories, malicious events, bytes (some absent),
 * alerts before / at / after t_start, GPU-window alerts, tied scores and tied timestamps, and
 * hostile labels — each case written into one real SQLite case file, then scored both ways.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { cascadeMetrics } from './cascade-metrics.js';
import { parseGroundTruth, resolveGroundTruth } from './ground-truth.js';
import { mulberry32 } from '../core/mulberry32.js';
import { buildCase, differences, oracle, type HostileLabel, type SimCase, type SimTrajectory } from './metrics-oracle.test-support.js';

const S = 1_000_000;
const FAMILIES = ['weight-exfil', 'shadowray', 'data-poisoning'];
const SCORES = [0.1, 0.25, 0.5, 0.5, 0.75, 0.9];

function randomCase(rnd: () => number): SimCase {
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const trajectories: SimTrajectory[] = [];
  const n = int(0, 7);
  for (let t = 0; t < n; t++) {
    const malicious = rnd() < 0.5;
    const withBytes = rnd() < 0.5;
    const len = int(0, 16);
    const events = Array.from({ length: len }, () => {
      const e: SimTrajectory['events'][number] = { ts: int(0, 40) * S }; // small range: ties in time
      if (malicious && rnd() < 0.4) e.malicious = { phase: 'exfiltration', ...(withBytes && rnd() < 0.7 ? { bytes: int(0, 5) * 100 } : {}) };
      if (rnd() < 0.15) e.alert = true;
      if (rnd() < 0.6) e.score = SCORES[int(0, SCORES.length - 1)]!;
      return e;
    });
    const gpuAlerts = rnd() < 0.2 ? Array.from({ length: int(1, 2) }, () => int(0, 45) * S) : [];
    trajectories.push({ job: `ns/job-${t}`, family: malicious ? FAMILIES[int(0, 2)]! : 'benign', malicious, events, gpuAlerts, unlabelled: rnd() < 0.1 });
  }
  const hostile: HostileLabel[] = [];
  for (let t = 0; t < n; t++) {
    if (rnd() >= 0.2) continue;
    const kind = (['duplicate', 'unknown-file', 'no-such-line', 'other-job'] as const)[int(0, 3)]!;
    if (kind === 'duplicate') {
      const k = trajectories[t]!.events.findIndex((e) => e.malicious);
      if (k >= 0) hostile.push({ traj: t, kind, ref: { traj: t, event: k } }, { traj: t, kind, ref: { traj: t, event: k } });
    } else if (kind === 'other-job') {
      const o = int(0, n - 1);
      if (o !== t && trajectories[o]!.events.length > 0) hostile.push({ traj: t, kind, ref: { traj: o, event: int(0, trajectories[o]!.events.length - 1) } });
    } else hostile.push({ traj: t, kind }, ...(rnd() < 0.3 ? [{ traj: t, kind }] : []));
  }
  const emptyLabels = rnd() < 0.2 ? [{ job: 'ns/empty', family: 'shadowray', malicious: rnd() < 0.5 }] : [];
  return { trajectories, hostile, emptyLabels };
}

let dir: string;
let store: CaseStore;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-oracle-rand-'));
  store = CaseStore.open(join(dir, 'case.sqlite'));
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cascadeMetrics against the brute-force oracle (seeded, random)', () => {
  it('agrees on every field over 200 random cases', () => {
    const rnd = mulberry32(20261120);
    const failures: string[] = [];
    // What the cases covered, so a change to the generator cannot quietly test nothing.
    const seen = { noAttacks: 0, noNormals: 0, someMissed: 0, gap0: 0, eir5AboveEir0: 0, aucNull: 0, aucMixed: 0, unmatched: 0, unlabelledFlagged: 0 };
    for (let i = 0; i < 200; i++) {
      const c = randomCase(rnd);
      const built = buildCase(store, c, rnd);
      const truth = resolveGroundTruth(store.db, parseGroundTruth(built.labelsText, 'labels.json'));
      const got = cascadeMetrics(store.db, built.run, truth);
      const want = oracle(c, built);
      const diff = differences(got, want);
      if (want.attacks === 0) seen.noAttacks++;
      if (want.normals === 0) seen.noNormals++;
      if (want.missed > 0 && want.detected > 0) seen.someMissed++;
      if (want.eir0 > 0) seen.gap0++;
      if (want.eir5 > want.eir0) seen.eir5AboveEir0++;
      if (want.auc === null) seen.aucNull++;
      if (want.auc !== null && want.auc !== 0 && want.auc !== 1) seen.aucMixed++;
      if (want.unmatchedLabels > 0) seen.unmatched++;
      if (want.unlabelledFlagged > 0) seen.unlabelledFlagged++;
      if (diff.length > 0) failures.push(`case ${i}: ${diff.join('; ')}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
    for (const [k, n] of Object.entries(seen)) expect(n, k).toBeGreaterThanOrEqual(5);
  });
});
