/**
 * What a format reader hands the orchestrator: findings, imports, and the tensors to read (where
 * their bytes are), before any tensor byte is touched. triage.ts then streams the artifact once
 * (tensor-scan.ts) and turns the plan into a TriageResult.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import type { TensorJob } from '../tensors/tensor-scan.js';
import type { ArtifactFormat, TriageImport, TriageResult } from '../triage-result.js';

export interface PlannedTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Where the bytes are; null when there are none to read (note says why). */
  job: TensorJob | null;
  note?: string;
  storage?: { key: string; offset: number; stride: number[] };
  /** A graph constant (ONNX Constant node / attribute), not a weight. */
  constant?: boolean;
}

export interface ArtifactPlan {
  format: ArtifactFormat;
  findings: Finding[];
  imports: TriageImport[];
  tensors: PlannedTensor[];
  stateDictPrefix: string;
  sharedStorages: { storageKey: string; tensors: string[] }[];
  children: TriageResult[];
  /** Set when the artifact could not be read as its format at all. */
  unreadable?: string;
  /** Bytes of the side files the tensors are read from (ONNX external data): they widen the read bound. */
  sideBytes?: number;
}

/** Why a side file was not opened: it leaves the model folder, is absent, is no regular file, or is beyond the bounds. */
export type SiblingRefusal = 'escape' | 'missing' | 'not-a-file' | 'limit';

export type SiblingOpen = { source: ByteSource } | { refused: SiblingRefusal; reason: string };

/**
 * Opens a file next to the artifact by a path written inside it (ONNX external-data `location`),
 * refusing whatever would leave the artifact's folder. Given only for an artifact read from disk.
 */
export type OpenSibling = (relativePath: string) => Promise<SiblingOpen>;

/** What a reader may use besides its bytes. */
export interface ReadContext {
  src: ByteSource;
  /** The artifact's path (for child paths: `${path}!/${entry}`). */
  path: string;
  strict: boolean;
  /** Triage of a member (zip entry, nested archive), depth-bounded by the orchestrator. */
  nested(src: ByteSource, path: string): Promise<TriageResult>;
  /** False once the container nesting bound is reached. */
  canNest: boolean;
  /** Side files of an artifact on disk; absent for members of containers and for buffers. */
  openSibling?: OpenSibling;
}

/**
 * Adds a reader's findings (and imports) to the plan. In a loop, never `push(...list)`: a spread
 * passes every element as an argument, and a hostile file with 10^5 of them overflows the stack.
 */
export function addToPlan(plan: ArtifactPlan, findings: readonly Finding[], imports: readonly TriageImport[] = []): void {
  for (const f of findings) plan.findings.push(f);
  for (const i of imports) plan.imports.push(i);
}

export function emptyPlan(format: ArtifactFormat): ArtifactPlan {
  return { format, findings: [], imports: [], tensors: [], stateDictPrefix: '', sharedStorages: [], children: [] };
}

/** Numel of a shape (null on overflow past 2^53 or negative dims). */
export function shapeCount(shape: readonly number[]): number | null {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) return null;
    n *= d;
    if (!Number.isSafeInteger(n)) return null;
  }
  return n;
}
