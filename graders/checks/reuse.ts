/**
 * Objects in use: real code builds a gate, or a ComputationalGraph, once and calls it again and
 * again on different values. Here one object runs a sequence of calls (forward then backward,
 * backward twice after one forward, two forwards in a row then backward, on four sets of values),
 * and every answer must equal what a FRESH object of the student's own class gives for that call.
 * A difference can only come from state kept between calls: gradients added with += and never
 * reset, the inputs of the first forward kept, a cached value, a node order reversed in place;
 * the message names the first call that shows it, the fresh and the reference's answers, and the
 * likely cause. The fresh answers must also match the reference's (the judge's rule): otherwise
 * code that keeps no state because it computes nothing (a constant) would earn the points. That
 * failure says it is not about state, with the diagnosis catalog's likely cause.
 *
 * A sample is ONE case, run in one round trip: the reused object's calls, and on a new object per
 * set of values forward() then backward() (cases/run.ts, `sequences`). The graph's gates are the
 * grader's own, as in every graph case, so only the graph's own state is tested.
 */
import fc from "fast-check";
import { type Call, type Case, GATE_NAMES, type GateName, type GraphSpec, type Value, outputsOf } from "../cases/case";
import { type Values, branchGraph, graphValues, orderGraph } from "../cases/graph-generators";
import { Random } from "../cases/random";
import { describe } from "../cases/shapes";
import { showGraph } from "../cases/show-graph";
import { judgeOutputs } from "../judge/compare";
import { computeCatalog, diagnose } from "../judge/diagnose";
import { withinTolerance } from "../judge/tolerance";
import { TOLERANCE_RULE, between, full, magnitude, numberList, short, subSeed, unaryInput, upstream, withinPropertyTol } from "./arbitraries";
import type { Check, CheckContext, RegisteredCheck } from "./context";
import { type Broken, checkProperty } from "./property";

type Method = Call["method"];

/** One call on the reused object: its method, which set of values it uses, how a message names it. */
interface Step {
  method: Method;
  set: number;
  call: string;
  /** What came just before, when that is the point of the step. */
  when?: string;
}

const SEQUENCE: Step[] = [
  { method: "forward", set: 0, call: "the first forward()" },
  { method: "backward", set: 0, call: "the first backward()" },
  { method: "backward", set: 0, call: "the second backward()", when: "right after the first (no forward() between)" },
  { method: "forward", set: 1, call: "the second forward()", when: "on new values" },
  { method: "backward", set: 1, call: "the third backward()", when: "after that second forward()" },
  { method: "forward", set: 2, call: "the third forward()", when: "on new values" },
  { method: "forward", set: 3, call: "the fourth forward()", when: "right after the third (no backward() between)" },
  { method: "backward", set: 3, call: "the fourth backward()", when: "after two forward() calls in a row" },
];
/** Sets of values per sample (each also runs forward() then backward() on a fresh object). */
const SETS = 4;

/** The likely causes a failing step can show, in the words of one kind of object. */
interface Causes {
  /** backward() returned the previous backward()'s answer plus this one's. */
  accumulates: string;
  /** forward() returned what an earlier forward() returned. */
  staleForward: string;
  /** backward() returned what it would after an earlier forward(). */
  staleInputs: string;
  /** A second backward() right after the first differs. */
  changedByBackward: string;
  /** None of these. */
  other: string;
}

