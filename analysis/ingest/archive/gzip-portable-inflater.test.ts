/**
 * gzip where this runtime's zlib internals are out of reach (another Node major, Electron's Node):
 * `rawInflaterAvailable` is switched off here, so GzipMemberDecoder runs on the portable
 * JsInflater (inflater.ts). Formerly this fell back to node's zlib stream, which lost up to the
 * last 256 KiB output chunk on a bad ending; now it must read every member, keep the bounds, and
 * lose no more than the native inflater (in fact nothing) before a corrupt block or a cut.
 */
import { readFileSync } from 'node:fs';
import { constants as zc, deflateRawSync, gzipSync, inflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bytesStream } from './byte-streams.js';
import { gunzipBounded, gunzipPrefix } from './gzip.js';
import { gzipMember } from './gzip-test-bytes.js';
import { newInflater } from './inflater.js';
import { JsInflater } from './js-inflate.js';
import { RawInflater, rawInflaterAvailable } from './raw-inflater.js';

/** The injectable switch: `native: false` is a runtime whose zlib handle RawInflater cannot drive. */
const runtime = vi.hoisted(() => ({ native: true }));
vi.mock('./raw-inflater.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./raw-inflater.js')>();
  return { ...real, rawInflaterAvailable: () => runtime.native && real.rawInflaterAvailable() };
});

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const LOG = fixture('audit2rbac__demo.log');
const LOG_GZ = fixture('audit2rbac__demo-2017-09-11T19-55-05.000.log.gz');
const bounds = { name: 'audit.log.gz', maxBytes: 1 << 26, maxRatio: 1000 };

/** ~1.1 MB of unique JSON lines (as zip-deflate-errors.test.ts uses). */
const ORIGINAL = Buffer.from(Array.from({ length: 16_000 }, (_, i) => `{"n":${i},"action":"create","resource":"pods/exec","user":"u${i % 97}"}\n`).join(''));

async function drain(it: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; error: Error | null }> {
  const parts: Buffer[] = [];
  try {
    for await (const c of it) parts.push(Buffer.from(c));
    return { bytes: Buffer.concat(parts), error: null };
  } catch (err) {
    return { bytes: Buffer.concat(parts), error: err as Error };
  }
}

/** `file` through gunzipBounded on the native inflater and on the portable one. */
async function both(file: Uint8Array, chunk = 1 << 20): Promise<{ native: Awaited<ReturnType<typeof drain>>; js: Awaited<ReturnType<typeof drain>> }> {
  runtime.native = true;
  const native = await drain(gunzipBounded(bytesStream(file, chunk), bounds));
  runtime.native = false;
  const js = await drain(gunzipBounded(bytesStream(file, chunk), bounds));
  return { native, js };
}

describe('gzip on a runtime without the zlib handle (the portable inflater)', () => {
  beforeEach(() => {
    runtime.native = false;
  });
  afterEach(() => {
    runtime.native = true;
  });

  it('this runtime has the handle; the switch takes it away, and the portable inflater steps in', () => {
    expect(newInflater()).toBeInstanceOf(JsInflater);
    runtime.native = true;
    expect(rawInflaterAvailable()).toBe(true);
    expect(newInflater()).toBeInstanceOf(RawInflater);
  });

  it('reads every member of a multi-member file, and the real rotated log, whatever the chunking', async () => {
    const a = 'line a\n'.repeat(1000);
    const b = 'line b\n'.repeat(1000);
    const file = Buffer.concat([gzipSync(a), Buffer.alloc(7), gzipSync(b), LOG_GZ]);
    for (const chunk of [1, 777, file.length]) {
      const r = await drain(gunzipBounded(bytesStream(file, chunk), bounds));
      expect([r.error, r.bytes.toString()]).toEqual([null, a + b + LOG.toString()]);
    }
  });

  it('names the file when it is cut, and stops a bomb', async () => {
    const file = gzipSync('x'.repeat(100_000) + '\n');
    const cut = await drain(gunzipBounded(bytesStream(file.subarray(0, file.length - 12), 64), bounds));
    expect(cut.error?.message).toMatch(/^truncated gzip: audit\.log\.gz ends inside the compressed data of member 1/);
    const bomb = gzipSync(Buffer.alloc(8 << 20));
    const r = await drain(gunzipBounded(bytesStream(bomb, 4096), { ...bounds, maxRatio: 100 }));
    expect(r.error?.message).toMatch(/^decompression bomb: audit\.log\.gz inflates more than 100 times/);
  });

  it('a corrupt block: everything before it comes out (the native inflater loses up to 64 KiB, the zlib stream lost 256 KiB)', async () => {
    for (const cut of [1, 70_000, 262_144, ORIGINAL.length - 50_000]) {
      // A sync flush leaves the stream byte-aligned; 0x07 then starts a block of reserved type 3.
      const deflated = Buffer.concat([deflateRawSync(ORIGINAL.subarray(0, cut), { finishFlush: zc.Z_SYNC_FLUSH }), Buffer.from([0x07]), Buffer.alloc(4096, 0x5a)]);
      const { native, js } = await both(gzipMember(ORIGINAL, { deflated }));
      expect(js.error?.message).toMatch(/^corrupt gzip in audit\.log\.gz: member 1 \(at byte 0\) has bad deflate data after \d+ bytes: invalid block type$/);
      expect(native.error?.message).toMatch(/invalid block type$/);
      expect(js.bytes.equals(ORIGINAL.subarray(0, cut)), `cut ${cut}`).toBe(true);
      expect(js.bytes.subarray(0, native.bytes.length).equals(native.bytes), `cut ${cut}`).toBe(true);
      expect(cut - native.bytes.length).toBeLessThanOrEqual(64 << 10);
    }
  });

  it('a file cut in its compressed data: every decodable byte, as on the native inflater', async () => {
    const gz = gzipSync(ORIGINAL);
    const cutFile = gz.subarray(0, gz.length - 30_000);
    const decodable = inflateRawSync(cutFile.subarray(10), { finishFlush: zc.Z_SYNC_FLUSH });
    const { native, js } = await both(cutFile, 65_536);
    expect(js.bytes.equals(decodable)).toBe(true);
    expect(native.bytes.equals(decodable)).toBe(true);
    expect(js.error?.message).toBe(native.error?.message);
  });

  it('a bad trailer or trailing garbage: the whole member first, then the same error as natively', async () => {
    const good = gzipSync(ORIGINAL);
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 8]! ^= 1;
    for (const file of [badCrc, Buffer.concat([good, Buffer.from('garbage')])]) {
      const { native, js } = await both(file, 100_000);
      expect(js.bytes.equals(ORIGINAL)).toBe(true);
      expect(js.error?.message).toBe(native.error?.message);
    }
  });

  it('gunzipPrefix sees what the full read sees', async () => {
    const gz = gzipSync(ORIGINAL);
    for (const [n, max] of [[gz.length, 5000], [2000, 1 << 20], [11, 10]] as const) {
      const js = await gunzipPrefix(gz.subarray(0, n), max);
      runtime.native = true;
      const native = await gunzipPrefix(gz.subarray(0, n), max);
      runtime.native = false;
      expect(Buffer.from(js).equals(Buffer.from(native)), `prefix ${n} max ${max}`).toBe(true);
      expect(Buffer.from(js).equals(ORIGINAL.subarray(0, js.length))).toBe(true);
    }
  });
});
