/**
 * The efficiency cases: each export is timed at two sizes that differ by GROWTH in the width D,
 * the dimension a wasteful implementation blows up in (checks/efficiency.ts judges how the time
 * grows). Their inputs are a pure function of (target, seed, sizes), so the sandboxed child builds
 * them itself from a seed: they never cross the pipe. This module is bundled into the runner, so
 * it must never import reference code (kinks.ts does; case.ts does not).
 *
 * The sizes: an elementwise layer does N·D work, a per-row Jacobian N·D² (the lecture's ReLU at
 * 100×4096 would multiply by 100 Jacobians of 4096×4096); affine, maxout and the net do N·D·M
 * (N·D·H), and an implementation that redoes a transpose or a row copy for every entry does
 * N·D²·M. So D grows 16× (512 → 8192 elementwise, 256 → 4096 for products) and N stays 4: the
 * ratio between linear and quadratic growth does not depend on N, and 4 rows keep a correct call
 * at a few milliseconds while a per-row Jacobian at the top size costs 4·8192² ≈ 2.7e8
 * multiply-adds (0.33 s for the fastest one we could write, on plain arrays). 16× rather than
 * 8×: quadratic code also has per-entry work that only grows linearly, which at 8× kept the
 * growth of a fast per-row Jacobian near 20× where linear code reaches 11×.
 *
 * The inputs are seeded Gaussian draws (a pool of 4096 drawn with a small fast generator,
 * mulberry32: seedrandom would cost more than a correct call; rows walk the pool with a random
 * start and an odd stride), rounded to short binary fractions: exact sums for affine, ReLU and
 * maxout, and no entry at a kink without redraws:
 *   layers: x odd multiples of 1/8 (never 0); w, b, dout multiples of 1/4; maxout's b1 is offset
 *           by 1/64, so z1 − z2 (a multiple of 1/32, plus 1/64) never ties;
 *   net:    X odd multiples of 1/8; W1 multiples of 1/256 (scale 1/64); b1 multiples of 1/16
 *           plus 1/4096, so X·W1 + b1 (a multiple of 1/2048, plus 1/4096) is never 0;
 *           W2, b2 multiples of 1/16; labels uniform; reg 1e-3.
 */
import { type Case, LAYER_NAMES, type Mat, NET_NAMES, type Target, type Value, exportsOf, isLayer } from "./case";

/** A layer's N × D (its width M), the net's hidden width H and classes C. */
export type Sizes = { N: number; D: number; M: number; H: number; C: number };

/** How many times D grows from the small size to the top one (and so the work of a linear implementation). */
export const GROWTH = 16;
const ROWS = 4;
/** Elementwise layers: the lecture's width 4096 at the top. */
const ELEMENTWISE: { small: Sizes; top: Sizes } = {
  small: { N: ROWS, D: 512, M: 1, H: 1, C: 1 },
  top: { N: ROWS, D: 512 * GROWTH, M: 1, H: 1, C: 1 },
};
/** Affine, maxout and the net, whose correct work is N·D·M (N·D·H + N·H·C). */
const PRODUCTS: { small: Sizes; top: Sizes } = {
  small: { N: ROWS, D: 256, M: 16, H: 16, C: 4 },
  top: { N: ROWS, D: 256 * GROWTH, M: 16, H: 16, C: 4 },
};

/** "16×4096": the rows and the width of a size. */
export const sizeLabel = (s: Sizes) => `${s.N}×${s.D}`;

const REG = 1e-3;
const POOL = 1 << 12;

/** An odd multiple of 1/8 close to v: never 0. */
const eighth = (v: number) => (Math.floor(v * 4) + 0.5) / 4;
/** A multiple of 1/4 close to v. */
const quarter = (v: number) => Math.round(v * 4) / 4;

