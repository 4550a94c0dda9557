/**
 * The machine-learning layer of the market: what a bidder, a provider and a validator of a
 * VERIFIED training job run off chain. No chain code here; the values it returns are what the
 * contract calls take (32-byte digests, a 32-byte salt, a 0-100 score or the reserved 101).
 *
 * Bidder:    `prepareJob(evaluationData, specChoices)` -> spec bytes + digest (bid), sealed
 *            evaluation set + salt + commitment (bid); publish the spec now
 *            (`store.put(job.specBytes)`), the evaluation set only AFTER the model's digest is on
 *            chain (`store.put(job.evalSet)`), then reveal `evalDigest` + `salt`.
 * Provider:  `trainForJob(store, spec, privateData)` -> the model's bytes in the store, its
 *            digest for `deliver-model`.
 * Validator: `scoreDelivery(store, spec, modelDigest, evalDigest)` (or `scoreJob` from the spec's
 *            digest) -> `{ outcome: "scored", vote: 0..100 }` or `{ outcome: "unavailable",
 *            vote: 101 }`; throws only when this validator cannot evaluate (then do not vote).
 */
import { ArtifactError, artifactOf, type Artifact, type ContentStore, type ReadableStore } from "../store/store.ts";
import { toHex, type ArtifactRef } from "../store/cid.ts";
import { classCounts, encodeDataset, type Dataset } from "./data.ts";
import { computeMetric, decodeEvaluationSet, evaluateModel, EvaluationSetError, type EvaluateOptions, type EvaluationResult } from "./evaluate.ts";
import { evalCommitment, randomEvalSalt } from "./seal.ts";
import { createJobSpec, encodeJobSpec, JobSpecError, parseJobSpec, type JobSpec, type JobSpecInput, type Metric, type ScoreRule } from "./spec.ts";
import { trainModel, type TrainOptions, type TrainResult } from "./train.ts";

export * from "./data.ts";
export * from "./spec.ts";
export * from "./onnx.ts";
export * from "./train.ts";
export * from "./evaluate.ts";
export * from "./seal.ts";
export { canonicalJson, canonicalBytes } from "./canonical.ts";

/** The contract's reserved vote: the evaluation set was revealed but cannot be fetched or used. */
export const SCORE_UNAVAILABLE = 101;

/** Everything a bidder needs to place a verified bid, and to reveal later. */
export interface PreparedJob {
  spec: JobSpec;
  /** Canonical spec bytes: publish them (store.put) with the bid. */
  specBytes: Uint8Array;
  /** sha256 of specBytes, hex: the bid's `spec` (buff 32). */
  specDigest: string;
  specCid: string;
  /** The sealed evaluation set's canonical bytes: KEEP PRIVATE until the model's digest is on chain. */
  evalSet: Uint8Array;
  /** sha256 of evalSet, hex: revealed after delivery. */
  evalDigest: string;
  evalCid: string;
  /** The 32-byte salt of the commitment: keep it, the reveal needs it. */
  salt: Uint8Array;
  /** sha256(evalDigest ++ salt), hex: the bid's `eval-commitment` (buff 32). */
  evalCommitment: string;
}

/** The spec choices of {@link prepareJob}: a full spec, or the inputs of `createJobSpec` without the task's names. */
export type SpecChoices = JobSpec | Omit<JobSpecInput, "features" | "classes">;

/**
 * A bidder's job: the spec (features and classes taken from the evaluation data unless a full
 * spec is given), the sealed evaluation set and its commitment. Throws JobSpecError for a bad
 * spec and {@link EvaluationSetError} if the evaluation data would not pass the spec's own
 * checks (wrong names, over a cap), so a bidder cannot seal an unusable set by mistake.
 */
export function prepareJob(evaluation: Dataset, choices: SpecChoices = {}, opts: { salt?: Uint8Array } = {}): PreparedJob {
  const spec =
    "version" in choices
      ? parseJobSpec(choices)
      : createJobSpec({ ...choices, features: evaluation.featureNames, classes: evaluation.classes, score: choices.score ?? defaultScoreRule(evaluation, choices.metric ?? "accuracy") });
  const specBytes = encodeJobSpec(spec);
  const evalSet = encodeDataset(evaluation);
  decodeEvaluationSet(spec, evalSet); // the same checks validators will run
  const specA = artifactOf(specBytes);
  const evalA = artifactOf(evalSet);
  const salt = opts.salt ?? randomEvalSalt();
  return {
    spec,
    specBytes,
    specDigest: specA.digest,
    specCid: specA.cid,
    evalSet,
    evalDigest: evalA.digest,
    evalCid: evalA.cid,
    salt,
    evalCommitment: toHex(evalCommitment(evalA.digest, salt)),
  };
}

