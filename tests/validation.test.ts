import { Cl } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import {
  BID_STATUS,
  DEFAULTS,
  OUTCOME,
  activeValidatorCount,
  balances,
  bidder,
  bidder2,
  contractId,
  decode,
  deltas,
  eventNames,
  expectErr,
  expectSolvent,
  getBid,
  getJobResult,
  getTally,
  getTotals,
  getValidator,
  getVote,
  height,
  matchedJob,
  mineUntil,
  outsider,
  placeBid,
  printEvents,
  provider,
  provider2,
  registerDataset,
  registerValidator,
  requestExit,
  stx,
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

const MIN = DEFAULTS.minValidatorStake;

/** The block after which no vote on the bid is accepted: deadline + validation-window. */
function closesAt(bidId: number | bigint): bigint {
  return (getBid(bidId)?.deadline as bigint) + DEFAULTS.validationWindow;
}

const stakes = (...who: string[]): [string, bigint][] => who.map((w) => [w, MIN]);

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// register-validator
// ---------------------------------------------------------------------------

describe("register-validator", () => {
  it("moves the stake into the contract and records an active validator", () => {
    const before = balances(validator1, contractId);
    const stake = 2_500_000n;
    const r = registerValidator(validator1, stake);
    expect(r.result).toBeOk(Cl.bool(true));

    expect(stxTransfers(r)).toEqual([{ sender: validator1, recipient: contractId, amount: stake }]);
    const moved = deltas(before);
    expect(moved.get(validator1)).toBe(-stake);
    expect(moved.get(contractId)).toBe(stake);

    expect(getValidator(validator1)).toEqual({
      stake,
      active: true,
      "exit-requested-at": 0n,
      "locked-until": 0n,
      "registered-at": height(),
    });
    expect(getTotals()["validator-stakes"]).toBe(stake);
    expect(activeValidatorCount()).toBe(1n);
    expect(printEvents(r)).toEqual([{ event: "validator-registered", validator: validator1, stake }]);
  });

  it("accepts exactly the minimum stake and rejects one micro-STX less (VALIDATOR_STAKE_TOO_LOW)", () => {
    const low = registerValidator(validator1, MIN - 1n);
    expectErr(low, "VALIDATOR_STAKE_TOO_LOW");
    expect(getValidator(validator1)).toBeNull();
    expect(stxTransfers(low)).toEqual([]);
    expect(activeValidatorCount()).toBe(0n);

    expect(registerValidator(validator1, MIN).result).toBeOk(Cl.bool(true));
    expect(getValidator(validator1)?.stake).toBe(MIN);
  });

  it("refuses a second registration of the same principal (VALIDATOR_EXISTS)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    const before = balances(validator1, contractId);
    expectErr(registerValidator(validator1, 5_000_000n), "VALIDATOR_EXISTS");
    expect(deltas(before).get(validator1)).toBe(0n);
    expect(getValidator(validator1)?.stake).toBe(MIN);
    expect(activeValidatorCount()).toBe(1n);
  });

  it("refuses to re-register while an exit is pending (VALIDATOR_EXISTS)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    expectErr(registerValidator(validator1), "VALIDATOR_EXISTS");
    expect(getValidator(validator1)?.active).toBe(false);
    expect(activeValidatorCount()).toBe(0n);
  });

  it("refuses a stake larger than the caller's balance (INSUFFICIENT_FUNDS)", () => {
    const all = stx(outsider);
    const r = registerValidator(outsider, all + 1n);
    expectErr(r, "INSUFFICIENT_FUNDS");
    expect(stx(outsider)).toBe(all);
    expect(getValidator(outsider)).toBeNull();
    expect(getTotals()["validator-stakes"]).toBe(0n);
    expect(activeValidatorCount()).toBe(0n);
  });

  it("allows re-registration after a full withdrawal, with the new stake", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    const unbondedAt = decode(requestExit(validator1).result) as bigint;
    mineUntil(unbondedAt);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(MIN));
    expect(getValidator(validator1)).toBeNull();

    const before = balances(validator1, contractId);
    const r = registerValidator(validator1, 3_000_000n);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(deltas(before).get(validator1)).toBe(-3_000_000n);
    expect(getValidator(validator1)).toMatchObject({
      stake: 3_000_000n,
      active: true,
      "exit-requested-at": 0n,
      "locked-until": 0n,
      "registered-at": unbondedAt,
    });
    expect(getTotals()["validator-stakes"]).toBe(3_000_000n);
    expect(activeValidatorCount()).toBe(1n);
  });
});