/** What the comparison needs to know about one kind of object under test and one sample. */
interface Subject {
  /** "gate" or "graph", in "on the same gate". */
  noun: string;
  /** "a fresh MultiplyGate". */
  fresh: string;
  /** The case: the reused object's calls, then forward() and backward() on a new object per set. */
  case: Case;
  /** The ordinary case of one set (forward() then backward() on a new object), without `expected`. */
  plainCase(set: number): Case;
  /** The numbers of an answer to `method`, in a fixed order, or null when it cannot be read. */
  read(method: Method, value: unknown): number[] | null;
  /** The names of those numbers ("dx", "d out/dx"). */
  names(method: Method): string[];
  /** What a readable answer to `method` is, for a message. */
  expectation(method: Method): string;
  /** A call of the sequence with its arguments: "forward(1.5, -0.3)", "backward()". */
  showCall(step: Step): string;
  /** The values of a set, for a message ("x = 1.5, y = -0.3, dz = 0.7"). */
  showSet(set: number, f: (v: number) => string): string;
  /** Answers a correct object gives to this backward() step after an earlier set's forward() instead. */
  staleAnswers(k: number, fresh: number[][][]): number[][];
  causes: Causes;
}

/** Every set's forward() then backward() on a fresh object: the `sequences` that follow the reused one. */
const freshSequences = (forwardArgs: (s: number) => Call["args"], backwardArgs: (s: number) => Call["args"]): Call[][] =>
  Array.from({ length: SETS }, (_, s) => [
    { method: "forward", args: forwardArgs(s) },
    { method: "backward", args: backwardArgs(s) },
  ]);

const sequences = (forwardArgs: (s: number) => Call["args"], backwardArgs: (s: number) => Call["args"]): Call[][] => [
  SEQUENCE.map((step) => ({ method: step.method, args: step.method === "forward" ? forwardArgs(step.set) : backwardArgs(step.set) })),
  ...freshSequences(forwardArgs, backwardArgs),
];

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const at = (k: number) => (SEQUENCE[k].method === "forward" ? 0 : 1);

/** What each call returned: the reused object's calls, then each set's fresh [forward, backward]. */
function resultsOf(value: unknown): unknown[][] | null {
  const results = typeof value === "object" && value !== null ? (value as Record<string, unknown>).results : undefined;
  if (!Array.isArray(results) || results.length !== SETS + 1 || !results.every(Array.isArray)) return null;
  if (results[0].length !== SEQUENCE.length || results.slice(1).some((r) => (r as unknown[]).length !== 2)) return null;
  return results as unknown[][];
}

/**
 * Judge one sample: the student's answers (`value`, untrusted) first against the student's own
 * fresh objects, call by call (state kept between calls), then the fresh objects' answers against
 * the reference's (`reference`, run in this process): a reused object that answers as a fresh one
 * does earns nothing when both are wrong (a gate that returns a constant keeps no state either).
 */
function judge(ctx: CheckContext, subject: Subject, value: unknown, reference: unknown): Broken | null {
  // the kit's policy (the starter kit, and the recording of its answers: graders/reference/grading-policy.ts):
  // the questions a diagnosis of a wrong fresh answer would ask the reference, asked up front
  if (ctx.policy.builtCaseCatalog === "up-front") for (let s = 0; s < SETS; s++) computeCatalog(subject.plainCase(s), ctx.reference);
  const results = resultsOf(value);
  if (!results) return { message: `the answers of a sequence of calls on one ${subject.noun} could not be read back` };
  const referenceResults = resultsOf(reference)!;
  const fresh = freshAnswers(subject, results);
  return (fresh && stateKept(subject, results, referenceResults, fresh)) ?? wrongWhenFresh(ctx, subject, results, referenceResults);
}

/** The fresh objects' answers, forward()'s and backward()'s per set; null when one cannot be read. */
function freshAnswers(subject: Subject, results: unknown[][]): number[][][] | null {
  const fresh: number[][][] = [];
  for (let s = 0; s < SETS; s++) {
    const answers = (["forward", "backward"] as const).map((method, i) => subject.read(method, results[s + 1][i]));
    if (answers.some((a) => a === null)) return null;
    fresh[s] = answers as number[][];
  }
  return fresh;
}

