/**
 * The `ntm` CLI, run in-process through `main(argv, io)` with captured streams: usage errors
 * exit 2 with one line before any work; on the simnet a command runs on a fresh chain; against
 * the local node (src/node/server.ts) datasets, bids, views, a contract error, a deployment and
 * the keystore work end to end, the public Devnet keys never sign on a public network, and no
 * private key ever appears in any output.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/ntm.ts";
import type { CliIo } from "../src/cli/io.ts";
import { OUTCOME } from "../src/errors.ts";
import { devnetMnemonics, keyFromMnemonic, keyPair, newPrivateKey } from "../src/cli/keys.ts";
import { parseNetwork } from "../src/cli/session.ts";
import { NodeChain } from "../src/agents/node-chain.ts";
import { ProviderAgent } from "../src/agents/provider.ts";
import { loadBuiltinDataset, splitDataset } from "../src/ml/index.ts";
import { LocalStore } from "../src/store/index.ts";
import { startNode, type RunningNode } from "../src/node/server.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

let node: RunningNode;
let home: string;
/** Every Devnet.toml private key: none may ever be printed. */
const secrets: string[] = [];
/** Everything any command printed, for the no-key check. */
let printed = "";
const wallet: Record<string, { key: string; address: string }> = {};

/**
 * The streams `main` runs with, captured: stdin is not a terminal unless `terminal` gives what a
 * user types at it; `onStdout` sees everything written to stdout so far, after each write.
 */
function capturedIo(options: { env?: Record<string, string>; terminal?: string; signal?: AbortSignal; onStdout?: (all: string) => void } = {}) {
  const captured = { out: "", err: "" };
  const stdin = Object.assign(new PassThrough(), { isTTY: options.terminal !== undefined });
  if (options.terminal !== undefined) stdin.write(options.terminal);
  else stdin.end();
  const io: CliIo = {
    stdout: {
      write: (s: string) => {
        captured.out += s;
        options.onStdout?.(captured.out);
      },
    },
    stderr: { write: (s: string) => (captured.err += s) },
    stdin,
    env: { HOME: home, NTM_KEYSTORE: join(home, "keystore.json"), ...options.env },
    signal: options.signal,
  };
  return { io, captured };
}

/**
 * Runs `ntm ...args` in-process with a clean environment (plus `env`); stdin is not a terminal
 * unless `terminal` gives what a user types at it.
 */
async function ntm(args: string[], env: Record<string, string> = {}, terminal?: string) {
  const { io, captured } = capturedIo({ env, terminal });
  const code = await main(args, io);
  printed += captured.out + captured.err;
  return { code, out: captured.out, err: captured.err };
}

/** A fresh key that is no Devnet.toml account (pasted into errors by the redaction tests). */
const stranger = keyPair(newPrivateKey());

/** `ntm ... --network testnet` against some market id (nothing there is read before the refusals). */
const onTestnet = (args: string[], env?: Record<string, string>) => ntm([...args, "--network", "testnet", "--contract", `${stranger.testnet}.market`], env);

/** `ntm ... --network <node> --yes` */
/** Starts `ntm store serve` in-process; resolves with its URL once it listens, and a stop. */
async function serveCommand(dir: string): Promise<{ url: string; stop: () => Promise<number> }> {
  const stop = new AbortController();
  let listening!: (url: string) => void;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const { io } = capturedIo({
    signal: stop.signal,
    onStdout: (out) => {
      const m = /at (http:\/\/[^/\s]+)\/ipfs\//.exec(out);
      if (m) listening(m[1]!);
    },
  });
  const exited = main(["store", "serve", "--store", dir, "--port", "0"], io);
  return { url: await Promise.race([url, exited.then((code) => Promise.reject(new Error(`store serve exited ${code}`)))]), stop: () => (stop.abort(), exited) };
}

const onNode = (args: string[], env?: Record<string, string>) => ntm([...args, "--network", node.url, "--yes"], env);

/** One line on stderr (the CLI's error contract). */
function oneLine(err: string) {
  expect(err.trimEnd().split("\n")).toHaveLength(1);
  expect(err).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "ntm-cli-"));
  node = await startNode({ port: 0 });
  const mnemonics = devnetMnemonics();
  for (const name of ["deployer", "wallet_1", "wallet_2", "wallet_3", "wallet_4", "wallet_5"]) {
    const key = await keyFromMnemonic(mnemonics.get(name)!);
    wallet[name] = { key, address: keyPair(key).testnet };
    secrets.push(key, key.slice(0, 64));
  }
}, 120_000);

