//! The Cloudflare Worker: the only code that imports `worker`.
//!
//! Routes (everything else is a `404 not_found`; the page under `/` is served by Workers
//! static assets from `www/` before this code runs):
//!
//! | method and path | answer |
//! |---|---|
//! | `POST /hooks/<provider>` | verify the raw bytes, normalize, deliver, answer as the provider requires |
//! | `GET /hooks/acrobat-sign` | Acrobat Sign's verification of intent: echo an allowed client id, else 403 |
//! | `GET /healthz` | `200 {"status":"ok","digest":"node:crypto"}` (or `"wasm"`) |
//! | `/admin/dead-letters…` | list and replay dead letters (`dead_letters.rs`), with `ADMIN_TOKEN` |
//!
//! Delivery (`DELIVERY`, see `config.rs`):
//! - `queue` (the default with `ORIGIN_URL`): the event is recorded in the ledger
//!   (`ledger.rs`), written to Cloudflare Queues and only then acknowledged; the consumer
//!   (`queue.rs`) delivers it to origin once, with retries and dead letters. The provider's
//!   answer never waits for origin; if the enqueue fails it gets `503 enqueue_failed`.
//! - `direct`: the CloudEvent is POSTed to origin inside the request, and the provider is
//!   acknowledged only after origin answered 2xx; otherwise `502 delivery_failed`.
//! - `inspect` (asked for explicitly): the answer is the event itself, as
//!   `application/cloudevents+json`; for Acrobat Sign it is
//!   `{"xAdobeSignClientId": <id>, "event": <event>}` (`application/json`), because Acrobat
//!   requires its client id echoed.
//!
//! Failures answer `application/problem+json` (RFC 9457) with the stable error `code`.
//! Every request logs one JSON line (method, path, provider, mode, type, event id, key
//! index, outcome, status, duration); never a secret, a header value or a body.
//!
//! No `unwrap`, no panic: a panic in wasm kills the isolate for every request it holds.

#[cfg(feature = "bench")]
mod bench;
mod config;
mod dead_letters;
mod host;
mod ledger;
mod origin;
mod queue;

use ::worker::{console_log, event, Context, Date, Env, Request, Response, ResponseBuilder};
use serde::Serialize;

use crate::{Error, ErrorKind, Event, Headers, Provider};

use config::Mode;

/// Route prefix of the provider hooks.
const HOOKS: &str = "/hooks/";
/// Acrobat Sign's client-id echo header (response), as its docs spell it.
const ACROBAT_ECHO_HEADER: &str = "X-AdobeSign-ClientId";
const PROBLEM_JSON: &str = "application/problem+json";
const CLOUDEVENTS_JSON: &str = "application/cloudevents+json";
/// CloudEvents' JSON batch format: an array of events.
const CLOUDEVENTS_BATCH_JSON: &str = "application/cloudevents-batch+json";
pub(super) const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> ::worker::Result<Response> {
    let started = Date::now().as_millis();
    host::install();
    // The raw method: `worker::Method` turns any method it does not know into GET.
    let method = req.inner().method();
    let path = req.path();
    let mut log = Log::default();
    let routed = match dead_letters::admin(&req, &env, &method, &path).await {
        Some(admin) => {
            log.outcome = "admin";
            admin
        }
        None => route(req, &env, &method, &path, &mut log).await,
    };
    let reply = match routed {
        Ok(reply) => reply,
        Err(refusal) => {
            log.outcome = refusal.error.code();
            problem(&refusal)
        }
    };
    log.status = reply.status;
    log.duration_ms = Date::now().as_millis().saturating_sub(started);
    log.method = clip(&method, 16);
    let logged_path = loggable_path(&path);
    log.path = clip(&logged_path, 256);
    console_log!("{}", serde_json::to_string(&log).unwrap_or_default());
    reply.into_response()
}

/// An answer, before it becomes a `worker::Response`.
pub(super) struct Reply {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl Reply {
    pub(super) fn new(status: u16, content_type: &'static str, body: String) -> Reply {
        Reply {
            status,
            content_type,
            headers: Vec::new(),
            body,
        }
    }