// ---------------------------------------------------------------------------
// request-validator-exit
// ---------------------------------------------------------------------------

describe("request-validator-exit", () => {
  it("marks the validator exiting, decrements the active count and returns height + unbonding", () => {
    for (const v of [validator1, validator2, validator3]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    expect(activeValidatorCount()).toBe(3n);
    mineUntil(10n);

    const r = requestExit(validator2);
    expect(r.result).toBeOk(Cl.uint(10n + DEFAULTS.validatorUnbondingBlocks));
    expect(activeValidatorCount()).toBe(2n);
    expect(getValidator(validator2)).toMatchObject({ active: false, "exit-requested-at": 10n, stake: MIN });
    // the stake stays in the contract until withdrawn
    expect(stxTransfers(r)).toEqual([]);
    expect(getTotals()["validator-stakes"]).toBe(3n * MIN);
    expect(printEvents(r)).toEqual([
      { event: "validator-exit-requested", validator: validator2, "unbonded-at": 10n + DEFAULTS.validatorUnbondingBlocks },
    ]);
  });

  it("stops the validator voting at once (VALIDATOR_EXITING on submit)", () => {
    const { datasetId, bidId } = matchedJob(stakes(validator1, validator2));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(2n + DEFAULTS.validatorUnbondingBlocks));
    expectErr(vote(validator1, datasetId, bidId, 80), "VALIDATOR_EXITING");
    expect(getVote(bidId, validator1)).toBeNull();
    expect(getTally(bidId)).toBeNull();
  });

  it("refuses a non-validator (VALIDATOR_NOT_FOUND)", () => {
    expectErr(requestExit(outsider), "VALIDATOR_NOT_FOUND");
    expect(activeValidatorCount()).toBe(0n);
  });

  it("refuses a second exit request (VALIDATOR_EXITING) and leaves the count alone", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(2n + DEFAULTS.validatorUnbondingBlocks));
    mineUntil(20n);
    expectErr(requestExit(validator1), "VALIDATOR_EXITING");
    expect(activeValidatorCount()).toBe(1n);
    expect(getValidator(validator1)?.["exit-requested-at"]).toBe(2n);
  });

  it("returns the end of the vote lock when it is later than the unbonding end", () => {
    const { datasetId, bidId } = matchedJob();
    expect(vote(validator1, datasetId, bidId, 80).result).toBeOk(Cl.bool(true));
    const closes = closesAt(bidId);
    expect(getValidator(validator1)?.["locked-until"]).toBe(closes);
    // unbonding would end at 2 + 144 = 146; the vote locks the stake through `closes`
    expect(closes + 1n).toBeGreaterThan(2n + DEFAULTS.validatorUnbondingBlocks);
    expect(requestExit(validator1).result).toBeOk(Cl.uint(closes + 1n));
  });
});

// ---------------------------------------------------------------------------
// withdraw-validator-stake
// ---------------------------------------------------------------------------

