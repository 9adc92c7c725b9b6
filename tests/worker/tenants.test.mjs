// Tenants against the real runtime (`wrangler dev` with local D1, migrated as the deploy
// walkthrough in docs/worker.md does, Queues, Durable Objects): the admin API and its bad
// inputs, tenant routes, cross-tenant forgeries, isolation of keys and envelopes, account
// binding, rotation and revocation within TENANT_CACHE_SECONDS, a tenant's own origin, and
// no secret in any answer or log line. What origin receives is verified with npm
// `standardwebhooks` and validated against the schema.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { Webhook } from "standardwebhooks";

import { ROOT, SECRETS, fixture, post, signed, startWorker, waitFor } from "./harness.mjs";
import { startFaultyOrigin } from "./queue-kit.mjs";

const ADMIN_TOKEN = "tenants-suite-admin-token-0123456789abcdef";
const TENANT_KEY = randomBytes(32).toString("base64");
const CACHE_SECONDS = 1;
// Every secret this suite hands the edge: none may come back in an answer or a log line.
const S = {
  acmeZoho: "acme-zoho-secret-one",
  acmeZoho2: "acme-zoho-secret-two",
  globexZoho: "globex-zoho-secret",
  acmeYousign: "acme-yousign-secret",
  globexYousign: "globex-yousign-secret",
  integratorDocusign: "integrator-docusign-connect-key",
  globexForward: "whsec_" + Buffer.from("globex-forward-key-32-bytes!!!!!").toString("base64"),
};

let origin;
let globexOrigin;
let worker;
const answers = [];

before(async () => {
  origin = await startFaultyOrigin((r) => new Webhook(SECRETS.forward).verify(r.body, r.headers));
  globexOrigin = await startFaultyOrigin((r) => new Webhook(S.globexForward).verify(r.body, r.headers));
  worker = await startWorker(
    {
      ORIGIN_URL: origin.url,
      FORWARD_SECRET: SECRETS.forward,
      ZOHO_SIGN_SECRETS: SECRETS.zoho,
      ADMIN_TOKEN,
      TENANT_KEY,
      TENANT_CACHE_SECONDS: String(CACHE_SECONDS),
      RETRY_MAX_ATTEMPTS: "3",
      RETRY_BASE_SECONDS: "1",
      RETRY_MAX_DELAY_SECONDS: "1",
    },
    { migrate: true },
  );
});

after(async () => {
  await worker?.stop();
  await origin?.close();
  await globexOrigin?.close();
});

/** An admin call; every answer is kept for the no-secret check. */
async function admin(method, path, body, token = ADMIN_TOKEN) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await post(`${worker.url}/admin/${path}`, body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body), headers, method);
  answers.push(res.text);
  return res;
}

async function hook(path, body, headers) {
  const res = await post(`${worker.url}${path}`, body, headers);
  answers.push(res.text);
  return res;
}

const sha256 = (...parts) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
};
/** docs/worker.md (Tenants): a tenant's webhook-id is msg_ + SHA-256("t", NUL, tenant, NUL, provider, NUL, id)[:32 hex]. */
const tenantWebhookId = (tenant, provider, id) => "msg_" + sha256(`t\0${tenant}\0${provider}\0${id}`).slice(0, 32);
/** The event id of a provider without ids: SHA-256 of "signhook/<provider>\n" + body. */
const bodyId = (provider, body) => sha256(`signhook/${provider}\n`, body).slice(0, 32);


/** A Zoho Sign body for request `request` (unique per label). */
function zohoBody(label, request = `req-${label}`) {
  const base = JSON.parse(fixtureText.zoho);
  base.requests.request_id = request;
  base.requests.request_name = `Tenant test ${label}`;
  base.notifications.performed_at = Date.now() - 60_000;
  return Buffer.from(JSON.stringify(base));
}
function yousignBody(label, { envelope, eventName = "signer.done", time }) {
  return Buffer.from(
    JSON.stringify({ event_id: `ys-${label}`, event_name: eventName, event_time: String(time), sandbox: false, data: { signature_request: { id: envelope, name: "Lease", status: "ongoing" } } }),
  );
}
function docusignBody(label, accountId) {
  const data = { envelopeId: `env-${label}`, userId: "u" };
  if (accountId !== undefined) data.accountId = accountId;
  return Buffer.from(
    JSON.stringify({ event: "envelope-completed", apiVersion: "v2.1", uri: "/restapi/v2.1/accounts/a/envelopes/e", retryCount: 0, configurationId: 7, generatedDateTime: new Date(Date.now() - 60_000).toISOString(), data }),
  );
}
const fixtureText = {};

