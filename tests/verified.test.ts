import { createHash } from "node:crypto";
import { Cl, ClarityType, type ClarityValue } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import { computeEvalCommitment } from "../src/client/commitment.ts";
import {
  BID_STATUS,
  DEFAULTS,
  EVAL_COMMITMENT,
  EVAL_DIGEST,
  EVAL_SALT,
  MODEL,
  SPEC,
  bidderHistory,
  deliver,
  getDelivery,
  revealEval,
  trainingBid,
  OUTCOME,
  balances,
  bidder,
  bidder2,
  call,
  claim,
  commit,
  commitAndReveal,
  contractId,
  declineJob,
  deltas,
  deployer,
  drawCommittee,
  eventNames,
  expectErr,
  expectSolvent,
  expireBid,
  finalizeValidation,
  getBid,
  getCommittee,
  getDataset,
  getJobResult,
  getTotals,
  getValidator,
  height,
  mineUntil,
  outsider,
  placeBid,
  printEvents,
  provider,
  provider2,
  readOnly,
  registerDatasetWithTerms,
  registerValidator,
  reveal,
  seatsOf,
  setPaused,
  setTerms,
  stxTransfers,
  validator1,
  validator2,
  validator3,
  view,
  vote,
  windowsOf,
} from "./helpers.ts";

/**
 * Verified jobs (notes/issue12-contract.md): place-training-bid, deliver-model,
 * reveal-evaluation-set, their windows, and every ending of a verified job (a score, the reserved
 * vote u101, a missed delivery, a bidder default, a no-result refund, a decline).
 *
 * The standard job: dataset 1 (provider, 1 STX stake unless said otherwise) asks 1,000 per block;
 * the bidder's verified bid of 600,000 for 100 blocks carries a compute fee of 100,000. At the
 * delivery the provider earns 100,000 - 5,000 (validators' 5%, kept in escrow) - 1,000 (protocol
 * 1%, to the treasury) = 94,000. The rest of the bid, 500,000, follows the score.
 */

// ---------------------------------------------------------------------------
// Constants of the standard job
// ---------------------------------------------------------------------------

const STX = 1_000_000n;
const BPS = 10_000n;
const PRICE = 1_000n;
const DURATION = 100n;
const AMOUNT = 600_000n;
const FEE = PRICE * DURATION; // 100,000
const CARRIED = (FEE * DEFAULTS.validatorFeeBps) / BPS; // 5,000 kept in escrow at the delivery
const DELIVERY_PROTOCOL_FEE = (FEE * DEFAULTS.protocolFeeBps) / BPS; // 1,000
const DELIVERY_PAYMENT = FEE - CARRIED - DELIVERY_PROTOCOL_FEE; // 94,000
const REST = AMOUNT - FEE; // 500,000
const ERW = 144n; // eval-reveal-window default
const VW = DEFAULTS.validationWindow;
const RW = DEFAULTS.revealWindow;
const URI = "ipfs://verified-dataset";

