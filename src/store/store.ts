/**
 * Content stores for the market's artifacts. Every artifact is one raw block addressed by its
 * sha256 digest (equivalently its raw CIDv1, see ./cid.ts).
 *
 * EVERY read verifies the digest: a store returns exactly the bytes a reference names or throws a
 * typed error, never a wrong result:
 * - {@link ArtifactNotFoundError}: no source has the bytes (missing, 404, unreachable, timed out);
 * - {@link ArtifactTamperedError}: a source returned bytes whose sha256 is not the reference;
 * - {@link ArtifactTooLargeError}: the artifact is over the caller's byte cap (checked before
 *   reading when the size is known, and while reading);
 * - {@link InvalidArtifactRefError} (from ./cid.ts): the reference names no raw sha256 block.
 *
 * Stores: {@link LocalStore} (files named by CID under a directory, the embedded default),
 * {@link MemoryStore} (tests), {@link GatewayStore} (read-only, IPFS trustless gateways) and
 * {@link chainStores} (read from the first store that has a good copy).
 */
import { randomBytes } from "node:crypto";
import { open, rename, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bytesEqual, cidFromDigest, refToDigest, sha256, toHex, type ArtifactRef } from "./cid.ts";
import { makeFolder } from "../files.ts";

/** What a store reports for a stored artifact. */
export interface Artifact {
  /** CIDv1 (raw, sha2-256), `bafkrei...`. */
  cid: string;
  /** sha256 of the bytes, 64 lowercase hex characters (what the contract stores as `(buff 32)`). */
  digest: string;
  /** Length of the artifact in bytes. */
  bytes: number;
}

/** Options of a read. */
export interface GetOptions {
  /** Refuse an artifact longer than this many bytes ({@link ArtifactTooLargeError}). */
  maxBytes?: number;
}

/** A store one can read from (every read verifies the digest). */
export interface ReadableStore {
  /** The bytes named by `ref` (32-byte digest, hex digest or CID), verified against the digest. */
  get(ref: ArtifactRef, opts?: GetOptions): Promise<Uint8Array>;
  /** Whether the store (claims it) has the artifact; does not fetch or verify the bytes. */
  has(ref: ArtifactRef): Promise<boolean>;
}

/** A store one can also write to. */
export interface ContentStore extends ReadableStore {
  /** Stores the bytes; returns their address. Idempotent. */
  put(bytes: Uint8Array): Promise<Artifact>;
}

/** The default byte cap of a read when the caller gives none: 256 MiB. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** Base class of the store's typed read errors. */
export abstract class ArtifactError extends Error {
  abstract readonly code: "not-found" | "tampered" | "too-large";
  constructor(readonly cid: string, message: string) {
    super(message);
  }
}

/** No source could provide the artifact. `causes` says why, per source. */
export class ArtifactNotFoundError extends ArtifactError {
  readonly code = "not-found" as const;
  constructor(cid: string, readonly causes: string[] = []) {
    super(cid, `artifact ${cid} not found${causes.length ? ": " + causes.join("; ") : ""}`);
    this.name = "ArtifactNotFoundError";
  }
}

/** A source returned bytes that do not hash to the reference. */
export class ArtifactTamperedError extends ArtifactError {
  readonly code = "tampered" as const;
  constructor(cid: string, readonly expected: string, readonly actual: string, readonly source?: string) {
    super(cid, `artifact ${cid} tampered${source ? ` at ${source}` : ""}: expected sha256 ${expected}, got ${actual}`);
    this.name = "ArtifactTamperedError";
  }
}

/** The artifact is longer than the read's cap (`size` is the length seen so far, or announced). */
export class ArtifactTooLargeError extends ArtifactError {
  readonly code = "too-large" as const;
  constructor(cid: string, readonly limit: number, readonly size: number, readonly source?: string) {
    super(cid, `artifact ${cid} is over the ${limit}-byte cap (${size} bytes${source ? ` at ${source}` : ""})`);
    this.name = "ArtifactTooLargeError";
  }
}

/** The address of some bytes. */
export function artifactOf(bytes: Uint8Array): Artifact {
  const digest = sha256(bytes);
  return { cid: cidFromDigest(digest), digest: toHex(digest), bytes: bytes.length };
}

/** Throws {@link ArtifactTamperedError} unless `bytes` hash to `ref`. Returns the bytes. */
export function verifyArtifact(ref: ArtifactRef, bytes: Uint8Array, source?: string): Uint8Array {
  const expected = refToDigest(ref);
  const actual = sha256(bytes);
  if (!bytesEqual(expected, actual)) throw new ArtifactTamperedError(cidFromDigest(expected), toHex(expected), toHex(actual), source);
  return bytes;
}

function capOf(opts?: GetOptions): number {
  const cap = opts?.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(cap) || cap < 0) throw new RangeError(`maxBytes must be a non-negative integer, got ${cap}`);
  return cap;
}

