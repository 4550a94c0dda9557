/**
 * ONNX for dense networks: {@link exportDenseOnnx} writes a multilayer perceptron as an ONNX
 * model (opset 17, IR 8) with `onnx-proto`; {@link inspectOnnx} is the evaluator's structural
 * check of an UNTRUSTED model before any runtime loads it (external data, custom operators,
 * single input/output, declared shapes).
 */
import onnxpkg from "onnx-proto";

const { onnx } = onnxpkg;
type ModelProto = InstanceType<typeof onnx.ModelProto>;
type GraphProto = onnxpkg.onnx.IGraphProto;
type TensorProto = onnxpkg.onnx.ITensorProto;
type ValueInfoProto = onnxpkg.onnx.IValueInfoProto;

/** ONNX IR version of exported models. */
export const ONNX_IR_VERSION = 8;
/** Default-domain opset of exported models. */
export const ONNX_OPSET = 17;
/** Operator domains an evaluated model may use ("" and "ai.onnx" are the default domain; "ai.onnx.ml" the classic-ML one). */
export const ALLOWED_DOMAINS: readonly string[] = ["", "ai.onnx", "ai.onnx.ml"];

/** One dense layer: `y = x W + b` with `W` row-major [inputs, outputs]. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  /** Row-major [inputs, outputs]. */
  weights: Float32Array;
  /** [outputs]. */
  bias: Float32Array;
}

/** A multilayer perceptron: relu between layers, softmax after the last one. */
export interface DenseNetwork {
  layers: DenseLayer[];
  /** Optional input standardisation `(x - mean) * scale`, baked into the graph so the model takes raw features. */
  standardize?: { mean: ArrayLike<number>; scale: ArrayLike<number> };
  /** Default "input". */
  inputName?: string;
  /** Default "output". */
  outputName?: string;
  /** Stored as the model's doc string. */
  docString?: string;
}

/** Little-endian float32 bytes (ONNX raw_data layout) of some numbers. */
function float32Raw(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: float32Raw(values) });
}

function tensorValueInfo(name: string, dims: Array<number | string>): ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } },
  });
}

/**
 * The ONNX bytes of a dense network: input `[N, inputs]` float32, output `[N, classes]` float32
 * class probabilities (Softmax over the last axis). Graph: [Sub, Mul] (standardisation, if any),
 * then per layer MatMul, Add, Relu (no Relu after the last layer), then Softmax. Deterministic:
 * the same network gives the same bytes.
 */
