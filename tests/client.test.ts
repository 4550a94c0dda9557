import {
  AddressVersion,
  Cl,
  ClarityType,
  PayloadType,
  Pc,
  PostConditionMode,
  StacksWireType,
  addressToString,
  cvToHex,
  deserializeTransaction,
  getAddressFromPrivateKey,
  hexToCV,
  makeContractCall,
  wireToPostCondition,
  type ClarityValue,
} from "@stacks/transactions";
import { STACKS_TESTNET, type StacksNetwork } from "@stacks/network";
import { afterEach, describe, expect, it } from "vitest";
import {
  MarketClient,
  VIEWS,
  checkStxPostConditions,
  computeCommitment,
  fromSimnet,
  marketCalls,
  nodeReader,
  PARAMETER_NAMES,
  SCORE_UNAVAILABLE,
  coherentScore,
  computeEvalCommitment,
  deliveryPayment,
  jobEscrow,
  jobTimeline,
  planClaimValidationReward,
  planClaimValidationRewards,
  planDeclineJob,
  planDeliverModel,
  planExpireBid,
  planFinalizeValidation,
  planPlaceComputationBid,
  planRevealValidationResult,
  planRevealValidationResults,
  planSubmitValidationResult,
  randomSalt,
  settlementPayouts,
  simnetReader,
  slashBacked,
  stxTransfersOf,
  toWalletRequest,
  weightedMedian,
  type JobDelivery,
  type MarketCall,
  type MarketReader,
  type PublicFunctionName,
  type SettlementPlan,
} from "../src/client/index.ts";
import {
  DEFAULTS,
  ERR,
  EVAL_COMMITMENT,
  EVAL_DIGEST,
  EVAL_SALT,
  MODEL,
  SPEC,
  bidder,
  bidder2,
  contractId,
  deployer,
  expectSolvent,
  mineUntil,
  printEvents,
  outsider,
  provider,
  provider2,
  saltFor,
  validator1,
  validator2,
  validator3,
} from "./helpers.ts";

// ---------------------------------------------------------------------------
// Local helpers (candidates for tests/helpers.ts: `exec`, `h`)
// ---------------------------------------------------------------------------

/** Every public function a builder's call was run for, across the file. */
const exercised = new Set<string>();

function market() {
  return MarketClient.forSimnet(simnet, contractId);
}

function h(): bigint {
  return BigInt(simnet.burnBlockHeight);
}

/**
 * The post-conditions are exact for what a run moved: each amount one more or one less, or each
 * condition dropped (deny mode), would abort the transaction.
 */
function expectExact(call: MarketCall, events: Parameters<typeof checkStxPostConditions>[1]) {
  const { sent } = checkStxPostConditions(call, events);
  call.postConditions.forEach((pc, i) => {
    const others = call.postConditions.filter((_, j) => j !== i);
    if (pc.condition === "lte") {
      // a ceiling (willSendLte) covers what the run sent; a ceiling below that, or none, would abort
      const moved = sent.get(pc.address) ?? 0n;
      expect(BigInt(pc.amount), `${call.functionName} ceiling ${i}`).toBeGreaterThanOrEqual(moved);
      if (moved > 0n) {
        expect(checkStxPostConditions({ ...call, postConditions: others }, events).ok, `${call.functionName} without ceiling ${i}`).toBe(false);
        const below = call.postConditions.map((p, j) => (j === i ? { ...p, amount: moved - 1n } : p));
        expect(checkStxPostConditions({ ...call, postConditions: below }, events).ok, `${call.functionName} ceiling ${i} below`).toBe(false);
      }
      return;
    }
    expect(checkStxPostConditions({ ...call, postConditions: others }, events).ok, `${call.functionName} without condition ${i}`).toBe(false);
    for (const off of [-1n, 1n]) {
      const amount = BigInt(pc.amount) + off;
      if (amount < 0n) continue;
      const shifted = call.postConditions.map((p, j) => (j === i ? { ...p, amount } : p));
      expect(checkStxPostConditions({ ...call, postConditions: shifted }, events).ok, `${call.functionName} condition ${i} ${off}`).toBe(false);
    }
  });
}

/**
 * Runs a built call on the simnet exactly as built (contract, function, args) and requires
 * `(ok ...)` and post-conditions that hold for the STX the run moved, and exactly (expectExact;
 * a ceiling: at least what moved).
 */
function exec(call: MarketCall, sender: string) {
  const res = simnet.callPublicFn(`${call.contractAddress}.${call.contractName}`, call.functionName, call.functionArgs, sender);
  expect(res.result.type, `${call.functionName} -> ${Cl.prettyPrint(res.result)}`).toBe(ClarityType.ResponseOk);
  const check = checkStxPostConditions(call, res.events);
  expect(check.violations, call.functionName).toEqual([]);
  expectExact(call, res.events);
  exercised.add(call.functionName);
  return { result: res.result, events: res.events, transfers: stxTransfersOf(res.events) };
}

/** `(ok <uint>)` of a call, as bigint. */
function okUint(result: ClarityValue): bigint {
  if (result.type !== ClarityType.ResponseOk || result.value.type !== ClarityType.UInt) throw new Error(Cl.prettyPrint(result));
  return BigInt(result.value.value);
}

const contractSends = (amount: bigint) => Pc.principal(contractId).willSendEq(amount).ustx();
const callerSends = (who: string, amount: bigint) => Pc.principal(who).willSendEq(amount).ustx();
const contractSendsAtMost = (ceiling: bigint) => Pc.principal(contractId).willSendLte(ceiling).ustx();

/**
 * A call MarketClient built with a ceiling (revealValidationResult, submitValidationResult,
 * claimValidationReward: willSendLte, so the call stays signable whatever lands before it): its only
 * post-condition lets the contract send at most `ceiling` (none for 0). Runs it as built (exec), and
 * requires that `exact`, the same call built by marketCalls from the planned amounts, holds exactly
 * for what the run moved: the planners still predict the payouts to the micro-STX.
 */
function execCeiling(call: MarketCall, sender: string, ceiling: bigint, exact: MarketCall) {
  expect(call.postConditions).toEqual(ceiling > 0n ? [contractSendsAtMost(ceiling)] : []);
  expect({ functionName: exact.functionName, functionArgs: exact.functionArgs }).toEqual({
    functionName: call.functionName,
    functionArgs: call.functionArgs,
  });
  expect(exact.postConditions.every((pc) => pc.condition === "eq")).toBe(true);
  const run = exec(call, sender);
  expect(checkStxPostConditions(exact, run.events).violations, `${exact.functionName} as planned`).toEqual([]);
  expectExact(exact, run.events);
  return run;
}

/** What a claim's ceiling allows: the planned share plus a micro-STX of rounding per seat (10), at most the pool left. */
const claimCeiling = (reward: bigint, pool: bigint) => (reward === 0n ? 0n : reward + 10n < pool ? reward + 10n : pool);

async function registerValidators(...stakes: [string, bigint][]) {
  const c = market();
  for (const [who, stake] of stakes) exec(await c.registerValidator({ caller: who, stake }), who);
}

async function registerDataset(stake = 1_000_000n, who = provider) {
  return okUint(exec(await market().registerDataset({ caller: who, stake, metadataUri: "ipfs://dataset" }), who).result);
}

async function placeBid(who: string, amount: bigint, duration: bigint, deadline: bigint, datasetId = 1n) {
  return okUint(exec(await market().placeComputationBid({ caller: who, datasetId, amount, duration, deadline }), who).result);
}

/**
 * validator1 (1,000,000) seated on job 1 (bidder, 500,000, duration 10, deadline 12) of dataset 1
 * (capacity 1); bid 2 (bidder2, 300,000, deadline 22) and bid 3 (outsider, 400,000, deadline 2002)
 * queued behind it. Bid 2 goes stale once the chain passes block 12.
 */
async function jobWithQueue() {
  await registerValidators([validator1, 1_000_000n]);
  await registerDataset();
  const start = h();
  expect(await placeBid(bidder, 500_000n, 10n, start + 10n)).toBe(1n);
  expect(await placeBid(bidder2, 300_000n, 10n, start + 20n)).toBe(2n);
  expect(await placeBid(outsider, 400_000n, 10n, start + 2000n)).toBe(3n);
  const r = simnetReader(simnet, contractId);
  expect(r.getBid(1)?.status).toBe("MATCHED");
  expect(r.getBid(2)?.status).toBe("QUEUED");
  expect(r.getBid(3)?.status).toBe("QUEUED");
}

/**
 * `jobWithQueue`, then frozen by a pause: capacity raised to 2 and job 1 expired while paused
 * (the queue is not walked), then unpaused with bid 2 stale and bid 3 feasible, 2 free slots.
 */
async function frozenQueue() {
  await jobWithQueue();
  const c = market();
  exec(await c.setPaused({ paused: true }), deployer);
  const terms = await c.setDatasetTerms({ datasetId: 1n, pricePerBlock: 0n, maxConcurrentJobs: 2n });
  expect(terms.postConditions).toEqual([]);
  exec(terms, provider);
  mineUntil(simnetReader(simnet, contractId).getValidationWindows(1)!.revealClosesAt + 1n);
  const expire = await c.expireBid({ bidId: 1n });
  expect(expire.postConditions).toEqual([contractSends(500_000n)]);
  exec(expire, outsider);
  exec(await c.setPaused({ paused: false }), deployer);
  const ds = simnetReader(simnet, contractId).getDataset(1)!;
  expect([ds.activeJobs, ds.queuedJobs, ds.maxConcurrentJobs]).toEqual([0n, 2n, 2n]);
}

/**
 * validator1..3 (stakes 1M, 2M, 3M) seated on job 1 (bidder, 500,000, deadline 152); each
 * `[validator, score]` commits its score with `saltFor(validator, 1)`.
 */
async function committedJob(scores: [string, bigint][]) {
  await registerValidators([validator1, 1_000_000n], [validator2, 2_000_000n], [validator3, 3_000_000n]);
  await registerDataset();
  expect(await placeBid(bidder, 500_000n, 100n, h() + 150n)).toBe(1n);
  const c = market();
  for (const [who, score] of scores) {
    const call = await c.commitValidationResult({ bidId: 1n, commitment: computeCommitment(score, saltFor(who, 1n), 1n, who) });
    expect(call.postConditions).toEqual([]);
    exec(call, who);
  }
}

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// Coverage of the contract's surface
// ---------------------------------------------------------------------------

const ALL_FUNCTIONS: PublicFunctionName[] = [
  "register-dataset",
  "add-dataset-stake",
  "set-dataset-terms",
  "withdraw-dataset-stake",
  "place-computation-bid",
  "match-queued-bids",
  "cancel-bid",
  "expire-bid",
  "register-validator",
  "request-validator-exit",
  "withdraw-validator-stake",
  "draw-committee",
  "commit-validation-result",
  "reveal-validation-result",
  "submit-validation-result",
  "finalize-validation",
  "claim-validation-reward",
  "propose-parameter-change",
  "vote-on-proposal",
  "execute-proposal",
  "set-paused",
  "withdraw-treasury",
  "register-dataset-with-terms",
  "retire-dataset",
  "decline-job",
  "sweep-surplus",
  "place-training-bid",
  "deliver-model",
  "reveal-evaluation-set",
  "commit-validation-results",
  "reveal-validation-results",
  "claim-validation-rewards",
];

describe("contract surface", () => {
  const abi = () => simnet.getContractsInterfaces().get(contractId)!;

  it("has a builder for every public function and no other", () => {
    const publics = abi()
      .functions.filter((f) => f.access === "public")
      .map((f) => f.name)
      .sort();
    expect(publics).toEqual([...ALL_FUNCTIONS].sort());
  });

  it("has a typed reader for every read-only view and no other", () => {
    const views = abi()
      .functions.filter((f) => f.access === "read_only")
      .map((f) => f.name)
      .sort();
    expect(Object.values(VIEWS).map((v) => v.fn).sort()).toEqual(views);
  });

});

// ---------------------------------------------------------------------------
// Datasets
// ---------------------------------------------------------------------------

describe("register-dataset", () => {
  it("declares the caller's exact stake and nothing else", async () => {
    const call = await market().registerDataset({ caller: provider, stake: 2_000_000n, metadataUri: "ipfs://d" });
    expect(call).toEqual({
      contractAddress: deployer,
      contractName: "neural-training-market",
      functionName: "register-dataset",
      functionArgs: [Cl.uint(2_000_000n), Cl.stringAscii("ipfs://d")],
      postConditionMode: "deny",
      postConditions: [callerSends(provider, 2_000_000n)],
    });
    const run = exec(call, provider);
    expect(run.result).toBeOk(Cl.uint(1));
    expect(run.transfers).toEqual([{ sender: provider, recipient: contractId, amount: 2_000_000n }]);
  });
});

describe("register-dataset-with-terms", () => {
  it("declares the caller's exact stake; the dataset opens with its ask and slots", async () => {
    const call = await market().registerDatasetWithTerms({
      caller: provider,
      stake: 2_000_000n,
      metadataUri: "ipfs://d",
      pricePerBlock: 2_000n,
      maxConcurrentJobs: 3n,
    });
    expect(call).toEqual({
      contractAddress: deployer,
      contractName: "neural-training-market",
      functionName: "register-dataset-with-terms",
      functionArgs: [Cl.uint(2_000_000n), Cl.stringAscii("ipfs://d"), Cl.uint(2_000n), Cl.uint(3n)],
      postConditionMode: "deny",
      postConditions: [callerSends(provider, 2_000_000n)],
    });
    const run = exec(call, provider);
    expect(run.result).toBeOk(Cl.uint(1));
    expect(run.transfers).toEqual([{ sender: provider, recipient: contractId, amount: 2_000_000n }]);
    expect(printEvents(run)).toEqual([
      {
        event: "dataset-registered",
        "dataset-id": 1n,
        provider,
        stake: 2_000_000n,
        "metadata-uri": "ipfs://d",
        "price-per-block": 2_000n,
        "max-concurrent-jobs": 3n,
      },
    ]);
    expect(simnetReader(simnet, contractId).getDataset(1)).toMatchObject({ stake: 2_000_000n, pricePerBlock: 2_000n, maxConcurrentJobs: 3n, active: true });
    // the ask holds from the first block: 100 blocks cost at least 200,000
    const below = simnet.callPublicFn(contractId, "place-computation-bid", [Cl.uint(1), Cl.uint(199_999n), Cl.uint(100), Cl.uint(h() + 100n)], bidder);
    expect(below.result).toBeErr(Cl.uint(ERR.BID_BELOW_ASK));
  });
});

describe("retire-dataset", () => {
  it("moves no STX; the queued bids are refunded through expire-bid, the running job settles, the stake comes back", async () => {
    await jobWithQueue();
    const c = market();
    const r = simnetReader(simnet, contractId);
    const retire = await c.retireDataset({ datasetId: 1n });
    expect(retire).toMatchObject({ functionName: "retire-dataset", functionArgs: [Cl.uint(1n)], postConditions: [] });
    const run = exec(retire, provider);
    expect(run.result).toBeOk(Cl.bool(true));
    expect(run.transfers).toEqual([]);
    expect(printEvents(run)).toEqual([{ event: "dataset-retired", "dataset-id": 1n, provider, "queued-jobs": 2n, "active-jobs": 1n }]);
    expect(r.getDataset(1)).toMatchObject({ active: false, stake: 1_000_000n, activeJobs: 1n, queuedJobs: 2n });

    // bid 2 could still meet its deadline, but its dataset closed: anyone refunds it
    const expire2 = await c.expireBid({ bidId: 2n });
    expect(expire2.postConditions).toEqual([contractSends(300_000n)]);
    expect(exec(expire2, outsider).transfers).toEqual([{ sender: contractId, recipient: bidder2, amount: 300_000n }]);

    // the running job still settles; the closed dataset's queue (bid 3) is not walked
    const { settlement } = await planSubmitValidationResult(fromSimnet(simnet, contractId), { caller: validator1, bidId: 1n, score: 85n });
    expect(settlement).toMatchObject({ outcome: "REWARDED", providerPayment: 470_000n, queueRefunds: 0n, queue: { matched: [], refunded: [] } });
    const submit = await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 85n });
    // the ceiling: job 1's escrow (500,000) and the dataset's queue (bid 3, 400,000; bid 2 left it), counted even though a closed dataset's queue is not walked
    const exact = c.calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: 85n, settlement });
    expect(exact.postConditions).toEqual([contractSends(470_000n)]);
    expect(execCeiling(submit, validator1, 900_000n, exact).transfers).toEqual([{ sender: contractId, recipient: provider, amount: 470_000n }]);
    expect(r.getBid(3)?.status).toBe("QUEUED");

    const expire3 = await c.expireBid({ bidId: 3n });
    expect(expire3.postConditions).toEqual([contractSends(400_000n)]);
    expect(exec(expire3, bidder).transfers).toEqual([{ sender: contractId, recipient: outsider, amount: 400_000n }]);

    // nothing open any more, and the dataset passed a validation: no stake lock
    const withdraw = await c.withdrawDatasetStake({ datasetId: 1n });
    expect(withdraw.postConditions).toEqual([contractSends(1_000_000n)]);
    expect(exec(withdraw, provider).transfers).toEqual([{ sender: contractId, recipient: provider, amount: 1_000_000n }]);
    expect(r.getDataset(1)).toMatchObject({ active: false, stake: 0n, activeJobs: 0n, queuedJobs: 0n });
  });
});

describe("add-dataset-stake", () => {
  it("a plain top-up: the caller sends exactly the amount", async () => {
    await registerDataset();
    const call = await market().addDatasetStake({ caller: provider, datasetId: 1n, amount: 250_000n });
    expect(call.postConditions).toEqual([callerSends(provider, 250_000n)]);
    expect(exec(call, provider).result).toBeOk(Cl.uint(1_250_000n));
  });

  it("reopening a slashed dataset walks its queue: the stale head is refunded, the next matched", async () => {
    await jobWithQueue();
    const c = market();
    // score 20: the dataset is slashed to 500,000, below the minimum; the queue stays frozen
    const { settlement } = await planSubmitValidationResult(c.reader, { caller: validator1, bidId: 1n, score: 20n });
    const exact = c.calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: 20n, settlement });
    expect(exact.postConditions).toEqual([contractSends(500_000n)]);
    const submit = await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 20n });
    // the ceiling: job 1's escrow and the two queued bids behind it (300,000 + 400,000)
    expect(execCeiling(submit, validator1, 1_200_000n, exact).transfers).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(simnetReader(simnet, contractId).getDataset(1)).toMatchObject({ stake: 500_000n, queuedJobs: 2n });
    simnet.mineEmptyBlocks(15);

    const call = await c.addDatasetStake({ caller: provider, datasetId: 1n, amount: 500_000n });
    expect(call.postConditions).toEqual([callerSends(provider, 500_000n), contractSends(300_000n)]);
    const run = exec(call, provider);
    expect(run.transfers).toContainEqual({ sender: contractId, recipient: bidder2, amount: 300_000n });
    const r = simnetReader(simnet, contractId);
    expect([r.getBid(2)?.status, r.getBid(3)?.status]).toEqual(["EXPIRED", "MATCHED"]);
  });
});

