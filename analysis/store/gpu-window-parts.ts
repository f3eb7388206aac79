/**
 * GPU telemetry window summaries kept with the samples (`gpu_window_parts`): per (job, node, gpu)
 * and fixed window of GPU_WINDOW_MICROS, each field's count / mean / min / max and the Isolation
 * Forest's accumulator state (models/gpu-features.ts), folded as the samples are written.
 *
 * Why: the cascade needs every window of the case, and reading a benchmark split's ~240k samples
 * back through SQLite and folding them cost about a third of its analysis; folded while the
 * samples are in hand at ingest, they cost nothing measurable there, and the analysis reads a few
 * hundred rows.
 *
 * Stored as chunks: one row per (job, node, gpu) and flush, holding the summaries of that key's
 * windows as Float64 numbers (per-row cost dominates reading: one row per window, as JSON, cost
 * ~6 µs each in parsing and garbage). A window may be summarised in several chunks (a load flushes
 * what it holds when it has too many windows open, at each commit, and at the end of each source;
 * a later ingest adds chunks): all the summaries merge, and readers merge those of one window.
 * Chunks are written in the transaction that writes their samples, so they never disagree with the
 * samples. The `meta` row GPU_WINDOW_PARTS_META names the summary version they were folded with;
 * a case without it (made before the table, or by another scale version) is summarised again from
 * its samples (`rebuildGpuWindowParts`).
 */
import type Database from 'better-sqlite3';
import type { Db } from './case-store.js';
import { meanWith } from '../core/running-mean.js';
import { readMeta, writeMeta } from './case-meta.js';
import {
  GPU_FEATURE_SCALE_VERSION, GPU_FEATURE_STATE_LENGTH, GpuFeatureAccumulator, gpuFeatureFieldIndex,
} from '../models/gpu-features.js';

/** Width of a stored window (µs): the cascade's GPU windows. */
export const GPU_WINDOW_MICROS = 60_000_000;
/** `meta` key: the summary version of a case's parts (absent: the parts are not to be trusted). */
export const GPU_WINDOW_PARTS_META = 'gpu_window_parts';
/** The version of the parts this code folds: the feature scales and the window width. */
export const GPU_WINDOW_PARTS_VERSION = `scale ${GPU_FEATURE_SCALE_VERSION}, width ${GPU_WINDOW_MICROS}`;

/** Numbers per field in a part's raw stats: count, mean, min, max. */
export const FIELD_STATS = 4;
/** Windows held open before a flush (each ~1 KB with its fields). */
const MAX_OPEN_WINDOWS = 8192;
/** Series remembered before the fold starts over (after a flush): attacker labels make series. */
const MAX_SERIES = 65_536;

interface SeriesInfo {
  group: number;
  field: string;
  featureIndex: number;
}

interface Group {
  job: string | null;
  node: string | null;
  gpu: string | null;
  windows: Map<number, OpenWindow>;
}

interface OpenWindow {
  features: GpuFeatureAccumulator;
  /** Per DCGM field (attacker-named, hence a Map), count / running mean / min / max. */
  fields: Map<string, FieldStats>;
}

interface FieldStats {
  n: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * The summaries of some windows of one (job, node, gpu). `data` holds, per window: its start
 * (µs), its number of fields F, the forest's accumulator state (GPU_FEATURE_STATE_LENGTH numbers,
 * GpuFeatureAccumulator.state), then F times: the field's index in `names`, and its count, mean,
 * min and max (FIELD_STATS numbers; raw values, any of them infinite).
 */
export interface GpuWindowChunk {
  job: string | null;
  node: string | null;
  gpu: string | null;
  names: string[];
  data: Float64Array;
}

/** Where a folder's chunks go: a case file's table (`partsTable`), or memory. */
export type GpuWindowChunkSink = (chunk: GpuWindowChunk) => void;

/** Folds samples into open windows and hands them to a sink, a chunk per key. */
export class GpuWindowFolder {
  private groups: Group[] = [];
  private groupOf = new Map<string, number>();
  private series = new Map<number, SeriesInfo>();
  private openWindows = 0;

  constructor(private readonly sink: GpuWindowChunkSink) {}

