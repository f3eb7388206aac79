import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from './judge-evidence.js';
import { caseWithExecEvent, type TestCase } from './judge-fixtures.test-support.js';
import { createMemoryJudgementCache, createSqliteJudgementCache, type JudgementRecord, type StoredJudgement } from './judgement-cache.js';

let kase: TestCase;
beforeEach(() => {
  kase = caseWithExecEvent();
});
afterEach(() => kase.cleanup());

function stored(prompt: string, over: Partial<StoredJudgement> = {}): StoredJudgement {
  return {
    eventId: kase.event.id ?? null,
    promptHash: sha256Hex(prompt),
    prompt,
    model: 'claude-test-model',
    verdict: 'malicious',
    confidence: 0.8,
    family: 'shadowray',
    phase: 'credential-access',
    reasoning: 'token read from the Ray dashboard pod',
    inputTokens: 100,
    outputTokens: 20,
    status: 'verdict',
    createdAt: '2026-11-22T10:00:00.000Z',
    ...over,
  };
}

describe('SQLite judgement cache', () => {
  it('stores a verdict in the case file and reads it back by prompt hash', () => {
    const cache = createSqliteJudgementCache(kase.store.db);
    const j = stored('{"prompt":1}');
    expect(cache.get(j.promptHash)).toBeNull();
    cache.put(j);
    expect(cache.get(j.promptHash)).toEqual(j);
    kase.reopen();
    expect(createSqliteJudgementCache(kase.store.db).get(j.promptHash)).toEqual(j);
  });

  it('returns the newest verdict for a hash and ignores non-verdict rows', () => {
    const cache = createSqliteJudgementCache(kase.store.db);
    const prompt = '{"prompt":2}';
    cache.put(stored(prompt, { confidence: 0.6 }));
    cache.put(stored(prompt, { confidence: 0.7 }));
    kase.store.db
      .prepare("INSERT INTO judgements(prompt_hash, prompt, model, status, created_at) VALUES (?, ?, 'm', 'error', 'now')")
      .run(sha256Hex(prompt), prompt);
    expect(cache.get(sha256Hex(prompt))!.confidence).toBe(0.7);
  });

  it('treats a tampered row as a miss', () => {
    const cache = createSqliteJudgementCache(kase.store.db);
    const a = stored('{"prompt":3}');
    cache.put(a);
    kase.store.db.prepare("UPDATE judgements SET verdict = 'definitely-fine' WHERE prompt_hash = ?").run(a.promptHash);
    expect(cache.get(a.promptHash)).toBeNull();
    const b = stored('{"prompt":4}');
    cache.put(b);
    kase.store.db.prepare('UPDATE judgements SET prompt = ? WHERE prompt_hash = ?').run('{"prompt":"other"}', b.promptHash);
    expect(cache.get(b.promptHash)).toBeNull();
  });

  it('record: a cached verdict copy once per event and hash, none without an event id; no-verdicts every time; never served', () => {
    const cache = createSqliteJudgementCache(kase.store.db);
    const j = stored('{"prompt":8}', { eventId: null });
    cache.put(j); // the original, from an input with no event id
    const copy: JudgementRecord = { ...j, eventId: kase.event.id!, status: 'cached', createdAt: '2026-11-23T10:00:00.000Z' };
    cache.record(copy);
    cache.record(copy);
    cache.record({ ...copy, eventId: null });
    const noVerdict: JudgementRecord = { ...copy, verdict: null, confidence: null, family: null, phase: null, reasoning: 'No verdict: prose', status: 'no-verdict' };
    cache.record(noVerdict);
    cache.record(noVerdict);
    const rows = kase.store.db.prepare('SELECT event_id, status, verdict FROM judgements WHERE prompt_hash = ? ORDER BY id').all(j.promptHash);
    expect(rows).toEqual([
      { event_id: null, status: 'verdict', verdict: 'malicious' },
      { event_id: kase.event.id, status: 'cached', verdict: 'malicious' },
      { event_id: kase.event.id, status: 'no-verdict', verdict: null },
      { event_id: kase.event.id, status: 'no-verdict', verdict: null },
    ]);
    expect(cache.get(j.promptHash)).toEqual(j);
  });

  it('refuses an event id the case does not hold (foreign key)', () => {
    const cache = createSqliteJudgementCache(kase.store.db);
    expect(() => cache.put(stored('{"prompt":5}', { eventId: 987654 }))).toThrow();
    cache.put(stored('{"prompt":6}', { eventId: null }));
  });
});

describe('memory judgement cache', () => {
  it('round-trips', () => {
    const cache = createMemoryJudgementCache();
    const j = stored('{"prompt":7}');
    cache.put(j);
    expect(cache.get(j.promptHash)).toBe(j);
    expect(cache.get('0'.repeat(64))).toBeNull();
    // No case file, no forensic record: rows are dropped and never served.
    cache.record({ ...j, promptHash: '1'.repeat(64), status: 'cached' });
    expect(cache.get('1'.repeat(64))).toBeNull();
  });
});
