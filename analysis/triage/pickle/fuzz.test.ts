/**
 * Seeded mutation fuzzing of the disassembler, the symbolic machine, the tensor table and the
 * legacy walker over real pickles: 5,000 mutants must all come back as reports (no throw), with
 * offsets inside the input and known severities, in well under ten seconds.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzePickle } from './analyze.js';
import { disassemble } from './disassemble.js';
import { parseLegacyTorch } from './legacy-torch.js';
import { carvePickles } from './pickle-carver.js';
import { describeValue } from './sym-value.js';
import { buildTensorTable } from './tensor-table.js';
import { torchZipParts } from './zip-entries.test-support.js';
import { SEVERITIES } from '../severity.js';
import { mulberry32 } from '../../core/mulberry32.js';

const read = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${p}`, import.meta.url)));

const prng = mulberry32;

const SEEDS: Uint8Array[] = [
  read('pickle-malicious/picklescan__malicious1_v4.pkl'),
  read('pickle-malicious/picklescan__malicious11.pkl'),
  read('pickle-malicious/modelaudit__memo_attack.pkl'),
  read('pickle-malicious/modelaudit__nested_pickle_multistage.pkl'),
  read('pickle-malicious/picklescan__malicious0.pkl'),
  read('pickle-malicious/picklescan__cloudpickle_codeinjection.pkl'),
  read('pickle-benign/picklescan__benign0_v0.pkl'),
  read('pickle-benign/modelaudit__safe_model_with_binary.pkl'),
  (await torchZipParts(read('pytorch-gen/full_ckpt.pt'))).dataPkl as Uint8Array,
  (await torchZipParts(read('pytorch/tchrs__foo_2022-12-27.pt'))).dataPkl as Uint8Array,
  read('pytorch-gen/legacy_mlp.pt').slice(0, 1200),
];
const INTERESTING = [0x28, 0x2e, 0x30, 0x31, 0x4a, 0x42, 0x52, 0x62, 0x63, 0x68, 0x6a, 0x71, 0x72, 0x80, 0x8e, 0x93, 0x94, 0x95, 0x96, 0xff, 0x00, 0x0a];

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const a = Array.from(src);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * (a.length + 1));
    const pick = INTERESTING[Math.floor(rnd() * INTERESTING.length)] as number;
    switch (Math.floor(rnd() * 7)) {
      case 0: if (a.length) a[at % a.length] = Math.floor(rnd() * 256); break;
      case 1: a.splice(at, 0, pick); break;
      case 2: a.splice(at, 1 + Math.floor(rnd() * 8)); break;
      case 3: a.splice(at, 0, ...a.slice(at, at + 1 + Math.floor(rnd() * 32))); break;
      case 4: if (a.length) a[at % a.length] = pick; break;
      case 5: a.splice(at, 0, 0xff, 0xff, 0xff, 0x7f); break; // huge counted length
      default: a.length = Math.floor(rnd() * a.length); break;
    }
  }
  return new Uint8Array(a);
}

describe('fuzz: mutated real pickles', () => {
  it('5,000 mutants: no throw, no hang, sane reports', () => {
    const rnd = prng(0x5eed1234);
    const t0 = performance.now();
    const known = new Set<string>(SEVERITIES);
    const bad: string[] = [];
    let stopped = 0;
    for (let i = 0; i < 5000; i++) {
      const src = SEEDS[i % SEEDS.length] as Uint8Array;
      const b = mutate(src, rnd);
      const r = analyzePickle(b, { maxNestedDepth: 2, maxOps: 100_000 });
      if (r.endOffset > b.length) bad.push(`#${i}: endOffset ${r.endOffset} > ${b.length}`);
      if (r.stopOffset !== null) {
        stopped++;
        if (r.stopOffset >= b.length) bad.push(`#${i}: stopOffset ${r.stopOffset}`);
      }
      for (const f of r.findings) if (!known.has(f.severity)) bad.push(`#${i}: severity ${f.severity}`);
      buildTensorTable(r.result, { maxNodes: 100_000 });
      describeValue(r.result, 300);
      if (i % SEEDS.length === SEEDS.length - 1) parseLegacyTorch(b);
      if (i % 97 === 0) carvePickles(b);
    }
    const ms = performance.now() - t0;
    expect(bad).toEqual([]);
    expect(ms).toBeLessThan(10_000);
    expect(stopped).toBeGreaterThan(100); // the mutants still exercise whole pickles
  });

  it('random bytes and degenerate inputs', () => {
    const rnd = prng(42);
    for (let i = 0; i < 500; i++) {
      const b = new Uint8Array(Math.floor(rnd() * 300)).map(() => Math.floor(rnd() * 256));
      expect(() => analyzePickle(b)).not.toThrow();
    }
    for (const b of [new Uint8Array(0), new Uint8Array([0x2e]), new Uint8Array([0x80]), new Uint8Array(10_000).fill(0x28)]) {
      expect(disassemble(b).ops.length).toBeLessThanOrEqual(b.length);
      expect(() => analyzePickle(b)).not.toThrow();
    }
  });

  it('pathological but valid pickles stay bounded (deep MARKs, self-referencing memo, DUP/APPEND chains)', () => {
    const marks = new Uint8Array(200_000).fill(0x28);
    expect(analyzePickle(marks).findings.length).toBeGreaterThan(0);
    const dups: number[] = [0x5d, 0x71, 0x00];
    for (let i = 0; i < 50_000; i++) dups.push(0x68, 0x00, 0x68, 0x00, 0x61, 0x30); // BINGET 0, BINGET 0, APPEND, POP
    dups.push(0x68, 0x00, 0x2e);
    const t0 = performance.now();
    const r = analyzePickle(new Uint8Array(dups));
    buildTensorTable(r.result);
    describeValue(r.result);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
