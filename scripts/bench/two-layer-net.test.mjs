// The bare alternative a TA would write instead of this grader, for one two-layer-net submission:
// the golden cases (fixtures/golden/two-layer-net.json) and CS231n's coordinate-wise numerical
// gradient check of every entry of dW1, db1, dW2, db2 (eval_numerical_gradient, h = 1e-5,
// relative error < 1e-7). `npm run bench` copies this file once per submission, with SUBMISSION,
// GOLDEN and CS231N (the helpers in cs231n.mjs) filled in, and runs Jest over the copies two at a
// time (scripts/bench.ts). No sandbox, no hidden cases, no properties, no efficiency, no training.
import { readFileSync } from "node:fs";
import { Matrix } from "ml-matrix";
import { evalNumericalGradient, plain, relError } from "CS231N";
import { twoLayerNetLoss, twoLayerNetScores } from "SUBMISSION";

const golden = JSON.parse(readFileSync("GOLDEN", "utf8"));
const PARAMS = ["W1", "b1", "W2", "b2"];

const params = (c) => Object.fromEntries(PARAMS.map((p) => [p, new Matrix(c.inputs[p])]));

describe.each(golden.cases.filter((c) => c.target === "twoLayerNetScores"))("$id", (c) => {
  it("scores match the golden values", () => {
    expect(relError(plain(twoLayerNetScores(params(c), new Matrix(c.inputs.X))), c.expected.scores)).toBeLessThan(1e-7);
  });
});

describe.each(golden.cases.filter((c) => c.target === "twoLayerNetLoss"))("$id", (c) => {
  const loss = (p) => twoLayerNetLoss(p, new Matrix(c.inputs.X), [...c.inputs.y], c.inputs.reg);

  it("loss and gradients match the golden values", () => {
    const { loss: l, grads } = loss(params(c));
    expect(relError([[l]], [[c.expected.loss]])).toBeLessThan(1e-7);
    for (const p of PARAMS) expect(relError(plain(grads[p]), c.expected[`d${p}`])).toBeLessThan(1e-7);
  });

  it.each(PARAMS)("d%s matches the numerical gradient", (p) => {
    const ps = params(c);
    const analytic = plain(loss(ps).grads[p]);
    const numeric = evalNumericalGradient(() => loss(ps).loss, ps[p]);
    expect(relError(analytic, numeric)).toBeLessThan(1e-7);
  });
});
