// A model and its configuration in one safetensors file: modelMetadata writes
// the kind and the options (compared with the documented defaults, written out
// here), modelFromCheckpoint reads files written by hand below (an independent
// writer of the format, as interop/torch's save_raven writes them) and files
// saved by Checkpoint.toBytes, and rejects every malformation naming itself.
import * as nx from "@raven-ts/nx";
import { Checkpoint, Layer, Ptree, Rng } from "@raven-ts/kaun-core";
import { describe, expect, it } from "vitest";
import { itRejects, type Rejection } from "./rejections.js";
import { MODEL_METADATA_KEYS, decoderLM, modelFromCheckpoint, modelMetadata, multiHeadAttention, transformerBlock } from "../src/index.js";

/** Casts a bad argument past the type checker. */
const bad = (v: unknown): never => v as never;

type Entry = readonly [name: string, dtype: "F32" | "F64", shape: readonly number[], values: readonly number[]];

/** The safetensors bytes of `entries` with `metadata`, laid out by hand: 8-byte little-endian header length, JSON header (space-padded), data. */
function safetensors(entries: readonly Entry[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, dtype, shape, values] of entries) {
    const bytes = new Uint8Array((dtype === "F32" ? Float32Array.from(values) : Float64Array.from(values)).buffer);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** `count` values 0.01, 0.02, ... (distinct, exact in float64, rounded once in float32) starting after `from`. */
const ramp = (count: number, from: number): number[] => Array.from({ length: count }, (_, i) => (from + i + 1) / 100);

/** An attention layer embedDim 4, 2 query heads over 1 kv head (head size 2), as a file stores it. */
const MHA_ENTRIES = (dtype: "F32" | "F64"): Entry[] => [
  ["q_proj", dtype, [4, 4], ramp(16, 0)],
  ["k_proj", dtype, [4, 2], ramp(8, 16)],
  ["v_proj", dtype, [4, 2], ramp(8, 24)],
  ["out_proj", dtype, [4, 4], ramp(16, 32)],
];
/** Its options as `JSON.stringify(attn.config)` writes them (headDim included). */
const MHA_CONFIG = JSON.stringify({ embedDim: 4, numHeads: 2, numKvHeads: 1, headDim: 2, dropout: 0, isCausal: true, rope: true, ropeTheta: 500 });
const mhaFile = (dtype: "F32" | "F64", metadata: Record<string, string> = { "raven.model": "multiHeadAttention", "raven.config": MHA_CONFIG }): Uint8Array => safetensors(MHA_ENTRIES(dtype), metadata);

describe("modelMetadata", () => {
  it("names the kind and writes every option with its documented default", () => {
    const lm = decoderLM({ vocabSize: 5, embedDim: 8, numLayers: 1, numHeads: 2 });
    const metadata = modelMetadata(lm, { [MODEL_METADATA_KEYS.vocab]: '["a","b","c","d","e"]' });
    expect(Object.keys(metadata)).toEqual(["raven.model", "raven.config", "raven.vocab"]);
    expect(metadata["raven.model"]).toBe("decoderLM");
    expect(JSON.parse(metadata["raven.config"] as string)).toEqual({
      vocabSize: 5,
      embedDim: 8,
      numLayers: 1,
      numHeads: 2,
      numKvHeads: 2,
      mlpDim: 32,
      dropout: 0,
      ropeTheta: 10000,
      norm: "rmsNorm",
      normEps: 1e-6,
      mlp: "dense",
      activation: "gelu",
      tieEmbeddings: false,
    });
    expect(metadata["raven.vocab"]).toBe('["a","b","c","d","e"]');
    // multiHeadAttention: its options, without the derived headDim.
    expect(modelMetadata(multiHeadAttention({ embedDim: 8, numHeads: 4, numKvHeads: 2, isCausal: true }))).toEqual({
      "raven.model": "multiHeadAttention",
      "raven.config": '{"embedDim":8,"numHeads":4,"numKvHeads":2,"dropout":0,"isCausal":true,"rope":false,"ropeTheta":10000}',
    });
  });
});

describe("modelFromCheckpoint", () => {
  it("reads a file written by another writer: the options with their defaults, the params as stored, the whole metadata", () => {
    for (const dtype of ["F32", "F64"] as const) {
      const before = nx.memory().numTensors;
      const loaded = modelFromCheckpoint(mhaFile(dtype, { "raven.model": "multiHeadAttention", "raven.config": MHA_CONFIG, note: "from elsewhere" }));
      expect(nx.memory().numTensors).toBe(before + 4);
      expect(loaded.kind).toBe("multiHeadAttention");
      expect(loaded.layer.config).toEqual({ embedDim: 4, numHeads: 2, numKvHeads: 1, headDim: 2, dropout: 0, isCausal: true, rope: true, ropeTheta: 500 });
      expect(loaded.vars.dtype).toBe(dtype === "F32" ? "float32" : "float64");
      expect(loaded.metadata.note).toBe("from elsewhere");
      const params = loaded.vars.params as Record<string, nx.Tensor>;
      for (const [name, , shape, values] of MHA_ENTRIES(dtype)) {
        const t = params[name] as nx.Tensor;
        expect(t.shape).toEqual(shape);
        expect(Array.from(t.dataSync())).toEqual(dtype === "F32" ? Array.from(Float32Array.from(values)) : values);
      }
      nx.dispose(loaded.vars.params);
    }
  });

  it("gives back a decoderLM (a gated MLP) saved with modelMetadata: the same config, params and greedy text; only the params stay live", () => {
    const lm = decoderLM({ vocabSize: 11, embedDim: 8, numLayers: 2, numHeads: 2, numKvHeads: 1, norm: "layerNorm", mlp: "swiglu", activation: "silu", tieEmbeddings: true, ropeTheta: 500 });
    const vars = Rng.run(5, () => Layer.init(lm, { dtype: "float32" }));
    const bytes = Checkpoint.toBytes(vars.params, { metadata: modelMetadata(lm, { [MODEL_METADATA_KEYS.training]: '{"steps":0}' }) });
    const before = nx.memory().numTensors;
    const loaded = modelFromCheckpoint(bytes, { kind: "decoderLM" });
    expect(nx.memory().numTensors).toBe(before + Ptree.leaves(vars.params).length);
    expect(loaded.layer.config).toEqual(lm.config);
    expect(loaded.metadata["raven.training"]).toBe('{"steps":0}');
    const mine = Ptree.flattenWithPaths(vars.params);
    const theirs = new Map(Ptree.flattenWithPaths(loaded.vars.params));
    for (const [path, t] of mine) expect(Array.from((theirs.get(path) as nx.Tensor).dataSync()), path).toEqual(Array.from(t.dataSync()));
    const prompt = nx.tensor([[1, 2, 3]], { dtype: "int32" });
    const a = lm.generate(vars, prompt, { maxNewTokens: 6, temperature: 0 });
    const b = loaded.layer.generate(loaded.vars, prompt, { maxNewTokens: 6, temperature: 0 });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    nx.dispose([prompt, a, b, loaded.vars.params, vars.params]);
  });
});

describe("bad files and arguments are refused, naming the function called, before anything is loaded", () => {
  const attn = multiHeadAttention({ embedDim: 4, numHeads: 2, numKvHeads: 1 });
  const meta = (config: unknown, model = "multiHeadAttention"): Record<string, string> => ({ "raven.model": model, "raven.config": typeof config === "string" ? config : JSON.stringify(config) });
  const mixed: Entry[] = [["q_proj", "F64", [4, 4], ramp(16, 0)], ["k_proj", "F32", [4, 2], ramp(8, 16)], ["v_proj", "F64", [4, 2], ramp(8, 24)], ["out_proj", "F64", [4, 4], ramp(16, 32)]];
  const cases: Rejection[] = [
    ["not safetensors", () => modelFromCheckpoint(new Uint8Array([1, 2, 3])), "kaun.modelFromCheckpoint", "8"],
    ["not bytes", () => modelFromCheckpoint(bad("model.safetensors")), "kaun.modelFromCheckpoint", "Uint8Array"],
    ["options null", () => modelFromCheckpoint(mhaFile("F32"), bad(null)), "kaun.modelFromCheckpoint", "options must be an object"],
    ["an unknown kind asked for", () => modelFromCheckpoint(mhaFile("F32"), { kind: bad("lm") }), "kaun.modelFromCheckpoint", 'kind must be one of "decoderLM", "multiHeadAttention", got "lm"'],
    ["no raven.model", () => modelFromCheckpoint(mhaFile("F32", {})), "kaun.modelFromCheckpoint", 'the file\'s metadata has no "raven.model" entry'],
    ["an unknown model", () => modelFromCheckpoint(mhaFile("F32", meta({}, "transformerBlock"))), "kaun.modelFromCheckpoint", 'metadata "raven.model" must be one of "decoderLM", "multiHeadAttention", got "transformerBlock"'],
    ["another kind than asked", () => modelFromCheckpoint(mhaFile("F32"), { kind: "decoderLM" }), "kaun.modelFromCheckpoint", "the file holds a multiHeadAttention, not a decoderLM"],
    ["no raven.config", () => modelFromCheckpoint(mhaFile("F32", { "raven.model": "multiHeadAttention" })), "kaun.modelFromCheckpoint", 'the file\'s metadata has no "raven.config" entry'],
    ["raven.config not JSON", () => modelFromCheckpoint(mhaFile("F32", meta("{embedDim: 4"))), "kaun.modelFromCheckpoint", 'metadata "raven.config" is not valid JSON'],
    ["raven.config not an object", () => modelFromCheckpoint(mhaFile("F32", meta("[4, 2]"))), "kaun.modelFromCheckpoint", 'metadata "raven.config" must be a JSON object of multiHeadAttention options'],
    ["options the layer rejects", () => modelFromCheckpoint(mhaFile("F32", meta({ embedDim: 4, numHeads: 3 }))), "kaun.modelFromCheckpoint", 'metadata "raven.config" is not a valid multiHeadAttention configuration: embedDim (4) must be divisible by numHeads (3)'],
    ["an option the layer does not know", () => modelFromCheckpoint(mhaFile("F32", meta({ embedDim: 4, numHeads: 2, causal: true }))), "kaun.modelFromCheckpoint", 'unknown option "causal"'],
    ["a headDim that does not fit", () => modelFromCheckpoint(mhaFile("F32", meta({ embedDim: 4, numHeads: 2, numKvHeads: 1, headDim: 4 }))), "kaun.modelFromCheckpoint", "headDim 4 differs from embedDim / numHeads = 2"],
    ["a parameter the file lacks", () => modelFromCheckpoint(safetensors(MHA_ENTRIES("F32").slice(1), meta({ embedDim: 4, numHeads: 2, numKvHeads: 1 }))), "kaun.modelFromCheckpoint", 'missing key "q_proj"'],
    ["a parameter of another shape", () => modelFromCheckpoint(mhaFile("F32", meta({ embedDim: 4, numHeads: 2 }))), "kaun.modelFromCheckpoint", 'tensor "k_proj" has shape [4,2], but like has [4,4]'],
    ["float32 and float64 parameters mixed", () => modelFromCheckpoint(safetensors(mixed, meta({ embedDim: 4, numHeads: 2, numKvHeads: 1 }))), "kaun.modelFromCheckpoint", 'tensor "k_proj" has dtype F32 (float32), but like has float64'],
    ["modelMetadata of another layer", () => modelMetadata(bad(transformerBlock({ embedDim: 4, numHeads: 2 }))), "kaun.modelMetadata", "layer must be a decoderLM or multiHeadAttention layer, got an object"],
    ["modelMetadata of a copy of a layer's fields", () => modelMetadata(bad({ ...attn })), "kaun.modelMetadata", "layer must be a decoderLM or multiHeadAttention layer, got an object"],
    ["modelMetadata(layer, 'x')", () => modelMetadata(attn, bad("x")), "kaun.modelMetadata", 'extra must be an object of strings, got "x"'],
    ["modelMetadata: extra sets raven.config", () => modelMetadata(attn, { "raven.config": "{}" }), "kaun.modelMetadata", 'extra may not set "raven.config"'],
    ["modelMetadata: a value that is not a string", () => modelMetadata(attn, { "raven.vocab": bad(["a"]) }), "kaun.modelMetadata", 'extra["raven.vocab"] must be a string'],
  ];
  itRejects(cases);
});
