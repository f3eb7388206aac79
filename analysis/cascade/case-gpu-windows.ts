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
 * views of one window are made when asked for (`ruleWindow`, `modelWindow`), and die young. The
 * summaries merge straight into those arrays, with field names as table-wide ids (a chunk's names
 * looked up once, not a string per window field).
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
  constructor(public data: T) {}

  push(x: number): void {
    if (this.length === this.data.length) this.data = grown(this.data, this.length + 1);
    this.data[this.length++] = x;
  }

  at(i: number): number {
    return this.data[i]!;
  }
}

const f64 = (n = 1024): Column<Float64Array> => new Column(new Float64Array(n));
const i32 = (n = 1024): Column<Int32Array> => new Column(new Int32Array(n));

/** A copy of `a` in a new array of `size` values, or twice `a`'s if more (growth by doubling). */
function grown<T extends Float64Array | Int32Array>(a: T, size: number): T {
  const next = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  next.set(a);
  return next;
}

/**
 * Field names interned as ids, table-wide (a case has a handful; attacker-chosen, hence a Map), and
 * whether the forest reads each: a chunk's names are looked up once, not once per window field.
 */
class FieldNames {
  readonly names: string[] = [];
  readonly forestReads: boolean[] = [];
  private readonly ids = new Map<string, number>();

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.push(name) - 1;
      this.ids.set(name, id);
      this.forestReads.push(gpuFeatureFieldIndex(name) >= 0);
    }
    return id;
  }
}

/** Every window's field entries: name id, count, mean, min, max (columns grown together). */
class FieldEntries {
  length = 0;
  name: Int32Array;
  counts: Float64Array;
  means: Float64Array;
  mins: Float64Array;
  maxes: Float64Array;

  constructor(capacity: number) {
    this.name = new Int32Array(capacity);
    this.counts = new Float64Array(capacity);
    this.means = new Float64Array(capacity);
    this.mins = new Float64Array(capacity);
    this.maxes = new Float64Array(capacity);
  }

  /** Room for `n` more entries. */
  reserve(n: number): void {
    const size = this.length + n;
    if (size <= this.name.length) return;
    this.name = grown(this.name, size);
    this.counts = grown(this.counts, size);
    this.means = grown(this.means, size);
    this.mins = grown(this.mins, size);
    this.maxes = grown(this.maxes, size);
  }
}

/**
 * A case's GPU windows in key (job, node, gpu) then time order, as flat columns, built window by
 * window from the summaries of each (`mergeFields`, then `closeWindow`).
 */
export class GpuWindowTable {
  private readonly keys: WindowKey[] = [];
  /** Per window: its key's index in `keys`, start (µs), samples of fields the forest reads. */
  private readonly keyOf: Column<Int32Array>;
  private readonly starts: Column<Float64Array>;
  private readonly sampleCounts: Column<Float64Array>;
  /** GPU_FEATURE_COUNT per window. */
  private readonly features: Column<Float64Array>;
  /** Window i's fields are entries fieldFrom[i] .. fieldFrom[i + 1] - 1; the window being built's, from its last. */
  private readonly fieldFrom: Column<Int32Array>;
  private readonly names = new FieldNames();
  private readonly fields: FieldEntries;
  /** By name id: its entry + 1 (0: none yet); an entry before the window being built's is another window's. */
  private entryOf = new Int32Array(64);

