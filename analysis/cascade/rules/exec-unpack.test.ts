/**
 * exec-unpack.ts: what an unpacking command writes, read from its words as tar, unzip, 7z, jar and
 * the stream decompressors read their options (the trees and files exec-fetched-run.ts follows).
 */
import { describe, expect, it } from 'vitest';
import { readTar, STDIO, unpackOf, type Unpack } from './exec-unpack.js';
import { mulberry32 } from '../../core/mulberry32.js';

const read = (line: string): Unpack | null => {
  const words = line.split(' ');
  return unpackOf(words, 0, words[0]!);
};
const tree = (archive: string, into: string | null): Unpack => ({ kind: 'tree', archive, into });
const file = (archive: string, out: string): Unpack => ({ kind: 'file', archive, out });

describe('unpackOf', () => {
  it('reads tar in extract mode: traditional keys, clusters, long options, the archive and the directory', () => {
    const cases: Array<[string, Unpack]> = [
      ['tar xzf k.tgz', tree('k.tgz', null)],
      ['tar xzf k.tgz -C /opt', tree('k.tgz', '/opt')],
      ['tar xfC k.tar /opt', tree('k.tar', '/opt')],
      ['tar -xvzf /tmp/k.tgz --directory=/srv', tree('/tmp/k.tgz', '/srv')],
      ['tar -x -f /tmp/k.tar --directory /srv', tree('/tmp/k.tar', '/srv')],
      ['tar --extract --file=/tmp/k.tar', tree('/tmp/k.tar', null)],
      ['tar -xf/tmp/k.tar -C/opt', tree('/tmp/k.tar', '/opt')],
      ['bsdtar -xf k.zip', tree('k.zip', null)],
      ['tar xz -C /tmp', tree(STDIO, '/tmp')],
      ['tar -xzf - -C /usr/local', tree(STDIO, '/usr/local')],
      ['tar --get -C /x', tree(STDIO, '/x')],
      ['tar -x --strip-components 1 -f k.tar', tree('k.tar', null)],
    ];
    for (const [line, want] of cases) expect(read(line), line).toEqual(want);
    for (const line of ['tar czf /tmp/m.tgz /mnt/ckpt', 'tar tf k.tar', 'tar -cf - x', 'tar --list -f k.tar', 'tar']) expect(read(line), line).toBeNull();
  });

  it('reads tar in create mode: the archive, and the members joined to the -C before each', () => {
    const tar = (line: string) => readTar(line.split(' '), 0);
    expect(tar('tar cf - /mnt/ckpt/a.pt /mnt/ckpt/b.pt')).toEqual({ mode: 'c', archive: '-', into: null, members: ['/mnt/ckpt/a.pt', '/mnt/ckpt/b.pt'] });
    expect(tar('tar -czvf /tmp/s.tgz -C /mnt/ckpt step-1 -C /data/ x /abs')).toEqual({ mode: 'c', archive: '/tmp/s.tgz', into: '/data/', members: ['/mnt/ckpt/step-1', '/data/x', '/abs'] });
    expect(tar('tar --create -C/mnt/ckpt -- -odd')).toEqual({ mode: 'c', archive: STDIO, into: '/mnt/ckpt', members: ['/mnt/ckpt/-odd'] });
    expect(tar('tar cfC - /srv a')).toEqual({ mode: 'c', archive: '-', into: '/srv', members: ['/srv/a'] });
    expect(tar('tar -tf k.tar')).toEqual({ mode: null, archive: 'k.tar', into: null, members: [] });
    expect(readTar(['tar', 'cf', '-', ...Array.from({ length: 100 }, (_, i) => `f${i}`)], 0).members).toHaveLength(64);
  });

  it('reads unzip, 7z and jar', () => {
    const cases: Array<[string, Unpack]> = [
      ['unzip a.zip', tree('a.zip', null)],
      ['unzip -oq a.zip -d /tmp/a', tree('a.zip', '/tmp/a')],
      ['unzip -P secret a.zip bin/x -d/tmp/a', tree('a.zip', '/tmp/a')],
      ['unzip a.zip -x skip', tree('a.zip', null)],
      ['unzip -p a.zip run.sh', file('a.zip', STDIO)],
      ['unzip -qc a.zip', file('a.zip', STDIO)],
      ['7z x /tmp/a.7z -o/tmp/a', tree('/tmp/a.7z', '/tmp/a')],
      ['7za e a.7z -y', tree('a.7z', null)],
      ['7z x -si -o/opt', tree(STDIO, '/opt')],
      ['jar xf t.jar', tree('t.jar', null)],
      ['jar xv', tree(STDIO, null)],
    ];
    for (const [line, want] of cases) expect(read(line), line).toEqual(want);
    for (const line of ['unzip -l', 'unzip -l a.zip', 'unzip -tq a.zip', 'unzip -Z a.zip', 'unzip -v a.zip', '7z l a.7z', '7z a a.7z /mnt/ckpt', 'jar cf t.jar x', 'jar']) expect(read(line), line).toBeNull();
  });

  it('reads stream decompressors: the name less its suffix, standard output with -c, a named output', () => {
    const cases: Array<[string, Unpack]> = [
      ['gunzip x.gz', file('x.gz', 'x')],
      ['gunzip -f /tmp/k.tgz', file('/tmp/k.tgz', '/tmp/k.tar')],
      ['gzip -d x.gz', file('x.gz', 'x')],
      ['gzip --decompress x.gz', file('x.gz', 'x')],
      ['xz -dk x.xz', file('x.xz', 'x')],
      ['unxz x.xz', file('x.xz', 'x')],
      ['bzip2 -d x.bz2', file('x.bz2', 'x')],
      ['zstd -d x.zst -o /tmp/x', file('x.zst', '/tmp/x')],
      ['gunzip -c x.gz', file('x.gz', STDIO)],
      ['xz -dc /tmp/x.xz', file('/tmp/x.xz', STDIO)],
      ['zcat x.gz', file('x.gz', STDIO)],
      ['gunzip', file(STDIO, STDIO)],
      ['pigz --decompress --stdout k.gz', file('k.gz', STDIO)],
    ];
    for (const [line, want] of cases) expect(read(line), line).toEqual(want);
    // Compressing, and a name with no suffix the tool strips.
    for (const line of ['gzip x', 'gzip -9 model.pt', 'xz -T0 x', 'gunzip x', 'gunzip .gz', 'zstd x']) expect(read(line), line).toBeNull();
    expect(read('cat x.gz')).toBeNull();
  });

  it('never throws on random words', () => {
    const r = mulberry32(7);
    const WORDS = ['tar', 'unzip', '7z', 'jar', 'gunzip', 'gzip', 'zstd', 'x', 'xzf', '-x', '-f', '-C', '--file', '--directory=', '-d', '-o', '-c', '-', '--', 'k.tgz', '', '-P', '-si', 'e', '-oX'];
    for (let n = 0; n < 3000; n++) {
      const words = Array.from({ length: 1 + Math.floor(r() * 7) }, () => WORDS[Math.floor(r() * WORDS.length)]!);
      const got = unpackOf(words, 0, words[0]!);
      if (got !== null) expect(typeof got.archive).toBe('string');
    }
  });
});
