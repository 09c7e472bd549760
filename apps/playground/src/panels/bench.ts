/**
 * The Bench panel: matmul 256/512 and an MHA forward pass timed on every
 * backend this device has, as a bar chart and a table naming the device,
 * the browser, each backend and its mode, and the GL renderer.
 */
import type { EngineClient } from "../engine/client.js";
import { BENCH_CASES, type BenchRow } from "../engine/protocol.js";
import { BACKENDS } from "../model/backends.js";
import { benchChart } from "../ui/charts.js";
import { deviceFacts } from "../ui/device.js";
import { byId, one } from "../ui/dom.js";
import { ErrorBox } from "../ui/errors.js";

export function mountBench(client: EngineClient): void {
  const list = byId("bench-backends", HTMLElement);
  const run = byId("bench-run", HTMLButtonElement);
  const device = byId("bench-device", HTMLElement);
  const progress = byId("bench-progress", HTMLProgressElement);
  const body = one(byId("bench-table", HTMLTableElement), "tbody", HTMLTableSectionElement);
  const errors = new ErrorBox(byId("bench-error", HTMLElement));
  const chart = benchChart(byId("bench-chart", HTMLCanvasElement), BENCH_CASES);
  const chartBox = byId("bench-chart-box", HTMLElement);
  const empty = byId("bench-empty", HTMLElement);

  for (const [label, value] of deviceFacts()) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    device.append(dt, dd);
  }
  const boxes = BACKENDS.map((b) => {
    const label = document.createElement("label");
    label.className = "inline";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = b.id;
    label.append(box, ` ${b.label}`);
    list.append(label);
    return box;
  });

  // Each cell carries its column's name (data-label): on a phone the table shows one card per row.
  const columns = [...byId("bench-table", HTMLTableElement).querySelectorAll("thead th")].map((th) => th.textContent ?? "");
  const cell = (text: string, column: number, className?: string): HTMLTableCellElement => {
    const td = document.createElement("td");
    td.textContent = text;
    td.dataset.label = columns[column] ?? "";
    if (className !== undefined) td.className = className;
    return td;
  };
  const addRow = (row: BenchRow): void => {
    const tr = document.createElement("tr");
    tr.dataset.backend = row.backend;
    tr.dataset.case = row.case;
    [row.label, row.mode, row.host === "worker" ? "Web Worker" : "main thread", row.case].forEach((text, i) => tr.append(cell(text, i)));
    if (row.error !== undefined) {
      const td = cell(`not available: ${row.error}`, 4, "err");
      td.colSpan = 2;
      td.dataset.label = "result";
      tr.append(td);
    } else {
      tr.append(cell((row.ms as number).toFixed(2), 4, "num"), cell((row.gflops as number).toFixed(2), 5, "num"));
    }
    body.append(tr);
  };

  const rows: BenchRow[] = [];
  client.on((event) => {
    if (event.event !== "bench") return;
    rows.push(event.row);
    addRow(event.row);
    chartBox.hidden = false;
    empty.hidden = true;
    progress.max = event.total;
    progress.value = event.done;
    chart.show(rows);
  });

  run.addEventListener("click", () => {
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    rows.length = 0;
    body.replaceChildren();
    chart.show([]);
    progress.hidden = false;
    progress.value = 0;
    run.disabled = true;
    body.dataset.state = "running";
    void errors
      .guard(async () => {
        if (chosen.length === 0) throw new Error("choose at least one backend");
        const result = await client.call("bench", { backends: chosen });
        chart.show(result);
      }, "The benchmark stopped")
      .finally(() => {
        run.disabled = false;
        progress.hidden = true;
        body.dataset.state = "done";
      });
  });
}
