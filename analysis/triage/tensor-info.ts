/**
 * Where one tensor's bytes lie, as every checkpoint parser reports it, so the statistics and
 * heatmap code reads tensors the same way whatever the format.
 */
export interface TensorInfo {
  name: string;
  /**
   * 'float32', 'float16', 'bfloat16', 'float64', 'int8', 'uint8', 'int16', 'int32', 'int64', 'bool',
   * 'float8_e4m3fn', 'float8_e5m2', …; GGUF quantised types as 'q4_0', 'q6_k', 'iq2_xxs', …
   * (their bytes are ggml blocks: formats/gguf-dequant.ts turns the ones it knows into float32).
   */
  dtype: string;
  shape: number[];
  /** Absolute offset in the ByteSource the parser read. */
  byteOffset: number;
  byteLength: number;
}
