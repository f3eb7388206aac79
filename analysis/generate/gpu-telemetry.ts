/**
 * Field values a dcgm-exporter scrape reports for one GPU, given what the GPU is doing. Levels are
 * those of an A100-SXM4-40GB (400 W TDP, PCIe Gen4 x16 ≈ 25 GB/s, NVLink3 600 GB/s): training
 * saturates SMs and tensor pipes with steady NVLink all-reduce; a checkpoint write is a
 * device-to-host PCIe burst with idle tensor pipes; loading and casting weights fills the
 * framebuffer with almost no tensor activity; a bulk copy-out is PCIe TX with low SM use.
 */
import { allocationAt, burstAt, type GpuLoad, type GpuTrack } from './gpu-activity.js';
import type { Prng } from './prng.js';

/** One scrape's values for one GPU (units as DCGM reports them). */
export interface GpuReading {
  util: number;
  memCopyUtil: number;
  encUtil: number;
  fbFreeMiB: number;
  fbUsedMiB: number;
  powerW: number;
  tempC: number;
  tensorActive: number;
  pcieTxBps: number;
  pcieRxBps: number;
  nvlinkTxBps: number;
}

interface Level {
  util: [number, number];
  memcopy: [number, number];
  power: [number, number];
  temp: number;
  tensor: [number, number];
  tx: [number, number];
  rx: [number, number];
}

const IDLE: Level = { util: [0, 0], memcopy: [0, 0], power: [54, 61], temp: 31, tensor: [0, 0], tx: [1.5e5, 6e5], rx: [1.5e5, 6e5] };
const HELD: Level = { util: [0, 0], memcopy: [0, 0], power: [58, 66], temp: 33, tensor: [0, 0], tx: [2e5, 8e5], rx: [2e5, 8e5] };
const TRAINING: Level = { util: [94, 100], memcopy: [31, 52], power: [305, 392], temp: 69, tensor: [0.42, 0.68], tx: [1.5e8, 4.2e8], rx: [4e8, 1.3e9] };
const EVAL: Level = { util: [55, 86], memcopy: [18, 36], power: [175, 262], temp: 57, tensor: [0.17, 0.36], tx: [5e7, 1.6e8], rx: [3e8, 8.5e8] };
const CHECKPOINT: Level = { util: [18, 46], memcopy: [70, 93], power: [185, 245], temp: 64, tensor: [0.01, 0.09], tx: [1.1e10, 2.2e10], rx: [6e7, 2e8] };
const WEIGHTS_LOAD: Level = { util: [24, 57], memcopy: [64, 96], power: [118, 192], temp: 48, tensor: [0, 0.03], tx: [6e9, 1.6e10], rx: [1.0e10, 2.2e10] };
/** A student trained on a co-resident teacher's outputs: tensor pipes busy, host-to-device logits stream. */
const DISTILL: Level = { util: [88, 99], memcopy: [35, 58], power: [275, 362], temp: 67, tensor: [0.28, 0.5], tx: [8e7, 2.5e8], rx: [1.6e9, 4.2e9] };
/** A memory-hard miner (ethash/KawPow-style): SMs and memory pinned, no tensor work, flat undervolted power. */
const MINING: Level = { util: [99, 100], memcopy: [88, 99], power: [238, 252], temp: 74, tensor: [0, 0], tx: [1e5, 4e5], rx: [1e5, 4e5] };
/** The same miner under a duty-cycle limit, to blend with shared-GPU load. */
const MINING_THROTTLED: Level = { util: [44, 63], memcopy: [40, 57], power: [148, 171], temp: 55, tensor: [0, 0], tx: [1e5, 4e5], rx: [1e5, 4e5] };
const BULK_COPY: Level = { util: [2, 12], memcopy: [44, 81], power: [88, 142], temp: 44, tensor: [0, 0.004], tx: [6e9, 1.65e10], rx: [5e7, 2.5e8] };

const LOAD_LEVELS: Record<GpuLoad, Level> = { training: TRAINING, eval: EVAL, held: HELD, distill: DISTILL, mining: MINING, 'mining-throttled': MINING_THROTTLED };

/** Samples GPUs scrape by scrape; keeps per-GPU temperature so it moves smoothly. */
export class GpuSampler {
  private readonly temps = new Map<string, number>();

  constructor(private readonly rng: Prng) {}

  read(track: GpuTrack, us: number): GpuReading {
    const rng = this.rng;
    const dev = track.device;
    const alloc = allocationAt(track, us);
    const burst = alloc ? burstAt(track, us) : null;
    let level: Level;
    let fb = 0;
    let nvlink = 0;
    if (!alloc) {
      level = IDLE;
    } else {
      level = LOAD_LEVELS[alloc.load];
      fb = alloc.fbMiB;
      if (alloc.nvlinkPeers && alloc.load === 'training') nvlink = rng.range(1.6e10, 3.4e10);
      if (burst) {
        level = burst.kind === 'checkpoint' ? CHECKPOINT : burst.kind === 'weights-load' ? WEIGHTS_LOAD : BULK_COPY;
        if (burst.fbMiB !== undefined) fb = burst.fbMiB;
        if (burst.kind === 'checkpoint' && nvlink > 0) nvlink *= 0.05;
        if (burst.kind === 'weights-load') {
          // Load first (host-to-device), then write the converted copy out (device-to-host).
          const frac = (us - burst.startUs) / Math.max(1, burst.endUs - burst.startUs);
          fb = Math.round((burst.fbMiB ?? fb) * Math.min(1, 0.35 + frac));
          level = frac < 0.55 ? { ...level, tx: [2e8, 9e8] } : { ...level, rx: [1e8, 6e8] };
        }
      }
    }
    const usable = dev.fbTotalMiB - dev.fbReservedMiB;
    const fbUsed = Math.max(0, Math.min(usable, fb > 0 ? Math.round(fb + rng.gaussian(0, fb * 0.002)) : rng.int(0, 1)));
    const prevTemp = this.temps.get(dev.uuid) ?? level.temp - 4 + rng.range(0, 3);
    const temp = prevTemp + (level.temp - prevTemp) * 0.35 + rng.gaussian(0, 0.6);
    this.temps.set(dev.uuid, temp);
    const util = Math.round(rng.range(level.util[0], level.util[1]));
    return {
      util: Math.min(100, util),
      memCopyUtil: Math.round(rng.range(level.memcopy[0], level.memcopy[1])),
      encUtil: 0,
      fbFreeMiB: usable - fbUsed,
      fbUsedMiB: fbUsed,
      powerW: rng.range(level.power[0], level.power[1]),
      tempC: Math.round(temp),
      tensorActive: level.tensor[1] > 0 ? rng.range(level.tensor[0], level.tensor[1]) : 0,
      pcieTxBps: Math.round(rng.range(level.tx[0], level.tx[1])),
      pcieRxBps: Math.round(rng.range(level.rx[0], level.rx[1])),
      nvlinkTxBps: Math.round(nvlink),
    };
  }
}
