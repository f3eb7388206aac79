/**
 * One raw-deflate (RFC 1951) inflater driven synchronously, a bounded output buffer per call.
 *
 * Why not the zlib stream API: on an error, a node zlib stream drops everything the failing write
 * had inflated (up to a whole output chunk), and a new stream per gzip member costs ~130 µs, so a
 * file of a million one-line members would take minutes. Node has no public incremental
 * synchronous inflate, so this drives the native handle of a `createInflateRaw` stream the way
 * node's own `zlib.inflateRawSync` does (`handle.writeSync` + the shared `_writeState`), never
 * through the stream. All use of those internals is in this file; `rawInflaterAvailable` lets a
 * test catch a runtime that changed them.
 */
import { constants, createInflateRaw, type InflateRaw } from 'node:zlib';
import type { Inflater } from './inflater.js';

/** The parts of node's native zlib handle (src/node_zlib.cc) this file uses. */
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  onerror: (message: string, errno: number, code: string) => void;
}

interface StreamInternals {
  _handle?: ZlibHandle | null;
  _writeState?: Uint32Array;
}

export class RawInflater implements Inflater {
  private readonly stream: InflateRaw;
  private readonly handle: ZlibHandle;
  private readonly state: Uint32Array;
  /** The last error zlib reported ("invalid block type", "unexpected end of file", …). */
  error: string | null = null;
  /** Input bytes the last `write` consumed (0 after a failed one: zlib does not say). */
  read = 0;
  /** Output bytes the last `write` produced (0 after a failed one: zlib does not say). */
  wrote = 0;

  constructor() {
    this.stream = createInflateRaw();
    const s = this.stream as unknown as StreamInternals;
    const handle = s._handle;
    const state = s._writeState;
    if (!handle || typeof handle.writeSync !== 'function' || typeof handle.reset !== 'function' || !(state instanceof Uint32Array)) {
      this.stream.close();
      throw new Error('this Node.js runtime does not expose the zlib handle the gzip reader needs');
    }
    this.handle = handle;
    this.state = state;
    // Replaces the stream's handler (which would destroy the stream and emit 'error'): errors are
    // read back after each call instead, as zlib.inflateRawSync does.
    handle.onerror = (message: string): void => {
      this.error = message || 'zlib error';
    };
  }

  /**
   * Inflates `input[inOff, inOff+inLen)` into `out[outOff, outOff+outLen)`. `finish` asks zlib to
   * say whether the deflate stream is complete (it reports "unexpected end of file" if not).
   * Sets `read` and `wrote` (fields, not a result object: this runs once per gzip member) and
   * returns true; false when zlib reported an error (see `error`): that call's output is unknown,
   * so `read` and `wrote` are 0.
   */
  write(input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number, finish = false): boolean {
    // Out-of-bounds offsets abort the process inside node (a CHECK), so they are checked here.
    if (inOff < 0 || inLen < 0 || inOff + inLen > input.length || outOff < 0 || outLen < 0 || outOff + outLen > out.length) {
      throw new RangeError('RawInflater.write: range outside its buffer');
    }
    this.handle.writeSync(finish ? constants.Z_FINISH : constants.Z_SYNC_FLUSH, input, inOff, inLen, out, outOff, outLen);
    if (this.error !== null) {
      this.read = 0;
      this.wrote = 0;
      return false;
    }
    this.read = inLen - this.state[1]!;
    this.wrote = outLen - this.state[0]!;
    return true;
  }

  /** Ready for a new deflate stream (inflateReset: keeps the allocated window). */
  reset(): void {
    this.error = null;
    this.handle.reset();
  }

  close(): void {
    this.stream.close();
  }
}

let available: boolean | null = null;

/**
 * False where the runtime's zlib internals differ from what RawInflater drives (the portable
 * JsInflater then reads instead: inflater.ts). Tried once per process.
 */
export function rawInflaterAvailable(): boolean {
  if (available === null) {
    try {
      new RawInflater().close();
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}
