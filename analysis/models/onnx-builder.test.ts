import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { attr, decodeModel, encodeModel, node, tensorValue, ELEM_FLOAT } from './onnx-builder.js';

describe('onnx-builder', () => {
  it('writes the attribute types onnx.proto defines (kept as constants so building a node loads no protobuf)', () => {
    const T = onnxProto.onnx.AttributeProto.AttributeType;
    expect(attr.float('f', 1).type).toBe(T.FLOAT);
    expect(attr.int('i', 1).type).toBe(T.INT);
    expect(attr.string('s', 'x').type).toBe(T.STRING);
    expect(attr.floats('fs', [1]).type).toBe(T.FLOATS);
    expect(attr.ints('is', [1]).type).toBe(T.INTS);
    expect(attr.strings('ss', ['x']).type).toBe(T.STRINGS);
  });

  it('encodes a model that decodes to the same graph and attributes', () => {
    const bytes = encodeModel({
      graph: {
        name: 'g',
        node: [node('Relu', ['x'], ['y'], 'relu', [attr.int('k', 3), attr.strings('names', ['a', 'b'])])],
        input: [tensorValue('x', ELEM_FLOAT, ['batch', 2])],
        output: [tensorValue('y', ELEM_FLOAT, ['batch', 2])],
      },
      opsets: [{ domain: '', version: 14 }],
      producerVersion: 'test',
      docString: 'doc',
      metadata: [['seed', '7']],
    });
    const m = decodeModel(bytes);
    expect(m.graph?.node?.[0]?.opType).toBe('Relu');
    expect(Number(m.graph?.node?.[0]?.attribute?.[0]?.i)).toBe(3);
    expect(m.graph?.node?.[0]?.attribute?.[1]?.strings?.map((s) => new TextDecoder().decode(s))).toEqual(['a', 'b']);
    expect(m.metadataProps?.[0]).toMatchObject({ key: 'seed', value: '7' });
  });
});
