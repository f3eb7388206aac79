/**
 * The API-level rules MLS-K8S-007 … 015, MLS-EXFIL-039, -040 and -048, MLS-RAY-032, MLS-POISON-014 over audit events as the real audit reader stores them
 * (ingest pipeline → case file → caseEvents → the shipped rule set): the reader's `resource`
 * (`nodes/proxy`, `pods/ephemeralcontainers`…), `attrs.subresource` and the restored audit object
 * (`requestURI`, `impersonatedUser`) are what the rules read, not a test's own mapping.
 */
import { describe, expect, it } from 'vitest';
import { decideAuditLines } from './audit-rules.test-support.js';

/** The rules of other families this test reads besides MLS-K8S-*. */
const API_RULES: ReadonlySet<string> = new Set(['MLS-EXFIL-039', 'MLS-EXFIL-040', 'MLS-EXFIL-048', 'MLS-RAY-032']);
/** SigmaHQ's "Role Granting Wildcard, Exec Or Write Permissions Created" (analysis/rules/sigma). */
const DANGEROUS_ROLE = '4308cec8-733d-4f31-8d9e-07399b41507c';
const ALICE = { username: 'oidc:alice@corp.example', groups: ['system:authenticated'] };
let n = 0;
/** One audit.k8s.io/v1 Event line, ResponseComplete, a second after the one before. */
function line(verb: string, requestURI: string, objectRef: Record<string, unknown>, code: number, user = ALICE, extra: Record<string, unknown> = {}): string {
  const at = new Date(Date.UTC(2026, 10, 20, 8, 0, n++)).toISOString();
  return JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `k8s-api-${n}`, stage: 'ResponseComplete', requestURI, verb, user, sourceIPs: ['10.0.0.5'], userAgent: 'kubectl/v1.30.2', objectRef: { apiVersion: 'v1', ...objectRef }, responseStatus: { metadata: {}, code }, requestReceivedTimestamp: at, stageTimestamp: at, ...extra });
}

