/**
 * The class report's staff sections (graders/results/report.ts places them under the header):
 * what a regrade changed, the integrity signals, and the most similar pairs of students with the
 * code they share side by side. The class report is the staff's own file; nothing here goes to
 * a student. Every text is cleaned and escaped (escapeHtml), as in the rest of the report.
 */
import { escapeHtml, type ReportSection } from "../results/report";
import { formatPoints } from "../results/prose";
import type { RegradeDiff } from "./regrade-diff";
import { testChangeText } from "./regrade-diff";
import { type StaffSignals, signalEvidence } from "./signals";
import type { ClassSimilarity } from "./similarity";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const score = (s: { score: number; maxScore: number } | null) => (s === null ? "–" : `${formatPoints(s.score)}/${formatPoints(s.maxScore)}`);

/** "Changes since <PREV_OUT>": each student whose score or a test changed, and how. */
export function changesSection(diff: RegradeDiff): ReportSection {
  return {
    id: "changes",
    title: `Changes since ${diff.previous}`,
    html: (link) => {
      if (diff.changed.length === 0)
        return `<p>Nothing changed: all ${plural(diff.compared, "student")} have the same scores, test outcomes and points as in <code>${escapeHtml(diff.previous)}</code>.</p>`;
      const rows = diff.changed.map((s) => {
        const delta = s.before && s.after ? s.after.score - s.before.score : null;
        const what = [
          ...(s.before === null ? ["new student (not in the earlier grading)"] : []),
          ...(s.after === null ? ["not in this grading"] : []),
          ...s.tests.map(testChangeText),
        ];
        return `<tr><td>${s.after === null ? escapeHtml(s.student) : link(s.student)}</td><td class="n">${score(s.before)}</td><td class="n">${score(s.after)}</td><td class="n">${
          delta === null ? "" : `${delta > 0 ? "+" : ""}${formatPoints(delta)}`
        }</td><td><ul class="plain">${what.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul></td></tr>`;
      });
      return `<p>${plural(diff.changed.length, "student")} of ${diff.compared} changed since <code>${escapeHtml(diff.previous)}</code> (also in <code>changes.csv</code>).</p>
<div class="scroll"><table id="changes-table"><thead><tr><th>student</th><th class="n">before</th><th class="n">after</th><th class="n">change</th><th>what changed</th></tr></thead><tbody>${rows.join("\n")}</tbody></table></div>`;
    },
  };
}

/** "Integrity signals": leads for a human, each with its evidence. */
export function signalsSection(staff: StaffSignals): ReportSection {
  return {
    id: "signals",
    title: "Integrity signals (staff only)",
    html: (link) => {
      const intro = `<p class="hint">Leads for a human to look at, not verdicts: each pattern below also has innocent explanations. Students never see this section, <code>staff-signals.csv</code> or <code>staff-answers.json</code>.</p>`;
      const missing =
        staff.withoutFingerprints.length === 0
          ? ""
          : `<p class="hint">${plural(staff.withoutFingerprints.length, "student")} (${staff.withoutFingerprints.map(escapeHtml).join(", ")}) ${staff.withoutFingerprints.length === 1 ? "has" : "have"} no fingerprints of their hidden answers (graded by an earlier version of the grader and resumed): they get no identical-outputs signal. Grade them again without <code>--resume</code> to include them.</p>`;
      if (staff.signals.length === 0)
        return `${intro}<p>No signal: no export passed only its fixture tests, and no two students gave the same wrong answers on every hidden case.</p>${missing}`;
      const rows = staff.signals.map((s) => {
        const who = s.kind === "fixture-only" ? link(s.student) : s.students.map(link).join(", ");
        const what = s.kind === "fixture-only" ? "passes the fixtures only" : "identical wrong answers";
        return `<tr data-signal="${s.kind}"><td>${who}</td><td><code>${escapeHtml(s.export)}</code></td><td>${what}</td><td>${escapeHtml(signalEvidence(s))}</td></tr>`;
      });
      return `${intro}<div class="scroll"><table id="signals-table"><thead><tr><th>students</th><th>export</th><th>signal</th><th>evidence</th></tr></thead><tbody>${rows.join("\n")}</tbody></table></div>${missing}`;
    },
  };
}

/** "Code similarity": the top pairs, and their shared fragments side by side. */
export function similaritySection(sim: ClassSimilarity, top = 10): ReportSection {
  return {
    id: "similarity",
    title: "Code similarity (staff only)",
    html: (link) => {
      const intro = `<p class="hint">Dolos's similarity of every pair of students' code (the share of both covered by shared fingerprints; names, comments and layout do not count, nor the handout's skeleton). Students given the same hints write alike: a high score is a reason to read both, not a finding. Every pair is in <code>similarity.csv</code>.</p>`;
      const without = sim.withoutCode.length === 0 ? "" : `<p class="hint">Not compared (no code): ${sim.withoutCode.map(escapeHtml).join(", ")}.</p>`;
      if (sim.pairs.length === 0) return `${intro}<p>Fewer than two students with code: nothing to compare.</p>${without}`;
      const shown = sim.pairs.slice(0, top);
      const rows = shown.map(
        (p, k) =>
          `<tr><td class="n">${k + 1}</td><td>${link(p.a)}</td><td>${link(p.b)}</td><td class="n">${(100 * p.similarity).toFixed(1)}%</td><td><a href="#pair-${k + 1}">shared code</a></td></tr>`,
      );
      const details = shown
        .filter((p) => p.fragments.length > 0)
        .map((p) => {
          const k = sim.pairs.indexOf(p) + 1;
          const frags = p.fragments
            .map(
              (f) =>
                `<div class="side"><figure><figcaption>${escapeHtml(p.a)}: ${escapeHtml(f.a.file)} lines ${f.a.from}–${f.a.to}</figcaption><pre>${escapeHtml(f.a.text)}</pre></figure><figure><figcaption>${escapeHtml(p.b)}: ${escapeHtml(
                  f.b.file,
                )} lines ${f.b.from}–${f.b.to}</figcaption><pre>${escapeHtml(f.b.text)}</pre></figure></div>`,
            )
            .join("\n");
          return `<details class="pair" id="pair-${k}"${k === 1 ? " open" : ""}><summary>#${k} ${escapeHtml(p.a)} and ${escapeHtml(p.b)}: ${(100 * p.similarity).toFixed(1)}%, ${plural(p.fragments.length, "longest shared fragment")}</summary>${frags}</details>`;
        });
      return `${intro}<div class="scroll"><table id="similarity-table"><thead><tr><th class="n">rank</th><th>student</th><th>student</th><th class="n">similarity</th><th></th></tr></thead><tbody>${rows.join("\n")}</tbody></table></div>
<p class="hint">${plural(sim.pairs.length, "pair")} of ${plural(sim.students, "student")} compared in ${(sim.ms / 1000).toFixed(1)} s.</p>
${details.join("\n")}${without}`;
    },
  };
}
