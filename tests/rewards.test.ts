import { Cl } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import {
  BID_STATUS,
  OUTCOME,
  addStake,
  balances,
  bidder,
  bidder2,
  claim,
  contractId,
  deltas,
  eventNames,
  expectErr,
  expectSolvent,
  getBid,
  getDataset,
  getJobResult,
  getTotals,
  getValidator,
  getVote,
  height,
  matchedJob,
  ok,
  outsider,
  placeBid,
  printEvents,
  provider,
  registerValidator,
  requestExit,
  setPaused,
  stxTransfers,
  validator1,
  validator2,
  validator3,
  vote,
  withdrawValidator,
} from "./helpers.ts";

// ---------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------

type CallResult = ReturnType<typeof vote>;

/**
 * Submits the votes in order on a job; every vote but the last must return (ok false),
 * the last one (ok true): it is the deciding vote. Returns the deciding vote's result.
 */
function finalizeBy(votes: [string, number][], bidId: bigint = 1n, datasetId: bigint = 1n): CallResult {
  let last: CallResult | undefined;
  votes.forEach(([who, score], i) => {
    last = vote(who, datasetId, bidId, score);
    expect(last.result).toBeOk(Cl.bool(i === votes.length - 1));
  });
  if (!last) throw new Error("finalizeBy needs at least one vote");
  return last;
}

/** The single `job-finalized` print event of a call. */
function jobFinalizedEvent(result: CallResult) {
  const events = printEvents(result).filter((e) => e.event === "job-finalized");
  expect(events).toHaveLength(1);
  return events[0];
}

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// Finalization outcomes
// ---------------------------------------------------------------------------

