/**
 * The sealed evaluation set: the bidder commits to `sha256(eval-digest ++ salt)` with the bid
 * (32-byte digest of the evaluation set's bytes, then a 32-byte random salt) and reveals the
 * digest and the salt after the model is delivered; the contract checks the reveal against the
 * commitment.
 */
import { randomBytes } from "node:crypto";
import { bytesEqual, fromHex, refToDigest, sha256, type ArtifactRef } from "../store/cid.ts";

/** Length of an evaluation-set salt (the contract requires exactly 32 bytes). */
export const EVAL_SALT_LENGTH = 32;

/** A fresh random 32-byte salt. Keep it secret until the reveal, and keep it: the reveal needs it. */
export function randomEvalSalt(): Uint8Array {
  return new Uint8Array(randomBytes(EVAL_SALT_LENGTH));
}

function saltOf(salt: Uint8Array | string): Uint8Array {
  const s = typeof salt === "string" ? fromHex(salt) : salt;
  if (s.length !== EVAL_SALT_LENGTH) throw new RangeError(`an evaluation-set salt is ${EVAL_SALT_LENGTH} bytes, got ${s.length}`);
  return s;
}

/** `sha256(evalDigest ++ salt)`: the commitment that goes on chain with the bid. */
export function evalCommitment(evalDigest: ArtifactRef, salt: Uint8Array | string): Uint8Array {
  const d = refToDigest(evalDigest);
  const s = saltOf(salt);
  const buf = new Uint8Array(d.length + s.length);
  buf.set(d, 0);
  buf.set(s, d.length);
  return sha256(buf);
}

/** Whether a revealed digest and salt open a commitment. */
export function opensEvalCommitment(commitment: Uint8Array | string, evalDigest: ArtifactRef, salt: Uint8Array | string): boolean {
  const c = typeof commitment === "string" ? fromHex(commitment) : commitment;
  return bytesEqual(c, evalCommitment(evalDigest, salt));
}
