/**
 * `ntm`: one command line for every role of the neural-training market, on any network.
 *
 *   ntm <group> <command> [args] [--network simnet|local|testnet|mainnet|<url>] [--contract <id>]
 *       [--account <name|address>] [--yes] [--json]
 *
 * Every call is built by the typed client (exact deny-mode post-conditions), shown with its
 * post-conditions in words, confirmed (or `--yes`), signed, sent and awaited on a `Chain`
 * (a fresh simnet, or a node through `NodeChain`); the result is the ok value or the contract's
 * error name, and the decoded print events. Bad input is one line on stderr and exit 2, before
 * any work; a failure is one line and exit 1; never a stack trace.
 *
 * `main` takes its streams so tests run it in-process; run directly, it uses the process's.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { GOVERNABLE_PARAMETERS, type MarketCall } from "../client/index.ts";
import { PostConditionViolation, type TxResult } from "../agents/chain.ts";
import { errorTxids, NodeChainError, redactKeys, runAgentsLive, safeMessage } from "../agents/node-chain.ts";
import type { Agent } from "../agents/run.ts";
import { FileState } from "../agents/state.ts";
import type { SealedJobRecord } from "../agents/developer.ts";
import { chainStores, fromHex, GatewayStore, LocalStore, MemoryStore, readThrough, serveStore, toHex, type ContentStore } from "../store/index.ts";
import { MarketIndex, type HistoryEntry, type Payment, type SyncProgress } from "../indexer/index.ts";
import { CONTRACT_NAME } from "../simnet.ts";
import { CONTRACT_SOURCE, describeCall, describeEvent, describeRefusal, errorCode, namedArgs, postConditionsInWords, show } from "./describe.ts";
import { formatStx } from "../console/format.ts";
import { CliError, Progress, readLine, toJson, UsageError, type CliIo } from "./io.ts";
import { isPrivateKey, keyPair, Keystore, keystorePath, newPrivateKey, password } from "./keys.ts";
import { isPublicNetwork, openSession, parseNetwork, resolveContractId, type NetworkChoice, type Session } from "./session.ts";
import { accountView, isPrincipal, jobView, statusView, type View } from "./views.ts";
import { makeFolder } from "../files.ts";
import { exitWhenFlushed } from "../exit.ts";

/** Re-exported for `bin/ntm.mjs`, which ends the process with it. */
export { exitWhenFlushed };

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

type ArgType = "uint" | "amount" | "height" | "text" | "principal" | "parameter" | "yesno" | "name";
type FlagType = "string" | "uint" | "amount" | "boolean";

interface ArgSpec {
  name: string;
  type: ArgType;
  help: string;
}

interface FlagSpec {
  type: FlagType;
  help: string;
  /** The value's placeholder in the help. */
  value?: string;
}

type ArgValue = bigint | string | boolean;

/** What a command runs with: its parsed arguments and flags, the streams, the session. */
interface Ctx {
  io: CliIo;
  /** The --network choice (known before any work). */
  network: NetworkChoice;
  args: Record<string, ArgValue>;
  flags: Record<string, ArgValue | undefined>;
  json: boolean;
  session(): Promise<Session>;
  out(text: string): void;
  /** Where NodeChain's progress goes while a transaction is awaited (set around each wait). */
  progress: ((p: { txid: string; status: string; elapsedMs: number }) => void) | null;
}

interface CommandSpec {
  group: string;
  /** null: the group is the command (status, job, account, deploy). */
  name: string | null;
  summary: string;
  args: ArgSpec[];
  flags?: Record<string, FlagSpec>;
  example: string;
  /** Whether it reads or writes a chain (the global network flags apply). */
  chain: boolean;
  /** A chain command that only reads (sends nothing, so needs no --yes). */
  readOnly?: true;
  run(ctx: Ctx): Promise<number>;
}

const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  network: { type: "string", value: "<net>", help: "simnet (fresh, nothing persists), local (http://localhost:20443), testnet, mainnet or a URL; default local" },
  contract: { type: "string", value: "<id>", help: "the market's contract id (else NTM_CONTRACT, else the Devnet deployer's on simnet/local)" },
  account: { type: "string", value: "<name|address>", help: "who signs: a keystore name, an address, or wallet_1..8/deployer on simnet/local" },
  "account-index": { type: "uint", value: "<n>", help: "the account of NTM_MNEMONIC to use (default 0)" },
  fee: { type: "amount", value: "<uSTX>", help: "a fixed transaction fee (default: the node's estimate)" },
  yes: { type: "boolean", help: "send without asking" },
  json: { type: "boolean", help: "machine-readable output on stdout" },
  help: { type: "boolean", help: "this help" },
};

const KEY_FLAGS: Record<string, FlagSpec> = {
  json: GLOBAL_FLAGS.json!,
  help: GLOBAL_FLAGS.help!,
  yes: GLOBAL_FLAGS.yes!,
};

function parseArg(spec: { name: string; type: ArgType }, raw: string): ArgValue {
  const bad = (what: string) => new UsageError(`<${spec.name}> must be ${what}, got ${JSON.stringify(raw)}`);
  switch (spec.type) {
    case "uint":
      if (!/^\d+$/.test(raw) || BigInt(raw) >= 1n << 128n) throw bad("an unsigned integer");
      return BigInt(raw);
    case "amount":
      return parseAmount(raw, spec.name);
    case "height": {
      const m = /^(\+)?(\d+)$/.exec(raw);
      if (!m) throw bad("a burn height, or +N blocks from now");
      return m[1] ? `+${m[2]}` : BigInt(m[2]!);
    }
    case "principal":
      if (!isPrincipal(raw)) throw bad("a Stacks address or contract id");
      return raw;
    case "parameter":
      if (!(GOVERNABLE_PARAMETERS as readonly string[]).includes(raw)) throw bad(`a governable parameter (${GOVERNABLE_PARAMETERS.join(", ")})`);
      return raw;
    case "yesno":
      if (raw !== "yes" && raw !== "no") throw bad("yes or no");
      return raw === "yes";
    case "name":
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(raw)) throw bad("a name of letters, digits, _ . -");
      return raw;
    case "text":
      if (raw.length === 0) throw bad("non-empty");
      return raw;
  }
}

/** `1500000` (micro-STX) or `1.5stx` / `1.5STX`. */
export function parseAmount(raw: string, what: string): bigint {
  if (/^\d+$/.test(raw)) return BigInt(raw);
  const m = /^(\d+)(?:\.(\d{1,6}))?\s*stx$/i.exec(raw);
  if (!m) throw new UsageError(`<${what}> must be micro-STX (an integer) or an STX amount like 1.5stx, got ${JSON.stringify(raw)}`);
  return BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
}

// ---------------------------------------------------------------------------
// Sending a call
// ---------------------------------------------------------------------------

const NO_TTY = "not sending without confirmation: pass --yes (stdin is not a terminal)";

/** Asks `question` on the terminal unless --yes (main has already refused a missing terminal). */
async function confirm(ctx: Ctx, question = "Send? [y/N] ", refused = "not sent"): Promise<void> {
  if (ctx.flags.yes) return;
  if (!ctx.io.stdin.isTTY) throw new UsageError(NO_TTY);
  const answer = (await readLine(ctx.io, question)).trim().toLowerCase();
  if (answer !== "y" && answer !== "yes") throw new CliError(refused, 1);
}

