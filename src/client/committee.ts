/**
 * The committee draw, computed offline exactly as the contract's `seat-committee` does it: the
 * reference the tests check the contract against, and what a validator runs to learn whether it
 * will be seated on a job.
 *
 * A job's committee comes from the validators of its match: the first `validatorsAtMatch` indices
 * of the active set, among members whose registration ordinal is at most `registrationsAtMatch`.
 * Seat k starts at `sha256(seed ++ consensus({bid-id, seat: k}))` (first 16 bytes, big-endian)
 * mod n, or at k without a seed (a market where everyone fits), and probes forward at most
 * `MAX_PROBES` indices (never more than n) past the parties, members already seated, later
 * registrants and empty indices. The seed (`committeeSeed`) mixes the VRF seed of the Stacks block
 * after the match with the hash of the Bitcoin block after the job's decline window.
 */
import { sha256 } from "@noble/hashes/sha256";
import { bytesToHex } from "@noble/hashes/utils";
import { Cl, serializeCVBytes } from "@stacks/transactions";
import type { UintLike } from "./contract.ts";

/** Probes per seat (PROBE_OFFSETS in the contract). */
export const MAX_PROBES = 12;

/** An entry of the active set (`validator-at`). */
export interface SetEntry {
  validator: string;
  ordinal: bigint;
}

/**
 * A job's committee seed (`committee-seed`): sha256 of the VRF seed of the Stacks block after the
 * match followed by the header hash of the Bitcoin block after the decline window (32 bytes each).
 */
export function committeeSeed(vrfSeed: Uint8Array, bitcoinHash: Uint8Array): Uint8Array {
  return sha256.create().update(vrfSeed).update(bitcoinHash).digest();
}

/**
 * Seat k's first index (`seat-start`): the first 16 bytes of sha256(seed ++ consensus({bid-id, seat}))
 * mod n, or k itself without a seed (null).
 */
export function seatStart(seed: Uint8Array | null, bidId: UintLike, seat: number, n: number): number {
  if (seed === null) return seat;
  const key = serializeCVBytes(Cl.tuple({ "bid-id": Cl.uint(bidId), seat: Cl.uint(seat) }));
  const digest = sha256.create().update(seed).update(key).digest();
  return Number(BigInt(`0x${bytesToHex(digest.subarray(0, 16))}`) % BigInt(n));
}

export interface DrawInput {
  bidId: UintLike;
  /** The committee seed (`get-committee-seed`), or null when every validator of the match fits. */
  seed: Uint8Array | null;
  /** The active set's size at the match (`validators-at-match`). */
  validatorsAtMatch: number;
  /** Only members with an ordinal up to this sit (`registrations-at-match`). */
  registrationsAtMatch: bigint;
  committeeSize: number;
  provider: string;
  bidder: string;
  /** The active set now, by index (null for an empty index). */
  entryAt: (index: number) => SetEntry | null;
}

/** The members the contract seats, in seat order. */
export function drawSeats(input: DrawInput): string[] {
  const n = input.validatorsAtMatch;
  const seats: string[] = [];
  for (let seat = 0; seat < Math.min(input.committeeSize, n); seat++) {
    const start = seatStart(input.seed, input.bidId, seat, n);
    for (let offset = 0; offset < Math.min(MAX_PROBES, n); offset++) {
      const entry = input.entryAt((start + offset) % n);
      if (
        entry &&
        entry.ordinal <= input.registrationsAtMatch &&
        entry.validator !== input.provider &&
        entry.validator !== input.bidder &&
        !seats.includes(entry.validator)
      ) {
        seats.push(entry.validator);
        break;
      }
    }
  }
  return seats;
}
