/**
 * A fast stream of realistic kube-apiserver audit lines (`audit.k8s.io/v1` Events, one JSON object
 * per line, no trailing newline) for the ingest benchmark: kubelet heartbeats and status patches,
 * controller writes (some at Request level with the body), bound service-account tokens with
 * pod extras, CI deployers, and people listing, reading secrets (some denied) and exec'ing — with
 * RequestReceived + ResponseComplete pairs for the requests an audit policy keeps both stages of.
 * Lines are 600–1500 bytes, like a real cluster's; timestamps only move forward.
 *
 * Built for throughput (well above 200k lines/s): every request variant (who, what, which object)
 * is serialised once up front into the text before and after the per-line parts, so a line is
 * seven concatenations: auditID and two timestamps are all that change.
 */
import { K8S_ALPHANUMS, Prng } from './prng.js';

const HEX4: string[] = Array.from({ length: 65536 }, (_, i) => i.toString(16).padStart(4, '0'));
const K8S = 'v1.30.5 (linux/amd64) kubernetes/74e84a9';
const HEAD: Record<string, string> = {
  Metadata: '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"',
  Request: '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"',
};
const STAGE_TS = '","stageTimestamp":"';

/** A pre-serialised request: everything but auditID and the two timestamps. */
interface Variant {
  head: string;
  /** RequestReceived line between auditID and requestReceivedTimestamp, or null when the stage is not logged. */
  midReceived: string | null;
  /** ResponseComplete line between auditID and requestReceivedTimestamp. */
  midComplete: string;
  /** After stageTimestamp's value: closing quote, annotations, closing brace. */
  tail: string;
  latencyBase: number;
  latencyMask: number;
}

interface Actor {
  user: string;
  ip: string;
  ua: string;
  reason: string;
}

interface Spec {
  level: 'Metadata' | 'Request';
  uri: string;
  verb: string;
  actor: Actor;
  objectRef: string;
  status: string;
  body?: string;
  annotations?: string;
  pair?: boolean;
  latencyBase: number;
  latencyMask: number;
}

function variant(s: Spec): Variant {
  const who = '","requestURI":' + JSON.stringify(s.uri) + ',"verb":"' + s.verb + '","user":' + s.actor.user + ',"sourceIPs":["' + s.actor.ip + '"],"userAgent":' + s.actor.ua + ',"objectRef":' + s.objectRef;
  return {
    head: HEAD[s.level]!,
    midReceived: s.pair ? '","stage":"RequestReceived' + who + ',"requestReceivedTimestamp":"' : null,
    midComplete: '","stage":"ResponseComplete' + who + ',"responseStatus":' + s.status + (s.body ? ',"requestObject":' + s.body : '') + ',"requestReceivedTimestamp":"',
    tail: '","annotations":' + (s.annotations ?? '{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":' + s.actor.reason + '}') + '}',
    latencyBase: s.latencyBase,
    latencyMask: s.latencyMask,
  };
}

function userJson(username: string, groups: string[], extra?: Record<string, string[]>, uid?: string): string {
  const u: Record<string, unknown> = { username };
  if (uid) u.uid = uid;
  u.groups = groups;
  if (extra) u.extra = extra;
  return JSON.stringify(u);
}

const OK200 = '{"metadata":{},"code":200}';
const OK201 = '{"metadata":{},"code":201}';
const OK101 = '{"metadata":{},"code":101}';
const NAMESPACES = ['ml-train', 'research-nlp', 'research-vision', 'ml-eval', 'data', 'inference', 'ci', 'monitoring'];

