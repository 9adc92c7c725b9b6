//! The delivery log (table `deliveries` in the `TENANTS_DB` D1 database, `migrations/`):
//! one record per event a hook route received, or per refused request, written off the
//! provider's answer path (`ctx.wait_until`): refusals and queued events at once, the
//! others (inspected, delivered directly, handshakes) batched per isolate every
//! `WRITE_AFTER_MS` (docs/worker.md, "Its cost", has what that saves); the queue consumer
//! appends each attempt and the end (`delivered`, `dead`; a replay marks it `replayed`
//! until its next attempt). Never a body, never a secret. Read through `GET /admin/events`,
//! `GET /admin/events/<webhook-id>`, `GET /admin/stats` and `GET /admin/metrics` (the
//! handlers in `api.rs`); pruned after `LOG_RETENTION_DAYS` by the Cron Trigger.
//!
//! Writing it never decides anything: a failed write is logged (`console_error`) and the
//! delivery goes on.

/// The admin API's handlers.
pub(super) mod api;

use ::worker::wasm_bindgen::JsValue;
use ::worker::{D1Database, Env};
use serde::{Deserialize, Serialize};

use super::{clip, config};
use crate::{Error, ErrorKind};

/// The D1 binding holding the log.
const BINDING: &str = "TENANTS_DB";

/// What the hook path did with one event or request: the record's `outcome` column.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Outcome {
    /// An event taken: queued, delivered (direct) or inspected.
    Accepted,
    /// The request was refused (its error code beside it).
    Refused,
    /// A setup handshake, answered and never delivered.
    Handshake,
    /// A copy of an event already taken (live, delivered or dead).
    Duplicate,
}

impl Outcome {
    /// Every outcome.
    const ALL: [Outcome; 4] = [
        Outcome::Accepted,
        Outcome::Refused,
        Outcome::Handshake,
        Outcome::Duplicate,
    ];

    /// The stored value: `accepted`, `refused`, `handshake`, `duplicate`.
    pub(super) const fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Refused => "refused",
            Outcome::Handshake => "handshake",
            Outcome::Duplicate => "duplicate",
        }
    }

    /// The outcome a stored value names, if any.
    pub(super) fn parse(stored: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == stored)
    }
}

/// How an accepted event ended: the record's `end_state` column.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum End {
    /// Queued, not yet settled.
    Pending,
    /// Origin took it.
    Delivered,
    /// A dead letter.
    Dead,
    /// A dead letter re-enqueued by a replay, not yet settled again (its next attempt
    /// ends it `delivered` or `dead`).
    Replayed,
}

impl End {
    /// Every end.
    const ALL: [End; 4] = [End::Pending, End::Delivered, End::Dead, End::Replayed];

    /// The stored value: `pending`, `delivered`, `dead`, `replayed`.
    pub(super) const fn as_str(self) -> &'static str {
        match self {
            End::Pending => "pending",
            End::Delivered => "delivered",
            End::Dead => "dead",
            End::Replayed => "replayed",
        }
    }

    /// The end a stored value names, if any.
    fn parse(stored: &str) -> Option<End> {
        End::ALL.into_iter().find(|e| e.as_str() == stored)
    }
}

/// One record as the hook path writes it.
pub(super) struct Entry {
    /// The tenant of a tenant route.
    pub(super) tenant: Option<String>,
    /// The provider, once the route named a known one.
    pub(super) provider: Option<&'static str>,
    /// What the hook path did.
    pub(super) outcome: Outcome,
    /// A refusal's error code.
    pub(super) code: Option<&'static str>,
    /// The event's own id.
    pub(super) event_id: Option<String>,
    /// The event's normalized type.
    pub(super) event_type: Option<&'static str>,
    /// The event's envelope.
    pub(super) subject: Option<String>,
    /// The event key (queue and direct modes).
    pub(super) webhook_id: Option<String>,
    /// [`End::Pending`] for a queued event, [`End::Delivered`] in direct mode; `None`
    /// otherwise.
    pub(super) end: Option<End>,
    /// Direct mode: the one attempt.
    pub(super) attempt: Option<Attempt>,
}

impl Entry {
    /// A record of `outcome`, every other field empty.
    pub(super) fn new(outcome: Outcome) -> Entry {
        Entry {
            tenant: None,
            provider: None,
            outcome,
            code: None,
            event_id: None,
            event_type: None,
            subject: None,
            webhook_id: None,
            end: None,
            attempt: None,
        }
    }
}

