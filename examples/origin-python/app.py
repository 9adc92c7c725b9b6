"""An origin for signhook's edge Worker: verifies the Standard Webhooks signature over the
raw body, parses the CloudEvent, deduplicates by webhook-id, and acts on the event.

    FORWARD_SECRET=whsec_... PORT=3000 python app.py

stdout: one JSON line per request (GET /healthz excepted); stderr: uvicorn's messages.
"""

import json
import os
import sys
import time

import uvicorn
from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

HOST = os.environ.get("HOST") or "127.0.0.1"
PORT = int(os.environ.get("PORT") or 3000)
# Keep ids at least as long as the edge's LEDGER_RETENTION_HOURS (default 168 h).
DEDUPE_TTL_HOURS = float(os.environ.get("DEDUPE_TTL_HOURS") or 168)
# The edge accepts provider bodies up to MAX_BODY_BYTES (10 MiB); the event wraps one.
MAX_BODY = 12 * 1024 * 1024

try:
    webhook = Webhook(os.environ.get("FORWARD_SECRET", ""))
except Exception as err:  # empty or not base64
    print(f"FORWARD_SECRET must be the edge's whsec_... key ({err})", file=sys.stderr)
    sys.exit(1)

# ---- deduplication: webhook-id -> expiry (monotonic seconds). In-memory: one process. ----
# Production: a shared store with an atomic "insert if absent", e.g. Redis
# `SET key 1 NX EX <ttl>` or an SQL table with a primary key on webhook_id.
# The handlers below are `async def` and do not await between claim() and the answer, so
# one event loop never runs two claims at once.
seen: dict[str, float] = {}
TTL_SECONDS = DEDUPE_TTL_HOURS * 3600


def claim(webhook_id: str) -> bool:
    """Records webhook_id; False when it was already recorded (a duplicate)."""
    now = time.monotonic()
    until = seen.get(webhook_id)
    if until is not None and until > now:
        return False
    if seen and len(seen) % 1000 == 0:
        for key in [k for k, t in seen.items() if t <= now]:
            del seen[key]
    seen[webhook_id] = now + TTL_SECONDS
    return True


def release(webhook_id: str) -> None:
    """Forgets webhook_id again, so the edge's retry is processed (handling failed)."""
    seen.pop(webhook_id, None)


# ---- acting on events ----
# Proofs that cover the provider's bytes: the content is authentic.
TRUSTED = {"body", "timestamp+body"}
# Everything else ("shared-secret", "client-id", "event-metadata", unknown): a hint.

# The example's application state: envelope (provider + subject) -> status.
envelopes: dict[str, str] = {}


def handle(event, data: dict) -> str:
    """What the application does with the event; returns a description for the log."""
    provider = event.get_extension("provider")
    subject = event.get_subject()
    covers = (data.get("verification") or {}).get("covers")
    status = None  # the envelope state this event would set
    match event.get_type():
        case "esign.envelope.completed":
            plan = f"envelope {subject} completed: download its signed documents"
            status = "completed"
        case "esign.envelope.declined" | "esign.envelope.cancelled" | "esign.envelope.expired":
            status = event.get_type().removeprefix("esign.envelope.")
            plan = f"envelope {subject} {status}: stop waiting for it"
        case "esign.participant.signed":
            participant = data.get("participant") or {}
            who = participant.get("email") or participant.get("id") or "a participant"
            plan = f"{who} signed envelope {subject}"
        case other:
            plan = f"no handler for {other}: recorded only"
    if event.get_extension("stale") is True:
        # Ordering guard: a later event of this envelope was already delivered.
        return f"stale: envelope state left unchanged ({plan})"
    if covers not in TRUSTED:
        # The body is not authenticated: use the event as a pointer only. A real origin
        # calls the provider's API here (e.g. GET the agreement) and acts on that answer.
        return (
            f"would re-fetch {provider} envelope {subject} from the provider's API "
            f"before acting ({plan})"
        )
    if status:
        envelopes[f"{provider}/{subject}"] = status
    return plan