describe("finalization outcomes", () => {
  it("a final score >= 70 pays the provider the amount minus the 5% validator fee and counts a passed validation", () => {
    matchedJob();
    const before = balances(provider, bidder, validator1, contractId);
    const decided = finalizeBy([[validator1, 85]]);

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(475_000n);
    expect(moved.get(bidder)).toBe(0n);
    expect(moved.get(validator1)).toBe(0n); // the fee waits for the claim
    expect(moved.get(contractId)).toBe(-475_000n);
    expect(stxTransfers(decided)).toEqual([{ sender: contractId, recipient: provider, amount: 475_000n }]);

    expect(getJobResult(1)).toEqual({
      "final-score": 85n,
      outcome: BigInt(OUTCOME.REWARDED),
      "provider-payment": 475_000n,
      "bidder-refund": 0n,
      "slashed-amount": 0n,
      "validator-fees": 25_000n,
      "protocol-fee": 0n,
      "reward-pool": 25_000n,
      "reward-weight": 1_000_000n,
      "finalized-at": height(),
    });
    expect(getBid(1)?.status).toBe(BigInt(BID_STATUS.SETTLED));
    expect(getDataset(1)).toMatchObject({
      stake: 1_000_000n,
      "active-jobs": 0n,
      validations: 1n,
      "passed-validations": 1n,
      "quality-score": 85n,
    });
    expect(getTotals()).toEqual({
      "dataset-stakes": 1_000_000n,
      "validator-stakes": 1_000_000n,
      "escrowed-bids": 0n,
      "unclaimed-rewards": 25_000n,
      treasury: 0n,
    });
  });

  it("a final score of exactly 70 is rewarded in full and counts as passed", () => {
    matchedJob();
    const before = balances(provider, bidder, contractId);
    finalizeBy([[validator1, 70]]);

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(475_000n);
    expect(moved.get(bidder)).toBe(0n);
    expect(getJobResult(1)).toMatchObject({
      "final-score": 70n,
      outcome: BigInt(OUTCOME.REWARDED),
      "provider-payment": 475_000n,
      "bidder-refund": 0n,
      "validator-fees": 25_000n,
    });
    expect(getDataset(1)).toMatchObject({ validations: 1n, "passed-validations": 1n, "quality-score": 70n });
  });

  it("a final score between 40 and 70 pays pro rata (55 -> amount*15/30), refunds the rest and takes the fees from the payment", () => {
    matchedJob();
    const before = balances(provider, bidder, validator1, contractId);
    const decided = finalizeBy([[validator1, 55]]);

    // payment 500,000 * 15 / 30 = 250,000; fees 5% of it = 12,500
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(237_500n);
    expect(moved.get(bidder)).toBe(250_000n);
    expect(moved.get(validator1)).toBe(0n);
    expect(moved.get(contractId)).toBe(-487_500n);
    expect(stxTransfers(decided)).toEqual([
      { sender: contractId, recipient: provider, amount: 237_500n },
      { sender: contractId, recipient: bidder, amount: 250_000n },
    ]);
    expect(getJobResult(1)).toMatchObject({
      "final-score": 55n,
      outcome: BigInt(OUTCOME.PARTIAL),
      "provider-payment": 237_500n,
      "bidder-refund": 250_000n,
      "slashed-amount": 0n,
      "validator-fees": 12_500n,
      "protocol-fee": 0n,
      "reward-pool": 12_500n,
    });
    expect(getDataset(1)).toMatchObject({ stake: 1_000_000n, validations: 1n, "passed-validations": 0n, "quality-score": 55n });
    expect(getTotals()).toMatchObject({ "escrowed-bids": 0n, "unclaimed-rewards": 12_500n, treasury: 0n });
  });

  it("the final score is the stake-weighted mean rounded down: 69.5 becomes 69, a partial payment (amount*29/30)", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
      [validator3, 3_000_000n],
    ]);
    const before = balances(provider, bidder, contractId);
    // (70*1 + 70*2 + 69*3) / 6 = 417 / 6 = 69.5 -> 69
    finalizeBy([
      [validator1, 70],
      [validator2, 70],
      [validator3, 69],
    ]);

    // payment 500,000 * 29 / 30 = 483,333; fees 24,166; provider 459,167; refund 16,667
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(459_167n);
    expect(moved.get(bidder)).toBe(16_667n);
    expect(moved.get(contractId)).toBe(-475_834n);
    expect(getJobResult(1)).toMatchObject({
      "final-score": 69n,
      outcome: BigInt(OUTCOME.PARTIAL),
      "provider-payment": 459_167n,
      "bidder-refund": 16_667n,
      "validator-fees": 24_166n,
      "reward-pool": 24_166n,
      "reward-weight": 6_000_000n,
    });
    expect(getDataset(1)).toMatchObject({ "passed-validations": 0n, "quality-score": 69n });
  });

  it("a final score of exactly 40 pays nothing, refunds the bidder in full and slashes nothing", () => {
    matchedJob();
    const before = balances(provider, bidder, validator1, contractId);
    const decided = finalizeBy([[validator1, 40]]);

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(0n);
    expect(moved.get(bidder)).toBe(500_000n);
    expect(moved.get(contractId)).toBe(-500_000n);
    expect(stxTransfers(decided)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(getJobResult(1)).toMatchObject({
      "final-score": 40n,
      outcome: BigInt(OUTCOME.PARTIAL),
      "provider-payment": 0n,
      "bidder-refund": 500_000n,
      "slashed-amount": 0n,
      "validator-fees": 0n,
      "reward-pool": 0n,
    });
    expect(getDataset(1)).toMatchObject({ stake: 1_000_000n, validations: 1n, "passed-validations": 0n, "quality-score": 40n });
    expect(getTotals()).toEqual({
      "dataset-stakes": 1_000_000n,
      "validator-stakes": 1_000_000n,
      "escrowed-bids": 0n,
      "unclaimed-rewards": 0n,
      treasury: 0n,
    });
    // not slashed: the dataset still takes bids
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
  });

  it("the dataset's quality score is the running integer mean of its final scores", () => {
    matchedJob();
    finalizeBy([[validator1, 90]], 1n);
    expect(getDataset(1)).toMatchObject({ validations: 1n, "passed-validations": 1n, "quality-score": 90n });

    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(2));
    finalizeBy([[validator1, 55]], 2n);
    // (90 + 55) / 2 = 72.5 -> 72
    expect(getDataset(1)).toMatchObject({ validations: 2n, "passed-validations": 1n, "quality-score": 72n });

    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(3));
    finalizeBy([[validator1, 76]], 3n);
    // (90 + 55 + 76) / 3 = 73.67 -> 73
    expect(getDataset(1)).toMatchObject({
      validations: 3n,
      "passed-validations": 2n,
      "score-sum": 221n,
      "quality-score": 73n,
    });
  });

  it("the deciding vote emits validation-submitted then job-finalized with every settlement figure", () => {
    matchedJob([
      [validator1, 2_000_000n],
      [validator2, 2_000_000n],
      [validator3, 1_000_000n],
    ]);
    const first = vote(validator1, 1, 1, 90);
    expect(first.result).toBeOk(Cl.bool(false));
    expect(eventNames(first)).toEqual(["validation-submitted"]);
    expect(vote(validator2, 1, 1, 90).result).toBeOk(Cl.bool(false));

    // (90*2 + 90*2 + 40*1) / 5 = 80; validator3 is 40 away: an outlier holding 1/5 of the weight
    const decided = vote(validator3, 1, 1, 40);
    expect(decided.result).toBeOk(Cl.bool(true));
    expect(eventNames(decided)).toEqual(["validation-submitted", "job-finalized"]);
    expect(jobFinalizedEvent(decided)).toEqual({
      event: "job-finalized",
      "bid-id": 1n,
      "dataset-id": 1n,
      "final-score": 80n,
      outcome: BigInt(OUTCOME.REWARDED),
      "provider-payment": 475_000n,
      "bidder-refund": 0n,
      "slashed-amount": 0n,
      "validator-fees": 25_000n,
      "protocol-fee": 0n,
      "treasury-gain": 5_000n,
    });
  });
});