const sha256 = (...parts: (Uint8Array | string)[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

const OTHER = sha256("something else");

// ---------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------

type CallResult = ReturnType<typeof call>;
type Totals = ReturnType<typeof getTotals>;

/** The five solvency buckets' change since `before`. */
function totalsMoved(before: Totals) {
  const now = getTotals();
  return {
    "dataset-stakes": now["dataset-stakes"] - before["dataset-stakes"],
    "validator-stakes": now["validator-stakes"] - before["validator-stakes"],
    "escrowed-bids": now["escrowed-bids"] - before["escrowed-bids"],
    "unclaimed-rewards": now["unclaimed-rewards"] - before["unclaimed-rewards"],
    treasury: now.treasury - before.treasury,
  };
}

const moved = (o: Partial<ReturnType<typeof totalsMoved>>) => ({
  "dataset-stakes": 0n,
  "validator-stakes": 0n,
  "escrowed-bids": 0n,
  "unclaimed-rewards": 0n,
  treasury: 0n,
  ...o,
});

/** Asserts a refused call: the named error, no event, and nothing moved (balances of `who`, the contract, totals). */
function refused(run: () => CallResult, name: Parameters<typeof expectErr>[1], who: string[] = [provider, bidder]) {
  const before = balances(...who, contractId);
  const totals = getTotals();
  const r = run();
  expectErr(r, name);
  expect(r.events).toEqual([]);
  expect([...deltas(before).values()].every((d) => d === 0n)).toBe(true);
  expect(getTotals()).toEqual(totals);
}

/**
 * Validators registered (each seated at the match while there are at most 5), then dataset 1
 * (provider, `stake`, ask PRICE, `capacity` slots).
 */
function market(opts: { validators?: [string, bigint][]; stake?: bigint; capacity?: bigint; price?: bigint } = {}) {
  for (const [who, stake] of opts.validators ?? [[validator1, STX]]) expect(registerValidator(who, stake).result).toBeOk(Cl.bool(true));
  expect(registerDatasetWithTerms(provider, opts.stake ?? STX, URI, opts.price ?? PRICE, opts.capacity ?? 1n).result).toBeOk(Cl.uint(1));
}

/** `market(opts)` and bid 1: the bidder's standard verified bid, matched at once. */
function verifiedJob(opts: Parameters<typeof market>[0] & { amount?: bigint } = {}) {
  market(opts);
  const deadline = height() + DURATION + 50n;
  expect(trainingBid(bidder, 1, { amount: opts.amount, deadline }).result).toBeOk(Cl.uint(1));
  expect(getBid(1)?.status).toBe(BigInt(BID_STATUS.MATCHED));
  return { bidId: 1n, datasetId: 1n, deadline, matchedAt: height() };
}

/** `verifiedJob(opts)` delivered at once by the provider (94,000 paid). */
function deliveredJob(opts: Parameters<typeof verifiedJob>[0] = {}) {
  const job = verifiedJob(opts);
  expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
  return { ...job, deliveredAt: height() };
}

/** `deliveredJob(opts)` whose evaluation set the bidder reveals at once: the commit window opens. */
function revealedJob(opts: Parameters<typeof verifiedJob>[0] = {}) {
  const job = deliveredJob(opts);
  expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(height() + VW));
  return { ...job, revealedAt: height() };
}

const market_ = `'${contractId}`;
const PROXY_SOURCE = `
(define-public (place-training-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint) (spec (buff 32)) (ec (buff 32)))
  (contract-call? ${market_} place-training-bid dataset-id amount duration deadline spec ec))
(define-public (deliver-model (bid-id uint) (model (buff 32)))
  (contract-call? ${market_} deliver-model bid-id model))
(define-public (reveal-evaluation-set (bid-id uint) (digest (buff 32)) (salt (buff 32)))
  (contract-call? ${market_} reveal-evaluation-set bid-id digest salt))
`;
const proxyId = `${outsider}.verified-proxy`;

/** Deploys the intermediary contract forwarding the three new calls. */
function deployProxy() {
  expect(simnet.deployContract("verified-proxy", PROXY_SOURCE, { clarityVersion: 4 }, outsider).result).toBeBool(true);
}

function viaProxy(fn: string, args: ClarityValue[], who: string) {
  return simnet.callPublicFn(proxyId, fn, args, who);
}

/** The single print event named `name` of a call. */
function eventOf(r: CallResult, name: string) {
  const found = printEvents(r).filter((e) => e.event === name);
  expect(found).toHaveLength(1);
  return found[0];
}

// ---------------------------------------------------------------------------
// place-training-bid
// ---------------------------------------------------------------------------

describe("place-training-bid", () => {
  it("escrows the amount and stores a verified bid with compute-fee = price * duration, its delivery record and the bid-placed event with spec, eval-commitment and compute-fee", () => {
    market();
    const h = height();
    const before = balances(bidder, contractId);
    const totals = getTotals();
    const r = trainingBid(bidder, 1, { deadline: h + 150n });
    expect(r.result).toBeOk(Cl.uint(1));

    expect(printEvents(r)).toEqual([
      {
        event: "bid-placed",
        "bid-id": 1n,
        "dataset-id": 1n,
        bidder,
        amount: AMOUNT,
        duration: DURATION,
        deadline: h + 150n,
        spec: hex(SPEC),
        "eval-commitment": hex(EVAL_COMMITMENT),
        "compute-fee": 100_000n,
      },
      { event: "bid-matched", "bid-id": 1n, "dataset-id": 1n, bidder, "matched-at": h },
      { event: "committee-drawn", "bid-id": 1n, seats: [validator1], random: false },
    ]);
    expect(deltas(before)).toEqual(new Map([[bidder, -AMOUNT], [contractId, AMOUNT]]));
    expect(totalsMoved(totals)).toEqual(moved({ "escrowed-bids": AMOUNT }));
    expect(getBid(1)).toMatchObject({
      "dataset-id": 1n,
      bidder,
      amount: AMOUNT,
      duration: DURATION,
      deadline: h + 150n,
      status: BigInt(BID_STATUS.MATCHED),
      "matched-at": h,
      verified: true,
      "compute-fee": 100_000n,
    });
    expect(getDelivery(1)).toEqual({
      spec: hex(SPEC),
      "eval-commitment": hex(EVAL_COMMITMENT),
      model: null,
      "delivered-at": 0n,
      "eval-digest": null,
      "eval-revealed-at": 0n,
    });
    expectSolvent();
  });

  it("a plain bid stays plain: verified false, compute-fee 0, no delivery record, the unchanged bid-placed event and plain windows", () => {
    market();
    const h = height();
    const r = placeBid(bidder, 1, AMOUNT, DURATION, h + 150n);
    expect(r.result).toBeOk(Cl.uint(1));
    expect(printEvents(r)[0]).toEqual({
      event: "bid-placed",
      "bid-id": 1n,
      "dataset-id": 1n,
      bidder,
      amount: AMOUNT,
      duration: DURATION,
      deadline: h + 150n,
    });
    expect(getBid(1)).toMatchObject({ verified: false, "compute-fee": 0n });
    expect(getDelivery(1)).toBeNull();
    expect(windowsOf(1)).toMatchObject({ "commit-closes-at": h + 150n + VW, "reveal-closes-at": h + 150n + VW + RW });
    expectSolvent();
  });

  it("keeps the plain bid's check order: DATASET_NOT_FOUND, NOT_DIRECT_CALLER, PAUSED, DATASET_INACTIVE, SELF_BID, BID_TOO_LOW, INVALID_DURATION, BID_BELOW_ASK, DEADLINE_UNREACHABLE", () => {
    market({ price: 2_000n }); // ask for 100 blocks: 200,000
    deployProxy();
    const args = (datasetId: number, amount: bigint, duration: bigint, deadline: bigint) => [
      Cl.uint(datasetId),
      Cl.uint(amount),
      Cl.uint(duration),
      Cl.uint(deadline),
      Cl.buffer(SPEC),
      Cl.buffer(EVAL_COMMITMENT),
    ];
    const h = height();
    const who = [provider, bidder, proxyId];
    // an unknown dataset is read before the caller is checked
    refused(() => viaProxy("place-training-bid", args(9, AMOUNT, DURATION, h + 150n), bidder), "DATASET_NOT_FOUND", who);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    refused(() => viaProxy("place-training-bid", args(1, AMOUNT, DURATION, h + 150n), bidder), "NOT_DIRECT_CALLER", who);
    // paused, and the provider bidding on its own dataset
    refused(() => trainingBid(provider, 1), "PAUSED", who);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    // a self-bid below the minimum with a zero duration
    refused(() => trainingBid(provider, 1, { amount: 1n, duration: 0n, deadline: h }), "SELF_BID", who);
    refused(() => trainingBid(bidder, 1, { amount: 99_999n, duration: 0n, deadline: h }), "BID_TOO_LOW", who);
    refused(() => trainingBid(bidder, 1, { amount: 100_000n, duration: 0n, deadline: h }), "INVALID_DURATION", who);
    // below the ask (200,000) with an unreachable deadline
    refused(() => trainingBid(bidder, 1, { amount: 199_999n, deadline: h }), "BID_BELOW_ASK", who);
    refused(() => trainingBid(bidder, 1, { amount: 200_000n, deadline: h + DURATION - 1n }), "DEADLINE_UNREACHABLE", who);
    // a retired dataset refuses even a valid bid, before the self-bid check
    expect(call("retire-dataset", [Cl.uint(1)], provider).result).toBeOk(Cl.bool(true));
    refused(() => trainingBid(provider, 1, { amount: 1n }), "DATASET_INACTIVE", who);
    expect(getBid(1)).toBeNull();
    expectSolvent();
  });

  it("bounds the deadline: now + duration is the earliest and now + duration + max-bid-wait the furthest; one block beyond is DEADLINE_TOO_FAR", () => {
    market({ capacity: 2n });
    const h = height();
    refused(() => trainingBid(bidder, 1, { deadline: h + DURATION + DEFAULTS.maxBidWait + 1n }), "DEADLINE_TOO_FAR");
    refused(() => trainingBid(bidder, 1, { deadline: h + DURATION - 1n }), "DEADLINE_UNREACHABLE");
    expect(trainingBid(bidder, 1, { deadline: h + DURATION + DEFAULTS.maxBidWait }).result).toBeOk(Cl.uint(1));
    expect(trainingBid(bidder, 1, { deadline: h + DURATION }).result).toBeOk(Cl.uint(2));
    expect(getBid(1)?.deadline).toBe(h + DURATION + DEFAULTS.maxBidWait);
    expect(getBid(2)?.deadline).toBe(h + DURATION);
    expectSolvent();
  });

  it("fixes the compute fee at placement: a later price change moves neither the bid's compute-fee nor the delivery payment; a bid placed after it carries the new fee", () => {
    market({ capacity: 2n });
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(setTerms(provider, 1, 3_000n, 2n).result).toBeOk(Cl.bool(true));
    expect(getDataset(1)?.["price-per-block"]).toBe(3_000n);
    expect(getBid(1)?.["compute-fee"]).toBe(100_000n);

    const r = trainingBid(bidder2, 1);
    expect(r.result).toBeOk(Cl.uint(2));
    expect(eventOf(r, "bid-placed")["compute-fee"]).toBe(300_000n);
    expect(getBid(2)?.["compute-fee"]).toBe(300_000n);

    const before = balances(provider, contractId);
    const delivered = deliver(provider, 1);
    expect(delivered.result).toBeOk(Cl.uint(94_000n));
    expect(deltas(before)).toEqual(new Map([[provider, 94_000n], [contractId, -94_000n]]));
    // 300,000 - 15,000 - 3,000
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(282_000n));
    expectSolvent();
  });

  it("a queued verified bid (bid-placed only) matched later keeps verified, its compute fee from placement and its delivery record", () => {
    market();
    expect(placeBid(bidder, 1, 500_000n, DURATION, height() + 150n).result).toBeOk(Cl.uint(1));
    const h = height();
    const queued = trainingBid(bidder2, 1, { deadline: h + 400n });
    expect(queued.result).toBeOk(Cl.uint(2));
    expect(printEvents(queued)).toEqual([
      {
        event: "bid-placed",
        "bid-id": 2n,
        "dataset-id": 1n,
        bidder: bidder2,
        amount: AMOUNT,
        duration: DURATION,
        deadline: h + 400n,
        spec: hex(SPEC),
        "eval-commitment": hex(EVAL_COMMITMENT),
        "compute-fee": 100_000n,
      },
    ]);
    expect(getBid(2)).toMatchObject({ status: BigInt(BID_STATUS.QUEUED), verified: true, "compute-fee": 100_000n });
    // the provider doubles its ask while bid 2 waits
    expect(setTerms(provider, 1, 2_000n, 1n).result).toBeOk(Cl.bool(true));

    // the plain job settles; its slot goes to bid 2
    const settled = vote(validator1, 1, 1, 85);
    expect(settled.result).toBeOk(Cl.bool(true));
    expect(printEvents(settled).filter((e) => e.event === "bid-matched")).toEqual([
      { event: "bid-matched", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, "matched-at": h },
    ]);
    expect(getBid(2)).toMatchObject({
      status: BigInt(BID_STATUS.MATCHED),
      verified: true,
      "compute-fee": 100_000n,
      "matched-at": h,
      amount: AMOUNT,
      deadline: h + 400n,
    });
    expect(getDelivery(2)).toEqual({
      spec: hex(SPEC),
      "eval-commitment": hex(EVAL_COMMITMENT),
      model: null,
      "delivered-at": 0n,
      "eval-digest": null,
      "eval-revealed-at": 0n,
    });
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(revealEval(bidder2, 2).result).toBeOk(Cl.uint(h + VW));
    expectSolvent();
  });
});

