// Direct mode in workerd: signed deliveries from every provider reach a fake origin as
// Standard-Webhooks-signed CloudEvents (checked with the npm `standardwebhooks` and
// `cloudevents` libraries); bad requests are refused and reach no origin; origin failures
// answer 5xx so the provider retries.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { HTTP } from "cloudevents";
import { Webhook } from "standardwebhooks";

import {
  DELIVERIES,
  EXAMPLE_SECRETS,
  providerNames,
  multipartJson,
  pandadocQuery,
  SHARED_SECRET_PROVIDERS,
  expectedRaw,
  ROOT,
  SECRETS,
  expectedWebhookId,
  fixture,
  post,
  signed,
  signedBody,
  hookPath,
  startOrigin,
  startWorker,
} from "./harness.mjs";

const MAX_BODY_BYTES = 64 * 1024;
// The admin token is a secret too: the log test looks for it.
const DIRECT_ADMIN_TOKEN = "direct-suite-admin-token-0123456789abcdef";
const ORIGIN_TIMEOUT_MS = 1500;

let origin;
let worker;

before(async () => {
  origin = await startOrigin();
  worker = await startWorker({
    DELIVERY: "direct",
    ORIGIN_URL: origin.url,
    FORWARD_SECRET: SECRETS.forward,
    ZOHO_SIGN_SECRETS: SECRETS.zoho,
    YOUSIGN_SECRETS: SECRETS.yousign,
    // Rotation: the old secret first; deliveries signed with either verify.
    ZIGNED_SECRETS: `zigned_old_secret ${SECRETS.zigned}`,
    ACROBAT_SIGN_CLIENT_IDS: `another-app ${SECRETS.acrobatClientId}`,
    // Rotation: DocuSign Connect sends one header per active key; the edge holds the new one.
    DOCUSIGN_SECRETS: SECRETS.docusign,
    DOCUSEAL_SECRETS: SECRETS.docuseal,
    // Rotation: the old shared secret first; the deliveries carry the new one.
    DOCUMENSO_SECRETS: `documenso_old_secret ${SECRETS.documenso}`,
    ONESPAN_SIGN_SECRETS: `onespan_old_callback_key ${SECRETS.onespan}`,
    // Rotation: BoldSign signs s0 with the new secret, s1 with the old one the edge still holds.
    BOLDSIGN_SECRETS: `boldsign_unrelated_secret ${SECRETS.boldsign}`,
    // Rotation: two SignWell webhooks' ids; the deliveries' hash is keyed with the second.
    SIGNWELL_SECRETS: `signwell-old-webhook-id ${SECRETS.signwell}`,
    // Rotation: two Dropbox Sign API keys; the deliveries' event_hash is keyed with the second.
    DROPBOX_SIGN_SECRETS: `dropbox-sign-old-api-key ${SECRETS.dropboxSign}`,
    PANDADOC_SECRETS: `pandadoc-old-shared-key ${SECRETS.pandadoc}`,
    SIGNABLE_SECRETS: EXAMPLE_SECRETS.signable,
    // Rotation: two Xodo Sign API keys; the deliveries' event_hash is keyed with the second.
    XODO_SIGN_SECRETS: `xodo-sign-old-api-key ${EXAMPLE_SECRETS["xodo-sign"]}`,
    BOX_SIGN_SECRETS: EXAMPLE_SECRETS["box-sign"],
    SIGNATUREAPI_SECRETS: EXAMPLE_SECRETS.signatureapi,
    MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    ORIGIN_TIMEOUT_MS: String(ORIGIN_TIMEOUT_MS),
    ADMIN_TOKEN: DIRECT_ADMIN_TOKEN,
  });
});

after(async () => {
  await worker?.stop();
  await origin?.close();
});

/** Runs `fn` and checks that it made no request to origin. */
async function reachesNoOrigin(fn) {
  const before = origin.received.length;
  const result = await fn();
  assert.equal(origin.received.length, before, "the request must not reach origin");
  return result;
}

function assertProblem(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get("content-type"), /^application\/problem\+json/);
  assert.equal(res.json.code, code, res.text);
  assert.equal(res.json.status, status);
  assert.equal(typeof res.json.title, "string");
  assert.equal(typeof res.json.detail, "string");
  assert.equal(typeof res.json.type, "string");
}

