import { Cl } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULTS,
  addStake,
  balances,
  bidder,
  bidder2,
  call,
  cancelBid,
  claim,
  commit,
  contractId,
  declineJob,
  deltas,
  deployer,
  eventNames,
  expectErr,
  expectSolvent,
  expireBid,
  finalizeValidation,
  finalizedJob,
  height,
  matchQueued,
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
  stx,
  stxTransfers,
  validator1,
  validator2,
  validator3,
  vote,
  withdrawStake,
} from "./helpers.ts";

// ---------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------

/** Asserts the dataset's FIFO queue is exactly `ids`, in order: head, tail, length and every link. */
function expectQueue(datasetId: number | bigint, ids: bigint[]) {
  const d = read.getDataset(datasetId)!;
  expect(d.queueHead).toBe(ids[0] ?? 0n);
  expect(d.queueTail).toBe(ids.at(-1) ?? 0n);
  expect(d.queuedJobs).toBe(BigInt(ids.length));
  ids.forEach((id, i) => {
    expect(read.getQueueLink(id)).toEqual({ prev: ids[i - 1] ?? 0n, next: ids[i + 1] ?? 0n });
    expect(read.getBid(id)?.status).toBe("QUEUED");
  });
}

/** A failed call: the named error, no event, no STX moved, no bid created. */
function expectRejected(result: ReturnType<typeof call>, name: Parameters<typeof expectErr>[1], lastId = 0n) {
  expectErr(result, name);
  expect(result.events).toEqual([]);
  expect(read.getLastIds().bidId).toBe(lastId);
}

/** The largest Clarity uint. */
const MAX_UINT = 2n ** 128n - 1n;

/** Blocks after a matched job's deadline until its reveal window closes: validation-window + reveal-window (288). */
const REVEAL_CLOSES = DEFAULTS.validationWindow + DEFAULTS.revealWindow;

type QueuedSpec = { who?: string; amount?: bigint; duration?: bigint; deadline?: bigint };
const QUEUE_BIDDERS = [bidder2, outsider, provider2, deployer];
const queuedAmount = (i: number) => 200_000n + BigInt(i) * 10_000n;

/**
 * validator1 registered (a one-seat committee), dataset 1 (provider, capacity 1), bid 1 (bidder,
 * 500,000, duration 100, deadline height+150) running, then the given bids queued in order
 * (bid ids 2, 3, ...; default bidders bidder2, outsider, provider2, deployer; amounts
 * 200,000, 210,000, ...; duration 100; deadline height+1000).
 */
function busyDataset(queued: QueuedSpec[] = [{}, {}]) {
  const { datasetId, bidId } = matchedJob();
  const ids = queued.map((spec, i) => {
    const who = spec.who ?? QUEUE_BIDDERS[i % QUEUE_BIDDERS.length];
    const deadline = spec.deadline ?? height() + 1000n;
    const r = placeBid(who, datasetId, spec.amount ?? queuedAmount(i), spec.duration ?? 100n, deadline);
    const id = BigInt(i + 2);
    expect(r.result).toBeOk(Cl.uint(id));
    return id;
  });
  expectQueue(datasetId, ids);
  return { datasetId, running: bidId, ids, runningDeadline: read.getBid(bidId)!.deadline as bigint };
}

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// place-computation-bid
// ---------------------------------------------------------------------------