  /** One sample as written to gpu_samples (series `seriesId`); blanks and NaN (stored NULL) are not summarised. */
  add(seriesId: number, node: string | null, gpu: string | null, job: string | null, field: string, ts: number, value: number | null): void {
    if (value === null || Number.isNaN(value) || !Number.isFinite(ts)) return;
    let s = this.series.get(seriesId);
    if (s === undefined) {
      if (this.series.size >= MAX_SERIES) this.flush();
      s = { group: this.groupIndex(job, node, gpu), field, featureIndex: gpuFeatureFieldIndex(field) };
      this.series.set(seriesId, s);
    }
    const no = Math.floor(ts / GPU_WINDOW_MICROS);
    const windows = this.groups[s.group]!.windows;
    let w = windows.get(no);
    if (w === undefined) {
      if (this.openWindows >= MAX_OPEN_WINDOWS) {
        this.flush();
        return this.add(seriesId, node, gpu, job, field, ts, value);
      }
      windows.set(no, (w = { features: new GpuFeatureAccumulator(), fields: new Map() }));
      this.openWindows++;
    }
    if (s.featureIndex >= 0) w.features.add(s.featureIndex, value);
    const f = w.fields.get(s.field);
    if (f === undefined) w.fields.set(s.field, { n: 1, mean: value, min: value, max: value });
    else {
      f.n++;
      f.mean = meanWith(f.mean, f.n, value);
      if (value > f.max) f.max = value;
      if (value < f.min) f.min = value;
    }
  }

  /** Hands every open window to the sink (a table sink writes in the caller's transaction) and starts empty. */
  flush(): void {
    for (const g of this.groups) if (g.windows.size > 0) this.sink(chunkOf(g));
    this.clear();
  }

  /** Forgets what is open without writing it (the samples were rolled back). */
  clear(): void {
    this.groups = [];
    this.groupOf = new Map();
    this.series = new Map();
    this.openWindows = 0;
  }

  private groupIndex(job: string | null, node: string | null, gpu: string | null): number {
    const key = `${job ?? ''}\u0000${node ?? ''}\u0000${gpu ?? ''}`;
    let g = this.groupOf.get(key);
    if (g === undefined) {
      g = this.groups.length;
      this.groupOf.set(key, g);
      this.groups.push({ job, node, gpu, windows: new Map() });
    }
    return g;
  }
}

function chunkOf(g: Group): GpuWindowChunk {
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  let size = 0;
  for (const w of g.windows.values()) size += WINDOW_HEAD + (1 + FIELD_STATS) * w.fields.size;
  const data = new Float64Array(size);
  let at = 0;
  for (const [no, w] of g.windows) {
    data[at++] = no * GPU_WINDOW_MICROS;
    data[at++] = w.fields.size;
    const state = w.features.state();
    data.set(state, at);
    at += state.length;
    for (const [name, f] of w.fields) {
      let i = nameIndex.get(name);
      if (i === undefined) nameIndex.set(name, (i = names.push(name) - 1));
      data[at++] = i;
      data[at++] = f.n;
      data[at++] = f.mean;
      data[at++] = f.min;
      data[at++] = f.max;
    }
  }
  return { job: g.job, node: g.node, gpu: g.gpu, names, data };
}

/** Numbers before a window's fields in a chunk: start, field count, accumulator state. */
const WINDOW_HEAD = 2 + GPU_FEATURE_STATE_LENGTH;

/**
 * Where each window of a chunk starts in its data, checked against the chunk's own shape (a
 * tampered case file yields a clear error, never a read out of bounds or a wrong field name).
 */
export function chunkWindowOffsets(chunk: GpuWindowChunk): number[] {
  const { data, names } = chunk;
  const out: number[] = [];
  let at = 0;
  while (at < data.length) {
    const fields = data[at + 1]!;
    const end = at + WINDOW_HEAD + (1 + FIELD_STATS) * fields;
    if (!Number.isInteger(fields) || fields < 0 || end > data.length || !Number.isFinite(data[at]!)) throw malformed(chunk);
    for (let f = at + WINDOW_HEAD; f < end; f += 1 + FIELD_STATS) {
      const name = data[f]!;
      if (!Number.isInteger(name) || name < 0 || name >= names.length) throw malformed(chunk);
    }
    out.push(at);
    at = end;
  }
  return out;
}

/** Offsets inside a window's record (see GpuWindowChunk). */
export const CHUNK_WINDOW = { start: 0, fields: 1, state: 2, firstField: WINDOW_HEAD, fieldStride: 1 + FIELD_STATS } as const;

function malformed(chunk: GpuWindowChunk): Error {
  return new Error(`gpu_window_parts: malformed summary for ${chunk.job ?? ''}/${chunk.node ?? ''}/${chunk.gpu ?? ''}`);
}

