/**
 * gunzipBounded and gunzipPrefix on hostile gzip: bounds still hold with the member decoder
 * (many members, padding), nothing that inflated is lost, and seeded mutations of real gzip bytes
 * only ever end in a BundleError, agreeing with zlib on what is valid.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bytesStream } from './byte-streams.js';
import { gunzipBounded, gunzipPrefix, gzipHeadProblem } from './gzip.js';
import { decodeGzip, gzipMember } from './gzip-test-bytes.js';
import { BundleError, DecompressionBudget, RATIO_FLOOR_BYTES } from './limits.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const LOG = fixture('audit2rbac__demo.log');
const LOG_GZ = fixture('audit2rbac__demo-2017-09-11T19-55-05.000.log.gz');
const opts = { maxBytes: 1 << 30, maxRatio: 200, name: 'x.gz' };

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; error: unknown; pieces: number }> {
  const parts: Uint8Array[] = [];
  try {
    for await (const c of chunks) parts.push(c);
    return { bytes: Buffer.concat(parts), error: null, pieces: parts.length };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error, pieces: parts.length };
  }
}

describe('gunzipBounded: bounds with many members', () => {
  const members = (n: number, size: number): Buffer => Buffer.concat(Array.from({ length: n }, () => Buffer.concat([gzipSync(Buffer.alloc(size)), Buffer.alloc(3)])));

  it('stops a bomb spread over members at maxBytes, within one 256 KiB chunk', async () => {
    const r = await drain(gunzipBounded(bytesStream(members(50, 100_000), 4096), { ...opts, maxBytes: 1_000_000 }));
    expect((r.error as Error).message).toBe('decompression bomb: x.gz inflates past 1000000 bytes');
    expect(r.bytes.length).toBeLessThanOrEqual(1_000_000);
    expect(r.bytes.length).toBeGreaterThan(1_000_000 - (256 << 10));
  });

  it('stops a high-ratio stream of members at maxRatio, counting padding as input', async () => {
    const r = await drain(gunzipBounded(bytesStream(members(40, 200_000)), opts));
    expect((r.error as Error).message).toMatch(/^decompression bomb: x\.gz inflates more than 200 times/);
    expect(r.bytes.length).toBeLessThan(RATIO_FLOOR_BYTES + (256 << 10));
  });

  it('charges the shared budget for every member', async () => {
    const budget = new DecompressionBudget(25_000);
    const gz = Buffer.concat(Array.from({ length: 100 }, () => gzipSync(Buffer.alloc(100, 0x61))));
    expect((await drain(gunzipBounded(bytesStream(gz, 33), { ...opts, budget }))).error).toBeNull();
    expect(budget.used).toBe(10_000);
    await drain(gunzipBounded(bytesStream(gz), { ...opts, budget }));
    const third = await drain(gunzipBounded(bytesStream(gz), { ...opts, budget }));
    expect((third.error as Error).message).toMatch(/^decompression bomb: x\.gz takes the bundle past 25000/);
  });
});

describe('gunzipBounded: nothing inflated is lost', () => {
  const text = Array.from({ length: 20_000 }, (_, i) => `{"line":${i},"v":${Math.sin(i)}}`).join('\n') + '\n';
  const gz = gzipSync(text);

  it('yields all of a member whose trailer is bad, then names the file and the member', async () => {
    const bad = Buffer.from(gz);
    bad[bad.length - 6]! ^= 0xff;
    const r = await drain(gunzipBounded(bytesStream(bad, 65536), { ...opts, name: 'audit.log.3.gz' }));
    expect(r.bytes.toString()).toBe(text);
    expect(r.error).toBeInstanceOf(BundleError);
    expect((r.error as BundleError).file).toBe('audit.log.3.gz');
    expect((r.error as Error).message).toMatch(/^corrupt gzip in audit\.log\.3\.gz: bad CRC-32 in member 1/);
  });

  it('yields everything before trailing garbage, and reads a member after zero padding', async () => {
    const junk = await drain(gunzipBounded(bytesStream(Buffer.concat([gz, Buffer.from('junk')]), 100_000), opts));
    expect(junk.bytes.toString()).toBe(text);
    expect((junk.error as Error).message).toBe(`corrupt gzip in x.gz: incorrect header check: trailing garbage at byte offset ${gz.length}, after member 1`);
    const two = await drain(gunzipBounded(bytesStream(Buffer.concat([gz, Buffer.alloc(512), gzipSync('tail\n')])), opts));
    expect(two.error).toBeNull();
    expect(two.bytes.toString()).toBe(text + 'tail\n');
  });

  it('says "truncated gzip" with the name for a file cut inside its header', async () => {
    const r = await drain(gunzipBounded(bytesStream(gz.subarray(0, 5)), { ...opts, name: 'audit.log.1.gz' }));
    expect((r.error as Error).message).toMatch(/^truncated gzip: audit\.log\.1\.gz ends inside the header of member 1/);
    expect(r.bytes.length).toBe(0);
  });
});

describe('gunzipPrefix', () => {
  it('sees what reading sees: members after padding, every header flag; at most max bytes', async () => {
    const gz = Buffer.concat([gzipSync('a\n'), Buffer.alloc(100), gzipMember('b\n', { name: 'b', comment: 'c', extra: Buffer.alloc(9), headerCrc: true })]);
    expect(Buffer.from(await gunzipPrefix(gz, 100)).toString()).toBe('a\nb\n');
    expect(Buffer.from(await gunzipPrefix(gz, 3)).toString()).toBe('a\nb');
    expect((await gunzipPrefix(LOG_GZ, 65536)).length).toBe(LOG.length);
  });

  it('never throws: garbage, bad trailers and cuts give what decoded before them', async () => {
    expect(Buffer.from(await gunzipPrefix(Buffer.concat([gzipSync('ok\n'), Buffer.from('junk')]), 100)).toString()).toBe('ok\n');
    expect((await gunzipPrefix(Buffer.from('not gzip'), 100)).length).toBe(0);
    expect((await gunzipPrefix(new Uint8Array(0), 100)).length).toBe(0);
    const head = await gunzipPrefix(LOG_GZ.subarray(0, 500), 65536);
    expect(head.length).toBeGreaterThan(500);
    expect(LOG.subarray(0, head.length).equals(Buffer.from(head))).toBe(true);
  });
});

describe('fuzz: mutated real gzip bytes', () => {
  let seed = 20251122;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;

  it('flips and cuts of one member: only BundleError, and exactly what zlib accepts', () => {
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      const m = Buffer.from(LOG_GZ);
      const flips = rnd(4);
      for (let k = 0; k < flips; k++) m[rnd(m.length)] = rnd(256);
      const input = rnd(3) === 0 ? m.subarray(0, rnd(m.length + 1)) : m;
      const ours = decodeGzip(input, 1 + rnd(3000));
      let zlib: Buffer | null = null;
      try {
        zlib = gunzipSync(input);
      } catch {
        zlib = null;
      }
      if (ours.error) expect(ours.error, `iteration ${i}`).toBeInstanceOf(BundleError);
      expect(ours.error === null, `iteration ${i}: ${ours.error?.message}`).toBe(zlib !== null);
      if (zlib) expect(ours.out.equals(zlib), `iteration ${i}`).toBe(true);
      if (zlib) accepted++;
    }
    // Both sides of the oracle are exercised (flips in the name, mtime, XFL and OS bytes are harmless).
    expect(accepted).toBeGreaterThan(40);
    expect(accepted).toBeLessThan(360);
  });

  it('mutated multi-member files with padding: only BundleError, bounded time, bounds enforced', async () => {
    const base = Buffer.concat([LOG_GZ, Buffer.alloc(37), gzipMember(LOG.subarray(0, 5000), { name: 'n', extra: Buffer.alloc(5), headerCrc: true }), gzipSync('')]);
    const t0 = performance.now();
    for (let i = 0; i < 150; i++) {
      let m = Buffer.from(base);
      for (let k = 0; k < 1 + rnd(6); k++) m[rnd(m.length)] = rnd(4) === 0 ? 0 : rnd(256);
      if (rnd(4) === 0) m = Buffer.concat([m, Buffer.alloc(rnd(100)), m.subarray(rnd(m.length))]);
      if (rnd(4) === 0) m = m.subarray(0, rnd(m.length + 1));
      const r = await drain(gunzipBounded(bytesStream(m, 1 + rnd(5000)), { ...opts, maxBytes: 200_000 }));
      if (r.error) expect(r.error, `iteration ${i}`).toBeInstanceOf(BundleError);
      expect(r.bytes.length).toBeLessThanOrEqual(200_000);
    }
    expect(performance.now() - t0).toBeLessThan(4000);
  });
});

describe('gzipHeadProblem', () => {
  it('names a whole file cut inside its header as a truncated gzip, and lets a good head pass', () => {
    const gz = gzipSync('hello\n');
    expect(gzipHeadProblem(gz.subarray(0, 5), 'a.log.gz', true)?.message).toBe('truncated gzip: a.log.gz ends inside the header of member 1 (at byte 5, 5 header bytes)');
    expect(gzipHeadProblem(gz.subarray(0, 5), 'a.log.gz', false)).toBeNull();
    expect(gzipHeadProblem(gz, 'a.log.gz', true)).toBeNull();
    expect(gzipHeadProblem(gz.subarray(0, 10), 'a.log.gz', true)).toBeNull(); // a complete header: reading says the rest
    expect(gzipHeadProblem(new Uint8Array(0), 'a.log.gz', true)?.message).toBe('truncated gzip: a.log.gz is empty');
    expect(gzipHeadProblem(gzipMember('x', { flags: 0x80 }), 'a.gz', true)?.message).toMatch(/^corrupt gzip in a\.gz: member 1 .*reserved header flags/);
    expect(gzipHeadProblem(Buffer.from('text'), 'a.gz', false)?.message).toBe('corrupt gzip in a.gz: incorrect header check: not a gzip stream');
  });
});
