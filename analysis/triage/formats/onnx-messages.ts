/**
 * The leaf ONNX messages (onnx/onnx.proto3): TensorProto, ValueInfoProto with its TypeProto.Tensor
 * shape, OperatorSetIdProto and StringStringEntryProto. Each reads one length-delimited span with
 * the bounded wire reader and never recurses into graphs (onnx-decode.ts does that).
 */
import {
  DATA_LOCATION_EXTERNAL,
  DIM,
  OPSET,
  SHAPE,
  STRING_ENTRY,
  TENSOR,
  TYPE,
  TYPE_TENSOR,
  VALUE_INFO,
} from './onnx-fields.js';
import { WIRE_LEN, WIRE_VARINT, type WireReader } from './protobuf-wire.js';

/** Dimensions kept per tensor or shape; more are counted and reported by the caller. */
export const MAX_DIMS = 64;
/** Longest string value read and scanned (metadata, attribute strings); longer ones are cut with '…'. */
export const MAX_SCANNED_STRING = 1 << 20;

export type OnnxStorage =
  | 'raw'
  | 'float_data'
  | 'double_data'
  | 'int32_data'
  | 'int64_data'
  | 'uint64_data'
  | 'string_data'
  | 'external'
  | 'none';

const PAYLOAD_STORAGE: Readonly<Record<number, OnnxStorage>> = {
  [TENSOR.rawData]: 'raw',
  [TENSOR.floatData]: 'float_data',
  [TENSOR.doubleData]: 'double_data',
  [TENSOR.int32Data]: 'int32_data',
  [TENSOR.int64Data]: 'int64_data',
  [TENSOR.uint64Data]: 'uint64_data',
  [TENSOR.stringData]: 'string_data',
};

export interface OnnxExternalData {
  location: string | null;
  offset: string | null;
  length: string | null;
  /** Other keys (checksum, …) as written. */
  other: Record<string, string>;
}

export interface OnnxTensorRecord {
  name: string;
  dataType: number;
  dims: number[];
  /** How many dims the tensor declared (dims keeps at most MAX_DIMS). */
  dimCount: number;
  /** 'initializer', 'sparse' (sparse_initializer parts), 'constant' (Constant node), 'attribute'. */
  role: 'initializer' | 'sparse' | 'constant' | 'attribute';
  storage: OnnxStorage;
  /** Absolute offset of the payload bytes in the .onnx file (raw or packed field); -1 if none. */
  payloadOffset: number;
  /** Payload size in bytes as stored (raw/packed length, or the external `length` if numeric). */
  payloadLength: number;
  external: OnnxExternalData | null;
  /** Where it sits: `graph.initializer[3]`, `graph.node[5](Constant).attribute(value)`… */
  path: string;
}

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType of a tensor type, 0 when unknown or not a tensor. */
  elemType: number;
  /** Dimensions: a number, a symbolic name, or null when unset; null when no shape is given. */
  shape: (number | string | null)[] | null;
}

function emptyExternal(): OnnxExternalData {
  return { location: null, offset: null, length: null, other: Object.create(null) as Record<string, string> };
}

/** A TensorProto spanning up to `end`. Payloads are located, never read. */
export async function readTensorProto(w: WireReader, end: number, path: string, role: OnnxTensorRecord['role']): Promise<OnnxTensorRecord> {
  const rec: OnnxTensorRecord = {
    name: '',
    dataType: 0,
    dims: [],
    dimCount: 0,
    role,
    storage: 'none',
    payloadOffset: -1,
    payloadLength: 0,
    external: null,
    path,
  };
  let externalLocation = false;
  for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
    const f = t.field;
    if (f === TENSOR.dims) rec.dimCount += await w.int64s(t.wire, end, rec.dims, MAX_DIMS);
    else if (f === TENSOR.dataType && t.wire === WIRE_VARINT) rec.dataType = await w.int64(end);
    else if (f === TENSOR.name && t.wire === WIRE_LEN) rec.name = await w.string(end, 1024);
    else if (f === TENSOR.dataLocation && t.wire === WIRE_VARINT) externalLocation = (await w.int64(end)) === DATA_LOCATION_EXTERNAL;
    else if (f === TENSOR.externalData && t.wire === WIRE_LEN) {
      const e = await readStringEntry(w, await w.span(end));
      const x = (rec.external ??= emptyExternal());
      if (e.key === 'location') x.location = e.value;
      else if (e.key === 'offset') x.offset = e.value;
      else if (e.key === 'length') x.length = e.value;
      else if (Object.keys(x.other).length < 16) x.other[e.key] = e.value;
    } else if (PAYLOAD_STORAGE[f] !== undefined) await locatePayload(w, f, t.wire, end, rec);
    else await w.skip(t.wire, end);
  }
  if (externalLocation || rec.external !== null) {
    rec.storage = 'external';
    rec.external ??= emptyExternal();
    const len = rec.external.length;
    rec.payloadOffset = -1;
    rec.payloadLength = len !== null && /^\d{1,15}$/.test(len) ? Number(len) : 0;
  }
  return rec;
}

