import fc from "fast-check";
import { AddDatasetStakeCommand } from "./AddDatasetStakeCommand.ts";
import { CancelBidCommand } from "./CancelBidCommand.ts";
import { type BadClaim, ClaimBatchCommand } from "./ClaimBatchCommand.ts";
import { ClaimRewardCommand } from "./ClaimRewardCommand.ts";
import { type BadCommit, CommitBatchCommand } from "./CommitBatchCommand.ts";
import { CommitValidationCommand } from "./CommitValidationCommand.ts";
import { DeclineJobCommand } from "./DeclineJobCommand.ts";
import { DeliverModelCommand } from "./DeliverModelCommand.ts";
import { DrawCommitteeCommand } from "./DrawCommitteeCommand.ts";
import { EndAroundDeclineWindowCommand } from "./EndAroundDeclineWindowCommand.ts";
import { ExpireBidCommand } from "./ExpireBidCommand.ts";
import { FinalizeValidationCommand } from "./FinalizeValidationCommand.ts";
import { GiftCommand } from "./GiftCommand.ts";
import { MatchQueuedBidsCommand } from "./MatchQueuedBidsCommand.ts";
import { MineCommand } from "./MineCommand.ts";
import { MineToEdgeCommand } from "./MineToEdgeCommand.ts";
import { PlaceBidCommand, type ShortDigest } from "./PlaceBidCommand.ts";
import { RaiseThenBidCommand } from "./RaiseThenBidCommand.ts";
import { RegisterDatasetCommand } from "./RegisterDatasetCommand.ts";
import { RegisterValidatorCommand } from "./RegisterValidatorCommand.ts";
import { RequestValidatorExitCommand } from "./RequestValidatorExitCommand.ts";
import { RetireDatasetCommand } from "./RetireDatasetCommand.ts";
import { type BadReveal, RevealBatchCommand } from "./RevealBatchCommand.ts";
import { RevealEvaluationSetCommand, type WrongSeal } from "./RevealEvaluationSetCommand.ts";
import { RevealValidationCommand, type WrongReveal } from "./RevealValidationCommand.ts";
import { SetDatasetTermsCommand } from "./SetDatasetTermsCommand.ts";
import { type PauseAction, SetPausedCommand } from "./SetPausedCommand.ts";
import { SubmitValidationCommand } from "./SubmitValidationCommand.ts";
import { SweepSurplusCommand } from "./SweepSurplusCommand.ts";
import { WithdrawDatasetStakeCommand } from "./WithdrawDatasetStakeCommand.ts";
import { WithdrawTreasuryCommand } from "./WithdrawTreasuryCommand.ts";
import { WithdrawValidatorStakeCommand } from "./WithdrawValidatorStakeCommand.ts";
import {
  MAX_BID_WAIT,
  MAX_CONCURRENT_JOBS,
  MAX_DURATION,
  MAX_PRICE_PER_BLOCK,
  MAX_UINT,
  MIN_BID,
  MIN_DATASET_STAKE,
  MIN_VALIDATOR_STAKE,
  type Model,
  type Real,
} from "./model.ts";
import { type Mode, type Target } from "./step.ts";

