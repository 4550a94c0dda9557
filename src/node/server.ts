/**
 * The local node's HTTP server: the subset of the Stacks node RPC (`/v2/...`) and the Stacks API
 * (`/extended/v1/...`) that Stacks.js 7, wallets and the project's tools use, served from a
 * `LocalNode` (the simnet plus node bookkeeping), and one local-only dev route, `POST /ntm/v1/mine`.
 * Requests are handled one at a time, in arrival order, so a rollback never interleaves with a read.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listen } from "../listen.ts";
import { Cl, hexToCV, serializeCV, type ClarityValue } from "@stacks/transactions";
import { LocalNode, NodeFailure, NodeRejection, feeEstimatesFor, type NodeTx } from "./local-node.ts";
import { accountJson, errorJson, feeEstimateJson, infoJson, noncesJson, stxBalanceJson, txJson } from "./api.ts";

export { LocalNode, NodeFailure, NodeRejection, MINER_ADDRESS, FEE_ESTIMATES, MINIMUM_TX_FEE_RATE_PER_BYTE, feeEstimatesFor, type NodeTx, type TxStatus, type ApiEvent } from "./local-node.ts";
export { txJson, infoJson, accountJson, noncesJson, stxBalanceJson } from "./api.ts";

export interface NodeOptions {
  /** Default 20443; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** If set, mine one burn block (with its Stacks block) every `blockTimeMs`; default: only on demand. */
  blockTimeMs?: number;
  /** One line per request and per mined transaction; default silent. */
  log?: (line: string) => void;
}

export interface RunningNode {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  node: LocalNode;
  /** The market's contract id. */
  contractId: string;
  close(): Promise<void>;
}

/** Largest request body accepted (a contract deploy is the biggest legitimate one). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Bytes a transaction adds to its payload (single-sig auth ~120, post-conditions): for fee quotes without `estimated_len`. */
const TX_OVERHEAD_BYTES = 512;
/** Most burn blocks one `/ntm/v1/mine` call may mine. */
const MAX_MINE = 100_000;

/** A response to send: status and JSON body (or a raw string for text endpoints). */
interface Reply {
  status: number;
  body: unknown;
}

/** An HTTP error with a JSON body; thrown by handlers, turned into a reply. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error));
  }
}

function badRequest(message: string): HttpError {
  return new HttpError(400, errorJson(message));
}

function notFound(message: string): HttpError {
  return new HttpError(404, errorJson(message));
}

/**
 * Bodies a state-changing route accepts: what Stacks.js sends (`application/json`) and raw
 * transaction bytes. A browser sends neither cross-origin without a CORS preflight, so a page the
 * user happens to visit cannot broadcast or mine through a plain form post (`text/plain`).
 */
const WRITE_CONTENT_TYPES = ["application/json", "application/octet-stream"];

/** Refuses (415) a state-changing request whose body is not JSON or raw bytes. */
function requireWriteContentType(req: IncomingMessage): void {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (!WRITE_CONTENT_TYPES.includes(type)) {
    throw new HttpError(415, errorJson(`content-type must be ${WRITE_CONTENT_TYPES.join(" or ")}, got ${type || "none"}`));
  }
}

/** A path segment, percent-decoded; a malformed escape (`%E0%A4`) is the client's error. */
function segment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest(`malformed percent-encoding in the path: ${raw}`);
  }
}

/** A standard or contract principal, validated (`Cl.principal` parses the c32 checksum). */
function principalParam(raw: string): string {
  const principal = segment(raw);
  try {
    Cl.principal(principal);
  } catch {
    throw badRequest(`not a Stacks principal: ${principal}`);
  }
  return principal;
}

function contractParam(address: string, name: string): string {
  const id = `${principalParam(address)}.${segment(name)}`;
  return principalParam(id);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw badRequest("request body is not valid JSON");
  }
}

