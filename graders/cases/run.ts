/**
 * runCase: call the exports a case names, from any implementation (the reference, a sample
 * student, a student's bundle inside the sandbox), on the case's inputs, and return the results
 * under the names of the case's `expected`. Matrices come back as number[][] (a `Matrix` result is
 * read with to2DArray(), a number[][] is passed through), so results are plain JSON data.
 *
 * Every call gets fresh copies of its inputs, so one call can never see another's mutations.
 * It does not validate what the implementation returns: that is the judge's job, outside the
 * student's process. It throws whatever the implementation throws.
 */
import { Matrix } from "ml-matrix";
import { type Call, type Case, type GateName, type GraphSpec, type Kind, type Mat, SIGNATURES, type Value, isGate, isLayer } from "./case";

/** Any module namespace (or object) holding contract exports by name. */
export type Implementation = Record<string, unknown>;

export interface RunOptions {
  /** Where graph cases take their gate classes from (default: the implementation itself). The
   *  grader passes its own gates, so a student's gate bug never fails a graph test. */
  gates?: Implementation;
  /** Layers: run the forward only and return { out } (so a throwing backward cannot cost the forward). */
  forwardOnly?: boolean;
  /** Also return, under "$inputs", every argument as it is after the calls (to see mutation). */
  reportInputs?: boolean;
}

type Fn = (...args: unknown[]) => unknown;
type GateInstance = { forward: (...x: number[]) => number; backward: (dz: number) => number[] };
type GateClass = new (...ctor: number[]) => GateInstance;
type GraphInstance = { forward: (values: Record<string, number>) => number; backward: () => Record<string, number> };

/** A fresh argument of the given kind, built from case data. */
function toArgument(value: Value, kind: Kind): unknown {
  if (kind === "matrix") return new Matrix(value as Mat);
  if (kind === "labels") return [...(value as number[])];
  return value;
}

/** Plain data from whatever an implementation returned: a Matrix becomes number[][]. */
function toPlain(value: unknown): unknown {
  if (value instanceof Matrix) return value.to2DArray();
  return value;
}

function exported(impl: Implementation, name: string): unknown {
  if (!(name in impl) || impl[name] === undefined) throw new MissingExportError(name);
  return impl[name];
}

class MissingExportError extends Error {
  constructor(readonly exportName: string) {
    super(`${exportName} is not exported`);
    this.name = "MissingExportError";
  }
}

type CallableObject = Record<Call["method"], (...args: unknown[]) => unknown>;

function newGate(impl: Implementation, c: Case): GateInstance {
  const Gate = exported(impl, c.target) as GateClass;
  return new Gate(...((c.inputs.ctor as number[] | undefined) ?? []));
}

function newGraph(impl: Implementation, c: Case, gates: Implementation): GraphInstance {
  const Graph = exported(impl, "ComputationalGraph") as new (...a: unknown[]) => GraphInstance;
  const spec = c.inputs.graph as GraphSpec;
  const nodes = spec.nodes.map((n) => {
    const Gate = exported(gates, n.gate.type satisfies GateName) as GateClass;
    return { name: n.name, gate: new Gate(...(n.gate.ctor ?? [])), inputs: [...n.inputs] };
  });
  return new Graph([...spec.inputs], nodes, spec.output);
}

function runGate(impl: Implementation, c: Case): Record<string, unknown> {
  const gate = newGate(impl, c);
  const z = gate.forward(...(c.inputs.x as number[]));
  const grads = gate.backward(c.inputs.dz as number);
  return { z, grads };
}

function runGraph(impl: Implementation, c: Case, gates: Implementation): Record<string, unknown> {
  const graph = newGraph(impl, c, gates);
  const value = graph.forward({ ...(c.inputs.values as Record<string, number>) });
  const grads = graph.backward();
  return { value, grads };
}

/**
 * Objects in use: each sequence's calls on ONE new object (`create`), in order, as real code calls
 * a gate or a graph it built once. What each call returned is copied at once (one level: a number,
 * an array of numbers, a record of numbers), so an object that returns the same array every time
 * and refills it is judged by what each call returned, not by the array's last contents. Every
 * call gets fresh copies of its arguments.
 */
function runSequences(create: () => unknown, sequences: Call[][]): Record<string, unknown> {
  const results: unknown[][] = [];
  for (let s = 0; s < sequences.length; s++) {
    const object = create() as CallableObject;
    const calls = sequences[s];
    const returned: unknown[] = [];
    for (let k = 0; k < calls.length; k++) {
      const { method, args } = calls[k];
      if (method !== "forward" && method !== "backward") throw new Error(`runCase: unknown method "${String(method)}" in a sequence (grader bug)`);
      const fresh: unknown[] = [];
      for (let i = 0; i < args.length; i++) fresh[i] = typeof args[i] === "number" ? args[i] : { ...(args[i] as Record<string, number>) };
      returned[k] = snapshot(object[method](...fresh));
    }
    results[s] = returned;
  }
  return { results };
}

