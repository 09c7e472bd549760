// A module resolve hook (registered with `module.register` by `loadTfjs({
// gradients: true })`) that lets Node load tfjs-core's ES-module dist files.
//
// tfjs-core's Node bundle (its "main") leaves the gradient definitions out;
// they are registered by importing `@tensorflow/tfjs-core/dist/register_all_gradients`,
// an ES module written for bundlers: its relative imports have no file
// extension (`./gradients/Abs_grad`), which Node's resolver rejects. This hook
// retries exactly those imports with `.js` (then `/index.js`) and leaves every
// other resolution untouched. The gradients register into tfjs's global
// registry, shared with the Node bundle.

const TFJS_CORE_DIST = "/@tensorflow/tfjs-core/dist/";

/**
 * @param {string} specifier
 * @param {{ parentURL?: string }} context
 * @param {(specifier: string, context: { parentURL?: string }) => Promise<unknown>} nextResolve
 * @returns {Promise<unknown>}
 */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const relative = specifier.startsWith("./") || specifier.startsWith("../");
    if (!relative || !String(context.parentURL).includes(TFJS_CORE_DIST)) throw err;
    for (const suffix of [".js", "/index.js"]) {
      try {
        return await nextResolve(specifier + suffix, context);
      } catch {
        // try the next suffix
      }
    }
    throw err;
  }
}
