/**
 * The LZMA (030101) and LZMA2 (21) coders of 7z folders as byte producers over LzmaDecoder.
 * LZMA: 5 property bytes, one range-coded stream, ends at the declared size or an end marker.
 * LZMA2 (xz's lzma2_decoder.c and 7-Zip's Lzma2Dec.c): one property byte (dictionary size), then
 * chunks — 0x00 end; 0x01/0x02 stored (with/without dictionary reset), 2-byte size; 0x80–0xFF
 * LZMA, 21-bit unpacked and 16-bit packed sizes, reset mode in bits 5–6 (state, properties,
 * dictionary), a properties byte when mode ≥ 2; the range coder restarts in each LZMA chunk.
 */
import { NO_BYTES, type ByteProducer } from './byte-producer.js';
import { LzmaDecoder, type LzmaProperties } from './lzma-decoder.js';
import { SevenZipError } from './sevenzip-error.js';

/** The 5-byte LZMA properties of a 7z coder: (pb × 5 + lp) × 9 + lc, then the dictionary size (UINT32 LE). */
export function lzmaProperties(props: Uint8Array): LzmaProperties {
  if (props.length < 5) throw new SevenZipError('malformed', `LZMA properties of ${props.length} bytes (5 expected)`);
  const d = props[0]!;
  if (d >= 9 * 5 * 5) throw new SevenZipError('malformed', `LZMA properties byte 0x${d.toString(16)} out of range`);
  const dictSize = (props[1]! | (props[2]! << 8) | (props[3]! << 16) | (props[4]! << 24)) >>> 0;
  return { lc: d % 9, lp: Math.floor(d / 9) % 5, pb: Math.floor(d / 45), dictSize };
}

/** LZMA2's one property byte: dictionary size (2 | b&1) << (b/2 + 11); 40 means 4 GiB − 1. */
export function lzma2DictionarySize(props: Uint8Array): number {
  const b = props[0];
  if (b === undefined || b > 40) throw new SevenZipError('malformed', `LZMA2 dictionary property ${b ?? '(missing)'} out of range`);
  return b === 40 ? 0xffffffff : (2 + (b & 1)) * 2 ** ((b >> 1) + 11);
}

/** Runs one decode call, returning what it produced even when it failed part-way (the fault is rethrown on the next read). */
function decodeSome(core: LzmaDecoder, at: number, want: number, park: (e: unknown) => void): number {
  try {
    return core.decode(want);
  } catch (e) {
    const n = core.pos - at;
    if (n <= 0) throw e;
    park(e);
    return n;
  }
}

export class LzmaProducer implements ByteProducer {
  private readonly core: LzmaDecoder;
  private produced = 0;
  private fault: unknown = null;

  constructor(input: Uint8Array, props: LzmaProperties, private readonly outSize: number, maxWindow: number) {
    this.core = new LzmaDecoder(maxWindow);
    this.core.setProperties(props);
    this.core.resetDictionary();
    this.core.resetState();
    this.core.startRange(input, 0, input.length);
  }

  read(max: number): Uint8Array {
    if (this.fault !== null) throw this.fault;
    if (this.produced >= this.outSize || this.core.ended) return NO_BYTES;
    const at = this.core.prepare();
    const n = decodeSome(this.core, at, Math.min(max, this.outSize - this.produced), (e) => { this.fault = e; });
    this.produced += n;
    return this.core.window.subarray(at, at + n);
  }
}

export class Lzma2Producer implements ByteProducer {
  private readonly core: LzmaDecoder;
  private readonly dictSize: number;
  private inPos = 0;
  private produced = 0;
  private chunkLeft = 0;
  private chunkStored = false;
  private chunkEnd = 0;
  private done = false;
  private needDictReset = true;
  private needProps = true;
  private fault: unknown = null;

