/**
 * The local node's engine: a Clarinet simnet (the real Clarity VM) behind the bookkeeping a Stacks
 * node adds around it — signed transactions (signature, chain, nonce, fee checks), post-condition
 * enforcement with full rollback, nonces, fees, a transaction index and an event list.
 *
 * Rollback: the simnet cannot undo a block. Every state-changing operation is kept in `oplog`
 * with a fingerprint of its outcome; when a transaction must leave no trace (post-condition abort,
 * runtime error), the engine loads a fresh simnet, replays the log (asserting every fingerprint:
 * the replay must give the identical results), then applies only the fee. See docs/local-node.md.
 */
import { createHash } from "node:crypto";
import { tx as simTx, type ClarityEvent, type ParsedTransactionResult, type Simnet, type Tx } from "@stacks/clarinet-sdk";
import {
  AuthType,
  ClarityType,
  PayloadType,
  PostConditionMode,
  addressHashModeToVersion,
  addressFromVersionHash,
  addressToString,
  cvToString,
  serializeCV,
  wireToPostCondition,
  type ClarityValue,
  type PostCondition,
  type PostConditionModeName,
  type StacksTransactionWire,
} from "@stacks/transactions";
import { ChainId, TransactionVersion } from "@stacks/network";
import { deserializeTransactionOfAnySize } from "../client/deploy.ts";
import { derivedAddress, loadSimnet, silently, type LoadedSimnet } from "../simnet.ts";
import { checkPostConditions } from "./postconditions.ts";
import { typeMismatch } from "./abi.ts";

/** Receives every transaction fee (a fixed, documented address: the node's "miner"). */
export const MINER_ADDRESS = derivedAddress("ntm-local-node-miner");

/** The fees `/v2/fees/transaction` quotes (low, middle, high) in micro-STX for a small transaction; Stacks.js picks the middle one. */
export const FEE_ESTIMATES = [1_000n, 2_000n, 3_000n] as const;

/**
 * stacks-core's minimum relay fee rate (`MINIMUM_TX_FEE_RATE_PER_BYTE`): a transaction paying less
 * than 1 uSTX per byte of its serialization is refused with `FeeTooLow`.
 */
export const MINIMUM_TX_FEE_RATE_PER_BYTE = 1n;

/**
 * The fees the node quotes for a transaction of `txBytes` bytes: `FEE_ESTIMATES`, raised to the
 * minimum relay fee for large ones (a 100 KB deploy must pay at least 100,000 uSTX), so a
 * transaction built at any quoted fee is accepted.
 */
export function feeEstimatesFor(txBytes: number): bigint[] {
  const minimum = BigInt(Math.ceil(Math.max(0, txBytes))) * MINIMUM_TX_FEE_RATE_PER_BYTE;
  return FEE_ESTIMATES.map((fee) => (fee > minimum ? fee : minimum));
}

/** The largest STX amount the simnet's transfer takes exactly (its `amount` is a JS number). */
const MAX_SIMULATED_USTX = BigInt(Number.MAX_SAFE_INTEGER);

/** A transaction the node refused before mining it (nothing changed); `reason` is the Stacks node's reason code. */
export class NodeRejection extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly reasonData?: Record<string, unknown>,
    readonly txid?: string,
  ) {
    super(message);
    this.name = "NodeRejection";
  }
}

/**
 * The node refuses every state change because a rollback could not rebuild the state (the replay
 * diverged or the fresh simnet failed to load): the live simnet may still hold the effects of the
 * transaction it was rolling back, so it must not build on them. Reads keep working.
 */
export class NodeFailure extends Error {
  constructor(readonly reason: string) {
    super(`the local node is in a failed state and refuses every write: ${reason}. Restart it (npm run node).`);
    this.name = "NodeFailure";
  }
}

export type TxStatus = "success" | "abort_by_response" | "abort_by_post_condition";

/** A Stacks API event (`/extended/v1/tx/{txid}` `events[]`), with the txid it belongs to. */
export type ApiEvent = { event_index: number; event_type: string; tx_id: string } & Record<string, unknown>;

