// The two Workers the workerd benches run side by side (bench/worker/isolate.mjs,
// bench/worker/startup.mjs), as Miniflare options: the built Rust Worker in `build` and the
// plain JS Worker bench/worker/baseline.mjs, both in inspect mode for Zoho Sign with
// `secret`, with `nodejs_compat` (the Rust Worker's node:crypto digest; the JS Worker's
// `crypto=node` variant).
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function workerOptions(build, secret) {
  const common = {
    host: "127.0.0.1",
    port: 0,
    compatibilityDate: "2026-11-01",
    compatibilityFlags: ["nodejs_compat"],
    bindings: { ZOHO_SIGN_SECRETS: secret, DELIVERY: "inspect", ORIGIN_URL: "", MAX_BODY_BYTES: "10485760" },
    handleStructuredLogs() {},
  };
  return {
    rust: {
      ...common,
      modulesRoot: build, // module names index.js / index_bg.wasm, wherever the build is
      modules: [
        { type: "ESModule", path: path.join(build, "index.js") },
        { type: "CompiledWasm", path: path.join(build, "index_bg.wasm") },
      ],
    },
    js: { ...common, modules: [{ type: "ESModule", path: path.join(ROOT, "bench/worker/baseline.mjs") }] },
  };
}
