/**
 * A gradient check's results in words: the failure's message and details (analytic vs numeric,
 * the CS231n relative error, the rule, h, whose forward, the seeds of a visible test), the passed
 * message, and what the starter kit says when it cannot replace a misbehaving forward.
 */
import { type Case, type Target, isLayer } from "../../cases/case";
import { type Tolerance, cs231nRelError, toleranceText } from "../../judge/tolerance";
import type { GradingPolicy } from "../../reference/grading-policy";
import { formatNumber as num, scientific as sci } from "../../format-number";
import type { WhoseForward } from "../whose-forward";
import type { OutputVerdict } from "./case-check";
import { forwardName, objectiveText } from "./objective";
import type { Tally } from "./tally";

const exp = (v: number) => v.toExponential(2);

/** The starter kit ("student-always"), why a misbehaving forward cannot be replaced, and what to do. */
export function kitForwardText(target: Target, exportName: string): string {
  const forward = isLayer(target) ? `${target}Forward` : exportName;
  return `the starter kit always differentiates ${forwardName(target, exportName)} (it has no reference code): fix ${forward} first (npm run check -- ${forward}); the course's grader differentiates its own reference forward when yours misbehaves`;
}

/** The message and details of a failed case: its worst entry or direction, the rule, the step, whose forward, the seeds. */
export function failureText(
  exportName: string,
  c: Case,
  v: OutputVerdict,
  o: {
    h: number;
    tol: Tolerance;
    forward: WhoseForward;
    /** The policy's gradcheckForward: what "your own forward matches" is matched against. */
    forwardRule: GradingPolicy["gradcheckForward"];
    retries: string[];
    worstRatio: number;
    skipped: number;
    seeds: { case: string | null; draws: string | null };
  },
): { message: string; details: string } {
  const w = v.worst!;
  const a = w.probe.analytic;
  const n = w.numeric;
  const lines: string[] = [];
  let message: string;
  if (w.probe.entry) {
    const label = `${v.output}${w.probe.entry.label}`;
    message = `${exportName}: ${label} = ${num(a)}, but centered differences of the forward give ${num(n)}${v.entries > 1 ? ` (${v.badEntries} of ${v.entries} checked entries differ)` : ""}`;
    lines.push(
      `worst entry ${label}: analytic (yours) ${a}, numeric ${n}`,
      `difference ${exp(Math.abs(a - n))}, CS231n relative error ${exp(cs231nRelError(a, n))}`,
      `rule: ${toleranceText(o.tol, { actual: "analytic", expected: "numeric", scale: "max|numeric|" })}, max|numeric| = ${num(w.scale)} over the ${v.entries} entries checked`,
      `numeric: (f(x + h) − f(x − h)) / 2h at ${w.probe.arg}${w.probe.entry.label}, h = ${sci(o.h)}·max(1, |x|) = ${exp(w.step)}, ${objectiveText(c.target)}`,
    );
  } else {
    const d = w.probe.direction!;
    message = `${exportName}: ${v.output} fails a directional check: ⟨${v.output}, u⟩ = ${num(a)}, but centered differences along u give ${num(n)}`;
    lines.push(
      `directional check #${d.n}: u is a random unit Gaussian direction over all ${d.entries.length} entries of ${w.probe.arg} (the sampled entries all passed, or the direction fails worse)`,
      `analytic ⟨${v.output}, u⟩ (yours) ${a}, numeric (f(x + h·u) − f(x − h·u)) / 2h = ${n}`,
      `difference ${exp(Math.abs(a - n))}, CS231n relative error ${exp(cs231nRelError(a, n))}`,
      `rule: ${toleranceText(o.tol, { actual: "analytic", expected: "numeric", scale: `‖${v.output}‖₂` })}, ‖${v.output}‖₂ = ${num(w.scale)}`,
      `h = ${sci(o.h)}·max(1, max|${w.probe.arg}|) = ${exp(w.step)}, ${objectiveText(c.target)}`,
    );
  }
  lines.push(
    o.forward.whose === "student" && o.forward.wrong
      ? `${o.forward.wrong} on this case (its own test fails there), and the numeric gradient differentiates it all the same: ${kitForwardText(c.target, exportName)}`
      : o.forward.whose === "reference"
        ? `${o.forward.why} on this case, so the numeric gradient uses the reference's forward`
        : o.forwardRule === "student-always"
          ? "the numeric gradient differentiates your own forward (it matches the expected values on this case)"
          : "the numeric gradient differentiates your own forward (it matches the reference on this case)",
  );
  if (o.retries.length > 0) lines.push(`borderline at h = ${sci(o.h)} (${num(o.worstRatio)}× the tolerance), retried: ${o.retries.join("; ")}`);
  if (o.skipped > 0) lines.push(`${o.skipped} check${o.skipped > 1 ? "s" : ""} skipped on this case: x ± h crosses a kink there`);
  // never a seed with the secret in it (a hidden test's draws): the staff replay those from the id
  lines.push(
    o.seeds.case
      ? `case ${c.id} (seed ${o.seeds.case})${o.seeds.draws ? `; entries and directions drawn with seed "${o.seeds.draws}"` : ""}`
      : `hidden case ${c.id}`,
  );
  return { message, details: lines.join("\n") };
}

/** The passed message: what was compared, whose forward, what was retried or skipped at kinks. */
export function passedText(t: Tally, cases: Case[], exportName: string, h: number): string {
  const target = cases[0].target;
  const ref = t.referenceForward.length;
  const whose =
    ref === 0
      ? forwardName(target, exportName)
      : ref === t.cases
        ? "the reference's forward"
        : `${forwardName(target, exportName)} (the reference's on ${ref} case${ref > 1 ? "s" : ""})`;
  const parts = [
    `${t.cases} case${t.cases > 1 ? "s" : ""} passed${t.larger > 0 ? ` (${t.cases - t.larger} golden, ${t.larger} larger)` : ""}: ${t.entries} entries${t.directions > 0 ? ` and ${t.directions} random directions` : ""} agree with centered differences of ${whose}, h = ${sci(h)}`,
  ];
  const whys = [...new Set(t.referenceForward.map((r) => r.why))];
  for (const why of whys) {
    const ids = t.referenceForward.filter((r) => r.why === why).map((r) => r.id);
    parts.push(`on ${ids.length === t.cases ? "every case" : ids.join(", ")}, ${why}, so the numeric gradient there uses the reference's forward`);
  }
  for (const why of [...new Set(t.wrongOwnForward.map((r) => r.why))]) {
    const ids = t.wrongOwnForward.filter((r) => r.why === why).map((r) => r.id);
    parts.push(
      `on ${ids.length === t.cases ? "every case" : ids.join(", ")}, ${why}: the starter kit differentiated it all the same (the course's grader uses its reference forward there), so fix that forward first`,
    );
  }
  if (t.retried.length > 0) parts.push(`borderline at h = ${sci(h)} on ${t.retried.map((r) => `${r.id} (passes at h = ${sci(r.h)})`).join(", ")}`);
  if (t.skipped > 0) parts.push(`${t.skipped} check${t.skipped > 1 ? "s" : ""} skipped where x ± h crosses a kink`);
  if (t.sparse.length > 0) parts.push(`on ${t.sparse.join(", ")} most checks crossed a kink, too few were left to be sure: not counted against you`);
  return parts.join("; ");
}