    fn into_response(self) -> ::worker::Result<Response> {
        let mut builder = ResponseBuilder::new()
            .with_status(self.status)
            .with_header("content-type", self.content_type)?
            .with_header("cache-control", "no-store")?
            .with_header("x-content-type-options", "nosniff")?;
        for (name, value) in &self.headers {
            builder = builder.with_header(name, value)?;
        }
        Ok(builder.fixed(self.body.into_bytes()))
    }
}

/// A failure, and for `405` the methods the route does accept.
pub(super) struct Refusal {
    pub(super) error: Error,
    pub(super) allow: Option<&'static str>,
    /// `401` of the admin routes: say which scheme they take.
    pub(super) www_authenticate: bool,
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Refusal {
        Refusal {
            error,
            allow: None,
            www_authenticate: false,
        }
    }
}

/// The request's log line.
#[derive(Default, Serialize)]
struct Log<'a> {
    method: &'a str,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'static str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    event_type: Option<&'static str>,
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
    status: u16,
    /// Wall time; in Workers the clock only moves across I/O, so this is mostly the
    /// time spent waiting for the body and for origin.
    duration_ms: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<config::Warning>,
}

async fn route(
    req: Request,
    env: &Env,
    method: &str,
    path: &str,
    log: &mut Log<'_>,
) -> Result<Reply, Refusal> {
    if path == "/healthz" {
        return match method {
            "GET" | "HEAD" => {
                log.outcome = "healthy";
                // Which SHA-256/HMAC the core runs: the runtime's `node:crypto` or wasm's.
                let digest = host::install();
                Ok(Reply::new(
                    200,
                    JSON,
                    format!(r#"{{"status":"ok","digest":"{digest}"}}"#),
                ))
            }
            _ => Err(method_not_allowed(method, "GET, HEAD")),
        };
    }
    let Some(rest) = path.strip_prefix(HOOKS) else {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("no route for {}", clip(path, 128)),
        )
        .into());
    };
    // `/hooks/<provider>`, or `/hooks/acrobat-sign/<token>` (the URL token).
    let (name, token) = match rest.split_once('/') {
        Some((name, token)) => (name, Some(token)),
        None => (rest, None),
    };
    let provider: Provider = name.parse()?;
    log.provider = Some(provider.as_str());
    // The URL token is the authenticator of client-id providers (their id is public).
    if token.is_some() && !provider.takes_client_ids() {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("no route for {}", clip(path, 128)),
        )
        .into());
    }
    match (method, provider) {
        ("POST", _) => hook(req, env, provider, token, log).await,
        ("GET", p) if p.takes_client_ids() => intent(&req, env, token, log),
        (_, p) if p.takes_client_ids() => Err(method_not_allowed(method, "GET, POST")),
        _ => Err(method_not_allowed(method, "POST")),
    }
}

pub(super) fn method_not_allowed(method: &str, allow: &'static str) -> Refusal {
    Refusal {
        error: Error::new(
            ErrorKind::MethodNotAllowed,
            format!("{} is not accepted here; use {allow}", clip(method, 16)),
        ),
        allow: Some(allow),
        www_authenticate: false,
    }
}

