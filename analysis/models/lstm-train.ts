/**
 * Trains the Layer-2 LSTM in TypeScript: truncated to the fixed window, full backpropagation through
 * time over it, weighted binary cross-entropy on the last step's logit, Adam (Kingma & Ba 2015) with
 * global-norm gradient clipping. Seeded: the same data, hyperparameters and seed give the same
 * weights bit for bit. Inputs are sparse one-hot-heavy rows, so W·x and dW skip zeros.
 */
import { GATE_C, GATE_F, GATE_I, GATE_O, sigmoid, type LstmParams } from './lstm-model.js';
import { rocAuc } from './training-metrics.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * Windows over shared rows: window s is rows rowIndex[s*seq .. s*seq+seq-1] (−1 = zero padding),
 * so overlapping windows of one trajectory store each row once.
 */
export interface SequenceDataset {
  rows: Float32Array;
  dim: number;
  seq: number;
  rowIndex: Int32Array;
  labels: Uint8Array;
  count: number;
}

export interface LstmHyperparameters {
  hidden: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Global gradient-norm bound. */
  clipNorm: number;
  /** Loss weight of malicious windows; 'balanced' = benign/malicious count, capped at 50. */
  positiveWeight: number | 'balanced';
  /** Training windows kept per epoch at most (all malicious ones, a seeded sample of the rest). */
  maxTrainSequences: number;
}

export const DEFAULT_LSTM_HYPERPARAMETERS: LstmHyperparameters = {
  hidden: 24,
  epochs: 8,
  batchSize: 32,
  learningRate: 4e-3,
  clipNorm: 5,
  positiveWeight: 'balanced',
  // ~1–3k windows/s per core for BPTT in JS: 8 × 40k windows is a few minutes.
  maxTrainSequences: 40_000,
};

export interface LstmTrainingResult {
  params: LstmParams;
  /** Mean weighted training loss per epoch. */
  lossCurve: number[];
  /** Validation ROC AUC per epoch (NaN when the validation set has one class). */
  validationAucCurve: number[];
  /** Validation mean (unweighted) cross-entropy per epoch (NaN without validation windows). */
  validationLossCurve: number[];
  /** 1-based epoch whose weights were kept (best validation AUC, ties to the lower validation loss, then the earlier epoch). */
  bestEpoch: number;
  positiveWeight: number;
  trainSequences: number;
}

/** Sparse copy of the rows (CSR), built once per dataset. */
interface SparseRows {
  ptr: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

function sparseRows(rows: Float32Array, dim: number): SparseRows {
  const n = rows.length / dim;
  let nnz = 0;
  for (let i = 0; i < rows.length; i++) if (rows[i] !== 0) nnz++;
  const ptr = new Int32Array(n + 1);
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  let q = 0;
  for (let r = 0; r < n; r++) {
    ptr[r] = q;
    for (let k = 0; k < dim; k++) {
      const v = rows[r * dim + k]!;
      if (v !== 0) {
        col[q] = k;
        val[q++] = v;
      }
    }
  }
  ptr[n] = q;
  return { ptr, col, val };
}

/** Flat parameter vector [W | R | b | wOut | bOut] with views, so Adam and clipping see one array. */
class FlatParams {
  readonly theta: Float64Array;
  readonly W: Float64Array;
  readonly R: Float64Array;
  readonly b: Float64Array;
  readonly wOut: Float64Array;
  readonly bOutAt: number;

  constructor(readonly I: number, readonly H: number) {
    const G = 4 * H;
    const size = G * I + G * H + G + H + 1;
    this.theta = new Float64Array(size);
    let o = 0;
    this.W = this.theta.subarray(o, (o += G * I));
    this.R = this.theta.subarray(o, (o += G * H));
    this.b = this.theta.subarray(o, (o += G));
    this.wOut = this.theta.subarray(o, (o += H));
    this.bOutAt = o;
  }

