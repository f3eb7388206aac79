/**
 * At most `max` tasks in flight; the rest wait in arrival order. The judge uses it so a burst of
 * uncertain events does not open hundreds of API calls at once.
 */
export type Limited = <T>(task: () => Promise<T>) => Promise<T>;

export function concurrencyLimit(max: number): Limited {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${max}`);
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < max) active++;
    // The slot passes straight from the releasing task to the next waiter (active unchanged).
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
