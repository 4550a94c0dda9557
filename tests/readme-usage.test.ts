import { readFileSync } from "node:fs";
import { Cl, cvToString, type ClarityValue } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import { bidder, contractId, deltas, balances, deployer, expectSolvent, provider, read, validator1 } from "./helpers.ts";

/**
 * The README's "four calls" section, run as its reader runs it: its Clarity blocks are read from
 * the README itself, so the text and these tests cannot drift apart.
 */
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const exampleScript = readFileSync(new URL("../examples/readme-usage.clar", import.meta.url), "utf8");

/** The lines of the README's n-th ```clarity block. */
function clarityBlock(n: number): string[] {
  const blocks = [...readme.matchAll(/```clarity\n([\s\S]*?)```/g)].map((m) => m[1].trim().split("\n"));
  expect(blocks.length).toBeGreaterThan(n);
  return blocks[n];
}

/** The commands of a console script: neither comments nor blank lines. */
function commandsOf(script: string): string[] {
  return script.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith(";;"));
}

/**
 * Runs console lines as `clarinet console` does: `::` commands go to the simnet's command runner,
 * expressions are evaluated as the current tx-sender. Returns each expression's result.
 */
function runConsoleLines(lines: string[]): ClarityValue[] {
  const results: ClarityValue[] = [];
  for (const line of lines) {
    if (line.startsWith("::")) simnet.executeCommand(line);
    else results.push(simnet.execute(line).result);
  }
  return results;
}

/** The promise: these four calls, character for character. */
const FOUR_CALLS = [
  '(contract-call? .neural-training-market register-dataset u1000000 "ipfs://dataset-metadata")',
  "(contract-call? .neural-training-market place-computation-bid u1 u500000 u100 u150)",
  "(contract-call? .neural-training-market submit-validation-result u1 u1 u85)",
  "(contract-call? .neural-training-market claim-validation-reward u1)",
];

describe("README: the four calls", () => {
  it("are the README's first Clarity block, exactly as written", () => {
    expect(clarityBlock(0)).toEqual(FOUR_CALLS);
  });

  it("pasted as one account, do what the README says: (ok u1), ERR_SELF_BID, then ERR_BID_NOT_FOUND twice", () => {
    simnet.executeCommand(`::set_tx_sender ${deployer}`);
    expect(runConsoleLines(clarityBlock(0)).map((r) => cvToString(r))).toEqual(["(ok u1)", "(err u301)", "(err u300)", "(err u300)"]);
    expect(readme).toContain("the bid `(err u301) ;; ERR_SELF_BID`");
    expect(readme).toContain("the last two\n`(err u300) ;; ERR_BID_NOT_FOUND`");
  });

  it("the block for `npm run console` is examples/readme-usage.clar, command for command", () => {
    const block = clarityBlock(1);
    expect(block).toEqual(commandsOf(exampleScript));
    // and it contains the four calls themselves, unchanged, each after a switch to its role
    for (const call of FOUR_CALLS) expect(block).toContain(call);
  });

  it("the block for `clarinet console` runs the four roles: (ok true), (ok u1), (ok u1), (ok true), (ok u25000), with the README's balances", () => {
    const before = balances(provider, bidder, validator1, contractId);
    const results = runConsoleLines(clarityBlock(2));
    expect(results).toEqual([Cl.ok(Cl.bool(true)), Cl.ok(Cl.uint(1)), Cl.ok(Cl.uint(1)), Cl.ok(Cl.bool(true)), Cl.ok(Cl.uint(25_000))]);
    // the README's own sentence for these numbers
    expect(readme).toContain("It prints `(ok true)`, `(ok u1)`, `(ok u1)`, `(ok true)`, `(ok u25000)`");

    const moved = deltas(before);
    // provider: staked 1,000,000 (locked), paid 500,000 minus the 5% validator fee (25,000)
    // and the 1% protocol fee (5,000): 470,000; the protocol fee stays in the treasury
    expect(moved.get(provider)).toBe(-1_000_000n + 470_000n);
    expect(moved.get(bidder)).toBe(-500_000n);
    // the validator's 1 STX stake stays locked; its fee share came back to it
    expect(moved.get(validator1)).toBe(-1_000_000n + 25_000n);
    expect(moved.get(contractId)).toBe(2_000_000n + 5_000n);
    expect(read.getMarketTotals()).toEqual({
      datasetStakes: 1_000_000n,
      validatorStakes: 1_000_000n,
      escrowedBids: 0n,
      unclaimedRewards: 0n,
      treasury: 5_000n,
      surplus: 0n,
    });
    expect(read.getDataset(1)).toMatchObject({ qualityScore: 85n, validations: 1n, passedValidations: 1n });
    expectSolvent();
  });

  it("the clarinet block is the console block with every account and the contract written in full", () => {
    const names: Record<string, string> = { wallet_1: provider, wallet_2: bidder, wallet_3: validator1 };
    const expanded = clarityBlock(1).map((line) =>
      line.startsWith("::set_tx_sender ") ? `::set_tx_sender ${names[line.split(" ")[1]]}` : line.replace(".neural-training-market", `'${contractId}`),
    );
    expect(clarityBlock(2)).toEqual(expanded);
  });
});
