/**
 * Pre-0.4 torch.save tars, written byte by byte here (no such file is in the corpus) with the
 * members `legacy_load` reads: the tensor table is rebuilt — names, shapes, dtypes, views of
 * storage views, strided views, shared storages — and the statistics come out TRUTH.json-style
 * (finite sum, NaN/Inf counts, hash over the tensor's bytes in logical order). Record pickles are
 * analysed like any pickle; mutated tars never throw or hang.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { op, pickle } from '../pickle/pickle-builder.test-support.js';
import { inlineEngine } from '../tensors/stats-engine.js';
import { workerPoolEngine } from '../tensors/stats-pool.js';
import { triageArtifact } from '../triage.js';

// --- a ustar writer (POSIX.1-1988) ---
function tar(members: [string, Uint8Array][]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const ascii = (h: Uint8Array, at: number, s: string): void => { for (let i = 0; i < s.length; i++) h[at + i] = s.charCodeAt(i); };
  for (const [name, data] of members) {
    const h = new Uint8Array(512);
    ascii(h, 0, name);
    ascii(h, 100, '0000644\0');
    ascii(h, 108, '0000000\0');
    ascii(h, 116, '0000000\0');
    ascii(h, 124, `${data.length.toString(8).padStart(11, '0')}\0`);
    ascii(h, 136, '00000000000\0');
    ascii(h, 148, '        ');
    h[156] = 0x30;
    ascii(h, 257, 'ustar\x0000');
    const sum = h.reduce((a, b) => a + b, 0);
    ascii(h, 148, `${sum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) { out.set(b, at); at += b.length; }
  return out;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const i64 = (...v: (number | bigint)[]): Uint8Array => {
  const b = new Uint8Array(8 * v.length);
  v.forEach((x, i) => new DataView(b.buffer).setBigInt64(8 * i, BigInt(x), true));
  return b;
};
const i32 = (v: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setInt32(0, v, true); return b; };
const f32 = (...v: number[]): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);
/** A key the way pickle writes a Python int (cdata pointers are wider than BININT). */
const intKey = (k: number | bigint): number[] => {
  const out: number[] = [];
  let v = BigInt(k);
  while (v > 0n) { out.push(Number(v & 0xffn)); v >>= 8n; }
  if ((out.at(-1) ?? 0) & 0x80) out.push(0);
  return op.LONG1(out);
};
const P = (...parts: Parameters<typeof pickle>): Uint8Array => pickle(op.PROTO(2), ...parts, op.STOP);

