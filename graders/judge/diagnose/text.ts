/**
 * Pieces of the variants' texts shared across assignments: what each gradient output should be,
 * how an output is named ("affineBackward: dw", "MultiplyGate.backward"), and the text of a
 * transposed gradient.
 */
import { type Mat, type Target, SIGNATURES, isGate } from "../../cases/case";
import { expectedOf } from "./case-data";
import type { DiagnosisContext } from "./variant";

/** What a gradient output should be, for the texts. */
export const FORMULA: Partial<Record<Target, Record<string, string>>> = {
  affine: { dx: "dx = dout·wᵀ", dw: "dw = xᵀ·dout", db: "db = the sum of dout over the rows" },
  maxout: {
    dx: "dx = dz1·w1ᵀ + dz2·w2ᵀ",
    dw1: "dw1 = xᵀ·dz1",
    dw2: "dw2 = xᵀ·dz2",
    db1: "db1 = the sum of dz1 over the rows",
    db2: "db2 = the sum of dz2 over the rows",
  },
  linearSvmLoss: { dW: "dW = Xᵀ·dscores + 2·reg·W" },
  linearSoftmaxLoss: { dW: "dW = Xᵀ·dscores + 2·reg·W" },
  twoLayerNetLoss: {
    dW1: "dW1 = Xᵀ·dz1 + 2·reg·W1",
    db1: "db1 = the sum of dz1 over the rows",
    dW2: "dW2 = h1ᵀ·dscores + 2·reg·W2",
    db2: "db2 = the sum of dscores over the rows",
  },
};

/** The argument whose shape a gradient output has (dw ↔ w, dscores ↔ scores, dW1 ↔ W1). */
function twinOf(target: Target, output: string): string | undefined {
  if (isGate(target) || target === "ComputationalGraph") return undefined;
  const signature = SIGNATURES[target];
  const slot = signature.outputs.find((o) => o.name === output);
  if (!slot?.shape) return undefined;
  const dims = slot.shape.join("×");
  const alike = signature.args.filter((a) => a.kind === "matrix" && a.shape?.join("×") === dims);
  return (alike.find((a) => a.name === output.slice(1)) ?? alike[0])?.name;
}

/** "affineBackward: dw" or "MultiplyGate.backward" (a gate's gradients are one array). */
export const subject = ({ exportName, output }: DiagnosisContext) =>
  output === "grads" ? `${exportName}.backward` : output === "value" || output === "z" ? `${exportName}.forward` : `${exportName}: ${output}`;

/** The text of a transposed gradient: its shape, and the shape (of the argument) it should have. */
export function transposedText(ctx: DiagnosisContext): string {
  const right = expectedOf(ctx.c)[ctx.output] as Mat;
  const twin = twinOf(ctx.c.target, ctx.output);
  const formula = FORMULA[ctx.c.target]?.[ctx.output];
  const rightShape = `${right.length}×${right[0].length}`;
  return `${subject(ctx)} is transposed (${right[0].length}×${right.length}): ${formula ?? ctx.output}${twin ? ` has the shape of ${twin} (${rightShape})` : ` is ${rightShape}`}`;
}
