/**
 * The pinned evaluator: scores a delivered ONNX model on a revealed evaluation set, as every
 * validator of a verified job must, with the same result on every run.
 *
 * The model is UNTRUSTED. Any failure of the model (over the byte cap, unparseable, external
 * data, custom operators, wrong input/output names or shapes, a runtime error, non-finite or
 * misshapen output, over the time cap, a crash of the runtime) scores 0 with a `reason`; it
 * never throws. The runtime runs in a separate process (./evaluator-child.mjs, one per
 * evaluation, working directory an empty temporary directory) that is killed at the time cap
 * (and, on Linux, above a memory guard, see {@link EvaluateOptions.maxMemoryBytes}).
 *
 * A malformed EVALUATION SET is the bidder's fault, not the model's: {@link evaluateModel} THROWS
 * {@link EvaluationSetError} (`unavailable: true`), which callers turn into the reserved vote
 * u101 "evaluation set unavailable" (see `scoreDelivery` in ./index.ts).
 *
 * A validator whose own evaluator is broken or not the pinned one must not vote: that THROWS
 * {@link EvaluatorError}.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeDataset, DatasetFormatError, type Dataset } from "./data.ts";
import { inspectOnnx } from "./onnx.ts";
import { evaluatorVersion, parseJobSpec, scoreFromMetric, type JobSpec, type Metric } from "./spec.ts";

/** The evaluation set cannot be used (malformed, over a cap, not the spec's features / classes). */
export class EvaluationSetError extends Error {
  /** Always true: the job's vote is u101 "evaluation set unavailable". */
  readonly unavailable = true as const;
  constructor(readonly problems: string[]) {
    super(`evaluation set unavailable: ${problems.join("; ")}`);
    this.name = "EvaluationSetError";
  }
}

/** This machine cannot run the pinned evaluator (wrong runtime version, runtime does not start). Do not vote. */
export class EvaluatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EvaluatorError";
  }
}

/** The result of scoring a model. */
export interface EvaluationResult {
  /** 0-100 by the spec's score rule; 0 whenever the model failed (then `reason` says why). */
  score: number;
  /** The spec's metric in [0, 1], or null when the model failed. */
  metric: number | null;
  /** Why the model scored 0 without a metric. */
  reason?: string;
  /** Rows of the evaluation set. */
  rows: number;
  /** Wall-clock time of the whole evaluation. */
  ms: number;
  /** Runtime timings when the model ran: session creation and inference. */
  loadMs?: number;
  inferMs?: number;
}

/** Options of {@link evaluateModel}. */
export interface EvaluateOptions {
  /** Evaluate even if the installed onnxruntime-node is not `spec.evaluator.version` (NOT for voting). */
  ignoreVersionPin?: boolean;
  /** How long the runtime may take to start, before the model is sent (default 60 s). */
  startupTimeoutMs?: number;
  /**
   * Memory guard of the sandbox process (Linux only; resident set polled every 25 ms): a model
   * whose runtime memory exceeds it is killed and scores 0. A validator-local safety net against
   * memory bombs, far above what a model within the caps needs (default 1 GiB).
   */
  maxMemoryBytes?: number;
}

/** Default memory guard of the sandbox process: 1 GiB. */
export const DEFAULT_MAX_EVAL_MEMORY = 1024 * 1024 * 1024;

/** Resident set size of a process in bytes (Linux /proc), or null where unavailable. */
function residentBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

const CHILD = fileURLToPath(new URL("./evaluator-child.mjs", import.meta.url));

/** Decodes evaluation-set bytes under the spec's caps; throws {@link EvaluationSetError}. */
export function decodeEvaluationSet(spec: JobSpec, bytes: Uint8Array): Dataset {
  if (!(bytes instanceof Uint8Array)) throw new EvaluationSetError(["not bytes"]);
  if (bytes.length > spec.caps.maxEvalSetBytes) throw new EvaluationSetError([`${bytes.length} bytes is over the cap of ${spec.caps.maxEvalSetBytes}`]);
  try {
    return decodeDataset(bytes, { maxRows: spec.caps.maxEvalRows, featureNames: spec.task.features, classes: spec.task.classes });
  } catch (e) {
    if (e instanceof DatasetFormatError) throw new EvaluationSetError(e.problems);
    throw e;
  }
}

