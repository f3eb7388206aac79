/**
 * Engine choice per artifact: small ones inline, large ones on the worker pool, the GPU (ONNX
 * Runtime CUDA/WebGPU) when asked for or, with `auto`, for large artifacts when it starts — and a
 * GPU that does not start falls back to the CPU with a note instead of failing the run.
 */
import { describe, expect, it } from 'vitest';
import { engineChooser, GPU_FROM, gpuProviders, INLINE_BELOW } from './engine-select.js';
import { inlineEngine, type StatsEngine } from './stats-engine.js';

const fakeGpu = (): StatsEngine => ({ ...inlineEngine(), name: 'onnx-fake' });

describe('engine choice', () => {
  it('cpu: inline below the threshold, workers above', async () => {
    const c = engineChooser('cpu', { workers: 1 });
    expect((await c.select(INLINE_BELOW - 1)).name).toBe('cpu-inline');
    expect((await c.select(INLINE_BELOW)).name).toBe('cpu-workers(1)');
    await c.close();
  });

  it('auto: the GPU only for large artifacts, when it starts', async () => {
    const tried: string[][] = [];
    const c = engineChooser('auto', { workers: 1 }, async (p) => { tried.push(p); return fakeGpu(); });
    expect((await c.select(GPU_FROM - 1)).name).toBe('cpu-workers(1)');
    expect((await c.select(GPU_FROM)).name).toBe('onnx-fake');
    expect(tried).toEqual([['cuda', 'webgpu']]);
    await c.close();
  });

  it('cuda without a GPU: CPU, with the reason noted once', async () => {
    const c = engineChooser('cuda', { workers: 1 }, () => Promise.reject(new Error('no CUDA provider')));
    expect((await c.select(10)).name).toBe('cpu-inline');
    expect((await c.select(GPU_FROM)).name).toBe('cpu-workers(1)');
    expect(c.notes).toEqual([expect.stringContaining('no CUDA provider')]);
    await c.close();
  });

  it('maps devices to providers as the cascade does', () => {
    expect(gpuProviders('auto')).toEqual(['cuda', 'webgpu']);
    expect(gpuProviders('webgpu')).toEqual(['webgpu']);
    expect(gpuProviders('cpu')).toEqual([]);
  });
});
