/**
 * The agents with real models on the simnet: a provider agent trains with TensorFlow.js and
 * delivers ONNX, a developer client seals and reveals, validator agents evaluate with
 * onnxruntime and vote through the typed client (post-conditions checked on every call).
 * Each test is one job from its bid to its settlement, with the outcome the contract records.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cl, ClarityType, Pc } from "@stacks/transactions";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DeveloperClient,
  FileState,
  MemoryState,
  PostConditionViolation,
  ProviderAgent,
  SimnetChain,
  ValidatorAgent,
  jobsEnded,
  runAgents,
  type Agent,
  type ProviderBehaviour,
  type ValidatorBehaviour,
  type VoteRecord,
} from "../src/agents/index.ts";
import { loadPenguins, shuffleLabels, splitDataset, type Dataset } from "../src/ml/index.ts";
import { MemoryStore } from "../src/store/index.ts";
import { bidder, contractId, expectSolvent, getDataset, provider, validator1, validator2, validator3 } from "./helpers.ts";

const STX = 1_000_000n;
const BID = 5n * STX;
const DURATION = 100n;
const PRICE = 10_000n;
const COMPUTE_FEE = PRICE * DURATION;
const RECIPE = { hidden: [16], epochs: 40, learningRate: 0.01, batchSize: 32, seed: 1 };

let train: Dataset;
let evaluation: Dataset;

beforeAll(() => {
  ({ train, evaluation } = splitDataset(loadPenguins().data, { evalFraction: 0.3, seed: 7 }));
});

/** The simnet chain, recording who sent which function with how many batch entries. */
class RecordingChain extends SimnetChain {
  readonly sent: { sender: string; functionName: string; entries: number }[] = [];
  /** When set, a batch call of more entries than this is refused (as a node would refuse a failing transaction). */
  refuseBatchesOver: number | null = null;

  override async send(sender: string, call: Parameters<SimnetChain["send"]>[1]) {
    const first = call.functionArgs[0];
    const entries = first?.type === ClarityType.List ? first.value.length : 1;
    this.sent.push({ sender, functionName: call.functionName, entries });
    if (this.refuseBatchesOver !== null && first?.type === ClarityType.List && entries > this.refuseBatchesOver) {
      return { ok: false, value: 100n, error: "NOT_AUTHORIZED" as const, events: [], raw: { result: Cl.error(Cl.uint(100)), events: [] } };
    }
    return super.send(sender, call);
  }

  /** The validation calls `sender` made (commits, reveals, votes, claims), in order. */
  votesBy(sender: string) {
    return this.sent.filter((c) => c.sender === sender && /validation-(result|reward)/.test(c.functionName)).map(({ functionName, entries }) => ({ functionName, entries }));
  }
}

/** A market of three validators (all seated: the committee is at most five) and the provider's dataset; its agents. */
async function market(
  opts: { data?: Dataset; provider?: ProviderBehaviour; developer?: "reveal" | "silent"; lazy?: ValidatorBehaviour; capacity?: bigint } = {},
) {
  const chain = new RecordingChain(simnet, contractId);
  const store = new MemoryStore();
  const send = async (who: string, call: Parameters<SimnetChain["send"]>[1]) => {
    const r = await chain.send(who, call);
    expect(r.ok, `${call.functionName}: ${r.error}`).toBe(true);
    return r;
  };
  const validatorAddresses = [validator1, validator2, validator3];
  for (const v of validatorAddresses) await send(v, await chain.client.registerValidator({ caller: v, stake: 10n * STX }));
  await send(
    provider,
    await chain.client.registerDatasetWithTerms({ caller: provider, stake: 20n * STX, metadataUri: "ipfs://penguins", pricePerBlock: PRICE, maxConcurrentJobs: opts.capacity ?? 1n }),
  );
  const providerAgent = new ProviderAgent({ name: "provider", address: provider, chain, store, datasets: new Map([[1n, opts.data ?? train]]), behaviour: opts.provider });
  const developer = new DeveloperClient({ name: "developer", address: bidder, chain, store, state: new MemoryState(), behaviour: opts.developer });
  const validatorStates = validatorAddresses.map(() => new MemoryState<VoteRecord>());
  const validators = validatorAddresses.map(
    (v, i) =>
      new ValidatorAgent({
        name: `validator${i + 1}`,
        address: v,
        chain,
        store,
        state: validatorStates[i]!,
        behaviour: i === 2 && opts.lazy ? opts.lazy : { kind: "honest" },
      }),
  );
  const { bidId, job } = await developer.placeJob({
    datasetId: 1n,
    amount: BID,
    duration: DURATION,
    deadline: (await chain.burnHeight()) + DURATION + 50n,
    evaluation,
    choices: RECIPE,
  });
  const agents: Agent[] = [providerAgent, developer, ...validators];
  const run = (list: Agent[] = agents, bidIds: bigint[] = [bidId]) => runAgents(chain, list, { done: () => jobsEnded(chain.reader, bidIds) });
  return { chain, store, providerAgent, developer, validators, validatorStates, bidId, job, run };
}