/**
 * Commands (each `check` keeps growth bounded and, for a "smart" target, requires one to exist):
 * register-dataset and register-dataset-with-terms (valid and invalid URIs, prices and
 * capacities), add-dataset-stake (including an amount nobody can pay), set-dataset-terms,
 * retire-dataset, withdraw-dataset-stake, place-training-bid (a verified job: a spec and a sealed
 * evaluation set, now and then a spec or commitment of 0, 16 or 31 bytes; seven or eight bids in
 * ten in the last three `it`s, whose datasets ask a price more often, up to 100,000 a block, and
 * which bid one block of training due within 0-3 blocks more often: inside the decline window; a
 * training bid goes mostly to a dataset whose raise is still in its notice; the first three `it`s
 * run plain jobs only, with the very command stream they ran before verified jobs existed),
 * RaiseThenBidCommand (the last three `it`s, most in the sixth: a provider raises its ask, 0-10 burn
 * blocks pass, then a training bid meets the new ask: its fee at the old price inside the notice,
 * at the new one after it; half the raises make the fee outweigh the slash of the dataset's stake),
 * EndAroundDeclineWindowCommand (a one-block training due inside its decline window: expire-bid or
 * finalize-validation on the block after its deadline, refused, or after the window, a missed
 * delivery), deliver-model (by the provider or anyone, one in six with a short digest; the
 * provider of every seventh verified job never delivers: a missed delivery; a "garbage" job, whose
 * fee outweighs the slash of its stake, is delivered first and its committee scores it 10: a slash
 * raised to the compute fee), reveal-evaluation-set (right, or a wrong digest, a 31-byte digest, a
 * wrong salt, a 16-byte salt; the bidder of every seventh other job never reveals: a bidder
 * default; the bidder of another seventh, delivered early, reveals only after delivered-at +
 * eval-reveal-window, inside the window counted from the deadline; on every third verified job the
 * committee votes the reserved 101),
 * place-computation-bid (matched at once or queued; queued
 * heads matched or refunded in order, at most 5 per call, when a slot frees; deadlines up to and
 * past max-bid-wait), match-queued-bids, cancel-bid, expire-bid (queued: past its deadline or on a
 * retired dataset; matched), decline-job, register-validator, request-validator-exit (also while
 * seated), withdraw-validator-stake, draw-committee, commit-validation-result,
 * reveal-validation-result (right, wrong score, wrong salt, short salt), submit-validation-result,
 * finalize-validation (median settlement, no-majority refund or no-quorum refund),
 * claim-validation-reward, their batch forms commit-validation-results, reveal-validation-results
 * and claim-validation-rewards (in the two `it`s of the batch calls only: CommitBatchCommand,
 * RevealBatchCommand, ClaimBatchCommand: a validator of the pool on up to 8 of its seats at once,
 * about two in five with a planted bad entry (a second entry on a job of the batch, a job it has no
 * seat or vote on, a missing bid, an ended or unscored job, a wrong score, a 16-byte salt) that must
 * fail the whole call with that entry's error and leave everything as it was, one in ten empty; in
 * those `it`s twice as many datasets and bids and shorter hops, so that jobs run side by side, and
 * actors.ts leaves every other job's seats, and every claim, to the batches), set-paused (including repeats), withdraw-treasury, a plain STX transfer
 * to the contract and sweep-surplus (any surplus left is swept at the end of the `it`), and mining
 * 1-15 / 40-120 / 4400 blocks or to a window edge of a stuck job (the close of its commit phase or
 * of its reveal window, a verified job's deliveryDueBy undelivered (and its deadline when the decline
 * window outlasts it) or its evalRevealClosesAt unrevealed, a late bidder's first block, or the
 * block before). Targets are resolved at run time from the model:
 * mostly a fitting one (an uncommitted seat of a live job, an idle dataset...), sometimes any
 * entity or account, or a missing id, so the failure paths run too. Scores: mostly a job's "true
 * quality" near the thresholds plus noise; on every fifth job ("contested") the heaviest
 * committing seat scores 30 and the others 50; the last seat of a committee of 3+ on every third
 * and every contested job never commits ("lazy"), so these jobs settle after the reveal window,
 * by a slash backed by a majority or by the no-majority refund.
 */