describe("set-dataset-terms", () => {
  it("moves no STX without a queue", async () => {
    await registerDataset();
    const call = await market().setDatasetTerms({ datasetId: 1n, pricePerBlock: 1_000n, maxConcurrentJobs: 3n });
    expect(call.postConditions).toEqual([]);
    expect(exec(call, provider).transfers).toEqual([]);
  });

  it("new slots refund the stale queue head and match the next", async () => {
    await jobWithQueue();
    simnet.mineEmptyBlocks(15);
    const call = await market().setDatasetTerms({ datasetId: 1n, pricePerBlock: 0n, maxConcurrentJobs: 3n });
    expect(call.postConditions).toEqual([contractSends(300_000n)]);
    exec(call, provider);
    expect(simnetReader(simnet, contractId).getBid(3)?.status).toBe("MATCHED");
  });
});

describe("withdraw-dataset-stake", () => {
  it("pays back the full stake of a never-used dataset", async () => {
    await registerDataset(1_500_000n);
    const call = await market().withdrawDatasetStake({ datasetId: 1n });
    expect(call.postConditions).toEqual([contractSends(1_500_000n)]);
    expect(exec(call, provider).transfers).toEqual([{ sender: contractId, recipient: provider, amount: 1_500_000n }]);
  });

  it("pays back what a slash left, once the stake lock is over", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await registerDataset();
    await placeBid(bidder, 500_000n, 10n, h() + 10n);
    const c = market();
    const { settlement } = await planSubmitValidationResult(c.reader, { caller: validator1, bidId: 1n, score: 10n });
    const exact = c.calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: 10n, settlement });
    execCeiling(await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 10n }), validator1, 500_000n, exact);
    simnet.mineEmptyBlocks(4321);
    const call = await c.withdrawDatasetStake({ datasetId: 1n });
    expect(call.postConditions).toEqual([contractSends(500_000n)]);
    exec(call, provider);
  });
});

// ---------------------------------------------------------------------------
// Bids
// ---------------------------------------------------------------------------

describe("place-computation-bid", () => {
  it("matched at once: the bidder escrows exactly the amount", async () => {
    await registerDataset();
    const call = await market().placeComputationBid({ caller: bidder, datasetId: 1n, amount: 500_000n, duration: 100n, deadline: h() + 100n });
    expect(call.postConditions).toEqual([callerSends(bidder, 500_000n)]);
    expect(exec(call, bidder).result).toBeOk(Cl.uint(1));
  });

  it("joining a frozen queue walks it: stale head refunded, next matched, the new bid matched too", async () => {
    await frozenQueue();
    const args = { caller: bidder, datasetId: 1n, amount: 250_000n, duration: 10n, deadline: h() + 50n };
    const plan = await planPlaceComputationBid(fromSimnet(simnet, contractId), args);
    expect(plan).toEqual({
      bidId: 4n,
      matchedAtOnce: false,
      queueRefunds: 300_000n,
      queue: { matched: [3n, 4n], refunded: [{ bidId: 2n, bidder: bidder2, amount: 300_000n }] },
    });
    const call = await market().placeComputationBid(args);
    expect(call.postConditions).toEqual([callerSends(bidder, 250_000n), contractSends(300_000n)]);
    exec(call, bidder);
    const r = simnetReader(simnet, contractId);
    expect([2, 3, 4].map((id) => r.getBid(id)?.status)).toEqual(["EXPIRED", "MATCHED", "MATCHED"]);
  });
});

describe("match-queued-bids", () => {
  it("moves no STX on an empty queue", async () => {
    await registerDataset();
    const call = await market().matchQueuedBids({ datasetId: 1n });
    expect(call.postConditions).toEqual([]);
    expect(exec(call, outsider).result).toBeOk(Cl.uint(0));
  });

  it("refunds the stale head and matches the next", async () => {
    await frozenQueue();
    const call = await market().matchQueuedBids({ datasetId: 1n });
    expect(call.postConditions).toEqual([contractSends(300_000n)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(0));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: bidder2, amount: 300_000n }]);
  });
});

describe("cancel-bid", () => {
  it("refunds the queued bid's amount", async () => {
    await jobWithQueue();
    const call = await market().cancelBid({ bidId: 2n });
    expect(call.postConditions).toEqual([contractSends(300_000n)]);
    expect(exec(call, bidder2).result).toBeOk(Cl.uint(300_000n));
  });
});

describe("expire-bid", () => {
  it("a stale queued bid: its amount back, no queue walk", async () => {
    await jobWithQueue();
    simnet.mineEmptyBlocks(15);
    const call = await market().expireBid({ bidId: 2n });
    expect(call.postConditions).toEqual([contractSends(300_000n)]);
    exec(call, outsider);
  });

  it("a matched job without reveals: refund, then the freed slot walks the queue", async () => {
    await jobWithQueue();
    mineUntil(simnetReader(simnet, contractId).getValidationWindows(1)!.revealClosesAt + 1n);
    const call = await market().expireBid({ bidId: 1n });
    // 500,000 back to the bidder and 300,000 to the stale queue head
    expect(call.postConditions).toEqual([contractSends(800_000n)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(500_000n));
    expect(simnetReader(simnet, contractId).getBid(3)?.status).toBe("MATCHED");
  });
});

describe("decline-job", () => {
  /**
   * validator1 seated on job 1 (bidder, 500,000, duration 10, deadline +10) of dataset 1 (capacity
   * 1); queued behind it bid 2 (bidder2, 300,000, deadline +12: stale after 2 blocks) and bid 3
   * (outsider, 400,000, deadline +2000). Then 3 blocks pass: inside the 6-block decline window.
   */
  async function declinableJob() {
    await registerValidators([validator1, 1_000_000n]);
    await registerDataset();
    const start = h();
    expect(await placeBid(bidder, 500_000n, 10n, start + 10n)).toBe(1n);
    expect(await placeBid(bidder2, 300_000n, 10n, start + 12n)).toBe(2n);
    expect(await placeBid(outsider, 400_000n, 10n, start + 2000n)).toBe(3n);
    simnet.mineEmptyBlocks(3);
  }

  it("refunds the job in full; the freed slot refunds the stale queue head and matches the next (planDeclineJob)", async () => {
    await declinableJob();
    const plan = await planDeclineJob(fromSimnet(simnet, contractId), { bidId: 1n });
    expect(plan).toEqual({
      refund: 500_000n,
      queueRefunds: 300_000n,
      queue: { matched: [3n], refunded: [{ bidId: 2n, bidder: bidder2, amount: 300_000n }] },
    });
    const call = await market().declineJob({ bidId: 1n });
    expect(call).toMatchObject({ functionName: "decline-job", functionArgs: [Cl.uint(1n)], postConditions: [contractSends(800_000n)] });
    const run = exec(call, provider);
    expect(run.result).toBeOk(Cl.uint(500_000n));
    expect(run.transfers).toEqual([
      { sender: contractId, recipient: bidder, amount: 500_000n },
      { sender: contractId, recipient: bidder2, amount: 300_000n },
    ]);
    expect(printEvents(run).find((e) => e.event === "job-declined")).toEqual({
      event: "job-declined",
      "bid-id": 1n,
      "dataset-id": 1n,
      provider,
      bidder,
      refund: 500_000n,
    });
    const r = simnetReader(simnet, contractId);
    expect([1, 2, 3].map((id) => r.getBid(id)?.status)).toEqual(["CANCELLED", "EXPIRED", "MATCHED"]);
    // freed from job 1 without a penalty, seated on job 3
    expect(r.getValidator(validator1)).toMatchObject({ stake: 1_000_000n, openSeats: 1n });
    expect(r.getCommittee(3)?.seats).toEqual([validator1]);
    expect(r.getMarketTotals()).toMatchObject({ escrowedBids: 400_000n, treasury: 0n });
  });

  it("while paused: the refund only, the frozen queue is not walked", async () => {
    await declinableJob();
    const c = market();
    exec(await c.setPaused({ paused: true }), deployer);
    const plan = await planDeclineJob(c.reader, { bidId: 1n });
    expect(plan).toEqual({ refund: 500_000n, queueRefunds: 0n, queue: { matched: [], refunded: [] } });
    const call = await c.declineJob({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(500_000n)]);
    expect(exec(call, provider).transfers).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    const r = simnetReader(simnet, contractId);
    expect([1, 2, 3].map((id) => r.getBid(id)?.status)).toEqual(["CANCELLED", "QUEUED", "QUEUED"]);
    exec(await c.setPaused({ paused: false }), deployer);
  });
});

// ---------------------------------------------------------------------------
// Validators
// ---------------------------------------------------------------------------

describe("register-validator", () => {
  it("the caller stakes exactly the stake", async () => {
    const call = await market().registerValidator({ caller: validator1, stake: 1_200_000n });
    expect(call.postConditions).toEqual([callerSends(validator1, 1_200_000n)]);
    exec(call, validator1);
  });
});

describe("request-validator-exit", () => {
  it("moves no STX", async () => {
    await registerValidators([validator1, 1_000_000n]);
    const call = await market().requestValidatorExit();
    expect(call.postConditions).toEqual([]);
    expect(exec(call, validator1).transfers).toEqual([]);
  });
});

describe("withdraw-validator-stake", () => {
  it("pays back the stake after unbonding", async () => {
    await registerValidators([validator1, 1_300_000n]);
    const c = market();
    exec(await c.requestValidatorExit(), validator1);
    simnet.mineEmptyBlocks(144);
    const call = await c.withdrawValidatorStake({ caller: validator1 });
    expect(call.postConditions).toEqual([contractSends(1_300_000n)]);
    expect(exec(call, validator1).result).toBeOk(Cl.uint(1_300_000n));
  });

  it("pays back a penalized stake (silent seat removed from the set)", async () => {
    await jobWithQueue();
    mineUntil(simnetReader(simnet, contractId).getValidationWindows(1)!.revealClosesAt + 1n);
    exec(await market().expireBid({ bidId: 1n }), outsider);
    simnet.mineEmptyBlocks(144);
    const call = await market().withdrawValidatorStake({ caller: validator1 });
    expect(call.postConditions).toEqual([contractSends(990_000n)]);
    exec(call, validator1);
  });

  it("after a scored job, waits for the claim of the coherent seat (VALIDATOR_SEATED), then pays back the stake", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await registerDataset();
    await placeBid(bidder, 500_000n, 10n, h() + 10n);
    const c = market();
    const r = simnetReader(simnet, contractId);
    exec(await c.requestValidatorExit(), validator1);
    exec(await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 85n }), validator1);
    expect(r.getValidator(validator1)).toMatchObject({ active: false, openSeats: 1n });
    simnet.mineEmptyBlocks(144);
    const withdraw = await c.withdrawValidatorStake({ caller: validator1 });
    expect(withdraw.postConditions).toEqual([contractSends(1_000_000n)]);
    const seated = simnet.callPublicFn(contractId, withdraw.functionName, withdraw.functionArgs, validator1);
    expect(seated.result).toBeErr(Cl.uint(ERR.VALIDATOR_SEATED));
    expect(stxTransfersOf(seated.events)).toEqual([]);
    // the claim (the whole pool: 25,000) frees the seat
    const claim = await c.claimValidationReward({ caller: validator1, bidId: 1n });
    expect(execCeiling(claim, validator1, 25_000n, c.calls.claimValidationReward({ bidId: 1n, reward: 25_000n })).result).toBeOk(Cl.uint(25_000n));
    expect(r.getValidator(validator1)).toMatchObject({ openSeats: 0n });
    expect(exec(await c.withdrawValidatorStake({ caller: validator1 }), validator1).transfers).toEqual([
      { sender: contractId, recipient: validator1, amount: 1_000_000n },
    ]);
    expect(r.getValidator(validator1)).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

describe("draw-committee", () => {
  it("moves no STX", async () => {
    await registerValidators(...[validator1, validator2, validator3, provider2, bidder2, outsider].map((v): [string, bigint] => [v, 1_000_000n]));
    await registerDataset();
    await placeBid(bidder, 500_000n, 100n, h() + 150n);
    expect(simnetReader(simnet, contractId).getCommittee(1)).toBeNull();
    simnet.mineEmptyBlocks(7); // the seed exists one Bitcoin block after the decline window (6)
    const call = await market().drawCommittee({ bidId: 1n });
    expect(call.postConditions).toEqual([]);
    exec(call, outsider);
    expect(simnetReader(simnet, contractId).getCommittee(1)?.seats).toHaveLength(5);
  });
});

describe("commit-validation-result / reveal-validation-result", () => {
  it("the offline commitment equals the contract's compute-commitment", () => {
    const salt = saltFor(validator1, 7n);
    const offline = Buffer.from(computeCommitment(64n, salt, 7n, validator1)).toString("hex");
    expect(simnetReader(simnet, contractId).computeCommitment(64n, salt, 7n, validator1)).toBe(offline);
  });

  it("commits and early reveals move no STX; the last reveal pays by the median", async () => {
    await committedJob([
      [validator1, 60n],
      [validator2, 55n],
      [validator3, 90n],
    ]);
    const c = market();
    for (const [who, score] of [
      [validator1, 60n],
      [validator2, 55n],
    ] as const) {
      const { settlement } = await planRevealValidationResult(c.reader, { caller: who, bidId: 1n, score });
      expect(settlement).toBeNull();
      const call = await c.revealValidationResult({ caller: who, bidId: 1n, score, salt: saltFor(who, 1n) });
      // an early reveal moves no STX, but the call allows the job's escrow: it may land last
      const exact = c.calls.revealValidationResult({ bidId: 1n, score, salt: saltFor(who, 1n), settlement });
      expect(exact.postConditions).toEqual([]);
      const run = execCeiling(call, who, 500_000n, exact);
      expect(run.result).toBeOk(Cl.bool(false));
      expect(run.transfers).toEqual([]);
    }
    const { settlement } = await planRevealValidationResult(fromSimnet(simnet, contractId), { caller: validator3, bidId: 1n, score: 90n });
    // median 60 of {60: 1M, 55: 2M, 90: 3M}: payment 500,000 * 20/30 = 333,333, 5% fees 16,666,
    // 1% protocol fee 3,333: the provider gets 333,333 - 16,666 - 3,333 = 313,334
    expect(settlement).toMatchObject({
      kind: "finalized",
      finalScore: 60n,
      outcome: "PARTIAL",
      providerPayment: 313_334n,
      bidderRefund: 166_667n,
      validatorFees: 16_666n,
      protocolFee: 3_333n,
      queueRefunds: 0n,
    });
    const call = await c.revealValidationResult({ caller: validator3, bidId: 1n, score: 90n, salt: saltFor(validator3, 1n) });
    const exact = c.calls.revealValidationResult({ bidId: 1n, score: 90n, salt: saltFor(validator3, 1n), settlement });
    expect(exact.postConditions).toEqual([contractSends(313_334n + 166_667n)]);
    const run = execCeiling(call, validator3, 500_000n, exact);
    expect(run.result).toBeOk(Cl.bool(true));
    expect(run.transfers).toEqual([
      { sender: contractId, recipient: provider, amount: 313_334n },
      { sender: contractId, recipient: bidder, amount: 166_667n },
    ]);
    expect(simnetReader(simnet, contractId).getJobResult(1)).toMatchObject({
      finalScore: 60n,
      outcome: "PARTIAL",
      providerPayment: 313_334n,
      bidderRefund: 166_667n,
      validatorFees: 16_666n,
      protocolFee: 3_333n,
    });
  });

  it("the last reveal refunds the bidder when a slashing median lacks a committee majority (NO_MAJORITY)", async () => {
    // 10 (1M) and 20 (2M) put the median at 20, below 40, but hold only 3M of the committee's 6M
    const votes: [string, bigint][] = [
      [validator1, 10n],
      [validator2, 20n],
      [validator3, 90n],
    ];
    await committedJob(votes);
    const c = market();
    for (const [who, score] of votes.slice(0, 2)) {
      const exact = c.calls.revealValidationResult({ bidId: 1n, score, salt: saltFor(who, 1n), settlement: null });
      const call = await c.revealValidationResult({ caller: who, bidId: 1n, score, salt: saltFor(who, 1n) });
      expect(execCeiling(call, who, 500_000n, exact).result).toBeOk(Cl.bool(false));
    }
    const r = simnetReader(simnet, contractId);
    expect(r.getCommittee(1)).toMatchObject({ weights: [1_000_000n, 2_000_000n, 3_000_000n], totalWeight: 6_000_000n, revealedWeight: 3_000_000n });
    const { settlement } = await planRevealValidationResult(fromSimnet(simnet, contractId), { caller: validator3, bidId: 1n, score: 90n });
    expect(settlement).toEqual({
      kind: "refunded",
      bidId: 1n,
      datasetId: 1n,
      provider,
      bidder,
      finalScore: null,
      outcome: "NO_MAJORITY",
      providerPayment: 0n,
      bidderRefund: 500_000n,
      slashed: 0n,
      validatorFees: 0n,
      protocolFee: 0n,
      queueRefunds: 0n,
      queue: { matched: [], refunded: [] },
    });
    const call = await c.revealValidationResult({ caller: validator3, bidId: 1n, score: 90n, salt: saltFor(validator3, 1n) });
    const exact = c.calls.revealValidationResult({ bidId: 1n, score: 90n, salt: saltFor(validator3, 1n), settlement });
    expect(exact.postConditions).toEqual([contractSends(500_000n)]);
    const run = execCeiling(call, validator3, 500_000n, exact);
    expect(run.result).toBeOk(Cl.bool(true));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    // no result, no slash, and every seat revealed: nobody is penalized
    expect(r.getBid(1)?.status).toBe("EXPIRED");
    expect(r.getJobResult(1)).toBeNull();
    expect(r.getDataset(1)).toMatchObject({ stake: 1_000_000n, validations: 0n });
    expect([validator1, validator2, validator3].map((v) => r.getValidator(v)?.stake)).toEqual([1_000_000n, 2_000_000n, 3_000_000n]);
    expect(r.getMarketTotals()).toMatchObject({ escrowedBids: 0n, treasury: 0n, unclaimedRewards: 0n });
  });
});

describe("submit-validation-result", () => {
  it("a passing score pays the provider its payment minus fees (5% to the validators, 1% to the treasury)", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await registerDataset();
    await placeBid(bidder, 500_000n, 10n, h() + 10n);
    const c = market();
    const call = await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 85n });
    const { settlement } = await planSubmitValidationResult(c.reader, { caller: validator1, bidId: 1n, score: 85n });
    const exact = c.calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: 85n, settlement });
    // 500,000 - 25,000 validator fees - 5,000 protocol fee
    expect(exact.postConditions).toEqual([contractSends(470_000n)]);
    // the ceiling: the job's escrow
    expect(execCeiling(call, validator1, 500_000n, exact).transfers).toEqual([{ sender: contractId, recipient: provider, amount: 470_000n }]);
    expect(simnetReader(simnet, contractId).getMarketTotals()).toMatchObject({ treasury: 5_000n, unclaimedRewards: 25_000n });
  });

  it("a failing score refunds the bidder in full (the slash stays in the contract)", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await registerDataset();
    await placeBid(bidder, 500_000n, 10n, h() + 10n);
    const { settlement } = await planSubmitValidationResult(fromSimnet(simnet, contractId), { caller: validator1, bidId: 1n, score: 20n });
    expect(settlement).toMatchObject({ outcome: "SLASHED", providerPayment: 0n, bidderRefund: 500_000n, slashed: 500_000n, validatorFees: 25_000n });
    const c = market();
    const call = await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 20n });
    const exact = c.calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: 20n, settlement });
    expect(exact.postConditions).toEqual([contractSends(500_000n)]);
    expect(execCeiling(call, validator1, 500_000n, exact).transfers).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
  });
});

