/**
 * GGUF value types and ggml tensor types (ggml/include/ggml.h `enum ggml_type`, block layouts in
 * ggml/src/ggml-common.h). A quantised type stores `blockSize` elements in `typeSize` bytes; a
 * row's element count must be a multiple of the block size.
 */

/** gguf_type: metadata value types (ggml/docs/gguf.md). */
export const GGUF_VALUE_TYPES = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'bool',
  'string',
  'array',
  'uint64',
  'int64',
  'float64',
] as const;
export type GgufValueType = (typeof GGUF_VALUE_TYPES)[number];

export const GGUF_TYPE_STRING = 8;
export const GGUF_TYPE_ARRAY = 9;

/** Byte size of each fixed-size value type (string and array are variable). */
export const GGUF_SCALAR_SIZE: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

export interface GgmlType {
  /** Canonical TensorInfo dtype name ('float32', 'q4_0', 'iq2_xxs', …). */
  name: string;
  blockSize: number;
  typeSize: number;
}

/** ggml_type id → layout. Ids 4, 5 (Q4_2, Q4_3) and 31-33, 36-38 (repacked variants) are retired. */
export const GGML_TYPES: Readonly<Record<number, GgmlType>> = {
  0: { name: 'float32', blockSize: 1, typeSize: 4 },
  1: { name: 'float16', blockSize: 1, typeSize: 2 },
  2: { name: 'q4_0', blockSize: 32, typeSize: 18 },
  3: { name: 'q4_1', blockSize: 32, typeSize: 20 },
  6: { name: 'q5_0', blockSize: 32, typeSize: 22 },
  7: { name: 'q5_1', blockSize: 32, typeSize: 24 },
  8: { name: 'q8_0', blockSize: 32, typeSize: 34 },
  9: { name: 'q8_1', blockSize: 32, typeSize: 36 },
  10: { name: 'q2_k', blockSize: 256, typeSize: 84 },
  11: { name: 'q3_k', blockSize: 256, typeSize: 110 },
  12: { name: 'q4_k', blockSize: 256, typeSize: 144 },
  13: { name: 'q5_k', blockSize: 256, typeSize: 176 },
  14: { name: 'q6_k', blockSize: 256, typeSize: 210 },
  15: { name: 'q8_k', blockSize: 256, typeSize: 292 },
  16: { name: 'iq2_xxs', blockSize: 256, typeSize: 66 },
  17: { name: 'iq2_xs', blockSize: 256, typeSize: 74 },
  18: { name: 'iq3_xxs', blockSize: 256, typeSize: 98 },
  19: { name: 'iq1_s', blockSize: 256, typeSize: 50 },
  20: { name: 'iq4_nl', blockSize: 32, typeSize: 18 },
  21: { name: 'iq3_s', blockSize: 256, typeSize: 110 },
  22: { name: 'iq2_s', blockSize: 256, typeSize: 82 },
  23: { name: 'iq4_xs', blockSize: 256, typeSize: 136 },
  24: { name: 'int8', blockSize: 1, typeSize: 1 },
  25: { name: 'int16', blockSize: 1, typeSize: 2 },
  26: { name: 'int32', blockSize: 1, typeSize: 4 },
  27: { name: 'int64', blockSize: 1, typeSize: 8 },
  28: { name: 'float64', blockSize: 1, typeSize: 8 },
  29: { name: 'iq1_m', blockSize: 256, typeSize: 56 },
  30: { name: 'bfloat16', blockSize: 1, typeSize: 2 },
  34: { name: 'tq1_0', blockSize: 256, typeSize: 54 },
  35: { name: 'tq2_0', blockSize: 256, typeSize: 66 },
  39: { name: 'mxfp4', blockSize: 32, typeSize: 17 },
};

/** ggml's GGML_MAX_DIMS: gguf.cpp rejects tensors with more dimensions. */
export const GGML_MAX_DIMS = 4;
/** ggml's GGML_MAX_NAME: names must fit in 64 bytes with the terminating NUL. */
export const GGML_MAX_NAME = 64;
export const GGUF_DEFAULT_ALIGNMENT = 32;
