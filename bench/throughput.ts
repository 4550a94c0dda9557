/**
 * Jobs per block: how many whole jobs of a kind fit in one Stacks block, every call counted.
 *
 * A market of `validators` validators (2 STX each) takes `jobs` jobs on one dataset (capacity
 * `jobs`), from ten bidders, so that each validator sits on about `seatsPerValidator` open seats
 * (5 seats per job). Every call of every job is a real transaction on the simnet, and the cost of a
 * job is the sum of all of them divided by the number of jobs: a batched call's cost is shared over
 * the jobs in it. With `batch`, each validator commits, reveals and claims all its seats in calls of
 * up to 25 entries (`commit-validation-results`, ...); without it (a contract without batch calls),
 * one call per seat. A market no larger than the committee seats everyone at the match; a larger
 * one draws each committee from the seed at the job's first commit (the seats are known offline,
 * `drawSeats`, exactly as the contract draws them).
 *
 * The README lifecycle (register a dataset, bid, one direct vote, claim) is measured in a market of
 * one validator.
 */
import { createHash } from "node:crypto";
import { Cl, ClarityType, cvToString, type ClarityValue } from "@stacks/transactions";
import type { Simnet } from "@stacks/clarinet-sdk";
import { computeCommitment, computeEvalCommitment } from "../src/client/commitment.ts";
import { drawSeats } from "../src/client/committee.ts";
import { DIMENSIONS, ZERO, add, benchPrincipal, type Cost, type Dimension } from "./scenario.ts";

const STX = 1_000_000n;
const BATCH = 25;
const COMMITTEE = 5;
const SCORE = 85n;

export type JobKind = "plain" | "verified";

export interface Throughput {
  /** Whole jobs and the transactions they took. */
  jobs: number;
  calls: number;
  /** Sum of every call, and per job; the block limits. */
  total: Cost;
  limit: Cost;
  perJob: Cost;
  /** Jobs that fit in one block in each dimension, and the tightest. */
  perBlock: Record<Dimension, number>;
  jobsPerBlock: number;
  tightest: Dimension;
  /** Each function's calls and their summed cost. */
  byFunction: Map<string, { calls: number; cost: Cost }>;
  /** Open seats per validator when the votes began (min / max). */
  seats: { min: number; max: number };
}

function costOf(r: { costs: { total: Cost } | null }): Cost {
  if (!r.costs) throw new Error("the simnet reports no costs (start it with trackCosts: true)");
  const t = r.costs.total;
  return { runtime: t.runtime, readCount: t.readCount, readLength: t.readLength, writeCount: t.writeCount, writeLength: t.writeLength };
}

const digest = (tag: string) => new Uint8Array(createHash("sha256").update(`neural-training-market throughput ${tag}`).digest());

export function perBlockOf(perJob: Cost, limit: Cost): { perBlock: Record<Dimension, number>; jobsPerBlock: number; tightest: Dimension } {
  const perBlock = Object.fromEntries(DIMENSIONS.map((d) => [d, perJob[d] > 0 ? Math.floor(limit[d] / perJob[d]) : Infinity])) as Record<Dimension, number>;
  const tightest = DIMENSIONS.reduce((a, b) => (perBlock[b] < perBlock[a] ? b : a));
  return { perBlock, jobsPerBlock: perBlock[tightest], tightest };
}

/** Drives the market and sums the cost of every call it makes. */
class Meter {
  total: Cost = ZERO;
  calls = 0;
  /** The block limits the simnet reports with every call's cost. */
  limit: Cost | null = null;
  /** Sum of each function's calls, by name. */
  byFunction = new Map<string, { calls: number; cost: Cost }>();
  constructor(
    readonly sim: Simnet,
    readonly contract: string,
  ) {}

  call(fn: string, args: ClarityValue[], sender: string): ClarityValue {
    const r = this.sim.callPublicFn(this.contract, fn, args, sender);
    if (r.result.type !== ClarityType.ResponseOk) throw new Error(`${fn} by ${sender} failed: ${cvToString(r.result)}`);
    const cost = costOf(r);
    this.total = add(this.total, cost);
    const f = this.byFunction.get(fn) ?? { calls: 0, cost: ZERO };
    this.byFunction.set(fn, { calls: f.calls + 1, cost: add(f.cost, cost) });
    this.limit = (r.costs as unknown as { limit: Cost }).limit;
    this.calls += 1;
    return r.result.value;
  }

