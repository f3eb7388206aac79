/**
 * Bounded state for stateful rules. Events arrive in time order (an older timestamp is treated as
 * "now"), so every structure only looks back one window:
 *  - CountWindow: the last timestamps in a ring; "≥ N events in the window" (N = threshold) holds
 *    exactly when the N-th most recent one is still inside it. The ring starts at 8 slots and
 *    doubles, up to N, only when it is full and its oldest entry is still inside the window (an
 *    expired one is overwritten instead): a key holds min(N, 8·2^k) slots, the least such at least
 *    the most events it ever had in one window.
 *  - DistinctWindow: value → last-seen time, in recency order, capped at N values (the threshold:
 *    knowing "≥ N distinct" needs no more). Values longer than 256 characters are stored as
 *    `boundedText` makes them: a prefix, the length and a 128-bit SHA-256 of the whole, so that long
 *    values sharing a prefix still count apart (plain truncation let paths under one long
 *    directory count as one).
 *  - SumWindow: 60 time buckets; the sum covers the last 59–60 buckets, i.e. the window to within
 *    1/60 of its length. Memory: 60 numbers whatever the event rate. The total is re-added from
 *    the buckets whenever buckets expire (not decremented): subtracting a huge amount (1e300, or
 *    an overflowed Infinity) would wipe the smaller amounts beside it or stick at NaN.
 *  - KeyedLru: per-rule map from key (actor, job, …) to state, least recently used evicted beyond
 *    `max`, and idle keys (nothing seen for one window) swept.
 *  - WindowBudget: what all keys of one count or distinct rule hold together in its form's unit
 *    (count slots, or distinct characters), charged and released exactly as the windows allocate
 *    and drop. Keys × threshold alone allows 128 MiB for one count rule and about 1 GiB for one
 *    distinct rule, and the attacker writes the log; beyond the budget the rule forgets its least
 *    recently used keys (`KeyedLru.fit`), the policy of the key limit, so bounded memory may only
 *    lose alerts on forgotten keys, never invent one. One key alone is bounded by its own cap (N
 *    slots; N values); the default budgets hold hundreds of keys at the cap even at the largest
 *    threshold (4096, mlshield-rule.ts).
 *  - Every form, sums and sequences included, also charges estimated bytes (each structure's
 *    `bytes`, state-pool.ts) to a per-rule limit and to the engine-wide pool; beyond them the rule
 *    forgets its own least recently used keys likewise (`KeyedLru.fitAccount`, state-pool.ts).
 */
import { createHash } from 'node:crypto';
import { KEY_CHAR_BYTES, TYPED_ARRAY_BYTES, type StateAccount } from './state-pool.js';

/** Count slots (8 bytes each) all keys of one count rule may hold: 8 MiB. */
export const COUNT_SLOT_BUDGET = 1 << 20;
/**
 * Distinct characters all keys of one distinct rule may hold: each stored value is charged its
 * length plus DISTINCT_ENTRY_CHARS (its node, map slot and string header weigh about as much as 64
 * characters, so a flood of one-character values is bounded too). 16 Mi ≈ 52k values of 256.
 */
export const DISTINCT_CHAR_BUDGET = 16 << 20;
export const DISTINCT_ENTRY_CHARS = 64;
/** A count ring's first size. */
export const COUNT_RING_START = 8;
/** Estimated bytes beside the elements (state-pool.ts): a CountWindow object (6 fields) and its ring's objects. */
const COUNT_WINDOW_BYTES = 72 + TYPED_ARRAY_BYTES;
/** A DistinctWindow object (7 fields, 2 boxed numbers) and its empty Map. */
const DISTINCT_WINDOW_BYTES = 112 + 160;

/** One rule's memory across its keys, in its windows' unit; `used` may pass `limit` only until the rule fits itself again. */
export class WindowBudget {
  used = 0;
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit >= 0 ? limit : 0;
  }
}

export const MAX_DISTINCT_VALUE_LENGTH = 256;
export const SUM_BUCKETS = 60;
/** A SumWindow object (5 fields, 3 boxed numbers) and its 60 buckets. */
const SUM_WINDOW_BYTES = 64 + 48 + TYPED_ARRAY_BYTES + 8 * SUM_BUCKETS;
/**
 * The longest length `boundedText` writes (Node strings stop short of 2^29 characters): the
 * prefix is cut to leave room for `…`, the length, `:` and the hash.
 */
const MAX_LENGTH_DIGITS = 9;
const BOUNDED_HASH_HEX = 32;
const BOUNDED_PREFIX = MAX_DISTINCT_VALUE_LENGTH - 1 - MAX_LENGTH_DIGITS - 1 - BOUNDED_HASH_HEX;
/** The prefix copied out char by char: a slice would keep the whole (attacker-sized) string alive. */
const PREFIX_CODES = new Uint16Array(BOUNDED_PREFIX);

/**
 * `s` when it is at most MAX_DISTINCT_VALUE_LENGTH characters, else its first 213 characters,
 * `…`, its length, `:` and the first 128 bits of the SHA-256 of its UTF-16 code units (lone
 * surrogates included: UTF-8 would turn every one into U+FFFD): at most 256 characters, so
 * applying it twice changes nothing. Used for window keys and distinct values, which the attacker
 * writes: two long values that differ anywhere must not count as one, and with a fast unkeyed
 * hash (FNV) the attacker could make long paths of one prefix and length collide, and a
 * "≥ N distinct" rule count N files as one. SHA-256 is unkeyed, so the text in reasons and
 * reports is the same in every run, yet no one can choose colliding values.
 */
