/**
 * Contract deployments of any size. Stacks.js 7.4 builds and parses a contract's code body only up
 * to 100,000 bytes: its own limit, not the chain's (stacks-core reads a code body up to its
 * transaction size limit, and deploys over 100 KB exist on mainnet). The market's source, comments
 * included, is larger, and the source on chain is what users read, so it is deployed byte for byte:
 * the transaction is built by Stacks.js around a placeholder body that is then replaced, before the
 * fee is estimated and the transaction signed. `deserializeTransactionOfAnySize` reads such a
 * transaction back (the local node uses it), refusing what stacks-core refuses: unknown version,
 * anchor-mode and post-condition-mode bytes, trailing bytes, and a code body that is not printable
 * ASCII (stacks-core's `StacksString::is_valid_string`: bytes 0x20-0x7e, tab and newline).
 */
import {
  AnchorMode,
  BytesReader,
  ClarityVersion,
  PayloadType,
  PostConditionMode,
  StacksTransactionWire,
  StacksWireType,
  TransactionSigner,
  createLPString,
  deserializeAuthorization,
  deserializeLPList,
  deserializeLPString,
  deserializeTransaction,
  estimateTransactionByteLength,
  fetchFeeEstimateTransaction,
  makeUnsignedContractDeploy,
  privateKeyToPublic,
  serializePayload,
  type PostConditionWire,
} from "@stacks/transactions";
import { TransactionVersion, type StacksNetwork, type StacksNetworkName } from "@stacks/network";

/** The longest code body a deploy carries here: stacks-core's transaction payload limit (16 MiB). */
export const MAX_CODE_BODY_BYTES = 16 * 1024 * 1024;

export interface ContractDeployOptions {
  contractName: string;
  /** The Clarity source, deployed byte for byte. */
  codeBody: string;
  senderKey: string;
  network: StacksNetwork | StacksNetworkName;
  nonce: bigint;
  /** micro-STX; estimated by the network's node for the real payload when absent. */
  fee?: bigint;
  /** Base URL of the node to estimate the fee with (the network's default otherwise). */
  baseUrl?: string;
}

/**
 * Where `codeBody` breaks stacks-core's rule for a contract's source (every character printable
 * ASCII 0x20-0x7e, a tab or a newline; so no carriage return and nothing outside ASCII), as
 * "character N (U+XXXX)", or null if it is valid.
 */
export function invalidCodeBodyCharacter(codeBody: string): string | null {
  for (let i = 0; i < codeBody.length; i++) {
    const code = codeBody.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a) || code > 0x7e) return `character ${i} (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
  }
  return null;
}

/** A signed Clarity 4 contract deployment (deny mode, no post-condition), whatever its size. */
export async function makeContractDeployOfAnySize(options: ContractDeployOptions): Promise<StacksTransactionWire> {
  const bytes = new TextEncoder().encode(options.codeBody).length;
  if (bytes === 0 || bytes > MAX_CODE_BODY_BYTES) throw new RangeError(`a contract's source must be 1 to ${MAX_CODE_BODY_BYTES} bytes, got ${bytes}`);
  const invalid = invalidCodeBodyCharacter(options.codeBody);
  if (invalid) throw new RangeError(`a contract's source must be printable ASCII, tabs and newlines (a node refuses anything else): ${invalid} is not`);
  const transaction = await makeUnsignedContractDeploy({
    contractName: options.contractName,
    codeBody: "(begin true)",
    clarityVersion: ClarityVersion.Clarity4,
    publicKey: privateKeyToPublic(options.senderKey) as string,
    network: options.network,
    nonce: options.nonce,
    fee: options.fee ?? 0n,
    postConditionMode: "deny",
  });
  if (transaction.payload.payloadType !== PayloadType.VersionedSmartContract) throw new Error("Stacks.js built a deployment that is not a versioned smart contract");
  transaction.payload = { ...transaction.payload, codeBody: createLPString(options.codeBody, 4, MAX_CODE_BODY_BYTES) };
  if (options.fee === undefined) {
    const estimates = await fetchFeeEstimateTransaction({
      payload: serializePayload(transaction.payload),
      estimatedLength: estimateTransactionByteLength(transaction),
      network: options.network,
      ...(options.baseUrl ? { client: { baseUrl: options.baseUrl } } : {}),
    });
    // the middle estimate, as makeContractDeploy takes it
    transaction.setFee(BigInt(estimates[1]?.fee ?? estimates[0]!.fee));
  }
  new TransactionSigner(transaction).signOrigin(options.senderKey);
  return transaction;
}

