/**
 * Small builders over onnx-proto's generated protobuf classes (ONNX IR, onnx/onnx.proto) for the two
 * exporters: tensors as little-endian raw_data, attributes, nodes, value infos and the model
 * envelope. Nothing here depends on time or on map order, so one model always encodes to the same
 * bytes.
 */
import type onnxProto from 'onnx-proto';
import { lazyRequire } from '../core/lazy-require.js';

/** Loaded on first encode or decode (lazy-require.ts): only `train` and tests need it. */
const proto = lazyRequire<typeof onnxProto>('onnx-proto');
type IAttributeProto = onnxProto.onnx.IAttributeProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
type IGraphProto = onnxProto.onnx.IGraphProto;

/** onnx.TensorProto.DataType values used here. */
export const ELEM_FLOAT = 1;
export const ELEM_INT64 = 7;

/** IR version 8 (ONNX 1.10, the schema onnx-proto 8 carries); opsets are set per model. */
const IR_VERSION = 8;
export const PRODUCER_NAME = 'mlshield-workbench';

const utf8 = new TextEncoder();

export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): ITensorProto {
  const data = Float32Array.from(values as ArrayLike<number>);
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return { name, dims: [...dims], dataType: ELEM_FLOAT, rawData: raw };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): ITensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]!), true);
  return { name, dims: [...dims], dataType: ELEM_INT64, rawData: raw };
}

/** onnx.AttributeProto.AttributeType values (onnx/onnx.proto), as constants: no protobuf load to build a node. */
const A = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export const attr = {
  int: (name: string, i: number): IAttributeProto => ({ name, type: A.INT, i }),
  float: (name: string, f: number): IAttributeProto => ({ name, type: A.FLOAT, f }),
  string: (name: string, s: string): IAttributeProto => ({ name, type: A.STRING, s: utf8.encode(s) }),
  ints: (name: string, ints: readonly number[]): IAttributeProto => ({ name, type: A.INTS, ints: [...ints] }),
  floats: (name: string, floats: ArrayLike<number>): IAttributeProto => ({ name, type: A.FLOATS, floats: Array.from(floats, (v) => Math.fround(v)) }),
  strings: (name: string, strings: readonly string[]): IAttributeProto => ({ name, type: A.STRINGS, strings: strings.map((s) => utf8.encode(s)) }),
};

export function node(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attribute: IAttributeProto[] = [], domain = ''): INodeProto {
  return { opType, input: [...inputs], output: [...outputs], name, attribute, domain };
}

/** A tensor value info; string dims are symbolic (`batch`). */
export function tensorValue(name: string, elemType: number, dims: readonly (number | string)[]): IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

export interface ModelEnvelope {
  graph: IGraphProto;
  opsets: readonly { domain: string; version: number }[];
  producerVersion: string;
  docString: string;
  /** Written as metadata_props in the given order (feature names, seed, data hash). */
  metadata: readonly [string, string][];
}

export function encodeModel(m: ModelEnvelope): Uint8Array {
  const { onnx } = proto();
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: m.opsets.map((o) => ({ domain: o.domain, version: o.version })),
    producerName: PRODUCER_NAME,
    producerVersion: m.producerVersion,
    modelVersion: 1,
    docString: m.docString,
    graph: m.graph,
    metadataProps: m.metadata.map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Decodes a model (for tests and for reading metadata back). */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return proto().onnx.ModelProto.decode(bytes);
}