const sel = fc.nat(10_000);
const targetArb: fc.Arbitrary<Target> = fc.record({
  mode: fc.oneof(
    { weight: 17, arbitrary: fc.constant<Mode>("smart") },
    { weight: 3, arbitrary: fc.constant<Mode>("any") },
    { weight: 1, arbitrary: fc.constant<Mode>("missing") },
  ),
  sel,
  who: sel,
});
/** Constants with their weights, for fc.oneof. */
const weighted = <T>(xs: [T, number][]) => xs.map(([x, weight]) => ({ weight, arbitrary: fc.constant(x) }));
/** A batch's validator and targets: mostly "smart" (its own seats), now and then any or missing ones. */
const batchTargetArb: fc.Arbitrary<Target> = fc.record({
  mode: fc.oneof(
    { weight: 30, arbitrary: fc.constant<Mode>("smart") },
    { weight: 2, arbitrary: fc.constant<Mode>("any") },
    { weight: 1, arbitrary: fc.constant<Mode>("missing") },
  ),
  sel,
  who: sel,
});
/** How many entries a batch takes (of the validator's candidates): mostly several, up to 8. */
const batchCountArb = fc.oneof({ weight: 1, arbitrary: fc.constant(1) }, { weight: 4, arbitrary: fc.integer({ min: 2, max: 8 }) });
const rarely = (weight = 1, of = 10) => fc.oneof({ weight: of - weight, arbitrary: fc.constant(false) }, { weight, arbitrary: fc.constant(true) });
const scoreArb = fc.oneof(
  { weight: 5, arbitrary: fc.bigInt({ min: 0n, max: 100n }) },
  // around the thresholds (40, 70) and 15 / 16 apart (the consensus tolerance)
  { weight: 6, arbitrary: fc.constantFrom(25n, 39n, 40n, 41n, 55n, 56n, 69n, 70n, 71n, 85n) },
  { weight: 1, arbitrary: fc.constant(101n) },
);
/**
 * Metadata URIs: mostly valid (the three schemes; some with every RFC 3986 reserved character and
 * escapes), sometimes empty or invalid (scheme, nothing after it, whitespace, a character outside
 * RFC 3986: quote, angle brackets, backslash, caret, backquote, braces, bar, form feed).
 */
const uriArb = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      "ipfs://dataset",
      "ipfs://dataset",
      "ar://dataset-tx",
      "https://data.example/set.json",
      "https://data.example:443/a_b~c.d-e/set.json?v=1&k=a+b;c=d,e#frag",
      "ipfs://bafy%20set/[x]@!$'()*=",
      "ar://%7Euser/~:/?#[]@!$&'()*+,;=%",
    ),
  },
  { weight: 1, arbitrary: fc.constant("") },
  {
    weight: 2,
    // refused for a character outside RFC 3986 (which the old rule let through), for the scheme, or for whitespace
    arbitrary: fc.constantFrom(
      'ipfs://data"set',
      "http://data.example/set",
      "https://data.example/<set>",
      "https://",
      "ipfs://data set",
      "ar://data\\set",
      "ipfs://",
      "https://data.example/a^b",
      "ar://",
      "ipfs://data`set",
      "ar://data\tset",
      "https://data.example/{set}",
      "https://data\n",
      "ar://data|set",
      "ipfs://x\r",
      "ipfs://data\fset",
      "IPFS://dataset",
      "https://data.example/set\f",
      "dataset",
    ),
  },
);
/** Terms: an ask of 0 or up to 20,000 per block (so 100k-250k bids fall below some asks), one to three slots; rarely out of bounds. */
const priceArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(0n, 0n, 5_000n, 20_000n) },
  { weight: 1, arbitrary: fc.constant(MAX_PRICE_PER_BLOCK + 1n) },
);
/**
 * Verified jobs earn their compute fee from the ask: mostly asks that bids of 100k-3M meet (50,000 and
 * 100,000 a block make fees above half the minimum stake: a slash raised to the compute fee).
 */
const verifiedPriceArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(0n, 1_000n, 2_000n, 5_000n, 20_000n, 50_000n, 100_000n, 100_000n) },
  { weight: 1, arbitrary: fc.constant(MAX_PRICE_PER_BLOCK + 1n) },
);
const capacityArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(1n, 1n, 2n, 3n) },
  { weight: 1, arbitrary: fc.constantFrom(0n, MAX_CONCURRENT_JOBS + 1n) },
);

