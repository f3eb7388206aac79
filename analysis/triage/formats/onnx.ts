/**
 * ONNX model triage: decodes the ModelProto with our own bounded protobuf reader (onnx-decode.ts)
 * and checks what can hurt whoever loads it — custom-op domains (native libraries), external data
 * paths leaving the model folder, oversized constants, impossible versions, inconsistent tensors.
 * Tensor payloads are located (absolute offsets), never copied.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import type { TensorInfo } from '../tensor-info.js';
import { ByteCursor } from './byte-cursor.js';
import { ELEMENT_BITS, elementCount } from './element-types.js';
import { FindingSink } from './finding-sink.js';
import { OnnxDecoder, type OnnxDecoded, type OnnxFunctionRecord, type OnnxNodeRef, type OnnxOpUse } from './onnx-decode.js';
import { MAX_IR_VERSION, MAX_OPSET, MICROSOFT_DOMAIN, ONNX_DATA_TYPES, STANDARD_DOMAINS } from './onnx-fields.js';
import type { OnnxExternalData, OnnxStorage, OnnxTensorRecord } from './onnx-messages.js';
import { pathEscapeReason } from './path-escape.js';
import { WireError } from './protobuf-wire.js';
import { excerpt } from './suspicious-text.js';

/** Constants and initializers above this many bytes are reported (brief: 512 MB). */
export const HUGE_TENSOR_BYTES = 512 * 1024 * 1024;
/** protobuf's hard message limit: 2 GB - 1. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1;

export interface OnnxTensorInfo extends TensorInfo {
  role: OnnxTensorRecord['role'];
  /** 'raw', 'float_data', 'double_data' are little-endian fixed-width bytes at byteOffset; the
   *  varint-packed fields need decoding; 'external' bytes are in `externalLocation`; 'none' has none. */
  storage: OnnxStorage;
  /** For external data: the side file (relative to the model), byteOffset being within it. */
  externalLocation?: string;
  /** For external data: the entry as written (location, offset, length, checksum, …). */
  external?: OnnxExternalData;
  path: string;
}

/** The model header and main graph as decoded (onnx-decode.ts), plus what the checks derive. */
export interface OnnxResult
  extends Pick<OnnxDecoded, 'irVersion' | 'producerName' | 'producerVersion' | 'domain' | 'modelVersion' | 'opsetImports' | 'metadataProps' | 'graph'> {
  /** Nodes of the main graph in order (capped at 100 000). */
  nodes: OnnxNodeRef[];
  /** Nodes over every graph, subgraph body, training graph and function. */
  totalNodes: number;
  graphCount: number;
  maxGraphDepth: number;
  functions: OnnxFunctionRecord[];
  /** Operator use, most used first. */
  ops: OnnxOpUse[];
  /** Initializers and attribute tensors (sparse parts excluded). */
  tensors: OnnxTensorInfo[];
  /** Distinct external-data files referenced (safe paths only). */
  externalFiles: string[];
  findings: Finding[];
}

