/**
 * The local node (`npm run node`), driven only the way a wallet drives a Stacks node: transactions
 * built and signed with @stacks/transactions, broadcast over HTTP, state read back through the
 * node's RPC and API routes. One node for the whole file.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNetwork, type StacksNetwork } from "@stacks/network";
import {
  Cl,
  Pc,
  broadcastTransaction,
  cvToString,
  fetchAbi,
  deserializeTransaction,
  fetchCallReadOnlyFunction,
  fetchNonce,
  makeContractCall,
  makeContractDeploy,
  makeSTXTokenTransfer,
  makeUnsignedSTXTokenTransfer,
  postConditionToWire,
  privateKeyToPublic,
  TransactionSigner,
  type ClarityValue,
  type PostCondition,
  type StacksTransactionWire,
} from "@stacks/transactions";
import { generateWallet } from "@stacks/wallet-sdk";
import { deserializeTransactionOfAnySize, makeContractDeployOfAnySize, marketCalls, type MarketCall } from "../src/client/index.ts";
import { MANIFEST_PATH } from "../src/simnet.ts";
import { FEE_ESTIMATES, MINER_ADDRESS, startNode, type RunningNode } from "../src/node/server.ts";
import { parseArgs, UsageError } from "../src/node/cli.ts";

const STAKE = 1_000_000n;
const FEE = 2_000n;

interface Wallet {
  address: string;
  key: string;
}

let running: RunningNode;
let network: StacksNetwork;
let deployer: Wallet;
let provider: Wallet;
let other: Wallet;

/** The Devnet.toml mnemonic of account `name` (the public test keys the simnet funds). */
function devnetMnemonic(name: string): string {
  const toml = readFileSync(MANIFEST_PATH.replace(/Clarinet\.toml$/, "settings/Devnet.toml"), "utf8");
  const section = toml.split(`[accounts.${name}]`)[1];
  const mnemonic = section?.match(/mnemonic\s*=\s*"([^"]+)"/)?.[1];
  if (!mnemonic) throw new Error(`Devnet.toml has no mnemonic for ${name}`);
  return mnemonic;
}

async function devnetWallet(name: string): Promise<Wallet> {
  const wallet = await generateWallet({ secretKey: devnetMnemonic(name), password: "" });
  const key = wallet.accounts[0].stxPrivateKey;
  const address = running.node.accounts.get(name);
  if (!address) throw new Error(`no account ${name}`);
  return { address, key };
}

async function getJson(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const response = await fetch(`${running.url}${path}`, init);
  return { status: response.status, body: await response.json() };
}

