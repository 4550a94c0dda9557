import { Cl } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import {
  OUTCOME,
  addStake,
  balances,
  bidder,
  bidder2,
  call,
  claim,
  commit,
  commitAndReveal,
  contractId,
  deltas,
  eventNames,
  expectErr,
  expectSolvent,
  finalizeValidation,
  height,
  matchedJob,
  mineUntil,
  ok,
  outsider,
  placeBid,
  printEvents,
  provider,
  provider2,
  read,
  registerDataset,
  registerValidator,
  requestExit,
  reveal,
  seatsOf,
  setPaused,
  setTerms,
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

/** validator1, alone on a one-seat committee, scores the job directly; the vote finalizes it. */
function submitAlone(score: number, bidId: bigint = 1n): CallResult {
  const decided = vote(validator1, 1n, bidId, score);
  expect(decided.result).toBeOk(Cl.bool(true));
  return decided;
}

/**
 * Every seat of the job's committee commits, then reveals, in order: the last reveal completes
 * the committee and finalizes the job (ok true). Returns that deciding reveal's result.
 */
function finalizeByReveals(votes: [string, number][], bidId: bigint = 1n): CallResult {
  expect(seatsOf(bidId)).toHaveLength(votes.length);
  const decided = commitAndReveal(bidId, votes);
  expect(decided.result).toBeOk(Cl.bool(true));
  return decided;
}

/**
 * The outlier market used by several tests: validator1 and validator2 (3 STX each) score 90,
 * validator3 (2 STX) scores 40. The median is 90; validator3 is 50 away, an outlier penalized
 * 1% of its stake (20,000), which joins the 25,000 of fees in the coherent validators' pool.
 */
function outlierJob() {
  matchedJob([
    [validator1, 3_000_000n],
    [validator2, 3_000_000n],
    [validator3, 2_000_000n],
  ]);
  return finalizeByReveals([
    [validator1, 90],
    [validator2, 90],
    [validator3, 40],
  ]);
}

/**
 * A three-seat committee (2 STX each) where only validator1 commits and reveals: 1 reveal is
 * fewer than the 2 needed, so `finalize-validation` after the reveal window refunds the bidder
 * and penalizes the two silent seats (20,000 each) to the treasury. Returns the settling call.
 */
function refundedForTooFewReveals() {
  matchedJob([
    [validator1, 2_000_000n],
    [validator2, 2_000_000n],
    [validator3, 2_000_000n],
  ]);
  expect(commit(validator1, 1n, 80).result).toBeOk(Cl.bool(true));
  const windows = read.getValidationWindows(1n)!;
  expect(windows.minReveals).toBe(2n);
  mineUntil(windows.commitClosesAt + 1n);
  expect(reveal(validator1, 1n, 80).result).toBeOk(Cl.bool(false));
  mineUntil(windows.revealClosesAt + 1n);
  const settled = finalizeValidation(outsider, 1n);
  expect(settled.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
  return settled;
}

/**
 * A three-seat committee (2 STX each): the given two seats commit and reveal their scores, validator3
 * never commits (silent); after the reveal window anyone settles the job with finalize-validation
 * (2 reveals meet the 2 needed). Returns the settling call.
 */
function settleWithSilentSeat(votes: [string, number][]) {
  matchedJob([
    [validator1, 2_000_000n],
    [validator2, 2_000_000n],
    [validator3, 2_000_000n],
  ]);
  expect(seatsOf(1n)).toEqual([validator1, validator2, validator3]);
  for (const [who, score] of votes) expect(commit(who, 1n, score).result).toBeOk(Cl.bool(true));
  const windows = read.getValidationWindows(1n)!;
  expect(windows.minReveals).toBe(2n);
  // validator3 never commits: the reveal phase opens when the commit phase ends
  mineUntil(windows.commitClosesAt + 1n);
  for (const [who, score] of votes) expect(reveal(who, 1n, score).result).toBeOk(Cl.bool(false));
  mineUntil(windows.revealClosesAt + 1n);
  return finalizeValidation(outsider, 1n);
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
  it("a final score >= 70 pays the provider the amount minus the 5% validator fee and the 1% protocol fee and counts a passed validation", () => {
    matchedJob();
    const before = balances(provider, bidder, validator1, contractId);
    const decided = submitAlone(85);

    // payment 500,000; validator fees 5% = 25,000; protocol fee 1% = 5,000; provider 470,000
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(470_000n);
    expect(moved.get(bidder)).toBe(0n);
    expect(moved.get(validator1)).toBe(0n); // the fee waits for the claim
    expect(moved.get(contractId)).toBe(-470_000n);
    expect(stxTransfers(decided)).toEqual([{ sender: contractId, recipient: provider, amount: 470_000n }]);

    expect(read.getJobResult(1)).toEqual({
      finalScore: 85n,
      outcome: "REWARDED",
      providerPayment: 470_000n,
      bidderRefund: 0n,
      slashedAmount: 0n,
      validatorFees: 25_000n,
      protocolFee: 5_000n,
      penalties: 0n,
      rewardPool: 25_000n,
      rewardWeight: 1_000_000n,
      finalizedAt: height(),
    });
    expect(read.getBid(1)?.status).toBe("SETTLED");
    expect(read.getDataset(1)).toMatchObject({
      stake: 1_000_000n,
      activeJobs: 0n,
      validations: 1n,
      passedValidations: 1n,
      qualityScore: 85n,
    });
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 1_000_000n,
      validatorStakes: 1_000_000n,
      escrowedBids: 0n,
      unclaimedRewards: 25_000n,
      treasury: 5_000n,
      surplus: 0n,
    });
  });

  it("a final score of exactly 70 is rewarded in full and counts as passed", () => {
    matchedJob();
    const before = balances(provider, bidder, contractId);
    submitAlone(70);

    // the full 500,000 less 25,000 of validator fees and 5,000 of protocol fee
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(470_000n);
    expect(moved.get(bidder)).toBe(0n);
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 70n,
      outcome: "REWARDED",
      providerPayment: 470_000n,
      bidderRefund: 0n,
      validatorFees: 25_000n,
      protocolFee: 5_000n,
    });
    expect(read.getDataset(1)).toMatchObject({ validations: 1n, passedValidations: 1n, qualityScore: 70n });
  });

  it("a final score between 40 and 70 pays pro rata (55 -> amount*15/30), refunds the rest and takes the fees from the payment", () => {
    matchedJob();
    const before = balances(provider, bidder, validator1, contractId);
    const decided = submitAlone(55);

    // payment 500,000 * 15 / 30 = 250,000; fees 5% of it = 12,500; protocol fee 1% of it = 2,500;
    // provider 250,000 - 12,500 - 2,500 = 235,000; the refund (250,000) is whole
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(235_000n);
    expect(moved.get(bidder)).toBe(250_000n);
    expect(moved.get(validator1)).toBe(0n);
    expect(moved.get(contractId)).toBe(-485_000n);
    expect(stxTransfers(decided)).toEqual([
      { sender: contractId, recipient: provider, amount: 235_000n },
      { sender: contractId, recipient: bidder, amount: 250_000n },
    ]);
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 55n,
      outcome: "PARTIAL",
      providerPayment: 235_000n,
      bidderRefund: 250_000n,
      slashedAmount: 0n,
      validatorFees: 12_500n,
      protocolFee: 2_500n,
      penalties: 0n,
      rewardPool: 12_500n,
    });
    expect(read.getDataset(1)).toMatchObject({ stake: 1_000_000n, validations: 1n, passedValidations: 0n, qualityScore: 55n });
    expect(read.getMarketTotals()).toMatchObject({ escrowedBids: 0n, unclaimedRewards: 12_500n, treasury: 2_500n });
  });

  it("the final score is the stake-weighted lower median: exactly half the weight at 69 makes it 69 (the mean would be 71), a partial payment (amount*29/30)", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
      [validator3, 3_000_000n],
    ]);
    const before = balances(provider, bidder, contractId);
    // weights: 69 -> 3 of 6 (exactly half), so 69 is the lower median; the mean (80*1 + 70*2 + 69*3) / 6 = 71.2
    const decided = finalizeByReveals([
      [validator1, 80],
      [validator2, 70],
      [validator3, 69],
    ]);

    // payment 500,000 * 29 / 30 = 483,333; fees 483,333 * 5% = 24,166; protocol fee 483,333 * 1% = 4,833;
    // provider 483,333 - 24,166 - 4,833 = 454,334; refund 16,667
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(454_334n);
    expect(moved.get(bidder)).toBe(16_667n);
    expect(moved.get(contractId)).toBe(-471_001n);
    expect(stxTransfers(decided)).toEqual([
      { sender: contractId, recipient: provider, amount: 454_334n },
      { sender: contractId, recipient: bidder, amount: 16_667n },
    ]);
    // every vote is within 15 of 69: nobody is penalized and all the weight shares the pool
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 69n,
      outcome: "PARTIAL",
      providerPayment: 454_334n,
      bidderRefund: 16_667n,
      validatorFees: 24_166n,
      protocolFee: 4_833n,
      penalties: 0n,
      rewardPool: 24_166n,
      rewardWeight: 6_000_000n,
    });
    expect(read.getDataset(1)).toMatchObject({ passedValidations: 0n, qualityScore: 69n });
    expect(read.getMarketTotals()).toMatchObject({ validatorStakes: 6_000_000n, unclaimedRewards: 24_166n, treasury: 4_833n });
  });

  it("a final score of exactly 40 pays nothing, refunds the bidder in full and slashes nothing", () => {
    matchedJob();
    const before = balances(provider, bidder, validator1, contractId);
    const decided = submitAlone(40);

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(0n);
    expect(moved.get(bidder)).toBe(500_000n);
    expect(moved.get(contractId)).toBe(-500_000n);
    expect(stxTransfers(decided)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 40n,
      outcome: "PARTIAL",
      providerPayment: 0n,
      bidderRefund: 500_000n,
      slashedAmount: 0n,
      validatorFees: 0n,
      protocolFee: 0n,
      penalties: 0n,
      rewardPool: 0n,
    });
    expect(read.getDataset(1)).toMatchObject({ stake: 1_000_000n, validations: 1n, passedValidations: 0n, qualityScore: 40n });
    // no payment: no protocol fee either
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 1_000_000n,
      validatorStakes: 1_000_000n,
      escrowedBids: 0n,
      unclaimedRewards: 0n,
      treasury: 0n,
      surplus: 0n,
    });
    // not slashed: the dataset still takes bids
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
  });

  it("the dataset's quality score is the running integer mean of its final scores", () => {
    matchedJob();
    submitAlone(90, 1n);
    expect(read.getDataset(1)).toMatchObject({ validations: 1n, passedValidations: 1n, qualityScore: 90n });

    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(2));
    submitAlone(55, 2n);
    // (90 + 55) / 2 = 72.5 -> 72
    expect(read.getDataset(1)).toMatchObject({ validations: 2n, passedValidations: 1n, qualityScore: 72n });

    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(3));
    submitAlone(76, 3n);
    // (90 + 55 + 76) / 3 = 73.67 -> 73
    expect(read.getDataset(1)).toMatchObject({
      validations: 3n,
      passedValidations: 2n,
      scoreSum: 221n,
      qualityScore: 73n,
    });
  });

  it("a one-seat committee's direct vote emits validation-submitted then job-finalized with every settlement figure", () => {
    matchedJob();
    const decided = submitAlone(85);
    expect(eventNames(decided)).toEqual(["validation-submitted", "job-finalized"]);
    expect(jobFinalizedEvent(decided)).toEqual({
      event: "job-finalized",
      "bid-id": 1n,
      "dataset-id": 1n,
      "final-score": 85n,
      outcome: BigInt(OUTCOME.REWARDED),
      "provider-payment": 470_000n,
      "bidder-refund": 0n,
      "slashed-amount": 0n,
      "validator-fees": 25_000n,
      "protocol-fee": 5_000n,
      penalties: 0n,
      // the treasury gains the protocol fee: payment 500,000 - provider 470,000 - fees 25,000
      "treasury-gain": 5_000n,
    });
  });

  it("the reveal that completes the committee emits validation-revealed, validator-penalized and job-finalized with every settlement figure", () => {
    matchedJob([
      [validator1, 3_000_000n],
      [validator2, 3_000_000n],
      [validator3, 2_000_000n],
    ]);
    for (const [who, score] of [
      [validator1, 90],
      [validator2, 90],
      [validator3, 40],
    ] as const) {
      const committed = commit(who, 1n, score);
      expect(committed.result).toBeOk(Cl.bool(true));
      expect(eventNames(committed)).toEqual(["validation-committed"]);
    }
    const first = reveal(validator1, 1n, 90);
    expect(first.result).toBeOk(Cl.bool(false));
    expect(eventNames(first)).toEqual(["validation-revealed"]);
    expect(stxTransfers(first)).toEqual([]);
    expect(reveal(validator2, 1n, 90).result).toBeOk(Cl.bool(false));
    expect(read.getJobResult(1)).toBeNull();

    // median 90 (validator1 and validator2 hold 6 of the 8 STX); validator3 is 50 away
    const decided = reveal(validator3, 1n, 40);
    expect(decided.result).toBeOk(Cl.bool(true));
    expect(eventNames(decided)).toEqual(["validation-revealed", "validator-penalized", "job-finalized"]);
    expect(printEvents(decided)[1]).toEqual({
      event: "validator-penalized",
      "bid-id": 1n,
      validator: validator3,
      penalty: 20_000n,
      stake: 1_980_000n,
      removed: false,
      silent: false,
    });
    // the outlier's penalty joins the fees in the pool: the treasury gains only the 1% protocol fee
    expect(jobFinalizedEvent(decided)).toEqual({
      event: "job-finalized",
      "bid-id": 1n,
      "dataset-id": 1n,
      "final-score": 90n,
      outcome: BigInt(OUTCOME.REWARDED),
      "provider-payment": 470_000n,
      "bidder-refund": 0n,
      "slashed-amount": 0n,
      "validator-fees": 25_000n,
      "protocol-fee": 5_000n,
      penalties: 20_000n,
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
    const decided = submitAlone(20);

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(0n);
    expect(moved.get(bidder)).toBe(500_000n);
    expect(moved.get(validator1)).toBe(0n);
    expect(moved.get(contractId)).toBe(-500_000n);
    expect(stxTransfers(decided)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(read.getJobResult(1)).toEqual({
      finalScore: 20n,
      outcome: "SLASHED",
      providerPayment: 0n,
      bidderRefund: 500_000n,
      slashedAmount: 500_000n,
      validatorFees: 25_000n,
      protocolFee: 0n,
      penalties: 0n,
      rewardPool: 25_000n,
      rewardWeight: 1_000_000n,
      finalizedAt: height(),
    });
    expect(jobFinalizedEvent(decided)).toMatchObject({
      "slashed-amount": 500_000n,
      "validator-fees": 25_000n,
      penalties: 0n,
      "treasury-gain": 475_000n,
    });
    expect(read.getDataset(1)).toMatchObject({ stake: 500_000n, validations: 1n, passedValidations: 0n, qualityScore: 20n });
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 500_000n,
      validatorStakes: 1_000_000n,
      escrowedBids: 0n,
      unclaimedRewards: 25_000n,
      treasury: 475_000n,
      surplus: 0n,
    });
    // the honest low score earns the validator its fee
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(25_000));
  });

  it("a final score of 39 already slashes", () => {
    matchedJob();
    submitAlone(39);
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 39n,
      outcome: "SLASHED",
      bidderRefund: 500_000n,
      slashedAmount: 500_000n,
    });
    expect(read.getDataset(1)?.stake).toBe(500_000n);
  });

  it("the validator fee taken from a slash is capped at the slashed amount", () => {
    // 5% of a 30,000,000 bid is 1,500,000, more than the 500,000 slashed
    matchedJob([[validator1, 1_000_000n]], 30_000_000n);
    const before = balances(provider, bidder, contractId);
    const decided = submitAlone(10);

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(0n);
    expect(moved.get(bidder)).toBe(30_000_000n);
    expect(read.getJobResult(1)).toMatchObject({
      outcome: "SLASHED",
      providerPayment: 0n,
      slashedAmount: 500_000n,
      validatorFees: 500_000n,
      rewardPool: 500_000n,
    });
    expect(jobFinalizedEvent(decided)["treasury-gain"]).toBe(0n);
    expect(read.getMarketTotals()).toMatchObject({ datasetStakes: 500_000n, unclaimedRewards: 500_000n, treasury: 0n });
  });

  it("on a slash, an outlier that scored high is penalized and its penalty joins the slash-funded fee in the pool; the treasury keeps the rest of the slash", () => {
    matchedJob([
      [validator1, 3_000_000n],
      [validator2, 3_000_000n],
      [validator3, 2_000_000n],
    ]);
    const before = balances(provider, bidder, validator3, contractId);
    // median 20 (6 of the 8 STX); validator3's 90 is 70 away
    const decided = finalizeByReveals([
      [validator1, 20],
      [validator2, 20],
      [validator3, 90],
    ]);

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(0n);
    expect(moved.get(bidder)).toBe(500_000n);
    expect(moved.get(validator3)).toBe(0n); // the penalty stays in the contract
    expect(moved.get(contractId)).toBe(-500_000n);
    // slashed 500,000; fee 25,000 from the slash; penalty 20,000; pool 45,000; treasury 500,000 + 20,000 - 45,000
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 20n,
      outcome: "SLASHED",
      providerPayment: 0n,
      bidderRefund: 500_000n,
      slashedAmount: 500_000n,
      validatorFees: 25_000n,
      penalties: 20_000n,
      rewardPool: 45_000n,
      rewardWeight: 6_000_000n,
    });
    expect(jobFinalizedEvent(decided)).toMatchObject({ penalties: 20_000n, "treasury-gain": 475_000n });
    expect(read.getValidator(validator3)).toMatchObject({ stake: 1_980_000n, active: true });
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 500_000n,
      validatorStakes: 7_980_000n,
      escrowedBids: 0n,
      unclaimedRewards: 45_000n,
      treasury: 475_000n,
      surplus: 0n,
    });
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(22_500));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(22_500));
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(0));
  });

  it("a dataset slashed below the minimum stake refuses new bids until topped up", () => {
    matchedJob();
    submitAlone(20);
    expect(read.getDataset(1)?.stake).toBe(500_000n);

    const before = balances(bidder2, contractId);
    expectErr(placeBid(bidder2, 1), "DATASET_UNDERSTAKED");
    expect(deltas(before).get(bidder2)).toBe(0n);

    expect(addStake(provider, 1, 500_000).result).toBeOk(Cl.uint(1_000_000));
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
  });
});