describe("signed deliveries reach origin as verified CloudEvents", () => {
  test("the deliveries cover every provider of the registry", () => {
    assert.deepEqual([...DELIVERIES.map((d) => d.provider), "pandadoc"].sort(), providerNames().sort());
  });

  for (const d of DELIVERIES) {
    test(d.provider, async () => {
      origin.behavior = "ok";
      // An in-body proof (SignWell's event.hash, Dropbox Sign's event_hash) is signed into
      // the body by the package's `signBody` (harness.mjs).
      const body = signedBody(d.provider, await fixture(d.provider, d.fixture));
      const before = origin.received.length;
      const options =
        d.provider === "docusign"
          ? { key: "docusign_retired_key", rotatedKey: SECRETS.docusign }
          : d.provider === "boldsign"
            ? { key: "boldsign_new_secret", rotatedKey: SECRETS.boldsign }
            : {};
      const res = await post(`${worker.url}${hookPath(d.provider)}`, body, signed(d.provider, body, options));
      assert.equal(res.status, 200, res.text);
      assert.equal(origin.received.length, before + 1, "origin gets exactly one request");

      if (d.provider === "acrobat-sign") {
        // Acrobat counts a delivery only with the client id echoed (header or JSON body).
        assert.equal(res.headers.get("x-adobesign-clientid"), SECRETS.acrobatClientId);
        assert.deepEqual(res.json, { xAdobeSignClientId: SECRETS.acrobatClientId });
      }
      if (d.provider === "dropbox-sign") {
        // Dropbox Sign counts a delivery only with this exact body.
        assert.equal(res.text, "Hello API Event Received");
        assert.match(res.headers.get("content-type"), /^text\/plain/);
      }

      const got = origin.received.at(-1);
      assert.equal(got.method, "POST");
      assert.equal(got.url, "/events");
      assert.equal(got.headers["content-type"], "application/cloudevents+json");

      // An independent Standard Webhooks implementation accepts the signature...
      new Webhook(SECRETS.forward).verify(got.body, got.headers);
      // ...and refuses it under another key or with one byte changed.
      const otherKey = "whsec_" + Buffer.from("another-key-of-32-bytes-length!!").toString("base64");
      assert.throws(() => new Webhook(otherKey).verify(got.body, got.headers));
      assert.throws(() => new Webhook(SECRETS.forward).verify(got.body.replace("1.0", "1.1"), got.headers));

      // The published JSON Schema accepts it (ajv, in the harness's origin).
      assert.equal(got.schema, "", got.body);

      // The CloudEvents SDK parses (and validates) it.
      const event = HTTP.toEvent({ headers: got.headers, body: got.body });
      assert.equal(event.specversion, "1.0");
      assert.equal(event.source, `signhook/${d.provider}`);
      assert.equal(event.type, d.type);
      assert.equal(event.subject, d.subject);
      assert.equal(event.provider, d.provider);
      // webhook-id: the event key, fixed-length ASCII in one namespace per provider; the
      // provider's own id stays the CloudEvent id.
      assert.equal(got.headers["webhook-id"], expectedWebhookId(d.provider, event.id));
      if (d.id) assert.equal(event.id, d.id);
      // The provider's payload travels byte for byte, but for the credentials in it, which
      // never leave the edge.
      const raw = expectedRaw(d, body);
      assert.ok(got.body.includes(raw), "data.raw is the exact payload");
      assert.deepEqual(event.data.raw, JSON.parse(raw));
      for (const value of d.redacted ?? []) {
        assert.ok(!got.body.includes(value), `the credential ${value} reached origin`);
        assert.ok(!got.body.includes(JSON.parse(`"${value}"`)), `the credential ${value} reached origin`);
      }
      if (d.redacted) assert.ok(got.body.includes('"[redacted]"'), "the redacted value is in place");
      if (d.provider === "acrobat-sign") {
        // The URL token is what authenticated it, and the event says the body is not covered.
        assert.deepEqual(event.data.verification, { scheme: "url-token", covers: "shared-secret", key: 0 });
      } else if (["signwell", "dropbox-sign", "xodo-sign"].includes(d.provider)) {
        // Only the event's type and time are MACed: the payload is not covered.
        assert.deepEqual(event.data.verification, { scheme: "hmac-sha256", covers: "event-metadata", key: 1 });
      } else if (SHARED_SECRET_PROVIDERS.includes(d.provider)) {
        // A bearer secret, the rotated second one: the body is not covered.
        assert.deepEqual(event.data.verification, { scheme: "shared-secret", covers: "shared-secret", key: 1 });
      } else {
        assert.equal(event.data.verification.key, 1 * (d.provider === "zigned" || d.provider === "boldsign"));
      }
    });
  }
});

