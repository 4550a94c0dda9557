/**
 * NodeChain against the local node (src/node/server.ts): calls built by the typed client are
 * signed, broadcast and awaited over HTTP, and decoded exactly as SimnetChain decodes them; a
 * refused call names the contract's error (also when the node reports it as a post-condition
 * abort, as a real node does); a post-condition abort of an ok call is an error; a dropped or
 * unmined transaction leaves no nonce gap; runAgentsLive steps agents as the burn height moves.
 * A small proxy in front of the node plays the real node's behaviours the local node lacks.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pc } from "@stacks/transactions";
import { PostConditionViolation, SimnetChain, type TxResult } from "../src/agents/chain.ts";
import { NodeChain, NodeChainError, runAgentsLive, safeMessage } from "../src/agents/node-chain.ts";
import { nextBoundary, type Agent } from "../src/agents/run.ts";
import { DeveloperClient, jobsEnded, MemoryState, ProviderAgent, ValidatorAgent, type VoteRecord } from "../src/agents/index.ts";
import { loadPenguins, splitDataset } from "../src/ml/index.ts";
import { MemoryStore } from "../src/store/index.ts";
import { devnetMnemonics, keyFromMnemonic } from "../src/cli/keys.ts";
import { derivedAddress } from "../src/simnet.ts";
import { startNode, type RunningNode } from "../src/node/server.ts";

const STX = 1_000_000n;
const FEE = 2_000n;

let node: RunningNode;
let chain: NodeChain;
let simnet: SimnetChain;
const address: Record<string, string> = {};
/** The wallets' private keys, to sign on other chains than `chain` (the proxy's). */
let keys: (readonly [string, string])[] = [];
let proxy: NodeProxy;

/** How the proxy departs from the node it forwards to. */
interface ProxyMode {
  /** Report a contract's refusal (abort_by_response) as abort_by_post_condition, as a real node does under deny-mode willSendEq post-conditions. */
  refusalsAbortOnPostConditions: boolean;
  /** Swallow the next broadcast (the node never sees it) and report its transaction with this status forever. */
  swallowNextAs: string | null;
}

interface NodeProxy {
  url: string;
  mode: ProxyMode;
  close(): Promise<void>;
}

/** An HTTP proxy in front of `target` that plays what `mode` says, and forwards everything else. */
async function startProxy(target: string): Promise<NodeProxy> {
  const mode: ProxyMode = { refusalsAbortOnPostConditions: false, swallowNextAs: null };
  const swallowed = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const reply = (status: number, text: string) => res.writeHead(status, { "content-type": "application/json" }).end(text);
      if (req.method === "POST" && req.url === "/v2/transactions" && mode.swallowNextAs !== null) {
        const txid = `0x${(swallowed.size + 1).toString(16).padStart(64, "e")}`;
        swallowed.set(txid, mode.swallowNextAs);
        mode.swallowNextAs = null;
        return reply(200, JSON.stringify(txid.slice(2)));
      }
      const txPath = /^\/extended\/v1\/tx\/(0x[0-9a-f]{64})$/.exec(req.url ?? "");
      if (txPath && swallowed.has(txPath[1]!)) return reply(200, JSON.stringify({ tx_id: txPath[1], tx_status: swallowed.get(txPath[1]!) }));
      const body = req.method === "GET" ? undefined : Buffer.concat(chunks);
      const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers: { "content-type": req.headers["content-type"] ?? "application/json" }, body });
      let text = await upstream.text();
      if (txPath && upstream.ok && mode.refusalsAbortOnPostConditions) {
        const tx = JSON.parse(text) as { tx_status: string };
        if (tx.tx_status === "abort_by_response") text = JSON.stringify({ ...tx, tx_status: "abort_by_post_condition" });
      }
      reply(upstream.status, text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, mode, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A NodeChain on `url` with every wallet's key (fresh nonce cache). */
function chainOn(url: string, timeoutMs = 20_000): NodeChain {
  const on = new NodeChain({ network: url, contractId: node.contractId, fee: FEE, pollMs: 20, timeoutMs });
  for (const [, key] of keys) on.addSigner(key);
  return on;
}

/** wallet_1 bidding on its own dataset: refused (SELF_BID), which still mines and takes a nonce and the fee. */
async function selfBid(on: NodeChain) {
  const provider = address.wallet_1!;
  return on.send(provider, await on.client.placeComputationBid({ caller: provider, datasetId: 1n, amount: 5n * STX, duration: 100n, deadline: (await on.burnHeight()) + 200n }));
}

/** The node's dev route: mines `burnBlocks` burn blocks, returns the new burn height. */
async function mine(burnBlocks: number): Promise<bigint> {
  const response = await fetch(`${node.url}/ntm/v1/mine`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ burnBlocks }) });
  expect(response.ok).toBe(true);
  return BigInt(((await response.json()) as { burn_block_height: number }).burn_block_height);
}

