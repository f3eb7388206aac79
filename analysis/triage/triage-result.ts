/**
 * What triage returns for one artifact, whatever its format: the verdict, every finding, the
 * pickle imports, and per-tensor statistics. The `--json` output, SARIF, attestations, the case
 * file and the inspector all read this one shape.
 */
import type { Finding } from './finding.js';
import type { Severity } from './severity.js';
import type { Comparison } from './tensors/compare.js';

/** Formats recognised by content (detect-format.ts). */
export const ARTIFACT_FORMATS = [
  'pytorch-zip', 'torchscript', 'pytorch-legacy', 'pytorch-legacy-tar', 'pickle', 'numpy', 'npz', 'safetensors', 'onnx',
  'gguf', 'keras', 'keras-h5', 'triton-config', 'zip', 'tar', '7z', 'unknown',
] as const;
export type ArtifactFormat = (typeof ARTIFACT_FORMATS)[number];

export const VERDICTS = ['clean', 'suspicious', 'malicious', 'error'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** One global a pickle imports (GLOBAL, STACK_GLOBAL, INST), with where it was found. */
export interface TriageImport {
  module: string;
  name: string;
  opcodeOffset: number;
  classification: string;
  severity: Severity;
  /** The pickle it is in (`data.pkl`, `constants.pkl`, a container entry); absent for a bare pickle file. */
  pickle?: string;
}

/** Per-tensor statistics; `sum` is the sum of finite values, min/max/mean/std over finite values. */
export interface TensorStatistics {
  count: number;
  finite: number;
  sum: number;
  sumSquares: number;
  nan: number;
  posInf: number;
  negInf: number;
  min: number | null;
  max: number | null;
  absMax: number | null;
  mean: number | null;
  std: number | null;
  zeros: number;
  /** zeros / count. */
  zeroShare: number;
  /** Counts on the aligned log-magnitude bins of tensors/histogram.ts (HISTOGRAM_BINS long). */
  histogram: number[];
}

export interface TriageTensor {
  /** Dotted path as `state_dict()` keys read (`state_dict.layer1.weight`). */
  name: string;
  dtype: string;
  shape: number[];
  /** Elements (product of the shape). */
  count: number;
  /** SHA-256 of the tensor's bytes in logical (row-major) order, as stored (no byte swapping). */
  sha256: string | null;
  /** Null when the dtype has no numeric decoding here (quantised blocks, strings) or the bytes were unreadable. */
  stats: TensorStatistics | null;
  /** PyTorch layout, when the format has one. */
  storage?: { key: string; offset: number; stride: number[] };
  /** Why there are no statistics. */
  note?: string;
  /** A graph constant (ONNX Constant node or attribute tensor) rather than a weight. */
  constant?: boolean;
}

export interface TriageResult {
  /** Path as given (file) or relative to the given folder; container entries as `outer!/inner`. */
  path: string;
  format: ArtifactFormat;
  size: number;
  /** SHA-256 of the artifact's bytes (the file, or the decompressed entry). */
  sha256: string;
  verdict: Verdict;
  findings: Finding[];
  imports: TriageImport[];
  tensors: TriageTensor[];
  /** Dotted prefix of the state dict inside the checkpoint ('' when the object is the state dict). */
  stateDictPrefix: string;
  /** Storages viewed by more than one tensor (tied weights, views). */
  sharedStorages: { storageKey: string; tensors: string[] }[];
  /** Artifacts inside a container (zip members, nested archives). Their findings are also rolled up here. */
  children: TriageResult[];
  /** Set when a reference was given (`--reference`); its findings are also in `findings`. */
  comparison?: Comparison;
  /** Which engine computed the statistics ('cpu-workers', 'cpu-inline', 'onnx-cuda', 'onnx-cpu', …). */
  statsEngine?: string;
  seconds?: number;
}