describe("verified jobs run by agents", () => {
  it("good data is paid in full and raises the dataset's quality score", async () => {
    const m = await market();
    await m.run();
    const result = await m.chain.reader.getJobResult(m.bidId);
    expect(result).toMatchObject({ outcome: "REWARDED", slashedAmount: 0n, bidderRefund: 0n });
    expect(result!.finalScore).toBeGreaterThanOrEqual(90n);
    // the rest of the bid, less the validators' and protocol fees
    expect(result!.providerPayment).toBe(((BID - COMPUTE_FEE) * (10_000n - 500n - 100n)) / 10_000n);
    expect(getDataset(1)).toMatchObject({ validations: 1n, "passed-validations": 1n });
    expect((getDataset(1)!["score-sum"] as bigint) >= 90n).toBe(true);
    expect(await m.chain.reader.getBidderHistory(bidder)).toMatchObject({ jobs: 1n, defaults: 0n });
    // every coherent seat was claimed, which is what frees it: no validator is held any more
    for (const v of [validator1, validator2, validator3]) expect((await m.chain.reader.getValidator(v))!.openSeats).toBe(0n);
    expectSolvent();
  });

  it("junk data (shuffled labels) is slashed automatically, and a lazy validator becomes an outlier and is penalized", async () => {
    const m = await market({ data: shuffleLabels(train, 3), lazy: { kind: "lazy", score: 90 } });
    await m.run();
    const result = await m.chain.reader.getJobResult(m.bidId);
    expect(result).toMatchObject({ outcome: "SLASHED", providerPayment: 0n });
    expect(result!.finalScore).toBeLessThan(40n);
    expect(result!.slashedAmount).toBe(BID); // half the 20 STX stake, capped at the bid
    expect(getDataset(1)).toMatchObject({ stake: 20n * STX - BID, "passed-validations": 0n });
    const lazy = await m.chain.reader.getValidator(validator3);
    expect(lazy!.stake).toBe(10n * STX - (10n * STX * 100n) / 10_000n); // validator-penalty-bps of its stake
    for (const honest of [validator1, validator2]) expect((await m.chain.reader.getValidator(honest))!.stake).toBe(10n * STX);
    expect(await m.chain.reader.getVote(m.bidId, validator3)).toMatchObject({ score: 90n, revealed: true, claimed: true });
    expectSolvent();
  });

  it("a provider that trains on nothing (delivers its initial network) scores 0", async () => {
    const m = await market({ provider: "untrained" });
    await m.run();
    const result = await m.chain.reader.getJobResult(m.bidId);
    expect(result).toMatchObject({ outcome: "SLASHED", finalScore: 0n });
    expectSolvent();
  });

  it("a missing delivery fails the job: the bidder is refunded in full and the dataset counts it", async () => {
    const m = await market({ provider: "absent" });
    const before = simnet.getAssetsMap().get("STX")!.get(bidder)!;
    await m.run();
    const bid = await m.chain.reader.getBid(m.bidId);
    expect(bid!.status).toBe("EXPIRED");
    expect(simnet.getAssetsMap().get("STX")!.get(bidder)! - before).toBe(BID);
    // 10% of the stake (2 STX), capped at the compute fee the provider stood to earn (1 STX)
    expect(getDataset(1)).toMatchObject({ "non-deliveries": 1n, stake: 20n * STX - COMPUTE_FEE });
    expectSolvent();
  });

  it("a bidder who never reveals forfeits: the provider settles it and is paid the rest, less fees", async () => {
    const m = await market({ developer: "silent" });
    await m.run();
    const result = await m.chain.reader.getJobResult(m.bidId);
    expect(result).toMatchObject({ outcome: "BIDDER_DEFAULT", finalScore: 101n, slashedAmount: 0n, bidderRefund: 0n });
    expect(result!.providerPayment).toBe(((BID - COMPUTE_FEE) * (10_000n - 500n - 100n)) / 10_000n);
    expect(await m.chain.reader.getBidderHistory(bidder)).toMatchObject({ jobs: 0n, defaults: 1n });
    expectSolvent();
  });

  it("a tampered model is refused by every honest validator: each scores it 0 and the provider is slashed", async () => {
    const m = await market();
    await m.providerAgent.step(); // trains and delivers
    const delivery = await m.chain.reader.getJobDelivery(m.bidId);
    m.store.corrupt(delivery!.model!, new Uint8Array([1, 2, 3]));
    await m.run();
    for (const v of [validator1, validator2, validator3]) expect(await m.chain.reader.getVote(m.bidId, v)).toMatchObject({ score: 0n, revealed: true });
    expect(await m.chain.reader.getJobResult(m.bidId)).toMatchObject({ outcome: "SLASHED", finalScore: 0n });
    expectSolvent();
  });

  it("a tampered evaluation set gets the reserved vote 101 from every honest validator: the job settles as a bidder default", async () => {
    const m = await market();
    await m.providerAgent.step();
    await m.developer.step(); // publishes the set and reveals it
    m.store.corrupt(m.job.evalDigest, new Uint8Array([7]));
    await m.run();
    for (const v of [validator1, validator2, validator3]) expect(await m.chain.reader.getVote(m.bidId, v)).toMatchObject({ score: 101n, revealed: true });
    expect(await m.chain.reader.getJobResult(m.bidId)).toMatchObject({ outcome: "BIDDER_DEFAULT", finalScore: 101n, slashedAmount: 0n });
    expect(await m.chain.reader.getBidderHistory(bidder)).toMatchObject({ defaults: 1n });
    expectSolvent();
  });
});

