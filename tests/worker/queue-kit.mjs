// Deliveries and a fault-injecting origin for the queue-mode tests (queue.test.mjs) and the
// latency script (bench/worker/latency.mjs). Bodies are the real fixtures with their ids
// changed, signed with the npm package's own `sign` (harness.mjs).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";

import { schemaErrors } from "../schema.mjs";
import { ROOT, expectedWebhookId, signed } from "./harness.mjs";

// The queue suites' providers: one of each kind of proof (a body MAC, a client id behind a
// URL token, a timestamped MAC, a MAC whose event id is the provider's). What happens after
// verification does not depend on the provider; every provider's own verification and
// event reach origin in direct.test.mjs and quickstart.test.mjs.
export const PROVIDERS = ["zoho-sign", "acrobat-sign", "zigned", "yousign"];
// makeDelivery also knows these; they join PROVIDERS once the suites that iterate it
// configure their secrets.
export const MORE_PROVIDERS = ["docusign", "docuseal"];

const FIXTURES = {
  "zoho-sign": "zoho-sign/request-completed",
  "acrobat-sign": "acrobat-sign/agreement-rejected",
  zigned: "zigned/participant-fulfilled-ms-rotation",
  yousign: "yousign/signer-done",
  docusign: "docusign/recipient-declined-summary",
  docuseal: "docuseal/form-completed-rotation",
};
const base = Object.fromEntries(
  Object.entries(FIXTURES).map(([p, f]) => [p, JSON.parse(readFileSync(path.join(ROOT, "tests/fixtures", f, "body"), "utf8"))]),
);

/** The event id the edge derives for Zoho Sign and Zigned (no id of their own): README. */
export const bodyHashId = (provider, body) =>
  createHash("sha256").update(`signhook/${provider}\n`).update(body).digest("hex").slice(0, 32);

/**
 * A unique delivery of `provider` named by `label`: `{ provider, body, headers(), webhookId }`.
 * `headers()` signs at call time (Zigned's signed timestamp must be fresh).
 * Options: `envelope` (the envelope id), `eventName` and `time` (Yousign, DocuSign,
 * DocuSeal; Unix seconds),
 * `padTo` (grow the body to at least this many bytes).
 */
export function makeDelivery(provider, label, { envelope, eventName, time, padTo } = {}) {
  const p = structuredClone(base[provider]);
  let id;
  switch (provider) {
    case "zoho-sign":
      p.requests.request_id = envelope ?? `req-${label}`;
      p.requests.request_name = `Request ${label}`;
      break;
    case "acrobat-sign":
      id = p.webhookNotificationId = `notification-${label}`;
      p.agreement.id = envelope ?? `agreement-${label}`;
      break;
    case "zigned":
      p.data.agreement = envelope ?? `agreement-${label}`;
      p.data.id = `participant-${label}`;
      break;
    case "yousign":
      id = p.event_id = `event-${label}`;
      p.data.signature_request.id = envelope ?? `signature-request-${label}`;
      if (eventName) p.event_name = eventName;
      if (time) p.event_time = String(time);
      break;
    case "docusign":
      p.data.envelopeId = envelope ?? `envelope-${label}`;
      p.uri = `/restapi/v2.1/accounts/${p.data.accountId}/envelopes/${p.data.envelopeId}`;
      if (eventName) p.event = eventName;
      if (time) p.generatedDateTime = new Date(time * 1000).toISOString();
      break;
    case "docuseal":
      p.data.submission.id = p.data.submission_id = envelope ?? `submission-${label}`;
      p.data.id = `submitter-${label}`;
      if (eventName) p.event_type = eventName;
      if (time) p.timestamp = new Date(time * 1000).toISOString();
      break;
    default:
      throw new Error(`no delivery for ${provider}`);
  }
  if (padTo) {
    p.padding = "";
    const short = padTo - Buffer.byteLength(JSON.stringify(p, null, 2));
    if (short > 0) p.padding = "x".repeat(short);
  }
  const body = Buffer.from(JSON.stringify(p, null, 2));
  id ??= bodyHashId(provider, body);
  return { provider, body, headers: () => signed(provider, body), webhookId: expectedWebhookId(provider, id) };
}

/**
 * A test origin on 127.0.0.1 that records every request. `behave(fn, delayMs)` sets the
 * answer: `fn(record)` gives the status (`record.attempt` counts this webhook-id's requests,
 * from 1), after `delayMs`. `down()` closes the port (connections refused), `up()` listens
 * again on the same port. `check(record)` runs on every request answered 2xx and must not
 * throw (it verifies the signature); failures are counted, and answered 401. Every body is
 * also validated against schema/event.schema.json (`schemaFailures()`).
 */
export async function startFaultyOrigin(check = () => {}) {
  const byId = new Map();
  let respond = () => 200;
  let delayMs = 0;
  let verifyFailures = 0;
  const schemaFailures = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const id = String(req.headers["webhook-id"] ?? "");
      const list = byId.get(id) ?? [];
      byId.set(id, list);
      const record = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now(), attempt: list.length + 1 };
      list.push(record);
      // Every event origin receives must fit the published schema.
      const invalid = (() => {
        try {
          return schemaErrors(record.body);
        } catch (e) {
          return String(e);
        }
      })();
      if (invalid) schemaFailures.push(`${id}: ${invalid}`);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      let status = respond(record);
      if (status >= 200 && status < 300) {
        try {
          check(record);
        } catch {
          verifyFailures++;
          status = 401;
        }
      }
      record.status = status;
      res.writeHead(status);
      res.end();
    });
  });
  const listen = (port) => new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  await listen(0);
  const { port } = server.address();
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return {
    url: `http://127.0.0.1:${port}/events`,
    behave(fn, delay = 0) {
      respond = fn;
      delayMs = delay;
    },
    /** Every request, whatever its id. */
    all: () => [...byId.values()].flat(),
    /** Every request for `id`, in arrival order. */
    requests: (id) => byId.get(id) ?? [],
    /** The requests for `id` that origin answered 2xx (deliveries). */
    accepted: (id) => (byId.get(id) ?? []).filter((r) => r.status >= 200 && r.status < 300),
    verifyFailures: () => verifyFailures,
    /** Requests whose body did not validate against schema/event.schema.json. */
    schemaFailures: () => schemaFailures,
    down: close,
    up: () => listen(port),
    close: async () => {
      if (server.listening) await close();
    },
  };
}
