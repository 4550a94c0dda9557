/**
 * The client library in a browser: `src/client/index.ts` bundled by esbuild for the browser
 * reaches no Node built-in, and the bundle, run in a `node:vm` context holding only browser globals
 * (Web Crypto, TextEncoder/TextDecoder; no Buffer, process or require), computes the same bytes as
 * the library imported in Node, which the other test files check against the contract.
 * The wallet side (`toWalletRequest` into @stacks/connect's `request`) is a type-level test:
 * `tests/types/wallet-request.ts`, checked by `tsc --noEmit`.
 */
import { createHash } from "node:crypto";
import { builtinModules } from "node:module";
import vm from "node:vm";
import { build, type BuildFailure, type Format, type Message, type Metafile } from "esbuild";
import ts from "typescript";
import { Cl, serializeCVBytes } from "@stacks/transactions";
import { beforeAll, describe, expect, it } from "vitest";
// the package by its own name, as a web app imports it (package.json `exports["./client"]`)
import * as nodeClient from "neural-training-market/client";

type ClientModule = typeof nodeClient;

const ENTRY = "src/client/index.ts";
/** The global the IIFE bundle assigns the library's exports to. */
const GLOBAL_NAME = "NeuralTrainingMarket";

const contractId = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM.neural-training-market";
const validator = "ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG";
const provider = "ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC";
const salt = "0x" + "a5".repeat(31) + "01";
const evalDigest = "0x" + "3c".repeat(32);

/** The browser bundle of the client: esbuild's messages, the output, and what went in. */
interface ClientBundle {
  errors: Message[];
  warnings: Message[];
  text: string;
  metafile: Metafile;
}

