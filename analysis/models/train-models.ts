/**
 * `mlshield train`'s engine: trains the Layer-2 LSTM and Isolation Forest from labelled
 * trajectories, exports both to ONNX, runs the exported files through onnxruntime-node (CPU) to
 * check them against the TypeScript forward pass, chooses the score bands on validation (the
 * LSTM's per trajectory, chooseTrajectoryBands; the forest's per GPU window, chooseScoreBands), and
 * writes it all into a TrainingReport. Same data + same seed → identical ONNX bytes and report.
 */
import { createHash } from 'node:crypto';
import { TOOL_NAME, TOOL_VERSION } from '../core/version.js';
import { hashSplits, DATA_HASH_CANONICALISATION } from './data-hash.js';
import { EVENT_FEATURES, SEQUENCE_LENGTH } from './event-features.js';
import { GPU_FEATURES, GPU_FEATURE_COUNT } from './gpu-features.js';
import { exportIsolationForestOnnx } from './iforest-onnx.js';
import { DEFAULT_IFOREST_HYPERPARAMETERS, featureMatrix, isolationScores, trainIsolationForest, type IsolationForestHyperparameters } from './iforest-train.js';
import { exportLstmOnnx } from './lstm-onnx.js';
import { lstmScores, roundedToFloat32, type LstmParams } from './lstm-model.js';
import { DEFAULT_LSTM_HYPERPARAMETERS, trainLstm, type LstmHyperparameters, type SequenceDataset } from './lstm-train.js';
import { IFOREST_MODEL_FILE, LSTM_MODEL_FILE } from './model-files.js';
import { MAX_RUN_BATCH, loadOnnxModel, releaseModel, scoreGpuWindows, scoreSequences, type LoadedModel } from './onnx-runtime.js';
import { SeededRandom } from './seeded-random.js';
import { buildSequenceDataset, denseWindows, type TrainingData, type TrajectorySample } from './sequence-dataset.js';
import { bandDecision, chooseScoreBands, chooseTrajectoryBands, rocAuc, trajectoryAlerts, type ScoreBands } from './training-metrics.js';
import { TRAINING_REPORT_SCHEMA, type SplitCounts, type SplitMetrics, type TrainingReport } from './training-report.js';

export interface TrainOptions {
  lstm?: Partial<LstmHyperparameters>;
  iforest?: Partial<IsolationForestHyperparameters>;
  /** Progress lines (epochs, metrics). */
  log?: (line: string) => void;
}

export interface TrainedModels {
  lstmOnnx: Uint8Array;
  iforestOnnx: Uint8Array;
  report: TrainingReport;
  /** Wall-clock seconds per stage; kept out of the report so the report stays reproducible. */
  seconds: { features: number; lstm: number; iforest: number; evaluation: number };
}

/** Parity bound between the exported model and the TypeScript forward pass. */
export const PARITY_TOLERANCE = 1e-4;

