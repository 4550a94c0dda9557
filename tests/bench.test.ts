/**
 * The cost benchmark's O(1) claim, checked fast in the suite: the same scenario as `npm run bench`
 * (bench/scenario.ts) in a market of 1 and of 50 background datasets, bids and validators, and every
 * call must cost exactly the same (no timing involved: costs are the Clarity VM's cost counters).
 *
 * Costs are only reported by a simnet started with cost tracking. The global `simnet` has it only
 * under `vitest run -- --costs` (`npm run test:report`); the SDK has no switch to turn it on later,
 * so otherwise this file starts its own cost-tracking simnet from the same Clarinet.toml.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getSDK, type Simnet } from "@stacks/clarinet-sdk";
import { CONTRACT_NAME } from "../src/simnet.ts";
import { DIMENSIONS, Market, ROWS, runScenario, type ScenarioResult } from "../bench/scenario.ts";

const SMALL = 1;
const LARGE = 50;

/** Rows whose cost must be identical: no probing or randomness in their path. */
const IDENTICAL = [
  "register-dataset",
  "register-dataset-with-terms",
  "retire-dataset",
  "decline-job",
  "sweep-surplus",
  "place-computation-bid",
  "place-computation-bid (queued)",
  "commit-validation-result",
  "reveal-validation-result (not last)",
  "reveal-validation-result (finalizing)",
  "submit-validation-result",
  "finalize-validation",
  "claim-validation-reward",
  "claim-validation-reward (1 seat)",
];

/** The global simnet when it reports costs, otherwise a dedicated one that does. */
async function costTrackingSimnet(): Promise<Simnet> {
  const deployer = simnet.getAccounts().get("deployer")!;
  const probe = simnet.callReadOnlyFn(`${deployer}.${CONTRACT_NAME}`, "get-contract-owner", [], deployer);
  if (probe.costs) return simnet;
  return getSDK({ trackCosts: true, trackCoverage: false });
}

async function measure(sim: Simnet, n: number): Promise<ScenarioResult> {
  await sim.initSession(process.cwd(), "./Clarinet.toml", null); // a fresh chain for each market
  const deployer = sim.getAccounts().get("deployer")!;
  return runScenario(new Market(sim, `${deployer}.${CONTRACT_NAME}`), n);
}

describe(`costs in a market of ${SMALL} and of ${LARGE} datasets, bids and validators`, () => {
  let small: ScenarioResult;
  let large: ScenarioResult;

  beforeAll(async () => {
    const sim = await costTrackingSimnet();
    small = await measure(sim, SMALL);
    large = await measure(sim, LARGE);
  }, 120_000);

  it("builds the two markets for real", () => {
    // five committee validators of the cast plus the background validators
    expect(small.background.activeValidators).toBe(SMALL + 5);
    expect(large.background.activeValidators).toBe(LARGE + 5);
    for (const row of ROWS) {
      expect(small.costs.get(row.key)?.readCount, row.key).toBeGreaterThan(small.load.readCount);
      expect(large.costs.get(row.key)?.readCount, row.key).toBeGreaterThan(large.load.readCount);
    }
  });

  it.each(IDENTICAL)("%s costs exactly the same", (key) => {
    expect(large.costs.get(key)).toEqual(small.costs.get(key));
  });

  it("the whole job lifecycles cost exactly the same", () => {
    expect(large.lifecycles["one-seat job (README path)"]).toEqual(small.lifecycles["one-seat job (README path)"]);
    // the 5-seat lifecycle includes the committee draw, whose probing depends on the seats drawn
    const before = small.lifecycles["5-seat job (commit-reveal)"];
    const after = large.lifecycles["5-seat job (commit-reveal)"];
    for (const d of DIMENSIONS) expect(after[d], d).toBeLessThanOrEqual(before[d] * 1.01);
  });

  it("no public function costs more than 1% more in any dimension", () => {
    for (const row of ROWS) {
      const before = small.costs.get(row.key)!;
      const after = large.costs.get(row.key)!;
      for (const d of DIMENSIONS) expect(after[d], `${row.key} ${d}`).toBeLessThanOrEqual(before[d] * 1.01);
    }
  });
});
