/**
 * Stateful MLShield rules against a brute-force oracle (stateful-oracle.test-support.ts): the
 * shipped window and sequence rules over seeded streams built to reach their thresholds, and
 * seeded synthetic rules of every form. The engine must agree with the oracle that models its
 * documented memory bound (LRU keys), and may only fall short of the unbounded oracle — fewer
 * hits, on keys it forgot — never fire where the unbounded oracle does not.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import type { EventRecord } from '../../core/records.js';
import type { RuleHit } from './compiled-rule.js';
import { createRuleEngine, type RuleEngine } from './engine.js';
import { readRuleFiles } from './fixtures.test-support.js';
import type { GpuWindow } from './gpu-window.js';
import { loadRuleSet } from './rule-loader.js';
import { pick, prng, sequenceOracle, windowOracle, type OracleItem, type WindowSpec, type WindowVerdict } from './stateful-oracle.test-support.js';
import {
  ACTORS, amountPool, appTemplate, JOBS, makeStream, ODD_VALUES, vocabularyTemplates, type Knobs, type StreamItem, type Template,
} from './stateful-streams.test-support.js';
import { formatBytes, formatDuration, parseByteSize, parseDurationMicros } from './units.js';

type Doc = Record<string, unknown> & { id: string; detection: Record<string, unknown> };
interface WindowDocT { by: string[]; size: string | number; distinct?: string; sum?: string; threshold: { count?: number; distinct?: number; sum?: string | number } }
interface SequenceDocT { by: string[]; within: string | number; steps: Array<string | { condition: string; input?: string }> }

function engineOf(docs: unknown[], maxKeys = 4096, budget: number | null = null): RuleEngine {
  const set = loadRuleSet(docs.map((d, i) => ({ path: `r${i}.yaml`, text: stringify(d) })));
  if (set.errors.length) throw new Error(JSON.stringify(set.errors));
  const budgets = budget === null ? {} : { maxCountSlotsPerRule: budget, maxDistinctCharsPerRule: budget };
  return createRuleEngine(set.rules, { maxKeysPerRule: maxKeys, maxJobsPerSpec: 64, ...budgets });
}

function rawField(s: EventRecord | GpuWindow, f: string): unknown {
  if (f.startsWith('attrs.')) return ((s as EventRecord).attrs as Record<string, unknown>)[f.slice(6)];
  // The streams' objects are named in their objectRef (the templates' attrs.objectName): no body fallback needed.
  if (f === 'objectName') return ((s as EventRecord).attrs as Record<string, unknown>).objectName;
  return (s as unknown as Record<string, unknown>)[f];
}

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/** The number a window hit reports (its reason's first words). */
function measuredOf(kind: WindowSpec['kind'], reason: string): number {
  if (kind !== 'sum') return Number(/^(\d+) /.exec(reason)![1]);
  const m = /^(Infinity|NaN|[-\d.e+]+)(?: (B|KiB|MiB|GiB|TiB))? of /.exec(reason)!;
  return Number(m[1]) * (UNITS[m[2] ?? 'B'] ?? 1);
}

function keyText(by: string[], parts: string[]): string | null {
  if (parts.some((p) => p.length > 256)) return null;
  return by.map((n, i) => `${n}=${JSON.stringify(parts[i])}`).join(', ');
}

function sumClose(a: number, b: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const unit = UNITS[formatBytes(b).split(' ')[1] ?? 'B'] ?? 1;
  return Math.abs(a - b) <= 0.051 * unit + 1e-9 * Math.abs(b);
}

/**
 * Compares the engine's hits with the oracle modelling its LRU (exact), and with the unbounded
 * oracle (hits only where it has them, a measured value no larger). Returns the disagreements.
 */
