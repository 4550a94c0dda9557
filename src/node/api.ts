/**
 * Response shapes of the local node: the Stacks node RPC (`/v2/...`) and the Stacks API
 * (`/extended/v1/...`) fields that Stacks.js, wallets and the project's tools read, built from
 * the engine's records. Field names and encodings follow the real services (hex balances on
 * `/v2/accounts`, decimal strings on `/extended`, `0x`-prefixed txids).
 */
import { createHash } from "node:crypto";
import { cvToString, serializeCV, type ClarityValue, type PostCondition } from "@stacks/transactions";
import type { LocalNode, NodeTx } from "./local-node.ts";

export const NODE_NAME = "ntm-local-node";
export const NODE_VERSION = "0.1.0";
/** testnet chain id 0x80000000 */
export const NETWORK_ID = 2147483648;
/** The testnet's burnchain network id (bitcoin regtest/testnet magic the real testnet reports). */
export const PARENT_NETWORK_ID = 3669344250;
/** The testnet peer version (0xfacade01). */
export const PEER_VERSION = 4207599105;

/** A deterministic 32-byte hash standing in for a block hash (no real blocks exist). */
export function blockHash(kind: "stacks" | "burn", height: number): string {
  return `0x${createHash("sha256").update(`${NODE_NAME}:${kind}:${height}`).digest("hex")}`;
}

export function clarityJson(value: ClarityValue): { hex: string; repr: string } {
  return { hex: `0x${serializeCV(value)}`, repr: cvToString(value) };
}

/** `0x` + 32 hex digits: a u128 as `/v2/accounts` encodes balances. */
export function u128Hex(value: bigint): string {
  return `0x${value.toString(16).padStart(32, "0")}`;
}

/** GET /v2/info */
export function infoJson(node: LocalNode) {
  const burn = node.burnHeight;
  const tip = node.stacksTipHeight;
  return {
    peer_version: PEER_VERSION,
    pox_consensus: blockHash("burn", burn).slice(2, 42),
    burn_block_height: burn,
    stable_pox_consensus: blockHash("burn", burn).slice(2, 42),
    stable_burn_block_height: burn,
    server_version: `${NODE_NAME}/${NODE_VERSION} (Clarinet simnet, local development only)`,
    network_id: NETWORK_ID,
    parent_network_id: PARENT_NETWORK_ID,
    stacks_tip_height: tip,
    stacks_tip: blockHash("stacks", tip).slice(2),
    stacks_tip_consensus_hash: blockHash("burn", burn).slice(2, 42),
    genesis_chainstate_hash: blockHash("stacks", 0).slice(2),
    unanchored_tip: null,
    unanchored_seq: null,
    tenure_height: burn,
    exit_at_block_height: null,
    is_fully_synced: true,
    node_public_key: null,
    node_public_key_hash: null,
  };
}

/** GET /v2/accounts/{principal} */
export function accountJson(node: LocalNode, principal: string) {
  return {
    balance: u128Hex(node.stxBalance(principal)),
    locked: u128Hex(0n),
    unlock_height: 0,
    nonce: node.nextNonce(principal),
    balance_proof: "",
    nonce_proof: "",
  };
}

/** GET /extended/v1/address/{principal}/nonces */
export function noncesJson(node: LocalNode, principal: string) {
  const next = node.nextNonce(principal);
  return {
    last_mempool_tx_nonce: null,
    last_executed_tx_nonce: next > 0 ? next - 1 : null,
    possible_next_nonce: next,
    detected_missing_nonces: [],
    detected_mempool_nonces: [],
  };
}

/** GET /extended/v1/address/{principal}/stx: the balance and the totals of its STX events and fees. */
export function stxBalanceJson(node: LocalNode, principal: string) {
  let sent = 0n;
  let received = 0n;
  for (const e of node.events) {
    if (e.event_type !== "stx_asset") continue;
    const asset = e.asset as { sender: string; recipient: string; amount: string };
    if (asset.sender === principal) sent += BigInt(asset.amount);
    if (asset.recipient === principal) received += BigInt(asset.amount);
  }
  const fees = node.txs.filter((t) => t.sender === principal).reduce((sum, t) => sum + t.fee, 0n);
  return {
    balance: node.stxBalance(principal).toString(),
    total_sent: sent.toString(),
    total_received: received.toString(),
    total_fees_sent: fees.toString(),
    total_miner_rewards_received: "0",
    lock_tx_id: "",
    locked: "0",
    lock_height: 0,
    burnchain_lock_height: 0,
    burnchain_unlock_height: 0,
  };
}

/** POST /v2/fees/transaction: the low/middle/high fees Stacks.js reads (`estimations[1].fee` by default). */
export function feeEstimateJson(fees: readonly bigint[], estimatedLength: number) {
  return {
    estimated_cost: { write_length: 0, write_count: 0, read_length: 0, read_count: 0, runtime: 0 },
    estimated_cost_scalar: 1,
    cost_scalar_change_by_byte: 0,
    estimations: fees.map((fee) => ({ fee_rate: estimatedLength > 0 ? Number(fee) / estimatedLength : Number(fee), fee: Number(fee) })),
  };
}

