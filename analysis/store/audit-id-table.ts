/**
 * The auditIDs a bulk load has stored so far, each with its event row: what the unique index
 * `events_audit_id` answers during an ordinary ingest, kept in memory while a new case file loads
 * without that index (CaseStore.beginBulkLoad). Building the index once at the end, from sorted
 * keys, costs a fraction of keeping it row by row: every insert into it lands on a random leaf
 * (measured at 1M events: 3 s of the inserting thread, against 0.7 s to build it after).
 *
 * An open-addressing table over one typed array (a 32-bit hash and the row id side by side, so a
 * probe costs one cache miss, not two: 8 bytes a slot, ~16 MB at 1M auditIDs): no string is kept.
 * A hash match is only a candidate, which the writer checks against the row's own audit_id
 * (record-writer.ts), so a collision costs a lookup, never a wrong merge. The hash is keyed per
 * table with a secret key (see `hashOf`), so which auditIDs collide cannot be planned; still, a
 * probe sequence that grows past MAX_PROBE (or a row id past 32 bits) makes the table `overloaded`, on
 * which the store builds the index and the writers go back to it.
 *
 * The writer asks about each new auditID twice: whether the case holds it (the stage window's
 * `stored`), then, right after, where to add its row. The second probe is answered from the first
 * (`missed`) when that one met no candidate and nothing was added since; and the hash can come
 * from the stage window, which hashes each record's auditID under this table's seed. One hash and
 * one probe (a cache miss in a table of megabytes) per new auditID, instead of two of each.
 */
import { randomInt } from 'node:crypto';
import type { ColumnText } from './record-columns.js';
import { halfSipHashBytes, halfSipHashText } from './half-siphash.js';

/** Slots probed for one auditID before the table gives up (normal data stays in single digits). */
const MAX_PROBE = 512;
const FIRST_CAPACITY = 1 << 16;
/**
 * Slots at most (8 bytes each: 32 MiB, ~2M auditIDs at half load). The ingest's memory must not grow
 * with its input: a larger load gives the table up, and the store builds the index and goes on with it.
 */
const MAX_CAPACITY = 1 << 22;

export class AuditIdTable {
  /** Per slot, side by side (one cache line per probe): the hash (as unsigned), then the row id (0: empty; row ids start at 1). */
  private cells = new Uint32Array(2 * FIRST_CAPACITY);
  private mask = FIRST_CAPACITY - 1;
  private size = 0;
  /** Of `hashOf`; exposed so a caller that hashes the auditID under it can pass the hash to `first`. */
  readonly seed: number;
  private readonly maxProbe: number;
  private readonly maxCapacity: number;
  /** The probe in progress (`first` / `next`), and where `add` puts its row. */
  private hash = 0;
  private slot = 0;
  private probes = 0;
  /**
   * The last string id whose probe met no candidate at all, with nothing added since: probing it
   * again would end at the same empty slot. (A string, compared by value: a Buffer's bytes may change.)
   */
  private missed: string | null = null;
  /** True once a probe ran past MAX_PROBE or a row id did not fit: the table no longer answers. */
  overloaded = false;

  /** `seed`, `maxProbe` and `maxCapacity` are for tests (a fixed seed, a table that gives up early). */
  constructor(opts: { seed?: number; maxProbe?: number; maxCapacity?: number } = {}) {
    this.seed = opts.seed ?? randomHashSeed();
    this.maxProbe = opts.maxProbe ?? MAX_PROBE;
    this.maxCapacity = Math.max(FIRST_CAPACITY, opts.maxCapacity ?? MAX_CAPACITY);
  }

  /**
   * The first row whose auditID may be `id` (0: none, `id` is new); `next` gives the others.
   * After a probe that ended at 0, `add` records `id`'s row. `hash`, when given, must be
   * `hashOf(id, this.seed)`. A string id whose last probe found no candidate, with no `add` or
   * other probe since, gets 0 at once.
   */
  first(id: ColumnText, hash?: number): number {
    if (id === this.missed) return 0;
    this.hash = hash ?? hashOf(id, this.seed);
    this.slot = this.hash & this.mask;
    this.probes = 0;
    const row = this.scan();
    this.missed = row === 0 && typeof id === 'string' && !this.overloaded ? id : null;
    return row;
  }

  /** The next candidate row of the probe `first` started (0: no more). */
  next(): number {
    this.slot = (this.slot + 1) & this.mask;
    return this.scan();
  }

  /** Records `row` as the row of the auditID whose probe just ended without a match. */
  add(row: number): void {
    if (row > 0xffffffff) {
      this.overloaded = true;
      return;
    }
    this.missed = null;
    this.cells[2 * this.slot] = this.hash;
    this.cells[2 * this.slot + 1] = row;
    if (++this.size * 2 > this.mask + 1) {
      if (2 * (this.mask + 1) > this.maxCapacity) this.overloaded = true;
      else this.grow();
    }
  }

  private scan(): number {
    const cells = this.cells;
    const mask = this.mask;
    const h = this.hash >>> 0;
    for (let s = this.slot; ; s = (s + 1) & mask) {
      const row = cells[2 * s + 1]!;
      if (row === 0 || cells[2 * s] === h) {
        this.slot = s;
        return row;
      }
      if (++this.probes > this.maxProbe) {
        this.overloaded = true;
        this.slot = s;
        return 0;
      }
    }
  }

  private grow(): void {
    const old = this.cells;
    const capacity = 2 * (this.mask + 1);
    const cells = (this.cells = new Uint32Array(2 * capacity));
    const mask = (this.mask = capacity - 1);
    for (let i = 0; i < old.length; i += 2) {
      const row = old[i + 1]!;
      if (row === 0) continue;
      let s = old[i]! & mask;
      while (cells[2 * s + 1] !== 0) s = (s + 1) & mask;
      cells[2 * s] = old[i]!;
      cells[2 * s + 1] = row;
    }
  }
}

/**
 * The keyed 32-bit hash of an auditID's UTF-8 bytes (HalfSipHash-1-3, half-siphash.ts): a string
 * and its bytes hash alike, whichever form the row arrives in. `seed` is the key, up to 48 bits
 * (`randomHashSeed`): which auditIDs collide under it cannot be planned from the log. The tables
 * still bound their probes, so that even a hash beaten by luck costs time, never a wrong answer.
 */
export function hashOf(id: ColumnText, seed: number): number {
  const k0 = seed | 0;
  const k1 = Math.floor(seed / 0x1_0000_0000) | 0;
  return typeof id === 'string' ? halfSipHashText(id, k0, k1, 1, 3) : halfSipHashBytes(id, k0, k1, 1, 3);
}

/** A random key for `hashOf` (48 bits: crypto.randomInt's range). */
export function randomHashSeed(): number {
  return randomInt(0xffff_ffff_ffff);
}
