/**
 * The event rules of a rule set other than Sigma rules and specs, compiled for the engine's gate
 * (rule-gate.ts; issue 3: L1 throughput): their order, the fields the gate classifies, and per
 * gate leaf the plan — for each rule left, in order, what remains of its condition and, for a
 * stateless rule, the hit it makes.
 *
 * Order: hits come out as they did when the engine indexed these rules by one value each — by
 * index dimension (action, resource, subresource, code, destination, source, then presence fields
 * in order of first use, then unindexed rules), within a dimension in rule order.
 *
 * The compiled form depends on the rules alone: engines over the same rule array share it, and
 * with it what the gate has learnt (classes of values, graph, plans), each keeping its own rule
 * state. Sharing is safe: the gate's memory is a function of the rules and of values seen.
 */
import type { EventRecord } from '../../core/records.js';
import type { CompiledRule, RuleHit, RuleLogic } from './compiled-rule.js';
import type { CompiledField, Pred } from './detection.js';
import { eventFieldResolver, namespaceOfActor, readsExecReadingOnly } from './event-fields.js';
import { RuleGate, type Derive, type GateField } from './rule-gate.js';
import { residualOf, residualReadsOnly, selectionNames, type KnownTest } from './rule-residual.js';
import { singleHit } from './layer1-decision.js';

/** The index dimensions the engine used before the gate, in its order (the hits' order). */
const EVENT_DIMENSIONS = ['event.action', 'event.resource', 'event.attrs.subresource', 'event.attrs.code', 'event.destination', 'event.source'] as const;

/**
 * Fields whose values repeat (verbs, actions, principals, namespaces, status codes): the gate
 * remembers classes per value. Others (paths, destinations, commands) are classified by presence.
 */
const CATEGORICAL_FIELDS: ReadonlySet<string> = new Set([
  'action', 'source', 'resource', 'actor', 'namespace', 'node', 'gpu', 'outcome',
  'attrs.subresource', 'attrs.code', 'attrs.operation', 'attrs.format', 'attrs.audit.objectRef.namespace',
]);
/** Gate fields classified first, in this order (the most selective); the rest follow. */
const FIELD_ORDER = ['action', 'source', 'resource', 'attrs.subresource', 'attrs.code', 'actor'];

/** What the engine does for one rule at a gate leaf: check what remains, then hit or call it. */
export interface PlanStep {
  /** The rule's position in `GatedRules.rules`. */
  rank: number;
  /** What remains of its condition; null: nothing (it holds for every event at this leaf). */
  residual: Pred<EventRecord> | null;
  /** Stateless rules: the hit (the evaluator need not run); null: call the evaluator. */
  hit: ((e: EventRecord) => RuleHit) | null;
  /** Rules whose hit is one frozen object: that hit alone, as the engine hands it over (layer1-decision.ts). */
  single: readonly RuleHit[] | null;
  /**
   * True when the residual reads only fields derived from the exec reading (event-fields.ts
   * `readsExecReadingOnly`): on an event with an exec command its outcome is the reading's, the
   * same for every event that runs the same command and reaches this leaf (exec-reading-memo.ts
   * `leafOutcomes`).
   */
  execOnly: boolean;
}

/**
 * A gate leaf's plan: its steps, and whether any of them is `execOnly` (the engine then looks up
 * the event's exec reading once, and the outcomes that reading keeps for this leaf).
 */
export interface LeafPlan {
  steps: PlanStep[];
  execSteps: boolean;
}

export interface GatedRules {
  /** The rules as given (rule order). */
  input: readonly CompiledRule[];
  /** The rules, in the order their hits come out. */
  rules: readonly CompiledRule[];
  gate: RuleGate<LeafPlan>;
}

/** Every field test of a rule's selections (the gate learns their outcomes per class). */
function logicTests(logic: RuleLogic | undefined): Array<CompiledField<EventRecord>> {
  if (!logic) return [];
  const out: Array<CompiledField<EventRecord>> = [];
  for (const name of selectionNames(logic)) for (const alt of logic.selection(name)?.alternatives ?? []) out.push(...alt);
  return out;
}

/**
 * The gate's fields for the constraints and tests of `rules`: each field they name, except that
 * the actor decides its service-account namespace (one lookup for both).
 */
