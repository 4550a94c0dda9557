/**
 * The JOB SPEC (v1) of a verified training job: what to train (task, model recipe, training
 * hyper-parameters), how it will be judged (pinned evaluator, metric, score rule, caps) and where
 * artifacts live. The bidder publishes its canonical bytes ({@link encodeJobSpec}); their sha256
 * ({@link jobSpecDigest}) goes on chain with the bid.
 */
import { sha256, toHex, digestFromCid } from "../store/cid.ts";
import { canonicalBytes, parseJsonBytes } from "./canonical.ts";
import { installedVersion } from "./data.ts";

/** Metrics a job may be judged by. */
export const METRICS = ["accuracy", "macro-f1"] as const;
/** A metric (see {@link METRICS}). */
export type Metric = (typeof METRICS)[number];

/** Score rules a job may use. */
export const SCORE_RULES = ["improvement-over-baseline", "linear"] as const;

/**
 * How a metric in [0, 1] maps to the 0-100 score:
 * - `improvement-over-baseline` (default): `clamp(round(100 * (metric - baseline) / (target - baseline)), 0, 100)`;
 * - `linear`: `clamp(round(100 * metric), 0, 100)`.
 */
export type ScoreRule = { rule: "improvement-over-baseline"; baseline: number; target: number } | { rule: "linear" };

/** The job spec, version 1. */
export interface JobSpec {
  version: 1;
  kind: "ntm-job-spec";
  /** The prediction task: one float32 row of `features` in, one probability per class out. */
  task: {
    type: "tabular-classification";
    /** Input feature names, in the model's input column order. */
    features: string[];
    /** Class names, in the model's output column order. */
    classes: string[];
    /** Name of the ONNX model's single input, shape [N, features.length], float32. */
    inputName: string;
    /** Name of the ONNX model's single output, shape [N, classes.length], float32 probabilities. */
    outputName: string;
  };
  /** The model recipe: a multilayer perceptron (dense layers, relu between, softmax out). */
  model: { type: "mlp"; hidden: number[]; activation: "relu" };
  /** Training hyper-parameters of the reference trainer (Adam, softmax cross-entropy). */
  training: { epochs: number; learningRate: number; batchSize: number; seed: number; optimizer: "adam" };
  /** The pinned evaluator every validator must run. */
  evaluator: { format: "onnx"; runtime: "onnxruntime-node"; version: string; backend: "cpu" };
  metric: Metric;
  score: ScoreRule;
  /** Caps the evaluator enforces. */
  caps: {
    /** Largest model accepted, in bytes (checked before loading). */
    maxModelBytes: number;
    /** Largest evaluation set accepted, in bytes. */
    maxEvalSetBytes: number;
    /** Most evaluation rows accepted. */
    maxEvalRows: number;
    /** Wall-clock budget of loading and running the model, in seconds. */
    maxEvalSeconds: number;
  };
  /** Where artifacts live: the dataset manifest's CID and gateway hints for models / evaluation sets. */
  artifacts: { dataset: string | null; gateways: string[] };
}

/** The spec's format version. */
export const JOB_SPEC_VERSION = 1;

/** Default caps: 16 MiB model, 64 MiB evaluation set, 100,000 rows, 60 s. */
export const DEFAULT_CAPS: JobSpec["caps"] = { maxModelBytes: 16 * 1024 * 1024, maxEvalSetBytes: 64 * 1024 * 1024, maxEvalRows: 100_000, maxEvalSeconds: 60 };

/** The installed onnxruntime-node version (read from its package.json): the evaluator pin. */
export function evaluatorVersion(): string {
  return installedVersion("onnxruntime-node");
}

