/**
 * The cost benchmark's scenario, shared by `bench/index.ts` (markets of 1, 100 and 1000) and
 * `tests/bench.test.ts` (markets of 1 and 50).
 *
 * A market of size N is N background datasets (one per provider), N background bids (matched, one
 * per dataset, from N bidders) and N background validators, all made with real calls from N * 3
 * distinct principals. On top of it a fixed cast plays one run of every state-changing public
 * function on its main path, plain and verified jobs (delivered model, sealed evaluation set);
 * each of those calls is measured; last, one validator commits on, reveals on and claims 20 jobs
 * with the batch calls. The floor contract
 * (`bench/floor.clar`) is then called with the same arguments.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Cl, ClarityType, cvToString, privateKeyToAddress, type ClarityValue } from "@stacks/transactions";
import type { Simnet } from "@stacks/clarinet-sdk";
import { decode } from "../src/clarity.ts";
import { computeCommitment } from "../src/client/commitment.ts";

export const DIMENSIONS = ["runtime", "readCount", "readLength", "writeCount", "writeLength"] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type Cost = Record<Dimension, number>;

export const DIMENSION_LABELS: Record<Dimension, string> = {
  runtime: "runtime",
  readCount: "read count",
  readLength: "read length",
  writeCount: "write count",
  writeLength: "write length",
};

export const ZERO: Cost = { runtime: 0, readCount: 0, readLength: 0, writeCount: 0, writeLength: 0 };

export function add(a: Cost, b: Cost): Cost {
  return Object.fromEntries(DIMENSIONS.map((d) => [d, a[d] + b[d]])) as Cost;
}

export function sub(a: Cost, b: Cost): Cost {
  return Object.fromEntries(DIMENSIONS.map((d) => [d, a[d] - b[d]])) as Cost;
}

/** One measured row: a public function on one path, and the floor function it is compared with. */
export interface RowSpec {
  key: string;
  fn: string;
  floorFn: string;
  path: string;
}

/** Every row the scenario measures, in table order: each public function's main path first (the
 * first row of each `fn`), then other paths. */
