/**
 * Layer 1 of the detection cascade (DESIGN.md "The cascade"; the MLShield seed's "Layer 1: Static
 * Rules, ~µs"). Events must be fed in time order (per case); GPU windows likewise, interleaved by
 * their end time. Per event, in this order (which is the order of the hits):
 *   - Sigma rules, indexed on the audit Event's `objectRef.resource`, `verb` or `user.username`
 *     (sigma-dispatch.ts), so an audit event meets only the few that could match;
 *   - the other event rules through the gate (rule-gate.ts, gated-rules.ts): the event's
 *     categorical fields are classified once each, which leaves only the rules that could hold,
 *     most of them decided outright, the rest with what remains of their condition;
 *   - behavioural specs, over job tables they share (spec-set.ts), for events with a job.
 *
 * Cost per event matters (issue 3: L1 throughput): attrs keys and the parsed destination are read
 * once per event (event-scope.ts), a command met before answers its exec-only plan steps from its
 * remembered reading (exec-reading-memo.ts `leafOutcomes`), reasons are written when read
 * (rule-hit.ts), hits go to the caller in the array they were collected in, and an event without
 * hits decides to one shared frozen PASS.
 */
import type { EventRecord } from '../../core/records.js';
import {
  DEFAULT_ENGINE_LIMITS, type CompiledRule, type EngineLimits, type EventContext, type RuleEvaluator, type RuleHit,
} from './compiled-rule.js';
import type { GpuWindow } from './gpu-window.js';
import { attr, eventExecReading } from './event-fields.js';
import { leafOutcomes } from './exec-reading-memo.js';
import { enterEvent, leaveEvent } from './event-scope.js';
import { gatedRules } from './gated-rules.js';
import { Dispatch } from './sigma-dispatch.js';
import { createSpecSet } from './spec-set.js';
import { withStatePool } from './state-pool.js';

export { decideLayer1, type Layer1Decision } from './layer1-decision.js';

export interface RuleEngine {
  /**
   * Hits of every rule that matches this event (empty when none). Read-only: an event hit only
   * by one clear rule gets that rule's shared frozen array (layer1-decision.ts `singleHit`).
   */
  evaluate(e: EventRecord): RuleHit[];
  /** Hits of every GPU-window rule and behavioural-spec GPU range. */
  evaluateGpuWindow(w: GpuWindow): RuleHit[];
  /** Events and windows evaluated so far. */
  readonly counts: { events: number; gpuWindows: number };
  /** Estimated bytes the stateful rules hold now, together (state-pool.ts; bounded by `maxStateBytes`). */
  readonly stateBytes: number;
}

type EventEval = NonNullable<RuleEvaluator['event']>;
type GpuEval = NonNullable<RuleEvaluator['gpu']>;

