/**
 * TEST-ONLY zip entry extraction for the pickle tests (PyTorch zips, .npz, scanner fixtures).
 * The real, hardened zip reader belongs to another part of the triage; swap it in here when it
 * lands. This one reads the central directory (APPNOTE 4.3.12/4.3.16, zip64 extra 4.5.3), falls back
 * to walking local headers (4.3.7) when there is none, and inflates method 8 with node:zlib.
 */
import { inflateRawSync } from 'node:zlib';

export interface TestZipEntry {
  name: string;
  method: number;
  flags: number;
  data: Uint8Array | null; // null: encrypted, unsupported method or out of bounds
}

const u16 = (b: Uint8Array, o: number): number => (b[o] as number) | ((b[o + 1] as number) << 8);
const u32 = (b: Uint8Array, o: number): number => (u16(b, o) + u16(b, o + 2) * 65536) >>> 0;
const u64 = (b: Uint8Array, o: number): number => u32(b, o) + u32(b, o + 4) * 2 ** 32;

function payload(b: Uint8Array, localOffset: number, method: number, flags: number, compSize: number, size: number): Uint8Array | null {
  if (localOffset + 30 > b.length || u32(b, localOffset) !== 0x04034b50) return null;
  const start = localOffset + 30 + u16(b, localOffset + 26) + u16(b, localOffset + 28);
  // Bit 0 (encrypted) is ignored on purpose: some loaders do too, which is a scanner-evasion trick.
  if (start + compSize > b.length) return null;
  const raw = b.subarray(start, start + compSize);
  if (method === 0) return raw;
  if (method === 8) {
    try {
      return new Uint8Array(inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) + 1024 }));
    } catch {
      return null;
    }
  }
  return null;
}

function fromCentralDirectory(b: Uint8Array): TestZipEntry[] | null {
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
    if (u32(b, i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) return null;
  let count = u16(b, eocd + 10);
  let cd = u32(b, eocd + 16);
  const loc = eocd - 20;
  if ((cd === 0xffffffff || count === 0xffff) && loc >= 0 && u32(b, loc) === 0x07064b50) {
    const z = u64(b, loc + 8);
    if (u32(b, z) === 0x06064b50) { count = u64(b, z + 32); cd = u64(b, z + 48); }
  }
  const out: TestZipEntry[] = [];
  let p = cd;
  for (let k = 0; k < count && p + 46 <= b.length && u32(b, p) === 0x02014b50; k++) {
    const flags = u16(b, p + 8);
    const method = u16(b, p + 10);
    let comp = u32(b, p + 20);
    let size = u32(b, p + 24);
    const nlen = u16(b, p + 28);
    const xlen = u16(b, p + 30);
    const clen = u16(b, p + 32);
    let local = u32(b, p + 42);
    const name = Buffer.from(b.subarray(p + 46, p + 46 + nlen)).toString('utf8');
    // zip64 extended information extra field (id 0x0001): the 0xffffffff fields, in order.
    for (let x = p + 46 + nlen; x + 4 <= p + 46 + nlen + xlen;) {
      const id = u16(b, x);
      const len = u16(b, x + 2);
      if (id === 1) {
        let q = x + 4;
        if (size === 0xffffffff) { size = u64(b, q); q += 8; }
        if (comp === 0xffffffff) { comp = u64(b, q); q += 8; }
        if (local === 0xffffffff) { local = u64(b, q); }
      }
      x += 4 + len;
    }
    out.push({ name, method, flags, data: payload(b, local, method, flags, comp, size) });
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

function fromLocalHeaders(b: Uint8Array): TestZipEntry[] {
  const out: TestZipEntry[] = [];
  let p = 0;
  while (p + 30 <= b.length && u32(b, p) === 0x04034b50) {
    const flags = u16(b, p + 6);
    const method = u16(b, p + 8);
    const comp = u32(b, p + 18);
    const size = u32(b, p + 22);
    const nlen = u16(b, p + 26);
    const xlen = u16(b, p + 28);
    const name = Buffer.from(b.subarray(p + 30, p + 30 + nlen)).toString('utf8');
    out.push({ name, method, flags, data: payload(b, p, method, flags, comp, size) });
    p += 30 + nlen + xlen + comp;
  }
  return out;
}

/** All entries of a zip held in memory (central directory first, local headers as fallback). */
export function readTestZip(b: Uint8Array): TestZipEntry[] {
  return fromCentralDirectory(b) ?? fromLocalHeaders(b);
}

export function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && u32(b, 0) === 0x04034b50;
}

/** The PyTorch zip layout: `<prefix>/data.pkl` and `<prefix>/data/<key>` storages. */
export function torchZipParts(b: Uint8Array): { dataPkl: Uint8Array | null; storages: Map<string, Uint8Array>; entries: TestZipEntry[] } {
  const entries = readTestZip(b);
  const pkl = entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  const prefix = pkl ? pkl.name.slice(0, pkl.name.length - 'data.pkl'.length) : '';
  const storages = new Map<string, Uint8Array>();
  for (const e of entries) {
    if (e.data && e.name.startsWith(`${prefix}data/`)) storages.set(e.name.slice(prefix.length + 5), e.data);
  }
  return { dataPkl: pkl?.data ?? null, storages, entries };
}
