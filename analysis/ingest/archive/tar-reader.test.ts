import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesStream, collectBounded } from './byte-streams.js';
import { buildTar } from './fixture-archives.js';
import { BundleError } from './limits.js';
import { isTarHeader, readTar, type TarEntry } from './tar-reader.js';

interface Seen {
  name: string;
  type: string;
  linkName?: string;
  data: string;
}

async function readAll(tar: Uint8Array, chunk = 100, read = true): Promise<{ entries: Seen[]; error: unknown }> {
  const entries: Seen[] = [];
  try {
    for await (const e of readTar(bytesStream(tar, chunk), { name: 't.tar' })) {
      const data = read ? Buffer.from(await collectBounded(e.data, 1 << 20, e.name)).toString() : '';
      entries.push({ name: e.name, type: e.type, data, ...(e.linkName !== undefined ? { linkName: e.linkName } : {}) });
    }
    return { entries, error: null };
  } catch (error) {
    return { entries, error };
  }
}

describe('readTar', () => {
  it('reads ustar files, directories and links in order', async () => {
    const tar = buildTar([
      { name: 'logs/', type: '5' },
      { name: 'logs/a.log', data: 'hello\n' },
      { name: 'logs/big.bin', data: 'x'.repeat(1500) },
      { name: 'logs/link', type: '2', linkName: '/etc/passwd' },
      { name: 'logs/hard', type: '1', linkName: 'logs/a.log' },
      { name: 'dev/null', type: '3' },
    ]);
    const { entries, error } = await readAll(tar, 77);
    expect(error).toBeNull();
    expect(entries).toEqual([
      { name: 'logs/', type: 'dir', data: '' },
      { name: 'logs/a.log', type: 'file', data: 'hello\n' },
      { name: 'logs/big.bin', type: 'file', data: 'x'.repeat(1500) },
      { name: 'logs/link', type: 'symlink', linkName: '/etc/passwd', data: '' },
      { name: 'logs/hard', type: 'hardlink', linkName: 'logs/a.log', data: '' },
      { name: 'dev/null', type: 'other', data: '' },
    ]);
  });

  it('reads GNU long names and pax path/size records', async () => {
    const long = `deep/${'d'.repeat(150)}/audit.log`;
    const tar = buildTar([
      { name: long, data: 'gnu', gnuLongName: true },
      { name: 'short', data: 'pax data', pax: { path: `pax/${'p'.repeat(200)}.json`, mtime: '1.5' } },
    ]);
    const { entries, error } = await readAll(tar);
    expect(error).toBeNull();
    expect(entries.map((e) => [e.name, e.data])).toEqual([
      [long, 'gnu'],
      [`pax/${'p'.repeat(200)}.json`, 'pax data'],
    ]);
  });

  it('skips data the consumer did not read, and refuses to read it after moving on', async () => {
    const tar = buildTar([
      { name: 'a', data: 'A'.repeat(3000) },
      { name: 'b', data: 'B' },
    ]);
    expect((await readAll(tar, 64, false)).entries.map((e) => e.name)).toEqual(['a', 'b']);
    const kept: TarEntry[] = [];
    for await (const e of readTar(bytesStream(tar, 64), { name: 't.tar' })) kept.push(e);
    await expect(collectBounded(kept[0]!.data, 1 << 20, 'a')).rejects.toThrow(/no longer readable/);
  });

  it('ends a truncated archive with a BundleError after the complete entries', async () => {
    const tar = buildTar([
      { name: 'first.log', data: 'one\n' },
      { name: 'second.log', data: 'two'.repeat(400) },
    ]);
    const cut = await readAll(tar.subarray(0, 512 * 3 + 100));
    expect(cut.entries.map((e) => e.name)).toEqual(['first.log']);
    expect(cut.error).toBeInstanceOf(BundleError);
    expect((cut.error as Error).message).toMatch(/^truncated tar: t\.tar ends inside the data of second\.log/);
    const inHeader = await readAll(tar.subarray(0, 512 * 2 + 200));
    expect(inHeader.entries.map((e) => e.name)).toEqual(['first.log']);
    expect((inHeader.error as Error).message).toMatch(/inside a header/);
    // No end-of-archive blocks at all is accepted (GNU tar does too).
    expect((await readAll(buildTar([{ name: 'x', data: 'y' }], { end: false }))).error).toBeNull();
  });

  it('rejects a header with a bad checksum and says where', async () => {
    const tar = buildTar([
      { name: 'ok', data: 'fine' },
      { name: 'evil', data: 'x', badChecksum: true },
    ]);
    const { entries, error } = await readAll(tar);
    expect(entries.map((e) => e.name)).toEqual(['ok']);
    expect((error as Error).message).toBe('corrupt tar: header checksum mismatch at byte 1024 of t.tar');
    expect((await readAll(new TextEncoder().encode('not a tar'.repeat(100)))).error).toBeInstanceOf(BundleError);
    expect(isTarHeader(tar.subarray(0, 512))).toBe(true);
    expect(isTarHeader(new Uint8Array(512))).toBe(false);
  });

  it('enforces maxEntries', async () => {
    const tar = buildTar(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: 'x' })));
    const out: string[] = [];
    await expect(
      (async () => {
        for await (const e of readTar(bytesStream(tar), { name: 't.tar', maxEntries: 3 })) out.push(e.name);
      })(),
    ).rejects.toThrow(/more than 3 entries/);
    expect(out).toEqual(['f0', 'f1', 'f2']);
  });

  it('fuzz: mutated tars never hang or throw anything but BundleError', async () => {
    const base = buildTar([
      { name: 'a/b.log', data: readFileSync(new URL('./fixtures/falco__exec_pod.json', import.meta.url)) },
      { name: 'n', data: 'x', pax: { path: 'p/q', size: '1' } },
      { name: 'l'.repeat(120), data: 'long', gnuLongName: true },
    ]);
    let x = 4242;
    const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 300; i++) {
      const m = Buffer.from(base);
      for (let k = 0; k < 1 + rnd(6); k++) m[rnd(m.length)] = rnd(256);
      const { error } = await readAll(rnd(4) === 0 ? m.subarray(0, rnd(m.length)) : m, 1 + rnd(700));
      if (error) expect(error).toBeInstanceOf(BundleError);
    }
  });
});
