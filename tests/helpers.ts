import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Cl, ClarityType, type ClarityValue } from "@stacks/transactions";
import { expect } from "vitest";
import { ERR, OUTCOME, type ErrorName } from "../src/errors.ts";

export { ERR, BID_STATUS, OUTCOME } from "../src/errors.ts";

export const CONTRACT = "neural-training-market";

const accounts = simnet.getAccounts();
function account(name: string): string {
  const address = accounts.get(name);
  if (!address) throw new Error(`no simnet account ${name}`);
  return address;
}

export const deployer = account("deployer");
export const provider = account("wallet_1");
export const bidder = account("wallet_2");
export const validator1 = account("wallet_3");
export const validator2 = account("wallet_4");
export const validator3 = account("wallet_5");
export const provider2 = account("wallet_6");
export const bidder2 = account("wallet_7");
export const outsider = account("wallet_8");
export const contractId = `${deployer}.${CONTRACT}`;
export const wallets = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => account(`wallet_${i}`));

export const DEFAULTS = {
  minDatasetStake: 1_000_000n,
  minValidatorStake: 1_000_000n,
  minBidAmount: 100_000n,
  maxComputationDuration: 4320n,
  maxBidWait: 4320n,
  declineWindow: 6n,
  evalRevealWindow: 144n,
  nonDeliverySlashBps: 1_000n,
  stakeLockBlocks: 4320n,
  validationWindow: 144n,
  revealWindow: 144n,
  validatorUnbondingBlocks: 144n,
  committeeSize: 5n,
  minRevealsBps: 5001n,
  rewardThreshold: 70n,
  slashThreshold: 40n,
  slashRateBps: 5000n,
  validatorFeeBps: 500n,
  protocolFeeBps: 100n,
  validatorPenaltyBps: 100n,
  consensusTolerance: 15n,
  votingPeriod: 1008n,
  executionDelay: 144n,
  governanceQuorumBps: 2000n,
  proposalThreshold: 1_000_000n,
};

import { decode, type Decoded } from "../src/clarity.ts";
import { simnetReader, type OutcomeName, type SimnetLike, type SyncMarketReader } from "../src/client/readers.ts";

export { decode, type Decoded };

type Record_ = Record<string, Decoded>;

export function call(fn: string, args: ClarityValue[], sender: string) {
  return simnet.callPublicFn(contractId, fn, args, sender);
}

export function readOnly(fn: string, args: ClarityValue[] = []): ClarityValue {
  return simnet.callReadOnlyFn(contractId, fn, args, deployer).result;
}

/** A read-only view that returns an optional tuple, decoded (null when none). */
export function view(fn: string, args: ClarityValue[] = []): Record_ | null {
  return decode(readOnly(fn, args)) as Record_ | null;
}

/**
 * Typed readers of every read-only view (src/client/readers.ts): camelCase records, amounts as
 * bigint, bid statuses and outcomes by name, null for a missing record. Every call looks the
 * global `simnet` up when it runs (the test environment sets it per file), so a read sees the
 * current simnet in its current state.
 */
const currentSimnet: SimnetLike = {
  callReadOnlyFn: (...args) => simnet.callReadOnlyFn(...args),
  get burnBlockHeight() {
    return simnet.burnBlockHeight;
  },
};
export const read: SyncMarketReader = simnetReader(currentSimnet, contractId, deployer);

/** An outcome code's name (`OUTCOME`), as `read.getJobResult` reports it. */
export function outcomeName(code: number | bigint): OutcomeName {
  const name = (Object.keys(OUTCOME) as (keyof typeof OUTCOME)[]).find((n) => BigInt(OUTCOME[n]) === BigInt(code));
  if (!name) throw new Error(`no outcome ${code}`);
  return name;
}

export function getDataset(id: number | bigint) {
  return view("get-dataset", [Cl.uint(id)]);
}
export function getBid(id: number | bigint) {
  return view("get-bid", [Cl.uint(id)]);
}
export function getValidator(who: string) {
  return view("get-validator", [Cl.principal(who)]);
}
export function getVote(bidId: number | bigint, who: string) {
  return view("get-vote", [Cl.uint(bidId), Cl.principal(who)]);
}
export function getJobResult(bidId: number | bigint) {
  return view("get-job-result", [Cl.uint(bidId)]);
}
const TOTAL_BUCKETS = ["dataset-stakes", "validator-stakes", "escrowed-bids", "unclaimed-rewards", "treasury"];

