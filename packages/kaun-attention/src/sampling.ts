/**
 * Choosing the next token from a model's logits, for `decoderLM.generate`:
 * greedy at temperature 0, otherwise a draw from the softmax of the
 * filtered scores, with Hugging Face's order of filters (temperature,
 * top-k, top-p, min-p), each applied to the distribution the previous one
 * left (renormalised); and the options that end rows (stop ids, padding).
 */
import * as nx from "@raven-ts/nx";
import type { Tensor } from "@raven-ts/nx";
import { checkFinite, checkFloatTensor, checkNonNegInt, checkNonNegative, checkPositiveInt, describe, fail, optionalOptions } from "@raven-ts/kaun-core/internal";

/** How the next token is chosen (see {@link nextTokens}). */
export interface SamplingOptions {
  /** Softmax temperature; 0 picks the most likely token. */
  readonly temperature: number;
  /** Keep the `topK` highest scores (and those tied with the k-th); undefined keeps every token. */
  readonly topK: number | undefined;
  /** Keep the smallest set of most likely tokens whose probability reaches `topP`; 1 keeps every token. */
  readonly topP: number;
  /** Keep the tokens whose probability is at least `minP` times the largest; 0 keeps every token. */
  readonly minP: number;
}

/**
 * `samplingOptions(fn, o)` checks the sampling options of `o`
 * (`temperature` defaults to 1, `topK` to none, `topP` to 1, `minP` to 0).
 * @throws InvalidArgumentError naming `fn` when `temperature` is negative or not finite, `topK` is not a positive integer, `topP` is not in (0, 1] or `minP` not in [0, 1].
 */
export function samplingOptions(fn: string, o: { readonly temperature?: unknown; readonly topK?: unknown; readonly topP?: unknown; readonly minP?: unknown }): SamplingOptions {
  const temperature = checkNonNegative(fn, "temperature", o.temperature ?? 1);
  const topK = o.topK === undefined ? undefined : checkPositiveInt(fn, "topK", o.topK);
  const topP = o.topP === undefined ? 1 : checkFinite(fn, "topP", o.topP);
  if (!(topP > 0 && topP <= 1)) throw fail(fn, `topP must be a number in (0, 1], got ${describe(o.topP)}`);
  const minP = o.minP === undefined ? 0 : checkFinite(fn, "minP", o.minP);
  if (!(minP >= 0 && minP <= 1)) throw fail(fn, `minP must be a number in [0, 1], got ${describe(o.minP)}`);
  return { temperature, topK, topP, minP };
}

/**
 * `samplingKey(fn, key, temperature)` is `key` when it is an
 * `nx.random.Key`, or undefined when it is absent and `temperature` is 0
 * (greedy choices need no key).
 * @throws InvalidArgumentError naming `fn` when `key` is missing for `temperature > 0` or is not an `nx.random.Key`.
 */
export function samplingKey(fn: string, key: unknown, temperature: number): nx.random.Key | undefined {
  if (key === undefined && temperature > 0) throw fail(fn, "a key is required to sample with temperature > 0 (or pass temperature 0 for greedy decoding)");
  if (key !== undefined && !nx.random.isKey(key)) throw fail(fn, `key must be an nx.random.Key (nx.random.key(seed)), got ${describe(key)}`);
  return key;
}

/**
 * `stopOptions(fn, { stop?, padId? }, vocabSize)` is the set of stop ids
 * (`stop`: one id or a list; none by default) and the id that pads a row
 * after its stop token (`padId`, by default the first stop id).
 * @throws InvalidArgumentError naming `fn` when `stop` is neither an id nor a list of ids, an id or `padId` is not an integer in `[0, vocabSize)`, or `padId` comes without `stop`.
 */
export function stopOptions(fn: string, o: { readonly stop?: unknown; readonly padId?: unknown }, vocabSize: number): { stop: ReadonlySet<number>; padId: number } {
  const tokenId = (name: string, id: unknown): number => {
    const n = checkNonNegInt(fn, name, id);
    if (n >= vocabSize) throw fail(fn, `${name} must be a token id below vocabSize ${vocabSize}, got ${n}`);
    return n;
  };
  let ids: number[] = [];
  if (typeof o.stop === "number") ids = [tokenId("stop", o.stop)];
  else if (Array.isArray(o.stop)) ids = o.stop.map((id: unknown, i) => tokenId(`stop[${i}]`, id));
  else if (o.stop !== undefined) throw fail(fn, `stop must be a token id or an array of token ids, got ${describe(o.stop)}`);
  if (o.padId !== undefined && ids.length === 0) throw fail(fn, "padId fills the rows that produced a stop token; pass stop too");
  return { stop: new Set(ids), padId: o.padId === undefined ? (ids[0] ?? 0) : tokenId("padId", o.padId) };
}

/**
 * `filteredScores(logits, options)` is `logits / temperature` (`[batch,
 * vocab]`, temperature > 0) with the tokens the filters drop set to
 * `-Infinity`, in this order: top-k keeps the scores at least the k-th
 * largest (`nx.topk`); top-p keeps the tokens whose probability (softmax of
 * what top-k kept) is at least that of the last token of the nucleus, the
 * shortest prefix of the tokens sorted by probability whose sum reaches
 * `topP`; min-p keeps the tokens whose probability is at least `minP` times
 * the largest. Ties with a boundary token are kept, so no filter breaks a
 * tie arbitrarily, and the most likely token always stays.
 */
