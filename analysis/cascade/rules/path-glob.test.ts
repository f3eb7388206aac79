import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { compilePathGlob, compilePathGlobSet } from './path-glob.js';

/** The RegExp compiler path-glob.ts used before (backtracking on hostile paths): the oracle. */
function oracleSource(glob: string): string {
  let src = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          src += '(?:[\\s\\S]*/)?';
        } else if (src.endsWith('/') && i === glob.length - 1) {
          src = src.slice(0, -1) + '(?:/[\\s\\S]*)?';
        } else {
          src += '[\\s\\S]*';
        }
      } else {
        src += '[^/]*';
      }
    } else if (c === '?') {
      src += '[^/]';
    } else {
      src += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return src + '$';
}
const oracle = (glob: string): RegExp => new RegExp(oracleSource(glob));

const SHIPPED = ['/data/**', '/datasets/**', 's3://*dataset*/**', 's3://*training-data*/**', 'gs://*dataset*/**', '/checkpoints/**', '/mnt/ckpt/**', '/tmp/**', 's3://*model-registry*/**'];

describe('compilePathGlob', () => {
  it('decides as the old RegExp does (seeded random globs and paths)', () => {
    const rnd = mulberry32(0x9a7b);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const globBits = ['*', '**', '**/', '/**', '?', '/', 'a', 'b', '.', 'ab', '\u00e9', '\ud83d\ude00', '$', '(', '[', '\\', '%', ' '];
    const pathBits = ['/', '//', 'a', 'b', 'ab', '.', '..', '*', '?', '\u00e9', '\ud83d', '\ude00', '\ud83d\ude00', '\n', '$', '(', '%2F', ''];
    let matched = 0;
    let n = 0;
    for (let round = 0; round < 3000; round++) {
      let glob = '';
      for (let i = 1 + Math.floor(rnd() * 7); i > 0; i--) glob += pick(globBits);
      const want = oracle(glob);
      const got = compilePathGlob(glob);
      const instances: string[] = [];
      for (let k = 0; k < 6; k++) {
        let path = '';
        if (k < 3) {
          // An instance of the glob: wildcards filled with random path bits (slashes included).
          for (const part of glob.split(/(\*\*|\*|\?)/)) path += part === '**' || part === '*' ? Array.from({ length: Math.floor(rnd() * 3) }, () => pick(pathBits)).join('') : part === '?' ? pick(pathBits) : part;
        } else for (let i = Math.floor(rnd() * 8); i > 0; i--) path += pick(pathBits);
        instances.push(path);
      }
      for (const path of instances) {
        const w = want.test(path);
        expect(got(path), `${JSON.stringify(glob)} ${JSON.stringify(path)}`).toBe(w);
        if (w) matched++;
        n++;
      }
    }
    expect(matched).toBeGreaterThan(n / 6); // the draw exercises matches, not only misses
  });

  it('decides the shipped shapes and the edge cases as the old RegExp does', () => {
    const globs = [...SHIPPED, '', '/', '/**', '**', '***', '**/', '**/**', '**//**', '/data/**/', '/data/**/x/*.csv', '/home/*/**/.ssh/**', 'a**/b', 'x*/**/y?', '*/**', '?/**', '/a/*x*y*z*/b', '**/*.pt', '/data/**/*.parquet', 'a/**/**/b', '/x/**/**'];
    const paths = ['', '/', '//', '/data', '/data/', '/data/x', '/datax', '/data/a/b/c.csv', '/data/x/y.csv', '/data/x/a.csv', '/home/u/.ssh/k', '/home/u/a/b/.ssh', '/home//.ssh/', 'a/b', 'ab', 'a/x/b', 'x1/y2', 'x/y2', 'x/q/r/y2', 's3://my-dataset-1/a', 's3://my-dataset-1', 's3://a/dataset/x', 'm.pt', 'a/b/m.pt', 'a/b/mpt', '/a/-x-y-z-/b', '/x', '/x/', '/x/a/b'];
    for (const glob of globs) {
      const want = oracle(glob);
      const got = compilePathGlob(glob);
      for (const path of paths) expect(got(path), `${JSON.stringify(glob)} ${JSON.stringify(path)}`).toBe(want.test(path));
    }
  });

  it('takes linear time on hostile paths (the RegExp takes O(n^k))', () => {
    // `/a/[^/]*x[^/]*y[^/]*z[^/]*/b` against `/a/` + 4,000 × `xyz`: the RegExp retries every split.
    const long = `/a/${'xyz'.repeat(33_000)}`; // ~100 KB, no `/b` at the end
    const wide = `/${'a/'.repeat(50_000)}`;
    const cases: Array<[string, string]> = [
      ['/a/*x*y*z*/b', long],
      ['/a/*x*y*z*', `${long}/`],
      ['**/*a*a*a*b/**', wide],
      ['/**/a*/**/a*/**/b', wide],
      ['**a**a**a**b', `${'a'.repeat(100_000)}`],
      ['/?*?*?*/x', `/${'q'.repeat(100_000)}`],
      ['**/?a?', `${'/a'.repeat(50_000)}`],
    ];
    const t0 = performance.now();
    for (const [glob, path] of cases) {
      const test = compilePathGlob(glob);
      for (let r = 0; r < 100; r++) expect(test(path)).toBe(false);
    }
    // 700 matches of ~100 KB each: linear work is well under a second even on a loaded machine.
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(compilePathGlob('/a/*x*y*z*/b')(`${long}/b`)).toBe(true);
  });
});

describe('compilePathGlobSet', () => {
  it('is "one of the globs matches" (random subsets of shipped, odd and random globs, random paths)', () => {
    const rnd = mulberry32(4242);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const pool = [...SHIPPED, '/exact', '/pre**', '**/*.pt', '/a/*/b', '/**', '*', '?', 's3://*a*', 's3://*a*/x/**', 's3://b*/**', 's3://*ab*/**', 's3:/**', 's3://', 's3://**', '/data/**/x', ''];
    const bits = ['s3://', 'a', 'b', '/', 'x', 'data', '*', '**', '?', '.pt'];
    for (let i = 0; i < 30; i++) pool.push(Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => pick(bits)).join(''));
    const paths = ['/data/x', '/data', '/exact', '/exact/x', '/prefix', 's3://team-dataset/x', 's3://x/y', 's3://a', 's3://a/x', 's3://a/x/y', 's3://ba/q', 's3://', 's3:', 'gs://a-dataset-b', 'm.pt', '/a/q/b', '', '/', 'z', 'zz', '/tmp', '/tmpx', '\u00e9/a'];
    for (let i = 0; i < 30; i++) paths.push(Array.from({ length: Math.floor(rnd() * 6) }, () => pick(bits)).join(''));
    for (let round = 0; round < 400; round++) {
      const globs = pool.filter(() => rnd() < 0.15);
      const set = compilePathGlobSet(globs);
      const res = globs.map(oracle);
      for (const p of paths) expect(set(p), `${JSON.stringify(globs)} ${JSON.stringify(p)}`).toBe(res.some((r) => r.test(p)));
    }
    expect(compilePathGlobSet([])('/data')).toBe(false);
  });
});