/**
 * A field of the contract's global state record (the `market` data-var), read straight from the
 * simnet: about 20 times cheaper than a read-only call, for tests that check state after every
 * step. "market-totals" gives the five solvency buckets, as get-market-totals does.
 */
export function marketField(field: string): Decoded {
  const state = decode(simnet.getDataVar(contractId, "market")) as Record_;
  if (field === "market-totals") return Object.fromEntries(TOTAL_BUCKETS.map((bucket) => [bucket, state[bucket]]));
  if (!(field in state)) throw new Error(`the market record has no field ${field}`);
  return state[field];
}

export function getTotals() {
  return view("get-market-totals") as Record<
    "dataset-stakes" | "validator-stakes" | "escrowed-bids" | "unclaimed-rewards" | "treasury" | "surplus",
    bigint
  >;
}

/** STX balance of a principal, from the simnet's asset map. */
export function stx(who: string): bigint {
  return simnet.getAssetsMap().get("STX")?.get(who) ?? 0n;
}

/** Balances of several principals at once, keyed by address. */
export function balances(...who: string[]): Map<string, bigint> {
  const stxMap = simnet.getAssetsMap().get("STX");
  return new Map(who.map((w) => [w, stxMap?.get(w) ?? 0n]));
}

/** Change in each principal's balance since `before`. */
export function deltas(before: Map<string, bigint>): Map<string, bigint> {
  return new Map([...before].map(([w, b]) => [w, stx(w) - b]));
}

/**
 * The solvency invariant: every micro-STX the contract holds is accounted for, and no contract
 * call ever leaves a surplus (STX the books do not track).
 */
export function expectSolvent() {
  const t = getTotals();
  const sum = t["dataset-stakes"] + t["validator-stakes"] + t["escrowed-bids"] + t["unclaimed-rewards"] + t.treasury;
  expect(sum).toBe(stx(contractId));
  expect(t.surplus).toBe(0n);
}

export function errCode(name: ErrorName) {
  return Cl.error(Cl.uint(ERR[name]));
}

/** Asserts a call failed with the named contract error. */
export function expectErr(result: { result: ClarityValue }, name: ErrorName) {
  expect(result.result).toStrictEqual(errCode(name));
}

/** Decoded `print` events of a call, in order. */
export function printEvents(result: { events: { event: string; data: { value?: ClarityValue } }[] }) {
  return result.events
    .filter((e) => e.event === "print_event" && e.data.value)
    .map((e) => decode(e.data.value as ClarityValue) as Record_);
}

/** The names of the `print` events of a call, in order. */
export function eventNames(result: Parameters<typeof printEvents>[0]) {
  return printEvents(result).map((e) => e.event);
}

export function stxTransfers(result: { events: { event: string; data: Record<string, unknown> }[] }) {
  return result.events
    .filter((e) => e.event === "stx_transfer_event")
    .map((e) => ({
      sender: e.data.sender as string,
      recipient: e.data.recipient as string,
      amount: BigInt(e.data.amount as string),
    }));
}

/** Unwraps an `(ok ...)` result, failing the test otherwise. */
export function ok(result: { result: ClarityValue }): Decoded {
  expect(result.result.type).toBe(ClarityType.ResponseOk);
  return decode(result.result);
}

// ---------------------------------------------------------------------------
// Scenario builders
// ---------------------------------------------------------------------------

export function registerDataset(who = provider, stake = DEFAULTS.minDatasetStake, uri = "ipfs://dataset-metadata") {
  return call("register-dataset", [Cl.uint(stake), Cl.stringAscii(uri)], who);
}

export function placeBid(
  who: string,
  datasetId: number | bigint,
  amount: number | bigint = 500_000n,
  duration: number | bigint = 100n,
  deadline?: number | bigint,
) {
  const due = deadline ?? BigInt(simnet.burnBlockHeight) + BigInt(duration) + 50n;
  return call("place-computation-bid", [Cl.uint(datasetId), Cl.uint(amount), Cl.uint(duration), Cl.uint(due)], who);
}

export function registerValidator(who: string, stake = DEFAULTS.minValidatorStake) {
  return call("register-validator", [Cl.uint(stake)], who);
}

