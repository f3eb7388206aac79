/**
 * Comparison with a reference: a generated torch.save checkpoint against copies with one tensor
 * ×1000 and with a single changed row. The first is caught by the range ratio, the second pinned
 * to its tensor by the per-tensor hash; nothing else is reported. Fingerprints survive a JSON round
 * trip, a checkpoint or a fingerprint can be the reference, and a full checkpoint lines up with a
 * raw state dict through the state-dict prefix.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../core/byte-source.js';
import { writeTorchZip, type TorchTensor } from '../generate/torch-zip-writer.js';
import { loadReference, withComparison } from './reference.js';
import { fingerprintOf, parseFingerprint, type Fingerprint } from './tensors/fingerprint.js';
import { triageArtifact } from './triage.js';
import type { TriageResult } from './triage-result.js';

function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function model(): TorchTensor[] {
  const g = gaussian(42);
  const out: TorchTensor[] = [];
  for (let i = 0; i < 6; i++) {
    const w = new Float32Array(64 * 64).map(() => g() * 0.05);
    const b = new Float32Array(64).map(() => g() * 0.01);
    out.push({ name: `layers.${i}.weight`, dtype: 'float32', shape: [64, 64], data: new Uint8Array(w.buffer) });
    out.push({ name: `layers.${i}.bias`, dtype: 'float32', shape: [64], data: new Uint8Array(b.buffer) });
  }
  return out;
}

function edited(base: TorchTensor[], name: string, edit: (f: Float32Array) => void): TorchTensor[] {
  return base.map((t) => {
    if (t.name !== name) return t;
    const f = new Float32Array(t.data.slice().buffer);
    edit(f);
    return { ...t, data: new Uint8Array(f.buffer) };
  });
}

async function triage(name: string, tensors: TorchTensor[]): Promise<TriageResult> {
  return triageArtifact(bufferSource(name, writeTorchZip(tensors, { topName: name.replace(/\.pt$/, '') })));
}

const base = model();
const scaled = edited(base, 'layers.2.weight', (f) => { for (let i = 0; i < f.length; i++) f[i]! *= 1000; });
const rowEdit = edited(base, 'layers.3.weight', (f) => { for (let j = 0; j < 64; j++) f[7 * 64 + j] = f[9 * 64 + (63 - j)]!; });

describe('reference comparison', async () => {
  const ref = await triage('ref.pt', base);
  const refFp = fingerprintOf(ref);

  it('the reference itself is clean and identical to its own fingerprint', () => {
    expect(ref.verdict).toBe('clean');
    const same = withComparison(ref, refFp);
    expect(same.comparison).toMatchObject({ identical: 12, modified: 0, missing: 0, extra: 0 });
    expect(same.comparison!.findings).toEqual([]);
    expect(same.verdict).toBe('clean');
  });

  it('catches W×1000 by the range ratio, on that tensor only', async () => {
    const r = withComparison(await triage('scaled.pt', scaled), refFp);
    const compare = r.findings.filter((f) => f.id.startsWith('compare.'));
    expect(compare.map((f) => [f.id, f.location])).toEqual([['compare.tensor.range-shift', 'layers.2.weight']]);
    expect(r.comparison!.diffs.find((d) => d.name === 'layers.2.weight')!.rangeRatio).toBeCloseTo(1000, 3);
    expect(r.verdict).toBe('suspicious');
    // Without any reference, the tensor also stands out among the model's other weight matrices.
    expect(r.findings.some((f) => f.id === 'tensor.outlier.role' && f.location === 'layers.2.weight')).toBe(true);
  });

  it('pins a single changed row to its tensor by the per-tensor hash', async () => {
    const r = withComparison(await triage('row.pt', rowEdit), refFp);
    const compare = r.findings.filter((f) => f.id.startsWith('compare.'));
    expect(compare.map((f) => [f.id, f.location])).toEqual([['compare.tensor.modified', 'layers.3.weight']]);
    expect(r.comparison).toMatchObject({ identical: 11, modified: 1 });
    const d = r.comparison!.diffs.find((x) => x.name === 'layers.3.weight')!;
    expect(d.jsd!).toBeLessThan(0.1);
    expect(r.verdict).toBe('suspicious');
  });

  it('reads the reference from a fingerprint JSON or a checkpoint, with the same outcome', async () => {
    const json = new TextEncoder().encode(JSON.stringify(refFp));
    const fromJson = await loadReference(bufferSource('ref.json', json));
    const fromCkpt = await loadReference(bufferSource('ref.pt', writeTorchZip(base, { topName: 'ref' })));
    expect('error' in fromJson).toBe(false);
    expect(fromJson).toEqual(JSON.parse(JSON.stringify(fromCkpt)));
    const r = await triage('row.pt', rowEdit);
    expect(withComparison(r, fromJson as Fingerprint).findings).toEqual(withComparison(r, fromCkpt as Fingerprint).findings);
  });

  it('refuses a malformed fingerprint with a finding instead of a throw', async () => {
    expect('error' in parseFingerprint({ schema: 'mlshield.fingerprint/v1', tensors: 'x' })).toBe(true);
    const bad = await loadReference(bufferSource('bad.json', new TextEncoder().encode('{"schema":"mlshield.fingerprint/v1", "tensors": [')));
    expect('error' in bad).toBe(true);
    const r = withComparison(ref, bad);
    expect(r.findings.at(-1)!.id).toBe('compare.reference.invalid');
  });

  it('reports missing, extra, shape and dtype changes', async () => {
    const changed: TorchTensor[] = base.filter((t) => t.name !== 'layers.5.bias').map((t) => (t.name === 'layers.0.bias' ? { ...t, shape: [8, 8] } : t));
    changed.push({ name: 'backdoor.weight', dtype: 'float16', shape: [4], data: new Uint8Array(8) });
    const r = withComparison(await triage('changed.pt', changed), refFp);
    const ids = r.findings.filter((f) => f.id.startsWith('compare.')).map((f) => `${f.id} ${f.location}`).sort();
    expect(ids).toEqual(['compare.tensor.extra backdoor.weight', 'compare.tensor.missing layers.5.bias', 'compare.tensor.shape-changed layers.0.bias']);
  });

  it('lines a full checkpoint (state_dict inside) up with a raw state dict', async () => {
    const fix = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./pickle/fixtures/pytorch-gen/${f}`, import.meta.url)));
    const raw = await triageArtifact(bufferSource('ref_mlp.pt', fix('ref_mlp.pt')));
    const full = await triageArtifact(bufferSource('full_ckpt.pt', fix('full_ckpt.pt')));
    const r = withComparison(full, fingerprintOf(raw));
    expect(r.comparison).toMatchObject({ identical: 6, modified: 0, missing: 0, extra: 0 });
  });
});
