/**
 * The WebAssembly matrix product: a packed, register-blocked GEMM in the
 * style of GotoBLAS, emitted per float type (f32x4 and f64x2 lanes).
 *
 * `C[m×n] = A[m×k] · B[k×n]` runs in two steps:
 *
 * 1. `packB` copies `B`, whatever its strides, into blocks of `KC` steps of
 *    `k`, each a row of `NR`-column slivers (`kc × NR` values, `NR` per step):
 *    a transposed `B` costs one strided copy, never a slow product.
 * 2. `gemm` walks blocks of `MC` rows of `A`; for each block of `KC` steps it
 *    copies the block of `A` (any strides) into `MR`-row slivers and runs the
 *    micro-kernel over every `MR × NR` tile: `MR × NR/lanes` vector
 *    accumulators in registers, per step one splat of each `A` value and
 *    `NR/lanes` vector loads of `B`. The first block of `k` stores the tile,
 *    later ones add to it, so `C` needs no zeroing.
 *
 * `gemm` covers a range of rows with one packed `B`, which is how threads
 * share a product: `B` is packed once and each thread runs `gemm` on its own
 * rows with its own `A` scratch.
 */
import type { Fn, Local, ModuleBuilder, SimdOp, ValType } from "./assembler.js";
import { F32, F64, I32, V128 } from "./assembler.js";

/** A float type's vector instructions: element size and lanes per v128. */
export interface Lanes {
  readonly name: "f32" | "f64";
  readonly bytes: 4 | 8;
  readonly lanes: 4 | 2;
}

export const F32_LANES: Lanes = { name: "f32", bytes: 4, lanes: 4 };
export const F64_LANES: Lanes = { name: "f64", bytes: 8, lanes: 2 };

/** The tile and block sizes of one GEMM (in elements). */
export interface GemmShape {
  /** Rows of the register tile. */
  readonly mr: number;
  /** Vectors per tile row (`NR = nv * lanes` columns). */
  readonly nv: number;
  /** Steps of `k` per packed block. */
  readonly kc: number;
  /** Rows of `A` per packed block (a multiple of `mr`). */
  readonly mc: number;
  /** Steps of `k` unrolled in the micro-kernel loop. */
  readonly unroll: number;
  /**
   * Splat `A` values through an integer load (`i32.load` + `i32x4.splat`)
   * rather than `v128.load32_splat`. V8 keeps a loop body's loads in program
   * order and sinks the arithmetic to its end, so every loaded vector of an
   * iteration is live at once: integer loads hold `A` in general-purpose
   * registers instead, leaving the vector registers to the accumulators and
   * `B` (no spills).
   */
  readonly splatFromInt?: boolean;
}

/** The measured choice per float type (see the package's BENCHMARKS.md). */
export const GEMM_SHAPES: Record<Lanes["name"], GemmShape> = {
  f32: { mr: 5, nv: 2, kc: 256, mc: 80, unroll: 1, splatFromInt: true },
  f64: { mr: 5, nv: 2, kc: 256, mc: 80, unroll: 1, splatFromInt: true },
};

/** `gemmScratchBytes(lanes, shape)` is the per-thread scratch `gemm` needs: the packed `A` block and one tile. */
export function gemmScratchBytes(lanes: Lanes, shape: GemmShape): number {
  return (shape.mc * shape.kc + shape.mr * shape.nv * lanes.lanes) * lanes.bytes;
}

/** `packedBBytes(lanes, shape, k, n)` is the size of `B` packed by `packB`. */
export function packedBBytes(lanes: Lanes, shape: GemmShape, k: number, n: number): number {
  const nr = shape.nv * lanes.lanes;
  return k * Math.ceil(n / nr) * nr * lanes.bytes;
}

function op(lanes: Lanes, name: string): SimdOp {
  return `${lanes.name}${lanes.lanes === 4 ? "x4" : "x2"}.${name}` as SimdOp;
}

/** `addTo(f, p, c)` emits `p += c` for an i32 local and a constant. */
function addTo(f: Fn, p: Local, c: number): void {
  f.get(p).i32(c).i32Add().set(p);
}

/** `addLocal(f, p, q)` emits `p += q` for two i32 locals. */
function addLocal(f: Fn, p: Local, q: Local): void {
  f.get(p).get(q).i32Add().set(p);
}

