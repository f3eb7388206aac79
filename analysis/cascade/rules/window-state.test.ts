import { describe, expect, it } from 'vitest';
import { CountWindow, DistinctWindow, KeyedLru, SequenceProgress, SumWindow } from './window-state.js';

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
});