describe("finalize-validation", () => {
  it("with a majority of reveals: settles by their median", async () => {
    await committedJob([
      [validator1, 80n],
      [validator2, 70n],
    ]);
    const c = market();
    const windows = simnetReader(simnet, contractId).getValidationWindows(1)!;
    mineUntil(windows.commitClosesAt + 1n);
    for (const [who, score] of [
      [validator1, 80n],
      [validator2, 70n],
    ] as const) {
      exec(await c.revealValidationResult({ caller: who, bidId: 1n, score, salt: saltFor(who, 1n) }), who);
    }
    mineUntil(windows.revealClosesAt + 1n);
    const { settlement } = await planFinalizeValidation(c.reader, { bidId: 1n });
    expect(settlement).toMatchObject({ kind: "finalized", finalScore: 70n, outcome: "REWARDED", providerPayment: 470_000n, bidderRefund: 0n });
    const call = await c.finalizeValidation({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(470_000n)]);
    expect(exec(call, outsider).result).toBeOk(Cl.uint(1));
  });

  it("with too few reveals: the bidder is refunded in full (NO_QUORUM)", async () => {
    await committedJob([[validator1, 80n]]);
    const c = market();
    const windows = simnetReader(simnet, contractId).getValidationWindows(1)!;
    mineUntil(windows.commitClosesAt + 1n);
    exec(await c.revealValidationResult({ caller: validator1, bidId: 1n, score: 80n, salt: saltFor(validator1, 1n) }), validator1);
    mineUntil(windows.revealClosesAt + 1n);
    const { settlement } = await planFinalizeValidation(c.reader, { bidId: 1n });
    expect(settlement).toMatchObject({ kind: "refunded", outcome: "NO_QUORUM", bidderRefund: 500_000n, providerPayment: 0n });
    const call = await c.finalizeValidation({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(500_000n)]);
    expect(exec(call, outsider).result).toBeOk(Cl.uint(4));
  });

  /** Commits `votes` on job 1 (validator stakes 1M, 2M, 3M), reveals them after the commit phase, and ends the reveal phase. */
  async function revealedThenClosed(votes: [string, bigint][]) {
    await committedJob(votes);
    const c = market();
    const windows = simnetReader(simnet, contractId).getValidationWindows(1)!;
    mineUntil(windows.commitClosesAt + 1n);
    for (const [who, score] of votes) exec(await c.revealValidationResult({ caller: who, bidId: 1n, score, salt: saltFor(who, 1n) }), who);
    mineUntil(windows.revealClosesAt + 1n);
    return c;
  }

  it("a slashing median without a committee majority: refunded in full, the silent seat penalized to the treasury (NO_MAJORITY)", async () => {
    // validator3 (3M of 6M) stays silent: the 3M below 40 is no strict majority
    const c = await revealedThenClosed([
      [validator1, 10n],
      [validator2, 20n],
    ]);
    const { settlement } = await planFinalizeValidation(c.reader, { bidId: 1n });
    expect(settlement).toMatchObject({
      kind: "refunded",
      outcome: "NO_MAJORITY",
      finalScore: null,
      providerPayment: 0n,
      bidderRefund: 500_000n,
      slashed: 0n,
      queueRefunds: 0n,
    });
    const call = await c.finalizeValidation({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(500_000n)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(5));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(printEvents(run).filter((e) => e.event === "validator-penalized")).toEqual([
      { event: "validator-penalized", "bid-id": 1n, validator: validator3, penalty: 30_000n, stake: 2_970_000n, removed: false, silent: true },
    ]);
    const r = simnetReader(simnet, contractId);
    expect(r.getBid(1)?.status).toBe("EXPIRED");
    expect(r.getJobResult(1)).toBeNull();
    expect(r.getDataset(1)?.stake).toBe(1_000_000n);
    expect(r.getMarketTotals()).toMatchObject({ treasury: 30_000n, unclaimedRewards: 0n, escrowedBids: 0n });
  });

  it("a slashing median with a committee majority slashes; the silent seat's penalty goes to the treasury, not the pool", async () => {
    // validator2 and validator3 (5M of 6M) score below 40; validator1 stays silent
    const c = await revealedThenClosed([
      [validator2, 10n],
      [validator3, 20n],
    ]);
    const { settlement } = await planFinalizeValidation(c.reader, { bidId: 1n });
    expect(settlement).toMatchObject({
      kind: "finalized",
      outcome: "SLASHED",
      finalScore: 20n,
      providerPayment: 0n,
      bidderRefund: 500_000n,
      slashed: 500_000n,
      validatorFees: 25_000n,
      protocolFee: 0n,
    });
    const call = await c.finalizeValidation({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(500_000n)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(3));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    const r = simnetReader(simnet, contractId);
    // the pool is the fees alone; the treasury takes the slash less the fees, plus validator1's 10,000
    expect(r.getJobResult(1)).toMatchObject({ penalties: 10_000n, rewardPool: 25_000n, rewardWeight: 5_000_000n });
    expect(r.getMarketTotals()).toMatchObject({ treasury: 500_000n - 25_000n + 10_000n, unclaimedRewards: 25_000n });
  });
});

describe("claim-validation-reward", () => {
  it("coherent validators share the pool by stake (the last takes the rest); an outlier's claim moves nothing", async () => {
    const votes: [string, bigint][] = [
      [validator1, 60n],
      [validator2, 55n],
      [validator3, 90n],
    ];
    await committedJob(votes);
    const c = market();
    for (const [who, score] of votes) exec(await c.revealValidationResult({ caller: who, bidId: 1n, score, salt: saltFor(who, 1n) }), who);
    // pool = fees 16,666 + validator3's outlier penalty 30,000; coherent weight 3M
    expect(simnetReader(simnet, contractId).getJobResult(1)).toMatchObject({ rewardPool: 46_666n, rewardWeight: 3_000_000n });

    const expected: [string, bigint][] = [
      [validator1, 15_555n],
      [validator2, 31_111n],
      [validator3, 0n],
    ];
    // the ceilings: validator1's share + 10 of rounding; validator2, the last coherent claimant, the whole pool left
    const ceilings = new Map([[validator1, 15_565n], [validator2, 31_111n], [validator3, 0n]]);
    for (const [who, reward] of expected) {
      expect(await planClaimValidationReward(c.reader, { caller: who, bidId: 1n })).toMatchObject({ reward, coherent: reward > 0n });
      const call = await c.claimValidationReward({ caller: who, bidId: 1n });
      const exact = c.calls.claimValidationReward({ bidId: 1n, reward });
      expect(exact.postConditions).toEqual(reward > 0n ? [contractSends(reward)] : []);
      const run = execCeiling(call, who, ceilings.get(who)!, exact);
      expect(run.result).toBeOk(Cl.uint(reward));
      expect(run.transfers).toEqual(reward > 0n ? [{ sender: contractId, recipient: who, amount: reward }] : []);
    }
    expect(simnetReader(simnet, contractId).getJobResult(1)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
  });
});

describe("validation in batches: commit-validation-results, reveal-validation-results, claim-validation-rewards", () => {
  it("a validator commits, reveals and claims two jobs one call each; the reveals allow both escrows, the claims free the coherent seats", async () => {
    // validator1 (1M) and validator2 (2M) seated on job 1 (bidder, 500,000) and job 2 (bidder2, 400,000) of dataset 1 (2 slots)
    await registerValidators([validator1, 1_000_000n], [validator2, 2_000_000n]);
    const c = market();
    exec(await c.registerDatasetWithTerms({ caller: provider, stake: 1_000_000n, metadataUri: "ipfs://d", pricePerBlock: 0n, maxConcurrentJobs: 2n }), provider);
    expect(await placeBid(bidder, 500_000n, 10n, h() + 10n)).toBe(1n);
    expect(await placeBid(bidder2, 400_000n, 10n, h() + 10n)).toBe(2n);
    const r = simnetReader(simnet, contractId);
    for (const bidId of [1n, 2n]) expect(r.getCommittee(bidId)?.seats).toEqual([validator1, validator2]);
    const scores = new Map([[validator1, 80n], [validator2, 75n]]);

    for (const who of [validator1, validator2]) {
      const commits = [1n, 2n].map((bidId) => ({ bidId, commitment: computeCommitment(scores.get(who)!, saltFor(who, bidId), bidId, who) }));
      const call = await c.commitValidationResults({ commits });
      expect(call.postConditions).toEqual([]);
      expect(exec(call, who).result).toBeOk(Cl.uint(2));
    }

    const revealed: bigint[] = [];
    for (const [who, finalized] of [[validator1, 0n], [validator2, 2n]] as const) {
      const reveals = [1n, 2n].map((bidId) => ({ bidId, score: scores.get(who)!, salt: saltFor(who, bidId) }));
      const plan = await planRevealValidationResults(c.reader, { caller: who, reveals });
      // the ceiling: both jobs' escrows (no queue), whichever reveal lands last
      expect(plan.ceiling).toBe(900_000n);
      const call = await c.revealValidationResults({ caller: who, reveals });
      expect(call.postConditions).toEqual([contractSendsAtMost(900_000n)]);
      const run = exec(call, who);
      expect(run.result).toBeOk(Cl.tuple({ revealed: Cl.uint(2), finalized: Cl.uint(finalized) }));
      // the planned settlements, exactly: none for the first seat, both jobs for the last
      const planned = plan.settlements.reduce((total, p) => total + (p ? p.providerPayment + p.bidderRefund + p.queueRefunds : 0n), 0n);
      expectExact({ ...call, postConditions: planned > 0n ? [contractSends(planned)] : [] }, run.events);
      revealed.push(...run.transfers.map((t) => t.amount));
    }
    // median 75 (2M of 3M): both rewarded in full; 500,000 and 400,000 less 5% and 1%
    expect(revealed).toEqual([470_000n, 376_000n]);
    expect([1n, 2n].map((bidId) => r.getJobResult(bidId))).toMatchObject([
      { finalScore: 75n, rewardPool: 25_000n, rewardWeight: 3_000_000n },
      { finalScore: 75n, rewardPool: 20_000n, rewardWeight: 3_000_000n },
    ]);
    // both coherent: every seat stays counted until its validator claims
    expect([validator1, validator2].map((v) => r.getValidator(v)?.openSeats)).toEqual([2n, 2n]);

    // validator1: a third of each pool (8,333 + 6,666), plus 10 of rounding per job in the ceiling
    const first = await planClaimValidationRewards(c.reader, { caller: validator1, bidIds: [1n, 2n] });
    expect(first).toEqual({ rewards: [8_333n, 6_666n], total: 14_999n, ceiling: 15_019n });
    const claim1 = await c.claimValidationRewards({ caller: validator1, bidIds: [1n, 2n] });
    expect(claim1.postConditions).toEqual([contractSendsAtMost(15_019n)]);
    const run1 = exec(claim1, validator1);
    expect(run1.result).toBeOk(Cl.uint(14_999n));
    expect(run1.transfers).toEqual([{ sender: contractId, recipient: validator1, amount: 14_999n }]);
    expectExact({ ...claim1, postConditions: [contractSends(first.total)] }, run1.events);
    expect([validator1, validator2].map((v) => r.getValidator(v)?.openSeats)).toEqual([0n, 2n]);

    // validator2, the last claimant of both: the pools left, which are its ceiling too
    const last = await planClaimValidationRewards(c.reader, { caller: validator2, bidIds: [2n, 1n] });
    expect(last).toEqual({ rewards: [13_334n, 16_667n], total: 30_001n, ceiling: 30_001n });
    const claim2 = await c.claimValidationRewards({ caller: validator2, bidIds: [2n, 1n] });
    expect(claim2.postConditions).toEqual([contractSendsAtMost(30_001n)]);
    const run2 = exec(claim2, validator2);
    expect(run2.result).toBeOk(Cl.uint(30_001n));
    expectExact({ ...claim2, postConditions: [contractSends(last.total)] }, run2.events);
    expect([validator1, validator2].map((v) => r.getValidator(v)?.openSeats)).toEqual([0n, 0n]);
    for (const bidId of [1n, 2n]) expect(r.getJobResult(bidId)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
    expect(r.getMarketTotals()).toMatchObject({ unclaimedRewards: 0n, escrowedBids: 0n });
  });
});

// ---------------------------------------------------------------------------
// Verified jobs (notes/issue12-contract.md, as amended by notes/fix12-rules.md): the training bid, the delivery, the evaluation set,
// and every ending of a verified job, each planned and checked against what the contract pays
// ---------------------------------------------------------------------------

/**
 * The standard verified job: dataset 1 (provider) asks 1,000 per block; the bidder's training bid
 * of 600,000 for 100 blocks (deadline +150) carries a compute fee of 100,000. The delivery pays the
 * provider 100,000 - 5,000 (validators' 5%, kept in escrow for the committee) - 1,000 (protocol 1%)
 * = 94,000; the rest of the bid, 500,000, follows the score.
 */
const PRICE = 1_000n;
const AMOUNT = 600_000n;
const FEE = 100_000n;
const DELIVERY_PROTOCOL_FEE = 1_000n;
const DELIVERY_PAYMENT = 94_000n;
/** The rest paid in full (a score >= 70 or a default): 500,000 - 25,000 - 5,000. */
const FULL_REST_PAYMENT = 470_000n;

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

async function verifiedDataset(stake = 1_000_000n, capacity = 1n) {
  const call = await market().registerDatasetWithTerms({
    caller: provider,
    stake,
    metadataUri: "ipfs://verified",
    pricePerBlock: PRICE,
    maxConcurrentJobs: capacity,
  });
  return okUint(exec(call, provider).result);
}

/** The bidder's training bid on dataset 1 through MarketClient.placeTrainingBid (the standard job by default). */
async function placeTraining(opts: { amount?: bigint; duration?: bigint; deadline?: bigint } = {}) {
  const duration = opts.duration ?? 100n;
  const call = await market().placeTrainingBid({
    caller: bidder,
    datasetId: 1n,
    amount: opts.amount ?? AMOUNT,
    duration,
    deadline: opts.deadline ?? h() + duration + 50n,
    spec: SPEC,
    evalCommitment: EVAL_COMMITMENT,
  });
  return okUint(exec(call, bidder).result);
}

/** `validators` registered (all seated: at most 5), dataset 1 staking `stake` and asking PRICE, the standard job 1 matched. */
async function verifiedJob(validators: [string, bigint][] = [[validator1, 1_000_000n]], stake = 1_000_000n) {
  await registerValidators(...validators);
  await verifiedDataset(stake);
  expect(await placeTraining()).toBe(1n);
}

/** `verifiedJob(stake)`, then bid 2 (bidder2, 300,000, stale once job 1's deadline passes) and bid 3 (outsider, 400,000) queued behind it. */
async function verifiedJobWithQueue(stake: bigint) {
  await verifiedJob([[validator1, 1_000_000n]], stake);
  const start = h();
  expect(await placeBid(bidder2, 300_000n, 10n, start + 20n)).toBe(2n);
  expect(await placeBid(outsider, 400_000n, 10n, start + 2_000n)).toBe(3n);
}

async function deliverJob(bidId = 1n) {
  return exec(await market().deliverModel({ bidId, model: MODEL }), provider);
}

async function revealEvaluation(bidId = 1n) {
  return exec(await market().revealEvaluationSet({ bidId, evalDigest: EVAL_DIGEST, salt: EVAL_SALT }), bidder);
}

/** `jobTimeline` of a job at `at` (default now), from the readers. */
function timelineOf(bidId = 1n, at = h()) {
  const r = simnetReader(simnet, contractId);
  const bid = r.getBid(bidId)!;
  return jobTimeline(bid, r.getJobDelivery(bidId), r.getParametersAt(bid.parameterVersion)!, at);
}

/** `jobTimeline`'s windows equal the contract's `get-validation-windows`; returns the timeline. */
function windowsAgree(bidId = 1n) {
  const t = timelineOf(bidId);
  const w = simnetReader(simnet, contractId).getValidationWindows(bidId)!;
  expect({ commitClosesAt: t.commitClosesAt, revealClosesAt: t.revealClosesAt }).toEqual({
    commitClosesAt: w.commitClosesAt,
    revealClosesAt: w.revealClosesAt,
  });
  return t;
}

/** The plan's figures are the contract's job result. */
function expectResultOf(settlement: SettlementPlan, bidId = 1n) {
  expect(simnetReader(simnet, contractId).getJobResult(bidId)).toMatchObject({
    finalScore: settlement.finalScore,
    outcome: settlement.outcome,
    providerPayment: settlement.providerPayment,
    bidderRefund: settlement.bidderRefund,
    slashedAmount: settlement.slashed,
    validatorFees: settlement.validatorFees,
    protocolFee: settlement.protocolFee,
  });
}

/**
 * Every `[validator, score]` of `votes` commits on job 1 (once its evaluation set is revealed);
 * after the commit window those not `silent` reveal; then the reveal window closes.
 */
async function votedThenClosed(votes: [string, bigint][], silent: string[] = []) {
  const c = market();
  for (const [who, score] of votes) {
    exec(await c.commitValidationResult({ bidId: 1n, commitment: computeCommitment(score, saltFor(who, 1n), 1n, who) }), who);
  }
  const windows = windowsAgree();
  mineUntil(windows.commitClosesAt + 1n);
  for (const [who, score] of votes.filter(([who]) => !silent.includes(who))) {
    const call = await c.revealValidationResult({ caller: who, bidId: 1n, score, salt: saltFor(who, 1n) });
    // moves no STX; the ceiling is the delivered job's escrow, 505,000 (the rest and the kept 5,000)
    const run = execCeiling(call, who, AMOUNT - FEE + 5_000n, c.calls.revealValidationResult({ bidId: 1n, score, salt: saltFor(who, 1n), settlement: null }));
    expect(run.result).toBeOk(Cl.bool(false));
    expect(run.transfers).toEqual([]);
  }
  mineUntil(windows.revealClosesAt + 1n);
  expect(timelineOf().stage).toBe("ended");
  return c;
}

/** Each `[validator, reward]` claims through the client; the plan, the post-condition and the payout agree. */
async function claimAll(expected: [string, bigint][], bidId = 1n) {
  const c = market();
  for (const [who, reward] of expected) {
    expect(await planClaimValidationReward(c.reader, { caller: who, bidId })).toEqual({ reward, coherent: reward > 0n });
    const pool = simnetReader(simnet, contractId).getJobResult(bidId)!.rewardPool;
    const call = await c.claimValidationReward({ caller: who, bidId });
    const exact = c.calls.claimValidationReward({ bidId, reward });
    expect(exact.postConditions).toEqual(reward > 0n ? [contractSends(reward)] : []);
    const run = execCeiling(call, who, claimCeiling(reward, pool), exact);
    expect(run.result).toBeOk(Cl.uint(reward));
    expect(run.transfers).toEqual(reward > 0n ? [{ sender: contractId, recipient: who, amount: reward }] : []);
  }
  expect(simnetReader(simnet, contractId).getJobResult(bidId)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
}

describe("place-training-bid", () => {
  it("matched at once: the bidder escrows exactly the amount; the bid records its compute fee and sealed artifacts", async () => {
    await verifiedDataset();
    const deadline = h() + 150n;
    // the digests as hex, with or without 0x: the builder takes bytes or hex
    const call = await market().placeTrainingBid({
      caller: bidder,
      datasetId: 1n,
      amount: AMOUNT,
      duration: 100n,
      deadline,
      spec: hexOf(SPEC),
      evalCommitment: `0x${hexOf(EVAL_COMMITMENT)}`,
    });
    expect(call).toEqual({
      contractAddress: deployer,
      contractName: "neural-training-market",
      functionName: "place-training-bid",
      functionArgs: [Cl.uint(1n), Cl.uint(AMOUNT), Cl.uint(100n), Cl.uint(deadline), Cl.buffer(SPEC), Cl.buffer(EVAL_COMMITMENT)],
      postConditionMode: "deny",
      postConditions: [callerSends(bidder, AMOUNT)],
    });
    const run = exec(call, bidder);
    expect(run.result).toBeOk(Cl.uint(1));
    expect(run.transfers).toEqual([{ sender: bidder, recipient: contractId, amount: AMOUNT }]);
    // one micro-STX off and the transaction would abort
    expect(checkStxPostConditions({ ...call, postConditions: [callerSends(bidder, AMOUNT - 1n)] }, run.events).violations).toEqual([
      `${bidder} sent 600000 uSTX, post-condition requires eq 599999`,
    ]);
    expect(printEvents(run)[0]).toEqual({
      event: "bid-placed",
      "bid-id": 1n,
      "dataset-id": 1n,
      bidder,
      amount: AMOUNT,
      duration: 100n,
      deadline,
      spec: hexOf(SPEC),
      "eval-commitment": hexOf(EVAL_COMMITMENT),
      "compute-fee": FEE,
    });
    const r = simnetReader(simnet, contractId);
    expect(r.getBid(1)).toMatchObject({ status: "MATCHED", amount: AMOUNT, verified: true, computeFee: FEE });
    expect(r.getJobDelivery(1)).toEqual({
      spec: hexOf(SPEC),
      evalCommitment: hexOf(EVAL_COMMITMENT),
      model: null,
      deliveredAt: 0n,
      evalDigest: null,
      evalRevealedAt: 0n,
    });
    expect(r.getMarketTotals()).toMatchObject({ escrowedBids: AMOUNT, treasury: 0n });
  });

  it("joining a frozen queue walks it like a plain bid: the stale head refunded, the next and the new training bid matched", async () => {
    await frozenQueue();
    const args = { caller: bidder, datasetId: 1n, amount: 250_000n, duration: 10n, deadline: h() + 50n, spec: SPEC, evalCommitment: EVAL_COMMITMENT };
    const call = await market().placeTrainingBid(args);
    expect(call.postConditions).toEqual([callerSends(bidder, 250_000n), contractSends(300_000n)]);
    const run = exec(call, bidder);
    expect(run.result).toBeOk(Cl.uint(4));
    expect(run.transfers).toEqual([
      { sender: bidder, recipient: contractId, amount: 250_000n },
      { sender: contractId, recipient: bidder2, amount: 300_000n },
    ]);
    const r = simnetReader(simnet, contractId);
    expect([2, 3, 4].map((id) => r.getBid(id)?.status)).toEqual(["EXPIRED", "MATCHED", "MATCHED"]);
    // the frozen dataset asks nothing: a verified job with no compute fee
    expect(r.getBid(4)).toMatchObject({ verified: true, computeFee: 0n });
  });

  it("the builders take only 32-byte digests and salts", () => {
    const calls = marketCalls(contractId);
    const bid = { caller: bidder, datasetId: 1n, amount: AMOUNT, duration: 100n, deadline: 200n, spec: SPEC, evalCommitment: EVAL_COMMITMENT };
    expect(() => calls.placeTrainingBid({ ...bid, spec: SPEC.slice(0, 31) })).toThrow("spec must be 32 bytes, got 31");
    expect(() => calls.placeTrainingBid({ ...bid, evalCommitment: "abcd" })).toThrow("evalCommitment must be 32 bytes, got 2");
    expect(() => calls.deliverModel({ bidId: 1n, model: "not hex", payment: 0n })).toThrow(/not hex/);
    expect(() => calls.revealEvaluationSet({ bidId: 1n, evalDigest: EVAL_DIGEST, salt: EVAL_SALT.slice(0, 16) })).toThrow("salt must be 32 bytes, got 16");
    expect(() => calls.deliverModel({ bidId: 1n, model: MODEL, payment: -1n })).toThrow(RangeError);
  });
});

describe("deliver-model", () => {
  it("pays the provider the compute fee less the validators' share and the protocol fee (planDeliverModel)", async () => {
    await verifiedJob();
    const c = market();
    expect(await planDeliverModel(c.reader, { bidId: 1n })).toEqual({ payment: DELIVERY_PAYMENT });
    const call = await c.deliverModel({ bidId: 1n, model: hexOf(MODEL) });
    expect(call).toEqual({
      contractAddress: deployer,
      contractName: "neural-training-market",
      functionName: "deliver-model",
      functionArgs: [Cl.uint(1n), Cl.buffer(MODEL)],
      postConditionMode: "deny",
      postConditions: [contractSends(DELIVERY_PAYMENT)],
    });
    const deliveredAt = h();
    const run = exec(call, provider);
    expect(run.result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: provider, amount: DELIVERY_PAYMENT }]);
    expect(printEvents(run)).toEqual([
      {
        event: "model-delivered",
        "bid-id": 1n,
        "dataset-id": 1n,
        provider,
        model: hexOf(MODEL),
        "compute-fee": FEE,
        "provider-payment": DELIVERY_PAYMENT,
        "protocol-fee": DELIVERY_PROTOCOL_FEE,
      },
    ]);
    // planned one micro-STX too high, the transaction would abort
    const wrong = marketCalls(contractId).deliverModel({ bidId: 1n, model: MODEL, payment: DELIVERY_PAYMENT + 1n });
    expect(checkStxPostConditions(wrong, run.events).violations).toEqual([`${contractId} sent 94000 uSTX, post-condition requires eq 94001`]);
    const r = simnetReader(simnet, contractId);
    expect(r.getJobDelivery(1)).toMatchObject({ model: hexOf(MODEL), deliveredAt, evalDigest: null });
    // the validators' share (5,000) waits in escrow for the committee; the protocol fee is the treasury's
    expect(r.getMarketTotals()).toMatchObject({ escrowedBids: AMOUNT - DELIVERY_PAYMENT - DELIVERY_PROTOCOL_FEE, treasury: DELIVERY_PROTOCOL_FEE });
    expect(deliveryPayment(FEE, r.getParametersAt(1)!)).toBe(DELIVERY_PAYMENT);
    expect(jobEscrow(r.getBid(1)!, true, r.getParametersAt(1)!)).toBe(r.getMarketTotals().escrowedBids);
  });

  it("pays by the fees of the bid's parameter version, not those in force at the delivery", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await verifiedDataset();
    expect(await placeTraining({ deadline: h() + 2_000n })).toBe(1n);
    // governance raises the validators' fee to 10% before the delivery
    const c = market();
    exec(await c.proposeParameterChange({ parameter: "validator-fee-bps", value: 1_000n }), provider);
    exec(await c.voteOnProposal({ proposalId: 1n, support: true }), provider);
    const r = simnetReader(simnet, contractId);
    mineUntil(r.getProposal(1)!.executableAt);
    exec(await c.executeProposal({ proposalId: 1n }), outsider);
    expect(r.getParameters()).toMatchObject({ version: 2n, validatorFeeBps: 1_000n });
    expect(h()).toBeLessThanOrEqual(r.getBid(1)!.deadline);

    expect(deliveryPayment(FEE, r.getParameters())).toBe(89_000n); // what today's fees would pay
    expect(await planDeliverModel(c.reader, { bidId: 1n })).toEqual({ payment: DELIVERY_PAYMENT });
    const call = await c.deliverModel({ bidId: 1n, model: MODEL });
    expect(call.postConditions).toEqual([contractSends(DELIVERY_PAYMENT)]);
    expect(exec(call, provider).result).toBeOk(Cl.uint(DELIVERY_PAYMENT));
  });

  it("a dataset asking nothing: the delivery pays nothing, no post-condition, nothing moves", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await registerDataset();
    expect(await placeTraining()).toBe(1n);
    expect(simnetReader(simnet, contractId).getBid(1)).toMatchObject({ verified: true, computeFee: 0n });
    const call = await market().deliverModel({ bidId: 1n, model: MODEL });
    expect(call.postConditions).toEqual([]);
    const run = exec(call, provider);
    expect(run.result).toBeOk(Cl.uint(0));
    expect(run.transfers).toEqual([]);
  });
});

describe("reveal-evaluation-set", () => {
  it("moves no STX and opens the committee's commit window; jobTimeline follows get-validation-windows at every step", async () => {
    await verifiedJob();
    const r = simnetReader(simnet, contractId);
    const deadline = r.getBid(1)!.deadline;
    // before the reveal nothing votes; the windows are the latest they can close
    expect(windowsAgree()).toEqual({ open: false, delivered: false, commitClosesAt: deadline + 288n, revealClosesAt: deadline + 432n, stage: "running" });
    await deliverJob();
    const deliveredAt = h();
    expect(windowsAgree()).toEqual({ open: false, delivered: true, commitClosesAt: deadline + 288n, revealClosesAt: deadline + 432n, stage: "running" });
    simnet.mineEmptyBlocks(10);

    const call = await market().revealEvaluationSet({ bidId: 1n, evalDigest: hexOf(EVAL_DIGEST), salt: EVAL_SALT });
    expect(call).toEqual({
      contractAddress: deployer,
      contractName: "neural-training-market",
      functionName: "reveal-evaluation-set",
      functionArgs: [Cl.uint(1n), Cl.buffer(EVAL_DIGEST), Cl.buffer(EVAL_SALT)],
      postConditionMode: "deny",
      postConditions: [],
    });
    const at = h();
    const run = exec(call, bidder);
    expect(run.result).toBeOk(Cl.uint(at + 144n));
    expect(run.transfers).toEqual([]);
    expect(printEvents(run)).toEqual([
      { event: "evaluation-revealed", "bid-id": 1n, bidder, "eval-digest": hexOf(EVAL_DIGEST), "commit-closes-at": at + 144n },
    ]);
    expect(r.getJobDelivery(1)).toEqual({
      spec: hexOf(SPEC),
      evalCommitment: hexOf(EVAL_COMMITMENT),
      model: hexOf(MODEL),
      deliveredAt,
      evalDigest: hexOf(EVAL_DIGEST),
      evalRevealedAt: at,
    });
    expect(windowsAgree()).toEqual({ open: true, delivered: true, commitClosesAt: at + 144n, revealClosesAt: at + 288n, stage: "running" });
    expect(r.getMarketTotals()).toMatchObject({ escrowedBids: AMOUNT - DELIVERY_PAYMENT - DELIVERY_PROTOCOL_FEE });
  });
});

describe("expire-bid (verified jobs)", () => {
  it("a missed delivery: the bidder refunded in full, the slash stays in the contract; an under-staked dataset's queue is not walked", async () => {
    await verifiedJobWithQueue(1_000_000n);
    const c = market();
    const r = simnetReader(simnet, contractId);
    const deadline = r.getBid(1)!.deadline;
    mineUntil(deadline);
    expect(timelineOf().stage).toBe("running");
    expect(simnet.callPublicFn(contractId, "expire-bid", [Cl.uint(1)], outsider).result).toBeErr(Cl.uint(ERR.BID_NOT_EXPIRED));
    mineUntil(deadline + 1n);
    expect(timelineOf().stage).toBe("missed");

    // 10% of the 1,000,000 stake (100,000, the compute fee too) is slashed: 900,000 is below the minimum, so bid 2 stays queued though stale
    expect(await planExpireBid(c.reader, { bidId: 1n })).toEqual({
      refund: AMOUNT,
      providerPayment: 0n,
      queueRefunds: 0n,
      queue: { matched: [], refunded: [] },
    });
    const call = await c.expireBid({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(AMOUNT)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(AMOUNT));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: bidder, amount: AMOUNT }]);
    expect(printEvents(run)).toContainEqual({
      event: "delivery-missed",
      "bid-id": 1n,
      "dataset-id": 1n,
      provider,
      bidder,
      refund: AMOUNT,
      "slashed-amount": 100_000n,
    });
    expect(r.getBid(1)?.status).toBe("EXPIRED");
    expect(r.getDataset(1)).toMatchObject({ stake: 900_000n, nonDeliveries: 1n, activeJobs: 0n, queuedJobs: 2n, validations: 0n });
    expect(r.getMarketTotals()).toMatchObject({ datasetStakes: 900_000n, escrowedBids: 700_000n, treasury: 100_000n });
    // the seat is freed without a penalty: its commit window never opened
    expect(r.getValidator(validator1)).toMatchObject({ stake: 1_000_000n, openSeats: 0n });

    // the top-up that reopens the dataset walks the queue: the stale head refunded, the next matched
    const topUp = await c.addDatasetStake({ caller: provider, datasetId: 1n, amount: 100_000n });
    expect(topUp.postConditions).toEqual([callerSends(provider, 100_000n), contractSends(300_000n)]);
    exec(topUp, provider);
    expect([2, 3].map((id) => r.getBid(id)?.status)).toEqual(["EXPIRED", "MATCHED"]);
  });

  it("a missed delivery on a well-staked dataset: the freed slot refunds the stale queue head and matches the next", async () => {
    await verifiedJobWithQueue(2_000_000n);
    const c = market();
    const r = simnetReader(simnet, contractId);
    mineUntil(r.getBid(1)!.deadline + 1n);
    expect(await planExpireBid(c.reader, { bidId: 1n })).toEqual({
      refund: AMOUNT,
      providerPayment: 0n,
      queueRefunds: 300_000n,
      queue: { matched: [3n], refunded: [{ bidId: 2n, bidder: bidder2, amount: 300_000n }] },
    });
    const call = await c.expireBid({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(AMOUNT + 300_000n)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(AMOUNT));
    expect(run.transfers).toEqual([
      { sender: contractId, recipient: bidder, amount: AMOUNT },
      { sender: contractId, recipient: bidder2, amount: 300_000n },
    ]);
    // 10% of the 2,000,000 stake is 200,000: capped at the compute fee
    expect(printEvents(run)).toContainEqual(expect.objectContaining({ event: "delivery-missed", "slashed-amount": FEE }));
    expect(r.getDataset(1)).toMatchObject({ stake: 2_000_000n - FEE, nonDeliveries: 1n, activeJobs: 1n, queuedJobs: 0n });
    expect([1, 2, 3].map((id) => r.getBid(id)?.status)).toEqual(["EXPIRED", "EXPIRED", "MATCHED"]);
  });

  it("a bidder default: the provider is paid the rest less the fees (providerPayment), refund 0, no slash, seats freed", async () => {
    await verifiedJob();
    await deliverJob();
    const c = market();
    const r = simnetReader(simnet, contractId);
    const deliveredAt = r.getJobDelivery(1)!.deliveredAt;
    const deadline = r.getBid(1)!.deadline;
    // the evaluation set is due eval-reveal-window blocks after the deadline, not after the (early) delivery
    expect(deliveredAt + 145n).toBeLessThan(deadline + 144n);
    for (const at of [deliveredAt + 145n, deadline + 144n]) {
      mineUntil(at);
      expect(timelineOf().stage).toBe("running");
      expect(simnet.callPublicFn(contractId, "expire-bid", [Cl.uint(1)], outsider).result).toBeErr(Cl.uint(ERR.BID_NOT_EXPIRED));
    }
    mineUntil(deadline + 145n);
    expect(timelineOf().stage).toBe("defaulted");
    expect(simnet.callPublicFn(contractId, "reveal-evaluation-set", [Cl.uint(1), Cl.buffer(EVAL_DIGEST), Cl.buffer(EVAL_SALT)], bidder).result).toBeErr(
      Cl.uint(ERR.EVAL_REVEAL_CLOSED),
    );

    expect(await planExpireBid(c.reader, { bidId: 1n })).toEqual({
      refund: 0n,
      providerPayment: FULL_REST_PAYMENT,
      queueRefunds: 0n,
      queue: { matched: [], refunded: [] },
    });
    const call = await c.expireBid({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(FULL_REST_PAYMENT)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(0));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: provider, amount: FULL_REST_PAYMENT }]);
    expect(r.getJobResult(1)).toMatchObject({
      finalScore: SCORE_UNAVAILABLE,
      outcome: "BIDDER_DEFAULT",
      providerPayment: FULL_REST_PAYMENT,
      bidderRefund: 0n,
      slashedAmount: 0n,
      validatorFees: 0n,
      protocolFee: 5_000n,
      penalties: 0n,
      rewardPool: 0n,
      rewardWeight: 0n,
    });
    // nobody judged: the kept 5,000, the rest's 25,000 and 5,000 go to the treasury (after the delivery's 1,000)
    expect(r.getMarketTotals()).toMatchObject({ escrowedBids: 0n, unclaimedRewards: 0n, treasury: 1_000n + 35_000n });
    expect(r.getValidator(validator1)).toMatchObject({ stake: 1_000_000n, openSeats: 0n });
    expect(r.getBidderHistory(bidder)).toEqual({ jobs: 0n, scoreSum: 0n, defaults: 1n, meanScore: 0n });
    expect(r.getDataset(1)).toMatchObject({ stake: 1_000_000n, validations: 0n, scoreSum: 0n, activeJobs: 0n });
  });

  it("a delivered job without a result: the bidder gets back what the job still holds (jobEscrow), the validators' share included", async () => {
    await verifiedJob();
    await deliverJob();
    await revealEvaluation();
    const c = market();
    const r = simnetReader(simnet, contractId);
    mineUntil(windowsAgree().revealClosesAt + 1n);
    expect(timelineOf().stage).toBe("ended");
    const escrow = jobEscrow(r.getBid(1)!, true, r.getParametersAt(1)!);
    expect(escrow).toBe(AMOUNT - DELIVERY_PAYMENT - DELIVERY_PROTOCOL_FEE); // 505,000
    expect(await planExpireBid(c.reader, { bidId: 1n })).toEqual({
      refund: escrow,
      providerPayment: 0n,
      queueRefunds: 0n,
      queue: { matched: [], refunded: [] },
    });
    const call = await c.expireBid({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(escrow)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(escrow));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: bidder, amount: escrow }]);
    // the silent seat is penalized (1% of 1,000,000) to the treasury
    expect(r.getMarketTotals()).toMatchObject({ escrowedBids: 0n, treasury: DELIVERY_PROTOCOL_FEE + 10_000n });
  });
});