/** Shows, confirms, sends and reports one call; exit 0 when the contract said ok, 1 when it refused. */
async function sendCall(ctx: Ctx, build: (sender: string, session: Session) => Promise<MarketCall>, onResult?: (result: TxResult) => void): Promise<number> {
  const session = await ctx.session();
  const sender = await session.signer();
  let call: MarketCall;
  try {
    call = await build(sender, session);
  } catch (e) {
    if (e instanceof UsageError || e instanceof CliError) throw e;
    // a planner or builder refusing the call (a digest's size, a missing record) says why
    throw new CliError(`cannot build the call: ${safeMessage(e)}`);
  }
  const contractId = session.chain.contractId;
  if (!ctx.json) ctx.out(describeCall(call, sender, contractId));
  await confirm(ctx);
  const progress = new Progress(ctx.io.stderr);
  progress.update(`sending ${call.functionName} on ${session.network.kind === "simnet" ? "the simnet" : session.network.url}…`);
  ctx.progress = (p) => progress.update(`waiting for ${p.txid.slice(0, 12)}… to be mined (${p.status}, ${Math.round(p.elapsedMs / 1000)} s)`, p.elapsedMs);
  let result: TxResult & { txid?: string };
  try {
    result = await session.chain.send(sender, call);
  } finally {
    ctx.progress = null;
    progress.done();
  }
  onResult?.(result);
  const report = {
    network: session.network.kind === "simnet" ? "simnet" : session.network.url,
    contract: contractId,
    sender,
    function: call.functionName,
    args: Object.fromEntries(namedArgs(call).map((a) => [a.name, a.value])),
    postConditions: postConditionsInWords(call, sender, contractId),
    txid: result.txid ?? null,
    ok: result.ok,
    value: result.value,
    error: result.error,
    code: result.ok ? null : errorCode(result),
    events: result.events,
  };
  if (ctx.json) ctx.out(toJson(report));
  else {
    if (result.txid) ctx.out(`txid ${result.txid}`);
    if (result.ok) ctx.out(`ok ${show(result.value)}`);
    for (const event of result.events) ctx.out(`event ${describeEvent(event)}`);
  }
  if (!result.ok) {
    ctx.io.stderr.write(`ntm: ${describeRefusal(call.functionName, result)}\n`);
    return 1;
  }
  return 0;
}


async function printView(ctx: Ctx, make: (session: Session) => Promise<View>): Promise<number> {
  const view = await make(await ctx.session());
  ctx.out(ctx.json ? toJson(view.data) : view.text);
  return 0;
}

const u = (ctx: Ctx, name: string) => ctx.args[name] as bigint;

/** A `height` argument: absolute, or `+N` from the current burn height. */
async function height(ctx: Ctx, session: Session, name: string): Promise<bigint> {
  const value = ctx.args[name]!;
  return typeof value === "bigint" ? value : (await session.chain.burnHeight()) + BigInt((value as string).slice(1));
}

// ---------------------------------------------------------------------------
// The commands
// ---------------------------------------------------------------------------

const VERIFIED_FLAGS: Record<string, FlagSpec> = {
  eval: { type: "string", value: "<iris|penguins>", help: "the built-in data whose held-out 30% is the sealed evaluation set" },
  store: { type: "string", value: "<dir>", help: "the content store directory the provider and validators read (specs, models, sets)" },
  state: { type: "string", value: "<file>", help: "where the sealed set and its salt are kept until the reveal (keep it private)" },
  hidden: { type: "string", value: "<n,n>", help: "hidden layer sizes (default 16)" },
  epochs: { type: "uint", value: "<n>", help: "training epochs (default 100)" },
};

const GATEWAY_FLAG: FlagSpec = {
  type: "string",
  value: "<url,url>",
  help: "IPFS trustless gateways to read other parties' artifacts from, after --store (e.g. http://their-host:8080,https://ipfs.io)",
};

/**
 * The content store of a command: the `--store` directory (where it writes), read first, then
 * the `--gateway` URLs in order. A bad gateway URL is a usage error, found before any work.
 */
function contentStore(ctx: Ctx, dir: string): ContentStore {
  const local = new LocalStore(dir);
  const raw = ctx.flags.gateway as string | undefined;
  if (raw === undefined) return local;
  const gateways = raw.split(",").map((g) => g.trim()).filter((g) => g !== "");
  let gateway: GatewayStore;
  try {
    gateway = new GatewayStore({ gateways });
  } catch (e) {
    throw new UsageError(`--gateway must be http(s) URLs separated by commas, got ${JSON.stringify(raw)}${e instanceof Error && gateways.length > 0 ? ` (${e.message})` : ""}`);
  }
  return readThrough(local, gateway);
}

/** Resolves when `signal` aborts or the process gets Ctrl-C. */
function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.removeListener("SIGINT", stop);
      signal?.removeEventListener("abort", stop);
      resolve();
    };
    if (signal?.aborted) return resolve();
    process.once("SIGINT", stop);
    signal?.addEventListener("abort", stop);
  });
}

const ID = (what: string): ArgSpec => ({ name: `${what}-id`, type: "uint", help: `the ${what}'s id` });

