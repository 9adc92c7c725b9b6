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

mod admin;
mod alerts;
#[cfg(feature = "bench")]
mod bench;
mod config;
mod dead_letters;
mod host;
mod journal;
mod ledger;
mod origin;
mod queue;
mod tenants;

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
/// The header that names a tenant's event's tenant to origin (beside the `tenant`
/// attribute).
pub(super) const TENANT_HEADER: &str = "signhook-tenant";

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, ctx: Context) -> ::worker::Result<Response> {
    let started = Date::now().as_millis();
    host::install();
    // The raw method: `worker::Method` turns any method it does not know into GET.
    let method = req.inner().method();
    let path = req.path();
    let mut log = Log::default();
    let routed = match admin::route(&mut req, &env, &method, &path).await {
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
        // The delivery log, off the answer's path: what the hook did, or why it refused.
        let mut entries = std::mem::take(&mut log.journal);
        if entries.is_empty() && reply.status >= 400 {
            entries.push(journal::Entry {
                tenant: log.tenant.clone(),
                provider: log.provider,
                outcome: "refused",
                code: Some(log.outcome),
                ..journal::Entry::default()
            });
        }
        if !entries.is_empty() {
            let received_ms = i64::try_from(started).unwrap_or(i64::MAX);
            // A refusal may make its route's window alert-worthy: checked once recorded.
            let refused_route = entries
                .iter()
                .find(|e| e.outcome == "refused")
                .and_then(|e| e.provider.map(|p| (e.tenant.clone(), p)));
            let env = env.clone();
            ctx.wait_until(async move {
                journal::record(env.clone(), received_ms, entries).await;
                if let Some((tenant, provider)) = refused_route {
                    alerts::check_verification(&env, tenant.as_deref(), provider, received_ms)
                        .await;
                }
            });
        }
    }
    log.status = reply.status;
    log.duration_ms = Date::now().as_millis().saturating_sub(started);
    log.method = clip(&method, 16);
    let logged_path = loggable_path(&path);
    log.path = clip(&logged_path, 256);
    console_log!("{}", serde_json::to_string(&log).unwrap_or_default());
    reply.into_response()
}

/// The Cron Trigger (`[triggers] crons` in wrangler.toml): prunes the delivery log.
#[event(scheduled)]
async fn scheduled(_event: ::worker::ScheduledEvent, env: Env, _ctx: ::worker::ScheduleContext) {
    match journal::prune(&env, ledger::now_ms()).await {
        Ok(n) => console_log!(r#"{{"cron":"prune","deleted":{n}}}"#),
        Err(e) => ::worker::console_error!("cron prune: {}", e.message()),
    }
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
    /// Another status than the kind's: the admin API answers a bad field of its own
    /// request (`unknown_provider`, `invalid_secret`) with 400.
    pub(super) status: Option<u16>,
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Refusal {
        Refusal {
            error,
            allow: None,
            www_authenticate: false,
            status: None,
        }
    }
}

/// The request's log line.
#[derive(Default, Serialize)]
struct Log<'a> {
    method: &'a str,
    path: &'a str,
    /// The tenant of a `/t/<tenant>/hooks/…` route.
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<String>,
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
    /// A hook route (`/hooks/…`, `/t/<tenant>/hooks/…`): the request goes to the delivery log.
    #[serde(skip)]
    hook_route: bool,
    /// What the delivery log records of it (`journal.rs`).
    #[serde(skip)]
    journal: Vec<journal::Entry>,
}

