//! The consumer of both queues (`#[event(queue)]`): `signhook-delivery`'s messages are
//! forwarded to origin once each ([`forward_to_origin`]: claim in the ledger, one attempt,
//! the outcome back to the ledger), `signhook-dead-letters`' are recorded ([`bury`]).
//!
//! The consumer never returns `Err` and never panics (`#[event(queue)]` turns an `Err` into
//! a panic, which kills the isolate and, locally, voids the acks already given): every
//! message is acked or retried explicitly.

use ::worker::{event, Context, Env, MessageBatch, MessageExt, QueueRetryOptionsBuilder};
use serde::Serialize;

use super::{Job, STORE_BINDING};
use crate::worker::config::{self, Origin};
use crate::worker::journal::{self, End};
use crate::worker::ledger::{Claim, Claimed, Complete, KeyState, LedgerClient, Outcome, Wait};
use crate::worker::{alerts, clip, dead_letters, host, now_ms, origin, tenants, TENANT_HEADER};
use crate::{Error, Next, OriginAnswer, RetryPolicy};

/// The dead-letter queue's name (wrangler.toml's `dead_letter_queue`): its batches are
/// recorded, not delivered.
const DEAD_LETTER_QUEUE: &str = "signhook-dead-letters";

/// The longest a copy that found another copy's live lease waits before asking again.
const BUSY_RETRY_MAX_SECONDS: i64 = 5;

/// How a message is settled.
enum Action {
    /// Done with: delivered, a duplicate, or recorded as a dead letter.
    Ack,
    /// Again in this many seconds.
    Retry(u32),
}

