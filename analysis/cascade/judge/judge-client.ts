/**
 * The adapter around @anthropic-ai/sdk (STYLE.md: the SDK sits behind a small adapter). It sends
 * one prepared request, bounds time (per attempt and overall), retries and concurrency, and turns
 * every failure into a value: nothing thrown here reaches the cascade. A circuit breaker
 * (judge-breaker.ts) stops sending once the API has plainly stopped working for this run, and
 * aborts the calls then in flight (the SDK's `signal` request option): they end as `stopped`, like
 * the calls never sent, unless their answer had already arrived.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { lazyRequire } from '../../core/lazy-require.js';
import { boundedFetch } from './bounded-fetch.js';
import { concurrencyLimit, type Limited } from './concurrency-limit.js';
import { createJudgeBreaker, MAX_CONSECUTIVE_FAILURES } from './judge-breaker.js';
import type { JudgeRequestBody } from './judge-prompt.js';
import { parseJudgeAnswerText, validateJudgeAnswer, VERDICT_TOOL_NAME, type JudgeAnswer } from './judge-schema.js';

export interface JudgeClientOptions {
  apiKey: string;
  /** API root, e.g. `http://127.0.0.1:PORT` in tests; null/undefined: the SDK's default. */
  baseURL?: string | null;
  /** Per attempt, ms. */
  timeoutMs?: number;
  /** Retries after the first attempt (timeouts, 408/409/429/5xx, connection errors). */
  maxRetries?: number;
  /** Calls in flight at once. */
  maxConcurrency?: number;
  /** Failed calls in a row after which no more are sent (judge-breaker.ts); default 5. */
  maxConsecutiveFailures?: number;
}

/** The SDK, loaded when the first client is made (lazy-require.ts): a run without a key never needs it. */
const sdk = lazyRequire<typeof import('@anthropic-ai/sdk')>('@anthropic-ai/sdk');
/** The SDK once loaded (for telling its errors apart), else null. */
let loadedSdk: typeof import('@anthropic-ai/sdk') | null = null;

export const JUDGE_CLIENT_DEFAULTS = { timeoutMs: 60_000, maxRetries: 2, maxConcurrency: 4 } as const;
/** Added to the attempts' timeouts for backoff sleeps; a Retry-After longer than this is cut short. */
const BACKOFF_ALLOWANCE_MS = 30_000;
const MAX_ERROR_CHARS = 500;
/** Abort reasons of a call's controller: which of the two ended it. */
const BREAKER_OPENED = Symbol('judge breaker opened');
const DEADLINE_EXCEEDED = Symbol('judge call deadline');
/** Largest response body read (bounded-fetch.ts); a verdict message is a few KiB. */
export const MAX_RESPONSE_BYTES = 1 << 20;

interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
  /** The model the API says answered (may be a dated snapshot of an alias). */
  responseModel: string | null;
}

export type JudgeCallOutcome =
  | ({ status: 'verdict'; answer: JudgeAnswer; via: 'tool' | 'text' } & Usage)
  | ({ status: 'no-verdict'; why: string } & Usage)
  | { status: 'error'; why: string }
  /** Not sent, or cut short in flight, because the breaker opened (`why` is its reason). */
  | { status: 'stopped'; why: string };

export interface JudgeClient {
  send(body: JudgeRequestBody): Promise<JudgeCallOutcome>;
  /** Why the client stopped sending (judge-breaker.ts); null while it still sends. */
  readonly stopped: string | null;
}

