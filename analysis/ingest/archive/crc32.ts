/**
 * CRC-32 (ISO 3309 / ITU-T V.42, the one gzip's trailer and header CRC use: RFC 1952 §8).
 * Node ≥ 20.15 has zlib.crc32 (zlib's SIMD code, several GB/s); older runtimes get a table version.
 */
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, value?: number) => number;

let table: Uint32Array | null = null;

function tableCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  const t = table;
  let c = ~value;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as { crc32?: Crc32 }).crc32;

/** CRC-32 of `data`, continuing from `value` (the CRC of the bytes before it; 0 to start). */
export const crc32: Crc32 = typeof native === 'function' ? native : tableCrc32;

/** The portable version, exported so tests can check it against the native one. */
export const crc32Portable: Crc32 = tableCrc32;
