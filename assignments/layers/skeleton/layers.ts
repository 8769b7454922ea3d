/**
 * layers.ts: vectorized layers with the forward/backward API.
 *
 * - x is N×D: a minibatch, one example per row.
 * - Every forward returns { out, cache }: cache keeps what backward needs.
 * - Every backward takes (dout, cache), where dout = dL/dout has out's shape, and returns the
 *   gradient of every input, each with that input's shape. The grader always passes your
 *   backward the cache that YOUR forward returned.
 * - Never build a Jacobian: each backward is an elementwise or matrix expression in dout.
 * - Never modify an argument (x, w, b, dout, cache). ml-matrix INSTANCE methods work in place:
 *   x.mul(k), x.add(y), x.exp() change x. Use the static forms (Matrix.mul(x, k),
 *   Matrix.add(x, y), Matrix.exp(x)) or x.clone() first.
 *
 * The cache interfaces below are suggestions: change their fields as you like, the grader
 * never looks inside a cache. Only `ml-matrix` and your own relative files may be imported.
 */
import { Matrix } from "ml-matrix";

// ---------------------------------------------------------------------------------------------
// affine: out = x·w + b, x is N×D, w is D×M, b is 1×M (added to every row), out is N×M.

export interface AffineCache {
  x: Matrix;
  w: Matrix;
}

export function affineForward(x: Matrix, w: Matrix, b: Matrix): { out: Matrix; cache: AffineCache } {
  // forward pass
  // TODO: out = x·w (x.mmul(w) returns a new matrix), then add b to every row
  // TODO: cache = { x, w }
  throw new Error("affineForward: not implemented yet (TODO in layers.ts)");
}

export function affineBackward(dout: Matrix, cache: AffineCache): { dx: Matrix; dw: Matrix; db: Matrix } {
  // backward pass (dout is N×M)
  // TODO: dx = dout·wᵀ          N×D
  // TODO: dw = xᵀ·dout          D×M
  // TODO: db = column sums of dout, as a 1×M matrix (b reached every row: gradients add)
  throw new Error("affineBackward: not implemented yet (TODO in layers.ts)");
}

// ---------------------------------------------------------------------------------------------
// ReLU: out = max(0, x) elementwise. Slope 1 where x > 0, 0 elsewhere (also at x = 0).

export interface ReluCache {
  x: Matrix;
}

export function reluForward(x: Matrix): { out: Matrix; cache: ReluCache } {
  // forward pass
  // TODO: out = max(0, x) elementwise
  // TODO: cache = { x }
  throw new Error("reluForward: not implemented yet (TODO in layers.ts)");
}

export function reluBackward(dout: Matrix, cache: ReluCache): { dx: Matrix } {
  // backward pass: the max gate routes
  // TODO: dx = dout where x > 0, 0 elsewhere (the mask comes from x, not from dout)
  throw new Error("reluBackward: not implemented yet (TODO in layers.ts)");
}

// ---------------------------------------------------------------------------------------------
// sigmoid: out = 1 / (1 + e^-x) elementwise; local gradient (1 - out) * out.

export interface SigmoidCache {
  out: Matrix;
}

export function sigmoidForward(x: Matrix): { out: Matrix; cache: SigmoidCache } {
  // forward pass
  // TODO: out = 1 / (1 + e^-x) elementwise
  // TODO: cache = { out }
  throw new Error("sigmoidForward: not implemented yet (TODO in layers.ts)");
}

export function sigmoidBackward(dout: Matrix, cache: SigmoidCache): { dx: Matrix } {
  // backward pass
  // TODO: dx = dout * (1 - out) * out   (elementwise)
  throw new Error("sigmoidBackward: not implemented yet (TODO in layers.ts)");
}

// ---------------------------------------------------------------------------------------------
// tanh: out = tanh(x) elementwise; local gradient 1 - out².

export interface TanhCache {
  out: Matrix;
}