/** The first call on the reused object that does not answer as a fresh object does. */
function stateKept(subject: Subject, results: unknown[][], referenceResults: unknown[][], fresh: number[][][]): Broken | null {
  const reused = results[0];
  for (let k = 0; k < SEQUENCE.length; k++) {
    const step = SEQUENCE[k];
    const want = fresh[step.set][at(k)];
    const got = subject.read(step.method, reused[k]);
    const differs = got ? want.findIndex((w, j) => !withinPropertyTol(got[j], w)) : 0;
    if (differs < 0) continue;
    const where = `${step.call} on the same ${subject.noun}${step.when ? `, ${step.when},` : ""}`;
    const name = subject.names(step.method)[differs];
    const versus = got
      ? `returned ${name} = ${short(got[differs])}; ${subject.fresh} gives ${short(want[differs])}`
      : `returned ${describe(reused[k])}, expected ${subject.expectation(step.method)}; ${subject.fresh} gives ${showAnswer(results[step.set + 1][at(k)], short)}`;
    return {
      message: `${where} ${versus}, for ${subject.showSet(step.set, short)}`,
      details: [
        `calls on one ${subject.noun}, and what they returned:`,
        ...SEQUENCE.slice(0, k + 1).map((s, i) => `  ${i + 1}. ${subject.showCall(s)} → ${showAnswer(reused[i])}`),
        `${subject.fresh}, forward() then backward() on the values of call ${k + 1}: ${step.method}() → ${showAnswer(results[step.set + 1][at(k)])}`,
        `the reference, the same: ${step.method}() → ${showAnswer(referenceResults[step.set + 1][at(k)])}`,
        `rule: ${TOLERANCE_RULE}`,
      ].join("\n"),
      diagnosis: got ? likelyCause(subject, k, got, want, reused, fresh) : subject.causes.other,
    };
  }
  return null;
}

/** The first set on which a fresh object's forward() and backward() differ from the reference's (the judge's rule). */
function wrongWhenFresh(ctx: CheckContext, subject: Subject, results: unknown[][], referenceResults: unknown[][]): Broken | null {
  const tol = ctx.manifest.tolerances.golden;
  for (let s = 0; s < SETS; s++) {
    // the judge's rule on the numbers read; the judge itself (and its schemas, one per graph) only for a failure
    const agrees = (["forward", "backward"] as const).every((method, i) => {
      const [got, want] = [subject.read(method, results[s + 1][i]), subject.read(method, referenceResults[s + 1][i])!];
      const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      return got !== null && got.every((v, j) => withinTolerance(v, want[j], scale, tol));
    });
    if (agrees) continue;
    const plain = subject.plainCase(s);
    const names = outputsOf(plain, ctx.spec.export);
    const c: Case = { ...plain, expected: { [names[0]]: referenceResults[s + 1][0] as Value, grads: referenceResults[s + 1][1] as Value } };
    const answer = { [names[0]]: results[s + 1][0], grads: results[s + 1][1] };
    const verdict = judgeOutputs(c, answer, names, tol);
    if (verdict.ok) throw new Error(`reuse: a fresh answer fails the judge's rule as read here but passes the judge, for ${subject.showSet(s, full)}`); // a grader error
    const diagnosis = diagnose(c, ctx.spec.export, answer, names, tol, ctx.reference);
    return {
      message: `${subject.fresh} is already wrong, so this is not about state: ${verdict.message}, for ${subject.showSet(s, short)}`,
      details: [
        verdict.details,
        `This test passes when every call on a reused ${subject.noun} answers as a fresh one does and as the reference does; the other ${ctx.spec.export} tests say more about the fresh answer.`,
      ]
        .filter(Boolean)
        .join("\n"),
      ...(diagnosis ? { diagnosis } : {}),
    };
  }
  return null;
}

/** An answer as sent back (untrusted): a number, an array of numbers, a record of numbers, or what it is. */
function showAnswer(answer: unknown, f: (v: number) => string = full): string {
  if (isNumber(answer)) return f(answer);
  if (Array.isArray(answer) && answer.every(isNumber)) return numberList(answer, f);
  if (typeof answer === "object" && answer !== null && !Array.isArray(answer)) {
    return `{${Object.entries(answer)
      .map(([n, v]) => `${n}: ${isNumber(v) ? f(v) : describe(v)}`)
      .join(", ")}}`;
  }
  return describe(answer);
}

