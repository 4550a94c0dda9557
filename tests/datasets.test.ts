import { Cl } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULTS,
  OUTCOME,
  addStake,
  balances,
  bidder,
  bidder2,
  contractId,
  deltas,
  eventNames,
  expectErr,
  expectSolvent,
  expireBid,
  finalizeValidation,
  finalizedJob,
  height,
  matchedJob,
  mineUntil,
  outsider,
  placeBid,
  printEvents,
  provider,
  provider2,
  read,
  registerDataset,
  registerDatasetWithTerms,
  retireDataset,
  setPaused,
  setTerms,
  stx,
  stxTransfers,
  validator1,
  vote,
  withdrawStake,
} from "./helpers.ts";

// ---------------------------------------------------------------------------
// Local builders
// ---------------------------------------------------------------------------

/** The largest Clarity uint. */
const MAX_UINT = 2n ** 128n - 1n;

/** The largest price-per-block and max-concurrent-jobs the contract accepts. */
const MAX_PRICE = 1_000_000_000_000n;
const MAX_CAPACITY = 1000n;

/** A refused registration: the error, no event, no STX moved, no dataset created. */
function expectNotRegistered(result: ReturnType<typeof registerDataset>, name: Parameters<typeof expectErr>[1], before: Map<string, bigint>) {
  expectErr(result, name);
  expect(result.events).toEqual([]);
  expect(deltas(before)).toEqual(new Map([...before.keys()].map((who) => [who, 0n])));
  expect(read.getLastIds().datasetId).toBe(0n);
  expect(read.getDataset(1)).toBeNull();
}

/** A registered (default stake) dataset u1 that was withdrawn at once: retired. */
function retiredDataset() {
  expect(registerDataset().result).toBeOk(Cl.uint(1));
  expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
  expect(read.getDataset(1)?.active).toBe(false);
}

/**
 * Dataset u1 (stake 1,000,000, one slot) with running job u1 (bidder) and
 * queued bid u2 (bidder2); job u1 is then scored 20 by the only validator, so
 * the stake is slashed to 500,000 (below the minimum) and bid u2 stays queued.
 */
function slashedWithQueuedBid() {
  matchedJob();
  expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
  expect(read.getBid(2)?.status).toBe("QUEUED");
  expect(vote(validator1, 1, 1, 20).result).toBeOk(Cl.bool(true));
  expect(read.getJobResult(1)).toMatchObject({ outcome: "SLASHED", slashedAmount: 500_000n });
  expect(read.getDataset(1)).toMatchObject({ stake: 500_000n, activeJobs: 0n, queuedJobs: 1n, queueHead: 2n });
  expect(read.getBid(2)?.status).toBe("QUEUED");
}

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// register-dataset
// ---------------------------------------------------------------------------

describe("register-dataset", () => {
  it("escrows the stake and stores the dataset with default terms", () => {
    const before = balances(provider, contractId);
    const r = registerDataset(provider, 2_500_000n, "ipfs://bafy-dataset");
    expect(r.result).toBeOk(Cl.uint(1));

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(-2_500_000n);
    expect(moved.get(contractId)).toBe(2_500_000n);
    expect(stxTransfers(r)).toEqual([{ sender: provider, recipient: contractId, amount: 2_500_000n }]);

    expect(read.getDataset(1)).toEqual({
      provider,
      stake: 2_500_000n,
      metadataUri: "ipfs://bafy-dataset",
      pricePerBlock: 0n,
      maxConcurrentJobs: 1n,
      activeJobs: 0n,
      queuedJobs: 0n,
      queueHead: 0n,
      queueTail: 0n,
      matchedJobs: 0n,
      validations: 0n,
      passedValidations: 0n,
      scoreSum: 0n,
      nonDeliveries: 0n,
      lastSettledAt: 0n,
      registeredAt: height(),
      active: true,
      qualityScore: 0n,
    });
    expect(read.getMarketTotals().datasetStakes).toBe(2_500_000n);
  });

  it("emits dataset-registered with the id, provider, stake, URI and the default terms", () => {
    const r = registerDataset(provider, DEFAULTS.minDatasetStake, "ar://metadata");
    expect(eventNames(r)).toEqual(["dataset-registered"]);
    expect(printEvents(r)[0]).toEqual({
      event: "dataset-registered",
      "dataset-id": 1n,
      provider,
      stake: DEFAULTS.minDatasetStake,
      "metadata-uri": "ar://metadata",
      "price-per-block": 0n,
      "max-concurrent-jobs": 1n,
    });
  });

  it("numbers datasets from u1 upwards, one id per successful registration", () => {
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expectErr(registerDataset(provider2, DEFAULTS.minDatasetStake - 1n), "STAKE_TOO_LOW");
    expect(registerDataset(provider2).result).toBeOk(Cl.uint(2));
    expect(registerDataset(provider).result).toBeOk(Cl.uint(3));
    expect(read.getDataset(2)?.provider).toBe(provider2);
    expect(read.getDataset(3)?.provider).toBe(provider);
    expect(read.getDataset(4)).toBeNull();
    expect(read.getMarketTotals().datasetStakes).toBe(3n * DEFAULTS.minDatasetStake);
  });

  it("accepts a stake of exactly min-dataset-stake and a 256-character URI", () => {
    const uri = "ipfs://" + "u".repeat(249);
    expect(uri).toHaveLength(256);
    expect(registerDataset(provider, DEFAULTS.minDatasetStake, uri).result).toBeOk(Cl.uint(1));
    expect(read.getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, metadataUri: uri });
  });

  it("rejects a stake below min-dataset-stake with ERR_STAKE_TOO_LOW and moves nothing", () => {
    const before = balances(provider, contractId);
    const r = registerDataset(provider, DEFAULTS.minDatasetStake - 1n);
    expectErr(r, "STAKE_TOO_LOW");
    expect(r.events).toEqual([]);
    expect(deltas(before).get(provider)).toBe(0n);
    expect(read.getDataset(1)).toBeNull();
  });

  it("rejects an empty metadata URI with ERR_EMPTY_METADATA_URI", () => {
    const before = balances(provider, contractId);
    expectErr(registerDataset(provider, DEFAULTS.minDatasetStake, ""), "EMPTY_METADATA_URI");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(read.getDataset(1)).toBeNull();
  });

  it("rejects a stake larger than the caller's balance with ERR_INSUFFICIENT_FUNDS", () => {
    const before = balances(provider, contractId);
    expectErr(registerDataset(provider, stx(provider) + 1n), "INSUFFICIENT_FUNDS");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(read.getDataset(1)).toBeNull();
    expect(read.getMarketTotals().datasetStakes).toBe(0n);
  });
});

