/**
 * `Loss`: scalar training objectives. Each returns a rank-0 tensor in the
 * predictions' float dtype: the mean of a per-example loss over every batch
 * position, differentiable through `@raven-ts/rune`. Classification losses
 * take **logits** (unnormalised scores) with classes on the last axis; a
 * logit of `-Infinity` (a masked class) is allowed wherever the target puts
 * no weight, and gives finite values and gradients. Each releases its
 * intermediate tensors before returning.
 */
import type { Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { softplus } from "./fn/activation.js";
import { checkFloatTensor, checkSameDevice, checkTensor, fail } from "./util.js";

function checkClassLogits(fn: string, logits: Tensor): number {
  checkFloatTensor(fn, "logits", logits);
  if (logits.ndim < 1) throw fail(fn, `logits must have a class axis (rank >= 1), got shape ${nx.fmtShape(logits.shape)}`);
  const classes = logits.shape[logits.ndim - 1] as number;
  if (classes < 1) throw fail(fn, `logits must have at least one class, got shape ${nx.fmtShape(logits.shape)}`);
  return classes;
}

function asDType(t: Tensor, like: Tensor): Tensor {
  return t.dtype === like.dtype ? t : nx.cast(t, like.dtype);
}

/**
 * `crossEntropy(logits, targets)` is the softmax cross-entropy
 * `mean(-Σ_c targets[..., c] * logSoftmax(logits)[..., c])`: `targets` holds a
 * probability distribution (one-hot labels, or soft labels) over the classes
 * on the last axis, with `logits`' shape; the sum runs over classes and the
 * mean over every other position. This is optax's
 * `softmax_cross_entropy(...).mean()` and PyTorch's `CrossEntropyLoss` with
 * probability targets (there classes are on axis 1; here on the last axis).
 * Non-float targets are cast to the logits' dtype. Stable for logits of any
 * magnitude (log-sum-exp).
 * @throws InvalidArgumentError when `logits` is not a float tensor of rank ≥ 1
 * with at least one class, `targets` is not a live tensor of the same shape,
 * or the two live on different backends.
 */
export function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
  const fn = "Loss.crossEntropy";
  checkClassLogits(fn, logits);
  checkTensor(fn, "targets", targets);
  if (!nx.shapesEqual(logits.shape, targets.shape)) throw fail(fn, `targets ${nx.fmtShape(targets.shape)} must have the logits' shape ${nx.fmtShape(logits.shape)}`);
  checkSameDevice(fn, [logits, targets]);
  return nx.tidy(() => {
    const y = asDType(targets, logits);
    // A class of target weight 0 contributes 0, also when its log-probability
    // is -Infinity (a masked logit), where 0 * -Infinity would be NaN.
    const logp = nx.where(nx.equal(y, 0), 0, nx.logSoftmax(logits, { axes: -1 }));
    return nx.neg(nx.mean(nx.sum(nx.mul(y, logp), { axes: -1 })));
  });
}

/**
 * `crossEntropySparse(logits, labels)` is {@link crossEntropy} with integer
 * class labels: `mean(logsumexp(logits) - logits[label])`, with `labels` of
 * the logits' shape without the class axis (PyTorch's `CrossEntropyLoss`
 * with class indices, optax's `softmax_cross_entropy_with_integer_labels(...).mean()`).
 * The labels are read back to the host and range-checked.
 * @throws InvalidArgumentError when `logits` is not a float tensor of rank ≥ 1,
 * `labels` is not an int32 tensor of shape `logits.shape[:-1]`, or a label is
 * negative or not below the number of classes (naming it and its position),
 * or the two live on different backends.
 */
