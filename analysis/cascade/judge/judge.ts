/**
 * Layer 3 of the cascade, the LLM judge (DESIGN.md "The cascade"): builds the request, answers
 * from the case's cache when the same prompt was judged before, otherwise asks the Messages API.
 * `judge()` never throws and never blocks the cascade on a missing key: without one, every event
 * is `not-run` and stays open for the analyst. Nor on a dead API: once the client's circuit
 * breaker opens (judge-breaker.ts: 5 failed calls in a row, or HTTP 401/403/404 once), the events
 * left are `not-run` too, with the reason; so are the calls it cuts short when it opens.
 * Every event the judge decides gets its own `judgements` row (judgement-cache.ts), also when it
 * reuses another event's answer (`cached`), so the analyst sees the reasoning on each event.
 */
import type { AttackPhase, ThreatFamily } from '../taxonomy.js';
import { createJudgeClient, type JudgeClient, type JudgeClientOptions } from './judge-client.js';
import type { JudgeInput } from './judge-evidence.js';
import { buildJudgeRequest, type JudgeRequest } from './judge-prompt.js';
import type { JudgeVerdict } from './judge-schema.js';
import type { JudgementCache, JudgementRecord, StoredJudgement } from './judgement-cache.js';

/**
 * Default model. (claude-sonnet-4-5 is marked deprecated by @anthropic-ai/sdk 1.12, end of life
 * 2026-11-30, and the SDK warns on every call with it.)
 */
export const DEFAULT_JUDGE_MODEL = 'claude-sonnet-5-5';
export const JUDGE_ENV = { apiKey: 'ANTHROPIC_API_KEY', model: 'MLSHIELD_JUDGE_MODEL', baseURL: 'ANTHROPIC_BASE_URL' } as const;
const NO_KEY_WHY = `no API key (${JUDGE_ENV.apiKey} or settings)`;

export type JudgeStatus = 'verdict' | 'no-verdict' | 'not-run' | 'error' | 'cached';

export interface JudgeResult {
  status: JudgeStatus;
  verdict?: JudgeVerdict;
  confidence?: number;
  family?: ThreatFamily;
  phase?: AttackPhase | null;
  reasoning?: string;
  /** Why there is no verdict (no-verdict, not-run, error); on a verdict, why it was not stored. */
  why?: string;
  promptHash: string;
  /** The exact request JSON sent (or that would have been sent, for not-run). */
  prompt: string;
  model: string;
  /**
   * Tokens of the call that produced the answer; with `fromCache` (a reused answer) those of the
   * original call, counted there.
   */
  inputTokens?: number | null;
  outputTokens?: number | null;
  fromCache: boolean;
}

export interface JudgeOptions {
  /** From the flag or the app's settings; falls back to ANTHROPIC_API_KEY. */
  apiKey?: string | null;
  /** From the flag or settings; falls back to MLSHIELD_JUDGE_MODEL, then DEFAULT_JUDGE_MODEL. */
  model?: string | null;
  /** Falls back to ANTHROPIC_BASE_URL, then the SDK's default (api.anthropic.com). */
  baseURL?: string | null;
  cache: JudgementCache;
  timeoutMs?: number;
  maxRetries?: number;
  maxConcurrency?: number;
  /** Failed calls in a row after which the judge stops asking (judge-breaker.ts); default 5. */
  maxConsecutiveFailures?: number;
  /** Environment to read the fallbacks from (tests pass their own); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Judge {
  readonly model: string;
  /** False without an API key: every call is `not-run` (cached verdicts are still served). */
  readonly available: boolean;
  /**
   * Why the judge stopped asking during this run (its circuit breaker opened, e.g. `HTTP 401: …`
   * or `5 consecutive failed calls (last: …)`); null while it still asks or never could.
   */
  readonly stopped: string | null;
  judge(input: JudgeInput): Promise<JudgeResult>;
  /**
   * Why no call of this run can give a verdict, known before any request is built: no API key
   * and no verdict in the cache to serve. null when one may (a key, or cached verdicts to reuse).
   * A caller with many events skips building their requests (each 50–250 KB) for nothing.
   */
  unanswerable(): string | null;
}

