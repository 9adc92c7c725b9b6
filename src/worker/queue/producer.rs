//! The producer: what the hook path does with verified events in queue mode, and the one
//! way anything (a replay, an alert) writes a [`Job`] to the queue.
//!
//! [`enqueue_events`] records each event in its envelope's ledger (which numbers it),
//! writes the events that need a job to the queue in as few `sendBatch` calls as Queues'
//! limits allow, and tells the ledger they have one. A copy of an event whose job is still
//! live gets no second job: one retry budget and one backoff per event.

use ::worker::Env;

use super::{event_key, Job, STORE_BINDING};
use crate::worker::ledger::{Accept, Accepted, Enqueued, KeyState, LedgerClient};
use crate::worker::{clip, now_ms};
use crate::{Error, ErrorKind, Event, Provider};

/// The producer binding (`[[queues.producers]]` in wrangler.toml).
const QUEUE_BINDING: &str = "EVENTS_QUEUE";
/// A queue message holds 128 KB with about 100 bytes of metadata; a job larger than this
/// travels by reference to R2 (never refused, never truncated).
const MAX_INLINE_JOB_BYTES: usize = 100_000;
/// One `sendBatch` holds at most this many messages...
const MAX_BATCH_MESSAGES: usize = 100;
/// ...and at most 256 KB in all; kept under it with room for the per-message overhead.
const MAX_BATCH_BYTES: usize = 250_000;

/// What the producer did with one event of a delivery.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(in crate::worker) enum Admission {
    /// A job was written for it.
    Queued,
    /// A copy of an event whose job is live: no job of its own, answered `queued`.
    Live,
    /// Origin already has it (a provider's retry after the delivery).
    Duplicate,
    /// It is a dead letter: only an operator's replay sends it again.
    Dead,
}

impl Admission {
    /// What the ledger's answer means for the event.
    fn of(accepted: &Accepted) -> Admission {
        match accepted.state {
            KeyState::Delivered => Admission::Duplicate,
            KeyState::Dead => Admission::Dead,
            _ if accepted.live => Admission::Live,
            _ => Admission::Queued,
        }
    }

    /// Its name in the request's log line: `queued`, `live`, `duplicate`, `dead`.
    pub(in crate::worker) const fn as_str(self) -> &'static str {
        match self {
            Admission::Queued => "queued",
            Admission::Live => "live",
            Admission::Duplicate => "duplicate",
            Admission::Dead => "dead",
        }
    }
}

/// One event's admission, with its key.
pub(in crate::worker) struct Admitted {
    /// The event key (`webhook-id`).
    pub(in crate::worker) webhook_id: String,
    /// What became of the event.
    pub(in crate::worker) admission: Admission,
}

/// Where one event of a delivery goes in the ledger.
struct Item {
    /// The event key.
    key: String,
    /// The ledger shard: the envelope's, or the event's own.
    shard: String,
    /// The provider time that may order the envelope, Unix ms.
    time_ms: Option<i64>,
}

/// Queue mode for the verified `events` of one delivery, in order: each recorded in its
/// envelope's ledger, a job written for each that needs one, then the ledger told. `scope`
/// is the verification key's index, `skew` the clock skew allowed.
///
/// # Errors
/// `enqueue_failed` when the ledger, R2 or the queue failed: the provider retries, and
/// the ledger keeps what was accepted from reaching origin twice.
pub(in crate::worker) async fn enqueue_events(
    env: &Env,
    provider: Provider,
    events: &[Event],
    scope: usize,
    skew: u64,
) -> Result<Vec<Admitted>, Error> {
    let received_ms = now_ms();
    let items: Vec<Item> = events
        .iter()
        .map(|event| item(provider, event, received_ms, skew))
        .collect();
    let answers = accept_all(env, events, &items).await?;
    let mut admitted = Vec::with_capacity(events.len());
    let mut jobs = Vec::new();
    let mut fresh = Vec::new();
    for ((event, item), accepted) in events.iter().zip(&items).zip(&answers) {
        let admission = Admission::of(accepted);
        if admission == Admission::Queued {
            jobs.push(fresh_job(
                provider,
                event,
                item,
                accepted,
                scope,
                received_ms,
            ));
            fresh.push(item);
        }
        admitted.push(Admitted {
            webhook_id: item.key.clone(),
            admission,
        });
    }
    enqueue_all(env, jobs).await?;
    mark_enqueued(env, &fresh).await;
    Ok(admitted)
}

/// `event`'s key, shard and ordering time.
fn item(provider: Provider, event: &Event, received_ms: i64, skew: u64) -> Item {
    // A tenant's events have their own keys and envelopes.
    let key = event_key(provider, event);
    let shard = match (&event.subject, &event.tenant) {
        (Some(subject), Some(t)) => crate::tenant_envelope_key(t, provider.as_str(), subject),
        (Some(subject), None) => crate::envelope_key(provider.as_str(), subject),
        // No envelope: the event is its own shard.
        (None, _) => format!("key_{}", key.trim_start_matches("msg_")),
    };
    // A time ahead of the edge's clock (beyond the skew) orders nothing, and none orders
    // past the moment the edge received it.
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
}