/** What both chains must agree on (raw values differ only by object identity). */
function decoded(r: TxResult) {
  return { ok: r.ok, value: r.value, error: r.error, events: r.events };
}

beforeAll(async () => {
  node = await startNode({ port: 0 });
  const mnemonics = devnetMnemonics();
  keys = await Promise.all(["wallet_1", "wallet_2", "wallet_3", "wallet_4", "wallet_5", "wallet_6", "wallet_7", "wallet_8"].map(async (name) => [name, await keyFromMnemonic(mnemonics.get(name)!)] as const));
  chain = new NodeChain({ network: node.url, contractId: node.contractId, fee: FEE, pollMs: 20, timeoutMs: 20_000 });
  for (const [name, key] of keys) address[name] = chain.addSigner(key);
  ({ chain: simnet } = await SimnetChain.load());
  proxy = await startProxy(node.url);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await node?.close();
});

describe("NodeChain reads", () => {
  it("reads the burn height from /v2/info and the contract through the typed reader", async () => {
    const info = (await (await fetch(`${node.url}/v2/info`)).json()) as { burn_block_height: number };
    expect(await chain.burnHeight()).toBe(BigInt(info.burn_block_height));
    expect((await chain.reader.getParameters()).version).toBe(1n);
    expect(chain.contractId).toBe(node.contractId);
  });

  it("reads a wallet's balance from /v2/accounts", async () => {
    expect(await chain.stxBalance(address.wallet_1!)).toBe(100_000_000_000_000n);
  });
});

