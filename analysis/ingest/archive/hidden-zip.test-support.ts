/**
 * Test-only: a zip whose central directory leaves some entries out while their local headers and
 * data stay in place (the "hidden entry" scanner-evasion trick). Built from buildZip's output,
 * which writes central records without extra fields or comments and an end record without comment.
 */
import { buildZip, type ZipSpec } from './fixture-archives.js';

export function zipHiding(specs: readonly ZipSpec[], hidden: readonly string[], opts: { prefix?: Uint8Array } = {}): Buffer {
  const full = Buffer.from(buildZip(specs, opts));
  const base = opts.prefix?.length ?? 0;
  const eocd = full.length - 22;
  const cdStart = full.readUInt32LE(eocd + 16) + base;
  const kept: Buffer[] = [];
  for (let p = cdStart; p < eocd; ) {
    const len = 46 + full.readUInt16LE(p + 28);
    const name = full.subarray(p + 46, p + len).toString('utf8');
    if (!hidden.includes(name)) kept.push(full.subarray(p, p + len));
    p += len;
  }
  const cd = Buffer.concat(kept);
  const end = Buffer.from(full.subarray(eocd));
  end.writeUInt16LE(kept.length, 8);
  end.writeUInt16LE(kept.length, 10);
  end.writeUInt32LE(cd.length, 12);
  return Buffer.concat([full.subarray(0, cdStart), cd, end]);
}
