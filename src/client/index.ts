/**
 * The neural-training-market client library:
 * - `marketCalls(contractId)`: typed builders for the 32 public functions, returning
 *   `makeContractCall` / `stx_callContract` options with exact STX post-conditions (deny mode);
 * - readers (`simnetReader`, `fromSimnet`, `nodeReader`) decoding every read-only view;
 * - planners computing the state-dependent payouts the post-conditions need;
 * - `MarketClient`: all three together (plan + build in one await);
 * - `checkStxPostConditions`: evaluates post-conditions against a run's STX events;
 * - `computeCommitment` / `randomSalt` for commit-reveal, `computeEvalCommitment` for a verified
 *   bid's sealed evaluation set;
 * - `drawSeats`: the committee the contract seats on a job, computed offline;
 * - `makeContractDeployOfAnySize`: the contract deployed byte for byte, past Stacks.js's 100 KB limit.
 */
export * from "./contract.ts";
export * from "./decode.ts";
export * from "./readers.ts";
export * from "./commitment.ts";
export * from "./planner.ts";
export * from "./calls.ts";
export * from "./postconditions.ts";
export * from "./client.ts";
export * from "./committee.ts";
export * from "./deploy.ts";
