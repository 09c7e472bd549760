/** The validated configuration of a multi-head attention layer. */
import { checkBool, checkOptions, checkPositive, checkPositiveInt, checkRate, fail } from "@raven-ts/kaun-core/internal";

/** Options of `multiHeadAttention`, the seed's labelled arguments. */
export interface MultiHeadAttentionOptions {
  /** The model width: input and output feature size. */
  readonly embedDim: number;
  /** The number of query heads; `embedDim` must be divisible by it. */
  readonly numHeads: number;
  /** The number of key/value heads; defaults to `numHeads` (standard MHA); fewer gives grouped-query attention. */
  readonly numKvHeads?: number;
  /** The dropout rate on the attention weights during training, in [0, 1); defaults to 0. */
  readonly dropout?: number;
  /** Whether a query attends only to itself and earlier positions; defaults to false. */
  readonly isCausal?: boolean;
  /** Whether rotary position embeddings are applied to queries and keys; defaults to false. */
  readonly rope?: boolean;
  /** The RoPE base frequency; defaults to 10000. */
  readonly ropeTheta?: number;
}

/** The option names of `multiHeadAttention`. */
export const ATTENTION_KEYS = ["embedDim", "numHeads", "numKvHeads", "dropout", "isCausal", "rope", "ropeTheta"] as const satisfies readonly (keyof MultiHeadAttentionOptions)[];

/** `pick(options, keys)` is the entries of `options` named in `keys` (the options a composite passes on to a part). */
export function pick<T extends object, K extends keyof T>(options: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (options[k] !== undefined) out[k] = options[k];
  return out;
}

/** A configuration with every default filled in and every constraint checked. */
export interface AttentionConfig {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly isCausal: boolean;
  readonly rope: boolean;
  readonly ropeTheta: number;
}

/**
 * `attentionConfig(fn, options)` fills in the defaults of `options` and
 * checks them (the option names are checked by the public function, which
 * knows which others it takes).
 * @throws InvalidArgumentError naming `kaun.<fn>` when the options are
 * missing, a size is not a positive integer, `embedDim` is not divisible by
 * `numHeads`, `numHeads` is not divisible by `numKvHeads`, `dropout` is
 * outside [0, 1), `ropeTheta` is not a positive finite number, a flag is not
 * a boolean, or `rope` is set with an odd head size.
 */
export function attentionConfig(fn: string, options: MultiHeadAttentionOptions): AttentionConfig {
  const o = checkOptions(fn, options, "{ embedDim, numHeads }");
  const embedDim = checkPositiveInt(fn, "embedDim", o.embedDim);
  const numHeads = checkPositiveInt(fn, "numHeads", o.numHeads);
  const numKvHeads = checkPositiveInt(fn, "numKvHeads", o.numKvHeads ?? numHeads);
  if (embedDim % numHeads !== 0) throw fail(fn, `embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
  if (numHeads % numKvHeads !== 0) throw fail(fn, `numHeads (${numHeads}) must be divisible by numKvHeads (${numKvHeads})`);
  const dropout = checkRate(fn, "dropout", o.dropout ?? 0);
  const isCausal = checkBool(fn, "isCausal", o.isCausal, false);
  const rope = checkBool(fn, "rope", o.rope, false);
  const ropeTheta = checkPositive(fn, "ropeTheta", o.ropeTheta ?? 10000);
  const headDim = embedDim / numHeads;
  if (rope && headDim % 2 !== 0) throw fail(fn, `rope needs an even head size, got embedDim / numHeads = ${embedDim} / ${numHeads} = ${headDim}`);
  return { embedDim, numHeads, numKvHeads, headDim, dropout, isCausal, rope, ropeTheta };
}
