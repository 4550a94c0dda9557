import { beforeAll, describe, expect, it } from "vitest";
import { coherentScore, slashBacked, weightedMedian } from "../src/client/planner.ts";
import { runDemo, type ActorName, type DemoSummary } from "../src/demo/demo.ts";
import { loadSimnet } from "../src/simnet.ts";
import { runVerifiedDemo, type VerifiedDemoSummary } from "../src/demo/verified.ts";
import { runScript } from "./helpers.ts";

const STX = 1_000_000n;
const VALIDATORS: ActorName[] = ["Vera", "Victor", "Valentina", "Walter", "Wanda", "Xavier", "Yasmin"];

/** The demo's committees: every seat weighs the same 10 STX, with the default tolerance and slash threshold. */
const SEAT_WEIGHT = 10n * STX;
const TOLERANCE = 15n;
const SLASH_THRESHOLD = 40n;
const equalVotes = (scores: number[]) => scores.map((score) => ({ score: BigInt(score), weight: SEAT_WEIGHT }));

let summary: DemoSummary;
let lines: string[];
let text: string;

// One run of the demo, exactly as `npm run demo` does it: on a fresh simnet of its own.
beforeAll(async () => {
  lines = [];
  summary = await runDemo((line) => lines.push(line), await loadSimnet());
  text = lines.join("\n");
}, 180_000);

