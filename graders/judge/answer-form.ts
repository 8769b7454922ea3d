/**
 * What an answer must be before it is judged, checked by a walk over the outputs judged: each is
 * present; a matrix is an array of exactly R arrays of exactly C numbers (R, C from the sizes the
 * case's inputs fix); a number is a finite number; a gate's gradients are an array of one number
 * per input, a graph's an object with a number per graph input. The answer is checked as it comes
 * back from the sandbox (graders/sandbox/child.ts toWire): matrices as number[][], a non-finite
 * number as {"$num": "NaN"} (or already revived to NaN), what cannot be sent as
 * {"$unsupported": "a function"}.
 *
 * The walk finds every problem (`answerFormProblems`), as data; the student is told the first, in
 * output order, in the judge's words: a shape error by the ShapeBinder ("dw has shape 7×5,
 * expected 5×7 (the shape of w)"), since the walk says where a length is wrong and the binder says
 * why it should be another. The entries of an array are looked at only when its length is right,
 * so that a hostile answer of millions of entries yields a few problems, not one per entry.
 *
 * A plain walk, not a JSON Schema: the form is a handful of fixed shapes, and a schema per case
 * cost an ajv compile for each target, outputs and sizes (some fifty in a layers grading) plus the
 * caches to avoid repeating them. The problems keep the words ajv gave them ("must NOT have more
 * than 7 items"), which students have seen in `details`; test/unit/judge/answer-form.test.ts checks the walk
 * against ajv on the equivalent schema.
 */
import { type Case, type Dim, type GraphSpec, SIGNATURES, type Slot, isGate } from "../cases/case";
import { ShapeBinder, describe as describeValue, inputBinder, matrixShape } from "../cases/shapes";

export type Failure = { ok: false; message: string; details?: string };
/** A target whose arguments and outputs SIGNATURES lists (every one but the gates and the graph). */
type TargetWithSignature = keyof typeof SIGNATURES;

/** One way an answer is not of the answer's form, at `path` (an output's name, then indices or keys). */
export type FormProblem =
  | { kind: "missing"; path: string[] }
  | { kind: "type"; path: string[]; expected: "number" | "array" | "object" }
  | { kind: "length"; path: string[]; expected: number; actual: number };

const NON_FINITE_DETAILS = "NaN or Infinity usually comes from exp() of a large number, 0/0, or log(0).";
/** How many further problems `details` lists after the message. */
const MORE_PROBLEMS = 5;

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------- the walk

/** The problems of `v` as a number: a finite one. */
function numberProblems(v: unknown, path: string[], out: FormProblem[]): void {
  if (typeof v !== "number" || !Number.isFinite(v)) out.push({ kind: "type", path, expected: "number" });
}

/** The problems of `v` as an array of exactly `n` items, each checked by `item` only when the length is right. */
function arrayProblems(v: unknown, n: number, path: string[], out: FormProblem[], item: (v: unknown, path: string[], out: FormProblem[]) => void): void {
  if (!Array.isArray(v)) out.push({ kind: "type", path, expected: "array" });
  else if (v.length !== n) out.push({ kind: "length", path, expected: n, actual: v.length });
  else for (let k = 0; k < n; k++) item(v[k], [...path, String(k)], out);
}

/** The problems of `v` as an object with the keys `required`, each checked by `item` when present (missing ones first). */
function objectProblems(
  v: unknown,
  required: string[],
  path: string[],
  out: FormProblem[],
  item: (key: string, v: unknown, path: string[], out: FormProblem[]) => void,
): void {
  if (!isRecord(v)) {
    out.push({ kind: "type", path, expected: "object" });
    return;
  }
  for (const key of required) if (v[key] === undefined) out.push({ kind: "missing", path: [...path, key] });
  for (const key of required) if (v[key] !== undefined) item(key, v[key], [...path, key], out);
}

/** The problems of `v` as a matrix of `rows` × `cols` finite numbers (its entries, when both lengths are right). */
export function matrixProblems(v: unknown, rows: number, cols: number, path: string[] = []): FormProblem[] {
  const out: FormProblem[] = [];
  arrayProblems(v, rows, path, out, (row, at, o) => arrayProblems(row, cols, at, o, numberProblems));
  return out;
}

