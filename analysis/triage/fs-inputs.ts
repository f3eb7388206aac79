/**
 * The disk adapter of checkpoint triage (the one file here that touches `fs`): expands the given
 * paths (files, or folders walked recursively without following symbolic links, via the bundle
 * root of ingest/archive/fs-root.ts), triages each file, and offers file sources and sinks for
 * references, conversions and attestations. In folders, files that are not model artifacts are
 * listed as skipped rather than reported as errors; a file named explicitly is always triaged.
 */
import { constants } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { bufferSource, type ByteSource } from '../core/byte-source.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import type { SiblingOpen } from './artifacts/artifact-plan.js';
import { pathEscapeReason } from './formats/path-escape.js';
import type { ByteSink } from './convert/safetensors-convert.js';
import { triageFinding } from './finding-ids.js';
import { engineChooser, type GpuEngineLoader, type StatsDevice } from './tensors/engine-select.js';
import { markOwnedReads, registerReadInto } from './tensors/tensor-scan.js';
import { triageArtifact, type TriageOptions } from './triage.js';
import type { TriageResult } from './triage-result.js';

export interface TriagePathsOptions extends Omit<TriageOptions, 'engine' | 'selectEngine'> {
  device?: StatsDevice;
  /** Worker threads for CPU statistics. */
  workers?: number;
  /** Called after each artifact (progress). */
  onResult?: (r: TriageResult) => void;
  /** For tests: how the GPU engine is loaded. */
  loadGpu?: GpuEngineLoader;
}

export interface TriagePathsResult {
  results: TriageResult[];
  /** Folder members that are not model artifacts, links, unreadable entries. */
  skipped: { path: string; reason: string }[];
  /** Why the requested device was not used, if it was not. */
  deviceNotes: string[];
}

function unreadable(path: string, reason: string): TriageResult {
  return {
    path, format: 'unknown', size: 0, sha256: '', verdict: 'error', findings: [triageFinding('INPUT_UNREADABLE', reason)],
    imports: [], tensors: [], stateDictPrefix: '', sharedStorages: [], children: [],
  };
}

export async function triagePaths(paths: readonly string[], opts: TriagePathsOptions = {}): Promise<TriagePathsResult> {
  const chooser = engineChooser(opts.device ?? 'auto', opts.workers !== undefined ? { workers: opts.workers } : {}, opts.loadGpu);
  const out: TriagePathsResult = { results: [], skipped: [], deviceNotes: chooser.notes };
  const topts: TriageOptions = { ...opts, selectEngine: (bytes) => chooser.select(bytes) };
  const done = (r: TriageResult): void => {
    out.results.push(r);
    opts.onResult?.(r);
  };
  try {
    for (const p of paths) {
      let root;
      try {
        root = await openBundleRoot(p);
      } catch (e) {
        done(unreadable(p, e instanceof Error ? e.message : String(e)));
        continue;
      }
      try {
        for await (const entry of root.entries()) {
          const shown = root.single ? p : join(p, entry.kind === 'file' ? entry.file.path : entry.path);
          if (entry.kind === 'refused') {
            out.skipped.push({ path: shown, reason: entry.reason });
            continue;
          }
          let r: TriageResult;
          let file: OpenFile | null = null;
          const diskPath = root.single ? p : join(p, entry.file.path);
          const siblings = siblingFiles(diskPath, dirname(shown));
          try {
            file = await openFile(diskPath, shown, entry.file.size);
            r = await triageArtifact(file.source, { ...topts, openSibling: (rel) => siblings.open(rel) }, shown);
          } catch (e) {
            r = unreadable(shown, e instanceof Error ? e.message : String(e));
          } finally {
            await file?.close();
            await siblings.close();
          }
          if (!root.single && r.format === 'unknown' && r.verdict === 'error') out.skipped.push({ path: shown, reason: r.findings[0]?.message ?? 'not a model artifact' });
          else done(r);
        }
      } finally {
        await root.close();
      }
    }
  } finally {
    await chooser.close();
  }
  return out;
}

export interface OpenFile {
  source: ByteSource;
  close(): Promise<void>;
}

/**
 * A file as a ByteSource over one open handle, bounded by the size seen when listing (a file that
 * grows while we read does not change what we triage). Reads return fresh buffers, and the scan
 * may read straight into its own shared memory (registerReadInto). A file of at most
 * WHOLE_READ_BYTES is read whole at once: format detection, the zip directory, the pickle and the
 * scan each read a few pieces, and every await on the thread pool costs more than a small file's
 * bytes (the shared corpus, 212 files of 41 kB on average, spent 40% of its time waiting on them).
 */
export async function openFile(path: string, name: string, size: number): Promise<OpenFile> {
  const fh = await open(path, 'r');
  if (size > WHOLE_READ_BYTES) return handleFile(fh, name, size);
  try {
    const whole = new Uint8Array(size);
    const got = await readFully(fh, 0, whole, size);
    // Reads are views of `whole` (not owned: the scan copies what it hands to another thread).
    return { source: bufferSource(name, whole.subarray(0, got)), close: () => Promise.resolve() };
  } finally {
    await fh.close();
  }
}

/** Files up to this size are read in one go (openFile). */
export const WHOLE_READ_BYTES = 1 << 20;

