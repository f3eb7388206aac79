/**
 * The 7z directory read from real archives made by p7zip 16.02 (fixtures/SOURCES.tsv): names,
 * sizes, CRCs, directories and empty files exactly as `7z l -slt` lists them; plain and encoded
 * headers; the variable-length numbers of 7zFormat.txt; CRC mismatches reported, not fatal.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { fixCrcs } from './archive-patch.test-support.js';
import { openSevenZip, type SevenZipArchive } from './archive-header.js';
import { HeaderCursor } from './header-cursor.js';
import { SevenZipError } from './sevenzip-error.js';

const fixture = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${f}`, import.meta.url)));

async function open(f: string, bytes = fixture(f)): Promise<SevenZipArchive> {
  const r = await openSevenZip(bufferSource(f, bytes));
  if (!r.ok) throw new Error(r.reason);
  return r.archive;
}

/** [name, size, CRC-32 hex or null, 'dir' | 'empty' | folder index] as `7z l -slt` lists them. */
type Row = [string, number, string | null, 'dir' | 'empty' | number];
const rows = (a: SevenZipArchive): Row[] =>
  a.entries.map((e) => [e.name, e.size, e.crc === null ? null : e.crc.toString(16).padStart(8, '0'), e.isDirectory ? 'dir' : e.hasStream ? e.folder : 'empty']);

describe('7z directory', () => {
  it('reads Copy folders under an LZMA-encoded header', async () => {
    const a = await open('copy.7z');
    expect(a.headerEncoded).toBe(true);
    expect(a.folders.map((f) => f.coders.map((c) => c.id))).toEqual([['00'], ['00'], ['00']]);
    expect(rows(a)).toEqual([
      ['malicious_system_call.pkl', 82, 'd87393f8', 0],
      ['model.safetensors', 2704, '90270394', 1],
      ['unsafe_zip_pytorch.pt', 1036, '9d98f426', 2],
    ]);
  });

  it('reads a solid LZMA2 folder with directories and an empty file', async () => {
    const a = await open('solid.7z');
    expect(a.folders).toHaveLength(1);
    expect(a.folders[0]!.coders.map((c) => c.id)).toEqual(['21']);
    expect(rows(a)).toEqual([
      ['models', 0, null, 'dir'],
      ['models/sub', 0, null, 'dir'],
      ['empty.txt', 0, null, 'empty'],
      ['fp16_mlp.pt', 15839, '5cf4302e', 0],
      ['malicious_system_call.pkl', 82, 'd87393f8', 0],
      ['model.safetensors', 2704, '90270394', 0],
      ['models/sub/unsafe_zip_pytorch.pt', 1036, '9d98f426', 0],
      ['ref_mlp.pt', 29463, 'bdc89305', 0],
      ['unsafe_zip_pytorch.pt', 1036, '9d98f426', 0],
    ]);
    // Members follow each other in the folder's output.
    expect(a.entries.filter((e) => e.hasStream).map((e) => e.offset)).toEqual([0, 15839, 15921, 18625, 19661, 49124]);
  });

  it('reads a plain (unencoded) header and the Unix modes in the attributes', async () => {
    const a = await open('plain-header.7z');
    expect(a.headerEncoded).toBe(false);
    expect(rows(a)).toEqual([
      ['models', 0, null, 'dir'],
      ['models/sub', 0, null, 'dir'],
      ['empty.txt', 0, null, 'empty'],
      ['malicious_system_call.pkl', 82, 'd87393f8', 0],
      ['models/sub/unsafe_zip_pytorch.pt', 1036, '9d98f426', 0],
    ]);
    expect(a.entries[0]!.attributes! >>> 16).toBe(0o40755);
    expect(a.entries[3]!.attributes! >>> 16).toBe(0o100444);
  });

  it('reads the coder chains: LZMA2 + BCJ (picklescan), LZMA + BCJ, LZMA2 + Delta, 7zAES + LZMA2', async () => {
    const chain = async (f: string): Promise<string[]> => (await open(f)).folders[0]!.coders.map((c) => c.id);
    expect(await chain('picklescan__malicious1.7z')).toEqual(['21', '03030103']);
    expect(await chain('bcj.7z')).toEqual(['030101', '03030103']);
    expect(await chain('delta.7z')).toEqual(['21', '03']);
    expect(await chain('encrypted-data.7z')).toEqual(['06f10701', '21']);
    expect(rows(await open('picklescan__malicious1.7z'))).toEqual([['data.pkl', 51, '03e69f6c', 0]]);
  });

  it('says an encrypted header is encrypted, with no names', async () => {
    const r = await openSevenZip(bufferSource('e.7z', fixture('encrypted-header.7z')));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('encrypted');
    expect(r.reason).toMatch(/7zAES/);
  });

  it('reports CRC mismatches of the start header and the header, and reads on', async () => {
    const b = fixture('plain-header.7z');
    b[8]! ^= 1; // start-header CRC
    b[28]! ^= 1; // next-header CRC
    const r = await openSevenZip(bufferSource('x.7z', b));
    expect(r.ok).toBe(true);
    expect(r.findings.map((f) => f.id)).toEqual(['triage.7z.crc-mismatch', 'triage.7z.crc-mismatch']);
    expect(r.ok && r.archive.entries.length).toBe(5);
  });

  it('refuses what is not a 7z, a cut signature header, a header past the end', async () => {
    const cases: [string, Uint8Array, string][] = [
      ['zip', Uint8Array.of(0x50, 0x4b, 3, 4, ...new Array<number>(40).fill(0)), 'malformed'],
      ['short', fixture('copy.7z').subarray(0, 20), 'truncated'],
      ['cut', fixture('copy.7z').subarray(0, 200), 'truncated'],
    ];
    for (const [name, bytes, kind] of cases) {
      const r = await openSevenZip(bufferSource(name, bytes));
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.kind, name).toBe(kind);
    }
  });

  it('reads an archive with no files (next header size 0)', async () => {
    const b = fixture('plain-header.7z').slice(0, 32);
    b.fill(0, 12, 32);
    const r = await openSevenZip(bufferSource('empty.7z', fixCrcs(b)));
    expect(r.ok && r.archive.entries.length).toBe(0);
    expect(r.findings).toEqual([]);
  });
});

