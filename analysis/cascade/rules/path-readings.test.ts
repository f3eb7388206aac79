/**
 * Allow and deny lists judged in every plausible reading of a path (path-readings.ts): a deny
 * entry matches when ANY reading does (a server that decodes `%2F` then resolves `..`; aws-cli
 * keeping `%2F` in the key), an allow entry counts only when EVERY reading does; data-path globs
 * are brought to the paths' spelling when the spec is compiled. Before: one reading only, so
 * `x/..%2Fpublic` passed a deny on `public/**`, and a glob written with non-ASCII or an escape of
 * an unreserved character alerted on the path it names.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import type { EventRecord } from '../../core/records.js';
import { createRuleEngine } from './engine.js';
import { parseDestination } from './egress-match.js';
import { resolveUrlPath } from './dot-segments.js';
import { loadRuleSet } from './rule-loader.js';
import { dataGlobReading, destinationUrlPath, entryReadsPath, firstDataPathReading, otherDataPathReadings, otherDestinationReadings, otherUrlPathReadings } from './path-readings.js';
import { appEvent, T0 } from './fixtures.test-support.js';

const DENY = `kind: BehaviouralSpec
id: SPEC-RD-DENY
title: deny in any reading
selector: {namespaces: ['ml-*']}
egress:
  deny: ['s3://corp-ckpt/public/**', 'https://storage.example.com/exports/*.pt', 's3://corp-ckpt/exports/*.pt', 'transfer.sh']
`;

const ALLOW = `kind: BehaviouralSpec
id: SPEC-RD-ALLOW
title: allow in every reading
selector: {namespaces: ['ml-*']}
egress:
  allow: ['s3://corp-ckpt/runs/**', 'huggingface.co', 'https://models.example.com/模型/**']
  rate: {window: 10m, max_bytes: 1MiB, exempt: ['s3://corp-ckpt/runs/**']}
`;

const DATA = `kind: BehaviouralSpec
id: SPEC-RD-DATA
title: data paths in every reading
selector: {namespaces: ['ml-*']}
data:
  paths:
    - {glob: 's3://corp-ml/runs/**', operations: [read, write]}
    - {glob: 's3://corp-ml/prod/**', operations: [read]}
    - {glob: 'gs://corp-ml/模型/**', operations: [read]}
    - {glob: 's3://corp-ml/%7Eteam/**', operations: [read, write]}
    - {glob: 'https://files.example.com/up/*.bin', operations: [write]}
    - {glob: '/data/**', operations: [read]}
`;

function engine(text: string) {
  const set = loadRuleSet([{ path: 'r.yaml', text }]);
  expect(set.errors).toEqual([]);
  return createRuleEngine(set.rules);
}

const j: Partial<EventRecord> = { job: 'ml-train/a', namespace: 'ml-train' };
let clock = T0;
const fields = (e: ReturnType<typeof engine>, action: string, attrs: Record<string, unknown>) =>
  e.evaluate(appEvent((clock += 60e6), action, j, attrs)).map((h) => h.ruleId.slice(h.ruleId.indexOf('/') + 1));

describe('egress.deny matches when any reading does', () => {
  const deny = engine(DENY);
  it.each([
    // A decoding server: `%2F` / `%5C` / `\` are separators before `..` is resolved.
    's3://corp-ckpt/x/..%2Fpublic/m.pt', 's3://corp-ckpt/runs/..%2F..%2Fpublic/m.pt', 'S3://CORP-ckpt/runs/..%2F..%2Fpublic', 's3://corp-ckpt/x/..%5Cpublic/m.pt',
    's3://corp-ckpt/x\\..\\public/m.pt', 's3://corp-ckpt/x/..%2fpublic/m.pt', 'https://storage.example.com/x/..%2Fexports/m.pt', 'https://storage.example.com/x/..%5cexports/m.pt',
    // aws-cli keeps `%2F` in the key: one object directly under exports/ whose name ends in .pt.
    's3://corp-ckpt/exports/a%2Fm.pt', 's3://corp-ckpt/exports/a%2f..%2Fm.pt',
  ])('%s', (dest) => {
    expect(fields(deny, 'upload', { destination: dest })).toEqual(['egress.deny']);
  });

  it('benign paths and hosts do not start alerting', () => {
    for (const d of [
      's3://corp-ckpt/runs/a%2Fb/m.pt', 's3://corp-ckpt/publicity%2Fx', 's3://corp-ckpt/runs/%70ub/m.pt', 'https://storage.example.com/exports/sub%2Fm.pt', 'https://storage.example.com/exports/a%2F..%2Fsub/m.pt',
      'https://huggingface.co/a%2F..%2Fb', 'https://transfer.sh.example.com/x%2F..', 's3://corp-ckpt/exports/sub/m.pt', 's3://corp-ckpt/exports/m.ptx%2F', 'https://x.example/%E6%A8%A1\\a',
    ]) {
      expect(fields(deny, 'upload', { destination: d }), d).toEqual([]);
    }
  });
});

describe('egress.allow and rate exemptions count only when every reading does', () => {
  const allow = engine(ALLOW);
  it('an allow-listed destination that one reading puts outside the list is flagged', () => {
    for (const d of ['s3://corp-ckpt/runs/..%2Fpublic/m.pt', 's3://corp-ckpt/runs/x/..%2F..%2F..%2Fsecrets/k', 's3://corp-ckpt/runs\\..\\public/m', 'https://models.example.com/模型/..%2F..%2Fadmin', 's3://corp-ckpt/runs/..%5Cpublic']) {
      expect(fields(allow, 'upload', { destination: d }), d).toEqual(['egress.allow']);
    }
  });

  it('spellings every reading keeps inside stay allowed', () => {
    for (const d of ['s3://corp-ckpt/runs/a%2Fb/m.pt', 'https://huggingface.co/x/..%2F..%2Fy', 's3://corp-ckpt/runs/%E6%A8%A1/m.pt', 'https://models.example.com/%E6%A8%A1%E5%9E%8B/x%2Fy', 's3://corp-ckpt/runs/a/..%2Fb', 's3://corp-ckpt/runs/a\\b']) {
      expect(fields(allow, 'upload', { destination: d }), d).toEqual([]);
    }
  });

  it('bytes to a destination exempt in one reading only are counted', () => {
    const e = engine(ALLOW);
    expect(fields(e, 'upload', { destination: 's3://corp-ckpt/runs/m.pt', bytes: 3 << 20 })).toEqual([]);
    expect(fields(e, 'upload', { destination: 's3://corp-ckpt/runs/a%2Fb.pt', bytes: 3 << 20 })).toEqual([]);
    expect(fields(e, 'upload', { destination: 's3://corp-ckpt/runs/..%2Fpublic/m.pt', bytes: 3 << 20 })).toEqual(['egress.allow', 'egress.rate']);
  });
});

describe('data paths: every reading must be allowed, and globs are normalised when compiled', () => {
  const e = engine(DATA);
  it('a reading in a glob that forbids the operation, or outside every glob, alerts', () => {
    expect(fields(e, 'file_access', { path: 's3://corp-ml/runs/..%2Fprod/m.pt', operation: 'write' })).toEqual(['data.operations']);
    expect(fields(e, 'file_access', { path: 's3://corp-ml/runs/x/..%2F..%2F..%2Fetc/k', operation: 'read' })).toEqual(['data.paths']);
    expect(fields(e, 'file_access', { path: 's3://corp-ml/runs\\..\\prod\\m.pt', operation: 'write' })).toEqual(['data.operations']);
    expect(fields(e, 'file_access', { path: 'https://files.example.com/up/x/..%2F..%2Fadmin.bin', operation: 'write' })).toEqual(['data.paths']);
  });

  it('a glob written with non-ASCII or an escaped unreserved character matches the paths it names (was: data.paths)', () => {
    for (const p of ['gs://corp-ml/模型/w.bin', 'gs://corp-ml/%E6%A8%A1%E5%9E%8B/w.bin', 'gs://corp-ml/%e6%a8%a1%e5%9e%8b/a/b']) {
      expect(fields(e, 'file_access', { path: p, operation: 'read' }), p).toEqual([]);
    }
    for (const p of ['s3://corp-ml/~team/x', 's3://corp-ml/%7eteam/x', 's3://corp-ml/%7Eteam/a%2Fb']) {
      expect(fields(e, 'file_access', { path: p, operation: 'write' }), p).toEqual([]);
    }
  });

  it('benign spellings stay quiet; a local path has one reading', () => {
    const ok: Array<[string, string]> = [
      ['s3://corp-ml/runs/a%2Fb.pt', 'write'], ['s3://corp-ml/runs/a%20b', 'write'], ['s3://corp-ml/prod/a%2F..%2Fb', 'read'], ['https://files.example.com/up/a%2Eb.bin', 'write'],
      ['/data/x%2F..%2F..%2Fetc', 'read'], ['/data/a\\..\\..\\etc', 'read'],
    ];
    for (const [p, op] of ok) expect(fields(e, 'file_access', { path: p, operation: op }), p).toEqual([]);
  });
});

describe('path-readings', () => {
  it('one reading without `%` or `\\`: nothing computed', () => {
    const d = parseDestination('s3://b/x/../y')!;
    expect(otherDestinationReadings('s3://b/x/../y', d)).toBeNull();
    expect(otherDataPathReadings('s3://b/x/../y', firstDataPathReading('s3://b/x/../y'))).toBeNull();
    expect(otherDataPathReadings('/data/x%2F..%2Fy', '/data/x%2F..%2Fy')).toBeNull();
    const plain = 's3://bucket/runs/1/m.pt';
    expect(firstDataPathReading(plain)).toBe(plain);
  });

  it('the readings, deduplicated, in order', () => {
    const text = 's3://b/x/..%2Fy';
    expect(parseDestination(text)!.path).toBe('/x/../y');
    expect(otherDestinationReadings(text, parseDestination(text)!)!.map((r) => r.path)).toEqual(['/y', '/x/..%2Fy']);
    // A special scheme's server decodes the path: no literal-key reading.
    expect(otherDestinationReadings('https://h/x/..%2Fy', parseDestination('https://h/x/..%2Fy')!)!.map((r) => r.path)).toEqual(['/y']);
    // `%2F` without a dot segment: the decoding server reads what the object store reads.
    expect(otherDestinationReadings('s3://b/a%2Fb', parseDestination('s3://b/a%2Fb')!)!.map((r) => r.path)).toEqual(['/a%2Fb']);
    expect(otherDestinationReadings('s3://b/%70ublic', parseDestination('s3://b/%70ublic')!)).toBeNull();
    expect(otherUrlPathReadings('/a\\..\\b?q=%2F', false, '/a\\..\\b?q=%2F')).toEqual(['/b?q=%2F']);
    expect(otherDataPathReadings('gs://b/模型/..%2Fx', firstDataPathReading('gs://b/模型/..%2Fx'))).toEqual(['gs://b/x', 'gs://b/%E6%A8%A1%E5%9E%8B/..%2Fx']);
    expect(firstDataPathReading('gs://b/模型/x')).toBe('gs://b/%E6%A8%A1%E5%9E%8B/x');
  });

  it('data globs and entries', () => {
    expect(dataGlobReading('s3://b/%7eteam/模型/*.pt')).toBe('s3://b/~team/%E6%A8%A1%E5%9E%8B/*.pt');
    expect(dataGlobReading('s3://b/a%2fb/**')).toBe('s3://b/a/b/**');
    expect(dataGlobReading('/data/%7e/**')).toBe('/data/%7e/**');
    expect(entryReadsPath('s3://b/x/**')).toBe(true);
    for (const t of ['s3://b', 's3://b/', 'transfer.sh', '10.0.0.0/8', '*.svc']) expect(entryReadsPath(t), t).toBe(false);
  });

  it('fuzz: the split agrees with parseDestination, readings are distinct, nothing throws', () => {
    const r = mulberry32(4242);
    const seeds = ['s3://corp-ckpt/runs/a/m.pt', 'https://user@host.example:443/a/b?q#f', 'HTTPS:\\\\h\\x', 'gs://b/模型/x', 'host.example/p', 'http://[fd00::1]/x', 'ftp:h/x', 'a:b://c/d'];
    const bits = ['%2F', '%2f', '%5C', '\\', '..', '.', '/', '%2e', '%', '?', '#', '\t', '@', ':', '%25', '模', ' '];
    for (let i = 0; i < 4000; i++) {
      let s = seeds[Math.floor(r() * seeds.length)]!;
      const n = 1 + Math.floor(r() * 6);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(r() * (s.length + 1));
        s = s.slice(0, at) + bits[Math.floor(r() * bits.length)]! + s.slice(at);
      }
      const d = parseDestination(s);
      const split = destinationUrlPath(s);
      if (d !== null && d.path !== '') {
        expect(split, s).not.toBeNull();
        expect(resolveUrlPath(split!.path, true), s).toBe(d.path);
      }
      if (d === null) continue;
      const more = otherDestinationReadings(s, d);
      if (more === null) continue;
      const paths = [d.path, ...more.map((x) => x.path)];
      expect(new Set(paths).size, s).toBe(paths.length);
      expect(paths.length).toBeLessThanOrEqual(3);
      for (const x of more) expect([x.scheme, x.host]).toEqual([d.scheme, d.host]);
    }
  });
});