// ---------------------------------------------------------------------------
// register-dataset-with-terms
// ---------------------------------------------------------------------------

describe("register-dataset-with-terms", () => {
  it("escrows the stake and stores the dataset with its ask and job slots in one call (dataset-registered carries them)", () => {
    const before = balances(provider, contractId);
    const r = registerDatasetWithTerms(provider, 2_000_000n, "ipfs://bafy-terms", 2_000n, 3n);
    expect(r.result).toBeOk(Cl.uint(1));

    expect(stxTransfers(r)).toEqual([{ sender: provider, recipient: contractId, amount: 2_000_000n }]);
    expect(deltas(before)).toEqual(new Map([[provider, -2_000_000n], [contractId, 2_000_000n]]));
    expect(printEvents(r)).toEqual([
      {
        event: "dataset-registered",
        "dataset-id": 1n,
        provider,
        stake: 2_000_000n,
        "metadata-uri": "ipfs://bafy-terms",
        "price-per-block": 2_000n,
        "max-concurrent-jobs": 3n,
      },
    ]);
    expect(read.getDataset(1)).toEqual({
      provider,
      stake: 2_000_000n,
      metadataUri: "ipfs://bafy-terms",
      pricePerBlock: 2_000n,
      maxConcurrentJobs: 3n,
      activeJobs: 0n,
      queuedJobs: 0n,
      queueHead: 0n,
      queueTail: 0n,
      matchedJobs: 0n,
      validations: 0n,
      passedValidations: 0n,
      scoreSum: 0n,
      nonDeliveries: 0n,
      lastSettledAt: 0n,
      registeredAt: height(),
      active: true,
      qualityScore: 0n,
    });
    expect(read.getMarketTotals().datasetStakes).toBe(2_000_000n);
  });

  it("the ask binds the very first bid: a bid below it is refused at once, with no window at price 0", () => {
    const start = height();
    expect(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://terms", 2_000n, 1n).result).toBeOk(Cl.uint(1));
    // the next call, in the same Bitcoin block: 2,000 * 100 = 200,000 is the ask
    const before = balances(bidder, contractId);
    expectErr(placeBid(bidder, 1, 199_999n, 100n), "BID_BELOW_ASK");
    expect(deltas(before)).toEqual(new Map([[bidder, 0n], [contractId, 0n]]));
    expect(read.getBid(1)).toBeNull();
    expect(placeBid(bidder, 1, 200_000n, 100n).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)).toMatchObject({ amount: 200_000n, status: "MATCHED" });
    expect(height()).toBe(start);
    // register-dataset opens at price 0 until set-dataset-terms: the same bid is taken there
    expect(registerDataset(provider2).result).toBeOk(Cl.uint(2));
    expect(placeBid(bidder, 2, 199_999n, 100n).result).toBeOk(Cl.uint(2));
  });

  it("accepts the bounds: price 1e12 with capacity 1000, and price 0 with capacity 1", () => {
    expect(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://a", MAX_PRICE, MAX_CAPACITY).result).toBeOk(Cl.uint(1));
    expect(read.getDataset(1)).toMatchObject({ pricePerBlock: MAX_PRICE, maxConcurrentJobs: MAX_CAPACITY });
    expect(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://b", 0n, 1n).result).toBeOk(Cl.uint(2));
    expect(read.getDataset(2)).toMatchObject({ pricePerBlock: 0n, maxConcurrentJobs: 1n });
  });

  it("rejects a price above 1e12 per block with ERR_INVALID_PRICE, moving nothing", () => {
    const before = balances(provider, contractId);
    expectNotRegistered(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://a", MAX_PRICE + 1n, 1n), "INVALID_PRICE", before);
    expectNotRegistered(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://a", MAX_UINT, 1n), "INVALID_PRICE", before);
  });

  it("rejects a capacity of 0 or above 1000 with ERR_INVALID_CAPACITY, moving nothing", () => {
    const before = balances(provider, contractId);
    expectNotRegistered(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://a", 0n, 0n), "INVALID_CAPACITY", before);
    expectNotRegistered(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://a", 0n, MAX_CAPACITY + 1n), "INVALID_CAPACITY", before);
  });

  it("runs register-dataset's checks, then the terms after the URI checks and before the deposit", () => {
    const before = balances(provider, contractId);
    // the stake and the URI come first, whatever the terms
    expectNotRegistered(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake - 1n, "ipfs://a", MAX_PRICE + 1n, 0n), "STAKE_TOO_LOW", before);
    expectNotRegistered(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "", MAX_PRICE + 1n, 0n), "EMPTY_METADATA_URI", before);
    expectNotRegistered(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "http://x", MAX_PRICE + 1n, 0n), "INVALID_METADATA_URI", before);
    // the price before the capacity
    expectNotRegistered(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://a", MAX_PRICE + 1n, 0n), "INVALID_PRICE", before);
    // the terms before the deposit: an unaffordable stake with bad terms reports the terms
    const unaffordable = stx(provider) + 1n;
    expectNotRegistered(registerDatasetWithTerms(provider, unaffordable, "ipfs://a", MAX_PRICE + 1n, 1n), "INVALID_PRICE", before);
    expectNotRegistered(registerDatasetWithTerms(provider, unaffordable, "ipfs://a", 0n, 0n), "INVALID_CAPACITY", before);
    expectNotRegistered(registerDatasetWithTerms(provider, unaffordable, "ipfs://a", 0n, 1n), "INSUFFICIENT_FUNDS", before);
  });

  it("is refused while the market is paused with ERR_PAUSED", () => {
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const before = balances(provider, contractId);
    expectNotRegistered(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://a", 1_000n, 2n), "PAUSED", before);
  });
});

// ---------------------------------------------------------------------------
// metadata-uri (register-dataset and register-dataset-with-terms)
// ---------------------------------------------------------------------------

/**
 * URIs the contract refuses with ERR_INVALID_METADATA_URI: unknown or bare schemes, whitespace
 * anywhere, and any character RFC 3986 does not allow (form feed, quote, backslash, <, {, ...).
 */
const INVALID_URIS = [
  " ",
  "not a uri",
  "ipfs://",
  "ar://",
  "https://",
  "http://x",
  "ftp://x",
  "IPFS://x",
  "ipfs:/x",
  "ipfs://a b",
  " ipfs://a",
  "ipfs://a ",
  "ipfs://a\tb",
  "ipfs://a\nb",
  "ipfs://a\rb",
  "ipfs://a\fb",
  'ipfs://a"b',
  "ar://a\\b",
  "https://a<b",
  "https://a{b}",
  "ipfs://\f",
  'https://example.com/"',
];

/** Every character RFC 3986 allows in a URI: unreserved, reserved and % (the contract's URI_CHARACTERS). */
const RFC3986 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";

/**
 * Every other character a string-ascii can hold: the printable ASCII outside RFC 3986 (space " < > \ ^ ` { | })
 * and the whitespace controls (tab, newline, form feed, CR).
 */
const NON_URI_CHARACTERS = [
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => !RFC3986.includes(c)),
  "\t",
  "\n",
  "\f",
  "\r",
];

describe("metadata-uri", () => {
  it("accepts ipfs://, ar:// and https:// URIs with something after the scheme", () => {
    const uris = ["ipfs://a", "ar://a", "https://a", "ipfs://bafy/metadata.json", "https://example.com/d?v=1#x"];
    uris.forEach((uri, i) => {
      expect(registerDataset(provider, DEFAULTS.minDatasetStake, uri).result).toBeOk(Cl.uint(i + 1));
      expect(read.getDataset(i + 1)?.metadataUri).toBe(uri);
    });
    expect(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ar://b", 0n, 1n).result).toBeOk(Cl.uint(uris.length + 1));
  });

  it("accepts every RFC 3986 character: each one alone after a scheme, and all of them in one URI", () => {
    expect(RFC3986).toHaveLength(85);
    let id = 0;
    for (const c of RFC3986) {
      const uri = `ipfs://${c}`;
      id += 1;
      expect(registerDataset(provider, DEFAULTS.minDatasetStake, uri).result, JSON.stringify(uri)).toBeOk(Cl.uint(id));
      expect(read.getDataset(id)?.metadataUri).toBe(uri);
    }
    for (const uri of [`https://${RFC3986}`, `ar://${RFC3986}`, `ipfs://x/${RFC3986}${RFC3986}`]) {
      id += 1;
      expect(registerDataset(provider, DEFAULTS.minDatasetStake, uri).result, uri).toBeOk(Cl.uint(id));
      expect(read.getDataset(id)?.metadataUri).toBe(uri);
    }
    id += 1;
    expect(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, `https://${RFC3986}`, 0n, 1n).result).toBeOk(Cl.uint(id));
    expect(read.getMarketTotals().datasetStakes).toBe(BigInt(id) * DEFAULTS.minDatasetStake);
  });

  it("refuses every character outside RFC 3986 (form feed, quote, space, backslash, <, {, ...) anywhere in the URI with ERR_INVALID_METADATA_URI (u210), from both functions", () => {
    expect(NON_URI_CHARACTERS).toEqual([" ", '"', "<", ">", "\\", "^", "`", "{", "|", "}", "\t", "\n", "\f", "\r"]);
    const before = balances(provider, contractId);
    for (const c of NON_URI_CHARACTERS) {
      // right after the scheme, inside an otherwise valid URI, and last
      for (const uri of [`ipfs://${c}`, `https://example.com/a${c}b?q=1`, `ar://bafy${c}`]) {
        const plain = registerDataset(provider, DEFAULTS.minDatasetStake, uri);
        expect(plain.result, JSON.stringify(uri)).toStrictEqual(Cl.error(Cl.uint(210)));
        expectNotRegistered(plain, "INVALID_METADATA_URI", before);
        const withTerms = registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, uri, 1_000n, 2n);
        expect(withTerms.result, JSON.stringify(uri)).toStrictEqual(Cl.error(Cl.uint(210)));
        expectNotRegistered(withTerms, "INVALID_METADATA_URI", before);
      }
    }
    // one bad character among 255 good ones still refuses the URI
    const long = `https://${"a".repeat(246)}{${"b".repeat(1)}`;
    expect(long).toHaveLength(256);
    expectNotRegistered(registerDataset(provider, DEFAULTS.minDatasetStake, long), "INVALID_METADATA_URI", before);
  });

  it("register-dataset rejects a URI without a known scheme, with nothing after it, or with a space, tab, newline, CR, form feed, quote, backslash, < or { with ERR_INVALID_METADATA_URI (u210)", () => {
    const before = balances(provider, contractId);
    for (const uri of INVALID_URIS) {
      const r = registerDataset(provider, DEFAULTS.minDatasetStake, uri);
      expect(r.result, JSON.stringify(uri)).toStrictEqual(Cl.error(Cl.uint(210)));
      expectNotRegistered(r, "INVALID_METADATA_URI", before);
    }
  });

  it("register-dataset-with-terms rejects the same URIs with ERR_INVALID_METADATA_URI (u210)", () => {
    const before = balances(provider, contractId);
    for (const uri of INVALID_URIS) {
      const r = registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, uri, 1_000n, 2n);
      expect(r.result, JSON.stringify(uri)).toStrictEqual(Cl.error(Cl.uint(210)));
      expectNotRegistered(r, "INVALID_METADATA_URI", before);
    }
  });

  it("an empty URI is still ERR_EMPTY_METADATA_URI (u202), from both functions", () => {
    const before = balances(provider, contractId);
    const plain = registerDataset(provider, DEFAULTS.minDatasetStake, "");
    expect(plain.result).toStrictEqual(Cl.error(Cl.uint(202)));
    expectNotRegistered(plain, "EMPTY_METADATA_URI", before);
    const withTerms = registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "", 0n, 1n);
    expect(withTerms.result).toStrictEqual(Cl.error(Cl.uint(202)));
    expectNotRegistered(withTerms, "EMPTY_METADATA_URI", before);
  });
});

// ---------------------------------------------------------------------------
// add-dataset-stake
// ---------------------------------------------------------------------------

describe("add-dataset-stake", () => {
  it("adds to the stake, returns the new stake and emits dataset-stake-added", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, contractId);
    const r = addStake(provider, 1, 750_000n);
    expect(r.result).toBeOk(Cl.uint(1_750_000n));

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(-750_000n);
    expect(moved.get(contractId)).toBe(750_000n);
    expect(stxTransfers(r)).toEqual([{ sender: provider, recipient: contractId, amount: 750_000n }]);
    expect(printEvents(r)).toEqual([
      { event: "dataset-stake-added", "dataset-id": 1n, provider, amount: 750_000n, stake: 1_750_000n },
    ]);
    expect(read.getDataset(1)).toMatchObject({ stake: 1_750_000n, active: true });
    expect(read.getMarketTotals().datasetStakes).toBe(1_750_000n);
  });

  it("after a slash (final score < 40 halves the stake) a top-up back to the minimum reopens the dataset and matches its queued bid", () => {
    slashedWithQueuedBid();
    // understaked: no new bids
    expectErr(placeBid(outsider, 1), "DATASET_UNDERSTAKED");

    const before = balances(provider, contractId, bidder2);
    const r = addStake(provider, 1, 500_000n);
    expect(r.result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    // validator1 is the only validator: the matched job's one-seat committee is seated at once
    expect(eventNames(r)).toEqual(["dataset-stake-added", "bid-matched", "committee-drawn"]);
    expect(printEvents(r)[1]).toEqual({
      event: "bid-matched",
      "bid-id": 2n,
      "dataset-id": 1n,
      bidder: bidder2,
      "matched-at": height(),
    });
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(-500_000n);
    expect(moved.get(contractId)).toBe(500_000n);
    expect(moved.get(bidder2)).toBe(0n);

    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", matchedAt: height() });
    expect(read.getDataset(1)).toMatchObject({
      stake: DEFAULTS.minDatasetStake,
      activeJobs: 1n,
      queuedJobs: 0n,
      queueHead: 0n,
      queueTail: 0n,
      matchedJobs: 2n,
    });
    expect(read.getMarketTotals()).toMatchObject({ datasetStakes: DEFAULTS.minDatasetStake, escrowedBids: 500_000n });
  });

  it("a top-up that leaves the stake below the minimum keeps the dataset closed and its bids queued", () => {
    slashedWithQueuedBid();
    const r = addStake(provider, 1, 499_999n);
    expect(r.result).toBeOk(Cl.uint(999_999n));
    expect(eventNames(r)).toEqual(["dataset-stake-added"]);
    expect(read.getBid(2)?.status).toBe("QUEUED");
    expect(read.getDataset(1)).toMatchObject({ stake: 999_999n, activeJobs: 0n, queuedJobs: 1n, queueHead: 2n });
    expectErr(placeBid(outsider, 1), "DATASET_UNDERSTAKED");
  });

  it("rejects a zero amount with ERR_ZERO_AMOUNT", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, contractId);
    expectErr(addStake(provider, 1, 0), "ZERO_AMOUNT");
    expect(deltas(before).get(contractId)).toBe(0n);
    expect(read.getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
  });

  it("rejects an unknown dataset with ERR_DATASET_NOT_FOUND", () => {
    expectErr(addStake(provider, 1, 100_000n), "DATASET_NOT_FOUND");
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(addStake(provider, 2, 100_000n), "DATASET_NOT_FOUND");
  });

  it("rejects anyone but the provider with ERR_NOT_DATASET_PROVIDER", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider2, contractId);
    expectErr(addStake(provider2, 1, 100_000n), "NOT_DATASET_PROVIDER");
    expectErr(addStake(bidder, 1, 100_000n), "NOT_DATASET_PROVIDER");
    expect(deltas(before).get(contractId)).toBe(0n);
    expect(read.getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
  });

  it("rejects a retired dataset with ERR_DATASET_INACTIVE", () => {
    retiredDataset();
    const before = balances(provider, contractId);
    expectErr(addStake(provider, 1, DEFAULTS.minDatasetStake), "DATASET_INACTIVE");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(read.getDataset(1)).toMatchObject({ stake: 0n, active: false });
  });

  it("rejects an amount larger than the provider's balance with ERR_INSUFFICIENT_FUNDS", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, contractId);
    expectErr(addStake(provider, 1, stx(provider) + 1n), "INSUFFICIENT_FUNDS");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(read.getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
  });

  it("rejects the largest uint with ERR_INSUFFICIENT_FUNDS (u104), not an overflow, and moves nothing", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, contractId);
    const totals = read.getMarketTotals();
    // stake + amount would overflow: the deposit fails first
    const r = addStake(provider, 1, MAX_UINT);
    expect(r.result).toStrictEqual(Cl.error(Cl.uint(104)));
    expectErr(r, "INSUFFICIENT_FUNDS");
    expect(r.events).toEqual([]);
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [contractId, 0n]]));
    expect(read.getMarketTotals()).toEqual(totals);
    expect(read.getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
  });
});

