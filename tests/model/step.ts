import fc from "fast-check";
import { Cl, type ClarityValue } from "@stacks/transactions";
import { expect } from "vitest";
import { call, printEvents } from "../helpers.ts";
import { ERR, type ErrorName } from "../../src/errors.ts";
import { compareWithChain } from "./chain.ts";
import { ACCOUNTS, type Model, type Real, STATUS, bidOf, expectSame, json, nameOf, pick, seatsFor, sortedIds, timelineOf, voteKey } from "./model.ts";

/**
 * What the commands share to act on the real system (the simnet): a plan (the call, its sender,
 * and its prediction from the model), its execution (the call, then the result, the print events
 * and the chain checked against the model), the base class of the contract-call commands, and the
 * resolution of their targets at run time.
 */

export type Prediction = { err: ErrorName } | { ok: ClarityValue };
export const fail = (e: ErrorName): Prediction => ({ err: e });
export const success = (v: ClarityValue): Prediction => ({ ok: v });

export interface Plan {
  label: string;
  fn: string;
  sender: string;
  args: ClarityValue[];
  /** bids the call names: compared after the call even when the model did not change them */
  named: number[];
  /** checks the model in the contract's order; on success it updates the model and returns the ok value */
  predict: (m: Model) => Prediction;
  /** more checks on the call's receipt (its STX transfers...), after its result and events */
  receipt?: (r: Receipt) => void;
}

export type Receipt = ReturnType<typeof call>;

/** Counts per command and result, over the whole test file (printed at the end). */
export const stats = new Map<string, number>();
/** One summary line per `it` (commands run, paths seen), printed at the end. */
export const summaries: string[] = [];
export function count(key: string) {
  stats.set(key, (stats.get(key) ?? 0) + 1);
}

/** Runs a plan on the simnet: its prediction updates the model, the call must give the predicted result and events. */
export function execute(m: Model, plan: Plan) {
  m.events = [];
  m.touched = new Set();
  m.stacksAtCall = BigInt(simnet.stacksBlockHeight) + 1n;
  const predicted = plan.predict(m);
  const r = call(plan.fn, plan.args, plan.sender);
  const expected = "err" in predicted ? Cl.error(Cl.uint(ERR[predicted.err])) : Cl.ok(predicted.ok);
  const context = `${plan.label} at burn ${m.height}`;
  if (process.env.MODEL_TRACE) console.info(`${context} -> ${"err" in predicted ? predicted.err : "ok"} ${m.events.map((e) => e.event).join(",")}`);
  expect(r.result, `${context}: result`).toStrictEqual(expected);
  expectSame(printEvents(r), "err" in predicted ? [] : m.events, `${context}: print events`);
  plan.receipt?.(r);
  count(`${plan.fn} ${"err" in predicted ? `err ${predicted.err}` : "ok"}`);
  compareWithChain(m, context, plan.named, "step");
}

/**
 * A batch call's entries, all or nothing: each entry runs on the model in order; the first that
 * fails fails the whole call with its error, and the model is put back as it was before the first
 * entry (the chain, compared after the call, must be too). Returns each entry's value, or the error
 * and the index of the entry that failed (with `undone`: what the entries before it had done, as
 * tags, the test's own bookkeeping).
 */
export function allOrNothing<E, R>(
  m: Model,
  entries: E[],
  run: (entry: E, index: number) => { err: ErrorName } | { ok: R },
): { ok: R[] } | { err: ErrorName; at: number; undone: Map<string, number> } {
  const saved = structuredClone(m);
  const out: R[] = [];
  for (let i = 0; i < entries.length; i++) {
    const r = run(entries[i], i);
    if ("err" in r) {
      const undone = new Map([...m.tags].map(([t, n]) => [t, n - (saved.tags.get(t) ?? 0)] as [string, number]).filter(([, n]) => n > 0));
      Object.assign(m, saved);
      return { err: r.err, at: i, undone };
    }
    out.push(r.ok);
  }
  return { ok: out };
}

/** Inserts `entry` into `entries` at `at` modulo the length + 1 (a copy). */
export function plant<E>(entries: E[], entry: E, at: number): E[] {
  const i = at % (entries.length + 1);
  return [...entries.slice(0, i), entry, ...entries.slice(i)];
}

export type Mode = "smart" | "any" | "missing";
export interface Target {
  mode: Mode;
  sel: number;
  who: number;
}

/** A bid id: a smart candidate; else (mode "any") half the time a running job, otherwise any bid; or one that does not exist. */
export function targetBid(m: Model, t: Target, smart: number[]): number {
  if (t.mode === "missing") return m.lastBidId + 1 + (t.sel % 2);
  if (t.mode === "smart" && smart.length > 0) return smart[t.sel % smart.length];
  const running = sortedIds(m.bids).filter((id) => bidOf(m, id).status === STATUS.MATCHED);
  if (running.length > 0 && t.who % 2 === 0) return running[t.sel % running.length];
  return pick(sortedIds(m.bids), t.sel) ?? m.lastBidId + 1;
}

export function targetDataset(m: Model, t: Target, smart: number[]): number {
  if (t.mode === "missing") return m.lastDatasetId + 1;
  if (t.mode === "smart" && smart.length > 0) return smart[t.sel % smart.length];
  return pick(sortedIds(m.datasets), t.sel) ?? m.lastDatasetId + 1;
}

export const anyAccount = (t: Target) => ACCOUNTS[t.who % ACCOUNTS.length];
export const name = nameOf;
export const openDatasets = (m: Readonly<Model>) => [...m.datasets.values()].filter((d) => d.active).length;

/** A command that is one contract call: its plan is resolved from the model when it runs. */
export abstract class Step implements fc.Command<Model, Real> {
  private resolved = "";
  constructor(protected readonly p: Record<string, unknown>) {}
  abstract readonly fn: string;
  abstract plan(m: Model): Plan;
  check(_m: Readonly<Model>): boolean {
    return true;
  }
  run(m: Model): void {
    const plan = this.plan(m);
    this.resolved = plan.label;
    execute(m, plan);
  }
  toString(): string {
    return this.resolved || `${this.fn} ${json(this.p)}`;
  }
}

/** Matched jobs still in their commit phase, with each (bid, seat) that has not voted yet. */
export function openSeats(m: Model): [number, string][] {
  const out: [number, string][] = [];
  for (const id of sortedIds(m.bids)) {
    const b = bidOf(m, id);
    const t = timelineOf(m, id, b);
    if (b.status !== STATUS.MATCHED || !t.open || m.height > t.commitClosesAt) continue;
    for (const s of seatsFor(m, id)) if (!m.votes.has(voteKey(id, s)) && m.validators.has(s)) out.push([id, s]);
  }
  return out;
}

/** Mines empty blocks (burn blocks advance with them), then compares the chain with the model. */
export function mine(m: Model, blocks: number, label: string) {
  simnet.mineEmptyBlocks(blocks);
  m.height += BigInt(blocks);
  m.touched = new Set();
  count(label);
  compareWithChain(m, `mine(${blocks}) to burn ${m.height}`, [], "step");
}
