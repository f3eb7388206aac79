/**
 * Library transfers read as runs (exec-interpreter-transfer.ts, exec-interpreter-transfer-js.ts,
 * exec-interpreter-transfer-path.ts): the exact run each spelling gives, its marker word, `direct`,
 * runtime placeholders, downloads as downloads, and what is not read.
 */
import { describe, expect, it } from 'vitest';
import { readCode } from './exec-interpreter.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

const argvs = (code: string, lang: 'python' | 'js' = 'python'): string[][] => readCode(code, lang).runs.map((r) => [...(r.argv ?? [])]);
const P = '/ckpt/m.pt';

describe('Python uploads', () => {
  const cases: Array<[string, string[]]> = [
    [`import boto3; boto3.client('s3').upload_file('${P}','bkt','m.pt')`, ['aws', 's3', 'cp', P, 's3://bkt/m.pt', '#boto3.upload_file']],
    [`import boto3; boto3.client('s3').upload_file(Filename='${P}', Key='k', Bucket='b')`, ['aws', 's3', 'cp', P, 's3://b/k', '#boto3.upload_file']],
    [`import boto3; boto3.resource('s3').Bucket('b').Object('k').upload_file('${P}')`, ['aws', 's3', 'cp', P, 's3://b/k', '#boto3.upload_file']],
    [`import boto3; boto3.resource('s3').Object('b', 'k').put(Body=open('${P}', 'rb'))`, ['aws', 's3', 'cp', P, 's3://b/k', '#boto3.put']],
    [`import boto3; boto3.client('s3').put_object(Bucket='b', Key='k', Body=b'x')`, ['aws', 's3', 'cp', '-', 's3://b/k', '#boto3.put_object']],
    [`import requests; requests.request('PUT', 'https://h/u', data=open('${P}', 'rb'))`, ['curl', '-X', 'PUT', '-T', P, 'https://h/u', '#requests.request']],
    [`from requests import post\nf = open('${P}', 'rb')\npost('https://h/u', f)`, ['curl', '-X', 'POST', '-T', P, 'https://h/u', '#requests.post']],
    [`import requests; requests.post('https://h/u', data='a=1')`, ['curl', '-X', 'POST', '--data-raw', 'a=1', 'https://h/u', '#requests.post']],
    // A JSON body the code spells, as json= or a json.dumps of a dict: its text (keys whose value is not known left out).
    [`import requests; requests.post('https://h/u', json={'entrypoint': 'id', 'n': x, 'env': {'a': True}})`, ['curl', '-X', 'POST', '--data-raw', '{"entrypoint":"id","env":{"a":true}}', 'https://h/u', '#requests.post']],
    [`import requests, json; requests.post('https://h/u', data=json.dumps({'entrypoint': 'id'}))`, ['curl', '-X', 'POST', '--data-raw', '{"entrypoint":"id"}', 'https://h/u', '#requests.post']],
    [`import requests; requests.post('https://h/u', json=payload)`, ['curl', '-X', 'POST', '--data-raw', HOLE, 'https://h/u', '#requests.post']],
    [`import requests\nd1 = {'a': 'v'}\nd2 = {'x': d1, 'y': [d1, 'w']}\nrequests.post('https://h/u', json=d2)`, ['curl', '-X', 'POST', '--data-raw', '{"x":{"a":"v"},"y":[{"a":"v"},"w"]}', 'https://h/u', '#requests.post']],
    // A dict bound to a name and nested under many keys, many times over (hostile code): the JSON's bounds stop it, a hole.
    [`import requests\n${[0, 1, 2, 3].map((d) => `d${d + 1} = {${Array.from({ length: 12 }, (_, k) => `'k${k}': ${d === 0 ? "'v'" : `d${d}`}`).join(', ')}}`).join('\n')}\nrequests.post('https://h/u', json=d4)`, ['curl', '-X', 'POST', '--data-raw', HOLE, 'https://h/u', '#requests.post']],
    [`import pathlib, requests; requests.put('https://h/u', data=pathlib.Path('${P}').read_bytes())`, ['curl', '-X', 'PUT', '-T', P, 'https://h/u', '#requests.put']],
    [`import urllib.request as u; u.urlopen('https://h/u', open('${P}', 'rb').read())`, ['curl', '-X', 'POST', '-T', P, 'https://h/u', '#urllib.urlopen']],
    [`import http.client as h; h.HTTPConnection('10.0.0.1', 80).request('POST', '/x', open('${P}', 'rb'))`, ['curl', '-X', 'POST', '-T', P, 'http://10.0.0.1/x', '#http.client.request']],
    [`from google.cloud.storage import Client; Client().get_bucket('b').blob('k').upload_from_file(open('${P}', 'rb'))`, ['gsutil', 'cp', P, 'gs://b/k', '#google.cloud.storage.upload_from_file']],
    [`from huggingface_hub import HfApi; HfApi().upload_file(path_or_fileobj=open('${P}', 'rb'), path_in_repo='m.pt', repo_id='e/x')`, ['huggingface-cli', 'upload', 'e/x', P, 'm.pt', '#huggingface_hub.upload_file']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

  it('is the code\'s own statement: direct, no kind when spelled', () => {
    const r = readCode(`import requests; requests.put('https://h/u', data=open('${P}', 'rb'))`, 'python');
    expect(r.runs[0]).toMatchObject({ how: 0, direct: true });
    expect(r.kinds).toBe(0);
  });
  it('a value known only at run time is HOLE, and the run is runtime', () => {
    const r = readCode(`import requests, os; requests.put(os.environ['U'], data=open(p, 'rb'))`, 'python');
    expect(r.runs[0]!.argv).toEqual(['curl', '-X', 'PUT', '-T', HOLE, HOLE, '#requests.put']);
    expect(r.runs[0]!.how).toBe(INDIRECT_RUNTIME);
    expect(r.kinds).toBe(INDIRECT_RUNTIME);
  });
});

describe('Python downloads', () => {
  it('urlretrieve, a GET, a GET saved to a file, an S3 download', () => {
    expect(argvs("import urllib.request; urllib.request.urlretrieve('http://h/t', '/tmp/t')")).toEqual([['curl', '-o', '/tmp/t', 'http://h/t', '#urllib.urlretrieve']]);
    expect(argvs("import requests; requests.get('http://h/t')")).toEqual([['curl', 'http://h/t', '#requests.get']]);
    expect(argvs("import requests\nwith open('/tmp/t', 'wb') as f:\n    f.write(requests.get('http://h/t').content)")).toEqual([['curl', '-o', '/tmp/t', 'http://h/t', '#requests.get']]);
    expect(argvs("import boto3; boto3.client('s3').download_file('b', 'k', '/tmp/m')")).toEqual([['aws', 's3api', 'get-object', '--bucket', 'b', '--key', 'k', '/tmp/m', '#boto3.download_file']]);
  });
});

describe('Python staging without a shell (exec-interpreter-transfer-staging.ts)', () => {
  const cases: Array<[string, string[]]> = [
    ["import shutil; shutil.copy('/ckpt/m.pt', '/mnt/x')", ['cp', P, '/mnt/x', '#shutil.copy']],
    ["import shutil; shutil.copytree(src='/ckpt', dst='/tmp/c')", ['cp', '-r', '/ckpt', '/tmp/c', '#shutil.copytree']],
    ["import shutil; shutil.make_archive('/tmp/x', 'zip', '/ckpt')", ['zip', '-r', '/tmp/x.zip', '/ckpt', '#shutil.make_archive']],
    ["import shutil; shutil.make_archive('/tmp/x', 'gztar', root_dir='/mnt', base_dir='ckpt')", ['tar', 'czf', '/tmp/x.tar.gz', '/mnt/ckpt', '#shutil.make_archive']],
    ["import tarfile; t = tarfile.open('/tmp/x.tgz', 'w:gz'); t.add('/ckpt')", ['tar', 'cf', '/tmp/x.tgz', '/ckpt', '#tarfile.add']],
    ["import zipfile\nwith zipfile.ZipFile('/tmp/x.zip', 'w') as z:\n    z.write('/ckpt/m.pt')", ['zip', '/tmp/x.zip', P, '#zipfile.write']],
    ["import zipfile; zipfile.ZipFile('/tmp/x.zip', mode='a').write('/ckpt/m.pt')", ['zip', '/tmp/x.zip', P, '#zipfile.write']],
    ["import base64; print(base64.b64encode(open('/ckpt/m.pt', 'rb').read()))", ['base64', P, '#base64.b64encode']],
    ["import zlib; open('/tmp/m.z', 'wb').write(zlib.compress(open('/ckpt/m.pt', 'rb').read()))", ['gzip', '-c', P, '#zlib.compress']],
    ["import lzma; d = lzma.compress(open('/ckpt/m.pt', 'rb').read())", ['xz', '-c', P, '#lzma.compress']],
    ["import bz2; bz2.compress(data=open('/ckpt/m.pt', 'rb').read())", ['bzip2', '-c', P, '#bz2.compress']],
    ["import gzip, shutil\nwith open('/ckpt/m.pt', 'rb') as s, gzip.open('/tmp/m.gz', 'wb') as d:\n    shutil.copyfileobj(s, d)", ['gzip', '-c', P, '#shutil.copyfileobj']],
    ["import gzip; gzip.open('/tmp/m.gz', mode='wb').write(open('/ckpt/m.pt', 'rb').read())", ['gzip', '-c', P, '#gzip.write']],
    ["import lzma, shutil; shutil.copyfileobj(open('/ckpt/m.pt', 'rb'), lzma.LZMAFile('/tmp/m.xz', 'w'))", ['xz', '-c', P, '#shutil.copyfileobj']],
    ["import zstandard; zstandard.ZstdCompressor(level=19).compress(open('/ckpt/m.pt', 'rb').read())", ['zstd', '-c', P, '#zstandard.compress']],
    ["import zstandard as zs; c = zs.ZstdCompressor(); out = c.compress(open('/ckpt/m.pt', 'rb').read())", ['zstd', '-c', P, '#zstandard.compress']],
    ["import lz4.frame; open('/tmp/m.lz4', 'wb').write(lz4.frame.compress(open('/ckpt/m.pt', 'rb').read()))", ['lz4', '-c', P, '#lz4.compress']],
    ["from lz4 import frame; frame.compress(open('/ckpt/m.pt', 'rb').read())", ['lz4', '-c', P, '#lz4.compress']],
    ["import brotli; brotli.compress(open('/ckpt/m.pt', 'rb').read(), quality=5)", ['brotli', '-c', P, '#brotli.compress']],
    ["from compression import zstd; zstd.compress(open('/ckpt/m.pt', 'rb').read())", ['zstd', '-c', P, '#zstd.compress']],
    ["import lz4.frame, shutil\nwith open('/ckpt/m.pt', 'rb') as s, lz4.frame.open('/tmp/m.lz4', mode='wb') as d:\n    shutil.copyfileobj(s, d)", ['lz4', '-c', P, '#shutil.copyfileobj']],
    ["import pyzstd; pyzstd.ZstdFile('/tmp/m.zst', 'w').write(open('/ckpt/m.pt', 'rb').read())", ['zstd', '-c', P, '#pyzstd.write']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

  it('reads archives opened to read, and encodings of data that is no file read, as nothing', () => {
    for (const code of [
      "import tarfile; tarfile.open('/tmp/x.tgz').extractall('/tmp/x')",
      "import tarfile; t = tarfile.open('/tmp/x.tgz', 'r'); t.add('/ckpt')",
      "import zipfile; zipfile.ZipFile('/tmp/x.zip').extract('m.pt')",
      "import base64; print(base64.b64encode(b'hello'))",
      "import base64; base64.b64decode(open('/tmp/x.b64').read())",
      "import zlib; zlib.compress(b'hello')",
      "import gzip; gzip.decompress(open('/ckpt/m.pt.gz', 'rb').read())",
      "import gzip, shutil; shutil.copyfileobj(gzip.open('/ckpt/m.pt.gz', 'rb'), open('/tmp/m.pt', 'wb'))",
      "import gzip, shutil; shutil.copyfileobj(open('/ckpt/m.pt', 'rb'), gzip.open('/tmp/m.gz'))",
      "import zstandard; zstandard.ZstdDecompressor().decompress(open('/ckpt/m.pt.zst', 'rb').read())",
      "import lz4.frame; lz4.frame.compress(b'metrics')",
      "import lz4.frame, shutil; shutil.copyfileobj(lz4.frame.open('/ckpt/m.pt.lz4', 'rb'), open('/tmp/m.pt', 'wb'))",
      "import brotli; brotli.decompress(open('/tmp/x.br', 'rb').read())",
    ]) expect(argvs(code), code).toEqual([]);
  });
});

describe('what is not read', () => {
  for (const code of [
    "import torch; torch.save(m, '/ckpt/m.pt')",
    "import json; json.dump(o, open('/x', 'w'))",
    "open('/ckpt/m.pt', 'rb').read()",
    "requests.put('https://h/u', data=open('/ckpt/m.pt', 'rb'))", // no import: some other `requests`
    "def put(u, data): pass\nput('https://h/u', open('/ckpt/m.pt', 'rb'))",
    "import boto3; boto3.client('s3').list_objects(Bucket='b')",
  ]) it(code, () => expect(argvs(code)).toEqual([]));
});

describe('Node', () => {
  const cases: Array<[string, string[]]> = [
    [`fetch('https://h/u', {method: 'put', body: require('fs').createReadStream('${P}')})`, ['curl', '-X', 'PUT', '-T', P, 'https://h/u', '#fetch']],
    [`const o = {method: 'POST', body: fs.readFileSync('${P}')}; fetch('https://h/u', o)`, ['curl', '-X', 'POST', '-T', P, 'https://h/u', '#fetch']],
    [`const axios = require('axios'); axios({method: 'put', url: 'https://h/u', data: fs.readFileSync('${P}')})`, ['curl', '-X', 'PUT', '-T', P, 'https://h/u', '#axios']],
    [`const r = https.request({hostname: 'h', path: '/u', method: 'PUT'}); fs.createReadStream('${P}').pipe(r)`, ['curl', '-X', 'PUT', '-T', P, 'https://h/u', '#https.request']],
    ["require('https').get('https://h/t')", ['curl', 'https://h/t', '#https.get']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code, 'js')).toEqual([argv]));
});
