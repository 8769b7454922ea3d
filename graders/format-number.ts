/**
 * Numbers in messages, the same way in every check: six significant digits in a headline, every
 * digit in details and replays, powers of ten in rules and steps.
 */

/** Six significant digits, no trailing zeros: 0.5, 1.23457, 1e-7, -3; integers and ±Infinity/NaN as they are. */
export function formatNumber(v: number): string {
  return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** Every digit (String round-trips a double), and -0 as "-0". */
export function fullNumber(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

/** A power of ten or a step as people write it: 1e-5, not 0.00001; 2.5e-7. */
export function scientific(v: number): string {
  return v
    .toExponential()
    .replace(/\.?0*e([+-])/, "e$1")
    .replace("e+", "e");
}
