// Operations against the real runtime (`wrangler dev`, local D1, Queues, Durable Objects):
// the delivery log (refused and accepted deliveries with their codes, one event's journey
// with every attempt), the counters and the Prometheus metrics, the filtered redrive of
// dead letters (only the matching ones, each reaching origin once), and the Cron Trigger's
// prune (only expired records), and the alerts to the operator at a test receiver, each
// verified with npm `standardwebhooks`.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Webhook } from "standardwebhooks";

import { SECRETS, fixture, post, signed, startWorker, waitFor } from "./harness.mjs";
import { makeDelivery, startFaultyOrigin } from "./queue-kit.mjs";

const ADMIN_TOKEN = "operations-suite-admin-token-0123456789";
// About 3.5 s: the prune test makes records on either side of the horizon.
const RETENTION_DAYS = 0.00004;
const ALERT_SECRET = "whsec_" + Buffer.from("operations-alert-key-32-bytes!!!").toString("base64");
const WINDOW_SECONDS = 8;

let origin;
let alerts;
let worker;

before(async () => {
  origin = await startFaultyOrigin();
  alerts = await startFaultyOrigin((r) => new Webhook(ALERT_SECRET).verify(r.body, r.headers));
  worker = await startWorker(
    {
      ORIGIN_URL: origin.url,
      FORWARD_SECRET: SECRETS.forward,
      ZOHO_SIGN_SECRETS: SECRETS.zoho,
      YOUSIGN_SECRETS: SECRETS.yousign,
      ACROBAT_SIGN_CLIENT_IDS: SECRETS.acrobatClientId,
      ADMIN_TOKEN,
      RETRY_MAX_ATTEMPTS: "4",
      RETRY_BASE_SECONDS: "1",
      RETRY_MAX_DELAY_SECONDS: "1",
      LOG_RETENTION_DAYS: String(RETENTION_DAYS),
      ALERT_URL: alerts.url,
      ALERT_SECRET,
      ALERT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    },
    { migrate: true },
  );
});

after(async () => {
  await worker?.stop();
  await origin?.close();
  await alerts?.close();
});

/** The alerts the receiver accepted (verified), parsed, of `type`. */
const received = (type) =>
  alerts
    .all()
    .filter((r) => r.status >= 200 && r.status < 300)
    .map((r) => ({ ...JSON.parse(r.body), headers: r.headers }))
    .filter((a) => a.type === type);

const admin = (path, method = "GET", body) =>
  post(`${worker.url}/admin/${path}`, body === undefined ? undefined : JSON.stringify(body), { authorization: `Bearer ${ADMIN_TOKEN}` }, method);


const send = (d) => post(`${worker.url}${d.provider === "acrobat-sign" ? `/hooks/acrobat-sign/${SECRETS.acrobatUrlToken}` : `/hooks/${d.provider}`}`, d.body, d.headers());

