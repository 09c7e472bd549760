/** `perplexity`: exp of the mean negative log-likelihood per token, for language models. */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { checkFloatTensor, checkInt, describe, fail, optionalOptions } from "../util.js";
import { checkTargets, hostValues, isClassScores, type Metric } from "./metric.js";

/** Options of {@link perplexity}. */
export interface PerplexityOptions {
  /** A target id that marks a position to skip (padding), as PyTorch's `ignore_index`; defaults to none. */
  readonly ignoreIndex?: number;
}

/**
 * `perplexity({ ignoreIndex? })` is a streaming perplexity:
 * `exp(sum of token NLL / number of tokens)` over every batch given to
 * `update(logits, targets)`, where a token's NLL is
 * `logsumexp(logits) - logits[target]` (the cross-entropy of
 * `Loss.crossEntropySparse`, per token). Batches weigh by their token
 * counts, so the result is that of all tokens at once, not a mean of batch
 * perplexities. `logits` is float `[...targets.shape, vocab]`; `targets` holds
 * token ids in `[0, vocab)` (int32, uint8 or bool); positions whose target
 * is `ignoreIndex` are skipped. NLLs are computed in the logits' dtype and
 * summed in float64. `compute()` is NaN before any token was counted, and
 * `Infinity` when a target had probability 0 (a `-Infinity` logit).
 * `name` is `"perplexity"`; `ignoreIndex` defaults to none.
 * @throws InvalidArgumentError when `ignoreIndex` is not an integer;
 * `update` (naming `kaun.Metric.perplexity.update`), when the arguments are
 * not live tensors, `logits` is not float `[...targets.shape, vocab]`,
 * targets are not labels, a target is out of range, or they live on
 * different backends. A rejected update adds nothing.
 */
export function perplexity(options: PerplexityOptions = {}): Metric {
  const o = optionalOptions("Metric.perplexity", options, ["ignoreIndex"]);
  const ignoreIndex = o.ignoreIndex === undefined ? undefined : checkInt("Metric.perplexity", "ignoreIndex", o.ignoreIndex);
  let nll = 0;
  let tokens = 0;
  return {
    name: "perplexity",
    update(logits: Tensor, targets: Tensor): void {
      const fn = "Metric.perplexity.update";
      const l = checkFloatTensor(fn, "logits", logits);
      const t = checkTargets(fn, targets);
      if (!isClassScores(l, t)) throw fail(fn, `logits ${describe(l)} must be float [...targets.shape, vocab] for targets ${nx.fmtShape(t.shape)}`);
      nx.checkSameBackend(`kaun.${fn}`, [l, t]);
      const vocab = l.shape[t.ndim] as number;
      const ids = hostValues(t);
      const keep = new Int32Array(ids.length);
      let kept = 0;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as number;
        if (id === ignoreIndex) continue;
        if (id < 0 || id >= vocab) throw fail(fn, `target ${id} at flat position ${i} is out of range for a vocabulary of ${vocab}${ignoreIndex === undefined ? "" : ` (and is not ignoreIndex ${ignoreIndex})`}`);
        keep[i] = 1;
        kept++;
      }
      if (kept === 0) return;
      const perToken = nx.tidy(() => {
        const safe = nx.tensor(Int32Array.from(ids, (id, i) => (keep[i] === 1 ? id : 0)), { dtype: "int32", shape: [...t.shape, 1], backend: l.backend });
        return hostValues(nx.neg(nx.takeAlongAxis(nx.logSoftmax(l, { axes: -1 }), safe, { axis: -1 })));
      });
      let sum = 0;
      for (let i = 0; i < perToken.length; i++) if (keep[i] === 1) sum += perToken[i] as number;
      nll += sum;
      tokens += kept;
    },
    compute: () => (tokens === 0 ? Number.NaN : Math.exp(nll / tokens)),
    reset: () => {
      nll = 0;
      tokens = 0;
    },
  };
}
