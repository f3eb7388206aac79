import { describe, expect, it } from 'vitest';
import { SEVERITIES, type Severity } from '../../triage/severity.js';
import { combineWithJudge } from './judge-policy.js';
import type { JudgeResult } from './judge.js';

type View = Pick<JudgeResult, 'status' | 'verdict' | 'confidence' | 'why'>;
const malicious = (confidence: number): View => ({ status: 'verdict', verdict: 'malicious', confidence });
const benign = (confidence: number): View => ({ status: 'verdict', verdict: 'benign', confidence });
const uncertain: View = { status: 'verdict', verdict: 'uncertain', confidence: 0.5 };

describe('combineWithJudge', () => {
  it('a confident malicious verdict raises to an alert of at least high severity', () => {
    expect(combineWithJudge('pass', null, malicious(0.9))).toMatchObject({ decision: 'alert', severity: 'high', judgeEffect: 'raised' });
    expect(combineWithJudge('escalate', 'low', malicious(0.7))).toMatchObject({ decision: 'alert', severity: 'high', judgeEffect: 'raised' });
    expect(combineWithJudge('alert', 'critical', malicious(0.95))).toMatchObject({ decision: 'alert', severity: 'critical', judgeEffect: 'agreed' });
    expect(combineWithJudge('alert', 'medium', { ...malicious(0.8), status: 'cached' })).toMatchObject({ decision: 'alert', severity: 'high', judgeEffect: 'raised' });
  });

  it('a weak malicious verdict leaves the decision to Layer 1 or the analyst', () => {
    expect(combineWithJudge('pass', null, malicious(0.5))).toMatchObject({ decision: 'open', severity: null });
    expect(combineWithJudge('escalate', 'medium', malicious(0.5))).toMatchObject({ decision: 'escalate', severity: 'medium' });
  });

  it('never clears a Layer-1 alert or escalation, whatever the judge says', () => {
    for (const sev of SEVERITIES) {
      for (const l1 of ['alert', 'escalate'] as const) {
        for (const v of [benign(1), benign(0.2), uncertain, malicious(0.1)]) {
          const r = combineWithJudge(l1, sev, v);
          expect(r.decision).toBe(l1);
          expect(r.severity).toBe(sev);
        }
      }
    }
    expect(combineWithJudge('alert', 'high', benign(1))).toMatchObject({ judgeEffect: 'overruled' });
  });

  it('never lowers severity', () => {
    const rank = (s: Severity | null): number => (s === null ? -1 : SEVERITIES.indexOf(s));
    for (const sev of SEVERITIES) {
      for (const l1 of ['alert', 'escalate', 'pass', 'clear'] as const) {
        for (const v of [benign(1), uncertain, malicious(0.9), malicious(0.3), { status: 'error' } as View]) {
          const r = combineWithJudge(l1, sev, v);
          if (r.decision !== 'clear') expect(rank(r.severity)).toBeGreaterThanOrEqual(rank(sev));
        }
      }
    }
  });

  it('a confident benign verdict clears an event only Layer 2 found uncertain', () => {
    expect(combineWithJudge('pass', null, benign(0.9))).toMatchObject({ decision: 'clear', judgeEffect: 'cleared' });
    expect(combineWithJudge('pass', null, benign(0.5))).toMatchObject({ decision: 'open' });
    expect(combineWithJudge('pass', null, uncertain)).toMatchObject({ decision: 'open' });
  });

  it('no verdict leaves the event open for the analyst, reported as such; an alert stays', () => {
    for (const status of ['not-run', 'error', 'no-verdict'] as const) {
      const r = combineWithJudge('pass', null, { status, why: 'because' });
      expect(r.decision).toBe('open');
      expect(r.judgeEffect).toBe('absent');
      expect(r.note).toContain(status === 'not-run' ? 'not run' : status);
      expect(combineWithJudge('escalate', 'medium', { status }).decision).toBe('open');
      expect(combineWithJudge('alert', 'high', { status })).toMatchObject({ decision: 'alert', severity: 'high' });
    }
  });
});
