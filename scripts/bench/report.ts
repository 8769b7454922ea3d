/**
 * docs/benchmarks.md as data, then as Markdown: what `npm run bench` measured, with the machine,
 * the Node, the date and the load around it. It is the one page of the docs that holds measured
 * figures; every other page links to it, so a figure is never typed by hand and never older than
 * the last run of the command. Kept apart from scripts/bench.ts (which runs the measurements) so
 * the page's shape can be checked without measuring anything.
 */
import { cpus, freemem, loadavg, release, totalmem, type as osType, arch, availableParallelism } from "node:os";

export interface Machine {
  cpu: string;
  cores: number;
  available: number;
  memoryGb: number;
  freeGb: number;
  os: string;
  node: string;
  bubblewrap: boolean;
}

interface Table {
  head: string[];
  /** "r" right-aligns a column of numbers. */
  align?: ("l" | "r")[];
  rows: string[][];
}

export interface Section {
  title: string;
  /** Paragraphs before the table: what was measured, and how. */
  text: string[];
  table?: Table;
  /** Bullets after the table. */
  notes?: string[];
}

export interface BenchReport {
  /** When the run started (ISO 8601, UTC). */
  date: string;
  /** The command as typed (npm run bench -- …). */
  command: string;
  /** A short run to try the command: its figures are not representative. */
  quick: boolean;
  machine: Machine;
  /** Load average (1, 5, 15 min) before the first and after the last measurement. */
  load: { before: number[]; after: number[] };
  durationS: number;
  sections: Section[];
}

export function thisMachine(bubblewrap: boolean): Machine {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: c.length,
    available: availableParallelism(),
    memoryGb: totalmem() / 2 ** 30,
    freeGb: freemem() / 2 ** 30,
    os: `${osType()} ${release()} ${arch()}`,
    node: process.version,
    bubblewrap,
  };
}

export const loadNow = () => loadavg().map((x) => Math.round(x * 100) / 100);

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function table(t: Table): string[] {
  const align = t.head.map((_, k) => (t.align?.[k] === "r" ? "---:" : "---"));
  return [`| ${t.head.map(cell).join(" | ")} |`, `|${align.join("|")}|`, ...t.rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

/** The page. */
export function benchmarksMarkdown(r: BenchReport): string {
  const m = r.machine;
  const lines: string[] = [
    "# Benchmarks",
    "",
    `Written by \`npm run bench\` (\`scripts/bench.ts\`) on ${r.date.slice(0, 10)}; do not edit by hand: run the`,
    "command again to replace it. Every other page of the docs links here instead of quoting a figure.",
    "The machine may have been shared: read each figure with the load average shown beside it.",
    "",
  ];
  if (r.quick) {
    lines.push(
      "> **Quick mode** (`--quick`): few submissions and one round, to try the command. These figures are",
      "> not representative; run `npm run bench` without `--quick` for the real ones.",
      "",
    );
  }
  lines.push(
    "## The machine",
    "",
    ...table({
      head: ["what", "measured or read"],
      rows: [
        ["CPU", `${m.cpu}, ${m.cores} cores (${m.available} available to Node)`],
        ["memory", `${m.memoryGb.toFixed(1)} GiB (${m.freeGb.toFixed(1)} GiB free at the start)`],
        ["system", m.os],
        ["Node", m.node],
        ["bubblewrap", m.bubblewrap ? "on" : "off (the sandbox's permission model and wall-off only)"],
        ["date", r.date],
        ["command", `\`${r.command}\``],
        ["load average (1, 5, 15 min)", `before ${r.load.before.join(", ")}; after ${r.load.after.join(", ")}`],
        ["duration of the run", `${r.durationS.toFixed(0)} s`],
      ],
    }),
    "",
  );
  for (const s of r.sections) {
    lines.push(`## ${s.title}`, "");
    for (const p of s.text) lines.push(p, "");
    if (s.table) lines.push(...table(s.table), "");
    if (s.notes && s.notes.length > 0) lines.push(...s.notes.map((n) => `- ${n}`), "");
  }
  return `${lines.join("\n").replace(/\n+$/, "")}\n`;
}