export function vote(who: string, datasetId: number | bigint, bidId: number | bigint, score: number | bigint) {
  return call("submit-validation-result", [Cl.uint(datasetId), Cl.uint(bidId), Cl.uint(score)], who);
}

export function claim(who: string, bidId: number | bigint) {
  return call("claim-validation-reward", [Cl.uint(bidId)], who);
}

/**
 * A market with one dataset (provider, default stake), the given validators
 * registered, and one matched 500,000 micro-STX bid (bidder). With at most
 * `committee-size` (5) validators every one of them is seated at the match.
 * Returns the ids.
 */
export function matchedJob(validatorStakes: [string, bigint][] = [[validator1, DEFAULTS.minValidatorStake]], amount = 500_000n) {
  for (const [who, stake] of validatorStakes) expect(registerValidator(who, stake).result).toBeOk(Cl.bool(true));
  expect(registerDataset().result).toBeOk(Cl.uint(1));
  expect(placeBid(bidder, 1, amount).result).toBeOk(Cl.uint(1));
  expect(getBid(1)?.status).toBe(2n);
  return { datasetId: 1n, bidId: 1n };
}

/** `matchedJob()` (validator1 alone, a one-seat committee) finalized by validator1's direct vote of `score`. */
export function finalizedJob(score: number) {
  const { datasetId, bidId } = matchedJob();
  expect(vote(validator1, datasetId, bidId, score).result).toBeOk(Cl.bool(true));
  return { datasetId, bidId };
}

// ---------------------------------------------------------------------------
// Committees and commit-reveal
// ---------------------------------------------------------------------------

/** A deterministic 32-byte salt per validator and job: sha256 of "validator:bid-id". */
export function saltFor(who: string, bidId: number | bigint = 1n): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`${who}:${bidId}`).digest());
}

/** The commitment the contract expects, computed by its own `compute-commitment` view. */
export function commitmentFor(who: string, bidId: number | bigint, score: number | bigint, salt = saltFor(who, bidId)) {
  return readOnly("compute-commitment", [Cl.uint(score), Cl.buffer(salt), Cl.uint(bidId), Cl.principal(who)]);
}

/** `commit-validation-result` with the commitment of `score` (and the validator's default salt). */
export function commit(who: string, bidId: number | bigint, score: number | bigint, salt = saltFor(who, bidId)) {
  return call("commit-validation-result", [Cl.uint(bidId), commitmentFor(who, bidId, score, salt)], who);
}

/** `reveal-validation-result` of `score` with the validator's default salt. */
export function reveal(who: string, bidId: number | bigint, score: number | bigint, salt = saltFor(who, bidId)) {
  return call("reveal-validation-result", [Cl.uint(bidId), Cl.uint(score), Cl.buffer(salt)], who);
}

/** `draw-committee`: anyone draws a matched job's committee. */
export function drawCommittee(who: string, bidId: number | bigint) {
  return call("draw-committee", [Cl.uint(bidId)], who);
}

/** `finalize-validation`: anyone settles a job after its reveal window. */
export function finalizeValidation(who: string, bidId: number | bigint) {
  return call("finalize-validation", [Cl.uint(bidId)], who);
}

/** `get-committee`: a job's seats, commit and reveal counts and revealed votes, or null before the draw. */
export function getCommittee(bidId: number | bigint) {
  return view("get-committee", [Cl.uint(bidId)]);
}

/** The principals seated on a job's committee, in seat order ([] before the draw). */
export function seatsOf(bidId: number | bigint): string[] {
  return (getCommittee(bidId)?.seats as string[] | undefined) ?? [];
}

/** `get-validation-windows`: commit-closes-at, reveal-closes-at, committee-size, min-reveals. */
export function windowsOf(bidId: number | bigint) {
  return view("get-validation-windows", [Cl.uint(bidId)]) as {
    "commit-closes-at": bigint;
    "reveal-closes-at": bigint;
    "committee-size": bigint;
    "min-reveals": bigint;
  };
}

/**
 * Every `[validator, score]` commits, then every one reveals, in order; the last reveal of
 * a full committee finalizes the job. Returns the last reveal's result.
 */
