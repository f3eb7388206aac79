/**
 * Exports the Isolation Forest as ONNX: `ai.onnx.ml` TreeEnsembleRegressor (opset 3, aggregate
 * AVERAGE, one target; each branch BRANCH_LT "x[f] < threshold → true (left) branch", leaves
 * weighted depth + c(leaf size)) gives E[h(x)] [N, 1]; then Mul by −ln2 / c(ψ) and Exp give the
 * anomaly score 2^(−E[h]/c(ψ)) as output `score` [N, 1] (ONNX default opset 14 for Mul/Exp).
 */
import { ELEM_FLOAT, attr, encodeModel, floatTensor, node, tensorValue } from './onnx-builder.js';
import { averagePathLength, type IsolationForest } from './iforest-train.js';

export const IFOREST_INPUT_NAME = 'features';
export const IFOREST_OUTPUT_NAME = 'score';

export interface IsolationForestExportInfo {
  featureNames: readonly string[];
  producerVersion: string;
  metadata: readonly [string, string][];
}

export function exportIsolationForestOnnx(forest: IsolationForest, info: IsolationForestExportInfo): Uint8Array {
  const F = forest.featureCount;
  if (info.featureNames.length !== F) throw new Error(`feature names (${info.featureNames.length}) do not match the feature count (${F})`);
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const targetTree: number[] = [];
  const targetNode: number[] = [];
  const targetIds: number[] = [];
  const targetWeights: number[] = [];
  forest.trees.forEach((t, ti) => {
    for (let n = 0; n < t.feature.length; n++) {
      treeIds.push(ti);
      nodeIds.push(n);
      const leaf = t.feature[n]! < 0;
      featureIds.push(leaf ? 0 : t.feature[n]!);
      values.push(leaf ? 0 : t.threshold[n]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LT');
      trueIds.push(leaf ? 0 : t.left[n]!);
      falseIds.push(leaf ? 0 : t.right[n]!);
      if (leaf) {
        targetTree.push(ti);
        targetNode.push(n);
        targetIds.push(0);
        targetWeights.push(t.leafValue[n]!);
      }
    }
  });
  const c = averagePathLength(forest.sampleSize);
  const k = c > 0 ? -Math.LN2 / c : 0;
  const graph = {
    name: 'mlshield_gpu_isolation_forest',
    node: [
      node(
        'TreeEnsembleRegressor',
        [IFOREST_INPUT_NAME],
        ['mean_path_length'],
        'isolation_trees',
        [
          attr.string('aggregate_function', 'AVERAGE'),
          attr.int('n_targets', 1),
          attr.string('post_transform', 'NONE'),
          attr.ints('nodes_treeids', treeIds),
          attr.ints('nodes_nodeids', nodeIds),
          attr.ints('nodes_featureids', featureIds),
          attr.floats('nodes_values', values),
          attr.strings('nodes_modes', modes),
          attr.ints('nodes_truenodeids', trueIds),
          attr.ints('nodes_falsenodeids', falseIds),
          attr.ints('target_treeids', targetTree),
          attr.ints('target_nodeids', targetNode),
          attr.ints('target_ids', targetIds),
          attr.floats('target_weights', targetWeights),
        ],
        'ai.onnx.ml',
      ),
      node('Mul', ['mean_path_length', 'neg_ln2_over_c'], ['log_score'], 'scale_by_c'),
      node('Exp', ['log_score'], [IFOREST_OUTPUT_NAME], 'anomaly_score'),
    ],
    initializer: [floatTensor('neg_ln2_over_c', [1], [k])],
    input: [tensorValue(IFOREST_INPUT_NAME, ELEM_FLOAT, ['batch', F])],
    output: [tensorValue(IFOREST_OUTPUT_NAME, ELEM_FLOAT, ['batch', 1])],
  };
  return encodeModel({
    graph,
    opsets: [
      { domain: '', version: 14 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    producerVersion: info.producerVersion,
    docString: 'MLShield Layer-2 Isolation Forest over GPU telemetry windows: anomaly score 2^(-E[h]/c(psi)).',
    metadata: [
      ['mlshield.model', 'gpu-isolation-forest'],
      ['mlshield.trees', String(forest.trees.length)],
      ['mlshield.sample_size', String(forest.sampleSize)],
      ['mlshield.features', info.featureNames.join(',')],
      ...info.metadata,
    ],
  });
}
