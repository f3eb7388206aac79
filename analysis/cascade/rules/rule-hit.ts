/**
 * A rule hit whose reason is written when first read (issue 3: L1 throughput). Layer 1 decides on
 * rule id, decision and severity; the reason — which fields matched, with the observed values —
 * is only read when a detection is written or shown. Building it for every hit (describing the
 * selections, quoting values) cost more than deciding, so a hit keeps what the text needs — the
 * event, and the numbers a stateful rule measured at the time — and writes it on first read,
 * once. The text is exactly what writing it at once would give, provided the event is not changed
 * in between (Layer 1 never changes events; callers read reasons of the event they just handed in).
 *
 * `reason` is an accessor on the prototype: read it, or serialise the hit with JSON.stringify
 * (`toJSON`), rather than copying the hit with object spread.
 */
import type { Severity } from '../../triage/severity.js';
import type { AttackPhase, Decision, ThreatFamily } from '../taxonomy.js';
import type { RuleHit, RuleMeta } from './compiled-rule.js';

/** Writes a reason from what the hit kept (one function per rule, made at compile time). */
export type Explain<A, B, C> = (a: A, b: B, c: C) => string;

export class LazyHit<A = unknown, B = unknown, C = unknown> implements RuleHit {
  ruleId: string;
  title: string;
  decision: Decision;
  severity: Severity;
  family: ThreatFamily;
  phase: AttackPhase | null;
  attack: string[];
  atlas: string[];
  #text: string | null = null;
  #explain: Explain<A, B, C> | null;
  #a: A | null;
  #b: B | null;
  #c: C | null;

  constructor(meta: RuleMeta, explain: Explain<A, B, C>, a: A, b: B, c: C) {
    this.ruleId = meta.id;
    this.title = meta.title;
    this.decision = meta.decision;
    this.severity = meta.severity;
    this.family = meta.family;
    this.phase = meta.phase;
    this.attack = meta.attack;
    this.atlas = meta.atlas;
    this.#explain = explain;
    this.#a = a;
    this.#b = b;
    this.#c = c;
  }

  get reason(): string {
    if (this.#text === null) {
      this.#text = this.#explain!(this.#a as A, this.#b as B, this.#c as C);
      // What the text needed is no longer held (the event may be large).
      this.#explain = null;
      this.#a = this.#b = this.#c = null;
    }
    return this.#text;
  }

  set reason(text: string) {
    this.#text = text;
    this.#explain = null;
    this.#a = this.#b = this.#c = null;
  }

  toJSON(): RuleHit {
    const { ruleId, title, decision, severity, family, phase, attack, atlas } = this;
    return { ruleId, title, decision, severity, family, phase, attack, atlas, reason: this.reason };
  }
}
