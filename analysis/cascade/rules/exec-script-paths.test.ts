/** exec-script-paths.ts: paths placed against a script's working directory, and what lies under a directory. */
import { describe, expect, it } from 'vitest';
import { changedDir, placePath, samePath, underDir } from './exec-script-paths.js';

describe('script paths', () => {
  it('places a path against the working directory, folding . and ..', () => {
    expect(placePath('', 'k/run')).toBe('k/run');
    expect(placePath('', './k//run')).toBe('k/run');
    expect(placePath('/tmp', './k/../x')).toBe('/tmp/x');
    expect(placePath('/tmp/k/bin', '../run.sh')).toBe('/tmp/k/run.sh');
    expect(placePath('/tmp', '/opt/./a/')).toBe('/opt/a');
    expect(placePath('/', '../../x')).toBe('/x');
    expect(placePath('', '../x')).toBe('../x');
    expect(placePath('k', '../../x')).toBe('../x');
    expect(placePath(null, 'x')).toBeNull();
    expect(placePath(null, '/x')).toBe('/x');
  });

  it('follows cd and pushd as far as the words say', () => {
    expect(changedDir('', ['cd', '/tmp'], 0)).toBe('/tmp');
    expect(changedDir('/tmp', ['cd', 'k'], 0)).toBe('/tmp/k');
    expect(changedDir('/tmp', ['cd', '-P', '--', '..'], 0)).toBe('/');
    expect(changedDir('', ['pushd', 'k'], 0)).toBe('k');
    for (const to of [[], ['-'], ['~'], ['~u/x'], ['$HOME'], ['a*'], ['+1']]) expect(changedDir('/tmp', ['cd', ...to], 0), to.join(' ')).toBeNull();
    expect(changedDir(null, ['cd', 'k'], 0)).toBeNull();
    expect(changedDir(null, ['cd', '/k'], 0)).toBe('/k');
  });

  it('says what lies under a directory', () => {
    expect(underDir('/tmp/k/run', '/tmp')).toBe(true);
    expect(underDir('/tmpx/run', '/tmp')).toBe(false);
    expect(underDir('/tmp', '/tmp')).toBe(false);
    expect(underDir('/usr/bin/x', '/')).toBe(true);
    expect(underDir('k/run', '')).toBe(true);
    expect(underDir('../k/run', '')).toBe(false);
    expect(underDir('/tmp/x', '')).toBe(false);
  });

  it('compares files as written, by last segment where either side has no directory', () => {
    expect(samePath('./x', 'x')).toBe(true);
    expect(samePath('x', '/tmp/x')).toBe(true);
    expect(samePath('/opt/x', '/tmp/x')).toBe(false);
    expect(samePath('', '')).toBe(false);
  });
});
