/**
 * Cost benchmark of neural-training-market. `npm run bench`
 *
 * - Every state-changing public function on its main path (plus a few other paths), measured in
 *   markets of 1, 100 and 1000 background datasets, bids and validators built with real calls.
 *   Exits non-zero if any cost grows by more than TOLERANCE from the market of 1 to the market of 1000.
 * - The same calls replayed on bench/floor.clar (a transfer and one map write of the same record),
 *   and the ratio of our cost to that floor.
 * - Whole job lifecycles as a share of a block; the contract itself re-measured minified (comments
 *   and whitespace removed) to show what its size costs every call.
 * - `--variant <file.clar>`: also measures a candidate version of the contract at N = 1 and prints
 *   its difference from the current one (a proposed optimization, checked before it is applied).
 * - `--before <git revision>` (default BEFORE_REVISION, the contract before the audit hardening): measures
 *   that version at N = 1 too and reports before → after for every call, with its floor ratios.
 *   Skipped, with a note, where the git history is not available.
 * - ML timings (bench/ml.ts): time to train and to evaluate one verified job, evaluation rows/s,
 *   growth with dataset size. `--no-ml` skips them; `--ml-epochs N`, `--ml-scales 1,4,16` tune them.
 *
 * Prints the results on stdout (and, with --write, into the tracked bench/results.md); progress
 * goes to stderr. A bad argument is one line on stderr and exit code 2, before any work. Exits 1
 * if a cost grows with the market or the ML benchmark fails (with --write, results.md is written first).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { Cl, ClarityType, cvToString } from "@stacks/transactions";
import type { Simnet } from "@stacks/clarinet-sdk";
import { loadSimnet, CONTRACT_NAME } from "../src/simnet.ts";
import {
  DIMENSIONS,
  DIMENSION_LABELS,
  LIFECYCLES,
  Market,
  ROWS,
  deployFloor,
  floorRecordMismatches,
  measureFloor,
  runScenario,
  add,
  sub,
  type Cost,
  type Dimension,
  type LifecycleName,
  type ScenarioResult,
} from "./scenario.ts";
import { JOBS_PER_BLOCK_TARGETS, jobsPerBlockMarkdown, measureJobs, measureReadmeLifecycle, type JobsPerBlockRun } from "./throughput.ts";
import { DEFAULT_ML_EPOCHS, DEFAULT_ML_SCALES, UsageError, parsePositiveInt, parseScaleList, runMlBench, type MlBenchResult } from "./ml.ts";

const DEFAULT_SIZES = [1, 100, 1000];
/** The contract before the audit hardening (the last commit of the cost work). */
const BEFORE_REVISION = "7ab9d32";
/** The contract before batched validation (jobs per block, before → after). */
const JOBS_BEFORE_REVISION = "b738608";

const USAGE =
  "usage: npm run bench -- [--sizes 1,100,1000] [--variant <file.clar>]... [--before <git revision>] [--no-ml] [--ml-epochs N] [--ml-scales 1,4,16] [--write]";

interface Options {
  sizes: number[];
  variantFiles: string[];
  beforeRevision: string;
  ml: boolean;
  mlEpochs: number;
  mlScales: number[];
  /** Rewrite the tracked bench/results.md (otherwise stdout only). */
  write: boolean;
}

/** The command line, checked whole before any work. Throws UsageError. */
function parseArgs(argv: string[]): Options {
  const o: Options = { sizes: DEFAULT_SIZES, variantFiles: [], beforeRevision: BEFORE_REVISION, ml: true, mlEpochs: DEFAULT_ML_EPOCHS, mlScales: DEFAULT_ML_SCALES, write: false };
  const value = (flag: string, v: string | undefined) => {
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--variant") {
      const file = value(arg, argv[++i]);
      if (!existsSync(file)) throw new UsageError(`--variant: no file ${file}`);
      o.variantFiles.push(file);
    } else if (arg === "--before") o.beforeRevision = value(arg, argv[++i]);
    else if (arg === "--sizes") {
      o.sizes = parseScaleList(arg, argv[++i], 100_000);
      if (o.sizes.length < 2) throw new UsageError("--sizes needs at least two market sizes, e.g. 1,100,1000");
    } else if (arg === "--no-ml") o.ml = false;
    else if (arg === "--write") o.write = true;
    else if (arg === "--ml-epochs") o.mlEpochs = parsePositiveInt(arg, argv[++i]);
    else if (arg === "--ml-scales") o.mlScales = parseScaleList(arg, argv[++i]);
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(USAGE + "\n");
      process.exit(0);
    } else throw new UsageError(`unknown argument "${arg}"`);
  }
  if (!o.ml && (argv.includes("--ml-epochs") || argv.includes("--ml-scales"))) throw new UsageError("--ml-epochs and --ml-scales make no sense with --no-ml");
  return o;
}

let OPTIONS: Options;
try {
  OPTIONS = parseArgs(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`[bench] ${e.message}; ${USAGE}\n`);
  process.exit(2);
}
const SIZES = OPTIONS.sizes;