# ---- HTTP ----
def cap(value):
    return value[:200] if isinstance(value, str) else None


def finish(request: Request, status: int, outcome: str, **fields) -> JSONResponse:
    line = {
        "outcome": outcome,
        "status": status,
        "reason": fields.get("reason"),
        "webhook_id": cap(request.headers.get("webhook-id")),
        "attempt": cap(request.headers.get("signhook-attempt")),
        "type": fields.get("type"),
        "provider": fields.get("provider"),
        "subject": fields.get("subject"),
        "covers": fields.get("covers"),
        "stale": fields.get("stale"),
        "action": fields.get("action"),
        "detail": fields.get("detail"),
    }
    print(json.dumps(line, separators=(",", ":"), ensure_ascii=False), flush=True)
    body = {"outcome": outcome}
    if fields.get("reason"):
        body["reason"] = fields["reason"]
    headers = {"allow": "POST"} if status == 405 else None
    return JSONResponse(body, status_code=status, headers=headers)


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


@app.post("/webhooks")
async def webhooks(request: Request):
    # The exact bytes: the signature is over them, and a re-serialized body would not verify.
    buffer = bytearray()
    async for chunk in request.stream():
        buffer += chunk
        if len(buffer) > MAX_BODY:
            return finish(request, 413, "rejected", reason="too_large")
    raw = bytes(buffer)
    headers = dict(request.headers)  # lower-case names

    # 1. Verify (also refuses a webhook-timestamp more than 5 minutes away).
    try:
        # json_parse=False, as the CloudEvents SDK parses the same bytes below.
        webhook.verify(raw, headers, json_parse=False)
    except WebhookVerificationError as err:
        return finish(request, 401, "rejected", reason="bad_signature", detail=str(err))
    except Exception as err:  # a malformed signature header, a body that is not UTF-8
        return finish(request, 401, "rejected", reason="bad_signature", detail=repr(err))

    # 2. Parse the CloudEvent (structured mode, application/cloudevents+json).
    try:
        content_type = headers.get("content-type", "")
        binary = any(k.startswith("ce-") for k in headers)
        if not binary and not content_type.startswith("application/cloudevents+json"):
            raise ValueError(f"not a CloudEvent: content-type {content_type!r}")
        event = from_http_event(HTTPMessage(headers=headers, body=raw))
        data = event.get_data()
        if not isinstance(data, dict):
            raise ValueError("data is not a JSON object")
    except Exception as err:
        return finish(request, 400, "rejected", reason="unparseable_event", detail=str(err)[:200])
    stale = event.get_extension("stale")
    fields = {
        "type": event.get_type(),
        "provider": event.get_extension("provider"),
        "subject": event.get_subject(),
        "covers": (data.get("verification") or {}).get("covers"),
        "stale": stale if isinstance(stale, bool) else None,
    }

    # 3. Deduplicate: the edge may deliver an event more than once, always with one webhook-id.
    webhook_id = headers["webhook-id"]
    if not claim(webhook_id):
        return finish(request, 200, "duplicate", **fields)

    # 4. Act; on failure forget the id and answer 500 so the edge retries.
    try:
        action = handle(event, data)
    except Exception as err:
        release(webhook_id)
        return finish(request, 500, "rejected", reason="handler_error", detail=repr(err), **fields)
    return finish(request, 200, "accepted", action=action, **fields)


@app.api_route("/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def fallback(request: Request, path: str):
    if request.url.path == "/webhooks":
        return finish(request, 405, "rejected", reason="method_not_allowed")
    return finish(request, 404, "rejected", reason="not_found")


if __name__ == "__main__":
    # No access log: stdout carries only the JSON lines above.
    uvicorn.run(app, host=HOST, port=PORT, access_log=False, log_level="info")