describe("compute-eval-commitment", () => {
  it("is sha256(eval-digest ++ salt), as the client's computeEvalCommitment; another salt or digest gives another commitment", () => {
    const commitmentOf = (digest: Uint8Array, salt: Uint8Array) =>
      readOnly("compute-eval-commitment", [Cl.buffer(digest), Cl.buffer(salt)]);
    expect(commitmentOf(EVAL_DIGEST, EVAL_SALT)).toStrictEqual(Cl.buffer(sha256(EVAL_DIGEST, EVAL_SALT)));
    expect(commitmentOf(EVAL_DIGEST, EVAL_SALT)).toStrictEqual(Cl.buffer(computeEvalCommitment(EVAL_DIGEST, EVAL_SALT)));
    expect(commitmentOf(EVAL_DIGEST, OTHER)).toStrictEqual(Cl.buffer(sha256(EVAL_DIGEST, OTHER)));
    expect(commitmentOf(EVAL_DIGEST, OTHER)).not.toStrictEqual(commitmentOf(EVAL_DIGEST, EVAL_SALT));
    expect(commitmentOf(OTHER, EVAL_SALT)).not.toStrictEqual(commitmentOf(EVAL_DIGEST, EVAL_SALT));
    // the order matters: salt ++ digest is another commitment
    expect(commitmentOf(EVAL_SALT, EVAL_DIGEST)).not.toStrictEqual(commitmentOf(EVAL_DIGEST, EVAL_SALT));
    // a short salt is hashed as given (reveal-evaluation-set refuses it)
    expect(commitmentOf(EVAL_DIGEST, EVAL_SALT.slice(0, 31))).toStrictEqual(Cl.buffer(sha256(EVAL_DIGEST, EVAL_SALT.slice(0, 31))));
  });
});

