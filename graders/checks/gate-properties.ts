/**
 * Property checks of the scalar gates, with fast-check: each check states what must hold whatever
 * the values and names the likely cause of a known wrong variant. The samples are drawn and judged
 * by the property driver (property.ts); the numbers are drawn, compared and printed as
 * arbitraries.ts says.
 */
import fc from "fast-check";
import type { Case, GateName } from "../cases/case";
import { describe } from "../cases/shapes";
import type { Check, CheckContext, RegisteredCheck } from "./context";
import { TOLERANCE_RULE, between, full, magnitude, numberList, short, unaryInput, upstream, withinPropertyTol } from "./arbitraries";
import { type Broken, checkProperty } from "./property";

// ------------------------------------------------------------------------------- gate cases

/** A gate case for the sandbox: the gate constructed with `ctor`, forward(...x), backward(dz). */
function gateCase(ctx: CheckContext, x: number[], dz: number, ctor?: number[]): Case {
  const target = ctx.spec.export as GateName;
  return {
    id: `${target}/${ctx.spec.check ?? "properties"}`,
    target,
    exports: [target],
    seed: ctx.seed,
    inputs: { ...(ctor ? { ctor } : {}), x, dz },
    expected: {},
  };
}

interface GateAnswer {
  z: unknown;
  grads: number[];
}

/** { z, grads } from an answer: grads must be an array of n finite numbers. */
function readGate(value: unknown, n: number, inputs: string): GateAnswer | Broken {
  const answer = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  const grads = answer.grads;
  const expected = `an array of ${n} gradient${n > 1 ? "s" : ""} (one per input, in input order)`;
  if (!Array.isArray(grads)) return { message: `backward returned ${describe(grads)} for ${inputs}, expected ${expected}` };
  if (grads.length !== n) return { message: `backward returned ${grads.length} gradient${grads.length === 1 ? "" : "s"} for ${inputs}, expected ${expected}` };
  const k = grads.findIndex((g) => typeof g !== "number" || !Number.isFinite(g));
  if (k >= 0) return { message: `backward's gradient [${k}] is ${describe(grads[k])} for ${inputs}, expected a finite number` };
  return { z: answer.z, grads: grads as number[] };
}

const isBroken = (v: GateAnswer | Broken): v is Broken => "message" in v;

function gateDetails(inputs: string, got: number[], expected: number[] | string, rule: string): string {
  return [
    `inputs: ${inputs}`,
    `returned: ${numberList(got, full)}`,
    `expected: ${typeof expected === "string" ? expected : numberList(expected, full)}`,
    `rule: ${rule}`,
  ].join("\n");
}

// ------------------------------------------------------------------------------- the checks

/** AddGate: backward is [dz, dz], exactly. */
const addDistributes: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: fc.record({ x: magnitude(0.25, 2), y: magnitude(0.25, 2), dz: upstream }),
    show: ({ x, y, dz }) => `x = ${full(x)}, y = ${full(y)}, dz = ${full(dz)}`,
    async holds({ x, y, dz }, run) {
      const inputs = `x = ${short(x)}, y = ${short(y)}, dz = ${short(dz)}`;
      const a = readGate(await run(gateCase(ctx, [x, y], dz)), 2, inputs);
      if (isBroken(a)) return a;
      const [gx, gy] = a.grads;
      if (gx === dz && gy === dz) return null;
      let diagnosis: string | undefined;
      if (gx === 1 && gy === 1) diagnosis = "backward ignores dz: it returns the local gradients 1, 1 without multiplying them by dz.";
      else if (withinPropertyTol(gx, dz / 2) && withinPropertyTol(gy, dz / 2))
        diagnosis = "dz is split between the inputs; an add gate gives each input all of dz.";
      else if ((gx === dz) !== (gy === dz)) diagnosis = `only ${gx === dz ? "x" : "y"} gets dz; an add gate gives both inputs dz unchanged.`;
      return {
        message: `backward is not [dz, dz]: ${numberList(a.grads)} for ${inputs}`,
        details: gateDetails(`x = ${full(x)}, y = ${full(y)}, dz = ${full(dz)}`, a.grads, [dz, dz], "exactly equal (an add gate copies dz)"),
        ...(diagnosis ? { diagnosis } : {}),
      };
    },
  });