describe("finalize-validation (verified jobs)", () => {
  it("scored by its committee: the rest follows the median, the compute fee's share joins the validators' fees", async () => {
    await verifiedJob([
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
      [validator3, 3_000_000n],
    ]);
    await deliverJob();
    // nothing votes before the evaluation set is revealed
    const early = simnet.callPublicFn(
      contractId,
      "commit-validation-result",
      [Cl.uint(1), Cl.buffer(computeCommitment(60n, saltFor(validator1, 1n), 1n, validator1))],
      validator1,
    );
    expect(early.result).toBeErr(Cl.uint(ERR.EVALUATION_NOT_REVEALED));
    await revealEvaluation();
    // validator3 commits 90 and stays silent: the median of {60: 1M, 55: 2M} is 55
    const c = await votedThenClosed(
      [
        [validator1, 60n],
        [validator2, 55n],
        [validator3, 90n],
      ],
      [validator3],
    );
    const { settlement } = await planFinalizeValidation(c.reader, { bidId: 1n });
    // payment 500,000 * 15/30 = 250,000; its fees 12,500 + the kept 5,000; protocol 2,500
    expect(settlement).toEqual({
      kind: "finalized",
      bidId: 1n,
      datasetId: 1n,
      provider,
      bidder,
      finalScore: 55n,
      outcome: "PARTIAL",
      providerPayment: 235_000n,
      bidderRefund: 250_000n,
      slashed: 0n,
      validatorFees: 17_500n,
      protocolFee: 2_500n,
      queueRefunds: 0n,
      queue: { matched: [], refunded: [] },
    });
    const call = await c.finalizeValidation({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(485_000n)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(2));
    expect(run.transfers).toEqual([
      { sender: contractId, recipient: provider, amount: 235_000n },
      { sender: contractId, recipient: bidder, amount: 250_000n },
    ]);
    expectResultOf(settlement);
    const r = simnetReader(simnet, contractId);
    expect(r.getJobResult(1)).toMatchObject({ penalties: 30_000n, rewardPool: 17_500n, rewardWeight: 3_000_000n });
    expect(r.getBidderHistory(bidder)).toEqual({ jobs: 1n, scoreSum: 55n, defaults: 0n, meanScore: 55n });
    expect(r.getDataset(1)).toMatchObject({ validations: 1n, scoreSum: 55n, activeJobs: 0n });
    expect(r.getMarketTotals()).toMatchObject({ escrowedBids: 0n, unclaimedRewards: 17_500n });
  });

  it("a median of 101 (SCORE_UNAVAILABLE): a bidder default judged by the committee, the fees to its coherent seats", async () => {
    await verifiedJob([
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
      [validator3, 3_000_000n],
      [provider2, 1_000_000n],
    ]);
    await deliverJob();
    await revealEvaluation();
    // provider2 never commits; 3 of 4 reveals reach the quorum; 101 holds 5M of the 6M revealed
    const c = await votedThenClosed([
      [validator1, 100n],
      [validator2, 101n],
      [validator3, 101n],
    ]);
    const { settlement } = await planFinalizeValidation(c.reader, { bidId: 1n });
    expect(settlement).toMatchObject({
      kind: "finalized",
      finalScore: SCORE_UNAVAILABLE,
      outcome: "BIDDER_DEFAULT",
      providerPayment: FULL_REST_PAYMENT,
      bidderRefund: 0n,
      slashed: 0n,
      validatorFees: 30_000n,
      protocolFee: 5_000n,
      queueRefunds: 0n,
    });
    const call = await c.finalizeValidation({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(FULL_REST_PAYMENT)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(7));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: provider, amount: FULL_REST_PAYMENT }]);
    expectResultOf(settlement);
    const r = simnetReader(simnet, contractId);
    // validator1's 100 is an outlier against 101 (10,000 to the pool); provider2's silence (10,000) to the treasury
    expect(r.getJobResult(1)).toMatchObject({ penalties: 20_000n, rewardPool: 40_000n, rewardWeight: 5_000_000n });
    expect(r.getBidderHistory(bidder)).toEqual({ jobs: 0n, scoreSum: 0n, defaults: 1n, meanScore: 0n });
    expect(r.getDataset(1)).toMatchObject({ validations: 0n, scoreSum: 0n, stake: 1_000_000n });
  });

  it("a bidder default (u7): nobody could vote, the provider is paid the rest less the fees, the seats freed", async () => {
    await verifiedJob([
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
    ]);
    await deliverJob();
    const c = market();
    const r = simnetReader(simnet, contractId);
    const deliveredAt = r.getJobDelivery(1)!.deliveredAt;
    const deadline = r.getBid(1)!.deadline;
    for (const at of [deliveredAt + 145n, deadline + 144n]) {
      mineUntil(at);
      expect(timelineOf().stage).toBe("running");
      expect(simnet.callPublicFn(contractId, "finalize-validation", [Cl.uint(1)], outsider).result).toBeErr(Cl.uint(ERR.NOT_READY_TO_FINALIZE));
    }
    mineUntil(deadline + 145n);
    expect(timelineOf().stage).toBe("defaulted");
    const { settlement } = await planFinalizeValidation(c.reader, { bidId: 1n });
    expect(settlement).toEqual({
      kind: "finalized",
      bidId: 1n,
      datasetId: 1n,
      provider,
      bidder,
      finalScore: SCORE_UNAVAILABLE,
      outcome: "BIDDER_DEFAULT",
      providerPayment: FULL_REST_PAYMENT,
      bidderRefund: 0n,
      slashed: 0n,
      validatorFees: 0n,
      protocolFee: 5_000n,
      queueRefunds: 0n,
      queue: { matched: [], refunded: [] },
    });
    const call = await c.finalizeValidation({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(FULL_REST_PAYMENT)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(7));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: provider, amount: FULL_REST_PAYMENT }]);
    expectResultOf(settlement);
    expect([validator1, validator2].map((v) => r.getValidator(v))).toMatchObject([
      { stake: 1_000_000n, openSeats: 0n },
      { stake: 2_000_000n, openSeats: 0n },
    ]);
    expect(r.getBidderHistory(bidder)).toMatchObject({ defaults: 1n, jobs: 0n });
  });

  it("a missed delivery (u6): refund, the slash capped at the compute fee, the freed slot walks the queue", async () => {
    // 10% of a 10,000,000 stake is 1,000,000: capped at the compute fee, 100,000 (the old cap, the bid's amount, was 600,000)
    await verifiedJobWithQueue(10_000_000n);
    const c = market();
    const r = simnetReader(simnet, contractId);
    const deadline = r.getBid(1)!.deadline;
    mineUntil(deadline);
    expect(simnet.callPublicFn(contractId, "finalize-validation", [Cl.uint(1)], outsider).result).toBeErr(Cl.uint(ERR.NOT_READY_TO_FINALIZE));
    mineUntil(deadline + 1n);
    const { settlement } = await planFinalizeValidation(c.reader, { bidId: 1n });
    expect(settlement).toEqual({
      kind: "refunded",
      bidId: 1n,
      datasetId: 1n,
      provider,
      bidder,
      finalScore: null,
      outcome: "NOT_DELIVERED",
      providerPayment: 0n,
      bidderRefund: AMOUNT,
      slashed: FEE,
      validatorFees: 0n,
      protocolFee: 0n,
      queueRefunds: 300_000n,
      queue: { matched: [3n], refunded: [{ bidId: 2n, bidder: bidder2, amount: 300_000n }] },
    });
    const call = await c.finalizeValidation({ bidId: 1n });
    expect(call.postConditions).toEqual([contractSends(AMOUNT + 300_000n)]);
    const run = exec(call, outsider);
    expect(run.result).toBeOk(Cl.uint(6));
    expect(run.transfers).toEqual([
      { sender: contractId, recipient: bidder, amount: AMOUNT },
      { sender: contractId, recipient: bidder2, amount: 300_000n },
    ]);
    expect(printEvents(run)).toContainEqual({
      event: "delivery-missed",
      "bid-id": 1n,
      "dataset-id": 1n,
      provider,
      bidder,
      refund: AMOUNT,
      "slashed-amount": settlement.slashed,
    });
    expect(r.getJobResult(1)).toBeNull();
    expect(r.getDataset(1)).toMatchObject({ stake: 10_000_000n - FEE, nonDeliveries: 1n, activeJobs: 1n });
    expect(r.getMarketTotals()).toMatchObject({ treasury: FEE, escrowedBids: 400_000n });
  });
});