async fn route(
    req: Request,
    env: &Env,
    ctx: &Context,
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
    let no_route = || -> Refusal {
        Error::new(
            ErrorKind::NotFound,
            format!("no route for {}", clip(path, 128)),
        )
        .into()
    };
    // `/hooks/…`, or a tenant's `/t/<tenant>/hooks/…`.
    let (tenant, rest) = match path.strip_prefix("/t/") {
        Some(tail) => {
            let (tenant, after) = tail.split_once('/').ok_or_else(no_route)?;
            let rest = after.strip_prefix(&HOOKS[1..]).ok_or_else(no_route)?;
            (Some(tenant), rest)
        }
        None => (None, path.strip_prefix(HOOKS).ok_or_else(no_route)?),
    };
    // `…/<provider>`, or `…/acrobat-sign/<token>` (the URL token).
    let (name, token) = match rest.split_once('/') {
        Some((name, token)) => (name, Some(token)),
        None => (rest, None),
    };
    log.hook_route = true;
    if let Some(tenant) = tenant {
        log.tenant = Some(clip(tenant, 64).to_owned());
    }
    let provider: Provider = name.parse()?;
    log.provider = Some(provider.as_str());
    // The URL token is the authenticator of client-id providers (their id is public).
    if token.is_some() && !provider.takes_client_ids() {
        return Err(no_route());
    }
    let target = Target {
        tenant,
        provider,
        token,
    };
    match (method, provider) {
        ("POST", _) => hook(req, env, ctx, &target, log).await,
        ("GET", p) if p.takes_client_ids() => intent(&req, env, &target, log).await,
        (_, p) if p.takes_client_ids() => Err(method_not_allowed(method, "GET, POST")),
        _ => Err(method_not_allowed(method, "POST")),
    }
}

/// Which hook a request reached.
struct Target<'a> {
    /// The tenant of `/t/<tenant>/hooks/…`; `None` on the deployment's own `/hooks/…`.
    tenant: Option<&'a str>,
    provider: Provider,
    /// The URL token segment (Acrobat Sign).
    token: Option<&'a str>,
}

/// What a delivery is checked against and where it goes: the deployment's vars, or a
/// tenant's row.
struct Setup {
    verify_config: crate::VerifyConfig,
    /// Which URL token matched (Acrobat Sign's real authenticator), by index.
    url_token: Option<usize>,
    mode: Mode,
    tenant: Option<TenantSetup>,
}

/// A tenant route's own part of [`Setup`].
struct TenantSetup {
    id: String,
    /// The provider accounts the tenant registered (empty: not bound).
    accounts: Vec<String>,
    /// The secrets' ids, by the index `data.verification.key` gives (URL tokens for
    /// Acrobat Sign), to record their last use.
    key_ids: Vec<String>,
}

/// The deployment's setup (`/hooks/…`) or a tenant's (`/t/<tenant>/hooks/…`): everything
/// that is decided before a byte of the body is read. An unknown or disabled tenant is
/// `404 unknown_tenant`; `TENANT_KEY` missing or wrong is `503 invalid_config`.
async fn setup(
    env: &Env,
    target: &Target<'_>,
    local: bool,
    max_body_bytes: usize,
    warnings: &mut Vec<config::Warning>,
) -> Result<Setup, Refusal> {
    let provider = target.provider;
    let Some(id) = target.tenant else {
        let mode = config::mode(env, local, warnings)?;
        let verify_config = config::verify_config(env, provider, max_body_bytes, local, warnings)?;
        let url_token = match provider {
            p if p.takes_client_ids() => config::acrobat_url_token(env, target.token, local)?,
            _ => None,
        };
        return Ok(Setup {
            verify_config,
            url_token,
            mode,
            tenant: None,
        });
    };
    let unknown = || -> Refusal {
        Error::new(
            ErrorKind::UnknownTenant,
            format!("no active tenant {:?}", clip(id, 64)),
        )
        .into()
    };
    crate::check_tenant_id(id).map_err(|_| unknown())?;
    let cache_ms = config::tenant_cache_ms(env, warnings);
    let view = tenants::view(env, id, provider, cache_ms, ledger::now_ms())
        .await?
        .filter(|v| v.active)
        .ok_or_else(unknown)?;
    let key = tenants::tenant_key(env, local)?;
    let mut verify_config = config::bounds(env, provider, max_body_bytes, warnings);
    let mut secret_ids = Vec::new();
    let mut token_ids = Vec::new();
    let mut tokens = Vec::new();
    for sealed in &view.secrets {
        let value = key.open(id, provider.as_str(), &sealed.sealed)?;
        match sealed.kind.as_str() {
            "client_id" => verify_config.client_ids.push(value),
            "url_token" => {
                tokens.push(value);
                token_ids.push(sealed.id.clone());
            }
            _ => {
                verify_config.secrets.push(crate::Secret::new(&value)?);
                secret_ids.push(sealed.id.clone());
            }
        }
    }
    let url_token = if provider.takes_client_ids() {
        if tokens.is_empty() {
            return Err(Error::new(
                ErrorKind::NoSecretConfigured,
                format!("tenant {id} has no url_token for {provider}: add one (POST /admin/tenants/{id}/secrets, kind url_token) and register /t/{id}/hooks/{provider}/<token>"),
            )
            .into());
        }
        let token = target.token.ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                format!("{provider} takes deliveries at /t/{id}/hooks/{provider}/<token> only"),
            )
        })?;
        let mut found = None;
        for (index, expected) in tokens.iter().enumerate() {
            if crate::token_matches(expected.as_bytes(), token.as_bytes()) && found.is_none() {
                found = Some(index);
            }
        }
        Some(found.ok_or_else(|| Error::new(ErrorKind::NotFound, "no route for this path"))?)
    } else {
        None
    };
    let forward_secret = view
        .forward_secret
        .as_deref()
        .map(|sealed| key.open(id, "forward", sealed))
        .transpose()?;
    let origin = config::TenantOrigin {
        url: view.origin_url.clone(),
        forward_secret,
    };
    let mode = config::mode_for(env, local, Some(&origin), warnings)?;
    Ok(Setup {
        verify_config,
        url_token,
        mode,
        tenant: Some(TenantSetup {
            id: id.to_owned(),
            accounts: view.accounts,
            key_ids: if provider.takes_client_ids() {
                token_ids
            } else {
                secret_ids
            },
        }),
    })
}

