import { createHash } from "node:crypto";
import { Cl, ClarityType, type ClarityValue } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import { computeEvalCommitment } from "../src/client/commitment.ts";
import {
  DEFAULTS,
  ERR,
  EVAL_COMMITMENT,
  EVAL_DIGEST,
  EVAL_SALT,
  MODEL,
  SPEC,
  deliver,
  outcomeName,
  read,
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
  addStake,
  contractId,
  declineJob,
  decode,
  deltas,
  deployer,
  drawCommittee,
  eventNames,
  expectErr,
  expectSolvent,
  expireBid,
  finalizeValidation,
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
  vote,
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
type Totals = ReturnType<typeof read.getMarketTotals>;

/** The five solvency buckets' change since `before`. */
function totalsMoved(before: Totals) {
  const now = read.getMarketTotals();
  return {
    datasetStakes: now.datasetStakes - before.datasetStakes,
    validatorStakes: now.validatorStakes - before.validatorStakes,
    escrowedBids: now.escrowedBids - before.escrowedBids,
    unclaimedRewards: now.unclaimedRewards - before.unclaimedRewards,
    treasury: now.treasury - before.treasury,
  };
}

const moved = (o: Partial<ReturnType<typeof totalsMoved>>) => ({
  datasetStakes: 0n,
  validatorStakes: 0n,
  escrowedBids: 0n,
  unclaimedRewards: 0n,
  treasury: 0n,
  ...o,
});

/** Asserts a refused call: the named error, no event, and nothing moved (balances of `who`, the contract, totals). */
function refused(run: () => CallResult, name: Parameters<typeof expectErr>[1], who: string[] = [provider, bidder]) {
  const before = balances(...who, contractId);
  const totals = read.getMarketTotals();
  const r = run();
  expectErr(r, name);
  expect(r.events).toEqual([]);
  expect([...deltas(before).values()].every((d) => d === 0n)).toBe(true);
  expect(read.getMarketTotals()).toEqual(totals);
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
  expect(read.getBid(1)?.status).toBe("MATCHED");
  return { bidId: 1n, datasetId: 1n, deadline, matchedAt: height() };
}

/** `market({ capacity: 2 })` and bids 1 and 2: the bidder's standard verified bid twice, both matched at once, due now + 150. Returns the deadline. */
function twoVerifiedJobs() {
  market({ capacity: 2n });
  const deadline = height() + DURATION + 50n;
  expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(1));
  expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(2));
  return deadline;
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
    const totals = read.getMarketTotals();
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
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: AMOUNT }));
    expect(read.getBid(1)).toMatchObject({
      datasetId: 1n,
      bidder,
      amount: AMOUNT,
      duration: DURATION,
      deadline: h + 150n,
      status: "MATCHED",
      matchedAt: h,
      verified: true,
      computeFee: 100_000n,
    });
    expect(read.getJobDelivery(1)).toEqual({
      spec: hex(SPEC),
      evalCommitment: hex(EVAL_COMMITMENT),
      model: null,
      deliveredAt: 0n,
      evalDigest: null,
      evalRevealedAt: 0n,
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
    expect(read.getBid(1)).toMatchObject({ verified: false, computeFee: 0n });
    expect(read.getJobDelivery(1)).toBeNull();
    expect(read.getValidationWindows(1)).toMatchObject({ commitClosesAt: h + 150n + VW, revealClosesAt: h + 150n + VW + RW });
    expectSolvent();
  });

  it("checks INVALID_DIGEST first, then keeps the plain bid's check order: DATASET_NOT_FOUND, NOT_DIRECT_CALLER, PAUSED, DATASET_INACTIVE, SELF_BID, BID_TOO_LOW, INVALID_DURATION, BID_BELOW_ASK, DEADLINE_UNREACHABLE", () => {
    market({ price: 2_000n }); // ask for 100 blocks: 200,000
    deployProxy();
    const args = (datasetId: number, amount: bigint, duration: bigint, deadline: bigint, spec = SPEC, commitment = EVAL_COMMITMENT) => [
      Cl.uint(datasetId),
      Cl.uint(amount),
      Cl.uint(duration),
      Cl.uint(deadline),
      Cl.buffer(spec),
      Cl.buffer(commitment),
    ];
    const h = height();
    const who = [provider, bidder, proxyId];
    // a short spec or commitment is refused before anything else: an unknown dataset, through the proxy
    refused(() => viaProxy("place-training-bid", args(9, AMOUNT, DURATION, h + 150n, SPEC.slice(0, 31)), bidder), "INVALID_DIGEST", who);
    refused(() => viaProxy("place-training-bid", args(9, AMOUNT, DURATION, h + 150n, SPEC, EVAL_COMMITMENT.slice(0, 31)), bidder), "INVALID_DIGEST", who);
    // an unknown dataset is read before the caller is checked
    refused(() => viaProxy("place-training-bid", args(9, AMOUNT, DURATION, h + 150n), bidder), "DATASET_NOT_FOUND", who);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    refused(() => viaProxy("place-training-bid", args(1, AMOUNT, DURATION, h + 150n), bidder), "NOT_DIRECT_CALLER", who);
    // paused, a self-bid, an empty spec: the digest first
    refused(() => trainingBid(provider, 1, { spec: new Uint8Array(0) }), "INVALID_DIGEST", who);
    // paused, and the provider bidding on its own dataset
    refused(() => trainingBid(provider, 1), "PAUSED", who);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    // a self-bid below the minimum with a zero duration
    refused(() => trainingBid(provider, 1, { amount: 1n, duration: 0n, deadline: h }), "SELF_BID", who);
    refused(() => trainingBid(bidder, 1, { amount: 99_999n, duration: 0n, deadline: h }), "BID_TOO_LOW", who);
    refused(() => trainingBid(bidder, 1, { amount: 100_000n, duration: 0n, deadline: h }), "INVALID_DURATION", who);
    // a duration no bid may have is refused as such, even where price * duration would not fit a uint
    refused(() => trainingBid(bidder, 1, { duration: DEFAULTS.maxComputationDuration + 1n, deadline: h }), "INVALID_DURATION", who);
    refused(() => trainingBid(bidder, 1, { duration: 2n ** 128n - 1n, deadline: h }), "INVALID_DURATION", who);
    // below the ask (200,000) with an unreachable deadline
    refused(() => trainingBid(bidder, 1, { amount: 199_999n, deadline: h }), "BID_BELOW_ASK", who);
    refused(() => trainingBid(bidder, 1, { amount: 200_000n, deadline: h + DURATION - 1n }), "DEADLINE_UNREACHABLE", who);
    // a retired dataset refuses even a valid bid, before the self-bid check
    expect(call("retire-dataset", [Cl.uint(1)], provider).result).toBeOk(Cl.bool(true));
    refused(() => trainingBid(provider, 1, { amount: 1n }), "DATASET_INACTIVE", who);
    expect(read.getBid(1)).toBeNull();
    expectSolvent();
  });

  it("bounds the deadline: now + duration is the earliest and now + duration + max-bid-wait the furthest; one block beyond is DEADLINE_TOO_FAR", () => {
    market({ capacity: 2n });
    const h = height();
    refused(() => trainingBid(bidder, 1, { deadline: h + DURATION + DEFAULTS.maxBidWait + 1n }), "DEADLINE_TOO_FAR");
    refused(() => trainingBid(bidder, 1, { deadline: h + DURATION - 1n }), "DEADLINE_UNREACHABLE");
    expect(trainingBid(bidder, 1, { deadline: h + DURATION + DEFAULTS.maxBidWait }).result).toBeOk(Cl.uint(1));
    expect(trainingBid(bidder, 1, { deadline: h + DURATION }).result).toBeOk(Cl.uint(2));
    expect(read.getBid(1)?.deadline).toBe(h + DURATION + DEFAULTS.maxBidWait);
    expect(read.getBid(2)?.deadline).toBe(h + DURATION);
    expectSolvent();
  });

  it("fixes the compute fee at placement: a later price change moves neither the bid's compute-fee nor the delivery payment; a raise binds bids placed PRICE_NOTICE_BLOCKS (6) blocks after it", () => {
    market({ capacity: 3n });
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    const raisedAt = height();
    expect(setTerms(provider, 1, 3_000n, 3n).result).toBeOk(Cl.bool(true));
    expect(read.getDataset(1)?.pricePerBlock).toBe(3_000n);
    expect(read.getBid(1)?.computeFee).toBe(100_000n);

    // during the notice the ask (300,000) is checked, but the fee is the price before the raise
    refused(() => trainingBid(bidder2, 1, { amount: 299_999n }), "BID_BELOW_ASK");
    const during = trainingBid(bidder2, 1);
    expect(during.result).toBeOk(Cl.uint(2));
    expect(eventOf(during, "bid-placed")["compute-fee"]).toBe(100_000n);
    expect(read.getBid(2)?.computeFee).toBe(100_000n);
    // past the notice the raise binds
    mineUntil(raisedAt + 7n);
    const after = trainingBid(bidder2, 1);
    expect(after.result).toBeOk(Cl.uint(3));
    expect(eventOf(after, "bid-placed")["compute-fee"]).toBe(300_000n);
    expect(read.getBid(3)?.computeFee).toBe(300_000n);

    const before = balances(provider, contractId);
    const delivered = deliver(provider, 1);
    expect(delivered.result).toBeOk(Cl.uint(94_000n));
    expect(deltas(before)).toEqual(new Map([[provider, 94_000n], [contractId, -94_000n]]));
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(94_000n));
    // 300,000 - 15,000 - 3,000
    expect(deliver(provider, 3).result).toBeOk(Cl.uint(282_000n));
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
    expect(read.getBid(2)).toMatchObject({ status: "QUEUED", verified: true, computeFee: 100_000n });
    // the provider doubles its ask while bid 2 waits
    expect(setTerms(provider, 1, 2_000n, 1n).result).toBeOk(Cl.bool(true));

    // the plain job settles; its slot goes to bid 2
    const settled = vote(validator1, 1, 1, 85);
    expect(settled.result).toBeOk(Cl.bool(true));
    expect(printEvents(settled).filter((e) => e.event === "bid-matched")).toEqual([
      { event: "bid-matched", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, "matched-at": h },
    ]);
    expect(read.getBid(2)).toMatchObject({
      status: "MATCHED",
      verified: true,
      computeFee: 100_000n,
      matchedAt: h,
      amount: AMOUNT,
      deadline: h + 400n,
    });
    expect(read.getJobDelivery(2)).toEqual({
      spec: hex(SPEC),
      evalCommitment: hex(EVAL_COMMITMENT),
      model: null,
      deliveredAt: 0n,
      evalDigest: null,
      evalRevealedAt: 0n,
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
    const totals = read.getMarketTotals();
    const r = deliver(provider, 1);
    expect(r.result).toBeOk(Cl.uint(94_000n));

    expect(deltas(before)).toEqual(
      new Map([[provider, 94_000n], [bidder, 0n], [validator1, 0n], [contractId, -94_000n]]),
    );
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: provider, amount: 94_000n }]);
    // escrow loses the payment and the protocol fee; the validators' 5,000 stays in it
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -95_000n, treasury: 1_000n }));
    expect(read.getMarketTotals().escrowedBids).toBe(AMOUNT - 95_000n);
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
    expect(read.getJobDelivery(1)).toEqual({
      spec: hex(SPEC),
      evalCommitment: hex(EVAL_COMMITMENT),
      model: hex(MODEL),
      deliveredAt: height(),
      evalDigest: null,
      evalRevealedAt: 0n,
    });
    expect(read.getBid(1)?.status).toBe("MATCHED");
    expectSolvent();
  });

  it("checks in order: BID_NOT_FOUND, NOT_VERIFIED_JOB, NOT_DIRECT_CALLER, NOT_DATASET_PROVIDER, JOB_NOT_RUNNING, ALREADY_DELIVERED, DELIVERY_CLOSED, INVALID_DIGEST", () => {
    // bids 1, 3, 4 verified and 2 plain, all matched; bid 5 verified and queued
    market({ capacity: 4n });
    const h = height();
    const deadline = h + 150n;
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1, AMOUNT, DURATION, deadline).result).toBeOk(Cl.uint(2));
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(3));
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(4));
    expect(trainingBid(bidder2, 1, { deadline }).result).toBeOk(Cl.uint(5));
    expect(read.getBid(5)?.status).toBe("QUEUED");
    deployProxy();
    const who = [provider, bidder, bidder2, outsider, proxyId];

    // every refusal below carries a short model digest: the length is checked last
    const short = MODEL.slice(0, 31);
    refused(() => viaProxy("deliver-model", [Cl.uint(99), Cl.buffer(short)], provider), "BID_NOT_FOUND", who);
    refused(() => deliver(provider, 99, short), "BID_NOT_FOUND", who);
    // a plain job, through the proxy, by someone else
    refused(() => viaProxy("deliver-model", [Cl.uint(2), Cl.buffer(short)], outsider), "NOT_VERIFIED_JOB", who);
    refused(() => deliver(provider, 2, short), "NOT_VERIFIED_JOB", who);
    // a queued bid, through the proxy
    refused(() => viaProxy("deliver-model", [Cl.uint(5), Cl.buffer(short)], provider), "NOT_DIRECT_CALLER", who);
    refused(() => deliver(bidder2, 5, short), "NOT_DATASET_PROVIDER", who);
    refused(() => deliver(provider, 5, short), "JOB_NOT_RUNNING", who);
    // a running job, in time: the digest
    refused(() => deliver(provider, 1, short), "INVALID_DIGEST", who);

    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 4).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    refused(() => deliver(provider, 4, short), "ALREADY_DELIVERED", who);

    mineUntil(deadline + 1n);
    refused(() => deliver(provider, 4, short), "ALREADY_DELIVERED", who);
    refused(() => deliver(provider, 3, short), "DELIVERY_CLOSED", who);
    expect(read.getJobDelivery(4)?.model).toBe(hex(MODEL));
    expect(read.getJobDelivery(3)?.model).toBeNull();

    // bid 1 ends as a bidder default (its set was due by deadline + eval-reveal-window): a settled job is no longer running
    mineUntil(deadline + ERW + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(0));
    refused(() => deliver(outsider, 1, short), "NOT_DATASET_PROVIDER", who);
    refused(() => deliver(provider, 1, short), "JOB_NOT_RUNNING", who);
    expectSolvent();
  });

  it("refuses a plain job with NOT_VERIFIED_JOB, even from its provider", () => {
    market();
    expect(placeBid(bidder, 1, AMOUNT, DURATION).result).toBeOk(Cl.uint(1));
    refused(() => deliver(provider, 1), "NOT_VERIFIED_JOB");
    expect(read.getJobDelivery(1)).toBeNull();
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
    expect(read.getJobDelivery(1)?.model).toBe(hex(MODEL));
    expectSolvent();
  });

  it("delivers once: a second delivery (another digest) is ALREADY_DELIVERED and pays nothing; the first model stays", () => {
    const { deliveredAt } = deliveredJob();
    simnet.mineEmptyBlocks(3);
    refused(() => deliver(provider, 1, OTHER), "ALREADY_DELIVERED");
    expect(read.getJobDelivery(1)).toMatchObject({ model: hex(MODEL), deliveredAt });
    expect(read.getMarketTotals().escrowedBids).toBe(AMOUNT - FEE + CARRIED);
    expectSolvent();
  });

  it("is open until the deadline: a delivery at the deadline is paid, one a block later is DELIVERY_CLOSED", () => {
    const deadline = twoVerifiedJobs();
    mineUntil(deadline);
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(read.getJobDelivery(1)?.deliveredAt).toBe(deadline);
    mineUntil(deadline + 1n);
    refused(() => deliver(provider, 2), "DELIVERY_CLOSED");
    expect(read.getJobDelivery(2)?.model).toBeNull();
    expectSolvent();
  });

  it("a compute fee of 0 (ask 0) delivers with a payment of 0 and moves no STX", () => {
    market({ price: 0n });
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)?.computeFee).toBe(0n);
    const totals = read.getMarketTotals();
    const r = deliver(provider, 1);
    expect(r.result).toBeOk(Cl.uint(0));
    expect(stxTransfers(r)).toEqual([]);
    expect(totalsMoved(totals)).toEqual(moved({}));
    expect(read.getJobDelivery(1)?.model).toBe(hex(MODEL));
    expectSolvent();
  });
});