/** The printed lines of step `title` (up to the next step). */
function stepText(title: string): string {
  const start = lines.indexOf(`== Step ${summary.steps.indexOf(title) + 1}: ${title}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, i) => i > start && line.startsWith("== Step "));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}
const stepMatching = (pattern: RegExp) => {
  const title = summary.steps.find((step) => pattern.test(step));
  expect(title, `a step matching ${pattern}`).toBeDefined();
  return stepText(title as string);
};

describe("printed story", () => {
  it("prints every step, numbered, in order, with the calls' results and events", () => {
    expect(summary.steps.length).toBeGreaterThanOrEqual(15);
    summary.steps.forEach((title, i) => expect(lines).toContain(`== Step ${i + 1}: ${title}`));
    // every lifecycle stage the demo is meant to show
    for (const stage of [
      /registers as the market's first validator/,
      /registers her curated dataset/,
      /matched at once/,
      /queue/,
      /direct vote.*matched automatically/,
      /expired and refunded/,
      /partial payment/,
      /more than the committee size/,
      /waits for a seed/,
      /drawn at random/,
      /Commit phase/,
      /Reveal phase.*slashed/,
      /claims its rewards/,
      /Governance/,
      /vote/,
      /executes the change/,
      /Balances before and after/,
      /Solvency check/,
    ]) expect(summary.steps.some((step) => stage.test(step)), `${stage}`).toBe(true);
    expect(text).toContain('   > Ada: (register-dataset-with-terms u50000000 "ipfs://ada/curated-street-scenes" u100000 u1)');
    expect(text).toContain("       stx_transfer 18.8 STX (18,800,000 uSTX) market -> Ada");
  });

  it("shows the committee draw failing before the seed exists, then succeeding at random", () => {
    expect(stepMatching(/waits for a seed/)).toContain("(err u508) ;; ERR_SEED_NOT_READY");
    const drawn = stepMatching(/drawn at random/);
    expect(drawn).toMatch(/get-committee-seed: 0x[0-9a-f]{16}…/);
    expect(drawn).toContain("print committee-drawn { bid-id: u4, random: true, seats: (list ");
    // the small market seated Vera without randomness
    expect(stepMatching(/matched at once/)).toContain("print committee-drawn { bid-id: u1, random: false, seats: (list Vera) }");
  });

  it("registers the six validators before Bob's bid on Jasper's data, so they may sit on its committee", () => {
    const joining = stepMatching(/more than the committee size/);
    ["Victor", "Valentina", "Walter", "Wanda", "Xavier", "Yasmin"].forEach((name, i) =>
      expect(joining).toContain(`print validator-registered { ordinal: u${i + 2}, stake: u10000000, validator: ${name} }`),
    );
    expect(joining).toContain("Active validators: 7.");
    expect(joining).toContain("a job's committee is drawn only from the validators registered before its match");
    expect(summary.steps.findIndex((s) => /more than the committee size/.test(s))).toBeLessThan(summary.steps.findIndex((s) => /waits for a seed/.test(s)));
  });

  it("ends with the balance table and the solvency verdict", () => {
    const table = stepMatching(/Balances/);
    expect(table).toMatch(/Actor +Role +Before +After +Change +Staked +Net/);
    expect(table).toMatch(/Ada +data provider +100,000,000\.000000 +99,999,975\.850000 +-24\.150000 +50\.000000 +\+25\.850000/);
    expect(table).toMatch(/market +the contract +0\.000000 +139\.675000 +\+139\.675000/);
    const solvency = stepMatching(/Solvency/);
    expect(solvency).toContain("treasury           9.775 STX (9,775,000 uSTX)");
    expect(solvency).toContain("sum                139.675 STX (139,675,000 uSTX)");
    expect(solvency).toContain("contract balance   139.675 STX (139,675,000 uSTX)");
    expect(solvency).toContain("surplus            0 STX (0 uSTX) (STX the books do not track)");
    expect(solvency).toContain("SOLVENT: the sum of get-market-totals equals the contract balance, no surplus");
    expect(text).not.toContain("INSOLVENT");
  });
});

describe("small market: one-seat committee, direct votes", () => {
  it("Bob's job: matched at once, Vera scores 85, Ada is paid the bid minus the 5% validator fee and the 1% protocol fee", () => {
    expect(summary.jobs[0]).toMatchObject({
      bidId: 1,
      datasetId: 1,
      provider: "Ada",
      bidder: "Bob",
      amount: 20n * STX,
      path: "direct vote",
      committee: ["Vera"],
      finalScore: 85,
      outcome: "rewarded",
      providerPayment: 18_800_000n, // 20 STX - 1 STX validator fees - 0.2 STX protocol fee
      bidderRefund: 0n,
      slashed: 0n,
      validatorFees: 1n * STX,
      protocolFee: 200_000n,
      penalties: 0n,
      rewardPool: 1n * STX,
      outliers: [],
    });
    expect(stepMatching(/Vera scores Bob's model 85/)).toContain(
      "Out of the 20 STX payment come the validators' 5% fee, 1 STX, and the 1% protocol fee, 0.2 STX, for the treasury.",
    );
  });

  it("Carol's queued bid is matched automatically when Bob's job settles", () => {
    expect(summary.automaticMatch).toEqual({ bidId: 2, bidder: "Carol", whenSettled: 1 });
    const settling = stepMatching(/matched automatically/);
    expect(settling).toContain("print bid-matched { bid-id: u2, bidder: Carol, dataset-id: u1");
    expect(settling).toContain("print committee-drawn { bid-id: u2, random: false, seats: (list Vera) }");
  });

  it("Carol's rush bid, unable to meet its deadline, is expired with a full refund", () => {
    expect(summary.expiredBid).toEqual({ bidId: 3, bidder: "Carol", refund: 12n * STX });
    expect(stepMatching(/expired and refunded/)).toContain("stx_transfer 12 STX (12,000,000 uSTX) market -> Carol");
  });

  it("Carol's job scores 55: paid pro rata (15/30 of the bid), the rest refunded", () => {
    expect(summary.jobs[1]).toMatchObject({
      bidId: 2,
      bidder: "Carol",
      provider: "Ada",
      finalScore: 55,
      outcome: "partial",
      providerPayment: 7_050_000n, // 7.5 STX payment minus its 5% validator fee and 1% protocol fee
      bidderRefund: 7_500_000n,
      validatorFees: 375_000n,
      protocolFee: 75_000n,
      slashed: 0n,
    });
  });

  it("Vera claims each whole reward pool", () => {
    expect(summary.claims.filter((c) => c.bidId !== 4)).toEqual([
      { validator: "Vera", bidId: 1, amount: 1n * STX },
      { validator: "Vera", bidId: 2, amount: 375_000n },
    ]);
  });
});

describe("large market: random committee, commit-reveal, slash", () => {
  it("seats 5 of the 7 validators and settles by the median of their revealed scores", () => {
    const job = summary.jobs[2];
    expect(job).toMatchObject({ bidId: 4, datasetId: 2, provider: "Jasper", bidder: "Bob", path: "commit-reveal", amount: 10n * STX });
    expect(job.committee).toHaveLength(5);
    expect(new Set(job.committee).size).toBe(5);
    for (const name of job.committee) expect(VALIDATORS).toContain(name);
    expect(Object.keys(job.votes).sort()).toEqual([...job.committee].sort());
    const scores = Object.values(job.votes) as number[];
    const median = weightedMedian(equalVotes(scores), SEAT_WEIGHT * BigInt(scores.length));
    expect(job.finalScore).toBe(Number(median));
    expect(job.outliers).toEqual(job.committee.filter((name) => !coherentScore(BigInt(job.votes[name] as number), median, TOLERANCE)));
    // Valentina rubber-stamps (90): seated, she is the outlier
    expect(job.outliers.includes("Valentina")).toBe(job.committee.includes("Valentina"));
  });

  it("slashes half of Jasper's stake, refunds Bob in full, pays the validators from the slash", () => {
    const job = summary.jobs[2];
    expect(job).toMatchObject({
      outcome: "slashed",
      providerPayment: 0n,
      bidderRefund: 10n * STX,
      slashed: 10n * STX,
      validatorFees: 500_000n, // 5% of the bid, out of the slashed stake
      protocolFee: 0n, // nothing was paid
      penalties: 100_000n * BigInt(job.outliers.length), // 1% of a 10 STX stake each
    });
    // every seat revealed: all the penalties are outliers', and they go to the pool
    expect(job.rewardPool).toBe(job.validatorFees + job.penalties);
    // a slash needs a strict majority of the committee's weight below 40: every seat weighs 10 STX
    const below = job.committee.filter((name) => (job.votes[name] as number) < 40).length;
    expect(below).toBe(job.committee.includes("Valentina") ? 4 : 5);
    expect(slashBacked(equalVotes(job.committee.map((name) => job.votes[name] as number)), SLASH_THRESHOLD, 5n * SEAT_WEIGHT)).toBe(true);
    expect(summary.slash).toEqual({
      datasetId: 2,
      provider: "Jasper",
      amount: 10n * STX,
      stakeBefore: 20n * STX,
      stakeAfter: 10n * STX,
      committeeWeight: 50n * STX,
      weightBelowThreshold: 10n * STX * BigInt(below),
    });
    expect(stepMatching(/Reveal phase/)).toContain(`Below 40: ${10 * below} STX of the committee's 50 STX of stake, a strict majority`);
  });

  it("every member claims: coherent ones share the pool by stake, outliers get u0", () => {
    const job = summary.jobs[2];
    const claims = summary.claims.filter((c) => c.bidId === 4);
    expect(claims.map((c) => c.validator)).toEqual(job.committee);
    const coherent = job.committee.filter((name) => !job.outliers.includes(name));
    for (const c of claims) {
      expect(c.amount).toBe(job.outliers.includes(c.validator) ? 0n : job.rewardPool / BigInt(coherent.length));
    }
    expect(claims.reduce((sum, c) => sum + c.amount, 0n)).toBe(job.rewardPool);
  });
});

