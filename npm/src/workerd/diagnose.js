// Cloudflare Workers entry `signhook/diagnose` (export condition `workerd`): the whole API,
// diagnose() and detectProvider() included, over signhook_diagnose_bg.wasm.
// Wrangler imports a `.wasm` file as a compiled WebAssembly.Module, so the module is
// instantiated synchronously at load and the API is ready without `init()`.
import { initSync as wbgInitSync } from "../web/signhook_diagnose.js";
import * as raw from "../web/signhook_diagnose.js";
import wasmModule from "../web/signhook_diagnose_bg.wasm";
import { createApi } from "../api.js";

wbgInitSync({ module: wasmModule });

export function initSync() {}
export default function init() {
  return Promise.resolve();
}

export const { verify, verifyAll, verifyText, normalize, normalizeAll, sign, signBody, signQuery, diagnose, detectProvider } = createApi(raw);
export { init };
export * from "../public.js";
