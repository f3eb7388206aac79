import { describe, expect, it } from 'vitest';
import { LazyHit } from './rule-hit.js';
import type { RuleMeta } from './compiled-rule.js';

const META: RuleMeta = { id: 'MLS-TEST-001', title: 'Test', severity: 'high', family: 'weight-exfil', phase: 'staging', decision: 'alert', attack: ['T1074'], atlas: [], file: 'x.yaml', line: 3 };

describe('lazy hits', () => {
  it('write their reason once, on first read, from what they kept', () => {
    let calls = 0;
    const subject = { path: '/ckpt/1.pt' };
    const hit = new LazyHit(META, (s: { path: string }, n: number, tag: string) => (calls++, `${tag} ${s.path} ×${n}`), subject, 3, 'copy');
    expect(calls).toBe(0);
    expect(hit.ruleId).toBe('MLS-TEST-001');
    expect(hit.decision).toBe('alert');
    expect(hit.reason).toBe('copy /ckpt/1.pt ×3');
    expect(hit.reason).toBe('copy /ckpt/1.pt ×3');
    expect(calls).toBe(1);
  });

  it('serialise with their reason; a reason can be set', () => {
    const hit = new LazyHit(META, (s: string) => `saw ${s}`, 'x', null, null);
    const json = JSON.parse(JSON.stringify(hit)) as Record<string, unknown>;
    expect(json).toEqual({ ruleId: 'MLS-TEST-001', title: 'Test', decision: 'alert', severity: 'high', family: 'weight-exfil', phase: 'staging', attack: ['T1074'], atlas: [], reason: 'saw x' });
    hit.reason = 'overridden';
    expect(hit.reason).toBe('overridden');
    // What the text needed is not kept on the object itself.
    expect(Object.keys(hit)).not.toContain('reason');
  });
});
