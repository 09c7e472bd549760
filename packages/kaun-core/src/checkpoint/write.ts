/** Serialising a tree of tensors to safetensors bytes. */
import type { HostArray, Tensor } from "@raven-ts/nx";
import * as nx from "@raven-ts/nx";
import { treeCall } from "../tree-args.js";
import { describe, fail, isRecord, optionalOptions } from "../util.js";
import { FORBIDDEN_SEGMENTS, ITEM_BYTES, LITTLE_ENDIAN, MAX_HEADER_BYTES, MAX_METADATA_ENTRIES, MAX_TENSORS, METADATA_KEY, TO_SAFETENSORS } from "./format.js";

/** Options of {@link toBytes}. */
export interface ToBytesOptions {
  /** Strings stored in the header's `__metadata__` map; defaults to none (no `__metadata__` entry). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** `hostBytes(host)` is the little-endian bytes of a host array. */
function hostBytes(host: HostArray): Uint8Array {
  if (LITTLE_ENDIAN || host.BYTES_PER_ELEMENT === 1) return new Uint8Array(host.buffer, host.byteOffset, host.byteLength);
  const out = new Uint8Array(host.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < host.length; i++) {
    const v = host[i] as number;
    if (host instanceof Float32Array) view.setFloat32(i * 4, v, true);
    else if (host instanceof Float64Array) view.setFloat64(i * 8, v, true);
    else view.setInt32(i * 4, v, true);
  }
  return out;
}

/**
 * `namedTensors(fn, tree)` is the `[name, tensor]` pairs of the tensor leaves
 * of `tree` (non-tensor leaves are skipped), with names checked to be usable keys.
 */
export function namedTensors(fn: string, tree: unknown): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  const seen = new Set<string>();
  for (const [path, leaf] of treeCall(fn, () => nx.tree.flattenWithPaths<unknown>(tree as nx.tree.Tree<unknown>))) {
    if (!nx.isTensor(leaf)) continue;
    if (path === "") throw fail(fn, "the tree is a bare tensor, which has no name; wrap it in an object such as { weight: x }");
    if (path === METADATA_KEY) throw fail(fn, `the name ${nx.fmtValue(METADATA_KEY)} is reserved by the safetensors format`);
    const bad = path.split(".").find((s) => FORBIDDEN_SEGMENTS.has(s) || s === "");
    if (bad !== undefined) throw fail(fn, `the name ${nx.fmtValue(path)} contains the forbidden segment ${nx.fmtValue(bad)}`);
    if (seen.has(path)) throw fail(fn, `two leaves have the name ${nx.fmtValue(path)} (an object key containing "." collides with a nested path)`);
    if (leaf.isDisposed) throw fail(fn, `the tensor ${nx.fmtValue(path)} was disposed`);
    seen.add(path);
    out.push([path, leaf]);
  }
  if (out.length > MAX_TENSORS) throw fail(fn, `the tree has ${out.length} tensors, more than a checkpoint may hold (${MAX_TENSORS})`);
  return out;
}

/**
 * `toBytes(tree, { metadata? })` is the safetensors serialisation of the
 * tensor leaves of `tree`: each leaf is stored under its dotted path
 * (`{ layer: { w } }` gives `"layer.w"`, array indices give `"layers.0.w"`)
 * with dtype `F32`, `F64`, `I32`, `U8` or `BOOL`. Non-tensor leaves (such as
 * `Vars.dtype`) are not stored. Tensors are laid out by decreasing element
 * size, so each is aligned to its element size; the header is padded with
 * spaces to a multiple of 8 bytes: Hugging Face's safetensors format (the
 * repository's `interop/torch` loads it into PyTorch).
 * `metadata` defaults to none.
 * @throws InvalidArgumentError when the tree is a bare tensor (it has no
 * name), two leaves share a name, a name is `"__metadata__"` or has an empty
 * or forbidden (`__proto__`, `constructor`, `prototype`) segment, a tensor
 * was disposed, `options` is not an object, `metadata` is not a map of
 * strings to strings, the tree has a cycle, or the file would exceed what
 * `Checkpoint.inspect` accepts (more than 100,000 tensors, more than 10,000
 * metadata entries, or a header over 100 MB).
 */
export function toBytes(tree: unknown, options: ToBytesOptions = {}): Uint8Array {
  const fn = "Checkpoint.toBytes";
  const m = optionalOptions(fn, options, ["metadata"]).metadata;
  const named = namedTensors(fn, tree);
  let metadata: Record<string, string> | undefined;
  if (m !== undefined) {
    if (!isRecord(m)) throw fail(fn, `metadata must be an object of strings, got ${describe(m)}`);
    const entries = Object.entries(m);
    if (entries.length > MAX_METADATA_ENTRIES) throw fail(fn, `metadata has ${entries.length} entries, more than a checkpoint may hold (${MAX_METADATA_ENTRIES})`);
    metadata = Object.create(null) as Record<string, string>;
    for (const [k, v] of entries) {
      if (typeof v !== "string") throw fail(fn, `metadata[${nx.fmtValue(k)}] must be a string, got ${describe(v)}`);
      metadata[k] = v;
    }
  }
  // Largest elements first: every tensor then starts at a multiple of its element size.
  const order = named
    .map(([name, t], i) => ({ name, t, i, size: ITEM_BYTES[TO_SAFETENSORS[t.dtype]] ?? 1 }))
    .sort((a, b) => b.size - a.size || a.i - b.i);
  const chunks: Uint8Array[] = [];
  const header = Object.create(null) as Record<string, unknown>;
  if (metadata !== undefined) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const { name, t } of order) {
    const bytes = hostBytes(t.dataSync());
    header[name] = { dtype: TO_SAFETENSORS[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  if (json.byteLength > MAX_HEADER_BYTES) throw fail(fn, `the header would take ${json.byteLength} bytes, more than the ${MAX_HEADER_BYTES}-byte limit (names and metadata too long)`);
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.byteLength, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
