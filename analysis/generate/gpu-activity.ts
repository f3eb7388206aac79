/**
 * What each GPU is doing over the incident window: which pod holds it (the dcgm-exporter pod
 * mapping from the kubelet pod-resources API) and short activity bursts on top (checkpoint writes,
 * weight loads, bulk device-to-host copies). The DCGM renderer samples this at every scrape.
 */

export interface GpuDevice {
  node: string;
  /** `gpu` label: the NVML index on the node. */
  index: number;
  /** `UUID` label: `GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
  uuid: string;
  pciBusId: string;
  modelName: string;
  fbTotalMiB: number;
  /** Framebuffer the driver reserves (DCGM_FI_DEV_FB_RESERVED). */
  fbReservedMiB: number;
}

/** The steady load a pod puts on its GPU. */
export type GpuLoad = 'training' | 'eval' | 'held' | 'distill' | 'mining' | 'mining-throttled';

export interface GpuAllocation {
  startUs: number;
  endUs: number;
  namespace: string;
  pod: string;
  container: string;
  load: GpuLoad;
  /** Framebuffer the process keeps resident (MiB). */
  fbMiB: number;
  /** Data-parallel peers on the same node (NVLink all-reduce traffic). */
  nvlinkPeers: boolean;
}

/** Short phases of distinct telemetry: checkpoint write, weight load + cast, bulk device-to-host copy. */
export type GpuBurstKind = 'checkpoint' | 'weights-load' | 'bulk-copy';

export interface GpuBurst {
  startUs: number;
  endUs: number;
  kind: GpuBurstKind;
  /** Framebuffer in use during the burst (MiB), for bursts that load their own data. */
  fbMiB?: number;
}

export interface GpuTrack {
  device: GpuDevice;
  allocations: GpuAllocation[];
  bursts: GpuBurst[];
}

function overlaps(a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 < b1 && b0 < a1;
}

export class GpuActivity {
  readonly tracks: GpuTrack[] = [];
  private readonly byUuid = new Map<string, GpuTrack>();

  addDevice(device: GpuDevice): void {
    const t: GpuTrack = { device, allocations: [], bursts: [] };
    this.tracks.push(t);
    this.byUuid.set(device.uuid, t);
  }

  track(device: GpuDevice): GpuTrack {
    const t = this.byUuid.get(device.uuid);
    if (!t) throw new Error(`unknown GPU ${device.uuid}`);
    return t;
  }

  isFree(device: GpuDevice, startUs: number, endUs: number): boolean {
    return !this.track(device).allocations.some((a) => overlaps(a.startUs, a.endUs, startUs, endUs));
  }

  allocate(device: GpuDevice, alloc: GpuAllocation): void {
    if (!this.isFree(device, alloc.startUs, alloc.endUs)) throw new Error(`GPU ${device.uuid} already allocated`);
    const t = this.track(device);
    t.allocations.push(alloc);
    t.allocations.sort((a, b) => a.startUs - b.startUs);
  }

  /** The first device (in node, index order) free over [startUs, endUs), or null. */
  findFree(startUs: number, endUs: number, exclude: ReadonlySet<string> = new Set()): GpuDevice | null {
    for (const t of this.tracks) {
      if (exclude.has(t.device.uuid)) continue;
      if (this.isFree(t.device, startUs, endUs)) return t.device;
    }
    return null;
  }

  addBurst(device: GpuDevice, burst: GpuBurst): void {
    const t = this.track(device);
    t.bursts.push(burst);
    t.bursts.sort((a, b) => a.startUs - b.startUs);
  }
}

export function allocationAt(track: GpuTrack, us: number): GpuAllocation | null {
  for (const a of track.allocations) if (a.startUs <= us && us < a.endUs) return a;
  return null;
}

export function burstAt(track: GpuTrack, us: number): GpuBurst | null {
  let found: GpuBurst | null = null;
  for (const b of track.bursts) {
    if (b.startUs > us) break;
    if (us < b.endUs) found = b;
  }
  return found;
}
