/**
 * The two forwards a gradient check can differentiate on a case, as Evaluates (f at each input
 * moved by ±h): the student's, in the sandbox, one batch request per BATCH_SIZE inputs (or one run
 * each without batch), its untrusted items read here; and the reference's, in the grader.
 */
import { type Case, type Value, isLayer } from "../../cases/case";
import { type CallResult, sanitizeThrown } from "../../sandbox/sandbox";
import { thrownText } from "../context";
import type { Evaluate } from "../whose-forward";
import { forwardOutput, objective } from "./objective";
import { type TestRun, runCase } from "./test-run";

/** Perturbed inputs per sandbox request. */
const BATCH_SIZE = 500;
/** A batch may take this much per input, in units of the forward's round trip on the case (at least 1 ms)… */
const BATCH_ITEM_FACTOR = 4;
/** …and at most this many per-call time limits in all; a batch that does not finish falls back to the reference. */
const BATCH_LIMITS = 5;

/**
 * The student's forward on case `c` as an Evaluate: `forwardCall` is its run on the case itself
 * (its round trip sets the batch's time limit), `who` names it in the messages.
 */
export function studentForward(run: TestRun, c: Case, forwardCall: CallResult, who: string): Evaluate {
  const { ctx, tally } = run;
  const layer = isLayer(c.target);
  const fwdKey = forwardOutput(c.target);
  const perItemMs = BATCH_ITEM_FACTOR * Math.max(1, forwardCall.durationMs);
  /** The student's forward on each input of a chunk, as untrusted items: one batch request, or one run each without batch. */
  const answersTo = async (chunk: Record<string, Value>[]): Promise<unknown[] | string> => {
    if (ctx.batch) {
      tally.sandboxCalls++;
      const r = await ctx.batch(c, chunk, {
        forwardOnly: layer,
        keep: [fwdKey],
        timeoutMs: Math.min(ctx.limitMs + chunk.length * perItemMs, BATCH_LIMITS * ctx.limitMs),
      });
      if (r.kind === "threw") return `${who} threw ${thrownText(r.error)} on an input moved by ±h`;
      if (r.kind !== "returned") return `${who} did not return on the inputs moved by ±h`;
      if (!Array.isArray(r.value) || r.value.length !== chunk.length) return `the answers of ${who} on the inputs moved by ±h could not be read back`;
      return r.value;
    }
    const items: unknown[] = [];
    for (const moved of chunk) {
      const r = await runCase(run, { ...c, inputs: moved }, layer);
      if (r.kind !== "returned") return `${who} did not return on an input moved by ±h`;
      items.push({ value: r.value });
    }
    return items;
  };
  return async (inputs) => {
    const values: number[] = [];
    for (let start = 0; start < inputs.length; start += BATCH_SIZE) {
      const chunk = inputs.slice(start, start + BATCH_SIZE);
      tally.evaluations += chunk.length;
      const items = await answersTo(chunk);
      if (typeof items === "string") return items;
      for (const item of items) {
        const it = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
        if ("threw" in it) return `${who} threw ${thrownText(sanitizeThrown(it.threw))} on an input moved by ±h`;
        const f = objective(c, it.value);
        if (typeof f === "string") return `on an input moved by ±h, ${who} gave an answer that cannot be used: ${f}`;
        values.push(f);
      }
    }
    return values;
  };
}

/** The reference's forward on case `c` as an Evaluate (it cannot misbehave: a problem is the grader's). */
export function referenceForward(run: TestRun, c: Case): Evaluate {
  const layer = isLayer(c.target);
  return async (inputs) =>
    inputs.map((i) => {
      const f = objective(c, run.ctx.reference.run({ ...c, inputs: i }, { forwardOnly: layer }));
      if (typeof f === "string") throw new Error(`the reference's forward on ${c.id} moved by ±h: ${f}`);
      return f;
    });
}