describe("place-computation-bid", () => {
  it("escrows exactly the amount from the bidder and records the bid", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(bidder, contractId, provider);
    const totalsBefore = read.getMarketTotals();
    // the call is mined in the next Stacks block: the one the match records
    const matchBlock = BigInt(simnet.stacksBlockHeight) + 1n;

    const r = placeBid(bidder, 1, 345_678n, 120n, 500n);
    expect(r.result).toBeOk(Cl.uint(1));

    expect(stxTransfers(r)).toEqual([{ sender: bidder, recipient: contractId, amount: 345_678n }]);
    const moved = deltas(before);
    expect(moved.get(bidder)).toBe(-345_678n);
    expect(moved.get(contractId)).toBe(345_678n);
    expect(moved.get(provider)).toBe(0n);
    expect(read.getMarketTotals()).toEqual({ ...totalsBefore, escrowedBids: totalsBefore.escrowedBids + 345_678n });
    expect(read.getBid(1)).toEqual({
      datasetId: 1n,
      bidder,
      amount: 345_678n,
      duration: 120n,
      deadline: 500n,
      status: "MATCHED",
      placedAt: 2n,
      matchedAt: 2n,
      matchedBlock: matchBlock,
      // no validator registered and no pause yet: the match records an empty market
      validatorsAtMatch: 0n,
      registrationsAtMatch: 0n,
      pausesAtMatch: 0n,
      // a plain job: no delivery, no compute fee
      verified: false,
      computeFee: 0n,
      parameterVersion: 1n,
    });
    expect(read.getLastIds().bidId).toBe(1n);
  });

  it("matches at once when the dataset has a free slot and an empty queue (bid-placed, bid-matched)", () => {
    registerDataset();
    simnet.mineEmptyBlocks(3);
    const r = placeBid(bidder, 1, 500_000n, 100n, 200n);
    expect(r.result).toBeOk(Cl.uint(1));

    expect(printEvents(r)).toEqual([
      { event: "bid-placed", "bid-id": 1n, "dataset-id": 1n, bidder, amount: 500_000n, duration: 100n, deadline: 200n },
      { event: "bid-matched", "bid-id": 1n, "dataset-id": 1n, bidder, "matched-at": 5n },
    ]);
    expect(read.getBid(1)).toMatchObject({ status: "MATCHED", placedAt: 5n, matchedAt: 5n });
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, matchedJobs: 1n });
    expectQueue(1, []);
    expect(read.getQueueLink(1)).toBeNull();
  });

  it("queues the bid when every slot is busy (bid-placed only, escrow still taken)", () => {
    matchedJob();
    const before = balances(bidder2, contractId);
    const r = placeBid(bidder2, 1, 250_000n, 100n, 900n);
    expect(r.result).toBeOk(Cl.uint(2));

    expect(printEvents(r)).toEqual([
      { event: "bid-placed", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, amount: 250_000n, duration: 100n, deadline: 900n },
    ]);
    expect(deltas(before)).toEqual(new Map([[bidder2, -250_000n], [contractId, 250_000n]]));
    expect(read.getBid(2)).toMatchObject({ status: "QUEUED", placedAt: 2n, matchedAt: 0n });
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, matchedJobs: 1n });
    expectQueue(1, [2n]);
    expect(read.getMarketTotals().escrowedBids).toBe(500_000n + 250_000n);
  });

  it("does not jump a non-empty queue: with a free slot, the queue head is matched and the new bid queued", () => {
    const { ids, runningDeadline } = busyDataset([{}]);
    // a pause stops matching, so the running job's expiry leaves a free slot and a queue; it starts
    // inside job 1's commit window, so validator1's silent seat is excused (no penalty, it stays active)
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    mineUntil(runningDeadline + REVEAL_CLOSES + 1n);
    const expired = expireBid(outsider, 1);
    expect(expired.result).toBeOk(Cl.uint(500_000n));
    expect(eventNames(expired)).toEqual(["bid-expired"]);
    expect(read.getValidator(validator1)).toMatchObject({ stake: 1_000_000n, active: true, openSeats: 0n });
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 0n });
    expectQueue(1, ids);

    const r = placeBid(outsider, 1, 300_000n, 100n, height() + 500n);
    expect(r.result).toBeOk(Cl.uint(3));
    // the matched head's one-seat committee (validator1, excused from silence by the pause) is seated at once
    expect(eventNames(r)).toEqual(["bid-placed", "bid-matched", "committee-drawn"]);
    expect(printEvents(r)[1]).toMatchObject({ "bid-id": 2n, bidder: bidder2 });
    expect(printEvents(r)[2]).toEqual({ event: "committee-drawn", "bid-id": 2n, seats: [validator1], random: false });
    expect(read.getBid(2)?.status).toBe("MATCHED");
    expectQueue(1, [3n]);
  });

  it("rejects an unknown dataset with DATASET_NOT_FOUND", () => {
    expectRejected(placeBid(bidder, 1), "DATASET_NOT_FOUND");
    registerDataset();
    expectRejected(placeBid(bidder, 2), "DATASET_NOT_FOUND");
  });

  it("rejects a retired dataset with DATASET_INACTIVE", () => {
    registerDataset();
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(1_000_000n));
    expectRejected(placeBid(bidder, 1), "DATASET_INACTIVE");
  });

  it("rejects a dataset whose stake was slashed below the minimum with DATASET_UNDERSTAKED", () => {
    finalizedJob(10);
    expect(read.getDataset(1)?.stake).toBe(500_000n);
    expectRejected(placeBid(bidder2, 1), "DATASET_UNDERSTAKED", 1n);
  });

  it("rejects the dataset's provider with SELF_BID", () => {
    registerDataset();
    expectRejected(placeBid(provider, 1), "SELF_BID");
  });

  it("rejects an amount below 100,000 with BID_TOO_LOW and accepts exactly 100,000", () => {
    registerDataset();
    expectRejected(placeBid(bidder, 1, DEFAULTS.minBidAmount - 1n), "BID_TOO_LOW");
    expect(placeBid(bidder, 1, DEFAULTS.minBidAmount).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)?.amount).toBe(100_000n);
  });

  it("rejects a duration of 0 or above 4320 with INVALID_DURATION and accepts exactly 4320", () => {
    registerDataset();
    expectRejected(placeBid(bidder, 1, 500_000n, 0n, height() + 10n), "INVALID_DURATION");
    expectRejected(placeBid(bidder, 1, 500_000n, 4321n), "INVALID_DURATION");
    expect(placeBid(bidder, 1, 500_000n, 4320n, height() + 4320n).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)).toMatchObject({ duration: 4320n, status: "MATCHED" });
  });

  it("rejects an amount below price * duration with BID_BELOW_ASK and accepts exactly price * duration", () => {
    registerDataset();
    expect(setTerms(provider, 1, 1_000n, 1n).result).toBeOk(Cl.bool(true));
    expectRejected(placeBid(bidder, 1, 199_999n, 200n), "BID_BELOW_ASK");
    expect(placeBid(bidder, 1, 200_000n, 200n).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)?.amount).toBe(200_000n);
  });

  it("rejects a deadline before burn-height + duration with DEADLINE_UNREACHABLE and accepts exactly burn-height + duration", () => {
    registerDataset();
    simnet.mineEmptyBlocks(7);
    expectRejected(placeBid(bidder, 1, 500_000n, 100n, height() + 99n), "DEADLINE_UNREACHABLE");
    expect(placeBid(bidder, 1, 500_000n, 100n, height() + 100n).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)).toMatchObject({ deadline: 109n, placedAt: 9n, status: "MATCHED" });
  });

  it("rejects an amount the bidder cannot pay with INSUFFICIENT_FUNDS", () => {
    registerDataset();
    expectRejected(placeBid(bidder, 1, stx(bidder) + 1n), "INSUFFICIENT_FUNDS");
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 0n, matchedJobs: 0n });
  });

  it("rejects a deadline beyond burn-height + duration + max-bid-wait with DEADLINE_TOO_FAR and accepts exactly the bound", () => {
    registerDataset();
    simnet.mineEmptyBlocks(5);
    // the bound: now + duration (100) + max-bid-wait (4,320)
    const bound = height() + 100n + DEFAULTS.maxBidWait;
    expectRejected(placeBid(bidder, 1, 500_000n, 100n, bound + 1n), "DEADLINE_TOO_FAR");
    expect(placeBid(bidder, 1, 500_000n, 100n, bound).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)).toMatchObject({ deadline: bound, duration: 100n, placedAt: height(), status: "MATCHED" });
  });

  it("the bound grows with the duration: the longest duration takes a deadline up to burn-height + 4320 + 4320", () => {
    registerDataset();
    const bound = height() + DEFAULTS.maxComputationDuration + DEFAULTS.maxBidWait;
    expectRejected(placeBid(bidder, 1, 500_000n, DEFAULTS.maxComputationDuration, bound + 1n), "DEADLINE_TOO_FAR");
    expect(placeBid(bidder, 1, 500_000n, DEFAULTS.maxComputationDuration, bound).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)).toMatchObject({ deadline: bound, duration: DEFAULTS.maxComputationDuration });
  });

  it("refuses the largest uint deadline with DEADLINE_TOO_FAR (u311), not an arithmetic abort", () => {
    registerDataset();
    const r = placeBid(bidder, 1, 500_000n, 100n, MAX_UINT);
    expect(r.result).toStrictEqual(Cl.error(Cl.uint(311)));
    expectRejected(r, "DEADLINE_TOO_FAR");
    expectRejected(placeBid(bidder, 1, 500_000n, DEFAULTS.maxComputationDuration, MAX_UINT), "DEADLINE_TOO_FAR");
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 0n, queuedJobs: 0n });
  });

  it("checks the duration (INVALID_DURATION) before either deadline check", () => {
    registerDataset();
    // deadlines too far away
    expectRejected(placeBid(bidder, 1, 500_000n, 0n, MAX_UINT), "INVALID_DURATION");
    expectRejected(placeBid(bidder, 1, 500_000n, DEFAULTS.maxComputationDuration + 1n, MAX_UINT), "INVALID_DURATION");
    expectRejected(placeBid(bidder, 1, 500_000n, MAX_UINT, MAX_UINT), "INVALID_DURATION");
    // an unreachable deadline
    expectRejected(placeBid(bidder, 1, 500_000n, DEFAULTS.maxComputationDuration + 1n, height()), "INVALID_DURATION");
    expectRejected(placeBid(bidder, 1, 500_000n, MAX_UINT, 0n), "INVALID_DURATION");
  });

  it("refuses a max-uint amount the bidder cannot pay with INSUFFICIENT_FUNDS and moves nothing, even with escrow already held", () => {
    matchedJob();
    const before = balances(bidder2, contractId);
    const totals = read.getMarketTotals();
    // the dataset is busy: the bid would queue; the deposit fails before any sum with the amount
    expectRejected(placeBid(bidder2, 1, MAX_UINT, 100n), "INSUFFICIENT_FUNDS", 1n);
    expect(deltas(before)).toEqual(new Map([[bidder2, 0n], [contractId, 0n]]));
    expect(read.getMarketTotals()).toEqual(totals);
    expectQueue(1, []);
  });

  it("get-bid records validators-at-match, registrations-at-match and pauses-at-match when the bid is matched (0 while queued)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    // a pause that lasts into the next Bitcoin block is logged and counted
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    simnet.mineEmptyBlocks(1);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    registerDataset();

    // matched at once: 2 active validators, 2 registrations, 1 pause so far
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)).toMatchObject({ status: "MATCHED", validatorsAtMatch: 2n, registrationsAtMatch: 2n, pausesAtMatch: 1n });
    // queued: nothing recorded yet
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)).toMatchObject({
      status: "QUEUED",
      matchedAt: 0n,
      matchedBlock: 0n,
      validatorsAtMatch: 0n,
      registrationsAtMatch: 0n,
      pausesAtMatch: 0n,
    });

    // while bid 2 waits: validator3 registers (3 registrations), validator2 exits (2 active), a second pause
    expect(registerValidator(validator3).result).toBeOk(Cl.bool(true));
    ok(requestExit(validator2));
    expect(read.getActiveValidatorCount()).toBe(2n);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    simnet.mineEmptyBlocks(1);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));

    // a second slot matches bid 2: the values at ITS match, not at its placement
    expect(setTerms(provider, 1, 0n, 2n).result).toBeOk(Cl.bool(true));
    expect(read.getBid(2)).toMatchObject({
      status: "MATCHED",
      matchedAt: height(),
      validatorsAtMatch: 2n,
      registrationsAtMatch: 3n,
      pausesAtMatch: 2n,
    });
    // bid 1 keeps what its own match recorded
    expect(read.getBid(1)).toMatchObject({ validatorsAtMatch: 2n, registrationsAtMatch: 2n, pausesAtMatch: 1n });
    // the exit swapped validator3 into index 1: bid 2 seats the two active validators
    expect(seatsOf(2)).toEqual([validator1, validator3]);
  });
});

