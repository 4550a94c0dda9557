import { Cl, type ClarityValue } from "@stacks/transactions";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BID_STATUS,
  DEFAULTS,
  OUTCOME,
  activeValidatorCount,
  addStake,
  balances,
  bidder,
  bidder2,
  call,
  cancelBid,
  claim,
  commit,
  commitmentFor,
  contractId,
  deltas,
  deployer,
  drawCommittee,
  eventNames,
  expectErr,
  expectSolvent,
  expireBid,
  finalizeValidation,
  finalizedJob,
  getBid,
  getCommittee,
  getDataset,
  getJobResult,
  getTotals,
  getValidator,
  getVote,
  height,
  isPaused,
  lastIds,
  matchQueued,
  matchedJob,
  mineUntil,
  ok,
  outsider,
  placeBid,
  printEvents,
  provider,
  provider2,
  readOnly,
  registerDataset,
  registerValidator,
  requestExit,
  reveal,
  saltFor,
  seatsOf,
  setPaused,
  setTerms,
  stx,
  stxTransfers,
  validator1,
  validator2,
  validator3,
  view,
  vote,
  withdrawStake,
  withdrawTreasury,
  withdrawValidator,
} from "./helpers.ts";

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------

/** Blocks after a matched job's deadline until its reveal window closes: validation-window + reveal-window (288). */
const REVEAL_CLOSES = DEFAULTS.validationWindow + DEFAULTS.revealWindow;

/** Three validators of 2,000,000 each: with at most committee-size validators, all are seated at the match. */
const THREE_VALIDATORS: [string, bigint][] = [
  [validator1, 2_000_000n],
  [validator2, 2_000_000n],
  [validator3, 2_000_000n],
];

/**
 * A treasury filled without a slash, by a job where nobody is coherent: validator1 (stake
 * 3,000,000) sits alone on the job's committee and never votes; after deadline + 288
 * finalize-validation refunds the bidder (no result) and the silent seat loses 1% of its
 * stake, 30,000, to the treasury.
 */
const SILENT_TREASURY = 30_000n;
function silentSeatJob(datasetProvider = provider) {
  expect(registerValidator(validator1, 3_000_000n).result).toBeOk(Cl.bool(true));
  const datasetId = ok(registerDataset(datasetProvider)) as bigint;
  const bidId = ok(placeBid(bidder, datasetId)) as bigint;
  expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.MATCHED));
  expect(seatsOf(bidId)).toEqual([validator1]);
  mineUntil((getBid(bidId)?.deadline as bigint) + REVEAL_CLOSES + 1n);
  expect(finalizeValidation(outsider, bidId).result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
  expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.EXPIRED));
  expect(getValidator(validator1)).toMatchObject({ stake: 2_970_000n, active: true });
  expect(getTotals().treasury).toBe(SILENT_TREASURY);
  return { datasetId, bidId };
}

/** A slash: validator1 scores the job 10, so 50% of the 1,000,000 dataset stake is taken. */
function slashedJob() {
  const ids = finalizedJob(10);
  expect(getJobResult(ids.bidId)).toMatchObject({ outcome: 3n, "slashed-amount": 500_000n });
  return ids;
}

/** Dataset 1 with bid 1 (bidder) matched in its single slot and bid 2 (bidder2) queued behind it. */
function matchedAndQueued() {
  expect(registerDataset().result).toBeOk(Cl.uint(1));
  expect(placeBid(bidder, 1, 500_000n).result).toBeOk(Cl.uint(1));
  expect(placeBid(bidder2, 1, 400_000n, 100n, height() + 5_000n).result).toBeOk(Cl.uint(2));
  expect(getBid(1)?.status).toBe(BigInt(BID_STATUS.MATCHED));
  expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.QUEUED));
}