export const ROWS: RowSpec[] = [
  { key: "register-dataset", fn: "register-dataset", floorFn: "register-dataset", path: "new dataset, 10,000 STX stake" },
  {
    key: "register-dataset-with-terms",
    fn: "register-dataset-with-terms",
    floorFn: "register-dataset-with-terms",
    path: "new dataset with its ask and 1 slot",
  },
  { key: "add-dataset-stake", fn: "add-dataset-stake", floorFn: "add-dataset-stake", path: "top-up, empty queue" },
  { key: "set-dataset-terms", fn: "set-dataset-terms", floorFn: "set-dataset-terms", path: "capacity 3, empty queue" },
  { key: "retire-dataset", fn: "retire-dataset", floorFn: "retire-dataset", path: "idle dataset closed" },
  { key: "withdraw-dataset-stake", fn: "withdraw-dataset-stake", floorFn: "withdraw-dataset-stake", path: "idle dataset retired" },
  { key: "place-computation-bid", fn: "place-computation-bid", floorFn: "place-computation-bid", path: "matched at once (committee drawn later)" },
  {
    key: "place-training-bid",
    fn: "place-training-bid",
    floorFn: "place-training-bid",
    path: "verified: matched at once, spec and sealed evaluation set, compute fee fixed",
  },
  { key: "match-queued-bids", fn: "match-queued-bids", floorFn: "match-queued-bids", path: "matches 1 queued bid into a free slot" },
  { key: "cancel-bid", fn: "cancel-bid", floorFn: "cancel-bid", path: "queued bid (queue tail), refund" },
  { key: "expire-bid", fn: "expire-bid", floorFn: "expire-bid", path: "matched job, 5 silent seats penalized, refund" },
  { key: "decline-job", fn: "decline-job", floorFn: "decline-job", path: "fresh job refused: refund, slot freed" },
  { key: "deliver-model", fn: "deliver-model", floorFn: "deliver-model", path: "model digest by the deadline: compute fee paid" },
  { key: "reveal-evaluation-set", fn: "reveal-evaluation-set", floorFn: "reveal-evaluation-set", path: "after delivery: commitment checked, commit window opens" },
  { key: "register-validator", fn: "register-validator", floorFn: "register-validator", path: "joins the active set" },
  { key: "request-validator-exit", fn: "request-validator-exit", floorFn: "request-validator-exit", path: "leaves the set (swap-and-pop)" },
  { key: "withdraw-validator-stake", fn: "withdraw-validator-stake", floorFn: "withdraw-validator-stake", path: "after unbonding" },
  { key: "draw-committee", fn: "draw-committee", floorFn: "draw-committee", path: "5 seats from the VRF seed" },
  { key: "commit-validation-result", fn: "commit-validation-result", floorFn: "commit-validation-result", path: "1st commit of 5" },
  { key: "reveal-validation-result (finalizing)", fn: "reveal-validation-result", floorFn: "reveal-validation-result-final", path: "5th reveal of 5: median, payout, queue" },
  { key: "submit-validation-result", fn: "submit-validation-result", floorFn: "submit-validation-result", path: "one-seat committee: scores and finalizes" },
  { key: "finalize-validation", fn: "finalize-validation", floorFn: "finalize-validation", path: "3 of 5 revealed, 2 penalized" },
  { key: "claim-validation-reward", fn: "claim-validation-reward", floorFn: "claim-validation-reward", path: "1st coherent claimant of 5" },
  // the batch forms: one validator, many jobs, all or nothing (measured last: see BATCH_JOBS)
  { key: "commit-validation-results", fn: "commit-validation-results", floorFn: "commit-validation-results", path: "20 jobs, one seat each" },
  {
    key: "reveal-validation-results",
    fn: "reveal-validation-results",
    floorFn: "reveal-validation-results",
    path: "20 entries, one seat each: each finalizes its job (median, payout, queue)",
  },
  { key: "claim-validation-rewards", fn: "claim-validation-rewards", floorFn: "claim-validation-rewards", path: "20 entries, sole claimant of each, one transfer" },
  { key: "propose-parameter-change", fn: "propose-parameter-change", floorFn: "propose-parameter-change", path: "committee-size -> 1" },
  { key: "vote-on-proposal", fn: "vote-on-proposal", floorFn: "vote-on-proposal", path: "yes, whole stake" },
  { key: "execute-proposal", fn: "execute-proposal", floorFn: "execute-proposal", path: "passed: parameter version 2" },
  { key: "set-paused", fn: "set-paused", floorFn: "set-paused", path: "pause" },
  { key: "withdraw-treasury", fn: "withdraw-treasury", floorFn: "withdraw-treasury", path: "whole treasury" },
  { key: "sweep-surplus", fn: "sweep-surplus", floorFn: "sweep-surplus", path: "a plain transfer booked into the treasury" },
  // other paths of the same functions
  { key: "place-computation-bid (queued)", fn: "place-computation-bid", floorFn: "place-computation-bid", path: "dataset full: joins the queue" },
  { key: "reveal-validation-result (not last)", fn: "reveal-validation-result", floorFn: "reveal-validation-result", path: "1st reveal of 5" },
  { key: "draw-committee (1 seat)", fn: "draw-committee", floorFn: "draw-committee-one-seat", path: "committee-size 1 (version 2)" },
  { key: "claim-validation-reward (1 seat)", fn: "claim-validation-reward", floorFn: "claim-validation-reward", path: "sole claimant" },
  { key: "set-paused (resume)", fn: "set-paused", floorFn: "set-paused", path: "unpause" },
  // endings and votes of a verified job
  {
    key: "expire-bid (missed delivery)",
    fn: "expire-bid",
    floorFn: "expire-bid",
    path: "verified, not delivered by the deadline: refund, non-delivery slash, 5 seats freed",
  },
  {
    key: "expire-bid (bidder default)",
    fn: "expire-bid",
    floorFn: "expire-bid-default",
    path: "verified, delivered, evaluation set never revealed: provider paid, 5 seats freed",
  },
  { key: "commit-validation-result (verified)", fn: "commit-validation-result", floorFn: "commit-validation-result", path: "1st commit of 5 on a verified job" },
  {
    key: "reveal-validation-result (verified, finalizing)",
    fn: "reveal-validation-result",
    floorFn: "reveal-validation-result-final",
    path: "5th reveal of 5 on a verified job: settles the rest of the bid",
  },
  {
    key: "submit-validation-result (verified)",
    fn: "submit-validation-result",
    floorFn: "submit-validation-result",
    path: "one-seat committee on a verified job: scores and finalizes",
  },
];

/** Rows of the batch calls (a contract before them has none: bench --before). */
export const BATCH_ROWS = ["commit-validation-results", "reveal-validation-results", "claim-validation-rewards"] as const;
/** Jobs in each measured batch call. */
export const BATCH_JOBS = 20;

/** Rows of the verified-job functions and paths (the contract before issue 12 has none). */
export const VERIFIED_ROWS = [
  "place-training-bid",
  "deliver-model",
  "reveal-evaluation-set",
  "expire-bid (missed delivery)",
  "expire-bid (bidder default)",
  "commit-validation-result (verified)",
  "reveal-validation-result (verified, finalizing)",
  "submit-validation-result (verified)",
] as const;

/** The job lifecycles the 1%-of-a-block target is checked on. */
export const LIFECYCLES = {
  "one-seat job (README path)": "register-dataset + place-computation-bid + draw-committee (1 seat) + submit-validation-result + claim-validation-reward",
  "5-seat job (commit-reveal)": "register-dataset + place-computation-bid + draw-committee + 5 commit + 5 reveal + 5 claim",
  "verified one-seat job":
    "register-dataset-with-terms + place-training-bid + deliver-model + reveal-evaluation-set + draw-committee (1 seat) + submit-validation-result + claim-validation-reward",
  "verified 5-seat job (commit-reveal)":
    "register-dataset-with-terms + place-training-bid + deliver-model + reveal-evaluation-set + draw-committee + 5 commit + 5 reveal + 5 claim",
} as const;
export type LifecycleName = keyof typeof LIFECYCLES;
/** Lifecycles of verified jobs: missing from a contract without them (bench --before). */
export const VERIFIED_LIFECYCLES: readonly LifecycleName[] = ["verified one-seat job", "verified 5-seat job (commit-reveal)"];