export function commitAndReveal(bidId: number | bigint, votes: [string, number | bigint][]) {
  for (const [who, score] of votes) expect(commit(who, bidId, score).result).toBeOk(Cl.bool(true));
  let last: ReturnType<typeof call> | undefined;
  for (const [who, score] of votes) {
    last = reveal(who, bidId, score);
    expect(last.result.type).toBe(ClarityType.ResponseOk);
  }
  if (!last) throw new Error("commitAndReveal: no votes");
  return last;
}

// ---------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------

/** The contract's time: the current burn block height, as a bigint. */
export function height(): bigint {
  return BigInt(simnet.burnBlockHeight);
}

/**
 * Mines empty blocks until `burn-block-height` equals `target`. Fails the test if the
 * chain is already past `target` (the simnet cannot go back).
 */
export function mineUntil(target: bigint) {
  const now = height();
  if (target < now) throw new Error(`mineUntil: cannot go back from ${now} to ${target}`);
  if (target > now) simnet.mineEmptyBlocks(Number(target - now));
  expect(height()).toBe(target);
}

// ---------------------------------------------------------------------------
// Call wrappers: every public function not covered by a builder above.
// Signature `(who, ...args)`, except the owner-only functions whose caller defaults to the deployer.
// ---------------------------------------------------------------------------

/** `add-dataset-stake`: the provider tops up its dataset's stake. */
export function addStake(who: string, datasetId: number | bigint, amount: number | bigint) {
  return call("add-dataset-stake", [Cl.uint(datasetId), Cl.uint(amount)], who);
}

/** `set-dataset-terms`: the provider sets price-per-block and max-concurrent-jobs. */
export function setTerms(who: string, datasetId: number | bigint, price: number | bigint, capacity: number | bigint) {
  return call("set-dataset-terms", [Cl.uint(datasetId), Cl.uint(price), Cl.uint(capacity)], who);
}

/** `register-dataset-with-terms`: a provider registers a dataset with its ask and job slots at once. */
export function registerDatasetWithTerms(
  who: string,
  stake: number | bigint,
  uri: string,
  price: number | bigint,
  capacity: number | bigint,
) {
  return call("register-dataset-with-terms", [Cl.uint(stake), Cl.stringAscii(uri), Cl.uint(price), Cl.uint(capacity)], who);
}

/** `retire-dataset`: the provider closes its dataset; queued bids become refundable by anyone. */
export function retireDataset(who: string, datasetId: number | bigint) {
  return call("retire-dataset", [Cl.uint(datasetId)], who);
}

/** `decline-job`: the provider refuses a freshly matched job, refunding its bidder. */
export function declineJob(who: string, bidId: number | bigint) {
  return call("decline-job", [Cl.uint(bidId)], who);
}

/** `sweep-surplus` (owner only): books STX sent outside the contract's functions into the treasury. */
export function sweepSurplus(who = deployer) {
  return call("sweep-surplus", [], who);
}

/** `withdraw-dataset-stake`: the provider takes its stake back and retires the dataset. */
export function withdrawStake(who: string, datasetId: number | bigint) {
  return call("withdraw-dataset-stake", [Cl.uint(datasetId)], who);
}

/** `cancel-bid`: the bidder withdraws a queued bid. */
export function cancelBid(who: string, bidId: number | bigint) {
  return call("cancel-bid", [Cl.uint(bidId)], who);
}

/** `expire-bid`: anyone refunds a timed-out job or an infeasible queued bid. */
export function expireBid(who: string, bidId: number | bigint) {
  return call("expire-bid", [Cl.uint(bidId)], who);
}

/** `match-queued-bids`: anyone pushes a dataset's queue into its free slots. */
export function matchQueued(who: string, datasetId: number | bigint) {
  return call("match-queued-bids", [Cl.uint(datasetId)], who);
}

/** `set-paused` (owner only). */
export function setPaused(pause: boolean, who = deployer) {
  return call("set-paused", [Cl.bool(pause)], who);
}

/** `withdraw-treasury` (owner only). */
export function withdrawTreasury(amount: number | bigint, recipient: string, who = deployer) {
  return call("withdraw-treasury", [Cl.uint(amount), Cl.principal(recipient)], who);
}

/** `request-validator-exit`: the validator stops voting and starts unbonding. */
export function requestExit(who: string) {
  return call("request-validator-exit", [], who);
}

/** `withdraw-validator-stake`: an exited validator takes its stake back. */
export function withdrawValidator(who: string) {
  return call("withdraw-validator-stake", [], who);
}

