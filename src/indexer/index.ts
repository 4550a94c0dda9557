/**
 * The market indexer: follows the contract's print events from a node (or Hiro's Stacks API)
 * into SQLite (sql.js, WebAssembly) and answers "what did this principal do" and "why was it
 * paid this". See docs/indexer.md.
 *
 * Sync: the events endpoint lists newest first, so a sync pages from offset 0 until it meets the
 * newest event already stored, then stores the new ones oldest first, a batch of transactions at
 * a time: each new transaction is fetched once for its metadata and STX events, the batch is
 * inserted in one SQL transaction with the cursor, and the whole database is written to its file
 * atomically (temp file + rename). A crash loses at most the batch in flight and never stores it
 * twice; the next sync resumes after the last stored batch.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import initSqlJs, { type Database, type SqlJsStatic, type SqlValue } from "sql.js";
import { validateStacksAddress } from "@stacks/transactions";
import type { Decoded } from "../clarity.ts";
import { IndexerError, mapLimit, StacksApi, type ApiPrintEvent, type ApiTx, type IndexSource } from "./api.ts";
import { explainTransfers, type PaymentReason, type PrintCandidate } from "./explain.ts";
import { decodePrint } from "./prints.ts";
import { SCHEMA, SCHEMA_VERSION } from "./schema.ts";

export { IndexerError, type IndexSource } from "./api.ts";
export type { PaymentReason } from "./explain.ts";

/** A transaction as the index keeps it. */
export interface IndexedTx {
  txId: string;
  status: string;
  /** Who signed (sent) it. */
  sender: string;
  /** The function called (on this contract, or on the contract that called it), null if not a contract call. */
  functionName: string | null;
  blockHeight: number | null;
  burnBlockHeight: number | null;
}

/** A print event of the contract. */
export interface IndexedEvent {
  kind: "event";
  tx: IndexedTx;
  eventIndex: number;
  /** The print's `event` field: bid-placed, job-finalized, validation-reward-claimed... */
  event: string | null;
  bidId: bigint | null;
  datasetId: bigint | null;
  /** The printed tuple, decoded (uints as bigint). */
  data: Decoded;
  /** The Clarity text of the value, as the API gave it. */
  repr: string;
}

/** An STX movement in a transaction of the contract. */
export interface IndexedStxEvent {
  kind: "stx";
  tx: IndexedTx;
  eventIndex: number;
  type: "transfer" | "mint" | "burn";
  sender: string | null;
  recipient: string | null;
  amount: bigint;
}

/**
 * One entry of a principal's history: a print event it acted in (it sent the transaction, or the
 * event names it; `roles` says how), or an STX movement to or from it (`delta` is its signed change).
 */
export type HistoryEntry = (IndexedEvent & { roles: string[] }) | (IndexedStxEvent & { delta: bigint });

/** An amount of STX the contract sent to a principal, and the print events that say why. */
export interface Payment {
  tx: IndexedTx;
  /** The transfer's event index in its transaction. */
  eventIndex: number;
  from: string;
  to: string;
  amount: bigint;
  /** The print(s) behind the transfer: one, or one per job for a batched reward claim. */
  reasons: PaymentReason[];
  /** False when no print of the transaction accounts for the amount (`reasons` then lists those naming the payee). */
  explained: boolean;
  /** The jobs the payment is for (from its reasons). */
  bidIds: bigint[];
}

/** What one sync stored. */
export interface SyncResult {
  newEvents: number;
  newTxs: number;
}

export interface SyncProgress {
  /** New print events stored so far in this sync (of `totalEvents` found). */
  events: number;
  txs: number;
  totalEvents: number;
  totalTxs: number;
}

export interface FollowOptions {
  /** Pause between syncs. */
  intervalMs: number;
  /** Stops following (the returned promise then resolves). */
  signal?: AbortSignal;
  onSync?: (result: SyncResult) => void;
  onProgress?: (progress: SyncProgress) => void;
  /** Given, a failed sync is reported here and following goes on; absent, the failure ends `follow`. */
  onError?: (error: Error) => void;
}