export interface ScenarioResult {
  /** Cost of each row's call in the market contract. */
  costs: Map<string, Cost>;
  /** Arguments and sender of each row's call (replayed on the floor). */
  calls: Map<string, { args: ClarityValue[]; sender: string }>;
  /** Every lifecycle of LIFECYCLES, except those of functions the contract lacks (bench --before). */
  lifecycles: Partial<Record<LifecycleName, Cost>>;
  /** Cost of calling a constant read-only function: loading the contract and nothing else. */
  load: Cost;
  /** The simnet's per-block limits. */
  limit: Cost;
  /** Principals holding the background market. */
  background: { datasets: number; bids: number; validators: number; activeValidators: number };
}

/** A deterministic test principal: the address of sha256(tag) as a private key. */
export function benchPrincipal(tag: string): string {
  return privateKeyToAddress(createHash("sha256").update(`neural-training-market bench ${tag}`).digest("hex") + "01", "testnet");
}


function costOf(result: { costs: { total: Cost } | null }, what: string): Cost {
  if (!result.costs) throw new Error(`${what}: the simnet reports no costs (start it with trackCosts: true)`);
  const t = result.costs.total;
  return { runtime: t.runtime, readCount: t.readCount, readLength: t.readLength, writeCount: t.writeCount, writeLength: t.writeLength };
}

/** Drives one deployed copy of the market contract. */
export class Market {
  readonly deployer: string;

  constructor(
    readonly sim: Simnet,
    readonly contract: string,
  ) {
    const deployer = sim.getAccounts().get("deployer");
    if (!deployer) throw new Error("no deployer account");
    this.deployer = deployer;
  }

  call(fn: string, args: ClarityValue[], sender: string) {
    return this.sim.callPublicFn(this.contract, fn, args, sender);
  }

  /** A public call that must succeed; returns its decoded ok value and cost. */
  ok(fn: string, args: ClarityValue[], sender: string): { value: unknown; cost: Cost | null } {
    const r = this.call(fn, args, sender);
    if (r.result.type !== ClarityType.ResponseOk) {
      throw new Error(`${this.contract} ${fn} by ${sender} failed: ${cvToString(r.result)}`);
    }
    return { value: decode(r.result), cost: r.costs ? costOf(r, fn) : null };
  }

  view(fn: string, args: ClarityValue[] = []): unknown {
    return decode(this.sim.callReadOnlyFn(this.contract, fn, args, this.deployer).result);
  }

  fund(who: string, microStx: bigint) {
    const r = this.sim.transferSTX(microStx, who, this.deployer);
    if (r.result.type !== ClarityType.ResponseOk) throw new Error(`funding ${who} failed: ${cvToString(r.result)}`);
  }

  /** Cost of loading the contract: a call of the constant read-only `get-contract-owner`. */
  loadCost(): Cost {
    return costOf(this.sim.callReadOnlyFn(this.contract, "get-contract-owner", [], this.deployer), "get-contract-owner");
  }

  mineUntil(target: number) {
    const now = this.sim.burnBlockHeight;
    if (target > now) this.sim.mineEmptyBlocks(target - now);
  }
}

const STX = 1_000_000n;
const VALIDATOR_STAKE = 2n * STX; // a 1% penalty never drops a validator below the 1 STX minimum
const BID = 500_000n;
const SCORE = 85;
/** decline-window: a larger market's committee seed exists one Bitcoin block after it. */
const DECLINE_WINDOW = 6;

function salt(who: string, bidId: bigint): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`${who}:${bidId}`).digest());
}

const digest = (tag: string) => new Uint8Array(createHash("sha256").update(`neural-training-market bench ${tag}`).digest());
/** The verified dataset's ask: a 10-block job's compute fee is 100,000 of its 500,000 bid. */
const PRICE_PER_BLOCK = 10_000n;
/** A verified job's spec, its sealed evaluation set (digest and salt) and the commitment sha256(digest ++ salt). */
function verifiedJob(tag: string) {
  const evalDigest = digest(`evaluation set ${tag}`);
  const evalSalt = digest(`evaluation salt ${tag}`);
  const commitment = new Uint8Array(createHash("sha256").update(evalDigest).update(evalSalt).digest());
  return { spec: digest(`spec ${tag}`), evalDigest, evalSalt, commitment, model: digest(`model ${tag}`) };
}

/**
 * Builds the background market of size n: n validators, n datasets, n matched bids, made by real
 * calls from 3n distinct principals (funded by the deployer).
 */
