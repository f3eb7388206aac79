/**
 * A harmless command must not hide a harmful one in the same exec. Each rule below once judged a
 * tool's mode with a selection over the whole exec (`… and not <a decode somewhere>`), so a
 * decode, a test, a secret or a closed setting in one command silenced the act in another. They
 * now read `attrs.exec.toolLine` (one line per command, a tool with its own words) and say "this
 * tool with this option and without that one" of one command. Through the shipped rule set and the
 * real engine, for a person and a service account; beside each, the neighbours that stay quiet.
 */
import { describe, it } from 'vitest';
import { expectQuiet as quiet, expectRaised as raises } from './exec-events.test-support.js';

describe('MLS-EXFIL-043: encoding, encrypting or splitting a checkpoint, judged per command', () => {
  it('alerts when a decode, a decryption or a revert sits in another command of the exec', () => {
    raises('MLS-EXFIL-043', [
      'echo aGk= | base64 -d; base64 /mnt/ckpt/model.pt > /tmp/m.b64',
      'base64 --decode /tmp/a > /tmp/b && base64 -w0 /mnt/ckpt/model.safetensors',
      'gpg -d /tmp/x.gpg > /tmp/x; gpg -c --batch --passphrase x /mnt/ckpt/model.pt',
      'gpg --decrypt /tmp/k.asc; gpg2 --symmetric /mnt/ckpt/model.pt',
      'xxd -r /tmp/a > /tmp/b; xxd -p /mnt/ckpt/model.pt > /tmp/m.hex',
      'age -d -i k.txt /tmp/a.age > /tmp/a; age -p -o /tmp/m.age /mnt/ckpt/model.pt',
      'openssl enc -d -aes-256-cbc -in /tmp/a -out /tmp/b; openssl enc -aes-256-cbc -in /mnt/ckpt/model.pt -out /tmp/m.enc',
      'openssl base64 -in /mnt/ckpt/model.pt',
      'gpg -se -r ops@corp.example /mnt/ckpt/model.pt',
    ]);
  });

  it('still alerts on a checkpoint fed by a pipeline to an encoder', () => {
    raises('MLS-EXFIL-043', ['cat /mnt/ckpt/model.pt | base64 -d > /dev/null; cat /mnt/ckpt/model.pt | base64']);
  });

  it('leaves decoding, decrypting, reverting and verifying a checkpoint', () => {
    quiet('MLS-EXFIL-043', [
      'base64 -d /tmp/model.b64 > /mnt/ckpt/model.pt',
      'base64 -di /tmp/model.b64 > /mnt/ckpt/model.pt',
      'gpg -d /mnt/ckpt/model.pt.gpg > /mnt/ckpt/model.pt',
      'gpg --decrypt -o /mnt/ckpt/model.pt /tmp/model.gpg',
      'xxd -r -p /tmp/model.hex /mnt/ckpt/model.pt',
      'age -d -i key.txt -o /mnt/ckpt/model.pt /tmp/model.age',
      'openssl enc -d -aes-256-cbc -in /tmp/m.enc -out /mnt/ckpt/model.pt',
      'openssl smime -verify -in /mnt/ckpt/model.pt.p7s -content /mnt/ckpt/model.pt',
      'gpg --verify /mnt/ckpt/model.pt.sig /mnt/ckpt/model.pt',
      'xxd /mnt/ckpt/model.safetensors | head',
    ]);
  });
});

describe('MLS-EXFIL-013: compressing a checkpoint, judged per command', () => {
  it('alerts when a decompression, a test or a listing sits in another command of the exec', () => {
    raises('MLS-EXFIL-013', [
      'gzip -t /tmp/a.gz; gzip -c /mnt/ckpt/model.pt > /tmp/m.gz',
      'zstd -d /tmp/a.zst && zstd -19 -o /tmp/m.zst /mnt/ckpt/model.safetensors',
      'xz -l /tmp/a.xz; xz -T0 -k /mnt/ckpt/model.pt',
      'bzip2 -t /tmp/a.bz2 || bzip2 -k /mnt/ckpt/model.pt',
      'lz4 -d /tmp/a.lz4 /tmp/a; lz4 /mnt/ckpt/model.pt /tmp/m.lz4',
    ]);
  });

  it('alerts on a compressor fed a checkpoint or run in a checkpoint directory, with a decompression beside it', () => {
    raises('MLS-EXFIL-013', [
      'gunzip /tmp/x.gz; cat /mnt/ckpt/model.pt | gzip > /tmp/m.gz',
      'cd /mnt/ckpt && gzip -t a.gz && gzip -c model.pt > /tmp/m.gz',
    ]);
  });

  it('leaves decompressing, testing and listing checkpoints', () => {
    quiet('MLS-EXFIL-013', [
      'gzip -dc /mnt/ckpt/model.pt.gz > /mnt/ckpt/model.pt',
      'zstd -qdk /mnt/ckpt/model.pt.zst',
      'xz --decompress /mnt/ckpt/model.safetensors.xz',
      'xz -l /mnt/ckpt/model.pt.xz',
      'pigz -t /mnt/ckpt/model.pt.gz',
      'bzip2 -dk /mnt/ckpt/model.pt.bz2',
      'cd /mnt/ckpt && gzip -dc model.pt.gz > model.pt',
      'cat /mnt/ckpt/model.pt.gz | gzip -d > /tmp/m',
    ]);
  });
});

