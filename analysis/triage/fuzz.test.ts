/**
 * Seeded mutation fuzzing of the whole triage path over real inputs of every format (PyTorch zip,
 * legacy torch, TorchScript, pickles, NumPy, safetensors, ONNX, zip and 7z containers): every
 * mutant comes back as a result — no throw, no hang — with a known verdict, valid severities, the
 * SHA-256 of exactly the bytes given, and tensor statistics whose counts add up.
 * (The disassembler alone is fuzzed with 5,000 mutated pickles in pickle/fuzz.test.ts.)
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../core/byte-source.js';
import { SEVERITIES } from './severity.js';
import { inlineEngine } from './tensors/stats-engine.js';
import { triageArtifact } from './triage.js';
import { VERDICTS } from './triage-result.js';
import { mulberry32 } from '../core/mulberry32.js';

const P = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./pickle/fixtures/${f}`, import.meta.url)));
const F = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./formats/fixtures/${f}`, import.meta.url)));

const SEEDS: [string, Uint8Array][] = [
  ['ref_mlp.pt', P('pytorch-gen/ref_mlp.pt')],
  ['legacy_mlp.pt', P('pytorch-gen/legacy_mlp.pt')],
  ['foo.pt', P('pytorch/tchrs__foo_2022-12-27.pt')],
  ['malicious1_v4.pkl', P('pickle-malicious/picklescan__malicious1_v4.pkl')],
  ['malicious1.zip', P('pickle-malicious/picklescan__malicious1.zip')],
  ['malicious1.7z', P('pickle-malicious/picklescan__malicious1.7z')],
  ['object_arrays.npz', P('pickle-benign/picklescan__object_arrays.npz')],
  ['int_array.npy', P('pickle-benign/picklescan__int_array.npy')],
  ['f.safetensors', F('hf-safetensors__f.safetensors')],
  ['linear.onnx', F('onnx__pytorch-converted_test_Linear.onnx')],
];

const prng = mulberry32;

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const b = Array.from(src);
  const n = 1 + Math.floor(rnd() * 6);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * b.length);
    switch (Math.floor(rnd() * 6)) {
      case 0: b[at] = Math.floor(rnd() * 256); break;
      case 1: b[at] = [0, 0xff, 0x7f, 0x80][Math.floor(rnd() * 4)]!; break;
      case 2: b.splice(at, 1 + Math.floor(rnd() * 16)); break;
      case 3: b.splice(at, 0, ...b.slice(at, at + 1 + Math.floor(rnd() * 64))); break;
      case 4: for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = 0xff; break; // huge sizes, offsets
      default: b.length = Math.max(1, Math.floor(rnd() * b.length)); break;
    }
  }
  return Uint8Array.from(b);
}

describe('triage fuzz', () => {
  it.each(SEEDS)('mutants of %s all come back as results', async (name, seed) => {
    const engine = inlineEngine();
    const rnd = prng(name.length * 7919 + seed.length);
    const t0 = performance.now();
    for (let i = 0; i < 150; i++) {
      const bytes = mutate(seed, rnd);
      const r = await triageArtifact(bufferSource(name, bytes), { engine });
      expect(VERDICTS).toContain(r.verdict);
      expect(r.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      for (const f of r.findings) expect(SEVERITIES).toContain(f.severity);
      for (const t of r.tensors) {
        const s = t.stats;
        if (!s) continue;
        expect(s.finite + s.nan + s.posInf + s.negInf).toBe(s.count);
        expect(s.zeros).toBeLessThanOrEqual(s.finite);
        expect(s.histogram.reduce((a, x) => a + x, 0)).toBe(s.finite);
      }
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
