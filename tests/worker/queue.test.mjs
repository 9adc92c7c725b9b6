// Queue mode against the real runtime (`wrangler dev`: local Queues, dead-letter queue,
// SQLite Durable Objects, R2) with a test origin on 127.0.0.1 that can fail, hang or be
// down. Every event origin takes is verified with npm `standardwebhooks` and parsed with
// the `cloudevents` SDK. Each scenario prints its counts: sent, acknowledged, delivered,
// duplicates, dead-lettered, lost.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { HTTP } from "cloudevents";
import { Webhook } from "standardwebhooks";

import { SECRETS, expectedWebhookId, fixture, hookPath, pandadocQuery, post, signed, startWorker, waitFor } from "./harness.mjs";
import { PROVIDERS, bodyHashId, makeDelivery, startFaultyOrigin } from "./queue-kit.mjs";

// At least 32 characters: a shorter ADMIN_TOKEN is `invalid_config` (security.test.mjs).
const ADMIN_TOKEN = "test-admin-token-of-some-length-0123456789";
// Short, so the suite takes seconds; production defaults are 12 attempts from 10 s.
const RETRY = { RETRY_MAX_ATTEMPTS: "5", RETRY_BASE_SECONDS: "1", RETRY_MAX_DELAY_SECONDS: "2" };

const OTHER_YOUSIGN_ACCOUNT = "yousign-other-account-secret";

let origin;
let worker;
const webhook = new Webhook(SECRETS.forward);

before(async () => {
  origin = await startFaultyOrigin((record) => {
    // Every request origin accepts must carry a valid Standard Webhooks signature.
    webhook.verify(record.body, record.headers);
  });
  worker = await startWorker({
    ORIGIN_URL: origin.url, // no DELIVERY: queue is the default with ORIGIN_URL
    FORWARD_SECRET: SECRETS.forward,
    ZOHO_SIGN_SECRETS: SECRETS.zoho,
    // Two accounts' secrets in one var: the ordering guard keeps them apart (T3-3).
    YOUSIGN_SECRETS: `${SECRETS.yousign} ${OTHER_YOUSIGN_ACCOUNT}`,
    DOCUMENSO_SECRETS: SECRETS.documenso,
    ZIGNED_SECRETS: SECRETS.zigned,
    ACROBAT_SIGN_CLIENT_IDS: SECRETS.acrobatClientId,
    PANDADOC_SECRETS: SECRETS.pandadoc,
    ORIGIN_TIMEOUT_MS: "5000",
    ADMIN_TOKEN,
    ...RETRY,
  });
});

after(async () => {
  await worker?.stop();
  await origin?.close();
});

/** Sends `d` to the Worker; returns the answer and how long it took (ms). */
async function send(d) {
  const started = performance.now();
  const res = await post(`${worker.url}${hookPath(d.provider)}`, d.body, d.headers());
  return { res, ms: performance.now() - started };
}


/**
 * Waits until every queue message enqueued for `keys` was settled for good (delivered,
 * duplicate or dead), from the Worker's own log lines: only then can a late duplicate no
 * longer arrive.
 */
async function settled(keys, timeoutMs = 60_000) {
  const wanted = new Set(keys);
  await waitFor(
    "every queued copy to settle",
    () => {
      const queued = new Map();
      for (const l of worker.logLines()) {
        // A delivery of several events (PandaDoc) logs each one's key and outcome.
        for (const item of l.batch ?? [l]) {
          if (item.outcome === "queued" && wanted.has(item.webhook_id)) queued.set(item.webhook_id, (queued.get(item.webhook_id) ?? 0) + 1);
        }
      }
      const done = new Map();
      for (const l of worker.consumerLines()) {
        if (wanted.has(l.key) && ["delivered", "duplicate", "dead"].includes(l.outcome)) done.set(l.key, (done.get(l.key) ?? 0) + 1);
      }
      return [...wanted].every((k) => (queued.get(k) ?? 0) > 0 && (done.get(k) ?? 0) >= queued.get(k));
    },
    timeoutMs,
  );
}

