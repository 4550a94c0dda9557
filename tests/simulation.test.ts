import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cl } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import { commitment, saltFor, type SimulationChain } from "../src/simulation/chain.ts";
import { chartSpec, renderChartSvg, wrapText } from "../src/simulation/chart.ts";
import { parseCliArgs } from "../src/simulation/cli.ts";
import { formatRealReport, runRealSimulation } from "../src/simulation/real.ts";
import { formatReport } from "../src/simulation/format.ts";
import { Rng } from "../src/simulation/random.ts";
import { DEFAULT_OPTIONS, STRATEGIES, runSimulation, type SimulationReport } from "../src/simulation/simulation.ts";
import { contractId, deployer, expectSolvent, readOnly, runScript, validator1 } from "./helpers.ts";

afterEach(() => expectSolvent());

/** The vitest global simnet (reset before every `it`) as the simulation's chain. */
function chain(): SimulationChain {
  return { simnet, contractId, deployer, accounts: simnet.getAccounts() };
}

/**
 * A small market that still has every strategy: 3 providers (good, mediocre, junk),
 * 4 developers, 10 validators (6 honest, 2 lazy, a colluding pair). 5 trading rounds, then
 * settlement. Deterministic: the assertions below hold for this seed, run after run.
 */
const SMALL = { rounds: 5, providers: 3, validators: 10, developers: 4, seed: 7 };

let shared: Promise<SimulationReport> | undefined;
/** The small simulation, run once on the first test's fresh simnet and shared. */
function smallReport(): Promise<SimulationReport> {
  shared ??= runSimulation({ ...SMALL, chain: chain() });
  return shared;
}

describe("runSimulation: what the strategies earn", () => {
  it("honest validators earn: claimed rewards exceed their penalties", async () => {
    const honest = (await smallReport()).strategies["validator-honest"];
    expect(honest.agents).toBe(6);
    expect(honest.rewardsMicroStx).toBeGreaterThan(0);
    expect(honest.profitMicroStx).toBeGreaterThan(0);
    expect(honest.profitMicroStx).toBe(honest.rewardsMicroStx - honest.penaltiesMicroStx);
  });

  it("lazy validators are penalized more than they earn: they lose", async () => {
    const { strategies } = await smallReport();
    const lazy = strategies["validator-lazy"];
    expect(lazy.agents).toBe(2);
    expect(lazy.penalties).toBeGreaterThan(0);
    expect(lazy.penaltiesMicroStx).toBeGreaterThan(lazy.rewardsMicroStx);
    expect(lazy.profitMicroStx).toBe(lazy.rewardsMicroStx - lazy.penaltiesMicroStx);
    expect(lazy.profitMicroStx).toBeLessThan(0);
    expect(lazy.profitPerAgentStx).toBeLessThan(strategies["validator-honest"].profitPerAgentStx);
  });

  it("junk providers are slashed and lose", async () => {
    const junk = (await smallReport()).strategies["provider-junk"];
    expect(junk.slashes).toBeGreaterThan(0);
    expect(junk.slashedMicroStx).toBeGreaterThan(0);
    expect(junk.profitMicroStx).toBeLessThan(0);
  });

  it("good providers earn and are never slashed", async () => {
    const good = (await smallReport()).strategies["provider-good"];
    expect(good.paymentsMicroStx).toBeGreaterThan(0);
    expect(good.slashes).toBe(0);
    expect(good.profitMicroStx).toBe(good.paymentsMicroStx);
    expect(good.profitMicroStx).toBeGreaterThan(0);
  });

  it("developers pay what providers and validators receive: every loss is in the treasury", async () => {
    const r = await smallReport();
    const profits = STRATEGIES.reduce((sum, s) => sum + r.strategies[s].profitMicroStx, 0);
    expect(r.market.unclaimedRewardsMicroStx).toBe(0);
    expect(profits + r.market.treasuryMicroStx).toBe(0);
    expect(r.strategies.developer.profitMicroStx).toBe(-r.strategies.developer.spentMicroStx);
    expect(r.strategies.developer.spentMicroStx).toBeGreaterThan(0);
  });

  it("the validators' pools hold the fees and the outliers' penalties; silence and the protocol fee go to the treasury", async () => {
    const { market: m, strategies } = await smallReport();
    // every pool was claimed to the last micro-STX: the fees plus the penalties of revealed outliers
    expect(m.validatorRewardsMicroStx).toBe(m.validatorFeesMicroStx + m.validatorPenaltiesMicroStx - m.validatorSilencePenaltiesMicroStx);
    expect(m.validatorSilencePenaltiesMicroStx).toBeGreaterThan(0);
    expect(m.validatorSilencePenaltiesMicroStx).toBeLessThan(m.validatorPenaltiesMicroStx);
    expect(STRATEGIES.reduce((sum, s) => sum + strategies[s].silentPenalties, 0)).toBeGreaterThan(0);
    // 1% of each payment, rounded down: at most 1% of what the developers spent, at most 1 micro-STX short per paid job
    const spent = strategies.developer.spentMicroStx;
    const paidJobs = m.jobsPaid + m.jobsPartiallyPaid;
    expect(m.protocolFeesMicroStx).toBeLessThanOrEqual(Math.floor(spent / 100));
    expect(m.protocolFeesMicroStx).toBeGreaterThan(Math.floor(spent / 100) - paidJobs);
    // the treasury: each job's slash and payment less what the provider and the validators' fees took, plus every silence
    expect(m.treasuryMicroStx).toBe(spent - m.paidToProvidersMicroStx - m.validatorFeesMicroStx + m.slashedMicroStx + m.validatorSilencePenaltiesMicroStx);
  });
});

