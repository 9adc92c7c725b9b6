// The example origins (examples/origin-node, examples/origin-python) behind the real Worker
// in queue mode. For each: one delivery of each of the queue suites' four providers goes through the Worker and must
// be accepted once with the right type and trust level; the same deliveries sent again are
// duplicates at the edge and never accepted twice; a late event of a completed envelope
// arrives stale and changes no state; then the receiver itself is attacked: a forged
// request, a tampered body, a signed non-CloudEvent, and a replay of a captured delivery.
//
// Between the Worker and the receiver sits a transparent tap that forwards every request
// byte for byte and keeps a copy: the "captured traffic" the replay attack re-sends.
// What each receiver did is read from its stdout, one JSON line per request.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { Webhook } from "standardwebhooks";

import { ROOT, SECRETS, freePort, hookPath, post, startWorker, waitFor } from "./harness.mjs";
import { PROVIDERS, makeDelivery } from "./queue-kit.mjs";

const RETRY = { RETRY_MAX_ATTEMPTS: "5", RETRY_BASE_SECONDS: "1", RETRY_MAX_DELAY_SECONDS: "2" };

// What each provider's delivery (queue-kit's fixtures) must arrive as.
const EXPECTED = {
  "zoho-sign": { type: "esign.envelope.completed", covers: "body" },
  "acrobat-sign": { type: "esign.envelope.declined", covers: "shared-secret" }, // URL token
  zigned: { type: "esign.participant.signed", covers: "timestamp+body" },
  yousign: { type: "esign.participant.signed", covers: "body" },
};

const RECEIVERS = [
  {
    name: "origin-node",
    cwd: path.join(ROOT, "examples", "origin-node"),
    // The project's Node 22 (the test runner's own).
    command: [process.execPath, "server.mjs"],
    installed: path.join(ROOT, "examples", "origin-node", "node_modules", "standardwebhooks"),
  },
  {
    name: "origin-python",
    cwd: path.join(ROOT, "examples", "origin-python"),
    command: [path.join(ROOT, "examples", "origin-python", ".venv", "bin", "python"), "app.py"],
    installed: path.join(ROOT, "examples", "origin-python", ".venv", "bin", "python"),
  },
];

const runId = `${process.pid}-${Date.now()}`;

