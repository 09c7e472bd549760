/** The two Chart.js charts: live training loss, and benchmark bars. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from "chart.js";
import type { BenchCase, BenchRow } from "../engine/protocol.js";

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, BarController, BarElement, Legend, Tooltip);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = "#5b5873";

const ACCENT = "#4338ca";
const SERIES = ["#4338ca", "#0f9d8a", "#e07a10", "#c2185b", "#5b8def", "#7a7a7a"];

/** The live loss chart. */
export interface LossChart {
  /** Adds the loss of `step` (drawn at most once per animation frame). */
  push(step: number, loss: number): void;
  /** Clears the curve; the x axis runs to `budget`. */
  reset(budget: number): void;
}

/**
 * `lossChart(canvas, baseline)` draws the training loss per step, with a
 * dashed line at `baseline` (the unigram entropy of the text: the loss of a
 * model that ignores context).
 */
export function lossChart(canvas: HTMLCanvasElement, baseline: number): LossChart {
  const points: { x: number; y: number }[] = [];
  const reference = [
    { x: 0, y: baseline },
    { x: 300, y: baseline },
  ];
  const chart = new Chart(canvas, {
    type: "line",
    data: {
      datasets: [
        {
          label: "training loss",
          data: points,
          borderColor: ACCENT,
          backgroundColor: ACCENT,
          borderWidth: 1.6,
          // Markers while the curve is short, a plain line once it is long.
          pointRadius: () => (points.length < 40 ? 2.5 : 0),
          tension: 0,
        },
        { label: "unigram baseline (ignores context)", data: reference, borderColor: "#9a96ad", borderDash: [6, 4], borderWidth: 1.2, pointRadius: 0 },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        // Steps are whole numbers (a budget of 1 would otherwise tick 0.1, 0.2, ...).
        x: { type: "linear", min: 0, max: 300, title: { display: true, text: "step" }, ticks: { precision: 0 } },
        y: { type: "linear", title: { display: true, text: "loss (nats/char)" }, suggestedMin: 0, suggestedMax: 4.5 },
      },
      plugins: {
        legend: { position: "bottom", labels: { boxHeight: 2 } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label ?? ""}: ${c.parsed.y?.toFixed(3) ?? ""}` } },
      },
    },
  });
  let pending = false;
  const draw = (): void => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      chart.update("none");
    });
  };
  return {
    push: (step, loss) => {
      points.push({ x: step, y: loss });
      draw();
    },
    reset: (budget) => {
      points.length = 0;
      const x = chart.options.scales?.x;
      if (x !== undefined) x.max = budget;
      (reference[1] as { x: number }).x = budget;
      draw();
    },
  };
}

/** The benchmark bar chart: one group per case, one bar per backend, milliseconds on a log axis. */
export interface BenchChart {
  show(rows: readonly BenchRow[]): void;
}

export function benchChart(canvas: HTMLCanvasElement, cases: readonly BenchCase[]): BenchChart {
  const chart = new Chart(canvas, {
    type: "bar",
    data: { labels: [...cases], datasets: [] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        y: { type: "logarithmic", title: { display: true, text: "ms per run (log scale)" } },
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label ?? ""}: ${(c.parsed.y ?? 0).toFixed(2)} ms` } },
      },
    },
  });
  return {
    show: (rows) => {
      const backends = [...new Map(rows.map((r) => [r.backend, r])).values()];
      chart.data.datasets = backends.map((b, i) => ({
        label: b.label,
        data: cases.map((c) => rows.find((r) => r.backend === b.backend && r.case === c)?.ms ?? null),
        backgroundColor: SERIES[i % SERIES.length] as string,
        borderRadius: 3,
      }));
      // The log axis starts well below the fastest figure, so its bar stays visible.
      const fastest = Math.min(...rows.flatMap((r) => (r.ms === undefined ? [] : [r.ms])));
      const y = chart.options.scales?.y;
      if (y !== undefined) y.min = Number.isFinite(fastest) ? 10 ** Math.floor(Math.log10(fastest) - 0.3) : undefined;
      chart.update("none");
    },
  };
}
