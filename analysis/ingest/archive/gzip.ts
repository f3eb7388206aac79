/**
 * gzip (RFC 1952) as bundles carry it: rotated logs (`audit.log.1.gz`), multi-member files that
 * logrotate and `cat a.gz b.gz` produce, `.tar.gz` bundles. Bounded against bombs.
 */
import { inflateBounded, inflatePrefix } from './bounded-inflate.js';
import type { DecompressionBudget } from './limits.js';

export interface GunzipOptions {
  maxBytes: number;
  maxRatio: number;
  /** Path inside the bundle, for messages. */
  name: string;
  budget?: DecompressionBudget;
}

/** gzip member magic (RFC 1952 §2.3.1: ID1 0x1f, ID2 0x8b, CM 8 = deflate). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8;
}

/**
 * Decompresses every member of a gzip stream. Truncated input: yields what decompressed, then
 * throws BundleError "truncated gzip: <name> …". Too large / too high a ratio: BundleError
 * "decompression bomb: <name> …".
 */
export function gunzipBounded(chunks: AsyncIterable<Uint8Array>, opts: GunzipOptions): AsyncIterable<Uint8Array> {
  return inflateBounded('gzip', chunks, opts);
}

/** The first `max` decompressed bytes of a gzip whose first compressed bytes are `prefix`. */
export function gunzipPrefix(prefix: Uint8Array, max: number): Promise<Uint8Array> {
  return inflatePrefix('gzip', prefix, max);
}
