/**
 * Where the CLI's signing keys come from, and the encrypted keystore.
 * - the environment: NTM_PRIVATE_KEY, or NTM_MNEMONIC with NTM_ACCOUNT_INDEX (default 0);
 * - the keystore (~/.config/ntm/keystore.json or NTM_KEYSTORE): each key encrypted with
 *   aes-256-gcm under a scrypt-derived key, the password from NTM_PASSWORD or a hidden prompt;
 * - on the simnet, `local` and loopback nodes only, the Devnet.toml accounts (Clarinet's PUBLIC
 *   test mnemonics; `devnetAddresses` lets the session refuse them elsewhere however they come).
 * A private key is only ever returned to the caller that signs with it: never printed, never put
 * into an error message.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { privateKeyToAddress, randomPrivateKey } from "@stacks/transactions";
import { generateNewAccount, generateWallet } from "@stacks/wallet-sdk";
import { PROJECT_ROOT } from "../simnet.ts";
import { CliError, UsageError, readLine, type CliIo } from "./io.ts";
import { makeFolder } from "../files.ts";

/** A private key with both its addresses. */
export interface KeyPair {
  privateKey: string;
  testnet: string;
  mainnet: string;
}

/** Whether `key` is a Stacks private key (32 bytes hex, optionally with the 01 compression flag). */
export function isPrivateKey(key: string): boolean {
  return /^(0x)?[0-9a-fA-F]{64}(01)?$/.test(key.trim());
}

export function keyPair(privateKey: string): KeyPair {
  const key = privateKey.trim().replace(/^0x/, "");
  if (!isPrivateKey(key)) throw new UsageError("not a private key: expected 64 hex digits (optionally followed by 01)");
  return { privateKey: key, testnet: privateKeyToAddress(key, "testnet"), mainnet: privateKeyToAddress(key, "mainnet") };
}

/** The key of account `index` of a BIP39 mnemonic (the Stacks wallet derivation path). */
export async function keyFromMnemonic(mnemonic: string, index = 0): Promise<string> {
  let wallet;
  try {
    wallet = await generateWallet({ secretKey: mnemonic.trim(), password: "" });
  } catch {
    throw new UsageError("the mnemonic is not a valid BIP39 phrase");
  }
  for (let i = wallet.accounts.length; i <= index; i++) wallet = generateNewAccount(wallet);
  return wallet.accounts[index]!.stxPrivateKey;
}

/** The Devnet.toml accounts: name to mnemonic (public test keys: simnet and local nodes only). */
export function devnetMnemonics(path = join(PROJECT_ROOT, "settings", "Devnet.toml")): Map<string, string> {
  const text = readFileSync(path, "utf8");
  const accounts = new Map<string, string>();
  let section: string | null = null;
  for (const line of text.split("\n")) {
    const header = /^\s*\[accounts\.([A-Za-z0-9_-]+)\]/.exec(line);
    if (header) section = header[1]!;
    else if (/^\s*\[/.test(line)) section = null;
    const mnemonic = /^\s*mnemonic\s*=\s*"([^"]+)"/.exec(line);
    if (section && mnemonic) accounts.set(section, mnemonic[1]!);
  }
  return accounts;
}

let devnetAddressSet: Promise<Set<string>> | null = null;

/**
 * The testnet and mainnet addresses of every Devnet.toml account (derived once per process):
 * a signer among them is a public test key wherever its key came from.
 */
export function devnetAddresses(): Promise<Set<string>> {
  devnetAddressSet ??= (async () => {
    const addresses = new Set<string>();
    for (const mnemonic of devnetMnemonics().values()) {
      const pair = keyPair(await keyFromMnemonic(mnemonic, 0));
      addresses.add(pair.testnet).add(pair.mainnet);
    }
    return addresses;
  })();
  return devnetAddressSet;
}

// ---------------------------------------------------------------------------
// The keystore
// ---------------------------------------------------------------------------

/** One encrypted key. */
interface KeystoreEntry {
  name: string;
  testnet: string;
  mainnet: string;
  kdf: { name: "scrypt"; salt: string; N: number; r: number; p: number };
  cipher: { name: "aes-256-gcm"; iv: string; tag: string; ciphertext: string };
  createdAt: string;
}

interface KeystoreFile {
  version: 1;
  keys: KeystoreEntry[];
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1 };

export function keystorePath(env: CliIo["env"]): string {
  return env.NTM_KEYSTORE || join(env.HOME || homedir(), ".config", "ntm", "keystore.json");
}

/** The password: NTM_PASSWORD, else a hidden prompt on a terminal. */
export async function password(io: CliIo, prompt = "Keystore password: ", confirm = false): Promise<string> {
  if (io.env.NTM_PASSWORD !== undefined) {
    if (io.env.NTM_PASSWORD === "") throw new UsageError("NTM_PASSWORD is empty");
    return io.env.NTM_PASSWORD;
  }
  if (!io.stdin.isTTY) throw new UsageError("a keystore password is needed: set NTM_PASSWORD or run on a terminal");
  const first = await readLine(io, prompt, true);
  if (first === "") throw new UsageError("the password must not be empty");
  if (confirm && (await readLine(io, "Repeat the password: ", true)) !== first) throw new UsageError("the passwords differ");
  return first;
}