describe('MLS-RAY-037: aria2 RPC open to all, judged per command', () => {
  it('alerts when a secret is given to another aria2c of the exec', () => {
    raises('MLS-RAY-037', ['aria2c --rpc-secret x -v; aria2c --enable-rpc --rpc-listen-all', 'aria2c --enable-rpc=true --rpc-listen-all=true -D']);
  });

  it('leaves aria2 RPC with a secret or on the loopback', () => {
    quiet('MLS-RAY-037', ['aria2c --enable-rpc --rpc-listen-all --rpc-secret=s3cr3t', 'aria2c --enable-rpc -D', 'aria2c https://example.com/a.iso']);
  });
});

describe('MLS-RAY-030: a writable web terminal with no credential, judged per command', () => {
  it('alerts when a credential is given to another terminal of the exec, or to the command the terminal runs', () => {
    raises('MLS-RAY-030', [
      'ttyd -c a:b -p 7682 htop & ttyd -W bash',
      'ttyd -W bash -c "tmux attach"',
      'ttyd -OW -p 7681 bash',
      'gotty -c u:p top & gotty -w bash',
    ]);
  });

  it('leaves a writable terminal with a credential and a read-only one', () => {
    quiet('MLS-RAY-030', ['ttyd -W -c admin:pw -p 7681 bash', 'ttyd -Wc admin:pw bash', 'ttyd --writable --credential=admin:pw bash', 'gotty -w -c u:p bash', 'ttyd -p 7681 bash -c "htop -W"']);
  });

  it('alerts on an emptied Jupyter token beside one given by a command substitution', () => {
    raises('MLS-RAY-030', ['jupyter lab --ServerApp.token=$(openssl rand -hex 8) --port 9999 & jupyter lab --ServerApp.token= --ip 0.0.0.0']);
    quiet('MLS-RAY-030', ['jupyter lab --ServerApp.token="$(openssl rand -hex 8)" --ip 0.0.0.0', 'jupyter lab --ServerApp.token=`openssl rand -hex 8`']);
  });
});

describe('MLS-EXFIL-041: an Azure container opened to everyone, judged per command', () => {
  it('alerts when blob public access is turned off in another az command of the exec', () => {
    raises('MLS-EXFIL-041', [
      'az storage account update -n acct --allow-blob-public-access false; az storage container set-permission --name ckpt --public-access blob',
      'az storage account update -n acct --allow-blob-public-access true',
      'az storage account update -n acct --allow-blob-public-access',
      'az storage container create -n ckpt --public-access=container',
    ]);
  });

  it('leaves blob public access turned off and private containers', () => {
    quiet('MLS-EXFIL-041', [
      'az storage account update -n acct --allow-blob-public-access false',
      'az storage account update -n acct --allow-blob-public-access=false',
      'az storage container set-permission --name ckpt --public-access off',
    ]);
  });
});

describe('MLS-EXFIL-016 / -037: Vercel serve and Ray Serve, judged per command', () => {
  it('alerts when a Ray Serve command sits beside a file server', () => {
    raises('MLS-EXFIL-037', ['serve status; npx serve -l 8000 /mnt/ckpt']);
    raises('MLS-EXFIL-016', ['serve status; npx serve -l 8000 /mnt/ckpt', 'npx serve -s build']);
  });

  it('leaves Ray Serve by its subcommand', () => {
    quiet('MLS-EXFIL-016', ['serve run config.yaml', 'serve deploy /mnt/ckpt/serve.yaml', 'serve status', 'serve build app:graph -o config.yaml']);
  });
});
