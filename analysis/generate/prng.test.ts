import { describe, expect, it } from 'vitest';
import { K8S_ALPHANUMS, Prng } from './prng.js';

describe('Prng', () => {
  it('is deterministic and forks independently of prior draws', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    expect(Array.from({ length: 5 }, () => a.u32())).toEqual(Array.from({ length: 5 }, () => b.u32()));
    const fresh = new Prng(42).fork('x').u32();
    a.u32();
    expect(a.fork('x').u32()).toBe(fresh);
    expect(new Prng(42).fork('y').u32()).not.toBe(fresh);
    expect(new Prng(43).u32()).not.toBe(new Prng(42).u32());
  });

  it('draws within ranges with sane moments', () => {
    const r = new Prng(1);
    let sum = 0;
    let sq = 0;
    const n = 20000;
    let outOfRange = 0;
    for (let i = 0; i < n; i++) {
      const f = r.float();
      const k = r.int(3, 7);
      if (f < 0 || f >= 1 || k < 3 || k > 7 || !Number.isInteger(k)) outOfRange++;
      const g = r.gaussian(10, 2);
      sum += g;
      sq += g * g;
    }
    expect(outOfRange).toBe(0);
    const mean = sum / n;
    expect(Math.abs(mean - 10)).toBeLessThan(0.1);
    expect(Math.abs(Math.sqrt(sq / n - mean * mean) - 2)).toBeLessThan(0.1);
    let p = 0;
    for (let i = 0; i < 5000; i++) p += r.poisson(4);
    expect(Math.abs(p / 5000 - 4)).toBeLessThan(0.15);
    expect(r.poisson(100)).toBeGreaterThan(50);
  });

  it('makes Kubernetes-shaped names and RFC 4122 v4 uuids', () => {
    const r = new Prng('names');
    for (let i = 0; i < 200; i++) {
      expect(r.podSuffix()).toMatch(new RegExp(`^[${K8S_ALPHANUMS}]{5}$`));
      expect(r.podSuffixWithDigit()).toMatch(/\d/);
      expect(r.templateHash()).toMatch(/^[a-z0-9]{9,10}$/);
      expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    const arr = [1, 2, 3, 4, 5];
    expect(r.shuffle([...arr]).sort()).toEqual(arr);
    expect(() => r.pick([])).toThrow();
  });
});
