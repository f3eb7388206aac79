/**
 * The Delta filter (7z coder 03), decoding direction, after 7-Zip's Delta.c: each byte was stored
 * as its difference from the byte `distance` positions earlier (distance = property byte + 1,
 * 1–256); decoding adds it back. Output goes to our own buffer: the input may be a decoder's
 * dictionary window, which must not be modified.
 */
import { NO_BYTES, type ByteProducer } from './byte-producer.js';
import { SevenZipError } from './sevenzip-error.js';

export class DeltaProducer implements ByteProducer {
  private readonly distance: number;
  /** The last 256 output bytes, indexed by stream position mod 256. */
  private readonly history = new Uint8Array(256);
  private at = 0;
  private out = new Uint8Array(0);

  constructor(private readonly inner: ByteProducer, props: Uint8Array) {
    if (props.length < 1) throw new SevenZipError('malformed', 'Delta filter without its distance property');
    this.distance = props[0]! + 1;
  }

  read(max: number): Uint8Array {
    const chunk = this.inner.read(max);
    if (chunk.length === 0) return NO_BYTES;
    if (this.out.length < chunk.length) this.out = new Uint8Array(chunk.length);
    const out = this.out;
    const h = this.history;
    const dist = this.distance;
    let at = this.at;
    for (let i = 0; i < chunk.length; i++) {
      const v = (chunk[i]! + h[(at - dist) & 255]!) & 255;
      out[i] = v;
      h[at & 255] = v;
      at++;
    }
    this.at = at & 255;
    return out.subarray(0, chunk.length);
  }
}
