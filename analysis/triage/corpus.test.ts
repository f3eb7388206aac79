/**
 * Triage over every file of the shared corpus's pickle-benign, pickle-malicious, pytorch,
 * pytorch-gen, safetensors and onnx folders, against the verdicts in its SOURCES.tsv. Without the
 * shared corpus, the copies under pickle/fixtures and formats/fixtures are used (same SOURCES rows).
 *
 * Expected: every malicious file is flagged (verdict above 'clean'), every benign file is 'clean'.
 * Refinements, each explained:
 * - A malicious *code* payload (pickle, TorchScript) must be 'malicious', not only flagged.
 * - pytorch-gen/nan_injected.pt is malicious by data, not by code: one NaN in 2.weight[5,7]. Loading
 *   it runs nothing, so its verdict is 'suspicious', from a tensor.nonfinite finding on 2.weight.
 * - The malicious safetensors files carry shell/script/URL text in `__metadata__` (or a lying header
 *   length): no safetensors loader runs it, so they are 'suspicious' (flagged), not 'malicious'.
 * - n.a. files (not_a_pickle.bin, bad_pytorch.pt — a PNG) are not model artifacts: verdict 'error'
 *   (exit code 1), reported without throwing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../core/byte-source.js';
import { triageArtifact } from './triage.js';
import type { TriageResult } from './triage-result.js';

const SHARED = process.env['MLSHIELD_CORPUS'] ?? '/work/shared/corpus/';
const FOLDERS = ['pickle-benign', 'pickle-malicious', 'pytorch', 'pytorch-gen', 'safetensors', 'onnx'];
const PICKLE_FIX = new URL('./pickle/fixtures/', import.meta.url);
const FORMAT_FIX = new URL('./formats/fixtures/', import.meta.url);

interface Row { file: string; verdict: string; bytes: () => Uint8Array }

function tsv(text: string): string[][] {
  return text.trim().split('\n').slice(1).map((l) => l.split('\t'));
}

function corpusRows(): { rows: Row[]; from: string } {
  if (existsSync(`${SHARED}SOURCES.tsv`)) {
    const rows = tsv(readFileSync(`${SHARED}SOURCES.tsv`, 'utf8'))
      .filter((c) => FOLDERS.includes(c[0]!.split('/')[0]!))
      .map((c) => ({ file: c[0]!, verdict: c[6]!, bytes: () => new Uint8Array(readFileSync(SHARED + c[0]!)) }));
    // pytorch-gen has its own LABELS.tsv (file, expected_verdict, what, sha256).
    for (const c of tsv(readFileSync(`${SHARED}pytorch-gen/LABELS.tsv`, 'utf8'))) {
      const file = `pytorch-gen/${c[0]!}`;
      if (!rows.some((r) => r.file === file)) rows.push({ file, verdict: c[1]!, bytes: () => new Uint8Array(readFileSync(SHARED + file)) });
    }
    return { rows, from: SHARED };
  }
  const pickle = tsv(readFileSync(new URL('SOURCES.tsv', PICKLE_FIX), 'utf8'))
    .filter((c) => FOLDERS.includes(c[0]!.split('/')[0]!) && existsSync(new URL(c[0]!, PICKLE_FIX)))
    .map((c) => ({ file: c[0]!, verdict: c[6]!, bytes: () => new Uint8Array(readFileSync(new URL(c[0]!, PICKLE_FIX))) }));
  const formats = tsv(readFileSync(new URL('SOURCES.tsv', FORMAT_FIX), 'utf8'))
    .filter((c) => /\.(safetensors|onnx)$/.test(c[0]!))
    .map((c) => ({ file: `${c[0]!.endsWith('.onnx') ? 'onnx' : 'safetensors'}/${c[0]!}`, verdict: c[6]!, bytes: () => new Uint8Array(readFileSync(new URL(c[0]!, FORMAT_FIX))) }));
  return { rows: [...pickle, ...formats], from: 'fixtures' };
}

const { rows } = corpusRows();
const CODE_PAYLOAD = (f: string): boolean => f.startsWith('pickle-malicious/') || f === 'pytorch/modelscan__unsafe_zip_pytorch.pt' || f === 'pytorch-gen/reduce_os_system.pt';

async function triage(r: Row): Promise<TriageResult> {
  return triageArtifact(bufferSource(r.file, r.bytes()));
}

describe('corpus verdicts', () => {
  it('covers the corpus folders', () => {
    expect(rows.length).toBeGreaterThan(120);
    for (const f of FOLDERS) expect(rows.some((r) => r.file.startsWith(`${f}/`)), f).toBe(true);
  });

  it.each(rows.filter((r) => r.verdict === 'malicious').map((r) => [r.file, r]))('%s is flagged', async (_f, r) => {
    const res = await triage(r as Row);
    const file = (r as Row).file;
    if (CODE_PAYLOAD(file)) expect(res.verdict, JSON.stringify(res.findings.slice(0, 3))).toBe('malicious');
    else expect(['suspicious', 'malicious']).toContain(res.verdict);
    if (file === 'pytorch-gen/nan_injected.pt') {
      expect(res.verdict).toBe('suspicious');
      expect(res.findings.filter((f) => f.id === 'tensor.nonfinite').map((f) => f.location)).toEqual(['2.weight']);
    }
  });

  it.each(rows.filter((r) => r.verdict === 'benign').map((r) => [r.file, r]))('%s is clean', async (_f, r) => {
    const res = await triage(r as Row);
    expect(res.verdict, JSON.stringify(res.findings.filter((f) => f.severity !== 'info' && f.severity !== 'low'))).toBe('clean');
    expect(res.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(rows.filter((r) => r.verdict === 'n.a.').map((r) => [r.file, r]))('%s (not a model artifact) is an error, not a throw', async (_f, r) => {
    const res = await triage(r as Row);
    expect(res.verdict).toBe('error');
    expect(res.findings[0]?.id).toMatch(/^triage\.(format\.unrecognized|input\.unreadable)$/);
  });
});