// ---------------------------------------------------------------------------
// Automatic matching and the FIFO queue
// ---------------------------------------------------------------------------

describe("automatic matching (FIFO queue)", () => {
  it("a finalizing vote frees the slot for the queue head, then the next, in order", () => {
    const { ids } = busyDataset([{}, {}]);
    simnet.mineEmptyBlocks(4);

    const first = vote(validator1, 1, 1, 85);
    expect(first.result).toBeOk(Cl.bool(true));
    expect(eventNames(first)).toEqual(["validation-submitted", "job-finalized", "bid-matched", "committee-drawn"]);
    expect(printEvents(first)[2]).toEqual({ event: "bid-matched", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, "matched-at": 6n });
    expect(read.getBid(1)?.status).toBe("SETTLED");
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", matchedAt: 6n });
    expect(read.getQueueLink(2)).toBeNull();
    expectQueue(1, [ids[1]]);
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, matchedJobs: 2n });

    simnet.mineEmptyBlocks(3);
    expect(seatsOf(2)).toEqual([validator1]);
    const second = vote(validator1, 1, 2, 90);
    expect(second.result).toBeOk(Cl.bool(true));
    expect(eventNames(second)).toEqual(["validation-submitted", "job-finalized", "bid-matched", "committee-drawn"]);
    expect(printEvents(second)[2]).toEqual({ event: "bid-matched", "bid-id": 3n, "dataset-id": 1n, bidder: outsider, "matched-at": 9n });
    expect(read.getBid(3)).toMatchObject({ status: "MATCHED", matchedAt: 9n });
    expectQueue(1, []);
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, matchedJobs: 3n });
  });

  it("expire-bid of a running job frees the slot for the queue head, in order", () => {
    const { ids, runningDeadline } = busyDataset([{}, {}]);
    mineUntil(runningDeadline + REVEAL_CLOSES + 1n);

    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(500_000n));
    // validator1's silent seat is penalized 1% (below the minimum stake: it leaves the set),
    // so bid 2 is matched with no validator to seat
    expect(eventNames(r)).toEqual(["validator-penalized", "bid-expired", "bid-matched"]);
    expect(printEvents(r)[2]).toEqual({ event: "bid-matched", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, "matched-at": height() });
    expect(read.getCommittee(2)).toBeNull();
    expect(read.getActiveValidatorCount()).toBe(0n);
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", matchedAt: height() });
    expectQueue(1, [ids[1]]);
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, matchedJobs: 2n });
  });

  it("raising the capacity with set-dataset-terms matches several queued bids in order", () => {
    const { ids } = busyDataset([{}, {}, {}]);
    const r = setTerms(provider, 1, 0n, 3n);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(eventNames(r)).toEqual(["dataset-terms-set", "bid-matched", "committee-drawn", "bid-matched", "committee-drawn"]);
    expect(printEvents(r).filter((e) => e.event === "bid-matched").map((e) => [e["bid-id"], e.bidder])).toEqual([
      [2n, bidder2],
      [3n, outsider],
    ]);
    expect(read.getBid(2)?.status).toBe("MATCHED");
    expect(read.getBid(3)?.status).toBe("MATCHED");
    expectQueue(1, [ids[2]]);
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 3n, matchedJobs: 3n, maxConcurrentJobs: 3n });
  });

  it("a slashed dataset matches nothing until its stake is topped up, then matches the queue head", () => {
    const { ids } = busyDataset([{}, {}]);
    const slashed = vote(validator1, 1, 1, 10);
    expect(slashed.result).toBeOk(Cl.bool(true));
    expect(eventNames(slashed)).not.toContain("bid-matched");
    expect(read.getDataset(1)).toMatchObject({ stake: 500_000n, activeJobs: 0n });
    expectQueue(1, ids);

    const r = addStake(provider, 1, 500_000n);
    expect(r.result).toBeOk(Cl.uint(1_000_000n));
    expect(eventNames(r)).toEqual(["dataset-stake-added", "bid-matched", "committee-drawn"]);
    expect(printEvents(r)[1]).toMatchObject({ "bid-id": 2n, bidder: bidder2 });
    expectQueue(1, [ids[1]]);
  });

  it("a queue head that can no longer meet its deadline is refunded and skipped (status 5) while the next is matched", () => {
    const start = height();
    busyDataset([{ amount: 222_000n, duration: 100n, deadline: start + 110n }, {}]);
    simnet.mineEmptyBlocks(11); // height + 100 > deadline of bid 2
    const before = balances(bidder2, outsider, contractId);

    const r = vote(validator1, 1, 1, 85);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(eventNames(r)).toEqual(["validation-submitted", "job-finalized", "bid-expired", "bid-matched", "committee-drawn"]);
    expect(printEvents(r).slice(2, 4)).toEqual([
      { event: "bid-expired", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, refund: 222_000n, penalties: 0n },
      { event: "bid-matched", "bid-id": 3n, "dataset-id": 1n, bidder: outsider, "matched-at": height() },
    ]);
    expect(stxTransfers(r)).toContainEqual({ sender: contractId, recipient: bidder2, amount: 222_000n });
    expect(deltas(before).get(bidder2)).toBe(222_000n);
    expect(deltas(before).get(outsider)).toBe(0n);
    expect(read.getBid(2)?.status).toBe("EXPIRED");
    expect(read.getQueueLink(2)).toBeNull();
    expect(read.getBid(3)?.status).toBe("MATCHED");
    expectQueue(1, []);
    expect(read.getMarketTotals().escrowedBids).toBe(queuedAmount(1));
  });

  it("handles at most 5 infeasible queue heads per call; match-queued-bids continues with the rest", () => {
    const start = height();
    const infeasible = Array.from({ length: 7 }, (_, i) => ({
      who: bidder2,
      amount: 100_000n + BigInt(i) * 1_000n,
      duration: 10n,
      deadline: start + 10n,
    }));
    busyDataset([...infeasible, { who: outsider, amount: 300_000n }]);
    simnet.mineEmptyBlocks(1); // every infeasible bid now misses its deadline
    const before = balances(bidder2);

    const r = vote(validator1, 1, 1, 85);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(eventNames(r)).toEqual(["validation-submitted", "job-finalized", ...Array(5).fill("bid-expired")]);
    expect(printEvents(r).slice(2).map((e) => e["bid-id"])).toEqual([2n, 3n, 4n, 5n, 6n]);
    expect(deltas(before).get(bidder2)).toBe(100_000n + 101_000n + 102_000n + 103_000n + 104_000n);
    [2, 3, 4, 5, 6].forEach((id) => expect(read.getBid(id)?.status).toBe("EXPIRED"));
    expectQueue(1, [7n, 8n, 9n]);
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 0n });

    const more = matchQueued(outsider, 1);
    expect(more.result).toBeOk(Cl.uint(0));
    expect(eventNames(more)).toEqual(["bid-expired", "bid-expired", "bid-matched", "committee-drawn"]);
    expect(printEvents(more).map((e) => e["bid-id"])).toEqual([7n, 8n, 9n, 9n]);
    expect(read.getBid(7)?.status).toBe("EXPIRED");
    expect(read.getBid(8)?.status).toBe("EXPIRED");
    expect(read.getBid(9)).toMatchObject({ status: "MATCHED", matchedAt: height() });
    expect(deltas(before).get(bidder2)).toBe(infeasible.reduce((s, b) => s + b.amount, 0n));
    expectQueue(1, []);
  });
});