// ---------------------------------------------------------------------------
// Slashing
// ---------------------------------------------------------------------------

describe("slashing", () => {
  it("a final score < 40 refunds the bidder in full, slashes 50% of the dataset stake, pays the 5% fee from the slash and the rest to the treasury", () => {
    matchedJob();
    const before = balances(provider, bidder, validator1, contractId);
    const decided = finalizeBy([[validator1, 20]]);

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(0n);
    expect(moved.get(bidder)).toBe(500_000n);
    expect(moved.get(validator1)).toBe(0n);
    expect(moved.get(contractId)).toBe(-500_000n);
    expect(stxTransfers(decided)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(getJobResult(1)).toEqual({
      "final-score": 20n,
      outcome: BigInt(OUTCOME.SLASHED),
      "provider-payment": 0n,
      "bidder-refund": 500_000n,
      "slashed-amount": 500_000n,
      "validator-fees": 25_000n,
      "protocol-fee": 0n,
      "reward-pool": 25_000n,
      "reward-weight": 1_000_000n,
      "finalized-at": height(),
    });
    expect(jobFinalizedEvent(decided)).toMatchObject({ "slashed-amount": 500_000n, "validator-fees": 25_000n, "treasury-gain": 475_000n });
    expect(getDataset(1)).toMatchObject({ stake: 500_000n, validations: 1n, "passed-validations": 0n, "quality-score": 20n });
    expect(getTotals()).toEqual({
      "dataset-stakes": 500_000n,
      "validator-stakes": 1_000_000n,
      "escrowed-bids": 0n,
      "unclaimed-rewards": 25_000n,
      treasury: 475_000n,
    });
    // the honest low score earns the validator its fee
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(25_000));
  });

  it("a final score of 39 already slashes", () => {
    matchedJob();
    finalizeBy([[validator1, 39]]);
    expect(getJobResult(1)).toMatchObject({
      "final-score": 39n,
      outcome: BigInt(OUTCOME.SLASHED),
      "bidder-refund": 500_000n,
      "slashed-amount": 500_000n,
    });
    expect(getDataset(1)?.stake).toBe(500_000n);
  });

  it("the validator fee taken from a slash is capped at the slashed amount", () => {
    // 5% of a 30,000,000 bid is 1,500,000, more than the 500,000 slashed
    matchedJob([[validator1, 1_000_000n]], 30_000_000n);
    const before = balances(provider, bidder, contractId);
    const decided = finalizeBy([[validator1, 10]]);

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(0n);
    expect(moved.get(bidder)).toBe(30_000_000n);
    expect(getJobResult(1)).toMatchObject({
      outcome: BigInt(OUTCOME.SLASHED),
      "provider-payment": 0n,
      "slashed-amount": 500_000n,
      "validator-fees": 500_000n,
      "reward-pool": 500_000n,
    });
    expect(jobFinalizedEvent(decided)["treasury-gain"]).toBe(0n);
    expect(getTotals()).toMatchObject({ "dataset-stakes": 500_000n, "unclaimed-rewards": 500_000n, treasury: 0n });
  });

  it("a dataset slashed below the minimum stake refuses new bids until topped up", () => {
    matchedJob();
    finalizeBy([[validator1, 20]]);
    expect(getDataset(1)?.stake).toBe(500_000n);

    const before = balances(bidder2, contractId);
    expectErr(placeBid(bidder2, 1), "DATASET_UNDERSTAKED");
    expect(deltas(before).get(bidder2)).toBe(0n);

    expect(addStake(provider, 1, 500_000).result).toBeOk(Cl.uint(1_000_000));
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
  });
});

