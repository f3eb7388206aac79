/**
 * The judge's circuit breaker. When the Messages API is unreachable, stalls, or refuses the key or
 * the model, every uncertain event fails the same way, one after another: 1,000 events against a
 * stalled API held `mlshield analyze` for hours (each call waits its timeouts and retries), and a
 * revoked key made 1,000 pointless 401 calls. The breaker stops asking:
 * - MAX_CONSECUTIVE_FAILURES failed calls in a row (transport errors, timeouts, deadline, HTTP
 *   errors after the SDK's retries, unreadable responses) open it; any answer from the model,
 *   verdict or not, resets the count (the API works; the event was the problem);
 * - HTTP 401, 403 and 404 open it at once: a bad key, a missing permission or an unknown model
 *   are configuration errors that no other event will get past.
 * Once open it stays open for the judge's lifetime (one analysis run): no half-open probe, the
 * events left are `not-run` and stay open for the analyst, and the next run asks again. When it
 * opens it tells its owner once (`onOpen`), so the client can cut short the calls then in flight:
 * against a stalled API each would otherwise wait out its timeouts and retries (minutes with the
 * defaults) after the run has already given up on the API.
 */

export const MAX_CONSECUTIVE_FAILURES = 5;
/** Bad key, no permission, unknown model (Messages API errors: authentication_error, permission_error, not_found_error). */
export const FATAL_HTTP_STATUSES: readonly number[] = [401, 403, 404];

export interface JudgeBreaker {
  /** Why the breaker opened (e.g. `HTTP 401: …`); null while closed. */
  readonly stopped: string | null;
  /** The API answered (verdict or no verdict): the failure streak ends. */
  succeeded(): void;
  /** A call failed; `httpStatus` is the API's status when it answered with an error. */
  failed(why: string, httpStatus: number | null): void;
  /** Open it now (e.g. the SDK client could not be built). */
  stop(why: string): void;
}

/** `onOpen` is called once, synchronously, with the reason, when the breaker opens. */
export function createJudgeBreaker(maxConsecutiveFailures: number = MAX_CONSECUTIVE_FAILURES, onOpen?: (why: string) => void): JudgeBreaker {
  const limit = Number.isInteger(maxConsecutiveFailures) && maxConsecutiveFailures >= 1 ? maxConsecutiveFailures : MAX_CONSECUTIVE_FAILURES;
  let streak = 0;
  let stopped: string | null = null;
  const open = (why: string): void => {
    stopped = why;
    onOpen?.(why);
  };
  return {
    get stopped() {
      return stopped;
    },
    succeeded() {
      // Calls that were in flight when it opened may still answer; it stays open (first reason wins).
      if (stopped === null) streak = 0;
    },
    failed(why, httpStatus) {
      if (stopped !== null) return;
      streak++;
      if (httpStatus !== null && FATAL_HTTP_STATUSES.includes(httpStatus)) open(why);
      else if (streak >= limit) open(`${streak} consecutive failed calls (last: ${why})`);
    },
    stop(why) {
      if (stopped === null) open(why);
    },
  };
}
