/**
 * `@raven-ts/kaun-core/node`: checkpoint files, for Node.js only (it imports
 * `node:fs`). `Checkpoint` here is the core `Checkpoint` namespace plus
 * `save`/`load` (Promise-based) and `saveSync`/`loadSync`.
 *
 * ```ts
 * import { Checkpoint } from "@raven-ts/kaun-core/node";
 * await Checkpoint.save("model.safetensors", vars.params);
 * const params = await Checkpoint.load("model.safetensors", { like: vars.params });
 * ```
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { FromBytesOptions, ToBytesOptions } from "./checkpoint/index.js";
import { fromBytes, inspect, toBytes } from "./checkpoint/index.js";
import { describe, fail } from "./util.js";

function checkPath(fn: string, p: unknown): string {
  if (typeof p !== "string" || p.length === 0) throw fail(fn, `path must be a non-empty string, got ${describe(p)}`);
  return p;
}

function tempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/**
 * `saveSync(path, tree, { metadata? })` writes `Checkpoint.toBytes(tree, { metadata })`
 * to `path` atomically: the bytes go to a temporary file in the same
 * directory, which is flushed to disk (`fsync`) and then renamed over `path`,
 * so `path` holds either its old content or the complete new file, never a
 * partial one. The temporary file is removed on failure.
 * @throws InvalidArgumentError as `Checkpoint.toBytes` or when `path` is not a non-empty string; the file system's errors (missing directory, permissions) propagate.
 */
export function saveSync(file: string, tree: unknown, options: ToBytesOptions = {}): void {
  const target = checkPath("Checkpoint.saveSync", file);
  const bytes = toBytes(tree, options);
  const tmp = tempPath(target);
  try {
    const fd = fs.openSync(tmp, "wx");
    try {
      let off = 0;
      while (off < bytes.byteLength) off += fs.writeSync(fd, bytes, off, bytes.byteLength - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * `save(path, tree, { metadata? })` is {@link saveSync} without blocking the
 * event loop: the same atomic temporary-file-then-rename write, resolved
 * when the file is in place.
 * @throws InvalidArgumentError (synchronously) as {@link saveSync}; file-system errors reject the Promise.
 */
export async function save(file: string, tree: unknown, options: ToBytesOptions = {}): Promise<void> {
  const target = checkPath("Checkpoint.save", file);
  const bytes = toBytes(tree, options);
  const tmp = tempPath(target);
  try {
    const handle = await fsp.open(tmp, "wx");
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * `loadSync(path, { like })` is `Checkpoint.fromBytes(bytes, { like })` for
 * the bytes of the file at `path`: a tree shaped like `like`, with every
 * check of `fromBytes` made before anything is loaded.
 * @throws InvalidArgumentError as `Checkpoint.fromBytes` (the message starts
 * with `kaun.Checkpoint.fromBytes`) or when `path` is not a non-empty string;
 * file-system errors (such as a missing file) propagate.
 */
export function loadSync<T>(file: string, options: FromBytesOptions<T>): T {
  const target = checkPath("Checkpoint.loadSync", file);
  return fromBytes(fs.readFileSync(target), options);
}

/**
 * `load(path, { like })` is {@link loadSync} reading the file asynchronously.
 * @throws InvalidArgumentError as {@link loadSync} (as a rejection).
 */
export async function load<T>(file: string, options: FromBytesOptions<T>): Promise<T> {
  const target = checkPath("Checkpoint.load", file);
  return fromBytes(await fsp.readFile(target), options);
}

/** The core `Checkpoint` functions plus the file functions of this module. */
export const Checkpoint = Object.freeze({ toBytes, fromBytes, inspect, save, saveSync, load, loadSync });