pub(super) fn method_not_allowed(method: &str, allow: &'static str) -> Refusal {
    Refusal {
        error: Error::new(
            ErrorKind::MethodNotAllowed,
            format!("{} is not accepted here; use {allow}", clip(method, 16)),
        ),
        allow: Some(allow),
        www_authenticate: false,
        status: None,
    }
}

/// `POST /hooks/<provider>` (or a tenant's `/t/<tenant>/hooks/<provider>`): what costs
/// nothing first (size declared, tenant, configuration, URL token, proof header present),
/// then the body read up to the limit, the proof over the raw bytes, normalization, the
/// tenant's account binding, delivery, and the answer the provider requires.
async fn hook(
    mut req: Request,
    env: &Env,
    ctx: &Context,
    target: &Target<'_>,
    log: &mut Log<'_>,
) -> Result<Reply, Refusal> {
    let provider = target.provider;
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
    let setup = setup(env, target, local, max_body_bytes, &mut log.warnings).await?;
    let Setup {
        verify_config,
        url_token,
        mode,
        tenant,
    } = setup;
    log.mode = Some(mode.name());
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
    if let Some(tenant) = &tenant {
        // An integrator-wide key proves the app, not the customer: the payload's account
        // must be one the tenant registered (none registered: not bound).
        if !tenant.accounts.is_empty() {
            let account = crate::account_id(provider, &body);
            if !account
                .as_ref()
                .is_some_and(|a| tenant.accounts.contains(a))
            {
                let field = crate::account_field(provider).unwrap_or("an account id");
                return Err(Error::new(
                    ErrorKind::TenantMismatch,
                    match account {
                        Some(_) => format!("the event's {field} is not one of tenant {}'s accounts", tenant.id),
                        None => format!("the event names no account ({field}), and tenant {} accepts only its registered accounts", tenant.id),
                    },
                )
                .into());
            }
        }
        for event in &mut events {
            event.tenant = Some(tenant.id.clone());
        }
        let key = url_token.unwrap_or(verified.verification().key);
        if let Some(secret_id) = tenant.key_ids.get(key) {
            if tenants::due_for_touch(secret_id, ledger::now_ms()) {
                ctx.wait_until(tenants::touch(env.clone(), secret_id.clone()));
            }
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
            log.journal.push(journal::Entry {
                outcome: "handshake",
                ..entry(provider, &event, None)
            });
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
        Mode::Inspect => {
            for event in events {
                log.journal.push(journal::Entry {
                    outcome: "accepted",
                    ..entry(provider, event, None)
                });
            }
            Ok(vec!["inspected"; events.len()])
        }
        Mode::Direct(origin) => {
            for event in events {
                let delivery = crate::delivery(event, &origin.secret, now);
                let extra: Vec<(&'static str, String)> = event
                    .tenant
                    .iter()
                    .map(|t| (TENANT_HEADER, t.clone()))
                    .collect();
                let started = ledger::now_ms();
                let status =
                    origin::post(&origin.url, &delivery, &extra, origin.timeout_ms).await?;
                let key = event_key(provider, event);
                log.journal.push(journal::Entry {
                    outcome: "accepted",
                    end: Some("delivered"),
                    attempt: Some(journal::Attempt {
                        at: crate::time::format_unix_millis(started).unwrap_or_default(),
                        status: Some(status),
                        latency_ms: u64::try_from(ledger::now_ms().saturating_sub(started))
                            .unwrap_or(0),
                        error: None,
                    }),
                    ..entry(provider, event, Some(key))
                });
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
            // A tenant's events have their own keys and envelopes.
            let key = event_key(provider, event);
            let shard = match (&event.subject, &event.tenant) {
                (Some(subject), Some(t)) => {
                    crate::tenant_envelope_key(t, provider.as_str(), subject)
                }
                (Some(subject), None) => crate::envelope_key(provider.as_str(), subject),
                // No envelope: the event is its own shard.
                (None, _) => format!("key_{}", key.trim_start_matches("msg_")),
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
                    tenant: event.tenant.clone(),
                    target: None,
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
    for ((event, item), outcome) in events.iter().zip(&items).zip(&outcomes) {
        let accepted = *outcome == "queued";
        log.journal.push(journal::Entry {
            outcome: if accepted { "accepted" } else { "duplicate" },
            end: accepted.then_some("pending"),
            ..entry(provider, event, Some(item.key.clone()))
        });
    }
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

/// The event key (`webhook-id`) of `event`: a tenant's in the tenant's own namespace.
fn event_key(provider: Provider, event: &Event) -> String {
    match &event.tenant {
        Some(t) => crate::tenant_webhook_id(t, provider.as_str(), &event.id),
        None => crate::webhook_id(provider.as_str(), &event.id),
    }
}

/// A delivery-log record of `event` (its outcome and end to fill in).
fn entry(provider: Provider, event: &Event, webhook_id: Option<String>) -> journal::Entry {
    journal::Entry {
        tenant: event.tenant.clone(),
        provider: Some(provider.as_str()),
        event_id: Some(event.id.clone()),
        event_type: Some(event.event_type.as_str()),
        subject: event.subject.clone(),
        webhook_id,
        ..journal::Entry::default()
    }
}

/// `GET /hooks/acrobat-sign[/<token>]`: Acrobat Sign's verification of intent.
async fn intent(
    req: &Request,
    env: &Env,
    target: &Target<'_>,
    log: &mut Log<'_>,
) -> Result<Reply, Refusal> {
    let (headers, local) = request_head(req);
    let client_ids = match target.tenant {
        None => {
            config::acrobat_url_token(env, target.token, local)?;
            config::acrobat_client_ids(env, local)?
        }
        // A tenant's URL token and client ids, as its POSTs are checked.
        Some(_) => {
            let max_body_bytes = config::max_body_bytes(env, &mut log.warnings);
            setup(env, target, local, max_body_bytes, &mut log.warnings)
                .await?
                .verify_config
                .client_ids
        }
    };
    let client_id = crate::verify_intent(&headers, &client_ids)?;
    log.outcome = "intent_verified";
    log.journal.push(journal::Entry {
        tenant: target.tenant.map(str::to_owned),
        provider: Some(target.provider.as_str()),
        outcome: "handshake",
        ..journal::Entry::default()
    });
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
    let status = refusal.status.unwrap_or_else(|| kind.http_status());
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
/// never buffered beyond the limit; security review M-1).
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
    // `/t/<tenant>/hooks/…` or `/hooks/…`: the part up to and including `hooks/`.
    let hooks_at = match path.strip_prefix("/t/").and_then(|t| t.split_once('/')) {
        Some((tenant, after)) if after.starts_with(&HOOKS[1..]) => 3 + tenant.len() + HOOKS.len(),
        _ if path.starts_with(HOOKS) => HOOKS.len(),
        _ => return path.into(),
    };
    let (Some(head), Some(rest)) = (path.get(..hooks_at), path.get(hooks_at..)) else {
        return path.into();
    };
    match rest.split_once('/') {
        Some((name, _token)) => format!("{head}{name}/…").into(),
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
