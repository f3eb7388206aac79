/**
 * ingestBundle keeps archive warnings in the case file (`sources.warnings`, a JSON array, schema
 * v4) and in its result, bounded and each said once; and a tar entry whose bytes cannot be read
 * to the end (a bomb or a cut past its first 64 KiB) is one source in error, not a failed ingest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { SOURCE_WARNING_LIMITS } from '../store/source-warnings.js';
import { buildTar, buildZip, gzip } from './archive/fixture-archives.js';
import { zipHiding } from './archive/hidden-zip.test-support.js';
import { memoryBundleRoot } from './archive/memory-root.js';
import { auditLines, jsonl } from './hostile-fixtures/audit-lines.js';
import { ingestBundle, type IngestResult } from './pipeline.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-warn-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  path: string;
  status: string;
  note: string | null;
  warnings: string | null;
  records_read: number;
}

async function ingest(files: Record<string, Uint8Array>, casePath = join(dir, 'case.sqlite')): Promise<{ r: IngestResult; rows: Row[] }> {
  const store = CaseStore.open(casePath);
  try {
    const r = await ingestBundle(memoryBundleRoot('bundle', files), store, { parseWorkerUrl: null });
    const rows = store.db.prepare('SELECT path, status, note, warnings, records_read FROM sources ORDER BY id').all() as Row[];
    return { r, rows };
  } finally {
    store.close();
  }
}
const stored = (rows: Row[], path: string): string[] | null => {
  const cell = rows.find((x) => x.path === path)?.warnings;
  return cell == null ? null : (JSON.parse(cell) as string[]);
};

const A = jsonl(auditLines('A', 10));
const B = jsonl(auditLines('B', 7));

describe('archive warnings in the case file', () => {
  it('stores them per source, once each, and returns them as stored', async () => {
    const zip = buildZip([
      { name: 'crc.log', data: A, crc: 1 },
      { name: 'ok.log', data: B },
    ]);
    const { r, rows } = await ingest({ 'w.zip': zip, 'plain.log': Buffer.from(jsonl(auditLines('P', 3))) });
    // Read twice (hashed, then parsed): the CRC mismatch is still one warning.
    expect(stored(rows, 'w.zip!/crc.log')).toEqual(['w.zip: CRC-32 mismatch in crc.log (read anyway)']);
    expect(stored(rows, 'w.zip!/ok.log')).toBeNull();
    expect(stored(rows, 'plain.log')).toBeNull();
    expect(r.sources.find((s) => s.path === 'w.zip!/crc.log')?.warnings).toEqual(['w.zip: CRC-32 mismatch in crc.log (read anyway)']);
    expect(r.sources.find((s) => s.path === 'w.zip!/ok.log')).not.toHaveProperty('warnings');
  });

  it('keeps the hidden-entry warning, and the hidden records', async () => {
    const { r, rows } = await ingest({ 'h.zip': zipHiding([{ name: 'a.log', data: A }, { name: 'hidden.log', data: B }], ['hidden.log']) });
    expect(rows.map((x) => [x.path, x.records_read])).toEqual([
      ['h.zip!/a.log', 10],
      ['h.zip!/hidden.log', 7],
    ]);
    expect(stored(rows, 'h.zip!/a.log')).toEqual([expect.stringMatching(/^h\.zip: entry "hidden\.log" at byte \d+ is not in the central directory/)]);
    expect(r.sources[0]!.warnings).toEqual(stored(rows, 'h.zip!/a.log'));
  });

  it('keeps them on refused sources, and a duplicate copy\'s on the row it duplicates', async () => {
    const slip = buildZip([{ name: '../x.log', data: A }, { name: '../x.log', data: B }]);
    const dupZip = buildZip([{ name: 'a.log', data: A }, { name: 'a.log', data: A }]);
    const { r, rows } = await ingest({ 'a.log': Buffer.from(A), 'd.zip': dupZip, 'slip.zip': slip });
    expect(stored(rows, 'slip.zip!/../x.log')).toEqual(['slip.zip: two entries named "../x.log"']);
    // Both copies in d.zip repeat a.log's bytes: no row of their own, their archive's warning kept on a.log.
    expect(r.sources.filter((s) => s.status === 'duplicate').map((s) => s.path)).toEqual(['d.zip!/a.log', 'd.zip!/a.log']);
    expect(stored(rows, 'a.log')).toEqual(['(duplicate copy d.zip!/a.log) d.zip: two entries named "a.log"']);
  });

  it('bounds them in count and length, saying how many were left out', async () => {
    const n = SOURCE_WARNING_LIMITS.count + 50;
    // A 3000-character name repeated: one long warning; then n names each given twice: n more.
    const names = ['x'.repeat(3000), ...Array.from({ length: n }, (_, i) => `d${i}.log`)];
    const zip = buildZip([{ name: 'a.log', data: A }, ...names.flatMap((name) => [{ name, data: '1\n' }, { name, data: '2\n' }])]);
    const { r, rows } = await ingest({ 'many.zip': zip });
    const first = r.sources[0]!;
    const kept = stored(rows, first.path)!;
    expect(kept).toHaveLength(SOURCE_WARNING_LIMITS.count);
    expect(kept[kept.length - 1]).toMatch(/^\d+ more warnings not kept$/);
    expect(kept.every((w) => w.length <= SOURCE_WARNING_LIMITS.chars)).toBe(true);
    expect(first.warnings).toEqual(kept);
  });
});

describe('a tar entry that cannot be read to the end', () => {
  it('a bomb in a live .tgz entry: that source is in error with the bomb as its note, nothing says "truncated"', async () => {
    const big = Buffer.alloc(12 << 20, 0x0a); // over the 8 MiB held in memory: read as a live stream
    const tgz = gzip(buildTar([{ name: 'a.log', data: A }, { name: 'big.log', data: big }, { name: 'z.log', data: B }]));
    const { r, rows } = await ingest({ 'b.tgz': tgz });
    expect(rows.map((x) => [x.path, x.status])).toEqual([
      ['b.tgz!/a.log', 'ok'],
      ['b.tgz!/big.log', 'error'],
    ]);
    expect(rows[1]!.note).toMatch(/^decompression bomb: b\.tgz inflates more than 200 times/);
    expect(r.sources.map((s) => s.note ?? '').join('\n')).not.toMatch(/truncated/);
  });

  it('a cut past the first 64 KiB: that source is in error, the ingest goes on', async () => {
    const big = Buffer.from(A.repeat(4000)); // ~9 MiB: a live stream
    const tar = buildTar([{ name: 'a.log', data: A }, { name: 'big.log', data: big }]);
    const { r, rows } = await ingest({ 'c.tar': tar.subarray(0, 2048 + 200_000), 'd.log': Buffer.from(B) });
    expect(rows.map((x) => [x.path, x.status, x.note])).toEqual([
      ['c.tar!/a.log', 'ok', null],
      ['c.tar!/big.log', 'error', 'truncated tar: c.tar ends inside the data of big.log'],
      ['d.log', 'ok', null],
    ]);
    expect(r.sources).toHaveLength(3);
  });
});
