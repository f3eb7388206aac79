/**
 * What the loader produces and the engine runs. A compiled rule is stateless; `instantiate` gives
 * one engine its own evaluator (window and sequence state live there), so two engines over two
 * cases never share state.
 */
import type { EventRecord } from '../../core/records.js';
import type { Severity } from '../../triage/severity.js';
import type { AttackPhase, Decision, ThreatFamily } from '../taxonomy.js';
import type { GpuWindow } from './gpu-window.js';
import type { FieldConstraint } from './rule-constraints.js';
import type { SpecProgram } from './spec-program.js';
import type { LogicSelection } from './detection.js';
import type { CondNode } from './sigma-condition.js';
import { COUNT_SLOT_BUDGET, DISTINCT_CHAR_BUDGET } from './window-state.js';
import { ENGINE_STATE_BYTES, RULE_STATE_BYTES, type StatePool } from './state-pool.js';

export type RuleOrigin = 'sigma' | 'mlshield' | 'spec';

export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  family: ThreatFamily;
  phase: AttackPhase | null;
  decision: Decision;
  /** MITRE ATT&CK technique ids (`T1609`, `T1552.007`). */
  attack: string[];
  /** MITRE ATLAS technique ids (`AML.T0024`). */
  atlas: string[];
  /** Rule file and 1-based line of the rule's document, for the analyst. */
  file: string;
  line: number;
}

export interface RuleHit {
  ruleId: string;
  title: string;
  decision: Decision;
  severity: Severity;
  family: ThreatFamily;
  phase: AttackPhase | null;
  attack: string[];
  atlas: string[];
  /** Which fields matched, with the observed values (quoted, truncated: they are attacker data). */
  reason: string;
}

/** A rule's condition as the engine's gate reads it (rule-residual.ts). */
export interface RuleLogic {
  /** The rule matches, or feeds its state, only when one of these holds (a sequence: its event steps). */
  nodes: readonly CondNode[];
  selection(name: string): LogicSelection<EventRecord> | undefined;
  /** Stateless rules: the hit for an event `nodes` hold for (the evaluator then need not run). */
  hit?: (e: EventRecord) => RuleHit;
  /** Set when `hit` always returns this one frozen hit (clear rules). */
  constantHit?: RuleHit;
}

/** Bounds on evaluator state (see window-state.ts). */
export interface EngineLimits {
  /** Keys (actor, job, …) remembered per stateful rule; least recently used evicted first. */
  maxKeysPerRule: number;
  /** Jobs whose namespace/labels/checkpoint/egress history a spec remembers. */
  maxJobsPerSpec: number;
  /**
   * Timestamps all keys of one count window rule may hold together (default COUNT_SLOT_BUDGET);
   * beyond it the least recently used keys are forgotten, as beyond `maxKeysPerRule`.
   */
  maxCountSlotsPerRule?: number;
  /** Likewise for a distinct rule's stored values, in characters (default DISTINCT_CHAR_BUDGET, window-state.ts). */
  maxDistinctCharsPerRule?: number;
  /**
   * Estimated bytes (state-pool.ts) all keys of one stateful MLShield rule may hold, whatever its
   * form (count, distinct, sum, sequence; default RULE_STATE_BYTES); beyond it the rule forgets
   * its least recently used keys.
   */
  maxStateBytesPerRule?: number;
  /**
   * Estimated bytes all stateful MLShield rules of one engine hold together (default
   * ENGINE_STATE_BYTES): half reserved in equal shares per rule, half shared; a rule over its share
   * forgets its own least recently used keys (state-pool.ts has the policy and the bound).
   */
  maxStateBytes?: number;
  /**
   * The engine's shared account for `maxStateBytes` (`withStatePool`): every evaluator instantiated
   * with these limits draws from it. Absent: each evaluator makes a pool of its own, so the total
   * bounds that rule alone.
   */
  statePool?: StatePool;
}

export const DEFAULT_ENGINE_LIMITS: EngineLimits = {
  maxKeysPerRule: 4096,
  maxJobsPerSpec: 4096,
  maxCountSlotsPerRule: COUNT_SLOT_BUDGET,
  maxDistinctCharsPerRule: DISTINCT_CHAR_BUDGET,
  maxStateBytesPerRule: RULE_STATE_BYTES,
  maxStateBytes: ENGINE_STATE_BYTES,
};

/** What a stateful evaluator holds now (read-only; for tests and diagnostics). */
export interface StateSize {
  keys: number;
  /** Estimated bytes held (state-pool.ts), against the rule's `maxStateBytesPerRule`. */
  used: number;
  limit: number;
}

