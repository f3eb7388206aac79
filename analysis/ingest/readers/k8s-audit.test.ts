import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS } from '../../core/records.js';
import { createAuditReader } from './k8s-audit.js';
import { feed, nonBlankLines, RecordingSink } from './k8s-audit-testkit.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const corpus = readdirSync(FIXTURES).filter((f) => f.startsWith('audit2rbac__') || f.startsWith('falco__'));

function fixtureBytes(name: string): Buffer {
  const raw = readFileSync(new URL(name, FIXTURES));
  return name.endsWith('.gz') ? gunzipSync(raw) : raw;
}

function readFixture(name: string): RecordingSink {
  const sink = new RecordingSink();
  feed(createAuditReader(sink, DEFAULT_READER_LIMITS), fixtureBytes(name));
  return sink;
}

describe('createAuditReader on the public corpus', () => {
  it('has a SOURCES-k8s.tsv row for every fixture it reads', () => {
    const rows = readFileSync(new URL('SOURCES-k8s.tsv', FIXTURES), 'utf8').split('\n').slice(1).filter(Boolean);
    const listed = new Set(rows.map((r) => r.split('\t')[0]));
    for (const f of corpus) expect(listed.has(f), f).toBe(true);
    expect(corpus.length).toBeGreaterThanOrEqual(37);
  });

  it.each(corpus)('%s: every JSON line ends in exactly one sink call', (name) => {
    const sink = readFixture(name);
    expect(sink.calls).toBe(nonBlankLines(fixtureBytes(name)));
    for (const q of sink.quarantined) {
      expect(q.reason.length).toBeGreaterThan(0);
      expect(q.head.length).toBeGreaterThan(0);
    }
    for (const e of sink.events) {
      expect(e.source).toBe('k8s_audit');
      expect(e.ts).toBeGreaterThan(DEFAULT_READER_LIMITS.minTs);
      expect(e.action).toBe(e.action.toLowerCase());
      expect(() => JSON.stringify(e.attrs)).not.toThrow();
    }
  });

  it('stores every real event and quarantines only the malformed trace', () => {
    const quarantined = corpus.flatMap((f) => readFixture(f).quarantined.map((q) => ({ f, q })));
    expect(quarantined.map((x) => x.f)).toEqual(['falco__fal_01_003.json']);
    expect(quarantined[0]!.q).toMatchObject({ line: 1, offset: 0, head: '{"kind": 0}' });
    expect(quarantined[0]!.q.reason).toBe('not an audit.k8s.io Event (kind is 0, expected "Event")');
  });

  it('reads audit2rbac demo.log: 37 events, impersonation kept, 403s denied', () => {
    const sink = readFixture('audit2rbac__demo.log');
    expect(sink.events).toHaveLength(37);
    expect(sink.quarantined).toHaveLength(0);
    const first = sink.events[0]!;
    expect(first).toMatchObject({
      ts: Date.UTC(2017, 8, 11, 19, 55, 5) * 1000,
      actor: 'system:admin',
      action: 'list',
      resource: 'pods',
      namespace: 'default',
      outcome: 'denied',
      auditId: '033d17af-082d-4b24-aa22-627752e83d71',
      stageRank: 2,
      line: 1,
      offset: 0,
    });
    expect(first.attrs).toMatchObject({ impersonatedUser: 'bob', code: 403, sourceIPs: ['::1'] });
    expect((first.attrs.audit as { impersonatedUser: unknown }).impersonatedUser).toEqual({ username: 'bob', groups: ['system:authenticated'] });
    expect(sink.events.filter((e) => e.attrs.impersonatedUser === 'system:serviceaccount:ns1:sa1')).toHaveLength(5);
    // Non-resource requests (`get /apis`) keep the request path as resource.
    expect(sink.events.find((e) => e.resource === '/apis')).toMatchObject({ action: 'get', outcome: 'success', namespace: null });
    const lines = sink.events.map((e) => e.line);
    expect(lines).toEqual(Array.from({ length: 37 }, (_, i) => i + 1));
    expect(sink.events[1]!.offset).toBe(readFileSync(new URL('audit2rbac__demo.log', FIXTURES)).indexOf('\n') + 1);
  });

  it('reads the gzip-rotated copy exactly like the plain log', () => {
    const gz = readFixture('audit2rbac__demo-2017-09-11T19-55-05.000.log.gz');
    const plain = readFixture('audit2rbac__demo.log');
    expect(gz.events).toEqual(plain.events);
  });

  it('reads falco exec_pod.json: pods/exec with the command parsed', () => {
    const [e, ...rest] = readFixture('falco__exec_pod.json').events;
    expect(rest).toHaveLength(0);
    expect(e).toMatchObject({
      actor: 'minikube-user',
      action: 'create',
      resource: 'pods/exec',
      namespace: 'default',
      job: 'default/nginx-deployment',
      outcome: 'success',
      stageRank: 1,
      ts: Date.UTC(2018, 9, 26, 13, 38, 34) * 1000 + 867116,
    });
    expect(e!.attrs).toMatchObject({
      subresource: 'exec',
      objectName: 'nginx-deployment-7998647bdf-phvq7',
      code: 101,
      authzDecision: 'allow',
      exec: { command: ['bash'], container: 'nginx1', stdin: true, tty: true },
    });
    // The authorizer's reason and the stage time stay in the audit record (the `raw` column) only.
    expect(e!.attrs).not.toHaveProperty('authzReason');
    expect(e!.attrs).not.toHaveProperty('stageTimestamp');
    const audit = e!.attrs.audit as Record<string, unknown>;
    expect(audit.stageTimestamp).toBe('2018-10-26T13:38:34.902914Z');
    expect((audit.annotations as Record<string, unknown>)['authorization.k8s.io/reason']).toBe('');
  });

  it('reads falco attach_pod.json as pods/attach without a command', () => {
    const [e] = readFixture('falco__attach_pod.json').events;
    expect(e).toMatchObject({ resource: 'pods/attach', action: 'create' });
    expect(e!.attrs.exec).toEqual({ command: [], container: 'nginx1', stdin: true, tty: false });
  });

  it('keys a ReplicaSet-created pod by its labels and reads cluster-scoped objects', () => {
    const [pod] = readFixture('falco__create_pod_kube_system_namespace.json').events;
    // objectRef has no name (generateName): the response names the pod, its labels name the workload.
    expect(pod).toMatchObject({ resource: 'pods', namespace: 'kube-system', job: 'kube-system/nginx', actor: 'system:serviceaccount:kube-system:replicaset-controller' });
    const [crb] = readFixture('falco__attach_cluster_admin_role.json').events;
    expect(crb).toMatchObject({ resource: 'clusterrolebindings', namespace: null, job: 'some-reader-binding', outcome: 'success' });
    expect(crb!.attrs.apiGroup).toBe('rbac.authorization.k8s.io');
    expect((crb!.attrs.audit as Record<string, unknown>).requestObject).toBeDefined();
  });

  it('reads the six-event JSONL trace line by line', () => {
    const sink = readFixture('falco__create_configmap_sensitive_values.json');
    expect(sink.events.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(sink.events.map((e) => e.job))).toEqual(new Set(['default/my-config']));
  });
});
