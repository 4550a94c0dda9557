import { Cl } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import { bidder, contractId, deltas, balances, expectSolvent, provider, read, validator1, call } from "./helpers.ts";

/**
 * What a `clarinet console` user does: `::set_tx_sender <who>`, then the README's expression.
 * The console resolves `.name` against the current tx-sender, so the shorthand is expanded
 * to the deployer's contract id, which is what the README's `.neural-training-market` means.
 */
function consoleCall(sender: string, expression: string) {
  simnet.executeCommand(`::set_tx_sender ${sender}`);
  return simnet.execute(expression.replace(".neural-training-market", `'${contractId}`));
}

// The README's four calls, exactly as written there, after one validator registers.
describe("README usage", () => {
  it("runs the four calls in order: the provider is paid and the validator's claim succeeds", () => {
    expect(call("register-validator", [Cl.uint(1_000_000)], validator1).result).toBeOk(Cl.bool(true));
    const before = balances(provider, bidder, validator1, contractId);

    // (contract-call? .neural-training-market register-dataset u1000000 "ipfs://dataset-metadata")
    const registered = consoleCall(provider, '(contract-call? .neural-training-market register-dataset u1000000 "ipfs://dataset-metadata")');
    expect(registered.result).toBeOk(Cl.uint(1));

    // (contract-call? .neural-training-market place-computation-bid u1 u500000 u100 u150)
    const bid = consoleCall(bidder, "(contract-call? .neural-training-market place-computation-bid u1 u500000 u100 u150)");
    expect(bid.result).toBeOk(Cl.uint(1));

    // (contract-call? .neural-training-market submit-validation-result u1 u1 u85)
    const validated = consoleCall(validator1, "(contract-call? .neural-training-market submit-validation-result u1 u1 u85)");
    expect(validated.result).toBeOk(Cl.bool(true));

    // (contract-call? .neural-training-market claim-validation-reward u1)
    const claimed = consoleCall(validator1, "(contract-call? .neural-training-market claim-validation-reward u1)");
    expect(claimed.result).toBeOk(Cl.uint(25_000));

    const moved = deltas(before);
    // provider: staked 1,000,000 (locked), paid 500,000 minus the 5% validator fee (25,000)
    // and the 1% protocol fee (5,000): 470,000; the protocol fee stays in the treasury
    expect(moved.get(provider)).toBe(-1_000_000n + 470_000n);
    expect(moved.get(bidder)).toBe(-500_000n);
    expect(moved.get(validator1)).toBe(25_000n);
    expect(moved.get(contractId)).toBe(1_000_000n + 5_000n);
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
});
