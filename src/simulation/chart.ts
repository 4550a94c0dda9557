/**
 * The simulation's chart: cumulative profit per agent of each strategy over the rounds,
 * one panel per role (their scales differ by orders of magnitude). A Vega-Lite spec,
 * compiled by vega-lite and rendered to SVG by a headless vega View (renderer "none").
 *
 * Headless, vega has no canvas to measure text: it estimates every string at 0.8 em per
 * character (about 1.5 times real sans-serif) and sizes the SVG to those estimates. A text
 * wider than the plot therefore widens the whole image with blank space, so the layout keeps
 * every text within the plot's width: the subtitle is wrapped to it, and the legend sits above
 * the panels in rows rather than in a column beside them.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { STRATEGIES, roleOf, type SimulationReport } from "./simulation.ts";

const COLORS: Record<(typeof STRATEGIES)[number], string> = {
  "provider-good": "#2ca02c",
  "provider-mediocre": "#bcbd22",
  "provider-junk": "#d62728",
  developer: "#1f77b4",
  "validator-honest": "#17becf",
  "validator-lazy": "#ff7f0e",
  "validator-colluding": "#9467bd",
};

/** Width of each panel's plot area, in pixels. */
const PLOT_WIDTH = 680;
const PLOT_HEIGHT = 170;
const SUBTITLE_FONT_SIZE = 12;
/** Vega's text width estimate without a canvas, per character, in em (vega-scenegraph's estimateWidth). */
const ESTIMATED_EM_PER_CHAR = 0.8;
/**
 * Legend entries per row: four puts the providers and the developer on the first row and the
 * validators on the second, and keeps the legend's estimated width within the plot's.
 */
const LEGEND_COLUMNS = 4;

/**
 * Splits `text` at spaces into lines of at most `maxChars` characters (a longer word keeps a
 * line of its own).
 */
export function wrapText(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The Vega-Lite spec of the chart, with the report's series inlined. */
export function chartSpec(report: SimulationReport): TopLevelSpec {
  const present = STRATEGIES.filter((s) => report.strategies[s].agents > 0);
  const values = report.series
    .filter((p) => present.includes(p.strategy))
    .map((p) => ({ round: p.round, strategy: p.strategy, role: `${roleOf(p.strategy)}s`, profit: p.profitPerAgentStx }));
  const { rounds, seed, providers, validators, developers } = report.options;
  // the x axis spans exactly the rounds drawn (the settled point is rounds + 1): a "nice" domain
  // would leave an empty stretch after the last point (to 45 for 41 rounds)
  const lastRound = values.reduce((last, v) => Math.max(last, v.round), rounds);
  const subtitle = `seed ${seed}: ${providers} providers, ${developers} developers, ${validators} validators; ${rounds} trading round${rounds === 1 ? "" : "s"}, then all open jobs settled (last point, after the dashed line)`;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Cumulative profit per agent, by strategy (STX, net worth change)",
      subtitle: wrapText(subtitle, Math.floor(PLOT_WIDTH / (ESTIMATED_EM_PER_CHAR * SUBTITLE_FONT_SIZE))),
      anchor: "start",
    },
    data: { values },
    facet: {
      row: { field: "role", type: "nominal", sort: ["providers", "developers", "validators"], title: null, header: { labelFontSize: 13 } },
    },
    spec: {
      width: PLOT_WIDTH,
      height: PLOT_HEIGHT,
      layer: [
        { mark: { type: "rule", color: "#999" }, encoding: { y: { datum: 0 } } },
        { mark: { type: "rule", color: "#999", strokeDash: [4, 4] }, encoding: { x: { datum: rounds } } },
        {
          mark: { type: "line", strokeWidth: 2 },
          encoding: {
            x: {
              field: "round",
              type: "quantitative",
              title: "round",
              scale: { domain: [0, lastRound], nice: false },
              // rounds are whole: no 0.5 ticks on a run of 1 to 3 rounds
              axis: { tickMinStep: 1, format: "d" },
            },
            y: { field: "profit", type: "quantitative", title: "STX per agent" },
            color: {
              field: "strategy",
              type: "nominal",
              title: "strategy",
              scale: { domain: present, range: present.map((s) => COLORS[s]) },
              legend: { orient: "top", direction: "horizontal", columns: LEGEND_COLUMNS, title: null, offset: 8 },
            },
          },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
    config: { font: "sans-serif", title: { subtitleFontSize: SUBTITLE_FONT_SIZE } },
  };
}

/** Renders the chart to an SVG string, headless (no canvas, no browser). */
export async function renderChartSvg(report: SimulationReport): Promise<string> {
  const compiled = compile(chartSpec(report)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
