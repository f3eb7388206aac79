/**
 * Memory of stateful rules in one unit, estimated bytes, charged per rule (`StateAccount`) and
 * engine-wide (`StatePool`). The audit log is written by the attacker: without an engine-wide
 * total, every stateful rule could hold its own budget at once.
 *
 * The estimate (V8 on 64-bit Node 20, no pointer compression; what the structures of
 * window-state.ts allocate, rounded up; a stored double is a 16-byte HeapNumber):
 *  - a key (KEY_ENTRY_BYTES + KEY_CHAR_BYTES per character): its KeyedLru node (4 fields, 56),
 *    its Map entry with the table's slack (56), the key's string header (16), the key state
 *    object with its boxed numbers (96); characters count 2 bytes (a two-byte string: the worst).
 *  - a typed array (TYPED_ARRAY_BYTES plus its elements): the JSTypedArray, its JSArrayBuffer and
 *    the off-heap backing store's record.
 *  - the windows' own figures are next to them (window-state.ts `bytes`): a count ring 8 per slot,
 *    a distinct value 2 bytes per character of what DistinctWindow charges its budget (its length
 *    plus DISTINCT_ENTRY_CHARS = 128 bytes for its node, boxed time, Map entry and string header),
 *    a sum window its 60 buckets, a sequence one number per step.
 * The process heap of the hostile streams in state-budget.test.ts (STATE_BUDGET_STATS=1) prints
 * next to these figures; they are an estimate, not the heap.
 *
 * Policy, engine-wide (`maxStateBytes`, EngineLimits): half of it is reserved in equal shares, one
 * per stateful rule (`reserve`), the other half is shared. After any event that makes a rule hold
 * more, the rule forgets its own least recently used keys (never the current one) while it is
 * over its own limit, or while the engine's total passes `shared` and the rule holds more than its
 * reserve. A rule never evicts another rule's keys: what a rule remembers changes only on its own
 * events, in the engine's fixed order, so hits stay deterministic and a rule never loses state in
 * the middle of another rule's evaluation. Forgetting whole keys only loses alerts on the keys
 * forgotten, never invents one (a forgotten key starts again from nothing).
 *
 * Bound: the engine's total ≤ maxStateBytes, plus per rule what its one current key holds beyond
 * its reserve. Proof sketch: call a rule big when it holds more than its reserve and more than one
 * key. A big rule's last increase ended with the total ≤ `shared` (else it would have evicted);
 * take the big rule whose last increase came last: at that moment every big rule held at least
 * what it holds now, so big rules hold ≤ `shared` together; the others hold ≤ their reserve (or
 * one key). `shared` + rules × `reserve` = maxStateBytes. The reserve means a flood that fills one
 * rule cannot starve the others down to one key each (which would let the attacker evade them).
 */
import type { EngineLimits } from './compiled-rule.js';

/** A key's fixed cost (see the file comment). */
export const KEY_ENTRY_BYTES = 224;
/** Per character of a key or a stored value: UTF-16 at worst. */
export const KEY_CHAR_BYTES = 2;
/** A typed array's own objects, beside its elements. */
export const TYPED_ARRAY_BYTES = 200;

/**
 * Default per-rule limit, 32 MiB: above what the per-form budgets let a count (8 MiB of slots, about 10
 * MiB with its keys) or a distinct rule (16 Mi characters, 32 MiB) hold, so for them it changes
 * nothing; a sum or sequence rule at the key limit (4096) holds at most about 5 MiB of it.
 */
export const RULE_STATE_BYTES = 32 << 20;
/**
 * Default engine-wide total, 256 MiB. Measured: the 22 stateful rules of the 87 shipped hold at
 * most 336 KiB together on the benchmark (seed 2, test split, 14.8k events and 11k GPU windows;
 * 334 KiB on held-out; the largest, MLS-EXFIL-034, 126 KiB over 237 keys). Even all 22 at their
 * key limit (4096 short keys each, light windows: about 70 MiB) stay under the shared half, so a
 * normal case never meets the total; a hostile one finds every rule guaranteed its reserve,
 * 256 MiB / 2 / 22 = 5.8 MiB (thousands of keys).
 */
export const ENGINE_STATE_BYTES = 256 << 20;

/** The bytes of a key of `length` characters (what a key state charges beside its windows). */
export function keyBytes(length: number): number {
  return KEY_ENTRY_BYTES + KEY_CHAR_BYTES * length;
}

/** What the stateful rules of one engine hold together, in estimated bytes. */
export class StatePool {
  used = 0;
  /** The most `used` has been, the moment between a charge and the evictions it causes included (diagnostics). */
  peak = 0;
  readonly limit: number;
  /** Rules drawing from the pool. */
  rules = 0;
  /** What each rule may hold whatever the others hold. */
  reserve: number;
  /** The total beyond which a rule over its reserve forgets its own keys. */
  shared: number;
  constructor(limit: number) {
    this.limit = limit >= 0 ? limit : 0;
    this.reserve = this.limit / 2;
    this.shared = this.limit - this.reserve;
  }

  /** A rule joins (when its evaluator is made, before the engine's first event): the shares are recomputed. */
  join(): void {
    this.rules++;
    if (!Number.isFinite(this.limit)) return;
    this.reserve = Math.floor(this.limit / (2 * this.rules));
    this.shared = this.limit - this.rules * this.reserve;
  }
}

/** One stateful rule's memory, charged to its engine's pool as well. */
export class StateAccount {
  used = 0;
  readonly limit: number;
  constructor(
    limit: number,
    readonly pool: StatePool,
  ) {
    this.limit = limit >= 0 ? limit : 0;
    pool.join();
  }

  /** Adds `bytes` (negative: releases them). No allocation: called on the event path. */
  charge(bytes: number): void {
    this.used += bytes;
    const p = this.pool;
    p.used += bytes;
    if (p.used > p.peak) p.peak = p.used;
  }

  /** True while the rule must forget keys (see the file comment's policy). */
  get over(): boolean {
    const p = this.pool;
    return this.used > this.limit || (p.used > p.shared && this.used > p.reserve);
  }
}

/**
 * `limits` with a fresh engine-wide pool, unless they carry one (a caller who watches the pool, or
 * shares it on purpose). createRuleEngine calls it once, so that its rules draw from one pool.
 */
export function withStatePool(limits: EngineLimits): EngineLimits {
  return limits.statePool ? limits : { ...limits, statePool: new StatePool(limits.maxStateBytes ?? ENGINE_STATE_BYTES) };
}

/** A new stateful evaluator's account: its per-rule limit, on the limits' pool (or a pool of its own). */
export function stateAccountFor(limits: EngineLimits): StateAccount {
  const pool = limits.statePool ?? new StatePool(limits.maxStateBytes ?? ENGINE_STATE_BYTES);
  return new StateAccount(limits.maxStateBytesPerRule ?? RULE_STATE_BYTES, pool);
}
