//! The hook routes: `POST /hooks/<provider>` (and a tenant's `/t/<tenant>/hooks/…`), and
//! Acrobat Sign's `GET` verification of intent. What costs nothing comes first (size
//! declared, tenant, configuration, URL token, proof header present: `setup.rs`), then the
//! body read up to the limit, the proof over the raw bytes, normalization, the tenant's
//! account binding, delivery as the mode says ([`dispatch`]: inspect, [`deliver_direct`],
//! or queue mode's producer), and the answer the provider requires (`answer.rs`).

/// What the hook answers.
mod answer;
/// What a hook request is checked against, and where it goes.
mod setup;

use ::worker::{Context, Env, Request};

use self::answer::{ack_reply, batch_reply, inspect_reply, Status, CLOUDEVENTS_BATCH_JSON};
use self::setup::{setup, Setup, TenantSetup};
use super::config::{self, Mode, Origin};
use super::reply::{method_not_allowed, Refusal, Reply};
use super::{
    apart, clip, journal, no_route, now_ms, origin, queue, tenants, unix_seconds, BatchItem,
    RequestLog, TENANT_HEADER,
};
use crate::{Error, ErrorKind, Event, Headers, Provider};

/// Route prefix of the provider hooks.
const HOOKS: &str = "/hooks/";

/// Which hook a request reached.
struct Target<'a> {
    /// The tenant of `/t/<tenant>/hooks/…`; `None` on the deployment's own `/hooks/…`.
    tenant: Option<&'a str>,
    /// The provider the path names.
    provider: Provider,
    /// The URL token segment (Acrobat Sign).
    token: Option<&'a str>,
}

/// `/hooks/…` or `/t/<tenant>/hooks/…` (anything else is `404`): the provider and the
/// method decide the handler.
pub(super) async fn route(
    req: Request,
    env: &Env,
    ctx: &Context,
    method: &str,
    path: &str,
    log: &mut RequestLog<'_>,
) -> Result<Reply, Refusal> {
    // `/hooks/…`, or a tenant's `/t/<tenant>/hooks/…`.
    let (tenant, rest) = match path.strip_prefix("/t/") {
        Some(tail) => {
            let (tenant, after) = tail.split_once('/').ok_or_else(|| no_route(path))?;
            let rest = after
                .strip_prefix(&HOOKS[1..])
                .ok_or_else(|| no_route(path))?;
            (Some(tenant), rest)
        }
        None => (
            None,
            path.strip_prefix(HOOKS).ok_or_else(|| no_route(path))?,
        ),
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
        return Err(no_route(path));
    }
    let target = Target {
        tenant,
        provider,
        token,
    };
    match (method, provider) {
        ("POST", _) => hook(req, env, ctx, &target, log).await,
        ("GET", p) if p.takes_client_ids() => apart(intent(&req, env, &target, log)).await,
        (_, p) if p.takes_client_ids() => Err(method_not_allowed(method, "GET, POST")),
        _ => Err(method_not_allowed(method, "POST")),
    }
}

