// What every ESM entry (web/, workerd/, their diagnose.js) re-exports unchanged from the
// adapter: the error predicate and the lists. One place, so the entries cannot drift.
export {
  isSignhookError,
  PROVIDERS,
  EVENT_TYPES,
  ERROR_CODES,
  PROOF_HEADERS,
  DEFAULT_TOLERANCE_SECONDS,
} from "./api.js";
