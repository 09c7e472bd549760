// A short tour of @raven-ts/nx, run by `pnpm demo` (or `bash scripts/demo.sh`
// on a fresh machine). It imports the package's own build, so build first:
//   pnpm --filter @raven-ts/nx build && node packages/nx/examples/demo.mjs

import * as nx from "../dist/index.js";

/** @param {string} title @param {{ toString(): string }} value */
function show(title, value) {
  console.log(`\n${title}`);
  console.log(String(value));
}

console.log(`@raven-ts/nx demo (backend: ${nx.getBackend().name})`);

// Tensors from nested arrays; float32 is the default dtype.
const x = nx.tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
show(`x: shape [${x.shape}], ${x.dtype}`, x);

// Broadcasting: [2,3] + [3] adds the row to every row; a JS number broadcasts too.
const row = nx.tensor([10, 20, 30]);
show("x + [10, 20, 30]", nx.add(x, row));
show("x * 2 - 1", nx.sub(nx.mul(x, 2), 1));

// arange + reshape, then a matrix product [2,3] @ [3,2].
const w = nx.reshape(nx.arange(6), [3, 2]);
show("w = reshape(arange(6), [3, 2])", w);
const y = nx.matmul(x, w);
show("x @ w", y);

// Softmax along the last axis: every row sums to one.
const p = nx.softmax(x, { axes: [-1] });
show("softmax(x, { axes: [-1] })", p);
show("sum(softmax(x), { axes: [-1], keepdims: true })", nx.sum(p, { axes: [-1], keepdims: true }));

// Reductions over chosen axes, or over everything.
show("sum(x, { axes: [0] })", nx.sum(x, { axes: [0] }));
console.log(`\nsum(x) = ${nx.sum(x).item()}`);

// Keyed random numbers: the values depend only on the key.
const key = nx.random.key(0);
const z1 = nx.random.normal(key, [2, 3]);
const z2 = nx.random.normal(key, [2, 3]);
show("random.normal(random.key(0), [2, 3])", z1);
const same = nx.sum(nx.equal(z1, z2)).item() === z1.size;
console.log(`same key, same numbers: ${same}`);
