// Node (ESM) entry: re-exports the CommonJS entry, so that `import` and `require` share
// one instance of the module (no dual-package hazard).
import cjs from "./index.cjs";

export const {
  init,
  initSync,
  verify,
  normalize,
  sign,
  diagnose,
  detectProvider,
  isSignhookError,
  PROVIDERS,
  EVENT_TYPES,
  ERROR_CODES,
  PROOF_HEADERS,
  DEFAULT_TOLERANCE_SECONDS,
} = cjs;
export default init;