// ---------------------------------------------------------------------------
// A slash needs a strict majority of the committee's whole weight
// ---------------------------------------------------------------------------

describe("no committee majority for a slash", () => {
  it("1/3 of the committee weight below 40 with one silent honest seat: full refund (outcome u5), no slash, no result; the revealers are not penalized, the silent seat is, to the treasury", () => {
    const settled = settleWithSilentSeat([
      [validator1, 20],
      [validator2, 80],
    ]);
    // revealed: 20 and 80 (2 STX each): the lower median is 20 < 40, but only 2 of the committee's
    // 6 STX voted below 40 (2 * 2 > 6 is false): no majority, the job is refunded
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.NO_MAJORITY));
    expect(printEvents(settled)).toEqual([
      // the silent seat (never committed): 1% of 2,000,000, to the treasury
      { event: "validator-penalized", "bid-id": 1n, validator: validator3, penalty: 20_000n, stake: 1_980_000n, removed: false, silent: true },
      { event: "bid-expired", "bid-id": 1n, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 20_000n },
    ]);
    expect(stxTransfers(settled)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getJobResult(1)).toBeNull();
    // no slash, no validation counted
    expect(read.getDataset(1)).toMatchObject({
      stake: 1_000_000n,
      activeJobs: 0n,
      validations: 0n,
      passedValidations: 0n,
      qualityScore: 0n,
    });
    // the low revealer and the honest revealer (60 from the low median) keep their whole stakes
    expect(read.getValidator(validator1)).toMatchObject({ stake: 2_000_000n, openSeats: 0n, active: true });
    expect(read.getValidator(validator2)).toMatchObject({ stake: 2_000_000n, openSeats: 0n, active: true });
    expect(read.getValidator(validator3)).toMatchObject({ stake: 1_980_000n, openSeats: 0n, active: true });
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 1_000_000n,
      validatorStakes: 5_980_000n,
      escrowedBids: 0n,
      unclaimedRewards: 0n,
      treasury: 20_000n,
      surplus: 0n,
    });
    // no result: nothing to claim
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
    expectErr(claim(validator2, 1), "JOB_NOT_FINALIZED");
    // not slashed: the dataset still takes bids
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
  });

  it("2/3 of the committee weight below 40 is a strict majority: the job is slashed even with a silent seat", () => {
    const settled = settleWithSilentSeat([
      [validator1, 20],
      [validator2, 20],
    ]);
    // 4 of the 6 STX voted below 40 (2 * 4 > 6): slashed by the median 20
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.SLASHED));
    expect(eventNames(settled)).toEqual(["validator-penalized", "job-finalized"]);
    expect(printEvents(settled)[0]).toMatchObject({ validator: validator3, penalty: 20_000n, silent: true });
    // slash 50% of 1,000,000 = 500,000; fees 5% of 500,000 = 25,000 from it; no payment, no protocol fee;
    // treasury 500,000 - 25,000 + the silent seat's 20,000 = 495,000
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 20n,
      outcome: "SLASHED",
      providerPayment: 0n,
      bidderRefund: 500_000n,
      slashedAmount: 500_000n,
      validatorFees: 25_000n,
      protocolFee: 0n,
      penalties: 20_000n,
      rewardPool: 25_000n,
      rewardWeight: 4_000_000n,
    });
    expect(jobFinalizedEvent(settled)).toMatchObject({ penalties: 20_000n, "treasury-gain": 495_000n });
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 500_000n,
      validatorStakes: 5_980_000n,
      escrowedBids: 0n,
      unclaimedRewards: 25_000n,
      treasury: 495_000n,
      surplus: 0n,
    });
  });

  it("exactly half the committee weight below 40 is a tie, not a majority: the last reveal refunds the job (ok true) without a result", () => {
    matchedJob([
      [validator1, 2_000_000n],
      [validator2, 2_000_000n],
    ]);
    const before = balances(provider, bidder, validator1, validator2, contractId);
    for (const [who, score] of [
      [validator1, 20],
      [validator2, 80],
    ] as const) expect(commit(who, 1n, score).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, 1n, 20).result).toBeOk(Cl.bool(false));
    // median 20 (2 of 4 STX at or below it), but 2 * 2 > 4 is false: refunded, nobody penalized
    const decided = reveal(validator2, 1n, 80);
    expect(decided.result).toBeOk(Cl.bool(true));
    expect(eventNames(decided)).toEqual(["validation-revealed", "bid-expired"]);
    expect(printEvents(decided)[1]).toEqual({
      event: "bid-expired",
      "bid-id": 1n,
      "dataset-id": 1n,
      bidder,
      refund: 500_000n,
      penalties: 0n,
    });
    expect(deltas(before)).toEqual(
      new Map([[provider, 0n], [bidder, 500_000n], [validator1, 0n], [validator2, 0n], [contractId, -500_000n]]),
    );
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getJobResult(1)).toBeNull();
    expect(read.getDataset(1)).toMatchObject({ stake: 1_000_000n, validations: 0n });
    expect(read.getMarketTotals()).toMatchObject({ validatorStakes: 4_000_000n, unclaimedRewards: 0n, treasury: 0n });
  });

  it("a one-seat committee always holds the majority: a direct vote below 40 slashes", () => {
    matchedJob();
    const decided = submitAlone(39);
    expect(read.getJobResult(1)).toMatchObject({ outcome: "SLASHED", slashedAmount: 500_000n });
    expect(jobFinalizedEvent(decided)).toMatchObject({ outcome: BigInt(OUTCOME.SLASHED), "treasury-gain": 475_000n });
  });
});

