/**
 * Timestamps for DCGM dumps that carry none (a `/metrics` scrape saved without timestamps, a
 * `dcgmi dmon` table, a CSV without a time column): the k-th collection interval gets
 * `fallbackTs + k * intervalUs`, and samples are labelled `ts_inferred = '1'`.
 */
import type { Micros } from '../../core/records.js';

export interface DcgmReaderOptions {
  /** Start of the first interval, used when the format has no timestamps. */
  fallbackTs: Micros;
  /** Collection interval; default 30 s (dcgm-exporter's `-c 30000`), 1 s for `dcgmi dmon` (`-d 1000`). */
  scrapeIntervalUs?: number;
}

export const DEFAULT_SCRAPE_INTERVAL_US = 30_000_000;
export const DMON_DEFAULT_INTERVAL_US = 1_000_000;

/** Label put on samples whose timestamp was inferred rather than read. */
export const TS_INFERRED_LABEL = 'ts_inferred';

/**
 * Bound on the keys remembered per interval. A hostile file with endless distinct series would
 * otherwise grow the set without limit; past the bound the set restarts within the same interval,
 * so only a repeat of an evicted key can go unnoticed.
 */
const MAX_KEYS_PER_INTERVAL = 100_000;

/**
 * Counts collection intervals: within one interval every series (or dmon entity) appears once,
 * so a key seen again means the next interval has begun.
 */
export class IntervalClock {
  private readonly seen = new Set<string>();
  private k = 0;
  private readonly base: Micros;
  private readonly intervalUs: number;

  constructor(base: Micros, intervalUs: number) {
    this.base = Number.isFinite(base) ? base : 0;
    this.intervalUs = Number.isFinite(intervalUs) && intervalUs > 0 ? intervalUs : DEFAULT_SCRAPE_INTERVAL_US;
  }

  /** Index of the current interval. */
  get index(): number {
    return this.k;
  }

  /** Timestamp of a record of series `key`, starting a new interval when `key` was already seen in this one. */
  tsFor(key: string): Micros {
    if (this.seen.has(key)) {
      this.k++;
      this.seen.clear();
    } else if (this.seen.size >= MAX_KEYS_PER_INTERVAL) {
      this.seen.clear();
    }
    this.seen.add(key);
    return this.base + this.k * this.intervalUs;
  }

  /** An explicit boundary (a repeated `# HELP`, an OpenMetrics `# EOF`): the next record opens a new interval. */
  boundary(): void {
    if (this.seen.size > 0) {
      this.k++;
      this.seen.clear();
    }
  }
}
