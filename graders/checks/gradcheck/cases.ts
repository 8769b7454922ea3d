/**
 * The cases a gradient check runs: the golden ones away from kinks, and one larger case per
 * target drawn from the test's seed, so that sampled entries and random directions run in every
 * grading (an argument of a golden case is small enough to have every entry checked).
 */
import type { Case, Target } from "../../cases/case";
import { type Dims, type Variant, makeCase } from "../../cases/generate";
import { kinkDistance } from "../../cases/kinks";
import type { ReferenceAnswers } from "../../reference/reference-answers";

/** The larger case drawn per target (beyond the small golden ones), so sampled entries and directions run too. */
const LARGER: Partial<Record<Target, { dims: Dims; variant?: Variant }>> = {
  affine: { dims: { N: 6, D: 12, M: 10 } },
  relu: { dims: { N: 8, D: 10 } },
  sigmoid: { dims: { N: 8, D: 10 } },
  tanh: { dims: { N: 8, D: 10 } },
  leakyRelu: { dims: { N: 8, D: 10 } },
  elu: { dims: { N: 8, D: 10 } },
  maxout: { dims: { N: 5, D: 9, M: 8 } },
  svmLoss: { dims: { N: 10, C: 7 } },
  softmaxLoss: { dims: { N: 10, C: 7 } },
  linearSvmLoss: { dims: { N: 8, D: 12, C: 6 }, variant: { reg: 0.1 } },
  linearSoftmaxLoss: { dims: { N: 8, D: 12, C: 6 }, variant: { reg: 0.1 } },
  twoLayerNetLoss: { dims: { N: 6, D: 10, H: 12, C: 4 }, variant: { reg: 0.1 } },
};

/** The larger cases drawn so far in this grading process, by the reference that answered them and by seed: the same for every student of a batch. */
const drawn = new WeakMap<ReferenceAnswers, Map<string, Case>>();
const DRAWN_KEPT = 256;

/** One larger case per target of `cases` (where there is a larger size), drawn from `seed` (once per grading process), its expected values the reference's. */
export function largerCases(cases: Case[], seed: string, reference: ReferenceAnswers): Case[] {
  let mine = drawn.get(reference);
  if (!mine) drawn.set(reference, (mine = new Map()));
  return [...new Set(cases.map((c) => c.target))].flatMap((t) => {
    const l = LARGER[t];
    if (!l) return [];
    const id = `${t}/${Object.values(l.dims).join("x")}/larger`;
    const caseSeed = `${seed}:${id}`;
    let c = mine.get(caseSeed);
    if (!c) {
      c = makeCase(id, t, l.dims, l.variant ?? {}, caseSeed, reference);
      if (mine.size >= DRAWN_KEPT) mine.delete(mine.keys().next().value as string);
      mine.set(caseSeed, c);
    }
    return [c];
  });
}

/**
 * The cases a gradient check runs: the golden ones away from kinks (the golden MaxGate tie is for
 * the value tests only), and the larger ones drawn from the test's seed.
 */
export function gradcheckCases(golden: Case[], seed: string, h: number, reference: ReferenceAnswers): { golden: Case[]; larger: Case[] } {
  const kept = golden.filter((c) => kinkDistance(c.target, c.inputs) >= 100 * h);
  return { golden: kept, larger: largerCases(kept, seed, reference) };
}