/** `propose-parameter-change` of `parameter` to `value` by `who`. */
function proposeChange(who: string, parameter: string, value: number | bigint) {
  return call("propose-parameter-change", [Cl.stringAscii(parameter), Cl.uint(value)], who);
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

// ---------------------------------------------------------------------------
// set-paused
// ---------------------------------------------------------------------------

describe("set-paused", () => {
  it("lets the owner pause and resume, printing paused-set each time", () => {
    expect(isPaused()).toBeBool(false);

    const paused = setPaused(true);
    expect(paused.result).toBeOk(Cl.bool(true));
    expect(printEvents(paused)).toEqual([{ event: "paused-set", paused: true }]);
    expect(isPaused()).toBeBool(true);

    const resumed = setPaused(false);
    expect(resumed.result).toBeOk(Cl.bool(true));
    expect(printEvents(resumed)).toEqual([{ event: "paused-set", paused: false }]);
    expect(isPaused()).toBeBool(false);
  });

  it("refuses anyone but the owner with NOT_AUTHORIZED, pausing and unpausing alike", () => {
    for (const who of [outsider, provider, validator1]) {
      const r = setPaused(true, who);
      expectErr(r, "NOT_AUTHORIZED");
      expect(r.events).toEqual([]);
    }
    expect(isPaused()).toBeBool(false);

    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expectErr(setPaused(false, outsider), "NOT_AUTHORIZED");
    expect(isPaused()).toBeBool(true);
  });

  describe("while paused, new business is refused with PAUSED", () => {
    it("register-dataset", () => {
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, contractId);
      const r = registerDataset();
      expectErr(r, "PAUSED");
      expect(deltas(before)).toEqual(new Map([[provider, 0n], [contractId, 0n]]));
      expect(getDataset(1)).toBeNull();
      expect(lastIds()).toEqual({ "dataset-id": 0n, "bid-id": 0n, "proposal-id": 0n });
    });

    it("place-computation-bid", () => {
      expect(registerDataset().result).toBeOk(Cl.uint(1));
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(bidder, contractId);
      expectErr(placeBid(bidder, 1), "PAUSED");
      expect(deltas(before)).toEqual(new Map([[bidder, 0n], [contractId, 0n]]));
      expect(getBid(1)).toBeNull();
      expect(getTotals()["escrowed-bids"]).toBe(0n);
    });

    it("register-validator", () => {
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(validator1, contractId);
      expectErr(registerValidator(validator1), "PAUSED");
      expect(deltas(before)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));
      expect(getValidator(validator1)).toBeNull();
      expect(activeValidatorCount()).toBe(0n);
    });

    it("submit-validation-result", () => {
      const { datasetId, bidId } = matchedJob();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, bidder, contractId);
      expectErr(vote(validator1, datasetId, bidId, 85), "PAUSED");
      expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 0n], [contractId, 0n]]));
      expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.MATCHED));
      expect(getVote(bidId, validator1)).toBeNull();
      expect(getJobResult(bidId)).toBeNull();
    });

    it("draw-committee", () => {
      // no validator at the match: the job waits for a committee
      const { bidId } = matchedJob([]);
      expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
      expect(getCommittee(bidId)).toBeNull();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const r = drawCommittee(outsider, bidId);
      expectErr(r, "PAUSED");
      expect(r.events).toEqual([]);
      expect(getCommittee(bidId)).toBeNull();
      expect(getValidator(validator1)?.["open-seats"]).toBe(0n);

      // resumed: the same draw goes through
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(drawCommittee(outsider, bidId).result).toBeOk(Cl.list([Cl.principal(validator1)]));
      expect(getValidator(validator1)?.["open-seats"]).toBe(1n);
    });

    it("commit-validation-result", () => {
      const { bidId } = matchedJob(THREE_VALIDATORS);
      expect(seatsOf(bidId)).toEqual([validator1, validator2, validator3]);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(validator1, contractId);
      const r = commit(validator1, bidId, 80);
      expectErr(r, "PAUSED");
      expect(r.events).toEqual([]);
      expect(deltas(before)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));
      expect(getVote(bidId, validator1)).toBeNull();
      expect(getCommittee(bidId)).toMatchObject({ commits: 0n });

      // resumed: the same commit goes through
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
      expect(getCommittee(bidId)).toMatchObject({ commits: 1n });
    });

    it("match-queued-bids", () => {
      matchedAndQueued();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expectErr(matchQueued(outsider, 1), "PAUSED");
      expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.QUEUED));
    });
  });

  describe("while paused, every way out still works", () => {
    it("cancel-bid refunds the queued bidder in full", () => {
      matchedAndQueued();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(bidder2, contractId);
      const r = cancelBid(bidder2, 2);
      expect(r.result).toBeOk(Cl.uint(400_000));
      expect(deltas(before)).toEqual(new Map([[bidder2, 400_000n], [contractId, -400_000n]]));
      expect(eventNames(r)).toEqual(["bid-cancelled"]);
      expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.CANCELLED));
      expect(getDataset(1)).toMatchObject({ "queued-jobs": 0n, "queue-head": 0n, "queue-tail": 0n });
      expect(getTotals()["escrowed-bids"]).toBe(500_000n);
    });

    it("expire-bid refunds a matched job past deadline + validation-window + reveal-window", () => {
      const { bidId } = matchedJob();
      const deadline = getBid(bidId)?.deadline as bigint;
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(bidder, provider, contractId);
      const r = expireBid(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(500_000));
      expect(deltas(before)).toEqual(new Map([[bidder, 500_000n], [provider, 0n], [contractId, -500_000n]]));
      expect(eventNames(r)).toEqual(["bid-expired"]);
      expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.EXPIRED));
      expect(getDataset(1)).toMatchObject({ "active-jobs": 0n, stake: DEFAULTS.minDatasetStake });
      // validator1 never committed while the contract is paused: its silence is excused
      expect(getValidator(validator1)).toMatchObject({ stake: DEFAULTS.minValidatorStake, active: true, "open-seats": 0n });
    });

    it("expire-bid frees the slot but does not match the queued bid until unpaused", () => {
      matchedAndQueued();
      const deadline = getBid(1)?.deadline as bigint;
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const r = expireBid(outsider, 1);
      expect(r.result).toBeOk(Cl.uint(500_000));
      expect(eventNames(r)).toEqual(["bid-expired"]);
      expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.QUEUED));
      expect(getDataset(1)).toMatchObject({ "active-jobs": 0n, "queued-jobs": 1n });

      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      const pushed = matchQueued(outsider, 1);
      expect(pushed.result).toBeOk(Cl.uint(0));
      expect(eventNames(pushed)).toEqual(["bid-matched"]);
      expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.MATCHED));
    });

    it("reveal-validation-result accepts the committed scores, and the last reveal finalizes the job", () => {
      const { bidId } = matchedJob(THREE_VALIDATORS);
      for (const who of [validator1, validator2, validator3]) expect(commit(who, bidId, 80).result).toBeOk(Cl.bool(true));
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, bidder, contractId);

      expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
      expect(reveal(validator2, bidId, 80).result).toBeOk(Cl.bool(false));
      const last = reveal(validator3, bidId, 80);
      expect(last.result).toBeOk(Cl.bool(true));
      // finalized while paused: paid out, but the freed slot is not refilled
      expect(eventNames(last)).toEqual(["validation-revealed", "job-finalized"]);
      expect(deltas(before)).toEqual(new Map([[provider, 475_000n], [bidder, 0n], [contractId, -475_000n]]));
      expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.SETTLED));
      expect(getJobResult(bidId)).toMatchObject({
        "final-score": 80n,
        outcome: BigInt(OUTCOME.REWARDED),
        "validator-fees": 25_000n,
        penalties: 0n,
        "reward-pool": 25_000n,
        "reward-weight": 6_000_000n,
      });
      expect(getCommittee(bidId)).toMatchObject({ commits: 3n, reveals: 3n });
    });

    it("finalize-validation settles a job by the median of its reveals after the reveal window", () => {
      const { bidId } = matchedJob(THREE_VALIDATORS);
      const deadline = getBid(bidId)?.deadline as bigint;
      for (const who of [validator1, validator2, validator3]) expect(commit(who, bidId, 80).result).toBeOk(Cl.bool(true));
      // two of three reveal (the minimum); validator3 committed but stays silent
      expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
      expect(reveal(validator2, bidId, 80).result).toBeOk(Cl.bool(false));
      mineUntil(deadline + REVEAL_CLOSES);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expectErr(finalizeValidation(outsider, bidId), "NOT_READY_TO_FINALIZE");
      simnet.mineEmptyBlocks(1);
      const before = balances(provider, bidder, validator3, contractId);
      const totals = getTotals();

      const r = finalizeValidation(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
      // a seat that committed and did not reveal is penalized even while paused; the penalty joins the pool
      expect(printEvents(r)[0]).toEqual({
        event: "validator-penalized",
        "bid-id": bidId,
        validator: validator3,
        penalty: 20_000n,
        stake: 1_980_000n,
        removed: false,
      });
      expect(eventNames(r)).toEqual(["validator-penalized", "job-finalized"]);
      expect(deltas(before)).toEqual(new Map([[provider, 475_000n], [bidder, 0n], [validator3, 0n], [contractId, -475_000n]]));
      expect(getBid(bidId)?.status).toBe(BigInt(BID_STATUS.SETTLED));
      expect(getJobResult(bidId)).toMatchObject({
        "final-score": 80n,
        "validator-fees": 25_000n,
        penalties: 20_000n,
        "reward-pool": 45_000n,
        "reward-weight": 4_000_000n,
      });
      expect(getTotals()).toEqual({
        ...totals,
        "validator-stakes": totals["validator-stakes"] - 20_000n,
        "escrowed-bids": totals["escrowed-bids"] - 500_000n,
        "unclaimed-rewards": totals["unclaimed-rewards"] + 45_000n,
      });
    });

    it("withdraw-dataset-stake returns the stake and retires the dataset", () => {
      expect(registerDataset(provider, 3_000_000n).result).toBeOk(Cl.uint(1));
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, contractId);
      const r = withdrawStake(provider, 1);
      expect(r.result).toBeOk(Cl.uint(3_000_000));
      expect(deltas(before)).toEqual(new Map([[provider, 3_000_000n], [contractId, -3_000_000n]]));
      expect(eventNames(r)).toEqual(["dataset-withdrawn"]);
      expect(getDataset(1)).toMatchObject({ active: false, stake: 0n });
      expect(getTotals()["dataset-stakes"]).toBe(0n);
    });

    it("request-validator-exit stops the validator", () => {
      expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const now = height();
      const r = requestExit(validator1);
      expect(r.result).toBeOk(Cl.uint(now + DEFAULTS.validatorUnbondingBlocks));
      expect(eventNames(r)).toEqual(["validator-exit-requested"]);
      expect(getValidator(validator1)).toMatchObject({ active: false, "exit-requested-at": now });
      expect(activeValidatorCount()).toBe(0n);
    });

    it("withdraw-validator-stake returns the stake after unbonding", () => {
      expect(registerValidator(validator1, 2_000_000n).result).toBeOk(Cl.bool(true));
      expect(requestExit(validator1).result).toBeOk(
        Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks),
      );
      simnet.mineEmptyBlocks(Number(DEFAULTS.validatorUnbondingBlocks));
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(validator1, contractId);
      const r = withdrawValidator(validator1);
      expect(r.result).toBeOk(Cl.uint(2_000_000));
      expect(deltas(before)).toEqual(new Map([[validator1, 2_000_000n], [contractId, -2_000_000n]]));
      expect(eventNames(r)).toEqual(["validator-withdrawn"]);
      expect(getValidator(validator1)).toBeNull();
      expect(getTotals()["validator-stakes"]).toBe(0n);
    });

    it("claim-validation-reward pays the validator its fee", () => {
      const { bidId } = finalizedJob(85);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(validator1, contractId);
      const r = claim(validator1, bidId);
      expect(r.result).toBeOk(Cl.uint(25_000));
      expect(deltas(before)).toEqual(new Map([[validator1, 25_000n], [contractId, -25_000n]]));
      expect(eventNames(r)).toEqual(["validation-reward-claimed"]);
      expect(getTotals()["unclaimed-rewards"]).toBe(0n);
    });

    it("add-dataset-stake takes the top-up", () => {
      matchedAndQueued();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, contractId);
      const r = addStake(provider, 1, 700_000);
      expect(r.result).toBeOk(Cl.uint(1_700_000));
      expect(deltas(before)).toEqual(new Map([[provider, -700_000n], [contractId, 700_000n]]));
      expect(eventNames(r)).toEqual(["dataset-stake-added"]);
      expect(getDataset(1)).toMatchObject({ stake: 1_700_000n, "queued-jobs": 1n });
      expect(getTotals()["dataset-stakes"]).toBe(1_700_000n);
    });

    it("set-dataset-terms updates the terms but does not match the queue", () => {
      matchedAndQueued();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, bidder2, contractId);
      const r = setTerms(provider, 1, 1_000, 2);
      expect(r.result).toBeOk(Cl.bool(true));
      expect(eventNames(r)).toEqual(["dataset-terms-set"]);
      expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder2, 0n], [contractId, 0n]]));
      expect(getDataset(1)).toMatchObject({ "price-per-block": 1_000n, "max-concurrent-jobs": 2n, "queued-jobs": 1n });
      expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.QUEUED));

      // resumed: the new slot is filled by the queued bid
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(matchQueued(outsider, 1).result).toBeOk(Cl.uint(0));
      expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.MATCHED));
      expect(getDataset(1)).toMatchObject({ "active-jobs": 2n, "queued-jobs": 0n });
    });
  });

  it("unpausing restores every kind of new business", () => {
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expectErr(registerDataset(), "PAUSED");
    expect(setPaused(false).result).toBeOk(Cl.bool(true));

    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder2, 1, 400_000n, 100n, height() + 5_000n).result).toBeOk(Cl.uint(2));
    expect(matchQueued(outsider, 1).result).toBeOk(Cl.uint(1));
    const before = balances(provider, bidder, contractId);
    const r = vote(validator1, 1, 1, 85);
    expect(r.result).toBeOk(Cl.bool(true));
    // the freed slot goes to the queued bid (its committee seated at once): matching is live again
    expect(eventNames(r)).toEqual(["validation-submitted", "job-finalized", "bid-matched", "committee-drawn"]);
    expect(deltas(before)).toEqual(new Map([[provider, 475_000n], [bidder, 0n], [contractId, -475_000n]]));
    expect(getBid(2)?.status).toBe(BigInt(BID_STATUS.MATCHED));
  });
});

