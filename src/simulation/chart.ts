/**
 * The simulation's chart: cumulative profit per agent of each strategy over the rounds,
 * one panel per role (their scales differ by orders of magnitude). A Vega-Lite spec,
 * compiled by vega-lite and rendered to SVG by a headless vega View (renderer "none").
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

/** The Vega-Lite spec of the chart, with the report's series inlined. */
export function chartSpec(report: SimulationReport): TopLevelSpec {
  const present = STRATEGIES.filter((s) => report.strategies[s].agents > 0);
  const values = report.series
    .filter((p) => present.includes(p.strategy))
    .map((p) => ({ round: p.round, strategy: p.strategy, role: `${roleOf(p.strategy)}s`, profit: p.profitPerAgentStx }));
  const { rounds, seed, providers, validators, developers } = report.options;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Cumulative profit per agent, by strategy (STX, net worth change)",
      subtitle: `seed ${seed}: ${providers} providers, ${developers} developers, ${validators} validators; ${rounds} trading rounds, then all open jobs settled (last point, after the dashed line)`,
    },
    data: { values },
    facet: {
      row: { field: "role", type: "nominal", sort: ["providers", "developers", "validators"], title: null, header: { labelFontSize: 13 } },
    },
    spec: {
      width: 560,
      height: 170,
      layer: [
        { mark: { type: "rule", color: "#999" }, encoding: { y: { datum: 0 } } },
        { mark: { type: "rule", color: "#999", strokeDash: [4, 4] }, encoding: { x: { datum: rounds } } },
        {
          mark: { type: "line", strokeWidth: 2 },
          encoding: {
            x: { field: "round", type: "quantitative", title: "round" },
            y: { field: "profit", type: "quantitative", title: "STX per agent" },
            color: {
              field: "strategy",
              type: "nominal",
              title: "strategy",
              scale: { domain: present, range: present.map((s) => COLORS[s]) },
            },
          },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
    config: { font: "sans-serif" },
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