describe('7z UINT64 (7zFormat.txt)', () => {
  it('decodes each length prefix', () => {
    const cases: [number[], number][] = [
      [[0x00], 0],
      [[0x7f], 127],
      [[0x80, 0x80], 128],
      [[0xbf, 0xff], 0x3fff],
      [[0xc0, 0x00, 0x40], 0x4000],
      [[0xe1, 0x02, 0x03, 0x04], 0x01040302],
      [[0xfe, 1, 2, 3, 4, 5, 6, 7], 0x07060504030201],
      [[0xff, 1, 0, 0, 0, 0, 0, 0, 0], 1],
      [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0], Number.MAX_SAFE_INTEGER],
    ];
    for (const [bytes, v] of cases) {
      const c = new HeaderCursor(Uint8Array.from(bytes));
      expect(c.number()).toBe(v);
      expect(c.remaining).toBe(0);
    }
  });

  it('refuses values past 2^53 and numbers cut short', () => {
    expect(() => new HeaderCursor(Uint8Array.of(0xff, 0, 0, 0, 0, 0, 0, 0, 0x20)).number()).toThrow(SevenZipError);
    expect(() => new HeaderCursor(Uint8Array.of(0xc0, 0x01)).number()).toThrow(/header ends/);
  });

  it('reads MSB-first bit vectors and digests', () => {
    const c = new HeaderCursor(Uint8Array.of(0b1010_0000, 0x00, 0b0100_0000, 0x78, 0x56, 0x34, 0x12));
    expect(c.bits(3, 'bits')).toEqual([true, false, true]);
    expect(c.digests(2, 'crcs')).toEqual([null, 0x12345678]);
  });
});
