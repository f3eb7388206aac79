/**
 * Artifacts whose content repeats one construct 300,000 times, built here from bytes: distinct
 * GLOBAL opcodes (one dangerous import hidden among harmless ones), a REDUCE chain whose callee is
 * the previous call, the same pickle inside a PyTorch zip and a legacy torch.save file, and a GGUF file with 300,000 metadata entries (legacy tars: artifacts/legacy-tar.test.ts). A spread (`push(...list)`) or a recursion
 * that grows with such content overflows the stack and turns the verdict into 'error'; here the
 * verdict must be the real one and the report must stay small.
 */
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../core/byte-source.js';
import { buildZip } from '../ingest/archive/fixture-archives.js';
import { triageArtifact } from './triage.js';
import type { TriageResult } from './triage-result.js';

const N = 300_000;
const HIDDEN_AT = 150_000;

/** Latin-1 text to bytes (pickle opcodes above 0x7f stay one byte). */
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Protocol 2: N × (GLOBAL modI fnI, POP), `os.system` at HIDDEN_AT when asked, then None. */
function manyGlobals(hidden: boolean): Uint8Array {
  const parts: string[] = ['\x80\x02'];
  for (let i = 0; i < N; i++) parts.push(hidden && i === HIDDEN_AT ? 'cos\nsystem\n0' : `cmod${i}\nfn${i}\n0`);
  parts.push('N.');
  return bytes(parts.join(''));
}

const WITH_SYSTEM = manyGlobals(true);

function expectBounded(r: TriageResult): void {
  expect(r.findings.length).toBeLessThan(400);
  expect(r.imports.length).toBeLessThanOrEqual(3000);
  for (const f of r.findings) expect(f.message.length).toBeLessThan(2000);
}

describe('300,000 repeated constructs', () => {
  it('pickle: one dangerous GLOBAL among 300,000 harmless ones is malicious, with a bounded report', async () => {
    const r = await triageArtifact(bufferSource('many.pkl', WITH_SYSTEM));
    expect(r.format).toBe('pickle');
    expect(r.verdict).toBe('malicious');
    expect(r.findings.some((f) => f.id === 'pickle.import.dangerous' && f.message.includes('os.system'))).toBe(true);
    expect(r.imports.some((i) => i.module === 'os' && i.name === 'system')).toBe(true);
    // The harmless imports are capped with one "N more" line, not 300,000 findings.
    expect(r.findings.some((f) => /^\d+ more pickle\.import\.suspicious findings/.test(f.message))).toBe(true);
    expectBounded(r);
  });

  it('pickle: 300,000 harmless GLOBALs get the policy verdict, never an error', async () => {
    const r = await triageArtifact(bufferSource('harmless.pkl', manyGlobals(false)));
    expect(r.format).toBe('pickle');
    expect(r.verdict).not.toBe('error');
    expect(r.verdict).not.toBe('malicious');
    expectBounded(r);
  });

  it('pickle: a 300,000-long REDUCE chain on a computed callee is named within bounds', async () => {
    const r = await triageArtifact(bufferSource('chain.pkl', bytes(`\x80\x02cbuiltins\ngetattr\n${')R'.repeat(N)}.`)));
    expect(r.format).toBe('pickle');
    expect(r.verdict).toBe('malicious');
    expect(r.findings.some((f) => f.id === 'pickle.call.dynamic' && f.message.includes('<result of <result of'))).toBe(true);
    expectBounded(r);
  });

  it('PyTorch zip: the same data.pkl is malicious', async () => {
    const zip = buildZip([{ name: 'm/data.pkl', data: WITH_SYSTEM, method: 0 }, { name: 'm/version', data: '3\n', method: 0 }]);
    const r = await triageArtifact(bufferSource('m.pt', zip));
    expect(r.format).toBe('pytorch-zip');
    expect(r.verdict).toBe('malicious');
    expect(r.imports.some((i) => i.module === 'os' && i.name === 'system')).toBe(true);
    expectBounded(r);
  });

  it('legacy torch.save: the same object pickle after the magic number is malicious', async () => {
    // torch/serialization.py _legacy_save: magic (LONG1), protocol 1001, sys_info, object, keys.
    const magic = bytes('\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.');
    const file = concat([magic, bytes('\x80\x02M\xe9\x03.'), bytes('\x80\x02}.'), WITH_SYSTEM, bytes('\x80\x02].')]);
    const r = await triageArtifact(bufferSource('old.pt', file));
    expect(r.format).toBe('pytorch-legacy');
    expect(r.verdict).toBe('malicious');
    expectBounded(r);
  });

  it('GGUF: 300,000 metadata entries under one key are one capped finding list', async () => {
    // GGUF v3 (ggml docs/gguf.md): magic, version, tensor count, KV count; KV = key string, type, value.
    const head = new Uint8Array(24);
    const hv = new DataView(head.buffer);
    head.set(bytes('GGUF'));
    hv.setUint32(4, 3, true);
    hv.setBigUint64(8, 0n, true);
    hv.setBigUint64(16, BigInt(N), true);
    const kv = new Uint8Array(17 * N);
    const dv = new DataView(kv.buffer);
    for (let i = 0; i < N; i++) {
      const at = 17 * i;
      dv.setBigUint64(at, 1n, true);
      kv[at + 8] = 0x6b; // "k"
      dv.setUint32(at + 9, 4, true); // GGUF_TYPE_UINT32
      dv.setUint32(at + 13, i, true);
    }
    const r = await triageArtifact(bufferSource('dup.gguf', concat([head, kv])));
    expect(r.format).toBe('gguf');
    expect(r.verdict).not.toBe('error');
    expect(r.findings.some((f) => /more .*duplicate.* findings not listed/.test(f.message))).toBe(true);
    expectBounded(r);
  });
});
