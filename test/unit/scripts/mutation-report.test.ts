/**
 * The pure part of `npm run mutation` (scripts/mutation-report.ts): the active mutant reaching
 * code that runs with an empty environment, a grading run's verdict, the per-assignment summary
 * of a Stryker JSON report, the equivalents list. The mutation run itself takes tens of minutes
 * and is not part of the suite.
 */
import { describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFile } from "../../../graders/submission/bundle";
import {
  type EquivalentEntry,
  type Mutant,
  type MutationReport,
  HARNESS_MARK,
  MUTATION_KINDS,
  assignmentOfFile,
  formatTable,
  matchEquivalents,
  mutantsOf,
  sliceSource,
  summarize,
  verdictOf,
  withActiveMutant,
} from "../../../scripts/mutation-report";

/** Stryker 9's prelude, as it instruments every file (the part that reads the active mutant). */
const PRELUDE = `function stryNS_9fa48() {
  var g = typeof globalThis === 'object' && globalThis && globalThis.Math === Math && globalThis || new Function("return this")();
  var ns = g.__stryker__ || (g.__stryker__ = {});
  if (ns.activeMutant === undefined && g.process && g.process.env && g.process.env.__STRYKER_ACTIVE_MUTANT__) {
    ns.activeMutant = g.process.env.__STRYKER_ACTIVE_MUTANT__;
  }
  function retrieveNS() { return ns; }
  stryNS_9fa48 = retrieveNS;
  return retrieveNS();
}
stryNS_9fa48();
function stryMutAct_9fa48(id) {
  var ns = stryNS_9fa48();
  function isActive(id) { return ns.activeMutant === id; }
  stryMutAct_9fa48 = isActive;
  return isActive(id);
}
`;

describe("withActiveMutant", () => {
  it("leaves the source alone for the dry run", () => {
    expect(withActiveMutant("export const a = 1;\n", undefined)).toBe("export const a = 1;\n");
  });

  it("activates the mutant in every module of a bundle run with an empty environment", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mutation-test-"));
    // The leaf calls Stryker's namespace at load time, before its importer's first line runs.
    const leaf = `${PRELUDE}export const atLoad = stryMutAct_9fa48("7") ? "mutant" : "original";\nexport function f() { return stryMutAct_9fa48("7") ? "mutant" : "original"; }\n`;
    const entry = `${PRELUDE}import { atLoad, f } from "./leaf.js";\nexport function g() { return stryMutAct_9fa48("7") ? "mutant" : "original"; }\nconsole.log(JSON.stringify([atLoad, f(), g()]));\n`;
    const run = async (id: string | undefined) => {
      writeFileSync(join(dir, "leaf.js"), withActiveMutant(leaf, id));
      writeFileSync(join(dir, "entry.js"), withActiveMutant(entry, id));
      const bundle = await bundleFile(dir, join(dir, "entry.js"));
      if (!bundle.ok) throw new Error(JSON.stringify(bundle.errors));
      writeFileSync(join(dir, "bundle.mjs"), bundle.code);
      const r = spawnSync(process.execPath, [join(dir, "bundle.mjs")], { env: {}, encoding: "utf8" });
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout) as string[];
    };
    expect(await run("7")).toEqual(["mutant", "mutant", "mutant"]);
    expect(await run("8")).toEqual(["original", "original", "original"]);
    expect(await run(undefined)).toEqual(["original", "original", "original"]);
  });
});

describe("verdictOf", () => {
  const t = (score: number, points: number, status: string) => ({ score, points, status });
  it("full marks survive, a failure or a timeout kills, grader errors alone are the harness's", () => {
    expect(verdictOf([t(3, 3, "passed"), t(2, 2, "passed")])).toBe("survived");
    expect(verdictOf([t(3, 3, "passed"), t(0, 2, "failed")])).toBe("killed");
    expect(verdictOf([t(0, 3, "could-not-check")])).toBe("killed");
    expect(verdictOf([t(0, 3, "grader-error"), t(0, 2, "failed")])).toBe("killed");
    expect(verdictOf([t(0, 3, "grader-error"), t(2, 2, "passed")])).toBe("harness-error");
  });

  it("never grades a mutant by timing", () => {
    expect(MUTATION_KINDS).not.toContain("efficiency");
    expect(MUTATION_KINDS).toEqual(expect.arrayContaining(["golden", "hidden", "gradcheck", "properties", "training"]));
  });
});

const SOURCE = "let a = 1;\nfor (let j = 0; j < C; j++) x(j);\nfor (let j = 0; j < C; j++) y(j);\n";
const at = (line: number, column: number, length: number) => ({ start: { line, column }, end: { line, column: column + length } });
const REPORT: MutationReport = {
  files: {
    "reference/classifiers/losses.ts": {
      source: SOURCE,
      mutants: [
        { id: "1", mutatorName: "EqualityOperator", replacement: "j <= C", status: "Survived", location: at(2, 17, 5) },
        { id: "2", mutatorName: "EqualityOperator", replacement: "j <= C", status: "Survived", location: at(3, 17, 5) },
        { id: "3", mutatorName: "UpdateOperator", replacement: "j--", status: "Timeout", location: at(2, 24, 3) },
        { id: "4", mutatorName: "ConditionalExpression", replacement: "false", status: "Killed", statusReason: "failed: svmLoss", location: at(2, 17, 5) },
        {
          id: "5",
          mutatorName: "ConditionalExpression",
          replacement: "true",
          status: "Killed",
          statusReason: `mutant 5\n${HARNESS_MARK}\n`,
          location: at(2, 17, 5),
        },
      ],
    },
    "reference/classifiers/linear-classifier.ts": {
      source: "const z = 2 * reg;\n",
      mutants: [{ id: "6", mutatorName: "ArithmeticOperator", replacement: "2 / reg", status: "Killed", location: at(1, 11, 7) }],
    },
    "reference/layers/layers.ts": {
      source: "v > 0\n",
      mutants: [{ id: "7", mutatorName: "EqualityOperator", replacement: "v >= 0", status: "Survived", location: at(1, 1, 5) }],
    },
  },
};
const ENTRY: EquivalentEntry = {
  file: "reference/classifiers/losses.ts",
  line: 3,
  mutator: "EqualityOperator",
  original: "j < C",
  replacement: "j <= C",
  why: "reads past the row: undefined",
};

