/**
 * Tiny hand-built ONNX graphs standing in for a broken Layer-2 model (tests only): each takes the
 * LSTM's `features` [batch, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT] input (or the shape asked for)
 * and answers a constant per row, optionally through Log (Log(0) = −∞, Log(−1) = NaN), in the
 * output shape and type asked for.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ELEM_FLOAT, ELEM_INT64, encodeModel, floatTensor, node, tensorValue, attr } from './onnx-builder.js';
import { EVENT_FEATURE_COUNT, SEQUENCE_LENGTH } from './event-features.js';
import { IFOREST_MODEL_FILE, LSTM_MODEL_FILE, TRAINING_REPORT_FILE, modelsDir } from './model-files.js';

export interface BrokenGraph {
  /** The declared input shape (default [batch, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT]). */
  input?: (number | string)[];
  /** Values per row (default 1). */
  width?: number;
  /** The constant each value starts from. */
  value: number;
  /** Pass the constant through Log. */
  log?: boolean;
  /** Cast the output to int64. */
  int64?: boolean;
  /** Reshape the flattened input to this fixed shape first (a model that fails on other batch sizes). */
  fixedRows?: number;
}

export function brokenModel(g: BrokenGraph): Uint8Array {
  const input = g.input ?? ['batch', SEQUENCE_LENGTH, EVENT_FEATURE_COUNT];
  const rowSize = input.slice(1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
  const width = g.width ?? 1;
  const nodes = [node('Flatten', ['features'], ['flat'], 'flatten', [attr.int('axis', 1)])];
  const init = [floatTensor('w', [rowSize, width], new Float32Array(rowSize * width)), floatTensor('b', [width], new Float32Array(width).fill(g.value))];
  let x = 'flat';
  if (g.fixedRows !== undefined) {
    init.push({ name: 'shape', dims: [2], dataType: ELEM_INT64, rawData: new Uint8Array(new BigInt64Array([BigInt(g.fixedRows), BigInt(rowSize)]).buffer) });
    nodes.push(node('Reshape', ['flat', 'shape'], ['fixed'], 'reshape'));
    x = 'fixed';
  }
  nodes.push(node('MatMul', [x, 'w'], ['mm'], 'matmul'), node('Add', ['mm', 'b'], [g.log || g.int64 ? 'pre' : 'score'], 'add'));
  if (g.log) nodes.push(node('Log', ['pre'], [g.int64 ? 'logged' : 'score'], 'log'));
  if (g.int64) nodes.push(node('Cast', [g.log ? 'logged' : 'pre'], ['score'], 'cast', [attr.int('to', ELEM_INT64)]));
  return encodeModel({
    graph: { name: 'broken', node: nodes, initializer: init, input: [tensorValue('features', ELEM_FLOAT, input)], output: [tensorValue('score', g.int64 ? ELEM_INT64 : ELEM_FLOAT, ['batch', width])] },
    opsets: [{ domain: '', version: 14 }],
    producerVersion: 'test',
    docString: 'a broken stand-in for a Layer-2 model',
    metadata: [],
  });
}

/** A temporary folder holding copies of the checked-in models and report, the report passed through `editReport`. */
export function checkedInCopy(editReport: (text: string) => string = (t) => t): string {
  const src = modelsDir()!;
  const dir = mkdtempSync(join(tmpdir(), 'mlshield-l2f-'));
  for (const f of [LSTM_MODEL_FILE, IFOREST_MODEL_FILE]) writeFileSync(join(dir, f), readFileSync(join(src, f)));
  writeFileSync(join(dir, TRAINING_REPORT_FILE), editReport(readFileSync(join(src, TRAINING_REPORT_FILE), 'utf8')));
  return dir;
}
