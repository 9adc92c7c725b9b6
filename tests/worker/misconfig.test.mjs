// Direct mode when origin or the forwarding secret is wrong: the Worker answers 5xx (so
// the provider retries and nothing is lost) and never sends an unsigned event.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { SECRETS, fixture, freePort, post, signed, startOrigin, startWorker } from "./harness.mjs";

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
    const res = await post(`${worker.url}/hooks/acrobat-sign`, body, signed("acrobat-sign", body));
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
