/**
 * The TA's class report: one self-contained HTML file (OUT/report.html) to read the class at a
 * glance before the deadline. The score histogram, the pass rate per export and per test, the
 * likely causes that hit the most students, visible against hidden tests, a sortable table of
 * students, and each student's feedback in the same file (the same prose as every other format,
 * prose.ts, with the staff-only parts JUnit also shows: hidden tests, printed output, a grader
 * error's cause).
 *
 * Self-contained: inline CSS, one small inline script (sorting, "show all"), charts as inline SVG
 * (report-charts.ts); no font, image, script or style is fetched, and a Content-Security-Policy
 * says so to the browser: nothing may be loaded, and only the script whose hash it names runs, so
 * even a mistake in escaping could not run a student's text. Each student's feedback is shown when
 * its anchor is the page's target (CSS :target), so the page stays short and links work from a
 * file:// URL without a server.
 *
 * Student code chooses what it prints and throws, and folder names are arbitrary: every text is
 * cleaned (prose.ts's cleanText) then HTML-escaped.
 */
import { createHash } from "node:crypto";
import type { Manifest } from "../manifest";
import { type ClassSummary, STATUSES, type StudentSummary, classSummary, share } from "./class-summary";
import { cleanText, formatPoints, outcomeLines, printedText } from "./prose";
import { VISIBILITY_LABEL, reportCharts } from "./report-charts";
import type { Status, SubmissionResult, TestResult } from "../result-model";

/** Text made safe to place in HTML content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return cleanText(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STATUS_LABEL: Record<Status, string> = { passed: "passed", failed: "failed", "could-not-check": "could not check", "grader-error": "grader error" };
const MARK: Record<Status, string> = { passed: "✓", failed: "✗", "could-not-check": "!", "grader-error": "⚠" };

const percent = (part: number, whole: number) => (whole === 0 ? "–" : `${Math.round((100 * part) / whole)}%`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The fragment of a student's feedback: readable when the id is, else by position (ids never collide: "student-…" vs "s<n>"). */
export function studentAnchor(student: string, index: number): string {
  return /^[A-Za-z0-9._-]+$/.test(student) ? `student-${student}` : `s${index + 1}`;
}

const STYLE = `
:root{--blue:#4c78a8;--red:#c0392b;--amber:#b9770e;--purple:#8e44ad;--green:#2e7d32;--line:#e3e3e3;--muted:#666}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0;background:#fafafa}
main{max-width:1200px;margin:0 auto;padding:20px 24px 60px}
h1{font-size:22px;margin:0 0 2px}h2{font-size:17px;margin:0 0 10px}h3{font-size:15px;margin:0}h4{font-size:14px;margin:12px 0 4px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:16px 18px;margin:14px 0}
.sub,.hint{color:var(--muted)}
.stats{display:flex;flex-wrap:wrap;gap:8px 28px;margin:12px 0 0;padding:0}
.stats div{display:flex;flex-direction:column}.stats dt{color:var(--muted);font-size:12px}.stats dd{margin:0;font-size:20px;font-weight:600}
.stats small{font-size:13px;font-weight:normal;color:var(--muted)}
header{margin-bottom:14px}
.alert{border-left:4px solid var(--purple);background:#f6effa;padding:8px 12px;margin:12px 0 0}
.grid{display:flex;flex-wrap:wrap;gap:14px;margin:14px 0}.grid>section{flex:1 1 480px;margin:0}
figure{margin:0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:13px}th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;white-space:nowrap}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
#students-table td:first-child,#tests-table td:nth-child(2),#tests-table td:nth-child(3),#diagnoses-table a{white-space:nowrap}
th button{all:unset;cursor:pointer}th button:hover,th button:focus-visible{text-decoration:underline}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
td.lost{background:#fdecea}td.zero{background:#f9d6d2}
.tag{display:inline-block;font-size:11px;padding:0 6px;border-radius:8px;background:#eee;color:#444;margin-left:4px}
.passed{color:var(--green)}.failed{color:var(--red)}.could-not-check{color:var(--amber)}.grader-error{color:var(--purple)}
.student{display:none;border-top:2px solid var(--blue);padding-top:10px;margin-top:12px}
.student:target,body.all .student{display:block}
.student ul{list-style:none;margin:0;padding:0}.student li{margin:2px 0}
.student pre{white-space:pre-wrap;margin:2px 0 6px 20px;padding:6px 8px;background:#f6f6f6;border-radius:4px;font-size:12px;color:#222}
.mark{display:inline-block;width:1.2em;font-weight:700}
svg{max-width:100%;height:auto}
section.staff{border-left:4px solid var(--purple)}
ul.plain{list-style:none;margin:0;padding:0}
.side{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin:8px 0}.side figure{min-width:0}.side figcaption{font-size:12px;color:var(--muted)}
.side pre,details.pair pre{overflow:auto;max-height:24em;margin:2px 0;padding:6px 8px;background:#f6f6f6;border-radius:4px;font-size:12px}
details.pair{margin:8px 0}details.pair summary{cursor:pointer}
`;

