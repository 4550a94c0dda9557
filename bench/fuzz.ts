/**
 * Fuzzing campaign for the neural-training-market contract with Rendezvous (`rv`).
 *
 *   npm run fuzz -- [--runs N] [--seed S] [--mode both|invariant|test]
 *                   [--invariant-runs N] [--test-runs N] [--max-blocks B]
 *                   [--invariant-max-blocks B] [--test-max-blocks B]
 *                   [--no-genesis] [--shrink] [--keep] [--project DIR]
 *                   [--min-runs N] [--min-passes N] [--uniform]
 *
 * Runs Rendezvous on contracts/neural-training-market.clar with its sidecar
 * contracts/neural-training-market.tests.clar, in both modes at once (one process
 * each, so two cores are used):
 * - `invariant`: random sequences of calls to every public function (the
 *   contract's, with random arguments, and the sidecar's `drive-*` calls, which
 *   target live datasets, bids and proposals), each sequence followed by one
 *   `invariant-*` check;
 * - `test`: the sidecar's `test-*` property tests, one per public function,
 *   dealt in balanced rounds (see --uniform): each round of P runs (P property
 *   tests) runs every property once, in a random order, so a campaign of R runs
 *   runs each floor(R / P) or ceil(R / P) times.
 * Prints the sidecar's counts (invariants, property tests, drivers), then per
 * mode: runs, seed, wall and CPU time, result, the call statistics (test mode: per
 * property, how many times it ran, passed, was discarded and failed, and the
 * min / median of runs and of passes per property) and how far the market
 * got (bids placed and settled, votes, claims, parameter versions, job results by
 * outcome, verified jobs: training bids, models delivered, evaluation sets
 * revealed, missed deliveries, misses of jobs due inside their decline window,
 * evaluation sets revealed past delivered-at + eval-reveal-window; datasets
 * with a price raise recorded);
 * on a failure, Rendezvous' counterexample and the calls that led to it. Exits 1
 * on any failure, and (one line, `FUZZ FAILED: ...`) when a property test ran
 * fewer than --min-runs times or passed fewer than --min-passes times. Full
 * logs: .cache/fuzz/<mode>.log (git-ignored).
 *
 * Runs, passes, discards. A property-test run is one call of a `test-*`
 * function: it passes ((ok true): the property was checked), is discarded
 * ((ok false): nothing to check from this state and caller, e.g. no claimable
 * seat; the state it reached is still checked) or fails. "Ran" counts all three;
 * the validation properties are mostly discarded in a property campaign (a
 * claim needs a settled job the caller voted on), so --min-runs counts runs,
 * and passes are reported beside them (and can be required with --min-passes).
 *
 * Options:
 *   --runs N        runs per mode (default 1000)
 *   --invariant-runs N, --test-runs N
 *                   override --runs for one mode (an invariant run is a sequence
 *                   of calls, several times slower than a property-test run)
 *   --seed S        fast-check seed, the same for both modes (default: random,
 *                   printed); the same seed, runs and max-blocks replay a run
 *   --mode M        both (default), invariant or test
 *   --max-blocks B  cap on the burn blocks Rendezvous mines after a step, both
 *                   modes (default 4 for an invariant run, a sequence of calls,
 *                   and 2 for a property-test run, a single call; 0 =
 *                   Rendezvous' own ceil(100000 / runs), which is 100 blocks at
 *                   1000 runs). Each vote needs its own random caller, so a
 *                   job's commit and reveal windows (48 and 48 blocks in the
 *                   sidecar's configuration, the commit phase of a job in a
 *                   market larger than its committee opening only after its
 *                   24-block decline window) must span many steps for
 *                   committees to vote and jobs to settle; a proposal can be
 *                   executed 289 blocks after it is made (the hard minimums)
 *   --invariant-max-blocks B, --test-max-blocks B
 *                   override --max-blocks for one mode
 *   --no-genesis    start from an empty market; by default, before the first
 *                   run, six accounts register as validators and three
 *                   register datasets through the contract's public functions
 *                   (see GENESIS_VALIDATORS), so committees form from the
 *                   first jobs (a job seats only validators registered before
 *                   its match)
 *   --shrink        let fast-check shrink a failure (slow, and replayed on the
 *                   already mutated simnet); by default the run stops at the
 *                   first failure (Rendezvous' --bail)
 *   --keep          keep the isolated project copies in the temp directory
 *   --project DIR   fuzz another copy of the project (e.g. a mutated contract);
 *                   default: this repository
 *   --min-runs N    fail unless every property test ran at least N times
 *                   (discarded runs included). Default: what the balanced
 *                   schedule guarantees, capped at 100: min(100, floor(R / P))
 *                   for R test runs and P property tests, so 100 from
 *                   R = 100 * P (3200 runs for 32 properties), fewer below (a
 *                   check that the schedule dealt every property); with
 *                   --uniform, 0. CI passes --min-runs 100 explicitly, so a new
 *                   property without more runs fails there, saying so
 *   --min-passes N  fail unless every property test passed (was not discarded)
 *                   at least N times (default 0: reported only)
 *   --uniform       Rendezvous' own draw: every run picks its property
 *                   uniformly and independently (R / P runs on average, the
 *                   fewest far below: at 2500 runs over 32 properties, a mean
 *                   of 78, the lowest is typically about 60)
 *
 * Four adaptations of Rendezvous 0.12, all in the child process only:
 * - Clarinet SDK 3.21 writes deployment plans with `transaction-type:` entries,
 *   which Rendezvous 0.12 does not recognise ("contract not found in
 *   Clarinet.toml"): the plan is handed to it in the older keyed form.
 * - the --max-blocks cap above;
 * - the genesis market above, set up right after the deployment;
 * - the balanced property schedule (test mode, unless --uniform; see
 *   balanceProperties). The child reports it (FUZZ-SCHEDULE); if a Rendezvous
 *   upgrade stops drawing properties where it is patched, the runs fall back to
 *   the uniform draw, the report says so and --min-runs catches the shortfall.
 * Before fuzzing, the contract with its sidecar appended is type-checked as a
 * project contract: Rendezvous deploys it without Clarity's static analysis, so
 * a sidecar out of step with the contract would otherwise only fail oddly at run
 * time. Each mode runs in its own copy of the project (Clarinet.toml, contracts,
 * settings) under the temp directory, so the fuzzer never rewrites this
 * project's deployment plan and a contract edited meanwhile does not change a
 * run. A replay needs the same contract and sidecar as well as the same options.
 */
