/**
 * `MarketClient`: builders + readers + planners for one deployment. Each method reads what the
 * call's payouts depend on, plans them, and returns the ready `MarketCall` with exact
 * post-conditions. Calls that need no plan are built directly.
 */
import type { StacksNetwork, StacksNetworkName, NetworkClientParam } from "@stacks/network";
import { contractRef, type ContractRef, type GovernableParameter, type UintLike } from "./contract.ts";
import { marketCalls, type MarketCall, type MarketCalls } from "./calls.ts";
import {
  planAddDatasetStake,
  planCancelBid,
  planClaimValidationRewards,
  planDeclineJob,
  planDeliverModel,
  planExpireBid,
  planFinalizeValidation,
  planMatchQueuedBids,
  planPlaceComputationBid,
  planRevealValidationResult,
  planRevealValidationResults,
  planSettlementCeiling,
  planSetDatasetTerms,
  planSubmitValidationResult,
  planWithdrawDatasetStake,
  planWithdrawValidatorStake,
  type PlanOptions,
} from "./planner.ts";
import { fromSimnet, nodeReader, type MarketReader, type SimnetLike } from "./readers.ts";

export class MarketClient {
  readonly contract: ContractRef;
  readonly calls: MarketCalls;
  // a plain field, not a constructor parameter property: TypeScript's `erasableSyntaxOnly`,
  // which Vite's templates set, refuses those in the sources a web app type-checks
  readonly reader: MarketReader;

  constructor(contract: string | ContractRef, reader: MarketReader) {
    this.reader = reader;
    this.contract = contractRef(contract);
    this.calls = marketCalls(this.contract);
  }

  /** A client reading from a Clarinet simnet. */
  static forSimnet(simnet: SimnetLike, contract: string | ContractRef): MarketClient {
    return new MarketClient(contract, fromSimnet(simnet, contract));
  }

  /** A client reading from a Stacks node API on `network` (optionally with a custom `client`). */
  static forNode(options: { contract: string | ContractRef; network: StacksNetworkName | StacksNetwork; client?: NetworkClientParam["client"] }) {
    return new MarketClient(options.contract, nodeReader(options));
  }

  // -- datasets ----------------------------------------------------------

  async registerDataset(p: { caller: string; stake: UintLike; metadataUri: string }): Promise<MarketCall> {
    return this.calls.registerDataset(p);
  }

  async registerDatasetWithTerms(p: {
    caller: string;
    stake: UintLike;
    metadataUri: string;
    pricePerBlock: UintLike;
    maxConcurrentJobs: UintLike;
  }): Promise<MarketCall> {
    return this.calls.registerDatasetWithTerms(p);
  }

  async addDatasetStake(p: { caller: string; datasetId: UintLike; amount: UintLike }, options?: PlanOptions): Promise<MarketCall> {
    const plan = await planAddDatasetStake(this.reader, p, options);
    return this.calls.addDatasetStake({ ...p, queueRefunds: plan.queueRefunds });
  }

  async setDatasetTerms(p: { datasetId: UintLike; pricePerBlock: UintLike; maxConcurrentJobs: UintLike }, options?: PlanOptions): Promise<MarketCall> {
    const plan = await planSetDatasetTerms(this.reader, p, options);
    return this.calls.setDatasetTerms({ ...p, queueRefunds: plan.queueRefunds });
  }

  async retireDataset(p: { datasetId: UintLike }): Promise<MarketCall> {
    return this.calls.retireDataset(p);
  }

  async withdrawDatasetStake(p: { datasetId: UintLike }): Promise<MarketCall> {
    const plan = await planWithdrawDatasetStake(this.reader, p);
    return this.calls.withdrawDatasetStake({ ...p, stake: plan.stake });
  }

  // -- bids --------------------------------------------------------------

  async placeComputationBid(
    p: { caller: string; datasetId: UintLike; amount: UintLike; duration: UintLike; deadline: UintLike },
    options?: PlanOptions,
  ): Promise<MarketCall> {
    const plan = await planPlaceComputationBid(this.reader, p, options);
    return this.calls.placeComputationBid({ ...p, queueRefunds: plan.queueRefunds });
  }

  /** A verified job's bid (spec digest and evaluation-set commitment): planned like a plain bid. */
  async placeTrainingBid(
    p: {
      caller: string;
      datasetId: UintLike;
      amount: UintLike;
      duration: UintLike;
      deadline: UintLike;
      spec: Uint8Array | string;
      evalCommitment: Uint8Array | string;
    },
    options?: PlanOptions,
  ): Promise<MarketCall> {
    this.calls.placeTrainingBid(p); // a digest that is not 32 bytes is refused before any read
    const plan = await planPlaceComputationBid(this.reader, p, options);
    return this.calls.placeTrainingBid({ ...p, queueRefunds: plan.queueRefunds });
  }

  async deliverModel(p: { bidId: UintLike; model: Uint8Array | string }): Promise<MarketCall> {
    this.calls.deliverModel({ ...p, payment: 0n }); // a model digest that is not 32 bytes is refused before any read
    const plan = await planDeliverModel(this.reader, p);
    return this.calls.deliverModel({ ...p, payment: plan.payment });
  }

  async revealEvaluationSet(p: { bidId: UintLike; evalDigest: Uint8Array | string; salt: Uint8Array | string }): Promise<MarketCall> {
    return this.calls.revealEvaluationSet(p);
  }

  async matchQueuedBids(p: { datasetId: UintLike }, options?: PlanOptions): Promise<MarketCall> {
    const plan = await planMatchQueuedBids(this.reader, p, options);
    return this.calls.matchQueuedBids({ ...p, queueRefunds: plan.queueRefunds });
  }