describe("the delivery log", () => {
  test("refused deliveries are recorded with their codes; an accepted one with its whole journey", async () => {
    const forged = await fixture("zoho-sign", "request-completed");
    for (let i = 0; i < 3; i++) {
      const res = await post(`${worker.url}/hooks/zoho-sign`, forged, signed("zoho-sign", forged, { key: "not-the-secret" }));
      assert.equal(res.json.code, "signature_mismatch");
    }
    const unsigned = await post(`${worker.url}/hooks/yousign`, "{}", {});
    assert.equal(unsigned.json.code, "missing_signature");
    origin.behave((r) => (r.attempt <= 2 ? 500 : 200));
    const d = makeDelivery("yousign", "journey-1");
    const res = await send(d);
    assert.equal(res.status, 200, res.text);
    await waitFor("the delivery", () => origin.accepted(d.webhookId).length === 1);
    const journey = await waitFor("the journey's end", async () => {
      const r = await admin(`events/${d.webhookId}`);
      return r.status === 200 && r.json.end === "delivered" && r.json;
    });
    assert.equal(journey.outcome, "accepted");
    assert.equal(journey.provider, "yousign");
    assert.equal(journey.event_id, "event-journey-1");
    assert.equal(journey.type, "esign.participant.signed");
    assert.equal(journey.webhook_id, d.webhookId);
    assert.equal(journey.tenant, null);
    assert.deepEqual(journey.attempts.map((a) => a.status), [500, 500, 200]);
    for (const a of journey.attempts) {
      assert.match(a.at, /^\d{4}-\d\d-\d\dT/);
      assert.equal(typeof a.latency_ms, "number");
    }
    assert.equal(journey.attempts[0].error, "origin answered 500");
    assert.equal(journey.attempts[2].error, null);
    const refused = (await admin("events?provider=zoho-sign&outcome=refused")).json.events;
    assert.ok(refused.length >= 3, JSON.stringify(refused));
    assert.ok(refused.every((e) => e.code === "signature_mismatch" && e.provider === "zoho-sign"));
    const all = (await admin("events")).json;
    assert.ok(all.events.some((e) => e.code === "missing_signature"));
    assert.ok(!JSON.stringify(all).includes(SECRETS.yousign), "no secret in the log");
    assert.ok(!JSON.stringify(all).includes("event_name"), "no body in the log");
    assert.equal((await admin("events/msg_00000000000000000000000000000000")).status, 404);
    assert.equal((await admin("events?since=yesterday")).status, 400);
  });

  test("the log's filters: type, until, cursor; a malformed tenant is a 400", async () => {
    const signedOnes = (await admin("events?type=esign.participant.signed")).json.events;
    assert.ok(signedOnes.length >= 1 && signedOnes.every((e) => e.type === "esign.participant.signed"));
    assert.deepEqual((await admin("events?until=2000-01-01T00:00:00Z")).json.events, []);
    assert.ok((await admin(`events?until=${Math.floor(Date.now() / 1000) + 60}`)).json.events.length >= 1);
    // Past a page (100): the cursor walks on, newest first, each record once.
    for (let i = 0; i < 105; i++) assert.equal((await post(`${worker.url}/hooks/yousign`, "{}", {})).status, 401);
    const query = "events?provider=yousign&outcome=refused";
    await waitFor("105 refusals in the log", async () => {
      const first = (await admin(query)).json;
      return first.cursor !== null && (await admin(`${query}&cursor=${first.cursor}`)).json.events.length >= 5;
    });
    const first = (await admin(query)).json;
    assert.equal(first.events.length, 100);
    const second = (await admin(`${query}&cursor=${first.cursor}`)).json;
    assert.equal(first.events.length + second.events.length, 106, "the unsigned one of the first test, and these 105");
    assert.equal(second.cursor, null);
    const times = [...first.events, ...second.events].map((e) => e.received_at);
    assert.deepEqual(times, [...times].sort().reverse(), "newest first across pages");
    assert.equal((await admin("events?cursor=next")).status, 400);
    for (const path of ["events?tenant=Not_Valid", "stats?tenant=a/b", "dead-letters?tenant=-x"]) {
      const res = await admin(path);
      assert.deepEqual([res.status, res.json.code], [400, "invalid_tenant"], path);
    }
  });

  test("a missing or wrong token is a 401 on every admin route", async () => {
    for (const path of ["events", "events/msg_x", "stats", "metrics", "dead-letters", "tenants"]) {
      for (const authorization of [undefined, `Bearer ${ADMIN_TOKEN}x`, ADMIN_TOKEN]) {
        const res = await post(`${worker.url}/admin/${path}`, undefined, authorization ? { authorization } : {}, "GET");
        assert.equal(res.status, 401, `${path} with ${authorization}`);
      }
    }
    const res = await post(`${worker.url}/admin/dead-letters/replay`, "{}", { authorization: "Bearer nope" }, "POST");
    assert.deepEqual([res.status, res.json.code], [401, "unauthorized"]);
  });

  test("counters and Prometheus metrics", async () => {
    const stats = (await admin("stats")).json;
    assert.equal(stats.since, "1970-01-01T00:00:00Z");
    const ys = stats.providers.yousign;
    assert.ok(ys.received >= 2 && ys.accepted >= 1 && ys.delivered >= 1 && ys.retried >= 1, JSON.stringify(ys));
    assert.ok(ys.refused.missing_signature >= 1);
    assert.equal(typeof ys.latency_ms.p50, "number");
    assert.ok(ys.latency_ms.p95 >= ys.latency_ms.p50, JSON.stringify(ys.latency_ms));
    assert.equal(typeof ys.dead, "number");
    const later = (await admin(`stats?since=${new Date(Date.now() + 60_000).toISOString()}`)).json;
    assert.deepEqual(later.providers, {}, "nothing received after since");
    assert.equal(later.tenants, undefined, "no tenant route used");
    assert.ok(stats.providers["zoho-sign"].refused.signature_mismatch >= 3);
    const metrics = await post(`${worker.url}/admin/metrics`, undefined, { authorization: `Bearer ${ADMIN_TOKEN}` }, "GET");
    assert.match(metrics.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.text, /^# TYPE signhook_deliveries gauge$/m);
    assert.match(metrics.text, /^signhook_deliveries\{provider="zoho-sign",outcome="refused",code="signature_mismatch"\} \d+$/m);
    assert.match(metrics.text, /^signhook_delivery_latency_ms\{provider="yousign",quantile="0.5"\} \d+$/m);
    assert.equal((await post(`${worker.url}/admin/metrics`, undefined, {}, "GET")).status, 401);
  });
});

describe("filtered redrive", () => {
  test("replays only the matching dead letters; origin gets each once", async () => {
    origin.behave(() => 410);
    const ys = [makeDelivery("yousign", "redrive-y1"), makeDelivery("yousign", "redrive-y2")];
    const zs = [makeDelivery("zoho-sign", "redrive-z1"), makeDelivery("zoho-sign", "redrive-z2")];
    for (const d of [...ys, ...zs]) assert.equal((await send(d)).status, 200);
    const keys = [...ys, ...zs].map((d) => d.webhookId);
    await waitFor("three dead letters", async () => {
      const rows = (await admin("dead-letters")).json.dead_letters;
      return keys.every((k) => rows.some((r) => r.key === k && r.state === "dead"));
    });
    const dead = await waitFor("the log's dead ends", async () => {
      const r = await admin(`events/${ys[0].webhookId}`);
      return r.json?.end === "dead" && r.json;
    });
    assert.deepEqual(dead.attempts.map((a) => a.status), [410]);
    // Origin answers slowly now: the replay's record reads `replayed` until its attempt ends.
    origin.behave(() => 200, 2_500);
    assert.equal((await admin("dead-letters/replay?provider=nope", "POST")).status, 400);
    let res = await admin("dead-letters/replay", "POST", { provider: "yousign", since: new Date(Date.now() - 600_000).toISOString() });
    assert.equal(res.status, 202, res.text);
    assert.deepEqual([...res.json.replayed].sort(), ys.map((d) => d.webhookId).sort(), "the replayed events' webhook-ids");
    assert.equal(res.json.cursor, null);
    assert.equal((await admin(`events/${ys[0].webhookId}`)).json.end, "replayed");
    await waitFor("the yousign replays", () => ys.every((d) => origin.accepted(d.webhookId).length === 1));
    const replayed = await waitFor("the replay's end", async () => {
      const r = await admin(`events/${ys[0].webhookId}`);
      return r.json?.end === "delivered" && r.json;
    });
    assert.deepEqual(replayed.attempts.map((a) => a.status), [410, 200], "one journey: the dead attempt, then the replay's");
    origin.behave(() => 200);
    await new Promise((r) => setTimeout(r, 2_000));
    for (const z of zs) assert.equal(origin.accepted(z.webhookId).length, 0, "zoho's dead letters were not replayed");
    for (const d of ys) assert.equal(origin.accepted(d.webhookId).length, 1);
    // The same filter again: nothing left to replay.
    res = await admin("dead-letters/replay?provider=yousign", "POST");
    assert.deepEqual(res.json.replayed, []);

    // A cursor (what an answer gives when a page was full) is taken back, in the body or
    // the query: the replay continues after the dead letter it names.
    const rows = (await admin("dead-letters")).json.dead_letters;
    const [z1, z2] = zs.map((z) => rows.find((r) => r.key === z.webhookId));
    assert.ok(z1.id < z2.id, JSON.stringify([z1, z2]));
    assert.equal((await admin("dead-letters/replay", "POST", { provider: "zoho-sign", cursor: "later" })).status, 400);
    assert.equal((await admin("dead-letters/replay", "POST", { provider: "zoho-sign", page: 2 })).status, 400, "unknown filters are refused");
    res = await admin("dead-letters/replay", "POST", { provider: "zoho-sign", cursor: String(z1.id) });
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.json.replayed, [zs[1].webhookId]);
    res = await admin(`dead-letters/replay?provider=zoho-sign&cursor=${z1.id - 1}`, "POST");
    assert.deepEqual(res.json.replayed, [zs[0].webhookId]);
    await waitFor("the zoho replays", () => zs.every((d) => origin.accepted(d.webhookId).length === 1));
  });
});

