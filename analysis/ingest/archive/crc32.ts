/**
 * CRC-32 (ISO 3309 / ITU-T V.42, the one gzip's trailer and header CRC use: RFC 1952 §8).
 * Node ≥ 20.15 has zlib.crc32 (zlib's SIMD code, several GB/s); older runtimes get a table version.
 */
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, value?: number) => number;

/**
 * Eight 256-entry tables, table k being the CRC of a byte followed by k zero bytes: the portable
 * version consumes 8 bytes per step ("slicing-by-8", Kounavis and Berry, Intel 2005). Measured on
 * 64 MiB: 1.0–1.16 GB/s, against ~450 MB/s for one table lookup per byte (native: ~4.9 GB/s).
 */
let tables: Uint32Array | null = null;

function makeTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
}

function tableCrc32(data: Uint8Array, value = 0): number {
  const t = (tables ??= makeTables());
  let c = ~value;
  let i = 0;
  const end8 = data.length - (data.length & 7);
  for (; i < end8; i += 8) {
    const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c =
      t[1792 + (lo & 0xff)]! ^ t[1536 + ((lo >>> 8) & 0xff)]! ^ t[1280 + ((lo >>> 16) & 0xff)]! ^ t[1024 + (lo >>> 24)]! ^
      t[768 + data[i + 4]!]! ^ t[512 + data[i + 5]!]! ^ t[256 + data[i + 6]!]! ^ t[data[i + 7]!]!;
  }
  for (; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as { crc32?: Crc32 }).crc32;

/** CRC-32 of `data`, continuing from `value` (the CRC of the bytes before it; 0 to start). */
export const crc32: Crc32 = typeof native === 'function' ? native : tableCrc32;

/** The portable version, exported so tests can check it against the native one. */
export const crc32Portable: Crc32 = tableCrc32;
