/**
 * Helpers on an output's value, whatever its kind (a number, a gate's array, a graph's record, a
 * matrix): the catalog's variants build wrong answers with them, and the matcher reads shapes.
 */
import type { Mat } from "../../cases/case";
import { scale } from "../../cases/mat";

export const isMat = (v: unknown): v is Mat => Array.isArray(v) && v.length > 0 && v.every((r) => Array.isArray(r));

/** "r×c" of a matrix; undefined for anything else. */
export const shapeOf = (v: unknown): string | undefined => (isMat(v) ? `${v.length}×${v[0].length}` : undefined);

/** Negate any output value: a number, a gate's array, a graph's record, a matrix. */
export function negate(v: unknown): unknown {
  if (typeof v === "number") return -v;
  if (isMat(v)) return scale(v, -1);
  if (Array.isArray(v)) return v.map((x) => -x);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, -(x as number)]));
  return v;
}
