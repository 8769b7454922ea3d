/**
 * two-layer-net.ts: f = W2·max(0, W1·x), written for a minibatch with one example per row:
 *   h1 = max(0, X·W1 + b1)      N×H
 *   scores = h1·W2 + b2         N×C
 * and trained with the mean softmax loss plus reg·(ΣW1² + ΣW2²); biases are not regularized.
 *
 * - X is N×D; W1 is D×H, b1 is 1×H, W2 is H×C, b2 is 1×C; y[i] in [0, C).
 * - Never modify params, X or y. ml-matrix INSTANCE methods (m.mul(k), m.add(n), m.exp()...)
 *   work in place: use the static forms (Matrix.mul(m, k)...) or m.clone() first.
 *
 * Only `ml-matrix` and your own relative files may be imported.
 */
import { Matrix } from "ml-matrix";

export interface Params {
  W1: Matrix; // D×H
  b1: Matrix; // 1×H
  W2: Matrix; // H×C
  b2: Matrix; // 1×C
}

/** The class scores, N×C: affine → ReLU → affine. */
export function twoLayerNetScores(params: Params, X: Matrix): Matrix {
  // forward pass
  // TODO: h1 = max(0, X·W1 + b1)      (add b1 to every row)
  // TODO: scores = h1·W2 + b2
  throw new Error("twoLayerNetScores: not implemented yet (TODO in two-layer-net.ts)");
}

/** Mean softmax loss + reg·(ΣW1² + ΣW2²), and its gradient for every parameter. */
export function twoLayerNetLoss(
  params: Params,
  X: Matrix,
  y: number[],
  reg: number,
): { loss: number; grads: Params } {
  // receive W1,W2,b1,b2 (weights/biases), X (data)
  // forward pass:
  // TODO: h1 = ...      function of X, W1, b1
  // TODO: scores = ...  function of h1, W2, b2
  // TODO: loss = ...    mean softmax loss of scores (subtract each row's max first)
  //                     + reg * (ΣW1² + ΣW2²)
  // backward pass:
  // TODO: dscores = (softmax(scores) - onehot(y)) / N              N×C
  // TODO: dh1, dW2, db2 = dscores·W2ᵀ, h1ᵀ·dscores + 2·reg·W2, column sums of dscores
  // TODO: dh1 = 0 where h1 <= 0 (ReLU: slope 1 only where X·W1 + b1 > 0)
  // TODO: dW1, db1 = Xᵀ·dh1 + 2·reg·W1, column sums of dh1
  // return { loss, grads: { W1: dW1, b1: db1, W2: dW2, b2: db2 } };
  throw new Error("twoLayerNetLoss: not implemented yet (TODO in two-layer-net.ts)");
}
