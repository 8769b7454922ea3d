/**
 * Which cases each assignment is tested on: targets × sizes × variants, as data. The golden
 * fixtures are this plan drawn with the seed prefix "golden"; hidden tests draw the same plan
 * with a secret prefix, so they are fresh values of the same kinds.
 * Sizes are small, distinct and non-square (N=3, D=5, M=7 …) so transposes and broadcasts show.
 */
import type { AssignmentName, Case, Target } from "./case";
import { type Dims, type Variant, makeCase } from "./generate";

export interface PlanItem {
  target: Target;
  dims?: Dims;
  variant?: Variant;
  /** How many independent draws of this item (default 1). */
  count?: number;
}

const LAYER_SHAPES: Dims[] = [
  { N: 3, D: 5, M: 7 },
  { N: 1, D: 4, M: 2 },
  { N: 6, D: 3, M: 5 },
];
const POINTWISE_SHAPES: Dims[] = [
  { N: 3, D: 5 },
  { N: 4, D: 7 },
  { N: 1, D: 6 },
];

export const PLAN: Record<AssignmentName, PlanItem[]> = {
  gates: [
    ...(["AddGate", "MultiplyGate", "MaxGate", "ExpGate", "ReciprocalGate", "ScaleGate", "OffsetGate", "SigmoidGate"] as const).map((target): PlanItem => ({
      target,
      count: 3,
    })),
    { target: "MaxGate", variant: { tie: true } },
    { target: "ComputationalGraph", variant: { graph: "lecture", lectureValues: true } },
    { target: "ComputationalGraph", variant: { graph: "lecture" } },
    { target: "ComputationalGraph", variant: { graph: "neuron" }, count: 2 },
    { target: "ComputationalGraph", variant: { graph: "branches" }, count: 2 },
    { target: "ComputationalGraph", variant: { graph: "neuron", shuffled: true } },
    { target: "ComputationalGraph", variant: { graph: "branches", shuffled: true } },
  ],
  layers: [
    ...LAYER_SHAPES.map((dims): PlanItem => ({ target: "affine", dims })),
    ...(["relu", "sigmoid", "tanh"] as const).flatMap((target) => POINTWISE_SHAPES.map((dims): PlanItem => ({ target, dims }))),
    ...POINTWISE_SHAPES.map((dims): PlanItem => ({ target: "leakyRelu", dims })),
    { target: "leakyRelu", dims: { N: 3, D: 5 }, variant: { param: 0.2 } },
    ...POINTWISE_SHAPES.map((dims): PlanItem => ({ target: "elu", dims })),
    { target: "elu", dims: { N: 3, D: 5 }, variant: { param: 0.5 } },
    { target: "maxout", dims: { N: 3, D: 5, M: 7 } },
    { target: "maxout", dims: { N: 2, D: 4, M: 3 } },
  ],
  classifiers: [
    ...(["svmLoss", "softmaxLoss"] as const).flatMap((target) =>
      [
        { N: 3, C: 5 },
        { N: 5, C: 4 },
        { N: 1, C: 3 },
      ].map((dims): PlanItem => ({ target, dims })),
    ),
    { target: "softmaxLoss", dims: { N: 4, C: 5 }, variant: { scoreScale: 1e4 } },
    ...(["linearSvmLoss", "linearSoftmaxLoss"] as const).flatMap((target) => [
      { target, dims: { N: 3, D: 5, C: 4 }, variant: { reg: 0 } },
      { target, dims: { N: 5, D: 3, C: 6 }, variant: { reg: 0.1 } },
      { target, dims: { N: 4, D: 6, C: 3 }, variant: { reg: 0.5 } },
    ]),
  ],
  "two-layer-net": [
    { target: "twoLayerNetScores", dims: { N: 4, D: 5, H: 7, C: 3 } },
    { target: "twoLayerNetScores", dims: { N: 2, D: 3, H: 6, C: 4 } },
    { target: "twoLayerNetLoss", dims: { N: 4, D: 5, H: 7, C: 3 }, variant: { reg: 0 } },
    { target: "twoLayerNetLoss", dims: { N: 2, D: 3, H: 6, C: 4 }, variant: { reg: 0.05 } },
    { target: "twoLayerNetLoss", dims: { N: 5, D: 4, H: 8, C: 3 }, variant: { reg: 0.2 } },
  ],
};

/** A readable, unique id: target/sizes[/variant]/draw. */
function caseId(item: PlanItem, draw: number): string {
  const dims = item.dims ? Object.values(item.dims).join("x") : "";
  const v = item.variant ?? {};
  const tags = Object.entries(v).map(([k, val]) => (val === true ? k : `${k}=${val}`));
  return [item.target, dims, ...tags, String(draw)].filter((p) => p !== "").join("/");
}

/** The plan of an assignment drawn with one seed prefix: every case's seed is `<prefix>:<id>`. */
export function planCases(assignment: AssignmentName, seedPrefix: string): Case[] {
  return PLAN[assignment].flatMap((item) =>
    Array.from({ length: item.count ?? 1 }, (_, draw) => {
      const id = caseId(item, draw);
      return makeCase(id, item.target, item.dims ?? {}, item.variant ?? {}, `${seedPrefix}:${id}`);
    }),
  );
}
