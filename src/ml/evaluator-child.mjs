// The evaluator's sandbox process (plain JS, started by evaluate.ts with child_process.fork):
// it loads onnxruntime-node, says "ready", then loads ONE untrusted ONNX model and runs it on
// one batch, and replies with the output. The parent enforces the time cap by killing this
// process, so a model that makes the runtime loop, stall or crash cannot hang or crash the
// validator. It is started in an empty temporary directory as its working directory.
let ort;
try {
  ort = await import("onnxruntime-node");
} catch (e) {
  process.send?.({ type: "fatal", error: `cannot load onnxruntime-node: ${e?.message ?? e}` });
  process.exit(3);
}
process.on("disconnect", () => process.exit(0));
process.on("message", async (msg) => {
  if (!msg || msg.type !== "run") return;
  const t0 = performance.now();
  let session;
  try {
    session = await ort.InferenceSession.create(msg.model, {
      executionProviders: ["cpu"],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      enableCpuMemArena: true,
      logSeverityLevel: 3,
    });
  } catch (e) {
    process.send({ type: "result", ok: false, stage: "load", error: String(e?.message ?? e) });
    return;
  }
  const loadMs = performance.now() - t0;
  try {
    const names = { inputs: [...session.inputNames], outputs: [...session.outputNames] };
    if (names.inputs.length !== 1 || names.inputs[0] !== msg.inputName || names.outputs.length !== 1 || names.outputs[0] !== msg.outputName) {
      process.send({ type: "result", ok: false, stage: "load", error: `the runtime sees inputs ${JSON.stringify(names.inputs)} and outputs ${JSON.stringify(names.outputs)}` });
      return;
    }
    const t1 = performance.now();
    const input = new ort.Tensor("float32", msg.data, [msg.rows, msg.cols]);
    const out = await session.run({ [msg.inputName]: input });
    const runMs = performance.now() - t1;
    const y = out[msg.outputName];
    if (!y || y.type !== "float32" || !(y.data instanceof Float32Array)) {
      process.send({ type: "result", ok: false, stage: "run", error: `the output is ${y ? y.type : "missing"}, not a float32 tensor` });
      return;
    }
    process.send({ type: "result", ok: true, dims: y.dims.map(Number), data: y.data, loadMs, runMs });
  } catch (e) {
    process.send({ type: "result", ok: false, stage: "run", error: String(e?.message ?? e) });
  } finally {
    try {
      await session.release();
    } catch {
      // nothing to do
    }
  }
});
process.send({ type: "ready", version: ort.env?.versions?.node ?? null });
