/**
 * Field numbers of the ONNX messages the reader decodes (onnx/onnx.proto3, IR version 11) and the
 * TensorProto.DataType table. Only the fields the triage uses are named; the rest are skipped.
 */

export const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  domain: 4,
  modelVersion: 5,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
  trainingInfo: 20,
  functions: 25,
} as const;

export const OPSET = { domain: 1, version: 2 } as const;
export const STRING_ENTRY = { key: 1, value: 2 } as const;
export const TRAINING_INFO = { initialization: 1, algorithm: 2 } as const;

export const GRAPH = {
  node: 1,
  name: 2,
  initializer: 5,
  input: 11,
  output: 12,
  valueInfo: 13,
  sparseInitializer: 15,
} as const;

export const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;

export const ATTRIBUTE = {
  name: 1,
  s: 4,
  t: 5,
  g: 6,
  strings: 9,
  tensors: 10,
  graphs: 11,
  sparseTensor: 22,
  sparseTensors: 23,
} as const;

export const TENSOR = {
  dims: 1,
  dataType: 2,
  floatData: 4,
  int32Data: 5,
  stringData: 6,
  int64Data: 7,
  name: 8,
  rawData: 9,
  doubleData: 10,
  uint64Data: 11,
  externalData: 13,
  dataLocation: 14,
} as const;

/** TensorProto.DataLocation.EXTERNAL */
export const DATA_LOCATION_EXTERNAL = 1;

export const SPARSE_TENSOR = { values: 1, indices: 2 } as const;

export const VALUE_INFO = { name: 1, type: 2 } as const;
export const TYPE = { tensorType: 1, sequenceType: 4, mapType: 5, sparseTensorType: 8, optionalType: 9 } as const;
export const TYPE_TENSOR = { elemType: 1, shape: 2 } as const;
export const SHAPE = { dim: 1 } as const;
export const DIM = { value: 1, param: 2 } as const;

export const FUNCTION = { name: 1, node: 7, opsetImport: 9, domain: 10, attributeProto: 11 } as const;

/** TensorProto.DataType → canonical dtype name (element-types.ts); 8 is STRING. */
export const ONNX_DATA_TYPES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8_e4m3fn',
  18: 'float8_e4m3fnuz',
  19: 'float8_e5m2',
  20: 'float8_e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4_e2m1fn',
  24: 'float8_e8m0fnu',
  25: 'uint2',
  26: 'int2',
};

/** Domains whose operators ONNX itself defines. */
export const STANDARD_DOMAINS: ReadonlySet<string> = new Set([
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training',
]);
export const MICROSOFT_DOMAIN = 'com.microsoft';

/**
 * Newest versions a released ONNX is known to use, with slack: anything above reads as forged or
 * from the future. ai.onnx opset 23 and IR 11 shipped with ONNX 1.18 (2025).
 */
export const MAX_IR_VERSION = 13;
export const MAX_OPSET: Readonly<Record<string, number>> = {
  '': 30,
  'ai.onnx': 30,
  'ai.onnx.ml': 10,
  'ai.onnx.training': 5,
  'ai.onnx.preview.training': 5,
  'com.microsoft': 5,
};
