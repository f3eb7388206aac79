/**
 * Test-only brute-force reference for the stateful MLShield rule forms (mlshield-stateful.ts),
 * written from their documented meaning without window-state.ts: every decision is recomputed
 * from the key's whole event history (O(n²)).
 *
 * Documented semantics modelled here:
 *  - window: events in (t − size, t] (left edge out, right edge in); the rule fires on every
 *    matching event whose window reaches the threshold; count and distinct are reported capped
 *    at the threshold (window-state.ts); a sum covers the 60 time buckets of width size/60 ending
 *    with the event's (the window to within 1/60 of its length, never more than the window).
 *  - keys: the first scalar of each `by` field (arrays descend to their first element, at most
 *    four levels; numbers and booleans as text; anything else: the event is ignored); a distinct
 *    value likewise; a sum amount is a finite number ≥ 0 or a numeric string shorter than 32.
 *  - sequence: steps in order by one key, each on a later event, first to last within `within`
 *    (inclusive); a completed chain fires once and forgets every progress of its key.
 *  - bounded memory (EngineLimits.maxKeysPerRule): least recently touched key forgotten beyond
 *    the limit, and every 1024 updates keys idle since (t − size) are swept. `maxKeys: null` models
 *    unbounded memory (the ideal the LRU may only fall short of).
 *  - the per-rule budget (EngineLimits.maxCountSlotsPerRule / maxDistinctCharsPerRule): after each
 *    update, while the keys together hold more than the budget, the least recently touched key
 *    other than the current one is forgotten. A count key holds min(N, 8·2^k) slots, the least
 *    such at least the most events it ever had in one window since it was (re)made; a distinct
 *    key holds the N values last seen most recently among those in its window, each charged its
 *    stored length plus DISTINCT_ENTRY_CHARS. The stored text of a value over 256 characters is
 *    the one thing borrowed from window-state.ts (boundedText), for its length only.
 */
import { mulberry32 } from '../../core/mulberry32.js';
import { boundedText, COUNT_RING_START, DISTINCT_ENTRY_CHARS } from './window-state.js';

/** The tests' seeded PRNG (core/mulberry32). */
export const prng = mulberry32;

export function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

/** The first scalar of a field value, as text (null: no usable value). */
export function scalarText(v: unknown): string | null {
  let x = v;
  for (let i = 0; i < 4 && Array.isArray(x); i++) x = x[0];
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  return null;
}

/** The amount rule as documented (window-state.ts `windowAmount`), written again on purpose: the oracle imports none of the window code it checks. */
export function amountOf(v: unknown): number | null {
  let x = v;
  for (let i = 0; i < 4 && Array.isArray(x); i++) x = x[0];
  if (typeof x === 'number') return Number.isFinite(x) && x >= 0 ? x : null;
  if (typeof x === 'string' && x.length > 0 && x.length < 32) {
    const n = Number(x);
    return Number.isFinite(n) && n >= 0 ? n : null;
  }
  return null;
}

/** One input of a stateful rule, as the oracle sees it. */
export interface OracleItem {
  ts: number;
  /** Window rules: [condition holds]; sequences: whether each step holds. */
  matches: boolean[];
  /** Raw values of the `by` fields. */
  keyParts: unknown[];
  distinct?: unknown;
  sum?: unknown;
}

export interface WindowSpec {
  kind: 'count' | 'distinct' | 'sum';
  threshold: number;
  size: number;
  maxKeys: number | null;
  /** The rule's memory budget in its unit (count slots, distinct characters); null or absent: none. */
  budget?: number | null;
}

interface Held {
  ts: number;
  value: string | null;
  amount: number;
}

