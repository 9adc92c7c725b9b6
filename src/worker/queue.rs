//! Queue mode: the producer (the fetch handler enqueues a [`Job`] before it answers the
//! provider) and the consumer of both queues (`#[event(queue)]`).
//!
//! ```text
//! fetch ─ verify, normalize ─ ledger /accept (sequence; a live job? then no new one)
//!       ─ R2 if large ─ await sendBatch ─ ledger /enqueued ─▶ 200
//! signhook-delivery ─▶ ledger /claim ─ proceed ─ POST origin ─ ledger /complete ─ ack
//!                                    │                      └ retry (backoff, kept in
//!                                    │                        the ledger) │ dead letter
//!                                    ├ busy ─ retry in the lease's remaining time
//!                                    ├ backoff ─ retry when the event's backoff ends
//!                                    └ duplicate ─ ack
//! signhook-dead-letters ─▶ ledger /complete(dead) ─ dead-letter store ─ ack
//! ```
//!
//! The consumer never returns `Err` and never panics (`#[event(queue)]` turns an `Err` into
//! a panic, which kills the isolate and, locally, voids the acks already given): every
//! message is acked or retried explicitly.

use ::worker::{event, Context, Env, MessageBatch, MessageExt, QueueRetryOptionsBuilder};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::config::{self, Origin};
use super::dead_letters;
use super::journal;
use super::ledger::{self, now_ms, Claim, Claimed, Complete, Completed};
use super::origin;
use crate::{Error, ErrorKind, Next, OriginAnswer, RetryPolicy};

/// The producer binding (`[[queues.producers]]` in wrangler.toml).
const QUEUE_BINDING: &str = "EVENTS_QUEUE";
/// The dead-letter queue's name (wrangler.toml's `dead_letter_queue`): its batches are
/// recorded, not delivered.
const DEAD_LETTER_QUEUE: &str = "signhook-dead-letters";
/// The R2 bucket binding for events too large for a queue message.
const STORE_BINDING: &str = "EVENT_STORE";
/// A queue message holds 128 KB with about 100 bytes of metadata; a job larger than this
/// travels by reference to R2 (never refused, never truncated).
const MAX_INLINE_JOB_BYTES: usize = 100_000;

/// The longest a copy that found another copy's live lease waits before asking again.
const BUSY_RETRY_MAX_SECONDS: i64 = 5;

/// One event on its way to origin: what a queue message carries (as JSON text).
#[derive(Serialize, Deserialize)]
pub(super) struct Job {
    /// Format version.
    pub(super) v: u8,
    /// The event key (`webhook-id`).
    pub(super) key: String,
    /// The ledger shard (Durable Object name).
    pub(super) shard: String,
    /// 0; a replay of a dead letter carries a higher generation.
    #[serde(default)]
    pub(super) gen: i64,
    /// The `sequence` attribute, when the event names an envelope.
    pub(super) seq: Option<String>,
    /// When the edge accepted the event, Unix ms.
    pub(super) received_ms: i64,
    /// The provider's event time, Unix ms (for the staleness check).
    pub(super) time_ms: Option<i64>,
    pub(super) provider: String,
    #[serde(rename = "type")]
    pub(super) event_type: String,
    /// The verification key's index: whose latest time the staleness check reads.
    #[serde(default)]
    pub(super) scope: String,
    /// The tenant whose route received the event: its origin and forwarding key apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) tenant: Option<String>,
    /// `alert`: an operational event for `ALERT_URL` (`alerts.rs`), not a provider's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) target: Option<String>,
    /// The event's own id and envelope, for the dead-letter listing.
    pub(super) id: String,
    pub(super) subject: Option<String>,
    /// The event JSON, inline...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) event: Option<Box<RawValue>>,
    /// ...or the R2 key holding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) stored: Option<String>,
    /// A fresh job's event JSON (`Event::to_json`'s output), written into the message as
    /// `event` as it is (`job_text`): wrapping it in a `RawValue` would scan it all again on
    /// the path that answers the provider. Never read from a message.
    #[serde(skip)]
    pub(super) fresh_event: Option<String>,
}

