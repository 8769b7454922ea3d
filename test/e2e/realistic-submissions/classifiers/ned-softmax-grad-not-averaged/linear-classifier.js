// Fully naive linear classifiers: one example at a time, dW accumulated column by column.

function scoresOf(W, X, i) {
  const D = W.rows, C = W.columns;
  const s = new Array(C).fill(0);
  for (let j = 0; j < C; j++) for (let d = 0; d < D; d++) s[j] += X.get(i, d) * W.get(d, j);
  return s;
}

function regularize(W, reg, dW) {
  let r = 0;
  for (let d = 0; d < W.rows; d++) {
    for (let j = 0; j < W.columns; j++) {
      const v = W.get(d, j);
      r += v * v;
      dW[d][j] += 2 * reg * v;
    }
  }
  return reg * r;
}

export function linearSvmLoss(W, X, y, reg) {
  const N = X.rows, D = W.rows, C = W.columns;
  const dW = Array.from({ length: D }, () => new Array(C).fill(0));
  let loss = 0;
  for (let i = 0; i < N; i++) {
    const s = scoresOf(W, X, i);
    for (let j = 0; j < C; j++) {
      if (j === y[i]) continue;
      const margin = s[j] - s[y[i]] + 1;
      if (margin > 0) {
        loss += margin;
        for (let d = 0; d < D; d++) {
          dW[d][j] += X.get(i, d) / N;
          dW[d][y[i]] -= X.get(i, d) / N;
        }
      }
    }
  }
  loss = loss / N + regularize(W, reg, dW);
  return { loss, dW };
}

export function linearSoftmaxLoss(W, X, y, reg) {
  const N = X.rows, D = W.rows, C = W.columns;
  const dW = Array.from({ length: D }, () => new Array(C).fill(0));
  let loss = 0;
  for (let i = 0; i < N; i++) {
    const s = scoresOf(W, X, i);
    const m = Math.max(...s);
    const e = s.map((v) => Math.exp(v - m));
    const total = e.reduce((a, b) => a + b, 0);
    loss += -Math.log(e[y[i]] / total);
    for (let j = 0; j < C; j++) {
      const p = e[j] / total - (j === y[i] ? 1 : 0);
      for (let d = 0; d < D; d++) dW[d][j] += (p * X.get(i, d)) / N;
    }
  }
  loss = loss / N + regularize(W, reg, dW);
  return { loss, dW };
}
