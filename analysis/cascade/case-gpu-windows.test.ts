/**
 * The case's GPU windows against the reference windowing (models/gpu-features.ts gpuWindows) over
 * the same samples read back from a real case file: the sample incident's DCGM scrapes, plus
 * series with hostile field names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { GPU_FEATURE_STATE_LENGTH, GpuFeatureAccumulator, gpuFeatureFieldIndex, gpuWindows } from '../models/gpu-features.js';
import type { GpuSample } from '../core/records.js';
import { caseGpuWindows, type GpuWindowTable } from './case-gpu-windows.js';
import { GPU_WINDOW_MICROS, GPU_WINDOW_PARTS_META, rebuildGpuWindowParts } from '../store/gpu-window-parts.js';
import { useSampleCase } from './sample-case.test-support.js';

/** The case's windows as objects (the table makes each view on demand). */
function windowList(db: CaseStore['db']): { rule: ReturnType<GpuWindowTable['ruleWindow']>; model: ReturnType<GpuWindowTable['modelWindow']> }[] {
  const t = caseGpuWindows(db);
  return Array.from({ length: t.length }, (_, i) => ({ rule: t.ruleWindow(i), model: t.modelWindow(i) }));
}

const sample = useSampleCase('mlshield-gpuwin-');

function samplesOf(db: CaseStore['db']): GpuSample[] {
  return (db.prepare('SELECT ts, node, gpu, job, field, value FROM gpu_samples_view WHERE value IS NOT NULL ORDER BY ts').all() as GpuSample[]);
}

describe('caseGpuWindows', () => {
  it('computes the reference windows, features and per-field summaries of a real case', () => {
    const samples = samplesOf(sample.store.db);
    expect(samples.length).toBeGreaterThan(1000);
    const ref = gpuWindows(samples, 60);
    const got = windowList(sample.store.db);
    expect(got.map((w) => [w.model.job, w.model.node, w.model.gpu, w.model.start, w.model.end, w.model.sampleCount])).toEqual(
      ref.map((w) => [w.job, w.node, w.gpu, w.start, w.end, w.sampleCount]),
    );
    got.forEach((w, i) => w.model.features.forEach((x, k) => expect(x).toBeCloseTo(ref[i]!.features[k]!, 12)));
    // Rule summaries: every field of the window's samples, mean / max / min.
    for (const w of got.slice(0, 50)) {
      const inWin = samples.filter((s) => s.job === w.rule.job && s.node === w.rule.node && s.gpu === w.rule.gpu && s.ts >= w.rule.start && s.ts < w.rule.end);
      const names = [...new Set(inWin.map((s) => s.field))].sort();
      expect(Object.keys(w.rule.fields).sort()).toEqual(names);
      for (const name of names) {
        const vs = inWin.filter((s) => s.field === name).map((s) => s.value!);
        expect(w.rule.fields[name]!.max).toBe(Math.max(...vs));
        expect(w.rule.fields[name]!.min).toBe(Math.min(...vs));
        expect(w.rule.fields[name]!.mean).toBeCloseTo(vs.reduce((a, b) => a + b, 0) / vs.length, 9);
      }
    }
  });

  it('gives the same windows from the samples (a case made before the parts) and after a rebuild', () => {
    const db = sample.store.db;
    const fromParts = windowList(db);
    db.prepare('DELETE FROM meta WHERE key = ?').run(GPU_WINDOW_PARTS_META);
    const fromSamples = windowList(db);
    rebuildGpuWindowParts(db);
    const rebuilt = windowList(db);
    for (const other of [fromSamples, rebuilt]) {
      expect(other.map((w) => [w.model.job, w.model.node, w.model.gpu, w.model.start, w.model.sampleCount])).toEqual(
        fromParts.map((w) => [w.model.job, w.model.node, w.model.gpu, w.model.start, w.model.sampleCount]),
      );
      other.forEach((w, i) => {
        w.model.features.forEach((x, k) => expect(x).toBeCloseTo(fromParts[i]!.model.features[k]!, 12));
        for (const [name, f] of Object.entries(w.rule.fields)) {
          const p = fromParts[i]!.rule.fields[name]!;
          expect([f.max, f.min]).toEqual([p.max, p.min]);
          expect(f.mean).toBeCloseTo(p.mean, 9);
        }
      });
    }
  });

  it('keeps attacker-named fields as plain data and skips windows the forest has nothing for', () => {
    const db = sample.store.db;
    const src = (db.prepare('SELECT id FROM sources LIMIT 1').get() as { id: number }).id;
    const writer = sample.store.openRecordWriter(src);
    let line = 1;
    const add = (field: string, ts: number, value: number | null): void => {
      writer.gpuRecord([{ ts, node: 'evil-node', gpu: '0', job: 'x/evil', field, value }], line++, 0);
    };
    const t = 1_900_000_000_000_000;
    add('__proto__', t, 5);
    add('DCGM_FI_DEV_GPU_UTIL', t + 1, 90);
    add('DCGM_FI_DEV_GPU_UTIL', t + 2, null);
    add('constructor', t + 120e6, 1); // a window with no field the forest reads
    writer.finish();
    const evil = windowList(db).filter((w) => w.rule.job === 'x/evil');
    expect(evil).toHaveLength(1);
    expect(evil[0]!.model.sampleCount).toBe(1);
    expect(Object.prototype.hasOwnProperty.call(evil[0]!.rule.fields, '__proto__')).toBe(true);
    expect(evil[0]!.rule.fields['__proto__']).toEqual({ mean: 5, max: 5, min: 5 });
    expect(evil[0]!.rule.fields['DCGM_FI_DEV_GPU_UTIL']).toEqual({ mean: 90, max: 90, min: 90 });
    expect(({} as Record<string, unknown>).mean).toBeUndefined();
  });
});

