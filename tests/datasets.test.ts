import { Cl } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import {
  BID_STATUS,
  DEFAULTS,
  OUTCOME,
  addStake,
  balances,
  bidder,
  bidder2,
  contractId,
  deltas,
  eventNames,
  expectErr,
  expectSolvent,
  expireBid,
  finalizeValidation,
  finalizedJob,
  getBid,
  getDataset,
  getJobResult,
  getTotals,
  height,
  matchedJob,
  mineUntil,
  outsider,
  placeBid,
  printEvents,
  provider,
  provider2,
  registerDataset,
  setPaused,
  setTerms,
  stx,
  stxTransfers,
  validator1,
  vote,
  withdrawStake,
} from "./helpers.ts";

// ---------------------------------------------------------------------------
// Local builders
// ---------------------------------------------------------------------------

/** A registered (default stake) dataset u1 that was withdrawn at once: retired. */
function retiredDataset() {
  expect(registerDataset().result).toBeOk(Cl.uint(1));
  expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
  expect(getDataset(1)?.active).toBe(false);
}

/**
 * Dataset u1 (stake 1,000,000, one slot) with running job u1 (bidder) and
 * queued bid u2 (bidder2); job u1 is then scored 20 by the only validator, so
 * the stake is slashed to 500,000 (below the minimum) and bid u2 stays queued.
 */
function slashedWithQueuedBid() {
  matchedJob();
  expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
  expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.QUEUED));
  expect(vote(validator1, 1, 1, 20).result).toBeOk(Cl.bool(true));
  expect(getJobResult(1)).toMatchObject({ outcome: BigInt(OUTCOME.SLASHED), "slashed-amount": 500_000n });
  expect(getDataset(1)).toMatchObject({ stake: 500_000n, "active-jobs": 0n, "queued-jobs": 1n, "queue-head": 2n });
  expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.QUEUED));
}

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// register-dataset
// ---------------------------------------------------------------------------

describe("register-dataset", () => {
  it("escrows the stake and stores the dataset with default terms", () => {
    const before = balances(provider, contractId);
    const r = registerDataset(provider, 2_500_000n, "ipfs://bafy-dataset");
    expect(r.result).toBeOk(Cl.uint(1));

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(-2_500_000n);
    expect(moved.get(contractId)).toBe(2_500_000n);
    expect(stxTransfers(r)).toEqual([{ sender: provider, recipient: contractId, amount: 2_500_000n }]);

    expect(getDataset(1)).toEqual({
      provider,
      stake: 2_500_000n,
      "metadata-uri": "ipfs://bafy-dataset",
      "price-per-block": 0n,
      "max-concurrent-jobs": 1n,
      "active-jobs": 0n,
      "queued-jobs": 0n,
      "queue-head": 0n,
      "queue-tail": 0n,
      "matched-jobs": 0n,
      validations: 0n,
      "passed-validations": 0n,
      "score-sum": 0n,
      "last-settled-at": 0n,
      "registered-at": height(),
      active: true,
      "quality-score": 0n,
    });
    expect(getTotals()["dataset-stakes"]).toBe(2_500_000n);
  });

  it("emits dataset-registered with the id, provider, stake and URI", () => {
    const r = registerDataset(provider, DEFAULTS.minDatasetStake, "ar://metadata");
    expect(eventNames(r)).toEqual(["dataset-registered"]);
    expect(printEvents(r)[0]).toEqual({
      event: "dataset-registered",
      "dataset-id": 1n,
      provider,
      stake: DEFAULTS.minDatasetStake,
      "metadata-uri": "ar://metadata",
    });
  });

  it("numbers datasets from u1 upwards, one id per successful registration", () => {
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expectErr(registerDataset(provider2, DEFAULTS.minDatasetStake - 1n), "STAKE_TOO_LOW");
    expect(registerDataset(provider2).result).toBeOk(Cl.uint(2));
    expect(registerDataset(provider).result).toBeOk(Cl.uint(3));
    expect(getDataset(2)?.provider).toBe(provider2);
    expect(getDataset(3)?.provider).toBe(provider);
    expect(getDataset(4)).toBeNull();
    expect(getTotals()["dataset-stakes"]).toBe(3n * DEFAULTS.minDatasetStake);
  });

  it("accepts a stake of exactly min-dataset-stake and a 256-character URI", () => {
    const uri = "u".repeat(256);
    expect(registerDataset(provider, DEFAULTS.minDatasetStake, uri).result).toBeOk(Cl.uint(1));
    expect(getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, "metadata-uri": uri });
  });

  it("rejects a stake below min-dataset-stake with ERR_STAKE_TOO_LOW and moves nothing", () => {
    const before = balances(provider, contractId);
    const r = registerDataset(provider, DEFAULTS.minDatasetStake - 1n);
    expectErr(r, "STAKE_TOO_LOW");
    expect(r.events).toEqual([]);
    expect(deltas(before).get(provider)).toBe(0n);
    expect(getDataset(1)).toBeNull();
  });

  it("rejects an empty metadata URI with ERR_EMPTY_METADATA_URI", () => {
    const before = balances(provider, contractId);
    expectErr(registerDataset(provider, DEFAULTS.minDatasetStake, ""), "EMPTY_METADATA_URI");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(getDataset(1)).toBeNull();
  });

  it("rejects a stake larger than the caller's balance with ERR_INSUFFICIENT_FUNDS", () => {
    const before = balances(provider, contractId);
    expectErr(registerDataset(provider, stx(provider) + 1n), "INSUFFICIENT_FUNDS");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(getDataset(1)).toBeNull();
    expect(getTotals()["dataset-stakes"]).toBe(0n);
  });
});