/** A mined transaction as the node keeps it (shaped for the API by api.ts). */
export interface NodeTx {
  /** `0x` + 64 hex. */
  txid: string;
  type: "contract_call" | "token_transfer" | "smart_contract";
  /** False for a call recorded from `recordingSimnet()` (an impersonated sender: no signature, no fee). */
  signed: boolean;
  sender: string;
  nonce: number;
  fee: bigint;
  status: TxStatus;
  result: ClarityValue;
  /** Why the node aborted it (post-condition violations or the runtime error), if it did. */
  abortReason: string | null;
  events: ApiEvent[];
  blockHeight: number;
  burnBlockHeight: number;
  txIndex: number;
  postConditionMode: PostConditionModeName;
  postConditions: PostCondition[];
  contractCall?: { contractId: string; functionName: string; functionArgs: ClarityValue[] };
  tokenTransfer?: { recipient: string; amount: bigint; memo: string };
  smartContract?: { contractId: string; sourceCode: string; clarityVersion: number | null };
  /** The signed transaction's serialized hex, when it was broadcast. */
  raw: string | null;
}

/** One replayable state change on the simnet. */
type Operation =
  | { kind: "block"; txs: Tx[] }
  | { kind: "call"; contract: string; method: string; args: ClarityValue[]; sender: string; private: boolean }
  | { kind: "transfer"; amount: bigint; recipient: string; sender: string }
  | { kind: "deploy"; name: string; content: string; clarityVersion: number | null; sender: string }
  | { kind: "mint"; recipient: string; amount: bigint }
  | { kind: "mine"; method: MineMethod; count: number | null }
  | { kind: "execute"; snippet: string };

type MineMethod =
  | "mineEmptyBlock"
  | "mineEmptyBlocks"
  | "mineEmptyBurnBlock"
  | "mineEmptyBurnBlocks"
  | "mineEmptyStacksBlock"
  | "mineEmptyStacksBlocks";

const MINE_METHODS: readonly MineMethod[] = [
  "mineEmptyBlock",
  "mineEmptyBlocks",
  "mineEmptyBurnBlock",
  "mineEmptyBurnBlocks",
  "mineEmptyStacksBlock",
  "mineEmptyStacksBlocks",
];

interface LoggedOperation {
  op: Operation;
  /** The outcome's fingerprint: a replay must reproduce it exactly. */
  fingerprint: string;
}

function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

function hex0x(value: string): string {
  return value.startsWith("0x") ? value : `0x${value}`;
}

/** sha512/256-like 32-byte id for an unsigned (recorded) transaction: unique per sender and nonce. */
function recordedTxid(parts: unknown): string {
  return `0x${createHash("sha512-256").update(jsonOf(parts)).digest("hex")}`;
}

/** Runs one operation on `simnet` and returns what the simnet returned. */
function execute(simnet: Simnet, op: Operation): unknown {
  switch (op.kind) {
    case "block":
      return simnet.mineBlock(op.txs);
    case "call":
      return op.private ? simnet.callPrivateFn(op.contract, op.method, op.args, op.sender) : simnet.callPublicFn(op.contract, op.method, op.args, op.sender);
    case "transfer":
      return simnet.transferSTX(op.amount, op.recipient, op.sender);
    case "deploy":
      return simnet.deployContract(op.name, op.content, op.clarityVersion === null ? null : { clarityVersion: op.clarityVersion }, op.sender);
    case "mint":
      return simnet.mintSTX(op.recipient, op.amount);
    case "mine":
      return op.count === null ? simnet[op.method]() : simnet[op.method](op.count);
    case "execute":
      return simnet.execute(op.snippet);
  }
}

/**
 * Applies one operation to `simnet` (console echo silenced); returns its value or the error it
 * threw, and the fingerprint of the outcome (results, events, error, heights) a replay must match.
 */
function apply(simnet: Simnet, op: Operation): { value: unknown; fingerprint: string; error: Error | null } {
  let value: unknown;
  let error: Error | null = null;
  try {
    value = silently(() => execute(simnet, op));
  } catch (thrown) {
    // a refused call is part of the history too: the replay must refuse it the same way
    error = thrown instanceof Error ? thrown : new Error(String(thrown));
  }
  // results and events identify an outcome; costs and timings do not belong to it
  const strip = (r: unknown) => (r && typeof r === "object" && "result" in r ? { result: (r as ParsedTransactionResult).result, events: (r as ParsedTransactionResult).events } : r);
  const fingerprint = jsonOf({
    out: Array.isArray(value) ? value.map(strip) : strip(value),
    error: error?.message ?? null,
    burn: simnet.burnBlockHeight,
    stacks: simnet.stacksBlockHeight,
  });
  return { value, fingerprint, error };
}