  async cancelBid(p: { bidId: UintLike }): Promise<MarketCall> {
    const plan = await planCancelBid(this.reader, p);
    return this.calls.cancelBid({ ...p, refund: plan.refund });
  }

  async expireBid(p: { bidId: UintLike }, options?: PlanOptions): Promise<MarketCall> {
    const plan = await planExpireBid(this.reader, p, options);
    return this.calls.expireBid({ ...p, refund: plan.refund, providerPayment: plan.providerPayment, queueRefunds: plan.queueRefunds });
  }

  async declineJob(p: { bidId: UintLike }, options?: PlanOptions): Promise<MarketCall> {
    const plan = await planDeclineJob(this.reader, p, options);
    return this.calls.declineJob({ ...p, refund: plan.refund, queueRefunds: plan.queueRefunds });
  }

  // -- validators --------------------------------------------------------

  async registerValidator(p: { caller: string; stake: UintLike }): Promise<MarketCall> {
    return this.calls.registerValidator(p);
  }

  async requestValidatorExit(): Promise<MarketCall> {
    return this.calls.requestValidatorExit();
  }

  async withdrawValidatorStake(p: { caller: string }): Promise<MarketCall> {
    const plan = await planWithdrawValidatorStake(this.reader, p);
    return this.calls.withdrawValidatorStake({ stake: plan.stake });
  }

  // -- validation --------------------------------------------------------

  async drawCommittee(p: { bidId: UintLike }): Promise<MarketCall> {
    return this.calls.drawCommittee(p);
  }

  async commitValidationResult(p: { bidId: UintLike; commitment: Uint8Array | string }): Promise<MarketCall> {
    return this.calls.commitValidationResult(p);
  }

  async revealValidationResult(
    p: { caller: string; bidId: UintLike; score: UintLike; salt: Uint8Array | string },
    options?: PlanOptions,
  ): Promise<MarketCall> {
    // the ceiling, not the plan: another seat's reveal landing first makes this one the last
    const [plan, ceiling] = await Promise.all([
      planRevealValidationResult(this.reader, p, options),
      planSettlementCeiling(this.reader, { bidIds: [p.bidId] }),
    ]);
    return this.calls.revealValidationResult({ ...p, settlement: plan.settlement, ceiling });
  }

  /** Reveals on several jobs in one call (all or nothing); any entry may settle its job. */
  async revealValidationResults(
    p: { caller: string; reveals: readonly { bidId: UintLike; score: UintLike; salt: Uint8Array | string }[] },
    options?: PlanOptions,
  ): Promise<MarketCall> {
    const plan = await planRevealValidationResults(this.reader, p, options);
    return this.calls.revealValidationResults({ reveals: p.reveals, ceiling: plan.ceiling });
  }

  /** Commits on several jobs in one call (all or nothing). */
  async commitValidationResults(p: { commits: readonly { bidId: UintLike; commitment: Uint8Array | string }[] }): Promise<MarketCall> {
    return this.calls.commitValidationResults(p);
  }

  /** Claims the caller's seats on several finalized jobs, paid in one transfer. */
  async claimValidationRewards(p: { caller: string; bidIds: readonly UintLike[] }): Promise<MarketCall> {
    const plan = await planClaimValidationRewards(this.reader, p);
    return this.calls.claimValidationRewards({ bidIds: p.bidIds, ceiling: plan.ceiling });
  }

  async submitValidationResult(p: { caller: string; datasetId: UintLike; bidId: UintLike; score: UintLike }, options?: PlanOptions): Promise<MarketCall> {
    // the ceiling, not the plan: whatever lands first (a queue change) cannot make it abort
    const [plan, ceiling] = await Promise.all([
      planSubmitValidationResult(this.reader, p, options),
      planSettlementCeiling(this.reader, { bidIds: [p.bidId] }),
    ]);
    return this.calls.submitValidationResult({ ...p, settlement: plan.settlement, ceiling });
  }

  async finalizeValidation(p: { bidId: UintLike }, options?: PlanOptions): Promise<MarketCall> {
    const plan = await planFinalizeValidation(this.reader, p, options);
    return this.calls.finalizeValidation({ ...p, settlement: plan.settlement });
  }

  async claimValidationReward(p: { caller: string; bidId: UintLike }): Promise<MarketCall> {
    // the ceiling, not the plan: another coherent claimant landing first moves the rounding
    const plan = await planClaimValidationRewards(this.reader, { caller: p.caller, bidIds: [p.bidId] });
    return this.calls.claimValidationReward({ bidId: p.bidId, reward: plan.total, ceiling: plan.ceiling });
  }

  // -- governance and administration ---------------------------------------

  async proposeParameterChange(p: { parameter: GovernableParameter; value: UintLike }): Promise<MarketCall> {
    return this.calls.proposeParameterChange(p);
  }

  async voteOnProposal(p: { proposalId: UintLike; support: boolean }): Promise<MarketCall> {
    return this.calls.voteOnProposal(p);
  }

  async executeProposal(p: { proposalId: UintLike }): Promise<MarketCall> {
    return this.calls.executeProposal(p);
  }

  async setPaused(p: { paused: boolean }): Promise<MarketCall> {
    return this.calls.setPaused(p);
  }

  async withdrawTreasury(p: { amount: UintLike; recipient: string }): Promise<MarketCall> {
    return this.calls.withdrawTreasury(p);
  }

  async sweepSurplus(): Promise<MarketCall> {
    return this.calls.sweepSurplus();
  }
}