// ---------------------------------------------------------------------------
// withdraw-treasury
// ---------------------------------------------------------------------------

describe("withdraw-treasury", () => {
  it("pays the recipient from the treasury, prints treasury-withdrawn and lowers only the treasury", () => {
    silentSeatJob();
    const totals = getTotals();
    const before = balances(outsider, deployer, contractId);
    const r = withdrawTreasury(3_000n, outsider);
    expect(r.result).toBeOk(Cl.uint(3_000));
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: outsider, amount: 3_000n }]);
    expect(deltas(before)).toEqual(new Map([[outsider, 3_000n], [deployer, 0n], [contractId, -3_000n]]));
    expect(printEvents(r)).toEqual([{ event: "treasury-withdrawn", amount: 3_000n, recipient: outsider }]);
    expect(getTotals()).toEqual({ ...totals, treasury: SILENT_TREASURY - 3_000n });

    // the rest, exactly, can be taken too (here by the owner for itself)
    const rest = withdrawTreasury(SILENT_TREASURY - 3_000n, deployer);
    expect(rest.result).toBeOk(Cl.uint(SILENT_TREASURY - 3_000n));
    expect(stxTransfers(rest)).toEqual([{ sender: contractId, recipient: deployer, amount: 27_000n }]);
    expect(getTotals().treasury).toBe(0n);
    expectErr(withdrawTreasury(1, deployer), "INSUFFICIENT_TREASURY");
  });

  it("pays the recipient after a slash filled the treasury (500,000 slashed less the 25,000 validator fee)", () => {
    slashedJob();
    expect(getTotals().treasury).toBe(475_000n);
    const before = balances(outsider, contractId);
    const r = withdrawTreasury(475_000n, outsider);
    expect(r.result).toBeOk(Cl.uint(475_000));
    expect(printEvents(r)).toEqual([{ event: "treasury-withdrawn", amount: 475_000n, recipient: outsider }]);
    expect(deltas(before)).toEqual(new Map([[outsider, 475_000n], [contractId, -475_000n]]));
    expect(getTotals().treasury).toBe(0n);
  });

  it("refuses anyone but the owner with NOT_AUTHORIZED", () => {
    silentSeatJob();
    for (const who of [outsider, provider, validator1]) {
      const before = balances(who, contractId);
      const r = withdrawTreasury(1_000n, who, who);
      expectErr(r, "NOT_AUTHORIZED");
      expect(r.events).toEqual([]);
      expect(deltas(before)).toEqual(new Map([[who, 0n], [contractId, 0n]]));
    }
    expect(getTotals().treasury).toBe(SILENT_TREASURY);
  });

  it("refuses a zero amount with ZERO_AMOUNT", () => {
    silentSeatJob();
    expectErr(withdrawTreasury(0, outsider), "ZERO_AMOUNT");
    expect(getTotals().treasury).toBe(SILENT_TREASURY);
  });

  it("refuses more than the treasury with INSUFFICIENT_TREASURY, though the contract holds stakes and escrow", () => {
    expect(registerDataset(provider, 5_000_000n).result).toBeOk(Cl.uint(1));
    expect(stx(contractId)).toBe(5_000_000n);
    expectErr(withdrawTreasury(1, outsider), "INSUFFICIENT_TREASURY");

    silentSeatJob(provider2);
    expect(stx(contractId)).toBeGreaterThan(SILENT_TREASURY + 1n);
    const before = balances(outsider, contractId);
    expectErr(withdrawTreasury(SILENT_TREASURY + 1n, outsider), "INSUFFICIENT_TREASURY");
    expect(deltas(before)).toEqual(new Map([[outsider, 0n], [contractId, 0n]]));
    expect(getTotals().treasury).toBe(SILENT_TREASURY);
  });

  it("refuses the contract itself as recipient with INVALID_RECIPIENT", () => {
    silentSeatJob();
    const before = balances(contractId);
    expectErr(withdrawTreasury(1_000n, contractId), "INVALID_RECIPIENT");
    expect(deltas(before)).toEqual(new Map([[contractId, 0n]]));
    expect(getTotals().treasury).toBe(SILENT_TREASURY);
  });

  it("works while paused", () => {
    silentSeatJob();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const before = balances(outsider, contractId);
    expect(withdrawTreasury(SILENT_TREASURY, outsider).result).toBeOk(Cl.uint(SILENT_TREASURY));
    expect(deltas(before)).toEqual(new Map([[outsider, SILENT_TREASURY], [contractId, -SILENT_TREASURY]]));
    expect(getTotals().treasury).toBe(0n);
  });
});

