import { Cl } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULTS,
  OUTCOME,
  addStake,
  balances,
  bidder,
  bidder2,
  call,
  claim,
  commit,
  contractId,
  decode,
  declineJob,
  deltas,
  deployer,
  drawCommittee,
  eventNames,
  expectErr,
  expectSolvent,
  finalizeValidation,
  height,
  marketField,
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
  seatsOf,
  setPaused,
  setTerms,
  sweepSurplus,
  validator1,
  validator2,
  validator3,
  vote,
  withdrawStake,
  withdrawTreasury,
  withdrawValidator,
} from "./helpers.ts";
import type { ErrorName } from "../src/errors.ts";

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// Local helpers (candidates for tests/helpers.ts)
// ---------------------------------------------------------------------------

const VOTING_PERIOD = DEFAULTS.votingPeriod;
const EXECUTION_DELAY = DEFAULTS.executionDelay;
const EXECUTION_WINDOW = 1008n;

type Params = ReturnType<typeof read.getParameters>;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** A parameter's contract name (`max-bid-wait`) to its field of the typed parameter record (`maxBidWait`). */
const field = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof Params;

/** The deploy-time parameter set, as `get-parameters` returns it. */
const DEFAULT_PARAMS: Params = { version: 1n, ...DEFAULTS };

/** `propose-parameter-change`. */
function propose(who: string, parameter: string, value: number | bigint) {
  return call("propose-parameter-change", [Cl.stringAscii(parameter), Cl.uint(value)], who);
}

/** `vote-on-proposal`. */
function voteOn(who: string, proposalId: number | bigint, support: boolean) {
  return call("vote-on-proposal", [Cl.uint(proposalId), Cl.bool(support)], who);
}

/** `execute-proposal`. */
function execute(who: string, proposalId: number | bigint) {
  return call("execute-proposal", [Cl.uint(proposalId)], who);
}

type ProviderStake = {
  stake: bigint;
  "run-proposal": bigint;
  "run-floor": bigint;
  "run-open-until": bigint;
  "prior-proposal": bigint;
  "prior-floor": bigint;
  "prior-open-until": bigint;
};

/** The provider-stakes entry of `who` (null for a principal that never held a dataset stake). */
function providerStake(who: string): ProviderStake | null {
  let entry;
  try {
    entry = simnet.getMapEntry(contractId, "provider-stakes", Cl.principal(who));
  } catch (e) {
    // the simnet throws "value not found" for a key the map never held
    if (String(e).includes("value not found")) return null;
    throw e;
  }
  return decode(entry) as ProviderStake | null;
}

/** A provider-stakes entry: the stake, the last run [proposal, floor, open-until] and the prior runs, merged. */
function stakeRecord(stake: bigint, run: [bigint, bigint, bigint], prior: [bigint, bigint, bigint]): ProviderStake {
  return {
    stake,
    "run-proposal": run[0],
    "run-floor": run[1],
    "run-open-until": run[2],
    "prior-proposal": prior[0],
    "prior-floor": prior[1],
    "prior-open-until": prior[2],
  };
}

/** Proposes and expects success; returns the new proposal id. */
function proposed(who: string, parameter: string, value: number | bigint): bigint {
  return ok(propose(who, parameter, value)) as bigint;
}

/** Votes and expects the caller's current voting power as the weight. */
function voted(who: string, proposalId: number | bigint, support: boolean) {
  const power = read.getVotingPower(who);
  expect(voteOn(who, proposalId, support).result).toBeOk(Cl.uint(power));
}

/** Mines to the proposal's executable-at. */
function mineToExecutable(proposalId: number | bigint) {
  mineUntil(read.getProposal(proposalId)?.executableAt as bigint);
}

/**
 * A full passing vote: `proposer` proposes, votes yes with its whole stake, the chain is
 * mined to executable-at and an outsider executes. The proposer's stake must reach the
 * quorum on its own. Returns the new version.
 */
function enact(parameter: string, value: number | bigint, proposer = provider): bigint {
  const id = proposed(proposer, parameter, value);
  voted(proposer, id, true);
  mineToExecutable(id);
  return ok(execute(outsider, id)) as bigint;
}

/** The provider's 1,000,000 dataset stake: enough to propose (threshold 1,000,000). */
function stakedProvider(who = provider, stake = DEFAULTS.minDatasetStake) {
  const id = ok(registerDataset(who, stake)) as bigint;
  return id;
}

/** The parameters the global `market` record copies for new business (besides parameter-version). */
const MARKET_COPIES = [
  "min-dataset-stake",
  "min-validator-stake",
  "min-bid-amount",
  "max-computation-duration",
  "max-bid-wait",
  "committee-size",
];

/** The market record's copies equal the parameter set in force. */
function expectMarketCopies() {
  const inForce = read.getParameters();
  expect(marketField("parameter-version")).toBe(inForce.version);
  for (const name of MARKET_COPIES) expect([name, marketField(name)]).toEqual([name, inForce[field(name)]]);
}

const expectUnchanged = () => {
  expect(read.getParameters()).toEqual(DEFAULT_PARAMS);
  expect(read.getParametersAt(2)).toBeNull();
};

// ---------------------------------------------------------------------------
// Every parameter is governable
// ---------------------------------------------------------------------------

/** One valid new value per governable parameter (valid against the defaults). */
const CHANGES: [string, bigint][] = [
  ["min-dataset-stake", 2_000_000n],
  ["min-validator-stake", 3_000_000n],
  ["min-bid-amount", 250_000n],
  ["max-computation-duration", 8_640n],
  ["max-bid-wait", 1_000n],
  ["decline-window", 12n],
  ["eval-reveal-window", 288n],
  ["non-delivery-slash-bps", 2_500n],
  ["stake-lock-blocks", 1_000n],
  ["validation-window", 288n],
  ["reveal-window", 72n],
  ["validator-unbonding-blocks", 500n],
  ["committee-size", 7n],
  ["min-reveals-bps", 6_667n],
  ["reward-threshold", 80n],
  ["slash-threshold", 30n],
  ["slash-rate-bps", 2_500n],
  ["validator-fee-bps", 1_000n],
  ["protocol-fee-bps", 200n],
  ["validator-penalty-bps", 300n],
  ["consensus-tolerance", 10n],
  ["voting-period", 500n],
  ["execution-delay", 300n],
  ["governance-quorum-bps", 5_000n],
  ["proposal-threshold", 5_000_000n],
];

describe("execute-proposal: every parameter is governable", () => {
  it("the table covers all 25 parameters of get-parameters (everything but version), each with bounds", () => {
    const names = Object.keys(read.getParameters()).filter((k) => k !== "version").map(kebab).sort();
    expect(names).toHaveLength(25);
    expect(CHANGES.map(([n]) => n).sort()).toEqual(names);
    for (const name of names) expect(read.getParameterBounds(name)).not.toBeNull();
    expect(read.getParameterBounds("version")).toBeNull();
  });

  it.each(CHANGES)("%s changes to %s by a passing vote: version 2, version 1 kept in history", (name, value) => {
    stakedProvider();
    expect(DEFAULT_PARAMS[field(name)]).not.toBe(value);
    const created = height();
    const id = proposed(provider, name, value);
    voted(provider, id, true);
    mineToExecutable(id);
    expect(height()).toBe(created + VOTING_PERIOD + EXECUTION_DELAY + 1n);
    expect(read.getParameters()).toEqual(DEFAULT_PARAMS);

    const r = execute(outsider, id);
    expect(r.result).toBeOk(Cl.uint(2));
    expect(printEvents(r)).toEqual([{ event: "parameter-changed", "proposal-id": id, parameter: name, value, version: 2n }]);
    const expected = { ...DEFAULT_PARAMS, version: 2n, [field(name)]: value };
    expect(read.getParameters()).toEqual(expected);
    expect(read.getParametersAt(2)).toEqual(expected);
    expect(read.getParametersAt(1)).toEqual(DEFAULT_PARAMS);
    expect(read.getProposal(id)?.executed).toBe(true);
    // the market record's copies (max-bid-wait among them) follow the new version
    expectMarketCopies();
  });

  it("successive executions stack: each builds on the values in force and bumps the version", () => {
    stakedProvider();
    const a = proposed(provider, "committee-size", 3);
    const b = proposed(provider, "reward-threshold", 85);
    voted(provider, a, true);
    voted(provider, b, true);
    mineToExecutable(b);
    expect(execute(outsider, b).result).toBeOk(Cl.uint(2));
    expect(execute(outsider, a).result).toBeOk(Cl.uint(3));
    expect(read.getParametersAt(2)).toEqual({ ...DEFAULT_PARAMS, version: 2n, rewardThreshold: 85n });
    expect(read.getParameters()).toEqual({ ...DEFAULT_PARAMS, version: 3n, rewardThreshold: 85n, committeeSize: 3n });
    expect(read.getParametersAt(3)).toEqual(read.getParameters());
    expect(read.getParametersAt(1)).toEqual(DEFAULT_PARAMS);
    expectMarketCopies();
  });
});

describe("execute-proposal: max-bid-wait and decline-window", () => {
  it("max-bid-wait is copied into the market record and bounds the deadline of new bids", () => {
    stakedProvider();
    expect(marketField("max-bid-wait")).toBe(DEFAULTS.maxBidWait);
    expect(enact("max-bid-wait", 10n)).toBe(2n);
    expect(marketField("max-bid-wait")).toBe(10n);
    expect(read.getParameters().maxBidWait).toBe(10n);
    // a 100-block bid may now wait at most 10 blocks past its training time
    const now = height();
    expectErr(placeBid(bidder, 1, 500_000n, 100n, now + 111n), "DEADLINE_TOO_FAR");
    expect(placeBid(bidder, 1, 500_000n, 100n, now + 110n).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)).toMatchObject({ deadline: now + 110n, parameterVersion: 2n });
  });

  it("decline-window 0: a job placed under it is declined only in the burn block of its match", () => {
    stakedProvider();
    expect(enact("decline-window", 0n)).toBe(2n);
    expect(read.getParameters().declineWindow).toBe(0n);
    expect(setTerms(provider, 1, 0, 2).result).toBeOk(Cl.bool(true));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", matchedAt: height(), parameterVersion: 2n });
    expect(declineJob(provider, 1).result).toBeOk(Cl.uint(500_000));
    simnet.mineEmptyBlocks(1);
    expectErr(declineJob(provider, 2), "DECLINE_CLOSED");
    expect(read.getBid(2)?.status).toBe("MATCHED");
  });

  it("decline-window 1008 (its maximum) applies to jobs placed under it; a job placed before keeps 6", () => {
    stakedProvider();
    // the decline window must stay below the validation window: raise that first
    enact("validation-window", 2_000n);
    expect(setTerms(provider, 1, 0, 3).result).toBeOk(Cl.bool(true));
    const id = proposed(provider, "decline-window", 1_008n);
    voted(provider, id, true);
    const executableAt = read.getProposal(id)?.executableAt as bigint;
    // job 1, version 1 (window 6), matched one block before the change is executed
    mineUntil(executableAt - 1n);
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    simnet.mineEmptyBlocks(1);
    expect(execute(outsider, id).result).toBeOk(Cl.uint(3));
    // jobs 2 and 3, version 3 (window 1008), matched at executable-at
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
    expect(placeBid(outsider, 1).result).toBeOk(Cl.uint(3));
    expect([1, 2, 3].map((b) => read.getBid(b)?.parameterVersion)).toEqual([2n, 3n, 3n]);

    // job 1 was matched at executable-at - 1: its window closed at executable-at + 5
    mineUntil(executableAt + 6n);
    expectErr(declineJob(provider, 1), "DECLINE_CLOSED");
    mineUntil(executableAt + 1_008n);
    expect(declineJob(provider, 2).result).toBeOk(Cl.uint(500_000));
    simnet.mineEmptyBlocks(1);
    expectErr(declineJob(provider, 3), "DECLINE_CLOSED");
    expect([1, 2, 3].map((b) => read.getBid(b)?.status)).toEqual(
      ["MATCHED", "CANCELLED", "MATCHED"],
    );
  });
});

