// The security reviews' findings, tried against the real Worker: H-1 Acrobat Sign's URL
// token, M-1 cheap checks before reading and a bounded read, M-4 the replay bound, I-5
// public example secrets, I-4 bounded problem details, I-2 duplicated proof headers; from
// the second review T3-3 the clock bound, T3-5 Dropbox Sign's split, T3-7 the events'
// count, T3-10 the admin token's length (T3-1, T3-4 and T3-3's ordering guard are in
// queue.test.mjs, T3-2 in direct.test.mjs, T3-6 in misconfig.test.mjs). Inspect mode: the
// answer shows what origin would get.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import http from "node:http";
import { after, before, describe, test } from "node:test";

import { SECRETS, fixture, hookPath, post, signed, startWorker } from "./harness.mjs";

const MAX_BODY_BYTES = 64 * 1024;

/** A raw HTTP request (Node's fetch drops a `host` header and cannot send chunked bodies
 * without a stream). `body` chunks are written one by one, so with no content-length the
 * request is chunked. */
function rawRequest(url, { method = "POST", path, headers = {}, chunks = [] }) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: u.port, path, method, headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let json;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    // The Worker may answer before the body is sent; that is the point of some tests. Under
    // wrangler dev the connection may then be reset before the answer arrives: say so.
    req.on("error", (e) =>
      e.code === "EPIPE" || e.code === "ECONNRESET" ? resolve({ status: "reset", headers: {}, text: "", json: undefined }) : reject(e),
    );
    (async () => {
      for (const c of chunks) {
        if (!req.write(c)) await new Promise((r) => req.once("drain", r));
      }
      req.end();
    })().catch(() => {});
  });
}

describe("H-1: Acrobat Sign needs a secret URL token", () => {
  let worker;
  before(async () => {
    worker = await startWorker({
      DELIVERY: "inspect",
      ACROBAT_SIGN_CLIENT_IDS: SECRETS.acrobatClientId,
      ACROBAT_SIGN_URL_TOKENS: `old-token-0000000000000000 ${SECRETS.acrobatUrlToken}`,
    });
  });
  after(() => worker?.stop());

  test("the right token: accepted, and the event says what the proof covers", async () => {
    const body = await fixture("acrobat-sign", "agreement-rejected");
    const res = await post(`${worker.url}${hookPath("acrobat-sign")}`, body, signed("acrobat-sign", body));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("x-adobesign-clientid"), SECRETS.acrobatClientId);
    assert.deepEqual(res.json.event.data.verification, { scheme: "url-token", covers: "shared-secret", key: 1 });
  });

  test("no token, a wrong one, a prefix of the right one: 404, nothing echoed", async () => {
    const body = await fixture("acrobat-sign", "agreement-rejected");
    for (const path of [
      "/hooks/acrobat-sign",
      "/hooks/acrobat-sign/not-the-token",
      `/hooks/acrobat-sign/${SECRETS.acrobatUrlToken.slice(0, -1)}`,
      `/hooks/acrobat-sign/${SECRETS.acrobatUrlToken}x`,
    ]) {
      const res = await post(`${worker.url}${path}`, body, signed("acrobat-sign", body));
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal(res.json.code, "not_found");
      assert.equal(res.headers.get("x-adobesign-clientid"), null);
      const intent = await post(`${worker.url}${path}`, undefined, { "X-AdobeSign-ClientId": SECRETS.acrobatClientId }, "GET");
      assert.equal(intent.status, 404, path);
    }
    const intent = await post(`${worker.url}${hookPath("acrobat-sign")}`, undefined, { "X-AdobeSign-ClientId": SECRETS.acrobatClientId }, "GET");
    assert.equal(intent.status, 200);
    assert.equal(intent.json.xAdobeSignClientId, SECRETS.acrobatClientId);
  });

  test("a token path on another provider is not a route", async () => {
    const body = await fixture("zoho-sign", "request-completed");
    const res = await post(`${worker.url}/hooks/zoho-sign/${SECRETS.acrobatUrlToken}`, body, signed("zoho-sign", body));
    assert.equal(res.status, 404);
  });
});

