/**
 * Node's got and the AWS SDK for JavaScript read as runs (exec-interpreter-transfer-js.ts,
 * exec-interpreter-transfer-js-s3.ts), in CommonJS and as ES modules: got's methods, got itself,
 * got streams as a pipe's target; S3 commands a client sends, lib-storage's Upload, v2's S3;
 * downloads as downloads; other `send` calls read nothing.
 */
import { describe, expect, it } from 'vitest';
import { readCode } from './exec-interpreter.js';
import { HOLE } from './exec-interpreter-token.js';

const argvs = (code: string): string[][] => readCode(code, 'js').runs.map((r) => [...(r.argv ?? [])]);
const P = '/ckpt/m.pt';
const U = 'https://h/u';

describe('got', () => {
  const cases: Array<[string, string[]]> = [
    [`const got = require('got'); got.put('${U}', {body: require('fs').createReadStream('${P}')})`, ['curl', '-X', 'PUT', '-T', P, U, '#got.put']],
    [`import got from 'got'; import fs from 'fs'; const body = fs.readFileSync('${P}'); await got.post('${U}', {body})`, ['curl', '-X', 'POST', '-T', P, U, '#got.post']],
    [`import got from 'got'; import { createReadStream } from 'node:fs'; await got('${U}', {method: 'put', body: createReadStream('${P}')})`, ['curl', '-X', 'PUT', '-T', P, U, '#got']],
    [`const o = {url: '${U}', method: 'PATCH', body: fs.readFileSync('${P}')}; got(o)`, ['curl', '-X', 'PATCH', '-T', P, U, '#got']],
    [`got.post('${U}', {json: {step: 1}})`, ['curl', '-X', 'POST', '--data-raw', HOLE, U, '#got.post']],
    [`fs.createReadStream('${P}').pipe(got.stream.put('${U}'))`, ['curl', '-X', 'PUT', '-T', P, U, '#got.stream.put']],
    [`import { pipeline } from 'node:stream/promises'; await pipeline(fs.createReadStream('${P}'), got.stream('${U}', {method: 'POST'}))`, ['curl', '-X', 'POST', '-T', P, U, '#got.stream']],
    [`stream.pipeline(fs.createReadStream('${P}'), https.request('${U}', {method: 'PUT'}), () => {})`, ['curl', '-X', 'PUT', '-T', P, U, '#https.request']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

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
