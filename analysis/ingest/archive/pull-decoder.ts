/**
 * What GzipMemberDecoder and RawDeflateDecoder share: a synchronous, pull-based decoder that never
 * loses what decoded before a problem. `push` a compressed chunk, call `next` until it returns
 * null, then `end`. A subclass's `decode` fills `out[outOff, outChunk)` from the pushed input and
 * throws on bad input; `next` hands out every byte decoded before the throw, and only then rethrows.
 */

const EMPTY = new Uint8Array(0);
const allocUnsafe = (size: number): Buffer => Buffer.allocUnsafe(size);

/**
 * Most output one zlib call may write. When zlib meets bad deflate data it does not say how much
 * it wrote in that call, so that call's output is lost: small steps bound the loss (64 KiB: about 3%
 * slower than whole-chunk calls, measured; output is still returned in `outChunk` pieces).
 */
export const INFLATE_STEP = 64 << 10;

export abstract class PullDecoder {
  /** Compressed bytes consumed so far. */
  consumed = 0;
  protected input: Uint8Array = EMPTY;
  protected inOff = 0;
  protected out: Buffer | null = null;
  /** out[outStart, outOff) is decoded and not yet returned by `next`. */
  private outStart = 0;
  protected outOff = 0;
  private failure: Error | null = null;

  /**
   * `outChunk`: most bytes one `next` returns (the unit the callers' bounds are checked in).
   * `allocOut`: where output goes, `outChunk` bytes at a time (a caller that shares its output
   * with another thread hands out regions of shared memory); asked for the next one only when
   * `next` is called again after the previous one filled, so every byte returned from it has
   * been used by then.
   */
  constructor(
    protected readonly outChunk: number,
    private readonly allocOut: (size: number) => Buffer = allocUnsafe,
  ) {}

  /** The next compressed chunk; only once `next` has returned null for the previous one. */
  push(chunk: Uint8Array): void {
    if (this.inOff < this.input.length) throw new Error(`${this.constructor.name}.push: the previous chunk is not used up`);
    this.input = chunk;
    this.inOff = 0;
  }

  /**
   * The next decompressed bytes (at most `outChunk`), or null when it needs more input. The bytes
   * are not reused: a caller may keep them. Throws once the input is wrong, but only after every
   * byte that decoded before the problem has been returned.
   */
  next(): Uint8Array | null {
    this.throwIfFailed();
    this.out ??= this.allocOut(this.outChunk);
    try {
      this.decode();
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    }
    if (this.outOff > this.outStart) {
      const bytes = this.out.subarray(this.outStart, this.outOff);
      if (this.outOff >= this.outChunk) {
        this.out = null; // the next one when more output comes
        this.outOff = 0;
      }
      this.outStart = this.outOff;
      return bytes;
    }
    this.throwIfFailed();
    return null;
  }

  /** End of input (after `next` returned null): throws when the input ended too early. */
  abstract end(): void;

  /** Frees the native inflater. */
  abstract close(): void;

  /** Decodes until the input is used up or the output buffer is full; throws on bad input. */
  protected abstract decode(): void;

  /** Rethrows the problem `decode` met (for `end`, and for `next` once its output is handed out). */
  protected throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Consumes `n` input bytes. */
  protected take(n: number): void {
    this.inOff += n;
    this.consumed += n;
  }
}
