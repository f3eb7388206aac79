/**
 * Zip entries whose deflate data (RFC 1951, zip method 8) is corrupt, cut short, or ends early:
 * every byte that inflated before the problem must come out, and the error must name the entry.
 * Natively (RawInflater) and on a runtime without node's zlib handle (the portable JsInflater,
 * switched on below through `rawInflaterAvailable`).
 */
import { constants as zc, crc32 as zlibCrc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { inflateBounded } from './bounded-inflate.js';
import { bytesStream } from './byte-streams.js';
import { buildZip } from './fixture-archives.js';
import { BundleError } from './limits.js';
import { openZip } from './zip-reader.js';

/** The injectable switch: `native: false` is a runtime whose zlib handle RawInflater cannot drive. */
const runtime = vi.hoisted(() => ({ native: true }));
vi.mock('./raw-inflater.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./raw-inflater.js')>();
  return { ...real, rawInflaterAvailable: () => runtime.native && real.rawInflaterAvailable() };
});

/** ~1.1 MB of numbered JSON lines: compresses like a real event log, and every line is unique. */
function jsonLines(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`{"n":${i},"action":"create","resource":"pods/exec","user":"u${i % 97}"}\n`);
  return Buffer.from(parts.join(''));
}
const ORIGINAL = jsonLines(16_000);
const NAME = 'events.jsonl';

/** A one-entry zip whose method-8 entry holds `body` as its deflate data, as written. */
function zipWithDeflateBody(body: Uint8Array, declaredSize = ORIGINAL.length, crc = zlibCrc32(ORIGINAL) >>> 0): Uint8Array {
  const zip = Buffer.from(buildZip([{ name: NAME, data: body, declaredSize, crc }]));
  // buildZip stored `body` as-is (method 0); mark it deflated in the local and central headers.
  zip.writeUInt16LE(8, 8);
  const central = 30 + NAME.length + body.length;
  expect(zip.readUInt32LE(central)).toBe(0x02014b50);
  zip.writeUInt16LE(8, central + 10);
  return zip;
}

interface Outcome {
  bytes: Buffer;
  error: unknown;
  warnings: string[];
}

async function readEntry(zipBytes: Uint8Array): Promise<Outcome> {
  const zip = await openZip(bufferSource('a.zip', zipBytes));
  const parts: Buffer[] = [];
  const warnings: string[] = [];
  let error: unknown = null;
  try {
    for await (const c of zip.stream(zip.entries[0]!, (w) => warnings.push(w))) parts.push(Buffer.from(c));
  } catch (err) {
    error = err;
  }
  return { bytes: Buffer.concat(parts), error, warnings };
}

/** Length of the common prefix of `a` and `b`. */
function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * Deflate data that is valid for `original[0, cut)` and then corrupt: a sync flush leaves the
 * stream byte-aligned, and 0x07 starts a final block of the reserved type 3 (RFC 1951 §3.2.3),
 * which zlib rejects ("invalid block type"). The junk after it keeps the entry near full size.
 */
function corruptAt(cut: number, junk = 4096): Buffer {
  const good = deflateRawSync(ORIGINAL.subarray(0, cut), { finishFlush: zc.Z_SYNC_FLUSH });
  return Buffer.concat([good, Buffer.from([0x07]), Buffer.alloc(junk, 0x5a)]);
}

/** What the stream path (node's InflateRaw) yielded before these errors, measured: the loss this file guards against. */
const LOSS_BEFORE = { corrupt: 206_808, cutArchive: 546_031 };
/** The most a bad deflate block may cost now: one RawDeflateDecoder inflate step. */
const STEP = 64 << 10;

/**
 * Changes 1–4 bytes within the last 20,000 of the deflate data (and cuts a third of the cases short):
 * the read fails only with BundleError, stays bounded, and keeps all but `lossAllowed` bytes of what
 * the data before the first change decodes to.
 */
async function fuzzNearTheEnd(iterations: number, lossAllowed: number): Promise<void> {
  const body = deflateRawSync(ORIGINAL);
  let x = 4242;
  const rnd = (n: number): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % n;
  for (let i = 0; i < iterations; i++) {
    const m = Buffer.from(body);
    let first = m.length;
    for (let k = 0; k < 1 + rnd(4); k++) {
      const at = m.length - 1 - rnd(20_000);
      m[at] = rnd(256);
      first = Math.min(first, at);
    }
    const cut = rnd(3) === 0 ? m.subarray(0, m.length - rnd(5000)) : m;
    const r = await readEntry(zipWithDeflateBody(cut));
    if (r.error !== null) expect(r.error).toBeInstanceOf(BundleError);
    expect(r.bytes.length).toBeLessThanOrEqual(ORIGINAL.length * 2);
    const intact = inflateRawSync(body.subarray(0, Math.min(first, cut.length)), { finishFlush: zc.Z_SYNC_FLUSH }).length;
    expect(commonPrefix(r.bytes, ORIGINAL)).toBeGreaterThanOrEqual(intact - lossAllowed);
  }
}