/// One attempt at origin.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Attempt {
    /// RFC 3339 UTC.
    pub(super) at: String,
    /// Origin's status; `null` on a timeout or a refused connection.
    pub(super) status: Option<u16>,
    /// How long origin took to answer (or to fail).
    pub(super) latency_ms: u64,
    /// Why it failed; `null` for a 2xx.
    pub(super) error: Option<String>,
}

/// The log's database, if bound (writing it is best effort).
fn db(env: &Env) -> Option<D1Database> {
    env.d1(BINDING).ok()
}

/// The log's database, for what cannot go without it (reading it, pruning it).
///
/// # Errors
/// `invalid_config` when `TENANTS_DB` is not bound.
pub(super) fn database(env: &Env) -> Result<D1Database, Error> {
    db(env).ok_or_else(|| Error::new(ErrorKind::InvalidConfig, "TENANTS_DB is not bound"))
}

/// A nullable text for D1, clipped.
fn text(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, |v| JsValue::from_str(clip(v, 256)))
}

/// Writes the records of one request now (best effort, logged on failure): refusals (the
/// route's alert check counts them right after) and queued events (the consumer appends
/// its attempts to their record).
pub(super) async fn record(env: Env, received_ms: i64, entries: Vec<Entry>) {
    write(
        &env,
        entries.into_iter().map(|e| (received_ms, e)).collect(),
    )
    .await;
}

/// Whether `entry` may wait for the next batched write ([`write_later`]): nothing reads
/// it back soon. A refusal is counted by the route's alert check at once, and a queued
/// event's record is updated by the consumer.
pub(super) fn may_wait(entry: &Entry) -> bool {
    entry.outcome != Outcome::Refused && entry.end != Some(End::Pending)
}

/// How long records wait to be written together: a burst of requests to one isolate
/// writes one D1 batch, not one per request.
const WRITE_AFTER_MS: u64 = 100;

/// The most records one D1 batch writes.
const MAX_BATCH: usize = 100;

/// Records waiting for the isolate's next batched write, and whether that write is due
/// (a future in some request's `ctx.wait_until`).
struct Pending {
    rows: Vec<(i64, Entry)>,
    due: bool,
}

thread_local! {
    static PENDING: std::cell::RefCell<Pending> = const {
        std::cell::RefCell::new(Pending { rows: Vec::new(), due: false })
    };
}

/// Queues one request's records for the isolate's next batched write; returns that write,
/// for the caller's `ctx.wait_until`, when none is due yet (the request that schedules it
/// keeps the isolate alive until it is done, so nothing queued is dropped).
pub(super) fn write_later(
    env: &Env,
    received_ms: i64,
    entries: Vec<Entry>,
) -> Option<impl std::future::Future<Output = ()>> {
    if entries.is_empty() {
        return None;
    }
    let schedule = PENDING.with(|pending| {
        let mut pending = pending.borrow_mut();
        pending
            .rows
            .extend(entries.into_iter().map(|e| (received_ms, e)));
        !std::mem::replace(&mut pending.due, true)
    });
    let env = env.clone();
    schedule.then_some(async move {
        ::worker::Delay::from(std::time::Duration::from_millis(WRITE_AFTER_MS)).await;
        loop {
            let rows = PENDING.with(|pending| {
                let mut pending = pending.borrow_mut();
                let n = pending.rows.len().min(MAX_BATCH);
                let rows: Vec<(i64, Entry)> = pending.rows.drain(..n).collect();
                // What arrives while this batch is written schedules the next one.
                if pending.rows.is_empty() {
                    pending.due = false;
                }
                rows
            });
            if rows.is_empty() {
                break;
            }
            write(&env, rows).await;
        }
    })
}