// ---------------------------------------------------------------------------
// set-dataset-terms
// ---------------------------------------------------------------------------

describe("set-dataset-terms", () => {
  it("stores the price and capacity, emits dataset-terms-set and moves no STX", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, contractId);
    const r = setTerms(provider, 1, 2_000n, 4n);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(printEvents(r)).toEqual([
      { event: "dataset-terms-set", "dataset-id": 1n, "price-per-block": 2_000n, "max-concurrent-jobs": 4n },
    ]);
    expect(stxTransfers(r)).toEqual([]);
    expect(deltas(before).get(contractId)).toBe(0n);
    expect(read.getDataset(1)).toMatchObject({ pricePerBlock: 2_000n, maxConcurrentJobs: 4n, stake: DEFAULTS.minDatasetStake });
  });

  it("the price is the ask: a bid below price * duration is refused, one at it is accepted", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(setTerms(provider, 1, 2_000n, 1n).result).toBeOk(Cl.bool(true));
    expectErr(placeBid(bidder, 1, 199_999n, 100n), "BID_BELOW_ASK");
    expect(placeBid(bidder, 1, 200_000n, 100n).result).toBeOk(Cl.uint(1));
  });

  it("accepts the bounds: price 1e12 and capacity 1000, price 0 and capacity 1", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(setTerms(provider, 1, 1_000_000_000_000n, 1000n).result).toBeOk(Cl.bool(true));
    expect(read.getDataset(1)).toMatchObject({ pricePerBlock: 1_000_000_000_000n, maxConcurrentJobs: 1000n });
    expect(setTerms(provider, 1, 0n, 1n).result).toBeOk(Cl.bool(true));
    expect(read.getDataset(1)).toMatchObject({ pricePerBlock: 0n, maxConcurrentJobs: 1n });
  });

  it("raising the capacity matches queued bids into the new slots in FIFO order", () => {
    matchedJob();
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
    expect(placeBid(outsider, 1).result).toBeOk(Cl.uint(3));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(4));
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, queuedJobs: 3n, queueHead: 2n, queueTail: 4n });

    const before = balances(bidder, bidder2, outsider, contractId);
    const r = setTerms(provider, 1, 0n, 3n);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(eventNames(r)).toEqual(["dataset-terms-set", "bid-matched", "committee-drawn", "bid-matched", "committee-drawn"]);
    expect(printEvents(r).filter((e) => e.event === "bid-matched").map((e) => e["bid-id"])).toEqual([2n, 3n]);
    expect([...deltas(before).values()]).toEqual([0n, 0n, 0n, 0n]);

    expect(read.getBid(2)?.status).toBe("MATCHED");
    expect(read.getBid(3)?.status).toBe("MATCHED");
    expect(read.getBid(4)?.status).toBe("QUEUED");
    expect(read.getDataset(1)).toMatchObject({
      maxConcurrentJobs: 3n,
      activeJobs: 3n,
      matchedJobs: 3n,
      queuedJobs: 1n,
      queueHead: 4n,
      queueTail: 4n,
    });
  });

  it("rejects an unknown dataset with ERR_DATASET_NOT_FOUND", () => {
    expectErr(setTerms(provider, 1, 0n, 1n), "DATASET_NOT_FOUND");
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(setTerms(provider, 2, 0n, 1n), "DATASET_NOT_FOUND");
  });

  it("rejects anyone but the provider with ERR_NOT_DATASET_PROVIDER", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(setTerms(provider2, 1, 5_000n, 2n), "NOT_DATASET_PROVIDER");
    expectErr(setTerms(bidder, 1, 5_000n, 2n), "NOT_DATASET_PROVIDER");
    expect(read.getDataset(1)).toMatchObject({ pricePerBlock: 0n, maxConcurrentJobs: 1n });
  });

  it("rejects a retired dataset with ERR_DATASET_INACTIVE", () => {
    retiredDataset();
    expectErr(setTerms(provider, 1, 5_000n, 2n), "DATASET_INACTIVE");
    expect(read.getDataset(1)).toMatchObject({ pricePerBlock: 0n, maxConcurrentJobs: 1n, active: false });
  });

  it("rejects a price above 1e12 per block with ERR_INVALID_PRICE", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(setTerms(provider, 1, 1_000_000_000_001n, 1n), "INVALID_PRICE");
    expect(read.getDataset(1)?.pricePerBlock).toBe(0n);
  });

  it("rejects a capacity of 0 or above 1000 with ERR_INVALID_CAPACITY", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(setTerms(provider, 1, 0n, 0n), "INVALID_CAPACITY");
    expectErr(setTerms(provider, 1, 0n, 1001n), "INVALID_CAPACITY");
    expect(read.getDataset(1)?.maxConcurrentJobs).toBe(1n);
  });
});

