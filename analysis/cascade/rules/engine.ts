/**
 * Layer 1 of the detection cascade (DESIGN.md "The cascade"; the MLShield seed's "Layer 1: Static
 * Rules, ~µs"). The engine indexes rules by a value they require — the audit `objectRef.resource`,
 * `verb` or `user.username` for Sigma rules, the event `action`, `resource`, `attrs.subresource`,
 * `attrs.code`, `source` or the presence of a destination for MLShield rules — so an event only meets the few rules that could match it. Events must be fed in time order (per case); GPU
 * windows likewise, interleaved by their end time.
 */
import type { EventRecord } from '../../core/records.js';
import { severityRank, type Severity } from '../../triage/severity.js';
import type { AttackPhase, Decision, ThreatFamily } from '../taxonomy.js';
import {
  DEFAULT_ENGINE_LIMITS, type CompiledRule, type EngineLimits, type EventContext, type RuleEvaluator, type RuleHit,
} from './compiled-rule.js';
import type { GpuWindow } from './gpu-window.js';

export interface RuleEngine {
  /** Hits of every rule that matches this event (empty when none). */
  evaluate(e: EventRecord): RuleHit[];
  /** Hits of every GPU-window rule and behavioural-spec GPU range. */
  evaluateGpuWindow(w: GpuWindow): RuleHit[];
  /** Events and windows evaluated so far. */
  readonly counts: { events: number; gpuWindows: number };
}

type EventEval = NonNullable<RuleEvaluator['event']>;
type GpuEval = NonNullable<RuleEvaluator['gpu']>;

/** One index dimension: rules keyed by the lower-case value they require of one field. */
class Dispatch {
  readonly byValue = new Map<string, EventEval[]>();
  /** Every rule of this dimension once: for values that are arrays or maps (attacker JSON). */
  readonly all: EventEval[] = [];
  add(values: readonly string[], ev: EventEval): void {
    this.all.push(ev);
    for (const v of values) {
      const list = this.byValue.get(v);
      if (list) list.push(ev);
      else this.byValue.set(v, [ev]);
    }
  }
}

