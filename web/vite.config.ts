import { defineConfig } from "vite";

// The built files are embedded into the genu binary (tools/embed-assets.sh):
// no source maps, no inline scripts (the server's CSP allows 'self' only).
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: "es2022",
  },
  server: { proxy: { "/api": "http://127.0.0.1:8080", "/s/": "http://127.0.0.1:8080" } },
});
