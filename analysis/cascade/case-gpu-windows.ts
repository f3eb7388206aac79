/**
 * GPU telemetry windows of a case, per (job, node, gpu) and fixed 60 s window: the per-field
 * summaries the Layer-1 GPU rules read and the feature vectors of the Isolation Forest
 * (analysis/models/gpu-features.ts), as `gpuWindows` computes them over the same samples.
 *
 * They come from the window summaries folded at ingest (store/gpu-window-parts.ts: a few rows of
 * Float64 numbers per (job, node, gpu), against ~240k samples for a benchmark split), or, for a
 * case whose summaries are not current and cannot be written, from its samples folded in memory
 * the same way.
 *
 * The windows are held in flat arrays, not as objects: a benchmark's training split has 33k
 * windows of ~11 fields, and as objects (a field record, a summary per field, a feature array
 * each) they cost more in allocation and garbage collection than reading them. The rule and model
 * views of one window are made when asked for (`ruleWindow`, `modelWindow`), and die young.
 */
import type { Db } from '../store/case-store.js';
import { meanOfBoth } from '../core/running-mean.js';
import { compareGpuKeys, GPU_FEATURE_COUNT, GpuFeatureAccumulator, gpuFeatureFieldIndex, type GpuWindow as ModelWindow } from '../models/gpu-features.js';
import {
  CHUNK_WINDOW, GPU_WINDOW_MICROS, chunkWindowOffsets, foldCaseSamples, gpuWindowChunks, gpuWindowPartsCurrent, type GpuWindowChunk,
} from '../store/gpu-window-parts.js';
import type { GpuFieldSummary, GpuWindow as RuleWindow } from './rules/gpu-window.js';

interface WindowKey {
  job: string | null;
  node: string | null;
  gpu: string | null;
}

/** A growable column of numbers (doubling typed storage: one allocation per growth, none per value). */
class Column<T extends Float64Array | Int32Array> {
  length = 0;
  constructor(public data: T, private readonly grow: (size: number) => T) {}

