/**
 * `einsum`: numpy's Einstein summation, composed from differentiable
 * primitives. Each operand first loses its repeated labels (diagonals, taken
 * as a strided slice of the flattened pair of axes) and the labels no other
 * operand or the output uses (summed); the operands are then contracted left
 * to right, each pair as one batched `matmul` (shared labels the result
 * still needs are batch axes, the others the inner dimension), and the
 * result is transposed into the output's order.
 */
import { checkFits } from "../capacity.js";
import type { DType } from "../dtype.js";
import { promoteTypes } from "../dtype.js";
import { InvalidArgumentError, fmtShape, fmtValue } from "../errors.js";
import { bind } from "../primitives.js";
import { runOp } from "../scope.js";
import { checkRank, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { matmul } from "./linalg.js";
import { castTo, checkSameBackend, checkTensor, expandTo } from "./operands.js";
import { sum } from "./reduction.js";

/**
 * A label: a letter's character code, or `-1 - j` for axis `j` of the
 * broadcast ellipsis (counted from its left end).
 */
type Label = number;

/** One term of the spec: its letters, and where `...` stands among them (-1 when absent). */
interface Term {
  readonly letters: readonly number[];
  readonly ellipsisAt: number;
}

/** The most operands one call takes (each is a tensor: this only bounds the message text and the planning). */
const MAX_OPERANDS = 64;

const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const labelName = (l: Label): string => (l >= 0 ? String.fromCharCode(l) : "...");

function parseTerm(fn: string, text: string, what: string): Term {
  const letters: number[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (text.slice(i, i + 3) !== "...") throw new InvalidArgumentError(fn, `${what} contains a '.' that is not part of an ellipsis '...'`);
      if (ellipsisAt >= 0) throw new InvalidArgumentError(fn, `${what} contains more than one ellipsis '...'`);
      ellipsisAt = letters.length;
      i += 2;
    } else if (isLetter(c)) letters.push(c);
    else throw new InvalidArgumentError(fn, `invalid subscript ${fmtValue(text[i])} in ${what}; subscripts are letters a-z, A-Z and '...'`);
  }
  return { letters, ellipsisAt };
}

/** The labels of one operand's axes, its ellipsis expanded into the last `rank - letters` of `ellipsisRank` broadcast labels. */
function axisLabels(term: Term, rank: number, ellipsisRank: number): Label[] {
  if (term.ellipsisAt < 0) return [...term.letters];
  const e = rank - term.letters.length;
  const dots = Array.from({ length: e }, (_, j) => -1 - (ellipsisRank - e + j));
  return [...term.letters.slice(0, term.ellipsisAt), ...dots, ...term.letters.slice(term.ellipsisAt)];
}

/** A planned operand: a tensor and the label of each of its axes. */
interface Labelled {
  readonly t: Tensor;
  readonly labels: readonly Label[];
}

/** The checked spec: per-operand axis labels, the output labels, and every label's (broadcast) size. */
interface Plan {
  readonly inputs: readonly Label[][];
  readonly output: readonly Label[];
  readonly sizes: ReadonlyMap<Label, number>;
}

