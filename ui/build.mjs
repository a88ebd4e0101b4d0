// Builds the dashboard into dist/: index.html and assets/app.{js,css} (xterm.js and uPlot bundled in; nothing is
// fetched at run time). Run by `make build` through scripts/build-ui.sh.
import { build } from "esbuild";
import { copyFile, mkdir, rm } from "node:fs/promises";

const started = Date.now();
await rm("dist", { recursive: true, force: true });
await mkdir("dist/assets", { recursive: true });
await build({
  entryPoints: { app: "src/main.js" },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "iife",
  target: ["chrome120", "firefox120", "safari16"],
  outdir: "dist/assets",
  logLevel: "warning",
  legalComments: "linked",
});
await copyFile("src/index.html", "dist/index.html");
console.log(`ui: built dist/ in ${Date.now() - started} ms`);