describe("setup handshakes are answered, never delivered", () => {
  test("BoldSign Verification: 200 handshake, nothing reaches origin", async () => {
    const body = await fixture("boldsign", "verification-handshake");
    const res = await reachesNoOrigin(() => post(`${worker.url}/hooks/boldsign`, body, signed("boldsign", body)));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, "handshake");
    assert.equal(res.json.id, "7c872a5b-0c1d-4e2f-8a3b-4c5d6e7f8091");
    assert.equal(res.json.type, "esign.other");
  });

  test("BoldSign Verification is verified first: unsigned 401, forged 401, nothing reaches origin", async () => {
    const body = await fixture("boldsign", "verification-handshake");
    const unsigned = await reachesNoOrigin(() =>
      post(`${worker.url}/hooks/boldsign`, body, { "content-type": "application/json", "X-BoldSign-Event": "Verification" }),
    );
    assertProblem(unsigned, 401, "missing_signature");
    const forged = await reachesNoOrigin(() =>
      post(`${worker.url}/hooks/boldsign`, body, signed("boldsign", body, { key: "not-the-secret" })),
    );
    assertProblem(forged, 401, "signature_mismatch");
  });
});

describe("Dropbox Sign: multipart, the proof covers the event's time and type, the answer is exact", () => {
  test("callback_test is answered with the exact body and never forwarded; unsigned or forged, it is refused", async () => {
    const body = await fixture("dropbox-sign", "callback-test");
    const res = await reachesNoOrigin(() => post(`${worker.url}/hooks/dropbox-sign`, body, signed("dropbox-sign", body)));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, "Hello API Event Received");
    const forged = await reachesNoOrigin(() =>
      post(`${worker.url}/hooks/dropbox-sign`, signedBody("dropbox-sign", body, { key: "not-the-api-key" }), signed("dropbox-sign", body)),
    );
    assertProblem(forged, 401, "signature_mismatch");
  });

  test("the same event as application/json verifies; a captured event_hash with another payload verifies (event-metadata); a moved event_time does not", async () => {
    origin.behavior = "ok";
    const multipart = await fixture("dropbox-sign", "signature-request-signed-multipart");
    const { json, wrap } = multipartJson(multipart);
    const before = origin.received.length;
    let res = await post(`${worker.url}/hooks/dropbox-sign`, Buffer.from(json), { "content-type": "application/json" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, "Hello API Event Received");
    assert.equal(origin.received.length, before + 1);
    const first = JSON.parse(origin.received.at(-1).body);
    // The same event through another boundary keeps its id (a retry is recognized).
    const rewrapped = Buffer.from(multipart.toString("utf8").split("------------------------a1b2c3d4e5f60718").join("retry-boundary-42"));
    res = await post(`${worker.url}/hooks/dropbox-sign`, rewrapped, signed("dropbox-sign", rewrapped));
    assert.equal(res.status, 200, res.text);
    assert.equal(JSON.parse(origin.received.at(-1).body).id, first.id);

    const replayed = JSON.parse(json);
    replayed.signature_request.signature_request_id = "another-request";
    res = await post(`${worker.url}/hooks/dropbox-sign`, wrap(JSON.stringify(replayed)), signed("dropbox-sign", multipart));
    assert.equal(res.status, 200, res.text);
    const event = JSON.parse(origin.received.at(-1).body);
    assert.equal(event.subject, "another-request");
    assert.equal(event.data.verification.covers, "event-metadata");

    const moved = JSON.parse(json);
    moved.event.event_time = String(Number(moved.event.event_time) + 1);
    res = await reachesNoOrigin(() => post(`${worker.url}/hooks/dropbox-sign`, wrap(JSON.stringify(moved)), signed("dropbox-sign", multipart)));
    assertProblem(res, 401, "signature_mismatch");
  });
});

