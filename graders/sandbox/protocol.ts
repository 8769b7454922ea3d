/**
 * The messages between the grader and a sandboxed child, small and structured. The child only
 * ever runs student functions on what it is sent and returns raw values: everything it sends is
 * data to validate (it runs student code, so it may lie), never a verdict.
 */
import type { Target, Value } from "../cases/case";
import type { Sizes } from "../cases/scale";
import type { Summary } from "../cases/summarize";

/** A thrown value, described without trusting it (it may not be an Error at all). */
export interface Thrown {
  /** "Error", "TypeError" …, or "string", "object", "undefined" … for a non-Error throw. */
  name: string;
  message: string;
  /** The stack as the child saw it (positions in the bundle), capped; the grader keeps only the
   *  student's frames, mapped to their files and lines (Sandbox.thrown, submission/stack.ts). */
  stack?: string;
}

/** A request: which case (its id), what to call and on what. Never the expected values or the seed. */
export type ToChild =
  | {
      type: "run";
      id: string;
      target: Target;
      exports: string[];
      /** The case's inputs. With `sequences` (objects in use), each sequence's calls run on one new
       *  gate or graph, and what each call returned comes back (cases/run.ts). */
      inputs: Record<string, Value>;
      forwardOnly: boolean;
      /** Return the arguments as they are after the calls too (to see mutation). */
      reportInputs: boolean;
    }
  | {
      /** Efficiency: build the case at `sizes` from `seed` (cases/scale.ts), run it, and send
       *  back summaries, not the answer; the grader times the request with the kernel's CPU time
       *  of the sandbox. The seed is a one-way hash of the test's seed, used for nothing else. */
      type: "time";
      id: string;
      exportName: string;
      seed: string;
      sizes: Sizes;
    }
  | {
      /** Gradient checks: run one target on each input in turn, as "run" would (fresh
       *  arguments per item), and send back per item only the outputs named in `keep`, or what
       *  it threw: the hundreds of perturbed forwards of a finite difference in one round trip.
       *  Item i's inputs are `base` with the arguments of `changes[i]` in place of its own (a
       *  perturbed input differs in one argument: the others are sent once). */
      type: "batch";
      id: string;
      target: Target;
      exports: string[];
      base: Record<string, Value>;
      changes: Record<string, Value>[];
      forwardOnly: boolean;
      keep: string[];
    }
  | {
      /** Value tests: many cases in one round trip, each run as "run" would (its own target,
       *  fresh arguments, forward alone or not), every output sent back per item, or what it threw. */
      type: "cases";
      id: string;
      items: { target: Target; exports: string[]; inputs: Record<string, Value>; forwardOnly: boolean }[];
    }
  | {
      /** Training (cases/train.ts): the whole gradient-descent run of the two-layer net on the
       *  spiral data the child builds from `seed`, each step's gradients from the student's
       *  twoLayerNetLoss; sends back the final parameters and the losses, or the step that went
       *  wrong and why (a `Trained`, untrusted: the grader validates it and judges the accuracy). */
      type: "train";
      id: string;
      seed: string;
    };

/** One item of what a "batch" or "cases" request returns (its `value` is an array of these): untrusted data. */
export type BatchItem = { value: Record<string, unknown> } | { threw: Thrown };

/** What a "time" request returns (as the `value` of a "returned" reply): untrusted data. */
export interface Timed {
  summaries: Record<string, Summary>;
}

export type FromChild =
  | { type: "loading" } // sent just before the student's bundle is imported
  | { type: "ready"; exports: Record<string, string> } // export name → typeof
  | { type: "load-error"; error: Thrown }
  // sent as a request is read, in the same synchronous turn that runs the student's code for it:
  // a child that ends without sending it never began that request (a timer of an earlier call ended it)
  | { id: string; type: "started" }
  | { id: string; type: "returned"; value: unknown }
  | { id: string; type: "threw"; error: Thrown };

/** Caps on what a child may send back, so a hostile answer cannot flood the grader. */
export const WIRE_LIMITS = { numbers: 2_000_000, depth: 6, text: 4000, frameBytes: 64 * 1024 * 1024 } as const;
