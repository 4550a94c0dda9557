/**
 * The market's whole lifecycle on a fresh simnet, told with named actors: datasets and
 * validators register, a bid is matched at once and another automatically from the queue,
 * a one-seat committee votes directly in a small market, a random committee (drawn from the
 * validators registered before the match) commits and reveals in a market of seven
 * validators, payments net of the validator and protocol fees, a partial payment, a slash
 * backed by a majority of the committee's stake, an expired bid's refund, reward claims and a
 * governance vote. `runDemo(log)` prints every step and its events through `log` and returns
 * a summary; `index.ts` is the CLI.
 */
import { createHash } from "node:crypto";
import type { ParsedTransactionResult } from "@stacks/clarinet-sdk";
import { Cl, ClarityType, type ClarityValue } from "@stacks/transactions";
import { BID_STATUS, ERR, OUTCOME, type ErrorName } from "../errors.ts";
import { derivedAddress, loadSimnet, type LoadedSimnet } from "../simnet.ts";
import {
  decode,
  formatAmount,
  formatEvent,
  formatStx,
  formatStxFixed,
  formatValue,
  quietly,
  type Decoded,
  type ValueFormat,
} from "../console/format.ts";

export type Log = (line: string) => void;

const STX = 1_000_000n;

/** Simnet accounts start with this many micro-STX; the extra validators get the same from the faucet. */
const STARTING_BALANCE = 100_000_000n * STX;

/** Who plays which part. Wanda, Xavier and Yasmin have no Devnet.toml wallet: they are minted. */
const CAST = [
  { name: "Ada", role: "data provider", wallet: "wallet_1" },
  { name: "Bob", role: "ML developer", wallet: "wallet_2" },
  { name: "Carol", role: "ML developer", wallet: "wallet_7" },
  { name: "Jasper", role: "junk-data provider", wallet: "wallet_6" },
  { name: "Vera", role: "validator", wallet: "wallet_3" },
  { name: "Victor", role: "validator", wallet: "wallet_4" },
  { name: "Valentina", role: "validator, rubber-stamps", wallet: "wallet_5" },
  { name: "Walter", role: "validator", wallet: "wallet_8" },
  { name: "Wanda", role: "validator", wallet: undefined },
  { name: "Xavier", role: "validator", wallet: undefined },
  { name: "Yasmin", role: "validator", wallet: undefined },
] as const;

export type ActorName = (typeof CAST)[number]["name"];

/** The scores each validator gives Jasper's junk-trained model. Valentina approves everything. */
const JUNK_SCORES: Partial<Record<ActorName, number>> = {
  Vera: 12,
  Victor: 15,
  Valentina: 90,
  Walter: 18,
  Wanda: 10,
  Xavier: 20,
  Yasmin: 14,
};

const VALIDATOR_STAKE = 10n * STX;
const ADA_STAKE = 50n * STX;
const JASPER_STAKE = 20n * STX;
const PRICE_PER_BLOCK = 100_000n; // 0.1 STX per Bitcoin block of training
const TRAINING_BLOCKS = 100n;

interface Actor {
  name: ActorName;
  role: string;
  address: string;
}

export interface ActorBalance {
  name: string;
  role: string;
  address: string;
  before: bigint;
  after: bigint;
  /** after - before: what left (or reached) the actor's wallet. */
  change: bigint;
  /** Dataset and validator stakes the actor still has in the market (its voting power). */
  staked: bigint;
  /** change + staked: what the actor gained or lost in the market. */
  net: bigint;
}

export interface JobSummary {
  bidId: number;
  datasetId: number;
  provider: ActorName;
  bidder: ActorName;
  amount: bigint;
  path: "direct vote" | "commit-reveal";
  /** Seated validators, in seat order. */
  committee: ActorName[];
  /** Each seated validator's revealed score. */
  votes: Partial<Record<ActorName, number>>;
  finalScore: number;
  outcome: "rewarded" | "partial" | "slashed";
  providerPayment: bigint;
  bidderRefund: bigint;
  slashed: bigint;
  validatorFees: bigint;
  /** protocol-fee-bps of the payment, to the treasury. */
  protocolFee: bigint;
  penalties: bigint;
  /** The validators' pool as settled: the fees plus the outliers' penalties. */
  rewardPool: bigint;
  /** Seated validators whose vote was more than consensus-tolerance from the final score. */
  outliers: ActorName[];
}