  constructor(private readonly input: Uint8Array, props: Uint8Array, private readonly outSize: number, maxWindow: number) {
    this.dictSize = lzma2DictionarySize(props);
    this.core = new LzmaDecoder(maxWindow);
  }

  read(max: number): Uint8Array {
    if (this.fault !== null) throw this.fault;
    while (!this.done && this.produced < this.outSize) {
      if (this.chunkLeft === 0) {
        this.nextChunk();
        continue;
      }
      const want = Math.min(max, this.chunkLeft, this.outSize - this.produced);
      const at = this.core.prepare();
      let n: number;
      if (this.chunkStored) {
        n = this.core.putStored(this.input, this.inPos, want);
        this.inPos += n;
      } else {
        n = decodeSome(this.core, at, want, (e) => { this.fault = e; });
        if (n === 0) throw new SevenZipError('malformed', 'LZMA end marker inside an LZMA2 chunk');
      }
      this.chunkLeft -= n;
      this.produced += n;
      if (!this.chunkStored && this.chunkLeft === 0) this.inPos = this.chunkEnd;
      return this.core.window.subarray(at, at + n);
    }
    return NO_BYTES;
  }

  private byteAt(i: number): number {
    const b = this.input[i];
    if (b === undefined) throw new SevenZipError('truncated', 'LZMA2 stream ends inside a chunk header');
    return b;
  }

  private nextChunk(): void {
    const control = this.byteAt(this.inPos++);
    if (control === 0) {
      this.done = true;
      return;
    }
    if (control === 1 || control === 2) {
      const size = ((this.byteAt(this.inPos) << 8) | this.byteAt(this.inPos + 1)) + 1;
      this.inPos += 2;
      if (control === 1) this.dictionaryReset();
      else if (this.needDictReset) throw new SevenZipError('malformed', 'LZMA2 stored chunk before any dictionary reset');
      if (this.inPos + size > this.input.length) throw new SevenZipError('truncated', 'LZMA2 stored chunk runs past the packed stream');
      this.chunkStored = true;
      this.chunkLeft = size;
      return;
    }
    if (control < 0x80) throw new SevenZipError('malformed', `LZMA2 control byte 0x${control.toString(16)}`);
    const unpacked = (control & 0x1f) * 65536 + ((this.byteAt(this.inPos) << 8) | this.byteAt(this.inPos + 1)) + 1;
    const packed = ((this.byteAt(this.inPos + 2) << 8) | this.byteAt(this.inPos + 3)) + 1;
    this.inPos += 4;
    const mode = (control >> 5) & 3;
    if (mode === 3) this.dictionaryReset();
    else if (this.needDictReset) throw new SevenZipError('malformed', 'LZMA2 chunk before any dictionary reset');
    if (mode >= 2) {
      const b = this.byteAt(this.inPos++);
      if (b >= 9 * 5 * 5) throw new SevenZipError('malformed', `LZMA2 properties byte 0x${b.toString(16)}`);
      const lc = b % 9;
      const lp = Math.floor(b / 9) % 5;
      if (lc + lp > 4) throw new SevenZipError('malformed', `LZMA2 lc=${lc} + lp=${lp} over 4`);
      this.core.setProperties({ lc, lp, pb: Math.floor(b / 45), dictSize: this.dictSize });
      this.needProps = false;
    } else if (this.needProps) {
      throw new SevenZipError('malformed', 'LZMA2 chunk without the properties a dictionary reset requires');
    }
    if (mode >= 1) this.core.resetState();
    this.chunkEnd = this.inPos + packed;
    this.core.startRange(this.input, this.inPos, Math.min(this.chunkEnd, this.input.length));
    this.chunkStored = false;
    this.chunkLeft = unpacked;
  }

  private dictionaryReset(): void {
    this.core.resetDictionary();
    this.needDictReset = false;
    // As xz does: after a dictionary reset the next LZMA chunk must bring properties (and a state reset).
    this.needProps = true;
  }
}