// ---------------------------------------------------------------------------
// add-dataset-stake
// ---------------------------------------------------------------------------

describe("add-dataset-stake", () => {
  it("adds to the stake, returns the new stake and emits dataset-stake-added", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, contractId);
    const r = addStake(provider, 1, 750_000n);
    expect(r.result).toBeOk(Cl.uint(1_750_000n));

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(-750_000n);
    expect(moved.get(contractId)).toBe(750_000n);
    expect(stxTransfers(r)).toEqual([{ sender: provider, recipient: contractId, amount: 750_000n }]);
    expect(printEvents(r)).toEqual([
      { event: "dataset-stake-added", "dataset-id": 1n, amount: 750_000n, stake: 1_750_000n },
    ]);
    expect(getDataset(1)).toMatchObject({ stake: 1_750_000n, active: true });
    expect(getTotals()["dataset-stakes"]).toBe(1_750_000n);
  });

  it("after a slash (final score < 40 halves the stake) a top-up back to the minimum reopens the dataset and matches its queued bid", () => {
    slashedWithQueuedBid();
    // understaked: no new bids
    expectErr(placeBid(outsider, 1), "DATASET_UNDERSTAKED");

    const before = balances(provider, contractId, bidder2);
    const r = addStake(provider, 1, 500_000n);
    expect(r.result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    // validator1 is the only validator: the matched job's one-seat committee is seated at once
    expect(eventNames(r)).toEqual(["dataset-stake-added", "bid-matched", "committee-drawn"]);
    expect(printEvents(r)[1]).toEqual({
      event: "bid-matched",
      "bid-id": 2n,
      "dataset-id": 1n,
      bidder: bidder2,
      "matched-at": height(),
    });
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(-500_000n);
    expect(moved.get(contractId)).toBe(500_000n);
    expect(moved.get(bidder2)).toBe(0n);

    expect(getBid(2)).toMatchObject({ status: BigInt(BID_STATUS.MATCHED), "matched-at": height() });
    expect(getDataset(1)).toMatchObject({
      stake: DEFAULTS.minDatasetStake,
      "active-jobs": 1n,
      "queued-jobs": 0n,
      "queue-head": 0n,
      "queue-tail": 0n,
      "matched-jobs": 2n,
    });
    expect(getTotals()).toMatchObject({ "dataset-stakes": DEFAULTS.minDatasetStake, "escrowed-bids": 500_000n });
  });

  it("a top-up that leaves the stake below the minimum keeps the dataset closed and its bids queued", () => {
    slashedWithQueuedBid();
    const r = addStake(provider, 1, 499_999n);
    expect(r.result).toBeOk(Cl.uint(999_999n));
    expect(eventNames(r)).toEqual(["dataset-stake-added"]);
    expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.QUEUED));
    expect(getDataset(1)).toMatchObject({ stake: 999_999n, "active-jobs": 0n, "queued-jobs": 1n, "queue-head": 2n });
    expectErr(placeBid(outsider, 1), "DATASET_UNDERSTAKED");
  });

  it("rejects a zero amount with ERR_ZERO_AMOUNT", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, contractId);
    expectErr(addStake(provider, 1, 0), "ZERO_AMOUNT");
    expect(deltas(before).get(contractId)).toBe(0n);
    expect(getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
  });

  it("rejects an unknown dataset with ERR_DATASET_NOT_FOUND", () => {
    expectErr(addStake(provider, 1, 100_000n), "DATASET_NOT_FOUND");
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(addStake(provider, 2, 100_000n), "DATASET_NOT_FOUND");
  });

  it("rejects anyone but the provider with ERR_NOT_DATASET_PROVIDER", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider2, contractId);
    expectErr(addStake(provider2, 1, 100_000n), "NOT_DATASET_PROVIDER");
    expectErr(addStake(bidder, 1, 100_000n), "NOT_DATASET_PROVIDER");
    expect(deltas(before).get(contractId)).toBe(0n);
    expect(getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
  });

  it("rejects a retired dataset with ERR_DATASET_INACTIVE", () => {
    retiredDataset();
    const before = balances(provider, contractId);
    expectErr(addStake(provider, 1, DEFAULTS.minDatasetStake), "DATASET_INACTIVE");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(getDataset(1)).toMatchObject({ stake: 0n, active: false });
  });

  it("rejects an amount larger than the provider's balance with ERR_INSUFFICIENT_FUNDS", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, contractId);
    expectErr(addStake(provider, 1, stx(provider) + 1n), "INSUFFICIENT_FUNDS");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
  });
});

