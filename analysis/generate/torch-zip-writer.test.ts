import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc32 } from './stored-zip.js';
import { serializationId, stateDictPickle, writeTorchZip, type TorchTensor } from './torch-zip-writer.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

interface Entry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  size: number;
  offset: number;
  dataOffset: number;
}

/** Minimal central-directory reader for the tests (classic EOCD; the writer also emits ZIP64 records). */
function zipEntries(bytes: Uint8Array): Entry[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = bytes.length - 22;
  while (eocd >= 0 && v.getUint32(eocd, true) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('no EOCD');
  const n = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  const out: Entry[] = [];
  for (let i = 0; i < n; i++) {
    if (v.getUint32(p, true) !== 0x02014b50) throw new Error('bad central header');
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    const offset = v.getUint32(p + 42, true);
    const name = Buffer.from(bytes.subarray(p + 46, p + 46 + nameLen)).toString('utf8');
    const lNameLen = v.getUint16(offset + 26, true);
    const lExtraLen = v.getUint16(offset + 28, true);
    out.push({
      name,
      flags: v.getUint16(p + 8, true),
      method: v.getUint16(p + 10, true),
      crc: v.getUint32(p + 16, true),
      size: v.getUint32(p + 24, true),
      offset,
      dataOffset: offset + 30 + lNameLen + lExtraLen,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function tensorsOf(bytes: Uint8Array, top: string, specs: Array<Omit<TorchTensor, 'data'>>): TorchTensor[] {
  const entries = zipEntries(bytes);
  return specs.map((s, i) => {
    const e = entries.find((x) => x.name === `${top}/data/${i}`)!;
    return { ...s, data: bytes.slice(e.dataOffset, e.dataOffset + e.size) };
  });
}

describe('torch zip writer', () => {
  it('reproduces a real PyTorch 1.13 torch.save file byte for byte', () => {
    const ref = fixture('ref_mlp.pt');
    const specs: Array<Omit<TorchTensor, 'data'>> = [
      { name: '0.weight', dtype: 'float32', shape: [64, 32] },
      { name: '0.bias', dtype: 'float32', shape: [64] },
      { name: '2.weight', dtype: 'float32', shape: [64, 64] },
      { name: '2.bias', dtype: 'float32', shape: [64] },
      { name: '4.weight', dtype: 'float32', shape: [10, 64] },
      { name: '4.bias', dtype: 'float32', shape: [10] },
    ];
    const ours = writeTorchZip(tensorsOf(ref, 'ref_mlp', specs), { topName: 'ref_mlp', metadataModules: ['', '0', '1', '2', '3', '4'], modernRecords: false });
    expect(Buffer.from(ours).equals(Buffer.from(ref))).toBe(true);
  });

  it('matches a real PyTorch 2.x file (byteorder, serialization_id) except the platform-specific name hash', () => {
    const ref = fixture('candle__test.pt');
    const [t] = tensorsOf(ref, 'test', [{ name: 'test', dtype: 'int64', shape: [2, 4] }]);
    const ours = writeTorchZip([t!], { topName: 'test' });
    const a = zipEntries(ours);
    const b = zipEntries(ref);
    expect(a.map((e) => [e.name, e.offset, e.dataOffset, e.size])).toEqual(b.map((e) => [e.name, e.offset, e.dataOffset, e.size]));
    const sid = a.find((e) => e.name.endsWith('serialization_id'))!;
    // Everything before the serialization id record is identical.
    expect(Buffer.from(ours.subarray(0, sid.dataOffset)).equals(Buffer.from(ref.subarray(0, sid.dataOffset)))).toBe(true);
    // The combined-CRC half of the id is exact.
    const refSid = Buffer.from(ref.subarray(sid.dataOffset, sid.dataOffset + 40)).toString('latin1');
    const ourSid = Buffer.from(ours.subarray(sid.dataOffset, sid.dataOffset + 40)).toString('latin1');
    expect(ourSid).toMatch(/^\d{40}$/);
    expect(ourSid.slice(20)).toBe(refSid.slice(20));
  });

  it('writes the documented layout: STORED, 64-byte aligned data, correct CRCs, pickle 2 ending in STOP', () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
    const bytes = writeTorchZip([{ name: 'w', dtype: 'float32', shape: [2, 3], data }], { topName: 'model' });
    const entries = zipEntries(bytes);
    expect(entries.map((e) => e.name)).toEqual(['model/data.pkl', 'model/byteorder', 'model/data/0', 'model/version', 'model/.data/serialization_id']);
    for (const e of entries) {
      expect(e.method).toBe(0);
      expect(e.flags).toBe(0x0808);
      expect(e.dataOffset % 64).toBe(0);
      expect(crc32(bytes.subarray(e.dataOffset, e.dataOffset + e.size))).toBe(e.crc);
    }
    const pkl = entries[0]!;
    expect([bytes[pkl.dataOffset], bytes[pkl.dataOffset + 1]]).toEqual([0x80, 0x02]);
    expect(bytes[pkl.dataOffset + pkl.size - 1]).toBe(0x2e);
    const ver = entries[3]!;
    expect(Buffer.from(bytes.subarray(ver.dataOffset, ver.dataOffset + ver.size)).toString()).toBe('3\n');
  });

  it('uses BINPUT/LONG_BINPUT and sorted storage keys past 10 tensors', () => {
    const tensors: TorchTensor[] = Array.from({ length: 120 }, (_, i) => ({ name: `layer.${i}.weight`, dtype: 'float32', shape: [1], data: new Uint8Array(4) }));
    const pkl = stateDictPickle(tensors);
    expect(pkl.includes(0x72)).toBe(true); // LONG_BINPUT appears once memo passes 255
    const bytes = writeTorchZip(tensors, { topName: 'big' });
    const names = zipEntries(bytes).map((e) => e.name).filter((n) => n.startsWith('big/data/'));
    expect(names.slice(0, 3)).toEqual(['big/data/0', 'big/data/1', 'big/data/10']);
  });

  it('computes the serialization id from names and CRCs', () => {
    expect(serializationId([{ name: 'data.pkl', crc: 1 }])).toMatch(/^\d{40}$/);
  });
});
