/**
 * The sandboxed child: bundled by esbuild into one file, run by Node under the permission model
 * (and bubblewrap where available). It loads ONE student bundle, then answers "run this case"
 * requests over IPC with the raw values the student's functions returned.
 *
 * Everything the child itself needs is captured before the student's code is imported, so a
 * student who patches Array, JSON, Math or process.send afterwards changes only what is being
 * judged (their own answers), never how the request is read or answered.
 */
import * as mlMatrix from "ml-matrix";
import * as graderGates from "../../reference/gates/gates";
import { runCase } from "../cases/run";
import { type FromChild, ML_MATRIX_GLOBAL, type Thrown, type ToChild, WIRE_LIMITS } from "./protocol";

const send = process.send?.bind(process);
const on = process.on.bind(process);
const exit = process.exit.bind(process);
// When the grader goes away (even killed with SIGKILL), so does this child.
on("disconnect", () => exit(0));
const { isArray } = Array;
const { keys, getPrototypeOf, prototype: objectPrototype } = Object;
const stringOf = String;
const { pathToFileURL } = await import("node:url");

if (!send) throw new Error("the sandbox child must be started with an IPC channel");
const reply = (message: FromChild) => {
  try {
    send(message);
  } catch (error) {
    if ("id" in message) send({ id: message.id, type: "threw", error: describeThrown(error, "could not send the result back: ") });
  }
};

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

export function describeThrown(error: unknown, prefix = ""): Thrown {
  const isObject = typeof error === "object" && error !== null;
  const name = isObject ? safe(() => text((error as Error).name ?? "object"), "object") : typeof error;
  const message = isObject ? safe(() => text((error as Error).message), "<unreadable message>") : text(error);
  const stack = isObject ? safe(() => (typeof (error as Error).stack === "string" ? text((error as Error).stack) : undefined), undefined) : undefined;
  return { name, message: prefix + message, stack };
}

/**
 * Plain data from a student's return value: numbers (NaN and ±Infinity kept), strings, booleans,
 * null/undefined, arrays and plain objects, to a bounded size. Anything else becomes a marker
 * the judge reports ("returned a function"). Reading a hostile getter or Proxy cannot escape.
 */
function toWire(value: unknown, budget = { numbers: WIRE_LIMITS.numbers }, depth = 0): unknown {
  if (typeof value === "number") {
    budget.numbers--;
    return value;
  }
  if (value === null || value === undefined || typeof value === "boolean") return value;
  if (typeof value === "string") return value.slice(0, WIRE_LIMITS.text);
  if (typeof value !== "object") return { $unsupported: typeof value };
  if (depth >= WIRE_LIMITS.depth) return { $unsupported: "a value nested too deeply" };
  if (isArray(value) || ArrayBuffer.isView(value)) {
    const items = value as ArrayLike<unknown>;
    const out: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      if (budget.numbers <= 0) return { $unsupported: "a value too large to check" };
      out.push(toWire(items[i], budget, depth + 1));
    }
    return out;
  }
  const proto = getPrototypeOf(value);
  const out: Record<string, unknown> = {};
  if (proto !== objectPrototype && proto !== null) out.$class = text(safe(() => proto.constructor.name, "?"));
  for (const k of keys(value)) out[k] = toWire((value as Record<string, unknown>)[k], budget, depth + 1);
  return out;
}

(globalThis as Record<symbol, unknown>)[Symbol.for(ML_MATRIX_GLOBAL)] = mlMatrix;

const bundlePath = process.argv[2];
let student: Record<string, unknown> | null = null;
try {
  student = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
} catch (error) {
  reply({ type: "load-error", error: describeThrown(error) });
  process.disconnect(); // nothing more to answer; the grader sees the channel close
}

if (student) {
  const loaded = student;
  on("message", (raw: unknown) => {
    const msg = raw as ToChild;
    if (typeof msg?.id !== "string" || msg.op !== "run") return;
    try {
      const result = runCase(loaded, msg.case, { gates: graderGates, forwardOnly: msg.forwardOnly === true });
      reply({ id: msg.id, type: "returned", value: toWire(result) });
    } catch (error) {
      reply({ id: msg.id, type: "threw", error: describeThrown(error) });
    }
  });
  reply({ type: "ready", exports: Object.fromEntries(keys(loaded).map((k) => [k, typeof loaded[k]])) });
}
