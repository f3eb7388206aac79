/**
 * Seeded mutation fuzzing of every format parser: real (or hand-built) files with bit flips,
 * boundary values written over length fields, insertions, deletions and truncations. Each parser
 * must return (never throw), finish quickly, emit only catalogued finding ids, and never describe
 * tensor bytes outside the source.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bufferSource, type ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { isSeverity } from '../severity.js';
import type { TensorInfo } from '../tensor-info.js';
import { FORMAT_FINDINGS } from './finding-ids.js';
import { readGguf } from './gguf.js';
import { readKerasArchive } from './keras.js';
import { scanKerasH5 } from './keras-h5.js';
import { readNpy } from './numpy.js';
import { readOnnx } from './onnx.js';
import { readSafetensors } from './safetensors.js';
import { readTritonConfig } from './triton-config.js';
import { mulberry32 } from '../../core/mulberry32.js';

const ITERATIONS = 2000;
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (f: string) => new Uint8Array(readFileSync(FIXTURES + f));
const KNOWN_IDS = new Set<string>(Object.values(FORMAT_FINDINGS).map((k) => k.id));

const prng = mulberry32;

const BOUNDARY_U32 = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  let b = input.slice();
  const int = (n: number) => Math.floor(rand() * n);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds && b.length > 0; r++) {
    const at = int(b.length);
    switch (int(7)) {
      case 0: // bit flip
        b[at] = b[at]! ^ (1 << int(8));
        break;
      case 1: // interesting byte
        b[at] = [0x00, 0xff, 0x7f, 0x80, 0x22, 0x7b, 0x7d, 0x5b][int(8)]!;
        break;
      case 2: {
        // boundary value over a (likely) length field, little-endian
        const dv = new DataView(b.buffer, b.byteOffset, b.length);
        if (at + 8 <= b.length && rand() < 0.5) dv.setBigUint64(at, [0n, 2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n][int(5)]!, true);
        else if (at + 4 <= b.length) dv.setUint32(at, BOUNDARY_U32[int(BOUNDARY_U32.length)]!, true);
        break;
      }
      case 3: {
        // insert random bytes
        const n = 1 + int(16);
        const ins = Uint8Array.from({ length: n }, () => int(256));
        b = Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
        break;
      }
      case 4: // delete a range
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + 1 + int(32)))]);
        break;
      case 5: // truncate
        b = b.slice(0, at);
        break;
      default: {
        // duplicate a chunk elsewhere
        const from = int(b.length);
        const n = Math.min(1 + int(64), b.length - from);
        const to = int(b.length);
        b.set(b.slice(from, from + n).subarray(0, Math.max(0, b.length - to)), to);
      }
    }
  }
  return b;
}

function checkFindings(findings: Finding[]): void {
  for (const f of findings) {
    if (!KNOWN_IDS.has(f.id) || !isSeverity(f.severity) || typeof f.message !== 'string') throw new Error(`bad finding ${JSON.stringify(f)}`);
  }
}

function checkTensors(tensors: TensorInfo[], size: number): void {
  for (const t of tensors) {
    if (!(t.byteOffset >= 0 && t.byteLength >= 0 && t.byteOffset + t.byteLength <= size)) throw new Error(`tensor ${t.name} outside the source`);
  }
}

async function fuzz(seeds: Uint8Array[], run: (src: ByteSource) => Promise<void>, seed: number): Promise<number> {
  const rand = prng(seed);
  const t0 = performance.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(seeds[i % seeds.length]!, rand);
    try {
      await run(bufferSource('fuzz', input));
    } catch (e) {
      throw new Error(`iteration ${i} (seed ${seed}): ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  return performance.now() - t0;
}

/** A small valid GGUF v3: three KVs (one chat template, one string array) and two tensors. */
function ggufSeed(): Uint8Array {
  const out: number[] = [];
  const u32 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  const u64 = (v: number) => (u32(v), u32(0));
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    u64(b.length);
    out.push(...b);
  };
  out.push(0x47, 0x47, 0x55, 0x46);
  u32(3);
  u64(2);
  u64(3);
  str('general.alignment');
  u32(4);
  u32(32);
  str('tokenizer.chat_template');
  u32(8);
  str("{% for m in messages %}{{ m['content'] }}{% endfor %}");
  str('tokenizer.ggml.tokens');
  u32(9);
  u32(8);
  u64(3);
  for (const t of ['a', 'b', 'c']) str(t);
  str('a.weight');
  u32(2);
  u64(4);
  u64(2);
  u32(0);
  u64(0);
  str('b.weight');
  u32(1);
  u64(32);
  u32(2);
  u64(32);
  while (out.length % 32 !== 0) out.push(0);
  for (let i = 0; i < 64; i++) out.push(i);
  return Uint8Array.from(out);
}

