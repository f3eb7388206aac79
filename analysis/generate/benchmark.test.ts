import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseTimestampMicros } from '../core/records.js';
import { generateBenchmark, type BenchmarkSplit } from './benchmark.js';
import { deriveJobKeys } from './derived-job-keys.js';
import { ATTACK_SCENARIOS, FAMILY_DEFS } from './families/registry.js';

const small = generateBenchmark({ seed: 7, scale: 0.05 });
const split = (name: string): BenchmarkSplit => small.splits.find((s) => s.split === name)!;

function lineOf(s: BenchmarkSplit, file: string, line: number): string {
  const f = s.files.find((x) => x.path === file)!;
  const text = (file.endsWith('.gz') ? gunzipSync(f.bytes) : Buffer.from(f.bytes)).toString('utf8');
  return text.split('\n')[line - 1]!;
}

describe('generateBenchmark', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const again = generateBenchmark({ seed: 7, scale: 0.05 });
    small.splits.forEach((s, i) => {
      expect(again.splits[i]!.files.map((f) => f.path)).toEqual(s.files.map((f) => f.path));
      s.files.forEach((f, j) => expect(Buffer.from(again.splits[i]!.files[j]!.bytes).equals(Buffer.from(f.bytes))).toBe(true));
      expect(JSON.stringify(again.splits[i]!.labels)).toBe(JSON.stringify(s.labels));
    });
    const other = generateBenchmark({ seed: 8, scale: 0.05 });
    expect(JSON.stringify(other.splits[0]!.labels)).not.toBe(JSON.stringify(split('train').labels));
  });

  it('reaches the full-size counts at scale 1 in reasonable time', () => {
    const t0 = Date.now();
    const full = generateBenchmark({ seed: 1 });
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(60_000);
    const t = full.summary.totals;
    expect(t.trajectories).toBeGreaterThanOrEqual(2200);
    expect(t.benign).toBeGreaterThanOrEqual(1500);
    expect(t.attacks).toBeGreaterThanOrEqual(700);
    expect(full.summary.splits.heldout.attacks).toBeGreaterThanOrEqual(100);
    const bytes = full.splits.reduce((n, s) => n + s.files.reduce((m, f) => m + f.bytes.length, 0), 0);
    expect(bytes).toBeLessThan(150_000_000);
  }, 120_000);

  it('keeps the small benchmark small and fast', () => {
    const t0 = Date.now();
    const b = generateBenchmark({ seed: 3, scale: 0.05 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const bytes = b.splits.reduce((n, s) => n + s.files.reduce((m, f) => m + f.bytes.length, 0), 0);
    expect(bytes).toBeLessThan(20_000_000);
  });

  it('has every family in train, validation and test, and held-out variants only in the held-out split', () => {
    for (const name of ['train', 'validation', 'test']) {
      const fams = new Set(split(name).labels.trajectories.map((t) => t.family));
      for (const f of [...ATTACK_SCENARIOS, 'benign']) expect(fams.has(f as never), `${f} in ${name}`).toBe(true);
      for (const t of split(name).labels.trajectories.filter((x) => x.malicious)) {
        expect(FAMILY_DEFS[t.family as (typeof ATTACK_SCENARIOS)[number]].variants.inDistribution).toContain(t.variant);
      }
    }
    const held = split('heldout').labels.trajectories.filter((t) => t.malicious);
    expect(held.length).toBeGreaterThan(0);
    for (const t of held) expect(FAMILY_DEFS[t.family as (typeof ATTACK_SCENARIOS)[number]].variants.heldOut).toContain(t.variant);
    expect(small.summary.variants['weight-exfil']!.heldOut).toEqual(['hf-cli']);
  });

  it('points labels at real lines, and the real readers derive the labelled job for every one', () => {
    for (const s of small.splits) {
      const keys = deriveJobKeys(s.files);
      expect(keys.quarantined).toBe(0);
      const derived = new Set(keys.jobs.values());
      const jobs = new Set<string>();
      for (const t of s.labels.trajectories) {
        expect(jobs.has(t.job), `duplicate ${t.job}`).toBe(false);
        jobs.add(t.job);
        expect(derived.has(t.job), `${t.job} never derived in ${s.split}`).toBe(true);
        if (!t.malicious) {
          expect(t.events).toEqual([]);
          continue;
        }
        expect(t.events.length).toBeGreaterThan(0);
        expect(t.firstMalicious).toEqual({ file: t.events[0]!.file, line: t.events[0]!.line, ts: t.events[0]!.ts });
        for (const e of t.events) {
          const obj = JSON.parse(lineOf(s, e.file, e.line)) as Record<string, unknown>;
          expect(obj.requestReceivedTimestamp ?? obj.ts).toBe(e.ts);
          expect(keys.jobs.get(`${e.file}:${e.line}`), `${t.family} ${e.phase} ${e.file}:${e.line}`).toBe(t.job);
        }
      }
    }
  });

  it('shows labelled GPU windows in DCGM samples keyed to the trajectory, with the family profile', () => {
    const s = split('train');
    const keys = deriveJobKeys(s.files);
    let checked = 0;
    for (const t of s.labels.trajectories.filter((x) => x.gpuWindows)) {
      for (const w of t.gpuWindows!) {
        const a = parseTimestampMicros(w.start)!;
        const b = parseTimestampMicros(w.end)!;
        const inWin = keys.samples.filter((x) => x.labels?.UUID === w.uuid && x.ts >= a && x.ts < b);
        if (inWin.length === 0) continue;
        checked++;
        for (const x of inWin) expect(x.job).toBe(t.job);
        const mean = (field: string): number => {
          const v = inWin.filter((x) => x.field === field).map((x) => x.value ?? 0);
          return v.reduce((p, q) => p + q, 0) / Math.max(1, v.length);
        };
        if (t.family === 'shadowray') {
          expect(mean('DCGM_FI_DEV_GPU_UTIL')).toBeGreaterThan(95);
          expect(mean('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE')).toBe(0);
          expect(mean('DCGM_FI_DEV_FB_USED')).toBeLessThan(6000);
        }
        if (t.family === 'distillation') expect(mean('DCGM_FI_DEV_FB_USED')).toBeGreaterThan(35_000);
      }
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('leaks no ground truth into the bundles', () => {
    const words = ['malicious', 'anomal', '"phase"', 'attack', 'ground truth', 'trajector', 'weight-exfil', 'data-poisoning', 'model-extraction', 'insider', 'shadowray', 'heldout', 'held-out', '"variant"', 'z_score', 'zscore', 'exfil'];
    for (const s of small.splits) {
      for (const f of s.files) {
        const t = (f.path.endsWith('.gz') ? gunzipSync(f.bytes) : Buffer.from(f.bytes)).toString('latin1').toLowerCase();
        for (const w of words) expect(t.includes(w), `${w} in ${s.split}/${f.path}`).toBe(false);
      }
    }
  });
});