const allWithinPropertyTol = (a: number[], b: number[]) => a.length === b.length && a.every((v, j) => withinPropertyTol(v, b[j]));

function likelyCause(subject: Subject, k: number, got: number[], want: number[], reused: unknown[], fresh: number[][][]): string {
  const step = SEQUENCE[k];
  const earlier = SEQUENCE.slice(0, k)
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.method === step.method);
  if (step.method === "backward") {
    const previous = earlier.length > 0 ? subject.read("backward", reused[earlier[earlier.length - 1].i]) : null;
    if (
      previous &&
      allWithinPropertyTol(
        got,
        previous.map((p, j) => p + want[j]),
      )
    )
      return subject.causes.accumulates;
    if (subject.staleAnswers(k, fresh).some((a) => !allWithinPropertyTol(a, want) && allWithinPropertyTol(got, a))) return subject.causes.staleInputs;
    if (SEQUENCE[k - 1]?.method === "backward") return subject.causes.changedByBackward;
    return subject.causes.other;
  }
  const stale = earlier.some(({ s, i }) => {
    const answer = subject.read("forward", reused[i]);
    return answer !== null && !allWithinPropertyTol(fresh[s.set][0], want) && allWithinPropertyTol(got, answer);
  });
  return stale ? subject.causes.staleForward : subject.causes.other;
}

/** The sets of values the reused object saw before step k, other than step k's own. */
const earlierSets = (k: number): number[] => [...new Set(SEQUENCE.slice(0, k).map((s) => s.set))].filter((s) => s !== SEQUENCE[k].set);

// ------------------------------------------------------------------------------- gates

interface GateSample {
  ctor?: number[];
  sets: { x: number[]; dz: number }[];
}

const TWO_INPUTS: readonly string[] = ["AddGate", "MultiplyGate", "MaxGate"];
const CONSTANT: Record<string, string> = { ScaleGate: "a", OffsetGate: "c" };

/** Two-input gates: x > y in sets 0 and 2, x < y in 1 and 3, so a max gate's winner changes between calls. */
function gateSample(gate: string): fc.Arbitrary<GateSample> {
  const two = TWO_INPUTS.includes(gate);
  const x = two ? fc.tuple(magnitude(0.25, 2), magnitude(0.25, 2)).filter(([a, b]) => Math.abs(a - b) >= 1e-2) : unaryInput(gate).map((v) => [v]);
  const set = fc.record({ x, dz: upstream });
  const ctor = gate === "ScaleGate" ? magnitude(0.1, 3) : gate === "OffsetGate" ? between(-3, 3) : fc.constant(undefined);
  return fc.record({ ctor, sets: fc.tuple(set, set, set, set) }).map(({ ctor, sets }) => ({
    ...(ctor === undefined ? {} : { ctor: [ctor] }),
    sets: sets.map(({ x, dz }, s) => ({ x: two ? (s % 2 === 0 ? [Math.max(...x), Math.min(...x)] : [Math.min(...x), Math.max(...x)]) : x, dz })),
  }));
}

function showGateSample(gate: string, sample: GateSample): string {
  const constant = sample.ctor ? `${CONSTANT[gate]} = ${full(sample.ctor[0])}; ` : "";
  return `${constant}${sample.sets.map((_, s) => `(${gateSet(gate, sample, s, full)})`).join(", ")}`;
}

function gateSet(gate: string, sample: GateSample, s: number, f: (v: number) => string): string {
  const { x, dz } = sample.sets[s];
  const names = x.length === 2 ? ["x", "y"] : ["x"];
  const constant = sample.ctor ? `${CONSTANT[gate]} = ${f(sample.ctor[0])}, ` : "";
  return `${constant}${x.map((v, i) => `${names[i]} = ${f(v)}`).join(", ")}, dz = ${f(dz)}`;
}

