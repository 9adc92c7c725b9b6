// A consumer's ESM file: named and default imports of "signhook" (tests/node/runtimes.test.mjs
// runs it under Node 18/20/22, Deno and Bun and prints the report as JSON).
import init, {
  init as namedInit,
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
} from "signhook";
import { createRequire } from "node:module";
import { checks } from "./runtime-checks.mjs";

const api = {
  default: init,
  init: namedInit,
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
};
// The same package through require: must be the very same functions (one instance).
const required = createRequire(import.meta.url)("signhook");
console.log(JSON.stringify(await checks(api, required, "esm")));
