import { describe, expect, it } from 'vitest';
import { loadRuleSet } from './rule-loader.js';
import { createRuleEngine } from './engine.js';
import { auditEvent } from './fixtures.test-support.js';

/** Compiles a Sigma rule with the given detection block and returns a matcher over audit objects. */
function rule(detection: string): (audit: Record<string, unknown>) => boolean {
  const text = `title: t\nid: r1\nlogsource: {product: kubernetes, service: audit}\nlevel: high\ndetection:\n${detection.replace(/^/gm, '  ')}\n`;
  const set = loadRuleSet([{ path: 't.yml', text }]);
  if (set.errors.length) throw new Error(JSON.stringify(set.errors));
  const engine = createRuleEngine(set.rules);
  return (audit) => engine.evaluate(auditEvent(audit)).length > 0;
}

const exec = {
  verb: 'create',
  user: { username: 'Alice@Corp', groups: ['system:authenticated', 'dev-team'] },
  objectRef: { resource: 'pods', subresource: 'exec', namespace: 'ml-train', name: 'trainer-0' },
  requestURI: '/api/v1/namespaces/ml-train/pods/trainer-0/exec?command=%2Fbin%2Fbash&command=-c&container=t',
  sourceIPs: ['10.1.2.3', '::ffff:192.168.0.7'],
  userAgent: 'kubectl/v1.29.0 (linux/amd64)',
  responseStatus: { code: 101 },
  annotations: { 'authorization.k8s.io/decision': 'allow' },
  requestObject: {
    spec: {
      containers: [
        { name: 'a', image: 'nginx', securityContext: { capabilities: { add: ['NET_ADMIN'] } } },
        { name: 'b', image: 'evil/miner:latest', securityContext: { privileged: true } },
      ],
      volumes: [{ name: 'h', hostPath: { path: '/var/run/docker.sock' } }],
      hostNetwork: true,
    },
    data: { 'app.properties': 'db.password=hunter2\nmode=x' },
  },
};