describe("withdraw-validator-stake", () => {
  it("fails one block before the returned height (UNBONDING_NOT_OVER) and pays the stake back at it", () => {
    expect(registerValidator(validator1, 4_000_000n).result).toBeOk(Cl.bool(true));
    const unbondedAt = decode(requestExit(validator1).result) as bigint;
    expect(unbondedAt).toBe(height() + DEFAULTS.validatorUnbondingBlocks);

    mineUntil(unbondedAt - 1n);
    expectErr(withdrawValidator(validator1), "UNBONDING_NOT_OVER");
    expect(getValidator(validator1)?.stake).toBe(4_000_000n);

    mineUntil(unbondedAt);
    const before = balances(validator1, contractId);
    const r = withdrawValidator(validator1);
    expect(r.result).toBeOk(Cl.uint(4_000_000n));
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: validator1, amount: 4_000_000n }]);
    const moved = deltas(before);
    expect(moved.get(validator1)).toBe(4_000_000n);
    expect(moved.get(contractId)).toBe(-4_000_000n);
    expect(getValidator(validator1)).toBeNull();
    expect(getTotals()["validator-stakes"]).toBe(0n);
    expect(printEvents(r)).toEqual([{ event: "validator-withdrawn", validator: validator1, amount: 4_000_000n }]);
  });

  it("refuses a non-validator (VALIDATOR_NOT_FOUND)", () => {
    expectErr(withdrawValidator(outsider), "VALIDATOR_NOT_FOUND");
  });

  it("refuses an active validator that has not requested an exit (VALIDATOR_NOT_EXITING)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    mineUntil(500n);
    const before = balances(validator1);
    expectErr(withdrawValidator(validator1), "VALIDATOR_NOT_EXITING");
    expect(deltas(before).get(validator1)).toBe(0n);
    expect(getValidator(validator1)?.active).toBe(true);
  });

  it("refuses a second withdrawal once paid out (VALIDATOR_NOT_FOUND)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    mineUntil(decode(requestExit(validator1).result) as bigint);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(MIN));
    expectErr(withdrawValidator(validator1), "VALIDATOR_NOT_FOUND");
  });

  it("keeps a voter's stake locked (VALIDATOR_STAKE_LOCKED) until deadline + validation-window of its job has passed", () => {
    const { datasetId, bidId } = matchedJob();
    // the vote finalizes the job, yet the stake stays locked through the job's window
    expect(vote(validator1, datasetId, bidId, 90).result).toBeOk(Cl.bool(true));
    expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.SETTLED));
    const closes = closesAt(bidId);
    expect(requestExit(validator1).result).toBeOk(Cl.uint(closes + 1n));

    // unbonding is long over here, only the lock holds
    mineUntil(closes);
    expect(height()).toBeGreaterThanOrEqual(2n + DEFAULTS.validatorUnbondingBlocks);
    expectErr(withdrawValidator(validator1), "VALIDATOR_STAKE_LOCKED");
    expect(getValidator(validator1)?.stake).toBe(MIN);

    mineUntil(closes + 1n);
    const before = balances(validator1);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(MIN));
    expect(deltas(before).get(validator1)).toBe(MIN);
  });

  it("locks until the latest of several voted jobs' windows", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(registerDataset(provider2).result).toBeOk(Cl.uint(2));
    expect(placeBid(bidder, 1, 500_000n, 100n, 400n).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 2, 500_000n, 100n, 200n).result).toBeOk(Cl.uint(2));
    // vote on the later job first, then the earlier one: the lock must not move back
    expect(vote(validator1, 1, 1, 80).result).toBeOk(Cl.bool(true));
    expect(vote(validator1, 2, 2, 80).result).toBeOk(Cl.bool(true));
    expect(getValidator(validator1)?.["locked-until"]).toBe(400n + DEFAULTS.validationWindow);
    expect(requestExit(validator1).result).toBeOk(Cl.uint(401n + DEFAULTS.validationWindow));

    mineUntil(200n + DEFAULTS.validationWindow + 1n);
    expectErr(withdrawValidator(validator1), "VALIDATOR_STAKE_LOCKED");
    mineUntil(400n + DEFAULTS.validationWindow + 1n);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(MIN));
  });
});

// ---------------------------------------------------------------------------
// submit-validation-result
// ---------------------------------------------------------------------------

