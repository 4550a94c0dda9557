/**
 * The two Stacks API endpoints the indexer reads, served alike by Hiro's API and by the
 * project's local node (src/node): a contract's print events, newest first, and one transaction
 * with its events. Every answer is checked for the fields the indexer uses, so a wrong URL or a
 * server that is not a Stacks API fails with one clear `IndexerError` naming the URL.
 */

/** Every failure the indexer reports to its user: one line, no stack trace needed. */
export class IndexerError extends Error {
  override name = "IndexerError";
}

/** Where to read the contract's history. */
export interface IndexSource {
  /** Base URL of the node or Stacks API, e.g. `http://127.0.0.1:3999` or `https://api.testnet.hiro.so`. */
  url: string;
  /** `<deployer>.<contract-name>` */
  contractId: string;
  /** Events per page (the real API caps it at 50, which is the default). */
  pageSize?: number;
  /** At most this many requests in flight at once (default 4): the real API rate-limits per client. */
  concurrency?: number;
  /** New transactions stored per SQL transaction and file write (default 50). */
  batchTxs?: number;
  /** Sent as `x-api-key` (a Hiro API key raises its rate limit). */
  apiKey?: string;
}

/** One print event of the contract, as listed by /extended/v1/contract/{id}/events. */
export interface ApiPrintEvent {
  txId: string;
  eventIndex: number;
  contractId: string;
  topic: string;
  hex: string;
  repr: string;
}

/** One page of the listing: `limit` is what the server actually applied (it may cap the request). */
export interface ApiEventsPage {
  limit: number;
  events: ApiPrintEvent[];
  /** Entries of the page that were not print events of the contract (skipped, but they count for paging). */
  size: number;
}

/** An STX movement in a transaction (`stx_asset` event). */
export interface ApiStxEvent {
  eventIndex: number;
  kind: "transfer" | "mint" | "burn";
  sender: string | null;
  recipient: string | null;
  amount: bigint;
}

/** What the indexer keeps of /extended/v1/tx/{txid}. */
export interface ApiTx {
  txId: string;
  status: string;
  sender: string;
  blockHeight: number | null;
  burnBlockHeight: number | null;
  /** The contract and function called, null for a transaction that is not a contract call. */
  contractCall: { contractId: string; functionName: string } | null;
  result: { hex: string; repr: string } | null;
  stxEvents: ApiStxEvent[];
}

const DEFAULT_PAGE_SIZE = 50;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_BATCH_TXS = 50;
/** The real API's tx endpoint returns at most this many events per request unless asked for more. */
const TX_EVENT_PAGE = 96;
const REQUEST_TIMEOUT_MS = 30_000;
/** 429 and 5xx answers are retried this many times, honouring Retry-After (capped). */
const RETRIES = 3;
const MAX_RETRY_WAIT_MS = 30_000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `work` on every item with at most `limit` in flight; results keep the items' order. */
export async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** A client of the two endpoints for one contract. */
export class StacksApi {
  readonly base: string;
  readonly pageSize: number;
  readonly concurrency: number;
  readonly batchTxs: number;

