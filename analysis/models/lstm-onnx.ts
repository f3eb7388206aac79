/**
 * Exports the Layer-2 LSTM as an ONNX model (default opset 14): input `features` [batch, seq, I]
 * float32 → Transpose to [seq, batch, I] (ONNX LSTM layout 0) → `LSTM` (gates i, o, f, c; W
 * [1, 4H, I], R [1, 4H, H], B [1, 8H] = Wb ‖ Rb) → last hidden state Y_h [1, batch, H] → Squeeze →
 * Gemm to one logit → Sigmoid → output `score` [batch, 1].
 */
import { ELEM_FLOAT, attr, encodeModel, floatTensor, int64Tensor, node, tensorValue } from './onnx-builder.js';
import type { LstmParams } from './lstm-model.js';

export const LSTM_INPUT_NAME = 'features';
export const LSTM_OUTPUT_NAME = 'score';
const OPSET = 14;

export interface LstmExportInfo {
  seq: number;
  featureNames: readonly string[];
  producerVersion: string;
  /** Extra metadata_props (seed, data hash), in order. */
  metadata: readonly [string, string][];
}

export function exportLstmOnnx(p: LstmParams, info: LstmExportInfo): Uint8Array {
  const H = p.hidden;
  const I = p.inputSize;
  if (info.featureNames.length !== I) throw new Error(`feature names (${info.featureNames.length}) do not match the input size (${I})`);
  const B = new Float32Array(8 * H);
  B.set(Float32Array.from(p.b), 0); // Wb; Rb stays zero (the cell only ever sees Wb + Rb)
  const graph = {
    name: 'mlshield_event_lstm',
    node: [
      node('Transpose', [LSTM_INPUT_NAME], ['x_seq_major'], 'to_seq_major', [attr.ints('perm', [1, 0, 2])]),
      node('LSTM', ['x_seq_major', 'W', 'R', 'B'], ['', 'Y_h'], 'lstm', [attr.int('hidden_size', H), attr.string('direction', 'forward')]),
      node('Squeeze', ['Y_h', 'squeeze_axes'], ['h_last'], 'drop_direction_axis'),
      node('Gemm', ['h_last', 'W_out', 'b_out'], ['logit'], 'head'),
      node('Sigmoid', ['logit'], [LSTM_OUTPUT_NAME], 'probability'),
    ],
    initializer: [
      floatTensor('W', [1, 4 * H, I], p.W),
      floatTensor('R', [1, 4 * H, H], p.R),
      floatTensor('B', [1, 8 * H], B),
      int64Tensor('squeeze_axes', [1], [0]),
      floatTensor('W_out', [H, 1], p.wOut),
      floatTensor('b_out', [1], [p.bOut]),
    ],
    input: [tensorValue(LSTM_INPUT_NAME, ELEM_FLOAT, ['batch', info.seq, I])],
    output: [tensorValue(LSTM_OUTPUT_NAME, ELEM_FLOAT, ['batch', 1])],
  };
  return encodeModel({
    graph,
    opsets: [{ domain: '', version: OPSET }],
    producerVersion: info.producerVersion,
    docString: 'MLShield Layer-2 event-sequence LSTM: P(malicious) of the last event of each window.',
    metadata: [
      ['mlshield.model', 'event-lstm'],
      ['mlshield.sequence_length', String(info.seq)],
      ['mlshield.hidden_size', String(H)],
      ['mlshield.features', info.featureNames.join(',')],
      ...info.metadata,
    ],
  });
}
