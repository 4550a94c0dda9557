import { Cl } from "@stacks/transactions";
import { deployer, wallets } from "../helpers.ts";
import { type Model, emit } from "./model.ts";
import { type Plan, Step, fail, name, success } from "./step.ts";

/** sweep-surplus: the owner books STX sent to the contract by plain transfers into the treasury. */
export function sweepPlan(who: string): Plan {
  return {
    label: `sweep-surplus() by ${name(who)}`,
    fn: "sweep-surplus",
    sender: who,
    args: [],
    named: [],
    predict: (m) => {
      if (who !== deployer) return fail("NOT_AUTHORIZED");
      const amount = m.surplus;
      if (amount === 0n) return fail("ZERO_AMOUNT");
      m.totals.treasury += amount;
      m.surplus = 0n;
      emit(m, "surplus-swept", { amount, owner: who });
      return success(Cl.uint(amount));
    },
  };
}

/** sweep-surplus by the owner, or by anyone else (refused). */
export class SweepSurplusCommand extends Step {
  readonly fn = "sweep-surplus";
  constructor(private readonly q: { owner: boolean; who: number }) {
    super(q);
  }
  plan(_m: Model): Plan {
    return sweepPlan(this.q.owner ? deployer : wallets[this.q.who % wallets.length]);
  }
}