describe("runSimulation: market figures", () => {
  it("settles every job through the contract, stays solvent, and has no call refused", async () => {
    const { market: m, failedCalls, settlementRounds } = await smallReport();
    expect(failedCalls).toEqual({});
    expect(m.solvent).toBe(true);
    expect(settlementRounds).toBeGreaterThan(0);
    expect(m.jobsMatched).toBeGreaterThan(0);
    expect(m.jobsFinalized).toBe(m.jobsPaid + m.jobsPartiallyPaid + m.jobsSlashed);
    // every bid ended: matched then finalized or refunded, or refunded from the queue
    expect(m.jobsMatched).toBe(m.jobsFinalized + m.matchedJobsRefunded);
    // a slashing median without a committee majority is refunded, not slashed (rare in a run this
    // small; tests/rewards.test.ts and tests/security.test.ts test that path exactly)
    expect(m.matchedJobsNoMajority).toBeLessThanOrEqual(m.matchedJobsRefunded);
    expect(m.bidsPlaced).toBe(m.jobsMatched + m.queuedBidsRefunded);
    expect(m.jobsRefunded).toBe(m.queuedBidsRefunded + m.matchedJobsRefunded);
  });

  it("books slashes and penalties consistently with the per-strategy figures", async () => {
    const { market: m, strategies } = await smallReport();
    const total = (f: (s: (typeof strategies)[keyof typeof strategies]) => number) => STRATEGIES.reduce((sum, s) => sum + f(strategies[s]), 0);
    expect(total((s) => s.slashedMicroStx)).toBe(m.slashedMicroStx);
    expect(total((s) => s.slashes)).toBe(m.jobsSlashed);
    expect(total((s) => s.penaltiesMicroStx)).toBe(m.validatorPenaltiesMicroStx);
    expect(total((s) => s.rewardsMicroStx)).toBe(m.validatorRewardsMicroStx);
    expect(total((s) => s.paymentsMicroStx)).toBe(m.paidToProvidersMicroStx);
    // paid datasets are better on average than slashed ones
    expect(m.meanQualityOfPaidDatasets).not.toBeNull();
    expect(m.meanQualityByOutcome.slashed).not.toBeNull();
    expect(m.meanQualityOfPaidDatasets!).toBeGreaterThan(m.meanQualityByOutcome.slashed!);
  });

  it("records each strategy's cumulative profit per round, ending at its final profit", async () => {
    const r = await smallReport();
    const points = SMALL.rounds + 1 + (r.settlementRounds > 0 ? 1 : 0);
    expect(r.series).toHaveLength(points * STRATEGIES.length);
    for (const s of STRATEGIES) {
      const own = r.series.filter((p) => p.strategy === s);
      expect(own.map((p) => p.round)).toEqual([...Array(points).keys()]);
      expect(own[0].profitMicroStx).toBe(0);
      expect(own[own.length - 1].profitMicroStx).toBe(r.strategies[s].profitMicroStx);
    }
  });

  it("gives the same report for the same seed", async () => {
    const first = await smallReport();
    // a fresh deployment, as the vitest setup does before every test
    await simnet.initSession(process.cwd(), "./Clarinet.toml", null);
    const second = await runSimulation({ ...SMALL, chain: chain() });
    expect(second).toEqual(first);
    expect(formatReport(second)).toBe(formatReport(first));
  });

  it("refuses options it cannot simulate", async () => {
    await expect(runSimulation({ rounds: 0, chain: chain() })).rejects.toThrow("rounds must be an integer >= 1");
    await expect(runSimulation({ seed: -1, chain: chain() })).rejects.toThrow("seed must be an integer");
  });
});

