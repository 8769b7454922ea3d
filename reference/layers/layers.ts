/**
 * Vectorized layers. x is N×D (one example per row). Every forward returns { out, cache } and
 * every backward takes (dout, cache), dout being dL/dout with out's shape. No Jacobian is ever
 * built: each backward is the chain rule written as one elementwise or matrix expression.
 * Nothing here mutates an argument (ml-matrix instance methods such as m.mul(k) work in place,
 * so only static methods or fresh matrices are used).
 */
import { Matrix } from "ml-matrix";

/** A fresh matrix f(a_ij) (or f(a_ij, b_ij)); never touches its arguments. */
function map(a: Matrix, f: (v: number, i: number, j: number) => number): Matrix {
  const out = new Matrix(a.rows, a.columns);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.columns; j++) out.set(i, j, f(a.get(i, j), i, j));
  return out;
}

/** Σ over the rows (the minibatch) as a 1×M row vector: the gradient of a broadcast bias. */
function sumRows(a: Matrix): Matrix {
  return Matrix.rowVector(a.sum("column"));
}

function sigmoid(v: number): number {
  return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
}

// ---------------------------------------------------------------- affine: out = x·w + b
export interface AffineCache { x: Matrix; w: Matrix }

export function affineForward(x: Matrix, w: Matrix, b: Matrix): { out: Matrix; cache: AffineCache } {
  const out = x.mmul(w).addRowVector(b); // mmul returns a new N×M matrix; b (1×M) is added to every row
  return { out, cache: { x, w } };
}

export function affineBackward(dout: Matrix, cache: AffineCache): { dx: Matrix; dw: Matrix; db: Matrix } {
  const { x, w } = cache;
  const dx = dout.mmul(w.transpose()); // ∂out/∂x = w:  N×M · M×D
  const dw = x.transpose().mmul(dout); // ∂out/∂w = x:  D×N · N×M
  const db = sumRows(dout); //            b feeds every row: gradients add
  return { dx, dw, db };
}

// ---------------------------------------------------------------- relu: out = max(0, x)
export interface MaskCache { x: Matrix }

export function reluForward(x: Matrix): { out: Matrix; cache: MaskCache } {
  return { out: map(x, (v) => (v > 0 ? v : 0)), cache: { x } };
}

export function reluBackward(dout: Matrix, cache: MaskCache): { dx: Matrix } {
  return { dx: map(dout, (g, i, j) => (cache.x.get(i, j) > 0 ? g : 0)) }; // local slope 1 where x > 0, else 0
}

// ---------------------------------------------------------------- sigmoid: out = 1/(1+e^−x)
export interface OutCache { out: Matrix }

export function sigmoidForward(x: Matrix): { out: Matrix; cache: OutCache } {
  const out = map(x, sigmoid);
  return { out, cache: { out } };
}

export function sigmoidBackward(dout: Matrix, cache: OutCache): { dx: Matrix } {
  return { dx: map(dout, (g, i, j) => { const s = cache.out.get(i, j); return g * s * (1 - s); }) }; // σ' = σ(1−σ)
}

// ---------------------------------------------------------------- tanh
export function tanhForward(x: Matrix): { out: Matrix; cache: OutCache } {
  const out = map(x, Math.tanh);
  return { out, cache: { out } };
}

export function tanhBackward(dout: Matrix, cache: OutCache): { dx: Matrix } {
  return { dx: map(dout, (g, i, j) => { const t = cache.out.get(i, j); return g * (1 - t * t); }) }; // tanh' = 1 − tanh²
}

// ---------------------------------------------------------------- leaky ReLU: x where x > 0, else slope·x
export interface LeakyCache { x: Matrix; slope: number }

export function leakyReluForward(x: Matrix, slope = 0.1): { out: Matrix; cache: LeakyCache } {
  return { out: map(x, (v) => (v > 0 ? v : slope * v)), cache: { x, slope } };
}

export function leakyReluBackward(dout: Matrix, cache: LeakyCache): { dx: Matrix } {
  return { dx: map(dout, (g, i, j) => (cache.x.get(i, j) > 0 ? g : cache.slope * g)) }; // slope 1 or `slope`
}

// ---------------------------------------------------------------- ELU: x where x > 0, else alpha·(e^x − 1)
export interface EluCache { x: Matrix; alpha: number }

export function eluForward(x: Matrix, alpha = 1): { out: Matrix; cache: EluCache } {
  return { out: map(x, (v) => (v > 0 ? v : alpha * Math.expm1(v))), cache: { x, alpha } };
}

export function eluBackward(dout: Matrix, cache: EluCache): { dx: Matrix } {
  const { x, alpha } = cache;
  return { dx: map(dout, (g, i, j) => { const v = x.get(i, j); return v > 0 ? g : g * alpha * Math.exp(v); }) }; // 1 or alpha·e^x
}

// ---------------------------------------------------------------- maxout: max(x·w1 + b1, x·w2 + b2), tie → first
export interface MaxoutCache { x: Matrix; w1: Matrix; w2: Matrix; firstWins: Matrix }

export function maxoutForward(
  x: Matrix, w1: Matrix, b1: Matrix, w2: Matrix, b2: Matrix,
): { out: Matrix; cache: MaxoutCache } {
  const z1 = affineForward(x, w1, b1).out;
  const z2 = affineForward(x, w2, b2).out;
  const firstWins = map(z1, (v, i, j) => (v >= z2.get(i, j) ? 1 : 0));
  const out = map(z1, (v, i, j) => (firstWins.get(i, j) === 1 ? v : z2.get(i, j)));
  return { out, cache: { x, w1, w2, firstWins } };
}

export function maxoutBackward(
  dout: Matrix, cache: MaxoutCache,
): { dx: Matrix; dw1: Matrix; db1: Matrix; dw2: Matrix; db2: Matrix } {
  const { x, w1, w2, firstWins } = cache;
  const dz1 = Matrix.mul(dout, firstWins); // max routes: each entry's gradient goes to the branch that won
  const dz2 = map(dout, (g, i, j) => (firstWins.get(i, j) === 1 ? 0 : g));
  const first = affineBackward(dz1, { x, w: w1 });
  const second = affineBackward(dz2, { x, w: w2 });
  return { dx: Matrix.add(first.dx, second.dx), dw1: first.dw, db1: first.db, dw2: second.dw, db2: second.db }; // x feeds both: add
}