export function boundedText(s: string): string {
  if (s.length <= MAX_DISTINCT_VALUE_LENGTH) return s;
  for (let i = 0; i < BOUNDED_PREFIX; i++) PREFIX_CODES[i] = s.charCodeAt(i);
  const prefix = String.fromCharCode.apply(null, PREFIX_CODES as unknown as number[]);
  const digest = createHash('sha256').update(Buffer.from(s, 'utf16le')).digest('hex').slice(0, BOUNDED_HASH_HEX);
  return `${prefix}…${s.length}:${digest}`;
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
  /** Called with every state the map drops (eviction, sweep, budget), to release what it held. */
  private readonly release: ((value: V) => void) | null;
  /** Incremented whenever a key is removed: a state remembered outside is still the key's while it holds. */
  removals = 0;
  constructor(max: number, release: ((value: V) => void) | null = null) {
    this.max = Math.max(1, Math.floor(max));
    this.release = release;
  }

  get size(): number {
    return this.map.size;
  }

  /** Returns the key's state, creating it (and evicting the least recently used) when missing. */
  touch(key: string, create: (key: string) => V): V {
    const newest = this.newest;
    // The most recently touched key needs no reordering.
    if (newest !== null && newest.key === key) return newest.value;
    let node = this.map.get(key);
    if (node !== undefined) {
      this.unlink(node);
      this.append(node);
      return node.value;
    }
    node = { key, value: create(key), older: null, newer: null };
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

  /**
   * Drops the least recently used keys until `budget` holds (its `used` falls as `release` gives
   * their memory back), never the most recent key: alone, it is bounded by its own cap.
   */
  fit(budget: WindowBudget): void {
    while (budget.used > budget.limit && this.oldest !== this.newest) this.remove(this.oldest!);
  }

  /** Likewise for the rule's bytes (state-pool.ts): its own keys, least recently used first, never the most recent. */
  fitAccount(account: StateAccount): void {
    while (account.over && this.oldest !== this.newest) this.remove(this.oldest!);
  }

  private remove(node: LruNode<V>): void {
    this.removals++;
    this.map.delete(node.key);
    this.unlink(node);
    if (this.release !== null) this.release(node.value);
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
  private ring: Float64Array;
  /** Where the next timestamp goes; when the ring is full, also its oldest entry. */
  private head = 0;
  private filled = 0;
  constructor(
    private readonly threshold: number,
    private readonly budget: WindowBudget | null = null,
  ) {
    this.ring = new Float64Array(Math.min(COUNT_RING_START, threshold));
    if (budget !== null) budget.used += this.ring.length;
  }

  /** Slots held (what the window charges its budget). */
  get held(): number {
    return this.ring.length;
  }

  /** Estimated bytes (state-pool.ts): the object, its ring's objects and 8 per slot. */
  get bytes(): number {
    return COUNT_WINDOW_BYTES + 8 * this.ring.length;
  }

  /** Records one event at `ts`; returns the number of events in (ts − size, ts], capped at the threshold. */
  add(ts: number, size: number): number {
    const from = ts - size;
    let n = this.ring.length;
    // Full with every entry still inside the window: the ring must grow to keep counting
    // (up to the threshold, where the oldest entry may go: N in the window is all we need).
    if (this.filled === n && n < this.threshold && this.ring[this.head]! > from) n = this.grow();
    this.ring[this.head] = ts;
    this.head = this.head + 1 === n ? 0 : this.head + 1;
    if (this.filled < n) this.filled++;
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

  /** Doubles the full ring (up to the threshold), oldest entry first at 0; returns its new size. */
  private grow(): number {
    const old = this.ring;
    const n = old.length;
    const next = Math.min(n * 2, this.threshold);
    const ring = new Float64Array(next);
    ring.set(old.subarray(this.head), 0);
    ring.set(old.subarray(0, this.head), n - this.head);
    this.ring = ring;
    this.head = n;
    if (this.budget !== null) this.budget.used += next - n;
    return next;
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
  /** Characters held: each stored value's length plus DISTINCT_ENTRY_CHARS. */
  private chars = 0;
  constructor(
    private readonly cap: number,
    private readonly budget: WindowBudget | null = null,
  ) {}

  /** Characters held (what the window charges its budget). */
  get held(): number {
    return this.chars;
  }

  /** Estimated bytes (state-pool.ts): the object and its Map, and 2 per character held (entry cost included). */
  get bytes(): number {
    return DISTINCT_WINDOW_BYTES + KEY_CHAR_BYTES * this.chars;
  }

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
      this.charge(v.length + DISTINCT_ENTRY_CHARS);
    }
    this.append(node);
    const from = ts - size;
    // Oldest first: drop what left the window, and beyond the cap.
    for (let o = this.oldest; o !== null; o = this.oldest) {
      if (o.ts > from && m.size <= this.cap) break;
      m.delete(o.value);
      this.unlink(o);
      this.charge(-(o.value.length + DISTINCT_ENTRY_CHARS));
    }
    return m.size;
  }

  private charge(chars: number): void {
    this.chars += chars;
    if (this.budget !== null) this.budget.used += chars;
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
  /** Estimated bytes (state-pool.ts), the same for every sum window. */
  static readonly bytes = SUM_WINDOW_BYTES;
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

  /** Estimated bytes of a chain of `steps` steps (state-pool.ts): the object, its array's objects and 8 per step. */
  static bytesFor(steps: number): number {
    return 32 + TYPED_ARRAY_BYTES + 8 * steps;
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