import { spawn } from "node:child_process";
import { createWriteStream, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Cl, type ClarityValue } from "@stacks/transactions";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const THIS_FILE = fileURLToPath(import.meta.url);
const CONTRACT = "neural-training-market";
const MODES = ["invariant", "test"] as const;
type Mode = (typeof MODES)[number];

interface Options {
  runs: Record<Mode, number>;
  seed: number;
  project: string;
  modes: Mode[];
  maxBlocks: Record<Mode, number>;
  genesis: boolean;
  shrink: boolean;
  keep: boolean;
  uniform: boolean;
  minRuns?: number;
  minPasses: number;
  child?: Mode;
}

/** A bad command line: one line on stderr and exit code 2, before any work. */
class UsageError extends Error {}

/** The synopsis and options of this file's header comment, for --help. */
function usage(): string {
  const header = readFileSync(THIS_FILE, "utf8").split("\n*/")[0] ?? "";
  const lines = header.split("\n").map((l) => l.replace(/^\s*\/?\*+ ?/, ""));
  const synopsis = lines.slice(lines.findIndex((l) => l.includes("npm run fuzz --"))).join("\n").split("\n\n")[0];
  const options = lines.slice(lines.findIndex((l) => l.startsWith("Options:"))).join("\n").split("\n\n")[0];
  return `${synopsis}\n\n${options}\n\nThe header of bench/fuzz.ts explains runs, passes and discards.`;
}

