/**
 * Tensor tables rebuilt from real torch.save outputs, checked against pytorch-gen/TRUTH.json
 * (names, shapes, dtypes, finite sums, NaN/Inf counts computed in PyTorch before saving).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzePickle } from './analyze.js';
import { parseLegacyTorch } from './legacy-torch.js';
import { op, pickle, rebuildTensor } from './pickle-builder.test-support.js';
import { buildTensorTable, type TensorTable } from './tensor-table.js';
import { tensorStats } from './tensor-values.js';
import { torchZipParts } from './zip-entries.test-support.js';

interface Truth { shape: number[]; dtype: string; finite_sum: number; nan: number; inf: number }
const FIX = new URL('./fixtures/', import.meta.url);
const read = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(p, FIX)));
const TRUTH = JSON.parse(readFileSync(new URL('pytorch-gen/TRUTH.json', FIX), 'utf8')) as Record<string, Record<string, Truth>>;

/** Table + storage bytes of a checkpoint, zip or legacy. */
async function load(file: string): Promise<{ table: TensorTable; storage: (key: string) => Uint8Array | undefined }> {
  const b = read(`pytorch-gen/${file}`);
  if (b[0] === 0x50) {
    const parts = await torchZipParts(b);
    const r = analyzePickle(parts.dataPkl as Uint8Array, { context: 'torch-zip' });
    return { table: buildTensorTable(r.result), storage: (k) => parts.storages.get(k) };
  }
  const l = parseLegacyTorch(b);
  return {
    table: l.table,
    storage: (k) => { const s = l.storages.find((x) => x.key === k); return s && b.subarray(s.dataOffset, s.dataOffset + s.byteLength); },
  };
}

describe.each(['ref_mlp.pt', 'fp16_mlp.pt', 'full_ckpt.pt', 'nan_injected.pt', 'legacy_mlp.pt', 'reduce_os_system.pt'])('%s against TRUTH.json', async (file) => {
  const truth = TRUTH[file] as Record<string, Truth>;
  const { table, storage } = await load(file);

  it('has exactly the expected tensor names, shapes and dtypes', () => {
    expect(table.problems).toEqual([]);
    const got = Object.fromEntries(table.tensors.map((t) => [t.name, { shape: t.shape, dtype: t.dtype }]));
    const want = Object.fromEntries(Object.entries(truth).map(([n, t]) => [n, { shape: t.shape, dtype: t.dtype }]));
    expect(got).toEqual(want);
  });

  it('reads the same finite sums and NaN/Inf counts from the storage bytes', () => {
    for (const t of table.tensors) {
      const bytes = storage(t.storageKey);
      expect(bytes, t.storageKey).toBeDefined();
      const s = tensorStats(bytes as Uint8Array, t.dtype, t.shape, t.stride, t.storageOffset);
      if ('error' in s) throw new Error(s.error);
      const want = truth[t.name] as Truth;
      expect(s.nan).toBe(want.nan);
      expect(s.posInf + s.negInf).toBe(want.inf);
      expect(s.finiteSum).toBeCloseTo(want.finite_sum, 9);
    }
  });

  it('knows every storage: key, element count and device', () => {
    for (const s of table.storages) {
      expect(s.device).toBe('cpu');
      expect(s.numel).toBe(table.tensors.find((t) => t.storageKey === s.key)?.shape.reduce((a, b) => a * b, 1));
    }
    expect(table.shared).toEqual([]);
  });
});

describe('legacy torch layout', () => {
  it('walks the five pickles and finds each storage after its 8-byte count', () => {
    const b = read('pytorch-gen/legacy_mlp.pt');
    const l = parseLegacyTorch(b);
    expect(l.isLegacy).toBe(true);
    expect(l.protocolVersion).toBe(1001);
    expect(l.littleEndian).toBe(true);
    expect(l.storageKeys).toHaveLength(6);
    const last = l.storages.at(-1);
    expect(last && last.dataOffset + last.byteLength).toBe(b.length);
    expect(l.maxSeverity).toBe('info');
  });

  it('reads the legacy DistilBERT checkpoint (picklescan pytorch_model.bin) to the last byte', () => {
    const b = read('pytorch/picklescan__pytorch_model.bin');
    const l = parseLegacyTorch(b);
    expect(l.table.problems).toEqual([]);
    expect(l.table.tensors.length).toBeGreaterThan(30);
    expect(l.table.tensors[0]).toMatchObject({ name: 'distilbert.embeddings.word_embeddings.weight', shape: [28996, 2], dtype: 'float32' });
    const last = l.storages.at(-1);
    expect(last && last.dataOffset + last.byteLength).toBe(b.length);
  });

  it('reports a pickle appended after the storages', () => {
    const b = read('pytorch-gen/legacy_mlp.pt');
    const evil = pickle(op.PROTO(2), op.GLOBAL('os', 'system'), op.BINUNICODE('id'), op.TUPLE1, op.REDUCE, op.STOP);
    const l = parseLegacyTorch(new Uint8Array([...b, ...evil]));
    expect(l.maxSeverity).toBe('critical');
    expect(l.findings.some((f) => f.origin?.startsWith('after storages'))).toBe(true);
  });

  it('stops on a storage count that does not fit the file', () => {
    const b = read('pytorch-gen/legacy_mlp.pt').slice(0, 2000);
    const l = parseLegacyTorch(b);
    expect(l.findings.map((f) => f.id)).toContain('pickle.disasm.counted-length-overflow');
  });
});

