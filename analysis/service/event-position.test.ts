/**
 * events.position against events.query's own order: for every event of a real SQLite case and many
 * sorts, directions, filters, searches (trigram index and LIKE fallback) and starred-only, the
 * position is the event's index in the rows events.query returns, or null when they leave it out.
 * The case has NULLs in the nullable sort columns and many ties, where the id decides.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SORT_COLUMNS, type ParsedArgs } from '../../contract/calls.js';
import type { Db } from '../store/case-store.js';
import { WorkbenchService } from './workbench-service.js';
import { ContractError, createCallHandlers, dispatchCall } from './contract-handlers.js';
import { eventPosition, queryEvents } from './event-queries.js';
import { fakeIngestRunner, T0 } from './service-test-support.js';

const MIN = 60_000_000;
const EVENTS = 120;

let dir: string;
let service: WorkbenchService;
let db: Db;
let ids: number[];

type Query = Omit<ParsedArgs<'events.query'>, 'offset' | 'limit'>;
const base: Query = { sort: 'ts', desc: false, filters: {}, search: '', starredOnly: false };

/** Every row id of events.query, in its order (one page: the case is small). */
function orderOf(q: Query, fts: boolean): number[] {
  const page = queryEvents(db, { ...q, offset: 0, limit: 2000 }, fts);
  expect(page.rows.length).toBe(page.total);
  return page.rows.map((r) => r.id);
}

/** Checks every event of the case (and one that does not exist) against events.query's order. */
function checkAll(q: Query, fts: boolean): number {
  const order = orderOf(q, fts);
  const at = new Map(order.map((id, i) => [id, i]));
  for (const id of [...ids, 999_999]) {
    const expected = at.get(id) ?? null;
    const got = eventPosition(db, { ...q, id }, fts).index;
    if (got !== expected) throw new Error(`${JSON.stringify(q)} fts=${fts}: event ${id} at ${got}, events.query has it at ${expected}`);
  }
  return order.length;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-position-'));
  const bundle = join(dir, 'incident');
  mkdirSync(bundle, { recursive: true });
  writeFileSync(join(bundle, 'a.log'), '{}\n');
  service = new WorkbenchService({ runner: fakeIngestRunner({ events: EVENTS }), caseDirectory: dir });
  await service.startIngest({ bundlePath: bundle });
  await service.idle();
  db = (service as unknown as { store: { db: Db } }).store.db;
  // Ties on every sort column and NULLs in the nullable ones, spread so they cut across each other.
  db.exec(`
    UPDATE events SET ts = ${T0} + (id % 9) * ${MIN};
    UPDATE events SET actor = NULL WHERE id % 7 = 0;
    UPDATE events SET resource = NULL WHERE id % 5 = 0;
    UPDATE events SET namespace = CASE WHEN id % 4 = 0 THEN NULL WHEN id % 4 = 1 THEN 'ml' ELSE 'kube-system' END;
    UPDATE events SET outcome = CASE WHEN id % 3 = 0 THEN NULL WHEN id % 3 = 1 THEN '200' ELSE '403' END;
    UPDATE events SET source = CASE WHEN id % 6 = 0 THEN 'app' ELSE 'k8s_audit' END;
    UPDATE events SET job = NULL WHERE id % 11 = 0;
  `);
  for (const id of [3, 17, 42, 43, 88, 120]) service.setAnnotation({ targetKind: 'event', targetId: id, starred: true });
  ids = (db.prepare('SELECT id FROM events ORDER BY id').all() as { id: number }[]).map((r) => r.id);
  expect(ids).toHaveLength(EVENTS);
});

afterAll(() => {
  service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('events.position', () => {
  it('is the index events.query gives, on every sort column both ways, NULLs and ties included', () => {
    for (const sort of EVENT_SORT_COLUMNS) {
      for (const desc of [false, true]) expect(checkAll({ ...base, sort, desc }, true)).toBe(EVENTS);
    }
  });

  it('follows the filters, the time window and starred-only, and is null for an event they hide', () => {
    const queries: Query[] = [
      { ...base, filters: { actor: 'alice' }, sort: 'resource' },
      { ...base, filters: { job: 'train-42', outcome: '403' }, sort: 'namespace', desc: true },
      { ...base, filters: { namespace: 'ml', actor: '' }, sort: 'outcome' },
      { ...base, filters: { source: 'app' }, sort: 'job', desc: true },
      { ...base, from: T0 + 2 * MIN, to: T0 + 5 * MIN, sort: 'actor' },
      { ...base, starredOnly: true, sort: 'ts', desc: true },
      { ...base, starredOnly: true, filters: { actor: 'alice' }, sort: 'action' },
      { ...base, filters: { actor: 'nobody' } },
    ];
    const sizes = queries.map((q) => checkAll(q, true));
    expect(sizes[5]).toBe(6);
    expect(sizes.at(-1)).toBe(0);
    expect(sizes.every((n) => n < EVENTS)).toBe(true);
    expect(eventPosition(db, { ...base, filters: { actor: 'alice' }, id: 2 }, true).index).not.toBeNull();
    expect(eventPosition(db, { ...base, filters: { actor: 'alice' }, id: 1 }, true).index).toBeNull();
  });

  it('follows full-text search through the trigram index and through the LIKE fallback', () => {
    const searches = ['aws-credentials', 'AWS-Credentials', 'pods', 'n=1', 'n=', '%', 'trainer'];
    for (const search of searches) {
      for (const fts of [true, false]) {
        checkAll({ ...base, search, sort: 'resource', desc: true }, fts);
        checkAll({ ...base, search, sort: 'ts', filters: { job: 'train-7' } }, fts);
      }
    }
    // Both paths agree on what the search keeps.
    expect(orderOf({ ...base, search: 'aws-credentials' }, true)).toEqual(orderOf({ ...base, search: 'aws-credentials' }, false));
  });

  it('is served through the contract: validated, and the same through the service', async () => {
    const h = createCallHandlers(service, { shell: 'http' });
    const ordered = orderOf({ ...base, sort: 'actor', desc: true }, true);
    const id = ordered[37]!;
    expect(await dispatchCall(h, 'events.position', { id, sort: 'actor', desc: true })).toEqual({ index: 37 });
    expect(await dispatchCall(h, 'events.position', { id, filters: { actor: 'no-such-actor' } })).toEqual({ index: null });
    await expect(dispatchCall(h, 'events.position', {})).rejects.toThrow(/Invalid argument for events\.position: id/);
    await expect(dispatchCall(h, 'events.position', { id: -1 })).rejects.toThrow(ContractError);
    await expect(dispatchCall(h, 'events.position', { id: 1.5 })).rejects.toThrow(ContractError);
    // The page does not belong to a position, and a column that is not sortable is refused.
    await expect(dispatchCall(h, 'events.position', { id: 1, offset: 0 })).rejects.toThrow(ContractError);
    await expect(dispatchCall(h, 'events.position', { id: 1, sort: 'raw; DROP TABLE events' })).rejects.toThrow(ContractError);
    await expect(dispatchCall(h, 'events.position', { id: 1, search: 'x'.repeat(513) })).rejects.toThrow(ContractError);
    const none = createCallHandlers(new WorkbenchService({ runner: fakeIngestRunner(), caseDirectory: dir }), { shell: 'http' });
    await expect(dispatchCall(none, 'events.position', { id: 1 })).rejects.toThrow('No case is open.');
  });
});
