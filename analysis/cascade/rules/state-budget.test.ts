/**
 * A hostile audit log against the per-rule memory budgets (window-state.ts WindowBudget, in the
 * form's unit; state-pool.ts StateAccount, in estimated bytes): the attacker writes the evidence,
 * so it can keep 4096+ keys of an MLS-EXTRACT-001-like count rule near its threshold, fill an
 * MLS-EXTRACT-002-like distinct rule with 256-character values, or spread a sum or sequence rule
 * over as many long keys as it likes. The rule's accounted state (`stateSize`, bytes) must stay
 * within its limit whatever the stream; heap numbers are printed (STATE_BUDGET_STATS=1, best with
 * NODE_OPTIONS=--expose-gc), not asserted: they are noisy.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import type { EngineLimits, EventContext, RuleEvaluator, RuleHit } from './compiled-rule.js';
import { DEFAULT_ENGINE_LIMITS } from './compiled-rule.js';
import { appEvent, MIN, T0 } from './fixtures.test-support.js';
import { loadRuleSet } from './rule-loader.js';

const head = (id: string) => `id: ${id}\ntitle: t\nseverity: high\nfamily: model-extraction\nphase: collection\n`;
const SEL = 'detection:\n  sel:\n    action: [inference_query, predict]\n    actor|exists: true\n  condition: sel\n';
/** MLS-EXTRACT-001's form: a count of 1000 in 10 minutes by actor. */
const COUNT_RULE = head('MLS-T-201') + SEL + 'window:\n  by: [actor]\n  size: 10m\n  threshold: {count: 1000}\n';
/** MLS-EXTRACT-002's form: 500 distinct input hashes in 10 minutes by actor. */
const DISTINCT_RULE = head('MLS-T-202') + SEL + 'window:\n  by: [actor]\n  size: 10m\n  distinct: attrs.input_hash\n  threshold: {distinct: 500}\n';

const CTX: EventContext = { audit: null };
const LOG = process.env.STATE_BUDGET_STATS ? (s: string) => console.log(s) : () => {};

function evaluatorOf(yaml: string, limits: EngineLimits = DEFAULT_ENGINE_LIMITS): RuleEvaluator {
  const set = loadRuleSet([{ path: 'r.yaml', text: yaml }]);
  if (set.errors.length || set.rules.length !== 1) throw new Error(JSON.stringify(set.errors));
  return set.rules[0]!.instantiate(limits);
}

function heap(): { heap: number; buffers: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** A 256-character input hash unique to (key, i): the longest a distinct value is stored whole. */
function hash256(key: number, i: number): string {
  const s = `${key.toString(36)}-${i.toString(36)}-`;
  return s + 'h'.repeat(256 - s.length);
}

interface Run {
  hits: number;
  maxUsed: number;
}

/**
 * Feeds `rounds` events to each of `keys` actors, round robin (every key stays recent, so the key
 * limit alone never evicts), all inside one 10-minute window. One event object is reused.
 */
function feed(ev: RuleEvaluator, keys: number, rounds: number, distinct: boolean, check: (used: number) => void): Run {
  const actors = Array.from({ length: keys }, (_, k) => `sa-${k}`);
  const e: EventRecord = appEvent(T0, 'inference_query', { actor: actors[0]! }, { input_hash: '' });
  const attrs = e.attrs as Record<string, unknown>;
  const out: RuleHit[] = [];
  let hits = 0;
  let maxUsed = 0;
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < keys; k++) {
      e.ts = T0 + n * 100;
      e.actor = actors[k]!;
      if (distinct) attrs.input_hash = hash256(k, r);
      ev.event!(e, CTX, out);
      hits += out.length;
      out.length = 0;
      if (++n % 4099 === 0 && ev.stateSize) {
        const used = ev.stateSize().used;
        if (used > maxUsed) maxUsed = used;
        check(used);
      }
    }
  }
  if (ev.stateSize) check(ev.stateSize().used);
  return { hits, maxUsed };
}

