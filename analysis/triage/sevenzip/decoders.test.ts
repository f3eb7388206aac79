/**
 * The coders on real streams made by p7zip 16.02: LZMA (window wrapping at 8 KiB), LZMA2 (solid,
 * 32 KiB window), BCJ x86 and Delta reproduce the corpus files bit for bit (SHA-256 from the
 * corpus rows in fixtures/SOURCES.tsv), whatever the read sizes; a bomb stops at its bound; a cut
 * stream gives back what came before the cut and a finding.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { replaceInHeader } from './archive-patch.test-support.js';
import { openSevenZip, type SevenZipArchive } from './archive-header.js';
import { folderProducer, readPackedStreams } from './folder-decoder.js';
import { sevenZipMembers, type SevenZipMember } from './members.js';
import type { SevenZipLimits } from './sevenzip-limits.js';

const fixture = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${f}`, import.meta.url)));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Member name → SHA-256 of the corpus file it was made from (the `corpus:` rows). */
const ORIGINAL: ReadonlyMap<string, string> = (() => {
  const bySource = new Map<string, string>();
  for (const line of readFileSync(new URL('./fixtures/SOURCES.tsv', import.meta.url), 'utf8').trim().split('\n').slice(1)) {
    const c = line.split('\t');
    if (c[0]!.startsWith('corpus:')) bySource.set(c[0]!.slice(c[0]!.lastIndexOf('/') + 1), c[7]!);
  }
  const alias: Record<string, string> = {
    'malicious_system_call.pkl': 'modelaudit__malicious_system_call.pkl',
    'GHSA-q77w-mwjj-7mqx.pkl': 'picklescan__GHSA-q77w-mwjj-7mqx.pkl',
    'unsafe_zip_pytorch.pt': 'modelscan__unsafe_zip_pytorch.pt',
    'models/sub/unsafe_zip_pytorch.pt': 'modelscan__unsafe_zip_pytorch.pt',
    'model.safetensors': 'syoyo__model.safetensors',
    'ref_mlp.pt': 'ref_mlp.pt',
    'fp16_mlp.pt': 'fp16_mlp.pt',
  };
  return new Map(Object.entries(alias).map(([member, file]) => [member, bySource.get(file)!]));
})();

async function open(bytes: Uint8Array): Promise<SevenZipArchive> {
  const r = await openSevenZip(bufferSource('t.7z', bytes));
  if (!r.ok) throw new Error(r.reason);
  return r.archive;
}

async function members(bytes: Uint8Array, limits?: Partial<SevenZipLimits>): Promise<{ list: SevenZipMember[]; findings: Finding[] }> {
  const findings: Finding[] = [];
  const list: SevenZipMember[] = [];
  const src = bufferSource('t.7z', bytes);
  for await (const m of sevenZipMembers(src, await open(bytes), findings, limits)) list.push(m);
  return { list, findings };
}

/** The whole output of folder 0, read `step()` bytes at a time. */
async function folderOutput(bytes: Uint8Array, step: () => number): Promise<Uint8Array> {
  const a = await open(bytes);
  const f = a.folders[0]!;
  const packed = await readPackedStreams(bufferSource('t.7z', bytes), a.packed.slice(0, f.packedStreams.length), 1 << 30);
  const p = folderProducer(f, packed.streams, 1 << 24);
  const parts: number[] = [];
  for (let c = p.read(step()); c.length > 0; c = p.read(step())) parts.push(...c);
  return Uint8Array.from(parts);
}

