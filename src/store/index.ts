/** Content addressing and content stores: see ./cid.ts and ./store.ts. */
export * from "./cid.ts";
export * from "./store.ts";
