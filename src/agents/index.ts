/**
 * The market's roles as programs, acting through the typed client over a `Chain`:
 * `ProviderAgent` trains and delivers, `ValidatorAgent` evaluates and votes, `DeveloperClient`
 * seals, bids and reveals. `SimnetChain` is the embedded chain; `runAgents` drives them block by
 * block on it; `KeeperAgent` settles what is due (expiries, finalizations, queued matches).
 */
export * from "./chain.ts";
export * from "./state.ts";
export * from "./jobs.ts";
export * from "./provider.ts";
export * from "./validator.ts";
export * from "./developer.ts";
export * from "./run.ts";
export * from "./report.ts";
export * from "./keeper.ts";