  /** `stop`, when given, cancels requests in flight (a follower being stopped). */
  constructor(
    readonly source: IndexSource,
    private readonly stop?: AbortSignal,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(source.url);
    } catch {
      throw new IndexerError(`not a URL: ${JSON.stringify(source.url)}`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new IndexerError(`not an http(s) URL: ${source.url}`);
    if (!/^[0-9A-Z]{28,41}\.[a-zA-Z][a-zA-Z0-9-]{0,127}$/.test(source.contractId)) {
      throw new IndexerError(`not a contract id (<address>.<name>): ${JSON.stringify(source.contractId)}`);
    }
    this.base = source.url.replace(/\/+$/, "");
    this.pageSize = positive(source.pageSize, DEFAULT_PAGE_SIZE, "page size");
    this.concurrency = positive(source.concurrency, DEFAULT_CONCURRENCY, "concurrency");
    this.batchTxs = positive(source.batchTxs, DEFAULT_BATCH_TXS, "batch size");
  }

  /** GETs `path` and parses its JSON body; any failure is one IndexerError naming the URL. */
  async getJson(path: string): Promise<Json> {
    const url = `${this.base}${path}`;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { accept: "application/json", ...(this.source.apiKey ? { "x-api-key": this.source.apiKey } : {}) },
          signal: this.stop ? AbortSignal.any([this.stop, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        if (this.stop?.aborted) throw new IndexerError(`stopped while asking ${url}`);
        throw new IndexerError(`cannot reach ${url}: ${reason(error)}`);
      }
      if ((response.status === 429 || response.status >= 500) && attempt < RETRIES) {
        // rate limited or a passing server fault: wait as told (or back off) and ask again
        await response.body?.cancel();
        const retryAfter = Number(response.headers.get("retry-after"));
        await sleep(Math.min(MAX_RETRY_WAIT_MS, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000 * 2 ** attempt));
        continue;
      }
      const text = await response.text().catch((error: unknown) => {
        throw new IndexerError(`cannot read the answer of ${url}: ${reason(error)}`);
      });
      if (!response.ok) throw new IndexerError(`${url} answered HTTP ${response.status}: ${text.slice(0, 200).trim()}`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new IndexerError(`${url} did not answer JSON (is it a Stacks API?): ${text.slice(0, 80).trim()}`);
      }
      if (!isObject(body)) throw new IndexerError(`${url} did not answer a JSON object`);
      return body;
    }
  }

  /** One page of the contract's print events, newest first, from `offset`. */
  async eventsPage(offset: number): Promise<ApiEventsPage> {
    const path = `/extended/v1/contract/${encodeURIComponent(this.source.contractId)}/events?limit=${this.pageSize}&offset=${offset}`;
    const body = await this.getJson(path);
    const results = body.results;
    if (!Array.isArray(results)) throw new IndexerError(`${this.base}${path} answered without a results list`);
    const events: ApiPrintEvent[] = [];
    for (const entry of results) {
      if (!isObject(entry) || entry.event_type !== "smart_contract_log") continue;
      const log = entry.contract_log;
      const value = isObject(log) ? log.value : undefined;
      if (!isObject(log) || !isObject(value) || typeof entry.tx_id !== "string" || typeof value.hex !== "string") {
        throw new IndexerError(`${this.base}${path} answered a malformed event: ${JSON.stringify(entry).slice(0, 200)}`);
      }
      events.push({
        txId: entry.tx_id,
        eventIndex: Number(entry.event_index),
        contractId: String(log.contract_id ?? this.source.contractId),
        topic: String(log.topic ?? "print"),
        hex: value.hex,
        repr: typeof value.repr === "string" ? value.repr : "",
      });
    }
    const limit = typeof body.limit === "number" && body.limit > 0 ? body.limit : this.pageSize;
    return { limit, events, size: results.length };
  }

  /** A transaction's metadata and STX events (paging its events if the server truncates them). */
  async tx(txId: string): Promise<ApiTx> {
    const path = `/extended/v1/tx/${encodeURIComponent(txId)}`;
    const body = await this.getJson(path);
    if (typeof body.tx_id !== "string" || typeof body.sender_address !== "string") {
      throw new IndexerError(`${this.base}${path} answered without tx_id and sender_address`);
    }
    const rawEvents = Array.isArray(body.events) ? [...(body.events as unknown[])] : [];
    const eventCount = typeof body.event_count === "number" ? body.event_count : rawEvents.length;
    // Hiro's API sends at most event_limit (96) events with the transaction; page the rest
    while (rawEvents.length < eventCount) {
      const more = await this.getJson(`${path}?event_offset=${rawEvents.length}&event_limit=${TX_EVENT_PAGE}`);
      const page = Array.isArray(more.events) ? (more.events as unknown[]) : [];
      const known = new Set(rawEvents.map((event) => (isObject(event) ? event.event_index : undefined)));
      const fresh = page.filter((event) => isObject(event) && !known.has(event.event_index));
      // a server that ignores event_offset would make the payments silently short: refuse it
      if (fresh.length === 0) throw new IndexerError(`${this.base}${path} announces ${eventCount} events but pages no more than ${rawEvents.length}`);
      rawEvents.push(...fresh);
    }
    const stxEvents: ApiStxEvent[] = [];
    for (const event of rawEvents) {
      if (!isObject(event) || event.event_type !== "stx_asset" || !isObject(event.asset)) continue;
      const asset = event.asset;
      const kind = asset.asset_event_type;
      if (kind !== "transfer" && kind !== "mint" && kind !== "burn") continue;
      let amount: bigint;
      try {
        amount = BigInt(String(asset.amount));
      } catch {
        throw new IndexerError(`${this.base}${path}: STX event ${String(event.event_index)} has a malformed amount ${JSON.stringify(asset.amount)}`);
      }
      stxEvents.push({
        eventIndex: Number(event.event_index),
        kind,
        sender: typeof asset.sender === "string" && asset.sender !== "" ? asset.sender : null,
        recipient: typeof asset.recipient === "string" && asset.recipient !== "" ? asset.recipient : null,
        amount,
      });
    }
    const call = isObject(body.contract_call) ? body.contract_call : null;
    const result = isObject(body.tx_result) ? body.tx_result : null;
    return {
      txId: body.tx_id,
      status: typeof body.tx_status === "string" ? body.tx_status : "unknown",
      sender: body.sender_address,
      blockHeight: typeof body.block_height === "number" ? body.block_height : null,
      burnBlockHeight: typeof body.burn_block_height === "number" ? body.burn_block_height : null,
      contractCall: call && typeof call.function_name === "string" ? { contractId: String(call.contract_id ?? ""), functionName: call.function_name } : null,
      result: result && typeof result.hex === "string" ? { hex: result.hex, repr: String(result.repr ?? "") } : null,
      stxEvents: stxEvents.sort((a, b) => a.eventIndex - b.eventIndex),
    };
  }
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new IndexerError(`${what} must be a positive integer, got ${value}`);
  return value;
}

/** The most telling part of a fetch failure: Node puts the socket error (ECONNREFUSED...) in `cause`. */
function reason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) return (cause as { code?: string }).code ?? cause.message;
    if (cause && typeof cause === "object" && "code" in cause) return String((cause as { code: unknown }).code);
    return error.message;
  }
  return String(error);
}
