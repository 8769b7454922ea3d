// Layers with explicit for-loops. Inputs are ml-matrix Matrix objects; I read
// them with .get(i, j) and return plain number[][] arrays.

function zeros(n, m) {
  const a = [];
  for (let i = 0; i < n; i++) a.push(new Array(m).fill(0));
  return a;
}

// ---------------- affine ----------------
export function affineForward(x, w, b) {
  const N = x.rows, D = x.columns, M = w.columns;
  const out = zeros(N, M);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < M; j++) {
      let s = b.get(0, j);
      for (let k = 0; k < D; k++) s += x.get(i, k) * w.get(k, j);
      out[i][j] = s;
    }
  }
  return { out, cache: { x, w } };
}

export function affineBackward(dout, cache) {
  const { x, w } = cache;
  const N = x.rows, D = x.columns, M = w.columns;
  const dx = zeros(N, D);
  const dw = zeros(D, M);
  const db = zeros(1, M);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < M; j++) {
      const g = dout.get(i, j);
      db[0][j] = g;
      for (let k = 0; k < D; k++) {
        dx[i][k] += g * w.get(k, j);
        dw[k][j] += x.get(i, k) * g;
      }
    }
  }
  return { dx, dw, db };
}

// ---------------- elementwise helpers ----------------
function elementwise(x, f) {
  const out = zeros(x.rows, x.columns);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.columns; j++) out[i][j] = f(x.get(i, j));
  }
  return out;
}

// ---------------- relu ----------------
export function reluForward(x) {
  return { out: elementwise(x, (v) => (v > 0 ? v : 0)), cache: { x } };
}

export function reluBackward(dout, cache) {
  const dx = zeros(dout.rows, dout.columns);
  for (let i = 0; i < dout.rows; i++) {
    for (let j = 0; j < dout.columns; j++) {
      dx[i][j] = cache.x.get(i, j) > 0 ? dout.get(i, j) : 0;
    }
  }
  return { dx };
}

// ---------------- sigmoid ----------------
export function sigmoidForward(x) {
  const out = elementwise(x, (v) => 1 / (1 + Math.exp(-v)));
  return { out, cache: { out } };
}

export function sigmoidBackward(dout, cache) {
  const dx = zeros(dout.rows, dout.columns);
  for (let i = 0; i < dout.rows; i++) {
    for (let j = 0; j < dout.columns; j++) {
      const s = cache.out[i][j];
      dx[i][j] = dout.get(i, j) * s * (1 - s);
    }
  }
  return { dx };
}

// ---------------- tanh ----------------
export function tanhForward(x) {
  const out = elementwise(x, Math.tanh);
  return { out, cache: { out } };
}

export function tanhBackward(dout, cache) {
  const dx = zeros(dout.rows, dout.columns);
  for (let i = 0; i < dout.rows; i++) {
    for (let j = 0; j < dout.columns; j++) {
      const t = cache.out[i][j];
      dx[i][j] = dout.get(i, j) * (1 - t * t);
    }
  }
  return { dx };
}

// ---------------- leaky relu ----------------
export function leakyReluForward(x, slope = 0.1) {
  return { out: elementwise(x, (v) => (v > 0 ? v : slope * v)), cache: { x, slope } };
}

export function leakyReluBackward(dout, cache) {
  const { x, slope } = cache;
  const dx = zeros(dout.rows, dout.columns);
  for (let i = 0; i < dout.rows; i++) {
    for (let j = 0; j < dout.columns; j++) {
      dx[i][j] = x.get(i, j) > 0 ? dout.get(i, j) : slope * dout.get(i, j);
    }
  }
  return { dx };
}

// ---------------- elu ----------------
export function eluForward(x, alpha = 1) {
  return { out: elementwise(x, (v) => (v > 0 ? v : alpha * (Math.exp(v) - 1))), cache: { x, alpha } };
}

export function eluBackward(dout, cache) {
  const { x, alpha } = cache;
  const dx = zeros(dout.rows, dout.columns);
  for (let i = 0; i < dout.rows; i++) {
    for (let j = 0; j < dout.columns; j++) {
      const v = x.get(i, j);
      dx[i][j] = v > 0 ? dout.get(i, j) : dout.get(i, j) * alpha * Math.exp(v);
    }
  }
  return { dx };
}

// ---------------- maxout ----------------
export function maxoutForward(x, w1, b1, w2, b2) {
  const z1 = affineForward(x, w1, b1).out;
  const z2 = affineForward(x, w2, b2).out;
  const N = z1.length, M = z1[0].length;
  const out = zeros(N, M);
  const pickFirst = zeros(N, M);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < M; j++) {
      if (z1[i][j] >= z2[i][j]) {
        out[i][j] = z1[i][j];
        pickFirst[i][j] = 1;
      } else {
        out[i][j] = z2[i][j];
      }
    }
  }
  return { out, cache: { x, w1, w2, pickFirst } };
}

export function maxoutBackward(dout, cache) {
  const { x, w1, w2, pickFirst } = cache;
  const N = x.rows, D = x.columns, M = w1.columns;
  const dx = zeros(N, D);
  const dw1 = zeros(D, M), dw2 = zeros(D, M);
  const db1 = zeros(1, M), db2 = zeros(1, M);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < M; j++) {
      const g = dout.get(i, j);
      const first = pickFirst[i][j] === 1;
      const w = first ? w1 : w2;
      const dw = first ? dw1 : dw2;
      const db = first ? db1 : db2;
      db[0][j] += g;
      for (let k = 0; k < D; k++) {
        dx[i][k] += g * w.get(k, j);
        dw[k][j] += x.get(i, k) * g;
      }
    }
  }
  return { dx, dw1, db1, dw2, db2 };
}