describe("submit-validation-result (verified jobs)", () => {
  it("a slashing score: the slash is capped at the bid's amount; the fees are the kept share plus the rest's, out of the slash", async () => {
    await verifiedJob([[validator1, 1_000_000n]], 2_000_000n);
    await deliverJob();
    await revealEvaluation();
    const c = market();
    const { settlement } = await planSubmitValidationResult(c.reader, { caller: validator1, bidId: 1n, score: 20n });
    expect(settlement).toMatchObject({
      kind: "finalized",
      finalScore: 20n,
      outcome: "SLASHED",
      providerPayment: 0n,
      bidderRefund: 500_000n,
      slashed: AMOUNT,
      validatorFees: 30_000n,
      protocolFee: 0n,
    });
    // a plain job would slash half the stake
    expect(settlementPayouts(AMOUNT, 20n, 2_000_000n, DEFAULTS).slashed).toBe(1_000_000n);
    const call = await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 20n });
    const exact = c.calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: 20n, settlement });
    expect(exact.postConditions).toEqual([contractSends(500_000n)]);
    // the ceiling: the delivered job's escrow, 505,000
    const run = execCeiling(call, validator1, AMOUNT - FEE + 5_000n, exact);
    expect(run.result).toBeOk(Cl.bool(true));
    expect(run.transfers).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expectResultOf(settlement);
    const r = simnetReader(simnet, contractId);
    expect(r.getDataset(1)).toMatchObject({ stake: 2_000_000n - AMOUNT, validations: 1n, scoreSum: 20n });
    expect(r.getBidderHistory(bidder)).toEqual({ jobs: 1n, scoreSum: 20n, defaults: 0n, meanScore: 20n });
  });

  it("the reserved vote 101 of a one-seat committee: a bidder default whose fees go to the coherent seat", async () => {
    await verifiedJob();
    await deliverJob();
    await revealEvaluation();
    const c = market();
    const { settlement } = await planSubmitValidationResult(c.reader, { caller: validator1, bidId: 1n, score: SCORE_UNAVAILABLE });
    expect(settlement).toMatchObject({ finalScore: 101n, outcome: "BIDDER_DEFAULT", providerPayment: FULL_REST_PAYMENT, bidderRefund: 0n, validatorFees: 30_000n });
    const call = await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: SCORE_UNAVAILABLE });
    const exact = c.calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: SCORE_UNAVAILABLE, settlement });
    expect(exact.postConditions).toEqual([contractSends(FULL_REST_PAYMENT)]);
    execCeiling(call, validator1, AMOUNT - FEE + 5_000n, exact);
    expectResultOf(settlement);
    await claimAll([[validator1, 30_000n]]);
  });
});

describe("claim-validation-reward (verified jobs)", () => {
  it("after a scored job: the coherent seats share the fees (the compute fee's share included); a silent seat gets nothing", async () => {
    await verifiedJob([
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
      [validator3, 3_000_000n],
    ]);
    await deliverJob();
    await revealEvaluation();
    const c = await votedThenClosed(
      [
        [validator1, 60n],
        [validator2, 55n],
        [validator3, 90n],
      ],
      [validator3],
    );
    exec(await c.finalizeValidation({ bidId: 1n }), outsider);
    // pool 17,500 over 3M: 17,500 / 3 = 5,833; the last coherent claimant takes the rest
    await claimAll([
      [validator1, 5_833n],
      [validator2, 11_667n],
      [validator3, 0n],
    ]);
    expect(simnetReader(simnet, contractId).getMarketTotals()).toMatchObject({ unclaimedRewards: 0n });
  });

  it("after a median of 101: only the 101 votes are coherent, a 100 is an outlier", async () => {
    await verifiedJob([
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
      [validator3, 3_000_000n],
    ]);
    await deliverJob();
    await revealEvaluation();
    const c = market();
    const votes: [string, bigint][] = [
      [validator1, 100n],
      [validator2, 101n],
      [validator3, 101n],
    ];
    for (const [who, score] of votes) {
      exec(await c.commitValidationResult({ bidId: 1n, commitment: computeCommitment(score, saltFor(who, 1n), 1n, who) }), who);
    }
    // every seat committed: the reveals open at once, the last one finalizes
    for (const [who, score] of votes) {
      const { settlement } = await planRevealValidationResult(c.reader, { caller: who, bidId: 1n, score });
      const call = await c.revealValidationResult({ caller: who, bidId: 1n, score, salt: saltFor(who, 1n) });
      const exact = c.calls.revealValidationResult({ bidId: 1n, score, salt: saltFor(who, 1n), settlement });
      expect(exact.postConditions).toEqual(settlement ? [contractSends(settlement.providerPayment + settlement.bidderRefund)] : []);
      execCeiling(call, who, AMOUNT - FEE + 5_000n, exact);
      if (settlement) {
        expect(settlement).toMatchObject({ finalScore: 101n, outcome: "BIDDER_DEFAULT", providerPayment: FULL_REST_PAYMENT, validatorFees: 30_000n });
        expectResultOf(settlement);
      }
    }
    // pool: fees 30,000 + validator1's outlier penalty 10,000, over 5M
    expect(simnetReader(simnet, contractId).getJobResult(1)).toMatchObject({ rewardPool: 40_000n, rewardWeight: 5_000_000n });
    expect(coherentScore(100n, SCORE_UNAVAILABLE, DEFAULTS.consensusTolerance)).toBe(false);
    await claimAll([
      [validator1, 0n],
      [validator2, 16_000n],
      [validator3, 24_000n],
    ]);
  });
});

// ---------------------------------------------------------------------------
// Verified jobs under the audit's rules (notes/fix12-rules.md): each planner against the contract
// ---------------------------------------------------------------------------

/** The message of the RangeError `fn` throws (fails if it throws nothing or another error). */
function rangeErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RangeError);
    return (e as Error).message;
  }
  throw new Error("expected a RangeError, nothing was thrown");
}

/** `place-training-bid` straight to the simnet (no builder): what the contract answers. */
function rawTrainingBid(args: { datasetId?: bigint; amount?: bigint; duration?: bigint; deadline?: bigint; spec?: Uint8Array; evalCommitment?: Uint8Array }) {
  const duration = args.duration ?? 100n;
  return simnet.callPublicFn(
    contractId,
    "place-training-bid",
    [
      Cl.uint(args.datasetId ?? 1n),
      Cl.uint(args.amount ?? AMOUNT),
      Cl.uint(duration),
      Cl.uint(args.deadline ?? h() + duration + 50n),
      Cl.buffer(args.spec ?? SPEC),
      Cl.buffer(args.evalCommitment ?? EVAL_COMMITMENT),
    ],
    bidder,
  ).result;
}

/** The bid-placed event of a training bid carries the compute fee the bid records. */
function expectPlacedFee(run: ReturnType<typeof exec>, bidId: bigint, fee: bigint) {
  expect(printEvents(run)[0]).toMatchObject({ event: "bid-placed", "bid-id": bidId, "compute-fee": fee });
  expect(simnetReader(simnet, contractId).getBid(bidId)).toMatchObject({ verified: true, computeFee: fee });
}

/** Delivers `bidId` through the client: the planned payment is `deliveryPayment(fee)`, exact on chain. */
async function deliverPlanned(bidId: bigint, fee: bigint) {
  const c = market();
  const payment = deliveryPayment(fee, DEFAULTS);
  expect(await planDeliverModel(c.reader, { bidId })).toEqual({ payment });
  const call = await c.deliverModel({ bidId, model: MODEL });
  expect(call.postConditions).toEqual(payment > 0n ? [contractSends(payment)] : []);
  const run = exec(call, provider);
  expect(run.result).toBeOk(Cl.uint(payment));
  expect(run.transfers).toEqual(payment > 0n ? [{ sender: contractId, recipient: provider, amount: payment }] : []);
  return payment;
}

describe("set-dataset-terms: a price raise binds verified bids' compute fees 6 blocks later", () => {
  it("a training bid inside the notice records the old fee and deliverModel's plan pays by it; one after the notice the new fee", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await verifiedDataset(1_000_000n, 3n);
    const c = market();
    const raisedAt = h();
    const raise = await c.setDatasetTerms({ datasetId: 1n, pricePerBlock: 3n * PRICE, maxConcurrentJobs: 3n });
    expect(raise.postConditions).toEqual([]);
    exec(raise, provider);
    const r = simnetReader(simnet, contractId);
    expect(r.getDataset(1)).toMatchObject({ pricePerBlock: 3n * PRICE });
    // the ask is the new price at once: 200,000 for 100 blocks is below 300,000
    expect(rawTrainingBid({ amount: 200_000n })).toBeErr(Cl.uint(ERR.BID_BELOW_ASK));

    // get-compute-fee tells a bidder the fee before it bids: the old price's during the notice
    expect(r.getComputeFee(1, 100)).toBe(FEE);
    expect(r.getComputeFee(9, 100)).toBeNull();
    expect(r.getComputeFee(1, DEFAULTS.maxComputationDuration)).toBe(PRICE * DEFAULTS.maxComputationDuration);
    expect(r.getComputeFee(1, DEFAULTS.maxComputationDuration + 1n)).toBeNull();
    expect(r.getComputeFee(1, 2n ** 128n - 1n)).toBeNull();

    // the last block of the notice: the fee is still the old price's
    mineUntil(raisedAt + 6n);
    expect(r.getComputeFee(1, 100)).toBe(FEE);
    const inside = await c.placeTrainingBid({ caller: bidder, datasetId: 1n, amount: AMOUNT, duration: 100n, deadline: h() + 150n, spec: SPEC, evalCommitment: EVAL_COMMITMENT });
    expect(inside.postConditions).toEqual([callerSends(bidder, AMOUNT)]);
    const first = exec(inside, bidder);
    expect(first.result).toBeOk(Cl.uint(1));
    expect(r.getBid(1)).toMatchObject({ placedAt: raisedAt + 6n, status: "MATCHED" });
    expectPlacedFee(first, 1n, FEE);

    // one block later the raise binds
    mineUntil(raisedAt + 7n);
    expect(r.getComputeFee(1, 100)).toBe(3n * FEE);
    expect(await placeTraining()).toBe(2n);
    expect(r.getBid(2)).toMatchObject({ placedAt: raisedAt + 7n, computeFee: 3n * FEE });

    // each delivery pays by its bid's fee: 94,000 and 300,000 - 15,000 - 3,000
    expect(await deliverPlanned(1n, FEE)).toBe(DELIVERY_PAYMENT);
    expect(await deliverPlanned(2n, 3n * FEE)).toBe(282_000n);
    // what each job still holds in escrow follows its recorded fee: 505,000 + 315,000
    expect(jobEscrow(r.getBid(1)!, true, DEFAULTS)).toBe(505_000n);
    expect(jobEscrow(r.getBid(2)!, true, DEFAULTS)).toBe(315_000n);
    expect(r.getMarketTotals().escrowedBids).toBe(820_000n);
  });

  it("a second raise inside the notice keeps the price before the first until its own notice ends; a cut applies at once", async () => {
    await verifiedDataset(1_000_000n, 5n);
    const c = market();
    const terms = async (price: bigint) => exec(await c.setDatasetTerms({ datasetId: 1n, pricePerBlock: price, maxConcurrentJobs: 5n }), provider);
    const first = h();
    await terms(2n * PRICE);
    mineUntil(first + 3n);
    await terms(4n * PRICE); // previous price: min(2,000, 1,000) = 1,000, noticed from first + 3
    const r = simnetReader(simnet, contractId);
    mineUntil(first + 9n);
    expect(await placeTraining()).toBe(1n);
    expect(r.getBid(1)).toMatchObject({ placedAt: first + 9n, computeFee: FEE });
    mineUntil(first + 10n);
    expect(await placeTraining()).toBe(2n);
    expect(r.getBid(2)).toMatchObject({ placedAt: first + 10n, computeFee: 4n * FEE });
    // a cut is never noticed: the lower price binds at once
    mineUntil(first + 12n);
    await terms(PRICE / 2n);
    expect(await placeTraining()).toBe(3n);
    expect(r.getBid(3)).toMatchObject({ placedAt: first + 12n, computeFee: FEE / 2n });
    // raised again from 500 (the cut is the price before it): during this notice the fee is 500's
    mineUntil(first + 14n);
    await terms(3n * PRICE);
    mineUntil(first + 20n);
    expect(await placeTraining()).toBe(4n);
    expect(r.getBid(4)).toMatchObject({ placedAt: first + 20n, computeFee: FEE / 2n });
    for (const [bidId, fee] of [
      [1n, FEE],
      [2n, 4n * FEE],
      [3n, FEE / 2n],
      [4n, FEE / 2n],
    ] as const) {
      await deliverPlanned(bidId, fee);
    }
    // a plain bid placed during a notice still has no compute fee
    expect(await placeBid(bidder2, 300_000n, 100n, h() + 150n)).toBe(5n);
    expect(r.getBid(5)).toMatchObject({ verified: false, computeFee: 0n });
  });
});