export interface DemoSummary {
  /** The title of every step, in order (each is printed). */
  steps: string[];
  actors: ActorBalance[];
  /** The market contract's own STX balance, before and after. */
  contract: { before: bigint; after: bigint };
  jobs: JobSummary[];
  claims: { validator: ActorName; bidId: number; amount: bigint }[];
  /** The queued bid matched automatically when the job ahead of it settled. */
  automaticMatch: { bidId: number; bidder: ActorName; whenSettled: number };
  expiredBid: { bidId: number; bidder: ActorName; refund: bigint };
  slash: {
    datasetId: number;
    provider: ActorName;
    amount: bigint;
    stakeBefore: bigint;
    stakeAfter: bigint;
    /** The committee's whole weight (its seats' stakes at the draw) and the part that scored below the slash threshold. */
    committeeWeight: bigint;
    weightBelowThreshold: bigint;
  };
  governance: { proposalId: number; parameter: string; from: bigint; to: bigint; version: number; yes: bigint; no: bigint };
  totals: Record<string, bigint>;
  totalsSum: bigint;
  contractBalance: bigint;
  /** The sum of the five buckets of get-market-totals equalled the contract's balance, with no surplus, after every call and at the end. */
  solvent: boolean;
}

/** Thrown when a call the story depends on does not return what it should. */
export class DemoError extends Error {}

const OUTCOME_NAMES: Record<number, JobSummary["outcome"]> = {
  [OUTCOME.REWARDED]: "rewarded",
  [OUTCOME.PARTIAL]: "partial",
  [OUTCOME.SLASHED]: "slashed",
};

const STATUS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(BID_STATUS).map(([name, code]) => [code, name.toLowerCase()]),
);

type Tuple = Record<string, Decoded>;

/** A deterministic key for an actor without a Devnet.toml wallet. */
export function mintedAddress(name: string): string {
  return derivedAddress(`neural-training-market demo: ${name}`);
}

/** The salt a validator keeps secret between its commit and its reveal. */
function saltFor(name: string, bidId: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`${name}:${bidId}:salt`).digest());
}

function errorName(cv: ClarityValue): string {
  if (cv.type !== ClarityType.ResponseErr || cv.value.type !== ClarityType.UInt) return "";
  const code = Number(cv.value.value);
  const name = (Object.keys(ERR) as ErrorName[]).find((key) => ERR[key] === code);
  return name ? ` ;; ERR_${name}` : "";
}

class Demo {
  readonly simnet: LoadedSimnet["simnet"];
  readonly contractId: string;
  readonly actors = new Map<ActorName, Actor>();
  readonly steps: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly format: ValueFormat;
  solvent = true;

  constructor(
    loaded: LoadedSimnet,
    readonly log: Log,
  ) {
    this.simnet = loaded.simnet;
    this.contractId = loaded.contractId;
    for (const { name, role, wallet } of CAST) {
      const address = wallet ? loaded.accounts.get(wallet) : mintedAddress(name);
      if (!address) throw new DemoError(`no simnet account ${wallet}`);
      this.actors.set(name, { name, role, address });
      this.names.set(address, name);
    }
    this.names.set(loaded.contractId, "market");
    this.format = { nameOf: (principal) => this.names.get(principal), maxBufferBytes: 8 };
  }

  actor(name: ActorName): Actor {
    const actor = this.actors.get(name);
    if (!actor) throw new DemoError(`no actor ${name}`);
    return actor;
  }

  nameOf(address: string): ActorName {
    const name = this.names.get(address);
    if (!name || name === "market") throw new DemoError(`unknown actor ${address}`);
    return name as ActorName;
  }

  // -- output ---------------------------------------------------------------------------

