/**
 * The training report checked in next to the models (analysis/models/training-report.json): what
 * data (SHA-256), seed, features and hyperparameters produced them, how they did on validation /
 * test / held-out variants, the score bands the cascade applies (with the rule that chose them, in
 * `bands.rule`), and the ONNX-versus-TypeScript
 * parity that shows the export is right. Deterministic: no clock time, so retraining on the same
 * data with the same seed reproduces it byte for byte. The cascade reads the bands back with
 * parseTrainingReport.
 */
import { z } from 'zod';
import type { ScoreBands } from './training-metrics.js';
import type { LstmHyperparameters } from './lstm-train.js';
import type { IsolationForestHyperparameters } from './iforest-train.js';

export const TRAINING_REPORT_SCHEMA = 'mlshield.training-report/1';

export interface SplitCounts {
  trajectories: number;
  events: number;
  maliciousEvents: number;
  gpuWindows: number;
  maliciousGpuWindows: number;
}

export interface SplitMetrics {
  /** ROC AUC of the ONNX model's scores (null when the split has one class). */
  auc: number | null;
  items: number;
  malicious: number;
  /** Recall / precision of the bands on this split (alert or escalate counts as not cleared). */
  recallNotCleared: number | null;
  precisionAlert: number | null;
  /**
   * Per trajectory (the LSTM only): normal trajectories with any event in the alert band, attack
   * trajectories with one at or after their first malicious event — the LSTM's share of what the
   * cascade is judged by, before Layer 1 adds its alerts.
   */
  trajectories?: { normals: number; normalsAlerted: number; attacks: number; attacksAlerted: number };
}

export interface ParityCheck {
  /** Validation, or train when the validation split has no items of this kind. */
  split: 'validation' | 'train';
  items: number;
  /** max |ONNX score − TypeScript score| (float32 ONNX vs float64 TS on float32 weights); must be < 1e-4. */
  maxAbsDiff: number;
  provider: string;
}

export interface ModelSection<H> {
  file: string;
  bytes: number;
  sha256: string;
  opsets: Record<string, number>;
  featureNames: string[];
  hyperparameters: H;
  metrics: { validation: SplitMetrics; test: SplitMetrics; heldOut: SplitMetrics | null };
  bands: ScoreBands;
  parity: ParityCheck;
}

export interface TrainingReport {
  schema: typeof TRAINING_REPORT_SCHEMA;
  producer: { name: string; version: string };
  seed: number;
  data: {
    sha256: string;
    canonicalisation: string;
    splits: { train: SplitCounts; validation: SplitCounts; test: SplitCounts; heldOut: SplitCounts | null };
  };
  lstm: ModelSection<LstmHyperparameters> & {
    sequenceLength: number;
    epochsRun: number;
    bestEpoch: number;
    positiveWeight: number;
    trainSequences: number;
    trainLossCurve: number[];
    validationAucCurve: (number | null)[];
    validationLossCurve: (number | null)[];
  };
  iforest: ModelSection<IsolationForestHyperparameters> & {
    /** Which windows the forest was grown on. */
    trainedOn: string;
    trainWindows: number;
    sampleSize: number;
  };
}

/**
 * What the cascade needs back from a report at run time; the rest is documentation. Bands must be
 * safe to apply: finite (zod 4 refuses NaN and ±Infinity, which JSON's 1e999 parses to), in order,
 * and a clear threshold inside the scores' range [0, 1] (both models score in [0, 1]). Otherwise
 * they could clear what should escalate (an inverted pair clears scores above the alert
 * threshold; clearBelow above 1 clears every score), so the report is refused and the models'
 * events escalate. alertAtOrAbove may exceed 1: nothing alerts.
 */
const bandsShape = z
  .object({ clearBelow: z.number().min(0).max(1), alertAtOrAbove: z.number() })
  .refine((b) => b.clearBelow <= b.alertAtOrAbove, { message: 'clearBelow is above alertAtOrAbove' });
const runtimeShape = z.object({
  schema: z.literal(TRAINING_REPORT_SCHEMA),
  seed: z.number(),
  data: z.object({ sha256: z.string() }),
  lstm: z.object({ sha256: z.string(), featureNames: z.array(z.string()).max(4096), sequenceLength: z.number().int().positive().max(4096), bands: bandsShape }),
  iforest: z.object({ sha256: z.string(), featureNames: z.array(z.string()).max(4096), bands: bandsShape }),
});
export type RuntimeTrainingReport = z.infer<typeof runtimeShape>;

/** The runtime view of a report's JSON text, or why it is not usable. Never throws. */
export function parseTrainingReport(text: string): { ok: true; report: RuntimeTrainingReport } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `training report is not JSON: ${(e as Error).message}` };
  }
  const r = runtimeShape.safeParse(json);
  if (!r.success) return { ok: false, reason: `training report does not match ${TRAINING_REPORT_SCHEMA}: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? ''}` };
  return { ok: true, report: r.data };
}

/** JSON with NaN/Infinity as null (JSON has neither), 2-space indented, trailing newline. */
export function renderTrainingReport(report: TrainingReport): string {
  return `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
