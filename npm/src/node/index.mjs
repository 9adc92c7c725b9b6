// Node (ESM) entry, also the one Deno and Bun pick: re-exports the CommonJS entry, so that
// `import` and `require` share one instance of the module (no dual-package hazard).
//
// Named re-exports only, never `import cjs from "./index.cjs"`: index.cjs sets `__esModule`,
// and the default import of such a module is `module.exports` in Node and Deno but
// `exports.default` (here: `init`) in Bun, which made every export undefined there.
// Named imports of a CommonJS module mean the same in all three.
export {
  init,
  initSync,
  verify,
  normalize,
  sign,
  signBody,
  verifyAll,
  verifyText,
  normalizeAll,
  signQuery,
  diagnose,
  detectProvider,
  isSignhookError,
  PROVIDERS,
  EVENT_TYPES,
  ERROR_CODES,
  PROOF_HEADERS,
  DEFAULT_TOLERANCE_SECONDS,
} from "./index.cjs";
export { init as default } from "./index.cjs";