describe("digests (ERR_INVALID_DIGEST)", () => {
  it("the contract refuses a spec, commitment, model or evaluation digest that is not 32 bytes; the builders refuse it first with a RangeError", async () => {
    await verifiedJob();
    const calls = marketCalls(contractId);
    const short = SPEC.slice(0, 31);
    const long = new Uint8Array([...SPEC, 0]);
    // place-training-bid checks its digests before anything else, even the dataset
    expect(rawTrainingBid({ spec: short })).toBeErr(Cl.uint(ERR.INVALID_DIGEST));
    expect(rawTrainingBid({ evalCommitment: short })).toBeErr(Cl.uint(ERR.INVALID_DIGEST));
    expect(rawTrainingBid({ datasetId: 99n, spec: short })).toBeErr(Cl.uint(ERR.INVALID_DIGEST));
    expect(rawTrainingBid({ datasetId: 99n })).toBeErr(Cl.uint(ERR.DATASET_NOT_FOUND));
    const bid = { caller: bidder, datasetId: 1n, amount: AMOUNT, duration: 100n, deadline: h() + 150n, spec: SPEC, evalCommitment: EVAL_COMMITMENT };
    for (const [field, value, got] of [
      ["spec", short, 31],
      ["spec", long, 33],
      ["spec", "", 0],
      ["evalCommitment", hexOf(short), 31],
      ["evalCommitment", `0x${hexOf(long)}`, 33],
    ] as const) {
      expect(rangeErrorOf(() => calls.placeTrainingBid({ ...bid, [field]: value }))).toBe(`${field} must be 32 bytes, got ${got}`);
    }
    expect(rangeErrorOf(() => calls.placeTrainingBid({ ...bid, spec: "0xabc" }))).toBe('spec is not hex: "0xabc"');
    // the client refuses before reading the chain
    const unread = new MarketClient(contractId, new Proxy({} as MarketReader, { get: () => () => Promise.reject(new Error("read")) }));
    const refused = (pending: Promise<unknown>) =>
      pending.then(
        () => "no error",
        (e: unknown) => (e instanceof RangeError ? e.message : `not a RangeError: ${String(e)}`),
      );
    expect(await refused(unread.placeTrainingBid({ ...bid, spec: short }))).toBe("spec must be 32 bytes, got 31");
    expect(await refused(unread.deliverModel({ bidId: 1n, model: short }))).toBe("model must be 32 bytes, got 31");
    // with good digests the same client does read (and fails on this reader)
    expect(await refused(unread.deliverModel({ bidId: 1n, model: MODEL }))).toBe("not a RangeError: Error: read");

    // deliver-model: after its other checks, the model's length
    expect(simnet.callPublicFn(contractId, "deliver-model", [Cl.uint(1), Cl.buffer(short)], provider).result).toBeErr(Cl.uint(ERR.INVALID_DIGEST));
    expect(rangeErrorOf(() => calls.deliverModel({ bidId: 1n, model: short, payment: DELIVERY_PAYMENT }))).toBe("model must be 32 bytes, got 31");
    expect(() => calls.deliverModel({ bidId: 1n, model: "not hex", payment: DELIVERY_PAYMENT })).toThrow(RangeError);
    await deliverJob();

    // reveal-evaluation-set: the digest's length before the salt's
    expect(simnet.callPublicFn(contractId, "reveal-evaluation-set", [Cl.uint(1), Cl.buffer(short), Cl.buffer(EVAL_SALT)], bidder).result).toBeErr(
      Cl.uint(ERR.INVALID_DIGEST),
    );
    expect(simnet.callPublicFn(contractId, "reveal-evaluation-set", [Cl.uint(1), Cl.buffer(short), Cl.buffer(EVAL_SALT.slice(0, 16))], bidder).result).toBeErr(
      Cl.uint(ERR.INVALID_DIGEST),
    );
    expect(rangeErrorOf(() => calls.revealEvaluationSet({ bidId: 1n, evalDigest: short, salt: EVAL_SALT }))).toBe("evalDigest must be 32 bytes, got 31");
    expect(rangeErrorOf(() => calls.revealEvaluationSet({ bidId: 1n, evalDigest: EVAL_DIGEST, salt: long }))).toBe("salt must be 32 bytes, got 33");
    // a validator's salt and commitment too (ERR_INVALID_SALT on chain)
    expect(rangeErrorOf(() => calls.revealValidationResult({ bidId: 1n, score: 50n, salt: EVAL_SALT.slice(0, 16) }))).toBe("salt must be 32 bytes, got 16");
    expect(rangeErrorOf(() => calls.commitValidationResult({ bidId: 1n, commitment: "zz" }))).toBe('commitment is not hex: "zz"');
    await revealEvaluation();
    expect(simnetReader(simnet, contractId).getJobDelivery(1)).toMatchObject({ model: hexOf(MODEL), evalDigest: hexOf(EVAL_DIGEST) });
  });
});

describe("the verified slash (at least the compute fee, within the stake, at most the bid)", () => {
  /**
   * Dataset 1 (`stake`, asking `price`), the bidder's training bid of `amount` for `duration`
   * blocks delivered through the client, its set revealed, then scored 20 by a one-seat committee.
   */
  async function scoredTwenty(stake: bigint, price: bigint, duration: bigint, amount: bigint) {
    await registerValidators([validator1, 1_000_000n]);
    const c = market();
    exec(await c.registerDatasetWithTerms({ caller: provider, stake, metadataUri: "ipfs://verified", pricePerBlock: price, maxConcurrentJobs: 1n }), provider);
    expect(await placeTraining({ amount, duration })).toBe(1n);
    const fee = price * duration;
    expect(simnetReader(simnet, contractId).getBid(1)!.computeFee).toBe(fee);
    const delivered = await deliverPlanned(1n, fee);
    await revealEvaluation();
    const { settlement } = await planSubmitValidationResult(c.reader, { caller: validator1, bidId: 1n, score: 20n });
    const call = await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 20n });
    const exact = c.calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: 20n, settlement });
    expect(exact.postConditions).toEqual([contractSends(amount - fee)]);
    // the ceiling: the delivered job's escrow, the bid less the compute fee's part paid at delivery (all but its 5%)
    const run = execCeiling(call, validator1, amount - fee + fee / 20n, exact);
    expect(run.transfers).toEqual([{ sender: contractId, recipient: bidder, amount: amount - fee }]);
    expectResultOf(settlement);
    return { settlement, delivered };
  }

  it("a compute fee above stake * slash-rate: the slash takes back the whole fee", async () => {
    // 50% of 1,000,000 is 500,000; the compute fee 1,000 * 600 = 600,000 is what goes
    const { settlement, delivered } = await scoredTwenty(1_000_000n, PRICE, 600n, 800_000n);
    expect(settlement).toMatchObject({
      kind: "finalized",
      outcome: "SLASHED",
      providerPayment: 0n,
      bidderRefund: 200_000n,
      slashed: 600_000n,
      // the kept 30,000 + min(the rest's 10,000, the slash)
      validatorFees: 40_000n,
      protocolFee: 0n,
    });
    // the worthless delivery cost the provider more than it paid (564,000)
    expect(delivered).toBe(564_000n);
    expect(settlement.slashed).toBeGreaterThan(delivered);
    const r = simnetReader(simnet, contractId);
    expect(r.getDataset(1)).toMatchObject({ stake: 400_000n, validations: 1n });
    expect(r.getMarketTotals()).toMatchObject({ datasetStakes: 400_000n, escrowedBids: 0n, unclaimedRewards: 40_000n });
  });

  it("a compute fee above the whole stake: the slash takes the whole stake, no more", async () => {
    // fee 2,000 * 600 = 1,200,000 against a 1,000,000 stake
    const { settlement } = await scoredTwenty(1_000_000n, 2n * PRICE, 600n, 1_500_000n);
    expect(settlement).toMatchObject({ outcome: "SLASHED", bidderRefund: 300_000n, slashed: 1_000_000n, validatorFees: 75_000n });
    expect(simnetReader(simnet, contractId).getDataset(1)).toMatchObject({ stake: 0n });
    expect(simnetReader(simnet, contractId).getMarketTotals()).toMatchObject({ datasetStakes: 0n });
  });
});

describe("the missed-delivery slash (at most the compute fee)", () => {
  it("a large bid with a small compute fee: the slash is the fee, not 10% of the stake; a dataset asking nothing is not slashed", async () => {
    await verifiedDataset(1_000_000n);
    await registerDataset(1_000_000n, provider2);
    // 5,000,000 for 10 blocks at 1,000: the compute fee is 10,000; on dataset 2 (asking nothing) 0
    expect(await placeTraining({ amount: 5_000_000n, duration: 10n })).toBe(1n);
    const onFree = await market().placeTrainingBid({ caller: bidder, datasetId: 2n, amount: 5_000_000n, duration: 10n, deadline: h() + 60n, spec: SPEC, evalCommitment: EVAL_COMMITMENT });
    expect(exec(onFree, bidder).result).toBeOk(Cl.uint(2));
    const r = simnetReader(simnet, contractId);
    expect([r.getBid(1)!.computeFee, r.getBid(2)!.computeFee]).toEqual([10_000n, 0n]);
    mineUntil(r.getBid(2)!.deadline + 1n);
    expect([timelineOf(1n).stage, timelineOf(2n).stage]).toEqual(["missed", "missed"]);
    const c = market();

    const { settlement } = await planFinalizeValidation(c.reader, { bidId: 1n });
    expect(settlement).toMatchObject({ kind: "refunded", outcome: "NOT_DELIVERED", bidderRefund: 5_000_000n, slashed: 10_000n, providerPayment: 0n });
    const expire = await c.expireBid({ bidId: 1n });
    expect(expire.postConditions).toEqual([contractSends(5_000_000n)]);
    const run = exec(expire, outsider);
    expect(printEvents(run)).toContainEqual(expect.objectContaining({ event: "delivery-missed", "bid-id": 1n, refund: 5_000_000n, "slashed-amount": 10_000n }));
    expect(r.getDataset(1)).toMatchObject({ stake: 990_000n, nonDeliveries: 1n });

    const free = await planFinalizeValidation(c.reader, { bidId: 2n });
    expect(free.settlement).toMatchObject({ outcome: "NOT_DELIVERED", bidderRefund: 5_000_000n, slashed: 0n });
    const finalize = await c.finalizeValidation({ bidId: 2n });
    expect(finalize.postConditions).toEqual([contractSends(5_000_000n)]);
    const missed = exec(finalize, outsider);
    expect(missed.result).toBeOk(Cl.uint(6));
    expect(printEvents(missed)).toContainEqual(expect.objectContaining({ event: "delivery-missed", "bid-id": 2n, "slashed-amount": 0n }));
    expect(r.getDataset(2)).toMatchObject({ stake: 1_000_000n, nonDeliveries: 1n });
    expect(r.getMarketTotals()).toMatchObject({ treasury: 10_000n, escrowedBids: 0n, datasetStakes: 1_990_000n });
  });
});

describe("job timeline boundaries (jobTimeline against get-validation-windows and expire-bid)", () => {
  it("a job whose decline window outlasts its deadline: declinable, not missed, until the window closes; then missed", async () => {
    await verifiedDataset(1_000_000n, 2n);
    const c = market();
    const r = simnetReader(simnet, contractId);
    // two 2-block jobs: the deadline comes 4 blocks before the decline window closes
    const m = h();
    expect(await placeTraining({ amount: 100_000n, duration: 2n, deadline: m + 2n })).toBe(1n);
    expect(await placeTraining({ amount: 100_000n, duration: 2n, deadline: m + 2n })).toBe(2n);
    for (const id of [1, 2]) expect(r.getBid(id)).toMatchObject({ status: "MATCHED", matchedAt: m, deadline: m + 2n, computeFee: 2_000n });

    // past the deadline: no more delivery, but not missed either
    mineUntil(m + 3n);
    expect(windowsAgree(1n)).toMatchObject({ delivered: false, stage: "running" });
    expect(simnet.callPublicFn(contractId, "deliver-model", [Cl.uint(1), Cl.buffer(MODEL)], provider).result).toBeErr(Cl.uint(ERR.DELIVERY_CLOSED));
    expect(simnet.callPublicFn(contractId, "finalize-validation", [Cl.uint(1)], outsider).result).toBeErr(Cl.uint(ERR.NOT_READY_TO_FINALIZE));
    expect(simnet.callPublicFn(contractId, "expire-bid", [Cl.uint(1)], outsider).result).toBeErr(Cl.uint(ERR.BID_NOT_EXPIRED));

    // the last block of the decline window: job 2 is still the provider's to decline (refunded in full, no slash)
    mineUntil(m + 6n);
    expect(timelineOf(2n).stage).toBe("running");
    expect(await planDeclineJob(c.reader, { bidId: 2n })).toEqual({ refund: 100_000n, queueRefunds: 0n, queue: { matched: [], refunded: [] } });
    const decline = await c.declineJob({ bidId: 2n });
    expect(decline.postConditions).toEqual([contractSends(100_000n)]);
    expect(exec(decline, provider).result).toBeOk(Cl.uint(100_000n));
    expect(r.getBid(2)!.status).toBe("CANCELLED");
    // ... and job 1 is not missed yet
    expect(windowsAgree(1n).stage).toBe("running");
    expect(simnet.callPublicFn(contractId, "expire-bid", [Cl.uint(1)], outsider).result).toBeErr(Cl.uint(ERR.BID_NOT_EXPIRED));
    expect(simnet.callPublicFn(contractId, "finalize-validation", [Cl.uint(1)], outsider).result).toBeErr(Cl.uint(ERR.NOT_READY_TO_FINALIZE));

    // then missed: the slash is the 2,000 compute fee
    mineUntil(m + 7n);
    expect(windowsAgree(1n).stage).toBe("missed");
    expect(simnet.callPublicFn(contractId, "decline-job", [Cl.uint(1)], provider).result).toBeErr(Cl.uint(ERR.DECLINE_CLOSED));
    const at = h();
    const { settlement } = await planFinalizeValidation(c.reader, { bidId: 1n }, { burnHeight: at });
    expect(settlement).toMatchObject({ outcome: "NOT_DELIVERED", bidderRefund: 100_000n, slashed: 2_000n });
    expect(await planExpireBid(c.reader, { bidId: 1n })).toEqual({ refund: 100_000n, providerPayment: 0n, queueRefunds: 0n, queue: { matched: [], refunded: [] } });
    const run = exec(await c.expireBid({ bidId: 1n }), outsider);
    expect(run.result).toBeOk(Cl.uint(100_000n));
    expect(printEvents(run)).toContainEqual(expect.objectContaining({ event: "delivery-missed", "bid-id": 1n, "slashed-amount": 2_000n }));
    expect(r.getDataset(1)).toMatchObject({ stake: 998_000n, nonDeliveries: 1n, activeJobs: 0n });
  });

  it("an early delivery does not shorten the bidder's reveal: the set is accepted until deadline + eval-reveal-window", async () => {
    await verifiedJob();
    await deliverJob();
    const r = simnetReader(simnet, contractId);
    const deliveredAt = r.getJobDelivery(1)!.deliveredAt;
    const deadline = r.getBid(1)!.deadline;
    // well past the old window (delivery + 144): running, and no ending is due
    mineUntil(deliveredAt + 145n);
    expect(windowsAgree()).toEqual({ open: false, delivered: true, commitClosesAt: deadline + 288n, revealClosesAt: deadline + 432n, stage: "running" });
    expect(simnet.callPublicFn(contractId, "expire-bid", [Cl.uint(1)], outsider).result).toBeErr(Cl.uint(ERR.BID_NOT_EXPIRED));
    // the last block of the window: the reveal opens the commit window
    mineUntil(deadline + 144n);
    expect(timelineOf().stage).toBe("running");
    const run = await revealEvaluation();
    expect(run.result).toBeOk(Cl.uint(deadline + 144n + 144n));
    expect(windowsAgree()).toEqual({ open: true, delivered: true, commitClosesAt: deadline + 288n, revealClosesAt: deadline + 432n, stage: "running" });
    // revealed, the job is judged, never defaulted
    mineUntil(deadline + 432n);
    expect(timelineOf().stage).toBe("running");
    expect(timelineOf(1n, deadline + 433n).stage).toBe("ended");
  });
});

// ---------------------------------------------------------------------------
// Verified jobs: readers and the planner's pure arithmetic
// ---------------------------------------------------------------------------

