/**
 * gzip framing (RFC 1952): members one after another, each a header, raw deflate data (RFC 1951)
 * and an 8-byte trailer (CRC-32, ISIZE), checked here rather than by zlib so that nothing that
 * inflated is lost to a bad trailer or to bytes after the last member (node's Gunzip drops the
 * output of the write that fails, and stops silently at the first zero byte after a member).
 *
 * Between and after members, zero bytes are skipped (tar and block devices pad with them, gzip(1)
 * accepts them); a later non-zero byte must start a member, anything else is trailing garbage.
 *
 * Synchronous and pull-based: `push` a compressed chunk, then call `next` until it returns null;
 * `end` at the end of the input. Every problem surfaces as a BundleError naming the file, and only
 * after `next` has returned every byte that decoded before it.
 */
import { crc32 } from './crc32.js';
import { GzipHeaderError, GzipHeaderParser } from './gzip-header.js';
import { BundleError } from './limits.js';
import { newInflater, type Inflater } from './inflater.js';
import { INFLATE_STEP, PullDecoder } from './pull-decoder.js';

const enum Phase {
  Header,
  Body,
  Trailer,
  /** After a trailer: zero padding, the next member, or the end. */
  Between,
}

const EMPTY = new Uint8Array(0);
const TWO_32 = 2 ** 32;

export class GzipMemberDecoder extends PullDecoder {
  // `consumed` (PullDecoder) counts headers, padding and trailers too.
  /** Members read to the end of their trailer, all checks passed. */
  members = 0;

  private phase = Phase.Header;
  private readonly header = new GzipHeaderParser();
  private inflater: Inflater | null = null;
  /** Byte offset where the current member (or the garbage in its place) starts. */
  private memberAt = 0;
  /** CRC-32 and length of what the current member inflated to. */
  private crc = 0;
  private size = 0;
  private readonly trailer = new Uint8Array(8);
  private trailerLen = 0;

  /**
   * @param name file name for messages
   * @param outChunk most bytes one `next` returns (the unit the callers' bounds are checked in)
   * @param inflaterFor makes the raw-deflate inflater (once, reset for each member): by default
   *   node's native one where the runtime allows, else the portable one (inflater.ts)
   * @param allocOut where output goes (PullDecoder): by default a new buffer per `outChunk`
   */
  constructor(
    private readonly name: string,
    outChunk = 256 << 10,
    private readonly inflaterFor: () => Inflater = newInflater,
    allocOut?: (size: number) => Buffer,
  ) {
    super(outChunk, allocOut);
  }

  /** End of input (after `next` returned null): throws BundleError when it ends inside a member. */
  end(): void {
    this.throwIfFailed();
    const n = this.members + 1;
    const at = `at byte ${this.consumed}`;
    switch (this.phase) {
      case Phase.Between:
        return;
      case Phase.Header:
        if (n === 1 && this.header.length === 0) throw this.truncated(`${this.name} is empty`);
        throw this.truncated(`${this.name} ends inside the header of member ${n} (${at}, ${this.header.length} header bytes)`);
      case Phase.Body:
        throw this.truncated(
          this.deflateComplete()
            ? `${this.name} ends before the 8-byte trailer of member ${n} (${at})`
            : `${this.name} ends inside the compressed data of member ${n} (${at}, ${this.size} bytes inflated from it)`,
        );
      case Phase.Trailer:
        throw this.truncated(`${this.name} ends inside the 8-byte trailer of member ${n} (${at}, ${this.trailerLen} of 8 bytes)`);
    }
  }

  close(): void {
    this.inflater?.close();
    this.inflater = null;
  }

  protected decode(): void {
    const input = this.input;
    while (this.outOff < this.outChunk) {
      const left = input.length - this.inOff;
      switch (this.phase) {
        case Phase.Between: {
          if (left === 0) return;
          let p = this.inOff;
          while (p < input.length && input[p] === 0) p++;
          this.take(p - this.inOff);
          if (p === input.length) return;
          this.startMember();
          break;
        }
        case Phase.Header: {
          if (left === 0) return;
          let stop: number;
          try {
            stop = this.header.feed(input, this.inOff);
          } catch (err) {
            throw this.headerError(err);
          }
          this.take(stop - this.inOff);
          if (!this.header.done) return;
          this.phase = Phase.Body;
          this.crc = 0;
          this.size = 0;
          if (this.inflater) this.inflater.reset();
          else this.inflater = this.inflaterFor();
          break;
        }
        case Phase.Body:
          if (!this.inflate()) return;
          this.phase = Phase.Trailer;
          this.trailerLen = 0;
          break;
        case Phase.Trailer: {
          if (left === 0) return;
          const n = Math.min(8 - this.trailerLen, left);
          for (let i = 0; i < n; i++) this.trailer[this.trailerLen + i] = input[this.inOff + i]!;
          this.trailerLen += n;
          this.take(n);
          if (this.trailerLen < 8) return;
          this.checkTrailer();
          this.members++;
          this.phase = Phase.Between;
          break;
        }
      }
    }
  }

