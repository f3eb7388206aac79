import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bufferSource, type ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import { highestSeverity, isAtLeast } from '../severity.js';
import { FORMAT_FINDINGS } from './finding-ids.js';
import { readSafetensors } from './safetensors.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Expected verdicts from fixtures/SOURCES.tsv (copied from the corpus). */
function verdicts(): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of readFileSync(FIXTURES + 'SOURCES.tsv', 'utf8').split('\n').slice(1)) {
    const cols = line.split('\t');
    if (cols.length > 6) m.set(cols[0]!, cols[6]!);
  }
  return m;
}

/** A header-only fixture padded with zeros to the original file size (see SOURCES.tsv). */
function paddedSource(name: string, head: Uint8Array, size: number): ByteSource {
  return {
    name,
    size,
    read(pos, len) {
      const end = Math.min(size, pos + len);
      const out = new Uint8Array(Math.max(0, end - pos));
      if (pos < head.length) out.set(head.subarray(pos, Math.min(head.length, end)));
      return Promise.resolve(out);
    },
  };
}

function fixtureSource(file: string): ByteSource {
  const bytes = new Uint8Array(readFileSync(FIXTURES + file));
  if (file.endsWith('.head')) {
    const row = readFileSync(FIXTURES + 'SOURCES.tsv', 'utf8').split('\n').find((l) => l.startsWith(file + '\t'))!;
    const size = Number(/sha256 [0-9a-f]+, (\d+) bytes/.exec(row)![1]);
    return paddedSource(file, bytes, size);
  }
  return bufferSource(file, bytes);
}

function ids(findings: Finding[]): string[] {
  return findings.map((f) => f.id);
}

/** A safetensors file from a header (object or raw text) and a data section of `dataLength` zeros. */
function build(header: unknown, dataLength: number, rawHeader?: string): Uint8Array {
  const json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

async function read(bytes: Uint8Array) {
  return readSafetensors(bufferSource('t.safetensors', bytes));
}

describe('readSafetensors on the corpus', () => {
  const expected = verdicts();
  const files = readdirSync(FIXTURES).filter((f) => f.includes('.safetensors'));

  it('has every corpus safetensors file', () => {
    expect(files.length).toBe(15);
  });

  for (const file of files) {
    it(`meets the expected verdict for ${file}`, async () => {
      const r = await readSafetensors(fixtureSource(file));
      const worst = highestSeverity(r.findings.map((f) => f.severity)) ?? 'info';
      const verdict = expected.get(file);
      if (verdict === 'malicious') expect(isAtLeast(worst, 'medium')).toBe(true);
      else expect(isAtLeast(worst, 'medium'), JSON.stringify(r.findings)).toBe(false);
    });
  }

  it('describes the tensors of hf-safetensors__overall.safetensors', async () => {
    const r = await readSafetensors(fixtureSource('hf-safetensors__overall.safetensors'));
    expect(r.headerLength).toBe(526);
    expect(r.metadata).toEqual({ test: 'a' });
    const byName = Object.fromEntries(r.tensors.map((t) => [t.name, t]));
    const expectedDtypes: Record<string, [string, number, number]> = {
      B: ['uint8', 0, 6],
      H: ['uint16', 6, 18],
      I: ['uint32', 18, 42],
      b: ['int8', 42, 48],
      d: ['float64', 48, 96],
      e: ['float16', 96, 108],
      f: ['float32', 108, 132],
      h: ['int16', 132, 144],
      i: ['int32', 144, 168],
    };
    expect(Object.keys(byName).sort()).toEqual(Object.keys(expectedDtypes).sort());
    for (const [name, [dtype, begin, end]] of Object.entries(expectedDtypes)) {
      expect(byName[name]).toEqual({ name, dtype, shape: [6], byteOffset: 8 + 526 + begin, byteLength: end - begin });
    }
    expect(r.findings).toEqual([]);
  });

  it('reads the candle I64 tensor and the syoyo F64 tensors', async () => {
    const c = await readSafetensors(fixtureSource('candle__jfk-codes.safetensors'));
    expect(c.tensors).toEqual([{ name: 'codes', dtype: 'int64', shape: [1, 2, 828], byteOffset: 80, byteLength: 13248 }]);
    const s = await readSafetensors(fixtureSource('syoyo__model.safetensors'));
    expect(s.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ['weight1', 'float64', [8, 8]],
      ['weight2', 'float64', [16, 16]],
    ]);
  });

  it('flags the 88-byte file whose header claims 1000 bytes', async () => {
    const r = await readSafetensors(fixtureSource('syoyo__safetensors_abuse_attempt_1.safetensors'));
    expect(ids(r.findings)).toEqual([FORMAT_FINDINGS.SAFETENSORS_HEADER_OVERFLOW.id]);
    expect(r.tensors).toEqual([]);
  });

  it('names each kind of metadata payload in modelaudit__multiple_patterns', async () => {
    const r = await readSafetensors(fixtureSource('modelaudit__multiple_patterns.safetensors.head'));
    const got = new Set(ids(r.findings));
    for (const k of ['SAFETENSORS_METADATA_CODE', 'SAFETENSORS_METADATA_SHELL', 'SAFETENSORS_METADATA_SCRIPT', 'SAFETENSORS_METADATA_URL'] as const) {
      expect(got.has(FORMAT_FINDINGS[k].id), k).toBe(true);
    }
    expect(r.tensors.map((t) => t.name).sort()).toEqual(['bias', 'embeddings', 'weights']);
  });

  it('rates URLs medium and script high, as the brief asks', async () => {
    const url = await readSafetensors(fixtureSource('modelaudit__suspicious_url.safetensors.head'));
    expect(url.findings.map((f) => [f.id, f.severity, f.location])).toEqual([
      ['safetensors.metadata.url', 'medium', '__metadata__.callback_url'],
      ['safetensors.metadata.url', 'medium', '__metadata__.download_url'],
    ]);
    const script = await readSafetensors(fixtureSource('modelaudit__script_injection.safetensors.head'));
    expect(script.findings.filter((f) => f.id === 'safetensors.metadata.script').length).toBe(2);
    const imp = await readSafetensors(fixtureSource('modelaudit__malicious_import.safetensors.head'));
    expect(imp.findings.map((f) => [f.id, f.severity])).toEqual([['safetensors.metadata.code', 'high']]);
  });
});

