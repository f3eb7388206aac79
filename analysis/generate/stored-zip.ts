/**
 * A ZIP writer that lays records out exactly as PyTorch's `PyTorchStreamWriter` (caffe2/serialize/
 * inline_container.cc over miniz, MZ_ZIP_FLAG_WRITE_ZIP64) does: every entry STORED (method 0),
 * general-purpose flags 0x0808 (data descriptor + UTF-8), zero DOS time/date, version fields 0, the
 * data start padded to a 64-byte boundary with an extra field `FB` + u16 length + 'Z' filler,
 * a 16-byte data descriptor after each entry, a central directory without extras, then the ZIP64
 * end-of-central-directory record (made-by 0x031e, needed 0x002d), its locator, and the classic
 * end record (APPNOTE.TXT 6.3.x sections 4.3.7–4.3.16).
 */

const CRC_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, as ZIP uses). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** PyTorch's `kFieldAlignment`. */
export const TORCH_ZIP_ALIGNMENT = 64;

export interface ZipRecord {
  name: string;
  data: Uint8Array;
}

export interface WrittenRecord {
  name: string;
  crc: number;
  offset: number;
  dataOffset: number;
  size: number;
}

class ByteBuilder {
  private chunks: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function le(bytes: number, values: Array<[number, number]>): Uint8Array {
  const b = new Uint8Array(bytes);
  const v = new DataView(b.buffer);
  let o = 0;
  for (const [size, value] of values) {
    if (size === 2) v.setUint16(o, value, true);
    else if (size === 4) v.setUint32(o, value >>> 0, true);
    else v.setBigUint64(o, BigInt(value), true);
    o += size;
  }
  return b;
}

/** Writes the records in order; returns the archive bytes and where each record landed. */
export function writeStoredZip(records: readonly ZipRecord[]): { bytes: Uint8Array; written: WrittenRecord[] } {
  const out = new ByteBuilder();
  const written: WrittenRecord[] = [];
  const enc = new TextEncoder();
  for (const r of records) {
    const name = enc.encode(r.name);
    const offset = out.length;
    // getPadding(): start = cursor + 30 + name + 4 ("FB" + u16); pad up to the alignment.
    const start = offset + 30 + name.length + 4;
    const pad = (TORCH_ZIP_ALIGNMENT - (start % TORCH_ZIP_ALIGNMENT)) % TORCH_ZIP_ALIGNMENT;
    const crc = crc32(r.data);
    out.push(le(30, [[4, 0x04034b50], [2, 0], [2, 0x0808], [2, 0], [2, 0], [2, 0], [4, 0], [4, 0], [4, 0], [2, name.length], [2, pad + 4]]));
    out.push(name);
    const extra = new Uint8Array(4 + pad).fill(0x5a);
    extra[0] = 0x46; // 'F'
    extra[1] = 0x42; // 'B'
    extra[2] = pad & 0xff;
    extra[3] = pad >>> 8;
    out.push(extra);
    const dataOffset = out.length;
    out.push(r.data);
    out.push(le(16, [[4, 0x08074b50], [4, crc], [4, r.data.length], [4, r.data.length]]));
    written.push({ name: r.name, crc, offset, dataOffset, size: r.data.length });
  }
  const cdOffset = out.length;
  for (const w of written) {
    const name = enc.encode(w.name);
    out.push(le(46, [[4, 0x02014b50], [2, 0], [2, 0], [2, 0x0808], [2, 0], [2, 0], [2, 0], [4, w.crc], [4, w.size], [4, w.size], [2, name.length], [2, 0], [2, 0], [2, 0], [2, 0], [4, 0], [4, w.offset]]));
    out.push(name);
  }
  const cdSize = out.length - cdOffset;
  const zip64Eocd = out.length;
  const n = written.length;
  out.push(le(56, [[4, 0x06064b50], [8, 44], [2, 0x031e], [2, 0x002d], [4, 0], [4, 0], [8, n], [8, n], [8, cdSize], [8, cdOffset]]));
  out.push(le(20, [[4, 0x07064b50], [4, 0], [8, zip64Eocd], [4, 1]]));
  out.push(le(22, [[4, 0x06054b50], [2, 0], [2, 0], [2, n], [2, n], [4, cdSize], [4, cdOffset], [2, 0]]));
  return { bytes: out.concat(), written };
}