function parseOptions(argv: string[]): Options {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${usage()}\n`);
      process.exit(0);
    }
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split("=", 2);
    if (["shrink", "keep", "no-genesis", "uniform"].includes(name)) {
      flags.add(name);
    } else if (["runs", "invariant-runs", "test-runs", "seed", "mode", "max-blocks", "invariant-max-blocks", "test-max-blocks",
                "min-runs", "min-passes", "project", "child"].includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  const int = (name: string, fallback: number, min: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const mode = values.get("mode") ?? "both";
  if (mode !== "both" && !MODES.includes(mode as Mode)) throw new UsageError("--mode must be both, invariant or test");
  const child = values.get("child");
  if (child !== undefined && !MODES.includes(child as Mode)) throw new UsageError("--child must be invariant or test");
  const runs = int("runs", 1000, 1);
  return {
    runs: { invariant: int("invariant-runs", runs, 1), test: int("test-runs", runs, 1) },
    project: resolve(values.get("project") ?? ROOT),
    seed: int("seed", Math.floor(Math.random() * 0x7fffffff), 0),
    modes: mode === "both" ? [...MODES] : [mode as Mode],
    maxBlocks: {
      invariant: int("invariant-max-blocks", int("max-blocks", 4, 0), 0),
      test: int("test-max-blocks", int("max-blocks", 2, 0), 0),
    },
    genesis: !flags.has("no-genesis"),
    shrink: flags.has("shrink"),
    keep: flags.has("keep"),
    uniform: flags.has("uniform"),
    minRuns: values.has("min-runs") ? int("min-runs", 0, 0) : undefined,
    minPasses: int("min-passes", 0, 0),
    child: child as Mode | undefined,
  };
}

// ---------------------------------------------------------------------------
// Child: one Rendezvous mode, in process, inside an isolated project copy
// ---------------------------------------------------------------------------

interface PlanTransaction {
  [key: string]: unknown;
}
interface Simnet {
  deployer: string;
  burnBlockHeight: number;
  getAccounts(): Map<string, string>;
  callReadOnlyFn(contract: string, method: string, args: ClarityValue[], sender: string): { result: ClarityValue };
  callPublicFn(contract: string, method: string, args: ClarityValue[], sender: string): { result: ClarityValue };
  getMapEntry(contract: string, map: string, key: ClarityValue): ClarityValue;
}

// The genesis market: before the first run, six accounts register as
// validators and three register datasets, through the contract's own public
// functions. Jobs are only ever seated from validators registered before their
// match, so a campaign that starts from an empty market spends its first
// hundred runs without committees; with six validators (more than a committee:
// 2 in the sidecar's configuration, 5 by default) the first jobs draw their
// committees at random, once their seed exists (the burn block after the
// decline window). Exits,
// withdrawals and new registrations then move the set through small and large
// markets. `--no-genesis` starts from the empty market.
const GENESIS_VALIDATORS = ["wallet_1", "wallet_2", "wallet_3", "wallet_4", "wallet_5", "wallet_6"];
const GENESIS_PROVIDERS = ["deployer", "wallet_6", "wallet_7"];

function genesis(simnet: Simnet): void {
  const contract = `${simnet.deployer}.${CONTRACT}`;
  const accounts = simnet.getAccounts();
  const call = (who: string, method: string, args: ClarityValue[]): void => {
    const sender = accounts.get(who);
    if (!sender) throw new Error(`genesis: no account ${who}`);
    const { result } = simnet.callPublicFn(contract, method, args, sender);
    if (result.type !== "ok") throw new Error(`genesis: ${who} ${method} failed: ${JSON.stringify(plain(result))}`);
  };
  GENESIS_VALIDATORS.forEach((who, i) => call(who, "register-validator", [Cl.uint(1_000_000 + 250_000 * i)]));
  GENESIS_PROVIDERS.forEach((who, i) =>
    call(who, "register-dataset-with-terms", [Cl.uint(2_000_000 + 500_000 * i), Cl.stringAscii(`ipfs://genesis-${i + 1}`), Cl.uint(0), Cl.uint(2)]),
  );
}

// The balanced property schedule. Rendezvous draws each property-test run's
// function with fast-check's `constantFrom` over the sidecar's test- functions,
// uniformly and independently: with 32 properties, 3200 runs give each 100 on
// average but some only about 75. Here the draw is from a deck instead: each
// round of P runs (P properties) deals every property once, in an order drawn
// from the same fast-check stream (so the seed still replays a campaign), and
// a campaign of R runs exercises each property floor(R / P) or ceil(R / P)
// times. Rendezvous reads fast-check through its `default` export, whose
// getters cannot be redefined: the child's module cache entry for fast-check
// is replaced, before Rendezvous loads, by a copy with this constantFrom (any
// other constantFrom call goes to the original). Returns the number of
// properties dealt, read after the run (0: the deck was never used).
function balanceProperties(rvRequire: NodeRequire): () => number {
  const fcPath = rvRequire.resolve("fast-check");
  const fc = rvRequire("fast-check") as { default: Record<string, unknown> };
  const cached = rvRequire.cache[fcPath];
  if (!cached) throw new Error("fast-check is not in the module cache");
  const fcDefault = fc.default;
  const original = fcDefault.constantFrom as (...values: unknown[]) => unknown;
  const integer = fcDefault.integer as (constraints: { min: number; max: number }) => {
    noBias?: () => unknown;
    map: (mapper: (n: number) => unknown) => unknown;
  };
  const isTestFunction = (v: unknown): boolean => {
    const f = v as { name?: unknown; access?: unknown } | null;
    return typeof f === "object" && f !== null && typeof f.name === "string" && f.name.startsWith("test-") && f.access === "public";
  };
  let dealt = 0;
  let deck: unknown[] = [];
  const constantFrom = (...values: unknown[]): unknown => {
    if (values.length === 0 || !values.every(isTestFunction)) return original(...values);
    dealt = values.length;
    const draw = integer({ min: 0, max: 0x7fffffff });
    const unbiased = (typeof draw.noBias === "function" ? draw.noBias() : draw) as typeof draw;
    return unbiased.map((r) => {
      if (deck.length === 0) deck = [...values];
      return deck.splice(r % deck.length, 1)[0];
    });
  };
  const patched: Record<string, unknown> = { ...(fc as Record<string, unknown>), default: { ...fcDefault, constantFrom } };
  Object.defineProperty(patched, "__esModule", { value: true });
  cached.exports = patched;
  return () => dealt;
}