// ---------------------------------------------------------------------------
// reveal-evaluation-set
// ---------------------------------------------------------------------------

describe("reveal-evaluation-set", () => {
  it("checks in order: BID_NOT_FOUND, NOT_VERIFIED_JOB, NOT_DIRECT_CALLER, NOT_BIDDER, JOB_NOT_RUNNING, NOT_DELIVERED, EVAL_ALREADY_REVEALED, EVAL_REVEAL_CLOSED, INVALID_DIGEST, INVALID_SALT, EVAL_COMMITMENT_MISMATCH", () => {
    // bids 1, 2 verified and 3 plain (the bidder), matched; bid 4 verified, queued (bidder2)
    market({ capacity: 3n });
    const h = height();
    const deadline = h + DURATION + 50n;
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(1));
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(2));
    expect(placeBid(bidder, 1, AMOUNT, DURATION).result).toBeOk(Cl.uint(3));
    expect(trainingBid(bidder2, 1, { deadline: h + 1_000n }).result).toBeOk(Cl.uint(4));
    deployProxy();
    const who = [provider, bidder, bidder2, outsider, proxyId];
    const short = EVAL_SALT.slice(0, 31);
    const shortDigest = EVAL_DIGEST.slice(0, 31);
    const args = (bidId: number) => [Cl.uint(bidId), Cl.buffer(EVAL_DIGEST), Cl.buffer(EVAL_SALT)];

    refused(() => viaProxy("reveal-evaluation-set", args(99), bidder), "BID_NOT_FOUND", who);
    refused(() => revealEval(bidder, 99), "BID_NOT_FOUND", who);
    refused(() => viaProxy("reveal-evaluation-set", args(3), outsider), "NOT_VERIFIED_JOB", who);
    refused(() => revealEval(bidder, 3), "NOT_VERIFIED_JOB", who);
    refused(() => viaProxy("reveal-evaluation-set", args(1), bidder), "NOT_DIRECT_CALLER", who);
    refused(() => revealEval(outsider, 4, shortDigest, short), "NOT_BIDDER", who);
    refused(() => revealEval(bidder2, 4, shortDigest, short), "JOB_NOT_RUNNING", who);
    refused(() => revealEval(bidder, 1, shortDigest, short), "NOT_DELIVERED", who);

    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    refused(() => revealEval(bidder, 1, shortDigest, short), "INVALID_DIGEST", who);
    refused(() => revealEval(bidder, 1, OTHER, short), "INVALID_SALT", who);
    refused(() => revealEval(bidder, 1, EVAL_DIGEST, OTHER), "EVAL_COMMITMENT_MISMATCH", who);
    expect(revealEval(bidder, 2).result).toBeOk(Cl.uint(h + VW));
    refused(() => revealEval(bidder, 2, shortDigest, short), "EVAL_ALREADY_REVEALED", who);

    // the set is due by deadline + eval-reveal-window
    mineUntil(deadline + ERW + 1n);
    refused(() => revealEval(bidder, 2, shortDigest, short), "EVAL_ALREADY_REVEALED", who);
    refused(() => revealEval(bidder, 1, shortDigest, short), "EVAL_REVEAL_CLOSED", who);
    refused(() => revealEval(bidder, 1), "EVAL_REVEAL_CLOSED", who);
    expect(read.getJobDelivery(1)).toMatchObject({ evalDigest: null, evalRevealedAt: 0n });
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
    expect(read.getJobDelivery(1)?.evalDigest).toBeNull();
    expect(read.getJobDelivery(2)?.evalDigest).toBeNull();
    // the right digest and salt still open bid 1
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(height() + VW));
    expectSolvent();
  });

  it("is open until deadline + eval-reveal-window, however early the delivery: a reveal in its last block records the digest, returns commit-closes-at = now + validation-window and emits evaluation-revealed; a block later EVAL_REVEAL_CLOSED", () => {
    const deadline = twoVerifiedJobs();
    // both delivered at the match, 150 blocks before the deadline
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    const deliveredAt = height();

    mineUntil(deadline + ERW);
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const r = revealEval(bidder, 1);
    expect(r.result).toBeOk(Cl.uint(deadline + ERW + VW));
    expect(printEvents(r)).toEqual([
      {
        event: "evaluation-revealed",
        "bid-id": 1n,
        bidder,
        "eval-digest": hex(EVAL_DIGEST),
        "commit-closes-at": deadline + ERW + VW,
      },
    ]);
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 0n], [contractId, 0n]]));
    expect(read.getMarketTotals()).toEqual(totals);
    expect(read.getJobDelivery(1)).toEqual({
      spec: hex(SPEC),
      evalCommitment: hex(EVAL_COMMITMENT),
      model: hex(MODEL),
      deliveredAt,
      evalDigest: hex(EVAL_DIGEST),
      evalRevealedAt: deadline + ERW,
    });

    mineUntil(deadline + ERW + 1n);
    refused(() => revealEval(bidder, 2), "EVAL_REVEAL_CLOSED");
    expectSolvent();
  });

  it("works while paused", () => {
    deliveredJob();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const r = revealEval(bidder, 1);
    expect(r.result).toBeOk(Cl.uint(height() + VW));
    expect(eventNames(r)).toEqual(["evaluation-revealed"]);
    expect(read.getJobDelivery(1)?.evalDigest).toBe(hex(EVAL_DIGEST));
    expectSolvent();
  });

  it("opens the commit window: before the reveal a commit or a direct vote is EVALUATION_NOT_REVEALED; after it both are accepted; get-validation-windows moves from the latest possible to the reveal's", () => {
    market({ validators: [[validator1, STX], [validator2, STX]] });
    const deadline = height() + 150n;
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(1));
    expect(seatsOf(1)).toEqual([validator1, validator2]);
    const latest = { commitClosesAt: deadline + ERW + VW, revealClosesAt: deadline + ERW + VW + RW, committeeSize: 5n, minReveals: 2n };
    expect(read.getValidationWindows(1)).toEqual(latest);

    // before the delivery, and after it but before the reveal
    refused(() => commit(validator1, 1, 80), "EVALUATION_NOT_REVEALED", [validator1, provider, bidder]);
    refused(() => vote(validator1, 1, 1, 80), "EVALUATION_NOT_REVEALED", [validator1, provider, bidder]);
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    refused(() => commit(validator1, 1, 80), "EVALUATION_NOT_REVEALED", [validator1, provider, bidder]);
    expect(read.getValidationWindows(1)).toEqual(latest);

    simnet.mineEmptyBlocks(10);
    const e = height();
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(e + VW));
    expect(read.getValidationWindows(1)).toEqual({ commitClosesAt: e + VW, revealClosesAt: e + VW + RW, committeeSize: 5n, minReveals: 2n });
    expect(commit(validator1, 1, 80).result).toBeOk(Cl.bool(true));
    // a direct vote on a two-seat committee needs a commitment: past the window check
    expectErr(vote(validator2, 1, 1, 80), "COMMIT_REQUIRED");
    // the window lasts validation-window blocks from the reveal
    mineUntil(e + VW);
    expect(commit(validator2, 1, 80).result).toBeOk(Cl.bool(true));
    expect(read.getCommittee(1)?.commits).toBe(2n);
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
    expect(read.getBid(1)?.status).toBe("MATCHED");
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
    expect(read.getCommittee(1)).toBeNull();
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

