/**
 * The auditIDs a bulk load has stored so far, each with its event row: what the unique index
 * `events_audit_id` answers during an ordinary ingest, kept in memory while a new case file loads
 * without that index (CaseStore.beginBulkLoad). Building the index once at the end, from sorted
 * keys, costs a fraction of keeping it row by row: every insert into it lands on a random leaf
 * (measured at 1M events: 3 s of the inserting thread, against 0.7 s to build it after).
 *
 * An open-addressing table over two typed arrays (a 32-bit hash and the row id per entry, 8 bytes
 * a slot, ~16 MB at 1M auditIDs): no string is kept. A hash match is only a candidate, which the
 * writer checks against the row's own audit_id (record-writer.ts), so a collision costs a lookup,
 * never a wrong merge. The hash is seeded per table, so a log cannot be written to collide; and a
 * probe sequence that still grows past MAX_PROBE (or a row id past 32 bits) makes the table
 * `overloaded`, on which the store builds the index and the writers go back to it.
 */
import { randomInt } from 'node:crypto';
import type { ColumnText } from './record-columns.js';

/** Slots probed for one auditID before the table gives up (normal data stays in single digits). */
const MAX_PROBE = 512;
const FIRST_CAPACITY = 1 << 16;
/**
 * Slots at most (8 bytes each: 32 MiB, ~2M auditIDs at half load). The ingest's memory must not grow
 * with its input: a larger load gives the table up, and the store builds the index and goes on with it.
 */
const MAX_CAPACITY = 1 << 22;

export class AuditIdTable {
  private hashes = new Int32Array(FIRST_CAPACITY);
  /** Row id per slot; 0: empty (row ids start at 1). */
  private rows = new Uint32Array(FIRST_CAPACITY);
  private mask = FIRST_CAPACITY - 1;
  private size = 0;
  private readonly seed: number;
  private readonly maxProbe: number;
  private readonly maxCapacity: number;
  /** The probe in progress (`first` / `next`), and where `add` puts its row. */
  private hash = 0;
  private slot = 0;
  private probes = 0;
  /** True once a probe ran past MAX_PROBE or a row id did not fit: the table no longer answers. */
  overloaded = false;

  /** `seed`, `maxProbe` and `maxCapacity` are for tests (a fixed seed, a table that gives up early). */
  constructor(opts: { seed?: number; maxProbe?: number; maxCapacity?: number } = {}) {
    this.seed = opts.seed ?? randomInt(0x7fffffff);
    this.maxProbe = opts.maxProbe ?? MAX_PROBE;
    this.maxCapacity = Math.max(FIRST_CAPACITY, opts.maxCapacity ?? MAX_CAPACITY);
  }

  /**
   * The first row whose auditID may be `id` (0: none, `id` is new); `next` gives the others.
   * After a probe that ended at 0, `add` records `id`'s row.
   */
  first(id: ColumnText): number {
    this.hash = hashOf(id, this.seed);
    this.slot = this.hash & this.mask;
    this.probes = 0;
    return this.scan();
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
    this.hashes[this.slot] = this.hash;
    this.rows[this.slot] = row;
    if (++this.size * 2 > this.mask + 1) {
      if (2 * (this.mask + 1) > this.maxCapacity) this.overloaded = true;
      else this.grow();
    }
  }

  private scan(): number {
    const hashes = this.hashes;
    const rows = this.rows;
    const mask = this.mask;
    const h = this.hash;
    for (let s = this.slot; ; s = (s + 1) & mask) {
      const row = rows[s]!;
      if (row === 0 || hashes[s] === h) {
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
    const oldHashes = this.hashes;
    const oldRows = this.rows;
    const capacity = 2 * (this.mask + 1);
    this.hashes = new Int32Array(capacity);
    this.rows = new Uint32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < oldRows.length; i++) {
      const row = oldRows[i]!;
      if (row === 0) continue;
      let s = oldHashes[i]! & this.mask;
      while (this.rows[s] !== 0) s = (s + 1) & this.mask;
      this.hashes[s] = oldHashes[i]!;
      this.rows[s] = row;
    }
  }
}

/**
 * A seeded 32-bit hash of the auditID's UTF-8 bytes (FNV-1a steps, then MurmurHash3's finaliser):
 * a string and its bytes hash alike, whichever form the row arrives in.
 */
export function hashOf(id: ColumnText, seed: number): number {
  let h = seed ^ 0x811c9dc5;
  if (typeof id === 'string') {
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c >= 0x80) return hashOf(Buffer.from(id, 'utf8'), seed);
      h = Math.imul(h ^ c, 0x01000193);
    }
  } else {
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id[i]!, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
