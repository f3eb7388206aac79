/**
 * Ruby library transfers read as runs (exec-interpreter-transfer-ruby.ts): Net::HTTP (class
 * methods, sessions, block parameters, request objects), Faraday (request blocks too), RestClient,
 * aws-sdk-s3, with or without parentheses; downloads as downloads; other receivers read nothing.
 */
import { describe, expect, it } from 'vitest';
import { readCode } from './exec-interpreter.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

const argvs = (code: string): string[][] => readCode(code, 'ruby').runs.map((r) => [...(r.argv ?? [])]);
const P = '/ckpt/m.pt';
const U = 'https://h/u';

describe('Ruby uploads', () => {
  const cases: Array<[string, string[]]> = [
    [`require 'net/http'; Net::HTTP.post(URI('${U}'), File.read('${P}'))`, ['curl', '-X', 'POST', '-T', P, U, '#Net::HTTP.post']],
    [`Net::HTTP.put(URI.parse('${U}'), File.binread('${P}'), {'Content-Type' => 'x'})`, ['curl', '-X', 'PUT', '-T', P, U, '#Net::HTTP.put']],
    [`Net::HTTP.start('h', 443, use_ssl: true) { |http| http.put('/u', File.read('${P}')) }`, ['curl', '-X', 'PUT', '-T', P, U, '#Net::HTTP#put']],
    [`Net::HTTP.start('h', 8080) do |http|\n  http.post('/u', IO.binread('${P}'))\nend`, ['curl', '-X', 'POST', '-T', P, 'http://h/u', '#Net::HTTP#post']],
    [`req = Net::HTTP::Put.new('/u')\nreq.body_stream = File.open('${P}')\nNet::HTTP.start('h', 443, use_ssl: true) { |http| http.request(req) }`, ['curl', '-X', 'PUT', '-T', P, U, '#Net::HTTP#request']],
    [`http = Net::HTTP.new('h', 443); req = Net::HTTP::Post.new(URI('${U}')); req.body = File.binread('${P}'); http.request(req)`, ['curl', '-X', 'POST', '-T', P, U, '#Net::HTTP#request']],
    [`Faraday.put('${U}', File.read('${P}'))`, ['curl', '-X', 'PUT', '-T', P, U, '#Faraday.put']],
    [`c = Faraday.new(url: 'https://h'); c.post('/u', Pathname('${P}').binread)`, ['curl', '-X', 'POST', '-T', P, U, '#Faraday.post']],
    [`RestClient.post('${U}', file: File.new('${P}', 'rb'))`, ['curl', '-X', 'POST', '-F', `file=@${P}`, U, '#RestClient.post']],
    [`RestClient.put('${U}', File.read('${P}'))`, ['curl', '-X', 'PUT', '-T', P, U, '#RestClient.put']],
    [`require 'aws-sdk-s3'; Aws::S3::Client.new.put_object(bucket: 'b', key: 'k', body: File.open('${P}', 'rb'))`, ['aws', 's3', 'cp', P, 's3://b/k', '#Aws::S3.put_object']],
    [`s3 = Aws::S3::Client.new(region: 'x')\ns3.put_object(bucket: 'b', key: 'k', body: 'x')`, ['aws', 's3', 'cp', '-', 's3://b/k', '#Aws::S3.put_object']],
    [`Aws::S3::Resource.new.bucket('b').object('k').upload_file('${P}')`, ['aws', 's3', 'cp', P, 's3://b/k', '#Aws::S3.upload_file']],
    [`o = Aws::S3::Object.new(bucket_name: 'b', key: 'k'); o.upload_file('${P}')`, ['aws', 's3', 'cp', P, 's3://b/k', '#Aws::S3.upload_file']],
    [`Aws::S3::Object.new('b', 'k').put(body: File.read('${P}'))`, ['aws', 's3', 'cp', P, 's3://b/k', '#Aws::S3.put']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

  it('a value known only at run time is HOLE, and the run is runtime', () => {
    const r = readCode(`Net::HTTP.post(URI(ARGV[0]), File.read(ARGV[1]))`, 'ruby');
    expect(r.runs.map((x) => x.argv)).toEqual([['curl', '-X', 'POST', '-T', HOLE, HOLE, '#Net::HTTP.post']]);
    expect(r.runs[0]!.how).toBe(INDIRECT_RUNTIME);
    expect(r.runs[0]!.direct).toBe(true);
  });
});

describe('Ruby downloads and what is not read', () => {
  it('downloads read as downloads', () => {
    expect(argvs(`Net::HTTP.get(URI('${U}'))`)).toEqual([['curl', U, '#Net::HTTP.get']]);
    expect(argvs(`Aws::S3::Client.new.get_object(bucket: 'b', key: 'k', response_target: '/tmp/m')`)).toEqual([['aws', 's3api', 'get-object', '--bucket', 'b', '--key', 'k', '/tmp/m', '#Aws::S3.get_object']]);
  });
  for (const code of [
    `client.put('/u', File.read('${P}'))`,
    `http.post('/u', File.read('${P}'))`,
    `Cache.new.put('k', File.read('${P}'))`,
    `File.read('${P}')`,
    `File.open('/tmp/x', 'w') { |f| f.write(File.read('${P}')) }`,
    `Aws::S3::Client.new.list_objects(bucket: 'b')`,
    `def put(u, d) end; put('${U}', File.read('${P}'))`,
  ]) it(code, () => expect(argvs(code)).toEqual([]));
});

describe('calls without parentheses, Faraday request blocks', () => {
  const cases: Array<[string, string[][]]> = [
    [`require 'net/http'; Net::HTTP.post URI('${U}'), File.read('${P}')`, [['curl', '-X', 'POST', '-T', P, U, '#Net::HTTP.post']]],
    [`req = Net::HTTP::Put.new('/u')\nreq.body = File.read('${P}')\nNet::HTTP.start('h', 443, use_ssl: true) { |http| http.request req }`, [['curl', '-X', 'PUT', '-T', P, U, '#Net::HTTP#request']]],
    [`Net::HTTP.start('h', 443, use_ssl: true) do |http|\n  http.put '/u', File.binread('${P}')\nend`, [['curl', '-X', 'PUT', '-T', P, U, '#Net::HTTP#put']]],
    [`puts Net::HTTP.get URI '${U}'`, [['curl', U, '#Net::HTTP.get']]],
    [`Aws::S3::Client.new.put_object bucket: 'b', key: 'k', body: File.open('${P}')`, [['aws', 's3', 'cp', P, 's3://b/k', '#Aws::S3.put_object']]],
    [`Net::HTTP.post URI('${U}'), File.read('${P}'); system('id')\nputs Net::HTTP.get URI('http://h/t')`, [['curl', '-X', 'POST', '-T', P, U, '#Net::HTTP.post'], ['id'], ['curl', 'http://h/t', '#Net::HTTP.get']]],
    [`Faraday.new(url: 'https://h').put('/u') { |r| r.body = File.read('${P}') }`, [['curl', '-X', 'PUT', '-T', P, U, '#Faraday.put']]],
    [`c = Faraday.new(url: 'https://h')\nc.post('/u') do |req|\n  req.headers['Content-Type'] = 'application/octet-stream'\n  req.body = File.binread('${P}')\nend`, [['curl', '-X', 'POST', '-T', P, U, '#Faraday.post']]],
    [`c = Faraday.new(url: 'https://h'); c.put '/u' do |r| r.body = File.read('${P}') end`, [['curl', '-X', 'PUT', '-T', P, U, '#Faraday.put']]],
  ];
  const all = (code: string): string[][] => readCode(code, 'ruby').runs.map((r) => [...(r.argv ?? [r.line ?? ''])]);
  for (const [code, runs] of cases) it(code, () => expect(all(code)).toEqual(runs));

  for (const code of [`cache.put 'k', File.read('${P}')`, `http.post '/u', File.read('${P}')`, `x.get if y`, `list.put do |r| r.body = File.read('${P}') end`]) {
    it(`reads nothing: ${code}`, () => expect(argvs(code)).toEqual([]));
  }
});

describe('Faraday multipart file parts', () => {
  const cases: Array<[string, string[]]> = [
    [`require 'faraday'; require 'faraday/multipart'\nconn = Faraday.new(url: 'https://h') do |f|\n  f.request :multipart\nend\npart = Faraday::Multipart::FilePart.new('${P}', 'application/octet-stream')\nconn.post('/u', {file: part})`, ['curl', '-X', 'POST', '-F', `file=@${P}`, U, '#Faraday.post']],
    [`conn = Faraday.new(url: 'https://h') { |f| f.request :multipart }\npart = Faraday::UploadIO.new('${P}', 'application/octet-stream')\nconn.post('/u') { |r| r.body = {file: part} }`, ['curl', '-X', 'POST', '-F', `file=@${P}`, U, '#Faraday.post']],
    [`part = Faraday::Multipart::FilePart.new('${P}', 'application/octet-stream'); payload = {model: part, run: 'r1'}; Faraday.new(url: 'https://h').put('/u', payload)`, ['curl', '-X', 'PUT', '-F', `model=@${P}`, U, '#Faraday.put']],
    [`Faraday.post('${U}', file: Faraday::Multipart::FilePart.new('${P}', 'application/octet-stream'))`, ['curl', '-X', 'POST', '-F', `file=@${P}`, U, '#Faraday.post']],
    [`c = Faraday.new(url: 'https://h') { |f| f.request :multipart; f.adapter :net_http }\nc.post('/u') do |req|\n  req.body = {'weights' => Faraday::UploadIO.new('${P}', 'application/octet-stream', 'm.pt')}\nend`, ['curl', '-X', 'POST', '-F', `weights=@${P}`, U, '#Faraday.post']],
    [`part = Faraday::Multipart::FilePart.new(ARGV[0], 'application/octet-stream')\nFaraday.new(url: ENV['U']).post('/u', {file: part})`, ['curl', '-X', 'POST', '-F', `file=@${HOLE}`, `${HOLE}/u`, '#Faraday.post']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

  const benign: Array<[string, string[][]]> = [
    // A form of text and JSON parts posts data, no file.
    [`conn = Faraday.new(url: 'https://h'); conn.post('/u', {name: 'run-42', step: 1})`, [['curl', '-X', 'POST', '--data-raw', HOLE, U, '#Faraday.post']]],
    [`meta = Faraday::Multipart::ParamPart.new('{"a":1}', 'application/json')\nFaraday.new(url: 'https://h').post('/u', {meta: meta})`, [['curl', '-X', 'POST', '--data-raw', HOLE, U, '#Faraday.post']]],
    // Headers after a file body stay headers: the body is the upload.
    [`Faraday.put('${U}', File.read('${P}'), {'Content-Type' => 'application/octet-stream'})`, [['curl', '-X', 'PUT', '-T', P, U, '#Faraday.put']]],
    // A part made and never sent; a part sent by something that is no Faraday connection.
    [`part = Faraday::Multipart::FilePart.new('${P}', 'application/octet-stream')`, []],
    [`part = Faraday::Multipart::FilePart.new('${P}', 'x'); cache.post('/u', {file: part})`, []],
    [`conn = Faraday.new(url: 'https://h') do |f|\n  f.request :multipart\nend\nconn.get('/healthz', {file: 'x'})`, [['curl', 'https://h/healthz', '#Faraday.get']]],
  ];
  for (const [code, runs] of benign) it(`no upload: ${code}`, () => expect(argvs(code)).toEqual(runs));
});