async function runChild(mode: Mode, options: Options): Promise<void> {
  const require = createRequire(import.meta.url);
  const rvAppPath = require.resolve("@stacks/rendezvous/dist/app.js");
  const rvRequire = createRequire(rvAppPath);
  // (before anything loads Rendezvous' property module)
  const dealt = mode === "test" && !options.uniform ? balanceProperties(rvRequire) : () => 0;

  // Deployment plans: `- transaction-type: emulated-contract-publish` + fields
  // becomes `- emulated-contract-publish: { fields }`, the form Rendezvous reads.
  const yaml = rvRequire("yaml") as { parse: (...args: unknown[]) => unknown };
  const parse = yaml.parse;
  yaml.parse = (...args: unknown[]) => {
    const doc = parse(...args) as { plan?: { batches?: { transactions?: PlanTransaction[] }[] } } | null;
    for (const batch of doc?.plan?.batches ?? []) {
      batch.transactions = (batch.transactions ?? []).map((tx) => {
        const type = tx["transaction-type"];
        if (typeof type !== "string") return tx;
        const { ["transaction-type"]: _type, ...fields } = tx;
        return { [type]: fields };
      });
    }
    return doc;
  };

  // Burn blocks mined between steps, capped.
  const maxBlocks = options.maxBlocks[mode];
  if (maxBlocks > 0) {
    const wasm = rvRequire("@stacks/clarinet-sdk-wasm") as {
      SDK: { prototype: { mineEmptyBurnBlocks: (count?: number) => unknown } };
    };
    const mine = wasm.SDK.prototype.mineEmptyBurnBlocks;
    wasm.SDK.prototype.mineEmptyBurnBlocks = function (this: unknown, count?: number) {
      return mine.call(this, Math.min(count ?? 1, maxBlocks));
    };
  }

  // Keep the simnet Rendezvous builds, to report the final market state.
  const sdk = rvRequire("@stacks/clarinet-sdk") as { initSimnet: (...args: unknown[]) => Promise<Simnet> };
  const initSimnet = sdk.initSimnet;
  let simnet: Simnet | undefined;
  sdk.initSimnet = async (...args: unknown[]) => (simnet = await initSimnet(...args));

  // The genesis market, set up once the contract with its sidecar is deployed.
  if (options.genesis) {
    const citizen = rvRequire("./citizen.js") as { issueFirstClassCitizenship: (...args: unknown[]) => Promise<Simnet> };
    const issue = citizen.issueFirstClassCitizenship;
    citizen.issueFirstClassCitizenship = async (...args: unknown[]) => {
      const deployed = await issue(...args);
      genesis(deployed);
      return deployed;
    };
  }

  const rv = require(rvAppPath) as { main: () => Promise<void> };
  process.argv = [
    process.argv[0],
    rvAppPath,
    ".",
    CONTRACT,
    mode,
    `--runs=${options.runs[mode]}`,
    `--seed=${options.seed}`,
    ...(options.shrink ? [] : ["--bail"]),
  ];
  await rv.main();
  if (dealt() > 0) console.log(`FUZZ-SCHEDULE balanced ${dealt()}`);
  const cpu = process.cpuUsage();
  console.log(`FUZZ-CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)}`);
  if (simnet) console.log(`FUZZ-STATE ${JSON.stringify(marketState(simnet))}`);
}

// A Clarity value as plain JSON data (uints as numbers: the market's amounts
// stay far below 2^53 in a campaign).
type Plain = number | boolean | string | null | Plain[] | { [key: string]: Plain };
function plain(cv: ClarityValue): Plain {
  switch (cv.type) {
    case "uint":
    case "int":
      return Number(cv.value);
    case "true":
      return true;
    case "false":
      return false;
    case "none":
      return null;
    case "some":
    case "ok":
    case "err":
      return plain(cv.value);
    case "list":
      return cv.value.map(plain);
    case "tuple":
      return Object.fromEntries(Object.entries(cv.value).map(([k, v]) => [k, plain(v)]));
    default:
      return String((cv as { value?: unknown }).value);
  }
}