const STEPS = 94000000000001n;
// Storage 9001: float32 [1, -2, 3, -4, 0.5, 0, 8, NaN]; 9002: int64 [1, 2, 3, -7]; 9003: view of 9001 at 4, 4 elements.
const S9001 = [1, -2, 3, -4, 0.5, 0, 8, NaN];
function storagesMember(extra: Uint8Array = new Uint8Array(0)): Uint8Array {
  return concat(
    P(op.BININT1(2)),
    P(intKey(9001), op.BINUNICODE('cpu'), op.GLOBAL('torch', 'FloatStorage'), op.TUPLE3), i64(8), f32(...S9001),
    P(intKey(9002), op.BINUNICODE('cpu'), op.GLOBAL('torch', 'LongStorage'), op.TUPLE3), i64(4), i64(1, 2, 3, -7),
    P(op.EMPTY_LIST, op.MARK, intKey(9003), intKey(9001), op.BININT1(4), op.BININT1(4), op.TUPLE, op.APPEND),
    extra,
  );
}
function tensorRecord(key: number | bigint, storage: number, shape: number[], stride: number[], offset: number, type = op.GLOBAL('torch', 'FloatTensor')): Uint8Array {
  return concat(P(intKey(key), intKey(storage), type, op.TUPLE3), i32(shape.length), new Uint8Array(4), i64(...shape), i64(...stride), i64(offset));
}
function tensorsMember(first: Uint8Array = tensorRecord(140001, 9001, [2, 2], [2, 1], 0)): Uint8Array {
  return concat(
    P(op.BININT1(4)),
    first,
    tensorRecord(140002, 9003, [2], [1], 1), // view 9003 → root 9001 elements 5, 6
    tensorRecord(140003, 9001, [2, 2], [1, 2], 0), // the transpose of fc.weight
    tensorRecord(STEPS, 9002, [4], [1], 0, op.GLOBAL('torch', 'LongTensor')),
  );
}
const SYS_INFO = P(op.EMPTY_DICT, op.MARK, op.BINUNICODE('protocol_version'), op.BININT2(1001), op.BINUNICODE('little_endian'), op.NEWTRUE, op.SETITEMS);
const pid = (k: string): (string | number[])[] => [op.BINUNICODE(k), op.BINPERSID];
const MAIN = P(
  op.GLOBAL('collections', 'OrderedDict'), op.EMPTY_TUPLE, op.REDUCE, op.MARK,
  op.BINUNICODE('fc.weight'), ...pid('140001'),
  op.BINUNICODE('fc.bias'), ...pid('140002'),
  op.BINUNICODE('tr'), ...pid('140003'),
  op.BINUNICODE('steps'), ...pid(String(STEPS)),
  // A 0.3 module save wraps data in Parameter (Variable.__reduce_ex__: type(self), (self.data,)).
  op.BINUNICODE('wrapped'), op.GLOBAL('torch.nn.parameter', 'Parameter'), op.MARK, ...pid('140001'), op.TUPLE, op.NEWOBJ,
  op.SETITEMS,
);
const legacyTar = (o: { storages?: Uint8Array; tensors?: Uint8Array; main?: Uint8Array; more?: [string, Uint8Array][] } = {}): Uint8Array =>
  tar([['sys_info', SYS_INFO], ['pickle', o.main ?? MAIN], ['tensors', o.tensors ?? tensorsMember()], ['storages', o.storages ?? storagesMember()], ...(o.more ?? [])]);

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
interface Truth { shape: number[]; dtype: string; finite_sum: number; nan: number; inf: number; bytes: Uint8Array }
const TRUTH: Record<string, Truth> = {
  'fc.weight': { shape: [2, 2], dtype: 'float32', finite_sum: -2, nan: 0, inf: 0, bytes: f32(1, -2, 3, -4) },
  'fc.bias': { shape: [2], dtype: 'float32', finite_sum: 8, nan: 0, inf: 0, bytes: f32(0, 8) },
  tr: { shape: [2, 2], dtype: 'float32', finite_sum: -2, nan: 0, inf: 0, bytes: f32(1, 3, -2, -4) },
  steps: { shape: [4], dtype: 'int64', finite_sum: -1, nan: 0, inf: 0, bytes: i64(1, 2, 3, -7) },
  wrapped: { shape: [2, 2], dtype: 'float32', finite_sum: -2, nan: 0, inf: 0, bytes: f32(1, -2, 3, -4) },
};

describe.each([['inline'], ['workers']])('a pre-0.4 torch.save tar (%s engine)', (kind) => {
  it('rebuilds the tensor table and reproduces TRUTH-style statistics', async () => {
    const engine = kind === 'inline' ? inlineEngine() : workerPoolEngine({ workers: 2 });
    try {
      const r = await triageArtifact(bufferSource('old.pt', legacyTar()), { engine });
      expect(r.format).toBe('pytorch-legacy-tar');
      expect(r.tensors.map((t) => t.name).sort()).toEqual(Object.keys(TRUTH).sort());
      for (const t of r.tensors) {
        const want = TRUTH[t.name]!;
        expect([t.shape, t.dtype, t.count], t.name).toEqual([want.shape, want.dtype, want.shape.reduce((a, b) => a * b, 1)]);
        expect([t.stats!.sum, t.stats!.nan, t.stats!.posInf + t.stats!.negInf], t.name).toEqual([want.finite_sum, want.nan, want.inf]);
        expect(t.sha256, t.name).toBe(sha(want.bytes));
      }
      expect(r.tensors.find((t) => t.name === 'fc.bias')!.storage).toEqual({ key: '9001', offset: 5, stride: [1] });
      expect(r.sharedStorages.find((s) => s.storageKey === '9001')!.tensors.sort()).toEqual(['fc.bias', 'fc.weight', 'tr', 'wrapped']);
      expect(r.findings.filter((f) => f.severity !== 'info' && f.severity !== 'low')).toEqual([]);
      expect(r.verdict).toBe('clean');
    } finally {
      await engine.close();
    }
  });
});