/** Whether the case's target is in SIGNATURES (not a gate, not the graph). */
const hasSignature = (c: Case): c is Case & { target: TargetWithSignature } => !isGate(c.target) && c.target !== "ComputationalGraph";
const graphInputs = (c: Case) => (c.inputs.graph as GraphSpec).inputs;
const gateInputs = (c: Case) => (c.inputs.x as number[]).length;

/** A binder holding the sizes the case's inputs fix; only the forward's arguments explain a shape. */
const caseBinder = (c: Case & { target: TargetWithSignature }): ShapeBinder => inputBinder(SIGNATURES[c.target], c.inputs, SIGNATURES[c.target].args);

function slotOf(c: Case & { target: TargetWithSignature }, name: string): Slot {
  const slot = SIGNATURES[c.target].outputs.find((o) => o.name === name);
  if (!slot) throw new Error(`${c.target} has no output ${name} (grader bug)`);
  return slot;
}

/** Every problem of what the sandbox returned for the outputs `names` of case `c`, in the walk's order. */
export function answerFormProblems(c: Case, returned: unknown, names: string[]): FormProblem[] {
  const out: FormProblem[] = [];
  let check: (name: string, v: unknown, path: string[], out: FormProblem[]) => void;
  if (isGate(c.target)) {
    const n = gateInputs(c);
    check = (name, v, path, o) => (name === "grads" ? arrayProblems(v, n, path, o, numberProblems) : numberProblems(v, path, o));
  } else if (c.target === "ComputationalGraph") {
    const inputs = graphInputs(c);
    check = (name, v, path, o) =>
      name === "grads" ? objectProblems(v, inputs, path, o, (_, x, at, oo) => numberProblems(x, at, oo)) : numberProblems(v, path, o);
  } else {
    const target = c as Case & { target: TargetWithSignature };
    const dims = caseBinder(target).dims;
    const size = (d: Dim) => (typeof d === "number" ? d : dims.get(d)?.size);
    const shapes = new Map<string, [number, number] | null>();
    for (const name of names) {
      const slot = slotOf(target, name);
      if (slot.kind !== "matrix") shapes.set(name, null);
      else {
        const [rows, cols] = (slot.shape ?? []).map(size);
        if (rows === undefined || cols === undefined) throw new Error(`the inputs of ${c.id} do not fix the shape of ${name} (grader bug)`);
        shapes.set(name, [rows, cols]);
      }
    }
    check = (name, v, path, o) => {
      const shape = shapes.get(name);
      if (shape) o.push(...matrixProblems(v, shape[0], shape[1], path));
      else numberProblems(v, path, o);
    };
  }
  objectProblems(returned, names, [], out, check);
  return out;
}

// ---------------------------------------------------------------- the problems in the judge's words

/** {"$num": "NaN" | "Infinity" | "-Infinity"}: a non-finite number as the sandbox sends it. */
const numMarker = (v: unknown): string | undefined =>
  isRecord(v) && Object.keys(v).length === 1 && ["NaN", "Infinity", "-Infinity"].includes(v.$num as string) ? (v.$num as string) : undefined;
const nonFinite = (v: unknown) => (typeof v === "number" && !Number.isFinite(v)) || numMarker(v) !== undefined;
const numberText = (v: unknown) => numMarker(v) ?? String(v);

/** A returned value in words, knowing the sandbox's markers ($num, $unsupported, $class). */
function describeAnswer(v: unknown): string {
  if (v === undefined) return "undefined";
  const marker = numMarker(v);
  if (marker !== undefined) return marker;
  if (isRecord(v) && typeof v.$unsupported === "string") return /^an? /.test(v.$unsupported) ? v.$unsupported : `a ${v.$unsupported}`;
  if (isRecord(v) && typeof v.$class === "string") return `an object (${v.$class})`;
  return describeValue(v);
}

function valueAt(root: unknown, path: string[]): unknown {
  let v = root;
  for (const s of path) v = v === null || typeof v !== "object" ? undefined : (v as Rec)[s];
  return v;
}

