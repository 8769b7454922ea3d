/**
 * Property checks of the vectorized layers (the ones PyTorch's autograd tests make besides finite
 * differences: linear in the upstream gradient, zero upstream, reentrant, no mutation): what a backward must
 * do whatever its values. Checked without finite differences, on the committed golden cases:
 *   arguments unchanged   (in-place ml-matrix methods are the classic bug; invisible to values)
 *   linear in dout        B(a·g₁ + b·g₂) = a·B(g₁) + b·B(g₂)  (catches masks on dout, ignoring dout)
 *   dout = 0 gives 0      exactly
 *   repeatable            a second identical call is bit-identical (no state kept between calls)
 * plus each layer's own rule (affine: db is the column sum of dout; ReLU: dout passes exactly where
 * x > 0; leaky ReLU / ELU: the forward's slope or alpha reaches the backward; maxout: ties to the first),
 * and, for the ReLU family, dx on inputs with exact zeros and a non-zero dout (x = 0 takes the x ≤ 0
 * branch). forward-properties: the ReLU family at and around x = 0; the sigmoid finite and exact at
 * |x| up to 800, where e^x overflows.
 */
import type { Case, LayerName, Mat, Value } from "../cases/case";
import { LAYER_NAMES, SIGNATURES } from "../cases/case";
import { filled, zip } from "../cases/mat";
import { Random } from "../cases/random";
import type { Outcome, Replay } from "../result-model";
import { formatNumber as fmt } from "../format-number";
import { answerProblem } from "../judge/answer-form";
import { firstChange, inputsAfter, readMatrix, worstGap } from "./answers";
import { type Check, type CheckContext, type RegisteredCheck, outcomeUnlessReturned } from "./context";
import { diagnoseBuiltCase, diagnoseFailure, prepareBuiltCase } from "./diagnosis";
import { goldenReplay } from "./replay";

const A = 0.7;
const B = -1.3;
const INPLACE_HINT =
  "ml-matrix instance methods (m.mul(k), m.add(n), m.sub(n), m.exp(), m.apply(…)) change m itself: use the static Matrix.mul(m, k) … or m.clone() first";

const combine = (p: Mat, q: Mat, a: number, b: number): Mat => zip(p, q, (u, v) => a * u + b * v);
const zerosLike = (m: Mat): Mat => filled(m, 0);

type Grads = Record<string, Mat>;
type Step = { ok: true; grads: Grads; returned: unknown } | { ok: false; outcome: Outcome };

function fail(message: string, extra: { details?: string; diagnosis?: string; hint?: string; replay?: Replay } = {}): Outcome {
  return { status: "failed", message, ...extra };
}

/** Run a layer case with a given dout and read its gradients; `replay` is how to run `c` again. */
async function gradientsFor(ctx: CheckContext, c: Case, dout: Mat, names: string[], replay: Replay, reportInputs = false): Promise<Step> {
  const run = { ...c, inputs: { ...c.inputs, dout } };
  const r = await ctx.run(run, { reportInputs });
  const problem = outcomeUnlessReturned(r, ctx, replay);
  if (problem) return { ok: false, outcome: problem };
  const returned = (r as { value: unknown }).value;
  // the judge's own check of the answer's form first: a db of the wrong shape is the student's bug, never ours
  const form = answerProblem(run, returned, names);
  if (form)
    return { ok: false, outcome: fail(`${ctx.spec.export}: cannot test its properties: ${form.message}`, form.details ? { details: form.details } : {}) };
  const grads: Grads = {};
  for (const n of names) {
    const m = readMatrix(returned, n);
    if (!m.ok) return { ok: false, outcome: fail(`${ctx.spec.export}: cannot test its properties: ${m.message}`) };
    grads[n] = m.value;
  }
  return { ok: true, grads, returned };
}

/** Which argument the call changed, if any: [name, "[i][j]: before → after"]. */
function mutated(c: Case, returned: unknown, names: string[]): [string, string] | null {
  const after = inputsAfter(returned);
  for (const n of names) {
    if (!(n in after)) continue;
    const d = firstChange(c.inputs[n], after[n]);
    if (d) return [n, d];
  }
  return null;
}

