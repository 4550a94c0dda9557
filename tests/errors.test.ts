import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERR } from "./helpers.ts";

const contractSource = readFileSync(new URL("../contracts/neural-training-market.clar", import.meta.url), "utf8");
const errorTable = readFileSync(new URL("../docs/errors.md", import.meta.url), "utf8");

/** `(define-constant ERR_NAME (err uN))` lines of the contract, as NAME -> N. */
function contractErrors(): Map<string, number> {
  const found = new Map<string, number>();
  for (const m of contractSource.matchAll(/\(define-constant ERR_([A-Z_]+) \(err u(\d+)\)\)/g)) {
    found.set(m[1], Number(m[2]));
  }
  return found;
}

describe("error codes", () => {
  it("src/errors.ts mirrors every error constant of the contract", () => {
    expect(Object.fromEntries(contractErrors())).toStrictEqual({ ...ERR });
  });

  it("every error code is unique and numbered in its section's block", () => {
    const codes = [...contractErrors().values()];
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toBeGreaterThanOrEqual(100);
  });

  it("every error code is documented in the error table (docs/errors.md)", () => {
    for (const [name, code] of contractErrors()) {
      expect(errorTable).toMatch(new RegExp(`\\|\\s*\`?u${code}\`?\\s*\\|\\s*\`ERR_${name}\``));
    }
  });

  it("every error constant is used by the contract beyond its definition", () => {
    for (const name of contractErrors().keys()) {
      const uses = contractSource.split(`ERR_${name}`).length - 1;
      expect(uses, `ERR_${name}`).toBeGreaterThan(1);
    }
  });
});
