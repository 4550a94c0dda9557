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
  planClaimValidationReward,
  planDeclineJob,
  planFinalizeValidation,
  planPlaceComputationBid,
  planRevealValidationResult,
  planSubmitValidationResult,
  simnetReader,
  slashBacked,
  stxTransfersOf,
  toWalletRequest,
  weightedMedian,
  type MarketCall,
  type MarketReader,
  type PublicFunctionName,
} from "../src/client/index.ts";
import {
  ERR,
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
 * Runs a built call on the simnet exactly as built (contract, function, args) and requires
 * `(ok ...)` and post-conditions that hold for the STX the run moved.
 */
function exec(call: MarketCall, sender: string) {
  const res = simnet.callPublicFn(`${call.contractAddress}.${call.contractName}`, call.functionName, call.functionArgs, sender);
  expect(res.result.type, `${call.functionName} -> ${Cl.prettyPrint(res.result)}`).toBe(ClarityType.ResponseOk);
  const check = checkStxPostConditions(call, res.events);
  expect(check.violations, call.functionName).toEqual([]);
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
    expect(submit.postConditions).toEqual([contractSends(470_000n)]);
    expect(exec(submit, validator1).transfers).toEqual([{ sender: contractId, recipient: provider, amount: 470_000n }]);
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
    const submit = await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 20n });
    expect(submit.postConditions).toEqual([contractSends(500_000n)]);
    exec(submit, validator1);
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
    exec(await c.submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 10n }), validator1);
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
      const call = await c.revealValidationResult({ caller: who, bidId: 1n, score, salt: saltFor(who, 1n) });
      expect(call.postConditions).toEqual([]);
      expect(exec(call, who).result).toBeOk(Cl.bool(false));
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
    expect(call.postConditions).toEqual([contractSends(313_334n + 166_667n)]);
    const run = exec(call, validator3);
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
      expect(exec(await c.revealValidationResult({ caller: who, bidId: 1n, score, salt: saltFor(who, 1n) }), who).result).toBeOk(Cl.bool(false));
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
    expect(call.postConditions).toEqual([contractSends(500_000n)]);
    const run = exec(call, validator3);
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
    const call = await market().submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 85n });
    // 500,000 - 25,000 validator fees - 5,000 protocol fee
    expect(call.postConditions).toEqual([contractSends(470_000n)]);
    expect(exec(call, validator1).transfers).toEqual([{ sender: contractId, recipient: provider, amount: 470_000n }]);
    expect(simnetReader(simnet, contractId).getMarketTotals()).toMatchObject({ treasury: 5_000n, unclaimedRewards: 25_000n });
  });

  it("a failing score refunds the bidder in full (the slash stays in the contract)", async () => {
    await registerValidators([validator1, 1_000_000n]);
    await registerDataset();
    await placeBid(bidder, 500_000n, 10n, h() + 10n);
    const { settlement } = await planSubmitValidationResult(fromSimnet(simnet, contractId), { caller: validator1, bidId: 1n, score: 20n });
    expect(settlement).toMatchObject({ outcome: "SLASHED", providerPayment: 0n, bidderRefund: 500_000n, slashed: 500_000n, validatorFees: 25_000n });
    const call = await market().submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 20n });
    expect(call.postConditions).toEqual([contractSends(500_000n)]);
    exec(call, validator1);
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
    for (const [who, reward] of expected) {
      expect(await planClaimValidationReward(c.reader, { caller: who, bidId: 1n })).toMatchObject({ reward, coherent: reward > 0n });
      const call = await c.claimValidationReward({ caller: who, bidId: 1n });
      expect(call.postConditions).toEqual(reward > 0n ? [contractSends(reward)] : []);
      const run = exec(call, who);
      expect(run.result).toBeOk(Cl.uint(reward));
      expect(run.transfers).toEqual(reward > 0n ? [{ sender: contractId, recipient: who, amount: reward }] : []);
    }
    expect(simnetReader(simnet, contractId).getJobResult(1)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
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
    exec(await market().submitValidationResult({ caller: validator1, datasetId: 1n, bidId: 1n, score: 20n }), validator1);
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
    exec(call, validator3);
  });
});

// Runs last (tests run in file order): every builder's call ran successfully on the simnet above.
describe("coverage", () => {
  it("ran a built call of every public function", () => {
    expect([...exercised].sort()).toEqual([...ALL_FUNCTIONS].sort());
  });
});