/**
 * How much of an `it` is about verified jobs: the share (in tenths) of bids that are training bids,
 * and the weights of deliver-model and reveal-evaluation-set (the other commands weigh as before;
 * datasets ask for a price more often). Null: plain jobs only, with exactly the command stream of
 * the plain model (the contract before verified jobs), so its runs are those it ran before.
 */
export interface Mix {
  training: number;
  deliver: number;
  reveal: number;
  /** the weight of RaiseThenBidCommand: a provider's price raise, then a training bid inside its notice or past it */
  raise: number;
  /** the weight of tight training bids: one block of training, due within the decline window (0-3 blocks of slack) */
  tight: number;
}
export const VERIFIED_MIX: Mix = { training: 7, deliver: 9, reveal: 9, raise: 1, tight: 2 };
/** The audit's rules (fix12): more price raises ahead of training bids, more one-block trainings due inside the decline window. */
export const AUDIT_MIX: Mix = { training: 8, deliver: 9, reveal: 9, raise: 6, tight: 6 };

const placeBidFields = {
  t: targetArb,
  anyone: rarely(1, 10),
  amount: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(MIN_BID, 250_000n, 1_000_000n, 1_000_000n, 3_000_000n) },
    { weight: 1, arbitrary: fc.constant(MIN_BID - 1n) },
  ),
  duration: fc.oneof({ weight: 15, arbitrary: fc.bigInt({ min: 1n, max: 25n }) }, { weight: 1, arbitrary: fc.constantFrom(0n, MAX_DURATION + 1n) }),
  slack: fc.oneof(
    { weight: 16, arbitrary: fc.bigInt({ min: 0n, max: 40n }) },
    { weight: 8, arbitrary: fc.bigInt({ min: 100n, max: 400n }) },
    { weight: 2, arbitrary: fc.constant(-1n) },
    // past max-bid-wait (refused) and exactly at it (accepted: a job that waits long)
    { weight: 1, arbitrary: fc.constantFrom(MAX_BID_WAIT + 1n, MAX_BID_WAIT + 1n, MAX_BID_WAIT + 1n, MAX_BID_WAIT) },
  ),
};

/**
 * The verified `it`s' bids: more one-block trainings due at once (a deadline inside the decline
 * window: a miss waits for the window), and now and then a short spec or commitment.
 */
const verifiedPlaceBidFields = (mix: Mix) => ({
  ...placeBidFields,
  // (3M twice as often: it meets asks of 100,000 a block, whose compute fees outweigh half a small stake)
  amount: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(MIN_BID, 250_000n, 1_000_000n, 1_000_000n, 3_000_000n, 3_000_000n) },
    { weight: 1, arbitrary: fc.constant(MIN_BID - 1n) },
  ),
  duration: fc.oneof(
    { weight: 15, arbitrary: fc.bigInt({ min: 1n, max: 25n }) },
    { weight: mix.tight, arbitrary: fc.constant(1n) },
    { weight: 1, arbitrary: fc.constantFrom(0n, MAX_DURATION + 1n) },
  ),
  slack: fc.oneof(
    { weight: 16, arbitrary: fc.bigInt({ min: 0n, max: 40n }) },
    { weight: mix.tight, arbitrary: fc.bigInt({ min: 0n, max: 3n }) },
    { weight: 8, arbitrary: fc.bigInt({ min: 100n, max: 400n }) },
    { weight: 2, arbitrary: fc.constant(-1n) },
    { weight: 1, arbitrary: fc.constantFrom(MAX_BID_WAIT + 1n, MAX_BID_WAIT) },
  ),
  short: fc.oneof(
    { weight: 24, arbitrary: fc.constant<ShortDigest | undefined>(undefined) },
    { weight: 1, arbitrary: fc.constantFrom<ShortDigest>("spec", "commitment") },
  ),
});

