/**
 * The class's gradebook: gradebook.csv (columns student,score,max_score, then the points earned
 * on each export) and the same data as an aligned table for the terminal. One row per student,
 * sorted by student id (by UTF-16 code units, so the order does not depend on the locale).
 * Student ids are folder names: csv-stringify quotes commas, quotes and newlines. The rows and
 * columns are exported for the class report (report.ts), so both add up points the same way.
 */
import { stringify } from "csv-stringify/sync";
import { cleanText, formatPoints } from "./prose";
import type { SubmissionResult } from "../result-model";

export interface Row {
  student: string;
  score: number;
  maxScore: number;
  /** Points earned and available on each column's export. */
  parts: { earned: number; points: number }[];
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The export columns: the given order, then any export a test names that the list lacks. */
export function columnsOf(results: SubmissionResult[], exportsInOrder: string[]): string[] {
  const columns = [...exportsInOrder];
  for (const r of results) for (const t of r.tests) if (!columns.includes(t.test.export)) columns.push(t.test.export);
  return columns;
}

export function rowsOf(results: SubmissionResult[], columns: string[]): Row[] {
  return [...results]
    .sort((a, b) => byCodeUnits(a.student, b.student))
    .map((r) => ({
      student: r.student,
      // The same totals as results.json: the sums over the tests.
      score: r.tests.reduce((a, t) => a + t.score, 0),
      maxScore: r.tests.reduce((a, t) => a + t.test.points, 0),
      parts: columns.map((ex) => {
        const tests = r.tests.filter((t) => t.test.export === ex);
        return { earned: tests.reduce((a, t) => a + t.score, 0), points: tests.reduce((a, t) => a + t.test.points, 0) };
      }),
    }));
}

export function toGradebookCsv(results: SubmissionResult[], exportsInOrder: string[]): string {
  const columns = columnsOf(results, exportsInOrder);
  const rows = rowsOf(results, columns).map((row) => [
    row.student,
    formatPoints(row.score),
    formatPoints(row.maxScore),
    ...row.parts.map((p) => formatPoints(p.earned)),
  ]);
  return stringify([["student", "score", "max_score", ...columns], ...rows]);
}

export function gradebookTable(results: SubmissionResult[], exportsInOrder: string[]): string {
  const columns = columnsOf(results, exportsInOrder);
  const header = ["student", "score", ...columns];
  const body = rowsOf(results, columns).map((row) => [
    // Folder names may hold anything; nothing in them may drive the terminal.
    cleanText(row.student).replace(/[\n\t]/g, " "),
    `${formatPoints(row.score)}/${formatPoints(row.maxScore)}`,
    ...row.parts.map((p) => `${formatPoints(p.earned)}/${formatPoints(p.points)}`),
  ]);
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((cells) => cells[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join("  ")
      .trimEnd();
  return [line(header), ...body.map(line)].join("\n") + "\n";
}
