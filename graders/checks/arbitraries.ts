/**
 * Numbers in the fast-check property checks (gates, graph, reuse): how samples draw them (O(1),
 * never integers, away from 0 where a sign matters), when two of them agree, and how a message
 * prints them.
 */
import fc from "fast-check";
import { closeTo } from "../judge/tolerance";
import { formatNumber, fullNumber } from "../format-number";

/** The scale-aware rule of the inexact properties: |a − e| ≤ PROPERTY_TOL·max(1, |e|). */
const PROPERTY_TOL = 1e-12;

/** Uniform in (0, 1), without fast-check's bias toward small values and bounds. */
const UNIT_INTERVAL = fc.noBias(fc.integer({ min: 0, max: 0x7fffffff })).map((i) => (i + 0.5) / 2 ** 31);

/** An O(1) double in (lo, hi), never an integer. */
export const between = (lo: number, hi: number): fc.Arbitrary<number> => UNIT_INTERVAL.map((u) => lo + (hi - lo) * u).filter((v) => !Number.isInteger(v));

/** ±(lo, hi): away from 0, either sign, never an integer. */
export const magnitude = (lo: number, hi: number): fc.Arbitrary<number> => fc.tuple(fc.boolean(), between(lo, hi)).map(([negative, m]) => (negative ? -m : m));

/** An upstream gradient: random, O(1), never 0 or ±1 (so "ignores dz" cannot hide). */
export const upstream: fc.Arbitrary<number> = magnitude(0.1, 2).filter((v) => Math.abs(v) !== 1);

/** Where the single-input gates' x is drawn: O(1), and |x| in [0.5, 2] for the reciprocal. */
export function unaryInput(gate: string): fc.Arbitrary<number> {
  if (gate === "ReciprocalGate") return magnitude(0.5, 2);
  if (gate === "SigmoidGate") return between(-3, 3);
  return between(-2, 2);
}

/** A sub-seed for samples that draw a structure (graphs) with the case generator's Random. */
export const subSeed: fc.Arbitrary<number> = fc.noBias(fc.integer({ min: 0, max: 0x7fffffff }));

/** Whether `a` agrees with `e` under the property checks' rule, |a − e| ≤ PROPERTY_TOL·max(1, |e|) (false for NaN). */
export const withinPropertyTol = (a: number, e: number): boolean => closeTo(a, e, PROPERTY_TOL);

/** A number in a message: six significant digits. */
export const short = formatNumber;
/** A number in details and replay: every digit. */
export const full = fullNumber;
/** Numbers as "[a, b]", each printed with `f`. */
export const numberList = (vs: number[], f: (v: number) => string = short): string => `[${vs.map(f).join(", ")}]`;
export const TOLERANCE_RULE = `|yours − expected| ≤ ${PROPERTY_TOL}·max(1, |expected|)`;