describe("governance", () => {
  it("raises validator-fee-bps 500 -> 700 by a stake-weighted vote (70 STX yes, 10 STX no), as version 2", () => {
    expect(summary.governance).toEqual({
      proposalId: 1,
      parameter: "validator-fee-bps",
      from: 500n,
      to: 700n,
      version: 2,
      yes: 70n * STX, // Ada 50 + Vera 10 + Victor 10
      no: 10n * STX, // Jasper's stake left after the slash
    });
    expect(stepMatching(/executes the change/)).toContain('print parameter-changed { parameter: "validator-fee-bps", proposal-id: u1, value: u700, version: u2 }');
  });
});

describe("balances and solvency", () => {
  const actor = (name: ActorName) => {
    const found = summary.actors.find((a) => a.name === name);
    expect(found).toBeDefined();
    return found as DemoSummary["actors"][number];
  };
  const claimed = (name: ActorName) => summary.claims.filter((c) => c.validator === name).reduce((sum, c) => sum + c.amount, 0n);

  it("moves every actor's wallet by exactly what it staked, paid and earned", () => {
    expect(actor("Ada")).toMatchObject({ change: -50n * STX + 18_800_000n + 7_050_000n, staked: 50n * STX, net: 25_850_000n });
    expect(actor("Bob")).toMatchObject({ change: -20n * STX - 10n * STX + 10n * STX, staked: 0n }); // paid for job 1, refunded job 4
    expect(actor("Carol")).toMatchObject({ change: -15n * STX - 12n * STX + 12n * STX + 7_500_000n, staked: 0n });
    expect(actor("Jasper")).toMatchObject({ change: -20n * STX, staked: 10n * STX, net: -10n * STX });
    const outliers = summary.jobs[2].outliers;
    for (const name of VALIDATORS) {
      const penalty = outliers.includes(name) ? 100_000n : 0n;
      expect(actor(name)).toMatchObject({ change: -10n * STX + claimed(name), staked: 10n * STX - penalty, net: claimed(name) - penalty });
    }
    for (const a of summary.actors) expect(a.after - a.before).toBe(a.change);
  });

  it("conserves STX: the actors' losses are the contract's gain; the market's net take is its treasury", () => {
    const actorsChange = summary.actors.reduce((sum, a) => sum + a.change, 0n);
    expect(actorsChange + (summary.contract.after - summary.contract.before)).toBe(0n);
    expect(summary.actors.reduce((sum, a) => sum + a.net, 0n)).toBe(-summary.totals.treasury);
    // the slash minus the validators' fee, plus the 1% protocol fees of the two paid jobs
    expect(summary.totals.treasury).toBe(10n * STX - 500_000n + 200_000n + 75_000n);
  });

  it("is solvent: the sum of get-market-totals equals the contract balance", () => {
    expect(summary.solvent).toBe(true);
    expect(summary.totalsSum).toBe(summary.contractBalance);
    expect(summary.contractBalance).toBe(summary.contract.after);
    expect(summary.totals).toEqual({
      "dataset-stakes": 60n * STX,
      "validator-stakes": 70n * STX - 100_000n * BigInt(summary.jobs[2].outliers.length),
      "escrowed-bids": 0n,
      "unclaimed-rewards": 0n,
      treasury: 9_775_000n,
      surplus: 0n,
    });
  });
});

