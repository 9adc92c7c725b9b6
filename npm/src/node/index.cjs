// Node (CommonJS) entry: the wasm-pack `--target nodejs` build instantiates the module
// synchronously on require, so there is nothing to initialize; `init`/`initSync` exist so
// that code written for the web entry runs unchanged.
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });

const raw = require("./signhook.js");
const api = require("../api.cjs");
const { createHmac } = require("node:crypto");

// The host's HMAC-SHA256 (native, SHA-NI where the CPU has it) for the MACs the core
// computes over 4 KiB or more: the same tags bit for bit as the wasm one, compared in
// constant time in wasm. Below that, creating a node:crypto Hmac costs more than the wasm
// HMAC itself (bench/npm/run.mjs with and without BENCH_WASM_HMAC=1), so `undefined` lets
// the wasm one answer. `a`, `b`, `c` are views of the wasm memory, hashed before this returns.
const HOST_HMAC_MIN_BYTES = 4096;
raw.setHostHmac((key, a, b, c) =>
  a.length + b.length + c.length < HOST_HMAC_MIN_BYTES
    ? undefined
    : createHmac("sha256", key).update(a).update(b).update(c).digest(),
);

const { verify, verifyAll, verifyText, normalize, normalizeAll, sign, signBody, signQuery, diagnose, detectProvider } = api.createApi(raw);

function initSync() {}
function init() {
  return Promise.resolve();
}

exports.default = init;
exports.init = init;
exports.initSync = initSync;
exports.verify = verify;
exports.normalize = normalize;
exports.sign = sign;
exports.signBody = signBody;
exports.verifyAll = verifyAll;
exports.verifyText = verifyText;
exports.normalizeAll = normalizeAll;
exports.signQuery = signQuery;
exports.diagnose = diagnose;
exports.detectProvider = detectProvider;
exports.isSignhookError = api.isSignhookError;
exports.PROVIDERS = api.PROVIDERS;
exports.EVENT_TYPES = api.EVENT_TYPES;
exports.ERROR_CODES = api.ERROR_CODES;
exports.PROOF_HEADERS = api.PROOF_HEADERS;
exports.DEFAULT_TOLERANCE_SECONDS = api.DEFAULT_TOLERANCE_SECONDS;
