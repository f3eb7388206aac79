/**
 * Turns labelled trajectories into the LSTM's training windows: events sorted by time (labels moved
 * with them), feature rows from TrajectoryFeaturizer with a per-group FeatureContext (a group is one
 * case / incident; trajectories are compared only with their own neighbours), and one window per
 * event ending at it. Labels become the target only; they never reach a feature.
 */
import type { EventRecord } from '../core/records.js';
import { EVENT_FEATURE_COUNT, SEQUENCE_LENGTH, buildFeatureContext, trajectoryFeatureRows } from './event-features.js';
import type { SequenceDataset } from './lstm-train.js';

/** One trajectory of the benchmark (the training command's input unit). */
export interface TrajectorySample {
  job: string;
  /** The case / incident the trajectory belongs to; destination familiarity is counted within it. Default: one group per split. */
  group?: string;
  events: EventRecord[];
  /** Per event: malicious. Used only as the training target and for metrics. */
  labels: boolean[];
  /** GPU windows of this trajectory's GPUs (gpuWindowFeatures output) with their label. */
  gpuWindows: { features: number[]; malicious: boolean }[];
}

export interface TrainingData {
  train: TrajectorySample[];
  validation: TrajectorySample[];
  test: TrajectorySample[];
  /** Attack variants held out of training (evaluated separately). */
  heldOut?: TrajectorySample[];
}

/** Events and labels in time order (stable: equal timestamps keep their given order). */
export function timeOrdered(sample: TrajectorySample): { events: EventRecord[]; labels: boolean[] } {
  if (sample.labels.length !== sample.events.length) {
    throw new Error(`trajectory ${sample.job}: ${sample.labels.length} labels for ${sample.events.length} events`);
  }
  const order = sample.events.map((_, i) => i).sort((a, b) => sample.events[a]!.ts - sample.events[b]!.ts || a - b);
  return { events: order.map((i) => sample.events[i]!), labels: order.map((i) => sample.labels[i]!) };
}

export function buildSequenceDataset(samples: readonly TrajectorySample[]): SequenceDataset {
  const ordered = samples.map(timeOrdered);
  const groups = new Map<string, EventRecord[]>();
  samples.forEach((s, i) => {
    const key = s.group ?? '';
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    for (const e of ordered[i]!.events) list.push(e);
  });
  const contexts = new Map([...groups].map(([k, events]) => [k, buildFeatureContext(events)]));

  let total = 0;
  for (const o of ordered) total += o.events.length;
  const rows = new Float32Array(total * EVENT_FEATURE_COUNT);
  const rowIndex = new Int32Array(total * SEQUENCE_LENGTH);
  const labels = new Uint8Array(total);
  let r = 0;
  samples.forEach((s, i) => {
    const { events, labels: ls } = ordered[i]!;
    rows.set(trajectoryFeatureRows(events, contexts.get(s.group ?? '')), r * EVENT_FEATURE_COUNT);
    for (let k = 0; k < events.length; k++) {
      const w = r + k;
      for (let t = 0; t < SEQUENCE_LENGTH; t++) {
        const src = k - (SEQUENCE_LENGTH - 1) + t;
        rowIndex[w * SEQUENCE_LENGTH + t] = src < 0 ? -1 : r + src;
      }
      labels[w] = ls[k] ? 1 : 0;
    }
    r += events.length;
  });
  return { rows, dim: EVENT_FEATURE_COUNT, seq: SEQUENCE_LENGTH, rowIndex, labels, count: total };
}

/** Dense windows [end − start, seq, dim] for windows start..end−1 of a dataset (the ONNX input). */
export function denseWindows(ds: SequenceDataset, start: number, end: number): Float32Array {
  const stride = ds.seq * ds.dim;
  const out = new Float32Array((end - start) * stride);
  for (let s = start; s < end; s++) {
    const base = (s - start) * stride;
    for (let t = 0; t < ds.seq; t++) {
      const r = ds.rowIndex[s * ds.seq + t]!;
      if (r >= 0) out.set(ds.rows.subarray(r * ds.dim, (r + 1) * ds.dim), base + t * ds.dim);
    }
  }
  return out;
}
