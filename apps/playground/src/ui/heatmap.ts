/**
 * Attention heatmaps on canvas: queries down, keys across, tokens on both
 * axes, viridis colours on a square-root scale from 0 to the largest weight
 * shown (small weights stay distinguishable next to rows with one key). A weight of
 * exactly 0 (a masked key) is hatched rather than coloured, and a query row
 * whose keys are all masked is tinted and marked "no keys". Hovering a cell
 * shows the query, the key and the weight. Each figure carries its weights
 * in `data-weights` (JSON, row = query) for tests and tools.
 */
import { interpolateViridis } from "d3-scale-chromatic";
import { showChar } from "./dom.js";

/** The tint of a query row with no visible key. */
const EMPTY_ROW = "#fde7e4";
const LABEL_FONT = '11px ui-monospace, Menlo, Consolas, monospace';

function hatch(ctx: CanvasRenderingContext2D, dpr: number): CanvasPattern | string {
  const tile = document.createElement("canvas");
  tile.width = tile.height = Math.max(4, Math.round(4 * dpr));
  const t = tile.getContext("2d");
  if (t === null) return "#eeeeee";
  t.fillStyle = "#ffffff";
  t.fillRect(0, 0, tile.width, tile.height);
  t.strokeStyle = "#d7d4e3";
  t.lineWidth = dpr;
  t.beginPath();
  t.moveTo(0, tile.height);
  t.lineTo(tile.width, 0);
  t.stroke();
  return ctx.createPattern(tile, "repeat") ?? "#eeeeee";
}

/** What one heatmap shows. */
export interface HeatmapSpec {
  readonly head: number;
  readonly kvHead: number;
  /** `[query][key]` attention probabilities. */
  readonly weights: readonly (readonly number[])[];
  readonly tokens: readonly string[];
  /** The colour scale's top (weights at or above it are yellow). */
  readonly max: number;
}

/** `heatmapFigure(spec, tooltip)` is a `<figure>` with the heatmap canvas and its hover behaviour. */
export function heatmapFigure(spec: HeatmapSpec, tooltip: HTMLElement): HTMLElement {
  const { weights, tokens, max } = spec;
  const n = tokens.length;
  const cell = Math.max(9, Math.min(30, Math.floor(420 / Math.max(n, 1))));
  const margin = 20;
  const width = margin + n * cell + 2;
  const height = margin + n * cell + 2;
  const dpr = Math.min(window.devicePixelRatio || 1, 2);

  const figure = document.createElement("figure");
  figure.className = "heatmap";
  figure.dataset.head = String(spec.head);
  figure.dataset.weights = JSON.stringify(weights);
  const caption = document.createElement("figcaption");
  caption.innerHTML = `Head ${spec.head} <small>· reads kv head ${spec.kvHead}</small>`;
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.dataset.cell = String(cell);
  canvas.dataset.margin = String(margin);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `attention weights of head ${spec.head}, ${n} queries by ${n} keys`);
  figure.append(caption, canvas);

  const ctx = canvas.getContext("2d");
  if (ctx === null) return figure;
  ctx.scale(dpr, dpr);
  const masked = hatch(ctx, dpr);
  ctx.font = LABEL_FONT;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = "#5b5873";
    const label = showChar(tokens[i] as string);
    ctx.fillText(label, margin / 2, margin + i * cell + cell / 2); // query (row)
    ctx.fillText(label, margin + i * cell + cell / 2, margin / 2); // key (column)
  }
  for (let q = 0; q < n; q++) {
    const row = weights[q] as readonly number[];
    const empty = row.every((v) => v === 0);
    for (let k = 0; k < n; k++) {
      const v = row[k] as number;
      ctx.fillStyle = empty ? EMPTY_ROW : v === 0 ? masked : interpolateViridis(Math.sqrt(Math.min(1, v / max)));
      ctx.fillRect(margin + k * cell, margin + q * cell, cell, cell);
    }
    if (empty && n * cell > 80) {
      ctx.fillStyle = "#b42318";
      ctx.fillText("no keys", margin + (n * cell) / 2, margin + q * cell + cell / 2);
    }
  }
  ctx.strokeStyle = "#cfcbe0";
  ctx.lineWidth = 1;
  ctx.strokeRect(margin - 0.5, margin - 0.5, n * cell + 1, n * cell + 1);

  const cellAt = (e: MouseEvent): [number, number] | undefined => {
    const box = canvas.getBoundingClientRect();
    const scale = box.width / width;
    const k = Math.floor(((e.clientX - box.left) / scale - margin) / cell);
    const q = Math.floor(((e.clientY - box.top) / scale - margin) / cell);
    return q >= 0 && q < n && k >= 0 && k < n ? [q, k] : undefined;
  };
  canvas.addEventListener("mousemove", (e) => {
    const at = cellAt(e);
    if (at === undefined) {
      tooltip.hidden = true;
      return;
    }
    const [q, k] = at;
    const v = (weights[q] as readonly number[])[k] as number;
    const row = weights[q] as readonly number[];
    const note = row.every((x) => x === 0) ? "  (this query sees no key)" : v === 0 ? "  (masked: exactly 0)" : "";
    tooltip.textContent = `head ${spec.head}\nquery ${q} ${JSON.stringify(tokens[q])} → key ${k} ${JSON.stringify(tokens[k])}\nweight ${v === 0 ? "0" : v.toPrecision(4)}${note}`;
    tooltip.style.left = `${e.clientX + 14}px`;
    tooltip.style.top = `${e.clientY + 14}px`;
    tooltip.hidden = false;
  });
  canvas.addEventListener("mouseleave", () => {
    tooltip.hidden = true;
  });
  return figure;
}

/** `renderLegend(el, max)` fills `el` with the colour scale from 0 to `max` and the masked / empty-row keys. */
export function renderLegend(el: HTMLElement, max: number): void {
  el.replaceChildren();
  const scale = document.createElement("span");
  scale.className = "scale";
  const bar = document.createElement("canvas");
  const w = 160;
  const h = 12;
  bar.width = w;
  bar.height = h;
  const ctx = bar.getContext("2d");
  if (ctx !== null) for (let x = 0; x < w; x++) {
    ctx.fillStyle = interpolateViridis(x / (w - 1));
    ctx.fillRect(x, 0, 1, h);
  }
  const lo = document.createElement("span");
  lo.textContent = "0";
  const hi = document.createElement("span");
  hi.textContent = max.toFixed(max >= 0.1 ? 2 : 3);
  scale.append("weight (√ scale)", lo, bar, hi);
  const masked = document.createElement("span");
  masked.innerHTML = '<span class="swatch masked"></span>masked (exactly 0)';
  const empty = document.createElement("span");
  empty.innerHTML = '<span class="swatch empty"></span>query with no visible key';
  el.append(scale, masked, empty);
}