/** MultiplyGate: dx = y·dz, dy = x·dz. */
const multiplySwitches: Check = (ctx) =>
  checkProperty(ctx, {
    // |x| and |y| apart, so that the switched and the unswitched answers differ clearly
    arbitrary: fc.record({ x: magnitude(0.25, 2), y: magnitude(0.25, 2), dz: upstream }).filter(({ x, y }) => Math.abs(x - y) >= 1e-2),
    show: ({ x, y, dz }) => `x = ${full(x)}, y = ${full(y)}, dz = ${full(dz)}`,
    async holds({ x, y, dz }, run) {
      const inputs = `x = ${short(x)}, y = ${short(y)}, dz = ${short(dz)}`;
      const a = readGate(await run(gateCase(ctx, [x, y], dz)), 2, inputs);
      if (isBroken(a)) return a;
      const [dx, dy] = a.grads;
      const expected = [y * dz, x * dz];
      if (withinPropertyTol(dx, expected[0]) && withinPropertyTol(dy, expected[1])) return null;
      let diagnosis: string | undefined;
      if (withinPropertyTol(dx, x * dz) && withinPropertyTol(dy, y * dz))
        diagnosis =
          "the two gradients are not switched: dx uses x instead of y (and dy uses y instead of x). A multiply gate gives each input the OTHER input times dz.";
      else if (withinPropertyTol(dx, y) && withinPropertyTol(dy, x))
        diagnosis = "backward ignores dz: it returns the local gradients y, x without multiplying them by dz.";
      const [which, got, want, formula] = withinPropertyTol(dx, expected[0]) ? ["dy", dy, expected[1], "x·dz"] : ["dx", dx, expected[0], "y·dz"];
      return {
        message: `${which} is not ${formula}: ${which} = ${short(got)} for ${inputs} (expected ${short(want)})`,
        details: gateDetails(`x = ${full(x)}, y = ${full(y)}, dz = ${full(dz)}`, a.grads, expected, TOLERANCE_RULE),
        ...(diagnosis ? { diagnosis } : {}),
      };
    },
  });

/** MaxGate: all of dz to the larger input and exactly 0 to the other; a tie sends all of it to x. */
const maxRoutes: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: fc.record({ x: between(-2, 2), y: between(-2, 2), tie: between(-2, 2), dz: upstream }).filter(({ x, y }) => Math.abs(x - y) >= 1e-2),
    show: ({ x, y, tie, dz }) => `x = ${full(x)}, y = ${full(y)}, dz = ${full(dz)}; tie x = y = ${full(tie)}`,
    async holds({ x, y, tie, dz }, run) {
      // 1. distinct inputs: the winner gets dz, the loser exactly 0
      const inputs = `x = ${short(x)}, y = ${short(y)}, dz = ${short(dz)}`;
      const a = readGate(await run(gateCase(ctx, [x, y], dz)), 2, inputs);
      if (isBroken(a)) return a;
      const w = x > y ? 0 : 1;
      const expected = w === 0 ? [dz, 0] : [0, dz];
      const [gw, gl] = [a.grads[w], a.grads[1 - w]];
      if (!(gl === 0 && withinPropertyTol(gw, dz))) {
        let diagnosis: string | undefined;
        if (withinPropertyTol(gw, dz) && withinPropertyTol(gl, dz))
          diagnosis = "the gradient goes to both inputs, as in an add gate; a max gate gives all of dz to the larger input and 0 to the other.";
        else if (gw === 0 && withinPropertyTol(gl, dz)) diagnosis = "the gradient goes to the smaller input: the comparison that picks the winner is reversed.";
        else if (withinPropertyTol(gw, 1) && gl === 0) diagnosis = "backward ignores dz: the winner gets 1 instead of dz.";
        else if (withinPropertyTol(gw, dz / 2) && withinPropertyTol(gl, dz / 2))
          diagnosis = "dz is split between the inputs; a max gate gives all of it to the larger input.";
        const larger = w === 0 ? "x" : "y";
        const message =
          gl !== 0
            ? `the smaller input's gradient is not 0: backward returned ${numberList(a.grads)} for ${inputs} (expected ${numberList(expected)}, all of dz to ${larger})`
            : `the larger input's gradient is not dz: backward returned ${numberList(a.grads)} for ${inputs} (expected ${numberList(expected)})`;
        return {
          message,
          details: gateDetails(
            `x = ${full(x)}, y = ${full(y)}, dz = ${full(dz)}`,
            a.grads,
            expected,
            `the larger input's gradient ${TOLERANCE_RULE}; the smaller's exactly 0`,
          ),
          ...(diagnosis ? { diagnosis } : {}),
        };
      }
      // 2. a tie: all of dz to x (the contract's rule)
      const tieInputs = `x = y = ${short(tie)}, dz = ${short(dz)}`;
      const t = readGate(await run(gateCase(ctx, [tie, tie], dz)), 2, tieInputs);
      if (isBroken(t)) return t;
      if (t.grads[1] === 0 && withinPropertyTol(t.grads[0], dz)) return null;
      let diagnosis: string | undefined;
      if (t.grads[0] === 0 && withinPropertyTol(t.grads[1], dz))
        diagnosis = "at a tie the gradient goes to y; the contract sends all of it to x (x wins when x >= y).";
      else if (withinPropertyTol(t.grads[0], dz) && withinPropertyTol(t.grads[1], dz))
        diagnosis = "at a tie the gradient goes to both inputs; the contract sends all of it to x.";
      else if (withinPropertyTol(t.grads[0], dz / 2) && withinPropertyTol(t.grads[1], dz / 2))
        diagnosis = "at a tie dz is split between the inputs; the contract sends all of it to x.";
      return {
        message: `a tie does not send all of dz to x: backward returned ${numberList(t.grads)} for ${tieInputs} (expected ${numberList([dz, 0])})`,
        details: gateDetails(`x = y = ${full(tie)}, dz = ${full(dz)}`, t.grads, [dz, 0], `x's gradient ${TOLERANCE_RULE}; y's exactly 0`),
        ...(diagnosis ? { diagnosis } : {}),
      };
    },
  });

