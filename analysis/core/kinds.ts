/** Source kinds, detected by content (never by file name alone). Defined once, imported everywhere. */
export const SOURCE_KINDS = [
  'k8s_audit',
  'dcgm_prom',
  'dcgm_query_range',
  'dcgm_dmon',
  'dcgm_csv',
  'app_events',
  'manifest',
  'checkpoint_pytorch_zip',
  'checkpoint_torchscript',
  'checkpoint_pytorch_legacy',
  'checkpoint_pickle',
  'checkpoint_numpy',
  'checkpoint_safetensors',
  'checkpoint_onnx',
  'checkpoint_gguf',
  'checkpoint_keras',
  'triton_config',
  'archive',
  'unknown',
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const CHECKPOINT_KINDS: ReadonlySet<SourceKind> = new Set<SourceKind>([
  'checkpoint_pytorch_zip',
  'checkpoint_torchscript',
  'checkpoint_pytorch_legacy',
  'checkpoint_pickle',
  'checkpoint_numpy',
  'checkpoint_safetensors',
  'checkpoint_onnx',
  'checkpoint_gguf',
  'checkpoint_keras',
]);

/** Kinds whose records are read line by line into events or GPU samples. */
export const RECORD_KINDS: ReadonlySet<SourceKind> = new Set<SourceKind>([
  'k8s_audit',
  'dcgm_prom',
  'dcgm_query_range',
  'dcgm_dmon',
  'dcgm_csv',
  'app_events',
]);
