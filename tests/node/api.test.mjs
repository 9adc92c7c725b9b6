// The package's JavaScript surface: input forms, defaults, errors, output shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { signhook, raw } from "./package.mjs";
import { SAMPLES } from "../../www/samples.js";

const { verify, normalize, sign, isSignhookError } = signhook;

// Zoho Sign's published sample with a single brace (fixture published-vector-valid-json).
const ZOHO_BODY =
  '{"requests":{"request_name":"Test Name"},"notifications":{"operation_type":"RequestSigningSuccess"}}';
const ZOHO_SECRET = "thisisthesamplekeyfortestingpurposes";
const ZOHO_SIGNATURE = "KCFveIVxXsZ5tDJTtMVWqWEx++CCKzNYS2tuPP06hgc=";

const YOUSIGN_BODY = JSON.stringify({
  event_id: "e-1",
  event_name: "signature_request.done",
  event_time: "1700000000",
  sandbox: false,
  data: { signature_request: { id: "sr-1", name: "Lease", status: "done" } },
});

function zoho(overrides = {}) {
  return verify({
    provider: "zoho-sign",
    headers: { "X-ZS-WEBHOOK-SIGNATURE": ZOHO_SIGNATURE },
    body: ZOHO_BODY,
    secrets: [ZOHO_SECRET],
    ...overrides,
  });
}

function throwsCode(fn, code) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, "an Error");
    assert.equal(err.code, code, err.message);
    assert.equal(typeof err.status, "number");
    assert.ok(isSignhookError(err));
    return true;
  });
}