const COMMANDS: CommandSpec[] = [
  // -- datasets -----------------------------------------------------------
  {
    group: "dataset",
    name: "register",
    summary: "register a dataset, staking STX on it",
    args: [
      { name: "stake", type: "amount", help: "the stake (uSTX, or e.g. 20stx)" },
      { name: "manifest-uri", type: "text", help: "where its manifest lives (ascii, at most 256 chars)" },
    ],
    flags: {
      price: { type: "amount", value: "<uSTX>", help: "its ask per block of computation (with --max-jobs)" },
      "max-jobs": { type: "uint", value: "<n>", help: "how many jobs it runs at once (with --price)" },
    },
    example: "ntm dataset register 20stx ipfs://bafy.../manifest.json --price 10000 --max-jobs 2 --account wallet_1 --yes",
    chain: true,
    run: (ctx) => {
      const { price, "max-jobs": maxJobs } = ctx.flags;
      if ((price === undefined) !== (maxJobs === undefined)) throw new UsageError("--price and --max-jobs go together");
      const uri = ctx.args["manifest-uri"] as string;
      if (!/^[\x20-\x7e]{1,256}$/.test(uri)) throw new UsageError("<manifest-uri> must be printable ASCII, at most 256 characters");
      return sendCall(ctx, (caller, s) =>
        price === undefined
          ? s.chain.client.registerDataset({ caller, stake: u(ctx, "stake"), metadataUri: uri })
          : s.chain.client.registerDatasetWithTerms({ caller, stake: u(ctx, "stake"), metadataUri: uri, pricePerBlock: price as bigint, maxConcurrentJobs: maxJobs as bigint }),
      );
    },
  },
  {
    group: "dataset",
    name: "stake",
    summary: "add stake to your dataset",
    args: [ID("dataset"), { name: "amount", type: "amount", help: "the stake to add" }],
    example: "ntm dataset stake 1 5stx --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (caller, s) => s.chain.client.addDatasetStake({ caller, datasetId: u(ctx, "dataset-id"), amount: u(ctx, "amount") })),
  },
  {
    group: "dataset",
    name: "terms",
    summary: "set your dataset's ask per block and job slots",
    args: [ID("dataset"), { name: "price-per-block", type: "amount", help: "the ask per block (uSTX)" }, { name: "max-jobs", type: "uint", help: "jobs at once" }],
    example: "ntm dataset terms 1 10000 2 --yes",
    chain: true,
    run: (ctx) =>
      sendCall(ctx, (_caller, s) => s.chain.client.setDatasetTerms({ datasetId: u(ctx, "dataset-id"), pricePerBlock: u(ctx, "price-per-block"), maxConcurrentJobs: u(ctx, "max-jobs") })),
  },
  {
    group: "dataset",
    name: "retire",
    summary: "close your dataset to new bids",
    args: [ID("dataset")],
    example: "ntm dataset retire 1 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.retireDataset({ datasetId: u(ctx, "dataset-id") })),
  },
  {
    group: "dataset",
    name: "withdraw",
    summary: "withdraw a retired dataset's stake",
    args: [ID("dataset")],
    example: "ntm dataset withdraw 1 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.withdrawDatasetStake({ datasetId: u(ctx, "dataset-id") })),
  },
  {
    group: "dataset",
    name: "show",
    summary: "a dataset's record",
    args: [ID("dataset")],
    example: "ntm dataset show 1",
    chain: true,
    readOnly: true,
    run: (ctx) =>
      printView(ctx, async (s) => {
        const id = u(ctx, "dataset-id");
        const dataset = await s.chain.reader.getDataset(id);
        if (!dataset) throw new CliError(`dataset ${id} not found on ${s.chain.contractId}`);
        return { data: { datasetId: id, ...dataset }, text: [`dataset ${id}`, ...Object.entries(dataset).map(([k, v]) => `  ${k.padEnd(18)} ${typeof v === "bigint" && /stake|price/i.test(k) ? `${v} (${formatStx(v)})` : String(v)}`)].join("\n") };
      }),
  },
  // -- bids ---------------------------------------------------------------
  {
    group: "bid",
    name: "place",
    summary: "bid for a plain job on a dataset (escrows the amount)",
    args: [
      ID("dataset"),
      { name: "amount", type: "amount", help: "the bid, escrowed (uSTX or e.g. 5stx)" },
      { name: "duration", type: "uint", help: "blocks of computation" },
      { name: "deadline", type: "height", help: "the burn height it must finish by, or +N from now" },
    ],
    example: "ntm bid place 1 5stx 100 +200 --account wallet_2 --yes",
    chain: true,
    run: (ctx) =>
      sendCall(ctx, async (caller, s) =>
        s.chain.client.placeComputationBid({ caller, datasetId: u(ctx, "dataset-id"), amount: u(ctx, "amount"), duration: u(ctx, "duration"), deadline: await height(ctx, s, "deadline") }),
      ),
  },
  {
    group: "bid",
    name: "place-verified",
    summary: "bid for a verified job: writes the training spec, seals the evaluation set locally, bids",
    args: [
      ID("dataset"),
      { name: "amount", type: "amount", help: "the bid, escrowed" },
      { name: "duration", type: "uint", help: "blocks of computation" },
      { name: "deadline", type: "height", help: "the burn height the model is due by, or +N from now" },
    ],
    flags: VERIFIED_FLAGS,
    example: "ntm bid place-verified 1 5stx 100 +150 --eval penguins --store ./store --state ./jobs.json --account wallet_2 --yes",
    chain: true,
    run: placeVerified,
  },
  {
    group: "bid",
    name: "reveal-eval",
    summary: "after delivery: publish the sealed evaluation set to the store and reveal it on chain",
    args: [ID("bid")],
    flags: { store: VERIFIED_FLAGS.store!, state: VERIFIED_FLAGS.state! },
    example: "ntm bid reveal-eval 3 --store ./store --state ./jobs.json --yes",
    chain: true,
    run: revealEval,
  },
  {
    group: "bid",
    name: "fetch-model",
    summary: "fetch the delivered model, check its digest, and score it on your sealed set",
    args: [ID("bid")],
    flags: { store: VERIFIED_FLAGS.store!, gateway: GATEWAY_FLAG, state: { ...VERIFIED_FLAGS.state!, help: "the sealed jobs file (to score the model; optional)" }, out: { type: "string", value: "<file>", help: "write the ONNX model there" } },
    example: "ntm bid fetch-model 3 --store ./store --state ./jobs.json --out model.onnx",
    chain: true,
    readOnly: true,
    run: fetchModel,
  },
  {
    group: "bid",
    name: "cancel",
    summary: "cancel your queued bid (refunds it)",
    args: [ID("bid")],
    example: "ntm bid cancel 3 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.cancelBid({ bidId: u(ctx, "bid-id") })),
  },
  {
    group: "bid",
    name: "expire",
    summary: "settle a bid whose time is up (anyone may)",
    args: [ID("bid")],
    example: "ntm bid expire 3 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.expireBid({ bidId: u(ctx, "bid-id") })),
  },
  {
    group: "bid",
    name: "decline",
    summary: "decline a job matched to your dataset (refunds the bidder)",
    args: [ID("bid")],
    example: "ntm bid decline 3 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.declineJob({ bidId: u(ctx, "bid-id") })),
  },
  {
    group: "bid",
    name: "match",
    summary: "match a dataset's queued bids into its free slots (anyone may)",
    args: [ID("dataset")],
    example: "ntm bid match 1 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.matchQueuedBids({ datasetId: u(ctx, "dataset-id") })),
  },
  {
    group: "bid",
    name: "finalize",
    summary: "finalize a job's validation once it is due (anyone may)",
    args: [ID("bid")],
    example: "ntm bid finalize 3 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.finalizeValidation({ bidId: u(ctx, "bid-id") })),
  },
  // -- validators ---------------------------------------------------------
  {
    group: "validator",
    name: "register",
    summary: "register as a validator, staking STX",
    args: [{ name: "stake", type: "amount", help: "the stake" }],
    example: "ntm validator register 10stx --account wallet_3 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (caller, s) => s.chain.client.registerValidator({ caller, stake: u(ctx, "stake") })),
  },
  {
    group: "validator",
    name: "exit",
    summary: "start unbonding your validator stake",
    args: [],
    example: "ntm validator exit --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.requestValidatorExit()),
  },
  {
    group: "validator",
    name: "withdraw",
    summary: "withdraw your validator stake after unbonding",
    args: [],
    example: "ntm validator withdraw --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (caller, s) => s.chain.client.withdrawValidatorStake({ caller })),
  },
  {
    group: "validator",
    name: "claim",
    summary: "claim your validation rewards on finished jobs",
    args: [ID("bid")],
    example: "ntm validator claim 3 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (caller, s) => s.chain.client.claimValidationRewards({ caller, bidIds: [u(ctx, "bid-id")] })),
  },
  // -- governance ---------------------------------------------------------
  {
    group: "gov",
    name: "propose",
    summary: "propose a parameter change",
    args: [
      { name: "parameter", type: "parameter", help: "a governable parameter, e.g. min-bid-amount" },
      { name: "value", type: "uint", help: "its new value" },
    ],
    example: "ntm gov propose min-bid-amount 2000000 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.proposeParameterChange({ parameter: ctx.args.parameter as never, value: u(ctx, "value") })),
  },
  {
    group: "gov",
    name: "vote",
    summary: "vote on a proposal with your stake",
    args: [ID("proposal"), { name: "support", type: "yesno", help: "yes or no" }],
    example: "ntm gov vote 1 yes --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.voteOnProposal({ proposalId: u(ctx, "proposal-id"), support: ctx.args.support as boolean })),
  },
  {
    group: "gov",
    name: "execute",
    summary: "execute a passed proposal after its delay",
    args: [ID("proposal")],
    example: "ntm gov execute 1 --yes",
    chain: true,
    run: (ctx) => sendCall(ctx, (_caller, s) => s.chain.client.executeProposal({ proposalId: u(ctx, "proposal-id") })),
  },
  {
    group: "gov",
    name: "show",
    summary: "a proposal's record",
    args: [ID("proposal")],
    example: "ntm gov show 1",
    chain: true,
    readOnly: true,
    run: (ctx) =>
      printView(ctx, async (s) => {
        const id = u(ctx, "proposal-id");
        const proposal = await s.chain.reader.getProposal(id);
        if (!proposal) throw new CliError(`proposal ${id} not found on ${s.chain.contractId}`);
        return { data: { proposalId: id, ...proposal }, text: [`proposal ${id}`, ...Object.entries(proposal).map(([k, v]) => `  ${k.padEnd(14)} ${String(v)}`)].join("\n") };
      }),
  },
  // -- views --------------------------------------------------------------
  {
    group: "status",
    name: null,
    summary: "the market: parameters, counts, the contract's balance",
    args: [],
    example: "ntm status --network local",
    chain: true,
    readOnly: true,
    run: (ctx) => printView(ctx, (s) => statusView(s.chain)),
  },
  {
    group: "job",
    name: null,
    summary: "a job's story: bid, match, delivery, committee, votes, result",
    args: [ID("bid")],
    example: "ntm job 3",
    chain: true,
    readOnly: true,
    run: (ctx) => printView(ctx, (s) => jobView(s.chain, u(ctx, "bid-id"))),
  },
  {
    group: "account",
    name: null,
    summary: "a principal's balance, stakes, bids and seats",
    args: [{ name: "principal", type: "principal", help: "an address" }],
    example: "ntm account ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5",
    chain: true,
    readOnly: true,
    run: (ctx) => printView(ctx, (s) => accountView(s.chain, ctx.args.principal as string)),
  },
  // -- deployment ---------------------------------------------------------
  {
    group: "deploy",
    name: null,
    summary: "deploy contracts/neural-training-market.clar (Clarity 4) as <your address>.<name>",
    args: [],
    flags: { name: { type: "string", value: "<contract-name>", help: `the contract's name (default ${CONTRACT_NAME})` } },
    example: "ntm deploy --name my-market --network testnet --account me --yes",
    chain: true,
    run: deploy,
  },
  // -- agents -------------------------------------------------------------
  {
    group: "agent",
    name: "keeper",
    summary: "settle what is due (expired bids, due validations) until Ctrl-C",
    args: [],
    flags: { "until-height": { type: "uint", value: "<h>", help: "stop once the burn height reaches h" }, "poll-ms": { type: "uint", value: "<ms>", help: "how often to read the chain (default 2000)" } },
    example: "ntm agent keeper --network local --account wallet_7",
    chain: true,
    run: (ctx) => runAgent(ctx, "keeper"),
  },
  {
    group: "agent",
    name: "validator",
    summary: "evaluate and vote on the verified jobs you are seated on, until Ctrl-C",
    args: [],
    flags: {
      store: { type: "string", value: "<dir>", help: "the content store's directory (models, specs, evaluation sets)" },
      gateway: GATEWAY_FLAG,
      state: { type: "string", value: "<file>", help: "where votes and salts are kept between commit and reveal" },
      "until-height": { type: "uint", value: "<h>", help: "stop once the burn height reaches h" },
      "poll-ms": { type: "uint", value: "<ms>", help: "how often to read the chain (default 2000)" },
    },
    example: "ntm agent validator --store ./store --state ./validator.json --account wallet_3",
    chain: true,
    run: (ctx) => runAgent(ctx, "validator"),
  },
  {
    group: "agent",
    name: "provider",
    summary: "train and deliver the verified jobs matched to your dataset, until Ctrl-C",
    args: [],
    flags: {
      store: { type: "string", value: "<dir>", help: "the content store's directory (the model is published there)" },
      gateway: GATEWAY_FLAG,
      dataset: { type: "string", value: "<id>=<iris|penguins>", help: "your dataset's id and the built-in data it trains on" },
      "until-height": { type: "uint", value: "<h>", help: "stop once the burn height reaches h" },
      "poll-ms": { type: "uint", value: "<ms>", help: "how often to read the chain (default 2000)" },
    },
    example: "ntm agent provider --dataset 1=penguins --store ./store --account wallet_1",
    chain: true,
    run: (ctx) => runAgent(ctx, "provider"),
  },
  // -- the content store -------------------------------------------------
  {
    group: "store",
    name: "serve",
    summary: "serve your content store over HTTP as an IPFS trustless gateway (read-only), until Ctrl-C",
    args: [],
    flags: {
      store: { type: "string", value: "<dir>", help: "the content store's directory" },
      port: { type: "uint", value: "<port>", help: "the port (default 8080; 0 picks a free one)" },
      host: { type: "string", value: "<addr>", help: "the address to listen on (default 127.0.0.1; 0.0.0.0 serves everyone)" },
      help: GLOBAL_FLAGS.help!,
    },
    example: "ntm store serve --store ./store --port 8080 --host 0.0.0.0",
    chain: false,
    run: async (ctx) => {
      const dir = requireFlag(ctx, "store", "the directory to serve");
      const port = (ctx.flags.port as bigint | undefined) ?? 8080n;
      if (port > 65_535n) throw new UsageError(`--port must be at most 65535, got ${port}`);
      let served: Awaited<ReturnType<typeof serveStore>>;
      try {
        served = await serveStore(new LocalStore(dir), { port: Number(port), host: (ctx.flags.host as string | undefined) ?? "127.0.0.1", log: (line) => ctx.io.stderr.write(`${line}\n`) });
      } catch (e) {
        throw new CliError(`cannot serve ${dir}: ${safeMessage(e)}`);
      }
      ctx.out(`serving ${dir} at ${served.url}/ipfs/<cid>?format=raw (Ctrl-C stops it)`);
      await untilStopped(ctx.io.signal);
      await served.close();
      return 0;
    },
  },
  // -- keys ---------------------------------------------------------------
  {
    group: "keys",
    name: "new",
    summary: "create a random key in the keystore (prints its addresses, never the key)",
    args: [{ name: "name", type: "name", help: "a name for it" }],
    flags: KEY_FLAGS,
    example: "ntm keys new me",
    chain: false,
    run: async (ctx) => {
      const store = new Keystore(keystorePath(ctx.io.env));
      if (store.find(ctx.args.name as string)) throw new UsageError(`the keystore already has a key named ${String(ctx.args.name)}`);
      const pair = store.add(ctx.args.name as string, newPrivateKey(), await password(ctx.io, "New keystore password: ", true));
      ctx.out(ctx.json ? toJson({ name: ctx.args.name, testnet: pair.testnet, mainnet: pair.mainnet, keystore: store.path }) : `${String(ctx.args.name)}  ${pair.testnet}  ${pair.mainnet}\nstored in ${store.path}`);
      return 0;
    },
  },
  {
    group: "keys",
    name: "import",
    summary: "import a private key (from NTM_PRIVATE_KEY, or typed at a hidden prompt)",
    args: [{ name: "name", type: "name", help: "a name for it" }],
    flags: KEY_FLAGS,
    example: "NTM_PRIVATE_KEY=... ntm keys import me",
    chain: false,
    run: async (ctx) => {
      const store = new Keystore(keystorePath(ctx.io.env));
      if (store.find(ctx.args.name as string)) throw new UsageError(`the keystore already has a key named ${String(ctx.args.name)}`);
      let key = ctx.io.env.NTM_PRIVATE_KEY;
      if (!key) {
        if (!ctx.io.stdin.isTTY) throw new UsageError("no key to import: set NTM_PRIVATE_KEY or run on a terminal");
        key = await readLine(ctx.io, "Private key (hex): ", true);
      }
      keyPair(key); // a bad key is refused before the password is asked
      const pair = store.add(ctx.args.name as string, key, await password(ctx.io, "Keystore password: ", true));
      ctx.out(ctx.json ? toJson({ name: ctx.args.name, testnet: pair.testnet, mainnet: pair.mainnet, keystore: store.path }) : `${String(ctx.args.name)}  ${pair.testnet}  ${pair.mainnet}\nstored in ${store.path}`);
      return 0;
    },
  },
  {
    group: "keys",
    name: "list",
    summary: "the keystore's names and addresses",
    args: [],
    flags: KEY_FLAGS,
    example: "ntm keys list",
    chain: false,
    run: async (ctx) => {
      const store = new Keystore(keystorePath(ctx.io.env));
      const keys = store.list();
      if (ctx.json) ctx.out(toJson({ keystore: store.path, keys }));
      else ctx.out(keys.length ? keys.map((k) => `${k.name}  ${k.testnet}  ${k.mainnet}`).join("\n") : `no keys in ${store.path}`);
      return 0;
    },
  },
  {
    group: "keys",
    name: "remove",
    summary: "delete a key from the keystore (asks, or --yes)",
    args: [{ name: "name", type: "name", help: "its name" }],
    flags: KEY_FLAGS,
    example: "ntm keys remove me --yes",
    chain: false,
    run: async (ctx) => {
      const store = new Keystore(keystorePath(ctx.io.env));
      const name = ctx.args.name as string;
      if (!store.find(name)) throw new UsageError(`no key ${name} in the keystore ${store.path}`);
      if (!ctx.flags.yes) {
        if (!ctx.io.stdin.isTTY) throw new UsageError("not removing without confirmation: pass --yes (stdin is not a terminal)");
        const answer = (await readLine(ctx.io, `Remove ${name}? Its key is lost unless you have a copy. [y/N] `)).trim().toLowerCase();
        if (answer !== "y" && answer !== "yes") throw new CliError("not removed");
      }
      store.remove(name);
      ctx.out(ctx.json ? toJson({ removed: name }) : `removed ${name}`);
      return 0;
    },
  },
];