describe("PandaDoc: the proof is in the URL, a delivery holds several events", () => {
  test("an array of three reaches origin as three events, in order, ids from the signed body (X-PandaDoc-Webhook-Event-Id names nothing)", async () => {
    origin.behavior = "ok";
    const body = await fixture("pandadoc", "array-of-three-rotation");
    const headers = { "content-type": "application/json", "X-PandaDoc-Webhook-Event-Id": "c0d1e2f3-a4b5-4c6d-8e7f-9a0b1c2d3e4f" };
    // security review T3-1: the MAC covers the body only, so the ids come from it.
    const base = createHash("sha256").update("signhook/pandadoc\n").update(body).digest("hex").slice(0, 32);
    const before = origin.received.length;
    const res = await post(`${worker.url}/hooks/pandadoc?${pandadocQuery(body)}`, body, headers);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.events.map((e) => [e.id, e.type, e.status]), [
      [`${base}:0`, "esign.participant.signed", "delivered"],
      [`${base}:1`, "esign.participant.viewed", "delivered"],
      [`${base}:2`, "esign.envelope.completed", "delivered"],
    ]);
    const got = origin.received.slice(before);
    assert.equal(got.length, 3, "origin gets one request per event");
    const elements = JSON.parse(body.toString("utf8"));
    got.forEach((request, i) => {
      new Webhook(SECRETS.forward).verify(request.body, request.headers);
      assert.equal(request.schema, "", request.body);
      const event = HTTP.toEvent({ headers: request.headers, body: request.body });
      assert.equal(event.id, `${base}:${i}`);
      assert.equal(request.headers["webhook-id"], expectedWebhookId("pandadoc", event.id));
      assert.deepEqual(event.data.verification, { scheme: "hmac-sha256", covers: "body", key: 1 });
      // Each event's raw is its element, the recipient's shared_link redacted.
      const element = structuredClone(elements[i]);
      for (const r of element.data.recipients) if (r.shared_link) r.shared_link = "[redacted]";
      assert.deepEqual(event.data.raw, element);
      assert.ok(!request.body.includes("pd-s3cr3t-link"));
    });
  });

  test("without ?signature=, with a wrong one, twice, or with the body changed: refused, nothing reaches origin", async () => {
    const body = await fixture("pandadoc", "array-of-three-rotation");
    const headers = { "content-type": "application/json" };
    let res = await reachesNoOrigin(() => post(`${worker.url}/hooks/pandadoc`, body, headers));
    assertProblem(res, 401, "missing_signature");
    res = await reachesNoOrigin(() => post(`${worker.url}/hooks/pandadoc?${pandadocQuery(body, "not-the-key")}`, body, headers));
    assertProblem(res, 401, "signature_mismatch");
    res = await reachesNoOrigin(() => post(`${worker.url}/hooks/pandadoc?${pandadocQuery(body)}&${pandadocQuery(body)}`, body, headers));
    assertProblem(res, 401, "malformed_signature");
    const tampered = Buffer.from(body.toString("utf8").replace("Sample", "Simple"));
    res = await reachesNoOrigin(() => post(`${worker.url}/hooks/pandadoc?${pandadocQuery(body)}`, tampered, headers));
    assertProblem(res, 401, "signature_mismatch");
  });
});

describe("SignWell: the proof is in the body and covers only the event's type and time", () => {
  test("another body with a captured event.hash still verifies (covers event-metadata); a changed event.time or a missing hash does not", async () => {
    origin.behavior = "ok";
    const body = signedBody("signwell", await fixture("signwell", "document-completed-rotation"));
    const captured = JSON.parse(body.toString("utf8"));
    const replayed = structuredClone(captured);
    replayed.data.object.id = "another-document";
    const before = origin.received.length;
    let res = await post(`${worker.url}/hooks/signwell`, Buffer.from(JSON.stringify(replayed)), signed("signwell", body));
    assert.equal(res.status, 200, res.text);
    assert.equal(origin.received.length, before + 1);
    const event = JSON.parse(origin.received.at(-1).body);
    assert.equal(event.subject, "another-document");
    assert.equal(event.data.verification.covers, "event-metadata");

    const moved = structuredClone(captured);
    moved.event.time += 1;
    res = await reachesNoOrigin(() => post(`${worker.url}/hooks/signwell`, Buffer.from(JSON.stringify(moved)), signed("signwell", body)));
    assertProblem(res, 401, "signature_mismatch");

    const unsigned = structuredClone(captured);
    delete unsigned.event.hash;
    res = await reachesNoOrigin(() => post(`${worker.url}/hooks/signwell`, Buffer.from(JSON.stringify(unsigned)), signed("signwell", body)));
    assertProblem(res, 401, "missing_signature");

    res = await reachesNoOrigin(() =>
      post(`${worker.url}/hooks/signwell`, signedBody("signwell", body, { key: "not-the-webhook-id" }), signed("signwell", body)),
    );
    assertProblem(res, 401, "signature_mismatch");
  });
});