// What the campaign reached, read from the fuzzed contract at the end.
function marketState(simnet: Simnet): Record<string, Plain> {
  const contract = `${simnet.deployer}.${CONTRACT}`;
  const read = (method: string, args: ClarityValue[] = []): Plain =>
    plain(simnet.callReadOnlyFn(contract, method, args, simnet.deployer).result);
  const ids = read("get-last-ids") as Record<string, number>;
  const statusNames = ["", "queued", "matched", "settled", "cancelled", "expired"];
  const bids: Record<string, number> = {};
  let committees = 0;
  let results = 0;
  let claimed = 0;
  // verified jobs: training bids, models delivered, evaluation sets revealed; results by outcome;
  // and the audit's rules at work: misses of jobs due inside their decline window (the miss waited
  // for the window), evaluation sets revealed past delivered-at + eval-reveal-window (an early
  // delivery did not shorten the window), datasets with a price raise recorded
  const verified = { bids: 0, delivered: 0, revealed: 0, missedAfterDeclineWindow: 0, revealedAfterEarlyDelivery: 0 };
  const outcomes: Record<string, number> = {};
  const windows = new Map<number, { "decline-window": number; "eval-reveal-window": number }>();
  const windowsOf = (version: number) => {
    if (!windows.has(version)) windows.set(version, read("get-parameters-at", [Cl.uint(version)]) as { "decline-window": number; "eval-reveal-window": number });
    return windows.get(version)!;
  };
  for (let id = 1; id <= ids["bid-id"]; id++) {
    const bid = read("get-bid", [Cl.uint(id)]) as {
      status: number;
      deadline: number;
      "matched-at": number;
      "parameter-version": number;
    } | null;
    const status = statusNames[bid?.status ?? 0] || "missing";
    bids[status] = (bids[status] ?? 0) + 1;
    const committee = read("get-committee", [Cl.uint(id)]) as { seats: string[] } | null;
    if (committee) {
      committees++;
      for (const seat of committee.seats) {
        const vote = read("get-vote", [Cl.uint(id), Cl.principal(seat)]) as { claimed: boolean } | null;
        if (vote?.claimed) claimed++;
      }
    }
    const result = read("get-job-result", [Cl.uint(id)]) as { outcome: number } | null;
    if (result !== null) {
      results++;
      outcomes[String(result.outcome)] = (outcomes[String(result.outcome)] ?? 0) + 1;
    }
    const delivery = read("get-job-delivery", [Cl.uint(id)]) as {
      model: string | null;
      "eval-digest": string | null;
      "delivered-at": number;
      "eval-revealed-at": number;
    } | null;
    if (delivery !== null && bid !== null) {
      verified.bids++;
      const w = windowsOf(bid["parameter-version"]);
      if (delivery.model !== null) verified.delivered++;
      if (delivery["eval-digest"] !== null) verified.revealed++;
      if (delivery.model === null && bid.status === 5 && bid["matched-at"] > 0 && bid.deadline < bid["matched-at"] + w["decline-window"])
        verified.missedAfterDeclineWindow++;
      if (delivery["eval-digest"] !== null && delivery["eval-revealed-at"] > delivery["delivered-at"] + w["eval-reveal-window"])
        verified.revealedAfterEarlyDelivery++;
    }
  }
  let priceRaises = 0;
  for (let id = 1; id <= ids["dataset-id"]; id++) {
    // (getMapEntry throws on an absent key)
    try {
      if (simnet.getMapEntry(contract, "price-raises", Cl.uint(id)).type === "some") priceRaises++;
    } catch {
      // no raise recorded for this dataset
    }
  }
  let nonDeliveries = 0;
  for (let id = 1; id <= ids["dataset-id"]; id++) {
    nonDeliveries += ((read("get-dataset", [Cl.uint(id)]) as { "non-deliveries": number } | null)?.["non-deliveries"] ?? 0);
  }
  return {
    burnHeight: simnet.burnBlockHeight,
    datasets: ids["dataset-id"],
    bids,
    committees,
    jobResults: results,
    outcomes,
    verified: { ...verified, nonDeliveries },
    priceRaises,
    rewardClaims: claimed,
    proposals: ids["proposal-id"],
    parameterVersion: (read("get-parameters") as { version: number }).version,
    activeValidators: read("get-active-validator-count"),
    paused: read("is-paused"),
    totals: read("get-market-totals"),
  };
}

// ---------------------------------------------------------------------------
// Parent: one child per mode, in parallel; summaries; exit code
// ---------------------------------------------------------------------------

interface ModeReport {
  mode: Mode;
  exitCode: number | null;
  seconds: number;
  passed: boolean;
  resultLine: string;
  failure: string[];
  lastCalls: string[];
  stats: Map<string, Map<string, number>>;
  state?: Record<string, unknown>;
  schedule?: number;
  cpuSeconds?: number;
  /** Calls Rendezvous has printed so far (the progress line). */
  calls?: number;
  logPath: string;
}