describe("the Cron Trigger", () => {
  test("prunes only the records older than LOG_RETENTION_DAYS", async () => {
    const before = makeDelivery("zoho-sign", "prune-old");
    await post(`${worker.url}/hooks/zoho-sign`, before.body, signed("zoho-sign", before.body, { key: "wrong" }));
    await new Promise((r) => setTimeout(r, RETENTION_DAYS * 86_400_000 + 1_000));
    const fresh = await post(`${worker.url}/hooks/yousign`, "{}", {});
    assert.equal(fresh.json.code, "missing_signature");
    const marker = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    const count = async () => (await admin("events")).json.events;
    const beforePrune = await count();
    assert.ok(beforePrune.some((e) => Date.parse(e.received_at) < marker - RETENTION_DAYS * 86_400_000), "an expired record exists");
    const cron = await fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/15 * * * *")}`);
    assert.equal(cron.status, 200, await cron.text());
    const afterPrune = await waitFor("the prune", async () => {
      const events = await count();
      return events.every((e) => Date.parse(e.received_at) >= Date.now() - RETENTION_DAYS * 86_400_000 - 5_000) && events;
    });
    assert.ok(afterPrune.some((e) => e.code === "missing_signature" && Date.parse(e.received_at) >= marker - 1_000), "the fresh record stays");
    assert.ok(afterPrune.length < beforePrune.length);
    assert.ok(worker.output().includes('"cron":"prune"'));
  });
});

