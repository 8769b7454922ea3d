/**
 * The efficiency case: the lecture's scale, a minibatch of 100 examples of 4096 features (the
 * slides' ReLU example, whose Jacobian would be 409,600 × 409,600). Its inputs are a pure
 * function of (target, seed, sizes), so the sandboxed child builds them itself from a seed: a
 * million numbers never cross the pipe (moving them as JSON cost 0.3–4 s per call, more than the
 * reference's computation). This module is bundled into the runner, so it must never import
 * reference code (kinks.ts does; random.ts and case.ts do not).
 *
 * The inputs are seeded Gaussian draws (from a pool of 16,384 drawn with cases/random.ts, walked
 * with a random start and an odd stride per row: a million seedrandom draws would cost 0.3 s),
 * rounded to short binary fractions: exact sums for affine, ReLU and maxout, and no entry at a
 * kink without redraws (at this size a redraw until nothing is near a kink could never succeed):
 *   layers: x odd multiples of 1/8 (never 0); w, b, dout multiples of 1/4; maxout's b1 is offset
 *           by 1/64, so z1 − z2 (a multiple of 1/32, plus 1/64) never ties;
 *   net:    X odd multiples of 1/8; W1 multiples of 1/256 (scale 1/64 = 1/√D); b1 multiples of
 *           1/16 plus 1/4096, so X·W1 + b1 (a multiple of 1/2048, plus 1/4096) is never 0;
 *           W2, b2 multiples of 1/16 (scale 0.1 = 1/√H); labels uniform; reg 1e-3.
 */
import { type Case, LAYER_NAMES, type Mat, NET_NAMES, type Target, type Value, exportsOf, isLayer } from "./case";
import { Random } from "./random";

/** The lecture's minibatch (N × D), a layer's width M, the net's hidden width H and classes C. */
export const SCALE = { N: 100, D: 4096, M: 64, H: 100, C: 10 } as const;
export type Sizes = { N: number; D: number; M: number; H: number; C: number };
export const scaleLabel = `${SCALE.N}×${SCALE.D}`;

const REG = 1e-3;
const POOL = 1 << 14;

/** An odd multiple of 1/8 close to v: never 0. */
const eighth = (v: number) => (Math.floor(v * 4) + 0.5) / 4;
/** A multiple of 1/4 close to v. */
const quarter = (v: number) => Math.round(v * 4) / 4;

/** Matrices of seeded N(0,1) draws mapped by f: rows walk a pool of draws with a random start and odd stride. */
function matrices(r: Random): (rows: number, cols: number, f: (v: number) => number) => Mat {
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

/** What an export's efficiency case runs: its target, and whether it is a layer's forward alone. */
export function efficiencyTarget(exportName: string): { target: Target; forwardOnly: boolean } | null {
  for (const layer of LAYER_NAMES) {
    if (exportName === `${layer}Forward`) return { target: layer, forwardOnly: true };
    if (exportName === `${layer}Backward`) return { target: layer, forwardOnly: false };
  }
  if ((NET_NAMES as readonly string[]).includes(exportName)) return { target: exportName as Target, forwardOnly: false };
  return null;
}

/** The inputs of an efficiency case (see the header for how they avoid kinks). */
export function efficiencyInputs(target: Target, seed: string, s: Sizes = SCALE): Record<string, Value> {
  const r = new Random(seed);
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
export function efficiencyCase(exportName: string, seed: string, sizes: Sizes = SCALE): { case: Case; forwardOnly: boolean } {
  const plan = efficiencyTarget(exportName);
  if (!plan) throw new Error(`no efficiency case for ${exportName} (grader bug)`);
  const inputs = efficiencyInputs(plan.target, seed, sizes);
  const forwardOnly = plan.forwardOnly && isLayer(plan.target);
  if (forwardOnly) delete inputs.dout;
  const c: Case = { id: `efficiency/${exportName}/${sizes.N}x${sizes.D}`, target: plan.target, exports: exportsOf(plan.target), seed, inputs, expected: {} };
  return { case: c, forwardOnly };
}