/**
 * `emitMicro(mod, lanes, shape, rows)` adds `micro<rows>(pa, pb, kc, c, ldc, accumulate)`:
 * the `rows × NR` tile of `C` at byte address `c` (row stride `ldc` bytes)
 * gets (or, when `accumulate` ≠ 0, adds) the product of the packed `A`
 * sliver at `pa` (`mr` values per step, the first `rows` used) and the
 * packed `B` sliver at `pb` (`NR` values per step), over `kc ≥ 1` steps.
 * The `direct` variant (`micro<rows>_direct`, one more parameter `ldb`)
 * reads `B` in place instead: `NR` contiguous values per step, steps `ldb`
 * bytes apart.
 */
function emitMicro(mod: ModuleBuilder, lanes: Lanes, s: GemmShape, rows: number, fma: boolean, direct: boolean): number {
  const es = lanes.bytes;
  const nr = s.nv * lanes.lanes;
  const splatLoad = (f: Fn, offset: number): Fn => {
    if (s.splatFromInt) return es === 4 ? f.i32Load(offset).v("i32x4.splat") : f.i64Load(offset).v("i64x2.splat");
    return es === 4 ? f.v128Load32Splat(offset) : f.v128Load64Splat(offset);
  };
  const params = new Array<ValType>(direct ? 7 : 6).fill(I32);
  return mod.add(`gemm_${lanes.name}_micro${rows}${direct ? "_direct" : ""}`, params, [], (f) => {
    const [pa, pb, kc, c, ldc, accumulate, ldb] = f.params() as [Local, Local, Local, Local, Local, Local, Local];
    const acc: Local[] = [];
    for (let i = 0; i < rows * s.nv; i++) acc.push(f.local(V128));
    const b: Local[] = [];
    for (let v = 0; v < s.nv; v++) b.push(f.local(V128));
    const a = f.local(V128);
    const step = (u: number): void => {
      // packed: the step's NR values follow the previous step's; direct: the next row of B, ldb bytes on
      for (let v = 0; v < s.nv; v++) f.get(pb).v128Load(((direct ? 0 : u * nr) + v * lanes.lanes) * es).set(b[v] as Local);
      if (direct) addLocal(f, pb, ldb);
      for (let r = 0; r < rows; r++) {
        splatLoad(f.get(pa), (u * s.mr + r) * es).set(a);
        for (let v = 0; v < s.nv; v++) {
          const t = acc[r * s.nv + v] as Local;
          if (fma) {
            f.get(a).get(b[v] as Local).get(t);
            if (lanes.lanes === 4) f.f32x4RelaxedMadd();
            else f.f64x2RelaxedMadd();
            f.set(t);
          } else f.get(t).get(a).get(b[v] as Local).v(op(lanes, "mul")).v(op(lanes, "add")).set(t);
        }
      }
    };
    // Unrolled loop while at least `unroll` steps remain, then single steps.
    f.block().loop();
    f.get(kc).i32(s.unroll).i32LtS().brIf(1);
    for (let u = 0; u < s.unroll; u++) step(u);
    addTo(f, pa, s.unroll * s.mr * es);
    if (!direct) addTo(f, pb, s.unroll * nr * es);
    addTo(f, kc, -s.unroll);
    f.br(0).end().end();
    f.block().loop();
    f.get(kc).i32Eqz().brIf(1);
    step(0);
    addTo(f, pa, s.mr * es);
    if (!direct) addTo(f, pb, nr * es);
    addTo(f, kc, -1);
    f.br(0).end().end();
    // Store or accumulate the tile.
    const store = (withAdd: boolean): void => {
      const row = f.local(I32);
      f.get(c).set(row);
      for (let r = 0; r < rows; r++) {
        for (let v = 0; v < s.nv; v++) {
          f.get(row);
          if (withAdd) f.get(row).v128Load(v * 16).get(acc[r * s.nv + v] as Local).v(op(lanes, "add"));
          else f.get(acc[r * s.nv + v] as Local);
          f.v128Store(v * 16);
        }
        if (r + 1 < rows) addLocal(f, row, ldc);
      }
    };
    f.get(accumulate).if();
    store(true);
    f.else();
    store(false);
    f.end();
  });
}