// ---------------------------------------------------------------------------
// Nothing else changes them
// ---------------------------------------------------------------------------

const PUBLIC_FUNCTIONS = [
  "add-dataset-stake",
  "cancel-bid",
  "claim-validation-reward",
  "claim-validation-rewards",
  "commit-validation-result",
  "commit-validation-results",
  "decline-job",
  "deliver-model",
  "draw-committee",
  "execute-proposal",
  "expire-bid",
  "finalize-validation",
  "match-queued-bids",
  "place-computation-bid",
  "place-training-bid",
  "propose-parameter-change",
  "register-dataset",
  "register-dataset-with-terms",
  "register-validator",
  "request-validator-exit",
  "retire-dataset",
  "reveal-evaluation-set",
  "reveal-validation-result",
  "reveal-validation-results",
  "set-dataset-terms",
  "set-paused",
  "submit-validation-result",
  "sweep-surplus",
  "vote-on-proposal",
  "withdraw-dataset-stake",
  "withdraw-treasury",
  "withdraw-validator-stake",
];

describe("no other way to change parameters", () => {
  it("the contract's public functions are the 32 known ones: no parameter setter for the owner or anyone", () => {
    const iface = simnet.getContractsInterfaces().get(contractId);
    const publicFns = iface?.functions.filter((f) => f.access === "public").map((f) => f.name).sort();
    expect(PUBLIC_FUNCTIONS).toHaveLength(32);
    expect(publicFns).toEqual(PUBLIC_FUNCTIONS);
    // of them, only propose-parameter-change takes a parameter name
    const named = iface?.functions
      .filter((f) => f.access === "public" && f.args.some((a) => a.name === "parameter"))
      .map((f) => f.name);
    expect(named).toEqual(["propose-parameter-change"]);
  });

  it("in the source, parameters and parameter-history are written only by execute-proposal (and at deploy)", () => {
    const source = simnet.getContractSource(contractId) as string;
    const start = source.indexOf("(define-public (execute-proposal");
    const end = source.indexOf("(define-public", start + 1);
    expect(start).toBeGreaterThan(0);
    const firstFunction = source.indexOf("(define-private");
    const at = (re: RegExp) => [...source.matchAll(re)].map((m) => m.index as number);

    // the global `market` record carries the version in force and copies of six of its values:
    // of all its writes, only execute-proposal's names any of them
    const balanced = (from: number) => {
      let depth = 0;
      for (let i = from; i < source.length; i++) {
        if (source[i] === "(") depth++;
        else if (source[i] === ")" && --depth === 0) return source.slice(from, i + 1);
      }
      throw new Error("unbalanced source");
    };
    const parameterField =
      /\b(parameter-version|min-dataset-stake|min-validator-stake|min-bid-amount|max-computation-duration|max-bid-wait|committee-size):/;
    const marketWrites = at(/\(var-set market\b/g);
    expect(marketWrites.length).toBeGreaterThan(10);
    const naming = marketWrites.filter((i) => parameterField.test(balanced(i)));
    expect(naming).toHaveLength(1);
    expect(naming[0]).toBeGreaterThan(start);
    expect(naming[0]).toBeLessThan(end);
    expect(balanced(naming[0])).toContain("parameter-version: version");
    expect(balanced(naming[0])).toContain("max-bid-wait: (get max-bid-wait updated)");
    expect(source.slice(start, end)).toContain("(map-set parameter-history version updated)");

    const historySets = at(/\(map-set parameter-history\b/g);
    expect(historySets).toHaveLength(2);
    expect(historySets[0]).toBeLessThan(firstFunction); // the deploy-time u1
    expect(historySets[1]).toBeGreaterThan(start);
    expect(historySets[1]).toBeLessThan(end);

    // bounds are written at deploy only, and nothing deletes history or bounds
    const boundsSets = at(/\(map-set parameter-bounds\b/g);
    expect(boundsSets).toHaveLength(25);
    for (const i of boundsSets) expect(i).toBeLessThan(firstFunction);
    expect(source).not.toMatch(/\(map-(delete|insert) parameter-(history|bounds|changed-in)/);

    // which version last changed a parameter is recorded by execute-proposal alone
    const changedSets = at(/\(map-set parameter-changed-in\b/g);
    expect(changedSets).toHaveLength(1);
    expect(changedSets[0]).toBeGreaterThan(start);
    expect(changedSets[0]).toBeLessThan(end);
  });

  it("the owner, holding no stake, can neither propose nor vote; its admin calls leave the parameters alone", () => {
    expect(read.getVotingPower(deployer)).toBe(0n);
    expectErr(propose(deployer, "protocol-fee-bps", 1_000), "BELOW_PROPOSAL_THRESHOLD");
    stakedProvider();
    const id = proposed(provider, "protocol-fee-bps", 1_000);
    expectErr(voteOn(deployer, id, true), "NO_VOTING_POWER");
    expect(read.getVoteRecord(id, deployer)).toBeNull();
    voted(provider, id, false);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expectErr(withdrawTreasury(1, deployer), "INSUFFICIENT_TREASURY");
    // STX sent to the contract by a plain transfer: booked into the treasury and sent out again
    expect(simnet.transferSTX(1_000, contractId, outsider).result).toBeOk(Cl.bool(true));
    expect(sweepSurplus().result).toBeOk(Cl.uint(1_000));
    expect(withdrawTreasury(1_000, deployer).result).toBeOk(Cl.uint(1_000));
    mineToExecutable(id);
    // the stake voted no: the owner cannot push it through
    expectErr(execute(deployer, id), "PROPOSAL_REJECTED");
    expectUnchanged();
  });

  it("a proposal that passed but is never executed changes nothing, and cannot be executed once expired", () => {
    stakedProvider();
    const id = proposed(provider, "reward-threshold", 90);
    voted(provider, id, true);
    mineToExecutable(id);
    expectUnchanged();
    // new bids are still placed under version 1
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)?.parameterVersion).toBe(1n);

    mineUntil(read.getProposal(id)?.expiresAt as bigint);
    expectErr(execute(outsider, id), "PROPOSAL_EXPIRED");
    expectUnchanged();
    expect(read.getProposal(id)?.executed).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// propose-parameter-change
// ---------------------------------------------------------------------------

/** [name, min, max] as written in parameter-bounds. */
const BOUNDS: [string, bigint, bigint][] = [
  ["min-dataset-stake", 1n, 1_000_000_000_000n],
  ["min-validator-stake", 1n, 1_000_000_000_000n],
  ["min-bid-amount", 1n, 1_000_000_000_000n],
  ["max-computation-duration", 1n, 52_560n],
  ["max-bid-wait", 1n, 52_560n],
  ["decline-window", 0n, 1_008n],
  // a bidder has at least a block and at most a month to reveal its evaluation set
  ["eval-reveal-window", 1n, 4_320n],
  // a missed delivery costs at most half the dataset's stake (and never more than the bid)
  ["non-delivery-slash-bps", 0n, 5_000n],
  ["stake-lock-blocks", 1n, 52_560n],
  ["validation-window", 1n, 4_320n],
  ["reveal-window", 1n, 4_320n],
  ["validator-unbonding-blocks", 1n, 4_320n],
  ["committee-size", 1n, 10n],
  ["min-reveals-bps", 1n, 10_000n],
  ["reward-threshold", 0n, 100n],
  ["slash-threshold", 0n, 100n],
  ["slash-rate-bps", 0n, 10_000n],
  ["validator-fee-bps", 0n, 10_000n],
  ["protocol-fee-bps", 0n, 10_000n],
  ["validator-penalty-bps", 0n, 5_000n],
  ["consensus-tolerance", 0n, 100n],
  // at least a day to vote and a day to object
  ["voting-period", 144n, 52_560n],
  ["execution-delay", 144n, 52_560n],
  // at most half: a higher quorum could let a vote lock every later vote out
  ["governance-quorum-bps", 1n, 5_000n],
  // at most 100 STX, so that governance stays reachable
  ["proposal-threshold", 1n, 100_000_000n],
];

/** What a proposal of a bound's edge value gets, against the defaults: a cross rule can refuse it. */
const AT_EDGE: Record<string, { min?: ErrorName; max?: ErrorName }> = {
  "reward-threshold": { min: "THRESHOLDS_CROSSED" }, // 0 is not above slash-threshold 40
  "slash-threshold": { max: "THRESHOLDS_CROSSED" }, // 100 is not below reward-threshold 70
  "validator-fee-bps": { max: "FEES_TOO_HIGH" }, // 10000 + 100
  "protocol-fee-bps": { max: "FEES_TOO_HIGH" }, // 10000 + 500
  "decline-window": { max: "WINDOWS_CROSSED" }, // 1008 is not below validation-window 144
  "validation-window": { min: "WINDOWS_CROSSED" }, // 1 is not above decline-window 6
};

describe("propose-parameter-change", () => {
  it("stores the proposal with its timeline and quorum snapshot, prints proposal-created and returns the id", () => {
    stakedProvider();
    const now = height();
    const r = propose(provider, "committee-size", 3);
    expect(r.result).toBeOk(Cl.uint(1));
    const votingEndsAt = now + VOTING_PERIOD;
    const executableAt = votingEndsAt + EXECUTION_DELAY + 1n;
    expect(printEvents(r)).toEqual([
      {
        event: "proposal-created",
        "proposal-id": 1n,
        proposer: provider,
        parameter: "committee-size",
        value: 3n,
        "voting-ends-at": votingEndsAt,
        "executable-at": executableAt,
      },
    ]);
    expect(r.events.filter((e) => e.event === "stx_transfer_event")).toEqual([]);
    expect(read.getProposal(1)).toEqual({
      proposer: provider,
      parameter: "committee-size",
      value: 3n,
      baseVersion: 1n,
      createdAt: now,
      votingEndsAt,
      executableAt,
      expiresAt: executableAt + EXECUTION_WINDOW,
      quorumBps: DEFAULTS.governanceQuorumBps,
      totalStake: 1_000_000n,
      yesVotes: 0n,
      noVotes: 0n,
      executed: false,
    });
    // proposing is not voting: no vote record, no lock
    expect(read.getVoteRecord(1, provider)).toBeNull();
    expect(read.getVoteLock(provider)).toBe(0n);
    expect(read.getLastIds().proposalId).toBe(1n);
    expect(propose(provider, "committee-size", 4).result).toBeOk(Cl.uint(2));
    expect(read.getLastIds().proposalId).toBe(2n);
    expect(read.getProposal(3)).toBeNull();
    expectUnchanged();
  });

  it("records base-version: the parameter version in force when the proposal is made", () => {
    stakedProvider();
    expect(proposed(provider, "committee-size", 3)).toBe(1n);
    expect(enact("reward-threshold", 80n)).toBe(2n); // proposal 2, made under version 1
    expect(enact("slash-threshold", 30n)).toBe(3n); // proposal 3, made under version 2
    const id = proposed(provider, "committee-size", 4);
    expect(id).toBe(4n);
    expect([1, 2, 3, 4].map((p) => read.getProposal(p)?.baseVersion)).toEqual([1n, 1n, 2n, 3n]);
  });

  it("refuses a principal without stake with BELOW_PROPOSAL_THRESHOLD, before even looking at the name", () => {
    expect(read.getVotingPower(outsider)).toBe(0n);
    const r = propose(outsider, "committee-size", 3);
    expectErr(r, "BELOW_PROPOSAL_THRESHOLD");
    expect(r.events).toEqual([]);
    expectErr(propose(outsider, "no-such-parameter", 3), "BELOW_PROPOSAL_THRESHOLD");
    expect(read.getLastIds().proposalId).toBe(0n);
  });

  it("accepts voting power exactly at the threshold, refuses a provider whose stake a slash cut below it", () => {
    matchedJob(); // validator1 (1,000,000), dataset 1 (provider, 1,000,000), bid 1
    expect(read.getVotingPower(provider)).toBe(DEFAULTS.proposalThreshold);
    expect(propose(provider, "committee-size", 3).result).toBeOk(Cl.uint(1));
    expect(vote(validator1, 1, 1, 10).result).toBeOk(Cl.bool(true)); // slashes 50%
    expect(read.getVotingPower(provider)).toBe(500_000n);
    expectErr(propose(provider, "committee-size", 3), "BELOW_PROPOSAL_THRESHOLD");
    expect(read.getLastIds().proposalId).toBe(1n);
  });

  it("counts dataset stakes (several datasets) plus validator stake against a raised threshold", () => {
    stakedProvider(provider, 2_000_000n);
    expect(enact("proposal-threshold", 3_000_000n)).toBe(2n);
    expectErr(propose(provider, "committee-size", 3), "BELOW_PROPOSAL_THRESHOLD");
    expect(registerValidator(provider, 1_000_000n).result).toBeOk(Cl.bool(true));
    expect(read.getVotingPower(provider)).toBe(3_000_000n);
    expect(propose(provider, "committee-size", 3).result).toBeOk(Cl.uint(2));

    stakedProvider(provider2, 1_500_000n);
    expectErr(propose(provider2, "committee-size", 3), "BELOW_PROPOSAL_THRESHOLD");
    stakedProvider(provider2, 1_500_000n);
    expect(read.getVotingPower(provider2)).toBe(3_000_000n);
    expect(propose(provider2, "committee-size", 3).result).toBeOk(Cl.uint(3));
  });

  it("refuses an unknown parameter name with UNKNOWN_PARAMETER", () => {
    stakedProvider();
    // `version` is in the tuple but not governable; validation-quorum was removed in issue 4
    for (const name of ["version", "validation-quorum", "", "Committee-Size", "committee-size ", "committee_size", "paused"]) {
      const r = propose(provider, name, 3);
      expectErr(r, "UNKNOWN_PARAMETER");
      expect(r.events).toEqual([]);
    }
    expect(read.getLastIds().proposalId).toBe(0n);
  });

  it("the bounds table matches get-parameter-bounds for every parameter", () => {
    for (const [name, min, max] of BOUNDS) {
      expect(read.getParameterBounds(name)).toEqual({ minValue: min, maxValue: max });
    }
    expect(BOUNDS.map(([n]) => n).sort()).toEqual(CHANGES.map(([n]) => n).sort());
  });

  it.each(BOUNDS)("%s: refuses values outside [%s, %s] with VALUE_OUT_OF_RANGE, accepts the edges", (name, min, max) => {
    stakedProvider();
    const refused: bigint[] = [max + 1n, 2n ** 128n - 1n];
    if (min > 0n) refused.push(min - 1n);
    for (const value of refused) {
      const r = propose(provider, name, value);
      expectErr(r, "VALUE_OUT_OF_RANGE");
      expect(r.events).toEqual([]);
    }
    expect(read.getLastIds().proposalId).toBe(0n);

    let next = 1n;
    for (const [edge, value] of [["min", min], ["max", max]] as const) {
      const cross = AT_EDGE[name]?.[edge];
      if (cross) expectErr(propose(provider, name, value), cross);
      else expect(propose(provider, name, value).result).toBeOk(Cl.uint(next++));
    }
    expectUnchanged();
  });

  describe("cross rules against the values in force", () => {
    it("reward-threshold must stay above slash-threshold (40): THRESHOLDS_CROSSED at or below it", () => {
      stakedProvider();
      for (const value of [40, 39, 0]) expectErr(propose(provider, "reward-threshold", value), "THRESHOLDS_CROSSED");
      expect(propose(provider, "reward-threshold", 41).result).toBeOk(Cl.uint(1));
    });

    it("slash-threshold must stay below reward-threshold (70): THRESHOLDS_CROSSED at or above it", () => {
      stakedProvider();
      for (const value of [70, 71, 100]) expectErr(propose(provider, "slash-threshold", value), "THRESHOLDS_CROSSED");
      expect(propose(provider, "slash-threshold", 69).result).toBeOk(Cl.uint(1));
    });

    it("validator-fee-bps + protocol-fee-bps (100) must stay under 10000: FEES_TOO_HIGH from 9900", () => {
      stakedProvider();
      for (const value of [9_900, 9_901, 10_000]) expectErr(propose(provider, "validator-fee-bps", value), "FEES_TOO_HIGH");
      expect(propose(provider, "validator-fee-bps", 9_899).result).toBeOk(Cl.uint(1));
    });

    it("protocol-fee-bps + validator-fee-bps (500) must stay under 10000: FEES_TOO_HIGH from 9500", () => {
      stakedProvider();
      for (const value of [9_500, 9_501, 10_000]) expectErr(propose(provider, "protocol-fee-bps", value), "FEES_TOO_HIGH");
      expect(propose(provider, "protocol-fee-bps", 9_499).result).toBeOk(Cl.uint(1));
    });

    it("decline-window must stay below validation-window (144): WINDOWS_CROSSED at or above it", () => {
      stakedProvider();
      for (const value of [144, 145, 1_008]) expectErr(propose(provider, "decline-window", value), "WINDOWS_CROSSED");
      expect(propose(provider, "decline-window", 143).result).toBeOk(Cl.uint(1));
    });

    it("validation-window must stay above decline-window (6): WINDOWS_CROSSED at or below it", () => {
      stakedProvider();
      for (const value of [6, 5, 1]) expectErr(propose(provider, "validation-window", value), "WINDOWS_CROSSED");
      expect(propose(provider, "validation-window", 7).result).toBeOk(Cl.uint(1));
    });

    it("the windows rule checks against the values in force, both ways", () => {
      stakedProvider();
      enact("validation-window", 2_000n);
      expect(propose(provider, "decline-window", 1_008).result).toBeOk(Cl.uint(2));
      enact("decline-window", 500n);
      expectErr(propose(provider, "validation-window", 500), "WINDOWS_CROSSED");
      expect(propose(provider, "validation-window", 501).result).toBeOk(Cl.uint(4));
    });

    it("checks against the current values, not the defaults, after a change", () => {
      stakedProvider();
      enact("slash-threshold", 60n);
      expectErr(propose(provider, "reward-threshold", 60), "THRESHOLDS_CROSSED");
      expect(propose(provider, "reward-threshold", 61).result).toBeOk(Cl.uint(2));
    });
  });

  it("takes the voting-period, execution-delay and quorum in force when made", () => {
    stakedProvider();
    const old = proposed(provider, "committee-size", 3);
    const oldRecord = read.getProposal(old);
    // voting-period at its minimum, 144; execution-delay 150 (the default is the minimum, 144)
    expect(enact("voting-period", 144n)).toBe(2n);
    expect(enact("execution-delay", 150n)).toBe(3n);
    expect(enact("governance-quorum-bps", 4_000n)).toBe(4n);
    expect(read.getProposal(old)).toEqual(oldRecord);

    const now = height();
    const id = proposed(provider, "committee-size", 4);
    expect(read.getProposal(id)).toMatchObject({
      createdAt: now,
      votingEndsAt: now + 144n,
      executableAt: now + 295n,
      expiresAt: now + 295n + EXECUTION_WINDOW,
      quorumBps: 4_000n,
    });
  });

  it("voting-period and execution-delay below 144 are VALUE_OUT_OF_RANGE: no vote is decided within a day", () => {
    stakedProvider();
    for (const name of ["voting-period", "execution-delay"]) {
      for (const value of [0n, 1n, 10n, 143n]) {
        const r = propose(provider, name, value);
        expectErr(r, "VALUE_OUT_OF_RANGE");
        expect(r.events).toEqual([]);
      }
    }
    expect(read.getLastIds().proposalId).toBe(0n);
    expect(propose(provider, "voting-period", 144n).result).toBeOk(Cl.uint(1));
    expect(propose(provider, "execution-delay", 144n).result).toBeOk(Cl.uint(2));
    expectUnchanged();
  });

  it("works while the market is paused, as do voting and execution", () => {
    stakedProvider();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const id = proposed(provider, "committee-size", 3);
    voted(provider, id, true);
    mineToExecutable(id);
    expect(execute(outsider, id).result).toBeOk(Cl.uint(2));
    expect(read.getParameters().committeeSize).toBe(3n);
  });
});

// ---------------------------------------------------------------------------
// vote-on-proposal
// ---------------------------------------------------------------------------

describe("vote-on-proposal", () => {
  it("records the vote with the voter's power, tallies yes and no, locks the voter and prints proposal-voted", () => {
    stakedProvider();
    stakedProvider(provider2, 2_500_000n);
    const now = height();
    const id = proposed(provider, "committee-size", 3);
    // the lock lasts until the proposal can be executed, not just until its vote closes
    const executableAt = read.getProposal(id)?.executableAt as bigint;
    expect(executableAt).toBe(now + VOTING_PERIOD + EXECUTION_DELAY + 1n);

    const yes = voteOn(provider, id, true);
    expect(yes.result).toBeOk(Cl.uint(1_000_000));
    expect(printEvents(yes)).toEqual([
      { event: "proposal-voted", "proposal-id": id, voter: provider, support: true, weight: 1_000_000n },
    ]);
    const no = voteOn(provider2, id, false);
    expect(no.result).toBeOk(Cl.uint(2_500_000));
    expect(printEvents(no)).toEqual([
      { event: "proposal-voted", "proposal-id": id, voter: provider2, support: false, weight: 2_500_000n },
    ]);
    expect(read.getProposal(id)).toMatchObject({ yesVotes: 1_000_000n, noVotes: 2_500_000n, executed: false });
    expect(read.getVoteRecord(id, provider)).toEqual({ support: true, weight: 1_000_000n });
    expect(read.getVoteRecord(id, provider2)).toEqual({ support: false, weight: 2_500_000n });
    expect(read.getVoteRecord(id, outsider)).toBeNull();
    expect(read.getVoteLock(provider)).toBe(executableAt);
    expect(read.getVoteLock(provider2)).toBe(executableAt);
    expect(read.getVoteLock(outsider)).toBe(0n);
    // voting moves no STX
    expect(yes.events.filter((e) => e.event === "stx_transfer_event")).toEqual([]);
  });

  it("refuses an unknown proposal with PROPOSAL_NOT_FOUND", () => {
    stakedProvider();
    expectErr(voteOn(provider, 1, true), "PROPOSAL_NOT_FOUND");
    expect(proposed(provider, "committee-size", 3)).toBe(1n);
    expectErr(voteOn(provider, 2, true), "PROPOSAL_NOT_FOUND");
    expect(read.getVoteLock(provider)).toBe(0n);
  });

  it("refuses a second vote, either way, with ALREADY_VOTED_ON_PROPOSAL; the tally is unchanged", () => {
    stakedProvider();
    const id = proposed(provider, "committee-size", 3);
    voted(provider, id, true);
    for (const support of [true, false]) {
      const r = voteOn(provider, id, support);
      expectErr(r, "ALREADY_VOTED_ON_PROPOSAL");
      expect(r.events).toEqual([]);
    }
    expect(read.getProposal(id)).toMatchObject({ yesVotes: 1_000_000n, noVotes: 0n });
    expect(read.getVoteRecord(id, provider)).toEqual({ support: true, weight: 1_000_000n });
    // one vote per proposal: the same voter votes on another proposal
    const other = proposed(provider, "committee-size", 4);
    voted(provider, other, false);
  });

  it("accepts a vote at exactly voting-ends-at and refuses one a block later with VOTING_CLOSED", () => {
    stakedProvider();
    stakedProvider(provider2);
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    const id = proposed(provider, "committee-size", 3);
    const endsAt = read.getProposal(id)?.votingEndsAt as bigint;
    mineUntil(endsAt);
    voted(provider2, id, true);
    simnet.mineEmptyBlocks(1);
    const r = voteOn(validator1, id, true);
    expectErr(r, "VOTING_CLOSED");
    expect(r.events).toEqual([]);
    expect(read.getProposal(id)).toMatchObject({ yesVotes: 1_000_000n, noVotes: 0n });
    expect(read.getVoteRecord(id, validator1)).toBeNull();
    expect(read.getVoteLock(validator1)).toBe(0n);
  });

  it("refuses a voter without stake with NO_VOTING_POWER, including a provider that withdrew its stake", () => {
    stakedProvider();
    stakedProvider(provider2);
    const id = proposed(provider, "committee-size", 3);
    const r = voteOn(outsider, id, true);
    expectErr(r, "NO_VOTING_POWER");
    expect(r.events).toEqual([]);
    expect(read.getVoteRecord(id, outsider)).toBeNull();
    expect(read.getVoteLock(outsider)).toBe(0n);

    expect(withdrawStake(provider2, 2).result).toBeOk(Cl.uint(1_000_000));
    expect(read.getVotingPower(provider2)).toBe(0n);
    expectErr(voteOn(provider2, id, false), "NO_VOTING_POWER");
    expect(read.getProposal(id)).toMatchObject({ yesVotes: 0n, noVotes: 0n });
  });

  it("weighs a vote by all dataset stakes plus the validator stake, reduced by a slash", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerDataset(provider, 1_000_000n).result).toBeOk(Cl.uint(1));
    expect(registerDataset(provider, 2_000_000n).result).toBeOk(Cl.uint(2));
    expect(registerValidator(provider, 3_000_000n).result).toBeOk(Cl.bool(true));
    expect(read.getVotingPower(provider)).toBe(6_000_000n);
    expect(addStake(provider, 2, 500_000n).result).toBeOk(Cl.uint(2_500_000));
    expect(read.getVotingPower(provider)).toBe(6_500_000n);

    // a job on dataset 1, judged by validator1 alone (the provider is a party), scored 10: 50% slashed
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(seatsOf(1)).toEqual([validator1]);
    expect(vote(validator1, 1, 1, 10).result).toBeOk(Cl.bool(true));
    expect(read.getJobResult(1)?.slashedAmount).toBe(500_000n);
    expect(read.getVotingPower(provider)).toBe(6_000_000n);

    const id = proposed(provider, "committee-size", 3);
    expect(voteOn(provider, id, true).result).toBeOk(Cl.uint(6_000_000));
    expect(voteOn(validator1, id, false).result).toBeOk(Cl.uint(1_000_000));
    expect(read.getProposal(id)).toMatchObject({ yesVotes: 6_000_000n, noVotes: 1_000_000n });
  });

  it("a validator's power falls with a silence penalty", () => {
    matchedJob([[validator1, 3_000_000n]]);
    expect(read.getVotingPower(validator1)).toBe(3_000_000n);
    mineUntil((read.getBid(1)?.deadline as bigint) + DEFAULTS.validationWindow + DEFAULTS.revealWindow + 1n);
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    expect(read.getVotingPower(validator1)).toBe(2_970_000n);
    const id = proposed(provider, "committee-size", 3);
    expect(voteOn(validator1, id, true).result).toBeOk(Cl.uint(2_970_000));
  });

  it("the weight is taken when voting: stake added later does not change the tally", () => {
    stakedProvider();
    const id = proposed(provider, "committee-size", 3);
    voted(provider, id, true);
    expect(addStake(provider, 1, 4_000_000n).result).toBeOk(Cl.uint(5_000_000));
    expect(read.getVotingPower(provider)).toBe(5_000_000n);
    expect(read.getProposal(id)?.yesVotes).toBe(1_000_000n);
    expect(read.getVoteRecord(id, provider)).toEqual({ support: true, weight: 1_000_000n });
  });

  it("the lock is the latest executable-at of the voter's proposals: an earlier one does not shorten it", () => {
    stakedProvider();
    const first = proposed(provider, "committee-size", 3);
    simnet.mineEmptyBlocks(10);
    const second = proposed(provider, "committee-size", 4);
    const firstExecutable = read.getProposal(first)?.executableAt as bigint;
    const secondExecutable = read.getProposal(second)?.executableAt as bigint;
    expect(secondExecutable).toBe(firstExecutable + 10n);
    voted(provider, second, true);
    expect(read.getVoteLock(provider)).toBe(secondExecutable);
    voted(provider, first, true);
    expect(read.getVoteLock(provider)).toBe(secondExecutable);
  });

  describe("only stake held before the proposal counts (ordered by proposal id)", () => {
    it("stake registered before the proposal, in the same burn block, counts in full", () => {
      const now = height();
      stakedProvider(); // 1,000,000 dataset stake
      expect(registerValidator(provider, 500_000n + DEFAULTS.minValidatorStake).result).toBeOk(Cl.bool(true));
      expect(registerValidator(validator1, 2_000_000n).result).toBeOk(Cl.bool(true));
      const id = proposed(provider, "committee-size", 3);
      expect(height()).toBe(now);
      expect(read.getValidator(validator1)?.registeredAfterProposal).toBe(0n);
      expect(read.getProposalVotingPower(id, provider)).toBe(2_500_000n);
      expect(read.getProposalVotingPower(id, validator1)).toBe(2_000_000n);
      expect(voteOn(provider, id, true).result).toBeOk(Cl.uint(2_500_000));
      expect(voteOn(validator1, id, false).result).toBeOk(Cl.uint(2_000_000));
      expect(read.getProposal(id)).toMatchObject({ yesVotes: 2_500_000n, noVotes: 2_000_000n, totalStake: 4_500_000n });
    });

    it("a dataset stake registered after the proposal, even in the same burn block, counts 0: NO_VOTING_POWER", () => {
      stakedProvider();
      const id = proposed(provider, "committee-size", 3);
      const now = height();
      expect(registerDataset(provider2, 5_000_000n).result).toBeOk(Cl.uint(2));
      expect(height()).toBe(now);
      expect(read.getVotingPower(provider2)).toBe(5_000_000n);
      expect(read.getProposalVotingPower(id, provider2)).toBe(0n);
      const r = voteOn(provider2, id, false);
      expectErr(r, "NO_VOTING_POWER");
      expect(r.events).toEqual([]);
      expect(read.getVoteRecord(id, provider2)).toBeNull();
      expect(read.getVoteLock(provider2)).toBe(0n);
      expect(read.getProposal(id)).toMatchObject({ yesVotes: 0n, noVotes: 0n });
      // on a proposal made after the deposit the stake counts in full
      const later = proposed(provider, "committee-size", 4);
      expect(read.getProposalVotingPower(later, provider2)).toBe(5_000_000n);
      expect(voteOn(provider2, later, false).result).toBeOk(Cl.uint(5_000_000));
    });

    it("a validator registered after the proposal, even in the same burn block, counts 0: NO_VOTING_POWER", () => {
      stakedProvider();
      const id = proposed(provider, "committee-size", 3);
      const now = height();
      expect(registerValidator(validator1, 4_000_000n).result).toBeOk(Cl.bool(true));
      expect(height()).toBe(now);
      expect(read.getValidator(validator1)?.registeredAfterProposal).toBe(id);
      expect(read.getVotingPower(validator1)).toBe(4_000_000n);
      expect(read.getProposalVotingPower(id, validator1)).toBe(0n);
      const r = voteOn(validator1, id, true);
      expectErr(r, "NO_VOTING_POWER");
      expect(r.events).toEqual([]);
      expect(read.getVoteRecord(id, validator1)).toBeNull();
      expect(read.getVoteLock(validator1)).toBe(0n);
      const later = proposed(provider, "committee-size", 4);
      expect(voteOn(validator1, later, true).result).toBeOk(Cl.uint(4_000_000));
    });

    it("a provider that adds stake after the proposal votes with only what it held before", () => {
      stakedProvider(); // provider: 1,000,000, before any proposal
      stakedProvider(provider2); // the proposer
      const id = proposed(provider2, "committee-size", 3);
      expect(addStake(provider, 1, 4_000_000n).result).toBeOk(Cl.uint(5_000_000));
      expect(registerDataset(provider, 2_000_000n).result).toBeOk(Cl.uint(3));
      expect(read.getVotingPower(provider)).toBe(7_000_000n);
      expect(read.getProposalVotingPower(id, provider)).toBe(1_000_000n);
      const r = voteOn(provider, id, true);
      expect(r.result).toBeOk(Cl.uint(1_000_000));
      expect(printEvents(r)).toEqual([
        { event: "proposal-voted", "proposal-id": id, voter: provider, support: true, weight: 1_000_000n },
      ]);
      expect(read.getVoteRecord(id, provider)).toEqual({ support: true, weight: 1_000_000n });
      expect(read.getProposal(id)).toMatchObject({ yesVotes: 1_000_000n, noVotes: 0n });
      // a proposal made after the increases counts all 7,000,000
      const later = proposed(provider2, "committee-size", 4);
      expect(voteOn(provider, later, true).result).toBeOk(Cl.uint(7_000_000));
    });

    it("a validator stake and a dataset stake held before count, a later top-up does not", () => {
      expect(registerValidator(provider, 2_000_000n).result).toBeOk(Cl.bool(true));
      stakedProvider(provider, 3_000_000n);
      const id = proposed(provider, "committee-size", 3);
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(4_000_000));
      expect(read.getVotingPower(provider)).toBe(6_000_000n);
      expect(read.getProposalVotingPower(id, provider)).toBe(5_000_000n);
      expect(voteOn(provider, id, true).result).toBeOk(Cl.uint(5_000_000));
    });

    it("stake withdrawn after the proposal no longer counts: the weight is min(run-floor, stake)", () => {
      stakedProvider(provider, 1_000_000n); // dataset 1
      stakedProvider(provider, 3_000_000n); // dataset 2, never matched: withdrawable at once
      stakedProvider(provider2);
      const id = proposed(provider2, "committee-size", 3);
      expect(registerDataset(provider, 2_000_000n).result).toBeOk(Cl.uint(4)); // run floor 4,000,000, stake 6,000,000
      expect(read.getProposalVotingPower(id, provider)).toBe(4_000_000n);
      expect(withdrawStake(provider, 2).result).toBeOk(Cl.uint(3_000_000)); // stake 3,000,000
      expect(read.getVotingPower(provider)).toBe(3_000_000n);
      expect(read.getProposalVotingPower(id, provider)).toBe(3_000_000n);
      expect(voteOn(provider, id, false).result).toBeOk(Cl.uint(3_000_000));
    });
  });

  describe("increases come in runs: the last run and the merged runs before it (provider-stakes)", () => {
    it("a new principal starts from zeros; its increases before any proposal form run 0, which counts in full", () => {
      expect(providerStake(provider)).toBeNull();
      stakedProvider(); // dataset 1: 1,000,000
      expect(registerDataset(provider, 2_000_000n).result).toBeOk(Cl.uint(2));
      expect(providerStake(provider)).toEqual(stakeRecord(3_000_000n, [0n, 0n, 0n], [0n, 0n, 0n]));
      const id = proposed(provider, "committee-size", 3);
      expect(read.getProposalVotingPower(id, provider)).toBe(3_000_000n);
      expect(voteOn(provider, id, true).result).toBeOk(Cl.uint(3_000_000));
    });

    it("stake registered while P1 was open counts in full on a later P2 after a top-up; the top-up counts on neither", () => {
      stakedProvider(provider2); // dataset 1, the proposer
      const p1 = proposed(provider2, "committee-size", 3);
      const e1 = read.getProposal(p1)?.votingEndsAt as bigint;
      // registered after P1 (same burn block): a new principal's first run, on P1, with floor 0
      expect(registerDataset(provider, 1_000_000n).result).toBeOk(Cl.uint(2));
      expect(providerStake(provider)).toEqual(stakeRecord(1_000_000n, [1n, 0n, e1], [0n, 0n, 0n]));
      expect(read.getProposalVotingPower(p1, provider)).toBe(0n);

      simnet.mineEmptyBlocks(10);
      const p2 = proposed(provider2, "committee-size", 4); // P1 is still open
      const e2 = read.getProposal(p2)?.votingEndsAt as bigint;
      expect(e2).toBe(e1 + 10n);
      expect(read.getProposalVotingPower(p2, provider)).toBe(1_000_000n);

      // a top-up after P2 starts a new run whose floor is the 1,000,000 held when P2 was made;
      // the run on P1 becomes the prior run (floor 0)
      expect(addStake(provider, 2, 2_000_000n).result).toBeOk(Cl.uint(3_000_000));
      expect(providerStake(provider)).toEqual(stakeRecord(3_000_000n, [2n, 1_000_000n, e2], [1n, 0n, e1]));
      expect(read.getVotingPower(provider)).toBe(3_000_000n);
      expect(read.getProposalVotingPower(p2, provider)).toBe(1_000_000n);
      expect(read.getProposalVotingPower(p1, provider)).toBe(0n);
      expectErr(voteOn(provider, p1, true), "NO_VOTING_POWER");
      expect(voteOn(provider, p2, true).result).toBeOk(Cl.uint(1_000_000));
      expect(read.getProposal(p2)).toMatchObject({ yesVotes: 1_000_000n, noVotes: 0n });
      // a proposal made after the top-up counts all of it
      const p3 = proposed(provider2, "committee-size", 5);
      expect(read.getProposalVotingPower(p3, provider)).toBe(3_000_000n);
      expect(voteOn(provider, p3, false).result).toBeOk(Cl.uint(3_000_000));
    });

    it("stake withdrawn after a proposal and replaced by new stake does not count again: a floor is what was held without a break", () => {
      // 3,000,000 held when P1 is made (dataset 1 + dataset 2)
      stakedProvider(); // dataset 1: 1,000,000
      expect(registerDataset(provider, 2_000_000n).result).toBeOk(Cl.uint(2));
      stakedProvider(provider2); // dataset 3, the proposer
      const p1 = proposed(provider2, "committee-size", 3);
      const e1 = read.getProposal(p1)?.votingEndsAt as bigint;
      // a 1 micro-STX top-up starts the run on P1 with floor 3,000,000
      expect(addStake(provider, 1, 1n).result).toBeOk(Cl.uint(1_000_001));
      expect(providerStake(provider)).toEqual(stakeRecord(3_000_001n, [1n, 3_000_000n, e1], [0n, 0n, 0n]));
      // dataset 2 leaves (the provider has not voted yet, so nothing is locked)
      expect(withdrawStake(provider, 2).result).toBeOk(Cl.uint(2_000_000));
      expect(read.getProposalVotingPower(p1, provider)).toBe(1_000_001n);
      // 2,000,000 of new stake in the same run: the floor falls to the 1,000,001 held just before
      expect(registerDataset(provider, 2_000_000n).result).toBeOk(Cl.uint(4));
      expect(providerStake(provider)).toEqual(stakeRecord(3_000_001n, [1n, 1_000_001n, e1], [0n, 0n, 0n]));
      expect(read.getProposalVotingPower(p1, provider)).toBe(1_000_001n);
      expect(voteOn(provider, p1, true).result).toBeOk(Cl.uint(1_000_001));
    });

    it("increases with no proposal between them are one run: its floor stays the stake before its first increase", () => {
      stakedProvider(); // dataset 1: 1,000,000, before any proposal
      expect(providerStake(provider)).toEqual(stakeRecord(1_000_000n, [0n, 0n, 0n], [0n, 0n, 0n]));
      stakedProvider(provider2); // dataset 2, the proposer
      const p1 = proposed(provider2, "committee-size", 3);
      const e1 = read.getProposal(p1)?.votingEndsAt as bigint;
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(2_000_000)); // the run on P1: floor 1,000,000
      simnet.mineEmptyBlocks(5);
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(3_000_000)); // the same run
      expect(registerDataset(provider, 1_000_000n).result).toBeOk(Cl.uint(3)); // a new dataset: the same run
      expect(providerStake(provider)).toEqual(stakeRecord(4_000_000n, [1n, 1_000_000n, e1], [0n, 0n, 0n]));
      expect(read.getVotingPower(provider)).toBe(4_000_000n);
      expect(read.getProposalVotingPower(p1, provider)).toBe(1_000_000n);
      expect(voteOn(provider, p1, true).result).toBeOk(Cl.uint(1_000_000));
      const p2 = proposed(provider2, "committee-size", 4);
      expect(read.getProposalVotingPower(p2, provider)).toBe(4_000_000n);
    });

    it("an increase after a new proposal starts a new run: each proposal counts the stake held when it was made", () => {
      stakedProvider(); // dataset 1: 1,000,000
      stakedProvider(provider2);
      const p1 = proposed(provider2, "committee-size", 3);
      const e1 = read.getProposal(p1)?.votingEndsAt as bigint;
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(2_000_000)); // run on P1: floor 1,000,000
      simnet.mineEmptyBlocks(10);
      const p2 = proposed(provider2, "committee-size", 4); // P1 still open
      const e2 = e1 + 10n;
      expect(read.getProposal(p2)?.votingEndsAt).toBe(e2);
      // nothing added since P2: all 2,000,000 count on it, 1,000,000 on P1
      expect(read.getProposalVotingPower(p2, provider)).toBe(2_000_000n);
      expect(read.getProposalVotingPower(p1, provider)).toBe(1_000_000n);

      expect(addStake(provider, 1, 2_000_000n).result).toBeOk(Cl.uint(4_000_000)); // run on P2: floor 2,000,000
      expect(providerStake(provider)).toEqual(stakeRecord(4_000_000n, [2n, 2_000_000n, e2], [1n, 1_000_000n, e1]));
      expect(read.getProposalVotingPower(p1, provider)).toBe(1_000_000n);
      expect(read.getProposalVotingPower(p2, provider)).toBe(2_000_000n);
      expect(voteOn(provider, p1, true).result).toBeOk(Cl.uint(1_000_000));
      expect(voteOn(provider, p2, false).result).toBeOk(Cl.uint(2_000_000));
      expect(read.getProposal(p1)).toMatchObject({ yesVotes: 1_000_000n, noVotes: 0n });
      expect(read.getProposal(p2)).toMatchObject({ yesVotes: 0n, noVotes: 2_000_000n });
      const p3 = proposed(provider2, "committee-size", 5);
      expect(read.getProposalVotingPower(p3, provider)).toBe(4_000_000n);
    });

    /** Runs on P1 (floor 1,000,000) and P2 (floor 2,000,000), P2 made 10 blocks after P1: stake 4,000,000. */
    function twoRuns() {
      stakedProvider(); // dataset 1: 1,000,000
      stakedProvider(provider2);
      const p1 = proposed(provider2, "committee-size", 3);
      const e1 = read.getProposal(p1)?.votingEndsAt as bigint;
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(2_000_000));
      simnet.mineEmptyBlocks(10);
      const p2 = proposed(provider2, "committee-size", 4);
      const e2 = e1 + 10n;
      expect(addStake(provider, 1, 2_000_000n).result).toBeOk(Cl.uint(4_000_000));
      expect(providerStake(provider)).toEqual(stakeRecord(4_000_000n, [2n, 2_000_000n, e2], [1n, 1_000_000n, e1]));
      return { p1, e1, p2, e2 };
    }

    it("a third run while P1 is still open (at its voting-ends-at) merges the prior runs at their lowest floor", () => {
      const { p1, e1, p2, e2 } = twoRuns();
      mineUntil(e1); // P1 still takes votes
      const p3 = proposed(provider2, "committee-size", 5);
      const e3 = e1 + VOTING_PERIOD;
      expect(read.getProposal(p3)?.votingEndsAt).toBe(e3);
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(5_000_000)); // run on P3: floor 4,000,000
      // prior: proposals up to P2 with min(1,000,000, 2,000,000), open until P2 closes
      expect(providerStake(provider)).toEqual(stakeRecord(5_000_000n, [3n, 4_000_000n, e3], [2n, 1_000_000n, e2]));
      expect(read.getProposalVotingPower(p1, provider)).toBe(1_000_000n);
      // it held 2,000,000 when P2 was made, but now counts the merged floor on it
      expect(read.getProposalVotingPower(p2, provider)).toBe(1_000_000n);
      expect(read.getProposalVotingPower(p3, provider)).toBe(4_000_000n);
      expect(voteOn(provider, p1, true).result).toBeOk(Cl.uint(1_000_000));
      expect(voteOn(provider, p2, true).result).toBeOk(Cl.uint(1_000_000));
      expect(voteOn(provider, p3, true).result).toBeOk(Cl.uint(4_000_000));
    });

    it("the prior floor is dropped once every proposal it concerned has closed: P2 then counts in full", () => {
      const { p1, e1, p2, e2 } = twoRuns();
      mineUntil(e1 + 1n); // P1 has closed, P2 is open
      const p3 = proposed(provider2, "committee-size", 5);
      const e3 = e1 + 1n + VOTING_PERIOD;
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(5_000_000)); // run on P3: floor 4,000,000
      // P1's floor (1,000,000) is gone: the prior runs keep the run on P2's floor
      expect(providerStake(provider)).toEqual(stakeRecord(5_000_000n, [3n, 4_000_000n, e3], [2n, 2_000_000n, e2]));
      expect(read.getProposalVotingPower(p2, provider)).toBe(2_000_000n);
      expect(read.getProposalVotingPower(p3, provider)).toBe(4_000_000n);
      expectErr(voteOn(provider, p1, true), "VOTING_CLOSED");
      expect(voteOn(provider, p2, true).result).toBeOk(Cl.uint(2_000_000));
      expect(voteOn(provider, p3, false).result).toBeOk(Cl.uint(4_000_000));
      const p4 = proposed(provider2, "committee-size", 6);
      expect(read.getProposalVotingPower(p4, provider)).toBe(5_000_000n);
    });

    it("after a withdrawal each proposal counts min(stake, its floor)", () => {
      stakedProvider(provider, 1_000_000n); // dataset 1
      stakedProvider(provider, 1_500_000n); // dataset 2, never matched: withdrawable at once
      stakedProvider(provider2); // dataset 3
      const p1 = proposed(provider2, "committee-size", 3);
      const e1 = read.getProposal(p1)?.votingEndsAt as bigint;
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(2_000_000)); // run on P1: floor 2,500,000
      const p2 = proposed(provider2, "committee-size", 4);
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(3_000_000)); // run on P2: floor 3,500,000
      expect(providerStake(provider)).toEqual(stakeRecord(4_500_000n, [2n, 3_500_000n, e1], [1n, 2_500_000n, e1]));
      expect(withdrawStake(provider, 2).result).toBeOk(Cl.uint(1_500_000));
      // a decrease lowers only the stake
      expect(providerStake(provider)).toEqual(stakeRecord(3_000_000n, [2n, 3_500_000n, e1], [1n, 2_500_000n, e1]));
      expect(read.getVotingPower(provider)).toBe(3_000_000n);
      expect(read.getProposalVotingPower(p1, provider)).toBe(2_500_000n); // the floor
      expect(read.getProposalVotingPower(p2, provider)).toBe(3_000_000n); // the stake
      expect(voteOn(provider, p1, true).result).toBeOk(Cl.uint(2_500_000));
      expect(voteOn(provider, p2, true).result).toBeOk(Cl.uint(3_000_000));
      const p3 = proposed(provider2, "committee-size", 5);
      expect(read.getProposalVotingPower(p3, provider)).toBe(3_000_000n);
    });

    it("after a slash each proposal counts min(stake, its floor)", () => {
      matchedJob(); // validator1 (1,000,000), dataset 1 (provider, 1,000,000), bid 1 matched
      stakedProvider(provider2); // dataset 2
      const p1 = proposed(provider2, "committee-size", 3);
      const e1 = read.getProposal(p1)?.votingEndsAt as bigint;
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(2_000_000)); // run on P1: floor 1,000,000
      const p2 = proposed(provider2, "committee-size", 4);
      expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(3_000_000)); // run on P2: floor 2,000,000
      // scored 10: 50% of the dataset's 3,000,000 is slashed
      expect(vote(validator1, 1, 1, 10).result).toBeOk(Cl.bool(true));
      expect(read.getJobResult(1)?.slashedAmount).toBe(1_500_000n);
      expect(providerStake(provider)).toEqual(stakeRecord(1_500_000n, [2n, 2_000_000n, e1], [1n, 1_000_000n, e1]));
      expect(read.getVotingPower(provider)).toBe(1_500_000n);
      expect(read.getProposalVotingPower(p1, provider)).toBe(1_000_000n); // the floor
      expect(read.getProposalVotingPower(p2, provider)).toBe(1_500_000n); // the stake
      expect(voteOn(provider, p1, false).result).toBeOk(Cl.uint(1_000_000));
      expect(voteOn(provider, p2, false).result).toBeOk(Cl.uint(1_500_000));
    });
  });
});

