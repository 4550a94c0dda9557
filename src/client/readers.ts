/**
 * Typed readers for every read-only view of the contract. One table (`VIEWS`) says how to call
 * each view and how to decode its answer; readers are generated from it for two sources:
 * - a Clarinet simnet (`simnetReader`, synchronous; `fromSimnet` for the async interface),
 * - a Stacks node API (`nodeReader`, via `fetchCallReadOnlyFunction` and the given `network`).
 * Amounts are bigint, statuses and outcomes are the names of `src/errors.ts`.
 */
import { Cl, fetchCallReadOnlyFunction, type ClarityValue } from "@stacks/transactions";
import { clientFromNetwork, networkFrom, type NetworkClientParam, type StacksNetwork, type StacksNetworkName } from "@stacks/network";
import { BID_STATUS, OUTCOME } from "../errors.ts";
import { contractPrincipal, contractRef, type ContractRef, type GovernableParameter, type UintLike } from "./contract.ts";
import { saltBytes } from "./commitment.ts";
import { ascii, bool, buffHex, list, named, optional, principal, tuple, uint, type Decoder } from "./decode.ts";

export type { UintLike } from "./contract.ts";

export type BidStatusName = keyof typeof BID_STATUS;
export type OutcomeName = keyof typeof OUTCOME;

// ---------------------------------------------------------------------------
// Decoders of the views' values
// ---------------------------------------------------------------------------

export const decodeDataset = tuple({
  provider: principal,
  stake: uint,
  metadataUri: ascii,
  pricePerBlock: uint,
  maxConcurrentJobs: uint,
  activeJobs: uint,
  queuedJobs: uint,
  queueHead: uint,
  queueTail: uint,
  matchedJobs: uint,
  validations: uint,
  passedValidations: uint,
  scoreSum: uint,
  /** Verified jobs it failed to deliver by their deadline. */
  nonDeliveries: uint,
  lastSettledAt: uint,
  registeredAt: uint,
  active: bool,
  qualityScore: uint,
});
export type Dataset = ReturnType<typeof decodeDataset>;

export const decodeBid = tuple({
  datasetId: uint,
  bidder: principal,
  amount: uint,
  duration: uint,
  deadline: uint,
  status: named(BID_STATUS, "bid status"),
  placedAt: uint,
  matchedAt: uint,
  matchedBlock: uint,
  /** The active set's size at the match: the committee is drawn from indices below it. */
  validatorsAtMatch: uint,
  /** The registration ordinal at the match: only validators registered up to it may sit. */
  registrationsAtMatch: uint,
  /** Pauses started before the match: the next one may excuse its silent seats. */
  pausesAtMatch: uint,
  /** A verified job: delivered as a model, judged on a sealed evaluation set (getJobDelivery). */
  verified: bool,
  /** What the provider earns on delivery: the ask times the duration when placed (0 for a plain job). */
  computeFee: uint,
  parameterVersion: uint,
});
export type Bid = ReturnType<typeof decodeBid>;

export const decodeValidator = tuple({
  stake: uint,
  active: bool,
  index: uint,
  openSeats: uint,
  exitRequestedAt: uint,
  registeredAt: uint,
  /** Its registration ordinal: it sits only on jobs matched after it registered. */
  ordinal: uint,
  /** The last proposal id when it registered: its stake votes only on later proposals. */
  registeredAfterProposal: uint,
});
export type Validator = ReturnType<typeof decodeValidator>;

export const decodeVote = tuple({
  commitment: buffHex,
  score: uint,
  weight: uint,
  revealed: bool,
  claimed: bool,
});
export type Vote = ReturnType<typeof decodeVote>;

export const decodeRevealedVote = tuple({ score: uint, weight: uint });
export type RevealedVote = ReturnType<typeof decodeRevealedVote>;

export const decodeCommittee = tuple({
  seats: list(principal),
  /** Each seat's weight: its member's stake at the draw. */
  weights: list(uint),
  /** The committee's whole weight: a slash needs a strict majority of it. */
  totalWeight: uint,
  commits: uint,
  reveals: uint,
  revealedWeight: uint,
  revealed: list(decodeRevealedVote),
});
export type Committee = ReturnType<typeof decodeCommittee>;

export const decodeValidationWindows = tuple({
  commitClosesAt: uint,
  revealClosesAt: uint,
  committeeSize: uint,
  minReveals: uint,
});
export type ValidationWindows = ReturnType<typeof decodeValidationWindows>;

