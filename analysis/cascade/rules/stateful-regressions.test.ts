/**
 * Defects the brute-force oracle (stateful-oracle.test.ts) found in the stateful rule forms, one
 * focused case each, so a regression names itself.
 */
import { describe, expect, it } from 'vitest';
import { createRuleEngine } from './engine.js';
import { appEvent, MIN, T0 } from './fixtures.test-support.js';
import { loadRuleSet } from './rule-loader.js';
import { boundedText, MAX_DISTINCT_VALUE_LENGTH, SumWindow, windowAmount } from './window-state.js';

const S = 1_000_000;

/** FNV-1a (32-bit) over UTF-16 code units, continuing from `h`. */
function fnv1a(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const head = (id: string) => `id: ${id}\ntitle: t\nseverity: high\nfamily: weight-exfil\nphase: recon\n`;

function engineFor(yaml: string) {
  const set = loadRuleSet([{ path: 'r.yaml', text: yaml }]);
  if (set.errors.length) throw new Error(JSON.stringify(set.errors));
  return createRuleEngine(set.rules);
}

describe('stateful rule regressions', () => {
  it('SumWindow: an overflowing amount does not stick at Infinity once it leaves the window', () => {
    const w = new SumWindow(60 * S);
    w.add(0, Number.MAX_VALUE);
    expect(w.add(0, Number.MAX_VALUE)).toBe(Infinity);
    // Subtracting the expired buckets left Infinity (or NaN) for ever: every later event alerted.
    expect(w.add(61 * S, 5)).toBe(5);
  });

  it('SumWindow: a huge amount leaving the window does not wipe the amounts beside it', () => {
    const w = new SumWindow(60 * S);
    w.add(0, 1e300);
    expect(w.add(30 * S, 100)).toBe(1e300);
    // (1e300 + 100) − 1e300 is 0 in floating point: the 100 bytes were lost.
    expect(w.add(61 * S, 0)).toBe(100);
  });

  it('a sum rule is neither blinded nor stuck by huge byte counts once they leave its window (MLS-INSIDER-002 form)', () => {
    const eng = engineFor(head('MLS-T-101') + 'detection:\n  s: {action: download}\n  condition: s\nwindow: {by: [actor], size: 24h, sum: attrs.bytes, threshold: {sum: 20GiB}}\n');
    const dl = (ts: number, bytes: unknown) => eng.evaluate(appEvent(ts, 'download', { actor: 'mallory' }, { bytes })).length;
    const H = 60 * MIN;
    // Two 1e308 reads overflow their bucket to Infinity; Infinity − Infinity left the key at NaN.
    expect(dl(T0, 1e308)).toBe(1);
    expect(dl(T0 + MIN, 1e308)).toBe(1);
    expect(dl(T0 + 25 * H, 1024)).toBe(0);
    expect(dl(T0 + 26 * H, 21 * 2 ** 30)).toBe(1);
    // One 1e308 read alone stayed as Infinity after leaving: every later read alerted.
    expect(dl(T0 + 60 * H, 1e308)).toBe(1);
    expect(dl(T0 + 90 * H, 1024)).toBe(0);
  });

  it('composite keys: a part containing the old separator (U+001F) does not merge two (actor, job) pairs', () => {
    const eng = engineFor(head('MLS-T-102') + 'detection:\n  s: {action: exec}\n  condition: s\nwindow: {by: [actor, job], size: 24h, threshold: {count: 2}}\n');
    expect(eng.evaluate(appEvent(T0, 'exec', { actor: 'a\u001fb', job: 'c' }))).toEqual([]);
    expect(eng.evaluate(appEvent(T0 + 1, 'exec', { actor: 'a', job: 'b\u001fc' }))).toEqual([]);
    const h = eng.evaluate(appEvent(T0 + 2, 'exec', { actor: 'a', job: 'b\u001fc' }));
    expect(h).toHaveLength(1);
    expect(h[0]!.reason).toMatch(/^2 events in 1d by actor="a", job="b\\u001fc"; /);
  });

  it('distinct values longer than 256 characters that share a prefix count apart (no evasion by long paths)', () => {
    const eng = engineFor(head('MLS-T-103') + 'detection:\n  s: {action: checkpoint_read}\n  condition: s\nwindow: {by: [actor], size: 30m, distinct: attrs.path, threshold: {distinct: 5}}\n');
    const dir = `/mnt/ckpt/${'run-'.repeat(70)}`;
    const hits = [0, 1, 2, 3, 4].map((i) => eng.evaluate(appEvent(T0 + i * S, 'checkpoint_read', { actor: 'mallory' }, { path: `${dir}shard-${i}.pt` })).length);
    expect(hits).toEqual([0, 0, 0, 0, 1]);
  });

  it('keys longer than 256 characters that share a prefix stay apart', () => {
    const eng = engineFor(head('MLS-T-104') + 'detection:\n  s: {action: upload}\n  condition: s\nwindow: {by: [actor], size: 10m, threshold: {count: 2}}\n');
    const long = 'x'.repeat(300);
    expect(eng.evaluate(appEvent(T0, 'upload', { actor: `${long}1` }))).toEqual([]);
    expect(eng.evaluate(appEvent(T0 + 1, 'upload', { actor: `${long}2` }))).toEqual([]);
    expect(eng.evaluate(appEvent(T0 + 2, 'upload', { actor: `${long}2` }))).toHaveLength(1);
  });

  it('boundedText keeps short text, bounds long text, and is idempotent', () => {
    expect(boundedText('abc')).toBe('abc');
    const a = boundedText('y'.repeat(10_000) + 'a');
    const b = boundedText('y'.repeat(10_000) + 'b');
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(MAX_DISTINCT_VALUE_LENGTH);
    expect(boundedText(a)).toBe(a);
    expect(a).toMatch(new RegExp(`^y{213}…10001:[0-9a-f]{32}$`));
    // Lone surrogates count apart (UTF-8 would write each one as U+FFFD).
    const long = 'p'.repeat(300);
    expect(boundedText(`${long}\ud800`)).not.toBe(boundedText(`${long}\udc00`));
  });

  it('boundedText: long values of one prefix and length whose FNV-1a collides still count apart', () => {
    // A 32-bit FNV-1a collision between two such values is a birthday search over their last
    // letters away (these two: 7 s of one core): why the bounded text no longer rests on FNV.
    const prefix = '/data/' + 'd'.repeat(300) + '/shard-';
    const [x, y] = [`${prefix}oaczfa`, `${prefix}qlbppa`];
    expect(fnv1a(x)).toBe(fnv1a(y));
    expect(boundedText(x)).not.toBe(boundedText(y));
  });

  it('a sum threshold of 0 is a load error, not a rule that can never fire', () => {
    const set = loadRuleSet([{ path: 'r.yaml', text: head('MLS-T-105') + 'detection:\n  s: {action: upload}\n  condition: s\nwindow: {by: [job], size: 1h, sum: attrs.bytes, threshold: {sum: 0}}\n' }]);
    expect(set.rules).toHaveLength(0);
    expect(set.errors.map((e) => e.message).join()).toMatch(/sum threshold must be more than 0/);
  });

  it('behavioural spec egress.rate counts byte counts written as text, as the sum windows do', () => {
    expect(windowAmount('5368709120')).toBe(5368709120);
    expect(windowAmount(['12'])).toBe(12);
    expect(windowAmount('-1')).toBeNull();
    const set = loadRuleSet([{ path: 's.yaml', text: "kind: BehaviouralSpec\nid: SPEC-T\ntitle: t\nfamily: weight-exfil\nselector: {jobs: ['*']}\negress:\n  rate: {window: 1h, max_bytes: 1GiB}\n" }]);
    expect(set.errors).toEqual([]);
    const eng = createRuleEngine(set.rules);
    const up = (ts: number, bytes: unknown) => eng.evaluate(appEvent(ts, 'upload', { job: 'train-1' }, { destination: 'https://drop.example/x', bytes })).map((h) => h.ruleId);
    expect(up(T0, '900000000')).toEqual([]);
    expect(up(T0 + MIN, '900000000')).toEqual(['SPEC-T/egress.rate']);
  });
});