/** The request variants, by weight (how often each kind of request appears in a real cluster's log). */
function buildVariants(r: Prng): Array<{ weight: number; variants: Variant[] }> {
  const nodes: Array<Actor & { name: string }> = [];
  for (let i = 0; i < 48; i++) {
    const name = `${i < 32 ? 'gpu' : 'cpu'}-node-${String(i + 1).padStart(2, '0')}`;
    nodes.push({ name, user: userJson(`system:node:${name}`, ['system:nodes', 'system:authenticated']), ip: `10.128.${i >> 6}.${10 + (i & 63)}`, ua: `"kubelet/${K8S}"`, reason: '""' });
  }
  const pods: Array<Actor & { ns: string; pod: string; sa: string }> = [];
  for (let i = 0; i < 400; i++) {
    const ns = NAMESPACES[i % NAMESPACES.length]!;
    const sa = `${r.pick(['trainer', 'evaluator', 'loader', 'default-editor', 'deployer', 'exporter'])}-${i % 37}`;
    const pod = `${sa}-${r.chars(10, K8S_ALPHANUMS)}-${r.podSuffix()}`;
    const extra = {
      'authentication.kubernetes.io/credential-id': [`JTI=${r.uuid()}`],
      'authentication.kubernetes.io/node-name': [nodes[i % nodes.length]!.name],
      'authentication.kubernetes.io/node-uid': [r.uuid()],
      'authentication.kubernetes.io/pod-name': [pod],
      'authentication.kubernetes.io/pod-uid': [r.uuid()],
    };
    pods.push({
      ns,
      pod,
      sa,
      user: userJson(`system:serviceaccount:${ns}:${sa}`, ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'], extra, r.uuid()),
      ip: `10.64.${i % 48}.${2 + (i % 250)}`,
      ua: JSON.stringify(r.chance(0.5) ? 'OpenAPI-Generator/30.1.0/python' : `${sa}/v0.0.0 (linux/amd64) kubernetes/$Format`),
      reason: JSON.stringify(`RBAC: allowed by RoleBinding "${sa}/${ns}" of ClusterRole "edit" to ServiceAccount "${sa}/${ns}"`),
    });
  }
  const humans: Array<Actor & { name: string }> = ['priya.raman', 'marcus.oyelaran', 'lena.fischer', 'wei.zhang', 'amelie.durand', 'sam.okafor'].map((n) => ({
    name: `oidc:${n}@corp.example`,
    user: userJson(`oidc:${n}@corp.example`, ['oidc:ml-platform-oncall', 'system:authenticated']),
    ip: `10.200.${r.int(4, 7)}.${r.int(10, 240)}`,
    ua: '"kubectl/v1.30.2 (darwin/arm64) kubernetes/3968350"',
    reason: JSON.stringify('RBAC: allowed by ClusterRoleBinding "ml-platform-oncall-ml-oncall" of ClusterRole "ml-oncall" to Group "oidc:ml-platform-oncall"'),
  }));
  const controllers: Actor[] = ['job-controller', 'replicaset-controller', 'endpointslice-controller', 'deployment-controller'].map((c) => {
    const username = `system:serviceaccount:kube-system:${c}`;
    return {
      user: userJson(username, ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'], undefined, r.uuid()),
      ip: '10.128.0.2',
      ua: JSON.stringify(`kube-controller-manager/${K8S}/${username}`),
      reason: JSON.stringify(`RBAC: allowed by ClusterRoleBinding "system:controller:${c}" of ClusterRole "system:controller:${c}" to ServiceAccount "${c}/kube-system"`),
    };
  });
  const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  const jobName = (): string => `eval-run-${r.chars(5, K8S_ALPHANUMS)}`;
  return [
    { weight: 34, variants: nodes.map((n) => variant({ level: 'Metadata', uri: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n.name}?timeout=10s`, verb: 'update', actor: n, objectRef: `{"resource":"leases","namespace":"kube-node-lease","name":"${n.name}","apiGroup":"coordination.k8s.io","apiVersion":"v1"}`, status: OK200, latencyBase: 2000, latencyMask: 8191 })) },
    { weight: 6, variants: nodes.map((n) => variant({ level: 'Metadata', uri: `/api/v1/nodes/${n.name}/status?timeout=10s`, verb: 'patch', actor: n, objectRef: `{"resource":"nodes","name":"${n.name}","apiVersion":"v1","subresource":"status"}`, status: OK200, latencyBase: 3000, latencyMask: 16383 })) },
    { weight: 22, variants: pods.map((p) => variant({ level: 'Metadata', uri: `/api/v1/namespaces/${p.ns}/configmaps/${p.sa}-config`, verb: 'get', actor: p, objectRef: `{"resource":"configmaps","namespace":"${p.ns}","name":"${p.sa}-config","apiVersion":"v1"}`, status: OK200, latencyBase: 700, latencyMask: 4095 })) },
    { weight: 8, variants: pods.map((p) => variant({ level: 'Metadata', uri: `/api/v1/namespaces/${p.ns}/pods?limit=500`, verb: 'list', actor: p, objectRef: `{"resource":"pods","namespace":"${p.ns}","apiVersion":"v1"}`, status: OK200, latencyBase: 3000, latencyMask: 32767 })) },
    {
      weight: 6, // secrets: the policy keeps RequestReceived for them
      variants: pods.map((p, i) => {
        const name = ['hf-token', 'wandb-api-key', 'registry-pull', 's3-credentials'][i & 3]!;
        return variant({ level: 'Metadata', uri: `/api/v1/namespaces/${p.ns}/secrets/${name}`, verb: 'get', actor: p, objectRef: `{"resource":"secrets","namespace":"${p.ns}","name":"${name}","apiVersion":"v1"}`, status: OK200, pair: true, latencyBase: 700, latencyMask: 4095 });
      }),
    },
    {
      weight: 7,
      variants: many(256, (i) => {
        const ns = NAMESPACES[i % NAMESPACES.length]!;
        const name = jobName();
        return variant({ level: 'Metadata', uri: `/apis/batch/v1/namespaces/${ns}/jobs/${name}/status`, verb: 'update', actor: controllers[i % controllers.length]!, objectRef: `{"resource":"jobs","namespace":"${ns}","name":"${name}","apiGroup":"batch","apiVersion":"v1","subresource":"status"}`, status: OK200, latencyBase: 2000, latencyMask: 16383 });
      }),
    },
    {
      weight: 5, // the job controller creates pods (Request level, with the body)
      variants: many(128, (i) => {
        const ns = NAMESPACES[i % NAMESPACES.length]!;
        const job = jobName();
        const pod = `${job}-${r.chars(5, K8S_ALPHANUMS)}`;
        const c = controllers[0]!;
        const body =
          `{"kind":"Pod","apiVersion":"v1","metadata":{"name":"${pod}","namespace":"${ns}","labels":{"batch.kubernetes.io/job-name":"${job}","job-name":"${job}"},` +
          `"ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"${job}","uid":"${r.uuid()}","controller":true,"blockOwnerDeletion":true}]},` +
          `"spec":{"containers":[{"name":"main","image":"registry.corp.example/ml/eval-harness:0.9.3","resources":{"limits":{"cpu":"8","memory":"48Gi"}},"imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Never","serviceAccountName":"evaluator"},"status":{}}`;
        return variant({ level: 'Request', uri: `/api/v1/namespaces/${ns}/pods`, verb: 'create', actor: c, objectRef: `{"resource":"pods","namespace":"${ns}","name":"${pod}","apiVersion":"v1"}`, status: OK201, body, annotations: `{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":${c.reason},"pod-security.kubernetes.io/enforce-policy":"baseline:latest"}`, latencyBase: 5000, latencyMask: 32767 });
      }),
    },
    {
      weight: 4, // CI deployers patch deployments (Request level)
      variants: many(64, (i) => {
        const p = pods[(i % 50) * 8 + 6]!; // the `ci` namespace's pods
        const app = ['triton-llama', 'vllm-mistral', 'feature-store', 'embedder'][i & 3]!;
        const body = `{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-20T0${i % 10}:${10 + (i % 50)}:00Z"}},"spec":{"containers":[{"name":"server","image":"registry.corp.example/serving/${app}:r${i}"}]}}}}`;
        return variant({ level: 'Request', uri: `/apis/apps/v1/namespaces/inference/deployments/${app}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`, verb: 'patch', actor: p, objectRef: `{"resource":"deployments","namespace":"inference","name":"${app}","apiGroup":"apps","apiVersion":"v1"}`, status: OK200, body, latencyBase: 4000, latencyMask: 16383 });
      }),
    },
    {
      weight: 3,
      variants: humans.flatMap((h) => NAMESPACES.map((ns) => variant({ level: 'Metadata', uri: `/api/v1/namespaces/${ns}/pods?limit=500`, verb: 'list', actor: h, objectRef: `{"resource":"pods","namespace":"${ns}","apiVersion":"v1"}`, status: OK200, latencyBase: 4000, latencyMask: 65535 }))),
    },
    {
      weight: 1, // denied secret listing (both stages)
      variants: humans.map((h) =>
        variant({
          level: 'Metadata',
          uri: '/api/v1/namespaces/kube-system/secrets?limit=500',
          verb: 'list',
          actor: h,
          objectRef: '{"resource":"secrets","namespace":"kube-system","apiVersion":"v1"}',
          status: JSON.stringify({ metadata: {}, status: 'Failure', message: `secrets is forbidden: User "${h.name}" cannot list resource "secrets" in API group "" in the namespace "kube-system"`, reason: 'Forbidden', details: { kind: 'secrets' }, code: 403 }),
          annotations: '{"authorization.k8s.io/decision":"forbid","authorization.k8s.io/reason":""}',
          pair: true,
          latencyBase: 800,
          latencyMask: 2047,
        }),
      ),
    },
    {
      weight: 1, // interactive exec (both stages)
      variants: many(128, (i) => {
        const h = humans[i % humans.length]!;
        const p = pods[(i * 7) % pods.length]!;
        return variant({ level: 'Metadata', uri: `/api/v1/namespaces/${p.ns}/pods/${p.pod}/exec?command=nvidia-smi&container=main&stdin=true&stdout=true&tty=true`, verb: 'create', actor: h, objectRef: `{"resource":"pods","namespace":"${p.ns}","name":"${p.pod}","apiVersion":"v1","subresource":"exec"}`, status: OK101, pair: true, latencyBase: 30000, latencyMask: 262143 });
      }),
    },
  ];
}

/** `count` audit lines (no trailing newline), deterministic for a seed. */
export function* auditNoiseLines(count: number, seed: number): Generator<string, void, undefined> {
  const rng = new Prng(seed);
  const kinds = buildVariants(rng.fork('variants'));
  const pick: Variant[][] = kinds.flatMap((k) => Array.from({ length: k.weight }, () => k.variants));
  let us = Date.UTC(2026, 10, 20, 0, 0, 0) * 1000 + rng.int(0, 3600) * 1_000_000;
  let second = -1;
  let prefix = '';
  const iso = (t: number): string => {
    const s = Math.floor(t / 1_000_000);
    if (s !== second) {
      second = s;
      prefix = new Date(s * 1000).toISOString().slice(0, 19) + '.';
    }
    const f = t - s * 1_000_000;
    return prefix + (f >= 100000 ? '' : f >= 10000 ? '0' : f >= 1000 ? '00' : f >= 100 ? '000' : f >= 10 ? '0000' : '00000') + f + 'Z';
  };
  let emitted = 0;
  while (emitted < count) {
    // ~400 requests/s cluster-wide.
    us += 1 + (rng.u32() % 5000);
    const list = pick[rng.u32() % pick.length]!;
    const v = list[rng.u32() % list.length]!;
    const a = rng.u32();
    const b = rng.u32();
    const id = HEX4[a >>> 16]! + HEX4[a & 0xffff]! + '-' + HEX4[b >>> 16]! + '-4' + HEX4[b & 0xfff]!.slice(1) + '-' + HEX4[0x8000 | (rng.u32() & 0x3fff)]! + '-' + HEX4[rng.u32() & 0xffff]! + HEX4[(a ^ b) & 0xffff]! + HEX4[rng.u32() & 0xffff]!;
    const recv = iso(us);
    if (v.midReceived !== null) {
      emitted++;
      yield v.head + id + v.midReceived + recv + STAGE_TS + recv + '"}';
      if (emitted >= count) return;
    }
    emitted++;
    yield v.head + id + v.midComplete + recv + STAGE_TS + iso(us + v.latencyBase + (rng.u32() & v.latencyMask)) + v.tail;
  }
}