describe("get-proposal-voting-power", () => {
  it("is the weight vote-on-proposal gives, for providers and validators alike", () => {
    stakedProvider(provider, 2_000_000n);
    expect(registerValidator(validator1, 3_000_000n).result).toBeOk(Cl.bool(true));
    const id = proposed(provider, "committee-size", 3);
    expect(addStake(provider, 1, 1_000_000n).result).toBeOk(Cl.uint(3_000_000));
    for (const [who, weight] of [[provider, 2_000_000n], [validator1, 3_000_000n]] as const) {
      expect(read.getProposalVotingPower(id, who)).toBe(weight);
      expect(voteOn(who, id, true).result).toBeOk(Cl.uint(weight));
      expect(read.getVoteRecord(id, who)?.weight).toBe(weight);
    }
    expect(read.getProposal(id)?.yesVotes).toBe(5_000_000n);
  });

  it("is 0 for an unknown proposal id, whatever the principal holds", () => {
    stakedProvider(provider, 2_000_000n);
    expect(registerValidator(validator1, 3_000_000n).result).toBeOk(Cl.bool(true));
    // no proposal yet: id 1 is unknown too
    for (const id of [0n, 1n, 2n]) {
      expect(read.getProposalVotingPower(id, provider)).toBe(0n);
      expect(read.getProposalVotingPower(id, validator1)).toBe(0n);
    }
    const id = proposed(provider, "committee-size", 3);
    expect(id).toBe(1n);
    expect(read.getProposalVotingPower(1, provider)).toBe(2_000_000n);
    expect(read.getProposalVotingPower(1, validator1)).toBe(3_000_000n);
    for (const unknown of [0n, 2n, 1_000n, 2n ** 128n - 1n]) {
      expect(read.getProposalVotingPower(unknown, provider)).toBe(0n);
      expect(read.getProposalVotingPower(unknown, validator1)).toBe(0n);
      expectErr(voteOn(provider, unknown, true), "PROPOSAL_NOT_FOUND");
    }
  });

  it("is 0 for a principal that never staked", () => {
    stakedProvider();
    const id = proposed(provider, "committee-size", 3);
    expect(read.getProposalVotingPower(id, outsider)).toBe(0n);
    expect(read.getProposalVotingPower(id, deployer)).toBe(0n);
  });

  it("get-voting-power is unchanged: all stake held now, whenever it came; propose's threshold uses it", () => {
    stakedProvider();
    const id = proposed(provider, "committee-size", 3);
    stakedProvider(provider2, 1_500_000n);
    expect(registerValidator(provider2, 1_000_000n).result).toBeOk(Cl.bool(true));
    expect(read.getVotingPower(provider2)).toBe(2_500_000n);
    expect(read.getProposalVotingPower(id, provider2)).toBe(0n);
    // the stake added after proposal 1 reaches the threshold for a new proposal
    const next = proposed(provider2, "committee-size", 4);
    expect(next).toBe(2n);
    expect(read.getProposalVotingPower(next, provider2)).toBe(2_500_000n);
  });
});

