// Browser (and bundler) entry `signhook/diagnose`: the whole API, diagnose() and
// detectProvider() included, over signhook_diagnose_bg.wasm (the core plus the diagnosis;
// the validator page's module). `await init()` (or `initSync`) once, as with the main entry.
import wbgInit, { initSync as wbgInitSync } from "./signhook_diagnose.js";
import * as raw from "./signhook_diagnose.js";
import { createApi } from "../api.js";
import { initializer } from "./initializer.js";

const wasm = initializer(wbgInit, wbgInitSync);

export default wasm.init;
export const { init, initSync } = wasm;
export const { verify, verifyAll, verifyText, normalize, normalizeAll, sign, signBody, signQuery, diagnose, detectProvider } = createApi(raw, wasm.ready);
export * from "../public.js";
