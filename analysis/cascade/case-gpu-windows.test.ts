/**
 * The case's GPU windows against the reference windowing (models/gpu-features.ts gpuWindows) over
 * the same samples read back from a real case file: the sample incident's DCGM scrapes, plus
 * series with hostile field names.
 */
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { gpuWindows } from '../models/gpu-features.js';
import type { GpuSample } from '../core/records.js';
import { caseGpuWindows, type GpuWindowTable } from './case-gpu-windows.js';
import { GPU_WINDOW_PARTS_META, rebuildGpuWindowParts } from '../store/gpu-window-parts.js';
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
