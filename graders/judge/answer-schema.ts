/**
 * What an answer must be before it is judged, as a JSON Schema per case: the outputs judged are
 * required; a matrix is an array of exactly R arrays of exactly C numbers (R, C from the sizes
 * the case's inputs fix); a number is {type: number}, which under ajv's strict numbers refuses
 * NaN and ±Infinity; a gate's gradients are an array of one number per input, a graph's an object
 * with a number per graph input. The answer is validated as it comes back from the sandbox
 * (graders/sandbox/child.ts toWire): matrices as number[][], a non-finite number as
 * {"$num": "NaN"} (or already revived to NaN), what cannot be sent as {"$unsupported": "a function"}.
 *
 * ajv finds every problem (allErrors); the student is told the first, in output order, in the
 * judge's words: a shape error by the ShapeBinder ("dw has shape 7×5, expected 5×7 (the shape of
 * w)"), since ajv says where a length is wrong and the binder says why it should be another.
 *
 * Most answers are well-formed, and compiling a schema costs ajv milliseconds (there is one per
 * target, outputs and sizes: some fifty in a layers grading): an answer is first checked against
 * the same schema by `accepts`, a plain walk over the few keywords answerSchema writes, which can
 * only say yes; ajv compiles the schema and finds the problems only when it says no.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import { makeAjv } from "../ajv";
import { type Case, type Dim, type GraphSpec, SIGNATURES, type Slot, isGate } from "../cases/case";
import { ShapeBinder, describe as describeValue, matrixShape } from "../cases/shapes";

export type Failure = { ok: false; message: string; details?: string };
type Schema = Record<string, unknown>;
/** A target whose arguments and outputs SIGNATURES lists (every one but the gates and the graph). */
type TargetWithSignature = keyof typeof SIGNATURES;

const NUMBER: Schema = { type: "number" };
/** An array of exactly n `items`. The items are looked at only when the length is right: with
 *  allErrors, ajv would otherwise report every entry of a hostile answer of millions of them. */
const exactly = (n: number, items: Schema): Schema => ({ type: "array", minItems: n, maxItems: n, if: { minItems: n, maxItems: n }, then: { items } });
const NON_FINITE_DETAILS = "NaN or Infinity usually comes from exp() of a large number, 0/0, or log(0).";
/** How many further problems `details` lists after the message. */
export const MORE_PROBLEMS = 5;

/** A binder holding the sizes (N, D, M, H, C) the case's inputs fix; only the forward's arguments explain a shape. */
function inputBinder(c: Case & { target: TargetWithSignature }): ShapeBinder {
  const sig = SIGNATURES[c.target];
  const binder = new ShapeBinder(sig.args);
  for (const slot of [...sig.args, ...(sig.upstream ? [sig.upstream] : [])]) {
    if (!slot.optional || slot.name in c.inputs) binder.bind("inputs", slot, c.inputs[slot.name]);
  }
  return binder;
}

/** Whether the case's target is in SIGNATURES (not a gate, not the graph). */
const hasSignature = (c: Case): c is Case & { target: TargetWithSignature } => !isGate(c.target) && c.target !== "ComputationalGraph";
const graphInputs = (c: Case) => (c.inputs.graph as GraphSpec).inputs;
const gateInputs = (c: Case) => (c.inputs.x as number[]).length;

function slotOf(c: Case & { target: TargetWithSignature }, name: string): Slot {
  const slot = SIGNATURES[c.target].outputs.find((o) => o.name === name);
  if (!slot) throw new Error(`${c.target} has no output ${name} (grader bug)`);
  return slot;
}

/** What fixes the schema beside the target and the outputs: the sizes, a gate's arity, a graph's inputs. */
function dimsKey(c: Case): string {
  if (isGate(c.target)) return `inputs=${gateInputs(c)}`;
  if (c.target === "ComputationalGraph") return `inputs=${JSON.stringify(graphInputs(c))}`;
  const dims = inputBinder(c as Case & { target: TargetWithSignature }).dims;
  return [...dims].map(([d, { size }]) => `${d}=${size}`).sort().join(",");
}

/** The JSON Schema of the outputs `names` of case `c`, as the sandbox returns them. */
export function answerSchema(c: Case, names: string[]): Schema {
  const properties: Record<string, Schema> = {};
  if (isGate(c.target)) {
    for (const n of names) properties[n] = n === "grads" ? exactly(gateInputs(c), NUMBER) : NUMBER;
  } else if (c.target === "ComputationalGraph") {
    const inputs = graphInputs(c);
    const grads = { type: "object", required: inputs, properties: Object.fromEntries(inputs.map((i) => [i, NUMBER])) };
    for (const n of names) properties[n] = n === "grads" ? grads : NUMBER;
  } else {
    const target = c as Case & { target: TargetWithSignature };
    const dims = inputBinder(target).dims;
    const size = (d: Dim) => (typeof d === "number" ? d : dims.get(d)?.size);
    for (const n of names) {
      const slot = slotOf(target, n);
      if (slot.kind !== "matrix") properties[n] = NUMBER;
      else {
        const [rows, cols] = (slot.shape ?? []).map(size);
        if (rows === undefined || cols === undefined) throw new Error(`the inputs of ${c.id} do not fix the shape of ${n} (grader bug)`);
        properties[n] = exactly(rows, exactly(cols, NUMBER));
      }
    }
  }
  return { type: "object", required: names, properties };
}

