/**
 * DCGM telemetry as Prometheus's HTTP API returns it for `GET /api/v1/query_range?query=<field>
 * &start=…&end=…&step=30s` against dcgm-exporter series: one `matrix` response per field, written
 * one response per line. Each (GPU, pod mapping) label set is its own series, as Prometheus keeps
 * it; values are strings, timestamps unix seconds on the step grid. Far more compact than saved
 * exposition scrapes, which is why the benchmark's bundles carry telemetry this way.
 */
import { allocationAt, type GpuTrack } from './gpu-activity.js';
import { GpuSampler } from './gpu-telemetry.js';
import { DCGM_FIELD_SPECS } from './dcgm-scrape.js';
import type { Prng } from './prng.js';

export interface QueryRangeNode {
  hostname: string;
  driverVersion: string;
  tracks: GpuTrack[];
}

/** Prometheus formats sample values with strconv.FormatFloat(v, 'f', -1, 64). */
function promValue(v: number, float: boolean): string {
  return float ? String(Number(v.toFixed(6))) : String(Math.round(v));
}

export function renderQueryRange(rng: Prng, nodes: readonly QueryRangeNode[], startUs: number, endUs: number, stepSeconds: number): string {
  const sampler = new GpuSampler(rng);
  const series = DCGM_FIELD_SPECS.map(() => new Map<string, { metric: Record<string, string>; values: Array<[number, string]> }>());
  const first = Math.ceil(startUs / 1e6 / stepSeconds) * stepSeconds;
  for (let sec = first; sec * 1e6 < endUs; sec += stepSeconds) {
    const us = sec * 1e6;
    for (const node of nodes) {
      for (const tr of node.tracks) {
        const r = sampler.read(tr, us);
        const a = allocationAt(tr, us);
        const pod = a ? `${a.namespace}/${a.pod}/${a.container}` : '';
        const key = `${tr.device.uuid}|${pod}`;
        DCGM_FIELD_SPECS.forEach((f, i) => {
          let s = series[i]!.get(key);
          if (!s) {
            s = {
              metric: {
                __name__: f.name,
                DCGM_FI_DRIVER_VERSION: node.driverVersion,
                Hostname: node.hostname,
                UUID: tr.device.uuid,
                container: a?.container ?? '',
                device: `nvidia${tr.device.index}`,
                gpu: String(tr.device.index),
                instance: `${node.hostname}:9400`,
                job: 'dcgm-exporter',
                modelName: tr.device.modelName,
                namespace: a?.namespace ?? '',
                pci_bus_id: tr.device.pciBusId,
                pod: a?.pod ?? '',
              },
              values: [],
            };
            series[i]!.set(key, s);
          }
          s.values.push([sec, promValue(f.value(r), f.float)]);
        });
      }
    }
  }
  return series.map((m) => JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [...m.values()] } }) + '\n').join('');
}
