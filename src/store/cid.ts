/**
 * Content addressing for the market's artifacts (job specs, dataset manifests, evaluation sets,
 * delivered ONNX models).
 *
 * Every artifact is a single raw block: its IPFS address is a CIDv1 with the `raw` codec (0x55)
 * and a sha2-256 multihash, so the CID's digest IS `sha256(bytes)`. The contract stores that
 * 32-byte digest as a `(buff 32)`; any tool derives the `bafkrei...` CID from it and back.
 */
import { createHash } from "node:crypto";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as Digest from "multiformats/hashes/digest";
import { sha256 as sha256Hasher } from "multiformats/hashes/sha2";

/** Multicodec code of the `raw` codec (a single block of plain bytes). */
export const RAW_CODEC = raw.code; // 0x55
/** Multihash code of sha2-256. */
export const SHA256_CODE = sha256Hasher.code; // 0x12
/** Length of a sha256 digest in bytes. */
export const DIGEST_LENGTH = 32;

/** A reference to an artifact: its 32-byte digest, the digest in hex (optional `0x`), or its CID string. */
export type ArtifactRef = Uint8Array | string;

/** A reference that cannot name a raw sha256 block (bad hex, wrong length, another codec or hash). */
export class InvalidArtifactRefError extends Error {
  readonly code = "invalid-ref" as const;
  constructor(readonly ref: string, why: string) {
    super(`invalid artifact reference ${JSON.stringify(ref.length > 100 ? ref.slice(0, 100) + "..." : ref)}: ${why}`);
    this.name = "InvalidArtifactRefError";
  }
}

/** sha256 of some bytes (32 bytes). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

/** sha256 of some bytes, as 64 lowercase hex characters. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Lowercase hex of bytes (no `0x`). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Bytes of a hex string (with or without `0x`); throws on odd length or a non-hex character. */
export function fromHex(hex: string): Uint8Array {
  const h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (!/^([0-9a-fA-F]{2})*$/.test(h)) throw new InvalidArtifactRefError(hex, "not an even-length hex string");
  return new Uint8Array(Buffer.from(h, "hex"));
}

/** The CIDv1 (raw, sha2-256) string, `bafkrei...`, of a 32-byte sha256 digest. */
export function cidFromDigest(digest: Uint8Array): string {
  if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_LENGTH) {
    throw new InvalidArtifactRefError(String(digest), `a sha256 digest is ${DIGEST_LENGTH} bytes`);
  }
  return CID.createV1(RAW_CODEC, Digest.create(SHA256_CODE, digest)).toString();
}

/** The CIDv1 string of some bytes (a single raw block). */
export function cidOf(bytes: Uint8Array): string {
  return cidFromDigest(sha256(bytes));
}

/**
 * The 32-byte sha256 digest named by a raw CIDv1 string. Throws {@link InvalidArtifactRefError}
 * for anything else (CIDv0, a dag-pb/UnixFS CID, another hash function), because only for a raw
 * block is the CID's digest the digest of the bytes a gateway returns.
 */
export function digestFromCid(cid: string): Uint8Array {
  let parsed: CID;
  try {
    parsed = CID.parse(cid);
  } catch (e) {
    throw new InvalidArtifactRefError(cid, `not a CID (${(e as Error).message})`);
  }
  if (parsed.version !== 1) throw new InvalidArtifactRefError(cid, "not a CIDv1");
  if (parsed.code !== RAW_CODEC) throw new InvalidArtifactRefError(cid, `codec 0x${parsed.code.toString(16)} is not raw (0x55)`);
  if (parsed.multihash.code !== SHA256_CODE) throw new InvalidArtifactRefError(cid, "hash is not sha2-256");
  if (parsed.multihash.digest.length !== DIGEST_LENGTH) throw new InvalidArtifactRefError(cid, "digest is not 32 bytes");
  return new Uint8Array(parsed.multihash.digest);
}

/**
 * The 32-byte digest named by a reference: 32 bytes as is, 64 hex characters (optional `0x`),
 * or a raw CIDv1 string. Throws {@link InvalidArtifactRefError} otherwise.
 */
export function refToDigest(ref: ArtifactRef): Uint8Array {
  if (ref instanceof Uint8Array) {
    if (ref.length !== DIGEST_LENGTH) throw new InvalidArtifactRefError(`<${ref.length} bytes>`, `a sha256 digest is ${DIGEST_LENGTH} bytes`);
    return new Uint8Array(ref);
  }
  if (typeof ref !== "string") throw new InvalidArtifactRefError(String(ref), "not bytes or a string");
  const h = ref.startsWith("0x") || ref.startsWith("0X") ? ref.slice(2) : ref;
  if (/^[0-9a-fA-F]{64}$/.test(h)) return fromHex(h);
  return digestFromCid(ref);
}

/** The CID string of a reference (see {@link refToDigest}). */
export function refToCid(ref: ArtifactRef): string {
  return cidFromDigest(refToDigest(ref));
}

/** The lowercase hex digest of a reference (see {@link refToDigest}). */
export function refToHex(ref: ArtifactRef): string {
  return toHex(refToDigest(ref));
}

/** Constant-time-irrelevant equality of two byte arrays (digests are public). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