async function readFully(fh: FileHandle, position: number, target: Uint8Array, size: number): Promise<number> {
  const want = Math.max(0, Math.min(target.length, size - position));
  let got = 0;
  while (got < want) {
    const { bytesRead } = await fh.read(target, got, want - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

function handleFile(fh: FileHandle, name: string, size: number): OpenFile {
  const readInto = (position: number, target: Uint8Array): Promise<number> => readFully(fh, position, target, size);
  const source: ByteSource = {
    name,
    size,
    async read(position, length) {
      const start = Math.max(0, Math.min(position, size));
      const n = Math.max(0, Math.min(size, position + length) - start);
      const buf = new Uint8Array(n);
      const got = n === 0 ? 0 : await readInto(start, buf);
      return got === n ? buf : buf.subarray(0, got);
    },
  };
  registerReadInto(source, readInto);
  markOwnedReads(source);
  return { source, close: () => fh.close() };
}

/** Side files opened per artifact, at most (each holds a file descriptor until the artifact is done). */
export const MAX_SIBLING_FILES = 256;
/** Largest side file opened (1 TiB): beyond it the size itself is the finding. */
export const MAX_SIBLING_BYTES = 2 ** 40;
/** Longest side-file path accepted. */
const MAX_SIBLING_PATH = 4096;

export interface SiblingFiles {
  open(relativePath: string): Promise<SiblingOpen>;
  /** Closes every side file opened (after the artifact's triage, which reads them). */
  close(): Promise<void>;
}

/**
 * The confined opener of files next to the model at `modelPath` (ONNX external data): a relative
 * path only (no absolute path, drive, URL, `~` or `..` component: path-escape.ts), resolved with
 * realpath so a symbolic link leading out of the model's folder is refused, a regular file only
 * (never a FIFO or device, which could block or never end: opened non-blocking, without following
 * a last link, and checked to be the very file that was resolved), and within the size and count
 * bounds. Each file is opened once and shared by the tensors in it. `shownDir` names it in messages.
 */
export function siblingFiles(modelPath: string, shownDir: string): SiblingFiles {
  const opened = new Map<string, OpenFile>();
  let folder: Promise<string> | null = null;
  const refuse = (refused: Exclude<SiblingOpen, { source: ByteSource }>['refused'], reason: string): SiblingOpen => ({ refused, reason });
  return {
    async open(rel) {
      if (rel.length > MAX_SIBLING_PATH) return refuse('limit', `a ${rel.length}-character path`);
      const escape = pathEscapeReason(rel);
      if (escape !== null) return refuse('escape', escape);
      const parts = rel.split('/').filter((s) => s !== '' && s !== '.');
      if (parts.length === 0) return refuse('not-a-file', 'names the model folder itself');
      let dir: string;
      try {
        dir = await (folder ??= realpath(dirname(modelPath)));
      } catch (e) {
        return refuse('missing', `the model folder cannot be resolved (${e instanceof Error ? e.message : String(e)})`);
      }
      let real: string;
      try {
        real = await realpath(join(dir, ...parts));
      } catch {
        return refuse('missing', 'no such file next to the model');
      }
      if (!real.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return refuse('escape', 'resolves through a symbolic link to a file outside the model folder');
      const known = opened.get(real);
      if (known) return { source: known.source };
      if (opened.size >= MAX_SIBLING_FILES) return refuse('limit', `more than ${MAX_SIBLING_FILES} side files`);
      const st = await lstat(real).catch(() => null);
      if (!st) return refuse('missing', 'no such file next to the model');
      if (!st.isFile()) return refuse('not-a-file', 'not a regular file');
      if (st.size > MAX_SIBLING_BYTES) return refuse('limit', `${st.size} bytes, beyond the ${MAX_SIBLING_BYTES}-byte bound`);
      let fh: FileHandle;
      try {
        fh = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
      } catch (e) {
        return refuse('missing', `cannot be opened (${e instanceof Error ? e.message : String(e)})`);
      }
      const now = await fh.stat().catch(() => null);
      if (!now || !now.isFile() || now.ino !== st.ino || now.dev !== st.dev) {
        await fh.close();
        return refuse('not-a-file', 'changed while it was being opened');
      }
      const file = handleFile(fh, join(shownDir, ...parts), st.size);
      opened.set(real, file);
      return { source: file.source };
    },
    async close() {
      const files = [...opened.values()];
      opened.clear();
      for (const f of files) await f.close().catch(() => undefined);
    },
  };
}

/** A file as a ByteSource (reads go to disk each time; fresh buffers). */
export async function fileSource(path: string): Promise<ByteSource> {
  const root = await openBundleRoot(path);
  if (!root.single) throw new Error(`${path} is a folder, a file is expected`);
  for await (const e of root.entries()) if (e.kind === 'file') return markOwnedReads(await e.file.source());
  throw new Error(`${path} cannot be read`);
}

/** A sink writing a new file (created or truncated). */
export async function fileSink(path: string): Promise<ByteSink & { close(): Promise<void> }> {
  const fh = await open(path, 'w');
  return {
    async write(bytes) {
      let off = 0;
      while (off < bytes.length) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
    },
    close: () => fh.close(),
  };
}

/** `<dir>/<input base name without extension>.safetensors` */
export function convertedName(dir: string, inputPath: string): string {
  const base = basename(inputPath).replace(/\.[^.]*$/, '') || 'checkpoint';
  return join(dir, `${base}.safetensors`);
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