  push(x: number): void {
    if (this.length === this.data.length) {
      const next = this.grow(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }

  at(i: number): number {
    return this.data[i]!;
  }
}

const f64 = (n = 1024): Column<Float64Array> => new Column(new Float64Array(n), (k) => new Float64Array(k));
const i32 = (n = 1024): Column<Int32Array> => new Column(new Int32Array(n), (k) => new Int32Array(k));

/** A case's GPU windows in key (job, node, gpu) then time order, as flat columns. */
export class GpuWindowTable {
  private readonly keys: WindowKey[] = [];
  /** Per window: its key's index in `keys`, start (µs), samples of fields the forest reads. */
  private readonly keyOf = i32();
  private readonly starts = f64();
  private readonly sampleCounts = f64();
  /** GPU_FEATURE_COUNT per window. */
  private readonly features = f64(1024 * GPU_FEATURE_COUNT);
  /** Window i's fields are entries fieldFrom[i] .. fieldFrom[i + 1] - 1 of the field columns. */
  private readonly fieldFrom = i32();
  /** Field names, interned: a case has a handful (attacker-chosen, hence a Map). */
  private readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();
  private readonly fieldName = i32(8192);
  private readonly means = f64(8192);
  private readonly mins = f64(8192);
  private readonly maxes = f64(8192);

  constructor(readonly width: number) {
    this.fieldFrom.push(0);
  }

  get length(): number {
    return this.starts.length;
  }

  start(i: number): number {
    return this.starts.at(i);
  }

  end(i: number): number {
    return this.starts.at(i) + this.width;
  }

  /** Window indexes by end time (ties in key order): the order Layer 1 evaluates them in. */
  byEnd(): Int32Array {
    const order = new Int32Array(this.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const starts = this.starts.data;
    return order.sort((a, b) => starts[a]! - starts[b]! || a - b);
  }

  /** The window as the Layer-1 GPU rules read it (a new object; field names are attacker data: no prototype). */
  ruleWindow(i: number): RuleWindow {
    const k = this.keys[this.keyOf.at(i)]!;
    const fields = Object.create(null) as Record<string, GpuFieldSummary>;
    for (let f = this.fieldFrom.at(i); f < this.fieldFrom.at(i + 1); f++) {
      fields[this.names[this.fieldName.at(f)]!] = { mean: this.means.at(f), max: this.maxes.at(f), min: this.mins.at(f) };
    }
    return { job: k.job, node: k.node, gpu: k.gpu, start: this.start(i), end: this.end(i), fields };
  }

  /** The window as the Isolation Forest reads it (a new object). */
  modelWindow(i: number): ModelWindow {
    const k = this.keys[this.keyOf.at(i)]!;
    const at = i * GPU_FEATURE_COUNT;
    return {
      job: k.job, node: k.node, gpu: k.gpu, start: this.start(i), end: this.end(i), sampleCount: this.sampleCounts.at(i),
      features: Array.from(this.features.data.subarray(at, at + GPU_FEATURE_COUNT)),
    };
  }

  /** Every window's features, GPU_FEATURE_COUNT per window, as the forest takes them. */
  featureMatrix(): Float32Array {
    return Float32Array.from(this.features.data.subarray(0, this.features.length));
  }

  /** Appends one window (called in key then time order). */
  push(key: WindowKey, start: number, sampleCount: number, features: readonly number[], fields: WindowFields): void {
    const last = this.keys[this.keys.length - 1];
    if (last === undefined || compareGpuKeys(last, key) !== 0) this.keys.push({ job: key.job, node: key.node, gpu: key.gpu });
    this.keyOf.push(this.keys.length - 1);
    this.starts.push(start);
    this.sampleCounts.push(sampleCount);
    for (let k = 0; k < GPU_FEATURE_COUNT; k++) this.features.push(features[k]!);
    for (let f = 0; f < fields.names.length; f++) {
      const name = fields.names[f]!;
      let id = this.nameIds.get(name);
      if (id === undefined) this.nameIds.set(name, (id = this.names.push(name) - 1));
      this.fieldName.push(id);
      this.means.push(fields.means[f]!);
      this.mins.push(fields.mins[f]!);
      this.maxes.push(fields.maxes[f]!);
    }
    this.fieldFrom.push(this.fieldName.length);
  }
}

/** One window's fields while its parts merge (reused from window to window). */
interface WindowFields {
  names: string[];
  counts: number[];
  means: number[];
  mins: number[];
  maxes: number[];
}

export function caseGpuWindows(db: Db): GpuWindowTable {
  if (gpuWindowPartsCurrent(db)) return windowTable(gpuWindowChunks(db));
  const chunks: GpuWindowChunk[] = [];
  foldCaseSamples(db, (c) => chunks.push(c));
  chunks.sort(compareGpuKeys);
  return windowTable(chunks);
}

/** One window's summary inside a chunk. */
interface WindowRef {
  chunk: GpuWindowChunk;
  at: number;
  start: number;
}

/**
 * Merges chunks given in key order into windows in key then time order: for each key, its
 * windows' summaries sorted by start, those of one window merged (counts add, means weigh by
 * count, accumulator states add). A window with no sample of a field the forest reads is no
 * window (as in gpuWindows).
 */
function windowTable(chunks: Iterable<GpuWindowChunk>): GpuWindowTable {
  const table = new GpuWindowTable(GPU_WINDOW_MICROS);
  const fields: WindowFields = { names: [], counts: [], means: [], mins: [], maxes: [] };
  const slot = new Map<string, number>();
  const acc = new GpuFeatureAccumulator();
  let refs: WindowRef[] = [];
  let key: GpuWindowChunk | null = null;
  const emitKey = (): void => {
    refs.sort((a, b) => a.start - b.start);
    for (let i = 0; i < refs.length; ) {
      const start = refs[i]!.start;
      acc.reset();
      for (; i < refs.length && refs[i]!.start === start; i++) mergeInto(refs[i]!, acc, fields, slot);
      let modelSamples = 0;
      for (let f = 0; f < fields.names.length; f++) if (gpuFeatureFieldIndex(fields.names[f]!) >= 0) modelSamples += fields.counts[f]!;
      if (modelSamples > 0) table.push(key!, start, modelSamples, acc.features(), fields);
      fields.names.length = fields.counts.length = fields.means.length = fields.mins.length = fields.maxes.length = 0;
      slot.clear();
    }
    refs = [];
  };
  for (const chunk of chunks) {
    if (key !== null && compareGpuKeys(chunk, key) !== 0) emitKey();
    key = chunk;
    for (const at of chunkWindowOffsets(chunk)) refs.push({ chunk, at, start: chunk.data[at + CHUNK_WINDOW.start]! });
  }
  if (key !== null) emitKey();
  return table;
}

/** Adds one summary of a window to what its other summaries gave so far. */
function mergeInto(ref: WindowRef, acc: GpuFeatureAccumulator, fields: WindowFields, slot: Map<string, number>): void {
  const { data, names } = ref.chunk;
  acc.mergeState(data, ref.at + CHUNK_WINDOW.state);
  const count = data[ref.at + CHUNK_WINDOW.fields]!;
  for (let j = 0, at = ref.at + CHUNK_WINDOW.firstField; j < count; j++, at += CHUNK_WINDOW.fieldStride) {
    const name = names[data[at]!]!;
    const n = data[at + 1]!;
    const f = slot.get(name);
    if (f === undefined) {
      slot.set(name, fields.names.length);
      fields.names.push(name);
      fields.counts.push(n);
      fields.means.push(data[at + 2]!);
      fields.mins.push(data[at + 3]!);
      fields.maxes.push(data[at + 4]!);
    } else {
      fields.means[f] = meanOfBoth(fields.means[f]!, fields.counts[f]!, data[at + 2]!, n);
      fields.counts[f]! += n;
      if (data[at + 3]! < fields.mins[f]!) fields.mins[f] = data[at + 3]!;
      if (data[at + 4]! > fields.maxes[f]!) fields.maxes[f] = data[at + 4]!;
    }
  }
}