// ---------------------------------------------------------------------------
// digest lengths (review 12, finding #9)
// ---------------------------------------------------------------------------

describe("digest lengths (review #9): every artifact is named by a full 32-byte sha256 digest", () => {
  it("a 31-byte or empty spec, eval-commitment, model or evaluation-set digest is INVALID_DIGEST (u322), and nothing moves", () => {
    expect(ERR.INVALID_DIGEST).toBe(322);
    market({ capacity: 2n });
    const cut = (d: Uint8Array) => [d.slice(0, 31), new Uint8Array(0)];
    const who = [provider, bidder, contractId];
    for (const spec of cut(SPEC)) refused(() => trainingBid(bidder, 1, { spec }), "INVALID_DIGEST", who);
    for (const commitment of cut(EVAL_COMMITMENT)) refused(() => trainingBid(bidder, 1, { commitment }), "INVALID_DIGEST", who);
    expect(read.getBid(1)).toBeNull();
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 0n, queuedJobs: 0n });

    // bid 1 seals a 31-byte evaluation-set digest (its commitment is a full sha256); bid 2 the standard set
    const shortDigest = EVAL_DIGEST.slice(0, 31);
    expect(trainingBid(bidder, 1, { commitment: sha256(shortDigest, EVAL_SALT) }).result).toBeOk(Cl.uint(1));
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(2));
    for (const model of cut(MODEL)) refused(() => deliver(provider, 1, model), "INVALID_DIGEST", who);
    expect(read.getJobDelivery(1)).toMatchObject({ model: null, deliveredAt: 0n });
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));

    // the short digest opens bid 1's commitment, and is refused all the same
    expect(readOnly("compute-eval-commitment", [Cl.buffer(shortDigest), Cl.buffer(EVAL_SALT)])).toStrictEqual(
      Cl.buffer(sha256(shortDigest, EVAL_SALT)),
    );
    for (const digest of [shortDigest, new Uint8Array(0)]) refused(() => revealEval(bidder, 1, digest), "INVALID_DIGEST", who);
    for (const digest of cut(EVAL_DIGEST)) refused(() => revealEval(bidder, 2, digest), "INVALID_DIGEST", who);
    for (const i of [1, 2]) expect(read.getJobDelivery(i)).toMatchObject({ evalDigest: null, evalRevealedAt: 0n });
    expect(revealEval(bidder, 2).result).toBeOk(Cl.uint(height() + VW));
    expectSolvent();
  });
});

// ---------------------------------------------------------------------------
// Endings of a verified job
// ---------------------------------------------------------------------------

const VF_BPS = DEFAULTS.validatorFeeBps;
const PF_BPS = DEFAULTS.protocolFeeBps;
const minOf = (a: bigint, b: bigint) => (a < b ? a : b);
const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);
/** A validator's penalty for a silent or outlying seat: validator-penalty-bps (1%) of its stake. */
const penaltyOf = (stake: bigint) => (stake * DEFAULTS.validatorPenaltyBps) / BPS;

/** Five validators of 1 STX each: a market no larger than the committee, so all five are seated at the match. */
const FIVE: [string, bigint][] = [validator1, validator2, validator3, provider2, outsider].map((w) => [w, STX]);

/**
 * The spec's settlement of the standard verified job (rest 500,000, 5,000 carried from the delivery)
 * at a final score (u101: "evaluation set unavailable"), for a dataset stake of `stake`.
 * `coherent`: whether any seat is coherent with the final score (else the validators' fees go to the treasury);
 * `silence` and `outliers`: the penalties of the silent and of the outlying seats.
 */
function settlementAt(score: bigint, o: { stake?: bigint; coherent?: boolean; silence?: bigint; outliers?: bigint } = {}) {
  const stake = o.stake ?? STX;
  const defaulted = score === 101n;
  const payment =
    defaulted || score >= DEFAULTS.rewardThreshold
      ? REST
      : score > DEFAULTS.slashThreshold
        ? (REST * (score - DEFAULTS.slashThreshold)) / (DEFAULTS.rewardThreshold - DEFAULTS.slashThreshold)
        : 0n;
  // a verified slash takes back at least the compute fee, as far as the stake goes, and never more than the bid
  const slashed =
    !defaulted && score < DEFAULTS.slashThreshold ? minOf(minOf(maxOf((stake * DEFAULTS.slashRateBps) / BPS, FEE), stake), AMOUNT) : 0n;
  const paymentFees = (payment * VF_BPS) / BPS;
  const protocolFee = (payment * PF_BPS) / BPS;
  const providerPayment = payment > 0n ? payment - paymentFees - protocolFee : 0n;
  const bidderRefund = REST - payment;
  const validatorFees =
    (o.coherent ?? true) ? CARRIED + (payment > 0n ? paymentFees : minOf((REST * VF_BPS) / BPS, slashed)) : 0n;
  const silence = o.silence ?? 0n;
  const outliers = o.outliers ?? 0n;
  const treasuryGain = REST + CARRIED + slashed - providerPayment - bidderRefund - validatorFees + silence;
  const outcome = defaulted
    ? OUTCOME.BIDDER_DEFAULT
    : score >= DEFAULTS.rewardThreshold
      ? OUTCOME.REWARDED
      : score < DEFAULTS.slashThreshold
        ? OUTCOME.SLASHED
        : OUTCOME.PARTIAL;
  return {
    payment,
    slashed,
    protocolFee,
    providerPayment,
    bidderRefund,
    validatorFees,
    treasuryGain,
    penalties: silence + outliers,
    rewardPool: validatorFees + outliers,
    outcome: BigInt(outcome),
  };
}

/** The job-finalized event the spec gives for bid 1 of dataset 1 settled by `s` at `score`. */
function finalizedEvent(score: bigint, s: ReturnType<typeof settlementAt>) {
  return {
    event: "job-finalized",
    "bid-id": 1n,
    "dataset-id": 1n,
    "final-score": score,
    outcome: s.outcome,
    "provider-payment": s.providerPayment,
    "bidder-refund": s.bidderRefund,
    "slashed-amount": s.slashed,
    "validator-fees": s.validatorFees,
    "protocol-fee": s.protocolFee,
    penalties: s.penalties,
    "treasury-gain": s.treasuryGain,
  };
}

/** Bid 1's job-results record the spec gives for `s` at `score`, finalized at `at` with `rewardWeight` coherent weight. */
function resultOf(score: bigint, s: ReturnType<typeof settlementAt>, at: bigint, rewardWeight: bigint) {
  return {
    finalScore: score,
    outcome: outcomeName(s.outcome),
    providerPayment: s.providerPayment,
    bidderRefund: s.bidderRefund,
    slashedAmount: s.slashed,
    validatorFees: s.validatorFees,
    protocolFee: s.protocolFee,
    penalties: s.penalties,
    rewardPool: s.rewardPool,
    rewardWeight,
    finalizedAt: at,
  };
}

/** Each validator's stake and open seats. */
function seatsState(who: string[]) {
  return new Map(who.map((w) => {
    const v = read.getValidator(w);
    return [w, { stake: v?.stake as bigint, open: v?.openSeats as bigint, active: v?.active as boolean }];
  }));
}

