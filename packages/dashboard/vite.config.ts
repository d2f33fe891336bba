import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

/**
 * The dashboard builds to dist/web/ (not committed; dist/server/ holds serve.ts compiled) with relative asset URLs,
 * so any server can host it at `/`.
 * `npm run dev -w @gradual/dashboard` proxies /v1 to a ledger at GRADUAL_LEDGER_URL (default 127.0.0.1:8899).
 */
export default defineConfig({
  base: "./",
  plugins: [react()],
  // @gradual/protocol from its TypeScript sources (the packages' "source" export condition), so the page never waits
  // for, nor depends on, the protocol's compiled dist/.
  resolve: { conditions: ["source", ...defaultClientConditions] },
  build: {
    outDir: "dist/web",
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
