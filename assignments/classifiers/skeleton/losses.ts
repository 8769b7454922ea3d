/**
 * losses.ts: the multiclass SVM and softmax losses on a minibatch of class scores.
 *
 * - scores is N×C (one row of C class scores per example); y[i] is the correct class of row i,
 *   an integer in [0, C).
 * - loss is the MEAN of the N row losses; dscores = dloss/dscores, N×C, so it carries a 1/N.
 * - Never modify scores or y. ml-matrix INSTANCE methods (m.mul(k), m.add(n), m.exp()...) work
 *   in place: use the static forms (Matrix.mul(m, k)...) or m.clone() first.
 *
 * Only `ml-matrix` and your own relative files may be imported.
 */
import { Matrix } from "ml-matrix";

/**
 * Multiclass SVM: row loss Σ_{j≠y} max(0, s_j − s_y + 1).
 * A margin of exactly 0 contributes no gradient.
 */
export function svmLoss(scores: Matrix, y: number[]): { loss: number; dscores: Matrix } {
  // forward pass
  // TODO: margins = max(0, scores[i][j] - scores[i][y[i]] + 1), and 0 at j = y[i]
  // TODO: data_loss = sum(margins) / N
  // TODO: loss = data_loss
  // backward pass
  // TODO: dmargins = 1 / N where margins > 0 (strictly), else 0
  // TODO: dscores = dmargins, then dscores[i][y[i]] = -(sum of row i of dmargins)
  throw new Error("svmLoss: not implemented yet (TODO in losses.ts)");
}

/**
 * Softmax (cross-entropy): row loss −log softmax(s)_y = −s_y + log Σ_j e^{s_j}.
 * Must stay finite for scores up to ±1e4: subtract each row's max before exponentiating.
 */
export function softmaxLoss(scores: Matrix, y: number[]): { loss: number; dscores: Matrix } {
  // forward pass
  // TODO: shifted = scores - (max of each row)       (does not change the loss; e^shifted <= 1)
  // TODO: log_probs = shifted - log(Σ_j e^shifted_j)  per row
  // TODO: data_loss = -Σ_i log_probs[i][y[i]] / N
  // TODO: loss = data_loss
  // backward pass
  // TODO: probs = e^log_probs
  // TODO: dscores = (probs - onehot(y)) / N
  throw new Error("softmaxLoss: not implemented yet (TODO in losses.ts)");
}