async function layerSpecific(ctx: CheckContext, layer: LayerName, c: Case, g: Grads, replay: Replay): Promise<Outcome | null> {
  const exportName = ctx.spec.export;
  const dout = c.inputs.dout as Mat;
  if (layer === "affine") {
    const sums = [dout[0].map((_, j) => dout.reduce((s, row) => s + row[j], 0))];
    const { ok, at } = worstGap(g.db, sums, { atol: 1e-12, rtol: 0 });
    if (!ok)
      return fail(`${exportName}: db${at} is not the sum of column ${at.slice(4, -1)} of dout`, {
        details: `db = ${JSON.stringify(g.db[0].map(fmt))}\ncolumn sums of dout = ${JSON.stringify(sums[0].map(fmt))}`,
        hint: "b is added to every row, so its gradient is the sum of dout over the rows (the minibatch)",
        replay,
      });
  }
  if (layer === "relu") {
    const x = c.inputs.x as Mat;
    for (let i = 0; i < x.length; i++)
      for (let j = 0; j < x[i].length; j++) {
        const want = x[i][j] > 0 ? dout[i][j] : 0;
        if (g.dx[i][j] !== want)
          return fail(`${exportName}: dx[${i}][${j}] = ${fmt(g.dx[i][j])} where x = ${fmt(x[i][j])} and dout = ${fmt(dout[i][j])}, expected ${fmt(want)}`, {
            hint:
              x[i][j] > 0
                ? "dout must pass unchanged where x > 0"
                : "the gradient is 0 where x ≤ 0: the mask comes from x (the forward's input), not from dout",
            replay,
          });
      }
  }
  if (layer === "leakyRelu" || layer === "elu") {
    const param = layer === "leakyRelu" ? "slope" : "alpha";
    const withParam = ctx.golden.find((k) => k.target === layer && param in k.inputs);
    if (withParam) {
      const step = await gradientsFor(ctx, withParam, withParam.inputs.dout as Mat, ["dx"], goldenReplay(ctx, withParam));
      if (!step.ok) return step.outcome;
      const want = ctx.reference.run(withParam).dx as Mat;
      const { ok, at, got, want: expected } = worstGap(step.grads.dx, want, { atol: 1e-9, rtol: 0 });
      if (!ok) {
        const diagnosis = await diagnoseFailure(ctx, withParam, step.returned, ["dx"]);
        return fail(`${exportName}: with ${param} = ${withParam.inputs[param]}, dx${at} = ${fmt(got)}, expected ${fmt(expected)}`, {
          ...(diagnosis ? { diagnosis } : { hint: `the forward's ${param} must reach the backward (keep it in the cache), not the default` }),
          replay: goldenReplay(ctx, withParam),
        });
      }
    }
  }
  if (layer === "maxout") {
    // identical pieces: every entry is a tie, which goes to the first piece
    const tie: Case = { ...c, id: `${c.id}/tie`, inputs: { ...c.inputs, w2: c.inputs.w1, b2: c.inputs.b1 }, expected: {} };
    const tieReplay = goldenReplay(ctx, c, "w2 = w1, b2 = b1");
    prepareBuiltCase(ctx, tie);
    const step = await gradientsFor(ctx, tie, dout, ["dw1", "db1", "dw2", "db2"], tieReplay);
    if (!step.ok) return step.outcome;
    const nonzero = [...step.grads.dw2.flat(), ...step.grads.db2.flat()].some((v) => v !== 0);
    if (nonzero) {
      const diagnosis = await diagnoseBuiltCase(ctx, tie, step.returned);
      return fail(`${exportName}: with two identical pieces (every entry a tie), dw2/db2 are not 0`, {
        ...(diagnosis ? { diagnosis } : { hint: "on a tie, the whole gradient goes to the first piece (x·w1 + b1), and none to the second" }),
        replay: tieReplay,
      });
    }
  }
  return null;
}

