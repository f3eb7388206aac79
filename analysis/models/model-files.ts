/**
 * Where the checked-in Layer-2 models live at run time: `analysis/models/` under the package root,
 * found by walking up from this module (source tree, `dist/cli/` bundle, or an app folder) to the
 * folder whose package.json is named `mlshield-workbench`. Files are read as bytes (bounded), so an
 * Electron asar archive, which native code can not open by path, works too.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'mlshield-workbench';
export const LSTM_MODEL_FILE = 'event-lstm.onnx';
export const IFOREST_MODEL_FILE = 'gpu-iforest.onnx';
export const TRAINING_REPORT_FILE = 'training-report.json';
/** Far above the checked-in models (< 1 MB each); a bigger file is not ours. */
export const MAX_MODEL_BYTES = 64 << 20;
const MAX_LEVELS = 16;

/** The package root above `from` (a file: URL or path), or null when there is none. */
export function packageRoot(from: string = import.meta.url): string | null {
  let dir = dirname(from.startsWith('file:') ? fileURLToPath(from) : from);
  for (let i = 0; i < MAX_LEVELS; i++) {
    const pkg = join(dir, 'package.json');
    try {
      if (statSync(pkg).size < 1 << 20) {
        const parsed: unknown = JSON.parse(readFileSync(pkg, 'utf8'));
        if (parsed !== null && typeof parsed === 'object' && (parsed as { name?: unknown }).name === PACKAGE_NAME) return dir;
      }
    } catch {
      // no package.json here, or not JSON: keep walking up
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/** `<package root>/analysis/models`, or null outside the package. */
export function modelsDir(from?: string): string | null {
  const root = packageRoot(from);
  return root === null ? null : join(root, 'analysis', 'models');
}

export type FileBytes = { ok: true; path: string; bytes: Uint8Array } | { ok: false; path: string; reason: string };

/** A model or report file's bytes, or why it could not be read (missing, too large, unreadable). */
export function readModelFile(path: string, maxBytes = MAX_MODEL_BYTES): FileBytes {
  try {
    const st = statSync(path);
    if (!st.isFile()) return { ok: false, path, reason: `${path} is not a file` };
    if (st.size > maxBytes) return { ok: false, path, reason: `${path} is ${st.size} bytes, above the ${maxBytes}-byte limit` };
    return { ok: true, path, bytes: new Uint8Array(readFileSync(path)) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, path, reason: code === 'ENOENT' ? `model file not found: ${path}` : `cannot read ${path}: ${(e as Error).message}` };
  }
}

/** Paths of the checked-in models and report, resolved from `dir` (default: the package's analysis/models). */
export function modelPaths(dir: string | null = modelsDir()): { lstm: string; iforest: string; report: string } | null {
  if (dir === null) return null;
  return { lstm: join(dir, LSTM_MODEL_FILE), iforest: join(dir, IFOREST_MODEL_FILE), report: join(dir, TRAINING_REPORT_FILE) };
}

/**
 * Writes trained models and their report into `dir` (what `mlshield train` checks in). Each file is
 * written to a temporary name and renamed, so a reader never sees half a model.
 */
export function saveModelFiles(dir: string, files: { lstmOnnx: Uint8Array; iforestOnnx: Uint8Array; reportJson: string }): { lstm: string; iforest: string; report: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { lstm: join(dir, LSTM_MODEL_FILE), iforest: join(dir, IFOREST_MODEL_FILE), report: join(dir, TRAINING_REPORT_FILE) };
  const put = (path: string, data: Uint8Array | string) => {
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  };
  put(paths.lstm, files.lstmOnnx);
  put(paths.iforest, files.iforestOnnx);
  put(paths.report, files.reportJson);
  return paths;
}