function compareWindow(spec: WindowSpec, by: string[], items: OracleItem[], hits: Array<RuleHit | null>): string[] {
  const model = windowOracle(spec, items);
  const bounded = spec.maxKeys !== null || (spec.budget ?? null) !== null;
  const ideal = bounded ? windowOracle({ ...spec, maxKeys: null, budget: null }, items) : model;
  const bad: string[] = [];
  // Coverage: a stream that never reaches the threshold, or never falls short of it, tests little.
  const fired = model.filter((v) => v.measured !== null).length;
  const shortOf = model.filter((v, i) => v.measured === null && items[i]!.matches[0]).length;
  COVERAGE.push({ fired, shortOf });
  const evicted = model.reduce((a, v) => a + (v.evicted ?? 0), 0);
  BUDGET_EVICTIONS.push(evicted);
  STATS.push(`${spec.kind} n=${spec.threshold} keys=${spec.maxKeys} budget=${spec.budget ?? null}: ${items.length} events, ${fired} hits, ${shortOf} short, ${evicted} keys forgotten for the budget`);
  // Sums add in another order than the engine's buckets: a tie with the threshold may go either way.
  const near = (v: WindowVerdict): boolean => spec.kind === 'sum' && v.bucketSum !== undefined && Math.abs(v.bucketSum - spec.threshold) <= 1e-9 * spec.threshold;
  items.forEach((it, i) => {
    const h = hits[i];
    const ours = h ? measuredOf(spec.kind, h.reason) : null;
    const want = model[i]!;
    const at = `#${i} t+${it.ts - items[0]!.ts} key=${JSON.stringify(want.key ?? it.keyParts).slice(0, 80)}`;
    if ((ours === null) !== (want.measured === null)) {
      if (!near(want)) bad.push(`${at}: ours ${ours} expected ${want.measured}`);
      return;
    }
    if (ours !== null && want.measured !== null) {
      const same = spec.kind === 'sum' ? sumClose(ours, want.measured) : ours === want.measured;
      if (!same) bad.push(`${at}: ours reports ${ours}, expected ${want.measured}`);
      const kt = want.key ? keyText(by, want.key) : null;
      if (kt !== null && !h!.reason.includes(`by ${kt}; `)) bad.push(`${at}: reason ${JSON.stringify(h!.reason.slice(0, 120))} does not name the key ${kt}`);
      // Approximation bounds: no hit the unbounded oracle lacks; sums within the bucket error.
      const best = ideal[i]!;
      if (best.measured === null && !near(best)) bad.push(`${at}: hit ${ours} where unbounded memory has none`);
      else if (best.measured !== null && spec.kind !== 'sum' && ours > best.measured) bad.push(`${at}: reports ${ours}, more than unbounded memory's ${best.measured}`);
      // (The model's sum: the reason rounds ours to 0.1 of a unit; ours ≈ model is checked above.)
      if (spec.kind === 'sum' && best.full !== undefined && !(want.measured <= best.full * (1 + 1e-9))) bad.push(`${at}: sum ${want.measured} above the window's ${best.full}`);
    }
    if (spec.kind === 'sum' && !bounded && want.inner !== undefined && want.inner >= spec.threshold * (1 + 1e-9) && ours === null) {
      bad.push(`${at}: no hit although (t − size + size/60, t] alone sums ${want.inner}`);
    }
  });
  return bad;
}

/** Per stream: what it exercised (printed with ORACLE_STATS=1). */
const STATS: string[] = [];
/** Per window stream compared: keys the budget model forgot. */
const BUDGET_EVICTIONS: number[] = [];
/** Per window stream compared: hits, and matching events without one (short of the threshold). */
const COVERAGE: Array<{ fired: number; shortOf: number }> = [];
afterAll(() => {
  if (process.env.ORACLE_STATS) console.log(STATS.join('\n'));
});

function thresholdOf(w: WindowDocT): { kind: WindowSpec['kind']; n: number } {
  if (w.threshold.count !== undefined) return { kind: 'count', n: w.threshold.count };
  if (w.threshold.distinct !== undefined) return { kind: 'distinct', n: w.threshold.distinct };
  return { kind: 'sum', n: parseByteSize(w.threshold.sum)! };
}

/**
 * `squeeze`: a memory budget of that share of the most the rule's keys ever hold together (the
 * oracle's measure with an unreachable budget), so that the budget is sure to forget keys.
 */