/** Converts a simnet event to the Stacks API's event shape. */
export function apiEvent(e: ClarityEvent, txid: string, index: number): ApiEvent {
  const d = e.data;
  const base = { event_index: index, tx_id: txid };
  const valueOf = () => ({ hex: hex0x(String(d.raw_value ?? serializeCV(d.value as ClarityValue))), repr: cvToString(d.value as ClarityValue) });
  switch (e.event) {
    case "print_event":
      return { ...base, event_type: "smart_contract_log", contract_log: { contract_id: d.contract_identifier, topic: d.topic ?? "print", value: valueOf() } };
    case "stx_transfer_event":
      return { ...base, event_type: "stx_asset", asset: { asset_event_type: "transfer", sender: d.sender, recipient: d.recipient, amount: String(d.amount), memo: d.memo ?? "" } };
    case "stx_mint_event":
      return { ...base, event_type: "stx_asset", asset: { asset_event_type: "mint", sender: "", recipient: d.recipient, amount: String(d.amount) } };
    case "stx_burn_event":
      return { ...base, event_type: "stx_asset", asset: { asset_event_type: "burn", sender: d.sender, recipient: "", amount: String(d.amount) } };
    case "stx_lock_event":
      return { ...base, event_type: "stx_lock", stx_lock_event: { locked_amount: String(d.locked_amount), unlock_height: Number(d.unlock_height), locked_address: d.locked_address } };
    case "ft_transfer_event":
    case "ft_mint_event":
    case "ft_burn_event":
      return {
        ...base,
        event_type: "fungible_token_asset",
        asset: { asset_event_type: e.event.slice(3, -6), asset_id: d.asset_identifier, sender: d.sender ?? "", recipient: d.recipient ?? "", amount: String(d.amount) },
      };
    case "nft_transfer_event":
    case "nft_mint_event":
    case "nft_burn_event":
      return {
        ...base,
        event_type: "non_fungible_token_asset",
        asset: { asset_event_type: e.event.slice(4, -6), asset_id: d.asset_identifier, sender: d.sender ?? "", recipient: d.recipient ?? "", value: valueOf() },
      };
    default:
      return { ...base, event_type: e.event, data: JSON.parse(jsonOf(d)) as unknown };
  }
}

function modeName(mode: PostConditionMode): PostConditionModeName {
  if (mode === PostConditionMode.Allow) return "allow";
  if (mode === PostConditionMode.Deny) return "deny";
  return "originator";
}

/** The runtime-error result a node reports for a transaction the VM could not run. */
const RUNTIME_ERROR_RESULT: ClarityValue = { type: ClarityType.OptionalNone };

/**
 * A local Stacks node over the simnet. Create with `LocalNode.start()`. Every method is
 * synchronous except `submit` (a rollback may have to load a fresh simnet); state-changing calls
 * are serialized by the HTTP server.
 */
export class LocalNode {
  /** Devnet.toml account name to address. */
  readonly accounts: Map<string, string>;
  readonly deployer: string;
  /** `<deployer>.neural-training-market` */
  readonly contractId: string;
  /** Mined transactions, in order. */
  readonly txs: NodeTx[] = [];
  /** Every event of every successful transaction, in chain order. */
  readonly events: ApiEvent[] = [];
  private readonly byTxid = new Map<string, NodeTx>();
  private readonly nonces = new Map<string, number>();
  private readonly oplog: LoggedOperation[] = [];
  private current: Simnet;
  /** `getContractsInterfaces()` takes ~20 ms: cached until a deploy or a rollback. */
  private interfaces: ReturnType<Simnet["getContractsInterfaces"]> | null = null;
  private rebuilding = false;
  /** Why the node refuses writes, once a rollback failed; null while healthy. */
  private failure: string | null = null;
  private readonly listeners: ((tx: NodeTx) => void)[] = [];

  private constructor(loaded: LoadedSimnet) {
    this.current = loaded.simnet;
    this.accounts = loaded.accounts;
    this.deployer = loaded.deployer;
    this.contractId = loaded.contractId;
  }

