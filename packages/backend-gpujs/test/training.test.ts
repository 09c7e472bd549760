// Memory over time: a 1,000-step MLP training loop (rune gradients, SGD) on
// the gpujs backend must hold the live tensor and buffer counts flat and
// still learn; forgotten tensors are freed by the finalizer after GC.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as nx from "@raven-ts/nx";
import * as rune from "@raven-ts/rune";
import { describe, expect, it } from "vitest";
import type { EngineMode, GpujsBackend } from "../src/index.js";
import { gpujsBackend, isModeAvailable } from "../src/index.js";

type Params = { w1: nx.Tensor; b1: nx.Tensor; w2: nx.Tensor; b2: nx.Tensor };

function forward(p: Params, x: nx.Tensor): nx.Tensor {
  const h = nx.tanh(nx.add(nx.matmul(x, p.w1), p.b1));
  return nx.add(nx.matmul(h, p.w2), p.b2);
}

function loss(p: Params, x: nx.Tensor, y: nx.Tensor): nx.Tensor {
  return nx.mean(nx.square(nx.sub(forward(p, x), y)));
}

/** One SGD step inside `tidy`: only the new parameters and the loss value survive. */
function step(p: Params, x: nx.Tensor, y: nx.Tensor, lr: number): [Params, number] {
  const [next, value] = nx.tidy(() => {
    const [l, g] = rune.valueAndGrad((q: Params) => loss(q, x, y))(p);
    const updated = nx.tree.map2((w: nx.Tensor, gw: nx.Tensor) => nx.sub(w, nx.mul(gw, lr)), p, g) as Params;
    return [updated, l] as const;
  });
  const v = value.item() as number;
  value.dispose();
  nx.dispose(p);
  return [next, v];
}

function live(backend: GpujsBackend): [number, number] {
  return [nx.memory().backends[backend.name]?.tensors ?? 0, backend.memory().buffers];
}

const MODES: EngineMode[] = ["webasm", ...(isModeAvailable("headlessgl") ? (["headlessgl"] as const) : [])];

describe.each(MODES)("gpujs %s memory", (mode) => {
  it("holds the live count flat over a 1,000-step MLP training loop and learns", () => {
    const previous = nx.getBackend();
    const backend = gpujsBackend({ mode });
    nx.setBackend(backend);
    try {
      const setup = nx.tidy(() => {
        const [kx, k1, k2] = nx.random.split(nx.random.key(7), 3) as [nx.random.Key, nx.random.Key, nx.random.Key];
        const x = nx.random.uniform(kx, [32, 4], "float32", { minval: -1, maxval: 1 });
        const y = nx.sum(nx.sin(nx.mul(x, 2)), { axes: 1, keepdims: true });
        const params: Params = {
          w1: nx.mul(nx.random.normal(k1, [4, 16]), 0.5),
          b1: nx.zeros([16]),
          w2: nx.mul(nx.random.normal(k2, [16, 1]), 0.25),
          b2: nx.zeros([1]),
        };
        return { x, y, params };
      });
      const { x, y } = setup;
      let p = setup.params;
      let first = 0;
      let last = 0;
      let baseline: [number, number] = [0, 0];
      for (let i = 0; i < 1000; i++) {
        [p, last] = step(p, x, y, 0.1);
        if (i === 0) first = last;
        if (i === 9) baseline = live(backend);
        if (i >= 10 && i % 100 === 99) expect(live(backend)).toEqual(baseline);
      }
      expect(live(backend)).toEqual(baseline);
      expect(last).toBeLessThan(first * 0.2);
      expect(backend.stats().fallbacks).toBe(0);
      nx.dispose([p, x, y]);
      expect(live(backend)).toEqual([0, 0]);
    } finally {
      nx.setBackend(previous);
    }
  }, 300_000);

  it("frees forgotten tensors through the finalizer after garbage collection", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const previous = nx.getBackend();
    const backend = gpujsBackend({ mode, name: `gpujs-gc-${mode}` });
    nx.setBackend(backend);
    try {
      (() => {
        for (let i = 0; i < 50; i++) nx.add(nx.ones([64]), i); // never disposed
      })();
      expect(backend.memory().buffers).toBeGreaterThan(0);
      for (let i = 0; i < 20 && backend.memory().buffers > 0; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(backend.memory()).toEqual({ buffers: 0, bytes: 0 });
    } finally {
      nx.setBackend(previous);
    }
  });
});
