/**
 * GPU window summaries folded at ingest: a window cut into several parts (too many windows open,
 * later ingests) merges back to the one-pass summary; parts roll back with their samples; a case
 * made before the table (samples, no parts) is not trusted until rebuilt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseStore } from './case-store.js';
import { MIGRATIONS } from './migrations.js';
import { gpuWindows } from '../models/gpu-features.js';
import type { GpuSample } from '../core/records.js';
import { caseGpuWindows, type GpuWindowTable } from '../cascade/case-gpu-windows.js';
import {
  GPU_WINDOW_MICROS, GPU_WINDOW_PARTS_META, GPU_WINDOW_PARTS_VERSION, chunkWindowOffsets, float64sOf, gpuWindowChunks, gpuWindowPartsCurrent,
  rebuildGpuWindowParts,
} from './gpu-window-parts.js';

/** The case's windows as objects (the table makes each view on demand). */
function windowList(db: CaseStore['db']): { rule: ReturnType<GpuWindowTable['ruleWindow']>; model: ReturnType<GpuWindowTable['modelWindow']> }[] {
  const t = caseGpuWindows(db);
  return Array.from({ length: t.length }, (_, i) => ({ rule: t.ruleWindow(i), model: t.modelWindow(i) }));
}

const T0 = 1_700_000_000_000_000;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-gpuparts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sampleSet(windows: number, jobs = 2, perWindow = 2): GpuSample[] {
  const out: GpuSample[] = [];
  for (let w = 0; w < windows; w++) {
    for (let j = 0; j < jobs; j++) {
      for (let k = 0; k < perWindow; k++) {
        const ts = T0 + w * GPU_WINDOW_MICROS + k * 30_000_000 + j;
        out.push({ ts, node: 'n1', gpu: String(j), job: `ml/train-${j}`, field: 'DCGM_FI_DEV_GPU_UTIL', value: (w * 7 + j * 13 + k * 29) % 101 });
        out.push({ ts, node: 'n1', gpu: String(j), job: `ml/train-${j}`, field: 'DCGM_FI_DEV_FB_USED', value: 1000 + ((w * 31 + k) % 5000) });
        out.push({ ts, node: 'n1', gpu: String(j), job: `ml/train-${j}`, field: 'DCGM_FI_DEV_GPU_TEMP', value: 40 + (w % 30) });
      }
    }
  }
  return out;
}

/** Window summaries stored (a window summarised in two chunks counts twice). */
function storedSummaries(store: CaseStore): number {
  let n = 0;
  for (const c of gpuWindowChunks(store.db)) n += chunkWindowOffsets(c).length;
  return n;
}

function write(store: CaseStore, samples: readonly GpuSample[], path: string): void {
  const src = store.addSource({ path, kind: 'dcgm_prom', bytes: 0, sha256: null, gzipped: false });
  const w = store.openRecordWriter(src);
  samples.forEach((s, i) => w.gpuRecord([s], i + 1, 0));
  store.finishSource(src, w.finish(), 'ok', null);
}

function expectReference(store: CaseStore, samples: readonly GpuSample[]): void {
  const ref = gpuWindows(samples, GPU_WINDOW_MICROS / 1e6);
  const got = windowList(store.db);
  expect(got.map((w) => [w.model.job, w.model.gpu, w.model.start, w.model.sampleCount])).toEqual(ref.map((w) => [w.job, w.gpu, w.start, w.sampleCount]));
  // (sums in another order: a standard deviation near zero differs around 1e-12)
  got.forEach((w, i) => w.model.features.forEach((x, k) => expect(x).toBeCloseTo(ref[i]!.features[k]!, 9)));
}