const GATE_CAUSES: Causes = {
  accumulates:
    "backward() returned gradients kept from the earlier call and added to (+= into a field that is never reset): return this call's gradients only.",
  staleForward:
    "forward() returned the value of an earlier call: compute it from this call's inputs every time (a value cached once, e.g. with ??=, is stale on the next call).",
  staleInputs:
    "backward() used the inputs of an earlier forward(): store the inputs in every forward(), not only in the first (`if (this.x === undefined)` or `this.x ??= x` keeps the first ones for ever).",
  changedByBackward:
    "a second backward() with the same dz gave a different result: backward() changes something the next backward() reads; it must depend only on the last forward()'s inputs and on dz.",
  other:
    "the gate keeps something from an earlier call that changes this answer: forward() must store this call's inputs every time, and backward() must depend only on them and on dz.",
};

function gateSubject(ctx: CheckContext, sample: GateSample): Subject {
  const gate = ctx.spec.export as GateName;
  const n = sample.sets[0].x.length;
  const names = n === 2 ? ["dx", "dy"] : ["dx"];
  const constant: Record<string, Value> = sample.ctor ? { ctor: sample.ctor } : {};
  const inputs = {
    ...constant,
    sequences: sequences(
      (s) => sample.sets[s].x,
      (s) => [sample.sets[s].dz],
    ),
  };
  // the reference after an earlier set's forward, with each backward step's dz (gates are linear in
  // dz): asked up front, so a starter kit's recording (made on a correct gate) holds them too
  const stale = SEQUENCE.map((step, k) =>
    step.method !== "backward"
      ? []
      : earlierSets(k).map((s) => {
          const c: Case = {
            id: "stale",
            target: gate,
            exports: [gate],
            seed: "",
            inputs: { ...constant, x: sample.sets[s].x, dz: sample.sets[step.set].dz },
            expected: {},
          };
          return ctx.reference.run(c).grads as number[];
        }),
  );
  return {
    noun: "gate",
    fresh: `a fresh ${gate}`,
    case: { id: `${gate}/${ctx.spec.check}`, target: gate, exports: [gate], seed: ctx.seed, inputs, expected: {} },
    plainCase: (s) => ({
      id: `${gate}/${ctx.spec.check}/${s}`,
      target: gate,
      exports: [gate],
      seed: ctx.seed,
      inputs: { ...constant, x: sample.sets[s].x, dz: sample.sets[s].dz },
      expected: {},
    }),
    read(method, value) {
      if (method === "forward") return isNumber(value) ? [value] : null;
      return Array.isArray(value) && value.length === n && value.every(isNumber) ? value : null;
    },
    names: (method) => (method === "forward" ? ["z"] : names),
    expectation: (method) => (method === "forward" ? "a finite number" : `an array of ${n} finite number${n > 1 ? "s" : ""} (one gradient per input)`),
    showCall: (step) =>
      step.method === "forward" ? `forward(${sample.sets[step.set].x.map(full).join(", ")})` : `backward(${full(sample.sets[step.set].dz)})`,
    showSet: (s, f) => gateSet(gate, sample, s, f),
    staleAnswers: (k) => stale[k],
    causes: GATE_CAUSES,
  };
}

/** Every gate: one instance, reused, answers as fresh instances do. */
const gateReuse: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: gateSample(ctx.spec.export),
    show: (sample) => showGateSample(ctx.spec.export, sample),
    async holds(sample, run) {
      const subject = gateSubject(ctx, sample);
      return judge(ctx, subject, await run(subject.case), ctx.reference.run(subject.case));
    },
  });

// ------------------------------------------------------------------------------- the graph

interface GraphSample {
  spec: GraphSpec;
  sets: Values[];
}

