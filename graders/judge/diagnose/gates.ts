/**
 * The gates assignment's wrong variants: the gates (case: { ctor?, x: number[], dz } → { z, grads })
 * and the computational graph (case: { graph, values } → { value, grads }).
 */
import { type Case, type GateName, type GraphSpec, GATE_NAMES } from "../../cases/case";
import { expectedOf, referenceOn } from "./case-data";
import { subject } from "./text";
import { negate } from "./values";
import type { WrongVariant } from "./variant";

const variants: WrongVariant[] = [];
const variant = (v: WrongVariant) => variants.push(v);

// ---- gates
/** The gate's inputs x (one or two numbers). */
const gateInputs = (c: Case) => c.inputs.x as number[];
/** The upstream gradient dz. */
const gateDz = (c: Case) => c.inputs.dz as number;
const isTie = (c: Case) => c.target === "MaxGate" && gateInputs(c)[0] === gateInputs(c)[1];

variant({
  id: "max-tie-to-y",
  target: "MaxGate",
  outputs: ["grads"],
  when: isTie,
  compute: (c) => ({ grads: [0, gateDz(c)] }),
  text: (ctx) => `${subject(ctx)} sends the gradient to y on a tie (x = y): the contract sends all of it to x on a tie (x wins when x >= y)`,
});
variant({
  id: "max-routes-both",
  target: "MaxGate",
  outputs: ["grads"],
  compute: (c) => ({ grads: [gateDz(c), gateDz(c)] }),
  text: (ctx) => `${subject(ctx)} returns [dz, dz]: the gradient goes to both inputs, but max routes: all of dz goes to the larger input and 0 to the other`,
});
variant({
  id: "max-routes-to-smaller",
  target: "MaxGate",
  outputs: ["grads"],
  when: (c) => !isTie(c),
  compute: (c) => ({ grads: [...(expectedOf(c).grads as number[])].reverse() }),
  text: (ctx) => `${subject(ctx)} sends dz to the smaller input: max routes the whole gradient to the input that won (the larger one)`,
});
variant({
  id: "multiply-not-switched",
  target: "MultiplyGate",
  outputs: ["grads"],
  compute: (c) => ({ grads: [gateInputs(c)[0] * gateDz(c), gateInputs(c)[1] * gateDz(c)] }),
  text: (ctx) => `${subject(ctx)} returns [x·dz, y·dz]: each input got its own value, but multiply switches: dx = y·dz and dy = x·dz`,
});
variant({
  id: "reciprocal-sign",
  target: "ReciprocalGate",
  outputs: ["grads"],
  equivalent: ["sign-flip:grads"],
  compute: (c) => ({ grads: [gateDz(c) / gateInputs(c)[0] ** 2] }),
  text: (ctx) => `${subject(ctx)} returns dz/x²: the minus sign is missing, d(1/x)/dx = −1/x², so the gradient is −dz/x²`,
});
variant({
  id: "reciprocal-no-square",
  target: "ReciprocalGate",
  outputs: ["grads"],
  compute: (c) => ({ grads: [-gateDz(c) / gateInputs(c)[0]] }),
  text: (ctx) => `${subject(ctx)} returns −dz/x: d(1/x)/dx = −1/x², so the gradient is −dz/x² (x squared)`,
});
variant({
  id: "scale-forgets-a",
  target: "ScaleGate",
  outputs: ["grads"],
  compute: (c) => ({ grads: [gateDz(c)] }),
  text: (ctx) => `${subject(ctx)} returns [dz]: the factor a is missing, d(a·x)/dx = a, so the gradient is a·dz`,
});
variant({
  id: "offset-times-c",
  target: "OffsetGate",
  outputs: ["grads"],
  compute: (c) => ({ grads: [((c.inputs.ctor as number[]) ?? [0])[0] * gateDz(c)] }),
  text: (ctx) => `${subject(ctx)} returns [c·dz]: d(c + x)/dx = 1, so dz passes through unchanged`,
});
variant({
  id: "sigmoid-uses-x",
  target: "SigmoidGate",
  outputs: ["grads"],
  compute: (c) => ({ grads: [gateInputs(c)[0] * (1 - gateInputs(c)[0]) * gateDz(c)] }),
  text: (ctx) => `${subject(ctx)} uses x·(1 − x): the sigmoid's slope is σ(x)·(1 − σ(x)), computed from the forward's output, not from x`,
});
variant({
  id: "exp-uses-x",
  target: "ExpGate",
  outputs: ["grads"],
  compute: (c) => ({ grads: [gateInputs(c)[0] * gateDz(c)] }),
  text: (ctx) => `${subject(ctx)} returns x·dz: d(e^x)/dx = e^x (the forward's output), so the gradient is e^x·dz`,
});
for (const gate of GATE_NAMES as readonly GateName[]) {
  variant({
    id: "ignores-dz",
    target: gate,
    outputs: ["grads"],
    compute: (c, reference) => ({ grads: referenceOn(reference, c, { dz: 1 }).grads }),
    text: (ctx) =>
      `${subject(ctx)} ignores dz: it returns the local gradient alone${gate === "SigmoidGate" ? " σ(x)·(1 − σ(x))" : ""}; backward must multiply it by dz (the chain rule)`,
  });
  variant({
    id: "sign-flip",
    target: gate,
    outputs: ["grads"],
    compute: (c) => ({ grads: negate(expectedOf(c).grads) }),
    text: (ctx) => `${subject(ctx)} has the wrong sign: every gradient is the negative of the right one`,
  });
}

// ---- the computational graph

/** Whether every node comes after the nodes it reads. */
function inGivenOrderIsTopological(spec: GraphSpec): boolean {
  const known = new Set(spec.inputs);
  for (const n of spec.nodes) {
    if (!n.inputs.every((i) => known.has(i))) return false;
    known.add(n.name);
  }
  return true;
}

variant({
  id: "graph-given-order",
  target: "ComputationalGraph",
  outputs: ["value", "grads"],
  when: (c) => !inGivenOrderIsTopological(c.inputs.graph as GraphSpec),
  match: "non-finite",
  compute: (c, reference) => reference.run(c, { walk: { order: "given", overwrite: false } }),
  text: (ctx) =>
    `${ctx.exportName}: ${ctx.output} is what walking the nodes in the order given produces (a node read before its value exists gives NaN): nodes come in any order, so sort them topologically (each node after the nodes it reads) before forward and backward`,
});
for (const order of ["kahn", "dfs", "given"] as const) {
  variant({
    id: "graph-overwrites",
    target: "ComputationalGraph",
    outputs: ["grads"],
    when: (c) => order !== "given" || inGivenOrderIsTopological(c.inputs.graph as GraphSpec),
    compute: (c, reference) => reference.run(c, { walk: { order, overwrite: true } }),
    text: (ctx) =>
      `${ctx.exportName}: grads overwrite instead of adding at a branch: a value that feeds several nodes (or one node twice) must get the SUM of their gradients (grad[name] += …, not grad[name] = …)`,
  });
}

/** The gates' and the graph's variants, in the order they are tried. */
export const GATE_VARIANTS: readonly WrongVariant[] = variants;
