/** Loads `../shared/fixtures/attention_golden.json` (beside the repository root) at test time. */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A flat array with its shape, as the fixture stores tensors. */
export interface FixtureArray {
  readonly shape: number[];
  readonly data: number[];
}

/** A multi-head attention case. */
export interface MhaCase {
  readonly kind: "mha";
  readonly name: string;
  readonly config: { embedDim: number; numHeads: number; numKvHeads: number; isCausal: boolean; rope: boolean; ropeTheta: number };
  readonly x: FixtureArray;
  readonly params: Record<"q_proj" | "k_proj" | "v_proj" | "out_proj", FixtureArray>;
  readonly attention_mask: (FixtureArray & { dtype: "int32" | "bool" }) | null;
  readonly expected: FixtureArray;
  readonly cotangent: FixtureArray;
  readonly grads: Record<"x" | "q_proj" | "k_proj" | "v_proj" | "out_proj", number[]>;
}

/** A standalone RoPE case. */
export interface RopeCase {
  readonly kind: "rope";
  readonly name: string;
  readonly theta: number;
  readonly seqDim: number;
  readonly x: FixtureArray;
  readonly expected: FixtureArray;
}

const sharedDir = process.env.RAVEN_SHARED_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared");

/** Every case of the golden fixture. */
export const cases: (MhaCase | RopeCase)[] = (JSON.parse(readFileSync(resolve(sharedDir, "fixtures/attention_golden.json"), "utf8")) as { cases: (MhaCase | RopeCase)[] }).cases;

/** `expectClose(actual, expected, atol, rtol, what)` throws naming the first element with `|a - e| > atol + rtol * |e|`. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`${what}: element ${i} is ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`);
  }
}
