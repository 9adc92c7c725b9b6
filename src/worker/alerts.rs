//! Alerts to the operator: operational CloudEvents (`source` `signhook/edge`) POSTed with
//! Standard Webhooks to `ALERT_URL`, signed with `ALERT_SECRET`. They travel through the
//! queue like events (a [`Job`] whose `target` is `alert`, `queue::ALERT_TARGET`):
//! retried, never lost, never on a provider's answer path, and deduplicated by the ledger
//! on their key, which is how "at most once per window" holds.
//!
//! | type | when |
//! |---|---|
//! | `signhook.delivery.dead_lettered` | an event became a dead letter |
//! | `signhook.verification.failing` | more than `ALERT_FAILURE_RATIO` of a route's deliveries refused over `ALERT_WINDOW_SECONDS`, with at least 5 refusals (once per window per route) |
//! | `signhook.origin.failing` | every attempt at an origin has failed for a window |
//! | `signhook.origin.recovered` | an attempt at a failing origin succeeded again |
//!
//! Without `ALERT_URL` nothing is sent (docs/worker.md, "Operations", says what is then
//! not watched).

use ::worker::wasm_bindgen::JsValue;
use ::worker::Env;
use serde::Serialize;

use super::config::{self, Origin};
use super::journal::Outcome;
use super::ledger::{Accept, Enqueued, KeyState, LedgerClient};
use super::queue::{self, Job};
use super::{clip, now_ms};
use crate::Error;

/// Refusals a window needs before it can alert.
const MIN_REFUSALS: u64 = 5;

/// Where alerts go, when `ALERT_URL` is set.
pub(super) fn origin(env: &Env) -> Option<Result<Origin, Error>> {
    let url = config::text(env, "ALERT_URL")?;
    Some((|| {
        crate::check_parsed_url("ALERT_URL", &url, super::host::parse_url(&url).as_ref())?;
        let secret = config::text(env, "ALERT_SECRET").ok_or_else(|| {
            Error::new(
                crate::ErrorKind::NoSecretConfigured,
                "ALERT_URL is set but ALERT_SECRET is not: refusing to send unsigned alerts",
            )
        })?;
        Ok(Origin {
            url,
            secret: crate::ForwardSecret::parse(&secret)?,
            timeout_ms: config::DEFAULT_QUEUE_ORIGIN_TIMEOUT_MS,
        })
    })())
}

/// `ALERT_WINDOW_SECONDS` (default 600) in ms: the window a rate or an outage is judged over.
fn window_ms(env: &Env) -> i64 {
    config::text(env, "ALERT_WINDOW_SECONDS")
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(600)
        .saturating_mul(1000)
}

/// `ALERT_FAILURE_RATIO` (default 0.05): the share of refused deliveries that alerts.
fn failure_ratio(env: &Env) -> f64 {
    config::text(env, "ALERT_FAILURE_RATIO")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|r| r.is_finite() && (0.0..=1.0).contains(r))
        .unwrap_or(0.05)
}

/// An alert: a CloudEvent of `source` `signhook/edge`.
#[derive(Serialize)]
struct Alert<'a, D: Serialize> {
    specversion: &'static str,
    id: &'a str,
    source: &'static str,
    #[serde(rename = "type")]
    alert_type: &'a str,
    time: String,
    datacontenttype: &'static str,
    data: D,
}

