/**
 * `npm run simulate -- --real`: the market with real models. Every job is trained by a provider
 * agent (TensorFlow.js) on its own copy of the penguins data and judged by validator agents
 * (onnxruntime) on the developer's sealed evaluation set, through the same agents and client as
 * the demo. Rounds are small (a handful of real trainings each); the report is what each kind of
 * behaviour earned or lost.
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
  type ProviderBehaviour,
} from "../agents/index.ts";
import { loadPenguins, shuffleLabels, splitDataset, withLabelNoise, type Dataset } from "../ml/index.ts";
import { MemoryStore } from "../store/index.ts";
import { derivedAddress } from "../simnet.ts";

export const REAL_STRATEGIES = ["provider-good", "provider-mediocre", "provider-junk", "provider-absent", "developer", "validator-honest", "validator-lazy"] as const;
export type RealStrategy = (typeof REAL_STRATEGIES)[number];

export interface RealSimulationOptions {
  /** Rounds: in each, every developer bids once and the round's jobs run to their end. */
  rounds: number;
  /** Seeds the training of every job (the data splits are fixed). */
  seed: number;
}

export const REAL_DEFAULTS: RealSimulationOptions = { rounds: 4, seed: 42 };

const STX = 1_000_000n;
const SIZES = { datasetStake: 20n * STX, validatorStake: 10n * STX, bid: 5n * STX, duration: 50n, pricePerBlock: 20_000n, lazyScore: 90 };

export interface RealJobReport {
  round: number;
  bidId: string;
  provider: string;
  strategy: RealStrategy;
  outcome: string;
  finalScore: number | null;
}

export interface RealAgentReport {
  name: string;
  strategy: RealStrategy;
  /** Wallet change plus the stake it still holds, micro-STX. */
  net: string;
}

export interface RealSimulationReport {
  options: RealSimulationOptions;
  jobs: RealJobReport[];
  agents: RealAgentReport[];
  /** Mean net per agent of each strategy, STX. */
  byStrategy: Record<RealStrategy, number>;
  solvent: boolean;
  burnBlocks: number;
}

interface Member {
  name: string;
  strategy: RealStrategy;
  address: string;
}

/** A deterministic funded principal for `name` (the simnet has only nine wallets). */
function mint(chain: SimnetChain, name: string): string {
  const address = derivedAddress(`neural-training-market real simulation: ${name}`);
  chain.mint(address, 1_000n * STX);
  return address;
}