function plan(fn: string, spec: string, xs: readonly Tensor[]): Plan {
  const text = spec.replace(/\s+/g, "");
  const arrow = text.indexOf("->");
  if (arrow >= 0 && text.indexOf("->", arrow + 2) >= 0) throw new InvalidArgumentError(fn, `spec ${fmtValue(spec)} has more than one '->'`);
  const lhs = arrow >= 0 ? text.slice(0, arrow) : text;
  const parts = lhs.split(",");
  if (parts.length !== xs.length) throw new InvalidArgumentError(fn, `spec ${fmtValue(spec)} has ${parts.length} input terms for ${xs.length} operands`);
  const terms = parts.map((p, i) => parseTerm(fn, p, `the term of operand ${i}`));
  let ellipsisRank = 0;
  terms.forEach((t, i) => {
    const rank = (xs[i] as Tensor).ndim;
    if (t.ellipsisAt < 0 && t.letters.length !== rank) {
      throw new InvalidArgumentError(fn, `operand ${i} has shape ${fmtShape((xs[i] as Tensor).shape)} but its term ${fmtValue(parts[i])} names ${t.letters.length} axes (and no '...')`);
    }
    if (t.letters.length > rank) throw new InvalidArgumentError(fn, `operand ${i} has shape ${fmtShape((xs[i] as Tensor).shape)} but its term ${fmtValue(parts[i])} names ${t.letters.length} axes`);
    ellipsisRank = Math.max(ellipsisRank, rank - t.letters.length);
  });
  const inputs = terms.map((t, i) => axisLabels(t, (xs[i] as Tensor).ndim, t.ellipsisAt < 0 ? 0 : ellipsisRank));
  const dots = Array.from({ length: ellipsisRank }, (_, j) => -1 - j);
  // Sizes: every use of a label agrees (or is 1 and broadcasts); a label repeated in one operand must agree exactly.
  const sizes = new Map<Label, number>();
  inputs.forEach((labels, i) => {
    const shape = (xs[i] as Tensor).shape;
    const own = new Map<Label, number>();
    labels.forEach((l, a) => {
      const d = shape[a] as number;
      const mine = own.get(l);
      if (mine !== undefined && mine !== d) {
        throw new InvalidArgumentError(fn, `operand ${i} (shape ${fmtShape(shape)}) repeats the subscript '${labelName(l)}' on axes of sizes ${mine} and ${d}`);
      }
      own.set(l, d);
    });
    for (const [l, d] of own) {
      const seen = sizes.get(l);
      if (seen === undefined || seen === 1) sizes.set(l, d);
      else if (d !== 1 && d !== seen) {
        const where = l >= 0 ? `subscript '${labelName(l)}'` : "the '...' axes";
        throw new InvalidArgumentError(fn, `${where} has sizes ${seen} and ${d} in different operands (shapes ${xs.map((x) => fmtShape(x.shape)).slice(0, 6).join(", ")})`);
      }
    }
  });
  let output: Label[];
  if (arrow >= 0) {
    const out = parseTerm(fn, text.slice(arrow + 2), "the output term");
    const seen = new Set<number>();
    for (const c of out.letters) {
      if (seen.has(c)) throw new InvalidArgumentError(fn, `the output term repeats the subscript '${String.fromCharCode(c)}'`);
      if (!sizes.has(c)) throw new InvalidArgumentError(fn, `the output subscript '${String.fromCharCode(c)}' appears in no input term`);
      seen.add(c);
    }
    if (out.ellipsisAt < 0 && ellipsisRank > 0) throw new InvalidArgumentError(fn, `the operands have ${ellipsisRank} '...' axes but the output term has no '...'`);
    output = out.ellipsisAt < 0 ? [...out.letters] : [...out.letters.slice(0, out.ellipsisAt), ...dots, ...out.letters.slice(out.ellipsisAt)];
  } else {
    // Implicit output: the '...' axes, then the letters used exactly once, in alphabetical (character code) order.
    const count = new Map<number, number>();
    for (const t of terms) for (const c of t.letters) count.set(c, (count.get(c) ?? 0) + 1);
    output = [...dots, ...[...count].filter(([, n]) => n === 1).map(([c]) => c).sort((a, b) => a - b)];
  }
  checkRank(fn, output.length);
  return { inputs, output, sizes };
}

/** `permuted(op, order)` is `op` with its axes in the label order `order` (a view). */
function permuted(op: Labelled, order: readonly Label[]): Labelled {
  const perm = order.map((l) => op.labels.indexOf(l));
  return perm.every((p, i) => p === i) ? op : { t: bind("transpose", [op.t], { perm }), labels: [...order] };
}

/** `diagonals(op)` takes the diagonal of every label `op` repeats, leaving one axis per label. */
function diagonals(op: Labelled): Labelled {
  let cur = op;
  for (;;) {
    const l = cur.labels.find((v, i) => cur.labels.indexOf(v) !== i);
    if (l === undefined) return cur;
    const { t, labels } = cur;
    const rest = labels.flatMap((v, i) => (v === l ? [] : [i]));
    const same = labels.flatMap((v, i) => (v === l ? [i] : []));
    const n = t.shape[same[0] as number] as number;
    const lead = rest.map((i) => t.shape[i] as number);
    const span = n ** same.length;
    // The axes of `l` side by side and flattened: the diagonal is every (n^k - 1)/(n - 1)-th element from 0.
    const flat = bind("reshape", [bind("transpose", [t], { perm: [...rest, ...same] })], { shape: [...lead, span] });
    const step = n <= 1 ? 1 : (span - 1) / (n - 1);
    const diag = bind("slice", [flat], { starts: [...lead.map(() => 0), 0], steps: [...lead.map(() => 1), step], shape: [...lead, n] });
    cur = { t: diag, labels: [...rest.map((i) => labels[i] as Label), l] };
  }
}

/** `sumOut(op, drop)` sums `op` over the axes labelled in `drop`. */
function sumOut(op: Labelled, drop: ReadonlySet<Label>): Labelled {
  const axes = op.labels.flatMap((l, i) => (drop.has(l) ? [i] : []));
  if (axes.length === 0) return op;
  return { t: sum(op.t, { axes }), labels: op.labels.filter((l) => !drop.has(l)) };
}

/**
 * `contract(a, b, needed)` is the product of `a` and `b` summed over their
 * shared labels not in `needed`, as one batched matmul: labels `[batch,
 * aOnly, bOnly]`.
 */