describe('API-level rules through the real audit reader', () => {
  it('decide each request as the rule files say', async () => {
    const lines = [
      line('create', '/api/v1/nodes/gpu-node-7/proxy/exec/ml-train/trainer-0/pytorch?command=id&output=1', { resource: 'nodes', name: 'gpu-node-7', subresource: 'proxy' }, 101),
      line('get', '/api/v1/nodes/gpu-node-7/proxy/metrics/cadvisor', { resource: 'nodes', name: 'gpu-node-7', subresource: 'proxy' }, 200, { username: 'system:serviceaccount:monitoring:prometheus', groups: [] }),
      line('patch', '/api/v1/namespaces/ml-train/pods/trainer-0/ephemeralcontainers', { resource: 'pods', namespace: 'ml-train', name: 'trainer-0', subresource: 'ephemeralcontainers' }, 200),
      line('list', '/api/v1/namespaces/ml-train/secrets', { resource: 'secrets', namespace: 'ml-train' }, 200, ALICE, { impersonatedUser: { username: 'alice', groups: ['system:masters'] } }),
      line('list', '/api/v1/namespaces/ml-train/pods', { resource: 'pods', namespace: 'ml-train' }, 200, { username: 'system:admin', groups: ['system:masters'] }, { impersonatedUser: { username: 'bob', groups: ['system:authenticated'] } }),
      line('update', '/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-x/approval', { resource: 'certificatesigningrequests', name: 'csr-x', apiGroup: 'certificates.k8s.io', subresource: 'approval' }, 200),
      line('create', '/api/v1/namespaces/ml-train/serviceaccounts/llama-ft-trainer/token', { resource: 'serviceaccounts', namespace: 'ml-train', name: 'llama-ft-trainer', subresource: 'token' }, 201),
      line('create', '/api/v1/namespaces/ml-train/serviceaccounts/llama-ft-trainer/token', { resource: 'serviceaccounts', namespace: 'ml-train', name: 'llama-ft-trainer', subresource: 'token' }, 201, { username: 'system:node:gpu-node-7', groups: ['system:nodes'] }),
      // Admission webhooks: a person's change (MLS-K8S-012), cert-manager's CA-bundle patch (left), a refused delete.
      line('create', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', { resource: 'mutatingwebhookconfigurations', name: 'sidecar-injector', apiGroup: 'admissionregistration.k8s.io' }, 201),
      line('patch', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gatekeeper', { resource: 'validatingwebhookconfigurations', name: 'gatekeeper', apiGroup: 'admissionregistration.k8s.io' }, 200, { username: 'system:serviceaccount:cert-manager:cert-manager-cainjector', groups: [] }),
      line('delete', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gatekeeper', { resource: 'validatingwebhookconfigurations', name: 'gatekeeper', apiGroup: 'admissionregistration.k8s.io' }, 403),
      // A person's pod on the checkpoint claim (MLS-EXFIL-039); the Job controller's (left); a person's pod on a dataset claim (left).
      line('create', '/api/v1/namespaces/ml-train/pods', { resource: 'pods', namespace: 'ml-train', name: 'debug' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'Pod', spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'ck', persistentVolumeClaim: { claimName: 'llama-ft-ckpt' } }] } } }),
      line('create', '/api/v1/namespaces/ml-train/pods', { resource: 'pods', namespace: 'ml-train', name: 'llama-ft-worker-0' }, 201, { username: 'system:serviceaccount:kube-system:job-controller', groups: [] }, { level: 'Request', requestObject: { kind: 'Pod', spec: { volumes: [{ name: 'ck', persistentVolumeClaim: { claimName: 'llama-ft-ckpt' } }] } } }),
      line('create', '/api/v1/namespaces/ml-train/pods', { resource: 'pods', namespace: 'ml-train', name: 'debug2' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'Pod', spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'datasets-ro' } }] } } }),
      // The checkpoint claim snapshotted and cloned by a person (MLS-EXFIL-040).
      line('create', '/apis/snapshot.storage.k8s.io/v1/namespaces/ml-train/volumesnapshots', { resource: 'volumesnapshots', namespace: 'ml-train', name: 's1', apiGroup: 'snapshot.storage.k8s.io' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'VolumeSnapshot', spec: { source: { persistentVolumeClaimName: 'llama-ft-ckpt' } } } }),
      line('create', '/api/v1/namespaces/scratch/persistentvolumeclaims', { resource: 'persistentvolumeclaims', namespace: 'scratch', name: 'copy' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'PersistentVolumeClaim', spec: { dataSourceRef: { kind: 'VolumeSnapshot', name: 'llama-ft-ckpt-snap' } } } }),
      // ML control ports on the network (MLS-K8S-013): the Ray dashboard by the KubeRay operator on a LoadBalancer, Jupyter by a
      // port name on a NodePort, an Ingress to TensorBoard; a model server's LoadBalancer, the dashboard on a ClusterIP and a refused create (left).
      line('create', '/api/v1/namespaces/ray/services', { resource: 'services', namespace: 'ray', name: 'raycluster-head-svc' }, 201, { username: 'system:serviceaccount:ray-system:kuberay-operator', groups: [] }, { level: 'Request', requestObject: { kind: 'Service', spec: { type: 'LoadBalancer', ports: [{ name: 'gcs', port: 6379 }, { name: 'dashboard', port: 8265 }, { name: 'client', port: 10001 }] } } }),
      line('create', '/api/v1/namespaces/research/services', { resource: 'services', namespace: 'research', name: 'nb' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'Service', spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'jupyter', nodePort: 31888 }] } } }),
      line('create', '/apis/networking.k8s.io/v1/namespaces/ml-train/ingresses', { resource: 'ingresses', namespace: 'ml-train', name: 'tb', apiGroup: 'networking.k8s.io' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'Ingress', spec: { rules: [{ host: 'tb.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'tensorboard', port: { number: 6006 } } } }] } }] } } }),
      line('create', '/api/v1/namespaces/serving/services', { resource: 'services', namespace: 'serving', name: 'llama-serve' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'Service', spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 8000, targetPort: 8000 }] } } }),
      line('create', '/api/v1/namespaces/ray/services', { resource: 'services', namespace: 'ray', name: 'raycluster-dash' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'Service', spec: { type: 'ClusterIP', ports: [{ name: 'dashboard', port: 8265 }] } } }),
      line('create', '/api/v1/namespaces/ray/services', { resource: 'services', namespace: 'ray', name: 'raycluster-lb' }, 403, ALICE, { level: 'Request', requestObject: { kind: 'Service', spec: { type: 'LoadBalancer', ports: [{ port: 8265 }] } } }),
      // The KubeRay custom resources asking for it: a RayCluster's LoadBalancer head, a RayJob's head Ingress; a RayCluster with a ClusterIP head (left).
      line('create', '/apis/ray.io/v1/namespaces/ray/rayclusters', { resource: 'rayclusters', namespace: 'ray', name: 'rc', apiGroup: 'ray.io' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'RayCluster', spec: { headGroupSpec: { serviceType: 'LoadBalancer', rayStartParams: { 'dashboard-host': '0.0.0.0' } } } } }),
      line('create', '/apis/ray.io/v1/namespaces/ray/rayjobs', { resource: 'rayjobs', namespace: 'ray', name: 'rj', apiGroup: 'ray.io' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'RayJob', spec: { entrypoint: 'python x.py', rayClusterSpec: { headGroupSpec: { enableIngress: true } } } } }),
      line('create', '/apis/ray.io/v1/namespaces/ray/rayclusters', { resource: 'rayclusters', namespace: 'ray', name: 'rc2', apiGroup: 'ray.io' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'RayCluster', spec: { headGroupSpec: { serviceType: 'ClusterIP' } } } }),
      // Code run through the API server's proxy (MLS-RAY-032): a Ray job POSTed, a Jupyter file PUT, a kernel's websocket,
      // a TorchServe model registered; the Ray job list read and a refused job submission (left).
      line('create', '/api/v1/namespaces/ray/services/http:ray-head-svc:8265/proxy/api/jobs/', { resource: 'services', namespace: 'ray', name: 'http:ray-head-svc:8265', subresource: 'proxy' }, 200),
      line('update', '/api/v1/namespaces/research/pods/nb-0:8888/proxy/api/contents/.ipython/profile_default/startup/00.py', { resource: 'pods', namespace: 'research', name: 'nb-0:8888', subresource: 'proxy' }, 200),
      line('get', '/api/v1/namespaces/research/pods/nb-0:8888/proxy/api/kernels/4f1c/channels?session_id=ab', { resource: 'pods', namespace: 'research', name: 'nb-0:8888', subresource: 'proxy' }, 101),
      line('create', '/api/v1/namespaces/serving/services/torchserve:8081/proxy/models?url=https://203.0.113.5/m.mar&initial_workers=1', { resource: 'services', namespace: 'serving', name: 'torchserve:8081', subresource: 'proxy' }, 200),
      line('get', '/api/v1/namespaces/ray/services/http:ray-head-svc:8265/proxy/api/jobs/', { resource: 'services', namespace: 'ray', name: 'http:ray-head-svc:8265', subresource: 'proxy' }, 200),
      line('create', '/api/v1/namespaces/ray/services/http:ray-head-svc:8265/proxy/api/jobs/', { resource: 'services', namespace: 'ray', name: 'http:ray-head-svc:8265', subresource: 'proxy' }, 403),
      // Weights downloaded through it (MLS-EXFIL-048): a Jupyter file, an MLflow artifact by query; TensorBoard's scalars and an MLmodel file (left).
      line('get', '/api/v1/namespaces/research/pods/nb-0:8888/proxy/files/ckpt/model.pt', { resource: 'pods', namespace: 'research', name: 'nb-0:8888', subresource: 'proxy' }, 200),
      line('get', '/api/v1/namespaces/mlops/services/mlflow:5000/proxy/get-artifact?path=model%2Fmodel.pkl&run_uuid=9c1', { resource: 'services', namespace: 'mlops', name: 'mlflow:5000', subresource: 'proxy' }, 200),
      line('get', '/api/v1/namespaces/ml-train/services/tensorboard:6006/proxy/data/plugin/scalars/tags', { resource: 'services', namespace: 'ml-train', name: 'tensorboard:6006', subresource: 'proxy' }, 200),
      line('get', '/api/v1/namespaces/mlops/services/mlflow:5000/proxy/get-artifact?path=model%2FMLmodel&run_uuid=9c1', { resource: 'services', namespace: 'mlops', name: 'mlflow:5000', subresource: 'proxy' }, 200),
      // A person's pod on the checkpoint store without a claim (MLS-EXFIL-039): the node's directory, the NFS export, the bucket
      // through Mountpoint for S3's CSI driver; a node's log directory and a dataset export (left).
      ...[
        { name: 'ck', hostPath: { path: '/mnt/nvme/checkpoints', type: 'Directory' } },
        { name: 'ck', nfs: { server: 'fs1.corp.example', path: '/exports/models/llama-ft' } },
        { name: 'ck', csi: { driver: 's3.csi.aws.com', volumeAttributes: { bucketName: 'llama-ft-weights' } } },
        { name: 'logs', hostPath: { path: '/var/log' } },
        { name: 'd', nfs: { server: 'fs1.corp.example', path: '/exports/datasets' } },
      ].map((volume) => line('create', '/api/v1/namespaces/ml-train/pods', { resource: 'pods', namespace: 'ml-train', name: 'debug3' }, 201, ALICE, { level: 'Request', requestObject: { kind: 'Pod', spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [volume] } } })),
    ];
    const got = await decideAuditLines(lines, (id) => id.startsWith('MLS-K8S-0') || API_RULES.has(id));
    expect(got).toEqual([
      '1 nodes/proxy MLS-K8S-007 alert',
      '2 nodes/proxy -',
      '3 pods/ephemeralcontainers MLS-K8S-008 escalate',
      '4 secrets MLS-K8S-009 alert',
      '5 pods -',
      '6 certificatesigningrequests/approval MLS-K8S-010 escalate',
      '7 serviceaccounts/token MLS-K8S-011 escalate',
      '8 serviceaccounts/token -',
      '9 mutatingwebhookconfigurations MLS-K8S-012 alert',
      '10 validatingwebhookconfigurations -',
      '11 validatingwebhookconfigurations -',
      '12 pods MLS-EXFIL-039 escalate',
      '13 pods -',
      '14 pods -',
      '15 volumesnapshots MLS-EXFIL-040 escalate',
      '16 persistentvolumeclaims MLS-EXFIL-040 escalate',
      '17 services MLS-K8S-013,MLS-K8S-006 alert',
      '18 services MLS-K8S-013 alert',
      '19 ingresses MLS-K8S-013 alert',
      '20 services -',
      '21 services -',
      '22 services -',
      '23 rayclusters MLS-K8S-013 alert',
      '24 rayjobs MLS-K8S-013 alert',
      '25 rayclusters -',
      '26 services/proxy MLS-RAY-032 alert',
      '27 pods/proxy MLS-RAY-032 alert',
      '28 pods/proxy MLS-RAY-032 alert',
      '29 services/proxy MLS-RAY-032 alert',
      '30 services/proxy -',
      '31 services/proxy -',
      '32 pods/proxy MLS-EXFIL-048 alert',
      '33 services/proxy MLS-EXFIL-048 alert',
      '34 services/proxy -',
      '35 services/proxy -',
      '36 pods MLS-EXFIL-039 escalate',
      '37 pods MLS-EXFIL-039 escalate',
      '38 pods MLS-EXFIL-039 escalate',
      '39 pods -',
      '40 pods -',
    ]);
  });

  it('escalate network policies deleted and namespaces made privileged, by a person or a workload, not by the platform', async () => {
    const netpol = { resource: 'networkpolicies', namespace: 'ml-train', name: 'deny-egress', apiGroup: 'networking.k8s.io' };
    const netpolUri = '/apis/networking.k8s.io/v1/namespaces/ml-train/networkpolicies/deny-egress';
    const ns = { resource: 'namespaces', name: 'ml-train' };
    const labels = (enforce: string): Record<string, unknown> => ({ level: 'Request', requestObject: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': enforce } } } });
    const TRAINER = { username: 'system:serviceaccount:ml-train:llama-ft-trainer', groups: [] };
    const lines = [
      // A person's delete, a training job's token deleting, Cilium's kind, a namespace labelled privileged (MLS-K8S-015).
      line('delete', netpolUri, netpol, 200),
      line('delete', netpolUri, netpol, 200, TRAINER),
      line('delete', '/apis/cilium.io/v2/namespaces/ml-train/ciliumnetworkpolicies/egress', { resource: 'ciliumnetworkpolicies', namespace: 'ml-train', name: 'egress', apiGroup: 'cilium.io' }, 200),
      line('patch', '/api/v1/namespaces/ml-train', ns, 200, ALICE, labels('privileged')),
      // The namespace controller and Argo CD deleting, a refused delete, a dry run, a namespace made baseline, a policy created (left).
      line('delete', netpolUri, netpol, 200, { username: 'system:serviceaccount:kube-system:namespace-controller', groups: [] }),
      line('delete', netpolUri, netpol, 200, { username: 'system:serviceaccount:argocd:argocd-application-controller', groups: [] }),
      line('delete', netpolUri, netpol, 403, TRAINER),
      line('delete', `${netpolUri}?dryRun=All`, netpol, 200),
      line('patch', '/api/v1/namespaces/ml-train', ns, 200, ALICE, labels('baseline')),
      line('create', '/apis/networking.k8s.io/v1/namespaces/ml-train/networkpolicies', netpol, 201),
    ];
    const got = await decideAuditLines(lines, (id) => id === 'MLS-K8S-015');
    expect(got).toEqual([
      '1 networkpolicies MLS-K8S-015 escalate',
      '2 networkpolicies MLS-K8S-015 escalate',
      '3 ciliumnetworkpolicies MLS-K8S-015 escalate',
      '4 namespaces MLS-K8S-015 escalate',
      '5 networkpolicies -',
      '6 networkpolicies -',
      '7 networkpolicies -',
      '8 networkpolicies -',
      '9 namespaces -',
      '10 networkpolicies -',
    ]);
  });

  it('read a JSON Patch body (kubectl patch --type=json) as what it writes', async () => {
    const patch = (requestURI: string, objectRef: Record<string, unknown>, ops: unknown[], code = 200): string => line('patch', requestURI, objectRef, code, ALICE, { level: 'Request', requestObject: ops });
    const svc = { resource: 'services', namespace: 'ray', name: 'raycluster-head-svc' };
    const role = { resource: 'roles', namespace: 'ml-train', name: 'viewer', apiGroup: 'rbac.authorization.k8s.io' };
    const lines = [
      // The Ray head service made a NodePort with its dashboard port, in two ops or one whole-spec replace (MLS-K8S-013);
      // a RayCluster's head service made a LoadBalancer (MLS-K8S-013).
      patch('/api/v1/namespaces/ray/services/raycluster-head-svc', svc, [{ op: 'replace', path: '/spec/type', value: 'NodePort' }, { op: 'add', path: '/spec/ports/-', value: { name: 'dashboard', port: 8265, nodePort: 30265 } }]),
      patch('/api/v1/namespaces/ray/services/raycluster-head-svc', svc, [{ op: 'replace', path: '/spec', value: { type: 'LoadBalancer', ports: [{ port: 8265 }] } }]),
      patch('/apis/ray.io/v1/namespaces/ray/rayclusters/rc', { resource: 'rayclusters', namespace: 'ray', name: 'rc', apiGroup: 'ray.io' }, [{ op: 'replace', path: '/spec/headGroupSpec/serviceType', value: 'LoadBalancer' }]),
      // A Role given exec into pods (SigmaHQ's dangerous-rules rule); a Role given read access and a model server's port (left).
      patch('/apis/rbac.authorization.k8s.io/v1/namespaces/ml-train/roles/viewer', role, [{ op: 'add', path: '/rules/-', value: { apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] } }]),
      patch('/apis/rbac.authorization.k8s.io/v1/namespaces/ml-train/roles/viewer', role, [{ op: 'add', path: '/rules/-', value: { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] } }]),
      patch('/api/v1/namespaces/serving/services/llama-serve', { resource: 'services', namespace: 'serving', name: 'llama-serve' }, [{ op: 'replace', path: '/spec/type', value: 'LoadBalancer' }, { op: 'replace', path: '/spec/ports/0/port', value: 8000 }]),
    ];
    const got = await decideAuditLines(lines, (id) => id === 'MLS-K8S-013' || id === DANGEROUS_ROLE);
    expect(got).toEqual([
      '1 services MLS-K8S-013 alert',
      '2 services MLS-K8S-013 alert',
      '3 rayclusters MLS-K8S-013 alert',
      `4 roles ${DANGEROUS_ROLE} escalate`,
      '5 roles -',
      '6 services -',
    ]);
  });

  it('read the Service the API server answered with when the request carries only the type or only the ports', async () => {
    const svc = { resource: 'services', namespace: 'ray', name: 'raycluster-head-svc' };
    const uri = '/api/v1/namespaces/ray/services/raycluster-head-svc';
    const head = (type: string, ports: unknown[]): Record<string, unknown> => ({ kind: 'Service', apiVersion: 'v1', metadata: { name: 'raycluster-head-svc', namespace: 'ray' }, spec: { type, ports } });
    const dashboard = [{ name: 'dashboard', port: 8265, targetPort: 8265, nodePort: 30265 }, { name: 'gcs-server', port: 6379 }];
    const answered = (requestObject: unknown, responseObject: unknown, code = 200): string => line('patch', uri, svc, code, ALICE, { level: 'RequestResponse', requestObject, responseObject });
    const lines = [
      // The type alone, as a merge patch and as a JSON Patch; a dashboard port added to a NodePort (MLS-K8S-013).
      answered({ spec: { type: 'NodePort' } }, head('NodePort', dashboard)),
      answered([{ op: 'replace', path: '/spec/type', value: 'LoadBalancer' }], head('LoadBalancer', dashboard)),
      answered({ spec: { ports: [{ name: 'dashboard', port: 8265 }] } }, head('NodePort', dashboard)),
      // The type alone at audit level Request (nothing answered) on a Service named for KubeRay's head (MLS-K8S-013).
      line('patch', uri, svc, 200, ALICE, { level: 'Request', requestObject: { spec: { type: 'NodePort' } } }),
      // A label changed on a Service that was already exposed, a model server made a NodePort, the head made a ClusterIP,
      // the type alone at level Request on a Service named for nothing it serves, a refused patch, a server-side dry run (left).
      answered({ metadata: { labels: { team: 'ml' } } }, head('NodePort', dashboard)),
      answered({ spec: { type: 'NodePort' } }, head('NodePort', [{ name: 'http', port: 8000 }])),
      answered({ spec: { type: 'ClusterIP' } }, head('ClusterIP', dashboard)),
      line('patch', '/api/v1/namespaces/ray/services/edge', { resource: 'services', namespace: 'ray', name: 'edge' }, 200, ALICE, { level: 'Request', requestObject: { spec: { type: 'NodePort' } } }),
      answered({ spec: { type: 'NodePort' } }, { kind: 'Status', code: 403 }, 403),
      line('patch', `${uri}?dryRun=All`, svc, 200, ALICE, { level: 'RequestResponse', requestObject: { spec: { type: 'NodePort' } }, responseObject: head('NodePort', dashboard) }),
    ];
    const got = await decideAuditLines(lines, (id) => id === 'MLS-K8S-013');
    expect(got).toEqual([
      '1 services MLS-K8S-013 alert',
      '2 services MLS-K8S-013 alert',
      '3 services MLS-K8S-013 alert',
      '4 services MLS-K8S-013 alert',
      '5 services -',
      '6 services -',
      '7 services -',
      '8 services -',
      '9 services -',
      '10 services -',
    ]);
  });

  it('escalate a person pointing a served model at other weights, or moving a registry alias through the proxy', async () => {
    const isvc = { resource: 'inferenceservices', namespace: 'serving', name: 'llama', apiGroup: 'serving.kserve.io' };
    const uri = '/apis/serving.kserve.io/v1beta1/namespaces/serving/inferenceservices';
    const body = (requestObject: unknown): Record<string, unknown> => ({ level: 'Request', requestObject });
    const ARGO = { username: 'system:serviceaccount:argocd:argocd-application-controller', groups: [] };
    const mlflow = { resource: 'services', namespace: 'mlops', name: 'mlflow:5000', subresource: 'proxy' };
    const lines = [
      // A merge patch, a create with a framework's own storageUri, a JSON Patch, Seldon Core 2's Model, a SeldonDeployment (MLS-POISON-014).
      line('patch', `${uri}/llama`, isvc, 200, ALICE, body({ spec: { predictor: { model: { storageUri: 's3://scratch-7/llama-ft' } } } })),
      line('create', uri, isvc, 201, ALICE, body({ kind: 'InferenceService', spec: { predictor: { pytorch: { storageUri: 'https://203.0.113.9/m.mar' } } } })),
      line('patch', `${uri}/llama`, isvc, 200, ALICE, body([{ op: 'replace', path: '/spec/predictor/model/storageUri', value: 'hf://evil/llama' }])),
      line('create', '/apis/mlops.seldon.io/v1alpha1/namespaces/serving/models', { resource: 'models', namespace: 'serving', name: 'iris', apiGroup: 'mlops.seldon.io' }, 201, ALICE, body({ kind: 'Model', spec: { storageUri: 'gs://x/iris', requirements: ['sklearn'] } })),
      line('update', '/apis/machinelearning.seldon.io/v1/namespaces/serving/seldondeployments/iris', { resource: 'seldondeployments', namespace: 'serving', name: 'iris', apiGroup: 'machinelearning.seldon.io' }, 200, ALICE, body({ kind: 'SeldonDeployment', spec: { predictors: [{ name: 'p', graph: { name: 'clf', implementation: 'SKLEARN_SERVER', modelUri: 'gs://x/iris' } }] } })),
      // Argo CD's sync, a label, the controller's status, a refused patch, a dry run, another API group's "models" (left).
      line('patch', `${uri}/llama`, isvc, 200, ARGO, body({ spec: { predictor: { model: { storageUri: 's3://models/llama/v7' } } } })),
      line('patch', `${uri}/llama`, isvc, 200, ALICE, body({ metadata: { labels: { team: 'ml' } } })),
      line('update', `${uri}/llama/status`, { ...isvc, subresource: 'status' }, 200, ALICE, body({ spec: { predictor: { model: { storageUri: 's3://models/llama/v7' } } } })),
      line('patch', `${uri}/llama`, isvc, 403, ALICE, body({ spec: { predictor: { model: { storageUri: 's3://scratch-7/llama-ft' } } } })),
      line('patch', `${uri}/llama?dryRun=All`, isvc, 200, ALICE, body({ spec: { predictor: { model: { storageUri: 's3://scratch-7/llama-ft' } } } })),
      line('create', '/apis/example.com/v1/namespaces/serving/models', { resource: 'models', namespace: 'serving', name: 'm', apiGroup: 'example.com' }, 201, ALICE, body({ spec: { storageUri: 'gs://x/m' } })),
      // MLflow's registry told which version to serve, through the API server's proxy (MLS-POISON-015); a search and a refused alias (left).
      line('create', '/api/v1/namespaces/mlops/services/mlflow:5000/proxy/api/2.0/mlflow/registered-models/alias', mlflow, 200),
      line('create', '/api/v1/namespaces/mlops/services/http:mlflow:5000/proxy/ajax-api/2.0/mlflow/model-versions/transition-stage', { ...mlflow, name: 'http:mlflow:5000' }, 200),
      line('get', '/api/v1/namespaces/mlops/services/mlflow:5000/proxy/api/2.0/mlflow/registered-models/search?filter=name%3D%27llama%27', mlflow, 200),
      line('create', '/api/v1/namespaces/mlops/services/mlflow:5000/proxy/api/2.0/mlflow/registered-models/alias', mlflow, 403),
    ];
    const got = await decideAuditLines(lines, (id) => id === 'MLS-POISON-014' || id === 'MLS-POISON-015');
    expect(got).toEqual([
      '1 inferenceservices MLS-POISON-014 escalate',
      '2 inferenceservices MLS-POISON-014 escalate',
      '3 inferenceservices MLS-POISON-014 escalate',
      '4 models MLS-POISON-014 escalate',
      '5 seldondeployments MLS-POISON-014 escalate',
      '6 inferenceservices -',
      '7 inferenceservices -',
      '8 inferenceservices/status -',
      '9 inferenceservices -',
      '10 inferenceservices -',
      '11 models -',
      '12 services/proxy MLS-POISON-015 escalate',
      '13 services/proxy MLS-POISON-015 escalate',
      '14 services/proxy -',
      '15 services/proxy -',
    ]);
  });

  it('remember which Services were written with an ML port, and alert when a later type-only patch exposes one', async () => {
    const ref = (ns: string, name?: string): Record<string, unknown> => ({ resource: 'services', namespace: ns, ...(name === undefined ? {} : { name }) });
    const create = (ns: string, body: Record<string, unknown>, code = 201, uri = `/api/v1/namespaces/${ns}/services`, response?: unknown): string =>
      line('create', uri, ref(ns), code, ALICE, { level: response === undefined ? 'Request' : 'RequestResponse', requestObject: { kind: 'Service', apiVersion: 'v1', ...body }, ...(response === undefined ? {} : { responseObject: response }) });
    const exposed = (ns: string, name: string, extra: Record<string, unknown> = {}, code = 200): string =>
      line('patch', `/api/v1/namespaces/${ns}/services/${name}`, ref(ns, name), code, ALICE, { level: 'Request', requestObject: { spec: { type: 'LoadBalancer' } }, ...extra });
    const service = (name: string, ports: unknown[], type = 'ClusterIP'): Record<string, unknown> => ({ metadata: { name }, spec: { type, ports } });
    const lines = [
      // Written with the Ray dashboard port (its objectRef names nothing: the body does), then made a LoadBalancer by a type-only patch (MLS-K8S-014).
      create('ray', service('rc-main', [{ name: 'http', port: 8265 }])),
      exposed('ray', 'rc-main'),
      // Named only in the answer (generateName), Jupyter by its port name, then exposed by a JSON Patch (MLS-K8S-014).
      create('research', { metadata: { generateName: 'nb-' }, spec: { ports: [{ name: 'jupyter', port: 80 }] } }, 201, '/api/v1/namespaces/research/services', { kind: 'Service', metadata: { name: 'nb-x7k2q', namespace: 'research' }, spec: { type: 'ClusterIP', ports: [{ name: 'jupyter', port: 80 }] } }),
      line('patch', '/api/v1/namespaces/research/services/nb-x7k2q', ref('research', 'nb-x7k2q'), 200, ALICE, { level: 'Request', requestObject: [{ op: 'replace', path: '/spec/type', value: 'NodePort' }] }),
      // A model server's port, the same name in another namespace, a refused create and a dry run before their patches (left).
      create('serving', service('llama', [{ name: 'http', port: 8000 }])),
      exposed('serving', 'llama'),
      exposed('other', 'rc-main'),
      create('ray', service('rc-denied', [{ port: 8265 }]), 403),
      exposed('ray', 'rc-denied'),
      create('ray', service('rc-dry', [{ port: 8265 }]), 201, '/api/v1/namespaces/ray/services?dryRun=All'),
      exposed('ray', 'rc-dry'),
      // Written with the port, then patches that are MLS-K8S-013's (the port in the request; answered) or change nothing exposed (left here).
      create('ray', service('rc-two', [{ port: 6379 }])),
      exposed('ray', 'rc-two', { requestObject: { spec: { type: 'NodePort', ports: [{ port: 8265 }] } } }),
      exposed('ray', 'rc-two', { level: 'RequestResponse', responseObject: { kind: 'Service', spec: { type: 'LoadBalancer', ports: [{ port: 6379 }] } } }),
      line('patch', '/api/v1/namespaces/ray/services/rc-two', ref('ray', 'rc-two'), 200, ALICE, { level: 'Request', requestObject: { metadata: { labels: { a: 'b' } } } }),
      exposed('ray', 'rc-two', {}, 403),
      // Deleted and created again without the port: another Service, its exposure left (the sequence's reset); a refused delete forgets nothing.
      create('ray', service('rc-again', [{ port: 8265 }])),
      line('delete', '/api/v1/namespaces/ray/services/rc-again', ref('ray', 'rc-again'), 200, ALICE, { level: 'Request' }),
      create('ray', service('rc-again', [{ name: 'http', port: 8000 }])),
      exposed('ray', 'rc-again'),
      create('ray', service('rc-kept', [{ port: 8265 }])),
      line('delete', '/api/v1/namespaces/ray/services/rc-kept', ref('ray', 'rc-kept'), 403, ALICE, { level: 'Request' }),
      exposed('ray', 'rc-kept'),
    ];
    const got = await decideAuditLines(lines, (id) => id === 'MLS-K8S-013' || id === 'MLS-K8S-014');
    expect(got).toEqual([
      '1 services -',
      '2 services MLS-K8S-014 alert',
      '3 services -',
      '4 services MLS-K8S-014 alert',
      '5 services -',
      '6 services -',
      '7 services -',
      '8 services -',
      '9 services -',
      '10 services -',
      '11 services -',
      '12 services -',
      '13 services MLS-K8S-013 alert',
      '14 services MLS-K8S-013 alert',
      '15 services -',
      '16 services -',
      '17 services -',
      '18 services -',
      '19 services -',
      '20 services -',
      '21 services -',
      '22 services -',
      '23 services MLS-K8S-014 alert',
    ]);
  });
});
