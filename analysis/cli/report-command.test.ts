/**
 * `mlshield report` and `mlshield verify-report` in-process through main(argv) on the sample
 * incident's case: every format is written with the case's numbers, a signed JSON report verifies,
 * and one changed byte in the report (or the envelope, or the wrong key) fails verification.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './mlshield.js';
import { CaseStore } from '../store/case-store.js';
import { buildSampleCase, type SampleCase } from '../report/sample-case.js';
import { chromiumPath } from '../report/report-pdf.js';
import type { ForensicReport } from '../report/forensic-report.js';

let sample: SampleCase;
let dir: string;
const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');

beforeAll(async () => {
  sample = await buildSampleCase();
  sample.store.close(); // the CLI opens the case itself, read-only
  dir = sample.dir;
  writeFileSync(join(dir, 'sign.pem'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'pub.pem'), keys.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'other.pem'), otherKeys.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'rsa.pem'), generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A count from the case, read through its own read-only connection. */
function count(sql: string): number {
  const store = CaseStore.open(sample.casePath, { readonly: true });
  try {
    return (store.db.prepare(sql).get() as { n: number }).n;
  } finally {
    store.close();
  }
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('mlshield report', () => {
  it('writes a signed JSON report that verify-report accepts', async () => {
    const out = join(dir, 'report.json');
    const r = await cli('report', sample.casePath, '--format', 'json', '--out', out, '--sign-key', join(dir, 'sign.pem'), '--json');
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(r.out) as { bytes: number; sha256: string; envelopePath: string };
    expect(res.bytes).toBe(readFileSync(out).length);
    expect(res.envelopePath).toBe(`${out}.dsse.json`);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as ForensicReport;
    expect(doc.summary.events).toBe(count('SELECT COUNT(*) AS n FROM events'));
    expect(doc.summary.detections).toBe(count('SELECT COUNT(*) AS n FROM detections'));
    expect(doc.summary.quarantined).toBe(count('SELECT COUNT(*) AS n FROM quarantine'));
    expect(doc.sources).toHaveLength(count('SELECT COUNT(*) AS n FROM sources'));
    const v = await cli('verify-report', out, '--key', join(dir, 'pub.pem'));
    expect(v.code, v.out).toBe(0);
    expect(v.out).toContain('Verified');
  });

  it('fails verification on one changed byte, a changed envelope, or another key', async () => {
    const out = join(dir, 'report.json');
    const original = readFileSync(out);
    const tampered = Buffer.from(original);
    const at = tampered.indexOf('"events": ') + 10;
    tampered[at] = tampered[at] === 0x31 ? 0x32 : 0x31;
    writeFileSync(out, tampered);
    const bad = await cli('verify-report', out, '--key', join(dir, 'pub.pem'), '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.out)).toMatchObject({ verified: false, reason: expect.stringContaining(`byte ${at}`) });
    writeFileSync(out, Buffer.concat([original, Buffer.from(' ')]));
    expect((await cli('verify-report', out, '--key', join(dir, 'pub.pem'))).code).toBe(2);
    writeFileSync(out, original);
    expect((await cli('verify-report', out, '--key', join(dir, 'other.pem'))).code).toBe(2);
    const envPath = `${out}.dsse.json`;
    const env = JSON.parse(readFileSync(envPath, 'utf8')) as { payload: string };
    const body = Buffer.from(env.payload, 'base64');
    body[10] = body[10]! ^ 1;
    writeFileSync(join(dir, 'forged.dsse.json'), JSON.stringify({ ...env, payload: body.toString('base64') }));
    expect((await cli('verify-report', out, '--key', join(dir, 'pub.pem'), '--envelope', join(dir, 'forged.dsse.json'))).code).toBe(2);
    expect((await cli('verify-report', out, '--key', join(dir, 'pub.pem'))).code).toBe(0);
  });

  it('writes HTML, SARIF and Timesketch JSONL, the format taken from the extension', async () => {
    for (const [name, check] of [
      ['report.html', (t: string) => expect(t).toContain('<svg class="chart timeline"')],
      ['report.sarif', (t: string) => expect((JSON.parse(t) as { version: string }).version).toBe('2.1.0')],
      ['timeline.jsonl', (t: string) => expect(t.trim().split('\n').length).toBe(
        count('SELECT COUNT(*) AS n FROM events') + count("SELECT COUNT(*) AS n FROM detections WHERE decision = 'alert' AND event_id IS NULL"))],
    ] as const) {
      const r = await cli('report', sample.casePath, '--out', join(dir, name));
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('SHA-256');
      check(readFileSync(join(dir, name), 'utf8'));
    }
  });

  it.skipIf(!chromiumPath())(`writes a PDF${chromiumPath() ? '' : ' (skipped: no Chromium)'}`, async () => {
    const out = join(dir, 'report.pdf');
    const r = await cli('report', sample.casePath, '--out', out, '--sign-key', join(dir, 'sign.pem'));
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await cli('verify-report', out, '--key', join(dir, 'pub.pem'))).code).toBe(0);
  }, 120_000);

  it('refuses bad usage with exit 1', async () => {
    expect((await cli('report', sample.casePath)).code).toBe(1);
    expect((await cli('report', sample.casePath, '--out', join(dir, 'r.txt'))).code).toBe(1);
    expect((await cli('report', join(dir, 'missing.sqlite'), '--out', join(dir, 'r.json'))).code).toBe(1);
    expect((await cli('report', sample.casePath, '--out', join(dir, 'r.json'), '--sign-key', join(dir, 'rsa.pem'))).code).toBe(1);
    expect((await cli('verify-report', join(dir, 'nothing.json'), '--key', join(dir, 'pub.pem'))).code).toBe(1);
  });
});