const postJson = (path: string, body: unknown) =>
  getJson(path, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

/** Signs `call` (a marketCalls builder's options, possibly with its post-conditions changed) as `who`. */
async function signCall(who: Wallet, call: Omit<MarketCall, "postConditionMode"> & { postConditionMode: "deny" | "allow" }): Promise<StacksTransactionWire> {
  return makeContractCall({ ...call, senderKey: who.key, network, fee: FEE });
}

async function broadcast(transaction: StacksTransactionWire) {
  return broadcastTransaction({ transaction, network });
}

/** Broadcasts and returns the mined transaction as the Stacks API shows it. */
async function mined(transaction: StacksTransactionWire): Promise<any> {
  const result = await broadcast(transaction);
  if (!("txid" in result) || "error" in result) throw new Error(`rejected: ${JSON.stringify(result)}`);
  const { status, body } = await getJson(`/extended/v1/tx/0x${result.txid}`);
  expect(status).toBe(200);
  return body;
}

async function stx(who: string): Promise<bigint> {
  return BigInt((await getJson(`/extended/v1/address/${who}/stx`)).body.balance);
}

async function readOnly(functionName: string, functionArgs: ClarityValue[]): Promise<ClarityValue> {
  const [contractAddress, contractName] = running.contractId.split(".");
  return fetchCallReadOnlyFunction({ contractAddress, contractName, functionName, functionArgs, senderAddress: deployer.address, network });
}

const calls = () => marketCalls(running.contractId);

beforeAll(async () => {
  running = await startNode({ port: 0 });
  network = createNetwork({ network: "testnet", client: { baseUrl: running.url } });
  [deployer, provider, other] = await Promise.all([devnetWallet("deployer"), devnetWallet("wallet_1"), devnetWallet("wallet_2")]);
}, 60_000);

afterAll(async () => {
  await running?.close();
});

describe("GET /v2/info", () => {
  it("reports a testnet node named ntm-local-node with its heights", async () => {
    const { status, body } = await getJson("/v2/info");
    expect(status).toBe(200);
    expect(body.network_id).toBe(2147483648);
    expect(body.server_version).toContain("ntm-local-node");
    expect(body.burn_block_height).toBe(running.node.burnHeight);
    expect(body.stacks_tip_height).toBe(running.node.stacksTipHeight);
  });
});

describe("GET /v2/contracts/interface and POST /v2/contracts/call-read", () => {
  it("serves the market's ABI to fetchAbi", async () => {
    const [contractAddress, contractName] = running.contractId.split(".");
    const abi = await fetchAbi({ contractAddress, contractName, network });
    expect(abi.functions.find((f) => f.name === "register-dataset")?.access).toBe("public");
  });

  it("answers okay:false with a cause for a function the contract lacks", async () => {
    const { status, body } = await postJson(`/v2/contracts/call-read/${running.contractId.replace(".", "/")}/no-such-view`, { sender: deployer.address, arguments: [] });
    expect(status).toBe(200);
    expect(body.okay).toBe(false);
    expect(body.cause).toMatch(/no-such-view/);
  });
});

describe("POST /v2/transactions (contract call)", () => {
  let tx: any;
  let before: { provider: bigint; market: bigint; miner: bigint };
  let nonceBefore: bigint;

  beforeAll(async () => {
    nonceBefore = await fetchNonce({ address: provider.address, network });
    before = { provider: await stx(provider.address), market: await stx(running.contractId), miner: await stx(MINER_ADDRESS) };
    tx = await mined(await signCall(provider, calls().registerDataset({ caller: provider.address, stake: STAKE, metadataUri: "ipfs://dataset-metadata" })));
  });

  it("mines the call as success with the contract's result", () => {
    expect(tx.tx_status).toBe("success");
    expect(tx.tx_type).toBe("contract_call");
    expect(tx.tx_result.repr).toBe("(ok u1)");
    expect(tx.sender_address).toBe(provider.address);
    expect(tx.contract_call.function_name).toBe("register-dataset");
    expect(tx.contract_call.function_args.map((a: any) => a.repr)).toEqual(["u1000000", '"ipfs://dataset-metadata"']);
  });

  it("moves the stake to the contract and the fee to the miner", async () => {
    expect(await stx(provider.address)).toBe(before.provider - STAKE - FEE);
    expect(await stx(running.contractId)).toBe(before.market + STAKE);
    expect(await stx(MINER_ADDRESS)).toBe(before.miner + FEE);
  });

  it("lists the STX transfer and the print event", () => {
    const transfer = tx.events.find((e: any) => e.event_type === "stx_asset");
    expect(transfer.asset).toMatchObject({ asset_event_type: "transfer", sender: provider.address, recipient: running.contractId, amount: STAKE.toString() });
    const print = tx.events.find((e: any) => e.event_type === "smart_contract_log");
    expect(print.contract_log.contract_id).toBe(running.contractId);
    expect(print.contract_log.value.repr).toContain('(event "dataset-registered")');
    expect(tx.event_count).toBe(tx.events.length);
  });

  it("advances the sender's nonce", async () => {
    expect(await fetchNonce({ address: provider.address, network })).toBe(nonceBefore + 1n);
    expect(tx.nonce).toBe(Number(nonceBefore));
  });

  it("is readable back through a read-only call", async () => {
    const dataset = await readOnly("get-dataset", [Cl.uint(1)]);
    expect(cvToString(dataset)).toContain('(metadata-uri "ipfs://dataset-metadata")');
  });
});

describe("post-conditions", () => {
  // the stake provider sends is 1 STX; a condition promising less is violated
  const tooSmall = () => ({ ...calls().registerDataset({ caller: other.address, stake: STAKE, metadataUri: "ipfs://too-small" }), postConditions: [Pc.principal(other.address).willSendEq(STAKE - 1n).ustx()] });
  let aborted: any;
  let before: { other: bigint; market: bigint; nonce: bigint; ids: string };

  beforeAll(async () => {
    before = {
      other: await stx(other.address),
      market: await stx(running.contractId),
      nonce: await fetchNonce({ address: other.address, network }),
      ids: cvToString(await readOnly("get-last-ids", [])),
    };
    aborted = await mined(await signCall(other, tooSmall()));
  });

  it("mines a violated deny-mode call as abort_by_post_condition", () => {
    expect(aborted.tx_status).toBe("abort_by_post_condition");
    expect(aborted.events).toEqual([]);
  });

  it("leaves no trace but the fee and the nonce", async () => {
    expect(await stx(other.address)).toBe(before.other - FEE);
    expect(await stx(running.contractId)).toBe(before.market);
    expect(cvToString(await readOnly("get-last-ids", []))).toBe(before.ids);
    expect(await fetchNonce({ address: other.address, network })).toBe(before.nonce + 1n);
  });

  it("refuses an uncovered transfer in deny mode even with no condition", async () => {
    const tx = await mined(await signCall(other, { ...tooSmall(), postConditions: [] }));
    expect(tx.tx_status).toBe("abort_by_post_condition");
  });

  it("lets the same call through in allow mode", async () => {
    const tx = await mined(await signCall(other, { ...tooSmall(), postConditions: [], postConditionMode: "allow" }));
    expect(tx.tx_status).toBe("success");
    expect(await stx(other.address)).toBe(before.other - 3n * FEE - STAKE);
  });
});

describe("post-conditions on tokens", () => {
  // mints 5 `t` and NFT `id` to the caller, then sends 2 `t` and the NFT to `to`
  const TOKEN_SOURCE = `(define-fungible-token t) (define-non-fungible-token n uint)
    (define-public (give (id uint) (to principal))
      (begin (try! (ft-mint? t u5 tx-sender)) (try! (ft-transfer? t u2 tx-sender to))
             (try! (nft-mint? n id tx-sender)) (try! (nft-transfer? n id tx-sender to)) (ok id)))`;
  const give = async (id: number, postConditions: PostCondition[]) =>
    mined(await makeContractCall({ contractAddress: other.address, contractName: "tok", functionName: "give", functionArgs: [Cl.uint(id), Cl.principal(deployer.address)], senderKey: other.key, network, fee: FEE, postConditions }));

  beforeAll(async () => {
    expect((await mined(await makeContractDeploy({ contractName: "tok", codeBody: TOKEN_SOURCE, senderKey: other.key, network, fee: FEE }))).tx_status).toBe("success");
  });

  it("aborts uncovered fungible and non-fungible sends in deny mode", async () => {
    const tx = await give(1, []);
    expect(tx.tx_status).toBe("abort_by_post_condition");
    expect(tx.abort_reason).toMatch(/tok::t/);
    expect(tx.abort_reason).toMatch(/tok::n/);
  });

  it("passes when conditions cover both and hold, listing the token events", async () => {
    const tx = await give(1, [
      Pc.principal(other.address).willSendEq(2).ft(`${other.address}.tok`, "t"),
      Pc.principal(other.address).willSendAsset().nft(`${other.address}.tok::n`, Cl.uint(1)),
    ]);
    expect(tx.tx_status).toBe("success");
    expect(tx.events.map((e: any) => `${e.event_type}:${e.asset.asset_event_type}`)).toEqual([
      "fungible_token_asset:mint",
      "fungible_token_asset:transfer",
      "non_fungible_token_asset:mint",
      "non_fungible_token_asset:transfer",
    ]);
  });

  it("requires a condition per NFT id moved: a not-sent condition on u1 does not cover u5 in deny mode", async () => {
    const tx = await give(5, [
      Pc.principal(other.address).willSendEq(2).ft(`${other.address}.tok`, "t"),
      Pc.principal(other.address).willNotSendAsset().nft(`${other.address}.tok::n`, Cl.uint(1)),
    ]);
    expect(tx.tx_status).toBe("abort_by_post_condition");
    expect(tx.abort_reason).toMatch(/tok::n 0100000000000000000000000000000005 not covered/);
  });

  it("aborts when the NFT condition names another id", async () => {
    const tx = await give(2, [
      Pc.principal(other.address).willSendEq(2).ft(`${other.address}.tok`, "t"),
      Pc.principal(other.address).willSendAsset().nft(`${other.address}.tok::n`, Cl.uint(3)),
    ]);
    expect(tx.tx_status).toBe("abort_by_post_condition");
  });
});

describe("post-conditions on an err result", () => {
  it("checks them against no asset movement: a deny-mode bid promising its amount that returns (err u301) aborts by post-condition", async () => {
    const before = await stx(provider.address);
    // the dataset's own provider bids on it: the contract answers ERR_SELF_BID before moving anything
    const bid = calls().placeComputationBid({ caller: provider.address, datasetId: 1, amount: 100_000n, duration: 10, deadline: 1_000_000 });
    const tx = await mined(await signCall(provider, bid));
    expect(tx.tx_status).toBe("abort_by_post_condition");
    expect(tx.tx_result.repr).toBe("(err u301)");
    expect(tx.abort_reason).toMatch(/sent 0 uSTX, post-condition requires eq 100000/);
    expect(await stx(provider.address)).toBe(before - FEE);
  });
});

describe("refused transactions", () => {
  it("refuses a tampered signature and changes nothing", async () => {
    const signed = await makeSTXTokenTransfer({ recipient: other.address, amount: 5n, senderKey: deployer.key, network, fee: FEE });
    const bytes = signed.serialize();
    // the payload ends with the 8-byte amount and the 34-byte memo: make the amount 6, which the signature does not cover
    expect(bytes.slice(-70, -68)).toBe("05");
    const tampered = deserializeTransaction(`${bytes.slice(0, -70)}06${bytes.slice(-68)}`);
    const balance = await stx(deployer.address);
    const nonce = await fetchNonce({ address: deployer.address, network });
    const result: any = await broadcast(tampered);
    expect(result.error).toBe("transaction rejected");
    expect(result.reason).toBe("SignatureValidation");
    expect(await stx(deployer.address)).toBe(balance);
    expect(await fetchNonce({ address: deployer.address, network })).toBe(nonce);
  });

  it("refuses a wrong nonce with BadNonce", async () => {
    const nonce = await fetchNonce({ address: deployer.address, network });
    const signed = await makeSTXTokenTransfer({ recipient: other.address, amount: 5n, senderKey: deployer.key, network, fee: FEE, nonce: nonce + 5n });
    const result: any = await broadcast(signed);
    expect(result.reason).toBe("BadNonce");
    expect(result.reason_data).toMatchObject({ expected: Number(nonce), actual: Number(nonce) + 5 });
  });

  it("refuses a token transfer carrying post-conditions", async () => {
    // Stacks.js's transfer builder takes no post-conditions: add one before signing, as a crafted client could
    const signed = await makeUnsignedSTXTokenTransfer({ recipient: other.address, amount: 5n, publicKey: privateKeyToPublic(deployer.key) as string, network, fee: FEE });
    signed.postConditions.values.push(postConditionToWire(Pc.principal(deployer.address).willSendEq(5n).ustx()));
    new TransactionSigner(signed).signOrigin(deployer.key);
    const result: any = await broadcast(signed);
    expect(result.reason).toBe("NotSupported");
    expect(result.reason_data.message).toMatch(/TokenTransfer transactions do not support post-conditions/);
  });

  it("refuses a fee under 1 uSTX per byte with FeeTooLow", async () => {
    const signed = await makeSTXTokenTransfer({ recipient: other.address, amount: 5n, senderKey: deployer.key, network, fee: 10n });
    const result: any = await broadcast(signed);
    expect(result.reason).toBe("FeeTooLow");
    expect(result.reason_data).toMatchObject({ expected: signed.serialize().length / 2, actual: 10 });
  });

  it("quotes a large transaction at least the minimum relay fee, so a deploy at the quoted fee is accepted", async () => {
    const codeBody = `(define-read-only (big) u1)\n${";; padding to make the transaction larger than the fixed quotes\n".repeat(80)}`;
    expect(codeBody.length).toBeGreaterThan(Number(FEE_ESTIMATES[2]));
    const tx = await mined(await makeContractDeploy({ contractName: "big", codeBody, senderKey: other.key, network }));
    expect(tx.tx_status).toBe("success");
    expect(BigInt(tx.fee_rate)).toBeGreaterThanOrEqual(BigInt(codeBody.length));
  });

  it("refuses trailing bytes after a transaction", async () => {
    const signed = await makeSTXTokenTransfer({ recipient: other.address, amount: 5n, senderKey: deployer.key, network, fee: FEE });
    const { status, body } = await postJson("/v2/transactions", { tx: `${signed.serialize()}00` });
    expect(status).toBe(400);
    expect(body.reason).toBe("Deserialization");
    expect(body.reason_data.message).toMatch(/trailing bytes/);
  });

  it("refuses a deploy whose code body is not printable ASCII", async () => {
    const signed = await makeContractDeploy({ contractName: "accent", codeBody: "(define-read-only (x) u1) ;; caf\u00e9", senderKey: other.key, network, fee: FEE });
    const result: any = await broadcast(signed);
    expect(result.reason).toBe("Deserialization");
    expect(result.reason_data.message).toMatch(/printable ASCII/);
  });

  it("executes an STX transfer signed with the right nonce, at the node's estimated fee", async () => {
    const before = await stx(other.address);
    // no fee and no nonce given: Stacks.js asks /v2/fees/transaction and /extended/v1/address/{p}/nonces
    const tx = await mined(await makeSTXTokenTransfer({ recipient: other.address, amount: 5n, senderKey: deployer.key, network }));
    expect(tx.tx_type).toBe("token_transfer");
    expect(tx.tx_status).toBe("success");
    expect(tx.fee_rate).toBe(FEE_ESTIMATES[1].toString());
    expect(await stx(other.address)).toBe(before + 5n);
  });
});

describe("contract deploy", () => {
  it("deploys a contract a later call can use, and lists its events newest first", async () => {
    const source = "(define-public (say (n uint)) (begin (print n) (ok n))) (define-public (boom) (begin (print u0) (ok (unwrap-panic (element-at? (list u1) u5)))))";
    const deploy = await mined(await makeContractDeploy({ contractName: "echo", codeBody: source, senderKey: provider.key, network, fee: FEE }));
    expect(deploy.tx_status).toBe("success");
    expect(deploy.smart_contract.contract_id).toBe(`${provider.address}.echo`);
    for (const n of [1, 2]) {
      const call = await makeContractCall({ contractAddress: provider.address, contractName: "echo", functionName: "say", functionArgs: [Cl.uint(n)], senderKey: provider.key, network, fee: FEE });
      expect((await mined(call)).tx_result.repr).toBe(`(ok u${n})`);
    }
    const { body } = await getJson(`/extended/v1/contract/${provider.address}.echo/events?limit=10`);
    expect(body.results.map((e: any) => e.contract_log.value.repr)).toEqual(["u2", "u1"]);
    const page = (await getJson(`/extended/v1/contract/${provider.address}.echo/events?limit=1&offset=1`)).body;
    expect(page.results.map((e: any) => e.contract_log.value.repr)).toEqual(["u1"]);
  });

  it("mines a call the VM aborts at run time as abort_by_response, fee paid, no events", async () => {
    const before = await stx(provider.address);
    const call = await makeContractCall({ contractAddress: provider.address, contractName: "echo", functionName: "boom", functionArgs: [], senderKey: provider.key, network, fee: FEE });
    const tx = await mined(call);
    expect(tx.tx_status).toBe("abort_by_response");
    expect(tx.events).toEqual([]);
    expect(tx.abort_reason).toBeTruthy();
    expect(await stx(provider.address)).toBe(before - FEE);
  });

  it("refuses a call whose argument does not type-check, and a second deploy of the same name", async () => {
    const call = await makeContractCall({ contractAddress: provider.address, contractName: "echo", functionName: "say", functionArgs: [Cl.int(1)], senderKey: provider.key, network, fee: FEE });
    const refused: any = await broadcast(call);
    expect(refused.reason).toBe("BadFunctionArgument");
    const again: any = await broadcast(await makeContractDeploy({ contractName: "echo", codeBody: "(define-read-only (x) u1)", senderKey: provider.key, network, fee: FEE }));
    expect(again.reason).toBe("ContractAlreadyExists");
  });
});

describe("deserializeTransactionOfAnySize and makeContractDeployOfAnySize", () => {
  // a deploy over Stacks.js's 100,000-byte limit, so the fallback reader parses it
  const largeDeploy = () =>
    makeContractDeployOfAnySize({ contractName: "large", codeBody: `(define-read-only (x) u1)\n${";".repeat(100_050)}`, senderKey: other.key, network, nonce: 0n, fee: 200_000n });

  it("reads a large deploy back, and refuses an unknown post-condition mode byte in it", async () => {
    const hex = (await largeDeploy()).serialize();
    expect(deserializeTransactionOfAnySize(hex).payload).toMatchObject({ contractName: { content: "large" } });
    // version 1 + chain id 4 + single-sig auth 104 + anchor mode 1: the post-condition mode byte (deny = 02)
    const at = 2 * (1 + 4 + 104 + 1);
    expect(hex.slice(at, at + 2)).toBe("02");
    expect(() => deserializeTransactionOfAnySize(`${hex.slice(0, at)}07${hex.slice(at + 2)}`)).toThrow(/PostConditionMode/);
    expect(() => deserializeTransactionOfAnySize(`${hex}00`)).toThrow(/trailing bytes/);
  });

  it("refuses to build a deploy whose source is not printable ASCII", async () => {
    await expect(makeContractDeployOfAnySize({ contractName: "x", codeBody: "(define-read-only (x) u1)\r\n", senderKey: other.key, network, nonce: 0n, fee: FEE })).rejects.toThrow(
      /printable ASCII.*U\+000D/,
    );
  });
});

describe("POST /ntm/v1/mine", () => {
  it("advances the burn height by the requested blocks", async () => {
    const before = (await getJson("/v2/info")).body.burn_block_height;
    const { body } = await postJson("/ntm/v1/mine", { burnBlocks: 3 });
    expect(body.burn_block_height).toBe(before + 3);
    expect((await getJson("/v2/info")).body.burn_block_height).toBe(before + 3);
  });
});

describe("recordingSimnet", () => {
  it("refuses a transfer amount the simnet cannot represent exactly", () => {
    const { simnet } = running.node.recordingSimnet();
    expect(() => simnet.transferSTX(2n ** 53n + 1n, other.address, deployer.address)).toThrow(/above 9007199254740991/);
  });

  it("records an impersonated call as a transaction with its events", async () => {
    const { simnet } = running.node.recordingSimnet();
    const nonce = await fetchNonce({ address: other.address, network });
    const result = simnet.callPublicFn(running.contractId, "register-dataset", [Cl.uint(STAKE), Cl.stringAscii("ipfs://impersonated")], other.address);
    expect(cvToString(result.result)).toMatch(/^\(ok u\d+\)$/);
    const recorded = running.node.txs[running.node.txs.length - 1];
    const { body } = await getJson(`/extended/v1/tx/${recorded.txid}`);
    expect(body.tx_status).toBe("success");
    expect(body.nonce).toBe(Number(nonce));
    const events = (await getJson(`/extended/v1/contract/${running.contractId}/events?limit=1`)).body.results;
    expect(events[0].tx_id).toBe(recorded.txid);
    expect(events[0].contract_log.value.repr).toContain("ipfs://impersonated");
  });
});

describe("bad input", () => {
  it("answers malformed bodies with 400 and a reason", async () => {
    const garbage = await postJson("/v2/transactions", "{not json");
    expect(garbage.status).toBe(400);
    expect(garbage.body.error).toMatch(/JSON/);
    const notTx = await postJson("/v2/transactions", { tx: "00ff" });
    expect(notTx.status).toBe(400);
    expect(notTx.body.reason).toBe("Deserialization");
    const badArgs = await postJson(`/v2/contracts/call-read/${running.contractId.replace(".", "/")}/get-dataset`, { sender: deployer.address, arguments: ["zz"] });
    expect(badArgs.status).toBe(400);
    const badMine = await postJson("/ntm/v1/mine", { burnBlocks: -1 });
    expect(badMine.status).toBe(400);
  });

  it("answers a malformed percent-escape with 400", async () => {
    const { status, body } = await getJson("/v2/accounts/%E0%A4");
    expect(status).toBe(400);
    expect(body.error).toMatch(/percent-encoding/);
  });

  it("refuses writes that are not JSON or raw bytes with 415 (no drive-by form posts), keeps CORS on reads", async () => {
    const before = running.node.burnHeight;
    const mine = await getJson("/ntm/v1/mine", { method: "POST", headers: { "content-type": "text/plain" }, body: '{"burnBlocks":1}' });
    expect(mine.status).toBe(415);
    const broadcastForm = await getJson("/v2/transactions", { method: "POST", headers: { "content-type": "text/plain" }, body: '{"tx":"00"}' });
    expect(broadcastForm.status).toBe(415);
    expect(running.node.burnHeight).toBe(before);
    const read = await fetch(`${running.url}/v2/info`);
    expect(read.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("answers unknown routes and transactions with 404", async () => {
    expect((await getJson("/v2/nothing")).status).toBe(404);
    expect((await getJson(`/extended/v1/tx/0x${"0".repeat(64)}`)).status).toBe(404);
  });
});

describe("parseArgs (npm run node flags)", () => {
  it("reads port, host and block time", () => {
    expect(parseArgs(["--port", "0", "--host=0.0.0.0", "--block-time", "5000"])).toMatchObject({ port: 0, host: "0.0.0.0", blockTimeMs: 5000 });
  });

  it("returns null for --help", () => {
    expect(parseArgs(["--help"])).toBeNull();
  });

  it("refuses unknown flags and out-of-range values", () => {
    expect(() => parseArgs(["--bogus"])).toThrow(UsageError);
    expect(() => parseArgs(["--port", "70000"])).toThrow(/--port/);
    expect(() => parseArgs(["--block-time", "0"])).toThrow(/--block-time/);
    expect(() => parseArgs(["--port"])).toThrow(/--port/);
  });
});

// last in the file: it leaves the shared node refusing writes
describe("failed state after a rollback that cannot rebuild", () => {
  it("refuses every write with 503 once a replay diverges, and keeps serving reads", async () => {
    running.node.tamperLoggedOutcomeForTest(0);
    const violating = { ...calls().registerDataset({ caller: other.address, stake: STAKE, metadataUri: "ipfs://diverge" }), postConditions: [] };
    const signed = await signCall(other, violating);
    const rollback = await postJson("/v2/transactions", { tx: signed.serialize() });
    expect(rollback.status).toBe(503);
    expect(rollback.body.reason).toMatch(/replay diverged at logged operation 0/);
    expect(running.node.failureReason).toMatch(/replay diverged/);
    const mine = await postJson("/ntm/v1/mine", { burnBlocks: 1 });
    expect(mine.status).toBe(503);
    expect(mine.body.error).toBe("local node failed");
    expect(() => running.node.recordingSimnet().simnet.mineEmptyBlock()).toThrow(/failed state/);
    expect((await getJson("/v2/info")).status).toBe(200);
  });
});
