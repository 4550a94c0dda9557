import { Cl } from "@stacks/transactions";
import { type Model, UNBONDING, emit, pick, removeFromSet, tag, validatorOf } from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success } from "./step.ts";

/** request-validator-exit: an active validator leaves the set at once, keeping and serving its seats. */
export class RequestValidatorExitCommand extends Step {
  readonly fn = "request-validator-exit";
  constructor(private readonly q: { t: Target }) {
    super(q);
  }
  /** smart: an active validator (half the time one on no committee) while the whole pool is active; otherwise any account */
  check(m: Readonly<Model>) {
    return this.q.t.mode !== "smart" || m.set.length === m.pool.length;
  }
  smart(m: Model) {
    const free = m.set.filter((w) => validatorOf(m, w).openSeats === 0n);
    return free.length > 0 && this.q.t.who % 2 !== 0 ? free : m.set;
  }
  plan(m: Model): Plan {
    const who = this.q.t.mode === "smart" ? (pick(this.smart(m), this.q.t.sel) as string) : anyAccount(this.q.t);
    return {
      label: `request-validator-exit() by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [],
      named: [],
      predict: (m) => {
        const v = m.validators.get(who);
        if (!v) return fail("VALIDATOR_NOT_FOUND");
        if (!v.active) return fail("VALIDATOR_EXITING");
        // always allowed, seated or not: it keeps its seats and leaves the set at once
        removeFromSet(m, v.index);
        v.active = false;
        v.exitRequestedAt = m.height;
        emit(m, "validator-exit-requested", { validator: who, "unbonded-at": m.height + UNBONDING, "open-seats": v.openSeats });
        if (v.openSeats > 0n) tag(m, "exit while seated");
        return success(Cl.uint(m.height + UNBONDING));
      },
    };
  }
}
