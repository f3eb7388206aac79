/**
 * The stage window's index (stage-window.ts): the ring slot of each auditID the window holds.
 * It replaces a `Map<string, Entry>` that took a set and a delete per auditID and a get per record
 * on the thread that owns SQLite, the ingest's bottleneck. Here the auditID's hash is the one the
 * window computes once per record and hands on to the case's auditID table (audit-id-table.ts),
 * so a record is hashed once; and the slots (a hash, a ring slot and the auditID each: 32,768
 * slots take ~330 KB) stay in cache better than a Map's entries.
 *
 * Open addressing with linear probing over a fixed number of slots (the window holds at most
 * STAGE_WINDOW_ROWS auditIDs, so at most a quarter of the slots are used), and backward-shift
 * deletion: a deleted entry's slot is refilled from the entries probing past it, so no tombstones
 * pile up and every entry stays reachable from its home slot through occupied slots only.
 *
 * A hash match is only a candidate: the auditID itself is compared. The hash is keyed (per
 * window, or the case's auditID table's key: hashOf), so collisions cannot be planned from the
 * log; and whatever the hash does, a lookup walks at most `maxProbe` slots: an
 * auditID that finds no free slot within them goes to a Map instead (`overflow`), which a lookup
 * asks only when it holds anything. A record then costs at most `maxProbe` slots and a Map lookup.
 */
import { hashOf } from './audit-id-table.js';

/** Slots walked for one auditID before the overflow Map answers (normal data stays in single digits). */
const MAX_PROBE = 32;

export class StageWindowIndex {
  private readonly hashes: Int32Array;
  /** Value + 1 per slot; 0: empty. */
  private readonly values: Uint16Array;
  /** The auditID per slot ('' when empty): what confirms a hash match. */
  private readonly ids: string[];
  private readonly mask: number;
  private readonly maxProbe: number;
  /** AuditIDs whose cluster had no free slot within `maxProbe` (empty unless the hash was beaten). */
  private readonly overflow = new Map<string, number>();
  /** AuditIDs that ever went to `overflow` (for tests and diagnostics). */
  overflowed = 0;

  /**
   * `capacity` slots (a power of two, at least 4 × the entries held at once); values below 65,535.
   * `maxProbe` is for tests (a small bound, to take the overflow path).
   */
  constructor(readonly seed: number, capacity: number, opts: { maxProbe?: number } = {}) {
    if (capacity < 2 || (capacity & (capacity - 1)) !== 0) throw new Error(`capacity ${capacity} is not a power of two`);
    this.hashes = new Int32Array(capacity);
    this.values = new Uint16Array(capacity);
    this.ids = new Array<string>(capacity).fill('');
    this.mask = capacity - 1;
    this.maxProbe = Math.min(opts.maxProbe ?? MAX_PROBE, capacity);
  }

  /** The hash every method here takes: `hashOf(id, seed)`. */
  hash(id: string): number {
    return hashOf(id, this.seed);
  }

  /** The value of `id` (-1: not held). `hash`: `this.hash(id)`. */
  get(id: string, hash: number): number {
    const values = this.values;
    const hashes = this.hashes;
    const mask = this.mask;
    let s = hash & mask;
    for (let n = 0; n < this.maxProbe; n++, s = (s + 1) & mask) {
      const v = values[s]!;
      if (v === 0) break;
      if (hashes[s] === hash && this.ids[s] === id) return v - 1;
    }
    return this.overflow.size === 0 ? -1 : (this.overflow.get(id) ?? -1);
  }

  /** Records `value` (0 ≤ value < 65,535) for `id`, which the index does not hold. */
  set(id: string, hash: number, value: number): void {
    const values = this.values;
    const mask = this.mask;
    let s = hash & mask;
    for (let n = 0; n < this.maxProbe; n++, s = (s + 1) & mask) {
      if (values[s] === 0) {
        this.hashes[s] = hash;
        values[s] = value + 1;
        this.ids[s] = id;
        return;
      }
    }
    this.overflowed++;
    this.overflow.set(id, value);
  }

  /** Forgets `id` (held). */
  delete(id: string, hash: number): void {
    const values = this.values;
    const hashes = this.hashes;
    const ids = this.ids;
    const mask = this.mask;
    let hole = hash & mask;
    for (let n = 0; ; n++, hole = (hole + 1) & mask) {
      if (n === this.maxProbe || values[hole] === 0) {
        this.overflow.delete(id);
        return;
      }
      if (hashes[hole] === hash && ids[hole] === id) break;
    }
    // Backward shift: an entry further along the cluster moves into the hole unless its home lies
    // cyclically in (hole, s] (then the hole is before its home, where a probe for it never looks).
    for (let s = (hole + 1) & mask; values[s] !== 0; s = (s + 1) & mask) {
      const home = hashes[s]! & mask;
      if (((s - home) & mask) < ((s - hole) & mask)) continue;
      hashes[hole] = hashes[s]!;
      values[hole] = values[s]!;
      ids[hole] = ids[s]!;
      hole = s;
    }
    values[hole] = 0;
    ids[hole] = '';
  }
}