export interface JudgeSettings {
  apiKey: string | null;
  model: string;
  baseURL: string | null;
}

/** The first of `xs` that is a non-blank string, trimmed; null when none (blank values count as absent). */
export function firstSetting(...xs: Array<string | null | undefined>): string | null {
  for (const x of xs) if (typeof x === 'string' && x.trim() !== '') return x.trim();
  return null;
}

/** Option, then environment, then default; blank values count as absent. */
export function resolveJudgeSettings(opts: Omit<JudgeOptions, 'cache'>, env = opts.env ?? process.env): JudgeSettings {
  return {
    apiKey: firstSetting(opts.apiKey, env[JUDGE_ENV.apiKey]),
    model: firstSetting(opts.model, env[JUDGE_ENV.model]) ?? DEFAULT_JUDGE_MODEL,
    baseURL: firstSetting(opts.baseURL, env[JUDGE_ENV.baseURL]),
  };
}

export function createJudge(opts: JudgeOptions): Judge {
  const settings = resolveJudgeSettings(opts);
  const { model } = settings;
  let client: JudgeClient | null = null;
  if (settings.apiKey !== null) {
    const clientOpts: JudgeClientOptions = { apiKey: settings.apiKey, baseURL: settings.baseURL };
    if (opts.timeoutMs !== undefined) clientOpts.timeoutMs = opts.timeoutMs;
    if (opts.maxRetries !== undefined) clientOpts.maxRetries = opts.maxRetries;
    if (opts.maxConcurrency !== undefined) clientOpts.maxConcurrency = opts.maxConcurrency;
    if (opts.maxConsecutiveFailures !== undefined) clientOpts.maxConsecutiveFailures = opts.maxConsecutiveFailures;
    client = createJudgeClient(clientOpts);
  }
  // Identical prompts asked concurrently share one call.
  const inFlight = new Map<string, Promise<JudgeResult>>();

  async function ask(req: JudgeRequest, eventId: number | null, c: JudgeClient): Promise<JudgeResult> {
    const base = { promptHash: req.promptHash, prompt: req.prompt, model, fromCache: false };
    const out = await c.send(req.body);
    if (out.status === 'stopped') return { status: 'not-run', why: stoppedWhy(out.why), ...base };
    if (out.status === 'error') return { status: 'error', why: out.why, ...base };
    const tokens = { inputTokens: out.inputTokens, outputTokens: out.outputTokens };
    if (out.status === 'no-verdict') {
      const result: JudgeResult = { status: 'no-verdict', why: out.why, ...base, ...tokens };
      record(result, eventId, 'no-verdict');
      return result;
    }
    const result: JudgeResult = { status: 'verdict', ...out.answer, ...base, ...tokens };
    try {
      opts.cache.put(storedFrom(result, out.answer, eventId));
    } catch (e) {
      // The verdict stands; it is only asked again next run.
      result.why = `verdict not cached: ${(e as Error).message}`.slice(0, 300);
    }
    return result;
  }

  /** This event's row for an answer it did not get from a cache `put` (a failed write only notes it). */
  function record(r: JudgeResult, eventId: number | null, status: JudgementRecord['status']): void {
    try {
      opts.cache.record(recordFrom(r, eventId, status));
    } catch (e) {
      const note = `judgement not stored: ${(e as Error).message}`.slice(0, 300);
      r.why = r.why === undefined ? note : `${r.why}; ${note}`;
    }
  }

  return {
    model,
    available: client !== null,
    get stopped() {
      return client?.stopped ?? null;
    },
    async judge(input) {
      let req: JudgeRequest;
      try {
        req = buildJudgeRequest(input, model);
      } catch (e) {
        return { status: 'error', why: `request not built: ${(e as Error).message}`, promptHash: '', prompt: '', model, fromCache: false };
      }
      const base = { promptHash: req.promptHash, prompt: req.prompt, model };
      const eventId = typeof input.event.id === 'number' ? input.event.id : null;
      try {
        const hit = opts.cache.get(req.promptHash);
        if (hit) {
          const r = cachedResult(hit, base);
          // The original's row is this event's own when it is the event that asked (a re-run).
          if (hit.eventId !== eventId) record(r, eventId, 'cached');
          return r;
        }
        if (client === null) {
          return { status: 'not-run', why: NO_KEY_WHY, ...base, fromCache: false };
        }
        // Checked again by the client just before sending (calls queued behind the limit).
        if (client.stopped !== null) return { status: 'not-run', why: stoppedWhy(client.stopped), ...base, fromCache: false };
        const pending = inFlight.get(req.promptHash);
        if (pending) {
          const shared = await pending;
          // An answer (verdict or not) is this event's too, from the other event's call: its own
          // row, and `fromCache` so the call's tokens are counted once. Failures stay as they are.
          if (shared.status !== 'verdict' && shared.status !== 'no-verdict') return shared;
          const r: JudgeResult = { ...shared, status: shared.status === 'verdict' ? 'cached' : 'no-verdict', fromCache: true };
          if (shared.status === 'verdict') delete r.why; // a note about the original's row, not this one's
          record(r, eventId, 'cached');
          return r;
        }
        const p = ask(req, eventId, client);
        inFlight.set(req.promptHash, p);
        try {
          return await p;
        } finally {
          inFlight.delete(req.promptHash);
        }
      } catch (e) {
        return { status: 'error', why: `judge failed: ${(e as Error).message}`.slice(0, 500), ...base, fromCache: false };
      }
    },
    unanswerable() {
      if (client !== null) return null;
      try {
        return opts.cache.hasVerdicts() ? null : NO_KEY_WHY;
      } catch {
        return null; // a cache that fails says so on each call (`judge` reports it as an error)
      }
    },
  };
}

