/**
 * What GzipMemberDecoder and RawDeflateDecoder drive: one raw-deflate (RFC 1951) inflater, called
 * synchronously with a bounded output buffer. Two implement it: RawInflater (node's native zlib
 * handle, fast, but reached through node internals) and JsInflater (portable TypeScript, for
 * runtimes whose zlib internals differ: another Node major, an Electron build).
 */
import { JsInflater } from './js-inflate.js';
import { RawInflater, rawInflaterAvailable } from './raw-inflater.js';

export interface Inflater {
  /** The last error ("invalid block type", "unexpected end of file", …); set until `reset`. */
  readonly error: string | null;
  /**
   * Input bytes the last `write` consumed. After a failed `write`: those known consumed before
   * the error (RawInflater: 0, zlib does not say).
   */
  readonly read: number;
  /**
   * Output bytes the last `write` produced. After a failed `write`: those known good, written
   * before the error (RawInflater: 0, zlib does not say; JsInflater: all of them).
   */
  readonly wrote: number;
  /**
   * Inflates `input[inOff, inOff+inLen)` into `out[outOff, outOff+outLen)`; stops when the output
   * is full, the input is used up or the deflate stream ends (input is then left over). `finish`:
   * the input ends here, so an incomplete stream is an error ("unexpected end of file"). Returns
   * false on bad data (see `error`). Throws RangeError only for ranges outside the buffers.
   */
  write(input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number, finish?: boolean): boolean;
  /** Ready for a new deflate stream (the next gzip member). */
  reset(): void;
  close(): void;
}

/** node's native inflater where this runtime allows it, else the portable one. */
export function newInflater(): Inflater {
  return rawInflaterAvailable() ? new RawInflater() : new JsInflater();
}
