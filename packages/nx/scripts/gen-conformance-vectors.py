#!/usr/bin/env python3
"""Generate `src/testing/vectors.ts`, the expected values of the nx backend
conformance suite, computed independently of nx with numpy.

Run from anywhere (numpy >= 1.24; not needed in CI, the output is committed):

    python3 packages/nx/scripts/gen-conformance-vectors.py

Every case names an op of the public API (or a primitive run through
`bind`), its arguments (arrays, weak JS scalars, or arrays turned into strided
views by a list of movement steps), and the expected result. The expected
values follow nx's documented contract, which differs from numpy in places;
the reference helpers below implement the contract explicitly:

- promotion is the lattice bool < uint8 < int32 < float32 < float64
  (int32 with float32 gives float32), and JS numbers are weakly typed;
- `div` of integers is float32; arithmetic on bool is int32;
- integer arithmetic wraps; integer `mod` by 0 is 0; integer `pow` with a
  negative exponent is 0 unless the base is +-1;
- `cast` to an integer truncates toward zero and wraps modulo 2^32 / 256 (NaN
  and +-Infinity give 0), to bool is `v != 0` (NaN is true);
- `take` wraps a negative index once and clamps the rest to the axis;
- `oneHot` gives an all-zero row for an out-of-range (or negative) index.

Floats are computed in float64 from the (exact) inputs and rounded once to
the output dtype. An integer case whose exact computation passes through a
larger magnitude than its arguments and result show (a wrapped product, a
partial sum) records it as `intMagnitude`, so the suite skips it on a backend
whose `maxExactInteger` is smaller. Numbers are written so they round-trip exactly (shortest
float32 / float64 representation, checked).
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "testing", "vectors.ts")

rng = np.random.default_rng(20261127)
np.seterr(all="ignore")

NP = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "uint8": np.uint8, "bool": np.bool_}
RANK = {"bool": 0, "uint8": 1, "int32": 2, "float32": 3, "float64": 4}
DTYPES = ["float32", "float64", "int32", "uint8", "bool"]
M32 = 0xFFFFFFFF


def dname(a: np.ndarray) -> str:
    k = a.dtype
    if k == np.bool_:
        return "bool"
    for n, t in NP.items():
        if k == t:
            return n
    raise ValueError(f"unsupported dtype {k}")


def is_float(d: str) -> bool:
    return d in ("float32", "float64")


def promote(a: str, b: str) -> str:
    return a if RANK[a] >= RANK[b] else b


def weak(d: str, v) -> str:
    """Mirror of dtype.ts weakScalarType."""
    if isinstance(v, bool):
        return d
    if is_float(d):
        return d
    if not (math.isfinite(v) and float(v).is_integer()):
        return "float32"
    if d == "bool":
        return "int32"
    if d == "uint8" and (v < 0 or v > 255):
        return "int32"
    return d


def result_dtype(operands) -> str:
    """Mirror of operands.ts resultDType: operands are np arrays or Python scalars."""
    d = None
    for o in operands:
        if isinstance(o, np.ndarray):
            d = dname(o) if d is None else promote(d, dname(o))
    if d is None:
        d = "bool" if all(isinstance(o, bool) for o in operands) else "float32"
    for o in operands:
        if not isinstance(o, np.ndarray):
            d = weak(d, o)
    return d


# The largest integer magnitude an exact computation passed through since the
# last case was recorded (wrapped results before wrapping, and bounds on the
# partial sums and products of reductions): a backend whose integers are exact
# only up to a smaller magnitude (`maxExactInteger`) cannot reproduce the case.
INT_SEEN = [0]


def note_int(v) -> None:
    INT_SEEN[0] = max(INT_SEEN[0], abs(int(v)))


def wrap_int(v: int, d: str) -> int:
    note_int(v)
    if d == "uint8":
        return v % 256
    v %= 2**32
    return v - 2**32 if v >= 2**31 else v


def cast_scalar(v, d: str):
    """The contract's conversion of one number (dtype.ts castScalar)."""
    v = float(v) if not isinstance(v, (bool, int, np.integer, np.bool_)) else v
    if d in ("float32", "float64"):
        return NP[d](v)
    if d == "bool":
        return bool(v != 0) if not (isinstance(v, float) and math.isnan(v)) else True
    if isinstance(v, float):
        if not math.isfinite(v):
            return 0
        v = math.trunc(v)
    return wrap_int(int(v), d)


def cast(x: np.ndarray, d: str) -> np.ndarray:
    """Element-wise `cast` with the contract's semantics (numpy's is undefined out of range)."""
    src = dname(x)
    if src == d:
        return x.copy()
    if d in ("float32", "float64"):
        return x.astype(NP[d])
    if d == "bool":
        return x != 0 if src != "bool" else x.copy()
    flat = [cast_scalar(float(v) if is_float(src) else int(v), d) for v in x.reshape(-1)]
    return np.array(flat, dtype=NP[d]).reshape(x.shape)


def to(x, d: str) -> np.ndarray:
    """An operand (array or weak scalar) converted to dtype `d`."""
    if isinstance(x, np.ndarray):
        return cast(x, d)
    return np.array(cast_scalar(x, d), dtype=NP[d])


def as_ints(x: np.ndarray) -> np.ndarray:
    return x.astype(np.int64)


def wrap_arr(v: np.ndarray, d: str) -> np.ndarray:
    """int64 (or object) array wrapped into int32 / uint8."""
    flat = [wrap_int(int(e), d) for e in np.asarray(v).reshape(-1)]
    return np.array(flat, dtype=NP[d]).reshape(np.shape(v))


# ---------------------------------------------------------------------------
# Arguments


class Arg:
    """One argument of a case: an array (optionally viewed), a ramp, a scalar or a list."""

    def __init__(self, kind, value=None, view=None, ramp=None, items=None):
        self.kind = kind
        self.value = value
        self.view = view or []
        self.ramp = ramp
        self.items = items

    def np(self):
        if self.kind == "scalar":
            return self.value
        if self.kind == "list":
            return [a.np() for a in self.items]
        base = self.value if self.kind == "t" else ramp_values(self.ramp)
        return apply_view(base, self.view)

    def dtypes(self):
        if self.kind == "scalar":
            return []
        if self.kind == "list":
            return [d for a in self.items for d in a.dtypes()]
        return [dname(self.value) if self.kind == "t" else self.ramp["dtype"]]


def T(x, *view) -> Arg:
    return Arg("t", value=np.asarray(x), view=list(view))


def S(v) -> Arg:
    return Arg("scalar", value=v)


def L(*items) -> Arg:
    return Arg("list", items=list(items))


def R(dtype, shape, mul, add, mod, scale, offset, *view) -> Arg:
    return Arg("ramp", ramp=dict(dtype=dtype, shape=list(shape), mul=mul, add=add, mod=mod, scale=scale, offset=offset), view=list(view))


def ramp_values(r) -> np.ndarray:
    n = int(np.prod(r["shape"], dtype=np.int64))
    i = np.arange(n, dtype=np.int64)
    v = ((i * r["mul"] + r["add"]) % r["mod"]).astype(np.float64) * r["scale"] + r["offset"]
    return cast(v, r["dtype"]).reshape(r["shape"])


def apply_view(x: np.ndarray, steps) -> np.ndarray:
    for s in steps:
        (k, v), = s.items()
        if k == "transpose":
            x = np.transpose(x, v)
        elif k == "slice":
            x = x[slice_tuple(v)]
        elif k == "broadcastTo":
            x = np.broadcast_to(x, v)
        elif k == "flip":
            x = np.flip(x, axis=tuple(v) if v is not None else None)
        elif k == "reshape":
            x = np.reshape(x, v)
        else:
            raise ValueError(k)
    return x


def slice_tuple(spec):
    out = []
    for s in spec:
        if s is None:
            out.append(slice(None))
        elif isinstance(s, int):
            out.append(s)
        else:
            out.append(slice(s.get("start"), s.get("stop"), s.get("step")))
    return tuple(out)


# view steps
def tr(*axes):
    return {"transpose": list(axes)}


def sl(*spec):
    return {"slice": list(spec)}


def bc(*shape):
    return {"broadcastTo": list(shape)}


def fl(*axes):
    return {"flip": list(axes)}


def rs(*shape):
    return {"reshape": list(shape)}


def rg(start=None, stop=None, step=None):
    d = {}
    if start is not None:
        d["start"] = start
    if stop is not None:
        d["stop"] = stop
    if step is not None:
        d["step"] = step
    return d


# ---------------------------------------------------------------------------
# Data

def rnd(d: str, shape, lo=None, hi=None) -> np.ndarray:
    shape = tuple(shape)
    if d in ("float32", "float64"):
        lo = -3.0 if lo is None else lo
        hi = 3.0 if hi is None else hi
        return rng.uniform(lo, hi, shape).astype(NP[d])
    if d == "int32":
        return rng.integers(-20 if lo is None else lo, 21 if hi is None else hi, shape).astype(np.int32)
    if d == "uint8":
        return rng.integers(0 if lo is None else lo, 21 if hi is None else hi, shape).astype(np.uint8)
    return rng.random(shape) < 0.5


def arr(values, d: str) -> np.ndarray:
    return np.array(values, dtype=NP[d])


SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49999997, 1.0, -1.0, 3.7, -3.7, 1e-7, -1e-7, 20.0, -20.0, 100.0, -100.0,
           math.inf, -math.inf, math.nan]

# ---------------------------------------------------------------------------
# Cases

CASES = []
IDS = set()


def visible_int(args, expected) -> int:
    """The largest |value| of the integer arrays a case shows (arguments before views, results)."""
    arrays = list(expected) if isinstance(expected, list) else [expected]

    def add(a: Arg):
        if a.kind == "list":
            for e in a.items:
                add(e)
        elif a.kind in ("t", "ramp"):
            arrays.append(a.value if a.kind == "t" else ramp_values(a.ramp))

    for a in args:
        add(a)
    m = 0
    for x in arrays:
        x = np.asarray(x)
        if x.size and dname(x) in ("int32", "uint8"):
            m = max(m, int(np.abs(x.astype(np.int64)).max()))
    return m


def case(cid, op, args, expected, params=None, scale=None):
    assert cid not in IDS, cid
    IDS.add(cid)
    seen = INT_SEEN[0]
    INT_SEEN[0] = 0
    hidden = seen if seen > visible_int(args, expected) else None
    CASES.append(dict(id=cid, op=op, args=args, expected=expected, params=params, scale=scale, int_magnitude=hidden))


def finite_scale(*xs):
    m = 1.0
    for x in xs:
        x = np.asarray(x, dtype=np.float64)
        f = np.abs(x[np.isfinite(x)])
        if f.size:
            m = max(m, float(f.max()))
    return m


# --- unary ------------------------------------------------------------------

FLOAT_UNARY = {
    "sqrt": np.sqrt, "exp": np.exp, "log": np.log, "log1p": np.log1p, "expm1": np.expm1, "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "tanh": np.tanh, "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "erf": np.vectorize(lambda v: math.erf(v) if not math.isnan(v) else math.nan, otypes=[np.float64]),
    "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "asinh": np.arcsinh,
    "acosh": np.arccosh, "atanh": np.arctanh, "log2": np.log2, "exp2": np.exp2,
}
NUMERIC_UNARY = ["neg", "abs", "sign"]
ROUNDING_UNARY = {"floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc}
PREDICATE_UNARY = ["logicalNot", "isNaN", "isFinite", "isInf"]

# The domain random inputs of each float op are drawn from (default [-4, 4]).
UNARY_DOMAIN = {"log": (0.01, 10.0), "sqrt": (0.01, 10.0), "rsqrt": (0.01, 10.0), "log2": (0.01, 10.0), "tan": (-1.4, 1.4),
                "asin": (-0.99, 0.99), "acos": (-0.99, 0.99), "atanh": (-0.99, 0.99), "acosh": (1.0, 10.0)}


def ref_unary(op, x: np.ndarray) -> np.ndarray:
    d = dname(x)
    if op in PREDICATE_UNARY:
        if op == "logicalNot":
            return cast(x, "bool") == False  # noqa: E712
        if op == "isNaN":
            return np.isnan(x.astype(np.float64)) if is_float(d) else np.zeros(x.shape, bool)
        if op == "isInf":
            return np.isinf(x.astype(np.float64)) if is_float(d) else np.zeros(x.shape, bool)
        return np.isfinite(x.astype(np.float64)) if is_float(d) else np.ones(x.shape, bool)
    if op in ROUNDING_UNARY:
        return ROUNDING_UNARY[op](x) if is_float(d) else x.copy()
    if op in NUMERIC_UNARY:
        if d == "bool":
            x, d = cast(x, "int32"), "int32"
        if is_float(d):
            f = {"neg": np.negative, "abs": np.abs, "sign": np.sign}[op]
            return f(x)
        v = as_ints(x)
        r = {"neg": -v, "abs": np.abs(v), "sign": np.sign(v)}[op]
        return wrap_arr(r, d)
    if op == "square":
        if d == "bool":
            x, d = cast(x, "int32"), "int32"
        if is_float(d):
            return (x.astype(np.float64) ** 2).astype(NP[d])
        return wrap_arr(as_ints(x) * as_ints(x), d)
    if op == "rsqrt":
        od = d if is_float(d) else "float32"
        return (1.0 / np.sqrt(cast(x, od).astype(np.float64))).astype(NP[od])
    od = d if is_float(d) else "float32"
    xf = cast(x, od).astype(np.float64)
    return FLOAT_UNARY[op](xf).astype(NP[od])


def unary_inputs(op, d):
    """(variant name, array) inputs for a unary op and dtype."""
    out = []
    if is_float(d):
        base = rnd(d, (3, 4), *UNARY_DOMAIN.get(op, (-4.0, 4.0)))
        out.append(("random", base))
        out.append(("special", arr(SPECIAL, d)))
        if op in ("log1p", "expm1"):
            out.append(("tiny", arr([1e-7, -1e-7, 3e-6, -2.5e-5, 1e-10, 0.0], d)))
    elif d == "int32":
        if op in FLOAT_UNARY or op == "rsqrt":
            out.append(("values", arr([-5, -1, 0, 1, 2, 3, 7, 40], "int32")))
        else:
            out.append(("values", arr([-(2**31), -(2**31) + 1, -7, -1, 0, 1, 5, 2**31 - 1, 46341], "int32")))
    elif d == "uint8":
        if op in FLOAT_UNARY or op == "rsqrt":
            out.append(("values", arr([0, 1, 2, 5, 9, 30], "uint8")))
        else:
            out.append(("values", arr([0, 1, 2, 16, 127, 128, 200, 255], "uint8")))
    else:
        out.append(("values", arr([True, False, True, True, False], "bool")))
    return out


# Ops added after the first release of the vectors draw their inputs after
# every older case (see the end of the cases), so adding them left the older
# cases' random inputs unchanged.
NEW_UNARY = ["trunc", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "log2", "exp2", "isInf"]
ALL_UNARY = [op for op in NUMERIC_UNARY + list(ROUNDING_UNARY) + list(FLOAT_UNARY) + PREDICATE_UNARY + ["square", "rsqrt"] if op not in NEW_UNARY]


def unary_cases(op):
    for d in DTYPES:
        for variant, x in unary_inputs(op, d):
            case(f"unary.{op}.{d}.{variant}", op, [T(x)], ref_unary(op, x),
                 scale=1e-6 if variant == "tiny" else None)
    # strided inputs and edge shapes, float32 (and int32 for the integer ops)
    d = "float32"
    lo, hi = (0.1, 5.0) if op in ("log", "sqrt", "rsqrt") else UNARY_DOMAIN.get(op, (-4.0, 4.0))
    base = rnd(d, (3, 4), lo, hi)
    case(f"unary.{op}.float32.transposed", op, [T(base, tr(1, 0))], ref_unary(op, base.T))
    base2 = rnd(d, (4, 6), lo, hi)
    v = apply_view(base2, [sl(rg(step=2), rg(5, 0, -2))])
    case(f"unary.{op}.float32.stepped", op, [T(base2, sl(rg(step=2), rg(5, 0, -2)))], ref_unary(op, v))
    base3 = rnd(d, (1, 3), lo, hi)
    case(f"unary.{op}.float32.broadcast", op, [T(base3, bc(2, 3))], ref_unary(op, np.broadcast_to(base3, (2, 3))))
    case(f"unary.{op}.float32.rank0", op, [T(np.array(base[0, 0]))], ref_unary(op, np.array(base[0, 0])))
    case(f"unary.{op}.float32.empty", op, [T(np.zeros((0, 3), np.float32))], ref_unary(op, np.zeros((0, 3), np.float32)))
    if op in NUMERIC_UNARY or op in ROUNDING_UNARY or op in PREDICATE_UNARY or op == "square":
        bi = rnd("int32", (3, 4))
        case(f"unary.{op}.int32.flipped", op, [T(bi, fl(0, 1))], ref_unary(op, np.flip(bi)))


for op in ALL_UNARY:
    unary_cases(op)

# --- binary -------------------------------------------------------------------

ARITH = ["add", "sub", "mul", "div", "pow", "mod", "maximum", "minimum", "atan2", "hypot"]
# Ops computed in a float dtype whatever their operands (integers as float32).
FLOAT_BINARY = ["div", "atan2", "hypot"]
LOGICAL = ["logicalAnd", "logicalOr", "logicalXor"]
COMPARE = ["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"]


def ipow(a: int, b: int) -> int:
    if b < 0:
        if a == 1:
            return 1
        if a == -1:
            return 1 if b % 2 == 0 else -1
        return 0
    return a ** b


def imod(a: int, b: int) -> int:
    return 0 if b == 0 else a % b


def binary_dtype(op, a, b) -> str:
    d = result_dtype([a, b])
    if op in LOGICAL:
        return "bool"
    if op in COMPARE:
        return d
    if op in FLOAT_BINARY:
        return d if is_float(d) else "float32"
    if op in ("maximum", "minimum"):
        return d
    return "int32" if d == "bool" else d


def ref_binary(op, a, b) -> np.ndarray:
    d = binary_dtype(op, a, b)
    if op in LOGICAL:
        x, y = np.broadcast_arrays(to(a, "bool"), to(b, "bool"))
        return {"logicalAnd": x & y, "logicalOr": x | y, "logicalXor": x ^ y}[op]
    x, y = np.broadcast_arrays(to(a, d), to(b, d))
    if op in COMPARE:
        if d == "bool":
            x, y = x.astype(np.int64), y.astype(np.int64)
        f = {"equal": np.equal, "notEqual": np.not_equal, "less": np.less, "lessEqual": np.less_equal,
             "greater": np.greater, "greaterEqual": np.greater_equal}[op]
        return f(x, y)
    if is_float(d):
        xf, yf = x.astype(np.float64), y.astype(np.float64)
        f = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "pow": np.power, "mod": np.mod,
             "maximum": np.maximum, "minimum": np.minimum, "atan2": np.arctan2, "hypot": np.hypot}[op]
        return f(xf, yf).astype(NP[d])
    if d == "bool":  # maximum / minimum of bools
        f = np.maximum if op == "maximum" else np.minimum
        return f(x, y)
    xi, yi = x.reshape(-1), y.reshape(-1)
    out = []
    for u, v in zip(xi, yi):
        u, v = int(u), int(v)
        r = {"add": lambda: u + v, "sub": lambda: u - v, "mul": lambda: u * v, "pow": lambda: ipow(u, v),
             "mod": lambda: imod(u, v), "maximum": lambda: max(u, v), "minimum": lambda: min(u, v)}[op]()
        out.append(wrap_int(r, d))
    return np.array(out, dtype=NP[d]).reshape(x.shape)


