/**
 * Typed transaction builders, one per public function of the contract. Each returns the options
 * object `makeContractCall` (and, through `toWalletRequest`, a wallet's `stx_callContract`) takes,
 * in `deny` post-condition mode with the call's exact STX post-conditions:
 * - what the caller sends into the contract (stakes, bid escrow), from the call's arguments;
 * - what the contract sends out (payouts, refunds, rewards), which for state-dependent calls is
 *   an expected amount the builder takes (compute it with the planners in `planner.ts`).
 * A call that moves no STX carries no post-condition: deny mode then forbids any transfer.
 */
import { Cl, Pc, type ClarityValue, type StxPostCondition } from "@stacks/transactions";
import { contractPrincipal, contractRef, type ContractRef, type GovernableParameter, type UintLike } from "./contract.ts";
import { saltBytes } from "./commitment.ts";
import type { SettlementAmounts } from "./planner.ts";

export type PublicFunctionName =
  | "register-dataset"
  | "register-dataset-with-terms"
  | "add-dataset-stake"
  | "set-dataset-terms"
  | "retire-dataset"
  | "withdraw-dataset-stake"
  | "place-computation-bid"
  | "match-queued-bids"
  | "place-training-bid"
  | "deliver-model"
  | "reveal-evaluation-set"
  | "cancel-bid"
  | "expire-bid"
  | "decline-job"
  | "register-validator"
  | "request-validator-exit"
  | "withdraw-validator-stake"
  | "draw-committee"
  | "commit-validation-result"
  | "reveal-validation-result"
  | "submit-validation-result"
  | "finalize-validation"
  | "claim-validation-reward"
  | "commit-validation-results"
  | "reveal-validation-results"
  | "claim-validation-rewards"
  | "propose-parameter-change"
  | "vote-on-proposal"
  | "execute-proposal"
  | "set-paused"
  | "withdraw-treasury"
  | "sweep-surplus";

/** The options of one contract call, ready for `makeContractCall({ ...call, senderKey, network, ... })`. */
export interface MarketCall {
  contractAddress: string;
  contractName: string;
  functionName: PublicFunctionName;
  functionArgs: ClarityValue[];
  postConditionMode: "deny";
  postConditions: StxPostCondition[];
}

/** The network a wallet request names: one of the wallet's own, or a custom name it knows. */
export type WalletNetworkName = "mainnet" | "testnet" | "devnet" | "regtest" | (string & {});

/**
 * The params of a wallet's `stx_callContract` request (SIP-030), shaped so they go straight into
 * `@stacks/connect`'s `request("stx_callContract", params)`: the wallet serializes the Clarity
 * arguments and post-conditions itself, and the deny mode keeps the call to exactly these STX moves.
 * A structural type, so the client does not depend on @stacks/connect; `tests/types/` checks it
 * against @stacks/connect's own `MethodParams<"stx_callContract">`.
 */
export interface WalletCallContractParams {
  contract: `${string}.${string}`;
  functionName: PublicFunctionName;
  functionArgs: ClarityValue[];
  postConditionMode: "deny";
  postConditions: StxPostCondition[];
  /** The wallet's network to sign on; absent, the wallet uses the one it is on. */
  network?: WalletNetworkName;
}

/**
 * A built call as a wallet request: `request("stx_callContract", toWalletRequest(call))`.
 * `network` names the wallet network to sign on (left out, the wallet's current one).
 */
export function toWalletRequest(call: MarketCall, options: { network?: WalletNetworkName } = {}): WalletCallContractParams {
  return {
    contract: `${call.contractAddress}.${call.contractName}`,
    functionName: call.functionName,
    functionArgs: call.functionArgs,
    postConditionMode: call.postConditionMode,
    postConditions: call.postConditions,
    ...(options.network === undefined ? {} : { network: options.network }),
  };
}

function amount(value: UintLike, what: string): bigint {
  const v = BigInt(value);
  if (v < 0n) throw new RangeError(`${what} must not be negative: ${v}`);
  return v;
}

/** `willSendEq(amount)` of STX for one principal, or nothing for 0 (deny mode already forbids it). */
function sends(who: string, value: bigint): StxPostCondition[] {
  return value > 0n ? [Pc.principal(who).willSendEq(value).ustx()] : [];
}

