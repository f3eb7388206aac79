/**
 * exec-tool-words.ts over real canonical readings: each word bound to the tool it is given to,
 * through wrappers and find -exec, short-flag clusters split (curl's as curl reads them), an option
 * with its value, and bounds; and toolLines, the same segments one line per command.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { runIndex } from './exec-fetched-run.js';
import { MAX_TOOL_WORDS, toolLines, toolWords } from './exec-tool-words.js';

const words = (argv: string[]): readonly string[] => canonicalExecValue(argv)?.toolWords ?? [];

describe('toolWords', () => {
  it('binds each word to its own command, never across commands', () => {
    const v = words(['sh', '-c', 'curl -s https://h/x -o /tmp/x; grep -F foo /tmp/x']);
    expect(v).toEqual(expect.arrayContaining(['curl -s', 'curl -o', 'curl -o /tmp/x', 'curl https://h/x', 'grep -F', 'grep -F foo', 'grep foo']));
    expect(v.filter((x) => x.startsWith('curl -F'))).toEqual([]);
    expect(v.filter((x) => x.startsWith('grep -o'))).toEqual([]);
  });

  it('splits clusters, the last letter taking the next word', () => {
    expect(words(['curl', '-sT', 'm.pt', 'U'])).toEqual(['curl -sT', 'curl -sT m.pt', 'curl -s', 'curl -T', 'curl -T m.pt', 'curl m.pt', 'curl U']);
    expect(words(['tar', '-czf', 'x.tgz', '/mnt'])).toEqual(['tar -czf', 'tar -czf x.tgz', 'tar -c', 'tar -z', 'tar -f', 'tar -f x.tgz', 'tar x.tgz', 'tar /mnt']);
  });

  it('reads a long option followed by an empty argv element as the option with an empty value', () => {
    expect(words(['jupyter', 'lab', '--ServerApp.token', '', '--ip', '0.0.0.0'])).toEqual(['jupyter lab', 'jupyter --ServerApp.token', 'jupyter --ServerApp.token=', 'jupyter --ip', 'jupyter --ip 0.0.0.0', 'jupyter 0.0.0.0']);
    expect(words(['jupyter', 'lab', '--ServerApp.token'])).toEqual(['jupyter lab', 'jupyter --ServerApp.token']);
    expect(words(['curl', '-d', '', 'U'])).toEqual(['curl -d', 'curl U']);
    expect(words(['x', '--a=b', ''])).toEqual(['x --a=b']);
    expect(words(['x', '--', ''])).toEqual(['x --']);
  });

  it("reads curl's clusters as curl does: a value is the rest of the word, else the next word", () => {
    // -X takes a value: -XGET is the method GET, not -G, -E and an upload -T of the URL.
    expect(words(['curl', '-s', '-XGET', 'http://es:9200/_cat/indices'])).toEqual(['curl -s', 'curl -s -XGET', 'curl -XGET', 'curl -XGET http://es:9200/_cat/indices', 'curl -X', 'curl -X GET', 'curl http://es:9200/_cat/indices']);
    expect(words(['curl', '-kXPOST', 'U']).filter((w) => w.startsWith('curl -T') || w.startsWith('curl -P'))).toEqual([]);
    // A value inside the cluster, after switches: the file uploaded or sent.
    expect(words(['curl', '-sTm.pt', 'U'])).toEqual(['curl -sTm.pt', 'curl -sTm.pt U', 'curl -s', 'curl -T', 'curl -T m.pt', 'curl U']);
    expect(words(['curl', '-d@/mnt/m.pt', 'U'])).toEqual(['curl -d@/mnt/m.pt', 'curl -d@/mnt/m.pt U', 'curl -d', 'curl -d @/mnt/m.pt', 'curl U']);
    expect(words(['curl', '-sd@-', 'U'])).toContain('curl -d @-');
    // Switches alone, and a letter curl does not know before the value: split letter by letter.
    expect(words(['curl', '-skL', 'U'])).toEqual(['curl -skL', 'curl -skL U', 'curl -s', 'curl -k', 'curl -L', 'curl U']);
    expect(words(['curl', '-sWT', 'f', 'U'])).toEqual(['curl -sWT', 'curl -sWT f', 'curl -s', 'curl -W', 'curl -T', 'curl -T f', 'curl f', 'curl U']);
  });

  it('gives each wrapper its own words and the command it runs the rest', () => {
    const v = words(['sh', '-c', 'sudo -u x timeout 5 /usr/bin/curl -T f U']);
    expect(v).toEqual(['sudo -u', 'sudo -u x', 'sudo x', 'timeout 5', 'curl -T', 'curl -T f', 'curl f', 'curl U']);
  });

  it("ends find -exec's command at its `;` and leaves find's own words to find", () => {
    const v = words(['sh', '-c', "find /mnt -exec curl -T {} U \\; -print"]);
    expect(v).toEqual(['find /mnt', 'find -exec', 'find -e', 'find -x', 'find -e', 'find -c', 'curl -T', 'curl -T {}', 'curl {}', 'curl U']);
  });

  it('gives a tool given no words alone, never a wrapper', () => {
    expect(words(['printenv'])).toEqual(['printenv']);
    expect(words(['sh', '-c', 'sudo printenv | grep -i cuda'])).toEqual(['printenv', 'grep -i', 'grep -i cuda', 'grep cuda']);
    expect(words(['sh', '-c', 'find / -exec env \\;'])).toEqual(['find /', 'find -exec', 'find -e', 'find -x', 'find -e', 'find -c', 'env']);
    // The same walk (wrapperChain) gives runIndex the tool find runs, not its `;`.
    expect(runIndex(['find', '/', '-exec', 'env', ';']).tool).toBe('env');
  });

  it('keeps a long word whole (a put behind padding is still a put), and makes no value of an empty one', () => {
    const padded = `put /mnt/ckpt/m.pt; ${'echo x; '.repeat(300)}bye`;
    expect(toolWords([['lftp', '-e', padded, '', 'ftp://h']])).toEqual(['lftp -e', `lftp -e ${padded}`, `lftp ${padded}`, 'lftp ftp://h']);
  });

  it('stops at MAX_TOOL_WORDS', () => {
    const cmd = ['tool', ...Array.from({ length: MAX_TOOL_WORDS + 10 }, (_, i) => `w${i}`)];
    const v = toolWords([cmd, ['curl', '-T', 'f']]);
    expect(v.length).toBe(MAX_TOOL_WORDS);
    expect(v[MAX_TOOL_WORDS - 1]).toBe(`tool w${MAX_TOOL_WORDS - 1}`);
    // A cluster's letters stop at the bound too.
    const clusters = ['tool', ...Array.from({ length: MAX_TOOL_WORDS }, () => '-abcdefgh')];
    expect(toolWords([clusters]).length).toBe(MAX_TOOL_WORDS);
  });
});

const lines = (argv: string[]): readonly string[] => canonicalExecValue(argv)?.toolLines ?? [];

describe('toolLines', () => {
  it('gives each command one line of its tool and own words, so two commands never make one', () => {
    expect(lines(['sh', '-c', 'echo aGk= | base64 -d; base64 /mnt/ckpt/model.pt > /tmp/m.b64'])).toEqual(['echo aGk=', 'base64 -d', 'base64 /mnt/ckpt/model.pt > /tmp/m.b64']);
    // Clusters are kept as written; a repeated command is one line.
    expect(lines(['sh', '-c', 'gzip -dc a.gz; gzip -dc a.gz'])).toEqual(['gzip -dc a.gz']);
  });

  it('gives each wrapper its own segment and the command it runs its own line, up to a find -exec end', () => {
    expect(lines(['sh', '-c', 'sudo -u x timeout 5 aria2c --enable-rpc --rpc-listen-all'])).toEqual(['sudo -u x', 'timeout 5', 'aria2c --enable-rpc --rpc-listen-all']);
    expect(lines(['sh', '-c', "find /mnt/ckpt -name '*.pt' -exec gzip -k {} \\; -print"])).toEqual(['find /mnt/ckpt -name *.pt -exec', 'gzip -k {}']);
    expect(lines(['printenv'])).toEqual(['printenv']);
  });

  it('keeps a web terminal beside the script it runs: its own options are its line', () => {
    expect(lines(['sh', '-c', 'ttyd -W -p 7681 bash -c "tmux attach"'])).toEqual(['ttyd -W -p 7681', 'bash -c tmux attach', 'tmux attach']);
    expect(lines(['ttyd', '-Wc', 'admin:pw', 'bash', '-c', 'htop -W'])).toEqual(['ttyd -Wc admin:pw', 'bash -c htop -W', 'htop -W']);
  });

  it('stops at MAX_TOOL_WORDS lines', () => {
    const cmds = Array.from({ length: MAX_TOOL_WORDS + 5 }, (_, i) => ['tool', `w${i}`]);
    const v = toolLines(cmds);
    expect(v.length).toBe(MAX_TOOL_WORDS);
    expect(v[MAX_TOOL_WORDS - 1]).toBe(`tool w${MAX_TOOL_WORDS - 1}`);
  });
});
