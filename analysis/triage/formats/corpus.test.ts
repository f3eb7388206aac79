/**
 * The shared corpus itself, when this checkout has it (/work/shared/corpus): the full-size files
 * (the fixtures keep only the headers of the 1 MB safetensors), read through a file handle the way
 * the ingest reads them, checked against SOURCES.tsv's expected verdicts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { highestSeverity, isAtLeast } from '../severity.js';
import { readNpy } from './numpy.js';
import { readOnnx } from './onnx.js';
import { readSafetensors } from './safetensors.js';
import { readTritonConfig } from './triton-config.js';

const CORPUS = '/work/shared/corpus/';
const present = existsSync(CORPUS + 'SOURCES.tsv');

async function withFile<T>(path: string, fn: (src: ByteSource) => Promise<T>): Promise<T> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return await fn({
      name: path,
      size,
      async read(position, length) {
        const buf = new Uint8Array(Math.max(0, Math.min(length, size - position)));
        const { bytesRead } = await handle.read(buf, 0, buf.length, position);
        return buf.subarray(0, bytesRead);
      },
    });
  } finally {
    await handle.close();
  }
}

const readers: [RegExp, (src: ByteSource) => Promise<{ findings: Finding[] }>][] = [
  [/^safetensors\//, readSafetensors],
  [/^onnx\//, readOnnx],
  [/^triton\//, readTritonConfig],
  [/\.npy$/, readNpy],
];

describe.skipIf(!present)('the shared corpus at full size', () => {
  const rows = present
    ? readFileSync(CORPUS + 'SOURCES.tsv', 'utf8')
        .split('\n')
        .slice(1)
        .map((l) => l.split('\t'))
        .filter((c) => c.length > 6 && readers.some(([re]) => re.test(c[0]!)))
    : [];

  it('covers the format files', () => {
    expect(rows.length).toBe(15 + 17 + 24 + 2);
  });

  for (const [file, , , , , , verdict] of rows) {
    it(`${file} (${verdict})`, async () => {
      const read = readers.find(([re]) => re.test(file!))![1];
      const r = await withFile(CORPUS + file, read);
      const worst = highestSeverity(r.findings.map((f) => f.severity)) ?? 'info';
      if (verdict === 'malicious') expect(isAtLeast(worst, 'medium')).toBe(true);
      // object_array.npy is benign but medium by design (object arrays need the pickle analysis).
      else if (verdict === 'benign' && !file!.endsWith('object_array.npy')) expect(isAtLeast(worst, 'medium'), JSON.stringify(r.findings)).toBe(false);
    });
  }
});