/// `POST /hooks/<provider>`: what costs nothing first (size declared, configuration, URL
/// token, proof header present), then the body read up to the limit, the proof over the raw
/// bytes, normalization, delivery, and the answer the provider requires.
async fn hook(
    mut req: Request,
    env: &Env,
    provider: Provider,
    token: Option<&str>,
    log: &mut Log<'_>,
) -> Result<Reply, Refusal> {
    let max_body_bytes = config::max_body_bytes(env, &mut log.warnings);
    // Refuse a declared oversize before reading a byte; the read below stops at the limit
    // whatever the header says.
    if let Some(declared) = content_length(&req) {
        if declared > max_body_bytes as u64 {
            return Err(Error::new(
                ErrorKind::PayloadTooLarge,
                format!("content-length is {declared} bytes, the limit is {max_body_bytes}"),
            )
            .into());
        }
    }
    let (headers, local) = request_head(&req);
    let mode = config::mode(env, local, &mut log.warnings)?;
    log.mode = Some(mode.name());
    let verify_config =
        config::verify_config(env, provider, max_body_bytes, local, &mut log.warnings)?;
    let url_token = match provider {
        p if p.takes_client_ids() => config::acrobat_url_token(env, token, local)?,
        _ => None,
    };
    crate::precheck(provider, &headers, &verify_config)?;
    // Raw bytes, never text: the proof covers the exact bytes sent.
    let body = read_body(&mut req, max_body_bytes).await?;
    let now = unix_seconds();
    #[cfg(feature = "bench")]
    if let Some(iterations) = bench::iterations(&headers) {
        return bench::run(provider, &headers, &body, &verify_config, now, iterations);
    }
    let verified = crate::verify(provider, &headers, &body, &verify_config, now)?;
    log.key = Some(verified.verification().key);
    let mut events = verified.normalize_all()?;
    if let Some(key) = url_token {
        // The URL token is the real authenticator; say so, and that the body is still not.
        for event in &mut events {
            event.data.verification = Some(crate::Verification {
                scheme: crate::Scheme::UrlToken,
                covers: crate::Covers::SharedSecret,
                key,
            });
        }
    }
    let client_id = verified.client_id();
    // Whose latest time the ordering guard compares with: the key that proved the delivery.
    let scope = url_token.unwrap_or(verified.verification().key);
    let skew = verify_config.max_clock_skew_seconds;
    if !provider.is_batch() {
        let event = events.pop().ok_or_else(|| {
            Error::new(ErrorKind::MalformedPayload, "the delivery holds no event")
        })?;
        log.event_type = Some(event.event_type.as_str());
        log.id = Some(clip(&event.id, 128).to_owned());
        if provider.is_handshake(&event) {
            // A setup handshake (BoldSign's `Verification`, Dropbox Sign's
            // `callback_test`): answered, never delivered, in every mode.
            log.outcome = "handshake";
            return Ok(ack_reply(provider, &event, client_id, "handshake"));
        }
        let events = [event];
        let statuses = deliver(env, &mode, provider, &events, scope, skew, now, log).await?;
        let [event] = events;
        let status = statuses.first().copied().unwrap_or("queued");
        // Queue mode already said more (`live`: a copy whose job is live).
        if log.outcome.is_empty() {
            log.outcome = status;
        }
        return Ok(match status {
            "inspected" => inspect_reply(&event, client_id),
            status => ack_reply(provider, &event, client_id, status),
        });
    }
    // Several events in one delivery (PandaDoc): each delivered on its own, in order; the
    // answer lists them. A failure fails the whole delivery so the provider retries it:
    // the ledger (queue mode) keeps the events already accepted from reaching origin twice.
    log.events = Some(events.len());
    if let Some(first) = events.first() {
        log.event_type = Some(first.event_type.as_str());
        log.id = Some(clip(&first.id, 128).to_owned());
    }
    let statuses = deliver(env, &mode, provider, &events, scope, skew, now, log).await?;
    log.outcome = match mode {
        Mode::Inspect => "inspected",
        Mode::Direct(_) => "delivered",
        Mode::Queue => "queued",
    };
    Ok(match mode {
        Mode::Inspect => Reply::new(200, CLOUDEVENTS_BATCH_JSON, Event::batch_json(&events)),
        _ => batch_reply(&events, &statuses),
    })
}

/// Delivers the verified events of one delivery as `mode` says, each with its status:
/// `inspected` (nothing sent), `delivered` (origin answered 2xx), or in queue mode
/// `queued`, `duplicate` (origin already has it) or `dead` (it is a dead letter).
#[allow(clippy::too_many_arguments)]
async fn deliver(
    env: &Env,
    mode: &Mode,
    provider: Provider,
    events: &[Event],
    scope: usize,
    skew: u64,
    now: i64,
    log: &mut Log<'_>,
) -> Result<Vec<&'static str>, Error> {
    match mode {
        Mode::Inspect => Ok(vec!["inspected"; events.len()]),
        Mode::Direct(origin) => {
            for event in events {
                let delivery = crate::delivery(event, &origin.secret, now);
                origin::post(&origin.url, &delivery, origin.timeout_ms).await?;
            }
            Ok(vec!["delivered"; events.len()])
        }
        Mode::Queue => accept(env, provider, events, scope, skew, log).await,
    }
}

/// One event of a several-event delivery, in the log line.
#[derive(Serialize)]
struct BatchItem {
    webhook_id: String,
    outcome: &'static str,
}