describe("renderChartSvg", () => {
  it("renders an SVG chart with one series per strategy", async () => {
    const report = await smallReport();
    const svg = await renderChartSvg(report);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    for (const s of STRATEGIES) expect(svg).toContain(`>${s}</text>`);
    expect(svg).toContain("Cumulative profit per agent");
    // one line per strategy, drawn from its data
    expect(svg.match(/aria-roledescription="line mark"/g) ?? []).toHaveLength(STRATEGIES.length);
    for (const s of STRATEGIES) expect(svg).toMatch(new RegExp(`<path aria-label="round: 0; STX per agent: 0; strategy: ${s}"`));
  });

  it("plots per-agent profit per round from the report's series", async () => {
    const report = await smallReport();
    const spec = chartSpec(report) as { data: { values: { round: number; strategy: string; profit: number }[] } };
    expect(spec.data.values).toHaveLength(report.series.length);
    const last = spec.data.values.filter((v) => v.strategy === "provider-junk").at(-1);
    expect(last?.profit).toBe(report.strategies["provider-junk"].profitPerAgentStx);
  });
});

/**
 * The report cut to its first `rounds` trading rounds, its settled point (the last) moved to
 * round `rounds` + 1, as a run that short would chart it: a short run's chart without running one.
 */
function cutToRounds(report: SimulationReport, rounds: number): SimulationReport {
  const settled = Math.max(...report.series.map((p) => p.round));
  const series = report.series
    .filter((p) => p.round <= rounds || p.round === settled)
    .map((p) => (p.round === settled ? { ...p, round: rounds + 1 } : p));
  return { ...report, options: { ...report.options, rounds }, series };
}

/** What the rendered chart shows: the image's width, each panel's plot width, the x axis' tick labels. */
function chartGeometry(svg: string): { width: number; plotWidths: number[]; xLabels: string[] } {
  const width = Number(/^<svg[^>]* width="([\d.]+)"/.exec(svg)?.[1]);
  // each panel's frame: the cell's background rectangle, drawn with the grey stroke
  const plotWidths = [...svg.matchAll(/<path class="background" aria-hidden="true" d="M[\d.]+,[\d.]+h([\d.]+)v[\d.]+h-[\d.]+Z" stroke="#ddd"\/>/g)].map((m) => Number(m[1]));
  const xAxis = svg.slice(svg.indexOf('aria-label="X-axis'));
  const labelGroup = xAxis.slice(xAxis.indexOf("role-axis-label")).split("</g>")[0];
  const xLabels = [...labelGroup.matchAll(/>([^<]*)<\/text>/g)].map((m) => m[1]);
  return { width, plotWidths, xLabels };
}

