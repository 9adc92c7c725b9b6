// Browser (and bundler) entry over the wasm-pack `--target web` build. The module must be
// instantiated once before the synchronous API can run: `await init()` (fetches
// signhook_bg.wasm next to this file, or the URL/Response/bytes/Module you pass), or
// `initSync(moduleOrBytes)`.
import wbgInit, { initSync as wbgInitSync } from "./signhook.js";
import * as raw from "./signhook.js";
import { createApi } from "../api.js";

let ready = false;
let pending;

export default function init(input) {
  if (ready) return Promise.resolve();
  if (!pending) {
    pending = wbgInit(input === undefined ? undefined : { module_or_path: input }).then(
      () => {
        ready = true;
      },
      (err) => {
        pending = undefined; // let a later call retry
        throw err;
      },
    );
  }
  return pending;
}

export function initSync(module) {
  if (ready) return;
  wbgInitSync({ module });
  ready = true;
}

export const { verify, verifyAll, verifyText, normalize, normalizeAll, sign, signBody, signQuery, diagnose, detectProvider } = createApi(raw, () => ready);
export { init };
export {
  isSignhookError,
  PROVIDERS,
  EVENT_TYPES,
  ERROR_CODES,
  PROOF_HEADERS,
  DEFAULT_TOLERANCE_SECONDS,
} from "../api.js";
