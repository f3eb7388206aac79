import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READER_LIMITS, type EventRecord } from '../../core/records.js';
import { createAuditReader } from './k8s-audit.js';
import { feed, RecordingSink } from './k8s-audit-testkit.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
/** A real event line (Falco trace: pods/exec with `command=bash`). */
const LINE = readFileSync(new URL('falco__exec_pod.json', FIXTURES), 'utf8').trim();
const EVENT = JSON.parse(LINE) as Record<string, unknown>;

function readLines(...lines: string[]): RecordingSink {
  const sink = new RecordingSink();
  feed(createAuditReader(sink, DEFAULT_READER_LIMITS), lines.join('\n'));
  return sink;
}

function only(sink: RecordingSink): EventRecord {
  expect(sink.quarantined).toEqual([]);
  expect(sink.events).toHaveLength(1);
  return sink.events[0]!;
}

const plain = only(readLines(LINE));

function expectSameEvent(e: EventRecord): void {
  expect({ ...e, attrs: { ...e.attrs, wrapper: undefined } }).toEqual(plain);
}

describe('cloud log envelopes', () => {
  it('AWS EKS via CloudWatch: @message holds the event as an escaped string', () => {
    const line = JSON.stringify({ '@timestamp': '2018-10-26 13:38:34.902', '@message': LINE, '@logStream': 'kube-apiserver-audit-0123abcd', '@log': '123456789012:/aws/eks/ml-prod/cluster' });
    const e = only(readLines(line));
    expectSameEvent(e);
    expect(e.attrs.wrapper).toEqual({ via: '@message', '@timestamp': '2018-10-26 13:38:34.902', '@logStream': 'kube-apiserver-audit-0123abcd', '@log': '123456789012:/aws/eks/ml-prod/cluster' });
  });

  it('Azure AKS diagnostics: properties.log under category kube-audit', () => {
    const line = JSON.stringify({
      time: '2018-10-26T13:38:34.9029140Z',
      category: 'kube-audit',
      operationName: 'Microsoft.ContainerService/managedClusters/diagnosticLogs/Read',
      resourceId: '/SUBSCRIPTIONS/0000/RESOURCEGROUPS/ML/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-ML',
      properties: { log: LINE, stream: 'stdout', pod: 'kube-apiserver-5d8f7c9b4-abcde' },
    });
    const e = only(readLines(line));
    expectSameEvent(e);
    expect(e.attrs.wrapper).toMatchObject({ via: 'properties.log', category: 'kube-audit' });
  });

  it('Azure export with a records array: one event per record', () => {
    const line = JSON.stringify({ records: [{ category: 'kube-audit', properties: { log: LINE } }, { category: 'kube-audit', properties: { log: LINE } }] });
    const sink = readLines(line);
    expect(sink.events.map((e) => e.attrs.item)).toEqual([0, 1]);
  });

  it('fluentd / Docker json-file: log string with its trailing newline, and message', () => {
    expectSameEvent(only(readLines(JSON.stringify({ log: LINE + '\n', stream: 'stdout', time: '2018-10-26T13:38:34.9Z' }))));
    expectSameEvent(only(readLines(JSON.stringify({ message: LINE, host: 'cp-1' }))));
  });

  it('fluent-bit with the event already parsed into log, and generic event/data/record/body', () => {
    for (const key of ['log', 'event', 'data', 'record', 'body']) {
      const e = only(readLines(JSON.stringify({ [key]: EVENT, source: 'apiserver' })));
      expectSameEvent(e);
      expect(e.attrs.wrapper).toEqual({ via: key, source: 'apiserver' });
    }
  });

  it('GCP Cloud Logging with the event as jsonPayload', () => {
    const e = only(readLines(JSON.stringify({ insertId: 'abc', jsonPayload: EVENT, resource: { type: 'k8s_cluster' }, timestamp: '2018-10-26T13:38:34.902914Z' })));
    expectSameEvent(e);
    expect(e.attrs.wrapper).toEqual({ via: 'jsonPayload', insertId: 'abc', timestamp: '2018-10-26T13:38:34.902914Z' });
  });

  it('looks two envelopes deep, not three', () => {
    const two = JSON.stringify({ message: JSON.stringify({ log: LINE }) });
    expect(only(readLines(two)).attrs.wrapper).toEqual({ via: 'message.log' });
    const three = JSON.stringify({ body: { data: { record: EVENT } } });
    const sink = readLines(three);
    expect(sink.events).toHaveLength(0);
    expect(sink.quarantined[0]!.reason).toMatch(/^not an audit.k8s.io Event/);
  });

  it('says why an envelope held no event', () => {
    const sink = readLines(JSON.stringify({ '@message': '{"kind":"Event",' }), JSON.stringify({ log: '{"kind":"Pod","verb":"get"}' }));
    expect(sink.quarantined[0]!.reason).toMatch(/^not an audit.k8s.io Event \(@message holds invalid JSON: /);
    expect(sink.quarantined[1]!.reason).toBe('not an audit.k8s.io Event (log holds JSON that is not an Event: kind is "Pod", expected "Event")');
  });
});

describe('GKE protoPayload AuditLog', () => {
  const entry = (over: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) =>
    JSON.stringify({
      insertId: '9f1c2a',
      logName: 'projects/ml-prod/logs/cloudaudit.googleapis.com%2Factivity',
      operation: { id: '5c0a6b0e-3f2d-4d8e-9a55-0c3c1f6e2b10', producer: 'k8s.io', first: true, last: true },
      resource: { type: 'k8s_cluster', labels: { cluster_name: 'gke-ml', location: 'us-central1', project_id: 'ml-prod' } },
      timestamp: '2024-03-05T08:09:10.123456789Z',
      labels: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding' },
      protoPayload: {
        '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
        serviceName: 'k8s.io',
        methodName: 'io.k8s.core.v1.pods.exec.create',
        resourceName: 'core/v1/namespaces/ml/pods/llama-ft-worker-0/exec',
        authenticationInfo: { principalEmail: 'alice@example.com' },
        requestMetadata: { callerIp: '203.0.113.9', callerSuppliedUserAgent: 'kubectl/v1.29.1' },
        status: {},
        ...payload,
      },
      ...over,
    });

  it('maps an exec into an audit.k8s.io/v1-shaped event', () => {
    const e = only(readLines(entry()));
    expect(e).toMatchObject({
      ts: Date.UTC(2024, 2, 5, 8, 9, 10) * 1000 + 123456,
      actor: 'alice@example.com',
      action: 'create',
      resource: 'pods/exec',
      namespace: 'ml',
      job: 'ml/llama-ft',
      outcome: 'success',
      auditId: '5c0a6b0e-3f2d-4d8e-9a55-0c3c1f6e2b10',
      stageRank: 2,
    });
    expect(e.attrs).toMatchObject({ sourceIPs: ['203.0.113.9'], userAgent: 'kubectl/v1.29.1', authzDecision: 'allow', code: 200 });
    expect((e.attrs.audit as Record<string, unknown>).requestURI).toBe('/api/v1/namespaces/ml/pods/llama-ft-worker-0/exec');
    expect(e.attrs.wrapper).toMatchObject({ via: 'protoPayload', format: 'gcp-auditlog', cluster: 'gke-ml', project: 'ml-prod' });
  });

  it('maps API groups, cluster-scoped objects and denials', () => {
    const crb = only(readLines(entry({}, {
      methodName: 'io.k8s.authorization.rbac.v1.clusterrolebindings.create',
      resourceName: 'rbac.authorization.k8s.io/v1/clusterrolebindings/dev-admin',
      status: { code: 7, message: 'PERMISSION_DENIED' },
    })));
    expect(crb).toMatchObject({ resource: 'clusterrolebindings', namespace: null, outcome: 'denied', job: 'dev-admin' });
    expect(crb.attrs).toMatchObject({ apiGroup: 'rbac.authorization.k8s.io', code: 403 });
    expect((crb.attrs.audit as Record<string, unknown>).requestURI).toBe('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/dev-admin');
    // The method names the subresource even when resourceName does not.
    const exec = only(readLines(entry({}, { resourceName: 'core/v1/namespaces/ml/pods/p-0' })));
    expect(exec.resource).toBe('pods/exec');
  });

  it('quarantines entries it can not map, with the reason', () => {
    const sink = readLines(entry({}, { resourceName: 'nonsense' }), entry({ timestamp: undefined }));
    expect(sink.events).toHaveLength(0);
    expect(sink.quarantined[0]!.reason).toBe('not an audit.k8s.io Event (GCP resourceName "nonsense" is not <group>/<version>/…/<resource>)');
    expect(sink.quarantined[1]!.reason).toMatch(/^timestamp out of range/);
  });
});