/** mulberry32 (Tommy Ettinger's 32-bit generator), seeded with the FNV-1a hash of the seed: fast, and enough for test inputs. */
class FastRandom {
  private state: number;
  constructor(seed: string) {
    let h = 0x811c9dc5;
    for (let k = 0; k < seed.length; k++) h = Math.imul(h ^ seed.charCodeAt(k), 0x01000193);
    this.state = h >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** n labels in [0, classes). */
  labels(n: number, classes: number): number[] {
    return Array.from({ length: n }, () => this.int(classes));
  }
  /** Standard normal (Box–Muller, one value per pair of draws). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(u) is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** Matrices of seeded N(0,1) draws mapped by f: rows walk a pool of draws with a random start and odd stride. */
function matrices(r: FastRandom): (rows: number, cols: number, f: (v: number) => number) => Mat {
  const pool = new Float64Array(POOL);
  for (let k = 0; k < POOL; k++) pool[k] = r.normal();
  return (rows, cols, f) => {
    const out: Mat = new Array(rows);
    for (let i = 0; i < rows; i++) {
      const start = r.int(POOL);
      const stride = 2 * r.int(POOL / 2) + 1; // odd: distinct pool entries along a row (cols ≤ POOL)
      const row = new Array<number>(cols);
      for (let j = 0; j < cols; j++) row[j] = f(pool[(start + j * stride) % POOL]);
      out[i] = row;
    }
    return out;
  };
}

/** What an export's efficiency cases run: its target, whether it is a layer's forward alone, and the two sizes. */
export interface EfficiencyTarget {
  target: Target;
  forwardOnly: boolean;
  small: Sizes;
  top: Sizes;
}

export function efficiencyTarget(exportName: string): EfficiencyTarget | null {
  const sizes = (target: Target) => (target === "affine" || target === "maxout" || !isLayer(target) ? PRODUCTS : ELEMENTWISE);
  for (const layer of LAYER_NAMES) {
    if (exportName === `${layer}Forward`) return { target: layer, forwardOnly: true, ...sizes(layer) };
    if (exportName === `${layer}Backward`) return { target: layer, forwardOnly: false, ...sizes(layer) };
  }
  if ((NET_NAMES as readonly string[]).includes(exportName)) return { target: exportName as Target, forwardOnly: false, ...sizes(exportName as Target) };
  return null;
}

/** The inputs of an efficiency case (see the header for how they avoid kinks). */
export function efficiencyInputs(target: Target, seed: string, s: Sizes): Record<string, Value> {
  const r = new FastRandom(seed);
  const m = matrices(r);
  const { N, D, M, H, C } = s;
  switch (target) {
    case "affine":
      return { x: m(N, D, eighth), w: m(D, M, quarter), b: m(1, M, quarter), dout: m(N, M, quarter) };
    case "maxout":
      return {
        x: m(N, D, eighth),
        w1: m(D, M, quarter),
        b1: m(1, M, (v) => quarter(v) + 1 / 64),
        w2: m(D, M, quarter),
        b2: m(1, M, quarter),
        dout: m(N, M, quarter),
      };
    case "relu":
    case "sigmoid":
    case "tanh":
    case "leakyRelu":
    case "elu":
      return { x: m(N, D, eighth), dout: m(N, D, quarter) };
    case "twoLayerNetScores":
    case "twoLayerNetLoss": {
      const net = {
        W1: m(D, H, (v) => quarter(v) / 64),
        b1: m(1, H, (v) => quarter(0.4 * v) / 4 + 1 / 4096),
        W2: m(H, C, (v) => quarter(1.6 * v) / 16),
        b2: m(1, C, (v) => quarter(1.6 * v) / 16),
        X: m(N, D, eighth),
      };
      return target === "twoLayerNetScores" ? net : { ...net, y: r.labels(N, C), reg: REG };
    }
    default:
      throw new Error(`no efficiency case for ${target} (grader bug)`);
  }
}

/** The case for an export (a forward alone runs without dout: it does not use it). */
export function efficiencyCase(exportName: string, seed: string, sizes: Sizes): { case: Case; forwardOnly: boolean } {
  const plan = efficiencyTarget(exportName);
  if (!plan) throw new Error(`no efficiency case for ${exportName} (grader bug)`);
  const inputs = efficiencyInputs(plan.target, seed, sizes);
  const forwardOnly = plan.forwardOnly && isLayer(plan.target);
  if (forwardOnly) delete inputs.dout;
  const c: Case = { id: `efficiency/${exportName}/${sizes.N}x${sizes.D}`, target: plan.target, exports: exportsOf(plan.target), seed, inputs, expected: {} };
  return { case: c, forwardOnly };
}
