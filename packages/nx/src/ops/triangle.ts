/** `tril` and `triu`: keep one triangle of the last two axes and zero the rest. */
import { checkFits } from "../capacity.js";
import { InvalidArgumentError, fmtShape } from "../errors.js";
import { checkInteger } from "../options.js";
import { runOp } from "../scope.js";
import type { Tensor } from "../tensor.js";
import { fromHost } from "./creation.js";
import { where } from "./elementwise.js";
import { checkTensor } from "./operands.js";

function triangle(fn: string, x: Tensor, k: number, lower: boolean): Tensor {
  return runOp(fn, () => {
    checkTensor(fn, x);
    if (x.ndim < 2) throw new InvalidArgumentError(fn, `expected rank >= 2, got shape ${fmtShape(x.shape)}`);
    checkInteger(fn, "k", k);
    const rows = x.shape[x.ndim - 2] as number;
    const cols = x.shape[x.ndim - 1] as number;
    checkFits(fn, x.backend, x.shape, x.dtype);
    checkFits(fn, x.backend, [rows, cols], "bool");
    const mask = new Uint8Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mask[i * cols + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
    // A bool zero keeps bool tensors bool (a number 0 would promote them to int32).
    return where(fromHost(fn, mask, "bool", [rows, cols], x.backend), x, x.dtype === "bool" ? false : 0);
  });
}

/** `tril(x, k?)` keeps the elements on and below diagonal `k` of the last two axes (0: main, positive: above) and zeroes the rest. @throws InvalidArgumentError for rank < 2, a non-integer `k`, or a result the backend cannot hold. */
export function tril(x: Tensor, k = 0): Tensor {
  return triangle("nx.tril", x, k, true);
}

/** `triu(x, k?)` keeps the elements on and above diagonal `k` of the last two axes and zeroes the rest. @throws InvalidArgumentError as {@link tril}. */
export function triu(x: Tensor, k = 0): Tensor {
  return triangle("nx.triu", x, k, false);
}