const ANSI = /\x1b\[[0-9;]*m/g;

function isolatedProject(project: string, mode: Mode): string {
  const dir = mkdtempSync(join(tmpdir(), `ntm-fuzz-${mode}-`));
  for (const entry of ["Clarinet.toml", "contracts", "settings"]) {
    cpSync(join(project, entry), join(dir, entry), { recursive: true });
  }
  mkdirSync(join(dir, "deployments"));
  return dir;
}

// Rendezvous deploys the contract with its sidecar without Clarity's static
// analysis, so a sidecar out of step with the contract (a renamed field, a new
// tuple key) would only show up as odd run-time failures. Type-check the exact
// concatenation first, as a project contract.
async function typeCheck(project: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const citizen = require("@stacks/rendezvous/dist/citizen.js") as {
    scheduleRendezvous: (contract: string, tests: string) => string;
  };
  const { initSimnet } = await import("@stacks/clarinet-sdk");
  const dir = mkdtempSync(join(tmpdir(), "ntm-fuzz-check-"));
  for (const entry of ["Clarinet.toml", "contracts", "settings"]) {
    cpSync(join(project, entry), join(dir, entry), { recursive: true });
  }
  const contractPath = join(dir, "contracts", `${CONTRACT}.clar`);
  const testsPath = join(dir, "contracts", `${CONTRACT}.tests.clar`);
  writeFileSync(contractPath, citizen.scheduleRendezvous(readFileSync(contractPath, "utf8"), readFileSync(testsPath, "utf8")));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await initSimnet(join(dir, "Clarinet.toml"), true);
  } catch (error) {
    throw new Error(`the sidecar does not type-check against the contract:\n${error instanceof Error ? error.message : String(error)}`);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}

function runMode(mode: Mode, options: Options, onStart: (report: ModeReport) => void = () => {}): Promise<ModeReport> {
  const project = isolatedProject(options.project, mode);
  const logPath = join(options.project, ".cache", "fuzz", `${mode}.log`);
  const log = createWriteStream(logPath);
  const args = [
    ...process.execArgv,
    THIS_FILE,
    "--child", mode,
    "--runs", String(options.runs[mode]),
    "--seed", String(options.seed),
    `--${mode}-max-blocks`, String(options.maxBlocks[mode]),
    ...(options.genesis ? [] : ["--no-genesis"]),
    ...(options.shrink ? ["--shrink"] : []),
    ...(options.uniform ? ["--uniform"] : []),
  ];
  const started = Date.now();
  const report: ModeReport = {
    mode, exitCode: null, seconds: 0, passed: false, resultLine: "", failure: [], lastCalls: [],
    stats: new Map(), logPath,
  };
  onStart(report);
  let section = "";
  let inFailure = false;
  let pending = "";
  const onLine = (raw: string): void => {
    const line = raw.replace(ANSI, "").trimEnd();
    if (line.startsWith("FUZZ-CPU ")) {
      report.cpuSeconds = Number(line.slice("FUZZ-CPU ".length));
      return;
    }
    if (line.startsWith("FUZZ-SCHEDULE balanced ")) {
      report.schedule = Number(line.slice("FUZZ-SCHEDULE balanced ".length));
      return;
    }
    if (line.startsWith("FUZZ-STATE ")) {
      report.state = JSON.parse(line.slice("FUZZ-STATE ".length)) as Record<string, unknown>;
      return;
    }
    if (/^OK, (invariants|properties) passed after \d+ runs\./.test(line)) {
      report.passed = true;
      report.resultLine = line;
    } else if (/^Error: Property failed after \d+ tests\./.test(line)) {
      report.resultLine = line;
      inFailure = true;
    }
    if (line.startsWith("EXECUTION STATISTICS")) inFailure = false;
    if (inFailure && line !== "") report.failure.push(line);
    if (line.startsWith("₿")) {
      report.calls = (report.calls ?? 0) + 1;
      report.lastCalls.push(line);
      if (report.lastCalls.length > 25) report.lastCalls.shift();
    }
    const heading = line.match(/^[│├└]─ [+!-] (SUCCESSFUL|IGNORED|PASSED|DISCARDED|FAILED)$/);
    if (heading) {
      // the invariant report has two PASSED/FAILED-style blocks: calls, then invariants
      section = heading[1] === "PASSED" && report.stats.has("SUCCESSFUL") ? "INVARIANT PASSED"
        : heading[1] === "FAILED" && report.stats.has("SUCCESSFUL") ? "INVARIANT FAILED"
        : heading[1];
      report.stats.set(section, new Map());
      return;
    }
    const entry = line.match(/^[│ ]\s+[├└]─ ([\w-]+): x(\d+)$/);
    if (entry && section) report.stats.get(section)!.set(entry[1], Number(entry[2]));
  };
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    const feed = (chunk: Buffer): void => {
      log.write(chunk);
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.forEach(onLine);
    };
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
    child.on("close", (code) => {
      if (pending) onLine(pending);
      log.end();
      report.exitCode = code;
      report.seconds = (Date.now() - started) / 1000;
      if (code !== 0) report.passed = false;
      if (!options.keep) rmSync(project, { recursive: true, force: true });
      resolvePromise(report);
    });
  });
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// The minimum runs per property test: --min-runs, else what the balanced
// schedule guarantees up to 100 (min(100, floor(test-runs / properties))),
// else (--uniform) none.
function minRunsFor(options: Options, properties: number): number {
  if (options.minRuns !== undefined) return options.minRuns;
  if (options.uniform || properties === 0) return 0;
  return Math.min(100, Math.floor(options.runs.test / properties));
}