describe('gpu_window_parts', () => {
  it('merges windows cut into parts (more windows open than the fold holds, two ingests) into the reference', () => {
    const store = CaseStore.open(join(dir, 'c.sqlite'));
    try {
      expect(gpuWindowPartsCurrent(store.db)).toBe(true);
      const first = sampleSet(4200, 2, 1); // 8,400 windows: past the 8,192 the fold holds open
      const second = sampleSet(4200, 2, 1).map((s) => ({ ...s, ts: s.ts + 1, value: (s.value ?? 0) + 1 })); // the same windows again
      write(store, first, 'a.prom');
      write(store, second, 'b.prom');
      expect(storedSummaries(store)).toBeGreaterThanOrEqual(2 * 8_400); // each window at least once per source
      expectReference(store, [...first, ...second]);
    } finally {
      store.close();
    }
  });

  it('rolls the parts back with their samples when a bulk load fails', () => {
    const store = CaseStore.open(join(dir, 'c.sqlite'));
    try {
      store.beginBulkLoad();
      write(store, sampleSet(50), 'a.prom');
      store.gpuWindows!.add(1, 'n1', '0', 'ml/train-0', 'DCGM_FI_DEV_GPU_UTIL', T0, 50); // still open when the load fails
      store.endBulkLoad();
      expect(store.db.prepare('SELECT COUNT(*) AS n FROM gpu_samples').get()).toEqual({ n: 0 });
      expect(storedSummaries(store)).toBe(0);
      const samples = sampleSet(20);
      write(store, samples, 'b.prom');
      expectReference(store, samples);
    } finally {
      store.close();
    }
  });

  it('does not trust a case made before the parts until they are rebuilt from its samples', () => {
    const path = join(dir, 'old.sqlite');
    const samples = sampleSet(30);
    {
      // A case file at schema v2 with samples, as the previous version wrote it.
      const db = new Database(path);
      for (const m of MIGRATIONS.filter((x) => x.version <= 2)) db.exec(m.sql);
      db.pragma('user_version = 2');
      db.prepare(`INSERT INTO sources(id, path, kind, bytes, status, ingested_at) VALUES (1, 'x.prom', 'dcgm_prom', 0, 'ok', '2026-01-01T00:00:00Z')`).run();
      const series = new Map<string, number>();
      for (const s of samples) {
        const key = `${s.node}\u0000${s.gpu}\u0000${s.job}\u0000${s.field}\u0000{}`;
        let id = series.get(key);
        if (id === undefined) {
          id = Number(db.prepare(`INSERT INTO gpu_series(node, gpu, job, field, labels, series_key) VALUES (?, ?, ?, ?, '{}', ?)`).run(s.node, s.gpu, s.job, s.field, key).lastInsertRowid);
          series.set(key, id);
        }
        db.prepare('INSERT INTO gpu_samples(series_id, ts, value, source_id, line) VALUES (?, ?, ?, 1, 1)').run(id, s.ts, s.value);
      }
      db.close();
    }
    const store = CaseStore.open(path);
    try {
      expect(store.schemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
      expect(gpuWindowPartsCurrent(store.db)).toBe(false);
      expect(store.gpuWindows).toBeNull(); // an ingest into it does not fold half the samples
      expectReference(store, samples); // from the samples
      rebuildGpuWindowParts(store.db);
      expect(store.getMeta(GPU_WINDOW_PARTS_META)).toBe(GPU_WINDOW_PARTS_VERSION);
      expect(storedSummaries(store)).toBe(60);
      expectReference(store, samples); // from the parts
    } finally {
      store.close();
    }
  });

  it('keeps infinite raw values (an exporter writes +Inf) through the stored summary', () => {
    const store = CaseStore.open(join(dir, 'c.sqlite'));
    try {
      const at = (field: string, value: number, dt: number): GpuSample => ({ ts: T0 + dt, node: 'n1', gpu: '0', job: 'ml/x', field, value });
      write(store, [at('DCGM_FI_DEV_GPU_UTIL', 50, 0), at('X', Infinity, 1), at('X', 3, 2), at('Y', -Infinity, 3), at('Y', Infinity, 4)], 'a.prom');
      const [w] = windowList(store.db);
      expect(w!.rule.fields['X']).toEqual({ mean: Infinity, min: 3, max: Infinity });
      expect(w!.rule.fields['Y']).toEqual({ mean: NaN, min: -Infinity, max: Infinity });
      expect(w!.model.features.every((x) => Number.isFinite(x))).toBe(true);
    } finally {
      store.close();
    }
  });

  it('refuses a malformed summary with a sentence naming it', () => {
    const store = CaseStore.open(join(dir, 'c.sqlite'));
    try {
      const insert = store.db.prepare('INSERT INTO gpu_window_parts(job, node, gpu, names, data) VALUES (?, ?, ?, ?, ?)');
      const row = (names: string, data: Float64Array | Buffer): void => {
        store.db.prepare('DELETE FROM gpu_window_parts').run();
        insert.run('ml/x', 'n1', '0', names, data instanceof Float64Array ? Buffer.from(data.buffer) : data);
      };
      const window = (fields: number, nameIndex: number): Float64Array => {
        const d = new Float64Array(2 + 36 + 5 * fields);
        d[0] = T0;
        d[1] = fields;
        for (let f = 0; f < fields; f++) d.set([nameIndex, 1, 5, 5, 5], 38 + 5 * f);
        return d;
      };
      row('["DCGM_FI_DEV_GPU_UTIL"]', window(1, 0));
      expect(caseGpuWindows(store.db).length).toBe(1); // well formed
      for (const [names, data] of [
        ['["a"]', Buffer.from([0])], // not Float64s
        ['not json', window(1, 0)],
        ['["a"]', window(1, 1)], // a field name index past the names
        ['["a"]', window(1, -1)],
        ['["a"]', window(3, 0).subarray(0, 40)], // a window cut short
        ['[1]', window(1, 0)],
      ] as const) {
        row(names, data instanceof Float64Array ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : data);
        expect(() => caseGpuWindows(store.db), names).toThrow(/malformed summary for ml\/x\/n1\/0/);
      }
    } finally {
      store.close();
    }
  });
});

describe('float64sOf', () => {
  it('reads the numbers of bytes at any offset, a view where aligned and a copy where not', () => {
    const numbers = [1.5, -0, Infinity, 2 ** 53 + 2];
    const bytes = new Uint8Array(new Float64Array(numbers).buffer);
    for (const offset of [0, 1, 3, 8]) {
      const backing = new Uint8Array(offset + bytes.length + 5); // a trailing partial number
      backing.set(bytes, offset);
      const blob = Buffer.from(backing.buffer, offset, bytes.length + (offset === 8 ? 0 : 5));
      const got = float64sOf(blob);
      expect(Array.from(got)).toEqual(numbers);
      expect(got.buffer === backing.buffer, `offset ${offset}`).toBe(offset % 8 === 0);
    }
  });
});