/** Largest relative growth of any cost dimension allowed between the market of 1 and of 1000. */
const TOLERANCE = 0.01;
const TARGET_FLOOR_RATIO = 2;
const TARGET_LIFECYCLE_SHARE = 0.01;
/** Why a target function costs what it does, printed under the targets when it misses. */
const TARGET_NOTES: Record<string, string> = {
  "place-computation-bid":
    "Where its reads go: the escrow transfer and the bid write (the floor's two); the dataset read and write (capacity, " +
    "queue and job counters); the market record read and write (bid id, escrow total, pause, parameters); the Bitcoin " +
    "height (deadline check and match time); the Stacks height of the match, whose next block's VRF seed draws the " +
    "committee. Each keeps a rule the floor does not; one read fewer would be exactly 2.0×.",
};

/** Transactions in a lifecycle ("5 commit" counts 5). */
const callsIn = (lifecycle: string) => lifecycle.split(" + ").reduce((n, part) => n + (Number(part.match(/^(\d+) /)?.[1]) || 1), 0);

const LIFECYCLE_NAMES = Object.keys(LIFECYCLES) as LifecycleName[];
/** A lifecycle of a run of the current contract, which has every one. */
function lifecycle(result: ScenarioResult, name: LifecycleName): Cost {
  const c = result.lifecycles[name];
  if (!c) throw new Error(`lifecycle ${name} was not measured`);
  return c;
}
/** Table numbers: the first row of each public function (its main path) is numbered. */
const ROW_NUMBERS = new Map<string, number>();
for (const row of ROWS) if (![...ROW_NUMBERS.keys()].some((k) => ROWS.find((r) => r.key === k)!.fn === row.fn)) ROW_NUMBERS.set(row.key, ROW_NUMBERS.size + 1);

// The simnet echoes every print event through console.log: silence it, report on stdout/stderr.
console.log = () => {};
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

const CONTRACT_PATH = new URL("../contracts/neural-training-market.clar", import.meta.url);

// ---------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const share = (value: number, limit: number) => value / limit;
const pctTarget = (fraction: number) => `${+(fraction * 100).toFixed(3)}%`;
const pct = (fraction: number) => {
  const p = fraction * 100;
  return `${p < 0.001 && p > 0 ? p.toExponential(1) : p.toFixed(p >= 10 ? 1 : 3)}%`;
};
const ratio = (ours: number, floor: number) => (floor === 0 ? (ours === 0 ? 1 : Infinity) : ours / floor);
const fmtRatio = (r: number) => (r === Infinity ? "∞" : `${r.toFixed(r >= 10 ? 0 : 1)}×`);

