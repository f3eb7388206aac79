/**
 * The simulated cluster: nodes with their GPUs, namespaces, workloads and their pods (names follow
 * the controllers' naming so analysis/core/workload.ts maps each pod back to its workload), and the
 * people who operate it. Everything is drawn from a seeded PRNG.
 */
import { jobForPod } from '../core/workload.js';
import { GpuActivity, type GpuDevice } from './gpu-activity.js';
import type { HumanUser, PodBinding } from './k8s-identity.js';
import { KUBECTL_DARWIN_UA, KUBECTL_LINUX_UA } from './k8s-identity.js';
import type { Prng } from './prng.js';

export interface ClusterNode {
  name: string;
  uid: string;
  ip: string;
  kind: 'gpu' | 'cpu';
  gpus: GpuDevice[];
  /** Next pod IP host part on this node's /24. */
  nextPodHost: number;
  podCidrIndex: number;
}

export interface PodInfo extends PodBinding {
  container: string;
  gpu?: GpuDevice;
  /** Trajectory key of the owning workload. */
  workload: string;
}

export type WorkloadRole =
  | 'training'
  | 'eval'
  | 'dataloader'
  | 'notebook'
  | 'inference'
  | 'ci'
  | 'gitops'
  | 'operator'
  | 'monitoring'
  | 'dns'
  | 'autoscaler';

export interface Workload {
  key: string;
  name: string;
  namespace: string;
  role: WorkloadRole;
  serviceAccount: string;
  serviceAccountUid: string;
  pods: PodInfo[];
  /** Principal the platform SDK reports in application events. */
  owner: string;
  /** Training jobs: checkpoint PVC, model family, dataset, progress. */
  pvc?: string;
  model?: string;
  dataset?: string;
  stepAtStart?: number;
  stepsPerMinute?: number;
}

export interface Cluster {
  name: string;
  apiserverIP: string;
  driverVersion: string;
  nodes: ClusterNode[];
  workloads: Workload[];
  oncall: HumanUser[];
  researchers: HumanUser[];
  gpu: GpuActivity;
}

export interface ClusterOptions {
  gpuNodes: number;
  gpusPerNode: number;
  cpuNodes: number;
  /**
   * Node-pool naming (`gke-<cluster>-<kind>-pool-<hash>-<4>`) instead of `<kind>-node-NN`, so nodes
   * of an autoscaled pool in different benchmark episodes never share a name.
   */
  poolNames?: boolean;
  /**
   * Trajectory keys already taken (shared across the episodes of one benchmark bundle): a workload
   * whose key is taken gets a run suffix, so every trajectory key stays unique in the bundle.
   */
  takenKeys?: Set<string>;
}

/** DGX A100 PCI bus ids by GPU index. */
const PCI_BUS_IDS = ['00000000:07:00.0', '00000000:0F:00.0', '00000000:47:00.0', '00000000:4E:00.0', '00000000:87:00.0', '00000000:90:00.0', '00000000:B7:00.0', '00000000:BD:00.0'];
const MODEL_FAMILIES = [
  { name: 'llama-ft-7b', model: 'llama-2-7b', dataset: 'support-dialogs-v4' },
  { name: 'mistral-sft', model: 'mistral-7b-v0.3', dataset: 'instruct-mix-2026q3' },
  { name: 'bert-distill', model: 'bert-base-uncased', dataset: 'search-queries-v9' },
  { name: 'codegen-sft', model: 'codellama-7b', dataset: 'internal-repos-snap-1104' },
  { name: 'rm-pref', model: 'llama-2-7b', dataset: 'pref-pairs-v2' },
  { name: 'whisper-ft', model: 'whisper-large-v3', dataset: 'callcenter-audio-v3' },
] as const;
const TRAIN_NAMESPACES = ['ml-train', 'research-nlp'];
const ONCALL = ['priya.raman', 'marcus.oyelaran', 'lena.fischer', 'tomas.ibarra', 'yuki.sato'];
const RESEARCHERS = ['wei.zhang', 'amelie.durand', 'sam.okafor', 'nora.lindqvist', 'ravi.menon'];

function gpuUuid(rng: Prng): string {
  return `GPU-${rng.hex(4)}-${rng.hex(2)}-${rng.hex(2)}-${rng.hex(2)}-${rng.hex(6)}`;
}

