// The linear classifiers reuse the losses: scores = X·W, then the loss on the scores.
import { Matrix } from "ml-matrix";
import { svmLoss, softmaxLoss } from "./losses.js";

function withReg(W, X, reg, { loss, dscores }) {
  const dW = X.transpose().mmul(new Matrix(dscores)).add(Matrix.mul(W, 2 * reg));
  return { loss: loss + reg * W.norm("frobenius") ** 2, dW };
}

export function linearSvmLoss(W, X, y, reg) {
  return withReg(W, X, reg, svmLoss(X.mmul(W), y));
}

export function linearSoftmaxLoss(W, X, y, reg) {
  return withReg(W, X, reg, softmaxLoss(X.mmul(W), y));
}