/** "/dx/2/3 must be number (is NaN)": one problem of the `details` list. */
function problemText(p: FormProblem, root: unknown): string {
  const at = `/${p.path.join("/")}`;
  if (p.kind === "missing") return `${at} is missing`;
  if (p.kind === "length") return `${at} must NOT have ${p.actual > p.expected ? "more" : "fewer"} than ${p.expected} items`;
  return `${at} must be ${p.expected} (is ${describeAnswer(valueAt(root, p.path))})`;
}

/** What the student is told about one output's problems: a message, maybe details, and which problems it accounts for. */
interface Explanation {
  message: string;
  details?: string;
  /** The problems the message accounts for; the others may be listed in `details`. */
  covers: FormProblem[];
}

/** Entries (of a matrix or a gradient list) that are not numbers, else those that are NaN or ±Infinity. */
function entryMessage(
  entries: FormProblem[],
  root: unknown,
  label: (path: string[]) => string,
  notANumber: (path: string[], v: unknown) => string,
): Explanation | null {
  if (entries.length === 0) return null;
  const wrongType = entries.filter((p) => !nonFinite(valueAt(root, p.path)));
  if (wrongType.length > 0) {
    const path = wrongType[0].path;
    return { message: notANumber(path, valueAt(root, path)), covers: wrongType };
  }
  const path = entries[0].path;
  const count = entries.length;
  return {
    message: `${label(path)} is ${numberText(valueAt(root, path))}${count > 1 ? ` (${count} entries are NaN or ±Infinity)` : ""}: every entry must be a finite number`,
    details: NON_FINITE_DETAILS,
    covers: entries,
  };
}

/** "dx is missing: the result must have out, dx" (an output of a target with a signature). */
const missing = (c: Case & { target: TargetWithSignature }, name: string) =>
  `${name} is missing: the result must have ${SIGNATURES[c.target].outputs.map((o) => o.name).join(", ")}`;

/** A number output (loss, z, value). */
function numberMessage(c: Case, name: string, problems: FormProblem[], root: unknown): Explanation {
  const actual = valueAt(root, [name]);
  if (actual === undefined && hasSignature(c)) {
    return { message: missing(c, name), covers: problems };
  }
  if (nonFinite(actual))
    return { message: `${name} is ${numberText(actual)}: every entry must be a finite number`, details: NON_FINITE_DETAILS, covers: problems };
  return { message: `${name} is ${describeAnswer(actual)}, expected a number`, covers: problems };
}

/** A matrix output: missing, then its shape (in the binder's words), then its entries. */
function matrixMessage(c: Case & { target: TargetWithSignature }, name: string, problems: FormProblem[], root: unknown): Explanation {
  const actual = valueAt(root, [name]);
  if (actual === undefined) {
    return { message: missing(c, name), covers: problems };
  }
  const structure = problems.filter((p) => p.path.length <= 2);
  if (structure.length > 0) {
    const advice = " (return an ml-matrix Matrix or a number[][])";
    if (!Array.isArray(actual)) return { message: `${name} is ${describeAnswer(actual)}, not a matrix${advice}`, covers: structure };
    const shape = matrixShape(actual);
    if (typeof shape === "string") return { message: `${name} ${shape}${advice}`, covers: structure };
    const binder = caseBinder(c);
    binder.bind("expected", slotOf(c, name), actual);
    const problem = binder.problems.find((p) => p.path.startsWith("expected/"));
    return { message: problem?.message ?? `${name}: ${problemText(structure[0], root)}`, covers: structure };
  }
  const explanation = entryMessage(
    problems.filter((p) => p.path.length === 3),
    root,
    ([, i, j]) => `${name}[${i}][${j}]`,
    ([, i, j], v) => `${name}[${i}][${j}] is ${describeAnswer(v)}, expected a number`,
  );
  return explanation ?? { message: `${name}: ${problemText(problems[0], root)}`, covers: problems };
}

