/**
 * Entries a central directory leaves out are found by their local headers (zip-hidden-entries.ts),
 * through openZip as both ingestion and checkpoint triage use it: marked `recovered`, named in a
 * warning, readable; bounded; and no false finds in ordinary archives whose data holds "PK\3\4".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { buildZip } from './fixture-archives.js';
import { BundleError } from './limits.js';
import { zipHiding } from './hidden-zip.test-support.js';
import { openZip, type ZipArchive } from './zip-reader.js';
import { MAX_HIDDEN_ENTRIES } from './zip-hidden-entries.js';

const fixture = (name: string): Uint8Array => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const open = (bytes: Uint8Array, limits = {}): Promise<ZipArchive> => openZip(bufferSource('h.zip', bytes), limits);
const text = async (zip: ZipArchive, name: string): Promise<string> =>
  Buffer.from(await zip.read(zip.entries.find((e) => e.name === name)!)).toString();
const hiddenWarnings = (zip: ZipArchive): string[] => zip.warnings.filter((w) => w.includes('not in the central directory'));

describe('entries hidden from the central directory', () => {
  it('finds one between listed entries, marks it recovered, names it, and reads it', async () => {
    const zip = await open(
      zipHiding(
        [
          { name: 'a.log', data: 'first\n' },
          { name: 'hidden.log', data: 'secret '.repeat(40), method: 8 },
          { name: 'c.log', data: 'last\n' },
        ],
        ['hidden.log'],
      ),
    );
    expect(zip.entries.map((e) => [e.name, e.recovered])).toEqual([
      ['a.log', false],
      ['c.log', false],
      ['hidden.log', true],
    ]);
    expect(hiddenWarnings(zip)).toEqual([
      'h.zip: entry "hidden.log" at byte 41 is not in the central directory (hidden from tools that list only the directory); recovered from its local header',
    ]);
    expect(await text(zip, 'hidden.log')).toBe('secret '.repeat(40));
    expect(await text(zip, 'c.log')).toBe('last\n');
  });

  it('finds them before the first listed entry, before the directory, behind junk, and with data descriptors', async () => {
    const specs = [
      { name: 'first.bin', data: 'F'.repeat(100) },
      { name: 'mid.txt', data: 'listed' },
      { name: 'desc.bin', data: 'D'.repeat(300), method: 8 as const, descriptor: true },
      { name: 'tail.bin', data: 'T'.repeat(50), descriptor: true },
    ];
    const zip = await open(zipHiding(specs, ['first.bin', 'desc.bin', 'tail.bin'], { prefix: Buffer.from('#!/bin/sh\nexit 0\n') }));
    expect(zip.entries.filter((e) => e.recovered).map((e) => e.name)).toEqual(['first.bin', 'desc.bin', 'tail.bin']);
    expect(hiddenWarnings(zip)).toHaveLength(3);
    expect(await text(zip, 'desc.bin')).toBe('D'.repeat(300));
    expect(await text(zip, 'tail.bin')).toBe('T'.repeat(50));
    expect(await text(zip, 'first.bin')).toBe('F'.repeat(100));
  });

  it('finds nothing in ordinary archives, even when entry data holds local header signatures', async () => {
    const inner = buildZip([{ name: 'x', data: 'x' }, { name: 'y', data: 'y' }]);
    const plain = await open(
      buildZip([
        { name: 'nested.zip', data: inner }, // stored: "PK\3\4" twice inside its data
        { name: 'after.txt', data: 'PK\u0003\u0004 in text too' },
        { name: 'desc.bin', data: inner, descriptor: true },
      ]),
    );
    expect(plain.entries.some((e) => e.recovered)).toBe(false);
    expect(plain.warnings).toEqual([]);
    for (const name of ['candle__test.pt', 'tchrs__foo1.pt', 'picklescan__object_arrays.npz', 'picklescan__malicious1.zip']) {
      const zip = await open(fixture(name));
      expect(zip.entries.some((e) => e.recovered), name).toBe(false);
      expect(hiddenWarnings(zip), name).toEqual([]);
    }
  });

  it('a local scan of an archive without directory marks every entry recovered', async () => {
    const zip = await open(buildZip([{ name: 'a', data: 'A' }, { name: 'b', data: 'B' }], { omitCentral: true }));
    expect(zip.entries.map((e) => e.recovered)).toEqual([true, true]);
  });

  it('is bounded: many hidden entries are counted, not all named; the entry limit holds', async () => {
    const specs = [{ name: 'listed', data: 'L' }, ...Array.from({ length: 30 }, (_, i) => ({ name: `h${i}`, data: `hidden ${i}` }))];
    const hidden = specs.slice(1).map((s) => s.name);
    const zip = await open(zipHiding(specs, hidden));
    expect(zip.entries.filter((e) => e.recovered)).toHaveLength(30);
    expect(hiddenWarnings(zip)).toHaveLength(20);
    expect(zip.warnings).toContain('h.zip: 10 more entries hidden from the central directory recovered');
    const capped = await open(zipHiding(specs, hidden), { maxEntries: 5 });
    expect(capped.entries).toHaveLength(5);
    expect(capped.warnings.join('\n')).toMatch(/bytes outside the listed entries were not searched for hidden entries \(the limit on recovered entries/);
    expect(MAX_HIDDEN_ENTRIES).toBeGreaterThanOrEqual(100);
  });

  it('does not search when the directory itself was cut at the entry limit (those entries are not hidden)', async () => {
    const zip = await open(buildZip([1, 2, 3, 4].map((i) => ({ name: `f${i}`, data: `${i}` }))), { maxEntries: 2 });
    expect(zip.entries.map((e) => e.name)).toEqual(['f1', 'f2']);
    expect(zip.entries.some((e) => e.recovered)).toBe(false);
  });

  it('fuzz: signatures sprinkled over gaps and data never hang, throw only BundleError, and keep recovered entries inside the archive', async () => {
    let x = 4242;
    const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const base = zipHiding(
      [
        { name: 'a', data: 'a'.repeat(2000) },
        { name: 'b', data: 'b'.repeat(3000), method: 8 },
        { name: 'c', data: 'c'.repeat(1000), descriptor: true },
      ],
      ['b'],
    );
    for (let i = 0; i < 200; i++) {
      const m = Buffer.from(base);
      for (let k = 0; k < 1 + rnd(12); k++) {
        const at = rnd(m.length - 4);
        if (rnd(2) === 0) m.writeUInt32LE(0x04034b50, at);
        else m[at] = rnd(256);
      }
      const problems: string[] = [];
      try {
        const zip = await open(m, { maxEntryBytes: 1 << 20, maxTotalBytes: 4 << 20 });
        for (const e of zip.entries) {
          if (e.recovered && (e.localHeaderOffset < 0 || e.localHeaderOffset >= m.length)) problems.push(`${e.name} at ${e.localHeaderOffset}`);
          await zip.read(e).catch((err: unknown) => (err instanceof BundleError ? null : problems.push(String(err))));
        }
      } catch (err) {
        if (!(err instanceof BundleError)) problems.push(String(err));
      }
      expect(problems, `mutation ${i}`).toEqual([]);
    }
  });
});