/** Fails on any undefined, Map, Set or non-plain object anywhere in `value`. */
function assertPlainJson(value, path = "event") {
  if (value === null) return;
  assert.notEqual(value, undefined, `${path} is undefined`);
  if (typeof value !== "object") {
    assert.ok(["string", "number", "boolean"].includes(typeof value), `${path}: ${typeof value}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainJson(item, `${path}[${i}]`));
    return;
  }
  assert.equal(Object.getPrototypeOf(value), Object.prototype, `${path} is not a plain object`);
  for (const [key, item] of Object.entries(value)) assertPlainJson(item, `${path}.${key}`);
}

test("the published Zoho Sign vector verifies and normalizes", () => {
  const event = zoho({ now: 1_700_000_000 });
  assert.equal(event.type, "esign.participant.signed");
  assert.equal(event.provider, "zoho-sign");
  assert.equal(event.source, "signhook/zoho-sign");
  assert.equal(event.data.envelope.name, "Test Name");
  assert.deepEqual(event.data.verification, { scheme: "hmac-sha256", covers: "body", key: 0 });
  assertPlainJson(event);
});

test("headers: plain object, Headers, Map, pairs and Node's header arrays; duplicates join", () => {
  const forms = [
    { "x-zs-webhook-signature": ZOHO_SIGNATURE },
    new Headers({ "X-ZS-WEBHOOK-SIGNATURE": ZOHO_SIGNATURE }),
    new Map([["X-Zs-Webhook-Signature", ZOHO_SIGNATURE]]),
    [["x-zs-webhook-signature", ZOHO_SIGNATURE]],
    { "x-zs-webhook-signature": [ZOHO_SIGNATURE], "x-absent": undefined },
  ];
  for (const headers of forms) {
    assert.equal(zoho({ headers }).type, "esign.participant.signed");
  }
  // A repeated header is one field with its values joined by ", " (RFC 9110), exactly as
  // the Worker's fetch hands it over: a duplicated proof header is malformed everywhere.
  throwsCode(
    () => zoho({ headers: { "x-zs-webhook-signature": [ZOHO_SIGNATURE, ZOHO_SIGNATURE] } }),
    "malformed_signature",
  );
  throwsCode(
    () => zoho({ headers: [["x-zs-webhook-signature", ZOHO_SIGNATURE], ["X-ZS-WEBHOOK-SIGNATURE", "second"]] }),
    "malformed_signature",
  );
  throwsCode(() => zoho({ headers: {} }), "missing_signature");
  throwsCode(() => zoho({ headers: [["x-zs-webhook-signature", "  "]] }), "missing_signature");
});

test("body: string, Uint8Array, Buffer, ArrayBuffer, DataView and a subarray view", () => {
  const bytes = new TextEncoder().encode(ZOHO_BODY);
  const padded = new Uint8Array(bytes.length + 6);
  padded.set(bytes, 3);
  const forms = [
    ZOHO_BODY,
    bytes,
    Buffer.from(ZOHO_BODY),
    bytes.slice().buffer,
    new DataView(padded.buffer, 3, bytes.length),
    padded.subarray(3, 3 + bytes.length),
  ];
  for (const body of forms) assert.equal(zoho({ body }).data.envelope.name, "Test Name");
  // One byte more is another body.
  throwsCode(() => zoho({ body: padded.subarray(3, 4 + bytes.length) }), "signature_mismatch");
});

test("strings are signed as UTF-8", () => {
  const body = '{"event_name":"signer.done","data":{"signer":{"info":{"first_name":"Zoë"}}}}';
  const headers = sign({ provider: "yousign", secret: "k", body });
  const event = verify({ provider: "yousign", headers, body: Buffer.from(body, "utf8"), secrets: "k" });
  assert.equal(event.type, "esign.participant.signed");
});

test("secrets rotate: the matching index is reported", () => {
  const event = zoho({ secrets: ["old", "older", ZOHO_SECRET] });
  assert.equal(event.data.verification.key, 2);
  throwsCode(() => zoho({ secrets: ["old"] }), "signature_mismatch");
  throwsCode(() => zoho({ secrets: [] }), "no_secret_configured");
  throwsCode(() => zoho({ secrets: undefined }), "no_secret_configured");
  throwsCode(() => zoho({ secrets: ["", ZOHO_SECRET] }), "invalid_secret");
});

test("Zigned: now defaults to the clock, read in JavaScript; tolerance applies", () => {
  const body = '{"event":"agreement.lifecycle.fulfilled","data":{"id":"agr_1","title":"NDA"}}';
  const t = Math.floor(Date.now() / 1000);
  const headers = sign({ provider: "zigned", secret: "z", body, timestamp: t });
  assert.match(headers["x-zigned-request-signature"], new RegExp(`^t=${t},v1=[0-9a-f]{64}$`));
  // No `now`: the adapter reads Date.now().
  assert.equal(verify({ provider: "zigned", headers, body, secrets: "z" }).subject, "agr_1");
  // Explicit now as a number or a Date.
  assert.ok(verify({ provider: "zigned", headers, body, secrets: "z", now: t + 300 }));
  assert.ok(verify({ provider: "zigned", headers, body, secrets: "z", now: new Date((t + 10) * 1000) }));
  throwsCode(
    () => verify({ provider: "zigned", headers, body, secrets: "z", now: t + 301 }),
    "timestamp_out_of_tolerance",
  );
  assert.ok(verify({ provider: "zigned", headers, body, secrets: "z", now: t + 301, toleranceSeconds: 301 }));
  // sign's timestamp defaults to the clock too.
  const fresh = sign({ provider: "zigned", secret: "z", body });
  const signedAt = Number(/^t=(\d+),/.exec(fresh["x-zigned-request-signature"])[1]);
  assert.ok(Math.abs(signedAt - Math.floor(Date.now() / 1000)) <= 5);
});

test("Acrobat Sign: client ids, not secrets", () => {
  const body = JSON.stringify({
    webhookId: "w1",
    webhookNotificationId: "n1",
    event: "AGREEMENT_WORKFLOW_COMPLETED",
    eventDate: "2024-01-02T03:04:05Z",
    agreement: { id: "ag1", name: "NDA", status: "SIGNED" },
  });
  const headers = sign({ provider: "acrobat-sign", secret: "client-b", body });
  assert.deepEqual(headers, { "Content-Type": "application/json", "X-AdobeSign-ClientId": "client-b" });
  const event = verify({ provider: "acrobat-sign", headers, body, clientIds: ["client-a", "client-b"] });
  assert.equal(event.id, "n1");
  assert.equal(event.data.verification.key, 1);
  assert.equal(event.data.verification.scheme, "client-id");
  throwsCode(() => verify({ provider: "acrobat-sign", headers, body, clientIds: "client-a" }), "unknown_client_id");
  throwsCode(() => verify({ provider: "acrobat-sign", headers: {}, body, clientIds: "client-a" }), "missing_client_id");
});

test("sign produces each provider's proof (headers, signBody's body, signQuery's query), and verify accepts it", () => {
  // After every sample's own time; no age bound (the samples are years old).
  const T = 1_800_000_000;
  for (const provider of signhook.PROVIDERS) {
    // Each provider's first sample delivery (the registry's, as the page has it).
    const unsigned = JSON.stringify(SAMPLES[provider][0].body);
    const query = signhook.signQuery({ provider, secret: "secret-1", body: unsigned, timestamp: T });
    const headers = sign({ provider, secret: "secret-1", body: unsigned, timestamp: T });
    const body = signhook.signBody({ provider, secret: "secret-1", body: unsigned, timestamp: T });
    assert.ok(body instanceof Uint8Array);
    assert.equal(Object.keys(headers)[0], "Content-Type");
    const proofHeader = signhook.PROOF_HEADERS[provider];
    if (query !== "") {
      // A proof in the URL (PandaDoc's ?signature=): no proof header, the body as is.
      assert.equal(proofHeader, undefined);
      assert.deepEqual(Object.keys(headers), ["Content-Type"]);
      assert.deepEqual(Buffer.from(body), Buffer.from(unsigned));
    } else if (proofHeader === undefined) {
      // A proof in the body (SignWell's event.hash, …): written into it, no header.
      assert.deepEqual(Object.keys(headers), ["Content-Type"]);
      assert.notDeepEqual(Buffer.from(body), Buffer.from(unsigned));
    } else {
      // A proof in the headers: the proof header among them, the body as is.
      assert.ok(Object.keys(headers).includes(proofHeader), `${provider}: ${Object.keys(headers)}`);
      assert.deepEqual(Buffer.from(body), Buffer.from(unsigned));
    }
    if (provider === "pandadoc") {
      // Independently: hex HMAC-SHA256 of the body under the shared key.
      assert.equal(query, `signature=${createHmac("sha256", "secret-1").update(unsigned).digest("hex")}`);
    }
    assert.equal(Object.getPrototypeOf(headers), Object.prototype);
    const event = verify({
      provider,
      headers,
      body,
      secrets: ["secret-1"],
      clientIds: ["secret-1"],
      now: T,
      maxEventAgeSeconds: null,
      url: new URL(`https://edge.example/hooks/${provider}?${query}`),
    });
    assert.equal(event.provider, provider);
  }
  throwsCode(() => sign({ provider: "zoho-sign", secret: "", body: "{}" }), "invalid_secret");
  throwsCode(() => signhook.signBody({ provider: "signwell", secret: "k", body: "[1]" }), "malformed_payload");
});