/** Predicted class per row: the first index of the row's maximum. */
export function argmaxRows(probs: Float32Array, rows: number, classes: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    let bestV = probs[i * classes]!;
    for (let k = 1; k < classes; k++) {
      const v = probs[i * classes + k]!;
      if (v > bestV) {
        best = k;
        bestV = v;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * A metric of predictions against labels:
 * - `accuracy`: correct / rows;
 * - `macro-f1`: mean over classes of F1 = 2TP / (2TP + FP + FN), over the classes that occur in
 *   the labels or the predictions.
 */
export function computeMetric(metric: Metric, labels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number {
  const n = labels.length;
  if (n === 0) throw new RangeError("no rows");
  if (metric === "accuracy") {
    let correct = 0;
    for (let i = 0; i < n; i++) if (labels[i] === predicted[i]) correct++;
    return correct / n;
  }
  const tp = new Array<number>(classes).fill(0);
  const fp = new Array<number>(classes).fill(0);
  const fn = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    const p = predicted[i]!;
    if (y === p) tp[y]!++;
    else {
      fp[p]!++;
      fn[y]!++;
    }
  }
  let sum = 0;
  let count = 0;
  for (let k = 0; k < classes; k++) {
    const denom = 2 * tp[k]! + fp[k]! + fn[k]!;
    if (denom === 0) continue; // the class occurs neither in the labels nor in the predictions
    sum += (2 * tp[k]!) / denom;
    count++;
  }
  return sum / count;
}

type ChildResult =
  | { type: "result"; ok: true; dims: number[]; data: Float32Array; loadMs: number; runMs: number }
  | { type: "result"; ok: false; stage: "load" | "run"; error: string };
type ChildMessage = { type: "ready"; version: string | null } | { type: "fatal"; error: string } | ChildResult;

type RunOutcome = { ok: true; dims: number[]; data: Float32Array; loadMs: number; runMs: number } | { ok: false; reason: string };

/** Runs one model on one batch in a fresh sandbox process, killed after `timeoutMs`. */
async function runIsolated(
  model: Uint8Array,
  io: { inputName: string; outputName: string },
  x: Float32Array,
  rows: number,
  cols: number,
  timeoutMs: number,
  startupTimeoutMs: number,
  pinnedVersion: string | null,
  maxMemoryBytes: number,
): Promise<RunOutcome> {
  const cwd = await mkdtemp(join(tmpdir(), "ntm-eval-"));
  try {
    return await new Promise<RunOutcome>((resolve, reject) => {
      let stage: "starting" | "running" | "done" = "starting";
      let stderr = "";
      const child = fork(CHILD, [], { cwd, execArgv: [], serialization: "advanced", stdio: ["ignore", "ignore", "pipe", "ipc"] });
      child.stderr?.on("data", (d: Buffer) => {
        if (stderr.length < 2000) stderr += d.toString("utf8").slice(0, 2000 - stderr.length);
      });
      const finish = (f: () => void): void => {
        if (stage === "done") return;
        stage = "done";
        clearTimeout(timer);
        if (watch) clearInterval(watch);
        child.removeAllListeners("message");
        child.kill("SIGKILL");
        f();
      };
      let watch: NodeJS.Timeout | undefined;
      let timer = setTimeout(() => finish(() => reject(new EvaluatorError(`onnxruntime-node did not start within ${startupTimeoutMs} ms`))), startupTimeoutMs);
      child.on("error", (e) => finish(() => (stage === "running" ? resolve({ ok: false, reason: `evaluator process failed: ${e.message}` }) : reject(new EvaluatorError(`cannot start the evaluator process: ${e.message}`)))));
      child.on("exit", (code, signal) => {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        if (stage === "running") finish(() => resolve({ ok: false, reason: `the runtime crashed while loading or running the model (${how})${stderr ? `: ${stderr.trim().slice(0, 300)}` : ""}` }));
        else finish(() => reject(new EvaluatorError(`the evaluator process exited before it was ready (${how})${stderr ? `: ${stderr.trim().slice(0, 300)}` : ""}`)));
      });
      child.on("message", (m: ChildMessage) => {
        if (m.type === "fatal") return finish(() => reject(new EvaluatorError(m.error)));
        if (m.type === "ready") {
          if (pinnedVersion !== null && m.version !== null && m.version !== pinnedVersion) {
            return finish(() => reject(new EvaluatorError(`the runtime reports onnxruntime ${m.version}; the spec pins ${pinnedVersion}`)));
          }
          stage = "running";
          clearTimeout(timer);
          timer = setTimeout(() => finish(() => resolve({ ok: false, reason: `the model exceeded the evaluator time cap of ${timeoutMs / 1000} s` })), timeoutMs);
          if (process.platform === "linux" && child.pid !== undefined) {
            const pid = child.pid;
            watch = setInterval(() => {
              const rss = residentBytes(pid);
              if (rss !== null && rss > maxMemoryBytes) {
                finish(() => resolve({ ok: false, reason: `the model exceeded the evaluator memory limit of ${Math.round(maxMemoryBytes / 2 ** 20)} MiB` }));
              }
            }, 25);
          }
          child.send({ type: "run", model, inputName: io.inputName, outputName: io.outputName, data: x, rows, cols });
          return;
        }
        if (m.type === "result") {
          finish(() =>
            resolve(
              m.ok
                ? { ok: true, dims: m.dims, data: m.data, loadMs: m.loadMs, runMs: m.runMs }
                : { ok: false, reason: m.stage === "load" ? `the runtime refused the model: ${m.error}` : `the model failed at run time: ${m.error}` },
            ),
          );
        }
      });
    });
  } finally {
    await rm(cwd, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Scores a model (ONNX bytes) on an evaluation set (canonical dataset bytes, see
 * `encodeDataset`) under a job spec. Order of checks: the spec and the evaluator pin (throw
 * JobSpecError / {@link EvaluatorError}), the evaluation set (throws {@link EvaluationSetError}),
 * then the model (never throws: score 0 with a reason). Deterministic: the same inputs give the
 * same score and metric.
 */
export async function evaluateModel(spec: JobSpec, modelBytes: Uint8Array, evalSetBytes: Uint8Array, opts: EvaluateOptions = {}): Promise<EvaluationResult> {
  const t0 = performance.now();
  const s = parseJobSpec(spec);
  const installed = evaluatorVersion();
  if (!opts.ignoreVersionPin && installed !== s.evaluator.version) {
    throw new EvaluatorError(`the spec pins onnxruntime-node ${s.evaluator.version}; this machine has ${installed}`);
  }
  const evalSet = decodeEvaluationSet(s, evalSetBytes);
  const rows = evalSet.labels.length;
  const features = s.task.features.length;
  const classes = s.task.classes.length;
  const zero = (reason: string): EvaluationResult => ({ score: 0, metric: null, reason, rows, ms: performance.now() - t0 });

  if (!(modelBytes instanceof Uint8Array)) return zero("the model is not bytes");
  if (modelBytes.length > s.caps.maxModelBytes) return zero(`the model is ${modelBytes.length} bytes, over the cap of ${s.caps.maxModelBytes}`);
  const inspection = inspectOnnx(modelBytes, { inputName: s.task.inputName, outputName: s.task.outputName, features, classes });
  if (!inspection.ok) return zero(inspection.reason);

  const x = new Float32Array(rows * features);
  evalSet.features.forEach((row, i) => x.set(row, i * features));
  const run = await runIsolated(
    modelBytes,
    { inputName: s.task.inputName, outputName: s.task.outputName },
    x,
    rows,
    features,
    s.caps.maxEvalSeconds * 1000,
    opts.startupTimeoutMs ?? 60_000,
    opts.ignoreVersionPin ? null : s.evaluator.version,
    opts.maxMemoryBytes ?? DEFAULT_MAX_EVAL_MEMORY,
  );
  if (!run.ok) return zero(run.reason);
  if (run.dims.length !== 2 || run.dims[0] !== rows || run.dims[1] !== classes || run.data.length !== rows * classes) {
    return zero(`the model's output has shape [${run.dims.join(", ")}]; expected [${rows}, ${classes}]`);
  }
  for (let i = 0; i < run.data.length; i++) if (!Number.isFinite(run.data[i]!)) return zero(`the model's output has a non-finite value at row ${Math.floor(i / classes)}`);
  const predicted = argmaxRows(run.data, rows, classes);
  const metric = computeMetric(s.metric, evalSet.labels, predicted, classes);
  return { score: scoreFromMetric(s.score, metric), metric, rows, ms: performance.now() - t0, loadMs: run.loadMs, inferMs: run.runMs };
}