/** A gate's gradients: an array of one number per input. */
function gateGradsMessage(c: Case, problems: FormProblem[], root: unknown): Explanation {
  const actual = valueAt(root, ["grads"]);
  const n = gateInputs(c);
  const s = (k: number) => (k === 1 ? "" : "s");
  if (!Array.isArray(actual)) {
    return {
      message: `backward returned ${describeAnswer(actual)}, expected an array of ${n} gradient${n > 1 ? "s" : ""} (one per input, in input order)`,
      covers: problems,
    };
  }
  const length = problems.filter((p) => p.path.length === 1);
  if (length.length > 0) {
    return {
      message: `backward returned ${actual.length} gradient${s(actual.length)} for ${n} input${n > 1 ? "s" : ""}: return one per input, in input order`,
      covers: length,
    };
  }
  const explanation = entryMessage(
    problems.filter((p) => p.path.length === 2),
    root,
    ([, k]) => `gradient[${k}]`,
    ([, k], v) => `backward's gradient [${k}] is ${describeAnswer(v)}, expected a number`,
  );
  return explanation ?? { message: `grads: ${problemText(problems[0], root)}`, covers: problems };
}

/** A graph's gradients: an object with a number per graph input. */
function graphGradsMessage(c: Case, problems: FormProblem[], root: unknown): Explanation {
  const actual = valueAt(root, ["grads"]);
  const inputs = graphInputs(c);
  if (!isRecord(actual) || numMarker(actual) !== undefined) {
    return {
      message: `backward() returned ${describeAnswer(actual)}, expected an object with one gradient per graph input (${inputs.join(", ")})`,
      covers: problems,
    };
  }
  const perInput = problems.filter((p) => p.path.length === 2);
  const absent = perInput.filter((p) => !nonFinite(valueAt(root, p.path)));
  if (absent.length > 0) {
    const missing = inputs.filter((i) => absent.some((p) => p.path[1] === i));
    return {
      message: `backward() has no number for ${missing.map((m) => `"${m}"`).join(", ")}: return d output / d input for every graph input`,
      covers: absent,
    };
  }
  if (perInput.length === 0) return { message: `grads: ${problemText(problems[0], root)}`, covers: problems };
  const first = perInput[0].path[1];
  return {
    message: `grads.${first} is ${numberText(actual[first])}${perInput.length > 1 ? ` (${perInput.length} entries are NaN or ±Infinity)` : ""}: every entry must be a finite number`,
    details: NON_FINITE_DETAILS,
    covers: perInput,
  };
}

/**
 * Check what the sandbox returned for the outputs `names` of case `c`: null when it has the
 * answer's form, else the judge's verdict on the first problem in output order, with up to
 * MORE_PROBLEMS of the others in `details` when the message brings no details of its own.
 */
export function answerProblem(c: Case, returned: unknown, names: string[]): Failure | null {
  const problems = answerFormProblems(c, returned, names);
  if (problems.length === 0) return null;
  if (!isRecord(returned)) return { ok: false, message: `returned ${describeAnswer(returned)}` };
  const outputOf = (p: FormProblem) => names.indexOf(p.path[0]);
  const ordered = [...problems].sort((a, b) => outputOf(a) - outputOf(b));
  const name = ordered[0].path[0];
  const mine = ordered.filter((p) => p.path[0] === name);
  let explanation: Explanation;
  if (name === "grads" && isGate(c.target)) explanation = gateGradsMessage(c, mine, returned);
  else if (name === "grads" && c.target === "ComputationalGraph") explanation = graphGradsMessage(c, mine, returned);
  else if (hasSignature(c) && slotOf(c, name).kind === "matrix") explanation = matrixMessage(c, name, mine, returned);
  else explanation = numberMessage(c, name, mine, returned);
  const others = ordered.filter((p) => !explanation.covers.includes(p));
  let details = explanation.details;
  if (details === undefined && others.length > 0) {
    const more = others.length > MORE_PROBLEMS ? ` (and ${others.length - MORE_PROBLEMS} more)` : "";
    details = `also: ${others
      .slice(0, MORE_PROBLEMS)
      .map((p) => problemText(p, returned))
      .join("; ")}${more}`;
  }
  return { ok: false, message: explanation.message, ...(details !== undefined ? { details } : {}) };
}
