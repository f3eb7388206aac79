import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderAuditStages } from './k8s-audit-event.js';
import { buildRequest, forbiddenMessage, goEncodeQuery, goQueryEscape, resourcePath } from './k8s-request.js';
import { humanActor, KUBECTL_DARWIN_UA, podActor } from './k8s-identity.js';
import { execQuery } from './kubectl-calls.js';
import { Prng } from './prng.js';

const falcoExec = JSON.parse(readFileSync(new URL('./fixtures/falco__exec_pod.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const human = humanActor({ email: 'a@corp.example', group: 'oncall', ip: '10.200.4.4', userAgent: KUBECTL_DARWIN_UA, role: 'view' });

describe('Kubernetes request shapes', () => {
  it("escapes queries like Go's url.QueryEscape and sorts keys like url.Values.Encode", () => {
    expect(goQueryEscape("a b/c:d*e'(f)~g_h.i-j")).toBe("a+b%2Fc%3Ad%2Ae%27%28f%29~g_h.i-j");
    expect(goEncodeQuery([['stdout', 'true'], ['command', 'sh'], ['container', 'c'], ['command', '-c']])).toBe('command=sh&command=-c&container=c&stdout=true');
    expect(execQuery(['tar', 'czf', '/tmp/x.tgz'], 'pytorch', false)).toBe('command=tar&command=czf&command=%2Ftmp%2Fx.tgz&container=pytorch&stderr=true&stdout=true');
  });

  it('builds paths for core and named groups', () => {
    expect(resourcePath('pods', 'ns', 'p', 'exec')).toBe('/api/v1/namespaces/ns/pods/p/exec');
    expect(resourcePath('leases', 'kube-node-lease', 'n1')).toBe('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1');
    expect(resourcePath('nodes', 'ignored', 'n1', 'status')).toBe('/api/v1/nodes/n1/status');
  });

  it("words RBAC denials like the apiserver's Forbidden status", () => {
    expect(forbiddenMessage('system:serviceaccount:ml:sa', { verb: 'list', resource: 'secrets', namespace: 'kube-system' })).toBe(
      'secrets is forbidden: User "system:serviceaccount:ml:sa" cannot list resource "secrets" in API group "" in the namespace "kube-system"',
    );
    expect(forbiddenMessage('u', { verb: 'get', resource: 'nodes', name: 'n1' })).toBe('nodes "n1" is forbidden: User "u" cannot get resource "nodes" in API group "" at the cluster scope');
    expect(forbiddenMessage('u', { verb: 'create', resource: 'pytorchjobs', namespace: 'ml' })).toBe('pytorchjobs.kubeflow.org is forbidden: User "u" cannot create resource "pytorchjobs" in API group "kubeflow.org" in the namespace "ml"');
  });

  it('renders an exec like the real audit sample (same field order), with stages for a long-running request', () => {
    const req = buildRequest(new Prng(1), { at: Date.UTC(2026, 10, 20) * 1000, actor: human, verb: 'create', resource: 'pods', namespace: 'default', name: 'nginx-1', subresource: 'exec', query: execQuery(['bash'], 'nginx', true), streamSeconds: 30 });
    const lines = renderAuditStages(req);
    expect(lines.map((l) => (JSON.parse(l.text) as { stage: string }).stage)).toEqual(['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    const e = JSON.parse(lines[1]!.text) as Record<string, any>;
    const realKeys = Object.keys(falcoExec).filter((k) => k in e);
    const ourOrder = Object.keys(e).filter((k) => realKeys.includes(k));
    expect(ourOrder).toEqual(['kind', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'sourceIPs', 'objectRef', 'responseStatus', 'requestReceivedTimestamp', 'stageTimestamp', 'annotations']);
    expect(Object.keys(e.objectRef)).toEqual(Object.keys(falcoExec.objectRef as object).sort((a, b) => ['resource', 'namespace', 'name', 'apiVersion', 'subresource'].indexOf(a) - ['resource', 'namespace', 'name', 'apiVersion', 'subresource'].indexOf(b)));
    expect(e.responseStatus).toEqual({ metadata: {}, code: 101 });
    expect(e.requestURI).toBe('/api/v1/namespaces/default/pods/nginx-1/exec?command=bash&container=nginx&stdin=true&stdout=true&tty=true');
  });

  it('shapes a denial like the real audit log (responseStatus keys and order)', () => {
    const realDenied = readFileSync(new URL('./fixtures/audit2rbac__demo.log', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"code":403'))
      .map((l) => JSON.parse(l) as { responseStatus: Record<string, unknown> })[0]!;
    const req = buildRequest(new Prng(3), { at: 1e15, actor: human, verb: 'list', resource: 'pods', namespace: 'default', denied: true });
    const ours = JSON.parse(renderAuditStages(req)[0]!.text) as { responseStatus: Record<string, unknown> };
    expect(Object.keys(ours.responseStatus)).toEqual(Object.keys(realDenied.responseStatus));
    expect(ours.responseStatus.details).toEqual(realDenied.responseStatus.details);
  });

  it('puts the pod binding of a service-account token in user.extra, keys sorted', () => {
    const actor = podActor({ name: 'job-master-0', uid: 'u1', namespace: 'ml', serviceAccount: 'sa', serviceAccountUid: 'u2', node: 'n', nodeUid: 'u3', ip: '10.0.0.1', credentialId: 'c' }, 'ua');
    const req = buildRequest(new Prng(2), { at: 1e15, actor, verb: 'get', resource: 'secrets', namespace: 'ml', name: 's', denied: true });
    const [first, last] = renderAuditStages(req).map((l) => JSON.parse(l.text) as Record<string, any>);
    expect(first!.stage).toBe('RequestReceived');
    expect(Object.keys(last!.user.extra)).toEqual([...Object.keys(last!.user.extra)].sort());
    expect(last!.user.extra['authentication.kubernetes.io/pod-name']).toEqual(['job-master-0']);
    expect(last!.responseStatus.code).toBe(403);
    expect(last!.responseStatus.details).toEqual({ name: 's', kind: 'secrets' });
    expect(last!.annotations['authorization.k8s.io/decision']).toBe('forbid');
  });
});
