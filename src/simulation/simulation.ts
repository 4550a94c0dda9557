/**
 * An agent-based simulation of the market, run through the real contract on the simnet.
 *
 * Agents: data providers whose datasets have a true quality (good, mediocre, junk), ML
 * developers who bid on datasets by reputation, and validators with a strategy (honest,
 * lazy, colluding pair). Each round lets time pass, then, at one burn height, three phases:
 *   1. housekeeping and business: settle overdue jobs, refund infeasible queued bids,
 *      draw committees whose seed exists, claim rewards (each validator all its settled
 *      seats in one `claim-validation-rewards`), providers register / top up, developers bid;
 *   2. commits: seated validators whose job's training is done commit their scores, each in
 *      one `commit-validation-results` call;
 *   3. reveals: validators reveal once the reveal phase is open, each in one
 *      `reveal-validation-results` call (the last reveal of a job finalizes it).
 * Every call is built by the typed client against the state as it is when it is sent (its
 * payouts planned, its post-conditions exact) and is its own Stacks block; every read goes
 * through the client's readers.
 * After the trading rounds, settlement rounds (no new business) run until every job has
 * settled and every reward is claimed, so the final figures hold no open positions.
 *
 * Everything is a function of the options: a seeded PRNG, no Math.random, no clock.
 */
import { BID_STATUS, OUTCOME } from "../errors.ts";
import { loadSimnet } from "../simnet.ts";
import { MAX_BATCH, type MarketCall } from "../client/index.ts";
import { Market, commitment, principalFor, saltFor, type CallOutcome, type SimulationChain, type Tuple } from "./chain.ts";
import { Rng } from "./random.ts";

export const STRATEGIES = [
  "provider-good",
  "provider-mediocre",
  "provider-junk",
  "developer",
  "validator-honest",
  "validator-lazy",
  "validator-colluding",
] as const;
export type Strategy = (typeof STRATEGIES)[number];

export type Role = "provider" | "developer" | "validator";
export function roleOf(strategy: Strategy): Role {
  return strategy.startsWith("provider") ? "provider" : strategy.startsWith("validator") ? "validator" : "developer";
}

export interface SimulationOptions {
  /** Trading rounds (settlement rounds follow until every job has settled). */
  rounds: number;
  /** Provider agents, dealt good, mediocre, junk in turn. */
  providers: number;
  /** Validator agents: a colluding pair (from 6 validators), about a sixth lazy (at least 1), the rest honest. */
  validators: number;
  /** Developer agents. */
  developers: number;
  /** PRNG seed: the same seed and options give the same report. */
  seed: number;
  /** Bitcoin blocks mined at the start of every round. */
  blocksPerRound: number;
}

export const DEFAULT_OPTIONS: SimulationOptions = {
  rounds: 40,
  providers: 6,
  validators: 12,
  developers: 5,
  seed: 42,
  blocksPerRound: 12,
};

/** The agents' behaviour and the sizes they use (micro-STX unless stated). */
export const BEHAVIOUR = {
  datasetStake: 25_000_000n,
  validatorStake: 10_000_000n,
  /** max-concurrent-jobs every provider sets; further bids queue. */
  capacity: 2,
  pricePerBlock: { good: 250_000n, mediocre: 150_000n, junk: 200_000n },
  /** True quality ranges (0-100) by provider kind. */
  quality: { good: [80, 95], mediocre: [50, 65], junk: [5, 25] },
  /** Standard deviation of an honest validator's evaluation. */
  honestNoise: 3,
  /** The lazy validators' score: high, without evaluating. */
  lazyScore: 95,
  /** The score the colluding pair agrees on for their partner's datasets. */
  collusionScore: 90,
  /** Chance that a seated validator misses a job entirely (never commits). */
  offlineRate: 0.03,
  /** Chance that a developer bids in a round (at most `maxOpenBids` open bids each). */
  bidRate: 0.7,
  maxOpenBids: 2,
  /** Training duration range in Bitcoin blocks, and the extra blocks before the deadline. */
  duration: [6, 18],
  deadlineSlack: [4, 30],
  /** A developer offers up to this fraction above the ask. */
  markup: 0.2,
  /** STX sent by the deployer to each extra principal (micro-STX). */
  funding: 10_000_000_000,
  /** Settlement rounds stop after this many, whatever is still open. */
  maxSettlementRounds: 80,
} as const;

type ProviderKind = "good" | "mediocre" | "junk";

export interface Agent {
  name: string;
  strategy: Strategy;
  address: string;
  /** Providers: the true quality of their data. */
  quality?: number;
  /** Providers: their datasets, oldest first (a junk provider may re-register). */
  datasets: bigint[];
  /** The junk provider the colluding validators favour. */
  colludingPartner?: boolean;
}