function rec(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function createRuleEngine(rules: readonly CompiledRule[], engineLimits: EngineLimits = DEFAULT_ENGINE_LIMITS): RuleEngine {
  // One memory pool for all stateful rules of this engine (state-pool.ts: engine-wide total).
  const limits = withStatePool(engineLimits);
  // Sigma rules, indexed on the audit Event (sigma-dispatch.ts), run first.
  const sigmaResource = new Dispatch<EventEval>();
  const sigmaVerb = new Dispatch<EventEval>();
  const sigmaUser = new Dispatch<EventEval>();
  const sigmaAlways: EventEval[] = [];
  // Other event rules go through the gate (gated-rules.ts); their evaluators by rule.
  const gatedInput: CompiledRule[] = [];
  const evaluators = new Map<CompiledRule, EventEval>();
  const jobScoped: EventEval[] = [];
  const gpuEvals: GpuEval[] = [];
  // Behavioural specs run together over shared job tables (spec-set.ts), in rule order.
  const specRules = rules.filter((r) => r.origin === 'spec');
  const specSet = specRules.every((r) => r.spec) ? createSpecSet(specRules.map((r) => r.spec!), limits) : null;
  if (specSet && specRules.some((r) => r.inputs.event)) jobScoped.push(specSet.event);
  for (const rule of rules) {
    if (specSet && rule.origin === 'spec') {
      const gpu = specSet.gpu[specRules.indexOf(rule)];
      if (gpu && rule.inputs.gpu) gpuEvals.push(gpu);
      continue;
    }
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
    if (rule.origin === 'sigma') {
      switch (idx?.key) {
        case 'audit.objectRef.resource': sigmaResource.add(idx.values, fn); break;
        case 'audit.verb': sigmaVerb.add(idx.values, fn); break;
        case 'audit.user.username': sigmaUser.add(idx.values, fn); break;
        default: sigmaAlways.push(fn);
      }
      continue;
    }
    gatedInput.push(rule);
    evaluators.set(rule, fn);
  }
  const { rules: gated, gate } = gatedRules(rules, gatedInput);
  const fns = gated.map((r) => evaluators.get(r)!);
  const hasSigma = sigmaResource.active || sigmaVerb.active || sigmaUser.active || sigmaAlways.length > 0;
  const ctx: EventContext = { audit: null };
  let scratch: RuleHit[] = [];
  const counts = { events: 0, gpuWindows: 0 };

  function run(list: readonly EventEval[], e: EventRecord, out: RuleHit[]): void {
    for (let i = 0; i < list.length; i++) list[i]!(e, ctx, out);
  }

  /** The one-hit array of the last constant hit the gate's rules made (see `evaluate`). */
  let lone: readonly RuleHit[] | null = null;

  function evaluateInScope(e: EventRecord, out: RuleHit[]): void {
    const audit = e.source === 'k8s_audit' ? rec(attr(e, 'audit')) : null;
    ctx.audit = audit;
    if (audit && hasSigma) {
      // As the field paths read them (field-path.ts): objectRef may be an array in hostile input
      // (paths fan out over it), and where it is missing a flattened key (`"objectRef.resource"`,
      // as JSON flatteners write) holds the value.
      if (sigmaResource.active) {
        const ref = audit.objectRef;
        run(Array.isArray(ref) ? sigmaResource.all : sigmaResource.pick(ref === undefined ? audit['objectRef.resource'] : rec(ref)?.resource), e, out);
      }
      if (sigmaVerb.active) run(sigmaVerb.pick(audit.verb), e, out);
      if (sigmaUser.active) {
        const user = audit.user;
        run(Array.isArray(user) ? sigmaUser.all : sigmaUser.pick(user === undefined ? audit['user.username'] : rec(user)?.username), e, out);
      }
      run(sigmaAlways, e, out);
    }
    const plan = gate.select(e);
    const steps = plan.steps;
    // Exec events: steps whose residual reads only the command's reading answer from what the
    // reading keeps for this leaf (exec-reading-memo.ts `leafOutcomes`), filled in as asked.
    const reading = plan.execSteps ? eventExecReading(e) : null;
    const known = reading === null ? null : leafOutcomes(reading, plan, steps.length);
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      const r = s.residual;
      if (r !== null) {
        if (known !== null && s.execOnly) {
          let o = known[i]!;
          if (o === 0) known[i] = o = r(e) ? 2 : 1;
          if (o === 1) continue;
        } else if (!r(e)) continue;
      }
      if (s.hit !== null) {
        out.push(s.hit(e));
        lone = s.single;
      } else fns[s.rank]!(e, ctx, out);
    }
    // Behavioural specs judge workloads: an event without a trajectory key has nothing to judge.
    if (e.job !== null) run(jobScoped, e, out);
  }

  const pool = limits.statePool!;
  return {
    counts,
    get stateBytes() {
      return pool.used;
    },
    evaluate(input) {
      counts.events++;
      // attrs is typed as an object; a reader that breaks the contract must not crash Layer 1.
      const e = input.attrs !== null && typeof input.attrs === 'object' ? input : { ...input, attrs: {} };
      // Hits collect in a scratch array that is handed to the caller when it holds any (emptying
      // it in place would make V8 drop its storage, so each event with hits would copy twice).
      const out = scratch;
      lone = null;
      enterEvent(e);
      try {
        evaluateInScope(e, out);
      } finally {
        ctx.audit = null;
        leaveEvent();
      }
      if (out.length === 0) return [];
      // One clear rule's constant hit alone (most events): its shared frozen array, which
      // carries its decision; the scratch array stays for the next event.
      if (out.length === 1 && lone !== null && out[0] === lone[0]) {
        out.pop();
        return lone as RuleHit[];
      }
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
