import * as nx from "@raven-ts/nx";
import { expectInvalidArgument } from "@raven-ts/nx/testing";
import { describe, expect, test } from "vitest";
import { Context } from "../src/index.js";

describe("Context", () => {
  const mask = nx.tensor([[true, false]]);
  const ids = nx.tensor([[1, 2]], { dtype: "int32" });
  const f = nx.tensor([0.5], { dtype: "float64" });

  test("empty, set, find: immutable", () => {
    expect(Context.empty.size).toBe(0);
    const a = Context.empty.set("attention_mask", mask);
    const b = a.set("ids", ids);
    expect(Context.empty.find("attention_mask")).toBeUndefined();
    expect(a.find("attention_mask")).toBe(mask);
    expect(a.find("ids")).toBeUndefined();
    expect(b.find("ids")).toBe(ids);
    expect(b.names()).toEqual(["attention_mask", "ids"]);
    expect(b.has("ids")).toBe(true);
    const c = b.set("ids", mask);
    expect(c.find("ids")).toBe(mask);
    expect(b.find("ids")).toBe(ids);
    expect(Object.isFrozen(a)).toBe(true);
    expect(c.toString()).toBe("Context{attention_mask: bool [1,2], ids: bool [1,2]}");
  });

  test("typed getters", () => {
    const ctx = Context.empty.set("m", mask).set("i", ids).set("f", f);
    expect(ctx.getBool("m")).toBe(mask);
    expect(ctx.getInt32("i")).toBe(ids);
    expect(ctx.getFloat("f")).toBe(f);
    expect(ctx.getFloat("f", "float64")).toBe(f);
  });

  test("typed getters name the key and the dtype found", () => {
    const ctx = Context.empty.set("attention_mask", ids).set("f", f);
    expect(() => ctx.getBool("attention_mask")).toThrow('kaun.Context.getBool: key "attention_mask" holds a int32 tensor [1,2], expected bool');
    expect(() => ctx.getInt32("f")).toThrow('kaun.Context.getInt32: key "f" holds a float64 tensor [1], expected int32');
    expect(() => ctx.getFloat("attention_mask")).toThrow('kaun.Context.getFloat: key "attention_mask" holds a int32 tensor [1,2], expected float32 or float64');
    expect(() => ctx.getFloat("f", "float32")).toThrow(/holds a float64 tensor \[1\], expected float32/);
    expect(() => ctx.getBool("nope")).toThrow('kaun.Context.getBool: no tensor under key "nope" (bound keys: "attention_mask", "f")');
    expect(() => Context.empty.getInt32("x")).toThrow("(bound keys: none)");
    expectInvalidArgument(() => ctx.getBool("f"), "kaun.Context.getBool");
  });

  test("set validates its arguments", () => {
    expect(() => Context.empty.set("", mask)).toThrow(/name must be a non-empty string/);
    expect(() => Context.empty.set("x", [1] as unknown as nx.Tensor)).toThrow(/the value for "x" must be a Tensor, got \[1\]/);
  });
});
