/**
 * Findings raised by the triage orchestrator itself (containers, TorchScript, tensors, reference
 * comparison), each with its one severity, defined once (STYLE.md). The pickle analysis and the
 * format parsers keep their own catalogs (pickle/finding-ids.ts, formats/finding-ids.ts). The `id`
 * strings become SARIF `ruleId`s and case-file rows: never rename one.
 */
import type { Finding } from './finding.js';
import type { Severity } from './severity.js';

interface TriageFindingKind {
  readonly id: string;
  readonly severity: Severity;
  /** One line for SARIF `rules[].shortDescription`. */
  readonly title: string;
}

export const TRIAGE_FINDINGS = {
  // --- inputs and containers ---
  INPUT_UNREADABLE: { id: 'triage.input.unreadable', severity: 'medium', title: 'input could not be read' },
  FORMAT_UNRECOGNIZED: { id: 'triage.format.unrecognized', severity: 'low', title: 'content is not a model format this tool reads' },
  CONTAINER_WARNING: { id: 'triage.container.warning', severity: 'low', title: 'archive structure oddity (flag bits, CRC, names, overlaps)' },
  CONTAINER_ENTRY_UNREADABLE: { id: 'triage.container.entry-unreadable', severity: 'medium', title: 'archive entry could not be read (encrypted, unsupported method, bomb)' },
  /** Really encrypted (not a flag-bit trick): no loader reads it without the password, nor do we. */
  CONTAINER_ENCRYPTED: { id: 'triage.container.encrypted-entry', severity: 'low', title: 'encrypted archive entry not analysed' },
  CONTAINER_DEPTH: { id: 'triage.container.depth-limit', severity: 'medium', title: 'archive nesting beyond the analysis bound' },
  /** A 7-Zip file whose header could not be decoded: pickles are carved from the raw bytes instead. */
  CONTAINER_NOT_DECODED: { id: 'triage.container.not-decoded', severity: 'low', title: 'container format not decoded; raw bytes were carved for pickles' },
  /** Member name absolute, with a `..` component, a drive or a URL: extraction would write outside its folder (zip slip). */
  CONTAINER_PATH_ESCAPE: { id: 'triage.container.path-escape', severity: 'high', title: 'archive member name leaves the extraction folder (absolute path or ..)' },
  /** 7zAES (06F10701) on a folder or on the header: the content is hidden from every scanner. */
  SEVENZIP_ENCRYPTED: { id: 'triage.7z.encrypted', severity: 'medium', title: '7-Zip members encrypted (7zAES): their content cannot be inspected' },
  /** A coder this reader does not decode (BCJ2, PPMd, BZip2, Deflate, ARM filters, vendor ids). */
  SEVENZIP_UNSUPPORTED_CODER: { id: 'triage.7z.unsupported-coder', severity: 'medium', title: '7-Zip coder not decoded here; its members were not inspected' },
  /** Start header, header, packed stream or member CRC-32 differs from its bytes (7zFormat.txt). */
  SEVENZIP_CRC_MISMATCH: { id: 'triage.7z.crc-mismatch', severity: 'medium', title: '7-Zip CRC-32 does not match the bytes (corrupted or tampered)' },
  /** A header structure or a compressed stream is invalid or cut short; what came before was read. */
  SEVENZIP_MALFORMED: { id: 'triage.7z.malformed', severity: 'medium', title: '7-Zip structure or stream invalid or truncated' },
  PICKLE_TOO_LARGE: { id: 'triage.pickle.too-large', severity: 'medium', title: 'pickle larger than the analysis bound; only its start was analysed' },
  /** A pickle found by carving raw bytes (in an undecodable 7z, or hidden in another entry). */
  CARVED_PICKLE: { id: 'triage.pickle.carved', severity: 'low', title: 'pickle found inside bytes of another format' },

  // --- PyTorch layouts ---
  TORCH_NO_DATA_PKL: { id: 'triage.torch.no-data-pkl', severity: 'medium', title: 'PyTorch archive without data.pkl' },
  TORCH_MISSING_STORAGE: { id: 'triage.torch.missing-storage', severity: 'medium', title: 'tensor storage record missing or too short' },
  TORCH_UNEXPECTED_ENTRY: { id: 'triage.torch.unexpected-entry', severity: 'low', title: 'archive entry outside the PyTorch layout' },
  TORCH_TABLE_PROBLEM: { id: 'triage.torch.tensor-table', severity: 'medium', title: 'tensor table inconsistent (views out of bounds, malformed storages)' },
  TORCH_BIG_ENDIAN: { id: 'triage.torch.big-endian', severity: 'info', title: 'big-endian storages' },
  TORCHSCRIPT_CODE: { id: 'torchscript.code', severity: 'low', title: 'TorchScript code in the archive runs on torch.jit.load: review it' },
  TORCHSCRIPT_SUSPICIOUS_CODE: { id: 'torchscript.code.suspicious', severity: 'high', title: 'TorchScript code with shell, network or file-system calls' },
  /** Pre-0.4 tar whose pickle or record members did not parse to the end: its tensor table is partial. */
  LEGACY_TAR_TENSORS: { id: 'triage.torch.legacy-tar', severity: 'info', title: 'pre-0.4 tar layout: tensor table only partly rebuilt' },

  // --- tensor values (analysis/triage/tensors) ---
  TENSOR_NONFINITE: { id: 'tensor.nonfinite', severity: 'high', title: 'tensor holds NaN or infinite values' },
  /** ±Inf (no NaN) in a graph constant: attention masks legitimately fill with -inf. */
  TENSOR_INFINITE_CONSTANT: { id: 'tensor.nonfinite.constant', severity: 'low', title: 'graph constant holds infinite values (as attention masks do)' },
  TENSOR_OUTLIER_VALUES: { id: 'tensor.outlier.values', severity: 'medium', title: 'a few values thousands of times larger than the tensor\'s median magnitude' },
  TENSOR_OUTLIER_ROLE: { id: 'tensor.outlier.role', severity: 'medium', title: 'tensor magnitude far above the model\'s other tensors of the same role' },
  TENSOR_ALL_ZERO: { id: 'tensor.all-zero', severity: 'low', title: 'tensor is all zeros' },
  TENSOR_ALL_ZERO_MATRIX: { id: 'tensor.all-zero.matrix', severity: 'medium', title: 'weight matrix is all zeros' },
  TENSOR_CONSTANT: { id: 'tensor.constant', severity: 'low', title: 'tensor holds one value everywhere' },
  /** More tensors, or more tensor bytes (overlapping views), than the read bound: the rest were not read. */
  TENSOR_READ_LIMIT: { id: 'triage.tensor.read-limit', severity: 'medium', title: 'tensors beyond the read bound were not read' },
  TENSOR_UNREADABLE: { id: 'tensor.unreadable', severity: 'medium', title: 'tensor bytes could not be read' },

  // --- comparison with a reference (tensors/compare.ts) ---
  COMPARE_MISSING: { id: 'compare.tensor.missing', severity: 'medium', title: 'tensor of the reference is missing' },
  COMPARE_EXTRA: { id: 'compare.tensor.extra', severity: 'medium', title: 'tensor absent from the reference' },
  COMPARE_SHAPE: { id: 'compare.tensor.shape-changed', severity: 'high', title: 'tensor shape differs from the reference' },
  COMPARE_DTYPE: { id: 'compare.tensor.dtype-changed', severity: 'medium', title: 'tensor dtype differs from the reference' },
  COMPARE_MODIFIED: { id: 'compare.tensor.modified', severity: 'medium', title: 'tensor bytes differ from the reference' },
  COMPARE_RANGE: { id: 'compare.tensor.range-shift', severity: 'high', title: 'tensor magnitude range changed by an order of magnitude or more' },
  COMPARE_DISTRIBUTION: { id: 'compare.tensor.distribution-shift', severity: 'medium', title: 'tensor value distribution diverges from the reference' },
  COMPARE_NONFINITE: { id: 'compare.tensor.nonfinite-introduced', severity: 'high', title: 'NaN/Inf values absent from the reference' },
  COMPARE_REFERENCE_INVALID: { id: 'compare.reference.invalid', severity: 'medium', title: 'reference fingerprint or checkpoint unusable' },
} as const satisfies Record<string, TriageFindingKind>;

export type TriageFindingKey = keyof typeof TRIAGE_FINDINGS;

export function triageFinding(kind: TriageFindingKey, message: string, location?: string): Finding {
  const k = TRIAGE_FINDINGS[kind];
  const f: Finding = { id: k.id, severity: k.severity, message };
  if (location !== undefined) f.location = location;
  return f;
}

/** Title of a known triage finding id (for SARIF rule descriptions), else null. */
export function triageFindingTitle(id: string): string | null {
  for (const k of Object.values(TRIAGE_FINDINGS)) if (k.id === id) return k.title;
  return null;
}
