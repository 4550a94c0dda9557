/**
 * The main job, for real: three data providers train a network on their own copy of the
 * penguins data (Ada's is clean, Mona's has 75% of its labels scrambled, Jasper's labels are
 * shuffled), two ML developers seal an evaluation set each and bid, and five validator agents
 * judge the delivered ONNX models with the pinned evaluator (Valentina approves everything
 * without evaluating). Every step is a real contract call on the simnet through the typed client;
 * every score is a real evaluation. `runVerifiedDemo(log)` prints the story and returns a summary;
 * `index.ts` is the CLI.
 */
import {
  DeveloperClient,
  MemoryState,
  ProviderAgent,
  SimnetChain,
  ValidatorAgent,
  jobsEnded,
  runAgents,
  solvency,
  stakeHeld,
  type Agent,
  type DeveloperAction,
  type ProviderAction,
  type ValidatorAction,
} from "../agents/index.ts";
import { formatStx, formatStxFixed } from "../console/format.ts";
import { loadPenguins, shuffleLabels, splitDataset, withLabelNoise, type Dataset } from "../ml/index.ts";
import { MemoryStore } from "../store/index.ts";
import { mintedAddress } from "./demo.ts";
import type { MarketCall } from "../client/index.ts";

export type Log = (line: string) => void;

const STX = 1_000_000n;
const VALIDATOR_STAKE = 10n * STX;
const DATASET_STAKE = 50n * STX;
const PRICE_PER_BLOCK = 10_000n; // 0.01 STX per Bitcoin block of training
const DURATION = 100n;
const BID = 5n * STX;
/** The network every job asks for: one hidden layer of 16, 60 epochs (a few seconds on a CPU). */
const RECIPE = { hidden: [16], epochs: 60, learningRate: 0.01, batchSize: 32, seed: 1 };
/** What Valentina votes, whatever the model. */
const LAZY_SCORE = 90;

type Role = "provider" | "developer" | "validator";
interface CastMember {
  name: string;
  role: Role;
  wallet: string;
  note: string;
}

const CAST: CastMember[] = [
  { name: "Ada", role: "provider", wallet: "wallet_1", note: "clean penguins data" },
  { name: "Mona", role: "provider", wallet: "wallet_6", note: "75% of labels scrambled" },
  { name: "Jasper", role: "provider", wallet: "wallet_7", note: "labels shuffled: junk" },
  { name: "Bob", role: "developer", wallet: "wallet_2", note: "bids on Ada's and Mona's data" },
  { name: "Carol", role: "developer", wallet: "deployer", note: "bids on Jasper's data" },
  { name: "Vera", role: "validator", wallet: "wallet_3", note: "evaluates" },
  { name: "Victor", role: "validator", wallet: "wallet_4", note: "evaluates" },
  { name: "Walter", role: "validator", wallet: "wallet_5", note: "evaluates" },
  { name: "Wanda", role: "validator", wallet: "wallet_8", note: "evaluates" },
  { name: "Valentina", role: "validator", wallet: "minted", note: `votes ${LAZY_SCORE} without evaluating` },
];

export interface VerifiedJobSummary {
  bidId: bigint;
  provider: string;
  bidder: string;
  /** The provider's accuracy on its own training rows. */
  trainAccuracy: number | null;
  /** The evaluator's metric on the sealed set (accuracy), as the honest validators measured it. */
  metric: number | null;
  votes: Record<string, number>;
  finalScore: number;
  outcome: string;
  deliveryPayment: bigint;
  providerPayment: bigint;
  bidderRefund: bigint;
  slashed: bigint;
  validatorFees: bigint;
  penalties: bigint;
  /** Validators whose vote was more than consensus-tolerance from the final score. */
  outliers: string[];
}

export interface VerifiedDemoSummary {
  jobs: VerifiedJobSummary[];
  claims: { validator: string; bidId: bigint; amount: bigint }[];
  /** Per actor: wallet change plus stake change over the run (what it gained or lost in the market). */
  net: Record<string, bigint>;
  qualityScores: Record<string, bigint>;
  burnBlocks: number;
  contractBalance: bigint;
  totalsSum: bigint;
  solvent: boolean;
  seconds: number;
}

