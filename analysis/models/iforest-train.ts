/**
 * Isolation Forest (Liu, Ting & Zhou, ICDM 2008) over GPU telemetry window features: seeded, 100
 * trees, subsample ψ = 256, height limit ⌈log2 ψ⌉. Path length h(x) = depth of the leaf reached +
 * c(leaf size); anomaly score s(x) = 2^(−E[h(x)] / c(ψ)), with c(n) = 2H(n−1) − 2(n−1)/n, H(i) ≈
 * ln i + γ (c(2) = 1, c(≤1) = 0, as scikit-learn). Split thresholds and leaf values are float32 so
 * this scoring and the exported ONNX TreeEnsembleRegressor take the same branches.
 */
import type { SeededRandom } from './seeded-random.js';

export interface IsolationForestHyperparameters {
  trees: number;
  sampleSize: number;
}

export const DEFAULT_IFOREST_HYPERPARAMETERS: IsolationForestHyperparameters = { trees: 100, sampleSize: 256 };

/** One tree, flat: node k is a leaf when feature[k] < 0; left (x < threshold) / right children. */
export interface IsolationTree {
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaves only: depth + c(size), rounded to float32. */
  leafValue: Float32Array;
}

export interface IsolationForest {
  featureCount: number;
  /** ψ actually used: min(sampleSize, training rows). */
  sampleSize: number;
  trees: IsolationTree[];
}

const EULER_GAMMA = 0.5772156649015329;

/** c(n): the average path length of an unsuccessful binary-search-tree search among n points. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** Rows as a float32 matrix (the precision the ONNX input has); non-finite values become 0. */
export function featureMatrix(rows: readonly (readonly number[])[], featureCount: number): Float32Array {
  const m = new Float32Array(rows.length * featureCount);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let k = 0; k < featureCount; k++) {
      const v = row[k];
      m[r * featureCount + k] = v !== undefined && Number.isFinite(v) ? v : 0;
    }
  }
  return m;
}

export function trainIsolationForest(x: Float32Array, rowCount: number, featureCount: number, hp: IsolationForestHyperparameters, rng: SeededRandom): IsolationForest {
  const psi = Math.max(1, Math.min(hp.sampleSize, rowCount));
  const heightLimit = Math.ceil(Math.log2(Math.max(2, psi)));
  const trees: IsolationTree[] = [];
  const all = new Int32Array(rowCount);
  for (let i = 0; i < rowCount; i++) all[i] = i;
  for (let t = 0; t < hp.trees; t++) {
    // Subsample without replacement: partial Fisher–Yates.
    for (let i = 0; i < psi && i < rowCount; i++) {
      const j = i + rng.int(rowCount - i);
      const tmp = all[i]!;
      all[i] = all[j]!;
      all[j] = tmp;
    }
    trees.push(buildTree(x, featureCount, all.slice(0, psi), heightLimit, rng));
  }
  return { featureCount, sampleSize: psi, trees };
}

function buildTree(x: Float32Array, F: number, sample: Int32Array, heightLimit: number, rng: SeededRandom): IsolationTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const leafValue: number[] = [];
  const candidates = new Int32Array(F);

  const grow = (idx: Int32Array, depth: number): number => {
    const node = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    leafValue.push(0);
    const leaf = (): number => {
      leafValue[node] = Math.fround(depth + averagePathLength(idx.length));
      return node;
    };
    if (depth >= heightLimit || idx.length <= 1) return leaf();
    // Random attribute among those that still vary in this node (constant ones can not isolate).
    let nc = 0;
    for (let k = 0; k < F; k++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let q = 0; q < idx.length; q++) {
        const v = x[idx[q]! * F + k]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi > lo) candidates[nc++] = k;
    }
    if (nc === 0) return leaf();
    const k = candidates[rng.int(nc)]!;
    let lo = Infinity;
    let hi = -Infinity;
    for (let q = 0; q < idx.length; q++) {
      const v = x[idx[q]! * F + k]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    let p = Math.fround(rng.range(lo, hi));
    if (!(p > lo && p <= hi)) p = hi; // float32 rounding fell onto lo: split just below hi instead
    let nLeft = 0;
    for (let q = 0; q < idx.length; q++) if (x[idx[q]! * F + k]! < p) nLeft++;
    const li = new Int32Array(nLeft);
    const ri = new Int32Array(idx.length - nLeft);
    let a = 0;
    let b = 0;
    for (let q = 0; q < idx.length; q++) {
      const r = idx[q]!;
      if (x[r * F + k]! < p) li[a++] = r;
      else ri[b++] = r;
    }
    feature[node] = k;
    threshold[node] = p;
    left[node] = grow(li, depth + 1);
    right[node] = grow(ri, depth + 1);
    return node;
  };
  grow(sample, 0);
  return { feature: Int32Array.from(feature), threshold: Float32Array.from(threshold), left: Int32Array.from(left), right: Int32Array.from(right), leafValue: Float32Array.from(leafValue) };
}

/** E[h(x)] over the trees for each row of a float32 matrix. */
export function meanPathLengths(forest: IsolationForest, x: Float32Array, rowCount: number): Float64Array {
  const F = forest.featureCount;
  const out = new Float64Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    let sum = 0;
    for (const t of forest.trees) {
      let n = 0;
      while (t.feature[n]! >= 0) n = x[r * F + t.feature[n]!]! < t.threshold[n]! ? t.left[n]! : t.right[n]!;
      sum += t.leafValue[n]!;
    }
    out[r] = forest.trees.length > 0 ? sum / forest.trees.length : 0;
  }
  return out;
}

/** Anomaly scores s = 2^(−E[h]/c(ψ)) in (0, 1]: near 1 isolated fast (anomalous), ≲ 0.5 normal. */
export function isolationScores(forest: IsolationForest, x: Float32Array, rowCount: number): Float64Array {
  const e = meanPathLengths(forest, x, rowCount);
  const c = averagePathLength(forest.sampleSize);
  // ψ ≤ 1 leaves c = 0: every score is 2^0 = 1, as the exported graph computes with a zero multiplier.
  for (let r = 0; r < rowCount; r++) e[r] = c > 0 ? Math.pow(2, -e[r]! / c) : 1;
  return e;
}
