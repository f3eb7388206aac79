import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { readNpy, readNpz, type NpzMember } from './numpy.js';
import { parsePythonLiteral } from './python-literal.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (f: string) => new Uint8Array(readFileSync(FIXTURES + f));

/** An .npy with the given header text (padded to 64 like numpy) and data bytes. */
function npy(header: string, data: Uint8Array | number = 0, major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  let h = header;
  while ((pre + h.length + 1) % 64 !== 0) h += ' ';
  h += '\n';
  const body = new TextEncoder().encode(h);
  const payload = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(pre + body.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, body.length, true);
  else dv.setUint32(8, body.length, true);
  out.set(body, pre);
  out.set(payload, pre + body.length);
  return out;
}

const read = (b: Uint8Array) => readNpy(bufferSource('a.npy', b));
const ids = (r: { findings: { id: string }[] }) => r.findings.map((f) => f.id);

/** Members of a zip whose entries are stored (method 0), as np.savez writes them; test-only. */
function storedZipMembers(zip: Uint8Array): NpzMember[] {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const out: NpzMember[] = [];
  for (let p = 0; dv.getUint32(p, true) === 0x04034b50; ) {
    expect(dv.getUint16(p + 8, true)).toBe(0);
    const size = dv.getUint32(p + 18, true);
    const nameLen = dv.getUint16(p + 26, true);
    const extraLen = dv.getUint16(p + 28, true);
    const name = new TextDecoder().decode(zip.subarray(p + 30, p + 30 + nameLen));
    const start = p + 30 + nameLen + extraLen;
    out.push({ name, source: bufferSource(name, zip.subarray(start, start + size)) });
    p = start + size;
  }
  return out;
}

describe('parsePythonLiteral', () => {
  it('parses what numpy writes and nothing it would evaluate', () => {
    const v = parsePythonLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }");
    expect(v).toEqual({ dict: new Map<string, unknown>([['descr', '<f4'], ['fortran_order', false], ['shape', [3, 4]]]) });
    expect(parsePythonLiteral('(5,)')).toEqual([5]);
    expect(parsePythonLiteral('(5)')).toBe(5);
    expect(parsePythonLiteral('()')).toEqual([]);
    expect(parsePythonLiteral("[('x', '<f4'), ('y', '<i8', (2, 3))]")).toEqual([['x', '<f4'], ['y', '<i8', [2, 3]]]);
    expect(parsePythonLiteral("'a\\x41\\n\\'b'")).toBe("aA\n'b");
    expect(parsePythonLiteral("u'x'")).toBe('x');
    expect(parsePythonLiteral('3L')).toBe(3);
    for (const bad of ["__import__('os').system('id')", "{'a': 1", "'unterminated", '(1 2)', '{1: 2}', 'True1', '(' .repeat(100) + ')'.repeat(100)]) {
      expect(() => parsePythonLiteral(bad), bad).toThrow();
    }
  });
});

describe('readNpy on the corpus', () => {
  it('reads the int32 array', async () => {
    const r = await readNpy(bufferSource('int_array.npy', fixture('picklescan__int_array.npy')));
    expect(r.findings).toEqual([]);
    expect([r.version, r.dtype, r.shape, r.fortranOrder, r.pickleOffset]).toEqual(['1.0', 'int32', [2, 2], false, null]);
    expect(r.tensor).toEqual({ name: 'int_array.npy', dtype: 'int32', shape: [2, 2], byteOffset: 128, byteLength: 16, byteOrder: 'little', fortranOrder: false });
  });

  // Exception to "benign files not above low": the brief rates object arrays medium because
  // reading them needs pickle; the pickle analysis then decides (numpy _reconstruct only).
  it('hands the pickle of the object array to the pickle analysis', async () => {
    const bytes = fixture('picklescan__object_array.npy');
    const r = await readNpy(bufferSource('object_array.npy', bytes));
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['numpy.object-array', 'medium']]);
    expect(r.pickleOffset).toBe(128);
    expect(bytes[r.pickleOffset!]).toBe(0x80); // pickle PROTO opcode
    expect(r.tensor).toBeNull();
  });

  it('reads both members of the .npz', async () => {
    const r = await readNpz(storedZipMembers(fixture('picklescan__object_arrays.npz')));
    expect(r.members.map((m) => [m.name, m.result.dtype, m.result.pickleOffset])).toEqual([
      ['a.npy', 'object', 128],
      ['b.npy', 'object', 128],
    ]);
    expect(r.findings.map((f) => f.location)).toEqual(['a.npy:byte 128', 'b.npy:byte 128']);
  });
});