describe('7z coders reproduce the original files', () => {
  it.each([
    ['lzma.7z', 'LZMA, 8 KiB window', ['ref_mlp.pt']],
    ['lzma2.7z', 'LZMA2', ['GHSA-q77w-mwjj-7mqx.pkl', 'malicious_system_call.pkl']],
    ['solid.7z', 'LZMA2 solid, 32 KiB window', ['empty.txt', 'fp16_mlp.pt', 'malicious_system_call.pkl', 'model.safetensors', 'models/sub/unsafe_zip_pytorch.pt', 'ref_mlp.pt', 'unsafe_zip_pytorch.pt']],
    ['copy.7z', 'Copy', ['malicious_system_call.pkl', 'model.safetensors', 'unsafe_zip_pytorch.pt']],
    ['bcj.7z', 'LZMA + BCJ x86', ['fp16_mlp.pt']],
    ['delta.7z', 'LZMA2 + Delta:4', ['fp16_mlp.pt']],
    ['plain-header.7z', 'LZMA', ['empty.txt', 'malicious_system_call.pkl', 'models/sub/unsafe_zip_pytorch.pt']],
  ])('%s (%s)', async (file, _what, names) => {
    const { list, findings } = await members(fixture(file));
    expect(findings).toEqual([]);
    expect(list.map((m) => m.entry.name)).toEqual(names);
    for (const m of list) {
      expect(m.bytes.length).toBe(m.entry.size);
      if (m.entry.size > 0) expect(sha256(m.bytes), m.entry.name).toBe(ORIGINAL.get(m.entry.name));
    }
  });

  it('decodes picklescan\'s malicious1.7z (LZMA2 + BCJ) to its data.pkl', async () => {
    const { list, findings } = await members(fixture('picklescan__malicious1.7z'));
    expect(findings).toEqual([]);
    expect(list).toHaveLength(1);
    expect(new TextDecoder('latin1').decode(list[0]!.bytes)).toContain('builtins');
  });

  it.each(['lzma.7z', 'solid.7z', 'bcj.7z', 'delta.7z'])('%s gives the same bytes whatever the read sizes', async (file) => {
    const whole = await folderOutput(fixture(file), () => 1 << 20);
    let seed = 7;
    const tiny = await folderOutput(fixture(file), () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return 1 + (seed % 3000);
    });
    expect(sha256(tiny)).toBe(sha256(whole));
    expect(sha256((await folderOutput(fixture(file), () => 1)).subarray(0, 4096))).toBe(sha256(whole.subarray(0, 4096)));
  });
});

describe('7z bounds', () => {
  it('stops a 19 KB LZMA stream producing 128 MiB at the ratio bound', async () => {
    const t0 = performance.now();
    const { list, findings } = await members(fixture('bomb.7z'));
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(findings.map((f) => f.id)).toEqual(['triage.container.entry-unreadable']);
    expect(findings[0]!.message).toMatch(/decompression bomb/);
    expect(list.length).toBeLessThanOrEqual(1);
    expect(list[0]?.bytes.length ?? 0).toBeLessThan(8 << 20);
  });

  it('stops at the per-archive decode bound and reports members over the member bound', async () => {
    const bytes = fixture('bomb.7z');
    const big = await members(bytes, { maxRatio: 1e9, maxMemberBytes: 1 << 20 });
    expect(big.list).toEqual([]);
    expect(big.findings.map((f) => f.message)).toEqual([expect.stringMatching(/134217728-byte member too large/)]);
    const total = await members(bytes, { maxRatio: 1e9, maxTotalBytes: 3 << 20 });
    expect(total.findings.map((f) => f.message)).toEqual([expect.stringMatching(/passed 3145728 decoded bytes/)]);
  });

  it('stops where the stream ends when the header declares far more', async () => {
    // ref_mlp.pt's unpack size 29463 (7z number C0 17 73) becomes 2097151 (DF FF FF); no end marker.
    const bytes = replaceInHeader(fixture('lzma.7z'), Uint8Array.of(0x0c, 0xc0, 0x17, 0x73), Uint8Array.of(0x0c, 0xdf, 0xff, 0xff));
    const { list, findings } = await members(bytes);
    expect(list).toHaveLength(1);
    expect(list[0]!.entry.size).toBe(2097151);
    expect(list[0]!.bytes.length).toBeLessThan(40_000);
    expect(sha256(list[0]!.bytes.subarray(0, 29463))).toBe(ORIGINAL.get('ref_mlp.pt'));
    expect(findings.map((f) => f.id)).toEqual(['triage.7z.malformed']);
    expect(findings[0]!.message).toMatch(/LZMA stream ends early/);
  });

  it('returns what came before a cut and reports the cut', async () => {
    const whole = fixture('solid.7z');
    const a = await open(whole);
    // Cut the packed stream in the middle of ref_mlp.pt's bytes by zeroing the rest of it.
    const cut = whole.slice();
    const p = a.packed[0]!;
    cut.fill(0, p.offset + Math.floor(p.size * 0.6), p.offset + p.size);
    const { list, findings } = await members(cut);
    const good = list.filter((m) => m.bytes.length === m.entry.size && sha256(m.bytes) === ORIGINAL.get(m.entry.name));
    expect(good.map((m) => m.entry.name)).toEqual(expect.arrayContaining(['fp16_mlp.pt', 'malicious_system_call.pkl', 'model.safetensors']));
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => ['triage.7z.malformed', 'triage.7z.crc-mismatch'].includes(f.id))).toBe(true);
  });
});