/** The market with room for two jobs, and a second job placed beside the first (both matched at once). */
async function twoJobs() {
  const m = await market({ capacity: 2n });
  const second = await m.developer.placeJob({
    datasetId: 1n,
    amount: BID,
    duration: DURATION,
    deadline: (await m.chain.burnHeight()) + DURATION + 50n,
    evaluation,
    choices: { ...RECIPE, seed: 2 },
  });
  expect((await m.chain.reader.getBid(second.bidId))!.status).toBe("MATCHED");
  return { m, second };
}

describe("batched votes and claims", () => {
  it("a validator seated on two jobs commits, reveals and claims both in one call each", async () => {
    const { m, second } = await twoJobs();
    await m.run(undefined, [m.bidId, second.bidId]);
    for (const bidId of [m.bidId, second.bidId]) expect(await m.chain.reader.getJobResult(bidId)).toMatchObject({ outcome: "REWARDED" });
    for (const v of [validator1, validator2, validator3]) {
      expect(m.chain.votesBy(v)).toEqual([
        { functionName: "commit-validation-results", entries: 2 },
        { functionName: "reveal-validation-results", entries: 2 },
        { functionName: "claim-validation-rewards", entries: 2 },
      ]);
      for (const bidId of [m.bidId, second.bidId]) expect(await m.chain.reader.getVote(bidId, v)).toMatchObject({ revealed: true, claimed: true });
      expect((await m.chain.reader.getValidator(v))!.openSeats).toBe(0n);
    }
    expect((await m.chain.reader.getMarketTotals()).unclaimedRewards).toBe(0n);
    expectSolvent();
  });

  it("a refused batch is sent again one call per entry, so that the entries that can land do", async () => {
    const { m, second } = await twoJobs();
    m.chain.refuseBatchesOver = 1;
    await m.run(undefined, [m.bidId, second.bidId]);
    for (const bidId of [m.bidId, second.bidId]) expect(await m.chain.reader.getJobResult(bidId)).toMatchObject({ outcome: "REWARDED" });
    for (const v of [validator1, validator2, validator3]) {
      const calls = m.chain.votesBy(v);
      for (const [batch, single] of [
        ["commit-validation-results", "commit-validation-result"],
        ["reveal-validation-results", "reveal-validation-result"],
        ["claim-validation-rewards", "claim-validation-reward"],
      ]) {
        const at = calls.findIndex((c) => c.functionName === batch);
        expect(calls[at]).toEqual({ functionName: batch, entries: 2 });
        expect(calls.slice(at + 1, at + 3)).toEqual([
          { functionName: single, entries: 1 },
          { functionName: single, entries: 1 },
        ]);
      }
      expect((await m.chain.reader.getValidator(v))!.openSeats).toBe(0n);
    }
    expectSolvent();
  });

  it("a validator withdraws its stake only once it has claimed its coherent seat", async () => {
    const m = await market();
    await m.providerAgent.step();
    await m.developer.step();
    for (const v of m.validators) expect((await v.step()).map((a) => a.kind)).toEqual(["evaluated", "committed"]);
    const windows = (await m.chain.reader.getValidationWindows(m.bidId))!;
    m.chain.mine(Number(windows.commitClosesAt + 1n - (await m.chain.burnHeight())));
    expect((await m.validators[0]!.step()).map((a) => a.kind)).toEqual(["revealed"]);
    expect((await m.validators[1]!.step()).map((a) => a.kind)).toEqual(["revealed"]);
    // the last reveal settles the job; that validator claims at once
    expect((await m.validators[2]!.step()).map((a) => a.kind)).toEqual(["revealed", "claimed"]);
    expect(await m.chain.reader.getJobResult(m.bidId)).toMatchObject({ outcome: "REWARDED" });
    // validator1 leaves before claiming: its coherent seat still holds its stake
    expect((await m.chain.reader.getValidator(validator1))!.openSeats).toBe(1n);
    expect((await m.chain.send(validator1, await m.chain.client.requestValidatorExit())).ok).toBe(true);
    m.chain.mine(Number((await m.chain.reader.getParameters()).validatorUnbondingBlocks));
    const refused = await m.chain.send(validator1, await m.chain.client.withdrawValidatorStake({ caller: validator1 }));
    expect(refused).toMatchObject({ ok: false, error: "VALIDATOR_SEATED" });
    // its next step claims (the only thing it still has to do), which frees the seat
    const claimed = await m.validators[0]!.step();
    expect(claimed.map((a) => a.kind)).toEqual(["claimed"]);
    expect((await m.chain.reader.getValidator(validator1))!.openSeats).toBe(0n);
    const stake = (await m.chain.reader.getValidator(validator1))!.stake;
    const withdrawn = await m.chain.send(validator1, await m.chain.client.withdrawValidatorStake({ caller: validator1 }));
    expect(withdrawn).toMatchObject({ ok: true, value: stake });
    expect(await m.chain.reader.getValidator(validator1)).toBeNull();
    expectSolvent();
  });
});

