import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { COUNT_RING_START, CountWindow, DISTINCT_ENTRY_CHARS, DistinctWindow, KeyedLru, SequenceProgress, SumWindow, WindowBudget } from './window-state.js';

const S = 1_000_000;

describe('window state', () => {
  it('CountWindow counts events inside the window, capped at the threshold', () => {
    const w = new CountWindow(3);
    expect(w.add(0, 10 * S)).toBe(1);
    expect(w.add(1 * S, 10 * S)).toBe(2);
    expect(w.add(2 * S, 10 * S)).toBe(3);
    expect(w.add(3 * S, 10 * S)).toBe(3);
    // At 20 s a 10 s window holds only the 20 s event itself.
    expect(w.add(20 * S, 10 * S)).toBe(1);
    expect(w.add(21 * S, 10 * S)).toBe(2);
  });

  it('DistinctWindow counts distinct values, forgets old ones, caps memory', () => {
    const w = new DistinctWindow(3);
    expect(w.add('a', 0, 10 * S)).toBe(1);
    expect(w.add('a', 1 * S, 10 * S)).toBe(1);
    expect(w.add('b', 2 * S, 10 * S)).toBe(2);
    expect(w.add('c', 3 * S, 10 * S)).toBe(3);
    expect(w.add('d', 4 * S, 10 * S)).toBe(3); // capped: "≥ 3" is all we need
    expect(w.add('e', 30 * S, 10 * S)).toBe(1);
    expect(w.add('x'.repeat(10_000), 31 * S, 10 * S)).toBe(2);
  });

  it('SumWindow sums within the window to bucket precision', () => {
    const w = new SumWindow(60 * S);
    expect(w.add(0, 100)).toBe(100);
    expect(w.add(30 * S, 50)).toBe(150);
    expect(w.add(59 * S, 1)).toBe(151);
    expect(w.add(61 * S, 0)).toBe(51); // the 0 s bucket left
    expect(w.add(200 * S, 7)).toBe(7);
    expect(w.add(100 * S, 3)).toBe(10); // older event counted in the current bucket
  });

  it('SequenceProgress completes A → B → C in order within the limit', () => {
    const p = new SequenceProgress(3);
    expect(p.advance([1], 0, 10 * S)).toBeNaN(); // B before A: nothing
    expect(p.advance([0], 1 * S, 10 * S)).toBeNaN();
    expect(p.advance([2], 2 * S, 10 * S)).toBeNaN(); // C before B
    expect(p.advance([1], 3 * S, 10 * S)).toBeNaN();
    expect(p.advance([2], 4 * S, 10 * S)).toBe(1 * S);
    // Too slow: A at 20 s, B at 40 s.
    p.advance([0], 20 * S, 10 * S);
    expect(p.advance([1], 40 * S, 10 * S)).toBeNaN();
    expect(p.advance([2], 41 * S, 10 * S)).toBeNaN();
    // One event matching A and B does not complete A → B alone.
    const q = new SequenceProgress(2);
    expect(q.advance([0, 1], 0, 10 * S)).toBeNaN();
    expect(q.advance([1], 1 * S, 10 * S)).toBe(0);
  });

  it('KeyedLru evicts the least recently used key beyond its bound and sweeps idle keys', () => {
    const lru = new KeyedLru<{ lastTs: number }>(2);
    lru.touch('a', () => ({ lastTs: 1 }));
    lru.touch('b', () => ({ lastTs: 2 }));
    lru.touch('a', () => ({ lastTs: 99 }));
    lru.touch('c', () => ({ lastTs: 3 }));
    expect(lru.size).toBe(2);
    expect(lru.peek('b')).toBeUndefined();
    expect(lru.peek('a')).toEqual({ lastTs: 1 });
    lru.sweep(2);
    expect(lru.peek('a')).toBeUndefined();
    expect(lru.size).toBe(1);
  });

  it('CountWindow grows its ring only while the window holds more events than it has slots', () => {
    const b = new WindowBudget(Infinity);
    const w = new CountWindow(1000, b);
    expect(w.held).toBe(COUNT_RING_START);
    // One event a second in a 5 s window: never more than 5 inside, the ring stays at 8.
    for (let i = 0; i < 100; i++) expect(w.add(i * S, 5 * S)).toBe(Math.min(i + 1, 5));
    expect(w.held).toBe(8);
    // 20 events inside one window: 8 → 16 → 32.
    for (let i = 0; i < 20; i++) w.add(200 * S + i, 5 * S);
    expect(w.held).toBe(32);
    expect(b.used).toBe(32);
    // Never beyond the threshold.
    const small = new CountWindow(12, b);
    for (let i = 0; i < 50; i++) expect(small.add(i, 10 * S)).toBe(Math.min(i + 1, 12));
    expect(small.held).toBe(12);
    expect(new CountWindow(3).held).toBe(3);
  });

  it('CountWindow agrees with counting the whole history (random streams, sizes, thresholds)', () => {
    const r = mulberry32(0xc0a7);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(r() * 70);
      const size = 1 + Math.floor(r() * 50);
      const w = new CountWindow(n);
      const hist: number[] = [];
      let t = 0;
      for (let i = 0; i < 400; i++) {
        t += r() < 0.6 ? 0 : Math.floor(r() * (r() < 0.1 ? 80 : 4));
        hist.push(t);
        const inside = hist.filter((x) => x > t - size).length;
        const got = w.add(t, size);
        if (got !== Math.min(inside, n)) throw new Error(`round ${round} n ${n} size ${size} #${i}: ${got} vs ${Math.min(inside, n)}`);
      }
      expect(w.held).toBeLessThanOrEqual(n);
    }
  });

  it('DistinctWindow charges each stored value its length plus the entry cost, and releases it', () => {
    const b = new WindowBudget(Infinity);
    const w = new DistinctWindow(2, b);
    w.add('abc', 0, 10 * S);
    w.add('abc', 1, 10 * S);
    expect(w.held).toBe(3 + DISTINCT_ENTRY_CHARS);
    w.add('de', 2, 10 * S);
    w.add('f', 3, 10 * S); // cap 2: 'abc' goes
    expect(w.held).toBe(3 + 2 * DISTINCT_ENTRY_CHARS);
    w.add('x'.repeat(10_000), 30 * S, 10 * S); // the others expire; the long value is stored bounded
    expect(w.held).toBeLessThanOrEqual(256 + DISTINCT_ENTRY_CHARS);
    expect(b.used).toBe(w.held);
  });

  it('windows report their estimated bytes (state-pool.ts): a count ring 8 a slot, a distinct value 2 a character', () => {
    const c = new CountWindow(100);
    const small = c.bytes;
    for (let i = 0; i < 20; i++) c.add(i, 10 * S); // 8 → 16 → 32 slots
    expect(c.held).toBe(32);
    expect(c.bytes - small).toBe(8 * 24);
    const d = new DistinctWindow(10);
    const empty = d.bytes;
    d.add('abc', 0, 10 * S);
    expect(d.bytes - empty).toBe(2 * (3 + DISTINCT_ENTRY_CHARS));
    expect(SumWindow.bytes).toBeGreaterThan(8 * 60);
    expect(SequenceProgress.bytesFor(4) - SequenceProgress.bytesFor(2)).toBe(16);
  });

  it('a rule budget: accounting stays exact through growth, expiry, key eviction, sweeps and budget eviction (fuzz)', () => {
    const r = mulberry32(0xb0d6e7);
    for (let round = 0; round < 60; round++) {
      const distinct = round % 2 === 1;
      const n = 1 + Math.floor(r() * 40);
      const budget = new WindowBudget(Math.floor(r() * (distinct ? 4000 : 200)));
      const live = new Map<string, { lastTs: number; w: CountWindow | DistinctWindow }>();
      const lru = new KeyedLru<{ lastTs: number; w: CountWindow | DistinctWindow; key: string }>(1 + Math.floor(r() * 20), (st) => {
        budget.used -= st.w.held;
        live.delete(st.key);
      });
      const size = 1 + Math.floor(r() * 100);
      let t = 0;
      for (let i = 0; i < 1500; i++) {
        t += Math.floor(r() * 3);
        const key = `k${Math.floor(r() * r() * 30)}`;
        const st = lru.touch(key, () => {
          const s = { lastTs: t, key, w: distinct ? new DistinctWindow(n, budget) : new CountWindow(n, budget) };
          live.set(key, s);
          return s;
        });
        st.lastTs = t;
        if (i % 97 === 0) lru.sweep(t - size);
        if (st.w instanceof DistinctWindow) st.w.add('v'.repeat(Math.floor(r() * 300)) + Math.floor(r() * 60), t, size);
        else st.w.add(t, size);
        if (budget.used > budget.limit) lru.fit(budget);
        let sum = 0;
        for (const s of live.values()) sum += s.w.held;
        if (sum !== budget.used) throw new Error(`round ${round} #${i}: accounted ${budget.used}, held ${sum}`);
        // Within the budget, unless the one key left holds more alone.
        if (budget.used > budget.limit && lru.size !== 1) throw new Error(`round ${round} #${i}: ${budget.used} > ${budget.limit} over ${lru.size} keys`);
        if (lru.size !== live.size) throw new Error(`round ${round} #${i}: ${lru.size} keys, ${live.size} live`);
      }
    }
  });
});
