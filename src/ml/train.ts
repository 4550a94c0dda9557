/**
 * The reference trainer: TensorFlow.js on its pure-JS "cpu" backend (pinned: other backends give
 * other bits), an MLP as the spec's recipe says, Adam on softmax cross-entropy, SEEDED weight
 * initialisation (Glorot-uniform from our own generator) and a SEEDED batch order, so the same
 * spec, data and seed give byte-identical ONNX. Features are standardised with statistics of the
 * training rows only, and the standardisation is baked into the exported model, which therefore
 * takes RAW features (the bidder's evaluation set is raw data in the dataset's schema).
 *
 * tfjs is loaded lazily (validators that only evaluate never load it) in production mode, which
 * also keeps its "you are running TensorFlow.js in Node.js" banner out of the output.
 */
import type * as TF from "@tensorflow/tfjs";
import { datasetProblems, fitStandardizer, standardize, type Dataset, type Standardizer } from "./data.ts";
import { exportDenseOnnx, type DenseLayer } from "./onnx.ts";
import { permutation, rng, subSeed, type Rng } from "./random.ts";
import { parseJobSpec, type JobSpec } from "./spec.ts";

let tfPromise: Promise<typeof TF> | undefined;

/** The tfjs module, loaded once, in production mode, on the pinned "cpu" backend. */
export function loadTf(): Promise<typeof TF> {
  tfPromise ??= (async () => {
    const tf = await import("@tensorflow/tfjs");
    tf.enableProdMode(); // no debug checks, no Node.js banner
    if (!(await tf.setBackend("cpu"))) throw new Error("tfjs: the cpu backend is not available");
    await tf.ready();
    return tf;
  })();
  return tfPromise;
}

/** The outcome of a training run. */
export interface TrainResult {
  /** The trained model as ONNX (raw features in, class probabilities out). */
  onnx: Uint8Array;
  /** Accuracy on the training rows. */
  trainAccuracy: number;
  /** Mean loss of the last epoch. */
  finalLoss: number;
  epochs: number;
  /** Wall-clock training time (export included). */
  ms: number;
  /** The seed used. */
  seed: number;
  /** The standardisation fitted on the training rows. */
  standardizer: Standardizer;
}

/** Options of {@link trainModel}. */
export interface TrainOptions {
  /** Overrides `spec.training.seed`. */
  seed?: number;
  /** Overrides `spec.training.epochs` (e.g. for a quick run). */
  epochs?: number;
  /** Called after every epoch. */
  onEpoch?: (epoch: number, loss: number) => void;
}

/** Layer widths of the spec's network: features, hidden..., classes. */
export function layerSizes(spec: JobSpec): number[] {
  return [spec.task.features.length, ...spec.model.hidden, spec.task.classes.length];
}

/** Glorot-uniform weights and zero biases from a seeded generator. */
function initLayers(sizes: number[], r: Rng): DenseLayer[] {
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const inputs = sizes[i]!;
    const outputs = sizes[i + 1]!;
    const limit = Math.sqrt(6 / (inputs + outputs));
    const weights = new Float32Array(inputs * outputs);
    for (let k = 0; k < weights.length; k++) weights[k] = (2 * r.next() - 1) * limit;
    layers.push({ inputs, outputs, weights, bias: new Float32Array(outputs) });
  }
  return layers;
}

function checkData(spec: JobSpec, data: Dataset): void {
  const problems = datasetProblems(data);
  if (data.featureNames.length !== spec.task.features.length) problems.push(`the data has ${data.featureNames.length} features; the spec wants ${spec.task.features.length}`);
  if (data.classes.length !== spec.task.classes.length || data.classes.some((c, i) => c !== spec.task.classes[i])) {
    problems.push(`the data's classes ${JSON.stringify(data.classes)} are not the spec's ${JSON.stringify(spec.task.classes)}`);
  }
  if (problems.length) throw new RangeError(`cannot train: ${problems.join("; ")}`);
}

/**
 * The untrained network of a spec (seeded Glorot-uniform weights, zero biases, no
 * standardisation) as ONNX: what a provider that "trains on nothing" would deliver.
 */