/** An in-memory store (tests, demos). Copies bytes in and out. */
export class MemoryStore implements ContentStore {
  readonly #blocks = new Map<string, Uint8Array>();

  async put(bytes: Uint8Array): Promise<Artifact> {
    const a = artifactOf(bytes);
    this.#blocks.set(a.digest, new Uint8Array(bytes));
    return a;
  }

  async get(ref: ArtifactRef, opts?: GetOptions): Promise<Uint8Array> {
    const digest = refToDigest(ref);
    const cap = capOf(opts);
    const cid = cidFromDigest(digest);
    const stored = this.#blocks.get(toHex(digest));
    if (!stored) throw new ArtifactNotFoundError(cid, ["not in memory"]);
    if (stored.length > cap) throw new ArtifactTooLargeError(cid, cap, stored.length, "memory");
    return verifyArtifact(digest, new Uint8Array(stored), "memory");
  }

  async has(ref: ArtifactRef): Promise<boolean> {
    return this.#blocks.has(toHex(refToDigest(ref)));
  }

  /** TESTS ONLY: replaces the bytes stored under `ref` without changing the key (simulates tampering). */
  corrupt(ref: ArtifactRef, bytes: Uint8Array): void {
    this.#blocks.set(toHex(refToDigest(ref)), new Uint8Array(bytes));
  }

  /** Number of artifacts held. */
  get size(): number {
    return this.#blocks.size;
  }
}

/**
 * The embedded default store: one file per artifact, named by its CID, under `dir` (created on
 * the first put). Writes are atomic (temporary file, then rename). Reads check the size against
 * the cap before reading and verify the digest, so a file changed on disk is reported as tampered.
 */
export class LocalStore implements ContentStore {
  constructor(readonly dir: string) {}

  /** Path of the file that holds an artifact. */
  pathOf(ref: ArtifactRef): string {
    return join(this.dir, cidFromDigest(refToDigest(ref)));
  }