/** Sorting a table by a column's header (numbers by data-sort, text by code units), and "show every student's feedback". */
const SCRIPT = `
for (const table of document.querySelectorAll("table.sortable")) {
  const heads = [...table.tHead.rows[0].cells];
  heads.forEach((th, col) => {
    const button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      for (const h of heads) h.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const key = (row) => row.cells[col].dataset.sort ?? row.cells[col].textContent;
      const numeric = th.dataset.type === "number";
      const body = table.tBodies[0];
      const rows = [...body.rows].sort((a, b) => {
        const x = key(a), y = key(b);
        const c = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
        return ascending ? c : -c;
      });
      body.append(...rows);
    });
  });
}
const all = document.getElementById("show-all");
all.addEventListener("change", () => document.body.classList.toggle("all", all.checked));
`;

interface Column {
  label: string;
  numeric?: boolean;
  sortable?: boolean;
}

function head(columns: Column[]): string {
  const cell = (c: Column) => {
    const cls = c.numeric ? ' class="n"' : "";
    if (c.sortable === false) return `<th${cls}>${escapeHtml(c.label)}</th>`;
    return `<th${cls} data-type="${c.numeric ? "number" : "text"}"><button type="button">${escapeHtml(c.label)}</button></th>`;
  };
  return `<thead><tr>${columns.map(cell).join("")}</tr></thead>`;
}

/** A numeric cell: shown as `html`, sorted by `value`. */
const num = (value: number, html: string, cls = "") => `<td class="n${cls ? ` ${cls}` : ""}" data-sort="${value}">${html}</td>`;

function headerHtml(s: ClassSummary): string {
  const max = s.students[0]?.maxScore ?? 0;
  const full = s.students.filter((st) => st.maxScore > 0 && st.score >= st.maxScore).length;
  const stat = (label: string, value: string) => `<div><dt>${escapeHtml(label)}</dt><dd>${value}</dd></div>`;
  const affected = (status: Status) => s.students.filter((st) => st.outcomes[status] > 0).length;
  const alerts: string[] = [];
  if (s.outcomes["grader-error"] > 0) {
    alerts.push(`<p class="alert"><strong>${plural(s.outcomes["grader-error"], "grader error")}</strong> in ${plural(affected("grader-error"), "student")}: the grader failed, not the students; those tests scored 0. See the tests table and each student's feedback.</p>`);
  }
  return `<header>
<h1>${escapeHtml(s.title)}</h1>
<p class="sub">Class report for assignment <code>${escapeHtml(s.assignment)}</code>: ${plural(s.students.length, "student")}, ${plural(s.tests.length, "test")} each.</p>
<dl class="stats">
${stat("students", String(s.students.length))}
${stat("mean score", `${formatPoints(Math.round(s.mean * 10) / 10)}<small>/${formatPoints(max)}</small>`)}
${stat("median score", `${formatPoints(s.median)}<small>/${formatPoints(max)}</small>`)}
${stat("full marks", String(full))}
${stat("tests passed", percent(s.outcomes.passed, STATUSES.reduce((a, k) => a + s.outcomes[k], 0)))}
${stat("could not check", `${s.outcomes["could-not-check"]} <small>(${plural(affected("could-not-check"), "student")})</small>`)}
${stat("grader errors", `${s.outcomes["grader-error"]} <small>(${plural(affected("grader-error"), "student")})</small>`)}
</dl>
${alerts.join("\n")}
</header>`;
}

function studentLink(s: ClassSummary, student: string): string {
  const i = s.students.findIndex((st) => st.student === student);
  return `<a href="#${studentAnchor(student, i)}">${escapeHtml(student)}</a>`;
}

function exportsTable(s: ClassSummary): string {
  const rows = s.exports.map(
    (e) => `<tr><td><code>${escapeHtml(e.export)}</code></td>${num(e.points, formatPoints(e.points))}${num(e.passedAll, `${e.passedAll}/${e.students}`)}${num(share(e.passedAll, e.students), percent(e.passedAll, e.students))}${num(e.meanEarned, formatPoints(Math.round(e.meanEarned * 10) / 10))}</tr>`,
  );
  const columns: Column[] = [{ label: "export" }, { label: "points", numeric: true }, { label: "passed all its tests", numeric: true }, { label: "pass rate", numeric: true }, { label: "mean points", numeric: true }];
  return `<div class="scroll"><table id="exports-table" class="sortable">${head(columns)}<tbody>${rows.join("\n")}</tbody></table></div>`;
}

