import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openBundleRoot } from './archive/fs-root.js';
import { memoryBundleRoot } from './archive/memory-root.js';
import { buildTar, buildZip, gzip } from './archive/fixture-archives.js';
import { BundleError, type ArchiveLimits } from './archive/limits.js';
import { walkBundle, type BundleFile, type BundleItem } from './bundle.js';

const FIXTURES = new URL('./archive/fixtures/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const tmp = mkdtempSync(join(tmpdir(), 'mlshield-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let seq = 0;
/** Writes files (path → bytes) into a fresh folder and returns its path. */
function folder(files: Record<string, Uint8Array | string>): string {
  const dir = join(tmp, `b${seq++}`);
  for (const [p, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), data);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function walk(path: string, limits?: Partial<ArchiveLimits>): Promise<BundleItem[]> {
  const out: BundleItem[] = [];
  for await (const item of walkBundle(await openBundleRoot(path), limits)) out.push(item);
  return out;
}

async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

async function settle(stream: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; error: Error | null }> {
  const parts: Uint8Array[] = [];
  try {
    for await (const c of stream) parts.push(c);
    return { bytes: Buffer.concat(parts), error: null };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error: error as Error };
  }
}

const files = (items: BundleItem[]): BundleFile[] => items.filter((i): i is BundleFile => i.kind === 'file');
const summary = (items: BundleItem[]): string[] =>
  items.map((i) => (i.kind === 'file' ? `${i.path} ${i.sniffed} d${i.depth}${i.gzipped ? ' gz' : ''}` : `${i.path} REFUSED ${i.reason}`));

const audit = fixture('audit2rbac__demo.log');
const auditGz = fixture('audit2rbac__demo-2017-09-11T19-55-05.000.log.gz');
const appEvents = '{"ts":"2024-05-01T10:00:00Z","action":"checkpoint_save","job_id":"llama-ft","user":"alice"}\n';

describe('walkBundle', () => {
  it('walks a folder with gzipped logs and a tgz holding a nested zip, in sorted order', async () => {
    const nested = buildZip([{ name: 'app/events.jsonl', data: appEvents, method: 8 }]);
    const tgz = gzip(
      buildTar([
        { name: 'audit/', type: '5' },
        { name: 'audit/a.log.gz', data: auditGz },
        { name: 'more.zip', data: nested },
      ]),
    );
    const dir = folder({ 'z-metrics.prom': fixture('datadog__dcgm_metrics.txt'), 'audit.log.1.gz': auditGz, 'logs.tgz': tgz, 'sub/model.pt': fixture('candle__test.pt') });
    symlinkSync('/etc/passwd', join(dir, 'sub/passwd'));
    const items = await walk(dir);
    expect(summary(items)).toEqual([
      'audit.log.1.gz k8s_audit d0 gz',
      'logs.tgz!/audit/a.log.gz k8s_audit d1 gz',
      'logs.tgz!/more.zip!/app/events.jsonl app_events d2',
      'sub/model.pt checkpoint_pytorch_zip d0',
      'sub/passwd REFUSED symbolic link (not followed)',
      'z-metrics.prom dcgm_prom d0',
    ]);
    const [rotated, inTgz, inZip, model] = files(items);
    expect(rotated!.plainPath).toBe('audit.log.1');
    expect(rotated!.size).toBeNull();
    expect(rotated!.rawSize).toBe(auditGz.length);
    expect((await bytesOf(rotated!.open())).equals(audit)).toBe(true);
    expect((await bytesOf(rotated!.openRaw())).equals(auditGz)).toBe(true);
    expect((await bytesOf(inTgz!.open())).equals(audit)).toBe(true);
    expect((await bytesOf(inTgz!.openRaw())).equals(auditGz)).toBe(true);
    // How open() inflates openRaw(), so the ingest's parse worker can do it: only for a .gz of the folder.
    expect(rotated!.gunzip).toMatchObject({ name: 'audit.log.1.gz', maxBytes: 8 * 1024 ** 3, maxRatio: 200 });
    expect(rotated!.gunzip!.budget?.max).toBe(64 * 1024 ** 3);
    expect(inTgz!.gunzip).toBeNull();
    expect(model!.gunzip).toBeNull();
    expect((await bytesOf(inZip!.open())).toString()).toBe(appEvents);
    const src = await model!.source();
    expect(src.size).toBe(fixture('candle__test.pt').length);
    expect(Buffer.from(await src.read(0, 4)).toString('latin1')).toBe('PK\x03\x04');
    expect(Buffer.from(inTgz!.head).equals(audit)).toBe(true);
    // Deterministic: a second walk gives the same list.
    expect(summary(await walk(dir))).toEqual(summary(items));
  });

  it('refuses zip slip, absolute and drive-letter names, links and devices', async () => {
    const zip = buildZip([
      { name: '../../etc/x', data: 'slip' },
      { name: '/abs/path', data: 'abs' },
      { name: 'C:\\Windows\\evil.dll', data: 'drive' },
      { name: 'a/..\\..\\b', data: 'backslash slip' },
      { name: 'ln', data: '/etc/shadow', unixMode: 0o120777 },
      { name: 'fifo', data: '', unixMode: 0o010644 },
      { name: 'ok.txt', data: 'fine' },
      { name: 'hidden/', data: 'bytes in a directory' },
    ]);
    const tar = buildTar([
      { name: '../up.log', data: 'x' },
      { name: 'sym', type: '2', linkName: '/etc/passwd' },
      { name: 'hard', type: '1', linkName: 'ok.log' },
      { name: 'dev', type: '3' },
      { name: 'ok.log', data: appEvents },
    ]);
    const items = await walk(folder({ 'a.zip': zip, 'b.tar': tar }));
    expect(summary(items)).toEqual([
      'a.zip!/../../etc/x REFUSED path escapes the archive with ".." (zip slip)',
      'a.zip!//abs/path REFUSED absolute path in archive (zip slip)',
      'a.zip!/C:\\Windows\\evil.dll REFUSED drive-letter path in archive (zip slip)',
      'a.zip!/a/..\\..\\b REFUSED path escapes the archive with ".." (zip slip)',
      'a.zip!/fifo REFUSED device, socket or pipe (not a regular file)',
      'a.zip!/hidden/ REFUSED directory entry carrying 20 bytes of data; not read',
      'a.zip!/ln REFUSED symbolic link (not followed)',
      'a.zip!/ok.txt unknown d1',
      'b.tar!/../up.log REFUSED path escapes the archive with ".." (zip slip)',
      'b.tar!/sym REFUSED symbolic link to "/etc/passwd" (not followed)',
      'b.tar!/hard REFUSED hard link to "ok.log" (not followed)',
      "b.tar!/dev REFUSED device, pipe or special entry (tar type '3'); not read",
      'b.tar!/ok.log app_events d1',
    ]);
  });

  it('stops bombs: gzip past the limit, tgz past the limit, zip by declared ratio', async () => {
    const newlines = Buffer.alloc(3 << 20, 0x0a);
    const dir = folder({
      'bomb.log.gz': Buffer.concat([gzipSync(appEvents), gzipSync(newlines)]),
      'bomb.tgz': gzip(buildTar([{ name: 'ok.jsonl', data: appEvents }, { name: 'z.bin', data: newlines }])),
      'bomb.zip': buildZip([{ name: 'z.bin', data: newlines.subarray(0, 1.5 * (1 << 20)), method: 8 }]),
    });
    const items = await walk(dir, { maxEntryBytes: 2 << 20, maxBufferedEntryBytes: 1 << 10 });
    expect(summary(items)).toEqual([
      'bomb.log.gz app_events d0 gz',
      'bomb.tgz!/ok.jsonl app_events d1',
      'bomb.tgz!/z.bin REFUSED too large: 3145728 bytes (limit 2097152)',
      // Skipping the refused entry still inflates the stream: the ratio check stops it.
      expect.stringMatching(/^bomb\.tgz REFUSED decompression bomb: bomb\.tgz inflates more than 200 times/),
      expect.stringMatching(/^bomb\.zip!\/z\.bin REFUSED decompression bomb: \d+ bytes declare 1572864 \(ratio limit 200\)/),
    ]);
    const { bytes, error } = await settle(files(items)[0]!.open());
    expect(error?.message).toMatch(/^decompression bomb: bomb\.log\.gz/);
    expect(bytes.toString().startsWith(appEvents)).toBe(true);
  });

  it('keeps what precedes a truncation: truncated gzip and truncated tar', async () => {
    const bigLog = Buffer.concat(Array.from({ length: 40 }, () => audit));
    const gz = gzipSync(bigLog);
    const tar = buildTar([
      { name: 'first.jsonl', data: appEvents },
      { name: 'second.log', data: bigLog },
    ]);
    const dir = folder({ 'cut.log.gz': gz.subarray(0, gz.length >> 1), 'cut.tar': tar.subarray(0, 512 * 3 + 1000), 'hdr.tar': tar.subarray(0, 512 * 2 + 100) });
    const items = await walk(dir);
    expect(summary(items)).toEqual([
      'cut.log.gz k8s_audit d0 gz',
      'cut.tar!/first.jsonl app_events d1',
      'cut.tar!/second.log REFUSED truncated tar: cut.tar ends inside the data of second.log',
      'hdr.tar!/first.jsonl app_events d1',
      'hdr.tar REFUSED truncated tar: hdr.tar ends inside a header at byte 1024',
    ]);
    const { bytes, error } = await settle(files(items)[0]!.open());
    expect(error?.message).toMatch(/^truncated gzip: cut\.log\.gz/);
    expect(bytes.length).toBeGreaterThan(audit.length);
    expect(bigLog.subarray(0, bytes.length).equals(bytes)).toBe(true);
  });

  it('opens nested archives up to three levels and refuses the fourth', async () => {
    let inner: Uint8Array = buildZip([{ name: 'deep.jsonl', data: appEvents }]);
    for (const level of [4, 3, 2]) inner = buildZip([{ name: `l${level}.zip`, data: inner }]);
    const items = await walk(folder({ 'l1.zip': inner }));
    expect(summary(items)).toEqual(['l1.zip!/l2.zip!/l3.zip!/l4.zip REFUSED archive nested deeper than 3 levels; not opened']);
    expect(summary(await walk(folder({ 'l1.zip': inner }), { maxDepth: 4 }))).toEqual(['l1.zip!/l2.zip!/l3.zip!/l4.zip!/deep.jsonl app_events d4']);
  });

  it('reads lenient zips (bad CRC, flag bits, mismatched local name) and says so', async () => {
    const zip = buildZip([
      { name: 'crc.jsonl', data: appEvents, crc: 1 },
      { name: 'flags.jsonl', data: appEvents, flags: 0x26 },
      { name: 'name.jsonl', localName: 'other.jsonl', data: appEvents, method: 8 },
    ]);
    const items = files(await walk(folder({ 'l.zip': zip })));
    expect(items.map((i) => i.sniffed)).toEqual(['app_events', 'app_events', 'app_events']);
    for (const i of items) expect((await bytesOf(i.open())).toString()).toBe(appEvents);
    const warnings = items.flatMap((i) => i.warnings).join('\n');
    expect(warnings).toMatch(/CRC-32 mismatch in crc\.jsonl/);
    expect(warnings).toMatch(/flag bit 5/);
    expect(warnings).toMatch(/local header names "other\.jsonl"/);
  });

  it('handles the real corpus zips: checkpoints whole, evasion zips walked, encryption and 7z refused', async () => {
    const names = [
      'picklescan__malicious1.zip',
      'picklescan__malicious1_0x1.zip',
      'picklescan__malicious1_central_directory.zip',
      'picklescan__benign_password_protected.zip',
      'picklescan__malicious1.7z',
      'tchrs__foo1.pt',
      'picklescan__object_arrays.npz',
    ];
    const items = await walk(folder(Object.fromEntries(names.map((n) => [n, fixture(n)]))));
    expect(summary(items)).toEqual([
      'picklescan__benign_password_protected.zip!/test.txt REFUSED encrypted entry; its contents cannot be inspected',
      'picklescan__malicious1.7z REFUSED 7z compression is not supported; the file was not opened',
      'picklescan__malicious1.zip checkpoint_pytorch_zip d0',
      'picklescan__malicious1_0x1.zip!/model/config.pkl checkpoint_pickle d1',
      'picklescan__malicious1_central_directory.zip checkpoint_pytorch_zip d0',
      'picklescan__object_arrays.npz checkpoint_numpy d0',
      'tchrs__foo1.pt checkpoint_torchscript d0',
    ]);
    const renamed = files(items).find((i) => i.path.includes('central_directory'))!;
    expect(renamed.warnings.join()).toMatch(/local header names "datap\.kl"/);
  });

  it('walks a root archive without a prefix, and a lone root file as one item', async () => {
    const dir = folder({
      'case.tar.gz': gzip(buildTar([{ name: 'logs/audit.log', data: audit }, { name: 'model.pt', data: fixture('candle__test.pt') }])),
      'audit.log.gz': auditGz,
    });
    expect(summary(await walk(join(dir, 'case.tar.gz')))).toEqual(['logs/audit.log k8s_audit d1', 'model.pt checkpoint_pytorch_zip d1']);
    const lone = files(await walk(join(dir, 'audit.log.gz')));
    expect(summary(lone)).toEqual(['audit.log.gz k8s_audit d0 gz']);
    expect((await bytesOf(lone[0]!.open())).equals(audit)).toBe(true);
    const src = await lone[0]!.source();
    expect(src.size).toBe(audit.length);
  });

  it('throws one clear BundleError when the root itself cannot be read', async () => {
    const dir = folder({ 'notes.zip': 'this is text', 'garbage.tar': 'x'.repeat(2000), 'bad.zip': Buffer.from('PK\x03\x04 and nothing else') });
    await expect(openBundleRoot(join(dir, 'missing.zip'))).rejects.toThrow(/missing\.zip does not exist/);
    const err = async (p: string): Promise<unknown> => walk(join(dir, p)).catch((e: unknown) => e);
    expect(await err('notes.zip')).toBeInstanceOf(BundleError);
    expect(((await err('notes.zip')) as Error).message).toBe('notes.zip is not a zip or tar archive');
    expect(((await err('garbage.tar')) as Error).message).toMatch(/garbage\.tar is not a zip or tar archive/);
    expect(((await err('bad.zip')) as Error).message).toMatch(/^bad\.zip is not a readable zip archive/);
  });

  it('re-reads large entries of streamed archives: live once, then from the archive again', async () => {
    const big = Buffer.concat(Array.from({ length: 8 }, () => audit));
    const dir = folder({ 'b.tgz': gzip(buildTar([{ name: 'big.log', data: big }, { name: 'next.jsonl', data: appEvents }])) });
    const limits = { maxBufferedEntryBytes: 1024 };
    const seen: string[] = [];
    let kept: BundleFile | null = null;
    for await (const item of walkBundle(await openBundleRoot(join(dir, 'b.tgz')), limits)) {
      if (item.kind !== 'file') continue;
      seen.push(item.path);
      if (item.path === 'big.log') {
        kept = item;
        expect((await bytesOf(item.openRaw())).equals(big)).toBe(true); // live stream
        expect((await bytesOf(item.open())).equals(big)).toBe(true); // re-decompressed
      }
    }
    expect(seen).toEqual(['big.log', 'next.jsonl']);
    expect((await bytesOf(kept!.open())).equals(big)).toBe(true); // after the walk moved on
    expect((await kept!.source()).size).toBe(big.length);
  });

  it('enforces the bundle-wide byte budget and file count', async () => {
    const gz = gzipSync(Buffer.alloc(10_000, 0x7b));
    const dir = folder({ 'a.gz': gz, 'b.gz': gz, 'c.gz': gz });
    const items = files(await walk(dir, { maxTotalBytes: 25_000 }));
    const results = [];
    for (const i of items) results.push((await settle(i.open())).error?.message ?? 'ok');
    expect(results.slice(0, 2)).toEqual(['ok', 'ok']);
    expect(results[2]).toMatch(/decompression bomb: c\.gz takes the bundle past 25000/);
    const many = await walk(folder({ a: 'a', b: 'b', c: 'c', d: 'd' }), { maxEntries: 2 });
    expect(summary(many)).toEqual(['a unknown d0', 'b unknown d0', 'c REFUSED the bundle holds more than 2 files; the rest were not read']);
  });

  it('yields a checkpoint zip once and still walks entries outside its folder', async () => {
    const pt = buildZip([
      { name: 'archive/data.pkl', data: Buffer.from([0x80, 0x02, 0x7d, 0x2e]) },
      { name: 'archive/version', data: '3' },
      { name: 'smuggled/audit.log', data: audit },
    ]);
    expect(summary(await walk(folder({ 'm.pt': pt })))).toEqual(['m.pt checkpoint_pytorch_zip d0', 'm.pt!/smuggled/audit.log k8s_audit d1']);
  });

  it('walks an in-memory root the same way', async () => {
    const items: BundleItem[] = [];
    const root = memoryBundleRoot('case', { 'b/audit.log.gz': auditGz, 'a/events.jsonl': new TextEncoder().encode(appEvents) });
    for await (const item of walkBundle(root)) items.push(item);
    expect(summary(items)).toEqual(['a/events.jsonl app_events d0', 'b/audit.log.gz k8s_audit d0 gz']);
    const single: BundleItem[] = [];
    for await (const item of walkBundle(memoryBundleRoot('m.zip', buildZip([{ name: 'x.jsonl', data: appEvents }])))) single.push(item);
    expect(summary(single)).toEqual(['x.jsonl app_events d1']);
  });

  it('fuzz: mutated archives never hang, and only the root can throw (BundleError)', async () => {
    const bases = [
      gzip(buildTar([{ name: 'a.log', data: audit.subarray(0, 3000) }, { name: 'z.zip', data: fixture('picklescan__malicious1.zip') }])),
      buildZip([{ name: 'x/a.jsonl', data: appEvents, method: 8 }, { name: 'n.tgz', data: gzip(buildTar([{ name: 'q', data: appEvents }])) }]),
      fixture('candle__test.pt'),
    ];
    let x = 2024;
    const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const dir = folder({});
    for (let i = 0; i < 60; i++) {
      const m = Buffer.from(bases[i % bases.length]!);
      for (let k = 0; k < 1 + rnd(5); k++) m[rnd(m.length)] = rnd(256);
      const name = ['r.tgz', 'r.zip', 'r.pt'][i % 3]!;
      writeFileSync(join(dir, name), rnd(4) === 0 ? m.subarray(0, rnd(m.length)) : m);
      try {
        for (const item of await walk(join(dir, name), { maxEntryBytes: 1 << 20, maxTotalBytes: 8 << 20 })) {
          if (item.kind === 'file') {
            const { error } = await settle(item.open());
            if (error) expect(error).toBeInstanceOf(BundleError);
          }
        }
      } catch (err) {
        expect(err).toBeInstanceOf(BundleError);
      }
    }
  });
});
