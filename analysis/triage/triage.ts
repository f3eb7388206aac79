/**
 * Checkpoint triage, the orchestrator: recognise the artifact by content, let the format's reader
 * say what it finds and where the tensors are, stream the artifact once (SHA-256 of the whole plus
 * per-tensor statistics and hashes), add the value findings, roll up members of containers, and
 * decide the verdict. Nothing is ever executed; every input is treated as hostile, and a reader
 * failure becomes a finding or an 'error' verdict, never an exception out of here.
 */
import type { ByteSource } from '../core/byte-source.js';
import type { ArchiveLimits } from '../ingest/archive/limits.js';
import { emptyPlan, shapeCount, type ArtifactPlan, type OpenSibling, type ReadContext } from './artifacts/artifact-plan.js';
import { read7z, readTarContainer, readZipContainer } from './artifacts/containers.js';
import { readLegacyTorchTar } from './artifacts/legacy-tar.js';
import { readLegacyTorch } from './artifacts/legacy-torch-file.js';
import { readKerasZipPlan, readNpzPlan, SIMPLE_READERS } from './artifacts/model-formats.js';
import { readPickleFile } from './artifacts/pickle-file.js';
import { readTorchZip } from './artifacts/torch-zip.js';
import { errorText } from './artifacts/zip-entries.js';
import { detectFormat } from './detect-format.js';
import type { Finding } from './finding.js';
import { triageFinding } from './finding-ids.js';
import { finalizeStats } from './tensors/histogram.js';
import { tensorFindings } from './tensors/outliers.js';
import { ACC } from './tensors/stats-kernel.js';
import { inlineEngine, type StatsEngine } from './tensors/stats-engine.js';
import { workerPoolEngine } from './tensors/stats-pool.js';
import { scanArtifact, type TensorJob } from './tensors/tensor-scan.js';
import type { TriageResult, TriageTensor } from './triage-result.js';
import { verdictOf, worseVerdict } from './verdict.js';