/** The client bundled for the browser, in memory; a failed build comes back as its messages. */
async function bundleClient(format: Format): Promise<ClientBundle> {
  try {
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: "browser",
      format,
      ...(format === "iife" ? { globalName: GLOBAL_NAME } : {}),
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    return { errors: result.errors, warnings: result.warnings, text: result.outputFiles.map((file) => file.text).join(""), metafile: result.metafile };
  } catch (failure) {
    const { errors, warnings } = failure as BuildFailure;
    if (!errors) throw failure;
    return { errors, warnings, text: "", metafile: { inputs: {}, outputs: {} } };
  }
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** JSON with bigints written `123n`: compares values across realms. */
function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

/** Is this metafile input a Node built-in module (`node:x`, `x`, or esbuild's `(disabled):x` stub)? */
function builtinName(input: string): string | null {
  const name = input.replace(/^\(disabled\):/, "").replace(/^node:/, "");
  return input.startsWith("node:") || builtinModules.includes(name) ? name : null;
}

/** The bundled text of each project source file (esbuild heads each module with `// <path>`). */
function projectSources(text: string): Map<string, string> {
  const sources = new Map<string, string>();
  const parts = text.split(/^\/\/ ((?:src|node_modules)\/\S+)$/m);
  for (let i = 1; i < parts.length; i += 2) if (parts[i]!.startsWith("src/")) sources.set(parts[i]!, parts[i + 1]!);
  return sources;
}

/**
 * TextEncoder/TextDecoder as classes of the realm itself, as a page's are, doing the work with
 * Node's: Node's own would hand the library Uint8Arrays of another realm, which its
 * `instanceof Uint8Array` checks refuse (a vm artefact, not a browser one).
 */
const REALM_TEXT_CODECS = `(encode, decoderFor) => {
  globalThis.TextEncoder = class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") { return Uint8Array.from(encode(String(input))); }
  };
  globalThis.TextDecoder = class TextDecoder {
    #decode;
    constructor(label = "utf-8", options = {}) { this.#decode = decoderFor(String(label), { fatal: !!options.fatal, ignoreBOM: !!options.ignoreBOM }); }
    decode(bytes, options) { return this.#decode(bytes, options); }
  };
  globalThis.self = globalThis;
  globalThis.window = globalThis;
}`;

/**
 * A browser-like realm: the JS built-ins, Web Crypto and text codecs, nothing of Node. The IIFE
 * bundle runs in it; the library's functions then run there, against that realm's globals.
 */
function loadInBrowserRealm(bundle: string) {
  const context = vm.createContext({ crypto: globalThis.crypto });
  const encoder = new TextEncoder();
  const installCodecs = vm.runInContext(REALM_TEXT_CODECS, context) as (
    encode: (text: string) => Uint8Array,
    decoderFor: (label: string, options: ConstructorParameters<typeof TextDecoder>[1]) => (...input: Parameters<InstanceType<typeof TextDecoder>["decode"]>) => string,
  ) => void;
  installCodecs(
    (text) => encoder.encode(text),
    (label, options) => {
      const decoder = new TextDecoder(label, options);
      return (...input) => decoder.decode(...input);
    },
  );
  vm.runInContext(bundle, context, { filename: "neural-training-market.browser.js" });
  return {
    client: context[GLOBAL_NAME] as ClientModule,
    /** `typeof name` in the realm. */
    typeOf: (name: string) => vm.runInContext(`typeof ${name}`, context) as string,
    /** Bytes made in the realm (the library checks `instanceof Uint8Array` against its own realm). */
    bytes: (hex: string) => vm.runInContext(`Uint8Array.from(${json(hex.replace(/^0x/, "").match(/../g)!.map((b) => parseInt(b, 16)))})`, context) as Uint8Array,
  };
}

describe("esbuild --platform=browser bundle of src/client", () => {
  let result: ClientBundle;
  beforeAll(async () => {
    result = await bundleClient("esm");
  });

  it("builds with no error and no warning", () => {
    // esbuild refuses `node:crypto` and the like for the browser: this is where such an import fails
    expect(result.errors.map((message) => message.text)).toEqual([]);
    expect(result.warnings.map((message) => message.text)).toEqual([]);
    expect(result.text).toContain("computeCommitment");
    // everything is in the one file: no import left for the page to resolve
    expect(result.text).not.toMatch(/^\s*import\b|\bimport\(/m);
  });

  it("takes from the project only the client and its error tables", () => {
    const projectInputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith("node_modules/") && !input.startsWith("("));
    expect(projectInputs).toContain(ENTRY);
    expect(projectInputs).toContain("src/client/commitment.ts");
    expect(projectInputs.filter((input) => !input.startsWith("src/client/") && input !== "src/errors.ts")).toEqual([]);
    expect(Object.keys(result.metafile.inputs).filter((input) => input.includes("clarinet-sdk"))).toEqual([]);
  });

  it("reaches no Node built-in: no node: module, and a bare one only as a library's disabled browser stub", () => {
    const inputs = result.metafile.inputs;
    expect(Object.keys(inputs).filter((input) => input.startsWith("node:"))).toEqual([]);
    const builtins = Object.keys(inputs).filter((input) => builtinName(input) !== null);
    // @noble/secp256k1 (under @stacks/transactions) maps `crypto` to false in its `browser` field
    expect(builtins).toEqual(["(disabled):crypto"]);
    const importers = Object.entries(inputs)
      .filter(([, input]) => input.imports.some((imported) => builtinName(imported.path) !== null))
      .map(([path]) => path);
    expect(importers).toEqual(["node_modules/@noble/secp256k1/lib/esm/index.js"]);
  });

  it("keeps the client's own code free of Buffer, process, require and node:crypto", () => {
    const sources = projectSources(result.text);
    expect([...sources.keys()]).toContain("src/client/commitment.ts");
    expect([...sources.keys()]).toContain("src/client/committee.ts");
    for (const [path, text] of sources) {
      // a global Buffer or process, not a member such as ClarityType.Buffer or a hash's this.process
      expect(text, path).not.toMatch(/(?<![.\w$])(Buffer|process)\b|\brequire\(|node:|createHash|\.toString\("hex"\)/);
    }
    expect(result.text).not.toMatch(/require\("(node:)?crypto"\)|from "(node:)?crypto"|Buffer\.from\(/);
  });
});

describe("the browser bundle run in a realm without Node globals", () => {
  let browser: ReturnType<typeof loadInBrowserRealm>;
  beforeAll(async () => {
    const bundle = await bundleClient("iife");
    expect(bundle.errors.map((message) => message.text)).toEqual([]);
    browser = loadInBrowserRealm(bundle.text);
  });

  it("has no Buffer, process or require, and has Web Crypto", () => {
    expect(["Buffer", "process", "require", "module", "global"].map(browser.typeOf)).toEqual(["undefined", "undefined", "undefined", "undefined", "undefined"]);
    expect(browser.typeOf("crypto.getRandomValues")).toBe("function");
    expect(browser.typeOf(GLOBAL_NAME)).toBe("object");
  });

  describe("computeCommitment", () => {
    it("is sha256 of the consensus tuple, the same bytes as in Node", () => {
      const inBrowser = hexOf(browser.client.computeCommitment(7n, salt, 3n, validator));
      const tuple = Cl.tuple({ score: Cl.uint(7n), salt: Cl.bufferFromHex(salt.slice(2)), "bid-id": Cl.uint(3n), validator: Cl.principal(validator) });
      expect(inBrowser).toBe(createHash("sha256").update(serializeCVBytes(tuple)).digest("hex"));
      expect(inBrowser).toBe(hexOf(nodeClient.computeCommitment(7n, salt, 3n, validator)));
    });

    it("takes the salt as the realm's bytes as well as hex", () => {
      expect(hexOf(browser.client.computeCommitment(100, browser.bytes(salt), 1, validator))).toBe(hexOf(nodeClient.computeCommitment(100, salt, 1, validator)));
    });
  });

  describe("computeEvalCommitment", () => {
    it("is sha256(eval-digest ++ salt), the same bytes as in Node", () => {
      const inBrowser = hexOf(browser.client.computeEvalCommitment(evalDigest, salt));
      expect(inBrowser).toBe(createHash("sha256").update(Buffer.from(evalDigest.slice(2) + salt.slice(2), "hex")).digest("hex"));
      expect(inBrowser).toBe(hexOf(nodeClient.computeEvalCommitment(evalDigest, salt)));
    });
  });

  describe("randomSalt", () => {
    it("draws 32 fresh bytes from the realm's Web Crypto", () => {
      const first = browser.client.randomSalt();
      const second = browser.client.randomSalt();
      expect(first).toHaveLength(32);
      expect(hexOf(first)).not.toBe(hexOf(second));
    });
  });

  describe("committeeSeed, seatStart and drawSeats", () => {
    const vrfSeed = "11".repeat(32);
    const bitcoinHash = "e7".repeat(32);
    /** The committee seed computed in the browser realm, and in Node. */
    const browserSeed = () => browser.client.committeeSeed(browser.bytes(vrfSeed), browser.bytes(bitcoinHash));
    const nodeSeed = () => nodeClient.committeeSeed(Buffer.from(vrfSeed, "hex"), Buffer.from(bitcoinHash, "hex"));

    it("seed the committee as in Node", () => {
      const inBrowser = hexOf(browserSeed());
      expect(inBrowser).toBe(createHash("sha256").update(Buffer.from(vrfSeed + bitcoinHash, "hex")).digest("hex"));
      expect(inBrowser).toBe(hexOf(nodeSeed()));
    });

    it("start every seat at the index Node computes", () => {
      const starts = (client: ClientModule, seed: Uint8Array) => [1, 5, 17, 100].flatMap((n) => [0, 1, 2, 3, 4].map((seat) => client.seatStart(seed, 9n, seat, n)));
      const inBrowser = starts(browser.client, browserSeed());
      expect(inBrowser).toEqual(starts(nodeClient, nodeSeed()));
      // the seed spreads the seats: not all at the same index of a 100-member set
      expect(new Set(inBrowser.slice(15)).size).toBeGreaterThan(1);
    });

    it("seat the same members in the same order as in Node", () => {
      const members = Array.from({ length: 9 }, (_, i) => `${validator.slice(0, -2)}${String(i).padStart(2, "0")}`);
      const input = (seed: Uint8Array) => ({
        bidId: 4n,
        seed,
        validatorsAtMatch: 9,
        registrationsAtMatch: 7n,
        committeeSize: 3,
        provider: members[2]!,
        bidder: members[5]!,
        entryAt: (index: number) => (index === 6 ? null : { validator: members[index]!, ordinal: BigInt(index + 1) }),
      });
      const inBrowser = browser.client.drawSeats(input(browserSeed()));
      expect(inBrowser).toEqual(nodeClient.drawSeats(input(nodeSeed())));
      // 3 of the 4 who may sit: not the provider (2), the bidder (5), the empty index (6) nor the late registrants (7, 8)
      expect(inBrowser).toHaveLength(3);
      for (const member of inBrowser) expect([members[0], members[1], members[3], members[4]]).toContain(member);
    });
  });

  describe("marketCalls and toWalletRequest", () => {
    it("build the same wallet request as in Node, with its deny-mode post-conditions", () => {
      const build = (client: ClientModule) =>
        [
          client.toWalletRequest(client.marketCalls(contractId).registerDataset({ caller: provider, stake: 2_000_000n, metadataUri: "ipfs://dataset" })),
          client.toWalletRequest(client.marketCalls(contractId).commitValidationResult({ bidId: 3n, commitment: client.computeCommitment(7n, salt, 3n, validator) }), { network: "testnet" }),
          client.toWalletRequest(client.marketCalls(contractId).cancelBid({ bidId: 3n, refund: 5_000n })),
        ].map(json);
      const inBrowser = build(browser.client);
      expect(inBrowser).toEqual(build(nodeClient));
      expect(JSON.parse(inBrowser[0]!)).toMatchObject({ contract: contractId, functionName: "register-dataset", postConditionMode: "deny", postConditions: [{ address: provider, condition: "eq", amount: "2000000" }] });
      expect(JSON.parse(inBrowser[1]!)).toMatchObject({ network: "testnet", postConditions: [] });
    });

    it("refuse a bad argument there as in Node", () => {
      expect(() => browser.client.marketCalls(contractId).commitValidationResult({ bidId: 1n, commitment: "0x1234" })).toThrow(/32 bytes/);
    });
  });
});

describe("toWalletRequest", () => {
  it("names the network only when one is given", () => {
    const call = nodeClient.marketCalls(contractId).cancelBid({ bidId: 1n, refund: 1n });
    expect(nodeClient.toWalletRequest(call)).not.toHaveProperty("network");
    expect(nodeClient.toWalletRequest(call, { network: "devnet" }).network).toBe("devnet");
  });
});

/**
 * The client type-checked as a web app's build type-checks it: TypeScript with the options Vite's
 * templates set (bundler resolution, `.ts` imports, `erasableSyntaxOnly`, `verbatimModuleSyntax`),
 * the DOM library and no Node types, so nothing Node-only or non-erasable can creep back in.
 */
describe("the client in a web app's TypeScript build", () => {
  it("type-checks with Vite's compiler options, the DOM library and no @types/node", () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
      erasableSyntaxOnly: true,
      isolatedModules: true,
    };
    const program = ts.createProgram([ENTRY], options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
    expect(problems).toEqual([]);
  });
});