/**
 * The batch forms (the `it`s with the batch calls only, so the other `it`s keep their command
 * streams): a validator on several of its seats at once, about two batches in five with a planted
 * bad entry (a second entry on one job of the batch the most often), one in ten empty.
 */
const batchArbs = (): fc.WeightedArbitrary<fc.Command<Model, Real>>[] => [
  {
    weight: 12,
    arbitrary: fc
      .record({
        t: batchTargetArb,
        count: batchCountArb,
        bad: fc.oneof(
          { weight: 12, arbitrary: fc.constant<BadCommit>("none") },
          ...weighted<BadCommit>([["dup", 2], ["foreign", 3], ["missing", 1], ["closed", 2]]),
          { weight: 2, arbitrary: fc.constant<BadCommit>("empty") },
        ),
        at: sel,
        score: scoreArb,
        near: rarely(2, 3),
        noise: fc.constantFrom(-16n, -15n, -5n, 0n, 0n, 0n, 5n, 15n, 16n),
      })
      .map((q) => new CommitBatchCommand(q)),
  },
  {
    weight: 12,
    arbitrary: fc
      .record({
        t: batchTargetArb,
        count: batchCountArb,
        bad: fc.oneof(
          { weight: 12, arbitrary: fc.constant<BadReveal>("none") },
          ...weighted<BadReveal>([["dup", 3], ["wrong", 2], ["short", 2], ["missing", 1], ["uncommitted", 2]]),
          { weight: 2, arbitrary: fc.constant<BadReveal>("empty") },
        ),
        at: sel,
        pending: rarely(1, 8),
      })
      .map((q) => new RevealBatchCommand(q)),
  },
  {
    weight: 8,
    arbitrary: fc
      .record({
        t: batchTargetArb,
        count: batchCountArb,
        bad: fc.oneof(
          { weight: 12, arbitrary: fc.constant<BadClaim>("none") },
          ...weighted<BadClaim>([["dup", 3], ["unscored", 2], ["missing", 1], ["stranger", 2]]),
          { weight: 2, arbitrary: fc.constant<BadClaim>("empty") },
        ),
        at: sel,
      })
      .map((q) => new ClaimBatchCommand(q)),
  },
];

