/**
 * `mlshield ingest` in-process through main(argv): archive warnings in --json (per source, beside
 * the documented keys) and in the human summary; an unreadable bundle leaves no case file behind
 * when the command created it, and never removes a case file that was there before.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { buildZip } from '../ingest/archive/fixture-archives.js';
import { zipHiding } from '../ingest/archive/hidden-zip.test-support.js';
import { main } from './mlshield.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-ingest-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const audit = (id: string): string =>
  `${JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: id, stage: 'ResponseComplete', requestURI: '/api/v1/namespaces/ml/pods', verb: 'list', user: { username: 'alice' }, objectRef: { resource: 'pods', namespace: 'ml' }, requestReceivedTimestamp: '2024-05-01T10:00:00.000000Z', stageTimestamp: '2024-05-01T10:00:00.100000Z' })}\n`;

/** An EOCD record whose directory cannot be where it says, and no local header: unreadable. */
function unreadableZip(): Buffer {
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46, 12);
  return eocd;
}

describe('mlshield ingest: archive warnings', () => {
  it('--json lists them per source next to the documented keys; none, no key', async () => {
    const bundle = join(dir, 'b.zip');
    writeFileSync(bundle, zipHiding([{ name: 'a.log', data: audit('a1') }, { name: 'b.log', data: audit('b1') }, { name: 'hidden.log', data: audit('h1') }], ['hidden.log']));
    const run = await cli('ingest', bundle, '--case', join(dir, 'c.sqlite'), '--json');
    expect(run.code).toBe(0);
    const j = JSON.parse(run.out) as { sources: Record<string, unknown>[] };
    expect(j.sources.map((s) => s.path)).toEqual(['a.log', 'b.log', 'hidden.log']);
    expect(Object.keys(j.sources[0]!)).toEqual(['path', 'kind', 'sha256', 'bytes', 'read', 'stored', 'quarantined', 'status', 'warnings']);
    expect(j.sources[0]!.warnings).toEqual([expect.stringMatching(/"hidden\.log" at byte \d+ is not in the central directory/)]);
    expect(j.sources[1]).not.toHaveProperty('warnings');
    expect(j.sources[2]!.read).toBe(1);
  });

  it('the human summary prints them with the source they belong to', async () => {
    const bundle = join(dir, 'crc.zip');
    writeFileSync(bundle, buildZip([{ name: 'a.log', data: audit('a1'), crc: 9 }]));
    const run = await cli('ingest', bundle, '--case', join(dir, 'c.sqlite'), '--progress', 'none');
    expect(run.code).toBe(0);
    expect(run.out).toContain('Archive warnings');
    expect(run.out).toContain('  a.log: crc.zip: CRC-32 mismatch in a.log (read anyway)');
  });
});

describe('mlshield ingest: an unreadable bundle', () => {
  it('exits 1 and leaves no case file when the command created it', async () => {
    const bundle = join(dir, 'eocd.zip');
    writeFileSync(bundle, unreadableZip());
    const casePath = join(dir, 'new.sqlite');
    const run = await cli('ingest', bundle, '--case', casePath, '--json');
    expect(run.code).toBe(1);
    expect(run.err).toBe('mlshield ingest: eocd.zip is not a readable zip archive (no central directory, no local file headers)\n');
    expect(readdirSync(dir)).toEqual(['eocd.zip']); // no case.sqlite, -wal, -shm or -journal
    expect(existsSync(casePath)).toBe(false);
  });

  it('keeps a case file that existed before, with what it held', async () => {
    const good = join(dir, 'a.log');
    writeFileSync(good, audit('a1'));
    const casePath = join(dir, 'case.sqlite');
    expect((await cli('ingest', good, '--case', casePath, '--json')).code).toBe(0);
    const bad = join(dir, 'eocd.zip');
    writeFileSync(bad, unreadableZip());
    expect((await cli('ingest', bad, '--case', casePath, '--json')).code).toBe(1);
    expect(statSync(casePath).size).toBeGreaterThan(0);
    const store = CaseStore.open(casePath, { readonly: true });
    expect(store.db.prepare('SELECT path FROM sources').pluck().all()).toEqual(['a.log']);
    store.close();
    // An empty file named as the case (made by someone else) is not the command's to remove either.
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    expect((await cli('ingest', bad, '--case', empty, '--json')).code).toBe(1);
    expect(existsSync(empty)).toBe(true);
  });
});