function contract(a0: Labelled, b0: Labelled, needed: ReadonlySet<Label>): Labelled {
  let a = a0;
  let b = b0;
  const inB = new Set(b.labels);
  const shared = a.labels.filter((l) => inB.has(l));
  // A summed label of size 1 on one side broadcasts: sum the other side over it on its own.
  const sizeIn = (op: Labelled, l: Label): number => op.t.shape[op.labels.indexOf(l)] as number;
  const lone = shared.filter((l) => !needed.has(l) && sizeIn(a, l) !== sizeIn(b, l));
  if (lone.length > 0) {
    a = sumOut(a, new Set(lone));
    b = sumOut(b, new Set(lone));
  }
  const batch = shared.filter((l) => needed.has(l));
  const inner = shared.filter((l) => !needed.has(l) && !lone.includes(l));
  const aOnly = a.labels.filter((l) => !shared.includes(l));
  const bOnly = b.labels.filter((l) => !shared.includes(l));
  const ap = permuted(a, [...batch, ...aOnly, ...inner]);
  const bp = permuted(b, [...batch, ...inner, ...bOnly]);
  const dims = (op: Labelled, ls: readonly Label[]): number[] => ls.map((l) => op.t.shape[op.labels.indexOf(l)] as number);
  const m = sizeOf(dims(ap, aOnly));
  const k = sizeOf(dims(ap, inner));
  const n = sizeOf(dims(bp, bOnly));
  const am = bind("reshape", [ap.t], { shape: [...dims(ap, batch), m, k] });
  const bm = bind("reshape", [bp.t], { shape: [...dims(bp, batch), k, n] });
  const product = matmul(am, bm);
  const batchShape = product.shape.slice(0, batch.length);
  return { t: bind("reshape", [product], { shape: [...batchShape, ...dims(ap, aOnly), ...dims(bp, bOnly)] }), labels: [...batch, ...aOnly, ...bOnly] };
}

/**
 * `einsum(spec, ...operands)` is numpy's `einsum`: the Einstein summation
 * `spec` over the operands, such as `"ij,jk->ik"` (a matrix product),
 * `"bhqd,bhkd->bhqk"` (batched attention scores), `"ii"` (a trace),
 * `"ii->i"` (a diagonal) or `"i,j->ij"` (an outer product).
 *
 * The spec has one comma-separated term per operand, each naming its axes by
 * letters (`a-z`, `A-Z`; spaces are ignored) with at most one `...` standing
 * for any number of leading, middle or trailing axes, which broadcast across
 * operands as numpy's broadcasting does. After `->` comes the output: its
 * letters (each once, each used by some input) and `...` (required when the
 * `...` axes are not empty). Without `->`, the output is the `...` axes
 * followed by the letters used exactly once, in alphabetical order
 * (upper case before lower case). A letter repeated within one operand takes
 * that operand's diagonal; a letter absent from the output is summed over.
 * Sizes of one letter must agree across operands, or be 1 (broadcast).
 *
 * The result has the promoted dtype of the operands (bool and uint8 compute
 * as int32, as `matmul` and `sum` do). It is computed with transposes, views,
 * sums and one batched `matmul` per operand after the first (never as a
 * broadcast product summed afterwards), and is differentiable.
 * @throws InvalidArgumentError when `spec` is not a string or is malformed
 * (an invalid character, a stray '.', two ellipses or two '->', a term per
 * operand missing, an output letter repeated or used by no input, a missing
 * '...' in the output), a term names more or fewer axes than its operand
 * has, a letter's sizes disagree, no operand is given or one is not a live
 * tensor, the operands live on different backends, or the result has more
 * than 64 axes or more elements than the backend holds.
 */
export function einsum(spec: string, ...operands: Tensor[]): Tensor {
  const fn = "nx.einsum";
  return runOp(fn, () => {
    if (typeof spec !== "string") throw new InvalidArgumentError(fn, `spec must be a string such as "ij,jk->ik", got ${fmtValue(spec)}`);
    if (operands.length === 0) throw new InvalidArgumentError(fn, "expected at least one operand");
    if (operands.length > MAX_OPERANDS) throw new InvalidArgumentError(fn, `expected at most ${MAX_OPERANDS} operands, got ${operands.length}`);
    operands.forEach((t, i) => checkTensor(fn, t, `operand ${i}`));
    checkSameBackend(fn, operands);
    const { inputs, output, sizes } = plan(fn, spec, operands);
    let dtype: DType = operands.reduce<DType>((d, t) => promoteTypes(d, t.dtype), (operands[0] as Tensor).dtype);
    if (dtype === "bool" || dtype === "uint8") dtype = "int32";
    const outShape = output.map((l) => sizes.get(l) as number);
    checkFits(fn, (operands[0] as Tensor).backend, outShape, dtype);
    // Each operand: cast, diagonals, then the sums no one else needs.
    const ops = operands.map((t, i) => diagonals({ t: castTo(t, dtype), labels: inputs[i] as Label[] }));
    const uses = (l: Label, except: number): boolean => output.includes(l) || ops.some((op, j) => j !== except && op.labels.includes(l));
    let acc = sumOut(ops[0] as Labelled, new Set((ops[0] as Labelled).labels.filter((l) => !uses(l, 0))));
    for (let i = 1; i < ops.length; i++) {
      const op = sumOut(ops[i] as Labelled, new Set((ops[i] as Labelled).labels.filter((l) => !uses(l, i))));
      const needed = new Set<Label>([...output, ...ops.slice(i + 1).flatMap((o) => o.labels)]);
      acc = contract(acc, op, needed);
    }
    const { t } = permuted(acc, output);
    // The result is never an operand itself (a view of it at least), and has the output's broadcast sizes.
    return expandTo(t === operands[0] ? bind("reshape", [t], { shape: t.shape }) : t, outShape);
  });
}