// the local index of the market's history (src/indexer)
const INDEX_COMMANDS: CommandSpec[] = [
  {
    group: "index",
    name: null,
    summary: "sync the market's history into a local SQLite index",
    args: [],
    flags: { db: { type: "string", value: "<file>", help: "the index file (default ~/.config/ntm/index-<contract>.sqlite)" }, follow: { type: "boolean", help: "keep following new blocks until Ctrl-C" } },
    example: "ntm index --db market.sqlite --network local",
    chain: true,
    readOnly: true,
    run: (ctx) => runIndex(ctx, "sync"),
  },
  {
    group: "history",
    name: null,
    summary: "a principal's history from the local index",
    args: [{ name: "principal", type: "principal", help: "an address" }],
    flags: { db: { type: "string", value: "<file>", help: "the index file" } },
    example: "ntm history ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5 --db market.sqlite",
    chain: true,
    readOnly: true,
    run: (ctx) => runIndex(ctx, "history"),
  },
  {
    group: "why-paid",
    name: null,
    summary: "why a principal was paid (or not), from the local index",
    args: [{ name: "principal", type: "principal", help: "an address" }],
    flags: { db: { type: "string", value: "<file>", help: "the index file" }, job: { type: "uint", value: "<bid-id>", help: "only this job" } },
    example: "ntm why-paid ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5 --job 3 --db market.sqlite",
    chain: true,
    readOnly: true,
    run: (ctx) => runIndex(ctx, "why-paid"),
  },
];
COMMANDS.push(...INDEX_COMMANDS);

