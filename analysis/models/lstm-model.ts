/**
 * The Layer-2 sequence model: one LSTM layer over a window of event feature rows, its last hidden
 * state through a linear layer to one logit, and a sigmoid. Weights are laid out exactly as the ONNX
 * `LSTM` operator wants them (https://onnx.ai/onnx/operators/onnx__LSTM.html): gates in the order
 * i, o, f, c; W is [4H, I], R is [4H, H]; activations sigmoid / tanh / tanh; no peepholes.
 * This forward pass is the TypeScript reference the ONNX export is checked against.
 */

export type Vec = Float32Array | Float64Array;

export interface LstmParams {
  inputSize: number;
  hidden: number;
  /** Input weights [4H × I], gates i, o, f, c. */
  W: Vec;
  /** Recurrence weights [4H × H]. */
  R: Vec;
  /** Gate bias [4H] (exported as ONNX Wb; Rb is zero). */
  b: Vec;
  /** Output layer weights [H]. */
  wOut: Vec;
  bOut: number;
}

/** Gate offsets inside the 4H pre-activation vector (ONNX order). */
export const GATE_I = 0;
export const GATE_O = 1;
export const GATE_F = 2;
export const GATE_C = 3;

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** A copy with every weight rounded to float32, the precision the ONNX file stores. */
export function roundedToFloat32(p: LstmParams): LstmParams {
  return { inputSize: p.inputSize, hidden: p.hidden, W: Float32Array.from(p.W), R: Float32Array.from(p.R), b: Float32Array.from(p.b), wOut: Float32Array.from(p.wOut), bOut: Math.fround(p.bOut) };
}

/**
 * Logits for `count` dense windows ([count × seq × inputSize], float32 as the ONNX input is),
 * computed in float64. Zero rows (left padding) run through the cell like any row, as in ONNX.
 */
export function lstmLogits(p: LstmParams, windows: Float32Array, count: number, seq: number): Float64Array {
  const H = p.hidden;
  const I = p.inputSize;
  const G = 4 * H;
  const out = new Float64Array(count);
  const z = new Float64Array(G);
  const h = new Float64Array(H);
  const c = new Float64Array(H);
  const nz = new Int32Array(I);
  for (let s = 0; s < count; s++) {
    h.fill(0);
    c.fill(0);
    for (let t = 0; t < seq; t++) {
      const base = (s * seq + t) * I;
      let nnz = 0;
      for (let k = 0; k < I; k++) if (windows[base + k] !== 0) nz[nnz++] = k;
      for (let g = 0; g < G; g++) {
        let acc = p.b[g]!;
        const wRow = g * I;
        for (let q = 0; q < nnz; q++) {
          const k = nz[q]!;
          acc += p.W[wRow + k]! * windows[base + k]!;
        }
        const rRow = g * H;
        for (let j = 0; j < H; j++) acc += p.R[rRow + j]! * h[j]!;
        z[g] = acc;
      }
      for (let j = 0; j < H; j++) {
        const i = sigmoid(z[GATE_I * H + j]!);
        const o = sigmoid(z[GATE_O * H + j]!);
        const f = sigmoid(z[GATE_F * H + j]!);
        const g = Math.tanh(z[GATE_C * H + j]!);
        c[j] = f * c[j]! + i * g;
        h[j] = o * Math.tanh(c[j]!);
      }
    }
    let logit = p.bOut;
    for (let j = 0; j < H; j++) logit += p.wOut[j]! * h[j]!;
    out[s] = logit;
  }
  return out;
}

/** Probabilities (sigmoid of lstmLogits): the score the ONNX model outputs. */
export function lstmScores(p: LstmParams, windows: Float32Array, count: number, seq: number): Float64Array {
  const logits = lstmLogits(p, windows, count, seq);
  for (let i = 0; i < logits.length; i++) logits[i] = sigmoid(logits[i]!);
  return logits;
}
