import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ArtifactNotFoundError,
  ArtifactTamperedError,
  ArtifactTooLargeError,
  GatewayStore,
  InvalidArtifactRefError,
  LocalStore,
  MemoryStore,
  artifactOf,
  chainStores,
  cidFromDigest,
  cidOf,
  digestFromCid,
  refToDigest,
  refToHex,
  serveStore,
  sha256Hex,
  toHex,
} from "../src/store/index.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const hello = enc("hello world\n");
// sha256("hello world\n") and its raw CIDv1, as `ipfs add --raw-leaves --cid-version 1` prints it
const HELLO_SHA = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";
const HELLO_CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";

describe("cid", () => {
  it("derives the raw CIDv1 of a sha256 digest and back", () => {
    expect(sha256Hex(hello)).toBe(HELLO_SHA);
    expect(cidOf(hello)).toBe(HELLO_CID);
    expect(cidFromDigest(refToDigest(HELLO_SHA))).toBe(HELLO_CID);
    expect(toHex(digestFromCid(HELLO_CID))).toBe(HELLO_SHA);
    expect(HELLO_CID.startsWith("bafkrei")).toBe(true);
  });

  it("accepts a digest as bytes, hex, 0x-hex or CID, and refuses anything else", () => {
    const d = refToDigest(HELLO_SHA);
    expect(d.length).toBe(32);
    expect(refToHex(d)).toBe(HELLO_SHA);
    expect(refToHex("0x" + HELLO_SHA.toUpperCase())).toBe(HELLO_SHA);
    expect(refToHex(HELLO_CID)).toBe(HELLO_SHA);
    expect(() => refToDigest(new Uint8Array(31))).toThrow(InvalidArtifactRefError);
    expect(() => refToDigest(HELLO_SHA.slice(2))).toThrow(InvalidArtifactRefError);
    expect(() => refToDigest("not a cid")).toThrow(InvalidArtifactRefError);
    // a CIDv0 / dag-pb CID names a UnixFS DAG, not the bytes' sha256: refused
    expect(() => refToDigest("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")).toThrow(/not a CIDv1|codec/);
    expect(() => refToDigest("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")).toThrow(/codec 0x70 is not raw/);
  });
});

