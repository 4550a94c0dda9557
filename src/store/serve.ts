/**
 * A content store served over HTTP as an IPFS trustless gateway (raw blocks only):
 * `GET /ipfs/<cid>?format=raw` (or `Accept: application/vnd.ipld.raw`) answers the block's bytes,
 * so any `GatewayStore` (another party's agent, `ntm bid fetch-model --gateway`) can fetch what a
 * provider or a developer published without an IPFS daemon. Read-only: nothing can be written
 * through it, and every answer is verifiable by its CID (the reader hashes what it gets).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listen } from "../listen.ts";
import { refToCid, refToDigest } from "./cid.ts";
import { ArtifactNotFoundError, ArtifactTamperedError, type ReadableStore } from "./store.ts";

export interface ServeStoreOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: serving to the world is a deliberate choice (`0.0.0.0`). */
  host?: string;
  /** One line per request. */
  log?: (line: string) => void;
}

export interface ServedStore {
  url: string;
  port: number;
  close(): Promise<void>;
}

const RAW_TYPE = "application/vnd.ipld.raw";

/** Serves `store` read-only at `http://host:port/ipfs/<cid>`; resolves once listening. */
export async function serveStore(store: ReadableStore, options: ServeStoreOptions = {}): Promise<ServedStore> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    answer(store, req, res).then(
      (status) => options.log?.(`${req.method} ${req.url} ${status}`),
      (error: unknown) => {
        options.log?.(`${req.method} ${req.url} 500 ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) send(res, 500, "internal error");
        else res.destroy();
      },
    );
  });
  const { url, port } = await listen(server, options.port ?? 8080, host);
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function answer(store: ReadableStore, req: IncomingMessage, res: ServerResponse): Promise<number> {
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "only GET and HEAD", { allow: "GET, HEAD" });
  const url = new URL(req.url ?? "/", "http://localhost");
  const match = /^\/ipfs\/([^/]+)\/?$/.exec(url.pathname);
  if (!match) return send(res, 404, "not found: this gateway serves /ipfs/<cid>");
  // only raw blocks: a trustless client asks for them; a browser asking for HTML gets told
  const wantsRaw = url.searchParams.get("format") === "raw" || (req.headers.accept ?? "").includes(RAW_TYPE);
  if (!wantsRaw) return send(res, 406, `only raw blocks: add ?format=raw or Accept: ${RAW_TYPE}`);
  let digest: Uint8Array;
  let cid: string;
  try {
    digest = refToDigest(decodeURIComponent(match[1]!));
    cid = refToCid(digest);
  } catch (error) {
    return send(res, 400, error instanceof Error ? error.message : "bad CID");
  }
  let bytes: Uint8Array;
  try {
    bytes = await store.get(digest);
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) return send(res, 404, `${cid} is not in this store`);
    // the store verifies what it reads: bytes changed on disk are never served under the CID
    if (error instanceof ArtifactTamperedError) return send(res, 500, `the stored bytes of ${cid} do not hash to it: not served`);
    throw error;
  }
  res.writeHead(200, {
    "content-type": RAW_TYPE,
    "content-length": String(bytes.length),
    // content-addressed: the bytes behind a CID never change
    "cache-control": "public, max-age=29030400, immutable",
    etag: `"${cid}.raw"`,
    "x-ipfs-path": `/ipfs/${cid}`,
  });
  res.end(req.method === "HEAD" ? undefined : bytes);
  return 200;
}

function send(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): number {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(`${message}\n`);
  return status;
}