const GRAPH_CAUSES: Causes = {
  accumulates:
    "the gradients were kept from the earlier call and added to: reset them at the start of every backward() (a new Map or object in each call, not a field filled with += across calls).",
  staleForward: "forward() returned the value of an earlier forward(): recompute every node's value on every call (no value cached across calls).",
  staleInputs: "backward() used the node values of an earlier forward(): forward() must store every node's value on every call, and backward() read those.",
  changedByBackward:
    "a second backward() right after the first gave a different result, so backward() changes something the next call reads: the gradients kept from the earlier call and added to (reset them at the start of every backward()), or the node order reversed in place (Array.prototype.reverse() and sort() change the array itself: walk [...order].reverse()).",
  other:
    "the graph keeps something from an earlier call that changes this answer: reset the gradients in every backward(), recompute every node's value in every forward(), and never change the node order in place (Array.prototype.reverse() reverses the array itself: use [...order].reverse()).",
};

/** A graph in topological order (without or with branches) and four sets of values for it. */
function graphSample(seed: string, n: number): GraphSample {
  const r = new Random(`${seed}:reuse:${n}`);
  const { spec, values } = r.uniform() < 0.5 ? orderGraph(r) : branchGraph(r);
  return { spec, sets: [values, ...Array.from({ length: SETS - 1 }, () => graphValues(r, spec))] };
}

const showValues = (spec: GraphSpec, values: Values, f: (v: number) => string) => spec.inputs.map((i) => `${i}: ${f(values[i])}`).join(", ");

function graphSubject(ctx: CheckContext, { spec, sets }: GraphSample): Subject {
  const names = spec.inputs.map((i) => `d out/d${i}`);
  return {
    noun: "graph",
    fresh: "a fresh graph",
    case: {
      id: `ComputationalGraph/${ctx.spec.check}`,
      target: "ComputationalGraph",
      exports: ["ComputationalGraph"],
      seed: ctx.seed,
      inputs: {
        graph: spec,
        sequences: sequences(
          (s) => [sets[s]],
          () => [],
        ),
      },
      expected: {},
    },
    plainCase: (s) => ({
      id: `ComputationalGraph/${ctx.spec.check}/${s}`,
      target: "ComputationalGraph",
      exports: ["ComputationalGraph"],
      seed: ctx.seed,
      inputs: { graph: spec, values: sets[s] },
      expected: {},
    }),
    read(method, value) {
      if (method === "forward") return isNumber(value) ? [value] : null;
      if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
      const grads = spec.inputs.map((i) => (value as Record<string, unknown>)[i]);
      return grads.every(isNumber) ? grads : null;
    },
    names: (method) => (method === "forward" ? ["value"] : names),
    expectation: (method) => (method === "forward" ? "a finite number" : `an object with a finite gradient for every graph input (${spec.inputs.join(", ")})`),
    showCall: (step) => (step.method === "forward" ? `forward({${showValues(spec, sets[step.set], full)}})` : "backward()"),
    showSet: (s, f) => showGraph(spec, sets[s], f),
    // the student's own fresh graph after an earlier set's forward (a graph's backward takes no argument)
    staleAnswers: (k, fresh) => earlierSets(k).map((s) => fresh[s][1]),
    causes: GRAPH_CAUSES,
  };
}

/** The graph: built once, forward and backward on several sets of values, answers as fresh graphs do. */
const graphReuse: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: subSeed.map((n) => graphSample(ctx.seed, n)),
    show: ({ spec, sets }) =>
      `${showGraph(spec, sets[0])}; then values ${sets
        .slice(1)
        .map((v) => `{${showValues(spec, v, full)}}`)
        .join(", ")}`,
    async holds(sample, run) {
      const subject = graphSubject(ctx, sample);
      return judge(ctx, subject, await run(subject.case), ctx.reference.run(subject.case));
    },
  });

export const REUSE_CHECKS: Record<string, RegisteredCheck> = {
  "gate-reuse": { run: gateReuse, exports: GATE_NAMES },
  "graph-reuse": { run: graphReuse, exports: ["ComputationalGraph"] },
};