def bin_inputs(op, d, shape_a, shape_b):
    """Operands of dtype d suited to op."""
    if op == "pow":
        if is_float(d):
            return rnd(d, shape_a, 0.1, 3.0), rnd(d, shape_b, -3.0, 3.0)
        if d == "int32":
            return rnd(d, shape_a, -4, 5), rnd(d, shape_b, -2, 6)
        if d == "uint8":
            return rnd(d, shape_a, 0, 6), rnd(d, shape_b, 0, 5)
    if op in ("mod", "div"):
        if is_float(d):
            b = rnd(d, shape_b, 0.5, 4.0) * np.where(rng.random(shape_b) < 0.5, -1, 1).astype(NP[d])
            return rnd(d, shape_a, -10.0, 10.0), b
        if d == "int32":
            return rnd(d, shape_a, -30, 31), rnd(d, shape_b, -6, 7)
        if d == "uint8":
            return rnd(d, shape_a, 0, 256), rnd(d, shape_b, 0, 9)
    if d == "int32":
        return rnd(d, shape_a, -1000, 1000), rnd(d, shape_b, -1000, 1000)
    if d == "uint8":
        return rnd(d, shape_a, 0, 256), rnd(d, shape_b, 0, 256)
    if op in COMPARE and is_float(d):
        a = np.round(rnd(d, shape_a, -2, 2)).astype(NP[d])  # many ties
        b = np.round(rnd(d, shape_b, -2, 2)).astype(NP[d])
        return a, b
    return rnd(d, shape_a), rnd(d, shape_b)


BIN_SPECIAL_F = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, math.inf, -math.inf, math.nan, 3.0, -7.5, 1e30]
NEW_BINARY = ["atan2", "hypot", "logicalXor"]
ALL_BINARY = [op for op in ARITH + LOGICAL + COMPARE if op not in NEW_BINARY]


def binary_cases(op):
    for d in DTYPES:
        a, b = bin_inputs(op, d, (2, 3), (2, 3))
        case(f"binary.{op}.{d}.same", op, [T(a), T(b)], ref_binary(op, a, b))
    # special floats: every pair of special values (outer product by broadcasting)
    for d in ("float32", "float64"):
        sa = arr(BIN_SPECIAL_F, d).reshape(-1, 1)
        sb = arr(BIN_SPECIAL_F, d).reshape(1, -1)
        if op == "mod":  # keep mod to finite, moderate operands (plus NaN and 0 divisors)
            sa = arr([0.0, 1.0, -1.0, 2.5, -2.5, 7.0, -7.5, math.nan], d).reshape(-1, 1)
            sb = arr([1.0, -1.0, 2.5, -2.5, 3.0, 0.0, math.nan], d).reshape(1, -1)
        case(f"binary.{op}.{d}.special", op, [T(sa), T(sb)], ref_binary(op, sa, sb),
             scale=finite_scale(sa, sb) if op in ("mod",) else None)
    # integer edge values
    if op in ARITH:
        ea = arr([-(2**31), 2**31 - 1, -7, 7, 0, -1, 46341, 3], "int32").reshape(-1, 1)
        eb = arr([-1, 2, -3, 0, 46341, 2**31 - 1], "int32").reshape(1, -1)
        if op == "pow":
            ea = arr([-3, -2, -1, 0, 1, 2, 3, 7], "int32").reshape(-1, 1)
            eb = arr([-3, -1, 0, 1, 2, 12, 31], "int32").reshape(1, -1)
        if op not in FLOAT_BINARY:
            case(f"binary.{op}.int32.edges", op, [T(ea), T(eb)], ref_binary(op, ea, eb))
        ua = arr([0, 1, 2, 7, 128, 200, 255], "uint8").reshape(-1, 1)
        ub = arr([0, 1, 3, 16, 255], "uint8").reshape(1, -1)
        case(f"binary.{op}.uint8.edges", op, [T(ua), T(ub)], ref_binary(op, ua, ub))
    # mixed dtypes
    for da, db in [("int32", "float32"), ("uint8", "int32"), ("bool", "float32"), ("float32", "float64"), ("bool", "uint8"),
                   ("uint8", "float64"), ("bool", "int32"), ("int32", "float64")]:
        a, _ = bin_inputs(op, da, (2, 3), (2, 3))
        _, b = bin_inputs(op, db, (2, 3), (2, 3))
        case(f"binary.{op}.{da}+{db}", op, [T(a), T(b)], ref_binary(op, a, b))
    # weak scalars
    fa, _ = bin_inputs(op, "float32", (2, 3), (2, 3))
    ia, _ = bin_inputs(op, "int32", (2, 3), (2, 3))
    ua, _ = bin_inputs(op, "uint8", (2, 3), (2, 3))
    ba = rnd("bool", (2, 3))
    da = rnd("float64", (2, 3), 0.1, 3.0)
    for name, a, s in [("float32*2", fa, 2), ("float32*0.1", fa, 0.1), ("int32*3", ia, 3), ("int32*2.5", ia, 2.5),
                       ("uint8*300", ua, 300), ("uint8*-1", ua, -1), ("uint8*2", ua, 2), ("bool*1", ba, 1), ("bool*true", ba, True),
                       ("bool*0.5", ba, 0.5), ("float64*0.1", da, 0.1), ("int32*true", ia, True)]:
        case(f"binary.{op}.scalar.{name}", op, [T(a), S(s)], ref_binary(op, a, s))
    case(f"binary.{op}.scalar.2*float32", op, [S(2), T(fa)], ref_binary(op, 2, fa))
    case(f"binary.{op}.scalar.1.5*int32", op, [S(1.5), T(ia)], ref_binary(op, 1.5, ia))
    # broadcasting and views
    d = "float32"
    for name, sa, sb in [("[2,3]+[3]", (2, 3), (3,)), ("[4,1]+[1,5]", (4, 1), (1, 5)), ("[]+[2,2]", (), (2, 2)),
                         ("[2,1,3]+[4,1]", (2, 1, 3), (4, 1)), ("[0,3]+[3]", (0, 3), (3,)), ("[2,0]+[2,1]", (2, 0), (2, 1)),
                         ("[1]+[]", (1,), ())]:
        a, b = bin_inputs(op, d, sa, sb)
        case(f"binary.{op}.broadcast.{name}", op, [T(a), T(b)], ref_binary(op, a, b))
    a, b = bin_inputs(op, d, (3, 4), (4, 3))
    case(f"binary.{op}.view.transposed", op, [T(a), T(b, tr(1, 0))], ref_binary(op, a, b.T))
    a, b = bin_inputs(op, d, (3, 4), (6, 8))
    vb = [sl(rg(step=2), rg(7, None, -2))]
    case(f"binary.{op}.view.stepped", op, [T(a, fl(0)), T(b, *vb)], ref_binary(op, np.flip(a, 0), apply_view(b, vb)))
    a, b = bin_inputs(op, "int32", (4,), (4, 1))
    case(f"binary.{op}.view.broadcastTo.int32", op, [T(a, bc(3, 4)), T(b, bc(4, 3), tr(1, 0))],
         ref_binary(op, np.broadcast_to(a, (3, 4)), np.broadcast_to(b, (4, 3)).T))


for op in ALL_BINARY:
    binary_cases(op)

# larger operands: contiguous, transposed and broadcast (exercises blocked / vectorized paths)
big_a = dict(dtype="float32", shape=[64, 50], mul=37, add=5, mod=101, scale=1 / 32, offset=-1.5)
big_b = dict(dtype="float32", shape=[50, 64], mul=53, add=7, mod=97, scale=1 / 16, offset=-3.0)
big_r = dict(dtype="float32", shape=[50], mul=11, add=1, mod=29, scale=1 / 8, offset=-1.75)
A, B, Rw = ramp_values(big_a), ramp_values(big_b), ramp_values(big_r)
for op in ("add", "mul", "maximum", "greater"):
    case(f"binary.{op}.large.transposed", op, [Arg("ramp", ramp=big_a), Arg("ramp", ramp=big_b, view=[tr(1, 0)])], ref_binary(op, A, B.T))
    case(f"binary.{op}.large.broadcast-row", op, [Arg("ramp", ramp=big_a), Arg("ramp", ramp=big_r)], ref_binary(op, A, Rw))
big_i = dict(dtype="int32", shape=[3000], mul=7919, add=3, mod=20001, scale=1, offset=-10000)
big_j = dict(dtype="int32", shape=[3000], mul=104729, add=11, mod=2000001, scale=1, offset=-1000000)
case("binary.mul.large.int32-wrap", "mul", [Arg("ramp", ramp=big_i), Arg("ramp", ramp=big_j, view=[fl(0)])],
     ref_binary("mul", ramp_values(big_i), np.flip(ramp_values(big_j))))
for op in ("exp", "tanh", "round"):
    case(f"unary.{op}.large.transposed", op, [Arg("ramp", ramp=big_b, view=[tr(1, 0)])], ref_unary(op, B.T))

# clip (maximum then minimum)
cx = arr([-3.0, -1.0, 0.0, 0.5, 2.0, 5.0, math.nan, math.inf], "float32")
case("binary.clip.float32.scalars", "clip", [T(cx), S(-1), S(2)], np.minimum(np.maximum(cx, np.float32(-1)), np.float32(2)))
ci = arr([-5, 0, 3, 9], "int32")
case("binary.clip.int32.scalars", "clip", [T(ci), S(0), S(4)], np.clip(ci, 0, 4).astype(np.int32))
clo, chi = rnd("float32", (3, 1), -1, 0), rnd("float32", (4,), 0, 1)
cxx = rnd("float32", (3, 4))
case("binary.clip.float32.tensors", "clip", [T(cxx), T(clo), T(chi)], np.minimum(np.maximum(cxx, clo), chi))

# where
for dc, da, db in [("bool", "float32", "float32"), ("bool", "int32", "int32"), ("bool", "uint8", "bool"), ("float32", "int32", "float32"),
                   ("int32", "float64", "float32"), ("bool", "bool", "bool"), ("uint8", "uint8", "int32")]:
    c = rnd(dc, (2, 3), -1, 2) if dc != "bool" else rnd("bool", (2, 3))
    a, b = rnd(da, (2, 3)), rnd(db, (2, 3))
    od = promote(da, db)
    exp_ = np.where(cast(c, "bool"), cast(a, od), cast(b, od))
    case(f"where.{dc}.{da}.{db}", "where", [T(c), T(a), T(b)], exp_)