// ---------------------------------------------------------------------------
// Vote locks on withdrawals
// ---------------------------------------------------------------------------

describe("vote locks", () => {
  it("withdraw-dataset-stake fails with VOTE_LOCKED until executable-at inclusive, then pays out", () => {
    stakedProvider(provider, 2_000_000n);
    const id = proposed(provider, "committee-size", 3);
    voted(provider, id, true);
    const { votingEndsAt: endsAt, executableAt } = read.getProposal(id)!;
    expect(read.getVoteLock(provider)).toBe(executableAt);
    const before = balances(provider, contractId);

    const r = withdrawStake(provider, 1);
    expectErr(r, "VOTE_LOCKED");
    expect(r.events).toEqual([]);
    // the vote has closed, but the proposal cannot be executed yet: still locked
    mineUntil(endsAt + 1n);
    expectErr(withdrawStake(provider, 1), "VOTE_LOCKED");
    mineUntil(executableAt);
    expectErr(withdrawStake(provider, 1), "VOTE_LOCKED");
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [contractId, 0n]]));

    simnet.mineEmptyBlocks(1);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(2_000_000));
    expect(deltas(before)).toEqual(new Map([[provider, 2_000_000n], [contractId, -2_000_000n]]));
    expect(read.getVotingPower(provider)).toBe(0n);
  });

  it("withdraw-validator-stake fails with VOTE_LOCKED until executable-at inclusive, then pays out", () => {
    stakedProvider();
    expect(registerValidator(validator1, 2_000_000n).result).toBeOk(Cl.bool(true));
    const id = proposed(provider, "committee-size", 3);
    voted(validator1, id, false);
    const { votingEndsAt: endsAt, executableAt } = read.getProposal(id)!;
    expect(read.getVoteLock(validator1)).toBe(executableAt);
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    simnet.mineEmptyBlocks(Number(DEFAULTS.validatorUnbondingBlocks));
    const before = balances(validator1, contractId);

    const r = withdrawValidator(validator1);
    expectErr(r, "VOTE_LOCKED");
    expect(r.events).toEqual([]);
    mineUntil(endsAt + 1n);
    expectErr(withdrawValidator(validator1), "VOTE_LOCKED");
    mineUntil(executableAt);
    expectErr(withdrawValidator(validator1), "VOTE_LOCKED");
    expect(deltas(before)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));

    simnet.mineEmptyBlocks(1);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(2_000_000));
    expect(deltas(before)).toEqual(new Map([[validator1, 2_000_000n], [contractId, -2_000_000n]]));
    expect(read.getValidator(validator1)).toBeNull();
  });

  it("does not lock a principal that did not vote, nor the proposer for proposing", () => {
    stakedProvider();
    stakedProvider(provider2);
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    const id = proposed(provider, "committee-size", 3);
    voted(provider2, id, true);
    expect(requestExit(validator2).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    simnet.mineEmptyBlocks(Number(DEFAULTS.validatorUnbondingBlocks));
    expect(height()).toBeLessThan(read.getProposal(id)?.votingEndsAt as bigint);

    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(1_000_000));
    expect(withdrawValidator(validator2).result).toBeOk(Cl.uint(1_000_000));
    expectErr(withdrawStake(provider2, 2), "VOTE_LOCKED");
  });

  it("outlasts the vote: a voter cannot leave before the proposal can be executed, may leave after, and its vote still counts", () => {
    stakedProvider(provider, 3_000_000n); // votes yes, then leaves
    stakedProvider(provider2, 1_000_000n); // votes no
    stakedProvider(bidder2, 8_000_000n); // silent
    const id = proposed(provider, "committee-size", 3);
    voted(provider, id, true);
    voted(provider2, id, false);
    const { votingEndsAt: endsAt, executableAt } = read.getProposal(id)!;
    // the vote has closed: whoever swung it still carries its outcome through the execution delay
    mineUntil(endsAt + 1n);
    expectErr(withdrawStake(provider, 1), "VOTE_LOCKED");
    expectErr(withdrawStake(provider2, 2), "VOTE_LOCKED");
    mineUntil(executableAt);
    expectErr(withdrawStake(provider, 1), "VOTE_LOCKED");
    simnet.mineEmptyBlocks(1);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(3_000_000));
    // turnout 4,000,000 of the 9,000,000 still staked (20%: 1,800,000); the 3,000,000 yes no longer
    // has stake behind it but still counts
    expect(execute(outsider, id).result).toBeOk(Cl.uint(2));
    expect(read.getParameters().committeeSize).toBe(3n);
    expect(read.getProposal(id)).toMatchObject({ yesVotes: 3_000_000n, noVotes: 1_000_000n, executed: true });
  });

  it("a voter is still locked when the proposal executes at executable-at", () => {
    stakedProvider(provider, 2_000_000n);
    const id = proposed(provider, "committee-size", 3);
    voted(provider, id, true);
    mineToExecutable(id);
    expect(execute(outsider, id).result).toBeOk(Cl.uint(2));
    expectErr(withdrawStake(provider, 1), "VOTE_LOCKED");
    simnet.mineEmptyBlocks(1);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(2_000_000));
  });
});

