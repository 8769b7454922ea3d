// Vectorized two-layer net with ml-matrix.
import { Matrix } from "ml-matrix";

function forward({ W1, b1, W2, b2 }, X) {
  const z1 = X.mmul(W1).addRowVector(b1);
  const h1 = z1.clone();
  for (let i = 0; i < h1.rows; i++) for (let j = 0; j < h1.columns; j++) h1.set(i, j, Math.max(0, h1.get(i, j)));
  const scores = h1.mmul(W2).addRowVector(b2);
  return { z1, h1, scores };
}

export function twoLayerNetScores(params, X) {
  return forward(params, X).scores;
}

export function twoLayerNetLoss(params, X, y, reg) {
  const { W1, W2 } = params;
  const N = X.rows;
  const { z1, h1, scores } = forward(params, X);
  const probs = new Matrix(scores.rows, scores.columns);
  let loss = 0;
  for (let i = 0; i < N; i++) {
    const row = scores.getRow(i);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => probs.set(i, j, v / sum));
    loss += Math.log(sum) - (row[y[i]] - m);
  }
  loss = loss / N + reg * (W1.norm("frobenius") ** 2 + W2.norm("frobenius") ** 2);
  const dscores = probs.clone();
  for (let i = 0; i < N; i++) dscores.set(i, y[i], dscores.get(i, y[i]) - 1);
  dscores.div(N);
  const dW2 = h1.transpose().mmul(dscores);
  const db2 = Matrix.rowVector(dscores.sum("column"));
  const dh1 = dscores.mmul(W2.transpose());
  const dz1 = dh1.clone();
  for (let i = 0; i < N; i++) for (let j = 0; j < dz1.columns; j++) if (z1.get(i, j) <= 0) dz1.set(i, j, 0);
  const dW1 = X.transpose().mmul(dz1);
  const db1 = Matrix.rowVector(dz1.sum("column"));
  return { loss, grads: { W1: dW1, b1: db1, W2: dW2, b2: db2 } };
}
