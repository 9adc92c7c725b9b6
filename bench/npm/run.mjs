// Benchmark (not a test): the package's `verify` against a hand-written JS verifier doing
// the same job the way users do it today: node:crypto createHmac + timingSafeEqual,
// TextDecoder, JSON.parse, a mapping to the same event shape, JSON.stringify.
//
//   scripts/build-npm.sh --no-pack && node_modules/.bin/node bench/npm/run.mjs
//   (also node_modules/.bin/bun bench/npm/run.mjs, node_modules/.bin/deno run -A bench/npm/run.mjs)
//   (BENCH_QUICK=1: fewer, shorter rounds, as bench/npm/profiles.sh uses it)
//
// One Node process; Zoho Sign, Yousign, Zigned (`t` + body) and DocuSign deliveries of about
// 1, 8 and 64 KiB. Prints
// µs/event (median of rounds) and the ratio package / hand-written, plus the package's
// wasm size. SIGNHOOK_PACKAGE_DIR selects another built package (default npm/dist).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import assert from "node:assert/strict";

import { docusignBody, yousignBody, zignedBody, zohoBody } from "./bodies.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PACKAGE_DIR = resolve(process.env.SIGNHOOK_PACKAGE_DIR ?? join(ROOT, "npm/dist"));
const { verify, verifyText } = await import(pathToFileURL(join(PACKAGE_DIR, "node/index.mjs")).href);
// BENCH_WASM_HMAC=1: the wasm SHA-256 and HMAC instead of the host's node:crypto (what browsers
// run), to measure what the host digest saves.
if (process.env.BENCH_WASM_HMAC === "1") {
  const { createRequire } = await import("node:module");
  createRequire(import.meta.url)(join(PACKAGE_DIR, "node/signhook.js")).setHostDigest(undefined);
}

const NOW = 1_700_000_000;
const SECRET = "bench_webhook_secret_0123456789";

// ---- deliveries -----------------------------------------------------------------------

function hmac(body) {
  return createHmac("sha256", SECRET).update(body).digest();
}

const PROVIDERS = {
  "zoho-sign": {
    make: zohoBody,
    headers: (body) => ({ "content-type": "application/json", "x-zs-webhook-signature": hmac(body).toString("base64") }),
    handwritten: handwrittenZoho,
  },
  yousign: {
    make: yousignBody,
    headers: (body) => ({ "content-type": "application/json", "x-yousign-signature-256": "sha256=" + hmac(body).toString("hex") }),
    handwritten: handwrittenYousign,
  },
  zigned: {
    make: zignedBody,
    headers: (body) => ({
      "content-type": "application/json",
      "x-zigned-request-signature": `t=${NOW},v1=` + createHmac("sha256", SECRET).update(`${NOW}.`).update(body).digest("hex"),
    }),
    handwritten: handwrittenZigned,
  },
  docusign: {
    make: docusignBody,
    headers: (body) => ({ "content-type": "application/json", "x-docusign-signature-1": hmac(body).toString("base64") }),
    handwritten: handwrittenDocusign,
  },
};

// ---- the hand-written verifiers, as a user would write them ---------------------------

const decoder = new TextDecoder("utf-8", { fatal: true });

function checkHmac(body, given) {
  const expected = createHmac("sha256", SECRET).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw Object.assign(new Error("signature mismatch"), { code: "signature_mismatch" });
  }
}

const ZOHO_TYPES = {
  RequestSubmitted: "esign.envelope.sent",
  RequestViewed: "esign.participant.viewed",
  RequestSigningSuccess: "esign.participant.signed",
  RequestCompleted: "esign.envelope.completed",
  RequestRejected: "esign.envelope.declined",
  RequestRecalled: "esign.envelope.cancelled",
  RequestForwarded: "esign.participant.reassigned",
  RequestExpired: "esign.envelope.expired",
};

function handwrittenZoho(headers, body) {
  const signature = headers["x-zs-webhook-signature"];
  if (!signature) throw Object.assign(new Error("missing signature"), { code: "missing_signature" });
  checkHmac(body, Buffer.from(signature, "base64"));
  const payload = JSON.parse(decoder.decode(body));
  const request = payload.requests ?? {};
  const note = payload.notifications ?? {};
  const id = createHash("sha256").update("signhook/zoho-sign\n").update(body).digest("hex").slice(0, 32);
  const event = {
    specversion: "1.0",
    id,
    source: "signhook/zoho-sign",
    type: ZOHO_TYPES[note.operation_type] ?? "esign.other",
    subject: request.request_id,
    time: note.performed_at ? new Date(note.performed_at).toISOString() : undefined,
    datacontenttype: "application/json",
    provider: "zoho-sign",
    providerevent: note.operation_type,
    testmode: false,
    data: {
      envelope: { id: request.request_id ?? null, name: request.request_name ?? null, status: "unknown", provider_status: request.request_status ?? null },
      participant: note.action_id ? { id: note.action_id, email: null, name: null, role: null, status: null } : null,
      actor: { email: note.performed_by_email ?? null, name: note.performed_by_name ?? null, ip: note.ip_address ?? null },
      documents: (request.document_ids ?? []).map((d) => ({ id: d.document_id ?? null, name: d.document_name ?? null })),
      reason: note.reason ?? null,
      verification: { scheme: "hmac-sha256", covers: "body", key: 0 },
      raw: payload,
    },
  };
  return event;
}