// ---------------------------------------------------------------------------
// match-queued-bids
// ---------------------------------------------------------------------------

describe("match-queued-bids", () => {
  it("rejects an unknown dataset with DATASET_NOT_FOUND", () => {
    expectRejected(matchQueued(outsider, 1), "DATASET_NOT_FOUND");
    registerDataset();
    expectRejected(matchQueued(outsider, 2), "DATASET_NOT_FOUND");
  });

  it("returns the queue length and changes nothing when no slot is free", () => {
    const { ids } = busyDataset([{}, {}]);
    const r = matchQueued(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(2));
    expect(r.events).toEqual([]);
    expectQueue(1, ids);
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, matchedJobs: 1n });
  });

  it("lets anyone match the queue head into a slot freed while paused", () => {
    const { ids, runningDeadline } = busyDataset([{}, {}]);
    // the pause starts inside job 1's commit window: validator1's silent seat is excused
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    mineUntil(runningDeadline + REVEAL_CLOSES + 1n);
    const expired = expireBid(bidder, 1);
    expect(expired.result).toBeOk(Cl.uint(500_000n));
    expect(printEvents(expired)).toEqual([
      { event: "bid-expired", "bid-id": 1n, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 0n },
    ]);
    expectQueue(1, ids);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));

    const r = matchQueued(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(1));
    expect(printEvents(r)).toEqual([
      { event: "bid-matched", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, "matched-at": height() },
      { event: "committee-drawn", "bid-id": 2n, seats: [validator1], random: false },
    ]);
    expect(stxTransfers(r)).toEqual([]);
    expectQueue(1, [ids[1]]);
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, matchedJobs: 2n });
  });

  it("handles at most 5 queue heads per call and continues on the next call", () => {
    const start = height();
    const infeasible = Array.from({ length: 7 }, () => ({ who: bidder2, amount: 100_000n, duration: 10n, deadline: start + 10n }));
    const { runningDeadline } = busyDataset([...infeasible, { who: outsider }]);
    // paused inside job 1's commit window: validator1's silent seat is excused and stays active for bid 9
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    mineUntil(runningDeadline + REVEAL_CLOSES + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(500_000n));
    expect(setPaused(false).result).toBeOk(Cl.bool(true));

    const first = matchQueued(outsider, 1);
    expect(first.result).toBeOk(Cl.uint(3));
    expect(printEvents(first).map((e) => [e.event, e["bid-id"]])).toEqual([2n, 3n, 4n, 5n, 6n].map((id) => ["bid-expired", id]));
    expectQueue(1, [7n, 8n, 9n]);

    const second = matchQueued(outsider, 1);
    expect(second.result).toBeOk(Cl.uint(0));
    expect(printEvents(second).map((e) => [e.event, e["bid-id"]])).toEqual([
      ["bid-expired", 7n],
      ["bid-expired", 8n],
      ["bid-matched", 9n],
      ["committee-drawn", 9n],
    ]);
    expectQueue(1, []);
  });
});

