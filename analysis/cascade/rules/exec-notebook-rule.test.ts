/**
 * Notebook servers from inside a pod, through the shipped rule set and the real engine: code run
 * through a Jupyter server's API (a terminal, a kernel's channels, a kernel or session started, a
 * file written: MLS-RAY-028), its kernels, sessions and files read (MLS-RAY-029, escalated), and a
 * notebook, editor or terminal server started that asks for no password (MLS-RAY-030). A server
 * started with its token, a terminal server with a credential or read-only, and everyday requests
 * to other services raise none of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { defaultRulesDir } from '../rule-files.js';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const RULES = ['MLS-RAY-028', 'MLS-RAY-029', 'MLS-RAY-030'];
const fired = (argv: string[]): string[] => execRuleIds(argv).filter((id) => RULES.includes(id));

describe('a Jupyter server driven from a pod (MLS-RAY-028, MLS-RAY-029)', () => {
  it('alerts on a terminal, a kernel channel, a kernel or session started, a file written', () => {
    for (const argv of [
      sh('curl -s -XPOST http://nb-0.research.svc:8888/api/terminals'),
      sh('curl -s http://jupyterhub.ml.svc/user/alice/api/terminals?token=abc'),
      sh('websocat ws://nb-0.research.svc:8888/terminals/websocket/1'),
      sh('websocat ws://10.0.3.9:8888/api/kernels/5a7e2c1d-0b1f-4f7a-9a51-3a8e3f6d2b10/channels'),
      sh('curl -s -X POST http://nb-0.research.svc:8888/api/kernels?token=abc'),
      sh(`curl -s --request POST -H 'Content-Type: application/json' --data '{"kernel":{"name":"python3"},"path":"x.ipynb","type":"notebook"}' http://10.0.3.9:8888/api/sessions`),
      sh('curl -X PUT -d @startup.json http://nb:8888/api/contents/.ipython/profile_default/startup/00.py'),
      sh('http POST nb:8888/api/kernels'),
      ['python3', '-c', "import requests; requests.post('http://nb:8888/api/kernels')"],
      ['python3', '-c', "import websocket; ws = websocket.create_connection('ws://nb:8888/api/kernels/abc/channels'); ws.send(msg)"],
    ]) {
      expect(fired(argv), argv.join(' ')).toEqual(['MLS-RAY-028']);
      expect(execRuleIds(argv, SA), argv.join(' ')).toContain('MLS-RAY-028');
    }
  });

  it('escalates a listing of kernels or sessions, a file or notebook read, the hub users listed', () => {
    for (const argv of [
      sh('curl -s http://10.0.3.9:8888/api/kernels'),
      sh("curl -s -H 'Authorization: token abc' http://10.0.3.9:8888/api/contents/work/creds.ipynb"),
      sh('wget -qO- http://nb-0.research.svc:8888/api/sessions'),
      sh('curl -s -H "Authorization: token $HUB_TOKEN" http://jupyterhub.ml.svc/hub/api/users'),
      ['python3', '-c', "import requests; print(requests.get('http://nb:8888/api/contents/').json())"],
    ]) expect(fired(argv), argv.join(' ')).toEqual(['MLS-RAY-029']);
  });

  it('MLS-RAY-029 leaves to MLS-RAY-028 exactly what it alerts on (YAML anchors do not cross documents, so the selections are written twice)', () => {
    const docs = parseAllDocuments(readFileSync(join(defaultRulesDir()!, 'mlshield', 'shadowray.yaml'), 'utf8')).map((d) => d.toJS() as { id: string; detection: Record<string, unknown> });
    const detection = (id: string): Record<string, unknown> => docs.find((d) => d.id === id)!.detection;
    for (const name of ['sel_terminal', 'sel_channels', 'sel_write_method']) {
      expect(detection('MLS-RAY-029')[name], name).toEqual(detection('MLS-RAY-028')[name]);
      expect(detection('MLS-RAY-029')[name], name).toBeDefined();
    }
  });

  it('leaves other services, and paths that only look alike', () => {
    for (const argv of [
      sh('curl -s http://localhost:8265/api/jobs/'),
      sh('curl -s -XPOST http://mlflow.ml.svc:5000/api/2.0/mlflow/runs/create -d @run.json'),
      sh('curl -s http://grafana.monitoring/api/dashboards/home'),
      sh('jupyter kernelspec list'),
      sh('jupyter notebook list'),
      sh('ls /home/jovyan/work/api/contents-notes.md'),
    ]) expect(fired(argv), argv.join(' ')).toEqual([]);
  });
});

describe('a server that runs code for anyone started from a pod (MLS-RAY-030)', () => {
  it('alerts on Jupyter with its token emptied, code-server without auth, ttyd or GoTTY writable without a credential', () => {
    for (const argv of [
      sh("jupyter notebook --ip=0.0.0.0 --port=8899 --no-browser --allow-root --NotebookApp.token='' --NotebookApp.password=''"),
      sh('nohup jupyter lab --ip 0.0.0.0 --ServerApp.token= --allow-root &'),
      sh(`jupyter server --ip=0.0.0.0 --IdentityProvider.token "" &`),
      sh("jupyter notebook --ip=0.0.0.0 --NotebookApp.token '' --NotebookApp.password ''"),
      sh('python -m notebook --NotebookApp.token= --ip=0.0.0.0'),
      ['jupyter-lab', '--ip=0.0.0.0', '--ServerApp.token=', '--allow-root'],
      // The empty token as its own argv element (kubectl exec pod -- jupyter lab --ServerApp.token '').
      ['jupyter', 'lab', '--ip', '0.0.0.0', '--ServerApp.token', '', '--allow-root'],
      ['python3', '-m', 'notebook', '--NotebookApp.token', '', '--NotebookApp.password', ''],
      sh('code-server --bind-addr 0.0.0.0:8080 --auth none /mnt/ckpt'),
      sh('nohup ttyd -W -p 7681 bash >/dev/null 2>&1 &'),
      sh('gotty -w -p 8080 /bin/sh'),
    ]) {
      expect(fired(argv), argv.join(' ')).toEqual(['MLS-RAY-030']);
      expect(execRuleIds(argv, SA), argv.join(' ')).toContain('MLS-RAY-030');
    }
  });

  it('leaves a server with a token or password, a credential, read-only terminals and the loopback with a token', () => {
    for (const argv of [
      sh('jupyter lab --ip 0.0.0.0 --ServerApp.token=s3cr3t --allow-root'),
      sh("jupyter notebook --ip=127.0.0.1 --NotebookApp.token=$(openssl rand -hex 24)"),
      sh('jupyter notebook --ip=0.0.0.0 --NotebookApp.token="$JUPYTER_TOKEN"'),
      sh('jupyter lab --no-browser'),
      sh('code-server --bind-addr 127.0.0.1:8080 --auth password'),
      sh('ttyd -W -c admin:pw -p 7681 bash'),
      sh('ttyd -p 7681 htop'),
      sh('gotty -c user:pw -w bash'),
      ['jupyter', 'lab', '--ip', '0.0.0.0', '--ServerApp.token', 's3cr3t', '--ServerApp.password', ''],
      ['jupyter', 'lab', '--ip', '0.0.0.0', '--ServerApp.token'],
    ]) expect(fired(argv), argv.join(' ')).toEqual([]);
  });
});

describe('a remote-login or remote-control server started from a pod (MLS-RAY-037)', () => {
  const ray037 = (argv: string[], actor?: string): boolean => execRuleIds(argv, actor).includes('MLS-RAY-037');
  it('alerts on SSH, telnet, web-shell, WebSocket-shell, VNC servers and aria2 RPC open to all, for a person and a service account', () => {
    for (const argv of [
      sh('/usr/sbin/sshd -p 2222 -o PermitRootLogin=yes'),
      sh('mkdir -p /run/sshd && /usr/sbin/sshd'),
      sh('dropbear -p 2222 -R -F -E &'),
      sh('service ssh start'),
      sh('/etc/init.d/ssh restart'),
      sh('busybox telnetd -l /bin/sh -p 2323'),
      sh('shellinaboxd -t -p 4200 -s /:LOGIN -b'),
      sh(`websocat -s 0.0.0.0:8080 sh-c:'bash -i'`),
      sh('websocat --exec bash ws-l:0.0.0.0:8080'),
      sh('x11vnc -forever -nopw -display :0'),
      sh('aria2c --enable-rpc --rpc-listen-all --rpc-allow-origin-all -D'),
      sh('aria2c --enable-rpc=true --rpc-listen-all=true --dir=/'),
      ['nohup', '/usr/sbin/sshd', '-D'],
      // A configuration check in one command hides no server in another.
      sh('sshd -t && /usr/sbin/sshd -p 2222'),
      sh('/usr/sbin/sshd -T > /dev/null; sshd'),
    ]) {
      expect(ray037(argv), argv.join(' ')).toBe(true);
      expect(ray037(argv, SA), argv.join(' ')).toBe(true);
    }
  });

  it('leaves configuration checks, clients, status queries, an RPC server with a secret and downloads', () => {
    for (const argv of [
      sh('sshd -t'),
      sh('/usr/sbin/sshd -T | grep permitrootlogin'),
      sh('sshd -T -C user=alice,host=h,addr=10.0.0.1'),
      sh('sshd -V'),
      sh('ssh u@bastion uptime'),
      sh('service ssh status'),
      sh('dropbearkey -t ed25519 -f /tmp/k'),
      sh('websocat ws://svc.ns:8080/ws'),
      sh('aria2c --enable-rpc --rpc-listen-all --rpc-secret=$TOKEN'),
      sh('aria2c -x 8 https://huggingface.co/x/resolve/main/model.safetensors'),
      sh('apt-get install -y openssh-server'),
      sh('which sshd telnetd'),
    ]) expect(ray037(argv), argv.join(' ')).toBe(false);
  });
});