async function deploy(ctx: Ctx): Promise<number> {
  const name = (ctx.flags.name as string | undefined) ?? CONTRACT_NAME;
  if (!/^[a-zA-Z]([a-zA-Z0-9_-]){0,39}$/.test(name)) throw new UsageError(`--name must be a contract name (a letter, then letters, digits, _ or -; at most 40), got ${JSON.stringify(name)}`);
  const session = await ctx.session();
  const sender = await session.signer();
  const source = readFileSync(CONTRACT_SOURCE, "utf8");
  // byte for byte, comments included: the source on chain is what users read
  const code = source;
  const size = Buffer.byteLength(code);
  if (!ctx.json) ctx.out(`deploy ${CONTRACT_SOURCE}\n  as ${sender}.${name} (Clarity 4, ${size} bytes)`);
  await confirm(ctx);
  if (session.simnet) {
    const simnet = session.simnet.simnet;
    const r = simnet.deployContract(name, code, { clarityVersion: 4 }, sender);
    const contractId = `${sender}.${name}`;
    ctx.out(ctx.json ? toJson({ contractId, network: "simnet", cost: r.costs ?? null }) : `deployed ${contractId} on the simnet (nothing persists after this command)`);
    return 0;
  }
  const progress = new Progress(ctx.io.stderr);
  progress.update(`deploying ${name} to ${session.network.url}…`);
  ctx.progress = (p) => progress.update(`waiting for ${p.txid.slice(0, 12)}… to be mined (${p.status}, ${Math.round(p.elapsedMs / 1000)} s)`, p.elapsedMs);
  try {
    const r = await session.node!.deployContract(sender, name, code);
    progress.done();
    if (ctx.json) ctx.out(toJson(r));
    else {
      ctx.out(`deployed ${r.contractId}\ntxid ${r.txid}\nfee ${formatStx(r.fee)} (${r.fee} uSTX)`);
      const cost = Object.entries(r.cost).filter(([, v]) => v > 0);
      if (cost.length) ctx.out(`execution cost ${cost.map(([k, v]) => `${k} ${v}`).join(", ")}`);
    }
    return 0;
  } finally {
    ctx.progress = null;
    progress.done();
  }
}

// -- verified jobs (the developer's side, as DeveloperClient does it, one confirmed call at a time)


