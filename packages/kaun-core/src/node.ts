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
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { FromBytesOptions, ToBytesOptions } from "./checkpoint/index.js";
import { fromBytes, inspect, toBytes } from "./checkpoint/index.js";
import { describe, fail } from "./util.js";

function checkPath(fn: string, p: unknown): string {
  if (typeof p !== "string" || p.length === 0) throw fail(fn, `path must be a non-empty string, got ${describe(p)}`);
  if (p.includes("\0")) throw fail(fn, `path must not contain a NUL character, got ${describe(p)}`);
  return p;
}

/** This machine's tag in temporary names: 8 hex digits of a hash of the host name (pids are only meaningful per host). */
const HOST_TAG = createHash("sha256").update(os.hostname()).digest("hex").slice(0, 8);

/**
 * Temporary files are named `.<name>.<host>.<pid>.<random>.tmp` beside the
 * target `<name>`: unique per save, and recognisable as ours with the
 * writing process, so a later save can remove those a killed process left.
 */
function tempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${HOST_TAG}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/** `staleTemps(target, names)` is the temporary files of `target` among the directory entries `names` whose writing process (on this host) no longer runs. */
function staleTemps(target: string, names: readonly string[]): string[] {
  const prefix = `.${path.basename(target)}.${HOST_TAG}.`;
  const dir = path.dirname(target);
  return names
    .filter((n) => {
      if (!n.startsWith(prefix)) return false;
      const m = /^(\d{1,10})\.[0-9a-f]{12}\.tmp$/.exec(n.slice(prefix.length));
      if (m === null) return false;
      const pid = Number(m[1]);
      return pid !== process.pid && pid > 0 && !isAlive(pid);
    })
    .map((n) => path.join(dir, n));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function removeStaleSync(target: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(target));
  } catch {
    return; // The write reports the directory's problem itself.
  }
  for (const f of staleTemps(target, names)) fs.rmSync(f, { force: true });
}

async function removeStale(target: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(path.dirname(target));
  } catch {
    return;
  }
  await Promise.all(staleTemps(target, names).map((f) => fsp.rm(f, { force: true })));
}

/**
 * `naming(e, tmp, target)` is the file-system error `e` of a save, reworded
 * to name the user's `target` rather than our temporary file (same `code`,
 * `errno` and `syscall`; `path` is `target`; the original is its `cause`).
 */
function naming(e: unknown, tmp: string, target: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== "string") return e;
  const message = err.message.split(tmp).join(target).split(`'${target}' -> '${target}'`).join(`'${target}'`);
  const out: NodeJS.ErrnoException = new Error(message, { cause: e });
  out.code = err.code;
  if (err.errno !== undefined) out.errno = err.errno;
  if (err.syscall !== undefined) out.syscall = err.syscall;
  out.path = target;
  return out;
}

/**
 * `saveSync(path, tree, { metadata? })` writes `Checkpoint.toBytes(tree, { metadata })`
 * to `path` atomically: the bytes go to a temporary file in the same
 * directory (`.<name>.<host>.<pid>.<random>.tmp`), which is flushed to disk
 * (`fsync`) and then renamed over `path`, so `path` holds either its old
 * content or the complete new file, never a partial one. The temporary file
 * is removed on failure; temporary files of `path` left by a process that was
 * killed mid-save (on this machine) are removed by the next save to `path`.
 * @throws InvalidArgumentError as `Checkpoint.toBytes` or when `path` is not
 * a non-empty string without NUL characters; the file system's errors
 * (missing directory, permissions) propagate with their `code`, naming `path`.
 */
export function saveSync(file: string, tree: unknown, options: ToBytesOptions = {}): void {
  const target = checkPath("Checkpoint.saveSync", file);
  const bytes = toBytes(tree, options);
  removeStaleSync(target);
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
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // The temporary file was never created (e.g. ENOTDIR); the original error is the one to report.
    }
    throw naming(e, tmp, target);
  }
}

/**
 * `save(path, tree, { metadata? })` is {@link saveSync} without blocking the
 * event loop: the same atomic temporary-file-then-rename write (and removal
 * of stale temporary files), resolved when the file is in place.
 * @throws InvalidArgumentError (as a rejection) as {@link saveSync}; file-system errors reject the Promise too, naming `path`.
 */
export async function save(file: string, tree: unknown, options: ToBytesOptions = {}): Promise<void> {
  const target = checkPath("Checkpoint.save", file);
  const bytes = toBytes(tree, options);
  await removeStale(target);
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
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw naming(e, tmp, target);
  }
}

/**
 * `loadSync(path, { like })` is `Checkpoint.fromBytes(bytes, { like })` for
 * the bytes of the file at `path`: a tree shaped like `like`, with every
 * check of `fromBytes` made before anything is loaded.
 * @throws InvalidArgumentError as `Checkpoint.fromBytes` (the message starts
 * with `kaun.Checkpoint.fromBytes`) or when `path` is not a non-empty string
 * without NUL characters;
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