  toParams(): LstmParams {
    return { inputSize: this.I, hidden: this.H, W: this.W.slice(), R: this.R.slice(), b: this.b.slice(), wOut: this.wOut.slice(), bOut: this.theta[this.bOutAt]! };
  }
}

/** One LSTM's forward/backward scratch over a window; no allocation per sample. */
class LstmCell {
  private readonly G: number;
  readonly gates: Float64Array; // seq × 4H, post-activation
  readonly cs: Float64Array; // (seq+1) × H, cs[0] = 0
  readonly hs: Float64Array; // (seq+1) × H
  readonly tcs: Float64Array; // seq × H, tanh(c_t)
  private readonly dz: Float64Array;
  private readonly dh: Float64Array;
  private readonly dc: Float64Array;
  private readonly dhPrev: Float64Array;

  constructor(private readonly p: FlatParams, private readonly g: FlatParams, private readonly sp: SparseRows, private readonly seq: number) {
    const H = p.H;
    this.G = 4 * H;
    this.gates = new Float64Array(seq * this.G);
    this.cs = new Float64Array((seq + 1) * H);
    this.hs = new Float64Array((seq + 1) * H);
    this.tcs = new Float64Array(seq * H);
    this.dz = new Float64Array(this.G);
    this.dh = new Float64Array(H);
    this.dc = new Float64Array(H);
    this.dhPrev = new Float64Array(H);
  }

  /** Forward over one window (row indices at rowIndex[off..off+seq)); returns the logit. */
  forward(rowIndex: Int32Array, off: number): number {
    const { W, R, b, wOut, I, H } = this.p;
    const G = this.G;
    const { ptr, col, val } = this.sp;
    const { gates, hs, cs, tcs } = this;
    for (let t = 0; t < this.seq; t++) {
      const r = rowIndex[off + t]!;
      const hPrev = t * H;
      const gBase = t * G;
      const e0 = r >= 0 ? ptr[r]! : 0;
      const e1 = r >= 0 ? ptr[r + 1]! : 0;
      for (let q = 0; q < G; q++) {
        let acc = b[q]!;
        const wRow = q * I;
        for (let e = e0; e < e1; e++) acc += W[wRow + col[e]!]! * val[e]!;
        const rRow = q * H;
        for (let j = 0; j < H; j++) acc += R[rRow + j]! * hs[hPrev + j]!;
        gates[gBase + q] = acc;
      }
      const cPrev = t * H;
      const cNext = cPrev + H;
      for (let j = 0; j < H; j++) {
        const gi = gBase + GATE_I * H + j;
        const go = gBase + GATE_O * H + j;
        const gf = gBase + GATE_F * H + j;
        const gc = gBase + GATE_C * H + j;
        const i = sigmoid(gates[gi]!);
        const o = sigmoid(gates[go]!);
        const f = sigmoid(gates[gf]!);
        const gg = Math.tanh(gates[gc]!);
        gates[gi] = i;
        gates[go] = o;
        gates[gf] = f;
        gates[gc] = gg;
        const c = f * cs[cPrev + j]! + i * gg;
        cs[cNext + j] = c;
        const tc = Math.tanh(c);
        tcs[cPrev + j] = tc;
        hs[cNext + j] = o * tc;
      }
    }
    let logit = this.p.theta[this.p.bOutAt]!;
    const last = this.seq * H;
    for (let j = 0; j < H; j++) logit += wOut[j]! * hs[last + j]!;
    return logit;
  }

