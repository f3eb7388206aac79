import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { mulberry32 } from '../../core/mulberry32.js';
import { RuleGate, MAX_GRAPH_SIZE, type GateField, type GatedRule } from './rule-gate.js';
import type { KnownTest } from './rule-residual.js';
import type { CompiledField } from './detection.js';
import { appEvent, T0 } from './fixtures.test-support.js';

// Three rules over action (categorical), actor (categorical, deciding a derived field) and
// attrs.path (presence only). A plan lists the rules left and what the leaf knows of their tests.
const isString = (v: unknown): boolean => typeof v === 'string';
const field = (name: string, matches: (v: unknown) => boolean): CompiledField<EventRecord> => ({
  field: name,
  get: () => undefined,
  test: { matches, exact: null, cost: 0 },
  cost: 0,
  pred: () => false,
  exact: true,
});
const actionIsGet = field('action', (v) => v === 'get');
const actorPrefix = field('prefix', (v) => v === 'system');
const hasPath = field('attrs.path', (v) => v !== undefined && v !== null);

const rules: GatedRule[] = [
  { constraints: new Map([['action', actionIsGet.test.matches]]), tests: [actionIsGet] },
  { constraints: new Map([['prefix', actorPrefix.test.matches]]), tests: [actorPrefix] },
  { constraints: new Map([['attrs.path', hasPath.test.matches]]), tests: [hasPath] },
];
const fields: GateField[] = [
  { name: 'action', get: (e) => e.action, categorical: true },
  { name: 'actor', get: (e) => e.actor, categorical: true, covers: [{ field: 'prefix', derive: (v) => ({ value: isString(v) ? (v as string).split(':')[0] : null }) }] },
  { name: 'attrs.path', get: (e) => e.attrs.path, categorical: false },
];

interface Plan {
  rules: number[];
  known: KnownTest;
}

function gate(): RuleGate<Plan> {
  return new RuleGate<Plan>(rules, fields, (cand, known) => ({ rules: [0, 1, 2].filter((b) => (cand[b >>> 5]! & (1 << (b & 31))) !== 0), known }));
}

describe('rule gate', () => {
  it('leaves out exactly the rules a constraint rules out, and knows the outcomes on its path', () => {
    const g = gate();
    const p1 = g.select(appEvent(T0, 'get', { actor: 'system:node:n1' }, { path: '/x' }));
    expect(p1.rules).toEqual([0, 1, 2]);
    expect(p1.known(actionIsGet)).toBe(true);
    expect(p1.known(actorPrefix)).toBe(true);
    // A present path is not looked at: its test stays unknown.
    expect(p1.known(hasPath)).toBeUndefined();
    const p2 = g.select(appEvent(T0, 'list', { actor: 'alice' }, {}));
    expect(p2.rules).toEqual([]);
    const p3 = g.select(appEvent(T0, 'list', { actor: null }, {}));
    expect(p3.rules).toEqual([]);
    // The same classes lead to the same leaf.
    expect(g.select(appEvent(T0, 'get', { actor: 'system:x' }, { path: '/y' }))).toBe(p1);
  });

  it('stays correct when attacker values overflow its memory', () => {
    // One rule per action value: every new value is a class of its own, and the graph grows
    // until it starts over (a small limit, so the test meets it often).
    const many: GatedRule[] = [];
    const tests: Array<CompiledField<EventRecord>> = [];
    for (let k = 0; k < 40; k++) {
      const t = field('action', (v) => v === `a${k}`);
      tests.push(t);
      many.push({ constraints: new Map([['action', t.test.matches]]), tests: [t] });
    }
    const g = new RuleGate<number[]>(many, [fields[0]!], (cand) => many.map((_, b) => b).filter((b) => (cand[b >>> 5]! & (1 << (b & 31))) !== 0), 25);
    const r = mulberry32(5);
    for (let i = 0; i < 5000; i++) {
      const k = Math.floor(r() * 60);
      const action = r() < 0.9 ? `a${k}` : 'a'.repeat(300 + k);
      expect(g.select(appEvent(T0, action))).toEqual(k < 40 && action === `a${k}` ? [k] : []);
    }
    expect(MAX_GRAPH_SIZE).toBeGreaterThan(1000);
  });
});