export function tanhForward(x: Matrix): { out: Matrix; cache: TanhCache } {
  // forward pass
  // TODO: out = tanh(x) elementwise (Math.tanh)
  // TODO: cache = { out }
  throw new Error("tanhForward: not implemented yet (TODO in layers.ts)");
}

export function tanhBackward(dout: Matrix, cache: TanhCache): { dx: Matrix } {
  // backward pass
  // TODO: dx = dout * (1 - out²)   (elementwise)
  throw new Error("tanhBackward: not implemented yet (TODO in layers.ts)");
}

// ---------------------------------------------------------------------------------------------
// leaky ReLU: out = x where x > 0, slope·x elsewhere (slope defaults to 0.1).

export interface LeakyReluCache {
  x: Matrix;
  slope: number;
}

export function leakyReluForward(x: Matrix, slope = 0.1): { out: Matrix; cache: LeakyReluCache } {
  // forward pass
  // TODO: out = x where x > 0, slope * x elsewhere
  // TODO: cache = { x, slope }  (backward gets no slope argument: keep it here)
  throw new Error("leakyReluForward: not implemented yet (TODO in layers.ts)");
}

export function leakyReluBackward(dout: Matrix, cache: LeakyReluCache): { dx: Matrix } {
  // backward pass
  // TODO: dx = dout where x > 0, slope * dout elsewhere
  throw new Error("leakyReluBackward: not implemented yet (TODO in layers.ts)");
}

// ---------------------------------------------------------------------------------------------
// ELU: out = x where x > 0, alpha·(e^x − 1) elsewhere (alpha defaults to 1).

export interface EluCache {
  x: Matrix;
  alpha: number;
}

export function eluForward(x: Matrix, alpha = 1): { out: Matrix; cache: EluCache } {
  // forward pass
  // TODO: out = x where x > 0, alpha * (e^x - 1) elsewhere
  // TODO: cache = { x, alpha }
  throw new Error("eluForward: not implemented yet (TODO in layers.ts)");
}

export function eluBackward(dout: Matrix, cache: EluCache): { dx: Matrix } {
  // backward pass
  // TODO: dx = dout where x > 0, dout * alpha * e^x elsewhere
  throw new Error("eluBackward: not implemented yet (TODO in layers.ts)");
}

// ---------------------------------------------------------------------------------------------
// maxout: out = max(x·w1 + b1, x·w2 + b2) elementwise; on a tie the FIRST piece wins.
// w1, w2 are D×M, b1, b2 are 1×M, out is N×M.

export interface MaxoutCache {
  x: Matrix;
  w1: Matrix;
  w2: Matrix;
  /** 1 where the first piece won (ties included), 0 where the second won; N×M. */
  firstWins: Matrix;
}

export function maxoutForward(
  x: Matrix,
  w1: Matrix,
  b1: Matrix,
  w2: Matrix,
  b2: Matrix,
): { out: Matrix; cache: MaxoutCache } {
  // forward pass
  // TODO: z1 = x·w1 + b1, z2 = x·w2 + b2
  // TODO: out = max(z1, z2) elementwise; firstWins = 1 where z1 >= z2
  // TODO: cache = { x, w1, w2, firstWins }
  throw new Error("maxoutForward: not implemented yet (TODO in layers.ts)");
}

export function maxoutBackward(
  dout: Matrix,
  cache: MaxoutCache,
): { dx: Matrix; dw1: Matrix; db1: Matrix; dw2: Matrix; db2: Matrix } {
  // backward pass: the max routes, then two affine backwards
  // TODO: dz1 = dout where the first piece won, 0 elsewhere; dz2 = the rest of dout
  // TODO: dw1 = xᵀ·dz1, db1 = column sums of dz1; dw2 = xᵀ·dz2, db2 = column sums of dz2
  // TODO: dx = dz1·w1ᵀ + dz2·w2ᵀ   (x feeds both pieces: gradients add at branches)
  throw new Error("maxoutBackward: not implemented yet (TODO in layers.ts)");
}
