/**
 * Walks an ONNX ModelProto (onnx/onnx.proto3) with the bounded wire reader and records what the
 * triage needs: versions, opsets, every node's (domain, op_type) including nodes in If/Loop/Scan
 * bodies, training graphs and model-local functions, and every tensor with where its payload lies.
 * onnx.ts turns the record into findings. Recursion is bounded by MAX_GRAPH_DEPTH.
 */
import type { ByteCursor } from './byte-cursor.js';
import type { FindingSink } from './finding-sink.js';
import { ATTRIBUTE, FUNCTION, GRAPH, MODEL, NODE, SPARSE_TENSOR, TRAINING_INFO } from './onnx-fields.js';
import {
  MAX_DIMS,
  MAX_SCANNED_STRING,
  readOpset,
  readStringEntry,
  readTensorProto,
  readValueInfo,
  type OnnxTensorRecord,
  type OnnxValueInfo,
} from './onnx-messages.js';
import { WIRE_LEN, WIRE_VARINT, WireReader } from './protobuf-wire.js';
import { excerpt, scanSuspiciousText } from './suspicious-text.js';

/** Subgraph nesting (If inside Loop inside …) analysed; deeper bodies are skipped and reported. */
export const MAX_GRAPH_DEPTH = 16;
const MAX_NODES = 5_000_000;
const MAX_TENSORS = 1_000_000;
const MAX_LISTED_NODES = 100_000;
const MAX_VALUE_INFOS = 10_000;
const MAX_ENTRIES = 1_000;
const MAX_GRAPHS = 10_000;
const MAX_OP_KINDS = 100_000;

export interface OnnxNodeRef {
  opType: string;
  domain: string;
  name: string;
}

export interface OnnxGraphRecord {
  path: string;
  name: string;
  depth: number;
  nodeCount: number;
  initializerCount: number;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxFunctionRecord {
  domain: string;
  name: string;
  nodeCount: number;
}

export interface OnnxOpUse {
  domain: string;
  opType: string;
  count: number;
  /** Path of the first node using it. */
  firstPath: string;
}

export interface OnnxDecoded {
  irVersion: number | null;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number | null;
  opsetImports: { domain: string; version: number }[];
  metadataProps: { key: string; value: string }[];
  /** The main graph; null when the model has none. */
  graph: OnnxGraphRecord | null;
  /** Node list of the main graph (first MAX_LISTED_NODES). */
  mainNodes: OnnxNodeRef[];
  /** Every graph seen (main, subgraph bodies, training graphs), up to MAX_GRAPHS. */
  graphs: OnnxGraphRecord[];
  functions: OnnxFunctionRecord[];
  /** Operator use over every graph and function body, keyed `domain::op_type`. */
  ops: Map<string, OnnxOpUse>;
  tensors: OnnxTensorRecord[];
  totalNodes: number;
  maxGraphDepth: number;
}

/** `graph.node[3](Conv)`, or `graph.node[3]` while the op type is not yet known. */
function nodeLabel(path: string, opType: string): string {
  return opType === '' ? path : `${path}(${excerpt(opType, 60)})`;
}

/** Raised to unwind when a global budget is spent; the finding is already recorded. */
class BudgetSpent extends Error {}

interface NodeScratch {
  opType: string;
  domain: string;
  /** Indices into out.tensors of the tensors held directly in this node's attributes. */
  tensorIndices: number[];
}

export class OnnxDecoder {
  readonly out: OnnxDecoded = {
    irVersion: null,
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: null,
    opsetImports: [],
    metadataProps: [],
    graph: null,
    mainNodes: [],
    graphs: [],
    functions: [],
    ops: new Map(),
    tensors: [],
    totalNodes: 0,
    maxGraphDepth: 0,
  };
  private readonly w: WireReader;
  private droppedTensors = 0;

  constructor(
    cursor: ByteCursor,
    private readonly sink: FindingSink,
  ) {
    this.w = new WireReader(cursor);
  }

  /** Decodes the ModelProto spanning the whole source. Throws WireError on malformed input. */
  async decodeModel(): Promise<void> {
    const w = this.w;
    const o = this.out;
    const end = w.cursor.size;
    try {
      for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
        const f = t.field;
        if (t.wire === WIRE_VARINT && f === MODEL.irVersion) o.irVersion = await w.int64(end);
        else if (t.wire === WIRE_VARINT && f === MODEL.modelVersion) o.modelVersion = await w.int64(end);
        else if (t.wire !== WIRE_LEN) await w.skip(t.wire, end);
        else if (f === MODEL.producerName) o.producerName = await w.string(end, 256);
        else if (f === MODEL.producerVersion) o.producerVersion = await w.string(end, 256);
        else if (f === MODEL.domain) o.domain = await w.string(end, 256);
        else if (f === MODEL.opsetImport) {
          const op = await readOpset(w, await w.span(end));
          if (o.opsetImports.length < MAX_ENTRIES) o.opsetImports.push(op);
        } else if (f === MODEL.metadataProps) {
          const e = await readStringEntry(w, await w.span(end));
          this.scanString(e.value, `metadata_props[${JSON.stringify(excerpt(e.key, 60))}]`);
          if (o.metadataProps.length < MAX_ENTRIES) o.metadataProps.push(e);
        } else if (f === MODEL.graph) o.graph = await this.graph(await w.span(end), 'graph', 0, o.mainNodes);
        else if (f === MODEL.trainingInfo) await this.trainingInfo(await w.span(end), `training_info[${o.graphs.length}]`);
        else if (f === MODEL.functions) await this.func(await w.span(end), `functions[${o.functions.length}]`);
        else await w.skip(t.wire, end);
      }
    } catch (e) {
      if (!(e instanceof BudgetSpent)) throw e;
    }
  }

