/**
 * The sandboxed child: bundled by esbuild into one runner file, run by Node under the permission
 * model (and bubblewrap where available). It loads ONE student bundle, then answers "run this
 * case" requests, read from the grader's own framed pipe (fd 3, see frames.ts), with the raw
 * values the student's functions returned. A request carries the case's target and inputs only:
 * never its expected values, its seed, or anything else a student could use.
 *
 * Everything the child needs is captured before the student's code is imported, so a student who
 * patches Array, JSON, Object, Math or process afterwards changes only their own answers. Then
 * lockdown.ts walls off what the permission model leaves open (signals, the network, built-in
 * modules, code from strings…), and only then is the student's module imported.
 */
import net from "node:net";
import { pathToFileURL } from "node:url";
import * as mlMatrix from "ml-matrix";
import type { Case } from "../cases/case";
import { type Implementation, runCase } from "../cases/run";
import { efficiencyCase } from "../cases/scale";
import { type Trained, train } from "../cases/train";
import { type Summary, summarize } from "../cases/summarize";
import { ML_MATRIX_GLOBAL } from "../submission/ml-matrix-global";
import { FrameDecoder, encodeFrame } from "./frames";
import { lockDown } from "./lockdown";
import { type BatchItem, type FromChild, type Thrown, type Timed, type ToChild, WIRE_LIMITS } from "./protocol";

const stringify = JSON.stringify;
const parse = JSON.parse;
const { isArray } = Array;
const isView = ArrayBuffer.isView;
const { keys, getPrototypeOf, fromEntries, prototype: objectPrototype } = Object;
const stringOf = String;
const isFiniteNumber = Number.isFinite;
const exit = process.exit.bind(process);

function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function text(value: unknown): string {
  return safe(() => stringOf(value), "<a value that cannot be printed>").slice(0, WIRE_LIMITS.text);
}

function describeThrown(error: unknown, prefix = ""): Thrown {
  const isObject = (typeof error === "object" && error !== null) || typeof error === "function";
  const name = isObject ? safe(() => text((error as Error).name ?? "object"), "object") : typeof error;
  const message = isObject ? safe(() => text((error as Error).message), "<unreadable message>") : text(error);
  const stack = isObject ? safe(() => (typeof (error as Error).stack === "string" ? text((error as Error).stack) : undefined), undefined) : undefined;
  return { name, message: prefix + message, stack };
}

class TooLarge extends Error {}

/**
 * Plain JSON-safe data from a student's return value: numbers (NaN and ±Infinity as {$num}),
 * strings, booleans, null/undefined, arrays and plain objects, to a bounded size. Anything else
 * becomes a marker the judge reports ("a function"). A hostile getter or Proxy cannot escape.
 */
function toWire(value: unknown, budget: { numbers: number }, depth: number): unknown {
  if (typeof value === "number") {
    if (--budget.numbers < 0) throw new TooLarge();
    return isFiniteNumber(value) ? value : { $num: stringOf(value) };
  }
  if (value === null || value === undefined || typeof value === "boolean") return value ?? null;
  if (typeof value === "string") return value.slice(0, WIRE_LIMITS.text);
  if (typeof value !== "object") return { $unsupported: typeof value };
  if (depth >= WIRE_LIMITS.depth) return { $unsupported: "a value nested too deeply" };
  if (isArray(value) || isView(value)) {
    const items = value as ArrayLike<unknown>;
    if (items.length > WIRE_LIMITS.numbers) throw new TooLarge();
    const out: unknown[] = [];
    for (let i = 0; i < items.length; i++) out.push(toWire(items[i], budget, depth + 1));
    return out;
  }
  const proto = getPrototypeOf(value);
  const out: Record<string, unknown> = {};
  if (proto !== objectPrototype && proto !== null) out.$class = text(safe(() => proto.constructor.name, "?"));
  for (const k of keys(value)) out[k] = toWire((value as Record<string, unknown>)[k], budget, depth + 1);
  return out;
}

function wire(value: unknown): unknown {
  try {
    return toWire(value, { numbers: WIRE_LIMITS.numbers }, 0);
  } catch (error) {
    if (error instanceof TooLarge) return { $unsupported: `a value of more than ${WIRE_LIMITS.numbers} numbers` };
    throw error;
  }
}

/** The case a request runs: its target and inputs only (no expected values, no seed). */
function requestCase(msg: { id: string; target: Case["target"]; exports: string[] }, inputs: Case["inputs"]): Case {
  return { id: msg.id, target: msg.target, exports: msg.exports, seed: "", inputs, expected: {} };
}

/** An efficiency request: the case built here from its seed, run, the answer summarized (the grader times the request). */
function timed(student: Record<string, unknown>, msg: Extract<ToChild, { type: "time" }>): Timed {
  const { case: c, forwardOnly } = efficiencyCase(msg.exportName, msg.seed, msg.sizes);
  const result = runCase(student, c, { forwardOnly });
  const summaries: Record<string, Summary> = {};
  for (const k of keys(result)) summaries[k] = summarize(k, result[k]);
  return { summaries };
}

