// The bare alternative a TA would write instead of this grader, for one layers submission: the
// golden cases (fixtures/golden/layers.json) and CS231n's coordinate-wise numerical gradient check
// of every gradient entry (eval_numerical_gradient_array, h = 1e-5, relative error < 1e-7).
// `npm run bench` copies this file once per submission, with SUBMISSION, GOLDEN and CS231N (the
// helpers in cs231n.mjs) filled in, and runs Jest over the copies two at a time (scripts/bench.ts).
// No sandbox, no hidden cases, no properties, no efficiency: only what the template says.
import { readFileSync } from "node:fs";
import { Matrix } from "ml-matrix";
import { evalNumericalGradientArray, plain, relError } from "CS231N";
import * as layers from "SUBMISSION";

const golden = JSON.parse(readFileSync("GOLDEN", "utf8"));

/** The forward's arguments, in order, per layer (scalars last, never differentiated). */
const ARGS = {
  affine: ["x", "w", "b"],
  relu: ["x"],
  sigmoid: ["x"],
  tanh: ["x"],
  leakyRelu: ["x", "slope"],
  elu: ["x", "alpha"],
  maxout: ["x", "w1", "b1", "w2", "b2"],
};

describe.each(golden.cases)("$id", (c) => {
  const names = ARGS[c.target].filter((n) => n in c.inputs);
  const args = () => names.map((n) => (Array.isArray(c.inputs[n]) ? new Matrix(c.inputs[n]) : c.inputs[n]));
  const forward = layers[`${c.target}Forward`];
  const backward = layers[`${c.target}Backward`];

  it("forward and backward match the golden values", () => {
    const { out, cache } = forward(...args());
    expect(relError(plain(out), c.expected.out)).toBeLessThan(1e-7);
    const grads = backward(new Matrix(c.inputs.dout), cache);
    for (const n of names.filter((m) => Array.isArray(c.inputs[m]))) expect(relError(plain(grads[`d${n}`]), c.expected[`d${n}`])).toBeLessThan(1e-7);
  });

  it.each(names.filter((n) => Array.isArray(c.inputs[n])))("d%s matches the numerical gradient", (n) => {
    const a = args();
    const k = names.indexOf(n);
    const { cache } = forward(...a);
    const analytic = plain(backward(new Matrix(c.inputs.dout), cache)[`d${n}`]);
    const numeric = evalNumericalGradientArray((v) => forward(...a.map((arg, i) => (i === k ? v : arg))).out, a[k], c.inputs.dout);
    expect(relError(analytic, numeric)).toBeLessThan(1e-7);
  });
});
