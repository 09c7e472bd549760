/** The padding mask that `multiHeadAttention` reads from the `Context`. */
import * as nx from "@raven-ts/nx";
import { InvalidArgumentError, type Tensor } from "@raven-ts/nx";
import type { Context } from "@raven-ts/kaun-core";

/**
 * `attentionMaskKey` is `"attention_mask"`: the well-known `Context` key that
 * `multiHeadAttention` reads during the forward pass.
 */
export const attentionMaskKey = "attention_mask";

/**
 * `paddingKeep(fn, ctx, batch, seqK)` is the padding mask under
 * {@link attentionMaskKey} as a bool `[batch, seqK]` "keep" tensor (true /
 * nonzero keeps a key position), or `undefined` when `ctx` holds none. Bool
 * and int32 masks are what the seed specifies; any other numeric dtype is
 * read the same way (nonzero keeps).
 * @throws InvalidArgumentError naming `fn` when the mask's shape is not `[batch, seqK]`.
 */
export function paddingKeep(fn: string, ctx: Context | undefined, batch: number, seqK: number): Tensor | undefined {
  const mask = ctx?.find(attentionMaskKey);
  if (mask === undefined) return undefined;
  if (mask.ndim !== 2 || mask.shape[0] !== batch || mask.shape[1] !== seqK) {
    throw new InvalidArgumentError(fn, `the ${JSON.stringify(attentionMaskKey)} mask must have shape [batch, seqK] = [${batch},${seqK}], got [${mask.shape.join(",")}]`);
  }
  return mask.dtype === "bool" ? mask : nx.notEqual(mask, 0);
}