// ---------------------------------------------------------------------------
// cancel-bid
// ---------------------------------------------------------------------------

describe("cancel-bid", () => {
  it("refunds the full amount to the bidder and marks the bid cancelled (bid-cancelled)", () => {
    busyDataset([{ amount: 275_000n }]);
    const before = balances(bidder2, contractId);
    const r = cancelBid(bidder2, 2);
    expect(r.result).toBeOk(Cl.uint(275_000n));
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: bidder2, amount: 275_000n }]);
    expect(deltas(before)).toEqual(new Map([[bidder2, 275_000n], [contractId, -275_000n]]));
    expect(printEvents(r)).toEqual([
      { event: "bid-cancelled", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, refund: 275_000n },
    ]);
    expect(read.getBid(2)?.status).toBe("CANCELLED");
    expect(read.getQueueLink(2)).toBeNull();
    expectQueue(1, []);
    expect(read.getMarketTotals().escrowedBids).toBe(500_000n);
  });

  it("from the middle of the queue keeps the rest in order", () => {
    busyDataset([{}, {}, {}]);
    expect(cancelBid(outsider, 3).result).toBeOk(Cl.uint(queuedAmount(1)));
    expect(read.getQueueLink(3)).toBeNull();
    expectQueue(1, [2n, 4n]);
  });

  it("from the head of the queue keeps the rest in order and the new head is matched next", () => {
    busyDataset([{}, {}, {}]);
    expect(cancelBid(bidder2, 2).result).toBeOk(Cl.uint(queuedAmount(0)));
    expectQueue(1, [3n, 4n]);

    const r = vote(validator1, 1, 1, 85);
    expect(printEvents(r).filter((e) => e.event === "bid-matched").map((e) => e["bid-id"])).toEqual([3n]);
    expect(read.getBid(2)?.status).toBe("CANCELLED");
    expectQueue(1, [4n]);
  });

  it("from the tail of the queue keeps the rest in order and a new bid joins after the new tail", () => {
    busyDataset([{}, {}, {}]);
    expect(cancelBid(provider2, 4).result).toBeOk(Cl.uint(queuedAmount(2)));
    expectQueue(1, [2n, 3n]);

    expect(placeBid(deployer, 1).result).toBeOk(Cl.uint(5));
    expectQueue(1, [2n, 3n, 5n]);
  });

  it("rejects an unknown bid with BID_NOT_FOUND", () => {
    busyDataset([{}]);
    expectRejected(cancelBid(bidder, 3), "BID_NOT_FOUND", 2n);
  });

  it("rejects anyone but the bidder with NOT_BIDDER", () => {
    const { ids } = busyDataset([{}]);
    expectRejected(cancelBid(outsider, 2), "NOT_BIDDER", 2n);
    expectRejected(cancelBid(provider, 2), "NOT_BIDDER", 2n);
    expectQueue(1, ids);
  });

  it("rejects a matched bid with BID_NOT_QUEUED", () => {
    busyDataset([{}]);
    expectRejected(cancelBid(bidder, 1), "BID_NOT_QUEUED", 2n);
    expect(read.getBid(1)?.status).toBe("MATCHED");
  });

  it("rejects an already cancelled bid with BID_NOT_QUEUED", () => {
    busyDataset([{}, {}]);
    expect(cancelBid(bidder2, 2).result).toBeOk(Cl.uint(queuedAmount(0)));
    expectRejected(cancelBid(bidder2, 2), "BID_NOT_QUEUED", 3n);
    expectQueue(1, [3n]);
  });
});

// ---------------------------------------------------------------------------
// expire-bid
// ---------------------------------------------------------------------------

