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

describe('HttpClient downloads written to a file: curl -o p URL', () => {
  const C = '$c = [System.Net.Http.HttpClient]::new(); ';
  const T = 'C:\\ProgramData\\svc.exe';
  const cases: Array<[string, string[]]> = [
    [`${C}[IO.File]::WriteAllBytes('${T}', $c.GetByteArrayAsync('${U}').Result)`, ['curl', '-o', T, U, '#HttpClient.GetByteArrayAsync']],
    [`${C}[IO.File]::WriteAllBytes('${T}', $c.GetByteArrayAsync('${U}').GetAwaiter().GetResult())`, ['curl', '-o', T, U, '#HttpClient.GetByteArrayAsync']],
    [`$u = '${U}'; $p = '/tmp/.k'; ${C}$b = $c.GetByteArrayAsync($u).Result; [System.IO.File]::WriteAllBytes($p, $b)`, ['curl', '-o', '/tmp/.k', U, '#HttpClient.GetByteArrayAsync']],
    [`${C}[IO.File]::WriteAllText("/tmp/x.ps1", $c.GetStringAsync("${U}").Result); & /tmp/x.ps1`, ['curl', '-o', '/tmp/x.ps1', U, '#HttpClient.GetStringAsync']],
    [`[IO.File]::WriteAllBytes('/tmp/t', (New-Object System.Net.Http.HttpClient).GetByteArrayAsync('${U}').Result)`, ['curl', '-o', '/tmp/t', U, '#HttpClient.GetByteArrayAsync']],
    [`${C}$fs = [IO.File]::Create('/tmp/t'); $c.GetStreamAsync('${U}').Result.CopyTo($fs); $fs.Close()`, ['curl', '-o', '/tmp/t', U, '#HttpClient.GetStreamAsync']],
    [`${C}$fs = New-Object IO.FileStream('/tmp/t', [IO.FileMode]::Create); $c.GetAsync('${U}').Result.Content.CopyToAsync($fs).Wait()`, ['curl', '-o', '/tmp/t', U, '#HttpClient.GetAsync']],
    [`${C}$s = $c.GetStreamAsync('${U}').GetAwaiter().GetResult(); $fs = [IO.File]::OpenWrite('/tmp/t'); $s.CopyTo($fs)`, ['curl', '-o', '/tmp/t', U, '#HttpClient.GetStreamAsync']],
  ];
  for (const [code, argv] of cases) {
    it(code, () => {
      expect(http(code)).toEqual([argv]);
      expect(read(code).runs.find((r) => r.argv?.includes(argv[argv.length - 1]!))).toMatchObject({ how: 0, direct: true });
    });
  }

  it('a path not spelled is HOLE; a saved fetch is read once, another fetch of the same URL still read', () => {
    expect(http(`${C}[IO.File]::WriteAllBytes($env:P, $c.GetByteArrayAsync('${U}').Result)`)).toEqual([['curl', '-o', HOLE, U, '#HttpClient.GetByteArrayAsync']]);
    expect(http(`${C}[IO.File]::WriteAllBytes($env:TEMP + '\\a.exe', $c.GetByteArrayAsync($u).Result)`)).toEqual([['curl', '-o', `${HOLE}\\a.exe`, HOLE, '#HttpClient.GetByteArrayAsync']]);
    expect(http(`${C}[IO.File]::WriteAllBytes('/tmp/a', $c.GetByteArrayAsync('${U}').Result); $c.GetByteArrayAsync('${U}').Result`)).toEqual([
      ['curl', '-o', '/tmp/a', U, '#HttpClient.GetByteArrayAsync'], ['curl', U, '#HttpClient.GetByteArrayAsync'],
    ]);
    expect(http(`${C}$b = $c.GetByteArrayAsync('${U}').Result; [IO.File]::WriteAllBytes('/tmp/a', $b); [IO.File]::WriteAllBytes('/tmp/b', $b)`)).toEqual([
      ['curl', '-o', '/tmp/a', U, '#HttpClient.GetByteArrayAsync'], ['curl', '-o', '/tmp/b', U, '#HttpClient.GetByteArrayAsync'],
    ]);
  });

  for (const code of [
    `[IO.File]::WriteAllBytes('/tmp/a', $x.GetByteArrayAsync('${U}').Result)`, // no HttpClient known
    `${C}[IO.File]::WriteAllBytes('/tmp/a', [Text.Encoding]::UTF8.GetBytes('x'))`,
    `${C}[IO.File]::WriteAllBytes('/tmp/a', [IO.File]::ReadAllBytes('${P}'))`,
    `${C}$b = $c.GetByteArrayAsync('${U}').Result; $b = @(); [IO.File]::WriteAllBytes('/tmp/a', $b)`, // assigned twice
    `${C}[IO.Path]::WriteAllBytes('/tmp/a', $c.GetByteArrayAsync('${U}').Result)`, // not IO.File
    `${C}$ms = [IO.MemoryStream]::new(); $c.GetStreamAsync('${U}').Result.CopyTo($ms)`, // a stream to no file
    `${C}$fs = [IO.File]::OpenRead('${P}'); $c.GetStreamAsync('${U}').Result.CopyTo($fs)`, // a stream that reads
  ]) it(`no download saved: ${code}`, () => expect(http(code).filter((a) => a[1] === '-o')).toEqual([]));

  it('a download to no file stays `curl URL`; a write of other data reads nothing', () => {
    expect(http(`${C}$b = $c.GetByteArrayAsync('${U}').Result; $b.Length`)).toEqual([['curl', U, '#HttpClient.GetByteArrayAsync']]);
    expect(http(`${C}$ms = [IO.MemoryStream]::new(); $c.GetStreamAsync('${U}').Result.CopyTo($ms)`)).toEqual([['curl', U, '#HttpClient.GetStreamAsync']]);
    expect(read(`[IO.File]::WriteAllText('/tmp/a', 'hello')`).runs).toEqual([]);
  });

  it('hostile shapes: no throw, bounded, fast', () => {
    const t0 = Date.now();
    for (const code of [
      `${C}${"[IO.File]::WriteAllBytes('p', $c.GetByteArrayAsync('u').Result); ".repeat(300)}`,
      `${C}${"[IO.File]::WriteAllBytes('p', $c.GetByteArrayAsync((".repeat(500)}`,
      `${C}[IO.File]::WriteAllBytes('p', $c.GetByteArrayAsync('u')${'.Result'.repeat(2000)})`,
      `${C}${"$b = $c.GetByteArrayAsync('u').Result; [IO.File]::WriteAllBytes($b, $b); ".repeat(200)}`,
      `${C}${'$s = $c.GetStreamAsync($s).Result; $s.CopyTo($s); '.repeat(200)}`,
      `${C}$c.GetStreamAsync('u').Result.CopyTo(${'[IO.File]::Create('.repeat(800)}`,
      `${C}${'[IO.File]::WriteAllBytes(u, $c.GetByteArrayAsync(u'.repeat(400)}`,
      `${C}${"[IO.File]::WriteAllBytes('p', $c.GetByteArrayAsync('u' + $x".repeat(20)}${"$i).Result); ".repeat(20)}`,
    ]) {
      const r = read(code);
      expect(r.runs.length).toBeLessThanOrEqual(32);
    }
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describe('HttpClient bodies written by Set-Content / Out-File, and GetAsync content read: curl -o p URL', () => {
  const C = '$c = [System.Net.Http.HttpClient]::new(); ';
  const B = `${C}$b = $c.GetByteArrayAsync('${U}').Result; `;
  const S = `${C}$s = $c.GetStringAsync('${U}').Result; `;
  const bytes = ['curl', '-o', '/tmp/k', U, '#HttpClient.GetByteArrayAsync'];
  const text = ['curl', '-o', '/tmp/k', U, '#HttpClient.GetStringAsync'];
  const got = ['curl', '-o', '/tmp/k', U, '#HttpClient.GetAsync'];
  const cases: Array<[string, string[]]> = [
    [`${B}Set-Content -Path /tmp/k -Value $b -AsByteStream`, bytes],
    [`${B}Set-Content -Path '/tmp/k' -Value $b -Encoding Byte`, bytes],
    [`${B}Set-Content /tmp/k $b -AsByteStream`, bytes],
    [`$p = '/tmp/k'; ${B}Set-Content -LiteralPath $p -Value $b -Force`, bytes],
    [`${B}set-content -pa /tmp/k -val $b -asbytestream`, bytes],
    [`${B}$b | Set-Content /tmp/k -AsByteStream`, bytes],
    [`${S}$s | Out-File /tmp/k`, text],
    [`${S}$s | Out-File -FilePath /tmp/k -Encoding ascii`, text],
    [`${S}Out-File -FilePath "/tmp/k" -InputObject $s`, text],
    [`${S}$s | Set-Content /tmp/k`, text],
    [`${C}$c.GetStringAsync('${U}').Result | Out-File /tmp/k`, text],
    [`${C}Set-Content -Path /tmp/k -Value $c.GetByteArrayAsync('${U}').Result -AsByteStream`, bytes],
    [`${C}[IO.File]::WriteAllBytes('/tmp/k', $c.GetAsync('${U}').Result.Content.ReadAsByteArrayAsync().Result)`, got],
    [`${C}$b = $c.GetAsync('${U}').GetAwaiter().GetResult().Content.ReadAsByteArrayAsync().Result; [IO.File]::WriteAllBytes('/tmp/k', $b)`, got],
    [`${C}$t = $c.GetAsync('${U}').Result.Content.ReadAsStringAsync().Result; $t | Out-File /tmp/k`, got],
  ];
  for (const [code, argv] of cases) {
    it(code, () => {
      expect(http(code)).toEqual([argv]);
      expect(read(code).runs.find((r) => r.argv?.includes(argv[argv.length - 1]!))).toMatchObject({ how: 0, direct: true });
    });
  }

  it('a path not spelled is HOLE; a body written twice is two saves', () => {
    expect(http(`${B}Set-Content -Path $env:P -Value $b -AsByteStream`)).toEqual([['curl', '-o', HOLE, U, '#HttpClient.GetByteArrayAsync']]);
    expect(http(`${B}$b | Set-Content /tmp/k -AsByteStream; Set-Content /tmp/l $b`)).toEqual([bytes, ['curl', '-o', '/tmp/l', U, '#HttpClient.GetByteArrayAsync']]);
  });

  for (const code of [
    `${B}Set-Content -Path /tmp/k -Value 'hello'`, // other data
    `${B}$b.Length | Out-File /tmp/k`,
    `${B}Set-Content -Path /tmp/k -Value $x -AsByteStream`, // no body known
    `${B}$b = @(); Set-Content /tmp/k $b`, // assigned twice
    `${B}Add-Content /tmp/k $b; Write-Output $b | Out-Null`, // cmdlets that are not read as writes
    `${B}$b; Set-Content /tmp/k 'x'`, // not piped
    `${B}Set-Content -Path /tmp/k -Value:$b`,
    `${C}$r = $c.GetAsync('${U}').Result; [IO.File]::WriteAllText('/tmp/k', $c.GetAsync('${U}').Result)`, // a response, not its content
    `${C}[IO.File]::WriteAllBytes('/tmp/k', $c.GetAsync('${U}').Result.Content.Headers.ToString())`,
  ]) it(`no download saved: ${code}`, () => expect(http(code).filter((a) => a[1] === '-o')).toEqual([]));

  it('look-alikes keep their readings: a body not written stays `curl URL`, a response read on in place is one download', () => {
    expect(http(`${B}Set-Content -Path /tmp/k -Value 'hello'`)).toEqual([['curl', U, '#HttpClient.GetByteArrayAsync']]);
    expect(http(`${C}$c.GetAsync('${U}').Result.Content.ReadAsStringAsync().Result | Write-Host`)).toEqual([['curl', U, '#HttpClient.GetAsync']]);
  });

  it('hostile shapes: no throw, bounded, fast', () => {
    const t0 = Date.now();
    for (const code of [
      `${B}${'$b | Set-Content /tmp/k; '.repeat(300)}`,
      `${B}Set-Content ${'-Path -Value '.repeat(2000)}$b`,
      `${B}${'Out-File /tmp/k -InputObject $b '.repeat(300)}`,
      `${C}[IO.File]::WriteAllBytes('p', $c.GetAsync('u')${'.Result.Content.ReadAsByteArrayAsync()'.repeat(800)}.Result)`,
      `${C}${"$b = $c.GetAsync('u').Result.Content.ReadAsByteArrayAsync((".repeat(500)}`,
    ]) expect(read(code).runs.length).toBeLessThanOrEqual(32);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
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