function runWindow(doc: Doc, stream: StreamItem[], match: (e: EventRecord) => boolean, maxKeys: number | null, squeeze: number | null = null): string[] {
  const w = doc.window as WindowDocT;
  const { kind, n } = thresholdOf(w);
  const size = parseDurationMicros(w.size)!;
  const events = stream.flatMap((s) => (s.kind === 'event' ? [s.e] : []));
  const items: OracleItem[] = events.map((e) => ({
    ts: e.ts, matches: [match(e)], keyParts: w.by.map((f) => rawField(e, f)), distinct: w.distinct ? rawField(e, w.distinct) : undefined, sum: w.sum ? rawField(e, w.sum) : undefined,
  }));
  let budget: number | null = null;
  if (squeeze !== null && kind !== 'sum') {
    const peak = Math.max(0, ...windowOracle({ kind, threshold: n, size, maxKeys, budget: Infinity }, items).map((v) => v.held ?? 0));
    budget = Math.max(1, Math.floor(peak * squeeze));
  }
  const eng = engineOf([doc], maxKeys ?? 4096, budget);
  const hits: Array<RuleHit | null> = [];
  for (const e of events) {
    const mine = eng.evaluate(e).filter((h) => h.ruleId === doc.id);
    if (mine.length > 1) throw new Error('one window rule, several hits for one event');
    hits.push(mine[0] ?? null);
  }
  return compareWindow({ kind, threshold: n, size, maxKeys, budget }, w.by, items, hits);
}

function runSequence(doc: Doc, stream: StreamItem[], stepMatch: Array<(s: StreamItem) => boolean>, maxKeys: number | null): string[] {
  const q = doc.sequence as SequenceDocT;
  const within = parseDurationMicros(q.within)!;
  const eng = engineOf([doc], maxKeys ?? 4096);
  const items: OracleItem[] = [];
  const took: Array<string | null> = [];
  for (const s of stream) {
    const subject = s.kind === 'event' ? s.e : s.w;
    items.push({ ts: s.kind === 'event' ? s.e.ts : s.w.end, matches: stepMatch.map((m) => m(s)), keyParts: q.by.map((f) => rawField(subject, f)) });
    const hits = (s.kind === 'event' ? eng.evaluate(s.e) : eng.evaluateGpuWindow(s.w)).filter((h) => h.ruleId === doc.id);
    took.push(hits.length ? /completed in (\S+) /.exec(hits[0]!.reason)![1]! : null);
  }
  const spec = { steps: q.steps.length, within, maxKeys };
  const model = sequenceOracle(spec, items);
  const chains = sequenceOracle({ ...spec, maxKeys: null, reset: false }, items);
  const bad: string[] = [];
  const fired = model.filter((v) => v !== null).length;
  STATS.push(`sequence ${spec.steps} steps keys=${maxKeys}: ${items.length} items, ${fired} hits, ${chains.filter((c) => c !== null).length} chain ends`);
  items.forEach((it, i) => {
    const want = model[i]!;
    const wantText = want === null ? null : formatDuration(Math.max(0, Math.round(want / 1e6)) * 1e6);
    const at = `#${i} t+${it.ts - items[0]!.ts} key=${JSON.stringify(it.keyParts).slice(0, 60)}`;
    if (took[i] !== wantText) bad.push(`${at}: ours ${took[i]} expected ${wantText}`);
    // Forgetting (LRU, or the reset after a hit) may move a hit, never make one without a chain.
    if (took[i] !== null && chains[i] === null) bad.push(`${at}: hit where no chain ends`);
  });
  return bad;
}

/** A stateless copy of a rule: its hits say where the condition (or one step) holds. */
function conditionOf(doc: Doc, condition: string, gpu: boolean): (s: StreamItem) => boolean {
  const names = new Set(condition.split(/[^A-Za-z0-9_*]+/));
  const detection: Record<string, unknown> = { condition };
  for (const [k, v] of Object.entries(doc.detection)) if (k !== 'condition' && names.has(k)) detection[k] = v;
  const { window: _w, sequence: _s, ...rest } = doc;
  const clone = { ...rest, id: doc.id, decision: 'alert', detection, ...(gpu ? { input: 'gpu' } : {}) };
  const eng = engineOf([clone]);
  return (s) => {
    if (s.kind === 'event') return !gpu && eng.evaluate(s.e).some((h) => h.ruleId === doc.id);
    return gpu && eng.evaluateGpuWindow(s.w).some((h) => h.ruleId === doc.id);
  };
}

