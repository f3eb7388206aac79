/**
 * Seeded mutation fuzzing of the 7z reader over every fixture: flipped, deleted, duplicated and
 * cut bytes anywhere, and header-only edits with the CRCs made right again (so the parser, not
 * only the CRC check, meets them). Nothing throws, nothing hangs, and the accounting holds: no
 * member longer than its entry says, decoded bytes within the bound. Random bytes fed to the LZMA
 * and LZMA2 decoders end by themselves too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { SEVERITIES } from '../severity.js';
import { triageArtifact } from '../triage.js';
import { VERDICTS } from '../triage-result.js';
import { fixCrcs, headerSpan } from './archive-patch.test-support.js';
import { openSevenZip } from './archive-header.js';
import { Lzma2Producer, LzmaProducer } from './lzma-streams.js';
import { sevenZipMembers } from './members.js';
import { SevenZipError } from './sevenzip-error.js';
import { mulberry32 } from '../../core/mulberry32.js';

const fixture = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${f}`, import.meta.url)));
const LIMITS = { maxTotalBytes: 8 << 20, maxMemberBytes: 4 << 20 };

const prng = mulberry32;

function mutate(src: Uint8Array, rnd: () => number, from = 0, to = src.length): Uint8Array {
  const b = Array.from(src);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const at = from + Math.floor(rnd() * (to - from));
    switch (Math.floor(rnd() * 6)) {
      case 0: b[at] = Math.floor(rnd() * 256); break;
      case 1: b[at] = [0, 0xff, 0x7f, 0x80][Math.floor(rnd() * 4)]!; break;
      case 2: b.splice(at, 1 + Math.floor(rnd() * 8)); break;
      case 3: b.splice(at, 0, ...b.slice(at, at + 1 + Math.floor(rnd() * 16))); break;
      case 4: for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = 0xff; break;
      default: b.length = Math.max(1, Math.floor(rnd() * b.length)); break;
    }
  }
  return Uint8Array.from(b);
}

/** Opens and reads every member; checks the accounting. */
async function readAll(bytes: Uint8Array): Promise<void> {
  const src = bufferSource('f.7z', bytes);
  const o = await openSevenZip(src, LIMITS);
  const findings: Finding[] = [...o.findings];
  if (o.ok) {
    let total = 0;
    let count = 0;
    for await (const m of sevenZipMembers(src, o.archive, findings, LIMITS)) {
      expect(m.bytes.length).toBeLessThanOrEqual(m.entry.size);
      total += m.bytes.length;
      count++;
    }
    expect(count).toBeLessThanOrEqual(o.archive.entries.length);
    expect(total).toBeLessThanOrEqual(LIMITS.maxTotalBytes + (1 << 20));
  }
  for (const f of findings) expect(SEVERITIES).toContain(f.severity);
}

const SEEDS = ['copy.7z', 'lzma.7z', 'lzma2.7z', 'solid.7z', 'plain-header.7z', 'encrypted-header.7z', 'encrypted-data.7z', 'bcj.7z', 'delta.7z', 'symlink.7z', 'picklescan__malicious1.7z', 'bomb.7z'];

describe('7z fuzz', () => {
  it('mutants of every fixture come back without a throw', async () => {
    const t0 = performance.now();
    let n = 0;
    for (const name of SEEDS) {
      const seed = fixture(name);
      const rnd = prng(name.length * 7919 + seed.length);
      const rounds = name === 'bomb.7z' ? 10 : 50;
      for (let i = 0; i < rounds; i++) {
        await readAll(mutate(seed, rnd));
        n++;
      }
    }
    expect(n).toBeGreaterThan(500);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('header edits with valid CRCs reach the parser and come back without a throw', async () => {
    const t0 = performance.now();
    for (const name of ['plain-header.7z', 'lzma.7z', 'bcj.7z', 'symlink.7z', 'bomb.7z']) {
      const seed = fixture(name);
      const { start, size } = headerSpan(seed);
      const rnd = prng(seed.length);
      for (let i = 0; i < 100; i++) {
        const b = mutate(seed, rnd, start, start + size);
        if (b.length >= 32) fixCrcs(b);
        await readAll(b);
      }
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('the whole triage takes mutants of 7z archives without a throw', async () => {
    const t0 = performance.now();
    for (const name of ['solid.7z', 'picklescan__malicious1.7z', 'plain-header.7z']) {
      const seed = fixture(name);
      const rnd = prng(seed.length + 1);
      for (let i = 0; i < 30; i++) {
        const r = await triageArtifact(bufferSource(name, mutate(seed, rnd)));
        expect(VERDICTS).toContain(r.verdict);
      }
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('random bytes as LZMA and LZMA2 streams end by themselves', () => {
    const rnd = prng(42);
    const t0 = performance.now();
    let decoded = 0;
    for (let i = 0; i < 300; i++) {
      const input = Uint8Array.from({ length: 16 + Math.floor(rnd() * 4000) }, () => Math.floor(rnd() * 256));
      if (i % 2 === 0) input[0] = 0; // past the range coder's first check
      else input[0] = 0x80 + Math.floor(rnd() * 128); // an LZMA chunk
      const make = (): LzmaProducer | Lzma2Producer => i % 2 === 0
        ? new LzmaProducer(input, { lc: 3, lp: 0, pb: 2, dictSize: 1 << 16 }, 1 << 20, 1 << 20)
        : new Lzma2Producer(input, Uint8Array.of(16), 1 << 20, 1 << 20);
      let produced = 0;
      try {
        const p = make();
        for (let c = p.read(1 << 16); c.length > 0; c = p.read(1 << 16)) produced += c.length;
      } catch (e) {
        expect(e).toBeInstanceOf(SevenZipError);
      }
      expect(produced).toBeLessThanOrEqual(1 << 20);
      if (produced > 0) decoded++;
    }
    expect(decoded).toBeGreaterThan(50);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
