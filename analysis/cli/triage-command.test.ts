/**
 * `mlshield triage` and `mlshield verify-attestation` run in-process through main(argv): exit codes
 * (0 clean, 1 unreadable, 2 alert at the gate), the --json document, --sarif, --fingerprint and
 * --reference, --convert-safetensors, and a signed attestation verified and tampered with.
 */
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from './mlshield.js';

const FIX = fileURLToPath(new URL('../triage/pickle/fixtures/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mlshield-triage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ref = join(FIX, 'pytorch-gen/ref_mlp.pt');
const nan = join(FIX, 'pytorch-gen/nan_injected.pt');
const evil = join(FIX, 'pytorch-gen/reduce_os_system.pt');
const png = join(FIX, 'pytorch/picklescan__bad_pytorch.pt');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('mlshield triage exit codes', () => {
  it('0 for a clean checkpoint', async () => expect((await cli('triage', ref, '--device', 'cpu')).code).toBe(0));
  it('2 for a pickle payload', async () => expect((await cli('triage', evil)).code).toBe(2));
  it('1 for a path that does not exist', async () => expect((await cli('triage', join(dir, 'nope.pt'))).code).toBe(1));
  it('1 for a file that is not a model artifact', async () => expect((await cli('triage', png)).code).toBe(1));
  it('1 for bad usage', async () => expect((await cli('triage', ref, '--gate', 'severe')).code).toBe(1));
  it('2 wins over 1 when one input is malicious and another unreadable', async () => expect((await cli('triage', evil, png)).code).toBe(2));
  it('follows the gate: a high finding alerts at --gate high, not at --gate critical', async () => {
    expect((await cli('triage', nan, '--gate', 'high')).code).toBe(2);
    expect((await cli('triage', nan, '--gate', 'critical')).code).toBe(0);
  });
  it('walks folders and skips files that are not model artifacts', async () => {
    const folder = join(dir, 'models');
    rmSync(folder, { recursive: true, force: true });
    for (const f of ['a/ref_mlp.pt', 'b/notes.txt']) {
      const to = join(folder, f);
      rmSync(to, { force: true });
      await import('node:fs').then((fs) => fs.mkdirSync(join(to, '..'), { recursive: true }));
    }
    copyFileSync(ref, join(folder, 'a/ref_mlp.pt'));
    writeFileSync(join(folder, 'b/notes.txt'), 'release notes\n');
    const r = await cli('triage', folder, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.results.map((x: { path: string }) => x.path)).toEqual([join(folder, 'a/ref_mlp.pt')]);
    expect(doc.skipped.map((x: { path: string }) => x.path)).toEqual([join(folder, 'b/notes.txt')]);
  });
});

describe('mlshield triage outputs', () => {
  it('--json has the documented per-input shape', async () => {
    const r = await cli('triage', evil, '--json');
    const doc = JSON.parse(r.out);
    expect(doc.exitCode).toBe(2);
    const res = doc.results[0];
    expect(Object.keys(res)).toEqual(expect.arrayContaining(['path', 'format', 'sha256', 'verdict', 'findings', 'imports', 'tensors']));
    expect(res.verdict).toBe('malicious');
    expect(res.findings[0]).toEqual(expect.objectContaining({ id: expect.any(String), severity: expect.any(String), message: expect.any(String) }));
    expect(res.imports).toContainEqual(expect.objectContaining({ module: 'posix', name: 'system', classification: 'dangerous', opcodeOffset: expect.any(Number) }));
    expect(Object.keys(res.tensors[0])).toEqual(expect.arrayContaining(['name', 'dtype', 'shape', 'count', 'sum', 'nan', 'inf', 'min', 'max', 'mean', 'std', 'sha256']));
  });

  it('--sarif writes a SARIF 2.1.0 log', async () => {
    const out = join(dir, 'triage.sarif');
    await cli('triage', evil, nan, '--sarif', out);
    const log = JSON.parse(readFileSync(out, 'utf8'));
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(expect.arrayContaining(['pickle.import.dangerous', 'tensor.nonfinite']));
  });

  it('--fingerprint then --reference: clean against itself, an alert for the NaN copy', async () => {
    const fp = join(dir, 'ref.fingerprint.json');
    expect((await cli('triage', ref, '--fingerprint', fp)).code).toBe(0);
    expect((await cli('triage', ref, '--reference', fp)).code).toBe(0);
    const r = await cli('triage', nan, '--reference', fp, '--json');
    expect(r.code).toBe(2);
    const res = JSON.parse(r.out).results[0];
    expect(res.comparison).toMatchObject({ identical: 5, modified: 1 });
    expect(res.findings.map((f: { id: string }) => f.id)).toContain('compare.tensor.nonfinite-introduced');
    expect((await cli('triage', nan, '--reference', ref)).code).toBe(2);
  });

  it('--convert-safetensors writes verified tensors-only files that triage clean', async () => {
    const out = join(dir, 'converted');
    const r = await cli('triage', evil, '--convert-safetensors', out, '--json');
    expect(r.code).toBe(2); // the input is still malicious
    const conv = JSON.parse(r.out).conversions;
    expect(conv).toEqual([expect.objectContaining({ tensors: 6, verified: true })]);
    expect(existsSync(join(out, 'reduce_os_system.safetensors'))).toBe(true);
    expect((await cli('triage', join(out, 'reduce_os_system.safetensors'))).code).toBe(0);
  });
});

describe('signed attestation', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyPem = join(dir, 'signer.pem');
  const pubPem = join(dir, 'signer.pub.pem');
  const envPath = join(dir, 'triage.dsse.json');
  writeFileSync(keyPem, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(pubPem, publicKey.export({ type: 'spki', format: 'pem' }));

  it('signs with --sign-key and verifies with verify-attestation, subjects included', async () => {
    expect((await cli('triage', ref, nan, '--sign-key', keyPem, '--attestation', envPath)).code).toBe(2);
    expect((await cli('verify-attestation', envPath, '--key', pubPem, '--subject', ref, '--subject', nan)).code).toBe(0);
    expect((await cli('verify-attestation', envPath, '--key', pubPem, '--subject', evil)).code).toBe(2);
  });

  it('detects a tampered envelope and a wrong key', async () => {
    const env = JSON.parse(readFileSync(envPath, 'utf8'));
    const body = Buffer.from(env.payload, 'base64').toString().replace(/"suspicious"/g, '"clean"');
    const bad = join(dir, 'tampered.dsse.json');
    writeFileSync(bad, JSON.stringify({ ...env, payload: Buffer.from(body).toString('base64') }));
    const r = await cli('verify-attestation', bad, '--key', pubPem, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).verified).toBe(false);
    const other = join(dir, 'other.pub.pem');
    writeFileSync(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    expect((await cli('verify-attestation', envPath, '--key', other)).code).toBe(2);
    expect((await cli('verify-attestation', join(dir, 'missing.json'), '--key', pubPem)).code).toBe(1);
  });
});