// ---------------------------------------------------------------------------
// execute-proposal
// ---------------------------------------------------------------------------

describe("execute-proposal", () => {
  it("anyone (here a principal without stake) executes a passed proposal: version, event, record", () => {
    stakedProvider();
    const id = proposed(provider, "consensus-tolerance", 20);
    voted(provider, id, true);
    mineToExecutable(id);
    expect(read.getVotingPower(outsider)).toBe(0n);
    const r = execute(outsider, id);
    expect(r.result).toBeOk(Cl.uint(2));
    expect(eventNames(r)).toEqual(["parameter-changed"]);
    expect(printEvents(r)[0]).toEqual({
      event: "parameter-changed",
      "proposal-id": id,
      parameter: "consensus-tolerance",
      value: 20n,
      version: 2n,
    });
    expect(r.events.filter((e) => e.event === "stx_transfer_event")).toEqual([]);
    expect(read.getProposal(id)).toMatchObject({ executed: true, yesVotes: 1_000_000n });
    expect(read.getParameters().consensusTolerance).toBe(20n);
  });

  it("refuses an unknown proposal with PROPOSAL_NOT_FOUND", () => {
    expectErr(execute(outsider, 1), "PROPOSAL_NOT_FOUND");
  });

  it("refuses before executable-at with VOTING_NOT_OVER (during the vote, at its end, one block before) and accepts at it", () => {
    stakedProvider();
    const id = proposed(provider, "committee-size", 3);
    voted(provider, id, true);
    const p = read.getProposal(id)!;
    expectErr(execute(outsider, id), "VOTING_NOT_OVER");
    mineUntil(p.votingEndsAt);
    expectErr(execute(outsider, id), "VOTING_NOT_OVER");
    mineUntil(p.executableAt - 1n);
    const r = execute(outsider, id);
    expectErr(r, "VOTING_NOT_OVER");
    expect(r.events).toEqual([]);
    expectUnchanged();
    simnet.mineEmptyBlocks(1);
    expect(execute(outsider, id).result).toBeOk(Cl.uint(2));
  });

  it("accepts one block before expires-at and refuses at expires-at with PROPOSAL_EXPIRED", () => {
    stakedProvider();
    const late = proposed(provider, "committee-size", 3);
    const onTime = proposed(provider, "committee-size", 4);
    voted(provider, late, true);
    voted(provider, onTime, true);
    const expiresAt = read.getProposal(late)?.expiresAt as bigint;
    expect(expiresAt).toBe((read.getProposal(late)?.executableAt as bigint) + EXECUTION_WINDOW);
    mineUntil(expiresAt - 1n);
    expect(execute(outsider, onTime).result).toBeOk(Cl.uint(2));
    simnet.mineEmptyBlocks(1);
    const r = execute(outsider, late);
    expectErr(r, "PROPOSAL_EXPIRED");
    expect(r.events).toEqual([]);
    expect(read.getParameters()).toMatchObject({ version: 2n, committeeSize: 4n });
  });

  it("refuses a second execution with PROPOSAL_EXECUTED, also after expiry", () => {
    stakedProvider();
    const id = proposed(provider, "committee-size", 3);
    voted(provider, id, true);
    mineToExecutable(id);
    expect(execute(outsider, id).result).toBeOk(Cl.uint(2));
    const r = execute(provider, id);
    expectErr(r, "PROPOSAL_EXECUTED");
    expect(r.events).toEqual([]);
    mineUntil(read.getProposal(id)?.expiresAt as bigint);
    expectErr(execute(outsider, id), "PROPOSAL_EXECUTED");
    expect(read.getParameters()).toEqual({ ...DEFAULT_PARAMS, version: 2n, committeeSize: 3n });
    expect(read.getParametersAt(3)).toBeNull();
  });

  describe("quorum: (yes + no) * 10000 >= min(stake when proposed, stake at execution) * quorum-bps", () => {
    it("passes at exactly 20% turnout", () => {
      stakedProvider(); // 1,000,000 votes
      stakedProvider(provider2, 4_000_000n); // silent
      const id = proposed(provider, "committee-size", 3);
      voted(provider, id, true);
      mineToExecutable(id);
      expect(execute(outsider, id).result).toBeOk(Cl.uint(2));
    });

    it("fails below it with QUORUM_NOT_MET and changes nothing; a validator stake counts in the total", () => {
      stakedProvider();
      stakedProvider(provider2, 4_000_000n);
      expect(registerValidator(validator1, 1n + DEFAULTS.minValidatorStake).result).toBeOk(Cl.bool(true));
      const id = proposed(provider, "committee-size", 3);
      voted(provider, id, true);
      mineToExecutable(id);
      const r = execute(outsider, id);
      expectErr(r, "QUORUM_NOT_MET");
      expect(r.events).toEqual([]);
      expectUnchanged();
      expect(read.getProposal(id)?.executed).toBe(false);
    });

    it("no votes at all: QUORUM_NOT_MET", () => {
      stakedProvider();
      const id = proposed(provider, "committee-size", 3);
      mineToExecutable(id);
      expectErr(execute(outsider, id), "QUORUM_NOT_MET");
      expectUnchanged();
    });

    it("stake parked after the proposal cannot block it: the base is at most the stake when proposed", () => {
      stakedProvider();
      const id = proposed(provider, "committee-size", 3);
      expect(read.getProposal(id)?.totalStake).toBe(1_000_000n);
      voted(provider, id, true);
      mineToExecutable(id);
      stakedProvider(provider2, 5_000_000n); // total 6,000,000 now, but 1,000,000 when proposed
      expect(execute(outsider, id).result).toBeOk(Cl.uint(2));
      expect(read.getParameters().committeeSize).toBe(3n);
    });

    it("stake that leaves before execution lowers the base: the quorum is of the stake still there", () => {
      stakedProvider(); // votes: 1,000,000
      stakedProvider(provider2, 5_000_000n); // total 6,000,000 when proposed: 1,000,000 is under 20%
      const id = proposed(provider, "committee-size", 3);
      voted(provider, id, true);
      mineToExecutable(id);
      expectErr(execute(outsider, id), "QUORUM_NOT_MET");
      expectUnchanged();
      expect(withdrawStake(provider2, 2).result).toBeOk(Cl.uint(5_000_000));
      expect(execute(outsider, id).result).toBeOk(Cl.uint(2));
    });

    it("uses the quorum-bps in force when the proposal was made", () => {
      stakedProvider(); // 1,000,000 of 4,000,000: 25%
      stakedProvider(provider2, 3_000_000n);
      const raise = proposed(provider, "governance-quorum-bps", 5_000);
      const old = proposed(provider, "committee-size", 3);
      voted(provider, raise, true);
      voted(provider, old, true);
      mineToExecutable(old);
      expect(execute(outsider, raise).result).toBeOk(Cl.uint(2));
      expect(read.getParameters().governanceQuorumBps).toBe(5_000n);
      // made under 20%: 25% turnout still passes
      expect(execute(outsider, old).result).toBeOk(Cl.uint(3));

      const fresh = proposed(provider, "committee-size", 4);
      expect(read.getProposal(fresh)?.quorumBps).toBe(5_000n);
      voted(provider, fresh, true);
      mineToExecutable(fresh);
      expectErr(execute(outsider, fresh), "QUORUM_NOT_MET");
      expect(read.getParameters().committeeSize).toBe(3n);
    });
  });

  describe("majority: yes must exceed no", () => {
    it("a tie is PROPOSAL_REJECTED and changes nothing", () => {
      stakedProvider();
      stakedProvider(provider2);
      const id = proposed(provider, "committee-size", 3);
      voted(provider, id, true);
      voted(provider2, id, false);
      mineToExecutable(id);
      const r = execute(outsider, id);
      expectErr(r, "PROPOSAL_REJECTED");
      expect(r.events).toEqual([]);
      expectUnchanged();
      expect(read.getProposal(id)?.executed).toBe(false);
    });

    it("a majority against is PROPOSAL_REJECTED and changes nothing", () => {
      stakedProvider();
      stakedProvider(provider2, 2_000_000n);
      const id = proposed(provider, "committee-size", 3);
      voted(provider, id, true);
      voted(provider2, id, false);
      mineToExecutable(id);
      expectErr(execute(outsider, id), "PROPOSAL_REJECTED");
      expectUnchanged();
    });

    it("yes by one micro-STX more passes", () => {
      stakedProvider(provider, 2_000_001n);
      stakedProvider(provider2, 2_000_000n);
      const id = proposed(provider, "committee-size", 3);
      voted(provider, id, true);
      voted(provider2, id, false);
      mineToExecutable(id);
      expect(execute(outsider, id).result).toBeOk(Cl.uint(2));
    });
  });

  /** Two proposals valid on their own against the defaults; the second is refused once the first is in force. */
  const CONFLICTS: [string, bigint, string, bigint, ErrorName][] = [
    ["reward-threshold", 50n, "slash-threshold", 60n, "THRESHOLDS_CROSSED"],
    ["slash-threshold", 65n, "reward-threshold", 60n, "THRESHOLDS_CROSSED"],
    ["validator-fee-bps", 6_000n, "protocol-fee-bps", 5_000n, "FEES_TOO_HIGH"],
    ["protocol-fee-bps", 9_000n, "validator-fee-bps", 1_000n, "FEES_TOO_HIGH"],
  ];

  it.each(CONFLICTS)(
    "re-checks at execution: %s=%s then %s=%s, the second fails with %s",
    (first, firstValue, second, secondValue, error) => {
      stakedProvider();
      const a = proposed(provider, first, firstValue);
      const b = proposed(provider, second, secondValue);
      voted(provider, a, true);
      voted(provider, b, true);
      mineToExecutable(b);
      expect(execute(outsider, a).result).toBeOk(Cl.uint(2));
      const r = execute(outsider, b);
      expectErr(r, error);
      expect(r.events).toEqual([]);
      const expected = { ...DEFAULT_PARAMS, version: 2n, [field(first)]: firstValue };
      expect(read.getParameters()).toEqual(expected);
      expect(read.getParametersAt(3)).toBeNull();
      expect(read.getProposal(b)?.executed).toBe(false);
    },
  );

  describe("a newer decision on the same parameter stands: PARAMETER_CHANGED", () => {
    it("refuses a proposal whose parameter another proposal changed after it was made, and changes nothing", () => {
      stakedProvider();
      const older = proposed(provider, "committee-size", 3);
      simnet.mineEmptyBlocks(10);
      const newer = proposed(provider, "committee-size", 4);
      voted(provider, older, true);
      voted(provider, newer, true);
      mineToExecutable(newer);
      expect(execute(outsider, newer).result).toBeOk(Cl.uint(2));
      const r = execute(outsider, older);
      expectErr(r, "PARAMETER_CHANGED");
      expect(r.events).toEqual([]);
      expect(read.getParameters()).toEqual({ ...DEFAULT_PARAMS, version: 2n, committeeSize: 4n });
      expect(read.getParametersAt(3)).toBeNull();
      expect(read.getProposal(older)?.executed).toBe(false);
    });

    it("two proposals on one parameter made under the same version: whichever executes first stands", () => {
      stakedProvider();
      const first = proposed(provider, "reward-threshold", 80);
      const second = proposed(provider, "reward-threshold", 90);
      voted(provider, first, true);
      voted(provider, second, true);
      mineToExecutable(second);
      expect(execute(outsider, first).result).toBeOk(Cl.uint(2));
      expectErr(execute(outsider, second), "PARAMETER_CHANGED");
      expect(read.getParameters()).toEqual({ ...DEFAULT_PARAMS, version: 2n, rewardThreshold: 80n });
      expect(read.getProposal(second)).toMatchObject({ baseVersion: 1n, executed: false });
    });

    it("a proposal made after the change executes: its base-version includes it", () => {
      stakedProvider();
      expect(enact("committee-size", 3n)).toBe(2n);
      const id = proposed(provider, "committee-size", 6);
      expect(read.getProposal(id)?.baseVersion).toBe(2n);
      voted(provider, id, true);
      mineToExecutable(id);
      expect(execute(outsider, id).result).toBeOk(Cl.uint(3));
      expect(read.getParameters()).toEqual({ ...DEFAULT_PARAMS, version: 3n, committeeSize: 6n });
    });

    it("a change to a different parameter, executed after the proposal was made, does not affect it", () => {
      stakedProvider();
      const id = proposed(provider, "committee-size", 3);
      const other = proposed(provider, "consensus-tolerance", 20);
      voted(provider, id, true);
      voted(provider, other, true);
      mineToExecutable(other);
      expect(execute(outsider, other).result).toBeOk(Cl.uint(2));
      expect(read.getProposal(id)?.baseVersion).toBe(1n);
      expect(execute(outsider, id).result).toBeOk(Cl.uint(3));
      expect(read.getParameters()).toEqual({ ...DEFAULT_PARAMS, version: 3n, consensusTolerance: 20n, committeeSize: 3n });
    });

    it("is checked after quorum and majority: a stale proposal short of quorum is QUORUM_NOT_MET, one voted down PROPOSAL_REJECTED", () => {
      stakedProvider(); // 1,000,000
      stakedProvider(provider2); // 1,000,000: 50% turnout each
      const noQuorum = proposed(provider, "committee-size", 3); // nobody votes
      const votedDown = proposed(provider, "committee-size", 4); // provider2 votes no
      const passed = proposed(provider, "committee-size", 6); // provider votes yes
      const winner = proposed(provider, "committee-size", 7); // both vote yes
      voted(provider2, votedDown, false);
      voted(provider, passed, true);
      voted(provider, winner, true);
      voted(provider2, winner, true);
      mineToExecutable(winner);
      expect(execute(outsider, winner).result).toBeOk(Cl.uint(2));
      expectErr(execute(outsider, noQuorum), "QUORUM_NOT_MET");
      expectErr(execute(outsider, votedDown), "PROPOSAL_REJECTED");
      expectErr(execute(outsider, passed), "PARAMETER_CHANGED");
      expect(read.getParameters()).toEqual({ ...DEFAULT_PARAMS, version: 2n, committeeSize: 7n });
    });

    it("is checked before the cross rules are re-checked", () => {
      stakedProvider();
      const raise = proposed(provider, "reward-threshold", 80);
      const slash = proposed(provider, "slash-threshold", 60); // below 70 and 80: valid
      const stale = proposed(provider, "reward-threshold", 50); // above 40: valid when made
      for (const id of [raise, slash, stale]) voted(provider, id, true);
      mineToExecutable(stale);
      expect(execute(outsider, raise).result).toBeOk(Cl.uint(2));
      // made under version 2 (reward 80, slash 40): valid, and its base includes the raise
      const fresh = proposed(provider, "reward-threshold", 50);
      voted(provider, fresh, true);
      expect(execute(outsider, slash).result).toBeOk(Cl.uint(3));
      // reward 50 would now cross slash-threshold 60; the stale one is refused for its base first
      expectErr(execute(outsider, stale), "PARAMETER_CHANGED");
      mineToExecutable(fresh);
      expectErr(execute(outsider, fresh), "THRESHOLDS_CROSSED");
      expect(read.getParameters()).toEqual({ ...DEFAULT_PARAMS, version: 3n, rewardThreshold: 80n, slashThreshold: 60n });
    });
  });
});