export function exportDenseOnnx(net: DenseNetwork): Uint8Array {
  const inputName = net.inputName ?? "input";
  const outputName = net.outputName ?? "output";
  if (net.layers.length === 0) throw new RangeError("a dense network needs at least one layer");
  net.layers.forEach((l, i) => {
    if (l.weights.length !== l.inputs * l.outputs || l.bias.length !== l.outputs) throw new RangeError(`layer ${i}: weights must be ${l.inputs}x${l.outputs} and bias ${l.outputs}`);
    if (i > 0 && l.inputs !== net.layers[i - 1]!.outputs) throw new RangeError(`layer ${i} takes ${l.inputs} inputs but layer ${i - 1} gives ${net.layers[i - 1]!.outputs}`);
  });
  const features = net.layers[0]!.inputs;
  const classes = net.layers[net.layers.length - 1]!.outputs;
  const initializer: TensorProto[] = [];
  const node: onnxpkg.onnx.INodeProto[] = [];
  let x = inputName;
  if (net.standardize) {
    const { mean, scale } = net.standardize;
    if (mean.length !== features || scale.length !== features) throw new RangeError(`standardisation must have ${features} means and scales`);
    initializer.push(floatTensor("std_mean", [features], mean), floatTensor("std_scale", [features], scale));
    node.push(onnx.NodeProto.create({ name: "std_sub", opType: "Sub", input: [x, "std_mean"], output: ["x_centered"] }));
    node.push(onnx.NodeProto.create({ name: "std_mul", opType: "Mul", input: ["x_centered", "std_scale"], output: ["x_scaled"] }));
    x = "x_scaled";
  }
  net.layers.forEach((l, i) => {
    const last = i === net.layers.length - 1;
    initializer.push(floatTensor(`W${i}`, [l.inputs, l.outputs], l.weights), floatTensor(`b${i}`, [l.outputs], l.bias));
    node.push(onnx.NodeProto.create({ name: `dense${i}_matmul`, opType: "MatMul", input: [x, `W${i}`], output: [`dense${i}_mm`] }));
    const y = last ? "logits" : `dense${i}`;
    node.push(onnx.NodeProto.create({ name: `dense${i}_add`, opType: "Add", input: [`dense${i}_mm`, `b${i}`], output: [y] }));
    if (!last) {
      node.push(onnx.NodeProto.create({ name: `relu${i}`, opType: "Relu", input: [y], output: [`relu${i}`] }));
      x = `relu${i}`;
    }
  });
  node.push(
    onnx.NodeProto.create({
      name: "softmax",
      opType: "Softmax",
      input: ["logits"],
      output: [outputName],
      attribute: [onnx.AttributeProto.create({ name: "axis", i: -1, type: onnx.AttributeProto.AttributeType.INT })],
    }),
  );
  const graph = onnx.GraphProto.create({
    name: "mlp",
    node,
    initializer,
    input: [tensorValueInfo(inputName, ["N", features])],
    output: [tensorValueInfo(outputName, ["N", classes])],
  });
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    producerName: "neural-training-market",
    producerVersion: "1",
    docString: net.docString ?? "",
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** What the evaluator expects of a model's interface. */
export interface OnnxExpectation {
  inputName: string;
  outputName: string;
  features: number;
  classes: number;
}

/** A summary of a model that passed {@link inspectOnnx}. */
export interface OnnxInfo {
  irVersion: number;
  opsets: Array<{ domain: string; version: number }>;
  nodes: number;
  initializers: number;
  opTypes: string[];
  producer: string;
}

/** The result of {@link inspectOnnx}: the model's summary, or why it is refused. */
export type OnnxInspection = { ok: true; info: OnnxInfo } | { ok: false; reason: string };

function num(x: unknown): number {
  if (typeof x === "number") return x;
  if (x && typeof (x as { toNumber?: unknown }).toNumber === "function") return (x as { toNumber(): number }).toNumber();
  return Number(x);
}

const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

/** Why a tensor is refused (external data), or null. */
function tensorProblem(t: TensorProto | null | undefined, where: string): string | null {
  if (!t) return null;
  if (t.dataLocation === EXTERNAL || (t.externalData && t.externalData.length > 0)) {
    return `tensor ${JSON.stringify(t.name ?? "")} (${where}) references external data; models must be self-contained`;
  }
  return null;
}

/** Walks a graph and its subgraphs; returns the first problem found, or null. */
function graphProblem(g: GraphProto, where: string, ops: Set<string>, counts: { nodes: number; depth: number }): string | null {
  if (counts.depth > 32) return "subgraphs nested deeper than 32 levels";
  for (const t of g.initializer ?? []) {
    const p = tensorProblem(t, `${where} initializer`);
    if (p) return p;
  }
  for (const st of g.sparseInitializer ?? []) {
    const p = tensorProblem(st.values, `${where} sparse initializer`) ?? tensorProblem(st.indices, `${where} sparse initializer`);
    if (p) return p;
  }
  for (const n of g.node ?? []) {
    counts.nodes++;
    const domain = n.domain ?? "";
    if (!ALLOWED_DOMAINS.includes(domain)) return `node ${JSON.stringify(n.name ?? n.opType ?? "")} uses operator domain ${JSON.stringify(domain)}; only standard ONNX operators are allowed`;
    ops.add(domain ? `${domain}.${n.opType ?? ""}` : (n.opType ?? ""));
    for (const a of n.attribute ?? []) {
      const at = `attribute ${a.name ?? ""} of node ${JSON.stringify(n.name ?? n.opType ?? "")}`;
      const p =
        tensorProblem(a.t, at) ??
        (a.tensors ?? []).map((t) => tensorProblem(t, at)).find((x) => x) ??
        tensorProblem(a.sparseTensor?.values, at) ??
        tensorProblem(a.sparseTensor?.indices, at) ??
        (a.sparseTensors ?? []).map((t) => tensorProblem(t.values, at) ?? tensorProblem(t.indices, at)).find((x) => x) ??
        null;
      if (p) return p;
      if (a.refAttrName) return `${at} refers to a function attribute; model-local functions are not allowed`;
      for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) {
        counts.depth++;
        const q = graphProblem(sub, `subgraph of ${at}`, ops, counts);
        counts.depth--;
        if (q) return q;
      }
    }
  }
  return null;
}