/** A "cases" request: each item run as a "run" request would be, a throw costing only its item. */
function casesRun(student: Record<string, unknown>, msg: Extract<ToChild, { type: "cases" }>, gates: Implementation | undefined): BatchItem[] {
  const items: BatchItem[] = [];
  const n = msg.items.length;
  for (let i = 0; i < n; i++) {
    const item = msg.items[i];
    try {
      items[i] = {
        value: runCase(student, requestCase({ id: msg.id, target: item.target, exports: item.exports }, item.inputs), {
          gates,
          forwardOnly: item.forwardOnly === true,
        }),
      };
    } catch (error) {
      items[i] = { threw: describeThrown(error) };
    }
  }
  return items;
}

/** A training request: the whole run in here (cases/train.ts), a throw described like any other. */
function trained(student: Record<string, unknown>, msg: Extract<ToChild, { type: "train" }>): Trained {
  const target: Pick<Case, "id" | "target" | "exports"> = { id: msg.id, target: "twoLayerNetLoss", exports: ["twoLayerNetLoss"] };
  const run = train(msg.seed, (inputs) => runCase(student, requestCase(target, inputs as Case["inputs"])));
  return "threw" in run ? { ...run, threw: describeThrown(run.threw) } : run;
}

/**
 * A batch request: the same target run on each input in turn, with fresh arguments every time.
 * Per item, only the outputs it asks to `keep`, or what the call threw; a throw costs only its
 * item. Index loops and captured built-ins only (a student may have patched the rest).
 */
function batched(student: Record<string, unknown>, msg: Extract<ToChild, { type: "batch" }>, gates: Implementation | undefined): BatchItem[] {
  const items: BatchItem[] = [];
  const n = msg.changes.length;
  for (let i = 0; i < n; i++) {
    const inputs: Case["inputs"] = {};
    for (const k of keys(msg.base)) inputs[k] = msg.base[k];
    for (const k of keys(msg.changes[i])) inputs[k] = msg.changes[i][k];
    const c = requestCase(msg, inputs);
    try {
      const result = runCase(student, c, { gates, forwardOnly: msg.forwardOnly === true });
      const value: Record<string, unknown> = {};
      for (let k = 0; k < msg.keep.length; k++) value[msg.keep[k]] = result[msg.keep[k]];
      items[i] = { value };
    } catch (error) {
      items[i] = { threw: describeThrown(error) };
    }
  }
  return items;
}

/** Serve one student bundle (argv[2]); graph runners pass the grader's own gate classes. */
export async function serve(graderGates?: Implementation): Promise<void> {
  const channel = new net.Socket({ fd: 3, readable: true, writable: true });
  const write = channel.write.bind(channel);
  const send = (message: FromChild) => {
    let frame: Buffer;
    try {
      frame = encodeFrame(message, stringify);
    } catch (error) {
      if (!("id" in message)) return;
      frame = encodeFrame({ id: message.id, type: "threw", error: describeThrown(error, "could not send the result back: ") }, stringify);
    }
    write(frame);
  };
  // When the grader goes away (even killed with SIGKILL), so does this child.
  channel.on("close", () => exit(0));
  channel.on("error", () => exit(0));

  (globalThis as Record<symbol, unknown>)[Symbol.for(ML_MATRIX_GLOBAL)] = mlMatrix;
  lockDown(channel);
  let student: Record<string, unknown>;
  // Everything before this frame is ours: a child that ends before it is the grader's failure.
  send({ type: "loading" });
  try {
    student = (await import(pathToFileURL(process.argv[2]).href)) as Record<string, unknown>;
  } catch (error) {
    send({ type: "load-error", error: describeThrown(error) });
    channel.end();
    return;
  }

  const decoder = new FrameDecoder(1 << 30, parse);
  channel.on("data", (chunk: Buffer) => {
    for (const raw of decoder.push(chunk)) {
      const msg = raw as ToChild;
      send({ id: msg.id, type: "started" });
      try {
        if (msg.type === "time") {
          send({ id: msg.id, type: "returned", value: timed(student, msg) });
          continue;
        }
        if (msg.type === "cases") {
          send({ id: msg.id, type: "returned", value: wire(casesRun(student, msg, graderGates)) });
          continue;
        }
        if (msg.type === "train") {
          send({ id: msg.id, type: "returned", value: wire(trained(student, msg)) });
          continue;
        }
        if (msg.type === "batch") {
          send({ id: msg.id, type: "returned", value: wire(batched(student, msg, graderGates)) });
          continue;
        }
        const c = requestCase(msg, msg.inputs);
        const result = runCase(student, c, { gates: graderGates, forwardOnly: msg.forwardOnly === true, reportInputs: msg.reportInputs === true });
        send({ id: msg.id, type: "returned", value: wire(result) });
      } catch (error) {
        send({ id: msg.id, type: "threw", error: describeThrown(error) });
      }
    }
  });
  send({ type: "ready", exports: fromEntries(keys(student).map((k) => [k, typeof safe(() => student[k], undefined)])) });
}
