/**
 * Running means of attacker-written telemetry. The textbook update `m += (v - m) / n` turns a
 * single +Inf sample into NaN at the next finite one, and a NaN mean fails every comparison: one
 * `+Inf` line from a hostile exporter would blind each rule that reads the window's mean. Here a
 * mean with an infinite value in it is that infinity (NaN only when both infinities occur).
 */

/** The mean of `n` values, given the mean `mean` of the first n - 1 and the n-th value `v`. */
export function meanWith(mean: number, n: number, v: number): number {
  return Number.isFinite(mean) && Number.isFinite(v) ? mean + (v - mean) / n : mean + v;
}

/** The mean of two sets of values: means `a` and `b` of `na` and `nb` values. */
export function meanOfBoth(a: number, na: number, b: number, nb: number): number {
  return Number.isFinite(a) && Number.isFinite(b) ? a + (b - a) * (nb / (na + nb)) : a + b;
}
