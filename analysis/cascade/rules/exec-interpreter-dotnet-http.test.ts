/**
 * System.Net.Http in PowerShell text (exec-interpreter-dotnet-http.ts): HttpClient uploads read as
 * curl runs (`-T` for a file's content, `-F` for a form's file, `--data-raw` for other content),
 * downloads as `curl URL`, objects followed through variables, receivers that are no HttpClient
 * read nothing; script blocks' bodies and `[scriptblock]::Create` text are read as code.
 */
import { describe, expect, it } from 'vitest';
import { readInterpreter, type InterpreterReading } from './exec-interpreter.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_LITERAL, INDIRECT_RUNTIME } from './exec-readings.js';

const P = '/ckpt/m.pt';
const U = 'https://h/u';
const read = (code: string): InterpreterReading => readInterpreter(['pwsh', '-c', code], 0)!;
/** The runs that name an HttpClient call. */
const http = (code: string): string[][] => read(code).runs.map((r) => [...(r.argv ?? [])]).filter((a) => a[a.length - 1]!.startsWith('#HttpClient.'));

describe('HttpClient uploads', () => {
  const cases: Array<[string, string[]]> = [
    [`$c = New-Object System.Net.Http.HttpClient; $b = New-Object System.Net.Http.StreamContent([IO.File]::OpenRead('${P}')); $c.PutAsync('${U}', $b).Result`, ['curl', '-X', 'PUT', '-T', P, U, '#HttpClient.PutAsync']],
    [`[System.Net.Http.HttpClient]::new().PostAsync("${U}", [System.Net.Http.ByteArrayContent]::new([System.IO.File]::ReadAllBytes("${P}"))).Wait()`, ['curl', '-X', 'POST', '-T', P, U, '#HttpClient.PostAsync']],
    [`$p = '${P}'; $fs = [IO.File]::OpenRead($p); $c = [Net.Http.HttpClient]::new(); $c.PatchAsync('${U}', [Net.Http.StreamContent]::new($fs))`, ['curl', '-X', 'PATCH', '-T', P, U, '#HttpClient.PatchAsync']],
    [`$fs = New-Object IO.FileStream('${P}', [IO.FileMode]::Open); $c = New-Object -TypeName System.Net.Http.HttpClient; $c.PutAsync([uri]'${U}', (New-Object Net.Http.StreamContent($fs)))`, ['curl', '-X', 'PUT', '-T', P, U, '#HttpClient.PutAsync']],
    [`$c = [Net.Http.HttpClient]::new(); $c.PostAsync('${U}', [Net.Http.ByteArrayContent]::new((Get-Content ${P} -Raw -AsByteStream)))`, ['curl', '-X', 'POST', '-T', P, U, '#HttpClient.PostAsync']],
    [`using namespace System.Net.Http\n$c = [HttpClient]::new()\n$c.PutAsync('${U}', [StreamContent]::new([IO.File]::OpenRead('${P}'))).Result`, ['curl', '-X', 'PUT', '-T', P, U, '#HttpClient.PutAsync']],
    [`$c = [Net.Http.HttpClient]::new(); $f = New-Object System.Net.Http.MultipartFormDataContent; $s = New-Object System.Net.Http.StreamContent([IO.File]::OpenRead('${P}')); $f.Add($s, 'model', 'm.pt'); $c.PostAsync('${U}', $f).Result`, ['curl', '-X', 'POST', '-F', `model=@${P}`, U, '#HttpClient.PostAsync']],
    [`$c = New-Object Net.Http.HttpClient; $r = New-Object System.Net.Http.HttpRequestMessage([System.Net.Http.HttpMethod]::Put, '${U}'); $r.Content = [Net.Http.StreamContent]::new([IO.File]::OpenRead('${P}')); $c.SendAsync($r).Result`, ['curl', '-X', 'PUT', '-T', P, U, '#HttpClient.SendAsync']],
    [`$c = New-Object Net.Http.HttpClient; $r = [Net.Http.HttpRequestMessage]::new(); $r.Method = 'POST'; $r.RequestUri = '${U}'; $r.Content = [Net.Http.ByteArrayContent]::new([IO.File]::ReadAllBytes('${P}')); $c.Send($r)`, ['curl', '-X', 'POST', '-T', P, U, '#HttpClient.Send']],
    [`$c = New-Object Net.Http.HttpClient; $c.PostAsync('${U}', [Net.Http.StringContent]::new('a=1'))`, ['curl', '-X', 'POST', '--data-raw', 'a=1', U, '#HttpClient.PostAsync']],
  ];
  for (const [code, argv] of cases) {
    it(code, () => {
      expect(http(code)).toEqual([argv]);
      expect(read(code).runs.find((r) => r.argv?.includes(argv[argv.length - 1]!))).toMatchObject({ how: 0, direct: true });
    });
  }

  it('content known only at run time: its data is HOLE', () => {
    expect(http(`$c = [Net.Http.HttpClient]::new(); $c.PutAsync($env:U, $content)`)).toEqual([['curl', '-X', 'PUT', '--data-raw', HOLE, HOLE, '#HttpClient.PutAsync']]);
  });
  it('a form with no file part, a FileStream opened to write: no file read', () => {
    expect(http(`$c = [Net.Http.HttpClient]::new(); $f = [Net.Http.MultipartFormDataContent]::new(); $f.Add([Net.Http.StringContent]::new('1'), 'step'); $c.PostAsync('${U}', $f)`)).toEqual([['curl', '-X', 'POST', '--data-raw', HOLE, U, '#HttpClient.PostAsync']]);
    expect(http(`$fs = New-Object IO.FileStream('${P}', 'Create'); $c = [Net.Http.HttpClient]::new(); $c.PutAsync('${U}', [Net.Http.StreamContent]::new($fs))`)).toEqual([['curl', '-X', 'PUT', '--data-raw', HOLE, U, '#HttpClient.PutAsync']]);
  });
});