describe('readNpy on hostile variants', () => {
  it('reports every truncation without throwing', async () => {
    const b = fixture('picklescan__int_array.npy');
    for (let n = 0; n < b.length; n++) {
      const r = await read(b.subarray(0, n));
      expect(r.findings.length).toBeGreaterThan(0);
      expect(r.tensor).toBeNull();
    }
  });

  it('rejects bad magic, versions and header lengths', async () => {
    expect(ids(await read(new TextEncoder().encode('PK\x03\x04 not npy')))).toEqual(['format.unreadable']);
    const v9 = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4);
    v9[6] = 9;
    expect(ids(await read(v9))).toEqual(['numpy.header.invalid']);
    const lying = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 4, 2);
    new DataView(lying.buffer).setUint32(8, 0xffffffff, true);
    expect(ids(await read(lying))).toEqual(['format.limit-exceeded']);
    new DataView(lying.buffer).setUint32(8, 5000, true);
    expect(ids(await read(lying))).toEqual(['format.truncated']);
  });

  it('parses v2 and v3 headers, flags headers over numpy’s limit', async () => {
    const v3 = await read(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }", 16, 3));
    expect([v3.version, v3.dtype, v3.fortranOrder, v3.findings]).toEqual(['3.0', 'float64', true, []]);
    const big = await read(npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }${' '.repeat(20_000)}`, 4, 2));
    expect(ids(big)).toEqual(['numpy.header.large']);
  });

  it('rejects headers that are not the three-key dict of literals', async () => {
    const cases = [
      "__import__('os').system('id')",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,), }",
      "{'descr': 'garbage', 'fortran_order': False, 'shape': (1,), }",
      '[' .repeat(500) + ']'.repeat(500),
    ];
    for (const h of cases) {
      const r = await read(npy(h, 4));
      expect(ids(r), h.slice(0, 40)).toContain('numpy.header.invalid');
    }
  });

  it('checks the data size against the shape', async () => {
    const short = await read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000,), }", 8));
    expect(ids(short)).toEqual(['format.truncated']);
    const overflow = await read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 8));
    expect(ids(overflow)).toEqual(['format.truncated']);
    const trailing = await read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 4096));
    expect(ids(trailing)).toEqual(['numpy.trailing-data']);
    expect(trailing.tensor?.byteLength).toBe(8);
  });

  it('describes big-endian, string, datetime and structured dtypes', async () => {
    const be = await read(npy("{'descr': '>i8', 'fortran_order': False, 'shape': (2,), }", 16));
    expect([be.dtype, be.byteOrder, be.tensor?.byteOrder]).toEqual(['int64', 'big', 'big']);
    const u = await read(npy("{'descr': '<U10', 'fortran_order': False, 'shape': (2,), }", 80));
    expect([u.dtype, u.itemSize, ids(u)]).toEqual(['unicode', 40, ['numpy.dtype.non-numeric']]);
    const dt = await read(npy("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (), }", 8));
    expect([dt.dtype, dt.shape, dt.itemSize]).toEqual(['datetime64', [], 8]);
    const st = await read(npy("{'descr': [('x', '<f4'), ('y', '<i8', (2,))], 'fortran_order': False, 'shape': (3,), }", 60));
    expect([st.dtype, st.itemSize, ids(st)]).toEqual(['structured', 20, ['numpy.dtype.non-numeric']]);
    const stObj = await read(npy("{'descr': [('x', '<f4'), ('o', '|O')], 'fortran_order': False, 'shape': (3,), }", 60));
    expect([stObj.pickleOffset, ids(stObj)]).toEqual([128, ['numpy.object-array']]);
  });
});