/** Checks a value info is a float32 tensor of rank 2 whose second dimension is `width` and first is dynamic. */
function ioProblem(v: ValueInfoProto, role: string, width: number, widthName: string): string | null {
  const t = v.type?.tensorType;
  if (!t) return `${role} ${JSON.stringify(v.name)} is not a tensor`;
  if (t.elemType !== onnx.TensorProto.DataType.FLOAT) return `${role} ${JSON.stringify(v.name)} has element type ${t.elemType}, not float32 (1)`;
  const dims = t.shape?.dim;
  if (!t.shape || !dims) return `${role} ${JSON.stringify(v.name)} declares no shape; expected [N, ${width}]`;
  if (dims.length !== 2) return `${role} ${JSON.stringify(v.name)} has rank ${dims.length}; expected [N, ${width}] (${widthName})`;
  const [d0, d1] = dims as [onnxpkg.onnx.TensorShapeProto.IDimension, onnxpkg.onnx.TensorShapeProto.IDimension];
  const fixed = (d: onnxpkg.onnx.TensorShapeProto.IDimension): number | null => (d.dimValue !== undefined && d.dimValue !== null && (d as { value?: string }).value !== "dimParam" && num(d.dimValue) > 0 ? num(d.dimValue) : null);
  const n0 = fixed(d0);
  if (n0 !== null) return `${role} ${JSON.stringify(v.name)} has a fixed batch dimension ${n0}; expected a dynamic one [N, ${width}]`;
  const n1 = fixed(d1);
  if (n1 !== width) return `${role} ${JSON.stringify(v.name)} has shape [N, ${n1 ?? d1.dimParam ?? "?"}]; expected [N, ${width}] (${widthName})`;
  return null;
}

/**
 * The evaluator's structural check of untrusted model bytes, before any runtime sees them:
 * parseable ONNX; no model-local functions or training info; only standard operator domains
 * (no custom operators), in the graph and every subgraph; no tensor referencing external data;
 * exactly one graph input (initializers aside) and one output, named as expected, float32,
 * shapes [N, features] and [N, classes] with a dynamic N.
 */
export function inspectOnnx(bytes: Uint8Array, expect: OnnxExpectation): OnnxInspection {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return { ok: false, reason: `not an ONNX model (${(e as Error).message})` };
  }
  const g = model.graph;
  if (!g) return { ok: false, reason: "not an ONNX model (no graph)" };
  if ((model.functions ?? []).length > 0) return { ok: false, reason: "model-local functions are not allowed" };
  if ((model.trainingInfo ?? []).length > 0) return { ok: false, reason: "training info is not allowed" };
  const opsets = (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? "", version: num(o.version) }));
  if (opsets.length === 0) return { ok: false, reason: "the model imports no opset" };
  const foreign = opsets.find((o) => !ALLOWED_DOMAINS.includes(o.domain));
  if (foreign) return { ok: false, reason: `the model imports operator domain ${JSON.stringify(foreign.domain)}; only standard ONNX operators are allowed` };
  const ops = new Set<string>();
  const counts = { nodes: 0, depth: 0 };
  let problem: string | null;
  try {
    problem = graphProblem(g, "main graph", ops, counts);
  } catch (e) {
    problem = `malformed graph (${(e as Error).message})`;
  }
  if (problem) return { ok: false, reason: problem };
  const initNames = new Set((g.initializer ?? []).map((t) => t.name ?? ""));
  for (const st of g.sparseInitializer ?? []) initNames.add(st.values?.name ?? "");
  const inputs = (g.input ?? []).filter((v) => !initNames.has(v.name ?? ""));
  const outputs = g.output ?? [];
  if (inputs.length !== 1) return { ok: false, reason: `the model has ${inputs.length} inputs; expected exactly one, ${JSON.stringify(expect.inputName)}` };
  if (outputs.length !== 1) return { ok: false, reason: `the model has ${outputs.length} outputs; expected exactly one, ${JSON.stringify(expect.outputName)}` };
  const input = inputs[0]!;
  const output = outputs[0]!;
  if (input.name !== expect.inputName) return { ok: false, reason: `the model's input is named ${JSON.stringify(input.name)}; expected ${JSON.stringify(expect.inputName)}` };
  if (output.name !== expect.outputName) return { ok: false, reason: `the model's output is named ${JSON.stringify(output.name)}; expected ${JSON.stringify(expect.outputName)}` };
  const ip = ioProblem(input, "input", expect.features, "features");
  if (ip) return { ok: false, reason: ip };
  const op = ioProblem(output, "output", expect.classes, "classes");
  if (op) return { ok: false, reason: op };
  return {
    ok: true,
    info: {
      irVersion: num(model.irVersion),
      opsets,
      nodes: counts.nodes,
      initializers: (g.initializer ?? []).length,
      opTypes: [...ops].sort(),
      producer: `${model.producerName ?? ""} ${model.producerVersion ?? ""}`.trim(),
    },
  };
}
