/**
 * Linear classifiers: scores = X·W (W is D×C, X is N×D, no bias), then a loss on the scores plus
 * L2 regularization. loss = mean data loss + reg·ΣW², so dW = Xᵀ·dscores + 2·reg·W.
 */
import { Matrix } from "ml-matrix";
import { softmaxLoss, svmLoss } from "./losses";

type ScoreLoss = (scores: Matrix, y: number[]) => { loss: number; dscores: Matrix };

function linearLoss(scoreLoss: ScoreLoss, W: Matrix, X: Matrix, y: number[], reg: number): { loss: number; dW: Matrix } {
  // forward pass
  const scores = X.mmul(W);
  const { loss: dataLoss, dscores } = scoreLoss(scores, y);
  const regLoss = reg * W.norm("frobenius") ** 2;
  const loss = dataLoss + regLoss;
  // backward pass
  const dW = X.transpose().mmul(dscores); //     ∂scores/∂W = X
  const dRegW = Matrix.mul(W, 2 * reg); //       ∂(reg·ΣW²)/∂W = 2·reg·W
  return { loss, dW: dW.add(dRegW) }; //         dW is our own fresh matrix: adding in place is safe
}

export function linearSvmLoss(W: Matrix, X: Matrix, y: number[], reg: number): { loss: number; dW: Matrix } {
  return linearLoss(svmLoss, W, X, y, reg);
}

export function linearSoftmaxLoss(W: Matrix, X: Matrix, y: number[], reg: number): { loss: number; dW: Matrix } {
  return linearLoss(softmaxLoss, W, X, y, reg);
}
