import * as nx from "@raven-ts/nx";
import * as rune from "@raven-ts/rune";
import { describe, expect, test } from "vitest";
import { Loss } from "../src/index.js";
import { expectClose, softmaxRow, values } from "./helpers.js";

const logits = [
  [2, 1, -1],
  [0.5, 0.5, 3],
];
const L = nx.tensor(logits, { dtype: "float64" });

describe("classification losses", () => {
  test("crossEntropy with one-hot and soft targets: -Σ y log softmax, mean over the batch", () => {
    const targets = [
      [0, 1, 0],
      [0.2, 0.3, 0.5],
    ];
    const expected = logits.map((r, i) => -softmaxRow(r).reduce((a, p, c) => a + targets[i]![c]! * Math.log(p), 0)).reduce((a, b) => a + b, 0) / 2;
    const l = Loss.crossEntropy(L, nx.tensor(targets, { dtype: "float64" }));
    expect(l.shape).toEqual([]);
    expect(l.dtype).toBe("float64");
    expectClose(l, [expected], 1e-14, 1e-14);
  });

  test("crossEntropySparse equals crossEntropy on one-hot labels", () => {
    const labels = nx.tensor([1, 2], { dtype: "int32" });
    const expected = -(Math.log(softmaxRow(logits[0]!)[1]!) + Math.log(softmaxRow(logits[1]!)[2]!)) / 2;
    expectClose(Loss.crossEntropySparse(L, labels), [expected], 1e-14, 1e-14);
    expectClose(Loss.crossEntropySparse(L, labels), values(Loss.crossEntropy(L, nx.oneHot(labels, 3, { dtype: "float64" }))), 1e-15, 0);
    // Leading axes: [batch, seq, classes] with [batch, seq] labels.
    const l3 = Loss.crossEntropySparse(nx.reshape(L, [1, 2, 3]), nx.reshape(labels, [1, 2]));
    expectClose(l3, [expected], 1e-14, 1e-14);
  });

  test("cross-entropy is stable for huge logits", () => {
    const big = nx.tensor([[1000, -1000, 0]]);
    expectClose(Loss.crossEntropySparse(big, nx.tensor([0], { dtype: "int32" })), [0], 0, 0);
    expectClose(Loss.crossEntropySparse(big, nx.tensor([2], { dtype: "int32" })), [1000], 0, 1e-6);
  });

  test("cross-entropy gradient is softmax - onehot (over the batch size)", () => {
    const labels = nx.tensor([1, 2], { dtype: "int32" });
    const g = rune.grad((x: nx.Tensor) => Loss.crossEntropySparse(x, labels))(L);
    const expected = logits.flatMap((r, i) => softmaxRow(r).map((p, c) => (p - (c === [1, 2][i] ? 1 : 0)) / 2));
    expectClose(g, expected, 1e-14, 1e-12);
  });

  test("binaryCrossEntropy on logits matches BCEWithLogits, stable and with the right gradient", () => {
    const x = [-3, -0.5, 0, 2, 40, -40];
    const y = [0, 1, 1, 0, 1, 0.5];
    const ref = x.map((xi, i) => Math.max(xi, 0) - xi * y[i]! + Math.log1p(Math.exp(-Math.abs(xi)))).reduce((a, b) => a + b, 0) / x.length;
    const xt = nx.tensor(x, { dtype: "float64" });
    expectClose(Loss.binaryCrossEntropy(xt, nx.tensor(y, { dtype: "float64" })), [ref], 1e-14, 1e-13);
    const huge = Loss.binaryCrossEntropy(nx.tensor([1e4, -1e4]), nx.tensor([0, 1]));
    expectClose(huge, [1e4], 0, 1e-6);
    // d/dx = (sigmoid(x) - y) / n, including at x = 0.
    const g = rune.grad((t: nx.Tensor) => Loss.binaryCrossEntropy(t, nx.tensor(y, { dtype: "float64" })))(xt);
    expectClose(g, x.map((xi, i) => (1 / (1 + Math.exp(-xi)) - y[i]!) / x.length), 1e-15, 1e-12);
    // Integer or bool labels are accepted.
    expectClose(Loss.binaryCrossEntropy(nx.tensor([0]), nx.tensor([true])), [Math.LN2]);
  });

  test("errors", () => {
    expect(() => Loss.crossEntropy(L, nx.ones([2, 2], "float64"))).toThrow("kaun.Loss.crossEntropy: targets [2,2] must have the logits' shape [2,3]");
    expect(() => Loss.crossEntropySparse(L, nx.tensor([1, 3], { dtype: "int32" }))).toThrow("kaun.Loss.crossEntropySparse: label 3 at flat position 1 is out of range for 3 classes");
    expect(() => Loss.crossEntropySparse(L, nx.tensor([1, 0]))).toThrow("kaun.Loss.crossEntropySparse: labels must be int32 class indices, got float32 [2]");
    expect(() => Loss.crossEntropySparse(L, nx.tensor([1], { dtype: "int32" }))).toThrow("labels [1] must have the logits' shape without the class axis, [2]");
    expect(() => Loss.crossEntropy(nx.scalar(1), nx.scalar(1))).toThrow(/logits must have a class axis \(rank >= 1\), got shape \[\]/);
    expect(() => Loss.binaryCrossEntropy(nx.ones([2, 1]), nx.ones([2]))).toThrow("kaun.Loss.binaryCrossEntropy: labels [2] must have the logits' shape [2,1]");
  });
});

describe("regression losses", () => {
  const p = nx.tensor([[1, 2], [3, 4]]);
  const t = nx.tensor([[0, 2], [5, 3.5]]);

  test("mse and mae average over every element", () => {
    expectClose(Loss.mse(p, t), [(1 + 0 + 4 + 0.25) / 4]);
    expectClose(Loss.mae(p, t), [(1 + 0 + 2 + 0.5) / 4]);
    expectClose(Loss.mse(p, nx.tensor([[1, 2], [3, 4]], { dtype: "int32" })), [0]);
  });

  test("mse gradient is 2 (p - t) / n", () => {
    const g = rune.grad((x: nx.Tensor) => Loss.mse(x, t))(p);
    expectClose(g, [0.5, 0, -1, 0.25]);
  });

  test("shapes must match exactly (no silent broadcasting)", () => {
    expect(() => Loss.mse(nx.ones([4, 1]), nx.ones([4]))).toThrow(
      "kaun.Loss.mse: targets [4] must have the predictions' shape [4,1] (no implicit broadcasting: reshape one of them)",
    );
    expect(() => Loss.mae(nx.ones([2], "int32"), nx.ones([2]))).toThrow("kaun.Loss.mae: predictions must be a float32 or float64 tensor, got int32 [2]");
  });
});
