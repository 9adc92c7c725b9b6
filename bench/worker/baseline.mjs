// Baseline for bench/worker/run.mjs: a plain JavaScript Worker doing the Rust Worker's job
// for Zoho Sign in inspect mode, the way a careful JS author would:
//   verify the base64 HMAC-SHA256 of the raw bytes with crypto.subtle (keys imported once),
//   JSON.parse, map the fields, hash provider + body for the id (Zoho sends none), answer
//   the CloudEvent with the untouched payload spliced in as data.raw, log one JSON line.
// `POST /verify-only/zoho-sign` stops after the MAC check (204), to see where time goes.
// `POST /hooks/zoho-sign?bench=<n>[&crypto=node]` runs verify + normalize + serialize n times
// inside the isolate and answers {"iterations","elapsed_ms","bytes"}, like the Rust Worker's
// bench build (bench/worker/isolate.mjs); `crypto=node` uses node:crypto's synchronous
// createHmac/createHash (nodejs_compat) instead of crypto.subtle; `&stages=1` times each
// stage in its own loop (mac, id, decode, parse, write, answer), as the Rust build does.
// Not shipped; measurement only.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

let cachedKeys = { source: null, keys: [] };

async function hmacKeys(env) {
  const source = env.ZOHO_SIGN_SECRETS ?? "";
  if (cachedKeys.source !== source) {
    const secrets = source.split(/\s+/).filter(Boolean);
    const keys = await Promise.all(
      secrets.map((s) =>
        crypto.subtle.importKey("raw", encoder.encode(s), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]),
      ),
    );
    cachedKeys = { source, keys };
  }
  return cachedKeys.keys;
}

