// Naive loop versions. Scores come in as an ml-matrix Matrix, dscores go out as number[][].

function zeros(n, m) {
  return Array.from({ length: n }, () => new Array(m).fill(0));
}

export function svmLoss(scores, y) {
  const N = scores.rows, C = scores.columns;
  const dscores = zeros(N, C);
  let loss = 0;
  for (let i = 0; i < N; i++) {
    const correct = scores.get(i, y[i]);
    for (let j = 0; j < C; j++) {
      if (j === y[i]) continue;
      const margin = scores.get(i, j) - correct + 1;
      if (margin > 0) {
        loss += margin;
        dscores[i][j] += 1;
      }
    }
  }
  for (let i = 0; i < N; i++) for (let j = 0; j < C; j++) dscores[i][j] /= N;
  return { loss: loss / N, dscores };
}

export function softmaxLoss(scores, y) {
  const N = scores.rows, C = scores.columns;
  const dscores = zeros(N, C);
  let loss = 0;
  for (let i = 0; i < N; i++) {
    let max = -Infinity;
    for (let j = 0; j < C; j++) max = Math.max(max, scores.get(i, j));
    let sum = 0;
    for (let j = 0; j < C; j++) sum += Math.exp(scores.get(i, j) - max);
    loss += Math.log(sum) - (scores.get(i, y[i]) - max);
    for (let j = 0; j < C; j++) {
      const p = Math.exp(scores.get(i, j) - max) / sum;
      dscores[i][j] = (p - (j === y[i] ? 1 : 0)) / N;
    }
  }
  return { loss: loss / N, dscores };
}
