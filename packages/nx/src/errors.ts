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

/** `fmtShape(shape)` is the shape as `[2,3]`, the notation every error message uses. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
