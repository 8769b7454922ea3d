/**
 * The sample class's metadata, and what a student is told for a few sample bugs (the message
 * texts, through the whole engine). The per-assignment gradings are in the other files here.
 */
import { describe, expect, it } from "@jest/globals";
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { ASSIGNMENTS } from "../../../graders/cases/case";
import { gradeSubmission } from "../../../graders/grade";
import { replayText } from "../../../graders/results/prose";
import { SECRET } from "../../helpers/sample-class/suite";

console.log(`sample class graded with hidden seed prefix "hidden:${SECRET}"`);

it("every class.json is valid against fixtures/submissions/class.schema.json", () => {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync("fixtures/submissions/class.schema.json", "utf8")));
  for (const a of ASSIGNMENTS) {
    const ok = validate(JSON.parse(readFileSync(`fixtures/submissions/${a}/class.json`, "utf8")));
    if (!ok) throw new Error(`${a}/class.json: ${JSON.stringify(validate.errors)}`);
  }
});

describe("what a student is told", () => {
  it("a transposed dw: the export, the output, both shapes and whose shape it should be", async () => {
    const r = await gradeSubmission("layers", "fixtures/submissions/layers/cy-dw-transposed", { secret: SECRET });
    const t = r.tests.find((x) => x.test.name.startsWith("affineBackward: matches the reference on the committed"))!;
    expect(t.outcome).toMatchObject({ status: "failed", message: "affineBackward: dw has shape 7×5, expected 5×7 (the shape of w)" });
  });

  it("a wrong value: the worst entry, yours vs the reference, the CS231n relative error, how to replay", async () => {
    const r = await gradeSubmission("layers", "fixtures/submissions/layers/gil-tanh-one-minus-x2", { secret: SECRET });
    const t = r.tests.find((x) => x.test.name.startsWith("tanhBackward: matches the reference on the committed"))!;
    expect(t.outcome.status).toBe("failed");
    if (t.outcome.status !== "failed") throw new Error(`expected a failure, got ${t.outcome.status}`);
    expect(t.outcome.message).toMatch(/^tanhBackward: dx\[\d+\]\[\d+\] = -?[\d.e-]+, expected -?[\d.e-]+ \(\d+ of 15 entries differ\)$/);
    expect(t.outcome.details).toMatch(/CS231n relative error/);
    expect(t.outcome.replay).toEqual({ kind: "golden-case", file: "fixtures/golden/layers.json", id: "tanh/3x5/0" });
    expect(replayText(t.outcome.replay!)).toBe("case tanh/3x5/0 of fixtures/golden/layers.json");
  });

  it("a folder without the assignment's files: each missing file named, with the names it must provide", async () => {
    const missing = await gradeSubmission("gates", "assignments/layers/skeleton", { secret: SECRET });
    expect(missing.messages[0]).toMatch(
      /^gates\.ts is missing: expected gates\.ts, gates\.mts, gates\.js, gates\.mjs at the root of your submission \(it provides AddGate/,
    );
    expect(missing.messages[1]).toMatch(/^graph\.ts is missing: .*\(it provides ComputationalGraph\)$/);
    expect(missing.score).toBe(0);
  });
});