// ---------------------------------------------------------------------------
// Fees
// ---------------------------------------------------------------------------

describe("fees", () => {
  it("the validator fee is 5% of the payment rounded down, the protocol fee is 0, and the provider gets the remainder", () => {
    matchedJob([[validator1, 1_000_000n]], 333_333n);
    const before = balances(provider, bidder, contractId);
    finalizeBy([[validator1, 100]]);

    // 333,333 * 500 / 10,000 = 16,666.65 -> 16,666
    expect(deltas(before).get(provider)).toBe(316_667n);
    expect(deltas(before).get(bidder)).toBe(0n);
    expect(getJobResult(1)).toMatchObject({ "validator-fees": 16_666n, "protocol-fee": 0n, "provider-payment": 316_667n });
    expect(getTotals()).toMatchObject({ "unclaimed-rewards": 16_666n, treasury: 0n });
  });

  it("the validator fees stay in unclaimed-rewards until claimed", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 1_000_000n],
    ]);
    finalizeBy([
      [validator1, 80],
      [validator2, 80],
    ]);
    expect(getTotals()["unclaimed-rewards"]).toBe(25_000n);
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(12_500));
    expect(getTotals()["unclaimed-rewards"]).toBe(12_500n);
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(12_500));
    expect(getTotals()["unclaimed-rewards"]).toBe(0n);
  });

  it("an outlier's stake-weighted share of the fees goes to the treasury at finalization", () => {
    matchedJob([
      [validator1, 2_000_000n],
      [validator2, 2_000_000n],
      [validator3, 1_000_000n],
    ]);
    const before = balances(provider, contractId);
    // final (90*2 + 90*2 + 40*1) / 5 = 80; validator3 (40) is an outlier holding 1/5 of the weight
    finalizeBy([
      [validator1, 90],
      [validator2, 90],
      [validator3, 40],
    ]);

    expect(deltas(before).get(provider)).toBe(475_000n);
    expect(getJobResult(1)).toMatchObject({
      "validator-fees": 25_000n,
      "reward-pool": 20_000n,
      "reward-weight": 4_000_000n,
    });
    expect(getTotals()).toMatchObject({ "unclaimed-rewards": 20_000n, treasury: 5_000n });
  });

  it("a payment of 0 without a slash carries no fees", () => {
    matchedJob();
    finalizeBy([[validator1, 40]]);
    expect(getJobResult(1)).toMatchObject({ "validator-fees": 0n, "protocol-fee": 0n, "reward-pool": 0n });
    expect(getTotals()).toMatchObject({ "unclaimed-rewards": 0n, treasury: 0n });
    // the coherent validator's claim pays nothing, but succeeds
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(0));
  });
});

// ---------------------------------------------------------------------------
// claim-validation-reward
// ---------------------------------------------------------------------------

