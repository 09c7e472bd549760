import { defineConfig } from "vite";

/** Cross-origin isolation: SharedArrayBuffer (threaded kernels) needs both headers. */
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  // Relative asset URLs: the built `dist/` works from any static server path.
  base: "./",
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: "es" },
  build: {
    target: "es2022",
    // gpu.js (loaded on demand, only for its backends) is one ~850 KiB module.
    chunkSizeWarningLimit: 1000,
  },
});