describe('Sigma values and modifiers', () => {
  it('plain values are case-insensitive; lists are OR; numbers, booleans, null', () => {
    expect(rule('s:\n  verb: CREATE\ncondition: s')(exec)).toBe(true);
    expect(rule('s:\n  verb: [get, create]\ncondition: s')(exec)).toBe(true);
    expect(rule('s:\n  verb: [get, list]\ncondition: s')(exec)).toBe(false);
    expect(rule('s:\n  responseStatus.code: 101\ncondition: s')(exec)).toBe(true);
    expect(rule("s:\n  responseStatus.code: '101'\ncondition: s")(exec)).toBe(true);
    expect(rule('s:\n  responseStatus.code: 201\ncondition: s')(exec)).toBe(false);
    expect(rule('s:\n  privileged: true\ncondition: s')(exec)).toBe(true);
    expect(rule('s:\n  hostPID: null\ncondition: s')(exec)).toBe(true);
    expect(rule('s:\n  verb: null\ncondition: s')(exec)).toBe(false);
    expect(rule("s:\n  objectRef.apiGroup: ''\ncondition: s")(exec)).toBe(false);
  });

  it('wildcards and escapes', () => {
    expect(rule("s:\n  user.username: 'alice@*'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  user.username: '*@corp'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  user.username: '*ce@c*'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  user.username: 'al?ce@co*p'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  user.username: 'al?e@corp'\ncondition: s")(exec)).toBe(false);
    expect(rule("s:\n  verb: '*'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  hostPID: '*'\ncondition: s")(exec)).toBe(false);
    expect(rule("s:\n  verb: 'cre\\*'\ncondition: s")(exec)).toBe(false);
    expect(rule("s:\n  x: 'a\\*b'\ncondition: s")({ x: 'a*b' })).toBe(true);
    expect(rule("s:\n  x: 'a\\*b'\ncondition: s")({ x: 'axxb' })).toBe(false);
    expect(rule("s:\n  x: 'a\\?'\ncondition: s")({ x: 'a?' })).toBe(true);
    expect(rule("s:\n  x: 'C:\\\\*'\ncondition: s")({ x: 'C:\\temp' })).toBe(true);
    expect(rule("s:\n  x: 'C:\\temp'\ncondition: s")({ x: 'C:\\temp' })).toBe(true);
  });

  it('contains, startswith, endswith (case-insensitive), cased', () => {
    expect(rule("s:\n  requestURI|contains: '%2FBIN%2FBASH'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  requestURI|startswith: '/api/v1/namespaces/ml-train/'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  requestURI|endswith: 'container=T'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  requestURI|endswith: 'container=T'\n  requestURI|endswith|cased: 'container=t'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  user.username|cased: 'alice@corp'\ncondition: s")(exec)).toBe(false);
    expect(rule("s:\n  user.username|contains|cased: 'Alice'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  requestURI|contains: 'a*c'\ncondition: s")({ requestURI: 'xxabcxx' })).toBe(true);
  });

  it('all: every value must match', () => {
    expect(rule('s:\n  requestURI|contains|all: [exec, bash]\ncondition: s')(exec)).toBe(true);
    expect(rule('s:\n  requestURI|contains|all: [exec, zsh]\ncondition: s')(exec)).toBe(false);
    expect(rule('s:\n  user.groups|all: [dev-team, system:authenticated]\ncondition: s')(exec)).toBe(true);
  });

  it('re with sub-modifiers i, m, s; re is case-sensitive', () => {
    expect(rule("s:\n  userAgent|re: '^kubectl/v1\\.(2[0-9])'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  userAgent|re: '^KUBECTL'\ncondition: s")(exec)).toBe(false);
    expect(rule("s:\n  userAgent|re|i: '^KUBECTL'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  x|re|m: '^b$'\ncondition: s")({ x: 'a\nb\nc' })).toBe(true);
    expect(rule("s:\n  x|re|s: 'a.b'\ncondition: s")({ x: 'a\nb' })).toBe(true);
    expect(rule("s:\n  x|re: 'a.b'\ncondition: s")({ x: 'a\nb' })).toBe(false);
  });

  it('cidr over IPv4, IPv6 and IPv4-mapped addresses', () => {
    expect(rule("s:\n  sourceIPs|cidr: '10.0.0.0/8'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  sourceIPs|cidr: '192.168.0.0/24'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  sourceIPs|cidr: ['172.16.0.0/12', '8.8.8.8/32']\ncondition: s")(exec)).toBe(false);
    expect(rule("s:\n  ip|cidr: 'fd00::/8'\ncondition: s")({ ip: 'fd12:3456::1' })).toBe(true);
    expect(rule("s:\n  ip|cidr: 'fd00::/8'\ncondition: s")({ ip: 'fe80::1' })).toBe(false);
    expect(rule("s:\n  ip|cidr: '10.0.0.0/8'\ncondition: s")({ ip: 'not-an-ip' })).toBe(false);
  });

  it('exists', () => {
    expect(rule('s:\n  objectRef.subresource|exists: true\ncondition: s')(exec)).toBe(true);
    expect(rule('s:\n  objectRef.apiGroup|exists: true\ncondition: s')(exec)).toBe(false);
    expect(rule('s:\n  objectRef.apiGroup|exists: false\ncondition: s')(exec)).toBe(true);
  });

  it('lt, lte, gt, gte on numbers and numeric strings', () => {
    expect(rule('s:\n  responseStatus.code|gte: 101\ncondition: s')(exec)).toBe(true);
    expect(rule('s:\n  responseStatus.code|gt: 101\ncondition: s')(exec)).toBe(false);
    expect(rule('s:\n  responseStatus.code|lt: 200\ncondition: s')(exec)).toBe(true);
    expect(rule('s:\n  responseStatus.code|lte: 100\ncondition: s')(exec)).toBe(false);
    expect(rule('s:\n  n|gt: 5\ncondition: s')({ n: '7' })).toBe(true);
    expect(rule('s:\n  n|gt: 5\ncondition: s')({ n: 'seven' })).toBe(false);
  });

  it('base64 and base64offset', () => {
    // base64 encodes the value whole (padding included): it finds values at a 3-byte boundary.
    const b64 = Buffer.from('curl http://evil yy').toString('base64');
    expect(rule("s:\n  x|base64|contains: 'curl http'\ncondition: s")({ x: `echo ${b64}` })).toBe(true);
    expect(rule("s:\n  x|base64: 'curl http://evil yy'\ncondition: s")({ x: b64 })).toBe(true);
    for (const pre of ['', 'a', 'ab', 'abc']) {
      const enc = Buffer.from(`${pre}curl http://evil`).toString('base64');
      expect(rule("s:\n  x|base64offset|contains: 'curl http'\ncondition: s")({ x: enc })).toBe(true);
    }
    expect(rule("s:\n  x|base64offset|contains: 'wget'\ncondition: s")({ x: Buffer.from('curl http').toString('base64') })).toBe(false);
  });

  it('windash is accepted and ignored', () => {
    expect(rule("s:\n  x|windash|contains: '-enc'\ncondition: s")({ x: 'ps -enc abc' })).toBe(true);
  });

  it('arrays fan out, maps match on their values, dotted keys resolve', () => {
    expect(rule("s:\n  requestObject.spec.containers.image|startswith: 'evil/'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  requestObject.spec.containers.securityContext.privileged: true\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  requestObject.data|contains: 'password'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  annotations.authorization.k8s.io/decision: allow\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  sourceIPs.1: '::ffff:192.168.0.7'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  capabilities: NET_ADMIN\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  hostPath: /var/run/docker.sock\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  image: 'evil/*'\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  hostNetwork: true\ncondition: s")(exec)).toBe(true);
    expect(rule("s:\n  apiGroup: apps\ncondition: s")({ objectRef: { apiGroup: 'apps' } })).toBe(true);
    // Pod templates (Deployment) and CronJobs.
    expect(rule('s:\n  privileged: true\ncondition: s')({ requestObject: { spec: { template: { spec: { containers: [{ securityContext: { privileged: true } }] } } } } })).toBe(true);
    expect(rule('s:\n  image: x\ncondition: s')({ requestObject: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: 'x' }] } } } } } } })).toBe(true);
    // Inherited properties are not fields.
    expect(rule('s:\n  toString|exists: true\ncondition: s')({})).toBe(false);
  });

  it('list of maps is OR; keywords search string values', () => {
    expect(rule('s:\n  - verb: get\n  - objectRef.subresource: exec\ncondition: s')(exec)).toBe(true);
    expect(rule('s:\n  - verb: get\n  - objectRef.subresource: log\ncondition: s')(exec)).toBe(false);
    expect(rule("kw:\n  - 'kubectl/v1'\ncondition: kw")(exec)).toBe(true);
    expect(rule("kw:\n  - 'nothing-like-this'\ncondition: kw")(exec)).toBe(false);
  });
});