// ---------------------------------------------------------------------------
// set-dataset-terms
// ---------------------------------------------------------------------------

describe("set-dataset-terms", () => {
  it("stores the price and capacity, emits dataset-terms-set and moves no STX", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, contractId);
    const r = setTerms(provider, 1, 2_000n, 4n);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(printEvents(r)).toEqual([
      { event: "dataset-terms-set", "dataset-id": 1n, "price-per-block": 2_000n, "max-concurrent-jobs": 4n },
    ]);
    expect(stxTransfers(r)).toEqual([]);
    expect(deltas(before).get(contractId)).toBe(0n);
    expect(getDataset(1)).toMatchObject({ "price-per-block": 2_000n, "max-concurrent-jobs": 4n, stake: DEFAULTS.minDatasetStake });
  });

  it("the price is the ask: a bid below price * duration is refused, one at it is accepted", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(setTerms(provider, 1, 2_000n, 1n).result).toBeOk(Cl.bool(true));
    expectErr(placeBid(bidder, 1, 199_999n, 100n), "BID_BELOW_ASK");
    expect(placeBid(bidder, 1, 200_000n, 100n).result).toBeOk(Cl.uint(1));
  });

  it("accepts the bounds: price 1e12 and capacity 1000, price 0 and capacity 1", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(setTerms(provider, 1, 1_000_000_000_000n, 1000n).result).toBeOk(Cl.bool(true));
    expect(getDataset(1)).toMatchObject({ "price-per-block": 1_000_000_000_000n, "max-concurrent-jobs": 1000n });
    expect(setTerms(provider, 1, 0n, 1n).result).toBeOk(Cl.bool(true));
    expect(getDataset(1)).toMatchObject({ "price-per-block": 0n, "max-concurrent-jobs": 1n });
  });

  it("raising the capacity matches queued bids into the new slots in FIFO order", () => {
    matchedJob();
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
    expect(placeBid(outsider, 1).result).toBeOk(Cl.uint(3));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(4));
    expect(getDataset(1)).toMatchObject({ "active-jobs": 1n, "queued-jobs": 3n, "queue-head": 2n, "queue-tail": 4n });

    const before = balances(bidder, bidder2, outsider, contractId);
    const r = setTerms(provider, 1, 0n, 3n);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(eventNames(r)).toEqual(["dataset-terms-set", "bid-matched", "committee-drawn", "bid-matched", "committee-drawn"]);
    expect(printEvents(r).filter((e) => e.event === "bid-matched").map((e) => e["bid-id"])).toEqual([2n, 3n]);
    expect([...deltas(before).values()]).toEqual([0n, 0n, 0n, 0n]);

    expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.MATCHED));
    expect(getBid(3)?.status).toBe(BigInt(BID_STATUS.MATCHED));
    expect(getBid(4)?.status).toBe(BigInt(BID_STATUS.QUEUED));
    expect(getDataset(1)).toMatchObject({
      "max-concurrent-jobs": 3n,
      "active-jobs": 3n,
      "matched-jobs": 3n,
      "queued-jobs": 1n,
      "queue-head": 4n,
      "queue-tail": 4n,
    });
  });

  it("rejects an unknown dataset with ERR_DATASET_NOT_FOUND", () => {
    expectErr(setTerms(provider, 1, 0n, 1n), "DATASET_NOT_FOUND");
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(setTerms(provider, 2, 0n, 1n), "DATASET_NOT_FOUND");
  });

  it("rejects anyone but the provider with ERR_NOT_DATASET_PROVIDER", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(setTerms(provider2, 1, 5_000n, 2n), "NOT_DATASET_PROVIDER");
    expectErr(setTerms(bidder, 1, 5_000n, 2n), "NOT_DATASET_PROVIDER");
    expect(getDataset(1)).toMatchObject({ "price-per-block": 0n, "max-concurrent-jobs": 1n });
  });

  it("rejects a retired dataset with ERR_DATASET_INACTIVE", () => {
    retiredDataset();
    expectErr(setTerms(provider, 1, 5_000n, 2n), "DATASET_INACTIVE");
    expect(getDataset(1)).toMatchObject({ "price-per-block": 0n, "max-concurrent-jobs": 1n, active: false });
  });

  it("rejects a price above 1e12 per block with ERR_INVALID_PRICE", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(setTerms(provider, 1, 1_000_000_000_001n, 1n), "INVALID_PRICE");
    expect(getDataset(1)?.["price-per-block"]).toBe(0n);
  });

  it("rejects a capacity of 0 or above 1000 with ERR_INVALID_CAPACITY", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(setTerms(provider, 1, 0n, 0n), "INVALID_CAPACITY");
    expectErr(setTerms(provider, 1, 0n, 1001n), "INVALID_CAPACITY");
    expect(getDataset(1)?.["max-concurrent-jobs"]).toBe(1n);
  });
});

