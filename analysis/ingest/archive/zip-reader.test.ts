import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource, type ByteSource } from '../../core/byte-source.js';
import { buildZip } from './fixture-archives.js';
import { BundleError, RATIO_FLOOR_BYTES } from './limits.js';
import { crc32, openZip, type ZipArchive } from './zip-reader.js';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const src = (bytes: Uint8Array, name = 'a.zip'): ByteSource => bufferSource(name, bytes);
const text = async (zip: ZipArchive, name: string): Promise<string> =>
  Buffer.from(await zip.read(zip.entries.find((e) => e.name === name)!)).toString();

/** Counts reads, so a test can check the archive is not loaded whole. */
function countingSource(bytes: Uint8Array): ByteSource & { bytesRead: number } {
  const inner = bufferSource('big.zip', bytes);
  const s = {
    name: inner.name,
    size: inner.size,
    bytesRead: 0,
    async read(position: number, length: number) {
      const out = await inner.read(position, length);
      s.bytesRead += out.length;
      return out;
    },
  };
  return s;
}

describe('openZip', () => {
  it('reads stored and deflated entries, modes and directories', async () => {
    const zip = await openZip(
      src(
        buildZip([
          { name: 'dir/', data: '' },
          { name: 'dir/a.txt', data: 'stored text' },
          { name: 'dir/b.log', data: 'deflated '.repeat(100), method: 8 },
          { name: 'link', data: '/etc/passwd', unixMode: 0o120777 },
        ]),
      ),
    );
    expect(zip.entries.map((e) => [e.name, e.isDirectory, e.isSymlink])).toEqual([
      ['dir/', true, false],
      ['dir/a.txt', false, false],
      ['dir/b.log', false, false],
      ['link', false, true],
    ]);
    expect(await text(zip, 'dir/a.txt')).toBe('stored text');
    expect(await text(zip, 'dir/b.log')).toBe('deflated '.repeat(100));
    expect(zip.warnings).toEqual([]);
    expect(crc32(new TextEncoder().encode('hello'))).toBe(0x3610a686);
  });

  it('reads the directory and one entry without loading the whole archive', async () => {
    const big = new Uint8Array(4 << 20).fill(7);
    const s = countingSource(buildZip([{ name: 'big.bin', data: big }, { name: 'small.txt', data: 'hi' }]));
    const zip = await openZip(s);
    expect(await text(zip, 'small.txt')).toBe('hi');
    expect(s.bytesRead).toBeLessThan(256 << 10);
    const view = await zip.source(zip.entries[0]!);
    expect(view.size).toBe(big.length);
    expect(Array.from(await view.read(1000, 3))).toEqual([7, 7, 7]);
  });

  it('is lenient like miniz: bad CRC, flag bits and a mismatched local name are warnings', async () => {
    const zip = await openZip(
      src(
        buildZip([
          { name: 'data.pkl', data: 'payload', crc: 0xdeadbeef },
          { name: 'flags.txt', data: 'flags', flags: 0x20 | 0x2 | 0x4 },
          { name: 'real/name.pkl', localName: 'other/name.pkl', data: 'x' },
        ]),
      ),
    );
    expect(await text(zip, 'data.pkl')).toBe('payload');
    expect(await text(zip, 'flags.txt')).toBe('flags');
    expect(await text(zip, 'real/name.pkl')).toBe('x');
    const w = zip.warnings.join('\n');
    expect(w).toMatch(/CRC-32 mismatch in data\.pkl/);
    expect(w).toMatch(/flag bit 5/);
    expect(w).toMatch(/local header names "other\/name\.pkl" for central entry "real\/name\.pkl"/);
  });

  it('tolerates junk before the archive (offsets adjusted) and reads ZIP64 end records', async () => {
    const junk = new TextEncoder().encode('#!/bin/sh\nexit 0\n'.repeat(10));
    const zip = await openZip(src(buildZip([{ name: 'a.txt', data: 'after junk', method: 8 }], { prefix: junk, comment: 'c' })));
    expect(await text(zip, 'a.txt')).toBe('after junk');
    expect(zip.warnings.join()).toMatch(/170 bytes of data before the zip archive/);
    const z64 = await openZip(src(buildZip([{ name: 'x', data: 'zip64' }, { name: 'y', data: 'y' }], { zip64: true })));
    expect(z64.entries.map((e) => e.name)).toEqual(['x', 'y']);
    expect(await text(z64, 'x')).toBe('zip64');
  });

  it('recovers entries from local headers when the central directory is missing or cut', async () => {
    const full = buildZip([
      { name: 'archive/data.pkl', data: 'pickle bytes', descriptor: true },
      { name: 'archive/data/0', data: 'tensor'.repeat(50), method: 8, descriptor: true },
      { name: 'archive/version', data: '3' },
    ]);
    const noCd = buildZip([...[{ name: 'a', data: 'A' }, { name: 'b', data: 'BB', method: 8 as const }]], { omitCentral: true });
    const zip = await openZip(src(noCd));
    expect(zip.entries.map((e) => e.name)).toEqual(['a', 'b']);
    expect(await text(zip, 'b')).toBe('BB');
    const cut = await openZip(src(full.subarray(0, full.length - 60)));
    expect(cut.warnings[0]).toMatch(/no usable central directory; 3 entries recovered/);
    expect(await text(cut, 'archive/data.pkl')).toBe('pickle bytes');
    expect(await text(cut, 'archive/data/0')).toBe('tensor'.repeat(50));
    await expect(openZip(src(new TextEncoder().encode('no zip here at all')))).rejects.toBeInstanceOf(BundleError);
  });

  it('reports real encryption, but reads plain data behind a lying encryption flag (picklescan fixtures)', async () => {
    const locked = await openZip(src(fixture('picklescan__benign_password_protected.zip')));
    expect(locked.entries.map((e) => [e.name, e.encrypted])).toEqual([['test.txt', true]]);
    await expect(locked.read(locked.entries[0]!)).rejects.toThrow(/test\.txt in a\.zip is encrypted/);
    const fake = await openZip(src(fixture('picklescan__malicious1_0x1.zip')));
    expect(fake.entries[0]!.encrypted).toBe(false);
    expect(Buffer.from(await fake.read(fake.entries[0]!)).subarray(0, 2)).toEqual(Buffer.from([0x80, 0x04]));
    expect(fake.warnings.join()).toMatch(/encryption flag set over plain data/);
    const renamed = await openZip(src(fixture('picklescan__malicious1_central_directory.zip')));
    expect(renamed.entries.map((e) => e.name)).toEqual(['data.pkl']);
    expect(renamed.warnings.join()).toMatch(/local header names "datap\.kl"/);
  });

  it('refuses bombs: declared ratio, inflated size past the limit, total across entries', async () => {
    const zeros = new Uint8Array(4 * RATIO_FLOOR_BYTES);
    const zip = await openZip(src(buildZip([{ name: 'bomb', data: zeros, method: 8 }])));
    await expect(zip.read(zip.entries[0]!)).rejects.toThrow(/decompression bomb: bomb in a\.zip declares a \d+:1 ratio/);
    // Headers that lie about the size: the stream itself stops it.
    const liar = await openZip(src(buildZip([{ name: 'liar', data: zeros, method: 8, declaredSize: 10 }])));
    await expect(liar.read(liar.entries[0]!)).rejects.toThrow(/decompression bomb: a\.zip!\/liar inflates more than 200 times/);
    const many = await openZip(src(buildZip([1, 2, 3].map((i) => ({ name: `f${i}`, data: new Uint8Array(1000) })))), { maxTotalBytes: 2500 });
    await many.read(many.entries[0]!);
    await many.read(many.entries[1]!);
    await expect(many.read(many.entries[2]!)).rejects.toThrow(/inflates past 2500 bytes in all/);
    const capped = await openZip(src(buildZip([1, 2, 3].map((i) => ({ name: `f${i}`, data: 'x' })))), { maxEntries: 2 });
    expect(capped.entries).toHaveLength(2);
    expect(capped.warnings.join()).toMatch(/more than 2 entries/);
  });

  it('lists real PyTorch and NumPy zips', async () => {
    const pt = await openZip(src(fixture('candle__test.pt')));
    expect(pt.entries.map((e) => e.name)).toEqual(['test/data.pkl', 'test/byteorder', 'test/data/0', 'test/version', 'test/.data/serialization_id']);
    expect(await text(pt, 'test/byteorder')).toBe('little');
    const npz = await openZip(src(fixture('picklescan__object_arrays.npz')));
    expect(npz.entries.map((e) => e.name)).toEqual(['a.npy', 'b.npy']);
    expect(Buffer.from(await npz.read(npz.entries[0]!)).subarray(1, 6).toString()).toBe('NUMPY');
  });

  it('fuzz: mutated zips never hang and fail only with BundleError', async () => {
    const bases = ['candle__test.pt', 'tchrs__foo1.pt', 'picklescan__object_arrays.npz', 'picklescan__malicious1_0x1.zip'].map(fixture);
    let x = 777;
    const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 300; i++) {
      const m = Buffer.from(bases[i % bases.length]!);
      for (let k = 0; k < 1 + rnd(8); k++) m[rnd(m.length)] = rnd(256);
      const bytes = rnd(4) === 0 ? m.subarray(0, rnd(m.length)) : m;
      try {
        const zip = await openZip(src(bytes), { maxEntryBytes: 1 << 20, maxTotalBytes: 4 << 20 });
        for (const e of zip.entries) {
          try {
            await zip.read(e);
          } catch (err) {
            expect(err).toBeInstanceOf(BundleError);
          }
        }
      } catch (err) {
        expect(err).toBeInstanceOf(BundleError);
      }
    }
  });
});
