/**
 * The sample class of gates: see test/helpers/sample-class/suite.ts. Also: the students whose state is kept between calls
 * (cause "stale-state": right on every fresh object, wrong once one gate or graph is reused) lose
 * exactly their export's reuse test, and are told which call on the reused object differs from a
 * fresh one's.
 */
import { describe, expect, it } from "@jest/globals";
import { gradeSubmission } from "../../../graders/grade";
import { classOf, explain } from "../../helpers/sample-class/class";
import { SECRET, sampleClassSuite } from "../../helpers/sample-class/suite";

sampleClassSuite("gates");

const STALE = Object.entries(classOf("gates")).filter(([, s]) => s.cause === "stale-state");

/** The message each stale student's reuse test gives: the call on the reused object, yours vs a fresh object's. */
const MESSAGES: Record<string, RegExp> = {
  "lev-graph-keeps-grads":
    /^ComputationalGraph: the second backward\(\) on the same graph, right after the first \(no forward\(\) between\), returned d out\/d\w+ = \S+; a fresh graph gives \S+, for nodes \[/,
  "mia-multiply-first-inputs":
    /^MultiplyGate: the third backward\(\) on the same gate, after that second forward\(\), returned d[xy] = \S+; a fresh MultiplyGate gives \S+, for x = \S+, y = \S+, dz = \S+$/,
  "ned-graph-reverses-in-place":
    /^ComputationalGraph: the second backward\(\) on the same graph, right after the first \(no forward\(\) between\), returned d out\/d\w+ = \S+; a fresh graph gives \S+, for nodes \[/,
};

describe("sample class: gates, state kept between calls", () => {
  it("class.json has the three stale-state students", () => {
    expect(STALE.map(([id]) => id).sort()).toEqual(Object.keys(MESSAGES).sort());
  });

  it.each(STALE.map(([id, s]) => [id, s.exports![0]] as const))(
    "%s loses exactly the reuse test of %s, and every other point is kept",
    async (id, exportName) => {
      const r = await gradeSubmission("gates", `fixtures/submissions/gates/${id}`, { secret: SECRET });
      const lost = r.tests.filter((t) => t.score < t.test.points);
      if (lost.length !== 1) throw new Error(`${id} lost ${lost.length} tests:\n${explain(r)}`);
      const [t] = lost;
      expect(t.test.export).toBe(exportName);
      expect(t.test.check).toBe(exportName === "ComputationalGraph" ? "graph-reuse" : "gate-reuse");
      expect(t.score).toBe(0);
      expect(r.score).toBe(r.maxScore - t.test.points);
      expect(t.outcome.message).toMatch(MESSAGES[id]);
    },
  );
});
