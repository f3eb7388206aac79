/**
 * Hostile zip and tar containers through ingestBundle (in-process, the pipeline the CLI runs):
 * duplicate entry names, central directories that lie about sizes and CRCs, entries hidden from
 * the central directory, tar headers declaring huge sizes, and PAX/GNU names. Checked with the
 * independent oracle of hostile-fixtures/case-oracle.ts. `it.fails` marks a known defect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTar, buildZip, gzip } from './archive/fixture-archives.js';
import { auditLines, jsonl } from './hostile-fixtures/audit-lines.js';
import { accountingProblems } from './hostile-fixtures/case-oracle.js';
import { ingestInMemory } from './hostile-fixtures/ingest-in-memory.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-hostile-arc-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ingest = (files: Record<string, Uint8Array>) => ingestInMemory(dir, files);

const A = jsonl(auditLines('A', 10));
const B = jsonl(auditLines('B', 7));
const C = jsonl(auditLines('C', 5));
const D = jsonl(auditLines('D', 4));

/** A tar header block with a raw size field (12 bytes), checksum fixed. */
function tarHeaderWithSize(name: string, sizeField: Uint8Array): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  Buffer.from(sizeField).copy(h, 124);
  h.write('00000000000\0', 136, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

describe('hostile containers, end to end', () => {
  it('duplicate entry names in zip and tar: each copy is its own source; an identical copy adds nothing', async () => {
    const zip = buildZip([
      { name: 'x.log', data: A },
      { name: 'x.log', data: B, method: 8 },
      { name: 'x.log', data: A }, // same bytes as the first: same SHA-256
      { name: 'logs\\x.log', data: C }, // a backslash separates, as on Windows
    ]);
    const tar = buildTar([
      { name: 'y.log', data: B + A }, // different bytes, same auditIDs: duplicates by auditID
      { name: 'y.log', data: D },
    ]);
    const { r, c } = await ingest({ 'd.zip': zip, 'd.tar': tar });
    expect(
      accountingProblems(c, {
        records: { 'd.zip!/x.log': 17, 'd.zip!/logs/x.log': 5, 'd.tar!/y.log': 21 },
        contents: { 'd.zip!/x.log': [A, B], 'd.zip!/logs/x.log': C, 'd.tar!/y.log': [B + A, D] },
      }),
    ).toEqual([]);
    expect(r.sources.filter((s) => s.status === 'duplicate').map((s) => s.path)).toEqual(['d.zip!/x.log']);
    // The tar (read first: sorted) stored A and B; the zip's two different x.log repeat their auditIDs.
    const zipQ = c.quarantine.filter((q) => q.path === 'd.zip!/x.log');
    expect(zipQ).toHaveLength(17);
    expect(zipQ.every((q) => /^duplicate record: auditID [AB]-\d+ /.test(q.reason))).toBe(true);
  });

  it('a central directory that lies about sizes and CRCs: every record is still read', async () => {
    const zip = buildZip([
      { name: 's.log', data: A, declaredSize: 10, crc: 5 }, // stored: the compressed size rules
      { name: 't.log', data: B, method: 8, declaredSize: 100, crc: 0 }, // deflate: the stream's end rules
      { name: 'u.log', data: C, method: 8, localName: '../../etc/cron.d/evil' }, // the central name wins, and is checked
    ]);
    const { r, c } = await ingest({ 'lie.zip': zip });
    expect(
      accountingProblems(c, {
        records: { 'lie.zip!/s.log': 10, 'lie.zip!/t.log': 7, 'lie.zip!/u.log': 5 },
        contents: { 'lie.zip!/s.log': A, 'lie.zip!/t.log': B, 'lie.zip!/u.log': C },
      }),
    ).toEqual([]);
    expect(r.sources.every((s) => s.status === 'ok')).toBe(true);
  });

  it('a central directory naming "../" while the local header names a harmless file is refused', async () => {
    const zip = buildZip([{ name: '../escape.log', localName: 'fine.log', data: A }]);
    const { r, c } = await ingest({ 'slip.zip': zip });
    expect(r.sources).toEqual([expect.objectContaining({ path: 'slip.zip!/../escape.log', status: 'refused', note: expect.stringMatching(/zip slip/) })]);
    expect(c.events).toHaveLength(0);
  });

  // Formerly a defect: an entry whose local header sits in the archive but which the central directory
  // leaves out is never read, and nothing (case, JSON, warnings) says it is there.
  it('an entry hidden from the central directory is read and reported', async () => {
    const full = Buffer.from(buildZip([{ name: 'a.log', data: A }, { name: 'hidden.log', data: B }, { name: 'c.log', data: C }]));
    const listed = Buffer.from(buildZip([{ name: 'a.log', data: A }, { name: 'c.log', data: C }]));
    const local = (name: string, data: string): number => 30 + name.length + Buffer.byteLength(data);
    const locals = full.subarray(0, local('a.log', A) + local('hidden.log', B) + local('c.log', C));
    const central = Buffer.from(listed.subarray(local('a.log', A) + local('c.log', C)));
    central.writeUInt32LE(local('a.log', A) + local('hidden.log', B), 46 + 'a.log'.length + 42); // c.log's local header offset
    central.writeUInt32LE(locals.length, central.length - 6); // the central directory's offset
    const { r, c } = await ingest({ 'h.zip': Buffer.concat([locals, central]) });
    const total = c.sources.reduce((a, s) => a + s.records_read, 0);
    const said = r.sources.some((s) => /hidden|central directory/.test(s.note ?? ''));
    expect(total === 22 || said).toBe(true);
  });

  it('a tar entry declaring 8 GiB or 2^52 bytes: refused with a reason, entries before it kept, no hang', async () => {
    const octalMax = Buffer.from('77777777777\0', 'ascii'); // 8 GiB - 1: under the 8 GiB entry limit
    const base256 = Buffer.alloc(12);
    base256[0] = 0x80;
    base256.writeBigUInt64BE(2n ** 52n, 4);
    for (const [label, field] of [['octal', octalMax], ['base-256', base256]] as const) {
      const tar = Buffer.concat([
        buildTar([{ name: 'first.log', data: A }], { end: false }),
        tarHeaderWithSize('huge.log', field),
        Buffer.from(B), // the "data": far short of what the header declares
        Buffer.alloc(1024),
      ]);
      const { r, c } = await ingest({ 'huge.tgz': gzip(tar) });
      const huge = r.sources.filter((s) => s.path.startsWith('huge.tgz!/huge'));
      expect(huge.length, label).toBeGreaterThan(0);
      expect(huge.every((s) => s.status === 'refused' || s.status === 'error'), label).toBe(true);
      expect(huge.map((s) => s.note).join(' '), label).toMatch(/too large|truncated|cut short/);
      expect(c.sources.find((s) => s.path === 'huge.tgz!/first.log')?.records_stored, label).toBe(10);
      for (const s of c.sources) expect(s.records_read, `${label} ${s.path}`).toBe(s.records_stored + s.records_quarantined);
    }
  });

  it('PAX and GNU names: a long path is kept whole; a PAX linkpath or path cannot turn a file into an escape', async () => {
    const long = `${'deep/'.repeat(60)}audit.log`; // 309 bytes: ustar name + prefix cannot hold it
    const tar = buildTar([
      { name: 'short.log', data: A, pax: { path: long } },
      { name: 'gnu.log', data: B, gnuLongName: true },
      { name: 'innocent.log', data: C, pax: { path: '/etc/cron.d/evil' } },
      { name: 'l', type: '2', pax: { linkpath: '../../../../etc/shadow' } },
      { name: 'nul.log', data: C, pax: { path: 'a\u0000b.log' } },
    ]);
    const { r, c } = await ingest({ 'p.tar': tar });
    expect(
      accountingProblems(c, { records: { [`p.tar!/${long}`]: 10, 'p.tar!/gnu.log': 7 }, contents: { [`p.tar!/${long}`]: A, 'p.tar!/gnu.log': B } }),
    ).toEqual([]);
    const refused = r.sources.filter((s) => s.status === 'refused').map((s) => `${s.path}: ${s.note}`);
    expect(refused).toEqual([
      'p.tar!//etc/cron.d/evil: absolute path in archive (zip slip)',
      'p.tar!/l: symbolic link to "../../../../etc/shadow" (not followed)',
      expect.stringMatching(/NUL byte/),
    ]);
  });
});