// ---------------------------------------------------------------------------
// deliver-model
// ---------------------------------------------------------------------------

describe("deliver-model", () => {
  it("pays the provider the compute fee less the validators' share (kept in escrow) and the protocol fee (to the treasury), records the model and emits model-delivered", () => {
    verifiedJob();
    const before = balances(provider, bidder, validator1, contractId);
    const totals = getTotals();
    const r = deliver(provider, 1);
    expect(r.result).toBeOk(Cl.uint(94_000n));

    expect(deltas(before)).toEqual(
      new Map([[provider, 94_000n], [bidder, 0n], [validator1, 0n], [contractId, -94_000n]]),
    );
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: provider, amount: 94_000n }]);
    // escrow loses the payment and the protocol fee; the validators' 5,000 stays in it
    expect(totalsMoved(totals)).toEqual(moved({ "escrowed-bids": -95_000n, treasury: 1_000n }));
    expect(getTotals()["escrowed-bids"]).toBe(AMOUNT - 95_000n);
    expect(printEvents(r)).toEqual([
      {
        event: "model-delivered",
        "bid-id": 1n,
        "dataset-id": 1n,
        provider,
        model: hex(MODEL),
        "compute-fee": 100_000n,
        "provider-payment": 94_000n,
        "protocol-fee": 1_000n,
      },
    ]);
    expect(getDelivery(1)).toEqual({
      spec: hex(SPEC),
      "eval-commitment": hex(EVAL_COMMITMENT),
      model: hex(MODEL),
      "delivered-at": height(),
      "eval-digest": null,
      "eval-revealed-at": 0n,
    });
    expect(getBid(1)?.status).toBe(BigInt(BID_STATUS.MATCHED));
    expectSolvent();
  });

  it("checks in order: BID_NOT_FOUND, NOT_VERIFIED_JOB, NOT_DIRECT_CALLER, NOT_DATASET_PROVIDER, JOB_NOT_RUNNING, ALREADY_DELIVERED, DELIVERY_CLOSED", () => {
    // bids 1, 3, 4 verified and 2 plain, all matched; bid 5 verified and queued
    market({ capacity: 4n });
    const h = height();
    const deadline = h + 150n;
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1, AMOUNT, DURATION, deadline).result).toBeOk(Cl.uint(2));
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(3));
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(4));
    expect(trainingBid(bidder2, 1, { deadline }).result).toBeOk(Cl.uint(5));
    expect(getBid(5)?.status).toBe(BigInt(BID_STATUS.QUEUED));
    deployProxy();
    const who = [provider, bidder, bidder2, outsider, proxyId];

    refused(() => viaProxy("deliver-model", [Cl.uint(99), Cl.buffer(MODEL)], provider), "BID_NOT_FOUND", who);
    refused(() => deliver(provider, 99), "BID_NOT_FOUND", who);
    // a plain job, through the proxy, by someone else
    refused(() => viaProxy("deliver-model", [Cl.uint(2), Cl.buffer(MODEL)], outsider), "NOT_VERIFIED_JOB", who);
    refused(() => deliver(provider, 2), "NOT_VERIFIED_JOB", who);
    // a queued bid, through the proxy
    refused(() => viaProxy("deliver-model", [Cl.uint(5), Cl.buffer(MODEL)], provider), "NOT_DIRECT_CALLER", who);
    refused(() => deliver(bidder2, 5), "NOT_DATASET_PROVIDER", who);
    refused(() => deliver(provider, 5), "JOB_NOT_RUNNING", who);

    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 4).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    refused(() => deliver(provider, 4, OTHER), "ALREADY_DELIVERED", who);

    // bid 1 ends as a bidder default: a settled job is no longer running
    mineUntil(h + ERW + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(0));
    refused(() => deliver(outsider, 1), "NOT_DATASET_PROVIDER", who);
    refused(() => deliver(provider, 1), "JOB_NOT_RUNNING", who);

    mineUntil(deadline + 1n);
    refused(() => deliver(provider, 4, OTHER), "ALREADY_DELIVERED", who);
    refused(() => deliver(provider, 3), "DELIVERY_CLOSED", who);
    expect(getDelivery(4)?.model).toBe(hex(MODEL));
    expect(getDelivery(3)?.model).toBeNull();
    expectSolvent();
  });

  it("refuses a plain job with NOT_VERIFIED_JOB, even from its provider", () => {
    market();
    expect(placeBid(bidder, 1, AMOUNT, DURATION).result).toBeOk(Cl.uint(1));
    refused(() => deliver(provider, 1), "NOT_VERIFIED_JOB");
    expect(getDelivery(1)).toBeNull();
    expectSolvent();
  });

  it("works while paused", () => {
    verifiedJob();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const before = balances(provider, contractId);
    const r = deliver(provider, 1);
    expect(r.result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(eventNames(r)).toEqual(["model-delivered"]);
    expect(deltas(before)).toEqual(new Map([[provider, DELIVERY_PAYMENT], [contractId, -DELIVERY_PAYMENT]]));
    expect(getDelivery(1)?.model).toBe(hex(MODEL));
    expectSolvent();
  });

  it("delivers once: a second delivery (another digest) is ALREADY_DELIVERED and pays nothing; the first model stays", () => {
    const { deliveredAt } = deliveredJob();
    simnet.mineEmptyBlocks(3);
    refused(() => deliver(provider, 1, OTHER), "ALREADY_DELIVERED");
    expect(getDelivery(1)).toMatchObject({ model: hex(MODEL), "delivered-at": deliveredAt });
    expect(getTotals()["escrowed-bids"]).toBe(AMOUNT - FEE + CARRIED);
    expectSolvent();
  });

  it("is open until the deadline: a delivery at the deadline is paid, one a block later is DELIVERY_CLOSED", () => {
    market({ capacity: 2n });
    const deadline = height() + 150n;
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(1));
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(2));
    mineUntil(deadline);
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(getDelivery(1)?.["delivered-at"]).toBe(deadline);
    mineUntil(deadline + 1n);
    refused(() => deliver(provider, 2), "DELIVERY_CLOSED");
    expect(getDelivery(2)?.model).toBeNull();
    expectSolvent();
  });

  it("a compute fee of 0 (ask 0) delivers with a payment of 0 and moves no STX", () => {
    market({ price: 0n });
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(getBid(1)?.["compute-fee"]).toBe(0n);
    const totals = getTotals();
    const r = deliver(provider, 1);
    expect(r.result).toBeOk(Cl.uint(0));
    expect(stxTransfers(r)).toEqual([]);
    expect(totalsMoved(totals)).toEqual(moved({}));
    expect(getDelivery(1)?.model).toBe(hex(MODEL));
    expectSolvent();
  });
});

