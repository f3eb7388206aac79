/**
 * The stage window's auditID index (stage-window-index.ts) against a Map, where its open
 * addressing can go wrong: auditIDs whose 32-bit hashes are equal, clusters that wrap past the
 * last slot while entries are deleted from them, and clusters longer than the probe bound.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/mulberry32.js';
import { hashOf } from './audit-id-table.js';
import { collidingPairs } from './hash-collisions.test-support.js';
import { StageWindowIndex } from './stage-window-index.js';

/** `count` auditIDs whose home slot in a table of `capacity` slots under `seed` is `home`. */
function idsAt(seed: number, capacity: number, home: number, count: number, tag: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const id = `${tag}-${i}`;
    if ((hashOf(id, seed) & (capacity - 1)) === home) out.push(id);
  }
  return out;
}

/** Every id of `ids` answers as `ref` says (-1 when absent). */
function expectSame(index: StageWindowIndex, ref: Map<string, number>, ids: readonly string[], what: string): void {
  const wrong = ids.filter((id) => index.get(id, index.hash(id)) !== (ref.get(id) ?? -1));
  expect(wrong, what).toEqual([]);
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('StageWindowIndex', () => {
  it('holds what a Map holds through a sliding window of inserts and deletes over a small table', () => {
    for (const [seed, capacity, held] of [[1, 64, 16], [2, 16, 4], [3, 1 << 15, 8192]] as const) {
      const index = new StageWindowIndex(seed, capacity);
      const ref = new Map<string, number>();
      const rand = mulberry32(seed);
      const fifo: string[] = [];
      const all: string[] = [];
      for (let k = 0; k < (held < 1000 ? 20 : 3) * held; k++) {
        const id = `${Math.floor(rand() * 2 ** 32).toString(16)}-${k}`;
        all.push(id);
        if (fifo.length === held || (fifo.length > 0 && rand() < 0.3)) {
          // Mostly the oldest leaves, as in the window; now and then another one.
          const out = fifo.splice(rand() < 0.8 ? 0 : Math.floor(rand() * fifo.length), 1)[0]!;
          index.delete(out, index.hash(out));
          ref.delete(out);
        }
        const value = k % 60_000;
        index.set(id, index.hash(id), value);
        ref.set(id, value);
        fifo.push(id);
        if (capacity < 1000 || k % 4999 === 0) expectSame(index, ref, capacity < 1000 ? all.slice(-4 * held) : all.slice(-2 * held), `seed ${seed} step ${k}`);
      }
      expect(index.overflowed, `seed ${seed}`).toBe(0);
    }
  });

  it('tells apart auditIDs whose 32-bit hashes are equal (the hash only picks candidates)', () => {
    const seed = 1;
    const pairs = collidingPairs(seed, 3);
    const index = new StageWindowIndex(seed, 1 << 15);
    const ref = new Map<string, number>();
    const ids = pairs.flat();
    ids.forEach((id, v) => {
      expect(index.get(id, index.hash(id)), id).toBe(-1);
      index.set(id, index.hash(id), v);
      ref.set(id, v);
    });
    expectSame(index, ref, ids, 'all held');
    for (const [a] of pairs) {
      index.delete(a, index.hash(a));
      ref.delete(a);
    }
    expectSame(index, ref, ids, 'first of each pair deleted');
  });

  it('keeps every entry reachable whatever order entries leave a cluster that wraps past the last slot', () => {
    // A 16-slot table: three auditIDs at home 14, two at 15, two at 0, one at 1; inserted in an
    // order that interleaves them, they fill slots 14, 15, 0…5, and deleting any of them must move
    // the right ones back across the wrap (and only those whose home allows it).
    const seed = 5;
    const at14 = idsAt(seed, 16, 14, 3, 'a');
    const at15 = idsAt(seed, 16, 15, 2, 'b');
    const at0 = idsAt(seed, 16, 0, 2, 'c');
    const at1 = idsAt(seed, 16, 1, 1, 'd');
    const order = [at15[0]!, at14[0]!, at0[0]!, at14[1]!, at1[0]!, at15[1]!, at0[1]!, at14[2]!];
    const strangers = [...idsAt(seed, 16, 14, 5, 'a').slice(3), ...idsAt(seed, 16, 0, 4, 'c').slice(2)];
    for (const leave of permutations(order.slice(0, 6))) {
      const index = new StageWindowIndex(seed, 16);
      const ref = new Map<string, number>();
      order.forEach((id, v) => {
        index.set(id, index.hash(id), v);
        ref.set(id, v);
      });
      for (const id of leave) {
        index.delete(id, index.hash(id));
        ref.delete(id);
        expectSame(index, ref, [...order, ...strangers], `leaving ${leave.join(' ')}`);
      }
      // What is left still takes new entries, found where they land.
      for (const id of strangers) {
        index.set(id, index.hash(id), 100 + ref.size);
        ref.set(id, 100 + ref.size);
      }
      expectSame(index, ref, [...order, ...strangers], `refilled after ${leave.join(' ')}`);
    }
  });

  it('puts an auditID past the probe bound in its overflow Map, and still finds it once its cluster shrinks', () => {
    const seed = 9;
    const ids = idsAt(seed, 16, 5, 5, 'x');
    const index = new StageWindowIndex(seed, 16, { maxProbe: 2 });
    const ref = new Map<string, number>();
    ids.forEach((id, v) => {
      index.set(id, index.hash(id), v);
      ref.set(id, v);
    });
    // Two fit in slots 5 and 6; the other three would have walked further.
    expect(index.overflowed).toBe(3);
    expectSame(index, ref, ids, 'all held');
    // Slot 6 empties: a lookup of an overflowed auditID now stops there, and must still ask the Map.
    index.delete(ids[1]!, index.hash(ids[1]!));
    ref.delete(ids[1]!);
    expectSame(index, ref, ids, 'after a delete in the table');
    for (const id of ids.slice(2, 4)) {
      index.delete(id, index.hash(id));
      ref.delete(id);
    }
    expectSame(index, ref, ids, 'after deletes from the Map');
    const late = idsAt(seed, 16, 5, 6, 'x')[5]!;
    index.set(late, index.hash(late), 42);
    ref.set(late, 42);
    expect(index.overflowed).toBe(3); // slot 6 was free again
    expectSame(index, ref, [...ids, late], 'refilled');
  });
});
