/**
 * The Layer-2 models through onnxruntime-node, the only inference path. `--device auto` tries the
 * CUDA execution provider (present only where a GPU user installed ORT's CUDA libraries), then
 * WebGPU (bundled with onnxruntime-node on Linux; Dawn over Vulkan), then CPU; `cuda` / `webgpu`
 * fall back to CPU and say so. Each provider is tried alone and must survive a warm-up run, so the
 * provider reported is the one actually used (nodes a GPU provider lacks still run on ORT's CPU
 * kernels inside it). A missing or unloadable model, or a failed run, is a value, never a throw:
 * the cascade escalates what it could not score (DESIGN.md "A missing model never silently drops").
 */
import * as ort from 'onnxruntime-node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readModelFile } from './model-files.js';

export const DEVICE_CHOICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
export type DeviceChoice = (typeof DEVICE_CHOICES)[number];
export type ExecutionProvider = 'cuda' | 'webgpu' | 'cpu';

export function isDeviceChoice(x: unknown): x is DeviceChoice {
  return typeof x === 'string' && (DEVICE_CHOICES as readonly string[]).includes(x);
}

/** Providers to try, in order, for a device choice. */
export function providerOrder(device: DeviceChoice): ExecutionProvider[] {
  switch (device) {
    case 'auto':
      return ['cuda', 'webgpu', 'cpu'];
    case 'cuda':
      return ['cuda', 'cpu'];
    case 'webgpu':
      return ['webgpu', 'cpu'];
    case 'cpu':
      return ['cpu'];
  }
}

export interface ProviderAttempt {
  provider: ExecutionProvider;
  ok: boolean;
  /** First line of the error, when the provider failed. */
  error?: string;
}

export interface LoadedModel {
  status: 'loaded';
  source: string;
  device: DeviceChoice;
  provider: ExecutionProvider;
  attempts: ProviderAttempt[];
  /** One line for logs and the case: `cpu (cuda unavailable: …)`. */
  summary: string;
  inputName: string;
  outputName: string;
  /** The input's shape as the model declares it (symbolic dims as strings). */
  inputShape: (number | string)[];
  session: ort.InferenceSession;
}

export interface UnavailableModel {
  status: 'unavailable';
  source: string;
  device: DeviceChoice;
  reason: string;
  attempts: ProviderAttempt[];
}

export type ModelHandle = LoadedModel | UnavailableModel;

export type ScoreResult =
  | { status: 'scored'; provider: ExecutionProvider; scores: Float32Array }
  | { status: 'unavailable'; reason: string };

/**
 * Rows per ORT run: bounds the input tensor (1024 × 16 × 63 floats ≈ 4 MB). Measured on 2 CPU
 * cores, LSTM throughput peaks around 256–1024 windows per run and falls at 4096.
 */
export const MAX_RUN_BATCH = 1024;

let nativeLogsQuieted = false;

/**
 * Loads a model from a path or bytes for a device choice. Never throws. Native provider errors are
 * kept in `attempts` instead of ORT's stderr log.
 */
export async function loadOnnxModel(model: string | Uint8Array, device: DeviceChoice = 'auto', source = typeof model === 'string' ? model : '<bytes>'): Promise<ModelHandle> {
  let bytes: Uint8Array;
  if (typeof model === 'string') {
    const file = readModelFile(model);
    if (!file.ok) return { status: 'unavailable', source, device, reason: file.reason, attempts: [] };
    bytes = file.bytes;
  } else {
    bytes = model;
  }
  if (!nativeLogsQuieted) {
    // Set before the first session creates ORT's environment; failed provider loads are reported here instead.
    ort.env.logLevel = 'fatal';
    nativeLogsQuieted = true;
  }
  const attempts: ProviderAttempt[] = [];
  for (const provider of providerOrder(device)) {
    // Dawn (ORT's WebGPU) prints a warning on stderr when Linux has no Vulkan loader; under `auto`
    // that case is known in advance, so it is recorded without trying.
    if (provider === 'webgpu' && device === 'auto' && !vulkanLoaderPresent()) {
      attempts.push({ provider, ok: false, error: 'no Vulkan loader (libvulkan.so.1) on this machine' });
      continue;
    }
    let session: ort.InferenceSession | null = null;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: [provider], logSeverityLevel: 4, graphOptimizationLevel: 'all' });
      const inputName = session.inputNames[0];
      const outputName = session.outputNames[0];
      const meta = session.inputMetadata[0];
      if (inputName === undefined || outputName === undefined || meta === undefined || !meta.isTensor) {
        await session.release();
        return { status: 'unavailable', source, device, reason: 'model has no tensor input/output', attempts: [...attempts, { provider, ok: false, error: 'no tensor input/output' }] };
      }
      const inputShape = meta.shape.map((d) => (typeof d === 'number' ? d : String(d)));
      // A provider can accept a session and fail at the first run (no adapter memory, missing kernels).
      const warm = inputShape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
      await session.run({ [inputName]: new ort.Tensor('float32', new Float32Array(warm.reduce((a, b) => a * b, 1)), warm) });
      attempts.push({ provider, ok: true });
      return { status: 'loaded', source, device, provider, attempts, summary: providerSummary(provider, attempts), inputName, outputName, inputShape, session };
    } catch (e) {
      attempts.push({ provider, ok: false, error: firstLine(e) });
      if (session) await session.release().catch(() => undefined);
    }
  }
  const last = attempts[attempts.length - 1];
  return { status: 'unavailable', source, device, reason: `model did not load on any provider${last?.error ? `: ${last.error}` : ''}`, attempts };
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Whether a Vulkan loader can be found (Linux); other platforms are assumed to have their own. */
function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu'];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