export function crossEntropySparse(logits: Tensor, labels: Tensor): Tensor {
  const fn = "Loss.crossEntropySparse";
  const classes = checkClassLogits(fn, logits);
  checkTensor(fn, "labels", labels);
  if (labels.dtype !== "int32") throw fail(fn, `labels must be int32 class indices, got ${labels.dtype} ${nx.fmtShape(labels.shape)}`);
  if (!nx.shapesEqual(labels.shape, logits.shape.slice(0, -1))) {
    throw fail(fn, `labels ${nx.fmtShape(labels.shape)} must have the logits' shape without the class axis, ${nx.fmtShape(logits.shape.slice(0, -1))}`);
  }
  const ids = labels.dataSync();
  for (let i = 0; i < ids.length; i++) {
    const c = ids[i] as number;
    if (c < 0 || c >= classes) throw fail(fn, `label ${c} at flat position ${i} is out of range for ${classes} classes`);
  }
  checkSameDevice(fn, [logits, labels]);
  // The label's log-probability is gathered, not picked by a one-hot product:
  // a -Infinity (masked) logit elsewhere in the row stays out of the sum.
  return nx.tidy(() => nx.neg(nx.mean(nx.takeAlongAxis(nx.logSoftmax(logits, { axes: -1 }), nx.expandDims(labels, -1), { axis: -1 }))));
}

/**
 * `binaryCrossEntropy(logits, labels)` is the sigmoid binary cross-entropy
 * **on logits**, `mean(softplus(x) - x * y)` = `mean(-y log σ(x) - (1 - y) log(1 - σ(x)))`,
 * computed stably for any `|x|`: PyTorch's `BCEWithLogitsLoss` and optax's
 * `sigmoid_binary_cross_entropy(...).mean()`. Pass raw scores, not
 * probabilities. `labels` (in `[0, 1]`, soft labels allowed) has the logits'
 * shape; non-float labels are cast to the logits' dtype.
 * @throws InvalidArgumentError when `logits` is not a live float tensor, `labels` is not a live tensor of the same shape, or the two live on different backends.
 */
export function binaryCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const fn = "Loss.binaryCrossEntropy";
  checkFloatTensor(fn, "logits", logits);
  checkTensor(fn, "labels", labels);
  if (!nx.shapesEqual(logits.shape, labels.shape)) throw fail(fn, `labels ${nx.fmtShape(labels.shape)} must have the logits' shape ${nx.fmtShape(logits.shape)}`);
  checkSameDevice(fn, [logits, labels]);
  return nx.tidy(() => nx.mean(nx.sub(softplus(logits), nx.mul(logits, asDType(labels, logits)))));
}

function regression(fn: string, predictions: Tensor, targets: Tensor, f: (d: Tensor) => Tensor): Tensor {
  checkFloatTensor(fn, "predictions", predictions);
  checkTensor(fn, "targets", targets);
  if (!nx.shapesEqual(predictions.shape, targets.shape)) {
    throw fail(fn, `targets ${nx.fmtShape(targets.shape)} must have the predictions' shape ${nx.fmtShape(predictions.shape)} (no implicit broadcasting: reshape one of them)`);
  }
  checkSameDevice(fn, [predictions, targets]);
  return nx.tidy(() => nx.mean(f(nx.sub(predictions, asDType(targets, predictions)))));
}

/**
 * `mse(predictions, targets)` is the mean squared error `mean((predictions - targets)²)`
 * over every element (PyTorch's `MSELoss`). Shapes must be equal: a
 * `[n, 1]` against `[n]` mismatch is an error, not a silent broadcast.
 * Non-float targets are cast to the predictions' dtype.
 * @throws InvalidArgumentError when `predictions` is not a live float tensor, `targets` is not a live tensor of the same shape, or the two live on different backends.
 */
export function mse(predictions: Tensor, targets: Tensor): Tensor {
  return regression("Loss.mse", predictions, targets, (d) => nx.mul(d, d));
}

/**
 * `mae(predictions, targets)` is the mean absolute error `mean(|predictions - targets|)`
 * over every element (PyTorch's `L1Loss`), with {@link mse}'s shape rule.
 * @throws InvalidArgumentError as {@link mse}.
 */
export function mae(predictions: Tensor, targets: Tensor): Tensor {
  return regression("Loss.mae", predictions, targets, (d) => nx.abs(d));
}
