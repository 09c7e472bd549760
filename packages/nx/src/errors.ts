/**
 * `InvalidArgumentError` is thrown by every raven-ts function that rejects its
 * arguments. Its message starts with the function's qualified name
 * (`"nx.matmul: inner dimensions differ: [2,3] @ [4,5]"`) and names the
 * offending values. `name` is `"InvalidArgumentError"`, so it survives
 * bundling and structured cloning where `instanceof` does not.
 */
export class InvalidArgumentError extends Error {
  override readonly name = "InvalidArgumentError";

  /** `new InvalidArgumentError(fn, detail)` has the message `` `${fn}: ${detail}` ``. */
  constructor(fn: string, detail: string) {
    super(`${fn}: ${detail}`);
  }
}

/** The most characters an error message quotes of one user value ({@link fmtValue}, {@link fmtShape}). */
export const MAX_QUOTED_CHARS = 160;

/** Sizes a long shape shows at its start and its end. */
const SHAPE_HEAD = 8;
const SHAPE_TAIL = 2;

function clip(text: string): string {
  return text.length <= MAX_QUOTED_CHARS ? text : `${text.slice(0, MAX_QUOTED_CHARS - 1)}…`;
}

/**
 * `fmtShape(shape)` is the shape as `[2,3]`, the notation every error message
 * uses. A shape of more than 10 axes shows its first 8 and last 2 sizes around
 * the count of the others (`[1,1,1,1,1,1,1,1,...(990 more),1,1]`), and the
 * text never exceeds {@link MAX_QUOTED_CHARS} characters, so a message quoting a
 * user's shape stays short whatever the shape (a value that is not an array
 * is described as {@link fmtValue} describes it).
 */
export function fmtShape(shape: readonly number[]): string {
  if (!Array.isArray(shape)) return fmtValue(shape);
  const item = (d: unknown): string => (typeof d === "number" ? String(d) : fmtValue(d));
  if (shape.length <= SHAPE_HEAD + SHAPE_TAIL) return clip(`[${shape.map(item).join(",")}]`);
  const head = shape.slice(0, SHAPE_HEAD).map(item);
  const tail = shape.slice(shape.length - SHAPE_TAIL).map(item);
  return clip(`[${head.join(",")},...(${shape.length - SHAPE_HEAD - SHAPE_TAIL} more),${tail.join(",")}]`);
}

/** Elements an array shows before it is described by its length instead. */
const ARRAY_ITEMS = 8;
/** Characters a string shows. */
const STRING_CHARS = 40;

/** The class name of an object, when it is a plain identifier (a user-chosen `constructor.name` is never quoted as is). */
function className(v: object): string | undefined {
  let name: unknown;
  try {
    name = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  } catch {
    return undefined;
  }
  return typeof name === "string" && /^[A-Za-z_$][\w$]{0,39}$/.test(name) ? name : undefined;
}

function describe(v: unknown, depth: number): string {
  switch (typeof v) {
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "bigint":
      return `${v}n`;
    case "boolean":
      return String(v);
    case "string":
      return JSON.stringify(v.length > STRING_CHARS ? `${v.slice(0, STRING_CHARS)}…` : v);
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
  }
  if (v === null) return "null";
  if (Array.isArray(v)) {
    if (depth === 0 || v.length > ARRAY_ITEMS) return `an array of length ${v.length}`;
    const items: string[] = [];
    for (let i = 0; i < v.length; i++) items.push(describe((v as unknown[])[i], depth - 1));
    return `[${items.join(", ")}]`;
  }
  const name = className(v as object);
  if (ArrayBuffer.isView(v)) return `a ${name ?? "typed array"} of ${(v as unknown as { length?: number }).length ?? v.byteLength} elements`;
  if (name === undefined) return "an object";
  return name === "Object" ? "an object" : `a ${name}`;
}

/**
 * `fmtValue(v)` is a short description of any value for an error message:
 * numbers, booleans and bigints as written, strings quoted (the first 40
 * characters), arrays of up to 8 elements by their elements (two levels
 * deep) and longer ones by their length, other objects by their class
 * (`a Tensor`, `an object`). It never exceeds {@link MAX_QUOTED_CHARS}
 * characters, never throws, and costs the same whatever the size of `v`.
 */
export function fmtValue(v: unknown): string {
  return clip(describe(v, 2));
}
