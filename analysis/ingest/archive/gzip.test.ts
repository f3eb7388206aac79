import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bytesStream, collectBounded } from './byte-streams.js';
import { gunzipBounded, gunzipPrefix, isGzip } from './gzip.js';
import { BundleError, DecompressionBudget, RATIO_FLOOR_BYTES } from './limits.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const opts = { maxBytes: 1 << 30, maxRatio: 200, name: 'x.gz' };

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; error: unknown }> {
  const parts: Uint8Array[] = [];
  try {
    for await (const c of chunks) parts.push(c);
    return { bytes: Buffer.concat(parts), error: null };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
}

describe('gunzipBounded', () => {
  it('decompresses a real rotated audit log to the original bytes', async () => {
    const gz = fixture('audit2rbac__demo-2017-09-11T19-55-05.000.log.gz');
    expect(isGzip(gz)).toBe(true);
    const out = await collectBounded(gunzipBounded(bytesStream(gz, 100), opts), 1 << 20, 'x');
    expect(Buffer.from(out).equals(fixture('audit2rbac__demo.log'))).toBe(true);
  });

  it('reads every member of a multi-member gzip (logrotate, cat a.gz b.gz)', async () => {
    const two = Buffer.concat([gzipSync('first\n'), gzipSync('second\n'), gzipSync('')]);
    const { bytes, error } = await drain(gunzipBounded(bytesStream(two, 7), opts));
    expect(error).toBeNull();
    expect(bytes.toString()).toBe('first\nsecond\n');
  });

  it('yields what decompressed from a truncated gzip, then says "truncated gzip" with the name', async () => {
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i} ${Math.sin(i)}`).join('\n');
    const gz = gzipSync(text);
    const { bytes, error } = await drain(gunzipBounded(bytesStream(gz.subarray(0, gz.length - 200), 64), { ...opts, name: 'audit.log.1.gz' }));
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).message).toMatch(/^truncated gzip: audit\.log\.1\.gz/);
    expect((error as BundleError).file).toBe('audit.log.1.gz');
    expect(bytes.length).toBeGreaterThan(1000);
    expect(text.startsWith(bytes.toString())).toBe(true);
  });

  it('stops a bomb at maxBytes and at maxRatio', async () => {
    const bomb = gzipSync(Buffer.alloc(4 * RATIO_FLOOR_BYTES));
    const bySize = await drain(gunzipBounded(bytesStream(bomb), { ...opts, maxBytes: 100_000 }));
    expect((bySize.error as Error).message).toMatch(/^decompression bomb: x\.gz inflates past 100000 bytes/);
    expect(bySize.bytes.length).toBeLessThanOrEqual(100_000 + 65536);
    const byRatio = await drain(gunzipBounded(bytesStream(bomb), opts));
    expect((byRatio.error as Error).message).toMatch(/decompression bomb: .* 200 times/);
    expect(byRatio.bytes.length).toBeLessThan(2 * RATIO_FLOOR_BYTES);
  });

  it('charges a shared budget so many small streams add up', async () => {
    const budget = new DecompressionBudget(25_000);
    const gz = gzipSync(Buffer.alloc(10_000, 0x61));
    for (let i = 0; i < 2; i++) expect((await drain(gunzipBounded(bytesStream(gz), { ...opts, budget }))).error).toBeNull();
    const third = await drain(gunzipBounded(bytesStream(gz), { ...opts, budget }));
    expect((third.error as Error).message).toMatch(/decompression bomb: .*bundle past 25000/);
  });

  it('accepts zero padding after the last member; reports garbage and corruption', async () => {
    const padded = await drain(gunzipBounded(bytesStream(Buffer.concat([gzipSync('data\n'), Buffer.alloc(512)])), opts));
    expect(padded.error).toBeNull();
    expect(padded.bytes.toString()).toBe('data\n');
    const junk = await drain(gunzipBounded(bytesStream(Buffer.concat([gzipSync('data\n'), Buffer.from('garbage')])), opts));
    expect((junk.error as Error).message).toMatch(/^corrupt gzip in x\.gz: incorrect header check/);
    const gz = Buffer.from(gzipSync('some text that is long enough to corrupt'));
    gz[gz.length - 6]! ^= 0xff; // CRC-32 trailer
    const bad = await drain(gunzipBounded(bytesStream(gz), opts));
    expect((bad.error as Error).message).toMatch(/^corrupt gzip in x\.gz/);
  });

  it('gunzipPrefix decodes the head of a cut stream without throwing', async () => {
    const gz = gzipSync(Buffer.alloc(1 << 20, 0x41));
    const head = await gunzipPrefix(gz.subarray(0, 200), 65536);
    expect(head.length).toBeGreaterThan(0);
    expect(head.length).toBeLessThanOrEqual(65536);
    expect(head.every((b) => b === 0x41)).toBe(true);
    expect((await gunzipPrefix(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2]), 10)).length).toBe(0);
  });

  it('fuzz: mutated gzip never hangs and only fails with BundleError', async () => {
    const base = fixture('audit2rbac__demo-2017-09-11T19-55-05.000.log.gz');
    let x = 12345;
    const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 150; i++) {
      const m = Buffer.from(base);
      for (let k = 0; k < 1 + rnd(4); k++) m[rnd(m.length)] = rnd(256);
      const cut = rnd(3) === 0 ? m.subarray(0, rnd(m.length)) : m;
      const { error } = await drain(gunzipBounded(bytesStream(cut, 97), { ...opts, maxBytes: 1 << 20 }));
      if (error) expect(error).toBeInstanceOf(BundleError);
    }
  });
});
