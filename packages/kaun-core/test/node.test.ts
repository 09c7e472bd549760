import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import * as path from "node:path";
import * as nx from "@raven-ts/nx";
import { afterAll, describe, expect, test } from "vitest";
import { Checkpoint as CoreCheckpoint } from "../src/index.js";
import { Checkpoint, load, loadSync, save, saveSync } from "../src/node.js";
import { values } from "./helpers.js";

const dir = mkdtempSync(path.join(tmpdir(), "kaun-node-"));

/** This machine's tag in temporary names, computed independently: 8 hex digits of SHA-256 of the host name. */
function hostTag(): string {
  return createHash("sha256").update(hostname()).digest("hex").slice(0, 8);
}
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

describe("save: bad paths, crashed saves, error messages", () => {
  test("a path containing NUL is an InvalidArgumentError (sync and async), before anything is written", async () => {
    expect(() => saveSync(path.join(dir, "a\0b"), tree)).toThrow("kaun.Checkpoint.saveSync: path must not contain a NUL character");
    await expect(save(path.join(dir, "a\0b"), tree)).rejects.toThrow("kaun.Checkpoint.save: path must not contain a NUL character");
    await expect(load(path.join(dir, "a\0b"), { like })).rejects.toThrow("kaun.Checkpoint.load: path must not contain a NUL character");
    expect(() => loadSync("\0", { like })).toThrow("kaun.Checkpoint.loadSync: path must not contain a NUL character");
  });

  test("temporary files left by a killed save are removed by the next save to that path; live writers' files are kept", async () => {
    const sub = mkdtempSync(path.join(dir, "crash-"));
    const file = path.join(sub, "model.safetensors");
    saveSync(file, tree);
    // A save killed mid-write leaves `.<name>.<host>.<pid>.<random>.tmp`: make one for a process that has exited.
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const deadPid = Number(child.stdout);
    const ours = readdirSync(sub);
    expect(ours).toEqual(["model.safetensors"]);
    const host = hostTag();
    const stale = [`.model.safetensors.${host}.${deadPid}.0123456789ab.tmp`, `.model.safetensors.${host}.${deadPid}.ba9876543210.tmp`];
    const alive = `.model.safetensors.${host}.${process.ppid}.0123456789ab.tmp`; // a running process (our parent): still writing
    const otherHost = `.model.safetensors.ffffffff.${deadPid}.0123456789ab.tmp`; // another machine's: its pids mean nothing here
    const unrelated = [".other.safetensors.x.tmp", "notes.txt"];
    for (const f of [...stale, alive, otherHost, ...unrelated]) writeFileSync(path.join(sub, f), "partial");
    saveSync(file, tree);
    expect(readdirSync(sub).sort()).toEqual(["model.safetensors", alive, otherHost, ...unrelated].sort());
    for (const f of stale) writeFileSync(path.join(sub, f), "partial");
    await save(file, tree);
    expect(readdirSync(sub).sort()).toEqual(["model.safetensors", alive, otherHost, ...unrelated].sort());
    expect(values(loadSync(file, { like }).w)).toEqual([1, 2, 3, 4]);
  });

  test("when a directory of the path is a file (ENOTDIR), the error names the user's path, not the temporary file", async () => {
    const blocker = path.join(dir, "plain-file");
    writeFileSync(blocker, "x");
    const target = path.join(blocker, "model.safetensors");
    let syncError: NodeJS.ErrnoException | undefined;
    try {
      saveSync(target, tree);
    } catch (e) {
      syncError = e as NodeJS.ErrnoException;
    }
    expect(syncError?.code).toBe("ENOTDIR");
    expect(syncError?.path).toBe(target);
    expect(syncError?.message).toContain(`'${target}'`);
    expect(syncError?.message).not.toMatch(/\.tmp/);
    const asyncError = (await save(target, tree).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(asyncError.code).toBe("ENOTDIR");
    expect(asyncError.message).toContain(`'${target}'`);
    expect(asyncError.message).not.toMatch(/\.tmp/);
  });

  test("a rename onto a directory fails with the user's path and leaves no temporary file", () => {
    const target = mkdtempSync(path.join(dir, "is-a-dir-"));
    writeFileSync(path.join(target, "inside"), "x");
    let error: NodeJS.ErrnoException | undefined;
    try {
      saveSync(target, tree);
    } catch (e) {
      error = e as NodeJS.ErrnoException;
    }
    expect(["EISDIR", "ENOTEMPTY", "EEXIST", "EPERM"]).toContain(error?.code);
    expect(error?.message).not.toMatch(/\.tmp/);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
