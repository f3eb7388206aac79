/**
 * Windowed reads of a ByteSource and the signature search built on them: parsing many small zip
 * records, or scanning for "PK" signatures, costs few reads of the source.
 */
import type { ByteSource } from '../../core/byte-source.js';
import { u32 } from './zip-fields.js';

const WINDOW = 1 << 20;

/** Reads ranges of a source through a 1 MiB window, so parsing many small records costs few reads. */
export class SourceWindow {
  private base = 0;
  private buf: Uint8Array = new Uint8Array(0);
  /** `size`: bytes read at each miss (smaller for sparse reads such as one header per entry). */
  constructor(
    private readonly src: ByteSource,
    private readonly size = WINDOW,
  ) {}

  /** `len` bytes at `pos` (fewer at the end of the source). */
  async at(pos: number, len: number): Promise<Uint8Array> {
    if (pos < this.base || pos + len > this.base + this.buf.length) {
      if (len > this.size) return this.src.read(pos, len);
      this.base = pos;
      this.buf = await this.src.read(pos, Math.max(this.size, len));
    }
    return this.buf.subarray(pos - this.base, Math.min(this.buf.length, pos - this.base + len));
  }
}

/**
 * Position of the first of `sigs` (little-endian u32) at or after `from`. Scans in 64 KiB steps
 * through the window, so many nearby signatures (a hostile scan) do not re-read megabytes each.
 */
export async function findSignature(win: SourceWindow, size: number, from: number, sigs: readonly number[]): Promise<number | null> {
  const step = 64 << 10;
  let pos = Math.max(0, from);
  while (pos + 4 <= size) {
    const buf = await win.at(pos, step + 3);
    if (buf.length < 4) return null;
    for (let i = buf.indexOf(0x50); i !== -1 && i + 4 <= buf.length; i = buf.indexOf(0x50, i + 1)) {
      if (buf[i + 1] === 0x4b && sigs.includes(u32(buf, i))) return pos + i;
    }
    if (buf.length < step + 3) return null;
    pos += step;
  }
  return null;
}