test("normalize is the unverified path: no proof, verification null", () => {
  const event = normalize({ provider: "yousign", body: YOUSIGN_BODY });
  assert.equal(event.type, "esign.envelope.completed");
  assert.equal(event.id, "e-1");
  assert.equal(event.subject, "sr-1");
  assert.equal(event.data.verification, null);
  assertPlainJson(event);
  throwsCode(() => normalize({ provider: "yousign", body: "[1,2]" }), "malformed_payload");
  throwsCode(() => normalize({ provider: "yousign", body: new Uint8Array([0xff, 0xfe]) }), "malformed_payload");
});

test("a verified body that is not JSON fails after the proof, as malformed_payload", () => {
  const body = "{" + ZOHO_BODY; // Zoho's published sample really has two braces
  const headers = sign({ provider: "zoho-sign", secret: ZOHO_SECRET, body });
  assert.equal(headers["X-ZS-WEBHOOK-SIGNATURE"], "drbSrM4H816RYKpZiRBLddUa0yHaTrwjtY04sIZFZus=");
  throwsCode(() => verify({ provider: "zoho-sign", headers, body, secrets: ZOHO_SECRET }), "malformed_payload");
});

test("unknown provider and unknown events", () => {
  throwsCode(() => zoho({ provider: "no-such-provider" }), "unknown_provider");
  throwsCode(() => normalize({ provider: "Zoho-Sign", body: "{}" }), "unknown_provider");
  const event = normalize({ provider: "yousign", body: '{"event_name":"brand.new","data":{}}' });
  assert.equal(event.type, "esign.other");
  assert.equal(event.providerevent, "brand.new");
});