function requireFlag(ctx: Ctx, flag: string, why: string): string {
  const value = ctx.flags[flag];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${flag} is required: ${why}`);
  return value;
}

/** The sealed-job record of `bidId` in the state file. */
function sealedRecord(state: FileState<SealedJobRecord>, bidId: bigint): SealedJobRecord | null {
  for (const key of state.keys()) {
    const record = state.get(key)!;
    if (record.bidId === bidId.toString()) return record;
  }
  return null;
}

async function placeVerified(ctx: Ctx): Promise<number> {
  const evalName = requireFlag(ctx, "eval", "the evaluation data (iris or penguins)");
  if (evalName !== "iris" && evalName !== "penguins") throw new UsageError(`--eval must be iris or penguins, got ${JSON.stringify(evalName)}`);
  const storeDir = requireFlag(ctx, "store", "the spec is published there");
  const statePath = requireFlag(ctx, "state", "the sealed set and salt are kept there until the reveal");
  const hiddenRaw = (ctx.flags.hidden as string | undefined) ?? "16";
  if (!/^\d+(,\d+)*$/.test(hiddenRaw)) throw new UsageError(`--hidden must be layer sizes like 16 or 32,16, got ${JSON.stringify(hiddenRaw)}`);
  const hidden = hiddenRaw.split(",").map(Number);
  const epochs = ctx.flags.epochs === undefined ? undefined : Number(ctx.flags.epochs);
  const ml = await import("../ml/index.ts");
  const { evaluation } = ml.splitDataset(ml.loadBuiltinDataset(evalName).data, { evalFraction: 0.3, seed: 7 });
  const job = ml.prepareJob(evaluation, { hidden, ...(epochs !== undefined ? { epochs } : {}) });
  const state = new FileState<SealedJobRecord>(statePath);
  const store = new LocalStore(storeDir);
  let sealed = false;
  const code = await sendCall(ctx, async (caller, s) => {
    const onChain = await s.chain.reader.computeEvalCommitment(job.evalDigest, job.salt);
    if (onChain !== job.evalCommitment) throw new CliError(`the contract computes the evaluation commitment ${onChain}, this client ${job.evalCommitment}: not bidding`);
    const call = await s.chain.client.placeTrainingBid({ caller, datasetId: u(ctx, "dataset-id"), amount: u(ctx, "amount"), duration: u(ctx, "duration"), deadline: await height(ctx, s, "deadline"), spec: job.specDigest, evalCommitment: job.evalCommitment });
    // kept BEFORE the bid is sent: a crash after sending never loses the reveal
    state.set(job.evalCommitment, { bidId: null, specDigest: job.specDigest, evalDigest: job.evalDigest, evalSet: toHex(job.evalSet), salt: toHex(job.salt), evalCommitment: job.evalCommitment });
    await store.put(job.specBytes);
    sealed = true;
    if (!ctx.json) ctx.out(`spec ${job.specCid} published to ${storeDir}; evaluation set sealed (${evaluation.labels.length} rows) in ${statePath}`);
    return call;
  }, (result) => {
    if (result.ok) state.set(job.evalCommitment, { ...state.get(job.evalCommitment)!, bidId: String(result.value) });
  });
  if (code !== 0 && sealed) {
    const record = state.get(job.evalCommitment);
    if (record && record.bidId === null) state.delete(job.evalCommitment);
  }
  return code;
}

async function revealEval(ctx: Ctx): Promise<number> {
  const store = new LocalStore(requireFlag(ctx, "store", "the evaluation set is published there"));
  const state = new FileState<SealedJobRecord>(requireFlag(ctx, "state", "the sealed set and its salt are there"));
  const bidId = u(ctx, "bid-id");
  const record = sealedRecord(state, bidId);
  if (!record) throw new CliError(`no sealed evaluation set for bid ${bidId} in ${state.path}`);
  return sendCall(ctx, async (_caller, s) => {
    const delivery = await s.chain.reader.getJobDelivery(bidId);
    if (!delivery) throw new CliError(`bid ${bidId} is not a verified job on ${s.chain.contractId}`);
    if (delivery.evalDigest !== null) throw new CliError(`bid ${bidId}'s evaluation set is already revealed`);
    // the set stays private until the model's digest is on chain
    if (delivery.model === null) throw new CliError(`bid ${bidId} has no delivered model yet: revealing now would let the provider train on the set`);
    await store.put(fromHex(record.evalSet));
    return s.chain.client.revealEvaluationSet({ bidId, evalDigest: record.evalDigest, salt: record.salt });
  });
}

async function fetchModel(ctx: Ctx): Promise<number> {
  const store = contentStore(ctx, requireFlag(ctx, "store", "the model is fetched from there"));
  const bidId = u(ctx, "bid-id");
  const session = await ctx.session();
  const delivery = await session.chain.reader.getJobDelivery(bidId);
  if (!delivery) throw new CliError(`bid ${bidId} is not a verified job on ${session.chain.contractId}`);
  if (delivery.model === null) throw new CliError(`bid ${bidId} has no delivered model yet`);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(fromHex(delivery.model), { maxBytes: 64 * 1024 * 1024 });
  } catch (e) {
    throw new CliError(`model ${delivery.model} of bid ${bidId}: ${safeMessage(e)}`);
  }
  const report: Record<string, unknown> = { bidId, model: delivery.model, bytes: bytes.length, digestChecked: true };
  const out = ctx.flags.out as string | undefined;
  if (out) {
    writeFileSync(out, bytes);
    report.out = out;
  }
  const statePath = ctx.flags.state as string | undefined;
  const record = statePath ? sealedRecord(new FileState<SealedJobRecord>(statePath), bidId) : null;
  if (statePath && !record) throw new CliError(`no sealed evaluation set for bid ${bidId} in ${statePath}`);
  if (record) {
    const { scoreJob } = await import("../ml/index.ts");
    // the sealed set from the state file, in memory only: scoring locally publishes nothing
    const local = new MemoryStore();
    await local.put(fromHex(record.evalSet));
    const verdict = await scoreJob(chainStores(local, store), { spec: delivery.spec, model: delivery.model, evalSet: record.evalDigest });
    report.verdict = verdict;
  }
  if (ctx.json) ctx.out(toJson(report));
  else {
    ctx.out(`model ${delivery.model} of bid ${bidId}: ${bytes.length} bytes, digest checked${out ? `, written to ${out}` : ""}`);
    const verdict = report.verdict as { outcome: string; vote: number; metric?: number | null; reason?: string } | undefined;
    if (verdict) ctx.out(verdict.outcome === "scored" ? `score ${verdict.vote}${verdict.metric != null ? ` (metric ${verdict.metric.toFixed(4)})` : ""}${verdict.reason ? `: ${verdict.reason}` : ""}` : `not scorable: ${verdict.reason}`);
  }
  return 0;
}

