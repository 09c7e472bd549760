// The launcher opens a page in headless Chromium with the expected flags and
// removes its profile on close. Skipped without Chromium, except in CI.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { CHROMIUM_ARGS, browserTestsRun, launchChromium } from "../src/index.js";

test("launches headless Chromium with a fresh profile and deletes it on close", { skip: !browserTestsRun() }, async () => {
  const { context, profile, close } = await launchChromium({ viewport: { width: 640, height: 480 } });
  try {
    assert.ok(existsSync(profile));
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto("data:text/html,<title>ok</title>");
    assert.equal(await page.title(), "ok");
    assert.deepEqual(await page.evaluate(() => [innerWidth, innerHeight]), [640, 480]);
    assert.match(await page.evaluate(() => navigator.userAgent), /HeadlessChrome|Chrome/);
  } finally {
    await close();
  }
  assert.equal(existsSync(profile), false);
  assert.ok(CHROMIUM_ARGS.includes("--no-sandbox"));
});