describe("claim-validation-reward", () => {
  it("a single validator claims the whole pool", () => {
    matchedJob();
    finalizeBy([[validator1, 85]]);
    const before = balances(validator1, contractId);

    const claimed = claim(validator1, 1);
    expect(claimed.result).toBeOk(Cl.uint(25_000));
    expect(deltas(before).get(validator1)).toBe(25_000n);
    expect(deltas(before).get(contractId)).toBe(-25_000n);
    expect(stxTransfers(claimed)).toEqual([{ sender: contractId, recipient: validator1, amount: 25_000n }]);
    expect(getJobResult(1)).toMatchObject({ "reward-pool": 0n, "reward-weight": 0n });
    expect(getVote(1, validator1)).toMatchObject({ claimed: true });
    expect(getTotals()["unclaimed-rewards"]).toBe(0n);
  });

  it("validators with different stakes share the pool by stake", () => {
    matchedJob(
      [
        [validator1, 1_000_000n],
        [validator2, 2_000_000n],
        [validator3, 3_000_000n],
      ],
      600_000n,
    );
    finalizeBy([
      [validator1, 80],
      [validator2, 80],
      [validator3, 80],
    ]);
    expect(getJobResult(1)).toMatchObject({ "reward-pool": 30_000n, "reward-weight": 6_000_000n });
    const before = balances(validator1, validator2, validator3);

    expect(claim(validator1, 1).result).toBeOk(Cl.uint(5_000));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(10_000));
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(15_000));

    const moved = deltas(before);
    expect(moved.get(validator1)).toBe(5_000n);
    expect(moved.get(validator2)).toBe(10_000n);
    expect(moved.get(validator3)).toBe(15_000n);
  });

  it("the last claimant takes the remainder, so the claims sum to the pool exactly and no dust is left", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
      [validator3, 3_000_000n],
    ]);
    finalizeBy([
      [validator1, 80],
      [validator2, 80],
      [validator3, 80],
    ]);
    expect(getJobResult(1)).toMatchObject({ "reward-pool": 25_000n, "reward-weight": 6_000_000n });
    const before = balances(validator1, validator2, validator3, contractId);

    // 25,000 * 1/6 = 4,166; then 20,834 * 2/5 = 8,333; the last takes the 12,501 left
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(4_166));
    expect(getJobResult(1)).toMatchObject({ "reward-pool": 20_834n, "reward-weight": 5_000_000n });
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(8_333));
    expect(getJobResult(1)).toMatchObject({ "reward-pool": 12_501n, "reward-weight": 3_000_000n });
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(12_501));

    const moved = deltas(before);
    expect(moved.get(validator1)! + moved.get(validator2)! + moved.get(validator3)!).toBe(25_000n);
    expect(moved.get(contractId)).toBe(-25_000n);
    expect(getJobResult(1)).toMatchObject({ "reward-pool": 0n, "reward-weight": 0n });
    expect(getTotals()["unclaimed-rewards"]).toBe(0n);
  });

  it("the pool is split exactly whatever the claim order", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
      [validator3, 3_000_000n],
    ]);
    finalizeBy([
      [validator1, 80],
      [validator2, 80],
      [validator3, 80],
    ]);
    // 25,000 * 3/6 = 12,500; then 12,500 * 1/3 = 4,166; the last takes the 8,334 left
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(12_500));
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(4_166));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(8_334));
    expect(getJobResult(1)).toMatchObject({ "reward-pool": 0n, "reward-weight": 0n });
    expect(getTotals()["unclaimed-rewards"]).toBe(0n);
  });

  it("an outlier (more than 15 from the final score) gets (ok u0) and its claim is spent; the coherent validators share the pool", () => {
    matchedJob([
      [validator1, 2_000_000n],
      [validator2, 2_000_000n],
      [validator3, 1_000_000n],
    ]);
    finalizeBy([
      [validator1, 90],
      [validator2, 90],
      [validator3, 40],
    ]);
    const before = balances(validator1, validator2, validator3, contractId);

    const outlier = claim(validator3, 1);
    expect(outlier.result).toBeOk(Cl.uint(0));
    expect(stxTransfers(outlier)).toEqual([]);
    expect(printEvents(outlier)).toEqual([
      { event: "validation-reward-claimed", "bid-id": 1n, validator: validator3, amount: 0n, coherent: false },
    ]);
    expect(getVote(1, validator3)).toMatchObject({ claimed: true });
    // the pool is untouched by the outlier's claim
    expect(getJobResult(1)).toMatchObject({ "reward-pool": 20_000n, "reward-weight": 4_000_000n });
    expectErr(claim(validator3, 1), "ALREADY_CLAIMED");

    expect(claim(validator1, 1).result).toBeOk(Cl.uint(10_000));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(10_000));
    const moved = deltas(before);
    expect(moved.get(validator3)).toBe(0n);
    expect(moved.get(contractId)).toBe(-20_000n);
    expect(getJobResult(1)).toMatchObject({ "reward-pool": 0n, "reward-weight": 0n });
    expect(getTotals()).toMatchObject({ "unclaimed-rewards": 0n, treasury: 5_000n });
  });

  it("a vote exactly 15 from the final score is coherent and shares the pool", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 1_000_000n],
    ]);
    // (85 + 55) / 2 = 70: both votes are exactly 15 away
    finalizeBy([
      [validator1, 85],
      [validator2, 55],
    ]);
    expect(getJobResult(1)).toMatchObject({ "final-score": 70n, "reward-pool": 25_000n, "reward-weight": 2_000_000n });
    expect(getTotals().treasury).toBe(0n);
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(12_500));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(12_500));
  });

  it("an unknown bid is refused with BID_NOT_FOUND", () => {
    matchedJob();
    finalizeBy([[validator1, 85]]);
    expectErr(claim(validator1, 99), "BID_NOT_FOUND");
  });

  it("a job still running is refused with JOB_NOT_FINALIZED, even for a validator that voted", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 1_000_000n],
      [validator3, 1_000_000n],
    ]);
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
    expect(vote(validator1, 1, 1, 80).result).toBeOk(Cl.bool(false));
    const before = balances(validator1, contractId);
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
    expect(deltas(before).get(validator1)).toBe(0n);
    expect(getVote(1, validator1)).toMatchObject({ claimed: false });
  });

  it("a principal that did not vote on the job is refused with NOT_JOB_VALIDATOR", () => {
    matchedJob();
    finalizeBy([[validator1, 85]]);
    expectErr(claim(outsider, 1), "NOT_JOB_VALIDATOR");
    // a validator registered after the vote has no share either
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    expectErr(claim(validator2, 1), "NOT_JOB_VALIDATOR");
    expect(getJobResult(1)).toMatchObject({ "reward-pool": 25_000n });
  });

  it("a second claim is refused with ALREADY_CLAIMED and pays nothing", () => {
    matchedJob();
    finalizeBy([[validator1, 85]]);
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(25_000));
    const before = balances(validator1, contractId);
    expectErr(claim(validator1, 1), "ALREADY_CLAIMED");
    expect(deltas(before).get(validator1)).toBe(0n);
    expect(deltas(before).get(contractId)).toBe(0n);
  });

  it("a validator that exited and withdrew its stake can still claim", () => {
    matchedJob();
    finalizeBy([[validator1, 85]]);
    ok(requestExit(validator1));
    // past the unbonding window and the vote's lock (deadline 152 + window 144)
    simnet.mineEmptyBlocks(300);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(1_000_000));
    expect(getValidator(validator1)).toBeNull();

    const before = balances(validator1);
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(25_000));
    expect(deltas(before).get(validator1)).toBe(25_000n);
    expect(getTotals()).toMatchObject({ "validator-stakes": 0n, "unclaimed-rewards": 0n });
  });

  it("claims keep working while the market is paused", () => {
    matchedJob();
    finalizeBy([[validator1, 85]]);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(25_000));
  });

  it("emits validation-reward-claimed with the bid, validator, amount and coherence", () => {
    matchedJob();
    finalizeBy([[validator1, 85]]);
    const claimed = claim(validator1, 1);
    expect(eventNames(claimed)).toEqual(["validation-reward-claimed"]);
    expect(printEvents(claimed)[0]).toEqual({
      event: "validation-reward-claimed",
      "bid-id": 1n,
      validator: validator1,
      amount: 25_000n,
      coherent: true,
    });
  });
});
