/**
 * A minimal WebAssembly binary assembler: nx's CPU kernels are written in
 * TypeScript as calls on a {@link Fn} (one method per instruction) and
 * assembled into module bytes at run time, so no build tool, no `.wasm`
 * file and no network fetch is involved, in Node or in a browser bundle.
 *
 * Only what the kernels use is here: i32/i64/f32/f64/v128 values, structured
 * control flow, loads and stores with a constant offset, the SIMD and atomic
 * prefixes, one imported memory and exported functions.
 */

/** Value types, by their binary encoding. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

/** `unsignedLeb(value)` is the unsigned LEB128 encoding of a non-negative integer below 2^32. */
function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

/** `signedLeb(value)` is the signed LEB128 encoding of a 32-bit integer. */
function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(name: string): number[] {
  return [...new TextEncoder().encode(name)];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

/** SIMD instructions without immediates, by name, with their opcodes after the 0xfd prefix. */
export const SIMD = {
  "i8x16.splat": 0x0f,
  "i32x4.splat": 0x11,
  "i64x2.splat": 0x12,
  "f32x4.splat": 0x13,
  "f64x2.splat": 0x14,
  "i32x4.eq": 0x37, "i32x4.ne": 0x38,
  "i8x16.narrow_i16x8_u": 0x66, "i16x8.narrow_i32x4_u": 0x86,
  "i16x8.extend_low_i8x16_u": 0x89, "i32x4.extend_low_i16x8_u": 0xa9,
  "v128.any_true": 0x53, "i32x4.all_true": 0xa3,
  "f32x4.eq": 0x41, "f32x4.ne": 0x42, "f32x4.lt": 0x43, "f32x4.gt": 0x44, "f32x4.le": 0x45, "f32x4.ge": 0x46,
  "f64x2.eq": 0x47, "f64x2.ne": 0x48, "f64x2.lt": 0x49, "f64x2.gt": 0x4a, "f64x2.le": 0x4b, "f64x2.ge": 0x4c,
  "v128.not": 0x4d, "v128.and": 0x4e, "v128.andnot": 0x4f, "v128.or": 0x50, "v128.xor": 0x51, "v128.bitselect": 0x52,
  "f32x4.ceil": 0x67, "f32x4.floor": 0x68, "f32x4.trunc": 0x69, "f32x4.nearest": 0x6a,
  "f64x2.ceil": 0x74, "f64x2.floor": 0x75, "f64x2.trunc": 0x7a, "f64x2.nearest": 0x94,
  "i32x4.shl": 0xab, "i32x4.shr_s": 0xac, "i32x4.shr_u": 0xad, "i32x4.add": 0xae, "i32x4.sub": 0xb1, "i32x4.mul": 0xb5,
  "f32x4.abs": 0xe0, "f32x4.neg": 0xe1, "f32x4.sqrt": 0xe3, "f32x4.add": 0xe4, "f32x4.sub": 0xe5, "f32x4.mul": 0xe6,
  "f32x4.div": 0xe7, "f32x4.min": 0xe8, "f32x4.max": 0xe9, "f32x4.pmin": 0xea, "f32x4.pmax": 0xeb,
  "f64x2.abs": 0xec, "f64x2.neg": 0xed, "f64x2.sqrt": 0xef, "f64x2.add": 0xf0, "f64x2.sub": 0xf1, "f64x2.mul": 0xf2,
  "f64x2.div": 0xf3, "f64x2.min": 0xf4, "f64x2.max": 0xf5, "f64x2.pmin": 0xf6, "f64x2.pmax": 0xf7,
  "i32x4.trunc_sat_f32x4_s": 0xf8, "f32x4.convert_i32x4_s": 0xfa, "f64x2.convert_low_i32x4_s": 0xfe,
} as const;
export type SimdOp = keyof typeof SIMD;

/** A local variable or parameter of a function: its index. */
export type Local = number & { readonly __local: unique symbol };

/**
 * The body of one function under construction. Each instruction method
 * appends its encoding and returns `this`, so code reads as a chain in
 * stack-machine order: `f.get(x).get(y).f32x4Add().set(z)`.
 */
export class Fn {
  #code: number[] = [];
  /** Code run once at entry (hoisted constants), placed before `#code`. */
  #prologue: number[] = [];
  readonly #constants = new Map<string, Local>();
  readonly #locals: ValType[] = [];
  readonly #params: readonly ValType[];

  constructor(params: readonly ValType[]) {
    this.#params = params;
  }

  /** `params()` is every parameter, in order (destructure it: `const [a, b] = f.params() as [Local, Local]`). */
  params(): Local[] {
    return this.#params.map((_, i) => i as Local);
  }

  /** `local(type)` declares a new local of `type` (zero-initialised, as wasm does). */
  local(type: ValType): Local {
    this.#locals.push(type);
    return (this.#params.length + this.#locals.length - 1) as Local;
  }

  #op(...bytes: number[]): this {
    for (const b of bytes) this.#code.push(b);
    return this;
  }

  #simd(op: number, ...imm: number[]): this {
    return this.#op(0xfd, ...unsignedLeb(op), ...imm);
  }

  // --- variables and constants
  get(l: Local): this { return this.#op(0x20, ...unsignedLeb(l)); }
  set(l: Local): this { return this.#op(0x21, ...unsignedLeb(l)); }
  tee(l: Local): this { return this.#op(0x22, ...unsignedLeb(l)); }
  i32(v: number): this { return this.#op(0x41, ...signedLeb(v)); }
  /** `i64.const` of a value within the 32-bit signed range. */
  i64(v: number): this { return this.#op(0x42, ...signedLeb(v)); }
  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.#op(0x43, ...b);
  }
  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return this.#op(0x44, ...b);
  }
  drop(): this { return this.#op(0x1a); }
  select(): this { return this.#op(0x1b); }

  // --- control flow (blocks carry no values)
  block(): this { return this.#op(0x02, 0x40); }
  loop(): this { return this.#op(0x03, 0x40); }
  if(): this { return this.#op(0x04, 0x40); }
  else(): this { return this.#op(0x05); }
  end(): this { return this.#op(0x0b); }
  br(depth: number): this { return this.#op(0x0c, ...unsignedLeb(depth)); }
  brIf(depth: number): this { return this.#op(0x0d, ...unsignedLeb(depth)); }
  return(): this { return this.#op(0x0f); }
  call(index: number): this { return this.#op(0x10, ...unsignedLeb(index)); }

  // --- loops (structured helpers over block/loop/br)

  /** `countDown(n, body)`: runs `body` while the i32 local `n` is non-zero, decrementing it after each run. */
  countDown(n: Local, body: () => void): this {
    this.block().loop();
    this.get(n).i32Eqz().brIf(1);
    body();
    this.get(n).i32(1).i32Sub().set(n);
    return this.br(0).end().end();
  }

  /** `upTo(i, n, body)`: `for (i = 0; i < n; i++) body()` over i32 locals. */
  upTo(i: Local, n: Local, body: () => void): this {
    return this.i32(0).set(i).stepTo(i, n, 1, body);
  }

  /**
   * `stepTo(i, n, width, body)`: `for (; i + width <= n; i += width) body()`
   * over i32 locals, from `i` as it is (`width` a constant ≥ 1): a row's loop
   * over whole vectors, then (width 1) its scalar tail.
   */
  stepTo(i: Local, n: Local, width: number, body: () => void): this {
    this.block().loop();
    if (width === 1) this.get(i).get(n).i32GeS().brIf(1);
    else this.get(i).i32(width).i32Add().get(n).i32GtS().brIf(1);
    body();
    this.get(i).i32(width).i32Add().set(i);
    return this.br(0).end().end();
  }

  /**
   * `blocks(i, n, step, size, body)`: `for (i = 0; i < n; i += step) { size = min(step, n - i); body() }`
   * over i32 locals (`step` a constant): the loop over blocks of a blocked algorithm.
   */
  blocks(i: Local, n: Local, step: number, size: Local, body: () => void): this {
    this.i32(0).set(i);
    this.block().loop();
    this.get(i).get(n).i32GeS().brIf(1);
    this.get(n).get(i).i32Sub().set(size);
    this.get(size).i32(step).get(size).i32(step).i32LtS().select().set(size);
    body();
    this.get(i).i32(step).i32Add().set(i);
    return this.br(0).end().end();
  }

  // --- memory (offset in bytes; alignment hints are the natural ones)
  i32Load(offset = 0): this { return this.#op(0x28, 2, ...unsignedLeb(offset)); }
  f32Load(offset = 0): this { return this.#op(0x2a, 2, ...unsignedLeb(offset)); }
  f64Load(offset = 0): this { return this.#op(0x2b, 3, ...unsignedLeb(offset)); }
  i64Load(offset = 0): this { return this.#op(0x29, 3, ...unsignedLeb(offset)); }
  i32Load8U(offset = 0): this { return this.#op(0x2d, 0, ...unsignedLeb(offset)); }
  i32Store(offset = 0): this { return this.#op(0x36, 2, ...unsignedLeb(offset)); }
  i64Store(offset = 0): this { return this.#op(0x37, 3, ...unsignedLeb(offset)); }
  f32Store(offset = 0): this { return this.#op(0x38, 2, ...unsignedLeb(offset)); }
  f64Store(offset = 0): this { return this.#op(0x39, 3, ...unsignedLeb(offset)); }
  i32Store8(offset = 0): this { return this.#op(0x3a, 0, ...unsignedLeb(offset)); }
  /** `memory.fill` (bulk memory): dest, byte value, length on the stack. */
  memoryFill(): this { return this.#op(0xfc, ...unsignedLeb(11), 0); }
  /** `memory.copy` (bulk memory): dest, source, length on the stack. */
  memoryCopy(): this { return this.#op(0xfc, ...unsignedLeb(10), 0, 0); }

  // --- i32 arithmetic and comparisons
  i32Eqz(): this { return this.#op(0x45); }
  i32Eq(): this { return this.#op(0x46); }
  i32Ne(): this { return this.#op(0x47); }
  i32LtS(): this { return this.#op(0x48); }
  i32LtU(): this { return this.#op(0x49); }
  i32GtS(): this { return this.#op(0x4a); }
  i32GtU(): this { return this.#op(0x4b); }
  i32LeU(): this { return this.#op(0x4d); }
  i32LeS(): this { return this.#op(0x4c); }
  i32GeS(): this { return this.#op(0x4e); }
  i32Add(): this { return this.#op(0x6a); }
  i32DivS(): this { return this.#op(0x6d); }
  i32RemS(): this { return this.#op(0x6f); }
  i32Sub(): this { return this.#op(0x6b); }
  i32Mul(): this { return this.#op(0x6c); }
  i32And(): this { return this.#op(0x71); }
  i32Or(): this { return this.#op(0x72); }
  i32Xor(): this { return this.#op(0x73); }
  i32Shl(): this { return this.#op(0x74); }
  i32ShrS(): this { return this.#op(0x75); }
  i32ShrU(): this { return this.#op(0x76); }

  // --- i64 (unsigned comparisons, shifts, widening and narrowing)
  i64LtU(): this { return this.#op(0x54); }
  i64GtU(): this { return this.#op(0x56); }
  i64LeU(): this { return this.#op(0x58); }
  i64Or(): this { return this.#op(0x84); }
  i64Shl(): this { return this.#op(0x86); }
  i32WrapI64(): this { return this.#op(0xa7); }
  i64ExtendI32U(): this { return this.#op(0xad); }

  // --- scalar float arithmetic
  f32Add(): this { return this.#op(0x92); }
  f32Mul(): this { return this.#op(0x94); }
  f64Add(): this { return this.#op(0xa0); }
  f64Mul(): this { return this.#op(0xa2); }

  // --- SIMD: memory
  v128Load(offset = 0): this { return this.#simd(0x00, 4, ...unsignedLeb(offset)); }
  v128Load32Splat(offset = 0): this { return this.#simd(0x09, 2, ...unsignedLeb(offset)); }
  v128Load64Splat(offset = 0): this { return this.#simd(0x0a, 3, ...unsignedLeb(offset)); }
  /** `v128.load32_zero`: one 32-bit value into lane 0, the other lanes zero. */
  v128Load32Zero(offset = 0): this { return this.#simd(0x5c, 2, ...unsignedLeb(offset)); }
  v128Store(offset = 0): this { return this.#simd(0x0b, 4, ...unsignedLeb(offset)); }
  v128Const(bytes: readonly number[]): this { return this.#simd(0x0c, ...bytes); }
  v128Zero(): this { return this.v128Const(new Array<number>(16).fill(0)); }
  /**
   * `v128Hoisted(bytes)` pushes a v128 constant kept in a local that the
   * function sets once at entry, so a loop reads a register (or a stack slot)
   * instead of rebuilding the constant every iteration.
   */
  v128Hoisted(bytes: readonly number[]): this {
    const key = bytes.join(",");
    let l = this.#constants.get(key);
    if (l === undefined) {
      const local = this.local(V128);
      const code = this.#code;
      this.#code = this.#prologue;
      this.v128Const(bytes).set(local);
      this.#code = code;
      this.#constants.set(key, local);
      l = local;
    }
    return this.get(l);
  }
  /** `v` (a SIMD op of {@link SIMD}) applied to the operands on the stack. */
  v(op: SimdOp): this { return this.#simd(SIMD[op]); }
  /** `i8x16.shuffle` with 16 lane indices into the two operands (0-15 the first, 16-31 the second). */
  i8x16Shuffle(lanes: readonly number[]): this { return this.#simd(0x0d, ...lanes); }
  /** Relaxed SIMD `f32x4.relaxed_madd` / `f64x2.relaxed_madd`: `a * b + c`, fused or not as the engine chooses. */
  f32x4RelaxedMadd(): this { return this.#simd(0x105); }
  f64x2RelaxedMadd(): this { return this.#simd(0x107); }
  /** `f32x4.extract_lane` / `f64x2.extract_lane` of lane `lane`. */
  f32x4ExtractLane(lane: number): this { return this.#simd(0x1f, lane); }
  f64x2ExtractLane(lane: number): this { return this.#simd(0x21, lane); }
  /** `i32x4.extract_lane` of lane `lane`. */
  i32x4ExtractLane(lane: number): this { return this.#simd(0x1b, lane); }

  /** The encoded body: local declarations, code, `end`. */
  encode(): number[] {
    const groups: number[][] = [];
    for (const type of this.#locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === type) last[0] = (last[0] as number) + 1;
      else groups.push([1, type]);
    }
    const body = [...vector(groups.map(([n, t]) => [...unsignedLeb(n as number), t as number])), ...this.#prologue, ...this.#code, 0x0b];
    return [...unsignedLeb(body.length), ...body];
  }
}

interface FnEntry {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly fn: Fn;
}

/** The memory a module imports as `env.memory`. */
export interface MemoryImport {
  readonly initialPages: number;
  readonly maximumPages: number;
  readonly shared: boolean;
}

/**
 * A module under construction: functions are added with a body builder and
 * exported under their name; `encode()` is the binary module. Functions may
 * call earlier ones by the index `add` returns.
 */
export class ModuleBuilder {
  readonly #fns: FnEntry[] = [];
  constructor(readonly memory: MemoryImport) {}

  /** The exported function names, in order of addition. */
  get names(): string[] {
    return this.#fns.map((f) => f.name);
  }

  /** `add(name, params, results, body)` adds an exported function and returns its index. */
  add(name: string, params: readonly ValType[], results: readonly ValType[], body: (f: Fn) => void): number {
    const fn = new Fn(params);
    body(fn);
    this.#fns.push({ name, params, results, fn });
    return this.#fns.length - 1;
  }

  encode(): Uint8Array<ArrayBuffer> {
    const section = (id: number, payload: number[]): number[] => [id, ...unsignedLeb(payload.length), ...payload];
    const types = this.#fns.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))]);
    const m = this.memory;
    const limits = [m.shared ? 0x03 : 0x01, ...unsignedLeb(m.initialPages), ...unsignedLeb(m.maximumPages)];
    const name = (text: string): number[] => [...unsignedLeb(utf8(text).length), ...utf8(text)];
    const imports = vector([[...name("env"), ...name("memory"), 0x02, ...limits]]);
    const funcs = vector(this.#fns.map((_, i) => unsignedLeb(i)));
    const exports = vector(this.#fns.map((f, i) => [...name(f.name), 0x00, ...unsignedLeb(i)]));
    const code = vector(this.#fns.map((f) => f.fn.encode()));
    return new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, vector(types)),
      ...section(2, imports),
      ...section(3, funcs),
      ...section(7, exports),
      ...section(10, code),
    ]);
  }
}
