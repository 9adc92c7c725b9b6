// A Worker whose delivery is misconfigured answers 5xx (so the provider retries and nothing
// is lost), never acknowledges an event it cannot forward, and never sends an unsigned one.
// Every configuration runs in one workerd (`startWorkers`): they differ only in their vars.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";

import { SECRETS, fixture, freePort, hookPath, post, signed, startOrigin, startWorkers } from "./harness.mjs";

const providerVars = {
  ZOHO_SIGN_SECRETS: SECRETS.zoho,
  ACROBAT_SIGN_CLIENT_IDS: SECRETS.acrobatClientId,
};

async function zohoDelivery(url) {
  const body = await fixture("zoho-sign", "request-completed");
  return post(`${url}/hooks/zoho-sign`, body, signed("zoho-sign", body));
}

const FORWARD_CASES = [
  ["FORWARD_SECRET unset", "", 503, "no_secret_configured"],
  ["FORWARD_SECRET not whsec_ base64", "whsec_not*base64", 503, "invalid_secret"],
  ["FORWARD_SECRET too short", "whsec_" + Buffer.from("short").toString("base64"), 503, "invalid_secret"],
];

const CONFIG_CASES = [
  // security review M-5: a deploy that forgot ORIGIN_URL used to acknowledge and drop.
  ["neither ORIGIN_URL nor DELIVERY=inspect", {}, "no_origin_configured"],
  ["DELIVERY=queue without ORIGIN_URL", { DELIVERY: "queue" }, "no_origin_configured"],
  ["DELIVERY not a mode", { DELIVERY: "inspekt" }, "invalid_config"],
  ["ORIGIN_URL plain http to a non-loopback host", { ORIGIN_URL: "http://origin.example.com/hooks", FORWARD_SECRET: SECRETS.forward }, "invalid_config"],
  // security review T3-6: WHATWG reads `\` as `/`, so this host is 192.0.2.2, not loopback.
  ["ORIGIN_URL with a backslash before a loopback-looking part", { DELIVERY: "direct", ORIGIN_URL: "http://192.0.2.2:8854\\@127.0.0.1/hooks", FORWARD_SECRET: SECRETS.forward }, "invalid_config"],
  ["ORIGIN_URL with user info", { DELIVERY: "direct", ORIGIN_URL: "http://user:pw@127.0.0.1:9/hooks", FORWARD_SECRET: SECRETS.forward }, "invalid_config"],
];

let origin;
let workers;
const closedPort = await freePort(); // nothing listens there

before(async () => {
  origin = await startOrigin();
  const cases = {
    unreachable: { ...providerVars, DELIVERY: "direct", ORIGIN_URL: `http://127.0.0.1:${closedPort}/events`, FORWARD_SECRET: SECRETS.forward },
    // WHATWG normalizes 0x7f.1 to 127.0.0.1: loopback, accepted as the runtime reads it.
    hexLoopback: { ...providerVars, DELIVERY: "direct", ORIGIN_URL: `http://0x7f.1:${closedPort}/events`, FORWARD_SECRET: SECRETS.forward },
  };
  // No DELIVERY: queue mode, the default with ORIGIN_URL, checks the same before it
  // accepts anything.
  FORWARD_CASES.forEach(([, forwardSecret], i) => (cases[`forward${i}`] = { ...providerVars, ORIGIN_URL: origin.url, FORWARD_SECRET: forwardSecret }));
  CONFIG_CASES.forEach(([, vars], i) => (cases[`config${i}`] = { ...providerVars, ...vars }));
  workers = await startWorkers(cases);
});

after(async () => {
  await workers?.stop();
  await origin?.close();
});

describe("origin not listening", () => {
  test("502 delivery_failed", async () => {
    const res = await zohoDelivery(workers.url("unreachable"));
    assert.equal(res.status, 502, res.text);
    assert.equal(res.json.code, "delivery_failed");
    assert.equal(res.json.detail, "origin is unreachable");
  });

  test("Acrobat gets no success echo when origin is down", async () => {
    const body = await fixture("acrobat-sign", "agreement-rejected");
    const res = await post(`${workers.url("unreachable")}${hookPath("acrobat-sign")}`, body, signed("acrobat-sign", body));
    assert.equal(res.status, 502, res.text);
    assert.equal(res.headers.get("x-adobesign-clientid"), null);
  });

  test("a loopback host spelled another way (0x7f.1) is loopback as the runtime parses it", async () => {
    const res = await zohoDelivery(workers.url("hexLoopback"));
    assert.equal(res.status, 502, res.text);
    assert.equal(res.json.code, "delivery_failed");
  });
});

FORWARD_CASES.forEach(([label, , status, code], i) => {
  describe(`origin set, ${label}`, () => {
    test(`${status} ${code}, and nothing unsigned reaches origin`, async () => {
      const before = origin.received.length;
      const res = await zohoDelivery(workers.url(`forward${i}`));
      assert.equal(res.status, status, res.text);
      assert.equal(res.json.code, code);
      assert.equal(origin.received.length, before);
    });
  });
});

CONFIG_CASES.forEach(([label, , code], i) => {
  describe(label, () => {
    test(`503 ${code}; Acrobat gets no echo`, async () => {
      const url = workers.url(`config${i}`);
      const res = await zohoDelivery(url);
      assert.equal(res.status, 503, res.text);
      assert.equal(res.json.code, code);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.doesNotMatch(res.text, /192\.0\.2\.2|user:pw/, "the URL is not echoed");
      const body = await fixture("acrobat-sign", "agreement-rejected");
      const acro = await post(`${url}${hookPath("acrobat-sign")}`, body, signed("acrobat-sign", body));
      assert.equal(acro.status, 503, acro.text);
      assert.equal(acro.headers.get("x-adobesign-clientid"), null);
    });
  });
});

describe("admin routes without ADMIN_TOKEN", () => {
  /** GET `path` with a `host` header (Node's fetch drops one). */
  const get = (url, path, host) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const req = http.request({ host: "127.0.0.1", port: u.port, path, headers: { host } }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
      });
      req.on("error", reject);
      req.end();
    });

  test("locally a 404 that says how to set one; deployed a bare 404", async () => {
    const url = workers.url("unreachable");
    const local = await get(url, "/admin/dead-letters", `127.0.0.1:${new URL(url).port}`);
    assert.equal(local.status, 404);
    assert.match(local.json.detail, /ADMIN_TOKEN/);
    assert.match(local.json.detail, /scripts\/dev\.sh --queue/);
    const deployed = await get(url, "/admin/dead-letters", "signhook.example.com");
    assert.equal(deployed.status, 404);
    assert.equal(deployed.json.detail, "no route for this path");
  });

  test("every admin route is a 404 without ADMIN_TOKEN, whatever the method", async () => {
    const url = workers.url("unreachable");
    const paths = ["dead-letters", "dead-letters/replay", "dead-letters/1/replay", "events", "events/msg_x", "stats", "metrics", "tenants", "tenants/acme", "tenants/acme/secrets", "tenants/acme/audit"];
    for (const path of paths) {
      const got = await get(url, `/admin/${path}`, "signhook.example.com");
      assert.deepEqual([got.status, got.json.detail], [404, "no route for this path"], path);
      for (const method of ["POST", "PATCH", "DELETE"]) {
        const res = await post(`${url}/admin/${path}`, "{}", { authorization: "Bearer x".padEnd(40, "x") }, method);
        assert.equal(res.status, 404, `${method} ${path}`);
      }
    }
  });
});