  /** A node over a fresh simnet with the market deployed and the Devnet.toml accounts funded. */
  static async start(): Promise<LocalNode> {
    return new LocalNode(await loadSimnet());
  }

  /** The node's simnet (read it freely; change state only through the node or `recordingSimnet`). */
  get simnet(): Simnet {
    return this.current;
  }

  get burnHeight(): number {
    return this.current.burnBlockHeight;
  }

  /** Height of the last mined Stacks block. */
  get stacksTipHeight(): number {
    return this.current.stacksBlockHeight - 1;
  }

  /** Every deployed contract's ABI by contract id (boot contracts included). */
  contractInterfaces(): ReturnType<Simnet["getContractsInterfaces"]> {
    this.interfaces ??= this.current.getContractsInterfaces();
    return this.interfaces;
  }

  /** Calls `listener` with every mined transaction (the CLI logs them). */
  onTx(listener: (tx: NodeTx) => void): void {
    this.listeners.push(listener);
  }

  /** The next nonce `who` must use. */
  nextNonce(who: string): number {
    return this.nonces.get(who) ?? 0;
  }

  stxBalance(who: string): bigint {
    return this.current.getAssetsMap().get("STX")?.get(who) ?? 0n;
  }

  /** A mined transaction by id (with or without `0x`), or undefined. */
  tx(txid: string): NodeTx | undefined {
    return this.byTxid.get(hex0x(txid.toLowerCase()));
  }

  /** Runs a read-only function (no state change, no block); throws if the VM refuses the call. */
  readOnly(contractId: string, functionName: string, args: ClarityValue[], sender: string): ParsedTransactionResult {
    return silently(() => this.current.callReadOnlyFn(contractId, functionName, args, sender));
  }

