import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS, type GpuSample } from '../core/records.js';
import { createDcgmPromReader } from '../ingest/readers/dcgm-prom.js';
import { RecordingSink, feedLines } from '../ingest/readers/dcgm-recording-sink.js';
import {
  GPU_FEATURES, GPU_FEATURE_COUNT, GPU_FEATURE_FIELDS, GPU_FEATURE_SCALE_VERSION, gpuFeatureScaled, gpuWindowFeatures, gpuWindows,
} from './gpu-features.js';
import { SeededRandom } from './seeded-random.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const T = Date.UTC(2026, 0, 1) * 1000;

function feature(values: number[], name: string): number {
  return values[GPU_FEATURES.indexOf(name)]!;
}

function sample(field: string, value: number | null, ts = T, gpu = '0'): GpuSample {
  return { ts, node: 'n1', gpu, job: 'ml/train-1', field, value };
}

describe('gpuWindowFeatures', () => {
  it('lists 29 named features', () => {
    expect(GPU_FEATURE_COUNT).toBe(29);
    expect(new Set(GPU_FEATURES).size).toBe(29);
  });

  it('computes mean / max / std per field and the util–tensor mismatch', () => {
    const f = gpuWindowFeatures([
      sample('DCGM_FI_DEV_GPU_UTIL', 40),
      sample('DCGM_FI_DEV_GPU_UTIL', 80),
      sample('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 0.25),
      sample('DCGM_FI_DEV_POWER_USAGE', 300),
      sample('DCGM_FI_DEV_GPU_UTIL', null), // blank: skipped
      sample('DCGM_FI_DEV_GPU_TEMP', 70), // not a feature field
    ]);
    expect(feature(f, 'util_mean')).toBeCloseTo(0.6, 12);
    expect(feature(f, 'util_max')).toBeCloseTo(0.8, 12);
    expect(feature(f, 'util_std')).toBeCloseTo(0.2, 12);
    expect(feature(f, 'power_mean')).toBeCloseTo(0.3, 12);
    expect(feature(f, 'tensor_reported')).toBe(1);
    expect(feature(f, 'util_tensor_mismatch')).toBeCloseTo(0.6 * 0.75, 12);
    expect(feature(f, 'pcie_tx_mean')).toBe(0);
  });

  it('reports no mismatch without the tensor field', () => {
    const f = gpuWindowFeatures([sample('DCGM_FI_DEV_GPU_UTIL', 100)]);
    expect(feature(f, 'tensor_reported')).toBe(0);
    expect(feature(f, 'util_tensor_mismatch')).toBe(0);
  });

  it('clamps hostile values', () => {
    const f = gpuWindowFeatures([sample('DCGM_FI_DEV_GPU_UTIL', 1e308), sample('DCGM_FI_DEV_POWER_USAGE', -1e308), sample('DCGM_FI_PROF_PCIE_TX_BYTES', Number.NaN), sample('DCGM_FI_DEV_FB_USED', Number.POSITIVE_INFINITY)]);
    expect(f.every((v) => Number.isFinite(v) && v >= -1 && v <= 10)).toBe(true);
    expect(feature(f, 'util_max')).toBe(10);
  });
});

describe('gpuWindows on a real dcgm-exporter scrape (DataDog fixture)', () => {
  it('groups by job / node / gpu and window', () => {
    const sink = new RecordingSink();
    const text = readFileSync(new URL('datadog__dcgm_metrics.txt', FIXTURES), 'utf8');
    feedLines(createDcgmPromReader(sink, DEFAULT_READER_LIMITS, { fallbackTs: T, scrapeIntervalUs: 15_000_000 }), text);
    const samples = sink.samples;
    expect(samples.length).toBeGreaterThan(30);
    const windows = gpuWindows(samples, 60);
    expect(windows.length).toBeGreaterThanOrEqual(2);
    for (const w of windows) {
      expect(w.features).toHaveLength(GPU_FEATURE_COUNT);
      expect(w.features.every(Number.isFinite)).toBe(true);
      expect(w.end - w.start).toBe(60_000_000);
    }
    // The idle T4s: zero utilisation, a few watts.
    const t4 = windows.find((w) => w.node === '424773df46e0');
    expect(t4).toBeDefined();
    expect(feature(t4!.features, 'util_mean')).toBe(0);
    expect(feature(t4!.features, 'power_mean')).toBeCloseTo(0.008969, 6);
  });

  it('splits one series into aligned windows', () => {
    const s: GpuSample[] = [];
    for (let k = 0; k < 8; k++) s.push(sample('DCGM_FI_DEV_GPU_UTIL', k * 10, T + k * 15_000_000));
    const w = gpuWindows(s, 60);
    expect(w.map((x) => x.sampleCount)).toEqual([4, 4]);
    expect(feature(w[1]!.features, 'util_mean')).toBeCloseTo(0.55, 12);
  });

  it('fuzz: random samples never give non-finite features', () => {
    const rng = new SeededRandom(5);
    const fields = ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_PROF_PCIE_TX_BYTES', 'X'];
    const values = [0, -5, 1e300, -1e300, Number.NaN, Number.POSITIVE_INFINITY, null, 0.5, 1e12];
    for (let iter = 0; iter < 300; iter++) {
      const s: GpuSample[] = [];
      for (let k = 0; k < 20; k++) s.push(sample(rng.pick(fields), rng.pick(values), T + rng.int(1e9), rng.pick(['0', '1'])));
      for (const w of gpuWindows(s, 30)) expect(w.features.every((v) => Number.isFinite(v))).toBe(true);
    }
  });

  it('scales values as GPU_FEATURE_SCALE_VERSION says (case files keep sums of scaled values)', () => {
    // Changing a field, a scale or the clamp changes this hash: give GPU_FEATURE_SCALE_VERSION a
    // new number (stored window parts of older cases are then summarised again), then pin the hash.
    const values = [-5, 0, 0.25, 1, 50, 100, 4096, 1e6, 1e9, 1e12, 1e300];
    const scaled = GPU_FEATURE_FIELDS.map((_, k) => values.map((v) => gpuFeatureScaled(k, v)));
    expect([GPU_FEATURE_SCALE_VERSION, createHash('sha256').update(JSON.stringify(scaled)).digest('hex')]).toEqual([
      1, 'e2bb13d0902aae3c8667a347112fb360fbfe39657c8c9763884bdc90baa7907d',
    ]);
  });
});