/** Key-state bookkeeping shared by both forms: LRU order, eviction and the periodic sweep. */
class KeyTable<S extends { lastTs: number }> {
  readonly map = new Map<string, S>();
  private updates = 0;
  constructor(
    private readonly max: number | null,
    private readonly horizon: number,
  ) {}
  touch(key: string, fresh: () => S): S {
    let st = this.map.get(key);
    if (st) this.map.delete(key);
    else st = fresh();
    this.map.set(key, st);
    if (this.max !== null && this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return st;
  }
  afterTouch(ts: number): void {
    if (++this.updates % 1024 !== 0 || this.max === null) return;
    for (const [k, s] of this.map) {
      if (s.lastTs < ts - this.horizon) this.map.delete(k);
      else break;
    }
  }
  /** Forgets least recently touched keys, never the last one, until what they hold fits `budget`. */
  fit(budget: number, held: (s: S) => number): { evicted: number; held: number } {
    let total = 0;
    for (const s of this.map.values()) total += held(s);
    let evicted = 0;
    for (const [k, s] of this.map) {
      if (total <= budget || this.map.size === 1) break;
      total -= held(s);
      this.map.delete(k);
      evicted++;
    }
    return { evicted, held: total };
  }
}

/** Slots a count ring holds after `peak` events in one window (threshold n). */
function ringSlots(peak: number, n: number): number {
  let c = Math.min(COUNT_RING_START, n);
  while (c < peak && c < n) c = Math.min(2 * c, n);
  return c;
}

function keyOf(parts: unknown[]): string | null {
  const texts: string[] = [];
  for (const p of parts) {
    const t = scalarText(p);
    if (t === null) return null;
    texts.push(t);
  }
  return JSON.stringify(texts);
}

export interface WindowVerdict {
  /** The measured value the hit should report, null when the rule must not fire. */
  measured: number | null;
  /** Sums: the bucketed sum, and the exact sums over (t − size, t] and (t − size·59/60, t] (its bounds). */
  bucketSum?: number;
  full?: number;
  inner?: number;
  key?: string[];
  /** With a budget: keys forgotten for it after this item, and what the keys then hold together. */
  evicted?: number;
  held?: number;
}

export function windowOracle(spec: WindowSpec, items: readonly OracleItem[]): WindowVerdict[] {
  const table = new KeyTable<{ lastTs: number; hist: Held[]; peak: number; held: number }>(spec.maxKeys, spec.size);
  const width = Math.max(1, spec.size / 60);
  const budget = spec.budget ?? null;
  return items.map((it): WindowVerdict => {
    if (!it.matches[0]) return { measured: null };
    const key = keyOf(it.keyParts);
    if (key === null) return { measured: null };
    let value: string | null = null;
    let amount = 0;
    if (spec.kind === 'distinct') {
      value = scalarText(it.distinct);
      if (value === null) return { measured: null };
    }
    if (spec.kind === 'sum') {
      const a = amountOf(it.sum);
      if (a === null) return { measured: null };
      amount = a;
    }
    const st = table.touch(key, () => ({ lastTs: -Infinity, hist: [], peak: 0, held: 0 }));
    const t = Math.max(it.ts, st.lastTs);
    st.lastTs = t;
    table.afterTouch(t);
    st.hist.push({ ts: t, value, amount });
    const inWindow = st.hist.filter((h) => h.ts > t - spec.size);
    const keyParts = JSON.parse(key) as string[];
    const verdict = ((): WindowVerdict => {
      if (spec.kind === 'count') {
        const n = inWindow.length;
        st.peak = Math.max(st.peak, n);
        st.held = ringSlots(st.peak, spec.threshold);
        return { measured: n >= spec.threshold ? Math.min(n, spec.threshold) : null, key: keyParts };
      }
      if (spec.kind === 'distinct') {
        // Last sighting of each value in the window, most recent first; the first N are stored.
        const last = new Map<string, number>();
        inWindow.forEach((h, i) => last.set(h.value!, i));
        const stored = [...last].sort((a, b) => b[1] - a[1]).slice(0, spec.threshold);
        st.held = stored.reduce((a, [v]) => a + boundedText(v).length + DISTINCT_ENTRY_CHARS, 0);
        const n = last.size;
        return { measured: n >= spec.threshold ? Math.min(n, spec.threshold) : null, key: keyParts };
      }
      const bucket = Math.floor(t / width);
      let sum = 0;
      let full = 0;
      let inner = 0;
      for (const h of st.hist) {
        if (Math.floor(h.ts / width) >= bucket - 59) sum += h.amount;
        if (h.ts > t - spec.size) full += h.amount;
        if (h.ts > t - spec.size + width) inner += h.amount;
      }
      return { measured: sum >= spec.threshold ? sum : null, bucketSum: sum, full, inner, key: keyParts };
    })();
    if (budget !== null && spec.kind !== 'sum') Object.assign(verdict, table.fit(budget, (s) => s.held));
    return verdict;
  });
}

export interface SequenceSpec {
  steps: number;
  within: number;
  maxKeys: number | null;
  /**
   * false: no forgetting after a hit, and no memory bound — per item, whether any chain ends
   * there (what a hit must always be able to show, whatever was forgotten).
   */
  reset?: boolean;
}

/** Per item: the chain's duration (completion − latest possible start) when it completes, else null. */
export function sequenceOracle(spec: SequenceSpec, items: readonly OracleItem[]): Array<number | null> {
  const table = new KeyTable<{ lastTs: number; hist: Array<{ ts: number; m: boolean[] }> }>(spec.maxKeys, spec.within);
  const last = spec.steps - 1;
  return items.map((it) => {
    if (!it.matches.some(Boolean)) return null;
    const key = keyOf(it.keyParts);
    if (key === null) return null;
    const st = table.touch(key, () => ({ lastTs: -Infinity, hist: [] }));
    const t = Math.max(it.ts, st.lastTs);
    st.lastTs = t;
    table.afterTouch(t);
    st.hist.push({ ts: t, m: it.matches });
    const h = st.hist;
    const end = h.length - 1;
    if (!it.matches[last]) return null;
    // Latest start: try first steps from the most recent back; a chain i0 < i1 < … < end.
    const memo = new Map<string, boolean>();
    const reach = (step: number, before: number, from: number): boolean => {
      // Some event in [from, before) satisfies `step`, with steps 0..step-1 before it.
      const id = `${step}:${before}`;
      const known = memo.get(id);
      if (known !== undefined) return known;
      let ok = false;
      for (let i = before - 1; i >= from && !ok; i--) if (h[i]!.m[step] && (step === 0 ? i === from : reach(step - 1, i, from))) ok = true;
      memo.set(id, ok);
      return ok;
    };
    for (let i0 = end - 1; i0 >= 0; i0--) {
      if (t - h[i0]!.ts > spec.within) break;
      if (!h[i0]!.m[0]) continue;
      memo.clear();
      if (last === 1 || reach(last - 1, end, i0)) {
        // Fired: the key forgets its progress (the completing event included).
        if (spec.reset !== false) st.hist = [];
        return t - h[i0]!.ts;
      }
    }
    return null;
  });
}