describe("expire-bid", () => {
  it("refuses a running job until deadline + validation-window + reveal-window (D+288) has passed (BID_NOT_EXPIRED)", () => {
    const { runningDeadline } = busyDataset([]);
    expect(read.getValidationWindows(1)).toMatchObject({
      commitClosesAt: runningDeadline + DEFAULTS.validationWindow,
      revealClosesAt: runningDeadline + REVEAL_CLOSES,
    });
    expectRejected(expireBid(outsider, 1), "BID_NOT_EXPIRED", 1n);
    // past the commit phase, the reveal phase still runs
    mineUntil(runningDeadline + DEFAULTS.validationWindow + 1n);
    expectRejected(expireBid(outsider, 1), "BID_NOT_EXPIRED", 1n);
    mineUntil(runningDeadline + REVEAL_CLOSES);
    expectRejected(expireBid(outsider, 1), "BID_NOT_EXPIRED", 1n);
    expect(read.getBid(1)?.status).toBe("MATCHED");
    simnet.mineEmptyBlocks(1);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(500_000n));
  });

  it("refunds a timed-out running job in full, called by anyone, with no slash (bid-expired)", () => {
    const { runningDeadline } = busyDataset([]);
    mineUntil(runningDeadline + REVEAL_CLOSES + 1n);
    const before = balances(bidder, provider, outsider, contractId);
    const totalsBefore = read.getMarketTotals();

    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(500_000n));
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(deltas(before)).toEqual(
      new Map([[bidder, 500_000n], [provider, 0n], [outsider, 0n], [contractId, -500_000n]]),
    );
    // validator1 sat on the job and never voted: 1% of its 1,000,000 stake goes to the treasury
    // (990,000 is below the minimum, so it leaves the active set)
    expect(printEvents(r)).toEqual([
      { event: "validator-penalized", "bid-id": 1n, validator: validator1, penalty: 10_000n, stake: 990_000n, removed: true, silent: true },
      { event: "bid-expired", "bid-id": 1n, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 10_000n },
    ]);
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getDataset(1)).toMatchObject({
      stake: DEFAULTS.minDatasetStake,
      activeJobs: 0n,
      validations: 0n,
      lastSettledAt: height(),
    });
    expect(read.getValidator(validator1)).toMatchObject({ stake: 990_000n, active: false, openSeats: 0n });
    expect(read.getJobResult(1)).toBeNull();
    expect(read.getMarketTotals()).toEqual({
      ...totalsBefore,
      escrowedBids: totalsBefore.escrowedBids - 500_000n,
      validatorStakes: totalsBefore.validatorStakes - 10_000n,
      treasury: totalsBefore.treasury + 10_000n,
    });
    expect(read.getMarketTotals().datasetStakes).toBe(DEFAULTS.minDatasetStake);
  });

  it("refunds a job that never had a committee (no validator at the match) with no penalty", () => {
    matchedJob([]);
    expect(read.getCommittee(1)).toBeNull();
    mineUntil((read.getBid(1)?.deadline as bigint) + REVEAL_CLOSES + 1n);
    const before = balances(bidder, provider, contractId);
    const totalsBefore = read.getMarketTotals();

    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(500_000n));
    expect(printEvents(r)).toEqual([
      { event: "bid-expired", "bid-id": 1n, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 0n },
    ]);
    expect(deltas(before)).toEqual(new Map([[bidder, 500_000n], [provider, 0n], [contractId, -500_000n]]));
    expect(read.getMarketTotals()).toEqual({ ...totalsBefore, escrowedBids: totalsBefore.escrowedBids - 500_000n });
    expect(read.getBid(1)?.status).toBe("EXPIRED");
  });

  it("refuses a matched job with at least min-reveals reveals with RESULT_PENDING, even after D+288; finalize-validation settles it", () => {
    matchedJob([
      [validator1, 2_000_000n],
      [validator2, 2_000_000n],
      [validator3, 2_000_000n],
    ]);
    const deadline = read.getBid(1)?.deadline as bigint;
    expect(seatsOf(1)).toEqual([validator1, validator2, validator3]);
    expect(read.getValidationWindows(1)!.minReveals).toBe(2n);
    // every seat commits (the reveal phase opens), two of the three reveal: a strict majority
    for (const who of [validator1, validator2, validator3]) expect(commit(who, 1, 80).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(false));
    expect(read.getCommittee(1)).toMatchObject({ commits: 3n, reveals: 2n });

    mineUntil(deadline + REVEAL_CLOSES);
    expectRejected(expireBid(outsider, 1), "BID_NOT_EXPIRED", 1n);
    simnet.mineEmptyBlocks(1);
    const before = balances(bidder, provider, contractId);
    const totals = read.getMarketTotals();
    expectRejected(expireBid(outsider, 1), "RESULT_PENDING", 1n);
    expectRejected(expireBid(bidder, 1), "RESULT_PENDING", 1n);
    expect(deltas(before)).toEqual(new Map([[bidder, 0n], [provider, 0n], [contractId, 0n]]));
    expect(read.getMarketTotals()).toEqual(totals);
    expect(read.getBid(1)?.status).toBe("MATCHED");

    // the result exists: finalize-validation pays it out by the median (80: full payment,
    // less 25,000 of validator fees and the 5,000 protocol fee)
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)?.status).toBe("SETTLED");
    expect(deltas(before)).toEqual(new Map([[bidder, 0n], [provider, 470_000n], [contractId, -470_000n]]));
    expectRejected(expireBid(outsider, 1), "BID_CLOSED", 1n);
  });

  it("refunds a matched job with fewer than min-reveals reveals after D+288: silent seats penalized, the revealed seat not", () => {
    matchedJob([
      [validator1, 2_000_000n],
      [validator2, 2_000_000n],
      [validator3, 2_000_000n],
    ]);
    const deadline = read.getBid(1)?.deadline as bigint;
    for (const who of [validator1, validator2]) expect(commit(who, 1, 80).result).toBeOk(Cl.bool(true));
    // validator3 never commits: the reveal phase opens only after the commit phase
    mineUntil(deadline + DEFAULTS.validationWindow + 1n);
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(deadline + REVEAL_CLOSES + 1n);
    const before = balances(bidder, provider, validator1, validator2, validator3, contractId);
    const totals = read.getMarketTotals();

    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(500_000n));
    expect(printEvents(r)).toEqual([
      { event: "validator-penalized", "bid-id": 1n, validator: validator2, penalty: 20_000n, stake: 1_980_000n, removed: false, silent: true },
      { event: "validator-penalized", "bid-id": 1n, validator: validator3, penalty: 20_000n, stake: 1_980_000n, removed: false, silent: true },
      { event: "bid-expired", "bid-id": 1n, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 40_000n },
    ]);
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(deltas(before)).toEqual(
      new Map([[bidder, 500_000n], [provider, 0n], [validator1, 0n], [validator2, 0n], [validator3, 0n], [contractId, -500_000n]]),
    );
    expect(read.getMarketTotals()).toEqual({
      ...totals,
      escrowedBids: totals.escrowedBids - 500_000n,
      validatorStakes: totals.validatorStakes - 40_000n,
      treasury: totals.treasury + 40_000n,
    });
    expect(read.getValidator(validator1)).toMatchObject({ stake: 2_000_000n, openSeats: 0n });
    expect(read.getValidator(validator2)).toMatchObject({ stake: 1_980_000n, openSeats: 0n, active: true });
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, activeJobs: 0n, validations: 0n });
    // no result: nothing to claim
    expect(read.getJobResult(1)).toBeNull();
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
  });

  it("refuses a queued bid that can still meet its deadline (BID_NOT_EXPIRED), exactly at burn-height + duration = deadline", () => {
    const start = height();
    busyDataset([{ duration: 100n, deadline: start + 150n }]);
    mineUntil(start + 50n); // height + duration == deadline: still feasible
    expectRejected(expireBid(outsider, 2), "BID_NOT_EXPIRED", 2n);
    expect(read.getBid(2)?.status).toBe("QUEUED");
    simnet.mineEmptyBlocks(1);
    expect(expireBid(outsider, 2).result).toBeOk(Cl.uint(queuedAmount(0)));
  });

  it("refunds a queued bid that can no longer meet its deadline and unlinks it, keeping the queue in order", () => {
    const start = height();
    busyDataset([{}, { who: outsider, amount: 260_000n, duration: 100n, deadline: start + 120n }, {}]);
    mineUntil(start + 21n);
    const before = balances(outsider, bidder, provider, contractId);
    const stakeBefore = read.getDataset(1)?.stake;

    const r = expireBid(bidder, 3);
    expect(r.result).toBeOk(Cl.uint(260_000n));
    expect(printEvents(r)).toEqual([
      { event: "bid-expired", "bid-id": 3n, "dataset-id": 1n, bidder: outsider, refund: 260_000n, penalties: 0n },
    ]);
    expect(deltas(before)).toEqual(
      new Map([[outsider, 260_000n], [bidder, 0n], [provider, 0n], [contractId, -260_000n]]),
    );
    expect(read.getBid(3)?.status).toBe("EXPIRED");
    expect(read.getQueueLink(3)).toBeNull();
    expectQueue(1, [2n, 4n]);
    expect(read.getDataset(1)).toMatchObject({ stake: stakeBefore, activeJobs: 1n });
  });

  it("rejects an unknown bid with BID_NOT_FOUND", () => {
    expectRejected(expireBid(outsider, 1), "BID_NOT_FOUND");
    busyDataset([]);
    expectRejected(expireBid(outsider, 2), "BID_NOT_FOUND", 1n);
  });

  it("rejects a settled bid with BID_CLOSED", () => {
    const { runningDeadline } = busyDataset([]);
    expect(vote(validator1, 1, 1, 85).result).toBeOk(Cl.bool(true));
    mineUntil(runningDeadline + REVEAL_CLOSES + 1n);
    expectRejected(expireBid(outsider, 1), "BID_CLOSED", 1n);
    expect(read.getBid(1)?.status).toBe("SETTLED");
  });

  it("rejects a cancelled bid with BID_CLOSED", () => {
    const start = height();
    busyDataset([{ duration: 100n, deadline: start + 100n }]);
    expect(cancelBid(bidder2, 2).result).toBeOk(Cl.uint(queuedAmount(0)));
    simnet.mineEmptyBlocks(5); // would otherwise be past its deadline
    expectRejected(expireBid(outsider, 2), "BID_CLOSED", 2n);
    expect(read.getBid(2)?.status).toBe("CANCELLED");
  });

  it("rejects an already expired bid with BID_CLOSED", () => {
    const { runningDeadline } = busyDataset([]);
    mineUntil(runningDeadline + REVEAL_CLOSES + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(500_000n));
    expectRejected(expireBid(outsider, 1), "BID_CLOSED", 1n);
    expectRejected(expireBid(bidder, 1), "BID_CLOSED", 1n);
  });
});