function clarityArg(hex: unknown, what: string): ClarityValue {
  if (typeof hex !== "string" || !/^(0x)?([0-9a-fA-F]{2})+$/.test(hex)) throw badRequest(`${what} is not a hex-encoded Clarity value`);
  try {
    return hexToCV(hex);
  } catch {
    throw badRequest(`${what} is not a valid serialized Clarity value`);
  }
}

function intParam(value: string | null, name: string, fallback: number, max: number): number {
  if (value === null) return fallback;
  if (!/^\d+$/.test(value)) throw badRequest(`${name} must be a non-negative integer`);
  return Math.min(Number(value), max);
}

function cvHex(value: ClarityValue): string {
  return `0x${serializeCV(value)}`;
}

/** The broadcast body: JSON `{ tx: hex }` (Stacks.js 7), a JSON hex string, or the raw bytes (octet-stream). */
function broadcastHex(req: IncomingMessage, body: Buffer): string {
  if ((req.headers["content-type"] ?? "").toLowerCase().startsWith("application/octet-stream")) {
    if (body.length === 0) throw badRequest("empty transaction body");
    return body.toString("hex");
  }
  const json = parseJson(body);
  const hex = typeof json === "string" ? json : (json as { tx?: unknown } | null)?.tx;
  if (typeof hex !== "string") throw badRequest('body must be {"tx": "<hex>"} or the raw transaction as application/octet-stream');
  return hex;
}