describe("H-1: fail closed without a token", () => {
  for (const [label, vars, status, covers] of [
    ["no token, no opt-in: 503 no_secret_configured", {}, 503, null],
    ["ACROBAT_SIGN_CLIENT_ID_ONLY=true: accepted, covers stays client-id", { ACROBAT_SIGN_CLIENT_ID_ONLY: "true" }, 200, "client-id"],
  ]) {
    test(label, async () => {
      const worker = await startWorker({
        DELIVERY: "inspect",
        ACROBAT_SIGN_CLIENT_IDS: SECRETS.acrobatClientId,
        ACROBAT_SIGN_URL_TOKENS: "",
        ...vars,
      });
      try {
        const body = await fixture("acrobat-sign", "agreement-rejected");
        const res = await post(`${worker.url}/hooks/acrobat-sign`, body, signed("acrobat-sign", body));
        assert.equal(res.status, status, res.text);
        if (covers) assert.equal(res.json.event.data.verification.covers, covers);
        else {
          assert.equal(res.json.code, "no_secret_configured");
          assert.match(res.json.detail, /ACROBAT_SIGN_URL_TOKENS/);
          assert.equal(res.headers.get("x-adobesign-clientid"), null);
        }
      } finally {
        await worker.stop();
      }
    });
  }
});

