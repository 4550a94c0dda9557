/**
 * The cost benchmark's O(1) claim, checked fast in the suite: the same scenario as `npm run bench`
 * (bench/scenario.ts) in a market of 1 and of 50 background datasets, bids and validators, and every
 * call must cost exactly the same (no timing involved: costs are the Clarity VM's cost counters).
 *
 * Costs are only reported by a simnet started with cost tracking. The global `simnet` has it only
 * under `vitest run -- --costs` (`npm run test:report`); the SDK has no switch to turn it on later,
 * so otherwise this file starts its own cost-tracking simnet from the same Clarinet.toml.
 *
 * Also: bench/floor.clar is in step with the contract (same record types, every row's floor call
 * replays), and `npm run bench` refuses a bad argument in one line before doing any work.
 */
import { statSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { getSDK, type Simnet } from "@stacks/clarinet-sdk";
import { CONTRACT_NAME } from "../src/simnet.ts";
import { runScript } from "./helpers.ts";
import {
  BATCH_JOBS,
  BATCH_ROWS,
  DIMENSIONS,
  LIFECYCLES,
  Market,
  ROWS,
  VERIFIED_LIFECYCLES,
  VERIFIED_ROWS,
  deployFloor,
  floorRecordMismatches,
  measureFloor,
  runScenario,
  type Cost,
  type LifecycleName,
  type ScenarioResult,
} from "../bench/scenario.ts";

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
  // verified jobs: delivery, the sealed evaluation set, their endings and votes
  ...VERIFIED_ROWS,
  // one validator's batches of 20 one-seat jobs
  ...BATCH_ROWS,
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

/** A lifecycle of a run, which must have been measured. */
function lifecycle(result: ScenarioResult, name: LifecycleName): Cost {
  const c = result.lifecycles[name];
  expect(c, `lifecycle ${name} measured`).toBeDefined();
  return c!;
}

describe(`costs in a market of ${SMALL} and of ${LARGE} datasets, bids and validators`, () => {
  let small: ScenarioResult;
  let large: ScenarioResult;

  let floor: { mismatches: string[]; costs: Map<string, Cost> };

  beforeAll(async () => {
    const sim = await costTrackingSimnet();
    small = await measure(sim, SMALL);
    // the floor replayed in the small market's simnet, as `npm run bench` does
    const deployer = sim.getAccounts().get("deployer")!;
    const floorId = deployFloor(sim);
    floor = { mismatches: floorRecordMismatches(sim, `${deployer}.${CONTRACT_NAME}`, floorId), costs: measureFloor(sim, floorId, small.calls).costs };
    large = await measure(sim, LARGE);
  }, 300_000);

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
    expect(small.costs.get(key), `${key} measured`).toBeDefined();
    expect(large.costs.get(key)).toEqual(small.costs.get(key));
  });

  it("the whole job lifecycles cost exactly the same", () => {
    expect(lifecycle(large, "one-seat job (README path)")).toEqual(lifecycle(small, "one-seat job (README path)"));
    // the 5-seat lifecycles include the committee draw, whose probing depends on the seats drawn
    for (const name of ["5-seat job (commit-reveal)", "verified one-seat job", "verified 5-seat job (commit-reveal)"] as const) {
      const before = lifecycle(small, name);
      const after = lifecycle(large, name);
      for (const d of DIMENSIONS) expect(after[d], `${name} ${d}`).toBeLessThanOrEqual(before[d] * 1.01);
    }
  });

  it("measures every verified-job row and lifecycle", () => {
    for (const key of VERIFIED_ROWS) expect(ROWS.some((r) => r.key === key), key).toBe(true);
    for (const name of VERIFIED_LIFECYCLES) expect(LIFECYCLES[name]).toContain("place-training-bid + deliver-model + reveal-evaluation-set");
    const cost = (key: string) => small.costs.get(key)!;
    // a verified bid writes its delivery record (spec, evaluation-set commitment) beside the bid
    expect(cost("place-training-bid").writeCount).toBe(cost("place-computation-bid").writeCount + 1);
    // a verified job's lifecycle is the plain one plus the delivery and the reveal of the evaluation set, at least
    for (const [plain, verified] of [
      ["one-seat job (README path)", "verified one-seat job"],
      ["5-seat job (commit-reveal)", "verified 5-seat job (commit-reveal)"],
    ] as const) {
      const extra = cost("deliver-model").readCount + cost("reveal-evaluation-set").readCount;
      expect(lifecycle(small, verified).readCount, verified).toBeGreaterThanOrEqual(lifecycle(small, plain).readCount + extra);
    }
  });

  it("measures the batch calls: 20 jobs a call, each job cheaper than a call of its own", () => {
    for (const key of BATCH_ROWS) expect(ROWS.some((r) => r.key === key && r.fn === key), key).toBe(true);
    const cost = (key: string) => small.costs.get(key)!;
    // one contract load and one caller check for all 20 entries, instead of one per call
    for (const [batch, single] of [
      ["commit-validation-results", "commit-validation-result"],
      ["claim-validation-rewards", "claim-validation-reward (1 seat)"],
    ] as const) {
      for (const d of ["runtime", "readCount", "readLength"] as const) {
        expect(cost(batch)[d] / BATCH_JOBS, `${batch} ${d} per job`).toBeLessThan(cost(single)[d]);
      }
    }
    // every entry of the reveal batch finalized its job: it wrote at least each job's result, bid and dataset
    expect(cost("reveal-validation-results").writeCount).toBeGreaterThanOrEqual(3 * BATCH_JOBS);
  });

  it("bench/floor.clar has the contract's record types and replays every row", () => {
    expect(floor.mismatches).toEqual([]);
    for (const row of ROWS) {
      const c = floor.costs.get(row.key);
      expect(c, `${row.key}: floor ${row.floorFn}`).toBeDefined();
      // the floor does at least its one write, and never more work than the market
      expect(c!.writeCount, row.key).toBeGreaterThanOrEqual(1);
      expect(c!.writeCount, row.key).toBeLessThanOrEqual(small.costs.get(row.key)!.writeCount);
    }
  });

  it("no public function costs more than 1% more in any dimension", () => {
    for (const row of ROWS) {
      const before = small.costs.get(row.key)!;
      const after = large.costs.get(row.key)!;
      for (const d of DIMENSIONS) expect(after[d], `${row.key} ${d}`).toBeLessThanOrEqual(before[d] * 1.01);
    }
  });
});

