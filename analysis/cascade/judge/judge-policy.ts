/**
 * How a Layer-3 answer combines with what the layers below decided (DESIGN.md Layer 3: "the judge
 * may raise severity but never clears a Layer-1 hard violation"). The judge reads
 * attacker-written data, so its word can only add suspicion where the rules already found some:
 * - malicious, confident → alert, severity at least high (it may raise, never lower);
 * - benign → clears only an event that no rule alerted or escalated (Layer 2's uncertain band);
 *   on a Layer-1 alert or escalation the decision stands and the disagreement is noted;
 * - no verdict (not-run, error, no-verdict) → the event stays open for the analyst, except that
 *   a Layer-1 alert stays an alert (a missing layer never drops an alert).
 */
import { maxSeverity, type Severity } from '../../triage/severity.js';
import type { Decision } from '../taxonomy.js';
import type { JudgeResult } from './judge.js';

/** `open`: nobody decided; shown to the analyst as "Layer 3 not run / no verdict". */
export const CASCADE_OUTCOMES = ['alert', 'escalate', 'clear', 'open'] as const;
export type CascadeOutcome = (typeof CASCADE_OUTCOMES)[number];

/** Confidence at or above which a malicious verdict raises to an alert. */
export const RAISE_CONFIDENCE = 0.7;
/** Confidence at or above which a benign verdict clears a Layer-2-only event. */
export const CLEAR_CONFIDENCE = 0.7;
/** The least severity of an alert the judge raised. */
export const RAISED_SEVERITY: Severity = 'high';

/** How the judge's answer related to the final decision (for the report). */
export type JudgeEffect = 'raised' | 'cleared' | 'agreed' | 'overruled' | 'abstained' | 'absent';

export interface CombinedDecision {
  decision: CascadeOutcome;
  severity: Severity | null;
  judgeEffect: JudgeEffect;
  /** One line for the analyst: what the judge said and what was done with it. */
  note: string;
}

type JudgeAnswerView = Pick<JudgeResult, 'status' | 'verdict' | 'confidence' | 'why'>;

/**
 * @param layer1Decision Layer 1's decision; `pass` (no rule matched) or `clear` means the event
 *   reached the judge through Layer 2's uncertain band only.
 */
export function combineWithJudge(
  layer1Decision: Decision | 'pass',
  layer1Severity: Severity | null,
  judge: JudgeAnswerView,
): CombinedDecision {
  const ruled = layer1Decision === 'alert' || layer1Decision === 'escalate';
  const hasVerdict = (judge.status === 'verdict' || judge.status === 'cached') && judge.verdict !== undefined;

  if (!hasVerdict) {
    const why = `Layer 3 ${judge.status === 'not-run' ? 'not run' : judge.status}${judge.why ? `: ${judge.why}` : ''}`;
    if (layer1Decision === 'alert') return { decision: 'alert', severity: layer1Severity, judgeEffect: 'absent', note: `${why}; Layer-1 alert stands` };
    return { decision: 'open', severity: layer1Severity, judgeEffect: 'absent', note: `${why}; left open for the analyst` };
  }

  const confidence = typeof judge.confidence === 'number' && Number.isFinite(judge.confidence) ? judge.confidence : 0;
  const said = `judge: ${judge.verdict} (confidence ${confidence.toFixed(2)})`;

  if (judge.verdict === 'malicious') {
    if (confidence >= RAISE_CONFIDENCE) {
      const severity = layer1Severity === null ? RAISED_SEVERITY : maxSeverity(layer1Severity, RAISED_SEVERITY);
      const effect: JudgeEffect = layer1Decision === 'alert' && severity === layer1Severity ? 'agreed' : 'raised';
      return { decision: 'alert', severity, judgeEffect: effect, note: `${said}; alert` };
    }
    if (ruled) return keep(layer1Decision, layer1Severity, 'agreed', `${said}; below ${RAISE_CONFIDENCE}, Layer-1 ${layer1Decision} stands`);
    return { decision: 'open', severity: layer1Severity, judgeEffect: 'abstained', note: `${said}; below ${RAISE_CONFIDENCE}, left open for the analyst` };
  }

  if (judge.verdict === 'benign') {
    if (ruled) return keep(layer1Decision, layer1Severity, 'overruled', `${said}; the judge cannot clear a Layer-1 ${layer1Decision}: it stands (disagreement noted)`);
    if (confidence >= CLEAR_CONFIDENCE) return { decision: 'clear', severity: null, judgeEffect: 'cleared', note: `${said}; cleared` };
    return { decision: 'open', severity: layer1Severity, judgeEffect: 'abstained', note: `${said}; below ${CLEAR_CONFIDENCE}, left open for the analyst` };
  }

  // uncertain
  if (ruled) return keep(layer1Decision, layer1Severity, 'abstained', `${said}; Layer-1 ${layer1Decision} stands`);
  return { decision: 'open', severity: layer1Severity, judgeEffect: 'abstained', note: `${said}; left open for the analyst` };
}

function keep(decision: 'alert' | 'escalate', severity: Severity | null, judgeEffect: JudgeEffect, note: string): CombinedDecision {
  return { decision, severity, judgeEffect, note };
}