const YOUSIGN_TYPES = {
  "signature_request.activated": "esign.envelope.sent",
  "signature_request.done": "esign.envelope.completed",
  "signature_request.expired": "esign.envelope.expired",
  "signature_request.declined": "esign.envelope.declined",
  "signature_request.canceled": "esign.envelope.cancelled",
  "signer.notified": "esign.participant.notified",
  "signer.link_opened": "esign.participant.viewed",
  "signer.done": "esign.participant.signed",
  "signer.declined": "esign.participant.declined",
};

function handwrittenYousign(headers, body) {
  const header = headers["x-yousign-signature-256"];
  if (!header) throw Object.assign(new Error("missing signature"), { code: "missing_signature" });
  checkHmac(body, Buffer.from(header.replace(/^sha256=/, ""), "hex"));
  const payload = JSON.parse(decoder.decode(body));
  const sr = payload.data?.signature_request ?? {};
  const signer = payload.data?.signer;
  const event = {
    specversion: "1.0",
    id: payload.event_id,
    source: "signhook/yousign",
    type: YOUSIGN_TYPES[payload.event_name] ?? "esign.other",
    subject: sr.id,
    time: new Date(Number(payload.event_time) * 1000).toISOString(),
    datacontenttype: "application/json",
    provider: "yousign",
    providerevent: payload.event_name,
    testmode: payload.sandbox === true,
    data: {
      envelope: { id: sr.id ?? null, name: sr.name ?? null, status: "sent", provider_status: sr.status ?? null },
      participant: signer
        ? { id: signer.id ?? null, email: signer.info?.email ?? null, name: [signer.info?.first_name, signer.info?.last_name].filter(Boolean).join(" ") || null, role: "signer", status: signer.status ?? null }
        : null,
      actor: null,
      documents: (sr.documents ?? []).map((d) => ({ id: d.id ?? null, name: d.filename ?? null })),
      reason: null,
      verification: { scheme: "hmac-sha256", covers: "body", key: 0 },
      raw: payload,
    },
  };
  return event;
}

function handwrittenZigned(headers, body) {
  const header = headers["x-zigned-request-signature"];
  if (!header) throw Object.assign(new Error("missing signature"), { code: "missing_signature" });
  const parts = Object.fromEntries(header.split(",").map((p) => p.trim().split("=")));
  const t = Number(parts.t);
  const expected = createHmac("sha256", SECRET).update(`${parts.t}.`).update(body).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw Object.assign(new Error("signature mismatch"), { code: "signature_mismatch" });
  }
  if (Math.abs(NOW - t) > 300) throw Object.assign(new Error("stale"), { code: "timestamp_out_of_tolerance" });
  const payload = JSON.parse(decoder.decode(body));
  const data = payload.data ?? {};
  return {
    specversion: "1.0",
    id: createHash("sha256").update("signhook/zigned\n").update(body).digest("hex").slice(0, 32),
    source: "signhook/zigned",
    type: payload.event === "agreement.lifecycle.finalized" ? "esign.envelope.completed" : "esign.other",
    subject: data.id,
    time: new Date(t * 1000).toISOString(),
    datacontenttype: "application/json",
    provider: "zigned",
    providerevent: payload.event,
    testmode: data.test_mode === true,
    data: {
      envelope: { id: data.id ?? null, name: data.title ?? null, status: "completed", provider_status: data.status ?? null },
      participant: null,
      actor: null,
      documents: Object.values(data.documents ?? {})
        .flatMap((slot) => [].concat(slot?.data ?? []))
        .map((d) => ({ id: d.id ?? null, name: d.filename ?? null })),
      reason: null,
      verification: { scheme: "hmac-sha256", covers: "timestamp+body", key: 0 },
      raw: payload,
    },
  };
}

