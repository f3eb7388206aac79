/**
 * Hostile bundles through the product command (`mlshield ingest … --json`, built from these sources), checked
 * by an independent oracle on the case file (hostile-fixtures/case-oracle.ts): every record put in
 * is stored or quarantined, per source and in all; stored raws are input lines; quarantine rows
 * carry file, line, offset, reason and head; nothing is written beside the case file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTar, buildZip, gzip } from './archive/fixture-archives.js';
import { auditLine, auditLines, jsonl } from './hostile-fixtures/audit-lines.js';
import { accountingProblems, readCase } from './hostile-fixtures/case-oracle.js';

/**
 * The command as built from these sources, into a folder of its own: `npm test` runs the unit
 * tests before `npm run build` (a fresh clone has no dist/), and a dist/ left by an earlier build
 * may be older than the sources. Inside node_modules/.cache so its bundles find the packages.
 */
const ROOT = resolve(import.meta.dirname, '../..');
let cliDir: string;
beforeAll(async () => {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  cliDir = mkdtempSync(join(cache, 'mlshield-hostile-cli-'));
  await build({
    entryPoints: { mlshield: join(ROOT, 'analysis/cli/mlshield.ts'), 'ingest-parse-worker': join(ROOT, 'analysis/ingest/parse-worker.ts') },
    outdir: cliDir, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning',
  });
  // bin/mlshield.js in small: run main, exit with its code.
  writeFileSync(join(cliDir, 'bin.mjs'), "const { main } = await import('./mlshield.js');\nprocess.exitCode = await main(process.argv.slice(2));\n");
}, 60_000);
afterAll(() => rmSync(cliDir, { recursive: true, force: true }));

let parent: string;
let dir: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'mlshield-hostile-'));
  dir = join(parent, 'work');
  mkdirSync(dir);
  writeFileSync(join(parent, 'sentinel'), ''); // so the parent listing is not trivially empty
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