// ---------------------------------------------------------------------------
// The main job (npm run demo): real training and evaluation
// ---------------------------------------------------------------------------

describe("npm run demo: the verified main job", () => {
  let verified: VerifiedDemoSummary;
  let printed: string;
  beforeAll(async () => {
    const out: string[] = [];
    verified = await runVerifiedDemo((line) => out.push(line));
    printed = out.join("\n");
  }, 300_000);

  const job = (provider: string) => verified.jobs.find((j) => j.provider === provider)!;

  it("Ada's clean data trains a model the committee scores at least 90: paid in full, quality score raised", () => {
    expect(job("Ada").metric).toBeGreaterThan(0.9);
    expect(job("Ada")).toMatchObject({ outcome: "rewarded", slashed: 0n, bidderRefund: 0n });
    expect(job("Ada").finalScore).toBeGreaterThanOrEqual(90);
    expect(verified.qualityScores.Ada).toBe(BigInt(job("Ada").finalScore));
  });

  it("Mona's noisy data is paid pro rata, Jasper's junk is slashed automatically", () => {
    expect(job("Mona").outcome).toBe("partial");
    expect(job("Mona").finalScore).toBeGreaterThan(40);
    expect(job("Mona").finalScore).toBeLessThan(70);
    expect(job("Jasper")).toMatchObject({ outcome: "slashed", providerPayment: 0n });
    expect(job("Jasper").finalScore).toBeLessThan(40);
    expect(job("Jasper").slashed).toBe(5n * STX); // half its 50 STX stake, capped at the 5 STX bid
  });

  it("the four evaluating validators agree on every job; Valentina, voting 90 unseen, is an outlier on the bad models and penalized", () => {
    for (const j of verified.jobs) {
      const honest = ["Vera", "Victor", "Walter", "Wanda"].map((n) => j.votes[n]);
      expect(new Set(honest).size).toBe(1);
      expect(j.votes.Valentina).toBe(90);
    }
    expect(job("Ada").outliers).toEqual([]);
    expect(job("Mona").outliers).toEqual(["Valentina"]);
    expect(job("Jasper").outliers).toEqual(["Valentina"]);
    expect(verified.net.Valentina! < 0n).toBe(true);
    for (const n of ["Vera", "Victor", "Walter", "Wanda"]) expect(verified.net[n]! > 0n).toBe(true);
  });

  it("honest providers gain, the junk provider loses; the market ends solvent, and says so", () => {
    expect(verified.net.Ada! > 0n).toBe(true);
    expect(verified.net.Jasper! < 0n).toBe(true);
    expect(verified.solvent).toBe(true);
    expect(verified.totalsSum).toBe(verified.contractBalance);
    expect(printed).toMatch(/Solvency: .*: solvent$/m);
    expect(printed).toContain("| job | provider | train acc. | eval acc. | Vera | Victor | Walter | Wanda | Valentina | median | outcome |");
  });
});

describe("npm run demo: options", () => {
  it("--help prints both demos and the exit statuses, and runs nothing", async () => {
    const { code, stdout, stderr } = await runScript("src/demo/index.ts", ["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: npm run demo \[-- --lifecycle\]\n/);
    expect(stdout).toContain("--lifecycle   the contract's whole lifecycle");
    expect(stdout).toContain("Exit status: 0 when the market ends solvent");
    expect(stderr).toBe("");
  });

  it("refuses an unknown option in one line with exit status 2, before any work", async () => {
    const { code, stdout, stderr } = await runScript("src/demo/index.ts", ["--bogus"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual(["demo: unknown option --bogus; usage: npm run demo [-- --lifecycle]"]);
  });
});