async function runAgent(ctx: Ctx, role: "keeper" | "validator" | "provider"): Promise<number> {
  const untilHeight = ctx.flags["until-height"] as bigint | undefined;
  const pollMs = Number((ctx.flags["poll-ms"] as bigint | undefined) ?? 2000n);
  if (role !== "keeper" && !ctx.flags.store) throw new UsageError(`--store <dir> is required for the ${role} agent`);
  if (role === "validator" && !ctx.flags.state) throw new UsageError("--state <file> is required for the validator agent (its votes and salts)");
  let datasetSpec: { id: bigint; data: "iris" | "penguins" } | null = null;
  if (role === "provider") {
    const m = /^(\d+)=(iris|penguins)$/.exec((ctx.flags.dataset as string | undefined) ?? "");
    if (!m) throw new UsageError("--dataset <id>=<iris|penguins> is required for the provider agent");
    datasetSpec = { id: BigInt(m[1]!), data: m[2] as "iris" | "penguins" };
  }
  if (ctx.network.kind === "simnet") throw new UsageError("agents need a chain that mines by itself: use --network local, testnet, mainnet or a URL");
  const store = role === "keeper" ? null : contentStore(ctx, ctx.flags.store as string);
  const session = await ctx.session();
  const address = await session.signer();
  const log = (line: string) => ctx.io.stderr.write(`${line}\n`);
  let agent: Agent;
  if (role === "keeper") {
    const { KeeperAgent } = await import("../agents/keeper.ts");
    agent = new KeeperAgent({ chain: session.chain, account: address, name: "keeper", log });
  } else if (role === "validator") {
    const [{ ValidatorAgent }, { FileState }] = await Promise.all([import("../agents/validator.ts"), import("../agents/state.ts")]);
    agent = new ValidatorAgent({ name: "validator", address, chain: session.chain, store: store!, state: new FileState(ctx.flags.state as string), log });
  } else {
    const [{ ProviderAgent }, ml] = await Promise.all([import("../agents/provider.ts"), import("../ml/index.ts")]);
    const data = ml.loadBuiltinDataset(datasetSpec!.data).data;
    agent = new ProviderAgent({ name: "provider", address, chain: session.chain, store: store!, datasets: new Map([[datasetSpec!.id, data]]), log });
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  ctx.io.signal?.addEventListener("abort", onSignal);
  if (isPublicNetwork(session.network)) {
    // a live agent signs fee-paying transactions on its own: asked once, at the start
    await confirm(ctx, `The ${role} agent will sign and send fee-paying transactions as ${address} on ${session.network.url} until stopped. Start? [y/N] `, "not started");
  }
  log(`${role} agent ${address} on ${session.network.url}${untilHeight !== undefined ? ` until burn height ${untilHeight}` : " (Ctrl-C stops it)"}`);
  try {
    const rounds = await runAgentsLive(session.chain, [agent], {
      pollMs,
      signal: abort.signal,
      until: untilHeight === undefined ? undefined : (h) => h >= untilHeight,
      onAction: (_a, action, h) => ctx.out(ctx.json ? JSON.stringify({ burnHeight: h.toString(), ...action }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) : `[${h}] ${describeAction(action)}`),
      onError: (_a, e, h) => log(`[${h}] ${role} step failed: ${safeMessage(e)}`),
    });
    log(`${role} agent stopped after ${rounds} round(s)`);
  } finally {
    process.removeListener("SIGINT", onSignal);
  }
  return 0;
}

function describeAction(action: { kind: string }): string {
  const { kind, ...rest } = action as { kind: string } & Record<string, unknown>;
  return `${kind} ${Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === "object" && v !== null ? JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)) : String(v)}`)
    .join(" ")}`.trimEnd();
}

/** The index file: --db, else one per contract under ~/.config/ntm. */
function indexPath(ctx: Ctx, contractId: string): string {
  return (ctx.flags.db as string | undefined) ?? join(ctx.io.env.HOME || homedir(), ".config", "ntm", `index-${contractId}.sqlite`);
}

function historyLine(entry: HistoryEntry): string {
  const at = `[${entry.tx.burnBlockHeight ?? "?"}] ${entry.tx.functionName ?? "?"} ${entry.tx.txId.slice(0, 12)}…`;
  if (entry.kind === "stx") return `${at}  ${entry.delta >= 0n ? "+" : ""}${formatStx(entry.delta)} (${entry.type} ${entry.sender ?? "-"} -> ${entry.recipient ?? "-"})`;
  return `${at}  ${entry.event ?? "print"}${entry.bidId !== null ? ` job ${entry.bidId}` : ""}${entry.datasetId !== null ? ` dataset ${entry.datasetId}` : ""} as ${entry.roles.join(", ")}`;
}

function paymentLine(payment: Payment): string {
  const why = payment.reasons.map((r) => `${r.event ?? "print"}${r.field ? `.${r.field}` : ""}${r.bidId !== null ? ` (job ${r.bidId})` : ""}`).join(", ");
  return `[${payment.tx.burnBlockHeight ?? "?"}] ${formatStx(payment.amount)} from ${payment.from} in ${payment.tx.functionName ?? "?"} ${payment.tx.txId.slice(0, 12)}…: ${why || "no print explains it"}${payment.explained ? "" : " (unexplained)"}`;
}

async function runIndex(ctx: Ctx, what: "sync" | "history" | "why-paid"): Promise<number> {
  if (ctx.network.kind === "simnet") throw new UsageError("the index reads a node's Stacks API: use --network local, testnet, mainnet or a URL");
  const session = await ctx.session();
  const contractId = session.chain.contractId;
  const path = indexPath(ctx, contractId);
  if (what !== "sync" && !existsSync(path)) throw new CliError(`no index at ${path}: run ntm index first`);
  if (what === "sync") makeFolder(dirname(path));
  const index = await MarketIndex.open(path);
  try {
    const indexed = index.contractId();
    if (indexed && indexed !== contractId) throw new CliError(`${path} indexes ${indexed}, not ${contractId}`);
    if (what === "sync") {
      const progress = new Progress(ctx.io.stderr);
      const source = { url: session.network.url!, contractId };
      const onProgress = (p: SyncProgress) => progress.update(`indexing ${contractId}: ${p.events}/${p.totalEvents} events, ${p.txs}/${p.totalTxs} transactions`);
      const result = await index.sync(source, onProgress);
      progress.done();
      ctx.out(ctx.json ? toJson({ index: path, ...result, counts: index.counts() }) : `indexed ${contractId} into ${path}: ${result.newEvents} new event(s), ${result.newTxs} new transaction(s)`);
      if (ctx.flags.follow) {
        const abort = new AbortController();
        const onSignal = () => abort.abort();
        process.once("SIGINT", onSignal);
        ctx.io.stderr.write("following new blocks (Ctrl-C stops)\n");
        try {
          await index.follow(source, {
            intervalMs: 2_000,
            signal: abort.signal,
            onSync: (r) => {
              if (r.newEvents > 0 || r.newTxs > 0) ctx.out(ctx.json ? JSON.stringify(r) : `+${r.newEvents} event(s), +${r.newTxs} transaction(s)`);
            },
            onError: (e) => ctx.io.stderr.write(`ntm: sync failed: ${safeMessage(e)}\n`),
          });
        } finally {
          process.removeListener("SIGINT", onSignal);
        }
      }
    } else if (what === "history") {
      const entries = index.history(ctx.args.principal as string);
      ctx.out(ctx.json ? toJson(entries) : entries.length ? entries.map(historyLine).join("\n") : `nothing in the index for ${String(ctx.args.principal)}`);
    } else {
      const payments = index.payments(ctx.args.principal as string, ctx.flags.job as bigint | undefined);
      ctx.out(ctx.json ? toJson(payments) : payments.length ? payments.map(paymentLine).join("\n") : `the index has no payment to ${String(ctx.args.principal)}${ctx.flags.job !== undefined ? ` for job ${String(ctx.flags.job)}` : ""}`);
    }
  } finally {
    index.close();
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Parsing and help
// ---------------------------------------------------------------------------

const ALL_FLAG_TYPES: Record<string, FlagType> = Object.fromEntries(
  [GLOBAL_FLAGS, ...COMMANDS.map((c) => c.flags ?? {})].flatMap((flags) => Object.entries(flags).map(([name, spec]) => [name, spec.type])),
);

function usageLine(c: CommandSpec): string {
  return `ntm ${c.group}${c.name ? ` ${c.name}` : ""}${c.args.map((a) => ` <${a.name}>`).join("")}`;
}

function flagLines(flags: Record<string, FlagSpec>): string[] {
  return Object.entries(flags).map(([name, f]) => `  --${name}${f.value ? ` ${f.value}` : ""}`.padEnd(36) + f.help);
}

function mainHelp(): string {
  const lines = ["ntm: the neural-training market from the command line", "", "usage: ntm <group> <command> [args] [flags]", "", "commands:"];
  for (const c of COMMANDS) lines.push(`  ${usageLine(c).slice(4).padEnd(54)} ${c.summary}`);
  lines.push("", "flags:", ...flagLines(GLOBAL_FLAGS));
  lines.push("", "amounts are micro-STX (1500000) or STX (1.5stx); a deadline is a burn height or +N blocks from now.");
  lines.push("keys: NTM_PRIVATE_KEY, NTM_MNEMONIC (+ NTM_ACCOUNT_INDEX), or the keystore (ntm keys; NTM_KEYSTORE, NTM_PASSWORD).");
  lines.push("exit codes: 0 ok, 1 failure (the contract refused, the network failed), 2 usage error.", "`ntm <group> --help` and `ntm <group> <command> --help` say more.");
  return lines.join("\n");
}

function groupHelp(group: string): string {
  const members = COMMANDS.filter((c) => c.group === group);
  return [`usage: ntm ${group} <command> [args] [flags]`, "", "commands:", ...members.map((c) => `  ${usageLine(c).slice(4).padEnd(54)} ${c.summary}`), "", "`ntm --help` lists the flags every command takes."].join("\n");
}

function commandHelp(c: CommandSpec): string {
  const flags = c.chain ? { ...(c.flags ?? {}), ...GLOBAL_FLAGS } : (c.flags ?? {});
  return [
    `usage: ${usageLine(c)} [flags]`,
    "",
    c.summary,
    ...(c.args.length ? ["", "arguments:", ...c.args.map((a) => `  <${a.name}>`.padEnd(36) + a.help)] : []),
    "",
    "flags:",
    ...flagLines(flags),
    "",
    `example: ${c.example}`,
  ].join("\n");
}

interface Parsed {
  positionals: string[];
  flags: Record<string, string | true>;
}

function tokenize(argv: string[]): Parsed {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === "-h") {
      flags.help = true;
      continue;
    }
    if (!token.startsWith("--") || token === "--") {
      if (token.startsWith("-") && token.length > 1 && !/^-\d/.test(token)) throw new UsageError(`unknown flag ${token}`);
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf("=");
    const name = eq > 0 ? token.slice(2, eq) : token.slice(2);
    const type = ALL_FLAG_TYPES[name];
    if (!type) throw new UsageError(`unknown flag --${name}`);
    if (name in flags) throw new UsageError(`--${name} given twice`);
    if (type === "boolean") {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else if (eq > 0) flags[name] = token.slice(eq + 1);
    else {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  return { positionals, flags };
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** Runs one `ntm` command; returns its exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const out = (text: string) => io.stdout.write(`${text}\n`);
  try {
    const { positionals, flags } = tokenize(argv);
    const [group, name] = positionals;
    if (!group) {
      if (flags.help) {
        out(mainHelp());
        return 0;
      }
      throw new UsageError("no command: see ntm --help");
    }
    const members = COMMANDS.filter((c) => c.group === group);
    if (members.length === 0) throw new UsageError(`unknown command ${JSON.stringify(group)}: see ntm --help`);
    let command = members.find((c) => c.name === null);
    let rest = positionals.slice(1);
    if (!command) {
      if (!name) {
        if (flags.help) {
          out(groupHelp(group));
          return 0;
        }
        throw new UsageError(`ntm ${group} needs a command: ${members.map((c) => c.name).join(", ")}`);
      }
      command = members.find((c) => c.name === name);
      if (!command) throw new UsageError(`unknown command "${group} ${name}": ntm ${group} has ${members.map((c) => c.name).join(", ")}`);
      rest = positionals.slice(2);
    }
    if (flags.help) {
      out(commandHelp(command));
      return 0;
    }
    const label = `${command.group}${command.name ? ` ${command.name}` : ""}`;
    const allowed = command.chain ? { ...GLOBAL_FLAGS, ...(command.flags ?? {}) } : (command.flags ?? {});
    const parsedFlags: Record<string, ArgValue | undefined> = {};
    for (const [flag, raw] of Object.entries(flags)) {
      const spec = allowed[flag];
      if (!spec) throw new UsageError(`ntm ${label} takes no --${flag} (see ntm ${label} --help)`);
      parsedFlags[flag] = spec.type === "boolean" ? true : spec.type === "string" ? (raw as string) : parseArg({ name: `--${flag}`, type: spec.type === "amount" ? "amount" : "uint" }, raw as string);
    }
    if (rest.length !== command.args.length) {
      throw new UsageError(`${usageLine(command)}: expected ${command.args.length} argument(s), got ${rest.length}`);
    }
    const args: Record<string, ArgValue> = {};
    command.args.forEach((spec, i) => (args[spec.name] = parseArg(spec, rest[i]!)));
    const json = parsedFlags.json === true;
    // network, contract and account flags are checked here, before any network or simnet work
    const network = parseNetwork((parsedFlags.network as string | undefined) ?? "local");
    if (typeof parsedFlags.account === "string" && isPrivateKey(parsedFlags.account)) {
      throw new UsageError("--account takes a name or an address, never a private key: use NTM_PRIVATE_KEY or ntm keys import");
    }
    // a command that sends needs --yes or a terminal to ask on: refused before any session, unlock or read
    if (command.chain && !command.readOnly && !parsedFlags.yes && !io.stdin.isTTY) {
      if (command.group !== "agent") throw new UsageError(NO_TTY);
      if (isPublicNetwork(network)) {
        throw new UsageError(`the ${command.name} agent sends fee-paying transactions on ${network.url}: pass --yes to run it (stdin is not a terminal)`);
      }
    }
    const contractId = command.chain ? resolveContractId(network, parsedFlags.contract as string | undefined, io.env) : "";
    const accountIndex = Number((parsedFlags["account-index"] as bigint | undefined) ?? BigInt(io.env.NTM_ACCOUNT_INDEX && /^\d+$/.test(io.env.NTM_ACCOUNT_INDEX) ? io.env.NTM_ACCOUNT_INDEX : "0"));
    let session: Promise<Session> | null = null;
    const ctx: Ctx = {
      io,
      network,
      args,
      flags: parsedFlags,
      json,
      out,
      progress: null,
      session: () => {
        if (!session) {
          if (network.kind === "simnet" && !json) io.stderr.write("simnet: a fresh embedded chain for this command only; nothing persists after it\n");
          session = openSession(io, {
            network,
            contractId,
            account: parsedFlags.account as string | undefined,
            accountIndex,
            fee: parsedFlags.fee as bigint | undefined,
            onProgress: (p) => ctx.progress?.(p),
          });
        }
        return session;
      },
    };
    return await command.run(ctx);
  } catch (e) {
    return reportError(io, e);
  }
}

/**
 * One line on stderr for any error, and its exit code. Every message goes through `redactKeys`
 * (errors echo user input, and a private key pasted as an argument must never be printed); the
 * txids an error is about are kept.
 */
function reportError(io: CliIo, e: unknown): number {
  const say = (message: string, keep: string[] = []) => io.stderr.write(`ntm: ${redactKeys(message, keep).split("\n")[0]}\n`);
  if (e instanceof UsageError) {
    say(e.message);
    return 2;
  }
  if (e instanceof CliError) {
    say(e.message);
    return e.exitCode;
  }
  if (e instanceof PostConditionViolation) {
    say(`${e.call.functionName} aborted on its post-conditions: ${e.violations.join("; ")}`, errorTxids(e));
    return 1;
  }
  if (e instanceof NodeChainError) {
    say(safeMessage(e), errorTxids(e));
    return 1;
  }
  const message = safeMessage(e).split("\n")[0] ?? "";
  say(/fetch failed|ECONNREFUSED/.test(message) ? `the node cannot be reached (${message})` : message);
  return 1;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) void main(process.argv.slice(2)).then(exitWhenFlushed);
