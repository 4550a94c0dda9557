/**
 * Type-level test, checked by `tsc --noEmit` (`npm test`, `npm run typecheck`), never executed:
 * what `toWalletRequest` returns goes straight into @stacks/connect's `request("stx_callContract")`,
 * imported the way a web app imports it, by the package's own name (`exports["./client"]`).
 * A field renamed, retyped or added on `WalletCallContractParams` that the wallet request does
 * not take fails the compile here.
 */
import { request, type MethodParams } from "@stacks/connect";
import { marketCalls, toWalletRequest, type WalletCallContractParams } from "neural-training-market/client";

type WalletCallParams = MethodParams<"stx_callContract">;

/** Compiles only when `T` is `true`. */
type Assert<T extends true> = T;
/** True when every key of `A` is a key of `B`: no field the wallet would ignore or refuse. */
type KeysWithin<A, B> = Exclude<keyof A, keyof B> extends never ? true : false;

export type WalletRequestChecks = [
  // assignable as a whole (required fields present, every field's type accepted)...
  Assert<WalletCallContractParams extends WalletCallParams ? true : false>,
  // ...and no field of ours that @stacks/connect does not know (an optional one renamed would pass the first)
  Assert<KeysWithin<WalletCallContractParams, WalletCallParams>>,
  // each field, so a failure names it
  Assert<WalletCallContractParams["contract"] extends WalletCallParams["contract"] ? true : false>,
  Assert<WalletCallContractParams["functionName"] extends WalletCallParams["functionName"] ? true : false>,
  Assert<WalletCallContractParams["functionArgs"] extends NonNullable<WalletCallParams["functionArgs"]> ? true : false>,
  Assert<WalletCallContractParams["postConditionMode"] extends NonNullable<WalletCallParams["postConditionMode"]> ? true : false>,
  Assert<WalletCallContractParams["postConditions"] extends NonNullable<WalletCallParams["postConditions"]> ? true : false>,
  Assert<NonNullable<WalletCallContractParams["network"]> extends NonNullable<WalletCallParams["network"]> ? true : false>,
];

const market = marketCalls("ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.neural-training-market");
const caller = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";

/** The calls a web app makes, as the overloads of `request` resolve them (never run: no wallet here). */
export const walletCalls = [
  () => request("stx_callContract", toWalletRequest(market.registerDataset({ caller, stake: 1_000_000n, metadataUri: "ipfs://dataset" }))),
  () => request("stx_callContract", toWalletRequest(market.placeComputationBid({ caller, datasetId: 1n, amount: 5_000n, duration: 10n, deadline: 500n }), { network: "testnet" })),
  () => request({ forceWalletSelect: true }, "stx_callContract", { ...toWalletRequest(market.withdrawTreasury({ amount: 5n, recipient: caller })), network: "devnet" }),
];
