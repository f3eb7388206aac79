/**
 * Streaming zlib decompression with hard bounds: output size, compression ratio and a shared
 * bundle budget are checked on every chunk, so a bomb is stopped after at most one zlib chunk of
 * overshoot (node's zlib streams honour backpressure inside a single write; the pull decoders
 * return at most one chunk per call).
 */
import { Readable, pipeline } from 'node:stream';
import { constants, createGunzip, createInflateRaw, type Gunzip, type InflateRaw } from 'node:zlib';
import { GzipMemberDecoder } from './gzip-members.js';
import type { PullDecoder } from './pull-decoder.js';
import { RawDeflateDecoder } from './raw-deflate-decoder.js';
import { rawInflaterAvailable } from './raw-inflater.js';
import { BundleError, exceedsRatio, type DecompressionBudget } from './limits.js';

export interface InflateBounds {
  /** Name for messages (path inside the bundle). */
  name: string;
  maxBytes: number;
  maxRatio: number;
  budget?: DecompressionBudget;
  /**
   * Called once the compressed stream has ended well, with the compressed bytes it used: a zip
   * entry compares them with its declared compressed size (bytes after the deflate stream's end
   * are ignored, as miniz does, but are worth a warning: data hidden in the entry's slack).
   */
  onEnd?: (compressedBytes: number) => void;
}

/** Output chunk size of the streaming inflate. */
const INFLATE_CHUNK_BYTES = 256 << 10;

/** gzip (RFC 1952, all members) or raw deflate (RFC 1951, as in zip method 8). */
export type InflateFormat = 'gzip' | 'deflate-raw';

export function inflateBounded(
  format: InflateFormat,
  chunks: AsyncIterable<Uint8Array>,
  bounds: InflateBounds,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!byRawInflater()) return inflateStreamBounded(format, chunks, bounds);
  return decodeBounded(format, chunks, bounds);
}

let rawInflater: boolean | null = null;
/**
 * Whether gzip and raw deflate go through GzipMemberDecoder / RawDeflateDecoder, which drive node's
 * zlib handle (raw-inflater.ts). A runtime whose internals differ (a future Node, another
 * Electron) falls back to the zlib stream: everything still reads, but a bad ending may again cost
 * the last output chunk.
 */
function byRawInflater(): boolean {
  return (rawInflater ??= rawInflaterAvailable());
}

/**
 * Every byte that inflated is yielded before a bad ending (corrupt data, a cut, a bad gzip trailer
 * or trailing garbage) is reported, and before an error of `chunks` itself (an archive cut inside
 * the entry) propagates.
 */
async function* decodeBounded(format: InflateFormat, chunks: AsyncIterable<Uint8Array>, bounds: InflateBounds): AsyncGenerator<Uint8Array> {
  // Made here, not by the caller: a generator never iterated never runs `finally` to close it.
  const d: PullDecoder = format === 'gzip' ? new GzipMemberDecoder(bounds.name, INFLATE_CHUNK_BYTES) : new RawDeflateDecoder(bounds.name, INFLATE_CHUNK_BYTES);
  let out = 0;
  try {
    for await (const chunk of chunks) {
      d.push(chunk);
      for (let c = d.next(); c !== null; c = d.next()) {
        out += c.length;
        checkBounds(out, d.consumed, c.length, bounds);
        yield c;
      }
    }
    d.end();
    bounds.onEnd?.(d.consumed);
  } finally {
    d.close();
  }
}

/** Throws BundleError when `out` bytes inflated from `consumed` break a bound; charges the budget. */
function checkBounds(out: number, consumed: number, chunk: number, bounds: InflateBounds): void {
  if (out > bounds.maxBytes) {
    throw new BundleError(bounds.name, `decompression bomb: ${bounds.name} inflates past ${bounds.maxBytes} bytes`);
  }
  if (exceedsRatio(out, consumed, bounds.maxRatio)) {
    const what = `inflates more than ${bounds.maxRatio} times its compressed size`;
    throw new BundleError(bounds.name, `decompression bomb: ${bounds.name} ${what}`);
  }
  bounds.budget?.charge(chunk, bounds.name);
}