/// Inserts `rows` (each with its request's receive time) in one D1 batch.
async fn write(env: &Env, rows: Vec<(i64, Entry)>) {
    let Some(db) = db(env) else { return };
    let mut statements = Vec::with_capacity(rows.len());
    for (received_ms, e) in rows {
        let attempts = e
            .attempt
            .as_ref()
            .map(|a| serde_json::to_string(&[a]).unwrap_or_else(|_| "[]".into()))
            .unwrap_or_else(|| "[]".into());
        // Direct mode: origin answered within the request, when its one attempt ended.
        let delivered_ms = match (&e.end, &e.attempt) {
            (Some(End::Delivered), Some(a)) => {
                let started = crate::time::parse_rfc3339_millis(&a.at).unwrap_or(received_ms);
                JsValue::from_f64(started.saturating_add_unsigned(a.latency_ms) as f64)
            }
            (Some(End::Delivered), None) => JsValue::from_f64(received_ms as f64),
            _ => JsValue::NULL,
        };
        let bound = db
            .prepare(
                "INSERT INTO deliveries(received_ms, tenant, provider, outcome, code, event_id, type, subject, webhook_id, attempts, end_state, delivered_ms)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .bind(&[
                JsValue::from_f64(received_ms as f64),
                text(e.tenant.as_deref()),
                text(e.provider),
                JsValue::from_str(e.outcome.as_str()),
                text(e.code),
                text(e.event_id.as_deref()),
                text(e.event_type),
                text(e.subject.as_deref()),
                text(e.webhook_id.as_deref()),
                JsValue::from_str(&attempts),
                text(e.end.map(End::as_str)),
                delivered_ms,
            ]);
        match bound {
            Ok(statement) => statements.push(statement),
            Err(err) => ::worker::console_error!("delivery log: {err}"),
        }
    }
    if statements.is_empty() {
        return;
    }
    if let Err(err) = db.batch(statements).await {
        ::worker::console_error!("delivery log: {}", clip(&err.to_string(), 300));
    }
}

/// Appends an attempt to the accepted record of `webhook_id`; `end` ([`End::Delivered`],
/// [`End::Dead`]) when the event is settled.
pub(super) async fn attempt(
    env: &Env,
    webhook_id: &str,
    attempt: &Attempt,
    end: Option<End>,
    now_ms: i64,
) {
    let Some(db) = db(env) else { return };
    let json = serde_json::to_string(attempt).unwrap_or_else(|_| "{}".into());
    let statement = db
        .prepare(
            "UPDATE deliveries SET attempts = json_insert(attempts, '$[#]', json(?1)),
               end_state = COALESCE(?2, end_state),
               delivered_ms = CASE WHEN ?2 = 'delivered' THEN ?3 ELSE delivered_ms END
             WHERE id = (SELECT MAX(id) FROM deliveries WHERE webhook_id = ?4 AND outcome = 'accepted')",
        )
        .bind(&[
            JsValue::from_str(&json),
            end.map_or(JsValue::NULL, |e| JsValue::from_str(e.as_str())),
            JsValue::from_f64(now_ms as f64),
            JsValue::from_str(webhook_id),
        ]);
    run_logged(statement).await;
}

/// Marks the accepted record of `webhook_id` with `end` (a dead letter recorded without an
/// attempt of its own).
pub(super) async fn end(env: &Env, webhook_id: &str, end: End) {
    let Some(db) = db(env) else { return };
    let statement = db
        .prepare("UPDATE deliveries SET end_state = ?1 WHERE id = (SELECT MAX(id) FROM deliveries WHERE webhook_id = ?2 AND outcome = 'accepted')")
        .bind(&[JsValue::from_str(end.as_str()), JsValue::from_str(webhook_id)]);
    run_logged(statement).await;
}

/// Runs one write of the log; a failure is logged, never decides anything.
async fn run_logged(statement: ::worker::Result<::worker::D1PreparedStatement>) {
    let result = match statement {
        Ok(s) => s.run().await.map(drop),
        Err(e) => Err(e),
    };
    if let Err(err) = result {
        ::worker::console_error!("delivery log: {}", clip(&err.to_string(), 300));
    }
}

/// The Cron Trigger: deletes records older than `LOG_RETENTION_DAYS`; how many.
pub(super) async fn prune(env: &Env, now_ms: i64) -> Result<usize, Error> {
    let db = database(env)?;
    let horizon = now_ms.saturating_sub(config::log_retention_ms(env));
    let result = db
        .prepare("DELETE FROM deliveries WHERE received_ms < ?1")
        .bind(&[JsValue::from_f64(horizon as f64)])
        .map_err(unavailable)?
        .run()
        .await
        .map_err(unavailable)?;
    Ok(result
        .meta()
        .ok()
        .flatten()
        .and_then(|m| m.changes)
        .unwrap_or(0))
}

/// The log failed where it must not: logged, and `503`.
fn unavailable(e: ::worker::Error) -> Error {
    ::worker::console_error!("delivery log: {}", clip(&e.to_string(), 300));
    Error::new(
        ErrorKind::EnqueueFailed,
        "the delivery log is unavailable; retry later",
    )
}