describe("reading a Stryker report", () => {
  it("finds the assignment and the replaced text", () => {
    expect(assignmentOfFile("reference/two-layer-net/two-layer-net.ts")).toBe("two-layer-net");
    expect(assignmentOfFile("/tmp/x/reference/gates/sub/h.ts")).toBe("gates");
    expect(assignmentOfFile("graders/grade.ts")).toBeNull();
    expect(sliceSource(SOURCE, { line: 2, column: 17 }, { line: 2, column: 22 })).toBe("j < C");
    expect(sliceSource("ab\ncd\nef", { line: 1, column: 2 }, { line: 3, column: 2 })).toBe("b\ncd\ne");
    const ms = mutantsOf(REPORT);
    expect(ms.find((m) => m.id === "6")).toMatchObject({ original: "2 * reg", replacement: "2 / reg", line: 1, column: 11 });
    expect(ms.find((m) => m.id === "5")!.status).toBe("HarnessError");
    expect(ms.find((m) => m.id === "4")!.status).toBe("Killed");
  });

  it("matches an equivalent by its text, using the line only to choose between equal texts", () => {
    const survivors = mutantsOf(REPORT).filter((m) => m.status === "Survived");
    const { matched, stale } = matchEquivalents(survivors, [ENTRY]);
    expect([...matched.keys()].map((m: Mutant) => m.id)).toEqual(["2"]);
    expect(stale).toEqual([]);
    // the text is on two survivors and the line is neither: ambiguous, so nothing is accepted
    const ambiguous = matchEquivalents(survivors, [{ ...ENTRY, line: 5 }]);
    expect(ambiguous.matched.size).toBe(0);
    expect(ambiguous.stale).toHaveLength(1);
    // a unique text still matches after the code moved
    const unique = matchEquivalents(
      survivors.filter((m) => m.id === "2"),
      [{ ...ENTRY, line: 9 }],
    );
    expect([...unique.matched.keys()].map((m: Mutant) => m.id)).toEqual(["2"]);
    const moved = matchEquivalents(survivors, [{ ...ENTRY, line: 40, file: "reference/classifiers/linear-classifier.ts" }]);
    expect(moved.matched.size).toBe(0);
    expect(moved.stale).toHaveLength(1);
    const otherReplacement = matchEquivalents(survivors, [{ ...ENTRY, replacement: "j >= C" }]);
    expect(otherReplacement.matched.size).toBe(0);
  });

  it("summarizes per assignment: timeouts detect, equivalents leave the denominator, harness errors are errors", () => {
    const { summaries, stale } = summarize(REPORT, [ENTRY, { ...ENTRY, file: "reference/gates/gates.ts" }]);
    expect(stale).toEqual([]); // an entry for an assignment not in this report is not stale
    const c = summaries.find((s) => s.assignment === "classifiers")!;
    expect(c).toMatchObject({ mutants: 6, killed: 2, timedOut: 1, survived: 2, equivalent: 1 });
    expect(c.gaps.map((g) => g.id)).toEqual(["1"]);
    expect(c.errors.map((e) => e.id)).toEqual(["5"]);
    expect(c.score).toBeCloseTo(60, 10); // 3 detected of 5
    expect(c.scoreWithoutEquivalent).toBeCloseTo(75, 10); // 3 of 4
    const l = summaries.find((s) => s.assignment === "layers")!;
    expect(l).toMatchObject({ mutants: 1, survived: 1, score: 0 });
    const table = formatTable(summaries.map((s) => ({ ...s, seconds: 75 })));
    expect(table).toMatch(/classifiers\s+6\s+2\s+1\s+2\s+1\s+1\s+1\s+60\.0 %\s+75\.0 %\s+1 min 15 s/);
  });
});

describe("scripts/equivalent-mutants.json", () => {
  const entries = (JSON.parse(readFileSync(new URL("../../../scripts/equivalent-mutants.json", import.meta.url), "utf8")) as { mutants: EquivalentEntry[] })
    .mutants;
  it("names, for every accepted survivor, code that is in the reference and a reason", () => {
    for (const e of entries) {
      expect(assignmentOfFile(e.file)).not.toBeNull();
      const lines = readFileSync(new URL(`../../../${e.file}`, import.meta.url), "utf8").split("\n");
      expect({ entry: `${e.file}:${e.line}`, found: lines[e.line - 1]?.includes(e.original.split("\n")[0]) }).toEqual({
        entry: `${e.file}:${e.line}`,
        found: true,
      });
      expect(e.mutator).toMatch(/^[A-Z]\w+$/);
      expect(e.why.length).toBeGreaterThan(20);
    }
  });
});
