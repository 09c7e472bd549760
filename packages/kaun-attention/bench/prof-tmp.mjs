// Per-primitive time of MHA forward / forward+backward / decode on the CPU backend.
import * as nx from "@raven-ts/nx";
import * as rune from "@raven-ts/rune";
import * as attention from "/work/wt/wasm/packages/kaun-attention/dist/index.js";
const simd = process.argv[2] !== "ts";
const be = nx.cpuBackend({ simd, threads: Number(process.argv[3] ?? 1) });
nx.setBackend(be);
const stats = new Map();
for (const name of ["unary", "binary", "compare", "where", "reduce", "argReduce", "scan", "cast", "copy", "matmul", "gather", "scatterAdd", "pad", "concat", "fill", "iota", "upload", "read", "free", "randomUniform"]) {
  const f = be[name].bind(be);
  be[name] = (...args) => {
    const t = performance.now();
    const r = f(...args);
    const dt = performance.now() - t;
    const key = typeof args[0] === "string" ? `${name}.${args[0]}` : name;
    const shape = typeof args[0] === "string" ? args[1]?.shape : args[0]?.shape;
    const k2 = `${key} ${JSON.stringify(shape)}` + (name === "matmul" ? ` x ${JSON.stringify(args[1].shape)} s${JSON.stringify(args[0].strides)}/${JSON.stringify(args[1].strides)}` : "");
    const s = stats.get(k2) ?? { n: 0, t: 0 };
    s.n++; s.t += dt; stats.set(k2, s);
    return r;
  };
}
const B = 4, T = 128, E = 256, H = 8;
const t = (shape, seed) => nx.random.normal(nx.random.key(seed), shape);
const params = { q_proj: t([E, E], 1), k_proj: t([E, E], 2), v_proj: t([E, E], 3), out_proj: t([E, E], 4) };
const x = t([B, T, E], 5), r = t([B, T, E], 6);
const kind = process.argv[4] ?? "forward";
const layer = attention.multiHeadAttention({ embedDim: E, numHeads: H, isCausal: kind === "decode" });
const vars = { params, state: {}, dtype: "float32" };
let run;
if (kind === "forward") run = () => nx.tidy(() => layer.apply({ ...vars, training: false }, x)[0]).dataSync();
else if (kind === "grad") {
  const vg = rune.valueAndGrad((inp) => nx.sum(nx.mul(layer.apply({ params: inp.params, state: {}, dtype: "float32", training: false }, inp.x)[0], r)));
  run = () => nx.tidy(() => { const [v, g] = vg({ params, x }); v.dataSync(); g.x.dataSync(); return null; });
} else {
  const cache = nx.tidy(() => layer.decode(vars, t([B, T - 1, E], 7), layer.initCache({ batch: B, maxLength: T, dtype: "float32" }))[1]);
  const tok = t([B, 1, E], 8);
  run = () => nx.tidy(() => layer.decode(vars, tok, cache)[0]).dataSync();
}
const reps = kind === "decode" ? 200 : 10;
for (let i = 0; i < 3; i++) run();
stats.clear();
const t0 = performance.now();
for (let i = 0; i < reps; i++) run();
const total = (performance.now() - t0) / reps;
let prim = 0;
const rows = [...stats].map(([k, s]) => [k, s.n / reps, s.t / reps]).sort((a, b) => b[2] - a[2]);
for (const [, , ms] of rows) prim += ms;
console.log(`${kind} simd=${simd}: total ${total.toFixed(3)} ms/iter, in primitives ${prim.toFixed(3)} ms`);
for (const [k, n, ms] of rows.slice(0, 25)) console.log(ms.toFixed(3).padStart(8), String(n).padStart(5), k);