export function buildBackground(m: Market, n: number, tag = "bg") {
  const validators = Array.from({ length: n }, (_, i) => benchPrincipal(`${tag} validator ${i}`));
  const providers = Array.from({ length: n }, (_, i) => benchPrincipal(`${tag} provider ${i}`));
  const bidders = Array.from({ length: n }, (_, i) => benchPrincipal(`${tag} bidder ${i}`));
  for (const who of [...validators, ...providers, ...bidders]) m.fund(who, 10n * STX);
  for (const v of validators) m.ok("register-validator", [Cl.uint(VALIDATOR_STAKE)], v);
  const datasetIds = providers.map((p, i) => m.ok("register-dataset", [Cl.uint(STX), Cl.stringAscii(`ipfs://background-${i}`)], p).value as bigint);
  bidders.forEach((b, i) =>
    m.ok("place-computation-bid", [Cl.uint(datasetIds[i]), Cl.uint(100_000), Cl.uint(1), Cl.uint(m.sim.burnBlockHeight + 100)], b),
  );
  return { validators, providers, bidders };
}

/**
 * Runs the measured scenario on a market that holds the background of size n (built here).
 * Every row of ROWS is measured once; the lifecycles are summed from the real calls.
 */
export function runScenario(m: Market, n: number): ScenarioResult {
  const costs = new Map<string, Cost>();
  const calls = new Map<string, { args: ClarityValue[]; sender: string }>();
  const { deployer } = m;
  // an older version of the contract (bench --before) lacks the newer functions: their rows are skipped
  const publicFunctions = new Set(m.sim.getContractsInterfaces().get(m.contract)?.functions.map((f) => f.name) ?? []);
  const has = (fn: string) => publicFunctions.has(fn);

  const measure = (key: string, args: ClarityValue[], sender: string, expected?: unknown) => {
    const spec = ROWS.find((r) => r.key === key);
    if (!spec) throw new Error(`unknown row ${key}`);
    const { value, cost } = m.ok(spec.fn, args, sender);
    if (!cost) throw new Error(`${key}: the simnet reports no costs (start it with trackCosts: true)`);
    if (expected !== undefined && value !== expected) {
      throw new Error(`${key}: expected ${String(expected)}, got ${String(value)}`);
    }
    costs.set(key, cost);
    calls.set(key, { args, sender });
    return { value, cost };
  };

  // the cast: a whale provider (enough stake to carry a governance vote alone), bidders, a validator
  // that joins and leaves, and five validators so that even a market of 1 has five eligible seats
  const P = benchPrincipal("provider");
  const P2 = benchPrincipal("provider-2");
  const P3 = benchPrincipal("provider-3");
  const B = benchPrincipal("bidder");
  const B2 = benchPrincipal("bidder-2");
  const X = benchPrincipal("joining-validator");
  const PV = benchPrincipal("verified-provider");
  const BV = benchPrincipal("verified-bidder");
  const C = [1, 2, 3, 4, 5].map((i) => benchPrincipal(`committee-validator-${i}`));
  m.fund(P, 20_000n * STX);
  for (const who of [P2, P3, B, B2, X, PV, BV, ...C]) m.fund(who, 100n * STX);
  for (const v of C) m.ok("register-validator", [Cl.uint(VALIDATOR_STAKE)], v);
  const background = buildBackground(m, n);

  const h = m.sim.burnBlockHeight;
  const deadline = h + 15;
  const revealClosesAt = deadline + 144 + 144;

  // validators, datasets, bids
  measure("register-validator", [Cl.uint(VALIDATOR_STAKE)], X, true);
  measure("request-validator-exit", [], X);
  const D = measure("register-dataset", [Cl.uint(10_000n * STX), Cl.stringAscii("ipfs://dataset-metadata")], P).value as bigint;
  measure("add-dataset-stake", [Cl.uint(D), Cl.uint(STX)], P);
  measure("set-dataset-terms", [Cl.uint(D), Cl.uint(0), Cl.uint(3)], P, true);
  const D2 = m.ok("register-dataset", [Cl.uint(STX), Cl.stringAscii("ipfs://dataset-metadata")], P2).value as bigint;
  const D3 = m.ok("register-dataset", [Cl.uint(STX), Cl.stringAscii("ipfs://dataset-metadata")], P3).value as bigint;
  if (has("register-dataset-with-terms")) {
    const D4 = measure("register-dataset-with-terms", [Cl.uint(STX), Cl.stringAscii("ipfs://dataset-metadata"), Cl.uint(1000), Cl.uint(1)], P3)
      .value as bigint;
    measure("retire-dataset", [Cl.uint(D4)], P3, true);
  }
  const bidArgs = (dataset: bigint, due: number) => [Cl.uint(dataset), Cl.uint(BID), Cl.uint(10), Cl.uint(due)];
  const J1 = measure("place-computation-bid", bidArgs(D, deadline), B).value as bigint;
  const J3 = m.ok("place-computation-bid", bidArgs(D, deadline), B).value as bigint;
  const J2 = m.ok("place-computation-bid", bidArgs(D2, deadline), B).value as bigint;
  const K = measure("place-computation-bid (queued)", bidArgs(D2, h + 2000), B2).value as bigint;
  const K2 = m.ok("place-computation-bid", bidArgs(D2, h + 2000), B2).value as bigint;
  for (const [bid, status] of [[J1, 2n], [J2, 2n], [J3, 2n], [K, 1n], [K2, 1n]] as const) {
    const got = (m.view("get-bid", [Cl.uint(bid)]) as { status: bigint }).status;
    if (got !== status) throw new Error(`bid ${bid}: status ${got}, expected ${status}`);
  }
  measure("cancel-bid", [Cl.uint(K2)], B2, BID);
  // the provider refuses a fresh job in its third slot within the decline window
  if (has("decline-job")) {
    const J6 = m.ok("place-computation-bid", bidArgs(D, deadline), B2).value as bigint;
    measure("decline-job", [Cl.uint(J6)], P, BID);
  }

  // governance: the whale proposes a one-seat committee and votes it through
  const proposal = measure("propose-parameter-change", [Cl.stringAscii("committee-size"), Cl.uint(1)], P).value as bigint;
  measure("vote-on-proposal", [Cl.uint(proposal), Cl.bool(true)], P);

  // committees: the seed exists once the Bitcoin block after the decline window does
  m.sim.mineEmptyBlocks(DECLINE_WINDOW + 1);
  const seats1 = measure("draw-committee", [Cl.uint(J1)], B2).value as string[];
  const seats2 = m.ok("draw-committee", [Cl.uint(J2)], B2).value as string[];
  m.ok("draw-committee", [Cl.uint(J3)], B2);
  if (seats1.length !== 5 || seats2.length !== 5) throw new Error(`committees of ${seats1.length} and ${seats2.length} seats, expected 5`);

  const commitArgs = (who: string, bid: bigint, score: number) => [
    Cl.uint(bid),
    m.sim.callReadOnlyFn(m.contract, "compute-commitment", [Cl.uint(score), Cl.buffer(salt(who, bid)), Cl.uint(bid), Cl.principal(who)], deployer).result,
  ];
  const revealArgs = (who: string, bid: bigint, score: number) => [Cl.uint(bid), Cl.uint(score), Cl.buffer(salt(who, bid))];

  let fiveSeat = add(ZERO, costs.get("register-dataset")!);
  fiveSeat = add(fiveSeat, costs.get("place-computation-bid")!);
  fiveSeat = add(fiveSeat, costs.get("draw-committee")!);
  seats1.forEach((who, i) => {
    const args = commitArgs(who, J1, SCORE);
    const cost = i === 0 ? measure("commit-validation-result", args, who, true).cost : m.ok("commit-validation-result", args, who).cost!;
    fiveSeat = add(fiveSeat, cost);
  });
  for (const who of seats2) m.ok("commit-validation-result", commitArgs(who, J2, 80), who);

  seats1.forEach((who, i) => {
    const args = revealArgs(who, J1, SCORE);
    const key = i === 0 ? "reveal-validation-result (not last)" : i === seats1.length - 1 ? "reveal-validation-result (finalizing)" : undefined;
    const cost = key ? measure(key, args, who, i === seats1.length - 1).cost : m.ok("reveal-validation-result", args, who).cost!;
    fiveSeat = add(fiveSeat, cost);
  });
  seats1.forEach((who, i) => {
    const args = [Cl.uint(J1)];
    const cost = i === 0 ? measure("claim-validation-reward", args, who).cost : m.ok("claim-validation-reward", args, who).cost!;
    fiveSeat = add(fiveSeat, cost);
  });
  // job 2: three of five reveal; the other two committed and stay silent
  for (const who of seats2.slice(0, 3)) m.ok("reveal-validation-result", revealArgs(who, J2, 80), who);

  // verified jobs (after the plain ones, so that they do not move the plain jobs' blocks): V1 is
  // delivered, revealed and judged by five seats; V2 misses its delivery; V3 is delivered and its
  // bidder never reveals. All three have their committee drawn, so their endings free five seats.
  const verified = has("place-training-bid");
  const trainingBidArgs = (dataset: bigint, due: number, job: ReturnType<typeof verifiedJob>) => [
    ...bidArgs(dataset, due),
    Cl.buffer(job.spec),
    Cl.buffer(job.commitment),
  ];
  const paymentOf = (bid: bigint) => {
    const fee = (m.view("get-bid", [Cl.uint(bid)]) as { "compute-fee": bigint })["compute-fee"];
    const params = m.view("get-parameters") as { "validator-fee-bps": bigint; "protocol-fee-bps": bigint };
    return fee - (fee * params["validator-fee-bps"]) / 10_000n - (fee * params["protocol-fee-bps"]) / 10_000n;
  };
  let DV = 0n;
  let V2 = 0n;
  let V3 = 0n;
  let verifiedFiveSeat: Cost | undefined;
  if (verified) {
    // 2 STX of stake: the missed delivery slashes 10% of it and the dataset stays above the minimum
    DV = m.ok("register-dataset-with-terms", [Cl.uint(2n * STX), Cl.stringAscii("ipfs://dataset-metadata"), Cl.uint(PRICE_PER_BLOCK), Cl.uint(3)], PV)
      .value as bigint;
    const due = m.sim.burnBlockHeight + 20;
    const v1 = verifiedJob("v1");
    const V1 = measure("place-training-bid", trainingBidArgs(DV, due, v1), BV).value as bigint;
    V2 = m.ok("place-training-bid", trainingBidArgs(DV, due, verifiedJob("v2")), BV).value as bigint;
    const v3 = verifiedJob("v3");
    V3 = m.ok("place-training-bid", trainingBidArgs(DV, due, v3), BV).value as bigint;
    for (const bid of [V1, V2, V3]) {
      const b = m.view("get-bid", [Cl.uint(bid)]) as { status: bigint; verified: boolean; "compute-fee": bigint };
      if (b.status !== 2n || !b.verified || b["compute-fee"] !== PRICE_PER_BLOCK * 10n) throw new Error(`verified bid ${bid}: not matched with its compute fee`);
    }
    const placed = costs.get("place-training-bid")!;
    const delivered = measure("deliver-model", [Cl.uint(V1), Cl.buffer(v1.model)], PV, paymentOf(V1)).cost;
    m.ok("deliver-model", [Cl.uint(V3), Cl.buffer(v3.model)], PV);
    const revealed = measure("reveal-evaluation-set", [Cl.uint(V1), Cl.buffer(v1.evalDigest), Cl.buffer(v1.evalSalt)], BV).cost;
    m.sim.mineEmptyBlocks(DECLINE_WINDOW + 1);
    const drawn = m.ok("draw-committee", [Cl.uint(V1)], B2);
    const seatsV = drawn.value as string[];
    for (const bid of [V2, V3]) {
      const seats = m.ok("draw-committee", [Cl.uint(bid)], B2).value as string[];
      if (seats.length !== 5) throw new Error(`verified job ${bid}: committee of ${seats.length} seats, expected 5`);
    }
    if (seatsV.length !== 5) throw new Error(`verified committee of ${seatsV.length} seats, expected 5`);
    let sum = [costs.get("register-dataset-with-terms")!, placed, delivered, revealed, drawn.cost!].reduce(add, ZERO);
    seatsV.forEach((who, i) => {
      const args = commitArgs(who, V1, SCORE);
      sum = add(sum, i === 0 ? measure("commit-validation-result (verified)", args, who, true).cost : m.ok("commit-validation-result", args, who).cost!);
    });
    seatsV.forEach((who, i) => {
      const args = revealArgs(who, V1, SCORE);
      const last = i === seatsV.length - 1;
      sum = add(sum, last ? measure("reveal-validation-result (verified, finalizing)", args, who, true).cost : m.ok("reveal-validation-result", args, who).cost!);
    });
    for (const who of seatsV) sum = add(sum, m.ok("claim-validation-reward", [Cl.uint(V1)], who).cost!);
    verifiedFiveSeat = sum;
    const result = m.view("get-job-result", [Cl.uint(V1)]) as { "final-score": bigint } | null;
    if (result?.["final-score"] !== BigInt(SCORE)) throw new Error(`verified job ${V1} not settled at ${SCORE}`);
  }

  // after the reveal window: expiry of the silent job 3, then finalization of job 2 during a pause
  // (so the freed slot is not refilled), and the queue pushed after the pause
  m.mineUntil(revealClosesAt + 1);
  measure("expire-bid", [Cl.uint(J3)], B2, BID);
  measure("set-paused", [Cl.bool(true)], deployer, true);
  measure("finalize-validation", [Cl.uint(J2)], B2, 1n);
  measure("set-paused (resume)", [Cl.bool(false)], deployer, true);
  measure("match-queued-bids", [Cl.uint(D2)], B2, 0n);
  if ((m.view("get-bid", [Cl.uint(K)]) as { status: bigint }).status !== 2n) throw new Error("queued bid not matched");
  if (verified) {
    // V2 missed its delivery (the bidder is refunded in full), V3's bidder defaulted (no refund)
    measure("expire-bid (missed delivery)", [Cl.uint(V2)], B2, BID);
    measure("expire-bid (bidder default)", [Cl.uint(V3)], B2, 0n);
    const outcome = (m.view("get-job-result", [Cl.uint(V3)]) as { outcome: bigint } | null)?.outcome;
    if (outcome !== 7n) throw new Error(`verified job ${V3}: outcome ${String(outcome)}, expected 7 (bidder default)`);
  }
  // STX sent to the contract outside its functions, booked into the treasury
  if (has("sweep-surplus")) {
    m.fund(m.contract, STX);
    measure("sweep-surplus", [], deployer, STX);
  }
  const treasury = (m.view("get-market-totals") as { treasury: bigint }).treasury;
  if (treasury === 0n) throw new Error("empty treasury: the silent seats were not penalized");
  measure("withdraw-treasury", [Cl.uint(treasury), Cl.principal(deployer)], deployer, treasury);
  measure("withdraw-validator-stake", [], X, VALIDATOR_STAKE);
  measure("withdraw-dataset-stake", [Cl.uint(D3)], P3, STX);

  // the proposal passes: from now on a job has a one-seat committee
  const executableAt = (m.view("get-proposal", [Cl.uint(proposal)]) as { "executable-at": bigint })["executable-at"];
  m.mineUntil(Number(executableAt));
  measure("execute-proposal", [Cl.uint(proposal)], B2, 2n);
  const now = m.sim.burnBlockHeight;
  const J5 = m.ok("place-computation-bid", bidArgs(D, now + 15), B).value as bigint;
  m.sim.mineEmptyBlocks(DECLINE_WINDOW + 1);
  const seats5 = measure("draw-committee (1 seat)", [Cl.uint(J5)], B2).value as string[];
  if (seats5.length !== 1) throw new Error(`committee of ${seats5.length} seats, expected 1`);
  measure("submit-validation-result", [Cl.uint(D), Cl.uint(J5), Cl.uint(SCORE)], seats5[0], true);
  measure("claim-validation-reward (1 seat)", [Cl.uint(J5)], seats5[0]);

  const oneSeat = ["register-dataset", "place-computation-bid", "draw-committee (1 seat)", "submit-validation-result", "claim-validation-reward (1 seat)"]
    .map((k) => costs.get(k)!)
    .reduce(add, ZERO);

  // a verified job judged by one seat, placed under version 2
  let verifiedOneSeat: Cost | undefined;
  if (verified) {
    const v5 = verifiedJob("v5");
    const placed = m.ok("place-training-bid", trainingBidArgs(DV, m.sim.burnBlockHeight + 20, v5), BV);
    const V5 = placed.value as bigint;
    const delivered = m.ok("deliver-model", [Cl.uint(V5), Cl.buffer(v5.model)], PV);
    const revealed = m.ok("reveal-evaluation-set", [Cl.uint(V5), Cl.buffer(v5.evalDigest), Cl.buffer(v5.evalSalt)], BV);
    m.sim.mineEmptyBlocks(DECLINE_WINDOW + 1);
    const drawn = m.ok("draw-committee", [Cl.uint(V5)], B2);
    const seats = drawn.value as string[];
    if (seats.length !== 1) throw new Error(`verified committee of ${seats.length} seats, expected 1`);
    const submitted = measure("submit-validation-result (verified)", [Cl.uint(DV), Cl.uint(V5), Cl.uint(SCORE)], seats[0], true).cost;
    const claimed = m.ok("claim-validation-reward", [Cl.uint(V5)], seats[0]);
    verifiedOneSeat = [costs.get("register-dataset-with-terms")!, placed.cost!, delivered.cost!, revealed.cost!, drawn.cost!, submitted, claimed.cost!].reduce(add, ZERO);
  }

  // the active set as the scenario built it (the batch rows below empty it)
  const activeValidators = Number(m.view("get-active-validator-count"));

  // The batch calls, last: one validator commits on, reveals on and claims BATCH_JOBS jobs in one
  // call each. A validator sits on every one of them only where it is the whole active set (a market
  // that small seats everyone at the match, and committee-size is 1 since the proposal passed), so
  // every other validator leaves the set first; the market still holds the N background datasets,
  // bids and validator records. Each job has one seat: its reveal is its last and finalizes it.
  if (has("commit-validation-results")) {
    const V = C[0];
    for (const who of [...background.validators, ...C.slice(1)]) {
      if ((m.view("get-validator", [Cl.principal(who)]) as { active: boolean } | null)?.active) m.ok("request-validator-exit", [], who);
    }
    if (m.view("get-active-validator-count") !== 1n) throw new Error("the batch validator is not alone in the active set");
    const DB = m.ok("register-dataset-with-terms", [Cl.uint(STX), Cl.stringAscii("ipfs://dataset-metadata"), Cl.uint(0), Cl.uint(BATCH_JOBS)], P2)
      .value as bigint;
    const due = m.sim.burnBlockHeight + 15;
    const jobs = Array.from({ length: BATCH_JOBS }, () => m.ok("place-computation-bid", bidArgs(DB, due), B).value as bigint);
    for (const bid of jobs) {
      const committee = m.view("get-committee", [Cl.uint(bid)]) as { seats: string[] } | null;
      if (committee?.seats.length !== 1 || committee.seats[0] !== V) throw new Error(`batch job ${bid}: not seated on ${V} alone at the match`);
    }
    const commits = jobs.map((bid) => Cl.tuple({ "bid-id": Cl.uint(bid), commitment: Cl.buffer(computeCommitment(SCORE, salt(V, bid), bid, V)) }));
    measure("commit-validation-results", [Cl.list(commits)], V, BigInt(BATCH_JOBS));
    const reveals = jobs.map((bid) => Cl.tuple({ "bid-id": Cl.uint(bid), score: Cl.uint(SCORE), salt: Cl.buffer(salt(V, bid)) }));
    const revealed = measure("reveal-validation-results", [Cl.list(reveals)], V).value as { revealed: bigint; finalized: bigint };
    if (revealed.revealed !== BigInt(BATCH_JOBS) || revealed.finalized !== BigInt(BATCH_JOBS)) {
      throw new Error(`reveal-validation-results: ${revealed.revealed} revealed, ${revealed.finalized} finalized, expected ${BATCH_JOBS} of each`);
    }
    // a coherent seat of a scored job holds its validator's stake until it is claimed
    const seated = () => (m.view("get-validator", [Cl.principal(V)]) as { "open-seats": bigint })["open-seats"];
    const before = seated();
    const paid = measure("claim-validation-rewards", [Cl.list(jobs.map((bid) => Cl.uint(bid)))], V).value as bigint;
    if (paid === 0n) throw new Error("claim-validation-rewards paid nothing");
    if (before - seated() !== BigInt(BATCH_JOBS)) throw new Error(`the claims freed ${before - seated()} seats, expected ${BATCH_JOBS}`);
  }

  const verifiedRows = new Set<string>(VERIFIED_ROWS);
  for (const row of ROWS) {
    if (has(row.fn) && (verified || !verifiedRows.has(row.key)) && !costs.has(row.key)) throw new Error(`row ${row.key} was not measured`);
  }
  const limitSource = m.call("set-paused", [Cl.bool(false)], deployer).costs;
  if (!limitSource) throw new Error("the simnet reports no costs");
  return {
    costs,
    calls,
    lifecycles: {
      "one-seat job (README path)": oneSeat,
      "5-seat job (commit-reveal)": fiveSeat,
      ...(verifiedOneSeat && { "verified one-seat job": verifiedOneSeat }),
      ...(verifiedFiveSeat && { "verified 5-seat job (commit-reveal)": verifiedFiveSeat }),
    },
    load: m.loadCost(),
    limit: limitSource.limit as Cost,
    background: { datasets: n, bids: n, validators: n, activeValidators },
  };
}