/** Starts an example receiver on a free port; resolves when GET /healthz answers. */
async function startReceiver(r, port) {
  assert.ok(existsSync(r.installed), `${r.name} is not installed (${r.installed}); run: bash scripts/bootstrap.sh`);
  const child = spawn(r.command[0], r.command.slice(1), {
    cwd: r.cwd,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", FORWARD_SECRET: SECRETS.forward, PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM"); // by its pid
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${r.name} exited with ${child.exitCode}:\n${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${r.name} did not answer /healthz in time:\n${stderr}`);
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    url,
    stop,
    stderr: () => stderr,
    /** The receiver's JSON log lines, in order (complete lines only). */
    lines: () =>
      stdout
        .split("\n")
        .slice(0, -1)
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l)),
  };
}

/** A transparent tap: forwards each request verbatim to `target` and keeps a copy. */
async function startTap(target) {
  const captured = [];
  const hop = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !hop.has(k)));
      try {
        const answer = await fetch(`${target}${req.url}`, { method: req.method, headers, body });
        const text = await answer.text();
        captured.push({ headers, body, status: answer.status });
        res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
        res.end(text);
      } catch {
        res.writeHead(502);
        res.end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    captured,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}


for (const r of RECEIVERS) {
  describe(r.name, () => {
    let receiver;
    let tap;
    let worker;
    const deliveries = PROVIDERS.map((p) => makeDelivery(p, `receiver-${r.name}-${runId}`));
    const lines = () => receiver.lines();
    const linesFor = (id) => lines().filter((l) => l.webhook_id === id);
    const acceptedFor = (id) => linesFor(id).filter((l) => l.outcome === "accepted");
    const diagnostics = () =>
      `receiver stdout:\n${lines().map((l) => JSON.stringify(l)).join("\n")}\nreceiver stderr:\n${receiver.stderr()}` +
      `\nWorker:\n${worker.output().split("\n").filter((l) => l.startsWith("{") || /error/i.test(l)).slice(-40).join("\n")}` +
      // wrangler dev reloads when a file under src/ or www/ changes (wrangler.toml watch_dir),
      // and a reload drops the local queue's messages: say so when it happened.
      (worker.output().includes("Reloading local server")
        ? "\nNOTE: wrangler dev reloaded during this run (a file under src/ or www/ changed); queued messages are dropped on reload."
        : "");
    // The receiver logs before it answers, but its stdout pipe may trail the HTTP answer.
    const logged = (id, n) => waitFor(`${n} log line(s) for ${id}`, () => linesFor(id).length >= n, 5000, diagnostics);

    before(async () => {
      receiver = await startReceiver(r, await freePort());
      tap = await startTap(receiver.url);
      worker = await startWorker({
        ORIGIN_URL: `${tap.url}/webhooks`, // queue mode: the default with ORIGIN_URL
        FORWARD_SECRET: SECRETS.forward,
        ZOHO_SIGN_SECRETS: SECRETS.zoho,
        YOUSIGN_SECRETS: SECRETS.yousign,
        ZIGNED_SECRETS: SECRETS.zigned,
        ACROBAT_SIGN_CLIENT_IDS: SECRETS.acrobatClientId,
        ...RETRY,
      });
    });

    after(async () => {
      await worker?.stop();
      await tap?.close();
      await receiver?.stop();
    });

    test("every provider's delivery through the Worker is accepted once, with its type and trust level", async () => {
      for (const d of deliveries) {
        const res = await post(`${worker.url}${hookPath(d.provider)}`, d.body, d.headers());
        assert.equal(res.status, 200, `${d.provider}: ${res.text}`);
      }
      await waitFor("4 accepted events", () => deliveries.every((d) => acceptedFor(d.webhookId).length === 1), 20_000, diagnostics);
      for (const d of deliveries) {
        const [line] = acceptedFor(d.webhookId);
        assert.equal(line.status, 200);
        assert.equal(line.type, EXPECTED[d.provider].type, d.provider);
        assert.equal(line.covers, EXPECTED[d.provider].covers, d.provider);
        assert.equal(line.provider, d.provider);
        assert.equal(line.stale, false);
        assert.equal(line.attempt, "1");
        // Only a proof over the body is trusted; the rest is re-fetched before acting.
        const hint = !["body", "timestamp+body"].includes(line.covers);
        assert.equal(/would re-fetch/.test(line.action), hint, `${d.provider}: ${line.action}`);
        assert.equal(linesFor(d.webhookId).length, 1, `${d.provider}: one request, one line`);
      }
      // The Worker saw origin's 2xx: each event is recorded delivered.
      await waitFor(
        "the Worker to record 4 deliveries",
        () => deliveries.every((d) => worker.consumerLines().some((l) => l.key === d.webhookId && l.outcome === "delivered")),
        10_000,
      );
    });

    test("the same deliveries again: the edge answers duplicate, the receiver never accepts twice", async () => {
      for (const d of deliveries) {
        const res = await post(`${worker.url}${hookPath(d.provider)}`, d.body, d.headers());
        assert.equal(res.status, 200, `${d.provider}: ${res.text}`);
        if (d.provider !== "acrobat-sign") assert.equal(res.json.status, "duplicate", d.provider);
      }
      // Nothing was enqueued a second time (the log lines come through wrangler's output:
      // give a loaded machine a moment to flush them) ...
      await waitFor(
        "the edge's log lines",
        () => deliveries.every((d) => worker.logLines().filter((l) => l.webhook_id === d.webhookId).length >= 2),
        10_000,
        diagnostics,
      );
      for (const d of deliveries) {
        const edge = worker.logLines().filter((l) => l.webhook_id === d.webhookId);
        assert.deepEqual(edge.map((l) => l.outcome), ["queued", "duplicate"], d.provider);
      }
      // ... and nothing more reached the receiver (give a stray copy time to arrive).
      await new Promise((res) => setTimeout(res, 1500));
      for (const d of deliveries) {
        assert.equal(acceptedFor(d.webhookId).length, 1, d.provider);
        assert.equal(linesFor(d.webhookId).length, 1, d.provider);
      }
    });

    test("ordering guard: a late event of a completed envelope arrives stale and changes no state", async () => {
      const envelope = `sr-ordering-${r.name}-${runId}`;
      const t = Math.floor(Date.now() / 1000) - 600;
      const done = makeDelivery("yousign", `done-${r.name}-${runId}`, { envelope, eventName: "signature_request.done", time: t });
      const late = makeDelivery("yousign", `late-${r.name}-${runId}`, { envelope, eventName: "signer.link_opened", time: t - 60 });
      assert.equal((await post(`${worker.url}${hookPath("yousign")}`, done.body, done.headers())).status, 200);
      await waitFor("the completed event", () => acceptedFor(done.webhookId).length === 1, 15_000, diagnostics);
      // The guard compares with what the edge recorded as delivered: wait for that record.
      await waitFor(
        "the Worker to record the completed event",
        () => worker.consumerLines().some((l) => l.key === done.webhookId && l.outcome === "delivered"),
        10_000,
      );
      assert.equal((await post(`${worker.url}${hookPath("yousign")}`, late.body, late.headers())).status, 200);
      await waitFor("the late event", () => acceptedFor(late.webhookId).length === 1, 15_000, diagnostics);
      const [first] = acceptedFor(done.webhookId);
      assert.equal(first.type, "esign.envelope.completed");
      assert.equal(first.stale, false);
      assert.match(first.action, /^envelope .* completed/);
      const [second] = acceptedFor(late.webhookId);
      assert.equal(second.type, "esign.participant.viewed");
      assert.equal(second.stale, true);
      assert.match(second.action, /^stale: envelope state left unchanged/);
    });

    test("a forged request (wrong key) and a tampered body are answered 401 and not accepted", async () => {
      const acceptedBefore = lines().filter((l) => l.outcome === "accepted").length;
      const [original] = tap.captured.filter((c) => c.headers["webhook-id"] === deliveries[0].webhookId);
      assert.ok(original, "the tap captured the Zoho Sign delivery");

      // Forged: a new event, with every header a real delivery has, signed with another key.
      const event = JSON.parse(original.body);
      event.id = `forged-${runId}`;
      event.type = "esign.envelope.completed";
      const body = JSON.stringify(event);
      const forgedId = `msg_forged${runId.replace(/\D/g, "")}`.slice(0, 36);
      const now = new Date();
      const wrongKey = new Webhook("whsec_" + Buffer.from("not-the-forward-key-32-bytes-!!!").toString("base64"));
      const forged = await post(`${receiver.url}/webhooks`, body, {
        ...original.headers,
        "webhook-id": forgedId,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": wrongKey.sign(forgedId, now, body),
      });
      assert.equal(forged.status, 401, forged.text);
      await logged(forgedId, 1);
      const [forgedLine, ...more] = linesFor(forgedId);
      assert.equal(more.length, 0);
      assert.equal(forgedLine.outcome, "rejected");
      assert.equal(forgedLine.reason, "bad_signature");
      assert.equal(forgedLine.type, null, "nothing of an unverified body is used");

      // Tampered: the captured request (a valid signature) with its type changed.
      const tamperedBody = Buffer.from(original.body);
      const at = tamperedBody.indexOf('"esign.envelope.completed"');
      assert.ok(at > 0);
      tamperedBody.write('"esign.envelope.cancelled"', at); // same length, still JSON
      const tampered = await post(`${receiver.url}/webhooks`, tamperedBody, original.headers);
      assert.equal(tampered.status, 401, tampered.text);
      await logged(deliveries[0].webhookId, 2);
      assert.deepEqual(
        linesFor(deliveries[0].webhookId).map((l) => [l.outcome, l.reason]),
        [["accepted", null], ["rejected", "bad_signature"]],
      );

      // A correctly signed body that is no CloudEvent: 400, not accepted.
      const junkId = `msg_junk${runId.replace(/\D/g, "")}`.slice(0, 36);
      const junk = '{"hello":"world"}';
      const right = new Webhook(SECRETS.forward);
      const bad = await post(`${receiver.url}/webhooks`, junk, {
        "content-type": "application/cloudevents+json",
        "webhook-id": junkId,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": right.sign(junkId, now, junk),
      });
      assert.equal(bad.status, 400, bad.text);
      await logged(junkId, 1);
      assert.deepEqual(linesFor(junkId).map((l) => [l.outcome, l.reason]), [["rejected", "unparseable_event"]]);

      assert.equal(lines().filter((l) => l.outcome === "accepted").length, acceptedBefore, "no attack was accepted");
    });

    test("a replay of a captured delivery (exact bytes and headers) is answered 2xx as a duplicate", async () => {
      for (const d of deliveries) {
        const [original] = tap.captured.filter((c) => c.headers["webhook-id"] === d.webhookId);
        assert.ok(original, `the tap captured the ${d.provider} delivery`);
        assert.equal(original.status, 200);
        const replay = await post(`${receiver.url}/webhooks`, original.body, original.headers);
        assert.ok(replay.status >= 200 && replay.status < 300, `${d.provider}: ${replay.status} ${replay.text}`);
        // (the Zoho Sign id also has the tampered copy's rejection, from the test above)
        await logged(d.webhookId, d.provider === "zoho-sign" ? 3 : 2);
        const outcomes = linesFor(d.webhookId).map((l) => l.outcome);
        assert.deepEqual(outcomes.filter((o) => o !== "rejected"), ["accepted", "duplicate"], d.provider);
        assert.equal(outcomes.at(-1), "duplicate", d.provider);
        assert.equal(linesFor(d.webhookId).at(-1).type, EXPECTED[d.provider].type);
      }
    });
  });
}