describe('pre-0.4 torch.save tars that lie', () => {
  it('counts a NaN the storage holds when a tensor views it', async () => {
    const tensors = concat(P(op.BININT1(1)), tensorRecord(140001, 9001, [8], [1], 0));
    const main = P(op.EMPTY_DICT, op.BINUNICODE('all'), ...pid('140001'), op.SETITEM);
    const r = await triageArtifact(bufferSource('nan.pt', legacyTar({ tensors, main })));
    expect(r.tensors[0]!.stats!.nan).toBe(1);
    expect(r.findings.some((f) => f.id === 'tensor.nonfinite')).toBe(true);
  });

  it('catches a payload in a tensor record pickle (torch.load unpickles it) and keeps reading', async () => {
    const evil = concat(P(op.GLOBAL('os', 'system'), op.MARK, op.BINUNICODE('id'), op.TUPLE, op.REDUCE, op.POP, intKey(140001), intKey(9001), op.GLOBAL('torch', 'FloatTensor'), op.TUPLE3),
      i32(2), new Uint8Array(4), i64(2, 2), i64(2, 1), i64(0));
    const r = await triageArtifact(bufferSource('evil.pt', legacyTar({ tensors: tensorsMember(evil) })));
    expect(r.verdict).toBe('malicious');
    expect(r.findings.some((f) => f.location?.startsWith('tensors@') && (f.severity === 'critical' || f.severity === 'high'))).toBe(true);
    expect(r.imports.some((i) => i.module === 'os' && i.name === 'system')).toBe(true);
    expect(r.tensors.find((t) => t.name === 'fc.weight')!.stats!.sum).toBe(-2);
  });

  it('keeps a dangerous import that comes after 100 distinct harmless findings in the member', async () => {
    // Two records each naming 60 distinct harmless globals fill the per-member finding bound;
    // the third record's os.system must still be reported (it decides the verdict).
    const harmless = (tag: string): (string | number[])[] => Array.from({ length: 60 }, (_, i) => [op.GLOBAL(`pkg${tag}${i}`, 'f'), op.POP]).flat();
    const record = (key: number, parts: (string | number[])[]): Uint8Array =>
      concat(P(...parts, intKey(key), intKey(9001), op.GLOBAL('torch', 'FloatTensor'), op.TUPLE3), i32(1), new Uint8Array(4), i64(1), i64(1), i64(0));
    const first = concat(record(140001, harmless('a')), record(150001, harmless('b')), record(150002, [op.GLOBAL('os', 'system'), op.POP]));
    const r = await triageArtifact(bufferSource('hidden.pt', legacyTar({ tensors: tensorsMember(first) })));
    expect(r.verdict).toBe('malicious');
    expect(r.findings.some((f) => f.id === 'pickle.import.dangerous' && f.location?.startsWith('tensors@'))).toBe(true);
    expect(r.imports.some((i) => i.module === 'os' && i.name === 'system')).toBe(true);
  });

  it('reports a view past its storage, an unknown persistent id and an unreferenced tensor', async () => {
    const tensors = concat(P(op.BININT1(2)), tensorRecord(1, 9001, [4], [1], 6), tensorRecord(2, 9002, [4], [1], 0, op.GLOBAL('torch', 'LongTensor')));
    const main = P(op.EMPTY_DICT, op.MARK, op.BINUNICODE('a'), ...pid('1'), op.BINUNICODE('b'), ...pid('777'), op.SETITEMS);
    const r = await triageArtifact(bufferSource('bad.pt', legacyTar({ tensors, main })));
    const problems = r.findings.filter((f) => f.id === 'triage.torch.tensor-table').map((f) => f.message).join('\n');
    expect(problems).toMatch(/persistent ids 777 name no tensor/);
    expect(problems).toMatch(/1 tensors of the tensors member are never referenced/);
    expect(problems).toMatch(/a: view reaches element 9 of a 8-element storage/);
    expect(r.tensors.find((t) => t.name === 'a')!.stats).toBeNull();
  });

  it('stops at a record that does not parse, carves the rest for pickles, and says the table is partial', async () => {
    const hidden = P(op.GLOBAL('builtins', 'exec'), op.MARK, op.BINUNICODE('import os'), op.TUPLE, op.REDUCE);
    const storages = concat(P(op.BININT1(2)), P(intKey(9001), op.BINUNICODE('cpu'), op.GLOBAL('torch', 'FloatStorage'), op.TUPLE3), i64(1n << 40n), hidden);
    const r = await triageArtifact(bufferSource('cut.pt', legacyTar({ storages })));
    expect(r.findings.some((f) => f.id === 'triage.torch.legacy-tar' && /storages did not parse/.test(f.message))).toBe(true);
    expect(r.findings.some((f) => f.id === 'triage.pickle.carved')).toBe(true);
    expect(r.verdict).toBe('malicious');
    expect(r.tensors.every((t) => t.stats === null)).toBe(true);
  });

  it('analyses a member the layout does not have', async () => {
    const r = await triageArtifact(bufferSource('more.pt', legacyTar({ more: [['extra', P(op.GLOBAL('posix', 'system'), op.MARK, op.BINUNICODE('id'), op.TUPLE, op.REDUCE)]] })));
    expect(r.findings.some((f) => f.id === 'triage.torch.unexpected-entry')).toBe(true);
    expect(r.verdict).toBe('malicious');
  });

  it('names the tensors by key when the pickle member is missing', async () => {
    const bytes = tar([['sys_info', SYS_INFO], ['tensors', tensorsMember()], ['storages', storagesMember()]]);
    const r = await triageArtifact(bufferSource('nopickle.pt', bytes));
    expect(r.tensors.map((t) => t.name).sort()).toEqual(['140001', '140002', '140003', String(STEPS)]);
    expect(r.tensors.find((t) => t.name === '140001')!.stats!.sum).toBe(-2);
    expect(r.findings.some((f) => f.id === 'triage.torch.legacy-tar')).toBe(true);
  });
});

describe('mutated pre-0.4 tars', () => {
  it('never throw or hang, and every tensor with statistics counts its elements (400 seeded mutants)', async () => {
    let a = 1234;
    const rnd = (n: number): number => {
      a = (Math.imul(a, 1103515245) + 12345) >>> 0;
      return Math.floor((a / 2 ** 32) * n);
    };
    const seed = legacyTar();
    const engine = inlineEngine();
    const t0 = Date.now();
    for (let i = 0; i < 400; i++) {
      const b = Uint8Array.from(seed);
      for (let k = 1 + rnd(6); k > 0; k--) {
        const at = 512 + rnd(b.length - 512); // past the first header, so most mutants stay tars
        b[at] = rnd(4) === 0 ? 0xff : rnd(256);
      }
      const cut = rnd(5) === 0 ? b.subarray(0, 1 + rnd(b.length)) : b;
      const r = await triageArtifact(bufferSource(`m${i}.pt`, cut), { engine });
      expect(['clean', 'suspicious', 'malicious', 'error']).toContain(r.verdict);
      for (const t of r.tensors) if (t.stats) expect(t.stats.count, `${i} ${t.name}`).toBe(t.count);
    }
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