/** A provider failure in a few words for logs: the native messages run to hundreds of characters. */
function shortReason(error: string | undefined): string {
  if (!error) return 'failed';
  if (/Failed to load shared library/i.test(error)) return 'CUDA libraries not installed';
  if (/WebGPU adapter/i.test(error)) return 'no WebGPU adapter';
  const plain = error.replace(/\/[^\s:]+\//g, '');
  return plain.length > 80 ? `${plain.slice(0, 80)}…` : plain;
}

function providerSummary(used: ExecutionProvider, attempts: readonly ProviderAttempt[]): string {
  const failed = attempts.filter((a) => !a.ok).map((a) => `${a.provider} unavailable: ${shortReason(a.error)}`);
  return failed.length === 0 ? used : `${used} (${failed.join('; ')})`;
}

/**
 * Scores rows through a loaded model in runs of at most MAX_RUN_BATCH. `rowShape` is one row's
 * shape (e.g. [seq, dim]); it must match the model's declared input, or the result is
 * 'unavailable' with the reason (a stale model for a changed feature list is not guessed at).
 */
async function runBatched(handle: ModelHandle, data: Float32Array, count: number, rowShape: readonly number[], maxBatch: number): Promise<ScoreResult> {
  if (handle.status !== 'loaded') return { status: 'unavailable', reason: handle.reason };
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(count) || count < 0 || data.length < count * rowSize) {
    return { status: 'unavailable', reason: `input holds ${data.length} values, fewer than ${count} rows of ${rowSize}` };
  }
  const declared = handle.inputShape.slice(1);
  if (declared.length !== rowShape.length || declared.some((d, i) => typeof d === 'number' && d !== rowShape[i])) {
    return { status: 'unavailable', reason: `model input is [${handle.inputShape.join(', ')}], rows are [${rowShape.join(', ')}]` };
  }
  const scores = new Float32Array(count);
  const step = Math.max(1, Math.min(MAX_RUN_BATCH, Math.floor(maxBatch)));
  try {
    for (let start = 0; start < count; start += step) {
      const n = Math.min(step, count - start);
      const input = new ort.Tensor('float32', data.subarray(start * rowSize, (start + n) * rowSize), [n, ...rowShape]);
      const out = await handle.session.run({ [handle.inputName]: input });
      const y = out[handle.outputName];
      if (!y || !(y.data instanceof Float32Array) || y.data.length !== n) {
        return { status: 'unavailable', reason: `model output ${handle.outputName} is not ${n} float32 scores` };
      }
      scores.set(y.data, start);
    }
  } catch (e) {
    return { status: 'unavailable', reason: `inference failed: ${firstLine(e)}` };
  }
  return { status: 'scored', provider: handle.provider, scores };
}

/** LSTM scores for `batch` windows laid out [batch, seq, dim]. */
export function scoreSequences(handle: ModelHandle, features: Float32Array, batch: number, seq: number, dim: number, maxBatch = MAX_RUN_BATCH): Promise<ScoreResult> {
  return runBatched(handle, features, batch, [seq, dim], maxBatch);
}

/** Isolation Forest anomaly scores for `count` GPU windows laid out [count, dim]. */
export function scoreGpuWindows(handle: ModelHandle, features: Float32Array, count: number, dim: number, maxBatch = MAX_RUN_BATCH): Promise<ScoreResult> {
  return runBatched(handle, features, count, [dim], maxBatch);
}

/** Frees the native session (idempotent for unavailable handles). */
export async function releaseModel(handle: ModelHandle): Promise<void> {
  if (handle.status === 'loaded') await handle.session.release().catch(() => undefined);
}
