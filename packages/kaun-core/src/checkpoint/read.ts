/** Parsing and validating safetensors bytes, and rebuilding trees from them. */
import type { DType, Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { treeCall } from "../tree-args.js";
import { describe, fail, isRecord } from "../util.js";
import { FORBIDDEN_SEGMENTS, FROM_SAFETENSORS, ITEM_BYTES, LITTLE_ENDIAN, MAX_HEADER_BYTES, METADATA_KEY, TO_SAFETENSORS } from "./format.js";
import { scanHeader } from "./scan.js";

/** One tensor entry of a safetensors header. */
export interface TensorInfo {
  /** The tensor's name (its dotted path). */
  readonly name: string;
  /** The safetensors dtype (`"F32"`, `"I32"`, `"BF16"`, ...). */
  readonly dtype: string;
  /** The shape. */
  readonly shape: readonly number[];
  /** Byte offsets `[begin, end)` into the data buffer (which starts after the header). */
  readonly dataOffsets: readonly [number, number];
}

/** A validated safetensors header. */
export interface Header {
  /** The tensors, sorted by data offset. */
  readonly tensors: readonly TensorInfo[];
  /** The `__metadata__` map (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
}

interface Parsed extends Header {
  readonly data: Uint8Array;
}

/** A quick test for names that may hold a forbidden segment (checked exactly only then). */
const FORBIDDEN_PATTERN = /__proto__|constructor|prototype/;

/** The tensor an error is about, formatted (quoting the name, bounded) only when a message needs it. */
class TensorWhere {
  constructor(readonly name: string) {}
  toString(): string {
    return `tensor ${nx.fmtValue(this.name)}`;
  }
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function asBytes(fn: string, bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw fail(fn, `bytes must be a Uint8Array (or ArrayBuffer), got ${describe(bytes)}`);
}

/** `own(o, k)` is the own property `k` of the parsed JSON object `o`, or undefined (never an inherited one). */
function own(o: Record<string, unknown>, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

/** `checkShape(fn, where, shape)` returns `shape` when it is an array of non-negative safe integers. */
function checkShape(fn: string, where: TensorWhere, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw fail(fn, `${where}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    if (!isCount(shape[i])) throw fail(fn, `${where}: shape must be an array of non-negative integers, got ${describe(shape[i])} at index ${i}`);
  }
  return shape as number[];
}

/** `checkOffsets(fn, where, offsets)` returns `[begin, end]` when `offsets` is two non-negative safe integers, `begin <= end`. */
function checkOffsets(fn: string, where: TensorWhere, offsets: unknown): [number, number] {
  if (!Array.isArray(offsets) || offsets.length !== 2 || !isCount(offsets[0]) || !isCount(offsets[1])) {
    const got = Array.isArray(offsets) && offsets.length === 2 ? `[${describe(offsets[0])}, ${describe(offsets[1])}]` : describe(offsets);
    throw fail(fn, `${where}: data_offsets must be [begin, end] non-negative integers, got ${got}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw fail(fn, `${where}: data_offsets [${begin}, ${end}] end before they begin`);
  return [begin, end];
}

/**
 * `parse(fn, bytes)` checks every structural rule of the format and returns
 * the header and the data buffer. Nothing is allocated per tensor; the
 * header is pre-scanned ({@link scanHeader}) before `JSON.parse`, so its
 * size, nesting and entry counts are bounded before any parsing work.
 */
export function parse(fn: string, input: unknown): Parsed {
  const bytes = asBytes(fn, input);
  if (bytes.byteLength < 8) throw fail(fn, `truncated file: ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLen > MAX_HEADER_BYTES) throw fail(fn, `header length ${headerLen} exceeds the 100 MB limit (${MAX_HEADER_BYTES} bytes); the file is corrupt or not safetensors`);
  if (8 + headerLen > bytes.byteLength) {
    throw fail(fn, `header length ${headerLen} points past the end of the file (${bytes.byteLength} bytes: at most ${bytes.byteLength - 8} header bytes); the file is truncated or not safetensors`);
  }
  const headerBytes = bytes.subarray(8, 8 + headerLen);
  scanHeader(fn, headerBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
  } catch {
    throw fail(fn, "malformed header: it is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // The engine's message quotes a bounded excerpt at most; cut it anyway.
    const detail = e instanceof Error ? e.message : "";
    throw fail(fn, `malformed JSON header: ${detail.length > 120 ? `${detail.slice(0, 120)}…` : detail}`);
  }
  if (!isRecord(json)) throw fail(fn, `malformed header: expected a JSON object, got ${describe(json)}`);

  const data = bytes.subarray(8 + headerLen);
  const metadata = Object.create(null) as Record<string, string>;
  const tensors: TensorInfo[] = [];
  for (const name of Object.keys(json)) {
    const info = json[name];
    if (name === METADATA_KEY) {
      if (!isRecord(info)) throw fail(fn, `"__metadata__" must be an object of strings, got ${describe(info)}`);
      for (const k of Object.keys(info)) {
        const v = info[k];
        if (typeof v !== "string") throw fail(fn, `"__metadata__" value of ${nx.fmtValue(k)} must be a string, got ${describe(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    if (name === "") throw fail(fn, "a tensor has an empty name");
    const bad = FORBIDDEN_PATTERN.test(name) ? name.split(".").find((seg) => FORBIDDEN_SEGMENTS.has(seg)) : undefined;
    if (bad !== undefined) throw fail(fn, `tensor name ${nx.fmtValue(name)} contains the forbidden key ${nx.fmtValue(bad)}`);
    const where = new TensorWhere(name);
    if (!isRecord(info)) throw fail(fn, `${where}: expected { dtype, shape, data_offsets }, got ${describe(info)}`);
    const dtype = own(info, "dtype");
    if (typeof dtype !== "string" || !Object.prototype.hasOwnProperty.call(ITEM_BYTES, dtype)) throw fail(fn, `${where}: unknown or unsupported dtype ${describe(dtype)}`);
    const shape = checkShape(fn, where, own(info, "shape"));
    const [begin, end] = checkOffsets(fn, where, own(info, "data_offsets"));
    let numel = 1;
    for (const d of shape) numel *= d;
    const need = numel * (ITEM_BYTES[dtype] as number);
    if (end - begin !== need) {
      throw fail(fn, `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, but ${dtype} ${nx.fmtShape(shape)} needs ${need}`);
    }
    if (end > data.byteLength) {
      throw fail(fn, `${where}: data_offsets [${begin}, ${end}] are out of range: the data buffer has ${data.byteLength} bytes (truncated file?)`);
    }
    tensors.push({ name, dtype, shape: Object.freeze(shape.slice()), dataOffsets: Object.freeze([begin, end] as const) });
  }
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let covered = 0;
  let prev: TensorInfo | undefined;
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    if (begin < covered && prev !== undefined) {
      throw fail(fn, `tensors ${nx.fmtValue(prev.name)} [${prev.dataOffsets.join(", ")}] and ${nx.fmtValue(t.name)} [${begin}, ${end}] overlap`);
    }
    if (begin > covered) throw fail(fn, `bytes [${covered}, ${begin}) of the data buffer belong to no tensor (gap before ${nx.fmtValue(t.name)}; duplicate key?)`);
    covered = end;
    prev = t;
  }
  if (covered !== data.byteLength) throw fail(fn, `bytes [${covered}, ${data.byteLength}) at the end of the data buffer belong to no tensor`);
  return { tensors, metadata, data };
}

/**
 * `inspect(bytes)` is the validated header of a safetensors file: its
 * tensors (name, safetensors dtype, shape, data offsets; sorted by offset)
 * and its `__metadata__` (empty when absent). It reads no tensor data.
 *
 * Limits, checked on the raw header bytes before they are parsed (so a
 * hostile header costs at most one pass over its bytes): the header is at
 * most 100 MB (`MAX_HEADER_BYTES`, as the reference implementation), nests
 * at most 3 levels, has at most 100,000 tensors (`MAX_TENSORS`), at most
 * 10,000 `__metadata__` entries (`MAX_METADATA_ENTRIES`), at most 8 members
 * per tensor entry, and at most 2,000,000 values in all (`MAX_HEADER_VALUES`).
 * Every error message is bounded in length (nx's `fmtValue`, `fmtShape`):
 * names are quoted up to 40 characters and values are described by type,
 * never echoed whole.
 * @throws InvalidArgumentError for every malformation {@link fromBytes} rejects in the file itself.
 */
export function inspect(bytes: Uint8Array): Header {
  const { tensors, metadata } = parse("Checkpoint.inspect", bytes);
  return { tensors, metadata };
}

function decode(info: TensorInfo, dtype: DType, data: Uint8Array): Tensor {
  const [begin, end] = info.dataOffsets;
  const n = info.shape.reduce((a, b) => a * b, 1);
  // A fresh copy at offset 0 (aligned). Not `slice`: on a Node Buffer it returns a view.
  const raw = new Uint8Array(data.subarray(begin, end));
  let host: Float32Array | Float64Array | Int32Array | Uint8Array;
  switch (dtype) {
    case "float32":
      host = LITTLE_ENDIAN ? new Float32Array(raw.buffer, 0, n) : Float32Array.from({ length: n }, (_, i) => new DataView(raw.buffer).getFloat32(i * 4, true));
      break;
    case "float64":
      host = LITTLE_ENDIAN ? new Float64Array(raw.buffer, 0, n) : Float64Array.from({ length: n }, (_, i) => new DataView(raw.buffer).getFloat64(i * 8, true));
      break;
    case "int32":
      host = LITTLE_ENDIAN ? new Int32Array(raw.buffer, 0, n) : Int32Array.from({ length: n }, (_, i) => new DataView(raw.buffer).getInt32(i * 4, true));
      break;
    case "uint8":
    case "bool":
      host = raw;
      break;
  }
  return nx.tensor(host, { dtype, shape: info.shape });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * `rebuild(like, made)` is `like` with its tensor leaves replaced, in the
 * order `nx.tree` visits them (depth first, arrays by index, objects by key
 * order), by the tensors `made` gives one after another, so each position gets
 * its own tensor even when `like` holds one tensor object at several paths.
 * Plain objects keep their symbol-keyed properties.
 */
function rebuild(like: unknown, made: Iterator<Tensor>): unknown {
  if (nx.isTensor(like)) return made.next().value as Tensor;
  if (Array.isArray(like)) return like.map((c) => rebuild(c, made));
  if (isPlainObject(like)) {
    const out: Record<string, unknown> = Object.getPrototypeOf(like) === null ? (Object.create(null) as Record<string, unknown>) : {};
    for (const k of Object.keys(like)) Object.defineProperty(out, k, { value: rebuild(like[k], made), enumerable: true, writable: true, configurable: true });
    for (const s of Object.getOwnPropertySymbols(like)) {
      const d = Object.getOwnPropertyDescriptor(like, s);
      if (d) Object.defineProperty(out, s, d);
    }
    return out;
  }
  return like;
}

/** Options of {@link fromBytes}. */
export interface FromBytesOptions<T> {
  /** The template: the structure, names, dtypes and shapes of the result; its values are discarded. */
  readonly like: T;
}

/**
 * `fromBytes(bytes, { like })` is a tree shaped like `like` whose tensor
 * leaves hold the file's tensors of the same names (dotted paths, as
 * {@link toBytes} writes them); non-tensor leaves (such as `Vars.dtype`) and
 * symbol-keyed properties (such as an optimizer state's link to its
 * optimizer) are taken from `like`. Entries of the file that `like` does not
 * name are ignored, so one file can hold several sections. Each path of
 * `like` gets its own tensor, even where `like` holds one tensor object at
 * several paths (a template built by reusing a tensor).
 *
 * The whole file is validated before any tensor is created, so on error
 * nothing is loaded: a truncated file, a header length past the end or over
 * 100 MB, a header over the limits of {@link inspect} (checked before it is
 * parsed), a header that is not UTF-8 or not a JSON object, a tensor name
 * with a `__proto__`, `constructor` or `prototype` segment, an unknown dtype,
 * a malformed shape or `data_offsets`, offsets out of range, overlapping, or
 * leaving bytes of the data buffer uncovered, and, for each tensor `like`
 * names, a missing entry, a dtype or a shape that differs from `like`'s, all
 * throw. Files written by other safetensors writers (Hugging Face, PyTorch)
 * load as long as their dtypes are `F32`, `F64`, `I32`, `U8` or `BOOL` for
 * the tensors `like` names (`BOOL` bytes other than 0 read as true).
 * @throws InvalidArgumentError naming the problem (and the tensor, when one is at fault).
 */
export function fromBytes<T>(bytes: Uint8Array, options: FromBytesOptions<T>): T {
  const fn = "Checkpoint.fromBytes";
  if (!isRecord(options) || !("like" in options)) throw fail(fn, `options { like } are required, got ${describe(options)}`);
  const { like } = options;
  const { tensors, data } = parse(fn, bytes);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const wanted: [string, Tensor][] = [];
  const missing: string[] = [];
  for (const [path, leaf] of treeCall(fn, () => nx.tree.flattenWithPaths<unknown>(like as nx.tree.Tree<unknown>))) {
    if (!nx.isTensor(leaf)) continue;
    if (path === "") throw fail(fn, "like is a bare tensor, which has no name; wrap it in an object such as { weight: x }");
    if (!byName.has(path)) missing.push(path);
    else wanted.push([path, leaf]);
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).map(nx.fmtValue).join(", ");
    throw fail(fn, `missing key${missing.length > 1 ? "s" : ""} ${shown}${missing.length > 10 ? ` and ${missing.length - 10} more` : ""} (the file has ${tensors.length} tensors)`);
  }
  const plan: [Tensor, TensorInfo, DType][] = [];
  for (const [path, leaf] of wanted) {
    const info = byName.get(path) as TensorInfo;
    const dtype = Object.prototype.hasOwnProperty.call(FROM_SAFETENSORS, info.dtype) ? FROM_SAFETENSORS[info.dtype] : undefined;
    if (dtype !== leaf.dtype) {
      throw fail(fn, `tensor ${nx.fmtValue(path)} has dtype ${info.dtype}${dtype === undefined ? " (not representable in nx)" : ` (${dtype})`}, but like has ${leaf.dtype} (${TO_SAFETENSORS[leaf.dtype]})`);
    }
    if (!nx.shapesEqual(info.shape, leaf.shape)) throw fail(fn, `tensor ${nx.fmtValue(path)} has shape ${nx.fmtShape(info.shape)}, but like has ${nx.fmtShape(leaf.shape)}`);
    plan.push([leaf, info, dtype]);
  }
  // All or nothing: if creating one tensor fails, the ones already made are released.
  const made = nx.tidy(() => plan.map(([, info, dtype]) => decode(info, dtype, data)));
  return rebuild(like, made[Symbol.iterator]()) as T;
}
