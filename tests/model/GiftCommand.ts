import fc from "fast-check";
import { Cl } from "@stacks/transactions";
import { expect } from "vitest";
import { contractId } from "../helpers.ts";
import { compareWithChain } from "./chain.ts";
import { ACCOUNTS, type Model, type Real, transfer } from "./model.ts";
import { count, name } from "./step.ts";

/** A plain STX transfer to the contract (not a contract call): it becomes surplus until swept. */
export class GiftCommand implements fc.Command<Model, Real> {
  constructor(private readonly q: { who: number; amount: bigint }) {}
  check() {
    return true;
  }
  run(m: Model) {
    const who = ACCOUNTS[this.q.who % ACCOUNTS.length];
    const r = simnet.transferSTX(this.q.amount, contractId, who);
    const context = `${this.toString()} by ${name(who)} at burn ${m.height}`;
    expect(r.result, `${context}: result`).toStrictEqual(Cl.ok(Cl.bool(true)));
    transfer(m, who, contractId, this.q.amount);
    m.surplus += this.q.amount;
    m.touched = new Set();
    count("stx-transfer to the contract");
    compareWithChain(m, context, [], "step");
  }
  toString() {
    return `stx-transfer(${this.q.amount}) to the contract`;
  }
}
