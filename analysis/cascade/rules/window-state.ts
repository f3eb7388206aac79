/**
 * Bounded state for stateful rules. Events arrive in time order (an older timestamp is treated as
 * "now"), so every structure only looks back one window:
 *  - CountWindow: the last N timestamps in a ring (N = threshold); "≥ N events in the window"
 *    holds exactly when the N-th most recent one is still inside it. Memory: N numbers.
 *  - DistinctWindow: value → last-seen time, in recency order, capped at N values (the threshold:
 *    knowing "≥ N distinct" needs no more). Values longer than 256 characters are stored as
 *    `boundedText` makes them: a prefix, the length and a 64-bit hash of the whole, so that long
 *    values sharing a prefix still count apart (plain truncation let paths under one long
 *    directory count as one).
 *  - SumWindow: 60 time buckets; the sum covers the last 59–60 buckets, i.e. the window to within
 *    1/60 of its length. Memory: 60 numbers whatever the event rate. The total is re-added from
 *    the buckets whenever buckets expire (not decremented): subtracting a huge amount (1e300, or
 *    an overflowed Infinity) would wipe the smaller amounts beside it or stick at NaN.
 *  - KeyedLru: per-rule map from key (actor, job, …) to state, least recently used evicted beyond
 *    `max`, and idle keys (nothing seen for one window) swept.
 */

export const MAX_DISTINCT_VALUE_LENGTH = 256;
export const SUM_BUCKETS = 60;
const BOUNDED_PREFIX = 224;
/** The prefix copied out char by char: a slice would keep the whole (attacker-sized) string alive. */
const PREFIX_CODES = new Uint16Array(BOUNDED_PREFIX);

/**
 * `s` when it is at most MAX_DISTINCT_VALUE_LENGTH characters, else its first 224 characters,
 * `…`, its length and two 32-bit hashes of the whole (FNV-1a, and a differently mixed one): at most 256
 * characters, so applying it twice changes nothing, and two long values that differ anywhere
 * collide only by a hash collision. Used for window keys and distinct values (attacker text).
 */
export function boundedText(s: string): string {
  if (s.length <= MAX_DISTINCT_VALUE_LENGTH) return s;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (i < BOUNDED_PREFIX) PREFIX_CODES[i] = c;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 15);
  }
  const prefix = String.fromCharCode.apply(null, PREFIX_CODES as unknown as number[]);
  return `${prefix}…${s.length}:${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}`;
}

interface LruNode<V> {
  key: string;
  value: V;
  older: LruNode<V> | null;
  newer: LruNode<V> | null;
}

/**
 * Keys in recency order on an intrusive list (oldest first) beside a Map: touching a key moves
 * its node, with no Map delete and re-insert per event.
 */
export class KeyedLru<V extends { lastTs: number }> {
  private readonly map = new Map<string, LruNode<V>>();
  private oldest: LruNode<V> | null = null;
  private newest: LruNode<V> | null = null;
  private readonly max: number;
  /** Incremented whenever a key is removed: a state remembered outside is still the key's while it holds. */
  removals = 0;
  constructor(max: number) {
    this.max = Math.max(1, Math.floor(max));
  }

  get size(): number {
    return this.map.size;
  }

  /** Returns the key's state, creating it (and evicting the least recently used) when missing. */
  touch(key: string, create: () => V): V {
    const newest = this.newest;
    // The most recently touched key needs no reordering.
    if (newest !== null && newest.key === key) return newest.value;
    let node = this.map.get(key);
    if (node !== undefined) {
      this.unlink(node);
      this.append(node);
      return node.value;
    }
    node = { key, value: create(), older: null, newer: null };
    this.map.set(key, node);
    this.append(node);
    if (this.map.size > this.max) this.remove(this.oldest!);
    return node.value;
  }

  peek(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  /** Drops keys not touched since `before` (oldest first, up to the first recent one). */
  sweep(before: number): void {
    while (this.oldest !== null && this.oldest.value.lastTs < before) this.remove(this.oldest);
  }

  private remove(node: LruNode<V>): void {
    this.removals++;
    this.map.delete(node.key);
    this.unlink(node);
  }

  private unlink(node: LruNode<V>): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = node.newer = null;
  }

  private append(node: LruNode<V>): void {
    node.older = this.newest;
    node.newer = null;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }
}

export class CountWindow {
  private readonly ring: Float64Array;
  private head = 0;
  private filled = 0;
  constructor(private readonly threshold: number) {
    this.ring = new Float64Array(threshold);
  }

  /** Records one event at `ts`; returns the number of events in (ts − size, ts], capped at the threshold. */
  add(ts: number, size: number): number {
    const n = this.threshold;
    this.ring[this.head] = ts;
    this.head = (this.head + 1) % n;
    if (this.filled < n) this.filled++;
    const from = ts - size;
    // Binary search for the oldest entry inside the window (entries are in time order).
    let lo = 0;
    let hi = this.filled;
    const start = this.filled < n ? 0 : this.head;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ring[(start + mid) % n]! > from) hi = mid;
      else lo = mid + 1;
    }
    return this.filled - lo;
  }
}

