/**
 * ONNX external data read from disk: real ModelProto bytes (written with onnx-proto) next to their
 * side files in a temporary folder, triaged through the disk adapter, so the side-file bytes get
 * the statistics inline tensors get — and a location that leaves the folder (`..`, absolute, a
 * symbolic link pointing out) is refused and never opened.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { siblingFiles, triagePaths } from '../fs-inputs.js';
import { triageArtifact } from '../triage.js';
import type { TriageResult } from '../triage-result.js';

const { onnx } = onnxProto;

const W = Float32Array.from([1.5, -2, 0.25, 0, 8, -0.5]); // [2, 3]
const B = Float32Array.from([0.125, -0.125, 3]); // [3]
const SECRET = Float32Array.from([42, 42, 42, 42, 42, 42]);
const bytesOf = (f: Float32Array): Uint8Array => new Uint8Array(f.buffer.slice(0));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const sha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

/** weights.bin: W at 0, B at 4096 (onnx's save aligns offsets to pages), a short tail. */
const SIDE = new Uint8Array(4096 + 12);
SIDE.set(bytesOf(W), 0);
SIDE.set(bytesOf(B), 4096);

type Entry = [string, string];
function model(inits: { name: string; dims: number[]; entries: Entry[] }[]): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'test',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: [{ opType: 'Gemm', input: ['x', 'W', 'B'], output: ['y'] }],
      initializer: [
        ...inits.map((t) => ({ name: t.name, dims: t.dims, dataType: 1, dataLocation: 1, externalData: t.entries.map(([key, value]) => ({ key, value })) })),
        { name: 'inline', dims: [2], dataType: 1, rawData: bytesOf(Float32Array.from([1, 2])) },
      ],
    },
  }).finish();
}