function testsTable(s: ClassSummary): string {
  const rows = s.tests.map((t) => {
    const o = t.outcomes;
    const bad = (status: Status) => num(o[status], o[status] === 0 ? "" : String(o[status]), o[status] === 0 ? "" : status);
    return `<tr><td>${escapeHtml(t.test.name)}</td><td>${escapeHtml(t.test.kind)}</td><td>${escapeHtml(t.test.visibility.replace(/_/g, " "))}</td>${num(
      t.test.points,
      formatPoints(t.test.points),
    )}${num(share(o.passed, t.runs), `${percent(o.passed, t.runs)} <small>(${o.passed}/${t.runs})</small>`)}${bad("failed")}${bad("could-not-check")}${bad("grader-error")}</tr>`;
  });
  const columns: Column[] = [
    { label: "test" },
    { label: "kind" },
    { label: "visibility" },
    { label: "points", numeric: true },
    { label: "pass rate", numeric: true },
    { label: "failed", numeric: true },
    { label: "could not check", numeric: true },
    { label: "grader error", numeric: true },
  ];
  return `<div class="scroll"><table id="tests-table" class="sortable">${head(columns)}<tbody>${rows.join("\n")}</tbody></table></div>`;
}

function diagnosesHtml(s: ClassSummary): string {
  const undiagnosed = `<p class="hint">${plural(s.undiagnosedFailures, "failed test")} had no likely cause (no known wrong variant matched).</p>`;
  if (s.diagnoses.length === 0) return `<p>No failed test carried a likely cause.</p>${undiagnosed}`;
  const rows = s.diagnoses.map(
    (d) =>
      `<tr>${num(d.students.length, String(d.students.length))}<td>${escapeHtml(d.diagnosis)}</td><td>${d.exports.map((e) => `<code>${escapeHtml(e)}</code>`).join(", ")}</td>${num(d.tests, String(d.tests))}<td>${d.students
        .map((st) => studentLink(s, st))
        .join(", ")}</td></tr>`,
  );
  const columns: Column[] = [{ label: "students", numeric: true }, { label: "likely cause" }, { label: "export" }, { label: "tests", numeric: true }, { label: "who", sortable: false }];
  return `<div class="scroll"><table id="diagnoses-table" class="sortable">${head(columns)}<tbody>${rows.join("\n")}</tbody></table></div>${undiagnosed}`;
}

function visibilityNote(s: ClassSummary): string {
  if (s.lostOnlyUnseen.length === 0) return `<p class="hint">No student passed every visible test and then lost points on a test they could not see.</p>`;
  return `<p><strong>${plural(s.lostOnlyUnseen.length, "student")}</strong> passed every visible test (their self-check was clean) but lost points on tests they could not see: ${s.lostOnlyUnseen
    .map((st) => studentLink(s, st))
    .join(", ")}.</p>`;
}

function studentsTable(s: ClassSummary): string {
  const columns: Column[] = [
    { label: "student" },
    { label: "score", numeric: true },
    ...s.exports.map((e) => ({ label: e.export, numeric: true })),
    { label: "failed", numeric: true },
    { label: "could not check", numeric: true },
    { label: "grader error", numeric: true },
  ];
  const rows = s.students.map((st, i) => {
    const parts = st.parts.map((p) => num(p.earned, `${formatPoints(p.earned)}/${formatPoints(p.points)}`, p.earned >= p.points ? "" : p.earned === 0 ? "zero" : "lost"));
    const count = (status: Status) => num(st.outcomes[status], st.outcomes[status] === 0 ? "" : String(st.outcomes[status]), st.outcomes[status] === 0 ? "" : status);
    return `<tr><td data-sort="${escapeHtml(st.student)}"><a href="#${studentAnchor(st.student, i)}">${escapeHtml(st.student)}</a></td>${num(
      st.score,
      `${formatPoints(st.score)}/${formatPoints(st.maxScore)}`,
    )}${parts.join("")}${count("failed")}${count("could-not-check")}${count("grader-error")}</tr>`;
  });
  return `<div class="scroll"><table id="students-table" class="sortable">${head(columns)}<tbody>${rows.join("\n")}</tbody></table></div>`;
}

/** A multi-line block of text, or nothing when it is empty. */
const block = (lines: string[]) => (lines.length === 0 ? "" : `<pre>${lines.map(escapeHtml).join("\n")}</pre>`);

