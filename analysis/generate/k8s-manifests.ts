/**
 * Request bodies for the writes the audit policy logs at Request level (`requestObject`): Pod and
 * Service objects as a controller (Go typed client: struct field order, `kind` first) or kubectl
 * (`create -f`: unstructured, keys sorted) sends them.
 */

export type BodyStyle = 'controller' | 'kubectl';

function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeysDeep((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export interface PodBodySpec {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  owner?: { apiVersion: string; kind: string; name: string; uid: string };
  serviceAccount: string;
  container: string;
  image: string;
  command: string[];
  gpus: number;
  cpu: string;
  memory: string;
  /** PVC mounted at `mountPath`. */
  pvc?: { claim: string; mountPath: string; readOnly?: boolean };
  restartPolicy: 'Never' | 'OnFailure' | 'Always';
  nodeName?: string;
}

export function podBody(spec: PodBodySpec, style: BodyStyle): unknown {
  const limits: Record<string, string> = { cpu: spec.cpu, memory: spec.memory };
  if (spec.gpus > 0) limits['nvidia.com/gpu'] = String(spec.gpus);
  const container: Record<string, unknown> = {
    name: spec.container,
    image: spec.image,
    command: spec.command,
    resources: { limits, requests: { ...limits } },
  };
  if (spec.pvc) container.volumeMounts = [{ name: 'ckpt', mountPath: spec.pvc.mountPath, ...(spec.pvc.readOnly ? { readOnly: true } : {}) }];
  container.imagePullPolicy = 'IfNotPresent';
  const metadata: Record<string, unknown> = { name: spec.name, namespace: spec.namespace, labels: spec.labels };
  if (spec.owner) metadata.ownerReferences = [{ ...spec.owner, controller: true, blockOwnerDeletion: true }];
  const podSpec: Record<string, unknown> = {};
  if (spec.pvc) podSpec.volumes = [{ name: 'ckpt', persistentVolumeClaim: { claimName: spec.pvc.claim } }];
  podSpec.containers = [container];
  podSpec.restartPolicy = spec.restartPolicy;
  podSpec.serviceAccountName = spec.serviceAccount;
  if (spec.nodeName) podSpec.nodeName = spec.nodeName;
  if (spec.gpus > 0) podSpec.tolerations = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
  const body = { kind: 'Pod', apiVersion: 'v1', metadata, spec: podSpec, status: {} };
  if (style === 'kubectl') {
    const { status: _status, ...rest } = body;
    return sortKeysDeep(rest);
  }
  return body;
}

export interface ServiceBodySpec {
  name: string;
  namespace: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  selector: Record<string, string>;
  port: number;
  targetPort: number;
  nodePort?: number;
  labels?: Record<string, string>;
}

export function serviceBody(spec: ServiceBodySpec, style: BodyStyle): unknown {
  const port: Record<string, unknown> = { port: spec.port, protocol: 'TCP', targetPort: spec.targetPort };
  if (spec.nodePort) port.nodePort = spec.nodePort;
  const body = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { labels: spec.labels ?? spec.selector, name: spec.name, namespace: spec.namespace },
    spec: {
      ...(spec.type === 'ClusterIP' ? {} : { externalTrafficPolicy: 'Cluster' }),
      ports: [port],
      selector: spec.selector,
      sessionAffinity: 'None',
      type: spec.type,
    },
    status: { loadBalancer: {} },
  };
  return style === 'kubectl' ? sortKeysDeep(body) : body;
}