let sqlPromise: Promise<SqlJsStatic> | null = null;

/** sql.js is loaded (its wasm compiled) once per process. */
function sql(): Promise<SqlJsStatic> {
  sqlPromise ??= initSqlJs();
  return sqlPromise;
}

type Row = Record<string, SqlValue>;

/** A standard principal (checksummed address) or a contract principal `<address>.<name>`. */
function assertPrincipal(principal: string): void {
  const [address, name, extra] = principal.split(".");
  const valid = extra === undefined && validateStacksAddress(address ?? "") && (name === undefined || /^[a-zA-Z][a-zA-Z0-9-]{0,127}$/.test(name));
  if (!valid) throw new IndexerError(`not a Stacks principal: ${JSON.stringify(principal)}`);
}

function text(value: SqlValue): string {
  return value === null ? "" : String(value);
}

function orNull(value: SqlValue): string | null {
  return value === null ? null : String(value);
}

/** The market's events and STX movements in a SQLite database, kept in sync with a node. */
export class MarketIndex {
  private syncing = false;
  private closed = false;

  private constructor(
    private readonly db: Database,
    /** The database file, null for an in-memory index. */
    readonly path: string | null,
  ) {}

  /**
   * Opens the index stored at `path` (created on the first sync if absent), or an in-memory
   * index for `null`. Fails with an IndexerError if the file is not an index or its folder does not exist.
   */
  static async open(path: string | null): Promise<MarketIndex> {
    const SQL = await sql();
    if (path === null) return MarketIndex.initialized(new SQL.Database(), null);
    const file = resolve(path);
    const folder = dirname(file);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new IndexerError(`no such folder for the index database: ${folder}`);
    if (!existsSync(file)) return MarketIndex.initialized(new SQL.Database(), file);
    if (!statSync(file).isFile()) throw new IndexerError(`not a file: ${file}`);
    let db: Database;
    try {
      db = new SQL.Database(readFileSync(file));
      // sql.js opens anything lazily: the first query tells a database from another file
      db.exec("SELECT count(*) FROM sqlite_master");
    } catch {
      throw new IndexerError(`not a SQLite database: ${file}`);
    }
    const hasMeta = db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").length > 0;
    const version = hasMeta ? db.exec("SELECT value FROM meta WHERE key = 'schema_version'")[0]?.values[0]?.[0] : undefined;
    if (version === undefined) {
      db.close();
      throw new IndexerError(`not a market index database (no schema version): ${file}`);
    }
    if (version !== SCHEMA_VERSION) {
      db.close();
      throw new IndexerError(`index database ${file} has schema version ${String(version)}, this indexer reads version ${SCHEMA_VERSION}: re-index into a new file`);
    }
    return new MarketIndex(db, file);
  }

  private static initialized(db: Database, path: string | null): MarketIndex {
    db.exec(SCHEMA);
    db.run("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", [SCHEMA_VERSION]);
    return new MarketIndex(db, path);
  }

  // -- sync -------------------------------------------------------------------------------