// ---------------------------------------------------------------------------
// Fees
// ---------------------------------------------------------------------------

describe("fees", () => {
  it("the validator fee is 5% of the payment rounded down, the protocol fee 1% rounded down, and the provider gets the remainder", () => {
    matchedJob([[validator1, 1_000_000n]], 333_333n);
    const before = balances(provider, bidder, contractId);
    submitAlone(100);

    // fees 333,333 * 500 / 10,000 = 16,666.65 -> 16,666; protocol fee 333,333 * 100 / 10,000 = 3,333.33 -> 3,333;
    // provider 333,333 - 16,666 - 3,333 = 313,334
    expect(deltas(before).get(provider)).toBe(313_334n);
    expect(deltas(before).get(bidder)).toBe(0n);
    expect(read.getJobResult(1)).toMatchObject({ validatorFees: 16_666n, protocolFee: 3_333n, providerPayment: 313_334n });
    expect(read.getMarketTotals()).toMatchObject({ unclaimedRewards: 16_666n, treasury: 3_333n });
  });

  it("the validator fees stay in unclaimed-rewards until claimed", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 1_000_000n],
    ]);
    finalizeByReveals([
      [validator1, 80],
      [validator2, 80],
    ]);
    expect(read.getMarketTotals().unclaimedRewards).toBe(25_000n);
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(12_500));
    expect(read.getMarketTotals().unclaimedRewards).toBe(12_500n);
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(12_500));
    expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
  });

  it("an outlier is penalized 1% of its stake and the coherent validators' pool holds the fees plus that penalty; the treasury gets only the protocol fee", () => {
    matchedJob([
      [validator1, 3_000_000n],
      [validator2, 3_000_000n],
      [validator3, 2_000_000n],
    ]);
    const before = balances(provider, bidder, validator3, contractId);
    // median 90 (6 of the 8 STX); validator3's 40 is 50 away
    finalizeByReveals([
      [validator1, 90],
      [validator2, 90],
      [validator3, 40],
    ]);

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(470_000n);
    expect(moved.get(bidder)).toBe(0n);
    expect(moved.get(validator3)).toBe(0n); // the penalty stays in the contract
    expect(moved.get(contractId)).toBe(-470_000n);
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 90n,
      validatorFees: 25_000n,
      penalties: 20_000n,
      rewardPool: 45_000n,
      rewardWeight: 6_000_000n,
    });
    expect(read.getValidator(validator3)).toMatchObject({ stake: 1_980_000n, active: true, openSeats: 0n });
    // fees 25,000 + the outlier's 20,000 in the pool; the treasury holds the 5,000 protocol fee alone
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 1_000_000n,
      validatorStakes: 7_980_000n,
      escrowedBids: 0n,
      unclaimedRewards: 45_000n,
      treasury: 5_000n,
      surplus: 0n,
    });
  });

  it("a payment of 0 without a slash carries no fees", () => {
    matchedJob();
    submitAlone(40);
    expect(read.getJobResult(1)).toMatchObject({ validatorFees: 0n, protocolFee: 0n, penalties: 0n, rewardPool: 0n });
    expect(read.getMarketTotals()).toMatchObject({ unclaimedRewards: 0n, treasury: 0n });
    // the coherent validator's claim pays nothing, but succeeds, and frees the seat the settlement left counted
    expect(read.getValidator(validator1)?.openSeats).toBe(1n);
    const claimed = claim(validator1, 1);
    expect(claimed.result).toBeOk(Cl.uint(0));
    expect(stxTransfers(claimed)).toEqual([]);
    expect(read.getValidator(validator1)?.openSeats).toBe(0n);
  });

  it("with a payment of 0 and no slash, the coherent validators' pool holds only the outlier's penalty", () => {
    matchedJob([
      [validator1, 3_000_000n],
      [validator2, 3_000_000n],
      [validator3, 2_000_000n],
    ]);
    // median 40: no payment, no slash, no fee; validator3's 90 is 50 away
    finalizeByReveals([
      [validator1, 40],
      [validator2, 40],
      [validator3, 90],
    ]);
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 40n,
      providerPayment: 0n,
      bidderRefund: 500_000n,
      slashedAmount: 0n,
      validatorFees: 0n,
      penalties: 20_000n,
      rewardPool: 20_000n,
      rewardWeight: 6_000_000n,
    });
    expect(read.getMarketTotals()).toMatchObject({ validatorStakes: 7_980_000n, unclaimedRewards: 20_000n, treasury: 0n });
    const before = balances(validator1, validator2);
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(10_000));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(10_000));
    expect(deltas(before).get(validator1)).toBe(10_000n);
    expect(deltas(before).get(validator2)).toBe(10_000n);
  });

  it("a job refunded for too few reveals pays no fees: the bidder gets the whole amount back and the silent seats' penalties go to the treasury", () => {
    const before = balances(provider, bidder);
    const settled = refundedForTooFewReveals();

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(-1_000_000n); // its dataset stake, still staked: no payment
    expect(moved.get(bidder)).toBe(0n); // escrowed then refunded in full
    expect(stxTransfers(settled)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(eventNames(settled)).toEqual(["validator-penalized", "validator-penalized", "bid-expired"]);
    expect(printEvents(settled)[2]).toMatchObject({ refund: 500_000n, penalties: 40_000n });
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getJobResult(1)).toBeNull();
    // validator1 revealed: not penalized; the two silent seats lose 1% each
    expect(read.getValidator(validator1)?.stake).toBe(2_000_000n);
    expect(read.getValidator(validator2)?.stake).toBe(1_980_000n);
    expect(read.getValidator(validator3)?.stake).toBe(1_980_000n);
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 1_000_000n,
      validatorStakes: 5_960_000n,
      escrowedBids: 0n,
      unclaimedRewards: 0n,
      treasury: 40_000n,
      surplus: 0n,
    });
  });

  it("a silent seat's penalty goes to the treasury, never to the pool: the coherent seats share the fees alone", () => {
    const settled = settleWithSilentSeat([
      [validator1, 80],
      [validator2, 80],
    ]);
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expect(printEvents(settled)[0]).toEqual({
      event: "validator-penalized",
      "bid-id": 1n,
      validator: validator3,
      penalty: 20_000n,
      stake: 1_980_000n,
      removed: false,
      silent: true,
    });
    // pool: the 25,000 of fees; treasury: protocol fee 5,000 + the silent seat's 20,000
    expect(jobFinalizedEvent(settled)).toMatchObject({
      "provider-payment": 470_000n,
      "validator-fees": 25_000n,
      "protocol-fee": 5_000n,
      penalties: 20_000n,
      "treasury-gain": 25_000n,
    });
    expect(read.getJobResult(1)).toMatchObject({ penalties: 20_000n, rewardPool: 25_000n, rewardWeight: 4_000_000n });
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 1_000_000n,
      validatorStakes: 5_980_000n,
      escrowedBids: 0n,
      unclaimedRewards: 25_000n,
      treasury: 25_000n,
      surplus: 0n,
    });
    // 25,000 * 2/4 = 12,500 each: nothing of the silent seat's penalty
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(12_500));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(12_500));
    expectErr(claim(validator3, 1), "NOT_JOB_VALIDATOR");
    expect(read.getMarketTotals()).toMatchObject({ unclaimedRewards: 0n, treasury: 25_000n });
  });

  it("in one job, the outlier's penalty goes to the pool and the silent seat's to the treasury", () => {
    matchedJob([
      [validator1, 2_000_000n],
      [validator2, 2_000_000n],
      [validator3, 2_000_000n],
      [provider2, 2_000_000n],
      [bidder2, 2_000_000n],
    ]);
    expect(seatsOf(1)).toEqual([validator1, validator2, validator3, provider2, bidder2]);
    const scores: [string, number][] = [
      [validator1, 80],
      [validator2, 80],
      [validator3, 80],
      [provider2, 20],
    ];
    for (const [who, score] of scores) expect(commit(who, 1n, score).result).toBeOk(Cl.bool(true));
    // bidder2 never commits
    const windows = read.getValidationWindows(1n)!;
    mineUntil(windows.commitClosesAt + 1n);
    for (const [who, score] of scores) expect(reveal(who, 1n, score).result).toBeOk(Cl.bool(false));
    mineUntil(windows.revealClosesAt + 1n);
    const settled = finalizeValidation(outsider, 1n);
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.REWARDED));

    // median 80 (6 of the 8 revealed STX); provider2's 20 is 60 away: an outlier
    expect(printEvents(settled).filter((e) => e.event === "validator-penalized")).toEqual([
      { event: "validator-penalized", "bid-id": 1n, validator: provider2, penalty: 20_000n, stake: 1_980_000n, removed: false, silent: false },
      { event: "validator-penalized", "bid-id": 1n, validator: bidder2, penalty: 20_000n, stake: 1_980_000n, removed: false, silent: true },
    ]);
    // pool = fees 25,000 + outlier 20,000 = 45,000; treasury = protocol fee 5,000 + silence 20,000 = 25,000
    expect(jobFinalizedEvent(settled)).toMatchObject({ penalties: 40_000n, "treasury-gain": 25_000n });
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 80n,
      providerPayment: 470_000n,
      validatorFees: 25_000n,
      protocolFee: 5_000n,
      penalties: 40_000n,
      rewardPool: 45_000n,
      rewardWeight: 6_000_000n,
    });
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 1_000_000n,
      validatorStakes: 9_960_000n,
      escrowedBids: 0n,
      unclaimedRewards: 45_000n,
      treasury: 25_000n,
      surplus: 0n,
    });
    // 45,000 * 2/6 = 15,000; 30,000 * 2/4 = 15,000; the last takes the 15,000 left
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(15_000));
    expect(claim(provider2, 1).result).toBeOk(Cl.uint(0));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(15_000));
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(15_000));
    expect(read.getMarketTotals()).toMatchObject({ unclaimedRewards: 0n, treasury: 25_000n });
  });
});