describe("the Worker's defaults", () => {
  let worker;
  before(async () => {
    worker = await startWorker({
      DELIVERY: "inspect",
      ZOHO_SIGN_SECRETS: SECRETS.zoho,
      YOUSIGN_SECRETS: SECRETS.yousign,
      DROPBOX_SIGN_SECRETS: SECRETS.dropboxSign,
      PANDADOC_SECRETS: SECRETS.pandadoc,
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      MAX_EVENT_AGE_SECONDS: "", // the production default: 7 days
      ADMIN_TOKEN: "short-admin-token", // under 32 characters
    });
  });
  after(() => worker?.stop());

  test("M-4: a delivery whose signed event time is older than 7 days is refused; a fresh one passes", async () => {
    // The real Zoho payload of 2021, correctly signed: a replay.
    const old = await fixture("zoho-sign", "request-completed");
    let res = await post(`${worker.url}/hooks/zoho-sign`, old, signed("zoho-sign", old));
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json.code, "event_too_old");
    const now = Math.floor(Date.now() / 1000);
    for (const [age, status] of [[3600, 200], [6 * 86400, 200], [8 * 86400, 401]]) {
      const body = Buffer.from(
        JSON.stringify({ event_id: `age-${age}`, event_name: "signer.done", event_time: String(now - age), data: { signature_request: { id: "sr" } } }),
      );
      res = await post(`${worker.url}/hooks/yousign`, body, signed("yousign", body));
      assert.equal(res.status, status, `${age} s old: ${res.text}`);
    }
  });

  test("T3-3: a signed event time more than 300 s ahead of the edge is event_too_new", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [ahead, status] of [[200, 200], [400, 401], [4_102_444_800 - now, 401]]) {
      const body = Buffer.from(
        JSON.stringify({ event_id: `ahead-${ahead}`, event_name: "signer.done", event_time: String(now + ahead), data: { signature_request: { id: "sr" } } }),
      );
      const res = await post(`${worker.url}/hooks/yousign`, body, signed("yousign", body));
      assert.equal(res.status, status, `${ahead} s ahead: ${res.text}`);
      if (status === 401) assert.equal(res.json.code, "event_too_new");
    }
  });

  test("T3-5: a Dropbox Sign proof re-split to lose its time is malformed; a missing signed time is too old", async () => {
    const old = String(Math.floor(Date.now() / 1000) - 30 * 86400);
    const type = "signature_request_all_signed";
    const hash = createHmac("sha256", SECRETS.dropboxSign).update(`${old}${type}`).digest("hex");
    const body = (time, eventType) =>
      Buffer.from(JSON.stringify({ event: { event_time: time, event_type: eventType, event_hash: hash }, signature_request: { signature_request_id: "sr-VICTIM", is_complete: true } }));
    let res = await post(`${worker.url}/hooks/dropbox-sign`, body(old, type), signed("dropbox-sign", body(old, type)));
    assert.equal(res.json.code, "event_too_old", res.text);
    for (const [time, eventType] of [["", `${old}${type}`], [`${old}${type}`, ""], [old.slice(0, 3), old.slice(3) + type]]) {
      res = await post(`${worker.url}/hooks/dropbox-sign`, body(time, eventType), signed("dropbox-sign", body(time, eventType)));
      assert.equal(res.status, 401, res.text);
      assert.equal(res.json.code, "malformed_signature", `${time} | ${eventType}`);
    }
  });

  test("T3-7: a PandaDoc delivery of more than 100 events is refused before its events are built", async () => {
    const body = Buffer.from(JSON.stringify(Array.from({ length: 101 }, () => ({}))));
    const sig = createHmac("sha256", SECRETS.pandadoc).update(body).digest("hex");
    const res = await post(`${worker.url}/hooks/pandadoc?signature=${sig}`, body, { "content-type": "application/json" });
    assert.equal(res.status, 413, res.text);
    assert.equal(res.json.code, "too_many_events");
    assert.ok(res.text.length < 1_000, "no event was built into the answer");
  });

  test("T3-10: an ADMIN_TOKEN shorter than 32 characters is invalid_config, even with the right token", async () => {
    const res = await post(`${worker.url}/admin/dead-letters`, undefined, { authorization: "Bearer short-admin-token" }, "GET");
    assert.equal(res.status, 503, res.text);
    assert.equal(res.json.code, "invalid_config");
    assert.doesNotMatch(res.text, /short-admin-token/, "the token is not echoed");
  });

  test("M-1: an unsigned chunked body is refused before it is read", async () => {
    // 8 MiB, chunked, no content-length, no signature header: before the fix it was read
    // whole and then refused as too large.
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const res = await rawRequest(worker.url, {
      path: "/hooks/zoho-sign",
      headers: { "content-type": "application/json" },
      chunks: Array.from({ length: 128 }, () => chunk),
    });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json.code, "missing_signature");
  });

  test("M-1: a signed chunked body stops being read at the limit: 413", async () => {
    const body = Buffer.from(JSON.stringify({ pad: "a".repeat(4 * MAX_BODY_BYTES) }));
    const sig = createHmac("sha256", SECRETS.zoho).update(body).digest("base64");
    const chunks = [];
    for (let i = 0; i < body.length; i += 4096) chunks.push(body.subarray(i, i + 4096));
    const res = await rawRequest(worker.url, {
      path: "/hooks/zoho-sign",
      headers: { "X-ZS-WEBHOOK-SIGNATURE": sig },
      chunks,
    });
    // The Worker stops reading at the limit and answers 413 while the client is still
    // sending; wrangler dev's proxy then sometimes resets the connection, or answers 500
    // "Network connection lost" itself, instead of passing the 413 on (bench/worker/load.mjs
    // counts these as "early close"). Either way the body was not read to its end.
    const earlyClose = res.status === "reset" || (res.status === 500 && /Network connection lost/.test(res.text));
    if (!earlyClose) {
      assert.equal(res.status, 413, res.text);
      assert.equal(res.json.code, "payload_too_large");
      assert.match(res.json.detail, new RegExp(`limit of ${MAX_BODY_BYTES} bytes`));
    }
  });

  test("I-2: a duplicated proof header is malformed (as in the CLI and npm)", async () => {
    const body = await fixture("zoho-sign", "request-completed");
    const [name, value] = Object.entries(signed("zoho-sign", body)).find(([n]) => n.startsWith("X-ZS"));
    const res = await rawRequest(worker.url, {
      path: "/hooks/zoho-sign",
      headers: [name, value, name, value, "content-length", String(body.length), "host", "127.0.0.1"],
      chunks: [body],
    });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json.code, "malformed_signature");
  });

  test("I-4: problem details are bounded and never sniffed", async () => {
    const res = await post(`${worker.url}/x${"a".repeat(60_000)}`, "x");
    assert.equal(res.status, 404);
    assert.ok(res.text.length < 1_000, `${res.text.length} bytes`);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  });

  test("I-5: the public example secrets work on localhost only", async () => {
    const body = await fixture("zoho-sign", "request-completed");
    const res = await rawRequest(worker.url, {
      path: "/hooks/zoho-sign",
      headers: { ...signed("zoho-sign", body), host: "signhook.example.com" },
      chunks: [body],
    });
    assert.equal(res.status, 503, res.text);
    assert.equal(res.json.code, "invalid_secret");
    assert.match(res.json.detail, /public example value/);
    assert.doesNotMatch(res.text, new RegExp(SECRETS.zoho), "the value itself is not echoed");
  });
});
