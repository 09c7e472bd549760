/**
 * `nx.tree`: pytree utilities over nested arrays and plain objects of tensors
 * (see `pytree.ts` for the definitions of nodes, leaves and paths).
 */
export type { Tree, TreeDef } from "./pytree.js";
export { MAX_TREE_DEPTH, flatten, flattenWithPaths, leaves, map, map2, unflatten } from "./pytree.js";