/**
 * The largest scrypt parameters a keystore entry may ask for: a crafted file must not make
 * `unlock` allocate gigabytes or spin for minutes (ours use N=2^15, r=8, p=1).
 */
export const SCRYPT_LIMITS = { maxN: 1 << 20, maxR: 16, maxP: 16 } as const;

/** Whether `kdf` is scrypt with sane parameters: N a power of two in 2..2^20, r and p in 1..16. */
function saneKdf(kdf: KeystoreEntry["kdf"]): boolean {
  const { N, r, p } = kdf ?? ({} as KeystoreEntry["kdf"]);
  const int = (v: unknown, max: number) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= max;
  return kdf?.name === "scrypt" && int(N, SCRYPT_LIMITS.maxN) && N >= 2 && (N & (N - 1)) === 0 && int(r, SCRYPT_LIMITS.maxR) && int(p, SCRYPT_LIMITS.maxP) && typeof kdf.salt === "string";
}

function deriveKey(secret: string, kdf: KeystoreEntry["kdf"]): Buffer {
  return scryptSync(secret, Buffer.from(kdf.salt, "hex"), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r });
}

/** The keystore file: read on open, written atomically on every change (0600). */
export class Keystore {
  private file: KeystoreFile;

  constructor(readonly path: string) {
    try {
      const parsed = JSON.parse(readFileSync(path, "utf8")) as KeystoreFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.keys)) throw new Error("unknown format");
      this.file = parsed;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new CliError(`keystore ${path} cannot be read: ${(e as Error).message}`);
      this.file = { version: 1, keys: [] };
    }
  }

  /** Names and addresses (no password needed). */
  list(): { name: string; testnet: string; mainnet: string; createdAt: string }[] {
    return this.file.keys.map(({ name, testnet, mainnet, createdAt }) => ({ name, testnet, mainnet, createdAt }));
  }

  /** The entry named `nameOrAddress` or holding that address. */
  find(nameOrAddress: string): { name: string; testnet: string; mainnet: string } | undefined {
    return this.file.keys.find((k) => k.name === nameOrAddress || k.testnet === nameOrAddress || k.mainnet === nameOrAddress);
  }

  /** Encrypts and stores `privateKey` under `name`; returns its addresses. */
  add(name: string, privateKey: string, secret: string): KeyPair {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new UsageError(`bad key name ${JSON.stringify(name)}: letters, digits, _ . - (at most 64)`);
    if (this.find(name)) throw new UsageError(`the keystore already has a key named ${name}`);
    const pair = keyPair(privateKey);
    const dup = this.file.keys.find((k) => k.testnet === pair.testnet);
    if (dup) throw new UsageError(`the keystore already holds this key, as ${dup.name}`);
    const kdf = { name: "scrypt" as const, salt: randomBytes(16).toString("hex"), ...SCRYPT };
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", deriveKey(secret, kdf), iv);
    cipher.setAAD(Buffer.from(name));
    const ciphertext = Buffer.concat([cipher.update(pair.privateKey, "utf8"), cipher.final()]);
    this.file.keys.push({
      name,
      testnet: pair.testnet,
      mainnet: pair.mainnet,
      kdf,
      cipher: { name: "aes-256-gcm", iv: iv.toString("hex"), tag: cipher.getAuthTag().toString("hex"), ciphertext: ciphertext.toString("hex") },
      createdAt: new Date().toISOString(),
    });
    this.save();
    return pair;
  }

  /** Decrypts the key named `nameOrAddress`; a wrong password is a clear error. */
  unlock(nameOrAddress: string, secret: string): KeyPair {
    const entry = this.file.keys.find((k) => k.name === nameOrAddress || k.testnet === nameOrAddress || k.mainnet === nameOrAddress);
    if (!entry) throw new UsageError(`no key ${nameOrAddress} in the keystore ${this.path}`);
    if (!saneKdf(entry.kdf)) {
      throw new CliError(`keystore entry ${entry.name} is corrupt: its scrypt parameters are out of bounds (N a power of two up to 2^20, r and p up to 16)`);
    }
    let plain: string;
    try {
      const decipher = createDecipheriv("aes-256-gcm", deriveKey(secret, entry.kdf), Buffer.from(entry.cipher.iv, "hex"));
      decipher.setAAD(Buffer.from(entry.name));
      decipher.setAuthTag(Buffer.from(entry.cipher.tag, "hex"));
      plain = Buffer.concat([decipher.update(Buffer.from(entry.cipher.ciphertext, "hex")), decipher.final()]).toString("utf8");
    } catch {
      throw new CliError(`wrong password for key ${entry.name}`);
    }
    const pair = keyPair(plain);
    if (pair.testnet !== entry.testnet) throw new CliError(`keystore entry ${entry.name} is corrupt (its address does not match its key)`);
    return pair;
  }

  remove(name: string): boolean {
    const before = this.file.keys.length;
    this.file.keys = this.file.keys.filter((k) => k.name !== name);
    if (this.file.keys.length === before) return false;
    this.save();
    return true;
  }

  private save(): void {
    makeFolder(dirname(this.path), 0o700);
    const tmp = `${this.path}.${process.pid}.tmp`;
    // flushed to disk before the rename: a crash never leaves an empty or torn keystore in place
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, `${JSON.stringify(this.file, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}

/** A fresh random private key. */
export function newPrivateKey(): string {
  return randomPrivateKey();
}