// Prints one mode's report; returns the campaign's coverage failures (test
// mode: a property test run or passed fewer times than required), one line each.
function printReport(report: ModeReport, options: Options, properties: number): string[] {
  const problems: string[] = [];
  const verdict = report.passed ? "PASS" : "FAIL";
  console.log(`\n=== ${report.mode}: ${verdict} — ${options.runs[report.mode]} runs, seed ${options.seed}, ` +
    `max-blocks ${options.maxBlocks[report.mode] || "Rendezvous' default"}, ${report.seconds.toFixed(1)} s` +
    `${report.cpuSeconds !== undefined ? ` (CPU ${report.cpuSeconds.toFixed(1)} s)` : ""}`);
  if (report.resultLine) console.log(report.resultLine);
  if (report.mode === "test") {
    const passed = report.stats.get("PASSED") ?? new Map<string, number>();
    const discarded = report.stats.get("DISCARDED") ?? new Map<string, number>();
    const failed = report.stats.get("FAILED") ?? new Map<string, number>();
    const names = [...new Set([...passed.keys(), ...discarded.keys(), ...failed.keys()])].filter((n) => n.startsWith("test-")).sort();
    const count = (m: Map<string, number>, name: string): number => m.get(name) ?? 0;
    // a run is a call of the property: passed (ok true), discarded (ok false) or failed
    const ran = new Map(names.map((name) => [name, count(passed, name) + count(discarded, name) + count(failed, name)]));
    const rows = names.map((name) => [name, String(ran.get(name)), String(count(passed, name)), String(count(discarded, name)),
      String(count(failed, name))]);
    if (rows.length) console.log(table([["property test", "ran", "passed", "discarded", "failed"], ...rows]));
    if (names.length) {
      const runs = names.map((name) => ran.get(name)!);
      const passes = names.map((name) => count(passed, name));
      const lowest = (xs: number[]) => {
        const min = Math.min(...xs);
        const at = names.filter((_, i) => xs[i] === min);
        return `${min} (${at.length > 4 ? `${at.length} properties` : at.join(", ")})`;
      };
      const schedule = report.schedule ? `balanced over ${report.schedule} properties` : "Rendezvous' uniform draw";
      console.log(`runs per property (${schedule}): min ${lowest(runs)}, median ${median(runs)}, max ${Math.max(...runs)}`);
      console.log(`passes per property (runs not discarded): min ${lowest(passes)}, median ${median(passes)}, max ${Math.max(...passes)}`);
      const never = names.filter((name) => count(passed, name) === 0);
      if (never.length) console.log(`WARNING: never passed (only discarded): ${never.join(", ")}`);
      // the requirement, once the campaign ran to its end (a failure stops it early and is reported anyway)
      if (report.passed) {
        const minRuns = minRunsFor(options, properties);
        const short = names.filter((name) => ran.get(name)! < minRuns);
        if (short.length) {
          const listed = short.slice(0, 8).map((name) => `${name} ${ran.get(name)}`).join(", ");
          problems.push(`${short.length} property test(s) ran fewer than ${minRuns} times: ${listed}` +
            `${short.length > 8 ? `, ... (${short.length - 8} more)` : ""}` +
            ` (raise --test-runs: the balanced schedule gives each of the ${names.length} floor(runs / ${names.length}))`);
        }
        const unpassed = names.filter((name) => count(passed, name) < options.minPasses);
        if (unpassed.length) {
          problems.push(`${unpassed.length} property test(s) passed fewer than ${options.minPasses} times: ` +
            unpassed.map((name) => `${name} ${count(passed, name)}`).join(", "));
        }
        if (names.length !== properties) {
          problems.push(`Rendezvous ran ${names.length} property tests, the sidecar defines ${properties}`);
        }
      }
    }
  } else {
    const ok = report.stats.get("SUCCESSFUL") ?? new Map<string, number>();
    const ignored = report.stats.get("IGNORED") ?? new Map<string, number>();
    const rows = [...ok.keys()].map((name) => [name, String(ok.get(name)), String(ignored.get(name) ?? 0)]);
    if (rows.length) console.log(table([["call", "succeeded", "failed (ignored)"], ...rows]));
    const held = report.stats.get("INVARIANT PASSED") ?? new Map<string, number>();
    const broken = report.stats.get("INVARIANT FAILED") ?? new Map<string, number>();
    const invRows = [...held.keys()].map((name) => [name, String(held.get(name)), String(broken.get(name) ?? 0)]);
    if (invRows.length) console.log(table([["invariant", "held", "failed"], ...invRows]));
  }
  if (report.state) console.log(`final state: ${JSON.stringify(report.state)}`);
  if (!report.passed) {
    if (report.failure.length) console.log(report.failure.join("\n"));
    else console.log(`no Rendezvous verdict (exit code ${report.exitCode})`);
    console.log("last calls before the failure:");
    console.log(report.lastCalls.join("\n"));
  }
  console.log(`log: ${report.logPath}`);
  return problems;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.child) {
    await runChild(options.child, options);
    return;
  }
  const sidecar = join(options.project, "contracts", `${CONTRACT}.tests.clar`);
  if (!existsSync(sidecar)) throw new Error(`missing ${sidecar}`);
  mkdirSync(join(options.project, ".cache", "fuzz"), { recursive: true });
  await typeCheck(options.project);
  const runs = options.modes.map((mode) => `${mode} ${options.runs[mode]} runs`).join(", ");
  const replay = [
    ...(options.modes.length === 1 ? [`--mode ${options.modes[0]}`] : []),
    ...options.modes.map((mode) => `--${mode}-runs ${options.runs[mode]}`),
    `--seed ${options.seed}`,
    ...options.modes.flatMap((mode) =>
      options.maxBlocks[mode] === (mode === "invariant" ? 4 : 2) ? [] : [`--${mode}-max-blocks ${options.maxBlocks[mode]}`]),
    ...(options.genesis ? [] : ["--no-genesis"]),
    ...(options.uniform ? ["--uniform"] : []),
    ...(options.project === ROOT ? [] : [`--project ${options.project}`]),
  ].join(" ");
  const source = readFileSync(sidecar, "utf8");
  const count = (pattern: RegExp): number => (source.match(pattern) ?? []).length;
  console.log(`fuzzing ${CONTRACT} (${options.project}): ${runs}, seed ${options.seed}`);
  console.log(`sidecar: ${count(/^\(define-read-only \(invariant-/gm)} invariants, ` +
    `${count(/^\(define-public \(test-/gm)} property tests, ${count(/^\(define-public \(drive-/gm)} drivers` +
    `${options.genesis ? "; genesis market: " + GENESIS_VALIDATORS.length + " validators, " + GENESIS_PROVIDERS.length + " datasets" : ""}`);
  console.log(`replay: npm run fuzz -- ${replay}`);
  const properties = count(/^\(define-public \(test-/gm);
  if (options.modes.includes("test")) {
    const minRuns = minRunsFor(options, properties);
    console.log(`property schedule: ${options.uniform ? "Rendezvous' uniform draw" : `balanced (each of the ${properties} properties ` +
      `${options.runs.test % properties ? `${Math.floor(options.runs.test / properties)} or ` : ""}` +
      `${Math.ceil(options.runs.test / properties)} runs)`}; ` +
      `required per property: ${minRuns} runs${options.minPasses ? `, ${options.minPasses} passes` : ""}`);
  }
  // the modes report only when they end: say on stderr how far each has got, every 15 s
  const live: ModeReport[] = [];
  const started = Date.now();
  const heartbeat = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    process.stderr.write(`[fuzz] ${seconds} s: ${live.map((r) => `${r.mode} ${r.calls ?? 0} calls${r.exitCode !== null ? " (done)" : ""}`).join(", ")}\n`);
  }, 15_000);
  const reports = await Promise.all(options.modes.map((mode) => runMode(mode, options, (report) => live.push(report)))).finally(() => clearInterval(heartbeat));
  const problems = reports.flatMap((r) => printReport(r, options, properties));
  const failed = reports.filter((r) => !r.passed);
  if (failed.length) console.log(`\nFUZZ FAILED: ${failed.map((r) => r.mode).join(", ")}`);
  else if (problems.length) console.log(`\nFUZZ FAILED: ${problems.join("; ")}`);
  else console.log("\nfuzz: all modes passed");
  process.exitCode = failed.length || problems.length ? 1 : 0;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`fuzz: ${error.message}; see npm run fuzz -- --help`);
    process.exitCode = 2;
    return;
  }
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