/**
 * A digest, commitment or salt: exactly 32 bytes, given as bytes or hex (with or without `0x`).
 * Anything else is refused here with a RangeError naming the argument: the contract would refuse
 * a shorter one (ERR_INVALID_DIGEST, ERR_INVALID_SALT) and cannot take a longer one (buff 32).
 */
/** `willSendLte(ceiling)` of STX for one principal, or nothing for 0 (deny mode already forbids it). */
function sendsAtMost(who: string, ceiling: bigint): StxPostCondition[] {
  return ceiling > 0n ? [Pc.principal(who).willSendLte(ceiling).ustx()] : [];
}

/** At most this many entries per batch call (the contract's list bound). */
export const MAX_BATCH = 25;

function batch<T>(entries: readonly T[], what: string): readonly T[] {
  if (entries.length === 0) throw new RangeError(`${what}: a batch needs at least one entry`);
  if (entries.length > MAX_BATCH) throw new RangeError(`${what}: at most ${MAX_BATCH} entries per call, got ${entries.length}`);
  return entries;
}

function digest32(value: Uint8Array | string, what: string): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === "string") {
    const hex = value.startsWith("0x") ? value.slice(2) : value;
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new RangeError(`${what} is not hex: ${JSON.stringify(value)}`);
    bytes = saltBytes(hex);
  } else if (value instanceof Uint8Array) {
    bytes = value;
  } else {
    throw new RangeError(`${what} must be 32 bytes or their hex, got ${typeof value}`);
  }
  if (bytes.length !== 32) throw new RangeError(`${what} must be 32 bytes, got ${bytes.length}`);
  return bytes;
}

function sum(...values: (UintLike | undefined)[]): bigint {
  return values.reduce<bigint>((total, v) => total + amount(v ?? 0n, "expected amount"), 0n);
}

/** The total a settlement pays out: provider payment + bidder refund + queue refunds. */
export function settlementTotal(settlement: SettlementAmounts | null | undefined): bigint {
  return settlement ? sum(settlement.providerPayment, settlement.bidderRefund, settlement.queueRefunds) : 0n;
}

/** Bids refunded by a queue walk (what a planner's `queueRefunds` says). Default 0. */
interface QueueRefunds {
  queueRefunds?: UintLike;
}

/**
 * The builders for one deployment of the contract.
 * `const market = marketCalls("ST1....neural-training-market")`.
 */
