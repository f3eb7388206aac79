/**
 * Self-extracting zips (a stub, then a zip archive) in incident bundles: recognised by content
 * wherever they lie (the bundle itself, a folder, a tar, a zip entry stored or deflated) and
 * walked like any nested zip, with the same depth, bomb and zip-slip refusals, and a warning that
 * says how many bytes came before the archive. Formerly a nested one was sniffed 'unknown' and
 * quarantined as one record, and a root `.zip` with a stub was rejected outright.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTar, buildZip, exeStub, gzip, type ZipSpec } from './archive/fixture-archives.js';
import type { ArchiveLimits } from './archive/limits.js';
import { memoryBundleRoot } from './archive/memory-root.js';
import { walkBundle, type BundleItem } from './bundle.js';
import { auditLines, jsonl } from './hostile-fixtures/audit-lines.js';
import { accountingProblems } from './hostile-fixtures/case-oracle.js';
import { ingestInMemory } from './hostile-fixtures/ingest-in-memory.js';

async function walk(files: Record<string, Uint8Array> | Uint8Array, limits?: Partial<ArchiveLimits>, name = 'bundle'): Promise<BundleItem[]> {
  const out: BundleItem[] = [];
  for await (const item of walkBundle(memoryBundleRoot(name, files), limits)) out.push(item);
  return out;
}
const line = (i: BundleItem): string => (i.kind === 'file' ? `${i.path} ${i.sniffed} d${i.depth}` : `${i.path} REFUSED ${i.reason}`);

const EV = '{"ts":"2024-05-01T10:00:00Z","action":"checkpoint_save","job_id":"llama-ft","user":"alice"}\n';
const SPECS: ZipSpec[] = [
  { name: 'app/events.jsonl', data: EV, method: 8 },
  { name: 'notes.jsonl', data: EV.repeat(2) },
];
const STUB = exeStub(2048);
const sfx = (opts: { absoluteOffsets?: boolean } = {}, specs = SPECS): Uint8Array => buildZip(specs, { prefix: STUB, ...opts });

describe('a self-extracting zip inside a bundle', () => {
  it('in a folder: its entries are walked, and the first carries the prefix warning (either offset style)', async () => {
    for (const absoluteOffsets of [false, true]) {
      const items = await walk({ 'tools/setup.exe': sfx({ absoluteOffsets }), 'z.jsonl': Buffer.from(EV) });
      expect(items.map(line)).toEqual(['tools/setup.exe!/app/events.jsonl app_events d1', 'tools/setup.exe!/notes.jsonl app_events d1', 'z.jsonl app_events d0']);
      expect(items[0]!.warnings).toEqual([expect.stringMatching(/^tools\/setup\.exe: 2048 bytes of data before the zip archive \(/)]);
      expect(items[1]!.warnings).toEqual([]);
    }
  });

  it('in a tar (held in memory, or streamed past the buffering limit), a tgz, and a zip (stored or deflated)', async () => {
    const exe = sfx();
    const tar = buildTar([{ name: 'bin/x.exe', data: exe }]);
    const zipStored = buildZip([{ name: 'x.exe', data: exe }]);
    const zipDeflated = buildZip([{ name: 'x.exe', data: exe, method: 8 }]);
    for (const limits of [{}, { maxBufferedEntryBytes: 0 }]) {
      const items = await walk({ 't.tar': tar, 't.tgz': gzip(tar), 's.zip': zipStored, 'd.zip': zipDeflated }, limits);
      expect(items.map(line)).toEqual([
        'd.zip!/x.exe!/app/events.jsonl app_events d2',
        'd.zip!/x.exe!/notes.jsonl app_events d2',
        's.zip!/x.exe!/app/events.jsonl app_events d2',
        's.zip!/x.exe!/notes.jsonl app_events d2',
        't.tar!/bin/x.exe!/app/events.jsonl app_events d2',
        't.tar!/bin/x.exe!/notes.jsonl app_events d2',
        't.tgz!/bin/x.exe!/app/events.jsonl app_events d2',
        't.tgz!/bin/x.exe!/notes.jsonl app_events d2',
      ]);
      for (const i of items.filter((_, n) => n % 2 === 0)) expect(i.warnings!.join(), i.path).toMatch(/x\.exe: 2048 bytes of data before the zip archive/);
      for (const i of items) {
        if (i.kind !== 'file') continue;
        const parts: Uint8Array[] = [];
        for await (const c of i.open()) parts.push(c);
        expect(Buffer.concat(parts).toString(), i.path).toBe(i.path.endsWith('notes.jsonl') ? EV.repeat(2) : EV);
      }
    }
  });

  it('is the bundle itself, named .zip or .exe', async () => {
    for (const name of ['bundle.zip', 'bundle.exe']) {
      const items = await walk(sfx({ absoluteOffsets: true }), {}, name);
      expect(items.map(line)).toEqual(['app/events.jsonl app_events d1', 'notes.jsonl app_events d1']);
      expect(items[0]!.warnings!.join()).toMatch(new RegExp(`^${name.replace('.', '\\.')}: 2048 bytes of data before the zip archive`));
    }
  });

  it('keeps the depth limit, zip-slip, link and bomb refusals of any nested zip', async () => {
    expect((await walk({ 'x.exe': sfx() }, { maxDepth: 0 })).map(line)).toEqual(['x.exe REFUSED archive nested deeper than 0 levels; not opened']);
    const hostile = sfx({}, [
      { name: '../../etc/cron.d/evil', data: EV },
      { name: 'link', data: '/etc/passwd', unixMode: 0o120777 },
      { name: 'bomb.jsonl', data: Buffer.alloc(4 << 20), method: 8 },
      { name: 'ok.jsonl', data: EV },
    ]);
    const items = await walk({ 'x.exe': hostile });
    expect(items.map(line)).toEqual([
      expect.stringMatching(/^x\.exe!\/\.\.\/\.\.\/etc\/cron\.d\/evil REFUSED .*zip slip/),
      expect.stringMatching(/^x\.exe!\/bomb\.jsonl REFUSED decompression bomb/),
      'x.exe!/link REFUSED symbolic link (not followed)',
      'x.exe!/ok.jsonl app_events d1',
    ]);
    expect(items[0]!.warnings!.join()).toMatch(/x\.exe: 2048 bytes of data before the zip archive/);
  });

  it('a file whose tail only looks like a zip end stays one unknown file, without warnings', async () => {
    const fake = Buffer.concat([STUB, Buffer.from([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0, 46, 0, 0, 0, 16, 0, 0, 0, 0, 0])]);
    const items = await walk({ 'x.bin': fake });
    expect(items.map(line)).toEqual(['x.bin unknown d0']);
    expect(items[0]!.warnings).toEqual([]);
  });

  it('a deflated entry over maxNestedArchiveBytes is not probed: one unknown file, read as before', async () => {
    const items = await walk({ 'd.zip': buildZip([{ name: 'x.exe', data: sfx(), method: 8 }]) }, { maxNestedArchiveBytes: 1000 });
    expect(items.map(line)).toEqual(['d.zip!/x.exe unknown d1']);
  });
});

describe('a self-extracting zip, end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlshield-sfx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every record inside is read and accounted for, and the source keeps the prefix warning', async () => {
    const A = jsonl(auditLines('A', 12));
    const B = jsonl(auditLines('B', 5));
    const C = jsonl(auditLines('C', 7));
    const exe = buildZip([{ name: 'audit/a.log', data: A, method: 8 }, { name: 'b.log', data: B }], { prefix: STUB, absoluteOffsets: true });
    const other = buildZip([{ name: 'c.log', data: C, method: 8 }], { prefix: STUB });
    const { r, c } = await ingestInMemory(dir, { 'evidence/dropper.exe': exe, 'in.tar': buildTar([{ name: 'dropper.exe', data: other }]) });
    expect(
      accountingProblems(c, {
        records: { 'evidence/dropper.exe!/audit/a.log': 12, 'evidence/dropper.exe!/b.log': 5, 'in.tar!/dropper.exe!/c.log': 7 },
        contents: { 'evidence/dropper.exe!/audit/a.log': A, 'evidence/dropper.exe!/b.log': B, 'in.tar!/dropper.exe!/c.log': C },
      }),
    ).toEqual([]);
    expect(r.sources.map((s) => s.status)).toEqual(['ok', 'ok', 'ok']);
    const first = r.sources.find((s) => s.path === 'evidence/dropper.exe!/audit/a.log')!;
    expect(first.warnings!.join()).toMatch(/dropper\.exe: 2048 bytes of data before the zip archive/);
    expect(r.sources.find((s) => s.path === 'in.tar!/dropper.exe!/c.log')!.warnings!.join()).toMatch(/dropper\.exe: 2048 bytes of data before the zip archive/);
  });
});