describe("readers (verified jobs)", () => {
  it("decode get-job-delivery, get-bidder-history, compute-eval-commitment, the new parameters and bid and dataset fields", async () => {
    const r = simnetReader(simnet, contractId);
    expect(r.getParameters()).toMatchObject({ evalRevealWindow: 144n, nonDeliverySlashBps: 1_000n, declineWindow: 6n, stakeLockBlocks: 4320n });
    expect(r.getParameterBounds("eval-reveal-window")).toEqual({ minValue: 1n, maxValue: 4320n });
    expect(r.getParameterBounds("non-delivery-slash-bps")).toEqual({ minValue: 0n, maxValue: 5000n });
    const order = ["max-bid-wait", "decline-window", "eval-reveal-window", "non-delivery-slash-bps", "stake-lock-blocks"] as const;
    const at = PARAMETER_NAMES.indexOf(order[0]);
    expect(PARAMETER_NAMES.slice(at, at + order.length)).toEqual([...order]);
    expect(PARAMETER_NAMES).toHaveLength(26);

    // the contract's commitment is the offline one: sha256(eval-digest ++ salt), bytes or hex alike
    const offline = hexOf(computeEvalCommitment(EVAL_DIGEST, EVAL_SALT));
    expect(offline).toBe(hexOf(EVAL_COMMITMENT));
    expect(r.computeEvalCommitment(EVAL_DIGEST, EVAL_SALT)).toBe(offline);
    expect(r.computeEvalCommitment(hexOf(EVAL_DIGEST), `0x${hexOf(EVAL_SALT)}`)).toBe(offline);
    const salt = randomSalt();
    expect(r.computeEvalCommitment(MODEL, salt)).toBe(hexOf(computeEvalCommitment(MODEL, salt)));
    expect(hexOf(computeEvalCommitment(hexOf(MODEL), hexOf(salt)))).toBe(hexOf(computeEvalCommitment(MODEL, salt)));
    expect(r.computeEvalCommitment(MODEL, salt)).not.toBe(offline);

    expect(r.getJobDelivery(1)).toBeNull();
    expect(r.getBidderHistory(bidder)).toEqual({ jobs: 0n, scoreSum: 0n, defaults: 0n, meanScore: 0n });

    // a plain bid and a training bid side by side
    await verifiedDataset(1_000_000n, 2n);
    expect(await placeBid(bidder2, 200_000n, 10n, h() + 10n)).toBe(1n);
    expect(await placeTraining()).toBe(2n);
    expect(r.getBid(1)).toMatchObject({ verified: false, computeFee: 0n });
    expect(r.getBid(2)).toMatchObject({ verified: true, computeFee: FEE, bidder });
    expect(r.getJobDelivery(1)).toBeNull();
    expect(r.getJobDelivery(2)).toEqual({ spec: hexOf(SPEC), evalCommitment: hexOf(EVAL_COMMITMENT), model: null, deliveredAt: 0n, evalDigest: null, evalRevealedAt: 0n });
    expect(r.getDataset(1)).toMatchObject({ nonDeliveries: 0n, activeJobs: 2n, pricePerBlock: PRICE });
    // a plain job's timeline ignores deliveries
    expect(timelineOf(1n)).toMatchObject({ open: true, delivered: false, stage: "running" });

    // the async and HTTP readers decode the same
    const a = fromSimnet(simnet, contractId);
    expect(await a.getJobDelivery(2)).toEqual(r.getJobDelivery(2));
    expect(await a.getBidderHistory(bidder)).toEqual(r.getBidderHistory(bidder));
    const network: StacksNetwork = { ...STACKS_TESTNET, client: { baseUrl: "http://simnet.test", fetch: simnetNode([]) } };
    const http = nodeReader({ contract: contractId, network });
    expect(await http.getJobDelivery(2)).toEqual(r.getJobDelivery(2));
    expect(await http.getBid(2)).toEqual(r.getBid(2));
    expect(await http.computeEvalCommitment(EVAL_DIGEST, EVAL_SALT)).toBe(offline);
    expect(await http.getParameters()).toEqual(r.getParameters());
  });

  it("get-bidder-history keeps the scored jobs' mean and the defaults apart", async () => {
    // job 1 scored 85 by a one-seat committee, job 2 scored 20 (both on dataset 1, capacity 2, stake 4M)
    await registerValidators([validator1, 1_000_000n]);
    await verifiedDataset(4_000_000n, 2n);
    expect(await placeTraining()).toBe(1n);
    expect(await placeTraining()).toBe(2n);
    const c = market();
    for (const [bidId, score] of [
      [1n, 85n],
      [2n, 20n],
    ] as const) {
      await deliverJob(bidId);
      await revealEvaluation(bidId);
      const { settlement } = await planSubmitValidationResult(c.reader, { caller: validator1, bidId, score });
      const exact = c.calls.submitValidationResult({ datasetId: 1n, bidId, score, settlement });
      execCeiling(await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId, score }), validator1, AMOUNT - FEE + 5_000n, exact);
    }
    expect(simnetReader(simnet, contractId).getBidderHistory(bidder)).toEqual({ jobs: 2n, scoreSum: 105n, defaults: 0n, meanScore: 52n });
  });
});

describe("planner: verified-job arithmetic", () => {
  const windows = { validationWindow: 144n, revealWindow: 144n, evalRevealWindow: 144n, declineWindow: 6n };
  const delivery = (d: Partial<JobDelivery> = {}): JobDelivery => ({
    spec: hexOf(SPEC),
    evalCommitment: hexOf(EVAL_COMMITMENT),
    model: null,
    deliveredAt: 0n,
    evalDigest: null,
    evalRevealedAt: 0n,
    ...d,
  });

  it("jobTimeline: a plain job votes from its match until deadline + validation-window, then reveals; then it has ended", () => {
    const plain = { verified: false, deadline: 1_000n, matchedAt: 900n };
    const t = (at: bigint) => jobTimeline(plain, null, windows, at);
    expect(t(500n)).toEqual({ open: true, delivered: false, commitClosesAt: 1_144n, revealClosesAt: 1_288n, stage: "running" });
    expect(t(1_288n).stage).toBe("running");
    expect(t(1_289n).stage).toBe("ended");
    // a delivery record on a plain job is ignored, as the contract reads none
    expect(jobTimeline(plain, delivery({ model: hexOf(MODEL), deliveredAt: 900n }), windows, 1_289n)).toEqual(t(1_289n));
    // nor is its decline window: a plain job matched just before its deadline is not "missed"
    expect(jobTimeline({ ...plain, matchedAt: 999n }, null, windows, 1_010n).stage).toBe("running");
  });

  it("jobTimeline: a verified job is missed past its deadline undelivered, defaulted past deadline + eval-reveal-window unrevealed", () => {
    const verified = { verified: true, deadline: 1_000n, matchedAt: 850n };
    // not delivered: the latest windows; missed one block past the deadline (the decline window closed at 856)
    const waiting = (at: bigint) => jobTimeline(verified, delivery(), windows, at);
    expect(waiting(1_000n)).toEqual({ open: false, delivered: false, commitClosesAt: 1_288n, revealClosesAt: 1_432n, stage: "running" });
    expect(waiting(1_001n).stage).toBe("missed");
    // delivered at 990, not revealed: running until the deadline + 144, then defaulted
    const delivered = (at: bigint) => jobTimeline(verified, delivery({ model: hexOf(MODEL), deliveredAt: 990n }), windows, at);
    expect(delivered(1_144n)).toEqual({ open: false, delivered: true, commitClosesAt: 1_288n, revealClosesAt: 1_432n, stage: "running" });
    expect(delivered(1_145n).stage).toBe("defaulted");
    // an early delivery does not shorten the bidder's window: delivered at 860, still running at 860 + 145
    const early = (at: bigint) => jobTimeline(verified, delivery({ model: hexOf(MODEL), deliveredAt: 860n }), windows, at);
    expect(early(1_005n).stage).toBe("running");
    expect(early(1_144n).stage).toBe("running");
    expect(early(1_145n).stage).toBe("defaulted");
    // revealed at 1_050: votes until 1_194, reveals until 1_338, then ended
    const revealed = (at: bigint) =>
      jobTimeline(verified, delivery({ model: hexOf(MODEL), deliveredAt: 990n, evalDigest: hexOf(EVAL_DIGEST), evalRevealedAt: 1_050n }), windows, at);
    expect(revealed(1_338n)).toEqual({ open: true, delivered: true, commitClosesAt: 1_194n, revealClosesAt: 1_338n, stage: "running" });
    expect(revealed(1_339n).stage).toBe("ended");
  });

  it("jobTimeline: an undelivered verified job is missed only once its decline window has closed too", () => {
    // matched at 998 with a deadline of 1_000: the provider may decline until 1_004
    const late = (at: bigint, declineWindow = 6n) => jobTimeline({ verified: true, deadline: 1_000n, matchedAt: 998n }, delivery(), { ...windows, declineWindow }, at);
    expect(late(1_001n).stage).toBe("running");
    expect(late(1_004n).stage).toBe("running");
    expect(late(1_005n).stage).toBe("missed");
    // the windows are unchanged by it
    expect(late(1_005n)).toMatchObject({ commitClosesAt: 1_288n, revealClosesAt: 1_432n });
    // the decline window ending exactly at the deadline: missed one block past both
    expect(late(1_000n, 2n).stage).toBe("running");
    expect(late(1_001n, 2n).stage).toBe("missed");
    // a delivered job is no longer judged by the decline window
    expect(jobTimeline({ verified: true, deadline: 1_000n, matchedAt: 998n }, delivery({ model: hexOf(MODEL), deliveredAt: 999n }), windows, 1_005n).stage).toBe(
      "running",
    );
  });

  it("jobEscrow and deliveryPayment: the delivery pays the compute fee less both fees; the validators' share stays in escrow", () => {
    const fees = { validatorFeeBps: 500n, protocolFeeBps: 100n };
    expect(deliveryPayment(FEE, fees)).toBe(DELIVERY_PAYMENT);
    // each fee rounds down: 99,999 - 4,999 - 999
    expect(deliveryPayment(99_999n, fees)).toBe(94_001n);
    expect(deliveryPayment(0n, fees)).toBe(0n);
    expect(deliveryPayment(FEE, { validatorFeeBps: 0n, protocolFeeBps: 0n })).toBe(FEE);
    const bid = { amount: AMOUNT, computeFee: FEE };
    expect(jobEscrow(bid, false, fees)).toBe(AMOUNT);
    expect(jobEscrow(bid, true, fees)).toBe(505_000n);
    expect(jobEscrow({ amount: AMOUNT, computeFee: 99_999n }, true, fees)).toBe(AMOUNT - 99_999n + 4_999n);
    expect(jobEscrow({ amount: AMOUNT, computeFee: 0n }, true, fees)).toBe(AMOUNT);
  });

  it("coherentScore: within the tolerance, except that 101 is only coherent with 101", () => {
    expect(coherentScore(55n, 70n, 15n)).toBe(true);
    expect(coherentScore(85n, 70n, 15n)).toBe(true);
    expect(coherentScore(54n, 70n, 15n)).toBe(false);
    expect(coherentScore(70n, 70n, 0n)).toBe(true);
    expect(coherentScore(71n, 70n, 0n)).toBe(false);
    expect(coherentScore(SCORE_UNAVAILABLE, SCORE_UNAVAILABLE, 0n)).toBe(true);
    expect(coherentScore(100n, SCORE_UNAVAILABLE, 15n)).toBe(false);
    expect(coherentScore(SCORE_UNAVAILABLE, 100n, 15n)).toBe(false);
    expect(coherentScore(SCORE_UNAVAILABLE, 90n, 100n)).toBe(false);
  });

  it("weightedMedian: 101 is the median only when it holds half the weight", () => {
    const v = (score: bigint, weight: bigint) => ({ score, weight });
    expect(weightedMedian([v(100n, 1n), v(101n, 2n), v(101n, 3n)], 6n)).toBe(101n);
    expect(weightedMedian([v(80n, 3n), v(101n, 3n)], 6n)).toBe(80n);
    expect(weightedMedian([v(101n, 1n)], 1n)).toBe(101n);
  });

  it("settlementPayouts of a verified job: the rest follows the score, the kept share joins the fees, the slash is at least the compute fee (within the stake) and at most the bid", () => {
    const job = { verified: true, computeFee: FEE };
    const pay = (score: bigint, stake = 1_000_000n, extra: { coherent?: boolean } = {}) => settlementPayouts(AMOUNT, score, stake, DEFAULTS, { ...job, ...extra });
    // the figures the contract paid above (get-job-result)
    expect(pay(80n)).toEqual({ outcome: "REWARDED", payment: 500_000n, slashed: 0n, validatorFees: 30_000n, protocolFee: 5_000n, providerPayment: 470_000n, bidderRefund: 0n });
    expect(pay(55n)).toEqual({ outcome: "PARTIAL", payment: 250_000n, slashed: 0n, validatorFees: 17_500n, protocolFee: 2_500n, providerPayment: 235_000n, bidderRefund: 250_000n });
    expect(pay(20n, 2_000_000n)).toEqual({ outcome: "SLASHED", payment: 0n, slashed: AMOUNT, validatorFees: 30_000n, protocolFee: 0n, providerPayment: 0n, bidderRefund: 500_000n });
    expect(pay(SCORE_UNAVAILABLE, 50_000_000n)).toEqual({
      outcome: "BIDDER_DEFAULT",
      payment: 500_000n,
      slashed: 0n,
      validatorFees: 30_000n,
      protocolFee: 5_000n,
      providerPayment: FULL_REST_PAYMENT,
      bidderRefund: 0n,
    });
    // nobody voted (a bidder default at the end of its window): no fees for anyone
    expect(pay(SCORE_UNAVAILABLE, 1_000_000n, { coherent: false })).toMatchObject({ validatorFees: 0n, providerPayment: FULL_REST_PAYMENT });
    // a slash takes back at least the compute fee (100,000) as far as the stake goes:
    // 50% of 20,000 is 10,000, but the whole stake goes; the rest's fee share is capped by it (5,000 kept + min(25,000, 20,000))
    expect(pay(20n, 20_000n)).toMatchObject({ slashed: 20_000n, validatorFees: 25_000n });
    // 50% of 100,000 is 50,000 < the compute fee: the whole 100,000 stake
    expect(pay(20n, 100_000n)).toMatchObject({ slashed: 100_000n, validatorFees: 30_000n });
    // 50% of 150,000 is 75,000 < the compute fee, the stake covers it: the compute fee
    expect(pay(20n, 150_000n)).toMatchObject({ slashed: FEE, validatorFees: 30_000n });
    // 50% of 400,000 is 200,000, above the compute fee: the rate decides
    expect(pay(20n, 400_000n)).toMatchObject({ slashed: 200_000n, validatorFees: 30_000n });
    // a compute fee above the bid's amount cannot happen, but the amount still caps the slash
    expect(settlementPayouts(150_000n, 20n, 10_000_000n, DEFAULTS, { verified: true, computeFee: 100_000n }).slashed).toBe(150_000n);
    // a verified job asking nothing slashes by the rate alone, capped at the bid
    expect(settlementPayouts(AMOUNT, 20n, 400_000n, DEFAULTS, { verified: true, computeFee: 0n }).slashed).toBe(200_000n);
    // no slash at or above the slash threshold, nor on a default, whatever the compute fee
    expect(pay(40n, 20_000n).slashed).toBe(0n);
    expect(pay(SCORE_UNAVAILABLE, 20_000n).slashed).toBe(0n);
    // a plain job is unchanged: no compute fee, the slash is half the stake
    const plain = settlementPayouts(500_000n, 60n, 1_000_000n, DEFAULTS);
    expect(plain).toEqual({ outcome: "PARTIAL", payment: 333_333n, slashed: 0n, validatorFees: 16_666n, protocolFee: 3_333n, providerPayment: 313_334n, bidderRefund: 166_667n });
    expect(settlementPayouts(500_000n, 60n, 1_000_000n, DEFAULTS, { verified: false, computeFee: 0n })).toEqual(plain);
    expect(settlementPayouts(AMOUNT, 20n, 2_000_000n, DEFAULTS, { verified: false }).slashed).toBe(1_000_000n);
  });
});

// ---------------------------------------------------------------------------
// Governance and administration
// ---------------------------------------------------------------------------

describe("propose-parameter-change / vote-on-proposal / execute-proposal", () => {
  it("move no STX", async () => {
    await registerDataset();
    const c = market();
    const propose = await c.proposeParameterChange({ parameter: "validator-fee-bps", value: 600n });
    const vote = await c.voteOnProposal({ proposalId: 1n, support: true });
    const execute = await c.executeProposal({ proposalId: 1n });
    for (const call of [propose, vote, execute]) expect(call.postConditions).toEqual([]);
    expect(exec(propose, provider).result).toBeOk(Cl.uint(1));
    expect(exec(vote, provider).result).toBeOk(Cl.uint(1_000_000n));
    const r = simnetReader(simnet, contractId);
    mineUntil(r.getProposal(1)!.executableAt);
    const run = exec(execute, outsider);
    expect(run.result).toBeOk(Cl.uint(2));
    expect(run.transfers).toEqual([]);
    expect(r.getParameters()).toMatchObject({ version: 2n, validatorFeeBps: 600n });
  });
});

describe("set-paused", () => {
  it("moves no STX", async () => {
    const call = await market().setPaused({ paused: true });
    expect(call.postConditions).toEqual([]);
    exec(call, deployer);
    expect(simnetReader(simnet, contractId).isPaused()).toBe(true);
  });
});

describe("withdraw-treasury", () => {
  it("the contract sends exactly the amount to the recipient", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await registerDataset();
    await placeBid(bidder, 500_000n, 10n, h() + 10n);
    const submit = await market().submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 20n });
    expect(submit.postConditions).toEqual([contractSendsAtMost(500_000n)]);
    expect(exec(submit, validator1).transfers).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    // slash 500,000 minus the 25,000 validator fees
    expect(simnetReader(simnet, contractId).getMarketTotals().treasury).toBe(475_000n);
    const call = await market().withdrawTreasury({ amount: 475_000n, recipient: outsider });
    expect(call.postConditions).toEqual([contractSends(475_000n)]);
    expect(exec(call, deployer).transfers).toEqual([{ sender: contractId, recipient: outsider, amount: 475_000n }]);
  });
});

describe("sweep-surplus", () => {
  it("moves no STX: books a plain transfer to the contract into the treasury", async () => {
    simnet.transferSTX(12_345n, contractId, outsider);
    const r = simnetReader(simnet, contractId);
    expect(r.getMarketTotals()).toMatchObject({ treasury: 0n, surplus: 12_345n });
    const call = await market().sweepSurplus();
    expect(call).toMatchObject({ functionName: "sweep-surplus", functionArgs: [], postConditions: [] });
    const run = exec(call, deployer);
    expect(run.result).toBeOk(Cl.uint(12_345n));
    expect(run.transfers).toEqual([]);
    expect(printEvents(run)).toEqual([{ event: "surplus-swept", amount: 12_345n, owner: deployer }]);
    expect(r.getMarketTotals()).toMatchObject({ treasury: 12_345n, surplus: 0n });
    expect(r.getContractBalance()).toBe(12_345n);
    // the treasury leaves the usual way
    const withdraw = await market().withdrawTreasury({ amount: 12_345n, recipient: outsider });
    expect(exec(withdraw, deployer).transfers).toEqual([{ sender: contractId, recipient: outsider, amount: 12_345n }]);
  });
});

// ---------------------------------------------------------------------------
// The post-condition checker itself
// ---------------------------------------------------------------------------

