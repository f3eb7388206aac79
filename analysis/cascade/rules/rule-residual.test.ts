import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { mulberry32 } from '../../core/mulberry32.js';
import { compileDetection, type CompiledField, type Issue } from './detection.js';
import { eventFieldResolver } from './event-fields.js';
import type { RuleLogic } from './compiled-rule.js';
import { residualOf } from './rule-residual.js';
import { appEvent, T0 } from './fixtures.test-support.js';

// Random detections over a few fields and values, random conditions over their selections, and
// random events drawn from the same values: the residual must agree with the condition on every
// event whatever subset of tests is "known", and every constraint must hold where it does.
const ACTIONS = ['get', 'list', 'upload', 'GET', 'train_step'];
const ACTORS = ['system:node:n1', 'system:serviceaccount:ml:trainer', 'alice@corp.example', 'anonymous'];
const PATHS = ['/data/a', '/tmp/x.gguf', '/ckpt/1.pt'];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function randomSelection(r: () => number): Record<string, unknown> {
  const sel: Record<string, unknown> = {};
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(r() * 5);
    if (kind === 0) sel.action = r() < 0.5 ? pick(r, ACTIONS) : [pick(r, ACTIONS), pick(r, ACTIONS)];
    else if (kind === 1) sel['actor|startswith'] = pick(r, ['system:', 'alice', 'anon']);
    else if (kind === 2) sel['attrs.path|contains'] = pick(r, ['data', '.pt', 'tmp']);
    else if (kind === 3) sel['attrs.bytes|gte'] = pick(r, [10, 1000]);
    else sel['actor|exists'] = r() < 0.5;
  }
  return sel;
}

const CONDITIONS = [
  'a', 'a and b', 'a or b', 'a and not b', 'not a', 'not (a or b) and c', '1 of *', 'all of *', '2 of *',
  '(a and b) or (not c and a)', 'a and (b or not c)',
];

function randomEvent(r: () => number): EventRecord {
  const attrs: Record<string, unknown> = {};
  if (r() < 0.6) attrs.path = pick(r, PATHS);
  if (r() < 0.5) attrs.bytes = pick(r, [5, 50, 5000]);
  return appEvent(T0, pick(r, ACTIONS), { actor: r() < 0.8 ? pick(r, ACTORS) : null }, attrs);
}

function fieldsOf(logic: RuleLogic): Array<CompiledField<EventRecord>> {
  const out: Array<CompiledField<EventRecord>> = [];
  for (const name of ['a', 'b', 'c']) for (const alt of logic.selection(name)?.alternatives ?? []) out.push(...alt);
  return out;
}

function valueOf(field: string, e: EventRecord): unknown {
  const l = eventFieldResolver.field(field);
  if ('error' in l) throw new Error(l.error);
  return l.get(e);
}

describe('rule residuals and constraints', () => {
  it('agree with the condition on every event, whatever is known', () => {
    const r = mulberry32(41);
    let compared = 0;
    for (let round = 0; round < 150; round++) {
      const issues: Issue[] = [];
      const detection: Record<string, unknown> = { a: randomSelection(r), b: r() < 0.3 ? [randomSelection(r), randomSelection(r)] : randomSelection(r), c: randomSelection(r) };
      const det = compileDetection<EventRecord>(detection, eventFieldResolver, ['detection'], issues, []);
      expect(issues).toEqual([]);
      const cond = det.compileCondition(pick(r, CONDITIONS), ['condition']);
      if (!cond.ok) throw new Error(cond.issue.message);
      const logic: RuleLogic = { nodes: [cond.node], selection: (name) => det.selection(name) };
      const constraints = det.constraints([cond.node]);
      const tests = fieldsOf(logic);
      for (let k = 0; k < 20; k++) {
        const e = randomEvent(r);
        // Known: a random subset of the tests, with their outcome on this event.
        const knownSet = new Set(tests.filter(() => r() < 0.5));
        const residual = residualOf(logic, (f) => (knownSet.has(f) ? f.test.matches(f.get(e)) : undefined));
        const holds = cond.pred(e);
        const got = typeof residual === 'boolean' ? residual : residual(e);
        expect(got, `${JSON.stringify(detection)} / ${JSON.stringify(e)}`).toBe(holds);
        if (holds) for (const c of constraints) expect(c.test(valueOf(c.field, e)), c.field).toBe(true);
        compared++;
      }
    }
    expect(compared).toBe(3000);
  });

  it('fold to constants when every test is known', () => {
    const det = compileDetection<EventRecord>({ sel: { action: 'get', 'actor|startswith': 'system:' } }, eventFieldResolver, [], [], []);
    const cond = det.compileCondition('sel', []);
    if (!cond.ok) throw new Error('condition');
    const logic: RuleLogic = { nodes: [cond.node], selection: (n) => det.selection(n) };
    const e = appEvent(T0, 'get', { actor: 'system:node:n1' });
    expect(residualOf(logic, (f) => f.test.matches(f.get(e)))).toBe(true);
    const other = appEvent(T0, 'list', { actor: 'system:node:n1' });
    expect(residualOf(logic, (f) => (f.field === 'action' ? f.test.matches(f.get(other)) : undefined))).toBe(false);
  });
});