export const decodeJobResult = tuple({
  finalScore: uint,
  outcome: named(OUTCOME, "outcome"),
  providerPayment: uint,
  bidderRefund: uint,
  slashedAmount: uint,
  validatorFees: uint,
  protocolFee: uint,
  penalties: uint,
  rewardPool: uint,
  rewardWeight: uint,
  finalizedAt: uint,
});
export type JobResult = ReturnType<typeof decodeJobResult>;

export const decodeQueueLink = tuple({ prev: uint, next: uint });
export type QueueLink = ReturnType<typeof decodeQueueLink>;

export const decodeParameters = tuple({
  version: uint,
  minDatasetStake: uint,
  minValidatorStake: uint,
  minBidAmount: uint,
  maxComputationDuration: uint,
  maxBidWait: uint,
  declineWindow: uint,
  evalRevealWindow: uint,
  nonDeliverySlashBps: uint,
  stakeLockBlocks: uint,
  validationWindow: uint,
  revealWindow: uint,
  validatorUnbondingBlocks: uint,
  committeeSize: uint,
  minRevealsBps: uint,
  rewardThreshold: uint,
  slashThreshold: uint,
  slashRateBps: uint,
  validatorFeeBps: uint,
  protocolFeeBps: uint,
  validatorPenaltyBps: uint,
  consensusTolerance: uint,
  votingPeriod: uint,
  executionDelay: uint,
  governanceQuorumBps: uint,
  proposalThreshold: uint,
});
export type MarketParameters = ReturnType<typeof decodeParameters>;

export const decodeProposal = tuple({
  proposer: principal,
  parameter: ascii,
  value: uint,
  /** The parameter version it was made under: a later change of its parameter stops it. */
  baseVersion: uint,
  createdAt: uint,
  votingEndsAt: uint,
  executableAt: uint,
  expiresAt: uint,
  quorumBps: uint,
  /** Dataset plus validator stakes when proposed: caps the quorum base at execution. */
  totalStake: uint,
  yesVotes: uint,
  noVotes: uint,
  executed: bool,
});
export type Proposal = ReturnType<typeof decodeProposal>;

export const decodeVoteRecord = tuple({ support: bool, weight: uint });
export type VoteRecord = ReturnType<typeof decodeVoteRecord>;

export const decodeParameterBounds = tuple({ minValue: uint, maxValue: uint });
export type ParameterBounds = ReturnType<typeof decodeParameterBounds>;

export const decodeMarketTotals = tuple({
  datasetStakes: uint,
  validatorStakes: uint,
  escrowedBids: uint,
  unclaimedRewards: uint,
  treasury: uint,
  /** Balance beyond the five buckets: STX sent outside the contract's functions. */
  surplus: uint,
});
export type MarketTotals = ReturnType<typeof decodeMarketTotals>;

export const decodePause = tuple({ startedAt: uint, endedAt: uint });
export type Pause = ReturnType<typeof decodePause>;

export const decodeJobDelivery = tuple({
  /** sha256 of the job spec's canonical bytes. */
  spec: buffHex,
  /** sha256(eval-digest ++ salt): the sealed evaluation set. */
  evalCommitment: buffHex,
  /** sha256 of the delivered ONNX model (null before delivery). */
  model: optional(buffHex),
  deliveredAt: uint,
  /** sha256 of the revealed evaluation set (null before its reveal). */
  evalDigest: optional(buffHex),
  evalRevealedAt: uint,
});
export type JobDelivery = ReturnType<typeof decodeJobDelivery>;

export const decodeBidderHistory = tuple({ jobs: uint, scoreSum: uint, defaults: uint, meanScore: uint });
export type BidderHistory = ReturnType<typeof decodeBidderHistory>;

export const decodeLastIds = tuple({ datasetId: uint, bidId: uint, proposalId: uint });
export type LastIds = ReturnType<typeof decodeLastIds>;

// ---------------------------------------------------------------------------
// The views
// ---------------------------------------------------------------------------

export interface ViewSpec<A extends unknown[], R> {
  /** The read-only function's name in the contract. */
  fn: string;
  args: (...args: A) => ClarityValue[];
  decode: Decoder<R>;
}

function view<A extends unknown[], R>(fn: string, args: (...args: A) => ClarityValue[], decode: Decoder<R>): ViewSpec<A, R> {
  return { fn, args, decode };
}

const none = () => [];