cn = arr([math.nan, 0.0, -0.0, 1.0], "float32")
case("where.nan-cond", "where", [T(cn), S(1), S(2)], np.where(cn != 0, np.float32(1), np.float32(2)))
c, a, b = rnd("bool", (3, 1)), rnd("float32", (1, 4)), rnd("float32", (4,))
case("where.broadcast", "where", [T(c), T(a), T(b)], np.where(c, a, b))
c, a = rnd("bool", (4, 3)), rnd("int32", (3, 4))
case("where.view.transposed+scalar", "where", [T(c, tr(1, 0)), T(a), S(-1)], np.where(c.T, a, np.int32(-1)))
case("where.view.int32+2.5", "where", [T(c, fl(0)), S(2.5), T(a, tr(1, 0))], np.where(np.flip(c, 0), np.float32(2.5), a.T.astype(np.float32)))
case("where.empty", "where", [T(np.zeros((0, 2), bool)), T(np.zeros((0, 2), np.float32)), S(1)], np.zeros((0, 2), np.float32))
case("where.rank0", "where", [T(np.array(True)), T(np.array(3, np.int32)), T(np.array(4, np.int32))], np.array(3, np.int32))

# --- reductions ---------------------------------------------------------------

AXES_VARIANTS = [None, 0, 1, 2, -1, [0, 2], [-1, -3], [], [1, 2], [0, 1, 2]]


def axes_tuple(axes, rank):
    if axes is None:
        return tuple(range(rank))
    if isinstance(axes, int):
        axes = [axes]
    return tuple(sorted(a % rank if rank else a for a in axes))


def axes_id(axes):
    if axes is None:
        return "all"
    if isinstance(axes, int):
        return str(axes)
    return "[" + ",".join(map(str, axes)) + "]"


def note_partials(op, obj: np.ndarray) -> None:
    """Notes a bound on every partial sum (or product) of an integer reduction or scan of `obj`, in any order."""
    if obj.size == 0:
        return
    a = np.abs(obj)
    note_int(a.sum() if op in ("sum", "cumsum") else np.prod(np.maximum(a, 1)))


def ref_reduce(op, x: np.ndarray, axes, keepdims=False, ddof=0):
    d = dname(x)
    ax = axes_tuple(axes, x.ndim)
    if op in ("sum", "prod"):
        acc = "int32" if d in ("bool", "uint8") else d
        if is_float(acc):
            f = np.sum if op == "sum" else np.prod
            r = f(x.astype(np.float64), axis=ax, keepdims=keepdims).astype(NP[acc])
        else:
            obj = x.astype(np.int64).astype(object)
            f = np.sum if op == "sum" else np.prod
            note_partials(op, obj)
            r = wrap_arr(np.asarray(f(obj, axis=ax, keepdims=keepdims)), acc)
        return r
    if op in ("max", "min"):
        f = np.max if op == "max" else np.min
        if is_float(d):
            return f(x.astype(np.float64), axis=ax, keepdims=keepdims).astype(NP[d])
        return f(x, axis=ax, keepdims=keepdims)
    od = d if is_float(d) else "float32"
    xf = cast(x, od).astype(np.float64)
    if op == "mean":
        n = int(np.prod([x.shape[a] for a in ax], dtype=np.int64))
        return (np.sum(xf, axis=ax, keepdims=keepdims) / n if n else np.full(np.sum(xf, axis=ax, keepdims=keepdims).shape, np.nan)).astype(NP[od])
    if op in ("var", "std"):
        n = int(np.prod([x.shape[a] for a in ax], dtype=np.int64))
        c = xf - (np.mean(xf, axis=ax, keepdims=True) if n else 0)
        v = np.sum(c * c, axis=ax, keepdims=keepdims) / max(n - ddof, 0)
        return (np.sqrt(v) if op == "std" else v).astype(NP[od])
    if op == "logsumexp":
        m = np.max(xf, axis=ax, keepdims=True)
        shift = np.where(np.isfinite(m), m, 0)
        r = np.log(np.sum(np.exp(xf - shift), axis=ax, keepdims=True)) + shift
        if not keepdims:
            r = r.reshape([s for i, s in enumerate(x.shape) if i not in ax])
        return r.astype(NP[od])
    raise ValueError(op)


def sum_scale(x, axes):
    xf = np.abs(np.asarray(x, dtype=np.float64))
    xf = np.where(np.isfinite(xf), xf, 0)
    if xf.size == 0:
        return 1.0
    return max(1.0, float(np.max(np.sum(xf, axis=axes_tuple(axes, xf.ndim)))) if xf.ndim else float(xf))


REDUCE_OPS = ["sum", "prod", "max", "min", "mean", "var", "std", "logsumexp"]
for op in REDUCE_OPS:
    for d in DTYPES:
        if op == "prod" and not is_float(d):
            x = rnd(d, (2, 3, 4), -3, 4) if d == "int32" else (rnd(d, (2, 3, 4), 0, 4) if d == "uint8" else rnd(d, (2, 3, 4)))
        elif op == "prod":
            x = rnd(d, (2, 3, 4), 0.5, 1.5) * np.where(rng.random((2, 3, 4)) < 0.3, -1, 1).astype(NP[d])
        else:
            x = rnd(d, (2, 3, 4))
        for axes in AXES_VARIANTS:
            for keepdims in ([False, True] if axes in (None, 1, [0, 2]) else [False]):
                params = {}
                if axes is not None:
                    params["axes"] = axes
                if keepdims:
                    params["keepdims"] = True
                sc = sum_scale(x, axes) if op in ("sum", "var", "std") else (sum_scale(x, axes) / 6 if op == "mean" else None)
                if op in ("var", "std"):
                    sc = sum_scale(np.asarray(x, np.float64) ** 2, axes)
                case(f"reduce.{op}.{d}.axes={axes_id(axes)}{'.keepdims' if keepdims else ''}", op, [T(x)],
                     ref_reduce(op, x, axes, keepdims), params or None, scale=sc)
    # views as inputs
    x = rnd("float32", (4, 3), 0.5, 1.5)
    case(f"reduce.{op}.view.transposed.axes=1", op, [T(x, tr(1, 0))], ref_reduce(op, x.T, 1), {"axes": 1}, scale=4.0)
    x = rnd("float32", (5, 6), 0.5, 1.5)
    v = apply_view(x, [sl(rg(None, None, 2), rg(None, None, -1))])
    case(f"reduce.{op}.view.stepped.axes=0", op, [T(x, sl(rg(None, None, 2), rg(None, None, -1)))], ref_reduce(op, v, 0), {"axes": 0}, scale=6.0)
    x = rnd("float32", (3,), 0.5, 1.5)
    case(f"reduce.{op}.view.broadcast.axes=0", op, [T(x, bc(4, 3))], ref_reduce(op, np.broadcast_to(x, (4, 3)), 0), {"axes": 0}, scale=6.0)
    x = rnd("int32", (3, 4), -5, 6)
    case(f"reduce.{op}.view.int32.flipped", op, [T(x, fl(1))], ref_reduce(op, np.flip(x, 1), -1), {"axes": -1}, scale=30.0)
    # edge shapes
    r0 = np.array(2.5, np.float32)
    case(f"reduce.{op}.rank0", op, [T(r0)], ref_reduce(op, r0, None))
    case(f"reduce.{op}.rank0.axes=[]", op, [T(r0)], ref_reduce(op, r0, []), {"axes": []})
    ones_ = rnd("float32", (1, 3, 1))
    case(f"reduce.{op}.size1.axes=[0,2]", op, [T(ones_)], ref_reduce(op, ones_, [0, 2]), {"axes": [0, 2]})
    e = np.zeros((0, 3), np.float32)
    if op not in ("max", "min", "logsumexp"):
        for axes in (None, 0, 1):
            case(f"reduce.{op}.empty[0,3].axes={axes_id(axes)}", op, [T(e)], ref_reduce(op, e, axes), None if axes is None else {"axes": axes})
        ei = np.zeros((3, 0), np.int32)
        if op in ("sum", "prod"):
            case(f"reduce.{op}.empty.int32.axes=1", op, [T(ei)], ref_reduce(op, ei, 1), {"axes": 1})
    else:
        # reducing a non-empty axis of an empty tensor is fine
        case(f"reduce.{op}.empty[0,3].axes=1", op, [T(e)], ref_reduce(op, e, 1), {"axes": 1})

# special values
xs = arr([[1.0, math.nan, 3.0], [-math.inf, 2.0, -1.0], [math.inf, -math.inf, 0.0], [-0.0, 0.0, -0.0]], "float32")
for op in ["sum", "prod", "max", "min", "mean", "logsumexp"]:
    for axes in (0, 1):
        case(f"reduce.{op}.special.axes={axes}", op, [T(xs)], ref_reduce(op, xs, axes), {"axes": axes})
# int32 wrap and uint8/bool accumulation
big = arr([2**30, 2**30, 2**30, 7], "int32")
case("reduce.sum.int32.wrap", "sum", [T(big)], ref_reduce("sum", big, None))
case("reduce.prod.int32.wrap", "prod", [T(arr([65536, 65536, 3], "int32"))], ref_reduce("prod", arr([65536, 65536, 3], "int32"), None))
u = arr([200, 200, 255, 1], "uint8")
case("reduce.sum.uint8.to-int32", "sum", [T(u)], ref_reduce("sum", u, None))
case("reduce.prod.uint8.to-int32", "prod", [T(arr([200, 200, 3], "uint8"))], ref_reduce("prod", arr([200, 200, 3], "uint8"), None))
case("reduce.max.uint8.stays-uint8", "max", [T(u)], ref_reduce("max", u, None))
case("reduce.min.int32.extremes", "min", [T(arr([2**31 - 1, -(2**31), 0], "int32"))], arr(-(2**31), "int32"))
# long float32 sums (accumulation precision)
case("reduce.sum.float32.long", "sum", [R("float32", [20000], 7919, 13, 1024, 1 / 512, -1.0)],
     ref_reduce("sum", ramp_values(dict(dtype="float32", shape=[20000], mul=7919, add=13, mod=1024, scale=1 / 512, offset=-1.0)), None),
     scale=2.0)
long2 = dict(dtype="float32", shape=[64, 300], mul=31, add=3, mod=97, scale=1 / 32, offset=0.25)
case("reduce.sum.float32.long.axes=1", "sum", [R(**long2)], ref_reduce("sum", ramp_values(long2), 1), {"axes": 1}, scale=2.0)
case("reduce.mean.float32.long.transposed", "mean", [R("float32", [300, 64], 31, 3, 97, 1 / 32, 0.25, tr(1, 0))],
     ref_reduce("mean", ramp_values(dict(dtype="float32", shape=[300, 64], mul=31, add=3, mod=97, scale=1 / 32, offset=0.25)).T, 1), {"axes": 1})
# ddof
xv = rnd("float32", (3, 5))
for op in ("var", "std"):
    for ddof in (1, 2, 5):
        case(f"reduce.{op}.ddof={ddof}.axes=1", op, [T(xv)], ref_reduce(op, xv, 1, ddof=ddof), {"axes": 1, "ddof": ddof}, scale=30.0)
    case(f"reduce.{op}.ddof=1.all.float64", op, [T(xv.astype(np.float64))], ref_reduce(op, xv.astype(np.float64), None, ddof=1), {"ddof": 1}, scale=30.0)
    xi = rnd("int32", (4, 3))
    case(f"reduce.{op}.ddof=1.int32.axes=0.keepdims", op, [T(xi)], ref_reduce(op, xi, 0, True, ddof=1), {"axes": 0, "keepdims": True, "ddof": 1}, scale=1600.0)
# logsumexp at large magnitude, all -inf rows
big = arr([[1e4, 1e4 - 1, 1e4 - 3], [-1e4, -1e4 + 2, -1e4 - 50], [-math.inf, -math.inf, -math.inf], [-math.inf, 0.0, 1.0]], "float32")
for d in ("float32", "float64"):
    bd = big.astype(NP[d])
    case(f"reduce.logsumexp.{d}.magnitude1e4.axes=1", "logsumexp", [T(bd)], ref_reduce("logsumexp", bd, 1), {"axes": 1})
    case(f"reduce.logsumexp.{d}.magnitude1e4.axes=1.keepdims", "logsumexp", [T(bd)], ref_reduce("logsumexp", bd, 1, True), {"axes": 1, "keepdims": True})

# softmax / logSoftmax


