/**
 * The per-chunk statistics as an ONNX graph (opset 18), so they can run on a GPU through ONNX
 * Runtime. Input `x`: float32 [N]. Outputs, all float64 unless noted: sum and sum of squares of
 * the finite values, their min and max (float32), NaN / +Inf / −Inf / exact-zero counts, and
 * `hist` [513]: counts per sign·256 + float32 exponent byte (bin 512 collects non-finite values).
 * The exponent comes from Log, then is corrected against an exact table of powers of two
 * (Gather), so it equals the bit-level exponent the CPU kernel reads, off-by-one rounding of the
 * logarithm included. ScatterElements(reduction='add') is the bincount.
 */
import type onnxProto from 'onnx-proto';

type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;

/** onnx.TensorProto.DataType and AttributeProto.AttributeType values used here (onnx/onnx.proto). */
const T = { FLOAT: 1, INT64: 7, DOUBLE: 11 } as const;
const A = { INT: 2, STRING: 3, TENSOR: 4 } as const;

export const STATS_GRAPH_OUTPUTS = ['sum', 'sumsq', 'min', 'max', 'nan', 'posinf', 'neginf', 'zeros', 'hist'] as const;
export const STATS_OPSET = 18;

function f32Tensor(name: string, values: number[], dims: number[] = []): ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const dv = new DataView(raw.buffer);
  values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return { name, dims, dataType: T.FLOAT, rawData: raw };
}

function f64Tensor(name: string, values: number[], dims: number[] = []): ITensorProto {
  const raw = new Uint8Array(values.length * 8);
  const dv = new DataView(raw.buffer);
  values.forEach((v, i) => dv.setFloat64(i * 8, v, true));
  return { name, dims, dataType: T.DOUBLE, rawData: raw };
}

const int = (name: string, i: number): IAttributeProto => ({ name, type: A.INT, i });

/** The serialized ModelProto (onnx-proto is loaded only when a GPU or ONNX path is asked for). */
export async function statsGraphModel(): Promise<Uint8Array> {
  const { onnx } = (await import('onnx-proto')).default;
  const nodes: INodeProto[] = [];
  let k = 0;
  const n = (op: string, inputs: string[], output: string, attribute: IAttributeProto[] = []): string => {
    nodes.push({ opType: op, input: inputs, output: [output], name: `${op}_${k++}`, attribute, domain: '' });
    return output;
  };
  const toDouble = (x: string, out: string): string => n('Cast', [x], out, [int('to', T.DOUBLE)]);
  const count = (mask: string, out: string): string => n('ReduceSum', [toDouble(mask, `${out}_d`)], out, [int('keepdims', 0)]);

  const isnan = n('IsNaN', ['x'], 'isnan');
  const isinf = n('IsInf', ['x'], 'isinf');
  const finite = n('Not', [n('Or', [isnan, isinf], 'nonfinite')], 'finite');
  const xf = n('Where', [finite, 'x', 'c_zero'], 'xf');
  const xd = toDouble(xf, 'xd');
  n('ReduceSum', [xd], 'sum', [int('keepdims', 0)]);
  n('ReduceSum', [n('Mul', [xd, xd], 'xd2')], 'sumsq', [int('keepdims', 0)]);
  n('ReduceMin', [n('Where', [finite, 'x', 'c_pinf'], 'xmin')], 'min', [int('keepdims', 0)]);
  n('ReduceMax', [n('Where', [finite, 'x', 'c_ninf'], 'xmax')], 'max', [int('keepdims', 0)]);
  count(isnan, 'nan');
  count(n('IsInf', ['x'], 'isposinf', [int('detect_negative', 0)]), 'posinf');
  count(n('IsInf', ['x'], 'isneginf', [int('detect_positive', 0)]), 'neginf');
  count(n('Equal', ['x', 'c_zero'], 'iszero'), 'zeros');

  // Exponent byte of |x| as float32 (IEEE 754 binary32: 0 for zero/subnormal, e + 127 otherwise).
  const a = n('Abs', [xf], 'a');
  const am = n('Max', [a, 'c_tiny'], 'am');
  const ef = n('Floor', [n('Mul', [n('Log', [am], 'lg'), 'c_inv_ln2'], 'lg2')], 'ef');
  const ec = n('Clip', [ef, 'c_emin', 'c_emax'], 'ec');
  const idx = n('Cast', [n('Add', [ec, 'c_126'], 'ec126')], 'idx', [int('to', T.INT64)]);
  const p = n('Gather', ['c_pow2', idx], 'p', [int('axis', 0)]);
  const up = n('Cast', [n('GreaterOrEqual', [am, n('Mul', [p, 'c_two'], 'p2')], 'ge')], 'up', [int('to', T.FLOAT)]);
  const down = n('Cast', [n('Less', [am, p], 'lt')], 'down', [int('to', T.FLOAT)]);
  const ee = n('Sub', [n('Add', [ec, up], 'eu'), down], 'e');
  const byte = n('Where', [n('Less', [a, 'c_tiny'], 'sub'), 'c_zero', n('Add', [ee, 'c_127'], 'e127')], 'byte');
  const neg = n('Cast', [n('Less', ['x', 'c_zero'], 'isneg')], 'neg', [int('to', T.FLOAT)]);
  const bin = n('Add', [n('Mul', [neg, 'c_256'], 'neg256'), byte], 'bin');
  const binAll = n('Cast', [n('Where', [finite, bin, 'c_512'], 'bin_f')], 'bin_i', [int('to', T.INT64)]);
  const ones = n('ConstantOfShape', [n('Shape', ['x'], 'xshape')], 'ones', [{ name: 'value', type: A.TENSOR, t: f64Tensor('one', [1], [1]) }]);
  n('ScatterElements', ['c_hist0', binAll, ones], 'hist', [int('axis', 0), { name: 'reduction', type: A.STRING, s: new TextEncoder().encode('add') }]);

  const pow2: number[] = [];
  for (let i = -126; i <= 127; i++) pow2.push(2 ** i);
  const initializer: ITensorProto[] = [
    f32Tensor('c_zero', [0]), f32Tensor('c_pinf', [Infinity]), f32Tensor('c_ninf', [-Infinity]), f32Tensor('c_tiny', [2 ** -126]),
    f32Tensor('c_inv_ln2', [1 / Math.LN2]), f32Tensor('c_emin', [-126]), f32Tensor('c_emax', [127]), f32Tensor('c_126', [126]),
    f32Tensor('c_127', [127]), f32Tensor('c_two', [2]), f32Tensor('c_256', [256]), f32Tensor('c_512', [512]),
    f32Tensor('c_pow2', pow2, [pow2.length]), f64Tensor('c_hist0', new Array<number>(513).fill(0), [513]),
  ];
  const scalar = (name: string, elemType: number) => ({ name, type: { tensorType: { elemType, shape: { dim: [] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: STATS_OPSET }],
    producerName: 'mlshield-workbench',
    graph: {
      name: 'tensor_chunk_stats',
      node: nodes,
      initializer,
      input: [{ name: 'x', type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'n' }] } } } }],
      output: [
        scalar('sum', T.DOUBLE), scalar('sumsq', T.DOUBLE), scalar('min', T.FLOAT), scalar('max', T.FLOAT), scalar('nan', T.DOUBLE),
        scalar('posinf', T.DOUBLE), scalar('neginf', T.DOUBLE), scalar('zeros', T.DOUBLE),
        { name: 'hist', type: { tensorType: { elemType: T.DOUBLE, shape: { dim: [{ dimValue: 513 }] } } } },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