  step(title: string) {
    this.steps.push(title);
    this.log("");
    this.log(`== Step ${this.steps.length}: ${title}`);
  }

  say(text: string) {
    this.log(`   ${text}`);
  }

  // -- chain ----------------------------------------------------------------------------

  height(): bigint {
    return BigInt(this.simnet.burnBlockHeight);
  }

  mine(blocks: bigint, why: string) {
    const from = this.height();
    quietly(() => this.simnet.mineEmptyBlocks(Number(blocks)));
    this.say(`... ${blocks} Bitcoin block${blocks === 1n ? "" : "s"} pass${blocks === 1n ? "es" : ""} (${why}): burn height ${from} -> ${this.height()}`);
  }

  mineUntil(target: bigint, why: string) {
    if (target > this.height()) this.mine(target - this.height(), why);
  }

  balance(address: string): bigint {
    return this.simnet.getAssetsMap().get("STX")?.get(address) ?? 0n;
  }

  view(fn: string, args: ClarityValue[] = []): Decoded {
    return decode(quietly(() => this.simnet.callReadOnlyFn(this.contractId, fn, args, this.contractId.split(".")[0])).result);
  }

  tuple(fn: string, args: ClarityValue[] = []): Tuple {
    const value = this.view(fn, args);
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new DemoError(`${fn}: no such entry`);
    return value;
  }

  /** A public call by an actor: prints the call, its result and its events, then checks solvency. */
  call(who: ActorName, fn: string, args: ClarityValue[]): ParsedTransactionResult {
    const sender = this.actor(who).address;
    const shown = args.map((arg) => formatValue(arg, this.format)).join(" ");
    const result = quietly(() => this.simnet.callPublicFn(this.contractId, fn, args, sender));
    this.log(`   > ${who}: (${fn}${shown ? ` ${shown}` : ""})`);
    this.log(`     ${formatValue(result.result, this.format)}${errorName(result.result)}`);
    for (const event of result.events) this.log(`       ${formatEvent(event, this.format)}`);
    this.checkSolvency(`${who}'s ${fn}`);
    return result;
  }

  /** A call that must succeed; returns its decoded `(ok ...)` value. */
  ok(who: ActorName, fn: string, args: ClarityValue[]): Decoded {
    const result = this.call(who, fn, args);
    if (result.result.type !== ClarityType.ResponseOk) {
      throw new DemoError(`${who}'s ${fn} failed: ${formatValue(result.result)}${errorName(result.result)}`);
    }
    return decode(result.result);
  }

  /** A call that must fail with the named error. */
  fails(who: ActorName, fn: string, args: ClarityValue[], expected: ErrorName) {
    const result = this.call(who, fn, args);
    const code = result.result.type === ClarityType.ResponseErr ? decode(result.result) : undefined;
    if (code !== BigInt(ERR[expected])) throw new DemoError(`${who}'s ${fn} should fail with ERR_${expected}: ${formatValue(result.result)}`);
  }

  totals(): Record<string, bigint> {
    return this.tuple("get-market-totals") as Record<string, bigint>;
  }

  /** The five buckets every micro-STX the contract holds belongs to (get-market-totals without `surplus`). */
  bucketsSum(totals: Record<string, bigint>): bigint {
    return Object.entries(totals)
      .filter(([bucket]) => bucket !== "surplus")
      .reduce((sum, [, amount]) => sum + amount, 0n);
  }

  checkSolvency(after: string): boolean {
    const totals = this.totals();
    const sum = this.bucketsSum(totals);
    const balance = this.balance(this.contractId);
    if (sum !== balance || totals.surplus !== 0n) {
      this.solvent = false;
      this.log(
        `   !! INSOLVENT after ${after}: market totals ${formatAmount(sum)} != contract balance ${formatAmount(balance)}` +
          ` (surplus ${formatAmount(totals.surplus ?? 0n)})`,
      );
      return false;
    }
    return true;
  }

  // -- contract views -------------------------------------------------------------------

  bid(bidId: number): Tuple {
    return this.tuple("get-bid", [Cl.uint(bidId)]);
  }