describe("tenants", () => {
  before(async () => {
    fixtureText.zoho = (await fixture("zoho-sign", "request-completed")).toString("utf8");
  });

  test("the admin API: auth, create, show, list, bad inputs with stable codes", async () => {
    assert.equal((await admin("GET", "tenants", undefined, null)).status, 401);
    assert.equal((await admin("GET", "tenants", undefined, ADMIN_TOKEN + "x")).json.code, "unauthorized");
    let res = await admin("POST", "tenants", { id: "acme" });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.id, "acme");
    assert.equal(res.json.state, "active");
    assert.deepEqual(res.json.secrets, []);
    assert.equal((await admin("POST", "tenants", { id: "acme" })).json.code, "tenant_exists");
    assert.equal((await admin("POST", "tenants", { id: "acme" })).status, 409);
    for (const id of ["Acme", "-acme", "a".repeat(64), "a/b", ""]) {
      res = await admin("POST", "tenants", { id });
      assert.equal(res.status, 400, `${id}: ${res.text}`);
      assert.equal(res.json.code, "invalid_tenant");
    }
    res = await admin("POST", "tenants", "{not json");
    assert.equal(res.status, 400);
    assert.equal(res.json.code, "malformed_payload");
    assert.equal((await admin("POST", "tenants", { id: "x", extra: 1 })).status, 400, "unknown fields are refused");
    assert.equal((await admin("GET", "tenants/nobody")).json.code, "unknown_tenant");
    assert.equal((await admin("GET", "tenants/nobody")).status, 404);
    for (const [method, path] of [["GET", "tenants/Not_Valid"], ["PATCH", "tenants/-x"], ["DELETE", "tenants/Not_Valid"], ["POST", "tenants/Not_Valid/secrets"], ["GET", "tenants/Not_Valid/audit"]]) {
      res = await admin(method, path, method === "GET" || method === "DELETE" ? undefined : { state: "disabled" });
      assert.deepEqual([res.status, res.json.code], [400, "invalid_tenant"], `${method} ${path}`);
    }
    res = await admin("POST", "tenants/acme/secrets", { provider: "zoho", secret: "x" });
    assert.deepEqual([res.status, res.json.code], [400, "unknown_provider"]);
    for (const secret of ["", "   ", "\t"]) {
      res = await admin("POST", "tenants/acme/secrets", { provider: "zoho-sign", secret });
      assert.deepEqual([res.status, res.json.code], [400, "invalid_secret"], JSON.stringify(secret));
    }
    res = await admin("POST", "tenants/nobody/secrets", { provider: "zoho-sign", secret: "s" });
    assert.deepEqual([res.status, res.json.code], [404, "unknown_tenant"]);
    res = await admin("PATCH", "tenants/acme", { origin_url: "http://origin.example.com/x" });
    assert.deepEqual([res.status, res.json.code], [400, "invalid_config"]);
    res = await admin("PATCH", "tenants/acme", { forward_secret: "not-whsec" });
    assert.deepEqual([res.status, res.json.code], [400, "invalid_secret"]);
    res = await admin("PATCH", "tenants/acme", { state: "paused" });
    assert.equal(res.status, 400);

    res = await admin("POST", "tenants/acme/secrets", { provider: "zoho-sign", secret: S.acmeZoho, label: "primary" });
    assert.equal(res.status, 201, res.text);
    assert.match(res.json.id, /^sec_[0-9a-f]{16}$/);
    assert.equal(res.json.fingerprint, sha256(S.acmeZoho).slice(0, 8));
    assert.equal(res.json.provider, "zoho-sign");
    assert.equal(res.json.label, "primary");
    assert.match(res.json.created_at, /^\d{4}-\d\d-\d\dT/);
    res = await admin("POST", "tenants/acme/secrets", { provider: "yousign", secret: S.acmeYousign });
    assert.equal(res.status, 201, res.text);

    for (const [id, zoho, yousign] of [["globex", S.globexZoho, S.globexYousign]]) {
      assert.equal((await admin("POST", "tenants", { id })).status, 201);
      assert.equal((await admin("POST", `tenants/${id}/secrets`, { provider: "zoho-sign", secret: zoho })).status, 201);
      assert.equal((await admin("POST", `tenants/${id}/secrets`, { provider: "yousign", secret: yousign })).status, 201);
    }
    res = await admin("GET", "tenants/acme");
    assert.equal(res.status, 200);
    assert.deepEqual(res.json.secrets.map((s) => [s.provider, s.fingerprint]).sort(), [["yousign", sha256(S.acmeYousign).slice(0, 8)], ["zoho-sign", sha256(S.acmeZoho).slice(0, 8)]]);
    res = await admin("GET", "tenants?limit=1");
    assert.deepEqual(res.json.tenants.map((t) => t.id), ["acme"]);
    assert.equal(res.json.cursor, "acme");
    res = await admin("GET", `tenants?limit=1&cursor=${res.json.cursor}`);
    assert.deepEqual(res.json.tenants.map((t) => t.id), ["globex"]);
    res = await admin("GET", "tenants/acme/audit");
    assert.deepEqual(res.json.audit.map((a) => a.action), ["tenant.created", "secret.added", "secret.added"]);
    assert.equal(res.json.audit[1].fingerprint, sha256(S.acmeZoho).slice(0, 8));
  });

  test("a tenant route: unknown tenants refused before the body; the event carries its tenant, in its own namespace", async () => {
    origin.behave(() => 200);
    let res = await hook("/t/nobody/hooks/zoho-sign", "x", {});
    assert.deepEqual([res.status, res.json.code], [404, "unknown_tenant"]);
    res = await hook("/t/Not_Valid/hooks/zoho-sign", "x", {});
    assert.deepEqual([res.status, res.json.code], [404, "unknown_tenant"]);
    const body = zohoBody("route-1");
    res = await hook("/t/acme/hooks/zoho-sign", body, signed("zoho-sign", body, { key: S.acmeZoho }));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, "queued");
    const key = tenantWebhookId("acme", "zoho-sign", bodyId("zoho-sign", body));
    await waitFor("acme's event", () => origin.accepted(key).length === 1);
    const [got] = origin.accepted(key);
    assert.equal(got.headers["signhook-tenant"], "acme");
    const event = JSON.parse(got.body);
    assert.equal(event.tenant, "acme");
    assert.equal(event.provider, "zoho-sign");
    assert.deepEqual(origin.schemaFailures(), []);
    // The deployment's own route is untouched: no tenant, the single-tenant key.
    const plain = zohoBody("route-plain");
    res = await hook("/hooks/zoho-sign", plain, signed("zoho-sign", plain));
    assert.equal(res.status, 200, res.text);
    const plainKey = "msg_" + sha256(`zoho-sign\0${bodyId("zoho-sign", plain)}`).slice(0, 32);
    await waitFor("the single-tenant event", () => origin.accepted(plainKey).length === 1);
    assert.equal(JSON.parse(origin.accepted(plainKey)[0].body).tenant, undefined);
    assert.equal(origin.accepted(plainKey)[0].headers["signhook-tenant"], undefined);
  });

  test("cross-tenant: A's valid signature at B's route is refused; one provider event under two tenants is two events", async () => {
    origin.behave(() => 200);
    const body = zohoBody("cross-1");
    let res = await hook("/t/globex/hooks/zoho-sign", body, signed("zoho-sign", body, { key: S.acmeZoho }));
    assert.deepEqual([res.status, res.json.code], [401, "signature_mismatch"]);
    res = await hook("/t/acme/hooks/zoho-sign", body, signed("zoho-sign", body, { key: S.acmeZoho }));
    assert.equal(res.status, 200, res.text);
    res = await hook("/t/globex/hooks/zoho-sign", body, signed("zoho-sign", body, { key: S.globexZoho }));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, "queued", "not a duplicate of acme's");
    const keys = ["acme", "globex"].map((t) => tenantWebhookId(t, "zoho-sign", bodyId("zoho-sign", body)));
    assert.notEqual(keys[0], keys[1]);
    await waitFor("both tenants' events", () => keys.every((k) => origin.accepted(k).length === 1));
  });

  test("A's future- or past-dated events leave B's ordering alone", async () => {
    origin.behave(() => 200);
    const now = Math.floor(Date.now() / 1000);
    const envelope = "sr-shared-1";
    const a = yousignBody("order-a", { envelope, eventName: "signature_request.done", time: now - 10 });
    let res = await hook("/t/acme/hooks/yousign", a, signed("yousign", a, { key: S.acmeYousign }));
    assert.equal(res.status, 200, res.text);
    const aKey = tenantWebhookId("acme", "yousign", "ys-order-a");
    await waitFor("acme's completion", () => origin.accepted(aKey).length === 1);
    const future = yousignBody("order-future", { envelope, time: now + 3600 });
    res = await hook("/t/acme/hooks/yousign", future, signed("yousign", future, { key: S.acmeYousign }));
    assert.deepEqual([res.status, res.json.code], [401, "event_too_new"]);
    const b = yousignBody("order-b", { envelope, eventName: "signer.link_opened", time: now - 60 });
    res = await hook("/t/globex/hooks/yousign", b, signed("yousign", b, { key: S.globexYousign }));
    assert.equal(res.status, 200, res.text);
    const bKey = tenantWebhookId("globex", "yousign", "ys-order-b");
    await waitFor("globex's event", () => origin.accepted(bKey).length === 1);
    const got = JSON.parse(origin.accepted(bKey)[0].body);
    assert.equal(got.stale, false, "acme's later event does not make globex's stale");
    assert.equal(got.sequence, "0000000000000001", "each tenant numbers its own envelopes");
  });

  test("rotation and revocation take effect within TENANT_CACHE_SECONDS", async () => {
    origin.behave(() => 200);
    let res = await admin("POST", "tenants/acme/secrets", { provider: "zoho-sign", secret: S.acmeZoho2, label: "next" });
    assert.equal(res.status, 201, res.text);
    const second = res.json.id;
    await new Promise((r) => setTimeout(r, CACHE_SECONDS * 1000 + 200));
    const withSecond = zohoBody("rotate-2");
    res = await hook("/t/acme/hooks/zoho-sign", withSecond, signed("zoho-sign", withSecond, { key: S.acmeZoho2 }));
    assert.equal(res.status, 200, res.text);
    const first = (await admin("GET", "tenants/acme")).json.secrets.find((s) => s.fingerprint === sha256(S.acmeZoho).slice(0, 8));
    assert.ok(first.last_used_at, "the first secret's last use is recorded");
    res = await admin("DELETE", `tenants/acme/secrets/${first.id}`);
    assert.equal(res.status, 204);
    assert.equal((await admin("DELETE", `tenants/acme/secrets/${first.id}`)).status, 404);
    await new Promise((r) => setTimeout(r, CACHE_SECONDS * 1000 + 200));
    const withFirst = zohoBody("rotate-1");
    res = await hook("/t/acme/hooks/zoho-sign", withFirst, signed("zoho-sign", withFirst, { key: S.acmeZoho }));
    assert.deepEqual([res.status, res.json.code], [401, "signature_mismatch"], "a retired secret stops verifying");
    res = await hook("/t/acme/hooks/zoho-sign", withSecond, signed("zoho-sign", withSecond, { key: S.acmeZoho2 }));
    assert.equal(res.status, 200);
    assert.ok((await admin("GET", "tenants/acme")).json.secrets.some((s) => s.id === second));
    // Disabled: 404 within the bound, enabled again: back.
    assert.equal((await admin("PATCH", "tenants/globex", { state: "disabled" })).json.state, "disabled");
    await new Promise((r) => setTimeout(r, CACHE_SECONDS * 1000 + 200));
    const body = zohoBody("disabled-1");
    res = await hook("/t/globex/hooks/zoho-sign", body, signed("zoho-sign", body, { key: S.globexZoho }));
    assert.deepEqual([res.status, res.json.code], [404, "unknown_tenant"]);
    assert.equal((await admin("PATCH", "tenants/globex", { state: "active" })).json.state, "active");
  });

  test("account binding: an integrator-wide key delivers only the tenant's own accounts", async () => {
    origin.behave(() => 200);
    for (const [id, account] of [["customer-c", "acct-C"], ["customer-d", "acct-D"]]) {
      assert.equal((await admin("POST", "tenants", { id })).status, 201);
      assert.equal((await admin("POST", `tenants/${id}/secrets`, { provider: "docusign", secret: S.integratorDocusign })).status, 201);
      const res = await admin("PATCH", `tenants/${id}`, { accounts: { docusign: [account] } });
      assert.deepEqual(res.json.accounts, { docusign: [account] });
    }
    const ofD = docusignBody("bind-1", "acct-D");
    let res = await hook("/t/customer-c/hooks/docusign", ofD, signed("docusign", ofD, { key: S.integratorDocusign }));
    assert.deepEqual([res.status, res.json.code], [403, "tenant_mismatch"]);
    const none = docusignBody("bind-2");
    res = await hook("/t/customer-c/hooks/docusign", none, signed("docusign", none, { key: S.integratorDocusign }));
    assert.deepEqual([res.status, res.json.code], [403, "tenant_mismatch"], "no account id at a bound tenant");
    const ofC = docusignBody("bind-3", "acct-C");
    res = await hook("/t/customer-c/hooks/docusign", ofC, signed("docusign", ofC, { key: S.integratorDocusign }));
    assert.equal(res.status, 200, res.text);
    const key = tenantWebhookId("customer-c", "docusign", res.json.id);
    await waitFor("customer C's event", () => origin.accepted(key).length === 1);
    // Nothing of the refused ones reached origin.
    for (const b of [ofD, none]) {
      const id = JSON.parse(b).data.envelopeId;
      assert.ok(!origin.all().some((r) => r.body.includes(id)), `${id} reached origin`);
    }
  });

  test("a tenant's own origin and forwarding key", async () => {
    origin.behave(() => 200);
    globexOrigin.behave(() => 200);
    let res = await admin("PATCH", "tenants/globex", { origin_url: globexOrigin.url, forward_secret: S.globexForward });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.origin_url, globexOrigin.url);
    assert.deepEqual(res.json.forward_secret, { fingerprint: sha256(S.globexForward).slice(0, 8) });
    await new Promise((r) => setTimeout(r, CACHE_SECONDS * 1000 + 200));
    const body = zohoBody("own-origin-1");
    res = await hook("/t/globex/hooks/zoho-sign", body, signed("zoho-sign", body, { key: S.globexZoho }));
    assert.equal(res.status, 200, res.text);
    const key = tenantWebhookId("globex", "zoho-sign", bodyId("zoho-sign", body));
    await waitFor("globex's own origin", () => globexOrigin.accepted(key).length === 1);
    assert.equal(globexOrigin.verifyFailures(), 0, "signed with the tenant's key");
    assert.equal(origin.requests(key).length, 0, "not at the deployment's origin");
  });

  test("dead letters are listed per tenant", async () => {
    origin.behave(() => 422);
    const body = zohoBody("dead-1");
    const res = await hook("/t/acme/hooks/zoho-sign", body, signed("zoho-sign", body, { key: S.acmeZoho2 }));
    assert.equal(res.status, 200, res.text);
    const key = tenantWebhookId("acme", "zoho-sign", bodyId("zoho-sign", body));
    const listed = await waitFor("acme's dead letter", async () => {
      const r = await admin("GET", "dead-letters?tenant=acme");
      return r.json.dead_letters.some((d) => d.key === key) && r.json.dead_letters;
    });
    assert.ok(listed.every((d) => d.tenant === "acme"));
    assert.ok(!(await admin("GET", "dead-letters?tenant=globex")).json.dead_letters.some((d) => d.key === key));
    assert.equal((await admin("GET", "dead-letters?tenant=Bad!")).status, 400);
    origin.behave(() => 200);
  });

  test("delete: the tenant's route is gone, its secrets with it", async () => {
    assert.equal((await admin("POST", "tenants", { id: "short-lived" })).status, 201);
    assert.equal((await admin("DELETE", "tenants/short-lived")).status, 204);
    assert.equal((await admin("GET", "tenants/short-lived")).status, 404);
    assert.equal((await admin("DELETE", "tenants/short-lived")).status, 404);
  });

  test("the CLI against the running Worker: signhook admin tenants / secrets", async () => {
    const bin = path.join(ROOT, "target", "debug", "signhook");
    if (!existsSync(bin)) {
      const built = spawnSync("cargo", ["build", "--quiet", "--bin", "signhook"], { cwd: ROOT, stdio: "inherit" });
      assert.equal(built.status, 0, "cargo build --bin signhook");
    }
    const cli = (args, { token = ADMIN_TOKEN, input } = {}) => {
      const env = { ...process.env, SIGNHOOK_URL: worker.url };
      if (token === null) delete env.SIGNHOOK_ADMIN_TOKEN;
      else env.SIGNHOOK_ADMIN_TOKEN = token;
      const r = spawnSync(bin, ["admin", ...args], { env, input, encoding: "utf8" });
      answers.push(r.stdout, r.stderr);
      return { code: r.status, out: r.stdout, err: r.stderr, json: r.stdout ? JSON.parse(r.stdout) : undefined };
    };
    let r = cli(["tenants", "add", "cli-co"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json.id, "cli-co");
    r = cli(["tenants", "add", "Bad_Id"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error\[invalid_tenant\]/, "the deployment's own code");
    r = cli(["tenants", "show", "a/b"]);
    assert.equal(r.code, 2, "not a path segment: a usage error before any request");
    r = cli(["tenants", "add", "cli-co"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^error\[tenant_exists\]/);
    r = cli(["tenants", "show", "cli-co"], { token: ADMIN_TOKEN + "x" });
    assert.equal(r.code, 1);
    assert.match(r.err, /^error\[unauthorized\]/);
    r = cli(["tenants", "show", "cli-co"], { token: null });
    assert.equal(r.code, 2);
    assert.match(r.err, /SIGNHOOK_ADMIN_TOKEN/);
    const secret = "cli-co-zoho-secret";
    r = cli(["secrets", "add", "cli-co", "--provider", "zoho-sign", "--secret", "-", "--label", "from stdin"], { input: `${secret}\n` });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json.fingerprint, sha256(secret).slice(0, 8), "the trailing newline is not part of the secret");
    const secretId = r.json.id;
    const body = zohoBody("cli-1");
    let res = await hook("/t/cli-co/hooks/zoho-sign", body, signed("zoho-sign", body, { key: secret }));
    assert.equal(res.status, 200, res.text);
    r = cli(["tenants", "show", "cli-co"]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.json.secrets.map((s) => s.id), [secretId]);
    assert.ok(cli(["tenants", "list", "--limit", "1000"]).json.tenants.some((t) => t.id === "cli-co"));
    r = cli(["tenants", "disable", "cli-co"]);
    assert.equal(r.json.state, "disabled");
    await new Promise((resolve) => setTimeout(resolve, CACHE_SECONDS * 1000 + 200));
    res = await hook("/t/cli-co/hooks/zoho-sign", body, signed("zoho-sign", body, { key: secret }));
    assert.equal(res.json.code, "unknown_tenant");
    r = cli(["secrets", "retire", "cli-co", secretId]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(cli(["tenants", "show", "cli-co"]).json.secrets, []);
    assert.equal(cli(["tenants", "delete", "cli-co"]).code, 0);
  });

  test("Acrobat Sign on a tenant route: its own client ids and URL token", async () => {
    origin.behave(() => 200);
    const token = "acme-acrobat-url-token-0123456789";
    assert.equal((await admin("POST", "tenants/acme/secrets", { provider: "acrobat-sign", secret: "acme-client-id", kind: "client_id" })).status, 201);
    let res = await admin("POST", "tenants/acme/secrets", { provider: "acrobat-sign", secret: "short", kind: "url_token" });
    assert.deepEqual([res.status, res.json.code], [400, "invalid_secret"]);
    res = await admin("POST", "tenants/acme/secrets", { provider: "acrobat-sign", secret: "x-client" });
    assert.deepEqual([res.status, res.json.code], [400, "invalid_secret"], "acrobat-sign needs a kind");
    assert.equal((await admin("POST", "tenants/acme/secrets", { provider: "acrobat-sign", secret: token, kind: "url_token" })).status, 201);
    await new Promise((r) => setTimeout(r, CACHE_SECONDS * 1000 + 200));
    res = await post(`${worker.url}/t/acme/hooks/acrobat-sign/${token}`, undefined, { "X-AdobeSign-ClientId": "acme-client-id" }, "GET");
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("x-adobesign-clientid"), "acme-client-id");
    const body = await fixture("acrobat-sign", "agreement-rejected");
    res = await hook(`/t/acme/hooks/acrobat-sign/${token}x`, body, signed("acrobat-sign", body, { key: "acme-client-id" }));
    assert.equal(res.status, 404);
    res = await hook(`/t/acme/hooks/acrobat-sign/${token}`, body, signed("acrobat-sign", body, { key: SECRETS.acrobatClientId }));
    assert.deepEqual([res.status, res.json.code], [403, "unknown_client_id"], "the deployment's client id is not acme's");
    res = await hook(`/t/acme/hooks/acrobat-sign/${token}`, body, signed("acrobat-sign", body, { key: "acme-client-id" }));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("x-adobesign-clientid"), "acme-client-id");
    const logged = worker.logLines().filter((l) => l.tenant === "acme" && l.provider === "acrobat-sign");
    assert.ok(logged.length >= 3 && logged.every((l) => l.path === "/t/acme/hooks/acrobat-sign/…"), JSON.stringify(logged.map((l) => l.path)));
    S.acmeAcrobatToken = token;
  });

  test("no secret in any answer or log line", async () => {
    await new Promise((r) => setTimeout(r, 500));
    const logs = worker
      .output()
      .split("\n")
      .filter((l) => l.trim().startsWith("{"))
      .join("\n");
    const text = answers.join("\n") + "\n" + logs;
    for (const secret of [...Object.values(S), S.globexForward.slice(6), TENANT_KEY, ADMIN_TOKEN]) {
      assert.ok(!text.includes(secret), `a secret (${secret.slice(0, 6)}…) appears in an answer or a log line`);
    }
    assert.ok(worker.logLines().some((l) => l.tenant === "acme"), "the log line names the tenant");
  });
});

describe("tenants without a valid TENANT_KEY", () => {
  let bare;
  before(async () => {
    bare = await startWorker({ DELIVERY: "inspect", ADMIN_TOKEN, TENANT_KEY: "" }, { migrate: true });
  });
  after(() => bare?.stop());

  test("503 invalid_config: a secret is never stored in plaintext, and no tenant route verifies", async () => {
    const call = (method, p, body) =>
      post(`${bare.url}/admin/${p}`, body && JSON.stringify(body), { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, method);
    assert.equal((await call("POST", "tenants", { id: "keyless" })).status, 201);
    const res = await call("POST", "tenants/keyless/secrets", { provider: "zoho-sign", secret: "would-be-plaintext" });
    assert.deepEqual([res.status, res.json.code], [503, "invalid_config"]);
    assert.match(res.json.detail, /TENANT_KEY/);
    assert.deepEqual((await call("GET", "tenants/keyless")).json.secrets, [], "nothing was stored");
    const hooked = await post(`${bare.url}/t/keyless/hooks/zoho-sign`, "{}", { "X-ZS-WEBHOOK-SIGNATURE": "x" });
    assert.deepEqual([hooked.status, hooked.json.code], [503, "invalid_config"]);
  });
});