interface Ledger {
  /** Providers: payments received for datasets. */
  payments: bigint;
  slashes: number;
  slashed: bigint;
  penalties: number;
  penalized: bigint;
  /** Penalties for a seat that never revealed (offline), as opposed to an outlying score. */
  silentPenalties: number;
  rewards: bigint;
  rewardClaims: number;
  /** Developers: escrow paid out to providers (amount - refund). */
  spent: bigint;
  refunds: number;
  refunded: bigint;
  jobs: number;
}

interface Job {
  bidId: bigint;
  datasetId: bigint;
  developer: Agent;
  provider: Agent;
  amount: bigint;
  duration: bigint;
  deadline: bigint;
  status: number;
  matchedAt: bigint;
  matchedBlock: bigint;
  seats: string[];
  committed: Set<string>;
  revealed: Set<string>;
  offline: Set<string>;
  scores: Map<string, number>;
  claimed: Set<string>;
  finalScore: number | null;
}

export interface StrategyReport {
  strategy: Strategy;
  agents: number;
  /** Net worth change: wallet plus stake and escrow still in the contract. */
  profitMicroStx: number;
  profitStx: number;
  profitPerAgentStx: number;
  slashes: number;
  slashedMicroStx: number;
  penalties: number;
  penaltiesMicroStx: number;
  /** Of `penalties`: seats that never revealed (the rest are outlying scores). */
  silentPenalties: number;
  rewardsMicroStx: number;
  rewardClaims: number;
  /** Providers: payments received. */
  paymentsMicroStx: number;
  /** Developers: escrow paid to providers. */
  spentMicroStx: number;
  /** Developers: bids refunded (queued past deadline, or no result). */
  refunds: number;
}

export interface AgentReport {
  name: string;
  strategy: Strategy;
  address: string;
  quality: number | null;
  datasets: number[];
  colludingPartner: boolean;
  profitMicroStx: number;
  slashes: number;
  penalties: number;
  rewardsMicroStx: number;
}

export interface MarketReport {
  bidsPlaced: number;
  jobsMatched: number;
  jobsFinalized: number;
  jobsPaid: number;
  jobsPartiallyPaid: number;
  jobsSlashed: number;
  /** Refunds: queued bids that could no longer meet their deadline plus matched jobs without a result. */
  jobsRefunded: number;
  queuedBidsRefunded: number;
  /** Matched jobs refunded without a result: too few reveals, or a slashing median without a committee majority. */
  matchedJobsRefunded: number;
  /** Of `matchedJobsRefunded`: the median fell below the slash threshold without a strict majority of the committee's stake (outcome NO_MAJORITY). */
  matchedJobsNoMajority: number;
  /** Jobs on junk datasets that paid the provider anything. */
  junkJobsPaid: number;
  /** The colluding pair's partner (a junk provider): its finalized jobs, and those that paid it. */
  partnerJobsFinalized: number;
  partnerJobsPaid: number;
  /** Mean true quality of the datasets of jobs that paid the provider anything (full or partial). */
  meanQualityOfPaidDatasets: number | null;
  /** The same, weighted by the payment. */
  paymentWeightedQuality: number | null;
  meanQualityByOutcome: { paid: number | null; partiallyPaid: number | null; slashed: number | null };
  paidToProvidersMicroStx: number;
  /** Validator fees of the finalized jobs (each job's reward pool is its fee plus its outliers' penalties). */
  validatorFeesMicroStx: number;
  /** protocol-fee-bps of every payment, to the treasury. */
  protocolFeesMicroStx: number;
  slashedMicroStx: number;
  validatorPenaltiesMicroStx: number;
  /** Of `validatorPenaltiesMicroStx`: silent seats' penalties, which go to the treasury (outliers' go to the reward pools). */
  validatorSilencePenaltiesMicroStx: number;
  validatorRewardsMicroStx: number;
  treasuryMicroStx: number;
  /** Rewards set aside for validators and not claimed yet (0 once everything settled). */
  unclaimedRewardsMicroStx: number;
  /** dataset-stakes + validator-stakes + escrowed-bids + unclaimed-rewards + treasury = contract balance, and no surplus. */
  solvent: boolean;
}

export interface SeriesPoint {
  /** 0 is the start; rounds + 1 is the end of the settlement rounds. */
  round: number;
  phase: "trading" | "settlement";
  strategy: Strategy;
  /** Mean net worth change per agent of the strategy, in STX. */
  profitPerAgentStx: number;
  profitMicroStx: number;
}

export interface SimulationReport {
  options: SimulationOptions;
  behaviour: typeof BEHAVIOUR;
  settlementRounds: number;
  startBurnHeight: number;
  endBurnHeight: number;
  strategies: Record<Strategy, StrategyReport>;
  market: MarketReport;
  agents: AgentReport[];
  series: SeriesPoint[];
  /** Calls the contract refused, by `function:error-code` (`function:plan` when the client could not plan it; expected to be empty). */
  failedCalls: Record<string, number>;
}

export interface RoundProgress {
  round: number;
  rounds: number;
  phase: "trading" | "settlement";
  burnHeight: number;
  openJobs: number;
}

