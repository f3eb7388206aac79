/**
 * PyTorch zip layouts built by hand: any archive folder name, shared storages and strided views
 * (a transposed weight is gathered), a big-endian `byteorder`, a deflated storage record, missing
 * storages, TorchScript code that reaches the file system, entries outside the layout (triaged
 * when they are artifacts), and a list checkpoint whose state dict is its first item.
 */
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { buildZip, type ZipSpec } from '../../ingest/archive/fixture-archives.js';
import { callPickle, op, pickle, rebuildTensor } from '../pickle/pickle-builder.test-support.js';
import { triageArtifact } from '../triage.js';

const f32 = (xs: number[]): Uint8Array => new Uint8Array(Float32Array.from(xs).buffer);

/** {'a': storage 0 as [2,3], 'b': the same storage viewed transposed [3,2] stride (1,3)} */
const sharedPickle = pickle(
  op.PROTO(2), op.EMPTY_DICT, op.MARK,
  op.BINUNICODE('a'), ...rebuildTensor('FloatStorage', '0', 6, 0, [2, 3], [3, 1]),
  op.BINUNICODE('b'), ...rebuildTensor('FloatStorage', '0', 6, 0, [3, 2], [1, 3]),
  op.SETITEMS, op.STOP,
);

function zip(top: string, data: Record<string, Uint8Array | string>, method: 0 | 8 = 0): Uint8Array {
  const specs: ZipSpec[] = Object.entries(data).map(([name, d]) => ({ name: `${top}/${name}`, data: d, method }));
  return buildZip(specs);
}

describe('PyTorch zip layouts', () => {
  it('reads any archive folder name, shared storages and a strided view', async () => {
    const bytes = zip('whatever-name', { 'data.pkl': sharedPickle, 'data/0': f32([1, 2, 3, 4, 5, 6]), version: '3\n', '.format_version': '1', '.storage_alignment': '64' });
    const r = await triageArtifact(bufferSource('m.pt', bytes));
    expect(r.format).toBe('pytorch-zip');
    expect(r.verdict).toBe('clean');
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(r.sharedStorages).toEqual([{ storageKey: '0', tensors: ['a', 'b'] }]);
    const [a, b] = r.tensors;
    expect(a!.stats!.sum).toBe(21);
    expect(b!.storage).toEqual({ key: '0', offset: 0, stride: [1, 3] });
    expect(b!.stats!.sum).toBe(21);
    // The transposed view hashes its own element order (1,4,2,5,3,6), not the storage's.
    expect(b!.sha256).not.toBe(a!.sha256);
    const t = await triageArtifact(bufferSource('t.pt', zip('x', { 'data.pkl': pickle(op.PROTO(2), ...rebuildTensor('FloatStorage', '0', 6, 0, [6], [1]), op.STOP), 'data/0': f32([1, 4, 2, 5, 3, 6]) })));
    expect(t.tensors[0]!.sha256).toBe(b!.sha256);
  });

  it('byte-swaps big-endian storages and reads deflated records', async () => {
    const be = new Uint8Array(24);
    const dv = new DataView(be.buffer);
    [1, 2, 3, 4, 5, -6].forEach((x, i) => dv.setFloat32(i * 4, x, false));
    const r = await triageArtifact(bufferSource('be.pt', zip('be', { 'data.pkl': sharedPickle, byteorder: 'big', 'data/0': be }, 8)));
    expect(r.tensors[0]!.stats!.sum).toBe(9);
    expect(r.tensors[0]!.stats!.min).toBe(-6);
    expect(r.findings.map((f) => f.id)).toContain('triage.torch.big-endian');
  });

  it('reports a missing or short storage record', async () => {
    const r = await triageArtifact(bufferSource('m.pt', zip('m', { 'data.pkl': sharedPickle, 'data/0': f32([1, 2]) })));
    expect(r.findings.map((f) => f.id)).toContain('triage.torch.missing-storage');
    expect(r.tensors[0]!.stats).toBeNull();
    const gone = await triageArtifact(bufferSource('g.pt', zip('g', { 'data.pkl': sharedPickle })));
    expect(gone.findings.filter((f) => f.id === 'triage.torch.missing-storage')).toHaveLength(1);
    expect(gone.verdict).toBe('suspicious');
  });

  it('flags TorchScript code that reaches the file system as malicious', async () => {
    const code = 'def forward(self, x):\n    torch.save(x, "/etc/cron.d/job")\n    return x\n';
    const r = await triageArtifact(bufferSource('ts.pt', zip('ts', { 'data.pkl': sharedPickle, 'data/0': f32([1, 2, 3, 4, 5, 6]), 'code/__torch__.py': code, 'constants.pkl': pickle(op.PROTO(2), op.EMPTY_TUPLE, op.STOP) })));
    expect(r.format).toBe('torchscript');
    expect(r.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['torchscript.code', 'torchscript.code.suspicious']));
    expect(r.verdict).toBe('malicious');
  });

  it('triages entries outside the layout: a pickle payload hidden next to the checkpoint', async () => {
    const r = await triageArtifact(bufferSource('x.pt', zip('x', { 'data.pkl': sharedPickle, 'data/0': f32([1, 2, 3, 4, 5, 6]), 'extra.bin': callPickle('os', 'system', 'echo hi') })));
    expect(r.findings.map((f) => f.id)).toContain('triage.torch.unexpected-entry');
    expect(r.children).toHaveLength(1);
    expect(r.children[0]!.verdict).toBe('malicious');
    expect(r.verdict).toBe('malicious');
    expect(r.findings.some((f) => f.id === 'pickle.import.dangerous' && f.location?.startsWith('x/extra.bin'))).toBe(true);
  });

  it('finds the state dict in a list checkpoint', async () => {
    const listPickle = pickle(op.PROTO(2), op.EMPTY_LIST, op.MARK,
      op.EMPTY_DICT, op.MARK, op.BINUNICODE('fc.weight'), ...rebuildTensor('FloatStorage', '0', 6, 0, [2, 3], [3, 1]),
      op.BINUNICODE('fc.bias'), ...rebuildTensor('FloatStorage', '0', 6, 0, [2], [1]), op.SETITEMS,
      op.EMPTY_DICT, op.BINUNICODE('lr'), op.BINFLOAT(0.1), op.SETITEM, op.APPENDS, op.STOP);
    const r = await triageArtifact(bufferSource('l.pt', zip('l', { 'data.pkl': listPickle, 'data/0': f32([1, 2, 3, 4, 5, 6]) })));
    expect(r.tensors.map((t) => t.name)).toEqual(['0.fc.weight', '0.fc.bias']);
    expect(r.stateDictPrefix).toBe('0.');
  });

  it('bounds the bytes read when a pickle names the same storage thousands of times', async () => {
    const views: (string | number[] | Uint8Array)[] = [];
    for (let i = 0; i < 1500; i++) views.push(op.BINUNICODE(`v${i}`), ...rebuildTensor('FloatStorage', '0', 16384, 0, [16384], [1]));
    const p = pickle(op.PROTO(2), op.EMPTY_DICT, op.MARK, ...views, op.SETITEMS, op.STOP);
    const r = await triageArtifact(bufferSource('v.pt', zip('v', { 'data.pkl': p, 'data/0': new Uint8Array(65536) })));
    expect(r.tensors).toHaveLength(1500);
    const read = r.tensors.filter((t) => t.stats !== null).length;
    expect(read).toBeGreaterThan(900);
    expect(read).toBeLessThan(1500);
    expect(r.findings.map((f) => f.id)).toContain('triage.tensor.read-limit');
  });
});
