/**
 * The kernel module: every WebAssembly kernel of the CPU backend, emitted
 * into one module (so one instance per thread serves them all).
 */
import type { ModuleBuilder } from "./assembler.js";
import { emitCopies } from "./copy.js";
import { emitDots } from "./dots.js";
import { emitElementwise } from "./elementwise.js";
import { emitGemm, F32_LANES, F64_LANES, GEMM_SHAPES, gemmScratchBytes } from "./gemm.js";
import { emitRandomKernels, RANDOM_SCRATCH_BYTES } from "./random.js";
import { emitReductions } from "./reduce.js";
import { emitSelect, SELECT_SCRATCH_BYTES } from "./select.js";
import { emitSoftmax } from "./softmax.js";

/** Per-thread scratch every kernel may use (the GEMM's packed `A` block and tile, for either float type; a random kernel's last group; a top-k selection's heap). */
export const SCRATCH_BYTES = Math.max(gemmScratchBytes(F32_LANES, GEMM_SHAPES.f32), gemmScratchBytes(F64_LANES, GEMM_SHAPES.f64), RANDOM_SCRATCH_BYTES, SELECT_SCRATCH_BYTES);

/** `emitKernels(mod, fma)` adds every kernel to `mod`; `fma` lets the GEMM use relaxed-SIMD multiply-adds. */
export function emitKernels(mod: ModuleBuilder, fma: boolean): void {
  emitGemm(mod, F32_LANES, GEMM_SHAPES.f32, fma);
  emitGemm(mod, F64_LANES, GEMM_SHAPES.f64, fma);
  emitDots(mod);
  emitCopies(mod);
  emitElementwise(mod);
  emitReductions(mod);
  emitSoftmax(mod);
  emitSelect(mod);
  emitRandomKernels(mod);
}