describe('per-rule memory budget against a hostile stream', () => {
  // Count: 4096 keys kept just under a threshold of 1000; distinct: 4096 keys of 256-character values under 500.
  for (const [form, yaml, rounds, distinct, title] of [
    ['count', COUNT_RULE, 990, false, 'a count rule (threshold 1000) over 4096 keys near the threshold stays within its budget'],
    ['distinct', DISTINCT_RULE, 490, true, 'a distinct rule (threshold 500) over 4096 keys of 256-character values stays within its budget'],
  ] as const) {
    it(title, () => {
      const before = heap();
      const ev = evaluatorOf(yaml);
      const limit = ev.stateSize?.().limit ?? Infinity;
      let over = 0;
      const run = feed(ev, 4096, rounds, distinct, (used) => {
        if (used > limit) over++;
      });
      const after = heap();
      const size = ev.stateSize?.();
      LOG(`${form}: ${4096 * rounds} events, ${run.hits} hits; accounted ${size?.used} of ${limit} bytes over ${size?.keys} keys (max ${run.maxUsed}); heap ${mib(before.heap)} → ${mib(after.heap)}, array buffers ${mib(before.buffers)} → ${mib(after.buffers)}`);
      expect(over).toBe(0);
      expect(size!.used).toBeLessThanOrEqual(limit);
      expect(size!.keys).toBeLessThanOrEqual(4096);
      // Kept alive until measured.
      expect(ev.event).toBeDefined();
    });
  }

  it('a key that reaches its threshold still fires under budget pressure from other keys', () => {
    // A budget of 3000 slots: the attacker's 4200 keys are evicted, the one steady key is not
    // (every noise event touches it once per 100, so it is never the least recently used).
    const ev = evaluatorOf(COUNT_RULE, { ...DEFAULT_ENGINE_LIMITS, maxCountSlotsPerRule: 3000 });
    const e = appEvent(T0, 'inference_query', { actor: 'victim' });
    const out: RuleHit[] = [];
    let hits = 0;
    for (let i = 0; i < 100_000; i++) {
      e.ts = T0 + i * 1000;
      e.actor = i % 100 === 0 ? 'victim' : `noise-${i % 4200}`;
      ev.event!(e, CTX, out);
      hits += out.length;
      out.length = 0;
      // Every key holds at least 8 slots: 3000 slots hold at most 375 keys.
      expect(ev.stateSize!().keys).toBeLessThanOrEqual(375);
    }
    // 1000 victim events in 10 minutes: at 100 ms each it takes the whole window; 100k events
    // at 1 ms are 100 s, so the victim has 1000 events by the end only if none were forgotten.
    expect(hits).toBe(1);
  });

  it('without budget pressure the default budget changes no hit', () => {
    const hitsOf = (yaml: string, limits: EngineLimits): string[] => {
      const ev = evaluatorOf(yaml, limits);
      const out: RuleHit[] = [];
      const reasons: string[] = [];
      let x = 12345;
      for (let i = 0; i < 60_000; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const actor = `a${x % 23}`;
        const e = appEvent(T0 + i * 20_000, x % 7 === 0 ? 'other' : 'predict', { actor }, { input_hash: `h${(x >>> 8) % 900}` });
        ev.event!(e, CTX, out);
        for (const h of out) reasons.push(`${i} ${h.reason}`);
        out.length = 0;
      }
      return reasons;
    };
    const unlimited: EngineLimits = {
      ...DEFAULT_ENGINE_LIMITS, maxCountSlotsPerRule: Infinity, maxDistinctCharsPerRule: Infinity, maxStateBytesPerRule: Infinity, maxStateBytes: Infinity,
    };
    for (const yaml of [COUNT_RULE.replace('count: 1000', 'count: 40'), DISTINCT_RULE.replace('distinct: 500', 'distinct: 30')]) {
      const ours = hitsOf(yaml, DEFAULT_ENGINE_LIMITS);
      expect(ours.length).toBeGreaterThan(100);
      LOG(`normal stream: ${ours.length} hits, digest ${createHash('sha256').update(ours.join('\n')).digest('hex').slice(0, 16)}`);
      expect(ours).toEqual(hitsOf(yaml, unlimited));
    }
  });
});