// ---------------------------------------------------------------------------
// ERR_NOT_DIRECT_CALLER: an intermediary contract
// ---------------------------------------------------------------------------

const market = `'${contractId}`;

const PROXY_SOURCE = `
(define-public (register-dataset (stake uint) (uri (string-ascii 256)))
  (contract-call? ${market} register-dataset stake uri))
(define-public (add-dataset-stake (dataset-id uint) (amount uint))
  (contract-call? ${market} add-dataset-stake dataset-id amount))
(define-public (set-dataset-terms (dataset-id uint) (price uint) (capacity uint))
  (contract-call? ${market} set-dataset-terms dataset-id price capacity))
(define-public (withdraw-dataset-stake (dataset-id uint))
  (contract-call? ${market} withdraw-dataset-stake dataset-id))
(define-public (place-computation-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint))
  (contract-call? ${market} place-computation-bid dataset-id amount duration deadline))
(define-public (match-queued-bids (dataset-id uint))
  (contract-call? ${market} match-queued-bids dataset-id))
(define-public (cancel-bid (bid-id uint))
  (contract-call? ${market} cancel-bid bid-id))
(define-public (expire-bid (bid-id uint))
  (contract-call? ${market} expire-bid bid-id))
(define-public (register-validator (stake uint))
  (contract-call? ${market} register-validator stake))
(define-public (request-validator-exit)
  (contract-call? ${market} request-validator-exit))
(define-public (withdraw-validator-stake)
  (contract-call? ${market} withdraw-validator-stake))
(define-public (draw-committee (bid-id uint))
  (contract-call? ${market} draw-committee bid-id))
(define-public (commit-validation-result (bid-id uint) (commitment (buff 32)))
  (contract-call? ${market} commit-validation-result bid-id commitment))
(define-public (reveal-validation-result (bid-id uint) (score uint) (salt (buff 32)))
  (contract-call? ${market} reveal-validation-result bid-id score salt))
(define-public (submit-validation-result (dataset-id uint) (bid-id uint) (score uint))
  (contract-call? ${market} submit-validation-result dataset-id bid-id score))
(define-public (finalize-validation (bid-id uint))
  (contract-call? ${market} finalize-validation bid-id))
(define-public (claim-validation-reward (bid-id uint))
  (contract-call? ${market} claim-validation-reward bid-id))
(define-public (set-paused (pause bool))
  (contract-call? ${market} set-paused pause))
(define-public (withdraw-treasury (amount uint) (recipient principal))
  (contract-call? ${market} withdraw-treasury amount recipient))
(define-public (propose-parameter-change (parameter (string-ascii 32)) (value uint))
  (contract-call? ${market} propose-parameter-change parameter value))
(define-public (vote-on-proposal (proposal-id uint) (support bool))
  (contract-call? ${market} vote-on-proposal proposal-id support))
(define-public (execute-proposal (proposal-id uint))
  (contract-call? ${market} execute-proposal proposal-id))

;; the proxy acting for itself: tx-sender = contract-caller = this contract
(define-public (register-dataset-as-self (stake uint))
  (as-contract? ((with-stx u1000000))
    (try! (contract-call? ${market} register-dataset stake "ipfs://proxy-dataset"))))
(define-public (withdraw-dataset-stake-as-self (dataset-id uint))
  (as-contract? ()
    (try! (contract-call? ${market} withdraw-dataset-stake dataset-id))))
`;

