/**
 * Renders dcgm-exporter `/metrics` scrapes (Prometheus text exposition format 0.0.4) for one node,
 * concatenated as a collector saving every scrape with a trailing millisecond timestamp writes them.
 * Per scrape and metric: `# HELP`, `# TYPE`, then one sample per GPU. Labels in dcgm-exporter's order
 * (gpu, UUID, pci_bus_id, device, modelName, Hostname, DCGM_FI_DRIVER_VERSION, then the pod mapping
 * container, namespace, pod — empty strings when no pod holds the GPU). Values as the exporter
 * prints them: int64 fields with %d, doubles with %f. HELP texts are those of
 * NVIDIA/dcgm-exporter etc/default-counters.csv and dcp-metrics-included.csv.
 */
import { allocationAt, type GpuTrack } from './gpu-activity.js';
import { GpuSampler, type GpuReading } from './gpu-telemetry.js';
import type { Prng } from './prng.js';

interface FieldSpec {
  name: string;
  help: string;
  float: boolean;
  value: (r: GpuReading) => number;
}

/** The exported counters, in the order the counters CSV lists them. */
export const DCGM_FIELD_SPECS: readonly FieldSpec[] = [
  { name: 'DCGM_FI_DEV_GPU_TEMP', help: 'GPU temperature (in C).', float: false, value: (r) => r.tempC },
  { name: 'DCGM_FI_DEV_POWER_USAGE', help: 'Power draw (in W).', float: true, value: (r) => r.powerW },
  { name: 'DCGM_FI_DEV_GPU_UTIL', help: 'GPU utilization (in %).', float: false, value: (r) => r.util },
  { name: 'DCGM_FI_DEV_MEM_COPY_UTIL', help: 'Memory utilization (in %).', float: false, value: (r) => r.memCopyUtil },
  { name: 'DCGM_FI_DEV_ENC_UTIL', help: 'Encoder utilization (in %).', float: false, value: (r) => r.encUtil },
  { name: 'DCGM_FI_DEV_FB_FREE', help: 'Framebuffer memory free (in MiB).', float: false, value: (r) => r.fbFreeMiB },
  { name: 'DCGM_FI_DEV_FB_USED', help: 'Framebuffer memory used (in MiB).', float: false, value: (r) => r.fbUsedMiB },
  { name: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', help: 'Ratio of cycles the tensor (HMMA) pipe is active.', float: true, value: (r) => r.tensorActive },
  {
    name: 'DCGM_FI_PROF_PCIE_TX_BYTES',
    help: 'The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second.',
    float: false,
    value: (r) => r.pcieTxBps,
  },
  {
    name: 'DCGM_FI_PROF_PCIE_RX_BYTES',
    help: 'The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second.',
    float: false,
    value: (r) => r.pcieRxBps,
  },
  {
    name: 'DCGM_FI_PROF_NVLINK_TX_BYTES',
    help: 'The rate of data transmitted over NVLink, not including protocol headers, in bytes per second.',
    float: false,
    value: (r) => r.nvlinkTxBps,
  },
];

export interface DcgmNodeSpec {
  hostname: string;
  driverVersion: string;
  tracks: GpuTrack[];
}

function formatValue(v: number, float: boolean): string {
  return float ? v.toFixed(6) : String(Math.round(v));
}

/** The text of one node's capture: a scrape every `intervalUs` from `startUs` while `< endUs`. */
export function renderDcgmNode(rng: Prng, node: DcgmNodeSpec, startUs: number, endUs: number, intervalUs: number): string {
  const sampler = new GpuSampler(rng);
  const staticLabels = node.tracks.map(
    (t) =>
      `gpu="${t.device.index}",UUID="${t.device.uuid}",pci_bus_id="${t.device.pciBusId}",device="nvidia${t.device.index}",` +
      `modelName="${t.device.modelName}",Hostname="${node.hostname}",DCGM_FI_DRIVER_VERSION="${node.driverVersion}"`,
  );
  const parts: string[] = [];
  // The collector's clock: scrapes drift a few milliseconds around the interval.
  for (let t = startUs + rng.int(0, 900) * 1000; t < endUs; t += intervalUs + rng.int(-40, 40) * 1000) {
    const readings = node.tracks.map((tr) => sampler.read(tr, t));
    const podLabels = node.tracks.map((tr) => {
      const a = allocationAt(tr, t);
      return a ? `container="${a.container}",namespace="${a.namespace}",pod="${a.pod}"` : 'container="",namespace="",pod=""';
    });
    const ms = Math.floor(t / 1000);
    for (const f of DCGM_FIELD_SPECS) {
      parts.push(`# HELP ${f.name} ${f.help}\n# TYPE ${f.name} gauge\n`);
      for (let g = 0; g < node.tracks.length; g++) {
        parts.push(`${f.name}{${staticLabels[g]},${podLabels[g]}} ${formatValue(f.value(readings[g]!), f.float)} ${ms}\n`);
      }
    }
  }
  return parts.join('');
}