const IGNORES_DZ = "backward ignores dz: it returns the local gradient without multiplying it by dz (the chain rule: dx = local gradient · dz).";

/**
 * ExpGate, ReciprocalGate, SigmoidGate: a second identical call is bit-identical; backward is
 * linear in dz (three calls on the same x: dz1, dz2, a·dz1 + b·dz2); dz = 0 gives exactly 0.
 */
const linearRepeatable: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: fc
      .record({ x: unaryInput(ctx.spec.export), dz1: upstream, dz2: upstream, a: magnitude(0.25, 2), b: magnitude(0.25, 2) })
      .filter(({ dz1, dz2 }) => Math.abs(dz1 - dz2) >= 1e-2),
    show: ({ x, dz1, dz2, a, b }) => `x = ${full(x)}, dz1 = ${full(dz1)}, dz2 = ${full(dz2)}, a = ${full(a)}, b = ${full(b)}`,
    async holds({ x, dz1, dz2, a, b }, run) {
      const call = async (dz: number) => readGate(await run(gateCase(ctx, [x], dz)), 1, `x = ${short(x)}, dz = ${short(dz)}`);
      const dz3 = a * dz1 + b * dz2;
      const r1 = await call(dz1);
      if (isBroken(r1)) return r1;
      // repeatable: the same call again, bit for bit
      const again = await call(dz1);
      if (isBroken(again)) return again;
      if (!Object.is(again.grads[0], r1.grads[0]) || !Object.is(again.z, r1.z)) {
        const what = Object.is(again.grads[0], r1.grads[0])
          ? `forward gave z = ${String(r1.z)}, then ${String(again.z)}`
          : `backward gave dx = ${full(r1.grads[0])}, then ${full(again.grads[0])}`;
        return {
          message: `a second identical call gave a different result: ${what} for x = ${short(x)}, dz = ${short(dz1)}`,
          details: `inputs: x = ${full(x)}, dz = ${full(dz1)}\nfirst call: z = ${String(r1.z)}, dx = ${full(r1.grads[0])}\nsecond call: z = ${String(again.z)}, dx = ${full(again.grads[0])}\nrule: bit-identical`,
          hint: "something outside the gate instance (a module-level variable, a cache, an accumulator that is never reset) changes the result from one call to the next.",
        };
      }
      // linear in dz
      const r2 = await call(dz2);
      if (isBroken(r2)) return r2;
      const r3 = await call(dz3);
      if (isBroken(r3)) return r3;
      const [g1, g2, g3] = [r1.grads[0], r2.grads[0], r3.grads[0]];
      const want = a * g1 + b * g2;
      if (!withinPropertyTol(g3, want)) {
        return {
          message: `backward is not linear in dz: dz = a·dz1 + b·dz2 gave dx = ${short(g3)}, expected a·dx1 + b·dx2 = ${short(want)} (x = ${short(x)}, a = ${short(a)}, dz1 = ${short(dz1)}, b = ${short(b)}, dz2 = ${short(dz2)})`,
          details: [
            `x = ${full(x)}`,
            `dz1 = ${full(dz1)} gave dx1 = ${full(g1)}`,
            `dz2 = ${full(dz2)} gave dx2 = ${full(g2)}`,
            `dz = a·dz1 + b·dz2 = ${full(dz3)} (a = ${full(a)}, b = ${full(b)}) gave dx = ${full(g3)}`,
            `expected a·dx1 + b·dx2 = ${full(want)}`,
            `rule: ${TOLERANCE_RULE}`,
          ].join("\n"),
          ...(withinPropertyTol(g1, g2) ? { diagnosis: IGNORES_DZ } : {}),
        };
      }
      // dz = 0 gives exactly 0
      const r0 = await call(0);
      if (isBroken(r0)) return r0;
      if (r0.grads[0] === 0) return null;
      return {
        message: `dz = 0 does not give a zero gradient: dx = ${short(r0.grads[0])} for x = ${short(x)}, dz = 0`,
        details: `inputs: x = ${full(x)}, dz = 0\nreturned: ${numberList(r0.grads, full)}\nexpected: [0]\nrule: exactly 0`,
        ...(withinPropertyTol(r0.grads[0], g1) ? { diagnosis: IGNORES_DZ } : {}),
      };
    },
  });