test("errors carry code, status and a message naming what failed", () => {
  try {
    zoho({ body: ZOHO_BODY + " " });
    assert.fail("verified a tampered body");
  } catch (err) {
    assert.equal(err.code, "signature_mismatch");
    assert.equal(err.status, 401);
    assert.match(err.message, /X-ZS-WEBHOOK-SIGNATURE/);
    assert.doesNotMatch(err.message, new RegExp(ZOHO_SECRET)); // never the secret
  }
  try {
    zoho({ headers: { "X-ZS-WEBHOOK-SIGNATURE": "not base64!" } });
    assert.fail("accepted a malformed signature");
  } catch (err) {
    assert.equal(err.code, "malformed_signature");
  }
  assert.equal(isSignhookError(new Error("x")), false);
  assert.equal(isSignhookError(Object.assign(new Error("x"), { code: "ENOENT" })), false);
  assert.equal(isSignhookError({ code: "signature_mismatch" }), false);
});

test("arguments of the wrong type throw TypeError without a code", () => {
  const bad = [
    () => verify(),
    () => verify("zoho-sign"),
    () => zoho({ provider: 1 }),
    () => zoho({ headers: "x-zs-webhook-signature: a" }),
    () => zoho({ headers: null }),
    () => zoho({ headers: [["only-a-name"]] }),
    () => zoho({ headers: { "x-zs-webhook-signature": { a: 1 } } }),
    () => zoho({ body: undefined }),
    () => zoho({ body: 42 }),
    () => zoho({ body: [1, 2] }),
    () => zoho({ secrets: [1] }),
    () => zoho({ clientIds: {} }),
    () => zoho({ now: "1700000000" }),
    () => zoho({ now: Number.NaN }),
    () => zoho({ toleranceSeconds: -1 }),
    () => sign({ provider: "zoho-sign", body: "{}" }),
    () => normalize({ provider: "zoho-sign" }),
  ];
  for (const fn of bad) {
    assert.throws(fn, (err) => err instanceof TypeError && err.code === undefined && /signhook/.test(err.message));
  }
});

test("payload_too_large over 10 MiB", () => {
  const body = new Uint8Array(10 * 1024 * 1024 + 1);
  throwsCode(() => zoho({ body }), "payload_too_large");
});

test("the adapter's lists equal the core's", () => {
  assert.deepEqual([...signhook.PROVIDERS], raw.providerNames());
  assert.deepEqual([...signhook.EVENT_TYPES], raw.eventTypeNames());
  assert.deepEqual([...signhook.ERROR_CODES], raw.errorCodes());
  const pairs = raw.proofHeaders();
  const fromCore = {};
  for (let i = 0; i < pairs.length; i += 2) fromCore[pairs[i]] = pairs[i + 1];
  assert.deepEqual({ ...signhook.PROOF_HEADERS }, fromCore);
  assert.ok(Object.isFrozen(signhook.PROVIDERS));
});

test("init and initSync are harmless no-ops on Node; CommonJS and ESM share one instance", async () => {
  await signhook.init();
  signhook.initSync();
  assert.equal(signhook.default, signhook.init);
  const { createRequire } = await import("node:module");
  const { PACKAGE_DIR } = await import("./package.mjs");
  const cjs = createRequire(import.meta.url)(`${PACKAGE_DIR}/node/index.cjs`);
  assert.equal(cjs.verify, signhook.verify);
});