describe('Sigma conditions', () => {
  const sels = 'a:\n  verb: create\nb:\n  objectRef.subresource: exec\nc:\n  verb: delete\n_x:\n  verb: delete\n';
  const cases: Array<[string, boolean]> = [
    ['a and b', true],
    ['a and c', false],
    ['a or c', true],
    ['not c', true],
    ['not a', false],
    ['a and not c', true],
    ['not (a and b)', false],
    ['(a or c) and b', true],
    ['c or a and b', true],
    ['(c or a) and not b', false],
    ['not not a', true],
    ['1 of them', true],
    ['all of them', false],
    ['all of them or _x', false],
    ['1 of _*', false],
    ['all of a*', true],
    ['1 of c*', false],
    ['2 of them', true],
    ['3 of them', false],
    ['A and b', false],
  ];
  for (const [cond, want] of cases) {
    it(`${cond} → ${want}`, () => {
      if (cond === 'A and b') {
        expect(() => rule(`${sels}condition: ${cond}`)).toThrow(/unknown selection 'A'/);
        return;
      }
      expect(rule(`${sels}condition: ${cond}`)(exec)).toBe(want);
    });
  }
  it('a list of conditions means any of them', () => {
    expect(rule(`${sels}condition:\n  - c\n  - a and b`)(exec)).toBe(true);
    expect(rule(`${sels}condition:\n  - c\n  - not a`)(exec)).toBe(false);
  });
  it('`them` skips underscore selections', () => {
    expect(rule('_a:\n  verb: create\nb:\n  verb: get\ncondition: 1 of them')(exec)).toBe(false);
  });
});