export async function trainModels(data: TrainingData, seed: number, options: TrainOptions = {}): Promise<TrainedModels> {
  const log = options.log ?? (() => undefined);
  const lstmHp: LstmHyperparameters = { ...DEFAULT_LSTM_HYPERPARAMETERS, ...options.lstm };
  const forestHp: IsolationForestHyperparameters = { ...DEFAULT_IFOREST_HYPERPARAMETERS, ...options.iforest };
  const metadata: [string, string][] = [];
  const t0 = performance.now();

  const dataSha256 = hashSplits([['train', data.train], ['validation', data.validation], ['test', data.test], ['heldOut', data.heldOut]]);
  metadata.push(['mlshield.seed', String(seed)], ['mlshield.data_sha256', dataSha256]);
  const ds = { train: buildSequenceDataset(data.train), validation: buildSequenceDataset(data.validation), test: buildSequenceDataset(data.test), heldOut: data.heldOut ? buildSequenceDataset(data.heldOut) : null };
  const t1 = performance.now();
  log(`features: ${ds.train.count} train / ${ds.validation.count} validation / ${ds.test.count} test windows (${((t1 - t0) / 1000).toFixed(1)} s)`);

  // Layer-2 LSTM.
  const trained = trainLstm(ds.train, ds.validation, lstmHp, new SeededRandom(seed));
  trained.lossCurve.forEach((loss, i) => log(`lstm epoch ${i + 1}: loss ${loss.toFixed(4)}, validation AUC ${(trained.validationAucCurve[i] ?? Number.NaN).toFixed(4)}, validation loss ${(trained.validationLossCurve[i] ?? Number.NaN).toFixed(4)}`));
  log(`lstm: kept epoch ${trained.bestEpoch}`);
  const params = roundedToFloat32(trained.params);
  const lstmOnnx = exportLstmOnnx(params, { seq: SEQUENCE_LENGTH, featureNames: EVENT_FEATURES, producerVersion: TOOL_VERSION, metadata });
  const t2 = performance.now();

  // Layer-2 Isolation Forest, grown on benign training windows (novelty detection); all windows if none is labelled benign.
  const trainGpu = gpuRows(data.train);
  const benignRows = trainGpu.rows.filter((_, i) => !trainGpu.labels[i]);
  const forestRows = benignRows.length >= 2 ? benignRows : trainGpu.rows;
  if (forestRows.length < 2) throw new Error(`the training split holds ${forestRows.length} GPU windows; the Isolation Forest needs at least 2`);
  const forest = trainIsolationForest(featureMatrix(forestRows, GPU_FEATURE_COUNT), forestRows.length, GPU_FEATURE_COUNT, forestHp, new SeededRandom(seed ^ 0x1f0e57));
  const iforestOnnx = exportIsolationForestOnnx(forest, { featureNames: GPU_FEATURES, producerVersion: TOOL_VERSION, metadata });
  const t3 = performance.now();

  // Evaluate the exported files, as the cascade will run them.
  const lstmHandle = await loadOnnxModel(lstmOnnx, 'cpu', LSTM_MODEL_FILE);
  const forestHandle = await loadOnnxModel(iforestOnnx, 'cpu', IFOREST_MODEL_FILE);
  try {
    if (lstmHandle.status !== 'loaded') throw new Error(`exported LSTM does not load: ${lstmHandle.reason}`);
    if (forestHandle.status !== 'loaded') throw new Error(`exported Isolation Forest does not load: ${forestHandle.reason}`);

    const lstmVal = await lstmOnnxScores(lstmHandle, ds.validation, params);
    const lstmTest = await lstmOnnxScores(lstmHandle, ds.test, null);
    const lstmHeld = ds.heldOut ? await lstmOnnxScores(lstmHandle, ds.heldOut, null) : null;
    const trajectoryOf = {
      validation: trajectoryIndex(data.validation),
      test: trajectoryIndex(data.test),
      heldOut: data.heldOut ? trajectoryIndex(data.heldOut) : null,
    };
    // The cascade is judged per trajectory (flagged or not, and how early): the LSTM's alert band is chosen on that unit.
    const lstmBands = chooseTrajectoryBands(lstmVal.scores, ds.validation.labels, trajectoryOf.validation);

    const gpuVal = gpuRows(data.validation);
    const gpuTest = gpuRows(data.test);
    const gpuHeld = data.heldOut ? gpuRows(data.heldOut) : null;
    const paritySet = gpuVal.rows.length > 0 ? gpuVal : trainGpu;
    const forestVal = await forestOnnxScores(forestHandle, gpuVal.rows);
    const forestParity = await forestOnnxScores(forestHandle, paritySet.rows);
    const tsForest = isolationScores(forest, featureMatrix(paritySet.rows, GPU_FEATURE_COUNT), paritySet.rows.length);
    const forestMaxDiff = maxAbsDiff(forestParity, tsForest);
    const forestBands = chooseScoreBands(forestVal, gpuVal.labels);
    const forestTest = await forestOnnxScores(forestHandle, gpuTest.rows);
    const forestHeld = gpuHeld ? await forestOnnxScores(forestHandle, gpuHeld.rows) : null;
    const t4 = performance.now();

    if (lstmVal.maxAbsDiff >= PARITY_TOLERANCE) throw new Error(`LSTM ONNX/TypeScript parity ${lstmVal.maxAbsDiff} ≥ ${PARITY_TOLERANCE}: the export is wrong`);
    if (forestMaxDiff >= PARITY_TOLERANCE) throw new Error(`Isolation Forest ONNX/TypeScript parity ${forestMaxDiff} ≥ ${PARITY_TOLERANCE}: the export is wrong`);

    const report: TrainingReport = {
      schema: TRAINING_REPORT_SCHEMA,
      producer: { name: TOOL_NAME, version: TOOL_VERSION },
      seed,
      data: {
        sha256: dataSha256,
        canonicalisation: DATA_HASH_CANONICALISATION,
        splits: { train: splitCounts(data.train), validation: splitCounts(data.validation), test: splitCounts(data.test), heldOut: data.heldOut ? splitCounts(data.heldOut) : null },
      },
      lstm: {
        file: LSTM_MODEL_FILE,
        bytes: lstmOnnx.length,
        sha256: sha256Hex(lstmOnnx),
        opsets: { 'ai.onnx': 14 },
        featureNames: [...EVENT_FEATURES],
        sequenceLength: SEQUENCE_LENGTH,
        hyperparameters: lstmHp,
        epochsRun: trained.lossCurve.length,
        bestEpoch: trained.bestEpoch,
        positiveWeight: trained.positiveWeight,
        trainSequences: trained.trainSequences,
        trainLossCurve: trained.lossCurve,
        validationAucCurve: trained.validationAucCurve.map((a) => (Number.isNaN(a) ? null : a)),
        validationLossCurve: trained.validationLossCurve.map((a) => (Number.isNaN(a) ? null : a)),
        metrics: {
          validation: splitMetrics(lstmVal.scores, ds.validation.labels, lstmBands, trajectoryOf.validation),
          test: splitMetrics(lstmTest.scores, ds.test.labels, lstmBands, trajectoryOf.test),
          heldOut: lstmHeld && ds.heldOut && trajectoryOf.heldOut ? splitMetrics(lstmHeld.scores, ds.heldOut.labels, lstmBands, trajectoryOf.heldOut) : null,
        },
        bands: lstmBands,
        parity: { split: 'validation', items: ds.validation.count, maxAbsDiff: lstmVal.maxAbsDiff, provider: lstmHandle.provider },
      },
      iforest: {
        file: IFOREST_MODEL_FILE,
        bytes: iforestOnnx.length,
        sha256: sha256Hex(iforestOnnx),
        opsets: { 'ai.onnx': 14, 'ai.onnx.ml': 3 },
        featureNames: [...GPU_FEATURES],
        hyperparameters: forestHp,
        trainedOn: forestRows === benignRows ? 'benign GPU windows of the training split' : 'all GPU windows of the training split (none labelled benign)',
        trainWindows: forestRows.length,
        sampleSize: forest.sampleSize,
        metrics: {
          validation: splitMetrics(forestVal, gpuVal.labels, forestBands),
          test: splitMetrics(forestTest, gpuTest.labels, forestBands),
          heldOut: forestHeld && gpuHeld ? splitMetrics(forestHeld, gpuHeld.labels, forestBands) : null,
        },
        bands: forestBands,
        parity: { split: paritySet === gpuVal ? 'validation' : 'train', items: paritySet.rows.length, maxAbsDiff: forestMaxDiff, provider: forestHandle.provider },
      },
    };
    const m = report.lstm.metrics;
    log(`lstm AUC validation ${fmt(m.validation.auc)} test ${fmt(m.test.auc)}${m.heldOut ? ` held-out ${fmt(m.heldOut.auc)}` : ''}; parity ${lstmVal.maxAbsDiff.toExponential(2)}`);
    log(`iforest AUC validation ${fmt(report.iforest.metrics.validation.auc)} test ${fmt(report.iforest.metrics.test.auc)}; parity ${forestMaxDiff.toExponential(2)}`);
    return { lstmOnnx, iforestOnnx, report, seconds: { features: (t1 - t0) / 1000, lstm: (t2 - t1) / 1000, iforest: (t3 - t2) / 1000, evaluation: (t4 - t3) / 1000 } };
  } finally {
    await releaseModel(lstmHandle);
    await releaseModel(forestHandle);
  }
}

