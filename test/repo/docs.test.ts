/**
 * The documentation as data: every Markdown file of the repository (README.md, docs/, the
 * handouts, the fixtures' notes) and the starter kit's README and pages as a kit carries them.
 *   - every relative link resolves, and a #heading anchor names a heading of its target (GitHub's
 *     slugs), where the target is Markdown;
 *   - every `npm run X` the docs show is a script of package.json, and the handouts' (a kit's
 *     README) are scripts of the kit's package.json;
 *   - nothing cites the specification's file outside this repository;
 *   - the handouts state the sizes, limits and margins the code uses.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ASSIGNMENTS, KINK_MARGIN } from "../../graders/cases/case";
import { GROWTH, efficiencyTarget } from "../../graders/cases/scale";
import { TRAINING } from "../../graders/cases/train";
import { FLOOR_MS, MAX_GROWTH } from "../../graders/checks/efficiency";
import { contractExports } from "../../graders/contract";
import { loadManifest, testSpecs } from "../../graders/manifest";
import { type BenchReport, benchmarksMarkdown } from "../../scripts/bench/report";
import { KIT_DOCS, KIT_SCRIPTS, kitHandout } from "../../scripts/kit/handout";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** Folders that hold no documentation of ours: dependencies, outputs, and every dot-folder. */
const SKIP = new Set(["node_modules", "out", "reports", "coverage"]);

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, keep));
    else if (entry.isFile() && keep(entry.name)) out.push(path);
  }
  return out;
}

const MARKDOWN = filesUnder(ROOT, (n) => n.endsWith(".md"));
const rel = (path: string) => relative(ROOT, path).split(sep).join("/");

// ------------------------------------------------------------------------------ reading Markdown
/** The text without its fenced code blocks (a "#" line there is no heading). */
export function withoutFences(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

/** The text with fenced code blocks and inline code spans blanked (links there are not links). */
export function withoutCode(text: string): string {
  return withoutFences(text).replace(/`[^`\n]*`/g, "``");
}

/** Every link target of a Markdown text: inline links and images, and reference definitions. */
export function linkTargets(text: string): string[] {
  const prose = withoutCode(text);
  const inline = [...prose.matchAll(/!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const defined = [...prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]);
  return [...inline, ...defined];
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link: its text
    .replace(/[`*_~]/g, (c) => (c === "_" ? "_" : "")) // emphasis and code marks (GitHub keeps "_")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** The anchors of a Markdown text's headings, duplicates numbered as GitHub does (x, x-1, x-2). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of withoutFences(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/**
 * What is wrong with the links of `file` (a Markdown file inside `root`): a target that is not
 * there, that leaves `root`, or an anchor that names no heading of its Markdown target.
 */
export function brokenLinks(file: string, root: string, text = readFileSync(file, "utf8")): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue; // https:, mailto:
    const [path, anchor] = target.split("#", 2) as [string, string | undefined];
    const to = path === "" ? file : resolve(dirname(file), decodeURIComponent(path));
    const where = `${relative(root, file)}: (${target})`;
    if (relative(root, to).startsWith("..")) {
      problems.push(`${where} leads out of ${root}`);
      continue;
    }
    if (!existsSync(to)) {
      problems.push(`${where}: ${relative(root, to)} does not exist`);
      continue;
    }
    if (anchor && to.endsWith(".md") && statSync(to).isFile()) {
      const heads = anchors(path === "" ? text : readFileSync(to, "utf8"));
      if (!heads.has(anchor)) problems.push(`${where}: ${relative(root, to)} has no heading #${anchor}`);
    }
  }
  return problems;
}

/** The scripts named by every `npm run X` of a text (`npm run --silent X` too). */
export function npmRuns(text: string): string[] {
  return [...text.matchAll(/\bnpm run(?: --?[a-z-]+)* ([a-z][\w:.-]*)/g)].map((m) => m[1]);
}

