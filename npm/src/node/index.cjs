// Node (CommonJS) entry: the wasm-pack `--target nodejs` build instantiates the module
// synchronously on require, so there is nothing to initialize; `init`/`initSync` exist so
// that code written for the web entry runs unchanged.
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });

const raw = require("./signhook.js");
const api = require("../api.cjs");
const { createHmac } = require("node:crypto");

// The host's HMAC-SHA256 (native, SHA-NI where the CPU has it) for every MAC the core
// computes: the same tags bit for bit as the wasm one, compared in constant time in wasm.
// `a`, `b`, `c` are views of the wasm memory, hashed before this returns.
raw.setHostHmac((key, a, b, c) => createHmac("sha256", key).update(a).update(b).update(c).digest());

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