describe("alerts to the operator", () => {
  test("a dead letter: one signhook.delivery.dead_lettered each, signed, a CloudEvent", async () => {
    // The filtered-redrive test dead-lettered three events (origin answered 410).
    const dead = await waitFor("the dead-letter alerts", () => {
      const got = received("signhook.delivery.dead_lettered");
      return got.length >= 3 && got;
    });
    assert.equal(alerts.verifyFailures(), 0, "every alert verifies with ALERT_SECRET");
    for (const a of dead) {
      assert.equal(a.specversion, "1.0");
      assert.equal(a.source, "signhook/edge");
      assert.equal(a.headers["content-type"], "application/cloudevents+json");
      assert.match(a.data.webhook_id, /^msg_[0-9a-f]{32}$/);
      assert.ok(["yousign", "zoho-sign"].includes(a.data.provider));
      assert.equal(a.data.reason, "origin answered 410");
    }
    assert.equal(new Set(dead.map((a) => a.data.webhook_id)).size, dead.length, "once per dead letter");
  });

  test("20 forged deliveries in a window: exactly one signhook.verification.failing", async () => {
    // Start just after a window boundary, so the 20 fall in one window.
    const ms = WINDOW_SECONDS * 1000;
    await new Promise((r) => setTimeout(r, ms - (Date.now() % ms) + 50));
    const forged = makeDelivery("zoho-sign", "forged");
    for (let i = 0; i < 20; i++) {
      const res = await post(`${worker.url}/hooks/zoho-sign`, forged.body, signed("zoho-sign", forged.body, { key: "forger" }));
      assert.equal(res.json.code, "signature_mismatch");
    }
    const got = await waitFor("the verification alert", () => {
      const a = received("signhook.verification.failing").filter((x) => x.data.provider === "zoho-sign");
      return a.length >= 1 && a;
    });
    await new Promise((r) => setTimeout(r, 3_000));
    const all = received("signhook.verification.failing").filter((x) => x.data.provider === "zoho-sign");
    assert.equal(all.length, 1, JSON.stringify(all.map((a) => a.id)));
    assert.ok(got[0].data.refused.signature_mismatch >= 5);
    assert.equal(got[0].data.window_seconds, WINDOW_SECONDS);
    assert.equal(got[0].data.tenant, null);
  });

  test("an origin failing for a window: signhook.origin.failing, then signhook.origin.recovered", async () => {
    origin.behave(() => 503);
    const started = Date.now();
    const outage = [];
    for (let i = 0; Date.now() - started < (WINDOW_SECONDS + 3) * 1000; i++) {
      const d = makeDelivery("yousign", `outage-${i}`);
      outage.push(d);
      assert.equal((await send(d)).status, 200);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const failing = await waitFor("signhook.origin.failing", () => received("signhook.origin.failing").at(-1));
    assert.equal(failing.data.origin, "127.0.0.1");
    assert.match(failing.data.failing_since, /^\d{4}-/);
    assert.equal(failing.data.provider, "yousign");
    origin.behave(() => 200);
    assert.equal((await send(makeDelivery("yousign", "outage-over"))).status, 200);
    const recovered = await waitFor("signhook.origin.recovered", () => received("signhook.origin.recovered").at(-1));
    assert.equal(recovered.data.failing_since, failing.data.failing_since);
    assert.equal(recovered.data.provider, "yousign");
    // Origin was down for the events' whole budget (4 attempts): each is one dead letter
    // and exactly one signhook.delivery.dead_lettered.
    const early = outage.slice(0, 3);
    await waitFor("the outage's dead-letter alerts", () =>
      early.every((d) => received("signhook.delivery.dead_lettered").some((a) => a.data.webhook_id === d.webhookId)),
    );
    await new Promise((r) => setTimeout(r, 2_000));
    for (const d of early) {
      const mine = received("signhook.delivery.dead_lettered").filter((a) => a.data.webhook_id === d.webhookId);
      assert.equal(mine.length, 1, d.webhookId);
      assert.equal(mine[0].data.attempts, 4);
      assert.equal(mine[0].data.reason, "origin answered 503");
    }
    assert.equal(alerts.verifyFailures(), 0);
  });
});

describe("no secret in what the Worker prints", () => {
  test("ALERT_SECRET, ADMIN_TOKEN, FORWARD_SECRET and the providers' secrets stay out of every line", () => {
    const text = worker.output();
    assert.match(text, /ALERT_SECRET \("\(hidden\)"\)/, "wrangler's listing of the vars is in the text read");
    for (const secret of [ALERT_SECRET, ALERT_SECRET.slice(6), ADMIN_TOKEN, SECRETS.forward, SECRETS.forward.slice(6), SECRETS.zoho, SECRETS.yousign]) {
      assert.ok(!text.includes(secret), `${secret.slice(0, 6)}… appears in the output`);
    }
  });
});