/**
 * `emitTileCopy(mod, lanes)` adds `tile(src, c, ldc, rows, cols, nr, accumulate)`:
 * copies (or adds) the `rows × cols` corner of a tile stored with row stride
 * `nr` elements at `src` into `C` at `c` (row stride `ldc` bytes).
 */
function emitTileCopy(mod: ModuleBuilder, lanes: Lanes): number {
  const es = lanes.bytes;
  const shift = es === 4 ? 2 : 3;
  return mod.add(`gemm_${lanes.name}_tile`, [I32, I32, I32, I32, I32, I32, I32], [], (f) => {
    const [src, c, ldc, rows, cols, nr, accumulate] = f.params() as [Local, Local, Local, Local, Local, Local, Local];
    const j = f.local(I32);
    const v = f.local(es === 4 ? F32 : F64);
    const load = (): Fn => (es === 4 ? f.f32Load() : f.f64Load());
    const add = (): Fn => (es === 4 ? f.f32Add() : f.f64Add());
    const cAddress = (): Fn => f.get(c).get(j).i32(shift).i32Shl().i32Add();
    f.countDown(rows, () => {
      f.upTo(j, cols, () => {
        cAddress();
        f.get(src).get(j).i32(shift).i32Shl().i32Add();
        load().set(v);
        // stack: address; value = accumulate ? v + C[j] : v
        f.get(v);
        cAddress();
        load();
        add();
        f.get(v).get(accumulate).select();
        if (es === 4) f.f32Store();
        else f.f64Store();
      });
      f.get(src).get(nr).i32(shift).i32Shl().i32Add().set(src);
      addLocal(f, c, ldc);
    });
  });
}

/**
 * `emitPackA(mod, lanes, shape)` adds `packA(a, rs, cs, mc, kc, dst)`: the
 * `mc × kc` block of `A` at byte address `a` (row and step strides `rs`, `cs`
 * in elements) as `mr`-row slivers: sliver `s` at `dst + s·mr·kc` elements,
 * element `(t, r)` of it at `t·mr + r`.
 */
function emitPackA(mod: ModuleBuilder, lanes: Lanes, s: GemmShape): number {
  const es = lanes.bytes;
  const shift = es === 4 ? 2 : 3;
  return mod.add(`gemm_${lanes.name}_packA`, [I32, I32, I32, I32, I32, I32], [], (f) => {
    const [a, rs, cs, mc, kc, dst] = f.params() as [Local, Local, Local, Local, Local, Local];
    const i = f.local(I32);
    const p = f.local(I32);
    const q = f.local(I32);
    const t = f.local(I32);
    const csb = f.local(I32);
    f.get(cs).i32(shift).i32Shl().set(csb);
    // for each row i: p walks A's row, q walks the sliver's column r = i mod mr
    f.upTo(i, mc, () => {
      f.get(a).get(i).get(rs).i32Mul().i32(shift).i32Shl().i32Add().set(p);
      // q = dst + ((i / mr) * mr * kc + i mod mr) * es
      f.get(dst);
      f.get(i).i32(s.mr).i32DivS().get(kc).i32Mul().i32(s.mr).i32Mul();
      f.get(i).i32(s.mr).i32RemS().i32Add();
      f.i32(shift).i32Shl().i32Add().set(q);
      f.get(kc).set(t);
      f.countDown(t, () => {
        if (es === 4) f.get(q).get(p).f32Load().f32Store();
        else f.get(q).get(p).f64Load().f64Store();
        addLocal(f, p, csb);
        addTo(f, q, s.mr * es);
      });
    });
  });
}

/**
 * `emitPackB(mod, lanes, shape)` adds `packB(b, rs, cs, k, n, dst)`: all of
 * `B` (`k × n` at byte address `b`, step and column strides `rs`, `cs` in
 * elements) in blocks of `kc` steps; block `p` starts at `dst + p·kc·npad`
 * elements (`npad` is `n` rounded up to `NR`), sliver `j` of it at
 * `+ j·NR·kcb` (`kcb` the block's steps), element `(t, col)` at `t·NR + col`.
 * Columns past `n` are left unwritten (the micro-kernel's lanes are
 * independent and `gemm` never stores them).
 */