describe("large deliveries: the runtime's node:crypto computes the digests, bit for bit", () => {
  // From 4 KiB up the core's SHA-256 and HMAC run in workerd's node:crypto
  // (src/worker/host.rs); below, in wasm. Both must give the same verdicts and ids.
  test("Zoho Sign at 1 KiB and 40 KiB: verified, id = SHA-256 of provider and body (node:crypto here); one byte changed: 401", async () => {
    const base = JSON.parse((await fixture("zoho-sign", "request-completed")).toString("utf8"));
    for (const size of [1024, 40 * 1024]) {
      const value = { ...base, padding: "" };
      value.padding = "x".repeat(Math.max(0, size - Buffer.byteLength(JSON.stringify(value))));
      const body = Buffer.from(JSON.stringify(value));
      const res = await post(`${worker.url}/hooks/zoho-sign`, body, signed("zoho-sign", body));
      assert.equal(res.status, 200, res.text);
      const got = origin.received.at(-1);
      new Webhook(SECRETS.forward).verify(got.body, got.headers);
      const event = JSON.parse(got.body);
      const id = createHash("sha256").update("signhook/zoho-sign\n").update(body).digest("hex").slice(0, 32);
      assert.equal(event.id, id, `${size} bytes`);
      const tampered = Buffer.from(body);
      tampered[tampered.length - 3] ^= 1;
      const refused = await reachesNoOrigin(() => post(`${worker.url}/hooks/zoho-sign`, tampered, signed("zoho-sign", body)));
      assertProblem(refused, 401, "signature_mismatch");
    }
  });
});