const proxyId = `${outsider}.proxy`;

function deployProxy() {
  const r = simnet.deployContract("proxy", PROXY_SOURCE, { clarityVersion: 4 }, outsider);
  expect(r.result).toBeBool(true);
}

type Case = {
  fn: string;
  who: string;
  setup: () => void;
  args: () => ClarityValue[];
  ok: () => ClarityValue;
};

const bidDeadline = () => Cl.uint(height() + 150n);

/** Every state-changing public function, with a setup in which the direct call succeeds. */
const CASES: Case[] = [
  {
    fn: "register-dataset",
    who: provider,
    setup: () => {},
    args: () => [Cl.uint(1_000_000), Cl.stringAscii("ipfs://dataset-metadata")],
    ok: () => Cl.uint(1),
  },
  {
    fn: "add-dataset-stake",
    who: provider,
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.uint(1), Cl.uint(500_000)],
    ok: () => Cl.uint(1_500_000),
  },
  {
    fn: "set-dataset-terms",
    who: provider,
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.uint(1), Cl.uint(10), Cl.uint(2)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "withdraw-dataset-stake",
    who: provider,
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(1_000_000),
  },
  {
    fn: "place-computation-bid",
    who: bidder,
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.uint(1), Cl.uint(500_000), Cl.uint(100), bidDeadline()],
    ok: () => Cl.uint(1),
  },
  {
    fn: "match-queued-bids",
    who: outsider,
    setup: () => matchedAndQueued(),
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(1),
  },
  {
    fn: "cancel-bid",
    who: bidder2,
    setup: () => matchedAndQueued(),
    args: () => [Cl.uint(2)],
    ok: () => Cl.uint(400_000),
  },
  {
    fn: "expire-bid",
    who: outsider,
    setup: () => {
      const { bidId } = matchedJob();
      mineUntil((getBid(bidId)?.deadline as bigint) + REVEAL_CLOSES + 1n);
    },
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(500_000),
  },
  {
    fn: "register-validator",
    who: validator1,
    setup: () => {},
    args: () => [Cl.uint(1_000_000)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "request-validator-exit",
    who: validator1,
    setup: () => expect(registerValidator(validator1).result).toBeOk(Cl.bool(true)),
    args: () => [],
    ok: () => Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks),
  },
  {
    fn: "withdraw-validator-stake",
    who: validator1,
    setup: () => {
      expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
      expect(requestExit(validator1).result).toBeOk(
        Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks),
      );
      simnet.mineEmptyBlocks(Number(DEFAULTS.validatorUnbondingBlocks));
    },
    args: () => [],
    ok: () => Cl.uint(1_000_000),
  },
  {
    fn: "draw-committee",
    who: outsider,
    setup: () => {
      // no validator at the match: the committee is drawn later
      matchedJob([]);
      expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    },
    args: () => [Cl.uint(1)],
    ok: () => Cl.list([Cl.principal(validator1)]),
  },
  {
    fn: "commit-validation-result",
    who: validator1,
    setup: () => void matchedJob(THREE_VALIDATORS),
    args: () => [Cl.uint(1), commitmentFor(validator1, 1, 80)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "reveal-validation-result",
    who: validator1,
    setup: () => {
      matchedJob(THREE_VALIDATORS);
      for (const who of [validator1, validator2, validator3]) expect(commit(who, 1, 80).result).toBeOk(Cl.bool(true));
    },
    args: () => [Cl.uint(1), Cl.uint(80), Cl.buffer(saltFor(validator1, 1))],
    ok: () => Cl.bool(false),
  },
  {
    fn: "submit-validation-result",
    who: validator1,
    setup: () => void matchedJob(),
    args: () => [Cl.uint(1), Cl.uint(1), Cl.uint(85)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "finalize-validation",
    who: outsider,
    setup: () => {
      const { bidId } = matchedJob();
      mineUntil((getBid(bidId)?.deadline as bigint) + REVEAL_CLOSES + 1n);
    },
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(OUTCOME.NO_QUORUM),
  },
  {
    fn: "claim-validation-reward",
    who: validator1,
    setup: () => void finalizedJob(85),
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(25_000),
  },
  {
    fn: "set-paused",
    who: deployer,
    setup: () => {},
    args: () => [Cl.bool(true)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "withdraw-treasury",
    who: deployer,
    setup: () => void silentSeatJob(),
    args: () => [Cl.uint(SILENT_TREASURY), Cl.principal(deployer)],
    ok: () => Cl.uint(SILENT_TREASURY),
  },
  {
    fn: "propose-parameter-change",
    who: provider,
    // the provider's 1,000,000 dataset stake reaches proposal-threshold
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.stringAscii("committee-size"), Cl.uint(3)],
    ok: () => Cl.uint(1),
  },
  {
    fn: "vote-on-proposal",
    who: provider,
    setup: () => {
      expect(registerDataset().result).toBeOk(Cl.uint(1));
      expect(proposeChange(provider, "committee-size", 3).result).toBeOk(Cl.uint(1));
    },
    args: () => [Cl.uint(1), Cl.bool(true)],
    ok: () => Cl.uint(DEFAULTS.minDatasetStake),
  },
  {
    fn: "execute-proposal",
    who: outsider,
    setup: () => {
      expect(registerDataset().result).toBeOk(Cl.uint(1));
      expect(proposeChange(provider, "committee-size", 3).result).toBeOk(Cl.uint(1));
      expect(call("vote-on-proposal", [Cl.uint(1), Cl.bool(true)], provider).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
      mineUntil(view("get-proposal", [Cl.uint(1)])?.["executable-at"] as bigint);
    },
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(2),
  },
];

describe("NOT_DIRECT_CALLER (intermediary contracts)", () => {
  beforeEach(() => deployProxy());

  it("the proxy forwards every state-changing public function of the market (22)", () => {
    const iface = simnet.getContractsInterfaces().get(contractId);
    const publicFns = iface?.functions.filter((f) => f.access === "public").map((f) => f.name).sort();
    expect(publicFns).toHaveLength(22);
    expect(publicFns).toEqual(CASES.map((c) => c.fn).sort());
  });

  it.each(CASES)("$fn refuses a call through the proxy (u101) and accepts the same call made directly", (c) => {
    c.setup();
    const args = c.args();
    const before = balances(c.who, proxyId, contractId);
    const totals = getTotals();

    const viaProxy = simnet.callPublicFn(proxyId, c.fn, args, c.who);
    expectErr(viaProxy, "NOT_DIRECT_CALLER");
    expect(viaProxy.events).toEqual([]);
    expect(deltas(before)).toEqual(new Map([[c.who, 0n], [proxyId, 0n], [contractId, 0n]]));
    expect(getTotals()).toEqual(totals);

    expect(call(c.fn, args, c.who).result).toBeOk(c.ok());
  });

  it("a contract acting for itself (tx-sender = contract-caller = the proxy) may register and withdraw a dataset", () => {
    expect(simnet.transferSTX(3_000_000, proxyId, outsider).result).toBeOk(Cl.bool(true));
    const before = balances(proxyId, outsider, contractId);

    const registered = simnet.callPublicFn(proxyId, "register-dataset-as-self", [Cl.uint(1_000_000)], outsider);
    expect(registered.result).toBeOk(Cl.uint(1));
    expect(stxTransfers(registered)).toEqual([{ sender: proxyId, recipient: contractId, amount: 1_000_000n }]);
    expect(printEvents(registered)).toEqual([
      { event: "dataset-registered", "dataset-id": 1n, provider: proxyId, stake: 1_000_000n, "metadata-uri": "ipfs://proxy-dataset" },
    ]);
    expect(deltas(before)).toEqual(new Map([[proxyId, -1_000_000n], [outsider, 0n], [contractId, 1_000_000n]]));
    expect(getDataset(1)).toMatchObject({ provider: proxyId, stake: 1_000_000n, active: true });
    expectSolvent();

    // the proxy is the provider: the outsider calling directly is not
    expectErr(withdrawStake(outsider, 1), "NOT_DATASET_PROVIDER");
    const withdrawn = simnet.callPublicFn(proxyId, "withdraw-dataset-stake-as-self", [Cl.uint(1)], outsider);
    expect(withdrawn.result).toBeOk(Cl.uint(1_000_000));
    expect(deltas(before)).toEqual(new Map([[proxyId, 0n], [outsider, 0n], [contractId, 0n]]));
    expect(getDataset(1)).toMatchObject({ active: false, stake: 0n });
  });

  it("the proxy's as-contract? allowance caps what the market may take from it", () => {
    expect(simnet.transferSTX(3_000_000, proxyId, outsider).result).toBeOk(Cl.bool(true));
    const before = balances(proxyId, contractId);
    // 2,000,000 exceeds the proxy's u1000000 with-stx allowance: the whole call aborts
    const r = simnet.callPublicFn(proxyId, "register-dataset-as-self", [Cl.uint(2_000_000)], outsider);
    expect(r.result).toBeErr(Cl.uint(0));
    expect(deltas(before)).toEqual(new Map([[proxyId, 0n], [contractId, 0n]]));
    expect(getDataset(1)).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// Read-only views
// ---------------------------------------------------------------------------

describe("read-only views", () => {
  it("get-parameters returns the defaults, version 1, also recorded as get-parameters-at u1", () => {
    const expected = {
      version: 1n,
      ...Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [kebab(k), v])),
    };
    expect(view("get-parameters")).toEqual(expected);
    expect(view("get-parameters-at", [Cl.uint(1)])).toEqual(expected);
    expect(view("get-parameters-at", [Cl.uint(2)])).toBeNull();
  });

  it("get-contract-owner is the deployer", () => {
    expect(readOnly("get-contract-owner")).toBePrincipal(deployer);
  });

  it("is-paused is false at deploy and follows set-paused", () => {
    expect(isPaused()).toBeBool(false);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(isPaused()).toBeBool(true);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(isPaused()).toBeBool(true);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(isPaused()).toBeBool(false);
  });

  it("get-last-ids starts at zero and counts only successful registrations, bids and proposals", () => {
    expect(lastIds()).toEqual({ "dataset-id": 0n, "bid-id": 0n, "proposal-id": 0n });
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(registerDataset(provider, 1n), "STAKE_TOO_LOW");
    expect(registerDataset(bidder2).result).toBeOk(Cl.uint(2));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expectErr(placeBid(bidder, 2, 1n), "BID_TOO_LOW");
    expect(proposeChange(provider, "committee-size", 3).result).toBeOk(Cl.uint(1));
    expectErr(proposeChange(provider, "committee-size", 11), "VALUE_OUT_OF_RANGE");
    expectErr(proposeChange(outsider, "committee-size", 3), "BELOW_PROPOSAL_THRESHOLD");
    expect(lastIds()).toEqual({ "dataset-id": 2n, "bid-id": 1n, "proposal-id": 1n });
  });
});