function emitPackB(mod: ModuleBuilder, lanes: Lanes, s: GemmShape): number {
  const es = lanes.bytes;
  const shift = es === 4 ? 2 : 3;
  const nr = s.nv * lanes.lanes;
  return mod.add(`gemm_${lanes.name}_packB`, [I32, I32, I32, I32, I32, I32], [], (f) => {
    const [b, rs, cs, k, n, dst] = f.params() as [Local, Local, Local, Local, Local, Local];
    const pc = f.local(I32);
    const kcb = f.local(I32);
    const jr = f.local(I32);
    const cols = f.local(I32);
    const p = f.local(I32);
    const q = f.local(I32);
    const t = f.local(I32);
    const col = f.local(I32);
    const rsb = f.local(I32);
    const csb = f.local(I32);
    f.get(rs).i32(shift).i32Shl().set(rsb);
    f.get(cs).i32(shift).i32Shl().set(csb);
    f.get(dst).set(q);
    f.blocks(pc, k, s.kc, kcb, () => {
      f.blocks(jr, n, nr, cols, () => {
        // p = b + (pc * rs + jr * cs) * es
        f.get(b).get(pc).get(rs).i32Mul().get(jr).get(cs).i32Mul().i32Add().i32(shift).i32Shl().i32Add().set(p);
        f.get(kcb).set(t);
        // fast path: a full sliver of contiguous columns is NR/lanes vector copies per step
        f.get(cols).i32(nr).i32Eq().get(cs).i32(1).i32Eq().i32And().if();
        f.countDown(t, () => {
          for (let v = 0; v < s.nv; v++) f.get(q).get(p).v128Load(v * 16).v128Store(v * 16);
          addLocal(f, p, rsb);
          addTo(f, q, nr * es);
        });
        f.else();
        f.countDown(t, () => {
          f.upTo(col, cols, () => {
            f.get(q).get(col).i32(shift).i32Shl().i32Add();
            f.get(p).get(col).get(csb).i32Mul().i32Add();
            if (es === 4) f.f32Load().f32Store();
            else f.f64Load().f64Store();
          });
          addLocal(f, p, rsb);
          addTo(f, q, nr * es);
        });
        f.end();
      });
    });
  });
}

/**
 * `emitGemm(mod, lanes, shape, fma)` adds the kernels of one float type and
 * returns nothing: `gemm_<t>_packB` (above) and
 * `gemm_<t>(a, rs, cs, pb, c, ldc, m, n, k, scratch)`: rows `0..m-1` of
 * `C = A · B` with `A` at byte address `a` (row and step strides `rs`, `cs`
 * in elements), `B` packed by `packB` at `pb`, `C` at `c` with row stride
 * `ldc` elements; `scratch` holds `gemmScratchBytes` bytes. `k ≥ 1`.
 * With `fma` the micro-kernel multiplies and adds in one relaxed-SIMD
 * `relaxed_madd` (a fused multiply-add where the engine fuses it).
 */
export function emitGemm(mod: ModuleBuilder, lanes: Lanes, s: GemmShape, fma = false): void {
  const micro: number[] = [];
  const microDirect: number[] = [];
  for (let r = 1; r <= s.mr; r++) micro.push(emitMicro(mod, lanes, s, r, fma, false));
  for (let r = 1; r <= s.mr; r++) microDirect.push(emitMicro(mod, lanes, s, r, fma, true));
  const tile = emitTileCopy(mod, lanes);
  const packA = emitPackA(mod, lanes, s);
  emitPackB(mod, lanes, s);
  emitDriver(mod, lanes, s, { micro, tile, packA, direct: false });
  emitDriver(mod, lanes, s, { micro: microDirect, tile, packA, direct: true });
}

/** The functions a GEMM driver calls, and whether it reads `B` packed or in place. */
interface DriverParts {
  readonly micro: readonly number[];
  readonly tile: number;
  readonly packA: number;
  readonly direct: boolean;
}

/**
 * `emitDriver(mod, lanes, shape, parts)` adds `gemm_<t>` (packed `B`, as
 * documented on {@link emitGemm}) or, with `parts.direct`,
 * `gemm_<t>_direct(a, rs, cs, b, ldb, c, ldc, m, n, k, scratch)`, which reads
 * a row-major `B` (row stride `ldb` elements, `n` a multiple of `NR`) in
 * place: for products with few rows, where packing `B` would cost as much
 * as the product.
 */
