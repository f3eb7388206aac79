/**
 * The readings of exec commands across events (issue 3: L1 throughput). A cluster runs the same
 * commands again and again — probes, `nvidia-smi`, `df -h`, the same `sh -c` from a CI job (the
 * benchmark's test split: 647 exec events, 286 distinct commands) — and reading one
 * (exec-canonical.ts: shell words, wrappers, interpreters, decoders) and testing every exec rule's
 * patterns against its readings cost ~12 µs, the most of any event. Both depend on the command
 * alone, so a command met before reuses its reading and each rule test's outcome on it.
 *
 * Bounded: commands longer than MAX_KEY characters (key included) are read afresh every time, and
 * the memo starts over past MAX_ENTRIES commands or MAX_MEMO_BYTES of estimated size
 * (attacker-varied commands must not pin memory). A command's estimate is `readingBytes`: 512 bytes
 * and 96 a key character, above what was measured for commands just under MAX_KEY (1 KB of
 * two-letter flag clusters, the costliest shape tried: its reading ~18 KB as JSON, toolWords and the
 * other derived lists ~42 KB of strings; 1 KB of one-letter words: ~8 KB and ~17 KB). Everyday
 * commands are short, so the budget keeps thousands of them (a bundle's probes, CI steps and on-call
 * commands recur across it), and ~340 of the longest.
 * Only commands that are a string or an array of strings are remembered: any other element
 * (a number, an object in hostile JSON) is part of the readings as it is, so such argv are read
 * afresh as before.
 *
 * A remembered reading also keeps, for the last few gate leaves its events reached, which plan
 * steps' residual conditions hold on it (`leafOutcomes`): a step whose residual reads only fields
 * derived from this reading (gated-rules.ts `execOnly`) has one outcome per reading, so an exec
 * event met before checks its ~24 steps by one array read each instead of a tree of tests each.
 */
import { canonicalExecValue, execCommandReadings, type ExecCanonical } from './exec-canonical.js';
import type { FieldTest } from './field-test.js';

export const MAX_ENTRIES = 8192;
/** Estimated bytes of the remembered readings together (`readingBytes`), past which the memo starts over. */
export const MAX_MEMO_BYTES = 32 * 1024 * 1024;
/** Characters of a command's key (its words, length-prefixed) beyond which it is not remembered. */
export const MAX_KEY = 1024;

export interface ExecReading {
  canonical: ExecCanonical | null;
  /** `attrs.exec.command` as rules read it (exec-readings.ts `execCommandReadings`). */
  readings: unknown;
  /** Per memoized test (`memoizedTest` id): 1 holds, 0 fails, undefined not asked yet. */
  outcomes: Array<number | undefined>;
  /** True when the memo holds it (its key was short enough): only then are leaf outcomes kept. */
  remembered: boolean;
  /** Per gate leaf met last (at most MAX_LEAVES): its steps' outcomes, see `leafOutcomes`. */
  leaves: LeafOutcomes[] | null;
}

interface LeafOutcomes {
  leaf: object;
  /** Per plan step: 0 not asked yet, 1 its residual fails, 2 it holds. */
  steps: Uint8Array;
}

/** Gate leaves whose step outcomes one reading keeps; a further leaf replaces the oldest. */
export const MAX_LEAVES = 8;
/** Estimated bytes of one leaf's outcomes besides one byte per step (object, typed array, slot). */
const LEAF_BYTES = 160;

const memo = new Map<string, ExecReading>();
/** The estimated bytes the memo holds (`readingBytes` of each key). */
let held = 0;

/** The estimated bytes one remembered command holds, from its key (see the header). */
export function readingBytes(key: string): number {
  return 512 + 96 * key.length;
}
/** The reading whose readings (or a derived field's values) were handed out last: what a memoized test is handed next, normally. */
let last: ExecReading | null = null;
/** The derived field's values handed out last with `last` (`derivedValues`), or null when its readings were. */
let lastDerived: readonly string[] | null = null;
let nextTestId = 0;

/** A key that tells commands apart (words length-prefixed: `['a b']` is not `['a', 'b']`), or null. */
function commandKey(v: string | unknown[]): string | null {
  if (typeof v === 'string') return v.length < MAX_KEY ? `s${v}` : null;
  let key = 'a';
  for (let i = 0; i < v.length; i++) {
    const w = v[i];
    if (typeof w !== 'string') return null;
    key += `${w.length}:${w}`;
    if (key.length >= MAX_KEY) return null;
  }
  return key;
}

function read(v: string | unknown[], remembered: boolean): ExecReading {
  const canonical = canonicalExecValue(v);
  return { canonical, readings: execCommandReadings(v, canonical), outcomes: [], remembered, leaves: null };
}

/** The reading of an exec command (a command line or an argv), remembered when its key is. */
export function execReading(v: string | unknown[]): ExecReading {
  const key = commandKey(v);
  let r = key === null ? undefined : memo.get(key);
  if (r === undefined) {
    r = read(v, key !== null);
    if (key !== null) {
      const bytes = readingBytes(key);
      if (memo.size >= MAX_ENTRIES || held + bytes > MAX_MEMO_BYTES) {
        memo.clear();
        held = 0;
      }
      memo.set(key, r);
      held += bytes;
    }
  }
  return r;
}

/**
 * The outcomes of `leaf`'s `steps` plan steps on `r` (0 not asked yet, 1 fails, 2 holds; the
 * caller fills them in), or null when `r` is not remembered (read for one event only). A reading
 * keeps MAX_LEAVES leaves, replacing the oldest past them; their bytes count toward the memo's
 * budget, so the memo starts over sooner when commands meet many leaves.
 */
export function leafOutcomes(r: ExecReading, leaf: object, steps: number): Uint8Array | null {
  if (!r.remembered) return null;
  const list = (r.leaves ??= []);
  for (let i = 0; i < list.length; i++) if (list[i]!.leaf === leaf) return list[i]!.steps;
  const made: LeafOutcomes = { leaf, steps: new Uint8Array(steps) };
  if (list.length >= MAX_LEAVES) held += steps - list.shift()!.steps.length;
  else held += LEAF_BYTES + steps;
  list.push(made);
  return made.steps;
}

/** `r.readings`, for a rule test to be handed next (its memo answers for `r`). */
export function readingsOf(r: ExecReading): unknown {
  last = r;
  lastDerived = null;
  return r.readings;
}

/**
 * `values`, a list field derived from `r`'s canonical reading (`attrs.exec.toolWords`,
 * `copiesToRemote`…: computed once per reading and never changed), for a rule test to be handed
 * next: its memo answers for `r` as for the readings. Each memoized test reads one field, so its
 * outcome on `r` is its outcome on that field's values of `r`.
 */
export function derivedValues(r: ExecReading, values: readonly string[]): readonly string[] {
  last = r;
  lastDerived = values;
  return values;
}

/**
 * `test`, remembering its outcome per remembered reading: handed the readings (or derived values)
 * handed out last, it answers from what it found for them before. Tests are pure functions of the value
 * (field-test.ts), so the outcome is the one a fresh test would give.
 */
export function memoizedTest(test: FieldTest): FieldTest {
  const id = nextTestId++;
  const matches = test.matches;
  return {
    ...test,
    matches(v: unknown): boolean {
      const r = last;
      if (r === null || (r.readings !== v && (lastDerived === null || lastDerived !== v))) return matches(v);
      const known = r.outcomes[id];
      if (known !== undefined) return known === 1;
      const ok = matches(v);
      r.outcomes[id] = ok ? 1 : 0;
      return ok;
    },
  };
}