// ---------------------------------------------------------------------------
// reveal-evaluation-set
// ---------------------------------------------------------------------------

describe("reveal-evaluation-set", () => {
  it("checks in order: BID_NOT_FOUND, NOT_VERIFIED_JOB, NOT_DIRECT_CALLER, NOT_BIDDER, JOB_NOT_RUNNING, NOT_DELIVERED, EVAL_ALREADY_REVEALED, EVAL_REVEAL_CLOSED, INVALID_SALT, EVAL_COMMITMENT_MISMATCH", () => {
    // bids 1, 2 verified and 3 plain (the bidder), matched; bid 4 verified, queued (bidder2)
    market({ capacity: 3n });
    const h = height();
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(2));
    expect(placeBid(bidder, 1, AMOUNT, DURATION).result).toBeOk(Cl.uint(3));
    expect(trainingBid(bidder2, 1, { deadline: h + 1_000n }).result).toBeOk(Cl.uint(4));
    deployProxy();
    const who = [provider, bidder, bidder2, outsider, proxyId];
    const short = EVAL_SALT.slice(0, 31);
    const args = (bidId: number) => [Cl.uint(bidId), Cl.buffer(EVAL_DIGEST), Cl.buffer(EVAL_SALT)];

    refused(() => viaProxy("reveal-evaluation-set", args(99), bidder), "BID_NOT_FOUND", who);
    refused(() => revealEval(bidder, 99), "BID_NOT_FOUND", who);
    refused(() => viaProxy("reveal-evaluation-set", args(3), outsider), "NOT_VERIFIED_JOB", who);
    refused(() => revealEval(bidder, 3), "NOT_VERIFIED_JOB", who);
    refused(() => viaProxy("reveal-evaluation-set", args(1), bidder), "NOT_DIRECT_CALLER", who);
    refused(() => revealEval(outsider, 4, OTHER, short), "NOT_BIDDER", who);
    refused(() => revealEval(bidder2, 4, OTHER, short), "JOB_NOT_RUNNING", who);
    refused(() => revealEval(bidder, 1, OTHER, short), "NOT_DELIVERED", who);

    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    refused(() => revealEval(bidder, 1, OTHER, short), "INVALID_SALT", who);
    refused(() => revealEval(bidder, 1, EVAL_DIGEST, OTHER), "EVAL_COMMITMENT_MISMATCH", who);
    expect(revealEval(bidder, 2).result).toBeOk(Cl.uint(h + VW));
    refused(() => revealEval(bidder, 2), "EVAL_ALREADY_REVEALED", who);

    mineUntil(h + ERW + 1n);
    refused(() => revealEval(bidder, 2, OTHER, short), "EVAL_ALREADY_REVEALED", who);
    refused(() => revealEval(bidder, 1, OTHER, short), "EVAL_REVEAL_CLOSED", who);
    refused(() => revealEval(bidder, 1), "EVAL_REVEAL_CLOSED", who);
    expect(getDelivery(1)).toMatchObject({ "eval-digest": null, "eval-revealed-at": 0n });
    expectSolvent();
  });

  it("refuses a wrong salt or a wrong digest (EVAL_COMMITMENT_MISMATCH) and a 31-byte salt (INVALID_SALT) even when it opens the commitment", () => {
    market({ capacity: 2n });
    const short = EVAL_SALT.slice(0, 31);
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    // bid 2 seals its evaluation set with a 31-byte salt
    expect(trainingBid(bidder, 1, { commitment: sha256(EVAL_DIGEST, short) }).result).toBeOk(Cl.uint(2));
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));

    refused(() => revealEval(bidder, 1, EVAL_DIGEST, OTHER), "EVAL_COMMITMENT_MISMATCH");
    refused(() => revealEval(bidder, 1, OTHER, EVAL_SALT), "EVAL_COMMITMENT_MISMATCH");
    // the salt and the digest swapped
    refused(() => revealEval(bidder, 1, EVAL_SALT, EVAL_DIGEST), "EVAL_COMMITMENT_MISMATCH");
    refused(() => revealEval(bidder, 1, EVAL_DIGEST, short), "INVALID_SALT");
    refused(() => revealEval(bidder, 2, EVAL_DIGEST, short), "INVALID_SALT");
    expect(getDelivery(1)?.["eval-digest"]).toBeNull();
    expect(getDelivery(2)?.["eval-digest"]).toBeNull();
    // the right digest and salt still open bid 1
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(height() + VW));
    expectSolvent();
  });

  it("is open until delivered-at + eval-reveal-window: a reveal in its last block records the digest, returns commit-closes-at = now + validation-window and emits evaluation-revealed; a block later EVAL_REVEAL_CLOSED", () => {
    market({ capacity: 2n });
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(2));
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    const deliveredAt = height();

    mineUntil(deliveredAt + ERW);
    const before = balances(provider, bidder, contractId);
    const totals = getTotals();
    const r = revealEval(bidder, 1);
    expect(r.result).toBeOk(Cl.uint(deliveredAt + ERW + VW));
    expect(printEvents(r)).toEqual([
      {
        event: "evaluation-revealed",
        "bid-id": 1n,
        bidder,
        "eval-digest": hex(EVAL_DIGEST),
        "commit-closes-at": deliveredAt + ERW + VW,
      },
    ]);
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 0n], [contractId, 0n]]));
    expect(getTotals()).toEqual(totals);
    expect(getDelivery(1)).toEqual({
      spec: hex(SPEC),
      "eval-commitment": hex(EVAL_COMMITMENT),
      model: hex(MODEL),
      "delivered-at": deliveredAt,
      "eval-digest": hex(EVAL_DIGEST),
      "eval-revealed-at": deliveredAt + ERW,
    });

    mineUntil(deliveredAt + ERW + 1n);
    refused(() => revealEval(bidder, 2), "EVAL_REVEAL_CLOSED");
    expectSolvent();
  });

  it("works while paused", () => {
    deliveredJob();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const r = revealEval(bidder, 1);
    expect(r.result).toBeOk(Cl.uint(height() + VW));
    expect(eventNames(r)).toEqual(["evaluation-revealed"]);
    expect(getDelivery(1)?.["eval-digest"]).toBe(hex(EVAL_DIGEST));
    expectSolvent();
  });

  it("opens the commit window: before the reveal a commit or a direct vote is EVALUATION_NOT_REVEALED; after it both are accepted; get-validation-windows moves from the latest possible to the reveal's", () => {
    market({ validators: [[validator1, STX], [validator2, STX]] });
    const deadline = height() + 150n;
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(1));
    expect(seatsOf(1)).toEqual([validator1, validator2]);
    const latest = { "commit-closes-at": deadline + ERW + VW, "reveal-closes-at": deadline + ERW + VW + RW, "committee-size": 5n, "min-reveals": 2n };
    expect(windowsOf(1)).toEqual(latest);

    // before the delivery, and after it but before the reveal
    refused(() => commit(validator1, 1, 80), "EVALUATION_NOT_REVEALED", [validator1, provider, bidder]);
    refused(() => vote(validator1, 1, 1, 80), "EVALUATION_NOT_REVEALED", [validator1, provider, bidder]);
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    refused(() => commit(validator1, 1, 80), "EVALUATION_NOT_REVEALED", [validator1, provider, bidder]);
    expect(windowsOf(1)).toEqual(latest);

    simnet.mineEmptyBlocks(10);
    const e = height();
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(e + VW));
    expect(windowsOf(1)).toEqual({ "commit-closes-at": e + VW, "reveal-closes-at": e + VW + RW, "committee-size": 5n, "min-reveals": 2n });
    expect(commit(validator1, 1, 80).result).toBeOk(Cl.bool(true));
    // a direct vote on a two-seat committee needs a commitment: past the window check
    expectErr(vote(validator2, 1, 1, 80), "COMMIT_REQUIRED");
    // the window lasts validation-window blocks from the reveal
    mineUntil(e + VW);
    expect(commit(validator2, 1, 80).result).toBeOk(Cl.bool(true));
    expect(getCommittee(1)?.commits).toBe(2n);
    expectSolvent();
  });

  it("a one-seat committee votes directly once the evaluation set is revealed, until validation-window blocks after the reveal (then VALIDATION_CLOSED)", () => {
    market({ capacity: 2n });
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(2));
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    refused(() => vote(validator1, 1, 1, 80), "EVALUATION_NOT_REVEALED", [validator1, provider, bidder]);
    const e = height();
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(e + VW));
    expect(revealEval(bidder, 2).result).toBeOk(Cl.uint(e + VW));
    mineUntil(e + VW);
    expect(vote(validator1, 1, 1, 80).result).toBeOk(Cl.bool(true));
    mineUntil(e + VW + 1n);
    refused(() => vote(validator1, 1, 2, 80), "VALIDATION_CLOSED", [validator1, provider, bidder]);
    expectSolvent();
  });

  it("the vote checks around the reveal keep their order: PAUSED before EVALUATION_NOT_REVEALED, which comes before VALIDATION_CLOSED and PARTY_CANNOT_VALIDATE; JOB_NOT_RUNNING before it", () => {
    // the provider is a validator too (never seated on its own job)
    market({ validators: [[validator1, STX], [provider, STX]] });
    const deadline = height() + 150n;
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(1));
    expect(seatsOf(1)).toEqual([validator1]);
    const who = [validator1, provider, bidder];
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    simnet.mineEmptyBlocks(1);
    refused(() => commit(validator1, 1, 80), "PAUSED", who);
    refused(() => vote(validator1, 1, 1, 80), "PAUSED", who);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    refused(() => commit(provider, 1, 80), "EVALUATION_NOT_REVEALED", who);
    refused(() => vote(provider, 1, 1, 80), "EVALUATION_NOT_REVEALED", who);
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    // past even the latest commit window, the job still matched: the reveal is what is missing
    mineUntil(deadline + ERW + VW + 1n);
    expect(getBid(1)?.status).toBe(BigInt(BID_STATUS.MATCHED));
    refused(() => commit(validator1, 1, 80), "EVALUATION_NOT_REVEALED", who);
    refused(() => vote(validator1, 1, 1, 80), "EVALUATION_NOT_REVEALED", who);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(0));
    refused(() => commit(validator1, 1, 80), "JOB_NOT_RUNNING", who);
    refused(() => vote(validator1, 1, 1, 80), "JOB_NOT_RUNNING", who);
    expectSolvent();
  });

  it("the parties still cannot vote once it is revealed (PARTY_CANNOT_VALIDATE)", () => {
    market({ validators: [[validator1, STX], [provider, STX]] });
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(height() + VW));
    refused(() => commit(provider, 1, 80), "PARTY_CANNOT_VALIDATE", [validator1, provider, bidder]);
    refused(() => vote(provider, 1, 1, 80), "PARTY_CANNOT_VALIDATE", [validator1, provider, bidder]);
    expectSolvent();
  });

  it("draw-committee is allowed before the delivery and the reveal (a market larger than the committee); its seats still wait for the reveal", () => {
    const seven: [string, bigint][] = [deployer, validator1, validator2, validator3, provider2, bidder2, outsider].map((w) => [w, STX]);
    const { matchedAt } = verifiedJob({ validators: seven });
    expect(getCommittee(1)).toBeNull();
    mineUntil(matchedAt + DEFAULTS.declineWindow + 2n);
    const drawn = drawCommittee(outsider, 1);
    expect(drawn.result.type).toBe(ClarityType.ResponseOk);
    const seats = seatsOf(1);
    expect(seats).toHaveLength(5);
    refused(() => commit(seats[0], 1, 80), "EVALUATION_NOT_REVEALED", [seats[0], provider, bidder]);
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(height() + VW));
    expect(commit(seats[0], 1, 80).result).toBeOk(Cl.bool(true));
    expectSolvent();
  });
});