/** A returned value as it is now: arrays and plain records copied one level deep. */
function snapshot(value: unknown): unknown {
  if (isArray(value)) return arrayFrom(value);
  if (typeof value === "object" && value !== null && getPrototypeOf(value) === objectPrototype) return { ...value };
  return value;
}

function runLayer(impl: Implementation, c: Case & { target: keyof typeof SIGNATURES }, forwardOnly: boolean, reportInputs: boolean): Record<string, unknown> {
  const sig = SIGNATURES[c.target];
  const forward = exported(impl, `${c.target}Forward`) as Fn;
  const backward = forwardOnly ? null : (exported(impl, `${c.target}Backward`) as Fn);
  const args = sig.args.filter((a) => !a.optional || a.name in c.inputs).map((a) => toArgument(c.inputs[a.name], a.kind));
  const named = sig.args.filter((a) => !a.optional || a.name in c.inputs).map((a) => a.name);
  const { out, cache } = forward(...args) as { out: unknown; cache: unknown };
  if (forwardOnly) return withInputs({ out: toPlain(out) }, named, args, reportInputs);
  const dout = toArgument(c.inputs.dout, "matrix");
  const grads = backward!(dout, cache) as Record<string, unknown>;
  const result: Record<string, unknown> = { out: toPlain(out) };
  for (const o of sig.outputs.slice(1)) result[o.name] = toPlain(grads?.[o.name]);
  return withInputs(result, [...named, "dout"], [...args, dout], reportInputs);
}

// Captured when this module loads (in the sandbox: before any student code), so a student who
// patches Matrix.prototype.to2DArray, Array.from or the like cannot change how the grader reads
// back the arguments it made itself.
const arrayFrom = Array.from;
const fromEntries = Object.fromEntries;
const { getPrototypeOf, prototype: objectPrototype } = Object;
const { isArray } = Array;

/** One of our own argument matrices, read from its storage (ml-matrix keeps rows in `data`). */
function ownMatrixNow(m: Matrix): number[][] {
  const rows = (m as unknown as { data: ArrayLike<number>[] }).data;
  return arrayFrom(rows, (row) => arrayFrom(row));
}

/** The arguments as they are now, when asked: a Matrix as number[][], labels as a copy. */
function withInputs(result: Record<string, unknown>, names: string[], args: unknown[], report: boolean): Record<string, unknown> {
  if (!report) return result;
  const now = (a: unknown) => (a instanceof Matrix ? ownMatrixNow(a) : Array.isArray(a) ? arrayFrom(a) : a);
  return { ...result, $inputs: fromEntries(names.map((n, k) => [n, now(args[k])])) };
}

function runFunction(impl: Implementation, c: Case & { target: keyof typeof SIGNATURES }, reportInputs: boolean): Record<string, unknown> {
  const sig = SIGNATURES[c.target];
  const fn = exported(impl, c.target) as Fn;
  const args = sig.args.map((a) => toArgument(c.inputs[a.name], a.kind));
  const named = sig.args.map((a) => a.name);
  if (c.target === "twoLayerNetScores" || c.target === "twoLayerNetLoss") {
    const [W1, b1, W2, b2, ...rest] = args;
    const result = fn({ W1, b1, W2, b2 }, ...rest);
    if (c.target === "twoLayerNetScores") return withInputs({ scores: toPlain(result) }, named, args, reportInputs);
    const { loss, grads } = (result ?? {}) as { loss: unknown; grads?: Record<string, unknown> };
    const out = { loss, dW1: toPlain(grads?.W1), db1: toPlain(grads?.b1), dW2: toPlain(grads?.W2), db2: toPlain(grads?.b2) };
    return withInputs(out, named, args, reportInputs);
  }
  const result = (fn(...args) ?? {}) as Record<string, unknown>;
  return withInputs(Object.fromEntries(sig.outputs.map((o) => [o.name, toPlain(result[o.name])])), named, args, reportInputs);
}

export function runCase(impl: Implementation, c: Case, options: RunOptions = {}): Record<string, unknown> {
  const sequences = c.inputs.sequences as Call[][] | undefined;
  if (isGate(c.target)) return sequences ? runSequences(() => newGate(impl, c), sequences) : runGate(impl, c);
  const gates = options.gates ?? impl;
  if (c.target === "ComputationalGraph") return sequences ? runSequences(() => newGraph(impl, c, gates), sequences) : runGraph(impl, c, gates);
  if (isLayer(c.target)) return runLayer(impl, c as Case & { target: typeof c.target }, options.forwardOnly ?? false, options.reportInputs ?? false);
  return runFunction(impl, c as Case & { target: keyof typeof SIGNATURES }, options.reportInputs ?? false);
}