// ---------------------------------------------------------------------------
// claim-validation-reward
// ---------------------------------------------------------------------------

describe("claim-validation-reward", () => {
  it("a single validator claims the whole pool", () => {
    matchedJob();
    submitAlone(85);
    const before = balances(validator1, contractId);

    const claimed = claim(validator1, 1);
    expect(claimed.result).toBeOk(Cl.uint(25_000));
    expect(deltas(before).get(validator1)).toBe(25_000n);
    expect(deltas(before).get(contractId)).toBe(-25_000n);
    expect(stxTransfers(claimed)).toEqual([{ sender: contractId, recipient: validator1, amount: 25_000n }]);
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
    expect(read.getVote(1, validator1)).toMatchObject({ claimed: true });
    expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
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
    finalizeByReveals([
      [validator1, 80],
      [validator2, 80],
      [validator3, 80],
    ]);
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 30_000n, rewardWeight: 6_000_000n });
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
    finalizeByReveals([
      [validator1, 80],
      [validator2, 80],
      [validator3, 80],
    ]);
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 25_000n, rewardWeight: 6_000_000n });
    const before = balances(validator1, validator2, validator3, contractId);

    // 25,000 * 1/6 = 4,166; then 20,834 * 2/5 = 8,333; the last takes the 12,501 left
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(4_166));
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 20_834n, rewardWeight: 5_000_000n });
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(8_333));
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 12_501n, rewardWeight: 3_000_000n });
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(12_501));

    const moved = deltas(before);
    expect(moved.get(validator1)! + moved.get(validator2)! + moved.get(validator3)!).toBe(25_000n);
    expect(moved.get(contractId)).toBe(-25_000n);
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
    expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
  });

  it("the pool is split exactly whatever the claim order", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
      [validator3, 3_000_000n],
    ]);
    finalizeByReveals([
      [validator1, 80],
      [validator2, 80],
      [validator3, 80],
    ]);
    // 25,000 * 3/6 = 12,500; then 12,500 * 1/3 = 4,166; the last takes the 8,334 left
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(12_500));
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(4_166));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(8_334));
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
    expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
  });

  it("an outlier (more than 15 from the final score) gets (ok u0) and its claim is spent; the coherent validators share the fees and its penalty", () => {
    outlierJob();
    const before = balances(validator1, validator2, validator3, contractId);

    const outlier = claim(validator3, 1);
    expect(outlier.result).toBeOk(Cl.uint(0));
    expect(stxTransfers(outlier)).toEqual([]);
    expect(printEvents(outlier)).toEqual([
      { event: "validation-reward-claimed", "bid-id": 1n, validator: validator3, amount: 0n, coherent: false },
    ]);
    expect(read.getVote(1, validator3)).toMatchObject({ claimed: true });
    // the pool is untouched by the outlier's claim
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 45_000n, rewardWeight: 6_000_000n });
    expectErr(claim(validator3, 1), "ALREADY_CLAIMED");

    // 45,000 * 3/6 = 22,500; the last takes the 22,500 left
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(22_500));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(22_500));
    const moved = deltas(before);
    expect(moved.get(validator3)).toBe(0n);
    expect(moved.get(contractId)).toBe(-45_000n);
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
    // the treasury holds the 1% protocol fee of the 500,000 payment, nothing of the penalty
    expect(read.getMarketTotals()).toMatchObject({ unclaimedRewards: 0n, treasury: 5_000n });
  });

  it("a seat that committed but never revealed gets (ok u0); a seat that never voted is refused with NOT_JOB_VALIDATOR", () => {
    matchedJob([
      [validator1, 2_000_000n],
      [validator2, 2_000_000n],
      [validator3, 2_000_000n],
      [provider2, 2_000_000n],
      [bidder2, 2_000_000n],
    ]);
    expect(seatsOf(1)).toEqual([validator1, validator2, validator3, provider2, bidder2]);
    for (const who of [validator1, validator2, validator3]) expect(commit(who, 1n, 80).result).toBeOk(Cl.bool(true));
    expect(commit(provider2, 1n, 80).result).toBeOk(Cl.bool(true)); // commits, never reveals
    // bidder2 never commits: the reveal phase opens when the commit phase ends
    const windows = read.getValidationWindows(1n)!;
    expect(windows.minReveals).toBe(3n);
    mineUntil(windows.commitClosesAt + 1n);
    for (const who of [validator1, validator2, validator3]) expect(reveal(who, 1n, 80).result).toBeOk(Cl.bool(false));
    mineUntil(windows.revealClosesAt + 1n);
    expect(finalizeValidation(outsider, 1n).result).toBeOk(Cl.uint(OUTCOME.REWARDED));

    // the two silent seats' penalties (2 * 20,000) go to the treasury, not the pool: the pool is the
    // 25,000 of fees alone; the treasury gets 40,000 + the 5,000 protocol fee
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 80n,
      validatorFees: 25_000n,
      protocolFee: 5_000n,
      penalties: 40_000n,
      rewardPool: 25_000n,
      rewardWeight: 6_000_000n,
    });
    expect(read.getMarketTotals()).toMatchObject({ unclaimedRewards: 25_000n, treasury: 45_000n });
    const before = balances(validator1, validator2, validator3, provider2, bidder2, contractId);

    const silent = claim(provider2, 1);
    expect(silent.result).toBeOk(Cl.uint(0));
    expect(printEvents(silent)).toEqual([
      { event: "validation-reward-claimed", "bid-id": 1n, validator: provider2, amount: 0n, coherent: false },
    ]);
    expect(read.getVote(1, provider2)).toMatchObject({ revealed: false, claimed: true });
    expectErr(claim(provider2, 1), "ALREADY_CLAIMED");
    expectErr(claim(bidder2, 1), "NOT_JOB_VALIDATOR");
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 25_000n, rewardWeight: 6_000_000n });

    // 25,000 * 2/6 = 8,333; then 16,667 * 2/4 = 8,333; the last takes the 8,334 left
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(8_333));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(8_333));
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(8_334));
    const moved = deltas(before);
    expect(moved.get(provider2)).toBe(0n);
    expect(moved.get(bidder2)).toBe(0n);
    expect(moved.get(contractId)).toBe(-25_000n);
    expect(read.getMarketTotals()).toMatchObject({ unclaimedRewards: 0n, treasury: 45_000n });
  });

  it("a vote exactly 15 from the final score is coherent and shares the pool; 16 away is an outlier", () => {
    matchedJob([
      [validator1, 2_000_000n],
      [validator2, 2_000_000n],
      [validator3, 2_000_000n],
      [provider2, 2_000_000n],
      [bidder2, 2_000_000n],
    ]);
    // median 70; 85 and 55 are exactly 15 away, 54 is 16 away
    finalizeByReveals([
      [validator1, 70],
      [validator2, 70],
      [validator3, 85],
      [provider2, 55],
      [bidder2, 54],
    ]);
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 70n,
      validatorFees: 25_000n,
      penalties: 20_000n,
      rewardPool: 45_000n,
      rewardWeight: 8_000_000n,
    });
    // the outlier's penalty is in the pool; the treasury holds only the 5,000 protocol fee
    expect(read.getMarketTotals().treasury).toBe(5_000n);

    // 45,000 / 4 coherent seats of equal stake: 11,250 each, whatever the order
    const before = balances(validator3, provider2, bidder2);
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(11_250));
    expect(claim(provider2, 1).result).toBeOk(Cl.uint(11_250));
    expect(claim(bidder2, 1).result).toBeOk(Cl.uint(0));
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(11_250));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(11_250));
    const moved = deltas(before);
    expect(moved.get(validator3)).toBe(11_250n);
    expect(moved.get(provider2)).toBe(11_250n);
    expect(moved.get(bidder2)).toBe(0n);
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
    expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
  });

  it("an unknown bid is refused with BID_NOT_FOUND", () => {
    matchedJob();
    submitAlone(85);
    expectErr(claim(validator1, 99), "BID_NOT_FOUND");
  });

  it("a job still running is refused with JOB_NOT_FINALIZED, even for a validator that committed and revealed", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 1_000_000n],
      [validator3, 1_000_000n],
    ]);
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
    for (const who of [validator1, validator2, validator3]) expect(commit(who, 1n, 80).result).toBeOk(Cl.bool(true));
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
    expect(reveal(validator1, 1n, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1n, 80).result).toBeOk(Cl.bool(false));
    const before = balances(validator1, contractId);
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
    expect(deltas(before).get(validator1)).toBe(0n);
    expect(deltas(before).get(contractId)).toBe(0n);
    expect(read.getVote(1, validator1)).toMatchObject({ revealed: true, claimed: false });
  });

  it("a job refunded for too few reveals has no result: every claim is refused with JOB_NOT_FINALIZED", () => {
    refundedForTooFewReveals();
    const before = balances(validator1, validator2, contractId);
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED"); // revealed
    expectErr(claim(validator2, 1), "JOB_NOT_FINALIZED"); // silent
    expect(deltas(before).get(validator1)).toBe(0n);
    expect(deltas(before).get(contractId)).toBe(0n);
    expect(read.getVote(1, validator1)).toMatchObject({ claimed: false });
  });

  it("a principal that did not vote on the job is refused with NOT_JOB_VALIDATOR", () => {
    matchedJob();
    submitAlone(85);
    expectErr(claim(outsider, 1), "NOT_JOB_VALIDATOR");
    // a validator registered after the vote has no share either
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    expectErr(claim(validator2, 1), "NOT_JOB_VALIDATOR");
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 25_000n });
  });

  it("a second claim is refused with ALREADY_CLAIMED and pays nothing", () => {
    matchedJob();
    submitAlone(85);
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(25_000));
    const before = balances(validator1, contractId);
    expectErr(claim(validator1, 1), "ALREADY_CLAIMED");
    expect(deltas(before).get(validator1)).toBe(0n);
    expect(deltas(before).get(contractId)).toBe(0n);
  });

  it("an exiting validator claims, then withdraws; withdrawn, it still claims a seat its settlement freed", () => {
    // validator1 and validator2 (3 STX each) are coherent at 90; validator3 (2 STX) is an outlier at 40
    outlierJob();
    // the outlier's seat was freed (and penalized 20,000) at the settlement; the coherent seats wait for their claims
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 1n, stake: 3_000_000n });
    expect(read.getValidator(validator3)).toMatchObject({ openSeats: 0n, stake: 1_980_000n });
    ok(requestExit(validator1));
    ok(requestExit(validator3));
    simnet.mineEmptyBlocks(144); // the unbonding window

    // validator1's unclaimed coherent seat holds its stake
    const held = balances(validator1, contractId);
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    expect(deltas(held)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));
    const before = balances(validator1, contractId);
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(22_500));
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 0n, stake: 3_000_000n });
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(3_000_000));
    expect(read.getValidator(validator1)).toBeNull();
    expect(deltas(before)).toEqual(new Map([[validator1, 3_022_500n], [contractId, -3_022_500n]]));

    // validator3 withdraws at once, and its claim (an outlier's, u0) still lands without a validator record
    expect(withdrawValidator(validator3).result).toBeOk(Cl.uint(1_980_000));
    expect(read.getValidator(validator3)).toBeNull();
    const outlier = claim(validator3, 1);
    expect(outlier.result).toBeOk(Cl.uint(0));
    expect(stxTransfers(outlier)).toEqual([]);
    expect(read.getVote(1, validator3)).toMatchObject({ claimed: true });
    expectErr(claim(validator3, 1), "ALREADY_CLAIMED");

    expect(claim(validator2, 1).result).toBeOk(Cl.uint(22_500));
    expect(read.getMarketTotals()).toMatchObject({ validatorStakes: 3_000_000n, unclaimedRewards: 0n });
  });

  it("a claim frees the coherent seat: open-seats falls by one per coherent seat claimed, by the batch too", () => {
    // validator1..3 (1 STX each) sit on four jobs of one dataset (four slots)
    for (const who of [validator1, validator2, validator3]) expect(registerValidator(who).result).toBeOk(Cl.bool(true));
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(setTerms(provider, 1, 0, 4).result).toBeOk(Cl.bool(true));
    for (const id of [1n, 2n, 3n, 4n]) {
      expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(id));
      expect(seatsOf(id)).toEqual([validator1, validator2, validator3]);
    }
    const seats = () => [validator1, validator2, validator3].map((who) => read.getValidator(who)?.openSeats);
    expect(seats()).toEqual([4n, 4n, 4n]);

    // jobs 1 and 2: all three coherent; job 3: validator3 an outlier (10 of a median 80); job 4 runs on
    finalizeByReveals([[validator1, 80], [validator2, 80], [validator3, 80]], 1n);
    finalizeByReveals([[validator1, 80], [validator2, 80], [validator3, 80]], 2n);
    const outlierSettled = finalizeByReveals([[validator1, 80], [validator2, 80], [validator3, 10]], 3n);
    expect(printEvents(outlierSettled).filter((e) => e.event === "validator-penalized")).toEqual([
      { event: "validator-penalized", "bid-id": 3n, validator: validator3, penalty: 10_000n, stake: 990_000n, removed: true, silent: false },
    ]);
    // only the outlier's seat was freed at a settlement
    expect(seats()).toEqual([4n, 4n, 3n]);
    expect(read.getJobResult(3)).toMatchObject({ rewardPool: 35_000n, rewardWeight: 2_000_000n });

    // a single claim frees one seat: 25,000 * 1/3
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(8_333));
    expect(seats()).toEqual([3n, 4n, 3n]);
    // a batch frees one seat per coherent seat it claims, and pays their sum in one transfer
    const batch1 = call("claim-validation-rewards", [Cl.list([Cl.uint(2), Cl.uint(3)])], validator1);
    expect(batch1.result).toBeOk(Cl.uint(8_333 + 17_500));
    expect(stxTransfers(batch1)).toEqual([{ sender: contractId, recipient: validator1, amount: 25_833n }]);
    expect(seats()).toEqual([1n, 4n, 3n]);
    // 16,667 * 1/2 on jobs 1 and 2; the last coherent share of job 3
    expect(call("claim-validation-rewards", [Cl.list([Cl.uint(1), Cl.uint(2), Cl.uint(3)])], validator2).result)
      .toBeOk(Cl.uint(8_333 + 8_333 + 17_500));
    expect(seats()).toEqual([1n, 1n, 3n]);
    // the outlier's batch: the remainders of jobs 1 and 2, nothing of job 3; it frees its two coherent seats only
    expect(call("claim-validation-rewards", [Cl.list([Cl.uint(3), Cl.uint(1), Cl.uint(2)])], validator3).result)
      .toBeOk(Cl.uint(8_334 + 8_334));
    expect(seats()).toEqual([1n, 1n, 1n]);
    for (const id of [1n, 2n, 3n]) expect(read.getJobResult(id)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
    expect(read.getMarketTotals().unclaimedRewards).toBe(0n);

    // a refused claim frees nothing: the running job 4 and a second claim
    expectErr(claim(validator1, 4), "JOB_NOT_FINALIZED");
    expectErr(call("claim-validation-rewards", [Cl.list([Cl.uint(4)])], validator2), "JOB_NOT_FINALIZED");
    expectErr(claim(validator1, 1), "ALREADY_CLAIMED");
    expect(seats()).toEqual([1n, 1n, 1n]);

    // job 4 settles with everyone coherent: the seats stay until claimed, then every seat is free
    finalizeByReveals([[validator1, 80], [validator2, 80], [validator3, 80]], 4n);
    expect(seats()).toEqual([1n, 1n, 1n]);
    for (const [who, share] of [[validator1, 8_333], [validator2, 8_333], [validator3, 8_334]] as const) {
      expect(call("claim-validation-rewards", [Cl.list([Cl.uint(4)])], who).result).toBeOk(Cl.uint(share));
    }
    expect(seats()).toEqual([0n, 0n, 0n]);
  });

  it("claims keep working while the market is paused", () => {
    matchedJob();
    submitAlone(85);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(25_000));
  });

  it("a committee that committed before a pause reveals and claims while paused", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 1_000_000n],
    ]);
    for (const who of [validator1, validator2]) expect(commit(who, 1n, 80).result).toBeOk(Cl.bool(true));
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, 1n, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1n, 80).result).toBeOk(Cl.bool(true));
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 25_000n, rewardWeight: 2_000_000n });

    const before = balances(validator1, validator2);
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(12_500));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(12_500));
    expect(deltas(before).get(validator1)).toBe(12_500n);
    expect(deltas(before).get(validator2)).toBe(12_500n);
  });

  it("emits validation-reward-claimed with the bid, validator, amount and coherence", () => {
    matchedJob();
    submitAlone(85);
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