const SHIPPED: Doc[] = readRuleFiles('mlshield').flatMap((f) => parseAllDocuments(f.text).map((d) => d.toJS() as Doc)).filter((d) => d && (d.window || d.sequence));
const VOCAB = vocabularyTemplates();
const LONG = 'L'.repeat(300);

const SA = 'system:serviceaccount:ml:';

/** Templates that can match the rule, and the actor prefix ('' or a workload's) they match with. */
function hotTemplates(doc: Doc, matches: Array<(s: StreamItem) => boolean>): { hot: Template[]; lead: string } {
  for (const lead of ['', SA]) {
    const k: Knobs = { actor: `${lead}alice`, job: 'j1', distinct: 'v', amount: 1, k1: 'p', k2: 'q' };
    const hot = VOCAB.filter((t) => matches.some((m) => m({ kind: 'event', e: { ...t(k), ts: 0 } })));
    if (hot.length) return { hot, lead };
  }
  throw new Error(`${doc.id}: no template matches`);
}

function gpuWindowOf(job: string | null, end: number, r: () => number): GpuWindow {
  const util = 40 + r() * 60;
  const fb = 8000 + r() * 20000;
  return { job, node: 'n1', gpu: '0', start: end - 300e6, end, fields: { DCGM_FI_DEV_GPU_UTIL: { mean: util, max: util, min: util }, DCGM_FI_DEV_FB_USED: { mean: fb, max: fb, min: fb } } };
}

describe('shipped stateful MLShield rules agree with the brute-force oracle', () => {
  it('finds the shipped stateful rules', () => {
    expect(SHIPPED.filter((d) => d.window).length).toBeGreaterThanOrEqual(15);
    expect(SHIPPED.filter((d) => d.sequence).length).toBeGreaterThanOrEqual(3);
  });

  for (const doc of SHIPPED.filter((d) => d.window)) {
    it(`${doc.id} (window)`, () => {
      const w = doc.window as WindowDocT;
      const { kind, n } = thresholdOf(w);
      const size = parseDurationMicros(w.size)!;
      const cond = conditionOf(doc, doc.detection.condition as string, false);
      const { hot, lead } = hotTemplates(doc, [cond]);
      const perWindow = kind === 'sum' ? 10 : 3 * n;
      const problems: string[] = [];
      for (const variant of kind === 'sum' ? [0, 1] : [0, 1, 2]) {
        const r = prng(0x5eed + variant * 7919 + doc.id.length * 31 + n);
        // Variant 0: keys that collide if parts are joined with a separator; variant 1: 300-character
        // keys sharing 256 characters, and distinct values likewise; memory for two keys. Variant 2:
        // variant 1's keys and values under a memory budget of 60% of the most they hold together.
        const hotKeys = variant === 0
          ? [{ actor: `${lead}alice`, job: 'j1' }, { actor: `${lead}a\u001fb`, job: 'c' }, { actor: `${lead}a`, job: 'b\u001fc' }, { actor: `${SA}x`, job: 'j2' }]
          : [{ actor: `${lead}${LONG}1`, job: `${LONG}x` }, { actor: `${lead}${LONG}2`, job: `${LONG}y` }, { actor: `${lead}mallory`, job: 'j2' }];
        const distinct = Array.from({ length: Math.ceil(perWindow * 1.4) + 3 }, (_, i) => (variant === 1 && i % 2 ? `${LONG}${i}` : `v${i}`));
        const stream = makeStream({
          r, size, perWindow, length: Math.min(6000, Math.max(240, 3 * perWindow)), hot, noise: VOCAB, hotKeys,
          actors: ACTORS, jobs: JOBS, distinct: [...distinct, ...(variant === 0 ? ODD_VALUES : [])], amounts: amountPool(kind === 'sum' ? n / 7 : 1),
          odd: ODD_VALUES, ...(kind === 'sum' ? { bucket: Math.max(1, size / 60) } : {}),
        });
        const match = (e: EventRecord): boolean => cond({ kind: 'event', e });
        problems.push(...runWindow(doc, stream, match, variant === 0 ? null : variant === 1 ? 2 : 4096, variant === 2 ? 0.6 : null).map((p) => `variant ${variant} ${p}`));
        const c = COVERAGE[COVERAGE.length - 1]!;
        if (variant === 0 && (c.fired === 0 || c.shortOf === 0)) problems.push(`coverage: ${c.fired} hits, ${c.shortOf} matching events short of the threshold`);
        if (variant === 2 && (c.fired === 0 || BUDGET_EVICTIONS[BUDGET_EVICTIONS.length - 1] === 0)) problems.push(`budget coverage: ${c.fired} hits, ${BUDGET_EVICTIONS[BUDGET_EVICTIONS.length - 1]} keys forgotten`);
      }
      expect(problems.slice(0, 8)).toEqual([]);
    });
  }

  for (const doc of SHIPPED.filter((d) => d.sequence)) {
    it(`${doc.id} (sequence)`, () => {
      const q = doc.sequence as SequenceDocT;
      const steps = q.steps.map((s) => (typeof s === 'string' ? { condition: s, gpu: false } : { condition: s.condition, gpu: s.input === 'gpu' }));
      const matches = steps.map((s) => conditionOf(doc, s.condition, s.gpu));
      const { hot } = hotTemplates(doc, matches);
      const within = parseDurationMicros(q.within)!;
      const problems: string[] = [];
      for (const variant of [0, 1, 2]) {
        const r = prng(0xc0ffee + variant * 104729 + doc.id.length);
        const stream = makeStream({
          r, size: within, perWindow: steps.length * 2, length: 400, hot, noise: VOCAB,
          hotKeys: [{ actor: 'alice', job: 'j1' }, { actor: 'bob', job: 'b\u001fc' }, { actor: 'x', job: `${LONG}x` }],
          actors: ACTORS, jobs: JOBS, distinct: ['v', 'w'], amounts: [1], odd: ODD_VALUES, ...(steps.some((s) => s.gpu) ? { gpu: gpuWindowOf } : {}),
        });
        problems.push(...runSequence(doc, stream, matches, variant === 2 ? 1 : null).map((p) => `variant ${variant} ${p}`));
      }
      expect(problems.slice(0, 8)).toEqual([]);
    });
  }
});

