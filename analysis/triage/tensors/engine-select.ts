/**
 * Chooses the statistics engine per artifact for a whole run (`--device auto|cpu|cuda|webgpu`,
 * the cascade's choice): small artifacts inline, large ones on a shared worker pool, or on ONNX
 * Runtime's CUDA / WebGPU provider when asked for, or when present (`auto`, large artifacts only —
 * a GPU pays off past the upload cost). A missing GPU never fails the run: the CPU path
 * takes over and the reason is kept in `notes`.
 */
import type { StatsEngine } from './stats-engine.js';
import { inlineEngine } from './stats-engine.js';
import { workerPoolEngine, type PoolOptions } from './stats-pool.js';

/** The cascade's device choices (models/onnx-runtime.ts DEVICE_CHOICES), with the same meaning. */
export const STATS_DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
export type StatsDevice = (typeof STATS_DEVICES)[number];

export function isStatsDevice(x: unknown): x is StatsDevice {
  return typeof x === 'string' && (STATS_DEVICES as readonly string[]).includes(x);
}

/** GPU providers tried, in order (then the CPU path). */
export function gpuProviders(device: StatsDevice): ('cuda' | 'webgpu')[] {
  return device === 'auto' ? ['cuda', 'webgpu'] : device === 'cuda' ? ['cuda'] : device === 'webgpu' ? ['webgpu'] : [];
}

/** Below this many tensor bytes an artifact is computed inline. */
export const INLINE_BELOW = 32 << 20;
/** `auto` uses the GPU from this many tensor bytes on. */
export const GPU_FROM = 256 << 20;

export interface EngineChooser {
  select(tensorBytes: number): Promise<StatsEngine>;
  /** Why the requested device was not used, if it was not. */
  readonly notes: string[];
  close(): Promise<void>;
}

export type GpuEngineLoader = (providers: ('cuda' | 'webgpu')[]) => Promise<StatsEngine>;

/** ONNX Runtime on the first provider that starts; throws with every reason when none does. */
async function defaultGpuLoader(providers: ('cuda' | 'webgpu')[]): Promise<StatsEngine> {
  const { onnxStatsEngine } = await import('./onnx-stats.js');
  const reasons: string[] = [];
  for (const provider of providers) {
    try {
      return await onnxStatsEngine(provider);
    } catch (e) {
      reasons.push(`${provider}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 160)}`);
    }
  }
  throw new Error(reasons.join('; '));
}

export function engineChooser(device: StatsDevice, pool: PoolOptions = {}, loadGpu: GpuEngineLoader = defaultGpuLoader): EngineChooser {
  let workers: StatsEngine | null = null;
  let gpu: StatsEngine | null | undefined;
  const notes: string[] = [];
  const inline = inlineEngine();
  const tryGpu = async (): Promise<StatsEngine | null> => {
    if (gpu !== undefined) return gpu;
    try {
      gpu = await loadGpu(gpuProviders(device));
    } catch (e) {
      gpu = null;
      notes.push(`GPU statistics unavailable (${e instanceof Error ? e.message : String(e)}); computed on the CPU instead`);
    }
    return gpu;
  };
  return {
    notes,
    async select(bytes) {
      if (device === 'cuda' || device === 'webgpu' || (device === 'auto' && bytes >= GPU_FROM)) {
        const g = await tryGpu();
        if (g) return g;
      }
      if (bytes < INLINE_BELOW) return inline;
      workers ??= workerPoolEngine(pool);
      return workers;
    },
    async close() {
      await workers?.close();
      await gpu?.close();
    },
  };
}