function emitDriver(mod: ModuleBuilder, lanes: Lanes, s: GemmShape, parts: DriverParts): void {
  const es = lanes.bytes;
  const shift = es === 4 ? 2 : 3;
  const nr = s.nv * lanes.lanes;
  const { micro, tile, packA, direct } = parts;
  const params = new Array<ValType>(direct ? 11 : 10).fill(I32);
  mod.add(`gemm_${lanes.name}${direct ? "_direct" : ""}`, params, [], (f) => {
    const args = f.params();
    const [a, rs, cs, pb] = args as [Local, Local, Local, Local];
    const ldb = direct ? (args[4] as Local) : pb;
    const [c, ldc, m, n, k, scratch] = args.slice(direct ? 5 : 4) as [Local, Local, Local, Local, Local, Local];
    const ldbb = f.local(I32);
    const ic = f.local(I32);
    const mcb = f.local(I32);
    const pc = f.local(I32);
    const kcb = f.local(I32);
    const jr = f.local(I32);
    const ir = f.local(I32);
    const rows = f.local(I32);
    const cols = f.local(I32);
    const npad = f.local(I32);
    const bs = f.local(I32);
    const cp = f.local(I32);
    const ap = f.local(I32);
    const ldcb = f.local(I32);
    const tileAt = f.local(I32);
    const accumulate = f.local(I32);
    f.get(ldc).i32(shift).i32Shl().set(ldcb);
    f.get(ldb).i32(shift).i32Shl().set(ldbb);
    f.get(scratch).i32(s.mc * s.kc * es).i32Add().set(tileAt);
    // npad = ceil(n / nr) * nr
    f.get(n).i32(nr - 1).i32Add().i32(nr).i32DivS().i32(nr).i32Mul().set(npad);
    f.blocks(ic, m, s.mc, mcb, () => {
      f.blocks(pc, k, s.kc, kcb, () => {
        f.get(pc).i32(0).i32GtS().set(accumulate);
        // packA(a + (ic * rs + pc * cs) * es, rs, cs, mcb, kcb, scratch)
        f.get(a).get(ic).get(rs).i32Mul().get(pc).get(cs).i32Mul().i32Add().i32(shift).i32Shl().i32Add();
        f.get(rs).get(cs).get(mcb).get(kcb).get(scratch).call(packA);
        f.blocks(jr, n, nr, cols, () => {
          // packed: bs = pb + (pc * npad + jr * kcb) * es; direct: bs = b + (pc * ldb + jr) * es
          if (direct) f.get(pb).get(pc).get(ldb).i32Mul().get(jr).i32Add().i32(shift).i32Shl().i32Add().set(bs);
          else f.get(pb).get(pc).get(npad).i32Mul().get(jr).get(kcb).i32Mul().i32Add().i32(shift).i32Shl().i32Add().set(bs);
          f.blocks(ir, mcb, s.mr, rows, () => {
            // cp = c + ((ic + ir) * ldc + jr) * es ; ap = scratch + ir * kcb * es
            f.get(c).get(ic).get(ir).i32Add().get(ldc).i32Mul().get(jr).i32Add().i32(shift).i32Shl().i32Add().set(cp);
            f.get(scratch).get(ir).get(kcb).i32Mul().i32(shift).i32Shl().i32Add().set(ap);
            f.get(cols).i32(nr).i32Eq().if();
            // dispatch on rows: micro[rows - 1]
            for (let r = s.mr; r >= 1; r--) {
              f.get(rows).i32(r).i32Eq().if();
              f.get(ap).get(bs).get(kcb).get(cp).get(ldcb).get(accumulate);
              if (direct) f.get(ldbb);
              f.call(micro[r - 1] as number);
              f.end();
            }
            f.else();
            f.get(ap).get(bs).get(kcb).get(tileAt).i32(nr * es).i32(0);
            if (direct) f.get(ldbb);
            f.call(micro[s.mr - 1] as number);
            f.get(tileAt).get(cp).get(ldcb).get(rows).get(cols).i32(nr).get(accumulate).call(tile);
            f.end();
          });
        });
      });
    });
  });
}
