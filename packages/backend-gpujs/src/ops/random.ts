/**
 * `randomUniform` as a kernel: threefry2x32-20 evaluated per element with
 * every 32-bit word held as two 16-bit halves in float32 (exact: every
 * intermediate stays below 2^17, shifts are multiplications and floors by
 * powers of two, XOR goes through gpu.js's integer `^` on values below
 * 2^16). So the stream is bit-identical to nx's reference on every mode, GL
 * included.
 */
import type { KernelSpec } from "../codegen/kernel.js";
import { lit } from "../codegen/strided.js";
import type { KernelRunner } from "../runner.js";
import type { DeviceBuffer } from "../storage.js";

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;
const PARITY = 0x1bd11bda;

/** A 32-bit word as kernel variables `${name}h` (high 16 bits) and `${name}l` (low). */
type Word = string;

/** Statements adding words `a` and `b` (or a constant) into `dst` (mod 2^32). */
function addCode(dst: Word, a: Word, b: Word): string {
  return (
    `${dst}l = ${a}l + ${b}l;\n` +
    `cy = Math.floor(${dst}l / 65536.0);\n` +
    `${dst}l = ${dst}l - cy * 65536.0;\n` +
    `${dst}h = ${a}h + ${b}h + cy;\n` +
    `${dst}h = ${dst}h - Math.floor(${dst}h / 65536.0) * 65536.0;\n`
  );
}

/**
 * Statements rotating word `w` left by `r` bits (0 < r < 32), in place. Every
 * intermediate stays below 2^17: GL compilers may reassociate float sums, which
 * is only exact while partial sums stay below 2^24.
 */
function rotlCode(w: Word, r: number): string {
  let hi = `${w}h`;
  let lo = `${w}l`;
  let s = r;
  if (s >= 16) {
    [hi, lo] = [lo, hi];
    s -= 16;
  }
  if (s === 0) return `th = ${hi};\ntl = ${lo};\n${w}h = th;\n${w}l = tl;\n`;
  const up = lit(2 ** s);
  const keep = lit(2 ** (16 - s));
  // (v << s) & 0xffff == (v mod 2^(16-s)) * 2^s; v >>> (16-s) == floor(v / 2^(16-s)).
  return (
    `th = (${hi} - Math.floor(${hi} / ${keep}) * ${keep}) * ${up} + Math.floor(${lo} / ${keep});\n` +
    `tl = (${lo} - Math.floor(${lo} / ${keep}) * ${keep}) * ${up} + Math.floor(${hi} / ${keep});\n` +
    `${w}h = th;\n${w}l = tl;\n`
  );
}

/** `threefryBody()` is statements computing threefry2x32([s0:s1, s2:s3], [blk, 0]) into words x0, x1. */
function threefryBody(): string {
  // key halves: s0..s3 = k0h, k0l, k1h, k1l; k2 = parity ^ k0 ^ k1
  let code =
    "let cy = 0.0;\nlet th = 0.0;\nlet tl = 0.0;\nlet gh = 0.0;\nlet gl = 0.0;\n" +
    "const k0h = s0;\nconst k0l = s1;\nconst k1h = s2;\nconst k1l = s3;\n" +
    `const k2h = nxXor16(nxXor16(k0h, k1h), ${lit(PARITY >>> 16)});\n` +
    `const k2l = nxXor16(nxXor16(k0l, k1l), ${lit(PARITY & 0xffff)});\n` +
    "const ch = Math.floor(blk / 65536.0);\nconst cl = blk - ch * 65536.0;\n" +
    "let x0h = 0.0;\nlet x0l = 0.0;\nlet x1h = 0.0;\nlet x1l = 0.0;\n" +
    "const zh = 0.0;\nconst zl = 0.0;\n";
  code += addCode("x0", "c", "k0");
  code += addCode("x1", "z", "k1");
  const ks = ["k0", "k1", "k2"] as const;
  for (let group = 0; group < 5; group++) {
    const base = (group & 1) * 4;
    for (let r = 0; r < 4; r++) {
      code += addCode("x0", "x0", "x1");
      code += rotlCode("x1", ROTATIONS[base + r] as number);
      code += "x1h = nxXor16(x1h, x0h);\nx1l = nxXor16(x1l, x0l);\n";
    }
    code += addCode("x0", "x0", ks[(group + 1) % 3] as string);
    code += addCode("x1", "x1", ks[(group + 2) % 3] as string);
    code += `gh = 0.0;\ngl = ${lit(group + 1)};\n`;
    code += addCode("x1", "x1", "g");
  }
  return code;
}

let cachedBody: string | undefined;

/**
 * `randomUniform(runner, key, size)` is `size` float32 values of the
 * stream `Backend.randomUniform` specifies: element `i` is the top 24 bits of
 * word `i mod 2` of block `floor(i / 2)`, over 2^24.
 */
export function randomUniform(runner: KernelRunner, key: readonly [number, number], size: number): DeviceBuffer {
  cachedBody ??=
    "const blk = Math.floor(o * 0.5);\nconst word = o - blk * 2.0;\n" +
    threefryBody() +
    "if (word == 0) { return (x0h * 256.0 + Math.floor(x0l / 256.0)) / 16777216.0; }\n" +
    "return (x1h * 256.0 + Math.floor(x1l / 256.0)) / 16777216.0;";
  const spec: KernelSpec = { family: "randomUniform", buffers: [], scalars: ["s0", "s1", "s2", "s3"], body: cachedBody };
  const [k0, k1] = key.map((k) => k >>> 0) as [number, number];
  return runner.run(spec, size, [], [k0 >>> 16, k0 & 0xffff, k1 >>> 16, k1 & 0xffff]);
}
