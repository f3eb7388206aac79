/**
 * The parse worker's half of a .gz record source (parse-worker.ts): the ingesting thread sends the
 * compressed bytes as it reads them, this thread inflates them with the decoder, output chunks and
 * bounds an in-thread read uses (archive/bounded-inflate.ts BoundedInflate) and parses what comes
 * out, so inflating no longer takes the time of the thread that owns SQLite. The bundle's
 * decompression budget travels as numbers: what was used when the source started, charged here,
 * sent back with every batch (the ingesting thread inflates nothing meanwhile).
 *
 * The output goes straight into regions of the shared input memory (parse-worker-rows.ts), so a
 * row names its raw line where it was inflated, as it does in a block the ingesting thread filled.
 * A region is taken again only once the ingesting thread has applied every batch that may name it:
 * both threads share the count of batches applied (`applied`).
 */
import { BoundedInflate } from './archive/bounded-inflate.js';
import { DecompressionBudget } from './archive/limits.js';
import { INFLATE_REGIONS, INFLATE_REGIONS_AT, type WorkerGunzip } from './parse-worker-rows.js';

/** The worker's side of its batches, as the regions need it. */
export interface BatchPort {
  /** Batches handed over so far. */
  readonly sent: number;
  /** Hands the batch being filled over now (it may name a region that must come back). */
  flush(): void;
}

/** The inflate regions of the shared input memory, taken and given back in turn. */
export class InflateRegions {
  private readonly free: number[] = [];
  /** Regions used up, each free once `applied` reaches its count (in order: the counts only grow). */
  private readonly held: { region: number; after: number }[] = [];
  /** The region the decoder writes into, -1 for none. */
  private current = -1;

  constructor(
    private readonly input: SharedArrayBuffer,
    private readonly regionBytes: number,
    private readonly applied: Int32Array,
    private readonly batches: BatchPort,
  ) {
    for (let r = INFLATE_REGIONS - 1; r >= 0; r--) this.free.push(r);
  }

  /**
   * The next region for the decoder (PullDecoder allocOut), asked for once every byte of the one
   * before went to the reader: that one is free after the batch that holds its last rows.
   */
  take(size: number): Buffer {
    if (size !== this.regionBytes) throw new Error(`inflate regions hold ${this.regionBytes} bytes, not ${size}`);
    this.release();
    const region = this.nextFree();
    this.current = region;
    return Buffer.from(this.input, INFLATE_REGIONS_AT + region * this.regionBytes, this.regionBytes);
  }

  /** The decoder is done with its region (the source ended): rows read from it go with the next batch. */
  release(): void {
    if (this.current < 0) return;
    this.held.push({ region: this.current, after: this.batches.sent + 1 });
    this.current = -1;
  }

  private nextFree(): number {
    for (;;) {
      const done = Atomics.load(this.applied, 0);
      while (this.held.length > 0 && this.held[0]!.after <= done) this.free.push(this.held.shift()!.region);
      const region = this.free.pop();
      if (region !== undefined) return region;
      // The rows that name the oldest region may still be in the batch being filled.
      if (this.held[0]!.after > this.batches.sent) this.batches.flush();
      // The timeout only lets termination through.
      Atomics.wait(this.applied, 0, done, 250);
    }
  }
}

/** One .gz source being inflated into the regions. */
export class SourceInflate {
  /** Bytes inflated so far, all of them handed to the reader. */
  inflated = 0;
  private readonly budget: DecompressionBudget | undefined;
  private readonly inflate: BoundedInflate;

  constructor(
    opts: WorkerGunzip,
    private readonly regions: InflateRegions,
  ) {
    if (opts.budget !== null) {
      this.budget = new DecompressionBudget(opts.budget.max);
      this.budget.used = opts.budget.used;
    }
    const { name, maxBytes, maxRatio } = opts;
    this.inflate = new BoundedInflate('gzip', { name, maxBytes, maxRatio, budget: this.budget }, (size) => regions.take(size));
  }

  /** The bundle budget's use after this source's charges, to send back (null without a budget). */
  get budgetUsed(): number | null {
    return this.budget?.used ?? null;
  }

  /**
   * Inflates a compressed chunk, handing every output chunk to `parse` as it comes: throws what
   * the inflate throws ("truncated gzip: …", "corrupt gzip in …", "decompression bomb: …") once
   * what inflated before is parsed, or what `parse` throws.
   */
  push(chunk: Uint8Array, parse: (bytes: Uint8Array) => void): void {
    this.inflate.push(chunk);
    for (let c = this.inflate.next(); c !== null; c = this.inflate.next()) {
      this.inflated += c.length;
      parse(c);
    }
  }

  /** End of the compressed bytes: throws when the gzip ended too early. */
  end(): void {
    this.inflate.end();
  }

  /** Frees the decoder; its region goes back after the next batch. */
  close(): void {
    this.inflate.close();
    this.regions.release();
  }
}