interface SeenNode {
  value: string;
  ts: number;
  newer: SeenNode | null;
  older: SeenNode | null;
}

export class DistinctWindow {
  /** value → node, and the nodes in recency order (oldest first). */
  private readonly seen = new Map<string, SeenNode>();
  private oldest: SeenNode | null = null;
  private newest: SeenNode | null = null;
  constructor(private readonly cap: number) {}

  /** Records `value` at `ts`; returns the number of distinct values seen in (ts − size, ts], capped. */
  add(value: string, ts: number, size: number): number {
    const v = boundedText(value);
    const m = this.seen;
    let node = m.get(v);
    if (node !== undefined) {
      this.unlink(node);
      node.ts = ts;
    } else {
      node = { value: v, ts, newer: null, older: null };
      m.set(v, node);
    }
    this.append(node);
    const from = ts - size;
    // Oldest first: drop what left the window, and beyond the cap.
    for (let o = this.oldest; o !== null; o = this.oldest) {
      if (o.ts > from && m.size <= this.cap) break;
      m.delete(o.value);
      this.unlink(o);
    }
    return m.size;
  }

  private unlink(node: SeenNode): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = node.newer = null;
  }

  private append(node: SeenNode): void {
    node.older = this.newest;
    node.newer = null;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }
}

/**
 * What a sum window adds for a field value (`attrs.bytes`, `attrs.requests`): its first scalar
 * when a finite number ≥ 0, or a numeric string shorter than 32 characters (loggers write large
 * counts as text); null — the event adds nothing — otherwise.
 */
export function windowAmount(v: unknown): number | null {
  let x = v;
  for (let i = 0; i < 4 && Array.isArray(x); i++) x = x[0];
  if (typeof x === 'number') return Number.isFinite(x) && x >= 0 ? x : null;
  if (typeof x === 'string' && x.length > 0 && x.length < 32) {
    const n = Number(x);
    return Number.isFinite(n) && n >= 0 ? n : null;
  }
  return null;
}

export class SumWindow {
  private readonly sums = new Float64Array(SUM_BUCKETS);
  private last = -Infinity;
  private total = 0;
  private readonly width: number;
  constructor(size: number) {
    this.width = Math.max(1, size / SUM_BUCKETS);
  }

  /** Adds `amount` at `ts`; returns the sum over the window ending at `ts`. */
  add(ts: number, amount: number): number {
    const b = Math.floor(ts / this.width);
    if (this.last === -Infinity) this.last = b;
    else if (b > this.last) {
      const gap = Math.min(SUM_BUCKETS, b - this.last);
      for (let i = 1; i <= gap; i++) this.sums[(((this.last + i) % SUM_BUCKETS) + SUM_BUCKETS) % SUM_BUCKETS] = 0;
      this.last = b;
      let total = 0;
      for (let i = 0; i < SUM_BUCKETS; i++) total += this.sums[i]!;
      this.total = total;
    }
    // An out-of-order (older) event is counted in the current bucket.
    this.sums[((this.last % SUM_BUCKETS) + SUM_BUCKETS) % SUM_BUCKETS]! += amount;
    this.total += amount;
    if (this.total < 0) this.total = 0;
    return this.total;
  }
}

/**
 * Ordered steps A → B → … by one key within `within`: `starts[i]` is the latest start time of a
 * chain that has completed steps 0..i (NaN: none). Keeping the latest start maximises the chance
 * the chain finishes inside the window; memory is one number per step.
 */
export class SequenceProgress {
  readonly starts: Float64Array;
  constructor(steps: number) {
    this.starts = new Float64Array(steps).fill(NaN);
  }

  /**
   * Feeds one event that satisfies the steps in `matched` (the first `count`, ascending indices). Returns the start
   * time of the completed chain when the last step completes (and forgets all progress), else NaN.
   */
  advance(matched: ArrayLike<number>, ts: number, within: number, count = matched.length): number {
    const s = this.starts;
    const last = s.length - 1;
    let done = NaN;
    // Highest step first, so one event cannot serve as two consecutive steps.
    for (let j = count - 1; j >= 0; j--) {
      const k = matched[j]!;
      if (k === 0) {
        s[0] = ts;
        continue;
      }
      const prev = s[k - 1]!;
      if (Number.isNaN(prev) || ts - prev > within) continue;
      if (k === last) {
        // A completed chain is reported once; the next one needs a fresh first step.
        done = prev;
        s.fill(NaN);
        break;
      } else if (!(s[k]! >= prev)) s[k] = prev;
    }
    return done;
  }
}