function kerasSeed(): Uint8Array {
  const layers = [
    { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4], name: 'in' }, registered_name: null },
    { module: 'keras.layers', class_name: 'Lambda', config: { name: 'l', function: { class_name: '__lambda__', config: { code: '4wEAAAAA' } } }, registered_name: null },
    { module: 'my.pkg', class_name: 'Custom', config: { name: 'c' }, registered_name: 'pkg>Custom' },
  ];
  return new TextEncoder().encode(JSON.stringify({ module: 'keras', class_name: 'Sequential', config: { name: 's', layers } }));
}

function h5Seed(): Uint8Array {
  const head = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 1, 2, 3, 4];
  const attr = new TextEncoder().encode('model_config\0\0\0\x13\0');
  return Uint8Array.from([...head, ...attr, ...kerasSeed(), 0, 0, 0, 0]);
}

const LIMIT_MS = 15_000;

describe('seeded mutation fuzzing (2,000 inputs per parser)', () => {
  it('readSafetensors', async () => {
    const seeds = ['hf-safetensors__overall.safetensors', 'syoyo__model.safetensors', 'modelaudit__multiple_patterns.safetensors.head'].map(fixture);
    const ms = await fuzz(seeds, async (src) => {
      const r = await readSafetensors(src);
      checkFindings(r.findings);
      checkTensors(r.tensors, src.size);
    }, 1);
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('readOnnx', async () => {
    const seeds = ['onnx__pytorch-converted_test_Conv2d.onnx', 'onnx__node_test_ai_onnx_ml_tree_ensemble_single_tree.onnx', 'onnx__simple_test_gradient_of_add.onnx', 'onnx__light_bvlc_alexnet.onnx'].map(fixture);
    const ms = await fuzz(seeds, async (src) => {
      const r = await readOnnx(src);
      checkFindings(r.findings);
      checkTensors(r.tensors.filter((t) => t.storage !== 'external' && t.storage !== 'none'), src.size);
    }, 2);
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('readGguf', async () => {
    const ms = await fuzz([ggufSeed()], async (src) => {
      const r = await readGguf(src);
      checkFindings(r.findings);
      checkTensors(r.tensors, src.size);
    }, 3);
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('readNpy', async () => {
    const seeds = ['picklescan__int_array.npy', 'picklescan__object_array.npy'].map(fixture);
    const ms = await fuzz(seeds, async (src) => {
      const r = await readNpy(src);
      checkFindings(r.findings);
      checkTensors(r.tensor === null ? [] : [r.tensor], src.size);
      if (r.pickleOffset !== null && r.pickleOffset > src.size) throw new Error('pickle offset outside the source');
    }, 4);
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('readKerasArchive and scanKerasH5', async () => {
    const ms = await fuzz([kerasSeed(), h5Seed()], async (src) => {
      checkFindings((await readKerasArchive([{ name: 'config.json', source: src }])).findings);
      checkFindings((await scanKerasH5(src)).findings);
    }, 5);
    expect(ms).toBeLessThan(LIMIT_MS);
  });

  it('readTritonConfig', async () => {
    const seeds = ['docs_simple_dyna_sequence.config.pbtxt', 'qa_special_runtime_escape.config.pbtxt', 'qa_repo_agent_chain_relocation.config.pbtxt', 'pybackend_ensemble_python_resnet50.config.pbtxt'].map(fixture);
    const ms = await fuzz(seeds, async (src) => checkFindings((await readTritonConfig(src)).findings), 6);
    expect(ms).toBeLessThan(LIMIT_MS);
  });
});
