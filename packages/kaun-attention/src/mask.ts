/** The padding mask that `multiHeadAttention` reads from the `Context`. */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { checkCtx, checkTensor, fail } from "@raven-ts/kaun-core/internal";

/**
 * `attentionMaskKey` is `"attention_mask"`: the well-known `Context` key that
 * `multiHeadAttention` reads during the forward pass.
 */
export const attentionMaskKey = "attention_mask";

/**
 * `paddingMask(fn, ctx, batch, seqK)` is the padding mask under
 * {@link attentionMaskKey} (`[batch, seqK]`; true / nonzero keeps a key
 * position), or `undefined` when `ctx` is absent or holds none. Bool and
 * int32 masks are what the seed specifies; any other numeric dtype is read
 * the same way (nonzero keeps).
 * @throws InvalidArgumentError naming `fn` when `ctx` is not a `Context`, or
 * the mask was disposed or its shape is not `[batch, seqK]`.
 */
export function paddingMask(fn: string, ctx: unknown, batch: number, seqK: number): Tensor | undefined {
  const found = checkCtx(fn, ctx)?.find(attentionMaskKey);
  if (found === undefined) return undefined;
  const mask = checkTensor(fn, `the ${nx.fmtValue(attentionMaskKey)} mask`, found);
  if (!nx.shapesEqual(mask.shape, [batch, seqK])) {
    throw fail(fn, `the ${nx.fmtValue(attentionMaskKey)} mask must have shape [batch, seqK] = [${batch},${seqK}], got ${nx.fmtShape(mask.shape)}`);
  }
  return mask;
}
