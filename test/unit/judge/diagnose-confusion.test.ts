/**
 * The diagnosis catalog's confusion matrix (graders/judge/diagnose/): every catalogued wrong
 * variant, taken as a student's whole answer, is diagnosed on every case it applies to (the
 * golden cases, a fresh draw of the case plan, and the gradient check's larger cases), and must be
 * named by itself only: the diagnosis is its own text, and no variant that is another bug (not
 * recorded as equivalent) matches the same answer. A case where one of the outputs the variant
 * changes comes out right shows no bug (or not all of it) and is not counted: the grader makes no
 * claim there either. The matrix also fails when two signatures are made to
 * overlap on purpose (a copy of a variant under another name).
 */
import { describe, expect, it } from "@jest/globals";
import { type AssignmentName, type Case, type Mat, type Value, assignmentOf, outputsOf } from "../../../graders/cases/case";
import { goldenPath } from "../../../graders/cases/golden";
import { loadCaseFile } from "../../../graders/cases/load";
import { planCases } from "../../../graders/cases/plan";
import { largerCases } from "../../../graders/checks/gradcheck";
import { judgeOutputs } from "../../../graders/judge/compare";
import { CATALOG, type WrongVariant, diagnose, matchingVariants, shows, variantAnswer, variantKey, variantText } from "../../../graders/judge/diagnose";
import type { Tolerance } from "../../../graders/judge/tolerance";
import { loadManifest } from "../../../graders/manifest";
import { referenceAnswers } from "../../../graders/reference/live-reference";

const ASSIGNMENTS: AssignmentName[] = ["gates", "layers", "classifiers", "two-layer-net"];

/** A case with some inputs replaced, its expected values the reference's. */
function changed(c: Case, inputs: Record<string, Value>, what: string): Case {
  const d: Case = { ...c, id: `${c.id}/${what}`, inputs: { ...c.inputs, ...inputs } };
  return { ...d, expected: referenceAnswers.run(d) as Case["expected"] };
}
const zeros = (m: Mat): Mat => m.map((r) => r.map(() => 0));

/** The cases the property checks build to show what random cases cannot: ties, huge scores, pre-activations of exactly 0. */
function edgeCases(golden: Case[]): Case[] {
  return golden.flatMap((c) => {
    const i = c.inputs;
    if (c.target === "maxout") return [changed(c, { w2: i.w1, b2: i.b1 }, "tie")];
    if (c.target === "linearSoftmaxLoss") return [changed(c, { W: (i.W as Mat).map((r) => r.map((v) => 1e4 * v)) }, "W*1e4")];
    if (c.target === "twoLayerNetLoss") return [changed(c, { X: (i.X as Mat).map((r, k) => (k === 0 ? r.map(() => 0) : r)), b1: zeros(i.b1 as Mat) }, "z1=0")];
    return [];
  });
}

function casesOf(a: AssignmentName): Case[] {
  const golden = loadCaseFile(goldenPath(a)).cases;
  return [...golden, ...planCases(a, "hidden:confusion-test"), ...largerCases(golden, "visible:confusion-test", referenceAnswers), ...edgeCases(golden)];
}

interface Confusion {
  variant: string;
  caseId: string;
  exportName: string;
  /** The other bugs that matched the same answer. */
  alsoMatched: string[];
  /** What the diagnosis said instead of the variant's own text. */
  said: string | undefined;
}

interface Matrix {
  /** Variant × case × export runs that showed a bug. */
  runs: number;
  /** Variants that showed their bug on at least one case. */
  shown: Set<WrongVariant>;
  confusions: Confusion[];
}

const name = (v: WrongVariant) => `${v.target}/${variantKey(v)}`;
const same = (a: WrongVariant, b: WrongVariant) =>
  variantKey(a) === variantKey(b) || (a.equivalent ?? []).includes(variantKey(b)) || (b.equivalent ?? []).includes(variantKey(a));

