// nx + rune: first and second derivatives.
import { pow, scalar } from "@raven-ts/nx";
import { grad } from "@raven-ts/rune";

export function run() {
  const cube = (t) => pow(t, 3);
  return { first: grad(cube)(scalar(2)).item(), second: grad(grad(cube))(scalar(2)).item() };
}