const backwardProperties: Check = async (ctx) => {
  const layer = ctx.spec.export.replace(/Backward$/, "") as LayerName;
  const sig = SIGNATURES[layer];
  const names = sig.outputs.map((o) => o.name).filter((n) => n !== "out");
  const argNames = sig.args.map((a) => a.name);
  const cases = ctx.golden.filter((c) => c.target === layer).slice(0, 2);
  if (cases.length === 0) return { status: "grader-error", message: `no golden cases for ${layer}` };
  const random = new Random(ctx.seed);
  for (const c of cases) {
    const replay = goldenReplay(ctx, c);
    const dout1 = c.inputs.dout as Mat;
    const first = await gradientsFor(ctx, c, dout1, names, replay, true);
    if (!first.ok) return first.outcome;
    // arguments: dout is the backward's; x, w … may be changed by the forward (its own test) or the backward
    const forward = await ctx.run(c, { forwardOnly: true, reportInputs: true });
    const byForward = forward.kind === "returned" ? mutated(c, forward.value, argNames) : null;
    const changed = mutated(c, first.returned, ["dout", ...argNames.filter((n) => n !== byForward?.[0])]);
    if (changed) {
      return fail(`${ctx.spec.export} changed its argument ${changed[0]}: ${changed[0]}${changed[1]}`, {
        diagnosis: `a function must not modify its arguments: ${INPLACE_HINT}`,
        replay,
      });
    }
    const dout2 = random.matrix(dout1.length, dout1[0].length);
    const second = await gradientsFor(ctx, c, dout2, names, replay);
    if (!second.ok) return second.outcome;
    const third = await gradientsFor(ctx, c, combine(dout1, dout2, A, B), names, replay);
    if (!third.ok) return third.outcome;
    for (const n of names) {
      const want = combine(first.grads[n], second.grads[n], A, B);
      const { ok, gap, at, got, want: expected } = worstGap(third.grads[n], want, { atol: 1e-10, rtol: 0 });
      if (!ok) {
        return fail(
          `${ctx.spec.export}: ${n} is not linear in dout: for dout = ${A}·dout₁ ${B < 0 ? "−" : "+"} ${Math.abs(B)}·dout₂, ${n}${at} = ${fmt(got)}, expected ${fmt(expected)}`,
          {
            details: `expected = ${A}·(${n}${at} for dout₁) ${B < 0 ? "−" : "+"} ${Math.abs(B)}·(${n}${at} for dout₂); relative gap ${gap.toExponential(2)}`,
            hint: "the backward must multiply the local gradient by dout, entry by entry: a mask or a clip computed from dout, or a gradient that ignores dout, is not linear",
            replay,
          },
        );
      }
    }
    const zero = await gradientsFor(ctx, c, zerosLike(dout1), names, replay);
    if (!zero.ok) return zero.outcome;
    for (const n of names) {
      const k = zero.grads[n].flat().findIndex((v) => v !== 0);
      if (k >= 0)
        return fail(`${ctx.spec.export}: with dout = 0, ${n} is not 0 (entry ${k} is ${fmt(zero.grads[n].flat()[k])})`, {
          hint: "every gradient is the local gradient times dout, so dout = 0 must give 0: does a gradient ignore dout, or add a term that does not depend on it?",
          replay,
        });
    }
    const again = await gradientsFor(ctx, c, dout1, names, replay);
    if (!again.ok) return again.outcome;
    for (const n of names) {
      const d = firstChange(first.grads[n], again.grads[n]);
      if (d)
        return fail(`${ctx.spec.export}: a second identical call gave a different ${n}: ${n}${d}`, {
          hint: "state is kept between calls (a gradient accumulated into a variable that is never reset?)",
          replay,
        });
    }
    const specific = await layerSpecific(ctx, layer, c, first.grads, replay);
    if (specific) return specific;
  }
  const kink = await atTheKink(ctx, layer);
  if (kink) return kink;
  return {
    status: "passed",
    message: `arguments unchanged, linear in dout, 0 for dout = 0, repeatable (${cases.length} cases)${KINKED.includes(layer) ? "; exact at x = 0 and on both sides" : ""}`,
  };
};