function fmt(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(4);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** ONNX scores of every window of a dataset, and (with `params`) the max |ONNX − TypeScript|. */
async function lstmOnnxScores(handle: LoadedModel, ds: SequenceDataset, params: LstmParams | null): Promise<{ scores: Float32Array; maxAbsDiff: number }> {
  const scores = new Float32Array(ds.count);
  let maxDiff = 0;
  for (let start = 0; start < ds.count; start += MAX_RUN_BATCH) {
    const end = Math.min(ds.count, start + MAX_RUN_BATCH);
    const windows = denseWindows(ds, start, end);
    const r = await scoreSequences(handle, windows, end - start, ds.seq, ds.dim);
    if (r.status !== 'scored') throw new Error(`scoring the exported LSTM failed: ${r.reason}`);
    scores.set(r.scores, start);
    if (params) maxDiff = Math.max(maxDiff, maxAbsDiff(r.scores, lstmScores(params, windows, end - start, ds.seq)));
  }
  return { scores, maxAbsDiff: maxDiff };
}

async function forestOnnxScores(handle: LoadedModel, rows: readonly number[][]): Promise<Float32Array> {
  if (rows.length === 0) return new Float32Array(0);
  const r = await scoreGpuWindows(handle, featureMatrix(rows, GPU_FEATURE_COUNT), rows.length, GPU_FEATURE_COUNT);
  if (r.status !== 'scored') throw new Error(`scoring the exported Isolation Forest failed: ${r.reason}`);
  return r.scores;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // NaN propagates as the worst case
  }
  return m;
}

