import { Cl } from "@stacks/transactions";
import { expect } from "vitest";
import { decode, deployer, readOnly, wallets } from "../helpers.ts";
import { type Model, emit, tag } from "./model.ts";
import { type Plan, Step, fail, name, success } from "./step.ts";

export type PauseAction = "resume" | "pause" | "repeat";

/** set-paused: the owner pauses, resumes or repeats the state in force; anyone else is refused. */
export class SetPausedCommand extends Step {
  readonly fn = "set-paused";
  constructor(private readonly q: { owner: boolean; who: number; action: PauseAction; pause: boolean }) {
    super(q);
  }
  /**
   * The owner resumes a paused market (often: pauses stay short, many end in the burn block they
   * began and are erased), pauses a running one (rarely), or repeats the state in force (a no-op
   * that prints); anyone else tries either value.
   */
  check(m: Readonly<Model>) {
    const { owner, action } = this.q;
    return !owner || action === "repeat" || (action === "resume") === m.paused;
  }
  plan(m: Model): Plan {
    const who = this.q.owner ? deployer : wallets[this.q.who % wallets.length];
    const pause = !this.q.owner ? this.q.pause : this.q.action === "repeat" ? m.paused : this.q.action === "pause";
    return {
      label: `set-paused(${pause}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.bool(pause)],
      named: [],
      predict: (m) => {
        if (who !== deployer) return fail("NOT_AUTHORIZED");
        if (pause && !m.paused) {
          // a new pause: pauses + 1, logged {started-at: now, ended-at: 0}
          m.pauseLog.push({ startedAt: m.height, endedAt: 0n });
          if (m.erasures.some((e) => e.number === BigInt(m.pauseLog.length))) tag(m, "a pause reuses the number of an erased one");
        } else if (!pause && m.paused) {
          const current = m.pauseLog[m.pauseLog.length - 1];
          if (current.startedAt === m.height) {
            // undone in the burn block it began: erased (entry deleted, pauses - 1)
            m.pauseLog.pop();
            m.erasures.push({ number: BigInt(m.pauseLog.length + 1), at: m.height });
            tag(m, "a same-block pause leaves no trace in the log");
          } else {
            current.endedAt = m.height;
            tag(m, "a pause that lasted is logged");
          }
        } else tag(m, "set-paused repeated");
        m.paused = pause;
        emit(m, "paused-set", { paused: pause, owner: who });
        return success(Cl.bool(true));
      },
    };
  }
  /** After an erasure the view has nothing under the erased number either (the step compared the log). */
  run(m: Model): void {
    const erased = m.erasures.length;
    super.run(m);
    if (m.erasures.length > erased) {
      const { number } = m.erasures[m.erasures.length - 1];
      expect(decode(readOnly("get-pause", [Cl.uint(number)])), `get-pause ${number} after its erasure at burn ${m.height}`).toBeNull();
    }
  }
}