function handwrittenDocusign(headers, body) {
  const signature = headers["x-docusign-signature-1"];
  if (!signature) throw Object.assign(new Error("missing signature"), { code: "missing_signature" });
  checkHmac(body, Buffer.from(signature, "base64"));
  const payload = JSON.parse(decoder.decode(body));
  const data = payload.data ?? {};
  const summary = data.envelopeSummary ?? {};
  return {
    specversion: "1.0",
    id: createHash("sha256").update("signhook/docusign\n").update(body).digest("hex").slice(0, 32),
    source: "signhook/docusign",
    type: payload.event === "envelope-completed" ? "esign.envelope.completed" : "esign.other",
    subject: data.envelopeId,
    time: new Date(payload.generatedDateTime).toISOString(),
    datacontenttype: "application/json",
    provider: "docusign",
    providerevent: payload.event,
    testmode: false,
    data: {
      envelope: { id: data.envelopeId ?? null, name: summary.emailSubject ?? null, status: "completed", provider_status: summary.status ?? null },
      participant: null,
      actor: null,
      documents: (summary.envelopeDocuments ?? []).map((d) => ({ id: d.documentId ?? null, name: d.name ?? null })),
      reason: null,
      verification: { scheme: "hmac-sha256", covers: "body", key: 0 },
      raw: payload,
    },
  };
}

// ---- timing -----------------------------------------------------------------------------

let sink = 0;

/** Median µs per call over `rounds` rounds of ~`roundMs` each, after a warm-up. */
const QUICK = process.env.BENCH_QUICK === "1";

function measure(fn, { rounds = QUICK ? 3 : 7, roundMs = QUICK ? 120 : 250 } = {}) {
  const warmUntil = performance.now() + 300;
  let calls = 0;
  while (performance.now() < warmUntil) {
    sink += fn().length;
    calls++;
  }
  const batch = Math.max(1, Math.round(calls / 30));
  const results = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < roundMs) {
      for (let i = 0; i < batch; i++) sink += fn().length;
      n += batch;
      elapsed = performance.now() - start;
    }
    results.push((elapsed * 1000) / n);
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)];
}

/** The runtime running the bench (Bun and Deno report a Node version in `process.version`). */
const RUNTIME =
  typeof Bun !== "undefined"
    ? `bun ${Bun.version}`
    : typeof Deno !== "undefined"
      ? `deno ${Deno.version.deno}`
      : `node ${process.version}`;

const fmt = (x) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0)).padStart(7);

const wasm = readFileSync(join(PACKAGE_DIR, "node/signhook_bg.wasm"));
console.log(`signhook npm package: ${PACKAGE_DIR}`);
console.log(`wasm: ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} bytes gzip -9`);
console.log(
  `${RUNTIME}, ${process.arch}; median of ${QUICK ? 3 : 7} rounds; µs per event; HMAC: ${process.env.BENCH_WASM_HMAC === "1" ? "wasm" : "node:crypto (host)"}\n`,
);
console.log(
  "provider    size   | package   hand-written  ratio  | verifyText         hand-written+stringify  ratio",
);

for (const [provider, spec] of Object.entries(PROVIDERS)) {
  for (const kib of [1, 8, 64]) {
    const body = spec.make(kib * 1024);
    const headers = spec.headers(body);
    const options = { provider, headers, body, secrets: [SECRET], now: NOW };

    // Same job, same answer: the hand-written event equals the package's where both map.
    const ours = verify(options);
    const theirs = spec.handwritten(headers, body);
    assert.equal(theirs.type, ours.type);
    assert.equal(theirs.subject, ours.subject);
    assert.deepEqual(theirs.data.raw, ours.data.raw);
    assert.equal(theirs.data.documents.length, ours.data.documents.length);
    assert.throws(() => verify({ ...options, body: body.subarray(1) }), { code: "signature_mismatch" });
    assert.throws(() => spec.handwritten(headers, body.subarray(1)), { code: "signature_mismatch" });

    const pkgObject = measure(() => verify(options).id);
    const handObject = measure(() => spec.handwritten(headers, body).id);
    // Forwarding the event as JSON: the package's text (verifyText), against the
    // hand-written verifier + JSON.stringify.
    assert.deepEqual(JSON.parse(verifyText(options)), JSON.parse(JSON.stringify(ours)));
    const pkgJson = measure(() => verifyText(options));
    const handJson = measure(() => JSON.stringify(spec.handwritten(headers, body)));
    console.log(
      `${provider.padEnd(10)} ${String(body.length).padStart(6)} B |` +
        `${fmt(pkgObject)}   ${fmt(handObject)}      ${(pkgObject / handObject).toFixed(2)}x |` +
        `        ${fmt(pkgJson)}            ${fmt(handJson)}          ${(pkgJson / handJson).toFixed(2)}x`,
    );
  }
}
console.log(`\nratio = package / hand-written (below 1: the package is faster). sink ${sink % 10}`);