const MICRO = 1_000_000;
const toStx = (micro: bigint | number) => Number(micro) / MICRO;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const clampScore = (x: number) => Math.max(0, Math.min(100, Math.round(x)));
const mean = (xs: number[]) => (xs.length ? round6(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Entries grouped by their sender, in the order senders first appear. */
function bySender<T>(entries: readonly { sender: string; entry: T }[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const { sender, entry } of entries) groups.set(sender, [...(groups.get(sender) ?? []), entry]);
  return groups;
}

function emptyLedger(): Ledger {
  return { payments: 0n, slashes: 0, slashed: 0n, penalties: 0, penalized: 0n, silentPenalties: 0, rewards: 0n, rewardClaims: 0, spent: 0n, refunds: 0, refunded: 0n, jobs: 0 };
}

/** Throws a one-line error for options the simulation cannot run with (checked again by `runSimulation`). */
export function validateSimulationOptions(options: SimulationOptions): void {
  const ints: [keyof SimulationOptions, number][] = [
    ["rounds", 1],
    ["providers", 1],
    ["validators", 2],
    ["developers", 1],
    ["blocksPerRound", 1],
  ];
  for (const [key, min] of ints) {
    const v = options[key];
    if (!Number.isInteger(v) || v < min) throw new Error(`${key} must be an integer >= ${min} (got ${v})`);
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff)
    throw new Error(`seed must be an integer in 0..4294967295 (got ${options.seed})`);
}

/** The simnet accounts in a stable order: deployer, wallet_1, wallet_2, ... */
function orderedAccounts(accounts: Map<string, string>): string[] {
  const rank = (name: string) => (name === "deployer" ? -1 : Number(name.replace(/\D/g, "")) || 1e9);
  return [...accounts.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([, address]) => address);
}

/**
 * Runs the simulation and returns its report. Without `options.chain` a fresh simnet is
 * loaded (`loadSimnet`); inside vitest pass the global simnet. The simnet echoes every
 * print event through console.log: it is silenced while the simulation runs.
 */
export async function runSimulation(
  options: Partial<SimulationOptions> & { chain?: SimulationChain } = {},
  onRound?: (progress: RoundProgress) => void,
): Promise<SimulationReport> {
  const { chain: given, ...rest } = options;
  const opts: SimulationOptions = { ...DEFAULT_OPTIONS, ...rest };
  validateSimulationOptions(opts);
  const chain = given ?? (await loadSimnet());
  const log = console.log;
  console.log = () => {};
  try {
    return await simulate(chain, opts, onRound);
  } finally {
    console.log = log;
  }
}

async function simulate(chain: SimulationChain, opts: SimulationOptions, onRound?: (progress: RoundProgress) => void): Promise<SimulationReport> {
  const rng = new Rng(opts.seed);
  const market = new Market(chain);
  const { reader, client } = market;
  const keeper = chain.deployer;
  const failedCalls: Record<string, number> = {};
  const startBurnHeight = Number(await market.burnHeight());

  const params = await reader.getParameters();
  const minDatasetStake = params.minDatasetStake;
  const slashThreshold = Number(params.slashThreshold);
  const commitWindow = params.validationWindow;
  const revealWindow = params.revealWindow;

  // ---- agents -------------------------------------------------------------------------
  const kinds: ProviderKind[] = ["good", "mediocre", "junk"];
  const colluding = opts.validators >= 6 ? 2 : 0;
  const lazy = Math.max(1, Math.round(opts.validators / 6));
  const honest = opts.validators - colluding - lazy;
  const plan: { strategy: Strategy; kind?: ProviderKind }[] = [
    ...Array.from({ length: opts.providers }, (_, i) => ({ strategy: `provider-${kinds[i % 3]}` as Strategy, kind: kinds[i % 3] })),
    ...Array.from({ length: opts.developers }, () => ({ strategy: "developer" as Strategy })),
    ...Array.from({ length: honest }, () => ({ strategy: "validator-honest" as Strategy })),
    ...Array.from({ length: lazy }, () => ({ strategy: "validator-lazy" as Strategy })),
    ...Array.from({ length: colluding }, () => ({ strategy: "validator-colluding" as Strategy })),
  ];
  const simnetAccounts = orderedAccounts(chain.accounts);
  const counters = new Map<Strategy, number>();
  const agents: Agent[] = plan.map((p, i) => {
    const n = (counters.get(p.strategy) ?? 0) + 1;
    counters.set(p.strategy, n);
    const name = `${p.strategy}-${n}`;
    const address = i < simnetAccounts.length ? simnetAccounts[i] : principalFor(`${opts.seed}:${name}`);
    const agent: Agent = { name, strategy: p.strategy, address, datasets: [] };
    if (p.kind) {
      const [lo, hi] = BEHAVIOUR.quality[p.kind];
      agent.quality = rng.int(lo, hi);
    }
    return agent;
  });
  const partner = colluding > 0 ? agents.find((a) => a.strategy === "provider-junk") : undefined;
  if (partner) partner.colludingPartner = true;
  const byAddress = new Map(agents.map((a) => [a.address, a]));
  const ledgers = new Map(agents.map((a) => [a.address, emptyLedger()]));
  const providers = agents.filter((a) => roleOf(a.strategy) === "provider");
  const developers = agents.filter((a) => a.strategy === "developer");
  const validators = agents.filter((a) => roleOf(a.strategy) === "validator");
  const kindOf = (a: Agent): ProviderKind => a.strategy.slice("provider-".length) as ProviderKind;

  // extra principals get their STX from the deployer (any principal can sign on the simnet)
  const extras = agents.slice(simnetAccounts.length);
  for (const agent of extras) market.chain.transferStx(chain.deployer, agent.address, BigInt(BEHAVIOUR.funding));

  // ---- state ---------------------------------------------------------------------------
  const jobs = new Map<bigint, Job>();
  const datasetOwner = new Map<bigint, Agent>();
  const m = {
    bidsPlaced: 0,
    jobsMatched: 0,
    jobsPaid: 0,
    jobsPartiallyPaid: 0,
    jobsSlashed: 0,
    queuedBidsRefunded: 0,
    matchedJobsRefunded: 0,
    matchedJobsNoMajority: 0,
    junkJobsPaid: 0,
    partnerJobsFinalized: 0,
    partnerJobsPaid: 0,
    paidQualities: [] as number[],
    paymentWeighted: { sum: 0, weight: 0 },
    qualityByOutcome: { paid: [] as number[], partiallyPaid: [] as number[], slashed: [] as number[] },
    paidToProviders: 0n,
    validatorFees: 0n,
    protocolFees: 0n,
    slashed: 0n,
    penalties: 0n,
    silencePenalties: 0n,
    rewards: 0n,
  };

  /**
   * Sends one call (built now, against the state as it is) and books its events. `revealed`: the
   * jobs a reveal call reveals on, so that a refund it causes is told apart from the queue's.
   */
  const send = async (sender: string, fn: string, build: () => Promise<MarketCall>, revealed: readonly bigint[] = []): Promise<CallOutcome> => {
    const o = await market.send(sender, fn, build);
    if (!o.ok) {
      const key = `${o.fn}:${o.code ?? "plan"}`;
      failedCalls[key] = (failedCalls[key] ?? 0) + 1;
    }
    // a job the median would slash without a committee majority closes with a refund: finalize-validation
    // returns the outcome, the reveal that completes its committee emits the job's bid-expired event
    if (o.fn === "finalize-validation" && o.ok && o.value === BigInt(OUTCOME.NO_MAJORITY)) m.matchedJobsNoMajority++;
    if (o.ok) m.matchedJobsNoMajority += o.events.filter((e) => e.event === "bid-expired" && revealed.includes(e["bid-id"] as bigint)).length;
    for (const e of o.events) absorb(e);
    return o;
  };

  /** Books one print event into the ledgers and the market figures. */
  function absorb(e: Tuple) {
    switch (e.event) {
      case "bid-matched": {
        const job = jobs.get(e["bid-id"] as bigint);
        if (job) {
          job.status = BID_STATUS.MATCHED;
          job.matchedAt = e["matched-at"] as bigint;
        }
        m.jobsMatched++;
        break;
      }
      case "committee-drawn": {
        const job = jobs.get(e["bid-id"] as bigint);
        if (job) job.seats = e.seats as string[];
        break;
      }
      case "job-finalized": {
        const job = jobs.get(e["bid-id"] as bigint);
        if (!job) break;
        job.status = BID_STATUS.SETTLED;
        job.finalScore = Number(e["final-score"]);
        const payment = e["provider-payment"] as bigint;
        const slashed = e["slashed-amount"] as bigint;
        const outcome = Number(e.outcome);
        const provider = ledgers.get(job.provider.address)!;
        const developer = ledgers.get(job.developer.address)!;
        provider.payments += payment;
        provider.jobs++;
        developer.spent += job.amount - (e["bidder-refund"] as bigint);
        developer.jobs++;
        if (slashed > 0n) {
          provider.slashes++;
          provider.slashed += slashed;
        }
        m.paidToProviders += payment;
        m.validatorFees += e["validator-fees"] as bigint;
        m.protocolFees += e["protocol-fee"] as bigint;
        m.slashed += slashed;
        const quality = job.provider.quality ?? 0;
        if (outcome === OUTCOME.REWARDED) {
          m.jobsPaid++;
          m.qualityByOutcome.paid.push(quality);
        } else if (outcome === OUTCOME.PARTIAL) {
          m.jobsPartiallyPaid++;
          m.qualityByOutcome.partiallyPaid.push(quality);
        } else if (outcome === OUTCOME.SLASHED) {
          m.jobsSlashed++;
          m.qualityByOutcome.slashed.push(quality);
        }
        if (job.provider.colludingPartner) {
          m.partnerJobsFinalized++;
          if (payment > 0n) m.partnerJobsPaid++;
        }
        if (payment > 0n) {
          m.paidQualities.push(quality);
          m.paymentWeighted.sum += quality * Number(payment);
          m.paymentWeighted.weight += Number(payment);
          if (kindOf(job.provider) === "junk") m.junkJobsPaid++;
        }
        break;
      }
      case "bid-expired": {
        const job = jobs.get(e["bid-id"] as bigint);
        if (!job) break;
        if (job.status === BID_STATUS.MATCHED) m.matchedJobsRefunded++;
        else m.queuedBidsRefunded++;
        job.status = BID_STATUS.EXPIRED;
        const developer = ledgers.get(job.developer.address)!;
        developer.refunds++;
        developer.refunded += e.refund as bigint;
        break;
      }
      case "validator-penalized": {
        const ledger = ledgers.get(e.validator as string);
        const penalty = e.penalty as bigint;
        if (ledger) {
          ledger.penalties++;
          ledger.penalized += penalty;
          if (e.silent === true) ledger.silentPenalties++;
        }
        m.penalties += penalty;
        if (e.silent === true) m.silencePenalties += penalty;
        break;
      }
      case "validation-reward-claimed": {
        const ledger = ledgers.get(e.validator as string);
        const amount = e.amount as bigint;
        if (ledger) {
          ledger.rewards += amount;
          if (amount > 0n) ledger.rewardClaims++;
        }
        m.rewards += amount;
        break;
      }
    }
  }

  /** Net worth: wallet + dataset stakes + validator stake + escrow of open bids. */
  async function netWorths(): Promise<Map<string, bigint>> {
    const wallet = market.balances();
    const worth = new Map<string, bigint>();
    for (const a of agents) worth.set(a.address, wallet.get(a.address) ?? 0n);
    for (const a of providers)
      for (const id of a.datasets) worth.set(a.address, worth.get(a.address)! + ((await reader.getDataset(id))?.stake ?? 0n));
    for (const a of validators) worth.set(a.address, worth.get(a.address)! + ((await reader.getValidator(a.address))?.stake ?? 0n));
    for (const job of jobs.values())
      if (job.status === BID_STATUS.QUEUED || job.status === BID_STATUS.MATCHED)
        worth.set(job.developer.address, worth.get(job.developer.address)! + job.amount);
    return worth;
  }

  const baseline = await netWorths();
  const series: SeriesPoint[] = [];
  async function snapshot(round: number, phase: SeriesPoint["phase"]) {
    const worth = await netWorths();
    for (const strategy of STRATEGIES) {
      const members = agents.filter((a) => a.strategy === strategy);
      if (members.length === 0) continue;
      const profit = members.reduce((sum, a) => sum + worth.get(a.address)! - baseline.get(a.address)!, 0n);
      series.push({ round, phase, strategy, profitMicroStx: Number(profit), profitPerAgentStx: round6(toStx(profit) / members.length) });
    }
  }

  // ---- setup: validators and datasets -----------------------------------------------------
  // validators register before any bid: a job's committee is drawn only from the validators
  // registered before its match
  for (const v of validators) {
    await send(v.address, "register-validator", () => client.registerValidator({ caller: v.address, stake: BEHAVIOUR.validatorStake }));
  }
  await registerDatasets(providers);
  await snapshot(0, "trading");

  /** Registers a dataset for each provider with its ask and capacity (register-dataset-with-terms). */
  async function registerDatasets(who: Agent[]) {
    for (const p of who) {
      const o = await send(p.address, "register-dataset-with-terms", () =>
        client.registerDatasetWithTerms({
          caller: p.address,
          stake: BEHAVIOUR.datasetStake,
          metadataUri: `ipfs://simulation/${p.name}/${p.datasets.length + 1}`,
          pricePerBlock: BEHAVIOUR.pricePerBlock[kindOf(p)],
          maxConcurrentJobs: BEHAVIOUR.capacity,
        }),
      );
      if (!o.ok) continue;
      const id = o.value as bigint;
      p.datasets.push(id);
      datasetOwner.set(id, p);
    }
  }

  const openJobs = () => [...jobs.values()].filter((j) => j.status === BID_STATUS.QUEUED || j.status === BID_STATUS.MATCHED);
  const commitClosesAt = (j: Job) => j.deadline + commitWindow;
  const revealClosesAt = (j: Job) => j.deadline + commitWindow + revealWindow;

  /**
   * Re-reads the status of every open job from the chain, once a round (within a round the calls'
   * events keep them in step: queues match and skip bids as a side effect, and say so).
   */
  async function refresh() {
    for (const job of openJobs()) {
      const bid = await reader.getBid(job.bidId);
      if (!bid) continue;
      job.status = BID_STATUS[bid.status];
      job.matchedAt = bid.matchedAt;
      job.matchedBlock = bid.matchedBlock;
      if (job.status === BID_STATUS.MATCHED && job.seats.length === 0) {
        const committee = await reader.getCommittee(job.bidId);
        if (committee) job.seats = committee.seats;
      }
    }
  }

  /** The score a validator commits for a job, by its strategy. */
  function scoreOf(validator: Agent, job: Job): number {
    const quality = job.provider.quality ?? 0;
    switch (validator.strategy) {
      case "validator-honest":
        return clampScore(quality + BEHAVIOUR.honestNoise * rng.normal());
      case "validator-lazy":
        return BEHAVIOUR.lazyScore;
      default:
        // the pair always votes one agreed value: high for the partner, their shared evaluation otherwise
        return job.provider.colludingPartner ? BEHAVIOUR.collusionScore : clampScore(quality);
    }
  }

  /** Whether there are still jobs to settle or rewards to claim. */
  const unfinished = () =>
    openJobs().length > 0 ||
    [...jobs.values()].some((j) => j.status === BID_STATUS.SETTLED && [...j.revealed].some((v) => !j.claimed.has(v)));

  async function playRound(trading: boolean) {
    // the jobs are in step with the chain: the last round ended with a refresh, and mining moves no state
    market.mine(opts.blocksPerRound);
    const now = await market.burnHeight();

    // Phase 1: housekeeping, claims, providers, developers
    // refunds of queued bids go first: a slot freed by a settlement would skip them anyway
    const housekeeping: { sender: string; fn: string; build: () => Promise<MarketCall> }[] = openJobs()
      .filter((job) => job.status === BID_STATUS.QUEUED && now + job.duration > job.deadline)
      .map((job) => ({ sender: keeper, fn: "expire-bid", build: () => client.expireBid({ bidId: job.bidId }) }));
    for (const job of openJobs()) {
      if (job.status === BID_STATUS.MATCHED && now > revealClosesAt(job)) {
        housekeeping.push({ sender: keeper, fn: "finalize-validation", build: () => client.finalizeValidation({ bidId: job.bidId }) });
      } else if (job.status === BID_STATUS.MATCHED && job.seats.length === 0 && now <= commitClosesAt(job)) {
        // the seed exists once the blocks after the match do (a small market seats everyone at the match)
        if ((await reader.getCommitteeSeed(job.bidId)) !== null)
          housekeeping.push({ sender: keeper, fn: "draw-committee", build: () => client.drawCommittee({ bidId: job.bidId }) });
      }
    }
    // each validator claims every settled job it revealed on, in one call
    const claims: { sender: string; entry: bigint }[] = [];
    for (const job of jobs.values()) {
      if (job.status !== BID_STATUS.SETTLED) continue;
      for (const v of job.revealed)
        if (!job.claimed.has(v)) {
          job.claimed.add(v);
          claims.push({ sender: v, entry: job.bidId });
        }
    }
    for (const [v, bidIds] of bySender(claims))
      for (const part of chunks(bidIds, MAX_BATCH))
        housekeeping.push({ sender: v, fn: "claim-validation-rewards", build: () => client.claimValidationRewards({ caller: v, bidIds: part }) });
    const whitewash: Agent[] = [];
    if (trading) {
      for (const p of providers) {
        const current = p.datasets[p.datasets.length - 1];
        const d = current === undefined ? null : await reader.getDataset(current);
        if (!d || !d.active) continue;
        const reputation = d.validations > 0n ? Number(d.scoreSum / d.validations) : null;
        if (kindOf(p) === "junk" && reputation !== null && reputation < slashThreshold) {
          // a burnt reputation: leave the old dataset and list the same data afresh
          whitewash.push(p);
        } else if (d.stake < BEHAVIOUR.datasetStake) {
          const amount = BEHAVIOUR.datasetStake - d.stake;
          housekeeping.push({ sender: p.address, fn: "add-dataset-stake", build: () => client.addDatasetStake({ caller: p.address, datasetId: current!, amount }) });
        }
      }
    }
    for (const h of housekeeping) await send(h.sender, h.fn, h.build);
    if (whitewash.length) await registerDatasets(whitewash);
    if (trading) await placeBids(now);
    // the calls' print events kept the jobs in step (matches, committees, settlements, refunds)

    // Phase 2: commits by the seated validators whose job's training is over
    const commits: { sender: string; entry: { bidId: bigint; commitment: Uint8Array } }[] = [];
    for (const job of openJobs()) {
      if (job.status !== BID_STATUS.MATCHED || job.seats.length === 0) continue;
      if (now < job.matchedAt + job.duration || now > commitClosesAt(job)) continue;
      for (const seat of job.seats) {
        if (job.committed.has(seat) || job.offline.has(seat)) continue;
        const validator = byAddress.get(seat);
        if (!validator) continue;
        if (rng.chance(BEHAVIOUR.offlineRate)) {
          job.offline.add(seat);
          continue;
        }
        const score = scoreOf(validator, job);
        job.scores.set(seat, score);
        job.committed.add(seat);
        commits.push({ sender: seat, entry: { bidId: job.bidId, commitment: commitment(score, saltFor(opts.seed, seat, job.bidId), job.bidId, seat) } });
      }
    }
    for (const [v, entries] of bySender(commits))
      for (const part of chunks(entries, MAX_BATCH)) await send(v, "commit-validation-results", () => client.commitValidationResults({ commits: part }));

    // Phase 3: reveals, once every seat committed or the commit phase is over
    const reveals: { sender: string; entry: { bidId: bigint; score: number; salt: Uint8Array } }[] = [];
    for (const job of openJobs()) {
      if (job.status !== BID_STATUS.MATCHED || job.seats.length === 0) continue;
      const allCommitted = job.seats.every((s) => job.committed.has(s));
      if (!(allCommitted || now > commitClosesAt(job)) || now > revealClosesAt(job)) continue;
      for (const seat of job.seats) {
        if (!job.committed.has(seat) || job.revealed.has(seat)) continue;
        job.revealed.add(seat);
        reveals.push({ sender: seat, entry: { bidId: job.bidId, score: job.scores.get(seat)!, salt: saltFor(opts.seed, seat, job.bidId) } });
      }
    }
    for (const [v, entries] of bySender(reveals))
      for (const part of chunks(entries, MAX_BATCH))
        await send(v, "reveal-validation-results", () => client.revealValidationResults({ caller: v, reveals: part }), part.map((r) => r.bidId));
    await refresh();
  }

  /** Developers choose a dataset by reputation (unvalidated ones are explored) and bid. */
  async function placeBids(now: bigint) {
    const listed = [];
    for (const id of datasetOwner.keys()) {
      const d = (await reader.getDataset(id))!;
      if (d.active && d.stake >= minDatasetStake && d.pricePerBlock > 0n) listed.push({ id, d });
    }
    if (listed.length === 0) return;
    const placed: Omit<Job, "bidId">[] = [];
    for (const dev of developers) {
      const open = openJobs().filter((j) => j.developer === dev).length;
      if (open >= BEHAVIOUR.maxOpenBids || !rng.chance(BEHAVIOUR.bidRate)) continue;
      const weights = listed.map(({ d }) => {
        const appeal = d.validations === 0n ? 1 : (Number(d.scoreSum / d.validations) / 100) ** 3;
        const load = Number(d.activeJobs) + Number(d.queuedJobs);
        return appeal / (1 + load);
      });
      const { id, d } = listed[rng.weightedIndex(weights)];
      const duration = BigInt(rng.int(BEHAVIOUR.duration[0], BEHAVIOUR.duration[1]));
      const ask = d.pricePerBlock * duration;
      const amount = ask + (ask * BigInt(Math.floor(rng.next() * BEHAVIOUR.markup * 1000))) / 1000n;
      const deadline = now + duration + BigInt(rng.int(BEHAVIOUR.deadlineSlack[0], BEHAVIOUR.deadlineSlack[1]));
      placed.push(newJob(id, dev, amount, duration, deadline));
    }
    // each job is registered before its bid is sent, so that the events of its own call are booked
    for (const job of placed) {
      const expected = (await reader.getLastIds()).bidId + 1n;
      jobs.set(expected, { ...job, bidId: expected });
      const o = await send(job.developer.address, "place-computation-bid", () =>
        client.placeComputationBid({ caller: job.developer.address, datasetId: job.datasetId, amount: job.amount, duration: job.duration, deadline: job.deadline }),
      );
      if (!o.ok || o.value !== expected) throw new Error(`bid of ${job.developer.name}: expected id ${expected}, got ${JSON.stringify(String(o.value))}`);
      m.bidsPlaced++;
    }
  }

  function newJob(datasetId: bigint, developer: Agent, amount: bigint, duration: bigint, deadline: bigint): Omit<Job, "bidId"> {
    return {
      datasetId,
      developer,
      provider: datasetOwner.get(datasetId)!,
      amount,
      duration,
      deadline,
      status: BID_STATUS.QUEUED,
      matchedAt: 0n,
      matchedBlock: 0n,
      seats: [],
      committed: new Set(),
      revealed: new Set(),
      offline: new Set(),
      scores: new Map(),
      claimed: new Set(),
      finalScore: null,
    };
  }

  // ---- the rounds ---------------------------------------------------------------------------
  for (let round = 1; round <= opts.rounds; round++) {
    await playRound(true);
    await snapshot(round, "trading");
    onRound?.({ round, rounds: opts.rounds, phase: "trading", burnHeight: Number(await market.burnHeight()), openJobs: openJobs().length });
  }
  let settlementRounds = 0;
  while (unfinished() && settlementRounds < BEHAVIOUR.maxSettlementRounds) {
    settlementRounds++;
    const round = opts.rounds + settlementRounds;
    await playRound(false);
    onRound?.({ round, rounds: opts.rounds, phase: "settlement", burnHeight: Number(await market.burnHeight()), openJobs: openJobs().length });
  }

  // the chart shows the settled positions as one last point after the trading rounds
  if (settlementRounds > 0) await snapshot(opts.rounds + 1, "settlement");

  // ---- the report --------------------------------------------------------------------------
  const worth = await netWorths();
  const profitOf = (a: Agent) => worth.get(a.address)! - baseline.get(a.address)!;
  const strategies = Object.fromEntries(
    STRATEGIES.map((strategy) => {
      const members = agents.filter((a) => a.strategy === strategy);
      const sum = (f: (l: Ledger) => bigint | number) =>
        members.reduce((acc, a) => acc + BigInt(f(ledgers.get(a.address)!)), 0n);
      const profit = members.reduce((acc, a) => acc + profitOf(a), 0n);
      const report: StrategyReport = {
        strategy,
        agents: members.length,
        profitMicroStx: Number(profit),
        profitStx: round6(toStx(profit)),
        profitPerAgentStx: members.length ? round6(toStx(profit) / members.length) : 0,
        slashes: Number(sum((l) => l.slashes)),
        slashedMicroStx: Number(sum((l) => l.slashed)),
        penalties: Number(sum((l) => l.penalties)),
        penaltiesMicroStx: Number(sum((l) => l.penalized)),
        silentPenalties: Number(sum((l) => l.silentPenalties)),
        rewardsMicroStx: Number(sum((l) => l.rewards)),
        rewardClaims: Number(sum((l) => l.rewardClaims)),
        paymentsMicroStx: Number(sum((l) => l.payments)),
        spentMicroStx: Number(sum((l) => l.spent)),
        refunds: Number(sum((l) => l.refunds)),
      };
      return [strategy, report];
    }),
  ) as Record<Strategy, StrategyReport>;

  const totals = await reader.getMarketTotals();
  const contractBalance = await reader.getContractBalance();
  const held = totals.datasetStakes + totals.validatorStakes + totals.escrowedBids + totals.unclaimedRewards + totals.treasury;

  return {
    options: opts,
    behaviour: BEHAVIOUR,
    settlementRounds,
    startBurnHeight,
    endBurnHeight: Number(await market.burnHeight()),
    strategies,
    market: {
      bidsPlaced: m.bidsPlaced,
      jobsMatched: m.jobsMatched,
      jobsFinalized: m.jobsPaid + m.jobsPartiallyPaid + m.jobsSlashed,
      jobsPaid: m.jobsPaid,
      jobsPartiallyPaid: m.jobsPartiallyPaid,
      jobsSlashed: m.jobsSlashed,
      jobsRefunded: m.queuedBidsRefunded + m.matchedJobsRefunded,
      queuedBidsRefunded: m.queuedBidsRefunded,
      matchedJobsRefunded: m.matchedJobsRefunded,
      matchedJobsNoMajority: m.matchedJobsNoMajority,
      junkJobsPaid: m.junkJobsPaid,
      partnerJobsFinalized: m.partnerJobsFinalized,
      partnerJobsPaid: m.partnerJobsPaid,
      meanQualityOfPaidDatasets: mean(m.paidQualities),
      paymentWeightedQuality: m.paymentWeighted.weight > 0 ? round6(m.paymentWeighted.sum / m.paymentWeighted.weight) : null,
      meanQualityByOutcome: {
        paid: mean(m.qualityByOutcome.paid),
        partiallyPaid: mean(m.qualityByOutcome.partiallyPaid),
        slashed: mean(m.qualityByOutcome.slashed),
      },
      paidToProvidersMicroStx: Number(m.paidToProviders),
      validatorFeesMicroStx: Number(m.validatorFees),
      protocolFeesMicroStx: Number(m.protocolFees),
      slashedMicroStx: Number(m.slashed),
      validatorPenaltiesMicroStx: Number(m.penalties),
      validatorSilencePenaltiesMicroStx: Number(m.silencePenalties),
      validatorRewardsMicroStx: Number(m.rewards),
      treasuryMicroStx: Number(totals.treasury),
      unclaimedRewardsMicroStx: Number(totals.unclaimedRewards),
      solvent: held === contractBalance && totals.surplus === 0n,
    },
    agents: agents.map((a) => {
      const l = ledgers.get(a.address)!;
      return {
        name: a.name,
        strategy: a.strategy,
        address: a.address,
        quality: a.quality ?? null,
        datasets: a.datasets.map(Number),
        colludingPartner: a.colludingPartner ?? false,
        profitMicroStx: Number(profitOf(a)),
        slashes: l.slashes,
        penalties: l.penalties,
        rewardsMicroStx: Number(l.rewards),
      };
    }),
    series,
    failedCalls,
  };
}