export async function readOnnx(src: ByteSource): Promise<OnnxResult> {
  const sink = new FindingSink();
  const decoder = new OnnxDecoder(new ByteCursor(src), sink);
  const d = decoder.out;
  if (src.size > PROTOBUF_LIMIT) {
    sink.add('ONNX_PROTOBUF_TOO_LARGE', `${src.size}-byte protobuf exceeds the 2 GB protobuf limit; no standard exporter writes one`);
  }
  let failure: string | null = null;
  try {
    await decoder.decodeModel();
  } catch (e) {
    failure = e instanceof WireError ? `${e.message} at byte ${e.position}` : `read failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  const decodedSomething = d.irVersion !== null || d.graph !== null || d.opsetImports.length > 0;
  if (!decodedSomething) {
    sink.add('FORMAT_UNREADABLE', `not an ONNX ModelProto${failure !== null ? `: ${failure}` : ' (no ir_version, opset or graph)'}`);
  } else {
    if (failure !== null) sink.add('FORMAT_MALFORMED', `protobuf ${failure}; the rest of the model was not analysed`);
    checkVersions(d.irVersion, d.opsetImports, failure === null, sink);
    if (d.graph === null && failure === null) sink.add('ONNX_MISSING_GRAPH', 'model has no graph');
    else if (d.graph !== null && d.graph.nodeCount === 0) sink.add('ONNX_EMPTY_GRAPH', 'main graph has no nodes', 'graph');
    checkDomains(d.ops, d.functions, sink);
  }
  const externalFiles = new Set<string>();
  const tensors: OnnxTensorInfo[] = [];
  for (const t of d.tensors) {
    checkTensor(t, sink, externalFiles);
    if (t.role !== 'sparse') tensors.push(tensorInfo(t));
  }
  for (const file of externalFiles) {
    sink.add('ONNX_EXTERNAL_DATA', `tensors are stored in the side file ${JSON.stringify(excerpt(file))}; fetch and check it`, file);
  }
  return {
    irVersion: d.irVersion,
    producerName: d.producerName,
    producerVersion: d.producerVersion,
    domain: d.domain,
    modelVersion: d.modelVersion,
    opsetImports: d.opsetImports,
    metadataProps: d.metadataProps,
    graph: d.graph,
    nodes: d.mainNodes,
    totalNodes: d.totalNodes,
    graphCount: d.graphs.length,
    maxGraphDepth: d.maxGraphDepth,
    functions: d.functions,
    ops: [...d.ops.values()].sort((a, b) => b.count - a.count),
    tensors,
    externalFiles: [...externalFiles],
    findings: sink.finish(),
  };
}

/** `complete`: the whole model decoded, so absent fields are really absent. */
function checkVersions(ir: number | null, opsets: { domain: string; version: number }[], complete: boolean, sink: FindingSink): void {
  if (ir === null) {
    if (complete) sink.add('ONNX_VERSION_UNUSUAL', 'ir_version is missing');
  } else if (ir <= 0 || ir > MAX_IR_VERSION) sink.add('ONNX_VERSION_UNUSUAL', `ir_version ${ir} is outside 1..${MAX_IR_VERSION}`);
  if (complete && opsets.length === 0 && ir !== null && ir >= 3) sink.add('ONNX_VERSION_UNUSUAL', `ir_version ${ir} requires opset_import, none given`);
  for (const o of opsets) {
    const max = MAX_OPSET[o.domain];
    if (o.version <= 0 || (max !== undefined && o.version > max)) {
      sink.add('ONNX_VERSION_UNUSUAL', `opset ${JSON.stringify(excerpt(o.domain, 60))} version ${o.version} is outside 1..${max ?? '∞'}`, 'opset_import');
    }
  }
}

/**
 * One finding per non-standard domain used by nodes. Ops matching a model-local function expand
 * to standard ops and load no library; com.microsoft ops ship with ONNX Runtime.
 */
function checkDomains(ops: Map<string, OnnxOpUse>, functions: OnnxFunctionRecord[], sink: FindingSink): void {
  const local = new Set(functions.map((f) => `${f.domain}::${f.name}`));
  const byDomain = new Map<string, { native: OnnxOpUse[]; local: OnnxOpUse[] }>();
  for (const [key, use] of ops) {
    if (STANDARD_DOMAINS.has(use.domain)) continue;
    let entry = byDomain.get(use.domain);
    if (entry === undefined) byDomain.set(use.domain, (entry = { native: [], local: [] }));
    (local.has(key) ? entry.local : entry.native).push(use);
  }
  for (const [domain, { native, local: viaFunctions }] of byDomain) {
    const name = JSON.stringify(excerpt(domain, 80));
    if (native.length > 0) {
      const count = native.reduce((n, u) => n + u.count, 0);
      const list = native.slice(0, 10).map((u) => excerpt(u.opType, 60)).join(', ');
      const msg = `${count} node(s) in domain ${name} (${list}${native.length > 10 ? ', …' : ''})`;
      if (domain === MICROSOFT_DOMAIN || domain.startsWith(MICROSOFT_DOMAIN + '.')) {
        sink.add('ONNX_MICROSOFT_DOMAIN', `${msg}: ONNX Runtime contrib ops`, native[0]!.firstPath);
      } else {
        sink.add('ONNX_CUSTOM_DOMAIN', `${msg}: custom operators run a native library registered by the loader`, native[0]!.firstPath);
      }
    }
    if (viaFunctions.length > 0) {
      const list = viaFunctions.slice(0, 10).map((u) => excerpt(u.opType, 60)).join(', ');
      sink.add('ONNX_LOCAL_FUNCTION', `domain ${name} ops ${list} are model-local functions`, viaFunctions[0]!.firstPath);
    }
  }
}

function checkTensor(t: OnnxTensorRecord, sink: FindingSink, externalFiles: Set<string>): void {
  const label = `tensor ${JSON.stringify(excerpt(t.name))}`;
  if (t.storage === 'external') {
    const x = t.external!;
    if (x.location === null || x.location === '') {
      sink.add('ONNX_EXTERNAL_DATA_INVALID', `${label} is external but names no location`, t.path);
    } else {
      const escape = pathEscapeReason(x.location);
      if (escape !== null) {
        sink.add('ONNX_EXTERNAL_DATA_ESCAPE', `${label} external data location ${JSON.stringify(excerpt(x.location))} ${escape}: it reads a file outside the model folder`, t.path);
      } else if (externalFiles.size < 1000) externalFiles.add(x.location);
    }
    for (const [key, v] of [['offset', x.offset], ['length', x.length]] as const) {
      if (v !== null && !/^\d{1,15}$/.test(v)) {
        sink.add('ONNX_EXTERNAL_DATA_INVALID', `${label} external ${key} ${JSON.stringify(excerpt(v, 40))} is not a non-negative integer`, t.path);
      }
    }
  }
  if (t.payloadLength > HUGE_TENSOR_BYTES) {
    const mb = Math.round(t.payloadLength / 2 ** 20);
    if (t.role === 'initializer' || t.role === 'sparse') sink.add('ONNX_HUGE_INITIALIZER', `${label} holds ${mb} MB`, t.path);
    else sink.add('ONNX_HUGE_CONSTANT', `${label} in a node attribute holds ${mb} MB (constants this size exhaust memory when the graph is loaded)`, t.path);
  }
  const expected = expectedStoredBytes(t);
  if (expected !== undefined && expected !== t.payloadLength) {
    sink.add(
      'ONNX_TENSOR_SIZE_MISMATCH',
      `${label} dims [${t.dims.join(', ')}] of ${ONNX_DATA_TYPES[t.dataType] ?? `type ${t.dataType}`} need ${expected ?? 'an overflowing number of'} bytes, ${t.storage} holds ${t.payloadLength}`,
      t.path,
    );
  }
}

/** Bytes a fixed-width payload must hold; undefined when not checkable, null on overflow. */
function expectedStoredBytes(t: OnnxTensorRecord): number | null | undefined {
  if (t.dimCount > t.dims.length) return undefined;
  const dtype = ONNX_DATA_TYPES[t.dataType];
  if (dtype === undefined) return undefined;
  let bits: number | undefined;
  if (t.storage === 'raw') bits = ELEMENT_BITS[dtype];
  else if (t.storage === 'float_data') bits = dtype === 'float32' ? 32 : dtype === 'complex64' ? 64 : undefined;
  else if (t.storage === 'double_data') bits = dtype === 'float64' ? 64 : dtype === 'complex128' ? 128 : undefined;
  if (bits === undefined) return undefined;
  const count = elementCount(t.dims);
  if (count === null) return null;
  const total = Math.ceil((count * bits) / 8);
  return Number.isSafeInteger(total) ? total : null;
}

function tensorInfo(t: OnnxTensorRecord): OnnxTensorInfo {
  const info: OnnxTensorInfo = {
    name: t.name,
    dtype: ONNX_DATA_TYPES[t.dataType] ?? `onnx_type_${t.dataType}`,
    shape: t.dims,
    byteOffset: Math.max(0, t.payloadOffset),
    byteLength: t.payloadLength,
    role: t.role,
    storage: t.storage,
    path: t.path,
  };
  if (t.storage === 'external' && t.external !== null) {
    info.external = t.external;
    if (t.external.location !== null) info.externalLocation = t.external.location;
    const off = t.external.offset;
    info.byteOffset = off !== null && /^\d{1,15}$/.test(off) ? Number(off) : 0;
  }
  return info;
}
