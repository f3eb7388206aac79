import { describe, expect, it } from 'vitest';
import { decideLayer1, singleHit } from './layer1-decision.js';
import type { RuleHit } from './compiled-rule.js';

const clear: RuleHit = Object.freeze({ ruleId: 'MLS-CLEAR-001', title: 't', decision: 'clear', severity: 'info', family: 'benign', phase: null, attack: [], atlas: [], reason: 'known benign: sel(action)' });

describe('shared one-hit decisions', () => {
  it('decide as a fresh array would, once, frozen', () => {
    const hits = singleHit(clear);
    const d = decideLayer1(hits);
    const fresh = decideLayer1([clear]);
    expect({ ...d, hits: [...d.hits] }).toEqual(fresh);
    expect(d.hits).toBe(hits);
    expect(decideLayer1(hits)).toBe(d);
    expect(Object.isFrozen(hits) && Object.isFrozen(d)).toBe(true);
    expect(JSON.stringify(hits)).toBe(JSON.stringify([clear]));
  });
});