def ref_softmax(x: np.ndarray, axes, log=False):
    d = dname(x)
    od = d if is_float(d) else "float32"
    xf = cast(x, od).astype(np.float64)
    ax = axes_tuple(-1 if axes is None else axes, x.ndim)
    m = np.max(xf, axis=ax, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    e = np.exp(xf - m)
    s = np.sum(e, axis=ax, keepdims=True)
    r = (xf - m - np.log(s)) if log else e / s
    return r.astype(NP[od])


for op, log in (("softmax", False), ("logSoftmax", True)):
    for d in ("float32", "float64", "int32"):
        x = rnd(d, (3, 4, 5)) if d != "int32" else rnd(d, (3, 4, 5), -5, 6)
        for axes in (None, 0, 1, -1, [0, 2], [0, 1, 2]):
            case(f"{op}.{d}.axes={axes_id(axes) if axes is not None else 'default'}", op, [T(x)], ref_softmax(x, axes, log),
                 None if axes is None else {"axes": axes})
    for d in ("float32", "float64"):
        bd = arr([[1e4, 1e4 - 1, 1e4 - 3, 1e4 - 20], [-1e4, -1e4 + 2, -1e4 - 50, -1e4], [-math.inf, 0.0, 1.0, -math.inf],
                  [5.0, 5.0, 5.0, 5.0]], d)
        case(f"{op}.{d}.magnitude1e4", op, [T(bd)], ref_softmax(bd, None, log))
    x = rnd("float32", (5, 4))
    case(f"{op}.view.transposed", op, [T(x, tr(1, 0))], ref_softmax(x.T, None, log))
    x = rnd("float32", (4,))
    case(f"{op}.view.broadcast.axes=0", op, [T(x, bc(3, 4))], ref_softmax(np.broadcast_to(x, (3, 4)), 0, log), {"axes": 0})
    x = rnd("float32", (6,))
    case(f"{op}.rank1.flipped", op, [T(x, fl(0))], ref_softmax(np.flip(x), None, log))
    x = np.array(3.5, np.float32)
    case(f"{op}.rank0.axes=[]", op, [T(x)], ref_softmax(x, [], log), {"axes": []})
    e = np.zeros((2, 0), np.float32)
    case(f"{op}.empty.axes=0", op, [T(e)], np.zeros((2, 0), np.float32), {"axes": 0})
    case(f"{op}.empty-axis.default", op, [T(e)], np.zeros((2, 0), np.float32))
    case(f"{op}.empty-axis.int32", op, [T(np.zeros((0, 3), np.int32))], np.zeros((0, 3), np.float32), {"axes": [0, 1]})

# argmax / argmin


def ref_arg(op, x: np.ndarray, axis, keepdims=False):
    d = dname(x)
    xv = x.astype(np.float64) if d != "bool" else x.astype(np.int64)
    f = np.argmax if op == "argmax" else np.argmin
    if axis is None:
        r = np.array(f(xv.reshape(-1)))
        return r.reshape([1] * x.ndim).astype(np.int32) if keepdims else r.astype(np.int32)
    return f(xv, axis=axis, keepdims=keepdims).astype(np.int32)


for op in ("argmax", "argmin"):
    for d in DTYPES:
        x = rnd(d, (3, 4, 5), -3, 4) if d in ("int32", "uint8") else rnd(d, (3, 4, 5))
        if is_float(d):
            x = np.round(x * 2).astype(NP[d]) / NP[d](2)  # ties
        for axis in (None, 0, 1, 2, -1):
            for keepdims in ([False, True] if axis in (None, 1) else [False]):
                params = {}
                if axis is not None:
                    params["axis"] = axis
                if keepdims:
                    params["keepdims"] = True
                case(f"{op}.{d}.axis={axis if axis is not None else 'flat'}{'.keepdims' if keepdims else ''}", op, [T(x)],
                     ref_arg(op, x, axis, keepdims), params or None)
    xn = arr([[1.0, math.nan, 5.0, math.nan], [math.inf, 2.0, math.inf, -math.inf], [-math.inf, -math.inf, 0.0, -0.0],
              [3.0, 3.0, math.nan, 3.0]], "float32")
    for axis in (0, 1, None):
        case(f"{op}.special.axis={axis if axis is not None else 'flat'}", op, [T(xn)], ref_arg(op, xn, axis), None if axis is None else {"axis": axis})
    xt = arr([[2, 7, 7, 1], [5, 5, 5, 5], [0, 9, 9, 0]], "int32")
    case(f"{op}.ties.flipped.axis=1", op, [T(xt, fl(1))], ref_arg(op, np.flip(xt, 1), 1), {"axis": 1})
    case(f"{op}.ties.transposed.axis=1", op, [T(xt, tr(1, 0))], ref_arg(op, xt.T, 1), {"axis": 1})
    xb = arr([3.0, 1.0, 2.0], "float32")
    case(f"{op}.broadcast.axis=0", op, [T(xb, bc(4, 3))], ref_arg(op, np.broadcast_to(xb, (4, 3)), 0), {"axis": 0})
    case(f"{op}.rank0", op, [T(np.array(4.0, np.float32))], np.array(0, np.int32))
    case(f"{op}.empty-other-axis", op, [T(np.zeros((0, 3), np.float32))], np.zeros((0,), np.int32), {"axis": 1})
    case(f"{op}.size1", op, [T(arr([[7.0]], "float32"))], np.array([0], np.int32), {"axis": 0})

# larger operands for reductions and arg-reductions
case("reduce.sum.large.axes=0", "sum", [Arg("ramp", ramp=big_a)], ref_reduce("sum", A, 0), {"axes": 0}, scale=sum_scale(A, 0))
case("reduce.max.large.transposed.axes=1", "max", [Arg("ramp", ramp=big_b, view=[tr(1, 0)])], ref_reduce("max", B.T, 1), {"axes": 1})
case("argmax.large.transposed.axis=0", "argmax", [Arg("ramp", ramp=big_b, view=[tr(1, 0)])], ref_arg("argmax", B.T, 0), {"axis": 0})

# cumsum / cumprod


def ref_scan(op, x: np.ndarray, axis):
    d = dname(x)
    acc = "int32" if d in ("bool", "uint8") else d
    src = x.reshape(-1) if axis is None else x
    ax = 0 if axis is None else axis
    if is_float(acc):
        f = np.cumsum if op == "cumsum" else np.cumprod
        return f(src.astype(np.float64), axis=ax).astype(NP[acc])
    obj = src.astype(np.int64).astype(object)
    f = np.cumsum if op == "cumsum" else np.cumprod
    note_partials(op, obj)
    return wrap_arr(f(obj, axis=ax), acc)


for op in ("cumsum", "cumprod"):
    for d in DTYPES:
        if op == "cumprod" and is_float(d):
            x = rnd(d, (3, 4), 0.5, 1.5)
        elif d in ("int32", "uint8"):
            x = rnd(d, (3, 4), 0, 6) if d == "uint8" else rnd(d, (3, 4), -5, 6)
        else:
            x = rnd(d, (3, 4))
        for axis in (None, 0, 1, -1, -2):
            case(f"{op}.{d}.axis={axis if axis is not None else 'flat'}", op, [T(x)], ref_scan(op, x, axis),
                 None if axis is None else {"axis": axis}, scale=12.0)
    xw = arr([2**30, 2**30, 2**30, 5, 3], "int32")
    case(f"{op}.int32.wrap", op, [T(xw)], ref_scan(op, xw, 0), {"axis": 0})
    xu = arr([200, 100, 3], "uint8")
    case(f"{op}.uint8.to-int32", op, [T(xu)], ref_scan(op, xu, 0), {"axis": 0})
    x = rnd("float32", (4, 3), 0.5, 1.5)
    case(f"{op}.view.transposed.axis=1", op, [T(x, tr(1, 0))], ref_scan(op, x.T, 1), {"axis": 1}, scale=4.0)
    case(f"{op}.view.flipped.axis=0", op, [T(x, fl(0, 1))], ref_scan(op, np.flip(x), 0), {"axis": 0}, scale=4.0)
    xb = arr([1.0, 2.0, 3.0], "float32")
    case(f"{op}.view.broadcast.axis=0", op, [T(xb, bc(4, 3))], ref_scan(op, np.broadcast_to(xb, (4, 3)), 0), {"axis": 0}, scale=4.0)
    case(f"{op}.rank0.flat", op, [T(np.array(3.0, np.float32))], np.array([3.0], np.float32))
    case(f"{op}.empty.axis=0", op, [T(np.zeros((0, 2), np.float32))], np.zeros((0, 2), np.float32), {"axis": 0})
    case(f"{op}.empty.axis=1", op, [T(np.zeros((3, 0), np.int32))], np.zeros((3, 0), np.int32), {"axis": 1})
    xs = arr([1.0, math.nan, 2.0, math.inf, -1.0], "float32")
    case(f"{op}.special", op, [T(xs)], ref_scan(op, xs, 0), {"axis": 0})
case("cumsum.float32.long", "cumsum", [R("float32", [5000], 7919, 13, 1024, 1 / 1024, -0.5)],
     ref_scan("cumsum", ramp_values(dict(dtype="float32", shape=[5000], mul=7919, add=13, mod=1024, scale=1 / 1024, offset=-0.5)), 0),
     {"axis": 0}, scale=20.0)

# --- cast ---------------------------------------------------------------------

CAST_SRC = {
    "float64": [0.0, -0.0, 0.5, -0.5, 0.9999999999, 1.9, -1.9, 2.5, 127.9, 128.0, 255.5, 256.0, 257.7, -1.0, -1.5, -129.0,
                2147483647.0, 2147483647.9, 2147483648.0, -2147483648.0, -2147483649.5, 3e9, -3e9, 4294967301.0, 1e20, -1e20,
                16777217.0, 2.0**53 + 2, 1e-300, math.inf, -math.inf, math.nan],
    "float32": [0.0, -0.0, 0.5, -0.5, 1.9, -1.9, 2.5, 127.9, 255.5, 256.0, 257.7, -1.0, -1.5, -129.0, 2147483520.0,
                2147483648.0, -2147483648.0, 3e9, -3e9, 1e20, -1e20, 16777216.0, 1e-40, math.inf, -math.inf, math.nan],
    "int32": [0, 1, -1, 127, 128, 255, 256, 257, -129, 16777217, 2**31 - 1, -(2**31), 123456789],
    "uint8": [0, 1, 2, 127, 128, 200, 255],
    "bool": [True, False, True],
}
for src, values in CAST_SRC.items():
    x = arr(values, src)
    for dst in DTYPES:
        case(f"cast.{src}->{dst}", "cast", [T(x)], cast(x, dst), {"dtype": dst})
    xm = rnd(src, (3, 4), -300, 300) if src != "bool" else rnd("bool", (3, 4))
    if src == "uint8":
        xm = rnd(src, (3, 4), 0, 256)
    for dst in DTYPES:
        case(f"cast.{src}->{dst}.transposed", "cast", [T(xm, tr(1, 0))], cast(xm.T, dst), {"dtype": dst})
case("cast.float32->int32.broadcast", "cast", [T(arr([1.5, -2.5, 300.7], "float32"), bc(2, 3))],
     cast(np.broadcast_to(arr([1.5, -2.5, 300.7], "float32"), (2, 3)), "int32"), {"dtype": "int32"})
case("cast.empty", "cast", [T(np.zeros((0, 4), np.float32))], np.zeros((0, 4), np.int32), {"dtype": "int32"})
case("cast.rank0", "cast", [T(np.array(-7.9, np.float64))], np.array(-7, np.int32), {"dtype": "int32"})

# --- views, copy / contiguous -------------------------------------------------

for d in DTYPES:
    x = rnd(d, (3, 4, 5))
    for name, steps in [("transpose", [tr(2, 0, 1)]), ("slice", [sl(rg(1, None), rg(None, None, -2), 3)]),
                        ("flip", [fl(0, 2)]), ("broadcast", [sl(rg(0, 1)), bc(2, 3, 4, 5)]),
                        ("transpose+slice", [tr(1, 2, 0), sl(rg(None, None, 2), 1)]),
                        ("slice+reshape", [sl(1, rg(1, 3)), rs(10)])]:
        v = apply_view(x, steps)
        case(f"view.read.{d}.{name}", "identity", [T(x, *steps)], v)
        case(f"view.contiguous.{d}.{name}", "contiguous", [T(x, *steps)], v)
x = rnd("float32", (4, 6))
case("view.contiguous.rank0", "contiguous", [T(np.array(1.25, np.float32))], np.array(1.25, np.float32))
case("view.contiguous.empty", "contiguous", [T(x, sl(rg(2, 2)))], x[2:2])
case("view.contiguous.already", "contiguous", [T(x)], x)
case("view.reshape.of-transposed", "reshape", [T(x, tr(1, 0))], x.T.reshape(3, 8), {"shape": [3, 8]})
case("view.reshape.of-stepped", "reshape", [T(x, sl(None, rg(None, None, 2)))], x[:, ::2].reshape(-1), {"shape": [-1]})
case("view.reshape.infer", "reshape", [T(x)], x.reshape(2, -1, 3), {"shape": [2, -1, 3]})
case("view.reshape.empty", "reshape", [T(np.zeros((0, 4), np.float32))], np.zeros((2, 0, 3), np.float32), {"shape": [2, 0, 3]})
case("view.reshape.to-rank0", "reshape", [T(arr([5], "int32"))], np.array(5, np.int32), {"shape": []})
x3 = rnd("int32", (2, 3, 4))
case("view.transpose.default", "transpose", [T(x3)], x3.T)
case("view.transpose.negative", "transpose", [T(x3)], np.transpose(x3, (1, 0, 2)), {"axes": [-2, 0, -1]})
case("view.transpose.of-flipped", "transpose", [T(x3, fl(1))], np.transpose(np.flip(x3, 1), (2, 0, 1)), {"axes": [2, 0, 1]})
case("view.expandDims.multi", "expandDims", [T(x3)], x3.reshape(1, 2, 3, 1, 4), {"axes": [0, -2]})
case("view.expandDims.end", "expandDims", [T(x3, tr(2, 1, 0))], np.expand_dims(x3.T, 3), {"axis": -1})
x1 = rnd("float32", (1, 3, 1))
case("view.squeeze.all", "squeeze", [T(x1)], x1.reshape(3))
case("view.squeeze.axis", "squeeze", [T(x1)], x1.reshape(1, 3), {"axes": -1})
case("view.broadcastTo.lead", "broadcastTo", [T(x1)], np.broadcast_to(x1, (2, 4, 3, 5)), {"shape": [2, 4, 3, 5]})
case("view.broadcastTo.of-transposed", "broadcastTo", [T(x3, tr(0, 2, 1), sl(rg(0, 1)))], np.broadcast_to(np.transpose(x3, (0, 2, 1))[0:1], (3, 4, 3)),
     {"shape": [3, 4, 3]})
case("view.broadcastTo.same", "broadcastTo", [T(x3)], x3, {"shape": [2, 3, 4]})
xs6 = rnd("float32", (5, 6))
for name, spec in [("neg-step", [rg(None, None, -1), rg(4, 0, -2)]), ("int-index", [2]), ("int-neg-index", [None, -1]),
                   ("clamp", [rg(-100, 100), rg(3, 100)]), ("empty", [rg(3, 1)]), ("step3", [rg(1, None, 3), rg(-1, -7, -3)]),
                   ("mixed", [-2, rg(None, None, -2)]), ("neg-start-stop", [rg(-3, -1)]), ("all-ints", [0, 5]),
                   ("neg-step-clamp", [rg(100, -100, -2)])]:
    case(f"view.slice.{name}", "slice", [T(xs6)], xs6[slice_tuple(spec)], {"spec": spec})
case("view.slice.of-flipped", "slice", [T(xs6, fl(0))], np.flip(xs6, 0)[1:4, ::-3], {"spec": [rg(1, 4), rg(None, None, -3)]})
case("view.slice.of-broadcast", "slice", [T(arr([1, 2, 3], "int32"), bc(4, 3))], np.broadcast_to(arr([1, 2, 3], "int32"), (4, 3))[1:, ::-1],
     {"spec": [rg(1), rg(step=-1)]})
case("view.flip.all", "flip", [T(x3)], np.flip(x3))
case("view.flip.axis", "flip", [T(x3)], np.flip(x3, 1), {"axes": 1})
case("view.flip.twice", "flip", [T(x3, fl(1, 2))], np.flip(np.flip(x3, (1, 2)), 2), {"axes": -1})
case("view.flip.empty", "flip", [T(np.zeros((0, 3), np.int32))], np.zeros((0, 3), np.int32))
# tile / repeat / tril / triu
xt = arr([[1, 2, 3], [4, 5, 6]], "int32")
for reps in ([2, 1], [1, 3], [2, 2, 2], 2, [0, 2], [3]):
    case(f"view.tile.{reps}", "tile", [T(xt)], np.tile(xt, reps), {"reps": reps})
case("view.tile.of-transposed", "tile", [T(xt, tr(1, 0))], np.tile(xt.T, [2, 2]), {"reps": [2, 2]})
case("view.tile.rank0", "tile", [T(np.array(7.0, np.float32))], np.tile(np.float32(7.0), 3), {"reps": 3})
for name, rep, axis in [("2.axis0", 2, 0), ("3.axis1", 3, 1), ("flat", 2, None), ("counts.axis1", [1, 0, 2], 1), ("counts.axis0", [3, 1], 0),
                        ("0.axis1", 0, 1), ("counts.flat", [1, 2, 0, 1, 0, 3], None)]:
    params = {"repeats": rep}
    if axis is not None:
        params["axis"] = axis
    case(f"view.repeat.{name}", "repeat", [T(xt)], np.repeat(xt, rep, axis=axis), params)
case("view.repeat.of-flipped", "repeat", [T(xt, fl(1))], np.repeat(np.flip(xt, 1), [2, 1, 0], axis=1), {"repeats": [2, 1, 0], "axis": 1})
xm = rnd("float32", (4, 5))
xmb = rnd("int32", (2, 3, 3))
for op, f in (("tril", np.tril), ("triu", np.triu)):
    for k in (0, 1, -1, 3, -5):
        case(f"view.{op}.k={k}", op, [T(xm)], f(xm, k), {"k": k})
    case(f"view.{op}.batched", op, [T(xmb)], f(xmb), None)
    case(f"view.{op}.of-transposed", op, [T(xm, tr(1, 0))], f(xm.T, 1), {"k": 1})
    xbb = rnd("bool", (3, 3))
    case(f"view.{op}.bool", op, [T(xbb)], f(xbb), None)
    xu8 = rnd("uint8", (2, 4))
    case(f"view.{op}.uint8", op, [T(xu8)], f(xu8), None)
    case(f"view.{op}.empty", op, [T(np.zeros((0, 3), np.float32))], np.zeros((0, 3), np.float32), None)

# --- pad, concatenate, stack, split ---------------------------------------------

xp = rnd("float32", (2, 3))
for name, widths, value in [("number", 1, None), ("pair", [1, 2], None), ("per-axis", [[0, 1], [2, 0]], 9.5),
                            ("zero", [[0, 0], [0, 0]], None), ("value-neg", [[1, 1], [0, 0]], -1.0)]:
    params = {"widths": widths}
    w = widths if not isinstance(widths, int) else [widths, widths]
    w2 = [w, w] if isinstance(w[0], int) else w
    if value is not None:
        params["value"] = value
    case(f"pad.float32.{name}", "pad", [T(xp)], np.pad(xp, w2, constant_values=0 if value is None else value), params)
for d, value, conv in [("int32", 2.7, 2), ("int32", -3, -3), ("uint8", 300, 44), ("uint8", -1, 255), ("bool", 1, True), ("bool", 0.5, True),
                       ("float64", 0.1, 0.1), ("int32", math.nan, 0)]:
    x = rnd(d, (2, 2))
    case(f"pad.{d}.value={value}", "pad", [T(x)], np.pad(x, [[1, 0], [0, 2]], constant_values=conv), {"widths": [[1, 0], [0, 2]], "value": value})
x = rnd("float32", (3, 4))
case("pad.of-transposed", "pad", [T(x, tr(1, 0))], np.pad(x.T, [[1, 1], [0, 2]], constant_values=5), {"widths": [[1, 1], [0, 2]], "value": 5})
case("pad.of-flipped-slice", "pad", [T(x, fl(1), sl(rg(None, None, 2)))], np.pad(np.flip(x, 1)[::2], 1), {"widths": 1})
case("pad.of-broadcast", "pad", [T(arr([1.0, 2.0], "float32"), bc(2, 2))], np.pad(np.broadcast_to(arr([1.0, 2.0], "float32"), (2, 2)), [[0, 1], [1, 0]]),
     {"widths": [[0, 1], [1, 0]]})
case("pad.empty", "pad", [T(np.zeros((0, 2), np.float32))], np.full((2, 4), 3.0, np.float32), {"widths": 1, "value": 3})
case("pad.rank0", "pad", [T(np.array(4.0, np.float32))], np.array(4.0, np.float32), {"widths": []})


def prim_pad(x: np.ndarray, widths, value):
    d = dname(x)
    out = np.full([lo + hi + n + max(n - 1, 0) * it for n, (lo, hi, it) in zip(x.shape, widths)], cast_scalar(value, d), dtype=NP[d])
    idx = tuple(slice(lo, lo + max(n - 1, 0) * (it + 1) + 1 if n else lo, it + 1) for n, (lo, hi, it) in zip(x.shape, widths))
    out[idx] = x
    return out


for name, x, widths, value in [
    ("interior", rnd("float32", (2, 3)), [[1, 0, 1], [0, 2, 2]], 0),
    ("interior.int32", rnd("int32", (3,)), [[0, 0, 3]], -1),
    ("interior.transposed", rnd("float32", (3, 2)), [[1, 1, 1], [2, 0, 0]], 7),
    ("interior.empty", np.zeros((0, 2), np.float32), [[1, 1, 2], [0, 0, 1]], 1),
    ("interior.bool", rnd("bool", (2, 2)), [[0, 1, 1], [1, 0, 1]], 1),
]:
    view = [tr(1, 0)] if name.endswith("transposed") else []
    xin = apply_view(x, view)
    case(f"prim.pad.{name}", "prim.pad", [T(x, *view)], prim_pad(xin, widths, value),
         {"widths": [{"lo": lo, "hi": hi, "interior": it} for lo, hi, it in widths], "value": value})

# concatenate / stack / split
a, b = rnd("float32", (2, 3)), rnd("float32", (4, 3))
case("concatenate.axis0", "concatenate", [L(T(a), T(b))], np.concatenate([a, b]))
c = rnd("float32", (2, 5))
case("concatenate.axis1", "concatenate", [L(T(a), T(c))], np.concatenate([a, c], 1), {"axis": 1})
case("concatenate.axis-1.three", "concatenate", [L(T(a), T(c), T(a, fl(1)))], np.concatenate([a, c, np.flip(a, 1)], -1), {"axis": -1})
ai = rnd("int32", (2, 3))
case("concatenate.promote.int32+float32", "concatenate", [L(T(ai), T(b))], np.concatenate([ai.astype(np.float32), b]))
ab, au = rnd("bool", (1, 3)), rnd("uint8", (2, 3))
case("concatenate.promote.bool+uint8", "concatenate", [L(T(ab), T(au))], np.concatenate([ab.astype(np.uint8), au]))
case("concatenate.bool", "concatenate", [L(T(ab), T(ab))], np.concatenate([ab, ab]))
case("concatenate.empty-piece", "concatenate", [L(T(np.zeros((0, 3), np.float32)), T(a), T(np.zeros((0, 3), np.float32)))], a)
case("concatenate.all-empty", "concatenate", [L(T(np.zeros((2, 0), np.int32)), T(np.zeros((2, 0), np.int32)))], np.zeros((2, 0), np.int32), {"axis": 1})
case("concatenate.views", "concatenate", [L(T(b, tr(1, 0)), T(arr([1.0, 2.0, 3.0], "float32"), rs(3, 1), bc(3, 2)))],
     np.concatenate([b.T, np.broadcast_to(arr([1.0, 2.0, 3.0], "float32").reshape(3, 1), (3, 2))], 1), {"axis": 1})
case("concatenate.single", "concatenate", [L(T(ai))], ai)
x3 = rnd("float64", (2, 2, 2))
case("concatenate.rank3.axis1", "concatenate", [L(T(x3), T(x3, fl(1)))], np.concatenate([x3, np.flip(x3, 1)], 1), {"axis": 1})
for axis in (0, 1, -1, 2):
    case(f"stack.axis={axis}", "stack", [L(T(a), T(a, fl(0)), T(ai))], np.stack([a, np.flip(a, 0), ai.astype(np.float32)], axis), {"axis": axis})
case("stack.rank0", "stack", [L(T(np.array(1, np.int32)), T(np.array(2, np.int32)))], arr([1, 2], "int32"))
case("stack.empty", "stack", [L(T(np.zeros((0,), np.float32)))], np.zeros((1, 0), np.float32))
xsp = rnd("int32", (6, 4))
for name, sections, axis in [("3", 3, 0), ("cuts", [1, 3], 0), ("cuts.beyond", [2, 10], 0), ("2.axis1", 2, 1), ("cuts.axis-1", [0, 1], -1),
                             ("1", 1, 0), ("cuts.decreasing", [4, 2], 0)]:
    params = {"sections": sections}
    if axis != 0:
        params["axis"] = axis
    pieces = np.split(xsp, sections, axis=axis)
    case(f"split.{name}", "split", [T(xsp)], list(pieces), params)
case("split.of-transposed", "split", [T(xsp, tr(1, 0))], list(np.split(xsp.T, 2, axis=1)), {"sections": 2, "axis": 1})

# --- matmul -------------------------------------------------------------------


def ref_matmul(a: np.ndarray, b: np.ndarray):
    d = promote(dname(a), dname(b))
    if d in ("bool", "uint8"):
        d = "int32"
    if is_float(d):
        return np.matmul(cast(a, d).astype(np.float64), cast(b, d).astype(np.float64)).astype(NP[d])
    r = np.matmul(cast(a, d).astype(np.int64), cast(b, d).astype(np.int64))
    if r.size:
        note_int(np.abs(np.matmul(np.abs(cast(a, d).astype(np.int64)).astype(object), np.abs(cast(b, d).astype(np.int64)).astype(object))).max())
    return wrap_arr(r, d)


def mm_scale(a, b):
    aa = np.abs(np.asarray(a, np.float64))
    bb = np.abs(np.asarray(b, np.float64))
    if aa.size == 0 or bb.size == 0:
        return 1.0
    return max(1.0, float(np.max(np.matmul(aa, bb))))


for d in DTYPES:
    a, b = rnd(d, (3, 4)), rnd(d, (4, 5))
    case(f"matmul.{d}.2d", "matmul", [T(a), T(b)], ref_matmul(a, b), scale=mm_scale(a, b))
for name, sa, sb, va, vb in [
    ("1d@2d", (4,), (4, 3), [], []), ("2d@1d", (3, 4), (4,), [], []), ("1d@1d", (5,), (5,), [], []),
    ("1d@3d", (4,), (2, 4, 3), [], []), ("3d@1d", (2, 3, 4), (4,), [], []),
    ("batch", (2, 3, 4), (2, 4, 5), [], []), ("batch-broadcast", (2, 1, 3, 4), (5, 4, 2), [], []),
    ("batch-2d", (3, 4), (2, 4, 5), [], []), ("batch-size1", (1, 3, 4), (3, 4, 2), [], []),
    ("a-transposed", (4, 3), (4, 5), [tr(1, 0)], []), ("b-transposed", (3, 4), (5, 4), [], [tr(1, 0)]),
    ("both-transposed", (4, 3), (5, 4), [tr(1, 0)], [tr(1, 0)]),
    ("batch-transposed", (2, 4, 3), (2, 5, 4), [tr(0, 2, 1)], [tr(0, 2, 1)]),
    ("batch-axis-permuted", (3, 2, 4), (4, 2, 5), [tr(1, 0, 2)], [tr(1, 0, 2)]),
    ("stepped", (6, 8), (8, 6), [sl(rg(None, None, 2), rg(None, None, 2))], [sl(rg(None, None, 2), rg(None, None, -2))]),
    ("flipped", (3, 4), (4, 5), [fl(0, 1)], [fl(1)]),
    ("broadcast-operand", (4,), (4, 3), [bc(2, 4)], []),
    ("k=0", (2, 0), (0, 3), [], []), ("m=0", (0, 3), (3, 2), [], []), ("n=0", (2, 3), (3, 0), [], []),
    ("1x1", (1, 1), (1, 1), [], []), ("outer", (4, 1), (1, 3), [], []),
]:
    a, b = rnd("float32", sa), rnd("float32", sb)
    av, bv = apply_view(a, va), apply_view(b, vb)
    case(f"matmul.{name}", "matmul", [T(a, *va), T(b, *vb)], ref_matmul(av, bv), scale=mm_scale(av, bv))
a, b = rnd("int32", (3, 4)), rnd("float32", (4, 2))
case("matmul.promote.int32@float32", "matmul", [T(a), T(b)], ref_matmul(a, b), scale=mm_scale(a, b))
a, b = rnd("uint8", (2, 3), 0, 256), rnd("bool", (3, 2))
case("matmul.promote.uint8@bool", "matmul", [T(a), T(b)], ref_matmul(a, b))
a, b = rnd("float32", (2, 3)), rnd("float64", (3, 2))
case("matmul.promote.float32@float64", "matmul", [T(a), T(b)], ref_matmul(a, b), scale=mm_scale(a, b))
a = arr([[2**30, 2**30], [65536, 3]], "int32")
case("matmul.int32.wrap", "matmul", [T(a), T(a)], ref_matmul(a, a))
for name, m, k, n, ta, tb in [("37x70@70x45", 37, 70, 45, False, False), ("33x65@65x17.aT", 33, 65, 17, True, False),
                              ("20x129@129x24.bT", 20, 129, 24, False, True), ("64x64@64x64.bothT", 64, 64, 64, True, True)]:
    ra = dict(dtype="float32", shape=[k, m] if ta else [m, k], mul=37, add=5, mod=61, scale=1 / 16, offset=-1.875)
    rb = dict(dtype="float32", shape=[n, k] if tb else [k, n], mul=53, add=11, mod=67, scale=1 / 32, offset=-1.03125)
    va, vb = [tr(1, 0)] if ta else [], [tr(1, 0)] if tb else []
    av, bv = apply_view(ramp_values(ra), va), apply_view(ramp_values(rb), vb)
    case(f"matmul.large.{name}", "matmul", [Arg("ramp", ramp=ra, view=va), Arg("ramp", ramp=rb, view=vb)],
         ref_matmul(av, bv), scale=mm_scale(av, bv))
rb64 = dict(dtype="float64", shape=[2, 40, 50], mul=7, add=1, mod=101, scale=1 / 64, offset=-0.75)
rc64 = dict(dtype="float64", shape=[50, 30], mul=13, add=2, mod=89, scale=1 / 64, offset=-0.6)
case("matmul.large.float64.batch", "matmul", [Arg("ramp", ramp=rb64), Arg("ramp", ramp=rc64)],
     ref_matmul(ramp_values(rb64), ramp_values(rc64)), scale=mm_scale(ramp_values(rb64), ramp_values(rc64)))
ri = dict(dtype="int32", shape=[30, 40], mul=7, add=1, mod=201, scale=1, offset=-100)
rj = dict(dtype="int32", shape=[40, 20], mul=3, add=2, mod=101, scale=1, offset=-50)
case("matmul.large.int32", "matmul", [Arg("ramp", ramp=ri), Arg("ramp", ramp=rj)], ref_matmul(ramp_values(ri), ramp_values(rj)))

# --- take / takeAlongAxis / oneHot ------------------------------------------------


def ref_take(x: np.ndarray, idx: np.ndarray, axis):
    if axis is None:
        x, axis = x.reshape(-1), 0
    n = x.shape[axis]
    i = idx.astype(np.int64)
    i = np.where(i < 0, i + n, i)
    i = np.clip(i, 0, n - 1)
    return np.take(x, i, axis=axis)


xk = rnd("float32", (3, 4))
for name, idx, axis in [("axis0", arr([2, 0, 1, 0], "int32"), 0), ("axis1", arr([3, 3, 0], "int32"), 1), ("axis-1", arr([1], "int32"), -1),
                        ("2d-indices", arr([[0, 1], [2, 2]], "int32"), 1), ("rank0-index", np.array(2, np.int32), 0),
                        ("negative", arr([-1, -3, -4], "int32"), 1), ("clamp", arr([4, 100, -5, -100], "int32"), 1),
                        ("flat", arr([0, 11, 5, -1, 20], "int32"), None), ("uint8-indices", arr([2, 0, 255], "uint8"), 0),
                        ("empty-indices", np.zeros((0,), np.int32), 1)]:
    case(f"take.{name}", "take", [T(xk), T(idx)], ref_take(xk, idx, axis), None if axis is None else {"axis": axis})
for d in DTYPES:
    x = rnd(d, (4, 2))
    idx = arr([3, 1, -1], "int32")
    case(f"take.{d}", "take", [T(x), T(idx)], ref_take(x, idx, 0), {"axis": 0})
x = rnd("float32", (4, 5))
idx = arr([[0, 4], [2, 1], [3, 3]], "int32")
case("take.views", "take", [T(x, tr(1, 0), fl(0)), T(idx, tr(1, 0))], ref_take(np.flip(x.T, 0), idx.T, 1), {"axis": 1})
case("take.broadcast-x", "take", [T(arr([1.0, 2.0, 3.0], "float32"), bc(2, 3)), T(arr([2, 0], "int32"))],
     ref_take(np.broadcast_to(arr([1.0, 2.0, 3.0], "float32"), (2, 3)), arr([2, 0], "int32"), 1), {"axis": 1})
case("take.broadcast-indices", "take", [T(xk), T(arr([1, -1], "int32"), bc(3, 2))], ref_take(xk, np.broadcast_to(arr([1, -1], "int32"), (3, 2)), 1),
     {"axis": 1})
case("take.empty-other-axis", "take", [T(np.zeros((0, 3), np.float32)), T(arr([1, 2], "int32"))], np.zeros((0, 2), np.float32), {"axis": 1})


def ref_tal(x: np.ndarray, idx: np.ndarray, axis):
    n = x.shape[axis]
    i = idx.astype(np.int64)
    i = np.where(i < 0, i + n, i)
    i = np.clip(i, 0, n - 1)
    shape = list(np.broadcast_shapes(tuple(1 if k == axis else s for k, s in enumerate(x.shape)),
                                     tuple(1 if k == axis else s for k, s in enumerate(i.shape))))
    xs = list(shape)
    xs[axis] = x.shape[axis]
    ish = list(shape)
    ish[axis] = i.shape[axis]
    return np.take_along_axis(np.broadcast_to(x, xs), np.broadcast_to(i, ish), axis=axis)


xa = rnd("float32", (3, 4))
for name, idx, axis in [("axis1", arr([[0, 3], [1, 1], [2, 0]], "int32"), 1), ("axis0", arr([[2, 0, 1, 1]], "int32"), 0),
                        ("broadcast-indices", arr([[3, 0, 1]], "int32"), 1), ("negative-clamp", arr([[-1, 9], [-5, 0], [2, -2]], "int32"), 1),
                        ("argmax-style", np.argmax(xa, axis=1, keepdims=True).astype(np.int32), 1), ("axis-1", arr([[1], [2], [3]], "int32"), -1)]:
    case(f"takeAlongAxis.{name}", "takeAlongAxis", [T(xa), T(idx)], ref_tal(xa, idx, axis), {"axis": axis})
xa3 = rnd("int32", (2, 3, 4))
ia3 = rng.integers(-4, 6, (2, 2, 4)).astype(np.int32)
case("takeAlongAxis.rank3.int32", "takeAlongAxis", [T(xa3), T(ia3)], ref_tal(xa3, ia3, 1), {"axis": 1})
case("takeAlongAxis.views", "takeAlongAxis", [T(xa, tr(1, 0)), T(arr([[0, 2, 1]], "uint8"), bc(4, 3))],
     ref_tal(xa.T, np.broadcast_to(arr([[0, 2, 1]], "uint8"), (4, 3)), 1), {"axis": 1})


def ref_onehot(idx: np.ndarray, depth, d="float32"):
    hot = idx.astype(np.int64)[..., None] == np.arange(depth)
    return cast(hot, d)


for name, idx, depth, d in [("basic", arr([0, 2, 1, 4], "int32"), 5, None), ("out-of-range", arr([-1, 5, 7, 2], "int32"), 5, None),
                            ("2d.int32", arr([[1, 0], [2, 2]], "int32"), 3, "int32"), ("bool", arr([1, 3], "uint8"), 4, "bool"),
                            ("float64", arr([0, 1], "int32"), 2, "float64"), ("depth0", arr([0, 1], "int32"), 0, None),
                            ("rank0", np.array(2, np.int32), 3, None), ("empty", np.zeros((0,), np.int32), 3, None)]:
    case(f"oneHot.{name}", "oneHot", [T(idx)], ref_onehot(idx, depth, d or "float32"), {"depth": depth, **({"dtype": d} if d else {})})
case("oneHot.view", "oneHot", [T(arr([[0, 1, 2], [3, 0, 1]], "int32"), tr(1, 0))], ref_onehot(arr([[0, 1, 2], [3, 0, 1]], "int32").T, 4),
     {"depth": 4})

# scatterAdd (the adjoint of gather), run through bind


def ref_scatter(upd: np.ndarray, idx: np.ndarray, axis, shape):
    d = dname(upd)
    out = np.zeros(shape, dtype=np.float64 if is_float(d) else np.int64)
    n = shape[axis]
    i = idx.astype(np.int64).reshape(-1)
    i = np.where(i < 0, i + n, i)
    i = np.clip(i, 0, n - 1)
    u = upd.reshape(tuple(shape[:axis]) + (len(i),) + tuple(shape[axis + 1:]))
    for j, t in enumerate(i):
        src = np.take(u, j, axis=axis)
        sel = [slice(None)] * len(shape)
        sel[axis] = int(t)
        out[tuple(sel)] += src
    return out.astype(NP[d]) if is_float(d) else wrap_arr(out, d)


for name, d, ushape, idx, axis, shape, view in [
    ("axis0", "float32", (4, 3), arr([0, 2, 0, 1], "int32"), 0, [3, 3], []),
    ("axis1.duplicates", "float32", (2, 5), arr([1, 1, 1, 0, 3], "int32"), 1, [2, 4], []),
    ("negative-clamp", "float32", (5,), arr([-1, 9, -9, 2, 2], "int32"), 0, [4], []),
    ("2d-indices", "float64", (2, 2, 3), arr([[0, 1], [1, 1]], "int32"), 0, [2, 3], []),
    ("int32", "int32", (3, 2), arr([2, 2, 0], "int32"), 0, [3, 2], []),
    ("transposed-updates", "float32", (3, 4), arr([0, 1, 1], "int32"), 1, [4, 2], [tr(1, 0)]),
    ("empty-indices", "float32", (3, 0), np.zeros((0,), np.int32), 1, [3, 2], []),
]:
    u = rnd(d, ushape)
    uv = apply_view(u, view)
    case(f"prim.scatterAdd.{name}", "prim.scatterAdd", [T(u, *view), T(idx)], ref_scatter(uv, idx, axis, shape), {"axis": axis, "shape": shape},
         scale=8.0)

# reductions through bind: the backend's identities for empty reductions
for d in DTYPES:
    e = np.zeros((0, 2), NP[d])
    for op in ("sum", "prod", "max", "min"):
        if op in ("sum", "prod") and d in ("bool", "uint8"):
            continue
        ident = {"sum": 0, "prod": 1,
                 "max": {"float32": -math.inf, "float64": -math.inf, "int32": -(2**31), "uint8": 0, "bool": False}[d],
                 "min": {"float32": math.inf, "float64": math.inf, "int32": 2**31 - 1, "uint8": 255, "bool": True}[d]}[op]
        case(f"prim.reduce.{op}.{d}.empty-axis", "prim.reduce", [T(e)], np.full((2,), ident, NP[d]), {"reduceOp": op, "axes": [0]})
xr = rnd("float32", (2, 3))
case("prim.reduce.sum.no-axes", "prim.reduce", [T(xr, tr(1, 0))], xr.T.copy(), {"reduceOp": "sum", "axes": []})

# --- creation -----------------------------------------------------------------

for name, args, dtype, expected in [
    ("stop", [5], None, np.arange(5, dtype=np.int32)),
    ("start-stop-step", [2, 10, 3], None, np.arange(2, 10, 3, dtype=np.int32)),
    ("negative-step", [10, 0, -2], None, np.arange(10, 0, -2, dtype=np.int32)),
    ("float-step", [0, 1, 0.1], None, np.array([np.float32(0 + i * 0.1) for i in range(10)], np.float32)),
    ("float-start", [-1.5, 2], None, np.array([-1.5, -0.5, 0.5, 1.5], np.float32)),
    ("empty", [5, 5], None, np.zeros((0,), np.int32)),
    ("empty-reversed", [5, 1], None, np.zeros((0,), np.int32)),
    ("float64", [0, 1, 0.25], "float64", np.arange(0, 1, 0.25)),
    ("uint8", [250, 260], "uint8", np.array([250, 251, 252, 253, 254, 255, 0, 1, 2, 3], np.uint8)),
    ("float32-dtype", [3], "float32", np.arange(3, dtype=np.float32)),
    ("bool", [0, 3], "bool", np.array([False, True, True])),
]:
    params = {"args": args}
    if dtype:
        params["dtype"] = dtype
    case(f"creation.arange.{name}", "arange", [], expected, params)
for name, start, stop, num, opts, expected in [
    ("basic", 0, 1, 5, {}, np.linspace(0, 1, 5).astype(np.float32)),
    ("no-endpoint", 0, 1, 4, {"endpoint": False}, np.linspace(0, 1, 4, endpoint=False).astype(np.float32)),
    ("num1", 3, 7, 1, {}, np.array([3.0], np.float32)),
    ("num0", 3, 7, 0, {}, np.zeros((0,), np.float32)),
    ("descending.float64", 2, -1, 7, {"dtype": "float64"}, np.linspace(2, -1, 7)),
    ("int32", 0, 10, 4, {"dtype": "int32"}, np.array([0, 3, 6, 10], np.int32)),
]:
    case(f"creation.linspace.{name}", "linspace", [], expected, {"args": [start, stop, num], **opts})
for name, n, m, k, d in [("3", 3, None, None, None), ("3x4.k1", 3, 4, 1, None), ("2x3.k-1.int32", 2, 3, -1, "int32"),
                         ("4x2.bool", 4, 2, 0, "bool"), ("k-out", 2, 2, 5, None), ("0", 0, None, None, None)]:
    args = [n] if m is None else [n, m]
    params = {"args": args}
    if k is not None:
        params["k"] = k
    if d:
        params["dtype"] = d
    case(f"creation.eye.{name}", "eye", [], np.eye(n, m, k or 0, dtype=NP[d or "float32"]), params)
for name, shape, value, d, conv in [("float32", [2, 3], 1.5, None, 1.5), ("int32.trunc", [2], 2.7, "int32", 2), ("int32.neg", [2], -2.7, "int32", -2),
                                    ("uint8.wrap", [3], -1, "uint8", 255), ("uint8.300", [1], 300, "uint8", 44), ("bool.value", [2], True, None, True),
                                    ("bool.2", [2], 2, "bool", True), ("bool.nan", [1], math.nan, "bool", True),
                                    ("int32.nan", [2], math.nan, "int32", 0), ("int32.inf", [1], math.inf, "int32", 0),
                                    ("int32.big", [1], 2**32 + 5, "int32", 5), ("float64", [2, 2], 0.1, "float64", 0.1),
                                    ("rank0", [], 3, None, 3.0), ("empty", [0, 2], 1, None, 1.0)]:
    params = {"shape": shape, "value": value}
    if d:
        params["dtype"] = d
    od = d or ("bool" if isinstance(value, bool) else "float32")
    case(f"creation.full.{name}", "full", [], np.full(shape, conv, NP[od]), params)
case("creation.zeros.int32", "zeros", [], np.zeros((2, 2), np.int32), {"shape": [2, 2], "dtype": "int32"})
case("creation.zeros.default", "zeros", [], np.zeros((3,), np.float32), {"shape": [3]})
case("creation.ones.bool", "ones", [], np.ones((2,), bool), {"shape": [2], "dtype": "bool"})
case("creation.ones.uint8", "ones", [], np.ones((1, 2), np.uint8), {"shape": [1, 2], "dtype": "uint8"})
xl = rnd("int32", (2, 3))
case("creation.fullLike", "fullLike", [T(xl)], np.full((2, 3), 7, np.int32), {"value": 7.9})
case("creation.fullLike.dtype", "fullLike", [T(xl, tr(1, 0))], np.full((3, 2), 0.5, np.float64), {"value": 0.5, "dtype": "float64"})
case("creation.zerosLike", "zerosLike", [T(rnd("bool", (2,)))], np.zeros((2,), bool))
case("creation.onesLike", "onesLike", [T(rnd("float64", (1, 2)))], np.ones((1, 2), np.float64))
case("creation.onesLike.dtype", "onesLike", [T(rnd("float64", (1, 2)))], np.ones((1, 2), np.uint8), {"dtype": "uint8"})

# --- random ---------------------------------------------------------------------


def rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & M32


def threefry2x32(key, ctr):
    k0, k1 = key
    ks = [k0, k1, (k0 ^ k1 ^ 0x1BD11BDA) & M32]
    x0, x1 = (ctr[0] + k0) & M32, (ctr[1] + k1) & M32
    rots = [[13, 15, 26, 6], [17, 29, 16, 24]]
    for i in range(5):
        for r in rots[i % 2]:
            x0 = (x0 + x1) & M32
            x1 = rotl(x1, r) ^ x0
        x0 = (x0 + ks[(i + 1) % 3]) & M32
        x1 = (x1 + ks[(i + 2) % 3] + i + 1) & M32
    return x0, x1


# Known-answer tests of Random123 (threefry2x32, 20 rounds), also used by JAX's test suite.
assert threefry2x32((0, 0), (0, 0)) == (0x6B200159, 0x99BA4EFE)
assert threefry2x32((M32, M32), (M32, M32)) == (0x1CB996FC, 0xBB002BE7)
assert threefry2x32((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3)) == (0xC4923A9C, 0x483DF7A0)


def uniform_stream(key, size, d):
    out = []
    if d == "float32":
        for b in range((size + 1) // 2):
            w = threefry2x32(key, (b, 0))
            out.extend([(w[0] >> 8) / 2**24, (w[1] >> 8) / 2**24])
        return np.array(out[:size], np.float32)
    for i in range(size):
        w0, w1 = threefry2x32(key, (i, 0))
        out.append(((w0 >> 5) * 2**26 + (w1 >> 6)) / 2**53)
    return np.array(out, np.float64)


def seed_key(seed):
    return ((seed >> 32) & M32, seed & M32)


def split_key(key, n=2):
    """JAX's split under the original (non-partitionable) threefry scheme."""
    flat = [0] * (2 * n)
    for i in range(n):
        y0, y1 = threefry2x32(key, (i, n + i))
        flat[i], flat[n + i] = y0, y1
    return [(flat[2 * j], flat[2 * j + 1]) for j in range(n)]


# jax.random.split(jax.random.PRNGKey(0)), as printed in JAX's documentation.
assert split_key(seed_key(0)) == [(4146024105, 967050713), (2718843009, 1272950319)]

RANDOM_CASES = []
for seed, shape, d in [(0, [7], "float32"), (42, [5], "float64"), (2**32 + 3, [2, 2], "float32"), (123456789, [64], "float32"),
                       (7, [3], "float64"), (5, [], "float32"), (9, [0, 3], "float32")]:
    size = int(np.prod(shape, dtype=np.int64))
    RANDOM_CASES.append(dict(id=f"random.uniform.seed={seed}.{d}.[{','.join(map(str, shape))}]", kind="uniform", seed=seed, dtype=d, shape=shape,
                             expected=uniform_stream(seed_key(seed), size, d).reshape(shape)))
for seed, shape, d, lo, hi in [(1, [6], "float32", -2.0, 3.0), (2, [4], "float64", 10.0, 10.5)]:
    size = int(np.prod(shape))
    u = uniform_stream(seed_key(seed), size, d).astype(np.float64)
    RANDOM_CASES.append(dict(id=f"random.uniform.seed={seed}.{d}.minval={lo}.maxval={hi}", kind="uniform", seed=seed, dtype=d, shape=shape,
                             minval=lo, maxval=hi, expected=(lo + u * (hi - lo)).astype(NP[d]).reshape(shape), scale=abs(hi) + abs(lo)))
for seed, shape, d in [(0, [8], "float32"), (3, [2, 3], "float64")]:
    size = int(np.prod(shape))
    k1, k2 = split_key(seed_key(seed))
    u1 = uniform_stream(k1, size, d).astype(np.float64)
    u2 = uniform_stream(k2, size, d).astype(np.float64)
    z = np.sqrt(-2 * np.log(1 - u1)) * np.cos(2 * np.pi * u2)
    RANDOM_CASES.append(dict(id=f"random.normal.seed={seed}.{d}", kind="normal", seed=seed, dtype=d, shape=shape, expected=z.astype(NP[d]).reshape(shape),
                             scale=10.0))
for seed, shape, prob in [(11, [20], 0.3), (12, [4, 4], 0.5)]:
    size = int(np.prod(shape))
    u = uniform_stream(seed_key(seed), size, "float32")
    RANDOM_CASES.append(dict(id=f"random.bernoulli.seed={seed}.p={prob}", kind="bernoulli", seed=seed, dtype="bool", shape=shape, p=prob,
                             expected=(u < np.float32(prob)).reshape(shape)))

# ---------------------------------------------------------------------------
# Cases of ops added later: their inputs are drawn after every case above.

# --- new elementwise ops ----------------------------------------------------------------

# Accuracy at the ends of each range: huge and tiny inputs (no early overflow,
# no loss of precision near 0), near the poles, exact powers of two. The scale
# is tiny so that the tolerance is relative (a result of 1e-30 must be 1e-30).
EXTREME_UNARY = {
    "asin": [1e-30, -1e-20, 1e-7, 0.5, -0.5, 0.70710677, 0.9999999, -0.9999999, 1.0, -1.0],
    "acos": [1e-30, -1e-20, 1e-7, 0.5, -0.5, 0.70710677, 0.9999999, -0.9999999, 1.0, -1.0],
    "atan": [1e-30, -1e-20, 1e-7, 1.0, -1.0, 1e10, -1e30, 3e38],
    "sinh": [1e-30, -1e-20, 1e-7, -0.01, 0.3, 20.0, 80.0, 88.0, 89.0, -89.0, 90.0],
    "cosh": [0.0, 1e-7, -0.3, 20.0, 80.0, 88.0, 89.0, -89.0, 90.0],
    "asinh": [1e-30, -1e-20, 1e-7, -0.3, 5000.0, -5000.0, 1e5, 1e30, -1e30, 3e38],
    "acosh": [1.0, 1.0000001, 1.0001, 1.5, 1e5, 1e30, 3e38],
    "atanh": [1e-30, -1e-20, 1e-7, 0.5, 0.999999, -0.999999, 0.9999999, 1.0, -1.0],
    "log2": [1.0, 2.0, 8.0, 2.0**-10, 2.0**100, 2.0**-126, 3.0, 0.1, 1e38],
    "exp2": [-149.0, -140.0, -126.0, -1.0, 0.0, 1.0, 10.0, 127.0, 128.0, 0.5, -0.5, 100.5],
}
EXTREME_UNARY_F64 = {
    "asinh": [1e300, -1e-300], "acosh": [1.0 + 2.0**-52, 1e300], "sinh": [700.0, 709.0, 710.0, -711.0, 1e-300], "cosh": [700.0, 710.0, 711.0],
    "log2": [2.0**-1022, 2.0**1000, 2.0**-1074], "exp2": [-1074.0, -1022.0, 1023.0, 1024.0], "atanh": [1e-300, 1.0 - 2.0**-53],
}


def extreme_unary_cases(op):
    values = EXTREME_UNARY[op]
    x = arr(values, "float32")
    case(f"unary.{op}.float32.extreme", op, [T(x)], ref_unary(op, x), scale=1e-30)
    x = arr(values + EXTREME_UNARY_F64.get(op, []), "float64")
    case(f"unary.{op}.float64.extreme", op, [T(x)], ref_unary(op, x), scale=1e-300)


for op in NEW_UNARY:
    unary_cases(op)
    if op in EXTREME_UNARY:
        extreme_unary_cases(op)
for op in NEW_BINARY:
    binary_cases(op)
# hypot without overflow or underflow in between; atan2 of tiny and huge ratios
for d in ("float32", "float64"):
    ha = arr([3e30, 1e-20, 3e38, 1e-30, 5.0, 0.0, -3e30, 1e20], d)
    hb = arr([4e30, 1e-25, 3e38, 1e-30, 12.0, -0.0, 4e-30, 1e-20], d)
    case(f"binary.hypot.{d}.extreme", "hypot", [T(ha), T(hb)], ref_binary("hypot", ha, hb), scale=1e-30)
    case(f"binary.atan2.{d}.extreme", "atan2", [T(ha), T(hb)], ref_binary("atan2", ha, hb), scale=1e-30)

# --- sort / argsort / topk -------------------------------------------------------


def lane_order(values, descending):
    """The stable sort order of one lane (Python's sorted is stable): NaN above every number, -0 equal to 0."""
    def key(i):
        v = float(values[i])
        nan = math.isnan(v)
        if descending:
            return (0 if nan else 1, 0.0 if nan else -v)
        return (1 if nan else 0, 0.0 if nan else v)
    return sorted(range(len(values)), key=key)


def ref_argsort(x: np.ndarray, axis, descending=False):
    xm = np.moveaxis(x, axis, -1)
    flat = xm.reshape(-1, xm.shape[-1]) if xm.size else np.zeros((0, xm.shape[-1]), x.dtype)
    out = np.array([lane_order(row, descending) for row in flat], dtype=np.int32).reshape(xm.shape)
    if not descending:  # numpy's stable argsort agrees (it also puts NaN last and keeps -0/0 ties in order)
        assert np.array_equal(out, np.argsort(xm, axis=-1, kind="stable").astype(np.int32))
    return np.moveaxis(out, -1, axis)


def ref_sort(x: np.ndarray, axis, descending=False):
    return np.take_along_axis(x, ref_argsort(x, axis, descending).astype(np.int64), axis)


def given(**options):
    """The options of a case that differ from the op's defaults (None and False omitted), or None when none do."""
    p = {k: v for k, v in options.items() if v is not None and v is not False}
    return p or None


def sort_params(axis, descending):
    return given(axis=None if axis == -1 else axis, descending=descending)


SORT_SPECIAL = [3.0, 1.0, math.nan, 2.0, 1.0, -0.0, 0.0, math.nan, 5.0, -math.inf, math.inf, 1.0, -2.5, 0.0, -0.0, math.inf]
for desc in (False, True):
    dn = "desc" if desc else "asc"
    for d in DTYPES:
        x = rnd(d, (3, 4, 5), -3, 4) if d in ("int32", "uint8") else rnd(d, (3, 4, 5))
        if is_float(d):
            x = np.round(x * 2).astype(NP[d]) / NP[d](2)  # ties
        for axis in (-1, 0, 1):
            case(f"sort.{d}.{dn}.axis={axis}", "sort", [T(x)], ref_sort(x, axis, desc), sort_params(axis, desc))
            case(f"argsort.{d}.{dn}.axis={axis}", "argsort", [T(x)], ref_argsort(x, axis, desc), sort_params(axis, desc))
    for d in ("float32", "float64"):
        xs_ = arr(SORT_SPECIAL, d)
        case(f"sort.special.{d}.{dn}", "sort", [T(xs_)], ref_sort(xs_, -1, desc), sort_params(-1, desc))
        case(f"argsort.special.{d}.{dn}", "argsort", [T(xs_)], ref_argsort(xs_, -1, desc), sort_params(-1, desc))
    xe = arr([[2**31 - 1, -(2**31), 0, -1, 2**31 - 1, 7], [5, 5, 5, 5, 5, 5]], "int32")
    case(f"argsort.int32.extremes.{dn}", "argsort", [T(xe)], ref_argsort(xe, -1, desc), sort_params(-1, desc))
    xb = rnd("bool", (2, 9))
    case(f"argsort.bool.{dn}", "argsort", [T(xb)], ref_argsort(xb, -1, desc), sort_params(-1, desc))
    # strided inputs: transposed, flipped and stepped, broadcast
    xt_ = np.round(rnd("float32", (5, 6)) * 2).astype(np.float32) / np.float32(2)
    case(f"sort.view.transposed.{dn}", "sort", [T(xt_, tr(1, 0))], ref_sort(xt_.T, -1, desc), sort_params(-1, desc))
    case(f"argsort.view.transposed.axis=0.{dn}", "argsort", [T(xt_, tr(1, 0))], ref_argsort(xt_.T, 0, desc), sort_params(0, desc))
    vs = [fl(0), sl(None, rg(None, None, 2))]
    case(f"argsort.view.stepped.{dn}", "argsort", [T(xt_, *vs)], ref_argsort(apply_view(xt_, vs), -1, desc), sort_params(-1, desc))
    xr = arr([2.0, 1.0, 2.0], "float32")
    case(f"argsort.view.broadcast.{dn}", "argsort", [T(xr, bc(2, 3))], ref_argsort(np.broadcast_to(xr, (2, 3)), -1, desc), sort_params(-1, desc))
    case(f"argsort.view.broadcast-axis.{dn}", "argsort", [T(xr, rs(1, 3), bc(4, 3))], ref_argsort(np.broadcast_to(xr, (4, 3)), 0, desc),
         sort_params(0, desc))
    # edge shapes
    case(f"sort.empty-lanes.{dn}", "sort", [T(np.zeros((0, 3), np.float32))], np.zeros((0, 3), np.float32), sort_params(-1, desc))
    case(f"argsort.empty-axis.{dn}", "argsort", [T(np.zeros((3, 0), np.float32))], np.zeros((3, 0), np.int32), sort_params(-1, desc))
    case(f"argsort.size1.{dn}", "argsort", [T(arr([[4.0], [2.0]], "float32"))], np.zeros((2, 1), np.int32), sort_params(-1, desc))
    # long lanes (many merge passes), with ties and NaNs; lengths not powers of two
    for n in (33, 300, 1000):
        lr = dict(dtype="float32", shape=[2, n], mul=7919, add=5, mod=61, scale=0.5, offset=-15.0)
        xl = ramp_values(lr)
        case(f"argsort.long{n}.{dn}", "argsort", [Arg("ramp", ramp=lr)], ref_argsort(xl, -1, desc), sort_params(-1, desc))
        case(f"sort.long{n}.{dn}", "sort", [Arg("ramp", ramp=lr)], ref_sort(xl, -1, desc), sort_params(-1, desc))
    xnl = ramp_values(dict(dtype="float32", shape=[77], mul=13, add=0, mod=11, scale=1.0, offset=-5.0))
    xnl[::7] = np.nan
    case(f"argsort.long-nan.{dn}", "argsort", [T(xnl)], ref_argsort(xnl, -1, desc), sort_params(-1, desc))


def ref_topk(x: np.ndarray, k, axis=-1):
    idx = ref_argsort(x, axis, True)
    idx = np.take(idx, np.arange(k), axis=axis)
    return [np.take_along_axis(x, idx.astype(np.int64), axis), idx]


xk = np.round(rnd("float32", (3, 7)) * 2).astype(np.float32) / np.float32(2)
for k in (0, 1, 3, 7):
    case(f"topk.float32.k={k}", "topk", [T(xk)], ref_topk(xk, k), {"k": k})
case("topk.float32.axis=0", "topk", [T(xk)], ref_topk(xk, 2, 0), {"k": 2, "axis": 0})
case("topk.float32.transposed", "topk", [T(xk, tr(1, 0))], ref_topk(xk.T, 2, 0), {"k": 2, "axis": 0})
xki = rnd("int32", (2, 3, 6), -4, 5)
case("topk.int32.axis=1", "topk", [T(xki)], ref_topk(xki, 2, 1), {"k": 2, "axis": 1})
xkb = arr([[1, 0, 1, 1, 0], [0, 0, 0, 1, 0]], "bool")
case("topk.bool", "topk", [T(xkb)], ref_topk(xkb, 3), {"k": 3})
xks = arr([[1.0, math.nan, 5.0, math.inf, 5.0, -math.inf, math.nan]], "float64")
case("topk.special.float64", "topk", [T(xks)], ref_topk(xks, 4), {"k": 4})
lk = dict(dtype="float32", shape=[4, 500], mul=7919, add=3, mod=97, scale=0.25, offset=-12.0)
case("topk.long500.k=5", "topk", [Arg("ramp", ramp=lk)], ref_topk(ramp_values(lk), 5), {"k": 5})
# k neither a power of two nor a divisor of the lane (top-k passes truncate uneven runs), ties and NaNs
lk2 = dict(dtype="float32", shape=[777, 3], mul=7919, add=1, mod=53, scale=0.5, offset=-13.0)
xk2 = ramp_values(lk2)
xk2n = xk2.copy()
xk2n[::50, 1] = np.nan
for k in (37, 300, 776):
    case(f"topk.long777.k={k}.axis=0", "topk", [Arg("ramp", ramp=lk2)], ref_topk(xk2, k, 0), {"k": k, "axis": 0})
case("topk.long777.nan.transposed", "topk", [T(xk2n, tr(1, 0))], ref_topk(xk2n.T, 21), {"k": 21})

# --- all / any --------------------------------------------------------------------


def ref_logical(op, x: np.ndarray, axes, keepdims=False):
    f = np.all if op == "all" else np.any
    return f(cast(x, "bool"), axis=axes_tuple(axes, x.ndim), keepdims=keepdims)


for op in ("all", "any"):
    for d in DTYPES:
        x = rnd(d, (2, 3, 4), 0, 2) if d in ("int32", "uint8") else (rnd(d, (2, 3, 4)) if d == "bool" else np.round(rnd(d, (2, 3, 4), -0.6, 0.6)).astype(NP[d]))
        x.reshape(-1)[0] = 1 if d != "bool" else True  # not all zero: every axis mixes zeros and nonzeros
        for axes in (None, 0, 1, -1, [0, 2], []):
            for keepdims in ([False, True] if axes in (None, 1) else [False]):
                case(f"reduce.{op}.{d}.axes={axes_id(axes)}{'.keepdims' if keepdims else ''}", op, [T(x)], ref_logical(op, x, axes, keepdims),
                     given(axes=axes, keepdims=keepdims))
    xn = arr([[math.nan, 0.0], [-0.0, 0.0], [1e-30, math.inf]], "float32")
    case(f"reduce.{op}.special.axes=1", op, [T(xn)], ref_logical(op, xn, 1), {"axes": 1})
    case(f"reduce.{op}.empty", op, [T(np.zeros((0, 3), np.float32))], ref_logical(op, np.zeros((0, 3), np.float32), None))
    case(f"reduce.{op}.empty.axes=0", op, [T(np.zeros((0, 3), np.int32))], ref_logical(op, np.zeros((0, 3), np.int32), 0), {"axes": 0})
    xv = rnd("bool", (4, 3))
    case(f"reduce.{op}.view.transposed", op, [T(xv, tr(1, 0))], ref_logical(op, xv.T, 1), {"axes": 1})
    case(f"reduce.{op}.rank0", op, [T(np.array(0.0, np.float32))], ref_logical(op, np.array(0.0, np.float32), None))

# --- roll / swapaxes / moveaxis ---------------------------------------------------

xr3 = rnd("int32", (3, 4, 5))
for name, shift, axis in [("1.axis0", 1, 0), ("-2.axis-1", -2, -1), ("7.axis1", 7, 1), ("flat", 5, None), ("flat.negative", -13, None),
                          ("tuple", [1, -1], [0, 2]), ("repeated-axis", [1, 2], [1, 1]), ("one-shift-two-axes", 2, [0, 1]),
                          ("two-shifts-one-axis", [3, 4], 2), ("zero", 0, 1), ("full-turn", 4, 1), ("flat.tuple", [1, 2], None)]:
    params = {"shift": shift}
    if axis is not None:
        params["axes"] = axis
    case(f"view.roll.{name}", "roll", [T(xr3)], np.roll(xr3, shift if isinstance(shift, int) else tuple(shift),
                                                        axis=None if axis is None else (axis if isinstance(axis, int) else tuple(axis))), params)
xrf = rnd("float32", (4, 6))
case("view.roll.of-transposed", "roll", [T(xrf, tr(1, 0))], np.roll(xrf.T, 2, axis=0), {"shift": 2, "axes": 0})
case("view.roll.of-stepped", "roll", [T(xrf, fl(0), sl(None, rg(None, None, 2)))], np.roll(np.flip(xrf, 0)[:, ::2], -1, axis=1), {"shift": -1, "axes": 1})
case("view.roll.empty-axis", "roll", [T(np.zeros((2, 0), np.float32))], np.zeros((2, 0), np.float32), {"shift": 3, "axes": 1})
xrb = rnd("bool", (5,))
case("view.roll.bool", "roll", [T(xrb)], np.roll(xrb, 2), {"shift": 2})
for a, b in [(0, 2), (-1, 0), (1, 1)]:
    case(f"view.swapaxes.{a},{b}", "swapaxes", [T(xr3)], np.swapaxes(xr3, a, b), {"axes": [a, b]})
for src, dst in [(0, -1), ([0, 1], [-1, -2]), ([2, 0], [0, 1]), (1, 1), ([], [])]:
    case(f"view.moveaxis.{src}->{dst}", "moveaxis", [T(xr3, fl(1))], np.moveaxis(np.flip(xr3, 1), src, dst), {"source": src, "destination": dst})

# --- einsum --------------------------------------------------------------------


def ref_einsum(spec, *xs):
    d = xs[0].dtype
    name = dname(xs[0])
    for x in xs[1:]:
        name = promote(name, dname(x))
    if name in ("bool", "uint8"):
        name = "int32"
    out = np.einsum(spec, *[x.astype(np.float64) for x in xs])
    if name == "int32":
        note_int(np.abs(np.einsum(spec, *[np.abs(x.astype(np.float64)) for x in xs])).max(initial=0))
        return np.asarray(out).astype(np.int64).astype(np.int32)
    return np.asarray(out).astype(NP[name])


def es_scale(spec, *xs):
    return max(1.0, float(np.max(np.abs(np.einsum(spec, *[np.abs(x.astype(np.float64)) for x in xs])), initial=0)))


EINSUM_CASES = [
    ("matmul", "ij,jk->ik", [(3, 4), (4, 5)]),
    ("matmul.implicit", "ij,jk", [(3, 4), (4, 5)]),
    ("implicit.transpose", "ba", [(2, 3)]),
    ("implicit.case-order", "bA", [(2, 3)]),
    ("transpose", "ij->ji", [(2, 3)]),
    ("sum", "ij->", [(2, 3)]),
    ("sum-axis", "ij->j", [(2, 3)]),
    ("trace", "ii", [(4, 4)]),
    ("diagonal", "ii->i", [(4, 4)]),
    ("diagonal3", "iii->i", [(3, 3, 3)]),
    ("diagonal-batch", "iij->ji", [(3, 3, 2)]),
    ("two-diagonals", "iijj->ij", [(2, 2, 3, 3)]),
    ("outer", "i,j->ij", [(3,), (4,)]),
    ("inner", "i,i", [(5,), (5,)]),
    ("elementwise", "ij,ij->ij", [(2, 3), (2, 3)]),
    ("batched-attention", "bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("batched-values", "bhqk,bhkd->bqhd", [(2, 3, 4, 6), (2, 3, 6, 5)]),
    ("three-operands", "ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("three-shared", "i,i,i->", [(4,), (4,), (4,)]),
    ("three-outer-then-contract", "i,j,ij->", [(3,), (4,), (3, 4)]),
    ("bilinear", "bi,ij,bj->b", [(4, 3), (3, 5), (4, 5)]),
    ("ellipsis.matmul", "...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("ellipsis.implicit", "...ij,...jk", [(2, 3, 4), (4, 5)]),
    ("ellipsis.middle", "i...j->j...i", [(2, 3, 4, 5)]),
    ("ellipsis.sum", "...i->...", [(2, 3, 4)]),
    ("ellipsis.empty", "i...,i...->i", [(3,), (3,)]),
    ("ellipsis.broadcast", "...,...", [(3,), (2, 1)]),
    ("broadcast-label", "i,i", [(1,), (3,)]),
    ("broadcast-contracted", "ij,jk->ik", [(2, 1), (3, 4)]),
    ("broadcast-batch", "bij,bjk->bik", [(1, 2, 3), (4, 3, 2)]),
    ("scalar-operand", ",i->i", [(), (3,)]),
    ("rank0", "", [()]),
    ("spaces", " ij , jk -> ik ", [(2, 3), (3, 2)]),
    ("empty-contraction", "ij,jk->ik", [(2, 0), (0, 3)]),
    ("empty-output", "ij,jk->ik", [(0, 3), (3, 2)]),
]
for name, spec, shapes in EINSUM_CASES:
    xs = [rnd("float32", sh) for sh in shapes]
    case(f"einsum.{name}", "einsum", [T(x) for x in xs], ref_einsum(spec, *xs), {"subscripts": spec}, scale=es_scale(spec, *xs))
xe64 = [rnd("float64", (3, 4)), rnd("float64", (4,))]
case("einsum.float64.matvec", "einsum", [T(x) for x in xe64], ref_einsum("ij,j->i", *xe64), {"subscripts": "ij,j->i"}, scale=es_scale("ij,j->i", *xe64))
xei = [rnd("int32", (3, 4), -5, 6), rnd("uint8", (4, 2), 0, 5)]
case("einsum.int32+uint8", "einsum", [T(x) for x in xei], ref_einsum("ij,jk->ik", *xei), {"subscripts": "ij,jk->ik"})
xeb = [rnd("bool", (3, 4)), rnd("bool", (4,))]
case("einsum.bool-to-int32", "einsum", [T(x) for x in xeb], ref_einsum("ij,j->i", *xeb), {"subscripts": "ij,j->i"})
case("einsum.bool-transpose", "einsum", [T(xeb[0])], ref_einsum("ij->ji", xeb[0]), {"subscripts": "ij->ji"})
xem = [rnd("int32", (2, 3)), rnd("float32", (3,))]
case("einsum.promote.int32+float32", "einsum", [T(x) for x in xem], ref_einsum("ij,j->i", *xem), {"subscripts": "ij,j->i"}, scale=es_scale("ij,j->i", *xem))
xv = rnd("float32", (4, 3))
xw = rnd("float32", (5, 4))
case("einsum.views", "einsum", [T(xv, tr(1, 0)), T(xw, fl(0), tr(1, 0))], ref_einsum("ij,jk->ik", xv.T, np.flip(xw, 0).T),
     {"subscripts": "ij,jk->ik"}, scale=es_scale("ij,jk->ik", xv.T, np.flip(xw, 0).T))
xd = rnd("float32", (4, 4))
case("einsum.trace.of-transposed", "einsum", [T(xd, tr(1, 0))], ref_einsum("ii", xd.T), {"subscripts": "ii"}, scale=es_scale("ii", xd))




def host_permutation(key, n):
    """Fisher-Yates from the last position down, on the 32-bit words of threefry2x32(key, [b, 0]) in order, by rejection."""
    perm = list(range(n))
    words = []
    block = 0
    for i in range(n - 1, 0, -1):
        m = i + 1
        limit = 2**32 - (2**32 % m)
        while True:
            if not words:
                words.extend(threefry2x32(key, (block, 0)))
                block += 1
            w = words.pop(0)
            if w < limit:
                break
        j = w % m
        perm[i], perm[j] = perm[j], perm[i]
    return np.array(perm, np.int32)


for seed, n in [(7, 10), (123, 1), (5, 0), (2**32 + 9, 33)]:
    RANDOM_CASES.append(dict(id=f"random.permutation.seed={seed}.n={n}", kind="permutation", seed=seed, dtype="int32", shape=[n], n=n,
                             expected=host_permutation(seed_key(seed), n)))
for seed, shape, d, axis in [(3, (5, 3), "float32", 0), (4, (2, 6), "int32", 1), (8, (4,), "bool", -1)]:
    x = rnd(d, shape)
    perm = host_permutation(seed_key(seed), shape[axis])
    RANDOM_CASES.append(dict(id=f"random.shuffle.seed={seed}.{d}.axis={axis}", kind="shuffle", seed=seed, dtype=d, shape=list(shape), input=x,
                             axis=axis, expected=np.take(x, perm, axis=axis)))


def ref_categorical(key, logits, axis, shape):
    """argmax(logits + g) with g = -log(-log(u + half a bin)) for u the uniform stream of `key` in the logits' float dtype, g rounded to it."""
    d = dname(logits) if is_float(dname(logits)) else "float32"
    batch = [n for i, n in enumerate(logits.shape) if i != axis % logits.ndim]
    lead = len(shape) - len(batch)
    ax = axis % logits.ndim
    noise_shape = list(shape[:lead + ax]) + [logits.shape[ax]] + list(shape[lead + ax:])
    size = int(np.prod(noise_shape, dtype=np.int64))
    u = uniform_stream(key, size, d).astype(np.float64)
    half = 2.0**-25 if d == "float32" else 2.0**-54
    g = np.array([-math.log(-math.log(v + half)) for v in u], np.float64).astype(NP[d]).reshape(noise_shape)
    total = g + cast(logits, d).reshape([1] * lead + list(logits.shape))
    return np.argmax(total, axis=lead + ax).astype(np.int32)


for seed, logits, axis, shape in [
    (1, rnd("float32", (4, 5)), -1, [4]),
    (2, rnd("float64", (3, 5)), 0, [2, 5]),
    (3, arr([[0.0, -math.inf, 1.0, -math.inf, 0.5, 2.0], [-math.inf, -math.inf, -math.inf, 3.0, -math.inf, -math.inf]], "float32"), 1, [6, 2]),
    (4, rnd("int32", (2, 3), -2, 3), -1, [2]),
    (5, rnd("float32", (1, 4)), 1, [2, 3]),
]:
    RANDOM_CASES.append(dict(id=f"random.categorical.seed={seed}.{dname(logits)}.axis={axis}", kind="categorical", seed=seed, dtype="int32", shape=shape,
                             input=logits, axis=axis, expected=ref_categorical(seed_key(seed), logits, axis, shape)))

# ---------------------------------------------------------------------------
# Emit

def fmt(v, d: str) -> str:
    if d == "bool":
        return "1" if bool(v) else "0"
    if d in ("int32", "uint8"):
        return str(int(v))
    f = float(v)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    if d == "float32":
        s = str(np.float32(f))
        if np.float32(float(s)) != np.float32(f):  # decimal -> double -> float32 must round-trip
            s = repr(f)
    else:
        s = repr(f)
        assert float(s) == f
    if s.endswith(".0"):
        s = s[:-2]
    if "e" in s:
        m, e = s.split("e")
        if m.endswith(".0"):
            m = m[:-2]
        s = f"{m}e{int(e)}"
    return s


def js(v) -> str:
    """A JS literal for plain params (numbers, lists, dicts, None)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, float):
        return fmt(v, "float64")
    if isinstance(v, str):
        return '"' + v + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(js(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(f"{k}:{js(e)}" for k, e in v.items()) + "}"
    raise TypeError(type(v))


def emit_array(x) -> str:
    x = np.asarray(x)
    d = dname(x)
    data = ",".join(fmt(v, d) for v in x.reshape(-1))
    return f't("{d}",{js(list(x.shape))},[{data}])'


def emit_arg(a: Arg) -> str:
    view = f",view:{js(a.view)}" if a.view else ""
    if a.kind == "t":
        return f"{{t:{emit_array(a.value)}{view}}}"
    if a.kind == "ramp":
        return f"{{ramp:{js(a.ramp)}{view}}}"
    if a.kind == "scalar":
        return f"{{scalar:{js(a.value)}}}"
    return f"{{list:[{','.join(emit_arg(e) for e in a.items)}]}}"


def main():
    lines = [
        "// Generated by scripts/gen-conformance-vectors.py with numpy " + np.__version__ + ". Do not edit by hand.",
        "/* eslint-disable */",
        'import type { DType } from "../dtype.js";',
        'import type { HostVec, RandomCase, VectorArg, VectorCase, VectorOp, VectorParams } from "./types.js";',
        "",
        "const t = (dtype: DType, shape: readonly number[], data: readonly number[]): HostVec => ({ dtype, shape, data });",
        "const c = (id: string, op: VectorOp, args: readonly VectorArg[], expected: HostVec | readonly HostVec[], params?: VectorParams, scale?: number, intMagnitude?: number): VectorCase => ({",
        "  id, op, args, expected, ...(params === undefined ? {} : { params }), ...(scale === undefined ? {} : { scale }), ...(intMagnitude === undefined ? {} : { intMagnitude }),",
        "});",
        "",
        "/** Every vector case: an op of the public API, its arguments, and the result computed independently with numpy. */",
        "export const VECTORS: readonly VectorCase[] = [",
    ]
    for c in CASES:
        exp = c["expected"]
        exps = "[" + ",".join(emit_array(e) for e in exp) + "]" if isinstance(exp, list) else emit_array(exp)
        parts = [f'"{c["id"]}"', f'"{c["op"]}"', "[" + ",".join(emit_arg(a) for a in c["args"]) + "]", exps]
        tail = [js(c["params"]) if c["params"] else "undefined",
                fmt(c["scale"], "float64") if c["scale"] is not None else "undefined",
                str(c["int_magnitude"]) if c["int_magnitude"] is not None else "undefined"]
        while tail and tail[-1] == "undefined":
            tail.pop()
        parts.extend(tail)
        lines.append("  c(" + ",".join(parts) + "),")
    lines.append("];")
    lines.append("")
    lines.append("/** `nx.random` draws: the threefry2x32 stream of `backend.ts` (and JAX's `split`), and the samplers built on it, computed by an independent implementation. */")
    lines.append("export const RANDOM_VECTORS: readonly RandomCase[] = [")
    for r in RANDOM_CASES:
        parts = [f'id:"{r["id"]}"', f'kind:"{r["kind"]}"', f'seed:{r["seed"]}', f'dtype:"{r["dtype"]}"', f'shape:{js(r["shape"])}']
        for k in ("minval", "maxval", "p", "scale"):
            if k in r:
                parts.append(f"{k}:{js(float(r[k]))}")
        for k in ("axis", "n"):
            if k in r:
                parts.append(f"{k}:{js(int(r[k]))}")
        if "input" in r:
            parts.append(f"input:{emit_array(r['input'])}")
        parts.append(f"expected:{emit_array(r['expected'])}")
        lines.append("  {" + ",".join(parts) + "},")
    lines.append("];")
    lines.append("")
    text = "\n".join(lines)
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {len(CASES)} cases, {len(RANDOM_CASES)} random cases, {len(text) / 1e6:.2f} MB to {os.path.relpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