export const DEVICES = ['auto', 'cpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

export interface TriageOptions {
  /** Every import outside the checkpoint allowlist counts as dangerous. */
  strict?: boolean;
  /** Where statistics run. Default: a per-artifact choice (selectEngine). */
  engine?: StatsEngine;
  /** Chooses an engine for an artifact with `tensorBytes` of tensors (used when `engine` is absent). */
  selectEngine?: (tensorBytes: number) => Promise<StatsEngine | null>;
  /** Containers opened inside containers, at most (default 3). */
  maxDepth?: number;
  archiveLimits?: Partial<ArchiveLimits>;
  /**
   * Side files next to the artifact (ONNX external data), through the disk adapter's confined
   * opener (fs-inputs.ts siblingFiles). Used for the top artifact only, never for container members.
   */
  openSibling?: OpenSibling;
}

/** Artifacts with fewer tensor bytes than this are computed inline (workers cost more to start). */
export const INLINE_BELOW_BYTES = 32 << 20;
/** Tensors read per artifact, at most. */
export const MAX_TENSORS_READ = 200_000;
/**
 * Tensor bytes read per artifact, at most: twice the artifact plus 64 MiB. Views may overlap (tied
 * weights), but a pickle naming the same storage a million times must not make us read it a
 * million times.
 */
export function tensorByteBudget(size: number): number {
  return 2 * size + (64 << 20);
}

export async function triageArtifact(src: ByteSource, opts: TriageOptions = {}, path = src.name): Promise<TriageResult> {
  return triageAt(src, path, 0, opts);
}

/** What the format reader says about `src`, before any tensor byte is read (conversion re-uses it). */
export async function planArtifact(src: ByteSource, opts: TriageOptions = {}): Promise<ArtifactPlan> {
  const ctx: ReadContext = { src, path: src.name, strict: opts.strict === true, canNest: false, nested: () => Promise.reject(new Error('no nesting while planning')) };
  if (opts.openSibling) ctx.openSibling = opts.openSibling;
  return readPlan(src, ctx, opts.archiveLimits);
}

async function readPlan(src: ByteSource, ctx: ReadContext, limits: Partial<ArchiveLimits> | undefined): Promise<ArtifactPlan> {
  const d = await detectFormat(src, limits);
  if (d.zip) {
    if (d.format === 'pytorch-zip' || d.format === 'torchscript') return readTorchZip(d.zip, ctx, d.format);
    if (d.format === 'npz') return readNpzPlan(d.zip, ctx);
    if (d.format === 'keras') return readKerasZipPlan(d.zip, ctx);
    return readZipContainer(d.zip, ctx);
  }
  switch (d.format) {
    case 'pytorch-legacy': return readLegacyTorch(ctx);
    case 'pickle': return readPickleFile(ctx);
    case 'pytorch-legacy-tar': return readLegacyTorchTar(ctx);
    case 'tar': return readTarContainer(ctx);
    case '7z': return read7z(ctx);
    default: {
      const reader = SIMPLE_READERS[d.format];
      if (reader) return reader(ctx);
      const plan = emptyPlan('unknown');
      plan.unreadable = `content not recognised as a model artifact (${d.kind})`;
      return plan;
    }
  }
}

function tensorBytes(jobs: readonly TensorJob[]): number {
  let n = 0;
  for (const j of jobs) n += j.span?.length ?? j.gather?.length ?? 0;
  return n;
}

async function triageAt(src: ByteSource, path: string, depth: number, opts: TriageOptions): Promise<TriageResult> {
  const t0 = performance.now();
  const maxDepth = opts.maxDepth ?? 3;
  const ctx: ReadContext = {
    src, path, strict: opts.strict === true, canNest: depth < maxDepth,
    nested: (child, childPath) => triageAt(child, childPath, depth + 1, opts),
  };
  // Side files are next to the file on disk, not next to a member of a container.
  if (depth === 0 && opts.openSibling) ctx.openSibling = opts.openSibling;
  let plan: ArtifactPlan;
  try {
    plan = await readPlan(src, ctx, opts.archiveLimits);
  } catch (e) {
    plan = emptyPlan('unknown');
    plan.unreadable = errorText(e);
  }

  const planned = plan.tensors;
  const jobs: TensorJob[] = [];
  const jobIndex: number[] = [];
  const readable = src.size + (plan.sideBytes ?? 0);
  let budget = tensorByteBudget(readable);
  let skipped = 0;
  planned.forEach((p, i) => {
    if (!p.job) return;
    const len = p.job.span?.length ?? p.job.gather?.length ?? 0;
    if (jobs.length >= MAX_TENSORS_READ || len > budget) {
      skipped++;
      p.note = 'not read: beyond the per-artifact read bound';
      p.job = null;
      return;
    }
    budget -= len;
    jobIndex[i] = jobs.length;
    jobs.push(p.job);
  });
  if (skipped > 0) plan.findings.push(triageFinding('TENSOR_READ_LIMIT', `${skipped} tensors not read: more than ${MAX_TENSORS_READ} tensors or more tensor bytes than ${tensorByteBudget(readable)} (overlapping views)`));

  const bytes = tensorBytes(jobs);
  let engine = opts.engine ?? (await opts.selectEngine?.(bytes)) ?? null;
  let owned: StatsEngine | null = null;
  if (!engine) {
    engine = bytes < INLINE_BELOW_BYTES ? inlineEngine() : workerPoolEngine();
    owned = engine;
  }
  const findings: Finding[] = [...plan.findings];
  let sha256 = '';
  const tensors: TriageTensor[] = [];
  let readFailure: string | null = null;
  try {
    const scan = await scanArtifact(src, jobs, engine);
    sha256 = scan.sha256;
    planned.forEach((p, i) => {
      const t: TriageTensor = { name: p.name, dtype: p.dtype, shape: p.shape, count: shapeCount(p.shape) ?? 0, sha256: null, stats: null };
      if (p.storage) t.storage = p.storage;
      if (p.note) t.note = p.note;
      if (p.constant) t.constant = true;
      const o = jobIndex[i] === undefined ? null : scan.outcomes[jobIndex[i]!]!;
      if (o?.result) {
        t.sha256 = o.result.sha256;
        if (o.result.acc[ACC.decoded] === 1) t.stats = finalizeStats(o.result.acc, o.result.hist);
        else t.note ??= `no numeric decoding for ${p.dtype}; hashed only`;
      } else if (o?.error) {
        t.note = o.error;
        findings.push(triageFinding('TENSOR_UNREADABLE', `${p.name}: ${o.error}`, p.name));
      }
      tensors.push(t);
    });
  } catch (e) {
    readFailure = errorText(e);
  } finally {
    if (owned) await owned.close();
  }
  for (const f of tensorFindings(tensors)) findings.push(f); // a loop: a spread overflows past ~10^5 items

  const imports = [...plan.imports];
  let verdict = verdictOf(findings);
  for (const child of plan.children) {
    const rel = child.path.startsWith(`${path}!/`) ? child.path.slice(path.length + 2) : child.path;
    for (const f of child.findings) findings.push({ ...f, location: f.location ? `${rel}: ${f.location}` : rel });
    for (const imp of child.imports) imports.push({ ...imp, pickle: imp.pickle ? `${rel}: ${imp.pickle}` : rel });
    verdict = worseVerdict(verdict, child.verdict === 'error' ? 'suspicious' : child.verdict);
  }
  if (plan.unreadable !== undefined || readFailure !== null) {
    const why = readFailure ?? plan.unreadable!;
    findings.unshift(triageFinding(readFailure !== null || plan.format !== 'unknown' ? 'INPUT_UNREADABLE' : 'FORMAT_UNRECOGNIZED', why));
    verdict = verdict === 'malicious' ? verdict : 'error';
  }
  return {
    path, format: plan.format, size: src.size, sha256, verdict, findings, imports, tensors,
    stateDictPrefix: plan.stateDictPrefix, sharedStorages: plan.sharedStorages, children: plan.children,
    statsEngine: engine.name, seconds: (performance.now() - t0) / 1000,
  };
}
