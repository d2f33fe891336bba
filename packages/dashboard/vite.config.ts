import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The dashboard builds to dist/ (not committed) with relative asset URLs, so any server can host it at `/`.
 * `npm run dev -w @gradual/dashboard` proxies /v1 to a ledger at GRADUAL_LEDGER_URL (default 127.0.0.1:8899).
 */
export default defineConfig({
  base: "./",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      "/v1": { target: process.env.GRADUAL_LEDGER_URL ?? "http://127.0.0.1:8899", changeOrigin: true },
    },
  },
});
