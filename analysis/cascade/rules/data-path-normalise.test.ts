/**
 * Data-path spellings against a spec's path globs (dot-segments.ts `resolveDataPath`): repeated
 * slashes, trailing slashes and `./` never move a path under a glob with more operations (local
 * paths are POSIX-normalised; URL paths keep empty segments, which are part of an object key, so
 * such a path matches fewer globs, not more); an encoded slash in an object URL did (was:
 * `s3://corp-ml/train%2Fx.csv` written through `s3://corp-ml/*.csv`, although S3 stores it as
 * `train/x.csv`, read-only).
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { createRuleEngine } from './engine.js';
import { resolveDataPath } from './dot-segments.js';
import { loadRuleSet } from './rule-loader.js';
import { appEvent, T0 } from './fixtures.test-support.js';

const SPEC = `kind: BehaviouralSpec
id: SPEC-PATHS
title: data path spellings
selector: {namespaces: ['ml-*']}
data:
  paths:
    - {glob: '/data/train/**', operations: [read]}
    - {glob: '/data/*.csv', operations: [read, write]}
    - {glob: '/ckpt/*.pt', operations: [write]}
    - {glob: 's3://corp-ml/train/**', operations: [read]}
    - {glob: 's3://corp-ml/*.csv', operations: [read, write]}
`;

function engine() {
  const set = loadRuleSet([{ path: 'p.yaml', text: SPEC }]);
  expect(set.errors).toEqual([]);
  return createRuleEngine(set.rules);
}

const j: Partial<EventRecord> = { job: 'ml-train/a', namespace: 'ml-train' };
const fields = (e: ReturnType<typeof engine>, path: string, operation: string) =>
  e.evaluate(appEvent(T0, 'file_access', j, { path, operation })).map((h) => h.ruleId.slice(h.ruleId.indexOf('/') + 1));

describe('data paths: spellings do not move a path under a more permissive glob', () => {
  const e = engine();
  it('an encoded slash in an object URL is a separator (was: allowed through *.csv)', () => {
    for (const p of ['s3://corp-ml/train%2Fx.csv', 's3://corp-ml/train%2fx.csv', 's3://corp-ml/%74rain%2Fx.csv', 's3://corp-ml/train%2F.%2Fx.csv']) {
      expect(fields(e, p, 'write'), p).toEqual(['data.operations']);
    }
    expect(fields(e, 's3://corp-ml/a%2Fb.csv', 'write')).toEqual(['data.paths']);
  });

  it('repeated slashes, trailing slashes and ./ (checked: they did not evade)', () => {
    for (const p of ['/data//train/x.csv', '/data/train//x.csv', '/data/train/./x.csv', '/data/./train/x.csv', '//data/train/x.csv', '/data/train/x.csv/', '/data/train/x/../y.csv', '/data/.//train/x.csv']) {
      expect(fields(e, p, 'write'), p).toEqual(['data.operations']);
    }
    for (const p of ['s3://corp-ml/train//x.csv', 's3://corp-ml/train/./x.csv', 's3://corp-ml/train/x.csv/', 's3://corp-ml/./train/x.csv']) {
      expect(fields(e, p, 'write'), p).toEqual(['data.operations']);
    }
    // An empty segment is part of an object key: `//train/x` is not under `train/`, and no glob names it.
    for (const p of ['s3://corp-ml//train/x.csv', 's3://corp-ml//x.csv', '/ckpt/m.pt/']) expect(fields(e, p, 'write'), p).toEqual(['data.paths']);
  });

  it('benign spellings stay quiet', () => {
    const ok: Array<[string, string]> = [
      ['/data/train//x', 'read'], ['/data/./x.csv', 'write'], ['/ckpt//m.pt', 'write'], ['/ckpt/./m.pt', 'write'],
      ['s3://corp-ml/./x.csv', 'write'], ['s3://corp-ml/x%2Ecsv', 'write'], ['s3://corp-ml/tr%61in/x', 'read'], ['s3://corp-ml/train/%2e/x', 'read'],
      // A local file name may hold `%2F`: it is not a separator there.
      ['/data/train%2Fx.csv', 'write'],
    ];
    for (const [p, op] of ok) expect(fields(e, p, op), p).toEqual([]);
  });
});

describe('resolveDataPath', () => {
  it('local paths: POSIX; URL paths: escapes normalised, dot segments, then %2F as /', () => {
    expect(resolveDataPath('/data//a/./b/')).toBe('/data/a/b/');
    expect(resolveDataPath('/data/%2e%2e/x%2Fy')).toBe('/data/%2e%2e/x%2Fy');
    expect(resolveDataPath('s3://b/a/%2E%2e/%7euser/x%2fy%3F?q=%2F')).toBe('s3://b/~user/x/y%3F?q=%2F');
    expect(resolveDataPath('s3://b/a/..%2Fc')).toBe('s3://b/a/../c');
    expect(resolveDataPath('gs://b/模型/x')).toBe('gs://b/模型/x');
    const same = 's3://b/plain/key';
    expect(resolveDataPath(same)).toBe(same);
  });
});
