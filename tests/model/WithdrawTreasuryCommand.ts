import { Cl } from "@stacks/transactions";
import { contractId, deployer, wallets } from "../helpers.ts";
import { ACCOUNTS, type Model, emit, payOut } from "./model.ts";
import { type Plan, Step, fail, name, success } from "./step.ts";

/** withdraw-treasury: the owner takes none, part, all or more than the treasury holds, to an account or the contract. */
export class WithdrawTreasuryCommand extends Step {
  readonly fn = "withdraw-treasury";
  constructor(private readonly q: { owner: boolean; who: number; kind: "zero" | "part" | "all" | "over"; pct: bigint; recipient: number }) {
    super(q);
  }
  plan(m: Model): Plan {
    const who = this.q.owner ? deployer : wallets[this.q.who % wallets.length];
    const treasury = m.totals.treasury;
    const amount = { zero: 0n, part: (treasury * this.q.pct) / 100n, all: treasury, over: treasury + 1n }[this.q.kind];
    const recipients = [...ACCOUNTS, contractId];
    const recipient = recipients[this.q.recipient % recipients.length];
    return {
      label: `withdraw-treasury(${amount}, ${name(recipient)}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(amount), Cl.principal(recipient)],
      named: [],
      predict: (m) => {
        if (who !== deployer) return fail("NOT_AUTHORIZED");
        if (amount === 0n) return fail("ZERO_AMOUNT");
        if (amount > m.totals.treasury) return fail("INSUFFICIENT_TREASURY");
        if (recipient === contractId) return fail("INVALID_RECIPIENT");
        payOut(m, recipient, amount);
        m.totals.treasury -= amount;
        emit(m, "treasury-withdrawn", { amount, recipient });
        return success(Cl.uint(amount));
      },
    };
  }
}
