/**
 * gzip (RFC 1952) as bundles carry it: rotated logs (`audit.log.1.gz`), multi-member files that
 * logrotate and `cat a.gz b.gz` produce, `.tar.gz` bundles. Bounded against bombs; framing and
 * trailer checks in gzip-members.ts, so nothing that inflated is lost to a bad ending.
 */
import { inflateBounded, inflatePrefix } from './bounded-inflate.js';
import { GzipHeaderError, GzipHeaderParser } from './gzip-header.js';
import { BundleError, type DecompressionBudget } from './limits.js';

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
 * Decompresses every member of a gzip stream (zero padding between and after members is
 * skipped). Every byte that inflated is yielded before any error, which is a BundleError naming
 * the file: "truncated gzip: <name> ends inside …" (cut anywhere, header included), "corrupt gzip
 * in <name>: …" (bad CRC-32 or length in member N, trailing garbage at byte offset X, bad header
 * or deflate data), "decompression bomb: <name> …" (too large / too high a ratio / budget spent).
 */
export function gunzipBounded(chunks: AsyncIterable<Uint8Array>, opts: GunzipOptions): AsyncIterable<Uint8Array> {
  return inflateBounded('gzip', chunks, opts);
}

/** The first `max` decompressed bytes of a gzip whose first compressed bytes are `prefix`. */
export function gunzipPrefix(prefix: Uint8Array, max: number): Promise<Uint8Array> {
  return inflatePrefix('gzip', prefix, max);
}

/**
 * What is wrong with the first member header of a gzip file, judged from its first bytes `head`
 * (`whole`: they are the entire file), or null when nothing is wrong as far as `head` goes. Lets a
 * caller that only sniffs (and so never reads a 5-byte .gz to its end) report it as what it is.
 */
export function gzipHeadProblem(head: Uint8Array, name: string, whole: boolean): BundleError | null {
  const parser = new GzipHeaderParser();
  try {
    parser.feed(head, 0);
  } catch (err) {
    const why =
      err instanceof GzipHeaderError && err.problem === 'magic'
        ? 'incorrect header check: not a gzip stream'
        : `member 1 (at byte 0) has a bad header: ${err instanceof Error ? err.message : String(err)}`;
    return new BundleError(name, `corrupt gzip in ${name}: ${why}`);
  }
  if (parser.done || !whole) return null;
  if (head.length === 0) return new BundleError(name, `truncated gzip: ${name} is empty`);
  const n = head.length;
  return new BundleError(name, `truncated gzip: ${name} ends inside the header of member 1 (at byte ${n}, ${n} header bytes)`);
}