  /** Mines `count` burn blocks (each with an empty Stacks block); returns the new burn height. */
  mineBurnBlocks(count: number): number {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`burn blocks to mine must be a positive integer, got ${count}`);
    this.run({ kind: "mine", method: "mineEmptyBlocks", count });
    return this.burnHeight;
  }

  /** Why the node is in its failed state (every write refused, see `NodeFailure`), or null if it is healthy. */
  get failureReason(): string | null {
    return this.failure;
  }

  /**
   * Test hook: overwrites the recorded outcome of logged operation `index`, so that the next
   * rollback's replay diverges there (the way a contract reading the wall clock would). The node
   * never calls it.
   */
  tamperLoggedOutcomeForTest(index: number): void {
    const logged = this.oplog[index];
    if (!logged) throw new RangeError(`no logged operation ${index} (the log has ${this.oplog.length})`);
    logged.fingerprint = `tampered:${logged.fingerprint}`;
  }

  private assertWritable(): void {
    if (this.failure !== null) throw new NodeFailure(this.failure);
    if (this.rebuilding) throw new Error("the local node is rolling back an aborted transaction; retry the call");
  }

  /** Applies `op` to the live simnet (dropping the ABI cache if it may deploy). */
  private applyLive(op: Operation): ReturnType<typeof apply> {
    if (op.kind === "deploy" || op.kind === "execute" || (op.kind === "block" && op.txs.some((t) => t.deployContract))) this.interfaces = null;
    return apply(this.current, op);
  }

  /** Applies `op` to the live simnet and logs it. */
  private run(op: Operation): unknown {
    this.assertWritable();
    const { value, fingerprint, error } = this.applyLive(op);
    this.oplog.push({ op, fingerprint });
    if (error) throw error;
    return value;
  }

  /**
   * Replaces the live simnet with a fresh one that replays the log: the state as if nothing after
   * the last logged operation had happened. If the fresh simnet does not load or a replayed outcome
   * differs from the original, the live simnet still holds what was to be undone: the node enters
   * its failed state (every later write refused) and this throws the `NodeFailure`.
   */
  private async rebuild(): Promise<void> {
    this.rebuilding = true;
    try {
      let simnet: Simnet;
      try {
        simnet = (await loadSimnet()).simnet;
      } catch (error) {
        throw this.fail(`rollback could not load a fresh simnet (${error instanceof Error ? error.message : String(error)})`);
      }
      for (const [i, logged] of this.oplog.entries()) {
        const { fingerprint } = apply(simnet, logged.op);
        if (fingerprint !== logged.fingerprint) {
          throw this.fail(`rollback replay diverged at logged operation ${i} (${logged.op.kind}): the simnet did not reproduce its outcome`);
        }
      }
      this.current = simnet;
      this.interfaces = null;
    } finally {
      this.rebuilding = false;
    }
  }

  /** Enters the failed state (loudly: one line on stderr) and returns the error to throw. */
  private fail(reason: string): NodeFailure {
    this.failure = reason;
    const failure = new NodeFailure(reason);
    console.error(`ntm-local-node: FAILED: ${failure.message}`);
    return failure;
  }

  private record(tx: NodeTx, events: readonly ClarityEvent[]): NodeTx {
    if (tx.status === "success") {
      tx.events = events.map((e, i) => apiEvent(e, tx.txid, i));
      this.events.push(...tx.events);
    }
    this.txs.push(tx);
    this.byTxid.set(tx.txid, tx);
    this.nonces.set(tx.sender, tx.nonce + 1);
    for (const listener of this.listeners) listener(tx);
    return tx;
  }

  /**
   * Validates, executes and mines one signed transaction (serialized hex) in its own Stacks block.
   * Refused transactions throw a `NodeRejection` and change nothing. A mined transaction always
   * pays its fee and uses its nonce; if it aborts (error response, post-condition, runtime error)
   * nothing else it did remains.
   */
  async submit(txHex: string): Promise<{ txid: string }> {
    this.assertWritable();
    const txn = this.validate(txHex);
    const { wire, txid, sender, fee, nonce } = txn;
    const mode = modeName(wire.postConditionMode);
    const postConditions = wire.postConditions.values.map((pc) => wireToPostCondition(pc as Parameters<typeof wireToPostCondition>[0]));
    const main = txn.main;
    // validate() bounds the fee by MAX_SIMULATED_USTX, so Number(fee) is exact
    const feeTx: Tx[] = fee > 0n ? [simTx.transferSTX(Number(fee), MINER_ADDRESS, sender)] : [];
    const blockHeight = this.current.stacksBlockHeight;
    const burnBlockHeight = this.current.burnBlockHeight;
    const base: Omit<NodeTx, "status" | "result" | "abortReason"> = {
      txid,
      type: txn.type,
      signed: true,
      sender,
      nonce,
      fee,
      events: [],
      blockHeight,
      burnBlockHeight,
      txIndex: 0,
      postConditionMode: mode,
      postConditions,
      raw: hex0x(txHex.replace(/^0x/, "").toLowerCase()),
      ...txn.details,
    };

    // the fee is taken first, as a node does, then the payload runs in the same block
    this.assertWritable();
    const op: Operation = { kind: "block", txs: [...feeTx, main] };
    const outcome = this.applyLive(op);
    const feeOnly: Operation = fee > 0n ? { kind: "block", txs: feeTx } : { kind: "mine", method: "mineEmptyStacksBlock", count: null };

    if (outcome.error) {
      // the VM refused to run it (runtime error): a node mines it as failed, fee paid
      const runtimeError = outcome.error.message;
      await this.rebuild();
      this.run(feeOnly);
      return { txid: this.record({ ...base, status: "abort_by_response", result: RUNTIME_ERROR_RESULT, abortReason: runtimeError }, []).txid };
    }
    const results = outcome.value as ParsedTransactionResult[];
    if (feeTx.length > 0 && results[0]?.result.type !== ClarityType.ResponseOk) {
      // validate() checked the balance, so this is the node's fault: undo the block and refuse
      await this.rebuild();
      throw new Error(`the fee transfer failed (${results[0] ? cvToString(results[0].result) : "no result"}); the transaction was not mined`);
    }
    const ran = results[results.length - 1];
    const ok = ran.result.type !== ClarityType.ResponseErr;
    // stacks-core checks post-conditions on every value the VM returns, an (err ...) included: the
    // err rolled back the call's asset movements, so its conditions are checked against none (a
    // willSendEq(N > 0) then fails). Token transfers carry no post-conditions (validate refuses them).
    const verdict = txn.type === "token_transfer" ? { ok: true, violations: [] } : checkPostConditions(postConditions, mode, sender, ok ? ran.events : []);
    if (!verdict.ok && ok) {
      await this.rebuild();
      this.run(feeOnly);
      return {
        txid: this.record({ ...base, status: "abort_by_post_condition", result: ran.result, abortReason: verdict.violations.join("; ") }, []).txid,
      };
    }
    // an err already left nothing but the fee: the block stands as mined, whatever the verdict
    this.oplog.push({ op, fingerprint: outcome.fingerprint });
    const status: TxStatus = ok ? "success" : verdict.ok ? "abort_by_response" : "abort_by_post_condition";
    const abortReason = verdict.ok ? null : verdict.violations.join("; ");
    return { txid: this.record({ ...base, status, result: ran.result, abortReason }, status === "success" ? ran.events : []).txid };
  }

  /** Every check a node makes before accepting a transaction into a block. */
  private validate(txHex: string) {
    if (typeof txHex !== "string" || !/^(0x)?([0-9a-fA-F]{2})+$/.test(txHex)) {
      throw new NodeRejection("Deserialization", "transaction body is not hex");
    }
    let wire: StacksTransactionWire;
    try {
      wire = deserializeTransactionOfAnySize(txHex);
    } catch (error) {
      throw new NodeRejection("Deserialization", `cannot deserialize the transaction: ${error instanceof Error ? error.message : String(error)}`);
    }
    const txid = hex0x(wire.txid());
    if (wire.transactionVersion !== TransactionVersion.Testnet || wire.chainId !== ChainId.Testnet) {
      throw new NodeRejection("BadTransactionVersion", "this node runs testnet (version 0x80, chain id 0x80000000)", undefined, txid);
    }
    if (wire.auth.authType !== AuthType.Standard) {
      throw new NodeRejection("NotSupported", "sponsored transactions are not supported by the local node", undefined, txid);
    }
    const condition = wire.auth.spendingCondition;
    try {
      wire.verifyOrigin();
    } catch (error) {
      throw new NodeRejection("SignatureValidation", `bad signature: ${error instanceof Error ? error.message : String(error)}`, undefined, txid);
    }
    const sender = addressToString(addressFromVersionHash(addressHashModeToVersion(condition.hashMode, "testnet"), condition.signer));
    if (this.byTxid.has(txid)) throw new NodeRejection("ConflictingNonceInMempool", "transaction already mined", undefined, txid);
    const nonce = Number(condition.nonce);
    const expected = this.nextNonce(sender);
    if (nonce !== expected) {
      throw new NodeRejection("BadNonce", `nonce ${nonce} is not the account's next nonce ${expected}`, { expected, actual: nonce, principal: sender, is_origin: true }, txid);
    }
    const fee = condition.fee;
    const txBytes = txHex.replace(/^0x/, "").length / 2;
    const minimumFee = BigInt(txBytes) * MINIMUM_TX_FEE_RATE_PER_BYTE;
    if (fee < minimumFee) {
      throw new NodeRejection("FeeTooLow", `fee ${fee} uSTX is below the minimum relay fee ${minimumFee} (1 uSTX per byte, ${txBytes} bytes)`, { expected: Number(minimumFee), actual: Number(fee) }, txid);
    }
    if (fee > MAX_SIMULATED_USTX) throw new NodeRejection("NotSupported", `fee ${fee} uSTX is above ${MAX_SIMULATED_USTX}, the most the simnet can transfer exactly`, undefined, txid);
    const balance = this.stxBalance(sender);
    const payload = wire.payload;
    let needed = fee;
    let main: Tx;
    let type: NodeTx["type"];
    let details: Pick<NodeTx, "contractCall" | "tokenTransfer" | "smartContract">;
    switch (payload.payloadType) {
      case PayloadType.ContractCall: {
        const contractId = `${addressToString(payload.contractAddress)}.${payload.contractName.content}`;
        const functionName = payload.functionName.content;
        const iface = this.contractInterfaces().get(contractId);
        if (!iface) throw new NodeRejection("NoSuchContract", `no contract ${contractId}`, undefined, txid);
        const fn = iface.functions.find((f) => f.name === functionName && f.access === "public");
        if (!fn) throw new NodeRejection("NoSuchPublicFunction", `${contractId} has no public function ${functionName}`, undefined, txid);
        if (fn.args.length !== payload.functionArgs.length) {
          throw new NodeRejection("BadFunctionArgument", `${functionName} takes ${fn.args.length} arguments, got ${payload.functionArgs.length}`, undefined, txid);
        }
        fn.args.forEach((arg, i) => {
          const mismatch = typeMismatch(arg.type, payload.functionArgs[i]);
          if (mismatch) throw new NodeRejection("BadFunctionArgument", `${functionName} argument ${arg.name}: ${mismatch}`, undefined, txid);
        });
        main = simTx.callPublicFn(contractId, functionName, payload.functionArgs, sender);
        type = "contract_call";
        details = { contractCall: { contractId, functionName, functionArgs: payload.functionArgs } };
        break;
      }
      case PayloadType.TokenTransfer: {
        const recipient = String(payload.recipient.value);
        needed += payload.amount;
        if (wire.postConditions.values.length > 0) {
          // stacks-core: "Invalid Stacks transaction: TokenTransfer transactions do not support post-conditions"
          throw new NodeRejection("NotSupported", "TokenTransfer transactions do not support post-conditions", undefined, txid);
        }
        if (payload.amount > MAX_SIMULATED_USTX) {
          throw new NodeRejection("NotSupported", `transfer amount ${payload.amount} uSTX is above ${MAX_SIMULATED_USTX}, the most the simnet can transfer exactly`, undefined, txid);
        }
        if (payload.amount <= 0n) throw new NodeRejection("TransferAmountMustBePositive", "transfer amount must be positive", undefined, txid);
        if (recipient === sender) throw new NodeRejection("TransferRecipientIsSender", "recipient is the sender", undefined, txid);
        main = simTx.transferSTX(Number(payload.amount), recipient, sender);
        type = "token_transfer";
        details = { tokenTransfer: { recipient, amount: payload.amount, memo: payload.memo.content } };
        break;
      }
      case PayloadType.SmartContract:
      case PayloadType.VersionedSmartContract: {
        const name = payload.contractName.content;
        const contractId = `${sender}.${name}`;
        if (this.contractInterfaces().has(contractId)) {
          throw new NodeRejection("ContractAlreadyExists", `contract ${contractId} already exists`, { contract_identifier: contractId }, txid);
        }
        const clarityVersion = payload.payloadType === PayloadType.VersionedSmartContract ? Number(payload.clarityVersion) : null;
        main = simTx.deployContract(name, payload.codeBody.content, clarityVersion === null ? null : { clarityVersion }, sender);
        type = "smart_contract";
        details = { smartContract: { contractId, sourceCode: payload.codeBody.content, clarityVersion } };
        break;
      }
      default:
        throw new NodeRejection("NotSupported", `payload type ${payload.payloadType} cannot be broadcast to the local node`, undefined, txid);
    }
    if (balance < needed) {
      throw new NodeRejection("NotEnoughFunds", `${sender} has ${balance} uSTX, needs ${needed}`, { expected: `0x${needed.toString(16)}`, actual: `0x${balance.toString(16)}` }, txid);
    }
    return { wire, txid, sender, nonce, fee, main, type, details };
  }

  // -------------------------------------------------------------------------
  // Impersonation: a simnet whose state changes are recorded as unsigned txs
  // -------------------------------------------------------------------------

  /** Records a simnet call made through `recordingSimnet()` as a transaction of `sender`. */
  private recordUnsigned(
    fields: Pick<NodeTx, "type" | "sender"> & Partial<Pick<NodeTx, "contractCall" | "tokenTransfer" | "smartContract">>,
    parsed: ParsedTransactionResult,
    blockHeight: number,
    burnBlockHeight: number,
    txIndex: number,
  ): void {
    const nonce = this.nextNonce(fields.sender);
    const txid = recordedTxid({ recorded: true, sender: fields.sender, nonce, seq: this.txs.length });
    const ok = parsed.result.type !== ClarityType.ResponseErr;
    this.record(
      {
        txid,
        signed: false,
        nonce,
        fee: 0n,
        status: ok ? "success" : "abort_by_response",
        result: parsed.result,
        abortReason: null,
        events: [],
        blockHeight,
        burnBlockHeight,
        txIndex,
        postConditionMode: "allow",
        postConditions: [],
        raw: null,
        ...fields,
      },
      ok ? parsed.events : [],
    );
  }

  private describe(t: Tx): Pick<NodeTx, "type" | "sender"> & Partial<Pick<NodeTx, "contractCall" | "tokenTransfer" | "smartContract">> {
    if (t.callPublicFn || t.callPrivateFn) {
      const c = (t.callPublicFn ?? t.callPrivateFn)!;
      return { type: "contract_call", sender: c.sender, contractCall: { contractId: c.contract, functionName: c.method, functionArgs: c.args } };
    }
    if (t.transferSTX) {
      return { type: "token_transfer", sender: t.transferSTX.sender, tokenTransfer: { recipient: t.transferSTX.recipient, amount: BigInt(t.transferSTX.amount), memo: "" } };
    }
    const d = t.deployContract!;
    const contractId = `${d.sender}.${d.name}`;
    return { type: "smart_contract", sender: d.sender, smartContract: { contractId, sourceCode: d.content, clarityVersion: d.options ? Number(d.options.clarityVersion) : null } };
  }

  /**
   * The node's simnet as a `LoadedSimnet` for in-process scripts (like anvil's impersonated
   * accounts): reads pass through; `callPublicFn`, `callPrivateFn`, `transferSTX`, `deployContract`,
   * `mineBlock`, `mintSTX`, `execute` and the `mineEmpty*` methods run on the node and are recorded —
   * calls, transfers and deploys as unsigned transactions (no fee, the sender's nonce advances) that
   * show in `/extended/v1/tx/{txid}` and the event lists exactly like broadcast ones.
   */
  recordingSimnet(): LoadedSimnet {
    const node = this;
    const recorders: Record<string, (...args: never[]) => unknown> = {
      callPublicFn: (contract: string, method: string, args: ClarityValue[], sender: string) => node.recordOne(simTx.callPublicFn(contract, method, args, sender), { kind: "call", contract, method, args, sender, private: false }),
      callPrivateFn: (contract: string, method: string, args: ClarityValue[], sender: string) => node.recordOne(simTx.callPrivateFn(contract, method, args, sender), { kind: "call", contract, method, args, sender, private: true }),
      transferSTX: (amount: number | bigint, recipient: string, sender: string) => {
        if (BigInt(amount) > MAX_SIMULATED_USTX) throw new RangeError(`transfer amount ${amount} uSTX is above ${MAX_SIMULATED_USTX}, the most the simnet can transfer exactly`);
        return node.recordOne(simTx.transferSTX(Number(amount), recipient, sender), { kind: "transfer", amount: BigInt(amount), recipient, sender });
      },
      deployContract: (name: string, content: string, options: { clarityVersion: number } | null, sender: string) =>
        node.recordOne(simTx.deployContract(name, content, options as never, sender), { kind: "deploy", name, content, clarityVersion: options ? Number(options.clarityVersion) : null, sender }),
      mineBlock: (txs: Tx[]) => {
        const blockHeight = node.current.stacksBlockHeight;
        const burnBlockHeight = node.current.burnBlockHeight;
        const results = node.run({ kind: "block", txs }) as ParsedTransactionResult[];
        results.forEach((r, i) => node.recordUnsigned(node.describe(txs[i]), r, blockHeight, burnBlockHeight, i));
        return results;
      },
      mintSTX: (recipient: string, amount: bigint) => node.run({ kind: "mint", recipient, amount }),
      execute: (snippet: string) => node.run({ kind: "execute", snippet }),
    };
    for (const method of MINE_METHODS) recorders[method] = (count?: number) => node.run({ kind: "mine", method, count: count ?? null });

    const simnet = new Proxy({} as Simnet, {
      get(_target, prop) {
        if (typeof prop === "string" && prop in recorders) return recorders[prop];
        const value = (node.current as unknown as Record<string | symbol, unknown>)[prop];
        // dereference the live simnet at call time: a rollback swaps it
        return typeof value === "function" ? (...args: unknown[]) => (node.current as unknown as Record<string | symbol, (...a: unknown[]) => unknown>)[prop](...args) : value;
      },
    });
    return { simnet, accounts: new Map(this.accounts), deployer: this.deployer, contractId: this.contractId };
  }

  private recordOne(t: Tx, op: Operation): ParsedTransactionResult {
    const blockHeight = this.current.stacksBlockHeight;
    const burnBlockHeight = this.current.burnBlockHeight;
    const parsed = this.run(op) as ParsedTransactionResult;
    this.recordUnsigned(this.describe(t), parsed, blockHeight, burnBlockHeight, 0);
    return parsed;
  }
}
