/**
 * The judge tests' common setup: per test, a loopback Messages API server that accepts `key` and a
 * fresh in-memory verdict cache, and a judge pointed at them (no retries, no environment).
 * Call at the top level of a test file; it registers the beforeEach / afterEach hooks.
 */
import { afterEach, beforeEach } from 'vitest';
import { createJudge, type Judge, type JudgeOptions } from './judge.js';
import { createMemoryJudgementCache, type JudgementCache } from './judgement-cache.js';
import { startMessagesApiServer, type MessagesApiServer } from './messages-api-server.test-support.js';

export interface JudgeServerFixture {
  /** This test's server (set in beforeEach). */
  readonly server: MessagesApiServer;
  /** This test's cache (set in beforeEach). */
  readonly cache: JudgementCache;
  /** A judge on this test's server and cache; `extra` overrides the defaults given to useJudgeServer. */
  judgeWith(extra?: Partial<JudgeOptions>): Judge;
}

export function useJudgeServer(
  key: string,
  opts: { script?: Parameters<typeof startMessagesApiServer>[0]['script']; judge?: Partial<JudgeOptions> } = {},
): JudgeServerFixture {
  let server: MessagesApiServer | null = null;
  let cache: JudgementCache | null = null;
  beforeEach(async () => {
    server = await startMessagesApiServer(opts.script ? { apiKey: key, script: opts.script } : { apiKey: key });
    cache = createMemoryJudgementCache();
  });
  afterEach(async () => {
    await server?.close();
    server = null;
  });
  const fx: JudgeServerFixture = {
    get server() {
      if (!server) throw new Error('useJudgeServer: no server outside a test');
      return server;
    },
    get cache() {
      if (!cache) throw new Error('useJudgeServer: no cache outside a test');
      return cache;
    },
    judgeWith(extra = {}) {
      return createJudge({ apiKey: key, baseURL: fx.server.url, model: 'claude-test-model', cache: fx.cache, maxRetries: 0, env: {}, ...opts.judge, ...extra });
    },
  };
  return fx;
}