/// The answer to a delivery of several events: each one's id, type and status.
fn batch_reply(events: &[Event], statuses: &[&str]) -> Reply {
    #[derive(Serialize)]
    struct Item<'a> {
        id: &'a str,
        #[serde(rename = "type")]
        event_type: &'a str,
        status: &'a str,
    }
    #[derive(Serialize)]
    struct Batch<'a> {
        events: Vec<Item<'a>>,
    }
    let items = events
        .iter()
        .zip(statuses)
        .map(|(event, status)| Item {
            id: &event.id,
            event_type: event.event_type.as_str(),
            status,
        })
        .collect();
    Reply::new(
        200,
        JSON,
        serde_json::to_string(&Batch { events: items }).unwrap_or_default(),
    )
}

/// Queue mode: records each event in its envelope's ledger (which numbers it), then
/// writes the events that need a job to the queue in one `sendBatch`, and tells the ledger
/// they have one. Statuses: `queued`; `duplicate` when the ledger says origin already has
/// the event (a provider's retry after the delivery); `dead` when it is a dead letter.
/// A copy of an event whose job is still live is `queued` without a second job: one retry
/// budget and one backoff per event.
///
/// The ledger calls of different envelopes run concurrently; those of one envelope in
/// order, so that its `sequence` follows the delivery's order.
async fn accept(
    env: &Env,
    provider: Provider,
    events: &[Event],
    scope: usize,
    skew: u64,
    log: &mut Log<'_>,
) -> Result<Vec<&'static str>, Error> {
    let received_ms = ledger::now_ms();
    let unavailable = |e: ::worker::Error| {
        // The platform's words go to the log, not to the sender.
        ::worker::console_error!("ledger: {}", clip(&e.to_string(), 300));
        Error::new(
            ErrorKind::EnqueueFailed,
            "the delivery ledger is unavailable; retry later",
        )
    };
    struct Item {
        key: String,
        shard: String,
        time_ms: Option<i64>,
    }
    let items: Vec<Item> = events
        .iter()
        .map(|event| {
            let key = crate::webhook_id(provider.as_str(), &event.id);
            let shard = match &event.subject {
                Some(subject) => crate::envelope_key(provider.as_str(), subject),
                // No envelope: the event is its own shard.
                None => format!("key_{}", key.trim_start_matches("msg_")),
            };
            // A time ahead of the edge's clock (beyond the skew) orders nothing, and none
            // orders past the moment the edge received it.
            let time_ms = crate::ordering_time(
                event
                    .time
                    .as_deref()
                    .and_then(crate::time::parse_rfc3339_millis),
                received_ms,
                skew,
            );
            Item {
                key,
                shard,
                time_ms,
            }
        })
        .collect();
    // The events of each shard, in the delivery's order.
    let mut shards: Vec<(&str, Vec<usize>)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match shards.iter_mut().find(|(shard, _)| *shard == item.shard) {
            Some((_, indices)) => indices.push(index),
            None => shards.push((&item.shard, vec![index])),
        }
    }
    let answers = futures_util::future::join_all(shards.iter().map(|(shard, indices)| {
        let items = &items;
        let events = &events;
        async move {
            let mut out = Vec::with_capacity(indices.len());
            for &index in indices {
                let (Some(item), Some(event)) = (items.get(index), events.get(index)) else {
                    continue;
                };
                let accept = ledger::Accept {
                    key: item.key.clone(),
                    sequenced: event.subject.is_some(),
                    time_ms: item.time_ms,
                };
                let accepted: ledger::Accepted =
                    ledger::ask(env, shard, "/accept", &accept).await?;
                out.push((index, accepted));
            }
            Ok::<_, ::worker::Error>(out)
        }
    }))
    .await;
    let mut accepted: Vec<Option<ledger::Accepted>> = events.iter().map(|_| None).collect();
    for answer in answers {
        for (index, a) in answer.map_err(unavailable)? {
            if let Some(slot) = accepted.get_mut(index) {
                *slot = Some(a);
            }
        }
    }
    let mut statuses = Vec::with_capacity(events.len());
    // What the log says: `live` for a copy answered `queued` without a job of its own.
    let mut outcomes = Vec::with_capacity(events.len());
    let mut jobs = Vec::new();
    let mut fresh = Vec::new();
    for (index, ((event, item), a)) in events.iter().zip(&items).zip(accepted).enumerate() {
        let a = a.ok_or_else(|| unavailable(::worker::Error::RustError("no answer".into())))?;
        let (status, outcome) = match a.state.as_str() {
            "delivered" => ("duplicate", "duplicate"),
            "dead" => ("dead", "dead"),
            _ if a.live => ("queued", "live"),
            _ => {
                jobs.push(queue::Job {
                    v: 1,
                    key: item.key.clone(),
                    shard: item.shard.clone(),
                    gen: 0,
                    seq: a
                        .seq
                        .map(|n| crate::sequence_attribute(u64::try_from(n).unwrap_or_default())),
                    received_ms,
                    time_ms: item.time_ms,
                    provider: provider.as_str().to_owned(),
                    event_type: event.event_type.as_str().to_owned(),
                    scope: scope.to_string(),
                    id: event.id.clone(),
                    subject: event.subject.clone(),
                    event: None,
                    stored: None,
                    fresh_event: Some(event.to_json()),
                });
                fresh.push(index);
                ("queued", "queued")
            }
        };
        statuses.push(status);
        outcomes.push(outcome);
    }
    queue::enqueue_all(env, jobs).await?;
    // The jobs are durable now; tell the ledger, so that copies add none. A failed mark
    // only lets a later copy add a job, which the ledger's backoff keeps in step.
    let marks: Vec<(&str, ledger::Enqueued)> = fresh
        .iter()
        .filter_map(|&index| items.get(index))
        .map(|item| {
            (
                item.shard.as_str(),
                ledger::Enqueued {
                    key: item.key.clone(),
                },
            )
        })
        .collect();
    futures_util::future::join_all(marks.iter().map(|(shard, mark)| {
        ledger::ask::<_, serde::de::IgnoredAny>(env, shard, "/enqueued", mark)
    }))
    .await;
    if events.len() == 1 {
        log.webhook_id = items.first().map(|item| item.key.clone());
        log.outcome = outcomes.first().copied().unwrap_or("queued");
    } else {
        log.batch = items
            .iter()
            .zip(&outcomes)
            .map(|(item, outcome)| BatchItem {
                webhook_id: item.key.clone(),
                outcome,
            })
            .collect();
    }
    Ok(statuses)
}

