/**
 * `@raven-ts/rune`: reverse-mode automatic differentiation for `@raven-ts/nx`.
 *
 * `grad(f)(params)` differentiates a scalar loss with respect to a tensor or
 * a pytree of float tensors; `valueAndGrad` returns the loss too (and an
 * auxiliary result with `hasAux`); `vjp` gives the pullback of any function;
 * `stopGradient` marks a value as constant. A tape records nx primitives as
 * `f` runs and the backward pass applies one rule per primitive from one
 * exhaustive table ({@link VJP}), using public nx ops, so it runs on every
 * backend and differentiates again (`grad(grad(f))`).
 */
export type { GradOptions, Pullback, ValueAndGradOptions } from "./api.js";
export { grad, stopGradient, valueAndGrad, vjp } from "./api.js";
export type { VjpNode, VjpRule, VjpTable } from "./rules.js";
export { VJP, isDifferentiable } from "./rules.js";
