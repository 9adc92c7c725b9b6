// Inspect mode in workerd (DELIVERY=inspect, as .dev.vars.example sets it): the answer is the normalized
// event; a provider without secrets fails closed; the default 10 MiB limit applies.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";

import { HTTP } from "cloudevents";

import { DELIVERIES, EXAMPLE_SECRETS, SECRETS, pandadocQuery, SHARED_SECRET_PROVIDERS, expectedRaw, fixture, hookPath, post, signed, startWorker } from "./harness.mjs";

let worker;

before(async () => {
  worker = await startWorker({
    // No ORIGIN_URL, no FORWARD_SECRET: inspect mode needs neither.
    DELIVERY: "inspect",
    ZOHO_SIGN_SECRETS: SECRETS.zoho,
    ZIGNED_SECRETS: SECRETS.zigned,
    DOCUSIGN_SECRETS: SECRETS.docusign,
    DOCUSEAL_SECRETS: SECRETS.docuseal,
    DOCUMENSO_SECRETS: SECRETS.documenso,
    ONESPAN_SIGN_SECRETS: SECRETS.onespan,
    BOLDSIGN_SECRETS: SECRETS.boldsign,
    SIGNWELL_SECRETS: SECRETS.signwell,
    DROPBOX_SIGN_SECRETS: SECRETS.dropboxSign,
    PANDADOC_SECRETS: SECRETS.pandadoc,
    ACROBAT_SIGN_CLIENT_IDS: SECRETS.acrobatClientId,
    BOX_SIGN_SECRETS: EXAMPLE_SECRETS["box-sign"],
    SIGNABLE_SECRETS: EXAMPLE_SECRETS.signable,
    XODO_SIGN_SECRETS: EXAMPLE_SECRETS["xodo-sign"],
    SIGNATUREAPI_SECRETS: EXAMPLE_SECRETS.signatureapi,
    // YOUSIGN_SECRETS deliberately unset.
  });
});

after(async () => {
  await worker?.stop();
});

for (const d of DELIVERIES.filter((d) => d.provider !== "acrobat-sign" && d.provider !== "yousign")) {
  test(`${d.provider}: answers with the normalized CloudEvent`, async () => {
    const body = await fixture(d.provider, d.fixture);
    const res = await post(`${worker.url}${hookPath(d.provider)}`, body, signed(d.provider, body));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("content-type"), "application/cloudevents+json");
    const event = HTTP.toEvent({ headers: Object.fromEntries(res.headers), body: res.text });
    assert.equal(event.type, d.type);
    assert.equal(event.subject, d.subject);
    assert.equal(event.source, `signhook/${d.provider}`);
    assert.deepEqual(event.data.raw, JSON.parse(expectedRaw(d, body)));
    for (const value of d.redacted ?? []) assert.ok(!res.text.includes(value), `${value} leaves the edge`);
    assert.equal(event.data.verification.scheme, SHARED_SECRET_PROVIDERS.includes(d.provider) ? "shared-secret" : "hmac-sha256");
  });
}

// Fuzz finding F-3: Box Sign sends a signature per application key; a delivery signed in
// BOX-SIGNATURE-SECONDARY alone is genuine, and the check before the body is read let it
// through only once it read every header the proof takes.
test("box-sign: a delivery signed with the secondary key alone is taken; without its signed time it is refused before the body", async () => {
  const body = await fixture("box-sign", "sdk-vector-1-file-uploaded");
  const headers = signed("box-sign", body);
  delete headers["BOX-SIGNATURE-PRIMARY"];
  const res = await post(`${worker.url}${hookPath("box-sign")}`, body, headers);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.data.verification.covers, "timestamp+body");
  delete headers["BOX-DELIVERY-TIMESTAMP"];
  const refused = await post(`${worker.url}${hookPath("box-sign")}`, body, headers);
  assert.equal(refused.status, 401, refused.text);
  assert.equal(refused.json.code, "missing_signature");
});

test("acrobat-sign: the client id echo and the event, side by side", async () => {
  const d = DELIVERIES.find((d) => d.provider === "acrobat-sign");
  const body = await fixture(d.provider, d.fixture);
  const res = await post(`${worker.url}${hookPath("acrobat-sign")}`, body, signed("acrobat-sign", body));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get("x-adobesign-clientid"), SECRETS.acrobatClientId);
  assert.match(res.headers.get("content-type"), /^application\/json/);
  assert.equal(res.json.xAdobeSignClientId, SECRETS.acrobatClientId);
  const event = res.json.event;
  assert.equal(event.specversion, "1.0");
  assert.equal(event.id, d.id);
  assert.equal(event.type, d.type);
  assert.equal(event.subject, d.subject);
  assert.equal(event.data.reason, "Declining to sign the agreement");
  // The URL token authenticated the sender; the body itself is not covered.
  assert.deepEqual(event.data.verification, { scheme: "url-token", covers: "shared-secret", key: 0 });
});

test("a provider with no secret configured refuses: 503 no_secret_configured", async () => {
  const body = await fixture("yousign", "signer-done");
  const res = await post(`${worker.url}/hooks/yousign`, body, signed("yousign", body));
  assert.equal(res.status, 503, res.text);
  assert.equal(res.json.code, "no_secret_configured");
  assert.match(res.headers.get("content-type"), /^application\/problem\+json/);
});

test("the default limit is 10 MiB: a larger declared body gets 413", async () => {
  const limit = 10 * 1024 * 1024;
  const body = Buffer.alloc(limit + 1, 0x20);
  const res = await post(`${worker.url}/hooks/zoho-sign`, body, signed("zoho-sign", body));
  assert.equal(res.status, 413, res.text);
  assert.equal(res.json.code, "payload_too_large");
  assert.match(res.json.detail, /10485760/);
});

test("pandadoc: an array answers with every event, as a CloudEvents JSON batch", async () => {
  const body = await fixture("pandadoc", "array-of-three-rotation");
  const res = await post(`${worker.url}/hooks/pandadoc?${pandadocQuery(body)}`, body, {
    "content-type": "application/json",
    "X-PandaDoc-Webhook-Event-Id": "inspect-delivery",
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get("content-type"), "application/cloudevents-batch+json");
  const events = JSON.parse(res.text);
  // Ids from the signed body's hash (the header is not covered by the MAC: T3-1).
  const base = createHash("sha256").update("signhook/pandadoc\n").update(body).digest("hex").slice(0, 32);
  assert.deepEqual(events.map((e) => e.id), [0, 1, 2].map((i) => `${base}:${i}`));
  // The CloudEvents SDK reads the batch.
  const parsed = HTTP.toEvent({ headers: Object.fromEntries(res.headers), body: res.text });
  assert.equal(parsed.length, 3);
  assert.equal(parsed[2].type, "esign.envelope.completed");
});