/** The layers whose backward has a branch at x = 0 (the contract: the x ≤ 0 branch at x = 0 exactly). */
const KINKED: LayerName[] = ["relu", "leakyRelu", "elu"];
/** A non-zero upstream gradient for kinkCase's 2×4 x: distinct entries, none 0 or ±1. */
const KINK_DOUT: Mat = [
  [1.5, -0.5, 2, 0.75],
  [-1.25, 0.625, -2.5, 3],
];

/**
 * ReLU family: the backward on kinkCase's x (exact zeros, both sides of 0) with a non-zero dout,
 * for the default and a given slope/alpha, against the reference's dx. The golden cases are
 * kink-free, so only this run sees which branch x = 0 takes.
 */
async function atTheKink(ctx: CheckContext, layer: LayerName): Promise<Outcome | null> {
  if (!KINKED.includes(layer)) return null;
  const param = layer === "elu" ? "alpha" : "slope";
  for (const p of layer === "relu" ? [undefined] : [undefined, layer === "elu" ? 0.6 : 0.3]) {
    const base = kinkCase(layer, p);
    const c: Case = { ...base, inputs: { ...base.inputs, dout: KINK_DOUT } };
    const x = c.inputs.x as Mat;
    const replay = inputsReplay({ x, dout: KINK_DOUT }, param, p);
    const step = await gradientsFor(ctx, c, KINK_DOUT, ["dx"], replay);
    if (!step.ok) return step.outcome;
    const want = ctx.reference.run(c).dx as Mat;
    const got = step.grads.dx;
    if (got.length !== want.length || got.some((row, i) => row.length !== want[i].length)) {
      return fail(
        `${ctx.spec.export}: cannot test its properties: dx has shape ${got.length}×${got[0]?.length ?? 0} for x of shape ${x.length}×${x[0].length}`,
        { replay },
      );
    }
    for (let i = 0; i < x.length; i++)
      for (let j = 0; j < x[i].length; j++) {
        if (Math.abs(got[i][j] - want[i][j]) <= 1e-12 * Math.max(1, Math.abs(want[i][j]))) continue;
        const v = x[i][j];
        const hint =
          v === 0
            ? "at x = 0 exactly the contract takes the x ≤ 0 branch: use x > 0, not x >= 0, for the mask"
            : v > 0
              ? "dout must pass unchanged where x > 0"
              : layer === "relu"
                ? "the gradient is 0 where x ≤ 0"
                : layer === "leakyRelu"
                  ? `the local slope is ${p === undefined ? "the default slope = 0.1" : `slope = ${p}`} where x ≤ 0 (keep the forward's slope in the cache)`
                  : `the local gradient is alpha·e^x where x ≤ 0 (${p === undefined ? "the default alpha = 1" : `alpha = ${p}`}, kept in the cache)`;
        return fail(
          `${ctx.spec.export}: dx[${i}][${j}] = ${fmt(got[i][j])} where x = ${fmt(v)} and dout = ${fmt(KINK_DOUT[i][j])}${p === undefined ? "" : ` (${param} = ${p})`}, expected ${fmt(want[i][j])}`,
          { hint, replay },
        );
      }
  }
  return null;
}

/** The ReLU family's hand-made inputs, with the slope or alpha when one is given. */
function inputsReplay(inputs: Record<string, Value>, param: string, p: number | undefined): Replay {
  return p === undefined ? { kind: "inputs", inputs, note: "default parameter" } : { kind: "inputs", inputs: { ...inputs, [param]: p } };
}

/** Inputs on both sides of the kink and exactly at it, for the ReLU family's forward rules. */
function kinkCase(layer: LayerName, param: number | undefined): Case {
  const x: Mat = [
    [0, -1.5, 2.25, -0.125],
    [3, -2, 0.5, 0],
  ];
  const inputs: Record<string, Value> = { x, dout: zerosLike(x), ...(param === undefined ? {} : { [layer === "elu" ? "alpha" : "slope"]: param }) };
  return {
    id: `${layer}/kink${param === undefined ? "" : `/param=${param}`}`,
    target: layer,
    exports: [`${layer}Forward`, `${layer}Backward`],
    seed: "fixed",
    inputs,
    expected: {},
  };
}