function tightest(cost: Cost, limit: Cost): { dim: Dimension; share: number } {
  let best: { dim: Dimension; share: number } = { dim: "runtime", share: -1 };
  for (const d of DIMENSIONS) {
    const s = share(cost[d], limit[d]);
    if (s > best.share) best = { dim: d, share: s };
  }
  return best;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------

interface MarketRun {
  n: number;
  result: ScenarioResult;
  floor: { costs: Map<string, Cost>; load: Cost };
  /** Floor records whose type differs from the market's (the floor must be updated). */
  floorDrift: string[];
  seconds: number;
}

async function freshSimnet(): Promise<{ sim: Simnet; contractId: string; floorId: string }> {
  const { simnet, contractId } = await loadSimnet({ trackCosts: true });
  // the floor is deployed first in every simnet, so every run sees the same block heights
  const floorId = deployFloor(simnet);
  return { sim: simnet, contractId, floorId };
}

async function measureMarket(n: number): Promise<MarketRun> {
  const t = Date.now();
  const { sim, contractId, floorId } = await freshSimnet();
  const result = runScenario(new Market(sim, contractId), n);
  const floor = measureFloor(sim, floorId, result.calls);
  const floorDrift = floorRecordMismatches(sim, contractId, floorId);
  return { n, result, floor, floorDrift, seconds: (Date.now() - t) / 1000 };
}

/** Runs the scenario at N = 1 on another version of the contract, deployed beside the project's. */
async function measureVariant(name: string, source: string): Promise<ScenarioResult> {
  const { sim } = await freshSimnet();
  const deployer = sim.getAccounts().get("deployer")!;
  const deployed = sim.deployContract(name, source, { clarityVersion: 4 }, deployer);
  if (deployed.result.type !== ClarityType.BoolTrue) throw new Error(`variant ${name} does not deploy: ${cvToString(deployed.result)}`);
  return runScenario(new Market(sim, `${deployer}.${name}`), 1);
}

/** The contract's source at a git revision, or null where the history is not available. */
function contractAt(revision: string): string | null {
  try {
    return execFileSync("git", ["show", `${revision}:contracts/${CONTRACT_NAME}.clar`], {
      cwd: new URL("..", import.meta.url),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return null;
  }
}

/** The contract with its comments removed and its whitespace collapsed (strings untouched). */
function minify(source: string): string {
  let out = "";
  let space = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '"') {
      // a string literal, copied verbatim with its escapes
      let j = i + 1;
      while (j < source.length && source[j] !== '"') j += source[j] === "\\" ? 2 : 1;
      if (space && out && !out.endsWith("(")) out += " ";
      out += source.slice(i, j + 1);
      space = false;
      i = j;
    } else if (c === ";") {
      while (i < source.length && source[i] !== "\n") i++;
      space = true;
    } else if (/\s/.test(c)) {
      space = true;
    } else {
      if (space && out && !out.endsWith("(") && c !== ")") out += " ";
      out += c;
      space = false;
    }
  }
  return out;
}

/** Net cost of each Clarity operation of bench/primitives.clar (its cost minus `noop`'s). */
async function measurePrimitives(): Promise<[string, Cost][]> {
  const { sim } = await freshSimnet();
  const deployer = sim.getAccounts().get("deployer")!;
  const source = readFileSync(new URL("./primitives.clar", import.meta.url), "utf8");
  const deployed = sim.deployContract("primitives", source, { clarityVersion: 4 }, deployer);
  if (deployed.result.type !== ClarityType.BoolTrue) throw new Error("primitives.clar does not deploy");
  const m = new Market(sim, `${deployer}.primitives`);
  m.fund(m.contract, 1_000_000n);
  const cost = (fn: string, args = [] as ReturnType<typeof Cl.principal>[]) => m.ok(fn, args, deployer).cost!;
  const noop = cost("noop");
  const ops: [string, string, ReturnType<typeof Cl.principal>[]?][] = [
    ["`burn-block-height` (each evaluation)", "read-burn-block-height"],
    ["`burn-block-height` twice", "read-burn-block-height-twice"],
    ["`var-get` of a uint", "var-get-uint"],
    ["`var-get` of a 5-uint tuple", "var-get-tuple"],
    ["`var-set` of a uint", "var-set-uint"],
    ["`var-set` of a 5-uint tuple", "var-set-tuple"],
    ["`map-get?` of a 5-uint tuple (uint key)", "map-get-tuple"],
    ["`map-get?` of a missing key", "map-get-missing"],
    ["`map-set` of a 5-uint tuple (uint key)", "map-set-tuple"],
    ["`stx-transfer?` into the contract", "stx-transfer-in"],
    ["`stx-transfer?` out (`as-contract?` + `with-stx`)", "stx-transfer-out", [Cl.principal(deployer)]],
    ["`print` of a 5-field tuple", "print-tuple"],
  ];
  return [["contract load + empty public call (`noop`, total)", noop], ...ops.map(([label, fn, args]) => [label, sub(cost(fn, args), noop)] as [string, Cost])];
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

function costCells(cost: Cost, limit: Cost): string[] {
  return DIMENSIONS.map((d) => `${int(cost[d])} (${pct(share(cost[d], limit[d]))})`);
}

function report(
  runs: MarketRun[],
  minified: ScenarioResult,
  variants: [string, ScenarioResult][],
  primitives: [string, Cost][],
  before: { revision: string; result: ScenarioResult | null },
  ml: MlRun,
  jobs: JobsMeasurement,
) {
  const small = runs[0];
  const big = runs[runs.length - 1];
  const limit = big.result.limit;
  const contractBytes = readFileSync(CONTRACT_PATH, "utf8").length;
  const out: string[] = [];
  const failures: string[] = [];

  out.push(`# Cost benchmark: neural-training-market`);
  out.push("");
  out.push(
    `Generated by \`npm run bench\` (bench/index.ts) on the Clarinet simnet (the real Clarity VM), ` +
      `${new Date().toISOString().slice(0, 10)}. Block limits used for every share: ` +
      DIMENSIONS.map((d) => `${DIMENSION_LABELS[d]} ${int(limit[d])}`).join(", ") +
      ". Every call is a real transaction; its cost includes loading the contract " +
      `(${int(contractBytes)} bytes of source: read length ${int(big.result.load.readLength)}, ` +
      `${big.result.load.readCount} reads, runtime ${int(big.result.load.runtime)} on every call).`,
  );
  out.push("");
  out.push(
    `Markets: ${SIZES.map((n) => `N = ${n}`).join(", ")}: N background datasets, N matched bids and N validators, ` +
      `each made by a real call from its own principal (${SIZES.map((n) => n * 3).join(" / ")} principals), ` +
      `plus the measured cast (three providers and two bidders of plain jobs, a provider and a bidder of verified jobs, ` +
      "five committee validators, one joining validator).",
  );

  // 1. cost per call
  out.push("");
  out.push(`## 1. Cost of every public function (market of ${big.n})`);
  out.push("");
  out.push("Each cell: the cost, and in brackets its share of the block limit in that dimension.");
  out.push("");
  out.push(
    table(
      ["function", "path", ...DIMENSIONS.map((d) => DIMENSION_LABELS[d]), "tightest"],
      ROWS.map((row) => {
        const c = big.result.costs.get(row.key)!;
        const t = tightest(c, limit);
        return [
          `${ROW_NUMBERS.has(row.key) ? `${ROW_NUMBERS.get(row.key)}. ` : ""}\`${row.key}\``,
          row.path,
          ...costCells(c, limit),
          `**${DIMENSION_LABELS[t.dim]} ${pct(t.share)}**`,
        ];
      }),
    ),
  );

  // 2. scaling
  out.push("");
  out.push(`## 2. Scaling: markets of ${SIZES.join(", ")}`);
  out.push("");
  out.push(
    `Share of the block in each call's tightest dimension, per market size, and the largest relative change of ` +
      `any dimension from N = ${small.n} to N = ${big.n}. The bench fails if any cost grows by more than ${pctTarget(TOLERANCE)}. ` +
      "`draw-committee` varies a little with the seed: a seat needs one more probe (one more read) for each collision with " +
      "a validator already seated or a party of the job (at most 12 probes per seat); collisions get rarer as the market grows.",
  );
  out.push("");
  const scalingRows = ROWS.map((row) => {
    const c1 = small.result.costs.get(row.key)!;
    const cN = big.result.costs.get(row.key)!;
    let worst: { dim: Dimension; change: number } = { dim: "runtime", change: 0 };
    for (const d of DIMENSIONS) {
      const change = c1[d] === 0 ? (cN[d] === 0 ? 0 : Infinity) : (cN[d] - c1[d]) / c1[d];
      if (Math.abs(change) > Math.abs(worst.change)) worst = { dim: d, change };
    }
    const grows = DIMENSIONS.filter((d) => cN[d] > c1[d] * (1 + TOLERANCE));
    if (grows.length) failures.push(`${row.key} grows from N = ${small.n} to N = ${big.n} in ${grows.map((d) => DIMENSION_LABELS[d]).join(", ")}`);
    const t = tightest(cN, limit);
    return [
      `\`${row.key}\``,
      ...runs.map((r) => pct(share(r.result.costs.get(row.key)![t.dim], limit[t.dim]))),
      worst.change === 0
        ? "identical"
        : `${worst.change > 0 ? "+" : ""}${(worst.change * 100).toFixed(2)}% ${DIMENSION_LABELS[worst.dim]} (${int(c1[worst.dim])} → ${int(cN[worst.dim])})`,
      grows.length ? "**GROWS**" : "O(1) ✓",
    ];
  });
  out.push(table(["function", ...runs.map((r) => `N = ${r.n}`), `change ${small.n} → ${big.n}`, "verdict"], scalingRows));
  out.push("");
  out.push(
    `Setup time per market: ${runs.map((r) => `N = ${r.n}: ${r.seconds.toFixed(1)} s`).join(", ")}. ` +
      `Active validators during the scenario: ${runs.map((r) => r.result.background.activeValidators).join(" / ")}.`,
  );

  // 3. floor
  out.push("");
  out.push(`## 3. Ratio to the floor (bench/floor.clar)`);
  out.push("");
  out.push(
    "The floor does only what each operation fundamentally needs: the STX transfer it makes (if any) and one map " +
      "write of the same record (same tuple type, same size), called with the same arguments in the same simnet. " +
      "It has no checks, no id counter, no totals, no events and reads no state. " +
      (big.floorDrift.length === 0
        ? "Its maps and data-vars have exactly the types of the contract's (checked from both contract interfaces on every run)."
        : `**Warning: bench/floor.clar is out of step with the contract (${big.floorDrift.join(", ")}): update its records.**`),
  );
  out.push("");
  out.push(
    "**Contract load.** Every call first loads its contract: read length = the contract's source size, 3 reads, runtime ≈ the size " +
      `(ours ${int(big.result.load.readLength)} bytes, the floor ${int(big.floor.load.readLength)}: measured as the cost of a constant ` +
      "read-only call). Comparing raw costs would mostly compare the sizes of the two contracts, so the load is taken out: " +
      "the *work* columns are each call's cost minus its own contract's load. The **ratio** is per transaction, *as if the floor's " +
      "work ran inside this contract*: our cost / (floor work + our load). It is given in every *material* dimension: one in which " +
      "the call uses at least a tenth of its tightest block share (a 10× ratio in 20 bytes written changes nothing in how many calls " +
      `fit in a block). The ${TARGET_FLOOR_RATIO}× target is checked on those. Read length and runtime are dominated by the shared load ` +
      "(ratios near 1), so read and write counts decide. The last column is the stricter work-only ratio (our work / floor work, " +
      "read count): the floor's 2 reads are its transfer and its write. What the contract's size itself costs is in section 6.",
  );
  out.push("");
  const floorRatios = new Map<string, { material: Dimension[]; all: Record<Dimension, number> }>();
  const floorRows = ROWS.map((row) => {
    const raw = big.result.costs.get(row.key)!;
    const o = sub(raw, big.result.load);
    const f = sub(big.floor.costs.get(row.key)!, big.floor.load);
    const sameContract = add(f, big.result.load);
    const all = Object.fromEntries(DIMENSIONS.map((d) => [d, ratio(raw[d], sameContract[d])])) as Record<Dimension, number>;
    const top = tightest(raw, limit).share;
    const material = DIMENSIONS.filter((d) => share(raw[d], limit[d]) >= top / 10);
    floorRatios.set(row.key, { material, all });
    return [
      `\`${row.key}\``,
      `${int(o.readCount)} / ${int(f.readCount)}`,
      `${int(o.writeCount)} / ${int(f.writeCount)}`,
      `${int(o.readLength)} / ${int(f.readLength)}`,
      `${int(o.writeLength)} / ${int(f.writeLength)}`,
      `${int(o.runtime)} / ${int(f.runtime)}`,
      material.map((d) => (all[d] > TARGET_FLOOR_RATIO ? `**${DIMENSION_LABELS[d]} ${fmtRatio(all[d])}**` : `${DIMENSION_LABELS[d]} ${fmtRatio(all[d])}`)).join(", "),
      fmtRatio(ratio(o.readCount, f.readCount)),
    ];
  });
  out.push(table(
    ["function", "work: reads (ours / floor)", "writes", "bytes read", "bytes written", "runtime", "ratio in each material dimension", "work-only ratio, reads"],
    floorRows,
  ));

  // 4. lifecycles
  out.push("");
  out.push(`## 4. Whole job lifecycles (market of ${big.n})`);
  out.push("");
  out.push(table(
    ["lifecycle", "calls", ...DIMENSIONS.map((d) => DIMENSION_LABELS[d]), `under ${pctTarget(TARGET_LIFECYCLE_SHARE)} of a block?`],
    LIFECYCLE_NAMES.map((name) => {
      const c = lifecycle(big.result, name);
      const t = tightest(c, limit);
      return [name, LIFECYCLES[name], ...costCells(c, limit), t.share < TARGET_LIFECYCLE_SHARE ? `yes (max ${pct(t.share)} ${DIMENSION_LABELS[t.dim]})` : `**no: ${pct(t.share)} ${DIMENSION_LABELS[t.dim]}**`];
    }),
  ));

  // 4b. jobs per block
  out.push("");
  out.push("## 4b. Jobs per block");
  out.push("");
  const jobsSection = jobsPerBlockMarkdown(jobs.runs, jobs.readme, limit, jobs.beforeRevision);
  out.push(...jobsSection.lines);

  // 5. targets
  out.push("");
  out.push("## 5. Targets");
  out.push("");
  const targets: string[] = [];
  for (const key of ["register-dataset", "place-computation-bid"]) {
    const r = floorRatios.get(key)!;
    const over = r.material.filter((d) => r.all[d] > TARGET_FLOOR_RATIO);
    const o = sub(big.result.costs.get(key)!, big.result.load);
    const f = sub(big.floor.costs.get(key)!, big.floor.load);
    targets.push(
      `- \`${key}\` within ${TARGET_FLOOR_RATIO}× of the floor: ` +
        (over.length === 0 ? `**met** (${r.material.map((d) => `${DIMENSION_LABELS[d]} ${fmtRatio(r.all[d])}`).join(", ")})` : `**missed**: ${over.map((d) => `${DIMENSION_LABELS[d]} ${fmtRatio(r.all[d])}`).join(", ")}`) +
        ` (${int(o.readCount)} reads and ${int(o.writeCount)} writes of work against the floor's ${int(f.readCount)} and ${int(f.writeCount)}; work-only read ratio ${fmtRatio(ratio(o.readCount, f.readCount))}).` +
        (over.length && TARGET_NOTES[key] ? ` ${TARGET_NOTES[key]}` : ""),
    );
  }
  for (const name of LIFECYCLE_NAMES) {
    const c = lifecycle(big.result, name);
    const over = DIMENSIONS.filter((d) => share(c[d], limit[d]) >= TARGET_LIFECYCLE_SHARE);
    targets.push(
      over.length === 0
        ? `- ${name} under ${pctTarget(TARGET_LIFECYCLE_SHARE)} of a block in every dimension: **met** (max ${pct(tightest(c, limit).share)}).`
        : `- ${name} under ${pctTarget(TARGET_LIFECYCLE_SHARE)} of a block in every dimension: **missed** in ${over
            .map((d) => `${DIMENSION_LABELS[d]} (${pct(share(c[d], limit[d]))})`)
            .join(", ")}. Its ${callsIn(LIFECYCLES[name])} transactions each load the whole contract: ` +
          `${pct(share(callsIn(LIFECYCLES[name]) * big.result.load.readLength, limit.readLength))} of the read length and ` +
          `${pct(share(callsIn(LIFECYCLES[name]) * big.result.load.readCount, limit.readCount))} of the read count before any work.`,
    );
  }
  targets.push(
    failures.length === 0
      ? `- O(1): no cost grows from N = ${small.n} to N = ${big.n} (tolerance ${pctTarget(TOLERANCE)}): **met**.`
      : `- O(1): **failed**: ${failures.join("; ")}.`,
  );
  out.push(...targets);
  if (before.result) out.push("", `Before → after (the contract at ${before.revision} → this one): section 8.`);

  // 6. contract size
  out.push("");
  out.push("## 6. What the contract's size costs every call");
  out.push("");
  const minBytes = minify(readFileSync(CONTRACT_PATH, "utf8")).length;
  out.push(
    `Loading the contract costs read length = its source size and runtime ≈ its source size on every call. ` +
      `The same contract minified (comments and whitespace removed, ${int(contractBytes)} → ${int(minBytes)} bytes, ` +
      `deployed beside it and driven through the same scenario at N = 1):`,
  );
  out.push("");
  const sizeRows = ROWS.filter((r) => ["register-dataset", "place-computation-bid", "place-training-bid", "deliver-model", "submit-validation-result", "reveal-validation-result (finalizing)", "claim-validation-reward"].includes(r.key)).map((row) => {
    const before = small.result.costs.get(row.key)!;
    const after = minified.costs.get(row.key)!;
    return [`\`${row.key}\``, `${int(before.readLength)} → ${int(after.readLength)}`, `${int(before.runtime)} → ${int(after.runtime)}`, DIMENSIONS.filter((d) => d !== "readLength" && d !== "runtime" && before[d] !== after[d]).length ? "differ" : "identical"];
  });
  for (const name of LIFECYCLE_NAMES) {
    const before = lifecycle(small.result, name);
    const after = lifecycle(minified, name);
    sizeRows.push([name, `${int(before.readLength)} (${pct(share(before.readLength, limit.readLength))}) → ${int(after.readLength)} (${pct(share(after.readLength, limit.readLength))})`, `${int(before.runtime)} → ${int(after.runtime)}`, "—"]);
  }
  out.push(table(["call", "read length", "runtime", "other dimensions"], sizeRows));

  // 7. variants
  for (const [name, v] of variants) {
    out.push("");
    out.push(`## Variant: ${name} (N = 1, compared with the current contract at N = 1)`);
    out.push("");
    out.push(table(
      ["function", ...DIMENSIONS.map((d) => DIMENSION_LABELS[d]), "tightest now → variant"],
      [...ROWS.map((row) => [row.key, small.result.costs.get(row.key)!, v.costs.get(row.key)] as const),
       ...LIFECYCLE_NAMES.map((n) => [n, lifecycle(small.result, n), v.lifecycles[n]] as const)]
        .map(([key, before, after]) =>
          after
            ? [
                key,
                ...DIMENSIONS.map((d) => (before[d] === after[d] ? int(after[d]) : `${int(before[d])} → ${int(after[d])}`)),
                `${pct(tightest(before, limit).share)} → ${pct(tightest(after, limit).share)}`,
              ]
            : [key, ...DIMENSIONS.map(() => "—"), "not in the variant"],
        ),
    ));
  }

  // 8. primitives
  out.push("");
  out.push("## 7. Cost model: what each operation costs (bench/primitives.clar, net of an empty call)");
  out.push("");
  out.push(table(["operation", ...DIMENSIONS.map((d) => DIMENSION_LABELS[d])], primitives.map(([label, c]) => [label, ...DIMENSIONS.map((d) => int(c[d]))])));
  out.push("");
  out.push(
    "Read count is the dimension a call runs out of first: every `var-get`/`map-get?`, every `var-set`/`map-set`/`map-delete` " +
      "(one read plus one write), every `stx-transfer?` and every evaluation of `burn-block-height` or `stacks-block-height` " +
      "is one read of the 15,000 a block allows, while read length only counts bytes (100,000,000 a block).",
  );
  // 8. before/after
  out.push("");
  out.push(`## 8. Before → after: the contract at ${before.revision} → this one (N = ${small.n})`);
  out.push("");
  if (!before.result) {
    out.push(`Not measured: git history with revision ${before.revision} is not available here.`);
  } else {
    const was = before.result;
    out.push(
      "The same scenario on the contract at that revision (functions it did not have are marked new). Floor ratios " +
        "as in section 3 (our cost / (floor work + that contract's own load)), in read and write count.",
    );
    out.push("");
    const floorWork = (key: string) => sub(small.floor.costs.get(key)!, small.floor.load);
    const change = (a: number, b: number) => (a === b ? int(b) : `${int(a)} → ${int(b)}`);
    const ratioChange = (a: number, b: number) => (fmtRatio(a) === fmtRatio(b) ? fmtRatio(b) : `${fmtRatio(a)} → ${fmtRatio(b)}`);
    out.push(table(
      ["call", "read count", "write count", "floor ratio, reads", "floor ratio, writes", "read length", "tightest share"],
      [
        ...ROWS.map((row) => {
          const then = was.costs.get(row.key);
          const now = small.result.costs.get(row.key)!;
          const f = floorWork(row.key);
          const r = (c: Cost, load: Cost, d: Dimension) => ratio(c[d], f[d] + load[d]);
          if (!then) {
            // a function the earlier contract did not have
            return [`\`${row.key}\` (new)`, int(now.readCount), int(now.writeCount), fmtRatio(r(now, small.result.load, "readCount")),
              fmtRatio(r(now, small.result.load, "writeCount")), int(now.readLength), pct(tightest(now, limit).share)];
          }
          return [
            `\`${row.key}\``,
            change(then.readCount, now.readCount),
            change(then.writeCount, now.writeCount),
            ratioChange(r(then, was.load, "readCount"), r(now, small.result.load, "readCount")),
            ratioChange(r(then, was.load, "writeCount"), r(now, small.result.load, "writeCount")),
            change(then.readLength, now.readLength),
            `${pct(tightest(then, limit).share)} → ${pct(tightest(now, limit).share)}`,
          ];
        }),
        ...LIFECYCLE_NAMES.map((name) => {
          const then = was.lifecycles[name];
          const now = lifecycle(small.result, name);
          if (!then) return [`${name} (new)`, int(now.readCount), int(now.writeCount), "", "", int(now.readLength), pct(tightest(now, limit).share)];
          return [name, change(then.readCount, now.readCount), change(then.writeCount, now.writeCount), "", "",
            change(then.readLength, now.readLength), `${pct(tightest(then, limit).share)} → ${pct(tightest(now, limit).share)}`];
        }),
      ],
    ));
  }

  // 9. ML timings
  out.push("");
  out.push("## 9. ML timings: training and evaluating one verified job (bench/ml.ts)");
  out.push("");
  if (ml.kind === "skipped") {
    out.push("Skipped (`--no-ml`).");
  } else {
    out.push(
      "What a verified job costs off chain, in wall-clock time: the provider trains the job spec's model (tfjs, cpu backend, " +
        "single-threaded JavaScript; an MLP with one hidden layer of 16, batch 32, " +
        `${OPTIONS.mlEpochs} epochs) and every validator scores the delivered ONNX model on the revealed evaluation set with the ` +
        "pinned evaluator (a fresh onnxruntime-node sandbox process per job: start, session, inference, metric). Iris and penguins, " +
        `30% held out for evaluation; penguins rows replicated ${OPTIONS.mlScales.map((k) => `×${k}`).join(", ")} for the growth. ` +
        `Machine: ${availableParallelism()} cores, load average ${ml.loadBefore.toFixed(1)} when the section started and ` +
        `${ml.loadAfter.toFixed(1)} when it ended (other work shares the machine: the times are indicative). ` +
        `Section time ${(ml.ms / 1000).toFixed(1)} s.`,
    );
    out.push("");
    if (ml.kind === "failed") {
      out.push(`**Failed**: ${ml.error}`);
      failures.push(`ML benchmark: ${ml.error}`);
    } else {
      out.push(ml.result.markdown);
    }
  }

  out.push("");
  out.push(
    `Total bench time: ${elapsed()} (cost benchmark ${costSeconds.toFixed(1)} s` +
      (ml.kind === "skipped" ? ", ML skipped)." : `, ML ${(ml.ms / 1000).toFixed(1)} s).`),
  );
  return { text: out.join("\n") + "\n", failures };
}

interface JobsMeasurement {
  runs: JobsPerBlockRun[];
  readme: { after: Cost; before: Cost | null };
  beforeRevision: string;
}

/**
 * Jobs per block of the plain and verified 5-seat job (markets of 5 validators) and the plain job
 * in a market of 50, batched on this contract and, where the git history is here, one call per
 * seat on the contract at JOBS_BEFORE_REVISION; and the README lifecycle on both.
 */
async function measureJobsPerBlock(): Promise<JobsMeasurement> {
  const beforeSource = contractAt(JOBS_BEFORE_REVISION);
  async function on(source: string | null): Promise<{ sim: Simnet; contract: string }> {
    const { sim, contractId } = await freshSimnet();
    if (source === null) return { sim, contract: contractId };
    const deployer = sim.getAccounts().get("deployer")!;
    const deployed = sim.deployContract(`${CONTRACT_NAME}-jobs-before`, source, { clarityVersion: 4 }, deployer);
    if (deployed.result.type !== ClarityType.BoolTrue) throw new Error(`the contract at ${JOBS_BEFORE_REVISION} does not deploy`);
    return { sim, contract: `${deployer}.${CONTRACT_NAME}-jobs-before` };
  }
  const cases = [
    { label: "plain 5-seat job, 5 validators", kind: "plain", validators: 5, target: JOBS_PER_BLOCK_TARGETS.plain, before: true },
    { label: "verified 5-seat job, 5 validators", kind: "verified", validators: 5, target: JOBS_PER_BLOCK_TARGETS.verified, before: true },
    { label: "plain 5-seat job, 50 validators (seeded draws)", kind: "plain", validators: 50, target: null, before: false },
  ] as const;
  const runs: JobsPerBlockRun[] = [];
  for (const c of cases) {
    const options = { kind: c.kind, validators: c.validators, jobs: c.validators * 4 };
    const now = await on(null);
    const after = measureJobs(now.sim, now.contract, { ...options, batch: true, tag: `${c.kind} ${c.validators}` });
    let before = null;
    if (c.before && beforeSource) {
      const then = await on(beforeSource);
      before = measureJobs(then.sim, then.contract, { ...options, batch: false, tag: `${c.kind} ${c.validators}` });
    }
    progress(`  ${c.label}: ${after.jobsPerBlock} jobs per block${before ? ` (before ${before.jobsPerBlock})` : ""}`);
    runs.push({ label: c.label, after, before, target: c.target });
  }
  const now = await on(null);
  const readmeAfter = measureReadmeLifecycle(now.sim, now.contract, "readme").cost;
  const then = beforeSource ? await on(beforeSource) : null;
  const readmeBefore = then ? measureReadmeLifecycle(then.sim, then.contract, "readme").cost : null;
  return { runs, readme: { after: readmeAfter, before: readmeBefore }, beforeRevision: JOBS_BEFORE_REVISION };
}

type MlRun =
  | { kind: "skipped" }
  | { kind: "done"; result: MlBenchResult; ms: number; loadBefore: number; loadAfter: number }
  | { kind: "failed"; error: string; ms: number; loadBefore: number; loadAfter: number };

async function measureMl(): Promise<MlRun> {
  if (!OPTIONS.ml) return { kind: "skipped" };
  const t = Date.now();
  const loadBefore = loadavg()[0];
  try {
    const result = await runMlBench({ epochs: OPTIONS.mlEpochs, scales: OPTIONS.mlScales, log: (line) => progress(line.replace(/^ml bench: /, "ml: ")) });
    return { kind: "done", result, ms: Date.now() - t, loadBefore, loadAfter: loadavg()[0] };
  } catch (e) {
    const error = e instanceof Error ? e.message.split("\n")[0] : String(e);
    progress(`ML benchmark failed: ${error}`);
    return { kind: "failed", error, ms: Date.now() - t, loadBefore, loadAfter: loadavg()[0] };
  }
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

const { variantFiles, beforeRevision } = OPTIONS;

const runs: MarketRun[] = [];
for (const n of SIZES) {
  progress(`market of ${n}: building (${n * 3} principals) and measuring ...`);
  runs.push(await measureMarket(n));
  progress(`market of ${n}: done in ${runs[runs.length - 1].seconds.toFixed(1)} s (total ${elapsed()})`);
}
progress("minified contract ...");
const minified = await measureVariant(`${CONTRACT_NAME}-min`, minify(readFileSync(CONTRACT_PATH, "utf8")));
const variants: [string, ScenarioResult][] = [];
for (const [i, file] of variantFiles.entries()) {
  progress(`variant ${file} ...`);
  variants.push([file, await measureVariant(`${CONTRACT_NAME}-v${i + 1}`, readFileSync(file, "utf8"))]);
}
const beforeSource = contractAt(beforeRevision);
progress(beforeSource ? `contract at ${beforeRevision} (before) ...` : `contract at ${beforeRevision}: no git history here, before/after skipped`);
const before = { revision: beforeRevision, result: beforeSource ? await measureVariant(`${CONTRACT_NAME}-before`, beforeSource) : null };
progress("jobs per block (batched validation; before: the contract at " + JOBS_BEFORE_REVISION + ") ...");
const jobs = await measureJobsPerBlock();
progress("primitives ...");
const primitives = await measurePrimitives();
const costSeconds = (Date.now() - started) / 1000;
progress(OPTIONS.ml ? `cost benchmark done in ${costSeconds.toFixed(1)} s; ML timings (bench/ml.ts, --no-ml skips them) ...` : `cost benchmark done in ${costSeconds.toFixed(1)} s; ML timings skipped (--no-ml)`);
const ml = await measureMl();

for (const run of runs) {
  if (run.floorDrift.length) progress(`WARNING: bench/floor.clar records differ from the contract's: ${run.floorDrift.join(", ")}`);
}
const { text, failures } = report(runs, minified, variants, primitives, before, ml, jobs);
if (OPTIONS.write) writeFileSync(new URL("./results.md", import.meta.url), text);
process.stdout.write(text);
if (failures.length) {
  process.stderr.write(`[bench] FAILED: ${failures.join("; ")}\n`);
  process.exit(1);
}
process.stderr.write(`[bench] ok: every cost is O(1) in the market size (${elapsed()})${OPTIONS.write ? "; results in bench/results.md" : "; --write records them in bench/results.md"}\n`);