/**
 * raw_data is a single bytes field (the last one wins); the typed fields are repeated, packed in
 * one LEN span or split over several tags, so their lengths add up from the first part's offset.
 */
async function locatePayload(w: WireReader, field: number, wire: number, end: number, rec: OnnxTensorRecord): Promise<void> {
  const storage = PAYLOAD_STORAGE[field] ?? 'none';
  const first = rec.storage !== storage || storage === 'raw';
  let start = w.pos;
  let length: number;
  if (wire === WIRE_LEN) {
    const spanEnd = await w.span(end);
    start = w.pos;
    length = spanEnd - start;
    w.cursor.pos = spanEnd;
  } else {
    await w.skip(wire, end);
    length = w.pos - start;
  }
  if (first) {
    rec.payloadOffset = start;
    rec.payloadLength = length;
  } else rec.payloadLength += length;
  rec.storage = storage;
}

export async function readOpset(w: WireReader, end: number): Promise<{ domain: string; version: number }> {
  let domain = '';
  let version = 0;
  for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
    if (t.field === OPSET.domain && t.wire === WIRE_LEN) domain = await w.string(end, 256);
    else if (t.field === OPSET.version && t.wire === WIRE_VARINT) version = await w.int64(end);
    else await w.skip(t.wire, end);
  }
  return { domain, version };
}

export async function readStringEntry(w: WireReader, end: number): Promise<{ key: string; value: string }> {
  let key = '';
  let value = '';
  for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
    if (t.field === STRING_ENTRY.key && t.wire === WIRE_LEN) key = await w.string(end, 1024);
    else if (t.field === STRING_ENTRY.value && t.wire === WIRE_LEN) value = await w.string(end, MAX_SCANNED_STRING);
    else await w.skip(t.wire, end);
  }
  return { key, value };
}

/** A graph input/output: its name and, for tensor types, element type and shape. */
export async function readValueInfo(w: WireReader, end: number): Promise<OnnxValueInfo> {
  const v: OnnxValueInfo = { name: '', elemType: 0, shape: null };
  for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
    if (t.field === VALUE_INFO.name && t.wire === WIRE_LEN) v.name = await w.string(end, 256);
    else if (t.field === VALUE_INFO.type && t.wire === WIRE_LEN) {
      const typeEnd = await w.span(end);
      for (let u = await w.tag(typeEnd); u !== null; u = await w.tag(typeEnd)) {
        if (u.field === TYPE.tensorType && u.wire === WIRE_LEN) await readTensorType(w, await w.span(typeEnd), v);
        else await w.skip(u.wire, typeEnd);
      }
    } else await w.skip(t.wire, end);
  }
  return v;
}

async function readTensorType(w: WireReader, end: number, v: OnnxValueInfo): Promise<void> {
  for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
    if (t.field === TYPE_TENSOR.elemType && t.wire === WIRE_VARINT) v.elemType = await w.int64(end);
    else if (t.field === TYPE_TENSOR.shape && t.wire === WIRE_LEN) {
      const shapeEnd = await w.span(end);
      const shape: (number | string | null)[] = [];
      for (let u = await w.tag(shapeEnd); u !== null; u = await w.tag(shapeEnd)) {
        if (u.field !== SHAPE.dim || u.wire !== WIRE_LEN) {
          await w.skip(u.wire, shapeEnd);
          continue;
        }
        const dimEnd = await w.span(shapeEnd);
        let dim: number | string | null = null;
        for (let d = await w.tag(dimEnd); d !== null; d = await w.tag(dimEnd)) {
          if (d.field === DIM.value && d.wire === WIRE_VARINT) dim = await w.int64(dimEnd);
          else if (d.field === DIM.param && d.wire === WIRE_LEN) dim = await w.string(dimEnd, 128);
          else await w.skip(d.wire, dimEnd);
        }
        if (shape.length < MAX_DIMS) shape.push(dim);
      }
      v.shape = shape;
    } else await w.skip(t.wire, end);
  }
}
