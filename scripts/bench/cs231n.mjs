// The helpers of CS231n's assignments (gradient_check.py, the notebooks' rel_error), in
// JavaScript for the bare Jest baseline (layers.test.mjs, two-layer-net.test.mjs).
import { Matrix } from "ml-matrix";

/** A student's answer as number[][] (they may return a Matrix or a number[][]). */
export const plain = (m) => (m instanceof Matrix ? m.to2DArray() : m);

/** rel_error: max |x − y| / max(1e-8, |x| + |y|). */
export function relError(x, y) {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x[i].length; j++) worst = Math.max(worst, Math.abs(x[i][j] - y[i][j]) / Math.max(1e-8, Math.abs(x[i][j]) + Math.abs(y[i][j])));
  }
  return worst;
}

/** eval_numerical_gradient: the gradient of the scalar f() at the Matrix x, one entry at a time. */
export function evalNumericalGradient(f, x, h = 1e-5) {
  return evalNumericalGradientArray(() => [[f()]], x, [[1]], h);
}

/** eval_numerical_gradient_array: the gradient of Σ f(x)·df, one entry of the Matrix x at a time. */
export function evalNumericalGradientArray(f, x, df, h = 1e-5) {
  const grad = [];
  for (let i = 0; i < x.rows; i++) {
    grad.push([]);
    for (let j = 0; j < x.columns; j++) {
      const old = x.get(i, j);
      x.set(i, j, old + h);
      const pos = plain(f(x));
      x.set(i, j, old - h);
      const neg = plain(f(x));
      x.set(i, j, old);
      let s = 0;
      for (let r = 0; r < df.length; r++) for (let c = 0; c < df[r].length; c++) s += (pos[r][c] - neg[r][c]) * df[r][c];
      grad[i].push(s / (2 * h));
    }
  }
  return grad;
}