// ---------------------------------------------------------------------------
// withdraw-dataset-stake
// ---------------------------------------------------------------------------

describe("withdraw-dataset-stake", () => {
  it("a dataset that never had a matched job: returns the whole stake, retires it, emits dataset-withdrawn", () => {
    expect(registerDataset(provider, 2_500_000n).result).toBeOk(Cl.uint(1));
    expect(addStake(provider, 1, 500_000n).result).toBeOk(Cl.uint(3_000_000n));
    const before = balances(provider, contractId);
    const r = withdrawStake(provider, 1);
    expect(r.result).toBeOk(Cl.uint(3_000_000n));

    const moved = deltas(before);
    expect(moved.get(provider)).toBe(3_000_000n);
    expect(moved.get(contractId)).toBe(-3_000_000n);
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: provider, amount: 3_000_000n }]);
    expect(printEvents(r)).toEqual([
      { event: "dataset-withdrawn", "dataset-id": 1n, provider, amount: 3_000_000n },
    ]);
    expect(read.getDataset(1)).toMatchObject({ stake: 0n, active: false, provider, matchedJobs: 0n });
    expect(read.getMarketTotals().datasetStakes).toBe(0n);
  });

  it("is allowed at once after a passed validation (final score >= 70)", () => {
    finalizedJob(85);
    expect(read.getDataset(1)).toMatchObject({ passedValidations: 1n, activeJobs: 0n });

    const before = balances(provider, contractId);
    const r = withdrawStake(provider, 1);
    expect(r.result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(deltas(before).get(provider)).toBe(DEFAULTS.minDatasetStake);
    expect(eventNames(r)).toEqual(["dataset-withdrawn"]);
    expect(read.getDataset(1)).toMatchObject({ stake: 0n, active: false });
  });

  it("after a job that did not pass (partial score) it is ERR_STAKE_LOCKED until stake-lock-blocks after settlement", () => {
    finalizedJob(55);
    expect(read.getJobResult(1)?.outcome).toBe("PARTIAL");
    const settledAt = height();
    expect(read.getDataset(1)).toMatchObject({ passedValidations: 0n, lastSettledAt: settledAt, activeJobs: 0n });

    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    simnet.mineEmptyBlocks(Number(DEFAULTS.stakeLockBlocks));
    expect(height()).toBe(settledAt + DEFAULTS.stakeLockBlocks);
    const before = balances(provider, contractId);
    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(read.getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, active: true });

    simnet.mineEmptyBlocks(1);
    const r = withdrawStake(provider, 1);
    expect(r.result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(deltas(before).get(provider)).toBe(DEFAULTS.minDatasetStake);
    expect(read.getDataset(1)).toMatchObject({ stake: 0n, active: false });
  });

  it("after a slashed job it is locked for stake-lock-blocks, then returns the halved stake", () => {
    finalizedJob(10);
    expect(read.getDataset(1)?.stake).toBe(500_000n);
    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    simnet.mineEmptyBlocks(Number(DEFAULTS.stakeLockBlocks) + 1);
    const before = balances(provider, contractId);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(500_000n));
    expect(deltas(before).get(provider)).toBe(500_000n);
    expect(read.getMarketTotals().datasetStakes).toBe(0n);
  });

  it("after an expired job it is ERR_STAKE_LOCKED until stake-lock-blocks after the expiry, then allowed", () => {
    matchedJob();
    const deadline = read.getBid(1)?.deadline as bigint;
    mineUntil(deadline + DEFAULTS.validationWindow + DEFAULTS.revealWindow + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(500_000n));
    const expiredAt = height();
    expect(read.getDataset(1)).toMatchObject({
      activeJobs: 0n,
      lastSettledAt: expiredAt,
      validations: 0n,
      stake: DEFAULTS.minDatasetStake,
    });

    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    simnet.mineEmptyBlocks(Number(DEFAULTS.stakeLockBlocks));
    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    simnet.mineEmptyBlocks(1);
    const before = balances(provider, contractId);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(deltas(before).get(provider)).toBe(DEFAULTS.minDatasetStake);
    expect(read.getDataset(1)?.active).toBe(false);
  });

  it("after a job refunded by finalize-validation (no reveal) it is ERR_STAKE_LOCKED until stake-lock-blocks after the refund", () => {
    matchedJob();
    const deadline = read.getBid(1)?.deadline as bigint;
    mineUntil(deadline + DEFAULTS.validationWindow + DEFAULTS.revealWindow + 1n);
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    const refundedAt = height();
    expect(read.getDataset(1)).toMatchObject({
      activeJobs: 0n,
      lastSettledAt: refundedAt,
      validations: 0n,
      stake: DEFAULTS.minDatasetStake,
    });

    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    mineUntil(refundedAt + DEFAULTS.stakeLockBlocks);
    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    simnet.mineEmptyBlocks(1);
    const before = balances(provider, contractId);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(deltas(before).get(provider)).toBe(DEFAULTS.minDatasetStake);
    expect(read.getDataset(1)).toMatchObject({ active: false, stake: 0n });
  });

  it("is refused with ERR_DATASET_HAS_OPEN_JOBS while a job is running", () => {
    matchedJob();
    const before = balances(provider, contractId);
    expectErr(withdrawStake(provider, 1), "DATASET_HAS_OPEN_JOBS");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, active: true, stake: DEFAULTS.minDatasetStake });
  });

  it("is refused with ERR_DATASET_HAS_OPEN_JOBS while a bid is queued (no job running)", () => {
    matchedJob();
    // bid u2 waits behind job u1 with a deadline far enough to outlive job u1's expiry
    expect(placeBid(bidder2, 1, 500_000n, 100n, height() + 2_000n).result).toBeOk(Cl.uint(2));
    // while paused the freed slot is not refilled, so bid u2 stays queued with no job running
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const deadline = read.getBid(1)?.deadline as bigint;
    mineUntil(deadline + DEFAULTS.validationWindow + DEFAULTS.revealWindow + 1n);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(500_000n));
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 0n, queuedJobs: 1n, queueHead: 2n });

    const before = balances(provider, contractId);
    expectErr(withdrawStake(provider, 1), "DATASET_HAS_OPEN_JOBS");
    expect(deltas(before).get(provider)).toBe(0n);
    expect(read.getDataset(1)).toMatchObject({ active: true, stake: DEFAULTS.minDatasetStake, queuedJobs: 1n });
    expect(read.getBid(2)?.status).toBe("QUEUED");
  });

  it("is refused the second time with ERR_DATASET_INACTIVE", () => {
    retiredDataset();
    const before = balances(provider, contractId);
    expectErr(withdrawStake(provider, 1), "DATASET_INACTIVE");
    expect(deltas(before).get(provider)).toBe(0n);
  });

  it("a retired dataset refuses new bids with ERR_DATASET_INACTIVE", () => {
    retiredDataset();
    const before = balances(bidder, contractId);
    expectErr(placeBid(bidder, 1), "DATASET_INACTIVE");
    expect(deltas(before).get(bidder)).toBe(0n);
    expect(read.getBid(1)).toBeNull();
  });

  it("rejects an unknown dataset with ERR_DATASET_NOT_FOUND", () => {
    expectErr(withdrawStake(provider, 1), "DATASET_NOT_FOUND");
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(withdrawStake(provider, 2), "DATASET_NOT_FOUND");
  });

  it("rejects anyone but the provider with ERR_NOT_DATASET_PROVIDER", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, provider2, contractId);
    expectErr(withdrawStake(provider2, 1), "NOT_DATASET_PROVIDER");
    expectErr(withdrawStake(outsider, 1), "NOT_DATASET_PROVIDER");
    expect([...deltas(before).values()]).toEqual([0n, 0n, 0n]);
    expect(read.getDataset(1)).toMatchObject({ active: true, stake: DEFAULTS.minDatasetStake });
  });
});