describe("checkStxPostConditions", () => {
  it("catches a wrong expected amount and an uncovered payout", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await registerDataset();
    await placeBid(bidder, 500_000n, 10n, h() + 10n);
    const calls = marketCalls(contractId);
    const settlement = { providerPayment: 470_000n, bidderRefund: 0n, queueRefunds: 0n };
    const wrong = calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: 85n, settlement: { ...settlement, providerPayment: 470_001n } });
    const uncovered = calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: 85n, settlement: { ...settlement, providerPayment: 0n } });
    const right = calls.submitValidationResult({ datasetId: 1n, bidId: 1n, score: 85n, settlement });
    const res = simnet.callPublicFn(contractId, wrong.functionName, wrong.functionArgs, validator1);
    expect(res.result).toBeOk(Cl.bool(true));

    expect(checkStxPostConditions(wrong, res.events)).toMatchObject({
      ok: false,
      violations: [`${contractId} sent 470000 uSTX, post-condition requires eq 470001`],
    });
    expect(checkStxPostConditions(uncovered, res.events)).toMatchObject({
      ok: false,
      violations: [`${contractId} sent 470000 uSTX not covered by any post-condition (deny mode)`],
    });
    expect(checkStxPostConditions(right, res.events)).toMatchObject({ ok: true, violations: [] });
    // allow mode does not require coverage
    expect(checkStxPostConditions({ ...uncovered, postConditionMode: "allow" }, res.events).ok).toBe(true);
  });

  it("sums a principal's transfers and applies each comparator", () => {
    const transfers = [
      { sender: provider, recipient: bidder, amount: 10n },
      { sender: provider, recipient: null, amount: 5n },
    ];
    const check = (condition: "eq" | "gt" | "gte" | "lt" | "lte", amount: bigint) =>
      checkStxPostConditions({ postConditions: [{ type: "stx-postcondition", address: provider, condition, amount }] }, transfers).ok;
    expect([check("eq", 15n), check("eq", 10n)]).toEqual([true, false]);
    expect([check("gt", 14n), check("gt", 15n), check("gte", 15n), check("gte", 16n)]).toEqual([true, false, true, false]);
    expect([check("lt", 16n), check("lt", 15n), check("lte", 15n), check("lte", 14n)]).toEqual([true, false, true, false]);
    // a condition on a principal that sent nothing fails unless it allows 0
    expect(checkStxPostConditions({ postConditions: [Pc.principal(bidder).willSendEq(1n).ustx()] }, []).ok).toBe(false);
    expect(checkStxPostConditions({ postConditions: [Pc.principal(bidder).willSendEq(0n).ustx()] }, []).ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Signed transactions
// ---------------------------------------------------------------------------

describe("makeContractCall", () => {
  // a fixed throwaway key (compressed), never funded on any real network
  const senderKey = "b244296d5907de9864c0b0d51f98a13c52890be0404e83f273144cd5b9960eed01";

  it("signs a built call offline; serialized, deserialized and replayed it keeps its args and post-conditions", async () => {
    const sender = getAddressFromPrivateKey(senderKey, "testnet");
    await registerDataset();
    simnet.transferSTX(2_000_000n, sender, outsider);
    const call = await market().placeComputationBid({ caller: sender, datasetId: 1n, amount: 600_000n, duration: 20n, deadline: h() + 40n });
    expect(call.postConditions).toEqual([callerSends(sender, 600_000n)]);

    const tx = await makeContractCall({ ...call, senderKey, network: "testnet", fee: 3_000n, nonce: 7n });
    const hex = tx.serialize();
    const again = await makeContractCall({ ...call, senderKey, network: "testnet", fee: 3_000n, nonce: 7n });
    expect(again.serialize()).toBe(hex); // deterministic signing

    const back = deserializeTransaction(hex);
    expect(back.txid()).toBe(tx.txid());
    expect(back.chainId).toBe(STACKS_TESTNET.chainId);
    expect(back.postConditionMode).toBe(PostConditionMode.Deny);
    expect(back.auth.spendingCondition.fee).toBe(3_000n);
    expect(back.auth.spendingCondition.nonce).toBe(7n);
    back.verifyOrigin(); // throws on a bad signature
    const signer = addressToString({
      type: StacksWireType.Address,
      version: AddressVersion.TestnetSingleSig,
      hash160: back.auth.spendingCondition.signer,
    });
    expect(signer).toBe(sender);

    const payload = back.payload;
    if (payload.payloadType !== PayloadType.ContractCall) throw new Error("not a contract call");
    expect(addressToString(payload.contractAddress)).toBe(deployer);
    expect(payload.contractName.content).toBe("neural-training-market");
    expect(payload.functionName.content).toBe("place-computation-bid");
    expect(payload.functionArgs).toEqual(call.functionArgs);
    const postConditions = back.postConditions.values.map((pc) => wireToPostCondition(pc as Parameters<typeof wireToPostCondition>[0]));
    expect(postConditions).toEqual([{ type: "stx-postcondition", address: sender, condition: "eq", amount: "600000" }]);

    // replay the decoded transaction on the simnet: its post-conditions hold for what it moved
    const replayed = simnet.callPublicFn(
      `${addressToString(payload.contractAddress)}.${payload.contractName.content}`,
      payload.functionName.content,
      payload.functionArgs,
      signer,
    );
    expect(replayed.result).toBeOk(Cl.uint(1));
    expect(checkStxPostConditions({ postConditions, postConditionMode: "deny" }, replayed.events).violations).toEqual([]);
    exercised.add(payload.functionName.content);
  });

  it("the wallet request carries the same call", async () => {
    const call = marketCalls(contractId).withdrawTreasury({ amount: 5n, recipient: outsider });
    expect(toWalletRequest(call)).toEqual({
      contract: contractId,
      functionName: "withdraw-treasury",
      functionArgs: [Cl.uint(5n), Cl.principal(outsider)],
      postConditionMode: "deny",
      postConditions: [contractSends(5n)],
    });
  });
});

// ---------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------

describe("readers", () => {
  it("decode every view into plain objects", async () => {
    await jobWithQueue();
    const c = market();
    exec(await c.proposeParameterChange({ parameter: "committee-size", value: 3n }), provider);
    exec(await c.voteOnProposal({ proposalId: 1n, support: false }), validator1);
    const r = simnetReader(simnet, contractId);
    const start = 2n;

    expect(r.getDataset(1)).toEqual({
      provider,
      stake: 1_000_000n,
      metadataUri: "ipfs://dataset",
      pricePerBlock: 0n,
      maxConcurrentJobs: 1n,
      activeJobs: 1n,
      queuedJobs: 2n,
      queueHead: 2n,
      queueTail: 3n,
      matchedJobs: 1n,
      validations: 0n,
      passedValidations: 0n,
      scoreSum: 0n,
      nonDeliveries: 0n,
      lastSettledAt: 0n,
      registeredAt: start,
      active: true,
      qualityScore: 0n,
    });
    expect(r.getDataset(9)).toBeNull();
    expect(r.getBid(1)).toMatchObject({
      datasetId: 1n,
      bidder,
      amount: 500_000n,
      duration: 10n,
      deadline: start + 10n,
      status: "MATCHED",
      matchedAt: start,
      validatorsAtMatch: 1n,
      registrationsAtMatch: 1n,
      pausesAtMatch: 0n,
      parameterVersion: 1n,
    });
    expect(r.getBid(2)).toMatchObject({ status: "QUEUED", matchedAt: 0n, validatorsAtMatch: 0n, registrationsAtMatch: 0n, pausesAtMatch: 0n });
    expect(r.getValidator(validator1)).toEqual({
      stake: 1_000_000n,
      active: true,
      index: 0n,
      openSeats: 1n,
      exitRequestedAt: 0n,
      registeredAt: start,
      ordinal: 1n,
      registeredAfterProposal: 0n,
    });
    expect(r.getValidator(outsider)).toBeNull();
    expect(r.getValidatorAt(0)).toBe(validator1);
    expect(r.getValidatorAt(1)).toBeNull();
    expect(r.getVote(1, validator1)).toBeNull();
    expect(r.getCommittee(1)).toEqual({
      seats: [validator1],
      weights: [1_000_000n],
      totalWeight: 1_000_000n,
      commits: 0n,
      reveals: 0n,
      revealedWeight: 0n,
      revealed: [],
    });
    expect(r.getCommitteeSeed(2)).toBeNull(); // queued: never matched
    const seed = r.getCommitteeSeed(1);
    if (seed !== null) expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(r.computeCommitment(50n, new Uint8Array(32), 1n, validator1)).toMatch(/^[0-9a-f]{64}$/);
    expect(r.getValidationWindows(1)).toEqual({ commitClosesAt: start + 154n, revealClosesAt: start + 298n, committeeSize: 5n, minReveals: 1n });
    expect(r.getJobResult(1)).toBeNull();
    expect(r.getQueueLink(2)).toEqual({ prev: 0n, next: 3n });
    expect(r.getQueueLink(3)).toEqual({ prev: 2n, next: 0n });
    expect(r.getParameters()).toMatchObject({
      version: 1n,
      committeeSize: 5n,
      minRevealsBps: 5001n,
      proposalThreshold: 1_000_000n,
      maxBidWait: 4320n,
      declineWindow: 6n,
      protocolFeeBps: 100n,
    });
    expect(r.getParametersAt(1)).toEqual(r.getParameters());
    expect(r.getParametersAt(2)).toBeNull();
    expect(r.getProposal(1)).toEqual({
      proposer: provider,
      parameter: "committee-size",
      value: 3n,
      baseVersion: 1n,
      createdAt: start,
      votingEndsAt: start + 1008n,
      executableAt: start + 1008n + 145n,
      expiresAt: start + 1008n + 145n + 1008n,
      quorumBps: 2000n,
      totalStake: 2_000_000n,
      yesVotes: 0n,
      noVotes: 1_000_000n,
      executed: false,
    });
    expect(r.getVoteRecord(1, validator1)).toEqual({ support: false, weight: 1_000_000n });
    expect(r.getVoteRecord(1, provider)).toBeNull();
    expect(r.getVotingPower(provider)).toBe(1_000_000n);
    expect(r.getProposalVotingPower(1, validator1)).toBe(1_000_000n);
    expect(r.getProposalVotingPower(1, provider)).toBe(1_000_000n);
    expect(r.getProposalVotingPower(1, outsider)).toBe(0n);
    expect(r.getPause(1)).toBeNull();
    // a vote holds the voter's stakes until the proposal can be executed
    expect(r.getVoteLock(validator1)).toBe(start + 1008n + 145n);
    expect(r.getParameterBounds("committee-size")).toEqual({ minValue: 1n, maxValue: 10n });
    expect(r.getParameterBounds("no-such-thing")).toBeNull();
    expect(r.getMarketTotals()).toEqual({
      datasetStakes: 1_000_000n,
      validatorStakes: 1_000_000n,
      escrowedBids: 1_200_000n,
      unclaimedRewards: 0n,
      treasury: 0n,
      surplus: 0n,
    });
    expect(r.getContractBalance()).toBe(3_200_000n);
    expect(r.getActiveValidatorCount()).toBe(1n);
    expect(r.getLastIds()).toEqual({ datasetId: 1n, bidId: 3n, proposalId: 1n });
    expect(r.isPaused()).toBe(false);
    expect(r.getContractOwner()).toBe(deployer);
    expect(r.burnHeight()).toBe(h());

    // the async reader answers the same
    const a = fromSimnet(simnet, contractId);
    expect(await a.getDataset(1)).toEqual(r.getDataset(1));
    expect(await a.burnHeight()).toBe(h());
  });

  it("get-proposal-voting-power counts only stake held before the proposal; get-pause logs each pause", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await registerDataset(1_000_000n, provider);
    const c = market();
    const r = simnetReader(simnet, contractId);
    expect(okUint(exec(await c.proposeParameterChange({ parameter: "committee-size", value: 3n }), provider).result)).toBe(1n);
    // after the proposal: a new validator and a new provider
    await registerValidators([validator2, 2_000_000n]);
    await registerDataset(1_500_000n, provider2);
    expect(r.getValidator(validator2)).toMatchObject({ ordinal: 2n, registeredAfterProposal: 1n });
    expect([validator1, validator2, provider, provider2].map((who) => r.getVotingPower(who))).toEqual([1_000_000n, 2_000_000n, 1_000_000n, 1_500_000n]);
    expect([validator1, validator2, provider, provider2].map((who) => r.getProposalVotingPower(1, who))).toEqual([1_000_000n, 0n, 1_000_000n, 0n]);
    // the vote weighs what the view said
    expect(exec(await c.voteOnProposal({ proposalId: 1n, support: true }), validator1).result).toBeOk(Cl.uint(1_000_000n));
    const late = simnet.callPublicFn(contractId, "vote-on-proposal", [Cl.uint(1), Cl.bool(false)], validator2);
    expect(late.result).toBeErr(Cl.uint(ERR.NO_VOTING_POWER));
    // on a later proposal their whole stake counts
    expect(okUint(exec(await c.proposeParameterChange({ parameter: "validator-fee-bps", value: 600n }), validator2).result)).toBe(2n);
    expect([validator1, validator2, provider, provider2].map((who) => r.getProposalVotingPower(2, who))).toEqual([1_000_000n, 2_000_000n, 1_000_000n, 1_500_000n]);
    expect(r.getProposal(2)).toMatchObject({ baseVersion: 1n, totalStake: 5_500_000n });

    expect(r.getPause(1)).toBeNull();
    const pausedAt = h();
    exec(await c.setPaused({ paused: true }), deployer);
    expect(r.getPause(1)).toEqual({ startedAt: pausedAt, endedAt: 0n });
    simnet.mineEmptyBlocks(5);
    exec(await c.setPaused({ paused: false }), deployer);
    expect(r.getPause(1)).toEqual({ startedAt: pausedAt, endedAt: pausedAt + 5n });
    expect(r.getPause(2)).toBeNull();
  });

  it("the median mirrors the contract's lower weighted median", () => {
    const v = (score: bigint, weight: bigint) => ({ score, weight });
    expect(weightedMedian([v(60n, 1n), v(55n, 2n), v(90n, 3n)], 6n)).toBe(60n);
    expect(weightedMedian([v(80n, 1n), v(70n, 1n)], 2n)).toBe(70n);
    expect(weightedMedian([v(10n, 1n), v(90n, 5n)], 6n)).toBe(90n);
  });

  it("slashBacked mirrors the contract: votes below the threshold need a strict majority of the whole committee", () => {
    const v = (score: bigint, weight: bigint) => ({ score, weight });
    expect(slashBacked([v(10n, 1n), v(20n, 2n), v(90n, 3n)], 40n, 6n)).toBe(false); // a tie is no majority
    expect(slashBacked([v(10n, 2n), v(20n, 2n)], 40n, 7n)).toBe(true);
    expect(slashBacked([v(10n, 2n), v(20n, 2n)], 40n, 8n)).toBe(false); // silent seats count in the whole
    expect(slashBacked([v(40n, 5n)], 40n, 5n)).toBe(false); // at the threshold is not below it
    expect(slashBacked([v(39n, 5n)], 40n, 5n)).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// The node API path (stubbed fetch: no network)
// ---------------------------------------------------------------------------

type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** A fake node whose `/v2/contracts/call-read` and `/v2/info` answer from the simnet. */
function simnetNode(requests: string[]): FetchFn {
  return async (input, init) => {
    const url = new URL(String(input));
    requests.push(`${init?.method ?? "GET"} ${url.pathname}`);
    if (url.pathname === "/v2/info") return json({ burn_block_height: simnet.burnBlockHeight });
    const match = url.pathname.match(/^\/v2\/contracts\/call-read\/([^/]+)\/([^/]+)\/([^/]+)$/);
    if (!match) return json({ error: "not found" }, 404);
    const body = JSON.parse(String(init?.body)) as { sender: string; arguments: string[] };
    const result = simnet.callReadOnlyFn(`${match[1]}.${match[2]}`, decodeURIComponent(match[3]), body.arguments.map((a) => hexToCV(a)), body.sender);
    return json({ okay: true, result: cvToHex(result.result) });
  };
}

describe("node reader", () => {
  it("posts the view's arguments to call-read on the given network and decodes the canned hex", async () => {
    const seen: { url: string; body: unknown }[] = [];
    const canned = Cl.some(Cl.tuple({ "min-value": Cl.uint(1), "max-value": Cl.uint(10) }));
    const fetch: FetchFn = async (input, init) => {
      seen.push({ url: String(input), body: JSON.parse(String(init?.body)) });
      return json({ okay: true, result: cvToHex(canned) });
    };
    const network: StacksNetwork = { ...STACKS_TESTNET, client: { baseUrl: "http://node.test", fetch } };
    const reader = nodeReader({ contract: contractId, network });
    expect(await reader.getParameterBounds("committee-size")).toEqual({ minValue: 1n, maxValue: 10n });
    expect(seen).toEqual([
      {
        url: `http://node.test/v2/contracts/call-read/${deployer}/neural-training-market/get-parameter-bounds`,
        body: { sender: deployer, arguments: [cvToHex(Cl.stringAscii("committee-size"))] },
      },
    ]);
  });

  it("takes the client separately from a named network, and rejects a failed response", async () => {
    const fetch: FetchFn = async () => json({ okay: true, result: cvToHex(Cl.uint(42)) });
    const reader = nodeReader({ contract: contractId, network: "testnet", client: { baseUrl: "http://other.test", fetch } });
    expect(await reader.getVotingPower(provider)).toBe(42n);
    const failing = nodeReader({ contract: contractId, network: "testnet", client: { baseUrl: "http://other.test", fetch: async () => json({}, 500) } });
    await expect(failing.getVotingPower(provider)).rejects.toThrow(/Response 500/);
    // a canned value of the wrong type is refused, not mis-decoded
    const wrongType = nodeReader({ contract: contractId, network: "testnet", client: { fetch: async () => json({ okay: true, result: cvToHex(Cl.bool(true)) }) } });
    await expect(wrongType.getVotingPower(provider)).rejects.toThrow(/expected uint/);
  });

  it("plans over HTTP exactly as over the simnet, and builds the same calls", async () => {
    await committedJob([
      [validator1, 60n],
      [validator2, 55n],
      [validator3, 90n],
    ]);
    for (const who of [validator1, validator2]) {
      exec(await market().revealValidationResult({ caller: who, bidId: 1n, score: who === validator1 ? 60n : 55n, salt: saltFor(who, 1n) }), who);
    }
    const requests: string[] = [];
    const network: StacksNetwork = { ...STACKS_TESTNET, client: { baseUrl: "http://simnet.test", fetch: simnetNode(requests) } };
    const overHttp: MarketReader = nodeReader({ contract: contractId, network });
    const args = { caller: validator3, bidId: 1n, score: 90n };
    const viaHttp = await planRevealValidationResult(overHttp, args);
    expect(viaHttp).toEqual(await planRevealValidationResult(fromSimnet(simnet, contractId), args));
    expect(viaHttp.settlement?.providerPayment).toBe(313_334n);
    expect(requests).toContain("GET /v2/info");
    expect(requests).toContain(`POST /v2/contracts/call-read/${deployer}/neural-training-market/get-committee`);

    const http = MarketClient.forNode({ contract: contractId, network });
    const call = await http.revealValidationResult({ ...args, salt: saltFor(validator3, 1n) });
    expect(call).toEqual(await market().revealValidationResult({ ...args, salt: saltFor(validator3, 1n) }));
    const exact = marketCalls(contractId).revealValidationResult({ bidId: 1n, score: 90n, salt: saltFor(validator3, 1n), settlement: viaHttp.settlement });
    execCeiling(call, validator3, 500_000n, exact);
  });
});

// Runs last (tests run in file order): every builder's call ran successfully on the simnet above.
describe("coverage", () => {
  it("ran a built call of every public function", () => {
    expect([...exercised].sort()).toEqual([...ALL_FUNCTIONS].sort());
  });
});
