/**
 * Node's got and the AWS SDK for JavaScript read as runs (exec-interpreter-transfer-js.ts,
 * exec-interpreter-transfer-js-s3.ts), in CommonJS and as ES modules: got's methods, got itself,
 * got streams as a pipe's target; S3 commands a client sends, lib-storage's Upload, v2's S3;
 * downloads as downloads; other `send` calls read nothing. Multipart forms the code builds
 * (FormData, form-data) with file parts read as `-F name=@path`, forms of text as data; renamed
 * imports and destructured requires read as their library, local modules under a library's name not.
 * A file given to Node's `http(s).request(…).end()` or `.write()` is its upload.
 */
import { describe, expect, it } from 'vitest';
import { readCode } from './exec-interpreter.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

const argvs = (code: string): string[][] => readCode(code, 'js').runs.map((r) => [...(r.argv ?? [])]);
const P = '/ckpt/m.pt';
const U = 'https://h/u';

describe('got', () => {
  const cases: Array<[string, string[]]> = [
    [`const got = require('got'); got.put('${U}', {body: require('fs').createReadStream('${P}')})`, ['curl', '-X', 'PUT', '-T', P, U, '#got.put']],
    [`import got from 'got'; import fs from 'fs'; const body = fs.readFileSync('${P}'); await got.post('${U}', {body})`, ['curl', '-X', 'POST', '-T', P, U, '#got.post']],
    [`import got from 'got'; import { createReadStream } from 'node:fs'; await got('${U}', {method: 'put', body: createReadStream('${P}')})`, ['curl', '-X', 'PUT', '-T', P, U, '#got']],
    [`const o = {url: '${U}', method: 'PATCH', body: fs.readFileSync('${P}')}; got(o)`, ['curl', '-X', 'PATCH', '-T', P, U, '#got']],
    // A JSON body the code spells is carried as its text (numbers as the value reader reads them: their text).
    [`got.post('${U}', {json: {step: 1}})`, ['curl', '-X', 'POST', '--data-raw', '{"step":"1"}', U, '#got.post']],
    [`got.post('${U}', {json: {step: n}})`, ['curl', '-X', 'POST', '--data-raw', HOLE, U, '#got.post']],
    [`fs.createReadStream('${P}').pipe(got.stream.put('${U}'))`, ['curl', '-X', 'PUT', '-T', P, U, '#got.stream.put']],
    [`import { pipeline } from 'node:stream/promises'; await pipeline(fs.createReadStream('${P}'), got.stream('${U}', {method: 'POST'}))`, ['curl', '-X', 'POST', '-T', P, U, '#got.stream']],
    [`stream.pipeline(fs.createReadStream('${P}'), https.request('${U}', {method: 'PUT'}), () => {})`, ['curl', '-X', 'PUT', '-T', P, U, '#https.request']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

  it("got's default export (require('got').default, import('got')) reads as got", () => {
    expect(argvs(`require('got').default.put('${U}', {body: fs.readFileSync('${P}')})`)).toEqual([['curl', '-X', 'PUT', '-T', P, U, '#got.put']]);
    expect(argvs(`const got = require('got').default; await got.post('${U}', {body: fs.createReadStream('${P}')})`)).toEqual([['curl', '-X', 'POST', '-T', P, U, '#got.post']]);
    expect(argvs(`const { default: got } = await import('got'); await got('${U}', {method: 'PUT', body: fs.readFileSync('${P}')})`)).toEqual([['curl', '-X', 'PUT', '-T', P, U, '#got']]);
    expect(argvs(`(await import('got')).default.put('${U}', {body: fs.readFileSync('${P}')})`)).toEqual([['curl', '-X', 'PUT', '-T', P, U, '#got.put']]);
    // Look-alikes: another module's default export, got's default `extend`, a `default` deeper in the chain.
    expect(argvs(`require('./cache').default.put('${U}', {body: fs.readFileSync('${P}')})`)).toEqual([]);
    expect(argvs(`require('got').default.extend({prefixUrl: '${U}'})`)).toEqual([]);
    expect(argvs(`require('got').default.default.put('${U}', {body: fs.readFileSync('${P}')})`)).toEqual([]);
  });

  it('a GET is a download; got.extend, a download piped to a file and other objects read nothing', () => {
    expect(argvs(`import got from 'got'; const r = await got('http://localhost:8080/healthz').json()`)).toEqual([['curl', 'http://localhost:8080/healthz', '#got']]);
    expect(argvs(`got.get('${U}')`)).toEqual([['curl', U, '#got.get']]);
    expect(argvs(`got.extend({prefixUrl: '${U}'})`)).toEqual([]);
    expect(argvs(`pipeline(got.stream('${U}'), fs.createWriteStream('/tmp/t'))`)).toEqual([]);
    expect(argvs(`cache.put('${U}', {body: fs.readFileSync('${P}')})`)).toEqual([]);
  });
});

describe('AWS SDK S3', () => {
  const cases: Array<[string, string[]]> = [
    [`import fs from 'fs'; import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3'; const c = new S3Client({}); await c.send(new PutObjectCommand({Bucket: 'b', Key: 'k', Body: fs.createReadStream('${P}')}))`, ['aws', 's3', 'cp', P, 's3://b/k', '#PutObjectCommand']],
    [`const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3'); const cmd = new PutObjectCommand({Bucket: 'b', Key: 'k', Body: fs.readFileSync('${P}')}); new S3Client().send(cmd)`, ['aws', 's3', 'cp', P, 's3://b/k', '#PutObjectCommand']],
    [`client.send(new UploadPartCommand({Bucket: 'b', Key: 'k', PartNumber: 1, UploadId: id, Body: fs.createReadStream('${P}')}))`, ['aws', 's3', 'cp', P, 's3://b/k', '#UploadPartCommand']],
    [`const params = {Bucket: 'b', Key: 'k', Body: 'x'}; await s3.send(new PutObjectCommand(params))`, ['aws', 's3', 'cp', '-', 's3://b/k', '#PutObjectCommand']],
    [`import { Upload } from '@aws-sdk/lib-storage'; await new Upload({client: c, params: {Bucket: 'b', Key: 'k', Body: fs.createReadStream('${P}')}}).done()`, ['aws', 's3', 'cp', P, 's3://b/k', '#lib-storage.Upload']],
    [`const AWS = require('aws-sdk'); new AWS.S3().upload({Bucket: 'b', Key: 'k', Body: fs.createReadStream('${P}')}).promise()`, ['aws', 's3', 'cp', P, 's3://b/k', '#AWS.S3.upload']],
    [`import { S3 } from '@aws-sdk/client-s3'; const s3 = new S3({region: 'x'}); await s3.putObject({Bucket: 'b', Key: 'k', Body: fs.readFileSync('${P}')})`, ['aws', 's3', 'cp', P, 's3://b/k', '#S3.putObject']],
    [`await client.send(new GetObjectCommand({Bucket: 'b', Key: 'k'}))`, ['aws', 's3api', 'get-object', '--bucket', 'b', '--key', 'k', '-', '#GetObjectCommand']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

  for (const code of [
    `client.send(new ListObjectsV2Command({Bucket: 'b'}))`,
    `process.send({step: 1}); ws.send(fs.readFileSync('${P}')); res.send('ok')`,
    `new Upload(x).start()`,
    `cache.upload({Bucket: 'b', Key: 'k', Body: fs.createReadStream('${P}')})`,
  ]) it(`reads nothing: ${code}`, () => expect(argvs(code)).toEqual([]));
});

describe('multipart forms the code builds (FormData, form-data)', () => {
  const M = '/mnt/ckpt/m.safetensors';
  const cases: Array<[string, string[]]> = [
    [`const fs = require('fs'); const axios = require('axios'); const f = new FormData(); f.append('file', fs.createReadStream('${M}')); await axios.post('${U}', f)`, ['curl', '-X', 'POST', '-F', `file=@${M}`, U, '#axios.post']],
    [`const FormData = require('form-data'); const form = new FormData(); form.append('model', fs.readFileSync('${P}'), 'm.pt'); axios.post('${U}', form, {headers: form.getHeaders()})`, ['curl', '-X', 'POST', '-F', `model=@${P}`, U, '#axios.post']],
    [`const fd = new FormData(); fd.append('file', await fs.openAsBlob('${P}'), 'm.pt'); await fetch('${U}', {method: 'POST', body: fd})`, ['curl', '-X', 'POST', '-F', `file=@${P}`, U, '#fetch']],
    [`const fd = new FormData()\nfd.append('w', new Blob([fs.readFileSync('${P}')]), 'm.pt')\nawait fetch('${U}', {method: 'POST', body: fd})`, ['curl', '-X', 'POST', '-F', `w=@${P}`, U, '#fetch']],
    [`import FormData from 'form-data'; import { createReadStream } from 'node:fs'; import got from 'got'; const form = new FormData(); form.append('file', createReadStream('${P}')); await got.post('${U}', {body: form})`, ['curl', '-X', 'POST', '-F', `file=@${P}`, U, '#got.post']],
    [`import { FormData, request } from 'undici'; const b = new Blob([fs.readFileSync('${P}')]); const f = new FormData(); f.set('file', b, 'm.pt'); await request('${U}', {method: 'PUT', body: f})`, ['curl', '-X', 'PUT', '-F', `file=@${P}`, U, '#fetch']],
    [`const FormData = require('form-data'); const form = new FormData(); form.append('file', fs.createReadStream('${P}')); form.submit('${U}', (err, res) => res.resume())`, ['curl', '-X', 'POST', '-F', `file=@${P}`, U, '#form-data.submit']],
    [`const form = new (require('form-data'))(); form.append('file', fs.createReadStream('${P}')); form.pipe(https.request({hostname: 'h', path: '/u', method: 'POST', headers: form.getHeaders()}))`, ['curl', '-X', 'POST', '-F', `file=@${P}`, U, '#https.request']],
    [`import FormData from 'form-data'; const form = new FormData(); form.append('file', fs.readFileSync('${P}')); await axios.put('${U}', form.getBuffer(), {headers: form.getHeaders()})`, ['curl', '-X', 'PUT', '-F', `file=@${P}`, U, '#axios.put']],
    [`await axios.postForm('${U}', {file: fs.createReadStream('${P}'), run: 'r1'})`, ['curl', '-X', 'POST', '-F', `file=@${P}`, U, '#axios.postForm']],
    [`const f = new FormData(); f.append('a', fs.createReadStream('/ckpt/a.pt')); f.append('run', 'r1'); f.append('b', fs.createReadStream('/ckpt/b.pt')); await axios.put('${U}', f)`, ['curl', '-X', 'PUT', '-F', 'a=@/ckpt/a.pt', '-F', 'b=@/ckpt/b.pt', U, '#axios.put']],
    [`await fetch('${U}', {method: 'PUT', body: new Blob([fs.readFileSync('${P}')])})`, ['curl', '-X', 'PUT', '-T', P, U, '#fetch']],
    [`const f = new FormData(); f.append(process.env.K, fs.createReadStream('${P}')); await fetch(process.env.U, {method: 'POST', body: f})`, ['curl', '-X', 'POST', '-F', `${HOLE}=@${P}`, HOLE, '#fetch']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

  const benign: Array<[string, string[][]]> = [
    // A form of text fields only is a POST of data, no upload.
    [`const f = new FormData(); f.append('name', 'run-42'); f.append('step', String(3)); await fetch('${U}', {method: 'POST', body: f})`, [['curl', '-X', 'POST', '--data-raw', HOLE, U, '#fetch']]],
    // A form the text does not build (a parameter, a global) is any other body.
    [`form.append('file', fs.createReadStream('${P}')); await axios.post('${U}', form)`, [['curl', '-X', 'POST', '--data-raw', HOLE, U, '#axios.post']]],
    [`const p = new URLSearchParams(); p.append('file', fs.readFileSync('${P}')); await axios.post('${U}', p)`, [['curl', '-X', 'POST', '--data-raw', HOLE, U, '#axios.post']]],
    [`await fetch('${U}', {method: 'POST', body: new Blob(['{"ok":true}'])})`, [['curl', '-X', 'POST', '--data-raw', HOLE, U, '#fetch']]],
    // Built and filled, never sent; a write stream appended; another object's append.
    [`const f = new FormData(); f.append('file', fs.createReadStream('${P}'))`, []],
    [`const f = new FormData(); f.append('log', fs.createWriteStream('/tmp/x')); await fetch('${U}', {method: 'POST', body: f})`, [['curl', '-X', 'POST', '--data-raw', HOLE, U, '#fetch']]],
    [`const list = []; list.append('file', fs.readFileSync('${P}')); cache.submit('${U}')`, []],
  ];
  for (const [code, runs] of benign) it(`no upload: ${code}`, () => expect(argvs(code)).toEqual(runs));

  it('a form of spelled text fields is data the code spells; a field known at run time makes it runtime', () => {
    expect(readCode(`const f = new FormData(); f.append('run', 'r42'); fetch('${U}', {method: 'POST', body: f})`, 'js').runs[0]!.how).toBe(0);
    expect(readCode(`const f = new FormData(); f.append('run', process.env.RUN); fetch('${U}', {method: 'POST', body: f})`, 'js').runs[0]!.how).toBe(INDIRECT_RUNTIME);
  });
});

describe('renamed ES-module and CommonJS imports read as their library', () => {
  const cases: Array<[string, string[]]> = [
    [`import ky from 'got'; import fs from 'node:fs'; await ky.put('${U}', {body: fs.createReadStream('${P}')})`, ['curl', '-X', 'PUT', '-T', P, U, '#got.put']],
    [`import { default as g } from 'got'; await g('${U}', {method: 'POST', body: fs.readFileSync('${P}')})`, ['curl', '-X', 'POST', '-T', P, U, '#got']],
    [`import * as h from 'node:https'; import { createReadStream as crs } from 'node:fs'; crs('${P}').pipe(h.request('${U}', {method: 'PUT'}))`, ['curl', '-X', 'PUT', '-T', P, U, '#https.request']],
    [`const { request: r } = require('https'); fs.createReadStream('${P}').pipe(r({hostname: 'h', path: '/u', method: 'PUT'}))`, ['curl', '-X', 'PUT', '-T', P, U, '#https.request']],
    [`const { get } = require('node:https'); get('${U}', (res) => res.pipe(process.stdout))`, ['curl', U, '#https.get']],
    [`import { S3Client as C, PutObjectCommand as P } from '@aws-sdk/client-s3'; const c = new C({}); await c.send(new P({Bucket: 'b', Key: 'k', Body: fs.createReadStream('${P}')}))`, ['aws', 's3', 'cp', P, 's3://b/k', '#PutObjectCommand']],
    [`import { S3 as Store } from '@aws-sdk/client-s3'; await new Store({}).putObject({Bucket: 'b', Key: 'k', Body: fs.readFileSync('${P}')})`, ['aws', 's3', 'cp', P, 's3://b/k', '#S3.putObject']],
    [`import * as sdk from '@aws-sdk/client-s3'; await new sdk.S3Client({}).send(new sdk.PutObjectCommand({Bucket: 'b', Key: 'k', Body: fs.readFileSync('${P}')}))`, ['aws', 's3', 'cp', P, 's3://b/k', '#PutObjectCommand']],
    [`const { default: ax } = await import('axios'); await ax.put('${U}', fs.readFileSync('${P}'))`, ['curl', '-X', 'PUT', '-T', P, U, '#axios.put']],
    [`import nf from 'node-fetch'; await nf('${U}', {method: 'PUT', body: fs.createReadStream('${P}')})`, ['curl', '-X', 'PUT', '-T', P, U, '#node-fetch']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

  for (const code of [
    // A local module under a library's name is not that library.
    `import got from './cache.js'; await got.put('${U}', {body: fs.readFileSync('${P}')})`,
    `import * as https from './mock-https.js'; fs.createReadStream('${P}').pipe(https.request('${U}', {method: 'PUT'}))`,
    `const { request } = require('./api'); fs.createReadStream('${P}').pipe(request('${U}', {method: 'PUT'}))`,
    `import { PutObjectCommand as P } from './fake-s3.js'; await c.send(new P({Bucket: 'b', Key: 'k', Body: fs.readFileSync('${P}')}))`,
    `import { put } from 'got'; put.cache('${U}', fs.readFileSync('${P}'))`,
  ]) it(`reads nothing: ${code}`, () => expect(argvs(code)).toEqual([]));
});

describe("Node's http(s).request with the body given to end() or write()", () => {
  it('reads a file given as the body, on the chain or on the request’s name, as its upload', () => {
    expect(argvs(`require('https').request({host: 'h', path: '/u', method: 'POST'}).end(require('fs').readFileSync('${P}'))`)).toEqual([['curl', '-X', 'POST', '-T', P, U, '#https.request']]);
    expect(argvs(`const r = https.request('${U}', {method: 'PUT'}); r.write(fs.readFileSync('${P}')); r.end()`)).toEqual([['curl', '-X', 'PUT', '-T', P, U, '#https.request']]);
    expect(argvs(`const http = require('http'); const req = http.request({hostname: 'h', path: '/u', method: 'POST'}); req.end(fs.readFileSync('${P}'))`)).toEqual([['curl', '-X', 'POST', '-T', P, 'http://h/u', '#http.request']]);
  });

  it('reads other data as data, and end() or write() on other objects as nothing', () => {
    expect(argvs(`https.request({host: 'h', path: '/u', method: 'POST'}).end(JSON.stringify({step: 1}))`)).toEqual([['curl', '-X', 'POST', '--data-raw', '{"step":"1"}', U, '#https.request']]);
    expect(argvs(`https.request({host: 'h', path: '/u', method: 'POST'}).end(JSON.stringify(o))`)).toEqual([['curl', '-X', 'POST', '--data-raw', HOLE, U, '#https.request']]);
    expect(argvs(`const w = fs.createWriteStream('/tmp/x'); w.write(fs.readFileSync('${P}')); w.end()`)).toEqual([]);
    expect(argvs(`res.end(fs.readFileSync('${P}'))`)).toEqual([]);
  });
});