describe("refused requests reach no origin", () => {
  test("tampered body: 401 signature_mismatch", async () => {
    for (const provider of ["zoho-sign", "yousign", "zigned", "docusign", "docuseal", "boldsign", "signable", "box-sign", "signatureapi"]) {
      const body = await fixture(provider, DELIVERIES.find((d) => d.provider === provider).fixture);
      const headers = signed(provider, body);
      const tampered = Buffer.from(body.toString("utf8").replace("e", "E"));
      assert.notDeepEqual(tampered, body);
      const res = await reachesNoOrigin(() => post(`${worker.url}${hookPath(provider)}`, tampered, headers));
      assertProblem(res, 401, "signature_mismatch");
    }
  });

  test("signed with an unknown secret: 401 signature_mismatch", async () => {
    const body = await fixture("yousign", "signer-done");
    const res = await reachesNoOrigin(() =>
      post(`${worker.url}/hooks/yousign`, body, signed("yousign", body, { key: "not-the-secret" })),
    );
    assertProblem(res, 401, "signature_mismatch");
  });

  test("a wrong shared secret: 401 signature_mismatch; an empty or blank one: 401 missing_signature", async () => {
    for (const provider of SHARED_SECRET_PROVIDERS) {
      const body = await fixture(provider, DELIVERIES.find((d) => d.provider === provider).fixture);
      let res = await reachesNoOrigin(() =>
        post(`${worker.url}/hooks/${provider}`, body, signed(provider, body, { key: "not-the-secret" })),
      );
      assertProblem(res, 401, "signature_mismatch");
      // Documenso sends "" for a webhook without a secret.
      const header = provider === "documenso" ? "X-Documenso-Secret" : "Authorization";
      for (const blank of ["", " \t ", ...(provider === "onespan-sign" ? ["Basic ", "Basic \t"] : [])]) {
        res = await reachesNoOrigin(() =>
          post(`${worker.url}/hooks/${provider}`, body, { "content-type": "application/json", [header]: blank }),
        );
        assertProblem(res, 401, "missing_signature");
      }
    }
  });

  test("unsigned: 401 missing_signature / missing_client_id", async () => {
    const body = await fixture("zoho-sign", "request-completed");
    for (const provider of providerNames().filter((p) => p !== "acrobat-sign")) {
      const res = await reachesNoOrigin(() =>
        post(`${worker.url}${hookPath(provider)}`, body, { "content-type": "application/json" }),
      );
      assertProblem(res, 401, "missing_signature");
    }
    const res = await reachesNoOrigin(() =>
      post(`${worker.url}${hookPath("acrobat-sign")}`, body, { "content-type": "application/json" }),
    );
    assertProblem(res, 401, "missing_client_id");
  });

  test("Acrobat POST from an unknown client id: 403 unknown_client_id", async () => {
    const body = await fixture("acrobat-sign", "agreement-rejected");
    const res = await reachesNoOrigin(() =>
      post(`${worker.url}${hookPath("acrobat-sign")}`, body, signed("acrobat-sign", body, { key: "someone-else" })),
    );
    assertProblem(res, 403, "unknown_client_id");
    assert.equal(res.headers.get("x-adobesign-clientid"), null, "nothing is echoed on refusal");
  });

  test("Zigned timestamp outside the tolerance: 401 timestamp_out_of_tolerance", async () => {
    const body = await fixture("zigned", "participant-fulfilled-ms-rotation");
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const res = await reachesNoOrigin(() =>
      post(`${worker.url}/hooks/zigned`, body, signed("zigned", body, { timestamp: stale })),
    );
    assertProblem(res, 401, "timestamp_out_of_tolerance");
  });

  test("DocuSeal timestamp outside the tolerance: 401 timestamp_out_of_tolerance", async () => {
    const body = await fixture("docuseal", "form-completed-rotation");
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const res = await reachesNoOrigin(() =>
      post(`${worker.url}/hooks/docuseal`, body, signed("docuseal", body, { timestamp: stale })),
    );
    assertProblem(res, 401, "timestamp_out_of_tolerance");
  });

  test("DocuSign legacy XML, correctly signed: 400 malformed_payload", async () => {
    const body = await fixture("docusign", "legacy-xml");
    const res = await reachesNoOrigin(() => post(`${worker.url}/hooks/docusign`, body, signed("docusign", body)));
    assertProblem(res, 400, "malformed_payload");
  });

  test("oversized, correctly signed: 413 payload_too_large (with and without content-length)", async () => {
    const big = Buffer.from(JSON.stringify({ event: "x", pad: "a".repeat(MAX_BODY_BYTES) }));
    assert.ok(big.length > MAX_BODY_BYTES);
    const headers = signed("zoho-sign", big);
    let res = await reachesNoOrigin(() => post(`${worker.url}/hooks/zoho-sign`, big, headers));
    assertProblem(res, 413, "payload_too_large");
    assert.match(res.json.detail, /content-length/);
    // A stream has no content-length: the Worker measures what it read.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < big.length; i += 8192) controller.enqueue(big.subarray(i, i + 8192));
        controller.close();
      },
    });
    res = await reachesNoOrigin(async () => {
      const r = await fetch(`${worker.url}/hooks/zoho-sign`, { method: "POST", body: stream, headers, duplex: "half" });
      return { status: r.status, headers: r.headers, text: await r.clone().text(), json: await r.json() };
    });
    assertProblem(res, 413, "payload_too_large");
    assert.doesNotMatch(res.json.detail, /content-length/);
    // Exactly at the limit is fine as far as size goes (it then fails the JSON check here).
    const edge = Buffer.alloc(MAX_BODY_BYTES, 0x20);
    res = await reachesNoOrigin(() => post(`${worker.url}/hooks/zoho-sign`, edge, signed("zoho-sign", edge)));
    assertProblem(res, 400, "malformed_payload");
  });

  test("correctly signed but not JSON: 400 malformed_payload", async () => {
    for (const provider of ["zoho-sign", "yousign", "zigned", "acrobat-sign", "docusign", "docuseal", "documenso", "onespan-sign", "boldsign"]) {
      const body = Buffer.from("this is not json");
      const res = await reachesNoOrigin(() => post(`${worker.url}${hookPath(provider)}`, body, signed(provider, body)));
      assertProblem(res, 400, "malformed_payload");
    }
  });

  test("wrong methods: 405 method_not_allowed with Allow", async () => {
    const body = await fixture("zoho-sign", "request-completed");
    const cases = [
      ["PUT", "zoho-sign", "POST"],
      ["GET", "yousign", "POST"],
      ["DELETE", "zigned", "POST"],
      ["PATCH", "acrobat-sign", "GET, POST"],
    ];
    for (const [method, provider, allow] of cases) {
      const res = await reachesNoOrigin(() =>
        post(`${worker.url}${hookPath(provider)}`, method === "GET" ? undefined : body, signed("zoho-sign", body), method),
      );
      assertProblem(res, 405, "method_not_allowed");
      assert.equal(res.headers.get("allow"), allow);
    }
    const res = await post(`${worker.url}/healthz`, "x", {}, "POST");
    assertProblem(res, 405, "method_not_allowed");
  });

  test("unknown provider and unknown path: 404", async () => {
    const body = await fixture("zoho-sign", "request-completed");
    let res = await reachesNoOrigin(() => post(`${worker.url}/hooks/no-such-provider`, body, signed("zoho-sign", body)));
    assertProblem(res, 404, "unknown_provider");
    // Only Acrobat Sign's route takes a further segment (its URL token).
    res = await reachesNoOrigin(() => post(`${worker.url}/hooks/zoho-sign/extra`, body, signed("zoho-sign", body)));
    assertProblem(res, 404, "not_found");
    res = await reachesNoOrigin(() => post(`${worker.url}/no/such/route`, body, {}));
    assertProblem(res, 404, "not_found");
  });
});

