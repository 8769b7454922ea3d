/**
 * Plain number[][] arithmetic for the grader's own computations on case data (kink arguments,
 * catalog variants, property checks): small matrices, written for clarity. Never used on a
 * student's answer before the judge has validated it.
 */
import type { Mat } from "./case";

export const map = (a: Mat, f: (v: number, i: number, j: number) => number): Mat => a.map((r, i) => r.map((v, j) => f(v, i, j)));
export const zip = (a: Mat, b: Mat, f: (u: number, v: number) => number): Mat => map(a, (v, i, j) => f(v, b[i][j]));
export const transpose = (a: Mat): Mat => a[0].map((_, j) => a.map((r) => r[j]));
export const scale = (a: Mat, k: number): Mat => map(a, (v) => v * k);
export const add = (a: Mat, b: Mat): Mat => zip(a, b, (u, v) => u + v);
/** a·b, each entry summed over k in order from 0 (as ml-matrix does). */
export const mmul = (a: Mat, b: Mat): Mat => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
/** 1×cols: the sum of each column (a bias gradient). */
export const colSums = (a: Mat): Mat => [a[0].map((_, j) => a.reduce((s, r) => s + r[j], 0))];
/** rows×1: the sum of each row. */
export const rowSums = (a: Mat): Mat => a.map((r) => [r.reduce((s, v) => s + v, 0)]);
/** a with the 1×cols `row` added to every row (a bias). */
export const addRow = (a: Mat, row: Mat): Mat => map(a, (v, _i, j) => v + row[0][j]);
export const sumSquares = (a: Mat): number => a.flat().reduce((s, v) => s + v * v, 0);
/** A matrix of a's shape filled with `value`. */
export const filled = (a: Mat, value: number): Mat => map(a, () => value);
