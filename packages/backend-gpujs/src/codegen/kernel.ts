/**
 * A kernel as the ops describe it ({@link KernelSpec}: parameter names and a
 * body over the flat output index `o`) and its assembly into gpu.js source.
 */
import type { HelperFunction, ReturnKind } from "../gpu/engine.js";
import { helpersFor, helpersUsedIn } from "./helpers.js";

/** A kernel before assembly. */
export interface KernelSpec {
  /** The op family it implements, for compile statistics (`"unary.exp"`). */
  readonly family: string;
  /** Names of the device-array parameters, in argument order. */
  readonly buffers: readonly string[];
  /** Names of the float scalar parameters, after the buffers. */
  readonly scalars?: readonly string[];
  /**
   * Statements computing one output element from `o`, the flat output index
   * (a float), ending in `return`. May use `kNaN` and `kInf`, and the helpers
   * of `helpers.ts` by name.
   */
  readonly body: string;
  /** `"vec4"` for kernels returning four values per element (packed layouts). */
  readonly returns?: ReturnKind;
}

/** An assembled kernel: source plus what the engine needs to build it. */
export interface AssembledKernel {
  readonly source: string;
  /** Every parameter name, in argument order. */
  readonly params: readonly string[];
  readonly helpers: readonly HelperFunction[];
  /** True when the kernel takes `kNaN, kInf` as its last two arguments. */
  readonly specials: boolean;
}

/** `assemble(spec)` is the gpu.js source of `spec`, with the helpers it calls. */
export function assemble(spec: KernelSpec): AssembledKernel {
  const helpers = helpersFor(helpersUsedIn(spec.body));
  const specials = /\bk(NaN|Inf)\b/.test(spec.body) || helpers.some((h) => /\bk(NaN|Inf)\b/.test(h.source));
  const scalars = [...(spec.scalars ?? []), ...(specials ? ["kNaN", "kInf"] : [])];
  const params = [...spec.buffers, ...scalars];
  const source = `function (${params.join(", ")}) {\nconst o = this.thread.x + 0.0;\n${spec.body}\n}`;
  return { source, params, helpers, specials };
}