/// The log line of one queue message.
#[derive(Default, Serialize)]
struct MessageLog {
    /// `delivery` or `dead-letters`.
    queue: &'static str,
    /// The event key.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    /// The attempt's number, when the ledger granted one.
    #[serde(skip_serializing_if = "Option::is_none")]
    attempt: Option<i64>,
    /// Origin's status.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    /// `delivered`, `retry`, `dead`, `duplicate`, `busy`, `backoff`, `poison`,
    /// `misconfigured`, `tenant_unavailable`, `ledger_unavailable`,
    /// `delivered_unrecorded`, `already_delivered`.
    outcome: &'static str,
    /// How long until the message comes back.
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_in_s: Option<u32>,
    /// Why, in words (never a secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

/// The queue handler: each message of the batch settled, concurrently.
#[event(queue)]
async fn consume(batch: MessageBatch<String>, env: Env, _ctx: Context) -> ::worker::Result<()> {
    let dead_letters = batch.queue() == DEAD_LETTER_QUEUE;
    // The outgoing signature's HMAC through the runtime's `node:crypto` for large events.
    host::install();
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
        let mut log = MessageLog {
            queue: if dead_letters {
                "dead-letters"
            } else {
                "delivery"
            },
            ..MessageLog::default()
        };
        let action = match (&text, dead_letters, origin) {
            (None, _, _) => poison(env, &id, "the message body is not text", &mut log).await,
            (Some(text), true, _) => bury(env, &id, text, &mut log).await,
            (Some(text), false, origin) => {
                forward_to_origin(env, &id, text, origin.as_ref(), &policy, &mut log).await
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
async fn poison(env: &Env, msg_id: &str, why: &str, log: &mut MessageLog) -> Action {
    log.outcome = "poison";
    log.detail = Some(why.to_owned());
    match dead_letters::record_poison(env, msg_id, why).await {
        Ok(()) => Action::Ack,
        Err(_) => Action::Retry(10),
    }
}

/// One message of `signhook-delivery`: where its event goes, a claim in the ledger, one
/// attempt at origin, and what came of it settled in the ledger (and the delivery log).
async fn forward_to_origin(
    env: &Env,
    msg_id: &str,
    text: &str,
    deployment_origin: Result<&Origin, &Error>,
    policy: &RetryPolicy,
    log: &mut MessageLog,
) -> Action {
    let Ok(job) = serde_json::from_str::<Job>(text) else {
        return poison(env, msg_id, "the message is not a signhook job", log).await;
    };
    log.key = Some(job.key.clone());
    let own_origin;
    let origin = match origin_of(env, &job).await {
        Ok(Some(origin)) => {
            own_origin = origin;
            &own_origin
        }
        Ok(None) => match deployment_origin {
            Ok(origin) => origin,
            Err(e) => {
                // The edge is misconfigured: wait without spending an attempt.
                log.outcome = "misconfigured";
                log.detail = Some(e.message().to_owned());
                return Action::Retry(60);
            }
        },
        Err(NoOrigin::Gone(reason)) => {
            return dead_letter(env, text, &job, reason, 0, msg_id, log).await;
        }
        Err(NoOrigin::Wait {
            outcome,
            detail,
            seconds,
        }) => {
            log.outcome = outcome;
            log.detail = Some(detail);
            return Action::Retry(seconds);
        }
    };
    let (attempt, stale) = match claim(env, &job, msg_id, origin, log).await {
        Ok(granted) => granted,
        Err(action) => return action,
    };
    log.attempt = Some(attempt);
    let started = now_ms();
    let answer = attempt_at(env, &job, origin, attempt, stale).await;
    let finished = now_ms();
    let attempted = Attempted {
        attempt,
        started,
        finished,
        answer,
    };
    settle(env, text, &job, msg_id, origin, policy, attempted, log).await
}

/// Why a job has no origin to go to now.
enum NoOrigin {
    /// Never again: the job becomes a dead letter for this reason.
    Gone(&'static str),
    /// Not now: retried in `seconds` without spending an attempt.
    Wait {
        /// The log line's outcome.
        outcome: &'static str,
        /// Why.
        detail: String,
        /// When to look again.
        seconds: u32,
    },
}

/// Where `job` goes when not to the deployment's origin: an alert to `ALERT_URL`, a
/// tenant's event to the tenant's origin (read now: a change applies to what is queued).
/// `Ok(None)`: the deployment's origin.
async fn origin_of(env: &Env, job: &Job) -> Result<Option<Origin>, NoOrigin> {
    if job.is_alert() {
        return match alerts::origin(env) {
            Some(Ok(origin)) => Ok(Some(origin)),
            Some(Err(e)) => Err(NoOrigin::Wait {
                outcome: "misconfigured",
                detail: e.message().to_owned(),
                seconds: 60,
            }),
            None => Err(NoOrigin::Gone("ALERT_URL is no longer set")),
        };
    }
    let Some(tenant) = &job.tenant else {
        return Ok(None);
    };
    match tenant_origin_of(env, tenant, &job.provider).await {
        Ok(Some(origin)) => Ok(Some(origin)),
        // Deleted since: its events have nowhere to go but the dead letters.
        Ok(None) => Err(NoOrigin::Gone("the tenant no longer exists")),
        Err(e) => Err(NoOrigin::Wait {
            outcome: "tenant_unavailable",
            detail: e.message().to_owned(),
            seconds: 10,
        }),
    }
}

/// Claims `job` in its ledger for one attempt: `Ok((attempt, stale))` to go on, else how
/// the message is settled (a duplicate acked; busy, in backoff or no ledger: retried).
async fn claim(
    env: &Env,
    job: &Job,
    msg_id: &str,
    origin: &Origin,
    log: &mut MessageLog,
) -> Result<(i64, bool), Action> {
    let claim = Claim {
        key: job.key.clone(),
        msg: msg_id.to_owned(),
        gen: job.gen,
        time_ms: job.time_ms,
        lease_ms: i64::from(origin.timeout_ms).saturating_add(10_000),
        scope: job.scope.clone(),
    };
    match LedgerClient::new(env, &job.shard).claim(&claim).await {
        Err(e) => {
            // Never forward without a claim.
            log.outcome = "ledger_unavailable";
            log.detail = Some(clip(&e.to_string(), 200).to_owned());
            Err(Action::Retry(5))
        }
        Ok(Claimed::Duplicate { .. }) => {
            log.outcome = "duplicate";
            Err(Action::Ack)
        }
        Ok(Claimed::Busy { retry_ms, wait }) => {
            // Look again when the lease ends, or sooner: the holder usually finishes (and
            // frees the lease) well before its timeout. After a failed attempt, when its
            // backoff ends: a copy never attempts early.
            let most = match wait {
                Wait::Backoff => i64::from(RetryPolicy::QUEUES_MAX_DELAY_SECONDS),
                Wait::Lease => BUSY_RETRY_MAX_SECONDS,
            };
            log.outcome = match wait {
                Wait::Backoff => "backoff",
                Wait::Lease => "busy",
            };
            let seconds = (retry_ms.saturating_add(999) / 1000).clamp(1, most);
            Err(Action::Retry(u32::try_from(seconds).unwrap_or(1)))
        }
        Ok(Claimed::Proceed { attempt, stale }) => Ok((attempt, stale)),
    }
}

/// One POST of `job`'s event to `origin`, signed: an alert as it was made, an event with
/// its `sequence`/`stale` attributes and the attempt's headers. `Err`: the event could not
/// be read or sent at all.
async fn attempt_at(
    env: &Env,
    job: &Job,
    origin: &Origin,
    attempt: i64,
    stale: bool,
) -> Result<OriginAnswer, String> {
    let event = event_json(env, job).await?;
    let now_s = now_ms().div_euclid(1000);
    // An alert is sent as it was made: no envelope, no ordering attributes.
    if job.is_alert() {
        let delivery = crate::signed_delivery(&job.key, event, &origin.secret, now_s);
        return origin::send(&origin.url, &delivery, &[], origin.timeout_ms)
            .await
            .map_err(|e| e.message().to_owned());
    }
    let Some(body) = crate::with_delivery_attributes(&event, job.seq.as_deref(), stale) else {
        return Err("the queued event is not a JSON object".to_owned());
    };
    let delivery = crate::signed_delivery(&job.key, body, &origin.secret, now_s);
    let mut extra = vec![
        ("signhook-attempt", attempt.to_string()),
        (
            "signhook-received-at",
            crate::time::format_unix_millis(job.received_ms).unwrap_or_default(),
        ),
    ];
    if let Some(tenant) = &job.tenant {
        extra.push((TENANT_HEADER, tenant.clone()));
    }
    origin::send(&origin.url, &delivery, &extra, origin.timeout_ms)
        .await
        .map_err(|e| e.message().to_owned())
}

/// One attempt made: its number, when it started and finished (Unix ms), and origin's
/// answer (`Err`: why nothing reached origin).
struct Attempted {
    /// Its number, from 1.
    attempt: i64,
    /// When it started, Unix ms.
    started: i64,
    /// When origin answered (or the attempt failed), Unix ms.
    finished: i64,
    /// Origin's answer; `Err`: why nothing reached origin.
    answer: Result<OriginAnswer, String>,
}

impl Attempted {
    /// Whether origin took the event (2xx).
    fn ok(&self) -> bool {
        matches!(self.answer, Ok(OriginAnswer::Status(200..=299)))
    }

    /// The delivery log's record of it, with `reason` for a failure.
    fn record(&self, reason: &str) -> journal::Attempt {
        journal::Attempt {
            at: crate::time::format_unix_millis(self.started).unwrap_or_default(),
            status: match &self.answer {
                Ok(OriginAnswer::Status(status)) => Some(*status),
                _ => None,
            },
            latency_ms: u64::try_from(self.finished.saturating_sub(self.started)).unwrap_or(0),
            error: (!self.ok()).then(|| reason.to_owned()),
        }
    }
}

/// What came of an attempt, settled: logged (delivery log, origin health), then the
/// ledger told and the message acked (delivered), retried after the backoff, or
/// dead-lettered (origin's refusal for good, or the retry budget spent).
#[allow(clippy::too_many_arguments)]
async fn settle(
    env: &Env,
    text: &str,
    job: &Job,
    msg_id: &str,
    origin: &Origin,
    policy: &RetryPolicy,
    attempted: Attempted,
    log: &mut MessageLog,
) -> Action {
    let (next, reason) = match &attempted.answer {
        Ok(answer) => {
            if let OriginAnswer::Status(status) = answer {
                log.status = Some(*status);
            }
            (answer.next(), answer.describe())
        }
        // The event could not be read or sent at all: retried like a network error.
        Err(why) => (Next::Retry, why.clone()),
    };
    let attempts = u32::try_from(attempted.attempt).unwrap_or(u32::MAX);
    let next = match next {
        Next::Retry if policy.exhausted(attempts) => Next::Dead,
        next => next,
    };
    let delay = policy.delay_seconds(attempts, ::worker::js_sys::Math::random());
    if !job.is_alert() {
        let end = match next {
            Next::Delivered => Some(End::Delivered),
            Next::Dead => Some(End::Dead),
            Next::Retry => None,
        };
        let record = attempted.record(&reason);
        journal::attempt(env, &job.key, &record, end, attempted.finished).await;
        let tenant = job.tenant.as_deref();
        alerts::origin_attempt(
            env,
            &origin.url,
            &job.provider,
            tenant,
            attempted.ok(),
            attempted.finished,
        )
        .await;
    }
    let ledger = LedgerClient::new(env, &job.shard);
    match next {
        Next::Delivered => {
            log.outcome = "delivered";
            match ledger
                .complete(&completion(job, msg_id, Outcome::Delivered, 0))
                .await
            {
                Ok(_) => {
                    forget_stored(env, job).await;
                    Action::Ack
                }
                // Origin has it but the ledger could not say so: the retry sends it again
                // under the same webhook-id, which origin deduplicates (docs/worker.md).
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
            let retry_ms = i64::from(delay) * 1000;
            let _ = ledger
                .complete(&completion(job, msg_id, Outcome::Failed, retry_ms))
                .await;
            Action::Retry(delay)
        }
        Next::Dead => {
            let attempt = attempted.attempt;
            dead_letter(env, text, job, &reason, attempt, msg_id, log).await
        }
    }
}

/// What `/complete` says of `job`'s message `msg_id`: `outcome`, and after a failure the
/// backoff before the next attempt.
fn completion(job: &Job, msg_id: &str, outcome: Outcome, retry_ms: i64) -> Complete {
    Complete {
        key: job.key.clone(),
        msg: msg_id.to_owned(),
        gen: job.gen,
        outcome,
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
async fn bury(env: &Env, msg_id: &str, text: &str, log: &mut MessageLog) -> Action {
    let Ok(job) = serde_json::from_str::<Job>(text) else {
        return poison(env, msg_id, "the message is not a signhook job", log).await;
    };
    log.key = Some(job.key.clone());
    let complete = completion(&job, msg_id, Outcome::Dead, 0);
    match LedgerClient::new(env, &job.shard).complete(&complete).await {
        Err(_) => Action::Retry(10),
        Ok(done) if done.state == KeyState::Delivered => {
            log.outcome = "already_delivered";
            Action::Ack
        }
        Ok(_) => {
            log.outcome = "dead";
            journal::end(env, &job.key, End::Dead).await;
            let reason = "Queues moved the message to the dead-letter queue";
            alerts::dead_lettered(env, &job, reason, 0).await;
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
    let Some(view) = tenants::view(env, tenant, provider, cache_ms, now_ms()).await? else {
        return Ok(None);
    };
    let forward_secret = match &view.forward_secret {
        // The event was accepted under this key already: where it runs is not the question.
        Some(sealed) => Some(tenants::tenant_key(env, true)?.open(tenant, "forward", sealed)?),
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
    log: &mut MessageLog,
) -> Action {
    log.outcome = "dead";
    log.detail = Some(reason.to_owned());
    journal::end(env, &job.key, End::Dead).await;
    alerts::dead_lettered(env, job, reason, attempts).await;
    if dead_letters::record(env, text, job, reason, attempts)
        .await
        .is_err()
    {
        return Action::Retry(10);
    }
    let complete = completion(job, msg_id, Outcome::Dead, 0);
    match LedgerClient::new(env, &job.shard).complete(&complete).await {
        Ok(_) => Action::Ack,
        Err(_) => Action::Retry(10),
    }
}