describe('readSafetensors on hostile variants', () => {
  const ok = { a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } };

  it('reports files too short for the length field', async () => {
    for (const n of [0, 1, 7]) {
      const r = await read(new Uint8Array(n));
      expect(ids(r.findings)).toEqual(['format.unreadable']);
    }
  });

  it('stops at header lengths over 100 MB or 2^64 - 1 without allocating', async () => {
    for (const n of [100_000_001n, 2n ** 63n, 2n ** 64n - 1n]) {
      const b = build(ok, 16);
      new DataView(b.buffer).setBigUint64(0, n, true);
      const r = await read(b);
      expect(ids(r.findings)).toEqual(['safetensors.header.overflow']);
    }
  });

  it('reports every truncation of a valid file without throwing', async () => {
    const b = build(ok, 16);
    for (let n = 0; n < b.length; n++) {
      const r = await read(b.subarray(0, n));
      expect(r.findings.length).toBeGreaterThan(0);
      expect(r.tensors.every((t) => t.byteOffset + t.byteLength <= n)).toBe(true);
    }
  });

  it('rejects non-JSON, non-object and non-UTF-8 headers', async () => {
    for (const raw of ['{"a":', '[1,2]', 'null', '"x"', ' {}']) {
      const r = await read(build(null, 0, raw));
      expect(r.findings.some((f) => f.id === 'safetensors.header.invalid')).toBe(true);
    }
    const bad = build(null, 0, '{"a":"xx"}');
    bad[14] = 0xff;
    expect(ids((await read(bad)).findings)).toContain('safetensors.header.invalid');
  });

  it('survives deeply nested JSON in an entry', async () => {
    const deep = '{"a":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}';
    const r = await read(build(null, 0, deep));
    expect(ids(r.findings)).toEqual(['safetensors.tensor.invalid']);
  });

  it('flags size mismatch, overflow, unknown dtype, bad shapes and reversed offsets', async () => {
    const cases: [unknown, string][] = [
      [{ a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }, 'safetensors.tensor.size-mismatch'],
      [{ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 16] } }, 'safetensors.tensor.size-mismatch'],
      [{ a: { dtype: 'F99', shape: [4], data_offsets: [0, 16] } }, 'safetensors.tensor.unknown-dtype'],
      [{ a: { dtype: 'F32', shape: [-4], data_offsets: [0, 16] } }, 'safetensors.tensor.invalid'],
      [{ a: { dtype: 'F32', shape: [4.5], data_offsets: [0, 16] } }, 'safetensors.tensor.invalid'],
      [{ a: { dtype: 'F32', shape: [4], data_offsets: [16, 0] } }, 'safetensors.tensor.invalid'],
      [{ a: { dtype: 'F32', shape: [4], data_offsets: [0] } }, 'safetensors.tensor.invalid'],
      [{ a: 7 }, 'safetensors.tensor.invalid'],
      [{ a: { dtype: 'F4', shape: [3], data_offsets: [0, 16] } }, 'safetensors.tensor.size-mismatch'],
    ];
    for (const [header, id] of cases) {
      const r = await read(build(header, 16));
      expect(ids(r.findings), JSON.stringify(header)).toContain(id);
      expect(r.tensors).toEqual([]);
    }
  });

  it('flags out-of-bounds data, overlaps, gaps and trailing bytes', async () => {
    const oob = await read(build({ a: { dtype: 'F32', shape: [1024], data_offsets: [0, 4096] } }, 16));
    expect(ids(oob.findings)).toContain('safetensors.tensor.out-of-bounds');
    expect(oob.tensors).toEqual([]);
    const overlap = await read(
      build({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, 16),
    );
    expect(ids(overlap.findings)).toEqual(['safetensors.tensor.overlap']);
    const gap = await read(build({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, 16));
    expect(gap.findings.map((f) => [f.id, f.severity])).toEqual([['safetensors.tensor.gap', 'info']]);
    const trailing = await read(build(ok, 4096));
    expect(ids(trailing.findings)).toEqual(['safetensors.trailing-data']);
  });

  it('flags duplicate keys, non-string metadata and names that read like markup', async () => {
    const dup = await read(build(null, 16, '{"a":{"dtype":"U8","shape":[16],"data_offsets":[0,16]},"\\u0061":{"dtype":"U8","shape":[16],"data_offsets":[0,16]}}'));
    expect(ids(dup.findings)).toContain('safetensors.header.duplicate-key');
    const meta = await read(build({ __metadata__: { n: 1, s: 'ok', o: { x: 1 } }, ...ok }, 16));
    expect(meta.findings.map((f) => f.id)).toEqual(['safetensors.metadata.not-string', 'safetensors.metadata.not-string']);
    expect(meta.metadata).toEqual({ s: 'ok' });
    const name = await read(build({ '<script>alert(1)</script>': ok.a }, 16));
    expect(ids(name.findings)).toEqual(['safetensors.tensor.suspicious-name']);
  });

  it('keeps __proto__ keys as plain data', async () => {
    const r = await read(build(null, 16, '{"__proto__":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"__metadata__":{"__proto__":"x"}}'));
    expect(r.tensors.map((t) => t.name)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r.header)).toBe(null);
    expect(r.metadata?.['__proto__']).toBe('x');
  });

  it('caps repeated findings of one kind with a summary line', async () => {
    const header: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) header['t' + i] = { dtype: 'F32', shape: [4], data_offsets: [0, 16] };
    const r = await read(build(header, 16));
    expect(r.findings.length).toBeLessThanOrEqual(21);
    expect(r.findings.at(-1)!.message).toMatch(/^4979 more safetensors.tensor.overlap findings/);
  });

  it('treats known-host URLs as info, not medium', async () => {
    const r = await read(build({ __metadata__: { source: 'https://huggingface.co/org/model' }, ...ok }, 16));
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['safetensors.metadata.known-url', 'info']]);
  });
});