  /** An untimed setup call (registration, funding). */
  setup(fn: string, args: ClarityValue[], sender: string) {
    const r = this.sim.callPublicFn(this.contract, fn, args, sender);
    if (r.result.type !== ClarityType.ResponseOk) throw new Error(`${fn} by ${sender} failed: ${cvToString(r.result)}`);
    return r.result;
  }

  view(fn: string, args: ClarityValue[]) {
    return this.sim.callReadOnlyFn(this.contract, fn, args, this.sim.getAccounts().get("deployer")!).result;
  }
}

/** The uint inside a call's ok value. */
function uintOf(value: ClarityValue): bigint {
  if (value.type !== ClarityType.UInt) throw new Error(`expected a uint, got ${cvToString(value)}`);
  return BigInt(value.value);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs `jobs` jobs of `kind` to their claims in a fresh market of `validators` validators on the
 * deployed contract `contract`, and returns what each job cost.
 */
export function measureJobs(
  sim: Simnet,
  contract: string,
  options: { kind: JobKind; validators: number; jobs: number; batch: boolean; tag: string },
): Throughput {
  const { kind, jobs, batch, tag } = options;
  const m = new Meter(sim, contract);
  const deployer = sim.getAccounts().get("deployer")!;
  const fund = (who: string, amount: bigint) => {
    const r = sim.transferSTX(amount, who, deployer);
    if (r.result.type !== ClarityType.ResponseOk) throw new Error(`funding ${who} failed`);
  };
  const validators = Array.from({ length: options.validators }, (_, i) => benchPrincipal(`${tag} validator ${i}`));
  const provider = benchPrincipal(`${tag} provider`);
  const bidders = Array.from({ length: 10 }, (_, i) => benchPrincipal(`${tag} bidder ${i}`));
  for (const who of validators) fund(who, 3n * STX);
  fund(provider, 10n * STX);
  for (const who of bidders) fund(who, BigInt(Math.ceil(jobs / 10) + 1) * STX);
  for (const v of validators) m.setup("register-validator", [Cl.uint(2n * STX)], v);
  const price = kind === "verified" ? 10_000n : 0n;
  const dataset = uintOf(m.setup("register-dataset-with-terms", [Cl.uint(STX), Cl.stringAscii(`ipfs://${tag.replace(/\s+/g, "-")}`), Cl.uint(price), Cl.uint(jobs)], provider).value);
  sim.mineEmptyBlocks(7); // the price's notice period: a verified bid's compute fee binds

  // bids
  const start = sim.burnBlockHeight;
  const bidIds: bigint[] = [];
  const sealed = new Map<bigint, ReturnType<typeof sealOf>>();
  function sealOf(i: number) {
    const evalDigest = digest(`${tag} eval ${i}`);
    const evalSalt = digest(`${tag} eval salt ${i}`);
    return { evalDigest, evalSalt, commitment: computeEvalCommitment(evalDigest, evalSalt), spec: digest(`${tag} spec ${i}`), model: digest(`${tag} model ${i}`) };
  }
  for (let i = 0; i < jobs; i++) {
    const bidder = bidders[i % bidders.length];
    const common = [Cl.uint(dataset), Cl.uint(500_000n), Cl.uint(10), Cl.uint(start + 200)];
    if (kind === "plain") bidIds.push(uintOf(m.call("place-computation-bid", common, bidder)));
    else {
      const seal = sealOf(i);
      const id = uintOf(m.call("place-training-bid", [...common, Cl.buffer(seal.spec), Cl.buffer(seal.commitment)], bidder));
      bidIds.push(id);
      sealed.set(id, seal);
    }
  }

  if (kind === "verified") {
    for (const id of bidIds) m.call("deliver-model", [Cl.uint(id), Cl.buffer(sealed.get(id)!.model)], provider);
    for (const [i, id] of bidIds.entries()) {
      const seal = sealed.get(id)!;
      m.call("reveal-evaluation-set", [Cl.uint(id), Cl.buffer(seal.evalDigest), Cl.buffer(seal.evalSalt)], bidders[i % bidders.length]);
    }
  }
  // past the decline window: the committee seed exists
  sim.mineEmptyBlocks(8);

  // the seats, as the contract draws them (at the match in a small market, else at the first commit)
  const entries = validators.map((validator, i) => ({ validator, ordinal: BigInt(i + 1) }));
  const seatsOf = new Map<string, bigint[]>(validators.map((v) => [v, []]));
  const committees = new Map<bigint, string[]>();
  for (const [i, id] of bidIds.entries()) {
    const seedCv = m.view("get-committee-seed", [Cl.uint(id)]);
    const seed = seedCv.type === ClarityType.OptionalSome ? Buffer.from((seedCv.value as { value: string }).value, "hex") : null;
    const n = validators.length;
    const seats = drawSeats({
      bidId: id,
      seed: n <= COMMITTEE ? null : seed,
      validatorsAtMatch: n,
      registrationsAtMatch: BigInt(n),
      committeeSize: COMMITTEE,
      provider,
      bidder: bidders[i % bidders.length],
      entryAt: (index) => entries[index] ?? null,
    });
    committees.set(id, seats);
    for (const v of seats) seatsOf.get(v)!.push(id);
  }
  const counts = [...seatsOf.values()].map((s) => s.length);
  const salt = (v: string, id: bigint) => digest(`${tag} salt ${v} ${id}`);

  // commits, reveals, claims: one validator at a time, all its seats
  for (const v of validators) {
    const mine = seatsOf.get(v)!;
    if (batch) {
      for (const part of chunks(mine, BATCH)) {
        m.call(
          "commit-validation-results",
          [Cl.list(part.map((id) => Cl.tuple({ "bid-id": Cl.uint(id), commitment: Cl.buffer(computeCommitment(SCORE, salt(v, id), id, v)) })))],
          v,
        );
      }
    } else for (const id of mine) m.call("commit-validation-result", [Cl.uint(id), Cl.buffer(computeCommitment(SCORE, salt(v, id), id, v))], v);
  }
  for (const v of validators) {
    const mine = seatsOf.get(v)!;
    if (batch) {
      for (const part of chunks(mine, BATCH)) {
        m.call("reveal-validation-results", [Cl.list(part.map((id) => Cl.tuple({ "bid-id": Cl.uint(id), score: Cl.uint(SCORE), salt: Cl.buffer(salt(v, id)) })))], v);
      }
    } else for (const id of mine) m.call("reveal-validation-result", [Cl.uint(id), Cl.uint(SCORE), Cl.buffer(salt(v, id))], v);
  }
  for (const v of validators) {
    const mine = seatsOf.get(v)!;
    if (batch) for (const part of chunks(mine, BATCH)) m.call("claim-validation-rewards", [Cl.list(part.map((id) => Cl.uint(id)))], v);
    else for (const id of mine) m.call("claim-validation-reward", [Cl.uint(id)], v);
  }
  // every job must have settled
  for (const id of bidIds) {
    const result = m.view("get-job-result", [Cl.uint(id)]);
    if (result.type !== ClarityType.OptionalSome) throw new Error(`job ${id} did not settle`);
  }
  const perJob = Object.fromEntries(DIMENSIONS.map((d) => [d, m.total[d] / jobs])) as Cost;
  return { jobs, calls: m.calls, total: m.total, perJob, limit: m.limit!, byFunction: m.byFunction, ...perBlockOf(perJob, m.limit!), seats: { min: Math.min(...counts), max: Math.max(...counts) } };
}

/**
 * The README lifecycle in a market of one validator: register a dataset, bid, one direct vote
 * (`submit-validation-result`, which draws the one-seat committee when the match did not), claim.
 */
export function measureReadmeLifecycle(sim: Simnet, contract: string, tag: string): { cost: Cost; limit: Cost } {
  const m = new Meter(sim, contract);
  const deployer = sim.getAccounts().get("deployer")!;
  const [provider, bidder, validator] = ["provider", "bidder", "validator"].map((r) => benchPrincipal(`${tag} readme ${r}`));
  for (const who of [provider, bidder, validator]) {
    const r = sim.transferSTX(10n * STX, who, deployer);
    if (r.result.type !== ClarityType.ResponseOk) throw new Error(`funding ${who} failed`);
  }
  m.setup("register-validator", [Cl.uint(STX)], validator);
  const dataset = uintOf(m.call("register-dataset", [Cl.uint(STX), Cl.stringAscii("ipfs://dataset-metadata")], provider));
  const bid = uintOf(m.call("place-computation-bid", [Cl.uint(dataset), Cl.uint(500_000), Cl.uint(100), Cl.uint(sim.burnBlockHeight + 150)], bidder));
  m.call("submit-validation-result", [Cl.uint(dataset), Cl.uint(bid), Cl.uint(85)], validator);
  m.call("claim-validation-reward", [Cl.uint(bid)], validator);
  return { cost: m.total, limit: m.limit! };
}

/** The targets the batched market is held to. */
export const JOBS_PER_BLOCK_TARGETS = { plain: 200, verified: 150 } as const;
/** The README lifecycle's read length, as a share of a block, may not exceed this. */
export const README_LIFECYCLE_TARGET = 0.0042;

export interface JobsPerBlockRun {
  label: string;
  /** The contract measured and whether its calls were batched. */
  after: Throughput;
  before: Throughput | null;
  target: number | null;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (x: number) => `${(x * 100).toFixed(3)}%`;

/** The markdown of the jobs-per-block section. */
export function jobsPerBlockMarkdown(
  runs: JobsPerBlockRun[],
  readme: { after: Cost; before: Cost | null },
  limit: Cost,
  beforeRevision: string,
): { lines: string[]; missed: string[] } {
  const lines: string[] = [];
  const missed: string[] = [];
  lines.push(
    "Every call of every job is a real transaction on a fresh simnet; a job's cost is the sum of all of them divided by the jobs " +
      "(a batched call's cost shared over the jobs in it). Each market takes 4 jobs per validator on one dataset, so with " +
      "5-seat committees each validator holds about 20 open seats and commits, reveals and claims them in one call each " +
      "(`commit-validation-results`, `reveal-validation-results`, `claim-validation-rewards`; at most 25 entries a call). " +
      "A market of 5 validators seats every committee at the match; a market of 50 draws each from the seed at its first commit. " +
      `Before: the contract at ${beforeRevision}, which has no batch calls (one call per seat: bid, 5 commits, 5 reveals, 5 claims).`,
  );
  lines.push("");
  lines.push("| job | jobs | calls per job | read count | read length | runtime | write count | write length | jobs per block (tightest) | before | target |");
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const run of runs) {
    const a = run.after;
    const verdict = run.target === null ? "—" : a.jobsPerBlock >= run.target ? `≥ ${run.target}: **met**` : `≥ ${run.target}: **missed**`;
    if (run.target !== null && a.jobsPerBlock < run.target) missed.push(`${run.label}: ${a.jobsPerBlock} jobs per block (target ${run.target})`);
    lines.push(
      `| ${run.label} | ${a.jobs} | ${(a.calls / a.jobs).toFixed(2)} | ${fmt(a.perJob.readCount)} | ${fmt(a.perJob.readLength)} | ${fmt(a.perJob.runtime)} | ` +
        `${fmt(a.perJob.writeCount)} | ${fmt(a.perJob.writeLength)} | **${a.jobsPerBlock}** (${a.tightest}) | ` +
        `${run.before ? `${run.before.jobsPerBlock} (${run.before.tightest}; ${(run.before.calls / run.before.jobs).toFixed(0)} calls per job)` : "—"} | ${verdict} |`,
    );
  }
  const share = (c: Cost) => Math.max(...DIMENSIONS.map((d) => c[d] / limit[d]));
  const after = share(readme.after);
  if (after > README_LIFECYCLE_TARGET) missed.push(`README lifecycle: ${pct(after)} of a block (target ${pct(README_LIFECYCLE_TARGET)})`);
  lines.push("");
  lines.push(
    `README lifecycle (register a dataset, bid, one direct vote, claim; one validator, seated at the match): ` +
      `${fmt(readme.after.readCount)} reads, ${fmt(readme.after.readLength)} bytes read: **${pct(after)}** of a block` +
      (readme.before ? ` (before: ${pct(share(readme.before))})` : "") +
      `; target at most ${pct(README_LIFECYCLE_TARGET)}: ${after <= README_LIFECYCLE_TARGET ? "**met**" : "**missed**"}. ` +
      "Its four calls each load the whole contract, so this figure follows the contract's size.",
  );
  return { lines, missed };
}