/** Sigmoid far from 0: e^x overflows for x > 709.78, so e^x/(1+e^x) is NaN there; 1/(1+e^−x) is exact. */
function saturationCase(): Case {
  const x: Mat = [
    [800, -800, 0, 2.25],
    [-745, 710, -0.125, 40],
  ];
  return {
    id: "sigmoid/saturation",
    target: "sigmoid",
    exports: ["sigmoidForward", "sigmoidBackward"],
    seed: "fixed",
    inputs: { x, dout: zerosLike(x) },
    expected: {},
  };
}

const SIGMOID_OVERFLOW = "compute 1/(1+e^-x): e^x/(1+e^x) is Infinity/Infinity = NaN for x > 709";

const forwardProperties: Check = async (ctx) => {
  const layer = ctx.spec.export.replace(/Forward$/, "") as LayerName;
  const sigmoid = layer === "sigmoid";
  const params = layer === "leakyRelu" ? [undefined, 0.3] : layer === "elu" ? [undefined, 0.6] : [undefined];
  for (const p of params) {
    const c = sigmoid ? saturationCase() : kinkCase(layer, p);
    const replay = inputsReplay({ x: c.inputs.x }, layer === "elu" ? "alpha" : "slope", p);
    const r = await ctx.run(c, { forwardOnly: true, reportInputs: true });
    const problem = outcomeUnlessReturned(r, ctx, replay);
    if (problem) return problem;
    const value = (r as { value: unknown }).value;
    const changed = mutated(c, value, ["x"]);
    if (changed)
      return fail(`${ctx.spec.export} changed its argument x: x${changed[1]}`, {
        diagnosis: `a function must not modify its arguments: ${INPLACE_HINT}`,
        replay,
      });
    const out = readMatrix(value, "out");
    if (!out.ok)
      return fail(`${ctx.spec.export}: cannot test its properties: ${out.message}${sigmoid ? " (x has entries up to ±800)" : ""}`, {
        replay,
        ...(sigmoid ? { hint: SIGMOID_OVERFLOW } : {}),
      });
    const want = ctx.reference.run(c, { forwardOnly: true }).out as Mat;
    const x = c.inputs.x as Mat;
    for (let i = 0; i < x.length; i++)
      for (let j = 0; j < x[i].length; j++) {
        const ok = Math.abs(out.value[i][j] - want[i][j]) <= 1e-12 * Math.max(1, Math.abs(want[i][j]));
        if (!ok) {
          const hint = sigmoid
            ? Math.abs(x[i][j]) > 700
              ? SIGMOID_OVERFLOW
              : undefined
            : x[i][j] === 0
              ? "at x = 0 exactly the contract takes the x ≤ 0 branch (use x > 0, not x >= 0)"
              : p === undefined && x[i][j] < 0
                ? `check the default ${layer === "elu" ? "alpha = 1" : "slope = 0.1"}`
                : undefined;
          return fail(`${ctx.spec.export}: out[${i}][${j}] = ${fmt(out.value[i][j])} for x = ${fmt(x[i][j])}, expected ${fmt(want[i][j])}`, { hint, replay });
        }
      }
  }
  if (sigmoid) return { status: "passed", message: "finite and exact for x up to ±800 (where e^x overflows) and near 0; x unchanged" };
  return { status: "passed", message: "exact at x = 0 and on both sides, with the default and a given parameter; x unchanged" };
};

export const LAYER_CHECKS: Record<string, RegisteredCheck> = {
  "backward-properties": { run: backwardProperties, exports: LAYER_NAMES.map((l) => `${l}Backward`) },
  "forward-properties": { run: forwardProperties, exports: ["reluForward", "sigmoidForward", "leakyReluForward", "eluForward"] },
};