describe('HttpClient downloads and what is not read', () => {
  it('GET calls are downloads: curl URL', () => {
    expect(http(`(New-Object System.Net.Http.HttpClient).GetStringAsync('${U}').Result`)).toEqual([['curl', U, '#HttpClient.GetStringAsync']]);
    expect(http(`$c = [Net.Http.HttpClient]::new(); $b = $c.GetByteArrayAsync('${U}').Result`)).toEqual([['curl', U, '#HttpClient.GetByteArrayAsync']]);
  });
  for (const code of [
    `$x.PostAsync('${U}', [Net.Http.StreamContent]::new([IO.File]::OpenRead('${P}')))`, // no HttpClient known
    `$q = [Collections.Queue]::new(); $q.PutAsync('${U}', [IO.File]::OpenRead('${P}'))`,
    `$c = [Net.Http.HttpClient]::new(); $c = $other; $c.PutAsync('${U}', [Net.Http.StreamContent]::new([IO.File]::OpenRead('${P}')))`, // assigned twice
    `[Net.Http.HttpClient]::new().Dispose()`,
  ]) it(code, () => expect(http(code)).toEqual([]));
});

describe('script blocks', () => {
  it('the bodies of Start-Job, Invoke-Command and & { } are read as code', () => {
    for (const code of [`Start-Job -ScriptBlock { curl.exe -T ${P} ${U} }`, `Invoke-Command -ScriptBlock { curl.exe -T ${P} ${U} } -ComputerName x`, `& { curl.exe -T ${P} ${U} }`]) {
      expect(read(code).runs.map((r) => r.argv), code).toContainEqual(['curl', '-T', P, U]);
    }
  });
  it('[scriptblock]::Create(text): text read as Invoke-Expression reads it', () => {
    const r = read(`$sb = [ScriptBlock]::Create('curl -T ${P} ${U}'); Start-Job -ScriptBlock $sb`);
    expect(r.runs.map((x) => x.argv)).toContainEqual(['curl', '-T', P, U]);
    expect(r.kinds & INDIRECT_LITERAL).toBe(INDIRECT_LITERAL);
    expect(read('[System.Management.Automation.ScriptBlock]::Create($env:X).Invoke()')).toMatchObject({ runs: [], kinds: INDIRECT_RUNTIME });
  });
});
