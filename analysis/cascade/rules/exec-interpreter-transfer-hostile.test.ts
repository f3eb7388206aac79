/**
 * Hostile shapes against the library-transfer readings added for HttpClient, got, the AWS SDK,
 * LWP::Simple / Mojo / Mechanize, Ruby calls without parentheses and Faraday blocks and file parts,
 * smtplib, Node's FormData and renamed imports (exec-interpreter-dotnet-http.ts,
 * exec-interpreter-transfer-{js,js-s3,js-form,js-imports,perl,ruby,mail}.ts): deep
 * nesting, many calls, cycles of names, unclosed groups. No throw, no hang, bounds hold.
 */
import { describe, expect, it } from 'vitest';
import { readInterpreter } from './exec-interpreter.js';

const TOOLS = [['python3', '-c'], ['perl', '-e'], ['ruby', '-e'], ['node', '-e'], ['pwsh', '-c']] as const;
const SHAPES = [
  `$c = [Net.Http.HttpClient]::new(); ${"$c.PutAsync('u', (".repeat(600)}`,
  `$c = [Net.Http.HttpClient]::new(); $c.PutAsync('u', ${'(New-Object Net.Http.StreamContent('.repeat(500)}[IO.File]::OpenRead('p')`,
  `$f = [Net.Http.MultipartFormDataContent]::new(); ${'$f.Add([Net.Http.StreamContent]::new($f), $f); '.repeat(200)}`,
  `$r = [Net.Http.HttpRequestMessage]::new(); ${'$r.Content = $r; $r.Method = $r; '.repeat(200)}[Net.Http.HttpClient]::new().SendAsync($r)`,
  `${'$a = New-Object Net.Http.HttpClient; $a.GetAsync($a); '.repeat(150)}`,
  `${'[Net.Http.HttpClient]::new().PostAsync('.repeat(400)}`,
  `${"[scriptblock]::Create('".repeat(300)}`,
  `${'got('.repeat(1000)}u, {body: fs.readFileSync(p)}`,
  `${'client.send(new PutObjectCommand({Body: '.repeat(600)}fs.createReadStream(p)`,
  `${'pipeline(fs.createReadStream(p), '.repeat(600)}got.stream.put(u)`,
  `a = new PutObjectCommand(b); b = new PutObjectCommand(a); ${'s.send(a); '.repeat(300)}`,
  `${'new Upload({params: '.repeat(500)}{Body: fs.readFileSync(p)}`,
  `${"Mojo::UserAgent->new->post($u => form => {f => ".repeat(400)}{file => $p}`,
  `${'get('.repeat(1500)}"http://x"`,
  `use LWP::Simple; ${"getstore('http://x', '/tmp/t'); ".repeat(300)}`,
  `my $m = WWW::Mechanize->new; ${'$m->submit_form(with_fields => {f => ['.repeat(400)}$p`,
  `${'x.post '.repeat(1500)}File.read(p)`,
  `${'Net::HTTP.post URI(u), '.repeat(500)}File.read(p)`,
  `${"Faraday.put('u') do |r| r.body = ".repeat(500)}File.read(p)`,
  `${"Faraday.put('u') { |r| ".repeat(500)}r.body = File.read(p)`,
  `${'http.request req if '.repeat(800)}x`,
  `import smtplib\n${"m.add_attachment(open(p, 'rb').read())\n".repeat(300)}${"smtplib.SMTP('h').send_message(m)\n".repeat(300)}`,
  `import smtplib\n${"m['To'] = ".repeat(800)}'x'\nsmtplib.SMTP(h).sendmail(a, b, c)`,
  `import smtplib\n${'MIMEApplication('.repeat(1500)}`,
  `const f = new FormData(); ${"f.append('file', fs.createReadStream(p)); ".repeat(500)}${'axios.post(u, f); '.repeat(200)}`,
  `${'const f = new FormData(); axios.post(u, f); '.repeat(300)}`,
  `const f = new FormData(); ${"f.append('w', new Blob([".repeat(600)}fs.readFileSync(p)`,
  `const f = new FormData(); const b = new Blob([f]); f.append('x', b); f.append('y', f); fetch(u, {body: f}); f.pipe(f); f.submit(f)`,
  `${"import { a as b } from 'got'; ".repeat(300)}b.put(u, {body: fs.readFileSync(p)})`,
  `${'const { request: r } = '.repeat(500)}require('https')`,
  `${'const { a: { b: '.repeat(400)}c } } = require('https')`,
  `import ${'{ '.repeat(800)}x from 'got'`,
  `${'const { x: a } = b; const { x: b } = a; '.repeat(100)}a.put(u)`,
  `${"part = Faraday::UploadIO.new(p, 'x')\n".repeat(200)}Faraday.post(u, {file: part})`,
  `${'Faraday.new(url: u) { |f| '.repeat(500)}`,
  `payload = {file: payload}; ${'Faraday.post(u, payload); '.repeat(300)}`,
];

describe('hostile shapes against the library-transfer readings', () => {
  it('never throw, stay bounded and fast', () => {
    const start = Date.now();
    let slowest = 0;
    for (const code of SHAPES) {
      for (const [tool, flag] of TOOLS) {
        const t0 = Date.now();
        const r = readInterpreter([tool, flag, code], 0);
        slowest = Math.max(slowest, Date.now() - t0);
        expect(r).not.toBeNull();
        expect(r!.runs.length).toBeLessThanOrEqual(32);
        expect(r!.kinds & ~7).toBe(0);
      }
    }
    // A hang guard, not a speed test (test files run side by side on two cores).
    expect(slowest).toBeLessThan(2_000);
    expect(Date.now() - start).toBeLessThan(15_000);
  });
});
