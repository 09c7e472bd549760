/**
 * A byte-level pre-scan of a safetensors header, run before `JSON.parse`:
 * it bounds the work parsing would do (nesting depth, tensors, members per
 * object, values in all) in one pass that stops at the first excess, so a
 * hostile header is rejected in time proportional to the bytes read before
 * the limit, and no parser recursion or huge object is ever built.
 */
import { fail } from "../util.js";
import { MAX_HEADER_DEPTH, MAX_HEADER_VALUES, MAX_METADATA_ENTRIES, MAX_TENSORS } from "./format.js";

/** The most members of a tensor entry's object (`dtype`, `shape`, `data_offsets`, and room for extra keys other writers add). */
export const MAX_ENTRY_MEMBERS = 8;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * `scanHeader(fn, bytes)` checks, without parsing, that the UTF-8 JSON
 * `bytes` nests at most {@link MAX_HEADER_DEPTH} levels, that its top level
 * has at most {@link MAX_TENSORS} entries plus `__metadata__`, that every
 * entry's object has at most {@link MAX_ENTRY_MEMBERS} members except one
 * (the metadata map) with at most {@link MAX_METADATA_ENTRIES}, and that it
 * holds at most {@link MAX_HEADER_VALUES} values. Members are counted by
 * their separating commas outside strings (multi-byte UTF-8 sequences never
 * contain an ASCII quote, backslash or bracket, so bytes suffice). Syntax is
 * left to `JSON.parse`.
 * @throws InvalidArgumentError naming `fn` and the limit exceeded.
 */
export function scanHeader(fn: string, bytes: Uint8Array): void {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let values = 0;
  let topMembers = 0;
  // Members of the current depth-2 container, and whether the one large (metadata) object was seen.
  let entryMembers = 0;
  let largeSeen = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_HEADER_DEPTH) throw fail(fn, `malformed header: it nests deeper than ${MAX_HEADER_DEPTH} levels (an object of entries { dtype, shape, data_offsets } or __metadata__ strings)`);
      if (depth === 2) entryMembers = 1;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    } else if (c === COMMA) {
      if (++values > MAX_HEADER_VALUES) throw fail(fn, `the header holds more than ${MAX_HEADER_VALUES} values, the limit`);
      if (depth === 1 && ++topMembers > MAX_TENSORS) throw fail(fn, `the header has more than ${MAX_TENSORS} entries, the limit of tensors per file`);
      if (depth === 2 && ++entryMembers > MAX_ENTRY_MEMBERS) {
        if (entryMembers === MAX_ENTRY_MEMBERS + 1) {
          if (largeSeen) throw fail(fn, `more than one header entry has over ${MAX_ENTRY_MEMBERS} members (only __metadata__ may)`);
          largeSeen = true;
        }
        if (entryMembers > MAX_METADATA_ENTRIES) throw fail(fn, `a header entry has more than ${MAX_METADATA_ENTRIES} members, the limit of __metadata__ entries`);
      }
    }
  }
}