describe("submit-validation-result", () => {
  it("records the vote weighted by stake, the tally, the lock and a validation-submitted event", () => {
    const { datasetId, bidId } = matchedJob([
      [validator1, 2_000_000n],
      [validator2, MIN],
      [validator3, MIN],
    ]);
    const before = balances(validator1, contractId, provider, bidder);
    const r = vote(validator1, datasetId, bidId, 77);
    expect(r.result).toBeOk(Cl.bool(false));
    expect(stxTransfers(r)).toEqual([]);
    expect([...deltas(before).values()]).toEqual([0n, 0n, 0n, 0n]);

    expect(getVote(bidId, validator1)).toEqual({ score: 77n, weight: 2_000_000n, claimed: false });
    expect(getTally(bidId)).toEqual({
      "vote-count": 1n,
      "weight-sum": 2_000_000n,
      "weighted-score-sum": 77n * 2_000_000n,
      voters: [validator1],
    });
    expect(getValidator(validator1)?.["locked-until"]).toBe(closesAt(bidId));
    expect(printEvents(r)).toEqual([
      { event: "validation-submitted", "bid-id": bidId, "dataset-id": datasetId, validator: validator1, score: 77n, weight: 2_000_000n },
    ]);
    expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.MATCHED));
    expect(getJobResult(bidId)).toBeNull();
  });

  it("accepts the boundary scores 0 and 100", () => {
    const { datasetId, bidId } = matchedJob(stakes(validator1, validator2, validator3));
    expect(vote(validator1, datasetId, bidId, 0).result).toBeOk(Cl.bool(false));
    expect(vote(validator2, datasetId, bidId, 100).result).toBeOk(Cl.bool(false));
    expect(getVote(bidId, validator1)?.score).toBe(0n);
    expect(getVote(bidId, validator2)?.score).toBe(100n);
    expect(getTally(bidId)?.["weighted-score-sum"]).toBe(100n * MIN);
  });

  it("rejects a score above 100 (INVALID_SCORE)", () => {
    const { datasetId, bidId } = matchedJob();
    expectErr(vote(validator1, datasetId, bidId, 101), "INVALID_SCORE");
    expect(getVote(bidId, validator1)).toBeNull();
    expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.MATCHED));
  });

  it("rejects an unknown bid (BID_NOT_FOUND)", () => {
    const { datasetId } = matchedJob();
    expectErr(vote(validator1, datasetId, 99, 80), "BID_NOT_FOUND");
  });

  it("rejects a bid named with another dataset (BID_DATASET_MISMATCH)", () => {
    const { bidId } = matchedJob();
    expect(registerDataset(provider2).result).toBeOk(Cl.uint(2));
    expectErr(vote(validator1, 2, bidId, 80), "BID_DATASET_MISMATCH");
    expect(getVote(bidId, validator1)).toBeNull();
    expect(getTally(bidId)).toBeNull();
  });

  it("rejects a vote on a queued bid (JOB_NOT_RUNNING)", () => {
    const { datasetId } = matchedJob();
    // the single slot is taken by bid 1, so bid 2 waits in the queue
    expect(placeBid(bidder2, datasetId).result).toBeOk(Cl.uint(2));
    expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.QUEUED));
    expectErr(vote(validator1, datasetId, 2, 80), "JOB_NOT_RUNNING");
    expect(getVote(2, validator1)).toBeNull();
  });

  it("rejects a vote on a settled job (JOB_NOT_RUNNING)", () => {
    const { datasetId, bidId } = matchedJob();
    expect(vote(validator1, datasetId, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    const before = balances(provider, bidder, contractId);
    expectErr(vote(validator2, datasetId, bidId, 10), "JOB_NOT_RUNNING");
    expect([...deltas(before).values()]).toEqual([0n, 0n, 0n]);
    expect(getJobResult(bidId)?.["final-score"]).toBe(80n);
    expect(getVote(bidId, validator2)).toBeNull();
  });

  it("is still open at exactly deadline + validation-window", () => {
    const { datasetId, bidId } = matchedJob();
    mineUntil(closesAt(bidId));
    expect(vote(validator1, datasetId, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.SETTLED));
  });

  it("is closed one block after deadline + validation-window (VALIDATION_CLOSED)", () => {
    const { datasetId, bidId } = matchedJob();
    mineUntil(closesAt(bidId) + 1n);
    expectErr(vote(validator1, datasetId, bidId, 80), "VALIDATION_CLOSED");
    expect(getVote(bidId, validator1)).toBeNull();
    expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.MATCHED));
  });

  it("rejects a caller that is not a validator (VALIDATOR_NOT_FOUND)", () => {
    const { datasetId, bidId } = matchedJob();
    expectErr(vote(outsider, datasetId, bidId, 80), "VALIDATOR_NOT_FOUND");
    expect(getVote(bidId, outsider)).toBeNull();
  });

  it("rejects an exiting validator (VALIDATOR_EXITING)", () => {
    const { datasetId, bidId } = matchedJob(stakes(validator1, validator2));
    expect(requestExit(validator2).result).toBeOk(Cl.uint(2n + DEFAULTS.validatorUnbondingBlocks));
    expectErr(vote(validator2, datasetId, bidId, 80), "VALIDATOR_EXITING");
    expect(getVote(bidId, validator2)).toBeNull();
  });

  it("rejects the job's provider registered as a validator (PARTY_CANNOT_VALIDATE)", () => {
    const { datasetId, bidId } = matchedJob(stakes(provider, validator1));
    expectErr(vote(provider, datasetId, bidId, 100), "PARTY_CANNOT_VALIDATE");
    expect(getVote(bidId, provider)).toBeNull();
    expect(getTally(bidId)).toBeNull();
  });

  it("rejects the job's bidder registered as a validator (PARTY_CANNOT_VALIDATE)", () => {
    const { datasetId, bidId } = matchedJob(stakes(bidder, validator1));
    expectErr(vote(bidder, datasetId, bidId, 0), "PARTY_CANNOT_VALIDATE");
    expect(getVote(bidId, bidder)).toBeNull();
    expect(getTally(bidId)).toBeNull();
  });

  it("rejects a second vote by the same validator on the same job (ALREADY_VOTED)", () => {
    const { datasetId, bidId } = matchedJob(stakes(validator1, validator2, validator3));
    expect(vote(validator1, datasetId, bidId, 80).result).toBeOk(Cl.bool(false));
    expectErr(vote(validator1, datasetId, bidId, 20), "ALREADY_VOTED");
    expect(getVote(bidId, validator1)?.score).toBe(80n);
    expect(getTally(bidId)).toMatchObject({ "vote-count": 1n, "weighted-score-sum": 80n * MIN });
  });
});