/// The message text of `job`: its JSON, with a fresh event spliced in as `"event"`.
fn job_text(job: &Job) -> Result<String, Error> {
    let mut text = serde_json::to_string(job).map_err(|e| enqueue_failed("job", e))?;
    if let Some(event) = &job.fresh_event {
        // `{"v":1,…}`: the job always has members, so a comma joins the event.
        if text.pop() != Some('}') {
            return Err(enqueue_failed("job", "not a JSON object"));
        }
        text.reserve(event.len() + 10);
        text.push_str(r#","event":"#);
        text.push_str(event);
        text.push('}');
    }
    Ok(text)
}

fn enqueue_failed(what: &str, e: impl std::fmt::Display) -> Error {
    // The platform's own words go to the log (they name no secret); the sender learns only
    // what failed and that a retry is welcome.
    ::worker::console_error!("enqueue: {what}: {}", super::clip(&e.to_string(), 300));
    Error::new(ErrorKind::EnqueueFailed, format!("{what}; retry later"))
}

/// Writes `job` to the queue (its event to R2 first when too large for a message), and
/// returns only once Queues confirmed the write.
///
/// # Errors
/// `enqueue_failed` when R2 or the queue refused or is not bound.
pub(super) async fn enqueue(env: &Env, job: Job) -> Result<(), Error> {
    enqueue_all(env, vec![job]).await
}

/// One `sendBatch` holds at most this many messages...
const MAX_BATCH_MESSAGES: usize = 100;
/// ...and at most 256 KB in all; kept under it with room for the per-message overhead.
const MAX_BATCH_BYTES: usize = 250_000;

/// Writes every job (events too large for a message to R2 first) with as few `sendBatch`
/// calls as Queues' limits allow, in order, and returns once Queues confirmed them all.
///
/// # Errors
/// `enqueue_failed` when R2 or the queue refused or is not bound; some of the jobs may
/// then be written, which the ledger makes harmless (the provider's retry finds them).
pub(super) async fn enqueue_all(env: &Env, jobs: Vec<Job>) -> Result<(), Error> {
    let mut texts = Vec::with_capacity(jobs.len());
    for job in jobs {
        texts.push(message_text(env, job).await?);
    }
    let queue = env
        .queue(QUEUE_BINDING)
        .map_err(|e| enqueue_failed("the EVENTS_QUEUE queue is not bound", e))?;
    let mut texts = texts.into_iter().peekable();
    while texts.peek().is_some() {
        let mut chunk = Vec::new();
        let mut bytes = 0;
        while let Some(text) = texts.next_if(|text| {
            chunk.is_empty()
                || (chunk.len() < MAX_BATCH_MESSAGES && bytes + text.len() <= MAX_BATCH_BYTES)
        }) {
            bytes += text.len();
            chunk.push(text);
        }
        let sent = if chunk.len() == 1 {
            queue.send(chunk.pop().unwrap_or_default()).await
        } else {
            queue.send_batch(chunk).await
        };
        sent.map_err(|e| enqueue_failed("the queue refused the event", e))?;
    }
    Ok(())
}

/// The queue message of `job`: its JSON, the event inline or, when too large, in R2.
async fn message_text(env: &Env, mut job: Job) -> Result<String, Error> {
    let text = job_text(&job)?;
    if text.len() <= MAX_INLINE_JOB_BYTES {
        return Ok(text);
    }
    let event = match job.fresh_event.take() {
        Some(event) => Some(event),
        None => job.event.take().map(|event| event.get().to_owned()),
    };
    let Some(event) = event else {
        return Ok(text);
    };
    let name = format!("events/{}/{}", job.key, job.gen);
    env.bucket(STORE_BINDING)
        .map_err(|e| enqueue_failed("the EVENT_STORE bucket is not bound", e))?
        .put(name.as_str(), event)
        .execute()
        .await
        .map_err(|e| enqueue_failed("storing the large event failed", e))?;
    job.stored = Some(name);
    job_text(&job)
}

/// How a message is settled.
enum Action {
    Ack,
    Retry(u32),
}

/// One log line per message.
#[derive(Default, Serialize)]
struct Log {
    queue: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempt: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_in_s: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

#[event(queue)]
async fn consume(batch: MessageBatch<String>, env: Env, _ctx: Context) -> ::worker::Result<()> {
    let dead_letters = batch.queue() == DEAD_LETTER_QUEUE;
    // The outgoing signature's HMAC through the runtime's `node:crypto` for large events.
    super::host::install();
    let mut warnings = Vec::new();
    let origin = config::origin(&env, true, None, &mut warnings);
    let policy = config::retry_policy(&env, &mut warnings);
    for warning in warnings {
        ::worker::console_warn!("{warning}");
    }
    let messages: Vec<_> = batch.raw_iter().collect();
    let env = &env;
    let origin = &origin;
    // The messages of a batch run concurrently: each is a few ledger calls and one origin
    // request, all I/O.
    let settled = futures_util::future::join_all(messages.iter().map(|msg| async move {
        let id = msg.id();
        let text = msg.body().as_string();
        let mut log = Log {
            queue: if dead_letters {
                "dead-letters"
            } else {
                "delivery"
            },
            ..Log::default()
        };
        let action = match (&text, dead_letters, origin) {
            (None, _, _) => poison(env, &id, "the message body is not text", &mut log).await,
            (Some(text), true, _) => bury(env, &id, text, &mut log).await,
            (Some(text), false, origin) => {
                deliver(env, &id, text, origin.as_ref(), &policy, &mut log).await
            }
        };
        if let Action::Retry(s) = action {
            log.retry_in_s = Some(s);
        }
        ::worker::console_log!("{}", serde_json::to_string(&log).unwrap_or_default());
        action
    }))
    .await;
    for (msg, action) in messages.iter().zip(settled) {
        match action {
            Action::Ack => msg.ack(),
            Action::Retry(seconds) => msg.retry_with_options(
                &QueueRetryOptionsBuilder::new()
                    .with_delay_seconds(seconds)
                    .build(),
            ),
        }
    }
    Ok(())
}

/// A message that is not a job: kept as a dead letter (nothing is dropped), then acked.
async fn poison(env: &Env, msg_id: &str, why: &str, log: &mut Log) -> Action {
    log.outcome = "poison";
    log.detail = Some(why.to_owned());
    match dead_letters::record_poison(env, msg_id, why).await {
        Ok(()) => Action::Ack,
        Err(_) => Action::Retry(10),
    }
}

/// One attempt at origin for one message.
async fn deliver(
    env: &Env,
    msg_id: &str,
    text: &str,
    deployment_origin: Result<&Origin, &Error>,
    policy: &RetryPolicy,
    log: &mut Log,
) -> Action {
    let Ok(job) = serde_json::from_str::<Job>(text) else {
        return poison(env, msg_id, "the message is not a signhook job", log).await;
    };
    log.key = Some(job.key.clone());
    // A tenant's event goes to the tenant's origin (read now: a change applies to what is
    // queued), else the deployment's.
    let is_alert = job.target.as_deref() == Some(super::alerts::TARGET);
    let tenant_origin;
    let alert_origin;
    let origin = match &job.tenant {
        _ if is_alert => match super::alerts::origin(env) {
            Some(Ok(origin)) => {
                alert_origin = origin;
                Ok(&alert_origin)
            }
            Some(Err(e)) => {
                log.outcome = "misconfigured";
                log.detail = Some(e.message().to_owned());
                return Action::Retry(60);
            }
            None => {
                return dead_letter(
                    env,
                    text,
                    &job,
                    "ALERT_URL is no longer set",
                    0,
                    msg_id,
                    log,
                )
                .await;
            }
        },
        None => deployment_origin,
        Some(tenant) => match tenant_origin_of(env, tenant, &job.provider).await {
            Ok(Some(origin)) => {
                tenant_origin = origin;
                Ok(&tenant_origin)
            }
            Ok(None) => {
                // Deleted since: its events have nowhere to go but the dead letters.
                return dead_letter(
                    env,
                    text,
                    &job,
                    "the tenant no longer exists",
                    0,
                    msg_id,
                    log,
                )
                .await;
            }
            Err(e) => {
                log.outcome = "tenant_unavailable";
                log.detail = Some(e.message().to_owned());
                return Action::Retry(10);
            }
        },
    };
    let origin = match origin {
        Ok(origin) => origin,
        Err(e) => {
            // The edge is misconfigured: wait without spending an attempt.
            log.outcome = "misconfigured";
            log.detail = Some(e.message().to_owned());
            return Action::Retry(60);
        }
    };
    let claim = Claim {
        key: job.key.clone(),
        msg: msg_id.to_owned(),
        gen: job.gen,
        time_ms: job.time_ms,
        lease_ms: i64::from(origin.timeout_ms).saturating_add(10_000),
        scope: job.scope.clone(),
    };
    let attempt = match ledger::ask::<_, Claimed>(env, &job.shard, "/claim", &claim).await {
        Err(e) => {
            // Never forward without a claim.
            log.outcome = "ledger_unavailable";
            log.detail = Some(super::clip(&e.to_string(), 200).to_owned());
            return Action::Retry(5);
        }
        Ok(Claimed::Duplicate { .. }) => {
            log.outcome = "duplicate";
            return Action::Ack;
        }
        Ok(Claimed::Busy { retry_ms, backoff }) => {
            // Look again when the lease ends, or sooner: the holder usually finishes (and
            // frees the lease) well before its timeout. After a failed attempt, when its
            // backoff ends: a copy never attempts early.
            log.outcome = if backoff { "backoff" } else { "busy" };
            let most = if backoff {
                i64::from(RetryPolicy::QUEUES_MAX_DELAY_SECONDS)
            } else {
                BUSY_RETRY_MAX_SECONDS
            };
            let seconds = (retry_ms.saturating_add(999) / 1000).clamp(1, most);
            return Action::Retry(u32::try_from(seconds).unwrap_or(1));
        }
        Ok(Claimed::Proceed { attempt, stale }) => (attempt, stale),
    };
    let (attempt, stale) = attempt;
    log.attempt = Some(attempt);

    let started = now_ms();
    let answer = match event_json(env, &job).await {
        Err(why) => Err(why),
        // An alert is sent as it was made: no envelope, no ordering attributes.
        Ok(event) if is_alert => {
            let now_s = now_ms().div_euclid(1000);
            let delivery = crate::signed_delivery(&job.key, event, &origin.secret, now_s);
            origin::send(&origin.url, &delivery, &[], origin.timeout_ms)
                .await
                .map_err(|e| e.message().to_owned())
        }
        Ok(event) => match crate::with_delivery_attributes(&event, job.seq.as_deref(), stale) {
            None => Err("the queued event is not a JSON object".to_owned()),
            Some(body) => {
                let now_s = now_ms().div_euclid(1000);
                let delivery = crate::signed_delivery(&job.key, body, &origin.secret, now_s);
                let mut extra = vec![
                    ("signhook-attempt", attempt.to_string()),
                    (
                        "signhook-received-at",
                        crate::time::format_unix_millis(job.received_ms).unwrap_or_default(),
                    ),
                ];
                if let Some(tenant) = &job.tenant {
                    extra.push((super::TENANT_HEADER, tenant.clone()));
                }
                origin::send(&origin.url, &delivery, &extra, origin.timeout_ms)
                    .await
                    .map_err(|e| e.message().to_owned())
            }
        },
    };
    let finished = now_ms();
    let (next, reason) = match &answer {
        Ok(answer) => {
            if let OriginAnswer::Status(status) = answer {
                log.status = Some(*status);
            }
            (answer.next(), answer.describe())
        }
        // The event could not be read or sent at all: retried like a network error.
        Err(why) => (Next::Retry, why.clone()),
    };
    let attempt_record = journal::Attempt {
        at: crate::time::format_unix_millis(started).unwrap_or_default(),
        status: match &answer {
            Ok(OriginAnswer::Status(status)) => Some(*status),
            _ => None,
        },
        latency_ms: u64::try_from(finished.saturating_sub(started)).unwrap_or(0),
        error: match &answer {
            Ok(OriginAnswer::Status(200..=299)) => None,
            _ => Some(reason.clone()),
        },
    };
    let attempts = u32::try_from(attempt).unwrap_or(u32::MAX);
    let next = match next {
        Next::Retry if policy.exhausted(attempts) => Next::Dead,
        next => next,
    };
    let delay = policy.delay_seconds(attempts, ::worker::js_sys::Math::random());
    let complete = |outcome: &str| {
        let retry_ms = if outcome == "failed" {
            i64::from(delay) * 1000
        } else {
            0
        };
        completion(&job, msg_id, outcome, retry_ms)
    };
    let end = match next {
        Next::Delivered => Some("delivered"),
        Next::Dead => Some("dead"),
        Next::Retry => None,
    };
    if !is_alert {
        journal::attempt(env, &job.key, &attempt_record, end, finished).await;
        let ok = matches!(answer, Ok(OriginAnswer::Status(200..=299)));
        super::alerts::origin_attempt(env, &origin.url, job.tenant.as_deref(), ok, finished).await;
    }
    match next {
        Next::Delivered => {
            log.outcome = "delivered";
            match ledger::ask::<_, Completed>(env, &job.shard, "/complete", &complete("delivered"))
                .await
            {
                Ok(_) => {
                    forget_stored(env, &job).await;
                    Action::Ack
                }
                // Origin has it but the ledger could not say so: the retry sends it again
                // under the same webhook-id, which origin deduplicates (README).
                Err(_) => {
                    log.outcome = "delivered_unrecorded";
                    Action::Retry(5)
                }
            }
        }
        Next::Retry => {
            log.outcome = "retry";
            log.detail = Some(reason);
            // A failed write here only keeps the lease until it expires.
            let _ = ledger::ask::<_, Completed>(env, &job.shard, "/complete", &complete("failed"))
                .await;
            Action::Retry(delay)
        }
        Next::Dead => dead_letter(env, text, &job, &reason, attempt, msg_id, log).await,
    }
}

/// What `/complete` says of `job`'s message `msg_id`: `outcome` (`delivered`, `failed`,
/// `dead`), and after a failure the backoff before the next attempt.
fn completion(job: &Job, msg_id: &str, outcome: &str, retry_ms: i64) -> Complete {
    Complete {
        key: job.key.clone(),
        msg: msg_id.to_owned(),
        gen: job.gen,
        outcome: outcome.to_owned(),
        time_ms: job.time_ms,
        retry_ms,
        scope: job.scope.clone(),
    }
}

/// The event JSON of `job`, inline or from R2.
async fn event_json(env: &Env, job: &Job) -> Result<String, String> {
    if let Some(event) = &job.event {
        return Ok(event.get().to_owned());
    }
    let Some(name) = &job.stored else {
        return Err("the job carries no event".to_owned());
    };
    let bucket = env
        .bucket(STORE_BINDING)
        .map_err(|_| "the EVENT_STORE bucket is not bound".to_owned())?;
    let object = bucket
        .get(name.as_str())
        .execute()
        .await
        .map_err(|_| "the stored event could not be read".to_owned())?
        .ok_or_else(|| "the stored event is missing".to_owned())?;
    object
        .body()
        .ok_or_else(|| "the stored event has no body".to_owned())?
        .text()
        .await
        .map_err(|_| "the stored event could not be read".to_owned())
}

/// Deletes a delivered event's R2 copy (a failure only leaves an object behind).
async fn forget_stored(env: &Env, job: &Job) {
    if let (Some(name), Ok(bucket)) = (&job.stored, env.bucket(STORE_BINDING)) {
        let _ = bucket.delete(name.as_str()).await;
    }
}

/// A message Queues moved to the dead-letter queue (retries spent without the consumer
/// settling it): marked dead in the ledger unless some copy delivered it, then recorded.
async fn bury(env: &Env, msg_id: &str, text: &str, log: &mut Log) -> Action {
    let Ok(job) = serde_json::from_str::<Job>(text) else {
        return poison(env, msg_id, "the message is not a signhook job", log).await;
    };
    log.key = Some(job.key.clone());
    let complete = completion(&job, msg_id, "dead", 0);
    match ledger::ask::<_, Completed>(env, &job.shard, "/complete", &complete).await {
        Err(_) => Action::Retry(10),
        Ok(done) if done.state == "delivered" => {
            log.outcome = "already_delivered";
            Action::Ack
        }
        Ok(_) => {
            log.outcome = "dead";
            journal::end(env, &job.key, "dead").await;
            let reason = "Queues moved the message to the dead-letter queue";
            super::alerts::dead_lettered(env, &job, reason, 0).await;
            match dead_letters::record(env, text, &job, reason, 0).await {
                Ok(()) => Action::Ack,
                Err(_) => Action::Retry(10),
            }
        }
    }
}

/// A tenant's origin for its queued events: its own `origin_url` and forwarding key where
/// it set them, else the deployment's. `Ok(None)`: the tenant no longer exists.
async fn tenant_origin_of(
    env: &Env,
    tenant: &str,
    provider: &str,
) -> Result<Option<Origin>, Error> {
    let provider: crate::Provider = provider.parse()?;
    let mut warnings = Vec::new();
    let cache_ms = config::tenant_cache_ms(env, &mut warnings);
    let Some(view) = super::tenants::view(env, tenant, provider, cache_ms, now_ms()).await? else {
        return Ok(None);
    };
    let forward_secret = match &view.forward_secret {
        // The event was accepted under this key already: where it runs is not the question.
        Some(sealed) => {
            Some(super::tenants::tenant_key(env, true)?.open(tenant, "forward", sealed)?)
        }
        None => None,
    };
    let origin = config::TenantOrigin {
        url: view.origin_url,
        forward_secret,
    };
    config::origin(env, true, Some(&origin), &mut warnings).map(Some)
}

/// Records `job` as a dead letter (its budget spent, origin's refusal for good, or nothing
/// left to try), alerts, then marks it dead in the ledger. The dead letter first: once the
/// ledger says dead, no copy would record it.
async fn dead_letter(
    env: &Env,
    text: &str,
    job: &Job,
    reason: &str,
    attempts: i64,
    msg_id: &str,
    log: &mut Log,
) -> Action {
    log.outcome = "dead";
    log.detail = Some(reason.to_owned());
    journal::end(env, &job.key, "dead").await;
    super::alerts::dead_lettered(env, job, reason, attempts).await;
    if dead_letters::record(env, text, job, reason, attempts)
        .await
        .is_err()
    {
        return Action::Retry(10);
    }
    let complete = completion(job, msg_id, "dead", 0);
    match ledger::ask::<_, Completed>(env, &job.shard, "/complete", &complete).await {
        Ok(_) => Action::Ack,
        Err(_) => Action::Retry(10),
    }
}