/// `GET /hooks/acrobat-sign[/<token>]`: Acrobat Sign's verification of intent.
fn intent(
    req: &Request,
    env: &Env,
    token: Option<&str>,
    log: &mut Log<'_>,
) -> Result<Reply, Refusal> {
    let (headers, local) = request_head(req);
    config::acrobat_url_token(env, token, local)?;
    let client_ids = config::acrobat_client_ids(env, local)?;
    let client_id = crate::verify_intent(&headers, &client_ids)?;
    log.outcome = "intent_verified";
    Ok(acrobat_echo(&client_id))
}

/// Acrobat Sign's required answer: the client id in the header and in the JSON body.
#[derive(Serialize)]
struct AcrobatEcho<'a> {
    #[serde(rename = "xAdobeSignClientId")]
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<&'a Event>,
}

fn acrobat_echo(client_id: &str) -> Reply {
    acrobat_reply(client_id, None)
}

fn acrobat_reply(client_id: &str, event: Option<&Event>) -> Reply {
    let body = serde_json::to_string(&AcrobatEcho { client_id, event }).unwrap_or_default();
    let mut reply = Reply::new(200, JSON, body);
    reply
        .headers
        .push((ACROBAT_ECHO_HEADER, client_id.to_owned()));
    reply
}

/// Inspect mode: the event itself (Acrobat Sign: wrapped beside the client-id echo).
fn inspect_reply(event: &Event, client_id: Option<&str>) -> Reply {
    match client_id {
        Some(id) => acrobat_reply(id, Some(event)),
        None => Reply::new(200, CLOUDEVENTS_JSON, event.to_json()),
    }
}

