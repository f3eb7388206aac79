/**
 * Every finding the model-format parsers (safetensors, ONNX, GGUF, NumPy, Keras, Triton config)
 * can raise, each with its one severity, defined once (STYLE.md). The `id` strings go into the case
 * file, SARIF `ruleId`s and reports: never rename one. Keys follow the brief's UPPER_SNAKE names.
 *
 * A finding's `location` is a path inside the artifact (`__metadata__.model_info`, `graph.node[3]`,
 * `byte 1024`); the caller knows which artifact the result belongs to.
 */
import type { Finding } from '../finding.js';
import type { Severity } from '../severity.js';

interface FindingKind {
  readonly id: string;
  readonly severity: Severity;
}

export const FORMAT_FINDINGS = {
  // --- any format ---
  /** Not parseable as the format at all (bad magic, not JSON, I/O error); nothing else analysed. */
  FORMAT_UNREADABLE: { id: 'format.unreadable', severity: 'medium' },
  /** A structure is invalid part-way through; what came before it was analysed, the rest not. */
  FORMAT_MALFORMED: { id: 'format.malformed', severity: 'medium' },
  /** A structure runs past the end of the file (truncated copy or a lying length). */
  FORMAT_TRUNCATED: { id: 'format.truncated', severity: 'medium' },
  /** A count, size or nesting beyond the analysis bound; the excess was not analysed. */
  FORMAT_LIMIT_EXCEEDED: { id: 'format.limit-exceeded', severity: 'medium' },

  // --- safetensors (huggingface/safetensors, safetensors/src/tensor.rs) ---
  /** 8-byte header length beyond 100 MB or beyond the file: the loader's DoS / OOB checks. */
  SAFETENSORS_HEADER_OVERFLOW: { id: 'safetensors.header.overflow', severity: 'high' },
  /** Header is not UTF-8, not JSON, not an object or does not start with `{`. */
  SAFETENSORS_HEADER_INVALID: { id: 'safetensors.header.invalid', severity: 'medium' },
  /** The same top-level key twice: loaders disagree on which entry wins (parser differential). */
  SAFETENSORS_DUPLICATE_KEY: { id: 'safetensors.header.duplicate-key', severity: 'medium' },
  /** A tensor entry without a well-formed dtype / shape / data_offsets. */
  SAFETENSORS_TENSOR_INVALID: { id: 'safetensors.tensor.invalid', severity: 'medium' },
  SAFETENSORS_UNKNOWN_DTYPE: { id: 'safetensors.tensor.unknown-dtype', severity: 'medium' },
  /** product(shape) × dtype size ≠ end − begin, or the product overflows. */
  SAFETENSORS_SIZE_MISMATCH: { id: 'safetensors.tensor.size-mismatch', severity: 'medium' },
  /** Tensor bytes outside the data section (out-of-bounds read attempt). */
  SAFETENSORS_OFFSET_OUT_OF_BOUNDS: { id: 'safetensors.tensor.out-of-bounds', severity: 'high' },
  /** Two tensors share bytes: writing one silently changes the other. */
  SAFETENSORS_OVERLAP: { id: 'safetensors.tensor.overlap', severity: 'medium' },
  /** Bytes of the data section no tensor covers (the reference loader rejects holes). */
  SAFETENSORS_GAP: { id: 'safetensors.tensor.gap', severity: 'info' },
  /** Bytes after the last tensor: no loader reads them, a place to hide a payload. */
  SAFETENSORS_TRAILING_DATA: { id: 'safetensors.trailing-data', severity: 'medium' },
  /** `__metadata__` is not a string→string map (the reference loader rejects it). */
  SAFETENSORS_METADATA_NOT_STRING: { id: 'safetensors.metadata.not-string', severity: 'low' },
  SAFETENSORS_METADATA_CODE: { id: 'safetensors.metadata.code', severity: 'high' },
  SAFETENSORS_METADATA_SHELL: { id: 'safetensors.metadata.shell', severity: 'high' },
  SAFETENSORS_METADATA_SCRIPT: { id: 'safetensors.metadata.script', severity: 'high' },
  SAFETENSORS_METADATA_URL: { id: 'safetensors.metadata.url', severity: 'medium' },
  /** A URL to a well-known model/code host (huggingface.co, github.com, …): recorded, not alarming. */
  SAFETENSORS_METADATA_KNOWN_URL: { id: 'safetensors.metadata.known-url', severity: 'info' },
  /** A tensor name that reads like code, shell or markup (rendered by viewers and reports). */
  SAFETENSORS_SUSPICIOUS_NAME: { id: 'safetensors.tensor.suspicious-name', severity: 'medium' },

  // --- ONNX (onnx/onnx.proto3) ---
  /** Node or opset domain outside the standard ones: a custom op loads a native library. */
  ONNX_CUSTOM_DOMAIN: { id: 'onnx.domain.custom', severity: 'medium' },
  /** com.microsoft contrib ops: shipped with ONNX Runtime itself. */
  ONNX_MICROSOFT_DOMAIN: { id: 'onnx.domain.microsoft', severity: 'info' },
  /** Ops resolved by model-local FunctionProtos (expanded to standard ops, no native code). */
  ONNX_LOCAL_FUNCTION: { id: 'onnx.domain.local-function', severity: 'info' },
  /** External-data location absolute, with `..`, or otherwise leaving the model folder. */
  ONNX_EXTERNAL_DATA_ESCAPE: { id: 'onnx.external-data.path-escape', severity: 'high' },
  /** External-data entry without a location, or with a non-numeric / negative offset or length. */
  ONNX_EXTERNAL_DATA_INVALID: { id: 'onnx.external-data.invalid', severity: 'medium' },
  /** Tensors stored in a side file: the caller must fetch and check it. */
  ONNX_EXTERNAL_DATA: { id: 'onnx.external-data', severity: 'info' },
  /** The side file is missing or could not be opened (not read: no statistics for its tensors). */
  ONNX_EXTERNAL_DATA_MISSING: { id: 'onnx.external-data.missing', severity: 'low' },
  /** External bytes that do not fit: offset/length past the end of the side file, or a length ≠ dims × element size. */
  ONNX_EXTERNAL_DATA_SIZE: { id: 'onnx.external-data.size-mismatch', severity: 'medium' },
  /** The `checksum` key (SHA-1 of the side file, onnx.proto) does not match the file. */
  ONNX_EXTERNAL_DATA_CHECKSUM: { id: 'onnx.external-data.checksum-mismatch', severity: 'medium' },
  /** An initializer over 512 MB (large LLM embeddings are legitimately this big). */
  ONNX_HUGE_INITIALIZER: { id: 'onnx.tensor.huge-initializer', severity: 'low' },
  /** A constant in a node attribute (Constant op, If/Loop bodies) over 512 MB. */
  ONNX_HUGE_CONSTANT: { id: 'onnx.tensor.huge-constant', severity: 'medium' },
  /** The protobuf itself over 2 GB: protobuf's limit, so no standard tool wrote it. */
  ONNX_PROTOBUF_TOO_LARGE: { id: 'onnx.protobuf.too-large', severity: 'medium' },
  /** raw_data length ≠ product(dims) × element size. */
  ONNX_TENSOR_SIZE_MISMATCH: { id: 'onnx.tensor.size-mismatch', severity: 'medium' },
  ONNX_DUPLICATE_INITIALIZER: { id: 'onnx.graph.duplicate-initializer', severity: 'medium' },
  ONNX_EMPTY_GRAPH: { id: 'onnx.graph.empty', severity: 'low' },
  ONNX_MISSING_GRAPH: { id: 'onnx.graph.missing', severity: 'medium' },
  /** IR or opset version missing, non-positive or newer than any released ONNX. */
  ONNX_VERSION_UNUSUAL: { id: 'onnx.version.unusual', severity: 'low' },
  /** Subgraphs (If/Loop/Scan bodies) nested beyond the analysis bound. */
  ONNX_NESTING_TOO_DEEP: { id: 'onnx.graph.nesting-too-deep', severity: 'medium' },
  /** A string attribute or metadata value that reads like code, shell or markup. */
  ONNX_SUSPICIOUS_STRING: { id: 'onnx.string.suspicious', severity: 'medium' },

  // --- GGUF (ggml/docs/gguf.md) ---
  /** Chat template with Jinja sandbox-escape gadgets (`__class__`, `__globals__`, `os.popen`…). */
  GGUF_CHAT_TEMPLATE_INJECTION: { id: 'gguf.chat-template.injection', severity: 'high' },
  /** Chat template using pivots seen in SSTI payloads (`|attr(`, `lipsum`, `cycler`, `joiner`). */
  GGUF_CHAT_TEMPLATE_SUSPICIOUS: { id: 'gguf.chat-template.suspicious', severity: 'medium' },
  /** Other metadata string that reads like code, shell or markup. */
  GGUF_SUSPICIOUS_METADATA: { id: 'gguf.metadata.suspicious', severity: 'medium' },
  GGUF_VERSION_UNSUPPORTED: { id: 'gguf.version.unsupported', severity: 'medium' },
  GGUF_BIG_ENDIAN: { id: 'gguf.big-endian', severity: 'info' },
  /** general.alignment not a non-zero power of two u32. */
  GGUF_BAD_ALIGNMENT: { id: 'gguf.alignment.invalid', severity: 'medium' },
  GGUF_DUPLICATE_KEY: { id: 'gguf.duplicate-key', severity: 'medium' },
  GGUF_UNKNOWN_TYPE: { id: 'gguf.tensor.unknown-type', severity: 'medium' },
  /** n_dims > 4, element-count overflow, or a row not a whole number of quant blocks. */
  GGUF_TENSOR_INVALID: { id: 'gguf.tensor.invalid', severity: 'medium' },
  GGUF_TENSOR_OUT_OF_BOUNDS: { id: 'gguf.tensor.out-of-bounds', severity: 'high' },
  GGUF_TENSOR_OVERLAP: { id: 'gguf.tensor.overlap', severity: 'medium' },
  GGUF_TENSOR_MISALIGNED: { id: 'gguf.tensor.misaligned', severity: 'medium' },
  /** A quantised type with no dequantisation here (IQ*, TQ*, MXFP4, Q8_1) or a big-endian file: hashed only. */
  GGUF_VALUES_NOT_DECODED: { id: 'gguf.tensor.values-not-decoded', severity: 'info' },

  // --- NumPy (numpy/lib/format.py, NEP 1) ---
  /** dtype with `O`: the payload is a pickle; run the pickle analysis at `pickleOffset`. */
  NUMPY_OBJECT_ARRAY: { id: 'numpy.object-array', severity: 'medium' },
  /** Header dict missing/extra keys or wrong value types (np.load rejects it). */
  NUMPY_HEADER_INVALID: { id: 'numpy.header.invalid', severity: 'medium' },
  /** Header over numpy's default 10 000-byte limit (np.load refuses it unless told otherwise). */
  NUMPY_HEADER_LARGE: { id: 'numpy.header.large', severity: 'low' },
  NUMPY_TRAILING_DATA: { id: 'numpy.trailing-data', severity: 'medium' },
  /** Strings, datetimes, void or structured dtypes: no numeric tensor statistics. */
  NUMPY_NON_NUMERIC_DTYPE: { id: 'numpy.dtype.non-numeric', severity: 'info' },

  // --- Keras (.keras v3 zip, legacy .h5) ---
  /** Lambda layer: its `function` is marshalled Python bytecode run on load. */
  KERAS_LAMBDA_LAYER: { id: 'keras.layer.lambda', severity: 'high' },
  /** TFOpLambda / SlicingOpLambda: calls a TensorFlow op looked up by name. */
  KERAS_TFOP_LAMBDA: { id: 'keras.layer.tfop-lambda', severity: 'medium' },
  /** `module` naming os, subprocess, builtins…: a known safe_mode bypass gadget. */
  KERAS_DANGEROUS_MODULE: { id: 'keras.module.dangerous', severity: 'high' },
  /** `module` outside keras.* or a registered custom object: code imported on load. */
  KERAS_CUSTOM_OBJECT: { id: 'keras.module.custom', severity: 'medium' },
  KERAS_CONFIG_INVALID: { id: 'keras.config.invalid', severity: 'medium' },
  /** An archive entry outside the .keras layout (config.json, metadata.json, *.weights.h5, assets/). */
  KERAS_UNEXPECTED_ENTRY: { id: 'keras.archive.unexpected-entry', severity: 'low' },
  /** Honest limit: HDF5 is recognised and text-scanned, not parsed. */
  KERAS_H5_NOT_PARSED: { id: 'keras.h5.not-parsed', severity: 'info' },

  // --- Triton config.pbtxt (model_config.proto) ---
  /** backend "python": runs the repository's model.py; that code must be reviewed. */
  TRITON_PYTHON_BACKEND: { id: 'triton.backend.python', severity: 'info' },
  /** runtime / model file / env path absolute or with `..`: loads a library from elsewhere. */
  TRITON_PATH_ESCAPE: { id: 'triton.path-escape', severity: 'high' },
  /** model_repository_agents: agent libraries run on load (checksum only is info). */
  TRITON_REPO_AGENT: { id: 'triton.repo-agent', severity: 'low' },
  TRITON_REPO_AGENT_CHECKSUM: { id: 'triton.repo-agent.checksum', severity: 'info' },
  /** A parameter value that reads like shell or code. */
  TRITON_SHELL_PARAMETER: { id: 'triton.parameter.shell', severity: 'medium' },
  /** EXECUTION_ENV_PATH: a packed Python environment shipped with the model. */
  TRITON_EXECUTION_ENV: { id: 'triton.python.execution-env', severity: 'low' },
  TRITON_UNKNOWN_PLATFORM: { id: 'triton.platform.unknown', severity: 'info' },
  /** A backend Triton does not ship: a custom native libtriton_<name>.so. */
  TRITON_UNKNOWN_BACKEND: { id: 'triton.backend.unknown', severity: 'info' },
  /** Ensemble step naming the model itself (a one-file cycle; longer cycles need the repository). */
  TRITON_SELF_REFERENCE: { id: 'triton.ensemble.self-reference', severity: 'low' },
  /** Input dims of -1 (variable): request size bounded only by the server's limits. */
  TRITON_UNBOUNDED_DIMS: { id: 'triton.input.unbounded-dims', severity: 'info' },
} as const satisfies Record<string, FindingKind>;

export type FormatFindingKey = keyof typeof FORMAT_FINDINGS;
export type FormatFindingId = (typeof FORMAT_FINDINGS)[FormatFindingKey]['id'];

/** A finding of `kind` with that kind's id and severity. */
export function formatFinding(kind: FormatFindingKey, message: string, location?: string): Finding {
  const k = FORMAT_FINDINGS[kind];
  const f: Finding = { id: k.id, severity: k.severity, message };
  if (location !== undefined) f.location = location;
  return f;
}