function gateFields(rules: readonly CompiledRule[]): GateField[] {
  const names = new Set<string>();
  for (const r of rules) {
    for (const c of r.constraints ?? []) names.add(c.field);
    for (const f of logicTests(r.logic)) names.add(f.field);
  }
  const byName = new Map<string, GateField>();
  for (const name of names) {
    const l = eventFieldResolver.field(name);
    if (!('error' in l) && name !== 'actorNamespace') byName.set(name, { name, get: l.get, categorical: CATEGORICAL_FIELDS.has(name) });
  }
  if (names.has('actorNamespace')) {
    const derive: Derive = (v) => ({ value: namespaceOfActor(v) });
    byName.set('actor', { name: 'actor', get: (e) => e.actor, categorical: true, covers: [{ field: 'actorNamespace', derive }] });
  }
  const rest = [...byName.keys()].filter((n) => !FIELD_ORDER.includes(n)).sort((a, b) => Number(CATEGORICAL_FIELDS.has(b)) - Number(CATEGORICAL_FIELDS.has(a)));
  return [...FIELD_ORDER, ...rest].filter((n) => byName.has(n)).map((n) => byName.get(n)!);
}

/** `rules` (event rules other than Sigma rules and specs, in rule order) in the order their hits come out. */
function ranked(rules: readonly CompiledRule[]): CompiledRule[] {
  const presenceOrder = new Map<string, number>();
  const withRank = rules.map((rule, order) => {
    const idx = rule.index;
    let dim = (EVENT_DIMENSIONS as readonly string[]).indexOf(idx?.key ?? '');
    if (dim < 0 && idx?.key === 'event.present' && !('error' in eventFieldResolver.field(idx.values[0]!))) {
      const field = idx.values[0]!;
      if (!presenceOrder.has(field)) presenceOrder.set(field, presenceOrder.size);
      dim = EVENT_DIMENSIONS.length + presenceOrder.get(field)!;
    }
    return { rule, order, dim: dim < 0 ? Number.MAX_SAFE_INTEGER : dim };
  });
  withRank.sort((a, b) => a.dim - b.dim || a.order - b.order);
  return withRank.map((r) => r.rule);
}

/** A test that reads only the exec reading: of a field derived from it, and not a `fieldref` (which reads a second field). */
const readsExecReading = (f: CompiledField<EventRecord>): boolean => f.exact && readsExecReadingOnly(f.field);

function compile(rules: readonly CompiledRule[]): GatedRules {
  const order = ranked(rules);
  const singles = order.map((r) => (r.logic?.constantHit ? singleHit(r.logic.constantHit) : null));
  // A leaf's plan: the rules left, in order, each with what remains of its condition.
  const plan = (cand: Int32Array, known: KnownTest): LeafPlan => {
    const steps: PlanStep[] = [];
    for (let rank = 0; rank < order.length; rank++) {
      if ((cand[rank >>> 5]! & (1 << (rank & 31))) === 0) continue;
      const rule = order[rank]!;
      const logic = rule.logic;
      const residual = logic ? residualOf(logic, known) : true;
      if (residual === false) continue;
      const execOnly = residual !== true && logic !== undefined && residualReadsOnly(logic, known, readsExecReading);
      steps.push({ rank, residual: residual === true ? null : residual, hit: logic?.hit ?? null, single: singles[rank]!, execOnly });
    }
    return { steps, execSteps: steps.some((s) => s.execOnly) };
  };
  const gate = new RuleGate<LeafPlan>(
    order.map((rule) => ({ constraints: new Map((rule.constraints ?? []).map((c) => [c.field, c.test])), tests: logicTests(rule.logic) })),
    gateFields(order),
    plan,
  );
  return { input: rules, rules: order, gate };
}

const compiled = new WeakMap<readonly CompiledRule[], GatedRules>();

function sameRules(a: readonly CompiledRule[], b: readonly CompiledRule[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The compiled form of `rules` (event rules other than Sigma rules and specs, in rule order),
 * shared by every engine made over the same rule set (`set`, the array the engine was given).
 */
export function gatedRules(set: readonly CompiledRule[], rules: readonly CompiledRule[]): GatedRules {
  const known = compiled.get(set);
  if (known && sameRules(known.input, rules)) return known;
  const fresh = compile(rules);
  compiled.set(set, fresh);
  return fresh;
}
