/**
 * The indexer against the local node over HTTP: one node per file, on which the lifecycle demo
 * runs once (recorded as transactions); every index here is built from that node's API.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cl } from "@stacks/transactions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintedAddress, runDemo, type DemoSummary } from "../src/demo/demo.ts";
import { explainTransfers, type PrintCandidate } from "../src/indexer/explain.ts";
import { IndexerError, MarketIndex, type IndexSource } from "../src/indexer/index.ts";
import { startNode, type RunningNode } from "../src/node/server.ts";
import type { LoadedSimnet } from "../src/simnet.ts";

const STX = 1_000_000n;

let running: RunningNode;
let market: LoadedSimnet;
let summary: DemoSummary;
/** Every principal's STX balance before the demo ran. */
let before: Map<string, bigint>;
let source: IndexSource;
let folder: string;
/** An in-memory index of the node, synced after the demo 7 events a page (tests that add activity sync it again). */
let demoIndex: MarketIndex;

function stxBalances(loaded: LoadedSimnet): Map<string, bigint> {
  return new Map(loaded.simnet.getAssetsMap().get("STX") ?? []);
}

/** Real per-principal STX changes since `before`, nonzero ones only. */
function realChanges(): Map<string, bigint> {
  const after = stxBalances(market);
  const changes = new Map<string, bigint>();
  for (const principal of new Set([...before.keys(), ...after.keys()])) {
    const change = (after.get(principal) ?? 0n) - (before.get(principal) ?? 0n);
    if (change !== 0n) changes.set(principal, change);
  }
  return changes;
}

/** The market's print events the node holds. */
function nodePrintCount(): number {
  return running.node.events.filter((e) => e.event_type === "smart_contract_log").length;
}

function address(wallet: string): string {
  const found = market.accounts.get(wallet);
  if (!found) throw new Error(`no ${wallet}`);
  return found;
}