/** Routes one request; throws HttpError for client errors. */
async function route(node: LocalNode, req: IncomingMessage, url: URL, body: Buffer): Promise<Reply> {
  const method = req.method ?? "GET";
  const parts = url.pathname.split("/").filter((p) => p.length > 0);
  const path = parts.join("/");
  const is = (m: string, pattern: RegExp) => method === m && pattern.test(path);

  if (is("GET", /^v2\/info$/)) return { status: 200, body: infoJson(node) };
  if (is("GET", /^v2\/accounts\/[^/]+$/)) return { status: 200, body: accountJson(node, principalParam(parts[2])) };
  if (is("GET", /^v2\/contracts\/interface\/[^/]+\/[^/]+$/)) {
    const id = contractParam(parts[3], parts[4]);
    const iface = node.contractInterfaces().get(id);
    if (!iface) throw notFound(`no contract ${id}`);
    return { status: 200, body: iface };
  }
  if (is("GET", /^v2\/contracts\/source\/[^/]+\/[^/]+$/)) {
    const id = contractParam(parts[3], parts[4]);
    const source = node.simnet.getContractSource(id);
    if (source === undefined) throw notFound(`no contract ${id}`);
    return { status: 200, body: { source, publish_height: 0, proof: "" } };
  }
  if (is("POST", /^v2\/contracts\/call-read\/[^/]+\/[^/]+\/[^/]+$/)) {
    const id = contractParam(parts[3], parts[4]);
    const functionName = segment(parts[5]);
    const json = parseJson(body) as { sender?: unknown; arguments?: unknown } | null;
    if (!json || typeof json !== "object") throw badRequest("body must be {sender, arguments}");
    if (typeof json.sender !== "string") throw badRequest("sender is required");
    const sender = principalParam(json.sender);
    if (!Array.isArray(json.arguments)) throw badRequest("arguments must be an array of hex Clarity values");
    const args = json.arguments.map((a, i) => clarityArg(a, `arguments[${i}]`));
    if (!node.contractInterfaces().has(id)) return { status: 200, body: { okay: false, cause: `NoSuchContract: ${id}` } };
    try {
      const { result } = node.readOnly(id, functionName, args, sender);
      return { status: 200, body: { okay: true, result: cvHex(result) } };
    } catch (error) {
      return { status: 200, body: { okay: false, cause: `Unchecked: ${error instanceof Error ? error.message : String(error)}` } };
    }
  }
  if (is("POST", /^v2\/map_entry\/[^/]+\/[^/]+\/[^/]+$/)) {
    const id = contractParam(parts[2], parts[3]);
    const key = clarityArg(parseJson(body), "map key");
    try {
      return { status: 200, body: { data: cvHex(node.simnet.getMapEntry(id, segment(parts[4]), key)), proof: "" } };
    } catch (error) {
      throw notFound(`no map ${segment(parts[4])} in ${id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (is("GET", /^v2\/data_var\/[^/]+\/[^/]+\/[^/]+$/)) {
    const id = contractParam(parts[2], parts[3]);
    try {
      return { status: 200, body: { data: cvHex(node.simnet.getDataVar(id, segment(parts[4]))), proof: "" } };
    } catch {
      throw notFound(`no data var ${segment(parts[4])} in ${id}`);
    }
  }
  if (is("GET", /^v2\/fees\/transfer$/)) return { status: 200, body: 1 };
  if (is("POST", /^v2\/fees\/transaction$/)) {
    const json = parseJson(body) as { transaction_payload?: unknown; estimated_len?: unknown } | null;
    if (!json || typeof json.transaction_payload !== "string") throw badRequest("transaction_payload (hex) is required");
    // without estimated_len, the payload plus a generous allowance for auth and post-conditions
    const length = typeof json.estimated_len === "number" && json.estimated_len > 0 ? json.estimated_len : json.transaction_payload.length / 2 + TX_OVERHEAD_BYTES;
    return { status: 200, body: feeEstimateJson(feeEstimatesFor(length), length) };
  }
  if (is("POST", /^v2\/transactions$/)) {
    requireWriteContentType(req);
    const hex = broadcastHex(req, body);
    try {
      const { txid } = await node.submit(hex);
      return { status: 200, body: txid.replace(/^0x/, "") };
    } catch (error) {
      if (error instanceof NodeRejection) {
        return {
          status: 400,
          body: {
            error: "transaction rejected",
            reason: error.reason,
            reason_data: { message: error.message, ...error.reasonData },
            txid: (error.txid ?? "").replace(/^0x/, ""),
          },
        };
      }
      throw error;
    }
  }
  if (is("GET", /^extended\/v1\/tx\/[^/]+$/)) {
    const txid = segment(parts[3]);
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(txid)) throw badRequest(`not a transaction id: ${txid}`);
    const tx = node.tx(txid);
    if (!tx) throw notFound(`could not find transaction by ID ${txid}`);
    return { status: 200, body: txJson(node, tx) };
  }
  if (is("GET", /^extended\/v1\/tx$/)) {
    const limit = intParam(url.searchParams.get("limit"), "limit", 20, 200);
    const offset = intParam(url.searchParams.get("offset"), "offset", 0, Number.MAX_SAFE_INTEGER);
    const newestFirst = node.txs.slice().reverse();
    return { status: 200, body: { limit, offset, total: newestFirst.length, results: newestFirst.slice(offset, offset + limit).map((t) => txJson(node, t)) } };
  }
  if (is("GET", /^extended\/v1\/address\/[^/]+\/nonces$/)) return { status: 200, body: noncesJson(node, principalParam(parts[3])) };
  if (is("GET", /^extended\/v1\/address\/[^/]+\/stx$/)) return { status: 200, body: stxBalanceJson(node, principalParam(parts[3])) };
  if (is("GET", /^extended\/v1\/contract\/[^/]+\/events$/)) {
    const id = principalParam(parts[3]);
    if (!id.includes(".")) throw badRequest(`not a contract id: ${id}`);
    const limit = intParam(url.searchParams.get("limit"), "limit", 20, 50);
    const offset = intParam(url.searchParams.get("offset"), "offset", 0, Number.MAX_SAFE_INTEGER);
    // newest first, as the Stacks API orders them (block, tx index, event index: all descending)
    const logs = node.events.filter((e) => e.event_type === "smart_contract_log" && (e.contract_log as { contract_id: string }).contract_id === id).reverse();
    return { status: 200, body: { limit, offset, results: logs.slice(offset, offset + limit) } };
  }
  if (is("POST", /^ntm\/v1\/mine$/)) {
    requireWriteContentType(req);
    const json = body.length === 0 ? {} : (parseJson(body) as { burnBlocks?: unknown } | null);
    const count = json && typeof json === "object" && "burnBlocks" in json ? json.burnBlocks : 1;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_MINE) {
      throw badRequest(`burnBlocks must be an integer from 1 to ${MAX_MINE}`);
    }
    const burn = node.mineBurnBlocks(count);
    return { status: 200, body: { burn_block_height: burn, stacks_tip_height: node.stacksTipHeight } };
  }
  throw notFound(`no route ${method} ${url.pathname}`);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // past the limit the rest is drained, not kept, so the client still gets its 413
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, errorJson(`request body over ${MAX_BODY_BYTES} bytes`)));
      else resolve(Buffer.concat(chunks));
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  res.writeHead(reply.status, { "content-type": "application/json", "access-control-allow-origin": "*" });
  res.end(text);
}

/** One log line for a mined transaction. */
export function txLine(tx: NodeTx): string {
  const what = tx.contractCall
    ? `${tx.contractCall.functionName} on ${tx.contractCall.contractId}`
    : tx.tokenTransfer
      ? `transfer ${tx.tokenTransfer.amount} uSTX to ${tx.tokenTransfer.recipient}`
      : `deploy ${tx.smartContract?.contractId}`;
  const why = tx.abortReason ? ` (${tx.abortReason})` : "";
  return `tx ${tx.txid} ${tx.status} ${what} from ${tx.sender} nonce ${tx.nonce} fee ${tx.fee}${tx.signed ? "" : " [impersonated]"}${why}`;
}

/**
 * Starts a local node (fresh simnet, market deployed, Devnet.toml accounts funded) and its HTTP
 * server. Resolves once it listens; `close()` stops the server and the block timer.
 */
export async function startNode(options: NodeOptions = {}): Promise<RunningNode> {
  const port = options.port ?? 20443;
  const host = options.host ?? "127.0.0.1";
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer from 0 to 65535, got ${port}`);
  if (options.blockTimeMs !== undefined && (!Number.isFinite(options.blockTimeMs) || options.blockTimeMs <= 0)) {
    throw new RangeError(`blockTimeMs must be a positive number, got ${options.blockTimeMs}`);
  }
  const log = options.log ?? (() => {});
  const node = await LocalNode.start();
  node.onTx((tx) => log(txLine(tx)));

  // one request at a time: a rollback (async) must never interleave with another request
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const server = createServer((req, res) => {
    const started = `${req.method ?? "?"} ${req.url ?? "/"}`;
    if (req.method === "OPTIONS") {
      // CORS preflight: browser apps and wallets post JSON from other origins
      res.writeHead(204, {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "content-type, accept, x-api-key",
      });
      res.end();
      return;
    }
    readBody(req)
      .then((body) =>
        serialized(async () => {
          const url = new URL(req.url ?? "/", "http://localhost");
          return route(node, req, url, body);
        }),
      )
      .catch((error: unknown): Reply => {
        if (error instanceof HttpError) return { status: error.status, body: error.body };
        // a failed node refuses writes until restarted: a server-side condition, not the client's error
        if (error instanceof NodeFailure) return { status: 503, body: errorJson("local node failed", { reason: error.reason, message: error.message }) };
        return { status: 500, body: errorJson("internal error", { message: error instanceof Error ? error.message : String(error) }) };
      })
      .then((reply) => {
        log(`${started} -> ${reply.status}`);
        if (!res.headersSent) send(res, reply);
      });
  });

  const listening = await listen(server, port, host);

  const timer =
    options.blockTimeMs === undefined
      ? null
      : setInterval(() => {
          void serialized(async () => {
            const height = node.mineBurnBlocks(1);
            log(`mined burn block ${height}`);
          }).catch((error: unknown) => {
            log(`mining failed: ${error instanceof Error ? error.message : String(error)}`);
            // a failed node refuses every write: one line, not one per tick
            if (node.failureReason !== null && timer) clearInterval(timer);
          });
        }, options.blockTimeMs);

  return {
    url: listening.url,
    port: listening.port,
    node,
    contractId: node.contractId,
    close: async () => {
      if (timer) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
    },
  };
}