const admin = (path, method = "GET", token = ADMIN_TOKEN) =>
  post(`${worker.url}/admin/${path}`, undefined, token ? { authorization: `Bearer ${token}` } : {}, method);

/** Counts for the deliveries `ds`, printed and returned. */
async function counts(label, ds, acknowledged) {
  const ids = ds.map((d) => d.webhookId);
  const unique = new Set(ids);
  const dead = await admin("dead-letters");
  const deadKeys = new Set(dead.json.dead_letters.filter((r) => r.state === "dead").map((r) => r.key));
  let delivered = 0;
  let duplicates = 0;
  let deadLettered = 0;
  let lost = 0;
  for (const id of unique) {
    const n = origin.accepted(id).length;
    if (n > 0) delivered++;
    if (n > 1) duplicates += n - 1;
    if (n === 0 && deadKeys.has(id)) deadLettered++;
    if (n === 0 && !deadKeys.has(id)) lost++;
  }
  const c = { sent: ds.length, acknowledged, delivered, duplicates, deadLettered, lost };
  console.log(`[queue] ${label}: ${JSON.stringify(c)}`);
  assert.deepEqual(origin.schemaFailures(), [], "every event origin got fits schema/event.schema.json");
  return c;
}

describe("queue mode", () => {
  test("the provider is answered before origin; origin gets a verified CloudEvent once, with attempt and received-at headers", async () => {
    origin.behave(() => 204);
    const ds = PROVIDERS.map((p) => makeDelivery(p, "basic-0"));
    const acks = [];
    for (const d of ds) {
      const { res } = await send(d);
      assert.equal(res.status, 200, res.text);
      if (d.provider === "acrobat-sign") {
        assert.equal(res.headers.get("x-adobesign-clientid"), SECRETS.acrobatClientId);
        assert.deepEqual(res.json, { xAdobeSignClientId: SECRETS.acrobatClientId });
      } else {
        assert.equal(res.json.status, "queued");
      }
      acks.push(res);
    }
    await waitFor("4 deliveries", () => ds.every((d) => origin.accepted(d.webhookId).length === 1), 20_000);
    for (const d of ds) {
      const [got] = origin.accepted(d.webhookId);
      assert.equal(got.headers["content-type"], "application/cloudevents+json");
      assert.equal(got.headers["signhook-attempt"], "1");
      const receivedAt = Date.parse(got.headers["signhook-received-at"]);
      assert.ok(Math.abs(receivedAt - got.at) < 30_000, got.headers["signhook-received-at"]);
      const event = HTTP.toEvent({ headers: got.headers, body: got.body });
      assert.equal(event.provider, d.provider);
      assert.equal(got.headers["webhook-id"], expectedWebhookId(d.provider, event.id));
      assert.equal(event.stale, false);
      assert.match(event.sequence, /^\d{16}$/);
      assert.ok(got.body.includes(d.body.toString("utf8")), "data.raw is the exact payload");
    }
    const c = await counts("basic", ds, acks.length);
    assert.deepEqual([c.delivered, c.duplicates, c.lost], [4, 0, 0]);
  });

  test("origin answers 500 for the first 3 attempts, then 200: delivered exactly once", async () => {
    origin.behave((r) => (r.attempt <= 3 ? 500 : 200));
    const ds = PROVIDERS.map((p) => makeDelivery(p, "fail3-0"));
    let acknowledged = 0;
    for (const d of ds) {
      const { res } = await send(d);
      assert.equal(res.status, 200, res.text);
      acknowledged++;
    }
    await waitFor("deliveries after 3 failures", () => ds.every((d) => origin.accepted(d.webhookId).length === 1), 60_000);
    await new Promise((r) => setTimeout(r, 2_000)); // anything late would show up now
    for (const d of ds) {
      const all = origin.requests(d.webhookId);
      assert.deepEqual(all.map((r) => r.status), [500, 500, 500, 200]);
      assert.deepEqual(all.map((r) => r.headers["signhook-attempt"]), ["1", "2", "3", "4"]);
      // One webhook-id, a fresh webhook-timestamp per attempt.
      assert.equal(new Set(all.map((r) => r.headers["webhook-timestamp"])).size >= 2, true);
    }
    const c = await counts("500 x3 then 200", ds, acknowledged);
    assert.deepEqual([c.delivered, c.duplicates, c.deadLettered, c.lost], [4, 0, 0, 0]);
  });

  test("one delivery sent 5 times, 2 of them concurrently: origin sees it once", async () => {
    origin.behave(() => 200);
    const d = makeDelivery("yousign", "dup-0");
    const first = await Promise.all([send(d), send(d)]);
    const rest = [];
    for (let i = 0; i < 3; i++) rest.push(await send(d));
    const all = [...first, ...rest];
    for (const { res } of all) assert.equal(res.status, 200, res.text);
    await waitFor("the delivery", () => origin.accepted(d.webhookId).length === 1, 20_000);
    // Copies after the delivery are answered without enqueueing.
    const again = await send(d);
    assert.equal(again.res.json.status, "duplicate");
    await settled([d.webhookId]);
    const lines = worker.consumerLines().filter((l) => l.key === d.webhookId);
    console.log(`[queue] 5 copies, consumer outcomes: ${lines.map((l) => l.outcome).join(", ")}`);
    assert.equal(lines.filter((l) => l.outcome === "delivered").length, 1);
    const c = await counts("5 copies", [d, d, d, d, d], all.length);
    assert.deepEqual([c.delivered, c.duplicates, c.lost], [1, 0, 0]);
    assert.equal(origin.requests(d.webhookId).length, 1, "no second request at all");
  });

  test("origin takes 3 s: the provider is answered in well under 1 s, the event still arrives", async () => {
    origin.behave(() => 200, 3_000);
    const ds = PROVIDERS.map((p) => makeDelivery(p, "slow-0"));
    const times = [];
    for (const d of ds) {
      const { res, ms } = await send(d);
      assert.equal(res.status, 200, res.text);
      times.push(ms);
    }
    console.log(`[queue] answer times with a 3 s origin (ms): ${times.map((t) => t.toFixed(1)).join(", ")}`);
    for (const ms of times) assert.ok(ms < 1_000, `answered in ${ms} ms`);
    await waitFor("slow deliveries", () => ds.every((d) => origin.accepted(d.webhookId).length === 1), 30_000);
    origin.behave(() => 200);
    const c = await counts("3 s origin", ds, ds.length);
    assert.deepEqual([c.delivered, c.duplicates, c.lost], [4, 0, 0]);
  });

  test("ordering guard: sequence per envelope, stale for an event older than one already forwarded", async () => {
    origin.behave(() => 200);
    const envelope = "ordering-envelope-1";
    const done = makeDelivery("yousign", "order-done", { envelope, eventName: "signature_request.done", time: 1_791_480_900 });
    const viewed = makeDelivery("yousign", "order-viewed", { envelope, eventName: "signer.link_opened", time: 1_791_480_600 });
    assert.equal((await send(done)).res.status, 200);
    await waitFor("done", () => origin.accepted(done.webhookId).length === 1, 20_000);
    assert.equal((await send(viewed)).res.status, 200);
    await waitFor("viewed", () => origin.accepted(viewed.webhookId).length === 1, 20_000);
    const a = JSON.parse(origin.accepted(done.webhookId)[0].body);
    const b = JSON.parse(origin.accepted(viewed.webhookId)[0].body);
    assert.equal(a.subject, b.subject);
    assert.equal(a.sequence, "0000000000000001");
    assert.equal(b.sequence, "0000000000000002");
    assert.ok(b.sequence > a.sequence, "string order is acceptance order");
    assert.equal(a.stale, false);
    assert.equal(b.stale, true, "older by provider time than the delivered `done`");
  });

  test("a 1 MiB delivery arrives whole (through R2)", async () => {
    origin.behave(() => 200);
    const d = makeDelivery("zoho-sign", "large-0", { padTo: 1024 * 1024 });
    assert.ok(d.body.length >= 1024 * 1024);
    const { res } = await send(d);
    assert.equal(res.status, 200, res.text);
    await waitFor("the large delivery", () => origin.accepted(d.webhookId).length === 1, 30_000);
    const [got] = origin.accepted(d.webhookId);
    const event = HTTP.toEvent({ headers: got.headers, body: got.body });
    assert.ok(got.body.includes(d.body.toString("utf8")), "the payload byte for byte");
    assert.deepEqual(event.data.raw, JSON.parse(d.body));
    const c = await counts("1 MiB", [d], 1);
    assert.deepEqual([c.delivered, c.duplicates, c.lost], [1, 0, 0]);
  });

  test("origin down for the whole retry budget: all dead-lettered, listed, replayed once origin is back, delivered once", async () => {
    await origin.down();
    const ds = [];
    for (const p of PROVIDERS) for (let i = 0; i < 3; i++) ds.push(makeDelivery(p, `down-${i}`));
    let acknowledged = 0;
    for (const d of ds) {
      const { res } = await send(d);
      assert.equal(res.status, 200, res.text);
      acknowledged++;
    }
    const keys = new Set(ds.map((d) => d.webhookId));
    const listed = await waitFor(
      "every event in the dead letters",
      async () => {
        const res = await admin("dead-letters");
        const rows = res.json.dead_letters.filter((r) => keys.has(r.key) && r.state === "dead");
        return rows.length === keys.size && rows;
      },
      90_000,
    );
    for (const row of listed) {
      assert.equal(row.attempts, 5, "the whole budget was spent");
      assert.equal(row.reason, "origin is unreachable");
      assert.ok(PROVIDERS.includes(row.provider));
      assert.match(row.dead_at, /^\d{4}-\d\d-\d\dT/);
    }
    const before = await counts("origin down (before replay)", ds, acknowledged);
    assert.deepEqual([before.delivered, before.deadLettered, before.lost], [0, keys.size, 0]);

    // Admin routes: a bearer token, compared in constant time.
    assert.equal((await admin("dead-letters", "GET", null)).status, 401);
    assert.equal((await admin("dead-letters", "GET", ADMIN_TOKEN + "x")).json.code, "unauthorized");
    assert.equal((await admin("dead-letters", "DELETE")).status, 405);

    await origin.up();
    origin.behave(() => 200);
    const one = listed[0];
    const single = await admin(`dead-letters/${one.id}/replay`, "POST");
    assert.equal(single.status, 202, single.text);
    assert.deepEqual(single.json.replayed, [one.id]);
    assert.equal((await admin(`dead-letters/${one.id}/replay`, "POST")).status, 404, "already replayed");
    const rest = await admin("dead-letters/replay", "POST");
    assert.equal(rest.status, 202, rest.text);
    assert.equal(rest.json.replayed.length, keys.size - 1);
    await waitFor("replayed deliveries", () => [...keys].every((k) => origin.accepted(k).length === 1), 30_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const c = await counts("origin down, then replayed", ds, acknowledged);
    assert.deepEqual([c.delivered, c.duplicates, c.deadLettered, c.lost], [keys.size, 0, 0, 0]);
  });

  test("a permanent 4xx is a dead letter at once", async () => {
    origin.behave(() => 422);
    const d = makeDelivery("zigned", "gone-0");
    assert.equal((await send(d)).res.status, 200);
    const row = await waitFor(
      "the dead letter",
      async () => (await admin("dead-letters")).json.dead_letters.find((r) => r.key === d.webhookId),
      20_000,
    );
    assert.equal(row.attempts, 1);
    assert.equal(row.reason, "origin answered 422");
    assert.equal(origin.requests(d.webhookId).length, 1);
    origin.behave(() => 200);
    // The provider's retry of a dead event hears so, and nothing is queued (T3-4).
    const again = await send(d);
    assert.equal(again.res.status, 200, again.res.text);
    assert.equal(again.res.json.status, "dead");
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(origin.requests(d.webhookId).length, 1, "no attempt after the dead letter");
  });

  test("12 copies during an origin outage share one retry budget and one backoff; delivered once origin is back (security review T3-4)", async () => {
    origin.behave(() => 503);
    const d = makeDelivery("zoho-sign", "copies-0");
    const answers = [];
    for (let i = 0; i < 12; i++) {
      answers.push((await send(d)).res);
      await new Promise((r) => setTimeout(r, 150));
    }
    for (const res of answers) {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.status, "queued");
    }
    // Only the first copy made a job; the others found it live.
    const lines = worker.logLines().filter((l) => l.webhook_id === d.webhookId);
    assert.deepEqual(lines.map((l) => l.outcome), ["queued", ...Array(11).fill("live")]);
    await waitFor("three attempts", () => origin.requests(d.webhookId).length >= 3, 30_000);
    origin.behave(() => 200);
    await waitFor("the delivery", () => origin.accepted(d.webhookId).length === 1, 30_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const all = origin.requests(d.webhookId);
    const attempts = all.map((r) => Number(r.headers["signhook-attempt"]));
    assert.deepEqual(attempts, attempts.map((_, i) => i + 1), "one attempt count for every copy");
    assert.ok(attempts.length < 5, `the budget (5) is not spent: ${attempts.length} attempts`);
    // RETRY_BASE_SECONDS 1, RETRY_MAX_DELAY_SECONDS 2: after attempt n ≥ 2 the wait is at
    // least 1 s (equal jitter: half of min(1 × 2^(n-1), 2)); copies used to attempt within
    // 150 ms of each other.
    const gaps = all.slice(1).map((r, i) => r.at - all[i].at);
    console.log(`[queue] 12 copies: attempts ${attempts.join(",")}, gaps (ms) ${gaps.join(", ")}`);
    for (const [i, gap] of gaps.entries()) if (i >= 1) assert.ok(gap >= 900, `attempt ${i + 2} came ${gap} ms after the one before`);
    assert.equal(origin.accepted(d.webhookId).length, 1);
    const c = await counts("12 copies during an outage", Array(12).fill(d), 12);
    assert.deepEqual([c.delivered, c.duplicates, c.lost], [1, 0, 0]);
  });

  test("the ordering guard trusts no future, and one account's events never mark another's stale (security review T3-3)", async () => {
    origin.behave(() => 200);
    const now = Math.floor(Date.now() / 1000);
    // A covered time far ahead of the edge's clock is refused before anything is queued.
    const future = makeDelivery("yousign", "future-0", { envelope: "sr-future", time: 4_102_444_800 });
    const refused = (await send(future)).res;
    assert.equal(refused.status, 401, refused.text);
    assert.equal(refused.json.code, "event_too_new");
    // Another account (the var's second secret) delivers an event about sr-B, dated now.
    const forged = makeDelivery("yousign", "cross-0", { envelope: "sr-B", eventName: "signer.link_opened", time: now });
    const forgedRes = await post(`${worker.url}/hooks/yousign`, forged.body, signed("yousign", forged.body, { key: OTHER_YOUSIGN_ACCOUNT }));
    assert.equal(forgedRes.status, 200, forgedRes.text);
    await waitFor("the other account's event", () => origin.accepted(forged.webhookId).length === 1, 20_000);
    // The genuine account's completion, dated a minute earlier, is not stale.
    const genuine = makeDelivery("yousign", "cross-1", { envelope: "sr-B", eventName: "signature_request.done", time: now - 60 });
    assert.equal((await send(genuine)).res.status, 200);
    await waitFor("the genuine completion", () => origin.accepted(genuine.webhookId).length === 1, 20_000);
    const got = JSON.parse(origin.accepted(genuine.webhookId)[0].body);
    assert.equal(got.data.verification.key, 0);
    assert.equal(got.stale, false, "another key's latest time marks nothing stale");
    assert.equal(got.sequence, "0000000000000002", "one envelope, one sequence");
    // Documenso's time is not covered (no MAC): a future createdAt orders nothing.
    const documenso = (label, createdAt, event) =>
      Buffer.from(JSON.stringify({ event, payload: { id: 1, envelopeId: `envelope_${label}`, status: "COMPLETED", recipients: [] }, createdAt, webhookEndpoint: "https://example.com/h" }));
    const poison = documenso("X", "9999-12-31T23:59:59.000Z", "DOCUMENT_OPENED");
    const poisonRes = await post(`${worker.url}/hooks/documenso`, poison, signed("documenso", poison));
    assert.equal(poisonRes.status, 200, poisonRes.text);
    const poisonId = expectedWebhookId("documenso", poisonRes.json.id);
    await waitFor("the future-dated Documenso event", () => origin.accepted(poisonId).length === 1, 20_000);
    const done = documenso("X", new Date((now - 5) * 1000).toISOString(), "DOCUMENT_COMPLETED");
    const doneRes = await post(`${worker.url}/hooks/documenso`, done, signed("documenso", done));
    assert.equal(doneRes.status, 200, doneRes.text);
    const doneId = expectedWebhookId("documenso", doneRes.json.id);
    await waitFor("the Documenso completion", () => origin.accepted(doneId).length === 1, 20_000);
    assert.equal(JSON.parse(origin.accepted(doneId)[0].body).stale, false, "a future time orders nothing");
  });

  test("a burst of 1,000 signed deliveries across four providers, 8 at a time: all acknowledged, all delivered once", async () => {
    origin.behave(() => 200);
    const ds = [];
    for (let i = 0; i < 1000; i++) ds.push(makeDelivery(PROVIDERS[i % PROVIDERS.length], `burst-${i}`));
    let next = 0;
    let acknowledged = 0;
    const failures = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < ds.length) {
          const d = ds[next++];
          const { res } = await send(d);
          if (res.status === 200) acknowledged++;
          else failures.push(res.text);
        }
      }),
    );
    const sentMs = performance.now() - started;
    assert.deepEqual(failures, []);
    await waitFor(
      "1,000 deliveries",
      () => ds.every((d) => origin.accepted(d.webhookId).length >= 1),
      180_000,
    );
    const drainMs = performance.now() - started;
    await settled(ds.map((d) => d.webhookId));
    console.log(`[queue] burst: sent in ${(sentMs / 1000).toFixed(1)} s, all delivered after ${(drainMs / 1000).toFixed(1)} s`);
    const c = await counts("burst of 1,000", ds, acknowledged);
    assert.deepEqual(
      [c.acknowledged, c.delivered, c.duplicates, c.deadLettered, c.lost],
      [1000, 1000, 0, 0, 0],
    );
    assert.equal(origin.verifyFailures(), 0, "every request verified with standardwebhooks");
  });
});

