// A Worker whose delivery is misconfigured answers 5xx (so the provider retries and nothing
// is lost), never acknowledges an event it cannot forward, and never sends an unsigned one.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { SECRETS, fixture, freePort, hookPath, post, signed, startOrigin, startWorker } from "./harness.mjs";

const providerVars = {
  ZOHO_SIGN_SECRETS: SECRETS.zoho,
  ACROBAT_SIGN_CLIENT_IDS: SECRETS.acrobatClientId,
};

async function zohoDelivery(worker) {
  const body = await fixture("zoho-sign", "request-completed");
  return post(`${worker.url}/hooks/zoho-sign`, body, signed("zoho-sign", body));
}

describe("origin not listening", () => {
  let worker;
  before(async () => {
    const closed = await freePort(); // nothing listens there
    worker = await startWorker({
      ...providerVars,
      DELIVERY: "direct",
      ORIGIN_URL: `http://127.0.0.1:${closed}/events`,
      FORWARD_SECRET: SECRETS.forward,
    });
  });
  after(() => worker?.stop());

  test("502 delivery_failed", async () => {
    const res = await zohoDelivery(worker);
    assert.equal(res.status, 502, res.text);
    assert.equal(res.json.code, "delivery_failed");
    assert.equal(res.json.detail, "origin is unreachable");
  });

  test("Acrobat gets no success echo when origin is down", async () => {
    const body = await fixture("acrobat-sign", "agreement-rejected");
    const res = await post(`${worker.url}${hookPath("acrobat-sign")}`, body, signed("acrobat-sign", body));
    assert.equal(res.status, 502, res.text);
    assert.equal(res.headers.get("x-adobesign-clientid"), null);
  });
});

for (const [label, forwardSecret, status, code] of [
  ["FORWARD_SECRET unset", "", 503, "no_secret_configured"],
  ["FORWARD_SECRET not whsec_ base64", "whsec_not*base64", 503, "invalid_secret"],
  ["FORWARD_SECRET too short", "whsec_" + Buffer.from("short").toString("base64"), 503, "invalid_secret"],
]) {
  describe(`origin set, ${label}`, () => {
    let worker;
    let origin;
    before(async () => {
      origin = await startOrigin();
      worker = await startWorker({ ...providerVars, ORIGIN_URL: origin.url, FORWARD_SECRET: forwardSecret });
      // No DELIVERY: queue mode, the default with ORIGIN_URL, checks the same before it
      // accepts anything.
    });
    after(async () => {
      await worker?.stop();
      await origin?.close();
    });

    test(`${status} ${code}, and nothing unsigned reaches origin`, async () => {
      const res = await zohoDelivery(worker);
      assert.equal(res.status, status, res.text);
      assert.equal(res.json.code, code);
      assert.equal(origin.received.length, 0);
    });
  });
}

for (const [label, vars, code] of [
  // SECURITY-REVIEW M-5: a deploy that forgot ORIGIN_URL used to acknowledge and drop.
  ["neither ORIGIN_URL nor DELIVERY=inspect", {}, "no_origin_configured"],
  ["DELIVERY=queue without ORIGIN_URL", { DELIVERY: "queue" }, "no_origin_configured"],
  ["DELIVERY not a mode", { DELIVERY: "inspekt" }, "invalid_config"],
  ["ORIGIN_URL plain http to a non-loopback host", { ORIGIN_URL: "http://origin.example.com/hooks", FORWARD_SECRET: SECRETS.forward }, "invalid_config"],
]) {
  describe(label, () => {
    let worker;
    before(async () => {
      worker = await startWorker({ ...providerVars, ...vars });
    });
    after(() => worker?.stop());

    test(`503 ${code}; Acrobat gets no echo`, async () => {
      const res = await zohoDelivery(worker);
      assert.equal(res.status, 503, res.text);
      assert.equal(res.json.code, code);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      const body = await fixture("acrobat-sign", "agreement-rejected");
      const acro = await post(`${worker.url}${hookPath("acrobat-sign")}`, body, signed("acrobat-sign", body));
      assert.equal(acro.status, 503, acro.text);
      assert.equal(acro.headers.get("x-adobesign-clientid"), null);
    });
  });
}