/** ScaleGate(a): backward is [a·dz], up to one rounding. */
const scaleGate: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: fc.record({ a: magnitude(0.1, 3).filter((v) => Math.abs(Math.abs(v) - 1) >= 1e-2), x: between(-2, 2), dz: upstream }),
    show: ({ a, x, dz }) => `a = ${full(a)}, x = ${full(x)}, dz = ${full(dz)}`,
    async holds({ a, x, dz }, run) {
      const inputs = `a = ${short(a)}, x = ${short(x)}, dz = ${short(dz)}`;
      const r = readGate(await run(gateCase(ctx, [x], dz, [a])), 1, inputs);
      if (isBroken(r)) return r;
      const g = r.grads[0];
      const want = a * dz;
      if (Math.abs(g - want) <= Number.EPSILON * Math.abs(want)) return null;
      let diagnosis: string | undefined;
      if (withinPropertyTol(g, dz)) diagnosis = "backward returns dz without multiplying it by a, the constructor's argument: the local gradient of a·x is a.";
      else if (withinPropertyTol(g, a)) diagnosis = "backward ignores dz: it returns a instead of a·dz.";
      else if (withinPropertyTol(g, x * dz)) diagnosis = "backward multiplies dz by the input x instead of by a.";
      return {
        message: `backward is not [a·dz]: dx = ${short(g)} for ${inputs} (expected ${short(want)})`,
        details: gateDetails(`a = ${full(a)}, x = ${full(x)}, dz = ${full(dz)}`, r.grads, [want], "within one rounding of a·dz"),
        ...(diagnosis ? { diagnosis } : {}),
      };
    },
  });