test("diagnose: a verdict with findings, never an exception for a failed delivery", () => {
  const headers = { "X-ZS-WEBHOOK-SIGNATURE": ZOHO_SIGNATURE };
  const ok = signhook.diagnose({ headers, body: ZOHO_BODY, secrets: [ZOHO_SECRET] });
  assert.equal(ok.verdict, "verified");
  assert.equal(ok.provider, "zoho-sign"); // detected from the headers
  assert.equal(ok.code, null);
  assert.equal(ok.event_verified, true);
  assert.deepStrictEqual(ok.event, zoho());
  assertPlainJson(ok, "diagnosis");

  // The body gained a trailing newline on the way: not verified, and a finding says so.
  const nl = signhook.diagnose({ provider: "zoho-sign", headers, body: ZOHO_BODY + "\n", secrets: ZOHO_SECRET });
  assert.equal(nl.verdict, "not_verified");
  assert.equal(nl.code, "signature_mismatch");
  assert.equal(nl.event_verified, false);
  assert.ok(nl.findings.length > 0 && nl.findings.every((f) => typeof f.code === "string" && f.message));
  assert.equal(nl.event?.data.verification ?? null, null);

  assert.equal(signhook.diagnose({ headers, body: ZOHO_BODY }).verdict, "unverifiable");
  throwsCode(() => signhook.diagnose({ provider: "no-such-provider", headers, body: "{}" }), "unknown_provider");
  assert.throws(() => signhook.diagnose({ headers, body: 1 }), TypeError);
});

test("detectProvider: from the proof header, else null (never undefined)", () => {
  assert.equal(signhook.detectProvider({ "x-zigned-request-signature": "t=1,v1=00" }), "zigned");
  assert.equal(signhook.detectProvider(new Headers({ "X-AdobeSign-ClientId": "c" })), "acrobat-sign");
  assert.equal(signhook.detectProvider([["content-type", "application/json"]]), null);
  assert.throws(() => signhook.detectProvider("x-yousign-signature-256"), TypeError);
});

test("a PandaDoc array: verifyAll returns every event, verify throws multiple_events, the URL carries the proof", () => {
  const body = '[{"event":"document_state_changed","data":{"id":"d1","status":"document.sent"}},{"event":"document_state_changed","data":{"id":"d1","status":"document.completed"}}]';
  const signature = createHmac("sha256", "pd-key").update(body).digest("hex");
  const options = {
    provider: "pandadoc",
    headers: { "X-PandaDoc-Webhook-Event-Id": "delivery-7" },
    body,
    secrets: ["pd-key"],
    url: `/hooks/pandadoc?signature=${signature}`,
  };
  const events = signhook.verifyAll(options);
  // Ids from the signed body's hash: the header is not covered by the MAC (T3-1).
  const base = createHash("sha256").update("signhook/pandadoc\n").update(body).digest("hex").slice(0, 32);
  assert.deepEqual(events.map((e) => [e.id, e.type]), [
    [`${base}:0`, "esign.envelope.sent"],
    [`${base}:1`, "esign.envelope.completed"],
  ]);
  const replayed = signhook.verifyAll({ ...options, headers: { "X-PandaDoc-Webhook-Event-Id": "another" } });
  assert.deepEqual(replayed.map((e) => e.id), events.map((e) => e.id));
  throwsCode(() => verify(options), "multiple_events");
  assert.equal(signhook.normalizeAll({ provider: "pandadoc", body }).length, 2);
  throwsCode(() => normalize({ provider: "pandadoc", body }), "multiple_events");
  throwsCode(() => verify({ ...options, url: "/hooks/pandadoc" }), "missing_signature");
  throwsCode(() => verify({ ...options, url: undefined }), "missing_signature");
  throwsCode(() => verify({ ...options, url: `/hooks/pandadoc?signature=${signature}&signature=${signature}` }), "malformed_signature");
  assert.throws(() => verify({ ...options, url: 42 }), TypeError);
});