describe("MemoryStore and LocalStore", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ntm-store-test-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("memory: put/get/has round trip; tampering, absence and size caps are typed errors", async () => {
    const s = new MemoryStore();
    const a = await s.put(hello);
    expect(a).toEqual({ cid: HELLO_CID, digest: HELLO_SHA, bytes: hello.length });
    expect(await s.has(HELLO_CID)).toBe(true);
    expect(await s.get(HELLO_SHA)).toEqual(hello);
    expect(await s.get(a.cid, { maxBytes: hello.length })).toEqual(hello);
    await expect(s.get(a.cid, { maxBytes: hello.length - 1 })).rejects.toBeInstanceOf(ArtifactTooLargeError);
    const missing = artifactOf(enc("absent"));
    expect(await s.has(missing.digest)).toBe(false);
    await expect(s.get(missing.digest)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    s.corrupt(a.digest, enc("hello world?"));
    const err = await s.get(a.digest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactTamperedError);
    expect((err as ArtifactTamperedError).expected).toBe(HELLO_SHA);
    expect((err as ArtifactTamperedError).actual).toBe(sha256Hex(enc("hello world?")));
  });

  it("local: files named by CID, atomic put, on-disk tampering and size caps detected", async () => {
    const s = new LocalStore(join(dir, "blocks"));
    const a = await s.put(hello);
    expect(await readdir(join(dir, "blocks"))).toEqual([HELLO_CID]);
    expect(await s.put(hello)).toEqual(a); // idempotent
    expect(await s.has(a.digest)).toBe(true);
    expect(await s.get(refToDigest(a.digest))).toEqual(hello);
    await expect(s.get(a.cid, { maxBytes: 3 })).rejects.toMatchObject({ code: "too-large", limit: 3, size: hello.length });
    await expect(s.get(artifactOf(enc("nope")).cid)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(await s.has(artifactOf(enc("nope")).cid)).toBe(false);
    await writeFile(s.pathOf(a.cid), enc("HELLO WORLD\n"));
    await expect(s.get(a.cid)).rejects.toBeInstanceOf(ArtifactTamperedError);
  });

  it("local: a folder that cannot be made fails the put with the system's code", async () => {
    await writeFile(join(dir, "a-file"), "x");
    await expect(new LocalStore(join(dir, "a-file", "blocks")).put(hello)).rejects.toMatchObject({ code: "ENOTDIR" });
  });

  it("chainStores reads the first good copy and reports tampering only when no store has one", async () => {
    const bad = new MemoryStore();
    const good = new MemoryStore();
    const a = await good.put(hello);
    await bad.put(hello);
    bad.corrupt(a.digest, enc("evil"));
    expect(await chainStores(bad, good).get(a.cid)).toEqual(hello);
    await expect(chainStores(bad, new MemoryStore()).get(a.cid)).rejects.toBeInstanceOf(ArtifactTamperedError);
    await expect(chainStores(new MemoryStore(), new MemoryStore()).get(a.cid)).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });
});

describe("GatewayStore (a fake trustless gateway on 127.0.0.1)", () => {
  type Handler = (cid: string, req: IncomingMessage, res: ServerResponse) => void;
  const servers: Server[] = [];
  const requests: Array<{ gw: number; url: string; accept: string | undefined; method: string }> = [];
  const bigBlock = new Uint8Array(64 * 1024).fill(7);
  const big = artifactOf(bigBlock);
  const evil = enc("evil bytes\n");
  let urls: string[] = [];

  // gateway 0: serves hello honestly, tampers with "tampered-at-0", 404 for the rest
  // gateway 1: serves hello and the tampered one honestly, a big block without Content-Length
  // gateway 2: announces a huge Content-Length
  const content = new Map<string, Uint8Array>();
  const tamperedBytes = enc("honest bytes\n");
  const tampered = artifactOf(tamperedBytes);
  const gateways: Handler[] = [
    (cid, _req, res) => {
      if (cid === HELLO_CID) return void res.writeHead(200, { "content-type": "application/vnd.ipld.raw" }).end(hello);
      if (cid === tampered.cid) return void res.writeHead(200, { "content-type": "application/vnd.ipld.raw" }).end(evil);
      res.writeHead(404).end("not found");
    },
    (cid, _req, res) => {
      const b = content.get(cid);
      if (!b) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/vnd.ipld.raw", "transfer-encoding": "chunked" });
      // stream in 4 KiB chunks, without a Content-Length
      for (let i = 0; i < b.length; i += 4096) res.write(b.subarray(i, i + 4096));
      res.end();
    },
    (_cid, _req, res) => {
      res.writeHead(200, { "content-length": String(1 << 30) });
      res.write(new Uint8Array(10));
      // never finishes: the client must give up at the announced length
    },
  ];

  beforeAll(async () => {
    content.set(HELLO_CID, hello);
    content.set(tampered.cid, tamperedBytes);
    content.set(big.cid, bigBlock);
    urls = await Promise.all(
      gateways.map(
        (h, gw) =>
          new Promise<string>((resolve) => {
            const srv = createServer((req, res) => {
              requests.push({ gw, url: req.url ?? "", accept: req.headers.accept, method: req.method ?? "" });
              const m = /^\/ipfs\/([a-z0-9]+)\?format=raw$/.exec(req.url ?? "");
              if (!m) return void res.writeHead(400).end();
              h(m[1]!, req, res);
            });
            servers.push(srv);
            srv.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`));
          }),
      ),
    );
  });
  afterAll(async () => {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it("fetches a raw block with the trustless-gateway request and verifies it", async () => {
    requests.length = 0;
    const g = new GatewayStore({ gateways: [urls[0]!] });
    expect(await g.get(HELLO_SHA)).toEqual(hello);
    expect(requests).toEqual([{ gw: 0, url: `/ipfs/${HELLO_CID}?format=raw`, accept: "application/vnd.ipld.raw", method: "GET" }]);
    expect(await g.has(HELLO_CID)).toBe(true);
    expect(await g.has(big.cid)).toBe(false);
  });

  it("a tampered response is an ArtifactTamperedError, never the bytes", async () => {
    const g = new GatewayStore({ gateways: [urls[0]!] });
    const err = await g.get(tampered.cid).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactTamperedError);
    expect((err as ArtifactTamperedError).actual).toBe(createHash("sha256").update(evil).digest("hex"));
    expect((err as ArtifactTamperedError).expected).toBe(tampered.digest);
  });

  it("a 404 is ArtifactNotFoundError with the gateway's cause", async () => {
    const g = new GatewayStore({ gateways: [urls[0]!] });
    const err = await g.get(big.digest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactNotFoundError);
    expect((err as ArtifactNotFoundError).causes).toEqual([`${urls[0]}: HTTP 404`]);
  });

  it("an unreachable gateway is not found, not a crash", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const g = new GatewayStore({ gateways: [`http://127.0.0.1:${port}`] });
    await expect(g.get(HELLO_CID)).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });

  it("falls back to the next gateway after a 404 or a tampered response", async () => {
    requests.length = 0;
    const g = new GatewayStore({ gateways: [urls[0]!, urls[1]!] });
    expect(await g.get(tampered.cid)).toEqual(tamperedBytes);
    expect(await g.get(big.cid)).toEqual(bigBlock);
    expect(requests.map((r) => r.gw)).toEqual([0, 1, 0, 1]);
  });

  it("over-size: refused on the announced Content-Length and while streaming", async () => {
    const announced = new GatewayStore({ gateways: [urls[2]!], timeoutMs: 5000 });
    const e1 = await announced.get(HELLO_CID, { maxBytes: 1024 }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ArtifactTooLargeError);
    expect((e1 as ArtifactTooLargeError).size).toBe(1 << 30);
    const streamed = new GatewayStore({ gateways: [urls[1]!] });
    const e2 = await streamed.get(big.cid, { maxBytes: 10_000 }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(ArtifactTooLargeError);
    expect((e2 as ArtifactTooLargeError).size).toBeGreaterThan(10_000);
    expect((e2 as ArtifactTooLargeError).size).toBeLessThan(bigBlock.length);
    expect(await streamed.get(big.cid, { maxBytes: bigBlock.length })).toEqual(bigBlock);
  });

  it("a gateway that stalls times out as not found and the next one is tried", async () => {
    // gateway 2 sends 10 bytes of a 1 GiB body and stalls: under a cap above 1 GiB it must time out
    const cap = { maxBytes: 2 ** 31 };
    const g = new GatewayStore({ gateways: [urls[2]!, urls[1]!], timeoutMs: 300 });
    expect(await g.get(HELLO_CID, cap)).toEqual(hello);
    const only = new GatewayStore({ gateways: [urls[2]!], timeoutMs: 300 });
    const err = await only.get(HELLO_CID, cap).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactNotFoundError);
    expect((err as ArtifactNotFoundError).causes[0]).toMatch(/timed out after 300 ms/);
  });

  it("is read-only and validates its gateways", () => {
    const g = new GatewayStore({ gateways: [urls[0]! + "/"] });
    expect("put" in g).toBe(false);
    expect(g.urlOf(g.gateways[0]!, HELLO_SHA)).toBe(`${urls[0]}/ipfs/${HELLO_CID}?format=raw`);
    expect(() => new GatewayStore({ gateways: [] })).toThrow(/at least one gateway/);
    expect(() => new GatewayStore({ gateways: ["ftp://x"] })).toThrow(/not http/);
  });
});

describe("serveStore (a store served as a trustless gateway)", () => {
  let dir: string;
  let served: Awaited<ReturnType<typeof serveStore>>;
  let local: LocalStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ntm-serve-"));
    local = new LocalStore(dir);
    await local.put(hello);
    served = await serveStore(local, { port: 0 });
  });
  afterAll(async () => {
    await served.close();
    await rm(dir, { recursive: true, force: true });
  });
  const get = (path: string, init?: RequestInit) => fetch(`${served.url}${path}`, init);

  it("a GatewayStore fetches and verifies what another party's store serves", async () => {
    const remote = new GatewayStore({ gateways: [served.url] });
    expect(new TextDecoder().decode(await remote.get(HELLO_CID))).toBe("hello world\n");
    expect(await remote.has(HELLO_CID)).toBe(true);
    const res = await get(`/ipfs/${HELLO_CID}?format=raw`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(hello.length));
    expect(res.headers.get("content-type")).toBe("application/vnd.ipld.raw");
  });

  it("answers 404 for a CID it does not hold, so a chained reader tries the next gateway", async () => {
    const absent = cidOf(enc("not here"));
    expect((await get(`/ipfs/${absent}?format=raw`)).status).toBe(404);
    await expect(new GatewayStore({ gateways: [served.url] }).get(absent)).rejects.toBeInstanceOf(ArtifactNotFoundError);
  });

  it("refuses what it cannot answer verifiably: no raw format 406, a bad CID 400, a write 405, another path 404", async () => {
    expect((await get(`/ipfs/${HELLO_CID}`)).status).toBe(406);
    expect((await get("/ipfs/not-a-cid?format=raw")).status).toBe(400);
    expect((await get("/ipfs/%E0%A4?format=raw")).status).toBe(400);
    expect((await get(`/ipfs/${HELLO_CID}?format=raw`, { method: "POST", body: "x" })).status).toBe(405);
    expect((await get("/ipns/x")).status).toBe(404);
  });

  it("never serves bytes that do not hash to the CID asked for", async () => {
    const memory = new MemoryStore();
    const a = await memory.put(hello);
    memory.corrupt(a.digest, enc("evil"));
    const bad = await serveStore(memory, { port: 0 });
    try {
      const res = await fetch(`${bad.url}/ipfs/${a.cid}?format=raw`);
      expect(res.status).toBe(500);
      expect(await res.text()).toMatch(/do not hash to it/);
    } finally {
      await bad.close();
    }
  });
});