describe("Acrobat Sign verification of intent (GET)", () => {
  test("an allowed client id is echoed in header and body", async () => {
    const res = await reachesNoOrigin(() =>
      post(`${worker.url}${hookPath("acrobat-sign")}`, undefined, { "X-ADOBESIGN-CLIENTID": SECRETS.acrobatClientId }, "GET"),
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-adobesign-clientid"), SECRETS.acrobatClientId);
    assert.deepEqual(res.json, { xAdobeSignClientId: SECRETS.acrobatClientId });
  });

  test("an unknown client id is refused with 403, a missing one with 401", async () => {
    let res = await reachesNoOrigin(() =>
      post(`${worker.url}${hookPath("acrobat-sign")}`, undefined, { "x-adobesign-clientid": "BGBQIIE7H253K6" }, "GET"),
    );
    assertProblem(res, 403, "unknown_client_id");
    assert.equal(res.headers.get("x-adobesign-clientid"), null);
    res = await reachesNoOrigin(() => post(`${worker.url}${hookPath("acrobat-sign")}`, undefined, {}, "GET"));
    assertProblem(res, 401, "missing_client_id");
  });
});

describe("origin failures answer 5xx so the provider retries", () => {
  test("origin answers 500: 502 delivery_failed", async () => {
    origin.behavior = "fail";
    try {
      const body = await fixture("yousign", "signer-done");
      const before = origin.received.length;
      const res = await post(`${worker.url}/hooks/yousign`, body, signed("yousign", body));
      assertProblem(res, 502, "delivery_failed");
      assert.equal(origin.received.length, before + 1, "the delivery was attempted");
      assert.doesNotMatch(res.text, /127\.0\.0\.1/, "the origin URL is not disclosed");
    } finally {
      origin.behavior = "ok";
    }
  });

  test("origin hangs: 502 delivery_failed after ORIGIN_TIMEOUT_MS", async () => {
    origin.behavior = "hang";
    try {
      const body = await fixture("acrobat-sign", "agreement-rejected");
      const started = Date.now();
      const res = await post(`${worker.url}${hookPath("acrobat-sign")}`, body, signed("acrobat-sign", body));
      const elapsed = Date.now() - started;
      assertProblem(res, 502, "delivery_failed");
      assert.match(res.json.detail, /did not answer within 1500 ms/);
      assert.ok(elapsed >= ORIGIN_TIMEOUT_MS - 100 && elapsed < ORIGIN_TIMEOUT_MS + 3000, `took ${elapsed} ms`);
      assert.equal(res.headers.get("x-adobesign-clientid"), null, "no success echo on failure");
    } finally {
      origin.behavior = "ok";
    }
  });
});

describe("other routes and logs", () => {
  test("GET /healthz", async () => {
    const res = await post(`${worker.url}/healthz`, undefined, {}, "GET");
    assert.equal(res.status, 200);
    // nodejs_compat (wrangler.toml) gives the core workerd's node:crypto (src/worker/host.rs).
    assert.deepEqual(res.json, { status: "ok", digest: "node:crypto" });
  });

  test("GET / serves the www/ page", { skip: !existsSync(path.join(ROOT, "www", "index.html")) && "www/index.html does not exist yet" }, async () => {
    const res = await fetch(`${worker.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/html/);
  });

  test("one JSON log line per request, without secrets or bodies", async () => {
    // The admin routes, with the right token and a wrong one, so that both are in play.
    const adminUrl = `${worker.url}/admin/dead-letters`;
    assert.equal((await post(adminUrl, undefined, { authorization: `Bearer ${DIRECT_ADMIN_TOKEN}x` }, "GET")).status, 401);
    await post(adminUrl, undefined, { authorization: `Bearer ${DIRECT_ADMIN_TOKEN}` }, "GET");
    // Acrobat Sign's URL token, on both of its routes (security review T3-2).
    await post(`${worker.url}${hookPath("acrobat-sign")}`, undefined, { "X-AdobeSign-ClientId": SECRETS.acrobatClientId }, "GET");
    await post(`${worker.url}/hooks/acrobat-sign/${SECRETS.acrobatUrlToken}x`, "{}", signed("acrobat-sign", Buffer.from("{}")));
    // Give wrangler a moment to flush the last lines.
    await new Promise((r) => setTimeout(r, 500));
    const lines = worker.logLines();
    assert.ok(lines.length >= 20, `got ${lines.length} log lines`);
    const delivered = lines.filter((l) => l.outcome === "delivered");
    assert.deepEqual(new Set(delivered.map((l) => l.provider)), new Set([...DELIVERIES.map((d) => d.provider), "pandadoc"]));
    // A delivery of several events says how many.
    assert.ok(delivered.some((l) => l.provider === "pandadoc" && l.events === 3), "the PandaDoc line counts its events");
    for (const l of delivered) {
      assert.equal(l.mode, "direct");
      assert.equal(l.status, 200);
      assert.equal(typeof l.id, "string");
      assert.match(l.type, /^esign\./);
      assert.equal(typeof l.duration_ms, "number");
    }
    assert.ok(lines.some((l) => l.outcome === "signature_mismatch" && l.status === 401));
    assert.ok(lines.some((l) => l.outcome === "delivery_failed" && l.status === 502));
    assert.ok(lines.some((l) => l.outcome === "handshake" && l.provider === "boldsign" && l.status === 200));
    assert.ok(lines.some((l) => l.outcome === "handshake" && l.provider === "dropbox-sign" && l.status === 200));
    const acrobat = lines.filter((l) => l.provider === "acrobat-sign");
    assert.ok(acrobat.length >= 3, "Acrobat Sign's lines");
    for (const l of acrobat) assert.equal(l.path, "/hooks/acrobat-sign/…", "the URL token is written …");
    // Everything the run printed: the Worker's request lines, its errors (plain text) and
    // wrangler's own lines (which show each var as "(hidden)"), but for wrangler's local
    // access log ("[wrangler:info] GET /hooks/acrobat-sign/<token> 200 OK"): like the
    // platform's request logs it holds each URL, as docs/worker.md says.
    const text = worker
      .output()
      .split("\n")
      .filter((l) => !/^\[wrangler:info\] [A-Z]+ \//.test(l))
      .join("\n");
    assert.match(text, /ZOHO_SIGN_SECRETS \("\(hidden\)"\)/, "wrangler's listing of the vars is in the text read");
    const secrets = [SECRETS.acrobatUrlToken, DIRECT_ADMIN_TOKEN, "zigned_old_secret", "documenso_old_secret", "onespan_old_callback_key", "boldsign_unrelated_secret", "signwell-old-webhook-id", "dropbox-sign-old-api-key", "pandadoc-old-shared-key", "xodo-sign-old-api-key", SECRETS.forward, SECRETS.forward.slice(6)];
    // Every provider's secret (Acrobat Sign's client id is public, not a secret).
    for (const p of providerNames().filter((p) => p !== "acrobat-sign")) secrets.push(EXAMPLE_SECRETS[p]);
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret.slice(0, 6)}… appears in the logs`);
    assert.ok(!text.includes("Beer Olympics"), "a body appears in the logs");
  });
});
