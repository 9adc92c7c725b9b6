// The security review's findings, tried against the real Worker (../shared/SECURITY-REVIEW.md):
// H-1 Acrobat Sign's URL token, M-1 cheap checks before reading and a bounded read, M-4 the
// replay bound, I-5 public example secrets, I-4 bounded problem details, I-2 duplicated
// proof headers. Inspect mode: the answer shows what origin would get.
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
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      MAX_EVENT_AGE_SECONDS: "", // the production default: 7 days
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
