import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EVENT_FEATURES, EVENT_FEATURE_COUNT, SEQUENCE_LENGTH } from './event-features.js';
import { exportLstmOnnx } from './lstm-onnx.js';
import { roundedToFloat32 } from './lstm-model.js';
import { isDeviceChoice, loadOnnxModel, providerOrder, releaseModel, scoreGpuWindows, scoreSequences, type ModelHandle } from './onnx-runtime.js';

const H = 4;
const tiny = exportLstmOnnx(
  roundedToFloat32({ inputSize: EVENT_FEATURE_COUNT, hidden: H, W: new Float64Array(4 * H * EVENT_FEATURE_COUNT).fill(0.01), R: new Float64Array(4 * H * H), b: new Float64Array(4 * H), wOut: new Float64Array(H).fill(1), bOut: 0 }),
  { seq: SEQUENCE_LENGTH, featureNames: EVENT_FEATURES, producerVersion: 'test', metadata: [] },
);
const dir = mkdtempSync(join(tmpdir(), 'mlshield-ort-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const windows = new Float32Array(3 * SEQUENCE_LENGTH * EVENT_FEATURE_COUNT);

async function expectScores(handle: ModelHandle): Promise<void> {
  const r = await scoreSequences(handle, windows, 3, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
  expect(r.status).toBe('scored');
  if (r.status === 'scored') expect(r.scores).toHaveLength(3);
}

describe('provider order', () => {
  it('tries CUDA, then WebGPU, then CPU', () => {
    expect(providerOrder('auto')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(providerOrder('cuda')).toEqual(['cuda', 'cpu']);
    expect(providerOrder('webgpu')).toEqual(['webgpu', 'cpu']);
    expect(providerOrder('cpu')).toEqual(['cpu']);
    expect(isDeviceChoice('cuda')).toBe(true);
    expect(isDeviceChoice('tpu')).toBe(false);
  });
});

describe('loadOnnxModel', () => {
  it('loads from a path on CPU and scores', async () => {
    const path = join(dir, 'tiny.onnx');
    writeFileSync(path, tiny);
    const h = await loadOnnxModel(path, 'cpu');
    expect(h).toMatchObject({ status: 'loaded', provider: 'cpu', summary: 'cpu', source: path, inputShape: ['batch', SEQUENCE_LENGTH, EVENT_FEATURE_COUNT] });
    await expectScores(h);
    await releaseModel(h);
  });

  it.each(['cuda', 'webgpu', 'auto'] as const)('--device %s falls back to the next provider and says why', async (device) => {
    const h = await loadOnnxModel(tiny, device);
    expect(h.status).toBe('loaded');
    if (h.status !== 'loaded') return;
    const order = providerOrder(device);
    // Every provider before the one used was tried and failed, with its error kept.
    const used = order.indexOf(h.provider);
    expect(h.attempts.map((a) => a.provider)).toEqual(order.slice(0, used + 1));
    for (const a of h.attempts.slice(0, -1)) {
      expect(a.ok).toBe(false);
      expect(a.error).toBeTruthy();
      expect(h.summary).toContain(`${a.provider} unavailable`);
    }
    // On a machine without ORT's CUDA libraries (this one), CUDA is never the provider.
    if (!h.attempts[0]!.ok) expect(h.provider).not.toBe(device === 'auto' ? 'cuda' : device);
    await expectScores(h);
    await releaseModel(h);
  });

  it('turns a missing file into an unavailable model, not a throw', async () => {
    const h = await loadOnnxModel(join(dir, 'absent.onnx'), 'auto');
    expect(h).toMatchObject({ status: 'unavailable', attempts: [] });
    if (h.status === 'unavailable') expect(h.reason).toContain('not found');
    const r = await scoreSequences(h, windows, 3, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
    expect(r).toEqual({ status: 'unavailable', reason: h.status === 'unavailable' ? h.reason : '' });
  });

  it('turns a corrupt model into an unavailable model', async () => {
    const h = await loadOnnxModel(new Uint8Array([8, 1, 0xff, 0xff, 0x12]), 'cpu');
    expect(h.status).toBe('unavailable');
    if (h.status === 'unavailable') {
      expect(h.attempts).toEqual([{ provider: 'cpu', ok: false, error: expect.any(String) }]);
      expect(h.reason).toMatch(/did not load/);
    }
    const truncated = await loadOnnxModel(tiny.subarray(0, tiny.length >> 1), 'cpu');
    expect(truncated.status).toBe('unavailable');
  });

  it('refuses input that does not fit the model', async () => {
    const h = await loadOnnxModel(tiny, 'cpu');
    const wrongDim = await scoreSequences(h, windows, 3, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT - 1);
    expect(wrongDim.status).toBe('unavailable');
    const short = await scoreSequences(h, windows, 4, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
    expect(short.status).toBe('unavailable');
    const asWindows = await scoreGpuWindows(h, windows, 3, EVENT_FEATURE_COUNT);
    expect(asWindows.status).toBe('unavailable');
    const empty = await scoreSequences(h, new Float32Array(0), 0, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
    expect(empty).toEqual({ status: 'scored', provider: 'cpu', scores: new Float32Array(0) });
    await releaseModel(h);
  });
});
