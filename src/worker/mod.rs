//! The Cloudflare Worker: the only code that imports `worker`.
//!
//! Routes (everything else is a `404 not_found`; the page under `/` is served by Workers
//! static assets from `www/` before this code runs):
//!
//! | method and path | answer | where |
//! |---|---|---|
//! | `POST /hooks/<provider>`, `POST /t/<tenant>/hooks/<provider>` | verify the raw bytes, normalize, deliver, answer as the provider requires | `hooks/` |
//! | `GET /hooks/acrobat-sign[/<token>]` (and a tenant's) | Acrobat Sign's verification of intent: echo an allowed client id, else 403 | `hooks/` |
//! | `GET /healthz` | `200 {"status":"ok","digest":"node:crypto"}` (or `"wasm"`) | here |
//! | `/admin/…` | the admin API, with `ADMIN_TOKEN` | `admin.rs` |
//!
//! Delivery (`DELIVERY`, see `config.rs`):
//! - `queue` (the default with `ORIGIN_URL`): the event is recorded in the ledger
//!   (`ledger/`), written to Cloudflare Queues and only then acknowledged (`queue/`'s
//!   producer); the consumer delivers it to origin once, with retries and dead letters.
//!   The provider's answer never waits for origin; if the enqueue fails it gets
//!   `503 enqueue_failed`.
//! - `direct`: the CloudEvent is POSTed to origin inside the request, and the provider is
//!   acknowledged only after origin answered 2xx; otherwise `502 delivery_failed`.
//! - `inspect` (asked for explicitly): the answer is the event itself, as
//!   `application/cloudevents+json`; for Acrobat Sign it is
//!   `{"xAdobeSignClientId": <id>, "event": <event>}` (`application/json`), because Acrobat
//!   requires its client id echoed.
//!
//! Failures answer `application/problem+json` (RFC 9457, `reply.rs`) with the stable error
//! `code`. Every request logs one JSON line ([`RequestLog`]: method, path, provider, mode,
//! type, event id, key index, outcome, status, duration); never a secret, a header value
//! or a body.
//!
//! No `unwrap`, no panic: a panic in wasm kills the isolate for every request it holds.

/// The admin API's door and router.
mod admin;
/// Alerts to the operator.
mod alerts;
/// The in-isolate benchmark loop (feature `bench`).
#[cfg(feature = "bench")]
mod bench;
/// Vars and secrets.
mod config;
/// The dead-letter store and its admin handlers.
mod dead_letters;
/// The typed protocol under both Durable Objects.
mod durable;
/// The hook routes.
mod hooks;
/// workerd's `node:crypto` and `URL`.
mod host;
/// The delivery log.
mod journal;
/// The delivery ledger.
mod ledger;
/// One POST to origin.
mod origin;
/// A request's query, read by the admin handlers.
mod query;
/// Queue mode: producer and consumer.
mod queue;
/// Answers and refusals.
mod reply;
/// Tenants in D1.
mod tenants;

use ::worker::{console_log, event, Context, Date, Env, Request, Response};
use serde::Serialize;

use crate::{Error, ErrorKind};

use reply::{method_not_allowed, problem, Refusal, Reply, JSON};

/// The header that names a tenant's event's tenant to origin (beside the `tenant`
/// attribute).
const TENANT_HEADER: &str = "signhook-tenant";

/// The fetch handler: the admin API or a route, the answer, the request's log line.
#[event(fetch)]
async fn fetch(mut req: Request, env: Env, ctx: Context) -> ::worker::Result<Response> {
    let started = Date::now().as_millis();
    host::install();
    // The raw method: `worker::Method` turns any method it does not know into GET.
    let method = req.inner().method();
    let path = req.path();
    let mut log = RequestLog::default();
    // The admin API only on its own paths: its handlers are never compiled for a hook.
    let admin = if admin::is_admin_path(&path) {
        apart(admin::route(&mut req, &env, &method, &path)).await
    } else {
        None
    };
    let routed = match admin {
        Some(admin) => {
            log.outcome = "admin";
            admin
        }
        None => route(req, &env, &ctx, &method, &path, &mut log).await,
    };
    let reply = match routed {
        Ok(reply) => reply,
        Err(refusal) => {
            log.outcome = refusal.error.code();
            problem(&refusal)
        }
    };
    if log.hook_route {
        record_off_path(&env, &ctx, started, reply.status(), &mut log);
    }
    log.status = reply.status();
    log.duration_ms = Date::now().as_millis().saturating_sub(started);
    log.method = clip(&method, 16);
    let logged_path = hooks::loggable_path(&path);
    log.path = clip(&logged_path, 256);
    console_log!("{}", serde_json::to_string(&log).unwrap_or_default());
    reply.into_response()
}

