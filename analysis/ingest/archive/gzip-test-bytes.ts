/**
 * Test support for the gzip decoder: builds RFC 1952 members with any header flags (node's gzip
 * writes none of FEXTRA, FNAME, FCOMMENT, FHCRC) and drains a decoder the way callers do.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { FCOMMENT, FEXTRA, FHCRC, FNAME } from './gzip-header.js';
import { GzipMemberDecoder } from './gzip-members.js';

export interface MemberOptions {
  extra?: Uint8Array;
  name?: string;
  comment?: string;
  headerCrc?: boolean;
  /** Overrides FLG (for reserved-bit tests). */
  flags?: number;
  method?: number;
  /** The member's deflate data, instead of deflating `data` (which the trailer still describes). */
  deflated?: Uint8Array;
}

function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** One gzip member holding `data`, with the optional header fields asked for. */
export function gzipMember(data: string | Uint8Array, o: MemberOptions = {}): Buffer {
  const raw = typeof data === 'string' ? Buffer.from(data) : data;
  let flg = 0;
  if (o.extra) flg |= FEXTRA;
  if (o.name !== undefined) flg |= FNAME;
  if (o.comment !== undefined) flg |= FCOMMENT;
  if (o.headerCrc) flg |= FHCRC;
  const head: number[] = [0x1f, 0x8b, o.method ?? 8, o.flags ?? flg, ...le32(1_700_000_000), 0, 3];
  if (o.extra) head.push(o.extra.length & 0xff, o.extra.length >>> 8, ...o.extra);
  if (o.name !== undefined) head.push(...Buffer.from(o.name, 'latin1'), 0);
  if (o.comment !== undefined) head.push(...Buffer.from(o.comment, 'latin1'), 0);
  if (o.headerCrc) {
    const c = crc32(Buffer.from(head)) & 0xffff;
    head.push(c & 0xff, c >>> 8);
  }
  return Buffer.concat([Buffer.from(head), o.deflated ?? deflateRawSync(raw), Buffer.from([...le32(crc32(raw)), ...le32(raw.length)])]);
}

export interface Decoded {
  out: Buffer;
  error: Error | null;
  /** Largest piece one `next` returned. */
  largest: number;
  members: number;
}

/** Runs `bytes` through a decoder in `chunk`-byte pieces, collecting output until it ends or fails. */
export function decodeGzip(bytes: Uint8Array, chunk = Math.max(1, bytes.length), outChunk?: number): Decoded {
  const d = new GzipMemberDecoder('t.gz', outChunk);
  const parts: Uint8Array[] = [];
  let largest = 0;
  let error: Error | null = null;
  try {
    for (let i = 0; i < bytes.length; i += chunk) {
      d.push(bytes.subarray(i, Math.min(bytes.length, i + chunk)));
      for (let c = d.next(); c !== null; c = d.next()) {
        parts.push(c);
        largest = Math.max(largest, c.length);
      }
    }
    d.end();
  } catch (err) {
    error = err as Error;
  } finally {
    d.close();
  }
  // Concatenated only now: pieces returned early must not have been overwritten by later ones.
  return { out: Buffer.concat(parts), error, largest, members: d.members };
}