/** A sink writing chunks into the case's table (in the connection's current transaction). */
export function partsTable(db: Db): GpuWindowChunkSink {
  let insert: Database.Statement | null = null;
  return (chunk) => {
    insert ??= db.prepare('INSERT INTO gpu_window_parts(job, node, gpu, names, data) VALUES (?, ?, ?, ?, ?)');
    // Float64 in the platform's byte order, read back the same way (little-endian wherever Node runs).
    insert.run(chunk.job, chunk.node, chunk.gpu, JSON.stringify(chunk.names), Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength));
  };
}

/** Whether the case's parts summarise all its samples with this code's version. */
export function gpuWindowPartsCurrent(db: Db): boolean {
  return readMeta(db, GPU_WINDOW_PARTS_META) === GPU_WINDOW_PARTS_VERSION;
}

/**
 * Called when a case opens for writing: a case with no samples yet has (trivially) current parts,
 * so its ingests fold as they write. Returns whether the parts are current.
 */
export function claimGpuWindowParts(db: Db): boolean {
  if (gpuWindowPartsCurrent(db)) return true;
  if (db.prepare('SELECT 1 FROM gpu_samples LIMIT 1').get() !== undefined) return false;
  db.prepare('DELETE FROM gpu_window_parts').run();
  setPartsVersion(db);
  return true;
}

/** Summarises every sample of the case again (one pass, in one transaction) and marks the parts current. */
export function rebuildGpuWindowParts(db: Db): void {
  db.transaction(() => {
    db.prepare('DELETE FROM gpu_window_parts').run();
    foldCaseSamples(db, partsTable(db));
    setPartsVersion(db);
  })();
}

/** Folds every sample of the case into parts for `sink` (`partsTable`, or memory for a case that cannot be written). */
export function foldCaseSamples(db: Db, sink: GpuWindowChunkSink): void {
  const series = new Map<number, { node: string | null; gpu: string | null; job: string | null; field: string }>();
  for (const r of db.prepare('SELECT id, node, gpu, job, field FROM gpu_series').iterate() as IterableIterator<{ id: number; node: string | null; gpu: string | null; job: string | null; field: string }>) {
    series.set(r.id, r);
  }
  const folder = new GpuWindowFolder(sink);
  // In rowid ranges: a connection cannot write (a flush into the table) while a statement is being
  // stepped, and the samples of a large case do not fit in memory at once.
  const chunk = db.prepare('SELECT rowid, series_id, ts, value FROM gpu_samples WHERE rowid > ? ORDER BY rowid LIMIT 65536').raw(true);
  let after = 0;
  for (;;) {
    const rows = chunk.all(after) as [number, number, number, number | null][];
    if (rows.length === 0) break;
    for (const [rowid, sid, ts, value] of rows) {
      after = rowid;
      const s = series.get(sid);
      if (s !== undefined) folder.add(sid, s.node, s.gpu, s.job, s.field, ts, value);
    }
  }
  folder.flush();
}

function setPartsVersion(db: Db): void {
  writeMeta(db, GPU_WINDOW_PARTS_META, GPU_WINDOW_PARTS_VERSION);
}

/**
 * Every stored chunk, in key order (job, node, gpu; null as '', SQLite's binary collation): the
 * chunks of one key come one after the other.
 */
export function* gpuWindowChunks(db: Db): Generator<GpuWindowChunk> {
  const rows = db.prepare(`SELECT job, node, gpu, names, data FROM gpu_window_parts
                           ORDER BY COALESCE(job, ''), COALESCE(node, ''), COALESCE(gpu, '')`).raw(true).iterate() as IterableIterator<[string | null, string | null, string | null, string, Buffer]>;
  for (const [job, node, gpu, namesJson, blob] of rows) {
    let names: unknown;
    try {
      names = JSON.parse(namesJson);
    } catch {
      names = null;
    }
    const data = float64sOf(blob);
    const chunk: GpuWindowChunk = { job, node, gpu, names: [], data };
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string') || blob.byteLength % 8 !== 0) throw malformed(chunk);
    chunk.names = names as string[];
    yield chunk;
  }
}

/**
 * The whole Float64 numbers of `bytes` (a trailing partial number is dropped; callers refuse it).
 * A view where the bytes sit at a multiple of 8 (better-sqlite3 gives each blob a buffer of its
 * own, at offset 0), else an aligned copy: a Float64Array cannot start anywhere else.
 */
export function float64sOf(bytes: Uint8Array): Float64Array {
  const length = Math.floor(bytes.byteLength / 8);
  if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, length);
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 8 * length));
}
