/**
 * Layer 1 of the detection cascade (DESIGN.md "The cascade"; the MLShield seed's "Layer 1: Static
 * Rules, ~µs"). The engine indexes rules by a value they require — the audit `objectRef.resource`,
 * `verb` or `user.username` for Sigma rules, the event `action`, `resource`, `attrs.subresource`,
 * `attrs.code`, `source`, the presence of a destination or of another `attrs.*` field for MLShield
 * rules — so an event only meets the few rules that could match it. Events must be fed in time
 * order (per case); GPU windows likewise, interleaved by their end time.
 *
 * Cost per event matters (issue 3: L1 throughput): each index lookup is one Map lookup on the value
 * as it comes, hits go to the caller in the array they were collected in, and an event without
 * hits decides to one shared frozen PASS.
 */
import type { EventRecord } from '../../core/records.js';
import { severityRank, type Severity } from '../../triage/severity.js';
import type { AttackPhase, Decision, ThreatFamily } from '../taxonomy.js';
import {
  DEFAULT_ENGINE_LIMITS, type CompiledRule, type EngineLimits, type EventContext, type RuleEvaluator, type RuleHit,
} from './compiled-rule.js';
import type { GpuWindow } from './gpu-window.js';
import { eventFieldResolver } from './event-fields.js';

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

const NONE: EventEval[] = [];
/** Raw (not lower-case) spellings a dimension remembers: attacker values must not grow it without bound. */
const MAX_RAW_SPELLINGS = 4096;

/**
 * One index dimension: rules keyed by the lower-case value they require of one field. Values are
 * looked up as they come; a miss is retried lower-cased (a reader that slips must not lose hits)
 * and the answer remembered under the raw spelling, so a recurring value costs one Map lookup and
 * nothing is lower-cased or allocated on the hot path.
 */
class Dispatch {
  private readonly byValue = new Map<string, EventEval[]>();
  private readonly byNumber = new Map<number, EventEval[]>();
  /** Every rule of this dimension once: for values that are arrays or maps (attacker JSON). */
  readonly all: EventEval[] = [];
  /** Longest indexed value: lower-casing never shortens a string, so longer values cannot match. */
  private maxLength = 0;
  private spellings = 0;
  get active(): boolean {
    return this.all.length > 0;
  }

  add(values: readonly string[], ev: EventEval): void {
    this.all.push(ev);
    for (const v of values) {
      const list = this.byValue.get(v);
      if (list) list.push(ev);
      else this.byValue.set(v, [ev]);
      if (v.length > this.maxLength) this.maxLength = v.length;
    }
  }

  /** The rules for one field value: by value for scalars, all of them for arrays and maps, none when absent. */
  pick(v: unknown): EventEval[] {
    if (typeof v === 'string') return this.byValue.get(v) ?? this.miss(v);
    if (v === undefined || v === null) return NONE;
    if (typeof v === 'object') return this.all;
    if (typeof v === 'number') return this.byNumber.get(v) ?? this.missNumber(v);
    return typeof v === 'boolean' ? (this.byValue.get(v ? 'true' : 'false') ?? NONE) : NONE;
  }

  private miss(v: string): EventEval[] {
    if (v.length > this.maxLength) return NONE;
    const l = v.toLowerCase();
    const list = (l !== v && this.byValue.get(l)) || NONE;
    if (this.spellings < MAX_RAW_SPELLINGS) {
      this.spellings++;
      this.byValue.set(v, list);
    }
    return list;
  }

  private missNumber(v: number): EventEval[] {
    const list = this.byValue.get(String(v)) ?? NONE;
    if (this.spellings < MAX_RAW_SPELLINGS) {
      this.spellings++;
      this.byNumber.set(v, list);
    }
    return list;
  }
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
  // Optional fields whose presence a rule requires (`present:` index), by field name.
  const presence = new Map<string, { get: (e: EventRecord) => unknown; rules: EventEval[] }>();
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
      case 'event.present': {
        const field = idx.values[0]!;
        let d = presence.get(field);
        if (!d) {
          const l = eventFieldResolver.field(field);
          // A field the resolver does not know cannot pin anything: always run the rule.
          if ('error' in l) {
            eventAlways.push(fn);
            break;
          }
          presence.set(field, (d = { get: l.get, rules: [] }));
        }
        d.rules.push(fn);
        break;
      }
      default: (rule.origin === 'sigma' ? sigmaAlways : eventAlways).push(fn);
    }
  }
  const presenceDims = [...presence.values()];
  const hasSigma = sigmaResource.active || sigmaVerb.active || sigmaUser.active || sigmaAlways.length > 0;
  const ctx: EventContext = { audit: null };
  let scratch: RuleHit[] = [];
  const counts = { events: 0, gpuWindows: 0 };

  function run(list: EventEval[], e: EventRecord, out: RuleHit[]): void {
    for (let i = 0; i < list.length; i++) list[i]!(e, ctx, out);
  }

  return {
    counts,
    evaluate(input) {
      counts.events++;
      // attrs is typed as an object; a reader that breaks the contract must not crash Layer 1.
      const e = input.attrs !== null && typeof input.attrs === 'object' ? input : { ...input, attrs: {} };
      // Hits collect in a scratch array that is handed to the caller when it holds any (emptying
      // it in place would make V8 drop its storage, so each event with hits would copy twice).
      const out = scratch;
      const audit = e.source === 'k8s_audit' ? rec(e.attrs.audit) : null;
      ctx.audit = audit;
      if (audit && hasSigma) {
        if (sigmaResource.active) {
          const ref = audit.objectRef;
          // objectRef itself may be an array in hostile input: paths fan out over it.
          run(Array.isArray(ref) ? sigmaResource.all : sigmaResource.pick(rec(ref)?.resource), e, out);
        }
        if (sigmaVerb.active) run(sigmaVerb.pick(audit.verb), e, out);
        if (sigmaUser.active) {
          const user = audit.user;
          run(Array.isArray(user) ? sigmaUser.all : sigmaUser.pick(rec(user)?.username), e, out);
        }
        run(sigmaAlways, e, out);
      }
      // Actions are lower-case by contract (records.ts); a reader that slips must not lose hits.
      if (eventAction.active) run(eventAction.pick(e.action), e, out);
      if (eventResource.active) run(eventResource.pick(e.resource), e, out);
      if (eventSubresource.active) run(eventSubresource.pick(e.attrs.subresource), e, out);
      if (eventCode.active) run(eventCode.pick(e.attrs.code), e, out);
      if (eventDestination.length && (typeof e.attrs.destination === 'string' || typeof e.attrs.url === 'string')) run(eventDestination, e, out);
      if (eventSource.active) run(eventSource.pick(e.source), e, out);
      for (let i = 0; i < presenceDims.length; i++) {
        const d = presenceDims[i]!;
        const v = d.get(e);
        if (v !== undefined && v !== null) run(d.rules, e, out);
      }
      run(eventAlways, e, out);
      // Behavioural specs judge workloads: an event without a trajectory key has nothing to judge.
      if (e.job !== null) run(jobScoped, e, out);
      ctx.audit = null;
      if (out.length === 0) return [];
      scratch = [];
      return out;
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
/** The decision for an event without hits: one frozen object, nothing allocated per event. */
const PASS: Layer1Decision = Object.freeze({ decision: 'pass', severity: null, family: null, phase: null, primary: null, hits: Object.freeze([]) as unknown as RuleHit[] });

export function decideLayer1(hits: readonly RuleHit[]): Layer1Decision {
  if (hits.length === 0) return PASS;
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
