/**
 * The generator's only filesystem adapter: writes `<outDir>/bundle/<path>` for every bundle file and
 * the ground truth to `<outDir>/labels.json`, outside the bundle so nothing that ingests the bundle
 * can see it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { GeneratedIncident } from './scenario.js';

export interface WrittenIncident {
  bundleDir: string;
  labelsPath: string;
  files: number;
  bytes: number;
}

export async function writeIncident(incident: GeneratedIncident, outDir: string): Promise<WrittenIncident> {
  const bundleDir = resolve(outDir, 'bundle');
  let bytes = 0;
  for (const f of incident.files) {
    const target = resolve(bundleDir, f.path);
    // Paths come from the generator, but keep every write inside the bundle regardless.
    if (!target.startsWith(bundleDir + sep)) throw new Error(`refusing to write outside the bundle: ${f.path}`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.bytes);
    bytes += f.bytes.length;
  }
  const labelsPath = join(resolve(outDir), 'labels.json');
  await writeFile(labelsPath, JSON.stringify(incident.labels, null, 2) + '\n');
  return { bundleDir, labelsPath, files: incident.files.length, bytes };
}
