import * as nx from '@raven-ts/nx';
import { gpujsBackend } from '/work/main/packages/backend-gpujs/dist/index.js';
const mode = process.argv[2];
const n = Number(process.argv[3] ?? 256);
const b = mode === 'nxcpu' ? 'cpu' : gpujsBackend({ mode });
nx.setBackend(b);
const a = nx.random.uniform(nx.random.key(1), [n, n]);
const c = nx.random.uniform(nx.random.key(2), [n, n]);
let t0 = performance.now();
let r = nx.matmul(a, c); r.dataSync(); r.dispose();
const first = performance.now() - t0;
const times = [];
for (let i = 0; i < 5; i++) { t0 = performance.now(); r = nx.matmul(a, c); r.dataSync(); r.dispose(); times.push(performance.now() - t0); }
times.sort((x, y) => x - y);
console.log(mode, n, 'first', first.toFixed(1), 'median', times[2].toFixed(1), 'ms');