/** A spec does not validate. `problems` has one clear message per problem. */
export class JobSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid job spec: ${problems.join("; ")}`);
    this.name = "JobSpecError";
  }
}

/** Inputs of {@link createJobSpec}; everything but the task has a default. */
export interface JobSpecInput {
  features: string[];
  classes: string[];
  inputName?: string;
  outputName?: string;
  hidden?: number[];
  epochs?: number;
  learningRate?: number;
  batchSize?: number;
  seed?: number;
  metric?: Metric;
  /** Default: improvement over a baseline of 1/classes (chance) to a target of 0.95. */
  score?: ScoreRule;
  caps?: Partial<JobSpec["caps"]>;
  dataset?: string | null;
  gateways?: string[];
  /** Default: the installed onnxruntime-node version. */
  evaluatorVersion?: string;
}

/** A validated v1 spec from a few choices and the defaults (hidden [16], 100 epochs, lr 0.01, batch 32, seed 1). */
export function createJobSpec(input: JobSpecInput): JobSpec {
  const spec: JobSpec = {
    version: JOB_SPEC_VERSION,
    kind: "ntm-job-spec",
    task: {
      type: "tabular-classification",
      features: [...input.features],
      classes: [...input.classes],
      inputName: input.inputName ?? "input",
      outputName: input.outputName ?? "output",
    },
    model: { type: "mlp", hidden: [...(input.hidden ?? [16])], activation: "relu" },
    training: { epochs: input.epochs ?? 100, learningRate: input.learningRate ?? 0.01, batchSize: input.batchSize ?? 32, seed: input.seed ?? 1, optimizer: "adam" },
    evaluator: { format: "onnx", runtime: "onnxruntime-node", version: input.evaluatorVersion ?? evaluatorVersion(), backend: "cpu" },
    metric: input.metric ?? "accuracy",
    score: input.score ?? { rule: "improvement-over-baseline", baseline: roundTo(1 / Math.max(1, input.classes.length), 4), target: 0.95 },
    caps: { ...DEFAULT_CAPS, ...(input.caps ?? {}) },
    artifacts: { dataset: input.dataset ?? null, gateways: [...(input.gateways ?? [])] },
  };
  return parseJobSpec(spec);
}

function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The canonical bytes of a spec (validated; sorted-key JSON). Their sha256 is the spec digest. */
export function encodeJobSpec(spec: JobSpec): Uint8Array {
  return canonicalBytes(parseJobSpec(spec));
}

/** The spec digest that goes on chain: sha256 of {@link encodeJobSpec} (32 bytes). */
export function jobSpecDigest(spec: JobSpec): Uint8Array {
  return sha256(encodeJobSpec(spec));
}

/** {@link jobSpecDigest} as 64 hex characters. */
export function jobSpecDigestHex(spec: JobSpec): string {
  return toHex(jobSpecDigest(spec));
}

/** Validation limits of a v1 spec. */
export const SPEC_LIMITS = {
  maxFeatures: 4096,
  maxClasses: 1000,
  maxHiddenLayers: 16,
  maxLayerWidth: 4096,
  maxEpochs: 100_000,
  maxBatchSize: 1_000_000,
  maxGateways: 16,
  maxModelBytes: 2 ** 31 - 1,
  maxEvalSetBytes: 2 ** 31 - 1,
  maxEvalRows: 10_000_000,
  maxEvalSeconds: 3600,
} as const;

type Obj = Record<string, unknown>;

/**
 * Parses and strictly validates a spec given as bytes (UTF-8 JSON) or as an object. Unknown and
 * missing fields, wrong types and out-of-range values are all errors; every problem is listed in
 * the thrown {@link JobSpecError}. Returns a deep copy.
 */
export function parseJobSpec(input: Uint8Array | unknown): JobSpec {
  let value: unknown = input;
  if (input instanceof Uint8Array) {
    try {
      value = parseJsonBytes(input);
    } catch (e) {
      throw new JobSpecError([`not UTF-8 JSON (${(e as Error).message})`]);
    }
  }
  const p: string[] = [];
  const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
  /** Checks an object's exact key set; returns it (or an empty object after reporting). */
  const obj = (v: unknown, path: string, keys: string[], optional: string[] = []): Obj => {
    if (!isObj(v)) {
      p.push(`${path} must be an object`);
      return {};
    }
    for (const k of Object.keys(v)) if (!keys.includes(k) && !optional.includes(k)) p.push(`${path}.${k} is not a known field`);
    for (const k of keys) if (!(k in v)) p.push(`${path}.${k} is missing`);
    return v;
  };
  const literal = (v: unknown, path: string, allowed: readonly unknown[]): void => {
    if (!allowed.includes(v)) p.push(`${path} must be ${allowed.map((a) => JSON.stringify(a)).join(" or ")}, got ${JSON.stringify(v)}`);
  };
  const int = (v: unknown, path: string, min: number, max: number): void => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) p.push(`${path} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  };
  const num = (v: unknown, path: string, min: number, max: number, openMin = false): boolean => {
    if (typeof v !== "number" || !Number.isFinite(v) || (openMin ? v <= min : v < min) || v > max) {
      p.push(`${path} must be a number in ${openMin ? "(" : "["}${min}, ${max}], got ${JSON.stringify(v)}`);
      return false;
    }
    return true;
  };
  const names = (v: unknown, path: string, min: number, max: number): void => {
    if (!Array.isArray(v) || v.length < min || v.length > max) {
      p.push(`${path} must be a list of ${min} to ${max} names`);
      return;
    }
    if (!v.every((s) => typeof s === "string" && s.length > 0 && s.length <= 256)) p.push(`${path} must hold non-empty strings of at most 256 characters`);
    else if (new Set(v).size !== v.length) p.push(`${path} must not repeat a name`);
  };
  const ident = (v: unknown, path: string): void => {
    if (typeof v !== "string" || !/^[A-Za-z_][A-Za-z0-9_.:\-/]{0,127}$/.test(v)) p.push(`${path} must be a tensor name (letters, digits, _ . : - /; at most 128), got ${JSON.stringify(v)}`);
  };

  const s = obj(value, "spec", ["version", "kind", "task", "model", "training", "evaluator", "metric", "score", "caps", "artifacts"]);
  if ("version" in s) literal(s["version"], "spec.version", [JOB_SPEC_VERSION]);
  if ("kind" in s) literal(s["kind"], "spec.kind", ["ntm-job-spec"]);

  if ("task" in s) {
    const t = obj(s["task"], "spec.task", ["type", "features", "classes", "inputName", "outputName"]);
    if ("type" in t) literal(t["type"], "spec.task.type", ["tabular-classification"]);
    if ("features" in t) names(t["features"], "spec.task.features", 1, SPEC_LIMITS.maxFeatures);
    if ("classes" in t) names(t["classes"], "spec.task.classes", 2, SPEC_LIMITS.maxClasses);
    if ("inputName" in t) ident(t["inputName"], "spec.task.inputName");
    if ("outputName" in t) ident(t["outputName"], "spec.task.outputName");
    if (typeof t["inputName"] === "string" && t["inputName"] === t["outputName"]) p.push("spec.task.inputName and outputName must differ");
  }

  if ("model" in s) {
    const m = obj(s["model"], "spec.model", ["type", "hidden", "activation"]);
    if ("type" in m) literal(m["type"], "spec.model.type", ["mlp"]);
    if ("activation" in m) literal(m["activation"], "spec.model.activation", ["relu"]);
    if ("hidden" in m) {
      const h = m["hidden"];
      if (!Array.isArray(h) || h.length > SPEC_LIMITS.maxHiddenLayers) p.push(`spec.model.hidden must be a list of at most ${SPEC_LIMITS.maxHiddenLayers} layer sizes`);
      else h.forEach((w, i) => int(w, `spec.model.hidden[${i}]`, 1, SPEC_LIMITS.maxLayerWidth));
    }
  }

  if ("training" in s) {
    const t = obj(s["training"], "spec.training", ["epochs", "learningRate", "batchSize", "seed", "optimizer"]);
    if ("epochs" in t) int(t["epochs"], "spec.training.epochs", 1, SPEC_LIMITS.maxEpochs);
    if ("learningRate" in t) num(t["learningRate"], "spec.training.learningRate", 0, 10, true);
    if ("batchSize" in t) int(t["batchSize"], "spec.training.batchSize", 1, SPEC_LIMITS.maxBatchSize);
    if ("seed" in t) int(t["seed"], "spec.training.seed", 0, 2 ** 32 - 1);
    if ("optimizer" in t) literal(t["optimizer"], "spec.training.optimizer", ["adam"]);
  }

  if ("evaluator" in s) {
    const e = obj(s["evaluator"], "spec.evaluator", ["format", "runtime", "version", "backend"]);
    if ("format" in e) literal(e["format"], "spec.evaluator.format", ["onnx"]);
    if ("runtime" in e) literal(e["runtime"], "spec.evaluator.runtime", ["onnxruntime-node"]);
    if ("backend" in e) literal(e["backend"], "spec.evaluator.backend", ["cpu"]);
    if ("version" in e && (typeof e["version"] !== "string" || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(e["version"]))) {
      p.push(`spec.evaluator.version must be an exact version such as "1.30.0", got ${JSON.stringify(e["version"])}`);
    }
  }

  if ("metric" in s) literal(s["metric"], "spec.metric", METRICS);

  if ("score" in s) {
    const r = isObj(s["score"]) ? s["score"]["rule"] : undefined;
    if (r === "linear") obj(s["score"], "spec.score", ["rule"]);
    else if (r === "improvement-over-baseline") {
      const sc = obj(s["score"], "spec.score", ["rule", "baseline", "target"]);
      const okB = "baseline" in sc && num(sc["baseline"], "spec.score.baseline", 0, 1);
      const okT = "target" in sc && num(sc["target"], "spec.score.target", 0, 1);
      if (okB && okT && !((sc["target"] as number) > (sc["baseline"] as number))) p.push("spec.score.target must be above spec.score.baseline");
    } else if (!isObj(s["score"])) p.push("spec.score must be an object");
    else p.push(`spec.score.rule must be ${SCORE_RULES.map((x) => JSON.stringify(x)).join(" or ")}, got ${JSON.stringify(r)}`);
  }

  if ("caps" in s) {
    const c = obj(s["caps"], "spec.caps", ["maxModelBytes", "maxEvalSetBytes", "maxEvalRows", "maxEvalSeconds"]);
    if ("maxModelBytes" in c) int(c["maxModelBytes"], "spec.caps.maxModelBytes", 1, SPEC_LIMITS.maxModelBytes);
    if ("maxEvalSetBytes" in c) int(c["maxEvalSetBytes"], "spec.caps.maxEvalSetBytes", 1, SPEC_LIMITS.maxEvalSetBytes);
    if ("maxEvalRows" in c) int(c["maxEvalRows"], "spec.caps.maxEvalRows", 1, SPEC_LIMITS.maxEvalRows);
    if ("maxEvalSeconds" in c) num(c["maxEvalSeconds"], "spec.caps.maxEvalSeconds", 0, SPEC_LIMITS.maxEvalSeconds, true);
  }

  if ("artifacts" in s) {
    const a = obj(s["artifacts"], "spec.artifacts", ["dataset", "gateways"]);
    if ("dataset" in a && a["dataset"] !== null) {
      if (typeof a["dataset"] !== "string") p.push("spec.artifacts.dataset must be a raw CIDv1 string or null");
      else {
        try {
          digestFromCid(a["dataset"]);
        } catch (e) {
          p.push(`spec.artifacts.dataset: ${(e as Error).message}`);
        }
      }
    }
    if ("gateways" in a) {
      const g = a["gateways"];
      if (!Array.isArray(g) || g.length > SPEC_LIMITS.maxGateways) p.push(`spec.artifacts.gateways must be a list of at most ${SPEC_LIMITS.maxGateways} URLs`);
      else
        g.forEach((u, i) => {
          let ok = false;
          try {
            const url = new URL(u as string);
            ok = typeof u === "string" && (url.protocol === "http:" || url.protocol === "https:");
          } catch {
            ok = false;
          }
          if (!ok) p.push(`spec.artifacts.gateways[${i}] must be an http(s) URL, got ${JSON.stringify(u)}`);
        });
    }
  }

  if (p.length) throw new JobSpecError(p);
  return structuredClone(value) as JobSpec;
}

/** Maps a metric in [0, 1] to the 0-100 score under a rule (see {@link ScoreRule}). */
export function scoreFromMetric(rule: ScoreRule, metric: number): number {
  const raw = rule.rule === "linear" ? 100 * metric : (100 * (metric - rule.baseline)) / (rule.target - rule.baseline);
  if (!Number.isFinite(raw)) return 0;
  return Math.min(100, Math.max(0, Math.round(raw)));
}