function makeNode(rng: Prng, kind: 'gpu' | 'cpu', i: number, gpusPerNode: number, cidr: number, pool: string | null): ClusterNode {
  const name = pool ? `${pool}-${kind === 'gpu' ? 'a100' : 'cpu'}-pool-${rng.hex(4)}-${rng.chars(4, 'abcdefghijklmnopqrstuvwxyz0123456789')}` : `${kind}-node-${String(i + 1).padStart(2, '0')}`;
  const gpus: GpuDevice[] = [];
  if (kind === 'gpu') {
    for (let g = 0; g < gpusPerNode; g++) {
      gpus.push({ node: name, index: g, uuid: gpuUuid(rng), pciBusId: PCI_BUS_IDS[g % PCI_BUS_IDS.length]!, modelName: 'NVIDIA A100-SXM4-40GB', fbTotalMiB: 40960, fbReservedMiB: 425 });
    }
  }
  return { name, uid: rng.uuid(), ip: `10.128.0.${11 + cidr}`, kind, gpus, nextPodHost: rng.int(4, 40), podCidrIndex: cidr };
}

export class ClusterBuilder {
  readonly cluster: Cluster;

  private readonly takenKeys: Set<string> | null;

  constructor(private readonly rng: Prng, opts: ClusterOptions) {
    this.takenKeys = opts.takenKeys ?? null;
    const clusterNames = ['mlc-prod-usw2', 'ml-train-prod-1', 'gpu-prod-euw4'];
    // Pool naming needs the cluster name first; the default keeps its historical draw order.
    const pooled = opts.poolNames ? rng.fork('cluster-name').pick(clusterNames) : null;
    const pool = pooled ? `gke-${pooled}` : null;
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < opts.gpuNodes; i++) nodes.push(makeNode(rng, 'gpu', i, opts.gpusPerNode, nodes.length, pool));
    for (let i = 0; i < opts.cpuNodes; i++) nodes.push(makeNode(rng, 'cpu', i, 0, nodes.length, pool));
    const gpu = new GpuActivity();
    for (const n of nodes) for (const d of n.gpus) gpu.addDevice(d);
    const oncall = rng.shuffle([...ONCALL]).slice(0, 3).map((u) => this.human(u, 'ml-platform-oncall', 'ml-oncall'));
    const researchers = rng.shuffle([...RESEARCHERS]).slice(0, 3).map((u) => this.human(u, 'ml-researchers', 'ml-researcher'));
    this.cluster = {
      name: pooled ?? rng.pick(clusterNames),
      apiserverIP: '10.128.0.2',
      driverVersion: rng.pick(['535.183.06', '550.90.07', '550.127.05']),
      nodes,
      workloads: [],
      oncall,
      researchers,
      gpu,
    };
  }

  private human(user: string, group: string, role: string): HumanUser {
    const rng = this.rng;
    return {
      email: `${user}@corp.example`,
      group,
      role,
      ip: `10.200.${rng.int(4, 7)}.${rng.int(10, 240)}`,
      userAgent: rng.chance(0.7) ? KUBECTL_DARWIN_UA : KUBECTL_LINUX_UA,
    };
  }

  private readonly controllerUids = new Map<string, string>();
  private readonly saUids = new Map<string, string>();

  /** One uid per ServiceAccount object (workloads may share a service account). */
  serviceAccountUid(namespace: string, name: string): string {
    const key = `${namespace}/${name}`;
    let uid = this.saUids.get(key);
    if (!uid) {
      uid = this.rng.fork(`sa/${key}`).uuid();
      this.saUids.set(key, uid);
    }
    return uid;
  }

  /** Stable uid of a kube-system controller service account. */
  controllerUid(controller: string): string {
    let uid = this.controllerUids.get(controller);
    if (!uid) {
      uid = this.rng.fork(`controller/${controller}`).uuid();
      this.controllerUids.set(controller, uid);
    }
    return uid;
  }

  gpuNodes(): ClusterNode[] {
    return this.cluster.nodes.filter((n) => n.kind === 'gpu');
  }

  cpuNodes(): ClusterNode[] {
    return this.cluster.nodes.filter((n) => n.kind === 'cpu');
  }

  node(name: string): ClusterNode {
    const n = this.cluster.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`unknown node ${name}`);
    return n;
  }

  /** Adds a workload (pods are added with `addPod`). */
  addWorkload(w: Omit<Workload, 'key' | 'pods' | 'serviceAccountUid'> & { key?: string }): Workload {
    let name = w.name;
    if (this.takenKeys && !w.key) {
      for (let run = 2; this.takenKeys.has(`${w.namespace}/${name}`); run++) name = `${w.name}-r${run}`;
      this.takenKeys.add(`${w.namespace}/${name}`);
    }
    const wl: Workload = { ...w, name, key: w.key ?? `${w.namespace}/${name}`, pods: [], serviceAccountUid: this.serviceAccountUid(w.namespace, w.serviceAccount) };
    this.cluster.workloads.push(wl);
    return wl;
  }

  /**
   * Creates a pod of `wl` on `node`; its trajectory key is what the ingest derives from the name.
   * `register: false` keeps it out of `wl.pods` (a pod the workload's controller does not own).
   */
  addPod(wl: Workload, name: string, node: ClusterNode, container: string, gpu?: GpuDevice, register = true): PodInfo {
    const pod: PodInfo = {
      name,
      uid: this.rng.uuid(),
      namespace: wl.namespace,
      serviceAccount: wl.serviceAccount,
      serviceAccountUid: wl.serviceAccountUid,
      node: node.name,
      nodeUid: node.uid,
      ip: `10.64.${node.podCidrIndex}.${node.nextPodHost++}`,
      credentialId: this.rng.uuid(),
      container,
      gpu,
      workload: jobForPod(wl.namespace, name),
    };
    if (register) wl.pods.push(pod);
    return pod;
  }

  /** Training jobs (Kubeflow PyTorchJobs): master-0 plus workers, one GPU per replica, packed per node. */
  addTrainingJobs(count: number, windowStartUs: number, windowEndUs: number): Workload[] {
    const rng = this.rng;
    const families = rng.shuffle([...MODEL_FAMILIES]);
    const freeGpus = this.gpuNodes().flatMap((n) => n.gpus.map((g) => ({ g, n })));
    // Keep at least one GPU for evaluation jobs and other short work.
    const budget = Math.max(0, freeGpus.length - 1);
    const jobs: Workload[] = [];
    let used = 0;
    for (let j = 0; j < count && j < families.length; j++) {
      const want = j < 2 ? 2 : 1;
      if (used + want > budget) break;
      const f = families[j]!;
      const wl = this.addWorkload({
        name: f.name + rng.pick(['', '-v2', '-r3', '-0411']),
        namespace: j === 0 ? 'ml-train' : rng.pick(TRAIN_NAMESPACES),
        role: 'training',
        serviceAccount: `${f.name}-trainer`,
        owner: rng.pick(this.cluster.researchers).email,
        model: f.model,
        dataset: f.dataset,
        stepAtStart: rng.int(40, 260) * 100,
        stepsPerMinute: rng.int(18, 55),
      });
      wl.pvc = `${wl.name}-ckpt`;
      for (let r = 0; r < want; r++) {
        const slot = freeGpus[used++]!;
        const podName = r === 0 ? `${wl.name}-master-0` : `${wl.name}-worker-${r - 1}`;
        const pod = this.addPod(wl, podName, slot.n, 'pytorch', slot.g);
        this.cluster.gpu.allocate(slot.g, {
          startUs: windowStartUs - 6 * 3600_000_000,
          endUs: windowEndUs + 3600_000_000,
          namespace: wl.namespace,
          pod: pod.name,
          container: 'pytorch',
          load: 'training',
          fbMiB: rng.int(33_000, 38_600),
          nvlinkPeers: want > 1,
        });
      }
      jobs.push(wl);
    }
    return jobs;
  }

  /** A Deployment-managed workload: pods named `<name>-<pod-template-hash>-<suffix>`. */
  addDeployment(name: string, namespace: string, role: WorkloadRole, replicas: number, container: string, serviceAccount = name): Workload {
    const wl = this.addWorkload({ name, namespace, role, serviceAccount, owner: `system:serviceaccount:${namespace}:${serviceAccount}` });
    const hash = this.rng.templateHash();
    const nodes = this.cpuNodes().length > 0 ? this.cpuNodes() : this.cluster.nodes;
    for (let i = 0; i < replicas; i++) this.addPod(wl, `${wl.name}-${hash}-${this.rng.podSuffix()}`, this.rng.pick(nodes), container);
    return wl;
  }

  /** A StatefulSet-managed workload: pods named `<name>-<ordinal>`. */
  addStatefulSet(name: string, namespace: string, role: WorkloadRole, replicas: number, container: string, serviceAccount = name, owner?: string): Workload {
    const wl = this.addWorkload({ name, namespace, role, serviceAccount, owner: owner ?? `system:serviceaccount:${namespace}:${serviceAccount}` });
    const nodes = this.cpuNodes().length > 0 ? this.cpuNodes() : this.cluster.nodes;
    for (let i = 0; i < replicas; i++) this.addPod(wl, `${wl.name}-${i}`, this.rng.pick(nodes), container);
    return wl;
  }
}
