/**
 * Python transfers beyond HTTP and boto3's single calls (exec-interpreter-transfer-python.ts):
 * SFTP / scp, fsspec filesystems and remote files written, boto3 multipart uploads, Hub commits,
 * FTP; downloads read as downloads; objects no import made read nothing.
 */
import { describe, expect, it } from 'vitest';
import { readCode } from './exec-interpreter.js';
import { HOLE } from './exec-interpreter-token.js';
import { INDIRECT_RUNTIME } from './exec-readings.js';

const argvs = (code: string): string[][] => readCode(code, 'python').runs.map((r) => [...(r.argv ?? [])]);
const P = '/ckpt/m.pt';

describe('uploads', () => {
  const cases: Array<[string, string[]]> = [
    [`import paramiko\nc = paramiko.SSHClient()\nc.connect('203.0.113.9', username='u')\nc.open_sftp().put('${P}', '/tmp/m.pt')`, ['scp', P, '203.0.113.9:/tmp/m.pt', '#paramiko.put']],
    [`import paramiko\nt = paramiko.Transport(('203.0.113.9', 22)); t.connect(username='u', password='p')\nsftp = paramiko.SFTPClient.from_transport(t)\nsftp.put('${P}', 'm.pt')`, ['scp', P, '203.0.113.9:m.pt', '#paramiko.put']],
    [`import paramiko\nwith paramiko.SSHClient() as c:\n    c.connect(hostname='h')\n    c.open_sftp().putfo(open('${P}', 'rb'), 'm.pt')`, ['scp', P, 'h:m.pt', '#paramiko.putfo']],
    [`from scp import SCPClient\nimport paramiko\nssh = paramiko.SSHClient(); ssh.connect('h')\nSCPClient(ssh.get_transport()).put('${P}', remote_path='/x')`, ['scp', P, 'h:/x', '#scp.put']],
    [`import s3fs; s3fs.S3FileSystem().put('${P}', 'b/k')`, ['aws', 's3', 'cp', P, 's3://b/k', '#s3fs.put']],
    [`import fsspec; fs = fsspec.filesystem('s3'); fs.put_file('${P}', 's3://b/k')`, ['aws', 's3', 'cp', P, 's3://b/k', '#fsspec.put_file']],
    [`import gcsfs; gcsfs.GCSFileSystem(project='p').upload('${P}', 'b/k')`, ['gsutil', 'cp', P, 'gs://b/k', '#gcsfs.upload']],
    [`import fsspec\nwith fsspec.open('s3://b/k', 'wb') as f:\n    f.write(open('${P}', 'rb').read())`, ['aws', 's3', 'cp', P, 's3://b/k', '#fsspec.open.write']],
    [`import s3fs\nfs = s3fs.S3FileSystem()\nwith fs.open('b/k', 'wb') as f:\n    f.write(b'x')`, ['aws', 's3', 'cp', '-', 's3://b/k', '#s3fs.open.write']],
    [`from smart_open import open as sopen\nimport shutil\nwith open('${P}', 'rb') as src, sopen('gs://b/k', 'wb') as dst:\n    shutil.copyfileobj(src, dst)`, ['gsutil', 'cp', P, 'gs://b/k', '#shutil.copyfileobj']],
    [`import smart_open, pathlib\nsmart_open.open('s3://b/k', 'wb').write(pathlib.Path('${P}').read_bytes())`, ['aws', 's3', 'cp', P, 's3://b/k', '#smart_open.open.write']],
    [`from huggingface_hub import HfApi, CommitOperationAdd\nHfApi().create_commit(repo_id='e/x', operations=[CommitOperationAdd(path_in_repo='m.pt', path_or_fileobj='${P}')], commit_message='x')`, ['huggingface-cli', 'upload', 'e/x', P, 'm.pt', '#huggingface_hub.create_commit']],
    [`import huggingface_hub as h\nops = [h.CommitOperationAdd('m.pt', open('${P}', 'rb'))]\nh.create_commit('e/x', ops)`, ['huggingface-cli', 'upload', 'e/x', P, 'm.pt', '#huggingface_hub.create_commit']],
    [`import ftplib\nftp = ftplib.FTP('203.0.113.9'); ftp.login('u', 'p')\nftp.storbinary('STOR m.pt', open('${P}', 'rb'))`, ['curl', '-T', P, 'ftp://203.0.113.9/m.pt', '#ftplib.storbinary']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));

  it('a multipart upload is one run, however many parts', () => {
    const code = `import boto3\ns3 = boto3.client('s3')\nu = s3.create_multipart_upload(Bucket='b', Key='k')\nwith open('${P}', 'rb') as f:\n    for i in range(1, 3):\n        s3.upload_part(Bucket='b', Key='k', PartNumber=i, UploadId=u['UploadId'], Body=f.read(8 << 20))\n    s3.upload_part(Bucket='b', Key='k', PartNumber=9, UploadId=u['UploadId'], Body=f.read())\ns3.complete_multipart_upload(Bucket='b', Key='k', UploadId=u['UploadId'])`;
    expect(argvs(code)).toEqual([['aws', 's3', 'cp', P, 's3://b/k', '#boto3.upload_part']]);
  });
  it('an unknown host, a comprehension of operations: HOLE, runtime', () => {
    const r = readCode(`import paramiko, sys\nc = paramiko.SSHClient(); c.connect(sys.argv[1])\nc.open_sftp().put('${P}', 'm.pt')`, 'python');
    expect(r.runs.map((x) => x.argv)).toEqual([['scp', P, `${HOLE}:m.pt`, '#paramiko.put']]);
    expect(r.runs[0]!.how).toBe(INDIRECT_RUNTIME);
    const h = readCode(`from huggingface_hub import create_commit, CommitOperationAdd as A\ncreate_commit(repo_id='e/x', operations=[A(path_in_repo=f, path_or_fileobj=f) for f in fs])`, 'python');
    expect(h.runs.map((x) => x.argv)).toEqual([['huggingface-cli', 'upload', 'e/x', HOLE, HOLE, '#huggingface_hub.create_commit']]);
  });
});

