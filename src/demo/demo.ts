/**
 * The market's whole lifecycle on a fresh simnet, told with named actors: datasets and
 * validators register, a bid is matched at once and another automatically from the queue,
 * a one-seat committee votes directly in a small market, a random committee (drawn from the
 * validators registered before the match) commits and reveals in a market of seven
 * validators, payments net of the validator and protocol fees, a partial payment, a slash
 * backed by a majority of the committee's stake, an expired bid's refund, reward claims and a
 * governance vote. `runDemo(log)` prints every step and its events through `log` and returns
 * a summary; `index.ts` is the CLI.
 *
 * Every call is built by the typed client (`MarketClient`: planned payouts, exact post-conditions,
 * checked as a node would by `SimnetChain`) and every figure is read through its readers.
 */
import { createHash } from "node:crypto";
import { ERR, type ErrorName } from "../errors.ts";
import { derivedAddress, loadSimnet, type LoadedSimnet } from "../simnet.ts";
import { SimnetChain, solvency, type TxResult } from "../agents/index.ts";
import { kebab, type MarketCall, type MarketClient, type MarketReader } from "../client/index.ts";
import { formatAmount, formatEvent, formatStx, formatStxFixed, formatValue, type Decoded, type ValueFormat } from "../console/format.ts";

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

/** A deterministic key for an actor without a Devnet.toml wallet. */
export function mintedAddress(name: string): string {
  return derivedAddress(`neural-training-market demo: ${name}`);
}

/** The salt a validator keeps secret between its commit and its reveal. */
function saltFor(name: string, bidId: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`${name}:${bidId}:salt`).digest());
}

/** ` ;; ERR_<NAME>` after a refused call's result, as the console prints it. */
function errorName(r: TxResult): string {
  return r.ok || r.error === null ? "" : ` ;; ERR_${r.error}`;
}

class Demo {
  readonly chain: SimnetChain;
  readonly reader: MarketReader;
  readonly client: MarketClient;
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
    this.chain = new SimnetChain(loaded.simnet, loaded.contractId);
    this.reader = this.chain.reader;
    this.client = this.chain.client;
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

