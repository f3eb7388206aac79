/**
 * Hostile gzip through ingestBundle (in-process, the same pipeline the CLI runs): truncation
 * mid-line, bad trailers, junk and zero padding after the last member. The oracle counts the
 * records independently (zlib with a sync flush gives exactly the bytes a cut stream holds).
 * `it.fails` marks a known defect (reported to the lead with this repro): it passes while the
 * defect is there and fails once it is fixed, so whoever fixes it turns it into a plain `it`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLines, jsonl } from './hostile-fixtures/audit-lines.js';
import { accountingProblems } from './hostile-fixtures/case-oracle.js';
import { ingestInMemory } from './hostile-fixtures/ingest-in-memory.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-hostile-gz-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ingest = (files: Record<string, Uint8Array>) => ingestInMemory(dir, files);

/** Non-empty lines: what the readers count as records. */
function records(text: string): number {
  return text.split('\n').filter((l) => l.length > 0).length;
}

const TEXT = jsonl(auditLines('G', 3000)); // ~1.5 MB: several 256 KiB inflate chunks
const GZ = gzipSync(TEXT);

describe('hostile gzip, end to end', () => {
  it('a gzip cut mid-line: every line before the cut stored, the cut line quarantined, the source in error', async () => {
    const cut = GZ.subarray(0, Math.floor(GZ.length * 0.6));
    // What the cut stream really holds, by zlib itself.
    const held = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    expect(held.endsWith('\n')).toBe(false); // the cut falls inside a line
    const { r, c } = await ingest({ 'audit.log.gz': cut });
    expect(accountingProblems(c, { records: { 'audit.log.gz': records(held) }, contents: { 'audit.log.gz': held } })).toEqual([]);
    expect(r.sources[0]).toMatchObject({ status: 'error', note: expect.stringMatching(/^truncated gzip: audit\.log\.gz/) });
    expect(c.quarantine).toHaveLength(1);
    expect(c.quarantine[0]!.line).toBe(records(held));
  });

  it('many tiny members (cat of 2000 one-line gzips) are all read', async () => {
    const lines = auditLines('M', 2000);
    const gz = Buffer.concat(lines.map((l) => gzipSync(l + '\n')));
    const { c } = await ingest({ 'm.log.gz': gz });
    expect(accountingProblems(c, { records: { 'm.log.gz': 2000 }, contents: { 'm.log.gz': jsonl(lines) } })).toEqual([]);
    expect(c.sources[0]!.records_stored).toBe(2000);
  });

  it('zero padding after the last member is accepted (no record invented, none lost)', async () => {
    const { r, c } = await ingest({ 'p.log.gz': Buffer.concat([GZ, Buffer.alloc(4096)]) });
    expect(accountingProblems(c, { records: { 'p.log.gz': 3000 }, contents: { 'p.log.gz': TEXT } })).toEqual([]);
    expect(r.sources[0]!.status).toBe('ok');
  });

  // Former defect (fixed by archive/gzip-members.ts): node's zlib drops the output of the inflate
  // call that hits the error (up to the 256 KiB output chunk), so records that decompressed
  // correctly vanished; the source said "corrupt gzip" but its read count was short.
  it('fixed: a bad CRC-32 trailer loses no record', async () => {
    const bad = Buffer.from(GZ);
    bad[bad.length - 6]! ^= 0xff;
    const { c } = await ingest({ 'crc.log.gz': bad });
    expect(c.sources[0]!.records_read).toBe(3000);
  });

  it('fixed: junk appended after the last member loses no record', async () => {
    const { c } = await ingest({ 'junk.log.gz': Buffer.concat([GZ, Buffer.from('trailing junk')]) });
    expect(c.sources[0]!.records_read).toBe(3000);
  });

  // Former defect (fixed by archive/gzip-members.ts): node's gunzip treats everything after a
  // zero byte that follows a member as padding, so a member after zero padding was dropped
  // silently (status ok, no note).
  it('fixed: a member after zero padding is read, or the source says it was not', async () => {
    const second = gzipSync(jsonl(auditLines('H', 50)));
    const { r, c } = await ingest({ 'z.log.gz': Buffer.concat([GZ, Buffer.alloc(512), second]) });
    const s = c.sources[0]!;
    expect(s.records_read === 3050 || (r.sources[0]!.status === 'error' && /padding|member/.test(s.note ?? ''))).toBe(true);
  });
});

describe('a .gz cut inside its first header', () => {
  it('is refused as a truncated gzip naming the file, not counted as one unrecognised record', async () => {
    const lines = auditLines('K', 3);
    const { r, c } = await ingest({ 'audit/kube-apiserver-audit.log.gz': Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0x00]), 'audit/next.log': Buffer.from(jsonl(lines)) });
    const cut = r.sources.find((s) => s.path.endsWith('.log.gz'))!;
    expect(cut).toMatchObject({ status: 'refused', read: 0, stored: 0, quarantined: 0 });
    expect(cut.note).toMatch(/^truncated gzip: audit\/kube-apiserver-audit\.log\.gz ends inside the header of member 1/);
    expect(accountingProblems(c, { records: { 'audit/next.log': 3 }, contents: { 'audit/next.log': jsonl(lines) } })).toEqual([]);
  });
});
