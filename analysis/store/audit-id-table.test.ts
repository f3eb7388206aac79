import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/mulberry32.js';
import { AuditIdTable, hashOf, randomHashSeed } from './audit-id-table.js';
import { collidingPairs } from './hash-collisions.test-support.js';

/** The rows `table` holds as candidates for `id`. */
function candidates(table: AuditIdTable, id: string | Uint8Array): number[] {
  const out: number[] = [];
  for (let row = table.first(id); row !== 0; row = table.next()) out.push(row);
  return out;
}

describe('AuditIdTable', () => {
  it('hashes an auditID alike as a string and as its UTF-8 bytes', () => {
    for (const id of ['6399f181-8870-4a9d-9ace-02e31b1c5bd6', '', 'é-ünïcode-✓', 'lone \ud800 surrogate']) {
      expect(hashOf(Buffer.from(id, 'utf8'), 7), id).toBe(hashOf(id, 7));
    }
    expect(hashOf('a', 7)).not.toBe(hashOf('a', 8));
  });

  it('keys the hash: auditIDs found to collide under one key do not collide under others', () => {
    // Under the seeded FNV this replaced, a colliding pair kept colliding under every seed that
    // shared the key's low 7 bits (1 + 128k here); a keyed hash collides again ~1 time in 2^32.
    const pairs = collidingPairs(1, 3);
    let again = 0;
    for (let k = 1; k <= 64; k++) {
      for (const seed of [1 + 128 * k, 1 + k, 0x1_0000_0000 * k + 1]) for (const [a, b] of pairs) if (hashOf(a, seed) === hashOf(b, seed)) again++;
    }
    expect(again).toBe(0);
  });

  it('draws keys of up to 48 bits, the high 16 of which change the hash too', () => {
    expect(hashOf('6399f181-8870-4a9d-9ace-02e31b1c5bd6', 5)).not.toBe(hashOf('6399f181-8870-4a9d-9ace-02e31b1c5bd6', 5 + 0x1_0000_0000));
    const seeds = new Set(Array.from({ length: 64 }, () => randomHashSeed()));
    expect(seeds.size).toBe(64);
    expect([...seeds].some((s) => s > 0xffff_ffff)).toBe(true);
  });

  it('finds every auditID it was given, through growth, and no row for a new one', () => {
    const table = new AuditIdTable({ seed: 1 });
    const rand = mulberry32(3);
    const ids: string[] = [];
    for (let i = 0; i < 100_000; i++) ids.push(`${Math.floor(rand() * 2 ** 32).toString(16)}-${i}`);
    let collisions = 0;
    ids.forEach((id, i) => {
      // A new auditID has no candidate unless its 32-bit hash collides (~1 expected in 100k).
      collisions += candidates(table, id).length;
      table.add(i + 1); // where the probe for `id` ended
    });
    expect(collisions).toBeLessThan(50);
    expect(table.overloaded).toBe(false);
    // Only a hash collision can add a candidate; the row of `id` is always among them.
    const missed = ids.filter((id, i) => !candidates(table, id).includes(i + 1) || !candidates(table, Buffer.from(id)).includes(i + 1));
    expect(missed).toEqual([]);
    expect(candidates(table, 'never-added')).toEqual([]);
  });

  it('answers the probe of a string auditID it just missed from that probe, until a row is added or another probe runs', () => {
    const table = new AuditIdTable({ seed: 1 });
    expect(table.first('a')).toBe(0);
    // The writer asks again right after (to add the row): the first probe answers, and `add` puts
    // the row where it ended. The hash passed is not even looked at (a wrong one, on purpose).
    expect(table.first('a', hashOf('a', 1) ^ 0x5a5a5a5a)).toBe(0);
    table.add(1);
    expect(candidates(table, 'a')).toEqual([1]);
    expect(table.first('a')).toBe(1); // the add ended it
    // A probe in between (of 'a', which meets its row) ends it too: 'b' is probed again, and its
    // row goes where that probe ends, not where the probe of 'a' did.
    expect(table.first('b')).toBe(0);
    expect(candidates(table, 'a')).toEqual([1]);
    expect(table.first('b')).toBe(0);
    table.add(2);
    expect([candidates(table, 'a'), candidates(table, 'b')]).toEqual([[1], [2]]);
    // Bytes are not remembered: the same Buffer may hold another auditID by the next probe.
    const buf = Buffer.from('q');
    expect(table.first(buf)).toBe(0);
    buf.write('a');
    expect(table.first(buf)).toBe(1);
  });

  it('gives up (overloaded) on a probe longer than its bound, or a row id past 32 bits', () => {
    const crowded = new AuditIdTable({ seed: 1, maxProbe: 1 });
    for (let i = 0; i < 5000 && !crowded.overloaded; i++) {
      candidates(crowded, `id-${i}`);
      if (!crowded.overloaded) crowded.add(i + 1);
    }
    expect(crowded.overloaded).toBe(true);
    const big = new AuditIdTable();
    candidates(big, 'x');
    big.add(2 ** 32);
    expect(big.overloaded).toBe(true);
  });

  it('gives up rather than grow past its capacity: memory does not grow with the input', () => {
    const table = new AuditIdTable({ seed: 3, maxCapacity: 1 << 16 });
    let added = 0;
    while (!table.overloaded && added < 1 << 17) {
      candidates(table, `audit-${added}`);
      table.add(++added);
    }
    expect(table.overloaded).toBe(true);
    // Past half of the 65,536 slots: the load at which it would have had to grow.
    expect(added).toBe((1 << 15) + 1);
  });
});
