/** Errors as readable messages in the page (never only in the console). */

const MAX_MESSAGE = 1200;

/** `describeError(e)` is the message a user reads: the library's own message (it names the function and the value), bounded in length. */
export function describeError(e: unknown): string {
  const text = e instanceof Error ? (e.name === "Error" || e.name === "InvalidArgumentError" ? e.message : `${e.name}: ${e.message}`) : String(e);
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** A panel's error box (an element with `role="alert"`). */
export class ErrorBox {
  readonly #el: HTMLElement;

  constructor(el: HTMLElement) {
    this.#el = el;
  }

  /** `show(e, context?)` shows `context: message`. */
  show(e: unknown, context?: string): void {
    this.#el.textContent = context === undefined ? describeError(e) : `${context}: ${describeError(e)}`;
    this.#el.hidden = false;
  }

  clear(): void {
    this.#el.hidden = true;
    this.#el.textContent = "";
  }

  /** `guard(fn, context?)` runs `fn`, clearing the box first and showing what it throws (or rejects with). */
  async guard<T>(fn: () => T | Promise<T>, context?: string): Promise<T | undefined> {
    this.clear();
    try {
      return await fn();
    } catch (e) {
      this.show(e, context);
      return undefined;
    }
  }
}