/** Runs the demo, printing through `log`. */
export async function runVerifiedDemo(log: Log): Promise<VerifiedDemoSummary> {
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);
  const { chain, accounts } = await SimnetChain.load();
  // Valentina has no Devnet.toml wallet: a deterministic key, funded like the others
  const minted = mintedAddress("Valentina");
  accounts.set("minted", minted);
  chain.mint(minted, 100_000_000n * STX);
  const address = (m: CastMember) => {
    const a = accounts.get(m.wallet);
    if (!a) throw new Error(`no simnet account ${m.wallet}`);
    return a;
  };
  const who = new Map(CAST.map((m) => [address(m), m.name]));
  const nameOf = (principal: string) => who.get(principal) ?? principal;
  const send = async (sender: CastMember, call: MarketCall) => {
    const r = await chain.send(address(sender), call);
    if (!r.ok) throw new Error(`${sender.name}: ${call.functionName} refused with ${r.error ?? String(r.value)}`);
    return r;
  };

  log("neural-training-market: verified training on the simnet (real training, real evaluation)");
  log("");
  log("The cast:");
  for (const m of CAST) log(`  ${m.name.padEnd(10)} ${m.role.padEnd(10)} ${m.note}`);

  // -- the data ----------------------------------------------------------------
  const { data: penguins, source } = loadPenguins();
  const { train, evaluation } = splitDataset(penguins, { evalFraction: 0.3, seed: 7 });
  const privateData = new Map<string, Dataset>([
    ["Ada", train],
    ["Mona", withLabelNoise(train, 0.75, 5)],
    ["Jasper", shuffleLabels(train, 3)],
  ]);
  log("");
  log(`Data: ${source.name} (${source.package} ${source.version}), ${penguins.labels.length} rows after dropping ${source.rowsRead - penguins.labels.length} with nulls;`);
  log(`  ${train.labels.length} rows train the providers' copies, ${evaluation.labels.length} rows are the developers' sealed evaluation set.`);

  // -- balances before ---------------------------------------------------------
  const wallet = (m: CastMember) => chain.stxBalance(address(m));
  const before = new Map<string, bigint>();
  for (const m of CAST) before.set(m.name, await wallet(m));

  // -- registration --------------------------------------------------------------
  log("");
  log(`Validators stake ${formatStx(VALIDATOR_STAKE)} each; providers register their datasets with a ${formatStx(DATASET_STAKE)} quality stake,`);
  log(`asking ${formatStx(PRICE_PER_BLOCK)} per block of training.`);
  for (const m of CAST.filter((c) => c.role === "validator")) await send(m, await chain.client.registerValidator({ caller: address(m), stake: VALIDATOR_STAKE }));
  const store = new MemoryStore(); // the content network every party publishes to and fetches from
  const datasetOf = new Map<string, bigint>();
  for (const m of CAST.filter((c) => c.role === "provider")) {
    const r = await send(
      m,
      await chain.client.registerDatasetWithTerms({
        caller: address(m),
        stake: DATASET_STAKE,
        metadataUri: `ipfs://${m.name.toLowerCase()}-penguins`,
        pricePerBlock: PRICE_PER_BLOCK,
        maxConcurrentJobs: 1n,
      }),
    );
    datasetOf.set(m.name, r.value as bigint);
    log(`  ${m.name} registered dataset ${r.value}`);
  }

  // -- agents --------------------------------------------------------------------
  const agentLog: Log = (line) => log(`  [${elapsed()} s] ${line}`);
  const providers = CAST.filter((c) => c.role === "provider").map(
    (m) => new ProviderAgent({ name: m.name, address: address(m), chain, store, datasets: new Map([[datasetOf.get(m.name)!, privateData.get(m.name)!]]), log: agentLog }),
  );
  const validators = CAST.filter((c) => c.role === "validator").map(
    (m) =>
      new ValidatorAgent({
        name: m.name,
        address: address(m),
        chain,
        store,
        state: new MemoryState(),
        behaviour: m.name === "Valentina" ? { kind: "lazy", score: LAZY_SCORE } : { kind: "honest" },
      }),
  );
  const developers = new Map(
    CAST.filter((c) => c.role === "developer").map((m) => [m.name, new DeveloperClient({ name: m.name, address: address(m), chain, store, state: new MemoryState(), log: agentLog })]),
  );

  // -- bids ----------------------------------------------------------------------
  log("");
  log(`Bids: ${formatStx(BID)} each for ${DURATION} blocks of training (compute fee ${formatStx(PRICE_PER_BLOCK * DURATION)}, paid on delivery);`);
  log(`the rest follows the committee's score. Each developer seals its evaluation set: only sha256(digest ++ salt) goes on chain.`);
  const deadline = (await chain.burnHeight()) + DURATION + 50n;
  const bids: { bidId: bigint; provider: string; bidder: string }[] = [];
  for (const [bidder, provider] of [["Bob", "Ada"], ["Bob", "Mona"], ["Carol", "Jasper"]] as const) {
    const { bidId } = await developers.get(bidder)!.placeJob({ datasetId: datasetOf.get(provider)!, amount: BID, duration: DURATION, deadline, evaluation, choices: RECIPE });
    bids.push({ bidId, provider, bidder });
  }

  // -- the agents run ------------------------------------------------------------
  log("");
  log("The agents run: providers train and deliver, developers reveal, validators evaluate, commit, reveal, claim.");
  const metrics = new Map<bigint, number | null>();
  const trainAccuracy = new Map<bigint, number | null>();
  const deliveryPayment = new Map<bigint, bigint>();
  const claims: VerifiedDemoSummary["claims"] = [];
  const describe = (agent: Agent, action: { kind: string }, height: bigint) => {
    const a = action as ValidatorAction | ProviderAction | DeveloperAction;
    const at = `  [${elapsed()} s, block ${height}]`;
    switch (a.kind) {
      case "delivered":
        trainAccuracy.set(a.bidId, a.trainAccuracy);
        deliveryPayment.set(a.bidId, a.payment);
        log(`${at} ${agent.name} delivered job ${a.bidId}: model ${a.model.slice(0, 12)}…, paid ${formatStx(a.payment)} on delivery`);
        break;
      case "revealed":
        if ("modelFetched" in a) log(`${at} ${agent.name} fetched the model of job ${a.bidId} and revealed its evaluation set: votes open`);
        else log(`${at} ${agent.name} revealed its vote on job ${a.bidId}: ${a.score}${a.settled ? " (the job settles)" : ""}`);
        break;
      case "evaluated":
        if (a.verdict?.outcome === "scored" && a.verdict.metric !== null) metrics.set(a.bidId, a.verdict.metric);
        log(`${at} ${agent.name} ${a.verdict ? `evaluated job ${a.bidId}: accuracy ${a.verdict.outcome === "scored" && a.verdict.metric !== null ? a.verdict.metric.toFixed(3) : "n/a"} -> score ${a.score}` : `scored job ${a.bidId} ${a.score} without evaluating`}`);
        break;
      case "committed":
        break;
      case "claimed":
        claims.push({ validator: agent.name, bidId: a.bidId, amount: a.reward });
        break;
      case "failed":
        log(`${at} ${agent.name}: ${a.call} on job ${a.bidId} refused: ${a.error}`);
        break;
      default:
        break;
    }
  };
  const bidIds = bids.map((b) => b.bidId);
  const burnBlocks = await runAgents(chain, [...providers, ...developers.values(), ...validators], { done: () => jobsEnded(chain.reader, bidIds), onAction: describe });
  log(`  all three jobs settled after ${burnBlocks} burn blocks (${elapsed()} s)`);

  // -- results ---------------------------------------------------------------------
  const params = await chain.reader.getParameters();
  const jobs: VerifiedJobSummary[] = [];
  for (const b of bids) {
    const result = (await chain.reader.getJobResult(b.bidId))!;
    const committee = (await chain.reader.getCommittee(b.bidId))!;
    const votes: Record<string, number> = {};
    const outliers: string[] = [];
    for (const seat of committee.seats) {
      const vote = await chain.reader.getVote(b.bidId, seat);
      if (!vote?.revealed) continue;
      votes[nameOf(seat)] = Number(vote.score);
      const distance = vote.score > result.finalScore ? vote.score - result.finalScore : result.finalScore - vote.score;
      if (distance > params.consensusTolerance) outliers.push(nameOf(seat));
    }
    jobs.push({
      bidId: b.bidId,
      provider: b.provider,
      bidder: b.bidder,
      trainAccuracy: trainAccuracy.get(b.bidId) ?? null,
      metric: metrics.get(b.bidId) ?? null,
      votes,
      finalScore: Number(result.finalScore),
      outcome: result.outcome.toLowerCase().replace(/_/g, " "),
      deliveryPayment: deliveryPayment.get(b.bidId) ?? 0n,
      providerPayment: result.providerPayment,
      bidderRefund: result.bidderRefund,
      slashed: result.slashedAmount,
      validatorFees: result.validatorFees,
      penalties: result.penalties,
      outliers,
    });
  }
  const validatorNames = CAST.filter((c) => c.role === "validator").map((c) => c.name);
  log("");
  log("Each model, as measured on the sealed evaluation set, and every validator's vote:");
  log(`  | job | provider | train acc. | eval acc. | ${validatorNames.join(" | ")} | median | outcome |`);
  log(`  |---|---|---|---|${validatorNames.map(() => "---|").join("")}---|---|`);
  for (const j of jobs) {
    const acc = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));
    log(`  | ${j.bidId} | ${j.provider} | ${acc(j.trainAccuracy)} | ${acc(j.metric)} | ${validatorNames.map((n) => `${j.votes[n] ?? "-"}${j.outliers.includes(n) ? "*" : ""}`).join(" | ")} | ${j.finalScore} | ${j.outcome} |`);
  }
  log(`  (* an outlier: more than ${params.consensusTolerance} from the median, penalized ${params.validatorPenaltyBps} bps of its stake)`);
  log("");
  log("Settlement (STX):");
  log("  | job | on delivery | provider paid | bidder refund | slashed | validator fees | penalties |");
  log("  |---|---|---|---|---|---|---|");
  for (const j of jobs) {
    log(`  | ${j.bidId} (${j.provider}) | ${formatStxFixed(j.deliveryPayment)} | ${formatStxFixed(j.providerPayment)} | ${formatStxFixed(j.bidderRefund)} | ${formatStxFixed(j.slashed)} | ${formatStxFixed(j.validatorFees)} | ${formatStxFixed(j.penalties)} |`);
  }
  const claimed = new Map<string, bigint>();
  for (const c of claims) claimed.set(c.validator, (claimed.get(c.validator) ?? 0n) + c.amount);
  log("");
  log(`Rewards claimed: ${validatorNames.map((n) => `${n} ${formatStx(claimed.get(n) ?? 0n)}`).join(", ")}`);

  const qualityScores: Record<string, bigint> = {};
  for (const [name, id] of datasetOf) qualityScores[name] = (await chain.reader.getDataset(id))!.qualityScore;
  log(`Dataset quality scores: ${Object.entries(qualityScores).map(([n, q]) => `${n} ${q}`).join(", ")}`);
  for (const [name, dev] of developers) {
    const h = await chain.reader.getBidderHistory(dev.address);
    log(`Bidder history of ${name}: ${h.jobs} scored job(s), mean final score ${h.meanScore}, ${h.defaults} default(s)`);
  }

  // -- balances and solvency -----------------------------------------------------
  log("");
  log("What each actor gained or lost (wallet change + stake it still holds in the market):");
  const net: Record<string, bigint> = {};
  for (const m of CAST) {
    net[m.name] = (await wallet(m)) - before.get(m.name)! + (await stakeHeld(chain.reader, address(m)));
    log(`  ${m.name.padEnd(10)} ${formatStxFixed(net[m.name]!, true).padStart(12)} STX`);
  }
  const { totals, sum: totalsSum, balance: contractBalance, solvent } = await solvency(chain.reader);
  log("");
  log(
    `Solvency: the contract holds ${formatStx(contractBalance)}; stakes ${formatStx(totals.datasetStakes + totals.validatorStakes)} + escrow ${formatStx(totals.escrowedBids)}` +
      ` + unclaimed rewards ${formatStx(totals.unclaimedRewards)} + treasury ${formatStx(totals.treasury)} = ${formatStx(totalsSum)}: ${solvent ? "solvent" : "NOT SOLVENT"}`,
  );
  const seconds = (performance.now() - started) / 1000;
  log(`Done in ${seconds.toFixed(1)} s.`);
  return { jobs, claims, net, qualityScores, burnBlocks, contractBalance, totalsSum, solvent, seconds };
}