/** What the engine computes once per event and hands to every evaluator. */
export interface EventContext {
  /** `attrs.audit` when it is an object (Kubernetes audit events), else null. */
  audit: Record<string, unknown> | null;
}

/** Per-engine rule state and entry points. The engine calls them as plain functions (no `this`). */
export interface RuleEvaluator {
  event?: (e: EventRecord, ctx: EventContext, out: RuleHit[]) => void;
  gpu?: (w: GpuWindow, out: RuleHit[]) => void;
  /** Window rules: the size of their state. */
  stateSize?: () => StateSize;
}

/** A pre-filter the engine may index on: the rule can only match when `key`'s value is in `values`. */
export const SIGMA_INDEX_FIELDS = ['objectRef.resource', 'verb', 'user.username'] as const;
export const EVENT_INDEX_FIELDS = ['action', 'resource', 'attrs.subresource', 'attrs.code', 'source'] as const;
/**
 * Presence dimension: rules that can only match events naming a destination (`attrs.destination`
 * or `attrs.url`) are indexed under it, value '*'.
 */
export const PRESENCE_INDEX_FIELD = 'destination';

/**
 * Presence dimensions for optional fields: a rule that can only match events carrying `attrs.path`
 * (say) is indexed under `present:attrs.path` when nothing better pins it. Such fields are
 * often common (`attrs.bytes`), so presence counts as less selective than seven required actions.
 */
export const PRESENCE_PREFIX = 'present:';
const PRESENCE_WEIGHT = 15;

/**
 * How unselective one required value of an index field is (lower is better): an event source has
 * two values, so indexing on it barely filters. A rule is indexed on the field that minimises
 * weight × number of required values (ties: the order above).
 */
export const INDEX_FIELD_WEIGHT: Readonly<Record<string, number>> = {
  'objectRef.resource': 1,
  verb: 2,
  'user.username': 1,
  // A handful of verbs/actions carry most traffic; resources spread it more.
  action: 2,
  resource: 1,
  'attrs.subresource': 1,
  'attrs.code': 1,
  destination: 3,
  source: 40,
};

/** Picks the index field for a condition from `required(field)` (values or null). */
export function chooseIndex<F extends string>(fields: readonly F[], required: (field: F) => string[] | null): { field: F; values: string[] } | null {
  let best: { field: F; values: string[]; score: number } | null = null;
  for (const field of fields) {
    const values = required(field);
    if (!values || values.length === 0) continue;
    const weight = INDEX_FIELD_WEIGHT[field] ?? (field.startsWith(PRESENCE_PREFIX) ? PRESENCE_WEIGHT : 1);
    const score = values.length * weight;
    if (!best || score < best.score) best = { field, values, score };
  }
  return best ? { field: best.field, values: best.values } : null;
}

export interface RuleIndexKey {
  /** The index field chosen by `chooseIndex`. */
  key: `audit.${(typeof SIGMA_INDEX_FIELDS)[number]}` | `event.${(typeof EVENT_INDEX_FIELDS)[number]}` | `event.${typeof PRESENCE_INDEX_FIELD}` | 'event.present';
  /** Lower-case exact values; for `event.present`, the one field that must be present. */
  values: string[];
}

export interface CompiledRule {
  readonly meta: RuleMeta;
  readonly origin: RuleOrigin;
  readonly inputs: { event: boolean; gpu: boolean };
  readonly index: RuleIndexKey | null;
  /** True when the rule keeps state across events (windows, sequences, schedules). */
  readonly stateful: boolean;
  /**
   * Event rules: conditions on single fields without which the rule neither matches nor changes
   * its state (rule-constraints.ts); the engine skips the rule when one fails. Absent: none known.
   */
  readonly constraints?: readonly FieldConstraint[];
  /** Event rules: the condition, so the engine's gate can decide most of it once per class of events (rule-residual.ts). */
  readonly logic?: RuleLogic;
  /** Behavioural specs: the compiled spec, so the engine can evaluate its specs together (spec-set.ts). */
  readonly spec?: SpecProgram;
  instantiate(limits: EngineLimits): RuleEvaluator;
}

export interface RuleLoadError {
  file: string;
  /** 1-based; 0 when no position is known. */
  line: number;
  message: string;
}

export interface RuleSet {
  rules: CompiledRule[];
  errors: RuleLoadError[];
  warnings: RuleLoadError[];
}

export function hitFromMeta(meta: RuleMeta, reason: string): RuleHit {
  return {
    ruleId: meta.id,
    title: meta.title,
    decision: meta.decision,
    severity: meta.severity,
    family: meta.family,
    phase: meta.phase,
    attack: meta.attack,
    atlas: meta.atlas,
    reason,
  };
}