describe("renderChartSvg: layout", () => {
  it("labels the x axis with whole rounds only, from 0 to the settled point, for 1, 2 and 3 rounds and the full run", async () => {
    const report = await smallReport();
    for (const rounds of [1, 2, 3]) {
      const { xLabels } = chartGeometry(await renderChartSvg(cutToRounds(report, rounds)));
      expect(xLabels).toEqual([...Array(rounds + 2).keys()].map(String));
    }
    const { xLabels } = chartGeometry(await renderChartSvg(report));
    expect(xLabels.length).toBeGreaterThan(2);
    for (const label of xLabels) expect(label).toMatch(/^\d+$/);
    // the axis ends at the last point drawn, not at a rounder number after it
    expect(xLabels[0]).toBe("0");
    expect(xLabels.at(-1)).toBe(String(Math.max(...report.series.map((p) => p.round))));
  });

  it("gives each panel's plot at least 85% of the image's width, for a short run and a longer one", async () => {
    const report = await smallReport();
    for (const shown of [cutToRounds(report, 2), report]) {
      const { width, plotWidths } = chartGeometry(await renderChartSvg(shown));
      expect(width).toBeGreaterThan(0);
      expect(plotWidths).toHaveLength(3);
      for (const plotWidth of plotWidths) expect(plotWidth / width).toBeGreaterThanOrEqual(0.85);
    }
  });

  it("wraps the subtitle into lines that each fit the plot's width, as headless vega estimates text", async () => {
    const spec = chartSpec(await smallReport()) as { title: { subtitle: string[] }; spec: { width: number }; config: { title: { subtitleFontSize: number } } };
    expect(spec.title.subtitle.length).toBeGreaterThan(1);
    expect(spec.title.subtitle.join(" ")).toContain(`seed ${SMALL.seed}: ${SMALL.providers} providers`);
    for (const line of spec.title.subtitle) expect(0.8 * line.length * spec.config.title.subtitleFontSize).toBeLessThanOrEqual(spec.spec.width);
  });
});

describe("wrapText", () => {
  it("breaks at spaces into lines of at most the given length, keeping every word", () => {
    expect(wrapText("aa bb cc dd", 5)).toEqual(["aa bb", "cc dd"]);
    expect(wrapText("aa bb cc", 8)).toEqual(["aa bb cc"]);
    expect(wrapText("a verylongword b", 4)).toEqual(["a", "verylongword", "b"]);
    expect(wrapText("", 10)).toEqual([]);
  });
});

describe("commitment", () => {
  it("matches the contract's compute-commitment", () => {
    const salt = saltFor(7, validator1, 3n);
    const expected = readOnly("compute-commitment", [Cl.uint(64), Cl.buffer(salt), Cl.uint(3), Cl.principal(validator1)]);
    expect(Cl.buffer(commitment(64, salt, 3n, validator1))).toStrictEqual(expected);
  });
});