// ---------------------------------------------------------------------------
// Aggregation and quorum
// ---------------------------------------------------------------------------

describe("aggregation and quorum", () => {
  it("with 1 active validator the first vote finalizes the job", () => {
    const { datasetId, bidId } = matchedJob();
    const r = vote(validator1, datasetId, bidId, 85);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(eventNames(r)).toEqual(["validation-submitted", "job-finalized"]);
    expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.SETTLED));
    expect(getJobResult(bidId)).toMatchObject({
      "final-score": 85n,
      outcome: BigInt(OUTCOME.REWARDED),
      "finalized-at": height(),
    });
  });

  it("with 3 active validators the first two votes return false and the third finalizes", () => {
    const { datasetId, bidId } = matchedJob(stakes(validator1, validator2, validator3));
    const first = vote(validator1, datasetId, bidId, 80);
    expect(first.result).toBeOk(Cl.bool(false));
    expect(eventNames(first)).toEqual(["validation-submitted"]);
    const second = vote(validator2, datasetId, bidId, 80);
    expect(second.result).toBeOk(Cl.bool(false));
    expect(eventNames(second)).toEqual(["validation-submitted"]);
    expect(getJobResult(bidId)).toBeNull();
    expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.MATCHED));

    const third = vote(validator3, datasetId, bidId, 80);
    expect(third.result).toBeOk(Cl.bool(true));
    expect(eventNames(third)).toEqual(["validation-submitted", "job-finalized"]);
    expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.SETTLED));
    expect(getTally(bidId)?.["vote-count"]).toBe(3n);
  });

  it("with 5 active validators the quorum is 3: the third vote finalizes and a fourth is refused", () => {
    const { datasetId, bidId } = matchedJob(stakes(validator1, validator2, validator3, provider2, bidder2));
    expect(activeValidatorCount()).toBe(5n);
    expect(vote(validator1, datasetId, bidId, 70).result).toBeOk(Cl.bool(false));
    expect(vote(validator2, datasetId, bidId, 80).result).toBeOk(Cl.bool(false));
    expect(vote(validator3, datasetId, bidId, 90).result).toBeOk(Cl.bool(true));
    expect(getJobResult(bidId)?.["final-score"]).toBe(80n);
    expectErr(vote(provider2, datasetId, bidId, 80), "JOB_NOT_RUNNING");
    expect(getTally(bidId)?.voters).toEqual([validator1, validator2, validator3]);
  });

  it("uses the active count at the time of the vote: after an exit, 2 of the remaining 2 finalize", () => {
    const { datasetId, bidId } = matchedJob(stakes(validator1, validator2, validator3));
    expect(vote(validator1, datasetId, bidId, 80).result).toBeOk(Cl.bool(false));
    expect(requestExit(validator3).result).toBeOk(Cl.uint(2n + DEFAULTS.validatorUnbondingBlocks));
    expect(activeValidatorCount()).toBe(2n);
    expect(vote(validator2, datasetId, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.SETTLED));
  });

  it("computes the stake-weighted mean exactly: stakes 1M/3M, scores 90/50 give 60", () => {
    const { datasetId, bidId } = matchedJob([
      [validator1, 1_000_000n],
      [validator2, 3_000_000n],
    ]);
    const before = balances(provider, bidder, contractId);
    expect(vote(validator1, datasetId, bidId, 90).result).toBeOk(Cl.bool(false));
    const r = vote(validator2, datasetId, bidId, 50);
    expect(r.result).toBeOk(Cl.bool(true));

    expect(getTally(bidId)).toEqual({
      "vote-count": 2n,
      "weight-sum": 4_000_000n,
      "weighted-score-sum": 90n * 1_000_000n + 50n * 3_000_000n,
      voters: [validator1, validator2],
    });
    // (90*1 + 50*3) / 4 = 60; an unweighted mean would be 70
    const payment = (500_000n * (60n - 40n)) / (70n - 40n); // 333,333
    const fees = (payment * 500n) / 10_000n; // 16,666
    expect(getJobResult(bidId)).toMatchObject({
      "final-score": 60n,
      outcome: BigInt(OUTCOME.PARTIAL),
      "provider-payment": payment - fees,
      "bidder-refund": 500_000n - payment,
      "validator-fees": fees,
    });
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(payment - fees);
    expect(moved.get(bidder)).toBe(500_000n - payment);
  });

  it("rounds the weighted mean down (integer division): equal stakes, scores 90/91 give 90", () => {
    const { datasetId, bidId } = matchedJob(stakes(validator1, validator2));
    expect(vote(validator1, datasetId, bidId, 90).result).toBeOk(Cl.bool(false));
    expect(vote(validator2, datasetId, bidId, 91).result).toBeOk(Cl.bool(true));
    expect(getJobResult(bidId)?.["final-score"]).toBe(90n);
  });

  it("emits validation-submitted then job-finalized with the settlement figures on the deciding vote", () => {
    const { datasetId, bidId } = matchedJob(stakes(validator1, validator2));
    expect(vote(validator1, datasetId, bidId, 100).result).toBeOk(Cl.bool(false));
    const r = vote(validator2, datasetId, bidId, 90);
    expect(r.result).toBeOk(Cl.bool(true));
    const events = printEvents(r);
    expect(events.map((e) => e.event)).toEqual(["validation-submitted", "job-finalized"]);
    expect(events[0]).toEqual({
      event: "validation-submitted",
      "bid-id": bidId,
      "dataset-id": datasetId,
      validator: validator2,
      score: 90n,
      weight: MIN,
    });
    expect(events[1]).toEqual({
      event: "job-finalized",
      "bid-id": bidId,
      "dataset-id": datasetId,
      "final-score": 95n,
      outcome: BigInt(OUTCOME.REWARDED),
      "provider-payment": 475_000n,
      "bidder-refund": 0n,
      "slashed-amount": 0n,
      "validator-fees": 25_000n,
      "protocol-fee": 0n,
      "treasury-gain": 0n,
    });
  });
});