/** Every validator of `who` claims its reward for bid 1, in order; returns what each was paid. */
function claimAll(who: string[], bidId: number | bigint = 1n) {
  return who.map((w) => {
    const r = claim(w, bidId);
    expect(r.result.type).toBe(ClarityType.ResponseOk);
    return decode(r.result) as bigint;
  });
}

const NO_HISTORY = { jobs: 0n, scoreSum: 0n, defaults: 0n, meanScore: 0n };

// ---------------------------------------------------------------------------
// missed delivery
// ---------------------------------------------------------------------------

describe("missed delivery", () => {
  it("expire-bid after the deadline: the bidder gets the full amount back, 10% of the stake (at most the compute fee) goes to the treasury, the dataset counts a non-delivery, the job is EXPIRED and delivery-missed is emitted", () => {
    const { deadline } = verifiedJob();
    mineUntil(deadline + 1n);
    const before = balances(provider, bidder, validator1, outsider, contractId);
    const totals = read.getMarketTotals();
    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(AMOUNT));

    const slash = (STX * DEFAULTS.nonDeliverySlashBps) / BPS; // 100,000, the compute fee
    expect(printEvents(r)).toEqual([
      { event: "delivery-missed", "bid-id": 1n, "dataset-id": 1n, provider, bidder, refund: AMOUNT, "slashed-amount": slash },
    ]);
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: bidder, amount: AMOUNT }]);
    expect(deltas(before)).toEqual(
      new Map([[provider, 0n], [bidder, AMOUNT], [validator1, 0n], [outsider, 0n], [contractId, -AMOUNT]]),
    );
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -AMOUNT, datasetStakes: -slash, treasury: slash }));
    expect(read.getMarketTotals().escrowedBids).toBe(0n);
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getDataset(1)).toMatchObject({
      stake: STX - slash,
      nonDeliveries: 1n,
      activeJobs: 0n,
      validations: 0n,
      scoreSum: 0n,
    });
    // the seat is freed without a penalty: its commit window never opened
    expect(read.getValidator(validator1)).toMatchObject({ stake: STX, openSeats: 0n, active: true });
    // a missed delivery is no verdict on the bidder
    expect(read.getBidderHistory(bidder)).toEqual(NO_HISTORY);
    expect(read.getJobDelivery(1)).toMatchObject({ model: null, deliveredAt: 0n });
    // the job is closed
    expectErr(expireBid(outsider, 1), "BID_CLOSED");
    expectErr(finalizeValidation(outsider, 1), "JOB_NOT_RUNNING");
    expectErr(deliver(provider, 1), "JOB_NOT_RUNNING");
    expectSolvent();
  });

  it("finalize-validation after the deadline returns u6 (NOT_DELIVERED) with the same refund and slash", () => {
    const { deadline } = verifiedJob();
    mineUntil(deadline + 1n);
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const r = finalizeValidation(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NOT_DELIVERED));
    expect(printEvents(r)).toEqual([
      { event: "delivery-missed", "bid-id": 1n, "dataset-id": 1n, provider, bidder, refund: AMOUNT, "slashed-amount": 100_000n },
    ]);
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, AMOUNT], [contractId, -AMOUNT]]));
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -AMOUNT, datasetStakes: -100_000n, treasury: 100_000n }));
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getDataset(1)).toMatchObject({ stake: STX - 100_000n, nonDeliveries: 1n, activeJobs: 0n });
    expectSolvent();
  });

  // stake * 10%, capped at the compute fee (price * 100 blocks), not at the bid's 600,000
  it.each([
    [1_000_000, 1_000, 100_000],
    [1_000_000, 2_000, 100_000],
    [1_999_990, 2_000, 199_999],
    [2_000_000, 2_000, 200_000],
    [2_000_010, 2_000, 200_000],
    [10_000_000, 1_000, 100_000],
    [10_000_000, 6_000, 600_000],
  ])("the slash is min(stake * non-delivery-slash-bps / 10000, compute-fee): a stake of %i at %i per block loses %i", (stakeN, priceN, slashN) => {
    const [stake, price, slash] = [BigInt(stakeN), BigInt(priceN), BigInt(slashN)];
    const { deadline } = verifiedJob({ stake, price });
    expect(read.getBid(1)?.computeFee).toBe(price * DURATION);
    mineUntil(deadline + 1n);
    const totals = read.getMarketTotals();
    const r = finalizeValidation(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NOT_DELIVERED));
    expect(eventOf(r, "delivery-missed")).toMatchObject({ refund: AMOUNT, "slashed-amount": slash });
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -AMOUNT, datasetStakes: -slash, treasury: slash }));
    expect(read.getDataset(1)).toMatchObject({ stake: stake - slash, nonDeliveries: 1n });
    expectSolvent();
  });

  it("the cap is the compute fee, not the bid's amount, which the bidder sets and gets back: a 1,000,000 bid (compute fee 100,000) on a 20 STX dataset costs the provider 100,000", () => {
    const { deadline } = verifiedJob({ stake: 20n * STX, amount: 1_000_000n });
    mineUntil(deadline + 1n);
    const before = balances(bidder, contractId);
    const totals = read.getMarketTotals();
    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(1_000_000n));
    expect(eventOf(r, "delivery-missed")).toMatchObject({ refund: 1_000_000n, "slashed-amount": FEE });
    expect(deltas(before)).toEqual(new Map([[bidder, 1_000_000n], [contractId, -1_000_000n]]));
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -1_000_000n, datasetStakes: -FEE, treasury: FEE }));
    expect(read.getDataset(1)?.stake).toBe(20n * STX - FEE);
    expectSolvent();
  });

  it("is not due before the deadline has passed (here later than the decline window): at the deadline block itself expire-bid is BID_NOT_EXPIRED and finalize-validation NOT_READY_TO_FINALIZE", () => {
    const { deadline } = verifiedJob();
    refused(() => expireBid(outsider, 1), "BID_NOT_EXPIRED");
    refused(() => finalizeValidation(outsider, 1), "NOT_READY_TO_FINALIZE");
    mineUntil(deadline);
    refused(() => expireBid(outsider, 1), "BID_NOT_EXPIRED");
    refused(() => finalizeValidation(outsider, 1), "NOT_READY_TO_FINALIZE");
    expect(read.getBid(1)?.status).toBe("MATCHED");
    mineUntil(deadline + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(AMOUNT));
    expectSolvent();
  });

  it("a model delivered in the deadline block is no missed delivery: a block later the job is still running", () => {
    const { deadline } = verifiedJob();
    mineUntil(deadline);
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    mineUntil(deadline + 1n);
    refused(() => expireBid(outsider, 1), "BID_NOT_EXPIRED");
    refused(() => finalizeValidation(outsider, 1), "NOT_READY_TO_FINALIZE");
    expect(read.getDataset(1)?.nonDeliveries).toBe(0n);
    expectSolvent();
  });

  it("frees a five-seat committee without any penalty (nobody could vote)", () => {
    const { deadline } = verifiedJob({ validators: FIVE });
    const seated = FIVE.map(([w]) => w);
    expect(seatsOf(1)).toHaveLength(5);
    for (const w of seated) expect(read.getValidator(w)?.openSeats).toBe(1n);
    mineUntil(deadline + 1n);
    const totals = read.getMarketTotals();
    const before = balances(...seated);
    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(AMOUNT));
    expect(eventNames(r)).toEqual(["delivery-missed"]);
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -AMOUNT, datasetStakes: -100_000n, treasury: 100_000n }));
    expect([...deltas(before).values()]).toEqual([0n, 0n, 0n, 0n, 0n]);
    for (const w of seated) expect(read.getValidator(w)).toMatchObject({ stake: STX, openSeats: 0n, active: true });
    expectSolvent();
  });

  it("frees the slot and walks the queue: a queued bid is matched in the same call", () => {
    // a 2 STX stake stays above the minimum after the slash (10% of it, capped at the compute fee: 100,000)
    const { deadline } = verifiedJob({ stake: 2n * STX });
    expect(placeBid(bidder2, 1, 500_000n, DURATION, deadline + 300n).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)?.status).toBe("QUEUED");
    mineUntil(deadline + 1n);
    const r = finalizeValidation(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NOT_DELIVERED));
    expect(eventNames(r).slice(0, 2)).toEqual(["delivery-missed", "bid-matched"]);
    expect(eventOf(r, "bid-matched")).toEqual({ event: "bid-matched", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, "matched-at": deadline + 1n });
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", matchedAt: deadline + 1n });
    expect(read.getDataset(1)).toMatchObject({
      stake: 2n * STX - FEE,
      nonDeliveries: 1n,
      activeJobs: 1n,
      queuedJobs: 0n,
      queueHead: 0n,
    });
    expect(read.getMarketTotals().escrowedBids).toBe(500_000n);
    expectSolvent();
  });

  it("a slash that leaves the dataset under the minimum stake frees the slot but matches nothing until the provider tops up", () => {
    // the default 1 STX stake loses 100,000: 900,000 is under min-dataset-stake
    const { deadline } = verifiedJob();
    expect(placeBid(bidder2, 1, 500_000n, DURATION, deadline + 300n).result).toBeOk(Cl.uint(2));
    mineUntil(deadline + 1n);
    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(AMOUNT));
    expect(eventNames(r)).toEqual(["delivery-missed"]);
    expect(read.getDataset(1)).toMatchObject({ stake: 900_000n, activeJobs: 0n, queuedJobs: 1n, queueHead: 2n });
    expect(read.getBid(2)?.status).toBe("QUEUED");
    refused(() => trainingBid(bidder, 1), "DATASET_UNDERSTAKED");
    const topUp = addStake(provider, 1, 100_000n);
    expect(topUp.result).toBeOk(Cl.uint(STX));
    expect(eventNames(topUp)).toContain("bid-matched");
    expect(read.getBid(2)?.status).toBe("MATCHED");
    expectSolvent();
  });

  it("works while paused (the refund is a promise kept)", () => {
    const { deadline } = verifiedJob();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    mineUntil(deadline + 1n);
    const before = balances(bidder);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(AMOUNT));
    expect(deltas(before).get(bidder)).toBe(AMOUNT);
    expect(read.getDataset(1)?.nonDeliveries).toBe(1n);
    expectSolvent();
  });

  it("counts every non-delivery of the dataset", () => {
    // ask 5,000: compute fees of 500,000, above 10% of the stake
    market({ capacity: 2n, stake: 3n * STX, price: 5_000n });
    const deadline = height() + 150n;
    expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(1));
    expect(trainingBid(bidder2, 1, { deadline }).result).toBeOk(Cl.uint(2));
    mineUntil(deadline + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(AMOUNT));
    expect(read.getDataset(1)).toMatchObject({ nonDeliveries: 1n, stake: 3n * STX - 300_000n });
    // the second slash is 10% of the stake left
    const r = finalizeValidation(outsider, 2);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NOT_DELIVERED));
    expect(eventOf(r, "delivery-missed")["slashed-amount"]).toBe(270_000n);
    expect(read.getDataset(1)).toMatchObject({ nonDeliveries: 2n, stake: 3n * STX - 570_000n, activeJobs: 0n });
    expectSolvent();
  });
});