describe("Rng", () => {
  it("is a function of its seed", () => {
    const draws = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 8 }, () => rng.next());
    };
    expect(draws(42)).toEqual(draws(42));
    expect(draws(42)).not.toEqual(draws(43));
    for (const x of draws(1)) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe("parseCliArgs", () => {
  it("defaults to the default configuration and writes no file unless asked (--write: reports/, --out: a folder)", () => {
    const cli = parseCliArgs([]);
    expect(cli.simulation).toEqual(DEFAULT_OPTIONS);
    expect(cli.outDir).toBeNull();
    expect(cli.progress).toBeUndefined();
    expect(parseCliArgs(["--write"]).outDir?.endsWith("reports")).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "ntm-sim-"));
    expect(parseCliArgs(["--out", join(dir, "new")]).outDir).toBe(join(dir, "new"));
    expect(() => parseCliArgs(["--write", "--out", dir])).toThrow("give one of them");
  });

  it("refuses, before any work, what the simulation cannot run with: zero or negative counts, an unwritable --out", () => {
    expect(() => parseCliArgs(["--rounds", "0"])).toThrow("rounds must be an integer >= 1 (got 0)");
    expect(() => parseCliArgs(["--rounds", "-1"])).toThrow(/^--rounds expects a non-negative integer$/);
    expect(() => parseCliArgs(["--validators", "1"])).toThrow("validators must be an integer >= 2 (got 1)");
    const file = join(mkdtempSync(join(tmpdir(), "ntm-sim-")), "a-file");
    writeFileSync(file, "x");
    expect(() => parseCliArgs(["--out", file])).toThrow(/--out .*a-file: cannot write there/);
    expect(() => parseCliArgs(["--out", join(file, "below")])).toThrow(/cannot write there/);
  });

  // Node's recursive mkdir never returns for a path under /proc; the command must fail at once.
  it.skipIf(!existsSync("/proc/self"))("npm run simulate -- --out /proc/…: one line and exit 2, before any work, instead of hanging", async () => {
    const { code, stdout, stderr } = await runScript("src/simulation/index.ts", ["--out", "/proc/ntm-no-such/sim"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual(["simulate: --out /proc/ntm-no-such/sim: cannot write there (ENOENT); see npm run simulate -- --help"]);
  });

  it("reads --rounds, --providers, --validators, --seed and the progress flags", () => {
    const cli = parseCliArgs(["--rounds", "3", "--providers", "4", "--validators", "7", "--seed", "9", "--no-progress"]);
    expect(cli.simulation).toMatchObject({ rounds: 3, providers: 4, validators: 7, seed: 9 });
    expect(cli.progress).toBe(false);
    expect(parseCliArgs(["--progress"]).progress).toBe(true);
  });

  it("--real takes --rounds (1..20, default 4) and --seed, and refuses the cast options", () => {
    expect(parseCliArgs([]).real).toBeNull();
    expect(parseCliArgs(["--real"]).real).toEqual({ rounds: 4, seed: 42 });
    expect(parseCliArgs(["--real", "--rounds", "2", "--seed", "5"]).real).toEqual({ rounds: 2, seed: 5 });
    expect(() => parseCliArgs(["--real", "--providers", "3"])).toThrow("--providers does not apply to --real");
    expect(() => parseCliArgs(["--real", "--rounds", "21"])).toThrow("--rounds with --real must be 1..20, got 21");
  });

  it("rejects unknown flags and non-numeric values", () => {
    expect(() => parseCliArgs(["--round", "3"])).toThrow();
    expect(() => parseCliArgs(["--seed", "abc"])).toThrow('--seed expects a non-negative integer, got "abc"');
  });
});

describe("runRealSimulation (real models)", () => {
  it("one round: the good provider is rewarded, the mediocre one paid pro rata; honest validators gain; solvent", async () => {
    const report = await runRealSimulation({ rounds: 1, seed: 42 });
    expect(report.jobs.map((j) => [j.provider, j.outcome])).toEqual([
      ["good", "REWARDED"],
      ["mediocre", "PARTIAL"],
    ]);
    expect(report.byStrategy["provider-good"]).toBeGreaterThan(report.byStrategy["provider-mediocre"]);
    expect(report.byStrategy["provider-good"]).toBeGreaterThan(0);
    expect(report.byStrategy["validator-honest"]).toBeGreaterThan(0);
    expect(report.solvent).toBe(true);
    expect(formatRealReport(report)).toContain("| provider-good | +");
  }, 300_000);
});