export function createJudgeClient(opts: JudgeClientOptions): JudgeClient {
  const timeoutMs = positive(opts.timeoutMs, JUDGE_CLIENT_DEFAULTS.timeoutMs);
  const maxRetries = Math.max(0, Math.floor(opts.maxRetries ?? JUDGE_CLIENT_DEFAULTS.maxRetries));
  const limit: Limited = concurrencyLimit(Math.floor(positive(opts.maxConcurrency, JUDGE_CLIENT_DEFAULTS.maxConcurrency)));
  const deadlineMs = timeoutMs * (maxRetries + 1) + BACKOFF_ALLOWANCE_MS;
  // One controller per call in flight (at most maxConcurrency), aborted all at once when the breaker opens.
  const inFlight = new Set<AbortController>();
  const breaker = createJudgeBreaker(opts.maxConsecutiveFailures ?? MAX_CONSECUTIVE_FAILURES, () => {
    for (const call of inFlight) call.abort(BREAKER_OPENED);
  });
  let client: Anthropic | null = null;
  try {
    loadedSdk = sdk();
    client = new loadedSdk.Anthropic({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL ?? null,
      timeout: timeoutMs,
      maxRetries,
      // Reads the body under the per-attempt timeout and bounds its size (bounded-fetch.ts).
      fetch: boundedFetch(MAX_RESPONSE_BYTES),
      // No tracing spans and no SDK log lines: the judge reports through its results.
      openTelemetry: false,
      logLevel: 'off',
    });
  } catch (e) {
    // No call can be made: every event would fail the same way.
    breaker.stop(`client not built: ${errorText(e, timeoutMs)}`);
  }

  const stoppedOutcome = (): JudgeCallOutcome | null => (breaker.stopped === null ? null : { status: 'stopped', why: breaker.stopped });

  return {
    get stopped() {
      return breaker.stopped;
    },
    send(body) {
      const early = stoppedOutcome();
      if (early || !client) return Promise.resolve(early ?? { status: 'stopped', why: 'client not available' });
      const c = client;
      return limit(async () => {
        // Calls queued behind the limit when the breaker opened must not go out either.
        const stopped = stoppedOutcome();
        if (stopped) return stopped;
        let out: JudgeCallOutcome;
        let httpStatus: number | null = null;
        const call = new AbortController();
        // The overall deadline (all attempts and backoff sleeps); cleared below so no timer outlives the call.
        const deadline = setTimeout(() => call.abort(DEADLINE_EXCEEDED), deadlineMs);
        inFlight.add(call);
        try {
          const params: Anthropic.MessageCreateParamsNonStreaming = body;
          const message: unknown = await c.messages.create(params, { signal: call.signal });
          out = readMessage(message);
        } catch (e) {
          // Cut short by the breaker (the SDK ends an aborted call with APIUserAbortError, whether in
          // fetch, reading the body or a backoff sleep): not a failure of this call. An error the API
          // had already answered stays an error.
          if (call.signal.reason === BREAKER_OPENED && loadedSdk && e instanceof loadedSdk.APIUserAbortError) {
            return { status: 'stopped', why: breaker.stopped ?? 'stopped' };
          }
          if (loadedSdk && e instanceof loadedSdk.APIError && typeof e.status === 'number') httpStatus = e.status;
          out = { status: 'error', why: errorText(e, timeoutMs) };
        } finally {
          clearTimeout(deadline);
          inFlight.delete(call);
        }
        if (out.status === 'error') breaker.failed(out.why, httpStatus);
        else breaker.succeeded();
        return out;
      });
    },
  };
}

/**
 * The verdict from a Messages API response: the `record_verdict` tool_use block's input when
 * present, otherwise the text blocks parsed as JSON. The response is read as untyped data.
 */
export function readMessage(message: unknown): JudgeCallOutcome {
  if (message === null || typeof message !== 'object') return { status: 'error', why: 'response is not a JSON object' };
  const m = message as Record<string, unknown>;
  const usage = usageOf(m);
  if (!Array.isArray(m.content)) return { status: 'error', why: 'response has no content array' };
  if (m.stop_reason === 'refusal') return { status: 'no-verdict', why: 'the model refused to answer', ...usage };
  // A turn cut at max_tokens is not a complete answer: a tool input may be a partial parse that
  // happens to validate (its reasoning cut), and text may stop before a correction. No verdict.
  if (m.stop_reason === 'max_tokens') return { status: 'no-verdict', why: 'answer cut at max_tokens', ...usage };
  const texts: string[] = [];
  let call: Record<string, unknown> | null = null;
  for (const block of m.content as unknown[]) {
    if (block === null || typeof block !== 'object') continue;
    const b = block as Record<string, unknown>;
    if (b.type === 'tool_use' && b.name === VERDICT_TOOL_NAME) {
      // The request disables parallel tool use and asks for exactly one call; two calls (which may
      // disagree) are ambiguous, and taking the first would let block order decide.
      if (call !== null) return { status: 'no-verdict', why: `more than one ${VERDICT_TOOL_NAME} call (ambiguous)`, ...usage };
      call = b;
    } else if (b.type === 'text' && typeof b.text === 'string') texts.push(b.text);
  }
  if (call !== null) {
    const r = validateJudgeAnswer(call.input);
    return r.status === 'verdict' ? { ...r, via: 'tool', ...usage } : { status: 'no-verdict', why: r.why, ...usage };
  }
  if (texts.length === 0) return { status: 'no-verdict', why: 'no record_verdict call and no text in the answer', ...usage };
  const r = parseJudgeAnswerText(texts.join('\n'));
  return r.status === 'verdict' ? { ...r, via: 'text', ...usage } : { ...r, ...usage };
}

function usageOf(m: Record<string, unknown>): Usage {
  const u = m.usage !== null && typeof m.usage === 'object' ? (m.usage as Record<string, unknown>) : {};
  const count = (x: unknown): number | null => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : null);
  return {
    inputTokens: count(u.input_tokens),
    outputTokens: count(u.output_tokens),
    responseModel: typeof m.model === 'string' ? m.model.slice(0, 200) : null,
  };
}

function errorText(e: unknown, timeoutMs: number): string {
  let text: string;
  const api = loadedSdk;
  if (api && e instanceof api.APIConnectionTimeoutError) text = `timeout: no response within ${timeoutMs} ms`;
  else if (api && e instanceof api.APIUserAbortError) text = 'deadline exceeded (retries and backoff included)';
  else if (api && e instanceof api.APIError && typeof e.status === 'number') text = `HTTP ${e.status}: ${e.message}`;
  else if (e instanceof Error) {
    // The SDK wraps what fetch threw (e.g. a too-large body) as "Connection error."; say why.
    const cause = (e as { cause?: unknown }).cause;
    text = `${e.name}: ${e.message}${cause instanceof Error ? ` (${cause.message})` : ''}`;
  }
  else text = String(e);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

function positive(x: number | undefined, fallback: number): number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : fallback;
}
