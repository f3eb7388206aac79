/** readAhead: rows in order across its batches, and the statement let go however the reading ends. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { READ_AHEAD, readAhead } from './case-events.js';

function table(n: number): Database.Database {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t(i INTEGER PRIMARY KEY)');
  const ins = db.prepare('INSERT INTO t(i) VALUES (?)');
  for (let i = 0; i < n; i++) ins.run(i);
  return db;
}

const rowsOf = (db: Database.Database): IterableIterator<number> => db.prepare('SELECT i FROM t ORDER BY i').pluck().iterate() as IterableIterator<number>;

describe('readAhead', () => {
  it('maps every row once, in order, across batch boundaries', () => {
    for (const n of [0, 1, READ_AHEAD - 1, READ_AHEAD, READ_AHEAD + 1, 2 * READ_AHEAD + 88]) {
      const db = table(n);
      let mapped = 0;
      const got = [...readAhead(rowsOf(db), (i) => (mapped++, `#${i}`))];
      expect(got).toEqual(Array.from({ length: n }, (_, i) => `#${i}`));
      expect(mapped).toBe(n);
      db.close();
    }
  });

  it('reads at most one batch ahead of its consumer', () => {
    const db = table(3 * READ_AHEAD);
    let mapped = 0;
    const it = readAhead(rowsOf(db), (i) => (mapped++, i));
    it.next();
    expect(mapped).toBe(READ_AHEAD);
    for (let k = 1; k < READ_AHEAD; k++) it.next();
    expect(mapped).toBe(READ_AHEAD);
    it.next();
    expect(mapped).toBe(2 * READ_AHEAD);
    it.return(undefined);
    db.close();
  });

  it('lets the statement go when the consumer stops early or a row fails to map', () => {
    const db = table(1000);
    // The connection refuses other statements while an iterator is open (better-sqlite3): it works after.
    for (const e of readAhead(rowsOf(db), (i) => i)) if (e === 300) break;
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1000);
    expect(() => [...readAhead(rowsOf(db), (i) => { if (i === 700) throw new Error('bad row 700'); return i; })]).toThrow(/bad row 700/);
    expect(() => db.exec('DELETE FROM t WHERE i = 0')).not.toThrow();
    db.close();
  });
});
