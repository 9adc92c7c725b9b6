// Browser (and bundler) entry over the wasm-pack `--target web` build. The module must be
// instantiated once before the synchronous API can run: `await init()` (fetches
// signhook_bg.wasm next to this file, or the URL/Response/bytes/Module you pass), or
// `initSync(moduleOrBytes)`. diagnose() and detectProvider() are not in this module: import
// them from "signhook/diagnose" (web/diagnose.js), whose own module carries everything.
import wbgInit, { initSync as wbgInitSync } from "./signhook.js";
import * as raw from "./signhook.js";
import { createApi } from "../api.js";
import { initializer } from "./initializer.js";

const wasm = initializer(wbgInit, wbgInitSync);

export default wasm.init;
export const { init, initSync } = wasm;
export const { verify, verifyAll, verifyText, normalize, normalizeAll, sign, signBody, signQuery, diagnose, detectProvider } = createApi(raw, wasm.ready, () => null);
export * from "../public.js";
