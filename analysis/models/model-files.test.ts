import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { modelPaths, modelsDir, packageRoot, readModelFile } from './model-files.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

describe('model files', () => {
  it('finds the package root and analysis/models from anywhere below it', () => {
    expect(packageRoot()).toBe(ROOT);
    expect(packageRoot(join(ROOT, 'dist', 'cli', 'mlshield.js'))).toBe(ROOT);
    expect(modelsDir()).toBe(join(ROOT, 'analysis', 'models'));
    expect(modelPaths()!.lstm).toBe(join(ROOT, 'analysis', 'models', 'event-lstm.onnx'));
  });

  it('finds no root outside the package', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlshield-root-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{"name":"something-else"}');
      expect(packageRoot(join(dir, 'x.js'))).toBeNull();
      expect(modelPaths(null)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads bounded bytes or says why not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlshield-files-'));
    try {
      const p = join(dir, 'm.onnx');
      writeFileSync(p, new Uint8Array(100));
      expect(readModelFile(p)).toMatchObject({ ok: true, bytes: new Uint8Array(100) });
      expect(readModelFile(p, 99)).toMatchObject({ ok: false, reason: expect.stringContaining('above the 99-byte limit') });
      expect(readModelFile(join(dir, 'none.onnx'))).toMatchObject({ ok: false, reason: expect.stringContaining('not found') });
      expect(readModelFile(dir)).toMatchObject({ ok: false, reason: expect.stringContaining('not a file') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
