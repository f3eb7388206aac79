/**
 * Streaming zlib decompression with hard bounds: output size, compression ratio and a shared
 * bundle budget are checked on every chunk, so a bomb is stopped after at most one chunk of
 * overshoot (the pull decoders return at most one chunk per call).
 *
 * gzip and raw deflate both go through the pull decoders (GzipMemberDecoder, RawDeflateDecoder),
 * which drive node's native inflater where the runtime allows (raw-inflater.ts) and the portable
 * JsInflater elsewhere (js-inflate.ts: another Node major, Electron's Node): on either, every byte
 * that inflated is yielded before a bad ending is reported.
 */
import { GzipMemberDecoder } from './gzip-members.js';
import type { PullDecoder } from './pull-decoder.js';
import { RawDeflateDecoder } from './raw-deflate-decoder.js';
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

/** Output chunk size of the streaming inflate: the unit its bounds are checked in. */
export const INFLATE_CHUNK_BYTES = 256 << 10;

/** gzip (RFC 1952, all members) or raw deflate (RFC 1951, as in zip method 8). */
export type InflateFormat = 'gzip' | 'deflate-raw';

function decoderFor(format: InflateFormat, name: string, outChunk: number, allocOut?: (size: number) => Buffer): PullDecoder {
  return format === 'gzip' ? new GzipMemberDecoder(name, outChunk, undefined, allocOut) : new RawDeflateDecoder(name, outChunk);
}

/**
 * Every byte that inflated is yielded before a bad ending (corrupt data, a cut, a bad gzip trailer
 * or trailing garbage) is reported, and before an error of `chunks` itself (an archive cut inside
 * the entry) propagates.
 */
export async function* inflateBounded(format: InflateFormat, chunks: AsyncIterable<Uint8Array>, bounds: InflateBounds): AsyncGenerator<Uint8Array, void, undefined> {
  // Made here, not by the caller: a generator never iterated never runs `finally` to close it.
  const inflate = new BoundedInflate(format, bounds);
  try {
    for await (const chunk of chunks) {
      inflate.push(chunk);
      for (let c = inflate.next(); c !== null; c = inflate.next()) yield c;
    }
    inflate.end();
  } finally {
    inflate.close();
  }
}

/**
 * The synchronous core of `inflateBounded`, for a caller that is handed the compressed chunks
 * (the ingest's parse worker inflates the .gz files the ingesting thread reads): `push` a chunk,
 * `next` until null, `end` after the last, `close` in any case. Same decoder, same output chunks,
 * same checks: the same bytes come out before the same error.
 */
export class BoundedInflate {
  private readonly d: PullDecoder;
  private out = 0;

  /** `allocOut`: where output goes, INFLATE_CHUNK_BYTES at a time (gzip only; see PullDecoder). */
  constructor(
    format: InflateFormat,
    private readonly bounds: InflateBounds,
    allocOut?: (size: number) => Buffer,
  ) {
    this.d = decoderFor(format, bounds.name, INFLATE_CHUNK_BYTES, allocOut);
  }

  push(chunk: Uint8Array): void {
    this.d.push(chunk);
  }

  /** The next output chunk within the bounds, or null when it needs more input; throws BundleError. */
  next(): Uint8Array | null {
    const c = this.d.next();
    if (c === null) return null;
    this.out += c.length;
    checkBounds(this.out, this.d.consumed, c.length, this.bounds);
    return c;
  }

  /** End of the compressed input (after `next` returned null): throws when it ended too early. */
  end(): void {
    this.d.end();
    this.bounds.onEnd?.(this.d.consumed);
  }

  close(): void {
    this.d.close();
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
 * Decompresses what it can of a possibly partial compressed prefix (a file's first bytes, for
 * sniffing), returning at most `max` bytes; never throws on truncation or corruption. Through the
 * same decoder as the full read, so sniffing sees what reading will.
 */
export async function inflatePrefix(format: InflateFormat, prefix: Uint8Array, max: number): Promise<Uint8Array> {
  if (max <= 0) return new Uint8Array(0);
  const d = decoderFor(format, 'prefix', Math.min(max, INFLATE_CHUNK_BYTES));
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