function gpuRows(samples: readonly TrajectorySample[]): { rows: number[][]; labels: Uint8Array } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const s of samples) {
    for (const w of s.gpuWindows) {
      if (w.features.length !== GPU_FEATURE_COUNT) throw new Error(`trajectory ${s.job}: a GPU window has ${w.features.length} features, expected ${GPU_FEATURE_COUNT} (gpuWindowFeatures)`);
      rows.push(w.features);
      labels.push(w.malicious ? 1 : 0);
    }
  }
  return { rows, labels: Uint8Array.from(labels) };
}

function splitCounts(samples: readonly TrajectorySample[]): SplitCounts {
  const c: SplitCounts = { trajectories: samples.length, events: 0, maliciousEvents: 0, gpuWindows: 0, maliciousGpuWindows: 0 };
  for (const s of samples) {
    c.events += s.events.length;
    for (const l of s.labels) if (l) c.maliciousEvents++;
    c.gpuWindows += s.gpuWindows.length;
    for (const w of s.gpuWindows) if (w.malicious) c.maliciousGpuWindows++;
  }
  return c;
}

/** Per window of buildSequenceDataset(samples) (one per event, samples in order): the index of its trajectory. */
function trajectoryIndex(samples: readonly TrajectorySample[]): Int32Array {
  let total = 0;
  for (const s of samples) total += s.events.length;
  const out = new Int32Array(total);
  let w = 0;
  samples.forEach((s, i) => {
    out.fill(i, w, w + s.events.length);
    w += s.events.length;
  });
  return out;
}

function splitMetrics(scores: Float32Array, labels: Uint8Array, bands: ScoreBands, trajectoryOf?: Int32Array): SplitMetrics {
  const auc = rocAuc(scores, labels);
  let malicious = 0;
  let notCleared = 0;
  let alerts = 0;
  let trueAlerts = 0;
  for (let i = 0; i < scores.length; i++) {
    const d = bandDecision(scores[i]!, bands);
    if (labels[i]) {
      malicious++;
      if (d !== 'clear') notCleared++;
    }
    if (d === 'alert') {
      alerts++;
      if (labels[i]) trueAlerts++;
    }
  }
  return {
    auc: Number.isNaN(auc) ? null : auc,
    items: scores.length,
    malicious,
    recallNotCleared: malicious === 0 ? null : notCleared / malicious,
    precisionAlert: alerts === 0 ? null : trueAlerts / alerts,
    ...(trajectoryOf ? { trajectories: trajectoryAlerts(scores, labels, trajectoryOf, bands.alertAtOrAbove) } : {}),
  };
}