/// `POST /hooks/<provider>` (or a tenant's `/t/<tenant>/hooks/<provider>`): what costs
/// nothing first, then the body read up to the limit, the proof over the raw bytes,
/// normalization, the tenant's account binding, delivery, and the answer the provider
/// requires.
async fn hook(
    req: Request,
    env: &Env,
    ctx: &Context,
    target: &Target<'_>,
    log: &mut RequestLog<'_>,
) -> Result<Reply, Refusal> {
    let provider = target.provider;
    let max_body_bytes = config::max_body_bytes(env, &mut log.warnings);
    // Refuse a declared oversize before reading a byte; the read below stops at the limit
    // whatever the header says.
    let declared = content_length(&req);
    if let Some(declared) = declared {
        if declared > max_body_bytes as u64 {
            return Err(Error::new(
                ErrorKind::PayloadTooLarge,
                format!("content-length is {declared} bytes, the limit is {max_body_bytes}"),
            )
            .into());
        }
    }
    let (headers, local) = request_head(&req);
    let Setup {
        verify_config,
        url_token,
        mode,
        tenant,
    } = setup(env, target, local, max_body_bytes, &mut log.warnings).await?;
    log.mode = Some(mode.name());
    crate::precheck(provider, &headers, &verify_config)?;
    // Raw bytes, never text: the proof covers the exact bytes sent.
    let body = read_body(&req, max_body_bytes, declared).await?;
    let now = unix_seconds();
    #[cfg(feature = "bench")]
    if let Some(iterations) = super::bench::iterations(&headers) {
        let case = super::bench::Case {
            provider,
            headers: &headers,
            body: &body,
            config: &verify_config,
            now,
        };
        return super::bench::run(&case, iterations);
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
    // Whose latest time the ordering guard compares with: the key that proved the delivery.
    let scope = url_token.unwrap_or(verified.verification().key);
    if let Some(tenant) = &tenant {
        bind_tenant(tenant, provider, &body, &mut events)?;
        if let Some(secret_id) = tenant.key_ids.get(scope) {
            if tenants::due_for_touch(secret_id, now_ms()) {
                ctx.wait_until(tenants::touch(env.clone(), secret_id.clone()));
            }
        }
    }
    let delivery = Delivery {
        env,
        mode: &mode,
        provider,
        scope,
        skew: verify_config.max_clock_skew_seconds,
        now,
    };
    let client_id = verified.client_id();
    if provider.is_batch() {
        answer_several(&delivery, &events, log).await
    } else {
        let event = events.pop().ok_or_else(|| {
            Error::new(ErrorKind::MalformedPayload, "the delivery holds no event")
        })?;
        answer_one(&delivery, event, client_id, log).await
    }
}

/// A tenant's events: an integrator-wide key proves the app, not the customer, so the
/// payload's account must be one the tenant registered (none registered: not bound); each
/// event then carries the tenant.
fn bind_tenant(
    tenant: &TenantSetup,
    provider: Provider,
    body: &[u8],
    events: &mut [Event],
) -> Result<(), Error> {
    if !tenant.accounts.is_empty() {
        let account = crate::account_id(provider, body);
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
            ));
        }
    }
    for event in events {
        event.tenant = Some(tenant.id.clone());
    }
    Ok(())
}

/// Where a verified delivery's events go, and what the producer needs of it.
struct Delivery<'a> {
    /// The Worker's bindings.
    env: &'a Env,
    /// Where the events go.
    mode: &'a Mode,
    /// The provider that sent them.
    provider: Provider,
    /// The index of the key that proved the delivery.
    scope: usize,
    /// `MAX_CLOCK_SKEW_SECONDS`.
    skew: u64,
    /// Unix seconds, for direct mode's signature.
    now: i64,
}

/// A provider that sends one event per delivery: a setup handshake is answered and never
/// delivered; any other event is delivered as the mode says, and acknowledged (inspect
/// mode: answered with the event).
async fn answer_one(
    delivery: &Delivery<'_>,
    event: Event,
    client_id: Option<&str>,
    log: &mut RequestLog<'_>,
) -> Result<Reply, Refusal> {
    let provider = delivery.provider;
    log.event_type = Some(event.event_type.as_str());
    log.id = Some(clip(&event.id, 128).to_owned());
    if provider.is_handshake(&event) {
        // A setup handshake (the registry's `Provider::is_handshake`): answered, never
        // delivered, in every mode.
        log.outcome = Status::Handshake.as_str();
        let outcome = journal::Outcome::Handshake;
        log.journal.push(entry(provider, &event, None, outcome));
        return Ok(ack_reply(provider, &event, client_id, Status::Handshake));
    }
    let events = [event];
    let statuses = dispatch(delivery, &events, log).await?;
    let [event] = events;
    let status = statuses.first().copied().unwrap_or(Status::Queued);
    // Queue mode already said more (`live`: a copy whose job is live).
    if log.outcome.is_empty() {
        log.outcome = status.as_str();
    }
    Ok(match status {
        Status::Inspected => inspect_reply(provider, &event, client_id),
        status => ack_reply(provider, &event, client_id, status),
    })
}

/// Several events in one delivery (`Provider::is_batch`): each delivered on its own, in order; the
/// answer lists them. A failure fails the whole delivery so the provider retries it: the
/// ledger (queue mode) keeps the events already accepted from reaching origin twice.
async fn answer_several(
    delivery: &Delivery<'_>,
    events: &[Event],
    log: &mut RequestLog<'_>,
) -> Result<Reply, Refusal> {
    log.events = Some(events.len());
    if let Some(first) = events.first() {
        log.event_type = Some(first.event_type.as_str());
        log.id = Some(clip(&first.id, 128).to_owned());
    }
    let statuses = dispatch(delivery, events, log).await?;
    log.outcome = match delivery.mode {
        Mode::Inspect => Status::Inspected.as_str(),
        Mode::Direct(_) => Status::Delivered.as_str(),
        Mode::Queue => Status::Queued.as_str(),
    };
    Ok(match delivery.mode {
        Mode::Inspect => Reply::new(200, CLOUDEVENTS_BATCH_JSON, Event::batch_json(events)),
        _ => batch_reply(events, &statuses),
    })
}