// ---------------------------------------------------------------------------
// bidder default
// ---------------------------------------------------------------------------

describe("bidder default", () => {
  // rest 500,000 paid in full: 25,000 validators' share and 5,000 protocol fee come off it; nobody judged,
  // so the treasury takes both and the 5,000 carried from the delivery: 35,000
  const DEFAULT_PAYMENT = REST - (REST * VF_BPS) / BPS - (REST * PF_BPS) / BPS; // 470,000
  const DEFAULT_TREASURY = CARRIED + (REST * VF_BPS) / BPS + (REST * PF_BPS) / BPS; // 35,000

  it("expire-bid once deadline + eval-reveal-window has passed: returns u0, pays the provider the rest less fees, the fees and the carried share to the treasury, no slash", () => {
    const { deadline } = deliveredJob();
    mineUntil(deadline + ERW + 1n);
    const before = balances(provider, bidder, validator1, contractId);
    const totals = read.getMarketTotals();
    const dataset = read.getDataset(1);
    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(0));

    const s = settlementAt(101n, { coherent: false });
    expect(s.providerPayment).toBe(DEFAULT_PAYMENT);
    expect(s.treasuryGain).toBe(DEFAULT_TREASURY);
    expect(printEvents(r)).toEqual([finalizedEvent(101n, s)]);
    expect(printEvents(r)[0]).toMatchObject({ outcome: BigInt(OUTCOME.BIDDER_DEFAULT), "validator-fees": 0n, "slashed-amount": 0n });
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: provider, amount: DEFAULT_PAYMENT }]);
    expect(deltas(before)).toEqual(
      new Map([[provider, DEFAULT_PAYMENT], [bidder, 0n], [validator1, 0n], [contractId, -DEFAULT_PAYMENT]]),
    );
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -(REST + CARRIED), treasury: DEFAULT_TREASURY }));
    expect(read.getMarketTotals()).toMatchObject({ escrowedBids: 0n, treasury: DELIVERY_PROTOCOL_FEE + DEFAULT_TREASURY });
    expect(read.getBid(1)?.status).toBe("SETTLED");
    expect(read.getJobResult(1)).toEqual(resultOf(101n, s, deadline + ERW + 1n, 0n));
    // no quality score: the dataset's validations do not move; its stake is whole
    expect(read.getDataset(1)).toMatchObject({
      stake: STX,
      validations: dataset?.validations,
      passedValidations: dataset?.passedValidations,
      scoreSum: dataset?.scoreSum,
      nonDeliveries: 0n,
      activeJobs: 0n,
    });
    expect(read.getBidderHistory(bidder)).toEqual({ ...NO_HISTORY, defaults: 1n });
    // the seat is freed without a penalty, and nothing is owed to it
    expect(read.getValidator(validator1)).toMatchObject({ stake: STX, openSeats: 0n, active: true });
    expectErr(claim(validator1, 1), "NOT_JOB_VALIDATOR");
    expectErr(expireBid(outsider, 1), "BID_CLOSED");
    expectErr(finalizeValidation(outsider, 1), "JOB_NOT_RUNNING");
    refused(() => revealEval(bidder, 1), "JOB_NOT_RUNNING");
    expectSolvent();
  });

  it("in a market larger than the committee no committee was ever seated: a claim on the defaulted job is NOT_JOB_VALIDATOR, single or batched", () => {
    // six validators: more than the committee, so nobody is seated at the match
    const six = [validator1, validator2, validator3, provider2, bidder2, outsider].map((who) => [who, STX] as [string, bigint]);
    const { deadline } = deliveredJob({ validators: six });
    expect(read.getCommittee(1)).toBeNull();
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
    mineUntil(deadline + ERW + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(0));
    expect(read.getCommittee(1)).toBeNull();
    expect(read.getJobResult(1)?.outcome).toBe("BIDDER_DEFAULT");
    expectErr(claim(validator1, 1), "NOT_JOB_VALIDATOR");
    expectErr(simnet.callPublicFn(contractId, "claim-validation-rewards", [Cl.list([Cl.uint(1)])], validator1), "NOT_JOB_VALIDATOR");
    expectErr(claim(validator1, 99), "BID_NOT_FOUND");
    expectSolvent();
  });

  it("finalize-validation returns u7 (BIDDER_DEFAULT) with the same payouts", () => {
    const { deadline } = deliveredJob();
    mineUntil(deadline + ERW + 1n);
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const r = finalizeValidation(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.BIDDER_DEFAULT));
    expect(printEvents(r)).toEqual([finalizedEvent(101n, settlementAt(101n, { coherent: false }))]);
    expect(deltas(before)).toEqual(new Map([[provider, DEFAULT_PAYMENT], [bidder, 0n], [contractId, -DEFAULT_PAYMENT]]));
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -(REST + CARRIED), treasury: DEFAULT_TREASURY }));
    expect(read.getJobResult(1)).toMatchObject({ finalScore: 101n, outcome: "BIDDER_DEFAULT", validatorFees: 0n });
    expect(read.getBidderHistory(bidder)).toEqual({ ...NO_HISTORY, defaults: 1n });
    expectSolvent();
  });

  it("is refused in the last block the bidder could reveal in (BID_NOT_EXPIRED / NOT_READY_TO_FINALIZE), deadline + eval-reveal-window", () => {
    // delivered in the deadline block
    const { deadline } = verifiedJob();
    mineUntil(deadline);
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    mineUntil(deadline + ERW);
    refused(() => expireBid(outsider, 1), "BID_NOT_EXPIRED");
    refused(() => finalizeValidation(outsider, 1), "NOT_READY_TO_FINALIZE");
    mineUntil(deadline + ERW + 1n);
    const before = balances(provider);
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(OUTCOME.BIDDER_DEFAULT));
    expect(deltas(before).get(provider)).toBe(DEFAULT_PAYMENT);
    expectSolvent();
  });

  it("an early delivery moves no window: delivered at the match, the job's windows and its default block are those of a delivery at the deadline", () => {
    const deadline = twoVerifiedJobs();
    const latest = { commitClosesAt: deadline + ERW + VW, revealClosesAt: deadline + ERW + VW + RW };
    // bid 1 at the match, bid 2 in the deadline block
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    mineUntil(deadline);
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    for (const i of [1, 2]) expect(read.getValidationWindows(i)).toMatchObject(latest);
    mineUntil(deadline + ERW);
    for (const i of [1, 2]) {
      refused(() => expireBid(outsider, i), "BID_NOT_EXPIRED");
      refused(() => finalizeValidation(outsider, i), "NOT_READY_TO_FINALIZE");
    }
    mineUntil(deadline + ERW + 1n);
    const before = balances(provider);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(0));
    expect(expireBid(outsider, 2).result).toBeOk(Cl.uint(0));
    expect(deltas(before).get(provider)).toBe(2n * DEFAULT_PAYMENT);
    for (const i of [1, 2]) expect(read.getBid(i)?.status).toBe("SETTLED");
    expect(read.getBidderHistory(bidder)).toEqual({ ...NO_HISTORY, defaults: 2n });
    expectSolvent();
  });

  it("frees a five-seat committee without any penalty and keeps the validators' stakes; the fees go to the treasury", () => {
    const { deadline } = deliveredJob({ validators: FIVE });
    const seated = FIVE.map(([w]) => w);
    mineUntil(deadline + ERW + 1n);
    const totals = read.getMarketTotals();
    const r = finalizeValidation(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.BIDDER_DEFAULT));
    expect(eventNames(r)).toEqual(["job-finalized"]);
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -(REST + CARRIED), treasury: DEFAULT_TREASURY }));
    for (const w of seated) expect(read.getValidator(w)).toMatchObject({ stake: STX, openSeats: 0n, active: true });
    expect(read.getJobResult(1)).toMatchObject({ penalties: 0n, rewardPool: 0n, rewardWeight: 0n });
    expectSolvent();
  });

  it("frees the slot and walks the queue", () => {
    const { deadline } = deliveredJob();
    expect(trainingBid(bidder2, 1, { deadline: deadline + ERW + 1n + DURATION }).result).toBeOk(Cl.uint(2));
    mineUntil(deadline + ERW + 1n);
    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(0));
    expect(eventNames(r).slice(0, 2)).toEqual(["job-finalized", "bid-matched"]);
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", matchedAt: deadline + ERW + 1n });
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, queuedJobs: 0n });
    expectSolvent();
  });

  it("adds up in the bidder's history: two defaults", () => {
    const deadline = twoVerifiedJobs();
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    mineUntil(deadline + ERW + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(0));
    expect(read.getBidderHistory(bidder)).toEqual({ ...NO_HISTORY, defaults: 1n });
    expect(finalizeValidation(outsider, 2).result).toBeOk(Cl.uint(OUTCOME.BIDDER_DEFAULT));
    expect(read.getBidderHistory(bidder)).toEqual({ ...NO_HISTORY, defaults: 2n });
    expect(read.getBidderHistory(bidder2)).toEqual(NO_HISTORY);
    expectSolvent();
  });
});

// ---------------------------------------------------------------------------
// revealed and scored
// ---------------------------------------------------------------------------