/// The ledger failed: logged (the platform's words stay out of the answer), and
/// `enqueue_failed`.
fn ledger_unavailable(e: &::worker::Error) -> Error {
    ::worker::console_error!("ledger: {}", clip(&e.to_string(), 300));
    Error::new(
        ErrorKind::EnqueueFailed,
        "the delivery ledger is unavailable; retry later",
    )
}

/// Asks each event's ledger to accept it: the shards concurrently, the events of one shard
/// in the delivery's order (so that its `sequence` follows it). The answers, in the
/// events' order.
async fn accept_all(env: &Env, events: &[Event], items: &[Item]) -> Result<Vec<Accepted>, Error> {
    // The events of each shard, in the delivery's order.
    let mut shards: Vec<(&str, Vec<usize>)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match shards.iter_mut().find(|(shard, _)| *shard == item.shard) {
            Some((_, indices)) => indices.push(index),
            None => shards.push((&item.shard, vec![index])),
        }
    }
    let answers = futures_util::future::join_all(
        shards
            .iter()
            .map(|(shard, indices)| accept_shard(env, shard, indices, events, items)),
    )
    .await;
    let mut accepted: Vec<Option<Accepted>> = events.iter().map(|_| None).collect();
    for answer in answers {
        for (index, a) in answer.map_err(|e| ledger_unavailable(&e))? {
            if let Some(slot) = accepted.get_mut(index) {
                *slot = Some(a);
            }
        }
    }
    accepted
        .into_iter()
        .map(|a| {
            a.ok_or_else(|| ledger_unavailable(&::worker::Error::RustError("no answer".into())))
        })
        .collect()
}

/// The ledger `shard`'s answers for the events at `indices`, asked one after the other.
async fn accept_shard(
    env: &Env,
    shard: &str,
    indices: &[usize],
    events: &[Event],
    items: &[Item],
) -> ::worker::Result<Vec<(usize, Accepted)>> {
    let ledger = LedgerClient::new(env, shard);
    let mut out = Vec::with_capacity(indices.len());
    for &index in indices {
        let (Some(item), Some(event)) = (items.get(index), events.get(index)) else {
            continue;
        };
        let accept = Accept {
            key: item.key.clone(),
            sequenced: event.subject.is_some(),
            time_ms: item.time_ms,
        };
        out.push((index, ledger.accept(&accept).await?));
    }
    Ok(out)
}

/// The job of an event the ledger just accepted.
fn fresh_job(
    provider: Provider,
    event: &Event,
    item: &Item,
    accepted: &Accepted,
    scope: usize,
    received_ms: i64,
) -> Job {
    Job {
        v: 1,
        key: item.key.clone(),
        shard: item.shard.clone(),
        gen: 0,
        seq: accepted
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
    }
}

/// The jobs are durable now; tells the ledger, so that copies add none. A failed mark only
/// lets a later copy add a job, which the ledger's backoff keeps in step.
async fn mark_enqueued(env: &Env, fresh: &[&Item]) {
    futures_util::future::join_all(fresh.iter().map(|item| async move {
        let mark = Enqueued {
            key: item.key.clone(),
        };
        LedgerClient::new(env, &item.shard).enqueued(&mark).await
    }))
    .await;
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

/// `enqueue_failed`: what failed, and that a retry is welcome.
fn enqueue_failed(what: &str, e: impl std::fmt::Display) -> Error {
    // The platform's own words go to the log (they name no secret); the sender learns only
    // what failed and that a retry is welcome.
    ::worker::console_error!("enqueue: {what}: {}", clip(&e.to_string(), 300));
    Error::new(ErrorKind::EnqueueFailed, format!("{what}; retry later"))
}

/// Writes `job` to the queue (its event to R2 first when too large for a message), and
/// returns only once Queues confirmed the write.
///
/// # Errors
/// `enqueue_failed` when R2 or the queue refused or is not bound.
pub(in crate::worker) async fn enqueue(env: &Env, job: Job) -> Result<(), Error> {
    enqueue_all(env, vec![job]).await
}

/// Writes every job (events too large for a message to R2 first) with as few `sendBatch`
/// calls as Queues' limits allow, in order, and returns once Queues confirmed them all.
///
/// # Errors
/// `enqueue_failed` when R2 or the queue refused or is not bound; some of the jobs may
/// then be written, which the ledger makes harmless (the provider's retry finds them).
async fn enqueue_all(env: &Env, jobs: Vec<Job>) -> Result<(), Error> {
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