export function marketCalls(contract: string | ContractRef) {
  const ref = contractRef(contract);
  const self = contractPrincipal(ref);

  function build(
    functionName: PublicFunctionName,
    functionArgs: ClarityValue[],
    caller: { who: string; sends: bigint } | null,
    contractSends: bigint | { atMost: bigint },
  ): MarketCall {
    return {
      contractAddress: ref.contractAddress,
      contractName: ref.contractName,
      functionName,
      functionArgs,
      postConditionMode: "deny",
      postConditions: [
        ...(caller ? sends(caller.who, caller.sends) : []),
        ...(typeof contractSends === "bigint" ? sends(self, contractSends) : sendsAtMost(self, contractSends.atMost)),
      ],
    };
  }

  /**
   * What a call that may settle jobs lets the contract send: at most `ceiling` when given (every
   * order the call can land in: planSettlementCeiling), else exactly the planned settlement.
   */
  function settles(settlement: SettlementAmounts | null | undefined, ceiling: UintLike | undefined): bigint | { atMost: bigint } {
    return ceiling === undefined ? settlementTotal(settlement) : { atMost: amount(ceiling, "ceiling") };
  }

  return {
    contract: ref,
    /** The contract's principal: the sender of every payout. */
    contractId: self,

    // -- datasets --------------------------------------------------------

    /** The caller stakes exactly `stake`. */
    registerDataset(p: { caller: string; stake: UintLike; metadataUri: string }) {
      const stake = amount(p.stake, "stake");
      return build("register-dataset", [Cl.uint(stake), Cl.stringAscii(p.metadataUri)], { who: p.caller, sends: stake }, 0n);
    },

    /** The caller stakes exactly `stake`; the dataset opens with its ask and job slots. */
    registerDatasetWithTerms(p: {
      caller: string;
      stake: UintLike;
      metadataUri: string;
      pricePerBlock: UintLike;
      maxConcurrentJobs: UintLike;
    }) {
      const stake = amount(p.stake, "stake");
      return build(
        "register-dataset-with-terms",
        [Cl.uint(stake), Cl.stringAscii(p.metadataUri), Cl.uint(p.pricePerBlock), Cl.uint(p.maxConcurrentJobs)],
        { who: p.caller, sends: stake },
        0n,
      );
    },

    /** The caller sends exactly `amount`; the contract refunds `queueRefunds` (planAddDatasetStake). */
    addDatasetStake(p: { caller: string; datasetId: UintLike; amount: UintLike } & QueueRefunds) {
      const value = amount(p.amount, "amount");
      return build("add-dataset-stake", [Cl.uint(p.datasetId), Cl.uint(value)], { who: p.caller, sends: value }, sum(p.queueRefunds));
    },

    /** The contract refunds `queueRefunds` (planSetDatasetTerms). */
    setDatasetTerms(p: { datasetId: UintLike; pricePerBlock: UintLike; maxConcurrentJobs: UintLike } & QueueRefunds) {
      return build(
        "set-dataset-terms",
        [Cl.uint(p.datasetId), Cl.uint(p.pricePerBlock), Cl.uint(p.maxConcurrentJobs)],
        null,
        sum(p.queueRefunds),
      );
    },

    /** Moves no STX: the dataset closes; its queued bids become refundable through expire-bid. */
    retireDataset(p: { datasetId: UintLike }) {
      return build("retire-dataset", [Cl.uint(p.datasetId)], null, 0n);
    },

    /** The contract pays back the dataset's `stake` (planWithdrawDatasetStake). */
    withdrawDatasetStake(p: { datasetId: UintLike; stake: UintLike }) {
      return build("withdraw-dataset-stake", [Cl.uint(p.datasetId)], null, amount(p.stake, "stake"));
    },

    // -- bids ------------------------------------------------------------

    /** The caller escrows exactly `amount`; the contract refunds `queueRefunds` (planPlaceComputationBid). */
    placeComputationBid(p: { caller: string; datasetId: UintLike; amount: UintLike; duration: UintLike; deadline: UintLike } & QueueRefunds) {
      const value = amount(p.amount, "amount");
      return build(
        "place-computation-bid",
        [Cl.uint(p.datasetId), Cl.uint(value), Cl.uint(p.duration), Cl.uint(p.deadline)],
        { who: p.caller, sends: value },
        sum(p.queueRefunds),
      );
    },

    /**
     * A verified job's bid: as placeComputationBid, plus the job spec's sha256 digest and the
     * sealed evaluation set's commitment (computeEvalCommitment), each 32 bytes or their hex.
     */
    placeTrainingBid(
      p: {
        caller: string;
        datasetId: UintLike;
        amount: UintLike;
        duration: UintLike;
        deadline: UintLike;
        spec: Uint8Array | string;
        evalCommitment: Uint8Array | string;
      } & QueueRefunds,
    ) {
      const value = amount(p.amount, "amount");
      return build(
        "place-training-bid",
        [
          Cl.uint(p.datasetId),
          Cl.uint(value),
          Cl.uint(p.duration),
          Cl.uint(p.deadline),
          Cl.buffer(digest32(p.spec, "spec")),
          Cl.buffer(digest32(p.evalCommitment, "evalCommitment")),
        ],
        { who: p.caller, sends: value },
        sum(p.queueRefunds),
      );
    },

    /** The contract pays the provider `payment`, the compute fee less the fees (planDeliverModel). */
    deliverModel(p: { bidId: UintLike; model: Uint8Array | string; payment: UintLike }) {
      return build("deliver-model", [Cl.uint(p.bidId), Cl.buffer(digest32(p.model, "model"))], null, amount(p.payment, "payment"));
    },

    /** Moves no STX: opens the committee's commit window. */
    revealEvaluationSet(p: { bidId: UintLike; evalDigest: Uint8Array | string; salt: Uint8Array | string }) {
      return build(
        "reveal-evaluation-set",
        [Cl.uint(p.bidId), Cl.buffer(digest32(p.evalDigest, "evalDigest")), Cl.buffer(digest32(p.salt, "salt"))],
        null,
        0n,
      );
    },

    /** The contract refunds `queueRefunds` (planMatchQueuedBids). */
    matchQueuedBids(p: { datasetId: UintLike } & QueueRefunds) {
      return build("match-queued-bids", [Cl.uint(p.datasetId)], null, sum(p.queueRefunds));
    },

    /** The contract refunds the bid's `refund` (its amount, planCancelBid). */
    cancelBid(p: { bidId: UintLike; refund: UintLike }) {
      return build("cancel-bid", [Cl.uint(p.bidId)], null, amount(p.refund, "refund"));
    },

    /**
     * The contract refunds `refund` to the bidder (or, for a verified job's bidder default, pays the
     * provider `providerPayment`) and `queueRefunds` to stale queued bids (planExpireBid).
     */
    expireBid(p: { bidId: UintLike; refund: UintLike; providerPayment?: UintLike } & QueueRefunds) {
      return build("expire-bid", [Cl.uint(p.bidId)], null, sum(p.refund, p.providerPayment, p.queueRefunds));
    },

    /** The contract refunds the job's `refund` to its bidder and `queueRefunds` to stale queued bids (planDeclineJob). */
    declineJob(p: { bidId: UintLike; refund: UintLike } & QueueRefunds) {
      return build("decline-job", [Cl.uint(p.bidId)], null, sum(p.refund, p.queueRefunds));
    },

    // -- validators ------------------------------------------------------

    /** The caller stakes exactly `stake`. */
    registerValidator(p: { caller: string; stake: UintLike }) {
      const stake = amount(p.stake, "stake");
      return build("register-validator", [Cl.uint(stake)], { who: p.caller, sends: stake }, 0n);
    },

    /** Moves no STX. */
    requestValidatorExit() {
      return build("request-validator-exit", [], null, 0n);
    },

    /** The contract pays back the validator's `stake` (planWithdrawValidatorStake). */
    withdrawValidatorStake(p: { stake: UintLike }) {
      return build("withdraw-validator-stake", [], null, amount(p.stake, "stake"));
    },

    // -- validation ------------------------------------------------------

    /** Moves no STX. */
    drawCommittee(p: { bidId: UintLike }) {
      return build("draw-committee", [Cl.uint(p.bidId)], null, 0n);
    },

    /** Moves no STX. `commitment`: 32 bytes (computeCommitment) or their hex. */
    commitValidationResult(p: { bidId: UintLike; commitment: Uint8Array | string }) {
      return build("commit-validation-result", [Cl.uint(p.bidId), Cl.buffer(digest32(p.commitment, "commitment"))], null, 0n);
    },

    /**
     * The reveal that completes the committee finalizes the job. Pass `ceiling`
     * (planRevealValidationResult) so the call is signable whichever reveal lands last: the
     * contract may then send at most that. Without it, `settlement` is taken as exact (null or
     * absent: no STX moves), which aborts if another reveal lands first and this one settles.
     */
    revealValidationResult(p: {
      bidId: UintLike;
      score: UintLike;
      salt: Uint8Array | string;
      settlement?: SettlementAmounts | null;
      ceiling?: UintLike;
    }) {
      return build(
        "reveal-validation-result",
        [Cl.uint(p.bidId), Cl.uint(p.score), Cl.buffer(digest32(p.salt, "salt"))],
        null,
        settles(p.settlement, p.ceiling),
      );
    },

    /**
     * Finalizes a one-seat committee's job at once: pass its `settlement` (exact) or its `ceiling`
     * (planSubmitValidationResult: the most the settlement can send, whatever lands before it).
     */
    submitValidationResult(p: { datasetId: UintLike; bidId: UintLike; score: UintLike; settlement?: SettlementAmounts; ceiling?: UintLike }) {
      return build(
        "submit-validation-result",
        [Cl.uint(p.datasetId), Cl.uint(p.bidId), Cl.uint(p.score)],
        null,
        settles(p.settlement, p.ceiling),
      );
    },

    /** Settles after the reveal window: pass its `settlement` (planFinalizeValidation). */
    finalizeValidation(p: { bidId: UintLike; settlement: SettlementAmounts }) {
      return build("finalize-validation", [Cl.uint(p.bidId)], null, settlementTotal(p.settlement));
    },

    /**
     * The contract pays the caller `reward` (planClaimValidationReward; 0 for an outlier), exactly;
     * or at most `ceiling` when given (another claimant of the same job landing first moves the
     * rounding by a few micro-STX).
     */
    claimValidationReward(p: { bidId: UintLike; reward: UintLike; ceiling?: UintLike }) {
      return build(
        "claim-validation-reward",
        [Cl.uint(p.bidId)],
        null,
        p.ceiling === undefined ? amount(p.reward, "reward") : { atMost: amount(p.ceiling, "ceiling") },
      );
    },

    // -- validation in batches (one validator, up to MAX_BATCH jobs, all or nothing) ----

    /** Moves no STX. Each `commitment`: 32 bytes (computeCommitment) or their hex. */
    commitValidationResults(p: { commits: readonly { bidId: UintLike; commitment: Uint8Array | string }[] }) {
      const entries = batch(p.commits, "commit-validation-results").map((c) =>
        Cl.tuple({ "bid-id": Cl.uint(c.bidId), commitment: Cl.buffer(digest32(c.commitment, "commitment")) }),
      );
      return build("commit-validation-results", [Cl.list(entries)], null, 0n);
    },

    /**
     * Each entry that completes its committee settles its job in this call: the contract may send
     * at most `ceiling` (planRevealValidationResults: the sum of the settlement ceilings of the
     * jobs), whatever order the committee's reveals land in.
     */
    revealValidationResults(p: { reveals: readonly { bidId: UintLike; score: UintLike; salt: Uint8Array | string }[]; ceiling: UintLike }) {
      const entries = batch(p.reveals, "reveal-validation-results").map((r) =>
        Cl.tuple({ "bid-id": Cl.uint(r.bidId), score: Cl.uint(r.score), salt: Cl.buffer(digest32(r.salt, "salt")) }),
      );
      return build("reveal-validation-results", [Cl.list(entries)], null, { atMost: amount(p.ceiling, "ceiling") });
    },

    /** The contract pays the caller at most `ceiling` in one transfer (planClaimValidationRewards). */
    claimValidationRewards(p: { bidIds: readonly UintLike[]; ceiling: UintLike }) {
      const entries = batch(p.bidIds, "claim-validation-rewards").map((id) => Cl.uint(id));
      return build("claim-validation-rewards", [Cl.list(entries)], null, { atMost: amount(p.ceiling, "ceiling") });
    },

    // -- governance ------------------------------------------------------

    /** Moves no STX. */
    proposeParameterChange(p: { parameter: GovernableParameter; value: UintLike }) {
      return build("propose-parameter-change", [Cl.stringAscii(p.parameter), Cl.uint(p.value)], null, 0n);
    },

    /** Moves no STX. */
    voteOnProposal(p: { proposalId: UintLike; support: boolean }) {
      return build("vote-on-proposal", [Cl.uint(p.proposalId), Cl.bool(p.support)], null, 0n);
    },

    /** Moves no STX. */
    executeProposal(p: { proposalId: UintLike }) {
      return build("execute-proposal", [Cl.uint(p.proposalId)], null, 0n);
    },

    // -- administration --------------------------------------------------

    /** Moves no STX. */
    setPaused(p: { paused: boolean }) {
      return build("set-paused", [Cl.bool(p.paused)], null, 0n);
    },

    /** The contract sends exactly `amount` to `recipient`. */
    withdrawTreasury(p: { amount: UintLike; recipient: string }) {
      const value = amount(p.amount, "amount");
      return build("withdraw-treasury", [Cl.uint(value), Cl.principal(p.recipient)], null, value);
    },

    /** Moves no STX: books the contract's surplus into the treasury. */
    sweepSurplus() {
      return build("sweep-surplus", [], null, 0n);
    },
  };
}

export type MarketCalls = ReturnType<typeof marketCalls>;
