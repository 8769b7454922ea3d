/**
 * The replays checks put in a failure (graders/result-model.ts Replay), made here so that one rule
 * holds in every check: a seed drawn from the hidden tests' secret never reaches a replay (the
 * student would see it, and with it every hidden case). The staff replay those from the case id.
 */
import { relative, sep } from "node:path";
import type { Case } from "../cases/case";
import { goldenPath } from "../cases/golden";
import type { Replay } from "../result-model";
import { HIDDEN_SEED_PREFIX } from "../secret";
import type { CheckContext } from "./context";

/**
 * A committed golden case of ctx's assignment; `changed` says in words how the run changed its
 * inputs. The file as the reader finds it from where they ran the grader: fixtures/golden/… in
 * this repository, .grader/fixtures/golden/… in a starter kit.
 */
export function goldenReplay(ctx: Pick<CheckContext, "assignment">, c: Case, changed?: string): Extract<Replay, { kind: "golden-case" }> {
  const file = relative(process.cwd(), goldenPath(ctx.assignment)).split(sep).join("/");
  return { kind: "golden-case", file, id: c.id, ...(changed ? { changed } : {}) };
}

/** The test's seed when a student may see it: never a hidden test's (it holds the secret). */
function shownSeed(ctx: Pick<CheckContext, "spec">, seed: string): string | undefined {
  return ctx.spec.visibility === "visible" && !seed.startsWith(HIDDEN_SEED_PREFIX) ? seed : undefined;
}

/**
 * A golden case whose changed inputs the check drew from the test's seed (ctx.seed): the seed is
 * given for a visible test only.
 */
export function drawnGoldenReplay(ctx: Pick<CheckContext, "assignment" | "spec" | "seed">, c: Case, changed: string): Replay {
  const seed = shownSeed(ctx, ctx.seed);
  return { ...goldenReplay(ctx, c, changed), ...(seed ? { seed } : {}) };
}

/** A run of case `c` as it is: a golden case, a case drawn from a seed the student may know, or a hidden case. */
export function caseReplay(ctx: Pick<CheckContext, "assignment" | "spec" | "golden">, c: Case): Replay {
  if (ctx.golden.includes(c)) return goldenReplay(ctx, c);
  const seed = shownSeed(ctx, c.seed);
  return seed ? { kind: "drawn-case", id: c.id, seed } : { kind: "hidden-case", id: c.id };
}