// ---------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------

/** `get-queue-link`: a queued bid's `{ prev, next }` neighbours, or null when not queued. */
export function queueLink(bidId: number | bigint) {
  return view("get-queue-link", [Cl.uint(bidId)]);
}

/** `get-last-ids`: the last dataset and bid ids handed out (0 before any). */
export function lastIds() {
  return view("get-last-ids") as { "dataset-id": bigint; "bid-id": bigint; "proposal-id": bigint };
}

/** The last bid id handed out (0 before any). */
export function lastBidId(): bigint {
  return lastIds()["bid-id"];
}

/** `get-active-validator-count`, decoded. */
export function activeValidatorCount(): bigint {
  return decode(readOnly("get-active-validator-count")) as bigint;
}

/** `get-validator-at`: the active validator at an index of the set, or null. */
export function validatorAt(index: number | bigint): string | null {
  return decode(readOnly("get-validator-at", [Cl.uint(index)])) as string | null;
}

/** `get-committee-seed`: the seed a job's committee is drawn from (hex), or null before it is known. */
export function committeeSeed(bidId: number | bigint): string | null {
  return decode(readOnly("get-committee-seed", [Cl.uint(bidId)])) as string | null;
}

/** `is-paused`, as the raw Clarity bool (assert with `toBeBool`). */
export function isPaused(): ClarityValue {
  return readOnly("is-paused");
}

// ---------------------------------------------------------------------------
// Verified jobs: a training bid with its sealed evaluation set, the delivery, the reveal
// ---------------------------------------------------------------------------

const digestOf = (text: string) => new Uint8Array(createHash("sha256").update(text).digest());

/** The standard verified job's artifacts: its spec, sealed evaluation set (digest + salt), commitment and model. */
export const SPEC = digestOf("job-spec: resnet-18, 100 blocks");
export const EVAL_DIGEST = digestOf("sealed evaluation set");
export const EVAL_SALT = digestOf("evaluation salt");
export const EVAL_COMMITMENT = new Uint8Array(createHash("sha256").update(EVAL_DIGEST).update(EVAL_SALT).digest());
export const MODEL = digestOf("model.onnx");

/** `place-training-bid`; the deadline defaults to now + duration + 50, as `placeBid` does. */
export function trainingBid(
  who: string,
  datasetId: number | bigint,
  opts: { amount?: bigint; duration?: bigint; deadline?: bigint; spec?: Uint8Array; commitment?: Uint8Array } = {},
) {
  const duration = opts.duration ?? 100n;
  const deadline = opts.deadline ?? height() + duration + 50n;
  return call(
    "place-training-bid",
    [
      Cl.uint(datasetId),
      Cl.uint(opts.amount ?? 600_000n),
      Cl.uint(duration),
      Cl.uint(deadline),
      Cl.buffer(opts.spec ?? SPEC),
      Cl.buffer(opts.commitment ?? EVAL_COMMITMENT),
    ],
    who,
  );
}

export function deliver(who: string, bidId: number | bigint, model: Uint8Array = MODEL) {
  return call("deliver-model", [Cl.uint(bidId), Cl.buffer(model)], who);
}

export function revealEval(who: string, bidId: number | bigint, digest: Uint8Array = EVAL_DIGEST, salt: Uint8Array = EVAL_SALT) {
  return call("reveal-evaluation-set", [Cl.uint(bidId), Cl.buffer(digest), Cl.buffer(salt)], who);
}

export function getDelivery(bidId: number | bigint) {
  return view("get-job-delivery", [Cl.uint(bidId)]);
}

export function bidderHistory(who: string) {
  return view("get-bidder-history", [Cl.principal(who)]);
}

/**
 * Runs one of the project's scripts (`bench/index.ts`, `src/simulation/index.ts`, ...) as `npm run`
 * would; its exit status (null when it was killed at the 60-s timeout or never started) and output.
 */
export function runScript(script: string, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ["--import", "tsx", script, ...args], { cwd: fileURLToPath(new URL("..", import.meta.url)), timeout: 60_000 }, (error, stdout, stderr) => {
      // a process's exit status is a number; a string code (ENOENT, ...) means it never ran
      const code = error ? (error as { code?: unknown }).code : 0;
      resolve({ code: typeof code === "number" ? code : null, stdout, stderr });
    });
  });
}