function testItem(t: TestResult): string {
  const status = t.outcome.status;
  const lines = status === "passed" ? [] : outcomeLines(t);
  // The staff see the harness's own cause of a grader error, as in junit.xml; the student never does.
  if (t.outcome.status === "grader-error" && cleanText(t.outcome.cause ?? "").trim() !== "") lines.push(`Cause (staff only): ${t.outcome.cause}`);
  const tag = t.test.visibility === "visible" ? "" : `<span class="tag">${escapeHtml(VISIBILITY_LABEL[t.test.visibility] ?? t.test.visibility)}</span>`;
  return `<li class="test" data-status="${status}"><span class="mark ${status}" title="${STATUS_LABEL[status]}">${MARK[status]}</span>${escapeHtml(t.test.name)} <small>(${formatPoints(
    t.score,
  )}/${formatPoints(t.test.points)})</small>${tag}${block(lines)}</li>`;
}

function feedbackHtml(st: StudentSummary, index: number, result: SubmissionResult | undefined, exportsInOrder: string[]): string {
  const tests = result?.tests ?? [];
  const parts = exportsInOrder
    .map((ex) => tests.filter((t) => t.test.export === ex))
    .filter((ts) => ts.length > 0)
    .map((ts) => {
      const earned = ts.reduce((a, t) => a + t.score, 0);
      const points = ts.reduce((a, t) => a + t.test.points, 0);
      const title = `<h4><code>${escapeHtml(ts[0].test.export)}</code> <span class="${earned >= points ? "passed" : "failed"}">${formatPoints(earned)}/${formatPoints(points)}</span>`;
      // An export passed in full is one line: the page stays small for a class of hundreds.
      if (ts.every((t) => t.outcome.status === "passed")) return `${title} <small class="passed">all ${plural(ts.length, "test")} passed</small></h4>`;
      return `${title}</h4><ul>${ts.map(testItem).join("")}</ul>`;
    });
  const messages = (result?.messages ?? []).map((m) => cleanText(m).trim()).filter((m) => m !== "");
  const printed = result ? printedText(result) : "";
  return `<article class="student" id="${studentAnchor(st.student, index)}" data-student="${escapeHtml(st.student)}">
<h3>${escapeHtml(st.student)} — ${formatPoints(st.score)}/${formatPoints(st.maxScore)} <small><a href="#students">back to the table</a></small></h3>
${block(messages.length === 0 ? [] : messages.join("\n\n").split("\n"))}
${parts.join("\n")}
${printed === "" ? "" : `<details><summary>What the code printed (staff only when hidden tests ran)</summary>${block(printed.split("\n"))}</details>`}
</article>`;
}

/**
 * A staff section placed under the header (graders/staff/report-sections.ts: what a regrade
 * changed, integrity signals, code similarity). `html` gets a function that links a student to
 * their feedback.
 */
export interface ReportSection {
  id: string;
  title: string;
  html: (link: (student: string) => string) => string;
}

/** The class report for `results` of one assignment, as one HTML document. */
export async function toReport(results: SubmissionResult[], manifest: Manifest, sections: ReportSection[] = []): Promise<string> {
  const s = classSummary(results, manifest);
  const charts = await reportCharts(s);
  const byStudent = new Map(results.map((r) => [r.student, r]));
  const exportsInOrder = s.exports.map((e) => e.export);
  const scriptHash = createHash("sha256").update(SCRIPT).digest("base64");
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(s.title)} — class report</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${headerHtml(s)}
${sections.map((x) => `<section id="${escapeHtml(x.id)}" class="staff"><h2>${escapeHtml(x.title)}</h2>${x.html((student) => studentLink(s, student))}</section>`).join("\n")}
<div class="grid">
<section id="scores"><h2>Scores</h2><figure class="chart">${charts.histogram}</figure></section>
<section id="exports"><h2>Pass rate per export</h2><figure class="chart">${charts.exports}</figure></section>
</div>
<div class="grid">
<section id="visibility"><h2>Visible against hidden tests</h2>${visibilityNote(s)}<figure class="chart">${charts.visibility}</figure></section>
<section id="exports-detail"><h2>Exports</h2>${exportsTable(s)}</section>
</div>
<section id="diagnoses"><h2>Most common likely causes</h2>${diagnosesHtml(s)}</section>
<section id="tests"><h2>Pass rate per test</h2><p class="hint">Click a column's header to sort by it (pass rate: the hardest tests first).</p>${testsTable(s)}</section>
<section id="students"><h2>Students</h2><p class="hint">Click a column's header to sort; click a student for their feedback.</p>${studentsTable(s)}</section>
<section id="feedback"><h2>Feedback</h2><p class="hint">A student's feedback shows here when you click their name. <label><input type="checkbox" id="show-all"> Show every student's feedback</label></p>
${s.students.map((st, i) => feedbackHtml(st, i, byStudent.get(st.student), exportsInOrder)).join("\n")}
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