// ---------------------------------------------------------------------------
// retire-dataset
// ---------------------------------------------------------------------------

describe("retire-dataset", () => {
  it("the provider closes its dataset at once: active false, dataset-retired, nothing moved; no more bids, terms or stake (DATASET_INACTIVE)", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();

    const r = retireDataset(provider, 1);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(printEvents(r)).toEqual([
      { event: "dataset-retired", "dataset-id": 1n, provider, "queued-jobs": 0n, "active-jobs": 0n },
    ]);
    expect(stxTransfers(r)).toEqual([]);
    expect(read.getDataset(1)).toMatchObject({ active: false, stake: DEFAULTS.minDatasetStake });

    expectErr(placeBid(bidder, 1), "DATASET_INACTIVE");
    expectErr(setTerms(provider, 1, 1_000n, 2n), "DATASET_INACTIVE");
    expectErr(addStake(provider, 1, 100_000n), "DATASET_INACTIVE");
    expectErr(retireDataset(provider, 1), "DATASET_INACTIVE");
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 0n], [contractId, 0n]]));
    expect(read.getMarketTotals()).toEqual(totals);
    expect(read.getBid(1)).toBeNull();
  });

  it("only the provider retires its dataset (NOT_DATASET_PROVIDER); an unknown dataset is DATASET_NOT_FOUND", () => {
    expectErr(retireDataset(provider, 1), "DATASET_NOT_FOUND");
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(retireDataset(provider2, 1), "NOT_DATASET_PROVIDER");
    expectErr(retireDataset(bidder, 1), "NOT_DATASET_PROVIDER");
    expectErr(retireDataset(provider, 2), "DATASET_NOT_FOUND");
    expect(read.getDataset(1)?.active).toBe(true);
  });

  it("works while the market is paused", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const r = retireDataset(provider, 1);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(eventNames(r)).toEqual(["dataset-retired"]);
    expect(read.getDataset(1)?.active).toBe(false);
    // a dataset that never had a matched job: its stake comes back at once, paused or not
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
  });

  it("each queued bid becomes refundable by anyone through expire-bid, one per call; the running job still finishes and pays; then the stake is released once", () => {
    matchedJob();
    expect(placeBid(bidder2, 1, 200_000n, 100n, height() + 1_000n).result).toBeOk(Cl.uint(2));
    expect(placeBid(outsider, 1, 210_000n, 100n, height() + 1_000n).result).toBeOk(Cl.uint(3));
    // before the retirement a queued bid that can meet its deadline is not refundable
    expectErr(expireBid(provider2, 2), "BID_NOT_EXPIRED");

    const retired = retireDataset(provider, 1);
    expect(retired.result).toBeOk(Cl.bool(true));
    expect(printEvents(retired)).toEqual([
      { event: "dataset-retired", "dataset-id": 1n, provider, "queued-jobs": 2n, "active-jobs": 1n },
    ]);
    const before = balances(bidder2, outsider, provider, contractId);

    const first = expireBid(provider2, 2);
    expect(first.result).toBeOk(Cl.uint(200_000n));
    expect(printEvents(first)).toEqual([
      { event: "bid-expired", "bid-id": 2n, "dataset-id": 1n, bidder: bidder2, refund: 200_000n, penalties: 0n },
    ]);
    expect(stxTransfers(first)).toEqual([{ sender: contractId, recipient: bidder2, amount: 200_000n }]);
    // one bid per call: bid 3 is still queued
    expect(read.getBid(2)?.status).toBe("EXPIRED");
    expect(read.getBid(3)?.status).toBe("QUEUED");
    expect(read.getDataset(1)).toMatchObject({ queuedJobs: 1n, queueHead: 3n, queueTail: 3n, activeJobs: 1n });

    const second = expireBid(bidder, 3);
    expect(second.result).toBeOk(Cl.uint(210_000n));
    expect(stxTransfers(second)).toEqual([{ sender: contractId, recipient: outsider, amount: 210_000n }]);
    expect(read.getBid(3)?.status).toBe("EXPIRED");
    expect(read.getDataset(1)).toMatchObject({ queuedJobs: 0n, queueHead: 0n, queueTail: 0n, activeJobs: 1n });
    expect(deltas(before)).toEqual(new Map([[bidder2, 200_000n], [outsider, 210_000n], [provider, 0n], [contractId, -410_000n]]));
    expect(read.getMarketTotals().escrowedBids).toBe(500_000n);

    // the running job holds the stake
    expectErr(withdrawStake(provider, 1), "DATASET_HAS_OPEN_JOBS");
    // ... and still finishes: 500,000 - 25,000 fees - 5,000 protocol fee to the provider
    const settled = vote(validator1, 1, 1, 85);
    expect(settled.result).toBeOk(Cl.bool(true));
    expect(eventNames(settled)).toEqual(["validation-submitted", "job-finalized"]);
    expect(deltas(before).get(provider)).toBe(470_000n);
    expect(read.getDataset(1)).toMatchObject({ active: false, activeJobs: 0n, passedValidations: 1n });

    // a passed validation unlocks the stake at once
    const withdrawn = withdrawStake(provider, 1);
    expect(withdrawn.result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(printEvents(withdrawn)).toEqual([
      { event: "dataset-withdrawn", "dataset-id": 1n, provider, amount: DEFAULTS.minDatasetStake },
    ]);
    expect(deltas(before).get(provider)).toBe(470_000n + DEFAULTS.minDatasetStake);
    expect(read.getDataset(1)).toMatchObject({ active: false, stake: 0n });
    expect(read.getMarketTotals().datasetStakes).toBe(0n);
    expectErr(withdrawStake(provider, 1), "DATASET_INACTIVE");
  });

  it("withdraw-dataset-stake of a retired dataset keeps the stake lock, then pays once; a second withdraw is DATASET_INACTIVE", () => {
    finalizedJob(55);
    expect(read.getJobResult(1)?.outcome).toBe("PARTIAL");
    const settledAt = height();
    expect(retireDataset(provider, 1).result).toBeOk(Cl.bool(true));
    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    mineUntil(settledAt + DEFAULTS.stakeLockBlocks + 1n);
    const before = balances(provider, contractId);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expect(deltas(before)).toEqual(new Map([[provider, DEFAULTS.minDatasetStake], [contractId, -DEFAULTS.minDatasetStake]]));
    expectErr(withdrawStake(provider, 1), "DATASET_INACTIVE");
    expect(deltas(before).get(provider)).toBe(DEFAULTS.minDatasetStake);
  });
});