  /**
   * Stores every print event of the contract the source has and the index has not, with its
   * transaction's metadata and STX events. Returns how many were new. Progress after each batch.
   * `signal` stops it between batches (and cancels requests in flight, rejecting).
   */
  async sync(source: IndexSource, onProgress?: (progress: SyncProgress) => void, options: { signal?: AbortSignal } = {}): Promise<SyncResult> {
    this.assertOpen();
    const { signal } = options;
    const api = new StacksApi(source, signal);
    if (this.syncing) throw new IndexerError("a sync of this index is already running");
    this.syncing = true;
    try {
      this.checkContract(source.contractId);
      const fresh = await this.newEvents(api);
      if (fresh.length === 0) {
        // a first sync of an empty contract still creates the file, with the contract it follows
        if (this.path !== null && !existsSync(this.path)) this.persist();
        return { newEvents: 0, newTxs: 0 };
      }
      // oldest first, each transaction's events together and in order
      const byTx = new Map<string, ApiPrintEvent[]>();
      for (const event of fresh.reverse()) {
        const events = byTx.get(event.txId) ?? [];
        events.push(event);
        byTx.set(event.txId, events);
      }
      const txIds = [...byTx.keys()];
      const progress: SyncProgress = { events: 0, txs: 0, totalEvents: fresh.length, totalTxs: txIds.length };
      // an abort stops between batches: what is stored stays stored, the next sync goes on from it
      for (let start = 0; start < txIds.length && !signal?.aborted; start += api.batchTxs) {
        const batch = txIds.slice(start, start + api.batchTxs);
        const txs = await mapLimit(batch, api.concurrency, (txId) => api.tx(txId));
        for (const [i, tx] of txs.entries()) {
          if (tx.txId !== batch[i]) throw new IndexerError(`${api.base}/extended/v1/tx/${batch[i]} answered transaction ${tx.txId}`);
        }
        const stored = this.store(
          txs.map((tx) => ({ tx, events: byTx.get(tx.txId)!.sort((a, b) => a.eventIndex - b.eventIndex) })),
          api,
        );
        this.persist();
        progress.events += stored;
        progress.txs += batch.length;
        onProgress?.({ ...progress });
      }
      return { newEvents: progress.events, newTxs: progress.txs };
    } finally {
      this.syncing = false;
    }
  }

  /**
   * Syncs now and then every `intervalMs` until `signal` aborts (also mid-sync: between batches,
   * or cancelling a request). A failed sync ends following (the promise rejects) unless `onError`
   * is given.
   */
  async follow(source: IndexSource, options: FollowOptions): Promise<void> {
    if (!Number.isFinite(options.intervalMs) || options.intervalMs < 0) throw new IndexerError(`interval must be a non-negative number of ms, got ${options.intervalMs}`);
    const { signal } = options;
    while (!signal?.aborted) {
      try {
        // not `onSync?.(await this.sync())`: optional chaining would skip the sync without onSync
        const result = await this.sync(source, options.onProgress, { signal });
        options.onSync?.(result);
      } catch (error) {
        if (signal?.aborted) return; // stopped mid-request: every stored batch is on disk
        if (!options.onError || !(error instanceof Error)) throw error;
        options.onError(error);
      }
      await new Promise<void>((done) => {
        if (signal?.aborted) return done();
        const timer = setTimeout(finish, options.intervalMs);
        function finish() {
          clearTimeout(timer);
          signal?.removeEventListener("abort", finish);
          done();
        }
        signal?.addEventListener("abort", finish, { once: true });
      });
    }
  }

  /** The contract this index follows: set by the first sync, checked by every later one. */
  private checkContract(contractId: string): void {
    const indexed = this.meta("contract_id");
    if (indexed === null) this.db.run("INSERT INTO meta (key, value) VALUES ('contract_id', ?)", [contractId]);
    else if (indexed !== contractId) throw new IndexerError(`this index follows ${indexed}, not ${contractId}: use another database file`);
  }

  /** Pages newest first until the newest stored event; returns the unseen events (newest first). */
  private async newEvents(api: StacksApi): Promise<ApiPrintEvent[]> {
    const cursor = this.cursor();
    const seen = new Set<string>();
    const fresh: ApiPrintEvent[] = [];
    const known = this.db.prepare("SELECT 1 FROM contract_events WHERE tx_id = ? AND event_index = ?");
    try {
      for (let offset = 0; ; ) {
        const page = await api.eventsPage(offset);
        for (const event of page.events) {
          if (event.contractId !== api.source.contractId) continue;
          const key = `${event.txId}/${event.eventIndex}`;
          // events published while paging push the list down: the same event may come twice
          if (seen.has(key)) continue;
          seen.add(key);
          known.bind([event.txId, event.eventIndex]);
          const stored = known.step();
          known.reset();
          if (stored) {
            // append-only history: the first stored event met must be of the newest stored transaction
            if (cursor && event.txId !== cursor.txId) {
              throw new IndexerError(
                `the source's history differs from the index's: its newest stored event is ${cursor.txId} #${cursor.eventIndex}, ` +
                  `but the source lists ${event.txId} #${event.eventIndex} first (a reorganization or a reset chain): re-index into a new file${this.startOver()}`,
              );
            }
            return fresh;
          }
          fresh.push(event);
        }
        if (page.size === 0 || page.size < page.limit) break;
        offset += page.size;
      }
    } finally {
      known.free();
    }
    if (cursor) {
      throw new IndexerError(
        `the source does not have the index's newest event ${cursor.txId} #${cursor.eventIndex} (a reset chain, a reorganization or another network): re-index into a new file${this.startOver()}`,
      );
    }
    return fresh;
  }