/** A URL nothing listens on: a port that was free a moment ago. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((listening) => probe.listen(0, "127.0.0.1", listening));
  const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((closed) => probe.close(() => closed()));
  return url;
}

beforeAll(async () => {
  running = await startNode({ port: 0 });
  market = running.node.recordingSimnet();
  // the demo mints for its three wallet-less validators; minting is no contract event, so fund them first
  for (const name of ["Wanda", "Xavier", "Yasmin"]) market.simnet.mintSTX(mintedAddress(name), 100_000_000n * STX);
  before = stxBalances(market);
  summary = await runDemo(() => {}, market);
  // a small page size makes even the demo's history span several pages
  source = { url: running.url, contractId: running.contractId, pageSize: 7 };
  demoIndex = await MarketIndex.open(null);
  await demoIndex.sync(source);
  folder = mkdtempSync(join(tmpdir(), "ntm-indexer-"));
}, 120_000);

afterAll(async () => {
  demoIndex?.close();
  await running?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe("sync", () => {
  it("stores every print event of the contract once, with its transaction", () => {
    const counts = demoIndex.counts();
    expect(counts.events).toBeGreaterThan(40);
    expect(counts.events).toBe(nodePrintCount());
    const events = demoIndex.events();
    expect(new Set(events.map((e) => `${e.tx.txId}/${e.eventIndex}`)).size).toBe(events.length);
    expect(events[0]).toMatchObject({ event: "validator-registered", tx: { functionName: "register-validator", sender: address("wallet_3") } });
  });

  it("replaying the demo's events reproduces every principal's balance change", async () => {
    // brought up to date first: tests of this file may add activity after the demo
    await demoIndex.sync(source);
    const real = realChanges();
    expect(real.size).toBeGreaterThan(10);
    expect(real.get(running.contractId)).toBeGreaterThan(0n);
    expect(demoIndex.balanceChanges()).toEqual(real);
  });
});

describe("resume", () => {
  it("a second sync stores only the new events; a reopened file stores none again", async () => {
    const file = join(folder, "resume.sqlite");
    const first = await MarketIndex.open(file);
    const initial = await first.sync({ ...source, pageSize: 50 });
    expect(initial.newEvents).toBe(nodePrintCount());

    // more activity: Ada adds 5 STX to her dataset's stake (one print, one transfer)
    const added = market.simnet.callPublicFn(running.contractId, "add-dataset-stake", [Cl.uint(summary.jobs[0]!.datasetId), Cl.uint(5n * STX)], address("wallet_1"));
    expect(added.result).toBeOk(expect.anything());
    expect(await first.sync(source)).toEqual({ newEvents: 1, newTxs: 1 });
    const counts = first.counts();
    first.close();

    const reopened = await MarketIndex.open(file);
    expect(reopened.counts()).toEqual(counts);
    expect(await reopened.sync(source)).toEqual({ newEvents: 0, newTxs: 0 });
    expect(reopened.counts()).toEqual({ ...counts, events: nodePrintCount() });
    expect(reopened.events().at(-1)).toMatchObject({ event: "dataset-stake-added", tx: { functionName: "add-dataset-stake" } });
    expect(reopened.balanceChanges()).toEqual(realChanges());
    reopened.close();
  });

  it("a sync that dies between batches keeps the stored batches; the next stores the rest once, reporting each batch", async () => {
    const file = join(folder, "crash.sqlite");
    const crashing = await MarketIndex.open(file);
    await expect(
      crashing.sync({ ...source, pageSize: 50, batchTxs: 10 }, () => {
        throw new Error("killed after the first batch");
      }),
    ).rejects.toThrow("killed after the first batch");
    crashing.close();

    const resumed = await MarketIndex.open(file);
    const partial = resumed.counts();
    expect(partial.txs).toBe(10);
    const seen: { events: number; txs: number }[] = [];
    const rest = await resumed.sync({ ...source, pageSize: 50, batchTxs: 10 }, (p) => seen.push({ events: p.events, txs: p.txs }));
    expect(seen.length).toBe(Math.ceil(rest.newTxs / 10));
    expect(seen.at(-1)).toEqual({ events: rest.newEvents, txs: rest.newTxs });
    expect(resumed.counts().txs).toBe(partial.txs + rest.newTxs);
    expect(resumed.counts().events).toBe(nodePrintCount());
    expect(resumed.balanceChanges()).toEqual(realChanges());
    resumed.close();
  });

  it("an aborted sync stops after the batch in progress and returns what it stored", async () => {
    const index = await MarketIndex.open(null);
    const stop = new AbortController();
    const result = await index.sync({ ...source, pageSize: 50, batchTxs: 10 }, () => stop.abort(), { signal: stop.signal });
    expect(result.newTxs).toBe(10);
    expect(index.counts()).toMatchObject({ txs: 10, events: result.newEvents });
    index.close();
  });

  it("refuses to sync another contract into an index", async () => {
    const other = `${running.node.deployer}.another-market`;
    await expect(demoIndex.sync({ ...source, contractId: other })).rejects.toThrow(`this index follows ${running.contractId}, not ${other}: use another database file`);
  });
});

describe("follow", () => {
  it("syncs again after each interval, picking up new activity, until aborted", async () => {
    await demoIndex.sync(source);
    const stop = new AbortController();
    const results: { newEvents: number; newTxs: number }[] = [];
    await demoIndex.follow(source, {
      intervalMs: 1,
      signal: stop.signal,
      onSync: (result) => {
        results.push(result);
        // after the first (empty) sync, Vera's exit request lands on the node
        if (results.length === 1) market.simnet.callPublicFn(running.contractId, "request-validator-exit", [], address("wallet_3"));
        if (results.length === 2) stop.abort();
      },
    });
    expect(results).toEqual([
      { newEvents: 0, newTxs: 0 },
      { newEvents: 1, newTxs: 1 },
    ]);
    expect(demoIndex.events().at(-1)).toMatchObject({ event: "validator-exit-requested", tx: { sender: address("wallet_3") } });
  });

  it("reports a failed sync to onError and goes on, or rejects without onError", async () => {
    const index = await MarketIndex.open(null);
    const dead = { url: await deadUrl(), contractId: running.contractId };
    const stop = new AbortController();
    const errors: Error[] = [];
    await index.follow(dead, {
      intervalMs: 1,
      signal: stop.signal,
      onError: (error) => {
        errors.push(error);
        if (errors.length === 2) stop.abort();
      },
    });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(IndexerError);
    await expect(index.follow(dead, { intervalMs: 1 })).rejects.toThrow(/^cannot reach/);
    index.close();
  });
});

describe("history", () => {
  it("lists a validator's events and STX movements in order, adding up to its balance change", () => {
    const vera = address("wallet_3");
    const history = demoIndex.history(vera);
    // her first transaction: she registers, and her stake leaves her wallet
    const registration = history.filter((entry) => entry.tx.txId === history[0]!.tx.txId);
    expect(registration).toHaveLength(2);
    expect(registration).toContainEqual(expect.objectContaining({ kind: "event", event: "validator-registered", roles: ["tx-sender", "validator"] }));
    expect(registration).toContainEqual(expect.objectContaining({ kind: "stx", type: "transfer", sender: vera, recipient: running.contractId, delta: -10n * STX }));
    const heights = history.map((entry) => entry.tx.blockHeight ?? 0);
    expect(heights).toEqual([...heights].sort((a, b) => a - b));
    const moved = history.reduce((sum, entry) => sum + (entry.kind === "stx" ? entry.delta : 0n), 0n);
    expect(moved).toBe(demoIndex.balanceChanges().get(vera));
    // named by events of others' transactions: the committee draw seats her
    expect(history.some((entry) => entry.kind === "event" && entry.event === "committee-drawn" && entry.roles.join() === "seats")).toBe(
      summary.jobs[2]!.committee.includes("Vera"),
    );
  });

  it("is empty for a principal the market never saw", () => {
    expect(demoIndex.history(mintedAddress("nobody"))).toEqual([]);
  });

  it("refuses a string that is not a principal", () => {
    expect(() => demoIndex.history("ST1NOTANADDRESS")).toThrow('not a Stacks principal: "ST1NOTANADDRESS"');
    expect(() => demoIndex.payments(`${running.contractId}.extra`)).toThrow("not a Stacks principal");
  });
});

describe("payments", () => {
  it("a validator's reward for a job is the STX its claim sent, named by function and event", () => {
    const vera = address("wallet_3");
    const claim = summary.claims.find((c) => c.validator === "Vera" && c.bidId === summary.jobs[0]!.bidId)!;
    const payments = demoIndex.payments(vera, BigInt(claim.bidId));
    expect(payments).toHaveLength(1);
    const payment = payments[0]!;
    expect(payment).toMatchObject({ amount: claim.amount, from: running.contractId, to: vera, explained: true, bidIds: [BigInt(claim.bidId)] });
    expect(payment.tx.functionName).toBe("claim-validation-reward");
    expect(payment.reasons).toMatchObject([{ event: "validation-reward-claimed", field: "amount", amount: claim.amount }]);
    // the node's own record of that transaction: the same transfer
    const nodeTx = running.node.tx(payment.tx.txId)!;
    const transfer = nodeTx.events.find((e) => e.event_index === payment.eventIndex) as unknown as { asset: { recipient: string; amount: string } };
    expect(transfer.asset).toMatchObject({ recipient: vera, amount: String(claim.amount) });
  });

  it("explains the provider's payment, the bidder's refund and the expired bid's refund by their prints", () => {
    const [paid, partial] = summary.jobs;
    const ada = address("wallet_1");
    const carol = address("wallet_7");
    expect(demoIndex.payments(ada, BigInt(paid!.bidId))).toMatchObject([
      { amount: paid!.providerPayment, tx: { functionName: "submit-validation-result" }, reasons: [{ event: "job-finalized", field: "provider-payment" }] },
    ]);
    expect(demoIndex.payments(carol, BigInt(partial!.bidId))).toMatchObject([
      { amount: partial!.bidderRefund, reasons: [{ event: "job-finalized", field: "bidder-refund" }] },
    ]);
    expect(demoIndex.payments(carol, BigInt(summary.expiredBid.bidId))).toMatchObject([
      { amount: summary.expiredBid.refund, tx: { functionName: "expire-bid" }, reasons: [{ event: "bid-expired", field: "refund" }] },
    ]);
  });

  it("every payment the contract made is explained", () => {
    const payees = new Set(running.node.events.flatMap((e) => (e.event_type === "stx_asset" ? [(e.asset as { recipient: string }).recipient] : [])));
    const all = [...payees].flatMap((payee) => demoIndex.payments(payee));
    expect(all.length).toBeGreaterThan(8);
    expect(all.filter((payment) => !payment.explained)).toEqual([]);
  });
});

describe("explainTransfers", () => {
  const print = (eventIndex: number, data: Record<string, bigint | string>, names: string[]): PrintCandidate => ({
    eventIndex,
    event: String(data.event),
    bidId: typeof data["bid-id"] === "bigint" ? data["bid-id"] : null,
    datasetId: null,
    data,
    names: new Set(names),
  });

  it("splits one batched claim transfer over the claims that add up to it", () => {
    const claims = [
      print(0, { event: "validation-reward-claimed", "bid-id": 1n, amount: 300n }, ["V"]),
      print(1, { event: "validation-reward-claimed", "bid-id": 2n, amount: 0n }, ["V"]),
      print(2, { event: "validation-reward-claimed", "bid-id": 3n, amount: 200n }, ["V"]),
    ];
    const explained = explainTransfers([{ eventIndex: 3, recipient: "V", amount: 500n }], claims).get(3)!;
    expect(explained.explained).toBe(true);
    expect(explained.reasons.map((r) => [r.bidId, r.amount])).toEqual([
      [1n, 300n],
      [3n, 200n],
    ]);
  });

  it("prefers the print naming the payee when two hold the amount", () => {
    const prints = [
      print(0, { event: "job-finalized", "bid-id": 1n, "provider-payment": 70n, "bidder-refund": 0n }, []),
      print(1, { event: "bid-expired", "bid-id": 2n, refund: 70n, bidder: "B" }, ["B"]),
    ];
    const explanations = explainTransfers(
      [
        { eventIndex: 2, recipient: "P", amount: 70n },
        { eventIndex: 3, recipient: "B", amount: 70n },
      ],
      prints,
    );
    expect(explanations.get(2)!.reasons).toMatchObject([{ event: "job-finalized", field: "provider-payment" }]);
    expect(explanations.get(3)!.reasons).toMatchObject([{ event: "bid-expired", field: "refund" }]);
  });

  it("marks a transfer no print accounts for as unexplained", () => {
    const explained = explainTransfers([{ eventIndex: 1, recipient: "X", amount: 9n }], [print(0, { event: "paused-set", paused: "true" }, [])]).get(1)!;
    expect(explained).toEqual({ reasons: [], explained: false });
  });
});

describe("errors", () => {
  let junk: Server;
  let junkUrl: string;

  beforeAll(async () => {
    // a web server that is no Stacks API, except under /other-chain: one event the demo never printed
    junk = createServer((request, response) => {
      if (!request.url?.startsWith("/other-chain/")) return response.end("<html>hello</html>");
      const value = { hex: "0x0d0000000568656c6c6f", repr: '"hello"' };
      const event = { event_index: 0, event_type: "smart_contract_log", tx_id: `0x${"ab".repeat(32)}`, contract_log: { contract_id: running.contractId, topic: "print", value } };
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ limit: 50, offset: 0, results: [event] }));
    });
    await new Promise<void>((listening) => junk.listen(0, "127.0.0.1", listening));
    junkUrl = `http://127.0.0.1:${(junk.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((closed) => junk.close(() => closed())));

  it("an unreachable node is one clear error naming the URL", async () => {
    const url = await deadUrl();
    const index = await MarketIndex.open(null);
    const failure = index.sync({ url, contractId: running.contractId });
    await expect(failure).rejects.toBeInstanceOf(IndexerError);
    await expect(failure).rejects.toThrow(`cannot reach ${url}/extended/v1/contract/${running.contractId}/events?limit=50&offset=0: ECONNREFUSED`);
    expect(index.counts()).toEqual({ txs: 0, events: 0, stxEvents: 0 });
    index.close();
  });

  it("a server answering something other than JSON is one clear error", async () => {
    const index = await MarketIndex.open(null);
    await expect(index.sync({ url: junkUrl, contractId: running.contractId })).rejects.toThrow(
      `${junkUrl}/extended/v1/contract/${running.contractId}/events?limit=50&offset=0 did not answer JSON (is it a Stacks API?): <html>hello</html>`,
    );
    index.close();
  });

  it("refuses a source whose history lacks the index's newest event (a reset chain), storing nothing", async () => {
    const counts = demoIndex.counts();
    await expect(demoIndex.sync({ url: `${junkUrl}/other-chain`, contractId: running.contractId })).rejects.toThrow(
      `the source does not have the index's newest event ${demoIndex.cursor()!.txId}`,
    );
    expect(demoIndex.counts()).toEqual(counts);
  });

  it("refuses bad sources before any request", async () => {
    const index = await MarketIndex.open(null);
    await expect(index.sync({ url: "localhost:3999", contractId: running.contractId })).rejects.toThrow("not an http(s) URL: localhost:3999");
    await expect(index.sync({ url: running.url, contractId: "market" })).rejects.toThrow('not a contract id (<address>.<name>): "market"');
    await expect(index.sync({ ...source, pageSize: 0 })).rejects.toThrow("page size must be a positive integer, got 0");
    index.close();
  });

  it("refuses to open a file that is not an index, or in a missing folder", async () => {
    const notSqlite = join(folder, "notes.txt");
    writeFileSync(notSqlite, "not a database at all, just some text that is long enough to have a header");
    await expect(MarketIndex.open(notSqlite)).rejects.toThrow(`not a SQLite database: ${notSqlite}`);
    await expect(MarketIndex.open(join(folder, "missing", "index.sqlite"))).rejects.toThrow(`no such folder for the index database: ${join(folder, "missing")}`);
  });
});
