/**
 * `attrs.exec.restamps` (exec-restamps.ts) through the real reading (exec-canonical.ts): the files
 * an exec gives a time of its choosing.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExec } from './exec-canonical.js';

const restamps = (line: string): readonly string[] => canonicalExec(['sh', '-c', line]).restamps;

describe('restamps: files set to a chosen time', () => {
  it('reads touch given a reference file, a date or a stamp, in every option form', () => {
    expect(restamps('touch -r /mnt/ckpt/old.pt /mnt/ckpt/model.pt')).toEqual(['touch /mnt/ckpt/model.pt']);
    expect(restamps('touch --reference=/mnt/ckpt/old.pt /mnt/ckpt/a.pt /mnt/ckpt/b.pt')).toEqual(['touch /mnt/ckpt/a.pt', 'touch /mnt/ckpt/b.pt']);
    expect(restamps('touch -d "2024-01-01 00:00" m.safetensors')).toEqual(['touch m.safetensors']);
    expect(restamps('touch --date=yesterday -m m.pt')).toEqual(['touch m.pt']);
    expect(restamps('touch -mt 202401010000 m.pt')).toEqual(['touch m.pt']);
    expect(restamps('touch -cr ref m.pt')).toEqual(['touch m.pt']);
    expect(restamps('sudo touch -t 202401010000 -- -odd.pt')).toEqual(['touch -odd.pt']);
  });

  it('places files against the cd, and reads what a loop, a find -exec or an xargs hands touch', () => {
    expect(restamps('cd /mnt/ckpt && touch -r step_900/model.pt step_1000/model.pt')).toEqual(['touch /mnt/ckpt/step_1000/model.pt']);
    expect(restamps('cd /mnt/ckpt; touch -r x ~/m.pt')).toEqual(['touch ~/m.pt']);
    expect(restamps('for f in /mnt/ckpt/*.pt; do touch -r /tmp/ref "$f"; done')).toEqual(['touch /mnt/ckpt/*.pt']);
    expect(restamps("find /mnt/ckpt -name '*.pt' -exec touch -r /tmp/ref {} +")).toEqual(['touch /mnt/ckpt/*.pt']);
    expect(restamps('ls /mnt/ckpt/*.pt | xargs touch -d 2024-01-01')).toEqual(['touch /mnt/ckpt/*.pt']);
  });

  it('gives nothing where touch sets the time to now, or only says which time', () => {
    for (const line of ['touch /mnt/ckpt/.done', 'touch -a /mnt/ckpt/model.pt', 'touch -c -m m.pt', 'touch --time=atime m.pt', 'touch --help', 'echo touch -r a b'])
      expect(restamps(line), line).toEqual([]);
  });
});
