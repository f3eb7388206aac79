/**
 * Loads what the cascade's Layer 2 needs: both ONNX models and the score bands from the training
 * report checked in beside them. Each model is usable only when its file loads, the report parses,
 * the file's SHA-256 is the one the report names, and the report's feature list is this build's
 * (a model trained on other features would score garbage). Anything else makes that model
 * 'unavailable' with the reason, and the cascade escalates what it would have scored.
 */
import { createHash } from 'node:crypto';
import { EVENT_FEATURES, SEQUENCE_LENGTH } from './event-features.js';
import { GPU_FEATURES } from './gpu-features.js';
import { modelPaths, readModelFile } from './model-files.js';
import { loadOnnxModel, releaseModel, type DeviceChoice, type ModelHandle } from './onnx-runtime.js';
import { parseTrainingReport, type RuntimeTrainingReport } from './training-report.js';
import type { ScoreBands } from './training-metrics.js';

export interface Layer2Models {
  lstm: ModelHandle;
  iforest: ModelHandle;
  lstmBands: Pick<ScoreBands, 'clearBelow' | 'alertAtOrAbove'> | null;
  iforestBands: Pick<ScoreBands, 'clearBelow' | 'alertAtOrAbove'> | null;
  report: RuntimeTrainingReport | null;
  /** One line per model for logs and the case: `lstm: cpu (cuda unavailable: …)` or `lstm: unavailable (…)`. */
  summary: string[];
}

const MAX_REPORT_BYTES = 8 << 20;

/** Loads both models from `dir` (default: the package's analysis/models). Never throws. */
export async function loadLayer2Models(device: DeviceChoice = 'auto', dir?: string): Promise<Layer2Models> {
  const paths = modelPaths(dir);
  if (paths === null) {
    const reason = 'analysis/models not found: no mlshield-workbench package root above this module';
    const none = (source: string): ModelHandle => ({ status: 'unavailable', source, device, reason, attempts: [] });
    return { lstm: none('event-lstm.onnx'), iforest: none('gpu-iforest.onnx'), lstmBands: null, iforestBands: null, report: null, summary: [`lstm: unavailable (${reason})`, `iforest: unavailable (${reason})`] };
  }
  let report: RuntimeTrainingReport | null = null;
  let reportProblem: string | null = null;
  const reportFile = readModelFile(paths.report, MAX_REPORT_BYTES);
  if (!reportFile.ok) reportProblem = reportFile.reason;
  else {
    const parsed = parseTrainingReport(Buffer.from(reportFile.bytes).toString('utf8'));
    if (parsed.ok) report = parsed.report;
    else reportProblem = parsed.reason;
  }

  const lstm = await loadChecked(paths.lstm, device, reportProblem ?? checkSection(report!.lstm.featureNames, EVENT_FEATURES, report!.lstm.sequenceLength === SEQUENCE_LENGTH), report?.lstm.sha256);
  const iforest = await loadChecked(paths.iforest, device, reportProblem ?? checkSection(report!.iforest.featureNames, GPU_FEATURES, true), report?.iforest.sha256);
  return {
    lstm,
    iforest,
    lstmBands: lstm.status === 'loaded' && report ? report.lstm.bands : null,
    iforestBands: iforest.status === 'loaded' && report ? report.iforest.bands : null,
    report,
    summary: [`lstm: ${describe(lstm)}`, `iforest: ${describe(iforest)}`],
  };
}

function describe(h: ModelHandle): string {
  return h.status === 'loaded' ? h.summary : `unavailable (${h.reason})`;
}

function checkSection(names: readonly string[], expected: readonly string[], seqOk: boolean): string | null {
  if (!seqOk) return `the training report's sequence length is not ${SEQUENCE_LENGTH}`;
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) return 'the model was trained on a different feature list than this build computes; retrain it';
  return null;
}

async function loadChecked(path: string, device: DeviceChoice, problem: string | null, sha256: string | undefined): Promise<ModelHandle> {
  if (problem !== null) return { status: 'unavailable', source: path, device, reason: problem, attempts: [] };
  const file = readModelFile(path);
  if (!file.ok) return { status: 'unavailable', source: path, device, reason: file.reason, attempts: [] };
  const actual = createHash('sha256').update(file.bytes).digest('hex');
  if (actual !== sha256) return { status: 'unavailable', source: path, device, reason: `${path} has SHA-256 ${actual}, the training report names ${sha256}`, attempts: [] };
  return loadOnnxModel(file.bytes, device, path);
}

export async function releaseLayer2Models(m: Layer2Models): Promise<void> {
  await releaseModel(m.lstm);
  await releaseModel(m.iforest);
}
