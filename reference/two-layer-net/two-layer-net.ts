/**
 * The two-layer net f = W2·max(0, W1·x), with biases, on a minibatch X (N×D, one example per row):
 *   h1 = max(0, X·W1 + b1)  (N×H),   scores = h1·W2 + b2  (N×C),
 *   loss = mean softmax cross-entropy + reg·(ΣW1² + ΣW2²)   (biases are not regularized).
 * Self-contained: the gradients are derived by hand, stage by stage, as the lecture's skeleton asks.
 */
import { Matrix } from "ml-matrix";

export interface Params {
  W1: Matrix; // D×H
  b1: Matrix; // 1×H
  W2: Matrix; // H×C
  b2: Matrix; // 1×C
}

function forward(params: Params, X: Matrix): { z1: Matrix; h1: Matrix; scores: Matrix } {
  const z1 = X.mmul(params.W1).addRowVector(params.b1); //       pre-activation, a fresh N×H matrix
  const h1 = Matrix.max(z1, Matrix.zeros(z1.rows, z1.columns)); // ReLU
  const scores = h1.mmul(params.W2).addRowVector(params.b2);
  return { z1, h1, scores };
}

export function twoLayerNetScores(params: Params, X: Matrix): Matrix {
  return forward(params, X).scores;
}

export function twoLayerNetLoss(
  params: Params, X: Matrix, y: number[], reg: number,
): { loss: number; grads: Params } {
  const { W1, W2 } = params;
  const N = X.rows;
  // forward pass
  const { z1, h1, scores } = forward(params, X);
  const dscores = new Matrix(scores.rows, scores.columns);
  let dataLoss = 0;
  for (let i = 0; i < N; i++) {
    const rowMax = scores.maxRow(i); // shift for a finite e^s
    let sumExp = 0;
    for (let j = 0; j < scores.columns; j++) sumExp += Math.exp(scores.get(i, j) - rowMax);
    const logSumExp = Math.log(sumExp);
    dataLoss += logSumExp - (scores.get(i, y[i]) - rowMax);
    for (let j = 0; j < scores.columns; j++) {
      const p = Math.exp(scores.get(i, j) - rowMax - logSumExp);
      dscores.set(i, j, (p - (j === y[i] ? 1 : 0)) / N); // softmax: p − onehot, over N for the mean
    }
  }
  const regLoss = reg * (W1.norm("frobenius") ** 2 + W2.norm("frobenius") ** 2);
  const loss = dataLoss / N + regLoss;
  // backward pass
  const dW2 = h1.transpose().mmul(dscores).add(Matrix.mul(W2, 2 * reg)); // scores = h1·W2 + b2
  const db2 = Matrix.rowVector(dscores.sum("column"));
  const dh1 = dscores.mmul(W2.transpose());
  const dz1 = new Matrix(N, z1.columns); //                                ReLU: slope 1 where z1 > 0, else 0
  for (let i = 0; i < N; i++) for (let j = 0; j < z1.columns; j++) dz1.set(i, j, z1.get(i, j) > 0 ? dh1.get(i, j) : 0);
  const dW1 = X.transpose().mmul(dz1).add(Matrix.mul(W1, 2 * reg)); //    z1 = X·W1 + b1
  const db1 = Matrix.rowVector(dz1.sum("column"));
  return { loss, grads: { W1: dW1, b1: db1, W2: dW2, b2: db2 } };
}