  /** The columns start with room for 1024 windows and 8192 field entries, and double as they fill. */
  constructor(readonly width: number) {
    this.keyOf = i32();
    this.starts = f64();
    this.sampleCounts = f64();
    this.features = f64(1024 * GPU_FEATURE_COUNT);
    this.fieldFrom = i32();
    this.fields = new FieldEntries(8192);
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

  /**
   * The window as the Layer-1 GPU rules read it (a new object). Field names are attacker data: the
   * record has no prototype. Made by setPrototypeOf on a literal rather than Object.create(null),
   * which V8 keeps as a hash table: the same object, ~1/3 cheaper to fill over 33k windows.
   */
  ruleWindow(i: number): RuleWindow {
    const k = this.keys[this.keyOf.at(i)]!;
    const fields = Object.setPrototypeOf({}, null) as Record<string, GpuFieldSummary>;
    const names = this.names.names;
    const { name, means, maxes, mins } = this.fields;
    for (let f = this.fieldFrom.at(i), to = this.fieldFrom.at(i + 1); f < to; f++) {
      fields[names[name[f]!]!] = { mean: means[f]!, max: maxes[f]!, min: mins[f]! };
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

  /**
   * Adds one summary's fields to the window being built: `count` fields from `from` of `chunk.data`,
   * offsets checked by chunkWindowOffsets; `nameIds` maps the chunk's name numbers to ids (-1 until
   * met). A field new to the window is appended (fields keep the order they first appear in); one
   * it has merges: counts add, means weigh by count, minima and maxima keep the extremes.
   */
  mergeFields(chunk: GpuWindowChunk, from: number, count: number, nameIds: Int32Array): void {
    const { data } = chunk;
    const e = this.fields;
    e.reserve(count);
    const open = this.fieldFrom.at(this.fieldFrom.length - 1);
    for (let j = 0, at = from; j < count; j++, at += CHUNK_WINDOW.fieldStride) {
      const local = data[at]!;
      let id = nameIds[local]!;
      if (id < 0) {
        nameIds[local] = id = this.names.id(chunk.names[local]!);
        if (id >= this.entryOf.length) this.entryOf = grown(this.entryOf, id + 1);
      }
      const n = data[at + 1]!;
      const mean = data[at + 2]!;
      const min = data[at + 3]!;
      const max = data[at + 4]!;
      const f = this.entryOf[id]! - 1;
      if (f < open) {
        const g = e.length++;
        this.entryOf[id] = g + 1;
        e.name[g] = id;
        e.counts[g] = n;
        e.means[g] = mean;
        e.mins[g] = min;
        e.maxes[g] = max;
      } else {
        e.means[f] = meanOfBoth(e.means[f]!, e.counts[f]!, mean, n);
        e.counts[f] = e.counts[f]! + n;
        if (min < e.mins[f]!) e.mins[f] = min;
        if (max > e.maxes[f]!) e.maxes[f] = max;
      }
    }
  }

  /**
   * Ends the window being built (windows come in key then time order; `acc` holds its merged
   * state). A window with no sample of a field the forest reads is no window (as in gpuWindows).
   */
  closeWindow(key: WindowKey, start: number, acc: GpuFeatureAccumulator): void {
    const e = this.fields;
    const open = this.fieldFrom.at(this.fieldFrom.length - 1);
    let modelSamples = 0;
    for (let f = open; f < e.length; f++) if (this.names.forestReads[e.name[f]!]) modelSamples += e.counts[f]!;
    if (modelSamples > 0) {
      const last = this.keys[this.keys.length - 1];
      if (last === undefined || compareGpuKeys(last, key) !== 0) this.keys.push({ job: key.job, node: key.node, gpu: key.gpu });
      this.keyOf.push(this.keys.length - 1);
      this.starts.push(start);
      this.sampleCounts.push(modelSamples);
      const features = acc.features();
      for (let k = 0; k < GPU_FEATURE_COUNT; k++) this.features.push(features[k]!);
      this.fieldFrom.push(e.length);
    } else {
      for (let f = open; f < e.length; f++) this.entryOf[e.name[f]!] = 0;
      e.length = open;
    }
  }
}

export function caseGpuWindows(db: Db): GpuWindowTable {
  if (gpuWindowPartsCurrent(db)) return windowTable(gpuWindowChunks(db));
  const chunks: GpuWindowChunk[] = [];
  foldCaseSamples(db, (c) => chunks.push(c));
  chunks.sort(compareGpuKeys);
  return windowTable(chunks);
}

/**
 * The window summaries of one key, in the order its chunks gave them: summary r is at
 * offset[r] of chunk chunkOf[r]. A chunk's field name numbers map to table-wide ids when first met.
 */
class KeySummaries {
  readonly chunks: GpuWindowChunk[] = [];
  /** Per chunk: its name numbers' ids in the table's FieldNames, -1 until met. */
  readonly nameIds: Int32Array[] = [];
  readonly chunkOf = i32();
  readonly offset = f64();
  readonly start = f64();

  get length(): number {
    return this.start.length;
  }

  /** Adds a chunk's summaries (`offsets`: chunkWindowOffsets'). */
  add(chunk: GpuWindowChunk, offsets: readonly number[]): void {
    const c = this.chunks.push(chunk) - 1;
    this.nameIds.push(new Int32Array(chunk.names.length).fill(-1));
    for (const at of offsets) {
      this.chunkOf.push(c);
      this.offset.push(at);
      this.start.push(chunk.data[at + CHUNK_WINDOW.start]!);
    }
  }

  /** Summary indexes by start, ties in the order given (a stable sort's order). */
  byStart(): Int32Array {
    const order = new Int32Array(this.length);
    for (let r = 0; r < order.length; r++) order[r] = r;
    const start = this.start.data;
    for (let r = 1; r < order.length; r++) {
      // Starts are finite (chunkWindowOffsets): the difference orders them.
      if (start[r]! < start[r - 1]!) return order.sort((a, b) => start[a]! - start[b]! || a - b);
    }
    return order;
  }

  clear(): void {
    this.chunks.length = this.nameIds.length = 0;
    this.chunkOf.length = this.offset.length = this.start.length = 0;
  }
}

/**
 * Merges chunks given in key order into windows in key then time order: for each key, its
 * windows' summaries sorted by start, those of one window merged (field summaries by
 * `mergeFields`, accumulator states add).
 */
function windowTable(chunks: Iterable<GpuWindowChunk>): GpuWindowTable {
  // Chunks stream in (one key's held at a time, not the case's): the columns grow as they fill.
  const table = new GpuWindowTable(GPU_WINDOW_MICROS);
  const acc = new GpuFeatureAccumulator();
  const refs = new KeySummaries();
  let key: GpuWindowChunk | null = null;
  const emitKey = (): void => {
    const order = refs.byStart();
    const starts = refs.start.data;
    for (let i = 0; i < order.length; ) {
      const start = starts[order[i]!]!;
      acc.reset();
      for (; i < order.length && starts[order[i]!] === start; i++) {
        const r = order[i]!;
        const c = refs.chunkOf.at(r);
        const chunk = refs.chunks[c]!;
        const at = refs.offset.at(r);
        acc.mergeState(chunk.data, at + CHUNK_WINDOW.state);
        table.mergeFields(chunk, at + CHUNK_WINDOW.firstField, chunk.data[at + CHUNK_WINDOW.fields]!, refs.nameIds[c]!);
      }
      table.closeWindow(key!, start, acc);
    }
    refs.clear();
  };
  for (const chunk of chunks) {
    const offsets = chunkWindowOffsets(chunk);
    if (key !== null && compareGpuKeys(chunk, key) !== 0) emitKey();
    key = chunk;
    refs.add(chunk, offsets);
  }
  if (key !== null) emitKey();
  return table;
}
