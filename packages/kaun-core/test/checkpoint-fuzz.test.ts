// Seeded property-based fuzzing of the safetensors reader (fast-check): on any
// input, Checkpoint.fromBytes and Checkpoint.inspect either succeed with what
// the template asks for, or throw nx's InvalidArgumentError naming them, with
// a short message, having created no tensor. Fixed seeds keep every CI run
// identical; the whole file runs in a few seconds.
import * as nx from "@raven-ts/nx";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Checkpoint } from "../src/index.js";

const SEED = 20_251_130;

const like = {
  w: nx.zeros([2, 3]),
  b: nx.zeros([3], "float64"),
  ids: nx.zeros([4], "int32"),
  mask: nx.zeros([2], "bool"),
  px: nx.zeros([3], "uint8"),
  e: nx.zeros([0, 2]),
};
const base = Checkpoint.toBytes(
  {
    w: nx.tensor([[1, -2, 3.5], [0, 1e-30, -0]]),
    b: nx.tensor([0.1, 0.2, 0.3], { dtype: "float64" }),
    ids: nx.tensor([0, -1, 7, 2147483647], { dtype: "int32" }),
    mask: nx.tensor([true, false]),
    px: nx.tensor([0, 128, 255], { dtype: "uint8" }),
    e: nx.zeros([0, 2]),
  },
  { metadata: { format: "pt", note: "fuzz" } },
);

/** Runs `read` on `bytes` and checks the reader's contract; returns whether it accepted the bytes. */
function checkContract(fn: string, read: () => unknown): boolean {
  const before = nx.memory().numTensors;
  try {
    read();
    return true;
  } catch (e) {
    if (!(e instanceof nx.InvalidArgumentError)) throw new Error(`${fn} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not an InvalidArgumentError`);
    expect(e.message.startsWith(`kaun.Checkpoint.${fn}: `)).toBe(true);
    expect(e.message.length).toBeLessThan(500);
    expect(nx.memory().numTensors).toBe(before);
    return false;
  }
}

function readBoth(bytes: Uint8Array): void {
  const accepted = checkContract("fromBytes", () => {
    const out = Checkpoint.fromBytes(bytes, { like });
    for (const [k, t] of Object.entries(like)) {
      const got = out[k as keyof typeof like];
      expect([got.dtype, got.shape]).toEqual([t.dtype, t.shape]);
    }
  });
  const inspected = checkContract("inspect", () => Checkpoint.inspect(bytes));
  // Whatever fromBytes accepts, inspect accepts.
  if (accepted) expect(inspected).toBe(true);
}

/** One edit of a byte string. */
type Mutation = { kind: "set"; at: number; byte: number } | { kind: "cut"; at: number } | { kind: "insert"; at: number; byte: number } | { kind: "delete"; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, edits: readonly Mutation[]): Uint8Array {
  let out = Array.from(bytes);
  for (const m of edits) {
    const at = out.length === 0 ? 0 : m.at % (out.length + (m.kind === "insert" ? 1 : 0));
    if (m.kind === "set" && out.length > 0) out[at] = m.byte;
    else if (m.kind === "cut") out = out.slice(0, at);
    else if (m.kind === "insert") out.splice(at, 0, m.byte);
    else if (m.kind === "delete") out.splice(at, 1);
  }
  return Uint8Array.from(out);
}

/** A file from a header (any JSON text) and a data buffer, with a correct length prefix. */
function file(header: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const dtypes = fc.constantFrom("F32", "F64", "I32", "U8", "BOOL", "BF16", "F16", "I64", "F33", "", "toString", "constructor", "__proto__");
const names = fc.oneof(fc.constantFrom("w", "b", "ids", "mask", "px", "e", "__metadata__", "__proto__", "a.constructor", "", "w.x"), fc.string({ maxLength: 8 }));
const ints = fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constantFrom(2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, 0.5, -0));
const jsonish: fc.Arbitrary<unknown> = fc.oneof(ints, fc.string({ maxLength: 4 }), fc.constant(null), fc.boolean(), fc.array(ints, { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 3 }), ints, { maxKeys: 3 }));
const entry = fc.oneof(
  fc.record({ dtype: dtypes, shape: fc.array(ints, { maxLength: 3 }), data_offsets: fc.tuple(ints, ints) }),
  fc.record({ dtype: fc.oneof(dtypes, jsonish), shape: jsonish, data_offsets: jsonish }, { requiredKeys: [] }),
  jsonish,
);
const header = fc.dictionary(names, entry, { maxKeys: 6 });

describe("fuzzing the safetensors reader (seeded)", () => {
  test("mutations of a valid file (set, cut, insert, delete bytes)", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (edits) => readBoth(mutate(base, edits))),
      { seed: SEED, numRuns: 600 },
    );
  });

  test("mutations confined to the header, where the structure lives", () => {
    const headerEnd = 8 + new DataView(base.buffer).getUint32(0, true);
    const inHeader = fc.record({ kind: fc.constant("set" as const), at: fc.integer({ min: 8, max: headerEnd - 1 }), byte: fc.constantFrom(0x22, 0x2c, 0x30, 0x31, 0x39, 0x5b, 0x5d, 0x7b, 0x7d, 0x2d, 0x2e, 0x20, 0x5c, 0xff) });
    fc.assert(
      fc.property(fc.array(inHeader, { minLength: 1, maxLength: 4 }), (edits) => readBoth(mutate(base, edits))),
      { seed: SEED + 1, numRuns: 600 },
    );
  });

  test("generated headers: odd names, dtypes, shapes and offsets over a random data buffer", () => {
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 64 }), (h, data) => readBoth(file(JSON.stringify(h), data))),
      { seed: SEED + 2, numRuns: 600 },
    );
  });

  test("arbitrary JSON and a random length prefix", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ maxLength: 16 }), (text, prefix, data) => {
        readBoth(file(text, data));
        const raw = file(text, data);
        raw.set(prefix, 0);
        readBoth(raw);
      }),
      { seed: SEED + 3, numRuns: 400 },
    );
  });

  test("round trip: any tree of named float32 / int32 / bool tensors reads back bitwise", () => {
    const leaf = fc.oneof(
      fc.float32Array({ maxLength: 6 }).map((a) => nx.tensor(a)),
      fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 6 }).map((a) => nx.tensor(Int32Array.from(a))),
      fc.array(fc.boolean(), { maxLength: 6 }).map((a) => nx.tensor(Uint8Array.from(a.map(Number)), { dtype: "bool" })),
    );
    const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/).filter((k) => !["constructor", "prototype"].includes(k));
    fc.assert(
      fc.property(fc.dictionary(key, fc.oneof(leaf, fc.dictionary(key, leaf, { maxKeys: 3 })), { maxKeys: 5 }), (tree) => {
        const back = Checkpoint.fromBytes(Checkpoint.toBytes(tree), { like: tree });
        const a = nx.tree.flattenWithPaths<nx.Tensor>(tree as nx.tree.Tree<nx.Tensor>);
        const b = nx.tree.flattenWithPaths<nx.Tensor>(back as nx.tree.Tree<nx.Tensor>);
        expect(b.map(([p]) => p)).toEqual(a.map(([p]) => p));
        a.forEach(([, t], i) => {
          const u = b[i]?.[1] as nx.Tensor;
          const bytes = (v: nx.Tensor): number[] => {
            const d = v.dataSync();
            return Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
          };
          expect([u.dtype, u.shape, bytes(u)]).toEqual([t.dtype, t.shape, bytes(t)]);
        });
      }),
      { seed: SEED + 4, numRuns: 200 },
    );
  });
});
