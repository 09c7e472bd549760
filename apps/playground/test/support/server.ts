/** Serving the built app (`dist/`) with Vite's preview server on 127.0.0.1, on a free port. */
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { preview, type PreviewServer } from "vite";

/** The app's folder (where vite.config.ts and dist/ are). */
export const APP_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** `freePort()` is a TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** `serveBuiltApp()` starts the preview server (the app's own config: headers included) and returns its URL and a `close`. */
export async function serveBuiltApp(): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  const server: PreviewServer = await preview({ root: APP_ROOT, logLevel: "silent", preview: { host: "127.0.0.1", port, strictPort: true, open: false } });
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}