// ---------------------------------------------------------------------------
// decline-job
// ---------------------------------------------------------------------------

describe("decline-job", () => {
  it("the provider declines a matched job within decline-window blocks: full refund, no slash, seats freed without penalty, CANCELLED, job-declined", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 1_000_000n],
    ]);
    const matchedAt = read.getBid(1)?.matchedAt as bigint;
    // the match counted the job; the dataset was never settled
    expect(read.getDataset(1)).toMatchObject({ matchedJobs: 1n, lastSettledAt: 0n });
    expect(seatsOf(1)).toEqual([validator1, validator2]);
    expect(read.getValidator(validator1)?.openSeats).toBe(1n);
    expect(read.getValidator(validator2)?.openSeats).toBe(1n);
    // the last block of the window: matched-at + decline-window (6)
    mineUntil(matchedAt + DEFAULTS.declineWindow);
    const before = balances(bidder, provider, validator1, validator2, contractId);
    const totals = read.getMarketTotals();

    const r = declineJob(provider, 1);
    expect(r.result).toBeOk(Cl.uint(500_000n));
    expect(printEvents(r)).toEqual([
      { event: "job-declined", "bid-id": 1n, "dataset-id": 1n, provider, bidder, refund: 500_000n },
    ]);
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(deltas(before)).toEqual(
      new Map([[bidder, 500_000n], [provider, 0n], [validator1, 0n], [validator2, 0n], [contractId, -500_000n]]),
    );
    expect(read.getMarketTotals()).toEqual({ ...totals, escrowedBids: totals.escrowedBids - 500_000n });
    expect(read.getBid(1)?.status).toBe("CANCELLED");
    expect(read.getJobResult(1)).toBeNull();
    // no silence penalty: 1% of 1,000,000 would have left each below the minimum and out of the set
    expect(read.getValidator(validator1)).toMatchObject({ stake: 1_000_000n, active: true, openSeats: 0n });
    expect(read.getValidator(validator2)).toMatchObject({ stake: 1_000_000n, active: true, openSeats: 0n });
    expect(read.getActiveValidatorCount()).toBe(2n);
    // no slash, no validation counted, the slot is free; the job does not count as a match and the
    // stake lock is not restarted: matched-jobs and last-settled-at are as before the match
    expect(read.getDataset(1)).toMatchObject({
      stake: DEFAULTS.minDatasetStake,
      activeJobs: 0n,
      matchedJobs: 0n,
      validations: 0n,
      lastSettledAt: 0n,
    });
  });

  it("a declined job is not a match: a provider that declined its only job withdraws its stake at once", () => {
    matchedJob();
    expect(read.getDataset(1)).toMatchObject({ matchedJobs: 1n, lastSettledAt: 0n });
    // matched and not validated: the stake is locked while the job runs
    expectRejected(withdrawStake(provider, 1), "DATASET_HAS_OPEN_JOBS", 1n);
    mineUntil((read.getBid(1)?.matchedAt as bigint) + 2n);
    expect(declineJob(provider, 1).result).toBeOk(Cl.uint(500_000n));
    expect(read.getDataset(1)).toMatchObject({ matchedJobs: 0n, lastSettledAt: 0n, activeJobs: 0n, passedValidations: 0n });

    // in the same burn block: no STAKE_LOCKED, the whole stake comes back
    const at = height();
    const before = balances(provider, contractId);
    const totals = read.getMarketTotals();
    const w = withdrawStake(provider, 1);
    expect(w.result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(height()).toBe(at);
    expect(printEvents(w)).toEqual([{ event: "dataset-withdrawn", "dataset-id": 1n, provider, amount: DEFAULTS.minDatasetStake }]);
    expect(deltas(before)).toEqual(new Map([[provider, DEFAULTS.minDatasetStake], [contractId, -DEFAULTS.minDatasetStake]]));
    expect(read.getMarketTotals()).toEqual({ ...totals, datasetStakes: totals.datasetStakes - DEFAULTS.minDatasetStake });
    expect(read.getDataset(1)).toMatchObject({ stake: 0n, active: false, matchedJobs: 0n });
  });

  it("a decline leaves the stake lock of an earlier job running from that job's settlement, not from the decline", () => {
    // job 1 settles PARTIAL (score 50): matched and never passed, so the stake is locked from its settlement
    const { datasetId } = finalizedJob(50);
    expect(read.getJobResult(1)?.outcome).toBe("PARTIAL");
    const settledAt = height();
    expect(read.getDataset(datasetId)).toMatchObject({ matchedJobs: 1n, passedValidations: 0n, lastSettledAt: settledAt });
    expectRejected(withdrawStake(provider, datasetId), "STAKE_LOCKED", 1n);

    // job 2 is matched 10 blocks later and declined 3 blocks after its match
    mineUntil(settledAt + 10n);
    expect(placeBid(bidder2, datasetId).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", matchedAt: settledAt + 10n });
    expect(read.getDataset(datasetId)).toMatchObject({ matchedJobs: 2n, lastSettledAt: settledAt });
    mineUntil(settledAt + 13n);
    expect(declineJob(provider, 2).result).toBeOk(Cl.uint(500_000n));
    expect(read.getDataset(datasetId)).toMatchObject({ matchedJobs: 1n, lastSettledAt: settledAt, activeJobs: 0n });

    // locked through settledAt + stake-lock-blocks, free one block later (not settledAt + 13 + 4321)
    mineUntil(settledAt + DEFAULTS.stakeLockBlocks);
    expectRejected(withdrawStake(provider, datasetId), "STAKE_LOCKED", 2n);
    mineUntil(settledAt + DEFAULTS.stakeLockBlocks + 1n);
    expect(withdrawStake(provider, datasetId).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(read.getDataset(datasetId)).toMatchObject({ stake: 0n, active: false });
  });

  it("only the dataset's provider declines (NOT_DATASET_PROVIDER); an unknown bid is BID_NOT_FOUND", () => {
    matchedJob();
    for (const who of [bidder, validator1, outsider, deployer]) expectRejected(declineJob(who, 1), "NOT_DATASET_PROVIDER", 1n);
    expectRejected(declineJob(provider, 2), "BID_NOT_FOUND", 1n);
    expect(read.getBid(1)?.status).toBe("MATCHED");
    expect(read.getValidator(validator1)?.openSeats).toBe(1n);
  });

  it("only a matched job is declined (JOB_NOT_RUNNING): queued, cancelled, settled and already declined bids are refused", () => {
    busyDataset([{}, {}]);
    expectRejected(declineJob(provider, 2), "JOB_NOT_RUNNING", 3n); // queued
    expect(cancelBid(outsider, 3).result).toBeOk(Cl.uint(queuedAmount(1)));
    expectRejected(declineJob(provider, 3), "JOB_NOT_RUNNING", 3n); // cancelled
    // the direct vote settles job 1 and matches bid 2
    expect(vote(validator1, 1, 1, 85).result).toBeOk(Cl.bool(true));
    expectRejected(declineJob(provider, 1), "JOB_NOT_RUNNING", 3n); // settled
    expect(read.getBid(2)?.status).toBe("MATCHED");
    expect(declineJob(provider, 2).result).toBeOk(Cl.uint(queuedAmount(0)));
    expectRejected(declineJob(provider, 2), "JOB_NOT_RUNNING", 3n); // declined
    expect(read.getBid(2)?.status).toBe("CANCELLED");
  });

  it("closes decline-window blocks after the match: DECLINE_CLOSED at matched-at + 7", () => {
    matchedJob();
    const matchedAt = read.getBid(1)?.matchedAt as bigint;
    mineUntil(matchedAt + DEFAULTS.declineWindow + 1n);
    const before = balances(bidder, provider, contractId);
    expectRejected(declineJob(provider, 1), "DECLINE_CLOSED", 1n);
    expect([...deltas(before).values()]).toEqual([0n, 0n, 0n]);
    expect(read.getBid(1)?.status).toBe("MATCHED");
    expect(read.getValidator(validator1)?.openSeats).toBe(1n);
  });

  it("is refused with VALIDATION_STARTED once a validator committed a vote: the result decides", () => {
    matchedJob([
      [validator1, 1_000_000n],
      [validator2, 1_000_000n],
    ]);
    const matchedAt = read.getBid(1)?.matchedAt as bigint;
    expect(commit(validator1, 1, 20).result).toBeOk(Cl.bool(true));
    const before = balances(bidder, contractId);
    expectRejected(declineJob(provider, 1), "VALIDATION_STARTED", 1n);
    expect([...deltas(before).values()]).toEqual([0n, 0n]);
    expect(read.getBid(1)?.status).toBe("MATCHED");
    // past the window, the window is reported first
    mineUntil(matchedAt + DEFAULTS.declineWindow + 1n);
    expectRejected(declineJob(provider, 1), "DECLINE_CLOSED", 1n);
  });

  it("the freed slot matches the next queued bid", () => {
    busyDataset([{}]);
    const r = declineJob(provider, 1);
    expect(r.result).toBeOk(Cl.uint(500_000n));
    expect(eventNames(r)).toEqual(["job-declined", "bid-matched", "committee-drawn"]);
    expect(printEvents(r).slice(1)).toEqual([
      { event: "bid-matched", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, "matched-at": height() },
      { event: "committee-drawn", "bid-id": 2n, seats: [validator1], random: false },
    ]);
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(read.getBid(1)?.status).toBe("CANCELLED");
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", matchedAt: height() });
    expectQueue(1, []);
    // job 1 no longer counts as a match; job 2 does; no settlement, so no stake-lock restart
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, matchedJobs: 1n, lastSettledAt: 0n });
    // freed from job 1 without a penalty, seated on job 2
    expect(read.getValidator(validator1)).toMatchObject({ stake: 1_000_000n, active: true, openSeats: 1n });
  });

  it("works while the market is paused; the freed slot waits for the pause to end", () => {
    const { ids } = busyDataset([{}]);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const before = balances(bidder, contractId);
    const r = declineJob(provider, 1);
    expect(r.result).toBeOk(Cl.uint(500_000n));
    expect(eventNames(r)).toEqual(["job-declined"]);
    expect(deltas(before)).toEqual(new Map([[bidder, 500_000n], [contractId, -500_000n]]));
    expect(read.getBid(1)?.status).toBe("CANCELLED");
    expectQueue(1, ids);
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 0n, matchedJobs: 0n, lastSettledAt: 0n });

    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(matchQueued(outsider, 1).result).toBeOk(Cl.uint(0));
    expect(read.getBid(2)?.status).toBe("MATCHED");
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, matchedJobs: 1n, lastSettledAt: 0n });
  });
});
