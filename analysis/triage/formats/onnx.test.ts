import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { bufferSource, type ByteSource } from '../../core/byte-source.js';
import { isAtLeast } from '../severity.js';
import { readOnnx } from './onnx.js';

// onnx-proto (protobufjs, ONNX 1.10 schema) is used only here, to cross-check our decoder.
const { onnx } = onnxProto;
type Long = { toNumber(): number };
const num = (x: number | Long | null | undefined): number => (x === null || x === undefined ? 0 : typeof x === 'number' ? x : x.toNumber());

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.onnx'));

function encode(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

async function read(model: onnxProto.onnx.IModelProto | Uint8Array) {
  return readOnnx(bufferSource('m.onnx', model instanceof Uint8Array ? model : encode(model)));
}

function ids(r: { findings: { id: string }[] }): string[] {
  return r.findings.map((f) => f.id);
}

/** Nodes in a graph and every subgraph under it (If/Loop/Scan bodies). */
function countNodes(g: onnxProto.onnx.IGraphProto | null | undefined): number {
  if (!g) return 0;
  let n = 0;
  for (const node of g.node ?? []) {
    n++;
    for (const a of node.attribute ?? []) {
      n += countNodes(a.g);
      for (const sub of a.graphs ?? []) n += countNodes(sub);
    }
  }
  return n;
}

const base = (graph: onnxProto.onnx.IGraphProto, extra: Partial<onnxProto.onnx.IModelProto> = {}): onnxProto.onnx.IModelProto => ({
  irVersion: 8,
  producerName: 'test',
  opsetImport: [{ domain: '', version: 17 }],
  graph,
  ...extra,
});
const relu = { opType: 'Relu', input: ['x'], output: ['y'] };

describe('readOnnx on the corpus (all benign)', () => {
  it('has every corpus ONNX file', () => {
    expect(files.length).toBe(17);
  });

  for (const file of files) {
    it(`decodes ${file} like onnx-proto and flags nothing above info`, async () => {
      const bytes = new Uint8Array(readFileSync(FIXTURES + file));
      const r = await readOnnx(bufferSource(file, bytes));
      for (const f of r.findings) expect(isAtLeast(f.severity, 'low'), JSON.stringify(f)).toBe(false);

      const ref = onnx.ModelProto.decode(bytes);
      expect(r.irVersion).toBe(num(ref.irVersion));
      expect(r.producerName).toBe(ref.producerName);
      expect(r.producerVersion).toBe(ref.producerVersion);
      expect(r.opsetImports).toEqual(ref.opsetImport.map((o) => ({ domain: o.domain, version: num(o.version) })));
      const g = ref.graph as onnxProto.onnx.GraphProto;
      expect(r.graph!.nodeCount).toBe(g.node.length);
      expect(r.nodes.map((n) => [n.opType, n.domain, n.name])).toEqual(g.node.map((n) => [n.opType, n.domain, n.name]));
      expect(r.graph!.inputs.map((i) => i.name)).toEqual(g.input.map((i) => i.name));
      expect(r.graph!.outputs.map((o) => [o.name, o.elemType])).toEqual(g.output.map((o) => [o.name, o.type?.tensorType?.elemType ?? 0]));
      expect(r.totalNodes).toBe(countNodes(g) + (ref.functions ?? []).reduce((n, f) => n + (f.node?.length ?? 0), 0));

      const inits = r.tensors.filter((t) => t.role === 'initializer');
      expect(inits.map((t) => [t.name, t.shape, t.dtype])).toEqual(
        (g.initializer as onnxProto.onnx.TensorProto[]).map((t) => [t.name, t.dims.map(num), r.tensors.find((x) => x.name === t.name)!.dtype]),
      );
      (g.initializer as onnxProto.onnx.TensorProto[]).forEach((t, i) => {
        const mine = inits[i]!;
        if (t.rawData.length > 0) {
          expect(mine.storage).toBe('raw');
          // The recorded absolute offset points at exactly the raw_data bytes.
          expect(Buffer.compare(bytes.subarray(mine.byteOffset, mine.byteOffset + mine.byteLength), t.rawData)).toBe(0);
        } else if (t.floatData.length > 0) {
          expect(mine.storage).toBe('float_data');
          const view = new DataView(bytes.buffer, bytes.byteOffset + mine.byteOffset, mine.byteLength);
          const floats = Array.from({ length: mine.byteLength / 4 }, (_, k) => view.getFloat32(k * 4, true));
          expect(floats).toEqual(t.floatData);
        }
      });
    });
  }

  it('reads the tree-ensemble model in ai.onnx.ml without flagging the domain', async () => {
    const r = await readOnnx(bufferSource('t', new Uint8Array(readFileSync(FIXTURES + 'onnx__node_test_ai_onnx_ml_tree_ensemble_single_tree.onnx'))));
    expect(r.ops.map((o) => o.domain)).toEqual(['ai.onnx.ml']);
    expect(r.findings).toEqual([]);
  });
});

describe('readOnnx on hostile variants', () => {
  it('rates custom domains medium, com.microsoft info and local functions info', async () => {
    const r = await read(
      base(
        {
          node: [
            { opType: 'EvilOp', domain: 'com.attacker', input: ['x'], output: ['a'] },
            { opType: 'FusedGemm', domain: 'com.microsoft', input: ['a'], output: ['b'] },
            { opType: 'MyFn', domain: 'local.fn', input: ['b'], output: ['y'] },
          ],
        },
        {
          opsetImport: [{ domain: '', version: 17 }, { domain: 'com.attacker', version: 1 }, { domain: 'local.fn', version: 1 }],
          functions: [{ name: 'MyFn', domain: 'local.fn', input: ['i'], output: ['o'], node: [relu] }],
        },
      ),
    );
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([
      ['onnx.domain.custom', 'medium'],
      ['onnx.domain.microsoft', 'info'],
      ['onnx.domain.local-function', 'info'],
    ]);
    expect(r.findings[0]!.location).toBe('graph.node[0](EvilOp)');
  });

  it('finds custom ops hidden in If/Loop bodies and in function bodies', async () => {
    const inner = { node: [{ opType: 'Hidden', domain: 'evil', input: ['x'], output: ['y'] }] };
    const r = await read(
      base(
        { node: [{ opType: 'If', input: ['c'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: inner }, { name: 'else_branch', type: 5, g: { node: [relu] } }] }] },
        { functions: [{ name: 'F', domain: 'f', node: [{ opType: 'AlsoHidden', domain: 'evil2' }] }] },
      ),
    );
    expect(r.findings.filter((f) => f.id === 'onnx.domain.custom').map((f) => f.location)).toEqual([
      'graph.node[0](If).attribute(then_branch).graph.node[0](Hidden)',
      'functions[0].node[0](AlsoHidden)',
    ]);
    expect(r.totalNodes).toBe(4);
    expect(r.maxGraphDepth).toBe(1);
  });

  it('flags external data that leaves the model folder, and records safe external files', async () => {
    const ext = (name: string, location: string, extra: { key: string; value: string }[] = []) => ({
      name,
      dims: [4],
      dataType: 1,
      dataLocation: 1,
      externalData: [{ key: 'location', value: location }, { key: 'offset', value: '4096' }, { key: 'length', value: '16' }, ...extra],
    });
    const r = await read(
      base({
        node: [relu],
        initializer: [
          ext('a', '/etc/passwd'),
          ext('b', '../../secrets.bin'),
          ext('c', 'C:\\Windows\\system.ini'),
          ext('d', 'weights/model.bin'),
          ext('e', 'ok.bin', [{ key: 'length', value: '-5' }]),
        ],
      }),
    );
    expect(r.findings.filter((f) => f.id === 'onnx.external-data.path-escape').map((f) => f.location)).toEqual([
      'graph.initializer[0]',
      'graph.initializer[1]',
      'graph.initializer[2]',
    ]);
    expect(ids(r)).toContain('onnx.external-data.invalid');
    expect(r.externalFiles).toEqual(['weights/model.bin', 'ok.bin']);
    const d = r.tensors.find((t) => t.name === 'd')!;
    expect(d).toMatchObject({ storage: 'external', externalLocation: 'weights/model.bin', byteOffset: 4096, byteLength: 16 });
  });

  it('reports huge constants medium and huge initializers low', async () => {
    const big = { key: 'length', value: String(600 * 2 ** 20) };
    const r = await read(
      base({
        node: [{ opType: 'Constant', output: ['c'], attribute: [{ name: 'value', type: 4, t: { dims: [150 * 2 ** 20], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'c.bin' }, big] } }] }],
        initializer: [{ name: 'w', dims: [150 * 2 ** 20], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }, big] }],
      }),
    );
    expect(r.findings.filter((f) => f.id.startsWith('onnx.tensor.huge')).map((f) => [f.id, f.severity, f.location])).toEqual([
      ['onnx.tensor.huge-constant', 'medium', 'graph.node[0](Constant).attribute(value)'],
      ['onnx.tensor.huge-initializer', 'low', 'graph.initializer[0]'],
    ]);
    expect(r.tensors.find((t) => t.role === 'constant')?.byteLength).toBe(600 * 2 ** 20);
  });

  it('flags protobufs over 2 GB from the size alone', async () => {
    const small = encode(base({ node: [relu] }));
    const huge: ByteSource = {
      name: 'huge.onnx',
      size: 3 * 2 ** 30,
      read: (pos, len) => Promise.resolve(pos < small.length ? small.subarray(pos, Math.min(small.length, pos + len)) : new Uint8Array(Math.min(len, 1 << 20))),
    };
    const r = await readOnnx(huge);
    expect(ids(r)).toContain('onnx.protobuf.too-large');
    expect(ids(r)).toContain('format.malformed');
  });

  it('flags duplicate initializers, empty graphs, missing graphs and odd versions', async () => {
    const t = { name: 'w', dims: [1], dataType: 1, rawData: new Uint8Array(4) };
    expect(ids(await read(base({ node: [relu], initializer: [t, t] })))).toEqual(['onnx.graph.duplicate-initializer']);
    expect(ids(await read(base({ node: [] })))).toEqual(['onnx.graph.empty']);
    expect(ids(await read({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }] }))).toEqual(['onnx.graph.missing']);
    expect(ids(await read(base({ node: [relu] }, { irVersion: 99, opsetImport: [{ domain: '', version: 1000 }] })))).toEqual([
      'onnx.version.unusual',
      'onnx.version.unusual',
    ]);
    expect(ids(await read(base({ node: [relu] }, { irVersion: 8, opsetImport: [] })))).toEqual(['onnx.version.unusual']);
  });

  it('flags raw_data that disagrees with dims, including overflowing dims', async () => {
    const r = await read(
      base({
        node: [relu],
        initializer: [
          { name: 'a', dims: [2, 2], dataType: 1, rawData: new Uint8Array(12) },
          { name: 'b', dims: [2 ** 40, 2 ** 40], dataType: 1, rawData: new Uint8Array(4) },
          { name: 'c', dims: [3], dataType: 22, rawData: new Uint8Array(2) },
        ],
      }),
    );
    expect(r.findings.map((f) => f.location)).toEqual(['graph.initializer[0]', 'graph.initializer[1]']);
  });

  it('bounds subgraph nesting', async () => {
    let g: onnxProto.onnx.IGraphProto = { node: [relu] };
    for (let i = 0; i < 40; i++) g = { node: [{ opType: 'If', input: ['c'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g }] }] };
    const r = await read(base(g));
    expect(ids(r)).toEqual(['onnx.graph.nesting-too-deep']);
    expect(r.maxGraphDepth).toBe(16);
  });

  it('flags code in string attributes and metadata', async () => {
    const r = await read(
      base(
        { node: [{ opType: 'PyOp', domain: 'ai.onnx.contrib', attribute: [{ name: 'code', type: 3, s: new TextEncoder().encode('import os\nos.system("id")') }] }] },
        { metadataProps: [{ key: 'note', value: '<script>alert(1)</script>' }] },
      ),
    );
    expect(ids(r).sort()).toEqual(['onnx.domain.custom', 'onnx.string.suspicious', 'onnx.string.suspicious']);
  });

  it('survives lying lengths, bad wire types, giant varints and more dims than the bound', async () => {
    const lying = Uint8Array.from([0x08, 0x08, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a, 0x00]);
    expect(ids(await read(lying))).toEqual(['format.malformed']);
    const group = Uint8Array.from([0x08, 0x08, 0x3b]);
    expect(ids(await read(group))).toEqual(['format.malformed']);
    const longVarint = Uint8Array.from([0x08, ...new Array<number>(11).fill(0xff), 0x01]);
    expect(ids(await read(longVarint))).toEqual(['format.unreadable']);
    expect(ids(await read(new TextEncoder().encode('this is not a model')))).toEqual(['format.unreadable']);
    expect(ids(await read(new Uint8Array(0)))).toEqual(['format.unreadable']);
    const manyDims = await read(base({ node: [relu], initializer: [{ name: 'w', dims: new Array<number>(100_000).fill(1), dataType: 1, rawData: new Uint8Array(4) }] }));
    expect(ids(manyDims)).toEqual(['format.limit-exceeded']);
    expect(manyDims.tensors[0]!.shape.length).toBe(64);
  });

  it('reports every truncation of a real model without throwing', async () => {
    const bytes = new Uint8Array(readFileSync(FIXTURES + 'onnx__pytorch-converted_test_Conv2d.onnx'));
    for (let n = 0; n < bytes.length; n++) {
      const r = await read(bytes.subarray(0, n));
      for (const t of r.tensors) if (t.storage === 'raw') expect(t.byteOffset + t.byteLength).toBeLessThanOrEqual(n);
    }
  });
});