  /** An actor's address (the `caller` the client plans with). */
  at(name: ActorName): string {
    return this.actor(name).address;
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

  height(): Promise<bigint> {
    return this.chain.burnHeight();
  }

  async mine(blocks: bigint, why: string) {
    const from = await this.height();
    this.chain.mine(Number(blocks));
    this.say(`... ${blocks} Bitcoin block${blocks === 1n ? "" : "s"} pass${blocks === 1n ? "es" : ""} (${why}): burn height ${from} -> ${await this.height()}`);
  }

  async mineUntil(target: bigint, why: string) {
    const now = await this.height();
    if (target > now) await this.mine(target - now, why);
  }

  balance(address: string): Promise<bigint> {
    return this.chain.stxBalance(address);
  }

  /** A public call by an actor, built by the client: prints the call, its result and its events, then checks solvency. */
  async call(who: ActorName, built: MarketCall | Promise<MarketCall>): Promise<TxResult> {
    const call = await built;
    const shown = call.functionArgs.map((arg) => formatValue(arg, this.format)).join(" ");
    const result = await this.chain.send(this.actor(who).address, call);
    this.log(`   > ${who}: (${call.functionName}${shown ? ` ${shown}` : ""})`);
    this.log(`     ${formatValue(result.raw.result, this.format)}${errorName(result)}`);
    for (const event of result.raw.events) this.log(`       ${formatEvent(event, this.format)}`);
    await this.checkSolvency(`${who}'s ${call.functionName}`);
    return result;
  }

  /** A call that must succeed; returns its decoded `(ok ...)` value. */
  async ok(who: ActorName, built: MarketCall | Promise<MarketCall>): Promise<Decoded> {
    const result = await this.call(who, built);
    if (!result.ok) throw new DemoError(`${who}'s call failed: ${formatValue(result.raw.result)}${errorName(result)}`);
    return result.value;
  }

  /** A call that must fail with the named error. */
  async fails(who: ActorName, built: MarketCall | Promise<MarketCall>, expected: ErrorName) {
    const result = await this.call(who, built);
    if (result.ok || result.value !== BigInt(ERR[expected])) {
      throw new DemoError(`${who}'s call should fail with ERR_${expected}: ${formatValue(result.raw.result)}`);
    }
  }

  /** get-market-totals, by the contract's names of its buckets. */
  async totals(): Promise<Record<string, bigint>> {
    const totals = await this.reader.getMarketTotals();
    return Object.fromEntries(Object.entries(totals).map(([bucket, amount]) => [kebab(bucket), amount]));
  }

  /** The five buckets every micro-STX the contract holds belongs to (get-market-totals without `surplus`). */
  bucketsSum(totals: Record<string, bigint>): bigint {
    return Object.entries(totals)
      .filter(([bucket]) => bucket !== "surplus")
      .reduce((sum, [, amount]) => sum + amount, 0n);
  }

  async checkSolvency(after: string): Promise<boolean> {
    const { sum, balance, totals, solvent } = await solvency(this.reader);
    if (!solvent) {
      this.solvent = false;
      this.log(
        `   !! INSOLVENT after ${after}: market totals ${formatAmount(sum)} != contract balance ${formatAmount(balance)}` +
          ` (surplus ${formatAmount(totals.surplus)})`,
      );
      return false;
    }
    return true;
  }

  // -- contract views -------------------------------------------------------------------

  async bidStatus(bidId: number): Promise<string> {
    const bid = await this.reader.getBid(bidId);
    if (!bid) throw new DemoError(`no bid ${bidId}`);
    return bid.status.toLowerCase();
  }

  async seats(bidId: number): Promise<ActorName[]> {
    const committee = await this.reader.getCommittee(bidId);
    return (committee?.seats ?? []).map((address) => this.nameOf(address));
  }

  /** Each seat's weight (its member's stake at the draw), by member. */
  async seatWeights(bidId: number): Promise<Map<ActorName, bigint>> {
    const committee = await this.reader.getCommittee(bidId);
    if (!committee) throw new DemoError(`bid ${bidId} has no committee`);
    return new Map(committee.seats.map((address, i) => [this.nameOf(address), committee.weights[i]!]));
  }

  async job(bidId: number, path: JobSummary["path"], votes: Partial<Record<ActorName, number>>): Promise<JobSummary> {
    const bid = await this.reader.getBid(bidId);
    const result = await this.reader.getJobResult(bidId);
    if (!bid || !result) throw new DemoError(`job ${bidId} has not settled`);
    const dataset = (await this.reader.getDataset(bid.datasetId))!;
    const committee = await this.seats(bidId);
    const finalScore = Number(result.finalScore);
    const tolerance = Number((await this.reader.getParametersAt(bid.parameterVersion))!.consensusTolerance);
    const outcome = result.outcome.toLowerCase();
    if (outcome !== "rewarded" && outcome !== "partial" && outcome !== "slashed") throw new DemoError(`job ${bidId}: outcome ${result.outcome}`);
    return {
      bidId,
      datasetId: Number(bid.datasetId),
      provider: this.nameOf(dataset.provider),
      bidder: this.nameOf(bid.bidder),
      amount: bid.amount,
      path,
      committee,
      votes,
      finalScore,
      outcome,
      providerPayment: result.providerPayment,
      bidderRefund: result.bidderRefund,
      slashed: result.slashedAmount,
      validatorFees: result.validatorFees,
      protocolFee: result.protocolFee,
      penalties: result.penalties,
      // read as the job settles, before any claim draws on it
      rewardPool: result.rewardPool,
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
  const { client, reader } = demo;
  const at = (name: ActorName) => demo.at(name);
  const claims: DemoSummary["claims"] = [];
  const jobs: JobSummary[] = [];

  log("Neural training market: the whole lifecycle on the Clarinet simnet");
  log(`contract ${market.contractId}; amounts in STX (1 STX = 1,000,000 uSTX); time in Bitcoin blocks`);
  log("");
  log("The cast:");
  for (const actor of demo.actors.values()) {
    if ((await demo.balance(actor.address)) === 0n) demo.chain.mint(actor.address, STARTING_BALANCE);
    log(`   ${actor.name.padEnd(10)} ${actor.role.padEnd(26)} ${actor.address}`);
  }
  log("   (Wanda, Xavier and Yasmin have no Devnet wallet: the simnet mints their 100,000,000 STX.)");
  const before = new Map<ActorName, bigint>();
  for (const actor of demo.actors.values()) before.set(actor.name, await demo.balance(actor.address));
  const contractBefore = await reader.getContractBalance();

  const claim = async (who: ActorName, bidId: number) => {
    const amount = (await demo.ok(who, client.claimValidationReward({ caller: at(who), bidId }))) as bigint;
    claims.push({ validator: who, bidId, amount });
    return amount;
  };
  const bid = async (who: ActorName, datasetId: number, amount: bigint, deadline: bigint) =>
    Number(await demo.ok(who, client.placeComputationBid({ caller: at(who), datasetId, amount, duration: TRAINING_BLOCKS, deadline })));

  // --- A small market: one validator ------------------------------------------------------

  demo.step("Vera registers as the market's first validator");
  await demo.ok("Vera", client.registerValidator({ caller: at("Vera"), stake: VALIDATOR_STAKE }));
  demo.say(`Vera's ${formatStx(VALIDATOR_STAKE)} stake weights her votes and answers for them.`);

  demo.step("Ada registers her curated dataset with her terms in one call");
  const adaDataset = Number(
    await demo.ok(
      "Ada",
      client.registerDatasetWithTerms({
        caller: at("Ada"),
        stake: ADA_STAKE,
        metadataUri: "ipfs://ada/curated-street-scenes",
        pricePerBlock: PRICE_PER_BLOCK,
        maxConcurrentJobs: 1,
      }),
    ),
  );
  demo.say(`Dataset #${adaDataset}: ${formatStx(ADA_STAKE)} quality stake, ask ${formatStx(PRICE_PER_BLOCK)} per block, one job at a time.`);
  demo.say("Registered with its terms at once, it never takes a bid at a price of 0.");

  demo.step("Bob bids for training on Ada's dataset: matched at once, Vera seated alone");
  let now = await demo.height();
  const bobBid = await bid("Bob", adaDataset, 20n * STX, now + 150n);
  demo.say(
    `Bid #${bobBid} escrows ${formatStx(20n * STX)} and is ${await demo.bidStatus(bobBid)}; committee: ${(await demo.seats(bobBid)).join(", ")} (small market, no randomness).`,
  );

  demo.step("Carol's two bids wait in Ada's queue");
  const carolBid = await bid("Carol", adaDataset, 15n * STX, now + 400n);
  const rushBid = await bid("Carol", adaDataset, 12n * STX, now + 120n);
  demo.say(
    `Ada's only slot is busy: bid #${carolBid} (due by block ${now + 400n}) and the rush bid #${rushBid} (due by block ${now + 120n}) are ${await demo.bidStatus(carolBid)}.`,
  );

  demo.step("Bob's model trains for 100 blocks");
  await demo.mine(TRAINING_BLOCKS, "training");

  demo.step("Vera scores Bob's model 85 (direct vote): Ada is paid, Carol's bid is matched automatically");
  await demo.ok("Vera", client.submitValidationResult({ caller: at("Vera"), datasetId: adaDataset, bidId: bobBid, score: 85 }));
  jobs.push(await demo.job(bobBid, "direct vote", { Vera: 85 }));
  demo.describeJob(jobs[0]);
  if ((await demo.bidStatus(carolBid)) !== "matched") throw new DemoError(`bid #${carolBid} was not matched automatically`);
  demo.say(
    `The freed slot went to the head of the queue: bid #${carolBid} is now ${await demo.bidStatus(carolBid)}, committee ${(await demo.seats(carolBid)).join(", ")}.`,
  );

  demo.step("Vera claims her validation reward");
  const veraReward = await claim("Vera", bobBid);
  demo.say(`Vera, the only (coherent) member, takes the whole pool: ${formatAmount(veraReward)}.`);

  demo.step("Carol's rush bid can no longer meet its deadline: expired and refunded");
  demo.say(`Burn height ${await demo.height()} + ${TRAINING_BLOCKS} blocks of training > deadline ${now + 120n}: anyone may expire it.`);
  const refund = (await demo.ok("Carol", client.expireBid({ bidId: rushBid }))) as bigint;
  demo.say(`Bid #${rushBid} is ${await demo.bidStatus(rushBid)}; Carol got her ${formatAmount(refund)} back in full, nobody is slashed.`);

  demo.step("Carol's model is mediocre: Vera scores it 55, a partial payment");
  await demo.mine(TRAINING_BLOCKS, "training");
  await demo.ok("Vera", client.submitValidationResult({ caller: at("Vera"), datasetId: adaDataset, bidId: carolBid, score: 55 }));
  jobs.push(await demo.job(carolBid, "direct vote", { Vera: 55 }));
  demo.describeJob(jobs[1]);
  demo.say("Between the slash (40) and reward (70) thresholds the payment is pro rata: (55 - 40) / (70 - 40) of the bid.");
  await claim("Vera", carolBid);

  // --- A larger market: seven validators, random committees, commit-reveal ----------------

  demo.step("Six more validators join: seven in all, more than the committee size of 5");
  for (const name of ["Victor", "Valentina", "Walter", "Wanda", "Xavier", "Yasmin"] as const) {
    await demo.ok(name, client.registerValidator({ caller: at(name), stake: VALIDATOR_STAKE }));
  }
  demo.say(`Active validators: ${await reader.getActiveValidatorCount()}.`);
  demo.say("They register before the next bid: a job's committee is drawn only from the validators registered before its match.");

  demo.step("Jasper registers a junk dataset; Bob's bid on it is matched, its committee waits for a seed");
  const jasperDataset = Number(
    await demo.ok("Jasper", client.registerDataset({ caller: at("Jasper"), stake: JASPER_STAKE, metadataUri: "ipfs://jasper/scraped-unlabeled-dump" })),
  );
  now = await demo.height();
  const junkBid = await bid("Bob", jasperDataset, 10n * STX, now + 150n);
  demo.say(`Bid #${junkBid} is ${await demo.bidStatus(junkBid)} but has no committee yet: it is drawn from the VRF seed of the next Stacks block`);
  demo.say("mixed with the hash of the Bitcoin block after Jasper's 6-block decline window, which nobody knows yet:");
  demo.say("Jasper may decline the job, but never knowing its judges.");
  await demo.fails("Bob", client.drawCommittee({ bidId: junkBid }), "SEED_NOT_READY");

  demo.step("Seven blocks later the seed exists: a committee of 5 is drawn at random");
  await demo.mine(7n, "the decline window and the seed's block");
  const seed = await reader.getCommitteeSeed(junkBid);
  if (seed === null) throw new DemoError("the committee seed should exist once the decline window has closed");
  demo.say(`get-committee-seed: 0x${seed.slice(0, 16)}…`);
  await demo.ok("Bob", client.drawCommittee({ bidId: junkBid }));
  const committee = await demo.seats(junkBid);
  demo.say(`Seated: ${committee.join(", ")}. Not seated: ${[...Object.keys(JUNK_SCORES)].filter((n) => !committee.includes(n as ActorName)).join(", ")}.`);

  demo.step("Bob's model trains on Jasper's data");
  await demo.mineUntil(now + TRAINING_BLOCKS, "training");

  demo.step("Commit phase: each member commits a hash of its score and a secret salt");
  const votes: Partial<Record<ActorName, number>> = {};
  for (const name of committee) {
    const score = JUNK_SCORES[name];
    if (score === undefined) throw new DemoError(`${name} has no opinion`);
    votes[name] = score;
    // the contract's own compute-commitment, as a validator checks its client against it
    const commitment = await reader.computeCommitment(score, saltFor(name, junkBid), junkBid, at(name));
    await demo.ok(name, client.commitValidationResult({ bidId: junkBid, commitment }));
  }
  demo.say("Nobody can see, and so nobody can copy, another member's score until every seat has committed.");

  demo.step("Reveal phase: the stake-weighted median decides, Jasper's stake is slashed");
  const stakeBefore = (await reader.getDataset(jasperDataset))!.stake;
  const weights = await demo.seatWeights(junkBid);
  for (const name of committee) {
    const score = votes[name] as number;
    await demo.ok(name, client.revealValidationResult({ caller: at(name), bidId: junkBid, score, salt: saltFor(name, junkBid) }));
  }
  const junkJob = await demo.job(junkBid, "commit-reveal", votes);
  jobs.push(junkJob);
  const junkParams = (await reader.getParametersAt((await reader.getBid(junkBid))!.parameterVersion))!;
  const slashThreshold = Number(junkParams.slashThreshold);
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
  const stakeAfter = (await reader.getDataset(jasperDataset))!.stake;
  demo.say(`On a slash the validators' fee (5% of the bid) comes out of the slashed stake; the rest goes to the treasury. Nothing was paid, so no protocol fee.`);
  if (junkJob.outliers.length > 0) {
    demo.say(`${junkJob.outliers.join(", ")} voted more than 15 points from the median: penalized 1% of stake, paid into the reward pool.`);
  }

  demo.step("The committee claims its rewards");
  demo.say("A coherent seat holds its validator's stake until it is claimed: the claim is also what lets a validator withdraw later.");
  for (const name of committee) {
    const amount = await claim(name, junkBid);
    if (amount === 0n) demo.say(`${name} was an outlier: (ok u0), nothing to claim.`);
  }
  for (const name of committee) {
    const seated = (await reader.getValidator(at(name)))!.openSeats;
    if (seated !== 0n) throw new DemoError(`${name} still holds ${seated} seat(s) after claiming`);
  }

  // --- Governance ------------------------------------------------------------------------

  demo.step("Governance: Ada proposes raising the validator fee from 5% to 7%");
  const feeBefore = (await reader.getParameters()).validatorFeeBps;
  const proposalId = Number(await demo.ok("Ada", client.proposeParameterChange({ parameter: "validator-fee-bps", value: 700 })));
  const proposal = (await reader.getProposal(proposalId))!;
  demo.say(`Proposal #${proposalId}: voting until block ${proposal.votingEndsAt}, executable from block ${proposal.executableAt}.`);

  demo.step("Stakeholders vote with their stake");
  demo.say("Each vote weighs the stake its voter held before the proposal was made: stake added to swing a vote counts for nothing on it.");
  for (const [name, support] of [["Ada", true], ["Vera", true], ["Victor", true], ["Jasper", false]] as const) {
    const weight = (await demo.ok(name, client.voteOnProposal({ proposalId, support }))) as bigint;
    demo.say(`${name} votes ${support ? "yes" : "no"} with ${formatStx(weight)} of stake.`);
  }

  demo.step("After the voting period and the execution delay, anyone executes the change");
  await demo.mineUntil(proposal.executableAt, "voting period and execution delay");
  const version = Number(await demo.ok("Bob", client.executeProposal({ proposalId })));
  const params = await reader.getParameters();
  const voted = (await reader.getProposal(proposalId))!;
  demo.say(`Parameters version ${params.version}: validator-fee-bps ${feeBefore} -> ${params.validatorFeeBps}. Jobs placed before keep version 1.`);

  // --- The books -------------------------------------------------------------------------

  const actors: ActorBalance[] = [];
  for (const actor of demo.actors.values()) {
    const start = before.get(actor.name) ?? 0n;
    const end = await demo.balance(actor.address);
    const staked = await reader.getVotingPower(actor.address);
    actors.push({ name: actor.name, role: actor.role, address: actor.address, before: start, after: end, change: end - start, staked, net: end - start + staked });
  }
  const contractAfter = await reader.getContractBalance();

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
  const totals = await demo.totals();
  const totalsSum = demo.bucketsSum(totals);
  for (const [bucket, amount] of Object.entries(totals)) if (bucket !== "surplus") log(`   ${bucket.padEnd(18)} ${formatAmount(amount)}`);
  log(`   ${"sum".padEnd(18)} ${formatAmount(totalsSum)}`);
  log(`   ${"contract balance".padEnd(18)} ${formatAmount(contractAfter)}`);
  log(`   ${"surplus".padEnd(18)} ${formatAmount(totals.surplus)} (STX the books do not track)`);
  const solvent = (await demo.checkSolvency("the demo")) && demo.solvent;
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
      to: params.validatorFeeBps,
      version,
      yes: voted.yesVotes,
      no: voted.noVotes,
    },
    totals,
    totalsSum,
    contractBalance: contractAfter,
    solvent,
  };
}
