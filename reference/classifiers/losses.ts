/**
 * Losses on a score matrix, staged as in the lecture: forward pass (margins / probabilities,
 * data_loss), then backward pass (dscores). scores is N×C, y[i] ∈ [0, C) the label of row i;
 * the loss is the MEAN over the N rows, so every row's gradient carries a factor 1/N.
 */
import { Matrix } from "ml-matrix";

/** Multiclass SVM: row loss Σ_{j≠y} max(0, s_j − s_y + 1). */
export function svmLoss(scores: Matrix, y: number[]): { loss: number; dscores: Matrix } {
  const N = scores.rows;
  const C = scores.columns;
  // forward pass
  const margins = new Matrix(N, C); // margins[i][j] = s_j − s_y + 1 for j ≠ y (before the max)
  let dataLoss = 0;
  for (let i = 0; i < N; i++) {
    const sy = scores.get(i, y[i]);
    for (let j = 0; j < C; j++) {
      if (j === y[i]) continue;
      const m = scores.get(i, j) - sy + 1;
      margins.set(i, j, m);
      dataLoss += Math.max(0, m);
    }
  }
  const loss = dataLoss / N;
  // backward pass: each active margin (> 0, exactly 0 is inactive) pushes s_j up and s_y down
  const dscores = new Matrix(N, C);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < C; j++) {
      if (j === y[i] || !(margins.get(i, j) > 0)) continue;
      dscores.set(i, j, dscores.get(i, j) + 1 / N); //       ∂/∂s_j of (s_j − s_y + 1) = 1
      dscores.set(i, y[i], dscores.get(i, y[i]) - 1 / N); // ∂/∂s_y = −1
    }
  }
  return { loss, dscores };
}

/** Softmax cross-entropy: row loss −log softmax(s)_y, computed on s − max(s) so e^s never overflows. */
export function softmaxLoss(scores: Matrix, y: number[]): { loss: number; dscores: Matrix } {
  const N = scores.rows;
  const C = scores.columns;
  // forward pass
  const probs = new Matrix(N, C);
  let dataLoss = 0;
  for (let i = 0; i < N; i++) {
    const rowMax = scores.maxRow(i); // softmax(s) = softmax(s − c): shift by the row max
    let sumExp = 0;
    for (let j = 0; j < C; j++) sumExp += Math.exp(scores.get(i, j) - rowMax);
    const logSumExp = Math.log(sumExp);
    for (let j = 0; j < C; j++) probs.set(i, j, Math.exp(scores.get(i, j) - rowMax - logSumExp));
    dataLoss += logSumExp - (scores.get(i, y[i]) - rowMax); // −log p_y
  }
  const loss = dataLoss / N;
  // backward pass: ∂L_i/∂s_j = p_j − [j = y_i], then the 1/N of the mean
  const dscores = new Matrix(N, C);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < C; j++) dscores.set(i, j, (probs.get(i, j) - (j === y[i] ? 1 : 0)) / N);
  }
  return { loss, dscores };
}