export const commandArbOf = (mix: Mix | null, batches = false): fc.Arbitrary<fc.Command<Model, Real>> => {
  const prices = mix ? verifiedPriceArb : priceArb;
  return fc.oneof(
    {
      // (twice as many datasets with the batch calls: more slots for jobs side by side)
      weight: batches ? 6 : 3,
      arbitrary: fc
        .record({
          who: sel,
          anyone: rarely(1, 8),
          stake: fc.oneof(
            // (with verified jobs, some stakes whose 10% and 50% exceed most bids: the slash caps)
            {
              weight: 10,
              arbitrary: mix
                ? fc.constantFrom(MIN_DATASET_STAKE, 2_000_000n, 12_000_000n, 12_000_000n)
                : fc.constantFrom(MIN_DATASET_STAKE, MIN_DATASET_STAKE, 2_000_000n, 3_500_000n),
            },
            { weight: 1, arbitrary: fc.constant(MIN_DATASET_STAKE - 1n) },
          ),
          uri: uriArb,
          terms: fc.oneof(
            { weight: 1, arbitrary: fc.constant(null) },
            { weight: 1, arbitrary: fc.record({ price: prices, capacity: capacityArb }) },
          ),
        })
        .map((q) => new RegisterDatasetCommand(q)),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          t: targetArb,
          owner: rarely(8, 10),
          amount: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(0n, 300_000n, 1_000_000n, 1_000_000n) }, { weight: 1, arbitrary: fc.constant(MAX_UINT) }),
        })
        .map((q) => new AddDatasetStakeCommand(q)),
    },
    { weight: 1, arbitrary: fc.record({ t: targetArb, owner: rarely(8, 10), price: prices, capacity: capacityArb }).map((q) => new SetDatasetTermsCommand(q)) },
    ...(mix
      ? [
          {
            weight: mix.raise,
            arbitrary: fc
              .record({
                sel,
                who: sel,
                raise: fc.constantFrom(1_000n, 5_000n, 20_000n),
                big: rarely(1, 2),
                wait: fc.nat(10),
                duration: fc.bigInt({ min: 1n, max: 20n }),
                slack: fc.oneof({ weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 40n }) }, { weight: 1, arbitrary: fc.bigInt({ min: 100n, max: 300n }) }),
                extra: fc.constantFrom(0n, 50_000n, 300_000n),
                seal: fc.nat(1_000_000),
                tight: rarely(1, 4),
              })
              .map((q) => new RaiseThenBidCommand(q)),
          },
        ]
      : []),
    { weight: 1, arbitrary: fc.record({ t: targetArb, owner: rarely(8, 10) }).map((q) => new RetireDatasetCommand(q)) },
    { weight: 2, arbitrary: fc.record({ t: targetArb, owner: rarely(8, 10) }).map((q) => new WithdrawDatasetStakeCommand(q)) },
    {
      // (twice as many bids with the batch calls: jobs side by side, so that a validator holds several seats at once)
      weight: batches ? 24 : 12,
      // a training bid (a verified job) mix.training times in ten
      arbitrary: mix
        ? fc.record({ ...verifiedPlaceBidFields(mix), verified: rarely(mix.training, 10), seal: fc.nat(1_000_000) }).map((q) => new PlaceBidCommand(q))
        : fc.record(placeBidFields).map((q) => new PlaceBidCommand({ ...q, verified: false, seal: 0 })),
    },
    ...(mix
      ? [
          {
            weight: mix.deliver,
            arbitrary: fc.record({ t: targetArb, owner: rarely(9, 10), model: fc.nat(3), short: rarely(1, 6) }).map((q) => new DeliverModelCommand(q)),
          },
          {
            weight: mix.reveal,
            arbitrary: fc
              .record({
                t: targetArb,
                owner: rarely(9, 10),
                wrong: fc.oneof(
                  { weight: 10, arbitrary: fc.constant<WrongSeal>("none") },
                  { weight: 1, arbitrary: fc.constant<WrongSeal>("digest") },
                  { weight: 1, arbitrary: fc.constant<WrongSeal>("salt") },
                  { weight: 2, arbitrary: fc.constant<WrongSeal>("short") },
                  { weight: 2, arbitrary: fc.constant<WrongSeal>("shortDigest") },
                ),
              })
              .map((q) => new RevealEvaluationSetCommand(q)),
          },
        ]
      : []),
    { weight: 1, arbitrary: fc.record({ t: targetArb }).map((q) => new MatchQueuedBidsCommand(q)) },
    { weight: 2, arbitrary: fc.record({ t: targetArb, owner: rarely(8, 10) }).map((q) => new CancelBidCommand(q)) },
    { weight: 3, arbitrary: fc.record({ t: targetArb }).map((q) => new ExpireBidCommand(q)) },
    { weight: 2, arbitrary: fc.record({ t: targetArb, owner: rarely(8, 10) }).map((q) => new DeclineJobCommand(q)) },
    {
      weight: 4,
      arbitrary: fc
        .record({
          who: sel,
          fresh: rarely(8, 10),
          stake: fc.oneof(
            // equal stakes make weighted ties (the lower median, no-majority slashes); 1M leaves the set on its first
            // penalty, 1,010,101 falls to exactly 1,000,000 (stays), 1,020,000 on its second
            {
              weight: 12,
              arbitrary: fc.constantFrom(MIN_VALIDATOR_STAKE, 1_010_101n, 1_020_000n, 2_000_000n, 2_000_000n, 2_000_000n, 2_000_000n, 5_000_000n),
            },
            { weight: 1, arbitrary: fc.constant(MIN_VALIDATOR_STAKE - 1n) },
          ),
        })
        .map((q) => new RegisterValidatorCommand(q)),
    },
    { weight: 2, arbitrary: fc.record({ t: targetArb }).map((q) => new RequestValidatorExitCommand(q)) },
    { weight: 2, arbitrary: fc.record({ t: targetArb }).map((q) => new WithdrawValidatorStakeCommand(q)) },
    { weight: 2, arbitrary: fc.record({ t: targetArb }).map((q) => new DrawCommitteeCommand(q)) },
    {
      weight: 16,
      arbitrary: fc
        .record({ t: targetArb, voter: sel, score: scoreArb, near: rarely(2, 3), noise: fc.constantFrom(-16n, -15n, -5n, 0n, 0n, 0n, 5n, 15n, 16n) })
        .map((q) => new CommitValidationCommand(q)),
    },
    {
      weight: 16,
      arbitrary: fc
        .record({
          t: targetArb,
          voter: sel,
          wrong: fc.oneof(
            { weight: 14, arbitrary: fc.constant<WrongReveal>("none") },
            { weight: 1, arbitrary: fc.constant<WrongReveal>("score") },
            { weight: 1, arbitrary: fc.constant<WrongReveal>("salt") },
            { weight: 2, arbitrary: fc.constant<WrongReveal>("short") },
          ),
        })
        .map((q) => new RevealValidationCommand(q)),
    },
    {
      weight: 8,
      arbitrary: fc.record({ t: targetArb, voter: sel, score: scoreArb, mismatch: rarely(1, 12) }).map((q) => new SubmitValidationCommand(q)),
    },
    { weight: 5, arbitrary: fc.record({ t: targetArb }).map((q) => new FinalizeValidationCommand(q)) },
    { weight: 6, arbitrary: fc.record({ t: targetArb, voter: sel }).map((q) => new ClaimRewardCommand(q)) },
    ...(batches ? batchArbs() : []),
    {
      weight: 10,
      arbitrary: fc
        .record({
          owner: rarely(9, 10),
          who: sel,
          action: fc.oneof(
            { weight: 20, arbitrary: fc.constant<PauseAction>("resume") },
            { weight: 2, arbitrary: fc.constant<PauseAction>("pause") },
            { weight: 1, arbitrary: fc.constant<PauseAction>("repeat") },
          ),
          pause: fc.boolean(),
        })
        .map((q) => new SetPausedCommand(q)),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          owner: rarely(8, 10),
          who: sel,
          kind: fc.constantFrom("zero" as const, "part" as const, "part" as const, "all" as const, "over" as const),
          pct: fc.bigInt({ min: 1n, max: 100n }),
          recipient: sel,
        })
        .map((q) => new WithdrawTreasuryCommand(q)),
    },
    { weight: 1, arbitrary: fc.record({ who: sel, amount: fc.constantFrom(1n, 12_345n, 1_000_000n) }).map((q) => new GiftCommand(q)) },
    { weight: 1, arbitrary: fc.record({ owner: rarely(8, 10), who: sel }).map((q) => new SweepSurplusCommand(q)) },
    { weight: 2, arbitrary: fc.record({ sel, before: rarely(1, 4) }).map((q) => new MineToEdgeCommand(q)) },
    ...(mix
      ? [
          {
            weight: mix.tight,
            arbitrary: fc.record({ sel, who: sel, after: fc.boolean(), finalize: fc.boolean() }).map((q) => new EndAroundDeclineWindowCommand(q)),
          },
        ]
      : []),
    {
      // (with the batch calls, shorter hops: jobs overlap, so that a validator holds several seats at once)
      weight: batches ? 4 : 6,
      arbitrary: fc
        .oneof(
          { weight: 20, arbitrary: fc.integer({ min: 1, max: 15 }) },
          { weight: batches ? 5 : 15, arbitrary: fc.integer({ min: 40, max: 120 }) },
          ...(batches ? [] : [{ weight: 1, arbitrary: fc.constant(4400) }]),
        )
        .map((n) => new MineCommand(n)),
    },
  );
};
