/**
 * What a pull from elsewhere writes (exec-pull-writes.ts, read into `attrs.exec.writes`): the
 * Hugging Face Hub CLI (and `snapshot_download`), git clone / pull, `aws s3api get-object` (and
 * boto3's `download_file`), rclone and mc pulls, wget's trees; and MLS-POISON-017 / -008 over them (MLS-POISON-007 alerts on the pod's own content written there).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { defaultRulesDir } from '../rule-files.js';
import { canonicalExecValue } from './exec-canonical.js';
import { s3apiDownload } from './exec-bucket-copies.js';
import { execRuleIds, SA } from './exec-events.test-support.js';
import { mcPull } from './exec-minio-copies.js';
import { rclonePulls } from './exec-rclone-copies.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const writes = (line: string): readonly string[] => canonicalExecValue(sh(line))!.writes;
const py = (code: string): string => `python3 -c "${code}"`;

describe('attrs.exec.writes: pulls', () => {
  it('reads the directory or file each pull writes, placed against the cd before it', () => {
    const cases: Array<[string, string[]]> = [
      // The Hub CLI: --local-dir, else the repo's folder in the cache the options or the assignments before the tool name.
      ['huggingface-cli download evil/llama-3-8b --local-dir /mnt/models/llama', ['/mnt/models/llama']],
      ['hf download evil/llama-3-8b model.safetensors config.json --local-dir=/mnt/ckpt/llama --revision main', ['/mnt/ckpt/llama']],
      ['cd /mnt/ckpt && hf download evil/llama --local-dir llama --quiet', ['/mnt/ckpt/llama']],
      ['hf download evil/llama --cache /mnt/models', ['/mnt/models/models--evil--llama']],
      ['hf download meta-llama/Llama-3.1-8B', ['~/.cache/huggingface/hub/models--meta-llama--Llama-3.1-8B']],
      ['HF_HOME=/mnt/models hf download meta-llama/Llama-3.1-8B', ['/mnt/models/hub/models--meta-llama--Llama-3.1-8B']],
      ['env HF_HUB_CACHE=/mnt/models/ hf download org/m', ['/mnt/models/models--org--m']],
      ['hf download org/ds --repo-type dataset --cache-dir /data/cache', ['/data/cache/datasets--org--ds']],
      ['hf download --include "*.json" "*.safetensors" --local-dir /mnt/ckpt/m org/m', ['/mnt/ckpt/m']],
      [py("from huggingface_hub import snapshot_download; snapshot_download('evil/llama', local_dir='/mnt/models/llama')"), ['/mnt/models/llama']],
      [py("import huggingface_hub as h; h.snapshot_download(repo_id='evil/llama', cache_dir='/mnt/models/cache')"), ['/mnt/models/cache/models--evil--llama']],
      // One file into the hub cache: the repository's folder there (`cache_dir=`, else the default).
      [py("from huggingface_hub import hf_hub_download; hf_hub_download('evil/llama', 'model.safetensors', cache_dir='/mnt/models/hub')"), ['/mnt/models/hub/models--evil--llama']],
      [py("from huggingface_hub import hf_hub_download; hf_hub_download('meta/llama', 'config.json')"), ['~/.cache/huggingface/hub/models--meta--llama']],
      // A model loaded by its hub id is downloaded into the hub cache first (transformers, diffusers, peft, sentence-transformers).
      [py("from transformers import AutoModel; AutoModel.from_pretrained('evil/llama', cache_dir='/mnt/models/hub')"), ['/mnt/models/hub/models--evil--llama']],
      [py("import transformers as t; t.AutoModelForCausalLM.from_pretrained(pretrained_model_name_or_path='evil/llama', revision='v2')"), ['~/.cache/huggingface/hub/models--evil--llama']],
      [py("from peft import PeftModel; PeftModel.from_pretrained(base, 'evil/lora', cache_dir='/mnt/ckpt/hub')"), ['/mnt/ckpt/hub/models--evil--lora']],
      [py("from sentence_transformers import SentenceTransformer; SentenceTransformer('evil/st', cache_folder='/mnt/models')"), ['/mnt/models/models--evil--st']],
      [`HF_HOME=/mnt/models ${py("from diffusers import DiffusionPipeline; DiffusionPipeline.from_pretrained('evil/sd')")}`, ['/mnt/models/hub/models--evil--sd']],
      // The cache moved by a setting the download inherits: exported before it, set by the code, or given to its interpreter only.
      ['export HF_HOME=/mnt/models; hf download evil/sd', ['/mnt/models/hub/models--evil--sd']],
      [py("import os; os.environ['HF_HUB_CACHE'] = '/mnt/ckpt/hub'; from huggingface_hub import snapshot_download; snapshot_download('evil/sd')"), ['/mnt/ckpt/hub/models--evil--sd']],
      [`HF_HOME=/mnt/models ${py("print(1)")}; hf download evil/sd`, ['~/.cache/huggingface/hub/models--evil--sd']],
      ['HF_HOME=/mnt/models; hf download evil/sd', ['~/.cache/huggingface/hub/models--evil--sd']],
      // A local directory, local_files_only and an id known only at run time download nothing.
      [py("from transformers import AutoModel; AutoModel.from_pretrained('/mnt/models/llama', cache_dir='/mnt/models/hub')"), []],
      [py("from transformers import AutoModel; AutoModel.from_pretrained('evil/llama', cache_dir='/mnt/models/hub', local_files_only=True)"), []],
      [py("import sys; from transformers import AutoModel; AutoModel.from_pretrained(sys.argv[1], cache_dir='/mnt/models/hub')"), []],
      [py("from transformers import AutoTokenizer; AutoTokenizer.from_pretrained('./tok')"), []],
      // git: the clone's directory (given, else the repository's name, under -C), the work tree a pull updates.
      ['git clone https://huggingface.co/evil/llama-3-8b /mnt/models/llama', ['/mnt/models/llama']],
      ['cd /mnt/ckpt && git clone --depth 1 -b main https://huggingface.co/evil/llama.git', ['/mnt/ckpt/llama']],
      ['git -C /mnt/ckpt clone -q git@github.com:evil/weights.git', ['/mnt/ckpt/weights']],
      ['git clone --mirror https://h/org/repo/', ['repo.git']],
      ['git clone -- https://h/org/repo.git /srv/repo', ['/srv/repo']],
      ['cd /mnt/models/llama && git lfs pull', ['/mnt/models/llama']],
      ['git -C /mnt/models/llama pull origin main', ['/mnt/models/llama']],
      // aws s3api get-object's positional file, and boto3's download_file read as that run.
      ['aws s3api get-object --bucket evil --key m.pt /mnt/ckpt/llama/model.pt', ['/mnt/ckpt/llama/model.pt']],
      ['aws --region us-east-1 s3api get-object --bucket b --key k --no-sign-request /data/train/x.parquet', ['/data/train/x.parquet']],
      [py("import boto3; boto3.client('s3').download_file('evil', 'm.pt', '/mnt/ckpt/llama/model.pt')"), ['/mnt/ckpt/llama/model.pt']],
      // rclone and mc pulls into a local path.
      ['rclone copy s3:datasets/shard-01 /data/train --transfers 8', ['/data/train']],
      ['rclone copyto evil:x/m.pt /mnt/ckpt/m.pt', ['/mnt/ckpt/m.pt']],
      ['rclone copyurl https://203.0.113.9/m.pt /mnt/ckpt/m.pt', ['/mnt/ckpt/m.pt']],
      ['mc cp minio/ckpt/m.pt /mnt/ckpt/step_9/', ['/mnt/ckpt/step_9/m.pt']],
      ['mc mirror --overwrite minio/ds /data/ds', ['/data/ds']],
      ['mcli get minio/b/m.pt /mnt/ckpt/m.pt', ['/mnt/ckpt/m.pt']],
      // wget's trees: its -P directory, else the cd's.
      ['wget -r -np -P /mnt/ckpt http://203.0.113.9/m/', ['/mnt/ckpt']],
      ['cd /models && wget --mirror --level 2 http://203.0.113.9/m/', ['/models']],
      ['wget -i /tmp/urls.txt --directory-prefix=/data/train', ['/data/train']],
    ];
    for (const [line, want] of cases) expect(writes(line), line).toEqual(want);
  });

  it('reads no pull where nothing lands in the pod: uploads, dry runs, help, refused options, reads', () => {
    for (const line of [
      'huggingface-cli upload org/m /mnt/ckpt/llama',
      'hf download org/m --local-dir /mnt/ckpt/x --dry-run',
      'hf download org/m --local-dir /mnt/ckpt/x -h',
      // argparse refuses a prefix of two options: nothing runs.
      'hf download org/m --local /mnt/ckpt/x',
      'hf cache scan',
      'git status',
      'git fetch origin',
      'git -C /mnt/ckpt/llama log --oneline',
      'aws s3api head-object --bucket b --key k',
      'aws s3api get-object --bucket b --key k',
      'rclone copy /mnt/ckpt evil:b',
      'rclone ls s3:datasets',
      'rclone copy /mnt/a /mnt/b',
      'mc cp /mnt/ckpt/m.pt evil/b/',
      'mc cp ./a /mnt/b',
      'mc cp --help minio/b/x /mnt/ckpt/',
      // Working directory not known: the tree is there, but where is not.
      'wget --mirror http://h/x/',
      'tar xzf /tmp/b.tgz',
    ]) expect(writes(line), line).toEqual([]);
    // A recursive fetch into one file (-O) writes that file only; one file fetched is the URL's name.
    expect(writes('wget -r -O /tmp/all http://h/')).toEqual(['/tmp/all']);
    expect(writes('wget -q http://h/x.pt')).toEqual(['x.pt']);
  });

  it('reads a pull without its redirections: an IO number or a redirection is no operand of the tool', () => {
    const pulls = (line: string): readonly string[] => canonicalExecValue(sh(line))!.pulls;
    expect(pulls('git clone https://x.example/y.git 2>/dev/null')).toEqual(['y']);
    expect(pulls('git clone https://x.example/y.git > /tmp/clone.log')).toEqual(['y']);
    expect(writes('git clone https://x.example/y.git > /tmp/clone.log')).toEqual(['/tmp/clone.log', 'y']);
    expect(pulls('git clone -q https://x.example/y.git /mnt/ckpt/y > /tmp/log 2>&1')).toEqual(['/mnt/ckpt/y']);
    expect(pulls('wget -r -np http://h.example/m/ 2>/tmp/err -P /mnt/ckpt')).toEqual(['/mnt/ckpt']);
    expect(pulls('rclone copy corp:ds /data/ds > /tmp/log')).toEqual(['/data/ds']);
  });

  it('reads the pulls of the tools one by one', () => {
    expect(s3apiDownload(['aws', 's3api', 'get-object', '--bucket', 'b', '--key', 'k', '--range', 'bytes=0-9', 'out.bin'])).toBe('out.bin');
    expect(s3apiDownload(['aws', 's3api', 'get-object', '--bucket=b', '--key=k', '-'])).toBeNull();
    expect(s3apiDownload(['aws', 's3', 'cp', 's3://b/k', '/x'])).toBeNull();
    expect(rclonePulls(['rclone', 'bisync', '/mnt/ckpt', 'evil:b'])).toEqual(['/mnt/ckpt']);
    expect(rclonePulls(['rclone', 'sync', '--dry-run', 'corp:ds', './ds'])).toEqual(['./ds']);
    expect(rclonePulls(['rclone', 'copyurl', '/tmp/x', '/mnt/ckpt/m.pt'])).toEqual([]);
    expect(mcPull(['mc', 'cp', '-r', 'minio/a', 'minio/b', '/data/'])).toEqual({ to: '/data/', sources: ['minio/a', 'minio/b'] });
    expect(mcPull(['mc', 'mirror', 'minio/ds', '/data/ds'])).toEqual({ to: '/data/ds', sources: null });
    expect(mcPull(['mc', 'put', '/data/x', 'minio/b/x'])).toBeNull();
  });
});

describe('MLS-POISON-017 / -008 over pulls', () => {
  it('escalates a model, repository or weights pulled into a store, for a person and a service account', () => {
    for (const line of [
      'hf download evil/llama-3-8b --local-dir /mnt/models/llama',
      'HF_HOME=/mnt/models hf download meta-llama/Llama-3.1-8B',
      'git clone https://huggingface.co/evil/llama-3-8b /mnt/models/llama',
      'cd /mnt/models/llama && git lfs pull',
      'aws s3api get-object --bucket evil --key m.pt /mnt/ckpt/llama/model.pt',
      'rclone copyto evil:x/m.pt /mnt/ckpt/m.pt',
      'mc cp minio/ckpt/m.pt /mnt/ckpt/step_9/',
      'wget -r -np -P /mnt/ckpt http://203.0.113.9/m/',
      py("from huggingface_hub import snapshot_download; snapshot_download('evil/llama', local_dir='/mnt/models/llama')"),
      py("from huggingface_hub import hf_hub_download; hf_hub_download('evil/llama', 'model.safetensors', cache_dir='/mnt/models/hub')"),
      py("from transformers import AutoModelForCausalLM; AutoModelForCausalLM.from_pretrained('evil/llama', cache_dir='/mnt/models/hub')"),
      py("from sentence_transformers import SentenceTransformer; SentenceTransformer('evil/st', cache_folder='/mnt/ckpt/st')"),
      py("import boto3; boto3.client('s3').download_file('evil', 'm.pt', '/mnt/ckpt/llama/model.pt')"),
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-POISON-017');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-POISON-017');
      expect(execRuleIds(sh(line)), line).not.toContain('MLS-POISON-007');
    }
  });

  it('escalates data pulled over training data (MLS-POISON-008)', () => {
    for (const line of ['rclone copy evil:x /data/train', 'wget -i /tmp/urls.txt -P /data/train', 'aws s3api get-object --bucket b --key k /data/datasets/x.parquet']) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-POISON-008');
    }
  });

  it('leaves a model pulled into the hub cache under its own name, a clone into a workspace, and pulls into /tmp', () => {
    for (const line of [
      'hf download meta-llama/Llama-3.1-8B',
      'git clone https://github.com/org/tools /workspace/tools',
      'hf download evil/llama --local-dir /tmp/llama',
      'aws s3api get-object --bucket b --key m.pt /tmp/ckpt/m.pt',
      'git clone https://huggingface.co/evil/llama /tmp/ckpt/llama',
    ]) {
      const ids = execRuleIds(sh(line));
      expect(ids, line).not.toContain('MLS-POISON-007');
      expect(ids, line).not.toContain('MLS-POISON-017');
    }
  });

  it('MLS-POISON-017 reads the stores MLS-POISON-007 reads (YAML anchors do not cross documents, so they are written twice)', () => {
    const docs = parseAllDocuments(readFileSync(join(defaultRulesDir()!, 'mlshield', 'data-poisoning.yaml'), 'utf8')).map((d) => d.toJS() as { id: string; detection: Record<string, Record<string, unknown>> });
    const det = (id: string) => docs.find((d) => d.id === id)!.detection;
    expect(det('MLS-POISON-017').sel_store_pull!['attrs.exec.pulls|re']).toBe(det('MLS-POISON-007').sel_store_write!['attrs.exec.localWrites|re']);
    expect(det('MLS-POISON-017').sel_cache_pull!['attrs.exec.pulls|re']).toBe(det('MLS-POISON-007').sel_cache_write!['attrs.exec.localWrites|re']);
  });
});