/** OffsetGate(c): forward is c + x, backward is [dz] exactly. */
const offsetGate: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: fc.record({ c: between(-3, 3), x: between(-2, 2), dz: upstream }),
    show: ({ c, x, dz }) => `c = ${full(c)}, x = ${full(x)}, dz = ${full(dz)}`,
    async holds({ c, x, dz }, run) {
      const inputs = `c = ${short(c)}, x = ${short(x)}, dz = ${short(dz)}`;
      const r = readGate(await run(gateCase(ctx, [x], dz, [c])), 1, inputs);
      if (isBroken(r)) return r;
      const g = r.grads[0];
      if (g !== dz) {
        let diagnosis: string | undefined;
        if (withinPropertyTol(g, c * dz)) diagnosis = "backward multiplies dz by c; the local gradient of c + x is 1, so dz passes through unchanged.";
        else if (g === 1) diagnosis = "backward ignores dz: it returns the local gradient 1 instead of dz.";
        return {
          message: `backward is not [dz]: dx = ${short(g)} for ${inputs} (expected ${short(dz)}, exactly)`,
          details: gateDetails(`c = ${full(c)}, x = ${full(x)}, dz = ${full(dz)}`, r.grads, [dz], "exactly equal (an offset passes dz through)"),
          ...(diagnosis ? { diagnosis } : {}),
        };
      }
      const z = r.z;
      if (typeof z === "number" && withinPropertyTol(z, c + x)) return null;
      const diagnosis = typeof z === "number" && withinPropertyTol(z, c * x) ? "forward computes c·x; an offset gate computes c + x." : undefined;
      return {
        message: `forward is not c + x: z = ${typeof z === "number" ? short(z) : describe(z)} for c = ${short(c)}, x = ${short(x)} (expected ${short(c + x)})`,
        details: `inputs: c = ${full(c)}, x = ${full(x)}\nreturned: z = ${typeof z === "number" ? full(z) : describe(z)}\nexpected: ${full(c + x)}\nrule: ${TOLERANCE_RULE}`,
        ...(diagnosis ? { diagnosis } : {}),
      };
    },
  });

/** σ(x) = 1/(1+e^−x), the handout's form: exact and finite for every x (e^−x overflows only to a σ of 0). */
const sigmoidOf = (x: number): number => 1 / (1 + Math.exp(-x));

const SATURATION_HINT =
  "compute σ(x) as 1/(1+e^-x) (for x < 0 you may use e^x/(1+e^x)): e^x/(1+e^x) is Infinity/Infinity = NaN for x > 709, where e^x overflows.";

/**
 * SigmoidGate far from 0: |x| in [700, 1000] (e^|x| overflows past 709.78), and a few O(1) values.
 * z must be finite and equal 1/(1+e^−x); backward's (1 − z)·z·dz must be finite.
 */
const sigmoidSaturates: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: fc.record({ x: fc.oneof({ arbitrary: magnitude(700, 1000), weight: 4 }, { arbitrary: between(-3, 3), weight: 1 }), dz: upstream }),
    show: ({ x, dz }) => `x = ${full(x)}, dz = ${full(dz)}`,
    async holds({ x, dz }, run) {
      const inputs = `x = ${short(x)}, dz = ${short(dz)}`;
      const value = await run(gateCase(ctx, [x], dz));
      const want = sigmoidOf(x);
      const z = typeof value === "object" && value !== null ? (value as Record<string, unknown>).z : undefined;
      if (typeof z !== "number" || !withinPropertyTol(z, want)) {
        const got = typeof z === "number" ? short(z) : describe(z);
        const overflow = !(typeof z === "number" && Number.isFinite(z)) && x > 709;
        return {
          message: `forward is not 1/(1+e^-x): z = ${got} for x = ${short(x)} (expected ${short(want)})`,
          details: `inputs: x = ${full(x)}\nreturned: z = ${typeof z === "number" ? full(z) : describe(z)}\nexpected: ${full(want)}\nrule: finite, and ${TOLERANCE_RULE}`,
          ...(overflow ? { hint: SATURATION_HINT } : {}),
        };
      }
      // backward: finite (its value is the other properties' and the gradient check's business)
      const a = readGate(value, 1, inputs);
      if (isBroken(a))
        return { ...a, ...(a.diagnosis ? {} : { hint: "backward's (1 − z)·z·dz must stay finite: compute it from the forward's z, not from e^x." }) };
      return null;
    },
  });

const UNARY: GateName[] = ["ExpGate", "ReciprocalGate", "SigmoidGate"];

export const GATE_CHECKS: Record<string, RegisteredCheck> = {
  "add-distributes": { run: addDistributes, exports: ["AddGate"] },
  "multiply-switches": { run: multiplySwitches, exports: ["MultiplyGate"] },
  "max-routes": { run: maxRoutes, exports: ["MaxGate"] },
  "gate-linear-repeatable": { run: linearRepeatable, exports: UNARY },
  "scale-gate": { run: scaleGate, exports: ["ScaleGate"] },
  "offset-gate": { run: offsetGate, exports: ["OffsetGate"] },
  "sigmoid-saturates": { run: sigmoidSaturates, exports: ["SigmoidGate"] },
};