afterAll(async () => {
  await node?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("usage", () => {
  it("--help at every level exits 0 with the commands, arguments and an example", async () => {
    const top = await ntm(["--help"]);
    expect(top.code).toBe(0);
    expect(top.out).toContain("dataset register <stake> <manifest-uri>");
    expect(top.out).toContain("exit codes");
    const group = await ntm(["bid", "--help"]);
    expect(group.code).toBe(0);
    expect(group.out).toContain("bid place <dataset-id> <amount> <duration> <deadline>");
    const command = await ntm(["bid", "place", "-h"]);
    expect(command.code).toBe(0);
    expect(command.out).toMatch(/example: ntm bid place/);
    expect(command.out).toContain("--network");
  });

  it.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["bid", "plac", "1"], /unknown command "bid plac"/],
    [["status", "--bogus"], /unknown flag --bogus/],
    [["keys", "list", "--network", "local"], /takes no --network/],
    [["bid", "place", "1", "-5", "100", "+10"], /<amount> must be micro-STX/],
    [["bid", "cancel", "one"], /<bid-id> must be an unsigned integer/],
    [["bid", "cancel"], /expected 1 argument\(s\), got 0/],
    [["status", "--network", "ftp://x"], /network URL must be http/],
    [["status", "--network", "testnet"], /--contract \(or NTM_CONTRACT\) is required on testnet/],
    [["gov", "propose", "no-such-parameter", "5"], /governable parameter/],
    [["bid", "fetch-model", "1", "--store", "/tmp/x", "--gateway", "ftp://x"], /--gateway must be http\(s\) URLs/],
    [["store", "serve", "--store", "/tmp/x", "--port", "70000"], /--port must be at most 65535/],
  ])("%j exits 2 with one line, before any work", async (args, message) => {
    const r = await ntm(args);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(message);
    oneLine(r.err);
  });

  it("refuses a sending command without --yes or a terminal before the session: no key lookup, no network read", async () => {
    // nothing listens on port 1, and nosuchkey is no account: only the missing --yes can be reported
    const r = await ntm(["validator", "register", "10stx", "--network", "http://127.0.0.1:1", "--account", "nosuchkey"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pass --yes \(stdin is not a terminal\)/);
    oneLine(r.err);
  });

  it("an agent on a public network needs --yes without a terminal, and asks once on one", async () => {
    const env = { NTM_PRIVATE_KEY: stranger.privateKey };
    const unattended = await onTestnet(["agent", "keeper"], env);
    expect(unattended.code).toBe(2);
    expect(unattended.err).toMatch(/the keeper agent sends fee-paying transactions on https:\/\/api\.testnet\.hiro\.so: pass --yes/);
    const declined = await ntm(["agent", "keeper", "--network", "testnet", "--contract", `${stranger.testnet}.market`], env, "n\n");
    expect(declined.code).toBe(1);
    expect(declined.err).toMatch(new RegExp(`keeper agent will sign and send fee-paying transactions as ${stranger.testnet} .*Start\\? \\[y/N\\] .*ntm: not started`, "s"));
  });

  it("a private key pasted as an argument or as --account is never echoed", async () => {
    const bare = stranger.privateKey.slice(0, 64);
    for (const key of [bare, `0x${bare}`, `${bare}01`, `0x${bare}01`]) {
      const asPrincipal = await ntm(["account", key, "--network", "simnet"]);
      expect(asPrincipal.code).toBe(2);
      expect(asPrincipal.err).toMatch(/<principal> must be a Stacks address or contract id, got "<redacted>"/);
      const asAccount = await ntm(["bid", "cancel", "1", "--network", node.url, "--account", key, "--yes"]);
      expect(asAccount.code).toBe(2);
      expect(asAccount.err).toMatch(/--account takes a name or an address, never a private key/);
      for (const r of [asPrincipal, asAccount]) expect(r.err).not.toContain(bare);
    }
  });

  it("refuses to send without --yes when stdin is not a terminal", async () => {
    const r = await ntm(["validator", "register", "10stx", "--network", node.url, "--account", "wallet_4"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pass --yes/);
    expect(await node.node.simnet.getAssetsMap().get("STX")?.get(wallet.wallet_4!.address)).toBe(100_000_000_000_000n);
  });
});

describe("simnet network", () => {
  it("dataset register runs on a fresh simnet and says nothing persists", async () => {
    const r = await ntm(["dataset", "register", "20stx", "ipfs://penguins", "--network", "simnet", "--account", "wallet_1", "--yes"]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/nothing persists/);
    expect(r.out).toContain("register-dataset");
    expect(r.out).toMatch(/you \(ST1SJ3DTE5DN7X54YDH5D64R3BCB6A2AG2ZQ8YPD5\) will send exactly 20 STX/);
    expect(r.out).toMatch(/^ok 1$/m);
    expect(r.out).toMatch(/event dataset-registered .*stake=20000000/);
  });

  it("status and job are views of the fresh chain (no bid 1 there: one line, exit 1)", async () => {
    const status = await ntm(["status", "--network", "simnet", "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ counts: { datasets: "0", bids: "0" }, paused: false });
    const job = await ntm(["job", "1", "--network", "simnet"]);
    expect(job.code).toBe(1);
    expect(job.err).toMatch(/bid 1 not found/);
  });
});

describe("against a node", () => {
  it("dataset register: the call, its post-conditions, the txid, the result and the events", async () => {
    const r = await onNode(["dataset", "register", "20stx", "ipfs://penguins", "--price", "10000", "--max-jobs", "1", "--account", "wallet_1"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("call register-dataset-with-terms");
    expect(r.out).toMatch(/price-per-block\s+u10000/);
    expect(r.out).toMatch(/^txid 0x[0-9a-f]{64}$/m);
    expect(r.out).toMatch(/^ok 1$/m);
    expect(r.out).toMatch(/event dataset-registered/);
    expect((await node.node.simnet.callReadOnlyFn(node.contractId, "get-last-ids", [], wallet.wallet_1!.address)).result).toBeDefined();
  });

  it("bid place --json: the bid is escrowed and matched, and `job` tells its story", async () => {
    const r = await onNode(["bid", "place", "1", "5stx", "100", "+200", "--account", "wallet_2", "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ ok: true, value: "1", function: "place-computation-bid", sender: wallet.wallet_2!.address, error: null });
    expect(report.postConditions[0]).toMatch(/will send exactly 5 STX/);
    const job = await ntm(["job", "1", "--network", node.url]);
    expect(job.code).toBe(0);
    expect(job.out).toMatch(/job 1 \(plain\) on dataset 1: MATCHED/);
    expect(job.out).toContain(`${wallet.wallet_2!.address} offered 5 STX for 100 blocks`);
    expect(job.out).toMatch(/^now {5}running: votes commit until \d+, reveal until \d+$/m);
    const account = await ntm(["account", wallet.wallet_2!.address, "--network", node.url, "--json"]);
    expect(account.code).toBe(0);
    expect(JSON.parse(account.out).bids).toEqual([expect.objectContaining({ id: "1", status: "MATCHED", amount: "5000000" })]);
  });

  it("bid cancel refunds a queued bid; index, history and why-paid explain the refund", async () => {
    const placed = await onNode(["bid", "place", "1", "3stx", "100", "+200", "--account", "wallet_2", "--json"]);
    expect(placed.code).toBe(0);
    const bidId = JSON.parse(placed.out).value as string;
    expect((await ntm(["job", bidId, "--network", node.url])).out).toMatch(/: QUEUED/);
    const cancelled = await onNode(["bid", "cancel", bidId, "--account", "wallet_2"]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.out).toMatch(/the contract will send exactly 3 STX/);
    const db = join(home, "market.sqlite");
    const indexed = await ntm(["index", "--db", db, "--network", node.url]);
    expect(indexed.code).toBe(0);
    expect(indexed.out).toMatch(/indexed .* into .*market\.sqlite: [1-9]\d* new event/);
    const paid = await ntm(["why-paid", wallet.wallet_2!.address, "--job", bidId, "--db", db, "--network", node.url, "--json"]);
    expect(paid.code).toBe(0);
    expect(JSON.parse(paid.out)).toEqual([expect.objectContaining({ amount: "3000000", to: wallet.wallet_2!.address, bidIds: [bidId], explained: true })]);
    const history = await ntm(["history", wallet.wallet_2!.address, "--db", db, "--network", node.url]);
    expect(history.code).toBe(0);
    expect(history.out).toMatch(/bid-placed job 1 dataset 1/);
    // the escrow out of the wallet and the refund back into it, each with its sign
    expect(history.out).toMatch(/ {2}-3 STX \(/);
    expect(history.out).toMatch(/ {2}\+3 STX \(/);
    const missing = await ntm(["history", wallet.wallet_2!.address, "--db", join(home, "none.sqlite"), "--network", node.url]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no index at .*none\.sqlite: run ntm index first/);
  });

  it("a contract error exits 1 with its name and code on one line", async () => {
    const r = await onNode(["bid", "place", "1", "5stx", "100", "+200", "--account", "wallet_1"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/place-computation-bid refused by the contract: SELF_BID \(err u301\)/);
    oneLine(r.err);
  });

  it("deploy --name deploys a copy of the market that the other commands can address", async () => {
    const r = await onNode(["deploy", "--name", "market-copy", "--account", "wallet_3"]);
    expect(r.code, r.err).toBe(0);
    const copy = `${wallet.wallet_3!.address}.market-copy`;
    expect(r.out).toContain(`deployed ${copy}`);
    expect(r.out).toMatch(/^fee [\d.]+ STX \(\d+ uSTX\)$/m);
    // byte for byte, comments included, past Stacks.js's own 100,000-byte limit
    const published = (await (await fetch(`${node.url}/v2/contracts/source/${wallet.wallet_3!.address}/market-copy`)).json()) as { source: string };
    const source = readFileSync(new URL("../contracts/neural-training-market.clar", import.meta.url), "utf8");
    expect(Buffer.byteLength(source)).toBeGreaterThan(100_000);
    expect(published.source).toBe(source);
    const status = await ntm(["status", "--network", node.url, "--contract", copy, "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ contract: copy, counts: { datasets: "0" } });
  });

  it("the verified flow: place-verified seals the set, the model is fetched and scored, then the set is revealed", async () => {
    const store = join(home, "store");
    const state = join(home, "jobs.json");
    expect((await onNode(["dataset", "register", "20stx", "ipfs://iris", "--price", "1000", "--max-jobs", "1", "--account", "wallet_3"])).code).toBe(0);
    const id = JSON.parse((await ntm(["status", "--network", node.url, "--json"])).out).counts.datasets as string; // the one just registered
    const placed = await onNode(
      ["bid", "place-verified", id, "5stx", "50", "+100", "--eval", "iris", "--store", store, "--state", state, "--hidden", "4", "--epochs", "5", "--account", "wallet_2", "--json"],
    );
    expect(placed.code, placed.err).toBe(0);
    const bidId = JSON.parse(placed.out).value as string;
    const early = await onNode(["bid", "reveal-eval", bidId, "--store", store, "--state", state, "--account", "wallet_2"]);
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/no delivered model yet/);
    // the provider trains and delivers into the same store
    const chain = new NodeChain({ network: node.url, contractId: node.contractId, pollMs: 20 });
    chain.addSigner(wallet.wallet_3!.key);
    const { train } = splitDataset(loadBuiltinDataset("iris").data, { evalFraction: 0.3, seed: 7 });
    const provider = new ProviderAgent({ name: "provider", address: wallet.wallet_3!.address, chain, store: new LocalStore(store), datasets: new Map([[BigInt(id), train]]) });
    expect((await provider.step()).map((a) => a.kind)).toEqual(["delivered"]);
    const model = join(home, "model.onnx");
    const fetched = await ntm(["bid", "fetch-model", bidId, "--store", store, "--state", state, "--out", model, "--network", node.url]);
    expect(fetched.code, fetched.err).toBe(0);
    expect(fetched.out).toMatch(/digest checked, written to .*model\.onnx/);
    expect(fetched.out).toMatch(/^score \d+/m);
    expect(statSync(model).size).toBeGreaterThan(0);
    // published by `store serve`, read by another party whose own store is empty
    const served = await serveCommand(store);
    try {
      const remote = await ntm(["bid", "fetch-model", bidId, "--store", join(home, "empty-store"), "--gateway", served.url, "--out", join(home, "remote.onnx"), "--network", node.url]);
      expect(remote.code, remote.err).toBe(0);
      expect(readFileSync(join(home, "remote.onnx"))).toEqual(readFileSync(model));
      const nowhere = await ntm(["bid", "fetch-model", bidId, "--store", join(home, "empty-store"), "--network", node.url]);
      expect(nowhere.code).toBe(1);
      expect(nowhere.err).toMatch(/not found/i);
    } finally {
      expect(await served.stop()).toBe(0);
    }
    const revealed = await onNode(["bid", "reveal-eval", bidId, "--store", store, "--state", state, "--account", "wallet_2"]);
    expect(revealed.code, revealed.err).toBe(0);
    expect(revealed.out).toMatch(new RegExp(`event evaluation-revealed .*bid-id=${bidId}`));
    expect((await ntm(["job", bidId, "--network", node.url])).out).toMatch(/eval {4}set [0-9a-f]{64} revealed at/);
  });

  it("on a terminal, asks before sending: n sends nothing, y sends", async () => {
    const args = ["validator", "register", "10stx", "--network", node.url, "--account", "wallet_5"];
    const validator = async () => JSON.parse((await ntm(["account", wallet.wallet_5!.address, "--network", node.url, "--json"])).out).validator;
    const declined = await ntm(args, {}, "n\n");
    expect(declined.code).toBe(1);
    expect(declined.err).toMatch(/Send\? \[y\/N\] .*ntm: not sent/s);
    expect(await validator()).toBeNull();
    const accepted = await ntm(args, {}, "y\n");
    expect(accepted.code, accepted.err).toBe(0);
    expect(await validator()).toMatchObject({ stake: "10000000", active: true });
  });

  it("signs with NTM_PRIVATE_KEY when no --account is given", async () => {
    const r = await onNode(["validator", "register", "10stx"], { NTM_PRIVATE_KEY: wallet.wallet_4!.key });
    expect(r.code).toBe(0);
    expect(r.out).toContain(`as ${wallet.wallet_4!.address}`);
  });

  it("agent keeper runs the keeper on the node until --until-height; agents need their flags and a live chain", async () => {
    const r = await ntm(["agent", "keeper", "--network", node.url, "--account", "wallet_5", "--until-height", "0", "--poll-ms", "10"]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/keeper agent ST[0-9A-Z]+ on http:\/\/127\.0\.0\.1:\d+ until burn height 0/);
    expect(r.err).toMatch(/stopped after 1 round\(s\)/);
    const noStore = await ntm(["agent", "validator", "--network", node.url, "--account", "wallet_5"]);
    expect(noStore.code).toBe(2);
    expect(noStore.err).toMatch(/--store <dir> is required/);
    const onSimnet = await ntm(["agent", "keeper", "--network", "simnet", "--account", "wallet_5"]);
    expect(onSimnet.code).toBe(2);
    expect(onSimnet.err).toMatch(/agents need a chain that mines by itself/);
  });

  it("refuses the Devnet.toml test accounts on public networks", async () => {
    const r = await ntm(["bid", "cancel", "1", "--network", "testnet", "--contract", node.contractId, "--account", "wallet_1", "--yes"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/public Devnet.toml test key/);
  });

  it("refuses a Devnet.toml key on a public network however it comes: environment, mnemonic, keystore or address", async () => {
    const keystore = join(home, "devnet-keystore.json");
    expect((await ntm(["keys", "import", "looks-private"], { NTM_KEYSTORE: keystore, NTM_PRIVATE_KEY: wallet.wallet_2!.key, NTM_PASSWORD: "pw" })).code).toBe(0);
    const cases: [string, string[], Record<string, string>][] = [
      ["NTM_PRIVATE_KEY", [], { NTM_PRIVATE_KEY: wallet.wallet_1!.key }],
      ["NTM_MNEMONIC account 0", [], { NTM_MNEMONIC: devnetMnemonics().get("wallet_3")! }],
      ["keystore key looks-private", ["--account", "looks-private"], { NTM_KEYSTORE: keystore, NTM_PASSWORD: "pw" }],
      [wallet.wallet_1!.address, ["--account", wallet.wallet_1!.address], { NTM_PRIVATE_KEY: wallet.wallet_1!.key }],
    ];
    for (const [what, flags, env] of cases) {
      const r = await onTestnet(["bid", "cancel", "1", ...flags, "--yes"], env);
      expect(r.code, what).toBe(2);
      expect(r.err).toContain(`${what} is a public Devnet.toml test key: refused on testnet`);
      oneLine(r.err);
    }
  });

  it("a URL's chain and whether the Devnet keys may sign come from its host and its node, not its spelling", () => {
    expect(parseNetwork("https://my-mainnet-mirror.example.org")).toMatchObject({ kind: "url", mainnet: null, devnetAccounts: false });
    expect(parseNetwork("https://devnet.example.org")).toMatchObject({ devnetAccounts: false });
    for (const loopback of ["http://localhost:20443", "http://127.0.0.1:3999", "http://[::1]:20443"]) expect(parseNetwork(loopback).devnetAccounts, loopback).toBe(true);
  });
});

describe("the other command groups, against a node", () => {
  /** Sends on the node as `account`; fails the test unless it exits 0; the call's value. */
  async function sent(args: string[], account: string): Promise<string> {
    const r = await onNode([...args, "--account", account, "--json"]);
    expect(r.code, `${args.join(" ")}: ${r.err}`).toBe(0);
    return String(JSON.parse(r.out).value);
  }
  const balance = (who: string) => node.node.stxBalance(wallet[who]?.address ?? addressOf(who));
  const addressOf = (name: string) => node.node.accounts.get(name)!;

  it("dataset stake, terms, retire and withdraw: the stake goes in, and out once retired", async () => {
    const id = await sent(["dataset", "register", "2stx", "ipfs://more-data"], "wallet_6");
    expect(await sent(["dataset", "stake", id, "1stx"], "wallet_6")).toBe("3000000");
    await sent(["dataset", "terms", id, "1000", "2"], "wallet_6");
    expect(JSON.parse((await ntm(["dataset", "show", id, "--network", node.url, "--json"])).out)).toMatchObject({ stake: "3000000", pricePerBlock: "1000", maxConcurrentJobs: "2" });
    const open = await onNode(["dataset", "withdraw", id, "--account", "wallet_1"]);
    expect(open.code).toBe(1);
    expect(open.err).toMatch(/NOT_DATASET_PROVIDER/);
    await sent(["dataset", "retire", id], "wallet_6");
    const before = balance("wallet_6");
    expect(await sent(["dataset", "withdraw", id], "wallet_6")).toBe("3000000");
    // the stake back, less the transaction's fee
    expect(balance("wallet_6") - before).toBeGreaterThan(3_000_000n - 10_000n);
    expect(balance("wallet_6") - before).toBeLessThan(3_000_000n);
  });

  it("validator exit and withdraw: the stake comes back only after unbonding", async () => {
    await sent(["validator", "register", "1stx"], "wallet_7");
    await sent(["validator", "exit"], "wallet_7");
    const early = await onNode(["validator", "withdraw", "--account", "wallet_7"]);
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/UNBONDING_NOT_OVER/);
    node.node.mineBurnBlocks(145);
    expect(await sent(["validator", "withdraw"], "wallet_7")).toBe("1000000");
  });

  it("gov propose, vote and execute: a parameter changes by stake-weighted vote, after its delay", async () => {
    await sent(["validator", "register", "5000stx"], "wallet_8");
    node.node.mineBurnBlocks(1);
    const proposal = await sent(["gov", "propose", "min-bid-amount", "200000"], "wallet_8");
    await sent(["gov", "vote", proposal, "yes"], "wallet_8");
    const early = await onNode(["gov", "execute", proposal, "--account", "wallet_5"]);
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/VOTING_NOT_OVER/);
    // executable once the voting period and the execution delay have both passed
    node.node.mineBurnBlocks(1008 + 144 + 1);
    await sent(["gov", "execute", proposal], "wallet_5");
    const status = JSON.parse((await ntm(["status", "--network", node.url, "--json"])).out);
    expect(status.parameters).toMatchObject({ minBidAmount: "200000" });
  });

  it("bid decline, match, expire and finalize: each settles its bid and refunds the bidder", async () => {
    const dataset = await sent(["dataset", "register", "2stx", "ipfs://declines"], "wallet_4");
    const first = await sent(["bid", "place", dataset, "1stx", "10", "+30"], "wallet_2");
    const second = await sent(["bid", "place", dataset, "1stx", "10", "+30"], "wallet_2");
    const story = async (id: string) => (await ntm(["job", id, "--network", node.url])).out;
    expect(await story(first)).toMatch(/: MATCHED/);
    expect(await story(second)).toMatch(/: QUEUED/);
    // the provider declines the first job: full refund, and the slot frees for the queue
    let before = balance("wallet_2");
    expect(await sent(["bid", "decline", first], "wallet_4")).toBe("1000000");
    expect(balance("wallet_2") - before).toBe(1_000_000n);
    await sent(["bid", "match", dataset], "wallet_5");
    expect(await story(second)).toMatch(/: MATCHED/);
    // a third bid waits behind the second and can no longer finish in time: anyone expires it
    const third = await sent(["bid", "place", dataset, "1stx", "10", "+12"], "wallet_2");
    node.node.mineBurnBlocks(3);
    before = balance("wallet_2");
    expect(await sent(["bid", "expire", third], "wallet_5")).toBe("1000000");
    expect(balance("wallet_2") - before).toBe(1_000_000n);
    // nobody votes on the second job: once its windows close, anyone finalizes it and the bidder is refunded
    const early = await onNode(["bid", "finalize", second, "--account", "wallet_5"]);
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/NOT_READY_TO_FINALIZE/);
    node.node.mineBurnBlocks(30 + 144 + 144 + 1);
    before = balance("wallet_2");
    expect(await sent(["bid", "finalize", second], "wallet_5")).toBe(String(OUTCOME.NO_QUORUM));
    expect(balance("wallet_2") - before).toBe(1_000_000n);
    expect(await story(second)).toMatch(/: EXPIRED/);
  });
});

describe("keys", () => {
  const env = { NTM_PASSWORD: "correct horse" };

  it("new, import, list, use and remove; a wrong password is refused", async () => {
    const created = await ntm(["keys", "new", "alice", "--json"], env);
    expect(created.code).toBe(0);
    const alice = JSON.parse(created.out);
    expect(alice.testnet).toMatch(/^ST[0-9A-Z]+$/);
    expect(alice.mainnet).toMatch(/^SP[0-9A-Z]+$/);

    const imported = await ntm(["keys", "import", "bob"], { ...env, NTM_PRIVATE_KEY: wallet.deployer!.key });
    expect(imported.code).toBe(0);
    expect(imported.out).toContain(wallet.deployer!.address);
    expect((await ntm(["keys", "import", "bob2"], { ...env, NTM_PRIVATE_KEY: wallet.deployer!.key })).err).toMatch(/already holds this key, as bob/);

    const listed = await ntm(["keys", "list"]);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(`alice  ${alice.testnet}`);
    expect(listed.out).toContain(`bob  ${wallet.deployer!.address}`);

    const wrong = await onNode(["dataset", "register", "2stx", "ipfs://b", "--account", "bob"], { NTM_PASSWORD: "wrong" });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/wrong password for key bob/);
    oneLine(wrong.err);

    const used = await onNode(["dataset", "register", "2stx", "ipfs://b", "--account", "bob"], env);
    expect(used.code).toBe(0);
    expect(used.out).toContain(`as ${wallet.deployer!.address}`);

    expect((await ntm(["keys", "remove", "bob", "--yes"])).code).toBe(0);
    expect((await ntm(["keys", "list", "--json"])).out).not.toContain("bob");
  });

  it("refuses a keystore entry whose scrypt parameters are out of bounds, as corrupt, before deriving anything", async () => {
    const keystore = join(home, "crafted-keystore.json");
    const env = { NTM_KEYSTORE: keystore, NTM_PASSWORD: "pw" };
    const created = await ntm(["keys", "new", "crafted", "--json"], env);
    expect(created.code).toBe(0);
    const file = JSON.parse(readFileSync(keystore, "utf8"));
    // each just out of bounds, and cheap enough (at most 256 MiB) even for a build that would run it
    for (const bad of [{ r: 17 }, { p: 17 }, { N: 2 ** 21, r: 1 }, { N: 1000 }]) {
      file.keys[0].kdf = { ...file.keys[0].kdf, N: 1024, r: 8, p: 1, ...bad };
      writeFileSync(keystore, JSON.stringify(file));
      const r = await onNode(["validator", "register", "10stx", "--account", "crafted"], env);
      expect(r.code, JSON.stringify(bad)).toBe(1);
      expect(r.err).toMatch(/keystore entry crafted is corrupt: its scrypt parameters are out of bounds/);
    }
  });

  it("no private key ever appears in any output", () => {
    expect(printed.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(printed).not.toContain(secret);
  });
});

describe("bin/ntm.mjs", () => {
  it("runs as a command", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "ntm.mjs"), "--help"], { encoding: "utf8", cwd: ROOT });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("usage: ntm <group> <command>");
  });
});