  /** Adds d(loss)/d(params) for the window last run forward, given d(loss)/d(logit). */
  backward(rowIndex: Int32Array, off: number, dLogit: number): void {
    const { R, I, H } = this.p;
    const wOut = this.p.wOut;
    const gW = this.g.W;
    const gR = this.g.R;
    const gb = this.g.b;
    const gWOut = this.g.wOut;
    const G = this.G;
    const { ptr, col, val } = this.sp;
    const { dz, dh, dc, dhPrev, gates, hs, cs, tcs } = this;
    const last = this.seq * H;
    for (let j = 0; j < H; j++) {
      gWOut[j]! += dLogit * hs[last + j]!;
      dh[j] = dLogit * wOut[j]!;
      dc[j] = 0;
    }
    this.g.theta[this.g.bOutAt]! += dLogit;
    for (let t = this.seq - 1; t >= 0; t--) {
      const gBase = t * G;
      const cBase = t * H;
      for (let j = 0; j < H; j++) {
        const i = gates[gBase + GATE_I * H + j]!;
        const o = gates[gBase + GATE_O * H + j]!;
        const f = gates[gBase + GATE_F * H + j]!;
        const gg = gates[gBase + GATE_C * H + j]!;
        const tc = tcs[cBase + j]!;
        const dhj = dh[j]!;
        const dcj = dc[j]! + dhj * o * (1 - tc * tc);
        dz[GATE_O * H + j] = dhj * tc * o * (1 - o);
        dz[GATE_I * H + j] = dcj * gg * i * (1 - i);
        dz[GATE_C * H + j] = dcj * i * (1 - gg * gg);
        dz[GATE_F * H + j] = dcj * cs[cBase + j]! * f * (1 - f);
        dc[j] = dcj * f;
      }
      const r = rowIndex[off + t]!;
      const e0 = r >= 0 ? ptr[r]! : 0;
      const e1 = r >= 0 ? ptr[r + 1]! : 0;
      const hPrev = t * H;
      dhPrev.fill(0);
      for (let q = 0; q < G; q++) {
        const d = dz[q]!;
        if (d === 0) continue;
        gb[q]! += d;
        const wRow = q * I;
        for (let e = e0; e < e1; e++) gW[wRow + col[e]!]! += d * val[e]!;
        const rRow = q * H;
        for (let j = 0; j < H; j++) {
          gR[rRow + j]! += d * hs[hPrev + j]!;
          dhPrev[j]! += R[rRow + j]! * d;
        }
      }
      dh.set(dhPrev);
    }
  }
}

function flatOf(params: LstmParams): FlatParams {
  const flat = new FlatParams(params.inputSize, params.hidden);
  flat.W.set(params.W);
  flat.R.set(params.R);
  flat.b.set(params.b);
  flat.wOut.set(params.wOut);
  flat.theta[flat.bOutAt] = params.bOut;
  return flat;
}

/** d(logit)/d(params) of one window by backpropagation through time (checked against finite differences in the tests). */
export function windowLogitGradient(params: LstmParams, ds: SequenceDataset, index: number): { logit: number; gradient: LstmParams } {
  const flat = flatOf(params);
  const grad = new FlatParams(params.inputSize, params.hidden);
  const cell = new LstmCell(flat, grad, sparseRows(ds.rows, ds.dim), ds.seq);
  const logit = cell.forward(ds.rowIndex, index * ds.seq);
  cell.backward(ds.rowIndex, index * ds.seq, 1);
  return { logit, gradient: grad.toParams() };
}

/** Logits of every window of a dataset under the given weights. */
export function datasetLogits(params: LstmParams, ds: SequenceDataset): Float64Array {
  const flat = flatOf(params);
  const cell = new LstmCell(flat, flat, sparseRows(ds.rows, ds.dim), ds.seq);
  const out = new Float64Array(ds.count);
  for (let s = 0; s < ds.count; s++) out[s] = cell.forward(ds.rowIndex, s * ds.seq);
  return out;
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function trainLstm(train: SequenceDataset, validation: SequenceDataset | null, hp: LstmHyperparameters, rng: SeededRandom): LstmTrainingResult {
  const I = train.dim;
  const H = hp.hidden;
  const params = new FlatParams(I, H);
  const grads = new FlatParams(I, H);
  // PyTorch's LSTM init: U(−1/√H, 1/√H); forget-gate bias 1 (Jozefowicz et al. 2015) so memory flows early on.
  const bound = 1 / Math.sqrt(H);
  for (let k = 0; k < params.theta.length; k++) params.theta[k] = rng.range(-bound, bound);
  params.b.fill(0);
  for (let j = 0; j < H; j++) params.b[GATE_F * H + j] = 1;
  params.theta[params.bOutAt] = 0;

  let pos = 0;
  for (let s = 0; s < train.count; s++) pos += train.labels[s]!;
  const neg = train.count - pos;
  const positiveWeight = hp.positiveWeight === 'balanced' ? (pos === 0 ? 1 : Math.min(50, Math.max(1, neg / pos))) : hp.positiveWeight;

  const cell = new LstmCell(params, grads, sparseRows(train.rows, train.dim), train.seq);
  const m = new Float64Array(params.theta.length);
  const v = new Float64Array(params.theta.length);
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  let step = 0;

  const lossCurve: number[] = [];
  const validationAucCurve: number[] = [];
  const validationLossCurve: number[] = [];
  let best: { auc: number; loss: number; epoch: number; theta: Float64Array } | null = null;
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let s = 0; s < train.count; s++) (train.labels[s] ? positives : negatives).push(s);

  for (let epoch = 1; epoch <= hp.epochs; epoch++) {
    const order = epochSample(positives, negatives, hp.maxTrainSequences, rng);
    let lossSum = 0;
    for (let start = 0; start < order.length; start += hp.batchSize) {
      const end = Math.min(order.length, start + hp.batchSize);
      grads.theta.fill(0);
      for (let k = start; k < end; k++) {
        const s = order[k]!;
        const y = train.labels[s]!;
        const w = y ? positiveWeight : 1;
        const logit = cell.forward(train.rowIndex, s * train.seq);
        lossSum += w * (softplus(logit) - y * logit);
        cell.backward(train.rowIndex, s * train.seq, w * (sigmoid(logit) - y));
      }
      const scale = 1 / (end - start);
      let norm2 = 0;
      for (let k = 0; k < grads.theta.length; k++) {
        const gk = grads.theta[k]! * scale;
        grads.theta[k] = gk;
        norm2 += gk * gk;
      }
      const norm = Math.sqrt(norm2);
      const clip = norm > hp.clipNorm ? hp.clipNorm / norm : 1;
      step++;
      const lrT = (hp.learningRate * Math.sqrt(1 - Math.pow(beta2, step))) / (1 - Math.pow(beta1, step));
      const theta = params.theta;
      for (let k = 0; k < theta.length; k++) {
        const gk = grads.theta[k]! * clip;
        m[k] = beta1 * m[k]! + (1 - beta1) * gk;
        v[k] = beta2 * v[k]! + (1 - beta2) * gk * gk;
        theta[k]! -= (lrT * m[k]!) / (Math.sqrt(v[k]!) + eps);
      }
    }
    lossCurve.push(lossSum / Math.max(1, order.length));
    let auc = Number.NaN;
    let valLoss = Number.NaN;
    if (validation && validation.count > 0) {
      const logits = datasetLogits(params.toParams(), validation);
      auc = rocAuc(logits, validation.labels);
      valLoss = 0;
      for (let s = 0; s < validation.count; s++) valLoss += softplus(logits[s]!) - validation.labels[s]! * logits[s]!;
      valLoss /= validation.count;
    }
    validationAucCurve.push(auc);
    validationLossCurve.push(valLoss);
    // Keep the best epoch on validation; with no validation windows, the last epoch.
    const score = Number.isNaN(auc) ? -1 : auc;
    const loss = Number.isNaN(valLoss) ? -epoch : valLoss;
    if (best === null || score > best.auc || (score === best.auc && loss < best.loss)) best = { auc: score, loss, epoch, theta: params.theta.slice() };
  }
  if (best) params.theta.set(best.theta);
  return { params: params.toParams(), lossCurve, validationAucCurve, validationLossCurve, bestEpoch: best?.epoch ?? 0, positiveWeight, trainSequences: Math.min(train.count, Math.max(positives.length, hp.maxTrainSequences)) };
}

/** This epoch's windows: every malicious one plus a seeded sample of benign ones, shuffled. */
function epochSample(positives: readonly number[], negatives: readonly number[], max: number, rng: SeededRandom): Int32Array {
  const room = Math.max(0, max - positives.length);
  const order = new Int32Array(positives.length + Math.min(room, negatives.length));
  order.set(positives);
  if (negatives.length <= room) {
    order.set(negatives, positives.length);
  } else {
    // Partial Fisher–Yates over a copy: `room` distinct benign windows.
    const pool = Int32Array.from(negatives);
    for (let i = 0; i < room; i++) {
      const j = i + rng.int(pool.length - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
      order[positives.length + i] = t;
    }
  }
  rng.shuffle(order);
  return order;
}
