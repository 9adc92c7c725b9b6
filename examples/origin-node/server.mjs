// An origin for signhook's edge Worker: verifies the Standard Webhooks signature over the
// raw body, parses the CloudEvent, deduplicates by webhook-id, and acts on the event.
//
//   FORWARD_SECRET=whsec_... PORT=3000 node server.mjs
//
// stdout: one JSON line per request (GET /healthz excepted); stderr: start-up messages.
import express from "express";
import { HTTP } from "cloudevents";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

const HOST = process.env.HOST || "127.0.0.1";
const PORT = Number(process.env.PORT || 3000);
// Keep ids at least as long as the edge's LEDGER_RETENTION_HOURS (default 168 h).
const DEDUPE_TTL_HOURS = Number(process.env.DEDUPE_TTL_HOURS || 168);
// The edge accepts provider bodies up to MAX_BODY_BYTES (10 MiB); the event wraps one.
const MAX_BODY = "12mb";

let webhook;
try {
  webhook = new Webhook(process.env.FORWARD_SECRET ?? "");
} catch (err) {
  console.error(`FORWARD_SECRET must be the edge's whsec_... key (${err.message})`);
  process.exit(1);
}

// ---- deduplication: webhook-id -> expiry (ms). In-memory: fine for one process. ----
// Production: a shared store with an atomic "insert if absent", e.g. Redis
// `SET key 1 NX EX <ttl>` or an SQL table with a primary key on webhook_id.
const seen = new Map();
const ttlMs = DEDUPE_TTL_HOURS * 3600 * 1000;
/** Records `id`; false when it was already recorded (a duplicate). */
function claim(id) {
  const now = Date.now();
  const until = seen.get(id);
  if (until !== undefined && until > now) return false;
  if (seen.size > 0 && seen.size % 1000 === 0) {
    for (const [k, t] of seen) if (t <= now) seen.delete(k);
  }
  seen.set(id, now + ttlMs);
  return true;
}
/** Forgets `id` again, so the edge's retry is processed (handling failed). */
const release = (id) => seen.delete(id);

// ---- acting on events ----
// Proofs that cover the provider's bytes: the content is authentic.
const TRUSTED = new Set(["body", "timestamp+body"]);
// Everything else ("shared-secret", "client-id", "event-metadata", unknown): a hint.

// The example's application state: envelope (provider + subject) -> status.
const envelopes = new Map();

/** What the application does with `event`; returns a description for the log. */
function handle(event) {
  const data = event.data ?? {};
  const covers = data.verification?.covers ?? null;
  const envelopeKey = `${event.provider}/${event.subject}`;
  let plan;
  let status = null; // the envelope state this event would set
  switch (event.type) {
    case "esign.envelope.completed":
      plan = `envelope ${event.subject} completed: download its signed documents`;
      status = "completed";
      break;
    case "esign.envelope.declined":
    case "esign.envelope.cancelled":
    case "esign.envelope.expired":
      status = event.type.slice("esign.envelope.".length);
      plan = `envelope ${event.subject} ${status}: stop waiting for it`;
      break;
    case "esign.participant.signed": {
      const who = data.participant?.email ?? data.participant?.id ?? "a participant";
      plan = `${who} signed envelope ${event.subject}`;
      break;
    }
    default:
      plan = `no handler for ${event.type}: recorded only`;
  }
  if (event.stale === true) {
    // Ordering guard: a later event of this envelope was already delivered.
    return `stale: envelope state left unchanged (${plan})`;
  }
  if (!TRUSTED.has(covers)) {
    // The body is not authenticated: use the event as a pointer only. A real origin calls
    // the provider's API here (e.g. GET the agreement) and acts on that answer.
    return `would re-fetch ${event.provider} envelope ${event.subject} from the provider's API before acting (${plan})`;
  }
  if (status) envelopes.set(envelopeKey, status);
  return plan;
}

// ---- HTTP ----
const log = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const cap = (v) => (typeof v === "string" ? v.slice(0, 200) : null);

function finish(req, res, status, line) {
  log({
    outcome: line.outcome,
    status,
    reason: line.reason ?? null,
    webhook_id: cap(req.headers["webhook-id"]),
    attempt: cap(req.headers["signhook-attempt"]),
    type: line.type ?? null,
    provider: line.provider ?? null,
    subject: line.subject ?? null,
    covers: line.covers ?? null,
    stale: line.stale ?? null,
    action: line.action ?? null,
    detail: cap(line.detail),
  });
  res.status(status).json(line.reason ? { outcome: line.outcome, reason: line.reason } : { outcome: line.outcome });
}

const app = express();
app.disable("x-powered-by");

app.get("/healthz", (req, res) => res.json({ status: "ok" }));

// express.raw keeps the exact bytes as a Buffer: the signature is over them, and a
// re-serialized JSON body would not verify.
app.post("/webhooks", express.raw({ type: () => true, limit: MAX_BODY }), (req, res) => {
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);

  // 1. Verify (also refuses a webhook-timestamp more than 5 minutes away).
  try {
    // jsonParse: false, as the CloudEvents SDK parses the same bytes below.
    webhook.verify(raw, req.headers, { jsonParse: false });
  } catch (err) {
    const detail = err instanceof WebhookVerificationError ? err.message : String(err);
    return finish(req, res, 401, { outcome: "rejected", reason: "bad_signature", detail });
  }

  // 2. Parse the CloudEvent (structured mode, application/cloudevents+json).
  let event;
  try {
    event = HTTP.toEvent({ headers: req.headers, body: raw.toString("utf8") });
    if (Array.isArray(event)) throw new Error("a batch, not one event");
    event.validate();
  } catch (err) {
    return finish(req, res, 400, { outcome: "rejected", reason: "unparseable_event", detail: String(err.message ?? err) });
  }
  const fields = {
    type: event.type,
    provider: event.provider ?? null,
    subject: event.subject ?? null,
    covers: event.data?.verification?.covers ?? null,
    stale: typeof event.stale === "boolean" ? event.stale : null,
  };

  // 3. Deduplicate: the edge may deliver an event more than once, always with one webhook-id.
  const id = req.headers["webhook-id"];
  if (!claim(id)) return finish(req, res, 200, { outcome: "duplicate", ...fields });

  // 4. Act; on failure forget the id and answer 500 so the edge retries.
  let action;
  try {
    action = handle(event);
  } catch (err) {
    release(id);
    return finish(req, res, 500, { outcome: "rejected", reason: "handler_error", detail: String(err), ...fields });
  }
  return finish(req, res, 200, { outcome: "accepted", action, ...fields });
});

app.all("/webhooks", (req, res) => {
  res.set("allow", "POST");
  finish(req, res, 405, { outcome: "rejected", reason: "method_not_allowed" });
});
app.use((req, res) => finish(req, res, 404, { outcome: "rejected", reason: "not_found" }));
// Body-reading errors (too large, aborted): 413 / 400 from body-parser.
app.use((err, req, res, _next) => {
  const status = Number.isInteger(err.status) && err.status >= 400 && err.status < 500 ? err.status : 500;
  finish(req, res, status, { outcome: "rejected", reason: status === 413 ? "too_large" : "bad_request", detail: err.message });
});

const server = app.listen(PORT, HOST, (err) => {
  if (err) {
    console.error(`cannot listen on ${HOST}:${PORT}: ${err.message}`);
    process.exit(1);
  }
  const { port } = server.address();
  console.error(`origin-node listening on http://${HOST}:${port}/webhooks`);
});
// Finish the requests in flight, then exit (at most 5 s later).
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