/// Enqueues alert `alert_type` named `id` (its key: the same id is one alert, whatever
/// calls it twice), when `ALERT_URL` is set.
async fn send<D: Serialize>(env: &Env, alert_type: &str, id: &str, data: D) {
    if config::text(env, "ALERT_URL").is_none() {
        return;
    }
    let now = now_ms();
    let event = Alert {
        specversion: "1.0",
        id,
        source: "signhook/edge",
        alert_type,
        time: crate::time::format_unix_millis(now).unwrap_or_default(),
        datacontenttype: "application/json",
        data,
    };
    let Ok(json) = serde_json::to_string(&event) else {
        return;
    };
    let key = crate::webhook_id("signhook", id);
    let job = Job {
        v: 1,
        key: key.clone(),
        shard: format!("alert_{}", key.trim_start_matches("msg_")),
        gen: 0,
        seq: None,
        received_ms: now,
        time_ms: None,
        provider: "signhook".to_owned(),
        event_type: alert_type.to_owned(),
        scope: String::new(),
        tenant: None,
        target: Some(queue::ALERT_TARGET.to_owned()),
        id: id.to_owned(),
        subject: None,
        event: None,
        stored: None,
        fresh_event: Some(json),
    };
    // The ledger dedupes: a second call with the same id finds the key and adds nothing.
    let shard = job.shard.clone();
    let ledger = LedgerClient::new(env, &shard);
    let accept = Accept {
        key: key.clone(),
        sequenced: false,
        time_ms: None,
    };
    match ledger.accept(&accept).await {
        Ok(a) if a.state == KeyState::Accepted && !a.live => {}
        Ok(_) => return,
        Err(e) => {
            ::worker::console_error!(
                "alert {alert_type}: the ledger is unavailable: {}",
                clip(&e.to_string(), 200)
            );
            return;
        }
    }
    if let Err(e) = queue::enqueue(env, job).await {
        ::worker::console_error!("alert {alert_type}: {}", e.message());
        return;
    }
    let _ = ledger.enqueued(&Enqueued { key }).await;
}

/// An event became a dead letter.
pub(super) async fn dead_lettered(env: &Env, job: &Job, reason: &str, attempts: i64) {
    if job.is_alert() {
        return; // an alert's own dead letter is listed, not alerted about
    }
    /// The alert's `data`.
    #[derive(Serialize)]
    struct Data<'a> {
        provider: &'a str,
        tenant: Option<&'a str>,
        webhook_id: &'a str,
        event_id: &'a str,
        #[serde(rename = "type")]
        event_type: &'a str,
        reason: &'a str,
        attempts: i64,
    }
    let id = format!("dead_lettered:{}:{}", job.key, job.gen);
    send(
        env,
        "signhook.delivery.dead_lettered",
        &id,
        Data {
            provider: &job.provider,
            tenant: job.tenant.as_deref(),
            webhook_id: &job.key,
            event_id: clip(&job.id, 256),
            event_type: &job.event_type,
            reason,
            attempts,
        },
    )
    .await;
}

/// After a refused delivery was recorded: whether its route is failing over the window.
pub(super) async fn check_verification(
    env: &Env,
    tenant: Option<&str>,
    provider: &str,
    now_ms: i64,
) {
    if config::text(env, "ALERT_URL").is_none() {
        return;
    }
    let Ok(db) = env.d1("TENANTS_DB") else { return };
    let window = window_ms(env);
    /// One group of the window's records.
    #[derive(serde::Deserialize)]
    struct Count {
        code: Option<String>,
        outcome: String,
        n: f64,
    }
    let statement = db
        .prepare("SELECT code, outcome, COUNT(*) AS n FROM deliveries WHERE provider = ?1 AND tenant IS ?2 AND received_ms >= ?3 GROUP BY code, outcome")
        .bind(&[
            JsValue::from_str(provider),
            tenant.map_or(JsValue::NULL, JsValue::from_str),
            JsValue::from_f64(now_ms.saturating_sub(window) as f64),
        ]);
    let Ok(statement) = statement else { return };
    let counts: Vec<Count> = match statement.all().await.and_then(|r| r.results()) {
        Ok(c) => c,
        Err(e) => {
            ::worker::console_error!("alert check: {}", clip(&e.to_string(), 200));
            return;
        }
    };
    let total: u64 = counts.iter().map(|c| c.n as u64).sum();
    let mut refused = std::collections::BTreeMap::new();
    for c in counts
        .iter()
        .filter(|c| Outcome::parse(&c.outcome) == Some(Outcome::Refused))
    {
        *refused
            .entry(c.code.clone().unwrap_or_default())
            .or_insert(0u64) += c.n as u64;
    }
    let refusals: u64 = refused.values().sum();
    if refusals < MIN_REFUSALS || (refusals as f64) <= failure_ratio(env) * total as f64 {
        return;
    }
    /// The alert's `data`.
    #[derive(Serialize)]
    struct Data<'a> {
        provider: &'a str,
        tenant: Option<&'a str>,
        window_seconds: i64,
        received: u64,
        refused: std::collections::BTreeMap<String, u64>,
    }
    // One key per route and window: the ledger lets only the first through.
    let id = format!(
        "verification_failing:{}:{provider}:{}",
        tenant.unwrap_or("-"),
        now_ms.div_euclid(window)
    );
    send(
        env,
        "signhook.verification.failing",
        &id,
        Data {
            provider,
            tenant,
            window_seconds: window / 1000,
            received: total,
            refused,
        },
    )
    .await;
}