describe("NodeChain.send", () => {
  it("registers a dataset: the stake and the fee leave the wallet, the result decodes as on the simnet", async () => {
    const provider = address.wallet_1!;
    const before = await chain.stxBalance(provider);
    const call = await chain.client.registerDatasetWithTerms({ caller: provider, stake: 20n * STX, metadataUri: "ipfs://penguins", pricePerBlock: 10_000n, maxConcurrentJobs: 1n });
    const r = await chain.send(provider, call);
    expect(r.ok).toBe(true);
    expect(r.value).toBe(1n);
    expect(r.txid).toMatch(/^0x[0-9a-f]{64}$/);
    expect(r.events[0]).toMatchObject({ event: "dataset-registered", "dataset-id": 1n, provider, stake: 20n * STX });
    expect(await chain.stxBalance(provider)).toBe(before - 20n * STX - FEE);
    expect(await chain.reader.getContractBalance()).toBe(20n * STX);
    // the same call on the embedded chain decodes to the same TxResult
    expect(decoded(r)).toEqual(decoded(await simnet.send(provider, call)));
    const transfer = r.raw.events.find((e) => e.event === "stx_transfer_event");
    expect(transfer?.data).toMatchObject({ sender: provider, recipient: node.contractId, amount: (20n * STX).toString() });
  });

  it("places a bid: the amount is escrowed and the job is matched", async () => {
    const bidder = address.wallet_2!;
    const before = await chain.stxBalance(bidder);
    const deadline = (await chain.burnHeight()) + 200n;
    const call = await chain.client.placeComputationBid({ caller: bidder, datasetId: 1n, amount: 5n * STX, duration: 100n, deadline });
    const r = await chain.send(bidder, call);
    expect(r.ok).toBe(true);
    expect(r.value).toBe(1n);
    expect(r.events.map((e) => e.event)).toContain("bid-placed");
    expect(await chain.stxBalance(bidder)).toBe(before - 5n * STX - FEE);
    expect(await chain.reader.getBid(1n)).toMatchObject({ bidder, amount: 5n * STX, status: "MATCHED" });
    expect(decoded(r)).toEqual(decoded(await simnet.send(bidder, await simnet.client.placeComputationBid({ caller: bidder, datasetId: 1n, amount: 5n * STX, duration: 100n, deadline }))));
  });

  it("reports a refused call with the contract's error name and code; only the fee is spent", async () => {
    const provider = address.wallet_1!;
    const before = await chain.stxBalance(provider);
    const deadline = (await chain.burnHeight()) + 200n;
    const r = await chain.send(provider, await chain.client.placeComputationBid({ caller: provider, datasetId: 1n, amount: 5n * STX, duration: 100n, deadline }));
    expect(r).toMatchObject({ ok: false, error: "SELF_BID", value: 301n, events: [] });
    expect(await chain.stxBalance(provider)).toBe(before - FEE);
  });

  it("a refusal the node aborts on its post-conditions (as a real node does) is still the contract's error, not a violation", async () => {
    proxy.mode.refusalsAbortOnPostConditions = true;
    try {
      const provider = address.wallet_1!;
      const before = await chain.stxBalance(provider);
      const r = await selfBid(chainOn(proxy.url));
      expect(r).toMatchObject({ ok: false, error: "SELF_BID", value: 301n, events: [] });
      expect(r.txid).toMatch(/^0x[0-9a-f]{64}$/);
      expect(await chain.stxBalance(provider)).toBe(before - FEE);
    } finally {
      proxy.mode.refusalsAbortOnPostConditions = false;
    }
  });

  it("throws PostConditionViolation when the node aborts the call on its post-conditions", async () => {
    const validator = address.wallet_3!;
    const call = await chain.client.registerValidator({ caller: validator, stake: 10n * STX });
    const lying = { ...call, postConditions: [Pc.principal(validator).willSendEq(10n * STX - 1n).ustx()] };
    await expect(chain.send(validator, lying)).rejects.toThrow(PostConditionViolation);
    expect(await chain.reader.getValidator(validator)).toBeNull();
  });

  it("refuses to send as an address it holds no key for, naming the address only", async () => {
    const stranger = derivedAddress("node-chain-test-stranger");
    await expect(chain.send(stranger, await chain.client.requestValidatorExit())).rejects.toThrow(`no key to sign as ${stranger}`);
  });
});

describe("NodeChain nonces", () => {
  it.each([
    ["dropped_replace_by_fee", "ended with status dropped_replace_by_fee"],
    ["pending", "not mined after"],
  ])("a transaction that ends %s leaves no nonce gap: the next one is mined", async (status, message) => {
    const proxied = chainOn(proxy.url, 200);
    proxy.mode.swallowNextAs = status;
    await expect(selfBid(proxied)).rejects.toThrow(message);
    // the swallowed transaction never took its nonce: the next one must reuse it, not leave a gap
    expect(await selfBid(proxied)).toMatchObject({ ok: false, error: "SELF_BID" });
  });
});

describe("safeMessage", () => {
  it("masks private keys with or without 0x and 01, and keeps a NodeChainError's own txid", () => {
    const key = "ab".repeat(32);
    expect(safeMessage(new Error(`bad key ${key}01 and 0x${key} and ${key}`))).toBe("bad key <redacted> and <redacted> and <redacted>");
    const txid = `0x${"cd".repeat(32)}`;
    expect(safeMessage(new NodeChainError(`transaction ${txid} failed near 0x${key}`, txid))).toBe(`transaction ${txid} failed near <redacted>`);
    const violation = new PostConditionViolation({ functionName: "register-validator" } as never, [`the node aborted transaction ${txid} (key ${key})`]);
    expect(safeMessage(violation)).toBe(`register-validator: post-conditions violated: the node aborted transaction ${txid} (key <redacted>)`);
  });
});

