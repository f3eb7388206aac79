/**
 * One raw deflate stream (RFC 1951), as a zip entry of method 8 holds it, decoded through an
 * Inflater (inflater.ts: node's native one, or the portable one where the runtime does not allow it)
 * so that nothing that inflated is lost to a bad ending: node's
 * InflateRaw stream drops the output of the write that fails (up to a whole output chunk) and, when
 * its input stream errors (an archive cut inside the entry), everything not yet read from it.
 *
 * Synchronous and pull-based, like GzipMemberDecoder: `push` a compressed chunk, then call `next`
 * until it returns null; `end` at the end of the input. Every problem surfaces as a BundleError
 * naming the entry and the compressed byte offset, only after `next` has returned every byte that
 * decoded before it. Bytes after the end of the deflate stream are ignored (as miniz and node's
 * InflateRaw do) and not counted in `consumed`, so the zip reader can compare the stream's length
 * with the entry's declared compressed size, as it compares the inflated size with the declared one.
 */
import { BundleError } from './limits.js';
import { newInflater, type Inflater } from './inflater.js';
import { INFLATE_STEP, PullDecoder } from './pull-decoder.js';

const EMPTY = new Uint8Array(0);

export class RawDeflateDecoder extends PullDecoder {
  /** Bytes inflated so far. */
  size = 0;
  /** The final deflate block has ended: later input is ignored. */
  done = false;

  private readonly inflater: Inflater;

  /**
   * @param name entry name for messages (`archive.zip!/path`)
   * @param outChunk most bytes one `next` returns (the unit the callers' bounds are checked in)
   * @param inflater by default node's native one where the runtime allows, else the portable one
   */
  constructor(
    private readonly name: string,
    outChunk = 256 << 10,
    inflater: Inflater = newInflater(),
  ) {
    super(outChunk);
    this.inflater = inflater;
  }

  /** After the deflate stream's end, later input is ignored (consumed unread). */
  override push(chunk: Uint8Array): void {
    super.push(chunk);
    if (this.done) this.inOff = chunk.length;
  }

  /** End of input (after `next` returned null): throws BundleError when the deflate stream is incomplete. */
  end(): void {
    this.throwIfFailed();
    if (this.done || this.streamComplete()) return;
    const at = `at compressed byte ${this.consumed}, ${this.size} bytes inflated`;
    throw new BundleError(this.name, `truncated deflate data: ${this.name} ends inside its compressed stream (${at})`);
  }

  close(): void {
    this.inflater.close();
  }

  /** Inflates until the input is used up, the output buffer is full or the stream ends. */
  protected decode(): void {
    const z = this.inflater;
    const out = this.out!;
    while (!this.done) {
      const room = Math.min(INFLATE_STEP, this.outChunk - this.outOff);
      if (room === 0) return;
      const left = this.input.length - this.inOff;
      const ok = z.write(this.input, this.inOff, left, out, this.outOff, room);
      // After a failure these are what is known good: zlib does not say where in this call's input
      // it failed (nothing of the call counts), the portable inflater does (all of it counts).
      const { read, wrote } = z;
      this.outOff += wrote;
      this.size += wrote;
      this.take(read);
      if (!ok) {
        const at = `after compressed byte ${this.consumed}, ${this.size} bytes inflated before it`;
        throw new BundleError(this.name, `corrupt deflate data in ${this.name}: ${z.error} (${at})`);
      }
      if (wrote === room) continue; // step full: zlib may hold more output
      // Room left, so zlib stopped because the stream ended (input left over) or the input ran out
      // (the stream may have ended exactly there: the next call, with input, consumes nothing).
      if (read < left) {
        this.done = true;
        this.inOff = this.input.length;
      }
      return;
    }
  }

  /** At the end of input: did the deflate stream end with it? */
  private streamComplete(): boolean {
    const out = this.out ?? Buffer.allocUnsafe(64);
    const room = out.length - this.outOff;
    // Z_FINISH with no input: zlib says "unexpected end of file" unless the stream is complete.
    return room > 0 && this.inflater.write(EMPTY, 0, 0, out, this.outOff, room, true);
  }
}
