/**
 * Layer 1's decision for one event from its rule hits (DESIGN.md "The cascade"): no hit → pass;
 * alert outranks escalate, and both outrank clear (a known-benign pattern never hides a
 * detection); severity is the maximum over the deciding hits.
 *
 * Cost per event matters (issue 3: L1 throughput): most events end with one hit of a clear rule,
 * whose hit is one frozen object; the engine hands such an event over as that rule's frozen
 * one-hit array (`singleHit`), which carries its frozen decision, so the event allocates nothing.
 */
import { severityRank, type Severity } from '../../triage/severity.js';
import type { AttackPhase, Decision, ThreatFamily } from '../taxonomy.js';
import type { RuleHit } from './compiled-rule.js';

export interface Layer1Decision {
  /** `pass`: no rule matched; the event goes to Layer 2. */
  decision: Decision | 'pass';
  severity: Severity | null;
  family: ThreatFamily | null;
  phase: AttackPhase | null;
  /** The hit that decided (most severe among those with the winning decision). */
  primary: RuleHit | null;
  /** The hits passed to decideLayer1 (the same array, not a copy; frozen when the engine shares it). */
  hits: RuleHit[];
}

/** The decision for an event without hits: one frozen object, nothing allocated per event. */
const PASS: Layer1Decision = Object.freeze({ decision: 'pass', severity: null, family: null, phase: null, primary: null, hits: Object.freeze([]) as unknown as RuleHit[] });

/** Where a frozen one-hit array keeps its decision. */
const DECIDED = Symbol('layer1 decision');

type DecidedHits = readonly RuleHit[] & { readonly [DECIDED]?: Layer1Decision };

/**
 * A frozen array holding only `hit` (itself frozen: a clear rule's constant hit), with its decision
 * made once; what `decideLayer1` returns for it is that frozen decision.
 */
export function singleHit(hit: RuleHit): readonly RuleHit[] {
  const hits: RuleHit[] = [hit];
  const decided = Object.freeze(decide(hits));
  Object.defineProperty(hits, DECIDED, { value: decided });
  return Object.freeze(hits);
}

/** Combines one event's hits (see the file comment). */
export function decideLayer1(hits: readonly RuleHit[]): Layer1Decision {
  if (hits.length === 0) return PASS;
  return (hits as DecidedHits)[DECIDED] ?? decide(hits);
}

function decide(hits: readonly RuleHit[]): Layer1Decision {
  let hasAlert = false;
  let hasEscalate = false;
  for (let i = 0; i < hits.length; i++) {
    const d = hits[i]!.decision;
    if (d === 'alert') hasAlert = true;
    else if (d === 'escalate') hasEscalate = true;
  }
  const decision: Decision = hasAlert ? 'alert' : hasEscalate ? 'escalate' : 'clear';
  let severity: Severity | null = null;
  let primary: RuleHit | null = null;
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i]!;
    const deciding = decision === 'clear' ? h.decision === 'clear' : h.decision !== 'clear';
    if (!deciding) continue;
    if (severity === null || severityRank(h.severity) > severityRank(severity)) severity = h.severity;
    if (h.decision === decision && (primary === null || severityRank(h.severity) > severityRank(primary.severity))) primary = h;
  }
  // The hits array itself: the engine hands each event's hits over in a fresh array.
  return { decision, severity, family: primary?.family ?? null, phase: primary?.phase ?? null, primary, hits: hits as RuleHit[] };
}
