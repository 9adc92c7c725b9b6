// Cloudflare Workers entry (export condition `workerd`, which wrangler's bundler sets).
// Wrangler imports a `.wasm` file as a compiled WebAssembly.Module, so the module is
// instantiated synchronously at load and the API is ready without `init()`. diagnose() and
// detectProvider() are not in this module: import them from "signhook/diagnose"
// (workerd/diagnose.js), so a Worker that only verifies does not carry the diagnosis.
import { initSync as wbgInitSync } from "../web/signhook.js";
import * as raw from "../web/signhook.js";
import wasmModule from "../web/signhook_bg.wasm";
import { createApi } from "../api.js";

wbgInitSync({ module: wasmModule });

export function initSync() {}
export default function init() {
  return Promise.resolve();
}

export const { verify, verifyAll, verifyText, normalize, normalizeAll, sign, signBody, signQuery, diagnose, detectProvider } = createApi(raw, undefined, () => null);
export { init };
export * from "../public.js";
