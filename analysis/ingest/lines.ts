/**
 * Cuts a byte stream into text lines. Works on bytes (Buffer#indexOf) so line offsets are exact
 * byte offsets of the decompressed stream, and a hostile line never costs more than
 * `maxLineBytes` of memory: an overlong line is reported once and skipped to its newline.
 *
 * Lines end at `\n`; a `\r` before it is dropped. Line numbers are 1-based and count every
 * physical line, including skipped empty ones. A UTF-8 BOM at the very start is dropped. Invalid
 * UTF-8 is reported (a real U+FFFD in the input is legal and passes).
 */

export interface LineSplitterOptions {
  maxLineBytes: number;
  /**
   * `text` is `bytes[start, end)` decoded (valid UTF-8, so the bytes are exactly the text's UTF-8):
   * a caller that stores the line as read can copy the bytes instead of encoding the text again.
   * The bytes are only valid during the call (the caller's chunk may be reused).
   */
  onLine(text: string, lineNo: number, offset: number, bytes: Buffer, start: number, end: number): void;
  onBadLine(reason: string, head: string, lineNo: number, offset: number): void;
}

export interface LineSplitter {
  push(chunk: Uint8Array): void;
  /** Delivers a last line without a trailing newline. */
  end(): void;
}

import { isAscii } from 'node:buffer';

const HEAD_BYTES = 200;
const NL = 0x0a;
const CR = 0x0d;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

export function createLineSplitter(opts: LineSplitterOptions): LineSplitter {
  const max = Math.max(1, Math.floor(opts.maxLineBytes));
  const { onLine, onBadLine } = opts;
  // What an overlong line reports: its first 200 bytes, or as many as are ever held (max + 1), so
  // the report does not depend on how the stream was chunked.
  const headBytes = Math.min(HEAD_BYTES, max + 1);
  /** Stream offset of the next byte fed. */
  let streamPos = 0;
  /** Start offset and number of the line being assembled. */
  let lineStart = 0;
  let lineNo = 1;
  /** Pieces of a line that spans chunks. */
  let carry: Buffer[] = [];
  let carryLen = 0;
  /** Inside an overlong line already reported: drop bytes until its newline. */
  let skipping = false;
  /** First bytes held back while they may still be a BOM split across chunks; null once decided. */
  let pre: Buffer | null = Buffer.alloc(0);
  let ended = false;
  /** The piece being fed, decoded once when it is all ASCII (see `emit`). */
  let asciiText = '';

  /**
   * `ascii`: `buf` is all ASCII and `asciiText` is it decoded (or '' until needed): the line is a
   * slice of that one string, as a whole-chunk decode would give, instead of a decode of its own
   * (measured: a tenth of the parse worker's time on audit logs). ASCII is valid UTF-8.
   */
  function emit(buf: Buffer, s: number, e: number, ascii: boolean): void {
    if (e > s && buf[e - 1] === CR) e--;
    if (e === s) return; // empty lines are skipped, not reported
    if (e - s > max) {
      onBadLine(`line exceeds ${max} bytes`, buf.toString('utf8', s, s + headBytes), lineNo, lineStart);
      return;
    }
    if (ascii) {
      if (asciiText.length === 0) asciiText = buf.toString('latin1');
      onLine(asciiText.slice(s, e), lineNo, lineStart, buf, s, e);
      return;
    }
    const text = buf.toString('utf8', s, e);
    if (text.indexOf('\uFFFD') !== -1 && !validUtf8(buf, s, e)) {
      onBadLine('invalid UTF-8', buf.toString('utf8', s, Math.min(e, s + HEAD_BYTES)), lineNo, lineStart);
      return;
    }
    onLine(text, lineNo, lineStart, buf, s, e);
  }

  function feed(buf: Buffer): void {
    const base = streamPos;
    streamPos += buf.length;
    const len = buf.length;
    const ascii = isAscii(buf);
    asciiText = '';
    let pos = 0;
    while (pos < len) {
      const nl = buf.indexOf(NL, pos);
      if (nl === -1) {
        if (skipping) return;
        const piece = buf.subarray(pos);
        // +1: a line of exactly max bytes may still be followed by its "\r".
        if (carryLen + piece.length > max + 1) {
          onBadLine(`line exceeds ${max} bytes`, headOf(carry, piece, headBytes), lineNo, lineStart);
          carry = [];
          carryLen = 0;
          skipping = true;
          return;
        }
        carry.push(Buffer.from(piece)); // a copy: the caller may reuse its chunk
        carryLen += piece.length;
        return;
      }
      if (skipping) {
        skipping = false;
      } else if (carryLen > 0) {
        carry.push(buf.subarray(pos, nl));
        const line = Buffer.concat(carry, carryLen + nl - pos);
        carry = [];
        carryLen = 0;
        emit(line, 0, line.length, false);
      } else {
        emit(buf, pos, nl, ascii);
      }
      lineNo++;
      lineStart = base + nl + 1;
      pos = nl + 1;
    }
  }

  function push(chunk: Uint8Array): void {
    if (ended || chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (pre === null) {
      feed(buf);
      return;
    }
    const joined = pre.length > 0 ? Buffer.concat([pre, buf]) : buf;
    if (joined.length < 3 && joined[0] === 0xef && (joined.length < 2 || joined[1] === 0xbb)) {
      pre = Buffer.from(joined);
      return;
    }
    pre = null;
    if (joined.length >= 3 && joined[0] === 0xef && joined[1] === 0xbb && joined[2] === 0xbf) {
      streamPos = 3;
      lineStart = 3;
      feed(joined.subarray(3));
    } else {
      feed(joined);
    }
  }

  function end(): void {
    if (ended) return;
    if (pre !== null && pre.length > 0) {
      const held = pre;
      pre = null;
      feed(held); // fewer than 3 bytes in the whole stream, held back as a possible BOM
    }
    pre = null;
    ended = true;
    if (!skipping && carryLen > 0) {
      const line = Buffer.concat(carry, carryLen);
      emit(line, 0, line.length, false);
    }
    carry = [];
    carryLen = 0;
  }

  return { push, end };
}

/** The first `limit` bytes of a line held in pieces, as text. */
function headOf(pieces: readonly Buffer[], last: Buffer, limit: number): string {
  const parts: Buffer[] = [];
  let n = 0;
  for (const p of [...pieces, last]) {
    if (n >= limit) break;
    parts.push(p.subarray(0, limit - n));
    n += Math.min(p.length, limit - n);
  }
  return Buffer.concat(parts, n).toString('utf8');
}

function validUtf8(buf: Buffer, s: number, e: number): boolean {
  try {
    fatalUtf8.decode(buf.subarray(s, e));
    return true;
  } catch {
    return false;
  }
}