function problem(status, code, detail) {
  return new Response(JSON.stringify({ type: `urn:signhook:error:${code}`, title: code, status, detail, code }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

function base64Decode(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const TYPES = {
  RequestSubmitted: "esign.envelope.sent",
  RequestViewed: "esign.participant.viewed",
  RequestSigningSuccess: "esign.participant.signed",
  RequestCompleted: "esign.envelope.completed",
  RequestRejected: "esign.envelope.declined",
  RequestRecalled: "esign.envelope.cancelled",
  RequestExpired: "esign.envelope.expired",
  RequestDeleted: "esign.envelope.deleted",
};

const str = (v) => (v === undefined || v === null ? null : String(v));

const ID_PREFIX = encoder.encode("signhook/zoho-sign\n");

async function findKey(keys, tag, body) {
  for (let i = 0; i < keys.length; i++) {
    if (await crypto.subtle.verify("HMAC", keys[i], tag, body)) return i;
  }
  return -1;
}

/** crypto.subtle: verify with the imported keys, SHA-256 for the id. */
async function subtlePipeline(keys, _secrets, tag, body) {
  const key = await findKey(keys, tag, body);
  if (key < 0) return { status: 401, error: "signature_mismatch" };
  const prefixed = new Uint8Array(ID_PREFIX.length + body.length);
  prefixed.set(ID_PREFIX);
  prefixed.set(body, ID_PREFIX.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", prefixed));
  return mapEvent(body, key, digest);
}

/** node:crypto (nodejs_compat): synchronous createHmac + timingSafeEqual, createHash. */
async function nodePipeline(_keys, secrets, tag, body) {
  let key = -1;
  for (let i = 0; i < secrets.length; i++) {
    const expected = createHmac("sha256", secrets[i]).update(body).digest();
    if (expected.length === tag.length && timingSafeEqual(expected, tag)) {
      key = i;
      break;
    }
  }
  if (key < 0) return { status: 401, error: "signature_mismatch" };
  const digest = createHash("sha256").update(ID_PREFIX).update(body).digest();
  return mapEvent(body, key, digest);
}

/** JSON.parse, map the fields, splice the untouched payload in as data.raw. */
function mapEvent(body, key, digest) {
  const text = decoder.decode(body);
  let payload;
  try {
    payload = JSON.parse(text);
  } catch {
    return { status: 400, error: "malformed_payload" };
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    return { status: 400, error: "malformed_payload" };
  }
  return buildEvent(payload, text, key, digest);
}

/** The event of a parsed payload, as the answer's text. */
function buildEvent(payload, text, key, digest) {
  const req = payload.requests ?? {};
  const note = payload.notifications ?? {};
  const id = [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const type = TYPES[note.operation_type] ?? "esign.other";
  const performedAt = Number(note.performed_at);
  const event = {
    specversion: "1.0",
    id,
    source: "signhook/zoho-sign",
    type,
    subject: str(req.request_id),
    time: Number.isFinite(performedAt) ? new Date(performedAt).toISOString() : undefined,
    datacontenttype: "application/json",
    provider: "zoho-sign",
    providerevent: str(note.operation_type),
    testmode: false,
    data: {
      envelope: {
        id: str(req.request_id),
        name: str(req.request_name),
        status: req.request_status === "completed" ? "completed" : "unknown",
        provider_status: str(req.request_status),
      },
      participant: null,
      actor: note.performed_by_email
        ? { email: str(note.performed_by_email), name: str(note.performed_by_name), ip: str(note.ip_address) }
        : null,
      documents: (req.document_ids ?? []).map((d) => ({ id: str(d.document_id), name: str(d.document_name) })),
      reason: str(note.reason),
      verification: { scheme: "hmac-sha256", covers: "body", key },
    },
  };
  // The payload travels untouched: splice the raw text in rather than re-serializing it.
  const json = JSON.stringify(event);
  const answer = `${json.slice(0, -2)},"raw":${text}}}`;
  return { answer, type, id };
}

/** `?bench=<n>&stages=1`: each stage of one event in its own loop of `n`, µs per event. */
async function stages(keys, secrets, tag, body, n, node) {
  const sync = (step) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) step();
    return ((performance.now() - t0) * 1000) / n;
  };
  const async_ = async (step) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await step();
    return ((performance.now() - t0) * 1000) / n;
  };
  const text = decoder.decode(body);
  const payload = JSON.parse(text);
  const digest = createHash("sha256").update(ID_PREFIX).update(body).digest();
  let sink = 0;
  const out = {};
  out.mac = node
    ? sync(() => {
        const expected = createHmac("sha256", secrets[0]).update(body).digest();
        sink += timingSafeEqual(expected, tag) ? 1 : 0;
      })
    : await async_(async () => {
        sink += (await findKey(keys, tag, body)) + 1;
      });
  out.id = node
    ? sync(() => {
        sink += createHash("sha256").update(ID_PREFIX).update(body).digest()[0];
      })
    : await async_(async () => {
        const prefixed = new Uint8Array(ID_PREFIX.length + body.length);
        prefixed.set(ID_PREFIX);
        prefixed.set(body, ID_PREFIX.length);
        sink += new Uint8Array(await crypto.subtle.digest("SHA-256", prefixed))[0];
      });
  out.decode = sync(() => {
    sink += decoder.decode(body).length;
  });
  out.parse = sync(() => {
    sink += JSON.parse(text) === null ? 0 : 1;
  });
  out.write = sync(() => {
    sink += buildEvent(payload, text, 0, digest).answer.length;
  });
  out.answer = sync(() => {
    sink += new Response(buildEvent(payload, text, 0, digest).answer).status;
  });
  out.answer -= out.write;
  return { iterations: n, stages_us: out, sink };
}

export default {
  async fetch(request, env) {
    const started = Date.now();
    const url = new URL(request.url);
    const verifyOnly = url.pathname === "/verify-only/zoho-sign";
    if (url.pathname !== "/hooks/zoho-sign" && !verifyOnly) return problem(404, "not_found", "no route");
    if (request.method !== "POST") return problem(405, "method_not_allowed", "use POST");
    const max = Number(env.MAX_BODY_BYTES || 10485760);
    if (Number(request.headers.get("content-length") ?? 0) > max) return problem(413, "payload_too_large", "too large");
    const body = new Uint8Array(await request.arrayBuffer());
    if (body.length > max) return problem(413, "payload_too_large", "too large");
    const keys = await hmacKeys(env);
    if (keys.length === 0) return problem(503, "no_secret_configured", "no secret");
    const header = request.headers.get("x-zs-webhook-signature")?.trim();
    if (!header) return problem(401, "missing_signature", "missing");
    let tag;
    try {
      tag = base64Decode(header);
    } catch {
      return problem(401, "malformed_signature", "not base64");
    }
    if (verifyOnly) {
      const key = await findKey(keys, tag, body);
      if (key < 0) return problem(401, "signature_mismatch", "mismatch");
      return new Response(null, { status: 204 });
    }
    const iterations = Number(url.searchParams.get("bench") ?? 0);
    if (iterations > 0 && url.searchParams.get("stages") === "1") {
      const secrets = (env.ZOHO_SIGN_SECRETS ?? "").split(/\s+/).filter(Boolean);
      return Response.json(await stages(keys, secrets, tag, body, iterations, url.searchParams.get("crypto") === "node"));
    }
    if (iterations > 0) {
      const pipeline = url.searchParams.get("crypto") === "node" ? nodePipeline : subtlePipeline;
      const secrets = (env.ZOHO_SIGN_SECRETS ?? "").split(/\s+/).filter(Boolean);
      const t0 = performance.now();
      let bytes = 0;
      for (let i = 0; i < iterations; i++) {
        const out = await pipeline(keys, secrets, tag, body);
        if (out.error) return problem(out.status, out.error, out.error);
        bytes += out.answer.length;
      }
      const elapsed = performance.now() - t0;
      return Response.json({ iterations, elapsed_ms: elapsed, bytes });
    }
    const out = await subtlePipeline(keys, null, tag, body);
    if (out.error) return problem(out.status, out.error, out.error);
    const { answer, type, id } = out;
    console.log(
      JSON.stringify({ method: "POST", path: url.pathname, provider: "zoho-sign", type, id, outcome: "inspected", status: 200, duration_ms: Date.now() - started }),
    );
    return new Response(answer, { status: 200, headers: { "content-type": "application/cloudevents+json" } });
  },
};
