/**
 * embeddedZipStart: a zip behind a stub (self-extractor) is found from the file's end whether its
 * offsets count from the archive or from the file start; a tail that merely holds "PK\x05\x06" is not.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { buildZip, exeStub } from './fixture-archives.js';
import { openZip } from './zip-reader.js';
import { embeddedZipStart } from './zip-sfx.js';

const EV = '{"ts":"2024-05-01T10:00:00Z","action":"checkpoint_save","job_id":"llama-ft","user":"alice"}\n';
const SPECS = [
  { name: 'a.jsonl', data: EV, method: 8 as const },
  { name: 'b.txt', data: 'stored' },
];
const at = (b: Uint8Array): Promise<number | null> => embeddedZipStart(bufferSource('x.exe', b));

/** Seeded LCG (Numerical Recipes constants): the same bytes on every run. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0;
  return (n) => ((x = (x * 1664525 + 1013904223) >>> 0) >>> 8) % n;
}

/** An end record (APPNOTE §4.3.16) with the given directory size and offset. */
function eocd(count: number, size: number, offset: number, comment = 0): Buffer {
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(count, 8);
  e.writeUInt16LE(count, 10);
  e.writeUInt32LE(size, 12);
  e.writeUInt32LE(offset, 16);
  e.writeUInt16LE(comment, 20);
  return e;
}

describe('embeddedZipStart', () => {
  it('finds the archive behind a stub, offsets relative to the archive or to the file, ZIP64 too', async () => {
    const stub = exeStub(4096);
    expect(await at(buildZip(SPECS, { prefix: stub }))).toBe(4096);
    expect(await at(buildZip(SPECS, { prefix: stub, absoluteOffsets: true }))).toBe(4096);
    expect(await at(buildZip(SPECS, { prefix: stub, zip64: true, comment: 'sfx' }))).toBe(4096);
    expect(await at(buildZip(SPECS, { prefix: Buffer.from('#!/bin/sh\nexec unzip "$0"\n'), absoluteOffsets: true, comment: 'c' }))).toBe(26);
    expect(await at(buildZip(SPECS))).toBe(0); // a plain zip is its own start
  });

  it('openZip says how many bytes come before the archive, once, in either offset style', async () => {
    for (const absoluteOffsets of [false, true]) {
      const zip = await openZip(bufferSource('x.exe', buildZip(SPECS, { prefix: exeStub(777), absoluteOffsets })));
      expect(zip.entries.map((e) => e.name)).toEqual(['a.jsonl', 'b.txt']);
      expect(Buffer.from(await zip.read(zip.entries[0]!)).toString()).toBe(EV);
      const said = zip.warnings.filter((w) => w.includes('777 bytes of data before the zip archive'));
      expect(said, String(absoluteOffsets)).toHaveLength(1);
      expect(zip.warnings).toHaveLength(1);
    }
    // A zip that starts at byte 0 says nothing.
    expect((await openZip(bufferSource('p.zip', buildZip(SPECS)))).warnings).toEqual([]);
  });

  it('a "PK\\x05\\x06" in a tail is not a zip unless a central directory and a local header check out', async () => {
    const body = exeStub(8192);
    expect(await at(body)).toBeNull();
    expect(await at(Buffer.concat([body, eocd(0, 0, 0)]))).toBeNull(); // an empty directory proves nothing
    expect(await at(Buffer.concat([body, eocd(1, 46, 100)]))).toBeNull(); // nothing where it points
    // A central-record signature where the end record points, but no local header behind it.
    const fakeCd = Buffer.alloc(46);
    fakeCd.writeUInt32LE(0x02014b50, 0);
    fakeCd.writeUInt32LE(500, 42);
    expect(await at(Buffer.concat([body, fakeCd, eocd(1, 46, body.length)]))).toBeNull();
    // Its name running past the directory.
    fakeCd.writeUInt16LE(200, 28);
    expect(await at(Buffer.concat([body, fakeCd, eocd(1, 46, body.length)]))).toBeNull();
    // A real zip's end record quoted inside a file whose end is something else.
    const zip = Buffer.from(buildZip(SPECS));
    expect(await at(Buffer.concat([zip.subarray(zip.length - 22), body]))).toBeNull();
    expect(await at(new Uint8Array(0))).toBeNull();
  });

  it('fuzz: random files with end records planted in their tails are never taken for zips', async () => {
    const r = prng(7);
    for (let i = 0; i < 400; i++) {
      const b = Buffer.alloc(200 + r(5000));
      for (let k = 0; k < b.length; k++) b[k] = r(256);
      for (let k = 0; k < 1 + r(3); k++) {
        const e = eocd(r(4), r(3) === 0 ? 46 : r(b.length), r(3) === 0 ? 0 : r(b.length), r(30));
        e.copy(b, Math.max(0, b.length - 22 - r(200)));
      }
      expect(await at(b), `case ${i}`).toBeNull();
    }
  });

  it('fuzz: mutated self-extractors never throw, and what is found is a local header', async () => {
    const r = prng(11);
    const sfx = Buffer.from(buildZip([...SPECS, { name: 'c.bin', data: deflateRawSync(Buffer.alloc(3000, 1)) }], { prefix: exeStub(600) }));
    for (let i = 0; i < 300; i++) {
      const m = Buffer.from(sfx);
      for (let k = 0; k < 1 + r(6); k++) m[m.length - 1 - r(300)] = r(256);
      const cut = r(4) === 0 ? m.subarray(0, m.length - r(100)) : m;
      const found = await at(cut);
      if (found !== null) expect(cut.readUInt32LE(found)).toBe(0x04034b50);
    }
  });
});