/// Hands the verified events of one delivery on as the mode says, each with its status:
/// [`Status::Inspected`] (nothing sent), [`Status::Delivered`] (origin answered 2xx), or
/// in queue mode [`Status::Queued`], [`Status::Duplicate`] (origin already has it) or
/// [`Status::Dead`] (it is a dead letter).
async fn dispatch(
    delivery: &Delivery<'_>,
    events: &[Event],
    log: &mut RequestLog<'_>,
) -> Result<Vec<Status>, Error> {
    match delivery.mode {
        Mode::Inspect => {
            for event in events {
                let outcome = journal::Outcome::Accepted;
                log.journal
                    .push(entry(delivery.provider, event, None, outcome));
            }
            Ok(vec![Status::Inspected; events.len()])
        }
        Mode::Direct(origin) => apart(deliver_direct(origin, delivery, events, log)).await,
        Mode::Queue => apart(enqueue(delivery, events, log)).await,
    }
}

/// Direct mode: each event POSTed to origin inside the provider's request, in order;
/// the first that origin does not take within its timeout fails the delivery (`502`).
async fn deliver_direct(
    origin: &Origin,
    delivery: &Delivery<'_>,
    events: &[Event],
    log: &mut RequestLog<'_>,
) -> Result<Vec<Status>, Error> {
    let provider = delivery.provider;
    for event in events {
        let signed = crate::delivery(event, &origin.secret, delivery.now);
        let extra: Vec<(&'static str, String)> = event
            .tenant
            .iter()
            .map(|t| (TENANT_HEADER, t.clone()))
            .collect();
        let started = now_ms();
        let status = origin::post(&origin.url, &signed, &extra, origin.timeout_ms).await?;
        let key = queue::event_key(provider, event);
        log.journal.push(journal::Entry {
            end: Some(journal::End::Delivered),
            attempt: Some(journal::Attempt {
                at: crate::time::format_unix_millis(started).unwrap_or_default(),
                status: Some(status),
                latency_ms: u64::try_from(now_ms().saturating_sub(started)).unwrap_or(0),
                error: None,
            }),
            ..entry(provider, event, Some(key), journal::Outcome::Accepted)
        });
    }
    Ok(vec![Status::Delivered; events.len()])
}

/// Queue mode: the producer records and enqueues the events; the log line and the
/// delivery log say what became of each (a live copy answers `queued`).
async fn enqueue(
    delivery: &Delivery<'_>,
    events: &[Event],
    log: &mut RequestLog<'_>,
) -> Result<Vec<Status>, Error> {
    let provider = delivery.provider;
    let admitted = queue::enqueue_events(
        delivery.env,
        provider,
        events,
        delivery.scope,
        delivery.skew,
    )
    .await?;
    for (event, a) in events.iter().zip(&admitted) {
        let queued = a.admission == queue::Admission::Queued;
        let outcome = if queued {
            journal::Outcome::Accepted
        } else {
            journal::Outcome::Duplicate
        };
        log.journal.push(journal::Entry {
            end: queued.then_some(journal::End::Pending),
            ..entry(provider, event, Some(a.webhook_id.clone()), outcome)
        });
    }
    if events.len() == 1 {
        log.webhook_id = admitted.first().map(|a| a.webhook_id.clone());
        log.outcome = admitted
            .first()
            .map_or(Status::Queued.as_str(), |a| a.admission.as_str());
    } else {
        log.batch = admitted
            .iter()
            .map(|a| BatchItem {
                webhook_id: a.webhook_id.clone(),
                outcome: a.admission.as_str(),
            })
            .collect();
    }
    Ok(admitted.iter().map(|a| status(a.admission)).collect())
}

/// What the provider hears of an event queue mode admitted.
fn status(admission: queue::Admission) -> Status {
    match admission {
        queue::Admission::Queued | queue::Admission::Live => Status::Queued,
        queue::Admission::Duplicate => Status::Duplicate,
        queue::Admission::Dead => Status::Dead,
    }
}

/// A delivery-log record of `event` with `outcome` (its end and attempt to fill in).
fn entry(
    provider: Provider,
    event: &Event,
    webhook_id: Option<String>,
    outcome: journal::Outcome,
) -> journal::Entry {
    journal::Entry {
        tenant: event.tenant.clone(),
        provider: Some(provider.as_str()),
        event_id: Some(event.id.clone()),
        event_type: Some(event.event_type.as_str()),
        subject: event.subject.clone(),
        webhook_id,
        ..journal::Entry::new(outcome)
    }
}

/// `GET /hooks/acrobat-sign[/<token>]`: Acrobat Sign's verification of intent.
async fn intent(
    req: &Request,
    env: &Env,
    target: &Target<'_>,
    log: &mut RequestLog<'_>,
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
        ..journal::Entry::new(journal::Outcome::Handshake)
    });
    match target.provider.echo() {
        Some(echo) => Ok(answer::echo_reply(echo, &client_id, None)),
        // A client-id provider without an echo: the intent check is answered plainly.
        None => Ok(Reply::new(200, super::reply::JSON, "{}".to_owned())),
    }
}