function postConditionJson(pc: PostCondition) {
  const principal = pc.address === "origin" ? { type_id: "principal_origin" } : pc.address.includes(".")
    ? { type_id: "principal_contract", address: pc.address.split(".")[0], contract_name: pc.address.split(".")[1] }
    : { type_id: "principal_standard", address: pc.address };
  const code = pc.condition === "eq" ? "sent_equal_to" : pc.condition === "gt" ? "sent_greater_than" : pc.condition === "gte" ? "sent_greater_than_or_equal_to"
    : pc.condition === "lt" ? "sent_less_than" : pc.condition === "lte" ? "sent_less_than_or_equal_to" : pc.condition;
  if (pc.type === "stx-postcondition") return { type: "stx", condition_code: code, amount: String(pc.amount), principal };
  const [contract, assetName] = pc.asset.split("::");
  const asset = { contract_address: contract.split(".")[0], contract_name: contract.split(".")[1], asset_name: assetName };
  if (pc.type === "ft-postcondition") return { type: "fungible", condition_code: code, amount: String(pc.amount), principal, asset };
  return { type: "non_fungible", condition_code: code, principal, asset, asset_value: clarityJson(pc.assetId) };
}

/** A contract ABI type (`getContractsInterfaces`) as Clarity writes it: `uint`, `(string-ascii 256)`, ... */
export function abiTypeString(type: unknown): string {
  if (typeof type === "string") {
    if (type === "uint128") return "uint";
    if (type === "int128") return "int";
    if (type === "trait_reference") return "trait_reference";
    return type;
  }
  const t = type as Record<string, any>;
  if (t.buffer) return `(buff ${t.buffer.length})`;
  if (t["string-ascii"]) return `(string-ascii ${t["string-ascii"].length})`;
  if (t["string-utf8"]) return `(string-utf8 ${t["string-utf8"].length})`;
  if ("optional" in t) return `(optional ${abiTypeString(t.optional)})`;
  if (t.response) return `(response ${abiTypeString(t.response.ok)} ${abiTypeString(t.response.error)})`;
  if (t.list) return `(list ${t.list.length} ${abiTypeString(t.list.type)})`;
  if (t.tuple) return `(tuple ${(t.tuple as { name: string; type: unknown }[]).map((f) => `(${f.name} ${abiTypeString(f.type)})`).join(" ")})`;
  return JSON.stringify(type);
}

/** GET /extended/v1/tx/{txid}: the Stacks API transaction object. */
export function txJson(node: LocalNode, tx: NodeTx) {
  const body: Record<string, unknown> = {
    tx_id: tx.txid,
    nonce: tx.nonce,
    fee_rate: tx.fee.toString(),
    sender_address: tx.sender,
    sponsored: false,
    post_condition_mode: tx.postConditionMode,
    post_conditions: tx.postConditions.map(postConditionJson),
    anchor_mode: "any",
    is_unanchored: false,
    block_hash: blockHash("stacks", tx.blockHeight),
    parent_block_hash: blockHash("stacks", tx.blockHeight - 1),
    block_height: tx.blockHeight,
    burn_block_height: tx.burnBlockHeight,
    burn_block_hash: blockHash("burn", tx.burnBlockHeight),
    canonical: true,
    microblock_canonical: true,
    microblock_sequence: 2147483647,
    microblock_hash: "0x",
    tx_index: tx.txIndex,
    tx_status: tx.status,
    tx_result: clarityJson(tx.result),
    event_count: tx.events.length,
    events: tx.events,
    execution_cost_read_count: 0,
    execution_cost_read_length: 0,
    execution_cost_runtime: 0,
    execution_cost_write_count: 0,
    execution_cost_write_length: 0,
    tx_type: tx.type,
    // local-node extensions: why it aborted, and whether it was recorded from an impersonated simnet
    abort_reason: tx.abortReason,
    impersonated: !tx.signed,
  };
  if (tx.contractCall) {
    const fn = node.contractInterfaces().get(tx.contractCall.contractId)?.functions.find((f) => f.name === tx.contractCall!.functionName);
    body.contract_call = {
      contract_id: tx.contractCall.contractId,
      function_name: tx.contractCall.functionName,
      function_signature: fn ? `(define-${fn.access} (${fn.name}${fn.args.map((a) => ` (${a.name} ${abiTypeString(a.type)})`).join("")}))` : "",
      function_args: tx.contractCall.functionArgs.map((arg, i) => ({
        ...clarityJson(arg),
        name: fn?.args[i]?.name ?? `arg${i}`,
        type: fn?.args[i] ? abiTypeString(fn.args[i].type) : "",
      })),
    };
  }
  if (tx.tokenTransfer) {
    body.token_transfer = {
      recipient_address: tx.tokenTransfer.recipient,
      amount: tx.tokenTransfer.amount.toString(),
      memo: `0x${Buffer.from(tx.tokenTransfer.memo).toString("hex")}`,
    };
  }
  if (tx.smartContract) {
    body.smart_contract = {
      clarity_version: tx.smartContract.clarityVersion,
      contract_id: tx.smartContract.contractId,
      source_code: tx.smartContract.sourceCode,
    };
  }
  return body;
}

/** An API error body like the Stacks API's: `{ error, message? }`. */
export function errorJson(error: string, extra: Record<string, unknown> = {}) {
  return { error, ...extra };
}
