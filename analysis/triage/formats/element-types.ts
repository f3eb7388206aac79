/**
 * Element types shared by the tensor formats, under the canonical names `TensorInfo.dtype` uses,
 * with their width in bits (sub-byte float formats exist: FP4 and FP6 in safetensors ≥ 0.6, int4 in
 * ONNX). GGUF's block-quantised types live in gguf-types.ts.
 */
export const ELEMENT_BITS: Readonly<Record<string, number>> = {
  bool: 8,
  uint8: 8,
  int8: 8,
  uint16: 16,
  int16: 16,
  uint32: 32,
  int32: 32,
  uint64: 64,
  int64: 64,
  float16: 16,
  bfloat16: 16,
  float32: 32,
  float64: 64,
  complex64: 64,
  complex128: 128,
  float8_e4m3fn: 8,
  float8_e4m3fnuz: 8,
  float8_e5m2: 8,
  float8_e5m2fnuz: 8,
  float8_e8m0fnu: 8,
  float6_e2m3fn: 6,
  float6_e3m2fn: 6,
  float4_e2m1fn: 4,
  uint4: 4,
  int4: 4,
  uint2: 2,
  int2: 2,
};

/**
 * Bytes needed for `count` elements of `bits` each, or null when the count is not a safe integer
 * or the bits do not fill whole bytes (the safetensors rule for sub-byte types).
 */
export function packedByteLength(count: number, bits: number): number | null {
  if (!Number.isSafeInteger(count) || count < 0) return null;
  if (bits % 8 === 0) {
    const n = count * (bits / 8);
    return Number.isSafeInteger(n) ? n : null;
  }
  const totalBits = count * bits;
  if (!Number.isSafeInteger(totalBits) || totalBits % 8 !== 0) return null;
  return totalBits / 8;
}

/** Product of the dimensions, or null if any is invalid or the product leaves the safe range. */
export function elementCount(shape: readonly number[]): number | null {
  for (const d of shape) if (!Number.isSafeInteger(d) || d < 0) return null;
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) return null;
  }
  return n;
}
