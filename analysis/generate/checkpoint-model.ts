/**
 * A small decoder-style language model state dict (real tensor names and init statistics at toy
 * dimensions) standing in for a job's checkpoint, and tampered copies of it: one tensor scaled
 * (e.g. ×1000) or one row overwritten — what checkpoint triage must catch.
 */
import type { Prng } from './prng.js';
import type { TorchTensor } from './torch-zip-writer.js';

function f32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) v.setFloat32(i * 4, values[i]!, true);
  return out;
}

function readF32(data: Uint8Array): Float32Array {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float32Array(data.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = v.getFloat32(i * 4, true);
  return out;
}

function tensor(rng: Prng, name: string, shape: number[], init: 'normal' | 'ones'): TorchTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = init === 'ones' ? 1 + rng.gaussian(0, 0.04) : rng.gaussian(0, 0.02);
  return { name, dtype: 'float32', shape, data: f32Bytes(values) };
}

/** Tensors of a 2-layer, 24-wide, 96-token model in Llama naming (~45 KB of fp32). */
export function tinyLmStateDict(rng: Prng, layers = 2, dim = 24, vocab = 96): TorchTensor[] {
  const out: TorchTensor[] = [tensor(rng, 'tok_embeddings.weight', [vocab, dim], 'normal')];
  for (let l = 0; l < layers; l++) {
    const p = `layers.${l}`;
    out.push(tensor(rng, `${p}.attention.wqkv.weight`, [3 * dim, dim], 'normal'));
    out.push(tensor(rng, `${p}.attention.wo.weight`, [dim, dim], 'normal'));
    out.push(tensor(rng, `${p}.feed_forward.w1.weight`, [2 * dim, dim], 'normal'));
    out.push(tensor(rng, `${p}.feed_forward.w2.weight`, [dim, 2 * dim], 'normal'));
    out.push(tensor(rng, `${p}.attention_norm.weight`, [dim], 'ones'));
    out.push(tensor(rng, `${p}.ffn_norm.weight`, [dim], 'ones'));
  }
  out.push(tensor(rng, 'norm.weight', [dim], 'ones'));
  out.push(tensor(rng, 'output.weight', [vocab, dim], 'normal'));
  return out;
}

/** `_metadata` module names torch records for this model (root, then every submodule). */
export function tinyLmModules(layers = 2): string[] {
  const m = ['', 'tok_embeddings', 'layers'];
  for (let l = 0; l < layers; l++) {
    m.push(`layers.${l}`, `layers.${l}.attention`, `layers.${l}.attention.wqkv`, `layers.${l}.attention.wo`, `layers.${l}.feed_forward`, `layers.${l}.feed_forward.w1`, `layers.${l}.feed_forward.w2`, `layers.${l}.attention_norm`, `layers.${l}.ffn_norm`);
  }
  m.push('norm', 'output');
  return m;
}

export type Tamper = { tensor: string; kind: 'scale'; factor: number } | { tensor: string; kind: 'row-replace'; row: number };

/** A copy with one tensor altered; returns the copy and what was done. */
export function tamperedCopy(rng: Prng, tensors: readonly TorchTensor[], kind: 'scale' | 'row-replace'): { tensors: TorchTensor[]; tamper: Tamper } {
  const matrices = tensors.filter((t) => t.shape.length === 2);
  const target = rng.pick(matrices);
  const values = readF32(target.data);
  let tamper: Tamper;
  if (kind === 'scale') {
    const factor = 1000;
    for (let i = 0; i < values.length; i++) values[i] = values[i]! * factor;
    tamper = { tensor: target.name, kind: 'scale', factor };
  } else {
    const cols = target.shape[1]!;
    const row = rng.int(0, target.shape[0]! - 1);
    for (let c = 0; c < cols; c++) values[row * cols + c] = rng.range(-1.5, 1.5);
    tamper = { tensor: target.name, kind: 'row-replace', row };
  }
  const copy = tensors.map((t) => (t === target ? { ...t, data: f32Bytes(values) } : t));
  return { tensors: copy, tamper };
}
