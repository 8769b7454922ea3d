/**
 * The class report's charts, as inline SVG drawn at report time by Vega-Lite
 * (https://vega.github.io/vega-lite/): each spec is compiled to a Vega spec, run in a headless
 * Vega View (renderer "none": no canvas, no browser, no DOM) and serialized with View.toSVG().
 * The SVG needs nothing at view time: no script, no font, no network. Vega escapes the text it
 * writes (labels, aria-labels), and the labels here are export names from the manifest.
 */
import { View, parse } from "vega";
import { type TopLevelSpec, compile } from "vega-lite";
import { type ClassSummary, share } from "./class-summary";
import type { Visibility } from "../result-model";

/** The look every chart shares: the page's font, no frame around the plot, no background. */
const CONFIG: TopLevelSpec["config"] = {
  font: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  background: null as unknown as string,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal", titleColor: "#555", gridColor: "#eee", domainColor: "#999", tickColor: "#999" },
    // Vega measures text without a canvas by estimate; a generous limit keeps labels whole.
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: "normal", orient: "top", labelLimit: 400 },
};

const BLUE = "#4c78a8";

export const VISIBILITY_LABEL: Record<Visibility, string> = {
  visible: "visible (self-check)",
  hidden: "hidden",
  after_due_date: "after the due date",
  after_published: "after grades are published",
};
const VISIBILITY_COLOR: Record<Visibility, string> = { visible: BLUE, hidden: "#e45756", after_due_date: "#f58518", after_published: "#b279a2" };

/** The bar charts' shared channels: one band per export in the manifest's order; a rate from 0 to 100 %. */
const EXPORT_BANDS = { field: "export", type: "nominal" as const, sort: null, title: null };
const rateAxis = (title: string) => ({ field: "rate", type: "quantitative" as const, scale: { domain: [0, 1] }, axis: { format: "%" }, title });

/** A Vega-Lite spec as an SVG document (a string starting with <svg). */
async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile({ ...spec, config: { ...CONFIG, ...spec.config } }).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The score bins, in % of the maximum: 0–9, 10–19 … 90–99, and 100 (full marks) on its own. */
export function scoreBins(students: { score: number; maxScore: number }[]): { bin: string; students: number }[] {
  const bins = Array.from({ length: 11 }, (_, i) => ({ bin: i === 10 ? "100" : `${i * 10}–${i * 10 + 9}`, students: 0 }));
  for (const s of students) {
    // Rounded first, so that 0.3/0.3 or 99.99999999 lands where a person would put it.
    const percent = s.maxScore > 0 ? Math.round((s.score / s.maxScore) * 100 * 1e6) / 1e6 : 0;
    bins[Math.max(0, Math.min(10, Math.floor(percent / 10)))].students += 1;
  }
  return bins;
}

function histogramSpec(summary: ClassSummary): TopLevelSpec {
  const bins = scoreBins(summary.students);
  return {
    description: "How many students scored in each range of the maximum score",
    data: { values: bins },
    width: 420,
    height: 200,
    encoding: {
      x: { field: "bin", type: "ordinal", sort: bins.map((b) => b.bin), title: "score, % of the maximum", axis: { labelAngle: 0 } },
      y: { field: "students", type: "quantitative", title: "students", axis: { tickMinStep: 1, format: "d" } },
    },
    layer: [
      { mark: { type: "bar", color: BLUE } },
      { mark: { type: "text", dy: -6, fontSize: 11 }, encoding: { text: { field: "students", type: "quantitative" } }, transform: [{ filter: "datum.students > 0" }] },
    ],
  };
}

function exportsSpec(summary: ClassSummary): TopLevelSpec {
  const values = summary.exports.map((e) => ({ export: e.export, rate: share(e.passedAll, e.students), label: `${e.passedAll}/${e.students}` }));
  return {
    description: "The share of students who passed every test of each export",
    data: { values },
    width: 360,
    height: { step: 20 },
    encoding: {
      y: EXPORT_BANDS,
      x: rateAxis("students who passed all its tests"),
    },
    layer: [
      { mark: { type: "bar", color: BLUE } },
      { mark: { type: "text", align: "left", dx: 4, fontSize: 11 }, encoding: { text: { field: "label", type: "nominal" } } },
    ],
  };
}

function visibilitySpec(summary: ClassSummary): TopLevelSpec {
  const shown = (Object.keys(VISIBILITY_LABEL) as Visibility[]).filter((v) => summary.visibility.some((s) => s.visibility === v));
  const values = summary.visibility.map((s) => ({ export: s.export, visibility: VISIBILITY_LABEL[s.visibility], rate: share(s.passed, s.runs) }));
  return {
    description: "The share of test runs passed, per export, for the tests students can see against those they cannot",
    data: { values },
    width: 360,
    height: { step: 12 },
    encoding: {
      y: EXPORT_BANDS,
      yOffset: { field: "visibility", type: "nominal", sort: shown.map((v) => VISIBILITY_LABEL[v]) },
      x: rateAxis("tests passed"),
      color: {
        field: "visibility",
        type: "nominal",
        title: "tests",
        legend: { direction: "vertical" },
        scale: { domain: shown.map((v) => VISIBILITY_LABEL[v]), range: shown.map((v) => VISIBILITY_COLOR[v]) },
      },
    },
    mark: "bar",
  };
}

export interface ReportCharts {
  histogram: string;
  exports: string;
  visibility: string;
}

export async function reportCharts(summary: ClassSummary): Promise<ReportCharts> {
  const [histogram, exports, visibility] = await Promise.all([histogramSpec, exportsSpec, visibilitySpec].map((spec) => chartSvg(spec(summary))));
  return { histogram, exports, visibility };
}