export async function runRealSimulation(options: RealSimulationOptions, progress?: (line: string) => void): Promise<RealSimulationReport> {
  if (!Number.isInteger(options.rounds) || options.rounds < 1 || options.rounds > 20) throw new RangeError(`rounds must be 1..20, got ${options.rounds}`);
  const { chain } = await SimnetChain.load();
  const store = new MemoryStore();
  const { train, evaluation } = splitDataset(loadPenguins().data, { evalFraction: 0.3, seed: 7 });
  const data: Record<string, Dataset> = {
    "provider-good": train,
    "provider-mediocre": withLabelNoise(train, 0.75, 5),
    "provider-junk": shuffleLabels(train, 3),
    "provider-absent": train,
  };
  const members: Member[] = [
    ...(["provider-good", "provider-mediocre", "provider-junk", "provider-absent"] as const).map((s) => ({ name: s.replace("provider-", ""), strategy: s })),
    { name: "dev-1", strategy: "developer" as const },
    { name: "dev-2", strategy: "developer" as const },
    ...[1, 2, 3, 4].map((i) => ({ name: `honest-${i}`, strategy: "validator-honest" as const })),
    { name: "lazy", strategy: "validator-lazy" as const },
  ].map((m) => ({ ...m, address: mint(chain, m.name) }));
  const balance = (a: string) => chain.stxBalance(a);
  const start = new Map<string, bigint>();
  for (const m of members) start.set(m.address, await balance(m.address));
  const send = async (who: string, call: Parameters<SimnetChain["send"]>[1]) => {
    const r = await chain.send(who, call);
    if (!r.ok) throw new Error(`${call.functionName} refused: ${r.error ?? String(r.value)}`);
    return r.value;
  };

  const agents: Agent[] = [];
  const datasetOf = new Map<bigint, Member>();
  for (const m of members.filter((x) => x.strategy.startsWith("provider"))) {
    const id = (await send(
      m.address,
      await chain.client.registerDatasetWithTerms({ caller: m.address, stake: SIZES.datasetStake, metadataUri: `ipfs://${m.name}`, pricePerBlock: SIZES.pricePerBlock, maxConcurrentJobs: 1n }),
    )) as bigint;
    datasetOf.set(id, m);
    const behaviour: ProviderBehaviour = m.strategy === "provider-absent" ? "absent" : "train";
    agents.push(new ProviderAgent({ name: m.name, address: m.address, chain, store, datasets: new Map([[id, data[m.strategy]!]]), behaviour }));
  }
  for (const m of members.filter((x) => x.strategy.startsWith("validator"))) {
    await send(m.address, await chain.client.registerValidator({ caller: m.address, stake: SIZES.validatorStake }));
    const behaviour = m.strategy === "validator-lazy" ? ({ kind: "lazy", score: SIZES.lazyScore } as const) : ({ kind: "honest" } as const);
    agents.push(new ValidatorAgent({ name: m.name, address: m.address, chain, store, state: new MemoryState(), behaviour }));
  }
  const developers = members.filter((x) => x.strategy === "developer").map((m) => new DeveloperClient({ name: m.name, address: m.address, chain, store, state: new MemoryState() }));
  agents.push(...developers);

  const datasetIds = [...datasetOf.keys()];
  const jobs: RealJobReport[] = [];
  let burnBlocks = 0;
  for (let round = 0; round < options.rounds; round++) {
    const placed: { bidId: bigint; provider: Member }[] = [];
    for (const [d, dev] of developers.entries()) {
      const datasetId = datasetIds[(round * developers.length + d) % datasetIds.length]!;
      const deadline = (await chain.burnHeight()) + SIZES.duration + 30n;
      const choices = { hidden: [16], epochs: 40, learningRate: 0.01, batchSize: 32, seed: (options.seed + round * 31 + d) % 2 ** 31 };
      const { bidId } = await dev.placeJob({ datasetId, amount: SIZES.bid, duration: SIZES.duration, deadline, evaluation, choices });
      placed.push({ bidId, provider: datasetOf.get(datasetId)! });
    }
    progress?.(`round ${round + 1}/${options.rounds}: ${placed.map((p) => `job ${p.bidId} on ${p.provider.name}`).join(", ")}`);
    burnBlocks += await runAgents(chain, agents, {
      done: () => jobsEnded(chain.reader, placed.map((p) => p.bidId)),
    });
    for (const p of placed) {
      const result = await chain.reader.getJobResult(p.bidId);
      const bid = await chain.reader.getBid(p.bidId);
      jobs.push({
        round: round + 1,
        bidId: p.bidId.toString(),
        provider: p.provider.name,
        strategy: p.provider.strategy,
        outcome: result ? result.outcome : bid!.status === "EXPIRED" ? "NOT_DELIVERED" : bid!.status,
        finalScore: result ? Number(result.finalScore) : null,
      });
    }
  }

  const agentsReport: RealAgentReport[] = [];
  const sums = new Map<RealStrategy, { total: bigint; n: number }>();
  for (const m of members) {
    const net = (await balance(m.address)) - start.get(m.address)! + (await stakeHeld(chain.reader, m.address));
    agentsReport.push({ name: m.name, strategy: m.strategy, net: net.toString() });
    const s = sums.get(m.strategy) ?? { total: 0n, n: 0 };
    sums.set(m.strategy, { total: s.total + net, n: s.n + 1 });
  }
  const byStrategy = Object.fromEntries(REAL_STRATEGIES.map((s) => [s, Number(sums.get(s)!.total) / sums.get(s)!.n / 1e6])) as Record<RealStrategy, number>;
  const { solvent } = await solvency(chain.reader);
  return { options, jobs, agents: agentsReport, byStrategy, solvent, burnBlocks };
}

/** The report as text: the jobs, then the mean net of each strategy. */
export function formatRealReport(r: RealSimulationReport): string {
  const lines = [
    `Real-model simulation: ${r.options.rounds} rounds, seed ${r.options.seed}, ${r.jobs.length} jobs, ${r.burnBlocks} burn blocks`,
    "",
    "| round | job | provider | outcome | final score |",
    "|---|---|---|---|---|",
    ...r.jobs.map((j) => `| ${j.round} | ${j.bidId} | ${j.provider} | ${j.outcome.toLowerCase().replace(/_/g, " ")} | ${j.finalScore ?? "-"} |`),
    "",
    "| strategy | mean net per agent (STX) |",
    "|---|---|",
    ...REAL_STRATEGIES.map((s) => `| ${s} | ${r.byStrategy[s] >= 0 ? "+" : ""}${r.byStrategy[s].toFixed(2)} |`),
    "",
    `Solvency: ${r.solvent ? "the contract's balance equals its books" : "NOT SOLVENT"}`,
  ];
  return lines.join("\n");
}