describe("npm run bench: a bad argument is refused in one line, before any work", () => {
  const results = new URL("../bench/results.md", import.meta.url);
  const run = (args: string[]) => runScript("bench/index.ts", args);

  it.each([
    [["--bogus"], /unknown argument "--bogus"/],
    [["--sizes", "1"], /--sizes needs at least two market sizes/],
    [["--sizes", "1,x"], /--sizes must be an integer/],
    [["--ml-epochs", "0"], /--ml-epochs must be an integer from 1/],
    [["--ml-scales"], /--ml-scales needs a comma-separated list/],
    [["--variant", "no-such-file.clar"], /--variant: no file/],
  ])("%j", async (args, message) => {
    const mtime = statSync(results).mtimeMs;
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    const lines = stderr.split("\n").filter((l) => l.trim() !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[bench\] /);
    expect(lines[0]).toMatch(message);
    expect(statSync(results).mtimeMs).toBe(mtime);
  });
});

describe("npm run fuzz: --help, and a bad argument refused in one line before any work", () => {
  const run = (args: string[]) => runScript("bench/fuzz.ts", args);

  it("--help prints the synopsis and every option", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/npm run fuzz -- \[--runs N\]/);
    expect(stdout).toMatch(/--min-runs N/);
  });

  it.each([
    [["--bogus"], /unknown option --bogus/],
    [["--runs", "abc"], /--runs must be an integer >= 1, got "abc"/],
    [["--mode", "all"], /--mode must be both, invariant or test/],
    [["--seed"], /--seed needs a value/],
  ])("%j", async (args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    const lines = stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("npm warn"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fuzz: /);
    expect(lines[0]).toMatch(message);
  });
});
