import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const mockServer = "http://127.0.0.1:8765";

export default defineConfig({
  // Relative asset paths: the server may mount the console anywhere.
  base: "./",
  resolve: {
    alias: {
      // milsymbol's default entry registers every standard's icons (~860 kB); the console only draws
      // MIL-STD-2525C letter SIDCs, so it imports the ES core and the few icon sets it needs.
      "milsymbol-core": fileURLToPath(new URL("./node_modules/milsymbol/index.mjs", import.meta.url)),
    },
  },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: {
      "/api": mockServer,
      "/ws": { target: mockServer.replace("http", "ws"), ws: true },
    },
  },
  test: { include: ["test/**/*.test.ts"], environment: "node" },
});