/** Every read-only view of the contract: reader method name -> function, arguments, decoder. */
export const VIEWS = {
  getDataset: view("get-dataset", (datasetId: UintLike) => [Cl.uint(datasetId)], optional(decodeDataset)),
  getBid: view("get-bid", (bidId: UintLike) => [Cl.uint(bidId)], optional(decodeBid)),
  getValidator: view("get-validator", (who: string) => [Cl.principal(who)], optional(decodeValidator)),
  getValidatorAt: view("get-validator-at", (index: UintLike) => [Cl.uint(index)], optional(principal)),
  getVote: view("get-vote", (bidId: UintLike, validator: string) => [Cl.uint(bidId), Cl.principal(validator)], optional(decodeVote)),
  getCommittee: view("get-committee", (bidId: UintLike) => [Cl.uint(bidId)], optional(decodeCommittee)),
  getCommitteeSeed: view("get-committee-seed", (bidId: UintLike) => [Cl.uint(bidId)], optional(buffHex)),
  computeCommitment: view(
    "compute-commitment",
    (score: UintLike, salt: Uint8Array | string, bidId: UintLike, validator: string) => [
      Cl.uint(score),
      Cl.buffer(saltBytes(salt)),
      Cl.uint(bidId),
      Cl.principal(validator),
    ],
    buffHex,
  ),
  getValidationWindows: view("get-validation-windows", (bidId: UintLike) => [Cl.uint(bidId)], optional(decodeValidationWindows)),
  getJobDelivery: view("get-job-delivery", (bidId: UintLike) => [Cl.uint(bidId)], optional(decodeJobDelivery)),
  getBidderHistory: view("get-bidder-history", (bidder: string) => [Cl.principal(bidder)], decodeBidderHistory),
  getComputeFee: view("get-compute-fee", (datasetId: UintLike, duration: UintLike) => [Cl.uint(datasetId), Cl.uint(duration)], optional(uint)),
  computeEvalCommitment: view(
    "compute-eval-commitment",
    (evalDigest: Uint8Array | string, salt: Uint8Array | string) => [Cl.buffer(saltBytes(evalDigest)), Cl.buffer(saltBytes(salt))],
    buffHex,
  ),
  getJobResult: view("get-job-result", (bidId: UintLike) => [Cl.uint(bidId)], optional(decodeJobResult)),
  getQueueLink: view("get-queue-link", (bidId: UintLike) => [Cl.uint(bidId)], optional(decodeQueueLink)),
  getParameters: view("get-parameters", none, decodeParameters),
  getParametersAt: view("get-parameters-at", (version: UintLike) => [Cl.uint(version)], optional(decodeParameters)),
  getProposal: view("get-proposal", (proposalId: UintLike) => [Cl.uint(proposalId)], optional(decodeProposal)),
  getVoteRecord: view(
    "get-vote-record",
    (proposalId: UintLike, voter: string) => [Cl.uint(proposalId), Cl.principal(voter)],
    optional(decodeVoteRecord),
  ),
  getVotingPower: view("get-voting-power", (who: string) => [Cl.principal(who)], uint),
  getProposalVotingPower: view(
    "get-proposal-voting-power",
    (proposalId: UintLike, who: string) => [Cl.uint(proposalId), Cl.principal(who)],
    uint,
  ),
  getPause: view("get-pause", (pauseNumber: UintLike) => [Cl.uint(pauseNumber)], optional(decodePause)),
  getVoteLock: view("get-vote-lock", (who: string) => [Cl.principal(who)], uint),
  getParameterBounds: view(
    "get-parameter-bounds",
    (parameter: GovernableParameter | (string & {})) => [Cl.stringAscii(parameter)],
    optional(decodeParameterBounds),
  ),
  getMarketTotals: view("get-market-totals", none, decodeMarketTotals),
  getContractBalance: view("get-contract-balance", none, uint),
  getActiveValidatorCount: view("get-active-validator-count", none, uint),
  getLastIds: view("get-last-ids", none, decodeLastIds),
  isPaused: view("is-paused", none, bool),
  getContractOwner: view("get-contract-owner", none, principal),
};

export type ViewName = keyof typeof VIEWS;

type SyncViews = {
  [K in ViewName]: (typeof VIEWS)[K] extends ViewSpec<infer A, infer R> ? (...args: A) => R : never;
};
type AsyncViews = {
  [K in ViewName]: (typeof VIEWS)[K] extends ViewSpec<infer A, infer R> ? (...args: A) => Promise<R> : never;
};

