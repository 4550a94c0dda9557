/**
 * The index's SQLite schema. Amounts and ids are decimal TEXT because Clarity uints are 128-bit
 * and sql.js hands 64-bit integers to JavaScript as doubles; sums are done in BigInt.
 * `seq` columns give the chronological order (insertion is oldest first, one transaction at a time).
 */
export const SCHEMA_VERSION = "1";

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- one row per transaction that printed at least one event of the contract
CREATE TABLE IF NOT EXISTS txs (
  seq               INTEGER PRIMARY KEY,
  tx_id             TEXT NOT NULL UNIQUE,
  status            TEXT NOT NULL,
  sender            TEXT NOT NULL,
  contract_call_id  TEXT,
  function_name     TEXT,
  block_height      INTEGER,
  burn_block_height INTEGER,
  result_hex        TEXT,
  result_repr       TEXT
);
CREATE INDEX IF NOT EXISTS txs_sender ON txs (sender);

-- the contract's print events; (tx_id, event_index) is the API's identity of an event
CREATE TABLE IF NOT EXISTS contract_events (
  seq         INTEGER PRIMARY KEY,
  tx_id       TEXT NOT NULL REFERENCES txs (tx_id),
  event_index INTEGER NOT NULL,
  topic       TEXT NOT NULL,
  event       TEXT,
  bid_id      TEXT,
  dataset_id  TEXT,
  value_hex   TEXT NOT NULL,
  value_repr  TEXT NOT NULL,
  UNIQUE (tx_id, event_index)
);
CREATE INDEX IF NOT EXISTS contract_events_bid ON contract_events (bid_id);

-- every principal a print event names, and the field naming it
CREATE TABLE IF NOT EXISTS event_principals (
  event_seq INTEGER NOT NULL REFERENCES contract_events (seq),
  principal TEXT NOT NULL,
  field     TEXT NOT NULL,
  PRIMARY KEY (event_seq, principal, field)
);
CREATE INDEX IF NOT EXISTS event_principals_principal ON event_principals (principal);

-- the STX movements of those transactions
CREATE TABLE IF NOT EXISTS stx_events (
  tx_id       TEXT NOT NULL REFERENCES txs (tx_id),
  event_index INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('transfer', 'mint', 'burn')),
  sender      TEXT,
  recipient   TEXT,
  amount      TEXT NOT NULL,
  PRIMARY KEY (tx_id, event_index)
);
CREATE INDEX IF NOT EXISTS stx_events_sender ON stx_events (sender);
CREATE INDEX IF NOT EXISTS stx_events_recipient ON stx_events (recipient);
`;
