import fc from "fast-check";
import { type Model, type Real } from "./model.ts";
import { mine } from "./step.ts";

/** Mines 1-15, 40-120 or 4400 empty blocks. */
export class MineCommand implements fc.Command<Model, Real> {
  constructor(private readonly blocks: number) {}
  check() {
    return true;
  }
  run(m: Model) {
    mine(m, this.blocks, `mine ${this.blocks >= 4000 ? "4400" : this.blocks >= 40 ? "40-120" : "1-15"}`);
  }
  toString() {
    return `mine(${this.blocks})`;
  }
}