describe("a revealed verified job scored by its committee", () => {
  it.each([100, 85, 70, 69, 55, 41, 40, 39, 20, 0])(
    "a one-seat committee's direct vote of %i settles the rest of the bid by the spec's formulas; the validator claims the carried share with its fee",
    (score) => {
      const { revealedAt } = revealedJob();
      const s = settlementAt(BigInt(score));
      const before = balances(provider, bidder, validator1, contractId);
      const totals = read.getMarketTotals();
      const r = vote(validator1, 1, 1, score);
      expect(r.result).toBeOk(Cl.bool(true));

      expect(eventNames(r)).toEqual(["validation-submitted", "job-finalized"]);
      expect(eventOf(r, "job-finalized")).toEqual(finalizedEvent(BigInt(score), s));
      expect(deltas(before)).toEqual(
        new Map([
          [provider, s.providerPayment],
          [bidder, s.bidderRefund],
          [validator1, 0n],
          [contractId, -(s.providerPayment + s.bidderRefund)],
        ]),
      );
      expect(totalsMoved(totals)).toEqual(
        moved({
          escrowedBids: -(REST + CARRIED),
          datasetStakes: -s.slashed,
          unclaimedRewards: s.rewardPool,
          treasury: s.treasuryGain,
        }),
      );
      expect(read.getMarketTotals().escrowedBids).toBe(0n);
      expect(read.getJobResult(1)).toEqual(resultOf(BigInt(score), s, revealedAt, STX));
      expect(read.getBid(1)?.status).toBe("SETTLED");
      // a scored verified job is a validation of the dataset
      expect(read.getDataset(1)).toMatchObject({
        stake: STX - s.slashed,
        validations: 1n,
        passedValidations: s.outcome === BigInt(OUTCOME.REWARDED) ? 1n : 0n,
        scoreSum: BigInt(score),
        activeJobs: 0n,
      });
      expect(read.getBidderHistory(bidder)).toEqual({ jobs: 1n, scoreSum: BigInt(score), defaults: 0n, meanScore: BigInt(score) });

      // the validators' fees, the 5,000 carried from the delivery included, reach the pool and are paid out
      const claimBefore = balances(validator1, contractId);
      const claimed = claim(validator1, 1);
      expect(claimed.result).toBeOk(Cl.uint(s.validatorFees));
      expect(deltas(claimBefore)).toEqual(new Map([[validator1, s.validatorFees], [contractId, -s.validatorFees]]));
      expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
      expectErr(claim(validator1, 1), "ALREADY_CLAIMED");
      expectSolvent();
    },
  );

  it("spells out the three regimes: full pay at >= 70 (470,000), pro rata at 55 (235,000 and 250,000 back), nothing at 40 (the carried 5,000 still pays the validator)", () => {
    expect(settlementAt(70n)).toMatchObject({ providerPayment: 470_000n, bidderRefund: 0n, validatorFees: 30_000n, treasuryGain: 5_000n, slashed: 0n });
    expect(settlementAt(55n)).toMatchObject({ providerPayment: 235_000n, bidderRefund: 250_000n, validatorFees: 17_500n, treasuryGain: 2_500n, slashed: 0n });
    expect(settlementAt(40n)).toMatchObject({ providerPayment: 0n, bidderRefund: REST, validatorFees: 5_000n, treasuryGain: 0n, slashed: 0n });
    expect(settlementAt(39n)).toMatchObject({ providerPayment: 0n, bidderRefund: REST, validatorFees: 30_000n, treasuryGain: 475_000n, slashed: 500_000n });
  });

  it.each([
    [1_000_000, 500_000],
    [1_200_000, 600_000],
    [1_200_002, 600_000],
    [10_000_000, 600_000],
  ])("a slash (score 10) on a verified job is min(max(stake * slash-rate-bps / 10000, compute-fee), stake, AMOUNT): a stake of %i loses %i", (stakeN, slashN) => {
    const [stake, slash] = [BigInt(stakeN), BigInt(slashN)];
    const { revealedAt } = revealedJob({ stake });
    const s = settlementAt(10n, { stake });
    expect(s.slashed).toBe(slash);
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const r = vote(validator1, 1, 1, 10);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(eventOf(r, "job-finalized")).toEqual(finalizedEvent(10n, s));
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, REST], [contractId, -REST]]));
    expect(totalsMoved(totals)).toEqual(
      moved({ escrowedBids: -(REST + CARRIED), datasetStakes: -slash, unclaimedRewards: 30_000n, treasury: slash - 25_000n }),
    );
    expect(read.getJobResult(1)).toEqual(resultOf(10n, s, revealedAt, STX));
    expect(read.getDataset(1)).toMatchObject({ stake: stake - slash, validations: 1n, scoreSum: 10n });
    expectSolvent();
  });

  it("the cap is for verified jobs only: on the same 10 STX dataset a plain job's slash is the full 50% (5 STX)", () => {
    market({ stake: 10n * STX, capacity: 2n });
    expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder2, 1, AMOUNT, DURATION).result).toBeOk(Cl.uint(2));
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(height() + VW));
    const verified = vote(validator1, 1, 1, 10);
    expect(eventOf(verified, "job-finalized")["slashed-amount"]).toBe(AMOUNT);
    const plain = vote(validator1, 1, 2, 10);
    expect(eventOf(plain, "job-finalized")["slashed-amount"]).toBe(((10n * STX - AMOUNT) * DEFAULTS.slashRateBps) / BPS);
    expectSolvent();
  });

  it("a five-seat committee commits and reveals: the median (80) settles it, the outlier's penalty joins the fees, the coherent seats share the pool with the carried share", () => {
    const { revealedAt } = revealedJob({ validators: FIVE });
    const votes: [string, bigint][] = [[validator1, 80n], [validator2, 82n], [validator3, 85n], [provider2, 78n], [outsider, 20n]];
    const outlierPenalty = penaltyOf(STX);
    const s = settlementAt(80n, { outliers: outlierPenalty });
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const last = commitAndReveal(1, votes);
    expect(last.result).toBeOk(Cl.bool(true));
    expect(eventNames(last)).toEqual(["validation-revealed", "validator-penalized", "job-finalized"]);
    expect(eventOf(last, "validator-penalized")).toMatchObject({ validator: outsider, penalty: outlierPenalty, silent: false });
    expect(eventOf(last, "job-finalized")).toEqual(finalizedEvent(80n, s));
    expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [bidder, 0n], [contractId, -470_000n]]));
    expect(totalsMoved(totals)).toEqual(
      moved({
        escrowedBids: -(REST + CARRIED),
        validatorStakes: -outlierPenalty,
        unclaimedRewards: 30_000n + outlierPenalty,
        treasury: 5_000n,
      }),
    );
    expect(read.getJobResult(1)).toEqual(resultOf(80n, s, revealedAt, 4n * STX));
    expect(read.getDataset(1)).toMatchObject({ validations: 1n, passedValidations: 1n, scoreSum: 80n });
    expect(read.getBidderHistory(bidder)).toEqual({ jobs: 1n, scoreSum: 80n, defaults: 0n, meanScore: 80n });

    // four coherent seats of equal weight share 40,000; the outlier gets nothing
    const coherent = [validator1, validator2, validator3, provider2];
    const before2 = balances(...coherent, outsider, contractId);
    expect(claimAll([...coherent, outsider])).toEqual([10_000n, 10_000n, 10_000n, 10_000n, 0n]);
    expect(deltas(before2)).toEqual(
      new Map([...coherent.map((w) => [w, 10_000n] as [string, bigint]), [outsider, 0n], [contractId, -40_000n]]),
    );
    expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
    expect(seatsState([...coherent, outsider]).get(outsider)).toEqual({ stake: STX - outlierPenalty, open: 0n, active: false });
    expectSolvent();
  });

  it("after reveal-closes-at, min-reveals votes settle it by their median; the silent seats' penalties go to the treasury (refused in the reveal-closes-at block itself)", () => {
    const { revealedAt } = revealedJob({ validators: FIVE });
    const voters: [string, bigint][] = [[validator1, 90n], [validator2, 75n], [validator3, 95n]];
    for (const [w, score] of voters) expect(commit(w, 1, score).result).toBeOk(Cl.bool(true));
    mineUntil(revealedAt + VW + 1n);
    for (const [w, score] of voters) expect(reveal(w, 1, score).result).toBeOk(Cl.bool(false));
    expect(read.getValidationWindows(1)).toMatchObject({ revealClosesAt: revealedAt + VW + RW, minReveals: 3n });
    mineUntil(revealedAt + VW + RW);
    refused(() => finalizeValidation(outsider, 1), "NOT_READY_TO_FINALIZE");
    mineUntil(revealedAt + VW + RW + 1n);
    // expire-bid leaves a job with a quorum to finalize-validation
    refused(() => expireBid(outsider, 1), "RESULT_PENDING");

    const silence = 2n * penaltyOf(STX);
    const s = settlementAt(90n, { silence });
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const r = finalizeValidation(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expect(eventOf(r, "job-finalized")).toEqual(finalizedEvent(90n, s));
    expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [bidder, 0n], [contractId, -470_000n]]));
    expect(totalsMoved(totals)).toEqual(
      moved({ escrowedBids: -(REST + CARRIED), validatorStakes: -silence, unclaimedRewards: 30_000n, treasury: 5_000n + silence }),
    );
    expect(claimAll([validator1, validator2, validator3])).toEqual([10_000n, 10_000n, 10_000n]);
    expect(read.getBidderHistory(bidder)).toEqual({ jobs: 1n, scoreSum: 90n, defaults: 0n, meanScore: 90n });
    expectSolvent();
  });

  it("the bidder's history adds each scored job and its default; the mean is over the scored jobs", () => {
    market({ capacity: 3n });
    const deadline = height() + DURATION + 50n;
    for (let i = 1; i <= 3; i++) expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(i));
    for (let i = 1; i <= 3; i++) expect(deliver(provider, i).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(height() + VW));
    expect(revealEval(bidder, 2).result).toBeOk(Cl.uint(height() + VW));
    expect(vote(validator1, 1, 1, 90).result).toBeOk(Cl.bool(true));
    expect(vote(validator1, 1, 2, 55).result).toBeOk(Cl.bool(true));
    expect(read.getBidderHistory(bidder)).toEqual({ jobs: 2n, scoreSum: 145n, defaults: 0n, meanScore: 72n });
    mineUntil(deadline + ERW + 1n);
    expect(expireBid(outsider, 3).result).toBeOk(Cl.uint(0));
    expect(read.getBidderHistory(bidder)).toEqual({ jobs: 2n, scoreSum: 145n, defaults: 1n, meanScore: 72n });
    expect(read.getDataset(1)).toMatchObject({ validations: 2n, passedValidations: 1n, scoreSum: 145n });
    expectSolvent();
  });

  it("a plain job settles as before and leaves the bidder's history alone", () => {
    market();
    expect(placeBid(bidder, 1, AMOUNT, DURATION).result).toBeOk(Cl.uint(1));
    expect(vote(validator1, 1, 1, 85).result).toBeOk(Cl.bool(true));
    expect(read.getBidderHistory(bidder)).toEqual(NO_HISTORY);
    expect(read.getJobResult(1)).toMatchObject({ providerPayment: AMOUNT - (AMOUNT * (VF_BPS + PF_BPS)) / BPS });
    expectSolvent();
  });
});

