/**
 * Stands in for `vitest` inside the browser bundle: `@raven-ts/nx/testing`
 * and `@raven-ts/rune/testing` import it for their `describe*` helpers,
 * which the page never calls (it runs cases directly).
 */
function unavailable(): never {
  throw new Error("vitest is not available in the browser test page");
}

export const describe = unavailable;
export const it = unavailable;
export const test = unavailable;
export const expect = unavailable;
export const beforeAll = unavailable;
export const afterAll = unavailable;
export const beforeEach = unavailable;
export const afterEach = unavailable;
