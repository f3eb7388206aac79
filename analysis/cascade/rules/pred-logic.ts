/**
 * AND / OR over compiled predicates, in the given order (callers order them cheapest first), with
 * the common short lists unrolled into one closure: rule conditions, selections, pre-filter value
 * tests and residual conditions all combine through these two.
 */
export type Pred<T> = (s: T) => boolean;

/** True when every predicate holds (at least one predicate). */
export function allOf<T>(preds: ReadonlyArray<Pred<T>>): Pred<T> {
  if (preds.length === 1) return preds[0]!;
  if (preds.length === 2) {
    const p0 = preds[0]!, p1 = preds[1]!;
    return (s) => p0(s) && p1(s);
  }
  if (preds.length === 3) {
    const p0 = preds[0]!, p1 = preds[1]!, p2 = preds[2]!;
    return (s) => p0(s) && p1(s) && p2(s);
  }
  const n = preds.length;
  return (s) => {
    for (let i = 0; i < n; i++) if (!preds[i]!(s)) return false;
    return true;
  };
}

/** True when any predicate holds (at least one predicate). */
export function anyOf<T>(preds: ReadonlyArray<Pred<T>>): Pred<T> {
  if (preds.length === 1) return preds[0]!;
  if (preds.length === 2) {
    const p0 = preds[0]!, p1 = preds[1]!;
    return (s) => p0(s) || p1(s);
  }
  const n = preds.length;
  return (s) => {
    for (let i = 0; i < n; i++) if (preds[i]!(s)) return true;
    return false;
  };
}