// ---------------------------------------------------------------------------
// withdraw-dataset-stake
// ---------------------------------------------------------------------------

describe("withdraw-dataset-stake", () => {
  it("a dataset that never had a matched job: returns the whole stake, retires it, emits dataset-withdrawn", () => {
    expect(registerDataset(provider, 2_500_000n).result).toBeOk(Cl.uint(1));
    expect(addStake(provider, 1, 500_000n).result).toBeOk(Cl.uint(3_000_000n));
    const before = balances(provider, contractId);
    const r = withdrawStake(provider, 1);
    expect(r.result).toBeOk(Cl.uint(3_000_000n));

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(3_000_000n);
    expect(moved.get(contractId)).toBe(-3_000_000n);
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: provider, amount: 3_000_000n }]);
    expect(printEvents(r)).toEqual([
      { event: "dataset-withdrawn", "dataset-id": 1n, provider, amount: 3_000_000n },
    ]);
    expect(getDataset(1)).toMatchObject({ stake: 0n, active: false, provider, "matched-jobs": 0n });
    expect(getTotals()["dataset-stakes"]).toBe(0n);
  });

  it("is allowed at once after a passed validation (final score >= 70)", () => {
    finalizedJob(85);
    expect(getDataset(1)).toMatchObject({ "passed-validations": 1n, "active-jobs": 0n });

    const before = balances(provider, contractId);
    const r = withdrawStake(provider, 1);
    expect(r.result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(deltas(before).get(provider)).toBe(DEFAULTS.minDatasetStake);
    expect(eventNames(r)).toEqual(["dataset-withdrawn"]);
    expect(getDataset(1)).toMatchObject({ stake: 0n, active: false });
  });

  it("after a job that did not pass (partial score) it is ERR_STAKE_LOCKED until stake-lock-blocks after settlement", () => {
    finalizedJob(55);
    expect(getJobResult(1)?.outcome).toBe(BigInt(OUTCOME.PARTIAL));
    const settledAt = height();
    expect(getDataset(1)).toMatchObject({ "passed-validations": 0n, "last-settled-at": settledAt, "active-jobs": 0n });

    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    simnet.mineEmptyBlocks(Number(DEFAULTS.stakeLockBlocks));
    expect(height()).toBe(settledAt + DEFAULTS.stakeLockBlocks);
    const before = balances(provider, contractId);
    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, active: true });

    simnet.mineEmptyBlocks(1);
    const r = withdrawStake(provider, 1);
    expect(r.result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(deltas(before).get(provider)).toBe(DEFAULTS.minDatasetStake);
    expect(getDataset(1)).toMatchObject({ stake: 0n, active: false });
  });

  it("after a slashed job it is locked for stake-lock-blocks, then returns the halved stake", () => {
    finalizedJob(10);
    expect(getDataset(1)?.stake).toBe(500_000n);
    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    simnet.mineEmptyBlocks(Number(DEFAULTS.stakeLockBlocks) + 1);
    const before = balances(provider, contractId);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(500_000n));
    expect(deltas(before).get(provider)).toBe(500_000n);
    expect(getTotals()["dataset-stakes"]).toBe(0n);
  });

  it("after an expired job it is ERR_STAKE_LOCKED until stake-lock-blocks after the expiry, then allowed", () => {
    matchedJob();
    const deadline = getBid(1)?.deadline as bigint;
    mineUntil(deadline + DEFAULTS.validationWindow + DEFAULTS.revealWindow + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(500_000n));
    const expiredAt = height();
    expect(getDataset(1)).toMatchObject({
      "active-jobs": 0n,
      "last-settled-at": expiredAt,
      validations: 0n,
      stake: DEFAULTS.minDatasetStake,
    });

    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    simnet.mineEmptyBlocks(Number(DEFAULTS.stakeLockBlocks));
    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    simnet.mineEmptyBlocks(1);
    const before = balances(provider, contractId);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(deltas(before).get(provider)).toBe(DEFAULTS.minDatasetStake);
    expect(getDataset(1)?.active).toBe(false);
  });

  it("after a job refunded by finalize-validation (no reveal) it is ERR_STAKE_LOCKED until stake-lock-blocks after the refund", () => {
    matchedJob();
    const deadline = getBid(1)?.deadline as bigint;
    mineUntil(deadline + DEFAULTS.validationWindow + DEFAULTS.revealWindow + 1n);
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    expect(getBid(1)?.status).toBe(BigInt(BID_STATUS.EXPIRED));
    const refundedAt = height();
    expect(getDataset(1)).toMatchObject({
      "active-jobs": 0n,
      "last-settled-at": refundedAt,
      validations: 0n,
      stake: DEFAULTS.minDatasetStake,
    });

    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    mineUntil(refundedAt + DEFAULTS.stakeLockBlocks);
    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    simnet.mineEmptyBlocks(1);
    const before = balances(provider, contractId);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(deltas(before).get(provider)).toBe(DEFAULTS.minDatasetStake);
    expect(getDataset(1)).toMatchObject({ active: false, stake: 0n });
  });

  it("is refused with ERR_DATASET_HAS_OPEN_JOBS while a job is running", () => {
    matchedJob();
    const before = balances(provider, contractId);
    expectErr(withdrawStake(provider, 1), "DATASET_HAS_OPEN_JOBS");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(getDataset(1)).toMatchObject({ "active-jobs": 1n, active: true, stake: DEFAULTS.minDatasetStake });
  });

  it("is refused with ERR_DATASET_HAS_OPEN_JOBS while a bid is queued (no job running)", () => {
    matchedJob();
    // bid u2 waits behind job u1 with a deadline far enough to outlive job u1's expiry
    expect(placeBid(bidder2, 1, 500_000n, 100n, height() + 2_000n).result).toBeOk(Cl.uint(2));
    // while paused the freed slot is not refilled, so bid u2 stays queued with no job running
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const deadline = getBid(1)?.deadline as bigint;
    mineUntil(deadline + DEFAULTS.validationWindow + DEFAULTS.revealWindow + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(500_000n));
    expect(getDataset(1)).toMatchObject({ "active-jobs": 0n, "queued-jobs": 1n, "queue-head": 2n });

    const before = balances(provider, contractId);
    expectErr(withdrawStake(provider, 1), "DATASET_HAS_OPEN_JOBS");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(getDataset(1)).toMatchObject({ active: true, stake: DEFAULTS.minDatasetStake, "queued-jobs": 1n });
    expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.QUEUED));
  });

  it("is refused the second time with ERR_DATASET_INACTIVE", () => {
    retiredDataset();
    const before = balances(provider, contractId);
    expectErr(withdrawStake(provider, 1), "DATASET_INACTIVE");
    expect(deltas(before).get(provider)).toBe(0n);
  });

  it("a retired dataset refuses new bids with ERR_DATASET_INACTIVE", () => {
    retiredDataset();
    const before = balances(bidder, contractId);
    expectErr(placeBid(bidder, 1), "DATASET_INACTIVE");
    expect(deltas(before).get(bidder)).toBe(0n);
    expect(getBid(1)).toBeNull();
  });

  it("rejects an unknown dataset with ERR_DATASET_NOT_FOUND", () => {
    expectErr(withdrawStake(provider, 1), "DATASET_NOT_FOUND");
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(withdrawStake(provider, 2), "DATASET_NOT_FOUND");
  });

  it("rejects anyone but the provider with ERR_NOT_DATASET_PROVIDER", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, provider2, contractId);
    expectErr(withdrawStake(provider2, 1), "NOT_DATASET_PROVIDER");
    expectErr(withdrawStake(outsider, 1), "NOT_DATASET_PROVIDER");
    expect([...deltas(before).values()]).toEqual([0n, 0n, 0n]);
    expect(getDataset(1)).toMatchObject({ active: true, stake: DEFAULTS.minDatasetStake });
  });
});