describe("restarts and repeats", () => {
  it("a validator restarted between its commit and its reveal reveals from its durable state", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ntm-validator-"));
    try {
      const m = await market();
      await m.providerAgent.step();
      await m.developer.step();
      const path = join(dir, "validator1.json");
      const first = new ValidatorAgent({ name: "validator1", address: validator1, chain: m.chain, store: m.store, state: new FileState<VoteRecord>(path) });
      expect((await first.step()).map((a) => a.kind)).toEqual(["evaluated", "committed"]);
      // the process dies; a new one starts from the file
      const restarted = new ValidatorAgent({ name: "validator1", address: validator1, chain: m.chain, store: m.store, state: new FileState<VoteRecord>(path) });
      expect(new FileState<VoteRecord>(path).keys()).toEqual([m.bidId.toString()]);
      await m.run([m.providerAgent, m.developer, restarted, m.validators[1]!, m.validators[2]!]);
      expect(await m.chain.reader.getVote(m.bidId, validator1)).toMatchObject({ revealed: true, claimed: true });
      expect(await m.chain.reader.getJobResult(m.bidId)).toMatchObject({ outcome: "REWARDED" });
      expect(new FileState<VoteRecord>(path).keys()).toEqual([]); // closed once claimed
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("agents are idempotent by chain state: a second step in the same block does nothing", async () => {
    const m = await market();
    expect((await m.providerAgent.step()).map((a) => a.kind)).toEqual(["delivered"]);
    expect(await m.providerAgent.step()).toEqual([]);
    expect((await m.developer.step()).map((a) => a.kind)).toEqual(["revealed"]);
    expect(await m.developer.step()).toEqual([]);
    expect((await m.validators[0]!.step()).map((a) => a.kind)).toEqual(["evaluated", "committed"]);
    expect(await m.validators[0]!.step()).toEqual([]);
  });
});

describe("DeveloperClient", () => {
  it("refuses to bid when the compute fee (paid whatever the score) would exceed its limit, before anything is sent", async () => {
    const m = await market();
    const lastBid = (await m.chain.reader.getLastIds()).bidId;
    const deadline = (await m.chain.burnHeight()) + DURATION + 50n;
    const job = { datasetId: 1n, amount: BID, duration: DURATION, deadline, evaluation, choices: RECIPE };
    await expect(m.developer.placeJob({ ...job, maxComputeFee: COMPUTE_FEE - 1n })).rejects.toThrow(
      `the compute fee would be ${COMPUTE_FEE} uSTX, above the ${COMPUTE_FEE - 1n} uSTX accepted: not bidding`,
    );
    expect((await m.chain.reader.getLastIds()).bidId).toBe(lastBid);
    const { bidId } = await m.developer.placeJob({ ...job, maxComputeFee: COMPUTE_FEE });
    expect((await m.chain.reader.getBid(bidId))?.computeFee).toBe(COMPUTE_FEE);
  });
});

describe("SimnetChain", () => {
  it("checks every call's post-conditions as a node would: a wrong amount is a PostConditionViolation", async () => {
    const chain = new SimnetChain(simnet, contractId);
    const call = await chain.client.registerValidator({ caller: validator1, stake: 2n * STX });
    const wrong = { ...call, postConditions: [Pc.principal(validator1).willSendEq(STX).ustx()] };
    await expect(chain.send(validator1, wrong)).rejects.toBeInstanceOf(PostConditionViolation);
    const ok = await chain.send(validator2, await chain.client.registerValidator({ caller: validator2, stake: 2n * STX }));
    expect(ok).toMatchObject({ ok: true, error: null });
    expect(ok.events.map((e) => e.event)).toEqual(["validator-registered"]);
  });

  it("reports the contract's error by name", async () => {
    const chain = new SimnetChain(simnet, contractId);
    const r = await chain.send(validator1, await chain.client.registerValidator({ caller: validator1, stake: 1n }));
    expect(r).toMatchObject({ ok: false, error: "VALIDATOR_STAKE_TOO_LOW" });
  });
});