describe("queue mode, several events in one delivery (PandaDoc)", () => {
  test("an array of three, sent twice (a retry), origin failing each event's first attempt: each event delivered exactly once, in order", async () => {
    origin.behave((r) => (r.attempt === 1 ? 500 : 200));
    const body = await fixture("pandadoc", "array-of-three-rotation");
    // The ids come from the signed body (T3-1): the header names nothing.
    const deliveryId = bodyHashId("pandadoc", body);
    const headers = { "content-type": "application/json", "X-PandaDoc-Webhook-Event-Id": `queue-batch-${Date.now()}` };
    const url = `${worker.url}/hooks/pandadoc?${pandadocQuery(body)}`;
    const first = await post(url, body, headers);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json.events.map((e) => e.status), ["queued", "queued", "queued"]);
    // PandaDoc retries the whole delivery; a replay under another header value is the
    // same three events.
    const retry = await post(url, body, headers);
    assert.equal(retry.status, 200, retry.text);
    const replay = await post(url, body, { ...headers, "X-PandaDoc-Webhook-Event-Id": "evt-replayed" });
    assert.equal(replay.status, 200, replay.text);
    assert.deepEqual(replay.json.events.map((e) => e.id), first.json.events.map((e) => e.id));
    const keys = [0, 1, 2].map((i) => expectedWebhookId("pandadoc", `${deliveryId}:${i}`));
    await waitFor("3 deliveries", () => keys.every((k) => origin.accepted(k).some((r) => r.status === 200)), 30_000);
    await settled(keys);
    const events = keys.map((k) => {
      const ok = origin.accepted(k).filter((r) => r.status === 200);
      assert.equal(ok.length, 1, `${k} reached origin successfully ${ok.length} times`);
      return HTTP.toEvent({ headers: ok[0].headers, body: ok[0].body });
    });
    assert.deepEqual(events.map((e) => e.id), [0, 1, 2].map((i) => `${deliveryId}:${i}`));
    // One envelope: numbered in the array's order.
    const seq = events.map((e) => Number(e.sequence));
    assert.ok(seq[0] < seq[1] && seq[1] < seq[2], JSON.stringify(seq));
    const c = await counts("pandadoc array of 3, sent twice", keys.map((webhookId) => ({ webhookId })), first.json.events.length);
    assert.deepEqual([c.delivered, c.duplicates, c.lost], [3, 0, 0]);
  });

  test("100 events in one delivery, origin taking 3 s: answered well under PandaDoc's 20 s, one sendBatch, each delivered once; 101 is too_many_events (T3-7)", async () => {
    origin.behave(() => 200, 3_000);
    const now = new Date(Date.now() - 60_000).toISOString();
    const element = (i) => ({ event: "document_state_changed", data: { id: `doc-fanout-${i % 10}`, name: `Doc ${i}`, status: "document.viewed", date_modified: now } });
    const body = Buffer.from(JSON.stringify(Array.from({ length: 100 }, (_, i) => element(i))));
    const url = `${worker.url}/hooks/pandadoc?${pandadocQuery(body)}`;
    const started = performance.now();
    const res = await post(url, body, { "content-type": "application/json" });
    const ms = performance.now() - started;
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.events.length, 100);
    console.log(`[queue] 100-event PandaDoc delivery answered in ${ms.toFixed(0)} ms (origin takes 3 s per event)`);
    assert.ok(ms < 20_000, `answered in ${ms} ms`);
    // Origin's pace is not the provider's answer's; the rest of the test need not wait.
    origin.behave(() => 200);
    const base = bodyHashId("pandadoc", body);
    const keys = res.json.events.map((e, i) => {
      assert.equal(e.id, `${base}:${i}`);
      return expectedWebhookId("pandadoc", e.id);
    });
    await waitFor("100 deliveries", () => keys.every((k) => origin.accepted(k).length >= 1), 120_000);
    await settled(keys, 120_000);
    // Each of the ten documents' events numbered in the array's order.
    const byDoc = new Map();
    for (const k of keys) {
      const e = JSON.parse(origin.accepted(k)[0].body);
      byDoc.set(e.subject, [...(byDoc.get(e.subject) ?? []), [Number(e.id.split(":")[1]), Number(e.sequence)]]);
    }
    for (const pairs of byDoc.values()) {
      pairs.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < pairs.length; i++) assert.ok(pairs[i][1] > pairs[i - 1][1], JSON.stringify(pairs));
    }
    const c = await counts("pandadoc 100 events", keys.map((webhookId) => ({ webhookId })), 100);
    assert.deepEqual([c.delivered, c.duplicates, c.lost], [100, 0, 0]);
    const more = Buffer.from(JSON.stringify(Array.from({ length: 101 }, (_, i) => element(i))));
    const over = await post(`${worker.url}/hooks/pandadoc?${pandadocQuery(more)}`, more, { "content-type": "application/json" });
    assert.equal(over.status, 413, over.text);
    assert.equal(over.json.code, "too_many_events");
  });
});
