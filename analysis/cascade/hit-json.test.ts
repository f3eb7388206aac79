/** A detection's hits, written from cached per-rule fragments, read exactly as JSON.stringify writes them. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/mulberry32.js';
import { HitJson, storedHit } from './hit-json.js';
import type { RuleHit } from './rules/compiled-rule.js';

const reference = (hits: readonly RuleHit[]): string => JSON.stringify({ hits: hits.map(storedHit) });

function hit(ruleId: string, over: Partial<RuleHit> = {}): RuleHit {
  return { ruleId, title: `title of ${ruleId}`, decision: 'alert', severity: 'high', family: 'weight-exfil', phase: 'exfiltration', attack: ['T1048'], atlas: ['AML.T0025'], reason: 'r', ...over };
}

describe('HitJson', () => {
  it('writes what JSON.stringify writes, for none, one and several hits', () => {
    const j = new HitJson();
    const a = hit('MLS-A');
    const b = hit('SPEC-X/egress.allow', { decision: 'escalate', severity: 'medium', phase: null, attack: [], atlas: [] });
    for (const hits of [[], [a], [a, b], [b, a, a]]) expect(j.attrs(hits)).toBe(reference(hits));
  });

  it('does not reuse a rule fragment once the hit carries other values', () => {
    const j = new HitJson();
    const attack = ['T1048'];
    const first = hit('MLS-A', { attack });
    expect(j.attrs([first])).toBe(reference([first]));
    // Same id, each stored field changed in turn (and arrays replaced, or changed content under a new array).
    const changed: RuleHit[] = [
      hit('MLS-A', { attack, decision: 'escalate' }),
      hit('MLS-A', { attack, severity: 'critical' }),
      hit('MLS-A', { attack, family: 'insider-exfil' }),
      hit('MLS-A', { attack, phase: 'collection' }),
      hit('MLS-A', { attack: ['T1048', 'T1567'] }),
      hit('MLS-A', { attack, atlas: [] }),
      first,
    ];
    for (const h of changed) expect(j.attrs([h])).toBe(reference([h]));
  });

  it('quotes rule ids and ids that need escaping', () => {
    const j = new HitJson();
    const h = hit('R-"quoted"\\back\u2028\u0001é', { attack: ['T"1'], atlas: ['\n'] });
    expect(j.attrs([h, h])).toBe(reference([h, h]));
    expect(JSON.parse(j.attrs([h]))).toEqual({ hits: [storedHit(h)] });
  });

  it('matches JSON.stringify over random hit lists sharing rule ids and arrays', () => {
    const rnd = mulberry32(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const arrays = [[], ['T1048'], ['T1609', 'T1048'], ['AML.T0025']];
    const j = new HitJson();
    for (let round = 0; round < 2000; round++) {
      const hits: RuleHit[] = [];
      const n = Math.floor(rnd() * 5);
      for (let i = 0; i < n; i++) {
        hits.push(hit(pick(['A', 'B', 'C']), {
          decision: pick(['alert', 'escalate', 'clear'] as const),
          severity: pick(['info', 'low', 'medium', 'high', 'critical'] as const),
          family: pick(['weight-exfil', 'benign', 'shadowray'] as const),
          phase: pick([null, 'recon', 'exfiltration'] as const),
          attack: pick(arrays),
          atlas: rnd() < 0.1 ? [...pick(arrays)] : pick(arrays),
        }));
      }
      expect(j.attrs(hits)).toBe(reference(hits));
    }
  });
});
