/** Small DOM helpers: typed element lookup, number inputs, files in and out. */

/** `byId(id, type)` is the element `#id`, checked to be a `type`. @throws Error when the page lacks it. */
export function byId<T extends Element>(id: string, type: abstract new (...args: never[]) => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the page has no #${id} of type ${type.name}`);
  return el;
}

/** `one(root, selector, type)` is the first match of `selector` under `root`, checked to be a `type`. */
export function one<T extends Element>(root: ParentNode, selector: string, type: abstract new (...args: never[]) => T): T {
  const el = root.querySelector(selector);
  if (!(el instanceof type)) throw new Error(`the page has no ${selector} of type ${type.name}`);
  return el;
}

/** `numberOf(input)` is the input's number (NaN when empty or not a number). */
export function numberOf(input: HTMLInputElement): number {
  return input.value.trim() === "" ? Number.NaN : Number(input.value);
}

/** `readChosenFile(input)` is the bytes and name of the file just chosen in `input` (the input is cleared, so the same file can be chosen again). */
export async function readChosenFile(input: HTMLInputElement): Promise<{ bytes: Uint8Array; name: string } | undefined> {
  const file = input.files?.[0];
  input.value = "";
  if (file === undefined) return undefined;
  return { bytes: new Uint8Array(await file.arrayBuffer()), name: file.name };
}

/** `download(bytes, name)` saves `bytes` as a file named `name`. */
export function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `showChar(c)` is a visible stand-in for whitespace characters in token labels. */
export function showChar(c: string): string {
  return c === " " ? "␣" : c === "\n" ? "↵" : c === "\t" ? "⇥" : c;
}
