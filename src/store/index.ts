/** Content addressing and content stores: see ./cid.ts and ./store.ts; a store served as a gateway: ./serve.ts. */
export * from "./cid.ts";
export * from "./store.ts";
export * from "./serve.ts";
