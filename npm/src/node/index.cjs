// Node (CommonJS) entry: the wasm-pack `--target nodejs` build instantiates the module
// synchronously on require, so there is nothing to initialize; `init`/`initSync` exist so
// that code written for the web entry runs unchanged.
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });

const raw = require("./signhook.js");
const api = require("../api.cjs");
const { createHash, createHmac } = require("node:crypto");

// The host's SHA-256 and HMAC-SHA256 (native, SHA-NI where the CPU has it) for the digests
// the core computes over 4 KiB or more (the tags, and the body hash that names an event
// without an id of its own): the same bytes bit for bit as the wasm ones, tags compared in
// constant time in wasm. Below 4 KiB (the core's default threshold) the wasm one answers:
// creating a node:crypto object costs more than the hashing itself (bench/npm/run.mjs with
// and without BENCH_WASM_HMAC=1). `a`…`d` are views of the wasm memory, hashed before this
// returns.
function hostDigest(key, a, b, c, d) {
  return (key === undefined ? createHash("sha256") : createHmac("sha256", key)).update(a).update(b).update(c).update(d).digest();
}
raw.setHostDigest(hostDigest);

// diagnose() and detectProvider() run in their own module (signhook_diagnose_bg.wasm, the
// same core plus the diagnosis), instantiated on first use: verify never loads it.
let diagnoseRaw;
function diagnostics() {
  if (diagnoseRaw === undefined) {
    diagnoseRaw = require("./signhook_diagnose.js");
    diagnoseRaw.setHostDigest(hostDigest);
  }
  return diagnoseRaw;
}

const { verify, verifyAll, verifyText, normalize, normalizeAll, sign, signBody, signQuery, diagnose, detectProvider } = api.createApi(raw, undefined, diagnostics);

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