function listingOf(p: string): string[] {
  return (readdirSync(p, { recursive: true }) as string[]).sort();
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [join(cliDir, 'bin.mjs'), ...args], { encoding: 'utf8', timeout: 15_000, cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mlshield ingest on a hostile tgz', () => {
  it('accounts for every record across files and nesting levels, refuses escapes, writes nothing else', () => {
    const a: string[] = [
      ...auditLines('A', 50),
      auditLine('A-3'), // the very same line again: a duplicate within the file
      auditLine('A-4', { stage: 'RequestReceived', time: '2024-05-01T09:59:59.900000Z' }), // another stage of A-4: merged
      '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"bad-utf8","user":{"username":"\xff\xfe"}}',
      auditLine('A-long', { padTo: (1 << 20) + 4096 }), // over the 1 MiB line limit
      '{"hello":"world","n":1}', // valid JSON, not an audit event
      auditLine('A-1970', { time: '1970-01-01T00:00:01Z' }),
      auditLine('A-2150', { time: '2150-06-01T00:00:00Z' }),
      auditLine('A-feb31', { time: '2023-02-31T10:00:00Z' }),
    ];
    // Invalid UTF-8: the line above is written in latin1 so \xff\xfe stay single bytes.
    const aBytes = Buffer.concat(a.map((l, i) => Buffer.from(l + (i === 9 ? '\n\n' : '\n'), l.includes('\xff') ? 'latin1' : 'utf8')));
    const bLines = [...auditLines('B', 20), ...auditLines('A', 5)]; // A-0..4: the same auditIDs as a.log (duplicates across files)
    const bText = jsonl(bLines);
    const cut = bText.indexOf('\n', 3000) - 40; // split inside a line: a multi-member gzip (logrotate, cat a.gz b.gz)
    const bGz = Buffer.concat([gzipSync(bText.slice(0, cut)), gzipSync(bText.slice(cut))]);
    const cLines = [...auditLines('C', 10), ...auditLines('B', 3)]; // across nested archives
    const cText = jsonl(cLines);
    const deep = buildZip([{ name: 'e.log', data: jsonl(auditLines('E', 4)) }]);
    const inner = gzip(buildTar([{ name: 'c.log', data: cText }, { name: 'd.zip', data: deep }]));
    const nested = buildZip([{ name: 'inner.tar.gz', data: inner, method: 8 }]);
    const longName = `logs/${'x'.repeat(140)}/long.log`;
    const longText = jsonl(auditLines('L', 3));
    const tgz = gzip(
      buildTar([
        { name: 'logs/a.log', data: aBytes },
        { name: 'logs/b.log.gz', data: bGz },
        { name: 'nested.zip', data: nested },
        { name: 'logs/empty.log', data: '' },
        { name: longName, data: longText, gnuLongName: true },
        { name: '../../escape.log', data: jsonl(auditLines('X', 2)) },
        { name: 'ok.log', data: jsonl(auditLines('P', 2)), pax: { path: '../pax-escape.log' } },
        { name: 'logs/link', type: '2', linkName: '../../../etc/passwd' },
        { name: 'logs/hard', type: '1', linkName: '/etc/shadow' },
      ]),
    );
    const bundle = join(dir, 'incident.tgz');
    writeFileSync(bundle, tgz);
    const parentBefore = listingOf(parent);
    const casePath = join(dir, 'case.sqlite');

    const run = cli('ingest', bundle, '--case', casePath, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { sources: { path: string; status: string; note?: string }[]; quarantined: number; events: number };

    const c = readCase(casePath);
    const problems = accountingProblems(c, {
      records: {
        'logs/a.log': 58,
        'logs/b.log.gz': 25,
        'nested.zip!/inner.tar.gz!/c.log': 13,
        // A zero-byte file is unrecognised content: accounted as one quarantined record with an empty head.
        'logs/empty.log': 1,
        [longName]: 3,
      },
      contents: {
        'logs/a.log': aBytes,
        'logs/b.log.gz': bText,
        'nested.zip!/inner.tar.gz!/c.log': cText,
        [longName]: longText,
      },
    });
    expect(problems).toEqual([]);
    expect(out.quarantined).toBe(c.quarantine.length);

    // Each bad line is quarantined with its own reason; duplicates name the auditID.
    const reasons = (path: string): string[] => c.quarantine.filter((q) => q.path === path).map((q) => `${q.line} ${q.reason}`);
    const aReasons = reasons('logs/a.log');
    expect(aReasons.length).toBe(7); // dup A-3, utf8, long, not-audit, 1970, 2150, feb31
    expect(aReasons.join('\n')).toMatch(/^52 duplicate record: auditID A-3 /m) // (an empty line 11 shifts the numbers);
    expect(aReasons.join('\n')).toMatch(/^54 invalid UTF-8/m);
    expect(reasons('logs/b.log.gz').length).toBe(5);
    expect(reasons('nested.zip!/inner.tar.gz!/c.log').length).toBe(3);
    expect(reasons('logs/empty.log')).toEqual([expect.stringMatching(/^1 content not recognised/)]);

    // Refusals: zip slip by name and by pax path, links, the fourth nesting level.
    const refused = out.sources.filter((s) => s.status === 'refused').map((s) => `${s.path}: ${s.note}`);
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/escape\.log: .*zip slip/),
        expect.stringMatching(/pax-escape\.log: .*zip slip/),
        expect.stringMatching(/logs\/link: symbolic link/),
        expect.stringMatching(/logs\/hard: hard link/),
        expect.stringMatching(/d\.zip: archive nested deeper than 3/),
      ]),
    );
    expect(refused.length).toBe(5);

    // Nothing beside the case file: the parent folder holds what it held plus the case file set.
    const after = listingOf(parent);
    const added = after.filter((n) => !parentBefore.includes(n));
    expect(added.every((n) => /^work\/case\.sqlite(-wal|-shm|-journal)?$/.test(n)), added.join(', ')).toBe(true);
  });

  it('re-ingesting adds nothing, even when the same files come in another container', () => {
    const logs = { a: jsonl(auditLines('R', 30)), b: jsonl(auditLines('S', 20)) };
    writeFileSync(join(dir, 'first.tgz'), gzip(buildTar([{ name: 'a.log', data: logs.a }, { name: 'b.log', data: logs.b }])));
    writeFileSync(join(dir, 'second.zip'), buildZip([{ name: 'other/a.log', data: logs.a, method: 8 }, { name: 'b.log', data: logs.b }]));
    const casePath = join(dir, 'case.sqlite');
    expect(cli('ingest', join(dir, 'first.tgz'), '--case', casePath, '--json').code).toBe(0);
    const before = readCase(casePath);
    for (const again of ['first.tgz', 'second.zip']) {
      const run = cli('ingest', join(dir, again), '--case', casePath, '--json');
      expect(run.code).toBe(0);
      const out = JSON.parse(run.stdout) as { sources: { status: string }[]; events: number; quarantined: number };
      expect(out.sources.map((x) => x.status)).toEqual(['duplicate', 'duplicate']);
      expect([out.events, out.quarantined]).toEqual([0, 0]);
      expect(readCase(casePath)).toEqual(before);
    }
    expect(accountingProblems(before, { records: { 'a.log': 30, 'b.log': 20 }, contents: logs })).toEqual([]);
  });

  it('the bomb limits are configurable: --max-ratio and --max-bytes refuse what the defaults accept', () => {
    // Highly repetitive but real-looking records: about 40:1, under the default 200:1.
    const text = jsonl(Array.from({ length: 12_000 }, (_, i) => auditLine(`Z-${i}`)));
    const bundle = join(dir, 'rep.log.gz');
    writeFileSync(bundle, gzipSync(text));
    const ratio = text.length / gzipSync(text).length;
    expect(ratio).toBeGreaterThan(20);
    expect(ratio).toBeLessThan(200);
    const ok = cli('ingest', bundle, '--case', join(dir, 'ok.sqlite'), '--json');
    expect(JSON.parse(ok.stdout).sources[0]).toMatchObject({ status: 'ok', read: 12_000, stored: 12_000 });
    for (const [flag, value, message] of [['--max-ratio', '10', /inflates more than 10 times/], ['--max-bytes', String(2 << 20), /past 2097152/]] as const) {
      const casePath = join(dir, `${flag.slice(2)}.sqlite`);
      const run = cli('ingest', bundle, '--case', casePath, '--json', flag, value);
      expect(run.code, flag).toBe(0);
      const src = JSON.parse(run.stdout).sources[0] as { status: string; note: string; read: number };
      expect(src.status, flag).toBe('error');
      expect(src.note, flag).toMatch(message);
      // What was read before the stop is accounted for, and is less than the whole.
      const c = readCase(casePath);
      expect(src.read, flag).toBeLessThan(12_000);
      expect(c.sources[0]!.records_read, flag).toBe(c.sources[0]!.records_stored + c.sources[0]!.records_quarantined);
    }
  });

  it('a folder bundle: symbolic links to files and folders outside are refused, never followed', () => {
    const outside = join(parent, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.log'), jsonl(auditLines('SECRET', 3)));
    const bundle = join(dir, 'bundle');
    mkdirSync(join(bundle, 'logs'), { recursive: true });
    writeFileSync(join(bundle, 'logs', 'a.log'), jsonl(auditLines('F', 4)));
    symlinkSync(join(outside, 'secret.log'), join(bundle, 'logs', 'link.log'));
    symlinkSync(outside, join(bundle, 'dirlink'));
    const run = cli('ingest', bundle, '--case', join(dir, 'case.sqlite'), '--json');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { sources: { path: string; status: string; note?: string }[] };
    expect(out.sources.filter((x) => x.status === 'refused').map((x) => `${x.path}: ${x.note}`).sort()).toEqual([
      'dirlink: symbolic link (not followed)',
      'logs/link.log: symbolic link (not followed)',
    ]);
    const c = readCase(join(dir, 'case.sqlite'));
    expect(c.events.some((e) => (e.audit_id ?? '').startsWith('SECRET'))).toBe(false);
    expect(accountingProblems(c, { records: { 'logs/a.log': 4 } })).toEqual([]);
  });

  it('an unreadable bundle exits 1 with one sentence naming the file', () => {
    const roots: Record<string, Uint8Array | string> = {
      'empty.zip': '',
      'text.zip': 'this is not an archive',
      'garbage.tgz': gzipSync('not a tar '.repeat(100)),
      'double.log.gz': gzipSync(gzipSync('{"a":1}\n')),
      // An end record announcing 5 entries in a 65535-byte directory that is not there.
      'lying-eocd.zip': Buffer.from('504b0506000000000500050000ff0000000000000000', 'hex'),
      'zeros.tar': Buffer.alloc(2048),
    };
    for (const [name, bytes] of Object.entries(roots)) writeFileSync(join(dir, name), bytes);
    const cases = [...Object.keys(roots), 'missing.tgz'];
    for (const name of cases) {
      const run = cli('ingest', join(dir, name), '--case', join(dir, `${name}.sqlite`), '--json');
      expect(run.code, name).toBe(1);
      expect(run.stdout, name).toBe('');
      const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines, name).toHaveLength(1);
      expect(lines[0], name).toContain(name);
    }
    // Nothing but (possibly empty) case files beside the inputs.
    const extra = listingOf(dir).filter((f) => !cases.includes(f) && !/\.sqlite(-wal|-shm|-journal)?$/.test(f));
    expect(extra).toEqual([]);
  });
});