  async put(bytes: Uint8Array): Promise<Artifact> {
    const a = artifactOf(bytes);
    makeFolder(this.dir);
    const tmp = join(this.dir, `.${a.cid}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, join(this.dir, a.cid));
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    return a;
  }

  async get(ref: ArtifactRef, opts?: GetOptions): Promise<Uint8Array> {
    const digest = refToDigest(ref);
    const cap = capOf(opts);
    const cid = cidFromDigest(digest);
    const path = join(this.dir, cid);
    let handle;
    try {
      handle = await open(path, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new ArtifactNotFoundError(cid, [`no file ${path}`]);
      throw e;
    }
    try {
      const { size } = await handle.stat();
      if (size > cap) throw new ArtifactTooLargeError(cid, cap, size, path);
      // read at most cap + 1 bytes, in case the file grew after the stat
      const buf = new Uint8Array(Math.min(size, cap) + 1);
      let n = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buf, n, buf.length - n, n);
        if (bytesRead === 0) break;
        n += bytesRead;
        if (n > cap) throw new ArtifactTooLargeError(cid, cap, n, path);
        if (n === buf.length) break;
      }
      return verifyArtifact(digest, buf.slice(0, n), path);
    } finally {
      await handle.close();
    }
  }

  async has(ref: ArtifactRef): Promise<boolean> {
    try {
      return (await stat(this.pathOf(ref))).isFile();
    } catch {
      return false;
    }
  }
}

/** Options of a {@link GatewayStore}. */
export interface GatewayStoreOptions {
  /** Gateway base URLs, tried in order, e.g. `["http://127.0.0.1:8080", "https://ipfs.io"]`. */
  gateways: string[];
  /** The fetch to use (default: the global fetch). */
  fetch?: typeof fetch;
  /** Per-gateway timeout of a request, body included (default 30 s). */
  timeoutMs?: number;
}

/**
 * A read-only store over IPFS trustless gateways: `GET ${gateway}/ipfs/${cid}?format=raw` with
 * `Accept: application/vnd.ipld.raw`, gateways tried in order until one returns bytes that hash
 * to the reference. When all fail, the error is the most telling one seen: tampered, then too
 * large, else not found (with each gateway's cause).
 */
export class GatewayStore implements ReadableStore {
  readonly gateways: string[];
  readonly #fetch: typeof fetch;
  readonly timeoutMs: number;

  constructor(opts: GatewayStoreOptions) {
    if (!Array.isArray(opts.gateways) || opts.gateways.length === 0) throw new TypeError("GatewayStore needs at least one gateway");
    for (const g of opts.gateways) {
      const u = new URL(g); // throws on a malformed URL
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new TypeError(`gateway ${g} is not http(s)`);
    }
    this.gateways = opts.gateways.map((g) => g.replace(/\/+$/, ""));
    this.#fetch = opts.fetch ?? globalThis.fetch;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** The URL of an artifact at a gateway. */
  urlOf(gateway: string, ref: ArtifactRef): string {
    return `${gateway.replace(/\/+$/, "")}/ipfs/${cidFromDigest(refToDigest(ref))}?format=raw`;
  }

  async get(ref: ArtifactRef, opts?: GetOptions): Promise<Uint8Array> {
    const digest = refToDigest(ref);
    const cap = capOf(opts);
    const cid = cidFromDigest(digest);
    const errors: Error[] = [];
    for (const gw of this.gateways) {
      try {
        return verifyArtifact(digest, await this.#fetchOne(gw, cid, cap), gw);
      } catch (e) {
        errors.push(e as Error);
      }
    }
    throw worstError(cid, errors);
  }

  async has(ref: ArtifactRef): Promise<boolean> {
    const cid = cidFromDigest(refToDigest(ref));
    for (const gw of this.gateways) {
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), this.timeoutMs);
      try {
        const res = await this.#fetch(this.urlOf(gw, cid), { method: "HEAD", headers: { accept: "application/vnd.ipld.raw" }, signal: ctl.signal });
        await res.body?.cancel().catch(() => undefined);
        if (res.ok) return true;
      } catch {
        // try the next gateway
      } finally {
        clearTimeout(timer);
      }
    }
    return false;
  }

  async #fetchOne(gw: string, cid: string, cap: number): Promise<Uint8Array> {
    const url = this.urlOf(gw, cid);
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.timeoutMs);
    try {
      let res: Response;
      try {
        res = await this.#fetch(url, { headers: { accept: "application/vnd.ipld.raw" }, signal: ctl.signal, redirect: "follow" });
      } catch (e) {
        throw new ArtifactNotFoundError(cid, [`${gw}: ${ctl.signal.aborted ? `timed out after ${this.timeoutMs} ms` : (e as Error).message}`]);
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw new ArtifactNotFoundError(cid, [`${gw}: HTTP ${res.status}`]);
      }
      const announced = res.headers.get("content-length");
      if (announced !== null && /^\d+$/.test(announced) && Number(announced) > cap) {
        await res.body?.cancel().catch(() => undefined);
        throw new ArtifactTooLargeError(cid, cap, Number(announced), gw);
      }
      if (!res.body) return new Uint8Array(0);
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      let n = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          n += value.byteLength;
          if (n > cap) {
            await reader.cancel().catch(() => undefined);
            throw new ArtifactTooLargeError(cid, cap, n, gw);
          }
          chunks.push(value);
        }
      } catch (e) {
        if (e instanceof ArtifactError) throw e;
        throw new ArtifactNotFoundError(cid, [`${gw}: ${ctl.signal.aborted ? `timed out after ${this.timeoutMs} ms` : (e as Error).message}`]);
      }
      const out = new Uint8Array(n);
      let off = 0;
      for (const c of chunks) {
        out.set(c, off);
        off += c.byteLength;
      }
      return out;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The error to report when every source failed: tampered, then too large, else not found. */
function worstError(cid: string, errors: Error[]): Error {
  const tampered = errors.find((e) => e instanceof ArtifactTamperedError);
  if (tampered) return tampered;
  const large = errors.find((e) => e instanceof ArtifactTooLargeError);
  if (large) return large;
  const other = errors.find((e) => !(e instanceof ArtifactError));
  if (other) return other; // e.g. a bug or an invalid reference: do not disguise it
  return new ArtifactNotFoundError(cid, errors.flatMap((e) => (e instanceof ArtifactNotFoundError ? e.causes : [e.message])));
}

/**
 * A read-only view over several stores, read in order (e.g. the local store, then gateways):
 * the first good copy wins; a bad copy in one store does not hide a good one in the next.
 */
export function chainStores(...stores: ReadableStore[]): ReadableStore {
  if (stores.length === 0) throw new TypeError("chainStores needs at least one store");
  return {
    async get(ref: ArtifactRef, opts?: GetOptions): Promise<Uint8Array> {
      const cid = cidFromDigest(refToDigest(ref));
      const errors: Error[] = [];
      for (const s of stores) {
        try {
          return verifyArtifact(ref, await s.get(ref, opts));
        } catch (e) {
          errors.push(e as Error);
        }
      }
      throw worstError(cid, errors);
    },
    async has(ref: ArtifactRef): Promise<boolean> {
      for (const s of stores) if (await s.has(ref)) return true;
      return false;
    },
  };
}

/**
 * A content store that writes to `primary` and reads `primary` first, then `fallbacks` (e.g.
 * gateways): a provider publishes its model locally and still reads the bidder's spec from
 * wherever the bidder published it.
 */
export function readThrough(primary: ContentStore, ...fallbacks: ReadableStore[]): ContentStore {
  const reader = chainStores(primary, ...fallbacks);
  return { put: (bytes) => primary.put(bytes), get: (ref, opts) => reader.get(ref, opts), has: (ref) => reader.has(ref) };
}