  private async trainingInfo(end: number, path: string): Promise<void> {
    const w = this.w;
    for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
      if ((t.field === TRAINING_INFO.initialization || t.field === TRAINING_INFO.algorithm) && t.wire === WIRE_LEN) {
        const part = t.field === TRAINING_INFO.initialization ? 'initialization' : 'algorithm';
        await this.graph(await w.span(end), `${path}.${part}`, 1, null);
      } else await w.skip(t.wire, end);
    }
  }

  /** A model-local FunctionProto: its nodes count toward op use like graph nodes. */
  private async func(end: number, path: string): Promise<void> {
    const w = this.w;
    const rec: OnnxFunctionRecord = { domain: '', name: '', nodeCount: 0 };
    for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
      if (t.wire !== WIRE_LEN) await w.skip(t.wire, end);
      else if (t.field === FUNCTION.name) rec.name = await w.string(end, 256);
      else if (t.field === FUNCTION.domain) rec.domain = await w.string(end, 256);
      else if (t.field === FUNCTION.node) {
        await this.node(await w.span(end), `${path}.node[${rec.nodeCount}]`, 1);
        rec.nodeCount++;
      } else if (t.field === FUNCTION.attributeProto) {
        await this.attribute(await w.span(end), `${path}.attribute_proto`, 1, { opType: '', domain: '', tensorIndices: [] });
      } else await w.skip(t.wire, end);
    }
    if (this.out.functions.length < MAX_ENTRIES) this.out.functions.push(rec);
  }

  /** A GraphProto at subgraph depth `depth`; `nodeList` collects node refs (main graph only). */
  private async graph(end: number, path: string, depth: number, nodeList: OnnxNodeRef[] | null): Promise<OnnxGraphRecord | null> {
    const w = this.w;
    if (depth > MAX_GRAPH_DEPTH) {
      this.sink.add('ONNX_NESTING_TOO_DEEP', `subgraph nested deeper than ${MAX_GRAPH_DEPTH} levels was not analysed`, path);
      w.cursor.pos = end;
      return null;
    }
    if (depth > this.out.maxGraphDepth) this.out.maxGraphDepth = depth;
    const rec: OnnxGraphRecord = { path, name: '', depth, nodeCount: 0, initializerCount: 0, inputs: [], outputs: [] };
    const initNames = new Set<string>();
    for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
      if (t.wire !== WIRE_LEN) {
        await w.skip(t.wire, end);
        continue;
      }
      switch (t.field) {
        case GRAPH.node: {
          const n = await this.node(await w.span(end), `${path}.node[${rec.nodeCount}]`, depth);
          rec.nodeCount++;
          if (nodeList !== null && nodeList.length < MAX_LISTED_NODES) nodeList.push(n);
          break;
        }
        case GRAPH.name:
          rec.name = await w.string(end, 256);
          break;
        case GRAPH.initializer: {
          const ipath = `${path}.initializer[${rec.initializerCount}]`;
          const tensor = await this.tensor(await w.span(end), ipath, 'initializer');
          rec.initializerCount++;
          if (initNames.has(tensor.name)) {
            this.sink.add('ONNX_DUPLICATE_INITIALIZER', `initializer ${JSON.stringify(excerpt(tensor.name))} is defined more than once; runtimes disagree on which wins`, ipath);
          } else initNames.add(tensor.name);
          break;
        }
        case GRAPH.sparseInitializer:
          await this.sparse(await w.span(end), `${path}.sparse_initializer`, 'sparse', null);
          break;
        case GRAPH.input:
        case GRAPH.output: {
          const list = t.field === GRAPH.input ? rec.inputs : rec.outputs;
          const spanEnd = await w.span(end);
          if (list.length < MAX_VALUE_INFOS) list.push(await readValueInfo(w, spanEnd));
          else w.cursor.pos = spanEnd;
          break;
        }
        default:
          await w.skip(t.wire, end);
      }
    }
    if (this.out.graphs.length < MAX_GRAPHS) this.out.graphs.push(rec);
    return rec;
  }

  private async node(end: number, path: string, depth: number): Promise<OnnxNodeRef> {
    const w = this.w;
    if (++this.out.totalNodes > MAX_NODES) {
      this.sink.add('FORMAT_LIMIT_EXCEEDED', `more than ${MAX_NODES} nodes; the rest of the model was not analysed`, path);
      throw new BudgetSpent();
    }
    const n: NodeScratch = { opType: '', domain: '', tensorIndices: [] };
    let name = '';
    for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
      if (t.wire !== WIRE_LEN) await w.skip(t.wire, end);
      else if (t.field === NODE.opType) n.opType = await w.string(end, 256);
      else if (t.field === NODE.domain) n.domain = await w.string(end, 256);
      else if (t.field === NODE.name) name = await w.string(end, 256);
      // Writers emit fields in number order, so op_type (4) is usually known before attributes (5).
      else if (t.field === NODE.attribute) await this.attribute(await w.span(end), `${nodeLabel(path, n.opType)}.attribute`, depth, n);
      else await w.skip(t.wire, end);
    }
    const label = nodeLabel(path, n.opType);
    if (n.opType === 'Constant' && (n.domain === '' || n.domain === 'ai.onnx')) {
      for (const i of n.tensorIndices) {
        const rec = this.out.tensors[i];
        if (rec !== undefined) rec.role = 'constant';
      }
    }
    const key = `${n.domain}::${n.opType}`;
    const use = this.out.ops.get(key);
    if (use !== undefined) use.count++;
    else if (this.out.ops.size < MAX_OP_KINDS) this.out.ops.set(key, { domain: n.domain, opType: n.opType, count: 1, firstPath: label });
    return { opType: n.opType, domain: n.domain, name };
  }

  private async attribute(end: number, path: string, depth: number, n: NodeScratch): Promise<void> {
    const w = this.w;
    let name = '';
    for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
      if (t.wire !== WIRE_LEN) {
        await w.skip(t.wire, end);
        continue;
      }
      const here = `${path}(${excerpt(name, 60)})`;
      switch (t.field) {
        case ATTRIBUTE.name:
          name = await w.string(end, 256);
          break;
        case ATTRIBUTE.s:
        case ATTRIBUTE.strings:
          this.scanString(await w.string(end, MAX_SCANNED_STRING), here);
          break;
        case ATTRIBUTE.t:
        case ATTRIBUTE.tensors: {
          await this.tensor(await w.span(end), here, 'attribute', n);
          break;
        }
        case ATTRIBUTE.g:
        case ATTRIBUTE.graphs:
          await this.graph(await w.span(end), `${here}.graph`, depth + 1, null);
          break;
        case ATTRIBUTE.sparseTensor:
        case ATTRIBUTE.sparseTensors:
          await this.sparse(await w.span(end), here, 'attribute', n);
          break;
        default:
          await w.skip(t.wire, end);
      }
    }
  }

  private async sparse(end: number, path: string, role: 'sparse' | 'attribute', n: NodeScratch | null): Promise<void> {
    const w = this.w;
    for (let t = await w.tag(end); t !== null; t = await w.tag(end)) {
      if ((t.field === SPARSE_TENSOR.values || t.field === SPARSE_TENSOR.indices) && t.wire === WIRE_LEN) {
        const part = t.field === SPARSE_TENSOR.values ? 'values' : 'indices';
        await this.tensor(await w.span(end), `${path}.${part}`, role, n);
      } else await w.skip(t.wire, end);
    }
  }

  /** Decodes a TensorProto and keeps it (up to MAX_TENSORS), remembering attribute tensors on `n`. */
  private async tensor(end: number, path: string, role: OnnxTensorRecord['role'], n: NodeScratch | null = null): Promise<OnnxTensorRecord> {
    const rec = await readTensorProto(this.w, end, path, role);
    if (rec.dimCount > MAX_DIMS) {
      this.sink.add('FORMAT_LIMIT_EXCEEDED', `tensor ${JSON.stringify(excerpt(rec.name))} has ${rec.dimCount} dims; only ${MAX_DIMS} kept`, path);
    }
    if (this.out.tensors.length >= MAX_TENSORS) {
      if (this.droppedTensors++ === 0) {
        this.sink.add('FORMAT_LIMIT_EXCEEDED', `more than ${MAX_TENSORS} tensors; the rest are not listed`, path);
      }
      return rec;
    }
    if (n !== null) n.tensorIndices.push(this.out.tensors.length);
    this.out.tensors.push(rec);
    return rec;
  }

  private scanString(text: string, location: string): void {
    const s = scanSuspiciousText(text);
    const kinds = [...s.code, ...s.shell, ...s.script];
    if (kinds.length > 0) {
      this.sink.add('ONNX_SUSPICIOUS_STRING', `string reads like code or markup (${kinds.join(', ')}): ${JSON.stringify(excerpt(text))}`, location);
    }
  }
}