/**
 * The default score rule for an evaluation set: improvement over the metric of the trivial model
 * that always predicts the set's majority class (rounded up to 4 decimals), to a target of 0.95
 * (or, if the trivial model already reaches 0.95, halfway to 1). An untrained network scores
 * about 0 under it; a good model 100.
 */
export function defaultScoreRule(evaluation: Dataset, metric: Metric): ScoreRule {
  const counts = classCounts(evaluation);
  const majority = counts.indexOf(Math.max(...counts));
  const trivial = computeMetric(metric, evaluation.labels, evaluation.labels.map(() => majority), evaluation.classes.length);
  const baseline = Math.min(0.9999, Math.ceil(trivial * 10_000) / 10_000);
  const target = baseline < 0.95 ? 0.95 : Math.round(((baseline + 1) / 2) * 10_000) / 10_000;
  return { rule: "improvement-over-baseline", baseline, target: Math.min(1, Math.max(target, baseline + 0.0001)) };
}

/** A provider's delivery: the training result and the model's address in the store. */
export interface Delivery extends TrainResult {
  /** The model's address: `digest` is what `deliver-model` takes. */
  model: Artifact;
}

/** Trains the spec's model on the provider's (private) data and puts the ONNX bytes in the store. */
export async function trainForJob(store: ContentStore, spec: JobSpec, data: Dataset, opts: TrainOptions = {}): Promise<Delivery> {
  const result = await trainModel(spec, data, opts);
  const model = await store.put(result.onnx);
  return { ...result, model };
}

/** A validator's answer for a job: the vote to commit. */
export type Verdict =
  | ({ outcome: "scored"; /** 0-100, equal to `score`. */ vote: number } & EvaluationResult)
  | { outcome: "unavailable"; /** Always 101 ({@link SCORE_UNAVAILABLE}). */ vote: typeof SCORE_UNAVAILABLE; reason: string };

function unavailable(reason: string): Verdict {
  return { outcome: "unavailable", vote: SCORE_UNAVAILABLE, reason };
}

/**
 * Scores a delivery as a validator must. The evaluation set is fetched FIRST (capped at
 * `spec.caps.maxEvalSetBytes`, digest checked): if it cannot be fetched, is tampered, over a cap
 * or malformed, the verdict is `unavailable` (vote 101). Then the model (capped at
 * `spec.caps.maxModelBytes`, digest checked): missing, tampered or too large scores 0 with a
 * reason, as does any failure of the model in the evaluator. Throws only when this validator
 * cannot evaluate (EvaluatorError: wrong or broken runtime; an invalid reference; a store error
 * that is not about the artifact): then it should not vote.
 */
export async function scoreDelivery(store: ReadableStore, spec: JobSpec, modelRef: ArtifactRef, evalRef: ArtifactRef, opts: EvaluateOptions = {}): Promise<Verdict> {
  const t0 = performance.now();
  const s = parseJobSpec(spec);
  let evalSet: Uint8Array;
  let rows: number;
  try {
    evalSet = await store.get(evalRef, { maxBytes: s.caps.maxEvalSetBytes });
    rows = decodeEvaluationSet(s, evalSet).labels.length;
  } catch (e) {
    if (e instanceof ArtifactError || e instanceof EvaluationSetError) return unavailable(e.message);
    throw e;
  }
  let model: Uint8Array;
  try {
    model = await store.get(modelRef, { maxBytes: s.caps.maxModelBytes });
  } catch (e) {
    if (e instanceof ArtifactError) {
      return { outcome: "scored", vote: 0, score: 0, metric: null, reason: `model ${e.code}: ${e.message}`, rows, ms: performance.now() - t0 };
    }
    throw e;
  }
  try {
    const r = await evaluateModel(s, model, evalSet, opts);
    return { outcome: "scored", vote: r.score, ...r, ms: performance.now() - t0 };
  } catch (e) {
    if (e instanceof EvaluationSetError) return unavailable(e.message);
    throw e;
  }
}

/**
 * {@link scoreDelivery} from the spec's digest: fetches and parses the spec too. A spec that
 * cannot be fetched or does not validate is the bidder's fault: `unavailable` (vote 101).
 */
export async function scoreJob(store: ReadableStore, refs: { spec: ArtifactRef; model: ArtifactRef; evalSet: ArtifactRef }, opts: EvaluateOptions = {}): Promise<Verdict> {
  let spec: JobSpec;
  try {
    spec = parseJobSpec(await store.get(refs.spec, { maxBytes: 1024 * 1024 }));
  } catch (e) {
    if (e instanceof ArtifactError || e instanceof JobSpecError) return unavailable(`job spec: ${e.message}`);
    throw e;
  }
  return scoreDelivery(store, spec, refs.model, refs.evalSet, opts);
}