// ---------------------------------------------------------------------------
// the reserved vote u101
// ---------------------------------------------------------------------------

describe("the reserved vote u101 (evaluation set unavailable)", () => {
  it("is refused on a plain job: submit-validation-result and reveal-validation-result give INVALID_SCORE", () => {
    market({ validators: [[validator1, STX]], capacity: 2n });
    expect(placeBid(bidder, 1, AMOUNT, DURATION).result).toBeOk(Cl.uint(1));
    refused(() => vote(validator1, 1, 1, 101), "INVALID_SCORE", [validator1, provider, bidder]);
    expect(read.getBid(1)?.status).toBe("MATCHED");
    expect(vote(validator1, 1, 1, 100).result).toBeOk(Cl.bool(true));
    expectSolvent();
  });

  it("is refused in a plain job's reveal (INVALID_SCORE), the commitment to it notwithstanding", () => {
    market({ validators: [[validator1, STX], [validator2, STX]] });
    expect(placeBid(bidder, 1, AMOUNT, DURATION).result).toBeOk(Cl.uint(1));
    expect(commit(validator1, 1, 101).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 80).result).toBeOk(Cl.bool(true));
    refused(() => reveal(validator1, 1, 101), "INVALID_SCORE", [validator1, provider, bidder]);
    expect(read.getVote(1, validator1)?.revealed).toBe(false);
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(false));
    expectSolvent();
  });

  it("102 is never a score, verified or not (INVALID_SCORE)", () => {
    revealedJob({ validators: [[validator1, STX], [validator2, STX]] });
    expect(commit(validator1, 1, 102).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 101).result).toBeOk(Cl.bool(true));
    refused(() => reveal(validator1, 1, 102), "INVALID_SCORE", [validator1, provider, bidder]);
    expect(reveal(validator2, 1, 101).result).toBeOk(Cl.bool(false));
    expect(read.getVote(1, validator2)).toMatchObject({ score: 101n, revealed: true });
    expectSolvent();
  });

  it("a one-seat committee's direct 101 settles the verified job as a bidder default with the committee's fees: the rest paid less fees, no slash, no quality score, defaults+1, and the validator claims carried + rest*vf", () => {
    const { revealedAt } = revealedJob();
    refused(() => vote(validator1, 1, 1, 102), "INVALID_SCORE", [validator1, provider, bidder]);
    const s = settlementAt(101n);
    expect(s).toMatchObject({ providerPayment: 470_000n, validatorFees: 30_000n, treasuryGain: 5_000n, slashed: 0n });
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const r = vote(validator1, 1, 1, 101);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(eventOf(r, "job-finalized")).toEqual(finalizedEvent(101n, s));
    expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [bidder, 0n], [contractId, -470_000n]]));
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -(REST + CARRIED), unclaimedRewards: 30_000n, treasury: 5_000n }));
    expect(read.getJobResult(1)).toEqual(resultOf(101n, s, revealedAt, STX));
    expect(read.getBid(1)?.status).toBe("SETTLED");
    expect(read.getDataset(1)).toMatchObject({ stake: STX, validations: 0n, passedValidations: 0n, scoreSum: 0n });
    expect(read.getBidderHistory(bidder)).toEqual({ ...NO_HISTORY, defaults: 1n });
    // the reserved vote is coherent with the median it made: the seat stays counted until the claim
    expect(read.getValidator(validator1)?.openSeats).toBe(1n);
    const claimBefore = balances(validator1);
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(30_000n));
    expect(deltas(claimBefore).get(validator1)).toBe(30_000n);
    expect(read.getValidator(validator1)?.openSeats).toBe(0n);
    expectSolvent();
  });

  it("a five-seat median of 101 settles as a bidder default: only the 101 voters are coherent and share the pool (fees + the others' penalties), no slash even with a vote below the slash threshold", () => {
    const { revealedAt } = revealedJob({ validators: FIVE });
    // 30 is below the slash threshold, 100 within the tolerance of 101 as a number: both are outliers
    const votes: [string, bigint][] = [[validator1, 101n], [validator2, 30n], [validator3, 101n], [provider2, 100n], [outsider, 101n]];
    const outliers = 2n * penaltyOf(STX);
    const s = settlementAt(101n, { outliers });
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const last = commitAndReveal(1, votes);
    expect(last.result).toBeOk(Cl.bool(true));
    expect(eventOf(last, "job-finalized")).toEqual(finalizedEvent(101n, s));
    const penalized = printEvents(last).filter((e) => e.event === "validator-penalized").map((e) => e.validator);
    expect(penalized.sort()).toEqual([validator2, provider2].sort());
    expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [bidder, 0n], [contractId, -470_000n]]));
    expect(totalsMoved(totals)).toEqual(
      moved({ escrowedBids: -(REST + CARRIED), validatorStakes: -outliers, unclaimedRewards: 30_000n + outliers, treasury: 5_000n }),
    );
    expect(read.getJobResult(1)).toEqual(resultOf(101n, s, revealedAt, 3n * STX));
    expect(read.getDataset(1)).toMatchObject({ stake: STX, validations: 0n, scoreSum: 0n });
    expect(read.getBidderHistory(bidder)).toEqual({ ...NO_HISTORY, defaults: 1n });
    // settled by the committee's median: the outliers' seats are freed, the coherent 101 seats wait for their claims
    const voters = [validator1, validator3, outsider, validator2, provider2];
    expect(voters.map((w) => read.getValidator(w)?.openSeats)).toEqual([1n, 1n, 1n, 0n, 0n]);

    const paid = claimAll(voters);
    expect(paid.slice(3)).toEqual([0n, 0n]);
    expect(paid.slice(0, 3).reduce((a, b) => a + b, 0n)).toBe(30_000n + outliers);
    expect(paid[0]).toBe((s.rewardPool * STX) / (3n * STX));
    expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
    for (const w of voters) expect(read.getValidator(w)?.openSeats).toBe(0n);
    expectSolvent();
  });

  it("coherence: 101 agrees only with 101; a median of 100 makes a 101 vote an outlier although |101 - 100| <= tolerance, while 90 stays coherent", () => {
    revealedJob({ validators: FIVE });
    const votes: [string, bigint][] = [[validator1, 100n], [validator2, 100n], [validator3, 101n], [provider2, 90n], [outsider, 100n]];
    const s = settlementAt(100n, { outliers: penaltyOf(STX) });
    const last = commitAndReveal(1, votes);
    expect(eventOf(last, "job-finalized")).toEqual(finalizedEvent(100n, s));
    expect(eventOf(last, "validator-penalized")).toMatchObject({ validator: validator3, silent: false });
    expect(read.getJobResult(1)).toMatchObject({ finalScore: 100n, rewardWeight: 4n * STX });
    expect(read.getBidderHistory(bidder)).toEqual({ jobs: 1n, scoreSum: 100n, defaults: 0n, meanScore: 100n });
    const paid = claimAll([validator3, provider2, validator1, validator2, outsider]);
    expect(paid[0]).toBe(0n);
    expect(paid.slice(1)).toEqual([10_000n, 10_000n, 10_000n, 10_000n]);
    expectSolvent();
  });

  it("the median stays the lower weighted median over 0..101: two 101 votes of five do not make it 101", () => {
    revealedJob({ validators: FIVE });
    const votes: [string, bigint][] = [[validator1, 101n], [validator2, 101n], [validator3, 75n], [provider2, 80n], [outsider, 72n]];
    const last = commitAndReveal(1, votes);
    expect(eventOf(last, "job-finalized")).toMatchObject({ "final-score": 80n, outcome: BigInt(OUTCOME.REWARDED) });
    const penalized = printEvents(last).filter((e) => e.event === "validator-penalized").map((e) => e.validator);
    expect(penalized.sort()).toEqual([validator1, validator2].sort());
    expect(read.getBidderHistory(bidder)).toEqual({ jobs: 1n, scoreSum: 80n, defaults: 0n, meanScore: 80n });
    expectSolvent();
  });
});

// ---------------------------------------------------------------------------
// no-result refunds of a delivered verified job
// ---------------------------------------------------------------------------

