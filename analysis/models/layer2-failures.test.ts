/**
 * Layer 2's failure handling at the model level (DESIGN.md "A missing model never silently drops"):
 * broken model files, models whose outputs are the wrong shape or type or not finite, runs that
 * fail part-way through a batched score, training reports whose bands could clear what they should
 * not, and hostile numbers in the features. Real checked-in models and hand-built broken graphs.
 */
import { rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenModel, checkedInCopy } from './broken-models.test-support.js';
import { EVENT_FEATURES, EVENT_FEATURE_COUNT, SEQUENCE_LENGTH, TrajectoryFeaturizer } from './event-features.js';
import { loadLayer2Models, releaseLayer2Models } from './layer2-models.js';
import { MAX_RUN_BATCH, loadOnnxModel, releaseModel, scoreSequences } from './onnx-runtime.js';
import { parseTrainingReport } from './training-report.js';
import { SeededRandom } from './seeded-random.js';
import type { EventRecord } from '../core/records.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const copy = (edit?: (t: string) => string): string => {
  const d = checkedInCopy(edit);
  dirs.push(d);
  return d;
};
const stride = SEQUENCE_LENGTH * EVENT_FEATURE_COUNT;

describe('broken model files', () => {
  it('makes a model unavailable, never a throw, when it is not ONNX, truncated, or empty', async () => {
    for (const bytes of [new TextEncoder().encode('{"not": "onnx"}'), brokenModel({ value: 0.5 }).subarray(0, 40), new Uint8Array(0)]) {
      const h = await loadOnnxModel(bytes, 'cpu');
      expect(h.status).toBe('unavailable');
      const r = await scoreSequences(h, new Float32Array(stride), 1, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
      expect(r.status).toBe('unavailable');
    }
  });

  it('refuses a model declaring another rank or feature count', async () => {
    for (const input of [['batch', SEQUENCE_LENGTH, EVENT_FEATURE_COUNT - 1], ['batch', stride], ['batch', SEQUENCE_LENGTH + 1, EVENT_FEATURE_COUNT]]) {
      const h = await loadOnnxModel(brokenModel({ value: 0.5, input }), 'cpu');
      expect(h.status).toBe('loaded');
      const r = await scoreSequences(h, new Float32Array(2 * stride), 2, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
      expect(r.status, JSON.stringify(input)).toBe('unavailable');
      await releaseModel(h);
    }
  });

  it('refuses outputs of the wrong shape or type', async () => {
    for (const g of [{ value: 0.5, width: 2 }, { value: 0.5, int64: true }]) {
      const h = await loadOnnxModel(brokenModel(g), 'cpu');
      expect(h.status).toBe('loaded');
      const r = await scoreSequences(h, new Float32Array(3 * stride), 3, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
      expect(r.status, JSON.stringify(g)).toBe('unavailable');
      await releaseModel(h);
    }
  });

  it('gives nothing scored when a run fails after an earlier batch succeeded', async () => {
    // Runs only with exactly MAX_RUN_BATCH rows: the first run succeeds, the remainder's run throws.
    const h = await loadOnnxModel(brokenModel({ value: 0.5, fixedRows: MAX_RUN_BATCH, input: [MAX_RUN_BATCH, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT] }), 'cpu');
    expect(h.status).toBe('loaded');
    const n = MAX_RUN_BATCH + 5;
    const r = await scoreSequences(h, new Float32Array(n * stride), n, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
    expect(r.status).toBe('unavailable');
    if (r.status === 'unavailable') expect(r.reason).toMatch(/inference failed/);
    await releaseModel(h);
  });
});

describe('batched runs of the checked-in LSTM', () => {
  it('scores each window the same across run boundaries as alone', async () => {
    const m = await loadLayer2Models('cpu');
    expect(m.lstm.status).toBe('loaded');
    const n = 2 * MAX_RUN_BATCH + 3;
    const rng = new SeededRandom(5);
    const data = new Float32Array(n * stride);
    for (let i = 0; i < data.length; i++) data[i] = rng.float() < 0.1 ? rng.float() : 0;
    const all = await scoreSequences(m.lstm, data, n, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
    expect(all.status).toBe('scored');
    if (all.status !== 'scored') return;
    for (const i of [0, MAX_RUN_BATCH - 1, MAX_RUN_BATCH, 2 * MAX_RUN_BATCH, n - 1]) {
      const one = await scoreSequences(m.lstm, data.slice(i * stride, (i + 1) * stride), 1, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
      expect(one.status === 'scored' && one.scores[0]).toBeCloseTo(all.scores[i]!, 5);
    }
    expect(all.scores.every((s) => Number.isFinite(s) && s >= 0 && s <= 1)).toBe(true);
    await releaseLayer2Models(m);
  }, 60_000);
});

describe('training report bands', () => {
  it('loads the checked-in report and models from a copy', async () => {
    const m = await loadLayer2Models('cpu', copy());
    expect([m.lstm.status, m.iforest.status]).toEqual(['loaded', 'loaded']);
    expect(m.lstmBands!.clearBelow).toBeLessThanOrEqual(m.lstmBands!.alertAtOrAbove);
    await releaseLayer2Models(m);
  });

  it('makes both models unavailable without a report', async () => {
    const d = copy();
    unlinkSync(join(d, 'training-report.json'));
    const m = await loadLayer2Models('cpu', d);
    expect([m.lstm.status, m.iforest.status, m.lstmBands, m.iforestBands]).toEqual(['unavailable', 'unavailable', null, null]);
  });

  // JSON has no NaN or Infinity, but 1e999 parses to Infinity; an inverted or above-1 clearBelow clears scores it should not.
  it.each([
    ['clearBelow Infinity', (t: string) => t.replace(/"clearBelow": [^,\n]+/, '"clearBelow": 1e999').replace(/"alertAtOrAbove": [^,\n]+/, '"alertAtOrAbove": 1e999')],
    ['clearBelow NaN (null)', (t: string) => t.replace(/"clearBelow": [^,\n]+/, '"clearBelow": null')],
    ['inverted bands', (t: string) => t.replace(/"clearBelow": [^,\n]+/, '"clearBelow": 0.9').replace(/"alertAtOrAbove": [^,\n]+/, '"alertAtOrAbove": 0.5')],
    ['clearBelow above every score', (t: string) => t.replace(/"clearBelow": [^,\n]+/, '"clearBelow": 2').replace(/"alertAtOrAbove": [^,\n]+/, '"alertAtOrAbove": 3')],
    ['negative alert threshold', (t: string) => t.replace(/"clearBelow": [^,\n]+/, '"clearBelow": -2').replace(/"alertAtOrAbove": [^,\n]+/, '"alertAtOrAbove": -1')],
  ])('refuses a report with %s', async (_name, edit) => {
    const d = copy(edit);
    const m = await loadLayer2Models('cpu', d);
    // The LSTM's section comes first in the report: its bands are the ones edited.
    expect(m.lstm.status).toBe('unavailable');
    expect(m.lstmBands).toBeNull();
    await releaseLayer2Models(m);
  });

  it('accepts the bands a training run writes (nothing alerts: alertAtOrAbove just above 1)', () => {
    const ok = parseTrainingReport(JSON.stringify(minimalReport({ clearBelow: 0.42, alertAtOrAbove: 1.000001 })));
    expect(ok.ok).toBe(true);
    const zero = parseTrainingReport(JSON.stringify(minimalReport({ clearBelow: 0, alertAtOrAbove: 0 })));
    expect(zero.ok).toBe(true);
  });
});

function minimalReport(bands: { clearBelow: number; alertAtOrAbove: number }) {
  return {
    schema: 'mlshield.training-report/1',
    seed: 1,
    data: { sha256: 'x' },
    lstm: { sha256: 'x', featureNames: [], sequenceLength: SEQUENCE_LENGTH, bands },
    iforest: { sha256: 'x', featureNames: [], bands },
  };
}

describe('hostile numbers in event features', () => {
  const ev = (attrs: Record<string, unknown>, ts = 1_763_600_000_000_000): EventRecord => ({ ts, source: 'app', actor: 'svc@corp.example', action: 'upload', resource: 'ckpt', namespace: 'ml', job: 'j', node: null, gpu: null, outcome: null, attrs, line: 1, offset: 0 });
  const BYTES = EVENT_FEATURES.indexOf('bytes_log');
  const bytesFeature = (v: unknown): number => {
    const out = new Float32Array(EVENT_FEATURE_COUNT);
    new TrajectoryFeaturizer().next(ev({ bytes: v }), out, 0);
    return out[BYTES]!;
  };

  it('reads an overflowing byte count as the largest, not as none', () => {
    const max = bytesFeature(1e308);
    expect(max).toBe(1.5);
    // "1e999" / "Infinity" (strings survive ingest; a JSON number 1e999 parses to Infinity).
    expect(bytesFeature('1e999')).toBe(max);
    expect(bytesFeature('Infinity')).toBe(max);
    expect(bytesFeature(Number.POSITIVE_INFINITY)).toBe(max);
    for (const v of ['NaN', Number.NaN, -1, '-1e999', Number.NEGATIVE_INFINITY, 'x']) expect(bytesFeature(v), String(v)).toBe(0);
  });

  it('keeps every feature finite for extreme timestamps and counts', () => {
    const f = new TrajectoryFeaturizer();
    const out = new Float32Array(EVENT_FEATURE_COUNT);
    for (const ts of [-1e300, 1e300, Number.MAX_VALUE, -Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY, 0, -1]) {
      f.next(ev({ bytes: '1e999', size_bytes: 1e308, sourceIPs: Array(1e5).fill('8.8.8.8') }, ts), out, 0);
      for (let k = 0; k < out.length; k++) expect(Number.isFinite(out[k]!) && Math.abs(out[k]!) <= 1.5, `${EVENT_FEATURES[k]} at ts ${ts}`).toBe(true);
    }
  });
});