describe("runAgentsLive", () => {
  it("steps every agent each time the burn height moves, and stops when asked", async () => {
    const seen: bigint[] = [];
    const agent: Agent = {
      name: "recorder",
      step: async () => {
        seen.push(await chain.burnHeight());
        return [];
      },
    };
    const start = await chain.burnHeight();
    let mined = 0;
    const rounds = await runAgentsLive(chain, [agent], {
      pollMs: 5,
      // the test is the miner: each poll mines one more block until three have passed
      until: async (h) => {
        if (h >= start + 3n) return true;
        if (mined < 3) {
          mined++;
          await mine(1);
        }
        return false;
      },
    });
    expect(seen).toEqual([start, start + 1n, start + 2n, start + 3n]);
    expect(rounds).toBe(4);
  });

  it("steps again at the same height after a round in which an agent acted", async () => {
    let steps = 0;
    const agent: Agent = { name: "once", step: async () => (++steps === 1 ? [{ kind: "acted" }] : []) };
    const actions: string[] = [];
    await runAgentsLive(chain, [agent], { pollMs: 5, until: () => steps >= 2, onAction: (_a, action) => actions.push(action.kind) });
    expect(steps).toBe(2);
    expect(actions).toEqual(["acted"]);
  });

  it("stops when its signal is aborted", async () => {
    const abort = new AbortController();
    const agent: Agent = { name: "idle", step: async () => (abort.abort(), []) };
    expect(await runAgentsLive(chain, [agent], { pollMs: 5, signal: abort.signal })).toBe(1);
  });
});

describe("agents over NodeChain", () => {
  it("a provider, a developer and three validators run a small verified job to its settlement", async () => {
    const [provider, developer, ...validators] = ["wallet_4", "wallet_5", "wallet_6", "wallet_7", "wallet_8"].map((n) => address[n]!);
    const send = async (who: string, call: Parameters<NodeChain["send"]>[1]) => {
      const r = await chain.send(who, call);
      expect(r.ok, `${call.functionName}: ${r.error}`).toBe(true);
      return r;
    };
    for (const v of validators) await send(v!, await chain.client.registerValidator({ caller: v!, stake: 10n * STX }));
    const registered = await send(
      provider!,
      await chain.client.registerDatasetWithTerms({ caller: provider!, stake: 20n * STX, metadataUri: "ipfs://penguins", pricePerBlock: 10_000n, maxConcurrentJobs: 1n }),
    );
    const datasetId = registered.value as bigint;
    const { train, evaluation } = splitDataset(loadPenguins().data, { evalFraction: 0.3, seed: 7 });
    const store = new MemoryStore();
    const client = new DeveloperClient({ name: "developer", address: developer!, chain, store, state: new MemoryState() });
    const { bidId } = await client.placeJob({
      datasetId,
      amount: 5n * STX,
      duration: 100n,
      deadline: (await chain.burnHeight()) + 150n,
      evaluation,
      choices: { hidden: [8], epochs: 20, learningRate: 0.01, batchSize: 32, seed: 1 },
    });
    const agents: Agent[] = [
      new ProviderAgent({ name: "provider", address: provider!, chain, store, datasets: new Map([[datasetId, train]]) }),
      client,
      ...validators.map((v, i) => new ValidatorAgent({ name: `validator${i + 1}`, address: v!, chain, store, state: new MemoryState<VoteRecord>() })),
    ];
    const kinds = new Set<string>();
    let acted = false;
    await runAgentsLive(chain, agents, {
      pollMs: 5,
      onAction: (_agent, action) => {
        kinds.add(action.kind);
        if (action.kind !== "failed") acted = true;
      },
      // the test is the miner: after a quiet round it moves the burn height to the job's next boundary
      until: async (h) => {
        const quiet = !acted;
        acted = false;
        if (!quiet) return false;
        if (await jobsEnded(chain.reader, [bidId])) return true;
        await mine(Number((await nextBoundary(chain, h)) - h));
        return false;
      },
    });
    const result = await chain.reader.getJobResult(bidId);
    expect(result?.outcome).toBe("REWARDED");
    // trained and delivered, the set revealed, every seat committed, revealed and claimed over HTTP
    for (const kind of ["delivered", "revealed", "evaluated", "committed", "claimed"]) expect(kinds).toContain(kind);
    expect(kinds).not.toContain("failed");
    for (const v of validators) expect((await chain.reader.getValidator(v!))!.openSeats).toBe(0n);
  }, 120_000);
});
