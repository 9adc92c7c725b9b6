// Where the node suites find the built package: npm/dist/ (scripts/build-npm.sh), or
// SIGNHOOK_PACKAGE_DIR (e.g. a folder where the packed tarball was installed).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const PACKAGE_DIR = resolve(process.env.SIGNHOOK_PACKAGE_DIR ?? join(ROOT, "npm/dist"));

if (!existsSync(join(PACKAGE_DIR, "package.json"))) {
  throw new Error(`no built package in ${PACKAGE_DIR}: run scripts/build-npm.sh first`);
}

/** The package's Node ESM entry, loaded the way `import "signhook"` would under Node. */
export const signhook = await import(pathToFileURL(join(PACKAGE_DIR, "node/index.mjs")).href);
/** The raw wasm exports under the adapter (src/js.rs), for checks against the core. */
export const raw = createRequire(import.meta.url)(join(PACKAGE_DIR, "node/signhook.js"));
