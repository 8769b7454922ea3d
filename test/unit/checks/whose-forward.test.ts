/**
 * Whose forward a gradient check differentiates (graders/checks/whose-forward.ts): the student's
 * where it returned, matches and is fast; else the reference's with the reason; offline always the
 * student's, noting what is wrong; and the fall-back when the student's misbehaves away from x.
 */
import { describe, expect, it } from "@jest/globals";
import { SLOW_FORWARD_MS, chooseForward, fallBack, reasonAgainst } from "../../../graders/checks/whose-forward";
import { KIT_POLICY, LIVE_POLICY } from "../../../graders/reference/grading-policy";
import type { CallResult } from "../../../graders/sandbox/sandbox";

/** The two rules: online (the course's grader) and offline (the starter kit). */
const live = LIVE_POLICY.gradcheckForward;
const kit = KIT_POLICY.gradcheckForward;

const returned = (value: unknown, durationMs = 3): CallResult => ({ kind: "returned", value, durationMs });
const student = async () => [1];
const reference = async () => [2];

describe("reasonAgainst: why the student's forward is not differentiated", () => {
  const matches = (v: unknown) => v === "right";
  it.each<[string, CallResult, string | null]>([
    ["it matches and is fast: none", returned("right"), null],
    ["it does not match", returned("wrong"), "your reluForward does not match the reference"],
    ["it is too slow", returned("right", SLOW_FORWARD_MS + 1), `your reluForward took ${SLOW_FORWARD_MS + 1} ms, too slow to run hundreds of times`],
    ["it threw", { kind: "threw", error: { name: "Error", message: "x" }, durationMs: 1 }, "your reluForward did not return"],
  ])("%s", (_what, call, reason) => {
    expect(reasonAgainst(call, "your reluForward", matches)).toBe(reason);
  });
});

describe("chooseForward and fallBack", () => {
  it("no reason: the student's, online and offline", () => {
    expect(chooseForward(null, live, student, reference)).toEqual({ whose: "student", evaluate: student });
    expect(chooseForward(null, kit, student, reference)).toEqual({ whose: "student", evaluate: student });
  });
  it("a reason: online the reference's, saying why; offline the student's all the same, noting it", () => {
    expect(chooseForward("it is wrong", live, student, reference)).toEqual({ whose: "reference", evaluate: reference, why: "it is wrong" });
    expect(chooseForward("it is wrong", kit, student, reference)).toEqual({ whose: "student", evaluate: student, wrong: "it is wrong" });
  });
  it("the student's misbehaving away from x gives way to the reference's online, to nothing offline, and the reference's never gives way", () => {
    const mine = chooseForward(null, live, student, reference);
    expect(fallBack(mine, "it threw on x + h", live, reference)).toEqual({ whose: "reference", evaluate: reference, why: "it threw on x + h" });
    expect(fallBack(mine, "it threw on x + h", kit, reference)).toBeNull();
    expect(fallBack(chooseForward("slow", live, student, reference), "anything", live, reference)).toBeNull();
  });
});
