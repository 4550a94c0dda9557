import { Cl } from "@stacks/transactions";
import { contractId } from "../helpers.ts";
import { MIN_VALIDATOR_STAKE, type Model, STATUS, emit, pick, tag, transfer } from "./model.ts";
import { type Plan, Step, fail, name, success } from "./step.ts";

/** register-validator: a pool account joins the active set (or tries below the minimum stake, or twice). */
export class RegisterValidatorCommand extends Step {
  readonly fn = "register-validator";
  constructor(private readonly q: { who: number; fresh: boolean; stake: bigint }) {
    super(q);
  }
  /** while a pool account is not registered (the failing variant always applies) */
  check(m: Readonly<Model>) {
    return m.validators.size < m.pool.length || this.q.stake < MIN_VALIDATOR_STAKE;
  }
  plan(m: Model): Plan {
    const unregistered = m.pool.filter((w) => !m.validators.has(w));
    const who = (this.q.fresh ? pick(unregistered, this.q.who) : undefined) ?? m.pool[this.q.who % m.pool.length];
    const stake = this.q.stake;
    return {
      label: `register-validator(${stake}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(stake)],
      named: [],
      predict: (m) => {
        if (m.paused) return fail("PAUSED");
        if (m.validators.has(who)) return fail("VALIDATOR_EXISTS");
        if (stake < MIN_VALIDATOR_STAKE) return fail("VALIDATOR_STAKE_TOO_LOW");
        transfer(m, who, contractId, stake);
        m.totals.validatorStakes += stake;
        const ordinal = ++m.registrations;
        m.validators.set(who, {
          stake,
          active: true,
          index: BigInt(m.set.length),
          openSeats: 0n,
          exitRequestedAt: 0n,
          registeredAt: m.height,
          ordinal,
        });
        m.set.push(who);
        emit(m, "validator-registered", { validator: who, stake, ordinal });
        if ([...m.bids.values()].some((b) => b.status === STATUS.MATCHED)) tag(m, "validator registered while jobs run");
        return success(Cl.bool(true));
      },
    };
  }
}