/**
 * Through a zlib stream, where RawInflater cannot run (`byRawInflater`): gzip, and raw deflate
 * (zip entries; the zip reader checks their CRC-32 itself). Exported for that fallback's tests.
 */
export async function* inflateStreamBounded(format: InflateFormat, chunks: AsyncIterable<Uint8Array>, bounds: InflateBounds): AsyncGenerator<Uint8Array> {
  // 256 KiB output chunks instead of zlib's 16 KiB: a sixteenth of the stream callbacks per byte
  // (measured: a visible share of ingest time). The bounds below still stop a bomb within a chunk.
  const zopts = { chunkSize: INFLATE_CHUNK_BYTES };
  const z: Gunzip | InflateRaw = format === 'gzip' ? createGunzip(zopts) : createInflateRaw(zopts);
  const src = Readable.from(chunks, { objectMode: false });
  // Errors of either side destroy both; they surface through the iteration below.
  pipeline(src, z, () => undefined);
  let out = 0;
  try {
    for await (const chunk of z as AsyncIterable<Buffer>) {
      out += chunk.length;
      checkBounds(out, z.bytesWritten, chunk.length, bounds);
      yield chunk;
    }
    bounds.onEnd?.(z.bytesWritten); // bytes zlib consumed: the stream's own length, not what follows it
  } catch (err) {
    throw zlibError(err, format, bounds);
  } finally {
    z.destroy();
    src.destroy();
  }
}

/** Turns zlib's codes into one sentence naming the file. */
function zlibError(err: unknown, format: InflateFormat, bounds: InflateBounds): Error {
  if (err instanceof BundleError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const what = format === 'gzip' ? 'gzip' : 'deflate data';
  if (code === 'Z_BUF_ERROR') {
    return new BundleError(bounds.name, `truncated ${what}: ${bounds.name} ends before its compressed stream does`);
  }
  if (code === 'Z_DATA_ERROR') {
    const msg = err instanceof Error ? err.message : String(err);
    return new BundleError(bounds.name, `corrupt ${what} in ${bounds.name}: ${msg}`);
  }
  if (err instanceof Error) return err;
  return new BundleError(bounds.name, `cannot decompress ${bounds.name}: ${String(err)}`);
}

/**
 * Decompresses what it can of a possibly partial compressed prefix (a file's first bytes, for
 * sniffing), returning at most `max` bytes; never throws on truncation or corruption.
 */
export async function inflatePrefix(format: InflateFormat, prefix: Uint8Array, max: number): Promise<Uint8Array> {
  if (format === 'gzip' && byRawInflater()) return gunzipPrefixSync(prefix, max);
  const zopts = { finishFlush: constants.Z_SYNC_FLUSH };
  const z: Gunzip | InflateRaw = format === 'gzip' ? createGunzip(zopts) : createInflateRaw(zopts);
  const parts: Buffer[] = [];
  let n = 0;
  z.end(prefix);
  try {
    for await (const c of z as AsyncIterable<Buffer>) {
      parts.push(c);
      n += c.length;
      if (n >= max) break;
    }
  } catch {
    // Corrupt or cut short: what came out before is still the file's head.
  } finally {
    z.destroy();
  }
  const all = Buffer.concat(parts, n);
  return all.length > max ? all.subarray(0, max) : all;
}

/** gzip prefix through the same decoder as the full read, so sniffing sees what reading will. */
function gunzipPrefixSync(prefix: Uint8Array, max: number): Uint8Array {
  if (max <= 0) return new Uint8Array(0);
  const d = new GzipMemberDecoder('prefix', Math.min(max, INFLATE_CHUNK_BYTES));
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    d.push(prefix);
    for (let c = d.next(); c !== null && n < max; c = d.next()) {
      parts.push(c);
      n += c.length;
    }
  } catch {
    // Corrupt: what came out before is still the file's head. (A cut is not an error here: the
    // prefix ends where the caller stopped reading, and `end` is never called.)
  } finally {
    d.close();
  }
  const all = Buffer.concat(parts, n);
  return all.length > max ? all.subarray(0, max) : all;
}