const head = (id: string) => ({ id, title: 't', severity: 'high', family: 'weight-exfil', phase: 'recon' });
const SIZES: Array<string | number> = ['1s', '7s', '59s', '61s', '90s', '10m', '1h30m', 2.5, '1500ms', '1d', '31d'];
const FIELDS = ['actor', 'job', 'attrs.k1', 'attrs.k2', 'resource'];

describe('synthetic stateful rules agree with the brute-force oracle', () => {
  it('window rules: count, distinct and sum over random keys, sizes and thresholds', () => {
    const problems: string[] = [];
    let covered = 0;
    let budgeted = 0;
    const hot = [appTemplate('a'), appTemplate('b')];
    const noise = [appTemplate('a'), appTemplate('b'), appTemplate('c'), appTemplate('x')];
    for (let seed = 1; seed <= 60; seed++) {
      const r = prng(seed * 2654435761);
      const kind = pick(r, ['count', 'distinct', 'sum'] as const);
      // (resource carries the distinct value: a key on it would spread the stream over many keys.)
      const by = FIELDS.slice(0, 4).sort(() => r() - 0.5).slice(0, 1 + Math.floor(r() * 3));
      const size = pick(r, SIZES);
      const n = 1 + Math.floor(r() * 12);
      const sum = pick(r, ['1', '100', '1KiB', '10.5', '5GiB']);
      const window: WindowDocT = {
        by, size, threshold: kind === 'count' ? { count: n } : kind === 'distinct' ? { distinct: n } : { sum },
        ...(kind === 'distinct' ? { distinct: pick(r, ['attrs.v', 'resource']) } : {}), ...(kind === 'sum' ? { sum: 'attrs.n' } : {}),
      };
      const doc = { ...head(`MLS-SYN-${String(seed).padStart(3, '0')}`), detection: { s: { action: ['a', 'b'] }, condition: 's' }, window } as Doc;
      const us = parseDurationMicros(size)!;
      const threshold = kind === 'sum' ? parseByteSize(sum)! : n;
      const stream = makeStream({
        r, size: us, perWindow: kind === 'sum' ? 6 : 3 * n, length: 320, hot, noise, hotKeys: [{ actor: 'alice', job: 'j1', k1: 'p', k2: 1 }, { actor: 'a\u001fb', job: 'c', k1: 'a\u001fb', k2: ['p'] }, { actor: 'a', job: 'b\u001fc', k1: 'a', k2: '1' }],
        actors: ACTORS, jobs: JOBS, distinct: [...Array.from({ length: n + 3 }, (_, i) => `v${i}`), ...ODD_VALUES], amounts: amountPool(threshold / 5),
        odd: ODD_VALUES, ...(kind === 'sum' ? { bucket: Math.max(1, us / 60) } : {}), ...(seed % 5 === 1 ? { lateShare: 0.1 } : {}),
      });
      // Every third seed: a few keys; of the others, every fourth: a memory budget of a few keys' worth.
      const squeeze = seed % 3 !== 0 && seed % 4 === 2 && kind !== 'sum' ? 0.3 + r() * 0.5 : null;
      const maxKeys = seed % 3 === 0 ? 1 + (seed % 4) : squeeze !== null ? 4096 : null;
      const before = COVERAGE.length;
      problems.push(...runWindow(doc, stream, (e) => e.action === 'a' || e.action === 'b', maxKeys, squeeze).map((p) => `${doc.id} ${kind} by ${by.join('+')} size ${size} n ${n} ${p}`));
      if (COVERAGE[before]!.fired > 0) covered++;
      if (squeeze !== null && BUDGET_EVICTIONS[before]! > 0) budgeted++;
    }
    expect(problems.slice(0, 8)).toEqual([]);
    expect(covered).toBeGreaterThanOrEqual(50);
    expect(budgeted).toBeGreaterThanOrEqual(4);
  });

  it('sequence rules: 2–4 overlapping steps over random keys and limits', () => {
    const problems: string[] = [];
    const sels: Record<string, string[]> = { sa: ['a', 'b'], sb: ['b', 'c'], sc: ['c'], sd: ['a', 'd'] };
    const tpl = ['a', 'b', 'c', 'd', 'x'].map((a) => appTemplate(a));
    for (let seed = 1; seed <= 40; seed++) {
      const r = prng(seed * 40503 + 17);
      const steps = Array.from({ length: 2 + Math.floor(r() * 3) }, () => pick(r, Object.keys(sels)));
      const by = [...FIELDS].sort(() => r() - 0.5).slice(0, 1 + Math.floor(r() * 2));
      const within = pick(r, SIZES);
      const detection = Object.fromEntries(Object.entries(sels).map(([k, v]) => [k, { action: v }]));
      const doc = { ...head(`MLS-SEQ-${String(seed).padStart(3, '0')}`), detection, sequence: { by, within, steps } } as Doc;
      const stream = makeStream({
        r, size: parseDurationMicros(within)!, perWindow: steps.length * 2, length: 220, hot: tpl, noise: tpl,
        hotKeys: [{ actor: 'alice', job: 'j1' }, { actor: 'a\u001fb', job: 'c' }, { actor: 'a', job: 'b\u001fc' }], actors: ACTORS, jobs: JOBS,
        distinct: ['v'], amounts: [1], odd: ODD_VALUES, ...(seed % 5 === 1 ? { lateShare: 0.1 } : {}),
      });
      const stepMatch = steps.map((s) => (x: StreamItem) => x.kind === 'event' && sels[s]!.includes(x.e.action));
      problems.push(...runSequence(doc, stream, stepMatch, seed % 4 === 0 ? 1 + (seed % 3) : null).map((p) => `${doc.id} [${steps.join(',')}] by ${by.join('+')} within ${within} ${p}`));
    }
    expect(problems.slice(0, 8)).toEqual([]);
  });
});