export function initialModel(spec: JobSpec, seed: number = spec.training.seed): Uint8Array {
  const s = parseJobSpec(spec);
  const layers = initLayers(layerSizes(s), rng(subSeed(seed, "init")));
  return exportDenseOnnx({ layers, inputName: s.task.inputName, outputName: s.task.outputName, docString: `untrained ${layerSizes(s).join("-")} MLP, seed ${seed}` });
}

/**
 * Trains the spec's MLP on `data` (raw features; labels are indices into `spec.task.classes`)
 * and exports it to ONNX. Deterministic: the same spec, data and seed give the same bytes.
 */
export async function trainModel(spec: JobSpec, data: Dataset, opts: TrainOptions = {}): Promise<TrainResult> {
  const t0 = performance.now();
  const s = parseJobSpec(spec);
  checkData(s, data);
  const tf = await loadTf();
  const seed = opts.seed ?? s.training.seed;
  const epochs = opts.epochs ?? s.training.epochs;
  const sizes = layerSizes(s);
  const standardizer = fitStandardizer(data.features);
  const xs = standardize(data.features, standardizer);
  const n = xs.length;
  const f = sizes[0]!;
  const c = sizes[sizes.length - 1]!;
  const init = initLayers(sizes, rng(subSeed(seed, "init")));
  const order = rng(subSeed(seed, "shuffle"));

  const X = tf.tensor2d(Float32Array.from(xs.flat()), [n, f]);
  const Y = tf.oneHot(tf.tensor1d(Int32Array.from(data.labels), "int32"), c).toFloat();
  const vars = init.flatMap((l, i) => [tf.variable(tf.tensor2d(l.weights, [l.inputs, l.outputs]), true, `W${i}`), tf.variable(tf.tensor1d(l.bias), true, `b${i}`)]);
  const forward = (x: TF.Tensor2D): TF.Tensor2D => {
    let h = x;
    for (let i = 0; i < init.length; i++) {
      h = tf.add(tf.matMul(h, vars[2 * i] as TF.Variable<TF.Rank.R2>), vars[2 * i + 1]!) as TF.Tensor2D;
      if (i < init.length - 1) h = tf.relu(h);
    }
    return h; // logits
  };
  const optimizer = tf.train.adam(s.training.learningRate);
  const batch = Math.min(s.training.batchSize, n);
  let finalLoss = NaN;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const perm = permutation(n, order);
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < n; start += batch) {
        const idx = tf.tensor1d(Int32Array.from(perm.slice(start, start + batch)), "int32");
        const xb = tf.gather(X, idx) as TF.Tensor2D;
        const yb = tf.gather(Y, idx);
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, forward(xb)) as TF.Scalar, true, vars);
        tf.dispose([idx, xb, yb]);
        lossSum += loss ? (await loss.data())[0]! : NaN;
        loss?.dispose();
        batches++;
      }
      finalLoss = lossSum / batches;
      opts.onEpoch?.(epoch + 1, finalLoss);
    }
    const predicted = tf.tidy(() => tf.argMax(forward(X), 1));
    const pred = await predicted.data();
    predicted.dispose();
    let correct = 0;
    for (let i = 0; i < n; i++) if (pred[i] === data.labels[i]) correct++;
    const layers: DenseLayer[] = [];
    for (let i = 0; i < init.length; i++) {
      layers.push({ inputs: sizes[i]!, outputs: sizes[i + 1]!, weights: new Float32Array(await vars[2 * i]!.data()), bias: new Float32Array(await vars[2 * i + 1]!.data()) });
    }
    const onnx = exportDenseOnnx({
      layers,
      standardize: standardizer,
      inputName: s.task.inputName,
      outputName: s.task.outputName,
      docString: `${sizes.join("-")} MLP, tfjs cpu, ${epochs} epochs, seed ${seed}`,
    });
    return { onnx, trainAccuracy: correct / n, finalLoss, epochs, ms: performance.now() - t0, seed, standardizer };
  } finally {
    X.dispose();
    Y.dispose();
    vars.forEach((v) => v.dispose());
    optimizer.dispose();
  }
}