/// The delivery log of a hook request, written off the answer's path: what the hook did,
/// or why it refused (then whether its route's window is alert-worthy, once recorded).
fn record_off_path(env: &Env, ctx: &Context, started: u64, status: u16, log: &mut RequestLog) {
    let mut entries = std::mem::take(&mut log.journal);
    if entries.is_empty() && status >= 400 {
        entries.push(journal::Entry {
            tenant: log.tenant.clone(),
            provider: log.provider,
            code: Some(log.outcome),
            ..journal::Entry::new(journal::Outcome::Refused)
        });
    }
    if entries.is_empty() {
        return;
    }
    let received_ms = i64::try_from(started).unwrap_or(i64::MAX);
    let refused_route = entries
        .iter()
        .find(|e| e.outcome == journal::Outcome::Refused)
        .and_then(|e| e.provider.map(|p| (e.tenant.clone(), p)));
    // Records nothing reads back soon wait for the isolate's next batched write.
    let (later, now): (Vec<_>, Vec<_>) = entries.into_iter().partition(journal::may_wait);
    if let Some(write) = journal::write_later(env, received_ms, later) {
        ctx.wait_until(write);
    }
    if now.is_empty() {
        return;
    }
    let env = env.clone();
    ctx.wait_until(async move {
        journal::record(env.clone(), received_ms, now).await;
        if let Some((tenant, provider)) = refused_route {
            alerts::check_verification(&env, tenant.as_deref(), provider, received_ms).await;
        }
    });
}

/// The Cron Trigger (`[triggers] crons` in wrangler.toml): prunes the delivery log.
#[event(scheduled)]
async fn scheduled(_event: ::worker::ScheduledEvent, env: Env, _ctx: ::worker::ScheduleContext) {
    match journal::prune(&env, now_ms()).await {
        Ok(n) => console_log!(r#"{{"cron":"prune","deleted":{n}}}"#),
        Err(e) => ::worker::console_error!("cron prune: {}", e.message()),
    }
}

/// The request's log line.
#[derive(Default, Serialize)]
struct RequestLog<'a> {
    /// The request's method, clipped.
    method: &'a str,
    /// The request's path, URL tokens written `…`, clipped.
    path: &'a str,
    /// The tenant of a `/t/<tenant>/hooks/…` route.
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<String>,
    /// The provider the route names.
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'static str>,
    /// The delivery mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'static str>,
    /// The (first) event's type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    event_type: Option<&'static str>,
    /// The (first) event's id, clipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    /// How many events the delivery held, for a provider that sends several at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<usize>,
    /// For such a delivery in queue mode: each event's key and outcome (`queued`: a job
    /// was written; `live`: a copy of an event whose job is live, answered `queued`;
    /// `duplicate`; `dead`), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    batch: Vec<BatchItem>,
    /// The event key (`webhook-id`) in queue mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_id: Option<String>,
    /// Index of the secret (or client id) that matched, to follow a rotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<usize>,
    /// `queued`, `live`, `duplicate`, `dead`, `delivered`, `inspected`, `handshake`,
    /// `intent_verified`, `healthy`, `admin`, or the error code.
    outcome: &'static str,
    /// The answer's status.
    status: u16,
    /// Wall time; in Workers the clock only moves across I/O, so this is mostly the
    /// time spent waiting for the body and for origin.
    duration_ms: u64,
    /// Config values that could not be used (their defaults were).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<config::Warning>,
    /// A hook route (`/hooks/…`, `/t/<tenant>/hooks/…`): the request goes to the delivery log.
    #[serde(skip)]
    hook_route: bool,
    /// What the delivery log records of it (`journal/`).
    #[serde(skip)]
    journal: Vec<journal::Entry>,
}

/// One event of a several-event delivery, in the log line.
#[derive(Serialize)]
struct BatchItem {
    /// The event key.
    webhook_id: String,
    /// What the producer did with it.
    outcome: &'static str,
}

/// Everything but `/admin/…`: `/healthz`, or a hook route.
async fn route(
    req: Request,
    env: &Env,
    ctx: &Context,
    method: &str,
    path: &str,
    log: &mut RequestLog<'_>,
) -> Result<Reply, Refusal> {
    if path != "/healthz" {
        return hooks::route(req, env, ctx, method, path, log).await;
    }
    match method {
        "GET" | "HEAD" => {
            log.outcome = "healthy";
            // Which SHA-256/HMAC the core runs: the runtime's `node:crypto` or wasm's.
            let digest = host::backend();
            Ok(Reply::new(
                200,
                JSON,
                format!(r#"{{"status":"ok","digest":"{digest}"}}"#),
            ))
        }
        _ => Err(method_not_allowed(method, "GET, HEAD")),
    }
}

/// `404 not_found` for a path no route takes.
fn no_route(path: &str) -> Refusal {
    Error::new(
        ErrorKind::NotFound,
        format!("no route for {}", clip(path, 128)),
    )
    .into()
}

/// At most `max` bytes of `text`, cut at a character boundary (request paths are the
/// sender's to choose; a log line stays small).
fn clip(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// The current time, in Unix milliseconds, from the Workers clock (`SystemTime::now()`
/// panics in wasm).
fn now_ms() -> i64 {
    i64::try_from(Date::now().as_millis()).unwrap_or(i64::MAX)
}

/// `future` behind a pointer, so that its state machine stays a wasm function of its own
/// instead of being inlined into its caller's. V8 compiles wasm lazily, one function at
/// its first call: a branch that a request does not take (the admin API, queue or direct
/// delivery, a tenant's lookup) then costs the first request nothing, where inlined it
/// made the fetch handler one 113 KB function compiled whole before the first answer
/// (docs/benchmarks.md, "first answer after a cold start").
fn apart<'a, T>(
    future: impl std::future::Future<Output = T> + 'a,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'a>> {
    Box::pin(future)
}

/// Now, in Unix seconds, from the Workers clock.
fn unix_seconds() -> i64 {
    i64::try_from(Date::now().as_millis() / 1000).unwrap_or(i64::MAX)
}
