import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DCGM_FIELD_SPECS, renderDcgmNode } from './dcgm-scrape.js';
import { GpuActivity, type GpuDevice } from './gpu-activity.js';
import { Prng } from './prng.js';

const real = readFileSync(new URL('./fixtures/datadog__dcgm_metrics.txt', import.meta.url), 'utf8');

describe('dcgm-exporter scrapes', () => {
  it('uses the exporter HELP texts where the real capture has them', () => {
    const helps = new Map(real.split('\n').filter((l) => l.startsWith('# HELP ')).map((l) => [l.split(' ')[2]!, l]));
    let compared = 0;
    for (const f of DCGM_FIELD_SPECS) {
      const r = helps.get(f.name);
      if (r && r.length > `# HELP ${f.name}`.length) {
        expect(`# HELP ${f.name} ${f.help}`).toBe(r);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(6);
  });

  it('renders every scrape as HELP/TYPE then one timestamped sample per GPU, values formatted like the exporter', () => {
    const gpu = new GpuActivity();
    const devs: GpuDevice[] = [0, 1].map((i) => ({ node: 'n1', index: i, uuid: `GPU-0000000${i}-0000-0000-0000-000000000000`, pciBusId: '00000000:07:00.0', modelName: 'NVIDIA A100-SXM4-40GB', fbTotalMiB: 40960, fbReservedMiB: 425 }));
    devs.forEach((d) => gpu.addDevice(d));
    const t0 = Date.UTC(2026, 10, 20) * 1000;
    gpu.allocate(devs[0]!, { startUs: t0, endUs: t0 + 600e6, namespace: 'ml', pod: 'job-master-0', container: 'pytorch', load: 'training', fbMiB: 36000, nvlinkPeers: true });
    gpu.addBurst(devs[0]!, { startUs: t0 + 120e6, endUs: t0 + 200e6, kind: 'checkpoint' });
    const text = renderDcgmNode(new Prng(1), { hostname: 'n1', driverVersion: '550.90.07', tracks: gpu.tracks }, t0, t0 + 300e6, 30e6);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(10 * DCGM_FIELD_SPECS.length * 4);
    const power = lines.filter((l) => l.startsWith('DCGM_FI_DEV_POWER_USAGE{'));
    for (const l of power) expect(l).toMatch(/ \d+\.\d{6} \d{13}$/);
    const value = (l: string): number => Number(/\} (\S+) \d{13}$/.exec(l)![1]);
    const util = lines.filter((l) => l.startsWith('DCGM_FI_DEV_GPU_UTIL{gpu="0"')).map(value);
    expect(Math.min(...util.slice(0, 3))).toBeGreaterThanOrEqual(94);
    const tx = lines.filter((l) => l.startsWith('DCGM_FI_PROF_PCIE_TX_BYTES{gpu="0"')).map(value);
    expect(Math.max(...tx)).toBeGreaterThan(1e10); // the checkpoint write burst
    expect(lines.filter((l) => l.includes('gpu="1"')).every((l) => l.includes('container="",namespace="",pod=""'))).toBe(true);
  });
});