  /**
   * Inflates the current member's data into the output buffer; true once its deflate stream has
   * ended (the trailer follows), false when it needs more input or output room.
   */
  private inflate(): boolean {
    const z = this.inflater!;
    const out = this.out!;
    for (;;) {
      const room = Math.min(INFLATE_STEP, this.outChunk - this.outOff);
      if (room === 0) return false;
      const left = this.input.length - this.inOff;
      const ok = z.write(this.input, this.inOff, left, out, this.outOff, room);
      // After a failure these are what is known good (the portable inflater knows all of it).
      const { read, wrote } = z;
      if (wrote > 0) {
        this.crc = crc32(out.subarray(this.outOff, this.outOff + wrote), this.crc);
        this.size += wrote;
        this.outOff += wrote;
      }
      this.take(read);
      if (!ok) {
        const where = `member ${this.members + 1} (at byte ${this.memberAt})`;
        throw this.corrupt(`${where} has bad deflate data after ${this.size} bytes: ${z.error}`);
      }
      if (wrote === room) continue; // step full: zlib may hold more (the loop returns when out is full)
      // Room left, so zlib stopped for one of two reasons: the deflate stream ended (input left
      // over), or the input ran out (the stream may have ended exactly there: the next call, with
      // input, then consumes nothing and lands in the first case).
      return read < left;
    }
  }

  /** Called at the end of input in the Body phase: did the deflate stream end with the input? */
  private deflateComplete(): boolean {
    const z = this.inflater!;
    const out = this.out ?? Buffer.allocUnsafe(64);
    const room = out.length - this.outOff;
    // Z_FINISH with no input: zlib says "unexpected end of file" unless the stream is complete.
    return room > 0 && z.write(EMPTY, 0, 0, out, this.outOff, room, true);
  }

  private checkTrailer(): void {
    const t = this.trailer;
    const storedCrc = (t[0]! | (t[1]! << 8) | (t[2]! << 16) | (t[3]! << 24)) >>> 0;
    const storedSize = (t[4]! | (t[5]! << 8) | (t[6]! << 16) | (t[7]! << 24)) >>> 0;
    const member = `member ${this.members + 1} (at byte ${this.memberAt})`;
    if (storedCrc !== this.crc) {
      const got = `its ${this.size} bytes give ${hex8(this.crc)}`;
      throw this.corrupt(`bad CRC-32 in ${member}: its trailer says ${hex8(storedCrc)}, ${got}`);
    }
    if (storedSize !== this.size % TWO_32) {
      throw this.corrupt(`bad length in ${member}: its trailer says ${storedSize} bytes (mod 2^32), it inflated to ${this.size}`);
    }
  }

  private startMember(): void {
    this.phase = Phase.Header;
    this.memberAt = this.consumed;
    this.header.reset();
  }


  private headerError(err: unknown): Error {
    if (!(err instanceof GzipHeaderError)) return err instanceof Error ? err : new Error(String(err));
    const n = this.members + 1;
    if (err.problem === 'magic') {
      // zlib's own words first: callers and people grep for them.
      if (n === 1) return this.corrupt('incorrect header check: not a gzip stream (no gzip header at byte 0)');
      return this.corrupt(`incorrect header check: trailing garbage at byte offset ${this.memberAt}, after member ${this.members}`);
    }
    return this.corrupt(`member ${n} (at byte ${this.memberAt}) has a bad header: ${err.message}`);
  }

  private corrupt(what: string): BundleError {
    return new BundleError(this.name, `corrupt gzip in ${this.name}: ${what}`);
  }

  private truncated(what: string): BundleError {
    return new BundleError(this.name, `truncated gzip: ${what}`);
  }
}

function hex8(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