export const FLOOR_NAME = "floor";

/**
 * The floor must write the same records as the market: every map and data-var of the floor must
 * exist in the market contract with the same type. Returns the names that differ (empty when in step).
 */
export function floorRecordMismatches(sim: Simnet, marketId: string, floorId: string): string[] {
  const interfaces = sim.getContractsInterfaces();
  const market = interfaces.get(marketId);
  const floor = interfaces.get(floorId);
  if (!market || !floor) throw new Error("contract interfaces not found");
  const mismatches: string[] = [];
  for (const map of floor.maps) {
    const ours = market.maps.find((m) => m.name === map.name);
    if (!ours || JSON.stringify(ours.key) !== JSON.stringify(map.key) || JSON.stringify(ours.value) !== JSON.stringify(map.value)) {
      mismatches.push(`map ${map.name}`);
    }
  }
  for (const variable of floor.variables) {
    const ours = market.variables.find((v) => v.name === variable.name);
    if (!ours || JSON.stringify(ours.type) !== JSON.stringify(variable.type)) mismatches.push(`data-var ${variable.name}`);
  }
  return mismatches;
}

/** Deploys bench/floor.clar into the simnet and funds it for its pay-outs (two blocks). */
export function deployFloor(sim: Simnet): string {
  const floor = new Market(sim, `${sim.getAccounts().get("deployer")}.${FLOOR_NAME}`);
  const source = readFileSync(new URL("./floor.clar", import.meta.url), "utf8");
  const deployed = sim.deployContract(FLOOR_NAME, source, { clarityVersion: 4 }, floor.deployer);
  if (deployed.result.type !== ClarityType.BoolTrue) throw new Error(`floor deployment failed: ${cvToString(deployed.result)}`);
  floor.fund(floor.contract, 1_000n * STX);
  return floor.contract;
}

/**
 * Replays every row's arguments on the deployed floor contract. Returns the floor cost of every
 * row and the floor contract's own load cost.
 */
export function measureFloor(sim: Simnet, floorId: string, calls: ScenarioResult["calls"]): { costs: Map<string, Cost>; load: Cost } {
  const floor = new Market(sim, floorId);
  const costs = new Map<string, Cost>();
  for (const row of ROWS) {
    const call = calls.get(row.key);
    if (!call) throw new Error(`no call recorded for ${row.key}`);
    const r = sim.callPublicFn(floor.contract, row.floorFn, call.args, floor.deployer);
    if (r.result.type !== ClarityType.ResponseOk) throw new Error(`floor ${row.floorFn} failed: ${cvToString(r.result)}`);
    costs.set(row.key, costOf(r, `floor ${row.floorFn}`));
  }
  return { costs, load: floor.loadCost() };
}
