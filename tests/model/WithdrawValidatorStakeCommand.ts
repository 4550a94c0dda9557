import { Cl } from "@stacks/transactions";
import { type Model, UNBONDING, emit, payOut, pick, tag, unclaimedCoherentSeats, validatorOf } from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success } from "./step.ts";

/** withdraw-validator-stake: an exiting validator, unbonded and seated nowhere, takes back its stake. */
export class WithdrawValidatorStakeCommand extends Step {
  readonly fn = "withdraw-validator-stake";
  constructor(private readonly q: { t: Target }) {
    super(q);
  }
  /**
   * smart: an exiting validator: mostly one whose unbonding is over, on no committee; now and then
   * one unbonded whose only seats are coherent ones not yet claimed (VALIDATOR_SEATED); otherwise any account
   */
  check(m: Readonly<Model>) {
    return this.q.t.mode !== "smart" || this.smart(m as Model).length > 0;
  }
  smart(m: Model) {
    const exiting = [...m.validators].filter(([, v]) => !v.active).map(([w]) => w);
    const unbonded = exiting.filter((w) => m.height >= validatorOf(m, w).exitRequestedAt + UNBONDING);
    const free = unbonded.filter((w) => validatorOf(m, w).openSeats === 0n);
    const unclaimed = unbonded.filter((w) => validatorOf(m, w).openSeats > 0n && validatorOf(m, w).openSeats === unclaimedCoherentSeats(m, w));
    if (unclaimed.length > 0 && this.q.t.who % 4 === 1) return unclaimed;
    return free.length > 0 && this.q.t.who % 4 !== 0 ? free : exiting;
  }
  plan(m: Model): Plan {
    const who = this.q.t.mode === "smart" ? (pick(this.smart(m), this.q.t.sel) as string) : anyAccount(this.q.t);
    return {
      label: `withdraw-validator-stake() by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [],
      named: [],
      predict: (m) => {
        const v = m.validators.get(who);
        if (!v) return fail("VALIDATOR_NOT_FOUND");
        if (v.active) return fail("VALIDATOR_NOT_EXITING");
        if (m.height < v.exitRequestedAt + UNBONDING) return fail("UNBONDING_NOT_OVER");
        if (v.openSeats > 0n) {
          // every seat it still holds may be on a settled job: a coherent seat waits for its claim
          if (v.openSeats === unclaimedCoherentSeats(m, who)) tag(m, "withdrawal refused: coherent seats not yet claimed");
          return fail("VALIDATOR_SEATED");
        }
        payOut(m, who, v.stake);
        m.totals.validatorStakes -= v.stake;
        m.validators.delete(who);
        emit(m, "validator-withdrawn", { validator: who, amount: v.stake });
        return success(Cl.uint(v.stake));
      },
    };
  }
}