/** A sum rule (MLS-EXFIL-030's form) and a sequence rule (MLS-EXFIL-031's) by job. */
const SUM_RULE = head('MLS-T-203') + 'detection:\n  sel:\n    action: upload\n  condition: sel\nwindow:\n  by: [job]\n  size: 1h\n  sum: attrs.bytes\n  threshold: {sum: 5GiB}\n';
const SEQUENCE_RULE = head('MLS-T-204') + 'detection:\n  read: {action: checkpoint_read}\n  up: {action: upload}\nsequence:\n  by: [job]\n  within: 2h\n  steps: [read, up]\n';

/**
 * `n` events, each for a new 256-character job (the longest key part stored whole), within the
 * window; a key is touched once and never again, the cheapest flood there is for the attacker.
 */
function floodJobs(ev: RuleEvaluator, action: string, n: number, check: (used: number, keys: number) => void): number {
  const e: EventRecord = appEvent(T0, action, { job: '' }, { bytes: 1000 });
  const out: RuleHit[] = [];
  let hits = 0;
  for (let i = 0; i < n; i++) {
    e.ts = T0 + i * 10;
    e.job = hash256(i, 0);
    ev.event!(e, CTX, out);
    hits += out.length;
    out.length = 0;
    const s = ev.stateSize!();
    check(s.used, s.keys);
  }
  return hits;
}

describe('sum and sequence rules charge the same byte budget', () => {
  for (const [form, yaml, action] of [['sum', SUM_RULE, 'upload'], ['sequence', SEQUENCE_RULE, 'checkpoint_read']] as const) {
    it(`a ${form} rule flooded with 20000 long keys stays within its byte limit (and forgets the oldest keys)`, () => {
      const limit = 1 << 20;
      const before = heap();
      const ev = evaluatorOf(yaml, { ...DEFAULT_ENGINE_LIMITS, maxStateBytesPerRule: limit });
      expect(ev.stateSize!().limit).toBe(limit);
      let over = 0;
      let maxKeys = 0;
      floodJobs(ev, action, 20_000, (used, keys) => {
        if (used > limit) over++;
        if (keys > maxKeys) maxKeys = keys;
      });
      const after = heap();
      const size = ev.stateSize!();
      LOG(`${form}: 20000 keys of 256 characters; accounted ${size.used} of ${limit} bytes over ${size.keys} keys (${(size.used / size.keys).toFixed(0)} B a key); heap ${mib(before.heap)} → ${mib(after.heap)}, array buffers ${mib(before.buffers)} → ${mib(after.buffers)}`);
      expect(over).toBe(0);
      // The key limit (4096) is not what bounds it: 1 MiB holds fewer than 1500 such keys.
      expect(maxKeys).toBeLessThan(1500);
      expect(size.keys).toBeGreaterThan(100);
      expect(ev.event).toBeDefined();
    });
  }

  it('the byte limit forgets keys, never invents a hit: a sequence completed by a remembered key fires, by a forgotten one does not', () => {
    // 1 MiB holds about 1000 long keys: the first of 3000 is forgotten (below the key limit, 4096), the last is not.
    const ev = evaluatorOf(SEQUENCE_RULE, { ...DEFAULT_ENGINE_LIMITS, maxStateBytesPerRule: 1 << 20 });
    floodJobs(ev, 'checkpoint_read', 3000, () => {});
    const out: RuleHit[] = [];
    ev.event!(appEvent(T0 + MIN, 'upload', { job: hash256(0, 0) }), CTX, out);
    expect(out).toHaveLength(0);
    ev.event!(appEvent(T0 + MIN, 'upload', { job: hash256(2999, 0) }), CTX, out);
    expect(out).toHaveLength(1);
  });
});