  /** How to start over, for the errors that require it. */
  private startOver(): string {
    return this.path === null ? "" : ` (or delete ${this.path})`;
  }

  /** Inserts a batch of transactions with their events and the new cursor in one SQL transaction; returns the events stored. */
  private store(batch: { tx: ApiTx; events: ApiPrintEvent[] }[], api: StacksApi): number {
    // decode first: a malformed value aborts the batch before anything is written
    const decoded = batch.map(({ tx, events }) => ({
      tx,
      events: events.map((event) => ({ event, print: decodePrint(event.hex, `${api.base} event ${event.txId} #${event.eventIndex}`) })),
    }));
    let stored = 0;
    this.db.run("BEGIN");
    try {
      for (const { tx, events } of decoded) {
        this.db.run(
          `INSERT INTO txs (tx_id, status, sender, contract_call_id, function_name, block_height, burn_block_height, result_hex, result_repr)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [tx.txId, tx.status, tx.sender, tx.contractCall?.contractId ?? null, tx.contractCall?.functionName ?? null, tx.blockHeight, tx.burnBlockHeight, tx.result?.hex ?? null, tx.result?.repr ?? null],
        );
        for (const { event, print } of events) {
          this.db.run(
            `INSERT INTO contract_events (tx_id, event_index, topic, event, bid_id, dataset_id, value_hex, value_repr)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            [event.txId, event.eventIndex, event.topic, print.event, print.bidId?.toString() ?? null, print.datasetId?.toString() ?? null, event.hex, event.repr],
          );
          const seq = this.db.exec("SELECT last_insert_rowid()")[0]!.values[0]![0]!;
          for (const { principal, field } of print.principals) {
            this.db.run("INSERT OR IGNORE INTO event_principals (event_seq, principal, field) VALUES (?, ?, ?)", [seq, principal, field]);
          }
          stored++;
        }
        for (const stx of tx.stxEvents) {
          this.db.run("INSERT INTO stx_events (tx_id, event_index, kind, sender, recipient, amount) VALUES (?, ?, ?, ?, ?, ?)", [
            tx.txId,
            stx.eventIndex,
            stx.kind,
            stx.sender,
            stx.recipient,
            stx.amount.toString(),
          ]);
        }
      }
      const newest = decoded.at(-1)!.events.at(-1)!.event;
      this.setMeta("cursor", JSON.stringify({ txId: newest.txId, eventIndex: newest.eventIndex }));
      this.setMeta("source_url", api.base);
      this.db.run("COMMIT");
    } catch (error) {
      this.db.run("ROLLBACK");
      throw error;
    }
    return stored;
  }

  /** Writes the whole database to its file: a temp file, flushed, then renamed over the old one. */
  private persist(): void {
    if (this.path === null) return;
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      const fd = openSync(temp, "w");
      try {
        const bytes = this.db.export();
        // writeSync may write less than asked: loop until the whole image is on disk
        for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw new IndexerError(`cannot write the index database ${this.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private meta(key: string): string | null {
    const value = this.db.exec("SELECT value FROM meta WHERE key = ?", [key])[0]?.values[0]?.[0];
    return value === undefined || value === null ? null : String(value);
  }

  private setMeta(key: string, value: string): void {
    this.db.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
  }

  /** The newest stored event (where the next sync stops paging), null for an empty index. */
  cursor(): { txId: string; eventIndex: number } | null {
    this.assertOpen();
    const value = this.meta("cursor");
    return value === null ? null : (JSON.parse(value) as { txId: string; eventIndex: number });
  }

  /** The contract this index follows, null before its first sync. */
  contractId(): string | null {
    this.assertOpen();
    return this.meta("contract_id");
  }

  /** Row counts: what the index holds. */
  counts(): { txs: number; events: number; stxEvents: number } {
    this.assertOpen();
    const count = (table: string) => Number(this.db.exec(`SELECT count(*) FROM ${table}`)[0]!.values[0]![0]);
    return { txs: count("txs"), events: count("contract_events"), stxEvents: count("stx_events") };
  }

  // -- queries ----------------------------------------------------------------------------

  private rows(query: string, params: SqlValue[] = []): Row[] {
    this.assertOpen();
    const statement = this.db.prepare(query, params);
    try {
      const rows: Row[] = [];
      while (statement.step()) rows.push(statement.getAsObject());
      return rows;
    } finally {
      statement.free();
    }
  }

  private static TX_COLUMNS = `t.seq AS tx_seq, t.tx_id, t.status, t.sender AS tx_sender, t.function_name, t.block_height, t.burn_block_height`;

  private static txOf(row: Row): IndexedTx {
    return {
      txId: text(row.tx_id),
      status: text(row.status),
      sender: text(row.tx_sender),
      functionName: orNull(row.function_name),
      blockHeight: row.block_height === null ? null : Number(row.block_height),
      burnBlockHeight: row.burn_block_height === null ? null : Number(row.burn_block_height),
    };
  }

  private static eventOf(row: Row): IndexedEvent {
    const print = decodePrint(text(row.value_hex), `stored event ${text(row.tx_id)} #${text(row.event_index)}`);
    return {
      kind: "event",
      tx: MarketIndex.txOf(row),
      eventIndex: Number(row.event_index),
      event: print.event,
      bidId: print.bidId,
      datasetId: print.datasetId,
      data: print.data,
      repr: text(row.value_repr),
    };
  }

  private static stxOf(row: Row): IndexedStxEvent {
    return {
      kind: "stx",
      tx: MarketIndex.txOf(row),
      eventIndex: Number(row.event_index),
      type: text(row.kind) as IndexedStxEvent["type"],
      sender: orNull(row.sender),
      recipient: orNull(row.recipient),
      amount: BigInt(text(row.amount)),
    };
  }

  /** Every print event, oldest first (optionally only those of one job). */
  events(bidId?: bigint): IndexedEvent[] {
    const rows = this.rows(
      `SELECT e.*, ${MarketIndex.TX_COLUMNS} FROM contract_events e JOIN txs t ON t.tx_id = e.tx_id
       ${bidId === undefined ? "" : "WHERE e.bid_id = ?"} ORDER BY t.seq, e.event_index`,
      bidId === undefined ? [] : [bidId.toString()],
    );
    return rows.map(MarketIndex.eventOf);
  }

  /**
   * Everything `principal` took part in, oldest first: the print events of the transactions it
   * sent and those naming it (`roles`: "tx-sender" and/or the naming fields), and every STX
   * movement to or from it in the contract's transactions (`delta`: its signed change).
   */
  history(principal: string): HistoryEntry[] {
    assertPrincipal(principal);
    const eventRows = this.rows(
      `SELECT e.*, ${MarketIndex.TX_COLUMNS},
              (SELECT group_concat(p.field, ',') FROM event_principals p WHERE p.event_seq = e.seq AND p.principal = ?1) AS fields
       FROM contract_events e JOIN txs t ON t.tx_id = e.tx_id
       WHERE t.sender = ?1 OR e.seq IN (SELECT event_seq FROM event_principals WHERE principal = ?1)`,
      [principal],
    );
    const stxRows = this.rows(
      `SELECT s.*, ${MarketIndex.TX_COLUMNS} FROM stx_events s JOIN txs t ON t.tx_id = s.tx_id
       WHERE s.sender = ?1 OR s.recipient = ?1`,
      [principal],
    );
    const entries: { order: [number, number]; entry: HistoryEntry }[] = [];
    for (const row of eventRows) {
      const roles = [...(text(row.tx_sender) === principal ? ["tx-sender"] : []), ...(row.fields === null ? [] : text(row.fields).split(","))];
      entries.push({ order: [Number(row.tx_seq), Number(row.event_index)], entry: { ...MarketIndex.eventOf(row), roles } });
    }
    for (const row of stxRows) {
      const stx = MarketIndex.stxOf(row);
      const delta = (stx.recipient === principal ? stx.amount : 0n) - (stx.sender === principal ? stx.amount : 0n);
      entries.push({ order: [Number(row.tx_seq), Number(row.event_index)], entry: { ...stx, delta } });
    }
    return entries.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]).map(({ entry }) => entry);
  }

  /**
   * "Why was I paid this": every STX transfer from the contract to `principal`, oldest first, with
   * its transaction, the function called and the print event(s) explaining it. With `bidId`,
   * only the payments for that job.
   */
  payments(principal: string, bidId?: bigint): Payment[] {
    assertPrincipal(principal);
    if (bidId !== undefined && bidId < 0n) throw new IndexerError(`a job (bid) id is a non-negative integer, got ${bidId}`);
    const contractId = this.contractId();
    if (contractId === null) return [];
    const txRows = this.rows(
      `SELECT DISTINCT ${MarketIndex.TX_COLUMNS} FROM stx_events s JOIN txs t ON t.tx_id = s.tx_id
       WHERE s.kind = 'transfer' AND s.sender = ? AND s.recipient = ? ORDER BY t.seq`,
      [contractId, principal],
    );
    const payments: Payment[] = [];
    for (const txRow of txRows) {
      const tx = MarketIndex.txOf(txRow);
      // all the contract's transfers of the transaction compete for its prints, not only this payee's
      const transfers = this.rows(
        `SELECT s.*, ${MarketIndex.TX_COLUMNS} FROM stx_events s JOIN txs t ON t.tx_id = s.tx_id
         WHERE s.tx_id = ? AND s.kind = 'transfer' AND s.sender = ? ORDER BY s.event_index`,
        [tx.txId, contractId],
      ).map(MarketIndex.stxOf);
      const prints: PrintCandidate[] = this.rows(
        `SELECT e.*, ${MarketIndex.TX_COLUMNS}, (SELECT group_concat(p.principal, ',') FROM event_principals p WHERE p.event_seq = e.seq) AS names
         FROM contract_events e JOIN txs t ON t.tx_id = e.tx_id WHERE e.tx_id = ? ORDER BY e.event_index`,
        [tx.txId],
      ).map((row) => {
        const event = MarketIndex.eventOf(row);
        return { ...event, names: new Set(row.names === null ? [] : text(row.names).split(",")) };
      });
      const explanations = explainTransfers(
        transfers.map((transfer) => ({ eventIndex: transfer.eventIndex, recipient: transfer.recipient ?? "", amount: transfer.amount })),
        prints,
      );
      for (const transfer of transfers) {
        if (transfer.recipient !== principal) continue;
        const { reasons, explained } = explanations.get(transfer.eventIndex)!;
        const bidIds = [...new Set(reasons.map((reason) => reason.bidId).filter((id): id is bigint => id !== null))];
        if (bidId !== undefined && !bidIds.includes(bidId)) continue;
        payments.push({ tx, eventIndex: transfer.eventIndex, from: contractId, to: principal, amount: transfer.amount, reasons, explained, bidIds });
      }
    }
    return payments;
  }

  /** Net STX change per principal over every indexed STX event (principals netting zero are left out). */
  balanceChanges(): Map<string, bigint> {
    const changes = new Map<string, bigint>();
    const add = (principal: string | null, amount: bigint) => {
      if (principal !== null) changes.set(principal, (changes.get(principal) ?? 0n) + amount);
    };
    for (const row of this.rows("SELECT sender, recipient, amount FROM stx_events")) {
      const amount = BigInt(text(row.amount));
      add(orNull(row.sender), -amount);
      add(orNull(row.recipient), amount);
    }
    for (const [principal, change] of changes) if (change === 0n) changes.delete(principal);
    return changes;
  }

  /** Frees the database (the file is already up to date: every sync batch wrote it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new IndexerError("the index is closed");
  }
}
