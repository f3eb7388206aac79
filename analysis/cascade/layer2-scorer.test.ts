/**
 * Layer 2's read-back of only the trajectories it must score gives exactly what a pass over the
 * whole case gives: the same events scored, in the same order, with the same scores and judge windows
 * (the sample incident, the checked-in models, a real case file).
 */
import { describe, expect, it } from 'vitest';
import { loadLayer2Models } from '../models/layer2-models.js';
import { FeatureContextBuilder } from '../models/event-features.js';
import { caseEvents, type CaseEvent } from './case-events.js';
import { KeptTrajectories } from './kept-trajectories.js';
import { Layer2Scorer, trajectoryKey } from './layer2-scorer.js';
import { useSampleCase } from './sample-case.test-support.js';

const sample = useSampleCase('mlshield-l2-', (store) => {
  // Job-less events of a few actors, so both kinds of trajectory key are read back.
  const src = (store.db.prepare('SELECT id FROM sources LIMIT 1').get() as { id: number }).id;
  const ins = store.db.prepare(`INSERT INTO events(ts, source, actor, action, resource, attrs, source_id, line, offset) VALUES (?, 'app', ?, 'k8s_get', 'secrets/x', '{}', ?, 1, 0)`);
  for (let i = 0; i < 30; i++) ins.run(1_763_600_000_000_000 + i * 1e6, i % 3 === 0 ? null : `user-${i % 5}@corp.example`, src);
});

type Seen = [number, number | null, string, number[]];

async function score(only: ReadonlySet<string> | null, outcomes: Uint8Array, withContext: boolean, kept?: ReadonlyMap<string, readonly CaseEvent[]>, events?: CaseEvent[][]): Promise<Seen[]> {
  const models = await loadLayer2Models('cpu');
  const seen: Seen[] = [];
  const context = new FeatureContextBuilder();
  for (const e of caseEvents(sample.store.db)) context.add(e);
  const scorer = new Layer2Scorer(models, sample.store.db);
  await scorer.scoreEvents(outcomes, 2, (e, s, band, window) => {
    seen.push([e.id, s, band, window.map((w) => w.id)]);
    events?.push([e, ...window]);
  }, {
    trajectories: only,
    ...(withContext ? { context: context.build() } : {}),
    ...(kept ? { kept } : {}),
  });
  await scorer.release();
  return seen;
}

describe('Layer2Scorer.scoreEvents', () => {
  it('reads back only the named trajectories and scores them as a whole-case pass does', async () => {
    const events = [...caseEvents(sample.store.db)];
    const outcomes = new Uint8Array(Math.max(...events.map((e) => e.id)) + 1);
    const keys = new Set<string>();
    // Every 7th event is to be scored (a mix of job and actor trajectories).
    events.forEach((e, i) => {
      if (i % 7 !== 0) return;
      outcomes[e.id] = 2;
      keys.add(trajectoryKey(e));
    });
    expect([...keys].some((k) => k.startsWith('actor:'))).toBe(true);
    expect([...keys].some((k) => !k.startsWith('actor:'))).toBe(true);
    const whole = await score(null, outcomes, false);
    expect(whole.length).toBe([...outcomes].filter((o) => o === 2).length);
    expect(whole.every(([, s]) => s !== null)).toBe(true);
    expect(await score(keys, outcomes, true)).toEqual(whole);

    // Layer 1's events kept (kept-trajectories.ts) instead of read back: the same calls, with the
    // events and windows as the read-back gives them (raw null, attrs without the restored audit).
    const kept = new KeptTrajectories();
    for (const e of caseEvents(sample.store.db)) kept.add(e);
    expect(kept.trajectories).not.toBeNull();
    const readBack: CaseEvent[][] = [];
    const fromKept: CaseEvent[][] = [];
    expect(await score(keys, outcomes, true, undefined, readBack)).toEqual(whole);
    expect(await score(keys, outcomes, true, kept.trajectories!, fromKept)).toEqual(whole);
    expect(fromKept).toEqual(readBack);
    expect(fromKept.flat().some((e) => e.source === 'k8s_audit')).toBe(true);
  }, 60_000);
});

describe('KeptTrajectories', () => {
  it('keeps events by trajectory within its budget and lets all of them go past it', () => {
    const events = [...caseEvents(sample.store.db)];
    const kept = new KeptTrajectories();
    for (const e of events) kept.add(e);
    const byKey = kept.trajectories!;
    expect([...byKey.values()].reduce((n, l) => n + l.length, 0)).toBe(events.length);
    for (const [k, list] of byKey) {
      expect(list.every((e) => trajectoryKey(e) === k && e.raw === null)).toBe(true);
      for (let i = 1; i < list.length; i++) expect(list[i]!.ts).toBeGreaterThanOrEqual(list[i - 1]!.ts);
    }
    // The parsed audit object caseEvents restores is not kept (the raw record holds it).
    const audit = events.find((e) => e.source === 'k8s_audit' && e.raw !== null)!;
    expect(audit.attrs.audit).toBeDefined();
    expect(byKey.get(trajectoryKey(audit))!.find((e) => e.id === audit.id)!.attrs.audit).toBeUndefined();

    const small = new KeptTrajectories(16 * 1024);
    for (const e of events) small.add(e);
    expect(small.trajectories).toBeNull();
  });
});