/// The body, read chunk by chunk with a running count: past `max` bytes the read stops and
/// the answer is `413`, whatever `Content-Length` said or did not say (a chunked body is
/// never buffered beyond the limit; security review M-1).
///
/// Each chunk crosses into wasm memory once, copied from the runtime's `Uint8Array`
/// straight into its place in the body (`worker::Request::stream` would copy it into a
/// `Vec` of its own first), and a declared length sizes the buffer once, up to
/// [`PRESIZE_MAX`] ([`presize`]). Past the limit the stream is cancelled, so the runtime
/// takes in no more of it.
async fn read_body(req: &Request, max: usize, declared: Option<u64>) -> Result<Vec<u8>, Error> {
    use ::worker::js_sys::{Reflect, Uint8Array};
    use ::worker::wasm_bindgen::{JsCast, JsValue};
    use ::worker::wasm_bindgen_futures::JsFuture;
    let unreadable = || {
        Error::new(
            ErrorKind::MalformedPayload,
            "the request body could not be read",
        )
    };
    let Some(stream) = req.inner().body() else {
        // No body at all.
        return Ok(Vec::new());
    };
    let reader: ::worker::web_sys::ReadableStreamDefaultReader =
        stream.get_reader().unchecked_into();
    let mut body = Vec::with_capacity(presize(declared, max));
    loop {
        let read = JsFuture::from(reader.read())
            .await
            .map_err(|_| unreadable())?;
        let field = |name: &str| Reflect::get(&read, &JsValue::from_str(name));
        if field("done").map_err(|_| unreadable())?.as_bool() == Some(true) {
            return Ok(body);
        }
        let chunk: Uint8Array = field("value")
            .map_err(|_| unreadable())?
            .dyn_into()
            .map_err(|_| unreadable())?;
        let start = body.len();
        let end = start.saturating_add(chunk.length() as usize);
        if end > max {
            // Nothing waits on the cancellation; the answer goes out now.
            let _ = reader.cancel();
            return Err(Error::new(
                ErrorKind::PayloadTooLarge,
                format!("the body is over the limit of {max} bytes"),
            ));
        }
        body.resize(end, 0);
        chunk.copy_to(body.get_mut(start..end).ok_or_else(unreadable)?);
    }
}

/// The most a declared `Content-Length` reserves before any byte has come: a request
/// that only claims a large body (its proof is checked once the body is read) must not
/// take that much wasm memory for nothing, and wasm memory never shrinks. A larger body
/// grows the buffer as its bytes arrive.
const PRESIZE_MAX: usize = 256 * 1024;

/// The body buffer's first capacity for a declared length: the length itself, at most
/// `max` and at most [`PRESIZE_MAX`]; nothing declared, nothing reserved.
fn presize(declared: Option<u64>, max: usize) -> usize {
    declared.map_or(0, |d| {
        usize::try_from(d)
            .unwrap_or(usize::MAX)
            .min(max)
            .min(PRESIZE_MAX)
    })
}

/// The request's headers with its URL's query (where a proof may travel,
/// `Provider::proof_at`), and whether it came to a loopback host: `wrangler dev`, the only
/// place where the public example secrets of `.dev.vars.example` are accepted.
///
/// The URL is the runtime's own serialization (`Request.url`), fetched once and read as
/// text: `req.url()` would parse it with the `url` crate, for two lookups (its size:
/// docs/benchmarks.md).
fn request_head(req: &Request) -> (Headers, bool) {
    let url = req.inner().url();
    let mut headers: Headers = req.headers().entries().collect();
    // Everything after the first `?` (the runtime's URL carries no fragment).
    headers.set_query_from_url(&url);
    (headers, crate::url_host_is_loopback(&url))
}

/// The declared `Content-Length`, if it is a number.
fn content_length(req: &Request) -> Option<u64> {
    req.headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|value| value.trim().parse().ok())
}

/// The path as the log line shows it: a segment after `/hooks/<provider>/` is a URL token
/// (Acrobat Sign's authenticator, a secret) and is written `…`.
pub(super) fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
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