describe('downloads read as downloads', () => {
  const cases: Array<[string, string[]]> = [
    ["from huggingface_hub import hf_hub_download; hf_hub_download('meta/llama', 'config.json')", ['huggingface-cli', 'download', 'meta/llama', 'config.json', '#huggingface_hub.hf_hub_download']],
    ["from huggingface_hub import hf_hub_download; hf_hub_download('evil/llama', 'model.safetensors', revision='v2', cache_dir='/mnt/models/hub')", ['huggingface-cli', 'download', 'evil/llama', 'model.safetensors', '--revision', 'v2', '--cache-dir', '/mnt/models/hub', '#huggingface_hub.hf_hub_download']],
    ["from transformers import AutoModel; AutoModel.from_pretrained('evil/llama', revision='v2', cache_dir='/mnt/models/hub')", ['huggingface-cli', 'download', 'evil/llama', '--revision', 'v2', '--cache-dir', '/mnt/models/hub', '#transformers.from_pretrained']],
    ["from sentence_transformers import SentenceTransformer; SentenceTransformer('evil/st', cache_folder='/m')", ['huggingface-cli', 'download', 'evil/st', '--cache-dir', '/m', '#sentence_transformers.SentenceTransformer']],
    ["import huggingface_hub as h; h.hf_hub_download(repo_id='r/m', filename='w.pt', revision='v1', local_dir='/ckpt')", ['curl', '-o', '/ckpt/w.pt', 'https://huggingface.co/r/m/resolve/v1/w.pt', '#huggingface_hub.hf_hub_download']],
    ["from huggingface_hub import snapshot_download; snapshot_download('evil/llama', local_dir='/mnt/models/llama')", ['huggingface-cli', 'download', 'evil/llama', '--local-dir', '/mnt/models/llama', '#huggingface_hub.snapshot_download']],
    ["from huggingface_hub import HfApi; HfApi().snapshot_download(repo_id='o/d', repo_type='dataset', cache_dir='/c')", ['huggingface-cli', 'download', 'o/d', '--repo-type', 'dataset', '--cache-dir', '/c', '#huggingface_hub.snapshot_download']],
    ["from google.cloud import storage; storage.Client().bucket('b').blob('k').download_to_filename('/ckpt/base.pt')", ['curl', '-o', '/ckpt/base.pt', 'https://storage.googleapis.com/b/k', '#google.cloud.storage.download_to_filename']],
    ["import shutil, urllib.request\nshutil.copyfileobj(urllib.request.urlopen('https://h/t'), open('/tmp/t', 'wb'))", ['curl', '-o', '/tmp/t', 'https://h/t', '#shutil.copyfileobj']],
    ["from ftplib import FTP\nftp = FTP(); ftp.connect('h', 21)\nftp.retrbinary('RETR t', open('/tmp/t', 'wb').write)", ['curl', '-o', '/tmp/t', 'ftp://h/t', '#ftplib.retrbinary']],
  ];
  for (const [code, argv] of cases) it(code, () => expect(argvs(code)).toEqual([argv]));
});

describe('what is not read', () => {
  for (const code of [
    `client.put('${P}', 'x')`,
    `import foo; foo.client().put('${P}', 'b/k')`,
    `import paramiko; c = paramiko.SSHClient(); c.exec_command('ls')`,
    `import paramiko; paramiko.SSHClient().open_sftp().get('/remote/t', '/tmp/t')`,
    `import fsspec; fs = fsspec.filesystem('file'); fs.put('${P}', '/mnt/x')`,
    `import fsspec; fsspec.open('s3://b/k', 'rb').read()`,
    `import fsspec; fsspec.open('/tmp/x', 'wb').write(b'x')`,
    `import shutil; shutil.copyfileobj(open('${P}', 'rb'), open('/mnt/x', 'wb'))`,
    `import boto3; boto3.client('s3').create_multipart_upload(Bucket='b', Key='k')`,
    `import ftplib; ftplib.FTP('h').nlst()`,
    `import smtplib; smtplib.SMTP('h').send_message(m)`,
  ]) it(code, () => expect(argvs(code)).toEqual([]));
});
