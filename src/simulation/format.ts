/** Plain-text summary of a simulation report (deterministic: no clock, no paths). */
import { STRATEGIES, type SimulationReport } from "./simulation.ts";

/** micro-STX as "1.234567 STX (1,234,567 micro-STX)". */
export function stx(micro: number): string {
  const sign = micro < 0 ? "-" : "";
  const abs = Math.abs(micro);
  const whole = Math.floor(abs / 1_000_000);
  const frac = String(abs % 1_000_000).padStart(6, "0");
  return `${sign}${whole.toLocaleString("en-US")}.${frac} STX (${sign}${abs.toLocaleString("en-US")} micro-STX)`;
}

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const fixed = (micro: number) => (micro / 1_000_000).toFixed(6);

export function formatReport(report: SimulationReport): string {
  const { options: o, market: m } = report;
  const lines: string[] = [];
  lines.push(
    `Simulation: seed ${o.seed}, ${o.rounds} trading rounds + ${report.settlementRounds} settlement rounds of ${o.blocksPerRound} Bitcoin blocks ` +
      `(burn height ${report.startBurnHeight} -> ${report.endBurnHeight})`,
  );
  lines.push(`Agents: ${o.providers} providers, ${o.developers} developers, ${o.validators} validators`);
  lines.push("");
  lines.push("Profit and loss by strategy (net worth change: wallet + stake and escrow in the contract), STX");
  lines.push(
    `${pad("strategy", 20)}${lpad("agents", 7)}${lpad("total", 15)}${lpad("per agent", 13)}${lpad("slashes", 9)}${lpad("slashed", 13)}` +
      `${lpad("penalties", 10)}${lpad("silent", 7)}${lpad("penalized", 12)}${lpad("rewards", 12)}`,
  );
  for (const s of STRATEGIES) {
    const r = report.strategies[s];
    if (r.agents === 0) continue;
    lines.push(
      `${pad(s, 20)}${lpad(String(r.agents), 7)}${lpad(fixed(r.profitMicroStx), 15)}${lpad(r.profitPerAgentStx.toFixed(6), 13)}` +
        `${lpad(String(r.slashes), 9)}${lpad(fixed(r.slashedMicroStx), 13)}${lpad(String(r.penalties), 10)}${lpad(String(r.silentPenalties), 7)}` +
        `${lpad(fixed(r.penaltiesMicroStx), 12)}${lpad(fixed(r.rewardsMicroStx), 12)}`,
    );
  }
  lines.push("");
  lines.push("Market");
  const q = (x: number | null) => (x === null ? "n/a" : x.toFixed(2));
  lines.push(`  bids placed ${m.bidsPlaced}, jobs matched ${m.jobsMatched}, finalized ${m.jobsFinalized}`);
  lines.push(`  paid in full ${m.jobsPaid}, partially paid ${m.jobsPartiallyPaid}, slashed ${m.jobsSlashed}`);
  lines.push(
    `  refunded ${m.jobsRefunded} (${m.queuedBidsRefunded} queued bids past their deadline, ${m.matchedJobsRefunded} matched jobs without a result: ` +
      `${m.matchedJobsRefunded - m.matchedJobsNoMajority} too few reveals, ${m.matchedJobsNoMajority} a slashing median without a committee majority)`,
  );
  lines.push(
    `  mean true quality of paid datasets ${q(m.meanQualityOfPaidDatasets)} (payment-weighted ${q(m.paymentWeightedQuality)}); ` +
      `by outcome: paid ${q(m.meanQualityByOutcome.paid)}, partial ${q(m.meanQualityByOutcome.partiallyPaid)}, slashed ${q(m.meanQualityByOutcome.slashed)}`,
  );
  lines.push(
    `  junk-dataset jobs that paid the provider: ${m.junkJobsPaid}; the colluders' partner: ${m.partnerJobsPaid} of ${m.partnerJobsFinalized} finalized jobs paid`,
  );
  lines.push(`  paid to providers ${stx(m.paidToProvidersMicroStx)}`);
  lines.push(`  validator fees ${stx(m.validatorFeesMicroStx)}, protocol fees to the treasury ${stx(m.protocolFeesMicroStx)}`);
  lines.push(`  slashed from datasets ${stx(m.slashedMicroStx)}`);
  lines.push(
    `  validator penalties ${stx(m.validatorPenaltiesMicroStx)} (silent seats, to the treasury: ${stx(m.validatorSilencePenaltiesMicroStx)}), ` +
      `rewards claimed ${stx(m.validatorRewardsMicroStx)}`,
  );
  lines.push(`  treasury ${stx(m.treasuryMicroStx)}; contract solvent: ${m.solvent ? "yes" : "NO"}`);
  const failed = Object.entries(report.failedCalls);
  lines.push(failed.length ? `  refused calls: ${failed.map(([k, n]) => `${k} x${n}`).join(", ")}` : "  refused calls: none");
  return lines.join("\n");
}