/** Whether `v` satisfies `schema`, for the keywords answerSchema writes (type, required,
 *  properties, minItems, maxItems, if/then, items), numbers as ajv's strict mode takes them
 *  (finite only). Any other keyword answers no, so that ajv decides. */
export function accepts(schema: Schema, v: unknown): boolean {
  for (const key of Object.keys(schema)) {
    const rule = schema[key];
    switch (key) {
      case "type":
        if (rule === "number" ? typeof v !== "number" || !Number.isFinite(v) : rule === "array" ? !Array.isArray(v) : rule === "object" ? !isRecord(v) : true) return false;
        break;
      case "required":
        if (!isRecord(v) || !(rule as string[]).every((k) => v[k] !== undefined)) return false;
        break;
      case "properties":
        if (isRecord(v) && !Object.entries(rule as Record<string, Schema>).every(([k, s]) => v[k] === undefined || accepts(s, v[k]))) return false;
        break;
      case "minItems":
        if (Array.isArray(v) && v.length < (rule as number)) return false;
        break;
      case "maxItems":
        if (Array.isArray(v) && v.length > (rule as number)) return false;
        break;
      case "if":
        if (accepts(rule as Schema, v) && !accepts((schema.then ?? {}) as Schema, v)) return false;
        break;
      case "then":
        break;
      case "items":
        if (Array.isArray(v) && !v.every((item) => accepts(rule as Schema, item))) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

let ajv = makeAjv({ allErrors: true, strict: true });
const schemas = new Map<string, Schema>();
const compiled = new Map<string, ValidateFunction>();
const perCase = new WeakMap<Case, Map<string, ValidateFunction>>();
/** Distinct (target, outputs, sizes) kept compiled; past this the cache (and ajv's own) starts afresh. */
const CACHE_LIMIT = 2000;

/** The schema of `names` for case `c`, kept per (target, output names, sizes). */
function schemaOf(c: Case, names: string[]): Schema {
  const key = `${c.target}|${names.join(",")}|${dimsKey(c)}`;
  let schema = schemas.get(key);
  if (!schema) {
    if (schemas.size >= CACHE_LIMIT) schemas.clear();
    schemas.set(key, (schema = answerSchema(c, names)));
  }
  return schema;
}

/** The compiled schema of `names` for case `c`, cached per (target, output names, sizes). */
export function answerValidator(c: Case, names: string[]): ValidateFunction {
  const namesKey = names.join(",");
  let mine = perCase.get(c);
  const hit = mine?.get(namesKey);
  if (hit) return hit;
  const key = `${c.target}|${namesKey}|${dimsKey(c)}`;
  let validate = compiled.get(key);
  if (!validate) {
    if (compiled.size >= CACHE_LIMIT) {
      compiled.clear();
      ajv = makeAjv({ allErrors: true, strict: true });
    }
    validate = ajv.compile(answerSchema(c, names));
    compiled.set(key, validate);
  }
  if (!mine) perCase.set(c, (mine = new Map()));
  mine.set(namesKey, validate);
  return validate;
}

// ---------------------------------------------------------------- ajv's errors in the judge's words

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);
/** {"$num": "NaN" | "Infinity" | "-Infinity"}: a non-finite number as the sandbox sends it. */
const numMarker = (v: unknown): string | undefined =>
  isRecord(v) && Object.keys(v).length === 1 && ["NaN", "Infinity", "-Infinity"].includes(v.$num as string) ? (v.$num as string) : undefined;
const nonFinite = (v: unknown) => (typeof v === "number" && !Number.isFinite(v)) || numMarker(v) !== undefined;
const numberText = (v: unknown) => numMarker(v) ?? String(v);

/** A returned value in words, knowing the sandbox's markers ($num, $unsupported, $class). */
export function describeAnswer(v: unknown): string {
  if (v === undefined) return "undefined";
  const marker = numMarker(v);
  if (marker !== undefined) return marker;
  if (isRecord(v) && typeof v.$unsupported === "string") return /^an? /.test(v.$unsupported) ? v.$unsupported : `a ${v.$unsupported}`;
  if (isRecord(v) && typeof v.$class === "string") return `an object (${v.$class})`;
  return describeValue(v);
}

const unescape = (s: string) => s.replace(/~1/g, "/").replace(/~0/g, "~");
/** The JSON-pointer segments of the value an error is about (a missing property included). */
function segments(e: ErrorObject): string[] {
  const path = e.instancePath === "" ? [] : e.instancePath.slice(1).split("/").map(unescape);
  return e.keyword === "required" ? [...path, (e.params as { missingProperty: string }).missingProperty] : path;
}
function valueAt(root: unknown, path: string[]): unknown {
  let v = root;
  for (const s of path) v = v === null || typeof v !== "object" ? undefined : (v as Rec)[s];
  return v;
}

/** "/dx/2/3 must be number (is NaN)": one problem of the `details` list. */
function schemaErrorText(e: ErrorObject, root: unknown): string {
  const path = segments(e);
  const at = `/${path.join("/")}`;
  if (e.keyword === "required") return `${at} is missing`;
  return `${at} ${e.message ?? "is invalid"}${e.keyword === "type" ? ` (is ${describeAnswer(valueAt(root, path))})` : ""}`;
}

/** What the student is told about one output's problems: a message, maybe details, and which errors it accounts for. */
interface Explanation {
  message: string;
  details?: string;
  /** The errors the message accounts for; the others may be listed in `details`. */
  covers: ErrorObject[];
}

const byPosition = (a: ErrorObject, b: ErrorObject) => {
  const pa = segments(a);
  const pb = segments(b);
  for (let k = 0; k < Math.min(pa.length, pb.length); k++) {
    if (pa[k] !== pb[k]) return /^\d+$/.test(pa[k]) && /^\d+$/.test(pb[k]) ? Number(pa[k]) - Number(pb[k]) : 0;
  }
  return pa.length - pb.length;
};

/** Entries (of a matrix or a gradient list) that are not numbers, else those that are NaN or ±Infinity. */
function entryMessage(entries: ErrorObject[], root: unknown, label: (path: string[]) => string, notANumber: (path: string[], v: unknown) => string): Explanation | null {
  if (entries.length === 0) return null;
  const sorted = [...entries].sort(byPosition);
  const wrongType = sorted.filter((e) => !nonFinite(valueAt(root, segments(e))));
  if (wrongType.length > 0) {
    const path = segments(wrongType[0]);
    return { message: notANumber(path, valueAt(root, path)), covers: wrongType };
  }
  const path = segments(sorted[0]);
  const count = sorted.length;
  return {
    message: `${label(path)} is ${numberText(valueAt(root, path))}${count > 1 ? ` (${count} entries are NaN or ±Infinity)` : ""}: every entry must be a finite number`,
    details: NON_FINITE_DETAILS,
    covers: sorted,
  };
}

/** "dx is missing: the result must have out, dx" (an output of a target with a signature). */
const missing = (c: Case & { target: TargetWithSignature }, name: string) => `${name} is missing: the result must have ${SIGNATURES[c.target].outputs.map((o) => o.name).join(", ")}`;

/** A number output (loss, z, value). */
function numberMessage(c: Case, name: string, errors: ErrorObject[], root: unknown): Explanation {
  const actual = valueAt(root, [name]);
  if (actual === undefined && hasSignature(c)) {
    return { message: missing(c, name), covers: errors };
  }
  if (nonFinite(actual)) return { message: `${name} is ${numberText(actual)}: every entry must be a finite number`, details: NON_FINITE_DETAILS, covers: errors };
  return { message: `${name} is ${describeAnswer(actual)}, expected a number`, covers: errors };
}

/** A matrix output: missing, then its shape (in the binder's words), then its entries. */
function matrixMessage(c: Case & { target: TargetWithSignature }, name: string, errors: ErrorObject[], root: unknown): Explanation {
  const actual = valueAt(root, [name]);
  if (actual === undefined) {
    return { message: missing(c, name), covers: errors };
  }
  const structure = errors.filter((e) => segments(e).length <= 2);
  if (structure.length > 0) {
    const advice = " (return an ml-matrix Matrix or a number[][])";
    if (!Array.isArray(actual)) return { message: `${name} is ${describeAnswer(actual)}, not a matrix${advice}`, covers: structure };
    const shape = matrixShape(actual);
    if (typeof shape === "string") return { message: `${name} ${shape}${advice}`, covers: structure };
    const binder = inputBinder(c);
    binder.bind("expected", slotOf(c, name), actual);
    const problem = binder.problems.find((p) => p.path.startsWith("expected/"));
    return { message: problem?.message ?? `${name}: ${schemaErrorText(structure[0], root)}`, covers: structure };
  }
  const entries = errors.filter((e) => segments(e).length === 3);
  const explanation = entryMessage(
    entries,
    root,
    ([, i, j]) => `${name}[${i}][${j}]`,
    ([, i, j], v) => `${name}[${i}][${j}] is ${describeAnswer(v)}, expected a number`,
  );
  return explanation ?? { message: `${name}: ${schemaErrorText(errors[0], root)}`, covers: errors };
}

/** A gate's gradients: an array of one number per input. */
function gateGradsMessage(c: Case, errors: ErrorObject[], root: unknown): Explanation {
  const actual = valueAt(root, ["grads"]);
  const n = gateInputs(c);
  const s = (k: number) => (k === 1 ? "" : "s");
  if (!Array.isArray(actual)) {
    return { message: `backward returned ${describeAnswer(actual)}, expected an array of ${n} gradient${n > 1 ? "s" : ""} (one per input, in input order)`, covers: errors };
  }
  const length = errors.filter((e) => segments(e).length === 1);
  if (length.length > 0) {
    return { message: `backward returned ${actual.length} gradient${s(actual.length)} for ${n} input${n > 1 ? "s" : ""}: return one per input, in input order`, covers: length };
  }
  const explanation = entryMessage(
    errors.filter((e) => segments(e).length === 2),
    root,
    ([, k]) => `gradient[${k}]`,
    ([, k], v) => `backward's gradient [${k}] is ${describeAnswer(v)}, expected a number`,
  );
  return explanation ?? { message: `grads: ${schemaErrorText(errors[0], root)}`, covers: errors };
}

/** A graph's gradients: an object with a number per graph input. */
function graphGradsMessage(c: Case, errors: ErrorObject[], root: unknown): Explanation {
  const actual = valueAt(root, ["grads"]);
  const inputs = graphInputs(c);
  if (!isRecord(actual) || numMarker(actual) !== undefined) {
    return { message: `backward() returned ${describeAnswer(actual)}, expected an object with one gradient per graph input (${inputs.join(", ")})`, covers: errors };
  }
  const perInput = errors.filter((e) => segments(e).length === 2);
  const absent = perInput.filter((e) => !nonFinite(valueAt(root, segments(e))));
  if (absent.length > 0) {
    const missing = inputs.filter((i) => absent.some((e) => segments(e)[1] === i));
    return { message: `backward() has no number for ${missing.map((m) => `"${m}"`).join(", ")}: return d output / d input for every graph input`, covers: absent };
  }
  const order = (e: ErrorObject) => inputs.indexOf(segments(e)[1]);
  const sorted = [...perInput].sort((a, b) => order(a) - order(b));
  if (sorted.length === 0) return { message: `grads: ${schemaErrorText(errors[0], root)}`, covers: errors };
  const first = segments(sorted[0])[1];
  return {
    message: `grads.${first} is ${numberText(actual[first])}${sorted.length > 1 ? ` (${sorted.length} entries are NaN or ±Infinity)` : ""}: every entry must be a finite number`,
    details: NON_FINITE_DETAILS,
    covers: sorted,
  };
}

/**
 * Validate what the sandbox returned for the outputs `names` of case `c`: null when it has the
 * answer's form, else the judge's verdict on the first problem in output order, with up to
 * MORE_PROBLEMS of the others in `details` when the message brings no details of its own.
 */
export function answerProblem(c: Case, returned: unknown, names: string[]): Failure | null {
  if (accepts(schemaOf(c, names), returned)) return null;
  const validate = answerValidator(c, names);
  if (validate(returned)) return null;
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== "if"); // "must match then": its items say why
  if (!isRecord(returned) || errors.some((e) => segments(e).length === 0)) return { ok: false, message: `returned ${describeAnswer(returned)}` };
  const outputOf = (e: ErrorObject) => names.indexOf(segments(e)[0]);
  const ordered = [...errors].sort((a, b) => outputOf(a) - outputOf(b));
  const name = segments(ordered[0])[0];
  const mine = ordered.filter((e) => segments(e)[0] === name);
  let explanation: Explanation;
  if (name === "grads" && isGate(c.target)) explanation = gateGradsMessage(c, mine, returned);
  else if (name === "grads" && c.target === "ComputationalGraph") explanation = graphGradsMessage(c, mine, returned);
  else if (hasSignature(c) && slotOf(c, name).kind === "matrix") explanation = matrixMessage(c, name, mine, returned);
  else explanation = numberMessage(c, name, mine, returned);
  const others = ordered.filter((e) => !explanation.covers.includes(e));
  let details = explanation.details;
  if (details === undefined && others.length > 0) {
    const more = others.length > MORE_PROBLEMS ? ` (and ${others.length - MORE_PROBLEMS} more)` : "";
    details = `also: ${others.slice(0, MORE_PROBLEMS).map((e) => schemaErrorText(e, returned)).join("; ")}${more}`;
  }
  return { ok: false, message: explanation.message, ...(details !== undefined ? { details } : {}) };
}
