/**
 * Commit-reveal helpers, computed offline exactly as the contract's `compute-commitment` view:
 * sha256 of the consensus serialization of the tuple {score, salt, bid-id, validator}.
 * Browser-safe: hashing is @noble/hashes and randomness the global Web Crypto (Node 20 and every
 * browser have `crypto.getRandomValues`), so a web app or a wallet computes the same bytes.
 */
import { sha256 } from "@noble/hashes/sha256";
import { hexToBytes } from "@noble/hashes/utils";
import { Cl, serializeCVBytes } from "@stacks/transactions";
import type { UintLike } from "./contract.ts";

/** A salt given as bytes or hex (with or without `0x`). */
export function saltBytes(salt: Uint8Array | string): Uint8Array {
  if (typeof salt !== "string") return salt;
  const hex = salt.startsWith("0x") ? salt.slice(2) : salt;
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`salt is not hex: ${salt}`);
  return hexToBytes(hex);
}

/** The 32-byte commitment a validator sends to `commit-validation-result`. */
export function computeCommitment(score: UintLike, salt: Uint8Array | string, bidId: UintLike, validator: string): Uint8Array {
  const payload = Cl.tuple({
    score: Cl.uint(score),
    salt: Cl.buffer(saltBytes(salt)),
    "bid-id": Cl.uint(bidId),
    validator: Cl.principal(validator),
  });
  return sha256(serializeCVBytes(payload));
}

/**
 * The commitment a verified bid carries to its sealed evaluation set, as the contract's
 * `compute-eval-commitment`: sha256(eval-digest ++ salt), both 32 bytes.
 */
export function computeEvalCommitment(evalDigest: Uint8Array | string, salt: Uint8Array | string): Uint8Array {
  return sha256.create().update(saltBytes(evalDigest)).update(saltBytes(salt)).digest();
}

/** A fresh random 32-byte salt. Keep it: the reveal needs the same salt. */
export function randomSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}
