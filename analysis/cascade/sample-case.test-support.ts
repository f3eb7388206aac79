/**
 * The tests' sample case: the bundled sample incident (samples/weight-exfil-seed1) ingested into a
 * fresh case file in a temporary folder, once per test file. Call at a file's top level; it
 * registers the beforeAll / afterAll hooks. `extra` runs after the ingest (rows a test adds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { CaseStore } from '../store/case-store.js';

/** The sample incident: `bundle/` and `labels.json`. */
export const SAMPLE_INCIDENT = resolve(import.meta.dirname, '../../samples/weight-exfil-seed1');

export interface SampleCase {
  /** The case (set in beforeAll). */
  readonly store: CaseStore;
  /** Its temporary folder (removed in afterAll). */
  readonly dir: string;
}

export function useSampleCase(prefix: string, extra?: (store: CaseStore) => void | Promise<void>): SampleCase {
  let store: CaseStore | null = null;
  let dir: string | null = null;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    store = CaseStore.open(join(dir, 'case.sqlite'));
    await ingestBundle(await openBundleRoot(join(SAMPLE_INCIDENT, 'bundle')), store);
    await extra?.(store);
  }, 60_000);
  afterAll(() => {
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get store() {
      if (!store) throw new Error('useSampleCase: no case outside the tests');
      return store;
    },
    get dir() {
      if (!dir) throw new Error('useSampleCase: no folder outside the tests');
      return dir;
    },
  };
}