/** Synchronous reader (simnet only). `burnHeight()` is the contract's `burn-block-height`. */
export type SyncMarketReader = SyncViews & { readonly contract: ContractRef; burnHeight(): bigint };

/** The reader the planners use: simnet or node, every view returns a promise. */
export type MarketReader = AsyncViews & { readonly contract: ContractRef; burnHeight(): Promise<bigint> };

/** A raw read-only call: function name and arguments to the Clarity value it returns. */
export type ReadOnlyCall<Out> = (fn: string, args: ClarityValue[]) => Out;

function buildViews<Out>(call: ReadOnlyCall<Out>, wrap: <R>(out: Out, decode: Decoder<R>) => unknown) {
  const entries = Object.entries(VIEWS).map(([name, spec]) => {
    const s = spec as ViewSpec<unknown[], unknown>;
    return [name, (...args: unknown[]) => wrap(call(s.fn, s.args(...args)), s.decode)];
  });
  return Object.fromEntries(entries);
}

/**
 * The part of a Clarinet `Simnet` the readers use, written out rather than picked from
 * @stacks/clarinet-sdk's type: that package is a dev tool, and a web app importing the client
 * must type-check without it. A `Simnet` is one (tests/types/simnet-like.ts checks it).
 */
export interface SimnetLike {
  callReadOnlyFn(contract: string, method: string, args: ClarityValue[], sender: string): { result: ClarityValue };
  readonly burnBlockHeight: number;
}

/**
 * A synchronous reader over a simnet. `sender` (the read-only caller) defaults to the
 * contract's deployer address.
 */
export function simnetReader(simnet: SimnetLike, contract: string | ContractRef, sender?: string): SyncMarketReader {
  const ref = contractRef(contract);
  const id = contractPrincipal(ref);
  const caller = sender ?? ref.contractAddress;
  const views = buildViews<ClarityValue>(
    (fn, args) => simnet.callReadOnlyFn(id, fn, args, caller).result,
    (cv, decode) => decode(cv),
  );
  return { ...views, contract: ref, burnHeight: () => BigInt(simnet.burnBlockHeight) } as SyncMarketReader;
}

/** The async interface over a synchronous reader. */
export function asyncReader(reader: SyncMarketReader): MarketReader {
  const views = Object.fromEntries(
    (Object.keys(VIEWS) as ViewName[]).map((name) => {
      const fn = reader[name] as (...args: unknown[]) => unknown;
      return [name, async (...args: unknown[]) => fn(...args)];
    }),
  );
  return { ...views, contract: reader.contract, burnHeight: async () => reader.burnHeight() } as MarketReader;
}

/** A `MarketReader` over a simnet (what the planners take). */
export function fromSimnet(simnet: SimnetLike, contract: string | ContractRef, sender?: string): MarketReader {
  return asyncReader(simnetReader(simnet, contract, sender));
}

export interface NodeReaderOptions {
  contract: string | ContractRef;
  /** The network to read from: a name ("mainnet", "testnet", "devnet") or a `StacksNetwork`. Required. */
  network: StacksNetworkName | StacksNetwork;
  /** Overrides the network's client (`baseUrl`, `fetch`). */
  client?: NetworkClientParam["client"];
  /** The read-only call's sender; defaults to the contract's address. */
  senderAddress?: string;
}

/**
 * A reader over a Stacks node's API: views via `fetchCallReadOnlyFunction`
 * (`POST /v2/contracts/call-read/...`), the burn height via `GET /v2/info`.
 */
export function nodeReader(options: NodeReaderOptions): MarketReader {
  const ref = contractRef(options.contract);
  const { network } = options;
  const senderAddress = options.senderAddress ?? ref.contractAddress;
  const views = buildViews<Promise<ClarityValue>>(
    (functionName, functionArgs) =>
      fetchCallReadOnlyFunction({ ...ref, functionName, functionArgs, senderAddress, network, client: options.client }),
    async (pending, decode) => decode(await pending),
  );
  const burnHeight = async () => {
    const client = { ...clientFromNetwork(networkFrom(network)), ...options.client };
    const response = await client.fetch(`${client.baseUrl}/v2/info`);
    if (!response.ok) throw new Error(`GET ${client.baseUrl}/v2/info failed: ${response.status}`);
    const info = (await response.json()) as { burn_block_height?: number };
    if (typeof info.burn_block_height !== "number") throw new Error("/v2/info has no burn_block_height");
    return BigInt(info.burn_block_height);
  };
  return { ...views, contract: ref, burnHeight } as MarketReader;
}
