/**
 * Where a bundled submission finds ml-matrix: bundle.ts compiles `import … from "ml-matrix"` into a
 * read of this global symbol, and the sandbox's runner (sandbox/child.ts) puts its own ml-matrix
 * module there before it imports the bundle.
 */
export const ML_MATRIX_GLOBAL = "backprop-grader.ml-matrix";