/** Diagnose every variant of `catalog`, as an answer, on every case of `cases` it applies to. */
function confusionMatrix(cases: Case[], tol: Tolerance, catalog: readonly WrongVariant[]): Matrix {
  const m: Matrix = { runs: 0, shown: new Set(), confusions: [] };
  for (const c of cases) {
    for (const exportName of c.exports) {
      const outputs = outputsOf(c, exportName).filter((o) => c.expected[o] !== undefined);
      for (const v of catalog) {
        if (v.target !== c.target || !v.outputs.some((o) => outputs.includes(o))) continue;
        let answer: Record<string, unknown> | null;
        try {
          answer = variantAnswer(v, c, outputs, referenceAnswers);
        } catch {
          continue; // cannot be computed on this case: it does not apply
        }
        if (!answer || !shows(v, c, answer, outputs, tol)) continue;
        m.runs++;
        m.shown.add(v);
        const found = matchingVariants(c, exportName, answer, tol, referenceAnswers, catalog);
        const others = found.variants.filter((w) => !same(v, w));
        // the diagnosis a test judging every output gives: the text of the first match (v itself, or a variant recorded as the same bug)
        const said = catalog === CATALOG ? diagnose(c, exportName, answer, outputs, tol, referenceAnswers) : undefined;
        const failing = outputs.find((o) => !judgeOutputs(c, answer, [o], tol).ok)!;
        const own = found.variants[0] && same(v, found.variants[0]) ? variantText(found.variants[0], c, exportName, failing, answer) : undefined;
        const textOk = catalog !== CATALOG || (own !== undefined && said === own);
        if (others.length > 0 || own === undefined || !textOk)
          m.confusions.push({ variant: name(v), caseId: c.id, exportName, alsoMatched: others.map(name), said });
      }
    }
  }
  return m;
}

const show = (cs: Confusion[]) =>
  cs
    .slice(0, 30)
    .map(
      (x) =>
        `${x.variant} on ${x.caseId} (${x.exportName}): also ${x.alsoMatched.join(", ") || "nothing"}; said ${x.said === undefined ? "nothing" : `"${x.said}"`}`,
    )
    .join("\n");

describe("the catalog's confusion matrix", () => {
  it.each(ASSIGNMENTS)("%s: every variant is named by itself only, on every case it applies to", (a) => {
    const cases = casesOf(a);
    const m = confusionMatrix(cases, loadManifest(a).tolerances.golden, CATALOG);
    const targets = new Set(cases.map((c) => c.target));
    const catalogued = CATALOG.filter((v) => targets.has(v.target) && assignmentOf(v.target) === a);
    // every variant shows its bug somewhere (a variant that never applies proves nothing)
    expect(catalogued.filter((v) => !m.shown.has(v)).map(name)).toEqual([]);
    if (m.confusions.length > 0) throw new Error(`${m.confusions.length} of ${m.runs} diagnoses are not the variant's own:\n${show(m.confusions)}`);
    expect(m.runs).toBeGreaterThan(catalogued.length);
  });

  it("fails when two signatures overlap: a copy of a variant under another name is confused with it", () => {
    const original = CATALOG.find((v) => v.target === "softmaxLoss" && v.id === "softmax-no-onehot")!;
    expect(original).toBeDefined();
    const copy: WrongVariant = { ...original, id: "a-copy-of-no-onehot", text: () => "softmaxLoss: a copy" };
    const cases = casesOf("classifiers").filter((c) => c.target === "softmaxLoss");
    const m = confusionMatrix(cases, loadManifest("classifiers").tolerances.golden, [...CATALOG, copy]);
    const confused = new Set(m.confusions.map((x) => x.variant));
    expect(confused).toEqual(new Set([name(original), name(copy)]));
    // and a diagnosis then names neither
    const c = cases[0];
    const answer = variantAnswer(original, c, ["loss", "dscores"], referenceAnswers)!;
    expect(
      matchingVariants(c, "softmaxLoss", answer, loadManifest("classifiers").tolerances.golden, referenceAnswers, [...CATALOG, copy]).variants.length,
    ).toBe(2);
  });
});