describe('zip deflate entries that go wrong', () => {
  it('corrupt deflate data near the end: all but at most 64 KiB of what came before comes out', async () => {
    const cut = ORIGINAL.length - 50_000;
    const r = await readEntry(zipWithDeflateBody(corruptAt(cut)));
    expect(r.error).toBeInstanceOf(BundleError);
    expect(String(r.error)).toMatch(/corrupt deflate data in a\.zip!\/events\.jsonl: invalid block type \(after compressed byte \d+, \d+ bytes inflated before it\)/);
    expect(commonPrefix(r.bytes, ORIGINAL)).toBe(r.bytes.length);
    expect(r.bytes.length).toBeLessThanOrEqual(cut);
    expect(cut - r.bytes.length).toBeLessThanOrEqual(STEP);
    expect(cut - r.bytes.length).toBeLessThan(LOSS_BEFORE.corrupt);
  });

  it('corrupt deflate data at any point: the loss stays within one step', async () => {
    // 262144: the good data fills a step exactly, and zlib reads the bad block header in the same call.
    for (const cut of [1, 70_000, 300_000, 262_144, 524_288 + 5, ORIGINAL.length - 1]) {
      const r = await readEntry(zipWithDeflateBody(corruptAt(cut, 10)));
      expect(r.error, `cut ${cut}`).toBeInstanceOf(BundleError);
      expect(commonPrefix(r.bytes, ORIGINAL), `cut ${cut}`).toBe(r.bytes.length);
      expect(cut - r.bytes.length, `cut ${cut}`).toBeLessThanOrEqual(STEP);
    }
  });

  it('deflate data cut short inside the entry: every decodable byte, then an error with the offset', async () => {
    const full = deflateRawSync(ORIGINAL);
    const body = full.subarray(0, full.length - 20_000);
    const decodable = inflateRawSync(body, { finishFlush: zc.Z_SYNC_FLUSH }).length;
    const r = await readEntry(zipWithDeflateBody(body));
    expect(String(r.error)).toMatch(
      new RegExp(`truncated deflate data: a\\.zip!/events\\.jsonl ends inside its compressed stream \\(at compressed byte ${body.length}, ${decodable} bytes inflated\\)`),
    );
    expect(r.bytes.equals(ORIGINAL.subarray(0, decodable))).toBe(true);
  });

  it('an archive cut inside the entry: every decodable byte, then the cut with its offset', async () => {
    const zip = zipWithDeflateBody(deflateRawSync(ORIGINAL));
    const cutAt = zip.length - 30_000;
    const dataAt = 30 + NAME.length;
    const decodable = inflateRawSync(zip.subarray(dataAt, cutAt), { finishFlush: zc.Z_SYNC_FLUSH }).length;
    const r = await readEntry(zip.subarray(0, cutAt));
    expect(String(r.error)).toMatch(new RegExp(`truncated zip: events\\.jsonl in a\\.zip is cut short \\(at byte ${cutAt - dataAt} of its \\d+ compressed bytes\\)`));
    expect(r.bytes.equals(ORIGINAL.subarray(0, decodable))).toBe(true);
    expect(decodable).toBeGreaterThan(LOSS_BEFORE.cutArchive - 1); // all of it was lost before
  });

  it('a deflate stream that ends before the declared size: all of it, and warnings, no error', async () => {
    const half = ORIGINAL.subarray(0, 500_000);
    for (const body of [deflateRawSync(half), Buffer.concat([deflateRawSync(half), Buffer.alloc(3000, 0x41)])]) {
      const r = await readEntry(zipWithDeflateBody(body));
      expect(r.error).toBeNull();
      expect(r.bytes.equals(half)).toBe(true);
      expect(r.warnings.join('\n')).toMatch(/events\.jsonl holds 500000 bytes, its header says 1\d{6}/);
      expect(r.warnings.join('\n')).toMatch(/CRC-32 mismatch in events\.jsonl/);
    }
  });

  it('reads intact entries whatever the chunking, empty ones included', async () => {
    expect((await readEntry(zipWithDeflateBody(deflateRawSync(ORIGINAL)))).bytes.equals(ORIGINAL)).toBe(true);
    const empty = await readEntry(zipWithDeflateBody(deflateRawSync(Buffer.alloc(0)), 0, 0));
    expect([empty.error, empty.bytes.length, empty.warnings]).toEqual([null, 0, []]);
    const nothing = await readEntry(zipWithDeflateBody(Buffer.alloc(0), 0, 0));
    expect(String(nothing.error)).toMatch(/truncated deflate data: a\.zip!\/events\.jsonl ends inside its compressed stream \(at compressed byte 0, 0 bytes/);
  });

  it('fuzz: bytes changed near the end of the deflate data fail only with BundleError, within bounds', async () => {
    // What the bytes before the first changed one decode to comes out as it was, but for at most
    // one inflate step lost to an error.
    await fuzzNearTheEnd(60, STEP);
  });
});

/** `zipBytes`' entry read natively, then on the portable inflater. */
async function readBoth(zipBytes: Uint8Array): Promise<{ native: Outcome; js: Outcome }> {
  runtime.native = true;
  const native = await readEntry(zipBytes);
  runtime.native = false;
  const js = await readEntry(zipBytes);
  return { native, js };
}

describe('zip deflate entries that go wrong, on a runtime without the zlib handle (the portable inflater)', () => {
  beforeEach(() => {
    runtime.native = false;
  });
  afterEach(() => {
    runtime.native = true;
  });

  it(`corrupt deflate data: nothing before it is lost (natively up to ${STEP} bytes; the zlib stream lost ${LOSS_BEFORE.corrupt})`, async () => {
    for (const cut of [1, 70_000, 262_144, 524_288 + 5, ORIGINAL.length - 50_000, ORIGINAL.length - 1]) {
      const { native, js } = await readBoth(zipWithDeflateBody(corruptAt(cut)));
      expect(String(js.error)).toMatch(/corrupt deflate data in a\.zip!\/events\.jsonl: invalid block type \(after compressed byte \d+, \d+ bytes inflated before it\)/);
      expect(String(js.error)).toContain(`, ${cut} bytes inflated before it)`);
      expect(js.bytes.equals(ORIGINAL.subarray(0, cut)), `cut ${cut}`).toBe(true);
      expect(js.bytes.subarray(0, native.bytes.length).equals(native.bytes), `cut ${cut}`).toBe(true);
      expect(cut - native.bytes.length, `cut ${cut}`).toBeLessThanOrEqual(STEP);
    }
  });

  it(`an archive cut inside the entry, or deflate data cut short: every decodable byte, as natively (the zlib stream lost ${LOSS_BEFORE.cutArchive})`, async () => {
    const zip = zipWithDeflateBody(deflateRawSync(ORIGINAL));
    const dataAt = 30 + NAME.length;
    const cutAt = zip.length - 30_000;
    const decodable = inflateRawSync(zip.subarray(dataAt, cutAt), { finishFlush: zc.Z_SYNC_FLUSH });
    const cutArchive = await readBoth(zip.subarray(0, cutAt));
    const full = deflateRawSync(ORIGINAL);
    const body = full.subarray(0, full.length - 20_000);
    const cutBody = await readBoth(zipWithDeflateBody(body));
    for (const [r, want] of [[cutArchive, decodable], [cutBody, inflateRawSync(body, { finishFlush: zc.Z_SYNC_FLUSH })]] as const) {
      expect(r.js.bytes.equals(want)).toBe(true);
      expect(r.native.bytes.equals(want)).toBe(true);
      expect(String(r.js.error)).toBe(String(r.native.error));
    }
    expect(decodable.length).toBe(LOSS_BEFORE.cutArchive); // on the zlib stream, all of it was lost
  });

  it('intact entries, empty ones, and a stream that ends before the declared size read as natively', async () => {
    const half = ORIGINAL.subarray(0, 500_000);
    const zips = [
      zipWithDeflateBody(deflateRawSync(ORIGINAL)),
      zipWithDeflateBody(deflateRawSync(Buffer.alloc(0)), 0, 0),
      zipWithDeflateBody(Buffer.alloc(0), 0, 0),
      zipWithDeflateBody(Buffer.concat([deflateRawSync(half), Buffer.alloc(3000, 0x41)])),
    ];
    for (const zip of zips) {
      const { native, js } = await readBoth(zip);
      expect([js.bytes.equals(native.bytes), String(js.error), js.warnings]).toEqual([true, String(native.error), native.warnings]);
    }
  });

  it('keeps its bounds and names the entry', async () => {
    const bounds = { name: 'a.zip!/events.jsonl', maxBytes: 1 << 24, maxRatio: 200 };
    const drain = async (it: AsyncIterable<Uint8Array>): Promise<void> => {
      for await (const _ of it);
    };
    const bomb = deflateRawSync(Buffer.alloc(8 << 20));
    await expect(drain(inflateBounded('deflate-raw', bytesStream(bomb, 4096), bounds))).rejects.toThrow(/^decompression bomb: a\.zip!\/events\.jsonl/);
    await expect(drain(inflateBounded('deflate-raw', bytesStream(bomb, 4096), { ...bounds, maxRatio: 10_000, maxBytes: 3 << 20 }))).rejects.toThrow(
      /^decompression bomb: a\.zip!\/events\.jsonl inflates past 3145728 bytes/,
    );
  });

  it('fuzz: bytes changed near the end fail only with BundleError, and everything before them comes out', async () => {
    // No inflate step lost to an error here: all that the bytes before the first change decode to.
    await fuzzNearTheEnd(40, 0);
  });
});