const good = (extra: Entry[] = []): Uint8Array =>
  model([
    { name: 'W', dims: [2, 3], entries: [['location', 'weights.bin'], ['offset', '0'], ['length', '24'], ...extra] },
    { name: 'B', dims: [3], entries: [['location', 'weights.bin'], ['offset', '4096'], ['length', '12']] },
  ]);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'onnx-ext-'));
  mkdirSync(join(root, 'model'));
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', 'secret.bin'), bytesOf(SECRET));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh model folder holding `files`; returns the model's path. */
let n = 0;
function folder(onnxBytes: Uint8Array, files: Record<string, Uint8Array> = { 'weights.bin': SIDE }): string {
  const dir = join(root, 'model', `m${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.onnx'), onnxBytes);
  for (const [name, b] of Object.entries(files)) writeFileSync(join(dir, name), b);
  return join(dir, 'model.onnx');
}

async function triageOne(path: string): Promise<TriageResult> {
  const out = await triagePaths([path], { device: 'cpu' });
  expect(out.results).toHaveLength(1);
  return out.results[0]!;
}

const ids = (r: TriageResult): string[] => r.findings.map((f) => f.id);

describe('ONNX external data from disk', () => {
  it('reads both initializers from weights.bin and gives their exact statistics and hashes', async () => {
    const r = await triageOne(folder(good()));
    const w = r.tensors.find((t) => t.name === 'W')!;
    const b = r.tensors.find((t) => t.name === 'B')!;
    expect(w.note).toBeUndefined();
    expect([w.stats!.count, w.stats!.sum, w.stats!.min, w.stats!.max, w.stats!.zeros, w.stats!.nan]).toEqual([6, 7.25, -2, 8, 1, 0]);
    expect(w.sha256).toBe(sha256(bytesOf(W)));
    expect([b.stats!.count, b.stats!.sum, b.stats!.max]).toEqual([3, 3, 3]);
    expect(b.sha256).toBe(sha256(bytesOf(B)));
    expect(r.tensors.find((t) => t.name === 'inline')!.stats!.sum).toBe(3);
    expect(ids(r)).not.toContain('onnx.external-data.missing');
    expect(ids(r)).not.toContain('tensor.unreadable');
    expect(r.verdict).toBe('clean');
  });

  it('does the same when the folder is walked, and skips the side file as no artifact', async () => {
    const path = folder(good());
    const out = await triagePaths([join(path, '..')], { device: 'cpu' });
    expect(out.results).toHaveLength(1);
    expect(out.results[0]!.tensors.find((t) => t.name === 'W')!.stats!.sum).toBe(7.25);
    expect(out.skipped.map((s) => s.path)).toEqual([join(path, '..', 'weights.bin')]);
  });

  it('reads a tensor that has only a location: the whole file is the tensor', async () => {
    const r = await triageOne(folder(model([{ name: 'W', dims: [2, 3], entries: [['location', 'w.bin']] }]), { 'w.bin': bytesOf(W) }));
    expect(r.tensors.find((t) => t.name === 'W')!.stats!.sum).toBe(7.25);
  });

  it('follows a symbolic link that stays inside the model folder', async () => {
    const path = folder(good(), { 'real.bin': SIDE });
    symlinkSync('real.bin', join(path, '..', 'weights.bin'));
    const r = await triageOne(path);
    expect(r.tensors.find((t) => t.name === 'W')!.stats!.sum).toBe(7.25);
  });

  it('verifies the checksum key (SHA-1 of the side file) and reports a mismatch', async () => {
    const ok = await triageOne(folder(good([['checksum', sha1(SIDE)]])));
    expect(ids(ok)).not.toContain('onnx.external-data.checksum-mismatch');
    const bad = await triageOne(folder(good([['checksum', '0'.repeat(40)]])));
    const f = bad.findings.find((x) => x.id === 'onnx.external-data.checksum-mismatch')!;
    expect(f.severity).toBe('medium');
    expect(f.message).toContain(sha1(SIDE));
    expect(bad.tensors.find((t) => t.name === 'W')!.stats).not.toBeNull(); // still read: the values are what a loader gets
  });

  it('does not read bytes whose length disagrees with dims × element size, or that run past the file', async () => {
    const r = await triageOne(folder(model([
      { name: 'short', dims: [2, 3], entries: [['location', 'weights.bin'], ['offset', '0'], ['length', '20']] },
      { name: 'past', dims: [3], entries: [['location', 'weights.bin'], ['offset', '4100'], ['length', '12']] },
      { name: 'beyond', dims: [3], entries: [['location', 'weights.bin'], ['offset', '999999'], ['length', '12']] },
    ])));
    for (const name of ['short', 'past', 'beyond']) {
      const t = r.tensors.find((x) => x.name === name)!;
      expect(t.stats, name).toBeNull();
      expect(t.sha256, name).toBeNull();
      expect(t.note, name).toMatch(/does not fit/);
    }
    expect(r.findings.filter((f) => f.id === 'onnx.external-data.size-mismatch')).toHaveLength(3);
  });

  it('reports a missing side file (low) and a directory in its place (medium), reading nothing', async () => {
    const missing = await triageOne(folder(good(), {}));
    expect(missing.findings.find((f) => f.id === 'onnx.external-data.missing')!.severity).toBe('low');
    expect(missing.tensors.find((t) => t.name === 'W')!.stats).toBeNull();
    const path = folder(good(), {});
    mkdirSync(join(path, '..', 'weights.bin'));
    const dir = await triageOne(path);
    expect(dir.findings.find((f) => f.id === 'onnx.external-data.invalid')!.message).toMatch(/not a regular file/);
  });
});

describe('ONNX external data that leaves the model folder', () => {
  it('refuses `..` and absolute locations: the finding stays, the file is never read', async () => {
    const abs = join(root, 'outside', 'secret.bin');
    const r = await triageOne(folder(model([
      { name: 'up', dims: [2, 3], entries: [['location', '../../outside/secret.bin']] },
      { name: 'abs', dims: [2, 3], entries: [['location', abs]] },
    ])));
    expect(r.findings.filter((f) => f.id === 'onnx.external-data.path-escape')).toHaveLength(2);
    for (const t of r.tensors.filter((x) => x.name !== 'inline')) {
      expect(t.stats, t.name).toBeNull();
      expect(t.sha256, t.name).toBeNull();
      expect(t.note, t.name).toMatch(/leaves the model folder/);
    }
    expect(r.verdict).toBe('suspicious');
  });

  it('refuses a side file that is a symbolic link out of the folder (high), never reading it', async () => {
    const path = folder(good(), {});
    symlinkSync(join(root, 'outside', 'secret.bin'), join(path, '..', 'weights.bin'));
    const r = await triageOne(path);
    const f = r.findings.filter((x) => x.id === 'onnx.external-data.path-escape');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('high');
    expect(f[0]!.message).toMatch(/symbolic link/);
    expect(r.tensors.find((t) => t.name === 'W')!.sha256).toBeNull();
  });

  it('the opener itself refuses what the model could not name, before touching the disk', async () => {
    const s = siblingFiles(join(root, 'model', 'none', 'model.onnx'), 'x');
    for (const rel of ['/etc/passwd', '../x', 'a/../../x', 'C:\\x', 'file:///etc/passwd', '~/x']) {
      expect(await s.open(rel), rel).toMatchObject({ refused: 'escape' });
    }
    expect(await s.open('./')).toMatchObject({ refused: 'not-a-file' });
    expect(await s.open('x'.repeat(5000))).toMatchObject({ refused: 'limit' });
    await s.close();
  });

  it('leaves external data unread when the model is not on disk (a buffer, a container member)', async () => {
    const r = await triageArtifact(bufferSource('m.onnx', good()));
    expect(r.tensors.find((t) => t.name === 'W')!.note).toBe('external data in weights.bin (not read)');
  });
});