function stoppedWhy(reason: string): string {
  return `judge stopped: ${reason}`;
}

function cachedResult(hit: StoredJudgement, base: { promptHash: string; prompt: string; model: string }): JudgeResult {
  return {
    status: 'cached',
    verdict: hit.verdict,
    confidence: hit.confidence,
    family: hit.family,
    phase: hit.phase,
    reasoning: hit.reasoning,
    ...base,
    inputTokens: hit.inputTokens,
    outputTokens: hit.outputTokens,
    fromCache: true,
  };
}

function recordFrom(r: JudgeResult, eventId: number | null, status: JudgementRecord['status']): JudgementRecord {
  return {
    eventId,
    promptHash: r.promptHash,
    prompt: r.prompt,
    model: r.model,
    verdict: r.verdict ?? null,
    confidence: r.confidence ?? null,
    family: r.family ?? null,
    phase: r.phase ?? null,
    // A no-verdict has no reasoning from the model; the row says why instead.
    reasoning: r.reasoning ?? (r.status === 'no-verdict' && r.why !== undefined ? `No verdict: ${r.why}` : null),
    // A copy made no call: no tokens of its own (the row of the call that answered has them once).
    inputTokens: status === 'cached' ? null : (r.inputTokens ?? null),
    outputTokens: status === 'cached' ? null : (r.outputTokens ?? null),
    status,
    createdAt: new Date().toISOString(),
  };
}

function storedFrom(r: JudgeResult, answer: Pick<StoredJudgement, 'verdict' | 'confidence' | 'family' | 'phase' | 'reasoning'>, eventId: number | null): StoredJudgement {
  return {
    eventId,
    promptHash: r.promptHash,
    prompt: r.prompt,
    model: r.model,
    ...answer,
    inputTokens: r.inputTokens ?? null,
    outputTokens: r.outputTokens ?? null,
    status: 'verdict',
    createdAt: new Date().toISOString(),
  };
}
