/** The validated configuration of a multi-head attention layer. */
import { InvalidArgumentError } from "@raven-ts/nx";

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

function positiveInt(fn: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new InvalidArgumentError(fn, `${name} must be a positive integer, got ${String(v)}`);
  return v;
}

function bool(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new InvalidArgumentError(fn, `${name} must be a boolean, got ${String(v)}`);
  return v;
}

/**
 * `attentionConfig(fn, options)` fills in the defaults of `options` and checks them.
 * @throws InvalidArgumentError naming `fn` when a size is not a positive
 * integer, `embedDim` is not divisible by `numHeads`, `numHeads` is not
 * divisible by `numKvHeads`, `dropout` is outside [0, 1), `ropeTheta` is not a
 * positive finite number, a flag is not a boolean, or `rope` is set with an
 * odd head size.
 */
export function attentionConfig(fn: string, options: MultiHeadAttentionOptions): AttentionConfig {
  if (typeof options !== "object" || options === null) throw new InvalidArgumentError(fn, `options { embedDim, numHeads } are required, got ${String(options)}`);
  const embedDim = positiveInt(fn, "embedDim", options.embedDim);
  const numHeads = positiveInt(fn, "numHeads", options.numHeads);
  const numKvHeads = positiveInt(fn, "numKvHeads", options.numKvHeads ?? numHeads);
  if (embedDim % numHeads !== 0) throw new InvalidArgumentError(fn, `embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
  if (numHeads % numKvHeads !== 0) throw new InvalidArgumentError(fn, `numHeads (${numHeads}) must be divisible by numKvHeads (${numKvHeads})`);
  const dropout = options.dropout ?? 0;
  if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) throw new InvalidArgumentError(fn, `dropout must be in [0, 1), got ${String(dropout)}`);
  const isCausal = bool(fn, "isCausal", options.isCausal ?? false);
  const rope = bool(fn, "rope", options.rope ?? false);
  const ropeTheta = options.ropeTheta ?? 10000;
  if (typeof ropeTheta !== "number" || !(ropeTheta > 0) || !Number.isFinite(ropeTheta)) {
    throw new InvalidArgumentError(fn, `ropeTheta must be a positive finite number, got ${String(ropeTheta)}`);
  }
  const headDim = embedDim / numHeads;
  if (rope && headDim % 2 !== 0) throw new InvalidArgumentError(fn, `rope needs an even head size, got embedDim / numHeads = ${embedDim} / ${numHeads} = ${headDim}`);
  return { embedDim, numHeads, numKvHeads, headDim, dropout, isCausal, rope, ropeTheta };
}