/// Direct mode after origin took the event, queue mode once it is queued, a handshake
/// answered: `status` is `delivered`, `queued`, `duplicate` or `handshake`. A provider
/// that requires an exact body (Dropbox Sign) gets it, as `text/plain`.
fn ack_reply(provider: Provider, event: &Event, client_id: Option<&str>, status: &str) -> Reply {
    if let Some(answer) = provider.answer() {
        return Reply::new(200, TEXT, answer.to_owned());
    }
    #[derive(Serialize)]
    struct Ack<'a> {
        id: &'a str,
        #[serde(rename = "type")]
        event_type: &'a str,
        status: &'a str,
    }
    match client_id {
        Some(id) => acrobat_echo(id),
        None => Reply::new(
            200,
            JSON,
            serde_json::to_string(&Ack {
                id: &event.id,
                event_type: event.event_type.as_str(),
                status,
            })
            .unwrap_or_default(),
        ),
    }
}

/// RFC 9457 problem details.
fn problem(refusal: &Refusal) -> Reply {
    #[derive(Serialize)]
    struct Problem<'a> {
        #[serde(rename = "type")]
        problem_type: String,
        title: &'static str,
        status: u16,
        detail: &'a str,
        code: &'static str,
    }
    let kind = refusal.error.kind();
    let status = kind.http_status();
    let body = serde_json::to_string(&Problem {
        problem_type: format!("urn:signhook:error:{}", kind.code()),
        title: kind.title(),
        status,
        // Bounded whatever went into the message (a path, a sender's value).
        detail: clip(refusal.error.message(), 512),
        code: kind.code(),
    })
    .unwrap_or_default();
    let mut reply = Reply::new(status, PROBLEM_JSON, body);
    if let Some(allow) = refusal.allow {
        reply.headers.push(("allow", allow.to_owned()));
    }
    if refusal.www_authenticate {
        reply.headers.push((
            "www-authenticate",
            "Bearer realm=\"signhook admin\"".to_owned(),
        ));
    }
    reply
}

/// The body, read chunk by chunk with a running count: past `max` bytes the read stops and
/// the answer is `413`, whatever `Content-Length` said or did not say (a chunked body is
/// never buffered beyond the limit; SECURITY-REVIEW M-1).
async fn read_body(req: &mut Request, max: usize) -> Result<Vec<u8>, Error> {
    use futures_util::StreamExt;
    let unreadable = || {
        Error::new(
            ErrorKind::MalformedPayload,
            "the request body could not be read",
        )
    };
    let Ok(mut stream) = req.stream() else {
        // No body at all.
        return Ok(Vec::new());
    };
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| unreadable())?;
        if body.len().saturating_add(chunk.len()) > max {
            return Err(Error::new(
                ErrorKind::PayloadTooLarge,
                format!("the body is over the limit of {max} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The request's headers with its URL's query (PandaDoc's proof travels there), and
/// whether it came to a loopback host: `wrangler dev`, the only place where the public
/// example secrets of `.dev.vars.example` are accepted.
///
/// The URL is the runtime's own serialization (`Request.url`), fetched once and read as
/// text: `req.url()` would parse it with the `url` crate, about 70 KB of the gzipped wasm
/// for two lookups.
fn request_head(req: &Request) -> (Headers, bool) {
    let url = req.inner().url();
    let mut headers: Headers = req.headers().entries().collect();
    // Everything after the first `?` (the runtime's URL carries no fragment).
    headers.set_query_from_url(&url);
    (headers, crate::url_host_is_loopback(&url))
}

fn content_length(req: &Request) -> Option<u64> {
    req.headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|value| value.trim().parse().ok())
}

/// The path as the log line shows it: a segment after `/hooks/<provider>/` is a URL token
/// (Acrobat Sign's authenticator, a secret) and is written `…`.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path
        .strip_prefix(HOOKS)
        .and_then(|rest| rest.split_once('/'))
    {
        Some((name, _token)) => format!("{HOOKS}{name}/…").into(),
        None => path.into(),
    }
}

/// At most `max` bytes of `text`, cut at a character boundary (request paths are the
/// sender's to choose; a log line stays small).
pub(super) fn clip(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// Now, in Unix seconds, from the Workers clock (`SystemTime::now()` panics in wasm).
fn unix_seconds() -> i64 {
    i64::try_from(Date::now().as_millis() / 1000).unwrap_or(i64::MAX)
}