describe("no-result refunds of a delivered verified job", () => {
  const REFUND = AMOUNT - FEE + CARRIED; // 505,000: what the job still holds in escrow

  it("no quorum (nobody voted) after reveal-closes-at: finalize-validation returns u4 and refunds amount - compute-fee + the carried share; the silent seat's penalty goes to the treasury", () => {
    const { revealedAt } = revealedJob();
    mineUntil(revealedAt + VW + RW);
    refused(() => finalizeValidation(outsider, 1), "NOT_READY_TO_FINALIZE");
    refused(() => expireBid(outsider, 1), "BID_NOT_EXPIRED");
    mineUntil(revealedAt + VW + RW + 1n);
    const before = balances(provider, bidder, validator1, contractId);
    const totals = read.getMarketTotals();
    const r = finalizeValidation(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    const penalty = penaltyOf(STX);
    expect(eventNames(r)).toEqual(["validator-penalized", "bid-expired"]);
    expect(eventOf(r, "bid-expired")).toEqual({ event: "bid-expired", "bid-id": 1n, "dataset-id": 1n, bidder, refund: REFUND, penalties: penalty });
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: bidder, amount: REFUND }]);
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, REFUND], [validator1, 0n], [contractId, -REFUND]]));
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -REFUND, validatorStakes: -penalty, treasury: penalty }));
    expect(read.getMarketTotals()).toMatchObject({ escrowedBids: 0n, treasury: DELIVERY_PROTOCOL_FEE + penalty, unclaimedRewards: 0n });
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getDataset(1)).toMatchObject({ stake: STX, validations: 0n, nonDeliveries: 0n, activeJobs: 0n });
    expect(read.getBidderHistory(bidder)).toEqual(NO_HISTORY);
    expectSolvent();
  });

  it("no quorum (two reveals of five): expire-bid refunds the same 505,000; the revealed votes go unpenalized, the three silent seats pay", () => {
    const { revealedAt } = revealedJob({ validators: FIVE });
    for (const w of [validator1, validator2]) expect(commit(w, 1, 80).result).toBeOk(Cl.bool(true));
    mineUntil(revealedAt + VW + 1n);
    for (const w of [validator1, validator2]) expect(reveal(w, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealedAt + VW + RW + 1n);
    const before = balances(bidder, contractId);
    const totals = read.getMarketTotals();
    const r = expireBid(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(REFUND));
    const penalties = 3n * penaltyOf(STX);
    expect(eventOf(r, "bid-expired")).toMatchObject({ refund: REFUND, penalties });
    const penalized = printEvents(r).filter((e) => e.event === "validator-penalized").map((e) => e.validator);
    expect(penalized.sort()).toEqual([validator3, provider2, outsider].sort());
    expect(deltas(before)).toEqual(new Map([[bidder, REFUND], [contractId, -REFUND]]));
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -REFUND, validatorStakes: -penalties, treasury: penalties }));
    for (const w of [validator1, validator2]) expect(read.getValidator(w)).toMatchObject({ stake: STX, openSeats: 0n });
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
    expectSolvent();
  });

  it("no majority for a slash (median 10 backed by 2 of 5 seats): finalize-validation returns u5, refunds 505,000, no slash", () => {
    const { revealedAt } = revealedJob({ validators: FIVE });
    const voters: [string, bigint][] = [[validator1, 10n], [validator2, 10n], [validator3, 90n]];
    for (const [w, score] of voters) expect(commit(w, 1, score).result).toBeOk(Cl.bool(true));
    mineUntil(revealedAt + VW + 1n);
    for (const [w, score] of voters) expect(reveal(w, 1, score).result).toBeOk(Cl.bool(false));
    mineUntil(revealedAt + VW + RW + 1n);
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const r = finalizeValidation(outsider, 1);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_MAJORITY));
    const penalties = 2n * penaltyOf(STX); // the two silent seats
    expect(eventOf(r, "bid-expired")).toMatchObject({ refund: REFUND, penalties });
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, REFUND], [contractId, -REFUND]]));
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -REFUND, validatorStakes: -penalties, treasury: penalties }));
    expect(read.getDataset(1)).toMatchObject({ stake: STX, validations: 0n });
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getBidderHistory(bidder)).toEqual(NO_HISTORY);
    expectSolvent();
  });

  it("no majority on the last reveal of a full committee: the reveal itself refunds 505,000", () => {
    revealedJob({ validators: [[validator1, STX], [validator2, STX]] });
    // median 10 (the lower one), backed by half the weight: no strict majority
    const before = balances(bidder, contractId);
    const totals = read.getMarketTotals();
    const last = commitAndReveal(1, [[validator1, 10n], [validator2, 90n]]);
    expect(last.result).toBeOk(Cl.bool(true));
    expect(eventOf(last, "bid-expired")).toMatchObject({ refund: REFUND, penalties: 0n });
    expect(deltas(before)).toEqual(new Map([[bidder, REFUND], [contractId, -REFUND]]));
    expect(totalsMoved(totals)).toEqual(moved({ escrowedBids: -REFUND }));
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expectSolvent();
  });
});

// ---------------------------------------------------------------------------
// decline-job
// ---------------------------------------------------------------------------

describe("decline-job on a verified job", () => {
  it("before the delivery it refunds the full amount as for a plain job", () => {
    verifiedJob();
    const before = balances(bidder, contractId);
    const r = declineJob(provider, 1);
    expect(r.result).toBeOk(Cl.uint(AMOUNT));
    expect(eventNames(r)).toEqual(["job-declined"]);
    expect(deltas(before)).toEqual(new Map([[bidder, AMOUNT], [contractId, -AMOUNT]]));
    expect(read.getBid(1)?.status).toBe("CANCELLED");
    expectSolvent();
  });

  it("after the delivery it is MODEL_DELIVERED, and nothing moves", () => {
    deliveredJob();
    refused(() => declineJob(provider, 1), "MODEL_DELIVERED");
    expect(read.getBid(1)?.status).toBe("MATCHED");
    expectSolvent();
  });

  it("checks DECLINE_CLOSED first: a delivered job past the decline window is DECLINE_CLOSED", () => {
    const { matchedAt } = deliveredJob();
    mineUntil(matchedAt + DEFAULTS.declineWindow);
    refused(() => declineJob(provider, 1), "MODEL_DELIVERED");
    mineUntil(matchedAt + DEFAULTS.declineWindow + 1n);
    refused(() => declineJob(provider, 1), "DECLINE_CLOSED");
    expectSolvent();
  });

  it("checks MODEL_DELIVERED before VALIDATION_STARTED: delivered, revealed and committed on within the window, it is MODEL_DELIVERED", () => {
    revealedJob({ validators: [[validator1, STX], [validator2, STX]] });
    expect(commit(validator1, 1, 80).result).toBeOk(Cl.bool(true));
    expect(read.getCommittee(1)?.commits).toBe(1n);
    refused(() => declineJob(provider, 1), "MODEL_DELIVERED");
    // the earlier checks still come first
    refused(() => declineJob(bidder, 1), "NOT_DATASET_PROVIDER");
    expectSolvent();
  });
});

// ---------------------------------------------------------------------------
// get-validation-windows and the job's absolute end
// ---------------------------------------------------------------------------

describe("get-validation-windows of a verified job and its absolute end", () => {
  it("gives the latest possible windows (deadline + eval-reveal-window + validation-window, + reveal-window) until the reveal, then the reveal's; an earlier reveal closes them earlier", () => {
    const deadline = twoVerifiedJobs();
    const latest = { commitClosesAt: deadline + ERW + VW, revealClosesAt: deadline + ERW + VW + RW, committeeSize: 5n, minReveals: 1n };
    expect(read.getValidationWindows(1)).toEqual(latest);
    expect(deliver(provider, 1).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(read.getValidationWindows(1)).toEqual(latest);
    simnet.mineEmptyBlocks(20);
    const e = height();
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(e + VW));
    expect(read.getValidationWindows(1)).toEqual({ ...latest, commitClosesAt: e + VW, revealClosesAt: e + VW + RW });
    expect(read.getValidationWindows(1)!.revealClosesAt).toBeLessThan(latest.revealClosesAt);
    // bid 2, not yet delivered, keeps the latest
    expect(read.getValidationWindows(2)).toEqual(latest);
    // delivered in the deadline block and revealed in the last block allowed: the latest is reached
    mineUntil(deadline);
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    mineUntil(deadline + ERW);
    expect(revealEval(bidder, 2).result).toBeOk(Cl.uint(deadline + ERW + VW));
    expect(read.getValidationWindows(2)).toEqual(latest);
    expect(read.getValidationWindows(99)).toBeNull();
    expectSolvent();
  });

  it("after deadline + eval-reveal-window + validation-window + reveal-window every verified job can be ended: missed (u6), defaulted (u7), no quorum (u4) or scored; in that block itself a revealed job still waits", () => {
    // three validators of 2 STX, seated on all four jobs; min-reveals 2 of 3
    const three: [string, bigint][] = [[validator1, 2n * STX], [validator2, 2n * STX], [validator3, 2n * STX]];
    market({ validators: three, capacity: 4n });
    const deadline = height() + 150n;
    for (let i = 1; i <= 4; i++) expect(trainingBid(bidder, 1, { deadline }).result).toBeOk(Cl.uint(i));
    const end = deadline + ERW + VW + RW;
    // 1: never delivered; 2: delivered at once, never revealed; 3 and 4: delivered at the deadline, revealed at the last block
    expect(deliver(provider, 2).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    mineUntil(deadline);
    expect(deliver(provider, 3).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(deliver(provider, 4).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    mineUntil(deadline + ERW);
    expect(revealEval(bidder, 3).result).toBeOk(Cl.uint(deadline + ERW + VW));
    expect(revealEval(bidder, 4).result).toBeOk(Cl.uint(deadline + ERW + VW));
    for (const i of [1, 2, 3, 4]) expect(read.getValidationWindows(i)!.revealClosesAt).toBe(end);
    // bid 4: two of three commit, then reveal after the commit window
    expect(commit(validator1, 4, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 4, 90).result).toBeOk(Cl.bool(true));
    mineUntil(deadline + ERW + VW + 1n);
    expect(reveal(validator1, 4, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 4, 90).result).toBeOk(Cl.bool(false));

    mineUntil(end);
    for (const i of [3, 4]) {
      refused(() => finalizeValidation(outsider, i), "NOT_READY_TO_FINALIZE");
      refused(() => expireBid(outsider, i), "BID_NOT_EXPIRED");
    }
    mineUntil(end + 1n);
    refused(() => expireBid(outsider, 4), "RESULT_PENDING");
    const before = balances(provider, bidder, contractId);
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(OUTCOME.NOT_DELIVERED));
    expect(finalizeValidation(outsider, 2).result).toBeOk(Cl.uint(OUTCOME.BIDDER_DEFAULT));
    expect(finalizeValidation(outsider, 3).result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    expect(finalizeValidation(outsider, 4).result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    // 1: the full amount back; 2: the rest to the provider; 3: 505,000 back; 4: the rest to the provider
    expect(deltas(before)).toEqual(
      new Map([
        [provider, 2n * 470_000n],
        [bidder, AMOUNT + (AMOUNT - FEE + CARRIED)],
        [contractId, -(2n * 470_000n + AMOUNT + AMOUNT - FEE + CARRIED)],
      ]),
    );
    for (let i = 1; i <= 4; i++) expect(read.getBid(i)?.status).not.toBe("MATCHED");
    expect(read.getMarketTotals().escrowedBids).toBe(0n);
    // every seat is free but the two coherent seats of the scored job 4, which their claims free
    expect(three.map(([w]) => read.getValidator(w)?.openSeats)).toEqual([1n, 1n, 0n]);
    const pool = read.getJobResult(4)?.rewardPool as bigint;
    expect(pool).toBeGreaterThan(0n);
    expect(claim(validator1, 4).result).toBeOk(Cl.uint(pool / 2n));
    expect(claim(validator2, 4).result).toBeOk(Cl.uint(pool - pool / 2n));
    for (const [w] of three) expect(read.getValidator(w)?.openSeats).toBe(0n);
    expectSolvent();
  });
});