// ---------------------------------------------------------------------------
// Running jobs keep the parameters they were placed under
// ---------------------------------------------------------------------------

describe("running jobs keep their parameter version", () => {
  it("reward-threshold 70 -> 90: the old job scored 80 is paid in full, a new job scored 80 only in part", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    stakedProvider();
    expect(placeBid(bidder, 1, 500_000n, 100n, height() + 2_000n).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)).toMatchObject({ status: "MATCHED", parameterVersion: 1n });
    expect(seatsOf(1)).toEqual([validator1]);

    expect(enact("reward-threshold", 90n)).toBe(2n);
    expect(read.getParameters().rewardThreshold).toBe(90n);

    // old job, version 1: 80 >= 70, full payment; the provider gets 500,000 less the 5%
    // validator fee (25,000) and the 1% protocol fee (5,000)
    let before = balances(provider, bidder, validator1, contractId);
    expect(vote(validator1, 1, 1, 80).result).toBeOk(Cl.bool(true));
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 80n,
      outcome: "REWARDED",
      providerPayment: 470_000n,
      bidderRefund: 0n,
      validatorFees: 25_000n,
      protocolFee: 5_000n,
    });
    expect(deltas(before)).toEqual(
      new Map([[provider, 470_000n], [bidder, 0n], [validator1, 0n], [contractId, -470_000n]]),
    );

    // new job, version 2: payment = 500,000 * (80 - 40) / (90 - 40) = 400,000, of which
    // 5% (20,000) to the validators and 1% (4,000) to the treasury: the provider gets 376,000
    expect(placeBid(bidder, 1, 500_000n).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", parameterVersion: 2n });
    before = balances(provider, bidder, validator1, contractId);
    expect(vote(validator1, 1, 2, 80).result).toBeOk(Cl.bool(true));
    expect(read.getJobResult(2)).toMatchObject({
      finalScore: 80n,
      outcome: "PARTIAL",
      providerPayment: 376_000n,
      bidderRefund: 100_000n,
      validatorFees: 20_000n,
      protocolFee: 4_000n,
    });
    expect(deltas(before)).toEqual(
      new Map([[provider, 376_000n], [bidder, 100_000n], [validator1, 0n], [contractId, -476_000n]]),
    );
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(25_000));
    expect(claim(validator1, 2).result).toBeOk(Cl.uint(20_000));
  });

  it("committee-size and the validation windows of a running job stay as placed", () => {
    stakedProvider();
    expect(setTerms(provider, 1, 0, 2).result).toBeOk(Cl.bool(true));
    for (const v of [validator1, validator2, validator3]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    // three validators at the match, committee-size 5: all three are seated at once
    expect(placeBid(bidder, 1, 500_000n, 100n, height() + 1_300n).result).toBeOk(Cl.uint(1));
    const oldDeadline = read.getBid(1)?.deadline as bigint;
    expect(seatsOf(1)).toEqual([validator1, validator2, validator3]);

    // three changes voted together (the provider's 1,000,000 of 4,000,000 is 25% turnout)
    const ids = [
      proposed(provider, "committee-size", 2),
      proposed(provider, "validation-window", 300),
      proposed(provider, "reveal-window", 50),
    ];
    for (const id of ids) voted(provider, id, true);
    mineToExecutable(ids[2]);
    ids.forEach((id, i) => expect(execute(outsider, id).result).toBeOk(Cl.uint(i + 2)));
    expect(read.getParameters()).toMatchObject({ version: 4n, committeeSize: 2n, validationWindow: 300n, revealWindow: 50n });
    expect(height()).toBeLessThan(oldDeadline);

    // the old job keeps size 5 (its three seats) and its windows; 2 reveals of 3 seats are needed
    expect(read.getValidationWindows(1)).toEqual({
      commitClosesAt: oldDeadline + 144n,
      revealClosesAt: oldDeadline + 288n,
      committeeSize: 5n,
      minReveals: 2n,
    });
    expect(seatsOf(1)).toEqual([validator1, validator2, validator3]);

    // a new job, version 4: size 2 < 3 validators, so it waits for the seed, then seats two
    expect(placeBid(bidder2, 1, 500_000n).result).toBeOk(Cl.uint(2));
    const newDeadline = read.getBid(2)?.deadline as bigint;
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", parameterVersion: 4n });
    expect(read.getValidationWindows(2)).toEqual({
      commitClosesAt: newDeadline + 300n,
      revealClosesAt: newDeadline + 350n,
      committeeSize: 2n,
      minReveals: 0n,
    });
    // the seed needs the Bitcoin block after the decline window: decline-window + 1 = 7 blocks after the match
    const matchedAt = read.getBid(2)?.matchedAt as bigint;
    expectErr(drawCommittee(outsider, 2), "SEED_NOT_READY");
    mineUntil(matchedAt + DEFAULTS.declineWindow);
    expectErr(drawCommittee(outsider, 2), "SEED_NOT_READY");
    simnet.mineEmptyBlocks(1);
    expect(ok(drawCommittee(outsider, 2))).toHaveLength(2);
    const newSeat = seatsOf(2)[0];

    // old commit window: open at deadline + 144, closed at + 145 (version 4 would allow + 300)
    mineUntil(oldDeadline + 144n);
    expect(commit(validator1, 1, 80).result).toBeOk(Cl.bool(true));
    simnet.mineEmptyBlocks(1);
    expectErr(commit(validator2, 1, 80), "VALIDATION_CLOSED");
    // the new job's commit phase, version 4, is still open
    expect(height()).toBeLessThan(newDeadline + 300n);
    expect(commit(newSeat, 2, 80).result).toBeOk(Cl.bool(true));

    // old reveal window closes at deadline + 288 (version 4 would be + 350)
    mineUntil(oldDeadline + 288n);
    expectErr(finalizeValidation(outsider, 1), "NOT_READY_TO_FINALIZE");
    simnet.mineEmptyBlocks(1);
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    expect(read.getBid(1)?.status).toBe("EXPIRED");
  });
});
