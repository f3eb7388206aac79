/**
 * What Layer 1 reads of one event, read once (issue 3: L1 throughput). `attrs` objects come in
 * dozens of shapes (each reader and each app writes its own), so every `attrs.<key>` read is a
 * megamorphic property load, and the same keys (`subresource`, `code`, `destination`, `exec`, …)
 * are read by the engine's rule gate and again by the rules it lets through. While the engine
 * evaluates an event it opens a scope on it: the first read of a key is remembered in a numbered
 * slot for the rest of the event, and a value derived from the event alone (the parsed
 * destination) is computed at most once.
 *
 * Outside a scope (a rule evaluated on its own, a hit's reason built later) every accessor reads
 * the event directly: a slot only ever holds what a direct read returned for the same event within
 * the same engine call. The scope is module state: evaluation is synchronous, and a scope never
 * outlives the call that opened it.
 */
import type { EventRecord } from '../../core/records.js';

/** Distinct attrs keys that get a slot; further keys (a huge generated rule set) are read directly. */
export const MAX_ATTR_SLOTS = 1024;

const slotIds = new Map<string, number>();
const values: unknown[] = [];
const stamps: number[] = [];

let current: EventRecord | null = null;
let epoch = 0;

/** The slot of a top-level attrs key (registered on first use), or -1 when no slot is left. */
export function attrSlot(key: string): number {
  const id = slotIds.get(key);
  if (id !== undefined) return id;
  if (slotIds.size >= MAX_ATTR_SLOTS) return -1;
  const n = slotIds.size;
  slotIds.set(key, n);
  values.push(undefined);
  stamps.push(0);
  return n;
}

/** A property read as rule field paths read one: inherited methods do not count as values. */
function own(v: object, key: string): unknown {
  const x = (v as Record<string, unknown>)[key];
  return typeof x === 'function' ? undefined : x;
}

/** Opens the scope on `e`: slots filled before now no longer count. */
export function enterEvent(e: EventRecord): void {
  current = e;
  epoch++;
}

export function leaveEvent(): void {
  current = null;
}

/** `e.attrs[key]` (methods excepted); `slot` is `attrSlot(key)`. */
export function attrOf(e: EventRecord, slot: number, key: string): unknown {
  if (e !== current || slot < 0) return own(e.attrs as object, key);
  if (stamps[slot] === epoch) return values[slot];
  const v = own(e.attrs as object, key);
  values[slot] = v;
  stamps[slot] = epoch;
  return v;
}

const derivedStamps: number[] = [];
const derivedValues: unknown[] = [];

/** A slot for one value derived from the event alone (see `derivedOf`). */
export function derivedSlot(): number {
  derivedStamps.push(0);
  derivedValues.push(undefined);
  return derivedStamps.length - 1;
}

/**
 * `compute(e)`, computed at most once per scope (the parsed destination, which egress rules and
 * specs all need); every caller of one slot passes the same `compute`.
 */
export function derivedOf<V>(e: EventRecord, slot: number, compute: (e: EventRecord) => V): V {
  if (e !== current) return compute(e);
  if (derivedStamps[slot] !== epoch) {
    derivedValues[slot] = compute(e);
    derivedStamps[slot] = epoch;
  }
  return derivedValues[slot] as V;
}