  bidStatus(bidId: number): string {
    return STATUS_NAMES[Number(this.bid(bidId).status)] ?? "unknown";
  }

  seats(bidId: number): ActorName[] {
    const committee = this.view("get-committee", [Cl.uint(bidId)]) as Tuple | null;
    return ((committee?.seats as string[] | undefined) ?? []).map((address) => this.nameOf(address));
  }

  /** Each seat's weight (its member's stake at the draw), by member. */
  seatWeights(bidId: number): Map<ActorName, bigint> {
    const committee = this.tuple("get-committee", [Cl.uint(bidId)]);
    const weights = committee.weights as bigint[];
    return new Map((committee.seats as string[]).map((address, i) => [this.nameOf(address), weights[i]]));
  }

  job(bidId: number, path: JobSummary["path"], votes: Partial<Record<ActorName, number>>): JobSummary {
    const bid = this.bid(bidId);
    const result = this.tuple("get-job-result", [Cl.uint(bidId)]);
    const datasetId = Number(bid["dataset-id"]);
    const dataset = this.tuple("get-dataset", [Cl.uint(datasetId)]);
    const committee = this.seats(bidId);
    const finalScore = Number(result["final-score"]);
    const tolerance = Number(this.tuple("get-parameters-at", [Cl.uint(bid["parameter-version"] as bigint)])["consensus-tolerance"]);
    return {
      bidId,
      datasetId,
      provider: this.nameOf(dataset.provider as string),
      bidder: this.nameOf(bid.bidder as string),
      amount: bid.amount as bigint,
      path,
      committee,
      votes,
      finalScore,
      outcome: OUTCOME_NAMES[Number(result.outcome)],
      providerPayment: result["provider-payment"] as bigint,
      bidderRefund: result["bidder-refund"] as bigint,
      slashed: result["slashed-amount"] as bigint,
      validatorFees: result["validator-fees"] as bigint,
      protocolFee: result["protocol-fee"] as bigint,
      penalties: result.penalties as bigint,
      // read as the job settles, before any claim draws on it
      rewardPool: result["reward-pool"] as bigint,
      outliers: committee.filter((name) => Math.abs((votes[name] ?? -1000) - finalScore) > tolerance),
    };
  }

  describeJob(job: JobSummary) {
    this.say(
      `Job #${job.bidId} settled: final score ${job.finalScore} -> ${job.outcome}. ${job.provider} is paid ${formatAmount(job.providerPayment)}, ` +
        `${job.bidder} gets back ${formatAmount(job.bidderRefund)}.`,
    );
    if (job.protocolFee > 0n) {
      const payment = job.providerPayment + job.validatorFees + job.protocolFee;
      this.say(
        `Out of the ${formatStx(payment)} payment come the validators' 5% fee, ${formatStx(job.validatorFees)}, and the 1% protocol fee, ` +
          `${formatStx(job.protocolFee)}, for the treasury.`,
      );
    }
    this.say(
      `Validator fees ${formatAmount(job.validatorFees)} + outliers' penalties ${formatAmount(job.rewardPool - job.validatorFees)} = reward pool ${formatAmount(job.rewardPool)}.`,
    );
    if (job.slashed > 0n) this.say(`${job.provider}'s dataset stake is slashed by ${formatAmount(job.slashed)}.`);
  }
}

/**
 * Runs the whole story on a fresh simnet (or on `loaded`, which must be fresh) and returns
 * what happened. Throws a `DemoError` if any call does not behave as the market's rules say.
 */
