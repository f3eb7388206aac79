/**
 * The regex safety check against the engine it protects: seeded random small patterns that
 * regexHazard accepts are run by V8 on hostile subjects (a character the pattern takes, repeated,
 * then one it may not), and none may take long. Accepted patterns are at most quadratic by design
 * (regex-safety.ts), so the subject grows step by step and each step is timed: up to 1,250
 * characters every run must finish within 50 ms (an exponential pattern fails within a few dozen
 * characters, a cubic one by a few hundred, before either could hang the test); at 5,000
 * characters a run may take at most 40 times the run at 1,250 (quadratic is 16 times, cubic 64) or
 * 50 ms, whichever is more. Also: every rule that ships loads through the real loader.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { defaultRulesDir, loadRulesFrom, readRuleFiles } from '../rule-files.js';
import { loadRuleSet } from './rule-loader.js';
import { regexHazard } from './regex-safety.js';

const SIZES = [8, 12, 16, 20, 24, 28, 32, 40, 48, 64, 96, 160, 320, 640, 1250];
const BIG = 5000;

/** Milliseconds for `re` on `s`: the better of two runs when the first is slow (a busy machine). */
function timed(re: RegExp, s: string, slow: number): number {
  let t = performance.now();
  re.test(s);
  const first = performance.now() - t;
  if (first <= slow) return first;
  t = performance.now();
  re.test(s);
  return Math.min(first, performance.now() - t);
}

function randomPattern(rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const atoms = ['a', 'b', 'c', 'a', 'b', '\\d', '\\w', '\\s', '.', '[ab]', '[^a]', '[a-c]', '\\.', '\\b', '(?=a)', '(?!b)'];
  const quants = ['*', '+', '?', '{1,3}', '{2,}', '{0,5}', '*?', '+', '{2}', '{3,4}'];
  // Groups often hold alternatives (the overlapping-choice hazard); the end often can fail.
  const atom = (d: number): string => (d < 2 && rnd() < 0.4 ? `${rnd() < 0.5 ? '(?:' : '('}${alt(d + 1)})` : pick(atoms));
  const seq = (d: number): string => {
    let s = '';
    for (let n = 1 + Math.floor(rnd() * (d > 0 ? 2 : 4)); n > 0; n--) {
      const a = atom(d);
      s += a + (rnd() < 0.4 && a !== '\\b' ? pick(quants) : '');
    }
    return s;
  };
  const alt = (d: number): string => Array.from({ length: rnd() < (d > 0 ? 0.4 : 0.7) ? 1 : 2 + Math.floor(rnd() * 2) }, () => seq(d)).join('|');
  return (rnd() < 0.4 ? '^' : '') + alt(0) + pick(['$', '$', '!', 'c', '']);
}

describe('regexHazard against V8', () => {
  it('accepts no pattern that V8 backtracks on for long (seeded random patterns, hostile subjects)', () => {
    const rnd = mulberry32(0x5afe);
    let accepted = 0;
    let refused = 0;
    for (let round = 0; round < 400; round++) {
      const src = randomPattern(rnd);
      let re: RegExp;
      try {
        re = new RegExp(src);
      } catch {
        continue;
      }
      if (regexHazard(src) !== null) {
        refused++;
        continue;
      }
      accepted++;
      const lead = /[abc]/.exec(src)?.[0] ?? 'a';
      for (const unit of [lead, /\\[dw]|\./.test(src) ? '1' : ' ', 'ab']) {
        const subject = (n: number): string => `${unit.repeat(Math.ceil(n / unit.length)).slice(0, n)}!`;
        let last = 0;
        for (const n of SIZES) {
          last = timed(re, subject(n), 50);
          expect(last, `${src} on ${n} × ${JSON.stringify(unit)}`).toBeLessThanOrEqual(50);
        }
        const bound = (): number => Math.max(50, 40 * last);
        let big = timed(re, subject(BIG), bound());
        if (big > bound()) {
          // Measured again, both sizes, before a verdict: the machine may have been busy.
          last = Math.max(last, timed(re, subject(SIZES[SIZES.length - 1]!), 0));
          big = Math.min(big, timed(re, subject(BIG), 0));
        }
        expect(big, `${src} on ${BIG} × ${JSON.stringify(unit)} (${last.toFixed(2)} ms on 1,250)`).toBeLessThanOrEqual(bound());
      }
    }
    // The draw exercises both verdicts.
    expect(accepted).toBeGreaterThan(150);
    expect(refused).toBeGreaterThan(80);
  });
});

describe('the shipped rules', () => {
  it('load through the real loader, their regular expressions accepted', () => {
    const dir = defaultRulesDir();
    expect(dir).not.toBeNull();
    const loaded = loadRulesFrom([dir!]);
    expect(loaded.files).toBeGreaterThan(10);
    expect(loaded.warnings.filter((w) => /regular expression/.test(w))).toEqual([]);
    // Every `|re` value in the files, checked directly too (the loader stops at the first error).
    const patterns = readRuleFiles(dir!).flatMap((f) => [...f.text.matchAll(/\|re(?:\|[ims])*:\s*'((?:[^']|'')*)'/g)].map((m) => m[1]!.replaceAll("''", "'")));
    expect(patterns.length).toBeGreaterThan(0);
    for (const p of patterns) expect(regexHazard(p), p).toBeNull();
  });

  it('refuse a new hazard with the file, the line and the sub-pattern in the error', () => {
    const rule = (re: string): string => `title: T\nid: 11111111-2222-3333-4444-555555555555\nlogsource:\n  product: kubernetes\n  service: audit\ndetection:\n  s:\n    requestURI|re: '${re}'\n  condition: s\nlevel: high\n`;
    for (const [re, part] of [
      ['^/api/(?:\\w|\\d)+$', '(?:\\w|\\d)+'],
      ['.*/exec.*/attach', '.*/exec.*/'],
    ] as const) {
      const r = loadRuleSet([{ path: 'rules/evil.yml', text: rule(re) }]);
      expect(r.rules).toEqual([]);
      expect(r.errors[0]).toMatchObject({ file: 'rules/evil.yml' });
      expect(r.errors[0]!.line).toBeGreaterThan(0);
      expect(r.errors[0]!.message).toContain(`(${part})`);
    }
  });
});