export function filteredScores(logits: Tensor, { temperature, topK, topP, minP }: SamplingOptions): Tensor {
  const vocab = logits.shape[logits.ndim - 1] as number;
  let scores = temperature === 1 ? logits : nx.div(logits, temperature);
  if (topK !== undefined && topK < vocab) {
    const [values, indices] = nx.topk(scores, topK, { axis: -1 });
    indices.dispose();
    const kth = nx.slice(values, [null, { start: topK - 1 }]); // [batch, 1]
    scores = nx.where(nx.less(scores, kth), -Infinity, scores);
  }
  if (topP < 1) {
    const probs = nx.softmax(scores, { axes: -1 });
    const sorted = nx.sort(probs, { axis: -1, descending: true });
    const before = nx.sub(nx.cumsum(sorted, { axis: -1 }), sorted); // the probability of the tokens ranked above
    const kept = nx.sum(nx.cast(nx.less(before, topP), "int32"), { axes: -1, keepdims: true }); // >= 1: the first has 0 before it
    const last = nx.takeAlongAxis(sorted, nx.sub(kept, 1), { axis: -1 }); // the nucleus's least likely token
    scores = nx.where(nx.less(probs, last), -Infinity, scores);
  }
  if (minP > 0) {
    const ratio = nx.exp(nx.sub(scores, nx.max(scores, { axes: -1, keepdims: true }))); // p / p_max
    scores = nx.where(nx.less(ratio, minP), -Infinity, scores);
  }
  return scores;
}

/**
 * `nextTokens(logits, key, options)` is the int32 token `[batch]` chosen
 * from each row of `logits` `[batch, vocab]`: the first most likely at
 * temperature 0 (the filters do not matter then), otherwise a draw from
 * softmax of {@link filteredScores} by `nx.random.categorical` with `key`.
 * Call it inside `nx.tidy`: it leaves its intermediates to the caller's scope.
 */
export function nextTokens(logits: Tensor, key: nx.random.Key | undefined, options: SamplingOptions): Tensor {
  if (options.temperature === 0 || key === undefined) return nx.argmax(logits, { axis: -1 });
  return nx.random.categorical(key, filteredScores(logits, options), { axis: -1 });
}

/** Options of {@link sampleTokens}. */
export interface SampleTokensOptions {
  /** Softmax temperature (logits are divided by it); 0 picks the most likely token (greedy); defaults to 1. */
  readonly temperature?: number;
  /** Sample among the `topK` most likely tokens only (and any tied with the k-th); defaults to every token. */
  readonly topK?: number;
  /** Nucleus sampling: among the smallest set of most likely tokens whose probability reaches `topP`, renormalised; in (0, 1]; defaults to 1 (every token). */
  readonly topP?: number;
  /** Sample among the tokens whose probability is at least `minP` times the most likely one's; in [0, 1]; defaults to 0 (every token). */
  readonly minP?: number;
  /** The sampling key (`nx.random.key(seed)`); required unless `temperature` is 0. */
  readonly key?: nx.random.Key;
}

/** The names of the options that filter the scores (those of {@link SamplingOptions}), which `sampleTokens` and `generate` take. */
export const SAMPLING_KEYS = ["temperature", "topK", "topP", "minP"] as const satisfies readonly (keyof SampleTokensOptions)[];

/**
 * `sampleTokens(logits, { temperature?, topK?, topP?, minP?, key? })` is
 * the int32 token `[batch]` chosen from each row of `logits` `[batch,
 * vocab]` (float32 or float64) exactly as `decoderLM.generate` chooses each
 * new token: at `temperature` 0 the most likely one (the first on ties; the
 * filters do not apply); otherwise a draw (`nx.random.categorical` with
 * `key`) from the logits divided by `temperature`, then filtered by top-k,
 * top-p and min-p in that order, each on the distribution the previous one
 * left (renormalised); the most likely token always survives. It is the
 * step of a token-by-token decoding loop of your own (streaming, say):
 * `generate` draws its step `i` with `nx.random.foldIn(key, i)`, so passing
 * the same keys reproduces its tokens. `temperature` defaults to 1, `topK`
 * to every token, `topP` to 1, `minP` to 0. Only the result stays live.
 * @throws InvalidArgumentError when `logits` is not a live float tensor
 * `[batch, vocab >= 1]`, `options` is not an object or names an unknown
 * option, `temperature` is negative or not finite, `topK` is not a positive
 * integer, `topP` is not in (0, 1], `minP` is not in [0, 1], or `key` is
 * missing for `temperature > 0` or is not an `nx.random.Key`.
 */
export function sampleTokens(logits: Tensor, options?: SampleTokensOptions): Tensor {
  const fn = "sampleTokens";
  const t = checkFloatTensor(fn, "logits", logits);
  if (t.ndim !== 2 || (t.shape[1] as number) < 1) throw fail(fn, `logits must be [batch, vocab >= 1], got ${describe(t)}`);
  const o = optionalOptions(fn, options, [...SAMPLING_KEYS, "key"]);
  const sampling = samplingOptions(fn, o);
  const key = samplingKey(fn, o.key, sampling.temperature);
  return nx.tidy(() => nextTokens(t, key, sampling));
}
