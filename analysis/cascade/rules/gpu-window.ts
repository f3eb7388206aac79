/**
 * A per-job window of DCGM telemetry, summarised per field. Behavioural specs (GPU utilisation and
 * memory ranges) and GPU-profile rules (cryptojacking, distillation) evaluate over these windows
 * rather than over single samples: one DCGM scrape says little, a 5-minute mean says a lot.
 * Field names are DCGM's (`DCGM_FI_DEV_GPU_UTIL`, `DCGM_FI_DEV_FB_USED`, …).
 */
import type { Micros } from '../../core/records.js';

export interface GpuFieldSummary {
  mean: number;
  max: number;
  min: number;
}

export interface GpuWindow {
  job: string | null;
  node: string | null;
  gpu: string | null;
  start: Micros;
  end: Micros;
  fields: Record<string, GpuFieldSummary>;
}

export const GPU_STATS = ['mean', 'max', 'min'] as const;
export type GpuStat = (typeof GPU_STATS)[number];
