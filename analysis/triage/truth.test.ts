/**
 * The full triage path (format detection, the lenient zip reader, the tensor table, the one-pass
 * scan) reproduces pytorch-gen/TRUTH.json for real `torch.save` outputs: every tensor reachable
 * from the saved object, with its shape, dtype, sum of finite values and NaN/Inf counts — on the
 * inline kernel and on the worker pool. The state dict is found under `state_dict` in the full
 * checkpoint and at the top of the others.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../core/byte-source.js';
import { inlineEngine } from './tensors/stats-engine.js';
import { workerPoolEngine } from './tensors/stats-pool.js';
import { triageArtifact } from './triage.js';

interface Truth { shape: number[]; dtype: string; finite_sum: number; nan: number; inf: number }
const FIX = new URL('./pickle/fixtures/pytorch-gen/', import.meta.url);
const TRUTH = JSON.parse(readFileSync(new URL('TRUTH.json', FIX), 'utf8')) as Record<string, Record<string, Truth>>;
const read = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(f, FIX)));

describe.each(Object.keys(TRUTH))('%s reproduces TRUTH.json', (file) => {
  const truth = TRUTH[file]!;
  it.each([['inline'], ['workers']])('with the %s engine', async (kind) => {
    const engine = kind === 'inline' ? inlineEngine() : workerPoolEngine({ workers: 2 });
    try {
      const r = await triageArtifact(bufferSource(file, read(file)), { engine });
      expect(r.format).toBe(file === 'legacy_mlp.pt' ? 'pytorch-legacy' : 'pytorch-zip');
      expect(r.tensors.map((t) => t.name).sort()).toEqual(Object.keys(truth).sort());
      for (const t of r.tensors) {
        const want = truth[t.name]!;
        expect(t.shape, t.name).toEqual(want.shape);
        expect(t.dtype, t.name).toBe(want.dtype);
        expect(t.stats, t.name).not.toBeNull();
        expect(t.stats!.nan, t.name).toBe(want.nan);
        expect(t.stats!.posInf + t.stats!.negInf, t.name).toBe(want.inf);
        expect(t.stats!.sum, t.name).toBeCloseTo(want.finite_sum, 9);
        expect(t.count).toBe(want.shape.reduce((a, b) => a * b, 1));
        expect(t.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(r.stateDictPrefix).toBe(file === 'full_ckpt.pt' ? 'state_dict.' : '');
    } finally {
      await engine.close();
    }
  });
});

describe('tensor statistics of a real checkpoint', () => {
  it('never lets the NaN mask the maximum of nan_injected.pt 2.weight', async () => {
    const r = await triageArtifact(bufferSource('nan_injected.pt', read('nan_injected.pt')));
    const w = r.tensors.find((t) => t.name === '2.weight')!;
    expect(w.stats!.nan).toBe(1);
    expect(w.stats!.max).toBeGreaterThan(0.1);
    expect(w.stats!.count).toBe(4096);
    expect(w.stats!.finite).toBe(4095);
  });

  it('hashes each tensor over its own bytes: the same weights hash the same in zip and legacy files', async () => {
    const zip = await triageArtifact(bufferSource('ref_mlp.pt', read('ref_mlp.pt')));
    const legacy = await triageArtifact(bufferSource('legacy_mlp.pt', read('legacy_mlp.pt')));
    const byName = new Map(legacy.tensors.map((t) => [t.name, t.sha256]));
    for (const t of zip.tensors) expect(t.sha256, t.name).toBe(byName.get(t.name));
  });
});