const SCRIPTS = Object.keys((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
const HANDOUTS = ASSIGNMENTS.map((a) => join(ROOT, "assignments", a, "README.md"));

// ------------------------------------------------------------------------------ the checker itself
describe("the link checker", () => {
  const dir = mkdtempSync(join(tmpdir(), "docs-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "a.md"), "# Title\n\n## Step 2: `run` it (again)\n\n## Step 2: `run` it (again)\n");

  it("accepts links that resolve, anchors included", () => {
    writeFileSync(join(dir, "ok.md"), "[a](a.md) [b](./a.md#title) [c](a.md#step-2-run-it-again-1) [d](#here) ![e](a.md)\n\n## Here\n\n[x]: a.md\n");
    expect(brokenLinks(join(dir, "ok.md"), dir)).toEqual([]);
  });

  it("names a missing file, a missing anchor and a link out of the folder", () => {
    writeFileSync(join(dir, "bad.md"), "[a](missing.md) [b](a.md#nope) [c](../elsewhere.md) [d](#gone)\n");
    expect(brokenLinks(join(dir, "bad.md"), dir)).toEqual([
      "bad.md: (missing.md): missing.md does not exist",
      "bad.md: (a.md#nope): a.md has no heading #nope",
      "bad.md: (../elsewhere.md) leads out of " + dir,
      "bad.md: (#gone): bad.md has no heading #gone",
    ]);
  });

  it("ignores links in code and absolute addresses", () => {
    writeFileSync(join(dir, "code.md"), "`[a](missing.md)`\n\n```md\n[b](missing.md)\n```\n\n[c](https://example.org/x.md)\n");
    expect(brokenLinks(join(dir, "code.md"), dir)).toEqual([]);
  });

  it("reads npm run commands, with npm's own flags before the script", () => {
    expect(npmRuns("`npm run grade -- --assignment x` and npm run --silent check; npm run\n")).toEqual(["grade", "check"]);
  });
});

// ------------------------------------------------------------------------------ the repository's Markdown
describe("the repository's Markdown", () => {
  it("is found: the README, every page of docs/ and every handout", () => {
    const found = MARKDOWN.map(rel);
    expect(found).toEqual(expect.arrayContaining(["README.md", "docs/api.md", "docs/benchmarks.md", ...HANDOUTS.map(rel)]));
  });

  it.each(MARKDOWN.map((f) => [rel(f), f]))("%s: every relative link resolves", (_name, file) => {
    expect(brokenLinks(file, ROOT)).toEqual([]);
  });

  it.each(MARKDOWN.map((f) => [rel(f), f]))("%s: every npm run command is a script of package.json", (_name, file) => {
    expect(npmRuns(readFileSync(file, "utf8")).filter((s) => !SCRIPTS.includes(s))).toEqual([]);
  });

  it("the README starts with the two commands of a fresh machine", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(block.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim())).toEqual(["npm install && npm run grade", "npm install && npm test", ""]);
    expect(readme.split("\n").length).toBeLessThan(200);
  });

  it("every docs/ page is linked from the README", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const linked = new Set(linkTargets(readme).map((t) => t.split("#")[0]));
    const pages = readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md"));
    expect(pages.filter((p) => !linked.has(`docs/${p}`))).toEqual([]);
  });

  it("docs/api.md names every export of every assignment", () => {
    const api = readFileSync(join(ROOT, "docs", "api.md"), "utf8");
    const missing = ASSIGNMENTS.flatMap((a) => contractExports(a).filter((e) => !new RegExp(`\`[^\`]*\\b${e}\\b`).test(api)));
    expect(missing).toEqual([]);
    expect([...anchors(api)]).toEqual(expect.arrayContaining([...ASSIGNMENTS]));
  });
});

// ------------------------------------------------------------------------------ nothing outside the repository
describe("no file cites the specification's file outside the repository", () => {
  const TEXT = /\.(md|ts|mts|js|mjs|cjs|json|jsonc|py|sh|yml|yaml|txt)$|^(run_autograder|run|gitignore)$/;
  const files = [...filesUnder(ROOT, (n) => TEXT.test(n)), join(ROOT, ".ci", "run")];
  // spelled in pieces, so that this file does not match itself
  const patterns = [
    new RegExp(["\\.\\.", "/shared"].join("")),
    new RegExp(["CONTRACT", "\\.md"].join("")),
    new RegExp(["(contract|notes)", "(\\.md)?", " §\\s*\\d"].join(""), "i"),
  ];

  it("searches every source and documentation file", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.map(rel)).toEqual(expect.arrayContaining(["README.md", "graders/contract.ts", "scripts/kit.ts", ".ci/run"]));
  });

  it("no file names it, nor cites its sections", () => {
    const hits = files.flatMap((f) =>
      readFileSync(f, "utf8")
        .split("\n")
        .flatMap((line, k) => (patterns.some((p) => p.test(line)) ? [`${rel(f)}:${k + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });
});

// ------------------------------------------------------------------------------ test paths
describe("every path under test/ that a file of the repository names", () => {
  // test/unit/ mirrors the source and files move with it: a doc, a comment, CI or a script that
  // names a test or helper by path must follow. A path is cut at "<" (a placeholder) and at a
  // trailing dot (the end of a sentence). package-lock.json is npm's (a package's own test/ files).
  const TEXT = /\.(md|ts|mts|js|mjs|cjs|json|jsonc|py|sh|yml|yaml)$|^(run_autograder|run)$/;
  const files = [...filesUnder(ROOT, (n) => TEXT.test(n) && n !== "package-lock.json"), join(ROOT, ".ci", "run")];
  const named = files.flatMap((f) =>
    [...readFileSync(f, "utf8").matchAll(/(?<![\w/.-])test\/[\w./-]*/g)].map((m) => ({ file: rel(f), path: m[0].replace(/\.+$/, "") })),
  );

  it("finds the paths (the docs, CI and the tests' own comments name them)", () => {
    expect(named.length).toBeGreaterThan(50);
    expect(named.map((n) => n.file)).toEqual(expect.arrayContaining([".ci/run", "docs/development.md", "jest.config.js"]));
  });

  it("exists", () => {
    expect(named.filter((n) => !existsSync(join(ROOT, n.path))).map((n) => `${n.file}: ${n.path}`)).toEqual([]);
  });
});

// ------------------------------------------------------------------------------ the handouts, here and in a kit
describe.each(ASSIGNMENTS.map((a) => [a]))("the %s handout", (assignment) => {
  const handout = readFileSync(join(ROOT, "assignments", assignment, "README.md"), "utf8");

  it("links to the student API", () => {
    expect(linkTargets(handout)).toContain(`../../docs/api.md#${assignment}`);
  });

  it("in a starter kit, links to the kit's copy of the API and every link resolves inside the kit", () => {
    const kit = mkdtempSync(join(tmpdir(), `docs-kit-${assignment}-`));
    try {
      const readme = kitHandout(assignment, handout);
      writeFileSync(join(kit, "README.md"), readme);
      for (const [page, inKit] of Object.entries(KIT_DOCS)) writeFileSync(join(kit, inKit), readFileSync(join(ROOT, page), "utf8"));
      expect(linkTargets(readme)).toContain(`API.md#${assignment}`);
      for (const inKit of ["README.md", ...Object.values(KIT_DOCS)]) expect(brokenLinks(join(kit, inKit), kit)).toEqual([]);
    } finally {
      rmSync(kit, { recursive: true, force: true });
    }
  });

  it("shows only the kit's npm scripts", () => {
    expect(npmRuns(handout).filter((s) => !(s in KIT_SCRIPTS))).toEqual([]);
  });

  it("states the time limit per call, every test's own limit, and the margin kept from kinks that the code uses", () => {
    const m = loadManifest(assignment);
    expect(handout).toContain(`${m.limits.callTimeoutMs / 1000} s per call`);
    for (const t of new Set(testSpecs(m).flatMap((x) => (x.timeoutMs === undefined ? [] : [x.timeoutMs])))) expect(handout).toContain(`${t / 1000} s`);
    const stated = [...handout.matchAll(/\$10\^\{(-\d+)\}\$\s+away from/g)].map((m) => Number(m[1]));
    expect(stated.length).toBeGreaterThan(0);
    expect(stated).toEqual(stated.map(() => Math.log10(KINK_MARGIN)));
  });

  const efficiency = testSpecs(loadManifest(assignment)).filter((t) => t.kind === "efficiency");
  const timed = efficiency.length > 0;
  (timed ? it : it.skip)(
    timed
      ? "states the efficiency test's sizes, floor, growth and time limit as the code has them"
      : "states no efficiency sizes: the assignment has no efficiency test",
    () => {
      const flat = handout.replace(/\s+/g, " ");
      const timeouts = new Set(efficiency.map((t) => t.timeoutMs));
      expect(timeouts.size).toBe(1);
      expect(flat).toContain(`after ${[...timeouts][0]! / 1000} s`);
      expect(flat).toContain(`at most ${FLOOR_MS / 1000} s`);
      expect(flat).toContain(`at most ${MAX_GROWTH}×`);
      const sizes = new Set(efficiency.map((t) => JSON.stringify(efficiencyTarget(t.export))));
      for (const s of sizes) {
        const { small, top } = JSON.parse(s) as NonNullable<ReturnType<typeof efficiencyTarget>>;
        expect(top.D).toBe(small.D * GROWTH);
        if (assignment === "layers") {
          expect(flat).toContain(`minibatch of ${top.N} rows at two widths, ${GROWTH}× apart`);
          expect(flat).toContain(
            top.M === 1 ? `${small.D} and ${top.D} for the elementwise layers` : `${small.D} and ${top.D} for affine and maxout, with M = ${top.M}`,
          );
          // section 2: "at least this wide" (the lecture's 100×4096)
          expect(top.D).toBeGreaterThanOrEqual(4096);
          expect(flat).toContain("100 examples of 4096 numbers");
        } else {
          expect(flat).toContain(`\`X\` ${small.N}×${small.D} and ${top.N}×${top.D} (H = ${top.H}, C = ${top.C})`);
        }
      }
      expect(flat).not.toContain("exactly this scale");
    },
  );
});

describe("the training test's settings", () => {
  it("docs/how-grading-works.md states the ones the code uses", () => {
    const text = readFileSync(join(ROOT, "docs", "how-grading-works.md"), "utf8");
    expect(text).toContain(`${TRAINING.steps} steps on ${TRAINING.classes * TRAINING.perClass} seeded spiral points, H = ${TRAINING.hidden}`);
    expect(text).toContain(`≥ ${TRAINING.needed * 100} % training accuracy`);
  });

  it("assignments/two-layer-net/TRAINING.md states the ones the code uses", () => {
    const text = readFileSync(join(ROOT, "assignments", "two-layer-net", "TRAINING.md"), "utf8");
    expect(text).toContain(`${TRAINING.classes} classes × ${TRAINING.perClass} points`);
    expect(text).toContain(`H = ${TRAINING.hidden} hidden units`);
    expect(text).toContain(`${TRAINING.steps}, step size decaying linearly from ${TRAINING.learningRate.from} to ${TRAINING.learningRate.to}`);
    expect(text).toContain(`| reg | ${TRAINING.reg.toExponential()}`);
    expect(text).toContain(`≥ ${TRAINING.needed * 100} % training accuracy`);
  });
});

// ------------------------------------------------------------------------------ docs/benchmarks.md
describe("docs/benchmarks.md", () => {
  const report: BenchReport = {
    date: "2026-01-02T03:04:05.000Z",
    command: "npm run bench -- --quick",
    quick: true,
    machine: { cpu: "Some CPU", cores: 2, available: 2, memoryGb: 24, freeGb: 20, os: "Linux 6 x64", node: "v20.0.0", bubblewrap: true },
    load: { before: [0.5, 0.4, 0.3], after: [1.5, 1, 0.5] },
    durationS: 61,
    sections: [
      { title: "A section", text: ["What was measured."], table: { head: ["job", "time"], align: ["l", "r"], rows: [["a | b", "1.00 s"]] }, notes: ["a note"] },
    ],
  };

  it("is rendered with the machine, the Node, the date, the load and every figure, and a quick run says so", () => {
    const page = benchmarksMarkdown(report);
    for (const text of [
      "# Benchmarks",
      "Some CPU, 2 cores (2 available to Node)",
      "24.0 GiB",
      "| Node | v20.0.0 |",
      "2026-01-02T03:04:05.000Z",
      "before 0.5, 0.4, 0.3; after 1.5, 1, 0.5",
      "`npm run bench -- --quick`",
      "## A section",
      "| a \\| b | 1.00 s |",
      "|---|---:|",
      "- a note",
      "**Quick mode**",
    ]) {
      expect(page).toContain(text);
    }
    expect(benchmarksMarkdown({ ...report, quick: false })).not.toContain("Quick mode");
  });

  it("is the page npm run bench wrote, not one typed by hand", () => {
    const page = readFileSync(join(ROOT, "docs", "benchmarks.md"), "utf8");
    expect(page).toMatch(/^# Benchmarks\n\nWritten by `npm run bench`/);
    for (const row of ["| CPU |", "| Node |", "| date |", "| load average (1, 5, 15 min) | before "]) expect(page).toContain(row);
    for (const section of ["## The grader against a plain Jest run", "## The sample class", "## Gradescope"]) expect(page).toContain(section);
  });
});
