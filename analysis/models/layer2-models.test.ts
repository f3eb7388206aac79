import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLayer2Models, releaseLayer2Models } from './layer2-models.js';
import { saveModelFiles } from './model-files.js';
import { syntheticSplit } from './synthetic-trajectories.js';
import { trainModels, type TrainedModels } from './train-models.js';
import { renderTrainingReport } from './training-report.js';

let trained: TrainedModels;
const dirs: string[] = [];

function saved(mutate?: (files: { lstmOnnx: Uint8Array; iforestOnnx: Uint8Array; reportJson: string }) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlshield-l2-'));
  dirs.push(dir);
  const files = { lstmOnnx: trained.lstmOnnx.slice(), iforestOnnx: trained.iforestOnnx.slice(), reportJson: renderTrainingReport(trained.report) };
  mutate?.(files);
  saveModelFiles(dir, files);
  return dir;
}

beforeAll(async () => {
  trained = await trainModels({ train: syntheticSplit(51, 12, 0.3), validation: syntheticSplit(52, 6, 0.5), test: syntheticSplit(53, 6, 0.5) }, 3, { lstm: { hidden: 4, epochs: 1 }, iforest: { trees: 10 } });
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('loadLayer2Models', () => {
  it('loads both models with their bands and reports the provider', async () => {
    const m = await loadLayer2Models('cuda', saved());
    expect(m.lstm.status).toBe('loaded');
    expect(m.iforest.status).toBe('loaded');
    expect(m.lstmBands).toEqual({ clearBelow: trained.report.lstm.bands.clearBelow, alertAtOrAbove: trained.report.lstm.bands.alertAtOrAbove });
    expect(m.summary[0]).toMatch(/^lstm: (cuda|cpu)/);
    if (m.lstm.status === 'loaded' && m.lstm.provider === 'cpu') expect(m.summary[0]).toContain('cuda unavailable');
    await releaseLayer2Models(m);
  });

  it('makes a model unavailable when its file is missing, altered, or the report is gone', async () => {
    const missing = saved();
    unlinkSync(join(missing, 'event-lstm.onnx'));
    const a = await loadLayer2Models('cpu', missing);
    expect(a.lstm.status).toBe('unavailable');
    expect(a.iforest.status).toBe('loaded');
    expect(a.lstmBands).toBeNull();
    expect(a.summary[0]).toMatch(/lstm: unavailable \(model file not found/);
    await releaseLayer2Models(a);

    const altered = saved((f) => {
      const last = f.lstmOnnx.length - 1;
      f.lstmOnnx[last] = f.lstmOnnx[last]! ^ 1;
    });
    const b = await loadLayer2Models('cpu', altered);
    expect(b.lstm.status === 'unavailable' && b.lstm.reason).toMatch(/SHA-256/);
    await releaseLayer2Models(b);

    const noReport = saved();
    writeFileSync(join(noReport, 'training-report.json'), '{"schema":"something else"}');
    const c = await loadLayer2Models('cpu', noReport);
    expect(c.lstm.status).toBe('unavailable');
    expect(c.iforest.status).toBe('unavailable');
    expect(c.report).toBeNull();

    const otherFeatures = saved((f) => {
      f.reportJson = f.reportJson.replace('"present"', '"renamed"');
    });
    const d = await loadLayer2Models('cpu', otherFeatures);
    expect(d.lstm.status === 'unavailable' && d.lstm.reason).toMatch(/different feature list/);
    expect(d.iforest.status).toBe('loaded');
    await releaseLayer2Models(d);
  });
});
