/**
 * walkBundle: archive warnings always travel with an item (file or refusal) so they can reach the
 * case file, and each problem is said once, in the words of its cause: no "x.zip is not a
 * readable zip archive: x.zip is not a readable zip archive", no cut tar entry reported twice,
 * no "truncated tar" after a decompression bomb.
 */
import { describe, expect, it } from 'vitest';
import { memoryBundleRoot } from './archive/memory-root.js';
import { buildTar, buildZip, gzip } from './archive/fixture-archives.js';
import { zipHiding } from './archive/hidden-zip.test-support.js';
import type { ArchiveLimits } from './archive/limits.js';
import { walkBundle, type BundleItem } from './bundle.js';

async function walk(files: Record<string, Uint8Array> | Uint8Array, limits?: Partial<ArchiveLimits>, name = 'bundle'): Promise<BundleItem[]> {
  const out: BundleItem[] = [];
  for await (const item of walkBundle(memoryBundleRoot(name, files), limits)) out.push(item);
  return out;
}
const line = (i: BundleItem): string => (i.kind === 'file' ? `${i.path} ${i.sniffed}` : `${i.path} REFUSED ${i.reason}`);
const warningsOf = (items: BundleItem[]): string[] => items.flatMap((i) => i.warnings ?? []);
const appEvents = '{"ts":"2024-05-01T10:00:00Z","action":"checkpoint_save","job_id":"llama-ft","user":"alice"}\n';

describe('archive warnings reach an item', () => {
  it('a hidden zip entry is walked like any other, and its warning goes with the first file', async () => {
    const zip = zipHiding([{ name: 'a.jsonl', data: appEvents }, { name: 'hidden.jsonl', data: appEvents.repeat(2) }], ['hidden.jsonl']);
    const items = await walk({ 'h.zip': zip });
    expect(items.map(line)).toEqual(['h.zip!/a.jsonl app_events', 'h.zip!/hidden.jsonl app_events']);
    expect(items[0]!.warnings).toEqual([expect.stringMatching(/^h\.zip: entry "hidden\.jsonl" at byte \d+ is not in the central directory/)]);
    expect(items[1]!.warnings).toEqual([]);
  });

  it('when every entry is refused, the first refusal carries them', async () => {
    const zip = buildZip([{ name: '../x.log', data: 'a' }, { name: '../x.log', data: 'b' }]);
    const items = await walk({ 'slip.zip': zip });
    expect(items.map((i) => i.kind)).toEqual(['refused', 'refused']);
    expect(items[0]!.warnings).toEqual(['slip.zip: two entries named "../x.log"']);
    expect(items[1]!.warnings).toBeUndefined();
  });

  it('an archive with no file to read is itself refused, with its warnings', async () => {
    const zip = buildZip([{ name: 'd/', data: '' }, { name: 'd/', data: '' }]);
    const items = await walk({ 'dirs.zip': zip });
    expect(items.map(line)).toEqual(['dirs.zip REFUSED the archive holds no file to read']);
    expect(items[0]!.warnings).toEqual(['dirs.zip: two entries named "d/"']);
    expect(await walk({ 'empty.zip': buildZip([]) })).toEqual([]); // nothing odd, nothing to say
  });

  it('warnings about a nested archive file travel into what it holds (zip in tar, zip in zip)', async () => {
    const inner = buildZip([{ name: 'a.jsonl', data: appEvents }, { name: 'a.jsonl', data: appEvents.repeat(2) }]);
    const outer = buildZip([{ name: 'in.zip', data: inner }, { name: 'in.zip', data: inner, method: 8 }]);
    const items = await walk({ 'o.zip': outer, 't.tar': buildTar([{ name: 'in.zip', data: inner }]) });
    const all = warningsOf(items);
    expect(all).toContain('o.zip: two entries named "in.zip"');
    expect(all).toContain('o.zip!/in.zip: two entries named "a.jsonl"');
    expect(all).toContain('t.tar!/in.zip: two entries named "a.jsonl"');
    // Each warning goes with one item only.
    expect(all.filter((w) => w === 'o.zip: two entries named "in.zip"')).toHaveLength(1);
  });

  it('a checkpoint zip keeps its archive warnings on the checkpoint item', async () => {
    const pt = buildZip([
      { name: 'm/data.pkl', data: '\u0080\u0002}q\u0000.' },
      { name: 'm/version', data: '3\n', crc: 1 },
      { name: 'm/version', data: '3\n' },
    ]);
    const items = await walk({ 'm.pt': pt });
    expect(items.map(line)).toEqual(['m.pt checkpoint_pytorch_zip']);
    expect(items[0]!.warnings).toContain('m.pt: two entries named "m/version"');
  });
});

describe('each problem is said once', () => {
  it('an unreadable root zip: one sentence, not the reader\'s repeated after the walker\'s', async () => {
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(1, 10);
    eocd.writeUInt32LE(46, 12); // a directory larger than the file: unusable, and no local header either
    const err = await walk(eocd, undefined, 'eocd.zip').catch((e: unknown) => e as Error);
    expect((err as Error).message).toBe('eocd.zip is not a readable zip archive (no central directory, no local file headers)');
    const nested = await walk({ 'eocd.zip': eocd });
    expect(nested.map(line)).toEqual(['eocd.zip REFUSED eocd.zip is not a readable zip archive (no central directory, no local file headers)']);
    const badTar = await walk(buildTar([{ name: 'a.log', data: 'x', badChecksum: true }]), undefined, 'bad.tar').catch((e: unknown) => e as Error);
    expect((badTar as Error).message).toBe('bad.tar is not a tar archive (header checksum mismatch)');
  });

  it('a tar entry cut inside its first bytes is reported once, without a "cannot be read" prefix', async () => {
    const big = Buffer.from(appEvents.repeat(200));
    const tar = buildTar([{ name: 'a.jsonl', data: appEvents }, { name: 'big.jsonl', data: big }]);
    const cut = tar.subarray(0, 512 * 3 + 5000); // inside big.jsonl's first 64 KiB
    const items = await walk({ 'c.tar': cut }, { maxBufferedEntryBytes: 1024 });
    expect(items.map(line)).toEqual(['c.tar!/a.jsonl app_events', 'c.tar!/big.jsonl REFUSED truncated tar: c.tar ends inside the data of big.jsonl']);
  });

  it('a ratio bomb inside a .tgz is reported as the bomb, not as a truncated tar', async () => {
    const zeros = Buffer.alloc(4 << 20, 0x0a); // under maxEntryBytes, held in memory, inflates ~1000:1
    const tgz = gzip(buildTar([{ name: 'a.jsonl', data: appEvents }, { name: 'mid.jsonl', data: zeros }, { name: 'z.jsonl', data: appEvents }]));
    const items = await walk({ 'b.tgz': tgz });
    const said = items.map(line);
    expect(said[0]).toBe('b.tgz!/a.jsonl app_events');
    expect(said.slice(1)).toEqual([expect.stringMatching(/^b\.tgz!\/mid\.jsonl REFUSED decompression bomb: b\.tgz inflates more than 200 times/)]);
    expect(said.join('\n')).not.toMatch(/truncated/);
  });
});
