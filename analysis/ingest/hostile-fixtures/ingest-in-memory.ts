/** Ingests a bundle given as bytes into a new case file under `dir`, in-thread, and reads the case back for the oracle. */
import { join } from 'node:path';
import { CaseStore } from '../../store/case-store.js';
import { memoryBundleRoot } from '../archive/memory-root.js';
import { ingestBundle, type IngestResult } from '../pipeline.js';
import { readCase, type CaseSnapshot } from './case-oracle.js';

let n = 0;

export async function ingestInMemory(dir: string, files: Record<string, Uint8Array>): Promise<{ r: IngestResult; c: CaseSnapshot }> {
  const path = join(dir, `case${n++}.sqlite`);
  const store = CaseStore.open(path);
  try {
    const r = await ingestBundle(memoryBundleRoot('bundle', files), store, { parseWorkerUrl: null });
    return { r, c: readCase(path) };
  } finally {
    store.close();
  }
}