function lower(v: unknown): string | null {
  return typeof v === 'string' ? v.toLowerCase() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

/**
 * The rules of a dimension for one field value: by value for scalars, all of them for arrays and
 * maps (a rule may match any element), none for absent values.
 */
function pick(d: Dispatch, v: unknown): EventEval[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') return d.all;
  const key = lower(v);
  return key === null ? undefined : d.byValue.get(key);
}

function rec(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function createRuleEngine(rules: readonly CompiledRule[], limits: EngineLimits = DEFAULT_ENGINE_LIMITS): RuleEngine {
  // Index dimensions, in the order rules choose them (compiled-rule.ts SIGMA_/EVENT_INDEX_FIELDS).
  const sigmaResource = new Dispatch();
  const sigmaVerb = new Dispatch();
  const sigmaUser = new Dispatch();
  const sigmaAlways: EventEval[] = [];
  const eventAction = new Dispatch();
  const eventResource = new Dispatch();
  const eventSubresource = new Dispatch();
  const eventCode = new Dispatch();
  const eventDestination: EventEval[] = [];
  const eventSource = new Dispatch();
  const eventAlways: EventEval[] = [];
  const jobScoped: EventEval[] = [];
  const gpuEvals: GpuEval[] = [];
  for (const rule of rules) {
    const ev = rule.instantiate(limits);
    // Evaluators are called without `this` (compiled-rule.ts): no bound-function trampolines.
    if (ev.gpu && rule.inputs.gpu) gpuEvals.push(ev.gpu);
    if (!ev.event || !rule.inputs.event) continue;
    const fn = ev.event;
    if (rule.origin === 'spec') {
      jobScoped.push(fn);
      continue;
    }
    const idx = rule.index;
    switch (idx?.key) {
      case 'audit.objectRef.resource': sigmaResource.add(idx.values, fn); break;
      case 'audit.verb': sigmaVerb.add(idx.values, fn); break;
      case 'audit.user.username': sigmaUser.add(idx.values, fn); break;
      case 'event.action': eventAction.add(idx.values, fn); break;
      case 'event.resource': eventResource.add(idx.values, fn); break;
      case 'event.attrs.subresource': eventSubresource.add(idx.values, fn); break;
      case 'event.attrs.code': eventCode.add(idx.values, fn); break;
      case 'event.destination': eventDestination.push(fn); break;
      case 'event.source': eventSource.add(idx.values, fn); break;
      default: (rule.origin === 'sigma' ? sigmaAlways : eventAlways).push(fn);
    }
  }
  const hasSigma = sigmaResource.byValue.size + sigmaVerb.byValue.size + sigmaUser.byValue.size + sigmaAlways.length > 0;
  const ctx: EventContext = { audit: null };
  const scratch: RuleHit[] = [];
  const counts = { events: 0, gpuWindows: 0 };

  function run(list: EventEval[] | undefined, e: EventRecord, out: RuleHit[]): void {
    if (!list) return;
    for (let i = 0; i < list.length; i++) list[i]!(e, ctx, out);
  }

  return {
    counts,
    evaluate(input) {
      counts.events++;
      // attrs is typed as an object; a reader that breaks the contract must not crash Layer 1.
      const e = input.attrs !== null && typeof input.attrs === 'object' ? input : { ...input, attrs: {} };
      // Hits collect in a reused scratch array (empty between calls); the caller gets a copy.
      const out = scratch;
      const audit = e.source === 'k8s_audit' ? rec(e.attrs.audit) : null;
      ctx.audit = audit;
      if (audit && hasSigma) {
        if (sigmaResource.byValue.size) {
          const ref = audit.objectRef;
          // objectRef itself may be an array in hostile input: paths fan out over it.
          run(Array.isArray(ref) ? sigmaResource.all : pick(sigmaResource, rec(ref)?.resource), e, out);
        }
        if (sigmaVerb.byValue.size) run(pick(sigmaVerb, audit.verb), e, out);
        if (sigmaUser.byValue.size) {
          const user = audit.user;
          run(Array.isArray(user) ? sigmaUser.all : pick(sigmaUser, rec(user)?.username), e, out);
        }
        run(sigmaAlways, e, out);
      }
      // Actions are lower-case by contract (records.ts); a reader that slips must not lose hits.
      if (eventAction.byValue.size) run(pick(eventAction, e.action), e, out);
      if (eventResource.byValue.size) run(pick(eventResource, e.resource), e, out);
      if (eventSubresource.byValue.size) run(pick(eventSubresource, e.attrs.subresource), e, out);
      if (eventCode.byValue.size) run(pick(eventCode, e.attrs.code), e, out);
      if (eventDestination.length && (typeof e.attrs.destination === 'string' || typeof e.attrs.url === 'string')) run(eventDestination, e, out);
      if (eventSource.byValue.size) run(pick(eventSource, e.source), e, out);
      run(eventAlways, e, out);
      // Behavioural specs judge workloads: an event without a trajectory key has nothing to judge.
      if (e.job !== null) run(jobScoped, e, out);
      ctx.audit = null;
      if (out.length === 0) return [];
      const hits = out.slice();
      out.length = 0;
      return hits;
    },
    evaluateGpuWindow(w) {
      counts.gpuWindows++;
      const out: RuleHit[] = [];
      for (let i = 0; i < gpuEvals.length; i++) gpuEvals[i]!(w, out);
      return out;
    },
  };
}

export interface Layer1Decision {
  /** `pass`: no rule matched; the event goes to Layer 2. */
  decision: Decision | 'pass';
  severity: Severity | null;
  family: ThreatFamily | null;
  phase: AttackPhase | null;
  /** The hit that decided (most severe among those with the winning decision). */
  primary: RuleHit | null;
  hits: RuleHit[];
}

/**
 * Combines one event's hits: no hit → pass; alert outranks escalate, and both outrank clear (a
 * known-benign pattern never hides a detection); severity is the maximum over the deciding hits.
 */
export function decideLayer1(hits: readonly RuleHit[]): Layer1Decision {
  if (hits.length === 0) return { decision: 'pass', severity: null, family: null, phase: null, primary: null, hits: [] };
  let hasAlert = false;
  let hasEscalate = false;
  for (const h of hits) {
    if (h.decision === 'alert') hasAlert = true;
    else if (h.decision === 'escalate') hasEscalate = true;
  }
  const decision: Decision = hasAlert ? 'alert' : hasEscalate ? 'escalate' : 'clear';
  let severity: Severity | null = null;
  let primary: RuleHit | null = null;
  for (const h of hits) {
    const deciding = decision === 'clear' ? h.decision === 'clear' : h.decision !== 'clear';
    if (!deciding) continue;
    if (severity === null || severityRank(h.severity) > severityRank(severity)) severity = h.severity;
    if (h.decision === decision && (primary === null || severityRank(h.severity) > severityRank(primary.severity))) primary = h;
  }
  return { decision, severity, family: primary?.family ?? null, phase: primary?.phase ?? null, primary, hits: [...hits] };
}
