/**
 * TEST-ONLY helpers giving the pickle tests the entries of a zip held in memory (PyTorch zips,
 * .npz, scanner fixtures). They wrap the real, lenient reader (ingest/archive/zip-reader.ts), so
 * these tests read archives exactly as triage does: flag-bit tricks read anyway, central-directory
 * names win, encrypted or unsupported entries come back with `data: null`.
 */
import { bufferSource } from '../../core/byte-source.js';
import { openZip } from '../../ingest/archive/zip-reader.js';

export interface TestZipEntry {
  name: string;
  method: number;
  flags: number;
  data: Uint8Array | null; // null: encrypted, unsupported method or unreadable
}

/** All file entries of a zip held in memory. */
export async function readTestZip(b: Uint8Array): Promise<TestZipEntry[]> {
  const zip = await openZip(bufferSource('test.zip', b));
  const out: TestZipEntry[] = [];
  for (const e of zip.entries) {
    if (e.isDirectory) continue;
    out.push({ name: e.name, method: e.method, flags: e.flags, data: await zip.read(e).catch(() => null) });
  }
  return out;
}

export function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4;
}

/** The PyTorch zip layout: `<prefix>/data.pkl` and `<prefix>/data/<key>` storages. */
export async function torchZipParts(b: Uint8Array): Promise<{ dataPkl: Uint8Array | null; storages: Map<string, Uint8Array>; entries: TestZipEntry[] }> {
  const entries = await readTestZip(b);
  const pkl = entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  const prefix = pkl ? pkl.name.slice(0, pkl.name.length - 'data.pkl'.length) : '';
  const storages = new Map<string, Uint8Array>();
  for (const e of entries) {
    if (e.data && e.name.startsWith(`${prefix}data/`)) storages.set(e.name.slice(prefix.length + 5), e.data);
  }
  return { dataPkl: pkl?.data ?? null, storages, entries };
}
