/**
 * The contract's error codes, mirrored from `contracts/neural-training-market.clar`.
 * `tests/errors.test.ts` checks that this table and the contract agree.
 */
export const ERR = {
  // 1xx: caller and contract state
  NOT_AUTHORIZED: 100,
  NOT_DIRECT_CALLER: 101,
  PAUSED: 102,
  ZERO_AMOUNT: 103,
  INSUFFICIENT_FUNDS: 104,
  UNKNOWN_PARAMETERS: 105,
  // 2xx: datasets and stakes
  DATASET_NOT_FOUND: 200,
  STAKE_TOO_LOW: 201,
  EMPTY_METADATA_URI: 202,
  NOT_DATASET_PROVIDER: 203,
  DATASET_INACTIVE: 204,
  DATASET_UNDERSTAKED: 205,
  DATASET_HAS_OPEN_JOBS: 206,
  STAKE_LOCKED: 207,
  INVALID_CAPACITY: 208,
  INVALID_PRICE: 209,
  // 3xx: computation bids
  BID_NOT_FOUND: 300,
  SELF_BID: 301,
  BID_TOO_LOW: 302,
  BID_BELOW_ASK: 303,
  INVALID_DURATION: 304,
  DEADLINE_UNREACHABLE: 305,
  NOT_BIDDER: 306,
  BID_NOT_QUEUED: 307,
  BID_NOT_EXPIRED: 308,
  BID_CLOSED: 309,
  // 4xx: validators
  VALIDATOR_NOT_FOUND: 400,
  VALIDATOR_STAKE_TOO_LOW: 401,
  VALIDATOR_EXISTS: 402,
  VALIDATOR_EXITING: 403,
  VALIDATOR_NOT_EXITING: 404,
  UNBONDING_NOT_OVER: 405,
  VALIDATOR_STAKE_LOCKED: 406,
  // 5xx: validation
  INVALID_SCORE: 500,
  ALREADY_VOTED: 501,
  BID_DATASET_MISMATCH: 502,
  JOB_NOT_RUNNING: 503,
  VALIDATION_CLOSED: 504,
  PARTY_CANNOT_VALIDATE: 505,
  TOO_MANY_VOTES: 506,
  // 6xx: rewards
  JOB_NOT_FINALIZED: 600,
  NOT_JOB_VALIDATOR: 601,
  ALREADY_CLAIMED: 602,
  // 8xx: administration
  INSUFFICIENT_TREASURY: 800,
  INVALID_RECIPIENT: 801,
} as const;

export type ErrorName = keyof typeof ERR;

/** Bid status codes stored in the `bids` map. */
export const BID_STATUS = {
  QUEUED: 1,
  MATCHED: 2,
  SETTLED: 3,
  CANCELLED: 4,
  EXPIRED: 5,
} as const;

/** Outcome codes stored in `job-results`. */
export const OUTCOME = {
  REWARDED: 1,
  PARTIAL: 2,
  SLASHED: 3,
} as const;
