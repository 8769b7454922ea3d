/**
 * linear-classifier.ts: the loss and gradient of a linear classifier, scores = X·W (no bias).
 *
 * - W is D×C, X is N×D, y[i] in [0, C) is the class of row i of X.
 * - loss = mean data loss + reg·ΣW², so dW = Xᵀ·dscores + 2·reg·W.
 * - Never modify W, X or y (ml-matrix instance methods work in place; see losses.ts).
 *
 * You may reuse your svmLoss / softmaxLoss through a relative import of ./losses.
 * Only `ml-matrix` and your own relative files may be imported.
 */
import { Matrix } from "ml-matrix";

export function linearSvmLoss(W: Matrix, X: Matrix, y: number[], reg: number): { loss: number; dW: Matrix } {
  // receive W (weights), X (data)
  // forward pass
  // TODO: scores = X·W                                   N×C
  // TODO: margins = max(0, scores - correct class score + 1), 0 at the correct class
  // TODO: data_loss = sum(margins) / N
  // TODO: reg_loss = reg * ΣW²
  // TODO: loss = data_loss + reg_loss
  // backward pass
  // TODO: dmargins = ...  (optionally, go direct to dscores)
  // TODO: dscores = ...                                  N×C
  // TODO: dW = Xᵀ·dscores + 2 * reg * W                  D×C
  throw new Error("linearSvmLoss: not implemented yet (TODO in linear-classifier.ts)");
}

export function linearSoftmaxLoss(W: Matrix, X: Matrix, y: number[], reg: number): { loss: number; dW: Matrix } {
  // receive W (weights), X (data)
  // forward pass
  // TODO: scores = X·W                                   N×C
  // TODO: data_loss = mean softmax loss of scores (subtract each row's max first)
  // TODO: reg_loss = reg * ΣW²
  // TODO: loss = data_loss + reg_loss
  // backward pass
  // TODO: dscores = (softmax(scores) - onehot(y)) / N    N×C
  // TODO: dW = Xᵀ·dscores + 2 * reg * W                  D×C
  throw new Error("linearSoftmaxLoss: not implemented yet (TODO in linear-classifier.ts)");
}
