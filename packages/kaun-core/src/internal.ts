/**
 * `@raven-ts/kaun-core/internal`: the argument checks kaun-core's own
 * modules use, for the packages built on kaun-core (such as
 * `@raven-ts/kaun-attention`), so that every kaun package validates
 * arguments and words its errors the same way (`kaun.<fn>: ...`, values
 * described in bounded length).
 *
 * **Internal**: not part of the public API and not covered by semver; it may
 * change in any release. Applications should not import it.
 */
export {
  checkBool,
  checkFinite,
  checkFloatDType,
  checkFloatTensor,
  checkFunction,
  checkModelInput,
  checkNonNegative,
  checkNonNegInt,
  checkOneOf,
  checkOptions,
  checkPositive,
  checkPositiveInt,
  checkRate,
  checkSameDevice,
  checkTensor,
  describe,
  fail,
  isRecord,
  optionalOptions,
  reworded,
} from "./util.js";
export { checkLastAxis, field, initParams, param } from "./layers/params.js";
export { checkLayer, checkResult, checkVars } from "./layer.js";
export { checkCtx } from "./context.js";
