/**
 * Type-level test, checked by `tsc --noEmit`, never executed: Clarinet's `Simnet` is a
 * `SimnetLike`, so `simnetReader(simnet, ...)` and `MarketClient.forSimnet(simnet, ...)` take it,
 * although the client no longer imports @stacks/clarinet-sdk's type (a web app has no Clarinet).
 */
import type { Simnet } from "@stacks/clarinet-sdk";
import type { SimnetLike } from "neural-training-market/client";

/** Compiles only when `T` is `true`. */
type Assert<T extends true> = T;

export type SimnetLikeChecks = [Assert<Simnet extends SimnetLike ? true : false>];
