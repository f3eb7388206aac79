/**
 * Builds zip, tar and gzip bytes for tests, including the malformed and hostile variants real
 * tools refuse to write (bad CRCs, lying sizes, zip slip names, links, junk prefixes). Test-only.
 */
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

export interface ZipSpec {
  name: string;
  data: Uint8Array | string;
  method?: 0 | 8;
  flags?: number;
  /** Stored CRC (default: the real one). */
  crc?: number;
  /** Name written in the local header (default: `name`). */
  localName?: string;
  /** Unix st_mode for the external attributes (made-by Unix). */
  unixMode?: number;
  /** Uncompressed size written in the headers (default: the real one). */
  declaredSize?: number;
  /** Sizes in a trailing data descriptor, zeros in the local header (flag bit 3), as torch.save does. */
  descriptor?: boolean;
  /** Bytes after the compressed data, counted in the compressed size (slack after a deflate stream). */
  slack?: Uint8Array;
}

export interface ZipOptions {
  /** Bytes before the first local header (self-extractor stub, junk). */
  prefix?: Uint8Array;
  /** Offsets count from the file start, prefix included (as `zip -A` and some self-extractors write them). */
  absoluteOffsets?: boolean;
  /** Write ZIP64 end record + locator (and 0xFFFF/0xFFFFFFFF in the classic end record). */
  zip64?: boolean;
  /** Leave out the central directory and end record (a cut download). */
  omitCentral?: boolean;
  comment?: string;
}

const enc = new TextEncoder();
const bytes = (d: Uint8Array | string): Uint8Array => (typeof d === 'string' ? enc.encode(d) : d);

class Writer {
  private parts: Uint8Array[] = [];
  length = 0;
  raw(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return this.raw(b);
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.raw(b);
  }
  u64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    return this.raw(b);
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

export function buildZip(specs: readonly ZipSpec[], opts: ZipOptions = {}): Uint8Array {
  const w = new Writer();
  if (opts.prefix) w.raw(opts.prefix);
  const base = opts.absoluteOffsets ? 0 : (opts.prefix?.length ?? 0);
  const central = new Writer();
  for (const s of specs) {
    const data = bytes(s.data);
    const method = s.method ?? 0;
    const packed = method === 8 ? deflateRawSync(data) : data;
    const body = s.slack ? Buffer.concat([packed, s.slack]) : packed;
    const crc = s.crc ?? crc32(data);
    const size = s.declaredSize ?? data.length;
    const flags = (s.flags ?? 0) | (s.descriptor ? 0x8 : 0);
    const name = enc.encode(s.name);
    const localName = enc.encode(s.localName ?? s.name);
    const offset = w.length - base; // by default as if the prefix were not there (what zip tools write)
    w.u32(0x04034b50).u16(20).u16(flags).u16(method).u16(0).u16(0);
    if (s.descriptor) w.u32(0).u32(0).u32(0);
    else w.u32(crc).u32(body.length).u32(size);
    w.u16(localName.length).u16(0).raw(localName).raw(body);
    if (s.descriptor) w.u32(0x08074b50).u32(crc).u32(body.length).u32(size);
    const madeBy = s.unixMode !== undefined ? (3 << 8) | 20 : 20;
    central.u32(0x02014b50).u16(madeBy).u16(20).u16(flags).u16(method).u16(0).u16(0);
    central.u32(crc).u32(body.length).u32(size).u16(name.length).u16(0).u16(0).u16(0).u16(0);
    central.u32(s.unixMode !== undefined ? (s.unixMode << 16) >>> 0 : 0).u32(offset).raw(name);
  }
  if (opts.omitCentral) return w.bytes();
  const cdOffset = w.length - base;
  const cd = central.bytes();
  w.raw(cd);
  const comment = enc.encode(opts.comment ?? '');
  if (opts.zip64) {
    const recordAt = w.length - base;
    w.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(specs.length).u64(specs.length).u64(cd.length).u64(cdOffset);
    w.u32(0x07064b50).u32(0).u64(recordAt).u32(1);
    w.u32(0x06054b50).u16(0).u16(0).u16(0xffff).u16(0xffff).u32(0xffffffff).u32(0xffffffff).u16(comment.length).raw(comment);
  } else {
    w.u32(0x06054b50).u16(0).u16(0).u16(specs.length).u16(specs.length).u32(cd.length).u32(cdOffset).u16(comment.length).raw(comment);
  }
  return w.bytes();
}

/**
 * A self-extractor's stub, `n` (≥ 0x90) bytes: a DOS header as linkers write it ("MZ", e_lfanew at
 * 0x3C), the DOS message and a "PE\0\0" signature, zeros elsewhere; no zip signature.
 */
export function exeStub(n: number): Uint8Array {
  const b = Buffer.alloc(n);
  Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0, 0xb8]).copy(b, 0);
  b.writeUInt32LE(0x80, 0x3c);
  b.write('This program cannot be run in DOS mode.\r\r\n$', 0x4e, 'latin1');
  b.write('PE\0\0', 0x80, 'latin1');
  return b;
}

export interface TarSpec {
  name: string;
  data?: Uint8Array | string;
  /** Typeflag character: '0' file, '1' hard link, '2' symlink, '3' char device, '5' dir, … */
  type?: string;
  linkName?: string;
  /** pax extended header records written before the entry. */
  pax?: Record<string, string>;
  /** Write the name as a GNU long-name ('L') record. */
  gnuLongName?: boolean;
  /** Corrupt the header checksum. */
  badChecksum?: boolean;
}

function tarHeader(name: string, size: number, type: string, linkName = '', badChecksum = false): Uint8Array {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write(type, 156, 'ascii');
  h.write(linkName.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  if (badChecksum) sum += 1;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

function padded(data: Uint8Array): Uint8Array {
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(pad)]);
}

function paxBody(records: Record<string, string>): Uint8Array {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const rest = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(rest) + 1;
    while (String(len).length + Buffer.byteLength(rest) !== len) len = String(len).length + Buffer.byteLength(rest);
    out += `${len}${rest}`;
  }
  return enc.encode(out);
}

export function buildTar(specs: readonly TarSpec[], opts: { end?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const s of specs) {
    const data = bytes(s.data ?? '');
    const type = s.type ?? '0';
    if (s.pax) {
      const body = paxBody(s.pax);
      parts.push(tarHeader('PaxHeader', body.length, 'x'), padded(body));
    }
    if (s.gnuLongName) {
      const body = enc.encode(s.name + '\0');
      parts.push(tarHeader('././@LongLink', body.length, 'L'), padded(body));
    }
    const size = type === '0' ? data.length : 0;
    parts.push(tarHeader(s.gnuLongName ? s.name.slice(0, 99) : s.name, size, type, s.linkName, s.badChecksum));
    if (size > 0) parts.push(padded(data));
  }
  if (opts.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function gzip(data: Uint8Array | string): Uint8Array {
  return gzipSync(bytes(data));
}
