/** Filesystem adapter for the benchmark: `<out>/<split>/bundle/…`, `<out>/<split>/labels.json`, `<out>/benchmark.json`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { BenchmarkSplit, BenchmarkSummary } from './benchmark.js';

export async function writeBenchmark(b: { splits: BenchmarkSplit[]; summary: BenchmarkSummary }, outDir: string): Promise<{ files: number; bytes: number }> {
  const root = resolve(outDir);
  let files = 0;
  let bytes = 0;
  for (const s of b.splits) {
    const bundleDir = join(root, s.split, 'bundle');
    for (const f of s.files) {
      const target = resolve(bundleDir, f.path);
      if (!target.startsWith(bundleDir + sep)) throw new Error(`refusing to write outside the bundle: ${f.path}`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, f.bytes);
      files++;
      bytes += f.bytes.length;
    }
    const labels = JSON.stringify(s.labels) + '\n';
    await writeFile(join(root, s.split, 'labels.json'), labels);
    bytes += labels.length;
  }
  await writeFile(join(root, 'benchmark.json'), JSON.stringify(b.summary, null, 2) + '\n');
  return { files, bytes };
}