test("the Worker's bounds by default: 7 days of age (null: none), 300 s of clock skew, 100 events (security review T3-8)", () => {
  const now = 1_800_000_000;
  const body = (at) => JSON.stringify({ event_id: `e-${at}`, event_name: "signer.done", event_time: String(at), data: { signature_request: { id: "sr" } } });
  const run = (at, extra = {}) => {
    const b = body(at);
    return verify({ provider: "yousign", headers: sign({ provider: "yousign", secret: "s-1", body: b }), body: b, secrets: ["s-1"], now, ...extra });
  };
  assert.equal(run(now - 6 * 86400).type, "esign.participant.signed");
  throwsCode(() => run(now - 8 * 86400), "event_too_old");
  assert.equal(run(now - 8 * 86400, { maxEventAgeSeconds: null }).type, "esign.participant.signed");
  throwsCode(() => run(now - 8 * 86400, { maxEventAgeSeconds: 604800 }), "event_too_old");
  assert.equal(run(now + 300).type, "esign.participant.signed");
  throwsCode(() => run(now + 301), "event_too_new");
  throwsCode(() => run(now + 301, { maxEventAgeSeconds: null }), "event_too_new");
  const many = JSON.stringify(Array.from({ length: 101 }, () => ({ event: "document_updated", data: { id: "d" } })));
  const signature = createHmac("sha256", "pd-key").update(many).digest("hex");
  throwsCode(() => signhook.verifyAll({ provider: "pandadoc", headers: {}, body: many, secrets: ["pd-key"], url: `/h?signature=${signature}` }), "too_many_events");
  for (const code of ["event_too_new", "too_many_events"]) assert.ok(signhook.ERROR_CODES.includes(code), code);
});

test("verifyText is the event's JSON text; data.raw is parsed on first read, from a copy of the body", () => {
  const body = Buffer.from(YOUSIGN_BODY);
  const headers = sign({ provider: "yousign", secret: "secret-1", body });
  const options = { provider: "yousign", headers, body, secrets: ["secret-1"], now: 1_700_000_000 };
  const text = signhook.verifyText(options);
  assert.equal(typeof text, "string");
  const event = verify(options);
  assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(event)));
  assert.deepStrictEqual(event.data.raw, JSON.parse(YOUSIGN_BODY));
  // The caller's buffer changing afterwards does not reach the event.
  const late = verify(options);
  body.fill(0x20);
  assert.deepStrictEqual(late.data.raw, JSON.parse(YOUSIGN_BODY));
  // It reads as a plain data property: enumerable, assignable, cloneable.
  assert.ok(Object.keys(event.data).includes("raw"));
  event.data.raw = { replaced: true };
  assert.deepStrictEqual(event.data.raw, { replaced: true });
  assert.deepStrictEqual(structuredClone(late).data.raw, JSON.parse(YOUSIGN_BODY));
  // data.documents is parsed on first read too, and reads the same way, in its place.
  const withDocs = Buffer.from(
    JSON.stringify({
      ...JSON.parse(YOUSIGN_BODY),
      data: { signature_request: { id: "sr-1", documents: [{ id: "d-1", filename: "Lease.pdf" }, { id: "d-2", filename: "Annex.pdf" }] } },
    }),
  );
  const docsOptions = { ...options, body: withDocs, headers: sign({ provider: "yousign", secret: "secret-1", body: withDocs }) };
  const docsText = signhook.verifyText(docsOptions);
  const docs = verify(docsOptions);
  const expectedDocs = [{ id: "d-1", name: "Lease.pdf" }, { id: "d-2", name: "Annex.pdf" }];
  assert.deepStrictEqual(JSON.parse(docsText).data.documents, expectedDocs);
  assert.deepStrictEqual(Object.keys(docs.data), Object.keys(JSON.parse(docsText).data));
  assert.equal(JSON.stringify(docs), docsText);
  assert.deepStrictEqual(docs.data.documents, expectedDocs);
  assert.equal(docs.data.documents, docs.data.documents, "parsed once");
  assert.deepStrictEqual(structuredClone(docs).data.documents, expectedDocs);
  assert.deepStrictEqual({ ...docs.data }.documents, expectedDocs);
  docs.data.documents = [];
  assert.deepStrictEqual(docs.data.documents, []);
  assert.equal(JSON.parse(signhook.verifyText({ ...options, body: Buffer.from(YOUSIGN_BODY), all: true })).length, 1);
});
