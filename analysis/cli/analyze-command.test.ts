/**
 * `mlshield analyze`'s summary says when the Isolation Forest scored no GPU window (issue 3: a
 * missing model never passes silently): the text's "GPU windows:" line and the `--json` counts.
 * The sample incident in a real SQLite case, the checked-in models, and one forest replaced by
 * bytes that are no ONNX model.
 */
import { describe, expect, it } from 'vitest';
import { loadLayer2Models } from '../models/layer2-models.js';
import { loadOnnxModel } from '../models/onnx-runtime.js';
import { defaultRulesDir, loadRulesFrom } from '../cascade/rule-files.js';
import { runCascade, type CascadeSummary } from '../cascade/cascade-runner.js';
import { analyzeJson, renderAnalysis } from './analyze-command.js';
import { useSampleCase } from '../cascade/sample-case.test-support.js';

const sample = useSampleCase('mlshield-analyze-');

async function analyze(brokenForest: boolean): Promise<CascadeSummary> {
  const models = await loadLayer2Models('cpu');
  if (brokenForest) models.iforest = await loadOnnxModel(new Uint8Array([0x08, 0xff]), 'cpu', 'not-onnx');
  return runCascade(sample.store, { rules: loadRulesFrom([defaultRulesDir()!]).rules, models, judge: null, toolVersion: 'test' });
}

const gpuLine = (text: string): string | undefined => text.split('\n').find((l) => l.startsWith('GPU windows:'));

describe('analyze summary: GPU windows the forest did not score', () => {
  it('prints and carries the unscored windows and why when the forest cannot run', async () => {
    const run = await analyze(true);
    const n = run.counts.gpu.windows;
    expect(n).toBeGreaterThan(0);
    expect(gpuLine(renderAnalysis('case.sqlite', run, [], null, 1))).toMatch(new RegExp(`^GPU windows: ${n}, rule alerts \\d+, forest alerts 0, unscored ${n} \\(Isolation Forest unavailable: .+\\)$`));
    const json = JSON.parse(JSON.stringify(analyzeJson('case.sqlite', run, [], null))) as { counts: { gpu: Record<string, unknown> } };
    expect(json.counts.gpu).toMatchObject({ windows: n, forestAlerts: 0, unscored: n });
    expect(json.counts.gpu.unscoredReason).toMatch(/^Isolation Forest unavailable: /);
  }, 120_000);

  it('prints unscored 0 and no reason with the checked-in models', async () => {
    const run = await analyze(false);
    expect(gpuLine(renderAnalysis('case.sqlite', run, [], null, 1))).toMatch(/^GPU windows: [1-9]\d*, rule alerts \d+, forest alerts \d+, unscored 0$/);
    expect(analyzeJson('case.sqlite', run, [], null).counts.gpu).toMatchObject({ unscored: 0, unscoredReason: null });
  }, 120_000);
});