/** One window's summary as a chunk stores it (store/gpu-window-parts.ts GpuWindowChunk). */
interface Summary {
  start: number;
  /** Name index in the chunk's names, count, mean, min, max. */
  fields: [number, number, number, number, number][];
}

/** A chunk's numbers; each summary's accumulator state over its fields' values (mean, min and max as values). */
function chunkData(names: readonly string[], summaries: readonly Summary[]): Float64Array {
  const out: number[] = [];
  for (const w of summaries) {
    const acc = new GpuFeatureAccumulator();
    for (const [name, , mean, min, max] of w.fields) {
      const k = gpuFeatureFieldIndex(names[name]!);
      if (k >= 0) for (const v of [mean, min, max]) acc.add(k, v);
    }
    const state = acc.state();
    expect(state).toHaveLength(GPU_FEATURE_STATE_LENGTH);
    out.push(w.start, w.fields.length, ...state, ...w.fields.flat());
  }
  return new Float64Array(out);
}

/** A fresh case holding exactly `chunks` as its window summaries, in this row order. */
function withParts(chunks: readonly { job: string; names: string[]; summaries: Summary[] }[], check: (db: CaseStore['db']) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'mlshield-gpuwin-parts-'));
  const store = CaseStore.open(join(dir, 'c.sqlite'));
  try {
    const insert = store.db.prepare('INSERT INTO gpu_window_parts(job, node, gpu, names, data) VALUES (?, ?, ?, ?, ?)');
    for (const c of chunks) {
      const data = chunkData(c.names, c.summaries);
      insert.run(c.job, 'n1', '0', JSON.stringify(c.names), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    }
    check(store.db);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('caseGpuWindows over summaries in several chunks', () => {
  const UTIL = 'DCGM_FI_DEV_GPU_UTIL';
  const T = 1_700_000_000 * GPU_WINDOW_MICROS;

  it('merges the summaries of one window from every chunk, fields in the order they first appear', () => {
    withParts([
      // Windows out of time order inside a chunk.
      { job: 'ml/m', names: [UTIL, 'X'], summaries: [
        { start: T + GPU_WINDOW_MICROS, fields: [[0, 2, 10, 5, 15], [1, 1, 3, 3, 3]] },
        { start: T, fields: [[0, 1, 50, 50, 50]] },
      ] },
      { job: 'ml/a', names: [UTIL], summaries: [{ start: T + GPU_WINDOW_MICROS, fields: [[0, 1, 70, 70, 70]] }] },
      // 'X' twice in the names (a tampered chunk): both are the window's one field X.
      { job: 'ml/m', names: ['X', 'Y', UTIL, 'X'], summaries: [
        { start: T + GPU_WINDOW_MICROS, fields: [[1, 1, 7, 7, 7], [2, 2, 40, 20, 60], [3, 2, 1, -1, 3]] },
        { start: T + 2 * GPU_WINDOW_MICROS, fields: [[1, 1, 8, 8, 8]] }, // nothing the forest reads: no window
        { start: T + 3 * GPU_WINDOW_MICROS, fields: [[1, 1, 9, 9, 9], [2, 1, 30, 30, 30]] },
      ] },
      { job: 'ml/m', names: ['X'], summaries: [{ start: T + GPU_WINDOW_MICROS, fields: [[0, 1, 0, 0, 0]] }] },
    ], (db) => {
      const t = caseGpuWindows(db);
      const got = Array.from({ length: t.length }, (_, i) => ({ rule: t.ruleWindow(i), model: t.modelWindow(i) }));
      expect(got.map((w) => [w.rule.job, w.rule.start, w.rule.end, w.model.sampleCount])).toEqual([
        ['ml/a', T + GPU_WINDOW_MICROS, T + 2 * GPU_WINDOW_MICROS, 1],
        ['ml/m', T, T + GPU_WINDOW_MICROS, 1],
        ['ml/m', T + GPU_WINDOW_MICROS, T + 2 * GPU_WINDOW_MICROS, 4],
        ['ml/m', T + 3 * GPU_WINDOW_MICROS, T + 4 * GPU_WINDOW_MICROS, 1],
      ]);
      expect(Array.from(t.byEnd())).toEqual([1, 0, 2, 3]);
      const merged = got[2]!.rule.fields;
      expect(Object.getPrototypeOf(merged)).toBeNull();
      expect(Object.keys(merged)).toEqual([UTIL, 'X', 'Y']);
      // UTIL: 2 values of mean 10 and 2 of mean 40; X: 1 of 3, 2 of 1, 1 of 0.
      expect(merged[UTIL]).toEqual({ mean: 25, max: 60, min: 5 });
      expect(merged['X']).toEqual({ mean: 1.25, max: 3, min: -1 });
      expect(merged['Y']).toEqual({ mean: 7, max: 7, min: 7 });
      // Neither the window before nor the one after (past a window that was no window) takes another's fields.
      expect(got[1]!.rule.fields).toEqual(Object.assign(Object.create(null), { [UTIL]: { mean: 50, max: 50, min: 50 } }));
      expect(Object.keys(got[3]!.rule.fields)).toEqual(['Y', UTIL]);
      expect(got[3]!.rule.fields['Y']).toEqual({ mean: 9, max: 9, min: 9 });
      expect(got[3]!.rule.fields[UTIL]).toEqual({ mean: 30, max: 30, min: 30 });
      // The forest's features: the accumulator states of the window's summaries merged.
      const acc = new GpuFeatureAccumulator();
      for (const v of [10, 5, 15, 20, 40, 60]) acc.add(gpuFeatureFieldIndex(UTIL), v);
      got[2]!.model.features.forEach((x, k) => expect(x).toBeCloseTo(acc.features()[k]!, 12));
      expect(t.featureMatrix()).toHaveLength(4 * got[0]!.model.features.length);
    });
  });
});
