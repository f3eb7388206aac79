/**
 * exec-patch-writes.ts: what `patch`, `git apply` and `git am` write, from their words alone (the
 * words after the tool, redirections already left out by the caller).
 */
import { describe, expect, it } from 'vitest';
import { patchedPaths } from './exec-patch-writes.js';

const args = (line: string): string[] => line.split(' ').filter((w) => w !== '');

describe('patchedPaths', () => {
  it('reads patch as GNU and BSD patch read their options', () => {
    const cases: Array<[string, string[]]> = [
      ['-p1', ['.']],
      ['-p 1 -d /srv/app', ['/srv/app']],
      ['-Rp1', ['.']],
      ['-Nd /srv/app -p1', ['/srv/app']],
      ['-Np1 -d/srv/app -i /tmp/x.diff', ['/srv/app']],
      ['--strip 1 --directory /srv/app', ['/srv/app']],
      ['--directory=/srv/app --input=/tmp/x.diff', ['/srv/app']],
      ['/srv/app/config.yaml /tmp/x.diff', ['/srv/app/config.yaml']],
      ['-i /tmp/x.diff /srv/app/config.yaml', ['/srv/app/config.yaml']],
      ['-B /tmp/bk/ -r /tmp/rej -z .orig -F 3 -V never -p1 /srv/app/a.py', ['/srv/app/a.py']],
      ['-o /srv/out.py /srv/in.py /tmp/x.diff', ['/srv/out.py']],
      ['--output=/srv/out.py /srv/in.py', ['/srv/out.py']],
      ['-- -weird-name', ['-weird-name']],
      ['-d', ['.']],
      // Nothing written: a dry run or BSD's check, output to standard output.
      ['--dry-run -p1', []],
      ['-Cp1', []],
      ['--check -p1', []],
      ['-o - /srv/in.py /tmp/x.diff', []],
    ];
    for (const [line, want] of cases) expect(patchedPaths(args(line), 'patch'), line).toEqual(want);
  });

  it('reads git apply and git am as writing the work tree, after git\'s own options', () => {
    const cases: Array<[string, string[]]> = [
      ['apply /tmp/x.patch', ['.']],
      ['-C /workspace/app apply -p1 /tmp/x.patch', ['/workspace/app']],
      ['-C /workspace -C app apply /tmp/x.patch', ['/workspace/app']],
      ['-c core.autocrlf=false --work-tree=/srv/app apply /tmp/x.patch', ['/srv/app']],
      ['apply --directory=src /tmp/x.patch', ['src']],
      ['-C /workspace/app apply --directory src --exclude tests/* /tmp/x.patch', ['/workspace/app/src']],
      ['-C /workspace/app apply --directory=/abs /tmp/x.patch', ['/abs']],
      ['am -3 /tmp/0001.patch', ['.']],
      ['apply --stat --apply /tmp/x.patch', ['.']],
      // Nothing written to the tree: reports, checks, the index only; other subcommands.
      ['apply --stat /tmp/x.patch', []],
      ['apply --numstat --summary /tmp/x.patch', []],
      ['apply --check /tmp/x.patch', []],
      ['apply --cached /tmp/x.patch', []],
      ['diff HEAD', []],
      ['-C /workspace/app status', []],
      ['', []],
    ];
    for (const [line, want] of cases) expect(patchedPaths(args(line), 'git'), line).toEqual(want);
  });

  it('reads no other tool', () => {
    expect(patchedPaths(args('-p1 -d /srv/app'), 'diff')).toEqual([]);
  });
});