describe('tensor table shapes beyond a flat state_dict', () => {
  it('nested dicts (candle model_state_dict) and TorchScript object attributes (foo_2022)', async () => {
    const nested = buildTensorTable(analyzePickle((await torchZipParts(read('pytorch/candle__test_with_key.pt'))).dataPkl as Uint8Array).result);
    expect(nested.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([['model_state_dict.test', 'int64', [2, 4]]]);
    const ts = buildTensorTable(analyzePickle((await torchZipParts(read('pytorch/tchrs__foo_2022-12-27.pt'))).dataPkl as Uint8Array).result);
    expect(ts.tensors.map((t) => t.name)).toEqual(['value']);
  });

  it('finds views of one storage, parameters, and out-of-bounds views', () => {
    const b = pickle(op.PROTO(2), op.EMPTY_DICT, op.MARK,
      op.BINUNICODE('a'), ...rebuildTensor('FloatStorage', '0', 12, 0, [3, 4], [4, 1]),
      op.BINUNICODE('a_t'), ...rebuildTensor('FloatStorage', '0', 12, 0, [4, 3], [1, 4]),
      op.BINUNICODE('p'), op.GLOBAL('torch._utils', '_rebuild_parameter'), ...rebuildTensor('HalfStorage', '1', 4, 0, [4], [1]), op.NEWTRUE,
      op.GLOBAL('collections', 'OrderedDict'), op.EMPTY_TUPLE, op.REDUCE, op.TUPLE3, op.REDUCE,
      op.BINUNICODE('oob'), ...rebuildTensor('FloatStorage', '2', 4, 2, [4], [1]),
      op.SETITEMS, op.STOP);
    const r = analyzePickle(b, { context: 'torch-zip' });
    expect(r.maxSeverity).toBeNull();
    const t = buildTensorTable(r.result);
    expect(t.shared).toEqual([{ storageKey: '0', tensors: ['a', 'a_t'] }]);
    expect(t.tensors.find((x) => x.name === 'p')).toMatchObject({ dtype: 'float16', requiresGrad: true });
    expect(t.problems).toEqual([expect.stringMatching(/^oob: view reaches element 5 of a 4-element storage/)]);
  });

  it('flattens a pickled nn.Module (__dict__ _modules/_parameters) into state_dict names', () => {
    const b = pickle(op.PROTO(2), op.GLOBAL('__main__', 'Net'), op.EMPTY_TUPLE, op.NEWOBJ, op.EMPTY_DICT, op.MARK,
      op.BINUNICODE('_modules'), op.GLOBAL('collections', 'OrderedDict'), op.EMPTY_TUPLE, op.REDUCE, op.MARK,
      op.BINUNICODE('fc'), op.GLOBAL('torch.nn.modules.linear', 'Linear'), op.EMPTY_TUPLE, op.NEWOBJ, op.EMPTY_DICT, op.MARK,
      op.BINUNICODE('_parameters'), op.EMPTY_DICT, op.BINUNICODE('weight'), ...rebuildTensor('FloatStorage', '0', 6, 0, [2, 3], [3, 1]), op.SETITEM,
      op.SETITEMS, op.BUILD, op.SETITEMS, op.SETITEMS, op.BUILD, op.STOP);
    const t = buildTensorTable(analyzePickle(b).result);
    expect(t.tensors.map((x) => x.name)).toEqual(['fc.weight']);
  });

  it('survives cycles and reports unsupported rebuilds', () => {
    const cyclic = pickle(op.EMPTY_LIST, op.BINPUT(0), op.BINGET(0), op.APPEND, op.STOP);
    expect(buildTensorTable(analyzePickle(cyclic).result).tensors).toEqual([]);
    const sparse = pickle(op.PROTO(2), op.EMPTY_DICT, op.BINUNICODE('s'), op.GLOBAL('torch._utils', '_rebuild_sparse_tensor'), op.EMPTY_TUPLE, op.REDUCE, op.SETITEM, op.STOP);
    expect(buildTensorTable(analyzePickle(sparse).result).unsupported).toEqual([{ name: 's', rebuild: 'torch._utils._rebuild_sparse_tensor' }]);
  });
});