export async function runDemo(log: Log, loaded?: LoadedSimnet): Promise<DemoSummary> {
  const market = loaded ?? (await loadSimnet());
  const demo = new Demo(market, log);
  const { simnet } = market;
  const claims: DemoSummary["claims"] = [];
  const jobs: JobSummary[] = [];

  log("Neural training market: the whole lifecycle on the Clarinet simnet");
  log(`contract ${market.contractId}; amounts in STX (1 STX = 1,000,000 uSTX); time in Bitcoin blocks`);
  log("");
  log("The cast:");
  for (const actor of demo.actors.values()) {
    if (demo.balance(actor.address) === 0n) quietly(() => simnet.mintSTX(actor.address, STARTING_BALANCE));
    log(`   ${actor.name.padEnd(10)} ${actor.role.padEnd(26)} ${actor.address}`);
  }
  log("   (Wanda, Xavier and Yasmin have no Devnet wallet: the simnet mints their 100,000,000 STX.)");
  const before = new Map([...demo.actors.values()].map((actor) => [actor.name, demo.balance(actor.address)]));
  const contractBefore = demo.balance(market.contractId);

  const claim = (who: ActorName, bidId: number) => {
    const amount = demo.ok(who, "claim-validation-reward", [Cl.uint(bidId)]) as bigint;
    claims.push({ validator: who, bidId, amount });
    return amount;
  };

  // --- A small market: one validator ------------------------------------------------------

  demo.step("Vera registers as the market's first validator");
  demo.ok("Vera", "register-validator", [Cl.uint(VALIDATOR_STAKE)]);
  demo.say(`Vera's ${formatStx(VALIDATOR_STAKE)} stake weights her votes and answers for them.`);

  demo.step("Ada registers her curated dataset with her terms in one call");
  const adaDataset = Number(
    demo.ok("Ada", "register-dataset-with-terms", [
      Cl.uint(ADA_STAKE),
      Cl.stringAscii("ipfs://ada/curated-street-scenes"),
      Cl.uint(PRICE_PER_BLOCK),
      Cl.uint(1),
    ]),
  );
  demo.say(`Dataset #${adaDataset}: ${formatStx(ADA_STAKE)} quality stake, ask ${formatStx(PRICE_PER_BLOCK)} per block, one job at a time.`);
  demo.say("Registered with its terms at once, it never takes a bid at a price of 0.");

  demo.step("Bob bids for training on Ada's dataset: matched at once, Vera seated alone");
  let now = demo.height();
  const bobBid = Number(
    demo.ok("Bob", "place-computation-bid", [Cl.uint(adaDataset), Cl.uint(20n * STX), Cl.uint(TRAINING_BLOCKS), Cl.uint(now + 150n)]),
  );
  demo.say(`Bid #${bobBid} escrows ${formatStx(20n * STX)} and is ${demo.bidStatus(bobBid)}; committee: ${demo.seats(bobBid).join(", ")} (small market, no randomness).`);

  demo.step("Carol's two bids wait in Ada's queue");
  const carolBid = Number(
    demo.ok("Carol", "place-computation-bid", [Cl.uint(adaDataset), Cl.uint(15n * STX), Cl.uint(TRAINING_BLOCKS), Cl.uint(now + 400n)]),
  );
  const rushBid = Number(
    demo.ok("Carol", "place-computation-bid", [Cl.uint(adaDataset), Cl.uint(12n * STX), Cl.uint(TRAINING_BLOCKS), Cl.uint(now + 120n)]),
  );
  demo.say(`Ada's only slot is busy: bid #${carolBid} (due by block ${now + 400n}) and the rush bid #${rushBid} (due by block ${now + 120n}) are ${demo.bidStatus(carolBid)}.`);

  demo.step("Bob's model trains for 100 blocks");
  demo.mine(TRAINING_BLOCKS, "training");

  demo.step("Vera scores Bob's model 85 (direct vote): Ada is paid, Carol's bid is matched automatically");
  const direct = demo.call("Vera", "submit-validation-result", [Cl.uint(adaDataset), Cl.uint(bobBid), Cl.uint(85)]);
  if (direct.result.type !== ClarityType.ResponseOk) throw new DemoError("Vera's vote failed");
  jobs.push(demo.job(bobBid, "direct vote", { Vera: 85 }));
  demo.describeJob(jobs[0]);
  if (demo.bidStatus(carolBid) !== "matched") throw new DemoError(`bid #${carolBid} was not matched automatically`);
  demo.say(`The freed slot went to the head of the queue: bid #${carolBid} is now ${demo.bidStatus(carolBid)}, committee ${demo.seats(carolBid).join(", ")}.`);

  demo.step("Vera claims her validation reward");
  const veraReward = claim("Vera", bobBid);
  demo.say(`Vera, the only (coherent) member, takes the whole pool: ${formatAmount(veraReward)}.`);

  demo.step("Carol's rush bid can no longer meet its deadline: expired and refunded");
  demo.say(`Burn height ${demo.height()} + ${TRAINING_BLOCKS} blocks of training > deadline ${now + 120n}: anyone may expire it.`);
  const refund = demo.ok("Carol", "expire-bid", [Cl.uint(rushBid)]) as bigint;
  demo.say(`Bid #${rushBid} is ${demo.bidStatus(rushBid)}; Carol got her ${formatAmount(refund)} back in full, nobody is slashed.`);

  demo.step("Carol's model is mediocre: Vera scores it 55, a partial payment");
  demo.mine(TRAINING_BLOCKS, "training");
  demo.ok("Vera", "submit-validation-result", [Cl.uint(adaDataset), Cl.uint(carolBid), Cl.uint(55)]);
  jobs.push(demo.job(carolBid, "direct vote", { Vera: 55 }));
  demo.describeJob(jobs[1]);
  demo.say("Between the slash (40) and reward (70) thresholds the payment is pro rata: (55 - 40) / (70 - 40) of the bid.");
  claim("Vera", carolBid);

  // --- A larger market: seven validators, random committees, commit-reveal ----------------

  demo.step("Six more validators join: seven in all, more than the committee size of 5");
  for (const name of ["Victor", "Valentina", "Walter", "Wanda", "Xavier", "Yasmin"] as const) {
    demo.ok(name, "register-validator", [Cl.uint(VALIDATOR_STAKE)]);
  }
  demo.say(`Active validators: ${demo.view("get-active-validator-count")}.`);
  demo.say("They register before the next bid: a job's committee is drawn only from the validators registered before its match.");

  demo.step("Jasper registers a junk dataset; Bob's bid on it is matched, its committee waits for a seed");
  const jasperDataset = Number(demo.ok("Jasper", "register-dataset", [Cl.uint(JASPER_STAKE), Cl.stringAscii("ipfs://jasper/scraped-unlabeled-dump")]));
  now = demo.height();
  const junkBid = Number(
    demo.ok("Bob", "place-computation-bid", [Cl.uint(jasperDataset), Cl.uint(10n * STX), Cl.uint(TRAINING_BLOCKS), Cl.uint(now + 150n)]),
  );
  demo.say(`Bid #${junkBid} is ${demo.bidStatus(junkBid)} but has no committee yet: it is drawn from the VRF seed of the next Stacks block`);
  demo.say("mixed with the hash of the Bitcoin block after Jasper's 6-block decline window, which nobody knows yet:");
  demo.say("Jasper may decline the job, but never knowing its judges.");
  demo.fails("Bob", "draw-committee", [Cl.uint(junkBid)], "SEED_NOT_READY");

  demo.step("Seven blocks later the seed exists: a committee of 5 is drawn at random");
  demo.mine(7n, "the decline window and the seed's block");
  const seed = demo.view("get-committee-seed", [Cl.uint(junkBid)]);
  if (typeof seed !== "string") throw new DemoError("the committee seed should exist once the decline window has closed");
  demo.say(`get-committee-seed: 0x${seed.slice(0, 16)}…`);
  demo.ok("Bob", "draw-committee", [Cl.uint(junkBid)]);
  const committee = demo.seats(junkBid);
  demo.say(`Seated: ${committee.join(", ")}. Not seated: ${[...Object.keys(JUNK_SCORES)].filter((n) => !committee.includes(n as ActorName)).join(", ")}.`);

  demo.step("Bob's model trains on Jasper's data");
  demo.mineUntil(now + TRAINING_BLOCKS, "training");

  demo.step("Commit phase: each member commits a hash of its score and a secret salt");
  const votes: Partial<Record<ActorName, number>> = {};
  for (const name of committee) {
    const score = JUNK_SCORES[name];
    if (score === undefined) throw new DemoError(`${name} has no opinion`);
    votes[name] = score;
    const commitment = quietly(() =>
      simnet.callReadOnlyFn(
        market.contractId,
        "compute-commitment",
        [Cl.uint(score), Cl.buffer(saltFor(name, junkBid)), Cl.uint(junkBid), Cl.principal(demo.actor(name).address)],
        demo.actor(name).address,
      ),
    ).result;
    demo.ok(name, "commit-validation-result", [Cl.uint(junkBid), commitment]);
  }
  demo.say("Nobody can see, and so nobody can copy, another member's score until every seat has committed.");

  demo.step("Reveal phase: the stake-weighted median decides, Jasper's stake is slashed");
  const stakeBefore = demo.tuple("get-dataset", [Cl.uint(jasperDataset)]).stake as bigint;
  const weights = demo.seatWeights(junkBid);
  for (const name of committee) {
    const score = votes[name] as number;
    demo.ok(name, "reveal-validation-result", [Cl.uint(junkBid), Cl.uint(score), Cl.buffer(saltFor(name, junkBid))]);
  }
  const junkJob = demo.job(junkBid, "commit-reveal", votes);
  jobs.push(junkJob);
  const slashThreshold = Number(demo.tuple("get-parameters-at", [Cl.uint(demo.bid(junkBid)["parameter-version"] as bigint)])["slash-threshold"]);
  const committeeWeight = [...weights.values()].reduce((a, b) => a + b, 0n);
  const weightBelowThreshold = committee.filter((name) => (votes[name] as number) < slashThreshold).reduce((sum, name) => sum + (weights.get(name) ?? 0n), 0n);
  if (junkJob.outcome !== "slashed" || 2n * weightBelowThreshold <= committeeWeight) {
    throw new DemoError(`job #${junkBid} should be slashed by a majority of its committee's stake`);
  }
  demo.say(`Scores revealed: ${committee.map((name) => `${name} ${votes[name]}`).join(", ")}; the median is ${junkJob.finalScore}.`);
  demo.say(
    `Below ${slashThreshold}: ${formatStx(weightBelowThreshold)} of the committee's ${formatStx(committeeWeight)} of stake, a strict majority, ` +
      "as a slash requires (a minority's low median would only refund the bid).",
  );
  demo.describeJob(junkJob);
  const stakeAfter = demo.tuple("get-dataset", [Cl.uint(jasperDataset)]).stake as bigint;
  demo.say(`On a slash the validators' fee (5% of the bid) comes out of the slashed stake; the rest goes to the treasury. Nothing was paid, so no protocol fee.`);
  if (junkJob.outliers.length > 0) {
    demo.say(`${junkJob.outliers.join(", ")} voted more than 15 points from the median: penalized 1% of stake, paid into the reward pool.`);
  }

  demo.step("The committee claims its rewards");
  for (const name of committee) {
    const amount = claim(name, junkBid);
    if (amount === 0n) demo.say(`${name} was an outlier: (ok u0), nothing to claim.`);
  }

  // --- Governance ------------------------------------------------------------------------

  demo.step("Governance: Ada proposes raising the validator fee from 5% to 7%");
  const feeBefore = demo.tuple("get-parameters")["validator-fee-bps"] as bigint;
  const proposalId = Number(demo.ok("Ada", "propose-parameter-change", [Cl.stringAscii("validator-fee-bps"), Cl.uint(700)]));
  const proposal = demo.tuple("get-proposal", [Cl.uint(proposalId)]);
  demo.say(`Proposal #${proposalId}: voting until block ${proposal["voting-ends-at"]}, executable from block ${proposal["executable-at"]}.`);

  demo.step("Stakeholders vote with their stake");
  demo.say("Each vote weighs the stake its voter held before the proposal was made: stake added to swing a vote counts for nothing on it.");
  for (const [name, support] of [["Ada", true], ["Vera", true], ["Victor", true], ["Jasper", false]] as const) {
    const weight = demo.ok(name, "vote-on-proposal", [Cl.uint(proposalId), Cl.bool(support)]) as bigint;
    demo.say(`${name} votes ${support ? "yes" : "no"} with ${formatStx(weight)} of stake.`);
  }

  demo.step("After the voting period and the execution delay, anyone executes the change");
  demo.mineUntil(proposal["executable-at"] as bigint, "voting period and execution delay");
  const version = Number(demo.ok("Bob", "execute-proposal", [Cl.uint(proposalId)]));
  const params = demo.tuple("get-parameters");
  const voted = demo.tuple("get-proposal", [Cl.uint(proposalId)]);
  demo.say(`Parameters version ${params.version}: validator-fee-bps ${feeBefore} -> ${params["validator-fee-bps"]}. Jobs placed before keep version 1.`);

  // --- The books -------------------------------------------------------------------------

  const actors: ActorBalance[] = [...demo.actors.values()].map((actor) => {
    const start = before.get(actor.name) ?? 0n;
    const end = demo.balance(actor.address);
    const staked = demo.view("get-voting-power", [Cl.principal(actor.address)]) as bigint;
    return { name: actor.name, role: actor.role, address: actor.address, before: start, after: end, change: end - start, staked, net: end - start + staked };
  });
  const contractAfter = demo.balance(market.contractId);

  demo.step("Balances before and after");
  demo.say("Wallet balances in STX. Staked = dataset and validator stakes still in the market; Net = Change + Staked.");
  const columns = [
    ["Actor", 10],
    ["Role", 24],
    ["Before", 20],
    ["After", 20],
    ["Change", 12],
    ["Staked", 11],
    ["Net", 11],
  ] as const;
  const line = (cells: string[]) => `   ${cells.map((cell, i) => (i < 2 ? cell.padEnd(columns[i][1]) : cell.padStart(columns[i][1]))).join(" ")}`.trimEnd();
  const header = line(columns.map(([title]) => title));
  log(header);
  log(`   ${"-".repeat(header.length - 3)}`);
  for (const a of actors) {
    log(line([a.name, a.role, formatStxFixed(a.before), formatStxFixed(a.after), formatStxFixed(a.change, true), formatStxFixed(a.staked), formatStxFixed(a.net, true)]));
  }
  log(line(["market", "the contract", formatStxFixed(contractBefore), formatStxFixed(contractAfter), formatStxFixed(contractAfter - contractBefore, true), "", ""]));

  demo.step("Solvency check: the market's books equal the contract's balance");
  const totals = demo.totals();
  const totalsSum = demo.bucketsSum(totals);
  for (const [bucket, amount] of Object.entries(totals)) if (bucket !== "surplus") log(`   ${bucket.padEnd(18)} ${formatAmount(amount)}`);
  log(`   ${"sum".padEnd(18)} ${formatAmount(totalsSum)}`);
  log(`   ${"contract balance".padEnd(18)} ${formatAmount(contractAfter)}`);
  log(`   ${"surplus".padEnd(18)} ${formatAmount(totals.surplus)} (STX the books do not track)`);
  const solvent = demo.checkSolvency("the demo") && demo.solvent;
  log(
    `   ${solvent ? "SOLVENT: the sum of get-market-totals equals the contract balance, no surplus (checked after every call)" : "INSOLVENT: the books do not match the contract balance"}`,
  );

  const slashJob = jobs[2];
  return {
    steps: demo.steps,
    actors,
    contract: { before: contractBefore, after: contractAfter },
    jobs,
    claims,
    automaticMatch: { bidId: carolBid, bidder: "Carol", whenSettled: bobBid },
    expiredBid: { bidId: rushBid, bidder: "Carol", refund },
    slash: {
      datasetId: jasperDataset,
      provider: slashJob.provider,
      amount: slashJob.slashed,
      stakeBefore,
      stakeAfter,
      committeeWeight,
      weightBelowThreshold,
    },
    governance: {
      proposalId,
      parameter: "validator-fee-bps",
      from: feeBefore,
      to: params["validator-fee-bps"] as bigint,
      version,
      yes: voted["yes-votes"] as bigint,
      no: voted["no-votes"] as bigint,
    },
    totals,
    totalsSum,
    contractBalance: contractAfter,
    solvent,
  };
}
