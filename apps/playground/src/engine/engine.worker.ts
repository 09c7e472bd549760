/**
 * The engine in a Web Worker. The page's first message configures it (which
 * backends it may build here); every later message is a call.
 */
import { Engine, type EngineOptions } from "./engine.js";
import type { CallMessage, EngineMessage } from "./protocol.js";

let engine: Engine | undefined;
const post = (message: EngineMessage, transfer?: Transferable[]): void => self.postMessage(message, { transfer: transfer ?? [] });

self.onmessage = (e: MessageEvent<CallMessage | { readonly configure: EngineOptions }>) => {
  const data = e.data;
  if ("configure" in data) engine = new Engine(data.configure, post);
  else (engine ??= new Engine({ host: "worker" }, post)).handle(data);
};