/// After an attempt at `origin_url`: tracks whether the origin has failed for a window
/// (`origin_health` in D1), and alerts when it starts failing and when it recovers.
pub(super) async fn origin_attempt(
    env: &Env,
    origin_url: &str,
    provider: &str,
    tenant: Option<&str>,
    ok: bool,
    now_ms: i64,
) {
    if config::text(env, "ALERT_URL").is_none() {
        return;
    }
    let Ok(db) = env.d1("TENANTS_DB") else { return };
    // Named by its host only: the path or a query may carry something private.
    let host = super::host::parse_url(origin_url)
        .map(|u| u.host)
        .unwrap_or_default();
    let name = JsValue::from_str(origin_url);
    /// An origin's `origin_health` row.
    #[derive(serde::Deserialize)]
    struct Health {
        failing_since_ms: f64,
        alerted: f64,
    }
    let run = async {
        if ok {
            let row: Option<Health> = db
                .prepare("DELETE FROM origin_health WHERE origin = ?1 RETURNING failing_since_ms, alerted")
                .bind(std::slice::from_ref(&name))?
                .first(None)
                .await?;
            if let Some(h) = row.filter(|h| h.alerted > 0.0) {
                origin_alert(
                    env,
                    "recovered",
                    origin_url,
                    &host,
                    provider,
                    tenant,
                    h.failing_since_ms,
                )
                .await;
            }
            return Ok::<(), ::worker::Error>(());
        }
        db.prepare("INSERT INTO origin_health(origin, failing_since_ms, alerted) VALUES(?1, ?2, 0) ON CONFLICT(origin) DO NOTHING")
            .bind(&[name.clone(), JsValue::from_f64(now_ms as f64)])?
            .run()
            .await?;
        let row: Option<Health> = db
            .prepare("UPDATE origin_health SET alerted = 1 WHERE origin = ?1 AND alerted = 0 AND failing_since_ms <= ?2 RETURNING failing_since_ms, alerted")
            .bind(&[name.clone(), JsValue::from_f64(now_ms.saturating_sub(window_ms(env)) as f64)])?
            .first(None)
            .await?;
        if let Some(h) = row {
            origin_alert(
                env,
                "failing",
                origin_url,
                &host,
                provider,
                tenant,
                h.failing_since_ms,
            )
            .await;
        }
        Ok(())
    };
    if let Err(e) = run.await {
        ::worker::console_error!("origin health: {}", clip(&e.to_string(), 200));
    }
}

/// `signhook.origin.<state>` (`failing`, `recovered`) for the origin at `origin_url` (named
/// by its `host`), failing since `failing_since_ms`: one alert per outage and state.
/// `provider` is the provider of the event whose attempt raised it.
async fn origin_alert(
    env: &Env,
    state: &str,
    origin_url: &str,
    host: &str,
    provider: &str,
    tenant: Option<&str>,
    failing_since_ms: f64,
) {
    /// The alert's `data`.
    #[derive(Serialize)]
    struct Data<'a> {
        origin: &'a str,
        provider: &'a str,
        tenant: Option<&'a str>,
        failing_since: String,
    }
    let since_ms = failing_since_ms as i64;
    let id = format!(
        "origin_{state}:{}:{since_ms}",
        crate::webhook_id("origin", origin_url)
    );
    let data = Data {
        origin: host,
        provider,
        tenant,
        failing_since: crate::time::format_unix_millis(since_ms).unwrap_or_default(),
    };
    send(env, &format!("signhook.origin.{state}"), &id, data).await;
}
