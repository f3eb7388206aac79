/**
 * Sigma's `fieldref` modifier (Sigma specification v2, "Value modifiers"): `field|fieldref: other`
 * holds when the event's `field` equals its `other` field — a list of names means any of them.
 * Strings compare case-insensitively, as Sigma's plain equality does; numbers and booleans by
 * value. An absent, null, array or object value on either side never matches: a comparison needs
 * two values. (MLShield rules use it for "a workload's token used outside its own namespace":
 * `namespace|fieldref: actorNamespace`.)
 */
import type { FieldTest } from './field-test.js';

type Getter<T> = (s: T) => unknown;

function scalarKey(v: unknown): string | number | boolean | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  return null;
}

/** True when two field values are equal under fieldref's rules. */
export function sameFieldValue(a: unknown, b: unknown): boolean {
  const x = scalarKey(a);
  const y = scalarKey(b);
  if (x === null || y === null) return false;
  if (typeof x === 'string' && typeof y === 'string') return x === y || (x.length === y.length && x.toLowerCase() === y.toLowerCase());
  // A number written as a string in one record and as a number in another still names the same value.
  return String(x) === String(y);
}

export type FieldRefResult<T> = { ok: true; pred: (s: T) => boolean; test: FieldTest; refs: string[] } | { ok: false; error: string };

/**
 * Compiles `field|fieldref: <names>` given the field's getter and a resolver for the referenced
 * names. Other modifiers cannot be combined with it (the reference is not a pattern).
 */
export function compileFieldRef<T>(
  modifiers: readonly string[],
  raw: unknown,
  get: Getter<T>,
  resolve: (name: string) => { get: Getter<T> } | { error: string },
): FieldRefResult<T> {
  const others = modifiers.filter((m) => m !== 'fieldref');
  if (others.length > 0) return { ok: false, error: `modifier 'fieldref' cannot be combined with '${others.join("', '")}'` };
  const names = Array.isArray(raw) ? raw : [raw];
  if (names.length === 0) return { ok: false, error: "'fieldref' needs a field name" };
  if (names.length > 16) return { ok: false, error: "'fieldref' takes at most 16 field names" };
  const getters: Array<Getter<T>> = [];
  for (const n of names) {
    if (typeof n !== 'string' || n.length === 0) return { ok: false, error: `'fieldref' needs field names, got ${JSON.stringify(n)}` };
    const r = resolve(n);
    if ('error' in r) return { ok: false, error: `'fieldref' names an unknown field: ${r.error}` };
    getters.push(r.get);
  }
  const pred = getters.length === 1
    ? (s: T): boolean => sameFieldValue(get(s), getters[0]!(s))
    : (s: T): boolean => {
        const v = get(s);
        for (let i = 0; i < getters.length; i++) if (sameFieldValue(v, getters[i]!(s))) return true;
        return false;
      };
  // `matches` sees only this field's value: it says whether a comparison could hold (for the
  // engine's presence index and the reason's observed value), never that it does.
  const test: FieldTest = { matches: (v) => scalarKey(v) !== null, exact: null, cost: 1, matchesAbsent: false };
  return { ok: true, pred, test, refs: names as string[] };
}
