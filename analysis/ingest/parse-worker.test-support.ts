/**
 * Test-only: the parse worker bundled with esbuild as scripts/build.mjs does (Node cannot run the
 * TypeScript source in a worker thread), and what the worker-against-in-thread tests compare: the
 * rows an ingest wrote, and its result without the wall clock.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll } from 'vitest';
import type { CaseStore } from '../store/case-store.js';
import type { IngestResult } from './pipeline.js';

export interface ParseWorkerFixture {
  /** The bundled worker script (set before the tests run). */
  workerUrl: URL;
  /** A fresh folder for the test file's case files. */
  dir: string;
}

/**
 * Registers the test file's hooks: the worker bundled before its tests (under node_modules/.cache,
 * inside the repository so the bundle's external imports resolve), a temporary folder; both removed after.
 */
export function useParseWorker(name: string): ParseWorkerFixture {
  const buildDir = resolve(import.meta.dirname, '../../node_modules/.cache', name, String(process.pid));
  const fx: ParseWorkerFixture = { workerUrl: new URL('file:///not-built-yet'), dir: '' };
  beforeAll(async () => {
    fx.workerUrl = await buildParseWorker(buildDir);
    fx.dir = mkdtempSync(join(tmpdir(), `${name}-`));
  });
  afterAll(() => {
    rmSync(buildDir, { recursive: true, force: true });
    if (fx.dir) rmSync(fx.dir, { recursive: true, force: true });
  });
  return fx;
}

/** Builds dist-like ingest-parse-worker.js under `dir`. */
async function buildParseWorker(dir: string): Promise<URL> {
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'ingest-parse-worker.js');
  await build({
    entryPoints: [resolve(import.meta.dirname, 'parse-worker.ts')],
    bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', outfile, logLevel: 'warning',
  });
  return pathToFileURL(outfile);
}

/** Everything an ingest wrote, in insertion order, without wall-clock columns. */
export function caseContents(store: CaseStore): Record<string, unknown[]> {
  const q = (sql: string): unknown[] => store.db.prepare(sql).all();
  return {
    sources: q('SELECT path, kind, bytes, sha256, status, note, records_read, records_stored, records_quarantined, first_ts, last_ts FROM sources ORDER BY id'),
    events: q('SELECT * FROM events ORDER BY id'),
    types: q('SELECT DISTINCT typeof(attrs) AS a, typeof(raw) AS r FROM events ORDER BY 1, 2'),
    series: q('SELECT * FROM gpu_series ORDER BY id'),
    samples: q('SELECT * FROM gpu_samples ORDER BY rowid'),
    quarantine: q('SELECT * FROM quarantine ORDER BY id'),
  };
}

export function withoutSeconds(r: IngestResult): Omit<IngestResult, 'seconds'> {
  const { seconds: _, ...rest } = r;
  return rest;
}