/**
 * `deserializeTransaction`, except that a contract's code body may be longer than 100,000 bytes;
 * throws on trailing bytes and on a code body that is not printable ASCII (see the module comment).
 */
export function deserializeTransactionOfAnySize(hex: string): StacksTransactionWire {
  const bytes = bytesOfHex(hex);
  let transaction: StacksTransactionWire;
  try {
    const reader = new BytesReader(bytes);
    transaction = deserializeTransaction(reader);
    if (reader.consumed !== bytes.length) throw new Error(`${bytes.length - reader.consumed} trailing bytes after the transaction`);
  } catch (error) {
    if (!(error instanceof Error) || !/exceeds maximum/.test(error.message)) throw error;
    transaction = deserializeLargeDeploy(bytes);
  }
  const payload = transaction.payload;
  if (payload.payloadType === PayloadType.SmartContract || payload.payloadType === PayloadType.VersionedSmartContract) {
    const invalid = invalidCodeBodyCharacter(payload.codeBody.content);
    if (invalid) throw new Error(`a contract's code body must be printable ASCII, tabs and newlines: ${invalid} is not`);
  }
  return transaction;
}

/** Reads one byte that must be a member of `values`, the way Stacks.js's `readUInt8Enum` does. */
function readEnumByte<T extends number>(reader: BytesReader, values: readonly T[], what: string): T {
  const byte = reader.readUInt8();
  if (!(values as readonly number[]).includes(byte)) throw new Error(`Could not parse ${byte} as ${what}`);
  return byte as T;
}

/** A contract deployment whose code body is over Stacks.js's 100,000-byte limit. */
function deserializeLargeDeploy(bytes: Uint8Array): StacksTransactionWire {
  // the same fields in the same order as Stacks.js reads them, with the code body's limit raised
  const reader = new BytesReader(bytes);
  const transactionVersion = readEnumByte(reader, [TransactionVersion.Mainnet, TransactionVersion.Testnet], "TransactionVersion");
  const chainId = reader.readUInt32BE();
  const auth = deserializeAuthorization(reader);
  const anchorMode = readEnumByte(reader, [AnchorMode.OnChainOnly, AnchorMode.OffChainOnly, AnchorMode.Any], "AnchorMode");
  const postConditionMode = readEnumByte(reader, [PostConditionMode.Allow, PostConditionMode.Deny, PostConditionMode.Originator], "PostConditionMode");
  const postConditions = deserializeLPList(reader, StacksWireType.PostCondition);
  const payloadType = reader.readUInt8();
  if (payloadType !== PayloadType.SmartContract && payloadType !== PayloadType.VersionedSmartContract) {
    throw new Error("only a contract deployment may carry a string over 100,000 bytes");
  }
  const clarityVersion =
    payloadType === PayloadType.VersionedSmartContract ? readEnumByte(reader, Object.values(ClarityVersion).filter((v): v is ClarityVersion => typeof v === "number"), "ClarityVersion") : undefined;
  const contractName = deserializeLPString(reader);
  const codeBody = deserializeLPString(reader, 4, MAX_CODE_BODY_BYTES);
  if (reader.consumed !== bytes.length) throw new Error(`${bytes.length - reader.consumed} trailing bytes after the transaction`);
  const payload =
    clarityVersion === undefined
      ? { type: StacksWireType.Payload as const, payloadType: PayloadType.SmartContract as const, contractName, codeBody }
      : { type: StacksWireType.Payload as const, payloadType: PayloadType.VersionedSmartContract as const, clarityVersion, contractName, codeBody };
  const transaction = new StacksTransactionWire({
    transactionVersion,
    chainId,
    auth,
    payload,
    postConditions: postConditions as unknown as { type: StacksWireType.LengthPrefixedList; lengthPrefixBytes: number; values: PostConditionWire[] },
    postConditionMode,
  });
  transaction.anchorMode = anchorMode;
  return transaction;
}

function bytesOfHex(hex: string): Uint8Array {
  const digits = hex.replace(/^0x/, "");
  if (digits.length % 2 !== 0 || /[^0-9a-fA-F]/.test(digits)) throw new Error("a transaction must be hex");
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
