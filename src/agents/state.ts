/**
 * What an agent must not forget across restarts: a validator's vote and salt between its commit
 * and its reveal, a bidder's evaluation set and salt between its bid and its reveal. Each record
 * is written BEFORE the call that depends on it is sent, so a crash between the two never loses a
 * reveal (on restart the agent finds the record and the chain state, and carries on).
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { makeFolder } from "../files.ts";

/** A small durable key-value store of JSON-able records. */
export interface AgentState<T> {
  get(key: string): T | undefined;
  /** Stores `value` durably before returning. */
  set(key: string, value: T): void;
  delete(key: string): void;
  keys(): string[];
}

/** In memory: for tests and the demo (a restart is simulated by sharing the instance). */
export class MemoryState<T> implements AgentState<T> {
  private readonly records = new Map<string, T>();
  get(key: string): T | undefined {
    return this.records.get(key);
  }
  set(key: string, value: T): void {
    this.records.set(key, structuredClone(value));
  }
  delete(key: string): void {
    this.records.delete(key);
  }
  keys(): string[] {
    return [...this.records.keys()];
  }
}

/**
 * One JSON file, rewritten atomically on every change (write a temporary file, then rename it
 * over the old one): a crash leaves either the old or the new file, never a torn one. Byte arrays
 * are stored as hex by the agents themselves.
 */
export class FileState<T> implements AgentState<T> {
  private records: Record<string, T>;

  constructor(readonly path: string) {
    try {
      this.records = JSON.parse(readFileSync(path, "utf8")) as Record<string, T>;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`agent state ${path} cannot be read: ${(e as Error).message}`);
      this.records = {};
    }
  }

  get(key: string): T | undefined {
    return this.records[key];
  }
  set(key: string, value: T): void {
    this.records[key] = value;
    this.flush();
  }
  delete(key: string): void {
    delete this.records[key];
    this.flush();
  }
  keys(): string[] {
    return Object.keys(this.records);
  }

  private flush(): void {
    makeFolder(dirname(this.path));
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.records, null, 2));
    renameSync(tmp, this.path);
  }
}
