import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as nx from "@raven-ts/nx";
import { afterAll, describe, expect, test } from "vitest";
import { Checkpoint as CoreCheckpoint } from "../src/index.js";
import { Checkpoint, load, loadSync, save, saveSync } from "../src/node.js";
import { values } from "./helpers.js";

const dir = mkdtempSync(path.join(tmpdir(), "kaun-node-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tree = { w: nx.tensor([[1, 2], [3, 4]]), b: nx.tensor([5], { dtype: "float64" }), n: nx.tensor([7], { dtype: "int32" }) };
const like = { w: nx.zeros([2, 2]), b: nx.zeros([1], "float64"), n: nx.zeros([1], "int32") };

describe("@raven-ts/kaun-core/node", () => {
  test("save / load round trip (async)", async () => {
    const file = path.join(dir, "a.safetensors");
    await save(file, tree, { metadata: { step: "3" } });
    expect(new Uint8Array(readFileSync(file))).toEqual(CoreCheckpoint.toBytes(tree, { metadata: { step: "3" } }));
    const out = await load(file, { like });
    expect(values(out.w)).toEqual([1, 2, 3, 4]);
    expect(values(out.b)).toEqual([5]);
    expect(values(out.n)).toEqual([7]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  test("saveSync / loadSync, replacing an existing file", () => {
    const file = path.join(dir, "b.safetensors");
    writeFileSync(file, "old content");
    saveSync(file, tree);
    expect(values(loadSync(file, { like }).w)).toEqual([1, 2, 3, 4]);
    expect(Checkpoint.loadSync).toBe(loadSync);
    expect(Checkpoint.toBytes).toBe(CoreCheckpoint.toBytes);
  });

  test("a failed save leaves neither a partial file nor a temporary one", async () => {
    const file = path.join(dir, "c.safetensors");
    saveSync(file, tree);
    const before = readFileSync(file);
    // Serialisation errors happen before any file is touched.
    expect(() => saveSync(file, { x: nx.ones([1]), "x.": nx.ones([1]) })).toThrow(/kaun\.Checkpoint\.toBytes/);
    await expect(save(path.join(dir, "missing-dir", "d.safetensors"), tree)).rejects.toThrow(/ENOENT/);
    expect(() => saveSync(path.join(dir, "missing-dir", "d.safetensors"), tree)).toThrow(/ENOENT/);
    expect(readFileSync(file)).toEqual(before);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  test("load errors: a missing file, a malformed file, a bad path", async () => {
    await expect(load(path.join(dir, "nope.safetensors"), { like })).rejects.toThrow(/ENOENT/);
    const bad = path.join(dir, "bad.safetensors");
    writeFileSync(bad, new Uint8Array([1, 2, 3]));
    await expect(load(bad, { like })).rejects.toThrow("kaun.Checkpoint.fromBytes: truncated file: 3 bytes, fewer than the 8-byte header length");
    expect(() => loadSync(bad, { like })).toThrow(/truncated file/);
    expect(() => saveSync("", tree)).toThrow("kaun.Checkpoint.saveSync: path must be a non-empty string, got \"\"");
    expect(existsSync(path.join(dir, "nope.safetensors"))).toBe(false);
  });
});
